"""The shipped MNIST-M classifier, which scores translations into MNIST-M.

The MNIST classifier reads MNIST-M digits (blended over colour photos) at
about chance, so the MNIST -> MNIST-M direction of CycleGAN and DiscoGAN
needs a classifier of its own; these tests check that it is the shipped file
and that it reads real MNIST-M where the MNIST one does not.
"""

import json
import os
import shutil

import numpy as np
import pytest
from test_case import ROOT, TestCase

from keras_gans import datasets, metrics
from keras_gans.metrics import classifiers

DATA_DIR = os.environ.get("KERAS_GANS_DATA_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "data"
)
HAVE_DATA = os.path.isfile(
    os.path.join(DATA_DIR, "mnist", "t10k-images-idx3-ubyte.gz")
) and os.path.isfile(os.path.join(DATA_DIR, "cifar10", "cifar10_jpg_q75.tar.gz"))
needs_data = pytest.mark.skipif(
    not HAVE_DATA,
    reason=f"the MNIST and CIFAR-10 files are not in {DATA_DIR!r} (set KERAS_GANS_DATA_DIR "
    "to a folder holding mnist/ and cifar10/ as described in keras_gans.datasets)",
)
NUM_IMAGES = 500  # the first test images, enough for accuracy to +-1.5% (2 sigma)


def card():
    with open(os.path.join(classifiers.ZOO_DIR, "mnist_m.json")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def mnist_m_classifier():
    return metrics.classifier("mnist_m")


@pytest.fixture(scope="module")
def mnist_m_test():
    images, labels = classifiers.load_mnist_m("test", data_dir=DATA_DIR)
    return images[:NUM_IMAGES], labels[:NUM_IMAGES]


class TestShippedMNISTMWeights(TestCase):
    def test_loads_the_file_whose_sha256_is_recorded(self, mnist_m_classifier, tmp_path):
        spec = classifiers.SPECS["mnist_m"]
        path = os.path.join(classifiers.ZOO_DIR, spec.filename)
        info = card()
        assert spec.sha256 is not None
        assert classifiers.file_sha256(path) == spec.sha256 == info["sha256"]
        assert info["test_images"] == 10000 and info["test_accuracy"] > 0.95
        assert mnist_m_classifier.input_shape == (28, 28, 3)
        assert mnist_m_classifier.model.count_params() == info["parameters"]
        changed = str(tmp_path / "mnist_m.weights.h5")
        shutil.copy(path, changed)
        with open(changed, "ab") as f:
            f.write(b"\0")
        with pytest.raises(ValueError, match=f"expects {spec.sha256[:12]}"):
            metrics.classifier("mnist_m", weights=changed)

    def test_is_among_the_known_names(self, mnist_m_classifier):
        assert "mnist_m" in classifiers.NAMES
        with pytest.raises(ValueError, match="available: .*mnist_m"):
            metrics.classifier("svhn")
        with pytest.raises(ValueError, match=r"`images` must have shape \(n, 28, 28, 3\)"):
            mnist_m_classifier.features(np.zeros((2, 28, 28, 1), "uint8"))
        with pytest.raises(ValueError, match="`split` must be 'train' or 'test'"):
            classifiers.load_mnist_m("validation")


@needs_data
class TestReadsMNISTM(TestCase):
    def test_accuracy_on_real_mnist_m_and_the_mnist_classifiers(
        self, mnist_m_classifier, mnist_m_test
    ):
        images, labels = mnist_m_test
        assert images.shape == (NUM_IMAGES, 28, 28, 3) and images.dtype == np.uint8
        features, probabilities = mnist_m_classifier.features_and_probabilities(images)
        assert features.shape == (NUM_IMAGES, 128) and features.dtype == np.float32
        accuracy = np.mean(probabilities.argmax(axis=1) == labels)
        # Measured under TensorFlow on these 500 images: 0.978 (0.9724 on all
        # 10,000); another backend's float32 rounding may flip an image or two.
        assert accuracy > 0.9 and abs(accuracy - 0.978) <= 0.004, accuracy
        # The MNIST classifier on the grey (channel mean) of the same images,
        # as the benchmark fed it: measured 0.082 (0.0983 on all 10,000), chance.
        grey = np.mean(images.astype("float32") / 127.5 - 1.0, axis=-1, keepdims=True)
        mnist_accuracy = np.mean(metrics.classifier("mnist").predict_classes(grey) == labels)
        assert mnist_accuracy < 0.3 and accuracy - mnist_accuracy > 0.6, mnist_accuracy

    def test_frechet_distance_tells_the_domains_apart(self, mnist_m_classifier, mnist_m_test):
        images, _ = mnist_m_test
        digits, _ = datasets.load_numpy("mnist", "test", data_dir=DATA_DIR)
        mnist_rgb = np.repeat(digits[-250:], 3, axis=-1)
        real = mnist_m_classifier.features(images)
        same = metrics.frechet_distance(real[:250], real[250:])
        other = metrics.frechet_distance(mnist_m_classifier.features(mnist_rgb), real[250:])
        # Measured: 23.0 between the two halves of the MNIST-M images (the
        # bias of 250 images in 128 dimensions), 116.3 from MNIST digits.
        assert same < 40 and other > 3 * same, (same, other)
