"""Training steps per second of one MLP GAN: keras_gans vs a hand-written loop.

What is compared
----------------
The model is `keras_gans.VanillaGAN(data_dim=2, latent_dim=8,
generator_units=(U, U, U), discriminator_units=(U, U, U))` (U = --units),
compiled with two `keras.optimizers.Adam(1e-3, beta_1=0.5)` and the
non-saturating loss, trained with `gan.fit(x, batch_size=B, epochs=1,
steps_per_epoch=S, verbose=0)` on `keras_gans.datasets.ring(S * B, seed=0)`.

Against it runs a plain loop of the same computation written directly in the
framework that Keras runs on:

- the same layer sizes; relu in G, leaky_relu(0.2) in D, linear outputs;
  Glorot-uniform weights and zero biases;
- per step one D update then one G update, each on fresh standard-normal
  noise; D minimizes `mean softplus(-D(x)) + mean softplus(D(G(z)))` with
  G(z) detached, G minimizes `mean softplus(-D(G(z)))`; each update
  differentiates only its own network's weights;
- two Adam optimizers (lr 1e-3, beta_1 0.5, beta_2 0.999, epsilon 1e-7 as in
  Keras); batch B sliced from the same ring data, shuffled once.

Per framework:

- torch: `torch.nn.Sequential` + `torch.optim.Adam`, `loss.backward(inputs=...)`.
- jax: the whole step (both updates, noise, batch slicing) under one
  `jax.jit` with donated state; Adam written in `jax.numpy`.
- tensorflow: one `tf.function` step over `tf.Variable`s with
  `tf.GradientTape` and Adam written with `tf.Variable.assign*`; no Keras.
  XLA is off, as Keras' `jit_compile="auto"` resolves on a CPU-only machine
  (the resolved value is recorded in the results).

Protocol
--------
Keras fixes its backend at import, so each backend runs in its own worker
process: `KERAS_BACKEND=<b> python benchmarks/step_speed.py --worker=<b> ...`.
In a worker:

1. The plain loop is built; its first step is timed alone ("first call":
   tracing/compilation included), then it is warmed up.
2. One Keras model per `steps_per_execution` value (--spe; only 1 on torch,
   which refuses more) is built and compiled; its first `fit` call of one
   execution (spe steps) is timed alone ("first call"), then it is warmed up.
3. Timed blocks: for each of --repeats rounds, every variant (plain loop and
   each Keras variant) runs one block of --steps steps, so variants are
   interleaved and share the same background noise. Keras runs one `fit`
   call per block (its per-call setup, such as building the data iterator,
   is part of the measured time, amortized over --steps). Each block ends by
   reading a weight back to host memory, so asynchronous dispatch (JAX) is
   waited for. The order of the variants alternates between rounds.
4. The reported speed of a variant is the median over rounds of
   steps / block seconds; the ratio keras/plain is computed from these two
   medians, both measured in the same process. The JSON also keeps every
   block's speed and the best (fastest) block of each variant, which is less
   sensitive to other processes on a busy machine, and speeds per second of
   the worker's CPU time (`time.process_time`, all its threads), which other
   processes disturb much less than the wall clock (the table's "(CPU time)"
   column is keras/plain measured that way).
5. Peak resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) is
   recorded after the imports, after the plain loop's warm-up, after the Keras
   warm-ups and at the end (the whole worker's peak, both loops included).

Thread pools are limited to --threads per worker (default 1; 0 leaves each
framework's default): on a small shared machine, multi-threaded CPU kernels
whose threads get preempted can run orders of magnitude slower, which would
measure the machine's load rather than the code.

`--profile_torch` runs no benchmark; in one torch worker it:

1. times --repeats interleaved blocks of --profile_steps steps of Keras `fit`
   and of the plain loop, unprofiled;
2. times each piece of the step alone (a G or D forward call, each backward,
   one Adam update, the noise draw, the loss trackers; median of 300 calls)
   for Keras-torch and for plain torch, and lays them out as a per-step budget
   whose remainder is what the pieces do not explain (report section A);
3. runs cProfile over one `fit` call of --profile_steps steps and reports the
   inclusive time of the functions that make up the step (keras_gans'
   `gan_train_step` and `minimize`, `Layer.__call__`, the functional graph
   walk, `torch.autograd.grad`, `optimizer.apply`, ...), self time grouped by
   where the code lives, and the top entries by cumulative and by self time
   (sections B to E);

and writes the report to --profile_out. cProfile slows Python code much more
than C kernels, so its shares overstate Python overhead; the budget of
section A is the unbiased one.

Usage (from the repository root):

    python benchmarks/step_speed.py
    python benchmarks/step_speed.py --backends=torch --steps=200 --repeats=5
    python benchmarks/step_speed.py --profile_torch
"""

import cProfile
import io
import json
import os
import pstats
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

BACKENDS = ("tensorflow", "jax", "torch")
LATENT_DIM = 8
DATA_DIM = 2
LEARNING_RATE = 1e-3
BETA_1 = 0.5
BETA_2 = 0.999
EPSILON = 1e-7  # Keras' Adam default (torch's is 1e-8).
LEAKY_SLOPE = 0.2  # keras.activations.leaky_relu's default.
WARMUP_STEPS = 50

