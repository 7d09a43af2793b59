"""CycleGAN and DiscoGAN: networks, the cycle loss, a training step, saving."""

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import models
from keras_gans.models.cyclegan import cycle_loss
from keras_gans.models.discogan.discogan import discogan_discriminator, discogan_generator
from keras_gans.models.image_to_image import patchgan_discriminator, resnet_generator

SMALL = dict(generator_filters=4, discriminator_filters=4, seed=5)


def batch(n, shape, seed):
    return np.random.default_rng(seed).uniform(-1, 1, (n, *shape)).astype("float32")


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


class TestTwoWayNetworks(TestCase):
    @pytest.mark.parametrize("size", [8, 16])
    def test_shapes_and_ranges(self, size):
        x = batch(2, (size, size, 3), 0) * 30
        for g in (
            resnet_generator((size, size, 3), filters=4, num_blocks=1, seed=0),
            discogan_generator((size, size, 3), filters=4, seed=0),
        ):
            y = g.predict_on_batch(x)  # one compiled call (eager JAX is slow)
            assert y.shape == (2, size, size, 3) and np.all(np.abs(y) <= 1), g.name
        patch = patchgan_discriminator((size, size, 3), filters=4).predict_on_batch(x)
        assert patch.shape == (2, max(size // 8, 1), max(size // 8, 1), 1)
        single = discogan_discriminator((size, size, 3), filters=4).predict_on_batch(x)
        assert single.shape == (2, 1) and np.isfinite(single).all()

    def test_cycle_loss(self):
        a, b = batch(3, (4, 4, 3), 0), batch(3, (4, 4, 3), 1)
        identity = lambda x: x
        assert float(cycle_loss(a, b, identity, identity)) == 0.0
        # x -> x / 2 both ways: the cycle gives x / 4, off by 3|x| / 4.
        half = lambda x: x * 0.5
        expected = 0.75 * (np.abs(a).mean() + np.abs(b).mean())
        np.testing.assert_allclose(float(cycle_loss(a, b, half, half)), expected, rtol=1e-5)
        net = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Identity()])
        assert float(cycle_loss(a, b, net, net)) == 0.0


class TestCycleGAN(TestCase):
    @pytest.mark.parametrize(
        "cls, options",
        [
            # One stride-2 layer: instance norm over a 1x1 map would zero everything.
            pytest.param(
                models.CycleGAN,
                dict(num_blocks=1, pool_size=3, discriminator_layers=1),
                marks=pytest.mark.large,  # ~40 s under JAX: four networks to compile
            ),
            (models.DiscoGAN, dict()),
        ],
        ids=["cyclegan", "discogan"],
    )
    def test_fit_moves_all_four_networks_and_saves(self, tmp_path, cls, options):
        gan = cls(image_shape=(8, 8, 3), **SMALL, **options)
        gan.compile()
        a, b = batch(4, (8, 8, 3), 0), batch(4, (8, 8, 3), 1)
        nets = [gan.generator_ab, gan.generator_ba, gan.discriminator_a, gan.discriminator_b]
        before = [trainables(n) for n in nets]
        logs = gan.fit(a, b, batch_size=4, epochs=1, verbose=0).history
        assert set(logs) == set(gan.loss_names)
        assert all(np.isfinite(v[-1]) for v in logs.values())
        for net, old in zip(nets, before):
            self.assert_kernels_changed(old, trainables(net), net.name)
        if cls is models.CycleGAN:
            assert float(ops.convert_to_numpy(gan.pool_a.count)) == 3.0  # filled, capped
        out = gan.translate(a, direction="b_to_a")
        assert out.shape == a.shape and np.all(np.abs(out) <= 1)
        uint8 = np.round((b + 1) * 127.5).astype("uint8")
        assert gan.reconstruct(uint8, direction="b_to_a").dtype == np.uint8
        with pytest.raises(ValueError, match="direction"):
            gan.translate(a, direction="sideways")

        config = gan.get_config()
        assert cls.from_config(config).get_config() == config
        path = str(tmp_path / "two_way.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is cls
        for direction in ("a_to_b", "b_to_a"):
            np.testing.assert_allclose(
                loaded.translate(a, direction=direction),
                gan.translate(a, direction=direction),
                atol=1e-5,
            )
        if cls is models.CycleGAN:
            np.testing.assert_array_equal(
                ops.convert_to_numpy(loaded.pool_b.images), ops.convert_to_numpy(gan.pool_b.images)
            )

    def test_unet_option_and_errors(self):
        gan = models.CycleGAN(image_shape=(8, 8, 1), generator="unet", **SMALL)
        assert any(la.__class__.__name__ == "Concatenate" for la in gan.generator_ba.layers)
        with pytest.raises(ValueError, match="resnet"):
            models.CycleGAN(image_shape=(8, 8, 1), generator="vgg", **SMALL)
        with pytest.raises(ValueError, match="cycle_weight"):
            models.CycleGAN(image_shape=(8, 8, 1), cycle_weight=-2, **SMALL)
        with pytest.raises(ValueError, match="pool_size"):
            models.CycleGAN(image_shape=(8, 8, 1), pool_size=-1, **SMALL)
        with pytest.raises(TypeError, match="pool_size"):
            models.DiscoGAN(image_shape=(8, 8, 1), pool_size=5, **SMALL)
