// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes -verify-diagnostics
// RUN: not tessel-opt %s -split-input-file -tile-check-scopes 2>&1 | FileCheck %s
// CHECK: error: 'tile.load' op slice of 16 in dimension 0 is out of bounds

// A slice whose offset depends on the block index or a loop variable is
// checked over every value it takes, as the Python frontend does (issue
// 17: tessel-opt accepted these). The first pass of the pipelines and
// tile-check-scopes report it.

func.func @rows_past_the_end(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-note @below {{grid of 8 blocks}}
  tile.spmd 8 (%b) {
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      // expected-error @below {{'tile.load' op slice of 16 in dimension 0 is out of bounds of 'memref<64x32xf32>' for some block or loop iteration: the offset ranges over [0, 112], and 112 + 16 > 64}}
      %x = tile.load %a[%r, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      tile.store %x, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

func.func @loop_column_past_the_end(%a: memref<16x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      scf.for %k = %c0 to %c5 step %c1 {
        %col = arith.muli %k, %c64 : index
        // expected-error @below {{'tile.load' op slice of 64 in dimension 1 is out of bounds of 'memref<16x256xf32>' for some block or loop iteration: the offset ranges over [0, 256], and 256 + 64 > 256}}
        %x = tile.load %a[%c0, %col] : memref<16x256xf32> -> !tile.tile<16x64xf32>
      }
    }
  }
  return
}

// -----

func.func @negative_offset(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 (%b) {
    tile.at vector {
      %r = arith.subi %b, %c16 : index
      %x = tile.full 1.0 : !tile.tile<1x32xf32>
      // expected-error @below {{'tile.store' op index 0 is negative for some block or loop iteration: it ranges over [-16, -13]}}
      tile.store %x, %a[%r, %c0] : !tile.tile<1x32xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

// In bounds for every block and iteration: no error. A block-dependent
// remainder, a guarded access and a zero-trip loop are fine too.
func.func @in_bounds(%a: memref<64x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  tile.spmd 4 (%b) {
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      scf.for %k = %c0 to %c4 step %c1 {
        %col = arith.muli %k, %c64 : index
        %x = tile.load %a[%r, %col] : memref<64x256xf32> -> !tile.tile<16x64xf32>
        tile.store %x, %a[%r, %col] : !tile.tile<16x64xf32>, memref<64x256xf32>
      }
      scf.for %k = %c4 to %c0 step %c1 {
        %col = arith.muli %k, %c64 : index
        %x = tile.load %a[%r, %col] : memref<64x256xf32> -> !tile.tile<16x64xf32>
      }
    }
  }
  return
}
