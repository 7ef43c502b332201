// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes -verify-diagnostics | FileCheck %s
// The split's grids are race free: every staging access is indexed by the
// block (and iteration), which tile-check-races proves (a race would be an
// unexpected error here).
// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes -tile-check-races -verify-diagnostics -o /dev/null

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

// -----

// Flash attention: per 16-row KV block, s = q k^T (cube), an online softmax
// (vector: running max m and sum l carried), p v (cube) of the vector's
// bf16 probabilities, and the rescaled accumulator (vector, carried). The
// loop goes cube -> vector -> cube -> vector every iteration, so it is
// fissioned into four copies, one per phase, in four grids. The carried
// tiles stay in the copy that updates them (m, l in the first vector
// phase, acc in the second); what one phase makes and a later one uses is
// staged per block and iteration, at [b, iv / 16] (lb 0, step 16: 4 trips):
//   s     16x16xf32  1024 B   cube   -> vector
//   p     16x16xbf16  512 B   vector -> cube2
//   alpha 16x1xf32     64 B   vector -> vector2
//   pv    16x32xf32  2048 B   cube2  -> vector2
// (3648 B x 4 trips = 14592 B), and l after the loop per block (64 B):
// 14656 B per block, 2 blocks: 29312 B. q is loaded where it is used (the
// first cube phase), not staged.
// CHECK-LABEL: func.func @flash_loop_is_fissioned
// CHECK-DAG: %[[SS:.*]] = tile.alloc_gm name("fa_stage0") : memref<2x4x16x16xf32>
// CHECK-DAG: %[[SP:.*]] = tile.alloc_gm name("fa_stage1") : memref<2x4x16x16xbf16>
// CHECK-DAG: %[[SA:.*]] = tile.alloc_gm name("fa_stage2") : memref<2x4x16x1xf32>
// CHECK-DAG: %[[SV:.*]] = tile.alloc_gm name("fa_stage3") : memref<2x4x16x32xf32>
// CHECK-DAG: %[[SL:.*]] = tile.alloc_gm name("fa_stage4") : memref<2x16x1xf32>
// CHECK: tile.spmd 2 name("fa_cube") (%[[B0:.*]]) {
// CHECK-NEXT: tile.at cube {
// CHECK: scf.for %[[J0:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[IT0:.*]] = arith.divui %[[J0]], %{{.*}} : index
// CHECK: %[[S:.*]] = tile.matmul {{.*}} b_trans
// CHECK: tile.store %[[S]], %[[SS]][%[[B0]], %[[IT0]], %{{.*}}, %{{.*}}]
// CHECK-NOT: tile.exp
// CHECK: tile.spmd 2 name("fa_vector") (%[[B1:.*]]) {
// CHECK-NEXT: tile.at vector {
// CHECK: %[[ML:.*]]:2 = scf.for %[[J1:.*]] = {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (!tile.tile<16x1xf32>, !tile.tile<16x1xf32>) {
// CHECK: %[[IT1:.*]] = arith.divui %[[J1]]
// CHECK: tile.load %[[SS]][%[[B1]], %[[IT1]],
// CHECK: %[[ALPHA:.*]] = tile.exp %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.store %[[ALPHA]], %[[SA]][%[[B1]], %[[IT1]],
// CHECK: %[[P:.*]] = tile.cast
// CHECK: tile.store %[[P]], %[[SP]][%[[B1]], %[[IT1]],
// CHECK: scf.yield
// CHECK: tile.store %[[ML]]#1, %[[SL]][%[[B1]],
// CHECK-NOT: tile.matmul
// CHECK: tile.spmd 2 name("fa_cube2") (%[[B2:.*]]) {
// CHECK-NEXT: tile.at cube {
// CHECK: scf.for %[[J2:.*]] =
// CHECK: %[[PL:.*]] = tile.load %[[SP]][%[[B2]],
// CHECK: %[[PV:.*]] = tile.matmul %[[PL]],
// CHECK: tile.store %[[PV]], %[[SV]][%[[B2]],
// CHECK: tile.spmd 2 name("fa_vector2") (%[[B3:.*]]) {
// CHECK-NEXT: tile.at vector {
// CHECK: %[[ACC:.*]] = scf.for %{{.*}} iter_args(%[[A:.*]] = %{{.*}}) -> (!tile.tile<16x32xf32>) {
// CHECK: %[[AL:.*]] = tile.load %[[SA]][%[[B3]],
// CHECK: %[[R:.*]] = tile.row_expand_mul %[[A]], %[[AL]]
// CHECK: %[[PVL:.*]] = tile.load %[[SV]][%[[B3]],
// CHECK: tile.add %[[R]], %[[PVL]]
// CHECK: %[[LL:.*]] = tile.load %[[SL]][%[[B3]],
// CHECK: tile.row_expand_div %[[ACC]], %[[LL]]
// CHECK-NOT: tile.spmd
func.func @flash_loop_is_fissioned(%q: memref<32x32xbf16>, %k: memref<64x32xbf16>,
                                   %v: memref<64x32xbf16>, %o: memref<32x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %scale = arith.constant 0.125 : f32
  // expected-remark @below {{scope 'fa': mixed cube and vector ops split into 'fa_cube', 'fa_vector', 'fa_cube2' and 'fa_vector2' meeting in GM: 5 staged tiles, 14656 bytes per block, 29312 bytes in all}}
  tile.spmd 2 name("fa") (%b) {
    tile.at core_group {
      %row = arith.muli %b, %c16 : index
      %qt = tile.load %q[%row, %c0] : memref<32x32xbf16> -> !tile.tile<16x32xbf16>
      %m0 = tile.full -1.0e30 : !tile.tile<16x1xf32>
      %l0 = tile.full 0.0 : !tile.tile<16x1xf32>
      %a0 = tile.full 0.0 : !tile.tile<16x32xf32>
      %r:3 = scf.for %j = %c0 to %c64 step %c16 iter_args(%m = %m0, %l = %l0, %acc = %a0) -> (!tile.tile<16x1xf32>, !tile.tile<16x1xf32>, !tile.tile<16x32xf32>) {
        %kt = tile.load %k[%j, %c0] : memref<64x32xbf16> -> !tile.tile<16x32xbf16>
        %vt = tile.load %v[%j, %c0] : memref<64x32xbf16> -> !tile.tile<16x32xbf16>
        %s0 = tile.matmul %qt, %kt b_trans : !tile.tile<16x32xbf16>, !tile.tile<16x32xbf16> -> !tile.tile<16x16xf32>
        %s = tile.muls %s0, %scale : !tile.tile<16x16xf32>
        %mx = tile.row_max %s : !tile.tile<16x16xf32> -> !tile.tile<16x1xf32>
        %mn = tile.max %m, %mx : !tile.tile<16x1xf32>
        %d = tile.row_expand_sub %s, %mn : !tile.tile<16x16xf32>, !tile.tile<16x1xf32>
        %e = tile.exp %d : !tile.tile<16x16xf32>
        %dm = tile.sub %m, %mn : !tile.tile<16x1xf32>
        %alpha = tile.exp %dm : !tile.tile<16x1xf32>
        %ls = tile.mul %l, %alpha : !tile.tile<16x1xf32>
        %rs = tile.row_sum %e : !tile.tile<16x16xf32> -> !tile.tile<16x1xf32>
        %ln = tile.add %ls, %rs : !tile.tile<16x1xf32>
        %p = tile.cast %e rint : !tile.tile<16x16xf32> -> !tile.tile<16x16xbf16>
        %pv = tile.matmul %p, %vt : !tile.tile<16x16xbf16>, !tile.tile<16x32xbf16> -> !tile.tile<16x32xf32>
        %as = tile.row_expand_mul %acc, %alpha : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
        %an = tile.add %as, %pv : !tile.tile<16x32xf32>
        scf.yield %mn, %ln, %an : !tile.tile<16x1xf32>, !tile.tile<16x1xf32>, !tile.tile<16x32xf32>
      }
      %out = tile.row_expand_div %r#2, %r#1 : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      tile.store %out, %o[%row, %c0] : !tile.tile<16x32xf32>, memref<32x32xf32>
    }
  }
  return
}

