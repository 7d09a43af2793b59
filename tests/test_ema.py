"""The EMA generator: closed-form average, untouched training, sampling, saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans.callbacks import ResumableCheckpoint

DECAY = 0.6


def ring(n=32, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def arrays(variables):
    return [np.array(ops.convert_to_numpy(v)) for v in variables]


class RecordGenerator(keras.callbacks.Callback):
    """Records the generator's weights before training and after each step."""

    def __init__(self):
        super().__init__()
        self.trainable = []
        self.all = []

    def _record(self):
        self.trainable.append(arrays(self.model.generator.trainable_variables))
        self.all.append(arrays(self.model.generator.weights))

    def on_train_begin(self, logs=None):
        self._record()

    def on_train_batch_end(self, batch, logs=None):
        self._record()


def small(seed=0, **kwargs):
    return TestCase.small_gan(units=(8,), seed=seed, generator_batch_norm=True, **kwargs)


class TestEMA(TestCase):
    def test_ema_is_the_closed_form_average_and_training_is_untouched(self):
        gan = small()
        gan.compile(ema_decay=DECAY)
        assert not gan.ema_generator.trainable_variables
        assert gan.ema_decay == DECAY
        self.assert_all_close(self.weights(gan.ema_generator), self.weights(gan.generator), 0)
        record = RecordGenerator()
        gan.fit(ring(), batch_size=8, epochs=1, verbose=0, callbacks=[record])
        steps = len(record.trainable) - 1
        assert steps == 4

        # ema_k = d^k w_0 + sum_{i=1..k} (1 - d) d^(k - i) w_i
        expected = [DECAY**steps * w for w in record.trainable[0]]
        for i in range(1, steps + 1):
            coef = (1 - DECAY) * DECAY ** (steps - i)
            expected = [e + coef * w for e, w in zip(expected, record.trainable[i])]
        ema_trainable = [
            e for e, v in zip(gan.ema_generator.weights, gan.generator.weights) if v.trainable
        ]
        self.assert_all_close(arrays(ema_trainable), expected, atol=1e-6)
        # The EMA differs from the last iterate, which it must not overwrite.
        assert not np.allclose(arrays(ema_trainable)[0], record.trainable[-1][0])
        # Batch-norm statistics are copied, not averaged.
        buffers = [
            (e, v)
            for e, v in zip(gan.ema_generator.weights, gan.generator.weights)
            if not v.trainable
        ]
        assert buffers
        self.assert_all_close(
            arrays([e for e, _ in buffers]), arrays([v for _, v in buffers]), atol=0
        )

        # The same run without an EMA trains to the same weights.
        plain = small()
        plain.compile()
        plain.fit(ring(), batch_size=8, epochs=1, verbose=0)
        self.assert_all_close(self.weights(plain.generator), self.weights(gan.generator), 0)
        self.assert_all_close(self.weights(plain.discriminator), self.weights(gan.discriminator), 0)

    def test_generate_chooses_the_network(self):
        gan = small(seed=1)
        gan.compile(ema_decay=0.5)
        gan.fit(ring(), batch_size=8, epochs=1, verbose=0)
        z = np.random.default_rng(0).normal(size=(5, gan.latent_dim)).astype("float32")
        ema_out = ops.convert_to_numpy(gan.ema_generator(z, training=False))
        trained_out = ops.convert_to_numpy(gan.generator(z, training=False))
        assert not np.allclose(ema_out, trained_out)
        np.testing.assert_allclose(gan.generate(z=z), ema_out, atol=1e-6)
        np.testing.assert_allclose(gan.generate(z=z, use_ema=True), ema_out, atol=1e-6)
        np.testing.assert_allclose(gan.generate(z=z, use_ema=False), trained_out, atol=1e-6)
        # Sampling left the model's networks where they were.
        assert gan.generator is not gan.ema_generator
        assert len(gan.generator.trainable_variables) > 0

        plain = small(seed=1)
        plain.compile()
        with pytest.raises(ValueError, match="ema_decay"):
            plain.generate(2, use_ema=True)
        with pytest.raises(TypeError, match="use_ema"):
            gan.generate(2, use_ema="yes")

    @pytest.mark.parametrize("decay", [0, 1, 1.5, -0.1, True, "high", float("nan")])
    def test_bad_decay_is_refused(self, decay):
        gan = small()
        with pytest.raises((ValueError, TypeError), match="ema_decay"):
            gan.compile(ema_decay=decay)

    def test_recompile_keeps_or_drops_the_ema(self):
        gan = small(seed=2)
        gan.compile(ema_decay=0.5)
        gan.fit(ring(), batch_size=8, epochs=1, verbose=0)
        ema = self.weights(gan.ema_generator)
        gan.compile(ema_decay=0.9)
        assert gan.ema_decay == 0.9
        self.assert_all_close(self.weights(gan.ema_generator), ema, atol=0)
        gan.compile()
        assert gan.ema_decay is None and not hasattr(gan, "ema_generator")
        gan.fit(ring(), batch_size=8, epochs=1, verbose=0)

    def test_saved_and_restored_with_the_model_and_checkpoints(self, tmp_path):
        gan = small(seed=3)
        gan.compile(ema_decay=0.7)
        checkpoint = ResumableCheckpoint(str(tmp_path / "ckpt"))
        gan.fit(ring(), batch_size=8, epochs=1, verbose=0, callbacks=[checkpoint])
        ema = self.weights(gan.ema_generator)
        assert not all(np.array_equal(a, b) for a, b in zip(ema, self.weights(gan.generator)))

        path = str(tmp_path / "gan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert loaded.ema_decay == 0.7
        self.assert_all_close(self.weights(loaded.ema_generator), ema, atol=0)
        self.assert_all_close(self.weights(loaded.generator), self.weights(gan.generator), 0)
        z = np.ones((3, gan.latent_dim), "float32")
        np.testing.assert_allclose(loaded.generate(z=z), gan.generate(z=z), atol=1e-6)

        # A fresh process resuming from the checkpoint gets the EMA back.
        resumed = small(seed=3)
        resumed.compile(ema_decay=0.7)
        again = ResumableCheckpoint(str(tmp_path / "ckpt"))
        resumed.fit(ring(), batch_size=8, epochs=1, verbose=0, callbacks=[again])
        assert again.resumed_from == 1
        self.assert_all_close(self.weights(resumed.ema_generator), ema, atol=0)
