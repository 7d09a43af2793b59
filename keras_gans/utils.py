"""Argument checks shared by the public entry points."""

import os
import tempfile

import numpy as np

# Prefix of the temporary files `atomic_write` creates beside their target.
TMP_PREFIX = ".tmp-"


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


def _fsync_dir(folder):
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path, write):
    """Writes `path` through a temporary file in the same folder.

    `write(tmp_path)` writes the content; the file is then fsynced and moved
    over `path` with `os.replace`, so `path` holds either its old content or
    the whole new one, never a part. On any error the temporary file is
    removed and the error propagates.
    """
    folder = os.path.dirname(os.path.abspath(path))
    name = os.path.basename(path)
    # Keep the extension: Keras picks the format from it (`.weights.h5`, `.keras`).
    suffix = name[name.index(".") :] if "." in name.lstrip(".") else ".tmp"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=TMP_PREFIX, suffix=suffix)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp creates the file readable by its owner alone; give it the
        # permissions of an ordinarily created file.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(folder)
