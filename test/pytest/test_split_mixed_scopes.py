"""tile-split-mixed-scopes and tile-pipeline-loops checked by running what
they produce.

The CPU simulation runs a kernel before and after the scheduling passes on
the same inputs: splitting a mixed scope through a GM staging tensor (an
exact copy of the tile, in its own dtype) and turning loops into
tile.pipeline change no arithmetic, so the outputs must agree bit for bit;
the small kernels are also checked against PyTorch, the DSV4 kernels
against their golden (kernels/dsv4/reference.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from simkit import assert_bitwise_equal
from tessel.mlir import ir
from tessel.mlir.passmanager import PassManager
from tessel.runtime import CpuKernel

DSV4 = Path(__file__).resolve().parents[2] / "kernels" / "dsv4"


def schedule(text: str, pipeline: str) -> str:
    """`text` after the pass pipeline (a module-level pass list)."""
    with ir.Context():
        module = ir.Module.parse(text)
        PassManager.parse(f"builtin.module({pipeline})").run(module.operation)
        return module.operation.get_asm(enable_debug_info=True)


def run(text: str, func: str, inputs, outputs):
    """Runs `func` of `text`; returns fresh outputs, NaN- or -1-filled so an
    element the kernel forgets to write shows."""
    outs = []
    for shape, dtype in outputs:
        t = torch.empty(shape, dtype=dtype)
        t.fill_(float("nan") if t.is_floating_point() else -1)
        outs.append(t)
    CpuKernel(text, func, output_indices=range(
        len(inputs), len(inputs) + len(outs)))(*inputs, *outs)
    return outs


# A matmul and a per-column scale in one core_group scope; 4 blocks, one per
# 32 output columns (the lit test's mm_scale).
MM_SCALE = """
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @k(%a: memref<16x64xf16>, %w: memref<64x128xf16>,
               %s: memref<128xf32>, %o: memref<16x128xf32>) {
    %c0 = arith.constant 0 : index
    %c32 = arith.constant 32 : index
    tile.spmd 4 name("mm_scale") (%b) {
      tile.at core_group {
        %col = arith.muli %b, %c32 : index
        %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
        %y = tile.load %w[%c0, %col] : memref<64x128xf16> -> !tile.tile<64x32xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
        %sc = tile.load %s[%col] : memref<128xf32> -> !tile.tile<1x32xf32>
        %r = tile.col_expand_mul %m, %sc : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
        tile.store %r, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
      }
    }
    return
  }
}
"""

# An int8 K loop (exact i32 accumulation, a one-stage tile.pipeline: the CPU
# simulation does not run scf.for loops that carry tiles) whose result is
# also stored raw by the cube part, and a vector scf.for over 3 heads adding
# a bias to the dequantised product, which is pipelined after the split.
INT8_BIAS = """
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @k(%a: memref<16x256xi8>, %w: memref<256x64xi8>,
               %bias: memref<3x16x64xf32>, %raw: memref<16x64xi32>,
               %o: memref<3x16x64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %c32 = arith.constant 32 : index
    %c128 = arith.constant 128 : index
    %scale = arith.constant 0.125 : f32
    tile.spmd 2 name("int8_bias") (%b) {
      tile.at core_group {
        %col = arith.muli %b, %c32 : index
        %z = tile.full 0 : !tile.tile<16x32xi32>
        %p = tile.pipeline %k = %c0 to %c2 step %c1 stages(1) iter_args(%acc = %z) -> (!tile.tile<16x32xi32>) {
          %kk = arith.muli %k, %c128 : index
          %x = tile.load %a[%c0, %kk] : memref<16x256xi8> -> !tile.tile<16x128xi8>
          %y = tile.load %w[%kk, %col] : memref<256x64xi8> -> !tile.tile<128x32xi8>
          %n = tile.matmul_acc %acc, %x, %y : !tile.tile<16x128xi8>, !tile.tile<128x32xi8> -> !tile.tile<16x32xi32>
          tile.yield %n : !tile.tile<16x32xi32>
        }
        tile.store %p, %raw[%c0, %col] : !tile.tile<16x32xi32>, memref<16x64xi32>
        %f = tile.cast %p none : !tile.tile<16x32xi32> -> !tile.tile<16x32xf32>
        %d = tile.muls %f, %scale : !tile.tile<16x32xf32>
        scf.for %h = %c0 to %c3 step %c1 {
          %t = tile.load %bias[%h, %c0, %col] : memref<3x16x64xf32> -> !tile.tile<16x32xf32>
          %s = tile.add %d, %t : !tile.tile<16x32xf32>
          tile.store %s, %o[%h, %c0, %col] : !tile.tile<16x32xf32>, memref<3x16x64xf32>
        }
      }
    }
    return
  }
}
"""


def test_mm_scale_split_is_exact_and_matches_torch():
    split = schedule(MM_SCALE, "tile-split-mixed-scopes")
    assert 'name("mm_scale_cube")' in split and "tile.at cube" in split
    assert "tile.at core_group" not in split
    torch.manual_seed(0)
    a = torch.randn(16, 64).half()
    w = torch.randn(64, 128).half()
    s = torch.randn(128)
    outputs = [((16, 128), torch.float32)]
    (before,) = run(MM_SCALE, "k", [a, w, s], outputs)
    (after,) = run(split, "k", [a, w, s], outputs)
    assert_bitwise_equal(after, before)
    want = (a.float() @ w.float()) * s
    torch.testing.assert_close(after, want, rtol=1e-5, atol=1e-4)


def test_int8_loop_split_and_pipelined_is_exact_and_matches_torch():
    scheduled = schedule(INT8_BIAS, "tile-npu-pipeline")
    assert "tile.alloc_gm" in scheduled and "scf.for" not in scheduled
    assert scheduled.count("stages(2)") == 1
    torch.manual_seed(1)
    a = torch.randint(-128, 128, (16, 256), dtype=torch.int8)
    w = torch.randint(-128, 128, (256, 64), dtype=torch.int8)
    bias = torch.randn(3, 16, 64)
    outputs = [((16, 64), torch.int32), ((3, 16, 64), torch.float32)]
    before = run(INT8_BIAS, "k", [a, w, bias], outputs)
    after = run(scheduled, "k", [a, w, bias], outputs)
    for got, want in zip(after, before):
        assert_bitwise_equal(got, want)
    product = a.int() @ w.int()  # exact: |sum| < 2^31
    assert torch.equal(after[0], product)
    want = product.float() * 0.125 + bias
    torch.testing.assert_close(after[1], want, rtol=0, atol=0)


@pytest.fixture(scope="module")
def dsv4():
    sys.path.insert(0, str(DSV4))
    import reference
    import run as dsv4_run
    return reference, dsv4_run


@pytest.mark.parametrize("kind", ["hand", "naive"])
def test_dsv4_scheduled_is_bitwise_equal_to_unscheduled(dsv4, kind):
    """T = 1 token of the flash preset: the kernel before and after
    tile-npu-pipeline (the hand kernel's q_up_proj is split, the naive
    kernel's loops are pipelined) gives the same bits, within the golden's
    tolerance. The naive kernel's scf.for loops carry tiles, which the CPU
    simulation does not run, so its baseline is the same pipeline with one
    stage (every loop a sequential tile.pipeline)."""
    reference, dsv4_run = dsv4
    p = reference.PRESETS["flash"]
    T = 1
    jit = dsv4_run.build_kernel(kind, p, T)
    text = jit.ir(target="a2a3", debug_info=True)
    scheduled = schedule(text, "tile-npu-pipeline")
    assert "core_group" not in scheduled
    if kind == "hand":
        assert 'name("q_up_proj_cube")' in scheduled
    else:
        assert "scf.for" not in scheduled
    func = jit.__name__
    inputs = reference.make_inputs(p, T, 0, random_gammas=True)
    args = [inputs[n] for n in reference.INPUT_NAMES]
    specs = reference.output_specs(p, T)
    outputs = [specs[n] for n in reference.OUTPUT_NAMES]
    baseline = text
    if kind == "naive":
        baseline = schedule(text, "tile-npu-pipeline{stages=1}")
        assert "scf.for" not in baseline and "stages(2)" not in baseline
    before = run(baseline, func, args, outputs)
    after = run(scheduled, func, args, outputs)
    for got, want in zip(after, before):
        assert_bitwise_equal(got, want)
    report = reference.compare(dict(zip(reference.OUTPUT_NAMES, after)),
                               reference.reference(p, inputs))
    failed = {n: r for n, r in report.items() if not r["pass"]}
    assert not failed, f"outputs out of tolerance: {failed}"
