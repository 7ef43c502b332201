// The ops of TileScalarOps.td: tile.get and tile.set; custom form, generic
// form and back print the same text. A scalar read of GM is a 1 x 1
// tile.load and a tile.get, a scalar write a tile.set into a 1 x 1 tile and
// a tile.store (what pl.read / pl.write build).
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @scalar_ops
func.func @scalar_ops(%a: memref<64x32xf32>, %idx: memref<8xi32>,
                      %out: memref<64x32xf32>, %j: index) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      // CHECK: %[[E:.*]] = tile.load {{.*}} -> !tile.tile<1x1xi32>
      %e = tile.load %idx[%c3] : memref<8xi32> -> !tile.tile<1x1xi32>
      // CHECK: %[[I:.*]] = tile.get %[[E]][%{{.*}}, %{{.*}}] : !tile.tile<1x1xi32>
      %i = tile.get %e[%c0, %c0] : !tile.tile<1x1xi32>
      %row = arith.index_cast %i : i32 to index
      %x = tile.load %a[%row, %c0] : memref<64x32xf32> -> !tile.tile<1x32xf32>
      // A runtime column: the element at (0, j).
      // CHECK: %[[V:.*]] = tile.get %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<1x32xf32>
      %v = tile.get %x[%c0, %j] : !tile.tile<1x32xf32>
      // CHECK: tile.set %[[V]] into %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<1x32xf32>
      %y = tile.set %v into %x[%c0, %c3] : !tile.tile<1x32xf32>
      tile.store %y, %out[%c0, %c0] : !tile.tile<1x32xf32>, memref<64x32xf32>
      // bf16 and i8 elements are tile element types too.
      %h = tile.full 1.0 : !tile.tile<2x16xbf16>
      // CHECK: tile.get %{{.*}} : !tile.tile<2x16xbf16>
      %hv = tile.get %h[%c0, %c3] : !tile.tile<2x16xbf16>
    }
  }
  return
}
