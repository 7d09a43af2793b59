"""Trains small GANs on one device and data-parallel on several; prints how far apart they end.

Run as `python tests/distribute_worker.py DEVICES FAMILY [FAMILY ...]` under
`KERAS_BACKEND=jax` (DEVICES virtual CPU devices through
`XLA_FLAGS=--xla_force_host_platform_device_count`, trained with
`keras.distribution.DataParallel`) or `KERAS_BACKEND=tensorflow` (DEVICES
logical CPU devices, trained with `tf.distribute.MirroredStrategy`). The
devices are set up here, before the framework starts.

FAMILY is `dcgan` (batch norm in both networks, an EMA generator) or
`wgan_gp` (two critic updates per step, gradient penalty). Each family is
trained twice from the same seed and data, once without and once inside
`keras_gans.backend.data_parallel()`; the last line of output is JSON:
`{family: {"max_weight_diff": ..., "max_log_diff": ..., "logs": ...,
"replicas": ..., "moved": ...}}`, the weights being every variable of the
model (both networks, batch-norm statistics, the EMA generator), the logs the
final losses of the two runs, and `moved` how far training took the weights
from their start (so that a run that trained nothing cannot pass). Set
`EMA=0` to train without the EMA generator.
"""

import json
import os
import sys

DEVICES = int(sys.argv[1]) if __name__ == "__main__" else 1
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
if __name__ == "__main__" and BACKEND == "jax":
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + f" --xla_force_host_platform_device_count={DEVICES}"
    )

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans import backend  # noqa: E402

BATCH = 8
STEPS = 3
EMA = float(os.environ.get("EMA", "0.5")) or None


def setup_devices(devices):
    """Splits the CPU into `devices` devices; returns their names."""
    if BACKEND == "jax":
        import jax

        found = jax.devices("cpu")
        assert len(found) >= devices, f"{len(found)} JAX CPU devices, {devices} wanted"
        return [f"cpu:{i}" for i in range(devices)]
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * devices
    )
    return [d.name for d in tf.config.list_logical_devices("CPU")]


def build(family):
    common = dict(
        image_shape=(8, 8, 1), latent_dim=4, generator_filters=4, discriminator_filters=4, seed=5
    )
    optimizer = lambda: keras.optimizers.Adam(1e-2, beta_1=0.5)  # noqa: E731
    if family == "dcgan":
        gan = keras_gans.DCGAN(kernel_size=3, upsampling="resize", **common)
        gan.compile(d_optimizer=optimizer(), g_optimizer=optimizer(), ema_decay=EMA)
    elif family == "wgan_gp":
        gan = keras_gans.WGANGP(**common)
        gan.compile(d_optimizer=optimizer(), g_optimizer=optimizer(), n_critic=2, ema_decay=EMA)
    else:
        raise ValueError(f"unknown family {family!r}")
    return gan


def data():
    return np.random.default_rng(0).uniform(-1, 1, (BATCH * STEPS, 8, 8, 1)).astype("float32")


def train(family):
    gan = build(family)
    start = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
    logs = gan.fit(data(), batch_size=BATCH, epochs=1, shuffle=False, verbose=0).history
    weights = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(start, weights))
    return weights, {k: float(v[-1]) for k, v in logs.items()}, moved


def compare(family, devices):
    single_w, single_logs, moved = train(family)
    with backend.data_parallel(devices):
        multi_w, multi_logs, _ = train(family)
    assert len(single_w) == len(multi_w)
    return {
        "max_weight_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(single_w, multi_w)),
        "max_log_diff": max(abs(single_logs[k] - multi_logs[k]) for k in single_logs),
        "logs": {"single": single_logs, "parallel": multi_logs},
        "replicas": len(devices),
        "moved": moved,
    }


if __name__ == "__main__":
    names = setup_devices(DEVICES)
    results = {family: compare(family, names) for family in sys.argv[2:]}
    print(json.dumps(results))
