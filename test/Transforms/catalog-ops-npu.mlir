// The NPU path of TileCatalogOps.td: the bitwise ops, the column
// reductions, row_min / row_prod, xor, transpose and the arg-reductions
// are emitted (test/Target/PTO/catalog-ops.mlir); for cmp / cmps / sel /
// sels / prelu the PTO emitter and its runtime/pto reference do not have
// the PTO-ISA instruction yet (their packed-mask layouts differ per
// target), so each is an error at the op naming the instruction. a2a3's
// TSHLS / TSHRS have no i8 form, its TCOLARGMAX no i32 one, and TTRANS
// takes no single row or column.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline="target=a2a3" -verify-diagnostics

func.func @cmp_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.cmp yet (PTO-ISA TCMP is not in Tessel's emitter and runtime/pto reference); the CPU simulation runs it}}
      %m = tile.cmp %x, %x lt : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
      %s = tile.sel %m, %x, %x : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
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
