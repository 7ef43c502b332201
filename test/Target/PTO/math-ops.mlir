// tile.fmod / tile.fmods become PTO-ISA's TFMOD / TFMODS (the scalar as a
// literal), and the emitted source compiles against the reference.
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// CHECK-LABEL: __global__ AICORE void fmods_s0_vec(
// CHECK: TLOAD(
// CHECK: TFMOD({{v[0-9]+}}, {{v[0-9]+}}, {{v[0-9]+}});
// CHECK: pipe_barrier(PIPE_V);
// fmod(d, 2.5): 2.5 = 0x1.4p+1.
// CHECK: TFMODS({{v[0-9]+}}, {{v[0-9]+}}, 0x1.4p+1f);
// CHECK: TSTORE(
func.func @fmods(%a: memref<16x64xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %s = arith.constant 2.5 : f32
  tile.spmd 1 name("vec") (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %d = tile.fmod %x, %y : !tile.tile<16x32xf32>
      %e = tile.fmods %d, %s : !tile.tile<16x32xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
