"""The zoo: pretrained GANs that load in one line on every backend.

    import keras_gans
    gan = keras_gans.zoo.load("dcgan_mnist")    # weights checked against their sha256
    images = gan.generate(64)
    keras_gans.zoo.list()                        # presets, resolutions, parameters, scores
    keras_gans.zoo.info("dcgan_mnist")           # the model card

Each preset's weights, card (data, architecture, training time and machine,
scores with their protocol) and sample grid live in the repository's `zoo/`
folder, which ships inside the package. `python -m keras_gans zoo
--build=<name>` retrains a preset from scratch with its recipe.
"""

from keras_gans.zoo.registry import PRESETS, Preset
from keras_gans.zoo.store import (
    ChecksumError,
    MissingWeightsError,
    PresetError,
    UnknownPresetError,
    cache_dir,
    get,
    info,
    list_presets,
    load,
    search_dirs,
    shipped_dir,
)

list = list_presets  # noqa: A001  (`keras_gans.zoo.list()`, as promised in the docs)

__all__ = [
    "PRESETS",
    "ChecksumError",
    "MissingWeightsError",
    "Preset",
    "PresetError",
    "UnknownPresetError",
    "cache_dir",
    "get",
    "info",
    "list",
    "list_presets",
    "load",
    "search_dirs",
    "shipped_dir",
]
