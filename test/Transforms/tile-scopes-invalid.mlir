// RUN: tessel-opt %s -split-input-file -tile-tile-scopes -verify-diagnostics | FileCheck %s
// RUN: not tessel-opt %s -split-input-file -tile-tile-scopes=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not tessel-opt %s -split-input-file -tile-tile-scopes=target=a5 2>&1 | FileCheck %s --check-prefix=CONTRA

// Scopes the pass leaves alone (a2a3: 48 vector cores, 24 cube cores), and
// a bad target option.

// 48 vector blocks: one per vector core already.
// CHECK-LABEL: func.func @grid_no_larger_than_cores
// CHECK: tile.spmd 48
// CHECK-NOT: scf.for
func.func @grid_no_larger_than_cores(%a: memref<48x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'fits' not grouped: 48 blocks, no more than the 48 vector cores}}
  tile.spmd 48 name("fits") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<48x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<48x32xf32>
    }
  }
  return
}

// -----

// 64 vector blocks: the smallest group, 2, leaves 32 < 48 tasks.
// CHECK-LABEL: func.func @no_divisor_leaves_enough_tasks
// CHECK: tile.spmd 64
// CHECK-NOT: scf.for
func.func @no_divisor_leaves_enough_tasks(%a: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'sixty_four' not grouped: no divisor of 64 blocks leaves at least 48 tasks (vector cores)}}
  tile.spmd 64 name("sixty_four") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<64x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

// 97 cube blocks, a prime: its only divisor above 1 is 97, leaving 1 < 24.
// CHECK-LABEL: func.func @prime_grid
// CHECK: tile.spmd 97
func.func @prime_grid(%x: memref<16x16xf16>, %o: memref<16x1552xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{scope 'prime' not grouped: no divisor of 97 blocks leaves at least 24 tasks (cube cores)}}
  tile.spmd 97 name("prime") (%b) {
    tile.at cube {
      %n0 = arith.muli %b, %c16 : index
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %l = tile.load %x[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %m = tile.matmul_acc %z, %l, %l : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %n0] : !tile.tile<16x16xf32>, memref<16x1552xf32>
    }
  }
  return
}

// -----

// Two tile.at scopes in one spmd: which one would loop is ambiguous.
// CHECK-LABEL: func.func @two_scopes_in_one_spmd
// CHECK: tile.spmd 96
// CHECK-NOT: scf.for
func.func @two_scopes_in_one_spmd(%a: memref<96x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'two' not grouped: the block index is used outside a single tile.at, or the spmd body has an op with side effects outside it}}
  tile.spmd 96 name("two") (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<96x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<96x32xf32>
    }
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<96x32xf32> -> !tile.tile<1x32xf32>
      tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<96x32xf32>
    }
  }
  return
}

// -----

// Bad options are errors on the module and change nothing.
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5
// CONTRA: error: target option 'a5' contradicts tile.target = a2a3
// CHECK-LABEL: func.func @bad_options
// CHECK: tile.spmd 48
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @bad_options(%a: memref<48x32xf32>) {
    %c0 = arith.constant 0 : index
    // expected-remark @below {{scope 'spmd' not grouped: 48 blocks, no more than the 48 vector cores}}
    tile.spmd 48 (%b) {
      tile.at vector {
        %x = tile.load %a[%b, %c0] : memref<48x32xf32> -> !tile.tile<1x32xf32>
        tile.store %x, %a[%b, %c0] : !tile.tile<1x32xf32>, memref<48x32xf32>
      }
    }
    return
  }
}
