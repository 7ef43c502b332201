// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics

// Racy kernels: each is rejected at one access with a note at the other and
// a witness (the two blocks, their loop indices, one element both touch).
// The race-free counterparts are in check-races.mlir.

// Four blocks each write 9 rows at b * 8: block b's rows are [8b, 8b + 9),
// so row 8 is written by block 0 (its last row) and block 1 (its first).
func.func @rows_overlap_by_one(%out: memref<40x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("rows") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<9x16xf32>
      // expected-error @below {{race on argument 0 in scope 'rows': block 0 writes element [8, 0], which block 1 also writes}}
      // expected-note @below {{the other access: block 1 writes element [8, 0] here}}
      tile.store %x, %out[%r, %c0] : !tile.tile<9x16xf32>, memref<40x16xf32>
    }
  }
  return
}

// -----

// Columns [8b, 8b + 9): column 8 is block 0's last and block 1's first.
func.func @columns_overlap_by_one(%out: memref<16x40xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("cols") (%b) {
    tile.at vector {
      %c = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<16x9xf32>
      // expected-error @below {{race on argument 0 in scope 'cols': block 0 writes element [0, 8], which block 1 also writes}}
      // expected-note @below {{the other access: block 1 writes element [0, 8] here}}
      tile.store %x, %out[%c0, %c] : !tile.tile<16x9xf32>, memref<16x40xf32>
    }
  }
  return
}

// -----

