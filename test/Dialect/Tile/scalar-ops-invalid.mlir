// The verifiers of TileScalarOps.td: constant indices inside the tile, the
// scalar of the tile's element type.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

// Row 16 of a 16-row tile: the rows are 0 .. 15.
func.func @get_past_the_last_row() {
  %c16 = arith.constant 16 : index
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{row index 16 is outside the tile [16, 32] (valid: 0 to 15)}}
      %v = tile.get %t[%c16, %c0] : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// A negative column.
func.func @set_negative_column(%s: f32) {
  %cm1 = arith.constant -1 : index
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{column index -1 is outside the tile [16, 32] (valid: 0 to 31)}}
      %r = tile.set %s into %t[%c0, %cm1] : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// tile.set writes a scalar of the tile's element type.
// expected-note @below {{prior use here}}
func.func @set_wrong_type(%s: i32) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{use of value '%s' expects different type than prior uses: 'f32' vs 'i32'}}
      %r = tile.set %s into %t[%c0, %c0] : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// Outside a core scope there are no tiles.
func.func @get_outside_a_scope(%t: !tile.tile<16x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.get' op must be nested in a tile.at core scope}}
  %v = tile.get %t[%c0, %c0] : !tile.tile<16x32xf32>
  return
}
