"""Data-parallel scaling: steps/s and images/s over 1, 2, 4 devices, and the same-result check.

What is measured
----------------
For each backend of --backends and each device count of --devices, a worker
process (one after the other, never side by side) sets up the devices before
its framework starts: JAX gets N virtual CPU devices
(`XLA_FLAGS=--xla_force_host_platform_device_count=N`) and trains under
`keras.distribution.DataParallel`; TensorFlow splits the CPU into N logical
devices and trains under `tf.distribute.MirroredStrategy`. On a machine with
GPUs (`--gpu`), the first N GPUs are used instead. N=1 trains without any
distribution. PyTorch (`--backends=torch`, not run by default): the worker
forks N processes in a `gloo` process group on the CPU (`nccl` and one GPU
each with `--gpu`), each training inside `keras_gans.backend.data_parallel()`
on its rows of every global batch (`keras_gans.backend.shard_batches`);
rank 0's timing and weights are reported, and the peak memory is the largest
of the ranks' (each process holds a whole model).

`--model_axis=K` (JAX only) trains the N > 1 device runs under
`keras_gans.backend.model_parallel(model_axis=K)` instead of
`DataParallel`: a (N / K) x K mesh, big kernels split over the K devices of
the `model` axis (`--min_kernel_size`), the batch over the other axis.

The model is DCGAN (`--family=dcgan`) or WGAN-GP (`--family=wgan_gp`) at
`--image_size` with `--filters` filters, trained with `fit` on random images
for `--warmup_steps` untimed steps (compilation), then `--steps` timed
steps. Reported: steps/s, images/s (global batch times steps/s), the warm-up
time and the worker's peak resident memory (`ru_maxrss`).

The same-result check (N > 1): the same model, seed and data trained for
`--check_steps` steps on one device and on N; reported is the largest
absolute difference of any model variable (both networks, batch-norm
statistics) and of the final logged losses.

Virtual CPU devices share the machine's cores, so on a 2-core CPU more
devices cannot be faster: the figures show the overhead of the distribution
machinery, not a speed-up.

Usage
-----
    python benchmarks/scaling.py                          # jax and tensorflow, 1, 2, 4 devices
    python benchmarks/scaling.py --backends=jax --devices=1,4 --steps=10
    python benchmarks/scaling.py --backends=torch --devices=1,2
    python benchmarks/scaling.py --backends=jax --devices=1,4 --model_axis=2
"""

import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

flags.DEFINE_list("backends", ["jax", "tensorflow"], "Backends (jax, tensorflow, torch).")
flags.DEFINE_list("devices", ["1", "2", "4"], "Device counts.")
flags.DEFINE_enum("family", "dcgan", ["dcgan", "wgan_gp"], "The GAN family.")
flags.DEFINE_integer("image_size", 16, "Image height and width (grey images).", lower_bound=8)
flags.DEFINE_integer("filters", 16, "Filters at full resolution in each network.")
flags.DEFINE_integer("batch_size", 64, "Global batch size (divisible by every device count).")
flags.DEFINE_integer("steps", 20, "Timed steps.", lower_bound=1)
flags.DEFINE_integer("warmup_steps", 2, "Untimed steps (compilation).", lower_bound=1)
flags.DEFINE_integer("check_steps", 3, "Steps of the same-result check (0: no check).")
flags.DEFINE_integer("threads", 1, "Thread pool size per framework (0: defaults).")
flags.DEFINE_bool("gpu", False, "Use real GPUs instead of virtual CPU devices.")
flags.DEFINE_integer(
    "model_axis",
    0,
    "JAX: train N > 1 devices model-parallel with this model axis (0: data parallel).",
)
flags.DEFINE_integer("min_kernel_size", 4096, "With --model_axis: smallest kernel that is split.")
flags.DEFINE_string("out", "benchmarks/results/scaling.json", "JSON results ('' for none).")
flags.DEFINE_string("worker", None, "Internal: backend of this worker.")
flags.DEFINE_integer("worker_devices", None, "Internal: device count of this worker.")
flags.DEFINE_string("worker_out", None, "Internal: where the worker writes its JSON.")
FLAGS = flags.FLAGS


