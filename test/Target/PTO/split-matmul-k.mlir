// A matmul split along K (tile-split-matmul-k, part of -tile-pto-pipeline)
// in the emitted Ascend C source, and a compile of it against the reference
// (runtime/pto).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// gate.py's product: x [16, 2048] f32 times w.T, w stored [16, 2048]. Each
// operand is 16 * 2048 * 4 = 131072 bytes, twice L0A / L0B (65536): 2 steps
// of K = 1024, each window 65536 bytes at offset 0 of L0A / L0B. Both
// operands stay whole in L1 (lhs at 0, rhs at 0x20000 = 131072). Step 0:
// TEXTRACT the lhs columns [0, 1024) into TileLeft<float, 16, 1024> and
// the rhs K rows [0, 1024) into TileRight<float, 1024, 16> through the ZN
// view of w's L1 bytes (Mat 2048 x 16, SLayout::ColMajor), then TMATMUL
// once MTE1 is done (MTE1 -> M, from tile-insert-sync: no intra-op event 7
// hand-off at a matmul of windows). Step 1 waits for the cube to have read
// L0A / L0B (M -> MTE1), TEXTRACTs at K = 1024 (column 1024 of x, row 1024
// of the ZN view) and accumulates with TMATMUL_ACC into the same TileAcc.
// CHECK-LABEL: __global__ AICORE void gate_s0_gate(
// CHECK-DAG: size_t [[Z:v[0-9]+]] = 0;
// CHECK-DAG: size_t [[K1:v[0-9]+]] = 1024;
// CHECK: Tile<TileType::Mat, float, 16, 2048, BLayout::ColMajor, 16, 2048, SLayout::RowMajor> [[X:v[0-9]+]] =
// CHECK: TASSIGN([[X]], 0x0);
// CHECK: TileLeft<float, 16, 1024, 16, 1024> [[L0:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[L0]], 0x0);
// CHECK-NEXT: TEXTRACT([[L0]], [[X]], [[Z]], [[Z]]);
// CHECK: TileRight<float, 1024, 16, 1024, 16> [[R0:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[R0]], 0x0);
// CHECK-NEXT: Tile<TileType::Mat, float, 2048, 16, BLayout::RowMajor, 2048, 16, SLayout::ColMajor> [[WT:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[WT]], 0x20000);
// CHECK-NEXT: TEXTRACT([[R0]], [[WT]], [[Z]], [[Z]]);
// CHECK: set_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
// CHECK: wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
// CHECK-NOT: EVENT_ID7
// CHECK: TileAcc<float, 16, 16, 16, 16> [[C:v[0-9]+]] =
// CHECK: TMATMUL([[C]], [[L0]], [[R0]]);
// CHECK: set_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
// CHECK: wait_flag(PIPE_M, PIPE_MTE1, EVENT_ID0);
// CHECK: TileLeft<float, 16, 1024, 16, 1024> [[L1:v[0-9]+]] =
// CHECK: TEXTRACT([[L1]], [[X]], [[Z]], [[K1]]);
// CHECK: TileRight<float, 1024, 16, 1024, 16> [[R1:v[0-9]+]] =
// CHECK: TEXTRACT([[R1]], {{v[0-9]+}}, [[K1]], [[Z]]);
// CHECK: set_flag(PIPE_MTE1, PIPE_M,
// CHECK: wait_flag(PIPE_MTE1, PIPE_M,
// CHECK: TMATMUL_ACC({{v[0-9]+}}, {{v[0-9]+}}, [[L1]], [[R1]]);
// CHECK-NOT: TMATMUL
// CHECK: TSTORE(
func.func @gate(%x: memref<16x2048xf32>, %w: memref<16x2048xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("gate") (%b) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<16x2048xf32> -> !tile.tile<16x2048xf32>
      %y = tile.load %w[%c0, %c0] : memref<16x2048xf32> -> !tile.tile<16x2048xf32>
      %m = tile.matmul %a, %y b_trans : !tile.tile<16x2048xf32>, !tile.tile<16x2048xf32> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// a_trans bf16: the lhs stored [K, M] = [4096, 16] multiplies as [16, 4096]
// (131072 bytes): 2 steps of 2048. Its windows are K rows of the stored
// tile; the TEXTRACT reads them through the ZN view (Mat 16 x 4096), where
// they are K columns: row and column swap (0, 2048).
// CHECK-LABEL: __global__ AICORE void a_trans_s0_mm(
// CHECK-DAG: size_t [[Z:v[0-9]+]] = 0;
// CHECK-DAG: size_t [[K1:v[0-9]+]] = 2048;
// CHECK: TileLeft<bfloat16_t, 16, 2048, 16, 2048> [[L0:v[0-9]+]] =
// CHECK: Tile<TileType::Mat, bfloat16_t, 16, 4096, BLayout::RowMajor, 16, 4096, SLayout::ColMajor> [[AT:v[0-9]+]] =
// CHECK: TEXTRACT([[L0]], [[AT]], [[Z]], [[Z]]);
// CHECK: TMATMUL(
// CHECK: TileLeft<bfloat16_t, 16, 2048, 16, 2048> [[L1:v[0-9]+]] =
// CHECK: TEXTRACT([[L1]], {{v[0-9]+}}, [[Z]], [[K1]]);
// CHECK: TMATMUL_ACC(
func.func @a_trans(%x: memref<4096x16xbf16>, %w: memref<4096x16xbf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %a = tile.load %x[%c0, %c0] : memref<4096x16xbf16> -> !tile.tile<4096x16xbf16>
      %y = tile.load %w[%c0, %c0] : memref<4096x16xbf16> -> !tile.tile<4096x16xbf16>
      %m = tile.matmul %a, %y a_trans : !tile.tile<4096x16xbf16>, !tile.tile<4096x16xbf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