FLAGS = flags.FLAGS
flags.DEFINE_list(
    "backends",
    list(BACKENDS),
    "Keras backends to benchmark, comma-separated, each in its own worker process.",
)
flags.DEFINE_integer(
    "steps",
    500,
    "Timed training steps per block (one block per variant per repeat). Must be a "
    "multiple of every --spe value.",
    lower_bound=1,
)
flags.DEFINE_integer("batch_size", 256, "Batch size of every training step.", lower_bound=1)
flags.DEFINE_integer(
    "units", 128, "Width of each of the 3 hidden layers of G and of D.", lower_bound=1
)
flags.DEFINE_integer(
    "repeats",
    3,
    "Rounds of interleaved timed blocks; speeds are medians over rounds.",
    lower_bound=1,
)
flags.DEFINE_list(
    "spe",
    ["1", "50"],
    "steps_per_execution values compiled into the Keras model on tensorflow "
    "and jax (torch only runs 1).",
)
flags.DEFINE_integer(
    "threads",
    1,
    "CPU threads per framework thread pool in each worker (intra- and inter-op); "
    "0 keeps each framework's default.",
    lower_bound=0,
)
flags.DEFINE_string("out", "benchmarks/results/step_speed.json", "Where to write the JSON results.")
flags.DEFINE_bool(
    "profile_torch",
    False,
    "Instead of the benchmark, profile the Keras-torch fit step "
    "(cProfile plus unprofiled timings of its pieces) and write --profile_out.",
)
flags.DEFINE_integer(
    "profile_steps",
    200,
    "With --profile_torch: steps per timed block and in the cProfile'd fit call.",
    lower_bound=1,
)
flags.DEFINE_string(
    "profile_out",
    "benchmarks/results/torch_profile.txt",
    "Where --profile_torch writes its summary.",
)
flags.DEFINE_enum(
    "worker",
    None,
    list(BACKENDS),
    "Internal: run as the worker process of this backend "
    "(KERAS_BACKEND must name the same backend).",
)
flags.DEFINE_string(
    "worker_out", None, "Internal: the JSON file where a worker writes its results."
)


# ----------------------------------------------------------------- helpers
def _peak_mb():
    """Peak resident set size of this process so far, in MiB (Linux: ru_maxrss is KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":  # bytes there
        kib /= 1024
    return round(kib / 1024, 1)


def _thread_env(threads):
    """Environment variables that size the frameworks' thread pools before they start."""
    if not threads:
        return {}
    n = str(threads)
    xla = os.environ.get("XLA_FLAGS", "")
    xla += f" --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={n}"
    return {
        "OMP_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "TF_NUM_INTRAOP_THREADS": n,
        "TF_NUM_INTEROP_THREADS": n,
        "XLA_FLAGS": xla.strip(),
    }


def _limit_threads(backend, threads):
    """Sizes the thread pools the environment variables do not reach; call before Keras."""
    if not threads:
        return
    if backend == "torch":
        import torch

        torch.set_num_threads(threads)
        torch.set_num_interop_threads(threads)
    elif backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def _spe_values(backend):
    values = sorted({int(s) for s in FLAGS.spe})
    return [1] if backend == "torch" else values


def _glorot(rng, fan_in, fan_out):
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype("float32")


def _layer_sizes(first, units, last):
    return [first, units, units, units, last]


def _init_mlp(rng, sizes):
    """Numpy [(W, b), ...] with Glorot-uniform W and zero b, like keras Dense."""
    import numpy as np

    return [(_glorot(rng, i, o), np.zeros(o, "float32")) for i, o in zip(sizes[:-1], sizes[1:])]


# ------------------------------------------------------------- plain loops
class _PlainTorch:
    """The GAN step in raw PyTorch: torch.nn + torch.optim."""

    def __init__(self, data, batch_size, units):
        import numpy as np
        import torch

        self.torch = torch
        self.batch_size = batch_size
        self.data = torch.from_numpy(data)
        self.num_batches = len(data) // batch_size
        self.pos = 0
        rng = np.random.default_rng(0)

        def mlp(sizes, activation):
            layers = []
            for i, (w, b) in enumerate(_init_mlp(rng, sizes)):
                linear = torch.nn.Linear(w.shape[0], w.shape[1])
                with torch.no_grad():
                    linear.weight.copy_(torch.from_numpy(w.T))
                    linear.bias.copy_(torch.from_numpy(b))
                layers.append(linear)
                if i < len(sizes) - 2:
                    layers.append(activation())
            return torch.nn.Sequential(*layers)

        self.g = mlp(_layer_sizes(LATENT_DIM, units, DATA_DIM), torch.nn.ReLU)
        self.d = mlp(_layer_sizes(DATA_DIM, units, 1), lambda: torch.nn.LeakyReLU(LEAKY_SLOPE))
        self.g_params = list(self.g.parameters())
        self.d_params = list(self.d.parameters())
        adam = dict(lr=LEARNING_RATE, betas=(BETA_1, BETA_2), eps=EPSILON)
        self.g_opt = torch.optim.Adam(self.g_params, **adam)
        self.d_opt = torch.optim.Adam(self.d_params, **adam)

    def step(self):
        torch, softplus = self.torch, self.torch.nn.functional.softplus
        b = self.batch_size
        real = self.data[self.pos * b : (self.pos + 1) * b]
        self.pos = (self.pos + 1) % self.num_batches

        fake = self.g(torch.randn(b, LATENT_DIM)).detach()
        d_loss = softplus(-self.d(real)).mean() + softplus(self.d(fake)).mean()
        self.d_opt.zero_grad(set_to_none=True)
        d_loss.backward(inputs=self.d_params)
        self.d_opt.step()

        g_loss = softplus(-self.d(self.g(torch.randn(b, LATENT_DIM)))).mean()
        self.g_opt.zero_grad(set_to_none=True)
        g_loss.backward(inputs=self.g_params)
        self.g_opt.step()
        return d_loss, g_loss

    def sync(self):
        float(self.g_params[-1][0])


