// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes -verify-diagnostics | FileCheck %s

// Every core_group scope gets a core kind; a2a3 (the default, and the
// module's target here) has no L0C -> UB path, so a scope mixing cube and
// vector ops is split into two grids that meet in a GM staging tensor.

// Vector ops only (exp): the scope runs on vector cores.
// CHECK-LABEL: func.func @vector_only_becomes_vector
// CHECK: tile.spmd 2 name("exp")
// CHECK-NEXT: tile.at vector
// CHECK-NOT: tile.alloc_gm
func.func @vector_only_becomes_vector(%a: memref<32x32xf32>) {
  %c16 = arith.constant 16 : index
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'exp': no cube ops, runs on vector cores}}
  tile.spmd 2 name("exp") (%b) {
    tile.at core_group {
      %r = arith.muli %b, %c16 : index
      %x = tile.load %a[%r, %c0] : memref<32x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %y, %a[%r, %c0] : !tile.tile<16x32xf32>, memref<32x32xf32>
    }
  }
  return
}

// -----

// Neither cube nor vector ops (a copy through a tile): data movement runs on
// the vector cores.
// CHECK-LABEL: func.func @copy_becomes_vector
// CHECK: tile.at vector
func.func @copy_becomes_vector(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'copy': no cube ops, runs on vector cores}}
  tile.spmd 1 name("copy") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %x, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Cube ops only (loads, full, matmul_acc, store): the scope runs on cube
// cores. 16x64 @ 64x32 bf16 -> f32, one block per 32 output columns.
// CHECK-LABEL: func.func @cube_only_becomes_cube
// CHECK: tile.spmd 4 name("mm")
// CHECK-NEXT: tile.at cube
// CHECK: tile.matmul_acc
// CHECK-NOT: tile.alloc_gm
func.func @cube_only_becomes_cube(%a: memref<16x64xbf16>, %w: memref<64x128xbf16>,
                                  %o: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{scope 'mm': cube ops only, runs on cube cores}}
  tile.spmd 4 name("mm") (%b) {
    tile.at core_group {
      %col = arith.muli %b, %c32 : index
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %w[%c0, %col] : memref<64x128xbf16> -> !tile.tile<64x32xbf16>
      %r = tile.matmul_acc %z, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
      tile.store %r, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
    }
  }
  return
}

// -----

// Matmul then a vector scale on a2a3: split. Each of the 4 blocks makes one
// 16x32xf32 tile (2048 bytes) that the vector part scales, so the staging
// tensor is 4x16x32xf32 (8192 bytes), written and read at the block index.
// The index computation (%col) is duplicated into both scopes; the
// vector-only load of the scale row stays in the vector scope; the staged
// tile is loaded back before the op that first uses it (after the operands
// it needs earlier), and stored right after the op that makes it.
// CHECK-LABEL: func.func @mixed_splits_on_a2a3
// CHECK: %[[ST:.*]] = tile.alloc_gm name("mm_scale_stage0") : memref<4x16x32xf32>
// CHECK: tile.spmd 4 name("mm_scale_cube") (%[[B:.*]]) {
// CHECK-NEXT: tile.at cube {
// CHECK: %[[COL:.*]] = arith.muli %[[B]], %{{.*}} : index
// CHECK: tile.load %{{.*}}[%{{.*}}, %[[COL]]] : memref<64x128xf16> -> !tile.tile<64x32xf16>
// CHECK: %[[Y:.*]] = tile.matmul
// CHECK-NOT: tile.muls
// CHECK: tile.store %[[Y]], %[[ST]][%[[B]], %[[Z:.*]], %[[Z]]] : !tile.tile<16x32xf32>, memref<4x16x32xf32>
// CHECK: tile.spmd 4 name("mm_scale_vector") (%[[B2:.*]]) {
// CHECK-NEXT: tile.at vector {
// CHECK-NOT: tile.matmul
// CHECK: %[[L:.*]] = tile.load %[[ST]][%[[B2]], %[[Z2:.*]], %[[Z2]]] : memref<4x16x32xf32> -> !tile.tile<16x32xf32>
// CHECK-NEXT: %[[COL2:.*]] = arith.muli %[[B2]], %{{.*}} : index
// CHECK-NEXT: %[[S:.*]] = tile.load %{{.*}}[%[[COL2]]] : memref<128xf32> -> !tile.tile<1x32xf32>
// CHECK: %[[M:.*]] = tile.col_expand_mul %[[L]], %[[S]]
// CHECK: tile.store %[[M]], %{{.*}}[%{{.*}}, %[[COL2]]] : !tile.tile<16x32xf32>, memref<16x128xf32>
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @mixed_splits_on_a2a3(%a: memref<16x64xf16>, %w: memref<64x128xf16>,
                                  %s: memref<128xf32>, %o: memref<16x128xf32>) {
    %c0 = arith.constant 0 : index
    %c32 = arith.constant 32 : index
    // expected-remark @below {{scope 'mm_scale': mixed cube and vector ops split into 'mm_scale_cube' and 'mm_scale_vector' meeting in GM: 1 staged tile, 2048 bytes per block, 8192 bytes in all}}
    tile.spmd 4 name("mm_scale") (%b) {
      tile.at core_group {
        %col = arith.muli %b, %c32 : index
        %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
        %y = tile.load %w[%c0, %col] : memref<64x128xf16> -> !tile.tile<64x32xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
        %sc = tile.load %s[%col] : memref<128xf32> -> !tile.tile<1x32xf32>
        %r = tile.col_expand_mul %m, %sc : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
        tile.store %r, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
      }
    }
    return
  }
}

