"""Positional data streams: batch `g` of a run is a pure function of `(seed, g)`.

A run that is stopped and resumed from a checkpoint must see the same batches
as a run that was never stopped. Keras' own shuffling draws each epoch's order
from the process's random state (numpy, `tf.random` or torch, depending on the
backend), so a resumed process sees a different order. Here the order of the
whole run is fixed in advance instead:

- The stream is a sequence of passes over the data. Pass `p` visits the
  samples in the order `pass_permutation(seed, p, n)` (numpy's generator seeded
  with `(seed, p)`; the identity without shuffling), cut into batches.
- Batch `g` of the stream is batch `g % batches_per_pass` of pass
  `g // batches_per_pass`.
- Each stream has a position: where the next iteration starts. An iteration
  yields `batches_per_pass` consecutive batches from the position and moves
  the position past them. `GAN.fit` sets the position at the start of a fit to
  `initial_epoch * steps_per_epoch`, so epoch `e` always sees the same batches,
  however the process got there.

`GAN.fit` wraps numpy inputs in an `ArrayStream`; `keras_gans.datasets.load`
builds a `tf.data` pipeline with the same rule (`tf_stream`).
"""

import math

import keras
import numpy as np

# The attribute of a `tf.data.Dataset` that holds its stream position.
POSITION_ATTR = "_keras_gans_stream_position"


def pass_permutation(seed, pass_index, n, shuffle=True):
    """The order of the samples in pass `pass_index`: an int64 array of `n` indices."""
    if not shuffle:
        return np.arange(n, dtype="int64")
    rng = np.random.default_rng([int(seed), int(pass_index)])
    return rng.permutation(n).astype("int64")


def batches_per_pass(n, batch_size, drop_remainder):
    return n // batch_size if drop_remainder else math.ceil(n / batch_size)


class _Permutations:
    """The permutations of the last few passes, computed once each."""

    def __init__(self, seed, n, shuffle):
        self.seed, self.n, self.shuffle = seed, n, shuffle
        self._cache = {}

    def __call__(self, pass_index):
        # `seed` may be a function: read when the permutation is needed, so
        # a seed restored from a checkpoint after the stream was made counts.
        seed = int(self.seed() if callable(self.seed) else self.seed)
        key = (seed, pass_index)
        perm = self._cache.get(key)
        if perm is None:
            if len(self._cache) >= 3:
                self._cache.pop(next(iter(self._cache)))
            perm = pass_permutation(seed, pass_index, self.n, self.shuffle)
            self._cache[key] = perm
        return perm


class ArrayStream(keras.utils.PyDataset):
    """numpy arrays as a positional stream of batches (see the module docstring).

    Args:
        arrays: a tuple of arrays with the same first dimension, for example
            `(x,)` or `(x, y)`; each batch is the same tuple of slices.
        batch_size: samples per batch; the last batch of a pass may be smaller.
        seed: seed of the per-pass permutations, or a function returning it
            (read when a pass starts).
        shuffle: permute each pass (otherwise every pass is in order).
        infinite: an endless stream (for `fit(steps_per_epoch=...)`), where
            Keras keeps one iterator across epochs; otherwise each iteration
            yields one pass's worth of batches.
    """

    def __init__(self, arrays, batch_size, seed, shuffle=True, infinite=False):
        super().__init__()
        self.arrays = tuple(arrays)
        self.n = len(self.arrays[0])
        self.batch_size = int(batch_size)
        self.seed = seed
        self.shuffle = bool(shuffle)
        self.infinite = bool(infinite)
        self.batches_per_pass = batches_per_pass(self.n, self.batch_size, drop_remainder=False)
        self.position = 0
        self._base = 0
        self._permutations = _Permutations(self.seed, self.n, self.shuffle)

    def set_position(self, position):
        """Where the next iteration starts, in batches from the start of the run."""
        self.position = int(position)

    def __len__(self):
        return self.batches_per_pass

    @property
    def num_batches(self):
        return None if self.infinite else self.batches_per_pass

    def batch_indices(self, g):
        """The sample indices of batch `g` of the stream."""
        p, j = divmod(int(g), self.batches_per_pass)
        start = j * self.batch_size
        return self._permutations(p)[start : start + self.batch_size]

    def __getitem__(self, i):
        if i == 0:
            # A new iteration starts at the stream's position.
            self._base = self.position
            self.position = self._base + self.batches_per_pass
        idx = self.batch_indices(self._base + i)
        return tuple(a[idx] for a in self.arrays)


