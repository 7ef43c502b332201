// The ops of TileIndexOps.td: index gather and scatter along the last dim,
// tile.sort32, tile.mrgsort (one list of runs) and tile.mrgsort_lists, and
// tile.store {atomic_add}; custom form, generic form and back print the
// same text.
//
// Shapes: sort32 of 64 f32 columns is 2 blocks of 32 pairs -> 128 columns
// (value, index bits); mrgsort block_len(64) merges 4 runs of 64 columns
// (32 pairs each) into one run of 256 columns.
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @index_ops
func.func @index_ops(%out: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %i = tile.arange 0 : !tile.tile<4x8xi32>
      // CHECK: tile.gather_index %{{.*}}, %{{.*}} : !tile.tile<4x64xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x8xf32>
      %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x8xf32>
      // CHECK: tile.scatter_index %{{.*}}, %{{.*}} into %{{.*}} : !tile.tile<4x8xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x64xf32>
      %s = tile.scatter_index %g, %i into %x : !tile.tile<4x8xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x64xf32>
      // CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] {atomic_add} : !tile.tile<4x64xf32>, memref<4x64xf32>
      tile.store %s, %out[%c0, %c0] {atomic_add} : !tile.tile<4x64xf32>, memref<4x64xf32>
      %v = tile.full 2.0 : !tile.tile<1x256xf32>
      %k = tile.arange 0 : !tile.tile<1x256xi32>
      // CHECK: tile.sort32 %{{.*}}, %{{.*}} : !tile.tile<1x256xf32>, !tile.tile<1x256xi32> -> !tile.tile<1x512xf32>
      %p = tile.sort32 %v, %k : !tile.tile<1x256xf32>, !tile.tile<1x256xi32> -> !tile.tile<1x512xf32>
      // CHECK: tile.mrgsort %{{.*}} block_len(64) : !tile.tile<1x512xf32> -> !tile.tile<1x512xf32>
      %m = tile.mrgsort %p block_len(64) : !tile.tile<1x512xf32> -> !tile.tile<1x512xf32>
      // CHECK: tile.mrgsort %{{.*}} block_len(128) : !tile.tile<1x512xf32> -> !tile.tile<1x512xf32>
      %m2 = tile.mrgsort %m block_len(128) : !tile.tile<1x512xf32> -> !tile.tile<1x512xf32>
      // A shared [1, C] index sorts every row.
      %r = tile.full 3.0 : !tile.tile<2x256xf32>
      // CHECK: tile.sort32 %{{.*}}, %{{.*}} : !tile.tile<2x256xf32>, !tile.tile<1x256xi32> -> !tile.tile<2x512xf32>
      %q = tile.sort32 %r, %k : !tile.tile<2x256xf32>, !tile.tile<1x256xi32> -> !tile.tile<2x512xf32>
      %a = tile.extract %m2[%c0, %c0] : !tile.tile<1x512xf32> -> !tile.tile<1x64xf32>
      // CHECK: tile.mrgsort_lists %{{.*}}, %{{.*}}, %{{.*}} : !tile.tile<1x64xf32>, !tile.tile<1x64xf32>, !tile.tile<1x64xf32> -> !tile.tile<1x192xf32>
      %l = tile.mrgsort_lists %a, %a, %a : !tile.tile<1x64xf32>, !tile.tile<1x64xf32>, !tile.tile<1x64xf32> -> !tile.tile<1x192xf32>
      // f16 pairs are 4 elements: 64 values -> 256 columns; block_len(64)
      // runs are 16 pairs.
      %h = tile.full 1.0 : !tile.tile<1x64xf16>
      %hi = tile.arange 0 : !tile.tile<1x64xi32>
      // CHECK: tile.sort32 %{{.*}}, %{{.*}} : !tile.tile<1x64xf16>, !tile.tile<1x64xi32> -> !tile.tile<1x256xf16>
      %hs = tile.sort32 %h, %hi : !tile.tile<1x64xf16>, !tile.tile<1x64xi32> -> !tile.tile<1x256xf16>
      // CHECK: tile.mrgsort %{{.*}} block_len(64) : !tile.tile<1x256xf16> -> !tile.tile<1x256xf16>
      %hm = tile.mrgsort %hs block_len(64) : !tile.tile<1x256xf16> -> !tile.tile<1x256xf16>
      // The mask gather may reinterpret the kept bits (output_dtype).
      // CHECK: tile.gather %{{.*}} p1010 : !tile.tile<1x512xf32> -> !tile.tile<1x256xi32>
      %bits = tile.gather %m2 p1010 : !tile.tile<1x512xf32> -> !tile.tile<1x256xi32>
    }
  }
  return
}
