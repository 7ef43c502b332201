// Partial tiles (TileValidOps.td): tile.load / tile.store with a valid
// shape (constant and runtime extents; plain and atomic_add stores) and
// tile.fillpad with each pad value;
// custom form, generic form and back print the same text.
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @valid_ops
func.func @valid_ops(%x: memref<4x64xi8>, %a: memref<40x64xf32>, %o: memref<40x64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      // A 16 x 32 window over a 4-row tensor: only its 4 valid rows are
      // read, so the window may run past the tensor's end (rows 4..15).
      // CHECK: tile.load %{{.*}}[%{{.*}}, %{{.*}}] valid [4, 32] : memref<4x64xi8> -> !tile.tile<16x32xi8>
      %p = tile.load %x[%c0, %c32] valid [4, 32] : memref<4x64xi8> -> !tile.tile<16x32xi8>
      // CHECK: tile.load %{{.*}}[%{{.*}}, %{{.*}}] valid [8, %{{.*}}] : memref<40x64xf32> -> !tile.tile<8x64xf32>
      %t = tile.load %a[%c32, %c0] valid [8, %n] : memref<40x64xf32> -> !tile.tile<8x64xf32>
      // CHECK: tile.fillpad %{{.*}} valid [8, %{{.*}}] min : !tile.tile<8x64xf32>
      %m = tile.fillpad %t valid [8, %n] min : !tile.tile<8x64xf32>
      // CHECK: tile.fillpad %{{.*}} valid [3, 60] max : !tile.tile<8x64xf32>
      %M = tile.fillpad %m valid [3, 60] max : !tile.tile<8x64xf32>
      // CHECK: tile.fillpad %{{.*}} valid [1, 1] zero : !tile.tile<16x32xi8>
      %z = tile.fillpad %p valid [1, 1] zero : !tile.tile<16x32xi8>
      // CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] valid [%{{.*}}, 64] : !tile.tile<8x64xf32>, memref<40x64xf32>
      tile.store %M, %o[%c32, %c0] valid [%n, 64] : !tile.tile<8x64xf32>, memref<40x64xf32>
      // A masked atomic add (pl.assemble(..., atomic=pl.AtomicType.Add) of
      // a partial tile): only the valid region, here %n x 64, is added.
      // CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] valid [%{{.*}}, 64] {atomic_add} : !tile.tile<8x64xf32>, memref<40x64xf32>
      tile.store %M, %o[%c32, %c0] valid [%n, 64] {atomic_add} : !tile.tile<8x64xf32>, memref<40x64xf32>
      // A static valid shape: 3 rows from row 37, 37 + 3 = 40 rows fit
      // though the 8-row window runs past the tensor.
      // CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] valid [3, 20] {atomic_add} : !tile.tile<8x64xf32>, memref<40x64xf32>
      %c37 = arith.constant 37 : index
      tile.store %M, %o[%c37, %c0] valid [3, 20] {atomic_add} : !tile.tile<8x64xf32>, memref<40x64xf32>
      // A full tile prints no valid shape.
      // CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<8x64xf32>
      tile.store %M, %o[%c0, %c0] : !tile.tile<8x64xf32>, memref<40x64xf32>
    }
  }
  return
}
