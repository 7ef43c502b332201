// The CPU lowering of partial tiles. A load with a valid shape masks each
// row's chunks to the valid columns of the valid rows (lane index <
// (row < valid_rows ? valid_cols - chunk start : 0)) in a maskedload whose
// pass-through is zero, and stores every chunk: the padding is zero and no
// GM element outside the valid region is touched. A store loops over the
// valid rows only (scf.for to the runtime extent) and masks the columns
// (maskedstore). tile.fillpad selects, per chunk, the source where
// row < valid_rows and column < valid_cols and the pad constant elsewhere:
// -inf (min), +inf (max), 0 (zero); for i32, the smallest integer
// -2147483648. A masked atomic add (tile.store {atomic_add} with a valid
// shape) loops over the valid rows and columns only, to min(extent, tile
// size) for a runtime extent and to the constant for a static one, one
// memref.atomic_rmw per element.
//
// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf | FileCheck %s

// CHECK-LABEL: func.func @partial_load_fillpad_store
// CHECK:         scf.for %[[R:.*]] = %{{.*}} to %c8 step
// CHECK:           %[[RV:.*]] = arith.cmpi slt, %[[R]], %{{.*}} : index
// CHECK:           %[[N:.*]] = arith.subi %[[VC:.*]], %{{.*}} : index
// CHECK:           %[[NR:.*]] = arith.select %[[RV]], %[[N]], %{{.*}} : index
// CHECK:           %[[N64:.*]] = arith.index_cast %[[NR]] : index to i64
// CHECK:           %[[B:.*]] = vector.broadcast %[[N64]] : i64 to vector<16xi64>
// CHECK:           %[[M:.*]] = arith.cmpi slt, %{{.*}}, %[[B]] : vector<16xi64>
// CHECK:           %[[V:.*]] = vector.maskedload %{{.*}}, %[[M]], %{{.*}} : memref<40x64xf32>
// CHECK:           vector.store %[[V]]
// fillpad min on f32: -inf where the mask is off.
// CHECK:         arith.cmpi slt, %{{.*}}, %{{.*}} : index
// CHECK:         arith.select
// CHECK:         arith.cmpi slt, %{{.*}}, %{{.*}} : vector<16xi64>
// CHECK:         arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK:         arith.select
// The store: rows below 8, columns below %n.
// CHECK:         scf.for
// CHECK:           arith.cmpi slt, %{{.*}}, %{{.*}} : vector<16xi64>
// CHECK:           vector.maskedstore %{{.*}} : memref<40x64xf32>
// CHECK-NOT:     tile.
func.func @partial_load_fillpad_store(%a: memref<40x64xf32>, %o: memref<40x64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c32, %c0] valid [5, %n] : memref<40x64xf32> -> !tile.tile<8x64xf32>
      %m = tile.fillpad %t valid [5, %n] min : !tile.tile<8x64xf32>
      tile.store %m, %o[%c32, %c0] valid [8, %n] : !tile.tile<8x64xf32>, memref<40x64xf32>
    }
  }
  return
}

// -----

// CHECK-LABEL: func.func @fillpad_pad_values
// CHECK:         arith.constant dense<0x7F800000> : vector<16xf32>
// CHECK:         arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK:         arith.constant dense<-2147483648> : vector<16xi32>
func.func @fillpad_pad_values(%a: memref<8x16xf32>, %o: memref<8x16xf32>, %i: memref<8x16xi32>, %p: memref<8x16xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<8x16xf32> -> !tile.tile<8x16xf32>
      %x = tile.fillpad %t valid [4, 10] max : !tile.tile<8x16xf32>
      %z = tile.fillpad %x valid [8, 3] zero : !tile.tile<8x16xf32>
      tile.store %z, %o[%c0, %c0] : !tile.tile<8x16xf32>, memref<8x16xf32>
      %u = tile.load %i[%c0, %c0] : memref<8x16xi32> -> !tile.tile<8x16xi32>
      %v = tile.fillpad %u valid [2, 16] min : !tile.tile<8x16xi32>
      tile.store %v, %p[%c0, %c0] : !tile.tile<8x16xi32>, memref<8x16xi32>
    }
  }
  return
}

// -----

// Rows: runtime %n, clamped to the tile's 8 rows (a larger extent must not
// read past the tile's buffer); columns: the static 20 of 64.
// CHECK-LABEL: func.func @masked_atomic_add
// The load's loops first, then the masked add's.
// CHECK:         vector.load
// CHECK:         %[[C8:.*]] = arith.constant 8 : index
// CHECK-NEXT:    %[[VR:.*]] = arith.minsi %arg2, %[[C8]] : index
// CHECK:         scf.for %[[R:.*]] = %{{.*}} to %[[VR]] step
// CHECK:           %[[C20:.*]] = arith.constant 20 : index
// CHECK:           scf.for %[[C:.*]] = %{{.*}} to %[[C20]] step
// CHECK:             %[[V:.*]] = memref.load
// CHECK:             memref.atomic_rmw addf %[[V]], %{{.*}} : (f32, memref<40x64xf32>) -> f32
// CHECK-NOT:     tile.
func.func @masked_atomic_add(%a: memref<40x64xf32>, %o: memref<40x64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<40x64xf32> -> !tile.tile<8x64xf32>
      tile.store %t, %o[%c0, %c0] valid [%n, 20] {atomic_add} : !tile.tile<8x64xf32>, memref<40x64xf32>
    }
  }
  return
}
