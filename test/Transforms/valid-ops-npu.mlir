// The NPU path of partial tiles: PTO-ISA tiles with a runtime valid region
// (RowValid / ColValid) and TFILLPAD are not in Tessel's emitter and its
// runtime/pto reference yet, so a partial load, store or tile.fillpad is an
// error at the op on the NPU path (the CPU simulation runs them).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

func.func @partial_load_on_the_npu(%a: memref<4x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{the NPU back end does not emit a partial tile's tile.load (valid shape) yet}}
      %x = tile.load %a[%c0, %c0] valid [4, 64] : memref<4x64xf32> -> !tile.tile<16x64xf32>
      tile.store %x, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

func.func @fillpad_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.fillpad yet (PTO-ISA TFILLPAD is not in Tessel's emitter and runtime/pto reference)}}
      %f = tile.fillpad %x valid [4, 64] zero : !tile.tile<16x64xf32>
      tile.store %f, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}
