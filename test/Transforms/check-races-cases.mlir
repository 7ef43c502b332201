// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics
// RUN: tessel-opt %s -split-input-file -tile-check-races=report-time 2>&1 | FileCheck %s
// RUN: not tessel-opt %s -split-input-file -tile-check-races=max-cases=2 -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT

// Kernels whose accesses are under many two-way cases: truncating divisions
// and remainders (x >= 0 or x < 0), selects, min / max clamps. Their product
// used to be expanded in full (more than 4096 conjunctions: "too many
// cases"); now a disjunct the access's own constraints exclude is dropped
// when the set is built, Python's floor division and remainder written
// with truncating ops is one floor quotient, and a question splits only the
// cases its points violate (docs/races.md). The report-time remark counts
// the case systems each file split decided. The racy counterparts are in
// check-races-cases-invalid.mlir.
//
// A question that needs more case systems than the limit (option
// max-cases, 4096 by default) is undecided, never a pass: with max-cases=2
// (LIMIT) each one is an error saying so -- independence at the pair, and,
// unlike before (a silent pass), bounds at the slice.

// DeepSeek-V4 sparse attention's output packing (pypto-lib's
// decode_sparse_attn_hca, scope merge_norm): 8 blocks = 2 tokens x 4
// head tiles of 4 heads. Block b handles token t = b // 4 and heads
// h = 4 (b % 4) + i, i = 0 .. 3 (unrolled: one store each); head h of token
// t goes to row (h // 8) * 2 + t and columns (h % 8) * 16 .. + 15 of a
// [4, 128] tensor. The frontend writes h // 8 and h % 8 as Python's floor
// division and remainder of an index it cannot prove non-negative:
// select(remsi(h, 8) < 0, divsi(h, 8) - 1, divsi(h, 8)) and
// select(remsi(h, 8) < 0, remsi(h, 8) + 8, remsi(h, 8)).
//
// Cases before: per store, divsi(b, 4) 2 (b >= 0 or b < 0), divsi(h, 8) 2,
// remsi(h, 8) 2 (twice, one per select) and the selects 2 each: 2^6 = 64;
// a pair of stores 64 * 64 * 2 (b < b' or b > b') = 8192 > 4096.
// Now: b >= 0 leaves divsi(b, 4) one case (floor); each select is one floor
// quotient q of h (8 q <= h <= 8 q + 7, shared by both): no clause is left
// on a store. 10 pairs (4 stores, each with itself too) are decided with
// their one clause b < b' or b > b': a store with itself in 3 systems (the
// rational relaxation has a point between two blocks; each case of the
// clause has no integer one), the 6 pairs of distinct stores in 1 (no
// rational point); the 8 bounds questions (4 stores x 2 dimensions) in 2
// each (below 0, past the end): 4 * 3 + 6 + 16 = 34.
// LIMIT: check-races-cases.mlir:[[#@LINE+30]]:7: error: cannot prove the blocks of scope 'merge_norm' independent: the conditions on two accesses have too many cases (more than 2 case systems to decide)
// CHECK-LABEL: remark: race check: {{[0-9.]+}} ms, 18 questions, 34 case systems (at most 3 for one question)
func.func @packed_heads(%out: memref<4x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  tile.spmd 8 name("merge_norm") (%b) {
    tile.at vector {
      %t = arith.divsi %b, %c4 : index
      %t4 = arith.muli %t, %c4 : index
      %hi = arith.subi %b, %t4 : index
      %h0 = arith.muli %hi, %c4 : index
      %x = tile.full 1.0 : !tile.tile<1x16xf32>
      // i = 0
      %q0 = arith.divsi %h0, %c8 : index
      %r0 = arith.remsi %h0, %c8 : index
      %n0 = arith.cmpi slt, %r0, %c0 : index
      %p0 = arith.subi %q0, %c1 : index
      %g0 = arith.select %n0, %p0, %q0 : index
      %s0 = arith.muli %g0, %c2 : index
      %row0 = arith.addi %s0, %t : index
      %m0 = arith.remsi %h0, %c8 : index
      %k0 = arith.cmpi slt, %m0, %c0 : index
      %a0 = arith.addi %m0, %c8 : index
      %e0 = arith.select %k0, %a0, %m0 : index
      %col0 = arith.muli %e0, %c16 : index
      tile.store %x, %out[%row0, %col0] : !tile.tile<1x16xf32>, memref<4x128xf32>
      // i = 1
      %h1 = arith.addi %h0, %c1 : index
      %q1 = arith.divsi %h1, %c8 : index
      %r1 = arith.remsi %h1, %c8 : index
      %n1 = arith.cmpi slt, %r1, %c0 : index
      %p1 = arith.subi %q1, %c1 : index
      %g1 = arith.select %n1, %p1, %q1 : index
      %s1 = arith.muli %g1, %c2 : index
      %row1 = arith.addi %s1, %t : index
      %m1 = arith.remsi %h1, %c8 : index
      %k1 = arith.cmpi slt, %m1, %c0 : index
      %a1 = arith.addi %m1, %c8 : index
      %e1 = arith.select %k1, %a1, %m1 : index
      %col1 = arith.muli %e1, %c16 : index
      tile.store %x, %out[%row1, %col1] : !tile.tile<1x16xf32>, memref<4x128xf32>
      // i = 2
      %h2 = arith.addi %h0, %c2 : index
      %q2 = arith.divsi %h2, %c8 : index
      %r2 = arith.remsi %h2, %c8 : index
      %n2 = arith.cmpi slt, %r2, %c0 : index
      %p2 = arith.subi %q2, %c1 : index
      %g2 = arith.select %n2, %p2, %q2 : index
      %s2 = arith.muli %g2, %c2 : index
      %row2 = arith.addi %s2, %t : index
      %m2 = arith.remsi %h2, %c8 : index
      %k2 = arith.cmpi slt, %m2, %c0 : index
      %a2 = arith.addi %m2, %c8 : index
      %e2 = arith.select %k2, %a2, %m2 : index
      %col2 = arith.muli %e2, %c16 : index
      tile.store %x, %out[%row2, %col2] : !tile.tile<1x16xf32>, memref<4x128xf32>
      // i = 3
      %h3 = arith.addi %h0, %c3 : index
      %q3 = arith.divsi %h3, %c8 : index
      %r3 = arith.remsi %h3, %c8 : index
      %n3 = arith.cmpi slt, %r3, %c0 : index
      %p3 = arith.subi %q3, %c1 : index
      %g3 = arith.select %n3, %p3, %q3 : index
      %s3 = arith.muli %g3, %c2 : index
      %row3 = arith.addi %s3, %t : index
      %m3 = arith.remsi %h3, %c8 : index
      %k3 = arith.cmpi slt, %m3, %c0 : index
      %a3 = arith.addi %m3, %c8 : index
      %e3 = arith.select %k3, %a3, %m3 : index
      %col3 = arith.muli %e3, %c16 : index
      tile.store %x, %out[%row3, %col3] : !tile.tile<1x16xf32>, memref<4x128xf32>
    }
  }
  return
}