def device_env(backend, devices, gpu, threads):
    env = dict(_common.thread_env(threads))
    if backend == "jax" and not gpu:
        xla = env.get("XLA_FLAGS", os.environ.get("XLA_FLAGS", ""))
        # First: placed after the thread-pool entries of `thread_env` it was not applied.
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices} {xla}".strip()
        env["JAX_PLATFORMS"] = "cpu"
    if not gpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    return env


# ------------------------------------------------------------------ worker
def setup_devices(backend, devices, gpu):
    if backend == "jax":
        import jax

        found = jax.devices("gpu" if gpu else "cpu")
        if len(found) < devices:
            raise RuntimeError(f"{len(found)} JAX devices found, {devices} wanted.")
        return [f"{'gpu' if gpu else 'cpu'}:{i}" for i in range(devices)]
    import tensorflow as tf

    if gpu:
        found = tf.config.list_logical_devices("GPU")
        if len(found) < devices:
            raise RuntimeError(f"{len(found)} GPUs found, {devices} wanted.")
        return [d.name for d in found[:devices]]
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * devices
    )
    return [d.name for d in tf.config.list_logical_devices("CPU")]


def build(family, size, filters, seed=0):
    import keras

    import keras_gans

    cls = keras_gans.DCGAN if family == "dcgan" else keras_gans.WGANGP
    gan = cls(
        image_shape=(size, size, 1),
        latent_dim=32,
        generator_filters=filters,
        discriminator_filters=filters,
        seed=seed,
    )
    kwargs = {"n_critic": 5} if family == "wgan_gp" else {}
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        **kwargs,
    )
    return gan


def images(n, size):
    import numpy as np

    return np.random.default_rng(0).uniform(-1, 1, (n, size, size, 1)).astype("float32")


def train_for_check(family, size, filters, batch, steps, scope):
    import numpy as np
    from keras import ops

    with scope:
        gan = build(family, size, filters, seed=1)
        logs = gan.fit(
            images(batch * steps, size), batch_size=batch, shuffle=False, verbose=0
        ).history
        weights = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
    return weights, {k: float(v[-1]) for k, v in logs.items()}


