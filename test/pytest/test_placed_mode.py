"""Placed mode of the CPU simulation (docs/placement.md) on hand-placed IR.

Each tile is a view into its core's arena at its `place` offset and slot,
so a correct placement gives the same bits as unplaced mode, and a wrong
one (two live tiles sharing bytes) gives the wrong numbers this file
predicts exactly.
"""

from __future__ import annotations

import re

import pytest
import torch

from simkit import assert_bitwise_equal, run
from tessel import CompileError
from tessel.runtime import CpuKernel


def unplaced(text: str) -> str:
    """The same kernel without tile.placed and without placements."""
    text = text.replace("attributes {tile.placed}", "")
    text = re.sub(r" \{place = #tile\.place<[^>]*>\}", "", text)
    return re.sub(r" attributes \{places = \[[^\]]*\]\}", "", text)


SUM_OF_SQUARES = """
func.func @k(%a: memref<4x128xf32>, %o: memref<4x1xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c4 = arith.constant 4 : index
      %c32 = arith.constant 32 : index
      %zero = tile.full 0.0 {place = #tile.place<ub, 0>} : !tile.tile<4x1xf32>
      %s = tile.pipeline %j = %c0 to %c4 step %c1 stages(2)
          iter_args(%acc = %zero) -> (!tile.tile<4x1xf32>)
          attributes {places = [#tile.place<ub, 32>]} {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] {place = #tile.place<ub, 64, slots = 2>} : memref<4x128xf32> -> !tile.tile<4x32xf32>
        %x2 = tile.mul %x, %x {place = #tile.place<ub, 1088>} : !tile.tile<4x32xf32>
        %rs = tile.row_sum %x2 {place = #tile.place<ub, 1600>} : !tile.tile<4x32xf32> -> !tile.tile<4x1xf32>
        %n = tile.add %acc, %rs {place = #tile.place<ub, 1632>} : !tile.tile<4x1xf32>
        tile.yield %n : !tile.tile<4x1xf32>
      }
      tile.store %s, %o[%c0, %c0] : !tile.tile<4x1xf32>, memref<4x1xf32>
    }
  }
  return
}"""


def test_correct_placement_gives_the_unplaced_bits():
    # UB map: zero [0, 32), acc [32, 64), x 2 slots x 512 B [64, 1088),
    # x2 [1088, 1600), rs [1600, 1632), n [1632, 1664).
    torch.manual_seed(0)
    a = torch.randn(4, 128)
    (placed,) = run(SUM_OF_SQUARES, [a], [((4, 1), "f32")])
    (plain,) = run(unplaced(SUM_OF_SQUARES), [a], [((4, 1), "f32")])
    assert_bitwise_equal(placed, plain)
    # f32 sums of 128 squares against the float64 sum: each of the ~128
    # roundings is at most 2^-24 relative, so allow 128 * 2^-24 ~ 7.6e-6
    # (float64's default rtol of 1e-7 failed about one run in three).
    torch.testing.assert_close(placed.double(),
                               (a.double() ** 2).sum(1, keepdim=True),
                               rtol=7.7e-6, atol=0)


def test_in_place_ops_give_the_unplaced_bits():
    # docs/placement.md: an elementwise op may take the placement of an
    # operand that dies there. Here x2 = x * x reuses x's two slots and the
    # accumulator update n = acc + rs is written into the iter_arg's own
    # storage (ub 32), so the yield copies nothing.
    text = SUM_OF_SQUARES.replace(
        "tile.mul %x, %x {place = #tile.place<ub, 1088>}",
        "tile.mul %x, %x {place = #tile.place<ub, 64, slots = 2>}").replace(
        "tile.add %acc, %rs {place = #tile.place<ub, 1632>}",
        "tile.add %acc, %rs {place = #tile.place<ub, 32>}")
    assert text != SUM_OF_SQUARES
    a = torch.randn(4, 128)
    (placed,) = run(text, [a], [((4, 1), "f32")])
    (plain,) = run(unplaced(text), [a], [((4, 1), "f32")])
    assert_bitwise_equal(placed, plain)


