import os

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--run-large", action="store_true", default=False, help="also run tests marked large"
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-large") or os.environ.get("KERAS_GANS_RUN_LARGE") == "1":
        return
    skip = pytest.mark.skip(reason="large test: pass --run-large to run it")
    for item in items:
        if "large" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    import keras

    return f"keras {keras.__version__}, backend {keras.config.backend()}"
