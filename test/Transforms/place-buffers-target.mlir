// RUN: tessel-opt %s -split-input-file -tile-place-buffers=target=a5 -verify-diagnostics | FileCheck %s
// RUN: not tessel-opt %s -split-input-file -tile-place-buffers -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=A2A3
// RUN: not tessel-opt %s -tile-place-buffers=target=a9 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// The `target` option of tile-place-buffers. A 60x1024xf32 tile is 245760 B:
// exactly a5's usable UB, over a2a3's 188416. With target=a5 and no
// tile.target attribute the tile fits, and the module gets
// tile.target = a5 so the lowering sizes its arenas for a5 too. Without the
// option the default target is a2a3 and the tile does not fit.
// CHECK: module attributes {tile.target = #tile.target<a5>}
// CHECK-LABEL: func.func @option_sets_target
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// A2A3: error: tile exceeds vector UB on its own: 245760 > 188416 bytes
// A2A3: error: vector UB exceeded: 245760 > 188416 bytes
// UNKNOWN: error: unknown target 'a9': expected one of a2a3, a5
func.func @option_sets_target(%m: memref<60x1024xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %x = tile.load %m[%c0, %c0] : memref<60x1024xf32> -> !tile.tile<60x1024xf32>
      tile.store %x, %m[%c0, %c0] : !tile.tile<60x1024xf32>, memref<60x1024xf32>
    }
  }
  return
}

// -----

// The option may not contradict the IR's own target.
// expected-error @below {{target option 'a5' contradicts tile.target = a2a3}}
module attributes {tile.target = #tile.target<a2a3>} {
func.func @option_contradicts_attribute() {
  return
}
}

// -----

// a5 has an L0C -> UB path: in a core_group scope a vector op may read a
// matmul result where it lies. The 16x128xf32 product (8192 bytes) stays in
// L0C and the exp of it (8192) goes to UB. On a2a3 the same scope is an
// error: its cube and vector cores meet only in GM.
// CHECK-LABEL: func.func @l0c_read_by_vector_on_a5
// CHECK: tile.matmul {{.*}} {place = #tile.place<l0c, 0>}
// CHECK: tile.exp {{.*}} {place = #tile.place<ub, 0>}
// A2A3: error: tile is used by both cube and vector ops in a core_group scope: run tile-split-mixed-scopes first
func.func @l0c_read_by_vector_on_a5(%a: memref<16x64xbf16>, %w: memref<64x128xbf16>, %o: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %w[%c0, %c0] : memref<64x128xbf16> -> !tile.tile<64x128xbf16>
      %d = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
      %e = tile.exp %d : !tile.tile<16x128xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
    }
  }
  return
}

// -----

// The other way is still an error on a5: a tile a vector op makes (in UB)
// cannot feed a matmul in place.
func.func @vector_result_into_matmul_on_a5(%a: memref<16x64xf16>, %w: memref<64x128xf16>, %o: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-note @below {{core_group scope is here}}
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      // expected-error @below {{tile is used by both cube and vector ops in a core_group scope: on a5 only a matmul result crosses from the cube side to the vector side (read in L0C), and this tile is made by a vector op (run tile-split-mixed-scopes first: it splits such a scope through GM); give each side its own tile or split the work into scopes that meet in GM}}
      %n = tile.neg %x : !tile.tile<16x64xf16>
      %y = tile.load %w[%c0, %c0] : memref<64x128xf16> -> !tile.tile<64x128xf16>
      %d = tile.matmul %n, %y : !tile.tile<16x64xf16>, !tile.tile<64x128xf16> -> !tile.tile<16x128xf32>
      tile.store %d, %o[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
    }
  }
  return
}
