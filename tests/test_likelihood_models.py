"""PixelCNN, PixelRNN and VAE: causality, exact likelihoods, KL, training and saving."""

import math

import keras
import numpy as np
import pytest
from keras import ops
from test_case import TestCase

from keras_gans import datasets, models
from keras_gans.layers import DiagonalBiLSTM, RowLSTM
from keras_gans.layers.diagonal_bilstm import skew, unskew
from keras_gans.layers.masked_conv2d import causal_mask
from keras_gans.models.likelihood import bernoulli_nll
from keras_gans.models.vae import gaussian_kl

SHAPE = (8, 8, 1)

# (id, class, constructor options)
MODELS = [
    ("pixelcnn", models.PixelCNN, {"filters": 4, "num_layers": 2}),
    ("gated_pixelcnn", models.PixelCNN, {"filters": 4, "num_layers": 2, "gated": True}),
    ("pixelrnn", models.PixelRNN, {"units": 4, "num_layers": 1}),
    (
        "pixelrnn_diagonal",
        models.PixelRNN,
        {"units": 4, "num_layers": 1, "kind": "diagonal_bilstm"},
    ),
    ("vae", models.VAE, {"filters": 4, "hidden_units": 8, "latent_dim": 3}),
]
AUTOREGRESSIVE = [m for m in MODELS if m[1] is not models.VAE]


def binary(n=8, shape=SHAPE, seed=0):
    return (np.random.default_rng(seed).random((n, *shape)) > 0.5).astype("float32")


def trainables(model):
    return [np.array(ops.convert_to_numpy(v)) for v in model.trainable_variables]


