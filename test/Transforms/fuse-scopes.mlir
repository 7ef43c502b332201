// RUN: tessel-opt %s -split-input-file -tile-fuse-scopes -verify-diagnostics | FileCheck %s

// a2a3 (the default): vector UB has 188416 usable bytes in 32-byte granules;
// a 1x64xf32 tile takes 256 bytes, a 1x1xf32 tile 4, rounded up to 32.

// Per-row statistics then a row scaling, both 8 blocks (one row each): the
// consumer reads s[b, 0], exactly what block b of the producer stored, so
// the scopes fuse and the 1x1 statistic is forwarded on chip: the store, the
// load and the tensor go. Fused footprint: a 1x64 row of a (256 bytes)
// with the statistic r (32) live beside it, in either half (the product is
// computed in place over the row, which dies there): 256 + 32 = 288 bytes.
// The consumer's load of the row is then the producer's (same slice, no
// store between): CSE inside the fused scope merges them.
// CHECK-LABEL: func.func @row_stats_then_scale_fuse_and_forward
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 8 name("stats_norm") (%[[B:.*]]) {
// CHECK: tile.at vector {
// CHECK: %[[X:.*]] = tile.load %{{.*}}[%[[B]], %{{.*}}]
// CHECK: %[[R:.*]] = tile.row_sum %[[X]]
// CHECK-NOT: tile.store %[[R]]
// CHECK-NOT: tile.load
// CHECK: tile.row_expand_mul %[[X]], %[[R]]
// CHECK-NOT: tile.spmd
// Footprint: the 1x64xf32 row (256 B), its 1x1 sum (32 B) and the row
// sum's scratch tile of the row's size (TROWSUM's tmp, 256 B): 544 bytes.
func.func @row_stats_then_scale_fuse_and_forward(%a: memref<8x64xf32>, %o: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
  %s = tile.alloc_gm name("s") : memref<8x1xf32>
  // expected-remark @below {{scopes 'stats' and 'norm' fused into 'stats_norm': 8 blocks on vector cores, footprint 544 bytes of 188416 (vector UB)}}
  tile.spmd 8 name("stats") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
      %r = tile.row_sum %x : !tile.tile<1x64xf32> -> !tile.tile<1x1xf32>
      // expected-remark @below {{GM intermediate 's' of scope 'stats_norm' forwarded on chip: store and 1 load removed, footprint 544 bytes of 188416 (vector UB)}}
      tile.store %r, %s[%b, %c0] : !tile.tile<1x1xf32>, memref<8x1xf32>
    }
  }
  tile.spmd 8 name("norm") (%b) {
    tile.at vector {
      %r = tile.load %s[%b, %c0] : memref<8x1xf32> -> !tile.tile<1x1xf32>
      %x = tile.load %a[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
      %y = tile.row_expand_mul %x, %r : !tile.tile<1x64xf32>, !tile.tile<1x1xf32>
      tile.store %y, %o[%b, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
    }
  }
  return
}

// -----

// The naive DSV4 head layout on 2 tokens x 4 heads = 8 blocks, t = b / 4,
// h = b % 4: 'nope' writes q[t, 128 h .. 128 h + 96), 'rope' writes
// q[t, 128 h + 96 .. 128 h + 128): different slices of one output, but both
// inside one 128-column period of head h and one row t, so two blocks can
// only overlap if they share t and h, i.e. are the same block. 'rope' reads
// qr[t, 32 h] (1x32), exactly what 'nope' wrote there: fused and forwarded.
// CHECK-LABEL: func.func @disjoint_head_slices_fuse
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 8 name("nope_rope")
// CHECK-COUNT-2: tile.store %{{.*}}, %{{.*}} : !tile.tile<1x{{96|32}}xf32>, memref<2x512xf32>
// CHECK-NOT: tile.spmd
func.func @disjoint_head_slices_fuse(%x: memref<2x512xf32>, %q: memref<2x512xf32>) {
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  %qr = tile.alloc_gm name("qr") : memref<2x128xf32>
  // expected-remark @below {{scopes 'nope' and 'rope' fused into 'nope_rope': 8 blocks on vector cores}}
  tile.spmd 8 name("nope") (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c4 : index
      %h = arith.remsi %b, %c4 : index
      %c0 = arith.muli %h, %c128 : index
      %v = tile.load %x[%t, %c0] : memref<2x512xf32> -> !tile.tile<1x96xf32>
      %e = tile.exp %v : !tile.tile<1x96xf32>
      tile.store %e, %q[%t, %c0] : !tile.tile<1x96xf32>, memref<2x512xf32>
      %r0 = arith.addi %c0, %c96 : index
      %w = tile.load %x[%t, %r0] : memref<2x512xf32> -> !tile.tile<1x32xf32>
      %h0 = arith.muli %h, %c32 : index
      // expected-remark @below {{GM intermediate 'qr' of scope 'nope_rope' forwarded on chip: store and 1 load removed}}
      tile.store %w, %qr[%t, %h0] : !tile.tile<1x32xf32>, memref<2x128xf32>
    }
  }
  tile.spmd 8 name("rope") (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c4 : index
      %h = arith.remsi %b, %c4 : index
      %h0 = arith.muli %h, %c32 : index
      %w = tile.load %qr[%t, %h0] : memref<2x128xf32> -> !tile.tile<1x32xf32>
      %n = tile.neg %w : !tile.tile<1x32xf32>
      %c0 = arith.muli %h, %c128 : index
      %r0 = arith.addi %c0, %c96 : index
      tile.store %n, %q[%t, %r0] : !tile.tile<1x32xf32>, memref<2x512xf32>
    }
  }
  return
}