// -----

// Two matmul results cross and one is also stored raw: the raw store only
// consumes the cube part, so it stays in the cube scope (the tile is not
// staged for it); the vector part adds the two products, so both are staged:
// 2 tiles x 16x16xf32 (1024 bytes) = 2048 bytes per block, 2 blocks = 4096
// bytes. The accumulation loop carries its tile inside the cube part only.
// CHECK-LABEL: func.func @mixed_two_staged_tiles
// CHECK: %[[S0:.*]] = tile.alloc_gm name("two_stage0") : memref<2x16x16xf32>
// CHECK: %[[S1:.*]] = tile.alloc_gm name("two_stage1") : memref<2x16x16xf32>
// CHECK: tile.spmd 2 name("two_cube")
// CHECK: tile.at cube
// CHECK: %[[P:.*]] = scf.for
// CHECK: tile.matmul_acc
// CHECK: tile.store %[[P]], %[[S0]]
// CHECK: %[[Q:.*]] = tile.matmul
// CHECK: tile.store %[[Q]], %[[S1]]
// CHECK: tile.store %[[P]], %arg3
// CHECK: tile.spmd 2 name("two_vector")
// CHECK: tile.at vector
// CHECK-NOT: scf.for
// CHECK: %[[LP:.*]] = tile.load %[[S0]]
// CHECK: %[[LQ:.*]] = tile.load %[[S1]]
// CHECK: tile.add %[[LP]], %[[LQ]]
// CHECK-NOT: tile.store %{{.*}}, %arg3
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @mixed_two_staged_tiles(%a: memref<16x64xbf16>, %w: memref<64x32xbf16>,
                                    %o: memref<32x16xf32>, %raw: memref<32x16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    // expected-remark @below {{scope 'two': mixed cube and vector ops split into 'two_cube' and 'two_vector' meeting in GM: 2 staged tiles, 2048 bytes per block, 4096 bytes in all}}
    tile.spmd 2 name("two") (%b) {
      tile.at core_group {
        %row = arith.muli %b, %c16 : index
        %z = tile.full 0.0 : !tile.tile<16x16xf32>
        %p = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
          %kk = arith.muli %k, %c32 : index
          %x = tile.load %a[%c0, %kk] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
          %y = tile.load %w[%kk, %row] : memref<64x32xbf16> -> !tile.tile<32x16xbf16>
          %n = tile.matmul_acc %acc, %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
          scf.yield %n : !tile.tile<16x16xf32>
        }
        %x0 = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y0 = tile.load %w[%c0, %row] : memref<64x32xbf16> -> !tile.tile<32x16xbf16>
        %q = tile.matmul %x0, %y0 : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        tile.store %p, %raw[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
        %s = tile.add %p, %q : !tile.tile<16x16xf32>
        tile.store %s, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
      }
    }
    return
  }
}

// -----

// The same mixed scope on a5, which has an L0C -> UB path: it stays one
// core_group scope and nothing is staged.
// CHECK-LABEL: func.func @mixed_kept_on_a5
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 4 name("mm_scale")
// CHECK-NEXT: tile.at core_group
// CHECK: tile.matmul
// CHECK: tile.col_expand_mul
module attributes {tile.target = #tile.target<a5>} {
  func.func @mixed_kept_on_a5(%a: memref<16x64xf16>, %w: memref<64x128xf16>,
                              %s: memref<128xf32>, %o: memref<16x128xf32>) {
    %c0 = arith.constant 0 : index
    %c32 = arith.constant 32 : index
    // expected-remark @below {{scope 'mm_scale': mixed cube and vector ops stay in one core_group scope (the target has an L0C -> UB path)}}
    tile.spmd 4 name("mm_scale") (%b) {
      tile.at core_group {
        %col = arith.muli %b, %c32 : index
        %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
        %y = tile.load %w[%c0, %col] : memref<64x128xf16> -> !tile.tile<64x32xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
        %sc = tile.load %s[%col] : memref<128xf32> -> !tile.tile<1x32xf32>
        %r = tile.col_expand_mul %m, %sc : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
        tile.store %r, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
      }
    }
    return
  }
}

// -----

// Scopes that already have a kind are left alone (no remark).
// CHECK-LABEL: func.func @kinds_already_set
// CHECK: tile.at vector
func.func @kinds_already_set(%a: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %y, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Independent parts: the matmul result is only stored (which stays with the
// cube part) and the vector part works on other data, so nothing crosses:
// the scope is split with no staging tensor.
// CHECK-LABEL: func.func @independent_parts_stage_nothing
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 1 name("both_cube")
// CHECK-NEXT: tile.at cube
// CHECK: tile.matmul
// CHECK: tile.store %{{.*}}, %arg2
// CHECK: tile.spmd 1 name("both_vector")
// CHECK-NEXT: tile.at vector
// CHECK-NOT: tile.matmul
// CHECK: tile.exp
func.func @independent_parts_stage_nothing(%a: memref<16x32xf16>, %w: memref<32x16xf16>,
                                           %o: memref<16x16xf32>, %v: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'both': mixed cube and vector ops split into 'both_cube' and 'both_vector' meeting in GM: 0 staged tiles, 0 bytes per block, 0 bytes in all}}
  tile.spmd 1 name("both") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
      %t = tile.load %v[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
      %e = tile.exp %t : !tile.tile<16x16xf32>
      tile.store %e, %v[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
