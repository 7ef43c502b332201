// The launch sequence of a kernel whose scopes sit in function-level loops
// (PyPTO's orchestration loops): the loops run on the host, each scope
// kernel takes the loop indices after the GM tensors, and a compile of it
// against the reference (runtime/pto). On the CPU each launch is guarded by
// TESSEL_SCOPE(<launch index>) (1 unless the reference's mutation test runs
// only some scopes); the NPU launch sequence is not.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// Two loops, 2 x 2 iterations; the scope reads rows j + 16 * i
// (i in {0, 1}, j in {0, 32}: rows 0, 16, 32, 48), recomputed in the
// kernel from the two indices it is passed.
// CHECK-LABEL: __global__ AICORE void nested_s0(
// CHECK-SAME: __gm__ uint8_t* {{v[0-9]+}}, __gm__ uint8_t* {{v[0-9]+}}, size_t {{v[0-9]+}}, size_t {{v[0-9]+}})
// CHECK: TLOAD(
// CHECK: TSTORE(
// CHECK-LABEL: extern "C" void nested_cpu(uint8_t** args) {
// CHECK-NEXT: for (int64_t i0 = 0; i0 < 2; i0 += 1) {
// CHECK-NEXT: for (int64_t i1 = 0; i1 < 64; i1 += 32) {
// CHECK-NEXT: if (TESSEL_SCOPE(0)) nested_s0(args[0], args[1], (size_t)i0, (size_t)i1);
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK: extern "C" void nested_launch(void* stream, uint8_t** args) {
// CHECK-NEXT: for (int64_t i0 = 0; i0 < 2; i0 += 1) {
// CHECK-NEXT: for (int64_t i1 = 0; i1 < 64; i1 += 32) {
// CHECK-NEXT: nested_s0<<<1, nullptr, stream>>>(args[0], args[1], (size_t)i0, (size_t)i1);
func.func @nested(%x: memref<64x128xf32>, %y: memref<64x128xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c2 step %c1 {
    %r0 = arith.muli %i, %c16 : index
    scf.for %j = %c0 to %c64 step %c32 {
      %r = arith.addi %r0, %j : index
      tile.spmd 1 (%b) {
        tile.at vector {
          %t = tile.load %x[%r, %c0] : memref<64x128xf32> -> !tile.tile<16x128xf32>
          %u = tile.add %t, %t : !tile.tile<16x128xf32>
          tile.store %u, %y[%r, %c0] : !tile.tile<16x128xf32>, memref<64x128xf32>
        }
      }
    }
  }
  return
}

// -----

// A scope before the loop and one in it: the first takes no index.
// CHECK-LABEL: extern "C" void mixed_cpu(uint8_t** args) {
// CHECK-NEXT: if (TESSEL_SCOPE(0)) mixed_s0(args[0], args[1]);
// CHECK-NEXT: for (int64_t i0 = 0; i0 < 4; i0 += 1) {
// CHECK-NEXT: if (TESSEL_SCOPE(1)) mixed_s1(args[0], args[1], (size_t)i0);
func.func @mixed(%x: memref<64x128xf32>, %y: memref<64x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %x[%c0, %c0] : memref<64x128xf32> -> !tile.tile<16x128xf32>
      tile.store %t, %y[%c0, %c0] : !tile.tile<16x128xf32>, memref<64x128xf32>
    }
  }
  scf.for %i = %c0 to %c4 step %c1 {
    %r = arith.muli %i, %c16 : index
    tile.spmd 1 (%b) {
      tile.at vector {
        %t = tile.load %x[%r, %c0] : memref<64x128xf32> -> !tile.tile<16x128xf32>
        %u = tile.mul %t, %t : !tile.tile<16x128xf32>
        tile.store %u, %y[%r, %c0] : !tile.tile<16x128xf32>, memref<64x128xf32>
      }
    }
  }
  return
}
