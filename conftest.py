"""pytest options shared by every test directory."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--quick", action="store_true",
                     help="skip the tests marked slow (CI runs them)")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--quick"):
        return
    skip = pytest.mark.skip(reason="slow; skipped by --quick")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
