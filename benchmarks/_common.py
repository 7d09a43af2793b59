"""Shared plumbing of the quality benchmarks (toy_modes.py, gaussian_1d.py).

Keras fixes its backend when it is imported, so a benchmark runs each backend
in its own worker process: the parent re-runs its own script with the same
flags plus `--worker=<backend> --worker_out=<file>`, with `KERAS_BACKEND` set
and the frameworks' thread pools sized by environment variables. Workers run
one after the other, never side by side. The worker writes its results as JSON
to `--worker_out`; the parent collects them and writes one JSON file with the
machine, the library versions and the exact commands.

Nothing here imports Keras or a framework: the parent process stays light.
"""

import datetime
import importlib.metadata
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time

BACKENDS = ("tensorflow", "jax", "torch")


# ------------------------------------------------------------------- flags
def define_common_flags(flags, out_default):
    """Defines the flags every quality benchmark has."""
    flags.DEFINE_list(
        "backends",
        list(BACKENDS),
        "Comma-separated Keras backends to run, each in its own subprocess, one after "
        "the other (tensorflow, jax, torch).",
    )
    flags.DEFINE_integer(
        "threads",
        1,
        "Size of each framework's CPU thread pools in a worker (intra- and inter-op; "
        "OMP/MKL/XLA). 0 leaves the frameworks' defaults. Default 1: on a small shared "
        "machine, PyTorch's default pool was about 45x slower per step when other jobs "
        "were running.",
        lower_bound=0,
    )
    flags.DEFINE_string("out", out_default, "Where to write the JSON results ('' for none).")
    flags.DEFINE_enum(
        "worker", None, list(BACKENDS), "Internal: run as the worker of this backend."
    )
    flags.DEFINE_string("worker_out", None, "Internal: where a worker writes its JSON.")


def check_backends(backends):
    bad = [b for b in backends if b not in BACKENDS]
    if bad or not backends:
        raise ValueError(f"--backends must be among {', '.join(BACKENDS)}; received {backends}.")
    return list(backends)


# ----------------------------------------------------------------- threads
def thread_env(threads):
    """Environment variables that size the thread pools before a framework starts."""
    if not threads:
        return {}
    n = str(threads)
    xla = os.environ.get("XLA_FLAGS", "")
    xla = " ".join(
        [xla] * bool(xla)
        + ["--xla_cpu_multi_thread_eigen=false", f"intra_op_parallelism_threads={n}"]
    )
    return {
        "OMP_NUM_THREADS": n,
        "MKL_NUM_THREADS": n,
        "OPENBLAS_NUM_THREADS": n,
        "TF_NUM_INTRAOP_THREADS": n,
        "TF_NUM_INTEROP_THREADS": n,
        "XLA_FLAGS": xla,
    }


def setup_worker(backend, threads):
    """Call first thing in a worker, before Keras is imported."""
    os.environ["KERAS_BACKEND"] = backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for key, value in thread_env(threads).items():
        os.environ.setdefault(key, value)  # the parent has set them already
    if threads and backend == "torch":
        import torch

        torch.set_num_threads(threads)
        torch.set_num_interop_threads(threads)
    if threads and backend == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    import logging

    logging.getLogger("jax._src.xla_bridge").setLevel(logging.WARNING)  # "no TPU" notices
    import keras

    if keras.config.backend() != backend:
        raise RuntimeError(
            f"Keras runs on {keras.config.backend()!r} but this worker is for {backend!r}."
        )


# ------------------------------------------------------------ subprocesses
def run_workers(script, backends, threads):
    """Runs `script` once per backend as a worker; returns `(results, commands)`.

    Each worker gets this process's own flags plus `--worker` and
    `--worker_out`; its output goes straight to this terminal.
    """
    results, commands = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            out = os.path.join(tmp, f"{backend}.json")
            argv = [sys.executable, os.path.abspath(script), *sys.argv[1:]]
            argv += [f"--worker={backend}", f"--worker_out={out}"]
            env = dict(os.environ, KERAS_BACKEND=backend, **thread_env(threads))
            env_shown = {"KERAS_BACKEND": backend, **thread_env(threads)}
            command = " ".join(
                ["env", *(shlex.quote(f"{k}={v}") for k, v in env_shown.items())]
                + [shlex.quote(a) for a in argv]
            )
            commands.append(command)
            print(f"\n=== {backend} worker ===", flush=True)
            start = time.perf_counter()
            proc = subprocess.run(argv, env=env, check=False)
            seconds = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(f"The {backend} worker failed (exit {proc.returncode}).")
            with open(out) as f:
                result = json.load(f)
            result["worker_wall_s"] = round(seconds, 1)
            result["worker_command"] = command
            print(f"=== {backend} worker done in {seconds:.0f} s ===", flush=True)
            results.append(result)
    return results, commands


