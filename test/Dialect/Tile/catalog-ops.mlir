// The ops of TileCatalogOps.td: comparison into a packed predicate mask and
// selection by it, prelu, bitwise ops and shifts (i8, i32) with their scalar
// forms, the row / column reductions and arg-reductions, transpose, concat,
// reinterpret_view and tri; custom form, generic form and back print the
// same text.
//
// Mask shapes: a 16 x 64 comparison has ceil(64 / 8) = 8 bytes of bits per
// row, rounded up to 32 columns -> 16 x 32; 4 x 300 -> ceil(300 / 8) = 38
// bytes -> 64 columns.
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @compare_select
func.func @compare_select() {
  %zero = arith.constant 0.0 : f32
  %k = arith.constant 3 : i32
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      %y = tile.full 2.0 : !tile.tile<16x64xf32>
      // CHECK: tile.cmp %{{.*}}, %{{.*}} lt : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
      %m = tile.cmp %x, %y lt : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
      // CHECK: tile.cmps %{{.*}}, %{{.*}} ge : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
      %n = tile.cmps %x, %zero ge : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
      // CHECK: tile.sel %{{.*}}, %{{.*}}, %{{.*}} : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
      %s = tile.sel %m, %x, %y : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
      // CHECK: tile.sels %{{.*}}, %{{.*}}, %{{.*}} : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
      %t = tile.sels %n, %s, %zero : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
      // CHECK: tile.prelu %{{.*}}, %{{.*}} : !tile.tile<16x64xf32>
      %p = tile.prelu %t, %y : !tile.tile<16x64xf32>
      %i = tile.full 7 : !tile.tile<4x300xi32>
      // CHECK: tile.cmps %{{.*}}, %{{.*}} ne : !tile.tile<4x300xi32> -> !tile.tile<4x64xi8>
      %q = tile.cmps %i, %k ne : !tile.tile<4x300xi32> -> !tile.tile<4x64xi8>
    }
  }
  return
}

// CHECK-LABEL: func.func @bitwise
func.func @bitwise() {
  %k = arith.constant 3 : i32
  %kb = arith.constant 2 : i8
  tile.spmd 1 (%b) {
    tile.at vector {
      %i = tile.full 12 : !tile.tile<8x16xi32>
      %j = tile.full 10 : !tile.tile<8x16xi32>
      // CHECK: tile.and %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %a = tile.and %i, %j : !tile.tile<8x16xi32>
      // CHECK: tile.or %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %o = tile.or %a, %j : !tile.tile<8x16xi32>
      // CHECK: tile.xor %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %x = tile.xor %o, %i : !tile.tile<8x16xi32>
      // CHECK: tile.not %{{.*}} : !tile.tile<8x16xi32>
      %n = tile.not %x : !tile.tile<8x16xi32>
      // CHECK: tile.shl %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %l = tile.shl %n, %a : !tile.tile<8x16xi32>
      // CHECK: tile.shr %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %r = tile.shr %l, %a : !tile.tile<8x16xi32>
      // CHECK: tile.ands %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %as = tile.ands %r, %k : !tile.tile<8x16xi32>
      // CHECK: tile.ors %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %os = tile.ors %as, %k : !tile.tile<8x16xi32>
      // CHECK: tile.xors %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %xs = tile.xors %os, %k : !tile.tile<8x16xi32>
      // CHECK: tile.shls %{{.*}}, %{{.*}} : !tile.tile<8x16xi32>
      %ls = tile.shls %xs, %k : !tile.tile<8x16xi32>
      %c = tile.full -5 : !tile.tile<8x32xi8>
      // CHECK: tile.shrs %{{.*}}, %{{.*}} : !tile.tile<8x32xi8>
      %rs = tile.shrs %c, %kb : !tile.tile<8x32xi8>
      // CHECK: tile.not %{{.*}} : !tile.tile<8x32xi8>
      %nb = tile.not %rs : !tile.tile<8x32xi8>
    }
  }
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.5 : !tile.tile<16x32xf32>
      // CHECK: tile.row_prod %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %rp = tile.row_prod %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      // CHECK: tile.row_min %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %rm = tile.row_min %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      // CHECK: tile.col_sum %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %cs = tile.col_sum %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      // CHECK: tile.col_max %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %cx = tile.col_max %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      // CHECK: tile.col_min %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %cn = tile.col_min %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %h = tile.full 1.5 : !tile.tile<16x32xf16>
      // CHECK: tile.col_prod %{{.*}} : !tile.tile<16x32xf16> -> !tile.tile<1x32xf16>
      %cp = tile.col_prod %h : !tile.tile<16x32xf16> -> !tile.tile<1x32xf16>
      // CHECK: tile.row_argmax %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<16x1xi32>
      %ra = tile.row_argmax %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xi32>
      // CHECK: tile.row_argmin %{{.*}} : !tile.tile<16x32xf16> -> !tile.tile<16x1xi32>
      %rn = tile.row_argmin %h : !tile.tile<16x32xf16> -> !tile.tile<16x1xi32>
      %i = tile.full 3 : !tile.tile<16x32xi32>
      // CHECK: tile.col_argmax %{{.*}} : !tile.tile<16x32xi32> -> !tile.tile<1x32xi32>
      %ca = tile.col_argmax %i : !tile.tile<16x32xi32> -> !tile.tile<1x32xi32>
      // CHECK: tile.col_argmin %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<1x32xi32>
      %cm = tile.col_argmin %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xi32>
    }
  }
  return
}

// CHECK-LABEL: func.func @layout
func.func @layout() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      %y = tile.full 2.0 : !tile.tile<8x32xf32>
      // CHECK: tile.transpose %{{.*}} : !tile.tile<8x16xf32> -> !tile.tile<16x8xf32>
      %t = tile.transpose %x : !tile.tile<8x16xf32> -> !tile.tile<16x8xf32>
      // CHECK: tile.concat %{{.*}}, %{{.*}} : !tile.tile<8x16xf32>, !tile.tile<8x32xf32> -> !tile.tile<8x48xf32>
      %c = tile.concat %x, %y : !tile.tile<8x16xf32>, !tile.tile<8x32xf32> -> !tile.tile<8x48xf32>
      // 16 f32 = 64 bytes per row = 32 f16 = 64 i8.
      // CHECK: tile.reinterpret_view %{{.*}} : !tile.tile<8x16xf32> -> !tile.tile<8x32xf16>
      %h = tile.reinterpret_view %x : !tile.tile<8x16xf32> -> !tile.tile<8x32xf16>
      // CHECK: tile.reinterpret_view %{{.*}} : !tile.tile<8x32xf16> -> !tile.tile<8x64xi8>
      %b8 = tile.reinterpret_view %h : !tile.tile<8x32xf16> -> !tile.tile<8x64xi8>
      // CHECK: tile.tri 0 : !tile.tile<8x8xf32>
      %l = tile.tri 0 : !tile.tile<8x8xf32>
      // CHECK: tile.tri -1 upper : !tile.tile<8x8xi32>
      %u = tile.tri -1 upper : !tile.tile<8x8xi32>
    }
  }
  return
}
