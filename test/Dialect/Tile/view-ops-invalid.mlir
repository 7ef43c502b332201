// The verifiers of TileViewOps.td: tile.extract, tile.insert, the
// broadcasts, tile.arange and tile.log.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

// Rows 8 .. 24 of a 16-row tile: 8 + 16 > 16.
func.func @extract_past_the_last_row() {
  %c8 = arith.constant 8 : index
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{result [16, 16] at row 8 leaves the source [16, 64] (8 + 16 > 16)}}
      %s = tile.extract %t[%c8, %c0] : !tile.tile<16x64xf32> -> !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// Columns 56 .. 72 of 64: 56 + 16 > 64.
func.func @insert_past_the_last_column() {
  %c56 = arith.constant 56 : index
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x64xf32>
      %s = tile.full 2.0 : !tile.tile<8x16xf32>
      // expected-error @below {{source [8, 16] at column 56 leaves the dest [16, 64] (56 + 16 > 64)}}
      %r = tile.insert %s into %t[%c0, %c56] : !tile.tile<8x16xf32> into !tile.tile<16x64xf32>
    }
  }
  return
}

// -----

func.func @extract_larger_than_the_source(%j: index) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{result [32, 16] does not fit the source [16, 64]}}
      %s = tile.extract %t[%j, %j] : !tile.tile<16x64xf32> -> !tile.tile<32x16xf32>
    }
  }
  return
}

// -----

func.func @extract_changes_the_element_type(%j: index) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{result element type 'f16' does not match the source's 'f32'}}
      %s = tile.extract %t[%j, %j] : !tile.tile<16x64xf32> -> !tile.tile<8x16xf16>
    }
  }
  return
}

// -----

func.func @insert_of_another_element_type(%j: index) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<16x64xf32>
      %s = tile.full 1 : !tile.tile<8x16xi32>
      // expected-error @below {{source element type 'i32' does not match the dest's 'f32'}}
      %r = tile.insert %s into %t[%j, %j] : !tile.tile<8x16xi32> into !tile.tile<16x64xf32>
    }
  }
  return
}

// -----

// f16 holds integers exactly up to 2048: 2040 + 16 - 1 = 2055 is not.
func.func @arange_inexact_in_f16() {
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{values 2040 .. 2055 are not all exact in 'f16'}}
      %i = tile.arange 2040 : !tile.tile<1x16xf16>
    }
  }
  return
}

// -----

func.func @log_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.full 1 : !tile.tile<8x16xi32>
      // expected-error @below {{must be tile of f16 or f32}}
      %l = tile.log %t : !tile.tile<8x16xi32>
    }
  }
  return
}

// -----

// A cube scope has no vector unit for tile.arange.
func.func @arange_on_the_cube() {
  tile.spmd 1 (%b) {
    // expected-note @below {{core scope is here}}
    tile.at cube {
      // expected-error @below {{is a vector op and cannot run in a cube scope}}
      %i = tile.arange 0 : !tile.tile<1x16xi32>
    }
  }
  return
}

// -----

// A per-row operand is [16, 1] for a [16, 32] tile.
func.func @row_expand_add_by_a_row_vector() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<1x32xf32>
      // expected-error @below {{scale must be [16, 1] for a [16, 32] tile, got [1, 32]}}
      %y = tile.row_expand_add %x, %s : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
    }
  }
  return
}

// -----

func.func @col_expand_sub_of_mixed_element_types() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.full 1.0 : !tile.tile<1x32xf16>
      // expected-error @below {{scale element type 'f16' does not match the tile's 'f32'}}
      %y = tile.col_expand_sub %x, %s : !tile.tile<16x32xf32>, !tile.tile<1x32xf16>
    }
  }
  return
}

// -----

// Division and expdif are float ops.
func.func @row_expand_div_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      %s = tile.full 1 : !tile.tile<16x1xi32>
      // expected-error @below {{must be tile of f16 or f32}}
      %y = tile.row_expand_div %x, %s : !tile.tile<16x32xi32>, !tile.tile<16x1xi32>
    }
  }
  return
}

// -----

func.func @col_expand_expdif_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      %s = tile.full 1 : !tile.tile<1x32xi32>
      // expected-error @below {{must be tile of f16 or f32}}
      %y = tile.col_expand_expdif %x, %s : !tile.tile<16x32xi32>, !tile.tile<1x32xi32>
    }
  }
  return
}

// -----

// tile.row_expand broadcasts an [M, 1] tile: [8, 1] is not the one column
// of a [16, 32] result.
func.func @row_expand_of_the_wrong_rows() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %s = tile.full 1.0 : !tile.tile<8x1xf32>
      // expected-error @below {{input must be [16, 1] for a [16, 32] result, got [8, 1]}}
      %y = tile.row_expand %s : !tile.tile<8x1xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @col_expand_changes_the_element_type() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %s = tile.full 1.0 : !tile.tile<1x32xf32>
      // expected-error @below {{result element type 'f16' does not match the input's 'f32'}}
      %y = tile.col_expand %s : !tile.tile<1x32xf32> -> !tile.tile<16x32xf16>
    }
  }
  return
}

// -----

// A broadcast copies bits: the result has the input's element type (bf16
// to f32 is a tile.cast).
func.func @col_expand_changing_the_element_type() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %g = tile.full 1.0 : !tile.tile<1x32xbf16>
      // expected-error @below {{result element type 'f32' does not match the input's 'bf16'}}
      %y = tile.col_expand %g : !tile.tile<1x32xbf16> -> !tile.tile<16x32xf32>
    }
  }
  return
}