// -----

// A loop whose matmul result a vector op folds into a carried sum each
// iteration (the case that was an error before loops were fissioned): a
// cube copy of the loop stages the 16x16xf32 product per iteration (2
// trips x 1024 B = 2048 B per block) and a vector copy carries the sum.
// CHECK-LABEL: func.func @cube_then_vector_loop
// CHECK: tile.alloc_gm name("cv_stage0") : memref<1x2x16x16xf32>
// CHECK: tile.spmd 1 name("cv_cube")
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK: tile.matmul
// CHECK: tile.spmd 1 name("cv_vector")
// CHECK: scf.for {{.*}} iter_args
// CHECK: tile.exp
func.func @cube_then_vector_loop(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                                 %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  // expected-remark @below {{scope 'cv': mixed cube and vector ops split into 'cv_cube' and 'cv_vector' meeting in GM: 1 staged tile, 2048 bytes per block, 2048 bytes in all}}
  tile.spmd 1 name("cv") (%b) {
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %r = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %kk = arith.muli %k, %c32 : index
        %x = tile.load %a[%c0, %kk] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%kk, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        %n = tile.add %acc, %e : !tile.tile<16x16xf32>
        scf.yield %n : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// Vector -> cube: the matmul's lhs is a vector cast of a loaded f32 tile.
// The vector grid runs first and stages the 16x32xf16 lhs (1024 B per
// block); the cube grid loads it back, multiplies and stores the result.
// CHECK-LABEL: func.func @vector_then_cube
// CHECK: %[[ST:.*]] = tile.alloc_gm name("cast_mm_stage0") : memref<1x16x32xf16>
// CHECK: tile.spmd 1 name("cast_mm_vector")
// CHECK: %[[H:.*]] = tile.cast
// CHECK: tile.store %[[H]], %[[ST]]
// CHECK: tile.spmd 1 name("cast_mm_cube")
// CHECK: %[[L:.*]] = tile.load %[[ST]]
// CHECK: tile.matmul %[[L]]
func.func @vector_then_cube(%a: memref<16x32xf32>, %w: memref<32x16xf16>,
                            %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'cast_mm': mixed cube and vector ops split into 'cast_mm_vector' and 'cast_mm_cube' meeting in GM: 1 staged tile, 1024 bytes per block, 1024 bytes in all}}
  tile.spmd 1 name("cast_mm") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %h = tile.cast %x none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %h, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// The cube part stores its product to %t and the vector part reads %t back:
// the store runs in the cube grid, which runs before the vector grid, so
// program order holds (each block reads only its own rows, as
// tile-check-races proves before the split). Nothing is staged: the vector
// part's tile comes from %t itself.
// CHECK-LABEL: func.func @gm_tensor_written_then_read
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 2 name("shared_cube")
// CHECK: tile.store %{{.*}}, %arg2
// CHECK: tile.spmd 2 name("shared_vector")
// CHECK: tile.load %arg2
// CHECK: tile.exp
func.func @gm_tensor_written_then_read(%a: memref<16x32xf16>, %w: memref<32x32xf16>,
                                       %t: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  // expected-remark @below {{scope 'shared': mixed cube and vector ops split into 'shared_cube' and 'shared_vector' meeting in GM: 0 staged tiles, 0 bytes per block, 0 bytes in all}}
  tile.spmd 2 name("shared") (%b) {
    tile.at core_group {
      %col = arith.muli %b, %c16 : index
      %x = tile.load %a[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %col] : memref<32x32xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %t[%c0, %col] : !tile.tile<16x16xf32>, memref<16x32xf32>
      %v = tile.load %t[%c0, %col] : memref<16x32xf32> -> !tile.tile<16x16xf32>
      %e = tile.exp %v : !tile.tile<16x16xf32>
      tile.store %e, %o[%c0, %col] : !tile.tile<16x16xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// An in-place update: %x is loaded, cast to f16 on the vector side (phase
// 1), multiplied on the cube side (phase 2) and the product written back
// over %x's first 16 columns. The load has no operand the scope makes, so
// it runs in the first phase that uses it (the vector grid), before the
// store (the cube grid), as in the program. The f16 lhs is staged: 16x32xf16,
// 1024 bytes per block.
// CHECK-LABEL: func.func @in_place_update
// CHECK: tile.alloc_gm name("inplace_stage0") : memref<1x16x32xf16>
// CHECK: tile.spmd 1 name("inplace_vector")
// CHECK: tile.load %arg0
// CHECK: tile.cast
// CHECK: tile.spmd 1 name("inplace_cube")
// CHECK: tile.matmul
// CHECK: tile.store %{{.*}}, %arg0
func.func @in_place_update(%x: memref<16x32xf32>, %w: memref<32x16xf16>) {
  %c0 = arith.constant 0 : index
  // expected-remark @below {{scope 'inplace': mixed cube and vector ops split into 'inplace_vector' and 'inplace_cube' meeting in GM: 1 staged tile, 1024 bytes per block, 1024 bytes in all}}
  tile.spmd 1 name("inplace") (%b) {
    tile.at core_group {
      %t = tile.load %x[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %h = tile.cast %t none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %h, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %x[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// A mixed loop whose trip count is read from GM at run time and clamped by a
// constant: n = min(lens[b], 3) iterations of a 16x32 @ 32x16 matmul whose
// exp the vector part accumulates. The integer range analysis bounds n by 3,
// so the matmul result is staged per block and iteration for at most 3
// iterations: 2 blocks x 3 x 16x16xf32 (1024 bytes) = 3072 bytes per block,
// 6144 in all. Both copies of the loop keep the run-time end (each phase
// reads lens[b] again), and the iteration index is the induction variable
// (start 0, step 1), below 3 whatever n is.
// CHECK-LABEL: func.func @runtime_bounded_trip_count
// CHECK: %[[ST:.*]] = tile.alloc_gm name("dyn_stage0") : memref<2x3x16x16xf32>
// CHECK: tile.spmd 2 name("dyn_cube") (%[[B:.*]]) {
// CHECK-NEXT: tile.at cube {
// CHECK: %[[T:.*]] = tile.load %{{.*}}[%[[B]]] : memref<2xi32> -> !tile.tile<1x1xi32>
// CHECK: %[[V:.*]] = tile.get %[[T]]
// CHECK: %[[N0:.*]] = arith.index_cast %[[V]]
// CHECK: %[[N:.*]] = arith.minsi %[[N0]], %{{.*}} : index
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %[[N]] step %{{.*}} {
// CHECK: %[[M:.*]] = tile.matmul
// CHECK: tile.store %[[M]], %[[ST]][%[[B]], %[[K]], %{{.*}}, %{{.*}}] : !tile.tile<16x16xf32>, memref<2x3x16x16xf32>
// CHECK: tile.spmd 2 name("dyn_vector") (%[[B2:.*]]) {
// CHECK-NEXT: tile.at vector {
// CHECK: %[[N2:.*]] = arith.minsi
// CHECK: scf.for %[[K2:.*]] = %{{.*}} to %[[N2]] step %{{.*}} iter_args
// CHECK: tile.load %[[ST]][%[[B2]], %[[K2]], %{{.*}}, %{{.*}}] : memref<2x3x16x16xf32> -> !tile.tile<16x16xf32>
// CHECK: tile.exp
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @runtime_bounded_trip_count(%a: memref<16x96xbf16>, %w: memref<96x16xbf16>,
                                        %lens: memref<2xi32>, %o: memref<32x16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c16 = arith.constant 16 : index
    %c32 = arith.constant 32 : index
    // expected-remark @below {{scope 'dyn': mixed cube and vector ops split into 'dyn_cube' and 'dyn_vector' meeting in GM: 1 staged tile, 3072 bytes per block, 6144 bytes in all; a loop with run-time bounds staged for at most 3 iterations}}
    tile.spmd 2 name("dyn") (%b) {
      tile.at core_group {
        %t = tile.load %lens[%b] : memref<2xi32> -> !tile.tile<1x1xi32>
        %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
        %n0 = arith.index_cast %v : i32 to index
        %n = arith.minsi %n0, %c3 : index
        %z = tile.full 0.0 : !tile.tile<16x16xf32>
        %r = scf.for %k = %c0 to %n step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
          %kk = arith.muli %k, %c32 : index
          %x = tile.load %a[%c0, %kk] : memref<16x96xbf16> -> !tile.tile<16x32xbf16>
          %y = tile.load %w[%kk, %c0] : memref<96x16xbf16> -> !tile.tile<32x16xbf16>
          %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
          %e = tile.exp %m : !tile.tile<16x16xf32>
          %s = tile.add %acc, %e : !tile.tile<16x16xf32>
          scf.yield %s : !tile.tile<16x16xf32>
        }
        %row = arith.muli %b, %c16 : index
        tile.store %r, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
      }
    }
    return
  }
}

// -----

// A pipeline whose end depends on the block index (decode_sparse_attn's
// shape): block b of 4 runs b + 1 iterations from 1 in steps of 2, up to
// ceil((4 - 1) / 2) = 2 iterations, so the staging is 4 x 2 x 16x16xf32 =
// 2048 bytes per block, 8192 in all; the iteration index is
// (iv - 1) / 2.
// CHECK-LABEL: func.func @block_dependent_trip_count
// CHECK: %[[ST:.*]] = tile.alloc_gm name("tri_stage0") : memref<4x2x16x16xf32>
// CHECK: tile.spmd 4 name("tri_cube") (%[[B:.*]]) {
// CHECK: %[[E:.*]] = arith.addi %[[B]], %{{.*}} : index
// CHECK: tile.pipeline %[[K:.*]] = %{{.*}} to %[[E]] step %{{.*}} stages(2) {
// CHECK: %[[I0:.*]] = arith.subi %[[K]], %{{.*}} : index
// CHECK: %[[I:.*]] = arith.divui %[[I0]], %{{.*}} : index
// CHECK: tile.store %{{.*}}, %[[ST]][%[[B]], %[[I]], %{{.*}}, %{{.*}}]
// CHECK: tile.spmd 4 name("tri_vector")
// CHECK: tile.pipeline
// CHECK: tile.load %[[ST]]
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @block_dependent_trip_count(%a: memref<16x32xbf16>, %w: memref<32x16xbf16>,
                                        %o: memref<64x16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c16 = arith.constant 16 : index
    // expected-remark @below {{scope 'tri': mixed cube and vector ops split into 'tri_cube' and 'tri_vector' meeting in GM: 1 staged tile, 2048 bytes per block, 8192 bytes in all; a loop with run-time bounds staged for at most 2 iterations}}
    tile.spmd 4 name("tri") (%b) {
      %e = arith.addi %b, %c1 : index
      tile.at core_group {
        %row = arith.muli %b, %c16 : index
        tile.pipeline %k = %c1 to %e step %c2 stages(2) {
          %x = tile.load %a[%c0, %c0] : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
          %y = tile.load %w[%c0, %c0] : memref<32x16xbf16> -> !tile.tile<32x16xbf16>
          %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
          %s = tile.exp %m : !tile.tile<16x16xf32>
          tile.store %s, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<64x16xf32>
        }
      }
    }
    return
  }
}
