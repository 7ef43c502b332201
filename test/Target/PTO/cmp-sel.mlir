// tile.cmp / tile.cmps become PTO-ISA's TCMP / TCMPS into a uint8_t view
// of the i8 mask (its output type), then TFILLPAD_INPLACE zeroes the mask
// bytes past N / 8: a 16 x 32 f32 comparison packs 32 / 8 = 4 bytes of
// bits per row, the other 28 of the 32-byte row are whatever PTO-ISA's
// whole 256-byte repeats wrote (a2a3's NE inverts whole rows), zero in
// Tessel's mask. tile.sel is TSEL with a 1 x 32 i8 tmp (the op's scratch
// placement); tile.sels spreads its scalar over its (16 + 1) x 32 f32
// scratch (TEXPANDS), then selects from it, TSEL's tmp in the scratch's
// last row: 16 * 32 * 4 = 2048 = 0x800 bytes past its start (the scratch
// is placed at UB 0, where %x lived until the cmps). tile.sort32
// is TSORT32 with the i32 index as uint32_t, the block_len form of
// tile.mrgsort the single-list TMRGSORT, tile.mrgsort_lists the
// non-exhausted multi-list TMRGSORT<Dst, Tmp, Src0, Src1, false> with its
// tmp (the op's scratch, the result's 1 x 384 type) and pto-isa's
// executed-count struct. tile.prelu is TPRELU, on a2a3
// with its uint8_t tmp as the op's scratch: (16 + 1) x alignTo(ceil(32 /
// 8), 32) = 17 x 32 bytes (the mask of its TCMPS, TSEL's tmp in the last
// row). The emitted source compiles against the reference on both
// targets.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.a5.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.a5.cpp "%pto-cxx -DPTO_REF_TARGET_A5" %}

// CHECK-LABEL: __global__ AICORE void cmp_sel_s0_vec(
// CHECK: Tile<TileType::Vec, int8_t, 16, 32, BLayout::RowMajor, 16, 32> [[P:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[P]], [[PA:0x[0-9a-f]+]]);
// CHECK-NEXT: Tile<TileType::Vec, uint8_t, 16, 32, BLayout::RowMajor, 16, 32> [[PU:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[PU]], [[PA]]);
// CHECK-NEXT: TCMP([[PU]], [[X:v[0-9]+]], [[Y:v[0-9]+]], CmpMode::LT);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: Tile<TileType::Vec, int8_t, 16, 32, BLayout::RowMajor, 16, 32, SLayout::NoneBox, 512, PadValue::Zero> [[W:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[W]], [[PA]]);
// CHECK-NEXT: Tile<TileType::Vec, int8_t, 16, 32, BLayout::RowMajor, 16, 4> [[B:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[B]], [[PA]]);
// CHECK-NEXT: TFILLPAD_INPLACE([[W]], [[B]]);
// CHECK: pipe_barrier(PIPE_V);
// CHECK: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[S:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, uint8_t, 16, 32, BLayout::RowMajor, 16, 32> [[PM:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[PM]], [[PA]]);
// CHECK-NEXT: Tile<TileType::Vec, int8_t, 1, 32, BLayout::RowMajor, 1, 32> [[T:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[T]], {{0x[0-9a-f]+}});
// CHECK-NEXT: TSEL([[S]], [[PM]], [[X]], [[Y]], [[T]]);
// CHECK: TCMPS({{v[0-9]+}}, [[X]], 0x1p-1f, CmpMode::NE);
// CHECK: TFILLPAD_INPLACE(
// CHECK: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[SD:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[SD]], {{0x[0-9a-f]+}});
// CHECK-NEXT: Tile<TileType::Vec, uint8_t, 16, 32, BLayout::RowMajor, 16, 32> [[QM:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[QM]], {{0x[0-9a-f]+}});
// CHECK-NEXT: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[F:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[F]], 0x0);
// CHECK-NEXT: TEXPANDS([[F]], -0x1.8p+0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: Tile<TileType::Vec, int8_t, 1, 32, BLayout::RowMajor, 1, 32> [[T2:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[T2]], 0x800);
// CHECK-NEXT: TSEL([[SD]], [[QM]], [[Y]], [[F]], [[T2]]);
func.func @cmp_sel(%a: memref<16x64xf32>, %o: memref<16x64xf32>, %m: memref<16x32xi8>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %half = arith.constant 5.000000e-01 : f32
  %neg = arith.constant -1.500000e+00 : f32
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %p = tile.cmp %x, %y lt : !tile.tile<16x32xf32> -> !tile.tile<16x32xi8>
      %s = tile.sel %p, %x, %y : !tile.tile<16x32xi8>, !tile.tile<16x32xf32>
      %q = tile.cmps %x, %half ne : !tile.tile<16x32xf32> -> !tile.tile<16x32xi8>
      %t = tile.sels %q, %y, %neg : !tile.tile<16x32xi8>, !tile.tile<16x32xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %t, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %q, %m[%c0, %c0] : !tile.tile<16x32xi8>, memref<16x32xi8>
    }
  }
  return
}