class _PlainJax:
    """The GAN step in raw JAX: one jax.jit step, Adam in jax.numpy."""

    def __init__(self, data, batch_size, units):
        import jax
        import jax.numpy as jnp
        import numpy as np

        rng = np.random.default_rng(0)
        g = [
            tuple(map(jnp.asarray, p))
            for p in _init_mlp(rng, _layer_sizes(LATENT_DIM, units, DATA_DIM))
        ]
        d = [tuple(map(jnp.asarray, p)) for p in _init_mlp(rng, _layer_sizes(DATA_DIM, units, 1))]
        zeros = lambda tree: jax.tree_util.tree_map(jnp.zeros_like, tree)
        self.state = {
            "g": g,
            "d": d,
            "g_adam": (zeros(g), zeros(g), jnp.zeros((), "float32")),
            "d_adam": (zeros(d), zeros(d), jnp.zeros((), "float32")),
            "key": jax.random.PRNGKey(0),
            "pos": jnp.zeros((), "int32"),
        }
        self.data = jnp.asarray(data)
        num_batches = len(data) // batch_size

        def mlp(params, x, activation):
            for w, b in params[:-1]:
                x = activation(x @ w + b)
            w, b = params[-1]
            return x @ w + b

        generator = lambda p, z: mlp(p, z, jax.nn.relu)
        leaky = lambda x: jax.nn.leaky_relu(x, LEAKY_SLOPE)
        discriminator = lambda p, x: mlp(p, x, leaky)

        def adam(params, grads, slots):
            m, v, t = slots
            t = t + 1.0
            lr = LEARNING_RATE * jnp.sqrt(1.0 - BETA_2**t) / (1.0 - BETA_1**t)
            m = jax.tree_util.tree_map(lambda m, g: m + (g - m) * (1.0 - BETA_1), m, grads)
            v = jax.tree_util.tree_map(lambda v, g: v + (g * g - v) * (1.0 - BETA_2), v, grads)
            params = jax.tree_util.tree_map(
                lambda p, m, v: p - lr * m / (jnp.sqrt(v) + EPSILON), params, m, v
            )
            return params, (m, v, t)

        def step(state, data):
            key, k_d, k_g = jax.random.split(state["key"], 3)
            real = jax.lax.dynamic_slice_in_dim(data, state["pos"] * batch_size, batch_size)
            fake = jax.lax.stop_gradient(
                generator(state["g"], jax.random.normal(k_d, (batch_size, LATENT_DIM)))
            )

            def d_loss_fn(d):
                return jnp.mean(jax.nn.softplus(-discriminator(d, real))) + jnp.mean(
                    jax.nn.softplus(discriminator(d, fake))
                )

            d_loss, d_grads = jax.value_and_grad(d_loss_fn)(state["d"])
            d_params, d_adam = adam(state["d"], d_grads, state["d_adam"])
            z = jax.random.normal(k_g, (batch_size, LATENT_DIM))

            def g_loss_fn(g):
                return jnp.mean(jax.nn.softplus(-discriminator(d_params, generator(g, z))))

            g_loss, g_grads = jax.value_and_grad(g_loss_fn)(state["g"])
            g_params, g_adam = adam(state["g"], g_grads, state["g_adam"])
            new_state = {
                "g": g_params,
                "d": d_params,
                "g_adam": g_adam,
                "d_adam": d_adam,
                "key": key,
                "pos": (state["pos"] + 1) % num_batches,
            }
            return new_state, (d_loss, g_loss)

        self._step = jax.jit(step, donate_argnums=0)

    def step(self):
        self.state, losses = self._step(self.state, self.data)
        return losses

    def sync(self):
        self.state["g"][-1][0].block_until_ready()


