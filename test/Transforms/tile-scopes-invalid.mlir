// RUN: tessel-opt %s -split-input-file -tile-tile-scopes -verify-diagnostics | FileCheck %s
// RUN: not tessel-opt %s -split-input-file -tile-tile-scopes=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not tessel-opt %s -split-input-file -tile-tile-scopes=target=a5 2>&1 | FileCheck %s --check-prefix=CONTRA

// Scopes the pass leaves alone (a2a3: 48 vector cores, 24 cube cores), one
// it only groups, and a bad target option. The per-pipe model as in
// tile-scopes.mlir; a scope that stores into the tensor it reads gets its
// reads served from L2 (docs/perf-model.md: what a scope stores is in L2
// when it is read back).

// 48 heavy vector blocks (a 1x8192xf32 load and store of 32768 bytes
// each): with A = 48, the load at the L2 share (4e12 / 48 = 83.3e9 B/s)
// 0.39 us, the store at the HBM share (25e9 B/s) 1.31 us; one wave of one
// dispatch (0.8 us) and one block, 2.50 us; G = 2 (A = 24: 100e9 and 50e9
// B/s) would take 0.8 + 2 x 0.98 = 2.77, 11% more.
// CHECK-LABEL: func.func @grid_no_larger_than_cores
// CHECK: tile.spmd 48
// CHECK-NOT: scf.for
func.func @grid_no_larger_than_cores(%a: memref<48x8192xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'fits' keeps one token row per block: no width of its 48 token rows fits and saves GM bytes without a longer modelled makespan}}
  // expected-remark @below {{scope 'fits' not grouped: 48 blocks on 48 vector cores, no grouping shortens the modelled 2.50 us}}
  tile.spmd 48 name("fits") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<48x8192xf32> -> !tile.tile<1x8192xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x8192xf32>, memref<48x8192xf32>
    }
  }
  return
}

// -----

// 100 such blocks, grouped: the model charges every wave at the share of
// A = min(tasks, cores) running cores, so fewer, longer tasks keep the
// same HBM throughput in fewer waves. G = 1: 3 waves x (0.8 + 1.70) =
// 7.51 us; G = 2: 50 tasks, 2 waves, 8.42; G = 4: 25 tasks (A = 25: 48e9
// B/s HBM, 100e9 L2, 1.01 us a block), one wave of 0.8 + 4 x 1.01 = 4.84,
// the least; G = 5: 5.17, 6.8% more. So 4.
// CHECK-LABEL: func.func @heavy_blocks_grouped_by_four
// CHECK: tile.spmd 25
// CHECK: scf.for
func.func @heavy_blocks_grouped_by_four(%a: memref<100x8192xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'hundred' keeps one token row per block: no width of its 100 token rows fits and saves GM bytes without a longer modelled makespan}}
  // expected-remark @below {{scope 'hundred': 100 blocks grouped by 4 into 25 tasks (vector cores: 48; modelled 4.84 us, 7.51 us ungrouped)}}
  tile.spmd 100 name("hundred") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<100x8192xf32> -> !tile.tile<1x8192xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x8192xf32>, memref<100x8192xf32>
    }
  }
  return
}

// -----

// 97 cube blocks, a prime, each loading the same 16x512 and 512x16 f16
// operands (16384 bytes each; from HBM once, then from L2 at 100e9 B/s, the
// per-core cap), a 16x16xf32 tile.full (36 vector cycles), the matmul
// (32768 MTE1 bytes, 131072 MACs) and a 16x16xf32 store: 0.457 us with
// A = 24. G = 1: 5 waves x 1.257 = 6.29 us; the only other divisor, 97,
// makes one task of 43.85 us.
// CHECK-LABEL: func.func @prime_grid
// CHECK: tile.spmd 97
func.func @prime_grid(%x: memref<16x512xf16>, %w: memref<512x16xf16>, %o: memref<16x1552xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{scope 'prime' not grouped: 97 blocks on 24 cube cores, no grouping shortens the modelled 6.29 us}}
  tile.spmd 97 name("prime") (%b) {
    tile.at cube {
      %n0 = arith.muli %b, %c16 : index
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %l = tile.load %x[%c0, %c0] : memref<16x512xf16> -> !tile.tile<16x512xf16>
      %r = tile.load %w[%c0, %c0] : memref<512x16xf16> -> !tile.tile<512x16xf16>
      %m = tile.matmul_acc %z, %l, %r : !tile.tile<16x512xf16>, !tile.tile<512x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %n0] : !tile.tile<16x16xf32>, memref<16x1552xf32>
    }
  }
  return
}

// -----

