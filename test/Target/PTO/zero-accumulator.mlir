// A zero accumulator in L0C that only starts matmul accumulations: no
// instruction fills it (the vector unit cannot write L0C); the first matmul
// of the K loop writes the accumulator (TMATMUL), later ones add to it
// (TMATMUL_ACC). Compiled against the reference (runtime/pto).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// pypto-lib's form (DSV4 hc_pre's linear): the accumulator starts as
// pl.create_tensor (a zero), the first iteration writes it with pl.matmul,
// the others pl.matmul_acc it. The zero's only reader is the matmul_acc in
// the else branch of `k == 0`, which never sees the zero: a plain
// TMATMUL_ACC, no run-time test of its own. 4 iterations x 64 of K = 256.
// CHECK-LABEL: __global__ AICORE void first_iteration_branch_s0_mm(
// CHECK-NOT: TEXPANDS
// CHECK: if ({{.*}}) {
// CHECK: TMATMUL([[C:v[0-9]+]], [[L:v[0-9]+]], [[R:v[0-9]+]]);
// CHECK: } else {
// CHECK-NOT: if (
// CHECK: TMATMUL_ACC(
// CHECK-NOT: TMATMUL(
// CHECK: TSTORE(
func.func @first_iteration_branch(%a: memref<16x256xbf16>, %w: memref<256x32xbf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%c = %z) -> (!tile.tile<16x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %kk] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %w[%kk, %c0] : memref<256x32xbf16> -> !tile.tile<64x32xbf16>
        %first = arith.cmpi eq, %k, %c0 : index
        %m = scf.if %first -> (!tile.tile<16x32xf32>) {
          %p = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
          scf.yield %p : !tile.tile<16x32xf32>
        } else {
          %p = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
          scf.yield %p : !tile.tile<16x32xf32>
        }
        scf.yield %m : !tile.tile<16x32xf32>
      }
      tile.store %acc, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Two matmul_accs of the zero in branches that are not about the first
// iteration (K blocks 0, 1 from w, 2, 3 from v): the zero is the
// accumulator of the first branch in iteration 0, so each is TMATMUL in
// the first iteration and TMATMUL_ACC after, tested at run time inside its
// branch (the second never sees iteration 0: the test is false there).
// CHECK-LABEL: __global__ AICORE void two_branches_s0_mm(
// CHECK-NOT: TEXPANDS
// CHECK: if ({{.*}}) {
// CHECK: if ({{.*}}) {
// CHECK-NEXT: TMATMUL([[C:v[0-9]+]], [[L:v[0-9]+]], [[R:v[0-9]+]]);
// CHECK-NEXT: } else {
// CHECK-NEXT: TMATMUL_ACC([[C]], {{v[0-9]+}}, [[L]], [[R]]);
// CHECK: } else {
// CHECK: if ({{.*}}) {
// CHECK-NEXT: TMATMUL([[C2:v[0-9]+]], [[L2:v[0-9]+]], [[R2:v[0-9]+]]);
// CHECK-NEXT: } else {
// CHECK-NEXT: TMATMUL_ACC([[C2]], {{v[0-9]+}}, [[L2]], [[R2]]);
// CHECK: TSTORE(
func.func @two_branches(%a: memref<16x256xbf16>, %w: memref<256x32xbf16>, %v: memref<256x32xbf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      %acc = scf.for %k = %c0 to %c4 step %c1 iter_args(%c = %z) -> (!tile.tile<16x32xf32>) {
        %kk = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %kk] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %low = arith.cmpi ult, %k, %c2 : index
        %m = scf.if %low -> (!tile.tile<16x32xf32>) {
          %y = tile.load %w[%kk, %c0] : memref<256x32xbf16> -> !tile.tile<64x32xbf16>
          %p = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
          scf.yield %p : !tile.tile<16x32xf32>
        } else {
          %y = tile.load %v[%kk, %c0] : memref<256x32xbf16> -> !tile.tile<64x32xbf16>
          %p = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
          scf.yield %p : !tile.tile<16x32xf32>
        }
        scf.yield %m : !tile.tile<16x32xf32>
      }
      tile.store %acc, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
