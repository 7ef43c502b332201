// RUN: tessel-opt %s -split-input-file -tile-place-buffers -verify-diagnostics | FileCheck %s

// PyPTO's gather into L1 (pl.create_l1 / pl.gather_row, built by the
// frontend as tile.full + tile.load into L1 + tile.insert): the
// accumulator, each gathered row and each insert are placed in L1, and the
// loop carries the accumulator in L1.
//
// Sizes: the accumulator 16 x 32 bf16 = 1024 bytes, a gathered row
// 1 x 32 bf16 = 64 bytes, the Q tile 16 x 32 bf16 = 1024 bytes, the
// scores 16 x 16 f32 = 1024 bytes in L0C.

// CHECK-LABEL: func.func @gather_rows
// CHECK: tile.full {{.*}}place = #tile.place<l1, [[ACC:[0-9]+]]>{{.*}}tile.memory = #tile.memory<l1>
// CHECK: tile.pipeline {{.*}} iter_args(%[[C:[a-z0-9]+]] = %{{.*}}) -> (!tile.tile<16x32xbf16>) attributes {places = [#tile.place<l1, [[ACC]]>]}
// CHECK: tile.load %{{.*}} {place = #tile.place<l1,{{.*}}tile.memory = #tile.memory<l1>} : memref<64x32xbf16> -> !tile.tile<1x32xbf16>
// CHECK: tile.insert %{{.*}} into %[[C]][%{{.*}}, %{{.*}}] {place = #tile.place<l1, [[ACC]]>}
// CHECK: tile.matmul {{.*}} b_trans {place = #tile.place<l0c, 0>}
func.func @gather_rows(%q: memref<16x32xbf16>, %kv: memref<64x32xbf16>,
                       %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 (%b) {
    tile.at cube {
      %z = tile.full 0.0 {tile.memory = #tile.memory<l1>} : !tile.tile<16x32xbf16>
      %acc = tile.pipeline %r = %c0 to %c16 step %c1 stages(1) iter_args(%a = %z) -> (!tile.tile<16x32xbf16>) {
        %src = arith.muli %r, %c3 : index
        %row = tile.load %kv[%src, %c0] {tile.memory = #tile.memory<l1>} : memref<64x32xbf16> -> !tile.tile<1x32xbf16>
        %n = tile.insert %row into %a[%r, %c0] : !tile.tile<1x32xbf16> into !tile.tile<16x32xbf16>
        tile.yield %n : !tile.tile<16x32xbf16>
      }
      %qt = tile.load %q[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      %s = tile.matmul %qt, %acc b_trans : !tile.tile<16x32xbf16>, !tile.tile<16x32xbf16> -> !tile.tile<16x16xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// transpose=True: a gathered row 1 x 32 reshaped to the column 32 x 1 and
// inserted at column r of the 32 x 16 accumulator; the reshape is a view
// of the row (the same bytes), all in L1.

// CHECK-LABEL: func.func @gather_columns
// CHECK: tile.full {{.*}}place = #tile.place<l1, [[ACC:[0-9]+]]>
// CHECK: tile.load {{.*}}place = #tile.place<l1, [[ROW:[0-9]+]]
// CHECK: tile.reshape {{.*}}place = #tile.place<l1, [[ROW]]
// CHECK: tile.insert {{.*}}place = #tile.place<l1, [[ACC]]>
func.func @gather_columns(%q: memref<16x32xbf16>, %kv: memref<64x32xbf16>,
                          %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 (%b) {
    tile.at cube {
      %z = tile.full 0.0 {tile.memory = #tile.memory<l1>} : !tile.tile<32x16xbf16>
      %acc = tile.pipeline %r = %c0 to %c16 step %c1 stages(1) iter_args(%a = %z) -> (!tile.tile<32x16xbf16>) {
        %row = tile.load %kv[%r, %c0] {tile.memory = #tile.memory<l1>} : memref<64x32xbf16> -> !tile.tile<1x32xbf16>
        %col = tile.reshape %row : !tile.tile<1x32xbf16> -> !tile.tile<32x1xbf16>
        %n = tile.insert %col into %a[%c0, %r] : !tile.tile<32x1xbf16> into !tile.tile<32x16xbf16>
        tile.yield %n : !tile.tile<32x16xbf16>
      }
      %qt = tile.load %q[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      %s = tile.matmul %qt, %acc : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// An accumulator asked for L1 that a vector op reads: the author's memory
// disagrees with the placement, an error at the op.
func.func @l1_accumulator_for_vector(%kv: memref<64x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at core_group {
      // expected-error @below {{is asked to live in cube L1 but is placed in vector UB}}
      %z = tile.full 0.0 {tile.memory = #tile.memory<l1>} : !tile.tile<16x32xf32>
      %row = tile.load %kv[%c0, %c0] : memref<64x32xf32> -> !tile.tile<1x32xf32>
      %n = tile.insert %row into %z[%c0, %c0] : !tile.tile<1x32xf32> into !tile.tile<16x32xf32>
      %e = tile.exp %n : !tile.tile<16x32xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
