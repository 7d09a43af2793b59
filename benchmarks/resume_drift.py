"""How far a resumed run ends from an uninterrupted one, and which state was missing.

Trains a small VanillaGAN on ring data for 6 epochs without interruption, and
again as 3 epochs + a fresh model resumed through Keras' `BackupAndRestore`
for epochs 4-6 (what a process restarted after a crash in epoch 4 does). It
prints the largest difference over every model and optimizer variable, and
the variables that differ, for four set-ups (shuffle on/off, dropout on/off).

`--legacy` reproduces the behaviour before the fix: `keras.Model.fit` with
Keras' own shuffling (drawn from process state) and no saving of the layers'
seed generator states.

    KERAS_BACKEND=jax python benchmarks/resume_drift.py [--legacy]
"""

import shutil
import sys
import tempfile

import keras
import numpy as np
from keras import ops

import keras_gans
from keras_gans import datasets

LEGACY = "--legacy" in sys.argv


def build(dropout):
    gan = keras_gans.VanillaGAN(
        data_dim=2,
        latent_dim=4,
        generator_units=(16, 16),
        discriminator_units=(16, 16),
        discriminator_dropout=dropout,
        seed=0,
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        loss="hinge",
    )
    return gan


def fit(gan, *args, **kwargs):
    return (keras.Model.fit if LEGACY else keras_gans.GAN.fit)(gan, *args, **kwargs)


def state(gan):
    out = {}
    for i, v in enumerate(gan.variables):
        out[f"{i:02d} {v.path.split('/', 1)[-1]}"] = ops.convert_to_numpy(v)
    for i, v in enumerate(gan.optimizer.variables):
        out[f"opt {i:02d} {v.path.split('/', 1)[-1]}"] = ops.convert_to_numpy(v)
    return out


def main():
    if LEGACY:
        keras_gans.GAN._extra_keys = lambda self: ([], [])
    x = datasets.ring(64 * 10, seed=0)
    print(f"backend {keras.config.backend()}, {'legacy' if LEGACY else 'current'} code")
    for shuffle in (False, True):
        for dropout in (0.0, 0.3):
            args = dict(batch_size=64, shuffle=shuffle, verbose=0)
            a = build(dropout)
            fit(a, x, epochs=6, **args)
            folder = tempfile.mkdtemp()
            backup = keras.callbacks.BackupAndRestore(folder, delete_checkpoint=False)
            fit(build(dropout), x, epochs=3, callbacks=[backup], **args)
            c = build(dropout)
            fit(c, x, epochs=6, callbacks=[keras.callbacks.BackupAndRestore(folder)], **args)
            shutil.rmtree(folder, ignore_errors=True)
            sa, sc = state(a), state(c)
            diffs = {
                k: float(np.max(np.abs(sa[k].astype("float64") - sc[k].astype("float64"))))
                for k in sa
                if sa[k].size
            }
            bad = {k: d for k, d in diffs.items() if d}
            worst = max(diffs.values())
            print(
                f"shuffle={shuffle!s:5} dropout={dropout}: max |difference| {worst:.3g} "
                f"over {len(diffs)} variables, {len(bad)} differ"
                + (f"; largest: {max(bad, key=bad.get)} ({max(bad.values()):.3g})" if bad else "")
            )


if __name__ == "__main__":
    main()
