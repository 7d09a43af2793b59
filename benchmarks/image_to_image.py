"""Short measured training runs of pix2pix, CycleGAN, DiscoGAN and SRResNet/SRGAN on real data.

Budget figures: small widths, a few minutes of training on a CPU. They show
that each model learns its task and how it compares with its baseline, not
the papers' numbers. Runs under the current KERAS_BACKEND; writes a JSON of
the results (with the command and the machine) and example images.

    KERAS_GANS_DATA_DIR=../shared/data OMP_NUM_THREADS=1 KERAS_BACKEND=torch \
        python benchmarks/image_to_image.py --task=pix2pix --steps=600

Tasks:
- pix2pix: CIFAR-10 colourisation (grey -> colour, 32x32) with the
  paper's jitter and mirroring; Pix2Pix against the same U-Net on L1 alone.
  Test on 1,000 CIFAR-10 test images: L1 in [-1, 1] units, PSNR and SSIM on
  RGB uint8, and the shipped CIFAR-10 classifier's accuracy on the outputs,
  the grey inputs and the originals. Then edges -> Fashion-MNIST (Sobel
  edges) with the same two models. Colourisation predicts the chrominance
  of the grey input (`--colour_space=ycbcr`, the default) or the whole RGB
  image as the paper (`--colour_space=rgb`).
- cycle: MNIST <-> MNIST-M (28x28x3, MNIST-M made on the fly from other MNIST
  digits and CIFAR-10 crops, seed 0), CycleGAN and DiscoGAN. Test on 1,000
  MNIST and 1,000 MNIST-M test images: label accuracy of each translation
  and its Fréchet distance to the real images of the target domain, by the
  shipped MNIST classifier on the grey of B -> A translations and by the
  shipped MNIST-M classifier on A -> B ones; cycle reconstruction L1.
- sr: SRResNet-MSE then SRGAN (started from the SRResNet) on 32x32 crops of
  CBSD68 and scikit-learn's sample photos, x4; PSNR and SSIM on the Y
  channel with a 4-pixel border removed, on CSet5 and CSet14, against
  bicubic upsampling. The generator adds its output to the bicubic
  upsampling (`--global_residual`, the default) or is the paper's
  (`--noglobal_residual`).
"""

import json
import os
import platform
import sys
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_enum("task", "pix2pix", ["pix2pix", "cycle", "sr"], "Which experiment.")
flags.DEFINE_integer("steps", 600, "Training steps per model.")
flags.DEFINE_integer("batch_size", 16, "Batch size.")
flags.DEFINE_integer("filters", 16, "Width of the first layer of every network.")
flags.DEFINE_integer("seed", 0, "Seed of the data draws and the models.")
flags.DEFINE_bool(
    "augment", True, "pix2pix: the paper's jitter and mirroring (tf.data); off: plain numpy fit."
)
flags.DEFINE_list(
    "pix2pix_data",
    ["cifar10", "fashion_mnist"],
    "pix2pix: which tasks (cifar10: colourisation, fashion_mnist: edges).",
)
flags.DEFINE_integer("sr_blocks", 4, "SR: residual blocks of the generator (the paper: 16).")
flags.DEFINE_integer("sr_crops", 8000, "SR: number of random training crops.")
flags.DEFINE_integer("crop_size", 32, "SR: high-resolution crop size (the paper: 96).")
flags.DEFINE_float("sr_lr", 1e-3, "SR: SRResNet's Adam learning rate (SRGAN's is 1e-4).")
flags.DEFINE_string("out", "benchmarks/results", "Folder of the JSON results.")
flags.DEFINE_string("images", "docs/images", "Folder of the example images.")
flags.DEFINE_enum(
    "colour_space",
    "ycbcr",
    ["rgb", "ycbcr"],
    "pix2pix on CIFAR-10 colourisation: 'ycbcr' predicts the chrominance of the grey input "
    "(Pix2Pix colour_space), 'rgb' the whole image as the paper.",
)
flags.DEFINE_boolean(
    "global_residual",
    True,
    "sr: SRResNet/SRGAN add their output to the bicubic upsampling (SRGAN global_residual); "
    "--noglobal_residual is the paper's network.",
)


def _dataset(x, y, steps, batch_size, seed, jitter=1.125, mirror=True):
    from keras_gans import datasets

    return datasets.paired_dataset(x, y, batch_size, seed=seed, jitter=jitter, mirror=mirror)


