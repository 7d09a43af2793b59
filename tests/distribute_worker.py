"""Trains small GANs on one device and data-parallel on several; prints how far apart they end.

Run as `python tests/distribute_worker.py DEVICES FAMILY [FAMILY ...]` under
`KERAS_BACKEND=jax` (DEVICES virtual CPU devices through
`XLA_FLAGS=--xla_force_host_platform_device_count`, trained with
`keras.distribution.DataParallel`), `KERAS_BACKEND=tensorflow` (DEVICES
logical CPU devices, trained with `tf.distribute.MirroredStrategy`) or
`KERAS_BACKEND=torch` (DEVICES processes in a `gloo` process group on the
CPU, started with `torch.multiprocessing`, each fed its rows of every global
batch by `keras_gans.backend.shard_batches`; rank r builds its model with
seed 5 + r, so only the broadcast from rank 0 makes the ranks start alike).
The devices are set up here, before the framework starts.

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


def build(family, seed=5):
    common = dict(
        image_shape=(8, 8, 1), latent_dim=4, generator_filters=4, discriminator_filters=4, seed=seed
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


def train(family, seed=5, sharded=False):
    gan = build(family, seed)
    x, batch = backend.shard_batches(data(), BATCH) if sharded else (data(), BATCH)
    start = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
    logs = gan.fit(x, batch_size=batch, epochs=1, shuffle=False, verbose=0).history
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


def torch_rank(rank, world, families, folder):
    """One process of the torch run: trains every family data-parallel, saves what it got."""
    import torch.distributed as dist

    dist.init_process_group(
        "gloo", init_method=f"file://{folder}/rendezvous", rank=rank, world_size=world
    )
    try:
        out = {}
        with backend.data_parallel():
            for family in families:
                weights, logs, _ = train(family, seed=5 + rank, sharded=True)
                np.savez(os.path.join(folder, f"{family}_{rank}.npz"), *weights)
                out[family] = logs
            out["errors"] = torch_errors(rank, world)
        with open(os.path.join(folder, f"logs_{rank}.json"), "w") as f:
            json.dump(out, f)
    finally:
        dist.destroy_process_group()


def torch_errors(rank, world):
    """The messages of the errors that uneven batches raise."""
    errors = {}
    try:
        backend.shard_batches(data(), world * 2 + 1)
    except ValueError as e:
        errors["global_batch"] = str(e)
    gan = build("wgan_gp")
    uneven = data()[: 2 + rank]
    try:
        gan.fit(uneven, batch_size=len(uneven), epochs=1, shuffle=False, verbose=0)
    except ValueError as e:
        errors["uneven_ranks"] = str(e)
    return errors


def compare_torch(families, world):
    import tempfile

    import torch.multiprocessing as mp

    single = {family: train(family) for family in families}
    with tempfile.TemporaryDirectory() as folder:
        # Forked, not spawned: the ranks reuse the imported framework (seconds each).
        mp.start_processes(
            torch_rank, args=(world, families, folder), nprocs=world, start_method="fork"
        )
        ranks = []
        for rank in range(world):
            with open(os.path.join(folder, f"logs_{rank}.json")) as f:
                logs = json.load(f)
            weights = {}
            for family in families:
                with np.load(os.path.join(folder, f"{family}_{rank}.npz")) as z:
                    weights[family] = [z[f"arr_{i}"] for i in range(len(z.files))]
            ranks.append((weights, logs))
    results = {}
    for family in families:
        single_w, single_logs, moved = single[family]
        multi_w, multi_logs = ranks[0][0][family], ranks[0][1][family]
        assert len(single_w) == len(multi_w)
        results[family] = {
            "max_weight_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(single_w, multi_w)),
            "max_log_diff": max(abs(single_logs[k] - multi_logs[k]) for k in single_logs),
            "max_rank_diff": max(
                float(np.max(np.abs(a - b)))
                for w, _ in ranks[1:]
                for a, b in zip(multi_w, w[family])
            ),
            "logs": {"single": single_logs, "parallel": multi_logs},
            "replicas": world,
            "moved": moved,
        }
    results["errors"] = [logs["errors"] for _, logs in ranks]
    return results


if __name__ == "__main__":
    if BACKEND == "torch":
        print(json.dumps(compare_torch(sys.argv[2:], DEVICES)))
    else:
        names = setup_devices(DEVICES)
        results = {family: compare(family, names) for family in sys.argv[2:]}
        print(json.dumps(results))
