"""Draws the StyleGAN style-mixing and truncation grids and StackGAN's stage I/II pairs.

StyleGAN: trains `StyleGAN` on --stylegan_dataset (images padded to 32x32)
for --stylegan_steps steps, or loads --stylegan_model (a saved `.keras`,
e.g. from benchmarks/generative_compare.py --save_dir), then writes
- docs/images/stylegan_mixing.png: row 0 column 0 is blank, row 0 holds the
  "source B" images, column 0 the "source A" images; cell (i, j) takes the
  first --crossover layers' styles from A_i and the rest from B_j;
- docs/images/stylegan_truncation.png: one column per z, one row per psi in
  --psis (constant noise; psi=0 is the average-w image in every column).
StackGAN: trains `StackGAN` on --stackgan_dataset (Fashion-MNIST: 14 -> 28,
CIFAR-10: 16 -> 32) with class labels for --stackgan_steps steps, then
writes docs/images/stackgan_stages.png: for each class, a stage I image
(upsampled 2x by nearest neighbour for display) above its stage II image.

Usage
-----
    python docs/style_stack_grids.py --backend=torch --stylegan_model=/tmp/gc_models/stylegan.keras
"""

import os
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benchmarks"))
import _common  # noqa: E402

flags.DEFINE_enum("backend", "torch", list(_common.BACKENDS), "Keras backend.")
flags.DEFINE_string("stylegan_model", "", "A saved StyleGAN (.keras); '' trains one.")
flags.DEFINE_enum("stylegan_dataset", "fashion_mnist", ["mnist", "fashion_mnist", "cifar10"], "")
flags.DEFINE_integer("stylegan_steps", 300, "StyleGAN training steps when training (0: skip).")
flags.DEFINE_integer("crossover", 2, "Layers whose style comes from source A.")
flags.DEFINE_boolean("use_ema", True, "Sample StyleGAN with its EMA generator.")
flags.DEFINE_list("psis", ["1.0", "0.7", "0.4", "0.0"], "Truncation psi per row.")
flags.DEFINE_enum("stackgan_dataset", "fashion_mnist", ["mnist", "fashion_mnist", "cifar10"], "")
flags.DEFINE_integer("stackgan_steps", 300, "StackGAN training steps (0: skip StackGAN).")
flags.DEFINE_integer("stackgan_filters", 32, "StackGAN generator and discriminator width.")
flags.DEFINE_integer("batch_size", 64, "Training batch size.")
flags.DEFINE_integer("seed", 0, "Seed.")
flags.DEFINE_string("data_dir", None, "Folder of the data files (default $KERAS_GANS_DATA_DIR).")
flags.DEFINE_string("out_dir", "docs/images", "Where the PNGs go.")
FLAGS = flags.FLAGS


def _train_data(name, pad_to=None):
    import numpy as np

    from keras_gans import datasets

    images, labels = datasets.load_numpy(name, "train", data_dir=FLAGS.data_dir)
    x = images.astype("float32") / 127.5 - 1.0
    if pad_to and x.shape[1] < pad_to:
        p = (pad_to - x.shape[1]) // 2
        x = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), constant_values=-1.0)
    return x, labels.astype("int32")


def stylegan_grids():
    import keras
    import numpy as np

    from keras_gans import models, plotting

    if FLAGS.stylegan_model:
        gan = keras.saving.load_model(FLAGS.stylegan_model)
        source = FLAGS.stylegan_model
    else:
        x, _ = _train_data(FLAGS.stylegan_dataset, pad_to=32)
        gan = models.StyleGAN(
            image_shape=(32, 32, x.shape[-1]),
            latent_dim=64,
            w_dim=64,
            generator_filters=32,
            discriminator_filters=32,
            seed=FLAGS.seed,
        )
        gan.compile()
        start = time.perf_counter()
        gan.fit(x, batch_size=FLAGS.batch_size, steps_per_epoch=FLAGS.stylegan_steps, epochs=1,
                verbose=2)  # fmt: skip
        source = f"trained {FLAGS.stylegan_steps} steps in {time.perf_counter() - start:.0f} s"
    rng = np.random.default_rng(FLAGS.seed)
    za = rng.standard_normal((5, gan.latent_dim)).astype("float32")
    zb = rng.standard_normal((6, gan.latent_dim)).astype("float32")
    ema = FLAGS.use_ema
    a = gan.generate(z=za, noise="const", use_ema=ema)
    b = gan.generate(z=zb, noise="const", use_ema=ema)
    blank = -np.ones_like(a[:1])
    tiles = [blank, b]
    for i in range(len(za)):
        mixed = gan.style_mix(
            np.repeat(za[i : i + 1], len(zb), 0), zb, FLAGS.crossover, use_ema=ema
        )
        tiles += [a[i : i + 1], mixed]
    path = os.path.join(FLAGS.out_dir, "stylegan_mixing.png")
    plotting.save_image_grid(np.concatenate(tiles), path, columns=len(zb) + 1, scale=3)
    z = rng.standard_normal((8, gan.latent_dim)).astype("float32")
    rows = [
        gan.generate(z=z, truncation=float(psi), noise="const", use_ema=ema) for psi in FLAGS.psis
    ]
    path2 = os.path.join(FLAGS.out_dir, "stylegan_truncation.png")
    plotting.save_image_grid(np.concatenate(rows), path2, columns=len(z), scale=3)
    print(f"StyleGAN ({source}): wrote {path}, {path2}")


def stackgan_pairs():
    import numpy as np

    from keras_gans import models, plotting

    x, y = _train_data(FLAGS.stackgan_dataset)
    gan = models.StackGAN(
        image_shape=x.shape[1:],
        num_classes=10,
        generator_filters=FLAGS.stackgan_filters,
        discriminator_filters=FLAGS.stackgan_filters,
        seed=FLAGS.seed,
    )
    gan.compile()
    start = time.perf_counter()
    gan.fit(x, y, batch_size=FLAGS.batch_size, steps_per_epoch=FLAGS.stackgan_steps, epochs=1,
            verbose=2)  # fmt: skip
    seconds = time.perf_counter() - start
    labels = np.tile(np.arange(10), 3)
    z = np.random.default_rng(FLAGS.seed).standard_normal((30, gan.latent_dim)).astype("float32")
    low, high = gan.generate_stages(z=z, labels=labels)
    low = low.repeat(2, axis=1).repeat(2, axis=2)
    tiles = []
    for r in range(3):
        tiles += [low[r * 10 : (r + 1) * 10], high[r * 10 : (r + 1) * 10]]
    path = os.path.join(FLAGS.out_dir, "stackgan_stages.png")
    plotting.save_image_grid(np.concatenate(tiles), path, columns=10, scale=3)
    print(f"StackGAN ({FLAGS.stackgan_steps} steps in {seconds:.0f} s): wrote {path}")


def main(argv):
    del argv
    _common.setup_worker(FLAGS.backend, 1)
    os.makedirs(FLAGS.out_dir, exist_ok=True)
    if FLAGS.stylegan_model or FLAGS.stylegan_steps:
        stylegan_grids()
    if FLAGS.stackgan_steps:
        stackgan_pairs()


if __name__ == "__main__":
    app.run(main)