OVERLAP = """
func.func @k(%a: memref<4x32xf32>, %b: memref<4x32xf32>, %o: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%blk) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      %y = tile.load %b[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      %z = tile.add %x, %y {place = #tile.place<ub, 512>} : !tile.tile<4x32xf32>
      tile.store %z, %o[%c0, %c0] : !tile.tile<4x32xf32>, memref<4x32xf32>
    }
  }
  return
}"""


def test_overlapping_live_tiles_change_the_result():
    # %y is placed on %x's bytes while %x is still live: the load of %y
    # overwrites %x, so the add sees y + y instead of x + y.
    a, b = torch.randn(4, 32), torch.randn(4, 32)
    (placed,) = run(OVERLAP, [a, b], [((4, 32), "f32")])
    (plain,) = run(unplaced(OVERLAP), [a, b], [((4, 32), "f32")])
    assert_bitwise_equal(plain, a + b)
    assert_bitwise_equal(placed, b + b)
    assert not torch.equal(placed, plain)


SLOTS = """
func.func @k(%a: memref<4x128xf32>, %c: memref<4x32xf32>, %o: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%blk) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c2 = arith.constant 2 : index
      %c10 = arith.constant 10 : index
      %c16 = arith.constant 16 : index
      %y = tile.load %c[%c0, %c0] {place = #tile.place<ub, 512>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      %zero = tile.full 0.0 {place = #tile.place<ub, 4096>} : !tile.tile<4x32xf32>
      %s = tile.pipeline %j = %c2 to %c10 step %c2 stages(2)
          iter_args(%acc = %zero) -> (!tile.tile<4x32xf32>)
          attributes {places = [#tile.place<ub, 2048>]} {
        %jm = arith.subi %j, %c2 : index
        %col = arith.muli %jm, %c16 : index
        %x = tile.load %a[%c0, %col] {place = #tile.place<ub, 0, slots = 2>} : memref<4x128xf32> -> !tile.tile<4x32xf32>
        %t = tile.add %x, %y {place = #tile.place<ub, 1024>} : !tile.tile<4x32xf32>
        %n = tile.add %acc, %t {place = #tile.place<ub, 1536>} : !tile.tile<4x32xf32>
        tile.yield %n : !tile.tile<4x32xf32>
      }
      tile.store %s, %o[%c0, %c0] : !tile.tile<4x32xf32>, memref<4x32xf32>
    }
  }
  return
}"""


def test_slot_is_the_pipeline_iteration_mod_slots():
    # j = 2, 4, 6, 8 -> k = (j - 2) / 2 = 0, 1, 2, 3. %x has 2 slots of
    # 512 B at 0 and 512; %y sits at 512, i.e. in slot 1 (a deliberate
    # clash). So in odd iterations the load of %x overwrites %y:
    #   k=0: x0 + c   k=1: x1 + x1   k=2: x2 + x1   k=3: x3 + x3
    # where x_k = a[:, 32k : 32k + 32] (col = 16 (j - 2)).
    a, c = torch.randn(4, 128), torch.randn(4, 32)
    (got,) = run(SLOTS, [a, c], [((4, 32), "f32")])
    x = [a[:, 32 * k:32 * k + 32] for k in range(4)]
    terms = [x[0] + c, x[1] + x[1], x[2] + x[1], x[3] + x[3]]
    want = torch.zeros(4, 32)
    for t in terms:
        want = want + t
    assert_bitwise_equal(got, want)
    # Unplaced, every tile has its own storage: the sequential meaning.
    (plain,) = run(unplaced(SLOTS), [a, c], [((4, 32), "f32")])
    want_plain = torch.zeros(4, 32)
    for k in range(4):
        want_plain = want_plain + (x[k] + c)
    assert_bitwise_equal(plain, want_plain)


