"""The image GAN families: build, train a step, shapes, ranges, saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans import models

SMALL = dict(generator_filters=4, discriminator_filters=4, seed=3)

# (id, class, constructor options, compile options)
FAMILIES = [
    ("dcgan", models.DCGAN, {}, {}),
    ("cgan", models.ConditionalGAN, {"num_classes": 3}, {}),
    ("wgan", models.WGAN, {}, {"n_critic": 2}),
    ("wgan_gp", models.WGANGP, {}, {"n_critic": 2}),
    ("infogan", models.InfoGAN, {"num_categories": 3, "num_continuous": 2, "noise_dim": 5}, {}),
    (
        "dcgan_improved",
        models.DCGAN,
        {
            "generator_normalization": "virtual",
            "reference_size": 4,
            "minibatch_discrimination": 6,
            "upsampling": "resize",
        },
        {"feature_matching": True, "historical_averaging": 0.01, "label_smoothing": 0.1},
    ),
]


def images(n=8, shape=(16, 16, 1), seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


class TestFamilies(TestCase):
    @pytest.mark.parametrize(
        "name, cls, options, compile_options", FAMILIES, ids=[f[0] for f in FAMILIES]
    )
    def test_trains_saves_and_reloads(self, tmp_path, name, cls, options, compile_options):
        gan = cls(image_shape=(8, 8, 1), **SMALL, **options)
        gan.compile(**compile_options)
        x = images(shape=(8, 8, 1))
        y = np.arange(8) % 3 if gan.conditional else None
        g_before, d_before = trainables(gan.generator), trainables(gan.discriminator)
        logs = gan.fit(x, y, batch_size=8, epochs=1, verbose=0).history
        assert all(np.isfinite(v[-1]) for v in logs.values()), logs
        assert set(logs) == set(gan.loss_names)
        self.assert_kernels_changed(g_before, trainables(gan.generator), f"{name} generator")
        self.assert_kernels_changed(d_before, trainables(gan.discriminator), f"{name} critic")

        out = gan.generate(5)
        assert out.shape == (5, 8, 8, 1) and out.dtype == np.float32
        assert np.all(np.abs(out) <= 1.0) and np.isfinite(out).all()

        config = gan.get_config()
        clone = cls.from_config(config)
        assert clone.get_config() == config
        for net in ("generator", "discriminator"):
            shapes = [w.shape for w in getattr(gan, net).weights]
            assert [w.shape for w in getattr(clone, net).weights] == shapes

        path = str(tmp_path / f"{name}.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is cls
        inputs = gan.grid_inputs(6, seed=1)
        np.testing.assert_allclose(loaded.generate(**inputs), gan.generate(**inputs), atol=1e-5)
        assert loaded.get_compile_config() == gan.get_compile_config()

    @pytest.mark.parametrize(
        "cls, shape, first_maps",
        [
            (models.DCGAN, (28, 28, 1), (7, 7, 128)),
            (models.DCGAN, (32, 32, 3), (4, 4, 256)),
            (models.WGANGP, (32, 32, 1), (4, 4, 256)),
        ],
    )
    def test_shapes_and_range_per_resolution(self, cls, shape, first_maps):
        gan = cls(image_shape=shape, seed=0)
        project = gan.generator.get_layer("project")
        assert project.units == int(np.prod(first_maps))
        out = gan.generate(2)
        assert out.shape == (2, *shape)
        assert np.all(np.abs(out) <= 1.0)
        logits = gan.discriminator(out)
        assert tuple(logits.shape) == (2, 1)

    def test_lsun_configuration_is_the_papers(self):
        g = models.dcgan_generator(100, (64, 64, 3))
        maps = [
            tuple(layer.output.shape[1:])
            for layer in g.layers
            if isinstance(layer, (keras.layers.Reshape, keras.layers.Conv2DTranspose))
        ]
        assert maps == [(4, 4, 1024), (8, 8, 512), (16, 16, 256), (32, 32, 128), (64, 64, 3)]
        d = models.dcgan_discriminator((64, 64, 3))
        convs = [
            tuple(layer.output.shape[1:])
            for layer in d.layers
            if isinstance(layer, keras.layers.Conv2D)
        ]
        assert convs == [(32, 32, 128), (16, 16, 256), (8, 8, 512), (4, 4, 1024)]
        # No pooling, no hidden dense layer, BatchNorm on every D layer but the first.
        kinds = {type(layer).__name__ for layer in g.layers + d.layers}
        assert not any("Pool" in k for k in kinds)
        assert [type(la).__name__ for la in d.layers].count("BatchNormalization") == 3
        assert [la.name for la in d.layers if isinstance(la, keras.layers.Dense)] == ["logits"]

    def test_bad_arguments_name_themselves(self):
        with pytest.raises(ValueError, match="image_shape"):
            models.DCGAN(image_shape=(28, 28))
        with pytest.raises(ValueError, match="cannot be halved"):
            models.DCGAN(image_shape=(7, 7, 1))
        with pytest.raises(ValueError, match="upsampling"):
            models.DCGAN(upsampling="bilinear")
        with pytest.raises(ValueError, match="clip_value"):
            models.WGAN(clip_value=-1)
        with pytest.raises(ValueError, match="batch normalization"):
            models.WGANGP(discriminator_normalization="batch")
        with pytest.raises(ValueError, match="num_classes"):
            models.ConditionalGAN(num_classes=0)
        with pytest.raises(ValueError, match="latent_dim"):
            models.InfoGAN(latent_dim=10)


class TestWGAN(TestCase):
    def test_every_critic_weight_within_the_clip_after_a_step(self):
        gan = models.WGAN(image_shape=(8, 8, 1), clip_value=0.005, **SMALL)
        gan.compile(d_optimizer=keras.optimizers.RMSprop(0.1), n_critic=2)
        before = self.weights(gan.discriminator)
        gan.fit(images(shape=(8, 8, 1)), batch_size=8, epochs=1, verbose=0)
        after = self.weights(gan.discriminator)
        for v in gan.discriminator.trainable_variables:
            value = ops.convert_to_numpy(v)
            assert np.max(np.abs(value)) <= 0.005 + 1e-9, v.path
        # With a large learning rate the clip is reached, not avoided.
        assert any(np.isclose(np.abs(w).max(), 0.005) for w in after if w.ndim > 1)
        self.assert_kernels_changed(before, after)


class LinearCriticGP(keras_gans.GAN):
    """WGAN-GP's critic loss (the penalty WGANGP adds), on any critic."""

    loss_names = ("d_loss", "g_loss", "gp")

    def discriminator_loss(self, step):
        def critic(x):
            return self.call_discriminator(x, training=True)

        gp = keras_gans.regularizers.gradient_penalty(
            critic, step.real, step.fake, self.seed_generator
        )
        return super().discriminator_loss(step) + 10.0 * gp, {"gp": gp}


