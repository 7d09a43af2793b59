"""The zoo: presets load and verify on every backend, errors are clear, the CLI works."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from test_case import ROOT, TestCase, current_backend

from keras_gans import zoo
from keras_gans.zoo import store

SHIPPED = [name for name, p in zoo.PRESETS.items() if p.ships_weights]
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")


@pytest.fixture
def clean_zoo_env(monkeypatch, tmp_path):
    """No zoo folder override and an empty user cache."""
    monkeypatch.delenv(store.ENV_VAR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path


def _copy_preset(name, dest):
    src = os.path.join(store.shipped_dir(), name)
    shutil.copytree(src, os.path.join(dest, name))
    return os.path.join(dest, name)


class TestShippedPresets(TestCase):
    @pytest.mark.parametrize("name", SHIPPED)
    def test_loads_verifies_and_reproduces_its_reference(self, name, clean_zoo_env):
        folder = store.find(name)
        assert folder == os.path.join(store.shipped_dir(), name), f"{name} ships no weights"
        card, path = store.verified_files(name)
        assert card["weights"]["sha256"] == store.file_sha256(path)
        gan = zoo.load(name, compile=False)
        preset = zoo.get(name)
        shape = (preset.model["data_dim"],) if preset.is_toy else tuple(preset.model["image_shape"])
        # The outputs recorded when the preset was trained (on its backend):
        # the same inputs give the same samples on this backend.
        ref = np.load(os.path.join(folder, card["reference"]))
        inputs = {k: ref[k] for k in ref.files if k != "outputs"}
        out = gan.generate(**inputs)
        assert out.shape == ref["outputs"].shape == (len(inputs["z"]), *shape)
        self.assert_all_close(out, ref["outputs"], atol=2e-4, msg=name)
        fresh = gan.generate(6)
        assert fresh.shape == (6, *shape) and np.all(np.isfinite(fresh))
        if not preset.is_toy:
            assert fresh.min() >= -1.0 and fresh.max() <= 1.0
            assert fresh.std() > 0.05, "a generator collapsed to a constant image"
        assert card["parameters"]["total"] == gan.count_params()

    @pytest.mark.parametrize("name", SHIPPED)
    def test_card_matches_the_registry(self, name, clean_zoo_env):
        preset = zoo.get(name)
        card = store.read_card(store.find(name))
        assert card["model"] == json.loads(json.dumps(preset.model)), "retrain after editing"
        assert card["recipe"]["steps"] == preset.steps
        assert card["recipe"]["batch_size"] == preset.batch_size
        assert card["recipe"]["seed"] == preset.seed
        assert card["recipe"]["command"] == preset.recipe_command()
        assert card["training"]["backend"] == preset.backend
        assert card["scores"] and card["protocol"]
        assert os.path.isfile(os.path.join(store.find(name), card["samples"]))
        if preset.is_toy:
            assert 1 <= card["scores"]["modes"] <= card["scores"]["num_modes"]
        else:
            assert card["scores"]["fid"] > card["floor"]["fid"] >= 0

    def test_list_and_info(self, clean_zoo_env):
        rows = zoo.list()
        assert [r["name"] for r in rows] == list(zoo.PRESETS)
        by_name = {r["name"]: r for r in rows}
        for name in SHIPPED:
            r = by_name[name]
            assert r["has_weights"] and r["parameters"]["total"] > 0 and r["scores"]
        assert by_name["dcgan_mnist"]["resolution"] == "28x28x1"
        assert not by_name["dcgan_lsun"]["has_weights"]
        card = zoo.info("dcgan_mnist")
        assert card["family"] == "DCGAN" and "fid" in card["scores"] and card["protocol"]
        assert "--build=dcgan_mnist" in card["recipe"]["command"]

    def test_readme_table_is_generated_from_the_registry(self, clean_zoo_env):
        from keras_gans import cli

        with open(os.path.join(ROOT, "README.md")) as f:
            readme = f.read()
        assert cli.replace_table(readme, cli.markdown_table()) == readme, (
            "README's zoo table is stale: run `python -m keras_gans zoo --readme=README.md`"
        )


class TestErrors(TestCase):
    def test_corrupted_weights_are_refused(self, clean_zoo_env, monkeypatch):
        folder = _copy_preset("gan_ring", str(clean_zoo_env / "zoo"))
        monkeypatch.setenv(store.ENV_VAR, str(clean_zoo_env / "zoo"))
        assert store.find("gan_ring") == folder
        path = os.path.join(folder, store.WEIGHTS)
        with open(path, "r+b") as f:
            f.seek(os.path.getsize(path) // 2)
            byte = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([byte[0] ^ 0xFF]))
        with pytest.raises(zoo.ChecksumError, match="sha256") as e:
            zoo.load("gan_ring")
        assert "--build=gan_ring" in str(e.value)

    def test_a_card_without_hash_is_refused(self, clean_zoo_env, monkeypatch):
        folder = _copy_preset("gan_ring", str(clean_zoo_env / "zoo"))
        monkeypatch.setenv(store.ENV_VAR, str(clean_zoo_env / "zoo"))
        card = store.read_card(folder)
        del card["weights"]["sha256"]
        with open(os.path.join(folder, store.CARD), "w") as f:
            json.dump(card, f)
        with pytest.raises(zoo.ChecksumError):
            zoo.load("gan_ring")

    def test_unknown_name_lists_close_matches(self):
        with pytest.raises(zoo.UnknownPresetError, match="Did you mean 'dcgan_mnist'"):
            zoo.load("dcgan_mnst")
        with pytest.raises(KeyError):  # also a KeyError, as for a dict
            zoo.info("nothing_like_it")

    def test_lsun_without_weights_says_how_to_produce_them(self, clean_zoo_env):
        with pytest.raises(zoo.MissingWeightsError) as e:
            zoo.load("dcgan_lsun")
        message = str(e.value)
        assert "python -m keras_gans zoo --build=dcgan_lsun" in message
        assert store.cache_dir() in message and "do not ship" in message
        info = zoo.info("dcgan_lsun")
        assert not info["has_weights"] and info["model"]["image_shape"] == (64, 64, 3)

    def test_weights_in_the_cache_are_found(self, clean_zoo_env, monkeypatch):
        # A user's own run of a recipe writes into the cache; load() finds it
        # there when the preset does not ship (here: the shipped folder is hidden).
        cache = store.cache_dir()
        os.makedirs(cache)
        _copy_preset("gan_ring", cache)
        monkeypatch.setattr(store, "shipped_dir", lambda: str(clean_zoo_env / "empty"))
        assert store.find("gan_ring") == os.path.join(cache, "gan_ring")
        assert zoo.load("gan_ring", compile=False).generate(3).shape == (3, 2)

    def test_lsun_preset_is_the_papers_architecture(self):
        gan = store.build_model(zoo.get("dcgan_lsun"))
        shapes = [
            tuple(layer.output.shape[1:])
            for layer in gan.generator.layers
            if type(layer).__name__ == "Conv2DTranspose"
        ]
        assert shapes == [(8, 8, 512), (16, 16, 256), (32, 32, 128), (64, 64, 3)]


class TestBuild(TestCase):
    def test_recipe_writes_a_complete_folder_and_keeps_the_old_on_failure(
        self, clean_zoo_env, monkeypatch
    ):
        from keras_gans.zoo import build

        out = str(clean_zoo_env / "zoo" / "gan_ring")
        card = build.build("gan_ring", out_dir=out, steps=20, num_samples=500, verbose=0)
        assert sorted(os.listdir(out)) == sorted(
            ["README.md", "card.json", "model.weights.h5", "reference.npz", "samples.png"]
        )
        assert card["recipe"]["steps"] == 20 and card["recipe"]["command"].endswith("--steps=20")
        assert card["training"]["backend"] == current_backend()
        monkeypatch.setenv(store.ENV_VAR, str(clean_zoo_env / "zoo"))
        gan = zoo.load("gan_ring")
        ref = np.load(os.path.join(out, "reference.npz"))
        self.assert_all_close(gan.generate(z=ref["z"]), ref["outputs"], atol=1e-6)
        before = store.file_sha256(os.path.join(out, store.WEIGHTS))

        def fail(*args, **kwargs):
            raise RuntimeError("scoring failed")

        monkeypatch.setattr(build.scoring, "score", fail)
        with pytest.raises(RuntimeError, match="scoring failed"):
            build.build("gan_ring", out_dir=out, steps=10, num_samples=500, verbose=0)
        assert store.file_sha256(os.path.join(out, store.WEIGHTS)) == before
        assert store.read_card(out)["recipe"]["steps"] == 20
        leftovers = [f for f in os.listdir(os.path.dirname(out)) if f != "gan_ring"]
        assert leftovers == []


def _cli(args, capsys):
    """Runs `python -m keras_gans args` in this process; returns (exit code, output)."""
    from absl import flags

    from keras_gans import __main__ as main

    flags.FLAGS.unparse_flags()
    try:
        main.main(["keras_gans", *args])
        code = 0
    except SystemExit as e:
        code = e.code
    captured = capsys.readouterr()
    return code, captured.out + captured.err + ("" if code in (0, None) else str(code))


class TestCommandLine(TestCase):
    def test_zoo_lists_and_shows_cards(self, capsys, clean_zoo_env):
        code, out = _cli(["zoo"], capsys)
        assert code in (0, None)
        for name in zoo.PRESETS:
            assert name in out
        code, out = _cli(["zoo", "--preset=gan_ring"], capsys)
        assert code in (0, None)
        assert json.loads(out)["name"] == "gan_ring"

    def test_sample_writes_a_png(self, capsys, clean_zoo_env, tmp_path):
        out_png = str(tmp_path / "ring.png")
        code, out = _cli(["sample", "--preset=gan_ring", "--num=300", f"--out={out_png}"], capsys)
        assert code in (0, None), out
        with open(out_png, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"

    def test_evaluate_prints_and_saves_scores(self, capsys, clean_zoo_env, tmp_path):
        path = str(tmp_path / "scores.json")
        code, out = _cli(
            [
                "evaluate",
                "--preset=gan_ring",
                "--metrics=modes",
                "--num_samples=1000",
                f"--json={path}",
            ],
            capsys,
        )
        assert code in (0, None), out
        with open(path) as f:
            record = json.load(f)
        assert record["preset"] == "gan_ring" and 0 <= record["scores"]["modes"] <= 8
        assert "modes" in out and "Protocol" in out

    @pytest.mark.parametrize(
        "args,message",
        [
            (["sample"], "sample needs --preset"),
            (["sample", "--preset=dcgan_mnst"], "Did you mean 'dcgan_mnist'"),
            (["sample", "--preset=gan_ring", "--num=0"], "--num"),
            (["sample", "--preset=gan_ring", "--labels=1"], "only applies to conditional"),
            (["evaluate", "--preset=gan_ring", "--metrics=fid"], "Unknown metric 'fid'"),
            (["evaluate", "--preset=dcgan_mnist", "--metrics=bogus"], "Unknown metric"),
            (["zoo", "--preset=gan_ring", "--build=gan_ring"], "at most one"),
            (["zoo", "--build=dcgan_lsun_x"], "Did you mean"),
            (["zoo", "--readme=/nonexistent/README.md"], "no file"),
            (["sample", "--preset=dcgan_lsun"], "--build=dcgan_lsun"),
        ],
    )
    def test_bad_flags_give_clear_errors(self, args, message, capsys, clean_zoo_env):
        code, out = _cli(args, capsys)
        assert code not in (0, None)
        assert message in out

    @pytest.mark.skipif(not os.path.isdir(os.path.join(DATA, "mnist")), reason=f"no data in {DATA}")
    def test_sample_a_conditional_preset_with_labels(self, capsys, clean_zoo_env, tmp_path):
        out_png = str(tmp_path / "sevens.png")
        code, out = _cli(
            ["sample", "--preset=cgan_mnist", "--num=10", "--labels=7", f"--out={out_png}"], capsys
        )
        assert code in (0, None), out
        code, out = _cli(["sample", "--preset=cgan_mnist", "--num=3", "--labels=1,2"], capsys)
        assert code not in (0, None) and "--labels must give 1 or --num" in out


@pytest.mark.large
def test_non_editable_install_loads_a_preset(tmp_path):
    """`pip install .` (not editable) into a folder, then load from another directory."""
    src = tmp_path / "src"
    # Only what the build reads: not virtual environments, logs or outputs
    # (a CI venv is gigabytes).
    build_inputs = {"keras_gans", "zoo", "setup.cfg", "pyproject.toml", "README.md"}
    skip = shutil.ignore_patterns("*.egg-info", "__pycache__", ".*cache*")

    def ignore(folder, names):
        if os.path.samefile(folder, ROOT):
            return [n for n in names if n not in build_inputs]
        return skip(folder, names)

    shutil.copytree(ROOT, src, symlinks=True, ignore=ignore)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert os.path.isfile(target / "keras_gans" / "zoo" / "files" / "gan_ring" / store.WEIGHTS)
    shutil.rmtree(src)  # nothing may point back at the source tree
    script = (
        "import keras_gans; from keras_gans import zoo; "
        f"assert keras_gans.__file__.startswith({str(target)!r}), keras_gans.__file__; "
        "g = zoo.load('gan_ring'); print(g.generate(5).shape); "
        "print(keras_gans.metrics.classifier('mnist').name)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", store.ENV_VAR)}
    env.update(PYTHONPATH=str(target), KERAS_HOME=str(tmp_path / "home"), TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(tmp_path),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "(5, 2)" in proc.stdout and "mnist" in proc.stdout


@pytest.mark.large
@pytest.mark.skipif(not os.path.isdir(os.path.join(DATA, "mnist")), reason=f"no data in {DATA}")
def test_scores_of_an_image_preset(monkeypatch):
    """The evaluation path of `evaluate` / `zoo --build` on a real preset and real data."""
    from keras_gans.zoo import scoring

    monkeypatch.setenv("KERAS_GANS_DATA_DIR", DATA)
    gan = zoo.load("cgan_mnist", compile=False)
    scores, protocol = scoring.score(gan, "mnist", "fid,classes", num_samples=1000)
    card = zoo.info("cgan_mnist")
    assert set(scores) == {
        "fid",
        "classes",
        "confident",
        "class_kl",
        "label_accuracy",
        "image_range",
    }
    # 1,000 samples instead of the card's 10,000: FID is biased upwards, so
    # only bounds: worse than real data, and near the card's figure.
    assert card["floor"]["fid"] < scores["fid"] < 2 * card["scores"]["fid"] + 5
    assert scores["classes"] == 10 and scores["label_accuracy"] > 0.5
    assert "1000 samples" in protocol
