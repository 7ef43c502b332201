"""The DSV4 kernels' compiled schedules: every scope of every preset and
token count is placed within the a2a3 capacities, and the packing reaches
the lower bound (peak == bytes simultaneously live) in every buffer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402
from tessel import targets  # noqa: E402

CASES = [
    pytest.param(kind, preset, T, id=f"{kind}-{preset}-T{T}")
    for kind in ("hand", "naive")
    for preset in ("flash", "pro", "demo") for T in (1, 8, 16, 128)
]


@pytest.mark.parametrize("kind,preset,T", CASES)
def test_every_scope_fits_and_packs_optimally(kind, preset, T):
    kernel = run.build_kernel(kind, reference.PRESETS[preset], T)
    stats = kernel.schedule_stats(target="a2a3")
    buffers = targets.get("a2a3")["buffers"]
    assert stats["peak_bytes"], "no placement statistics: was the kernel placed?"
    for scope, peaks in stats["peak_bytes"].items():
        for kind_name, peak in peaks.items():
            assert peak <= buffers[kind_name]["usable_bytes"], (scope, kind_name, peak)
    for scope, quality in stats["packing_quality"].items():
        for kind_name, q in quality.items():
            assert q == 1.0, f"scope {scope}: {kind_name} packing quality {q}"
