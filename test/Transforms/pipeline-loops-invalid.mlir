// RUN: not tessel-opt %s -tile-pipeline-loops=stages=0 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not tessel-opt %s -tile-pipeline-loops=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not tessel-opt %s -tile-pipeline-loops=target=a5 2>&1 | FileCheck %s --check-prefix=CONTRA

// Bad options are errors on the module and change nothing.
// STAGES: error: stages must be at least 1, got 0
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5
// CONTRA: error: target option 'a5' contradicts tile.target = a2a3
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @bad_options(%a: memref<4x32xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    tile.spmd 1 name("copy") (%b) {
      tile.at vector {
        scf.for %i = %c0 to %c4 step %c1 {
          %x = tile.load %a[%i, %c0] : memref<4x32xf32> -> !tile.tile<1x32xf32>
          tile.store %x, %a[%i, %c0] : !tile.tile<1x32xf32>, memref<4x32xf32>
        }
      }
    }
    return
  }
}
