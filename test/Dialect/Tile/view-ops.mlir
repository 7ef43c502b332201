// The ops of TileViewOps.td: tile.extract, tile.insert, the broadcasts,
// tile.arange and tile.log; custom form, generic form and back print the
// same text.
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @view_ops
func.func @view_ops(%j: index) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x64xf32>
      // A runtime column offset; the window [8, 16] at row 8 is inside.
      // CHECK: %[[S:.*]] = tile.extract %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<16x64xf32> -> !tile.tile<8x16xf32>
      %s = tile.extract %t[%c8, %j] : !tile.tile<16x64xf32> -> !tile.tile<8x16xf32>
      // CHECK: tile.insert %[[S]] into %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<8x16xf32> into !tile.tile<16x64xf32>
      %r = tile.insert %s into %t[%c0, %c0] : !tile.tile<8x16xf32> into !tile.tile<16x64xf32>
      // CHECK: tile.arange 5 : !tile.tile<1x64xi32>
      %i = tile.arange 5 : !tile.tile<1x64xi32>
      // CHECK: tile.arange -3 : !tile.tile<2x8xf16>
      %h = tile.arange -3 : !tile.tile<2x8xf16>
      // CHECK: tile.log %{{.*}} : !tile.tile<16x64xf32>
      %l = tile.log %r : !tile.tile<16x64xf32>
      %m = tile.full 2.0 : !tile.tile<16x1xf32>
      %g = tile.full 3.0 : !tile.tile<1x64xf32>
      // CHECK: tile.row_expand %{{.*}} : !tile.tile<16x1xf32> -> !tile.tile<16x64xf32>
      %rb = tile.row_expand %m : !tile.tile<16x1xf32> -> !tile.tile<16x64xf32>
      // CHECK: tile.col_expand %{{.*}} : !tile.tile<1x64xf32> -> !tile.tile<16x64xf32>
      %cb = tile.col_expand %g : !tile.tile<1x64xf32> -> !tile.tile<16x64xf32>
      // The plain broadcasts are bit copies: bf16 and i8 too (TROWEXPAND /
      // TCOLEXPAND take b8 / b16 / b32 elements).
      %mb = tile.full 2.0 : !tile.tile<16x1xbf16>
      %gi = tile.full 3 : !tile.tile<1x64xi8>
      // CHECK: tile.row_expand %{{.*}} : !tile.tile<16x1xbf16> -> !tile.tile<16x64xbf16>
      %rbb = tile.row_expand %mb : !tile.tile<16x1xbf16> -> !tile.tile<16x64xbf16>
      // CHECK: tile.col_expand %{{.*}} : !tile.tile<1x64xi8> -> !tile.tile<16x64xi8>
      %cbi = tile.col_expand %gi : !tile.tile<1x64xi8> -> !tile.tile<16x64xi8>
      // CHECK: tile.row_expand_add %{{.*}}, %{{.*}} : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      %e0 = tile.row_expand_add %t, %m : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      // CHECK: tile.row_expand_sub
      %e1 = tile.row_expand_sub %t, %m : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      // CHECK: tile.row_expand_div
      %e2 = tile.row_expand_div %t, %m : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      // CHECK: tile.row_expand_max
      %e3 = tile.row_expand_max %t, %m : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      // CHECK: tile.row_expand_min
      %e4 = tile.row_expand_min %t, %m : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      // CHECK: tile.row_expand_expdif
      %e5 = tile.row_expand_expdif %t, %m : !tile.tile<16x64xf32>, !tile.tile<16x1xf32>
      // CHECK: tile.col_expand_add %{{.*}}, %{{.*}} : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      %f0 = tile.col_expand_add %t, %g : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      // CHECK: tile.col_expand_sub
      %f1 = tile.col_expand_sub %t, %g : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      // CHECK: tile.col_expand_div
      %f2 = tile.col_expand_div %t, %g : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      // CHECK: tile.col_expand_max
      %f3 = tile.col_expand_max %t, %g : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      // CHECK: tile.col_expand_min
      %f4 = tile.col_expand_min %t, %g : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      // CHECK: tile.col_expand_expdif
      %f5 = tile.col_expand_expdif %t, %g : !tile.tile<16x64xf32>, !tile.tile<1x64xf32>
      %ti = tile.full 7 : !tile.tile<16x64xi32>
      %mi = tile.full 1 : !tile.tile<16x1xi32>
      // CHECK: tile.row_expand_max %{{.*}}, %{{.*}} : !tile.tile<16x64xi32>, !tile.tile<16x1xi32>
      %i0 = tile.row_expand_max %ti, %mi : !tile.tile<16x64xi32>, !tile.tile<16x1xi32>
    }
  }
  return
}