def tf_stream(arrays, batch_size, seed, shuffle=True, drop_remainder=True, transform=None):
    """A `tf.data.Dataset` positional stream over in-memory arrays.

    Every iteration yields `batches_per_pass` batches from the stream's
    position (a `tf.Variable`, read and advanced when the iteration starts),
    so `dataset.repeat()` continues the stream exactly. The permutations are
    numpy's (`pass_permutation`), so the order is the same as an
    `ArrayStream`'s and the same on every backend.

    Args:
        arrays: a tuple of numpy arrays with the same first dimension.
        batch_size, seed, shuffle, drop_remainder: as in `ArrayStream`.
        transform: a function applied to each batch (a tuple of tensors),
            returning what the dataset yields.
    """
    import tensorflow as tf

    arrays = tuple(arrays)
    n = len(arrays[0])
    nb = batches_per_pass(n, batch_size, drop_remainder)
    used = nb * batch_size if drop_remainder else n
    permutations = _Permutations(seed, n, shuffle)
    position = tf.Variable(0, dtype=tf.int64, trainable=False, name="stream_position")

    def split(start):
        # Batches j.. of pass p, then batches ..j-1 of pass p + 1: `nb` in all.
        p, j = divmod(int(start), nb)
        head = permutations(p)[j * batch_size : used]
        tail = permutations(p + 1)[: j * batch_size]
        return head, tail

    def indices(_):
        start = position.assign_add(nb) - nb
        head, tail = tf.numpy_function(split, [start], (tf.int64, tf.int64), stateful=True)
        head.set_shape([None])
        tail.set_shape([None])
        return (
            tf.data.Dataset.from_tensor_slices(head)
            .batch(batch_size, drop_remainder=drop_remainder)
            .concatenate(tf.data.Dataset.from_tensor_slices(tail).batch(batch_size))
        )

    tensors = tuple(tf.constant(a) for a in arrays)

    def gather(idx):
        batch = tuple(tf.gather(t, idx) for t in tensors)
        return transform(*batch) if transform is not None else batch

    ds = tf.data.Dataset.range(1).flat_map(indices)
    ds = ds.apply(tf.data.experimental.assert_cardinality(nb))
    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    setattr(ds, POSITION_ATTR, _TFPosition(position))
    return ds


class _TFPosition:
    def __init__(self, variable):
        self.variable = variable

    def set_position(self, position):
        self.variable.assign(int(position))


def find_positions(data):
    """The positional streams `data` reads from (an `ArrayStream`, or a
    `tf.data.Dataset` built on `tf_stream`, through any transformations)."""
    if isinstance(data, ArrayStream):
        return [data]
    found, stack, seen = [], [data], set()
    while stack:
        ds = stack.pop()
        if id(ds) in seen:
            continue
        seen.add(id(ds))
        position = getattr(ds, POSITION_ATTR, None)
        if position is not None:
            found.append(position)
        inputs = getattr(ds, "_inputs", None)
        if callable(inputs):
            try:
                stack.extend(inputs())
            except Exception:  # Not a dataset we can walk; nothing to position.
                pass
    return found


LABELS_ERROR = "The labels of a training batch must lie in"


def check_dataset_labels(data, num_classes):
    """Checks the labels of a `tf.data` input of `(images, labels)` as it is read.

    A compiled train step cannot raise (JAX), so the check runs in the input
    pipeline. Returns `(data, checked)`.
    """
    spec = getattr(data, "element_spec", None)
    if not isinstance(spec, tuple) or len(spec) < 2 or not hasattr(data, "map"):
        return data, False
    import tensorflow as tf

    def check(x, y, *rest):
        y64 = tf.cast(y, tf.int64)
        ok = tf.logical_and(tf.reduce_all(y64 >= 0), tf.reduce_all(y64 < num_classes))
        message = tf.strings.format(
            LABELS_ERROR + " [0, {}); received values from {} to {}.",
            (num_classes, tf.reduce_min(y64), tf.reduce_max(y64)),
        )
        with tf.control_dependencies([tf.debugging.Assert(ok, [message])]):
            y = tf.identity(y)
        return (x, y, *rest)

    checked = data.map(check)
    # Keep the stream position reachable through the new dataset.
    return checked, True


class StreamPosition(keras.callbacks.Callback):
    """Sets the streams' position at the first epoch of a fit.

    At the first epoch `e` of a `fit` call (which is not 0 after a resume),
    the position becomes `e * steps_per_epoch`: the stream continues where an
    uninterrupted run would be. `GAN.fit` adds this callback itself.
    """

    def __init__(self, streams):
        super().__init__()
        self.streams = list(streams)
        self._first = True

    def on_train_begin(self, logs=None):
        self._first = True

    def on_epoch_begin(self, epoch, logs=None):
        if not self._first:
            return
        self._first = False
        steps = (self.params or {}).get("steps")
        if steps is None:
            return
        for stream in self.streams:
            stream.set_position(epoch * steps)
