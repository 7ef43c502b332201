"""What tile-fuse-scopes and tile-tile-scopes do to the naive DSV4 kernel.

The naive kernel (decode_qkv_proj_rope_naive.py) has 14 scopes, one per
stage, with fp32 GM intermediates between them. Compiled for a2a3 (24 cube
cores, 48 vector cores):

- tile-fuse-scopes fuses the two runs of consecutive vector scopes with one
  grid: q_head_stats, q_head_norm, q_rope (T x H blocks) and kv_rms_stats,
  kv_norm, kv_rope (T blocks). 14 - 4 = 10 scopes. The four intermediates
  between them (hrs_gm [T, H], qrope_gm [T, H * ROPE], krs_gm [T, 1],
  krope_gm [T, ROPE], all fp32) are forwarded on chip: 11 - 4 = 7 GM
  tensors, and each of the four is no longer written once and read once,
  so the GM traffic drops by exactly their size in both directions.
- tile-tile-scopes groups each scope of N blocks on a kind with C cores
  into N / G tasks, G the largest divisor of N with N / G >= C (G = 1 when
  N <= C or none fits).

The expected figures are computed here from the kernel's grids and that
rule, not copied from a run; the golden tests (test_dsv4.py) check that the
outputs are unchanged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402

CUBE_CORES, VECTOR_CORES = 24, 48   # a2a3
NB = 128                            # columns of every naive tile
FP32 = 4


def grouped(blocks: int, cores: int) -> int:
    """Tasks after tile-tile-scopes: N / G, G the largest divisor of N with
    N / G >= cores (N itself when N <= cores or no divisor fits)."""
    best = 1
    for g in range(2, blocks + 1):
        if blocks % g == 0 and blocks // g >= cores:
            best = g
    return blocks // best


def expected_tasks(p: reference.Preset, T: int) -> tuple[int, int]:
    """(tasks as written, tasks after the scheduling pipeline)."""
    QL, HHD = p.Q_LORA, p.H * p.HEAD_DIM
    # (blocks, cores) of the 14 naive scopes, in order.
    scopes = [
        (QL // NB, CUBE_CORES),        # q_down_proj
        (T, VECTOR_CORES),             # q_rms_stats
        (T * QL // NB, VECTOR_CORES),  # q_norm
        (T, VECTOR_CORES),             # q_amax
        (T * QL // NB, VECTOR_CORES),  # q_quant
        (HHD // NB, CUBE_CORES),       # q_up_proj
        (T * HHD // NB, VECTOR_CORES), # q_dequant
        (T * p.H, VECTOR_CORES),       # q_head_stats  \
        (T * p.H, VECTOR_CORES),       # q_head_norm    } fused
        (T * p.H, VECTOR_CORES),       # q_rope        /
        (p.HEAD_DIM // NB, CUBE_CORES),  # kv_proj
        (T, VECTOR_CORES),             # kv_rms_stats  \
        (T, VECTOR_CORES),             # kv_norm        } fused
        (T, VECTOR_CORES),             # kv_rope       /
    ]
    before = sum(n for n, _ in scopes)
    after_fusion = scopes[:8] + scopes[10:12]
    after = sum(grouped(n, c) for n, c in after_fusion)
    return before, after


CASES = [
    pytest.param(preset, T, id=f"{preset}-T{T}")
    for preset in ("flash", "pro") for T in (1, 8, 16, 128)
]


@pytest.mark.parametrize("preset,T", CASES)
def test_naive_kernel_fused_and_grouped(preset, T):
    p = reference.PRESETS[preset]
    kernel = run.build_kernel("naive", p, T)
    written = kernel.schedule_stats(target="a2a3", stage="tile")
    scheduled = kernel.schedule_stats(target="a2a3")

    tasks_before, tasks_after = expected_tasks(p, T)
    assert written["tasks"] == tasks_before
    assert scheduled["tasks"] == tasks_after
    assert (written["scopes"], scheduled["scopes"]) == (14, 10)
    assert (written["gm_intermediates"], scheduled["gm_intermediates"]) == (11, 7)

    forwarded = FP32 * T * (p.H + p.H * p.ROPE_DIM + 1 + p.ROPE_DIM)
    assert written["gm_bytes_written"] - scheduled["gm_bytes_written"] == forwarded
    assert written["gm_bytes_read"] - scheduled["gm_bytes_read"] == forwarded


def test_flash_t8_bound():
    """The figure run.py --compare prints for flash, T = 8: 4020 tasks as
    written; after: 8 + 8 + 64 + 8 + 64 + 256/8 + 2048/32 + 512/8 + 4 + 8
    = 324 (64 = 8 x 8 has no divisor leaving 48 tasks)."""
    assert expected_tasks(reference.PRESETS["flash"], 8) == (4020, 324)
