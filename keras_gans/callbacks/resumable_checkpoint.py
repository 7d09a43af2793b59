"""`ResumableCheckpoint`: exact resume of a killed `fit` from its last completed epoch."""

import json
import os
import re

import keras

from keras_gans.metrics.classifiers import file_sha256
from keras_gans.utils import TMP_PREFIX as _TMP_PREFIX
from keras_gans.utils import atomic_write, check_positive_int

STATE_FILE = "state.json"
_WEIGHTS_PATTERN = re.compile(r"^epoch_(\d+)\.weights\.h5$")


sha256_of = file_sha256


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves the whole training state every epoch; a restarted `fit` resumes exactly.

    Pass the same callback (same `directory`) to the same `fit` call in a new
    process: at the start of `fit` the newest checkpoint is loaded and training
    continues at the epoch after it. A run killed at any moment (even with
    SIGKILL, even during a save) and restarted ends with the same weights as
    one never stopped, on the same backend and with the same seed, because
    the checkpoint holds everything the steps depend on:

    - every variable of the model (both networks, batch-norm statistics,
      EMA or augmentation variables of any layer), both optimizers' slots and
      step counters, and the state of every seed generator (the GAN's noise
      and each random layer's, such as `Dropout`), through
      `GAN.save_weights`;
    - the seed of the data order: `GAN.fit` serves numpy data and
      `keras_gans.datasets.load` datasets as positional streams, where epoch
      `e` always starts at batch `e * steps_per_epoch` of the run;
    - the epoch reached, the steps per epoch and the logs of past epochs.

    Resume works at epoch granularity: the epoch that was running when the
    process died is run again from its start, from the state saved at the end
    of the epoch before, so it is exact. For finer checkpoints use a smaller
    `steps_per_epoch` (the positional stream makes the run the same whatever
    the epoch length). Keras' `BackupAndRestore` at `save_freq="epoch"` is
    exact too with keras_gans models, but it writes its file in place (a
    crash during a save can leave it broken) and its batch-level `save_freq`
    re-runs a whole epoch from mid-epoch weights, which is not exact.

    Each save writes `epoch_NNNNNN.weights.h5` through a temporary file
    (fsync, then `os.replace`), then `state.json` the same way, which names
    that file and its sha256; older weights files are removed only after.
    A crash at any point leaves the previous checkpoint loadable.

    The model's `seed` is not needed for an exact resume (the seed
    generators' states and the data seed are in the checkpoint), but
    `keras_gans.datasets.load` needs its own `seed=` (without one each
    process shuffles differently), and inputs other than numpy arrays and
    `datasets.load` must have an order that does not depend on the process's
    history (an unshuffled `tf.data` pipeline, a `PyDataset` that orders by
    index).

    Args:
        directory: folder for the checkpoint files (created if missing);
            use one folder per run.
        every: save every this many epochs (and after the last one).
        keep: how many checkpoints to keep (>= 1).

    Example:

    ```python
    gan.fit(x, epochs=100, callbacks=[ResumableCheckpoint("runs/ring/ckpt")])
    ```
    """

    def __init__(self, directory, every=1, keep=1):
        super().__init__()
        if not isinstance(directory, (str, os.PathLike)) or not os.fspath(directory):
            raise ValueError(
                f"`directory` must be a non-empty path to a folder; received {directory!r}."
            )
        self.directory = os.fspath(directory)
        if os.path.exists(self.directory) and not os.path.isdir(self.directory):
            raise ValueError(
                f"`directory`={self.directory!r} exists and is not a folder; "
                "give a folder for the checkpoint files."
            )
        self.every = check_positive_int(every, "every")
        self.keep = check_positive_int(keep, "keep")
        self.resumed_from = None
        self.history = {}
        self._past = {"epochs": [], "logs": {}}
        self._before = ([], {})

    # ------------------------------------------------------------- reading
    @property
    def state_path(self):
        return os.path.join(self.directory, STATE_FILE)

    def read_state(self):
        """The newest checkpoint's record (a dict), or None if there is none."""
        if not os.path.isfile(self.state_path):
            return None
        try:
            with open(self.state_path) as f:
                state = json.load(f)
        except (OSError, ValueError) as e:
            raise ValueError(
                f"The checkpoint record {self.state_path!r} cannot be read ({e}). It is "
                "only ever replaced whole, so this file was changed by something else."
            ) from None
        return state

    def _load(self, state):
        path = os.path.join(self.directory, state["weights"])
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"The checkpoint {self.state_path!r} names {state['weights']!r}, which "
                f"is missing from {self.directory!r}."
            )
        digest = sha256_of(path)
        if digest != state["sha256"]:
            raise ValueError(
                f"{path!r} has sha256 {digest}, but the checkpoint record expects "
                f"{state['sha256']}: the file is damaged or was replaced."
            )
        model = self.model
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
        model.load_weights(path)

    # --------------------------------------------------------- callbacks
    def on_train_begin(self, logs=None):
        self._clean_temporary_files()
        state = self.read_state()
        self.resumed_from = None
        self._past = {"epochs": [], "logs": {}}
        self._before = ([], {})
        if state is None:
            return
        steps = (self.params or {}).get("steps")
        if state.get("steps") != steps:
            raise ValueError(
                f"The checkpoint in {self.directory!r} was written by a run with "
                f"{state.get('steps')} steps per epoch; this run has {steps}. Resume "
                "with the same data, batch size and steps_per_epoch, or use another "
                "directory."
            )
        if state.get("model") != type(self.model).__name__:
            raise ValueError(
                f"The checkpoint in {self.directory!r} holds a {state.get('model')}, "
                f"not a {type(self.model).__name__}; use another directory."
            )
        self._load(state)
        self.resumed_from = int(state["epoch"])
        self.model._initial_epoch = self.resumed_from
        self._past = {"epochs": list(state.get("epochs", [])), "logs": state.get("logs", {})}
        self._before = (
            list(self._past["epochs"]),
            {k: list(v) for k, v in self._past["logs"].items()},
        )

    def on_epoch_end(self, epoch, logs=None):
        self._past["epochs"].append(epoch)
        for key, value in (logs or {}).items():
            try:
                value = float(value)
            except (TypeError, ValueError):
                continue
            self._past["logs"].setdefault(key, []).append(value)
        last = epoch + 1 == (self.params or {}).get("epochs")
        if (epoch + 1) % self.every == 0 or last or self.model.stop_training:
            self.save(epoch + 1)

    def on_train_end(self, logs=None):
        # Keras would start the next `fit` of this model at the resumed epoch.
        self.model._initial_epoch = None
        self.history = {k: list(v) for k, v in self._past["logs"].items()}
        history = getattr(self.model, "history", None)
        before_epochs, before_logs = self._before
        if before_epochs and history is not None and hasattr(history, "history"):
            # Put the epochs run before the restart in front of this run's.
            history.epoch = list(before_epochs) + list(history.epoch)
            for key, values in before_logs.items():
                history.history[key] = list(values) + list(history.history.get(key, []))

    # ------------------------------------------------------------- writing
    def save(self, epoch):
        """Writes the checkpoint of the state after `epoch` epochs."""
        os.makedirs(self.directory, exist_ok=True)
        name = f"epoch_{epoch:06d}.weights.h5"
        path = os.path.join(self.directory, name)
        atomic_write(path, lambda tmp: self.model.save_weights(tmp, overwrite=True))
        self._after_weights_written(path)
        state = {
            "format": 1,
            "epoch": int(epoch),
            "weights": name,
            "sha256": sha256_of(path),
            "steps": (self.params or {}).get("steps"),
            "model": type(self.model).__name__,
            "backend": keras.config.backend(),
            "epochs": self._past["epochs"],
            "logs": self._past["logs"],
        }

        def write_state(tmp):
            with open(tmp, "w") as f:
                json.dump(state, f, indent=1)

        atomic_write(self.state_path, write_state)
        self._remove_old(keep_name=name)
        return path

    def _after_weights_written(self, path):
        """Runs between writing a weights file and recording it (a test seam)."""

    def _remove_old(self, keep_name):
        names = sorted(
            n for n in os.listdir(self.directory) if _WEIGHTS_PATTERN.match(n) and n != keep_name
        )
        for n in names[: max(0, len(names) - (self.keep - 1))]:
            try:
                os.remove(os.path.join(self.directory, n))
            except OSError:
                pass

    def _clean_temporary_files(self):
        if not os.path.isdir(self.directory):
            return
        for n in os.listdir(self.directory):
            if n.startswith(_TMP_PREFIX):
                try:
                    os.remove(os.path.join(self.directory, n))
                except OSError:
                    pass
