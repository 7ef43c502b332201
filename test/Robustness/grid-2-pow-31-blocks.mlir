// RUN: tessel-opt %s -tile-npu-pipeline -tile-cpu-pipeline -o /dev/null 2>&1 | FileCheck %s

// A grid of 2^31 blocks, one token row each (issue 17: the row widening
// asserted building a 2^31-row tile). Widths whose tile the type cannot
// hold are refused like any other; grouping looks at the 32 divisors of
// 2^31, not at the blocks.

// CHECK: remark: scope 'rows' keeps one token row per block
// CHECK: remark: scope 'rows': 2147483648 blocks grouped by
func.func @huge_grid(%a: memref<2147483648x32xf32>, %o: memref<2147483648x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2147483648 name("rows") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<2147483648x32xf32> -> !tile.tile<1x32xf32>
      %y = tile.exp %x : !tile.tile<1x32xf32>
      tile.store %y, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<2147483648x32xf32>
    }
  }
  return
}
