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
