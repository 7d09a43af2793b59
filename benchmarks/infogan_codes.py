"""Does an InfoGAN's categorical code capture the digit? Measured with the MNIST classifier.

For each value c of the categorical code, the saved InfoGAN draws
`--per_category` images with `generate(n, categories=c)` (fresh noise,
continuous codes drawn from their prior) and the shipped MNIST classifier
(`keras_gans.metrics.classifier("mnist")`) predicts their digits. Reported:
the table of counts (code x predicted digit), the purity (the mean over codes
of the share of the code's most frequent digit; 0.1 for a code unrelated to
the digit, 1 for a perfect one), the normalized mutual information
I(code; digit) / H(digit), and the accuracy of the best one-to-one mapping of
codes to digits (as the paper's "5% error" is measured).

Usage:
    python benchmarks/infogan_codes.py runs/infogan_mnist/model.keras
"""

import itertools
import sys

import numpy as np


def best_mapping_accuracy(table):
    """Accuracy of the best one-to-one code -> digit assignment (Hungarian, by brute force
    over a greedy start when the table is large)."""
    try:
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(-table)
        return table[rows, cols].sum() / table.sum()
    except ImportError:
        k = table.shape[0]
        if k > 8:  # greedy
            used, total = set(), 0
            for r in np.argsort(-table.max(axis=1)):
                c = max(
                    (c for c in range(table.shape[1]) if c not in used), key=lambda c: table[r, c]
                )
                used.add(c)
                total += table[r, c]
            return total / table.sum()
        best = max(
            sum(table[r, c] for r, c in enumerate(p)) for p in itertools.permutations(range(k))
        )
        return best / table.sum()


def main(path, per_category=500):
    import keras

    from keras_gans import metrics

    gan = keras.saving.load_model(path)
    judge = metrics.classifier("mnist")
    k = gan.num_categories
    table = np.zeros((k, 10), dtype="int64")
    for c in range(k):
        table[c] = np.bincount(
            judge.predict_classes(gan.generate(per_category, categories=c)), minlength=10
        )
    p = table / table.sum()
    pc, pd = p.sum(1, keepdims=True), p.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.nansum(p * np.log(p / (pc * pd)))
        h = -np.nansum(pd * np.log(pd))
    print("code x predicted digit:")
    print(table)
    print(f"purity: {(table.max(1) / table.sum(1)).mean():.3f}")
    print(f"I(code; digit) / H(digit): {mi / h:.3f}")
    print(f"best one-to-one mapping accuracy: {best_mapping_accuracy(table):.3f}")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python benchmarks/infogan_codes.py MODEL.keras [PER_CATEGORY]")
    main(sys.argv[1], *(int(a) for a in sys.argv[2:]))
