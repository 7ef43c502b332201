// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | not tessel-translate --tile-to-pto -split-input-file 2>&1 | FileCheck %s

// a_trans, f32: the lhs is stored [K, M] = [16, 8]. L1 holds it as NZ
// 16 x 8 (K padded to 16 rows, M to 8 floats = 32 bytes), which read as ZN
// is 8 x 16; L0A pads [M, K] = [8, 16] to 16 x 16 (M to a 16-row fractal).
// The paddings differ, so no TMOV of the one into the other exists.
func.func @a_trans_f32_of_eight_rows(%a: memref<16x8xf32>, %w: memref<16x16xf32>, %o: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x8xf32> -> !tile.tile<16x8xf32>
      %y = tile.load %w[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
      // CHECK: error: {{.*}}a transposed 'f32' lhs of [8, 16] does not fill whole cube fractals both ways: L1 holds it as 8 x 16, l0a as 16 x 16; the PTO back end needs both dimensions padded alike
      %m = tile.matmul %x, %y a_trans : !tile.tile<16x8xf32>, !tile.tile<16x16xf32> -> !tile.tile<8x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<8x16xf32>, memref<8x16xf32>
    }
  }
  return
}

// -----

// Untransposed f32 too: rhs [K, N] = [48, 40] pads N to 8 floats (32
// bytes) in L1, 40, but to a 16-column fractal in L0B, 48.
func.func @f32_rhs_of_forty_columns(%a: memref<16x48xf32>, %w: memref<48x40xf32>, %o: memref<16x40xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x48xf32> -> !tile.tile<16x48xf32>
      %y = tile.load %w[%c0, %c0] : memref<48x40xf32> -> !tile.tile<48x40xf32>
      // CHECK: error: {{.*}}a 'f32' rhs of [48, 40] does not fill whole cube fractals both ways: L1 holds it as 48 x 40, l0b as 48 x 48
      %m = tile.matmul %x, %y : !tile.tile<16x48xf32>, !tile.tile<48x40xf32> -> !tile.tile<16x40xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x40xf32>, memref<16x40xf32>
    }
  }
  return
}
