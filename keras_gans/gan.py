"""`GAN`: the base class of every generative adversarial network in keras_gans."""

import contextlib

import keras
import numpy as np
from keras import ops

from keras_gans import augment as augment_lib
from keras_gans import backend
from keras_gans import ema as ema_lib
from keras_gans import losses as losses_lib
from keras_gans import mixed_precision as mp_lib
from keras_gans.datasets import stream as stream_lib
from keras_gans.regularizers import HistoricalAveraging
from keras_gans.utils import check_number, check_positive_int, check_seed


class _Holder:
    """Plain attribute holder: what it holds is invisible to Keras tracking."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class StepData:
    """What the loss hooks see of one update.

    Attributes:
        real: the real batch.
        labels: the batch's labels (conditional families) or None.
        z: the latent batch the fakes were drawn from.
        fake: the generated batch.
        real_output: the discriminator's output on `real` (discriminator
            updates only).
        fake_output: the discriminator's output on `fake`.
    """

    def __init__(self, real, labels, z, fake, real_output=None, fake_output=None):
        self.real = real
        self.labels = labels
        self.z = z
        self.fake = fake
        self.real_output = real_output
        self.fake_output = fake_output


def feature_matching_loss(real_features, fake_features):
    """Feature matching (Salimans et al., 2016): `||E f(real) - E f(fake)||^2`.

    The batch means of the discriminator's intermediate features, compared by
    their squared Euclidean distance, averaged over feature positions. The
    real features carry no gradient.
    """
    real_features = ops.stop_gradient(ops.convert_to_tensor(real_features))
    real_mean = ops.mean(ops.cast(real_features, "float32"), axis=0)
    fake_mean = ops.mean(ops.cast(fake_features, "float32"), axis=0)
    return ops.mean(ops.square(real_mean - fake_mean))


class _NetworkRouter:
    """Routes each variable to the optimizer of the network that owns it."""

    def __init__(self, gan):
        self._g_ids = {id(v) for v in gan.generator_trainable_variables}
        self._d_ids = {id(v) for v in gan.discriminator_trainable_variables}
        self._g = gan.g_optimizer
        self._d = gan.d_optimizer

    def __call__(self, variable):
        in_g = id(variable) in self._g_ids
        in_d = id(variable) in self._d_ids
        if in_g and in_d:
            raise ValueError(
                f"Variable {variable.path!r} is shared by the generator and the "
                "discriminator; each trainable variable must belong to one of them."
            )
        if in_g:
            return self._g
        if in_d:
            return self._d
        raise ValueError(
            f"Trainable variable {variable.path!r} belongs neither to the "
            "generator nor to the discriminator. Override "
            "`generator_trainable_variables` / `discriminator_trainable_variables` "
            "to say which network trains it."
        )


def _serialize_optimizer(optimizer):
    """Serializes an optimizer so that it loads under any backend.

    Under torch (and others) an optimizer's class lives in a backend module such
    as `keras.src.backend.torch.optimizers.torch_adam`; such a record would not
    load under another backend, so it is normalized to `keras.optimizers`.
    """
    config = keras.optimizers.serialize(optimizer)
    if isinstance(config, dict) and str(config.get("module", "")).startswith("keras.src.backend."):
        config = dict(config, module="keras.optimizers", registered_name=None)
    return config


@keras.saving.register_keras_serializable(package="keras_gans")
class GAN(keras.Model):
    """A generator and a discriminator trained against each other.

    `GAN` accepts any pair of Keras models: the generator maps a latent batch
    of shape `(batch, latent_dim)` to samples; the discriminator maps samples
    to logits (any shape with the batch first; losses average over the rest).
    It trains with `model.fit(data)` on TensorFlow, JAX and PyTorch alike.

    Each training step runs `n_critic` discriminator updates, then one
    generator update. The same real batch serves every discriminator update of
    a step, with fresh noise each time. Every update differentiates only its
    own network's variables and applies its own optimizer, so a generator step
    never changes the discriminator's weights and the other way round.

    Families change what is trained through small hooks and never touch
    gradients: `sample_latent`, `call_generator`, `call_discriminator`,
    `discriminator_loss`, `generator_loss`, `after_discriminator_step`, and
    `loss_names` (the names of the logged loss terms).

    Args:
        generator: a Keras model from latent vectors to samples.
        discriminator: a Keras model from samples to logits.
        latent_dim: size of the latent vector; read from the generator's
            input when omitted.
        seed: seed of the model's `keras.random.SeedGenerator`, which draws
            all training noise and `generate(n)` noise.

    Example:

    ```python
    gan = keras_gans.GAN(generator, discriminator)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss="non_saturating",
    )
    gan.fit(images, batch_size=64, epochs=10)
    samples = gan.generate(16)
    ```
    """

    default_loss = "non_saturating"
    default_n_critic = 1
    loss_names = ("d_loss", "g_loss")

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        for arg, net in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(net, keras.layers.Layer):
                raise TypeError(
                    f"`{arg}` must be a Keras model or layer; received "
                    f"{type(net).__name__}: {net!r}."
                )
        if generator is discriminator:
            raise ValueError("`generator` and `discriminator` must be two different models.")
        latent_dim = _infer_latent_dim(generator, latent_dim)
        seed = check_seed(seed)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="gan_seed_generator")
        self.loss_trackers = [keras.metrics.Mean(name=n) for n in self.loss_names]
        self._state = _Holder(
            d_optimizer=None,
            g_optimizer=None,
            loss=None,
            loss_config=None,
            n_critic=None,
            label_smoothing=0.0,
            feature_matching=False,
            feature_model=None,
            history=None,
            trackers={t.name: t for t in self.loss_trackers},
            # The seed of the data order (see `fit`); saved with the weights.
            data_seed=seed if seed is not None else int(np.random.SeedSequence().entropy % 2**31),
            on_nonfinite=None,
            ema=None,
            loss_scaling="auto",
            augment=None,
            d_update=None,
            g_update=None,
            # Kept out of Keras tracking (and out of saved files); in `metrics`
            # only while a non-finite policy is on.
            nonfinite_trackers=(
                keras.metrics.Sum(name="skipped_steps"),
                keras.metrics.Sum(name="nonfinite_terms"),
            ),
        )
        self.data_shape = self._build_networks()
        self.built = True

    # ------------------------------------------------------------------ build
    def _build_networks(self):
        """Builds both networks if needed; returns the shape of one sample."""
        outputs = getattr(self.generator, "outputs", None) if self.generator.built else None
        if outputs:
            data_shape = tuple(outputs[0].shape[1:])
        else:
            if not self.generator.built:
                self.generator(ops.zeros((2, self.latent_dim)), training=False)
            spec = self.generator.compute_output_spec(
                keras.KerasTensor((None, self.latent_dim), dtype="float32")
            )
            if isinstance(spec, (list, tuple)):
                spec = spec[0]
            data_shape = tuple(spec.shape[1:])
        if not self.discriminator.built:
            self.discriminator(
                self.generator(ops.zeros((2, self.latent_dim)), training=False),
                training=False,
            )
        return data_shape

    # ---------------------------------------------------------------- compile
    def compile(
        self,
        d_optimizer=None,
        g_optimizer=None,
        loss=None,
        n_critic=None,
        label_smoothing=0.0,
        feature_matching=False,
        historical_averaging=0.0,
        steps_per_execution=1,
        jit_compile="auto",
        run_eagerly=False,
        on_nonfinite=None,
        ema_decay=None,
        loss_scaling="auto",
        augment=None,
        **kwargs,
    ):
        """Configures the GAN for training.

        Args:
            d_optimizer: the discriminator's optimizer (instance, name or
                config); default `Adam(2e-4, beta_1=0.5)`.
            g_optimizer: the generator's optimizer; a different instance from
                `d_optimizer`. Default `Adam(2e-4, beta_1=0.5)`.
            loss: a name from `keras_gans.losses.NAMES` (`"minimax"`,
                `"non_saturating"`, `"wasserstein"`, `"hinge"`,
                `"least_squares"`), a `keras_gans.losses.GANLoss`, or a pair
                of functions `(generator_loss, discriminator_loss)`. Default:
                the family's `default_loss`.
            n_critic: discriminator updates per generator update (>= 1).
                Default: the family's `default_n_critic`.
            label_smoothing: one-sided label smoothing of the real targets,
                in [0, 1) (Salimans et al., 2016).
            feature_matching: train the generator to match the mean
                intermediate features of the real batch instead of fooling the
                discriminator's logits (Salimans et al., 2016). `True` uses the
                discriminator layer named `"features"` (every family names
                its feature layer so), or else the input of its last layer;
                a string names the layer. Needs a functional discriminator.
            historical_averaging: weight of the historical-averaging penalty
                `||theta - mean_t(theta_t)||^2` added to each network's loss,
                where the mean runs over that network's past parameters
                (Salimans et al., 2016). 0 turns it off.
            on_nonfinite: what a step does when a loss term or an updated
                weight is NaN or infinite. `None` (default): nothing, as in
                Keras (`keras.callbacks.TerminateOnNaN` still stops the run).
                `"skip"`: that step's updates are undone inside the compiled
                step (weights, batch-norm statistics and both optimizers'
                slots and counters keep their values from before the step;
                the noise moves on) and `skipped_steps` in the logs counts
                the skipped steps of the epoch. `"raise"`: the same, then
                `fit` stops with `keras_gans.NonFiniteLossError` naming the
                step and the non-finite terms.
            ema_decay: None (default) or a decay in (0, 1): keep an
                exponential moving average of the generator's weights in
                `model.ema_generator`, updated after every generator update
                (`ema = decay * ema + (1 - decay) * w`; see
                `keras_gans.ema`). `generate` then samples with it. Compiling
                again keeps an existing EMA generator's weights.
            loss_scaling: dynamic loss scaling of both networks' losses
                (`keras_gans.mixed_precision`): `"auto"` (default) turns it
                on when the model computes in float16 (the
                `mixed_float16` policy); True / False force it.
            augment: differentiable augmentation of every batch the
                discriminator sees (`keras_gans.augment`): None (default),
                `"diffaugment"` (colour, translation, cutout), `"ada"`
                (the same with ADA's adaptive probability), a policy such
                as `"translation,cutout"`, or a `DiffAugment` / `ADA`
                layer. The loss hooks then see augmented `real` and `fake`
                (gradient penalties included). Images only.
            steps_per_execution, jit_compile, run_eagerly: as in
                `keras.Model.compile`.
        """
        if kwargs:
            hint = ""
            if "optimizer" in kwargs:
                hint = " A GAN takes `d_optimizer` and `g_optimizer` instead of `optimizer`."
            raise TypeError(
                f"GAN.compile() got unexpected arguments {sorted(kwargs)}.{hint} "
                "Valid arguments: d_optimizer, g_optimizer, loss, n_critic, "
                "label_smoothing, feature_matching, historical_averaging, "
                "steps_per_execution, jit_compile, run_eagerly, on_nonfinite, ema_decay, "
                "loss_scaling, augment."
            )
        d_optimizer = _get_optimizer(
            d_optimizer, "d_optimizer", lambda: self.default_optimizer("discriminator")
        )
        g_optimizer = _get_optimizer(
            g_optimizer, "g_optimizer", lambda: self.default_optimizer("generator")
        )
        if d_optimizer is g_optimizer:
            raise ValueError(
                "`d_optimizer` and `g_optimizer` are the same object; each network "
                "needs its own optimizer instance (their slots must not mix)."
            )
        n_critic = self.default_n_critic if n_critic is None else n_critic
        if not _is_int(n_critic) or n_critic < 1:
            raise ValueError(
                f"`n_critic` must be an integer >= 1 (discriminator updates per "
                f"generator update); received {n_critic!r}."
            )
        try:
            label_smoothing = float(label_smoothing)
        except (TypeError, ValueError):
            raise TypeError(
                f"`label_smoothing` must be a number in [0, 1); received {label_smoothing!r}."
            ) from None
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"`label_smoothing` must be in [0, 1); received {label_smoothing!r}.")
        loss = self.default_loss if loss is None else loss
        gan_loss = losses_lib.get(loss)
        if (
            label_smoothing
            and gan_loss.name in losses_lib.NAMES
            and (gan_loss.name not in losses_lib.SMOOTHABLE)
        ):
            raise ValueError(
                f"`label_smoothing` has no meaning for the {gan_loss.name!r} loss; "
                f"use one of {', '.join(losses_lib.SMOOTHABLE)} or label_smoothing=0."
            )
        feature_model = self._feature_model(feature_matching)
        historical_averaging = check_number(historical_averaging, "historical_averaging")
        if on_nonfinite not in NONFINITE_POLICIES:
            raise ValueError(
                f"`on_nonfinite` must be one of None, 'skip', 'raise'; received {on_nonfinite!r}."
            )
        if ema_decay is not None:
            ema_decay = ema_lib.check_decay(ema_decay)
        state = self._state
        state.on_nonfinite = on_nonfinite
        state.feature_matching = feature_matching
        state.feature_model = feature_model
        if historical_averaging:
            self.historical_average = HistoricalAveraging(
                self.generator_trainable_variables + self.discriminator_trainable_variables,
                weight=historical_averaging,
            )
            state.history = self.historical_average
        else:
            if hasattr(self, "historical_average"):
                delattr(self, "historical_average")
            state.history = None
        self._set_ema(ema_decay)
        state.d_optimizer = d_optimizer
        state.g_optimizer = g_optimizer
        state.loss = gan_loss
        state.loss_config = _loss_config(loss, gan_loss)
        state.n_critic = int(n_critic)
        state.label_smoothing = label_smoothing
        self._set_loss_scaling(loss_scaling)
        self._set_augment(augment)
        super().compile(
            optimizer=keras.optimizers.MultiOptimizer(_NetworkRouter(self)),
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
            run_eagerly=run_eagerly,
            auto_scale_loss=False,
        )
        # Create every optimizer variable now: none may be created later inside
        # a stateless scope or a jit trace.
        self.optimizer.build(self.trainable_variables)

    def _set_loss_scaling(self, loss_scaling):
        if loss_scaling not in ("auto", True, False):
            raise ValueError(
                f"`loss_scaling` must be 'auto', True or False; received {loss_scaling!r}."
            )
        state = self._state
        state.loss_scaling = loss_scaling
        on = self.compute_dtype == "float16" if loss_scaling == "auto" else loss_scaling
        if not on:
            for name in ("d_loss_scale", "g_loss_scale"):
                if hasattr(self, name):
                    delattr(self, name)
            state.d_update = state.g_update = None
            return
        if not hasattr(self, "d_loss_scale"):
            self.d_loss_scale = mp_lib.DynamicLossScale(name="d_loss_scale")
            self.g_loss_scale = mp_lib.DynamicLossScale(name="g_loss_scale")
        state.d_update = mp_lib.ScaledUpdate(state.d_optimizer, self.d_loss_scale)
        state.g_update = mp_lib.ScaledUpdate(state.g_optimizer, self.g_loss_scale)

    def _set_augment(self, augment):
        layer = augment_lib.get(augment)
        if layer is not None and len(self.data_shape) != 3:
            raise ValueError(
                "`augment` transforms images (height, width, channels), but this GAN "
                f"makes samples of shape {self.data_shape}."
            )
        if layer is None:
            if hasattr(self, "augmenter"):
                delattr(self, "augmenter")
        elif getattr(self, "augmenter", None) is not layer:
            self.augmenter = layer
        self._state.augment = layer

    @property
    def augment(self):
        """The augmentation layer set by `compile(augment=...)`, or None."""
        return self._state.augment

    def _set_ema(self, decay):
        if decay is None:
            if hasattr(self, "ema_generator"):
                delattr(self, "ema_generator")
            self._state.ema = None
            return
        if not hasattr(self, "ema_generator"):
            self.ema_generator = ema_lib.clone_generator(self.generator)
        self._state.ema = ema_lib.GeneratorEMA(self.generator, self.ema_generator, decay)

    def _feature_model(self, feature_matching):
        if feature_matching is False or feature_matching is None:
            return None
        if not (feature_matching is True or isinstance(feature_matching, str)):
            raise TypeError(
                "`feature_matching` must be True, False or a layer name; received "
                f"{feature_matching!r}."
            )
        d = self.discriminator
        try:
            inputs = d.inputs
        except (AttributeError, ValueError):
            inputs = None
        if not inputs:
            raise ValueError(
                "Feature matching needs a functional or Sequential discriminator with known inputs."
            )
        names = [layer.name for layer in d.layers]
        if feature_matching is True:
            if "features" in names:
                output = d.get_layer("features").output
            else:
                output = d.layers[-1].input
        else:
            if feature_matching not in names:
                raise ValueError(
                    f"`feature_matching`={feature_matching!r} is not a layer of the "
                    f"discriminator; its layers are {names}."
                )
            output = d.get_layer(feature_matching).output
        return keras.Model(inputs, output, name="discriminator_features")

    def default_optimizer(self, network="generator"):
        """The optimizer `compile` uses when given none for `network`.

        `network` is `"generator"` or `"discriminator"`; the base class gives
        both DCGAN's Adam(2e-4, beta_1=0.5).
        """
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def get_compile_config(self):
        if self._state.d_optimizer is None:
            return None
        return {
            "d_optimizer": _serialize_optimizer(self._state.d_optimizer),
            "g_optimizer": _serialize_optimizer(self._state.g_optimizer),
            "loss": self._state.loss_config,
            "n_critic": self._state.n_critic,
            "label_smoothing": self._state.label_smoothing,
            "feature_matching": self._state.feature_matching,
            "historical_averaging": (
                0.0 if self._state.history is None else self._state.history.weight
            ),
            "steps_per_execution": self.steps_per_execution,
            "jit_compile": self.jit_compile,
            "on_nonfinite": self._state.on_nonfinite,
            "ema_decay": self.ema_decay,
            "loss_scaling": self._state.loss_scaling,
            "augment": (
                None
                if self._state.augment is None
                else keras.saving.serialize_keras_object(self._state.augment)
            ),
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        loss = config["loss"]
        if isinstance(loss, dict) and "generator" in loss:
            loss = (
                keras.saving.deserialize_keras_object(loss["generator"]),
                keras.saving.deserialize_keras_object(loss["discriminator"]),
            )
        config["loss"] = loss
        self.compile(**config)

    # ------------------------------------------------------------- properties
    @property
    def d_optimizer(self):
        """The discriminator's optimizer (set by `compile`)."""
        return self._state.d_optimizer

    @property
    def g_optimizer(self):
        """The generator's optimizer (set by `compile`)."""
        return self._state.g_optimizer

    @property
    def gan_loss(self):
        """The `keras_gans.losses.GANLoss` in use (set by `compile`)."""
        return self._state.loss

    @property
    def n_critic(self):
        return self._state.n_critic

    @property
    def label_smoothing(self):
        return self._state.label_smoothing

    @property
    def generator_trainable_variables(self):
        """Variables the generator's optimizer trains."""
        return self.generator.trainable_variables

    @property
    def discriminator_trainable_variables(self):
        """Variables the discriminator's optimizer trains."""
        return self.discriminator.trainable_variables

    @property
    def metrics(self):
        if self._state.on_nonfinite is None:
            return list(self.loss_trackers)
        return list(self.loss_trackers) + list(self._state.nonfinite_trackers)

    @property
    def ema_decay(self):
        """The decay of the generator's EMA (set by `compile`), or None."""
        ema = getattr(self._state, "ema", None)
        return None if ema is None else ema.decay

    @property
    def on_nonfinite(self):
        """The non-finite policy set by `compile` (None, "skip" or "raise")."""
        return self._state.on_nonfinite

    # ------------------------------------------------------------------ hooks
    def sample_latent(self, batch_size):
        """Draws a latent batch from the model's seed generator."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def call_generator(self, z, labels=None, training=False):
        """Runs the generator; conditional families use `labels`."""
        return self.generator(z, training=training)

    def call_discriminator(self, x, labels=None, training=False):
        """Runs the discriminator; conditional families use `labels`.

        Returns the discriminator's whole output (a tensor, or a list for
        networks with extra heads); `discriminator_logits` picks the logits.
        """
        return self.discriminator(x, training=training)

    def discriminator_logits(self, output):
        """The real/fake logits within the discriminator's output."""
        return output

    def discriminator_features(self, x, labels=None, training=False):
        """The discriminator's intermediate features used by feature matching."""
        model = self._state.feature_model
        if model is None:
            raise ValueError(
                "Feature matching is off: pass `feature_matching=True` (or a layer "
                "name) to `compile`."
            )
        inputs = x if labels is None else [x, labels]
        return model(inputs, training=training)

    def discriminator_loss(self, step):
        """The discriminator's loss for one update: a scalar, or `(scalar, {name: term})`.

        `step` is a `StepData` with `real`, `fake`, `labels`, `z`,
        `real_output` and `fake_output`. Extra terms are logged under their
        names, which must be in `loss_names`.
        """
        return self.gan_loss.discriminator(
            self.discriminator_logits(step.real_output),
            self.discriminator_logits(step.fake_output),
            label_smoothing=self.label_smoothing,
        )

    def generator_loss(self, step):
        """The generator's adversarial loss: a scalar, or `(scalar, {name: term})`.

        With feature matching on (see `compile`), the squared distance between
        the mean discriminator features of the real and the fake batch
        replaces the loss on the logits (Salimans et al., 2016).
        """
        if self._state.feature_model is not None:
            return feature_matching_loss(
                self.discriminator_features(step.real, step.labels, training=True),
                self.discriminator_features(step.fake, step.labels, training=True),
            )
        return self.gan_loss.generator(self.discriminator_logits(step.fake_output))

    def after_discriminator_step(self):
        """Runs after every discriminator update (for example weight clipping)."""

    def after_generator_step(self):
        """Runs after every generator update (for example a moving average)."""

    # ------------------------------------------------------------------- step
    def train_step(self, *args):
        return backend.run_train_step(self, *args)

    def test_step(self, *args):
        raise NotImplementedError(
            "A GAN has no validation loss to evaluate: `evaluate()` and "
            "`fit(validation_data=...)` are not supported. Score samples from "
            "`generate()` with keras_gans.metrics instead."
        )

    def unpack_batch(self, data):
        """Splits a batch from `fit` into `(samples, labels or None)`."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if isinstance(x, (list, tuple)):
            if len(x) != 1:
                raise ValueError(
                    f"A GAN trains on one array of samples per batch; received {len(x)} inputs."
                )
            x = x[0]
        return x, y

    def _check_batch(self, real):
        dtype = keras.backend.standardize_dtype(real.dtype)
        if not (
            dtype.startswith("float")
            or dtype.startswith("int")
            or dtype.startswith("uint")
            or dtype.startswith("bfloat")
        ):
            raise TypeError(
                f"Training data must be numeric (float or int); received a batch of dtype {dtype}."
            )
        shape = tuple(real.shape[1:])
        if len(shape) != len(self.data_shape) or any(
            s is not None and d is not None and s != d for s, d in zip(shape, self.data_shape)
        ):
            raise ValueError(
                f"Training samples have shape {shape} but this GAN's generator "
                f"makes samples of shape {self.data_shape}: the data and the "
                "model disagree."
            )

    def gan_train_step(self, data):
        """One GAN update, written once with `keras.ops` for every backend.

        `n_critic` discriminator updates, then one generator update. Returns
        the logs (running means of the loss terms over the epoch).
        """
        real, labels = self.unpack_batch(data)
        self._check_batch(real)
        labels = self.check_step_labels(labels)
        real = ops.cast(real, self.compute_dtype)
        batch_size = ops.shape(real)[0]
        d_vars = self.discriminator_trainable_variables
        g_vars = self.generator_trainable_variables
        history = self._state.history
        augment = self._state.augment
        guarded = self._guarded_variables() if self._state.on_nonfinite else None
        before = None
        if guarded is not None:
            before = [ops.copy(ops.convert_to_tensor(v)) for v in guarded]

        d_total = None
        d_terms = {}
        for _ in range(self.n_critic):
            z = backend.draw_for_replica(self.sample_latent, batch_size)
            # A family's generator may return several tensors (StackGAN's stages).
            fake = keras.tree.map_structure(
                ops.stop_gradient, self.call_generator(z, labels, training=True)
            )

            def d_loss_fn(z=z, fake=fake):
                real_in, fake_in = (
                    (real, fake) if augment is None else (augment(real), augment(fake))
                )
                step = StepData(real_in, labels, z, fake_in)
                step.real_output = self.call_discriminator(real_in, labels, training=True)
                step.fake_output = self.call_discriminator(fake_in, labels, training=True)
                if augment is not None:
                    augment.observe(self.discriminator_logits(step.real_output))
                loss, terms = _split(self.discriminator_loss(step))
                if history is not None:
                    loss = loss + history.penalty(d_vars)
                return loss, terms

            d_loss, terms = backend.minimize(
                d_loss_fn, d_vars, self._state.d_update or self.d_optimizer
            )
            self.after_discriminator_step()
            if history is not None:
                history.update(d_vars)
            d_total = d_loss if d_total is None else d_total + d_loss
            for k, v in terms.items():
                d_terms[k] = v if k not in d_terms else d_terms[k] + v

        z = backend.draw_for_replica(self.sample_latent, batch_size)

        def g_loss_fn():
            fake = self.call_generator(z, labels, training=True)
            real_in = real
            if augment is not None:
                fake = augment(fake)
                if self._state.feature_model is not None:
                    real_in = augment(real)
            step = StepData(real_in, labels, z, fake)
            step.fake_output = self.call_discriminator(step.fake, labels, training=True)
            loss, terms = _split(self.generator_loss(step))
            if history is not None:
                loss = loss + history.penalty(g_vars)
            return loss, terms

        g_loss, g_terms = backend.minimize(
            g_loss_fn, g_vars, self._state.g_update or self.g_optimizer
        )
        self.after_generator_step()
        if self._state.ema is not None:
            self._state.ema.update()
        if history is not None:
            history.update(g_vars)
        self.optimizer.iterations.assign_add(1)

        scale = 1.0 / self.n_critic
        values = {"d_loss": d_total * scale, "g_loss": g_loss}
        values.update({k: v * scale for k, v in d_terms.items()})
        values.update(g_terms)
        return self._record_step(values, guarded, before, d_vars + g_vars)

    def _record_step(self, values, guarded, before, trained):
        """Logs one step's loss terms, or undoes the step if one is not finite.

        `guarded`/`before`: what `_undo_if_nonfinite` restores (None when the
        non-finite policy needs no guard); `trained`: the variables updated.
        """
        # Under tf.distribute / torch.distributed each replica saw its slice of
        # the batch: log the mean over replicas, which is the whole batch's value.
        values = {k: backend.cross_replica_mean(v) for k, v in values.items()}
        trackers = self._state.trackers
        for name in values:
            if name not in trackers:
                raise ValueError(
                    f"Loss term {name!r} is not declared: add it to the class's "
                    f"`loss_names` (now {self.loss_names})."
                )
        if guarded is None:
            for name, value in values.items():
                trackers[name].update_state(value)
            return {t.name: t.result() for t in self.loss_trackers}
        return self._undo_if_nonfinite(values, guarded, before, trained)

    # ------------------------------------------------------- non-finite steps
    def _guarded_variables(self):
        """What a skipped step restores: every weight, statistic and optimizer
        variable (seed generator states excluded: the noise moves on)."""
        seeds = {id(g.state) for g in self._layer_seed_generators()}
        seeds.add(id(self.seed_generator.state))
        found, seen = [], set()
        for v in (
            self.trainable_variables + self.non_trainable_variables + list(self.optimizer.variables)
        ):
            if id(v) not in seen and id(v) not in seeds:
                seen.add(id(v))
                found.append(v)
        return found

    def _undo_if_nonfinite(self, values, guarded, before, trained):
        """Restores the step's variables when a loss term or weight is not finite."""
        names = list(self.loss_names)
        bits = []
        for name, value in values.items():
            finite = ops.all(ops.isfinite(ops.cast(value, "float32")))
            bits.append((names.index(name), finite))
        weights_finite = ops.all(
            ops.stack([ops.all(ops.isfinite(ops.convert_to_tensor(v))) for v in trained])
        )
        bits.append((len(names), weights_finite))
        ok = ops.all(ops.stack([finite for _, finite in bits]))
        code = 0.0
        for index, finite in bits:
            code = code + ops.where(finite, 0.0, float(2**index))
        for v, old in zip(guarded, before):
            v.assign(ops.where(ok, ops.convert_to_tensor(v), old))
        okf = ops.cast(ok, "float32")
        trackers = self._state.trackers
        for name, value in values.items():
            value = ops.cast(value, "float32")
            trackers[name].update_state(
                ops.where(ok, value, ops.zeros_like(value)), sample_weight=okf
            )
        skipped, terms = self._state.nonfinite_trackers
        skipped.update_state(1.0 - okf)
        terms.update_state(code)
        logs = {t.name: t.result() for t in self.loss_trackers}
        logs[skipped.name] = skipped.result()
        if self._state.on_nonfinite == "raise":
            logs[terms.name] = terms.result()
        return logs

    # -------------------------------------------------------------- labels
    def check_step_labels(self, labels):
        """Checks the labels of a training batch; unconditional GANs ignore them."""
        return None

    def check_labels(self, labels, n):
        """Checks `generate`'s `labels` for `n` samples; unconditional GANs take none."""
        if labels is not None:
            raise ValueError(
                f"`labels` was given but {type(self).__name__} is not conditional; leave it out."
            )
        return None

    # -------------------------------------------------------------- sampling
    def call(self, inputs, training=False):
        """Calling the GAN on latent vectors runs the generator."""
        return self.generator(inputs, training=training)

    def generate(self, n=None, z=None, labels=None, batch_size=256, use_ema=None, **latent):
        """Draws samples from the generator, as a numpy array.

        Args:
            n: how many samples; the latent vectors come from the model's
                seed generator.
            z: latent vectors of shape `(m, latent_dim)` to use instead of `n`.
            labels: class labels, for conditional families.
            batch_size: how many samples to generate per call of the generator.
            use_ema: None (default): sample with the EMA generator when the
                model has one (`compile(ema_decay=...)`), else with the
                trained generator; False: the trained generator; True: the
                EMA generator (an error without one).
            **latent: family options of the latent draw (for example InfoGAN's
                fixed codes), passed to `sample_latent`.
        """
        if (n is None) == (z is None):
            raise ValueError("Pass exactly one of `n` (a count) or `z` (latent vectors).")
        batch_size = check_positive_int(batch_size, "batch_size")
        if z is None:
            z = self.sample_latent(check_positive_int(n, "n"), **latent)
        elif latent:
            raise ValueError(
                f"{sorted(latent)} choose how latent vectors are drawn; they "
                "cannot be combined with explicit `z`."
            )
        z = np.asarray(ops.convert_to_numpy(z), dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"`z` must have shape (num_samples, {self.latent_dim}); received shape {z.shape}."
            )
        labels = self.check_labels(labels, len(z))
        outputs = []
        with backend.inference_mode(), self._sampling_generator(use_ema):
            for start in range(0, len(z), batch_size):
                stop = start + batch_size
                out = self.call_generator(
                    z[start:stop], None if labels is None else labels[start:stop], training=False
                )
                outputs.append(ops.convert_to_numpy(out))
        return np.concatenate(outputs, axis=0)

    @contextlib.contextmanager
    def _sampling_generator(self, use_ema):
        """Within this context `self.generator` is the network to sample with.

        With the EMA generator chosen, the attribute points to it for the
        duration (both are tracked already, so no layer list changes), so
        that every family's `call_generator` samples with it unchanged.
        """
        if use_ema not in (None, True, False):
            raise TypeError(f"`use_ema` must be None, True or False; received {use_ema!r}.")
        ema = getattr(self, "ema_generator", None) if self._state.ema is not None else None
        if use_ema and ema is None:
            raise ValueError(
                "`use_ema=True` but this model keeps no EMA generator; compile it "
                "with `ema_decay=` (for example 0.999) to keep one."
            )
        if ema is None or use_ema is False:
            yield
            return
        trained = self.generator
        self.generator = ema
        try:
            yield
        finally:
            self.generator = trained

    def grid_inputs(self, n, seed=0):
        """Fixed inputs for sample grids: `{"z": ..., ["labels": ...]}`.

        Drawn with numpy, so a grid never advances the training noise.
        """
        rng = np.random.default_rng(seed)
        return {"z": rng.standard_normal((n, self.latent_dim)).astype("float32")}

    # ---------------------------------------------------------------- fitting
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=None,
        **kwargs,
    ):
        """Trains the GAN; Keras' `fit`, with a data order fixed by the seed.

        numpy inputs are served as a positional stream
        (`keras_gans.datasets.stream`): with `shuffle=True` pass `p` over
        the data visits it in an order drawn from `(seed, p)`, and epoch `e`
        starts at batch `e * steps_per_epoch` of the stream, so a run resumed
        from a checkpoint sees the same batches as an uninterrupted one.
        Datasets from `keras_gans.datasets.load` follow the same rule.
        """
        if self._state.d_optimizer is None:
            raise RuntimeError("Call `compile()` before `fit()`.")
        if validation_split or validation_data is not None:
            self.test_step()
        streams = []
        if isinstance(x, (np.ndarray, list)):
            x = self._check_array(x, "x")
            arrays = (x,)
            if y is not None:
                y = self._check_labels_array(y, len(x))
                arrays = (x, y)
            if batch_size is None:
                batch_size = 32
            batch_size = check_positive_int(batch_size, "batch_size")
            x = stream_lib.ArrayStream(
                arrays,
                batch_size,
                seed=lambda: self._state.data_seed,
                shuffle=shuffle is None or bool(shuffle),
                infinite=kwargs.get("steps_per_epoch") is not None,
            )
            y, batch_size, shuffle = None, None, False
        elif shuffle is None:
            shuffle = False  # Datasets and PyDatasets keep their own order.
        _check_dataset_dtype(x)
        if x is not None:
            streams = stream_lib.find_positions(x)
        callbacks = [
            _TerminateOnNaNForGAN(c) if type(c) is keras.callbacks.TerminateOnNaN else c
            for c in (callbacks or [])
        ]
        # ResumableCheckpoints run last at each epoch end, after any callback
        # that draws from the model's seed generator (ModeCoverage, Evaluate):
        # the saved state is the state the next epoch starts from.
        callbacks = [c for c in callbacks if not _is_checkpoint(c)] + [
            c for c in callbacks if _is_checkpoint(c)
        ]
        if streams:
            callbacks.append(stream_lib.StreamPosition(streams))
        if self._state.on_nonfinite == "raise":
            callbacks.append(_NonFiniteCheck())
        return super().fit(
            x,
            y,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            shuffle=shuffle,
            **kwargs,
        )

    def _check_labels_array(self, y, n):
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(
                f"`y` has {len(y)} entries but `x` has {n} samples; give one label per sample."
            )
        return y

    def _check_array(self, x, arg):
        try:
            x = np.asarray(x)
        except (TypeError, ValueError) as e:
            raise TypeError(f"`{arg}` could not be read as an array: {e}") from None
        if x.dtype.kind not in "biuf":
            raise TypeError(f"`{arg}` must hold numbers (float or int); received dtype {x.dtype}.")
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(f"`{arg}` is empty (shape {x.shape}); give at least one sample.")
        if tuple(x.shape[1:]) != tuple(self.data_shape):
            raise ValueError(
                f"`{arg}` has samples of shape {tuple(x.shape[1:])} but this GAN's "
                f"generator makes samples of shape {tuple(self.data_shape)}."
            )
        if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
            bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
            raise ValueError(f"`{arg}` contains {bad} NaN or infinite values.")
        return x

    # ---------------------------------------------------------- serialization
    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model (`.keras`), refusing a class that could not be loaded again.

        A subclass of `GAN` must be registered with
        `@keras.saving.register_keras_serializable(package=...)`: `load_model`
        finds classes by their registered name (in safe mode too), and an
        unregistered one would come back as a plain model without its methods.
        """
        cls = type(self)
        if keras.saving.get_registered_name(cls) == cls.__name__:
            raise TypeError(
                f"{cls.__name__} is not registered, so a saved copy could not be loaded "
                "with its methods. Decorate the class with "
                "`@keras.saving.register_keras_serializable(package='your_package')` "
                "and save again (nothing was written)."
            )
        return super().save(filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    _SEED_KEY = "seed_generator_state"
    _DATA_SEED_KEY = "data_seed"

    def _layer_seed_generators(self):
        """The seed generators of every layer inside the GAN, in a fixed order."""
        found, seen = [], {id(self.seed_generator)}
        for layer in self._flatten_layers(include_self=True, recursive=True):
            for generator in getattr(layer, "_seed_generators", []):
                if id(generator) not in seen:
                    seen.add(id(generator))
                    found.append(generator)
        return found

    def _extra_keys(self):
        generators = self._layer_seed_generators()
        return [f"{self._SEED_KEY}_{i + 1}" for i in range(len(generators))], generators

    def save_own_variables(self, store):
        """Saves the GAN's own variables and the state of every seed generator.

        Keras saves neither a `SeedGenerator`'s state (the GAN's training noise,
        and that of every layer with randomness, such as `Dropout`) nor the
        seed of the data order; without them a reloaded or resumed GAN would
        draw other noise, dropout masks and batches than the uninterrupted
        run. Every variable the model tracks is saved: a new layer's weights
        by the layer, its random state here.
        """
        super().save_own_variables(store)
        store[self._SEED_KEY] = ops.convert_to_numpy(self.seed_generator.state)
        for key, generator in zip(*self._extra_keys()):
            store[key] = ops.convert_to_numpy(generator.state)
        store[self._DATA_SEED_KEY] = np.array([self._state.data_seed], dtype="int64")

    def load_own_variables(self, store):
        keys = set(store.keys())
        if self._SEED_KEY in keys:
            self.seed_generator.state.assign(store[self._SEED_KEY])
        extra_keys, generators = self._extra_keys()
        for key, generator in zip(extra_keys, generators):
            if key in keys:
                generator.state.assign(store[key])
        if self._DATA_SEED_KEY in keys:
            self._state.data_seed = int(np.asarray(store[self._DATA_SEED_KEY]).reshape(-1)[0])
        keys = {k for k in keys if not k.startswith(self._SEED_KEY) and k != self._DATA_SEED_KEY}
        own = self._trainable_variables + self._non_trainable_variables
        if len(keys) != len(own):
            raise ValueError(
                f"The file holds {len(keys)} variables for "
                f"{self.name!r} but the model has {len(own)}."
            )
        for i, variable in enumerate(own):
            variable.assign(store[str(i)])

    def get_config(self):
        config = super().get_config()
        family = getattr(self, "_family_config", None)
        if family is not None:
            # A family rebuilds its networks from its own arguments.
            config.update(family)
            config["seed"] = self.seed
            return config
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "latent_dim": self.latent_dim,
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("generator", "discriminator"):
            if isinstance(config.get(key), dict):
                config[key] = keras.saving.deserialize_keras_object(
                    config[key], custom_objects=custom_objects
                )
        return cls(**config)


NONFINITE_POLICIES = (None, "skip", "raise")


class NonFiniteLossError(FloatingPointError):
    """Raised by `fit` under `compile(on_nonfinite="raise")`."""


def describe_nonfinite(code, loss_names):
    """The names of the non-finite terms encoded in `nonfinite_terms`."""
    code = int(round(float(code)))
    names = [n for i, n in enumerate(loss_names) if code & (1 << i)]
    if code & (1 << len(loss_names)):
        names.append("updated weights")
    return names


class _NonFiniteCheck(keras.callbacks.Callback):
    """Stops `fit` at the first skipped step under `on_nonfinite="raise"`."""

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if not logs or float(np.asarray(logs.get("skipped_steps", 0.0))) <= 0:
            return
        names = describe_nonfinite(logs.get("nonfinite_terms", 0.0), self.model.loss_names)
        steps = (self.params or {}).get("steps")
        step = "" if steps is None else f", training step {self._epoch * steps + batch + 1}"
        self.model.stop_training = True
        raise NonFiniteLossError(
            f"Non-finite {', '.join(names) or 'loss'} at epoch {self._epoch + 1}, batch "
            f"{batch + 1}{step}. That step's update was not applied: the weights and "
            "optimizer state are those from before it. compile(on_nonfinite='skip') "
            "skips such steps and trains on."
        )


class _TerminateOnNaNForGAN(keras.callbacks.Callback):
    """Lets `keras.callbacks.TerminateOnNaN` see a GAN's losses.

    `TerminateOnNaN` reads `logs["loss"]`, which a GAN does not log; this
    wrapper shows it the sum of the loss terms (NaN or infinite when any
    term is), so it stops (or raises) as it does for any Keras model.
    """

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def set_model(self, model):
        super().set_model(model)
        self.inner.set_model(model)

    def set_params(self, params):
        super().set_params(params)
        self.inner.set_params(params)

    def on_train_batch_end(self, batch, logs=None):
        logs = dict(logs or {})
        if "loss" not in logs:
            terms = [float(np.asarray(logs[n])) for n in self.model.loss_names if n in logs]
            if terms:
                logs["loss"] = float(np.sum(terms))
        self.inner.on_train_batch_end(batch, logs)


def _is_checkpoint(callback):
    from keras_gans.callbacks.resumable_checkpoint import ResumableCheckpoint

    # Keras' BackupAndRestore keeps the place it was given.
    return isinstance(callback, ResumableCheckpoint)


def _check_dataset_dtype(data):
    """Refuses a `tf.data` input whose samples are not numbers (strings, ...)."""
    spec = getattr(data, "element_spec", None)
    if spec is None:
        return
    first = spec[0] if isinstance(spec, tuple) and spec else spec
    dtype = getattr(first, "dtype", None)
    if dtype is not None and not (dtype.is_floating or dtype.is_integer):
        raise TypeError(
            f"`x` must hold numbers (float or int); received a dataset of {dtype.name} samples."
        )


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _split(result):
    if isinstance(result, (tuple, list)):
        loss, terms = result
        return loss, dict(terms)
    return result, {}


def _get_optimizer(identifier, arg, default):
    if identifier is None:
        return default()
    try:
        return keras.optimizers.get(identifier)
    except (ValueError, TypeError) as e:
        raise ValueError(
            f"`{arg}` must be a Keras optimizer, its name or its config; "
            f"received {identifier!r} ({e})."
        ) from None


def _loss_config(loss, gan_loss):
    if isinstance(loss, str):
        return gan_loss.name
    if gan_loss.name in losses_lib.NAMES and losses_lib.get(gan_loss.name) == gan_loss:
        return gan_loss.name
    return {
        "generator": keras.saving.serialize_keras_object(gan_loss.generator),
        "discriminator": keras.saving.serialize_keras_object(gan_loss.discriminator),
    }


def _infer_latent_dim(generator, latent_dim):
    if latent_dim is None:
        inputs = getattr(generator, "inputs", None)
        try:
            latent_dim = inputs[0].shape[-1] if inputs else None
        except (AttributeError, IndexError, TypeError):
            latent_dim = None
        if latent_dim is None:
            raise ValueError(
                "Could not read `latent_dim` from the generator's input; pass "
                "`latent_dim=` explicitly."
            )
    return check_positive_int(latent_dim, "latent_dim")
