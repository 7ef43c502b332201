"""Shared set-up of the tests in test/pytest."""

import os

import pytest


@pytest.fixture(autouse=True)
def _small_kernels_build_at_o0(monkeypatch):
    """The NPU back-end tests here build many small emitted kernels whose
    runs on the reference take milliseconds: -O0 builds them in about half
    the g++ time (measured: a subset of these files 95 s -> 61 s, the
    bit-identity checks unchanged). The DSV4 kernels (kernels/dsv4) keep
    the default -O1; `TESSEL_PTO_OPT` set by the caller wins."""
    if "TESSEL_PTO_OPT" not in os.environ:
        monkeypatch.setenv("TESSEL_PTO_OPT", "-O0")
