// The emitted Ascend C source for each op and dtype, and a compile of it
// with -Wall -Wextra -Werror against the reference (runtime/pto).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// Vector ops: every load brings a 16 x 32 slice (GlobalTensor with the row
// pitch of the tensor, 64 elements), results are tiles bound with TASSIGN to
// their placed offsets. 16x32xf32 = 2048 B per tile.
// CHECK: #include <cstdint>
// CHECK-NEXT: #include <pto/pto-inst.hpp>
// CHECK-LABEL: __global__ AICORE void vector_ops_s0_vec(__gm__ uint8_t*
// CHECK: size_t [[FIRST:v[0-9]+]] = get_block_idx();
// CHECK: size_t [[STRIDE:v[0-9]+]] = get_block_num();
// CHECK: for (size_t [[B:i[0-9]+]] = [[FIRST]]; [[B]] < v{{[0-9]+}}; [[B]] += [[STRIDE]])
// CHECK: TESSEL_LOC(
// CHECK: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[X:v[0-9]+]] =
// CHECK: TASSIGN([[X]], 0x0);
// CHECK: GlobalTensor<float, Shape<1, 1, 1, 16, 32>, Stride<1, 1, 1, 64, 1>> [[G:v[0-9]+]] =
// CHECK: TLOAD([[X]], [[G]]);
// CHECK: set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
// CHECK: wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
// CHECK: TEXP(
// CHECK: TADD(
// CHECK: TMUL(
// CHECK: TSUB(
// CHECK: TDIV(
// CHECK: TMAX(
// CHECK: TMIN(
// CHECK: TADDS({{.*}}, 0x1p+0f);
// CHECK: TMULS({{.*}}, 0x1p-1f);
// CHECK: TSUBS({{.*}}, 0x1.8p+1f);
// CHECK: TDIVS({{.*}}, 0x1p+2f);
// CHECK: TMAXS(
// CHECK: TMINS(
// Reversed forms: s / x is TDIVS(dst, s, x); s - x is -x + s.
// CHECK: TDIVS({{v[0-9]+}}, 0x1p+0f, {{v[0-9]+}});
// CHECK: TMULS({{.*}}, -0x1p+0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TADDS({{.*}}, 0x1p+1f);
// CHECK: TNEG(
// CHECK: TABS(
// CHECK: TSQRT(
// CHECK: TRSQRT(
// CHECK: TRECIP(
// A row reduction writes a 16x1 column vector (column-major, 16 x 4 = 64 B)
// and uses its scratch placement as tmp (the source's shape).
// CHECK: Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1> [[S:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[TMP:v[0-9]+]] =
// CHECK: TROWSUM([[S]], {{v[0-9]+}}, [[TMP]]);
// CHECK: TROWMAX(
// CHECK: TROWEXPANDMUL({{v[0-9]+}}, {{v[0-9]+}}, [[S]]);
// CHECK: TCOLEXPANDMUL(
// CHECK: TGATHER<Tile<TileType::Vec, float, 16, 16, BLayout::RowMajor, 16, 16>, Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32>, MaskPattern::P0101>(
// An interleave (two scatters of complementary patterns, the second into
// the first): each scatters into a zeroed tile (TSCATTER may zero-fill its
// destination), then TOR of int32 views merges them bit for bit.
// CHECK: TEXPANDS({{v[0-9]+}}, static_cast<int32_t>(0));
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TSCATTER<MaskPattern::P0101>(
// CHECK: TEXPANDS({{v[0-9]+}}, static_cast<int32_t>(0));
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TSCATTER<MaskPattern::P1010>(
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK: TOR(
// CHECK: TSTORE(
// CHECK: pipe_barrier(PIPE_ALL);
// CHECK: extern "C" const int vector_ops_num_gm = 2;
// CHECK: extern "C" void vector_ops_cpu(uint8_t** args) {
// CHECK: vector_ops_s0_vec<<<4, nullptr, stream>>>(args[0], args[1]);
func.func @vector_ops(%a: memref<64x64xf32>, %o: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %one = arith.constant 1.0 : f32
  %half = arith.constant 0.5 : f32
  %three = arith.constant 3.0 : f32
  %four = arith.constant 4.0 : f32
  %two = arith.constant 2.0 : f32
  tile.spmd 4 name("vec") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      %x = tile.load %a[%r, %c0] : memref<64x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%r, %c16] : memref<64x64xf32> -> !tile.tile<16x32xf32>
      %e = tile.exp %x : !tile.tile<16x32xf32>
      %s1 = tile.add %e, %y : !tile.tile<16x32xf32>
      %s2 = tile.mul %s1, %y : !tile.tile<16x32xf32>
      %s3 = tile.sub %s2, %y : !tile.tile<16x32xf32>
      %s4 = tile.div %s3, %y : !tile.tile<16x32xf32>
      %s5 = tile.max %s4, %y : !tile.tile<16x32xf32>
      %s6 = tile.min %s5, %y : !tile.tile<16x32xf32>
      %t1 = tile.adds %s6, %one : !tile.tile<16x32xf32>
      %t2 = tile.muls %t1, %half : !tile.tile<16x32xf32>
      %t3 = tile.subs %t2, %three : !tile.tile<16x32xf32>
      %t4 = tile.divs %t3, %four : !tile.tile<16x32xf32>
      %t5 = tile.maxs %t4, %one : !tile.tile<16x32xf32>
      %t6 = tile.mins %t5, %four : !tile.tile<16x32xf32>
      %t7 = tile.rdivs %t6, %one : !tile.tile<16x32xf32>
      %t8 = tile.rsubs %t7, %two : !tile.tile<16x32xf32>
      %u1 = tile.neg %t8 : !tile.tile<16x32xf32>
      %u2 = tile.abs %u1 : !tile.tile<16x32xf32>
      %u3 = tile.sqrt %u2 : !tile.tile<16x32xf32>
      %u4 = tile.rsqrt %u3 : !tile.tile<16x32xf32>
      %u5 = tile.recip %u4 : !tile.tile<16x32xf32>
      %rs = tile.row_sum %u5 : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %rm = tile.row_max %u5 : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %m = tile.add %rs, %rm : !tile.tile<16x1xf32>
      %w = tile.row_expand_mul %u5, %rs : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %col = tile.load %a[%c0, %c0] : memref<64x64xf32> -> !tile.tile<1x32xf32>
      %w2 = tile.col_expand_mul %w, %col : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
      %ev = tile.gather %w2 p0101 : !tile.tile<16x32xf32> -> !tile.tile<16x16xf32>
      %od = tile.gather %w2 p1010 : !tile.tile<16x32xf32> -> !tile.tile<16x16xf32>
      %i1 = tile.scatter %od into %w2 p0101 : !tile.tile<16x16xf32> -> !tile.tile<16x32xf32>
      %sc = tile.scatter %ev into %i1 p1010 : !tile.tile<16x16xf32> -> !tile.tile<16x32xf32>
      %fin = tile.row_expand_mul %sc, %m : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      tile.store %fin, %o[%r, %c0] : !tile.tile<16x32xf32>, memref<64x64xf32>
    }
  }
  return
}

