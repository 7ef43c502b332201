// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics

// Offsets computed from data (pl.read: a 1 x 1 tile.load and a tile.get).
// The value read is any integer: an offset clamped into the tensor (what
// the frontend builds, max(0, min(r, dim - size))) ranges over the whole
// extent of the dimension; an unclamped one may leave it.

// Gathering rows through an index tensor: the clamped load of row
// max(0, min(idx[b], 15)) stays in bounds, and reads race with nothing.
func.func @gather_clamped(%idx: memref<4xi32>, %src: memref<16x32xf32>,
                          %out: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c15 = arith.constant 15 : index
  tile.spmd 4 name("gather") (%b) {
    tile.at vector {
      %e = tile.load %idx[%b] : memref<4xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %e[%c0, %c0] : !tile.tile<1x1xi32>
      %i = arith.index_cast %v : i32 to index
      %lo = arith.maxsi %i, %c0 : index
      %r = arith.minsi %lo, %c15 : index
      %x = tile.load %src[%r, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %out[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  return
}

// -----

// The same row offset without the clamp: idx[b] = -1 reads row -1.
func.func @gather_unclamped(%idx: memref<4xi32>, %src: memref<16x32xf32>,
                            %out: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 4 name("gather") (%b) {
    tile.at vector {
      %e = tile.load %idx[%b] : memref<4xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %e[%c0, %c0] : !tile.tile<1x1xi32>
      %r = arith.index_cast %v : i32 to index
      // expected-error @below {{slice out of bounds in dimension 0 of argument 1 (size 16)}}
      %x = tile.load %src[%r, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %out[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
    }
  }
  return
}

// -----

// Scattering rows to data-dependent places from 4 blocks: two blocks may
// read the same index, so they may write the same row (the witness takes
// both values 0).
func.func @scatter_clamped(%idx: memref<4xi32>, %x: memref<4x32xf32>,
                           %out: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c15 = arith.constant 15 : index
  tile.spmd 4 name("scatter") (%b) {
    tile.at vector {
      %e = tile.load %idx[%b] : memref<4xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %e[%c0, %c0] : !tile.tile<1x1xi32>
      %i = arith.index_cast %v : i32 to index
      %lo = arith.maxsi %i, %c0 : index
      %r = arith.minsi %lo, %c15 : index
      %t = tile.load %x[%b, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
      // expected-error @below {{race on argument 2 in scope 'scatter'}}
      // expected-note @below {{the other access}}
      tile.store %t, %out[%r, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A data-dependent if inside the scope: a block stores its row only when
// the value it read is positive; the rows stay the block's own.
func.func @store_under_a_data_if(%flag: memref<4xi32>, %x: memref<4x32xf32>,
                                 %out: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0 : i32
  tile.spmd 4 name("cond") (%b) {
    tile.at vector {
      %e = tile.load %flag[%b] : memref<4xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %e[%c0, %c0] : !tile.tile<1x1xi32>
      %p = arith.cmpi sgt, %v, %z : i32
      scf.if %p {
        %t = tile.load %x[%b, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
        tile.store %t, %out[%b, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
      }
    }
  }
  return
}
