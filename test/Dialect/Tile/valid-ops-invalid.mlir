// The verifiers of partial tiles: a valid shape has two extents (rows,
// cols), each constant one in 1..the tile's size; only the valid region of
// a load or store has to fit its tensor.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

func.func @valid_rows_larger_than_the_tile(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{'tile.load' op valid rows 20 outside the tile's 1..16 ('!tile.tile<16x32xf32>')}}
      %t = tile.load %a[%c0, %c0] valid [20, 32] : memref<64x64xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @valid_cols_zero(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{'tile.fillpad' op valid cols 0 outside the tile's 1..32}}
      %f = tile.fillpad %t valid [16, 0] zero : !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @valid_shape_of_rank_three(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{'tile.load' op valid shape has 3 extents, but a tile has 2 (rows, cols)}}
      %t = tile.load %a[%c0, %c0] valid [1, 16, 32] : memref<64x64xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

func.func @valid_shape_of_rank_one(%a: memref<64x64xf32>, %o: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{'tile.store' op valid shape has 1 extents, but a tile has 2 (rows, cols)}}
      tile.store %t, %o[%c0, %c0] valid [16] : !tile.tile<16x32xf32>, memref<64x64xf32>
    }
  }
  return
}

// -----

// The valid region must fit the tensor: 8 valid rows at row 60 reach 68.
func.func @valid_region_out_of_bounds(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c60 = arith.constant 60 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{'tile.load' op slice [8, 32] at offset 60 is out of bounds of 'memref<64x64xf32>' in dimension 0: 60 + 8 > 64}}
      %t = tile.load %a[%c60, %c0] valid [8, 32] : memref<64x64xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// -----

// 4 valid rows at row 60 fit (60 + 4 = 64) although the 16-row window does
// not: no error here; the next op's element type is wrong.
func.func @valid_region_fits(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c60 = arith.constant 60 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c60, %c0] valid [4, 32] : memref<64x64xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{'tile.fillpad' op failed to verify that all of {source, result} have same type}}
      %f = "tile.fillpad"(%t) {static_valid = array<i64: 4, 32>, pad = 0 : i32} : (!tile.tile<16x32xf32>) -> !tile.tile<16x32xf16>
    }
  }
  return
}

// -----

func.func @fillpad_without_valid_shape(%a: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<64x64xf32> -> !tile.tile<16x32xf32>
      // expected-error @below {{'tile.fillpad' op requires attribute 'static_valid'}}
      %f = tile.fillpad %t min : !tile.tile<16x32xf32>
    }
  }
  return
}
