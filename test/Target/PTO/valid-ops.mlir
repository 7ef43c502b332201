// Partial tiles on the NPU: a tile.load / tile.store with `valid [r, c]`
// moves only the valid region, through a PTO-ISA Tile whose RowValid /
// ColValid are the constants or -1 (DYNAMIC, given to its constructor) and
// a GlobalTensor whose Shape has the same extents (-1 dimensions built at
// run time). A partial load's padding is zero: TLOAD, then the MTE2 -> V
// hand-off on the event id kept for it (7), then TFILLPAD_INPLACE into the
// whole tile with PadValue::Zero. tile.fillpad is TFILLPAD (TFILLPAD_INPLACE
// when placed on its source) into a tile whose PadVal is the pad value. A
// column vector moves as itself (column major, DN) and is padded through
// its 1 x R row view. A masked atomic add is the AtomicAdd TSTORE of the
// valid-shape view. The emitted source compiles against the reference.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// 5 of 8 rows and %n of 64 columns of a window at row 32 of a 40 x 64
// tensor: the rows 37..39 it does not read are its padding.
// CHECK-LABEL: __global__ AICORE void partial_load_fillpad_store_s0(
// CHECK: Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 5, -1> [[VIEW:v[0-9]+]] = Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 5, -1>([[N:v[0-9]+]]);
// CHECK: Shape<1, 1, 1, 5, -1> [[SHAPE:v[0-9]+]] = Shape<1, 1, 1, 5, -1>(1, 1, 1, 5, [[N]]);
// CHECK: GlobalTensor<float, Shape<1, 1, 1, 5, -1>, Stride<1, 1, 1, 64, 1>> [[G:v[0-9]+]] = GlobalTensor<float, Shape<1, 1, 1, 5, -1>, Stride<1, 1, 1, 64, 1>>({{v[0-9]+}}, [[SHAPE]]);
// CHECK: TLOAD([[VIEW]], [[G]]);
// CHECK-NEXT: set_flag(PIPE_MTE2, PIPE_V, EVENT_ID7);
// CHECK-NEXT: wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID7);
// CHECK-NEXT: Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Zero> [[Z:v[0-9]+]] =
// CHECK: TFILLPAD_INPLACE([[Z]], [[VIEW]]);
// The fillpad min, placed on the load's bytes (the load dies there).
// CHECK: Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 5, -1> [[SRC:v[0-9]+]] = {{.*}}([[N]]);
// CHECK: Tile<TileType::Vec, float, 8, 64, BLayout::RowMajor, 8, 64, SLayout::NoneBox, 512, PadValue::Min> [[DST:v[0-9]+]] =
// CHECK: TFILLPAD_INPLACE([[DST]], [[SRC]]);
// The store of 8 x %n.
// CHECK: Shape<1, 1, 1, 8, -1> {{v[0-9]+}} = Shape<1, 1, 1, 8, -1>(1, 1, 1, 8, [[N]]);
// CHECK: TSTORE({{v[0-9]+}}, {{v[0-9]+}});
func.func @partial_load_fillpad_store(%a: memref<40x64xf32>, %o: memref<40x64xf32>, %s: memref<1x8xi32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %st = tile.load %s[%c0, %c0] : memref<1x8xi32> -> !tile.tile<1x8xi32>
      %ni = tile.get %st[%c0, %c0] : !tile.tile<1x8xi32>
      %n0 = arith.index_cast %ni : i32 to index
      %c1 = arith.constant 1 : index
      %c64 = arith.constant 64 : index
      %n1 = arith.maxsi %n0, %c1 : index
      %n = arith.minsi %n1, %c64 : index
      %t = tile.load %a[%c32, %c0] valid [5, %n] : memref<40x64xf32> -> !tile.tile<8x64xf32>
      %e = tile.exp %t : !tile.tile<8x64xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<8x64xf32>, memref<40x64xf32>
      %m = tile.fillpad %t valid [5, %n] min : !tile.tile<8x64xf32>
      tile.store %m, %o[%c32, %c0] valid [8, %n] : !tile.tile<8x64xf32>, memref<40x64xf32>
    }
  }
  return
}

// -----

// A partial load whose only use is a fillpad of the same extents: its
// padding is never read, so no zero fill and no hand-off. The fillpad into
// separate storage (the load is used again by the store) is TFILLPAD.
// CHECK-LABEL: __global__ AICORE void fill_only_s0(
// CHECK-NOT: EVENT_ID7
// CHECK-NOT: PadValue::Zero
// CHECK: TFILLPAD({{v[0-9]+}}, {{v[0-9]+}});
// CHECK-NOT: EVENT_ID7
// CHECK-LABEL: void fill_only_cpu(
func.func @fill_only(%a: memref<16x32xi32>, %o: memref<16x32xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] valid [16, 20] : memref<16x32xi32> -> !tile.tile<16x32xi32>
      %m = tile.fillpad %t valid [16, 20] max : !tile.tile<16x32xi32>
      %k = arith.constant 3 : i32
      %s = tile.adds %m, %k : !tile.tile<16x32xi32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x32xi32>, memref<16x32xi32>
      tile.store %t, %o[%c0, %c0] valid [16, 20] : !tile.tile<16x32xi32>, memref<16x32xi32>
    }
  }
  return
}

// -----

// A column vector: 6 of 16 rows; moved as a DN column, padded (zero)
// through its 1 x 16 row view.
// CHECK-LABEL: __global__ AICORE void column_s0(
// CHECK: Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 6, 1> [[C:v[0-9]+]] =
// CHECK: GlobalTensor<float, Shape<1, 1, 1, 6, 1>, Stride<1, 1, 1, 1, 1>, Layout::DN>
// CHECK: TLOAD([[C]],
// CHECK: Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16, SLayout::NoneBox, 512, PadValue::Zero> [[Z:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 6> [[R:v[0-9]+]] =
// CHECK: TFILLPAD_INPLACE([[Z]], [[R]]);
func.func @column(%a: memref<16x1xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] valid [6, 1] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %f = arith.constant 2.0 : f32
      %e = tile.muls %t, %f : !tile.tile<16x1xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// A masked atomic add (pl.assemble(..., atomic=pl.AtomicType.Add) of a
// partial tile): TSTORE's AtomicAdd form of the valid-shape view, 5 of 8
// rows and 20 of 32 columns, so GM outside that 5 x 20 region is not added
// to.
// CHECK-LABEL: __global__ AICORE void masked_atomic_add_s0(
// CHECK: Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 5, 20> [[V:v[0-9]+]] =
// CHECK: TSTORE<Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 5, 20>, GlobalTensor<float, Shape<1, 1, 1, 5, 20>, Stride<1, 1, 1, 32, 1>>, AtomicType::AtomicAdd>({{v[0-9]+}}, [[V]]);
func.func @masked_atomic_add(%a: memref<8x32xf32>, %o: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      tile.store %x, %o[%c0, %c0] valid [5, 20] {atomic_add} : !tile.tile<8x32xf32>, memref<8x32xf32>
    }
  }
  return
}
