// RUN: tessel-opt %s -split-input-file -tile-npu-pipeline -tile-cpu-pipeline -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
// RUN: tessel-opt %s -split-input-file -tile-npu-pipeline=target=a5 -tile-cpu-pipeline -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:

// The shapes of input the scheduling passes must take in their stride
// (issue 17): each goes through both pipelines on both targets without an
// error. The remark lines checked are the decisions on the odd cases.

// An empty core_group scope and an empty vector scope.
// CHECK: remark: scope 'empty_group': no cube ops, runs on vector cores
func.func @empty_scopes() {
  tile.spmd 4 name("empty_group") (%b) {
    tile.at core_group {
    }
  }
  tile.spmd 1 name("empty_vector") (%b) {
    tile.at vector {
    }
  }
  return
}

// -----

// A scope with no GM access at all: its tiles are dead.
// CHECK: remark: scope 'no_gm': no cube ops, runs on vector cores
func.func @no_gm_access() {
  tile.spmd 8 name("no_gm") (%b) {
    tile.at core_group {
      %x = tile.full 1.0 : !tile.tile<16x16xf32>
      %y = tile.exp %x : !tile.tile<16x16xf32>
    }
  }
  return
}

// -----

// Zero-trip loops, an scf.for and a pipeline, over GM accesses.
// CHECK: remark: scope 'zero_trip': no cube ops, runs on vector cores
func.func @zero_trip_loops(%a: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 name("zero_trip") (%b) {
    tile.at core_group {
      scf.for %k = %c4 to %c0 step %c1 {
        %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
        tile.store %x, %a[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
      }
      %z = tile.full 0.0 : !tile.tile<16x64xf32>
      %r = tile.pipeline %k = %c0 to %c0 step %c1 stages(2) iter_args(%acc = %z) -> (!tile.tile<16x64xf32>) {
        %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
        %s = tile.add %acc, %x : !tile.tile<16x64xf32>
        tile.yield %s : !tile.tile<16x64xf32>
      }
      tile.store %r, %a[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// A one-block grid mixing cube and vector ops whose vector result is dead,
// and a mixed scope whose matmul result is stored twice (by its one block:
// two blocks storing the same elements would be a race).
// CHECK: remark: scope 'one_block'
// CHECK: remark: scope 'twice'
func.func @mixed_one_block(%a: memref<16x64xf16>, %w: memref<64x32xf16>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("one_block") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      %y = tile.load %w[%c0, %c0] : memref<64x32xf16> -> !tile.tile<64x32xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      %e = tile.exp %m : !tile.tile<16x32xf32>
    }
  }
  tile.spmd 1 name("twice") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      %y = tile.load %w[%c0, %c0] : memref<64x32xf16> -> !tile.tile<64x32xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x64xf16>, !tile.tile<64x32xf16> -> !tile.tile<16x32xf32>
      %e = tile.exp %m : !tile.tile<16x32xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
