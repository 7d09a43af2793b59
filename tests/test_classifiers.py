"""The shipped classifiers, classifier FID, Stacked MNIST and image feature networks."""

import json
import os
import shutil

import classifier_worker
import keras
import numpy as np
import pytest
from test_case import BACKENDS, ROOT, TestCase, current_backend

from keras_gans import datasets, metrics
from keras_gans.metrics import classifiers, inception

DATA_DIR = os.environ.get("KERAS_GANS_DATA_DIR") or os.path.join(
    os.path.dirname(ROOT), "shared", "data"
)
HAVE_MNIST = os.path.isfile(os.path.join(DATA_DIR, "mnist", "t10k-images-idx3-ubyte.gz"))
needs_mnist = pytest.mark.skipif(
    not HAVE_MNIST,
    reason=f"the MNIST files are not in {DATA_DIR!r} (set KERAS_GANS_DATA_DIR to a folder "
    "holding mnist/t10k-images-idx3-ubyte.gz and the other IDX files)",
)


def card(name):
    with open(os.path.join(classifiers.ZOO_DIR, f"{name}.json")) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def mnist_classifier():
    return metrics.classifier("mnist")


@pytest.fixture(scope="module")
def mnist_test(mnist_classifier):
    images, labels = datasets.load_numpy("mnist", "test", data_dir=DATA_DIR)
    features, probabilities = mnist_classifier.features_and_probabilities(images)
    return images, labels, features, probabilities


class TestShippedWeights(TestCase):
    @pytest.mark.parametrize("name", classifiers.NAMES)
    def test_card_matches_the_file_and_the_code(self, name):
        spec = classifiers.SPECS[name]
        path = os.path.join(classifiers.ZOO_DIR, spec.filename)
        if spec.sha256 is None:
            pytest.skip(f"no {name} classifier is shipped yet")
        info = card(name)
        assert classifiers.file_sha256(path) == spec.sha256 == info["sha256"]
        assert os.path.getsize(path) < 2 * 1024 * 1024
        assert info["test_images"] == 10000

    def test_refuses_a_changed_file(self, tmp_path):
        path = str(tmp_path / "mnist.weights.h5")
        shutil.copy(os.path.join(classifiers.ZOO_DIR, "mnist.weights.h5"), path)
        with open(path, "ab") as f:
            f.write(b"\0")
        with pytest.raises(ValueError, match=r"sha256 [0-9a-f]{64}.*expects 139e1301"):
            metrics.classifier("mnist", weights=path)

    def test_missing_file_and_unknown_name(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="weights="):
            metrics.classifier("mnist", weights=str(tmp_path / "none.weights.h5"))
        with pytest.raises(ValueError, match="Unknown classifier 'svhn'"):
            metrics.classifier("svhn")

    def test_bad_images(self, mnist_classifier):
        with pytest.raises(ValueError, match=r"`images` must have shape \(n, 28, 28, 1\)"):
            mnist_classifier.features(np.zeros((2, 32, 32, 3), "uint8"))
        with pytest.raises(ValueError, match="NaN"):
            mnist_classifier.probabilities(np.full((2, 28, 28, 1), np.nan, "float32"))


