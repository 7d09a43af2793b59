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


def seed_stream(seed, salt):
    """Distinct layer seeds derived from a model seed (None gives None forever).

    Seeds come from numpy's `SeedSequence` of `(seed, salt)`, so different
    model seeds, or the generator and discriminator of one model (different
    `salt`), never share layer seeds.
    """
    if seed is None:
        while True:
            yield None
    rng = np.random.default_rng([int(seed), int(salt)])
    while True:
        yield int(rng.integers(0, 2**31 - 1))


def check_number(value, name, minimum=0.0, inclusive=True):
    """Returns `value` as a finite float `>= minimum` (or `>` when not inclusive)."""
    bound = f">= {minimum}" if inclusive else f"> {minimum}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a number {bound}; received {value!r}.") from None
    if (
        isinstance(value, bool)
        or not np.isfinite(number)
        or (number < minimum if inclusive else number <= minimum)
    ):
        raise ValueError(f"`{name}` must be a finite number {bound}; received {value!r}.")
    return number
