"""The recipe of a preset: train it from scratch, score it, write its folder.

`python -m keras_gans zoo --build=<name>` calls `build(name)`. The folder
it writes (`--out_dir`, default `cache_dir()/<name>`, where `load` finds it)
holds:

- `model.weights.h5`: the whole GAN's weights (generator and discriminator);
- `card.json`: the recipe, parameter counts, training time and machine, the
  scores with their protocol, and the weights' sha256;
- `README.md`: the same card for people;
- `samples.png`: a sample grid (image presets) or a scatter plot (toys);
- `reference.npz`: fixed generator inputs and the outputs they gave, which
  the test suite compares on every backend.

The folder is assembled beside its destination and moved into place at the
end, so a run that fails or is killed leaves the previous folder untouched.
"""

import datetime
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time

import keras
import numpy as np

from keras_gans import callbacks, datasets
from keras_gans.datasets import stream
from keras_gans.plotting import plot_samples_2d
from keras_gans.utils import TMP_PREFIX, _umask, check_positive_int
from keras_gans.zoo import scoring
from keras_gans.zoo.store import (
    CARD,
    WEIGHTS,
    build_model,
    cache_dir,
    compile_args,
    file_sha256,
    get,
    read_card,
)

REFERENCE = "reference.npz"
SAMPLES = "samples.png"
REFERENCE_SEED = 2024
REFERENCE_COUNT = 8