// -----

// Row reductions of fewer rows than a column vector's 32-byte block: PTO-ISA
// wants as many layout rows on both sides. f32 column vectors pad to 8 rows.
// - 1 row: the 1x1 result (8 x 4 = 32 B, column major) is reduced through a
//   1 x 8 row-major view of the same bytes.
// - 4 rows: the 4x1 result pads to 8 rows; the 4 x 32 source is viewed as
//   8 x 32 with 4 valid rows (8 x 32 x 4 = 1024 B from its offset, inside UB).
// CHECK-LABEL: __global__ AICORE void short_reductions_s0(
// CHECK: Tile<TileType::Vec, float, 8, 1, BLayout::ColMajor, 1, 1> [[S1:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 1, 32, BLayout::RowMajor, 1, 32> [[TMP1:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 1, 8, BLayout::RowMajor, 1, 1> [[V1:v[0-9]+]] =
// CHECK: TROWSUM([[V1]], {{v[0-9]+}}, [[TMP1]]);
// CHECK: Tile<TileType::Vec, float, 8, 1, BLayout::ColMajor, 4, 1> [[S4:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 4, 32> [[V4:v[0-9]+]] =
// CHECK: TROWMAX([[S4]], [[V4]], {{v[0-9]+}});
func.func @short_reductions(%a: memref<8x32xf32>, %o: memref<8x1xf32>, %p: memref<1x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      %s = tile.row_sum %x : !tile.tile<1x32xf32> -> !tile.tile<1x1xf32>
      tile.store %s, %p[%c0, %c0] : !tile.tile<1x1xf32>, memref<1x1xf32>
      %y = tile.load %a[%c0, %c0] : memref<8x32xf32> -> !tile.tile<4x32xf32>
      %m = tile.row_max %y : !tile.tile<4x32xf32> -> !tile.tile<4x1xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<4x1xf32>, memref<8x1xf32>
    }
  }
  return
}

// -----