class TestGradientPenalty(TestCase):
    def test_penalty_of_a_linear_critic_is_hand_computed(self):
        # C(x) = sum(w * x) + b has input gradient w for every sample, so the
        # penalty is (||w|| - 1)^2 whatever the interpolates.
        generator = keras.Sequential(
            [keras.Input((2,)), keras.layers.Dense(12), keras.layers.Reshape((2, 2, 3))]
        )
        critic = keras.Sequential(
            [keras.Input((2, 2, 3)), keras.layers.Flatten(), keras.layers.Dense(1)]
        )
        w = np.linspace(-0.5, 0.6, 12).reshape(12, 1).astype("float32")
        critic.layers[-1].kernel.assign(w)
        gan = LinearCriticGP(generator, critic, seed=0)
        gan.compile(
            loss="wasserstein",
            d_optimizer=keras.optimizers.SGD(0.0),
            g_optimizer=keras.optimizers.SGD(0.0),
        )
        logs = gan.train_on_batch(images(4, (2, 2, 3)), return_dict=True)
        expected = (np.linalg.norm(w) - 1.0) ** 2
        np.testing.assert_allclose(float(logs["gp"]), expected, rtol=1e-5)


class TestConditional(TestCase):
    def test_labels_steer_the_generator_and_are_checked(self):
        gan = models.ConditionalGAN(image_shape=(16, 16, 1), num_classes=4, **SMALL)
        z = np.random.default_rng(0).standard_normal((4, gan.latent_dim)).astype("float32")
        a = gan.generate(z=z, labels=[0, 0, 0, 0])
        b = gan.generate(z=z, labels=3)
        assert not np.allclose(a, b)
        np.testing.assert_allclose(gan.generate(z=z, labels=np.zeros(4, "int64")), a, atol=1e-6)
        np.testing.assert_array_equal(gan.check_labels(None, 6), [0, 1, 2, 3, 0, 1])
        with pytest.raises(ValueError, match=r"\[0, 4\)"):
            gan.generate(2, labels=[0, 4])
        with pytest.raises(ValueError, match="one label per sample"):
            gan.generate(3, labels=[0, 1])
        with pytest.raises(ValueError, match=r"\[0, 4\)"):
            gan.compile()
            gan.fit(images(), np.arange(8), batch_size=8, verbose=0)

    def test_unlabelled_data_is_refused(self):
        gan = models.ConditionalGAN(image_shape=(16, 16, 1), num_classes=4, **SMALL)
        gan.compile()
        with pytest.raises(ValueError, match="no labels"):
            gan.fit(images(), batch_size=8, verbose=0)

    def test_unconditional_generate_refuses_labels(self):
        gan = models.DCGAN(image_shape=(16, 16, 1), **SMALL)
        with pytest.raises(ValueError, match="not conditional"):
            gan.generate(2, labels=[0, 1])


