// RUN: tessel-opt %s -split-input-file -tile-tile-scopes -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-tile-scopes=target=a5 -verify-diagnostics | FileCheck %s

// a2a3 and a5 (assumed equal counts): 48 vector cores, 24 cube cores. The
// group G is the largest divisor of the grid N whose modelled makespan
// (tessel/Analysis/TaskCost.h) is within 5% of the least: ceil(N / G /
// cores) waves of one task dispatch (0.8 us) plus G blocks, a block taking
// its GM bytes at a 1 / cores share of 1.2e12 B/s (25e9 B/s per vector
// core, 50e9 per cube core).

// 128 vector blocks of 256 bytes (a 1x32xf32 load and store): 0.01024 us
// each. G = 1: 3 waves x 0.81 = 2.43 us; G = 2: 64 tasks, 2 x 0.82 =
// 1.64; G = 4: 32 tasks, 1 x 0.841 = 0.841, the least; G = 8: 16 tasks,
// 0.882, within 5% of it (0.883); G = 16: 0.964. So 8. Block b of the old
// grid is 8 * blk + i.
// CHECK-LABEL: func.func @vector_rows_grouped_by_eight
// CHECK: tile.spmd 16 name("rows") (%[[B:.*]]) {
// CHECK: tile.at vector {
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C8]] step %[[C1]] {
// CHECK: %[[S:.*]] = arith.muli %[[B]], %[[C8]] : index
// CHECK: %[[OLD:.*]] = arith.addi %[[S]], %[[I]] : index
// CHECK: tile.load %{{.*}}[%[[OLD]], %{{.*}}]
// CHECK: tile.store %{{.*}}, %{{.*}}[%[[OLD]], %{{.*}}]
func.func @vector_rows_grouped_by_eight(%a: memref<128x32xf32>, %o: memref<128x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'rows' keeps one token row per block: no width of its 128 token rows fits and saves GM bytes without a longer modelled makespan}}
  // expected-remark @below {{scope 'rows': 128 blocks grouped by 8 into 16 tasks (vector cores: 48; modelled 0.88 us, 2.43 us ungrouped)}}
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

