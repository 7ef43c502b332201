// RUN: tessel-opt %s -split-input-file -convert-tile-to-llvm | FileCheck %s

// One 1x16xf32 tile (64 B): the arena is a 64-byte malloc, the tile ops
// are gone, and llvm.emit_c_interface adds the _mlir_ciface_ wrapper the
// ExecutionEngine calls with memref descriptors.
// CHECK-NOT:   tile.
// CHECK-LABEL: llvm.func @negate_in_place
// CHECK:         llvm.call @malloc
// CHECK:         llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// CHECK:         llvm.fneg %{{.*}} : vector<16xf32>
// CHECK:         llvm.store
// CHECK:         llvm.call @free
// CHECK-LABEL: llvm.func @_mlir_ciface_negate_in_place
// CHECK:         llvm.call @negate_in_place
func.func @negate_in_place(%a: memref<1x16xf32>) attributes {llvm.emit_c_interface} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] : memref<1x16xf32> -> !tile.tile<1x16xf32>
      %y = tile.neg %x : !tile.tile<1x16xf32>
      tile.store %y, %a[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
    }
  }
  return
}

// -----

// A module-level target is dropped once the placement was read (a5 UB:
// 245760 usable bytes, so offset 200000 is legal there but not on a2a3).
// CHECK-NOT:   tile.target
// CHECK-LABEL: llvm.func @target_attribute_is_consumed
module attributes {tile.target = #tile.target<a5>} {
  func.func @target_attribute_is_consumed(%a: memref<1x16xf32>) attributes {tile.placed} {
    tile.spmd 1 (%b) {
      tile.at vector {
        %c0 = arith.constant 0 : index
        %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 200000>} : memref<1x16xf32> -> !tile.tile<1x16xf32>
        tile.store %x, %a[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
      }
    }
    return
  }
}
