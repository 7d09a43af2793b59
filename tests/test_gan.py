import os

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

import keras_gans
from keras_gans import datasets


def ring_data(n=256, seed=0):
    return datasets.ring(n, seed=seed)


class TestTraining(TestCase):
    def test_fit_changes_both_networks(self):
        gan = self.small_gan()
        gan.compile()
        g0, d0 = self.weights(gan.generator), self.weights(gan.discriminator)
        history = gan.fit(ring_data(), batch_size=64, epochs=1, verbose=0)
        self.assert_changed(g0, self.weights(gan.generator), "generator")
        self.assert_changed(d0, self.weights(gan.discriminator), "discriminator")
        assert set(history.history) == {"d_loss", "g_loss"}
        assert all(np.isfinite(v[-1]) for v in history.history.values())

    @pytest.mark.parametrize("frozen", ["generator", "discriminator"])
    def test_each_network_moves_only_through_its_own_optimizer(self, frozen):
        # With a zero learning rate on one side, that side's weights must stay
        # exactly where they were while the other side trains.
        gan = self.small_gan()
        still = keras.optimizers.SGD(learning_rate=0.0)
        moving = keras.optimizers.Adam(1e-2)
        if frozen == "generator":
            gan.compile(g_optimizer=still, d_optimizer=moving)
        else:
            gan.compile(g_optimizer=moving, d_optimizer=still)
        net = getattr(gan, frozen)
        other = gan.discriminator if frozen == "generator" else gan.generator
        before, other_before = self.weights(net), self.weights(other)
        gan.fit(ring_data(), batch_size=64, epochs=1, verbose=0)
        self.assert_unchanged(before, self.weights(net), frozen)
        self.assert_changed(other_before, self.weights(other), "the other network")

    @pytest.mark.parametrize("n_critic", [1, 3])
    def test_n_critic_steps_per_generator_step(self, n_critic):
        gan = self.small_gan()
        gan.compile(n_critic=n_critic)
        gan.fit(ring_data(), batch_size=64, epochs=1, verbose=0)  # 4 steps
        assert int(ops.convert_to_numpy(gan.g_optimizer.iterations)) == 4
        assert int(ops.convert_to_numpy(gan.d_optimizer.iterations)) == 4 * n_critic
        assert int(ops.convert_to_numpy(gan.optimizer.iterations)) == 4

    @pytest.mark.parametrize(
        "loss", ["minimax", "non_saturating", "wasserstein", "hinge", "least_squares"]
    )
    def test_every_named_loss_trains(self, loss):
        gan = self.small_gan()
        gan.compile(loss=loss)
        d0 = self.weights(gan.discriminator)
        history = gan.fit(ring_data(128), batch_size=64, epochs=1, verbose=0)
        assert np.isfinite(history.history["d_loss"][-1])
        self.assert_kernels_changed(d0, self.weights(gan.discriminator), loss)

    def test_custom_loss_pair_is_used(self):
        calls = {}

        def g_loss(fake_logits):
            calls["g"] = True
            return ops.mean(ops.square(fake_logits - 1.0))

        def d_loss(real_logits, fake_logits, label_smoothing=0.0):
            calls["d"] = True
            return ops.mean(ops.square(real_logits - 1.0)) + ops.mean(ops.square(fake_logits))

        gan = self.small_gan()
        gan.compile(loss=(g_loss, d_loss))
        gan.fit(ring_data(64), batch_size=64, epochs=1, verbose=0)
        assert calls == {"g": True, "d": True}

    def test_label_smoothing_changes_the_discriminator_loss(self):
        logs = {}
        for smoothing in (0.0, 0.3):
            gan = self.small_gan(seed=3)
            gan.compile(label_smoothing=smoothing, d_optimizer="sgd", g_optimizer="sgd")
            logs[smoothing] = gan.train_on_batch(ring_data(64), return_dict=True)["d_loss"]
        assert logs[0.3] != pytest.approx(logs[0.0], abs=1e-4)

    def test_fit_accepts_tf_data_and_pydataset(self):
        import tensorflow as tf

        x = ring_data(128)

        class Points(keras.utils.PyDataset):
            def __len__(self):
                return 2

            def __getitem__(self, i):
                return x[i * 64 : (i + 1) * 64]

        for data in (tf.data.Dataset.from_tensor_slices(x).batch(64), Points()):
            gan = self.small_gan()
            gan.compile()
            d0 = self.weights(gan.discriminator)
            gan.fit(data, epochs=1, verbose=0)
            self.assert_changed(d0, self.weights(gan.discriminator), type(data).__name__)

    def test_fit_with_labels_in_the_data_ignores_them(self):
        gan = self.small_gan()
        gan.compile()
        x = ring_data(64)
        history = gan.fit(x, np.zeros(64), batch_size=32, epochs=1, verbose=0)
        assert np.isfinite(history.history["g_loss"][-1])

    def test_generator_batchnorm_statistics_update(self):
        gan = self.small_gan(generator_batch_norm=True)
        gan.compile()
        bn = gan.generator.get_layer("bn_0")
        mean0 = np.array(ops.convert_to_numpy(bn.moving_mean))
        gan.fit(ring_data(128), batch_size=64, epochs=1, verbose=0)
        assert not np.allclose(mean0, ops.convert_to_numpy(bn.moving_mean))