// Rows (b // 2) * 8: blocks 0 and 1 both write rows 0..7.
func.func @block_index_collision(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("halves") (%b) {
    tile.at vector {
      %h = arith.divsi %b, %c2 : index
      %r = arith.muli %h, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'halves': block 0 writes element [0, 0], which block 1 also writes}}
      // expected-note @below {{the other access}}
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// Rows (b % 2) * 8: blocks 0 and 2 write the same 8 rows.
func.func @modulo_collision(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("mod") (%b) {
    tile.at vector {
      %m = arith.remsi %b, %c2 : index
      %r = arith.muli %m, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'mod': block 0 writes element [0, 0], which block 2 also writes}}
      // expected-note @below {{the other access}}
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// Self read-after-write through a scratch tensor (pl.create_tensor): block
// b writes rows 8b and reads rows (8b + 8) % 32, which block b + 1 writes.
// The least witness: block 0 writes row 0, which block 3 reads
// ((3 * 8 + 8) % 32 = 0).
func.func @scratch_self_raw(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %s = tile.alloc_gm name("scratch") : memref<32x16xf32>
  tile.spmd 4 name("raw") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on 'scratch' in scope 'raw': block 0 writes element [0, 0], which block 3 reads}}
      tile.store %x, %s[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      %n = arith.addi %r, %c8 : index
      %m = arith.remsi %n, %c32 : index
      // expected-note @below {{the other access: block 3 reads element [0, 0] here}}
      %y = tile.load %s[%m, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      tile.store %y, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// A reduction into one shared output row: every block writes row 0.
func.func @reduction_into_shared_row(%x: memref<64x16xf32>, %out: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("reduce") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      %t = tile.load %x[%r, %c0] : memref<64x16xf32> -> !tile.tile<16x16xf32>
      %s = tile.row_sum %t : !tile.tile<16x16xf32> -> !tile.tile<16x1xf32>
      // expected-note @below {{the other access: block 1 reads element [0, 0] here}}
      %acc = tile.load %out[%c0, %c0] : memref<1x16xf32> -> !tile.tile<1x16xf32>
      // The store races with the other blocks' loads and stores.
      // expected-error @below {{race on argument 1 in scope 'reduce': block 0 writes element [0, 0], which block 1 reads}}
      // expected-error @below {{race on argument 1 in scope 'reduce': block 0 writes element [0, 0], which block 1 also writes}}
      // expected-note @below {{the other access: block 1 writes element [0, 0] here}}
      tile.store %acc, %out[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
    }
  }
  return
}

// -----

// A 1-D tensor: 17 elements at 16b; element 16 is in blocks 0 and 1.
func.func @one_dimensional(%out: memref<80xf32>) {
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("vec") (%b) {
    tile.at vector {
      %o = arith.muli %b, %c16 : index
      %x = tile.full 1.0 : !tile.tile<1x17xf32>
      // expected-error @below {{race on argument 0 in scope 'vec': block 0 writes element [16], which block 1 also writes}}
      // expected-note @below {{the other access}}
      tile.store %x, %out[%o] : !tile.tile<1x17xf32>, memref<80xf32>
    }
  }
  return
}

// -----

// A loop inside each block: block b writes rows 16b + 8i for i in [0, 4),
// i.e. rows [16b, 16b + 32). Block 0 at i = 2 writes row 16, which block 1
// writes at i = 0.
func.func @loop_ranges_overlap(%out: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  tile.spmd 2 name("loops") (%b) {
    tile.at vector {
      %base = arith.muli %b, %c16 : index
      scf.for %i = %c0 to %c4 step %c1 {
        %o = arith.muli %i, %c8 : index
        %r = arith.addi %base, %o : index
        %x = tile.full 1.0 : !tile.tile<8x16xf32>
        // expected-error @below {{race on argument 0 in scope 'loops': block 0 (i0 = 2) writes element [16, 0], which block 1 (i0 = 0) also writes}}
        // expected-note @below {{the other access}}
        tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<64x16xf32>
      }
    }
  }
  return
}

// -----

// A guard that does not separate: under b > 0, block b writes rows
// 8(b - 1), which block b - 1 writes unconditionally.
func.func @guard_does_not_separate(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("guard") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'guard': block 0 writes element [0, 0], which block 1 also writes}}
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      %pos = arith.cmpi sgt, %b, %c0 : index
      scf.if %pos {
        %p = arith.subi %r, %c8 : index
        // expected-note @below {{the other access: block 1 writes element [0, 0] here}}
        tile.store %x, %out[%p, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// The else branch: blocks 0 and 1 write rows 8b, blocks 2 and 3 row block
// 0: block 0 and block 2 collide.
func.func @else_branch_collides(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("branches") (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      %lo = arith.cmpi slt, %b, %c2 : index
      scf.if %lo {
        %r = arith.muli %b, %c8 : index
        // expected-error @below {{race on argument 0 in scope 'branches': block 0 writes element [0, 0], which block 2 also writes}}
        tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<16x16xf32>
      } else {
        // expected-error @below {{race on argument 0 in scope 'branches': block 2 writes element [0, 0], which block 3 also writes}}
        // expected-note @below {{the other access: block 2 writes element [0, 0] here}}
        // expected-note @below {{the other access: block 3 writes element [0, 0] here}}
        tile.store %x, %out[%c0, %c0] : !tile.tile<8x16xf32>, memref<16x16xf32>
      }
    }
  }
  return
}

// -----

// Every block reads rows 0..7, which block 0 writes.
func.func @read_other_blocks_rows_in_scope(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("peek") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      // expected-note @below {{the other access: block 1 reads element [0, 0] here}}
      %y = tile.load %out[%c0, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'peek': block 0 writes element [0, 0], which block 1 reads}}
      tile.store %y, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// A pipelined loop-carried GM dependence in one block: iteration i writes
// rows 8(i + 1) of the scratch, iteration i + 1 reads them; with 2 stages
// the load of iteration i + 1 is issued before the store of iteration i.
func.func @pipeline_carried_dependence(%out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %s = tile.alloc_gm name("carry") : memref<32x16xf32>
  tile.spmd 1 name("scan") (%b) {
    tile.at vector {
      // expected-note @below {{the pipeline: its loads run up to 1 iteration(s) ahead of its stores}}
      tile.pipeline %i = %c0 to %c3 step %c1 stages(2) {
        %r = arith.muli %i, %c8 : index
        // expected-note @below {{the load: block 0 (i0 = 1) reads element [8, 0] here}}
        %x = tile.load %s[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        %y = tile.add %x, %x : !tile.tile<8x16xf32>
        %n = arith.addi %r, %c8 : index
        // expected-error @below {{race between pipelined iterations on 'carry' in scope 'scan': block 0 (i0 = 0) writes element [8, 0], which block 0 (i0 = 1) reads, and the 2-stage pipeline may load it before it is written}}
        tile.store %y, %s[%n, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// Three stages, step 2: iteration i writes rows i + 4, which iteration
// i + 4 (two steps later, inside the window of S - 1 = 2) reads.
func.func @pipeline_three_stages(%out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %s = tile.alloc_gm name("carry") : memref<16x16xf32>
  tile.spmd 1 name("scan3") (%b) {
    tile.at vector {
      // expected-note @below {{the pipeline: its loads run up to 2 iteration(s) ahead of its stores}}
      tile.pipeline %i = %c0 to %c8 step %c2 stages(3) {
        // expected-note @below {{the load: block 0 (i0 = 4) reads element [4, 0] here}}
        %x = tile.load %s[%i, %c0] : memref<16x16xf32> -> !tile.tile<1x16xf32>
        %n = arith.addi %i, %c4 : index
        // expected-error @below {{race between pipelined iterations on 'carry' in scope 'scan3': block 0 (i0 = 0) writes element [4, 0], which block 0 (i0 = 4) reads}}
        tile.store %x, %s[%n, %c0] : !tile.tile<1x16xf32>, memref<16x16xf32>
      }
    }
  }
  return
}

// -----

// A select on the block index: blocks 0 and 3 both pick row 0.
func.func @select_collision(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("pick") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %last = arith.cmpi eq, %b, %c3 : index
      %o = arith.select %last, %c0, %r : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'pick': block 0 writes element [0, 0], which block 3 also writes}}
      // expected-note @below {{the other access}}
      tile.store %x, %out[%o, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// Strided rows: block b writes rows b, b + 3, b + 6, ... (step 3) with 4
// blocks: block 3 writes row 3, as does block 0 at its second iteration.
func.func @strided_collision(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("stride") (%b) {
    tile.at vector {
      scf.for %i = %b to %c16 step %c3 {
        %x = tile.full 1.0 : !tile.tile<1x16xf32>
        // expected-error @below {{race on argument 0 in scope 'stride': block 0 (i0 = 3) writes element [3, 0], which block 3 (i0 = 3) also writes}}
        // expected-note @below {{the other access}}
        tile.store %x, %out[%i, %c0] : !tile.tile<1x16xf32>, memref<16x16xf32>
      }
    }
  }
  return
}

// -----

// The product of two runtime indices is not affine: independence cannot be
// proven.
func.func @not_affine(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-note @below {{prove it by writing affine indices, or assert it with pl.spmd(..., assume_independent=True)}}
  tile.spmd 4 name("square") (%b) {
    tile.at vector {
      // expected-note @below {{here}}
      %r = arith.muli %b, %b : index
      %x = tile.full 1.0 : !tile.tile<1x16xf32>
      // expected-error @below {{cannot prove the blocks of scope 'square' independent: an index is the product of two runtime values}}
      tile.store %x, %out[%r, %c0] : !tile.tile<1x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// The same with the author's assertion: a remark, not an error.
func.func @not_affine_assumed(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 4 name("square") (%b) attributes {assume_independent} {
    tile.at vector {
      // expected-note @below {{here}}
      %r = arith.muli %b, %b : index
      %x = tile.full 1.0 : !tile.tile<1x16xf32>
      // expected-remark @below {{blocks of scope 'square' assumed independent (assume_independent): the race check cannot analyse this access: an index is the product of two runtime values}}
      tile.store %x, %out[%r, %c0] : !tile.tile<1x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// An index carried across loop iterations is not modelled.
func.func @carried_index(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  // expected-note @below {{prove it}}
  tile.spmd 2 name("walk") (%b) {
    tile.at vector {
      // expected-note @below {{here}}
      %e = scf.for %i = %c0 to %c4 step %c1 iter_args(%r = %b) -> (index) {
        %x = tile.full 1.0 : !tile.tile<1x16xf32>
        // expected-error @below {{cannot prove the blocks of scope 'walk' independent: an index depends on a value carried from one loop iteration to the next}}
        tile.store %x, %out[%r, %c0] : !tile.tile<1x16xf32>, memref<32x16xf32>
        %n = arith.addi %r, %c8 : index
        scf.yield %n : index
      }
    }
  }
  return
}

// -----

// Out of bounds: 4 blocks write 8 rows at 8b of a 24-row tensor; block 3
// writes rows 24:32.
func.func @out_of_bounds(%out: memref<24x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("oob") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{slice out of bounds in dimension 0 of argument 0 (size 24): block 3 writes 24:32, expected within 0:24}}
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<24x16xf32>
    }
  }
  return
}

// -----

// An unguarded neighbour read: block 0 reads rows -8:0.
func.func @unguarded_neighbour(%x: memref<32x16xf32>, %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("nb") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %p = arith.subi %r, %c8 : index
      // expected-error @below {{slice out of bounds in dimension 0 of argument 0 (size 32): block 0 reads -8:0, expected within 0:32}}
      %y = tile.load %x[%p, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      tile.store %y, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// An atomic add commutes only with another atomic add: block 1 adds into
// rows [0, 8), which block 0 stores plainly (rows [8b, 8b + 8) are block
// b's); the plain stores alone are disjoint, the atomic adds commute.
func.func @atomic_add_against_a_plain_store(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("mixed") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'mixed'}}
      tile.store %x, %out[%c0, %c0] {atomic_add} : !tile.tile<8x16xf32>, memref<32x16xf32>
      // expected-note @below {{the other access}}
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// The masked counterpart of check-races.mlir's
// @masked_atomic_add_valid_region with 5 valid rows: block b adds rows
// [8b + 4, 8b + 9), and row 8b + 8 is block b + 1's plain row.
func.func @masked_atomic_add_over_a_plain_store(%out: memref<40x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("masked") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %r4 = arith.addi %r, %c4 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'masked': block 1 writes element [8, 0], which block 0 also writes}}
      tile.store %x, %out[%r, %c0] valid [4, 16] : !tile.tile<8x16xf32>, memref<40x16xf32>
      // expected-note @below {{the other access: block 0 writes element [8, 0] here}}
      tile.store %x, %out[%r4, %c0] valid [5, 16] {atomic_add} : !tile.tile<8x16xf32>, memref<40x16xf32>
    }
  }
  return
}
