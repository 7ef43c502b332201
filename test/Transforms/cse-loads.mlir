// RUN: tessel-opt %s -split-input-file -tile-cse-loads | FileCheck %s

// tile-cse-loads merges a tile.load into an identical earlier one of the same
// block unless something between them may write the tensor it reads.
// Kernel parameters are distinct tensors (overlapping ones are refused at
// call time, docs/races.md), and so is every tile.alloc_gm.

// The sparse-attention quantisation shape: load a row block of %o, store its
// scale to the other parameter %s, load the same block again. The store
// cannot write %o: one load (8x1024xf32 = 32768 B read once, not twice).
// CHECK-LABEL: func.func @store_to_other_parameter
// CHECK: %[[A:.*]] = tile.load %arg0[%c0, %c0]
// CHECK-NEXT: tile.full
// CHECK-NEXT: tile.store %{{.*}}, %arg1
// CHECK-NEXT: tile.add %[[A]], %[[A]]
func.func @store_to_other_parameter(%o: memref<16x1024xf32>, %s: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %a = tile.load %o[%c0, %c0] : memref<16x1024xf32> -> !tile.tile<8x1024xf32>
      %m = tile.full 1.0 : !tile.tile<1x8xf32>
      tile.store %m, %s[%c0, %c0] : !tile.tile<1x8xf32>, memref<8x16xf32>
      %b = tile.load %o[%c0, %c0] : memref<16x1024xf32> -> !tile.tile<8x1024xf32>
      %c = tile.add %a, %b : !tile.tile<8x1024xf32>
      tile.store %c, %o[%c0, %c0] : !tile.tile<8x1024xf32>, memref<16x1024xf32>
    }
  }
  return
}

// -----

// Two tile.alloc_gm tensors are distinct, and distinct from the
// parameters: a store to %g2 does not separate loads of %g1, and a store to
// %g1 does not separate loads of %o.
// CHECK-LABEL: func.func @alloc_gm_roots
// CHECK: %[[G1:.*]] = tile.alloc_gm name("g1")
// CHECK: %[[G2:.*]] = tile.alloc_gm name("g2")
// CHECK: %[[A:.*]] = tile.load %[[G1]]
// CHECK: %[[X:.*]] = tile.load %arg0
// CHECK-NEXT: tile.store %[[A]], %[[G2]]
// CHECK-NEXT: tile.store %[[X]], %[[G1]]
// CHECK-NOT: tile.load
// CHECK: tile.add %[[A]], %[[A]]
// CHECK: tile.add %[[X]], %[[X]]
func.func @alloc_gm_roots(%o: memref<8x32xf32>, %out: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %g1 = tile.alloc_gm name("g1") : memref<8x32xf32>
  %g2 = tile.alloc_gm name("g2") : memref<8x32xf32>
  tile.spmd 1 (%i) {
    tile.at vector {
      %a = tile.load %g1[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      %x = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      tile.store %a, %g2[%c0, %c0] : !tile.tile<8x32xf32>, memref<8x32xf32>
      %b = tile.load %g1[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      tile.store %x, %g1[%c0, %c0] : !tile.tile<8x32xf32>, memref<8x32xf32>
      %y = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      %s = tile.add %a, %b : !tile.tile<8x32xf32>
      %t = tile.add %x, %y : !tile.tile<8x32xf32>
      tile.store %s, %out[%c0, %c0] : !tile.tile<8x32xf32>, memref<8x32xf32>
    }
  }
  return
}

// -----

// What still separates two identical loads of %o: a store to %o itself, a
// store to a view of %o (its root is %o), an atomic store (to any tensor), a
// tile.set, an op of unknown effects (a call), a store to %o nested in an
// scf.if, and a store to a tensor that is neither a parameter nor a
// tile.alloc_gm (a memref.alloc may be anything). Every load stays.
// CHECK-LABEL: func.func @what_blocks
// CHECK-COUNT-2: tile.load %arg0[%c0, %c0]
// CHECK-COUNT-2: tile.load %arg0[%c1, %c0]
// CHECK-COUNT-2: tile.load %arg0[%c2, %c0]
// CHECK-COUNT-2: tile.load %arg0[%c3, %c0]
// CHECK-COUNT-2: tile.load %arg0[%c4, %c0]
// CHECK-COUNT-2: tile.load %arg0[%c5, %c0]
// CHECK-COUNT-2: tile.load %arg0[%c6, %c0]
// CHECK-NOT: tile.load
func.func private @unknown()
func.func @what_blocks(%o: memref<8x32xf32>, %s: memref<8x32xf32>, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %one = arith.constant 1.0 : f32
  %v = memref.expand_shape %o [[0], [1, 2]] output_shape [8, 2, 16] : memref<8x32xf32> into memref<8x2x16xf32>
  %m = memref.alloc() : memref<8x32xf32>
  tile.spmd 1 (%i) {
    tile.at vector {
      %a0 = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.store %a0, %o[%c0, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      %a1 = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      %b0 = tile.load %o[%c1, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      %h = tile.full 0.0 : !tile.tile<1x16xf32>
      tile.store %h, %v[%c0, %c0, %c0] : !tile.tile<1x16xf32>, memref<8x2x16xf32>
      %b1 = tile.load %o[%c1, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      %c0t = tile.load %o[%c2, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.store %c0t, %s[%c2, %c0] {atomic_add} : !tile.tile<1x32xf32>, memref<8x32xf32>
      %c1t = tile.load %o[%c2, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      %d0 = tile.load %o[%c3, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      %d2 = tile.set %one into %d0[%c0, %c0] : !tile.tile<1x32xf32>
      %d1 = tile.load %o[%c3, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      %e0 = tile.load %o[%c4, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      func.call @unknown() : () -> ()
      %e1 = tile.load %o[%c4, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      %f0 = tile.load %o[%c5, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      scf.if %flag {
        tile.store %f0, %o[%c5, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      }
      %f1 = tile.load %o[%c5, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      %g0 = tile.load %o[%c6, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.store %g0, %m[%c6, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      %g1 = tile.load %o[%c6, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>

      tile.store %a1, %s[%c0, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %b1, %s[%c1, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %c1t, %s[%c2, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %d1, %s[%c3, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %d2, %s[%c3, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %e1, %s[%c4, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %f1, %s[%c5, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      tile.store %g1, %s[%c6, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  return
}

// -----

// A store to another parameter nested in an scf.if does not separate them;
// loads of other slices, or in another block, are not merged.
// CHECK-LABEL: func.func @nested_and_different
// CHECK: %[[A:.*]] = tile.load %arg0[%c0, %c0]
// CHECK: tile.load %arg0[%c1, %c0]
// CHECK: scf.if
// CHECK-NEXT: tile.store
// CHECK-NEXT: }
// CHECK-NOT: tile.load %arg0[%c0, %c0]
// CHECK: tile.pipeline
// CHECK-NEXT: tile.load %arg0[%c0, %c0]
func.func @nested_and_different(%o: memref<8x32xf32>, %s: memref<8x32xf32>, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %a = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      %r = tile.load %o[%c1, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      scf.if %flag {
        tile.store %r, %s[%c0, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      }
      %b = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.pipeline %j = %c0 to %c2 step %c1 stages(1) {
        %c = tile.load %o[%c0, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
        tile.store %c, %s[%j, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      }
      %t = tile.add %a, %b : !tile.tile<1x32xf32>
      tile.store %t, %s[%c1, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  return
}
