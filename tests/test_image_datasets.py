import gzip
import os

import numpy as np
import pytest
from test_case import ROOT

from keras_gans import datasets

DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
needs_data = pytest.mark.skipif(
    not os.path.isdir(os.path.join(DATA, "mnist")), reason=f"no local data in {DATA}"
)

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


@needs_data
def test_local_mnist_has_all_images_and_documented_label_counts():
    images, labels = datasets.load_numpy("mnist", "train", data_dir=DATA)
    assert images.shape == (60000, 28, 28, 1) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == MNIST_TRAIN_COUNTS
    test_images, _ = datasets.load_numpy("mnist", "test", data_dir=DATA)
    assert test_images.shape == (10000, 28, 28, 1)


@needs_data
def test_env_var_points_at_local_files(monkeypatch):
    monkeypatch.setenv(datasets.images.ENV_VAR, DATA)
    _, labels = datasets.load_numpy("fashion_mnist", "test")
    assert np.bincount(labels).tolist() == [1000] * 10


@needs_data
def test_dataset_is_batched_scaled_and_labelled():
    ds = datasets.load("mnist", data_dir=DATA, batch_size=32, labels=True, take=100, seed=0)
    batches = list(ds)
    assert len(batches) == 3  # drop_remainder: 100 // 32
    x, y = batches[0]
    x = np.asarray(x)
    assert x.shape == (32, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == -1.0 and x.max() == 1.0
    raw, raw_labels = datasets.load_numpy("mnist", data_dir=DATA)
    # Scaling is exact: the batch maps back to the same uint8 pixels.
    back = datasets.to_uint8(x)
    index = {raw[i].tobytes(): i for i in range(100)}
    rows = [index[b.tobytes()] for b in back]
    np.testing.assert_array_equal(np.asarray(y), raw_labels[rows])


@needs_data
def test_shuffle_seed_fixes_order_and_epochs_differ():
    def first_batches(seed):
        ds = datasets.load("mnist", data_dir=DATA, batch_size=16, take=64, seed=seed)
        return [np.asarray(b) for b in ds], [np.asarray(b) for b in ds]

    (a1, a2), (b1, _) = first_batches(3), first_batches(3)
    np.testing.assert_array_equal(a1[0], b1[0])
    assert not np.array_equal(a1[0], a2[0])


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(FileNotFoundError, match="Could not find the mnist files.*TensorFlow"):
        datasets.load_numpy("mnist", data_dir=str(tmp_path))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        datasets.load_numpy("cifar10", data_dir=str(tmp_path / "nowhere"))


def test_bad_arguments_name_themselves(tmp_path):
    with pytest.raises(ValueError, match="Unknown data set 'mnsit'"):
        datasets.load_numpy("mnsit", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="`split`"):
        datasets.load_numpy("mnist", split="validation", data_dir=str(tmp_path))
    with pytest.raises(ValueError, match="`batch_size`"):
        datasets.load("mnist", data_dir=str(tmp_path), batch_size=0)


def test_truncated_idx_file_is_refused(tmp_path):
    folder = tmp_path / "mnist"
    folder.mkdir()
    header = bytes([0, 0, 8, 3]) + b"".join(int(v).to_bytes(4, "big") for v in (10, 28, 28))
    for images_name, labels_name in datasets.images._IDX_FILES.values():
        with gzip.open(folder / images_name, "wb") as f:
            f.write(header + bytes(100))
        with gzip.open(folder / labels_name, "wb") as f:
            f.write(bytes([0, 0, 8, 1]) + (10).to_bytes(4, "big") + bytes(10))
    with pytest.raises(ValueError, match="truncated or corrupt"):
        datasets.load_numpy("mnist", data_dir=str(tmp_path))


def test_cifar10_archive_is_decoded_and_cached(tmp_path, monkeypatch):
    import io
    import tarfile

    from PIL import Image

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    rng = np.random.default_rng(0)
    archive = tmp_path / "cifar10" / "cifar10_jpg_q75.tar.gz"
    archive.parent.mkdir()
    pixels = {}
    with tarfile.open(archive, "w:gz") as tar:
        for split, per_class in (("train", 2), ("test", 1)):
            for c, name in enumerate(("airplane", "truck")):
                for k in range(per_class):
                    image = np.full((32, 32, 3), 40 * c + 10 * k, "uint8")
                    image[..., 0] = rng.integers(0, 255)
                    buf = io.BytesIO()
                    Image.fromarray(image).save(buf, format="PNG")  # lossless in a .jpg name
                    data = buf.getvalue()
                    info = tarfile.TarInfo(f"{split}/{name}/{k:04d}.jpg")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                    pixels[(split, name, k)] = image
    images, labels = datasets.load_numpy("cifar10", "train", data_dir=str(tmp_path))
    assert images.shape == (4, 32, 32, 3) and labels.tolist() == [0, 0, 9, 9]
    np.testing.assert_array_equal(images[2], pixels[("train", "truck", 0)])
    cached = os.listdir(tmp_path / "home" / "datasets" / "keras_gans")
    assert len(cached) == 1 and cached[0].startswith("cifar10_train_")
    again, _ = datasets.load_numpy("cifar10", "train", data_dir=str(tmp_path))
    np.testing.assert_array_equal(again, images)
    test_images, test_labels = datasets.load_numpy("cifar10", "test", data_dir=str(tmp_path))
    assert test_images.shape == (2, 32, 32, 3) and test_labels.tolist() == [0, 9]


class TestLSUN:
    def test_center_crop_resize_keeps_the_central_square(self):
        from keras_gans.datasets.lsun import center_crop_resize

        # A 40x80 image: black left and right quarters, white central 40x40 square.
        image = np.zeros((40, 80, 3), dtype="uint8")
        image[:, 20:60] = 255
        out = np.asarray(center_crop_resize(image, size=16))
        assert out.shape == (16, 16, 3) and out.dtype == np.float32
        np.testing.assert_allclose(out, 1.0, atol=1e-6)
        # A tall image with a gradient along its height keeps the central rows.
        tall = np.repeat(np.linspace(0, 255, 90).astype("uint8")[:, None], 30, axis=1)
        out = np.asarray(center_crop_resize(np.stack([tall] * 3, -1), size=10))
        assert -0.35 < out.mean() < 0.35 and out.min() > -0.5 and out.max() < 0.5

    def test_missing_data_says_how_to_provide_it(self, tmp_path):
        from keras_gans.datasets import load_lsun_bedroom

        with pytest.raises(RuntimeError, match="data_dir"):
            load_lsun_bedroom(data_dir=str(tmp_path), download=False)
        with pytest.raises(ValueError, match="split"):
            load_lsun_bedroom(split="test")
