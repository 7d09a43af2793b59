import os

import pytest
from keras import ops
from test_case import ROOT, TestCase, current_backend

from keras_gans import demo


class TestDemo(TestCase):
    def test_demo_trains_and_plots(self, tmp_path):
        out = str(tmp_path / "ring.png")
        gan, result, seconds = demo.run(steps=200, epochs=2, out=out, verbose=0)
        assert os.path.getsize(out) > 10_000
        with open(out, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert 0 <= result.modes <= 8 and 0.0 <= result.high_quality <= 1.0
        assert int(ops.convert_to_numpy(gan.g_optimizer.iterations)) == 200

    def test_demo_rejects_bad_arguments(self):
        with pytest.raises(ValueError, match="epochs"):
            demo.run(steps=5, epochs=10, out=None, verbose=0)
        with pytest.raises(ValueError, match="steps"):
            demo.run(steps=0, out=None, verbose=0)

    def test_command_line(self, tmp_path):
        out = str(tmp_path / "cli.png")
        stdout = self.run_python(
            ["-m", "keras_gans", "demo", "--steps=60", "--epochs=1", f"--out={out}"],
            current_backend(),
        )
        assert "modes captured:" in stdout and f"wrote {out}" in stdout
        assert current_backend() in stdout
        assert os.path.exists(out)

    @pytest.mark.parametrize(
        "args,message",
        [
            (["bogus"], "Give one command"),
            ([], "Give one command"),
            (["demo", "--steps=0"], "--steps"),
            (["demo", "--backend=numpy"], "--backend must be one of"),
        ],
    )
    def test_command_line_errors(self, args, message, capsys):
        from keras_gans import __main__ as cli

        with pytest.raises(SystemExit) as e:
            cli.main(["keras_gans", *args])
        captured = capsys.readouterr()
        assert e.value.code != 0
        assert message in str(e.value.code) + captured.err + captured.out


DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")


@pytest.mark.skipif(not os.path.isdir(os.path.join(DATA, "mnist")), reason=f"no data in {DATA}")
class TestTrain(TestCase):
    def test_train_writes_grids_curves_history_and_model(self, tmp_path):
        import json

        import keras

        from keras_gans import train

        out = str(tmp_path / "run")
        gan, history = train.train(
            family="cgan",
            dataset="mnist",
            data_dir=DATA,
            epochs=2,
            steps_per_epoch=2,
            batch_size=8,
            out_dir=out,
            generator_filters=4,
            discriminator_filters=4,
        )
        files = sorted(os.listdir(out))
        assert files == [
            "history.json",
            "losses.png",
            "model.keras",
            "samples.png",
            "samples_epoch_001.png",
            "samples_epoch_002.png",
        ]
        with open(os.path.join(out, "history.json")) as f:
            record = json.load(f)
        assert record["family"] == "cgan" and len(record["history"]["d_loss"]) == 2
        assert int(ops.convert_to_numpy(gan.g_optimizer.iterations)) == 4
        loaded = keras.saving.load_model(os.path.join(out, "model.keras"))
        assert loaded.num_classes == 10

    def test_unknown_family_is_refused(self):
        from keras_gans import train

        with pytest.raises(ValueError, match="Unknown family 'gan2'"):
            train.build("gan2", (28, 28, 1), 10, seed=0)
