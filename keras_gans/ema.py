"""An exponential moving average (EMA) of the generator's weights.

`GAN.compile(ema_decay=d)` gives the model an `ema_generator`: a copy of the
generator whose weights start equal to the generator's and, after every
generator update inside the train step, become

    ema = d * ema + (1 - d) * w

for each trainable weight `w` of the generator. Non-trainable generator
variables (batch-norm moving statistics, reference batches) are copied as
they are, since they are not parameters that the optimizer moves. The EMA
weights are non-trainable variables of the GAN, so they travel in the JAX
training state, are saved in `.keras` files and checkpoints, and are restored
on load; the trained weights are only ever read.

The EMA generator (Karras et al., 2018; Yazici et al., 2019) usually gives
better samples than the last iterate; `GAN.generate` samples with it when
there is one.
"""

import keras
import numpy as np
from keras import ops

from keras_gans.utils import check_number


def check_decay(decay):
    """Returns `decay` as a float in (0, 1), or raises naming `ema_decay`."""
    if isinstance(decay, bool):
        raise TypeError(f"`ema_decay` must be None or a number in (0, 1); received {decay!r}.")
    decay = check_number(decay, "ema_decay", minimum=0.0, inclusive=False)
    if not decay < 1.0:
        raise ValueError(f"`ema_decay` must be None or a number in (0, 1); received {decay!r}.")
    return decay


def clone_generator(generator):
    """A structural copy of `generator` with the same weight values, frozen.

    Functional and Sequential models are cloned with `keras.models.clone_model`;
    other models are rebuilt with `from_config(get_config())` and called once
    on zeros to create their weights. The copy's weights are non-trainable.
    """
    try:
        clone = keras.models.clone_model(generator)
    except ValueError:
        # Subclassed models: clone_model refuses them.
        try:
            clone = generator.__class__.from_config(generator.get_config())
        except (NotImplementedError, TypeError, ValueError) as e:
            raise TypeError(
                f"An EMA generator needs a copy of the generator, but "
                f"{type(generator).__name__} cannot be rebuilt from its config ({e}). "
                "Use a functional or Sequential generator, or implement get_config()."
            ) from None
    if not clone.built:
        shapes = _input_shapes(generator)
        if shapes is None:
            raise ValueError(
                "Could not build the EMA generator: the generator's input shape is unknown."
            )
        inputs = [ops.zeros((2,) + tuple(s[1:])) for s in shapes]
        clone(inputs[0] if len(inputs) == 1 else inputs, training=False)
    clone.trainable = False
    copy_weights(generator, clone)
    return clone


def copy_weights(source, target):
    """Assigns every weight of `source` to the matching weight of `target`."""
    for src, dst in _pairs(source, target):
        # A copy of the value, never the same buffer: JAX donates the state's
        # buffers to the train step and refuses one buffer given twice.
        dst.assign(np.array(ops.convert_to_numpy(src), dtype=dst.dtype))


class GeneratorEMA:
    """Updates an EMA generator from the trained generator (inside the step).

    A plain object (not tracked by Keras): the variables it updates belong to
    the two generators, which the GAN tracks.

    Args:
        generator: the trained generator.
        ema_generator: its copy (see `clone_generator`).
        decay: the EMA decay in (0, 1).
    """

    def __init__(self, generator, ema_generator, decay):
        self.decay = check_decay(decay)
        self.generator = generator
        self.ema_generator = ema_generator
        self._pairs = _pairs(generator, ema_generator)

    def current_decay(self):
        """The decay of this step (subclasses may schedule it)."""
        return self.decay

    def update(self):
        """One EMA step: `ema = decay * ema + (1 - decay) * w`; buffers copied."""
        decay = self.current_decay()
        for src, dst in self._pairs:
            value = ops.stop_gradient(ops.convert_to_tensor(src))
            if src.trainable:
                old = ops.cast(ops.convert_to_tensor(dst), "float32")
                new = decay * old + (1.0 - decay) * ops.cast(value, "float32")
                dst.assign(ops.cast(new, dst.dtype))
            else:
                dst.assign(ops.cast(value, dst.dtype))


def _pairs(source, target):
    src, dst = list(source.weights), list(target.weights)
    if len(src) != len(dst) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(src, dst)):
        raise ValueError(
            "The EMA generator does not match the generator's weights "
            f"({len(dst)} against {len(src)} weights, or different shapes)."
        )
    return list(zip(src, dst))


def _input_shapes(model):
    inputs = getattr(model, "inputs", None)
    if inputs:
        return [tuple(i.shape) for i in inputs]
    shape = getattr(model, "_build_shapes_dict", None)
    if shape:
        return [tuple(s) for s in shape.values()]
    return None
