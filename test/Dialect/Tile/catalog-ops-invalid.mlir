// The verifiers of TileCatalogOps.td: mask shapes and types, element types,
// reduction and layout shapes.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

// 64 columns -> ceil(64 / 8) = 8 bytes, rounded up to 32: the mask is
// 16 x 32, not 16 x 8.
func.func @cmp_mask_unpadded() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{'tile.cmp' op the packed mask of a [16, 64] comparison is [16, 32] (ceil(64 / 8) bytes per row, rounded up to 32), got [16, 8]}}
      %m = tile.cmp %x, %x eq : !tile.tile<16x64xf32> -> !tile.tile<16x8xi8>
    }
  }
  return
}

// -----

func.func @cmp_mask_not_bytes() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{'tile.cmp' op result #0 must be tile of i8 (a packed predicate mask)}}
      %m = tile.cmp %x, %x eq : !tile.tile<16x64xf32> -> !tile.tile<16x32xi32>
    }
  }
  return
}

// -----

func.func @cmp_of_bf16() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x64xbf16>
      // expected-error @below {{'tile.cmp' op operand #0 must be tile of f16, f32 or i32}}
      %m = tile.cmp %x, %x eq : !tile.tile<16x64xbf16> -> !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

func.func @cmp_unknown_mode() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{expected string or keyword containing one of the following enum values for attribute 'mode' [eq, ne, lt, le, gt, ge]}}
      %m = tile.cmp %x, %x below : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

func.func @cmps_scalar_type(%s: f16) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{'tile.cmps' op failed to verify that scalar has the tile's element type}}
      %m = "tile.cmps"(%x, %s) <{mode = 0 : i32}> : (!tile.tile<16x64xf32>, f16) -> !tile.tile<16x32xi8>
    }
  }
  return
}

// -----

// A 16 x 64 selection needs 16 mask rows of at least 8 bytes.
func.func @sel_mask_too_few_rows() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %m = tile.full 0 : !tile.tile<8x32xi8>
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      // expected-error @below {{'tile.sel' op a mask selecting over a [16, 64] tile needs 16 rows of at least 8 bytes (ceil(64 / 8)), got [8, 32]}}
      %s = tile.sel %m, %x, %x : !tile.tile<8x32xi8>, !tile.tile<16x64xf32>
    }
  }
  return
}

// -----

// 100 columns need ceil(100 / 8) = 13 bytes per row.
func.func @sels_mask_too_narrow(%z: f32) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %m = tile.full 0 : !tile.tile<4x12xi8>
      %x = tile.full 1.0 : !tile.tile<4x100xf32>
      // expected-error @below {{'tile.sels' op a mask selecting over a [4, 100] tile needs 4 rows of at least 13 bytes (ceil(100 / 8)), got [4, 12]}}
      %s = tile.sels %m, %x, %z : !tile.tile<4x12xi8>, !tile.tile<4x100xf32>
    }
  }
  return
}

// -----

func.func @sel_operands_differ() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %m = tile.full 0 : !tile.tile<16x32xi8>
      %x = tile.full 1.0 : !tile.tile<16x64xf32>
      %y = tile.full 1.0 : !tile.tile<16x64xf16>
      // expected-error @below {{'tile.sel' op failed to verify that all of {lhs, rhs, result} have same type}}
      %s = "tile.sel"(%m, %x, %y) : (!tile.tile<16x32xi8>, !tile.tile<16x64xf32>, !tile.tile<16x64xf16>) -> !tile.tile<16x64xf32>
    }
  }
  return
}

// -----

func.func @prelu_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x16xi32>
      // expected-error @below {{'tile.prelu' op operand #0 must be tile of f16 or f32}}
      %p = tile.prelu %x, %x : !tile.tile<8x16xi32>
    }
  }
  return
}

// -----

func.func @and_of_floats() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{'tile.and' op operand #0 must be tile of i8 or i32}}
      %a = tile.and %x, %x : !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

func.func @shls_scalar_type(%k: i32) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<8x16xi8>
      // expected-error @below {{'tile.shls' op failed to verify that scalar has the tile's element type}}
      %a = "tile.shls"(%x, %k) : (!tile.tile<8x16xi8>, i32) -> !tile.tile<8x16xi8>
    }
  }
  return
}

