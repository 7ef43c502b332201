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

// -----

// A loop whose trip count is read at run time (PyPTO's ragged-tail idiom,
// `for i in pl.range(n)` with n = pl.read(cfg, [0]) of an INT64 config
// tensor). The frontend reads the INT64 as its two i32 halves through
// tile.reinterpret_view and combines them as hi * 2^32 + zext(lo): affine in
// the two values read, so n is an unconstrained integer and i ranges over
// 0 <= i < n. The offset 8 i has no static maximum: the frontend clamps it,
// max(0, min(8 i, 32 - 8)), and the load and store stay inside 32 rows.
func.func @runtime_trip_count_clamped(%cfg: memref<2xi64>,
                                      %src: memref<32x16xf32>,
                                      %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  %two32 = arith.constant 4294967296 : i64
  tile.spmd 1 name("ragged") (%b) {
    tile.at vector {
      %e = tile.load %cfg[%c0] : memref<2xi64> -> !tile.tile<1x1xi64>
      %h = tile.reinterpret_view %e : !tile.tile<1x1xi64> -> !tile.tile<1x2xi32>
      %lo = tile.get %h[%c0, %c0] : !tile.tile<1x2xi32>
      %hi = tile.get %h[%c0, %c1] : !tile.tile<1x2xi32>
      %lo64 = arith.extui %lo : i32 to i64
      %hi64 = arith.extsi %hi : i32 to i64
      %up = arith.muli %hi64, %two32 : i64
      %n64 = arith.addi %up, %lo64 : i64
      %n = arith.index_cast %n64 : i64 to index
      scf.for %i = %c0 to %n step %c1 {
        %o = arith.muli %i, %c8 : index
        %l = arith.maxsi %o, %c0 : index
        %r = arith.minsi %l, %c24 : index
        %x = tile.load %src[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// The same loop without the clamp: n may exceed 4, and i = 4 reads rows
// 32..40 of 32.
func.func @runtime_trip_count_unclamped(%cfg: memref<2xi64>,
                                        %src: memref<32x16xf32>,
                                        %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 name("ragged") (%b) {
    tile.at vector {
      %e = tile.load %cfg[%c0] : memref<2xi64> -> !tile.tile<1x1xi64>
      %h = tile.reinterpret_view %e : !tile.tile<1x1xi64> -> !tile.tile<1x2xi32>
      %lo = tile.get %h[%c0, %c0] : !tile.tile<1x2xi32>
      %n = arith.index_cast %lo : i32 to index
      scf.for %i = %c0 to %n step %c1 {
        %o = arith.muli %i, %c8 : index
        // expected-error @below {{slice out of bounds in dimension 0 of argument 1 (size 32): block 0 (i0 = 4) reads 32:40}}
        %x = tile.load %src[%o, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        // expected-error @below {{block 0 (i0 = 4) writes 32:40}}
        tile.store %x, %out[%o, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// Two blocks, each looping over a trip count it reads: the clamped rows of
// both range over all of 0..24, so block 0 and block 1 may store the same
// rows (a race with a witness), unlike block-indexed rows.
func.func @runtime_trip_count_two_blocks(%cfg: memref<2xi32>,
                                         %src: memref<32x16xf32>,
                                         %out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c24 = arith.constant 24 : index
  tile.spmd 2 name("ragged2") (%b) {
    tile.at vector {
      %e = tile.load %cfg[%b] : memref<2xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %e[%c0, %c0] : !tile.tile<1x1xi32>
      %n = arith.index_cast %v : i32 to index
      scf.for %i = %c0 to %n step %c1 {
        %o = arith.muli %i, %c8 : index
        %l = arith.maxsi %o, %c0 : index
        %r = arith.minsi %l, %c24 : index
        %x = tile.load %src[%r, %c0] : memref<32x16xf32> -> !tile.tile<8x16xf32>
        // expected-error @below {{race on argument 2 in scope 'ragged2'}}
        // expected-note @below {{the other access}}
        tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}
