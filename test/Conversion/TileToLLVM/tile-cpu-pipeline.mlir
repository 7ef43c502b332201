// RUN: tessel-opt %s -tile-cpu-pipeline | FileCheck %s
// RUN: tessel-opt %s -tile-cpu-pipeline=threads=2 | FileCheck %s --check-prefix=THREADS

// 4 blocks; single-threaded they are a loop, with threads=2 each of 2
// workers (own arenas) runs every 2nd block through the async runtime.
// CHECK-LABEL: llvm.func @four_blocks
// CHECK-NOT:     mlirAsyncRuntime
// CHECK:         llvm.return
// THREADS-LABEL: llvm.func @four_blocks
// THREADS:         llvm.call @mlirAsyncRuntimeCreateGroup
// THREADS:         llvm.call @mlirAsyncRuntimeAwaitAllInGroup
func.func @four_blocks(%a: memref<4x16xf32>) attributes {llvm.emit_c_interface} {
  tile.spmd 4 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%b, %c0] : memref<4x16xf32> -> !tile.tile<1x16xf32>
      %y = tile.abs %x : !tile.tile<1x16xf32>
      tile.store %y, %a[%b, %c0] : !tile.tile<1x16xf32>, memref<4x16xf32>
    }
  }
  return
}
