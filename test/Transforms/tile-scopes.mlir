// RUN: tessel-opt %s -split-input-file -tile-tile-scopes -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-tile-scopes=target=a5 -verify-diagnostics | FileCheck %s

// a2a3 and a5 (assumed equal counts): 48 vector cores, 24 cube cores. The
// group G is the largest divisor of the grid N with N / G >= cores.

// 128 vector blocks: G = 2 leaves 64 >= 48 tasks; G = 4 would leave 32 < 48.
// Block b of the old grid is 2 * blk + i.
// CHECK-LABEL: func.func @vector_rows_grouped_by_two
// CHECK: tile.spmd 64 name("rows") (%[[B:.*]]) {
// CHECK: tile.at vector {
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C2]] step %[[C1]] {
// CHECK: %[[S:.*]] = arith.muli %[[B]], %[[C2]] : index
// CHECK: %[[OLD:.*]] = arith.addi %[[S]], %[[I]] : index
// CHECK: tile.load %{{.*}}[%[[OLD]], %{{.*}}]
// CHECK: tile.store %{{.*}}, %{{.*}}[%[[OLD]], %{{.*}}]
func.func @vector_rows_grouped_by_two(%a: memref<128x32xf32>, %o: memref<128x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'rows': 128 blocks grouped by 2 into 64 tasks (vector cores: 48)}}
  tile.spmd 128 name("rows") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<128x32xf32> -> !tile.tile<1x32xf32>
      %y = tile.exp %x : !tile.tile<1x32xf32>
      tile.store %y, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<128x32xf32>
    }
  }
  return
}

// -----

// 256 cube blocks: G = 8 leaves 32 >= 24 tasks; G = 16 would leave 16 < 24.
// The inner K loop stays inside the group loop.
// CHECK-LABEL: func.func @cube_columns_grouped_by_eight
// CHECK: tile.spmd 32 name("mm") (%[[B:.*]]) {
// CHECK: tile.at cube {
// CHECK: %[[C8:.*]] = arith.constant 8 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C8]] step %{{.*}} {
// CHECK: %[[S:.*]] = arith.muli %[[B]], %[[C8]] : index
// CHECK: %[[OLD:.*]] = arith.addi %[[S]], %[[I]] : index
// CHECK: %[[N0:.*]] = arith.muli %[[OLD]], %{{.*}} : index
// CHECK: scf.for
// CHECK: tile.matmul_acc
// CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %[[N0]]]
func.func @cube_columns_grouped_by_eight(%x: memref<16x64xf16>, %w: memref<64x4096xf16>, %o: memref<16x4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{scope 'mm': 256 blocks grouped by 8 into 32 tasks (cube cores: 24)}}
  tile.spmd 256 name("mm") (%b) {
    tile.at cube {
      %n0 = arith.muli %b, %c16 : index
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %acc = scf.for %k = %c0 to %c2 step %c1 iter_args(%a = %z) -> (!tile.tile<16x16xf32>) {
        %k0 = arith.muli %k, %c32 : index
        %l = tile.load %x[%c0, %k0] : memref<16x64xf16> -> !tile.tile<16x32xf16>
        %r = tile.load %w[%k0, %n0] : memref<64x4096xf16> -> !tile.tile<32x16xf16>
        %m = tile.matmul_acc %a, %l, %r : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
        scf.yield %m : !tile.tile<16x16xf32>
      }
      tile.store %acc, %o[%c0, %n0] : !tile.tile<16x16xf32>, memref<16x4096xf32>
    }
  }
  return
}

// -----

// The naive DSV4 dequant shape: 2048 = 8 tokens x 256 column chunks, the
// token b / 256 and the chunk b % 256. G = 32 leaves 64 >= 48 tasks (G = 64
// would leave 32 < 48). The old block is 32 blk + i, i in [0, 32), and
// 256 = 32 x 8, so the token (32 blk + i) / 256 simplifies to blk / 8 and
// the chunk (32 blk + i) % 256 to (blk % 8) x 32 + i (tile-simplify-indices).
// CHECK-LABEL: func.func @divided_block_index_grouped_by_thirty_two
// CHECK: tile.spmd 64 (%[[B:.*]]) {
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C32]] step %{{.*}} {
// CHECK: %[[T:.*]] = arith.divsi %[[B]], %{{.*}} : index
// CHECK: %[[R:.*]] = arith.remsi %[[B]], %{{.*}} : index
// CHECK: %[[M:.*]] = arith.muli %[[R]], %{{.*}} : index
// CHECK: %[[C:.*]] = arith.addi %[[M]], %[[I]] : index
// CHECK: tile.load %{{.*}}[%[[T]], %{{.*}}]
func.func @divided_block_index_grouped_by_thirty_two(%p: memref<8x32768xf32>, %o: memref<8x32768xf32>) {
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  // expected-remark @below {{scope 'spmd': 2048 blocks grouped by 32 into 64 tasks (vector cores: 48)}}
  tile.spmd 2048 (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c256 : index
      %c = arith.remsi %b, %c256 : index
      %c0 = arith.muli %c, %c128 : index
      %x = tile.load %p[%t, %c0] : memref<8x32768xf32> -> !tile.tile<1x128xf32>
      %y = tile.abs %x : !tile.tile<1x128xf32>
      tile.store %y, %o[%t, %c0] : !tile.tile<1x128xf32>, memref<8x32768xf32>
    }
  }
  return
}
