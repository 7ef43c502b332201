"""The CPU simulation really executes the buffer placement: the DSV4 kernel
placed by tile-place-buffers passes its golden check, and the same kernel
with two live tiles deliberately placed on the same bytes
(`tile-place-buffers{test-overlap=true}`) fails it."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
import run  # noqa: E402
from tessel.compiler import driver  # noqa: E402
from tessel.mlir.passmanager import PassManager  # noqa: E402
from tessel.runtime import CpuKernel  # noqa: E402

PRESET, T = "flash", 8


def run_placed(test_overlap: bool) -> dict:
    p = reference.PRESETS[PRESET]
    kernel = run.build_kernel("hand", p, T)
    compiled = driver.compile_kernel(kernel.fn, "a2a3", "scheduled")
    module = compiled.module
    option = "true" if test_overlap else "false"
    PassManager.parse(
        f"builtin.module(tile-place-buffers{{target=a2a3 test-overlap={option}}})",
        context=module.context).run(module.operation)
    assert "tile.placed" in str(module)
    params = kernel.signature
    exe = CpuKernel(module, kernel.fn.__name__,
                    arg_names=[q.name for q in params],
                    output_indices=tuple(i for i, q in enumerate(params) if q.is_output))
    inputs = reference.make_inputs(p, T, seed=0)
    outputs = {n: torch.empty(shape, dtype=dtype)
               for n, (shape, dtype) in reference.output_specs(p, T).items()}
    exe(*[inputs[n] for n in reference.INPUT_NAMES],
        *[outputs[n] for n in reference.OUTPUT_NAMES])
    return reference.compare(outputs, reference.reference(p, inputs))


def test_correct_placement_passes_the_golden():
    report = run_placed(test_overlap=False)
    assert all(r["pass"] for r in report.values()), report


def test_overlapping_live_buffers_fail_the_golden():
    report = run_placed(test_overlap=True)
    failed = [n for n, r in report.items() if not r["pass"]]
    assert failed, f"overlapping live buffers went unnoticed: {report}"
