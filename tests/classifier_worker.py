"""Run under one backend: the MNIST classifier's outputs on real test images.

    python tests/classifier_worker.py OUT_DIR DATA_DIR

writes OUT_DIR/<backend>.npz with features, probabilities and FIDs, for
tests/test_classifiers.py to compare across backends.
"""

import os
import sys

import keras
import numpy as np

from keras_gans import datasets, metrics

NUM = 1000


def run(out_dir, data_dir):
    clf = metrics.classifier("mnist")
    test, _ = datasets.load_numpy("mnist", "test", data_dir=data_dir)
    train, _ = datasets.load_numpy("mnist", "train", data_dir=data_dir)
    f_test, p_test = clf.features_and_probabilities(test[:NUM])
    f_train = clf.features(train[:NUM])
    noise = np.random.default_rng(0).uniform(-1, 1, size=(NUM, 28, 28, 1)).astype("float32")
    f_noise = clf.features(noise)
    result = dict(
        features=f_test,
        probabilities=p_test,
        fid_real=metrics.frechet_distance(f_test, f_train),
        fid_noise=metrics.frechet_distance(f_noise, f_train),
    )
    np.savez(os.path.join(out_dir, f"{keras.config.backend()}.npz"), **result)
    return result


if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
