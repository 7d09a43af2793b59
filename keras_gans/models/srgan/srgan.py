"""`SRGAN`: photo-realistic single-image super-resolution (Ledig et al., 2017)."""

import keras
from keras import layers, ops

from keras_gans import backend
from keras_gans.layers.bicubic_upsampling import BicubicUpsampling
from keras_gans.layers.subpixel_upsampling import SubPixelUpsampling
from keras_gans.models.dcgan.dcgan_generator import init
from keras_gans.models.image_to_image.image_to_image_gan import ImageToImageGAN, l2_distance
from keras_gans.utils import check_number, check_positive_int, check_seed, seed_stream

FEATURE_EXTRACTORS = ("cifar10", "vgg19", None)


def _upsampling_steps(scale):
    steps = []
    while scale % 2 == 0:
        steps.append(2)
        scale //= 2
    if scale == 3:
        steps.append(3)
        scale = 1
    if scale != 1:
        raise ValueError("`scale` must be a power of 2, or 3 times one (2, 3, 4, 6, 8, ...).")
    return steps


def srresnet_generator(
    channels=3,
    scale=4,
    filters=64,
    num_blocks=16,
    seed=None,
    global_residual=False,
    name="srresnet",
):
    """SRResNet: residual blocks at low resolution, sub-pixel upsampling.

    A 9x9 convolution with PReLU; `num_blocks` residual blocks (3x3
    convolution, batch normalization, PReLU, 3x3 convolution, batch
    normalization, plus the input); a 3x3 convolution and batch normalization
    added to the first convolution's output; one upsampling block per factor
    of 2 (3x3 convolution to `4 * filters` channels, `SubPixelUpsampling(2)`,
    PReLU); a 9x9 convolution with tanh. Fully convolutional: any input size.
    PReLU slopes are shared over height and width (one per channel).

    With `global_residual=True` the network predicts a correction to the
    bicubic upsampling of its input (`BicubicUpsampling`, as VDSR and later
    networks): the last 9x9 convolution starts at zero and is added to the
    bicubic image, and the sum is clipped to [-1, 1] instead of passing
    through tanh. The untrained network is then exactly bicubic upsampling,
    and training only has to learn the missing detail. The paper's network
    (`False`) learns the whole image through tanh from a random start.
    """
    channels = check_positive_int(channels, "channels")
    scale = check_positive_int(scale, "scale")
    filters = check_positive_int(filters, "filters")
    num_blocks = check_positive_int(num_blocks, "num_blocks")
    steps = _upsampling_steps(scale)
    seeds = seed_stream(seed, 31)

    def conv(x, f, k):
        return layers.Conv2D(f, k, padding="same", kernel_initializer=init(next(seeds)))(x)

    def prelu(x):
        return layers.PReLU(shared_axes=[1, 2])(x)

    def bn(x):
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)

    inputs = keras.Input((None, None, channels), name="images")
    x = head = prelu(conv(inputs, filters, 9))
    for _ in range(num_blocks):
        y = prelu(bn(conv(x, filters, 3)))
        x = layers.Add()([x, bn(conv(y, filters, 3))])
    x = layers.Add()([head, bn(conv(x, filters, 3))])
    for r in steps:
        x = prelu(SubPixelUpsampling(r)(conv(x, filters * r * r, 3)))
    if not global_residual:
        outputs = layers.Activation("tanh", dtype="float32", name="output")(conv(x, channels, 9))
        return keras.Model(inputs, outputs, name=name)
    next(seeds)  # the paper's last-layer seed, unused: this layer starts at zero
    detail = layers.Conv2D(channels, 9, padding="same", kernel_initializer="zeros")(x)
    upsampled = BicubicUpsampling(scale, name="bicubic")(inputs)
    x = layers.Add(dtype="float32")([upsampled, detail])
    outputs = layers.Activation(_clip_unit, dtype="float32", name="output")(x)
    return keras.Model(inputs, outputs, name=name)


@keras.saving.register_keras_serializable(package="keras_gans")
def _clip_unit(x):
    return ops.clip(x, -1.0, 1.0)


def srgan_discriminator(channels=3, filters=64, num_blocks=4, seed=None, name="srgan_critic"):
    """SRGAN's discriminator, made size-free by global average pooling.

    A 3x3 convolution with LeakyReLU(0.2); then `2 * num_blocks - 1` 3x3
    convolutions with batch normalization and LeakyReLU, alternating stride 2
    and stride 1 while the channels double every two layers (64, 64, 128, 128,
    256, 256, 512, 512 in the paper); then dense 1024, LeakyReLU and one
    logit. The paper flattens its 96x96 crops' final map into the dense
    layer; global average pooling stands in here, so one network judges
    images of any size (a difference from the paper).
    """
    channels = check_positive_int(channels, "channels")
    filters = check_positive_int(filters, "filters")
    num_blocks = check_positive_int(num_blocks, "num_blocks")
    seeds = seed_stream(seed, 32)
    inputs = keras.Input((None, None, channels), name="images")
    x = layers.Conv2D(filters, 3, padding="same", kernel_initializer=init(next(seeds)))(inputs)
    x = layers.LeakyReLU(0.2)(x)
    for i in range(1, 2 * num_blocks):
        f = filters * 2 ** (i // 2)
        stride = 2 if i % 2 else 1
        x = layers.Conv2D(
            f,
            3,
            strides=stride,
            padding="same",
            use_bias=False,
            kernel_initializer=init(next(seeds)),
        )(x)
        x = layers.LeakyReLU(0.2)(layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x))
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(16 * filters, kernel_initializer=init(next(seeds)))(x)
    x = layers.LeakyReLU(0.2, name="features")(x)
    logits = layers.Dense(1, kernel_initializer=init(next(seeds)), dtype="float32", name="logits")(
        x
    )
    return keras.Model(inputs, logits, name=name)


