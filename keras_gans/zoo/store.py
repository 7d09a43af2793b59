"""Finding, verifying and loading the zoo's weights."""

import difflib
import hashlib
import json
import os

import keras

from keras_gans.zoo.registry import PRESETS

ENV_VAR = "KERAS_GANS_ZOO_DIR"
WEIGHTS = "model.weights.h5"
CARD = "card.json"


class PresetError(Exception):
    """Base class of the zoo's errors."""


class UnknownPresetError(PresetError, KeyError):
    """The name is not a preset of the zoo."""

    def __str__(self):  # KeyError would print the message with quotes.
        return str(self.args[0])


class MissingWeightsError(PresetError, FileNotFoundError):
    """The preset is defined but its weights are nowhere to be found."""


class ChecksumError(PresetError, ValueError):
    """A weights file does not match the sha256 recorded in its card."""


def shipped_dir():
    """The folder of the weights that ship with keras_gans (the `zoo/` folder)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "files")


def cache_dir():
    """Where a user's own runs of a recipe go: `$KERAS_HOME/keras_gans/zoo`."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(home, "keras_gans", "zoo")


def search_dirs():
    """The folders searched for `<name>/card.json`, first match wins.

    `$KERAS_GANS_ZOO_DIR` (when set), the shipped `zoo/` folder, then the
    cache of the user's own runs (`cache_dir()`).
    """
    dirs = []
    if os.environ.get(ENV_VAR):
        dirs.append(os.environ[ENV_VAR])
    dirs += [shipped_dir(), cache_dir()]
    return dirs