RESHAPE = """
func.func @k(%a: memref<4x32xf32>, %b: memref<4x32xf32>, %o: memref<8x16xf32>, %p: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%blk) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      %r = tile.reshape %x {place = #tile.place<ub, OFFSET>} : !tile.tile<4x32xf32> -> !tile.tile<8x16xf32>
      %w = tile.load %b[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<8x16xf32>, memref<8x16xf32>
      tile.store %w, %p[%c0, %c0] : !tile.tile<4x32xf32>, memref<4x32xf32>
    }
  }
  return
}"""


@pytest.mark.parametrize("offset,alias", [(0, True), (1024, False)])
def test_reshape_at_its_operands_place_is_a_view(offset, alias):
    # At the operand's place the reshape is a view, so the later load into
    # those bytes (a deliberate clash) shows through it; elsewhere it is a
    # copy and keeps a.
    a, b = torch.randn(4, 32), torch.randn(4, 32)
    text = RESHAPE.replace("OFFSET", str(offset))
    got, w = run(text, [a, b], [((8, 16), "f32"), ((4, 32), "f32")])
    assert_bitwise_equal(w, b)
    assert_bitwise_equal(got, (b if alias else a).reshape(8, 16))


CUBE = """
func.func @k(%a: memref<16x64xbf16>, %b: memref<64x32xbf16>, %acc: memref<16x32xf32>, %o: memref<16x32xf32>) attributes {tile.placed} {
  tile.spmd 2 (%blk) {
    tile.at cube {
      %c0 = arith.constant 0 : index
      %c8 = arith.constant 8 : index
      %r = arith.muli %blk, %c8 : index
      %x = tile.load %a[%r, %c0] {place = #tile.place<l1, 0>} : memref<16x64xbf16> -> !tile.tile<8x64xbf16>
      %y = tile.load %b[%c0, %c0] {place = #tile.place<l1, 1024>} : memref<64x32xbf16> -> !tile.tile<64x32xbf16>
      %c = tile.load %acc[%r, %c0] {place = #tile.place<l0c, 0>} : memref<16x32xf32> -> !tile.tile<8x32xf32>
      %d = tile.matmul_acc %c, %x, %y {place = #tile.place<l0c, 0>} : !tile.tile<8x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<8x32xf32>
      tile.store %d, %o[%r, %c0] : !tile.tile<8x32xf32>, memref<16x32xf32>
    }
  }
  return
}"""


def test_cube_scope_placed_in_l1_and_l0c():
    # Two blocks of 8 rows; the accumulator is updated in place in L0C.
    a = torch.randn(16, 64).bfloat16()
    b = torch.randn(64, 32).bfloat16()
    acc = torch.randn(16, 32)
    (placed,) = run(CUBE, [a, b, acc], [((16, 32), "f32")])
    (plain,) = run(unplaced(CUBE), [a, b, acc], [((16, 32), "f32")])
    assert_bitwise_equal(placed, plain)
    torch.testing.assert_close(placed, acc + a.float() @ b.float(),
                               rtol=1e-5, atol=1e-5)


def test_placed_mode_rejects_an_unplaced_tile():
    text = OVERLAP.replace(' {place = #tile.place<ub, 512>}', '')
    with pytest.raises(CompileError, match="has no placement"):
        CpuKernel(text, "k")


def test_placed_mode_rejects_a_placement_past_the_arena():
    # a2a3 UB: 188416 usable bytes; 188416 - 256 + 512 > 188416.
    text = OVERLAP.replace("#tile.place<ub, 512>", "#tile.place<ub, 188160>")
    with pytest.raises(CompileError,
                       match=r"exceeds the usable ub of a2a3: offset 188160 "
                             r"\+ 1 x 512 = 188672 > 188416 bytes"):
        CpuKernel(text, "k")
