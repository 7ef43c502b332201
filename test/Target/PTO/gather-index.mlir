// tile.gather_index on the NPU: PTO-ISA's TGATHER reads flat element
// offsets of its source (an offset outside it is target-defined), Tessel's
// index is a column of the row and one outside [0, N) reads 0. The op's
// scratch holds a zero-bordered copy of the 4 x 20 f32 input: (4 + 1) x
// Cz with Cz = alignTo(20 + 1, 8) = 24, row 0 zero and input row r in row
// r + 1 (TEXPANDS 0, then TINSERT at (1, 0)): 5 * 24 * 4 = 480 bytes, the
// offsets (4 x 8 i32, 128 bytes) at scratch byte 480, the row bases (a
// column vector of 4 i32 padded to 8: 32 bytes) at 608. The index clamped
// into [-1, 20] (TMAXS, TMINS) plus (r + 1) * 24 (TCI from 1, TMULS 24,
// TROWEXPANDADD) is an input element or a zero: index -1 of row 0 is
// offset 23 (row 0, zero), index 20 of row 3 is offset 4 * 24 + 20 = 116
// (the zero after input row 3). a2a3 adds TCI's tmp (768 bytes at 640)
// and TGATHER's (4 x 8 i32 at 1408); a5 ignores both (the offsets tile is
// passed). The emitted source compiles against the reference on both
// targets. The errors are in test/Transforms/catalog-ops-npu.mlir.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | tessel-translate --tile-to-pto -split-input-file | FileCheck %s --check-prefix=A5
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.a5.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.a5.cpp "%pto-cxx -DPTO_REF_TARGET_A5" %}

// CHECK-LABEL: __global__ AICORE void gather_s0(
// CHECK: Tile<TileType::Vec, float, 4, 24, BLayout::RowMajor, 4, 20> [[X:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, int32_t, 4, 8, BLayout::RowMajor, 4, 8> [[I:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 4, 8, BLayout::RowMajor, 4, 8> [[D:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[D]],
// CHECK-NEXT: Tile<TileType::Vec, float, 5, 24, BLayout::RowMajor, 5, 24> [[S:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[S]], [[SA:0x[0-9a-f]+]]);
// CHECK-NEXT: TEXPANDS([[S]], 0x0p+0f);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TINSERT([[S]], [[X]], 1, 0);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 4, 8, BLayout::RowMajor, 4, 8> [[O:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[O]],
// CHECK-NEXT: TMAXS([[O]], [[I]], static_cast<int32_t>(-1));
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TMINS([[O]], [[O]], static_cast<int32_t>(20));
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 1, 8, BLayout::RowMajor, 1, 4> [[BR:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[BR]],
// CHECK: #if defined(__CPU_SIM)
// CHECK-NEXT: TCI<Tile<TileType::Vec, int32_t, 1, 8, BLayout::RowMajor, 1, 4>, int32_t, 0>([[BR]], static_cast<int32_t>(1));
// CHECK-NEXT: #else
// CHECK-NEXT: TCI<{{.*}}>([[BR]], static_cast<int32_t>(1), {{v[0-9]+}});
// CHECK-NEXT: #endif
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TMULS([[BR]], [[BR]], static_cast<int32_t>(24));
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 8, 1, BLayout::ColMajor, 4, 1> [[B:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[B]],
// CHECK-NEXT: TROWEXPANDADD([[O]], [[O]], [[B]]);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 4, 8, BLayout::RowMajor, 4, 8> [[T:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[T]],
// CHECK-NEXT: TGATHER([[D]], [[S]], [[O]], [[T]]);
// A5-LABEL: __global__ AICORE void gather_s0(
// A5: TCI<Tile<TileType::Vec, int32_t, 1, 8, BLayout::RowMajor, 1, 4>, int32_t, 0>({{v[0-9]+}}, static_cast<int32_t>(1));
// A5-NOT: #if
// A5: TGATHER([[D:v[0-9]+]], [[S:v[0-9]+]], [[O:v[0-9]+]], [[O]]);
func.func @gather(%a: memref<4x20xf32>, %i: memref<4x8xi32>, %o: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%blk) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<4x20xf32> -> !tile.tile<4x20xf32>
      %j = tile.load %i[%c0, %c0] : memref<4x8xi32> -> !tile.tile<4x8xi32>
      %g = tile.gather_index %x, %j : !tile.tile<4x20xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x8xf32>
      tile.store %g, %o[%c0, %c0] : !tile.tile<4x8xf32>, memref<4x8xf32>
    }
  }
  return
}

