"""The presets of the zoo: what each one is and the recipe that trains it.

A `Preset` holds everything needed to rebuild a model and retrain it from
scratch: the family and its arguments, the data, the optimiser settings, the
number of steps, the batch size, the seed and the backend of the shipped run.
What a run produced (weights, sha256, scores, time, machine) is not here: it
is in the preset's card, `zoo/<name>/card.json`, written by the recipe
(`keras_gans.zoo.build`).
"""

import dataclasses

TOY_DATASETS = ("ring", "grid")
# Families trained by maximum likelihood on binarized images, not adversarially.
LIKELIHOOD_FAMILIES = ("VAE",)


@dataclasses.dataclass(frozen=True)
class Preset:
    """One entry of the zoo.

    Attributes:
        name: the name given to `keras_gans.zoo.load`.
        family: a class name in `keras_gans.models`.
        dataset: `"ring"` or `"grid"` (the 2-D toys of `keras_gans.datasets`)
            or an image set of `keras_gans.datasets` (`"mnist"`,
            `"fashion_mnist"`, `"cifar10"`, `"lsun_bedroom"`).
        model: the family's constructor arguments (the image shape or data
            dimension included).
        steps: training steps (generator updates) of the recipe.
        epochs: the steps are split into this many epochs (one sample grid
            and, with a checkpoint folder, one checkpoint each).
        batch_size: real images per step.
        seed: seed of the weights, of the noise and of the data order.
        backend: the Keras backend of the shipped run (the recipe runs on
            any backend; the weights load on every backend).
        optimizer: None for the family's defaults, or `"toy"`: Adam(1e-3,
            beta_1=0.5) decayed to 5% along a cosine over the run, for both
            networks (the 2-D toy configuration of `keras_gans.demo`).
        loss: the adversarial loss passed to `compile` (None: the family's).
        description: one line for the zoo table.
        paper: the reference of the family or architecture.
        ships_weights: False when the weights are not in the repository and
            must come from a user's own run of the recipe (`dcgan_lsun`).
    """

    name: str
    family: str
    dataset: str
    model: dict
    steps: int
    epochs: int
    batch_size: int
    seed: int = 0
    backend: str = "torch"
    optimizer: str = None
    loss: str = None
    description: str = ""
    paper: str = ""
    ships_weights: bool = True

    @property
    def is_toy(self):
        return self.dataset in TOY_DATASETS

    @property
    def is_likelihood(self):
        """A likelihood model: trained on the data set binarized (seed 0) and
        scored on its samples and on its likelihood of the binarized test set."""
        return self.family in LIKELIHOOD_FAMILIES

    @property
    def steps_per_epoch(self):
        return self.steps // self.epochs

    @property
    def resolution(self):
        """`"HxWxC"` for image presets, `"2-D"` for the toys."""
        if self.is_toy:
            return f"{self.model['data_dim']}-D"
        return "x".join(str(d) for d in self.model["image_shape"])

    @property
    def optimizer_text(self):
        if self.is_likelihood:
            return "the family's default (Adam(1e-3))"
        if self.optimizer == "toy":
            return (
                "Adam(1e-3, beta_1=0.5) for both networks, decayed to 5% along a cosine "
                "over the run"
            )
        return "the family's defaults"

    def recipe_command(self, out_dir=None):
        """The one command that retrains this preset from scratch."""
        cmd = f"KERAS_BACKEND={self.backend} python -m keras_gans zoo --build={self.name}"
        if out_dir:
            cmd += f" --out_dir={out_dir}"
        if not self.is_toy and self.dataset != "lsun_bedroom":
            cmd = "KERAS_GANS_DATA_DIR=<folder of the data files> " + cmd
        return cmd


_TOY_MODEL = {
    "data_dim": 2,
    "latent_dim": 8,
    "generator_units": (128, 128, 128),
    "discriminator_units": (128, 128, 128),
}
_MNIST = (28, 28, 1)
_DCGAN_PAPER = "Radford, Metz and Chintala, 2016 (DCGAN), arXiv:1511.06434"

