// RUN: tessel-opt %s -split-input-file -tile-insert-sync -verify-diagnostics

// The pass reads placements: unplaced IR is an error, not a guess.
// expected-error @below {{needs placed IR: run tile-place-buffers before tile-insert-sync}}
func.func @unplaced(%a: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Running twice would double every pair.
func.func @synchronised_twice(%a: memref<16x32xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{is already in a synchronised scope: tile-insert-sync runs once, on placed IR without sync ops}}
      tile.set_flag mte2 -> mte3, 0
      tile.wait_flag mte2 -> mte3, 0
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// In a cube scope a loaded tile lives in L1, and no instruction stores L1
// to GM (TSTORE reads UB on MTE3 or L0C on FIX).
func.func @store_from_l1(%a: memref<16x32xbf16>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<l1, 0>} : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      // expected-error @below {{cannot run on the a2a3 NPU: stores to GM read ub (MTE3) or l0c (FIX), not l1}}
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xbf16>, memref<16x32xbf16>
    }
  }
  return
}

// -----

// A row reduction needs its scratch tile (TROWSUM's tmp).
func.func @row_sum_without_scratch(%a: memref<16x32xf32>, %o: memref<16x1xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x32xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{cannot run on the a2a3 NPU: a row reduction needs a scratch tile (the 'scratch' placement of tile-place-buffers)}}
      %s = tile.row_sum %x {place = #tile.place<ub, 2048>} : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// A reshape placed away from its operand is a copy the NPU back end does
// not emit.
func.func @reshape_copy(%a: memref<16x1xf32>, %o: memref<1x16xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<16x1xf32> -> !tile.tile<16x1xf32>
      // expected-error @below {{cannot run on the a2a3 NPU: a reshape that is not a view of its operand}}
      %r = tile.reshape %x {place = #tile.place<ub, 64>} : !tile.tile<16x1xf32> -> !tile.tile<1x16xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
    }
  }
  return
}

// -----

// Scalar access of a 16-bit float tile: Tile::GetValue would return a
// `half` that EmitC's scalar arithmetic cannot take; an error at the op.
// So is scalar access of a tile outside UB (GetValue / SetValue are for
// TileType::Vec tiles only).
func.func @get_of_f16(%w: memref<1x16xf16>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %e = tile.load %w[%c0, %c0] {place = #tile.place<ub, 0>} : memref<1x16xf16> -> !tile.tile<1x16xf16>
      // expected-error @below {{'tile.get' op cannot run on the a2a3 NPU: the NPU back end accesses single elements of f32, i32 and i8 tiles, not 'f16' (Tile::GetValue of a 16-bit float is not emitted yet); cast the tile to f32 first}}
      %s = tile.get %e[%c0, %c0] : !tile.tile<1x16xf16>
      %t = tile.set %s into %e[%c0, %c0] {place = #tile.place<ub, 0>} : !tile.tile<1x16xf16>
      tile.store %t, %w[%c0, %c0] : !tile.tile<1x16xf16>, memref<1x16xf16>
    }
  }
  return
}

// -----

func.func @get_of_l1(%w: memref<16x16xf32>, %o: memref<1x16xf32>) attributes {tile.placed} {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at cube {
      %e = tile.load %w[%c0, %c0] {place = #tile.place<l1, 0>} : memref<16x16xf32> -> !tile.tile<16x16xf32>
      // expected-error @below {{'tile.get' op cannot run on the a2a3 NPU: Tile::GetValue reads and writes UB tiles (TileType::Vec), not a tile in l1}}
      %s = tile.get %e[%c0, %c0] : !tile.tile<16x16xf32>
    }
  }
  return
}
