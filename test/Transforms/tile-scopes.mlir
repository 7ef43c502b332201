// RUN: tessel-opt %s -split-input-file -tile-tile-scopes -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-tile-scopes=target=a5 -verify-diagnostics | FileCheck %s

// a2a3 and a5 (assumed equal counts): 48 vector cores, 24 cube cores. The
// group G is the largest divisor of the grid N whose modelled makespan
// (the per-pipe model, docs/perf-model.md; estimateScope in
// tessel/Analysis/ScheduleCost.h) is within 5% of the least: ceil(N / G /
// cores) waves of one task dispatch (0.8 us) plus G blocks. A block's
// pipes run one after another (a loop that loads from GM overlaps them, as
// tile-pipeline-loops will pipeline it): MTE2 / MTE3 bytes at a share of
// 1.2e12 B/s HBM (4e12 L2) over the A = min(N / G, cores) cores running at
// once, capped at 100e9 B/s a core; a vector instruction 32 issue cycles +
// one per 256-byte repeat (4 for exp) at 1.85 GHz. Bytes a tensor has
// already given up to L2 (an earlier block read them) come from L2.

// 128 vector blocks: a 1x32xf32 load and store (128 bytes each, from and
// to HBM) and an exp (36 cycles, 19.46 ns). With A = 48: 2 x 5.12 + 19.46
// = 29.70 ns; G = 1: 3 waves x (0.8 + 0.0297) = 2.49 us; G = 2: 64 tasks,
// 2 x 0.859 = 1.72; G = 4: 32 tasks (A = 32, 37.5e9 B/s: 26.29 ns), one
// wave of 0.8 + 4 x 0.0263 = 0.91, the least; G = 8 (A = 16: 22.87 ns):
// 0.98, 8.6% more. So 4. Block b of the old grid is 4 * blk + i.
// CHECK-LABEL: func.func @vector_rows_grouped_by_four
// CHECK: tile.spmd 32 name("rows") (%[[B:.*]]) {
// CHECK: tile.at vector {
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[I:.*]] = %[[C0]] to %[[C4]] step %[[C1]] {
// CHECK: %[[S:.*]] = arith.muli %[[B]], %[[C4]] : index
// CHECK: %[[OLD:.*]] = arith.addi %[[S]], %[[I]] : index
// CHECK: tile.load %{{.*}}[%[[OLD]], %{{.*}}]
// CHECK: tile.store %{{.*}}, %{{.*}}[%[[OLD]], %{{.*}}]
func.func @vector_rows_grouped_by_four(%a: memref<128x32xf32>, %o: memref<128x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'rows' keeps one token row per block: no width of its 128 token rows fits and saves GM bytes without a longer modelled makespan}}
  // expected-remark @below {{scope 'rows': 128 blocks grouped by 4 into 32 tasks (vector cores: 48; modelled 0.91 us, 2.49 us ungrouped)}}
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

// 256 cube blocks: a 16x16xf32 tile.full (36 vector cycles, 19.46 ns), 2
// K steps of a 16x32 and a 32x16 f16 operand (1024 bytes each; %w's from
// HBM, %x's from L2 after its first 2048 bytes), their MTE1 (2048 bytes,
// 4.32 ns) and 8192 MACs (1.08 ns) overlapped as a pipelined loop, then a
// 16x16xf32 store (1024 bytes to HBM). G = 16 (A = 16: 75e9 B/s HBM,
// 100e9 L2): MTE2 13.65 + 10.20 = 23.9 ns a step, 2 x 23.9 + 5.4 = 53.2,
// + 13.65 + 19.46 = 86.3 ns a block; 0.8 + 16 x 0.0863 = 2.18 us in one
// wave, the least (G = 8: 32 tasks, 2 waves, 3.31 us; G = 32: 3.23 us;
// G = 1: 9.98). So 16: fewer tasks than cores, but one wave.
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
  // expected-remark @below {{scope 'mm': 256 blocks grouped by 16 into 16 tasks (cube cores: 24; modelled 2.18 us, 9.98 us ungrouped)}}
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
// token b / 256 and the chunk b % 256; per block a 512-byte load and store
// and an abs (34 cycles): 59.34 ns with A = 48, 45.69 ns with A = 32.
// G = 1: 43 waves, 36.95 us; G = 32: 64 tasks, 2 waves, 5.40; G = 64: 32
// tasks, 0.8 + 64 x 0.0457 = 3.72, the least; G = 128: 4.90. So 64. The old block is 64 blk + i, i in
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
  // expected-remark @below {{scope 'spmd': 2048 blocks grouped by 64 into 32 tasks (vector cores: 48; modelled 3.72 us, 36.95 us ungrouped)}}
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
// 512 + 512 + 512 = 1536 bytes (s from L2 after its first 4096 bytes) and
// a col_expand_mul (34 cycles): 67.3 ns, 64 blocks = 98304 bytes, best
// grouped by 2: 32 tasks, 0.90 us. W token rows per block load s once for
// W tokens; the widest first: W = 8, 8 blocks of 8704 bytes (69632 in
// all), 113.0 ns each (A = 8: 100e9 B/s, the per-core cap), one wave of
// 0.91 us, within 5% of 0.90 and fewer bytes: taken. The token t = b / 8
// becomes the first row (b / 8) x 8 of 8-row tiles.
// CHECK-LABEL: func.func @token_rows_widened
// CHECK: tile.spmd 8 name("deq") (%[[B:.*]]) {
// CHECK: %[[T:.*]] = arith.divsi %[[B]], %{{.*}} : index
// CHECK: %[[R:.*]] = arith.muli %[[T]], %{{.*}} : index
// CHECK: tile.load %{{.*}}[%[[R]], %{{.*}}] : memref<8x1024xf32> -> !tile.tile<8x128xf32>
// CHECK: tile.load %{{.*}} : memref<1024xf32> -> !tile.tile<1x128xf32>
// CHECK: tile.col_expand_mul %{{.*}}, %{{.*}} : !tile.tile<8x128xf32>, !tile.tile<1x128xf32>
// CHECK: tile.store %{{.*}}, %{{.*}}[%[[R]], %{{.*}}] : !tile.tile<8x128xf32>
func.func @token_rows_widened(%p: memref<8x1024xf32>, %s: memref<1024xf32>, %o: memref<8x1024xf32>) {
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  // expected-remark @below {{scope 'deq': 8 token rows per block, 64 -> 8 blocks, GM traffic 98304 -> 69632 bytes, modelled 0.91 us against 0.90 us, footprint}}
  // expected-remark @below {{scope 'deq' not grouped: 8 blocks on 48 vector cores}}
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
