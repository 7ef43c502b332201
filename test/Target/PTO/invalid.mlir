// RUN: tessel-opt %s -split-input-file -convert-tile-to-emitc -verify-diagnostics

// The emitter prints what tile-insert-sync decided: unsynchronised IR is
// refused, never printed without its flags.
// expected-error @below {{needs synchronised IR: run tile-insert-sync first}}
func.func @unsynchronised(%a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A column vector moves to and from GM as a DN tensor: its 16 elements
// must be consecutive, but here consecutive rows are 32 elements apart.
func.func @strided_column(%a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 0 : i64, pairs = 0 : i64}} {
      // expected-error @below {{cannot run on the a2a3 NPU: a 16x1 column tile moves to and from GM as a DN tensor and needs its elements consecutive, but the row pitch is 32}}
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x1xf32>
      tile.barrier all
    }
  }
  return
}

// -----

// Event ids are the hardware's 8 per pipe pair.
func.func @event_out_of_range(%a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 1 : i64, pairs = 1 : i64}} {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{event id 9 is outside the 8 event ids of a pipe pair on a2a3}}
      tile.set_flag mte2 -> mte3, 9
      tile.wait_flag mte2 -> mte3, 9
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// a2a3's TREM writes its destination before it reads the sources again:
// a result placed on an operand's bytes (here both at UB offset 0) is
// refused (tile-place-buffers never places it so).
func.func @rem_over_its_source(%a: memref<16x32xf32>, %o: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 1 : i64, pairs = 2 : i64}} {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.set_flag mte2 -> v, 0
      tile.wait_flag mte2 -> v, 0
      // expected-error @below {{'tile.rem' op cannot run on the a2a3 NPU: TREM cannot write over its sources on a2a3 (the result is placed on an operand's bytes)}}
      %r = tile.rem %x, %x {place = #tile.place<ub, 0>, scratch = #tile.place<ub, 4096>} : !tile.tile<16x32xf32>
      tile.set_flag v -> mte3, 0
      tile.wait_flag v -> mte3, 0
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      tile.barrier all
    }
  }
  return
}

// -----

// TREM's tmp is its scratch placement on a2a3: placed IR without one is
// refused (an error, never a kernel that writes a random tmp).
func.func @rem_without_scratch(%a: memref<16x32xf32>, %o: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 1 : i64, pairs = 2 : i64}} {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.set_flag mte2 -> v, 0
      tile.wait_flag mte2 -> v, 0
      // expected-error @below {{TREM needs a scratch tile (the 'scratch' placement of tile-place-buffers)}}
      %r = tile.rem %x, %x {place = #tile.place<ub, 2048>} : !tile.tile<16x32xf32>
      tile.set_flag v -> mte3, 0
      tile.wait_flag v -> mte3, 0
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      tile.barrier all
    }
  }
  return
}

// -----

// A loop around the scopes whose trip count the orchestration reads at run
// time: the launch sequence does not read GM (the CPU simulation runs it).
func.func @runtime_trip_count(%n: memref<1xi32>, %a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-error @below {{cannot run on the a2a3 NPU: the launch sequence runs scopes and loops with compile-time bounds around them, not this op at function level (a value read at run time}}
  %v = memref.load %n[%c0] : memref<1xi32>
  %u = arith.index_cast %v : i32 to index
  scf.for %i = %c0 to %u step %c1 {
    tile.spmd 1 (%b) {
      tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 0 : i64, pairs = 0 : i64}} {
        %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
        tile.barrier all
      }
    }
  }
  return
}

// -----

// An `if` around the scopes at function level: not in the launch sequence.
func.func @if_around_scopes(%a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  %c = arith.constant true
  // expected-error @below {{cannot run on the a2a3 NPU: the launch sequence runs scopes and loops with compile-time bounds around them, not this op at function level}}
  scf.if %c {
    tile.spmd 1 (%b) {
      tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 0 : i64, pairs = 0 : i64}} {
        %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
        tile.barrier all
      }
    }
  }
  return
}

// -----

// A loop whose bound is computed from an outer loop's index: the launch
// sequence prints compile-time bounds only.
func.func @dependent_bounds(%a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    // expected-error @below {{cannot run on the a2a3 NPU: a loop around the scopes needs compile-time bounds and carries no values there}}
    scf.for %j = %c0 to %i step %c1 {
      tile.spmd 1 (%b) {
        tile.at vector attributes {tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 0 : i64, pairs = 0 : i64}} {
          %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
          tile.barrier all
        }
      }
    }
  }
  return
}