@needs_mnist
class TestMNISTClassifier(TestCase):
    def test_reaches_its_stated_accuracy(self, mnist_test):
        _, labels, _, probabilities = mnist_test
        accuracy = np.mean(probabilities.argmax(axis=1) == labels)
        stated = card("mnist")["test_accuracy"]
        assert stated >= 0.99
        # The card was measured under TensorFlow; another backend's float32
        # rounding may flip an image or two.
        assert accuracy >= stated - 0.0005, (accuracy, stated)
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-12)

    def test_classifier_fid_of_real_and_of_noise_images(self, mnist_classifier, mnist_test):
        _, _, test_features, probabilities = mnist_test
        train, _ = datasets.load_numpy("mnist", "train", data_dir=DATA_DIR)
        train_features = mnist_classifier.features(train[:5000])
        assert train_features.shape == (5000, 128)
        noise = np.random.default_rng(0).uniform(-1, 1, (2000, 28, 28, 1)).astype("float32")
        real = metrics.frechet_distance(test_features, train_features)
        fake = metrics.frechet_distance(mnist_classifier.features(noise), train_features)
        # Measured: about 0.8 against 2,900 (10,000 test vs 10,000 train images);
        # the bias of a smaller set raises the first (about 10 with 1,000).
        assert real < 3.0 and fake > 500 * real
        # The class statistics of real digits: all classes, evenly, confidently.
        coverage = metrics.class_coverage(probabilities)
        assert coverage.classes == 10 and coverage.reverse_kl < 0.01 and coverage.confident > 0.97
        assert metrics.inception_score(probabilities).mean > 9.5

    def test_uint8_and_float_inputs_agree(self, mnist_classifier, mnist_test):
        images, _, features, _ = mnist_test
        scaled = images[:100].astype("float32") / 127.5 - 1.0
        np.testing.assert_allclose(mnist_classifier.features(scaled), features[:100], atol=1e-5)
        grey = mnist_classifier.features(images[:100, ..., 0])  # (n, 28, 28) works too
        np.testing.assert_allclose(grey, features[:100], atol=1e-5)

    @pytest.mark.large
    def test_same_results_on_every_backend(self, tmp_path, mnist_test):
        if current_backend() != "tensorflow":
            pytest.skip("the three backends are compared once, from the TensorFlow run")
        out = str(tmp_path)
        classifier_worker.run(out, DATA_DIR)
        for backend in BACKENDS:
            if backend != current_backend():
                self.run_python(["tests/classifier_worker.py", out, DATA_DIR], backend)
        results = {b: np.load(os.path.join(out, f"{b}.npz")) for b in BACKENDS}
        ref = results["tensorflow"]
        assert float(ref["fid_noise"]) > 100 * float(ref["fid_real"])
        for backend in BACKENDS:
            r = results[backend]
            np.testing.assert_allclose(r["features"], ref["features"], atol=2e-4, err_msg=backend)
            np.testing.assert_allclose(r["probabilities"], ref["probabilities"], atol=1e-4)
            for key in ("fid_real", "fid_noise"):
                assert float(r[key]) == pytest.approx(float(ref[key]), rel=1e-4), (backend, key)


@needs_mnist
class TestStackedMNIST(TestCase):
    def test_stacking_and_modes(self):
        images = np.arange(5, dtype="uint8")[:, None, None] * np.ones((5, 28, 28), "uint8")
        labels = np.array([3, 1, 4, 1, 5])
        stacked, modes = metrics.stack_digits(images, labels, 200, seed=0)
        assert stacked.shape == (200, 28, 28, 3) and stacked.dtype == np.uint8
        index = stacked[:, 0, 0, :]  # which source image went into each channel
        np.testing.assert_array_equal(modes, labels[index] @ np.array([100, 10, 1]))
        again, _ = metrics.stack_digits(images, labels, 200, seed=0)
        np.testing.assert_array_equal(again, stacked)

    def test_modes_of_real_and_collapsed_samples(self, mnist_classifier):
        images, modes = metrics.stacked_mnist(1000, split="test", seed=1, data_dir=DATA_DIR)
        r = metrics.stacked_mnist_modes(images, mnist_classifier)
        true_counts = np.bincount(modes, minlength=1000)
        true_hit = np.count_nonzero(true_counts)
        # ~632 of 1,000 modes expected among 1,000 uniform draws; the
        # classifier (99.4% a digit) recovers nearly all of the triples.
        assert 580 < true_hit < 680 and abs(r.modes - true_hit) <= 15
        assert r.num_samples == 1000 and r.counts.sum() == 1000
        digits = mnist_classifier.predict_classes(np.moveaxis(images, -1, 0).reshape(-1, 28, 28, 1))
        predicted = digits.reshape(3, -1).T @ np.array([100, 10, 1])
        assert np.mean(predicted == modes) > 0.97
        np.testing.assert_array_equal(r.counts, np.bincount(predicted, minlength=1000))
        collapsed = np.repeat(images[:1], 50, axis=0)
        c = metrics.stacked_mnist_modes(collapsed, mnist_classifier)
        assert c.modes == 1 and c.reverse_kl == pytest.approx(np.log(1000))

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match=r"`images` must have shape \(n, 28, 28, 3\)"):
            metrics.stacked_mnist_modes(np.zeros((4, 28, 28, 1)))
        with pytest.raises(ValueError, match="`labels` must hold one label per image"):
            metrics.stack_digits(np.zeros((4, 28, 28)), np.zeros(3, int), 10)
        with pytest.raises(ValueError, match="`n`"):
            metrics.stack_digits(np.zeros((4, 28, 28)), np.zeros(4, int), 0)


