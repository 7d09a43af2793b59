"""Data-parallel training gives the one-device result (devices set up in a subprocess)."""

import json

import keras
import pytest
from test_case import TestCase

from keras_gans import backend

TOLERANCE = 1e-5


def run_worker(devices):
    out = TestCase.run_python(
        ["tests/distribute_worker.py", str(devices), "dcgan", "wgan_gp"],
        keras.config.backend(),
        timeout=600,
    )
    return json.loads(out.strip().splitlines()[-1])


def check(results, replicas):
    results = {k: v for k, v in results.items() if k != "errors"}
    assert set(results) == {"dcgan", "wgan_gp"}
    for family, r in results.items():
        assert r["replicas"] == replicas, family
        assert r["moved"] > 1e-3, f"{family} did not train: {r}"
        assert r["max_weight_diff"] < TOLERANCE, f"{family}: {r}"
        assert r["max_log_diff"] < TOLERANCE, f"{family}: {r}"
    assert set(results["wgan_gp"]["logs"]["parallel"]) == {"d_loss", "g_loss", "gp"}


class TestDataParallel(TestCase):
    @pytest.mark.skipif(keras.config.backend() != "jax", reason="keras.distribution is JAX's")
    def test_jax_data_parallel_over_four_devices_matches_one(self):
        check(run_worker(4), 4)

    @pytest.mark.skipif(
        keras.config.backend() != "tensorflow", reason="tf.distribute is TensorFlow's"
    )
    def test_tf_mirrored_strategy_over_two_devices_matches_one(self):
        check(run_worker(2), 2)

    @pytest.mark.skipif(keras.config.backend() != "torch", reason="torch.distributed is torch's")
    def test_torch_two_gloo_processes_match_one(self):
        results = run_worker(2)
        check(results, 2)
        for family in ("dcgan", "wgan_gp"):
            # Rank 1 built its model from another seed: the broadcast made them alike.
            assert results[family]["max_rank_diff"] == 0.0, family
        assert len(results["errors"]) == 2
        for errors in results["errors"]:
            assert "does not divide over 2 processes" in errors["global_batch"]
            assert "others between 2 and 3" in errors["uneven_ranks"]

    @pytest.mark.skipif(keras.config.backend() != "torch", reason="torch only")
    def test_torch_without_a_process_group_says_how_to_start_one(self):
        with pytest.raises(RuntimeError, match="init_process_group"):
            backend.data_parallel()

    @pytest.mark.skipif(keras.config.backend() == "jax", reason="JAX implements it")
    def test_model_parallel_says_it_is_jax_only(self):
        with pytest.raises(NotImplementedError, match="KERAS_BACKEND=jax"):
            backend.model_parallel()

    def test_one_device_helpers_are_the_identity(self):
        draws = []

        def draw(n):
            draws.append(n)
            return keras.ops.arange(n)

        assert backend.num_replicas() == 1
        assert keras.ops.convert_to_numpy(backend.draw_for_replica(draw, 3)).tolist() == [0, 1, 2]
        assert draws == [3]
        assert float(backend.cross_replica_mean(keras.ops.convert_to_tensor(2.5))) == 2.5
        x = keras.ops.convert_to_numpy(keras.ops.arange(6))
        same, batch = backend.shard_batches(x, 4)
        assert batch == 4 and same.tolist() == list(range(6))


@pytest.mark.skipif(
    keras.config.backend() != "jax", reason="keras.distribution.ModelParallel is JAX's"
)
class TestModelParallel(TestCase):
    def test_dcgan_on_a_two_by_two_mesh_matches_one_device_and_splits_kernels(self):
        out = TestCase.run_python(["tests/model_parallel_worker.py"], "jax", timeout=600)
        r = json.loads(out.strip().splitlines()[-1])
        assert r["devices"] == 4
        assert r["moved"] > 1e-3, r
        assert r["max_weight_diff"] < TOLERANCE, r
        assert r["max_log_diff"] < TOLERANCE, r
        specs = {}
        for v in r["variables"]:
            specs.setdefault(v["path"].split("/")[-1], set()).add(
                (v["path"].split("/")[0].rstrip("_0123456789"), tuple(v["shape"]), tuple(v["spec"]))
            )
        # The projection and every convolution kernel split on their last axis; the
        # logits kernel (last axis 1), biases and batch-norm variables whole.
        for layer, shape, spec in specs["kernel"]:
            if layer == "logits":
                assert spec == (None, None), (layer, shape, spec)
            else:
                assert layer in ("project", "conv2d", "conv2d_transpose"), layer
                assert spec[-1] == "model" and set(spec[:-1]) == {None}, (layer, shape, spec)
        assert {layer for layer, _, _ in specs["kernel"]} == {
            "project",
            "conv2d",
            "conv2d_transpose",
            "logits",
        }
        for name in ("bias", "gamma", "beta", "moving_mean", "moving_variance"):
            assert all(set(spec) == {None} for _, _, spec in specs[name]), name
        # Adam's two slots of each of the three split kernels follow its layout.
        split_slots = [v for v in r["optimizer_variables"] if "model" in v["spec"]]
        assert len(split_slots) == 2 * 3, r["optimizer_variables"]
        assert all(v["spec"][-1] == "model" for v in split_slots), split_slots

    def test_a_mesh_that_does_not_divide_the_devices_is_refused(self):
        count = len(keras.distribution.list_devices())
        with pytest.raises(ValueError, match="multiple of `model_axis`"):
            backend.model_parallel(model_axis=count + 1)