class _PlainTensorFlow:
    """The GAN step in raw TensorFlow: tf.function, tf.Variable, tf.GradientTape."""

    def __init__(self, data, batch_size, units):
        import numpy as np
        import tensorflow as tf

        rng = np.random.default_rng(0)

        def variables(sizes):
            return [tf.Variable(a) for pair in _init_mlp(rng, sizes) for a in pair]

        self.g_vars = variables(_layer_sizes(LATENT_DIM, units, DATA_DIM))
        self.d_vars = variables(_layer_sizes(DATA_DIM, units, 1))

        def slots(vs):
            m = [tf.Variable(tf.zeros_like(v)) for v in vs]
            v = [tf.Variable(tf.zeros_like(x)) for x in vs]
            return m, v, tf.Variable(0.0)

        g_slots, d_slots = slots(self.g_vars), slots(self.d_vars)
        data = tf.constant(data)
        pos = tf.Variable(0)
        num_batches = len(data) // batch_size
        noise = tf.random.Generator.from_seed(0)

        def mlp(vs, x, activation):
            for i in range(0, len(vs) - 2, 2):
                x = activation(tf.matmul(x, vs[i]) + vs[i + 1])
            return tf.matmul(x, vs[-2]) + vs[-1]

        generator = lambda z: mlp(self.g_vars, z, tf.nn.relu)
        leaky = lambda x: tf.nn.leaky_relu(x, LEAKY_SLOPE)
        discriminator = lambda x: mlp(self.d_vars, x, leaky)

        def adam(vs, grads, slots_):
            m, v, t = slots_
            t.assign_add(1.0)
            lr = LEARNING_RATE * tf.sqrt(1.0 - BETA_2**t) / (1.0 - BETA_1**t)
            for var, g, m_i, v_i in zip(vs, grads, m, v):
                m_i.assign_add((g - m_i) * (1.0 - BETA_1))
                v_i.assign_add((g * g - v_i) * (1.0 - BETA_2))
                var.assign_sub(lr * m_i / (tf.sqrt(v_i) + EPSILON))

        @tf.function(jit_compile=False)
        def step():
            start = pos * batch_size
            real = data[start : start + batch_size]
            pos.assign((pos + 1) % num_batches)
            fake = tf.stop_gradient(generator(noise.normal((batch_size, LATENT_DIM))))
            with tf.GradientTape() as tape:
                d_loss = tf.reduce_mean(tf.nn.softplus(-discriminator(real))) + tf.reduce_mean(
                    tf.nn.softplus(discriminator(fake))
                )
            adam(self.d_vars, tape.gradient(d_loss, self.d_vars), d_slots)
            z = noise.normal((batch_size, LATENT_DIM))
            with tf.GradientTape() as tape:
                g_loss = tf.reduce_mean(tf.nn.softplus(-discriminator(generator(z))))
            adam(self.g_vars, tape.gradient(g_loss, self.g_vars), g_slots)
            return d_loss, g_loss

        self._step = step

    def step(self):
        return self._step()

    def sync(self):
        self.g_vars[-1].numpy()


PLAIN = {"torch": _PlainTorch, "jax": _PlainJax, "tensorflow": _PlainTensorFlow}


# ------------------------------------------------------------------ runners
def _clocks():
    """(wall clock, CPU time of this process summed over its threads), in seconds."""
    return time.perf_counter(), time.process_time()


def _since(start):
    """(wall seconds, CPU seconds) elapsed since `start = _clocks()`."""
    wall, cpu = _clocks()
    return wall - start[0], cpu - start[1]


class _PlainRunner:
    def __init__(self, plain):
        self.plain = plain
        start = _clocks()
        plain.step()
        plain.sync()
        self.first_call_s = _since(start)[0]
        self.run(WARMUP_STEPS)

    def run(self, steps):
        """Runs `steps` steps; returns (wall seconds, CPU seconds)."""
        start = _clocks()
        for _ in range(steps):
            self.plain.step()
        self.plain.sync()
        return _since(start)