// 256 cube blocks of 5120 bytes (2 K steps of a 16x32 and a 32x16 f16
// operand, 2 x 2048, then a 16x16xf32 store): 0.1024 us each at 50e9 B/s
// (their 16384 MACs take 0.002 us). G = 1: 11 waves x 0.90 = 9.93 us;
// G = 8: 32 tasks, 2 x 1.62 = 3.24; G = 16: 16 tasks, 1 x 2.44 = 2.44;
// G = 32: 8 tasks, 4.08. So 16: fewer tasks than cores, but one wave.
// The 16 blocks of a task share the lhs: jammed by 16, their K loops run as
// one with 16 accumulators and load each lhs K step once. Per task: 16 x 2
// x (1024 + 1024) + 16 x 1024 = 81920 bytes before, 2 x 1024 + 16 x 2 x
// 1024 + 16 x 1024 = 51200 after; 16 accumulators of 1024 bytes fit L0C.
// CHECK-LABEL: func.func @cube_columns_grouped_by_sixteen
// CHECK: tile.spmd 16 name("mm") (%[[B:.*]]) {
// CHECK: tile.at cube {
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[L:.*]] = tile.load %arg0
// CHECK-COUNT-16: tile.matmul_acc %{{.*}}, %[[L]], %{{.*}}
// CHECK-NOT: tile.load %arg0
// CHECK-COUNT-16: tile.store
func.func @cube_columns_grouped_by_sixteen(%x: memref<16x64xf16>, %w: memref<64x4096xf16>, %o: memref<16x4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{scope 'mm': 256 blocks grouped by 16 into 16 tasks (cube cores: 24; modelled 2.44 us, 9.93 us ungrouped)}}
  // expected-remark @below {{scope 'mm': blocks of a task jammed by 16 into one pass of their inner loops: GM traffic 81920 -> 51200 bytes per task}}
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
// token b / 256 and the chunk b % 256; 1024 bytes per block (0.04096 us).
// G = 32: 64 tasks, 2 waves x 2.11 = 4.22 us; G = 64: 32 tasks, 1 x 3.42;
// G = 128: 16 tasks, 6.04. So 64. The old block is 64 blk + i, i in
// [0, 64), and 256 = 64 x 4, so the token (64 blk + i) / 256 simplifies to
// blk / 4 and the chunk (64 blk + i) % 256 to (blk % 4) x 64 + i
// (tile-simplify-indices).
// CHECK-LABEL: func.func @divided_block_index_grouped_by_sixty_four
// CHECK: tile.spmd 32 (%[[B:.*]]) {
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C64]] step %{{.*}} {
// CHECK: %[[T:.*]] = arith.divsi %[[B]], %{{.*}} : index
// CHECK: %[[R:.*]] = arith.remsi %[[B]], %{{.*}} : index
// CHECK: %[[M:.*]] = arith.muli %[[R]], %{{.*}} : index
// CHECK: %[[C:.*]] = arith.addi %[[M]], %[[I]] : index
// CHECK: tile.load %{{.*}}[%[[T]], %{{.*}}]
func.func @divided_block_index_grouped_by_sixty_four(%p: memref<8x32768xf32>, %o: memref<8x32768xf32>) {
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  // expected-remark @below {{scope 'spmd' keeps one token row per block: no width of its 8 token rows fits and saves GM bytes without a longer modelled makespan}}
  // expected-remark @below {{scope 'spmd': 2048 blocks grouped by 64 into 32 tasks (vector cores: 48; modelled 3.42 us, 36.16 us ungrouped)}}
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

// -----

// Re-tiling along tokens: 8 tokens x 8 chunks of 128 columns, one token row
// per block; the per-column scale s does not depend on the token. Per block
// 512 + 512 + 512 = 1536 bytes (0.061 us), 64 blocks = 98304 bytes, best
// grouped by 2: 32 tasks, 0.92 us. W token rows per block load s once for W
// tokens: W = 8, 8 blocks of 8704 bytes (69632 in all) but one wave of
// 1.15 us; W = 4, 16 blocks of 4608 (73728), 0.98 us; both more than 5%
// over 0.92. W = 2: 32 blocks of 2560 bytes (81920), 0.90 us: taken. The
// token t = b / 8 becomes the first row (b / 8) x 2 of 2-row tiles.
// CHECK-LABEL: func.func @token_rows_widened
// CHECK: tile.spmd 32 name("deq") (%[[B:.*]]) {
// CHECK: %[[T:.*]] = arith.divsi %[[B]], %{{.*}} : index
// CHECK: %[[R:.*]] = arith.muli %[[T]], %{{.*}} : index
// CHECK: tile.load %{{.*}}[%[[R]], %{{.*}}] : memref<8x1024xf32> -> !tile.tile<2x128xf32>
// CHECK: tile.load %{{.*}} : memref<1024xf32> -> !tile.tile<1x128xf32>
// CHECK: tile.col_expand_mul %{{.*}}, %{{.*}} : !tile.tile<2x128xf32>, !tile.tile<1x128xf32>
// CHECK: tile.store %{{.*}}, %{{.*}}[%[[R]], %{{.*}}] : !tile.tile<2x128xf32>
func.func @token_rows_widened(%p: memref<8x1024xf32>, %s: memref<1024xf32>, %o: memref<8x1024xf32>) {
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  // expected-remark @below {{scope 'deq': 2 token rows per block, 64 -> 32 blocks, GM traffic 98304 -> 81920 bytes, modelled 0.90 us against 0.92 us, footprint}}
  // expected-remark @below {{scope 'deq' not grouped: 32 blocks on 48 vector cores}}
  tile.spmd 64 name("deq") (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c8 : index
      %c = arith.remsi %b, %c8 : index
      %c0 = arith.muli %c, %c128 : index
      %x = tile.load %p[%t, %c0] : memref<8x1024xf32> -> !tile.tile<1x128xf32>
      %g = tile.load %s[%c0] : memref<1024xf32> -> !tile.tile<1x128xf32>
      %y = tile.col_expand_mul %x, %g : !tile.tile<1x128xf32>, !tile.tile<1x128xf32>
      tile.store %y, %o[%t, %c0] : !tile.tile<1x128xf32>, memref<8x1024xf32>
    }
  }
  return
}

// -----

// The same matmul with its K loop written as a 2-stage tile.pipeline: the
// pipelines are jammed as scf.for loops and get their 2 stages back.
// CHECK-LABEL: func.func @pipelines_jammed
// CHECK: tile.spmd 16 name("mm")
// CHECK: tile.pipeline {{.*}} stages(2) iter_args
// CHECK: %[[L:.*]] = tile.load %arg0
// CHECK-COUNT-16: tile.matmul_acc %{{.*}}, %[[L]], %{{.*}}
// CHECK-NOT: scf.for
func.func @pipelines_jammed(%x: memref<16x64xf16>, %w: memref<64x4096xf16>, %o: memref<16x4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{scope 'mm': 256 blocks grouped by 16 into 16 tasks}}
  // expected-remark @below {{scope 'mm': blocks of a task jammed by 16 into one pass of their inner loops: GM traffic 81920 -> 51200 bytes per task}}
  tile.spmd 256 name("mm") (%b) {
    tile.at cube {
      %n0 = arith.muli %b, %c16 : index
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %acc = tile.pipeline %k = %c0 to %c2 step %c1 stages(2) iter_args(%a = %z) -> (!tile.tile<16x16xf32>) {
        %k0 = arith.muli %k, %c32 : index
        %l = tile.load %x[%c0, %k0] : memref<16x64xf16> -> !tile.tile<16x32xf16>
        %r = tile.load %w[%k0, %n0] : memref<64x4096xf16> -> !tile.tile<32x16xf16>
        %m = tile.matmul_acc %a, %l, %r : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
        tile.yield %m : !tile.tile<16x16xf32>
      }
      tile.store %acc, %o[%c0, %n0] : !tile.tile<16x16xf32>, memref<16x4096xf32>
    }
  }
  return
}