def _cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _load_average():
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def _git_commit():
    here = os.path.dirname(os.path.abspath(__file__))
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _versions():
    from importlib import metadata

    out = {}
    for dist in ("keras", "tensorflow", "tensorflow-cpu", "jax", "torch", "numpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _training_data(preset, data_dir, conditional, steps_per_epoch):
    """`(data, fit arguments)` of the recipe."""
    if preset.is_toy:
        make = datasets.ring if preset.dataset == "ring" else datasets.grid
        data = make(preset.batch_size * steps_per_epoch, seed=preset.seed)
        return data, {"batch_size": preset.batch_size}
    if preset.is_likelihood:
        # Binarized once (seed 0), as `benchmarks/generative_compare.py` does;
        # numpy arrays, so the recipe needs no tf.data.
        # An endless seeded stream, so every epoch runs all its steps.
        x, _ = datasets.load_binarized(preset.dataset, "train", seed=0, data_dir=data_dir)
        data = stream.ArrayStream((x,), preset.batch_size, seed=preset.seed, infinite=True)
        return data, {"steps_per_epoch": steps_per_epoch}
    if preset.dataset == "lsun_bedroom":
        data = datasets.load_lsun_bedroom(
            data_dir=data_dir, batch_size=preset.batch_size, seed=preset.seed
        )
    else:
        data = datasets.load(
            preset.dataset,
            "train",
            data_dir=data_dir,
            batch_size=preset.batch_size,
            labels=conditional,
            seed=preset.seed,
        )
    return data.repeat(), {"steps_per_epoch": steps_per_epoch}


def render_card(card):
    """The model card as markdown (the preset folder's README.md)."""
    lines = [f"# {card['name']}", "", card["description"], ""]
    lines += [
        f"- Family: `{card['family']}` ({card['paper']})",
        f"- Data: `{card['dataset']}`, resolution {card['resolution']}",
        f"- Model arguments: `{json.dumps(card['model'])}`",
        "- Parameters: " + ", ".join(f"{k} {v:,}" for k, v in card["parameters"].items()),
    ]
    r = card["recipe"]
    t = card["training"]
    lines += [
        f"- Training: {r['steps']:,} steps of batch {r['batch_size']} in {r['epochs']} epochs, "
        f"seed {r['seed']}, optimizer: {r['optimizer']}, loss: {r['loss']}",
        f"- Time: {t['seconds']:,.0f} s ({t['steps_per_second']:.2f} steps/s) with the "
        f"{t['backend']} backend on {t['machine']}"
        + (
            f" (load average {t['load_average'][0]} at the start, {t['load_average'][1]} at "
            "the end)"
            if t.get("load_average")
            else ""
        ),
        f"- Versions: {', '.join(f'{k} {v}' for k, v in t['versions'].items())}; "
        f"keras_gans commit {t.get('commit') or 'unknown'}; trained {t['date']}",
        f"- Weights: `{card['weights']['file']}`, sha256 `{card['weights']['sha256']}`",
        "",
        "## Reproduce",
        "",
        "```",
        r["command"],
        "```",
        "",
        "## Scores",
        "",
    ]
    floor = card.get("floor") or {}
    lines += (
        ["| metric | model | real data (floor) |", "|---|---|---|"]
        if floor
        else ["| metric | model |", "|---|---|"]
    )
    for key, value in card["scores"].items():
        if key == "image_range":
            continue
        if floor:
            f = floor.get(key)
            lines.append(f"| {key} | {_fmt(value)} | {_fmt(f) if f is not None else ''} |")
        else:
            lines.append(f"| {key} | {_fmt(value)} |")
    lines += ["", f"Protocol: {card['protocol']}", "", f"![samples]({card['samples']})", ""]
    return "\n".join(lines)


LIKELIHOOD_PROTOCOL = (
    "Likelihood: the model trains on the train split binarized once "
    "(`keras_gans.datasets.load_binarized`, stochastic, seed 0); `neg_elbo_nats` is its "
    "negative ELBO (one z draw per image, an upper bound on the NLL) on the 10,000 test "
    "images binarized the same way (seed 1), in nats per image; samples are the decoder's "
    "mean images."
)


def _parameters(model):
    """Parameter counts per network and in all."""
    parts = ("generator", "discriminator")
    if not all(hasattr(model, p) for p in parts):
        parts = ("encoder", "decoder")
    out = {p: int(getattr(model, p).count_params()) for p in parts if hasattr(model, p)}
    out["total"] = int(model.count_params())
    return out


def _likelihood_scores(model, preset, data_dir):
    """The likelihood of the binarized test set (seed 0), in nats per image."""
    x, _ = datasets.load_binarized(preset.dataset, "test", seed=0, data_dir=data_dir)
    nats = float(np.mean(model.negative_elbo(x, seed=preset.seed)))
    return {
        "neg_elbo_nats": nats,
        "neg_elbo_bits_per_dim": model.bits_per_dim(nats),
        "likelihood_images": int(len(x)),
    }


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _write_samples(gan, preset, path):
    if preset.is_toy:
        make = datasets.ring if preset.dataset == "ring" else datasets.grid
        modes = (datasets.ring_modes if preset.dataset == "ring" else datasets.grid_modes)()
        plot_samples_2d(
            make(2500, seed=1),
            gan.generate(**gan.grid_inputs(2500, seed=REFERENCE_SEED)),
            path,
            means=modes,
            title=preset.name,
        )
        return
    grid = callbacks.SampleGrid(path, num_samples=100, seed=REFERENCE_SEED)
    grid.set_model(gan)
    grid.write(0)


def _export_weights(gan, preset, path):
    """Saves the networks' weights alone: no optimizer state (it would triple the file)."""
    export = build_model(preset)
    export.set_weights(gan.get_weights())
    export.save_weights(path)


def _check_export(path, preset, inputs, outputs):
    """The saved file must reproduce the trained model's outputs exactly."""
    reloaded = build_model(preset)
    reloaded.load_weights(path)
    again = reloaded.generate(**inputs)
    if not np.allclose(again, outputs, rtol=0, atol=1e-6):
        raise RuntimeError(
            "The exported weights do not reproduce the trained model (max difference "
            f"{np.abs(again - outputs).max():.3g}); nothing was written."
        )


def build(name, data_dir=None, out_dir=None, num_samples=10000, steps=None, verbose=2):
    """Trains the preset `name` from scratch with its recipe and writes its folder.

    `steps` shortens (or lengthens) the recipe, for trials: the card then
    records the steps actually run and the command that ran them.

    Returns the card (a dict). See the module docstring for the files.
    """
    preset = get(name)
    out_dir = os.path.abspath(out_dir or os.path.join(cache_dir(), preset.name))
    parent = os.path.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    keras.utils.set_random_seed(preset.seed)
    gan = build_model(preset)
    gan.compile(**compile_args(preset))
    if steps is not None:
        check_positive_int(steps, "steps")
    steps_per_epoch = preset.steps_per_epoch if steps is None else -(-steps // preset.epochs)
    data, fit_args = _training_data(
        preset, data_dir, bool(getattr(gan, "conditional", False)), steps_per_epoch
    )
    if verbose:
        print(
            f"Training {preset.name} ({preset.family} on {preset.dataset}) with the "
            f"{keras.config.backend()} backend: {steps_per_epoch * preset.epochs:,} steps of batch "
            f"{preset.batch_size}."
        )
    load_before = _load_average()
    commit = _git_commit()  # the code that trains, not whatever is checked out at the end
    start = time.perf_counter()
    history = gan.fit(data, epochs=preset.epochs, verbose=verbose, **fit_args)
    seconds = time.perf_counter() - start
    steps = steps_per_epoch * preset.epochs
    work = tempfile.mkdtemp(prefix=TMP_PREFIX + preset.name + ".", dir=parent)
    try:
        weights = os.path.join(work, WEIGHTS)
        _export_weights(gan, preset, weights)
        if verbose:
            print(f"Scoring {preset.name} on {num_samples:,} samples.")
        scores, protocol_text = scoring.score(
            gan, preset.dataset, num_samples=num_samples, data_dir=data_dir, progress=bool(verbose)
        )
        if preset.is_likelihood:
            scores.update(_likelihood_scores(gan, preset, data_dir))
            protocol_text += " " + LIKELIHOOD_PROTOCOL
        floor = (
            {}
            if preset.is_toy
            else scoring.floor(preset.dataset, num_samples=num_samples, data_dir=data_dir)
        )
        inputs = gan.grid_inputs(REFERENCE_COUNT, seed=REFERENCE_SEED)
        outputs = gan.generate(**inputs)
        _check_export(weights, preset, inputs, outputs)
        np.savez(os.path.join(work, REFERENCE), outputs=outputs, **inputs)
        _write_samples(gan, preset, os.path.join(work, SAMPLES))
        card = {
            "name": preset.name,
            "family": preset.family,
            "dataset": preset.dataset,
            "resolution": preset.resolution,
            "description": preset.description,
            "paper": preset.paper,
            "model": dict(preset.model),
            "recipe": {
                "steps": steps,
                "epochs": preset.epochs,
                "batch_size": preset.batch_size,
                "seed": preset.seed,
                "optimizer": preset.optimizer_text,
                "loss": preset.loss or "the family's default",
                "command": preset.recipe_command()
                + ("" if steps == preset.steps else f" --steps={steps}"),
            },
            "parameters": _parameters(gan),
            "training": {
                "seconds": round(seconds, 1),
                "steps_per_second": round(steps / seconds, 3),
                "backend": keras.config.backend(),
                "machine": f"{_cpu_name()}, {os.cpu_count()} cores, no GPU"
                if not os.environ.get("KERAS_GANS_MACHINE")
                else os.environ["KERAS_GANS_MACHINE"],
                "threads": os.environ.get("OMP_NUM_THREADS"),
                # Other jobs on the machine slow a run down: the 1-minute load
                # average at the start and at the end of training.
                "load_average": [load_before, _load_average()],
                "versions": _versions(),
                "commit": commit,
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "final_losses": {
                    k: float(v[-1]) for k, v in history.history.items() if k.endswith("loss")
                },
            },
            "scores": scores,
            "floor": floor,
            "protocol": protocol_text,
            "weights": {
                "file": WEIGHTS,
                "sha256": file_sha256(weights),
                "bytes": os.path.getsize(weights),
            },
            "samples": SAMPLES,
            "reference": REFERENCE,
        }
        with open(os.path.join(work, CARD), "w") as f:
            json.dump(card, f, indent=1)
            f.write("\n")
        with open(os.path.join(work, "README.md"), "w") as f:
            f.write(render_card(card))
        os.chmod(work, 0o777 & ~_umask())
        _replace_dir(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if verbose:
        print(f"Wrote {out_dir}: {json.dumps(scores)}")
    return card


def refresh(folder, floor=False, data_dir=None, num_samples=10000):
    """Rewrites a preset folder's card text from the registry, without retraining.

    For changes of wording (description, paper, optimizer text); with
    `floor=True` it also recomputes the real-data floor and the protocol
    text (they depend on the data and the protocol, not on the model). The
    weights, the model's scores and the hash are left as they are.
    """
    card = read_card(folder)
    preset = get(card["name"])
    card["description"] = preset.description
    card["paper"] = preset.paper
    card["recipe"]["optimizer"] = preset.optimizer_text
    if floor and not preset.is_toy:
        card["floor"] = scoring.floor(preset.dataset, num_samples=num_samples, data_dir=data_dir)
        card["protocol"] = scoring.protocol(
            preset.dataset, num_samples, scoring.check_metrics(None, preset.dataset)
        )
    with open(os.path.join(folder, CARD), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(render_card(card))
    return card


def _replace_dir(new, dest):
    """Moves the folder `new` to `dest`, replacing an older `dest` only at the end."""
    old = None
    if os.path.exists(dest):
        old = tempfile.mkdtemp(prefix=TMP_PREFIX + "old.", dir=os.path.dirname(dest))
        os.rmdir(old)
        os.rename(dest, old)
    os.rename(new, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