def get(name):
    """The `Preset` called `name`; an unknown name lists the closest ones."""
    if isinstance(name, str) and name in PRESETS:
        return PRESETS[name]
    close = difflib.get_close_matches(str(name), list(PRESETS), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownPresetError(
        f"No preset named {name!r} in the zoo.{hint} Presets: {', '.join(sorted(PRESETS))}."
    )


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find(name):
    """The folder holding `name`'s card and weights, or None."""
    get(name)
    for base in search_dirs():
        folder = os.path.join(base, name)
        if os.path.isfile(os.path.join(folder, CARD)) and os.path.isfile(
            os.path.join(folder, WEIGHTS)
        ):
            return folder
    return None


def read_card(folder):
    with open(os.path.join(folder, CARD)) as f:
        return json.load(f)


def _missing(preset):
    where = "\n".join(f"  {os.path.join(d, preset.name)}" for d in search_dirs())
    if preset.ships_weights:
        why = "Its weights ship with keras_gans but were not found: the installation is incomplete."
    else:
        why = (
            f"Its weights do not ship with keras_gans: the {preset.dataset} data could not be "
            "reached where the shipped presets were trained, and this preset is only ever "
            "trained on that data (its recipe reads it through TensorFlow Datasets)."
        )
    return MissingWeightsError(
        f"No weights for the preset {preset.name!r}. {why} Looked for {CARD} and {WEIGHTS} "
        f"in:\n{where}\nProduce them with the preset's recipe (it writes into the cache, "
        f"where load() finds them):\n  {preset.recipe_command()}"
    )


def verified_files(name):
    """`(card, weights_path)` of a preset after checking the weights' sha256."""
    preset = get(name)
    folder = find(name)
    if folder is None:
        raise _missing(preset)
    card = read_card(folder)
    path = os.path.join(folder, WEIGHTS)
    expected = card.get("weights", {}).get("sha256")
    digest = file_sha256(path)
    if not expected or digest != expected:
        raise ChecksumError(
            f"The weights of the preset {name!r} at {path!r} have sha256 {digest}, but its "
            f"card ({os.path.join(folder, CARD)}) records {expected}. The file is damaged or "
            "was replaced; nothing was loaded. Reinstall keras_gans, or retrain it with:\n"
            f"  {preset.recipe_command()}"
        )
    return card, path


def build_model(preset):
    """The preset's model with fresh weights (the recipe's architecture)."""
    from keras_gans import models

    family = getattr(models, preset.family)
    model_args = dict(preset.model)
    if "image_shape" in model_args:
        model_args["image_shape"] = tuple(model_args["image_shape"])
    return family(seed=preset.seed, **model_args)


def compile_args(preset):
    """The `compile` arguments of the recipe."""
    args = {}
    if preset.loss is not None:
        args["loss"] = preset.loss
    if preset.optimizer == "toy":

        def adam():
            schedule = keras.optimizers.schedules.CosineDecay(1e-3, preset.steps, alpha=0.05)
            return keras.optimizers.Adam(schedule, beta_1=0.5)

        args["d_optimizer"] = adam()
        args["g_optimizer"] = adam()
    elif preset.optimizer is not None:
        raise ValueError(f"Unknown optimizer recipe {preset.optimizer!r}.")
    return args


def load(name, compile=True):
    """Loads a preset of the zoo: the whole model (a GAN: generator and discriminator).

    The weights file's sha256 is checked against the preset's card before
    anything is loaded. The model is ready to `generate`; with
    `compile=True` it is also compiled with the recipe's losses and
    optimisers, so `fit` goes on training it (the optimisers start afresh:
    their state is not shipped).

        gan = keras_gans.zoo.load("dcgan_mnist")
        images = gan.generate(16)          # (16, 28, 28, 1) in [-1, 1]

    Raises:
        UnknownPresetError: `name` is not a preset (the message lists the
            closest names).
        MissingWeightsError: the preset exists but no weights were found
            (the message says how to produce them).
        ChecksumError: the weights file does not match its card.
    """
    preset = get(name)
    _, path = verified_files(name)
    gan = build_model(preset)
    gan.load_weights(path)
    if compile:
        gan.compile(**compile_args(preset))
    return gan


def info(name):
    """The model card of a preset as a dict: the recipe, and what its run produced.

    Keys: `name`, `family`, `dataset`, `resolution`, `model` (constructor
    arguments), `recipe` (steps, epochs, batch size, seed, backend, command),
    `description`, `paper`, `has_weights`; and when weights were found,
    everything their card records (`parameters`, `scores`, `floor`, `protocol`,
    `training` time and machine, `weights` sha256, `samples` image).
    """
    preset = get(name)
    result = {
        "name": preset.name,
        "family": preset.family,
        "dataset": preset.dataset,
        "resolution": preset.resolution,
        "model": dict(preset.model),
        "recipe": {
            "steps": preset.steps,
            "epochs": preset.epochs,
            "batch_size": preset.batch_size,
            "seed": preset.seed,
            "backend": preset.backend,
            "optimizer": preset.optimizer or "the family's defaults",
            "loss": preset.loss or "the family's default",
            "command": preset.recipe_command(),
        },
        "description": preset.description,
        "paper": preset.paper,
        "ships_weights": preset.ships_weights,
    }
    folder = find(name)
    result["has_weights"] = folder is not None
    if folder is not None:
        card = read_card(folder)
        for key in ("parameters", "scores", "floor", "protocol", "training", "weights", "samples"):
            if key in card:
                result[key] = card[key]
        result["folder"] = folder
    return result


HEADLINE = {
    "toy": ("modes", "high_quality", "reverse_kl"),
    "image": ("fid", "precision", "recall", "is", "neg_elbo_nats"),
}


def list_presets():
    """Every preset with its family, data, resolution, parameters and headline scores.

    Returns a list of dicts (keys `name`, `family`, `dataset`,
    `resolution`, `parameters`, `scores`, `has_weights`), in registry order.
    Scores are those of the preset's card (empty when it has no weights).
    """
    rows = []
    for name, preset in PRESETS.items():
        card = info(name)
        kind = "toy" if preset.is_toy else "image"
        scores = card.get("scores", {})
        rows.append(
            {
                "name": name,
                "family": preset.family,
                "dataset": preset.dataset,
                "resolution": preset.resolution,
                "parameters": card.get("parameters"),
                "scores": {k: scores[k] for k in HEADLINE[kind] if k in scores},
                "has_weights": card["has_weights"],
            }
        )
    return rows