class TestCallbacks(TestCase):
    def test_keras_callbacks(self, tmp_path):
        gan = self.small_gan()
        gan.compile()
        ckpt = str(tmp_path / "ckpt_{epoch}.weights.h5")
        callbacks = [
            keras.callbacks.ModelCheckpoint(
                ckpt, save_weights_only=True, monitor="g_loss", mode="min"
            ),
            keras.callbacks.BackupAndRestore(str(tmp_path / "backup")),
            keras.callbacks.TensorBoard(str(tmp_path / "tb")),
            keras.callbacks.TerminateOnNaN(),
        ]
        gan.fit(ring_data(128), batch_size=64, epochs=2, verbose=1, callbacks=callbacks)
        assert os.path.exists(tmp_path / "ckpt_2.weights.h5")
        assert os.listdir(tmp_path / "tb")
        restored = self.small_gan()
        restored.load_weights(str(tmp_path / "ckpt_2.weights.h5"))
        self.assert_all_close(self.weights(gan.generator), self.weights(restored.generator))

    def test_backup_and_restore_resumes_from_the_last_epoch(self, tmp_path):
        class Interrupt(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch == 1:
                    raise RuntimeError("interrupted")

        backup = str(tmp_path / "backup")
        gan = self.small_gan()
        gan.compile()
        with pytest.raises(RuntimeError, match="interrupted"):
            gan.fit(
                ring_data(128),
                batch_size=64,
                epochs=4,
                verbose=0,
                callbacks=[keras.callbacks.BackupAndRestore(backup), Interrupt()],
            )
        resumed = self.small_gan()
        resumed.compile()
        history = resumed.fit(
            ring_data(128),
            batch_size=64,
            epochs=4,
            verbose=0,
            callbacks=[keras.callbacks.BackupAndRestore(backup)],
        )
        assert len(history.history["d_loss"]) == 2  # epochs 3 and 4 only
        assert int(ops.convert_to_numpy(resumed.g_optimizer.iterations)) == 8


class TestGenerate(TestCase):
    def test_generate_n_and_z(self):
        gan = self.small_gan(latent_dim=3)
        samples = gan.generate(10, batch_size=4)
        assert samples.shape == (10, 2) and samples.dtype == np.float32
        z = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")
        np.testing.assert_allclose(gan.generate(z=z), gan.generate(z=z))
        np.testing.assert_allclose(
            gan.generate(z=z), ops.convert_to_numpy(gan.generator(z)), atol=1e-6
        )
        np.testing.assert_allclose(gan.predict(z, verbose=0), gan.generate(z=z), atol=1e-6)

    def test_generate_draws_fresh_noise_each_call(self):
        gan = self.small_gan()
        assert not np.allclose(gan.generate(4), gan.generate(4))

    def test_seed_makes_the_model_reproducible(self):
        a = self.small_gan(seed=7)
        b = self.small_gan(seed=7)
        self.assert_all_close(self.weights(a), self.weights(b), atol=0)
        np.testing.assert_allclose(a.generate(6), b.generate(6), atol=1e-6)
        c = self.small_gan(seed=8)
        assert not np.allclose(self.weights(a)[0], self.weights(c)[0])

    @pytest.mark.parametrize(
        "kwargs,error,match",
        [
            ({}, ValueError, "exactly one"),
            ({"n": 3, "z": np.zeros((3, 4))}, ValueError, "exactly one"),
            ({"n": 0}, ValueError, "`n` must be a positive integer"),
            ({"n": 2.5}, ValueError, "`n` must be a positive integer"),
            ({"z": np.zeros((3, 5))}, ValueError, r"shape \(num_samples, 4\)"),
            ({"n": 3, "batch_size": 0}, ValueError, "`batch_size`"),
        ],
    )
    def test_generate_bad_arguments(self, kwargs, error, match):
        gan = self.small_gan()
        with pytest.raises(error, match=match):
            gan.generate(**kwargs)


class TestBadInput(TestCase):
    def compiled(self):
        gan = self.small_gan()
        gan.compile()
        return gan

    def test_wrong_sample_shape(self):
        with pytest.raises(ValueError, match=r"samples of shape \(3,\).*\(2,\)"):
            self.compiled().fit(np.zeros((64, 3), "float32"), verbose=0)

    def test_wrong_sample_shape_in_a_dataset(self):
        import tensorflow as tf

        data = tf.data.Dataset.from_tensor_slices(np.zeros((64, 5), "float32")).batch(32)
        with pytest.raises(ValueError, match=r"shape \(5,\).*\(2,\)"):
            self.compiled().fit(data, verbose=0)

    def test_non_numeric_data(self):
        with pytest.raises(TypeError, match="must hold numbers"):
            self.compiled().fit(np.array([["a", "b"]] * 8), verbose=0)

    def test_non_finite_data(self):
        x = ring_data(64)
        x[3, 1] = np.nan
        with pytest.raises(ValueError, match="1 NaN or infinite"):
            self.compiled().fit(x, verbose=0)

    def test_empty_data(self):
        with pytest.raises(ValueError, match="empty"):
            self.compiled().fit(np.zeros((0, 2), "float32"), verbose=0)

    def test_unknown_loss_lists_valid_names(self):
        with pytest.raises(ValueError) as e:
            self.small_gan().compile(loss="wgan")
        for name in keras_gans.losses.NAMES:
            assert name in str(e.value)

    @pytest.mark.parametrize("n_critic", [0, -1, 1.5, True, "5"])
    def test_bad_n_critic(self, n_critic):
        with pytest.raises(ValueError, match="n_critic"):
            self.small_gan().compile(n_critic=n_critic)

    def test_compile_rejects_a_single_optimizer(self):
        with pytest.raises(TypeError, match="d_optimizer` and `g_optimizer` instead"):
            self.small_gan().compile(optimizer="adam")

    def test_compile_rejects_a_shared_optimizer(self):
        opt = keras.optimizers.Adam()
        with pytest.raises(ValueError, match="same object"):
            self.small_gan().compile(d_optimizer=opt, g_optimizer=opt)

    def test_bad_optimizer_and_smoothing(self):
        with pytest.raises(ValueError, match="d_optimizer"):
            self.small_gan().compile(d_optimizer="not-an-optimizer")
        with pytest.raises(ValueError, match="label_smoothing"):
            self.small_gan().compile(label_smoothing=1.5)
        with pytest.raises(ValueError, match="label_smoothing"):
            self.small_gan().compile(loss="wasserstein", label_smoothing=0.1)

    def test_fit_before_compile(self):
        with pytest.raises(RuntimeError, match="compile"):
            self.small_gan().fit(ring_data(64), verbose=0)

    def test_evaluate_is_refused_clearly(self):
        gan = self.compiled()
        with pytest.raises(NotImplementedError, match="no validation loss"):
            gan.evaluate(ring_data(64), verbose=0)

    @pytest.mark.parametrize(
        "kwargs,match",
        [
            ({"data_dim": 0}, "data_dim"),
            ({"data_dim": "2"}, "data_dim"),
            ({"latent_dim": -3}, "latent_dim"),
            ({"generator_units": (16, 0)}, "generator_units"),
            ({"seed": -1}, "seed"),
        ],
    )
    def test_bad_constructor_arguments(self, kwargs, match):
        args = {"data_dim": 2, **kwargs}
        with pytest.raises(ValueError, match=match):
            keras_gans.VanillaGAN(**args)

    def test_gan_needs_two_models(self):
        g = (
            keras_gans.vanilla_generator(4, 2)
            if hasattr(keras_gans, "vanilla_generator")
            else (keras_gans.models.vanilla_generator(4, 2))
        )
        with pytest.raises(TypeError, match="discriminator"):
            keras_gans.GAN(g, "not a model")
        with pytest.raises(ValueError, match="two different models"):
            keras_gans.GAN(g, g)


class TestCustomPair(TestCase):
    def test_any_pair_of_models_trains(self):
        generator = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
        )
        discriminator = keras.Sequential(
            [keras.Input((2,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)]
        )
        gan = keras_gans.GAN(generator, discriminator, seed=1)
        assert gan.latent_dim == 3 and gan.data_shape == (2,)
        gan.compile(loss="hinge", n_critic=2)
        d0 = self.weights(discriminator)
        gan.fit(ring_data(64), batch_size=32, epochs=1, verbose=0)
        self.assert_kernels_changed(d0, self.weights(discriminator), "discriminator")

    def test_subclassed_unbuilt_models(self):
        class G(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.dense = keras.layers.Dense(2)

            def call(self, z):
                return self.dense(z)

        class D(keras.Model):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.dense = keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

        gan = keras_gans.GAN(G(), D(), latent_dim=5)
        assert gan.data_shape == (2,)
        gan.compile()
        gan.fit(ring_data(64), batch_size=32, epochs=1, verbose=0)
        assert gan.generate(3).shape == (3, 2)
