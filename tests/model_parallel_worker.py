"""Trains DCGAN on one device and with its kernels split over a 2x2 mesh; prints the gap.

Run as `python tests/model_parallel_worker.py` under `KERAS_BACKEND=jax`;
four virtual CPU devices are set up here (through
`XLA_FLAGS=--xla_force_host_platform_device_count=4`) before JAX starts.
The model is trained twice from the same seed and data, once without a
distribution and once inside `keras_gans.backend.model_parallel(model_axis=2)`
(batch over 2 devices, kernels over 2). The last line of output is JSON:
`max_weight_diff` and `max_log_diff` between the runs (every variable: both
networks, batch-norm statistics, the EMA generator), `moved` (how far
training took the weights), and for every variable of the distributed run
(`variables`: the model's; `optimizer_variables`: the Adam slots) its path,
shape and the partition spec of its value after training.
"""

import json
import os

if __name__ == "__main__":
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=4"
    )

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans import backend  # noqa: E402

BATCH = 8
STEPS = 3
# Small enough that the tiny model's projection and convolutions count as big.
MIN_KERNEL_SIZE = 64


def train():
    gan = keras_gans.DCGAN(
        image_shape=(8, 8, 1),
        latent_dim=4,
        generator_filters=8,
        discriminator_filters=8,
        kernel_size=3,
        upsampling="transpose",
        seed=5,
    )
    optimizer = lambda: keras.optimizers.Adam(1e-2, beta_1=0.5)  # noqa: E731
    gan.compile(d_optimizer=optimizer(), g_optimizer=optimizer(), ema_decay=0.5)
    x = np.random.default_rng(0).uniform(-1, 1, (BATCH * STEPS, 8, 8, 1)).astype("float32")
    start = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
    logs = gan.fit(x, batch_size=BATCH, epochs=1, shuffle=False, verbose=0).history
    weights = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(start, weights))
    return gan, weights, {k: float(v[-1]) for k, v in logs.items()}, moved


def spec(variable):
    sharding = variable.value.sharding
    return [None if a is None else str(a) for a in getattr(sharding, "spec", ())]


if __name__ == "__main__":
    _, single_w, single_logs, moved = train()
    with backend.model_parallel(model_axis=2, min_kernel_size=MIN_KERNEL_SIZE):
        gan, multi_w, multi_logs, _ = train()
    print(
        json.dumps(
            {
                "max_weight_diff": max(
                    float(np.max(np.abs(a - b))) for a, b in zip(single_w, multi_w)
                ),
                "max_log_diff": max(abs(single_logs[k] - multi_logs[k]) for k in single_logs),
                "moved": moved,
                "devices": len(keras.distribution.list_devices()),
                "variables": [
                    {"path": v.path, "shape": list(v.shape), "spec": spec(v)} for v in gan.weights
                ],
                "optimizer_variables": [
                    {"path": v.path, "shape": list(v.shape), "spec": spec(v)}
                    for v in gan.optimizer.variables
                ],
            }
        )
    )
