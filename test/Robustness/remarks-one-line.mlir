// RUN: tessel-opt %s -tile-npu-pipeline -o /dev/null 2>&1 | FileCheck %s
// RUN: tessel-opt %s -tile-npu-pipeline -tessel-print-op-on-remark -o /dev/null 2>&1 | FileCheck %s --check-prefix=WITH-OP
// RUN: not tessel-opt %s -tile-place-buffers=target=a9 -o /dev/null 2>&1 | FileCheck %s --check-prefix=ERROR

// A decision reads as one line: the remark, its source line and caret, no
// "see current operation" (issue 17: every remark was followed by the whole
// scope). The op is printed on request; errors keep MLIR's default.

// CHECK: remark: scope 'exp': no cube ops, runs on vector cores
// CHECK-NEXT: tile.spmd 4 name("exp")
// CHECK-NEXT: ^
// CHECK-NEXT: remark:
// CHECK-NOT: see current operation

// WITH-OP: remark: scope 'exp': no cube ops, runs on vector cores
// WITH-OP: note: see current operation:
// WITH-OP-NEXT: tile.spmd 4 name("exp")

// ERROR: error: unknown target 'a9'
// ERROR: note: see current operation
func.func @rows(%a: memref<64x32xf32>, %o: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 name("exp") (%b) {
    tile.at core_group {
      %r = arith.muli %b, %c16 : index
      %x = tile.load %a[%r, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %y, %o[%r, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
    }
  }
  return
}
