"""What the scheduling passes make of the naive DSV4 kernel, and how it
compares with the hand-scheduled one.

The naive kernel (decode_qkv_proj_rope_naive.py) has 14 scopes, one per
stage, with 11 fp32 GM intermediates between them. Compiled for a2a3:

- tile-fuse-scopes fuses each run of consecutive vector scopes into one,
  regrouping the larger grids to the smallest (the per-token statistics,
  normalisation, amax and quantisation; the dequant, per-head statistics,
  norm and RoPE; the kv statistics, norm and RoPE): 14 - 3 - 3 - 2 = 6
  scopes. The three cube scopes stay apart (a2a3 cube and vector cores
  meet only in GM).
- Of the 11 intermediates, the 3 between a cube and a vector scope (a_gm,
  p_gm, k_gm) stay, and qf_gm stays: it is stored in 128-column chunks and
  read back as each head's 448 + 64 column split. The other 7 go: qrs_gm,
  qs_gm, hrs_gm, qrope_gm, krs_gm and krope_gm are forwarded on chip,
  r_gm is recomputed where it is read. 11 - 7 = 4.
- Nothing else stores to GM, and no pass adds a store, so the bytes written
  drop by exactly the stores of those 7 tensors.

The expected figures are computed here from the kernel's shapes and those
rules, not copied from a run; the golden tests (test_dsv4.py) check that the
outputs are unchanged. The naive schedule is checked against the hand one
for every preset and token count: no worse in GM intermediates and GM
bytes, and within 10% in modelled NPU time (docs/perf-model.md; task
counts are not compared: more, shorter tasks can be faster).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402

NB = 128                            # columns of every naive tile
FP32 = 4


def tasks_as_written(p: reference.Preset, T: int) -> int:
    """Blocks summed over the 14 naive scopes, in order."""
    QL, HHD = p.Q_LORA, p.H * p.HEAD_DIM
    return sum([
        QL // NB,            # q_down_proj
        T,                   # q_rms_stats
        T * QL // NB,        # q_norm
        T,                   # q_amax
        T * QL // NB,        # q_quant
        HHD // NB,           # q_up_proj
        T * HHD // NB,       # q_dequant
        T * p.H,             # q_head_stats
        T * p.H,             # q_head_norm
        T * p.H,             # q_rope
        p.HEAD_DIM // NB,    # kv_proj
        T,                   # kv_rms_stats
        T,                   # kv_norm
        T,                   # kv_rope
    ])


def dropped_store_bytes(p: reference.Preset, T: int) -> int:
    """Bytes the stores of the 7 removed intermediates wrote: qrs_gm, qs_gm
    and krs_gm [T, 1], r_gm [T, QL], hrs_gm [T, H], qrope_gm [T, H x ROPE],
    krope_gm [T, ROPE], all fp32."""
    return FP32 * T * (1 + 1 + p.Q_LORA + p.H + p.H * p.ROPE_DIM + 1
                       + p.ROPE_DIM)


CASES = [
    pytest.param(preset, T, id=f"{preset}-T{T}")
    for preset in ("flash", "pro") for T in (1, 8, 16, 128)
]


@pytest.mark.parametrize("preset,T", CASES)
def test_naive_kernel_fused(preset, T):
    p = reference.PRESETS[preset]
    kernel = run.build_kernel("naive", p, T)
    written = kernel.schedule_stats(target="a2a3", stage="tile")
    scheduled = kernel.schedule_stats(target="a2a3")

    assert written["tasks"] == tasks_as_written(p, T)
    assert (written["scopes"], scheduled["scopes"]) == (14, 6)
    assert (written["gm_intermediates"], scheduled["gm_intermediates"]) == (11, 4)
    assert (written["gm_bytes_written"] - scheduled["gm_bytes_written"]
            == dropped_store_bytes(p, T))
    # Forwarding, recomputing, jamming and re-tiling only ever drop reads.
    assert scheduled["gm_bytes_read"] < written["gm_bytes_read"]
    assert scheduled["tasks"] < written["tasks"]


# Schedules are compared by their modelled NPU time (docs/perf-model.md),
# not by task counts: more, shorter tasks can be faster. Modelled naive /
# hand on a2a3, since the passes decide with the per-pipe model
# (2026-12-04): flash T=1, 8, 16, 128: 1.153, 1.039, 0.991, 1.063; pro:
# 1.075, 1.003, 0.967, 1.033 (flash T=16: the naive schedule has 92 tasks
# against the hand one's 232 and is modelled faster). The naive kernel,
# scheduled by the compiler, stays within 10% of the hand schedule
# everywhere but flash T=1: there the naive source writes its q and kv
# down-projections as 8 and 4 blocks (the passes group blocks, they never
# split them), 8 and 4 cores streaming at their 100e9 B/s cap, 13.5 us
# each, where the hand kernel's 16 + 8 blocks, fused into one scope of 8
# tasks, take 18.9 (62.6 against 72.1 us in all).
NAIVE_WITHIN = 1.10
NAIVE_CASES = [
    pytest.param(*c.values, id=c.id, marks=pytest.mark.xfail(
        strict=True, reason="flash T=1: the naive source's 8- and 4-block "
        "down-projections (see above)")) if c.id == "flash-T1" else c
    for c in CASES]


@pytest.mark.parametrize("preset,T", NAIVE_CASES)
def test_naive_against_hand(preset, T):
    p = reference.PRESETS[preset]
    naive_kernel = run.build_kernel("naive", p, T)
    hand_kernel = run.build_kernel("hand", p, T)
    naive = naive_kernel.schedule_stats(target="a2a3")
    hand = hand_kernel.schedule_stats(target="a2a3")
    # No worse in GM intermediates and GM bytes.
    assert naive["gm_intermediates"] <= hand["gm_intermediates"]
    assert naive["gm_bytes_read"] <= hand["gm_bytes_read"]
    assert naive["gm_bytes_written"] <= hand["gm_bytes_written"]
    # Within 10% in modelled time (the same placed modules, cached).
    naive_model = naive_kernel.schedule_model("a2a3")
    hand_model = hand_kernel.schedule_model("a2a3")
    assert naive_model["modeled_us"] <= NAIVE_WITHIN * hand_model["modeled_us"]
    # Both at the HBM floor in bytes under the L2 model (within 1%).
    assert naive_model["hbm_bytes_ratio"] <= 1.01
    assert hand_model["hbm_bytes_ratio"] <= 1.01


def test_flash_t8_as_written():
    """The figure run.py --compare starts from for flash, T = 8: 8 + 8 + 64
    + 8 + 64 + 256 + 2048 + 3 x 512 + 4 + 3 x 8 = 4020 tasks as written."""
    assert tasks_as_written(reference.PRESETS["flash"], 8) == 4020