def _fit(model, data, steps):
    start = time.perf_counter()
    if isinstance(data, tuple):  # numpy (x, y): `fit` streams them, shuffled by the seed
        x, y = data
        history = model.fit(
            x, y, batch_size=FLAGS.batch_size, steps_per_epoch=steps, epochs=1, verbose=0
        ).history
    else:
        history = model.fit(data.repeat(), steps_per_epoch=steps, epochs=1, verbose=0).history
    return time.perf_counter() - start, {k: float(v[-1]) for k, v in history.items()}


def _to_uint8(x):
    import numpy as np

    return np.clip(np.round((np.asarray(x) + 1) * 127.5), 0, 255).astype("uint8")


def run_pix2pix():
    import keras
    import numpy as np

    from keras_gans import datasets, metrics, models, plotting

    results = {}
    for name, loader in (("cifar10_colourisation", "cifar10"), ("fashion_edges", "fashion_mnist")):
        if loader not in FLAGS.pix2pix_data:
            continue
        train, _ = datasets.load_numpy(loader, "train")
        test, test_labels = datasets.load_numpy(loader, "test")
        train, test, test_labels = train[:10000], test[:1000], test_labels[:1000]
        if loader == "cifar10":
            x, y = datasets.colorization_pairs(train)
            tx, ty = datasets.colorization_pairs(test)
        else:
            x, y = datasets.edge_pairs(train)
            tx, ty = datasets.edge_pairs(test)
        shape = x.shape[1:]
        rows = {}
        baseline_input = np.repeat(tx, ty.shape[-1] // tx.shape[-1], axis=-1)
        rows["input itself"] = _scores(baseline_input, ty, None)
        clf = metrics.classifier(loader)
        acc = lambda imgs: float(np.mean(clf.predict_classes(imgs) == test_labels))
        rows["input itself"]["classifier_accuracy"] = acc(
            baseline_input if loader == "cifar10" else tx
        )
        rows["target (real images)"] = {"classifier_accuracy": acc(ty)}
        outputs = {}
        for label, weight in (("pix2pix (cGAN + 100 L1)", 1.0), ("L1 alone", 0.0)):
            keras.utils.set_random_seed(FLAGS.seed)
            model = models.Pix2Pix(
                input_shape=shape,
                output_channels=ty.shape[-1],
                generator_filters=FLAGS.filters,
                discriminator_filters=FLAGS.filters,
                adversarial_weight=weight,
                colour_space=FLAGS.colour_space if loader == "cifar10" else "rgb",
                seed=FLAGS.seed,
            )
            model.compile()
            if FLAGS.augment:
                data = _dataset(x, y, FLAGS.steps, FLAGS.batch_size, FLAGS.seed)
            else:
                data = (x, y)
            seconds, logs = _fit(model, data, FLAGS.steps)
            out = model.translate(tx, batch_size=250)
            outputs[label] = out
            rows[label] = _scores(out, ty, None)
            rows[label]["classifier_accuracy"] = acc(out)
            rows[label]["train_seconds"] = round(seconds, 1)
            rows[label]["last_logs"] = logs
            print(name, label, rows[label], flush=True)
        results[name] = rows
        grid = [np.repeat(tx[:8], ty.shape[-1] // tx.shape[-1], -1)]
        grid += [outputs[k][:8] for k in outputs] + [ty[:8]]
        plotting.save_image_grid(
            np.concatenate(grid), os.path.join(FLAGS.images, f"pix2pix_{name}.png"), columns=8
        )
    return results


def _scores(out, target, _):
    import numpy as np

    from keras_gans import metrics

    return {
        "l1": float(np.mean(np.abs(out - target))),
        "psnr_db": float(np.mean(metrics.psnr(_to_uint8(out), _to_uint8(target)))),
        "ssim": float(np.mean(metrics.ssim(_to_uint8(out), _to_uint8(target)))),
    }


def run_cycle():
    import keras
    import numpy as np

    from keras_gans import datasets, metrics, models, plotting
    from keras_gans.datasets import image_to_image as i2i

    digits, _ = datasets.load_numpy("mnist", "train")
    test_digits, test_labels = datasets.load_numpy("mnist", "test")
    photos, _ = datasets.load_numpy("cifar10", "train")
    test_photos, _ = datasets.load_numpy("cifar10", "test")
    n = 10000
    # Domain A: MNIST digits; domain B: MNIST-M made from *other* digits (unpaired).
    a = i2i.to_float(i2i.grey_to_rgb(digits[:n]))
    b = i2i.to_float(datasets.mnist_m(digits[n : 2 * n], photos, seed=FLAGS.seed))
    ta = i2i.to_float(i2i.grey_to_rgb(test_digits[:1000]))
    tb_uint8 = datasets.mnist_m(test_digits[1000:2000], test_photos, seed=FLAGS.seed + 1)
    tb = i2i.to_float(tb_uint8)
    la, lb = test_labels[:1000], test_labels[1000:2000]
    clf = metrics.classifier("mnist")
    # MNIST-A images are scored by the MNIST classifier on their grey, MNIST-M
    # (B) images by the MNIST-M classifier on their colours: the MNIST one
    # reads real MNIST-M at about chance.
    clf_b = metrics.classifier("mnist_m")

    def grey(x):
        return np.mean(x, axis=-1, keepdims=True)

    def acc(x, labels):
        return float(np.mean(clf.predict_classes(grey(x)) == labels))

    def fid(x, y):
        return float(metrics.frechet_distance(clf.features(grey(x)), clf.features(grey(y))))

    def acc_b(x, labels):
        return float(np.mean(clf_b.predict_classes(x) == labels))

    def fid_b(x, y):
        return float(metrics.frechet_distance(clf_b.features(x), clf_b.features(y)))

    results = {
        "real MNIST (A)": {
            "classifier_accuracy": acc(ta, la),
            # It reads plain digits too: the A->B accuracy checks the digit only.
            "mnist_m_classifier_accuracy": acc_b(ta, la),
        },
        "real MNIST-M (B)": {
            "classifier_accuracy": acc(tb, lb),
            "fid_A_vs_B": fid(ta, tb),
            "mnist_m_classifier_accuracy": acc_b(tb, lb),
            "mnist_m_fid_A_vs_B": fid_b(ta, tb),
            # The floor: other real MNIST-M images (from the train split).
            "mnist_m_fid_B_train_vs_B": fid_b(b[:1000], tb),
        },
    }
    grids = []
    for label, cls, options in (
        ("CycleGAN", models.CycleGAN, dict(num_blocks=3, pool_size=50)),
        ("DiscoGAN", models.DiscoGAN, dict()),
    ):
        keras.utils.set_random_seed(FLAGS.seed)
        model = cls(
            image_shape=(28, 28, 3),
            generator_filters=FLAGS.filters,
            discriminator_filters=FLAGS.filters,
            seed=FLAGS.seed,
            **options,
        )
        model.compile()
        # `fit(a, b)` streams the two sets side by side, shuffled together; they
        # hold different digits, so the pairs stay unpaired (no augmentation).
        data = (a, b)
        seconds, logs = _fit(model, data, FLAGS.steps)
        fake_b = model.translate(ta, direction="a_to_b", batch_size=250)
        fake_a = model.translate(tb, direction="b_to_a", batch_size=250)
        back_a = model.translate(fake_b, direction="b_to_a", batch_size=250)
        back_b = model.translate(fake_a, direction="a_to_b", batch_size=250)
        results[label] = {
            "mnist_m_accuracy_A_to_B": acc_b(fake_b, la),
            "accuracy_B_to_A": acc(fake_a, lb),
            "cycle_l1_A": float(np.mean(np.abs(back_a - ta))),
            "cycle_l1_B": float(np.mean(np.abs(back_b - tb))),
            "mnist_m_fid_A_to_B_vs_real_B": fid_b(fake_b, tb),
            "fid_B_to_A_vs_real_A": fid(fake_a, ta),
            "train_seconds": round(seconds, 1),
            "last_logs": logs,
        }
        print(label, results[label], flush=True)
        grids += [ta[:8], fake_b[:8], tb[:8], fake_a[:8]]
    plotting.save_image_grid(
        np.concatenate(grids),
        os.path.join(FLAGS.images, "cyclegan_discogan_mnist_m.png"),
        columns=8,
    )
    return results


def run_sr():
    import keras
    import numpy as np

    from keras_gans import datasets, metrics, models, plotting

    photos = datasets.load_sr_benchmark("CBSD68") + datasets.sample_photos()
    lr, hr = datasets.sr_crops(
        photos, FLAGS.sr_crops, crop_size=FLAGS.crop_size, scale=4, seed=FLAGS.seed
    )
    benches = {k: datasets.load_sr_benchmark(k) for k in ("CSet5", "CSet14")}

    def evaluate(upsample):
        scores = {}
        for bench, images in benches.items():
            p, s = [], []
            for image in images:
                small, big = datasets.sr_pair(image, 4)
                out = upsample(small)
                y_out, y_ref = metrics.rgb_to_y(out), metrics.rgb_to_y(big)
                p.append(metrics.psnr(y_out, y_ref, crop_border=4)[0])
                s.append(metrics.ssim(y_out, y_ref, crop_border=4)[0])
            scores[bench] = {"psnr_db": float(np.mean(p)), "ssim": float(np.mean(s))}
        return scores

    results = {
        "bicubic": evaluate(lambda s: datasets.bicubic_resize(s, (s.shape[0] * 4, s.shape[1] * 4)))
    }
    print("bicubic", results["bicubic"], flush=True)
    # The crops are already random and mirrored; `fit` streams the pairs shuffled.
    data = (lr, hr)
    keras.utils.set_random_seed(FLAGS.seed)
    common = dict(
        scale=4,
        generator_filters=FLAGS.filters,
        num_blocks=FLAGS.sr_blocks,
        discriminator_filters=FLAGS.filters,
        discriminator_blocks=3,
        global_residual=FLAGS.global_residual,
        seed=FLAGS.seed,
    )
    srresnet = models.SRGAN(adversarial_weight=0.0, feature_weight=0.0, **common)
    srresnet.compile(g_optimizer=keras.optimizers.Adam(FLAGS.sr_lr))
    seconds, logs = _fit(srresnet, data, FLAGS.steps)
    results["SRResNet (MSE)"] = evaluate(lambda s: srresnet.enhance(s, batch_size=1))
    results["SRResNet (MSE)"].update(train_seconds=round(seconds, 1), last_logs=logs)
    print("SRResNet", results["SRResNet (MSE)"], flush=True)
    srgan = models.SRGAN(**common)
    srgan.generator.set_weights(srresnet.generator.get_weights())
    srgan.compile(g_optimizer=keras.optimizers.Adam(1e-4), d_optimizer=keras.optimizers.Adam(1e-4))
    seconds, logs = _fit(srgan, data, FLAGS.steps // 2)
    results["SRGAN (from SRResNet)"] = evaluate(lambda s: srgan.enhance(s, batch_size=1))
    results["SRGAN (from SRResNet)"].update(train_seconds=round(seconds, 1), last_logs=logs)
    print("SRGAN", results["SRGAN (from SRResNet)"], flush=True)
    image = benches["CSet5"][2]
    small, big = datasets.sr_pair(image, 4)
    h, w = min(big.shape[0], 128), min(big.shape[1], 128)
    tiles = [
        datasets.bicubic_resize(small, big.shape[:2]),
        srresnet.enhance(small),
        srgan.enhance(small),
        big,
    ]
    tiles = np.stack([t[:h, :w] for t in tiles]).astype("float32") / 127.5 - 1
    plotting.save_image_grid(tiles, os.path.join(FLAGS.images, "srgan_cset5.png"), columns=4)
    return results


def main(argv):
    del argv
    import keras

    start = time.perf_counter()
    results = {"pix2pix": run_pix2pix, "cycle": run_cycle, "sr": run_sr}[FLAGS.task]()
    record = {
        "task": FLAGS.task,
        "backend": keras.config.backend(),
        "command": " ".join(sys.argv),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, GPU: {_common.gpu_info()}",
        "steps": FLAGS.steps,
        "batch_size": FLAGS.batch_size,
        "filters": FLAGS.filters,
        "flags": {
            k: getattr(FLAGS, k)
            for k in (
                "augment",
                "pix2pix_data",
                "sr_blocks",
                "sr_crops",
                "crop_size",
                "sr_lr",
                "seed",
            )
        },
        "colour_space": FLAGS.colour_space,
        "global_residual": FLAGS.global_residual,
        "total_seconds": round(time.perf_counter() - start, 1),
        "results": results,
    }
    os.makedirs(FLAGS.out, exist_ok=True)
    path = os.path.join(FLAGS.out, f"image_to_image_{FLAGS.task}.json")
    with open(path, "w") as f:
        json.dump(record, f, indent=2)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    app.run(main)
