// RUN: tessel-opt %s -tile-place-buffers -convert-tile-to-scf | FileCheck %s

// tile.get is one memref.load of the element at row * cols + col of the
// tile's storage; tile.set placed on its dest (dead there) one memref.store
// into the same storage, no copy. Element (1, 5) of an 8x32 tile is at
// 1 * 32 + 5 = 37.
// CHECK-LABEL: func.func @element_access
// CHECK:         %[[X:.*]] = memref.view {{.*}} to memref<256xf32>
// CHECK:         %[[V:.*]] = memref.load %[[X]][%{{.*}}] : memref<256xf32>
// CHECK:         %[[W:.*]] = arith.mulf %[[V]], %{{.*}} : f32
// CHECK-NOT:     memref.copy
// CHECK:         memref.store %[[W]], %[[X]][%{{.*}}] : memref<256xf32>
// CHECK-NOT:     tile.
func.func @element_access(%a: memref<8x32xf32>, %o: memref<8x32xf32>)
    attributes {tile.target = #tile.target<a2a3>} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c5 = arith.constant 5 : index
      %two = arith.constant 2.0 : f32
      %x = tile.load %a[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      %v = tile.get %x[%c1, %c5] : !tile.tile<8x32xf32>
      %w = arith.mulf %v, %two : f32
      %y = tile.set %w into %x[%c0, %c0] : !tile.tile<8x32xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<8x32xf32>, memref<8x32xf32>
    }
  }
  return
}
