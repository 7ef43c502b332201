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

// -----

// The catalog instructions with a tmp tile (a2a3, the pipeline's default
// target), each the op's scratch placement (TileLayout.h
// getScratchTileType): TXOR / TXORS a tile of the result's type (16 x 64
// i32), TTRANS of a 16 x 64 f32 source a 64 x alignTo(16, 16) = 64 x 16
// tile, TROWARGMAX / TCOLARGMIN a tile of the source's type. The row index
// goes into the 16 x 1 i32 column (DN), the column index into a 1 x 64 row.
// CHECK-LABEL: __global__ AICORE void scratch_ops_s0_vec(
// CHECK: TESSEL_LOC({{.*}}, 12, 14);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 16, 64, BLayout::RowMajor, 16, 64> [[XD:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[XD]], 0x1000);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 16, 64, BLayout::RowMajor, 16, 64> [[XT:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[XT]], 0x2000);
// CHECK-NEXT: TXOR([[XD]], [[X:v[0-9]+]], [[X]], [[XT]]);
// CHECK: TXORS({{v[0-9]+}}, [[X]], static_cast<int32_t>(-3), {{v[0-9]+}});
// CHECK: Tile<TileType::Vec, float, 64, 16, BLayout::RowMajor, 64, 16> [[TD:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[TD]],
// CHECK-NEXT: Tile<TileType::Vec, float, 64, 16, BLayout::RowMajor, 64, 16> [[TT:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[TT]],
// CHECK-NEXT: TTRANS([[TD]], [[V:v[0-9]+]], [[TT]]);
// CHECK: Tile<TileType::Vec, int32_t, 16, 1, BLayout::ColMajor, 16, 1> [[RI:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[RI]],
// CHECK-NEXT: Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64> [[RT:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[RT]],
// CHECK-NEXT: TROWARGMAX([[RI]], [[V]], [[RT]]);
// CHECK: Tile<TileType::Vec, int32_t, 1, 64, BLayout::RowMajor, 1, 64> [[CI:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[CI]],
// CHECK-NEXT: Tile<TileType::Vec, float, 16, 64, BLayout::RowMajor, 16, 64> [[CT:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[CT]],
// CHECK-NEXT: TCOLARGMIN([[CI]], [[V]], [[CT]]);
func.func @scratch_ops(%a: memref<16x64xi32>, %o: memref<32x64xi32>, %f: memref<16x64xf32>,
                       %t: memref<64x16xf32>, %ri: memref<16x1xi32>, %ci: memref<1x64xi32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %k = arith.constant -3 : i32
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi32> -> !tile.tile<16x64xi32>
      %y = tile.xor %x, %x : !tile.tile<16x64xi32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x64xi32>, memref<32x64xi32>
      %z = tile.xors %x, %k : !tile.tile<16x64xi32>
      tile.store %z, %o[%c16, %c0] : !tile.tile<16x64xi32>, memref<32x64xi32>
      %v = tile.load %f[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %w = tile.transpose %v : !tile.tile<16x64xf32> -> !tile.tile<64x16xf32>
      tile.store %w, %t[%c0, %c0] : !tile.tile<64x16xf32>, memref<64x16xf32>
      %r = tile.row_argmax %v : !tile.tile<16x64xf32> -> !tile.tile<16x1xi32>
      tile.store %r, %ri[%c0, %c0] : !tile.tile<16x1xi32>, memref<16x1xi32>
      %c = tile.col_argmin %v : !tile.tile<16x64xf32> -> !tile.tile<1x64xi32>
      tile.store %c, %ci[%c0, %c0] : !tile.tile<1x64xi32>, memref<1x64xi32>
    }
  }
  return
}
