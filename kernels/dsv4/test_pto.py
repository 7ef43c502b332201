"""The DSV4 kernels through the NPU back end: the emitted Ascend C source on
PTO-ISA, built against the strict reference (runtime/pto) and run there.

- Every preset x T in {1, 8, 16, 128}, hand and naive, a2a3 and a5: the
  run passes the golden by the contract's accuracy rule and is bit-identical
  to the LLVM simulation of the same placed, synchronised IR.
- Mutation test (FLASH T=8, hand kernel, both targets): every inserted
  synchronisation (a set/wait pair or a barrier) dropped in turn. The
  reference must report the dropped ones that guard a dependence nothing
  else orders; tile-insert-sync still inserts a few pairs that pairs inside
  a nested loop already imply (docs/pto.md), so the test holds the share of
  caught drops at 85 % or more and prints the counts.

Skipped with a clear reason when no host C++ compiler is installed.
"""

from __future__ import annotations

import functools
import re
import shutil
import sys
from pathlib import Path

import pytest
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ "
           "compiler; neither g++ nor clang++ is installed")

TOKENS = (1, 8, 16, 128)


@functools.lru_cache(maxsize=None)
def kernel_for(kind: str, preset: str, T: int):
    return run.build_kernel(kind, reference.PRESETS[preset], T)


@functools.lru_cache(maxsize=2)
def case_data(preset: str, T: int):
    p = reference.PRESETS[preset]
    inputs = reference.make_inputs(p, T, 0)
    return inputs, reference.reference(p, inputs)


def fresh_outputs(p, T):
    return {n: torch.full(shape, float("nan")).to(dtype)
            for n, (shape, dtype) in reference.output_specs(p, T).items()}


def arguments(inputs, outputs):
    return [inputs[n] for n in reference.INPUT_NAMES] + \
           [outputs[n] for n in reference.OUTPUT_NAMES]


def llvm_simulation(kernel, synced_ir: str, argv):
    """The LLVM CPU simulation of the placed, synchronised IR the source was
    printed from (its sync ops are no-ops there)."""
    from tessel.compiler import driver
    from tessel.mlir import ir
    from tessel.runtime import CpuKernel
    ctx, _ = driver.new_context()
    with ctx:
        module = ir.Module.parse(synced_ir)
        params = kernel.signature
        exe = CpuKernel(module, kernel.fn.__name__,
                        arg_names=[q.name for q in params],
                        output_indices=tuple(i for i, q in enumerate(params)
                                             if q.is_output))
    exe(*argv)


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.uint8)


# The cases of one preset x T share inputs and compiled kernels: one xdist
# group each, so they run on one worker; building the emitted source
# (g++, the bulk of a case's time) is spread over the workers.
CASES = [
    pytest.param(kind, preset, T, target,
                 id=f"{kind}-{preset}-T{T}-{target}",
                 marks=[pytest.mark.xdist_group(f"pto-{preset}-{T}")] +
                 ([] if (preset, T) == ("flash", 8) else [pytest.mark.slow]))
    for preset in ("flash", "pro") for T in TOKENS
    for target in ("a2a3", "a5") for kind in ("hand", "naive")
]


@pytest.mark.parametrize("kind,preset,T,target", CASES)
def test_emitted_kernel_matches_golden_and_simulation(kind, preset, T, target):
    p = reference.PRESETS[preset]
    inputs, want = case_data(preset, T)
    kernel = kernel_for(kind, preset, T)
    got = fresh_outputs(p, T)
    kernel(*arguments(inputs, got), target=target, backend="pto")
    report = reference.compare(got, want)
    failed = {n: r for n, r in report.items() if not r["pass"]}
    assert not failed, f"outside the accuracy rule: {failed}"

    sim = fresh_outputs(p, T)
    llvm_simulation(kernel, kernel.pto(target).synced_ir,
                    arguments(inputs, sim))
    for name in reference.OUTPUT_NAMES:
        assert torch.equal(bits(got[name]), bits(sim[name])), \
            f"{name}: the PTO run and the LLVM simulation differ"


SYNC_ID = re.compile(r"tile\.sync = (\d+)")


def sync_scopes(source: str, kernel: str) -> dict[int, int]:
    """The scope kernel (launch index) of each TESSEL_SYNC id in the
    emitted source: the `<kernel>_s<index>` function it sits in."""
    head = re.compile(rf"AICORE void {re.escape(kernel)}_s(\d+)[_(]")
    sync = re.compile(r"TESSEL_SYNC\((\d+)\)")
    scopes, scope = {}, None
    for line in source.splitlines():
        m = head.search(line)
        if m:
            scope = int(m.group(1))
        m = sync.search(line)
        if m:
            scopes[int(m.group(1))] = scope
    return scopes


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_every_inserted_sync_is_needed(target):
    """Drop each synchronisation tile-insert-sync inserted into the hand
    kernel (FLASH, T=8) in turn: the reference reports a violation (a
    hazard, or a deadlock / unmatched flag) for all but the redundant
    ones. A synchronisation orders pipes inside one scope kernel, or drains
    them at its end before the next one, and this kernel's control flow and
    addresses do not depend on GM data: each mutant runs only the scope the
    dropped synchronisation sits in and the next (after one whole run fills
    the GM tensors)."""
    from tessel.runtime.pto import PtoViolation
    p = reference.PRESETS["flash"]
    inputs, _ = case_data("flash", 8)
    kernel = kernel_for("hand", "flash", 8)
    emitted = kernel.pto(target)
    exe = kernel.compile_pto(target)
    ids = sorted({int(m) for m in SYNC_ID.findall(emitted.synced_ir)})
    assert len(ids) > 50, "expected the hand kernel to need many syncs"
    scope_of = sync_scopes(emitted.source, emitted.name)
    assert set(scope_of) == set(ids) and None not in scope_of.values(), \
        "every sync id sits in a scope kernel"
    argv = arguments(inputs, fresh_outputs(p, 8))
    exe(*argv)  # clean, and fills the GM tensors every scope reads
    missed = []
    try:
        for sync in ids:
            exe.drop_sync(sync)
            exe.only_scopes(scope_of[sync], scope_of[sync] + 1)
            try:
                exe(*argv)
            except PtoViolation:
                continue
            missed.append(sync)
    finally:
        exe.drop_sync(-1)
        exe.only_scopes(-1)
    exe(*arguments(inputs, fresh_outputs(p, 8)))  # still clean
    print(f"{target}: {len(ids)} syncs dropped one at a time, "
          f"{len(ids) - len(missed)} caught")
    # The redundant ones are pairs a nested loop already implies (README,
    # Known gaps): 22 of 149 while the q up-projection's cube task was one
    # jammed K pipeline; 24 of 155 (15.5%) since the per-pipe model groups
    # its blocks by 8 and jams them by 4, a group loop of 2 around the
    # pipeline; 25 of 162 (15.4%) on 2026-12-05 (each mutant running its
    # scope and the next; the same 25 as whole runs).
    assert len(missed) <= 0.16 * len(ids), (
        f"{len(missed)} of {len(ids)} syncs were dropped without a reported "
        f"violation: {missed}")
