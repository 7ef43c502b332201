// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics

// The kernels of check-races-cases.mlir (many two-way cases: truncating
// divisions, Python's floor division written with them, min / max clamps of
// data-dependent values) with a real race: each is found, with a witness,
// where the check used to give up ("too many cases").

// packed_heads with a tile twice as wide as a head's columns: head h
// writes columns (h % 8) * 16 .. + 31 (of 144, so that head 7 fits), so head 3 (block 0, i = 3: columns
// 48 .. 79) and head 4 (block 1, i = 0: columns 64 .. 95) of token 0 share
// row 0 and columns 64 .. 79. The stores of one block overlap too (heads
// 0 and 1), but program order separates those.
func.func @packed_heads_wide(%out: memref<4x144xf32>) {
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
      %x = tile.full 1.0 : !tile.tile<1x32xf32>
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
      // expected-error @below {{race on argument 0 in scope 'merge_norm': block 1 writes element [0, 64], which block 0 also writes}}
      tile.store %x, %out[%row0, %col0] : !tile.tile<1x32xf32>, memref<4x144xf32>
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
      // expected-note @below {{the other access: block 0 writes element [0, 64] here}}
      tile.store %x, %out[%row3, %col3] : !tile.tile<1x32xf32>, memref<4x144xf32>
    }
  }
  return
}


// -----

// packed_heads without the token in the row: row (h // 8) * 2, so the two
// tokens' blocks with one head tile (b and b + 4) write the same elements.
func.func @packed_heads_no_token(%out: memref<4x128xf32>) {
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
            %m0 = arith.remsi %h0, %c8 : index
      %k0 = arith.cmpi slt, %m0, %c0 : index
      %a0 = arith.addi %m0, %c8 : index
      %e0 = arith.select %k0, %a0, %m0 : index
      %col0 = arith.muli %e0, %c16 : index
      // expected-error @below {{race on argument 0 in scope 'merge_norm': block 0 writes element [0, 0], which block 4 also writes}}
      // expected-note @below {{the other access}}
      tile.store %x, %out[%s0, %col0] : !tile.tile<1x16xf32>, memref<4x128xf32>
    }
  }
  return
}


// -----

// score_lanes with lane stride 1 (tile c = s + k): lane 0's second tile
// is lane 1's first: block 0 (k = 1) and block 1 (k = 0) both write
// columns 32 .. 63 of token 0.
func.func @score_lanes_stride_one(%kv_len: memref<4xi32>, %pos: memref<4xi32>,
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
        %c = arith.addi %s, %k : index
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
        // expected-error @below {{race on argument 4 in scope 'score': block 0 (i0 = 1) writes element [0, 32], which block 1 (i0 = 0) also writes}}
        // expected-note @below {{the other access}}
        tile.store %scr, %out[%t, %col] : !tile.tile<1x32xf32>, memref<4x4096xf32>
      }
    }
  }
  return
}

// -----

// score_lanes without the 4096 bound on len: n = ceil(len / 32) may pass
// 128, and the clamp min(32 c, 4064) folds tiles 127, 128, ... onto
// columns 4064 .. 4095: lane 1's tile 127 and lane 0's tile 128 write the
// same columns. Only the clamp's second case (32 c > 4064) races.
func.func @score_lanes_unbounded(%kv_len: memref<4xi32>, %pos: memref<4xi32>,
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
      %len31 = arith.addi %m, %c31_i32 : i32
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
        // expected-error @below {{race on argument 4 in scope 'score': block 0 (i0 = 64) writes element [0, 4064], which block 1 (i0 = 63) also writes}}
        // expected-note @below {{the other access}}
        tile.store %scr, %out[%t, %col] : !tile.tile<1x32xf32>, memref<4x4096xf32>
      }
    }
  }
  return
}
