// The bitwise ops of TileCatalogOps.td become PTO-ISA's TAND / TOR / TNOT /
// TSHL / TSHR and the scalar forms TANDS / TORS / TSHLS / TSHRS (the scalar
// as a literal of the element type), the column reductions TCOLSUM (the
// form without tmp: sequential) / TCOLMAX / TCOLMIN / TCOLPROD, the row
// reductions TROWMIN / TROWPROD (with the op's scratch tile, as TROWSUM),
// TCONCAT and TTRI<type, upper>(dst, diagonal), and the emitted source
// compiles against the reference.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// CHECK-LABEL: __global__ AICORE void bitwise_s0_vec(
// CHECK: TAND({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TOR({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TNOT({{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TSHL({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TSHR({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TANDS({{v[0-9]+}}, {{v[0-9]+}}, static_cast<int32_t>(90));
// CHECK: TORS({{v[0-9]+}}, {{v[0-9]+}}, static_cast<int32_t>(6));
// CHECK: TSHLS({{v[0-9]+}}, {{v[0-9]+}}, static_cast<int32_t>(3));
// CHECK: TSHRS({{v[0-9]+}}, {{v[0-9]+}}, static_cast<int32_t>(2));
// CHECK: TSTORE(
func.func @bitwise(%a: memref<16x64xi32>, %o: memref<16x32xi32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %k90 = arith.constant 90 : i32
  %k6 = arith.constant 6 : i32
  %k3 = arith.constant 3 : i32
  %k2 = arith.constant 2 : i32
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi32> -> !tile.tile<16x32xi32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xi32> -> !tile.tile<16x32xi32>
      %p = tile.and %x, %y : !tile.tile<16x32xi32>
      %q = tile.or %p, %x : !tile.tile<16x32xi32>
      %n = tile.not %q : !tile.tile<16x32xi32>
      %l = tile.shl %n, %y : !tile.tile<16x32xi32>
      %r = tile.shr %l, %y : !tile.tile<16x32xi32>
      %as = tile.ands %r, %k90 : !tile.tile<16x32xi32>
      %os = tile.ors %as, %k6 : !tile.tile<16x32xi32>
      %ls = tile.shls %os, %k3 : !tile.tile<16x32xi32>
      %rs = tile.shrs %ls, %k2 : !tile.tile<16x32xi32>
      tile.store %rs, %o[%c0, %c0] : !tile.tile<16x32xi32>, memref<16x32xi32>
    }
  }
  return
}

// -----

// CHECK-LABEL: __global__ AICORE void colred_s0_vec(
// CHECK: TCOLSUM({{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TCOLMAX({{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TCOLMIN({{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TCOLPROD({{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TSTORE(
func.func @colred(%a: memref<16x32xf32>, %o: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %s = tile.col_sum %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %m = tile.col_max %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %n = tile.col_min %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      %p = tile.col_prod %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
      tile.store %m, %o[%c1, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
      tile.store %n, %o[%c2, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
      tile.store %p, %o[%c3, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: __global__ AICORE void rowred_s0_vec(
// CHECK: TROWMIN({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TROWPROD({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TSTORE(
func.func @rowred(%a: memref<16x32xf32>, %o: memref<16x1xf32>, %p: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %m = tile.row_min %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %q = tile.row_prod %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
      tile.store %q, %p[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: __global__ AICORE void layout_s0_vec(
// CHECK: TCONCAT({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: TTRI<{{.*}}, 0>({{v[0-9]+}}, 0);
// CHECK: TTRI<{{.*}}, 1>({{v[0-9]+}}, -2);
// CHECK: TSTORE(
func.func @layout(%a: memref<8x64xf32>, %o: memref<8x96xf32>, %t: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x64xf32> -> !tile.tile<8x64xf32>
      %y = tile.load %a[%c0, %c0] : memref<8x64xf32> -> !tile.tile<8x32xf32>
      %c = tile.concat %x, %y : !tile.tile<8x64xf32>, !tile.tile<8x32xf32> -> !tile.tile<8x96xf32>
      tile.store %c, %o[%c0, %c0] : !tile.tile<8x96xf32>, memref<8x96xf32>
      %l = tile.tri 0 : !tile.tile<8x8xf32>
      %u = tile.tri -2 upper : !tile.tile<8x8xf32>
      tile.store %l, %t[%c0, %c0] : !tile.tile<8x8xf32>, memref<16x8xf32>
      tile.store %u, %t[%c8, %c0] : !tile.tile<8x8xf32>, memref<16x8xf32>
    }
  }
  return
}
