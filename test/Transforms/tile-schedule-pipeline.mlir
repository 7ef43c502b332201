// RUN: tessel-opt %s -tile-schedule-pipeline -verify-diagnostics | FileCheck %s

// The named pipeline on a2a3: the mixed scope is split (its K loop goes
// with the cube part, the 32x16xf32 product, 2048 bytes per block, is
// staged: 2 blocks, 4096 bytes), then each part's loop is pipelined.
// Cube part, per stage: lhs 32x32xf16 (2048 bytes) + rhs 32x16xf16 (1024
// bytes) in L1: 2 x 3072 = 6144 bytes of 524288 (1.2%); the 32x16xf32
// accumulator in L0C, once: 2048 bytes of 131072 (1.6%), the fuller buffer,
// which the remark names. Vector part: the staged
// product loaded once (2048 bytes) and, per stage, a 32x16xf32 bias tile
// (2048 bytes) and the sum (computed in place over the bias, which dies
// there): 2048 + 2 x 2048 = 6144 bytes of 188416.
// CHECK-LABEL: func.func @split_then_pipeline
// CHECK: %[[ST:.*]] = tile.alloc_gm name("mm_bias_stage0") : memref<2x32x16xf32>
// CHECK: tile.spmd 2 name("mm_bias_cube")
// CHECK: tile.at cube
// CHECK: tile.pipeline {{.*}} stages(2) iter_args
// CHECK: tile.matmul_acc
// CHECK: tile.store %{{.*}}, %[[ST]]
// CHECK: tile.spmd 2 name("mm_bias_vector")
// CHECK: tile.at vector
// CHECK: tile.load %[[ST]]
// CHECK: tile.pipeline {{.*}} stages(2) {
// CHECK: tile.add
// CHECK-NOT: scf.for
module attributes {tile.target = #tile.target<a2a3>} {
  func.func @split_then_pipeline(%a: memref<64x64xf16>, %w: memref<64x16xf16>,
                                 %bias: memref<4x64x16xf32>, %o: memref<4x64x16xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %c4 = arith.constant 4 : index
    %c32 = arith.constant 32 : index
    // The two halves run on different cores, so tile-fuse-scopes keeps them
    // apart; both have 2 blocks, fewer than the 24 cube and 48 vector cores
    // of a2a3, so tile-tile-scopes leaves them as they are.
    // expected-remark @below {{scope 'mm_bias': mixed cube and vector ops split into 'mm_bias_cube' and 'mm_bias_vector' meeting in GM: 1 staged tile, 2048 bytes per block, 4096 bytes in all}}
    // expected-remark @below {{scopes 'mm_bias_cube' and 'mm_bias_vector' not fused: different core kinds (cube and vector)}}
    // expected-remark @below {{scope 'mm_bias_cube' not grouped: 2 blocks on 24 cube cores, no grouping shortens the modelled 0.91 us}}
    // expected-remark @below {{scope 'mm_bias_vector' not grouped: 2 blocks on 48 vector cores, no grouping shortens the modelled 0.95 us}}
    tile.spmd 2 name("mm_bias") (%b) {
      tile.at core_group {
        %row = arith.muli %b, %c32 : index
        %z = tile.full 0.0 : !tile.tile<32x16xf32>
        // expected-remark @below {{pipelined loop in scope 'mm_bias_cube': 2 stages, footprint 2048 bytes of 131072 (cube L0C)}}
        %p = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<32x16xf32>) {
          %kk = arith.muli %k, %c32 : index
          %x = tile.load %a[%row, %kk] : memref<64x64xf16> -> !tile.tile<32x32xf16>
          %y = tile.load %w[%kk, %c0] : memref<64x16xf16> -> !tile.tile<32x16xf16>
          %n = tile.matmul_acc %acc, %x, %y : !tile.tile<32x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<32x16xf32>
          scf.yield %n : !tile.tile<32x16xf32>
        }
        // expected-remark @below {{pipelined loop in scope 'mm_bias_vector': 2 stages, footprint 6144 bytes of 188416 (vector UB)}}
        scf.for %h = %c0 to %c4 step %c1 {
          %t = tile.load %bias[%h, %row, %c0] : memref<4x64x16xf32> -> !tile.tile<32x16xf32>
          %s = tile.add %p, %t : !tile.tile<32x16xf32>
          tile.store %s, %o[%h, %row, %c0] : !tile.tile<32x16xf32>, memref<4x64x16xf32>
        }
      }
    }
    return
  }
}
