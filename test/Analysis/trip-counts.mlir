// RUN: tessel-opt %s -split-input-file -tile-print-trip-counts -verify-diagnostics -o /dev/null

// The trip-count bounds behind tile-split-mixed-scopes
// (tessel/Analysis/TripCount.h): upstream's integer range analysis over
// arith, tile.spmd's block index in [0, blocks) and loop induction
// variables, with a value read from data (tile.get) or a function argument
// counted as unbounded. The most iterations of `for i = lb to ub step s` is
// max(0, ceil((max ub - min lb) / min s)).

// Constant bounds: ceil((10 - 0) / 3) = 4.
func.func @constant(%a: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c10 = arith.constant 10 : index
  // expected-remark @below {{end in [10, 10]: at most 4 iterations}}
  scf.for %i = %c0 to %c10 step %c3 {
  }
  return
}

// -----

// A count read from GM, clamped by a constant: min(n, 64) <= 64 whatever n
// is (its lower side moves with n's and is shown as the index type's).
func.func @clamped_read(%lens: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  tile.spmd 8 name("clamped") (%b) {
    tile.at vector {
      %t = tile.load %lens[%b] : memref<8xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
      %n = arith.index_cast %v : i32 to index
      %m = arith.minsi %n, %c64 : index
      // expected-remark @below {{end in [-9223372036854775808, 64]: at most 64 iterations}}
      scf.for %i = %c0 to %m step %c1 {
      }
    }
  }
  return
}

// -----

// The same count unclamped: bounded only by the i32 it was read as, which
// is no bound (the range moves with the range of data). Divided by 4 it
// still moves with it.
func.func @unclamped_read(%lens: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 8 name("unclamped") (%b) {
    tile.at vector {
      %t = tile.load %lens[%b] : memref<8xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
      %n = arith.index_cast %v : i32 to index
      // expected-remark @below {{end in [-9223372036854775808, 9223372036854775807]: no upper bound}}
      scf.for %i = %c0 to %n step %c1 {
      }
      %q = arith.divsi %n, %c4 : index
      // expected-remark @below {{end in [-9223372036854775808, 9223372036854775807]: no upper bound}}
      scf.for %i = %c0 to %q step %c1 {
      }
    }
  }
  return
}

// -----

// The block index of a grid of 6 blocks is in [0, 5]: b + 1 <= 6 iterations,
// and from 2 in steps of 2, ceil((6 - 2) / 2) = 2.
func.func @block_index() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  tile.spmd 6 name("grid") (%b) {
    %e = arith.addi %b, %c1 : index
    tile.at vector {
      // expected-remark @below {{end in [1, 6]: at most 6 iterations}}
      scf.for %i = %c0 to %e step %c1 {
      }
      // expected-remark @below {{end in [1, 6]: at most 2 iterations}}
      scf.for %i = %c2 to %e step %c2 {
      }
    }
  }
  return
}

// -----