class _KerasRunner:
    def __init__(self, data, batch_size, units, spe):
        import keras

        import keras_gans

        self.keras = keras
        self.data = data
        self.batch_size = batch_size
        self.gan = keras_gans.VanillaGAN(
            data_dim=DATA_DIM,
            latent_dim=LATENT_DIM,
            generator_units=(units,) * 3,
            discriminator_units=(units,) * 3,
        )
        self.gan.compile(
            d_optimizer=keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1),
            g_optimizer=keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1),
            loss="non_saturating",
            steps_per_execution=spe,
        )
        self.first_call_s = self.run(spe)[0]
        self.run(max(WARMUP_STEPS // spe, 1) * spe)

    def run(self, steps):
        """Runs one `fit` call of `steps` steps; returns (wall seconds, CPU seconds)."""
        start = _clocks()
        self.gan.fit(
            self.data, batch_size=self.batch_size, epochs=1, steps_per_epoch=steps, verbose=0
        )
        self.keras.ops.convert_to_numpy(self.gan.generator.trainable_weights[-1])
        return _since(start)


def _worker(backend):
    if os.environ.get("KERAS_BACKEND") != backend:
        raise SystemExit(f"--worker={backend} needs KERAS_BACKEND={backend}.")
    _limit_threads(backend, FLAGS.threads)
    import keras
    import numpy as np

    import keras_gans

    memory = {"after_import_mb": _peak_mb()}
    batch_size, units, steps = FLAGS.batch_size, FLAGS.units, FLAGS.steps
    data = keras_gans.datasets.ring(steps * batch_size, seed=0).astype("float32")
    shuffled = data[np.random.default_rng(0).permutation(len(data))]

    runners = {"plain": _PlainRunner(PLAIN[backend](shuffled, batch_size, units))}
    memory["after_plain_warmup_mb"] = _peak_mb()
    jit = None
    for spe in _spe_values(backend):
        runner = _KerasRunner(data, batch_size, units, spe)
        runners[f"keras_spe{spe}"] = runner
        jit = runner.gan.jit_compile
    memory["after_keras_warmup_mb"] = _peak_mb()

    names = list(runners)
    blocks = {name: [] for name in names}
    cpu_blocks = {name: [] for name in names}
    for r in range(FLAGS.repeats):
        for name in names if r % 2 == 0 else names[::-1]:
            wall_s, cpu_s = runners[name].run(steps)
            blocks[name].append(steps / wall_s)
            cpu_blocks[name].append(steps / cpu_s)
    memory["peak_mb"] = _peak_mb()

    def over_plain(values):
        return {name: values[name] / values["plain"] for name in names if name != "plain"}

    speed = {name: statistics.median(v) for name, v in blocks.items()}
    best = {name: max(v) for name, v in blocks.items()}
    cpu_speed = {name: statistics.median(v) for name, v in cpu_blocks.items()}
    return {
        "backend": backend,
        "framework_version": sys.modules[backend].__version__,
        "keras_version": keras.__version__,
        "keras_jit_compile": bool(jit),
        "threads": FLAGS.threads,
        "steps_per_block": steps,
        "steps_per_s": speed,
        "ratio_keras_over_plain": over_plain(speed),
        "steps_per_s_blocks": blocks,
        "steps_per_s_best": best,
        "ratio_keras_over_plain_best": over_plain(best),
        "steps_per_cpu_s": cpu_speed,
        "steps_per_cpu_s_blocks": cpu_blocks,
        "ratio_keras_over_plain_cpu": over_plain(cpu_speed),
        "first_call_s": {name: runner.first_call_s for name, runner in runners.items()},
        "memory": memory,
    }


# --------------------------------------------------------------- profiling
# Inclusive (cumulative) times read from cProfile: (label, path suffix, function).
_PROFILE_TREE = (
    ("Keras fit (the whole call)", "keras/src/backend/torch/trainer.py", "fit"),
    ("  GAN.train_step (keras_gans: one GAN step)", "keras_gans/gan.py", "train_step"),
    (
        "    backend.minimize (keras_gans/backend/torch.py)",
        "keras_gans/backend/torch.py",
        "minimize",
    ),
    ("      d_loss_fn: D(real), D(fake), loss", "keras_gans/gan.py", "d_loss_fn"),
    ("      g_loss_fn: D(G(z)), loss", "keras_gans/gan.py", "g_loss_fn"),
    ("      torch.autograd.grad (backward)", "torch/autograd/__init__.py", "grad"),
    ("      optimizer.apply (Keras Adam)", "keras/src/optimizers/base_optimizer.py", "apply"),
    ("      _detach", "keras_gans/backend/torch.py", "_detach"),
    ("    sample_latent (keras.random.normal)", "keras_gans/gan.py", "sample_latent"),
    ("    _check_batch", "keras_gans/gan.py", "_check_batch"),
    ("    unpack_batch", "keras_gans/gan.py", "unpack_batch"),
    (
        "    Mean.update_state (loss trackers)",
        "keras/src/metrics/reduction_metrics.py",
        "update_state",
    ),
    ("    Mean.result (loss trackers)", "keras/src/metrics/reduction_metrics.py", "result"),
)
# Functions called from several places above (their rows overlap the tree).
_PROFILE_ACROSS = (
    ("call_generator (in D step and G step)", "keras_gans/gan.py", "call_generator"),
    ("call_discriminator (3 per step)", "keras_gans/gan.py", "call_discriminator"),
    ("Layer.__call__ (networks and their layers)", "keras/src/layers/layer.py", "__call__"),
    ("Functional._run_through_graph", "keras/src/ops/function.py", "_run_through_graph"),
    ("Dense.call", "keras/src/layers/core/dense.py", "call"),
    (
        "keras_gans.losses (non-saturating G loss)",
        "keras_gans/losses.py",
        "non_saturating_generator_loss",
    ),
    ("keras_gans.losses (D loss)", "keras_gans/losses.py", "minimax_discriminator_loss"),
    (
        "Variable.assign_add (optimizer/metric counters)",
        "keras/src/backend/common/variables.py",
        "assign_add",
    ),
    (
        "convert_to_tensor (keras torch backend)",
        "keras/src/backend/torch/core.py",
        "convert_to_tensor",
    ),
    ("callbacks on_train_batch_end", "keras/src/callbacks/callback_list.py", "on_train_batch_end"),
)


def _inclusive(stats, suffix, name):
    """Inclusive seconds and call count of the functions `name` in files ending with `suffix`."""
    seconds, calls = 0.0, 0
    for (filename, _, funcname), (_, nc, _, ct, _) in stats.stats.items():
        if funcname == name and filename.replace("\\", "/").endswith(suffix):
            seconds += ct
            calls += nc
    return seconds, calls


def _self_time_by_origin(stats):
    """Self (exclusive) seconds, grouped by where the code lives."""
    groups = {
        "torch C functions (kernels, dispatch, autograd engine)": 0.0,
        "other C builtins (getattr, isinstance, dict, ...)": 0.0,
        "Keras Python (keras/src)": 0.0,
        "torch Python (nn.Module, autograd, pytree, ...)": 0.0,
        "keras_gans Python": 0.0,
        "other Python (stdlib, ...)": 0.0,
    }
    names = list(groups)
    for (filename, _, funcname), (_, _, tt, _, _) in stats.stats.items():
        path = filename.replace("\\", "/")
        if filename == "~":
            groups[names[0] if "torch" in funcname else names[1]] += tt
        elif "/keras/src/" in path:
            groups[names[2]] += tt
        elif "/torch/" in path:
            groups[names[3]] += tt
        elif "/keras_gans/" in path:
            groups[names[4]] += tt
        else:
            groups[names[5]] += tt
    return groups


def _median_us(fn, n, setup=None):
    """Median wall time of `fn(setup())` over n calls, in microseconds (setup untimed)."""
    times = []
    for _ in range(n):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _component_timings(gan, plain, batch_size, n=300):
    """Unprofiled cost of each piece of one GAN step, Keras-torch vs plain torch.

    Returns rows `(piece, times per step, keras us per call, plain us per call)`.
    The pieces run on a real batch and on the models being benchmarked; the
    Keras optimizer really updates the weights (harmless here).
    """
    import torch

    softplus = torch.nn.functional.softplus
    z = torch.randn(batch_size, LATENT_DIM)
    x = plain.data[:batch_size]
    d_vars = gan.discriminator.trainable_variables
    g_vars = gan.generator.trainable_variables
    d_values = [v.value for v in d_vars]
    g_values = [v.value for v in g_vars]
    keras_d, keras_g = gan.discriminator, gan.generator
    rows = []

    def add(piece, per_step, keras_fn, plain_fn, keras_setup=None, plain_setup=None):
        keras_us = _median_us(keras_fn, n, keras_setup)
        plain_us = _median_us(plain_fn, n, plain_setup)
        rows.append((piece, per_step, keras_us, plain_us))

    add("G forward", 2, lambda _: keras_g(z, training=True), lambda _: plain.g(z))
    add("D forward", 3, lambda _: keras_d(x, training=True), lambda _: plain.d(x))

    def grad(values):
        return lambda loss: torch.autograd.grad(
            loss, values, allow_unused=True, materialize_grads=True
        )

    add(
        "D-step backward",
        1,
        grad(d_values),
        lambda loss: loss.backward(inputs=plain.d_params),
        lambda: (
            softplus(-keras_d(x, training=True)).mean() + softplus(keras_d(x, training=True)).mean()
        ),
        lambda: softplus(-plain.d(x)).mean() + softplus(plain.d(x)).mean(),
    )
    add(
        "G-step backward",
        1,
        grad(g_values),
        lambda loss: loss.backward(inputs=plain.g_params),
        lambda: softplus(-keras_d(keras_g(z, training=True), training=True)).mean(),
        lambda: softplus(-plain.d(plain.g(z))).mean(),
    )
    grads = [torch.randn_like(v) * 1e-4 for v in d_values]
    for p in plain.d_params:
        p.grad = torch.randn_like(p) * 1e-4

    def keras_apply(_):
        with torch.no_grad():
            gan.d_optimizer.apply(grads, d_vars)

    add("Adam update (timed on D's 8 tensors)", 2, keras_apply, lambda _: plain.d_opt.step())
    add(
        "noise: keras.random.normal / torch.randn",
        2,
        lambda _: gan.sample_latent(batch_size),
        lambda _: torch.randn(batch_size, LATENT_DIM),
    )
    tracker, value = gan.loss_trackers[0], torch.tensor(0.5)
    add(
        "loss tracker update_state + result (none in plain)",
        2,
        lambda _: (tracker.update_state(value), tracker.result()),
        lambda _: None,
    )
    return rows


def _profile_torch_worker():
    """Profiles Keras-torch fit steps; returns {"text": the report}."""
    if os.environ.get("KERAS_BACKEND") != "torch":
        raise SystemExit("--profile_torch workers need KERAS_BACKEND=torch.")
    _limit_threads("torch", FLAGS.threads)
    import keras_gans

    batch_size, units, steps = FLAGS.batch_size, FLAGS.units, FLAGS.profile_steps
    data = keras_gans.datasets.ring(steps * batch_size, seed=0).astype("float32")
    keras_run = _KerasRunner(data, batch_size, units, 1)
    plain_run = _PlainRunner(_PlainTorch(data, batch_size, units))

    blocks = [(keras_run.run(steps), plain_run.run(steps)) for _ in range(FLAGS.repeats)]
    keras_speed, plain_speed = (statistics.median(steps / b[i][0] for b in blocks) for i in (0, 1))
    # CPU time per step is what the budget below compares with: like the medians
    # of the pieces, it is barely affected by other processes taking the CPU.
    keras_ms, plain_ms = (1e3 * statistics.median(b[i][1] for b in blocks) / steps for i in (0, 1))

    profiler = cProfile.Profile()
    profiler.enable()
    profiled_s = keras_run.run(steps)[0]
    profiler.disable()
    stats = pstats.Stats(profiler)
    components = _component_timings(keras_run.gan, plain_run.plain, batch_size)

    lines = []
    w = lines.append
    w("Where the time goes in one Keras-torch fit step of keras_gans.VanillaGAN")
    w(f"worker: {shlex.join(sys.orig_argv)}")
    w(
        f"model: G and D with 3 hidden layers of {units}; batch_size={batch_size}; "
        f"threads={FLAGS.threads}"
    )
    w("")
    w(f"Unprofiled speed (median of {FLAGS.repeats} interleaved blocks of {steps} steps):")
    w(f"  {'':16s} {'steps/s':>8s} {'CPU ms/step':>12s}")
    w(f"  {'keras-torch fit':16s} {keras_speed:8.1f} {keras_ms:12.2f}")
    w(f"  {'plain torch':16s} {plain_speed:8.1f} {plain_ms:12.2f}")
    w(f"  {'keras/plain':16s} {keras_speed / plain_speed:8.3f} {plain_ms / keras_ms:12.3f}")
    w("")
    w("A) Step budget from unprofiled timings of each piece (median of 300 calls each,")
    w("   same process, no profiler). 'n' = times per GAN step. The remainder is what")
    w("   the pieces do not explain: loss math, keras_gans' step code, minimize glue,")
    w("   the fit loop, data batches. The measured step is the CPU time per step of")
    w("   the unprofiled blocks above.")
    w(f"   {'piece':52s} {'n':>2s} {'keras ms':>9s} {'% step':>7s} {'plain ms':>9s} {'% step':>7s}")
    keras_total = plain_total = 0.0
    for piece, n, keras_us, plain_us in components:
        k, p = n * keras_us / 1e3, n * plain_us / 1e3
        keras_total += k
        plain_total += p
        w(
            f"   {piece:52s} {n:2d} {k:9.3f} {100 * k / keras_ms:7.1f} "
            f"{p:9.3f} {100 * p / plain_ms:7.1f}"
        )
    k, p = keras_ms - keras_total, plain_ms - plain_total
    w(
        f"   {'remainder':52s} {'':2s} {k:9.3f} {100 * k / keras_ms:7.1f} "
        f"{p:9.3f} {100 * p / plain_ms:7.1f}"
    )
    w(
        f"   {'measured step (CPU time)':52s} {'':2s} {keras_ms:9.3f} {100.0:7.1f} "
        f"{plain_ms:9.3f} {100.0:7.1f}"
    )
    forward = [(n, k_us, p_us) for piece, n, k_us, p_us in components if "forward" in piece]
    overhead = sum(n * (k_us - p_us) for n, k_us, p_us in forward) / 1e3
    w(
        f"   Keras network-call overhead (forward keras - plain): {overhead:.2f} ms/step = "
        f"{100 * overhead / keras_ms:.0f}% of the Keras step, "
        f"{100 * overhead / (keras_ms - plain_ms):.0f}% of the keras-plain gap"
    )
    w("")
    fit_s, _ = _inclusive(stats, "keras/src/backend/torch/trainer.py", "fit")
    step_s, _ = _inclusive(stats, "keras_gans/gan.py", "train_step")
    w(
        f"B) cProfile of one fit call of {steps} steps: {profiled_s:.2f} s "
        f"({steps / profiled_s:.1f} steps/s; the profiler inflates Python-heavy code,"
    )
    w("   so shares of Python code are overstated). Inclusive times; a recursive")
    w("   function counts once per outermost call; indentation shows nesting.")
    w(f"   {'function':58s} {'calls':>6s} {'ms/step':>8s} {'% fit':>6s}")

    def row(label, seconds, calls):
        w(f"   {label:58s} {calls:6d} {1e3 * seconds / steps:8.3f} {100 * seconds / fit_s:6.1f}")

    for label, suffix, name in _PROFILE_TREE:
        row(label, *_inclusive(stats, suffix, name))
    row("  fit loop outside train_step (data, callbacks, ...)", fit_s - step_s, 0)
    w("   Across the tree (overlapping the rows above):")
    for label, suffix, name in _PROFILE_ACROSS:
        row("  " + label, *_inclusive(stats, suffix, name))
    w("")
    w("C) cProfile self time by where the code lives")
    for label, seconds in _self_time_by_origin(stats).items():
        w(f"   {label:58s} {1e3 * seconds / steps:8.3f} ms/step {100 * seconds / fit_s:6.1f}%")
    w("")
    for title, sort, count in (
        ("D) cProfile, top 45 by cumulative time", "cumulative", 45),
        ("E) cProfile, top 30 by self time (tottime)", "tottime", 30),
    ):
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(sort).print_stats(count)
        table = buf.getvalue()
        w(title)
        w(table[table.find("   ncalls") :].rstrip())
        w("")
    return {"text": "\n".join(lines) + "\n"}


# ------------------------------------------------------------------- parent
def _run_worker(backend, extra_args):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "worker.json")
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            f"--worker={backend}",
            f"--worker_out={out}",
            f"--steps={FLAGS.steps}",
            f"--batch_size={FLAGS.batch_size}",
            f"--units={FLAGS.units}",
            f"--repeats={FLAGS.repeats}",
            f"--spe={','.join(FLAGS.spe)}",
            f"--threads={FLAGS.threads}",
            f"--profile_steps={FLAGS.profile_steps}",
            *extra_args,
        ]
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
        env.update(_thread_env(FLAGS.threads))
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-5000:])
            raise SystemExit(f"The {backend} worker failed (exit code {proc.returncode}).")
        with open(out) as f:
            result = json.load(f)
        result["worker_wall_s"] = round(time.perf_counter() - start, 1)
        assignments = [f"{k}={env[k]}" for k in ("KERAS_BACKEND", *_thread_env(FLAGS.threads))]
        result["worker_command"] = shlex.join(["env", *assignments, *cmd])
        return result


