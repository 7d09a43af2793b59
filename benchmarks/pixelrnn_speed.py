"""PixelRNN's Row LSTM against its Diagonal BiLSTM: compile time, step speed, memory.

What is compared
----------------
`keras_gans.models.PixelRNN(image_shape=(S, S, 1), units=U, num_layers=L,
kind=...)` (S = --size, U = --units, L = --num_layers) in three variants:

- `row_lstm`: the Row LSTM (a Python loop over the S rows, unrolled);
- `diagonal_scan`: the Diagonal BiLSTM with its loop over the 2S - 1 skewed
  columns as one `keras.ops.scan` (the layer's default);
- `diagonal_unrolled`: the same layer with `unroll=True` (a Python loop,
  unrolled into the graph).

Each variant is compiled with the model's defaults (`Adam(1e-3)`) and
trained with `fit` on random binary images, batch --batch_size.

Protocol
--------
Each backend runs in its own worker process, one after the other. In a
worker, a throwaway 4x4 PixelCNN is trained for one step first (the
frameworks' one-off start-up costs); then, for each variant, the first
`fit` call of one step is timed alone ("first_fit_s": tracing and
compilation included), then the first `predict_on_batch` call
("first_forward_s"; sampling calls it once per pixel). Then --repeats
rounds, each running every variant for one `fit` call of --steps steps
(variants interleaved so they share the background load); the reported
speed is the median over rounds of steps / seconds, and a forward pass is
timed the same way (median of --steps calls). Peak resident memory
(`ru_maxrss`, which only grows) is read after each variant's first calls:
the growth from the previous reading is what that variant added.

    python benchmarks/pixelrnn_speed.py --backends=jax,tensorflow,torch \\
        --out=benchmarks/results/pixelrnn_speed.json
"""

import os
import resource
import statistics
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

_common.define_common_flags(flags, "benchmarks/results/pixelrnn_speed.json")
flags.DEFINE_integer("size", 28, "Image side.", lower_bound=2)
flags.DEFINE_integer("units", 16, "LSTM units.", lower_bound=1)
flags.DEFINE_integer("num_layers", 2, "LSTM layers.", lower_bound=1)
flags.DEFINE_integer("batch_size", 16, "Training batch size.", lower_bound=1)
flags.DEFINE_integer("steps", 5, "Steps per timed block.", lower_bound=1)
flags.DEFINE_integer("repeats", 3, "Timed rounds.", lower_bound=1)
flags.DEFINE_list(
    "variants", ["row_lstm", "diagonal_scan", "diagonal_unrolled"], "Variants to run."
)
FLAGS = flags.FLAGS

VARIANTS = {
    "row_lstm": ("row_lstm", False),
    "diagonal_scan": ("diagonal_bilstm", False),
    "diagonal_unrolled": ("diagonal_bilstm", True),
}


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker():
    _common.setup_worker(FLAGS.worker, FLAGS.threads)
    import numpy as np

    from keras_gans import models

    size = FLAGS.size
    rng = np.random.default_rng(0)
    x = (rng.random((FLAGS.batch_size * FLAGS.steps, size, size, 1)) > 0.5).astype("float32")
    one = x[: FLAGS.batch_size]
    # One-off framework start-up costs (first compilation, thread pools) go
    # to a throwaway model, not to the first variant.
    warm = models.PixelCNN(image_shape=(4, 4, 1), filters=2, num_layers=1, seed=0)
    warm.compile()
    warm.fit(one[:, :4, :4], batch_size=FLAGS.batch_size, epochs=1, verbose=0)
    np.asarray(warm.predict_on_batch(one[:, :4, :4]))
    built, rows = {}, {}
    memory = _peak_mb()
    rows["_imports_peak_mb"] = memory
    for name in FLAGS.variants:
        kind, unroll = VARIANTS[name]
        model = models.PixelRNN(
            image_shape=(size, size, 1),
            units=FLAGS.units,
            num_layers=FLAGS.num_layers,
            kind=kind,
            seed=0,
        )
        if kind == "diagonal_bilstm":
            # A benchmark knob: the layer reads `unroll` when it is traced.
            for rnn in model.rnns:
                rnn.unroll = unroll
        model.compile()
        start = time.perf_counter()
        model.fit(one, batch_size=FLAGS.batch_size, epochs=1, verbose=0)
        first_fit = time.perf_counter() - start
        start = time.perf_counter()
        np.asarray(model.predict_on_batch(one))
        first_forward = time.perf_counter() - start
        peak = _peak_mb()
        rows[name] = {
            "kind": kind,
            "unroll": unroll,
            "params": model.count_params(),
            "first_fit_s": first_fit,
            "first_forward_s": first_forward,
            "peak_rss_mb_after_first_calls": peak,
            "peak_rss_growth_mb": peak - memory,
            "steps_per_second": [],
            "forward_ms": [],
        }
        memory = peak
        built[name] = model
    for r in range(FLAGS.repeats):
        order = FLAGS.variants if r % 2 == 0 else FLAGS.variants[::-1]
        for name in order:
            model = built[name]
            start = time.perf_counter()
            model.fit(x, batch_size=FLAGS.batch_size, epochs=1, verbose=0, shuffle=False)
            np.asarray(model.trainable_variables[0].numpy())
            rows[name]["steps_per_second"].append(FLAGS.steps / (time.perf_counter() - start))
            start = time.perf_counter()
            for _ in range(FLAGS.steps):
                np.asarray(model.predict_on_batch(one))
            rows[name]["forward_ms"].append(1000 * (time.perf_counter() - start) / FLAGS.steps)
    for name in FLAGS.variants:
        row = rows[name]
        row["median_steps_per_second"] = statistics.median(row["steps_per_second"])
        row["median_forward_ms"] = statistics.median(row["forward_ms"])
    rows["_final_peak_rss_mb"] = _peak_mb()
    _common.write_worker_json(FLAGS.worker_out, {"backend": FLAGS.worker, "variants": rows})


def main(argv):
    del argv
    bad = [v for v in FLAGS.variants if v not in VARIANTS]
    if bad:
        raise ValueError(f"--variants must be among {list(VARIANTS)}; received {bad}.")
    if FLAGS.worker:
        return worker()
    start_time, start_load, start_git = _common.now(), _common.load_average(), _common.git_info()
    backends = _common.check_backends(FLAGS.backends)
    results, commands = _common.run_workers(__file__, backends, FLAGS.threads)
    lines = []
    for result in results:
        for name in FLAGS.variants:
            row = result["variants"][name]
            lines.append(
                [
                    result["backend"],
                    name,
                    f"{row['first_fit_s']:.1f}",
                    f"{row['median_steps_per_second']:.2f}",
                    f"{row['median_forward_ms']:.1f}",
                    f"{row['peak_rss_growth_mb']:.0f}",
                ]
            )
    print(
        _common.table(
            [
                "backend",
                "variant",
                "first fit (s)",
                "steps/s",
                "forward (ms)",
                "peak RSS growth (MB)",
            ],
            lines,
        )
    )
    payload = {
        **_common.header(start_time, start_load, start_git),
        "settings": {
            "size": FLAGS.size,
            "units": FLAGS.units,
            "num_layers": FLAGS.num_layers,
            "batch_size": FLAGS.batch_size,
            "steps": FLAGS.steps,
            "repeats": FLAGS.repeats,
            "threads": FLAGS.threads,
        },
        "worker_commands": commands,
        "results": results,
    }
    _common.write_results(FLAGS.out, payload)


if __name__ == "__main__":
    app.run(main)
