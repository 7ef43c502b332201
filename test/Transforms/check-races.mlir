// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-check-races=report-time 2>&1 | FileCheck %s --check-prefix=TIME

// Race-free kernels: the check proves every pair of accesses (one a store)
// of distinct blocks, and of pipelined iterations, apart, and every slice
// in bounds, without a diagnostic. It leaves the IR as it was. The racy
// counterparts are in check-races-invalid.mlir.

// TIME: remark: race check: {{[0-9.]+}} ms

// Rows [8b, 8b + 8): block b owns them.
// CHECK-LABEL: func.func @disjoint_rows
// CHECK: tile.store
func.func @disjoint_rows(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("rows") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// Interleaved columns: block b writes columns b, b + 4, b + 8, b + 12
// (c = 4j + b): c determines b = c % 4.
func.func @interleaved_columns(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 4 name("cols") (%b) {
    tile.at vector {
      scf.for %j = %c0 to %c4 step %c1 {
        %o = arith.muli %j, %c4 : index
        %c = arith.addi %o, %b : index
        %x = tile.full 1.0 : !tile.tile<16x1xf32>
        tile.store %x, %out[%c0, %c] : !tile.tile<16x1xf32>, memref<16x16xf32>
      }
    }
  }
  return
}

// -----

// Modulo tiling: block b writes rows (8b + 8) % 32, a rotation of the
// blocks' rows ({8, 16, 24, 0}), and reads its own rows of the input.
func.func @modulo_rotation(%x: memref<32x16xf32>, %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 4 name("rotate") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %y = tile.load %x[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      %n = arith.addi %r, %c8 : index
      %m = arith.remsi %n, %c32 : index
      tile.store %y, %out[%m, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// Guarded neighbour reads: under b > 0 block b reads rows 8b - 8 of the
// input (never -8: block 0 does not run the load), and writes its own rows.
func.func @guarded_neighbour(%x: memref<32x16xf32>, %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("nb") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %pos = arith.cmpi sgt, %b, %c0 : index
      scf.if %pos {
        %p = arith.subi %r, %c8 : index
        %y = tile.load %x[%p, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        tile.store %y, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      } else {
        %z = tile.full 0.0 : !tile.tile<8x16xf32>
        tile.store %z, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// A later scope reads the rows other blocks of an earlier scope wrote:
// scopes are ordered, so only pairs inside one scope count.
func.func @later_scope_reads_other_rows(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %s = tile.alloc_gm name("stage") : memref<32x16xf32>
  tile.spmd 4 name("produce") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %s[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  tile.spmd 4 name("consume") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %n = arith.addi %b, %c1 : index
      %m = arith.remsi %n, %c4 : index
      %o = arith.muli %m, %c8 : index
      %y = tile.load %s[%o, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      tile.store %y, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// Read-modify-write of a block's own rows.
func.func @read_modify_write_own_rows(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("rmw") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %y = tile.load %out[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
      %z = tile.add %y, %y : !tile.tile<8x16xf32>
      tile.store %z, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// b // 2 picks the rows, b % 2 the columns: (b // 2, b % 2) determines b.
func.func @quotient_and_remainder(%out: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("grid") (%b) {
    tile.at vector {
      %q = arith.divsi %b, %c2 : index
      %m = arith.remsi %b, %c2 : index
      %r = arith.muli %q, %c8 : index
      %c = arith.muli %m, %c16 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %out[%r, %c] : !tile.tile<8x16xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A loop inside each block over the block's own 32 rows.
func.func @loop_within_block_rows(%out: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 2 name("loops") (%b) {
    tile.at vector {
      %base = arith.muli %b, %c32 : index
      scf.for %i = %c0 to %c4 step %c1 {
        %o = arith.muli %i, %c8 : index
        %r = arith.addi %base, %o : index
        %x = tile.full 1.0 : !tile.tile<8x16xf32>
        tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<64x16xf32>
      }
    }
  }
  return
}

// -----

// A pipelined loop that reads and writes the same iteration's rows: no
// iteration reads what an earlier one wrote.
func.func @pipeline_same_iteration(%acc: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 name("scale") (%b) {
    tile.at vector {
      tile.pipeline %i = %c0 to %c4 step %c1 stages(2) {
        %r = arith.muli %i, %c8 : index
        %x = tile.load %acc[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        %y = tile.add %x, %x : !tile.tile<8x16xf32>
        tile.store %y, %acc[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// A loop-carried GM dependence at distance 2 in a 2-stage pipeline: the
// load of iteration i + 2 is issued after the store of iteration i, so the
// dependence is kept (the window is S - 1 = 1 iteration).
func.func @pipeline_distance_beyond_window(%acc: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 name("far") (%b) {
    tile.at vector {
      tile.pipeline %i = %c0 to %c2 step %c1 stages(2) {
        %r = arith.muli %i, %c8 : index
        %x = tile.load %acc[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        %n = arith.addi %r, %c16 : index
        tile.store %x, %acc[%n, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// One block writing one row again and again: no other block.
func.func @one_block_shared_row(%out: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 name("single") (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c4 step %c1 {
        %x = tile.full 1.0 : !tile.tile<1x16xf32>
        tile.store %x, %out[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
      }
    }
  }
  return
}

// -----

// A cyclic distribution: block b writes rows b, b + 4, ... (step 4).
func.func @cyclic_rows(%out: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("cyclic") (%b) {
    tile.at vector {
      scf.for %i = %b to %c16 step %c4 {
        %x = tile.full 1.0 : !tile.tile<1x16xf32>
        tile.store %x, %out[%i, %c0] : !tile.tile<1x16xf32>, memref<16x16xf32>
      }
    }
  }
  return
}

// -----

// Both branches keep to the block's rows: the else branch writes the
// second half of them.
func.func @branches_within_rows(%out: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("branches") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      %lo = arith.cmpi slt, %b, %c2 : index
      scf.if %lo {
        tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<64x16xf32>
      } else {
        %s = arith.addi %r, %c8 : index
        tile.store %x, %out[%s, %c0] : !tile.tile<8x16xf32>, memref<64x16xf32>
      }
    }
  }
  return
}

// -----

// Function-level loop around the scope: each outer iteration's blocks write
// disjoint rows; different outer iterations are different scope runs.
func.func @outer_loop(%out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  scf.for %k = %c0 to %c3 step %c1 {
    tile.spmd 4 name("outer") (%b) {
      tile.at vector {
        %r = arith.addi %b, %k : index
        %x = tile.full 1.0 : !tile.tile<1x16xf32>
        tile.store %x, %out[%r, %c0] : !tile.tile<1x16xf32>, memref<8x16xf32>
      }
    }
  }
  return
}

// -----

// A 1-D tensor split in 16-element chunks.
func.func @one_dimensional(%out: memref<64xf32>) {
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("vec") (%b) {
    tile.at vector {
      %o = arith.muli %b, %c16 : index
      %x = tile.full 1.0 : !tile.tile<1x16xf32>
      tile.store %x, %out[%o] : !tile.tile<1x16xf32>, memref<64xf32>
    }
  }
  return
}

// -----

// Only the last block writes the shared row (b == 3), the others their own.
func.func @single_writer_under_guard(%out: memref<33x16xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 4 name("tail") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<33x16xf32>
      %last = arith.cmpi eq, %b, %c3 : index
      scf.if %last {
        %t = tile.full 2.0 : !tile.tile<1x16xf32>
        tile.store %t, %out[%c32, %c0] : !tile.tile<1x16xf32>, memref<33x16xf32>
      }
    }
  }
  return
}

// -----

// Loads of a tensor no block writes are never a race, whatever they read.
func.func @shared_input(%x: memref<8x16xf32>, %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("bcast") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %y = tile.load %x[%c0, %c0] : memref<8x16xf32> -> !tile.tile<8x16xf32>
      tile.store %y, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// -----

// Split-K: every block adds its partial sum into the same [8, 16] slice
// with tile.store {atomic_add} (pl.assemble(..., atomic=pl.AtomicType.Add)).
// Atomic adds into one region commute: no race between them.
// CHECK-LABEL: func.func @atomic_adds_into_one_slice
// CHECK: tile.store {{.*}} {atomic_add}
func.func @atomic_adds_into_one_slice(%out: memref<8x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 4 name("split_k") (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %out[%c0, %c0] {atomic_add} : !tile.tile<8x16xf32>, memref<8x16xf32>
    }
  }
  return
}

// -----

// A masked atomic add is checked over its valid region, not its window:
// block b stores rows [8b, 8b + 4) plainly and adds rows [8b + 4, 8b + 8)
// atomically; the add's 8-row window, rows [8b + 4, 8b + 12), overlaps
// block b + 1's plain rows [8b + 8, 8b + 12), its 4 valid rows do not.
// Bounds: block 3's valid rows end at 8 * 3 + 4 + 4 = 32 (its window would
// end at 36).
// CHECK-LABEL: func.func @masked_atomic_add_valid_region
// CHECK: tile.store {{.*}} valid [4, 16] {atomic_add}
func.func @masked_atomic_add_valid_region(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("masked") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %r4 = arith.addi %r, %c4 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %out[%r, %c0] valid [4, 16] : !tile.tile<8x16xf32>, memref<32x16xf32>
      tile.store %x, %out[%r4, %c0] valid [4, 16] {atomic_add} : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}