// Grouped but not jammed: the 2048 blocks of 1024 bytes (0.04 us) group by
// 64 into 32 tasks (see tile-scopes.mlir), and each block's inner loop
// reads its own row: jamming shares no load.
// CHECK-LABEL: func.func @grouped_blocks_share_nothing
// CHECK: tile.spmd 32
// CHECK-COUNT-2: scf.for
func.func @grouped_blocks_share_nothing(%p: memref<2048x128xf32>, %o: memref<2048x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  // expected-remark @below {{scope 'rows' keeps one token row per block: no width of its 2048 token rows fits and saves GM bytes without a longer modelled makespan}}
  // expected-remark @below {{scope 'rows': 2048 blocks grouped by 64 into 32 tasks}}
  // expected-remark @below {{scope 'rows': the blocks of a task not jammed: no load is shared}}
  tile.spmd 2048 name("rows") (%b) {
    tile.at vector {
      scf.for %j = %c0 to %c2 step %c1 {
        %c = arith.muli %j, %c64 : index
        %x = tile.load %p[%b, %c] : memref<2048x128xf32> -> !tile.tile<1x64xf32>
        %y = tile.abs %x : !tile.tile<1x64xf32>
        tile.store %y, %o[%b, %c] : !tile.tile<1x64xf32>, memref<2048x128xf32>
      }
    }
  }
  return
}

// -----

// Not re-tiled along tokens: each token row is scaled by a 1x1 tile that is
// the same for every token (r[0, 0]); with several token rows per tile it
// would need one scale per row.
// CHECK-LABEL: func.func @row_scale_without_token_rows
// CHECK: tile.spmd {{[0-9]+}} name("sc")
// CHECK: tile.row_expand_mul %{{.*}}, %{{.*}} : !tile.tile<1x128xf32>, !tile.tile<1x1xf32>
func.func @row_scale_without_token_rows(%p: memref<8x1024xf32>, %r: memref<1x1xf32>, %o: memref<8x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c128 = arith.constant 128 : index
  // expected-remark @below {{scope 'sc' keeps one token row per block: a row scale without token rows (tile.row_expand_mul)}}
  // expected-remark @below {{scope 'sc': 64 blocks grouped by}}
  tile.spmd 64 name("sc") (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c8 : index
      %c = arith.remsi %b, %c8 : index
      %c0c = arith.muli %c, %c128 : index
      %x = tile.load %p[%t, %c0c] : memref<8x1024xf32> -> !tile.tile<1x128xf32>
      %s = tile.load %r[%c0, %c0] : memref<1x1xf32> -> !tile.tile<1x1xf32>
      %y = tile.row_expand_mul %x, %s : !tile.tile<1x128xf32>, !tile.tile<1x1xf32>
      tile.store %y, %o[%t, %c0c] : !tile.tile<1x128xf32>, memref<8x1024xf32>
    }
  }
  return
}

// -----

// Not jammed: the two pipelines of a block have different stage counts, so
// after jamming them as scf.for loops there would be no one count to give
// back.
// CHECK-LABEL: func.func @pipelines_with_different_stages
// CHECK: stages(2)
// CHECK: stages(3)
func.func @pipelines_with_different_stages(%x: memref<4096x64xf32>, %o: memref<4096x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{scope 'two' keeps one token row per block}}
  // expected-remark @below {{scope 'two': 4096 blocks grouped by}}
  // expected-remark @below {{scope 'two': the blocks of a task not jammed: their loops are pipelines of different stage counts, or some are and some are not}}
  tile.spmd 4096 name("two") (%b) {
    tile.at vector {
      tile.pipeline %j = %c0 to %c2 step %c1 stages(2) {
        %c = arith.muli %j, %c32 : index
        %v = tile.load %x[%b, %c] : memref<4096x64xf32> -> !tile.tile<1x32xf32>
        tile.store %v, %o[%b, %c] : !tile.tile<1x32xf32>, memref<4096x64xf32>
      }
      tile.pipeline %j = %c0 to %c2 step %c1 stages(3) {
        %c = arith.muli %j, %c32 : index
        %v = tile.load %o[%b, %c] : memref<4096x64xf32> -> !tile.tile<1x32xf32>
        %e = tile.exp %v : !tile.tile<1x32xf32>
        tile.store %e, %o[%b, %c] : !tile.tile<1x32xf32>, memref<4096x64xf32>
      }
    }
  }
  return
}

// -----

// Two tile.at scopes in one spmd: which one would loop is ambiguous.
// CHECK-LABEL: func.func @two_scopes_in_one_spmd
// CHECK: tile.spmd 96
// CHECK-NOT: scf.for
func.func @two_scopes_in_one_spmd(%a: memref<96x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'two' not grouped: the block index is used outside a single tile.at, or the spmd body has an op with side effects outside it}}
  tile.spmd 96 name("two") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<96x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<96x32xf32>
    }
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<96x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<96x32xf32>
    }
  }
  return
}

// -----

// Bad options are errors on the module and change nothing.
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5
// CONTRA: error: target option 'a5' contradicts tile.target = a2a3
// CHECK-LABEL: func.func @bad_options
// CHECK: tile.spmd 48
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @bad_options(%a: memref<48x8192xf32>) {
    %c0 = arith.constant 0 : index
    // expected-remark @below {{scope 'spmd' keeps one token row per block: no width of its 48 token rows fits and saves GM bytes without a longer modelled makespan}}
    // expected-remark @below {{scope 'spmd' not grouped: 48 blocks on 48 vector cores, no grouping shortens the modelled 2.50 us}}
    tile.spmd 48 (%b) {
      tile.at vector {
        %x = tile.load %a[%b, %c0] : memref<48x8192xf32> -> !tile.tile<1x8192xf32>
        tile.store %x, %a[%b, %c0] : !tile.tile<1x8192xf32>, memref<48x8192xf32>
      }
    }
    return
  }
}