def _table(results):
    spes = sorted(
        {
            int(k[len("keras_spe") :])
            for r in results
            for k in r["steps_per_s"]
            if k.startswith("keras_spe") and k != "keras_spe1"
        }
    )
    header = ["backend", "keras st/s", "plain st/s", "keras/plain", "keras/plain (CPU time)"]
    header += [f"spe={s} st/s (/plain)" for s in spes]
    header += ["1st call keras/plain s", "peak MB"]
    lines = [header]
    for r in results:
        sp, ratio, first = r["steps_per_s"], r["ratio_keras_over_plain"], r["first_call_s"]
        row = [
            r["backend"],
            f"{sp['keras_spe1']:.1f}",
            f"{sp['plain']:.1f}",
            f"{ratio['keras_spe1']:.3f}",
            f"{r['ratio_keras_over_plain_cpu']['keras_spe1']:.3f}",
        ]
        for s in spes:
            key = f"keras_spe{s}"
            row.append(f"{sp[key]:.1f} ({ratio[key]:.3f})" if key in sp else "n/a")
        row.append(f"{first['keras_spe1']:.2f} / {first['plain']:.2f}")
        row.append(f"{r['memory']['peak_mb']:.0f}")
        lines.append(row)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    fmt = lambda line: " | ".join(c.ljust(w) for c, w in zip(line, widths))
    return "\n".join(
        [fmt(lines[0]), "-+-".join("-" * w for w in widths)] + [fmt(line) for line in lines[1:]]
    )


