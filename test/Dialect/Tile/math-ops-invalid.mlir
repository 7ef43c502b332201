// The verifiers of TileMathOps.td: element types (f16 / f32 only), operand
// and result types, the scalar's type.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

func.func @sin_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x16xi32>
      // expected-error @below {{'tile.sin' op operand #0 must be tile of f16 or f32}}
      %s = tile.sin %x : !tile.tile<8x16xi32>
    }
  }
  return
}

// -----

func.func @cos_of_bf16() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xbf16>
      // expected-error @below {{'tile.cos' op operand #0 must be tile of f16 or f32}}
      %s = tile.cos %x : !tile.tile<8x16xbf16>
    }
  }
  return
}

// -----

// No integer remainders yet: i32 is rejected, not silently wrong.
func.func @rem_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 7 : !tile.tile<8x16xi32>
      // expected-error @below {{'tile.rem' op operand #0 must be tile of f16 or f32}}
      %r = tile.rem %x, %x : !tile.tile<8x16xi32>
    }
  }
  return
}

// -----

func.func @fmod_shape_mismatch() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 7.0 : !tile.tile<8x16xf32>
      %y = tile.full 3.0 : !tile.tile<8x32xf32>
      // expected-error @below {{'tile.fmod' op requires the same type for all operands and results}}
      %r = "tile.fmod"(%x, %y) : (!tile.tile<8x16xf32>, !tile.tile<8x32xf32>) -> !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

func.func @rem_dtype_mismatch() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 7.0 : !tile.tile<8x16xf32>
      %y = tile.full 3.0 : !tile.tile<8x16xf16>
      // expected-error @below {{'tile.rem' op requires the same type for all operands and results}}
      %r = "tile.rem"(%x, %y) : (!tile.tile<8x16xf32>, !tile.tile<8x16xf16>) -> !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

func.func @fmods_scalar_of_another_type() {
  %s = arith.constant 3.0 : f16
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 7.0 : !tile.tile<8x16xf32>
      // expected-error @below {{'tile.fmods' op failed to verify that scalar has the tile's element type}}
      %r = "tile.fmods"(%x, %s) : (!tile.tile<8x16xf32>, f16) -> !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

func.func @rems_of_integers() {
  %s = arith.constant 3 : i32
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 7 : !tile.tile<8x16xi32>
      // expected-error @below {{'tile.rems' op operand #0 must be tile of f16 or f32}}
      %r = "tile.rems"(%x, %s) : (!tile.tile<8x16xi32>, i32) -> !tile.tile<8x16xi32>
    }
  }
  return
}

// -----

// Outside a core scope.
func.func @sin_outside_a_scope(%x: !tile.tile<8x16xf32>) {
  // expected-error @below {{'tile.sin' op must be nested in a tile.at core scope}}
  %s = tile.sin %x : !tile.tile<8x16xf32>
  return
}
