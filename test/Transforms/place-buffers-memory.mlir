// RUN: tessel-opt %s -split-input-file -tile-place-buffers -verify-diagnostics | FileCheck %s

// Explicit memories (`tile.memory`, from pl.load(target_memory=...) and
// pl.create_tile): honoured when the placement agrees, an error at the op
// when it cannot (the kind follows from the scope and the tile's users).

// A load asked to live in L1 that feeds a matmul: placed in l1, as asked.
// A zero accumulator asked to live in L0C: placed in l0c.
// CHECK-LABEL: func.func @agrees
// CHECK: tile.load {{.*}}place = #tile.place<l1, 0>{{.*}}tile.memory = #tile.memory<l1>
// CHECK: tile.full {{.*}}place = #tile.place<l0c,{{.*}}tile.memory = #tile.memory<l0c>
func.func @agrees(%a: memref<16x16xf16>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %z = tile.full 0.0 {tile.memory = #tile.memory<l0c>} : !tile.tile<16x16xf32>
      %c = tile.matmul_acc %z, %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
      tile.store %c, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// A tile asked for L1 that only vector ops use in a core_group scope: UB.
func.func @mat_for_vector(%a: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at core_group {
      // expected-error @below {{tile 'tile.load#0' is asked to live in cube L1 but is placed in vector UB: only vector ops use it}}
      %x = tile.load %a[%c0, %c0] {tile.memory = #tile.memory<l1>} : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %e = tile.exp %x : !tile.tile<16x64xf32>
      tile.store %e, %a[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// UB asked for in a cube scope, which has none.
func.func @ub_in_cube(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      // expected-error @below {{is asked to live in vector UB but is placed in cube L1: a cube scope has no UB}}
      %x = tile.load %a[%c0, %c0] {tile.memory = #tile.memory<ub>} : memref<16x16xf16> -> !tile.tile<16x16xf16>
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x16xf16>, memref<16x16xf16>
    }
  }
  return
}

// -----

// L0A is not a place a tile is stored in: the matmul moves its operands.
func.func @l0a(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      // expected-error @below {{asks for l0a, where tiles are not stored}}
      %x = tile.load %a[%c0, %c0] {tile.memory = #tile.memory<l0a>} : memref<16x16xf16> -> !tile.tile<16x16xf16>
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x16xf16>, memref<16x16xf16>
    }
  }
  return
}

// -----

// Not a memory attribute.
func.func @bad_attr(%a: memref<16x16xf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      // expected-error @below {{has 'tile.memory' = "l1", expected a memory such as #tile.memory<l1>}}
      %x = tile.load %a[%c0, %c0] {tile.memory = "l1"} : memref<16x16xf16> -> !tile.tile<16x16xf16>
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x16xf16>, memref<16x16xf16>
    }
  }
  return
}
