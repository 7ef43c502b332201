// RUN: tessel-opt %s -split-input-file -tile-pipeline-loops -verify-diagnostics | FileCheck %s

// a2a3 (the default): vector UB has 188416 usable bytes in 32-byte granules,
// cube L1 524288 bytes, L0C 131072 bytes in 512-byte granules. The
// footprint is the placement peak of tile-place-buffers with the loop
// pipelined: a tile defined directly in the loop body gets one slot per
// stage.

// A copy loop whose only tile is 1x23552xf32 = 94208 bytes: doubled it is
// 2 x 94208 = 188416 bytes, exactly the usable UB, so it is pipelined.
// CHECK-LABEL: func.func @fits_doubled_exactly
// CHECK: tile.pipeline %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} stages(2) {
// CHECK: tile.load
// CHECK: tile.store
// CHECK-NOT: scf.for
func.func @fits_doubled_exactly(%a: memref<4x23552xf32>, %o: memref<4x23552xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 name("copy") (%b) {
    tile.at vector {
      // expected-remark @below {{pipelined loop in scope 'copy': 2 stages, footprint 188416 bytes of 188416 (vector UB)}}
      scf.for %i = %c0 to %c4 step %c1 {
        %x = tile.load %a[%i, %c0] : memref<4x23552xf32> -> !tile.tile<1x23552xf32>
        tile.store %x, %o[%i, %c0] : !tile.tile<1x23552xf32>, memref<4x23552xf32>
      }
    }
  }
  return
}

// -----

// Eight more floats: 1x23560xf32 = 94240 bytes (already a multiple of 32);
// doubled 188480 > 188416, so the loop stays sequential (one slot fits).
// CHECK-LABEL: func.func @does_not_fit_doubled
// CHECK: scf.for
// CHECK-NOT: tile.pipeline
func.func @does_not_fit_doubled(%a: memref<4x23560xf32>, %o: memref<4x23560xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 name("copy") (%b) {
    tile.at vector {
      // expected-remark @below {{loop in scope 'copy' not pipelined: 2 stages need 188480 > 188416 bytes of vector UB}}
      scf.for %i = %c0 to %c4 step %c1 {
        %x = tile.load %a[%i, %c0] : memref<4x23560xf32> -> !tile.tile<1x23560xf32>
        tile.store %x, %o[%i, %c0] : !tile.tile<1x23560xf32>, memref<4x23560xf32>
      }
    }
  }
  return
}

// -----

// A row-sum reduction with a loop-carried tile. Per stage the body holds
// the 16x32xf32 load (2048 bytes, two slots: MTE2 -> V); the 16x1xf32 row
// sum (64 bytes) only the vector pipe writes and reads, so it has one slot
// (docs/placement.md "Slots"); the accumulator (64 bytes) is carried, and
// the add is computed in place over it. 2 x 2048 + 64 + 64 = 4224 bytes,
// plus the row sum's scratch tile (TROWSUM's tmp, the 16x32xf32 source's
// 2048 bytes): 6272 bytes.
// CHECK-LABEL: func.func @iter_args_become_pipeline_iter_args
// CHECK: %[[Z:.*]] = tile.full 0.000000e+00 : !tile.tile<16x1xf32>
// CHECK: %[[R:.*]] = tile.pipeline %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} stages(2) iter_args(%[[ACC:.*]] = %[[Z]]) -> (!tile.tile<16x1xf32>) {
// CHECK: %[[X:.*]] = tile.load
// CHECK: %[[S:.*]] = tile.row_sum %[[X]]
// CHECK: %[[N:.*]] = tile.add %[[ACC]], %[[S]]
// CHECK: tile.yield %[[N]] : !tile.tile<16x1xf32>
// CHECK: tile.store %[[R]]
func.func @iter_args_become_pipeline_iter_args(%a: memref<16x256xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("row_sum") (%b) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<16x1xf32>
      // expected-remark @below {{pipelined loop in scope 'row_sum': 2 stages, footprint 6272 bytes of 188416 (vector UB)}}
      %r = scf.for %j = %c0 to %c8 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x1xf32>) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xf32> -> !tile.tile<16x32xf32>
        %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
        %n = tile.add %acc, %s : !tile.tile<16x1xf32>
        scf.yield %n : !tile.tile<16x1xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// A cube K loop: per stage L1 holds the 16x128xbf16 lhs (4096 bytes) and