def feature_extractor(name="cifar10", channels=3):
    """The frozen network of SRGAN's feature-space content loss, from images in [-1, 1].

    - `"vgg19"`: VGG19's `block5_conv4` features (the paper's VGG54) through
      `keras.applications` with ImageNet weights; inputs are mapped from
      [-1, 1] to VGG's caffe preprocessing. Needs the weights (a download,
      or Keras' cache).
    - `"cifar10"`: the conv features of the project's shipped CIFAR-10
      classifier (`zoo/classifiers/cifar10.weights.h5`, sha256 checked by
      `keras_gans.metrics.classifier`): its second conv block's ReLU, before
      pooling, at half the input's resolution. Like VGG's, these are features
      of a classifier trained on real photos, in a small network that ships
      with the library and works offline.

    Returns a `keras.Model` with `trainable = False`.
    """
    if name not in FEATURE_EXTRACTORS or name is None:
        raise ValueError(
            f"`feature_extractor` must be 'cifar10', 'vgg19', a Keras model or None; "
            f"received {name!r}."
        )
    inputs = keras.Input((None, None, channels), name="images")
    if name == "vgg19":
        if channels != 3:
            raise ValueError("The VGG19 feature extractor needs RGB images (channels=3).")
        try:
            vgg = keras.applications.VGG19(include_top=False, weights="imagenet")
        except Exception as e:  # noqa: BLE001 - no network, no cached file
            raise RuntimeError(
                f"VGG19's ImageNet weights could not be loaded ({e}); use "
                "feature_extractor='cifar10' or pass your own Keras model."
            ) from None
        x = (inputs + 1.0) * 127.5
        x = ops.flip(x, axis=-1) - ops.convert_to_tensor([103.939, 116.779, 123.68])
        features = keras.Model(vgg.inputs, vgg.get_layer("block5_conv4").output)(x)
        model = keras.Model(inputs, features, name="vgg19_features")
    else:
        from keras_gans.metrics.classifiers import classifier

        if channels != 3:
            raise ValueError("The CIFAR-10 feature extractor needs RGB images (channels=3).")
        net = classifier("cifar10").model
        x = inputs
        for layer in (
            "block1_conv",
            "block1_bn",
            "block1_relu",
            "block1_pool",
            "block2_conv",
            "block2_bn",
            "block2_relu",
        ):
            x = (
                net.get_layer(layer)(x, training=False)
                if "bn" in layer
                else net.get_layer(layer)(x)
            )
        model = keras.Model(inputs, x, name="cifar10_features")
    model.trainable = False
    return model


