// RUN: tessel-opt %s -split-input-file -tile-decompose-broadcasts | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -o /dev/null

// Each broadcast op the emitter lacks becomes the exact broadcast
// row_expand_mul / col_expand_mul of a ones tile, then the elementwise op.
// CHECK-LABEL: func.func @row_family
// CHECK: %[[ONE:.*]] = tile.full 1.000000e+00 : !tile.tile<16x32xf32>
// CHECK: %[[B:.*]] = tile.row_expand_mul %[[ONE]], %[[M:.*]] : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
// CHECK: tile.sub %[[X:.*]], %[[B]] : !tile.tile<16x32xf32>
// expdif is exp of the difference.
// CHECK: %[[ONE2:.*]] = tile.full 1.000000e+00
// CHECK: %[[B2:.*]] = tile.row_expand_mul %[[ONE2]], %[[M]]
// CHECK: %[[D:.*]] = tile.sub %[[X]], %[[B2]]
// CHECK: tile.exp %[[D]]
// tile.row_expand is the broadcast alone.
// CHECK: %[[ONE3:.*]] = tile.full 1.000000e+00
// CHECK: tile.row_expand_mul %[[ONE3]], %[[M]]
// CHECK-NOT: tile.row_expand_sub
// CHECK-NOT: tile.row_expand_expdif
// CHECK-NOT: tile.row_expand %
func.func @row_family(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %m = tile.row_max %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %y = tile.row_expand_sub %x, %m : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %e = tile.row_expand_expdif %x, %m : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %r = tile.row_expand %m : !tile.tile<16x1xf32> -> !tile.tile<16x32xf32>
      %s = tile.add %y, %e : !tile.tile<16x32xf32>
      %t = tile.add %s, %r : !tile.tile<16x32xf32>
      tile.store %t, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Integer tiles: the ones tile is an i32 1.
// CHECK-LABEL: func.func @col_family_i32
// CHECK: %[[ONE:.*]] = tile.full 1 : !tile.tile<16x32xi32>
// CHECK: %[[B:.*]] = tile.col_expand_mul %[[ONE]], %{{.*}} : !tile.tile<16x32xi32>, !tile.tile<1x32xi32>
// CHECK: tile.max %{{.*}}, %[[B]] : !tile.tile<16x32xi32>
// CHECK: tile.col_expand_mul
// CHECK: tile.min
// The _mul ops are the emitter's own: kept.
// CHECK: tile.col_expand_mul %{{.*}}, %{{.*}} : !tile.tile<16x32xi32>, !tile.tile<1x32xi32>
func.func @col_family_i32(%a: memref<16x32xi32>, %g: memref<1x32xi32>, %o: memref<16x32xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xi32> -> !tile.tile<16x32xi32>
      %s = tile.load %g[%c0, %c0] : memref<1x32xi32> -> !tile.tile<1x32xi32>
      %y = tile.col_expand_max %x, %s : !tile.tile<16x32xi32>, !tile.tile<1x32xi32>
      %z = tile.col_expand_min %y, %s : !tile.tile<16x32xi32>, !tile.tile<1x32xi32>
      %w = tile.col_expand_mul %z, %s : !tile.tile<16x32xi32>, !tile.tile<1x32xi32>
      tile.store %w, %o[%c0, %c0] : !tile.tile<16x32xi32>, memref<16x32xi32>
    }
  }
  return
}