class TestInfoGAN(TestCase):
    def test_latent_codes_can_be_fixed(self):
        gan = models.InfoGAN(
            image_shape=(16, 16, 1), num_categories=4, num_continuous=2, noise_dim=3, **SMALL
        )
        assert gan.latent_dim == 9
        z = ops.convert_to_numpy(gan.sample_latent(5, categories=2, continuous=[0.5, -0.25]))
        noise, cat, cont = (np.asarray(p) for p in gan.split_latent(z))
        assert noise.shape == (5, 3)
        np.testing.assert_array_equal(cat, np.eye(4)[[2] * 5])
        np.testing.assert_array_equal(cont, [[0.5, -0.25]] * 5)
        drawn = ops.convert_to_numpy(gan.sample_latent(2000))
        _, cat, cont = gan.split_latent(drawn)
        assert np.all(np.asarray(cat).sum(axis=1) == 1)
        counts = np.asarray(cat).sum(axis=0)
        assert counts.min() > 400  # uniform over 4 values
        assert np.abs(np.asarray(cont)).max() <= 1.0
        with pytest.raises(ValueError, match="categories"):
            gan.generate(2, categories=4)
        images_of_category = gan.generate(3, categories=1)
        assert images_of_category.shape == (3, 16, 16, 1)

    def test_q_head_shares_the_discriminator_body(self):
        gan = models.InfoGAN(image_shape=(16, 16, 1), **SMALL)
        logits, q = gan.discriminator(images(2))
        assert tuple(logits.shape) == (2, 1) and tuple(q.shape) == (2, 12)
        # Both heads read the same "features" layer, trained by the D optimizer.
        features = gan.discriminator.get_layer("features").output
        heads = [la for la in gan.discriminator.layers if la.name in ("logits",)]
        assert heads and heads[0].input is features

    def test_info_loss_is_the_mutual_information_bound(self):
        gan = models.InfoGAN(
            image_shape=(16, 16, 1), num_categories=3, num_continuous=1, noise_dim=2, **SMALL
        )
        z = np.array([[0, 0, 0, 1, 0, 0.5], [0, 0, 1, 0, 0, -0.5]], "float32")
        q = np.array([[0.0, 2.0, 0.0, 0.25], [1.0, 0.0, 0.0, 0.0]], "float32")
        log_softmax = q[:, :3] - np.log(np.exp(q[:, :3]).sum(axis=1, keepdims=True))
        ce = -np.mean([log_softmax[0, 1], log_softmax[1, 0]])
        gauss = np.mean(0.5 * (np.array([0.5, -0.5]) - q[:, 3]) ** 2)
        np.testing.assert_allclose(float(gan.info_loss(z, q)), ce + gauss, rtol=1e-5)