// decode_indexer's lane count: visible = min(n, 1000); blocks of 64,
// cblk = floordiv(visible + 63, 64) <= floordiv(1063, 64) = 16; lane `split`
// in [0, 3] is the block index % 4; lanes = floordiv(cblk - split + 3, 4) <=
// floordiv(16 - 0 + 3, 4) = 4.
func.func @lanes(%lens: memref<16xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c63 = arith.constant 63 : index
  %c64 = arith.constant 64 : index
  %c1000 = arith.constant 1000 : index
  tile.spmd 16 name("lanes") (%u) {
    %split = arith.remsi %u, %c4 : index
    tile.at vector {
      %t = tile.load %lens[%u] : memref<16xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
      %n = arith.index_cast %v : i32 to index
      %vis = arith.minsi %n, %c1000 : index
      %p = arith.addi %vis, %c63 : index
      %cblk = arith.floordivsi %p, %c64 : index
      %d = arith.subi %cblk, %split : index
      %d3 = arith.addi %d, %c3 : index
      %lanes = arith.floordivsi %d3, %c4 : index
      // expected-remark @below {{end in [-9223372036854775808, 4]: at most 4 iterations}}
      tile.pipeline %i = %c0 to %lanes step %c1 stages(2) {
      }
      // The remainder as the kernel writes it, u - (u / 4) * 4 (u >= 0, so
      // the truncating divsi is the floor): also [0, 3], and 4 iterations.
      // Interval arithmetic alone would give u - [0, 12] = [-12, 15] and
      // floordiv(16 + 12 + 3, 4) = 7.
      %tg = arith.divsi %u, %c4 : index
      %tg4 = arith.muli %tg, %c4 : index
      %split2 = arith.subi %u, %tg4 : index
      %e = arith.subi %cblk, %split2 : index
      %e3 = arith.addi %e, %c3 : index
      %lanes2 = arith.floordivsi %e3, %c4 : index
      // expected-remark @below {{end in [-9223372036854775808, 4]: at most 4 iterations}}
      tile.pipeline %i = %c0 to %lanes2 step %c1 stages(2) {
      }
      // With a dividend that may be negative (the data count) the
      // truncating remainder is in (-4, 4): not narrowed, so 16 - (-2^31..)
      // leaves the end unbounded.
      %nq = arith.divsi %n, %c4 : index
      %nq4 = arith.muli %c4, %nq : index
      %nr = arith.subi %n, %nq4 : index
      %f = arith.subi %cblk, %nr : index
      // expected-remark @below {{no upper bound}}
      tile.pipeline %i = %c0 to %f step %c1 stages(2) {
      }
    }
  }
  return
}

// -----

// A kernel argument is unknown; a loop nested in a bounded loop takes the
// outer induction variable's range (i <= 7, so i + 1 <= 8).
func.func @argument_and_nested(%n: index, %lens: memref<1xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  // expected-remark @below {{end in [-9223372036854775808, 9223372036854775807]: no upper bound}}
  scf.for %i = %c0 to %n step %c1 {
  }
  %m = arith.minsi %n, %c8 : index
  // expected-remark @below {{end in [-9223372036854775808, 8]: at most 8 iterations}}
  scf.for %i = %c0 to %m step %c1 {
    %e = arith.addi %i, %c1 : index
    // expected-remark @below {{end in [1, 8]: at most 8 iterations}}
    scf.for %j = %c0 to %e step %c1 {
    }
  }
  return
}

// -----

// A start or a step read from data: a start with no lower bound leaves the
// count unbounded; max(start, 0) bounds it by the end (10); a step that may
// be below 1 leaves it unbounded, max(step, 2) gives ceil(10 / 2) = 5.
func.func @start_and_step(%lens: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c10 = arith.constant 10 : index
  tile.spmd 1 name("data") (%b) {
    tile.at vector {
      %t = tile.load %lens[%c0] : memref<2xi32> -> !tile.tile<1x2xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x2xi32>
      %n = arith.index_cast %v : i32 to index
      // expected-remark @below {{end in [10, 10]: no upper bound}}
      scf.for %i = %n to %c10 step %c1 {
      }
      %lo = arith.maxsi %n, %c0 : index
      // expected-remark @below {{end in [10, 10]: at most 10 iterations}}
      scf.for %i = %lo to %c10 step %c1 {
      }
      // expected-remark @below {{end in [10, 10]: no upper bound}}
      scf.for %i = %c0 to %c10 step %n {
      }
      %s = arith.maxsi %n, %c2 : index
      // expected-remark @below {{end in [10, 10]: at most 5 iterations}}
      scf.for %i = %c0 to %c10 step %s {
      }
    }
  }
  return
}

// -----

// An end that is never above the start: no iterations.
func.func @empty(%lens: memref<1xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  tile.spmd 1 name("data") (%b) {
    tile.at vector {
      %t = tile.load %lens[%c0] : memref<1xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
      %n = arith.index_cast %v : i32 to index
      %m = arith.minsi %n, %c0 : index
      // expected-remark @below {{end in [-9223372036854775808, 0]: at most 0 iterations}}
      scf.for %i = %c5 to %m step %c1 {
      }
    }
  }
  return
}