def worker():
    import contextlib

    backend, devices = FLAGS.worker, FLAGS.worker_devices
    _common.setup_worker(backend, FLAGS.threads)
    if backend == "torch":
        return torch_worker(devices)
    names = setup_devices(backend, devices, FLAGS.gpu)
    from keras_gans import backend as kg_backend

    def scope():
        if devices > 1 and FLAGS.model_axis:
            return kg_backend.model_parallel(
                FLAGS.model_axis, names, min_kernel_size=FLAGS.min_kernel_size
            )
        return kg_backend.data_parallel(names) if devices > 1 else contextlib.nullcontext()

    size, batch = FLAGS.image_size, FLAGS.batch_size
    with scope():
        gan = build(FLAGS.family, size, FLAGS.filters)
        x = images(batch * 4, size)
        start = time.perf_counter()
        gan.fit(x, batch_size=batch, steps_per_epoch=FLAGS.warmup_steps, epochs=1, verbose=0)
        warmup = time.perf_counter() - start
        start = time.perf_counter()
        gan.fit(x, batch_size=batch, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
    result = {
        "backend": backend,
        "devices": devices,
        "device_names": names,
        "model_axis": FLAGS.model_axis if devices > 1 else 0,
        "steps_per_s": FLAGS.steps / seconds,
        "images_per_s": FLAGS.steps * batch / seconds,
        "warmup_s": warmup,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if backend == "jax":
        result["state_mb_per_device"] = state_mb_per_device(gan)
    if devices > 1 and FLAGS.check_steps:
        import numpy as np

        one_w, one_logs = train_for_check(
            FLAGS.family, size, FLAGS.filters, batch, FLAGS.check_steps, contextlib.nullcontext()
        )
        many_w, many_logs = train_for_check(
            FLAGS.family, size, FLAGS.filters, batch, FLAGS.check_steps, scope()
        )
        result["max_weight_diff"] = max(float(np.max(np.abs(a - b))) for a, b in zip(one_w, many_w))
        result["max_log_diff"] = max(abs(one_logs[k] - many_logs[k]) for k in one_logs)
    _common.write_worker_json(FLAGS.worker_out, result)


def state_mb_per_device(gan):
    """MB of model and optimizer variables held by the first device (JAX arrays)."""
    seen, total = set(), 0
    for v in list(gan.variables) + list(gan.optimizer.variables):
        if id(v) not in seen:
            seen.add(id(v))
            total += v.value.addressable_shards[0].data.nbytes
    return total / 2**20


# ------------------------------------------------------------- torch worker
def torch_worker(processes):
    """Forks `processes` ranks (one process: no process group) and writes rank 0's result."""
    import numpy as np
    import torch.multiprocessing as mp

    check = None
    if processes > 1 and FLAGS.check_steps:
        import contextlib

        check = train_for_check(
            FLAGS.family,
            FLAGS.image_size,
            FLAGS.filters,
            FLAGS.batch_size,
            FLAGS.check_steps,
            contextlib.nullcontext(),
        )
    with tempfile.TemporaryDirectory() as tmp:
        if processes == 1:
            torch_rank(0, 1, tmp)
        else:
            # Forked: the ranks reuse the imported framework and the parsed flags.
            mp.start_processes(
                torch_rank, args=(processes, tmp), nprocs=processes, start_method="fork"
            )
        ranks = []
        for rank in range(processes):
            with open(os.path.join(tmp, f"rank_{rank}.json")) as f:
                ranks.append(json.load(f))
        result = dict(ranks[0])
        result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in ranks)
        if check is not None:
            one_w, one_logs = check
            with np.load(os.path.join(tmp, "check_0.npz")) as z:
                many_w = [z[f"arr_{i}"] for i in range(len(z.files))]
            many_logs = ranks[0]["check_logs"]
            result["max_weight_diff"] = max(
                float(np.max(np.abs(a - b))) for a, b in zip(one_w, many_w)
            )
            result["max_log_diff"] = max(abs(one_logs[k] - many_logs[k]) for k in one_logs)
        result.pop("check_logs", None)
    _common.write_worker_json(FLAGS.worker_out, result)


def torch_rank(rank, processes, tmp):
    """One rank: the timed fits on its rows of every global batch, then the check run."""
    import contextlib

    import numpy as np
    import torch
    import torch.distributed as dist
    from keras import ops

    from keras_gans import backend as kg_backend

    if processes > 1:
        if FLAGS.gpu:
            torch.cuda.set_device(rank)
        dist.init_process_group(
            "nccl" if FLAGS.gpu else "gloo",
            init_method=f"file://{tmp}/rendezvous",
            rank=rank,
            world_size=processes,
        )
    scope = kg_backend.data_parallel if processes > 1 else contextlib.nullcontext

    def barrier():
        if processes > 1:
            dist.barrier()

    size, batch = FLAGS.image_size, FLAGS.batch_size
    with scope():
        gan = build(FLAGS.family, size, FLAGS.filters)
        x, local = kg_backend.shard_batches(images(batch * 4, size), batch)
        start = time.perf_counter()
        gan.fit(x, batch_size=local, steps_per_epoch=FLAGS.warmup_steps, epochs=1, verbose=0)
        warmup = time.perf_counter() - start
        barrier()
        start = time.perf_counter()
        gan.fit(x, batch_size=local, steps_per_epoch=FLAGS.steps, epochs=1, verbose=0)
        barrier()
        seconds = time.perf_counter() - start
    result = {
        "backend": "torch",
        "devices": processes,
        "device_names": [f"rank {r}" for r in range(processes)],
        "model_axis": 0,
        "steps_per_s": FLAGS.steps / seconds,
        "images_per_s": FLAGS.steps * batch / seconds,
        "warmup_s": warmup,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if processes > 1 and FLAGS.check_steps:
        with scope():
            gan = build(FLAGS.family, size, FLAGS.filters, seed=1)
            x, local = kg_backend.shard_batches(images(batch * FLAGS.check_steps, size), batch)
            logs = gan.fit(x, batch_size=local, shuffle=False, verbose=0).history
        weights = [np.array(ops.convert_to_numpy(v)) for v in gan.weights]
        result["check_logs"] = {k: float(v[-1]) for k, v in logs.items()}
        if rank == 0:
            np.savez(os.path.join(tmp, "check_0.npz"), *weights)
    with open(os.path.join(tmp, f"rank_{rank}.json"), "w") as f:
        json.dump(result, f)
    if processes > 1:
        dist.destroy_process_group()


# ------------------------------------------------------------------ parent
def main(argv):
    del argv
    if FLAGS.worker:
        return worker()
    backends = [b for b in FLAGS.backends]
    bad = [b for b in backends if b not in ("jax", "tensorflow", "torch")]
    if bad:
        raise app.UsageError(f"--backends must be among jax, tensorflow, torch; received {bad}.")
    counts = [int(d) for d in FLAGS.devices]
    if FLAGS.model_axis and (
        backends != ["jax"] or any(n % FLAGS.model_axis for n in counts if n > 1)
    ):
        raise app.UsageError(
            "--model_axis needs --backends=jax and device counts (above 1) divisible by it."
        )
    if any(FLAGS.batch_size % n for n in counts):
        raise app.UsageError("--batch_size must be divisible by every device count.")
    start_time, start_load, start_git = _common.now(), _common.load_average(), _common.git_info()
    runs, commands = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for n in counts:
                out = os.path.join(tmp, f"{backend}_{n}.json")
                argv = [sys.executable, os.path.abspath(__file__), *sys.argv[1:]]
                argv += [f"--worker={backend}", f"--worker_devices={n}", f"--worker_out={out}"]
                shown = {
                    "KERAS_BACKEND": backend,
                    **device_env(backend, n, FLAGS.gpu, FLAGS.threads),
                }
                env = dict(os.environ, **shown)
                command = " ".join(
                    ["env", *(shlex.quote(f"{k}={v}") for k, v in shown.items())]
                    + [shlex.quote(a) for a in argv]
                )
                commands.append(command)
                print(f"=== {backend}, {n} device(s) ===", flush=True)
                proc = subprocess.run(argv, env=env, check=False)
                if proc.returncode != 0:
                    raise RuntimeError(f"The {backend} worker with {n} devices failed.")
                with open(out) as f:
                    runs.append(json.load(f))
    rows = []
    for r in runs:
        base = (
            next(
                x["steps_per_s"] for x in runs if x["backend"] == r["backend"] and x["devices"] == 1
            )
            if any(x["backend"] == r["backend"] and x["devices"] == 1 for x in runs)
            else None
        )
        rows.append(
            [
                r["backend"] + (f" (model axis {r['model_axis']})" if r.get("model_axis") else ""),
                r["devices"],
                f"{r['steps_per_s']:.2f}",
                f"{r['images_per_s']:.0f}",
                "" if base is None else f"{r['steps_per_s'] / base:.2f}",
                f"{r['warmup_s']:.1f}",
                f"{r['peak_rss_mb']:.0f}",
                "" if "max_weight_diff" not in r else f"{r['max_weight_diff']:.1e}",
                "" if "max_log_diff" not in r else f"{r['max_log_diff']:.1e}",
                "" if "state_mb_per_device" not in r else f"{r['state_mb_per_device']:.2f}",
            ]
        )
    table = _common.table(
        [
            "backend",
            "devices",
            "steps/s",
            "images/s",
            "vs 1 device",
            "warm-up s",
            "peak RSS MB",
            "max weight diff",
            "max loss diff",
            "variables MB/device",
        ],
        rows,
    )
    print(table)
    payload = _common.header(start_time, start_load, start_git)
    payload.update(
        flags={
            k: getattr(FLAGS, k)
            for k in (
                "backends",
                "devices",
                "family",
                "image_size",
                "filters",
                "batch_size",
                "steps",
                "warmup_steps",
                "check_steps",
                "threads",
                "gpu",
                "model_axis",
                "min_kernel_size",
            )
        },
        worker_commands=commands,
        table=table,
        runs=runs,
    )
    _common.write_results(FLAGS.out, payload)


if __name__ == "__main__":
    app.run(main)
