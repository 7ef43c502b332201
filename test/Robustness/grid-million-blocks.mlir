// RUN: tessel-opt %s -tile-npu-pipeline -tile-cpu-pipeline -o /dev/null 2>&1 | FileCheck %s

// The cube accumulator case of place-buffers.mlir on a grid of a million
// blocks (issue 17: 28.7 s in chooseTaskGroup, which tried every group size
// up to the block count, and in the jam, which tried every factor of the
// group). The grouping now looks at the 49 divisors of 10^6 and the jam at
// factors up to 64: this compiles in tens of milliseconds, as at 8 blocks
// (bench/grid_scale.py). Each block writes its own 16 rows of the output
// (the race check rejects blocks writing the same elements).

// CHECK: remark: scope 'spmd': 1000000 blocks grouped by 6250 into 160 tasks
// CHECK: remark: scope 'spmd': blocks of a task jammed by 10 into one pass of their inner loops
// CHECK: remark: pipelined loop in scope 'spmd': 2 stages
func.func @cube_accumulator_in_place(%a: memref<16x256xbf16>, %w: memref<256x128xbf16>, %out: memref<16000000x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1000000 (%b) {
    tile.at cube {
      %row = arith.muli %b, %c16 : index
      %zero = tile.full 0.0 : !tile.tile<16x128xf32>
      %acc = tile.pipeline %k = %c0 to %c4 step %c1 stages(2) iter_args(%c = %zero) -> (!tile.tile<16x128xf32>) {
        %col = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %w[%col, %c0] : memref<256x128xbf16> -> !tile.tile<64x128xbf16>
        %d = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
        tile.yield %d : !tile.tile<16x128xf32>
      }
      tile.store %acc, %out[%row, %c0] : !tile.tile<16x128xf32>, memref<16000000x128xf32>
    }
  }
  return
}