// -----

func.func @not_of_f16() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf16>
      // expected-error @below {{'tile.not' op operand #0 must be tile of i8 or i32}}
      %a = tile.not %x : !tile.tile<8x16xf16>
    }
  }
  return
}

// -----

func.func @col_sum_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{'tile.col_sum' op result must be [1, 32], got [16, 1]}}
      %s = tile.col_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
    }
  }
  return
}

// -----

func.func @row_min_dtype() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{'tile.row_min' op result element type 'f16' does not match the input's 'f32'}}
      %s = tile.row_min %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf16>
    }
  }
  return
}

// -----

func.func @col_prod_of_integers() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1 : !tile.tile<16x32xi32>
      // expected-error @below {{'tile.col_prod' op operand #0 must be tile of f16 or f32}}
      %s = tile.col_prod %x : !tile.tile<16x32xi32> -> !tile.tile<1x32xi32>
    }
  }
  return
}

// -----

func.func @argmax_index_type() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{'tile.row_argmax' op result #0 must be tile of i32}}
      %s = tile.row_argmax %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
    }
  }
  return
}

// -----

func.func @col_argmin_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      // expected-error @below {{'tile.col_argmin' op result must be [1, 32], got [1, 16]}}
      %s = tile.col_argmin %x : !tile.tile<16x32xf32> -> !tile.tile<1x16xi32>
    }
  }
  return
}

// -----

func.func @transpose_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{'tile.transpose' op the transpose of a [8, 16] tile is [16, 8], got [8, 16]}}
      %t = tile.transpose %x : !tile.tile<8x16xf32> -> !tile.tile<8x16xf32>
    }
  }
  return
}

// -----

func.func @transpose_dtype() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{'tile.transpose' op result element type 'f16' does not match the input's 'f32'}}
      %t = tile.transpose %x : !tile.tile<8x16xf32> -> !tile.tile<16x8xf16>
    }
  }
  return
}

// -----

func.func @concat_rows_differ() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      %y = tile.full 1.0 : !tile.tile<4x16xf32>
      // expected-error @below {{'tile.concat' op operands must have the same rows, got [8, 16] and [4, 16]}}
      %c = tile.concat %x, %y : !tile.tile<8x16xf32>, !tile.tile<4x16xf32> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

// 16 + 32 = 48 columns.
func.func @concat_result_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      %y = tile.full 1.0 : !tile.tile<8x32xf32>
      // expected-error @below {{'tile.concat' op result must be [8, 48], got [8, 32]}}
      %c = tile.concat %x, %y : !tile.tile<8x16xf32>, !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

func.func @concat_dtypes_differ() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      %y = tile.full 1.0 : !tile.tile<8x16xf16>
      // expected-error @below {{'tile.concat' op operands and result must have one element type, got 'f32', 'f16' -> 'f32'}}
      %c = tile.concat %x, %y : !tile.tile<8x16xf32>, !tile.tile<8x16xf16> -> !tile.tile<8x32xf32>
    }
  }
  return
}

// -----

// 3 f16 = 6 bytes per row: not a whole number of 4-byte f32.
func.func @reinterpret_partial_row() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x3xf16>
      // expected-error @below {{'tile.reinterpret_view' op a row of 3 x 'f16' (6 bytes) is not a whole number of 'f32'}}
      %v = tile.reinterpret_view %x : !tile.tile<8x3xf16> -> !tile.tile<8x1xf32>
    }
  }
  return
}

// -----

// 16 f32 = 64 bytes = 16 i32 per row.
func.func @reinterpret_wrong_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      // expected-error @below {{'tile.reinterpret_view' op the bytes of a [8, 16] 'f32' tile read as 'i32' are [8, 16], got [16, 8]}}
      %v = tile.reinterpret_view %x : !tile.tile<8x16xf32> -> !tile.tile<16x8xi32>
    }
  }
  return
}

// -----

func.func @tri_of_bf16() {
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{'tile.tri' op result #0 must be tile of f16, f32 or i32}}
      %t = tile.tri 0 : !tile.tile<8x8xbf16>
    }
  }
  return
}
