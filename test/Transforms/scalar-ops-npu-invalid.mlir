// tile.get / tile.set (pl.read / pl.write) are an error at the op on the
// NPU path: PTO-ISA reads a UB element on the scalar unit
// (Tile::GetValue), which tile-insert-sync does not synchronise yet. The
// CPU simulation runs them.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

func.func @get_on_the_npu(%a: memref<16x64xf32>, %w: memref<1x8xf32>,
                          %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %e = tile.load %w[%c0, %c0] : memref<1x8xf32> -> !tile.tile<1x8xf32>
      // expected-error @below {{the NPU back end does not emit tile.get (scalar element access) yet}}
      %s = tile.get %e[%c0, %c0] : !tile.tile<1x8xf32>
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %y = tile.muls %x, %s : !tile.tile<16x64xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

func.func @set_on_the_npu(%o: memref<1x8xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 0.0 : !tile.tile<1x8xf32>
      // expected-error @below {{the NPU back end does not emit tile.set (scalar element access) yet}}
      %u = tile.set %v into %t[%c0, %c0] : !tile.tile<1x8xf32>
      tile.store %u, %o[%c0, %c0] : !tile.tile<1x8xf32>, memref<1x8xf32>
    }
  }
  return
}
