"""TensorFlow core: gradients through `tf.GradientTape`."""

import contextlib

import tensorflow as tf


def minimize(loss_fn, variables, optimizer):
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    grads = tape.gradient(loss, variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    optimizer.apply(grads, variables)
    return loss, aux


def input_gradient(fn, x):
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(fn(x))
    return tape.gradient(y, x)


def run_train_step(model, data):
    # Keras' TensorFlow trainer wraps this call in a `tf.function`.
    return model.gan_train_step(data)


def inference_mode():
    return contextlib.nullcontext()