def write_worker_json(path, payload):
    # Non-finite floats stay floats (Python's JSON reads Infinity/NaN back).
    with open(path, "w") as f:
        json.dump(clean(payload, nonfinite=False), f)


# ---------------------------------------------------------------- machine
def _version(*dists):
    for dist in dists:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def git_info():
    """The repository's commit and whether keras_gans/ differs from it."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def git(*args):
        try:
            proc = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=False
            )
        except OSError:
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    status = git("status", "--porcelain", "--", "keras_gans")
    return {
        "commit": git("rev-parse", "HEAD"),
        "keras_gans_modified": None if status is None else bool(status),
    }


def gpu_info():
    """The NVIDIA GPUs `nvidia-smi` lists, or a note that there are none."""
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "none (CPU only)"
    return "; ".join(line.strip() for line in out.splitlines()) or "none (CPU only)"


def machine_info():
    """The machine and library versions, read without importing any framework."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = None
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "gpu": gpu_info(),
        "git": git_info(),
        "versions": {
            "keras": _version("keras"),
            "tensorflow": _version("tensorflow", "tensorflow-cpu", "tensorflow_cpu"),
            "jax": _version("jax"),
            "jaxlib": _version("jaxlib"),
            "torch": _version("torch"),
            "numpy": _version("numpy"),
            "keras_gans": _version("keras_gans", "keras-gans"),
        },
    }


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def command_line():
    """The command as typed, relative to the working directory."""
    script = os.path.relpath(sys.argv[0]) if sys.argv else "?"
    return " ".join(["python", shlex.quote(script), *(shlex.quote(a) for a in sys.argv[1:])])


def write_results(path, payload):
    """Writes `payload` as JSON to `path`, creating its folder."""
    if not path:
        return
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w") as f:
        json.dump(clean(payload), f, indent=1, allow_nan=False)
        f.write("\n")
    print(f"wrote {path}")


def header(start_time, start_load, start_git=None):
    """The common head of a results file; `start_git` is `git_info()` at the start."""
    return {
        "command": command_line(),
        "cwd": os.getcwd(),
        "started": start_time,
        "finished": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "load_average_before_after": [start_load, load_average()],
        "git_before": start_git,
        "note": "CPU only; the runs shared the CPU with other jobs on the machine.",
    }


def now():
    return datetime.datetime.now().isoformat(timespec="seconds")


# ------------------------------------------------------------- statistics
def clean(value, nonfinite=True):
    """numpy becomes Python; with `nonfinite`, inf/nan become strings (strict JSON)."""
    if isinstance(value, dict):
        return {str(k): clean(v, nonfinite) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v, nonfinite) for v in value]
    if hasattr(value, "tolist"):
        return clean(value.tolist(), nonfinite)
    if nonfinite and isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def mean_std(values):
    """Mean and sample standard deviation (ddof=1; 0 for one value)."""
    values = [float(v) for v in values]  # float("inf") also reads the string "inf"
    if not values:
        return float("nan"), float("nan")
    mean = sum(values) / len(values)
    if len(values) < 2 or not math.isfinite(mean):
        return mean, 0.0 if math.isfinite(mean) else float("nan")
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)


def fmt_mean_std(values, digits=1, scale=1.0):
    mean, std = mean_std([float(v) * scale for v in values])
    if not math.isfinite(mean):
        return "inf" if mean == float("inf") else "n/a"
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def table(headers, rows):
    """A plain-text table with `|` separators (also valid Markdown)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in rows)])