PRESETS = {
    p.name: p
    for p in [
        Preset(
            name="gan_ring",
            family="VanillaGAN",
            dataset="ring",
            model=_TOY_MODEL,
            steps=5000,
            epochs=10,
            batch_size=256,
            optimizer="toy",
            loss="hinge",
            description="MLP GAN on 8 Gaussians on a circle (std 0.01)",
            paper="Goodfellow et al., 2014 (GAN); the ring of Metz et al., 2017",
        ),
        Preset(
            name="gan_grid",
            family="VanillaGAN",
            dataset="grid",
            model=_TOY_MODEL,
            steps=10000,
            epochs=10,
            batch_size=256,
            optimizer="toy",
            loss="hinge",
            description="MLP GAN on a 5x5 grid of Gaussians (std 0.05)",
            paper="Goodfellow et al., 2014 (GAN); the grid of Dumoulin et al., 2017",
        ),
        Preset(
            name="dcgan_mnist",
            family="DCGAN",
            dataset="mnist",
            model={"image_shape": _MNIST, "generator_filters": 32, "discriminator_filters": 32},
            steps=3000,
            epochs=6,
            batch_size=64,
            description="DCGAN, width 32, on MNIST digits",
            paper=_DCGAN_PAPER,
        ),
        Preset(
            name="dcgan_fashion_mnist",
            family="DCGAN",
            dataset="fashion_mnist",
            model={"image_shape": _MNIST, "generator_filters": 32, "discriminator_filters": 32},
            steps=1500,
            epochs=3,
            batch_size=64,
            description="DCGAN, width 32, on Fashion-MNIST items",
            paper=_DCGAN_PAPER,
        ),
        Preset(
            name="cgan_mnist",
            family="ConditionalGAN",
            dataset="mnist",
            model={
                "image_shape": _MNIST,
                "num_classes": 10,
                "generator_filters": 32,
                "discriminator_filters": 32,
            },
            steps=1500,
            epochs=3,
            batch_size=64,
            description="Class-conditional DCGAN, width 32, on MNIST: pick the digit",
            paper="Mirza and Osindero, 2014 (conditional GAN), arXiv:1411.1784",
        ),
        Preset(
            name="wgan_gp_mnist",
            family="WGANGP",
            dataset="mnist",
            model={"image_shape": _MNIST, "generator_filters": 32, "discriminator_filters": 32},
            steps=1000,
            epochs=4,
            batch_size=64,
            description="WGAN-GP (5 critic updates per step), width 32, on MNIST",
            paper="Gulrajani et al., 2017 (WGAN-GP), arXiv:1704.00028",
        ),
        Preset(
            name="infogan_mnist",
            family="InfoGAN",
            dataset="mnist",
            model={"image_shape": _MNIST, "generator_filters": 32, "discriminator_filters": 32},
            steps=3000,
            epochs=6,
            batch_size=64,
            description="InfoGAN on MNIST: a 10-way code and 2 continuous codes",
            paper="Chen et al., 2016 (InfoGAN), arXiv:1606.03657",
        ),
        Preset(
            name="dcgan_cifar10",
            family="DCGAN",
            dataset="cifar10",
            model={
                "image_shape": (32, 32, 3),
                "generator_filters": 32,
                "discriminator_filters": 32,
            },
            steps=3000,
            epochs=6,
            batch_size=64,
            description="DCGAN, width 32, on CIFAR-10 32x32",
            paper=_DCGAN_PAPER,
        ),
        Preset(
            name="vae_mnist",
            family="VAE",
            dataset="mnist",
            model={"image_shape": _MNIST, "latent_dim": 16, "filters": 32},
            steps=5000,
            epochs=10,
            batch_size=64,
            backend="jax",
            description="Convolutional VAE on binarized MNIST: the likelihood baseline",
            paper="Kingma and Welling, 2014 (VAE), arXiv:1312.6114",
        ),
        Preset(
            name="dcgan_lsun",
            family="DCGAN",
            dataset="lsun_bedroom",
            # The paper's LSUN model: 4x4x1024 -> 8x8x512 -> 16x16x256 ->
            # 32x32x128 -> 64x64x3, and its mirror image as the discriminator.
            model={"image_shape": (64, 64, 3)},
            # One pass over the 3,033,042 bedrooms at batch 128, as in the paper.
            steps=23700,
            epochs=10,
            batch_size=128,
            backend="jax",
            description="The DCGAN paper's 64x64 LSUN-bedroom model",
            paper=_DCGAN_PAPER,
            ships_weights=False,
        ),
    ]
}
