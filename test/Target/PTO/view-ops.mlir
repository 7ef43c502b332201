// The ops of TileViewOps.td and TileMathOps.td with a PTO-ISA instruction:
// tile.extract / tile.insert are the Vec -> Vec TEXTRACT / TINSERT,
// tile.arange TCI, tile.log TLOG, tile.rem / tile.rems TREM / TREMS, and the
// broadcasts TROWEXPAND<OP> / TCOLEXPAND<OP> / TROWEXPAND / TCOLEXPAND (no
// decomposition through a ones tile). The emitted sources compile against
// the reference for both targets.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" | tessel-translate --tile-to-pto -split-input-file | FileCheck %s --check-prefixes=CHECK,A2A3
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | tessel-translate --tile-to-pto -split-input-file | FileCheck %s --check-prefixes=CHECK,A5
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.a2a3.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.a2a3.cpp "%pto-cxx" %}
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a5" | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.a5.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.a5.cpp "%pto-cxx -DPTO_REF_TARGET_A5" %}

// Windows of f32 tiles: column 16 is 64 bytes in (a whole number of 32-byte
// blocks, as a2a3 needs). The insert into %x is placed on %x's bytes (%x
// dies there): one TINSERT. The insert into %y keeps %y alive (stored
// after it): the result is a copy (TMOV), then the window (TINSERT). A
// column vector's rows 8..16 are its row view's columns 8..16.
// CHECK-LABEL: __global__ AICORE void windows_s0_vec(
// CHECK: TEXTRACT([[W:v[0-9]+]], [[X:v[0-9]+]], [[C8:v[0-9]+]], [[C16:v[0-9]+]]);
// CHECK-NOT: TMOV(
// CHECK: TINSERT({{v[0-9]+}}, [[W]], {{v[0-9]+}}, [[C16]]);
// CHECK: TMOV([[R:v[0-9]+]], [[Y:v[0-9]+]]);
// CHECK-NEXT: pipe_barrier(PIPE_V);
// CHECK-NEXT: TINSERT([[R]], [[W]], [[C8]], [[C16]]);
// CHECK: Tile<TileType::Vec, float, 1, 8, BLayout::RowMajor, 1, 8> [[CV:v[0-9]+]] =
// CHECK: Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16> [[COL:v[0-9]+]] =
// CHECK: TEXTRACT([[CV]], [[COL]], {{v[0-9]+}}, [[C8]]);
func.func @windows(%a: memref<16x64xf32>, %c: memref<16x1xf32>, %o: memref<16x64xf32>, %oc: memref<8x1xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %w = tile.extract %x[%c8, %c16] : !tile.tile<16x32xf32> -> !tile.tile<8x16xf32>
      %i = tile.insert %w into %x[%c0, %c16] : !tile.tile<8x16xf32> into !tile.tile<16x32xf32>
      tile.store %i, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      %j = tile.insert %w into %y[%c8, %c16] : !tile.tile<8x16xf32> into !tile.tile<16x32xf32>
      tile.store %j, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      %col = tile.load %c[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %half = tile.extract %col[%c8, %c0] : !tile.tile<16x1xf32> -> !tile.tile<8x1xf32>
      tile.store %half, %oc[%c0, %c0] : !tile.tile<8x1xf32>, memref<8x1xf32>
    }
  }
  return
}

// -----

// A runtime column k * 16 (k the loop variable: multiples of 16 elements,
// 64 bytes) is provably aligned.
// CHECK-LABEL: __global__ AICORE void runtime_window_s0_vec(
// CHECK: for (size_t [[K:[a-z0-9]+]] =
// CHECK: TEXTRACT({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
func.func @runtime_window(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      scf.for %k = %c0 to %c4 step %c1 {
        %col = arith.muli %k, %c16 : index
        %w = tile.extract %x[%c0, %col] : !tile.tile<16x64xf32> -> !tile.tile<16x16xf32>
        tile.store %w, %o[%c0, %col] : !tile.tile<16x16xf32>, memref<16x64xf32>
      }
    }
  }
  return
}

// -----