// -----

// A run of three: 'a' and 'b' fuse first; 'a_b' and 'c' then fuse too. 'm'
// is stored by 'a' and loaded by 'c', so it is only forwarded once 'c' is
// in; before that a scope other than 'a_b' uses it.
// CHECK-LABEL: func.func @three_scopes_fuse_in_turn
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 4 name("a_b_c")
// CHECK-NOT: tile.spmd
func.func @three_scopes_fuse_in_turn(%x: memref<4x32xf32>, %o: memref<4x32xf32>, %p: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %m = tile.alloc_gm name("m") : memref<4x32xf32>
  // expected-remark @below {{scopes 'a' and 'b' fused into 'a_b'}}
  // expected-remark @below {{scopes 'a_b' and 'c' fused into 'a_b_c'}}
  tile.spmd 4 name("a") (%b) {
    tile.at vector {
      %v = tile.load %x[%b, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
      %e = tile.exp %v : !tile.tile<1x32xf32>
      // expected-remark @below {{GM intermediate 'm' of scope 'a_b' kept: a scope other than this one uses it}}
      // expected-remark @below {{GM intermediate 'm' of scope 'a_b_c' forwarded on chip: store and 1 load removed}}
      tile.store %e, %m[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  tile.spmd 4 name("b") (%b) {
    tile.at vector {
      %v = tile.load %x[%b, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
      tile.store %v, %p[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  tile.spmd 4 name("c") (%b) {
    tile.at vector {
      %v = tile.load %m[%b, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
      tile.store %v, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  return
}

// -----

// Different grids, regrouped: per-token statistics (2 blocks, token t = b)
// then a per-token x per-chunk scaling (8 blocks: t = b / 4, chunk
// c = b % 4). The 8 blocks regroup by 8 / 2 = 4 consecutive ones: new block
// t runs old blocks 4 t + i, i in [0, 4), so t = (4 t + i) / 4 and
// c = (4 t + i) % 4 = i (tile-simplify-indices). The consumer then reads
// s[t, 0], what block t of the producer stored: fused, s forwarded.
// Footprint: the 1x64 row x (256 bytes) and r (32) in the first part, then
// per chunk a 1x16 tile (64 bytes) beside r: 256 + 32 = 288 bytes.
// CHECK-LABEL: func.func @stats_then_chunks_regrouped
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 2 name("stats_scale") (%[[B:.*]]) {
// CHECK: %[[R:.*]] = tile.row_sum
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[C:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK: %[[X:.*]] = tile.load %{{.*}}[%[[B]], %[[C]]] : memref<2x64xf32> -> !tile.tile<1x16xf32>
// CHECK: tile.row_expand_mul %[[X]], %[[R]]
// CHECK-NOT: tile.spmd
func.func @stats_then_chunks_regrouped(%a: memref<2x64xf32>, %o: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %s = tile.alloc_gm name("s") : memref<2x1xf32>
  // expected-remark @below {{scopes 'stats' and 'scale' fused into 'stats_scale': 2 blocks on vector cores (the 8 blocks of 'scale' regrouped by 4 consecutive ones), footprint 544 bytes of 188416 (vector UB)}}
  tile.spmd 2 name("stats") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<2x64xf32> -> !tile.tile<1x64xf32>
      %r = tile.row_sum %x : !tile.tile<1x64xf32> -> !tile.tile<1x1xf32>
      // expected-remark @below {{GM intermediate 's' of scope 'stats_scale' forwarded on chip: store and 1 load removed}}
      tile.store %r, %s[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
    }
  }
  tile.spmd 8 name("scale") (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c4 : index
      %c = arith.remsi %b, %c4 : index
      %c0c = arith.muli %c, %c16 : index
      %r = tile.load %s[%t, %c0] : memref<2x1xf32> -> !tile.tile<1x1xf32>
      %x = tile.load %a[%t, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
      %y = tile.row_expand_mul %x, %r : !tile.tile<1x16xf32>, !tile.tile<1x1xf32>
      tile.store %y, %o[%t, %c0c] : !tile.tile<1x16xf32>, memref<2x64xf32>
    }
  }
  return
}

// -----

// The consumer's blocks run column-major, b = 2 c + t (t = b % 2, the chunk
// c = b / 2): consecutive groups (old blocks 4 t' + i) mix tokens, so the
// consumer block t' would read s rows (4 t' + i) % 2 that other blocks
// wrote. Strided groups (old blocks 2 i + t', i in [0, 4)) keep the token:
// (2 i + t') % 2 = t' and (2 i + t') / 2 = i, so they fuse.
// CHECK-LABEL: func.func @column_major_consumer_regrouped_strided
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 2 name("stats_scale") (%[[B:.*]]) {
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: %[[C:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK: tile.load %{{.*}}[%[[B]], %[[C]]] : memref<2x64xf32> -> !tile.tile<1x16xf32>
func.func @column_major_consumer_regrouped_strided(%a: memref<2x64xf32>, %o: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %s = tile.alloc_gm name("s") : memref<2x1xf32>
  // expected-remark @below {{scopes 'stats' and 'scale' fused into 'stats_scale': 2 blocks on vector cores (the 8 blocks of 'scale' regrouped by 4 strided ones)}}
  tile.spmd 2 name("stats") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<2x64xf32> -> !tile.tile<1x64xf32>
      %r = tile.row_sum %x : !tile.tile<1x64xf32> -> !tile.tile<1x1xf32>
      // expected-remark @below {{GM intermediate 's' of scope 'stats_scale' forwarded on chip}}
      tile.store %r, %s[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
    }
  }
  tile.spmd 8 name("scale") (%b) {
    tile.at vector {
      %t = arith.remsi %b, %c2 : index
      %c = arith.divsi %b, %c2 : index
      %c0c = arith.muli %c, %c16 : index
      %r = tile.load %s[%t, %c0] : memref<2x1xf32> -> !tile.tile<1x1xf32>
      %x = tile.load %a[%t, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
      %y = tile.row_expand_mul %x, %r : !tile.tile<1x16xf32>, !tile.tile<1x1xf32>
      tile.store %y, %o[%t, %c0c] : !tile.tile<1x16xf32>, memref<2x64xf32>
    }
  }
  return
}

// -----

// The producer has more blocks: a per-chunk scaling (4 blocks over the 64
// columns of one row) then a one-block row sum over the stored row. Regrouped
// into one block, the producer's loop stores m in 4 chunks; a one-block grid
// has no other block to depend on, so the fusion is legal whatever the
// offsets.
// CHECK-LABEL: func.func @one_block_consumer
// CHECK: tile.spmd 1 name("scale_sum")
// CHECK-NOT: tile.spmd
func.func @one_block_consumer(%a: memref<1x64xf32>, %o: memref<1x1xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %m = tile.alloc_gm name("m") : memref<1x64xf32>
  // expected-remark @below {{scopes 'scale' and 'sum' fused into 'scale_sum': 1 blocks on vector cores (the 4 blocks of 'scale' regrouped by 4 consecutive ones)}}
  tile.spmd 4 name("scale") (%b) {
    tile.at vector {
      %c = arith.muli %b, %c16 : index
      %x = tile.load %a[%c0, %c] : memref<1x64xf32> -> !tile.tile<1x16xf32>
      %e = tile.exp %x : !tile.tile<1x16xf32>
      // expected-remark @below {{GM intermediate 'm' of scope 'scale_sum' kept: a load reads another slice than the store writes}}
      tile.store %e, %m[%c0, %c] : !tile.tile<1x16xf32>, memref<1x64xf32>
    }
  }
  tile.spmd 1 name("sum") (%b) {
    tile.at vector {
      %x = tile.load %m[%b, %c0] : memref<1x64xf32> -> !tile.tile<1x64xf32>
      %r = tile.row_sum %x : !tile.tile<1x64xf32> -> !tile.tile<1x1xf32>
      tile.store %r, %o[%b, %c0] : !tile.tile<1x1xf32>, memref<1x1xf32>
    }
  }
  return
}

// -----

// Recomputed rather than staged: 'ex' stores m = exp(a) in 4 chunks of
// 1x16xf32 (64 bytes) per row and carries their running sum, stored to o2;
// 'mx' reads the chunks back for a row max. The first loop carries a
// value, so the loops do not fuse; m is stored in a loop, so it is not
// forwarded as one tile. Per block, staging moves 4 x (64 read + 64
// written) + 4 + 4 x 64 + 4 = 776 bytes, recomputing exp(a) in the second
// loop 4 x 64 + 4 + 4 x 64 + 4 = 520.
// CHECK-LABEL: func.func @loop_intermediate_recomputed
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 2 name("ex_mx")
// CHECK: scf.for
// CHECK: scf.for
// CHECK: tile.load %arg0
// CHECK-NEXT: tile.exp
// CHECK-NOT: tile.spmd
func.func @loop_intermediate_recomputed(%a: memref<2x64xf32>, %o: memref<2x1xf32>, %o2: memref<2x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %m = tile.alloc_gm name("m") : memref<2x64xf32>
  // expected-remark @below {{scopes 'ex' and 'mx' fused into 'ex_mx'}}
  tile.spmd 2 name("ex") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x1xf32>
      %s = scf.for %c = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<1x1xf32>) {
        %c0c = arith.muli %c, %c16 : index
        %x = tile.load %a[%b, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
        %e = tile.exp %x : !tile.tile<1x16xf32>
        // expected-remark @below {{GM intermediate 'm' of scope 'ex_mx' recomputed at its 1 load: GM traffic 776 -> 520 bytes per block, footprint}}
        tile.store %e, %m[%b, %c0c] : !tile.tile<1x16xf32>, memref<2x64xf32>
        %r = tile.row_sum %e : !tile.tile<1x16xf32> -> !tile.tile<1x1xf32>
        %n = tile.add %acc, %r : !tile.tile<1x1xf32>
        scf.yield %n : !tile.tile<1x1xf32>
      }
      tile.store %s, %o2[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
    }
  }
  tile.spmd 2 name("mx") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x1xf32>
      %r = scf.for %c = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<1x1xf32>) {
        %c0c = arith.muli %c, %c16 : index
        %v = tile.load %m[%b, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
        %x = tile.row_max %v : !tile.tile<1x16xf32> -> !tile.tile<1x1xf32>
        %n = tile.max %acc, %x : !tile.tile<1x1xf32>
        scf.yield %n : !tile.tile<1x1xf32>
      }
      tile.store %r, %o[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
    }
  }
  return
}

// -----

// Loop fusion and forwarding inside the fused scope: 'ex' stores m = exp(a)
// chunk by chunk in a loop without carried values, 'mx' reads the same
// chunks in a loop of the same bounds. Chunk j is columns 16 j + [0, 16) of
// row b in both: each iteration owns its slice (16 j + 0, extent 16, inside
// one period of 16), so the loops fuse; the load then follows the store of
// the same slice in one iteration and takes the stored tile, and m, stored
// but never loaded, goes.
// CHECK-LABEL: func.func @loops_fuse_and_forward
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 2 name("ex_mx")
// CHECK: scf.for
// CHECK: %[[X:.*]] = tile.load %arg0
// CHECK-NEXT: %[[E:.*]] = tile.exp %[[X]]
// CHECK-NEXT: tile.row_max %[[E]]
// CHECK-NOT: scf.for
func.func @loops_fuse_and_forward(%a: memref<2x64xf32>, %o: memref<2x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %m = tile.alloc_gm name("m") : memref<2x64xf32>
  // expected-remark @below {{scopes 'ex' and 'mx' fused into 'ex_mx'}}
  // expected-remark @below {{scope 'ex_mx': 1 load of GM intermediates forwarded from the store before it in the same loop iteration}}
  tile.spmd 2 name("ex") (%b) {
    tile.at vector {
      scf.for %c = %c0 to %c4 step %c1 {
        %c0c = arith.muli %c, %c16 : index
        %x = tile.load %a[%b, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
        %e = tile.exp %x : !tile.tile<1x16xf32>
        // expected-remark @below {{GM intermediate 'm' of scope 'ex_mx' removed: nothing loads it any more}}
        tile.store %e, %m[%b, %c0c] : !tile.tile<1x16xf32>, memref<2x64xf32>
      }
    }
  }
  tile.spmd 2 name("mx") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x1xf32>
      // expected-remark @below {{loops of scope 'ex_mx' fused: each iteration of the second touches only what the same iteration of the first did}}
      %r = scf.for %c = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<1x1xf32>) {
        %c0c = arith.muli %c, %c16 : index
        %v = tile.load %m[%b, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
        %x = tile.row_max %v : !tile.tile<1x16xf32> -> !tile.tile<1x1xf32>
        %n = tile.max %acc, %x : !tile.tile<1x1xf32>
        scf.yield %n : !tile.tile<1x1xf32>
      }
      tile.store %r, %o[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
    }
  }
  return
}

// -----

// Loop-variable offsets inside one period: block h of 'nrm' stores the 4
// chunks of head h, columns 64 h + 16 j for j in [0, 4), and block h of
// 'rot' loads columns 64 h + 16 k: both are h x 64 + r with r in [0, 48]
// plus a 16-column extent, inside [0, 64), so two blocks can only touch
// one column when they share h, i.e. are the same block. Fused; the two
// loops then fuse too (chunk j is 64 h + 16 j + [0, 16) in both, owned by
// iteration j), the load takes the stored chunk and m goes.
// CHECK-LABEL: func.func @loop_offsets_in_one_period_fuse
// CHECK: tile.spmd 4 name("nrm_rot")
// CHECK-NOT: tile.spmd
func.func @loop_offsets_in_one_period_fuse(%a: memref<1x256xf32>, %o: memref<1x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %m = tile.alloc_gm name("m") : memref<1x256xf32>
  // expected-remark @below {{scopes 'nrm' and 'rot' fused into 'nrm_rot': 4 blocks on vector cores}}
  // expected-remark @below {{scope 'nrm_rot': 1 load of GM intermediates forwarded}}
  tile.spmd 4 name("nrm") (%h) {
    tile.at vector {
      %h0 = arith.muli %h, %c64 : index
      scf.for %j = %c0 to %c4 step %c1 {
        %j0 = arith.muli %j, %c16 : index
        %c = arith.addi %h0, %j0 : index
        %x = tile.load %a[%c0, %c] : memref<1x256xf32> -> !tile.tile<1x16xf32>
        %e = tile.exp %x : !tile.tile<1x16xf32>
        // expected-remark @below {{GM intermediate 'm' of scope 'nrm_rot' removed: nothing loads it any more}}
        tile.store %e, %m[%c0, %c] : !tile.tile<1x16xf32>, memref<1x256xf32>
      }
    }
  }
  tile.spmd 4 name("rot") (%h) {
    tile.at vector {
      %h0 = arith.muli %h, %c64 : index
      // expected-remark @below {{loops of scope 'nrm_rot' fused}}
      scf.for %k = %c0 to %c4 step %c1 {
        %k0 = arith.muli %k, %c16 : index
        %c = arith.addi %h0, %k0 : index
        %v = tile.load %m[%c0, %c] : memref<1x256xf32> -> !tile.tile<1x16xf32>
        %n = tile.neg %v : !tile.tile<1x16xf32>
        tile.store %n, %o[%c0, %c] : !tile.tile<1x16xf32>, memref<1x256xf32>
      }
    }
  }
  return
}

// -----

// Sibling fusion: 'ex' and 'dbl' both read rows of x and share nothing with
// the cube scope 'mm' between them, so 'dbl' moves up past 'mm' and fuses
// with 'ex' (the second load of row b stays: CSE does not look past the
// store to y between them). Modelled apart: two one-wave scopes of 512
// bytes a block, 2 x (0.8 + 0.02) = 1.64 us; fused: 0.8 + 0.04 = 0.84 us.
// CHECK-LABEL: func.func @sibling_moves_up_and_fuses
// CHECK: tile.spmd 8 name("ex_dbl")
// CHECK: tile.exp
// CHECK: tile.add
// CHECK: tile.spmd 1 name("mm")
// CHECK-NOT: tile.spmd
func.func @sibling_moves_up_and_fuses(%x: memref<8x64xf32>, %y: memref<8x64xf32>, %z: memref<8x64xf32>,
                                       %a: memref<16x16xf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scopes 'ex' and 'dbl' fused into 'ex_dbl': 8 blocks on vector cores}}
  // expected-remark @below {{scope 'dbl' moved up past 'mm' (no dependency) to fuse with 'ex'}}
  tile.spmd 8 name("ex") (%b) {
    tile.at vector {
      %v = tile.load %x[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
      %e = tile.exp %v : !tile.tile<1x64xf32>
      tile.store %e, %y[%b, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
    }
  }
  // expected-remark @below {{scopes 'ex' and 'mm' not fused: different core kinds (vector and cube)}}
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %l = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %m = tile.matmul %l, %l : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  // expected-remark @below {{scopes 'mm' and 'dbl' not fused: different core kinds (cube and vector)}}
  tile.spmd 8 name("dbl") (%b) {
    tile.at vector {
      %v = tile.load %x[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
      %d = tile.add %v, %v : !tile.tile<1x64xf32>
      tile.store %d, %z[%b, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
    }
  }
  return
}

// -----

// Partial sums added atomically by two scopes into overlapping slices of
// one output (pl.assemble(..., atomic=pl.AtomicType.Add)): every block of
// 'add1' adds into rows 0..7, every block of 'add2' into rows 4..7. Plain
// stores would be a cross-block dependency (another slice, every block);
// atomic adds commute, so the scopes fuse.
// CHECK-LABEL: func.func @atomic_adds_fuse
// CHECK: tile.spmd 4 name("add1_add2")
// CHECK: tile.store {{.*}} {atomic_add} : !tile.tile<8x16xf32>
// CHECK: tile.store {{.*}} {atomic_add} : !tile.tile<4x16xf32>
// CHECK-NOT: tile.spmd
func.func @atomic_adds_fuse(%a: memref<32x16xf32>, %o: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  // expected-remark @below {{scopes 'add1' and 'add2' fused into 'add1_add2'}}
  tile.spmd 4 name("add1") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.load %a[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      tile.store %x, %o[%c0, %c0] {atomic_add} : !tile.tile<8x16xf32>, memref<8x16xf32>
    }
  }
  tile.spmd 4 name("add2") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.load %a[%r, %c0] : memref<32x16xf32> -> !tile.tile<4x16xf32>
      tile.store %x, %o[%c4, %c0] {atomic_add} : !tile.tile<4x16xf32>, memref<8x16xf32>
    }
  }
  return
}
