// tile.get / tile.set (pl.read / pl.write) are Tile::GetValue / SetValue on
// the scalar unit, at the element's offset in the tile's storage (row *
// padded row length + column). EmitC has no member calls: each is an
// emitc.verbatim over its operands, the value read lands in a variable.
// tile-insert-sync puts the S flags around them (test/Transforms/
// insert-sync-scalar.mlir); the emitted source compiles against the
// reference. A float scalar floored to an integer uses std::floor
// (<cmath>, included only then).
//
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-pto-pipeline | tessel-translate --tile-to-pto -split-input-file -output-split-marker=//=SPLIT= > %t.cpp
// RUN: %if cxx %{ %python %S/Inputs/compile-splits.py %t.cpp "%pto-cxx" %}

// Element (1, 3) of a 4x8 f32 tile (rows of 8 floats, 32 bytes: no
// padding) is at 1 * 8 + 3 = 11; element (2, 5) of the 4x20 i32 tile
// (rows padded to 24 elements, 96 bytes) at 2 * 24 + 5 = 53.
// CHECK: #include <cstdint>
// CHECK-NEXT: #include <cmath>
// CHECK-NEXT: #include <pto/pto-inst.hpp>
// CHECK-LABEL: __global__ AICORE void get_and_set_s0(
// CHECK: wait_flag(PIPE_MTE2, PIPE_S, EVENT_ID0);
// CHECK: size_t [[OFF:v[0-9]+]] = {{v[0-9]+}} + {{v[0-9]+}};
// CHECK-NEXT: float [[V:v[0-9]+]];
// CHECK-NEXT: [[V]] = [[T:v[0-9]+]].GetValue([[OFF]]);
// CHECK: std::floor(
// CHECK: [[I:v[0-9]+]].SetValue({{v[0-9]+}}, {{v[0-9]+}});
// CHECK: set_flag(PIPE_S, PIPE_MTE3, EVENT_ID0);
// CHECK: wait_flag(PIPE_S, PIPE_MTE3, EVENT_ID0);
// CHECK: TSTORE({{v[0-9]+}}, [[I]]);
// The next kernel has no std:: call: no <cmath>.
// CHECK: #include <cstdint>
// CHECK-NEXT: #include <pto/pto-inst.hpp>
func.func @get_and_set(%a: memref<4x8xf32>, %q: memref<4x20xi32>,
                       %o: memref<4x20xi32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %t = tile.load %a[%c0, %c0] : memref<4x8xf32> -> !tile.tile<4x8xf32>
      %v = tile.get %t[%c1, %c3] : !tile.tile<4x8xf32>
      %f = math.floor %v : f32
      %i = arith.fptosi %f : f32 to i32
      %x = tile.load %q[%c0, %c0] : memref<4x20xi32> -> !tile.tile<4x20xi32>
      %y = tile.set %i into %x[%c2, %c5] : !tile.tile<4x20xi32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<4x20xi32>, memref<4x20xi32>
    }
  }
  return
}

// -----

// A set whose dest is used again: the dest is copied (TMOV, V) into the
// set's own storage, then the scalar write waits for the copy on the
// V -> S event id kept for this hand-off (7).
// CHECK-LABEL: __global__ AICORE void set_copies_s0(
// CHECK: TMOV([[DST:v[0-9]+]], {{v[0-9]+}});
// CHECK-NEXT: set_flag(PIPE_V, PIPE_S, EVENT_ID7);
// CHECK-NEXT: wait_flag(PIPE_V, PIPE_S, EVENT_ID7);
// CHECK: [[DST]].SetValue(
// CHECK: set_flag(PIPE_S, PIPE_V, EVENT_ID0);
// CHECK: wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
// CHECK: pipe_barrier(PIPE_V);
// CHECK: TADDS({{v[0-9]+}}, [[DST]],
func.func @set_copies(%o: memref<2x8xf32>, %a: memref<1x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %e = tile.load %a[%c0, %c0] : memref<1x8xf32> -> !tile.tile<1x8xf32>
      %f = tile.get %e[%c0, %c1] : !tile.tile<1x8xf32>
      %t = tile.full 1.0 : !tile.tile<1x8xf32>
      %u = tile.set %f into %t[%c0, %c1] : !tile.tile<1x8xf32>
      %w = tile.adds %u, %f : !tile.tile<1x8xf32>
      tile.store %w, %o[%c0, %c0] : !tile.tile<1x8xf32>, memref<2x8xf32>
      tile.store %t, %o[%c1, %c0] : !tile.tile<1x8xf32>, memref<2x8xf32>
    }
  }
  return
}