// -----

// 256 f16 columns: 32 bytes of bits per row, the whole mask row, nothing to
// fill. i32 eq (a2a3 compares i32 for equality only).
// CHECK-LABEL: __global__ AICORE void wide_and_int_s0_vec(
// CHECK: TCMPS({{v[0-9]+}}, {{v[0-9]+}}, static_cast<half>(0x0p+0f), CmpMode::GE);
// CHECK-NOT: TFILLPAD_INPLACE
// CHECK: TCMP({{v[0-9]+}}, [[I:v[0-9]+]], [[I]], CmpMode::EQ);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: TFILLPAD_INPLACE(
func.func @wide_and_int(%a: memref<8x256xf16>, %i: memref<8x64xi32>, %o: memref<8x32xi8>, %p: memref<8x32xi8>) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f16
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x256xf16> -> !tile.tile<8x256xf16>
      %m = tile.cmps %x, %z ge : !tile.tile<8x256xf16> -> !tile.tile<8x32xi8>
      tile.store %m, %o[%c0, %c0] : !tile.tile<8x32xi8>, memref<8x32xi8>
      %j = tile.load %i[%c0, %c0] : memref<8x64xi32> -> !tile.tile<8x64xi32>
      %e = tile.cmp %j, %j eq : !tile.tile<8x64xi32> -> !tile.tile<8x32xi8>
      tile.store %e, %p[%c0, %c0] : !tile.tile<8x32xi8>, memref<8x32xi8>
    }
  }
  return
}

// -----

// CHECK-LABEL: __global__ AICORE void sorting_s0_vec(
// CHECK: Tile<TileType::Vec, uint32_t, 1, 64, BLayout::RowMajor, 1, 64> [[IX:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[IX]], {{0x[0-9a-f]+}});
// CHECK-NEXT: TSORT32({{v[0-9]+}}, {{v[0-9]+}}, [[IX]]);
// CHECK: TMRGSORT({{v[0-9]+}}, {{v[0-9]+}}, 64u);
// CHECK: Tile<TileType::Vec, float, 1, 384, BLayout::RowMajor, 1, 384> [[MD:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[MD]], {{0x[0-9a-f]+}});
// CHECK-NEXT: Tile<TileType::Vec, float, 1, 384, BLayout::RowMajor, 1, 384> [[MT:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[MT]], {{0x[0-9a-f]+}});
// CHECK-NEXT: MrgSortExecutedNumList [[EX:v[0-9]+]] = MrgSortExecutedNumList();
// CHECK-NEXT: TMRGSORT<Tile<TileType::Vec, float, 1, 384, BLayout::RowMajor, 1, 384>, Tile<TileType::Vec, float, 1, 384, BLayout::RowMajor, 1, 384>, Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 128>, Tile<TileType::Vec, float, 1, 256, BLayout::RowMajor, 1, 256>, false>([[MD]], [[EX]], [[MT]], {{v[0-9]+}}, {{v[0-9]+}});
func.func @sorting(%a: memref<1x256xf32>, %i: memref<1x256xi32>, %o: memref<1x512xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<1x256xf32> -> !tile.tile<1x64xf32>
      %j = tile.load %i[%c0, %c0] : memref<1x256xi32> -> !tile.tile<1x64xi32>
      %s = tile.sort32 %x, %j : !tile.tile<1x64xf32>, !tile.tile<1x64xi32> -> !tile.tile<1x128xf32>
      %w = tile.load %a[%c0, %c0] : memref<1x256xf32> -> !tile.tile<1x256xf32>
      %m = tile.mrgsort %w block_len(64) : !tile.tile<1x256xf32> -> !tile.tile<1x256xf32>
      %l = tile.mrgsort_lists %s, %m : !tile.tile<1x128xf32>, !tile.tile<1x256xf32> -> !tile.tile<1x384xf32>
      tile.store %l, %o[%c0, %c0] : !tile.tile<1x384xf32>, memref<1x512xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: __global__ AICORE void prelu_s0_vec(
// CHECK: TLOAD([[X:v[0-9]+]],
// CHECK: TLOAD([[Y:v[0-9]+]],
// CHECK: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[D:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[D]], {{0x[0-9a-f]+}});
// CHECK-NEXT: Tile<TileType::Vec, uint8_t, 17, 32, BLayout::RowMajor, 17, 32> [[T:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[T]], {{0x[0-9a-f]+}});
// CHECK-NEXT: TPRELU([[D]], [[X]], [[Y]], [[T]]);
func.func @prelu(%a: memref<16x64xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %p = tile.prelu %x, %y : !tile.tile<16x32xf32>
      tile.store %p, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
