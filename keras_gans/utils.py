"""Argument checks shared by the public entry points."""

import numpy as np


def check_positive_int(value, name):
    """Returns `value` as an int, or raises a ValueError that names the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer; received {value!r}.")
    return int(value)


def check_seed(seed, name="seed"):
    """Returns `seed` (a non-negative int or None), or raises a ValueError."""
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise ValueError(f"`{name}` must be a non-negative integer or None; received {seed!r}.")
    return None if seed is None else int(seed)
