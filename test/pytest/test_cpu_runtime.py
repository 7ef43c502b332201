"""The CPU runtime's contract: marshalling, argument errors, compile errors
with the author's locations, caching, the lowered text."""

from __future__ import annotations

import pytest
import torch

from simkit import kernel
from tessel import CompileError
from tessel.mlir import ir
from tessel.runtime import ArgumentError, CpuKernel

SCALE = kernel("""
%s = arith.constant 2.0 : f32
%r0 = tile.muls %t0, %s : !tile.tile<4x16xf32>
""", [((4, 16), "f32")], [((4, 16), "f32")])


def make():
    return CpuKernel(SCALE, "k", arg_names=["x", "y"], output_indices=[1])


def test_writes_the_output_in_place_without_copies():
    k = make()
    x = torch.randn(4, 16)
    y = torch.empty(4, 16)
    ptr = y.data_ptr()
    k(x, y)
    assert y.data_ptr() == ptr
    assert torch.equal(y, x * 2)


def test_bf16_arguments_are_passed_by_pointer():
    text = kernel("%r0 = tile.gather %t0 p1010 : !tile.tile<2x8xbf16> -> "
                  "!tile.tile<2x4xbf16>", [((2, 8), "bf16")],
                  [((2, 4), "bf16")])
    x = torch.randn(2, 8).bfloat16()
    y = torch.zeros(2, 4, dtype=torch.bfloat16)
    CpuKernel(text, "k")(x, y)
    assert torch.equal(y, x[:, 1::2])


@pytest.mark.parametrize("bad,message", [
    (lambda: torch.randn(4, 15), r"'x' \(#0\).*expected shape \[4, 16\], "
                                 r"got \[4, 15\]"),
    (lambda: torch.randn(4, 16).double(), r"'x' \(#0\).*expected dtype "
                                          r"float32, got float64"),
    (lambda: torch.randn(16, 4).t(), r"'x' \(#0\).*expected a contiguous "
                                     r"tensor"),
    (lambda: torch.empty(4, 16, device="meta"), r"'x' \(#0\).*expected a CPU "
                                                r"tensor, got device meta"),
    (lambda: [[1.0] * 16] * 4, r"'x' \(#0\).*expected a torch.Tensor"),
])
def test_bad_arguments_raise_before_anything_runs(bad, message):
    k = make()
    y = torch.full((4, 16), 7.0)
    with pytest.raises(ArgumentError, match=message):
        k(bad(), y)
    assert torch.equal(y, torch.full((4, 16), 7.0))  # untouched


def test_bad_output_is_named_as_output():
    k = make()
    y = torch.full((4, 16), 7.0, dtype=torch.float16)
    with pytest.raises(ArgumentError, match=r"output 'y' \(#1\) of @k: "
                                            r"expected dtype float32"):
        k(torch.randn(4, 16), y)
    assert (y == 7).all()


def test_wrong_argument_count():
    with pytest.raises(ArgumentError, match=r"@k takes 2 arguments \(x, y\), "
                                            r"got 1"):
        make()(torch.randn(4, 16))


LOCATED = """
func.func @k(%a: memref<4x16xf32>, %o: memref<4x16xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x16xf32> -> !tile.tile<4x16xf32> loc("kern.py":12:9)
      %y = tile.exp %x : !tile.tile<4x16xf32> loc(fused["kern.py":13:13, "y"("kern.py":13:9)])
      tile.store %y, %o[%c0, %c0] : !tile.tile<4x16xf32>, memref<4x16xf32> loc("kern.py":14:7)
    } loc("kern.py":11:5)
  } loc("kern.py":10:3)
  return
}"""


def test_compile_errors_carry_the_authors_location():
    with pytest.raises(CompileError) as info:
        CpuKernel(LOCATED, "k")
    err = info.value
    assert (err.filename, err.line, err.col) == ("kern.py", 13, 13)
    assert str(err).startswith("kern.py:13:13: error: 'tile.exp' op tile has "
                               "no placement")


def test_module_objects_are_compiled_and_left_unchanged():
    with ir.Context():
        module = ir.Module.parse(SCALE)
        before = str(module)
        k = CpuKernel(module, "k")
        assert str(module) == before
    x = torch.randn(4, 16)
    y = torch.empty(4, 16)
    k(x, y)
    assert torch.equal(y, x * 2)


def test_compiled_kernels_are_cached_and_show_their_llvm():
    a, b = make(), make()
    assert a._compiled is b._compiled
    text = a.llvm_ir_text()
    assert "llvm.func @k(" in text and "llvm.func @_mlir_ciface_k(" in text
    assert "tile." not in text


def test_unknown_function_and_non_memref_arguments():
    with pytest.raises(CompileError, match="no function named 'nope'"):
        CpuKernel(SCALE, "nope")
    text = "func.func @f(%x: index) { return }"
    with pytest.raises(CompileError, match="memrefs only"):
        CpuKernel(text, "f")


def test_parse_errors_are_compile_errors():
    with pytest.raises(CompileError, match="error:"):
        CpuKernel("func.func @k( {", "k")
