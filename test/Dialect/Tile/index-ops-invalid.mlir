// The verifiers of TileIndexOps.td and of tile.gather's output type: index
// dtypes and shapes, sort32's f32 blocks of 32 and its [M, 2C] result,
// mrgsort's block_len and groups of 4 runs, mrgsort_lists' 2 to 4 lists.
//
// RUN: tessel-opt %s -split-input-file -verify-diagnostics

func.func @gather_index_dtype() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %i = tile.arange 0 : !tile.tile<4x8xi32>
      // expected-error @below {{'tile.gather_index' op element type mismatch: input holds 'f32', result 'f16'}}
      %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x8xf16>
    }
  }
  return
}

// -----

func.func @gather_index_float_index() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %i = tile.full 0.0 : !tile.tile<4x8xf32>
      // expected-error @below {{'tile.gather_index' op the index tile holds i32 column indices, got 'f32'}}
      %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<4x8xf32> -> !tile.tile<4x8xf32>
    }
  }
  return
}

// -----

func.func @gather_index_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %i = tile.arange 0 : !tile.tile<4x8xi32>
      // expected-error @below {{'tile.gather_index' op the index [4, 8] must have the shape of the result [4, 16]}}
      %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x16xf32>
    }
  }
  return
}

// -----

func.func @gather_index_rows() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %i = tile.arange 0 : !tile.tile<2x8xi32>
      // expected-error @below {{'tile.gather_index' op the index has 2 rows, the indexed tile [4, 64] has 4}}
      %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<2x8xi32> -> !tile.tile<2x8xf32>
    }
  }
  return
}

// -----

func.func @scatter_index_dtype() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %s = tile.full 1.0 : !tile.tile<4x8xf16>
      %i = tile.arange 0 : !tile.tile<4x8xi32>
      // expected-error @below {{'tile.scatter_index' op element type mismatch: source holds 'f16', destination 'f32'}}
      %y = tile.scatter_index %s, %i into %x : !tile.tile<4x8xf16>, !tile.tile<4x8xi32> -> !tile.tile<4x64xf32>
    }
  }
  return
}

// -----

func.func @scatter_index_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x64xf32>
      %s = tile.full 1.0 : !tile.tile<4x8xf32>
      %i = tile.arange 0 : !tile.tile<4x4xi32>
      // expected-error @below {{'tile.scatter_index' op the index [4, 4] must have the shape of the source [4, 8]}}
      %y = tile.scatter_index %s, %i into %x : !tile.tile<4x8xf32>, !tile.tile<4x4xi32> -> !tile.tile<4x64xf32>
    }
  }
  return
}

// -----

func.func @sort32_bf16() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x32xbf16>
      %i = tile.arange 0 : !tile.tile<1x32xi32>
      // expected-error @below {{'tile.sort32' op operand #0 must be tile of f16 or f32}}
      %s = tile.sort32 %x, %i : !tile.tile<1x32xbf16>, !tile.tile<1x32xi32> -> !tile.tile<1x128xbf16>
    }
  }
  return
}

// -----

func.func @sort32_tail() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x48xf32>
      %i = tile.arange 0 : !tile.tile<1x48xi32>
      // expected-error @below {{'tile.sort32' op sorts whole blocks of 32: the input has 48 columns, not a multiple of 32}}
      %s = tile.sort32 %x, %i : !tile.tile<1x48xf32>, !tile.tile<1x48xi32> -> !tile.tile<1x96xf32>
    }
  }
  return
}

// -----

func.func @sort32_index_type() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x32xf32>
      %i = tile.full 1.0 : !tile.tile<1x32xf32>
      // expected-error @below {{'tile.sort32' op the index tile holds 32-bit indices (i32), got 'f32'}}
      %s = tile.sort32 %x, %i : !tile.tile<1x32xf32>, !tile.tile<1x32xf32> -> !tile.tile<1x64xf32>
    }
  }
  return
}

// -----

