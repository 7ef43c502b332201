// tile.reinterpret_view on the NPU: the same bytes read as another element
// type. An 8 x 16 f32 tile read as i32 where it dies is placed on its own
// bytes (one width: the same 8 rows of 16 * 4 = 64 bytes) and becomes a
// second tile object at its address, no instruction: the TANDS that clears
// the sign bits (0x7fffffff, |x| bit for bit) reads it. Read as f16 (8 x
// 32, rows of 32 * 2 = 64 bytes: the same layout, another width) the
// result has its own storage: TMOV from an f16 view of the source's bytes.
// A column vector (16 x 1 f32, stored column major, 16 * 4 = 64 bytes)
// that lives on (it is stored after the reinterpretation) is copied
// through the 1 x 16 row views of both. The emitted source compiles
// against the reference on both targets.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.a5.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.a5.cpp "%pto-cxx -DPTO_REF_TARGET_A5" %}
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" | FileCheck %s --check-prefix=SYNC
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | FileCheck %s --check-prefix=SYNC5

// CHECK-LABEL: __global__ AICORE void reinterpret_s0(
// CHECK: Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16> [[X:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[X]], [[XA:0x[0-9a-f]+]]);
// CHECK: TLOAD([[X]],
// The f16 reading: its own storage, a TMOV from a view of x's bytes.
// CHECK: Tile<TileType::Vec, half, 8, 32, BLayout::RowMajor, 8, 32> [[H:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[H]], [[HA:0x[0-9a-f]+]]);
// CHECK-NEXT: Tile<TileType::Vec, half, 8, 32, BLayout::RowMajor, 8, 32> [[HV:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[HV]], [[XA]]);
// CHECK-NEXT: TMOV([[H]], [[HV]]);
// The i32 reading where x dies: the same address, no instruction.
// CHECK-NOT: TMOV
// CHECK: Tile<TileType::Vec, int32_t, 8, 16, BLayout::RowMajor, 8, 16> [[B:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[B]], [[XA]]);
// CHECK-NOT: TMOV
// CHECK: TANDS({{v[0-9]+}}, [[B]], static_cast<int32_t>(2147483647));
func.func @reinterpret(%a: memref<8x16xf32>, %o: memref<8x16xi32>, %h: memref<8x32xf16>) {
  %c0 = arith.constant 0 : index
  %m = arith.constant 2147483647 : i32
  tile.spmd 1 (%blk) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x16xf32> -> !tile.tile<8x16xf32>
      %f = tile.reinterpret_view %x : !tile.tile<8x16xf32> -> !tile.tile<8x32xf16>
      tile.store %f, %h[%c0, %c0] : !tile.tile<8x32xf16>, memref<8x32xf16>
      %b = tile.reinterpret_view %x : !tile.tile<8x16xf32> -> !tile.tile<8x16xi32>
      %y = tile.ands %b, %m : !tile.tile<8x16xi32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<8x16xi32>, memref<8x16xi32>
    }
  }
  return
}

// -----

// CHECK-LABEL: __global__ AICORE void column_s0(
// CHECK: Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1> [[C:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[C]], [[CA:0x[0-9a-f]+]]);
// CHECK: Tile<TileType::Vec, int32_t, 16, 1, BLayout::ColMajor, 16, 1> [[R:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[R]], [[RA:0x[0-9a-f]+]]);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 1, 16, BLayout::RowMajor, 1, 16> [[CV:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[CV]], [[CA]]);
// CHECK-NEXT: Tile<TileType::Vec, int32_t, 1, 16, BLayout::RowMajor, 1, 16> [[RV:v[0-9]+]] =
// CHECK-NEXT: TASSIGN([[RV]], [[RA]]);
// CHECK-NEXT: TMOV([[RV]], [[CV]]);
func.func @column(%a: memref<16x1xf32>, %o: memref<16x1xi32>, %p: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%blk) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %b = tile.reinterpret_view %x : !tile.tile<16x1xf32> -> !tile.tile<16x1xi32>
      %n = tile.not %b : !tile.tile<16x1xi32>
      tile.store %n, %o[%c0, %c0] : !tile.tile<16x1xi32>, memref<16x1xi32>
      tile.store %x, %p[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// a2a3's TFILLPAD of i8 sets and waits for (PIPE_V, PIPE_S, EVENT_ID0)
// inside itself: the kernel's own V -> S flag around it (the add's result
// read by tile.get after the fill) takes EVENT_ID1 there; on a5 (no such
// hand-off) it takes EVENT_ID0.
// SYNC-LABEL: func.func @fill_i8_between_v_and_s
// SYNC: tile.add
// SYNC-NEXT: tile.set_flag v -> s, 1
// SYNC: tile.fillpad
// SYNC: tile.wait_flag v -> s, 1
// SYNC-NEXT: tile.get
// SYNC5-LABEL: func.func @fill_i8_between_v_and_s
// SYNC5: tile.add
// SYNC5-NEXT: tile.set_flag v -> s, 0
// SYNC5: tile.wait_flag v -> s, 0
// SYNC5-NEXT: tile.get
// CHECK-LABEL: __global__ AICORE void fill_i8_between_v_and_s_s0(
// CHECK: TADD(
// CHECK-NEXT: TESSEL_SYNC(
// CHECK-NEXT: set_flag(PIPE_V, PIPE_S, EVENT_ID1);
// CHECK: TFILLPAD_INPLACE(
// CHECK: wait_flag(PIPE_V, PIPE_S, EVENT_ID1);
func.func @fill_i8_between_v_and_s(%a: memref<8x32xf32>, %q: memref<8x64xi8>, %o: memref<8x64xi8>, %s: memref<1x8xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c40 = arith.constant 40 : index
  tile.spmd 1 (%blk) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      %y = tile.add %x, %x : !tile.tile<8x32xf32>
      %p = tile.load %q[%c0, %c0] valid [%c3, %c40] : memref<8x64xi8> -> !tile.tile<8x64xi8>
      %f = tile.fillpad %p valid [%c3, %c40] max : !tile.tile<8x64xi8>
      tile.store %f, %o[%c0, %c0] : !tile.tile<8x64xi8>, memref<8x64xi8>
      %v = tile.get %y[%c0, %c3] : !tile.tile<8x32xf32>
      %z = tile.load %s[%c0, %c0] : memref<1x8xf32> -> !tile.tile<1x8xf32>
      %e = tile.adds %z, %v : !tile.tile<1x8xf32>
      tile.store %e, %s[%c0, %c0] : !tile.tile<1x8xf32>, memref<1x8xf32>
    }
  }
  return
}
