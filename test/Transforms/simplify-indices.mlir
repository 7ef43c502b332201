// RUN: tessel-opt %s -split-input-file -tile-simplify-indices -canonicalize | FileCheck %s

// Consecutive regrouping: 4 tasks of 8 blocks, old block o = 8 b + i with
// b in [0, 4) and i in [0, 8). o / 8 = b and o % 8 = i (u = D = 8: Q = b,
// R = i in [0, 8)).
// CHECK-LABEL: func.func @consecutive
// CHECK: tile.spmd 4 (%[[B:.*]]) {
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NOT: arith.divsi
// CHECK-NOT: arith.remsi
// CHECK: tile.load %{{.*}}[%[[B]], %[[I]]]
func.func @consecutive(%a: memref<4x8xf32>, %o: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c8 step %c1 {
        %s = arith.muli %b, %c8 : index
        %old = arith.addi %s, %i : index
        %t = arith.divsi %old, %c8 : index
        %c = arith.remsi %old, %c8 : index
        %x = tile.load %a[%t, %c] : memref<4x8xf32> -> !tile.tile<1x1xf32>
        tile.store %x, %o[%t, %c] : !tile.tile<1x1xf32>, memref<4x8xf32>
      }
    }
  }
  return
}

// -----

// Strided regrouping of 64 blocks by 8 (stride 8): o = 8 i + b, b in
// [0, 8): o / 8 = i, o % 8 = b.
// CHECK-LABEL: func.func @strided
// CHECK: tile.spmd 8 (%[[B:.*]]) {
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: tile.load %{{.*}}[%[[I]], %[[B]]]
func.func @strided(%a: memref<8x8xf32>, %o: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  tile.spmd 8 (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c8 step %c1 {
        %s = arith.muli %i, %c8 : index
        %old = arith.addi %s, %b : index
        %t = arith.divsi %old, %c8 : index
        %c = arith.remsi %old, %c8 : index
        %x = tile.load %a[%t, %c] : memref<8x8xf32> -> !tile.tile<1x1xf32>
        tile.store %x, %o[%t, %c] : !tile.tile<1x1xf32>, memref<8x8xf32>
      }
    }
  }
  return
}

// -----

// A unit smaller than the divisor: o = 4 b + i, b in [0, 128), i in
// [0, 4), divided by 256 = 4 * 64: o / 256 = b / 64 and
// o % 256 = (b % 64) * 4 + i. (With 64 blocks o < 256: o / 256 = 0 and
// o % 256 = o, see @below_divisor.)
// CHECK-LABEL: func.func @smaller_unit
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: tile.spmd 128 (%[[B:.*]]) {
// CHECK: scf.for %[[I:.*]] =
// CHECK: %[[T:.*]] = arith.divsi %[[B]], %[[C64]]
// CHECK: %[[R:.*]] = arith.remsi %[[B]], %[[C64]]
// CHECK: %[[M:.*]] = arith.muli %[[R]], %[[C4]]
// CHECK: %[[C:.*]] = arith.addi %[[M]], %[[I]]
// CHECK: tile.load %{{.*}}[%[[T]], %[[C]]]
func.func @smaller_unit(%a: memref<2x256xf32>, %o: memref<2x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  tile.spmd 128 (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c4 step %c1 {
        %s = arith.muli %b, %c4 : index
        %old = arith.addi %s, %i : index
        %t = arith.divsi %old, %c256 : index
        %c = arith.remsi %old, %c256 : index
        %x = tile.load %a[%t, %c] : memref<2x256xf32> -> !tile.tile<1x1xf32>
        tile.store %x, %o[%t, %c] : !tile.tile<1x1xf32>, memref<2x256xf32>
      }
    }
  }
  return
}

// -----

// A dividend below the divisor: o = 4 b + i < 256 with 64 blocks.
// CHECK-LABEL: func.func @below_divisor
// CHECK-NOT: arith.divsi
// CHECK-NOT: arith.remsi
// CHECK: %[[O:.*]] = arith.addi
// CHECK: tile.load %{{.*}}[%c0, %[[O]]]
func.func @below_divisor(%a: memref<1x256xf32>, %o: memref<1x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  tile.spmd 64 (%b) {
    tile.at vector {
      scf.for %i = %c0 to %c4 step %c1 {
        %s = arith.muli %b, %c4 : index
        %old = arith.addi %s, %i : index
        %t = arith.divsi %old, %c256 : index
        %c = arith.remsi %old, %c256 : index
        %x = tile.load %a[%t, %c] : memref<1x256xf32> -> !tile.tile<1x1xf32>
        tile.store %x, %o[%t, %c] : !tile.tile<1x1xf32>, memref<1x256xf32>
      }
    }
  }
  return
}

// -----

// Left alone: the remainder 3 of o = 2 b + 3 is not below the unit 2, and
// an argument of unknown range (%n) has no bound at all.
// CHECK-LABEL: func.func @left_alone
// CHECK: arith.divsi
// CHECK: arith.remsi
// CHECK: arith.divsi %arg2
func.func @left_alone(%a: memref<64x64xf32>, %o: memref<64x64xf32>, %n: index) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  tile.spmd 8 (%b) {
    tile.at vector {
      %s = arith.muli %b, %c2 : index
      %old = arith.addi %s, %c3 : index
      %t = arith.divsi %old, %c4 : index
      %c = arith.remsi %old, %c4 : index
      %u = arith.divsi %n, %c4 : index
      %x = tile.load %a[%t, %c] : memref<64x64xf32> -> !tile.tile<1x1xf32>
      tile.store %x, %o[%u, %c] : !tile.tile<1x1xf32>, memref<64x64xf32>
    }
  }
  return
}

// -----

// One block: its index is 0, the slice a constant one.
// CHECK-LABEL: func.func @one_block
// CHECK: tile.spmd 1 (%{{.*}}) {
// CHECK: tile.load %{{.*}}[%c0, %c0]
func.func @one_block(%a: memref<1x8xf32>, %o: memref<1x8xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%b, %c0] : memref<1x8xf32> -> !tile.tile<1x8xf32>
      tile.store %x, %o[%b, %c0] : !tile.tile<1x8xf32>, memref<1x8xf32>
    }
  }
  return
}
