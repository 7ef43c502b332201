// The NPU path of partial tiles moves them between GM and UB only: a
// partial load into L1 (a cube operand) has no emitted form yet, so it is
// an error at the op that says what to do instead. (Partial UB tiles:
// test/Target/PTO/valid-ops.mlir.)
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

func.func @partial_l1_load_on_the_npu(%a: memref<16x32xbf16>, %b: memref<32x16xbf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%i) {
    tile.at cube {
      // expected-error @below {{'tile.load' op cannot run on the a2a3 NPU: the NPU back end moves partial tiles (a valid shape) between GM and ub only, not l1; load the whole tile and fill its padding (tile.fillpad) in a vector scope}}
      %x = tile.load %a[%c0, %c0] valid [16, 20] : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      %y = tile.load %b[%c0, %c0] : memref<32x16xbf16> -> !tile.tile<32x16xbf16>
      %z = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
      tile.store %z, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
