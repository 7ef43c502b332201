// RUN: tessel-opt %s -split-input-file -tile-split-matmul-k -verify-diagnostics
// RUN: not tessel-opt %s -split-input-file -tile-split-matmul-k=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// What tile-split-matmul-k cannot split is an error on the matmul (every
// matmul is planned before any is rewritten: on an error the IR is as it
// was).
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5

// K = 2056 is not a multiple of the f32 K granule 16 (2056 = 16 * 128 + 8):
// no step boundary falls on whole fractals of both operands.
func.func @k_not_granular(%x: memref<16x2056xf32>, %w: memref<2056x16xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x2056xf32> -> !tile.tile<16x2056xf32>
      %b = tile.load %w[%c0, %c0] : memref<2056x16xf32> -> !tile.tile<2056x16xf32>
      // expected-error @below {{matmul lhs [16, 2056] f32 (131584 bytes) exceeds cube L0A (65536 bytes on a2a3) and cannot be split along K: K = 2056 is not a multiple of 16, the K step of f32 operands (cube fractals of 16 rows and 32-byte blocks)}}
      %m = tile.matmul %a, %b : !tile.tile<16x2056xf32>, !tile.tile<2056x16xf32> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// M overflows: even one granule of K, [2048, 16] f32, is 2048 * 16 * 4 =
// 131072 bytes of L0A.
func.func @m_too_large(%x: memref<2048x64xf32>, %w: memref<64x16xf32>, %o: memref<2048x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<2048x64xf32> -> !tile.tile<2048x64xf32>
      %b = tile.load %w[%c0, %c0] : memref<64x16xf32> -> !tile.tile<64x16xf32>
      // expected-error @below {{matmul lhs [2048, 64] f32 (524288 bytes) exceeds cube L0A (65536 bytes on a2a3) and cannot be split along K: even a K step of 16 needs 131072 bytes of cube L0A for the lhs (M = 2048); split M by hand (one matmul per block of rows)}}
      %m = tile.matmul %a, %b : !tile.tile<2048x64xf32>, !tile.tile<64x16xf32> -> !tile.tile<2048x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<2048x16xf32>, memref<2048x16xf32>
    }
  }
  return
}

// -----

// N overflows (b_trans int8, granule 32): [32, 4096] int8 in L0B is
// 131072 bytes.
func.func @n_too_large(%x: memref<16x256xi8>, %w: memref<4096x256xi8>, %o: memref<16x4096xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x256xi8> -> !tile.tile<16x256xi8>
      %b = tile.load %w[%c0, %c0] : memref<4096x256xi8> -> !tile.tile<4096x256xi8>
      // expected-error @below {{matmul rhs [256, 4096] i8 (1048576 bytes) exceeds cube L0B (65536 bytes on a2a3) and cannot be split along K: even a K step of 32 needs 131072 bytes of cube L0B for the rhs (N = 4096); split N by hand (one matmul per block of columns)}}
      %m = tile.matmul %a, %b b_trans : !tile.tile<16x256xi8>, !tile.tile<4096x256xi8> -> !tile.tile<16x4096xi32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x4096xi32>, memref<16x4096xi32>
    }
  }
  return
}
