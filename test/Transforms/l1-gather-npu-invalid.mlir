// PyPTO's gather into L1 (pl.create_l1 / pl.gather_row) writes an L1 tile
// on chip: a zero fill of the accumulator and row inserts into its window.
// The NPU back end does not emit either yet (it would need a TLOAD of GM
// rows into a window of the L1 tile, and an L1 fill): an error at the op
// naming what is missing. The CPU simulation runs both
// (test/pytest/frontend/test_gather_row.py).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

// The accumulator's zero fill (pl.create_l1) in L1.
func.func @l1_fill(%kv: memref<64x32xbf16>, %q: memref<16x32xbf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at cube {
      // expected-error @below {{'tile.full' op cannot run on the a2a3 NPU: a fill (TEXPANDS) writes an L1 tile on chip (pl.create_l1 / pl.gather_row): the NPU back end does not emit it yet (it needs a TLOAD of GM rows into a window of an L1 tile, and an L1 fill); the CPU simulation runs it}}
      %z = tile.full 0.0 {tile.memory = #tile.memory<l1>} : !tile.tile<16x32xbf16>
      %acc = tile.pipeline %r = %c0 to %c16 step %c1 stages(1) iter_args(%a = %z) -> (!tile.tile<16x32xbf16>) {
        %row = tile.load %kv[%r, %c0] {tile.memory = #tile.memory<l1>} : memref<64x32xbf16> -> !tile.tile<1x32xbf16>
        %n = tile.insert %row into %a[%r, %c0] : !tile.tile<1x32xbf16> into !tile.tile<16x32xbf16>
        tile.yield %n : !tile.tile<16x32xbf16>
      }
      %qt = tile.load %q[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      %s = tile.matmul %qt, %acc b_trans : !tile.tile<16x32xbf16>, !tile.tile<16x32xbf16> -> !tile.tile<16x16xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// No fill (the accumulator starts as a loaded L1 tile): the row insert
// into its L1 window is the error.
func.func @l1_insert(%kv: memref<64x32xbf16>, %q: memref<16x32xbf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c5 = arith.constant 5 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at cube {
      %a = tile.load %kv[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<64x32xbf16> -> !tile.tile<16x32xbf16>
      %row = tile.load %kv[%c5, %c0] {tile.memory = #tile.memory<l1>} : memref<64x32xbf16> -> !tile.tile<1x32xbf16>
      // expected-error @below {{'tile.insert' op cannot run on the a2a3 NPU: an insert (TINSERT) writes an L1 tile on chip (pl.create_l1 / pl.gather_row)}}
      %n = tile.insert %row into %a[%c5, %c0] : !tile.tile<1x32xbf16> into !tile.tile<16x32xbf16>
      %qt = tile.load %q[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      %s = tile.matmul %qt, %n b_trans : !tile.tile<16x32xbf16>, !tile.tile<16x32xbf16> -> !tile.tile<16x16xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