def _write(path, text):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def _check_flags():
    unknown = [b for b in FLAGS.backends if b not in BACKENDS]
    if unknown:
        raise app.UsageError(f"--backends: unknown {unknown}; choose from {list(BACKENDS)}.")
    try:
        spes = [int(s) for s in FLAGS.spe]
    except ValueError:
        raise app.UsageError(f"--spe must be integers; received {FLAGS.spe}.") from None
    if not spes or min(spes) < 1 or 1 not in spes:
        raise app.UsageError(f"--spe must be positive integers including 1; received {spes}.")
    bad = [s for s in spes if FLAGS.steps % s]
    if bad:
        raise app.UsageError(f"--steps={FLAGS.steps} is not a multiple of --spe values {bad}.")


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    _check_flags()
    if FLAGS.worker:
        result = _profile_torch_worker() if FLAGS.profile_torch else _worker(FLAGS.worker)
        _write(FLAGS.worker_out, json.dumps(result))
        return

    command = shlex.join(sys.orig_argv)
    if FLAGS.profile_torch:
        text = f"command: {command}\n" + _run_worker("torch", ["--profile_torch"])["text"]
        _write(FLAGS.profile_out, text)
        print(text)
        print(f"wrote {FLAGS.profile_out}")
        return

    load_before = os.getloadavg()
    results = []
    for backend in FLAGS.backends:
        print(f"[{backend}] running ...", file=sys.stderr, flush=True)
        results.append(_run_worker(backend, []))
        print(f"[{backend}] done in {results[-1]['worker_wall_s']} s", file=sys.stderr, flush=True)
    table = _table(results)
    print(table)
    report = {
        "command": command,
        "cwd": os.getcwd(),
        "machine": _common.machine_info(),
        "load_average_before_after": [load_before, os.getloadavg()],
        "flags": {
            name: FLAGS[name].value
            for name in ("backends", "steps", "batch_size", "units", "repeats", "spe", "threads")
        },
        "model": {
            "keras": "keras_gans.VanillaGAN(data_dim=2, latent_dim=8, generator_units=(U,)*3, "
            "discriminator_units=(U,)*3); compile(d_optimizer=Adam(1e-3, beta_1=0.5), "
            "g_optimizer=Adam(1e-3, beta_1=0.5), loss='non_saturating', steps_per_execution=spe)",
            "data": "keras_gans.datasets.ring(steps * batch_size, seed=0)",
        },
        "table": table,
        "results": results,
    }
    _write(FLAGS.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {FLAGS.out}")


if __name__ == "__main__":
    app.run(main)
