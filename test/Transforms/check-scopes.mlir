// RUN: tessel-opt %s -split-input-file -tile-check-scopes -verify-diagnostics | FileCheck %s

// One remark per tile.spmd: its name (or "spmd"), its block count, and per
// tile.at its core kind and how many cube-only and vector-only ops it holds.
// Loads, stores, full and reshape run on either core and count as neither.

// 3 vector ops: mul, row_sum, cast; the loads and the store are neither.
// CHECK-LABEL: func.func @counts_vector_ops
// CHECK: tile.spmd 8 name("kv_rms_norm")
module attributes {tile.target = #tile.target<a2a3>} {
func.func @counts_vector_ops(%a: memref<128x32xf32>, %o: memref<128x32xf16>) {
  %c16 = arith.constant 16 : index
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'kv_rms_norm': 8 blocks, vector scope with 0 cube and 3 vector ops}}
  tile.spmd 8 name("kv_rms_norm") (%b) {
    tile.at vector {
      %row = arith.muli %b, %c16 : index
      %x = tile.load %a[%row, %c0] : memref<128x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.mul %x, %x : !tile.tile<16x32xf32>
      %s = tile.row_sum %y : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %h = tile.cast %y rint : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      tile.store %h, %o[%row, %c0] : !tile.tile<16x32xf16>, memref<128x32xf16>
    }
  }
  return
}
}

// -----

// An unnamed scope is "spmd"; 2 matmuls and 1 matmul_acc are 3 cube ops.
// CHECK-LABEL: func.func @counts_cube_ops
module attributes {tile.target = #tile.target<a5>} {
func.func @counts_cube_ops(%a: memref<16x16xbf16>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'spmd': 1 blocks, cube scope with 3 cube and 0 vector ops}}
  tile.spmd 1 (%b) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x16xbf16> -> !tile.tile<16x16xbf16>
      %m = tile.matmul %x, %x : !tile.tile<16x16xbf16>, !tile.tile<16x16xbf16> -> !tile.tile<16x16xf32>
      %n = tile.matmul %x, %x : !tile.tile<16x16xbf16>, !tile.tile<16x16xbf16> -> !tile.tile<16x16xf32>
      %p = tile.matmul_acc %m, %x, %x : !tile.tile<16x16xbf16>, !tile.tile<16x16xbf16> -> !tile.tile<16x16xf32>
    }
  }
  return
}
}

// -----

// A core_group scope mixes both: 1 matmul, then exp and add (2 vector ops).
// Ops inside a tile.pipeline count toward the enclosing scope: 1 row_max.
// CHECK-LABEL: func.func @counts_mixed_and_pipelined_ops
module {
func.func @counts_mixed_and_pipelined_ops(%a: memref<16x16xf16>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  // expected-remark @below {{scope 'attn': 4 blocks, core_group scope with 1 cube and 2 vector ops, vector scope with 0 cube and 1 vector ops}}
  tile.spmd 4 name("attn") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %m = tile.matmul %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
      %e = tile.exp %m : !tile.tile<16x16xf32>
      %s = tile.add %e, %e : !tile.tile<16x16xf32>
    }
    tile.at vector {
      tile.pipeline %i = %c0 to %n step %c1 stages(2) {
        %x = tile.load %a[%i, %c0] : memref<16x16xf16> -> !tile.tile<1x16xf16>
        %r = tile.row_max %x : !tile.tile<1x16xf16> -> !tile.tile<1x1xf16>
      }
    }
  }
  return
}
}

// -----

// Every spmd of every function gets its remark; an spmd without tile.at
// scopes reports only its grid. The pass changes nothing.
// CHECK-LABEL: func.func @one
// CHECK: tile.spmd 2 name("first")
// CHECK-LABEL: func.func @two
// CHECK: tile.spmd 48 name("second")
// CHECK: tile.spmd 1
module attributes {tile.target = #tile.target<a2a3>} {
func.func @one() {
  // expected-remark @below {{scope 'first': 2 blocks, vector scope with 0 cube and 0 vector ops}}
  tile.spmd 2 name("first") (%b) {
    tile.at vector {
    }
  }
  return
}
func.func @two() {
  // expected-remark @below {{scope 'second': 48 blocks}}
  tile.spmd 48 name("second") (%b) {
  }
  // expected-remark @below {{scope 'spmd': 1 blocks, cube scope with 0 cube and 0 vector ops, vector scope with 0 cube and 0 vector ops}}
  tile.spmd 1 (%b) {
    tile.at cube {
    }
    tile.at vector {
    }
  }
  return
}
}
