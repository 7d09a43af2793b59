import math

import numpy as np
import pytest
from keras import ops

from keras_gans import losses

R = np.array([2.0, -1.0, 0.5], dtype="float32")  # real logits
F = np.array([-3.0, 0.0, 1.5], dtype="float32")  # fake logits


def softplus(x):
    return np.log1p(np.exp(x))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# Hand-computed from the definitions (D = sigmoid(logit)), not from the code.
BCE_D = np.mean(-np.log(sigmoid(R))) + np.mean(-np.log(1 - sigmoid(F)))
D_CASES = [
    ("minimax", 0.0, BCE_D),
    ("non_saturating", 0.0, BCE_D),
    (
        "minimax",
        0.1,
        np.mean(-0.9 * np.log(sigmoid(R)) - 0.1 * np.log(1 - sigmoid(R)))
        + np.mean(-np.log(1 - sigmoid(F))),
    ),
    ("wasserstein", 0.0, np.mean(F) - np.mean(R)),
    ("hinge", 0.0, np.mean(np.maximum(0, 1 - R)) + np.mean(np.maximum(0, 1 + F))),
    ("least_squares", 0.0, 0.5 * np.mean((R - 1) ** 2) + 0.5 * np.mean(F**2)),
    ("least_squares", 0.2, 0.5 * np.mean((R - 0.8) ** 2) + 0.5 * np.mean(F**2)),
]
G_CASES = [
    ("minimax", np.mean(np.log(1 - sigmoid(F)))),
    ("non_saturating", np.mean(-np.log(sigmoid(F)))),
    ("wasserstein", -np.mean(F)),
    ("hinge", -np.mean(F)),
    ("least_squares", 0.5 * np.mean((F - 1) ** 2)),
]


@pytest.mark.parametrize("name,smoothing,expected", D_CASES)
def test_discriminator_losses(name, smoothing, expected):
    value = losses.get(name).discriminator(R, F, label_smoothing=smoothing)
    np.testing.assert_allclose(float(ops.convert_to_numpy(value)), expected, rtol=1e-6)


@pytest.mark.parametrize("name,expected", G_CASES)
def test_generator_losses(name, expected):
    value = losses.get(name).generator(F)
    np.testing.assert_allclose(float(ops.convert_to_numpy(value)), expected, rtol=1e-6)


def test_binary_losses_are_stable_for_large_logits():
    big = np.array([80.0, -80.0], dtype="float32")
    d = ops.convert_to_numpy(losses.minimax_discriminator_loss(big, -big))
    g = ops.convert_to_numpy(losses.non_saturating_generator_loss(big))
    assert np.isfinite(d) and np.isfinite(g)
    np.testing.assert_allclose(float(d), 80.0, rtol=1e-5)  # mean(softplus(-80), softplus(80))


def test_minimax_at_equilibrium_is_2_ln_2():
    z = np.zeros(5, dtype="float32")
    value = float(ops.convert_to_numpy(losses.minimax_discriminator_loss(z, z)))
    assert value == pytest.approx(2 * math.log(2), rel=1e-6)


def test_get_lists_valid_names_for_unknown_loss():
    with pytest.raises(ValueError) as e:
        losses.get("wasserstien")
    message = str(e.value)
    for name in losses.NAMES:
        assert name in message
    assert "Did you mean 'wasserstein'" in message


def test_get_accepts_pairs_and_dicts():
    pair = losses.get((losses.hinge_generator_loss, losses.hinge_discriminator_loss))
    assert pair.generator is losses.hinge_generator_loss
    assert pair.discriminator is losses.hinge_discriminator_loss
    d = losses.get({"generator": abs, "discriminator": max})
    assert d.generator is abs and d.discriminator is max
    with pytest.raises(TypeError, match="two callables"):
        losses.get((1, 2))
    with pytest.raises(TypeError):
        losses.get(3)
    with pytest.raises(ValueError, match="missing"):
        losses.get({"generator": abs})


@pytest.mark.parametrize("name", ["wasserstein", "hinge"])
def test_label_smoothing_refused_where_meaningless(name):
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.get(name).discriminator(R, F, label_smoothing=0.1)


def test_label_smoothing_range():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        losses.minimax_discriminator_loss(R, F, label_smoothing=1.0)
