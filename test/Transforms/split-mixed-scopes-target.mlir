// RUN: tessel-opt %s -tile-split-mixed-scopes=target=a5 -verify-diagnostics | FileCheck %s
// RUN: tessel-opt %s -tile-split-mixed-scopes -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=A2A3
// RUN: not tessel-opt %s -tile-split-mixed-scopes=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: echo 'module attributes {tile.target = #tile.target<a2a3>} {}' | not tessel-opt -tile-split-mixed-scopes=target=a5 2>&1 | FileCheck %s --check-prefix=CONTRA

// The `target` option. The module names no target: with target=a5 (L0C ->
// UB path) the mixed scope stays one core_group scope; without the option
// the default is a2a3 and it is split, staging one 16x16xf32 tile per block
// (1024 bytes, 2 blocks: 2048 bytes).
// CHECK-LABEL: func.func @option_keeps_mixed_on_a5
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.at core_group
// A2A3: remark: scope 'mm_exp': mixed cube and vector ops split into 'mm_exp_cube' and 'mm_exp_vector' meeting in GM: 1 staged tile, 1024 bytes per block, 2048 bytes in all
// (the last function's remark, without the a5 reason)
// A2A3: remark: scope 'cast_mm': mixed cube and vector ops split into 'cast_mm_vector' and 'cast_mm_cube' meeting in GM: 1 staged tile, 1024 bytes per block, 2048 bytes in all{{$}}
// A2A3: tile.alloc_gm name("mm_exp_stage0") : memref<2x16x16xf32>
// A2A3: tile.at cube
// A2A3: tile.at vector
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5
// The option may not contradict the module's own target.
// CONTRA: error: target option 'a5' contradicts tile.target = a2a3
func.func @option_keeps_mixed_on_a5(%a: memref<16x32xf16>, %w: memref<32x16xf16>,
                                    %o: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{scope 'mm_exp': mixed cube and vector ops stay in one core_group scope (the target has an L0C -> UB path)}}
  tile.spmd 2 name("mm_exp") (%b) {
    tile.at core_group {
      %row = arith.muli %b, %c16 : index
      %x = tile.load %a[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      %e = tile.exp %m : !tile.tile<16x16xf32>
      tile.store %e, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
    }
  }
  return
}

// A cube op using a vector op's tile (the cast lhs) on a5: L0C -> UB exists
// but Tessel has no UB -> L1 move, so the scope is split through GM on both
// targets, vector grid first; one 16x32xf16 tile per block (1024 bytes, 2
// blocks: 2048 bytes).
// CHECK-LABEL: func.func @vector_to_cube_splits_on_a5
// CHECK: tile.alloc_gm name("cast_mm_stage0") : memref<2x16x32xf16>
// CHECK: name("cast_mm_vector")
// CHECK: name("cast_mm_cube")
func.func @vector_to_cube_splits_on_a5(%a: memref<16x32xf32>, %w: memref<32x16xf16>,
                                       %o: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{scope 'cast_mm': mixed cube and vector ops split into 'cast_mm_vector' and 'cast_mm_cube' meeting in GM: 1 staged tile, 1024 bytes per block, 2048 bytes in all (a cube op uses a tile made by a vector op, and Tessel has no UB -> L1 move on this target)}}
  tile.spmd 2 name("cast_mm") (%b) {
    tile.at core_group {
      %row = arith.muli %b, %c16 : index
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %h = tile.cast %x none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %h, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
    }
  }
  return
}
