// RUN: tessel-opt %s -split-input-file -tile-fuse-scopes -verify-diagnostics | FileCheck %s
// RUN: not tessel-opt %s -split-input-file -tile-fuse-scopes=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// Pairs of scopes the pass keeps apart, and a GM intermediate it keeps
// (a2a3: 188416 usable bytes of vector UB).

// 8 blocks then 16: block b of the one is not block b of the other, and
// regrouping the 16 does not help. Consecutive pairs: new block b runs rows
// 2b and 2b + 1, which blocks 2b and 2b + 1 of 'p' wrote. Strided: new
// block b runs rows b and 8 + b; 'p' wrote row b in block b, but the offset
// 8 i + b is no function of the block alone (i is a loop variable), so the
// check cannot prove the rows apart and keeps the scopes apart.
// CHECK-LABEL: func.func @different_grids
// CHECK-COUNT-2: tile.spmd
func.func @different_grids(%a: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 8 name("p") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
    }
  }
  // expected-remark @below {{scopes 'p' and 'c' not fused: different decomposition (8 and 16 blocks); regrouping the 16 blocks by 2 does not help (consecutive: cross-block dependency on argument 0: a block may touch what another block wrote; strided: cross-block dependency on argument 0: a block may touch what another block wrote)}}
  tile.spmd 16 name("c") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// 8 blocks then 12: 8 does not divide 12, so no regrouping matches them.
