// The NPU path of TileCatalogOps.td: the bitwise ops, the column
// reductions, row_min / row_prod, xor, transpose and the arg-reductions
// are emitted (test/Target/PTO/catalog-ops.mlir), so are cmp / cmps /
// sel / sels / prelu (test/Target/PTO/cmp-sel.mlir) but for the forms
// below. a2a3's
// TSHLS / TSHRS have no i8 form, its TCOLARGMAX no i32 one, and TTRANS
// takes no single row or column. reinterpret_view is emitted
// (test/Target/PTO/reinterpret-fillpad.mlir) where both types lay the bytes
// out alike in UB.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

// a2a3's TCMP / TCMPS compare int32_t for equality only (their EQ compare
// runs for every mode): lt of i32 is an error naming the mode; eq and ne
// are emitted (test/Target/PTO/cmp-sel.mlir).
func.func @cmp_lt_of_i32_on_a2a3(%a: memref<16x64xi32>, %o: memref<16x32xi8>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi32> -> !tile.tile<16x64xi32>
      // expected-error @below {{'tile.cmp' op cannot run on the a2a3 NPU: TCMP on a2a3 compares i32 tiles for equality only (PTO-ISA uses its EQ compare for every other mode); 'lt' of i32 needs a5, or cast the tiles to f32 first (exact for |x| < 2^24)}}
      %m = tile.cmp %x, %x lt : !tile.tile<16x64xi32> -> !tile.tile<16x32xi8>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x32xi8>, memref<16x32xi8>
    }
  }
  return
}

// -----

// 12 columns: the second mask byte holds 4 bits of the comparison and 4
// target-defined ones on the NPU (Tessel's mask has them zero).
func.func @cmps_of_12_columns(%a: memref<16x12xf32>, %o: memref<16x32xi8>) {
  %c0 = arith.constant 0 : index
  %z = arith.constant 0.0 : f32
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x12xf32> -> !tile.tile<16x12xf32>
      // expected-error @below {{TCMPS packs 8 columns per mask byte: a 12-column comparison (not a multiple of 8) leaves the high bits of each row's last mask byte target-defined on the NPU, where Tessel's mask has them zero; compare a multiple of 8 columns}}
      %m = tile.cmps %x, %z gt : !tile.tile<16x12xf32> -> !tile.tile<16x32xi8>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x32xi8>, memref<16x32xi8>
    }
  }
  return
}

// -----

// A selection of one column: the result is a column vector (column major),
// which TSEL does not select along.
func.func @sel_of_a_column(%a: memref<16x1xf32>, %k: memref<16x32xi8>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %m = tile.load %k[%c0, %c0] : memref<16x32xi8> -> !tile.tile<16x32xi8>
      // expected-error @below {{TSEL selects along the rows of row-major tiles; a 16x1 selection (a column vector, stored column major) has no PTO-ISA form}}
      %s = tile.sel %m, %x, %x : !tile.tile<16x32xi8>, !tile.tile<16x1xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// a2a3's TCOLARGMAX takes f16 / f32 (its u16 / u32 forms are no Tessel
// type): an i32 column argmax is an error naming what it takes.
func.func @col_argmax_of_i32_on_a2a3(%a: memref<16x64xi32>, %o: memref<1x64xi32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi32> -> !tile.tile<16x64xi32>
      // expected-error @below {{'tile.col_argmax' op cannot run on the a2a3 NPU: TCOLARGMAX takes no 'i32' tiles on a2a3 (f16, f32); cast the tile first}}
      %s = tile.col_argmax %x : !tile.tile<16x64xi32> -> !tile.tile<1x64xi32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<1x64xi32>, memref<1x64xi32>
    }
  }
  return
}

// -----