class TestImageFeatures(TestCase):
    @staticmethod
    def stand_in(size=32, channels=3):
        """A small network in place of InceptionV3: mean of each channel and
        of a 3x3 conv, so the features depend on the resized pixels."""
        inputs = keras.Input((size, size, channels))
        conv = keras.layers.Conv2D(4, 3, kernel_initializer="ones", use_bias=False)(inputs)
        pooled = keras.layers.GlobalAveragePooling2D()(inputs)
        out = keras.layers.Concatenate()([pooled, keras.layers.GlobalAveragePooling2D()(conv)])
        return keras.Model(inputs, out)

    def test_resize_tiles_and_batches(self):
        images = np.random.default_rng(0).integers(0, 256, (7, 28, 28, 1)).astype("uint8")
        fn = inception.ImageFeatures(self.stand_in(), batch_size=3)
        features = fn(images)
        assert features.shape == (7, 7) and features.dtype == np.float32
        # The same as resizing by hand (bilinear) and repeating the channel.
        x = images.astype("float32") / 127.5 - 1.0
        x = keras.ops.image.resize(np.repeat(x, 3, axis=-1), (32, 32), interpolation="bilinear")
        expected = keras.ops.convert_to_numpy(fn.model(x))
        np.testing.assert_allclose(features, expected, atol=1e-5)
        # Grey pixels in [-1, 1] map to pooled means in [-1, 1], one per channel.
        np.testing.assert_allclose(features[:, 0], features[:, 2], atol=1e-6)
        assert np.all(np.abs(features[:, :3]) <= 1.0)

    def test_feeds_the_statistics(self):
        fn = inception.ImageFeatures(self.stand_in(16), image_size=(16, 16))
        rng = np.random.default_rng(1)
        a = fn(rng.uniform(-1, 1, (300, 16, 16, 3)).astype("float32"))
        b = fn(rng.uniform(-1, 1, (300, 16, 16, 3)).astype("float32"))
        c = fn(rng.uniform(-1, 0, (300, 16, 16, 3)).astype("float32"))
        assert metrics.frechet_distance(a, b) < 0.05 * metrics.frechet_distance(a, c)

    def test_bad_arguments(self):
        fn = inception.ImageFeatures(self.stand_in())
        with pytest.raises(ValueError, match="`images` must have shape"):
            fn(np.zeros((0, 32, 32, 3)))
        with pytest.raises(ValueError, match="channels"):
            fn(np.zeros((2, 32, 32, 2), "float32"))
        with pytest.raises(ValueError, match="`image_size`"):
            inception.ImageFeatures(self.stand_in(), image_size=(0, 5))

    def test_inception_weights_are_checked_before_use(self, tmp_path):
        bogus = tmp_path / "inception_v3_notop.h5"
        bogus.write_bytes(b"not the weights")
        with pytest.raises(ValueError, match=r"md5 [0-9a-f]{32}.*bcbd6486"):
            metrics.InceptionV3Features(weights=str(bogus))
        with pytest.raises(ValueError, match=r"sha256 [0-9a-f]{64}, but 0{64}"):
            metrics.InceptionV3Features(weights=str(bogus), file_hash="0" * 64)
        with pytest.raises(ValueError, match="`file_hash`"):
            metrics.InceptionV3Features(weights=str(bogus), file_hash="abc")
        with pytest.raises(FileNotFoundError, match="`weights`"):
            metrics.InceptionV3Features(weights=str(tmp_path / "missing.h5"))

    @pytest.mark.large
    def test_inception_v3_network(self):
        # Built with random weights: the plumbing only; the resizing path is
        # tested above with the stand-in.
        if current_backend() == "jax":
            pytest.skip(
                "drawing InceptionV3's 22 M random weights takes about a minute under JAX on "
                "2 CPU cores; the TensorFlow and PyTorch runs build the same Keras network"
            )
        fn = metrics.InceptionV3Features(weights=None)
        assert fn.model.output_shape == (None, 2048)
        assert fn.image_size == (299, 299) and fn.channels == 3
        assert "299x299" in fn.protocol and "bilinear" in fn.protocol