func.func @sort32_index_shape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<4x32xf32>
      %i = tile.arange 0 : !tile.tile<2x32xi32>
      // expected-error @below {{'tile.sort32' op the index [2, 32] must be [4, 32] or [1, 32]}}
      %s = tile.sort32 %x, %i : !tile.tile<4x32xf32>, !tile.tile<2x32xi32> -> !tile.tile<4x64xf32>
    }
  }
  return
}

// -----

func.func @sort32_result() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x32xf32>
      %i = tile.arange 0 : !tile.tile<1x32xi32>
      // expected-error @below {{'tile.sort32' op the result of sorting [1, 32] is [1, 64] (one (value, index) pair per element), got [1, 32]}}
      %s = tile.sort32 %x, %i : !tile.tile<1x32xf32>, !tile.tile<1x32xi32> -> !tile.tile<1x32xf32>
    }
  }
  return
}

// -----

func.func @mrgsort_block_len() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x256xf32>
      // expected-error @below {{'tile.mrgsort' op block_len must be a positive multiple of 64, got 48}}
      %m = tile.mrgsort %x block_len(48) : !tile.tile<1x256xf32> -> !tile.tile<1x256xf32>
    }
  }
  return
}

// -----

func.func @mrgsort_groups() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x384xf32>
      // expected-error @below {{'tile.mrgsort' op merges groups of 4 runs of 64 columns: the input's 384 columns are not a multiple of 256}}
      %m = tile.mrgsort %x block_len(64) : !tile.tile<1x384xf32> -> !tile.tile<1x384xf32>
    }
  }
  return
}

// -----

func.func @mrgsort_rows() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<2x256xf32>
      // expected-error @below {{'tile.mrgsort' op merges one-row tiles (pto-isa's TMRGSORT), the input is [2, 256]}}
      %m = tile.mrgsort %x block_len(64) : !tile.tile<2x256xf32> -> !tile.tile<2x256xf32>
    }
  }
  return
}

// -----

func.func @mrgsort_lists_count() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x64xf32>
      // expected-error @below {{'tile.mrgsort_lists' op merges 2 to 4 lists, got 1}}
      %m = tile.mrgsort_lists %x : !tile.tile<1x64xf32> -> !tile.tile<1x64xf32>
    }
  }
  return
}

// -----

func.func @mrgsort_lists_result() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x64xf32>
      // expected-error @below {{'tile.mrgsort_lists' op the result holds every input pair: [1, 128], got [1, 64]}}
      %m = tile.mrgsort_lists %x, %x : !tile.tile<1x64xf32>, !tile.tile<1x64xf32> -> !tile.tile<1x64xf32>
    }
  }
  return
}

// -----

func.func @gather_width() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x64xf32>
      // expected-error @below {{'tile.gather' op a gather reinterprets elements as a type of the same width only: input holds 'f32', result 'f16'}}
      %g = tile.gather %x p0101 : !tile.tile<1x64xf32> -> !tile.tile<1x32xf16>
    }
  }
  return
}

// -----

func.func @sort32_f16_result() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x32xf16>
      %i = tile.arange 0 : !tile.tile<1x32xi32>
      // An f16 pair is 4 elements (value, 0, index low and high halves).
      // expected-error @below {{'tile.sort32' op the result of sorting [1, 32] is [1, 128] (one (value, index) pair per element), got [1, 64]}}
      %s = tile.sort32 %x, %i : !tile.tile<1x32xf16>, !tile.tile<1x32xi32> -> !tile.tile<1x64xf16>
    }
  }
  return
}

// -----

func.func @mrgsort_lists_mixed_types() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<1x64xf32>
      %h = tile.full 1.0 : !tile.tile<1x64xf16>
      // expected-error @below {{'tile.mrgsort_lists' op the lists and the result hold one element type, got 'f16' and 'f32'}}
      %m = tile.mrgsort_lists %x, %h : !tile.tile<1x64xf32>, !tile.tile<1x64xf16> -> !tile.tile<1x128xf32>
    }
  }
  return
}
