// The ops of TileViewOps.td the PTO emitter has no instruction for yet are
// an error at the op on the NPU path (the CPU simulation runs them); the
// broadcasts are not: tile-pto-pipeline decomposes them first.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

func.func @extract_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.extract yet}}
      %s = tile.extract %x[%c0, %c16] : !tile.tile<16x64xf32> -> !tile.tile<16x16xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

func.func @log_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.log yet (PTO-ISA TLOG}}
      %l = tile.log %x : !tile.tile<16x64xf32>
      tile.store %l, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}