// TREM's a2a3 tmp is one row of Cp + 2 * ceil(Cp / 64) = 32 + 2 = 34
// elements, rounded up to a 32-byte row: 40 (160 bytes); TREMS's has the
// destination's type. a5 ignores tmp: the destination is passed.
// rems by -2.5 = -0x1.4p+1.
// CHECK-LABEL: __global__ AICORE void log_rem_s0_vec(
// CHECK: TLOG([[L:v[0-9]+]], {{v[0-9]+}});
// A2A3: Tile<TileType::Vec, float, 1, 40, BLayout::RowMajor, 1, 40> [[T:v[0-9]+]] =
// A2A3: TREM([[M:v[0-9]+]], [[L]], {{v[0-9]+}}, [[T]]);
// A5: TREM([[M:v[0-9]+]], [[L]], {{v[0-9]+}}, [[M]]);
// A2A3: TASSIGN([[N:v[0-9]+]], {{0x[0-9a-f]+}});
// A2A3-NEXT: Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> [[T2:v[0-9]+]] =
// A2A3-NEXT: TASSIGN([[T2]], {{0x[0-9a-f]+}});
// A2A3-NEXT: TREMS([[N]], [[M]], -0x1.4p+1f, [[T2]]);
// A5: TREMS([[N:v[0-9]+]], [[M]], -0x1.4p+1f, [[N]]);
func.func @log_rem(%a: memref<16x64xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %s = arith.constant -2.5 : f32
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %l = tile.log %x : !tile.tile<16x32xf32>
      %m = tile.rem %l, %y : !tile.tile<16x32xf32>
      %n = tile.rems %m, %s : !tile.tile<16x32xf32>
      tile.store %n, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A 2x24 i32 arange: 24 * 4 = 96 bytes fill 3 blocks, so the tile is one
// 48-element row. a2a3 emits TCI's vectorised form (its tmp: 192 f32, 768
// bytes), except in pto-isa's CPU simulation, which has only the form
// without tmp; a5 emits that form (vci).
// CHECK-LABEL: __global__ AICORE void arange_s0_vec(
// CHECK: Tile<TileType::Vec, int32_t, 1, 48, BLayout::RowMajor, 1, 48> [[R:v[0-9]+]] =
// A2A3: Tile<TileType::Vec, float, 1, 192, BLayout::RowMajor, 1, 192> [[T:v[0-9]+]] =
// A2A3: #if defined(__CPU_SIM)
// A2A3-NEXT: TCI<Tile<TileType::Vec, int32_t, 1, 48, BLayout::RowMajor, 1, 48>, int32_t, 0>([[R]], static_cast<int32_t>(-5));
// A2A3-NEXT: #else
// A2A3-NEXT: TCI<Tile<TileType::Vec, int32_t, 1, 48, BLayout::RowMajor, 1, 48>, Tile<TileType::Vec, float, 1, 192, BLayout::RowMajor, 1, 192>, int32_t, 0>([[R]], static_cast<int32_t>(-5), [[T]]);
// A2A3-NEXT: #endif
// A5-NOT: #if defined(__CPU_SIM)
// A5: TCI<Tile<TileType::Vec, int32_t, 1, 48, BLayout::RowMajor, 1, 48>, int32_t, 0>([[R]], static_cast<int32_t>(-5));
func.func @arange(%o: memref<2x24xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %i = tile.arange -5 : !tile.tile<2x24xi32>
      tile.store %i, %o[%c0, %c0] : !tile.tile<2x24xi32>, memref<2x24xi32>
    }
  }
  return
}

// -----

// The broadcasts are their own instructions: the per-row scale is the
// column vector, the per-column one the 1 x 32 row.
// CHECK-LABEL: __global__ AICORE void broadcasts_s0_vec(
// CHECK-NOT: TEXPANDS
// CHECK: TROWEXPANDSUB({{v[0-9]+}}, {{v[0-9]+}}, [[RV:v[0-9]+]]);
// CHECK: TROWEXPANDEXPDIF(
// CHECK: TCOLEXPANDDIV({{v[0-9]+}}, {{v[0-9]+}}, [[CV:v[0-9]+]]);
// CHECK: TCOLEXPANDMAX(
// CHECK: TROWEXPAND({{v[0-9]+}}, [[RV]]);
// CHECK: TCOLEXPAND({{v[0-9]+}}, [[CV]]);
func.func @broadcasts(%a: memref<16x32xf32>, %r: memref<16x1xf32>, %c: memref<1x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %rv = tile.load %r[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %cv = tile.load %c[%c0, %c0] : memref<1x32xf32> -> !tile.tile<1x32xf32>
      %s = tile.row_expand_sub %x, %rv : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %e = tile.row_expand_expdif %s, %rv : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %d = tile.col_expand_div %e, %cv : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
      %m = tile.col_expand_max %d, %cv : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
      %br = tile.row_expand %rv : !tile.tile<16x1xf32> -> !tile.tile<16x32xf32>
      %bc = tile.col_expand %cv : !tile.tile<1x32xf32> -> !tile.tile<16x32xf32>
      %t = tile.add %m, %br : !tile.tile<16x32xf32>
      %u = tile.add %t, %bc : !tile.tile<16x32xf32>
      tile.store %u, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