// -----

// DeepSeek-V4 indexer scores (pypto-lib's decode_indexer, scope score):
// 8 blocks = 4 tokens x 2 lanes. Token t's visible length is data:
// len = min(min(kv_len[t] // 4, (pos[t] + 1) // 4), 4096) (pl.read values:
// free integers). Its n = ceil(len / 32) tiles of 32 scores are split
// between the lanes: lane s writes tiles s, s + 2, ..., in a 2-stage
// pipeline of (n - s + 1) // 2 iterations (a Python floor division of a
// value that may be negative), tile c at row t, columns
// min(max(32 c, 0), 4064) .. + 31, after a matmul with a page of a KV
// cache whose row is read from a block table (a data-dependent clamped
// offset, another tensor).
//
// Cases before, per store: the two min of len 2 * 2, the floor idiom of the
// trip count 2 (divsi) * 2 (remsi) * 2 (select), divsi(u, 2) 2, the clamp
// max 2 and min 2: 2^8 = 256; the store with itself 256 * 256 * 2 = 131072.
// Now: u >= 0 and 32 c >= 0 drop divsi's negative case and the max; the
// trip count is one floor quotient. Left per store: the two min of len and
// the clamp's min (3 clauses); the question splits the clamp's min (its
// rational point violates it) and finds no integer point in any case:
// tiles of lane 0 are even, of lane 1 odd, and the clamp never acts
// (c <= n - 1 <= 127, as len <= 4096): 11 systems. The other questions:
// bounds of the store (2 dimensions) and of the four loads (1, 1, 1 and 2
// dimensions).
// CHECK-LABEL: remark: race check: {{[0-9.]+}} ms, 8 questions, 31 case systems (at most 11 for one question)
// LIMIT-DAG: check-races-cases.mlir:[[#@LINE+52]]:15: error: cannot prove the slice in bounds in dimension 0 of argument 2: the conditions on the access have too many cases (more than 2 case systems to decide)
// LIMIT-DAG: check-races-cases.mlir:[[#@LINE+57]]:15: error: cannot prove the slice in bounds in dimension 0 of argument 3: the conditions on the access have too many cases (more than 2 case systems to decide)
// LIMIT-DAG: check-races-cases.mlir:[[#@LINE+62]]:9: error: cannot prove the slice in bounds in dimension 1 of argument 4
// LIMIT-DAG: check-races-cases.mlir:[[#@LINE+61]]:9: error: cannot prove the blocks of scope 'score' independent: the conditions on two accesses have too many cases (more than 2 case systems to decide)
func.func @score_lanes(%kv_len: memref<4xi32>, %pos: memref<4xi32>,
                       %table: memref<64xi32>, %cache: memref<2048x16xf32>,
                       %out: memref<4x4096xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c63 = arith.constant 63 : index
  %c2016 = arith.constant 2016 : index
  %c4064 = arith.constant 4064 : index
  %c1_i32 = arith.constant 1 : i32
  %c4_i32 = arith.constant 4 : i32
  %c31_i32 = arith.constant 31 : i32
  %c32_i32 = arith.constant 32 : i32
  %c4096_i32 = arith.constant 4096 : i32
  tile.spmd 8 name("score") (%u) {
    tile.at vector {
      %t = arith.divsi %u, %c2 : index
      %t2 = arith.muli %t, %c2 : index
      %s = arith.subi %u, %t2 : index
      %lt = tile.load %kv_len[%t] : memref<4xi32> -> !tile.tile<1x1xi32>
      %lv = tile.get %lt[%c0, %c0] : !tile.tile<1x1xi32>
      %a = arith.floordivsi %lv, %c4_i32 : i32
      %pt = tile.load %pos[%t] : memref<4xi32> -> !tile.tile<1x1xi32>
      %pv = tile.get %pt[%c0, %c0] : !tile.tile<1x1xi32>
      %p1 = arith.addi %pv, %c1_i32 : i32
      %b = arith.floordivsi %p1, %c4_i32 : i32
      %m = arith.minsi %a, %b : i32
      %len = arith.minsi %m, %c4096_i32 : i32
      %len31 = arith.addi %len, %c31_i32 : i32
      %n_i32 = arith.floordivsi %len31, %c32_i32 : i32
      %n = arith.index_cast %n_i32 : i32 to index
      %ns = arith.subi %n, %s : index
      %d = arith.addi %ns, %c1 : index
      %dq = arith.divsi %d, %c2 : index
      %dr = arith.remsi %d, %c2 : index
      %neg = arith.cmpi slt, %dr, %c0 : index
      %dq1 = arith.subi %dq, %c1 : index
      %iters = arith.select %neg, %dq1, %dq : index
      tile.pipeline %k = %c0 to %iters step %c1 stages(2) {
        %k2 = arith.muli %k, %c2 : index
        %c = arith.addi %s, %k2 : index
        // The page: row table[t * 16 + c] * 32 of the cache, clamped.
        %t16 = arith.muli %t, %c16 : index
        %e = arith.addi %t16, %c : index
        %e0 = arith.maxsi %e, %c0 : index
        %e1 = arith.minsi %e0, %c63 : index
        %bt = tile.load %table[%e1] : memref<64xi32> -> !tile.tile<1x1xi32>
        %bv = tile.get %bt[%c0, %c0] : !tile.tile<1x1xi32>
        %bi = arith.index_cast %bv : i32 to index
        %row = arith.muli %bi, %c32 : index
        %row0 = arith.maxsi %row, %c0 : index
        %row1 = arith.minsi %row0, %c2016 : index
        %kv = tile.load %cache[%row1, %c0] : memref<2048x16xf32> -> !tile.tile<32x16xf32>
        %sc = tile.row_sum %kv : !tile.tile<32x16xf32> -> !tile.tile<32x1xf32>
        %scr = tile.reshape %sc : !tile.tile<32x1xf32> -> !tile.tile<1x32xf32>
        %c0x = arith.muli %c, %c32 : index
        %col0 = arith.maxsi %c0x, %c0 : index
        %col = arith.minsi %col0, %c4064 : index
        tile.store %scr, %out[%t, %col] : !tile.tile<1x32xf32>, memref<4x4096xf32>
      }
    }
  }
  return
}
