// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf | FileCheck %s

// GM scratch (pl.create_tensor) is a 64-byte aligned allocation freed where
// its block ends: at the function's return, or at the end of every
// iteration of the function-level loop it is created in (PyPTO's
// orchestration allocates per-iteration buffers inside its loops).

// CHECK-LABEL: func.func @at_function_level
// CHECK: %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
// CHECK: memref.dealloc %[[A]] : memref<16x32xf32>
// CHECK-NEXT: return
func.func @at_function_level(%x: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %s = tile.alloc_gm name("buf") : memref<16x32xf32>
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %x[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %t, %s[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: func.func @in_a_loop
// CHECK: scf.for
// CHECK: %[[A:.*]] = memref.alloc() {alignment = 64 : i64} : memref<16x32xf32>
// CHECK: memref.dealloc %[[A]] : memref<16x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @in_a_loop(%x: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %s = tile.alloc_gm name("buf") : memref<16x32xf32>
    tile.spmd 1 (%b) {
      tile.at vector {
        %t = tile.load %x[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
        tile.store %t, %s[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      }
    }
  }
  return
}
