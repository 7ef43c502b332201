// The NPU path of TileCatalogOps.td: the bitwise ops but xor, the column
// reductions and row_min / row_prod are emitted
// (test/Target/PTO/catalog-ops.mlir); for the others the PTO emitter and
// its runtime/pto reference do not have the PTO-ISA instruction yet
// (several need scratch tiles placement does not reserve), so each is an
// error at the op naming the instruction. a2a3's TSHLS / TSHRS have no i8
// form.
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

// a2a3's TXOR needs a scratch tile (XOR = AND(NOT(AND(a, b)), OR(a, b))).
func.func @xor_on_the_npu(%a: memref<16x64xi32>, %o: memref<16x64xi32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xi32> -> !tile.tile<16x64xi32>
      // expected-error @below {{the NPU back end does not emit tile.xor yet (PTO-ISA TXOR is not in Tessel's emitter}}
      %s = tile.xor %x, %x : !tile.tile<16x64xi32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x64xi32>, memref<16x64xi32>
    }
  }
  return
}

// -----

func.func @row_argmax_on_the_npu(%a: memref<16x64xf32>, %o: memref<16x1xi32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.row_argmax yet (PTO-ISA TROWARGMAX is not in Tessel's emitter}}
      %s = tile.row_argmax %x : !tile.tile<16x64xf32> -> !tile.tile<16x1xi32>
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x1xi32>, memref<16x1xi32>
    }
  }
  return
}

// -----

func.func @transpose_on_the_npu(%a: memref<16x64xf32>, %o: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{not grouped}}
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      // expected-error @below {{the NPU back end does not emit tile.transpose yet (PTO-ISA TTRANS is not in Tessel's emitter}}
      %t = tile.transpose %x : !tile.tile<16x64xf32> -> !tile.tile<64x16xf32>
      tile.store %t, %o[%c0, %c0] : !tile.tile<64x16xf32>, memref<64x16xf32>
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