// A transpose of a single row is a reshape, not a TTRANS.
func.func @transpose_of_a_row(%a: memref<1x64xf32>, %o: memref<64x1xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<1x64xf32> -> !tile.tile<1x64xf32>
      // expected-error @below {{TTRANS transposes tiles of 2 or more rows and columns; a transpose of a 1x64 tile is a reshape (tile.reshape)}}
      %t = tile.transpose %x : !tile.tile<1x64xf32> -> !tile.tile<64x1xf32>
      tile.store %t, %o[%c0, %c0] : !tile.tile<64x1xf32>, memref<64x1xf32>
    }
  }
  return
}

// -----

func.func @shls_of_i8_on_a2a3(%a: memref<16x64xi8>, %o: memref<16x64xi8>) {
  %c0 = arith.constant 0 : index
  %k = arith.constant 3 : i8
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi8> -> !tile.tile<16x64xi8>
      // expected-error @below {{TSHLS takes no i8 tiles on a2a3 (a5 has them); shift by a tile of amounts (tile.shl / tile.shr) instead}}
      %s = tile.shls %x, %k : !tile.tile<16x64xi8>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x64xi8>, memref<16x64xi8>
    }
  }
  return
}

// -----

// An 8 x 2 f16 tile read as 8 x 1 f32: each row's 4 bytes are the same
// bits, but in UB the source is row major (8 rows of one 32-byte block:
// 256 bytes) and the result a column vector (8 * 4 = 32 consecutive
// bytes), so no tile object over the source's bytes is the result.
func.func @reinterpret_rows_as_a_column(%a: memref<8x2xf16>, %o: memref<8x1xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x2xf16> -> !tile.tile<8x2xf16>
      // expected-error @below {{'tile.reinterpret_view' op cannot run on the a2a3 NPU: the bytes of a 8x2 'f16' tile are laid out differently from a 8x1 'f32' tile in ub (a column vector is stored column major, other tiles row major with 32-byte rows); reinterpret a tile of 2 or more columns as one of 2 or more columns, or a column vector as one of its width}}
      %r = tile.reinterpret_view %x : !tile.tile<8x2xf16> -> !tile.tile<8x1xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<8x1xf32>, memref<8x1xf32>
    }
  }
  return
}

// -----

// 12 gathered f32 columns: PTO-ISA's TGATHER writes whole rows of its
// destination (valid columns equal to the storage's 16).
func.func @gather_partial_rows(%a: memref<4x20xf32>, %i: memref<4x12xi32>, %o: memref<4x12xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%blk) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<4x20xf32> -> !tile.tile<4x20xf32>
      %j = tile.load %i[%c0, %c0] : memref<4x12xi32> -> !tile.tile<4x12xi32>
      // expected-error @below {{'tile.gather_index' op cannot run on the a2a3 NPU: PTO-ISA's index TGATHER writes whole rows of its destination and reads whole rows of its indices (valid columns equal to the storage's): gather a multiple of 8 columns of 'f32', not 12}}
      %g = tile.gather_index %x, %j : !tile.tile<4x20xf32>, !tile.tile<4x12xi32> -> !tile.tile<4x12xf32>
      tile.store %g, %o[%c0, %c0] : !tile.tile<4x12xf32>, memref<4x12xf32>
    }
  }
  return
}

// -----

// i8 elements: a5's 1-byte TGATHER reads 16-bit indices; a2a3 has none.
func.func @gather_i8(%a: memref<4x64xi8>, %i: memref<4x32xi32>, %o: memref<4x32xi8>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%blk) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<4x64xi8> -> !tile.tile<4x64xi8>
      %j = tile.load %i[%c0, %c0] : memref<4x32xi32> -> !tile.tile<4x32xi32>
      // expected-error @below {{PTO-ISA's index TGATHER takes 16- or 32-bit elements with 32-bit indices (a5's 1-byte form reads 16-bit indices, which Tessel has not), not 'i8'}}
      %g = tile.gather_index %x, %j : !tile.tile<4x64xi8>, !tile.tile<4x32xi32> -> !tile.tile<4x32xi8>
      tile.store %g, %o[%c0, %c0] : !tile.tile<4x32xi8>, memref<4x32xi8>
    }
  }
  return
}
