// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-npu-pipeline -tile-cpu-pipeline -o /dev/null

// A core_group scope whose matmul and vector results are never stored
// (issue 17: a segfault in eraseDeadOps, reached from applySplit). The split
// stages the matmul result and drops the dead vector work; the pipelines
// run to the end.

// CHECK-LABEL: func.func @mixed_splits_on_a2a3
// CHECK: tile.spmd 4 name("mm_scale_cube")
// CHECK: tile.matmul
// CHECK: tile.store
// CHECK: tile.spmd 4 name("mm_scale_vector")
// CHECK-NOT: tile.col_expand_mul
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @mixed_splits_on_a2a3(%a: memref<16x64xf16>, %w: memref<64x128xf16>, %s: memref<128xf32>, %o: memref<16x128xf32>) {
    %c0 = arith.constant 0 : index
    %c32 = arith.constant 32 : index
    tile.spmd 4 name("mm_scale") (%b) {
      tile.at core_group {
        %col = arith.muli %b, %c32 : index
        %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
        %y = tile.load %w[%c0, %col] : memref<64x128xf16> -> !tile.tile<64x32xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
        %sc = tile.load %s[%col] : memref<128xf32> -> !tile.tile<1x32xf32>
        %r = tile.col_expand_mul %m, %sc : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
      }
    }
    return
  }
}

// -----

// The same erasure without dead results: a chain of index computations
// that only the cube part uses is duplicated into it and then dead in the
// vector part, where it is erased last op first.
// CHECK-LABEL: func.func @index_chain_of_the_cube_part
// CHECK: tile.spmd 2 name("chain_cube")
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: tile.matmul
// CHECK: tile.spmd 2 name("chain_vector")
// CHECK-NOT: arith.addi
// CHECK: tile.exp
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @index_chain_of_the_cube_part(%a: memref<16x64xf16>, %w: memref<64x128xf16>, %o: memref<16x64xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c32 = arith.constant 32 : index
    tile.spmd 2 name("chain") (%b) {
      tile.at core_group {
        %p = arith.muli %b, %c32 : index
        %q = arith.addi %p, %c1 : index
        %col = arith.subi %q, %c1 : index
        %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
        %y = tile.load %w[%c0, %col] : memref<64x128xf16> -> !tile.tile<64x32xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
        %e = tile.exp %m : !tile.tile<16x32xf32>
        tile.store %e, %o[%c0, %p] : !tile.tile<16x32xf32>, memref<16x64xf32>
      }
    }
    return
  }
}
