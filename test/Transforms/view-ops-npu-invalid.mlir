// The forms of TileViewOps.td that PTO-ISA's instructions cannot run are an
// error at the op on the NPU path, naming the instruction and why (the CPU
// simulation runs them all). The rest (test/Target/PTO/view-ops.mlir) are
// TEXTRACT / TINSERT, TCI, TLOG and the TROWEXPAND* / TCOLEXPAND* family.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

// a2a3's vector copy starts a window at a 32-byte block: column 4 of f32
// is 16 bytes in (8 f32 make a block).
func.func @unaligned_window(%a: memref<16x64xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{'tile.extract' op cannot run on the a2a3 NPU: TEXTRACT needs the window's first column at a multiple of 8 elements (32 bytes) on a2a3; it is 4}}
      %s = tile.extract %x[%c0, %c4] : !tile.tile<16x64xf32> -> !tile.tile<16x16xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// A runtime column 4 * k + 8 is a multiple of 4 only (gcd(4, 8) = 4), not
// of 8: not provably aligned.
func.func @runtime_unaligned_insert(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c0f = arith.constant 0.0 : f32
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %w = tile.full 1.0 : !tile.tile<16x16xf32>
      scf.for %k = %c0 to %c4 step %c1 {
        %k4 = arith.muli %k, %c4 : index
        %col = arith.addi %k4, %c8 : index
        // expected-error @below {{TINSERT needs the window's first column at a multiple of 8 elements (32 bytes) on a2a3; the offset is not known to be one}}
        %y = tile.insert %w into %x[%c0, %col] : !tile.tile<16x16xf32> into !tile.tile<16x64xf32>
        tile.store %y, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
      }
    }
  }
  return
}

// -----

// PTO-ISA copies a 1x1 window with scalar instructions on PIPE_S.
func.func @one_element_window(%a: memref<16x64xf32>, %o: memref<1x1xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{TEXTRACT copies a 1x1 window with scalar instructions (PIPE_S), which the pto back end does not synchronise}}
      %s = tile.extract %x[%c0, %c0] : !tile.tile<16x64xf32> -> !tile.tile<1x1xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<1x1xf32>, memref<1x1xf32>
    }
  }
  return
}

// -----

// A column of a row-major tile is strided; a column vector is contiguous.
func.func @strided_column(%a: memref<16x64xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{a 16x1 window of a 16x64 tile is a strided column; PTO-ISA's TEXTRACT copies row-major windows of 2 or more columns, or windows of a column vector}}
      %s = tile.extract %x[%c0, %c8] : !tile.tile<16x64xf32> -> !tile.tile<16x1xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// pto-isa's a5 TCI has no float form; Tessel emits the i32 one.
func.func @float_arange(%o: memref<1x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{TCI generates i32 sequences in the pto back end, not 'f32'}}
      %i = tile.arange 0 : !tile.tile<1x64xf32>
      tile.store %i, %o[%c0, %c0] : !tile.tile<1x64xf32>, memref<1x64xf32>
    }
  }
  return
}

// -----

// TCI writes one row: 2 rows of 20 i32 (80 bytes) are padded to 24
// columns, so the tile is not one 40-element row.
func.func @padded_arange(%o: memref<2x20xi32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{TCI writes one row; a 2x20 arange is one only when its rows fill whole 32-byte blocks (columns a multiple of 8)}}
      %i = tile.arange 0 : !tile.tile<2x20xi32>
      tile.store %i, %o[%c0, %c0] : !tile.tile<2x20xi32>, memref<2x20xi32>
    }
  }
  return
}

// -----

// PTO-ISA's broadcasts write row-major tiles: a 16x1 result is a column
// vector.
func.func @broadcast_into_a_column(%a: memref<16x1xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      // expected-error @below {{a broadcast into a single column (a column vector, stored column major) has no PTO-ISA instruction}}
      %y = tile.row_expand_add %x, %x : !tile.tile<16x1xf32>, !tile.tile<16x1xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// a2a3 copies a window's last partial 32-byte block in 16-bit units: 5 i8
// columns (5 bytes) would lose the fifth.
func.func @odd_i8_window(%a: memref<16x64xi8>, %o: memref<16x5xi8>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi8> -> !tile.tile<16x64xi8>
      // expected-error @below {{TEXTRACT on a2a3 copies the window's last partial 32-byte block in 16-bit units: a window of 5 one-byte elements (an odd number) is not copied whole}}
      %s = tile.extract %x[%c0, %c0] : !tile.tile<16x64xi8> -> !tile.tile<16x5xi8>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x5xi8>, memref<16x5xi8>
    }
  }
  return
}
