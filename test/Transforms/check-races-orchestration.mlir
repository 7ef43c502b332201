// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics

// Values the orchestration computes before an spmd starts (a host-side
// read, memref.load; what a function-level loop carries from reads) are
// any integer, but one value for every block of the spmd.

// Block b writes rows 16 * b + off of a 128-row tensor, off read by the
// orchestration and clamped to [0, 64]: blocks b1 != b2 write rows
// 16 * b1 + off and 16 * b2 + off, never the same (the off is shared).
func.func @shared_offset(%cfg: memref<1xi32>, %x: memref<64x32xf32>,
                         %y: memref<128x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %v = memref.load %cfg[%c0] : memref<1xi32>
  %o = arith.index_cast %v : i32 to index
  %lo = arith.maxsi %o, %c0 : index
  %off = arith.minsi %lo, %c64 : index
  tile.spmd 4 name("shifted") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      %t = tile.load %x[%r, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      %w = arith.addi %r, %off : index
      tile.store %t, %y[%w, %c0] : !tile.tile<16x32xf32>, memref<128x32xf32>
    }
  }
  return
}

// -----

// The shared value alone decides the row (3 * off for every block): all
// blocks write the same rows, a real race the shared value does not hide.
func.func @shared_offset_race(%cfg: memref<1xi32>, %x: memref<64x32xf32>,
                              %y: memref<128x32xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %v = memref.load %cfg[%c0] : memref<1xi32>
  %o = arith.index_cast %v : i32 to index
  %lo = arith.maxsi %o, %c0 : index
  %off = arith.minsi %lo, %c3 : index
  tile.spmd 4 name("collide") (%b) {
    tile.at vector {
      %t = tile.load %x[%c0, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      // Row 16 * off for every block: all blocks write the same rows.
      %w = arith.muli %off, %c3 : index
      // expected-error @below {{race on argument 2 in scope 'collide'}}
      // expected-note @below {{the other access: block 1 writes element [0, 0] here}}
      tile.store %t, %y[%w, %c0] : !tile.tile<16x32xf32>, memref<128x32xf32>
    }
  }
  return
}

// -----

// An `if` whose condition the analysis cannot model (a product of two
// values read at run time) is dropped: the store is taken to happen always,
// and block b's rows 16 * b are still disjoint from the other blocks'.
func.func @dropped_condition(%cfg: memref<2xi32>, %x: memref<64x32xf32>,
                             %y: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("guarded") (%b) {
    tile.at vector {
      %e0 = tile.load %cfg[%c0] : memref<2xi32> -> !tile.tile<1x2xi32>
      %v0 = tile.get %e0[%c0, %c0] : !tile.tile<1x2xi32>
      %v1 = tile.get %e0[%c0, %c1] : !tile.tile<1x2xi32>
      %p = arith.muli %v0, %v1 : i32
      %z = arith.constant 0 : i32
      %go = arith.cmpi sgt, %p, %z : i32
      %r = arith.muli %b, %c16 : index
      scf.if %go {
        %t = tile.load %x[%r, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
        tile.store %t, %y[%r, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
      }
    }
  }
  return
}

// -----

// Dropping the condition keeps a real race: every block writes rows 0:16
// under it.
func.func @dropped_condition_race(%cfg: memref<2xi32>, %x: memref<64x32xf32>,
                                  %y: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 4 name("guarded_race") (%b) {
    tile.at vector {
      %e0 = tile.load %cfg[%c0] : memref<2xi32> -> !tile.tile<1x2xi32>
      %v0 = tile.get %e0[%c0, %c0] : !tile.tile<1x2xi32>
      %v1 = tile.get %e0[%c0, %c1] : !tile.tile<1x2xi32>
      %p = arith.muli %v0, %v1 : i32
      %z = arith.constant 0 : i32
      %go = arith.cmpi sgt, %p, %z : i32
      scf.if %go {
        %t = tile.load %x[%c0, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
        // expected-error @below {{race on argument 2 in scope 'guarded_race'}}
        // expected-note @below {{the other access: block 1 writes element [0, 0] here}}
        tile.store %t, %y[%c0, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
      }
    }
  }
  return
}

// -----

// A scalar read inside the spmd, outside its core scopes (pl.read of a
// control tensor in a pl.parallel body deciding which scope a block runs):
// no op of the scope writes %ctl, so every block reads the same data and
// the read cannot race. Block b writes row b in either branch (rows
// 0..3 of 4): independent.
func.func @read_in_spmd_body(%ctl: memref<2xi32>, %x: memref<4x64xf32>,
                             %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 4 name("active+inactive") (%b) {
    %v = memref.load %ctl[%c0] : memref<2xi32>
    %n = arith.index_cast %v : i32 to index
    %active = arith.cmpi slt, %b, %n : index
    scf.if %active {
      tile.at vector {
        %t = tile.load %x[%b, %c0] : memref<4x64xf32> -> !tile.tile<1x64xf32>
        tile.store %t, %y[%b, %c0] : !tile.tile<1x64xf32>, memref<4x64xf32>
      }
    } else {
      tile.at vector {
        %z = tile.full 0.0 : !tile.tile<1x64xf32>
        tile.store %z, %y[%b, %c0] : !tile.tile<1x64xf32>, memref<4x64xf32>
      }
    }
  }
  return
}

// -----

// The same read of a tensor the scope also writes: block 1 may read %ctl
// after block 0 stored to it, so the read is an unmodelled access.
func.func @read_of_written_tensor(%ctl: memref<1x64xi32>,
                                  %x: memref<4x64xf32>,
                                  %y: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-note @below {{prove it by writing affine indices}}
  tile.spmd 4 name("rw") (%b) {
    // expected-error @below {{cannot prove the blocks of scope 'rw' independent: an operation other than tile.load and tile.store uses a GM tensor}}
    %v = memref.load %ctl[%c0, %c0] : memref<1x64xi32>
    %n = arith.index_cast %v : i32 to index
    %active = arith.cmpi slt, %b, %n : index
    scf.if %active {
      tile.at vector {
        %t = tile.load %x[%b, %c0] : memref<4x64xf32> -> !tile.tile<1x64xf32>
        tile.store %t, %y[%b, %c0] : !tile.tile<1x64xf32>, memref<4x64xf32>
        %z = tile.full 0 : !tile.tile<1x64xi32>
        tile.store %z, %ctl[%c0, %c0] : !tile.tile<1x64xi32>, memref<1x64xi32>
      }
    }
  }
  return
}
