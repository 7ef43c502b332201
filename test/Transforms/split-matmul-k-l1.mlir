// RUN: tessel-opt %s -tile-split-matmul-k -tile-place-buffers -verify-diagnostics

// An operand too large for L1 itself: the K split feeds the cube from L1,
// so [16, 8192] f32 (524288 bytes) is split (8 steps of 1024, each window
// 65536 bytes of L0A), and placement then reports the tile that does not fit
// L1 (524288 bytes of 524288, plus the 8192-byte rhs).
func.func @l1_overflow(%x: memref<16x8192xf32>, %w: memref<8192x16xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{cube L1 exceeded: 1048576 > 524288 bytes}}
    // expected-note @below {{cube L1 memory map}}
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x8192xf32> -> !tile.tile<16x8192xf32>
      %b = tile.load %w[%c0, %c0] : memref<8192x16xf32> -> !tile.tile<8192x16xf32>
      // expected-remark @below {{matmul split along K into 8 steps of 1024}}
      %m = tile.matmul %a, %b : !tile.tile<16x8192xf32>, !tile.tile<8192x16xf32> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