// CHECK-LABEL: func.func @grids_not_multiples
// CHECK-COUNT-2: tile.spmd
func.func @grids_not_multiples(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 8 name("p") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
    }
  }
  // expected-remark @below {{scopes 'p' and 'c' not fused: different decomposition (8 and 12 blocks), 8 does not divide 12}}
  tile.spmd 12 name("c") (%b) {
    tile.at vector {
      %x = tile.load %o[%b, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A cube scope then a vector scope: they run on different cores.
// CHECK-LABEL: func.func @different_core_kinds
// CHECK-COUNT-2: tile.spmd
func.func @different_core_kinds(%x: memref<16x16xf16>, %o: memref<2x16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 name("mm") (%b) {
    tile.at cube {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %l = tile.load %x[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %m = tile.matmul_acc %z, %l, %l : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%b, %c0, %c0] : !tile.tile<16x16xf32>, memref<2x16x16xf32>
    }
  }
  // expected-remark @below {{scopes 'mm' and 'ex' not fused: different core kinds (cube and vector)}}
  tile.spmd 2 name("ex") (%b) {
    tile.at vector {
      %v = tile.load %o[%b, %c0, %c0] : memref<2x16x16xf32> -> !tile.tile<16x16xf32>
      %e = tile.exp %v : !tile.tile<16x16xf32>
      tile.store %e, %o[%b, %c0, %c0] : !tile.tile<16x16xf32>, memref<2x16x16xf32>
    }
  }
  return
}

// -----

// Block b of the consumer reads row b + 1, which block b + 1 of the producer
// writes: fused, block b could read it before block b + 1 wrote it.
// CHECK-LABEL: func.func @neighbour_row_is_cross_block
// CHECK-COUNT-2: tile.spmd
func.func @neighbour_row_is_cross_block(%a: memref<9x32xf32>, %o: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tile.alloc_gm name("m") : memref<9x32xf32>
  tile.spmd 8 name("p") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %m[%b, %c0] : !tile.tile<1x32xf32>, memref<9x32xf32>
    }
  }
  // expected-remark @below {{scopes 'p' and 'c' not fused: cross-block dependency on 'm': a block may touch what another block wrote}}
  tile.spmd 8 name("c") (%b) {
    tile.at vector {
      %n = arith.addi %b, %c1 : index
      %x = tile.load %m[%n, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  return
}

// -----

// The consumer reads every row of the intermediate in a loop: its offset
// depends on a loop variable, not on the block index alone.
// CHECK-LABEL: func.func @loop_offset_is_cross_block
// CHECK-COUNT-2: tile.spmd
func.func @loop_offset_is_cross_block(%a: memref<4x32xf32>, %o: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %m = tile.alloc_gm name("m") : memref<4x32xf32>
  tile.spmd 4 name("p") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %m[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  // expected-remark @below {{scopes 'p' and 'c' not fused: cross-block dependency on 'm': a block may touch what another block wrote}}
  tile.spmd 4 name("c") (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c4 step %c1 {
        %x = tile.load %m[%i, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
        tile.store %x, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
      }
    }
  }
  return
}

// -----

// The consumer writes a row the producer reads in another block (b + 1):
// a write after read across blocks.
// CHECK-LABEL: func.func @write_after_read_across_blocks
// CHECK-COUNT-2: tile.spmd
func.func @write_after_read_across_blocks(%a: memref<9x32xf32>, %o: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 8 name("p") (%b) {
    tile.at vector {
      %n = arith.addi %b, %c1 : index
      %x = tile.load %a[%n, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  // expected-remark @below {{scopes 'p' and 'c' not fused: cross-block dependency on argument 0: a block may touch what another block read}}
  tile.spmd 8 name("c") (%b) {
    tile.at vector {
      %x = tile.load %o[%b, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<9x32xf32>
    }
  }
  return
}

// -----

// Fused, but the intermediate stays in GM: kept on chip, its 1x30000xf32
// tile (120000 bytes) would be live across the consumer's 1x20000xf32 row
// (80000 bytes) and its 1x1 sum (32): 120000 + 80000 + 32 = 200032 >
// 188416 bytes. Without forwarding the two never meet: the fused peak is
// the consumer's reload of the intermediate, 120000 bytes (the scaling is
// in place).
// CHECK-LABEL: func.func @forwarding_would_not_fit
// CHECK: tile.alloc_gm name("big")
// CHECK: tile.spmd 2 name("p_c")
// CHECK: tile.store %{{.*}}, %{{.*}} : !tile.tile<1x30000xf32>
// CHECK: tile.load %{{.*}} : memref<2x30000xf32> -> !tile.tile<1x30000xf32>
// Row reductions also hold a scratch tile of their source's size at the
// reduction (TROWSUM's tmp, docs/pto.md), which these footprints include:
// fused 160032 bytes, forwarded 280032 > 188416; the decisions are the same.
func.func @forwarding_would_not_fit(%a: memref<2x30000xf32>, %w: memref<2x20000xf32>,
                                    %s: memref<2x1xf32>, %o: memref<2x30000xf32>) {
  %c0 = arith.constant 0 : index
  %big = tile.alloc_gm name("big") : memref<2x30000xf32>
  // expected-remark @below {{scopes 'p' and 'c' fused into 'p_c': 2 blocks on vector cores, footprint 160032 bytes of 188416 (vector UB)}}
  tile.spmd 2 name("p") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<2x30000xf32> -> !tile.tile<1x30000xf32>
      %e = tile.exp %x : !tile.tile<1x30000xf32>
      // expected-remark @below {{GM intermediate 'big' of scope 'p_c' kept: forwarding it does not fit: 280032 bytes of 188416 (vector UB)}}
      tile.store %e, %big[%b, %c0] : !tile.tile<1x30000xf32>, memref<2x30000xf32>
    }
  }
  tile.spmd 2 name("c") (%b) {
    tile.at vector {
      %v = tile.load %w[%b, %c0] : memref<2x20000xf32> -> !tile.tile<1x20000xf32>
      %r = tile.row_sum %v : !tile.tile<1x20000xf32> -> !tile.tile<1x1xf32>
      tile.store %r, %s[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
      %y = tile.load %big[%b, %c0] : memref<2x30000xf32> -> !tile.tile<1x30000xf32>
      %z = tile.exp %y : !tile.tile<1x30000xf32>
      tile.store %z, %o[%b, %c0] : !tile.tile<1x30000xf32>, memref<2x30000xf32>
    }
  }
  return
}

// -----

// Blocks 2k and 2k + 1 share row k of m, but only the even block stores it:
// the store of block b is f(b) = b / 2 under scf.if, so it does not show
// that two blocks' slices are disjoint. Fused, block 1 could read row 0
// before block 0 wrote it.
// CHECK-LABEL: func.func @conditional_store_proves_nothing
// CHECK-COUNT-2: tile.spmd
func.func @conditional_store_proves_nothing(%a: memref<8x32xf32>, %o: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %m = tile.alloc_gm name("m") : memref<4x32xf32>
  tile.spmd 8 name("p") (%b) {
    tile.at vector {
      %r = arith.divsi %b, %c2 : index
      %odd = arith.remsi %b, %c2 : index
      %even = arith.cmpi eq, %odd, %c0 : index
      scf.if %even {
        %x = tile.load %a[%b, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
        tile.store %x, %m[%r, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
      }
    }
  }
  // expected-remark @below {{scopes 'p' and 'c' not fused: cross-block dependency on 'm': a block may touch what another block wrote}}
  tile.spmd 8 name("c") (%b) {
    tile.at vector {
      %r = arith.divsi %b, %c2 : index
      %x = tile.load %m[%r, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  return
}

// -----

// Bad options are errors on the module and change nothing.
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5
// CHECK-LABEL: func.func @bad_options
// CHECK-COUNT-2: tile.spmd
func.func @bad_options(%a: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 4 (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  // expected-remark @below {{scopes 'spmd' and 'spmd' not fused: different decomposition (4 and 8 blocks)}}
  tile.spmd 8 (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
    }
  }
  return
}

// -----

// Staged because recomputing costs more: each chunk of m is the 1x1 row
// sum of a 1x256xf32 chunk (1024 bytes) and two later loops read m back
// (the first loop carries a count, so no loop fuses with it). Per block,
// staging moves 4 x (1024 + 4) + 2 x 4 x 4 + 3 x 4 = 4156 bytes;
// recomputing in both loops (the first loop's load then goes, its count
// stays) 2 x 4 x 1024 + 3 x 4 = 8204.
// CHECK-LABEL: func.func @recompute_costs_more
// CHECK: tile.alloc_gm name("m")
func.func @recompute_costs_more(%a: memref<2x1024xf32>, %o: memref<2x3xf32>) {
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  %m = tile.alloc_gm name("m") : memref<2x4xf32>
  // expected-remark @below {{scopes 'sums' and 'use' fused into 'sums_use'}}
  tile.spmd 2 name("sums") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x1xf32>
      %n = scf.for %c = %c0 to %c4 step %c1 iter_args(%k = %z) -> (!tile.tile<1x1xf32>) {
        %c0c = arith.muli %c, %c256 : index
        %x = tile.load %a[%b, %c0c] : memref<2x1024xf32> -> !tile.tile<1x256xf32>
        %s = tile.row_sum %x : !tile.tile<1x256xf32> -> !tile.tile<1x1xf32>
        // expected-remark @below {{GM intermediate 'm' of scope 'sums_use' kept: recomputing it at its 2 loads would move 8204 GM bytes per block, staging it moves 4156}}
        tile.store %s, %m[%b, %c] : !tile.tile<1x1xf32>, memref<2x4xf32>
        %k1 = tile.adds %k, %one : !tile.tile<1x1xf32>
        scf.yield %k1 : !tile.tile<1x1xf32>
      }
      tile.store %n, %o[%b, %c2] : !tile.tile<1x1xf32>, memref<2x3xf32>
    }
  }
  tile.spmd 2 name("use") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x1xf32>
      %r = scf.for %c = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<1x1xf32>) {
        %v = tile.load %m[%b, %c] : memref<2x4xf32> -> !tile.tile<1x1xf32>
        %n = tile.add %acc, %v : !tile.tile<1x1xf32>
        scf.yield %n : !tile.tile<1x1xf32>
      }
      %q = scf.for %c = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<1x1xf32>) {
        %v = tile.load %m[%b, %c] : memref<2x4xf32> -> !tile.tile<1x1xf32>
        %n = tile.max %acc, %v : !tile.tile<1x1xf32>
        scf.yield %n : !tile.tile<1x1xf32>
      }
      tile.store %r, %o[%b, %c0] : !tile.tile<1x1xf32>, memref<2x3xf32>
      tile.store %q, %o[%b, %c1] : !tile.tile<1x1xf32>, memref<2x3xf32>
    }
  }
  return
}

// -----

// Not recomputable: the stored chunk is computed from o, which the fused
// scope itself writes (after the loads of m): a clone of the load at the
// use could read what the scope wrote since. (The first loop carries a
// value, so the two loops do not fuse.)
// CHECK-LABEL: func.func @recompute_reads_written_tensor
// CHECK: tile.alloc_gm name("m")
func.func @recompute_reads_written_tensor(%o: memref<2x64xf32>, %k: memref<2x1xf32>) {
  %one = arith.constant 1.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %m = tile.alloc_gm name("m") : memref<2x64xf32>
  // expected-remark @below {{scopes 'ex' and 'back' fused into 'ex_back'}}
  tile.spmd 2 name("ex") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<1x1xf32>
      %n = scf.for %c = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<1x1xf32>) {
        %c0c = arith.muli %c, %c16 : index
        %x = tile.load %o[%b, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
        %e = tile.exp %x : !tile.tile<1x16xf32>
        // expected-remark @below {{GM intermediate 'm' of scope 'ex_back' kept: the stored tile reads a tensor the scope writes}}
        tile.store %e, %m[%b, %c0c] : !tile.tile<1x16xf32>, memref<2x64xf32>
        %a1 = tile.adds %acc, %one : !tile.tile<1x1xf32>
        scf.yield %a1 : !tile.tile<1x1xf32>
      }
      tile.store %n, %k[%b, %c0] : !tile.tile<1x1xf32>, memref<2x1xf32>
    }
  }
  tile.spmd 2 name("back") (%b) {
    tile.at vector {
      scf.for %c = %c0 to %c4 step %c1 {
        %c0c = arith.muli %c, %c16 : index
        %v = tile.load %m[%b, %c0c] : memref<2x64xf32> -> !tile.tile<1x16xf32>
        tile.store %v, %o[%b, %c0c] : !tile.tile<1x16xf32>, memref<2x64xf32>
      }
    }
  }
  return
}

// -----

// Loop-variable offsets that leave the period: block h of 'rot' loads
// columns 64 h + 16 k for k in [0, 5), up to 64 h + 80, into the head of
// block h + 1, which 'nrm' wrote in another block.
// CHECK-LABEL: func.func @loop_offsets_past_the_period
// CHECK-COUNT-2: tile.spmd
func.func @loop_offsets_past_the_period(%a: memref<1x320xf32>, %o: memref<1x320xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %m = tile.alloc_gm name("m") : memref<1x320xf32>
  tile.spmd 4 name("nrm") (%h) {
    tile.at vector {
      %h0 = arith.muli %h, %c64 : index
      scf.for %j = %c0 to %c4 step %c1 {
        %j0 = arith.muli %j, %c16 : index
        %c = arith.addi %h0, %j0 : index
        %x = tile.load %a[%c0, %c] : memref<1x320xf32> -> !tile.tile<1x16xf32>
        tile.store %x, %m[%c0, %c] : !tile.tile<1x16xf32>, memref<1x320xf32>
      }
    }
  }
  // expected-remark @below {{scopes 'nrm' and 'rot' not fused: cross-block dependency on 'm': a block may touch what another block wrote}}
  tile.spmd 4 name("rot") (%h) {
    tile.at vector {
      %h0 = arith.muli %h, %c64 : index
      scf.for %k = %c0 to %c5 step %c1 {
        %k0 = arith.muli %k, %c16 : index
        %c = arith.addi %h0, %k0 : index
        %v = tile.load %m[%c0, %c] : memref<1x320xf32> -> !tile.tile<1x16xf32>
        tile.store %v, %o[%c0, %c] : !tile.tile<1x16xf32>, memref<1x320xf32>
      }
    }
  }
  return
}

// -----

// Capacity: the fused scope must fit. Here the producer's 1x50000xf32 row
// (200000 bytes) alone exceeds the 188416 bytes of vector UB, so the fused
// scope cannot be placed and the pair stays apart (tile-place-buffers then
// reports the producer's overflow with its memory map).
// CHECK-LABEL: func.func @fused_scope_over_capacity
// CHECK-COUNT-2: tile.spmd
func.func @fused_scope_over_capacity(%a: memref<2x50000xf32>, %o: memref<2x50000xf32>, %p: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 name("big") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<2x50000xf32> -> !tile.tile<1x50000xf32>
      tile.store %x, %o[%b, %c0] : !tile.tile<1x50000xf32>, memref<2x50000xf32>
    }
  }
  // expected-remark @below {{scopes 'big' and 'small' not fused: capacity: the fused scope needs 200000 bytes of 188416 (vector UB)}}
  tile.spmd 2 name("small") (%b) {
    tile.at vector {
      %y = tile.load %p[%b, %c0] : memref<2x64xf32> -> !tile.tile<1x64xf32>
      tile.store %y, %p[%b, %c0] : !tile.tile<1x64xf32>, memref<2x64xf32>
    }
  }
  return
}

// -----

// Modelled slower fused (the per-pipe model, estimateScope): 'rows' has 96
// blocks of a 16384-byte load and store (1.31 us at the 25e9 B/s HBM share
// of 48 cores), best as 12 tasks of 8 in one wave (A = 12: 100e9 B/s, the
// per-core cap; 0.328 us a block), 0.8 + 8 x 0.328 = 3.42 us; 'one' is 1
// block of 256 + 256 bytes, 0.81 us; apart the kernel also has one more
// scope boundary (2 us): 6.23 us. Matching 'one', the 96 blocks would run
// in one task on one core, their group loop pipelined (MTE2 and MTE3 of
// 0.164 us each overlap): 0.8 + 96 x 0.164 + 0.164 + 'one's 5 ns = 16.70
// us. The scopes run one after the other, so they stay apart.
// CHECK-LABEL: func.func @fusion_modelled_slower
// CHECK-COUNT-2: tile.spmd
func.func @fusion_modelled_slower(%a: memref<96x4096xf32>, %o: memref<96x4096xf32>, %x: memref<1x64xf32>, %y: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 96 name("rows") (%b) {
    tile.at vector {
      %v = tile.load %a[%b, %c0] : memref<96x4096xf32> -> !tile.tile<1x4096xf32>
      tile.store %v, %o[%b, %c0] : !tile.tile<1x4096xf32>, memref<96x4096xf32>
    }
  }
  // expected-remark @below {{scopes 'rows' and 'one' not fused: the fused scope is modelled slower, 16.70 us against 6.23 us apart (the 96 blocks of 'rows' regrouped by 96 consecutive ones)}}
  tile.spmd 1 name("one") (%b) {
    tile.at vector {
      %v = tile.load %x[%c0, %c0] : memref<1x64xf32> -> !tile.tile<1x64xf32>
      tile.store %v, %y[%c0, %c0] : !tile.tile<1x64xf32>, memref<1x64xf32>
    }
  }
  return
}

// -----

// No sibling fusion across a dependency: 'dbl' reads o, which the cube
// scope 'mm' between writes, so it stays after 'mm' (the attempt is silent;
// only the adjacent pairs report).
// CHECK-LABEL: func.func @sibling_blocked_by_dependency
// CHECK: tile.spmd 8 name("ex")
// CHECK: tile.spmd 1 name("mm")
// CHECK: tile.spmd 8 name("dbl")
func.func @sibling_blocked_by_dependency(%x: memref<8x64xf32>, %y: memref<8x64xf32>, %z: memref<8x64xf32>,
                                          %a: memref<16x16xf16>, %o: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
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
      %r = tile.reshape %m : !tile.tile<16x16xf32> -> !tile.tile<4x64xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<4x64xf32>, memref<8x64xf32>
    }
  }
  // expected-remark @below {{scopes 'mm' and 'dbl' not fused: different core kinds (cube and vector)}}
  tile.spmd 8 name("dbl") (%b) {
    tile.at vector {
      %v = tile.load %o[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
      %d = tile.add %v, %v : !tile.tile<1x64xf32>
      tile.store %d, %z[%b, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
    }
  }
  return
}
