"""The DSV4 kernels against their golden: the hand-scheduled and the naive
kernel, each compiled by the default pipeline (npu schedule, buffer
placement, CPU lowering), for every preset x T in {1, 8, 16, 128}, two seeds
each (one with random gammas), by the contract's accuracy rule."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402

TOKENS = (1, 8, 16, 128)
# (seed, random gammas): two seeds per case, one with non-unit gammas.
SEEDS = ((0, False), (1, True))


@functools.lru_cache(maxsize=None)
def kernel_for(kind: str, preset: str, T: int):
    return run.build_kernel(kind, reference.PRESETS[preset], T)


def is_slow(preset: str, T: int) -> bool:
    return preset == "pro" or T == 128


# The cases of one preset x T share inputs and kernels (lru caches above):
# one xdist group each, so they run back to back on one test worker.
CASES = [
    pytest.param(kind, preset, T, seed, gammas,
                 id=f"{kind}-{preset}-T{T}-seed{seed}",
                 marks=[pytest.mark.xdist_group(f"dsv4-{preset}-{T}")] +
                 ([pytest.mark.slow] if is_slow(preset, T) else []))
    for preset in ("flash", "pro", "demo") for T in TOKENS
    for seed, gammas in SEEDS
    for kind in ("hand", "naive")
]


@functools.lru_cache(maxsize=1)
def case_data(preset: str, T: int, seed: int, gammas: bool):
    """Inputs and golden outputs, shared by the two kernels of a case (the
    cases are ordered so that they run back to back)."""
    p = reference.PRESETS[preset]
    inputs = reference.make_inputs(p, T, seed, random_gammas=gammas)
    return inputs, reference.reference(p, inputs)


@pytest.mark.parametrize("kind,preset,T,seed,gammas", CASES)
def test_kernel_matches_golden(kind, preset, T, seed, gammas):
    p = reference.PRESETS[preset]
    inputs, want = case_data(preset, T, seed, gammas)
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    kernel = kernel_for(kind, preset, T)
    kernel(*[inputs[n] for n in reference.INPUT_NAMES],
           *[outputs[n] for n in reference.OUTPUT_NAMES])
    report = reference.compare(outputs, want)
    failed = {n: r for n, r in report.items() if not r["pass"]}
    assert not failed, f"outputs out of tolerance: {failed}"


@pytest.mark.parametrize("kind", ("hand", "naive"))
@pytest.mark.parametrize("T", (1, 8))
def test_kernel_on_a5_matches_golden(kind, T):
    """On a5 the hand kernel's q_up_proj stays one core_group scope (L0C
    reaches UB: the dequant reads the int32 accumulator in place); both
    kernels compile for a5 and match the golden."""
    p = reference.PRESETS["flash"]
    inputs, want = case_data("flash", T, 0, False)
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    kernel = run.build_kernel(kind, p, T)
    kernel(*[inputs[n] for n in reference.INPUT_NAMES],
           *[outputs[n] for n in reference.OUTPUT_NAMES], target="a5")
    report = reference.compare(outputs, want)
    failed = {n: r for n, r in report.items() if not r["pass"]}
    assert not failed, f"outputs out of tolerance: {failed}"
    if kind == "hand":
        text = kernel.ir(stage="placed", target="a5")
        assert 'name("q_up_proj")' in text and "tile.at core_group" in text