@keras.saving.register_keras_serializable(package="keras_gans")
class SRGAN(ImageToImageGAN):
    """SRGAN: an SRResNet generator trained with content and adversarial losses.

    The generator minimizes `pixel_weight * MSE(G(lr), hr) + feature_weight *
    MSE(phi(G(lr)), phi(hr)) + adversarial_weight * L_adv`, where `phi` is
    the injected feature extractor (see `feature_extractor`; any Keras model
    from [-1, 1] images to features is accepted) and `L_adv` the
    non-saturating loss of the discriminator (weight 1e-3 in the paper).
    `adversarial_weight=0, feature_weight=0` trains SRResNet-MSE: the
    discriminator is then not updated and `d_loss` logs 0. The paper starts
    SRGAN from a trained SRResNet: copy its generator's weights
    (`srgan.generator.set_weights(srresnet.generator.get_weights())`).

    Train with `fit(lr, hr)`: float images in [-1, 1], `hr` `scale` times
    larger (`keras_gans.datasets.sr_crops` makes such pairs). `enhance`
    upsamples images of any size.

    Args:
        scale: the upsampling factor (4; powers of 2, or 3 times one).
        channels: image channels (3).
        generator_filters, num_blocks: SRResNet's width (64) and residual
            blocks (16).
        discriminator_filters, discriminator_blocks: the discriminator's
            first width (64) and stride-2 stages (4).
        feature_extractor: "cifar10" (default), "vgg19", a Keras model, or
            None for no feature loss.
        pixel_weight, feature_weight, adversarial_weight: the loss weights
            (1, 1, 1e-3).
        global_residual: the generator adds its output to the bicubic
            upsampling of its input and starts as bicubic (see
            `srresnet_generator`); `False` is the paper's SRResNet, which
            learns the whole image through tanh. The default is `True`
            because it is far ahead after a short training: the paper's
            network is still several dB below bicubic after hundreds of
            steps, the residual one above it (measured in
            `benchmarks/README.md`, "image_to_image.py").
        seed: seed of the initial weights.

    Example:

    >>> sr = SRGAN(scale=4, seed=0)
    >>> sr.compile()
    >>> sr.fit(lr, hr, batch_size=16, epochs=1)  # doctest: +SKIP
    >>> big = sr.enhance(small_uint8)  # uint8 in, uint8 out, 4x the size
    """

    loss_names = ("d_loss", "g_loss", "pixel_loss", "feature_loss")

    def __init__(
        self,
        scale=4,
        channels=3,
        generator_filters=64,
        num_blocks=16,
        discriminator_filters=64,
        discriminator_blocks=4,
        feature_extractor="cifar10",
        pixel_weight=1.0,
        feature_weight=1.0,
        adversarial_weight=1e-3,
        global_residual=True,
        seed=None,
        **kwargs,
    ):
        seed = check_seed(seed)
        self.scale = check_positive_int(scale, "scale")
        self.pixel_weight = check_number(pixel_weight, "pixel_weight")
        self.feature_weight = check_number(feature_weight, "feature_weight")
        self.adversarial_weight = check_number(adversarial_weight, "adversarial_weight")
        if isinstance(feature_extractor, dict):
            feature_extractor = keras.saving.deserialize_keras_object(feature_extractor)
        if isinstance(feature_extractor, keras.Model):
            extractor, extractor_config = (
                feature_extractor,
                (keras.saving.serialize_keras_object(feature_extractor)),
            )
            extractor.trainable = False
        elif feature_extractor is None or self.feature_weight == 0:
            extractor, extractor_config = None, feature_extractor
        else:
            extractor = build_feature_extractor(feature_extractor, channels)
            extractor_config = feature_extractor
        self.global_residual = bool(global_residual)
        generator = srresnet_generator(
            channels, scale, generator_filters, num_blocks, seed, self.global_residual
        )
        discriminator = srgan_discriminator(
            channels, discriminator_filters, discriminator_blocks, seed
        )
        self._family_config = {
            "scale": self.scale,
            "channels": channels,
            "generator_filters": generator_filters,
            "num_blocks": num_blocks,
            "discriminator_filters": discriminator_filters,
            "discriminator_blocks": discriminator_blocks,
            "feature_extractor": extractor_config,
            "pixel_weight": self.pixel_weight,
            "feature_weight": self.feature_weight,
            "adversarial_weight": self.adversarial_weight,
            "global_residual": self.global_residual,
        }
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        self.feature_extractor = extractor

    @classmethod
    def from_config(cls, config, custom_objects=None):
        # Files saved before `global_residual` existed hold the paper's generator.
        config = {"global_residual": False, **config}
        return super().from_config(config, custom_objects)

    def gan_train_step(self, data):
        lr, hr = self.image_batch(data, what="high-resolution images")
        guard = self.begin_step()
        adversarial = self.adversarial_weight > 0
        use_features = self.feature_extractor is not None and self.feature_weight > 0
        if adversarial:
            fake = ops.stop_gradient(self.generator(lr, training=True))

            def d_loss_fn():
                loss = self.gan_loss.discriminator(
                    self.discriminator(hr, training=True),
                    self.discriminator(fake, training=True),
                    label_smoothing=self.label_smoothing,
                )
                return loss, {}

            d_loss, _ = backend.minimize(
                d_loss_fn, self.discriminator_trainable_variables, self.d_optimizer
            )
            self.after_discriminator_step()
        else:
            d_loss = ops.zeros(())
        target_features = (
            ops.stop_gradient(self.feature_extractor(hr, training=False)) if use_features else None
        )

        def g_loss_fn():
            sr = self.generator(lr, training=True)
            pixel = l2_distance(sr, hr)
            loss = self.pixel_weight * pixel
            feature = ops.zeros(())
            if use_features:
                feature = l2_distance(self.feature_extractor(sr, training=False), target_features)
                loss = loss + self.feature_weight * feature
            if adversarial:
                logits = self.discriminator(sr, training=True)
                loss = loss + self.adversarial_weight * self.gan_loss.generator(logits)
            return loss, {"pixel_loss": pixel, "feature_loss": feature}

        g_loss, terms = backend.minimize(
            g_loss_fn, self.generator_trainable_variables, self.g_optimizer
        )
        self.after_generator_step()
        return self.finish_step({"d_loss": d_loss, "g_loss": g_loss, **terms}, guard)

    def enhance(self, images, value_range=None, batch_size=8):
        """Upsamples images `scale` times; see `ImageToImageGAN.run_network`."""
        return self.run_network(self.generator, images, value_range, batch_size)

    translate = enhance


build_feature_extractor = feature_extractor
