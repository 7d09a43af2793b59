"""Argument checks shared by the public entry points."""

import numpy as np


def check_positive_int(value, name):
    """Returns `value` as an int, or raises a ValueError that names the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer; received {value!r}.")
    return int(value)
