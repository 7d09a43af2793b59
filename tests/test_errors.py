"""The sweep of bad inputs over the public entry points, checked against docs/errors.md.

Each row of `CASES` is one bad input: the entry point, what is wrong, the call,
the error type and a message excerpt (a regular expression) that names the
argument. `docs/errors.md` holds the same table; regenerate it with
`python tests/test_errors.py > docs/errors.md` after changing `CASES`.
"""

import os
import re
import sys
import tempfile

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
from test_case import ROOT  # noqa: E402

import keras_gans  # noqa: E402
from keras_gans import callbacks, datasets, models  # noqa: E402

DOC = os.path.join(ROOT, "docs", "errors.md")


def vanilla(**kw):
    return keras_gans.VanillaGAN(
        data_dim=2, latent_dim=4, generator_units=(8,), discriminator_units=(8,), seed=0, **kw
    )


def compiled():
    gan = vanilla()
    gan.compile()
    return gan


def tiny(cls=models.DCGAN, **kw):
    args = dict(image_shape=(8, 8, 1), generator_filters=4, discriminator_filters=4, seed=0)
    if cls is not models.InfoGAN:
        args["latent_dim"] = 4
    args.update(kw)
    return cls(**args)


def cgan():
    gan = tiny(models.ConditionalGAN, num_classes=3)
    gan.compile()
    return gan


def images(n=8):
    return np.zeros((n, 8, 8, 1), "float32")


def with_nan():
    x = datasets.ring(16, seed=0)
    x[3, 1] = np.nan
    return x


def labels_dataset(bad):
    import tensorflow as tf

    y = np.array([0, 1, 2, bad] * 2, "int32")
    return tf.data.Dataset.from_tensor_slices((images(), y)).batch(4)


def flags(*argv):
    from keras_gans.__main__ import FLAGS

    try:
        FLAGS(["keras_gans", *argv])
    finally:
        FLAGS.unparse_flags()


def command(*argv):
    from absl import app

    from keras_gans.__main__ import _run

    try:
        _run(["keras_gans", *argv])
    except app.UsageError as e:
        raise ValueError(str(e)) from None


def missing_dir():
    return os.path.join(ROOT, "no_such_folder_for_tests")


