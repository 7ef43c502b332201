// tile.insert is placed on the tile it updates (tile-place-buffers' in-place
// rule: outside the window every element is dest's own), so only the window
// is written; tile.extract gets storage of its own (a window with fewer
// columns is not a contiguous view).
//
// RUN: tessel-opt %s -tile-place-buffers | FileCheck %s
// RUN: tessel-opt %s -tile-print-placement -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=MAP
// RUN: tessel-opt %s -tile-npu-pipeline -tile-cpu-pipeline -o /dev/null

// %t is 16x64xf32 = 4096 B at 0; the window %s (16x16xf32, 1024 B) at
// 4096, %d computed in place over %s; %r = insert %d into %t dies %t there:
// on %t's bytes. Peak 4096 + 1024 = 5120 = the lower bound (at point 1).
// CHECK-LABEL: func.func @insert_in_place
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.extract {{.*}} {place = #tile.place<ub, 4096>}
// CHECK: tile.muls {{.*}} {place = #tile.place<ub, 4096>}
// CHECK: tile.insert {{.*}} {place = #tile.place<ub, 0>}
// MAP: [0, 4096) t (shared with r): 4096 bytes, live [0, 6)
// MAP-NEXT: [4096, 5120) s (shared with d): 1024 bytes, live [1, 5)
// MAP-NEXT: peak 5120 bytes, lower bound 5120 bytes (live at point 1), quality 1.00
func.func @insert_in_place(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32> loc("t")
      %s = tile.extract %t[%c0, %c16] : !tile.tile<16x64xf32> -> !tile.tile<16x16xf32> loc("s")
      %two = arith.constant 2.0 : f32
      %d = tile.muls %s, %two : !tile.tile<16x16xf32> loc("d")
      %r = tile.insert %d into %t[%c0, %c0] : !tile.tile<16x16xf32> into !tile.tile<16x64xf32> loc("r")
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}
