// Transposed and f32 matmul operands in the emitted Ascend C source, and a
// compile of it against the reference (runtime/pto).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// b_trans, f32 (F.linear's weight layout): w is stored [N, K], so each step
// loads a [32, 64] slice of it into L1 as usual (an NZ Mat tile of 16-row x
// 8-float fractals). The same bytes, read as ZN fractals, are the [64, 32]
// matrix the cube multiplies: a Mat view of 64 x 32 (BLayout::RowMajor,
// SLayout::ColMajor) at the same L1 offset feeds the TMOV into
// TileRight<float, 64, 32>. K = 64 is a multiple of 8 (32 bytes of f32) and
// N = 32 of 16, so the stored tile and the Right tile pad alike. The loop
// is double-buffered: the view takes the slot's offset, as the load did.
// CHECK-LABEL: __global__ AICORE void linear_f32_s0_mm(
// CHECK: Tile<TileType::Mat, float, 16, 64, BLayout::ColMajor, 16, 64, SLayout::RowMajor> [[X:v[0-9]+]] =
// CHECK: Tile<TileType::Mat, float, 32, 64, BLayout::ColMajor, 32, 64, SLayout::RowMajor> [[W:v[0-9]+]] =
// CHECK: size_t [[WOFF:v[0-9]+]] = [[SLOT:v[0-9]+]] * [[SLOTB:v[0-9]+]];
// CHECK-NEXT: TASSIGN([[W]], [[WOFF]]);
// CHECK: TileLeft<float, 16, 64, 16, 64> [[L:v[0-9]+]] =
// CHECK: TMOV([[L]], [[X]]);
// CHECK: TileRight<float, 64, 32, 64, 32> [[R:v[0-9]+]] =
// CHECK: Tile<TileType::Mat, float, 64, 32, BLayout::RowMajor, 64, 32, SLayout::ColMajor> [[WT:v[0-9]+]] =
// CHECK-NEXT: size_t [[WOFF2:v[0-9]+]] = [[SLOT]] * [[SLOTB]];
// CHECK-NEXT: TASSIGN([[WT]], [[WOFF2]]);
// CHECK: TMOV([[R]], [[WT]]);
// CHECK: TMATMUL_ACC(
func.func @linear_f32(%x: memref<16x128xf32>, %w: memref<64x128xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  tile.spmd 2 name("mm") (%b) {
    tile.at cube {
      %col = arith.muli %b, %c32 : index
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      %acc = scf.for %k = %c0 to %c2 step %c1 iter_args(%c = %z) -> (!tile.tile<16x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %a = tile.load %x[%c0, %kk] : memref<16x128xf32> -> !tile.tile<16x64xf32>
        %y = tile.load %w[%col, %kk] : memref<64x128xf32> -> !tile.tile<32x64xf32>
        %m = tile.matmul_acc %c, %a, %y b_trans : !tile.tile<16x64xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
        scf.yield %m : !tile.tile<16x32xf32>
      }
      tile.store %acc, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// a_trans, bf16: the lhs is stored [K, M] = [64, 16]; L1 holds it as NZ
// 64 x 16, which read as ZN is the [16, 64] matrix TileLeft<bfloat16_t, 16,
// 64> receives.
// CHECK-LABEL: __global__ AICORE void a_trans_bf16_s0_mm(
// CHECK: Tile<TileType::Mat, bfloat16_t, 64, 16, BLayout::ColMajor, 64, 16, SLayout::RowMajor> [[A:v[0-9]+]] =
// CHECK: TASSIGN([[A]], [[AOFF:0x[0-9a-f]+]]);
// CHECK: TileLeft<bfloat16_t, 16, 64, 16, 64> [[L:v[0-9]+]] =
// CHECK: Tile<TileType::Mat, bfloat16_t, 16, 64, BLayout::RowMajor, 16, 64, SLayout::ColMajor> [[AT:v[0-9]+]] =
// CHECK: TASSIGN([[AT]], [[AOFF]]);
// CHECK: TMOV([[L]], [[AT]]);
// CHECK: TileRight<bfloat16_t, 64, 32, 64, 32> [[R:v[0-9]+]] =
// CHECK: TMATMUL(
func.func @a_trans_bf16(%a: memref<64x16xbf16>, %w: memref<64x32xbf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<64x16xbf16>
      %y = tile.load %w[%c0, %c0] : memref<64x32xbf16> -> !tile.tile<64x32xbf16>
      %m = tile.matmul %x, %y a_trans : !tile.tile<64x16xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