# (entry point, bad input, call, error type, message excerpt naming the argument)
CASES = [
    # ----------------------------------------------------------- constructors
    (
        "GAN",
        "generator not a Keras model",
        lambda: keras_gans.GAN("g", vanilla().discriminator),
        TypeError,
        "`generator` must be a Keras model",
    ),
    (
        "GAN",
        "same model twice",
        lambda: (
            keras_gans.GAN(vanilla().generator, vanilla().generator) if False else _same_model()
        ),
        ValueError,
        "`generator` and `discriminator` must be two different",
    ),
    (
        "GAN",
        "latent_dim=0",
        lambda: keras_gans.GAN(vanilla().generator, vanilla().discriminator, latent_dim=0),
        ValueError,
        "`latent_dim` must be a positive integer",
    ),
    (
        "GAN",
        "seed=-1",
        lambda: keras_gans.GAN(vanilla().generator, vanilla().discriminator, seed=-1),
        ValueError,
        "`seed` must be a non-negative integer",
    ),
    (
        "VanillaGAN",
        "data_dim=0",
        lambda: keras_gans.VanillaGAN(data_dim=0),
        ValueError,
        "`data_dim` must be a positive integer",
    ),
    (
        "VanillaGAN",
        "latent_dim=2.5",
        lambda: keras_gans.VanillaGAN(latent_dim=2.5),
        ValueError,
        "`latent_dim` must be a positive integer",
    ),
    (
        "VanillaGAN",
        "generator_units=(16, 0)",
        lambda: keras_gans.VanillaGAN(generator_units=(16, 0)),
        ValueError,
        "`generator_units` must be a positive integer",
    ),
    (
        "VanillaGAN",
        "discriminator_dropout=1.5",
        lambda: keras_gans.VanillaGAN(discriminator_dropout=1.5),
        ValueError,
        r"`discriminator_dropout` must be .*\[0, 1\)",
    ),
    (
        "VanillaGAN",
        "seed='0'",
        lambda: keras_gans.VanillaGAN(seed="0"),
        ValueError,
        "`seed` must be a non-negative integer",
    ),
    (
        "DCGAN",
        "image_shape=(28, 28)",
        lambda: models.DCGAN(image_shape=(28, 28)),
        ValueError,
        "`image_shape`",
    ),
    (
        "DCGAN",
        "image_shape=(7, 7, 1)",
        lambda: models.DCGAN(image_shape=(7, 7, 1)),
        ValueError,
        "`image_shape`",
    ),
    (
        "DCGAN",
        "upsampling='bilinear'",
        lambda: tiny(upsampling="bilinear"),
        ValueError,
        "`upsampling`",
    ),
    (
        "DCGAN",
        "generator_normalization='group'",
        lambda: tiny(generator_normalization="group"),
        ValueError,
        "normalization",
    ),
    (
        "DCGAN",
        "kernel_size=0",
        lambda: tiny(kernel_size=0),
        ValueError,
        "`kernel_size` must be a positive integer",
    ),
    (
        "DCGAN",
        "generator_filters=-4",
        lambda: tiny(generator_filters=-4),
        ValueError,
        "`generator_filters` must be a positive integer",
    ),
    (
        "ConditionalGAN",
        "num_classes=0",
        lambda: tiny(models.ConditionalGAN, num_classes=0),
        ValueError,
        "`num_classes` must be a positive integer",
    ),
    (
        "WGAN",
        "clip_value=0",
        lambda: tiny(models.WGAN, clip_value=0),
        ValueError,
        "`clip_value` must be a finite number > 0",
    ),
    (
        "WGANGP",
        "gp_weight=-1",
        lambda: tiny(models.WGANGP, gp_weight=-1),
        ValueError,
        "`gp_weight` must be a finite number >= 0",
    ),
    (
        "WGANGP",
        "discriminator_normalization='batch'",
        lambda: tiny(models.WGANGP, discriminator_normalization="batch"),
        ValueError,
        "discriminator_normalization",
    ),
    (
        "InfoGAN",
        "num_categories=1",
        lambda: tiny(models.InfoGAN, num_categories=1),
        ValueError,
        "`num_categories` must be 0 or at least 2",
    ),
    (
        "InfoGAN",
        "latent_dim given",
        lambda: tiny(models.InfoGAN, latent_dim=10),
        ValueError,
        "`latent_dim`",
    ),
    (
        "InfoGAN",
        "noise_dim=0",
        lambda: tiny(models.InfoGAN, noise_dim=0),
        ValueError,
        "`noise_dim` must be a positive integer",
    ),
    # ---------------------------------------------------------------- compile
    (
        "compile",
        "optimizer= (one optimizer)",
        lambda: vanilla().compile(optimizer="adam"),
        TypeError,
        "`d_optimizer` and `g_optimizer` instead of `optimizer`",
    ),
    (
        "compile",
        "d_optimizer='nope'",
        lambda: vanilla().compile(d_optimizer="nope"),
        ValueError,
        "`d_optimizer` must be a Keras optimizer",
    ),
    (
        "compile",
        "same optimizer object twice",
        lambda: _same_optimizer(),
        ValueError,
        "`d_optimizer` and `g_optimizer` are the same object",
    ),
    ("compile", "loss='nope'", lambda: vanilla().compile(loss="nope"), ValueError, "loss"),
    (
        "compile",
        "n_critic=0",
        lambda: vanilla().compile(n_critic=0),
        ValueError,
        "`n_critic` must be an integer >= 1",
    ),
    (
        "compile",
        "label_smoothing=1.0",
        lambda: vanilla().compile(label_smoothing=1.0),
        ValueError,
        r"`label_smoothing` must be in \[0, 1\)",
    ),
    (
        "compile",
        "label_smoothing with wasserstein",
        lambda: vanilla().compile(loss="wasserstein", label_smoothing=0.1),
        ValueError,
        "`label_smoothing` has no meaning",
    ),
    (
        "compile",
        "feature_matching=3",
        lambda: vanilla().compile(feature_matching=3),
        TypeError,
        "`feature_matching` must be True, False or a layer name",
    ),
    (
        "compile",
        "feature_matching='no_layer'",
        lambda: vanilla().compile(feature_matching="no_layer"),
        ValueError,
        "`feature_matching`='no_layer' is not a layer",
    ),
    (
        "compile",
        "historical_averaging=-1",
        lambda: vanilla().compile(historical_averaging=-1),
        ValueError,
        "`historical_averaging` must be a finite number >= 0",
    ),
    (
        "compile",
        "on_nonfinite='ignore'",
        lambda: vanilla().compile(on_nonfinite="ignore"),
        ValueError,
        "`on_nonfinite` must be one of",
    ),
    # -------------------------------------------------------------- fit data
    (
        "fit",
        "before compile",
        lambda: vanilla().fit(datasets.ring(8)),
        RuntimeError,
        r"Call `compile\(\)` before `fit\(\)`",
    ),
    (
        "fit",
        "x of the wrong sample shape",
        lambda: compiled().fit(np.zeros((8, 3), "float32"), verbose=0),
        ValueError,
        r"`x` has samples of shape \(3,\)",
    ),
    (
        "fit",
        "x of strings",
        lambda: compiled().fit(np.array([["a", "b"]] * 4), verbose=0),
        TypeError,
        "`x` must hold numbers",
    ),
    (
        "fit",
        "x with NaN",
        lambda: compiled().fit(with_nan(), verbose=0),
        ValueError,
        "`x` contains 1 NaN or infinite",
    ),
    (
        "fit",
        "x empty",
        lambda: compiled().fit(np.zeros((0, 2), "float32"), verbose=0),
        ValueError,
        "`x` is empty",
    ),
    (
        "fit",
        "batch_size=0",
        lambda: compiled().fit(datasets.ring(8), batch_size=0, verbose=0),
        ValueError,
        "`batch_size` must be a positive integer",
    ),
    (
        "fit",
        "y of another length",
        lambda: compiled().fit(datasets.ring(8), np.zeros(5), verbose=0),
        ValueError,
        "`y` has 5 entries but `x` has 8",
    ),
    (
        "fit",
        "validation_data",
        lambda: compiled().fit(datasets.ring(8), validation_data=datasets.ring(8), verbose=0),
        NotImplementedError,
        "`fit\\(validation_data=...\\)` are not supported",
    ),
    (
        "fit",
        "tf.data of the wrong sample shape",
        lambda: compiled().fit(_dataset(np.zeros((8, 3), "float32")), verbose=0),
        ValueError,
        r"Training samples have shape \(3,\)",
    ),
    (
        "fit",
        "tf.data of strings",
        lambda: compiled().fit(_dataset(np.array(["a"] * 8)), verbose=0),
        TypeError,
        "`x` must hold numbers",
    ),
    (
        "ConditionalGAN.fit",
        "y out of range (numpy)",
        lambda: cgan().fit(images(), np.array([0, 1, 2, 3] * 2), verbose=0),
        ValueError,
        r"`y` must lie in \[0, 3\)",
    ),
    (
        "ConditionalGAN.fit",
        "y negative (numpy)",
        lambda: cgan().fit(images(), np.array([0, -1] * 4), verbose=0),
        ValueError,
        r"`y` must lie in \[0, 3\)",
    ),
    (
        "ConditionalGAN.fit",
        "y not integers (numpy)",
        lambda: cgan().fit(images(), np.full(8, 0.5), verbose=0),
        TypeError,
        "`y` must be int class indices",
    ),
    (
        "ConditionalGAN.fit",
        "labels out of range (tf.data)",
        lambda: cgan().fit(labels_dataset(3), verbose=0),
        ValueError,
        r"labels of a training batch must lie in \[0, 3\); received values from 0 to 3",
    ),
    (
        "ConditionalGAN.fit",
        "no labels",
        lambda: cgan().fit(images(), verbose=0),
        ValueError,
        r"trains on \(images, labels\) batches",
    ),
    # ---------------------------------------------------------------- generate
    (
        "generate",
        "neither n nor z",
        lambda: vanilla().generate(),
        ValueError,
        "Pass exactly one of `n`",
    ),
    (
        "generate",
        "n=0",
        lambda: vanilla().generate(0),
        ValueError,
        "`n` must be a positive integer",
    ),
    (
        "generate",
        "z of the wrong shape",
        lambda: vanilla().generate(z=np.zeros((2, 3))),
        ValueError,
        r"`z` must have shape \(num_samples, 4\)",
    ),
    (
        "generate",
        "batch_size=0",
        lambda: vanilla().generate(2, batch_size=0),
        ValueError,
        "`batch_size` must be a positive integer",
    ),
    (
        "generate",
        "labels on an unconditional GAN",
        lambda: vanilla().generate(2, labels=[0, 1]),
        ValueError,
        "`labels` was given",
    ),
    (
        "ConditionalGAN.generate",
        "labels out of range",
        lambda: cgan().generate(2, labels=[0, 3]),
        ValueError,
        r"`labels` must lie in \[0, 3\)",
    ),
    (
        "ConditionalGAN.generate",
        "labels of another length",
        lambda: cgan().generate(2, labels=[0, 1, 2]),
        ValueError,
        "`labels` must hold one label per sample",
    ),
    (
        "InfoGAN.generate",
        "categories out of range",
        lambda: tiny(models.InfoGAN, num_categories=3).generate(2, categories=3),
        ValueError,
        r"`categories` must lie in \[0, 3\)",
    ),
    # ------------------------------------------------------------ data loaders
    (
        "datasets.load",
        "name='imagenet'",
        lambda: datasets.load("imagenet"),
        ValueError,
        "`name` must be one of",
    ),
    (
        "datasets.load",
        "split='val'",
        lambda: datasets.load("mnist", split="val"),
        ValueError,
        "`split` must be 'train' or 'test'",
    ),
    (
        "datasets.load",
        "batch_size=0",
        lambda: datasets.load("mnist", batch_size=0),
        ValueError,
        "`batch_size` must be a positive integer",
    ),
    (
        "datasets.load",
        "seed=-2",
        lambda: datasets.load("mnist", seed=-2),
        ValueError,
        "`seed` must be a non-negative integer",
    ),
    (
        "datasets.load",
        "data_dir that does not exist",
        lambda: datasets.load("mnist", data_dir=missing_dir()),
        FileNotFoundError,
        "from `data_dir` or",
    ),
    (
        "datasets.load_numpy",
        "data_dir without the files",
        lambda: datasets.load_numpy("mnist", data_dir=os.path.join(ROOT, "docs")),
        FileNotFoundError,
        "Could not find the mnist files",
    ),
    (
        "datasets.ring",
        "n=0",
        lambda: datasets.ring(0),
        ValueError,
        "`n` must be a positive integer",
    ),
    (
        "datasets.ring",
        "std=-1",
        lambda: datasets.ring(10, std=-1),
        ValueError,
        "`std` must be a positive number",
    ),
    (
        "datasets.mixture",
        "means of shape (2,)",
        lambda: datasets.mixture(4, [0.0, 1.0], 1.0),
        ValueError,
        r"`means` must have shape \(k, d\)",
    ),
    (
        "datasets.mixture",
        "weights that do not match",
        lambda: datasets.mixture(4, [[0.0], [1.0]], 1.0, weights=[1.0]),
        ValueError,
        "`weights` must be 2 non-negative numbers",
    ),
    # --------------------------------------------------------------- callbacks
    (
        "callbacks.SampleGrid",
        "path with an unknown field",
        lambda: callbacks.SampleGrid("x_{step}.png"),
        ValueError,
        "`path` must be a file name",
    ),
    (
        "callbacks.SampleGrid",
        "every=0",
        lambda: callbacks.SampleGrid("x.png", every=0),
        ValueError,
        "`every` must be a positive integer",
    ),
    (
        "callbacks.ModeCoverage",
        "std=0",
        lambda: callbacks.ModeCoverage(datasets.ring_modes(), std=0),
        ValueError,
        "`std` must be a finite number > 0",
    ),
    (
        "callbacks.ModeCoverage",
        "means of shape (8,)",
        lambda: callbacks.ModeCoverage(np.zeros(8), std=0.1),
        ValueError,
        r"`means` must have shape \(k, d\)",
    ),
    (
        "callbacks.ModeCoverage",
        "num_samples=0",
        lambda: callbacks.ModeCoverage(datasets.ring_modes(), 0.01, num_samples=0),
        ValueError,
        "`num_samples` must be a positive integer",
    ),
    (
        "callbacks.ResumableCheckpoint",
        "directory=''",
        lambda: callbacks.ResumableCheckpoint(""),
        ValueError,
        "`directory` must be a non-empty path",
    ),
    (
        "callbacks.ResumableCheckpoint",
        "directory is a file",
        lambda: callbacks.ResumableCheckpoint(os.path.join(ROOT, "README.md")),
        ValueError,
        "`directory`=.* is not a folder",
    ),
    (
        "callbacks.ResumableCheckpoint",
        "every=0",
        lambda: callbacks.ResumableCheckpoint("ckpt", every=0),
        ValueError,
        "`every` must be a positive integer",
    ),
    # -------------------------------------------------------------------- CLI
    ("CLI", "--model=foo", lambda: flags("--model=foo"), Exception, "flag --model=foo"),
    ("CLI", "--epochs=0", lambda: flags("--epochs=0"), Exception, "flag --epochs=0"),
    ("CLI", "--batch_size=-1", lambda: flags("--batch_size=-1"), Exception, "flag --batch_size=-1"),
    (
        "CLI",
        "--dataset=imagenet",
        lambda: flags("--dataset=imagenet"),
        Exception,
        "flag --dataset=imagenet",
    ),
    (
        "CLI",
        "unknown command",
        lambda: command("serve"),
        ValueError,
        "Give one command out of: demo, train",
    ),
    # ----------------------------------------------------------------- loading
    (
        "keras.saving.load_model",
        "unregistered GAN subclass",
        lambda: _unregistered(),
        TypeError,
        "register_keras_serializable",
    ),
]