class TestMasks(TestCase):
    def test_mask_types(self):
        np.testing.assert_array_equal(causal_mask((3, 3), "A"), [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
        np.testing.assert_array_equal(causal_mask((3, 3), "B"), [[1, 1, 1], [1, 1, 0], [0, 0, 0]])
        np.testing.assert_array_equal(causal_mask((3, 3), "V"), [[1, 1, 1], [1, 1, 1], [0, 0, 0]])
        np.testing.assert_array_equal(causal_mask((1, 3), "A"), [[1, 0, 0]])
        with pytest.raises(ValueError, match="mask_type"):
            causal_mask((3, 3), "C")


class TestAutoregressive(TestCase):
    @pytest.mark.parametrize(
        "name, cls, options", AUTOREGRESSIVE, ids=[m[0] for m in AUTOREGRESSIVE]
    )
    def test_receptive_field_is_causal(self, name, cls, options):
        model = cls(image_shape=SHAPE, seed=1, **options)
        height, width, _ = SHAPE
        n = height * width
        x = binary(1)[0]
        # Image i flips every pixel j >= i (raster order).
        batch = np.repeat(x[None], n + 1, axis=0)
        for i in range(n):
            flat = batch[i + 1].reshape(-1)
            flat[i:] = 1.0 - flat[i:]
        out = ops.convert_to_numpy(model(batch))
        assert out.shape == (n + 1, *SHAPE)  # one logit per pixel
        out = out.reshape(n + 1, -1)
        base = out[0]
        for i in range(n):
            np.testing.assert_allclose(
                out[i + 1][: i + 1], base[: i + 1], atol=1e-5, err_msg=f"{name}: pixel {i}"
            )
        # The output depends on earlier pixels: flipping pixel 0 onwards
        # changes the logit of pixel 1.
        assert abs(out[1][1] - base[1]) > 1e-6

    def test_model_call_returns_per_pixel_logits(self):
        model = models.PixelCNN(image_shape=(12, 10, 1), filters=4, num_layers=1, seed=0)
        assert tuple(model(np.zeros((3, 12, 10, 1), "float32")).shape) == (3, 12, 10, 1)

    def test_uniform_model_nll_is_784_ln2(self):
        model = models.PixelCNN(image_shape=(28, 28, 1), filters=2, num_layers=1, seed=0)
        for v in model.logits.weights:
            v.assign(np.zeros(v.shape, "float32"))
        nll = model.nll(binary(3, (28, 28, 1)))
        np.testing.assert_allclose(nll, 28 * 28 * math.log(2.0), rtol=1e-6)
        assert model.bits_per_dim(nll[0]) == pytest.approx(1.0)

    def test_bernoulli_nll_hand_values(self):
        logits = np.array([[0.0, 2.0, -1.0]], "float32")
        x = np.array([[1.0, 0.0, 0.0]], "float32")
        expected = math.log(2.0) + math.log(1 + math.exp(2.0)) + math.log(1 + math.exp(-1.0))
        np.testing.assert_allclose(ops.convert_to_numpy(bernoulli_nll(logits, x)), [expected], 1e-6)

    def test_sample_is_binary_and_seeded(self):
        model = models.PixelCNN(image_shape=(4, 4, 1), filters=2, num_layers=1, seed=0)
        a, b = model.sample(3, seed=5), model.sample(3, seed=5)
        assert a.shape == (3, 4, 4, 1) and set(np.unique(a)) <= {0.0, 1.0}
        np.testing.assert_array_equal(a, b)
        assert set(np.unique(model.generate(2, seed=1))) <= {-1.0, 1.0}

    def test_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match="one-channel"):
            models.PixelCNN(image_shape=(8, 8, 3))
        with pytest.raises(ValueError, match="odd"):
            models.PixelCNN(image_shape=SHAPE, kernel_size=4)
        model = models.PixelCNN(image_shape=SHAPE, filters=2, num_layers=1)
        with pytest.raises(ValueError, match="binary"):
            model.nll(np.full((2, *SHAPE), 0.5))
        with pytest.raises(ValueError, match="own likelihood"):
            model.compile(loss="mse")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def diagonal_bilstm_reference(layer, x):
    """`DiagonalBiLSTM` in float64 numpy, pixel by pixel on the unskewed image.

    Left LSTM: the state at (i, j) comes from the hidden states above (i - 1, j)
    and to the left (i, j - 1) and the cell state to the left; states outside
    the image are zero. Right LSTM: the same on the mirrored image, mirrored
    back, then shifted down one row.
    """
    kernel_in, bias_in, kernel_state, bias_state = (
        np.asarray(ops.convert_to_numpy(w), "float64")
        for w in (
            layer.input_to_state.kernel,
            layer.input_to_state.bias,
            layer.state_kernel,
            layer.state_bias,
        )
    )
    u = layer.units
    gates = np.asarray(x, "float64") @ kernel_in[0, 0] + bias_in
    batch, height, width, _ = x.shape
    outputs = []
    for d in range(2):
        g = gates[..., 4 * u * d : 4 * u * (d + 1)]
        if d == 1:
            g = g[:, :, ::-1]
        h = np.zeros((batch, height + 1, width + 1, u))
        c = np.zeros_like(h)
        for i in range(height):
            for j in range(width):
                z = g[:, i, j] + h[:, i, j + 1] @ kernel_state[d, 0]
                z = z + h[:, i + 1, j] @ kernel_state[d, 1] + bias_state[d]
                i_gate, f_gate, o_gate, cand = np.split(z, 4, axis=-1)
                c[:, i + 1, j + 1] = _sigmoid(f_gate) * c[:, i + 1, j]
                c[:, i + 1, j + 1] += _sigmoid(i_gate) * np.tanh(cand)
                h[:, i + 1, j + 1] = _sigmoid(o_gate) * np.tanh(c[:, i + 1, j + 1])
        outputs.append(h[:, 1:, 1:])
    right = outputs[1][:, :, ::-1]
    right = np.concatenate([np.zeros_like(right[:, :1]), right[:, :-1]], axis=1)
    return outputs[0] + right


def random_diagonal_bilstm(units, input_shape, seed=0, **kwargs):
    """A built layer with normal(0, 1) weights and biases drawn by numpy (the
    same values on every backend)."""
    layer = DiagonalBiLSTM(units, **kwargs)
    layer.build(input_shape)
    rng = np.random.default_rng(seed)
    for w in layer.weights:
        w.assign(rng.normal(size=w.shape).astype("float32"))
    return layer


class TestRowLSTM(TestCase):
    def test_scan_and_unrolled_loop_match_a_numpy_reference(self):
        x = np.random.default_rng(5).normal(size=(2, 4, 5, 2)).astype("float32")
        layer = RowLSTM(
            3, kernel_size=3, kernel_initializer=keras.initializers.RandomNormal(0, 0.5, seed=1)
        )
        out = ops.convert_to_numpy(layer(x))
        unrolled = RowLSTM.from_config({**layer.get_config(), "unroll": True})
        unrolled.build(x.shape)
        unrolled.set_weights(layer.get_weights())
        np.testing.assert_allclose(ops.convert_to_numpy(unrolled(x)), out, atol=1e-5)
        # The recurrence by hand: the masked input gates of every row, plus a
        # width-3 convolution of the row above's hidden state.
        gates_in = ops.convert_to_numpy(layer.input_to_state(x))
        kernel = ops.convert_to_numpy(layer.state_kernel)
        bias = ops.convert_to_numpy(layer.state_bias)
        sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
        h = np.zeros((2, 5, 3), "float32")
        c = np.zeros_like(h)
        expected = []
        for i in range(4):
            padded = np.pad(h, ((0, 0), (1, 1), (0, 0)))
            recurrent = sum(padded[:, k : k + 5] @ kernel[k] for k in range(3))
            i_g, f_g, o_g, g = np.split(gates_in[:, i] + recurrent + bias, 4, axis=-1)
            c = sigmoid(f_g) * c + sigmoid(i_g) * np.tanh(g)
            h = sigmoid(o_g) * np.tanh(c)
            expected.append(h)
        np.testing.assert_allclose(out, np.stack(expected, axis=1), atol=1e-5)
        assert RowLSTM.from_config(layer.get_config()).unroll is False
        with pytest.raises(TypeError, match="unroll"):
            RowLSTM(2, unroll=1)


class TestDiagonalBiLSTM(TestCase):
    def test_skew_moves_row_i_right_by_i_and_unskew_inverts_it(self):
        x = np.arange(1, 2 * 3 * 5 * 2 + 1, dtype="float32").reshape(2, 3, 5, 2)
        skewed = ops.convert_to_numpy(skew(x))
        assert skewed.shape == (2, 3, 7, 2)
        expected = np.zeros((2, 3, 7, 2), "float32")
        for i in range(3):
            expected[:, i, i : i + 5] = x[:, i]
        np.testing.assert_array_equal(skewed, expected)
        np.testing.assert_array_equal(ops.convert_to_numpy(unskew(skewed, 5)), x)

    def test_matches_reference_and_sees_every_earlier_pixel_and_no_later_one(self):
        height, width, n = 4, 5, 20
        x = np.random.default_rng(3).normal(size=(1, height, width, 2)).astype("float32")
        layer = random_diagonal_bilstm(3, x.shape, seed=4)
        # Image j + 1 changes pixel j (raster order), both channels.
        batch = np.repeat(x, n + 1, axis=0)
        for j in range(n):
            batch[j + 1].reshape(n, 2)[j] += 1.0
        out = ops.convert_to_numpy(layer(batch))
        assert out.shape == (n + 1, height, width, 3)
        np.testing.assert_allclose(out, diagonal_bilstm_reference(layer, batch), atol=2e-5)
        out = out.reshape(n + 1, n, -1)
        change = np.abs(out[1:] - out[0]).max(axis=-1).T  # [output i, changed pixel j]
        earlier = np.tril(np.ones((n, n), bool))  # j <= i: the layer's own pixel too
        assert change[~earlier].max() < 1e-6
        # No blind spot: every earlier pixel moves the output, including
        # (0, width - 1) for (height - 1, 0), which only the right LSTM reaches.
        assert change[earlier].min() > 1e-5
        assert change[n - width, width - 1] > 1e-5

    def test_unrolled_loop_matches_reference(self):
        x = np.random.default_rng(1).normal(size=(2, 3, 4, 2)).astype("float32")
        layer = random_diagonal_bilstm(3, x.shape, seed=2, unroll=True)
        out = ops.convert_to_numpy(layer(x))
        np.testing.assert_allclose(out, diagonal_bilstm_reference(layer, x), atol=2e-5)

    def test_config_round_trip_and_arguments(self):
        layer = DiagonalBiLSTM(3, unroll=True, name="d")
        clone = DiagonalBiLSTM.from_config(layer.get_config())
        assert clone.get_config() == layer.get_config() and clone.unroll
        with pytest.raises(ValueError, match="units"):
            DiagonalBiLSTM(0)
        with pytest.raises(TypeError, match="unroll"):
            DiagonalBiLSTM(2, unroll="yes")
        with pytest.raises(ValueError, match="kind"):
            models.PixelRNN(image_shape=SHAPE, kind="diagonal")

    def test_pixelrnn_diagonal_sample_shapes(self):
        model = models.PixelRNN(
            image_shape=(4, 3, 1), units=2, num_layers=1, kind="diagonal_bilstm", seed=0
        )
        assert [type(r).__name__ for r in model.rnns] == ["DiagonalBiLSTM"]
        a = model.sample(3, seed=5)
        assert a.shape == (3, 4, 3, 1) and set(np.unique(a)) <= {0.0, 1.0}
        np.testing.assert_array_equal(a, model.sample(3, seed=5))
        assert model.generate(3, seed=1).shape == (3, 4, 3, 1)


@pytest.fixture(scope="module")
def small_vae():
    return models.VAE(image_shape=SHAPE, filters=2, hidden_units=0, latent_dim=2, seed=0)


class TestVAE(TestCase):
    def test_kl_matches_closed_form(self):
        mean = np.array([[0.0, 0.0], [1.0, -2.0]], "float32")
        sigma = np.array([[1.0, 1.0], [math.e, 0.5]], "float32")
        # KL(N(m, s^2) || N(0, 1)) = log(1/s) + (s^2 + m^2) / 2 - 1/2, per dimension.
        expected = np.sum(np.log(1 / sigma) + (sigma**2 + mean**2) / 2 - 0.5, axis=1)
        got = ops.convert_to_numpy(gaussian_kl(mean, 2 * np.log(sigma)))
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        assert got[0] == pytest.approx(0.0, abs=1e-7)

    def test_training_call_adds_the_posterior_kl(self, small_vae):
        vae = small_vae
        x = binary(4)
        mean, log_var = vae.encode(x)
        vae(x, training=True)
        expected = np.mean(ops.convert_to_numpy(gaussian_kl(mean, log_var)))
        (kl,) = vae.losses
        np.testing.assert_allclose(ops.convert_to_numpy(kl), expected, rtol=1e-5)
        assert expected > 0

    def test_generate_and_reconstruct(self, small_vae):
        vae = small_vae
        out = vae.generate(5, seed=0)
        assert out.shape == (5, *SHAPE) and out.min() >= -1 and out.max() <= 1
        np.testing.assert_array_equal(out, vae.generate(5, seed=0))
        rec = vae.reconstruct(binary(3))
        assert rec.shape == (3, *SHAPE) and rec.min() >= 0 and rec.max() <= 1
        with pytest.raises(ValueError, match="divisible by 4"):
            models.VAE(image_shape=(10, 10, 1))

    def test_generate_from_given_latents(self, small_vae):
        vae = small_vae
        inputs = vae.grid_inputs(4, seed=1)
        assert inputs["z"].shape == (4, vae.latent_dim)
        np.testing.assert_array_equal(inputs["z"], vae.grid_inputs(4, seed=1)["z"])
        out = vae.generate(**inputs)
        np.testing.assert_allclose(out, vae.decode(inputs["z"]) * 2 - 1, atol=1e-6)
        # `generate(n, seed)` draws the same latents with numpy.
        z = np.random.default_rng(7).standard_normal((3, vae.latent_dim)).astype("float32")
        np.testing.assert_allclose(vae.generate(3, seed=7), vae.generate(z=z), atol=1e-6)
        with pytest.raises(ValueError, match="either `n` or `z`"):
            vae.generate(3, z=z)
        with pytest.raises(ValueError, match="shape"):
            vae.generate(z=np.zeros((3, vae.latent_dim + 1)))


class TestBinarize(TestCase):
    def test_binarize(self):
        images = np.array([[0, 255, 128]], dtype="uint8")
        np.testing.assert_array_equal(datasets.binarize(images, "threshold"), [[0, 1, 1]])
        grey = np.full((2000,), 0.25)
        a = datasets.binarize(grey, seed=3)
        np.testing.assert_array_equal(a, datasets.binarize(grey, seed=3))
        assert set(np.unique(a)) == {0.0, 1.0} and abs(a.mean() - 0.25) < 0.05
        with pytest.raises(ValueError, match="method"):
            datasets.binarize(grey, "round")


class TestTrainingAndSaving(TestCase):
    @pytest.mark.parametrize("name, cls, options", MODELS, ids=[m[0] for m in MODELS])
    def test_fit_moves_weights_and_round_trips(self, tmp_path, name, cls, options):
        model = cls(image_shape=SHAPE, seed=2, **options)
        model.compile()
        x = binary(8)
        before = trainables(model)
        logs = model.fit(x, batch_size=8, epochs=1, verbose=0).history
        assert np.isfinite(logs["loss"][-1]) and logs["loss"][-1] > 0
        self.assert_kernels_changed(before, trainables(model), name)

        config = model.get_config()
        clone = cls.from_config(config)
        assert clone.get_config() == config
        assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]

        path = str(tmp_path / f"{name}.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        assert type(loaded) is cls
        np.testing.assert_allclose(
            ops.convert_to_numpy(loaded(x)), ops.convert_to_numpy(model(x)), atol=1e-5
        )
        assert loaded.get_compile_config() == model.get_compile_config()