// the 128x64xbf16 rhs (16384 bytes): 2 x 20480 = 40960 bytes of 524288
// (7.8%), the fuller buffer, which the remark names. L0C holds the
// 16x64xf32 accumulator once (4096 bytes of 131072, 3.1%): the init tile
// shares the loop-carried storage and matmul_acc updates it in place.
// CHECK-LABEL: func.func @cube_loop
// CHECK: tile.pipeline {{.*}} stages(2) iter_args
// CHECK: tile.matmul_acc
func.func @cube_loop(%a: memref<16x512xbf16>, %w: memref<512x64xbf16>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  tile.spmd 1 name("mm") (%b) {
    tile.at cube {
      %z = tile.full 0.0 : !tile.tile<16x64xf32>
      // expected-remark @below {{pipelined loop in scope 'mm': 2 stages, footprint 40960 bytes of 524288 (cube L1)}}
      %r = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x64xf32>) {
        %kk = arith.muli %k, %c128 : index
        %x = tile.load %a[%c0, %kk] : memref<16x512xbf16> -> !tile.tile<16x128xbf16>
        %y = tile.load %w[%kk, %c0] : memref<512x64xbf16> -> !tile.tile<128x64xbf16>
        %n = tile.matmul_acc %acc, %x, %y : !tile.tile<16x128xbf16>, !tile.tile<128x64xbf16> -> !tile.tile<16x64xf32>
        scf.yield %n : !tile.tile<16x64xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// Nested loops: the inner loop is decided first (its 16x32xf32 load, 2048
// bytes, gets 2 slots: 4096 bytes), then the outer one. Only tiles defined
// directly in a pipeline body get its slots, and the outer body defines
// none, so pipelining it too keeps the footprint at 4096 bytes.
// CHECK-LABEL: func.func @nested_loops_inner_first
// CHECK: tile.pipeline {{.*}} stages(2) {
// CHECK: tile.pipeline {{.*}} stages(2) {
// CHECK: tile.load
func.func @nested_loops_inner_first(%a: memref<64x128xf32>, %o: memref<64x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("nest") (%b) {
    tile.at vector {
      // expected-remark @below {{pipelined loop in scope 'nest': 2 stages, footprint 4096 bytes of 188416 (vector UB)}}
      scf.for %i = %c0 to %c4 step %c1 {
        %r = arith.muli %i, %c16 : index
        // expected-remark @below {{pipelined loop in scope 'nest': 2 stages, footprint 4096 bytes of 188416 (vector UB)}}
        scf.for %j = %c0 to %c4 step %c1 {
          %c = arith.muli %j, %c32 : index
          %x = tile.load %a[%r, %c] : memref<64x128xf32> -> !tile.tile<16x32xf32>
          tile.store %x, %o[%r, %c] : !tile.tile<16x32xf32>, memref<64x128xf32>
        }
      }
    }
  }
  return
}

// -----

// A loop that loads nothing from GM is left alone (no remark): here it only
// stores one tile made before it.
// CHECK-LABEL: func.func @loop_without_load_untouched
// CHECK: scf.for
// CHECK-NOT: tile.pipeline
func.func @loop_without_load_untouched(%o: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 name("fill") (%b) {
    tile.at vector {
      %z = tile.full 1.0 : !tile.tile<16x32xf32>
      scf.for %i = %c0 to %c4 step %c1 {
        %r = arith.muli %i, %c16 : index
        tile.store %z, %o[%r, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
      }
    }
  }
  return
}

// -----

// A core_group scope whose matmul result feeds a vector op cannot be placed
// before tile-split-mixed-scopes: the loop stays sequential, and the remark
// passes the placement's reason on.
// CHECK-LABEL: func.func @unplaceable_scope_not_pipelined
// CHECK: scf.for
// CHECK-NOT: tile.pipeline
func.func @unplaceable_scope_not_pipelined(%a: memref<64x32xf16>, %w: memref<32x16xf16>,
                                           %o: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 name("mixed") (%b) {
    tile.at core_group {
      // expected-remark @below {{loop in scope 'mixed' not pipelined: the scope cannot be placed (tile is used by both cube and vector ops in a core_group scope: run tile-split-mixed-scopes first)}}
      scf.for %i = %c0 to %c4 step %c1 {
        %r = arith.muli %i, %c16 : index
        %x = tile.load %a[%r, %c0] : memref<64x32xf16> -> !tile.tile<16x32xf16>
        %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        tile.store %e, %o[%r, %c0] : !tile.tile<16x16xf32>, memref<64x16xf32>
      }
    }
  }
  return
}

// -----

// A reduction too big to double that carries a tile: per stage the body
// holds the 1x23560xf32 load (94240 bytes) and its 1x1xf32 row sum (32
// bytes after alignment, one slot: only the vector pipe touches it); the
// accumulator (32 bytes) is carried. 2 x 94240 + 32 + 32 = 188544, plus
// the row sum's scratch tile of the load's size (94240): 282784 > 188416,
// so the loop stays sequential,
// as a one-stage tile.pipeline (placement gives loop-carried tiles storage
// only as tile.pipeline iter_args).
// CHECK-LABEL: func.func @carrying_loop_that_does_not_fit_gets_one_stage
// CHECK: tile.pipeline {{.*}} stages(1) iter_args
// CHECK-NOT: scf.for
func.func @carrying_loop_that_does_not_fit_gets_one_stage(%a: memref<4x23560xf32>, %o: memref<1x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 name("big_sum") (%b) {
    tile.at vector {
      %zero = tile.full 0.0 : !tile.tile<1x1xf32>
      // expected-remark @below {{loop in scope 'big_sum' not pipelined: 2 stages need 282784 > 188416 bytes of vector UB}}
      %s = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> (!tile.tile<1x1xf32>) {
        %x = tile.load %a[%i, %c0] : memref<4x23560xf32> -> !tile.tile<1x23560xf32>
        %r = tile.row_sum %x : !tile.tile<1x23560xf32> -> !tile.tile<1x1xf32>
        %n = tile.add %acc, %r : !tile.tile<1x1xf32>
        scf.yield %n : !tile.tile<1x1xf32>
      }
      tile.store %s, %o[%c0, %c0] : !tile.tile<1x1xf32>, memref<1x1xf32>
    }
  }
  return
}

// -----

// A loop-carried GM dependence: iteration i stores row i + 1, which
// iteration i + 1 loads. Two stages would issue that load before the store
// (a race between iterations, docs/races.md), so the loop stays sequential.
// CHECK-LABEL: func.func @loop_carried_gm_dependence
// CHECK: scf.for
// CHECK-NOT: tile.pipeline
func.func @loop_carried_gm_dependence(%a: memref<8x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  tile.spmd 1 name("scan") (%b) {
    tile.at vector {
      // expected-remark @below {{loop in scope 'scan' not pipelined: a later iteration loads element [1, 0] an earlier one stores (argument 0)}}
      scf.for %i = %c0 to %c7 step %c1 {
        %x = tile.load %a[%i, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
        %n = arith.addi %i, %c1 : index
        tile.store %x, %a[%n, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
      }
    }
  }
  return
}