def _same_model():
    g = vanilla().generator
    return keras_gans.GAN(g, g)


def _same_optimizer():
    opt = keras.optimizers.Adam()
    vanilla().compile(d_optimizer=opt, g_optimizer=opt)


def _dataset(x):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices(x).batch(4)


def _unregistered():
    class Unregistered(keras_gans.VanillaGAN):
        pass

    Unregistered(data_dim=2, latent_dim=2, generator_units=(4,), discriminator_units=(4,)).save(
        os.path.join(tempfile.mkdtemp(), "unregistered.keras")
    )


def _type_name(error_type):
    return (
        "absl flags error (SystemExit/IllegalFlagValueError)"
        if error_type is Exception
        else error_type.__name__
    )


def table():
    lines = [
        "| entry point | bad input | error | message excerpt (regex) |",
        "|---|---|---|---|",
    ]
    for entry, bad, _, error_type, excerpt in CASES:
        lines.append(f"| `{entry}` | {bad} | `{_type_name(error_type)}` | `` {excerpt} `` |")
    return "\n".join(lines)


DOC_HEAD = """# Errors: bad inputs at every public entry point

Every public entry point checks what it is given and raises an error that names
the argument, what was received and what is allowed. A bad input is refused
before anything is written. Files that a crash could leave half written are
written to a temporary file in the same folder, fsynced and moved into place
with `os.replace`: `ResumableCheckpoint`'s weights and record, the decoded
CIFAR-10 cache, and the `train` command's `model.keras` and `history.json`.

The table below is the sweep that `tests/test_errors.py` runs on every backend
(each row: the call raises the error type, and its message matches the
excerpt). The test checks this file against its table; after changing the
cases, regenerate it with `python tests/test_errors.py > docs/errors.md`.

Notes:
- Labels out of range in a `tf.data` input are checked inside the input
  pipeline (a `tf.data` map), since a compiled JAX step cannot raise; the
  error reaches `fit` as a `ValueError`.
- A custom `GAN` subclass saved with `model.save` must be registered with
  `@keras.saving.register_keras_serializable(package=...)`; otherwise `save`
  refuses it (a model that would not load again is never written).
- NaN or infinite values inside a `tf.data` input cannot be checked ahead of
  training; see the non-finite policy, `compile(on_nonfinite="skip" | "raise")`.

"""


def document():
    return DOC_HEAD + table() + "\n"


@pytest.mark.parametrize(
    "entry, bad, call, error_type, excerpt", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_bad_input(entry, bad, call, error_type, excerpt):
    with pytest.raises((error_type, SystemExit)) as info:
        call()
    assert re.search(excerpt, str(info.value)), f"{entry} / {bad}: {info.value}"


def test_docs_table_matches_the_sweep():
    with open(DOC) as f:
        assert f.read() == document(), "regenerate: python tests/test_errors.py > docs/errors.md"


if __name__ == "__main__":
    sys.stdout.write(document())