// Casts: Tessel's `none` is exact for widenings (CAST_NONE) and rint for a
// lossy conversion (PTO-ISA's CAST_NONE truncates float -> int: CAST_RINT
// here); float -> int saturates, float -> float overflows to inf. i32 ->
// f16 with `round` goes through f32 over the source tile (a2a3 rounds that
// conversion to nearest only).
// CHECK-LABEL: __global__ AICORE void casts_s0(
// CHECK: TCVT({{.*}}, RoundMode::CAST_NONE, SaturationMode::OFF);
// CHECK: TCVT({{.*}}, RoundMode::CAST_RINT, SaturationMode::OFF);
// CHECK: TCVT({{.*}}, RoundMode::CAST_TRUNC, SaturationMode::ON);
// CHECK: TCVT({{.*}}, RoundMode::CAST_ROUND, SaturationMode::OFF);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TCVT({{.*}}, RoundMode::CAST_ROUND, SaturationMode::OFF);
// CHECK: TCVT({{.*}}, RoundMode::CAST_TRUNC, SaturationMode::ON);
func.func @casts(%a: memref<16x64xbf16>, %o: memref<16x64xi8>, %p: memref<16x64xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %f = tile.cast %x none : !tile.tile<16x64xbf16> -> !tile.tile<16x64xf32>
      %g = tile.cast %f none : !tile.tile<16x64xf32> -> !tile.tile<16x64xbf16>
      tile.store %g, %p[%c0, %c0] : !tile.tile<16x64xbf16>, memref<16x64xbf16>
      %i = tile.cast %f trunc : !tile.tile<16x64xf32> -> !tile.tile<16x64xi32>
      %h = tile.cast %i round : !tile.tile<16x64xi32> -> !tile.tile<16x64xf16>
      %q = tile.cast %h trunc : !tile.tile<16x64xf16> -> !tile.tile<16x64xi8>
      tile.store %q, %o[%c0, %c0] : !tile.tile<16x64xi8>, memref<16x64xi8>
    }
  }
  return
}

// -----

// Cube: a K loop accumulating into a zero L0C tile. Loads to L1 (NZ Mat
// tiles), operands moved to L0A / L0B at offset 0 (TMOV, MTE1), the
// reserved MTE1 -> M hand-off (event 7), TMATMUL in the first iteration and
// TMATMUL_ACC after (the four-operand form, in place: cOut = cIn = C),
// the result stored from L0C on FIX. 8 tokens pad to a
// 16-row fractal: TileLeft<bfloat16_t, 16, 64, 8, 64>.
// CHECK-LABEL: __global__ AICORE void cube_k_loop_s0_mm(
// CHECK: Tile<TileType::Mat, bfloat16_t, 16, 64, BLayout::ColMajor, 8, 64, SLayout::RowMajor>
// CHECK: TLOAD(
// CHECK: TileLeft<bfloat16_t, 16, 64, 8, 64> [[L:v[0-9]+]] =
// CHECK: TMOV([[L]],
// CHECK: TileRight<bfloat16_t, 64, 32, 64, 32> [[R:v[0-9]+]] =
// CHECK: TMOV([[R]],
// CHECK: set_flag(PIPE_MTE1, PIPE_M, EVENT_ID7);
// CHECK-NEXT: wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID7);
// CHECK: TileAcc<float, 16, 32, 8, 32> [[C:v[0-9]+]] =
// CHECK: if ({{.*}}) {
// CHECK-NEXT: TMATMUL([[C]], [[L]], [[R]]);
// CHECK-NEXT: } else {
// CHECK-NEXT: TMATMUL_ACC([[C]], [[C]], [[L]], [[R]]);
// CHECK: set_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
// CHECK: wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
// CHECK: TSTORE(
func.func @cube_k_loop(%a: memref<8x256xbf16>, %w: memref<256x128xbf16>, %o: memref<8x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  tile.spmd 4 name("mm") (%b) {
    tile.at cube {
      %col = arith.muli %b, %c32 : index
      %z = tile.full 0.0 : !tile.tile<8x32xf32>
      %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%c = %z) -> (!tile.tile<8x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %kk] : memref<8x256xbf16> -> !tile.tile<8x64xbf16>
        %y = tile.load %w[%kk, %col] : memref<256x128xbf16> -> !tile.tile<64x32xbf16>
        %m = tile.matmul_acc %c, %x, %y : !tile.tile<8x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<8x32xf32>
        scf.yield %m : !tile.tile<8x32xf32>
      }
      tile.store %acc, %o[%c0, %col] : !tile.tile<8x32xf32>, memref<8x128xf32>
    }
  }
  return
}
