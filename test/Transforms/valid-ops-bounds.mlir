// Bounds of partial tiles in tile-check-races. A runtime valid extent
// bounds the elements a load / store touches: the last chunk of a 100-wide
// row read 32 columns at a time starts at 96 and has
// min(32, 100 - 96) = 4 valid columns, so its 32-wide window (96..128) runs
// past the tensor but its valid region (96..100) does not. The access
// analysis models min(32, 100 - off) exactly (an affine min).
//
// RUN: tessel-opt %s -split-input-file -tile-check-races -verify-diagnostics

func.func @tail_chunk_in_bounds(%a: memref<8x100xf32>, %o: memref<8x100xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c100 = arith.constant 100 : index
  tile.spmd 1 name("tail") (%b) {
    tile.at vector {
      scf.for %off = %c0 to %c100 step %c32 {
        %rest = arith.subi %c100, %off : index
        %vc = arith.minsi %rest, %c32 : index
        %t = tile.load %a[%c0, %off] valid [8, %vc] : memref<8x100xf32> -> !tile.tile<8x32xf32>
        tile.store %t, %o[%c0, %off] valid [8, %vc] : !tile.tile<8x32xf32>, memref<8x100xf32>
      }
    }
  }
  return
}

// -----

// min(32, 104 - off) is 8 at off = 96: columns 96..104 leave the tensor.
func.func @tail_chunk_out_of_bounds(%a: memref<8x100xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c100 = arith.constant 100 : index
  %c104 = arith.constant 104 : index
  tile.spmd 1 name("tail") (%b) {
    tile.at vector {
      scf.for %off = %c0 to %c100 step %c32 {
        %rest = arith.subi %c104, %off : index
        %vc = arith.minsi %rest, %c32 : index
        // expected-error @below {{slice out of bounds in dimension 1 of argument 0 (size 100)}}
        %t = tile.load %a[%c0, %off] valid [8, %vc] : memref<8x100xf32> -> !tile.tile<8x32xf32>
      }
    }
  }
  return
}

// -----

// Four blocks store rows [4b, 4b + 4) of 8-row windows: the windows overlap,
// the valid regions (4 rows each) do not, so there is no race.
func.func @valid_rows_do_not_race(%o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  tile.spmd 3 name("rows") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c4 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %o[%r, %c0] valid [4, 16] : !tile.tile<8x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// Five valid rows at 4b: block 0's row 4 is block 1's first.
func.func @valid_rows_race(%o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  tile.spmd 3 name("rows") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c4 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{race on argument 0 in scope 'rows': block 0 writes element [4, 0], which block 1 also writes}}
      // expected-note @below {{the other access: block 1 writes element [4, 0] here}}
      tile.store %x, %o[%r, %c0] valid [5, 16] : !tile.tile<8x16xf32>, memref<16x16xf32>
    }
  }
  return
}
