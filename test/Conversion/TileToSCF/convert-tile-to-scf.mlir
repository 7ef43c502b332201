// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf | FileCheck %s
// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf=threads=2 | FileCheck %s --check-prefix=THREADS

// Unplaced: each 8x32xf32 tile (1024 B) gets its own storage in one
// 2 x 1024 = 2048-byte scratch arena, allocated once outside the block loop;
// the exp runs over 256 elements in 16-lane vectors (16 iterations).
// CHECK-LABEL: func.func @unplaced_tiles_get_their_own_storage
// CHECK:         %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
// CHECK:         scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           memref.view %[[ARENA]][%{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK:           vector.load %{{.*}} : memref<16x32xf32>, vector<16xf32>
// CHECK:           %[[C1024:.*]] = arith.constant 1024 : index
// CHECK:           %[[Y:.*]] = memref.view %[[ARENA]][%[[C1024]]][] : memref<2048xi8> to memref<256xf32>
// CHECK:           scf.for
// CHECK:             math.exp %{{.*}} : vector<16xf32>
// CHECK:             vector.store %{{.*}}, %[[Y]]
// CHECK:         memref.dealloc %[[ARENA]] : memref<2048xi8>
// CHECK-NOT:     tile.
// THREADS-LABEL: func.func @unplaced_tiles_get_their_own_storage
// THREADS:         scf.parallel (%[[W:.*]]) =
// THREADS:           memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
// THREADS:           scf.for %{{.*}} = %[[W]] to %{{.*}} step
// THREADS:           memref.dealloc
func.func @unplaced_tiles_get_their_own_storage(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  tile.spmd 2 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c8 = arith.constant 8 : index
      %r = arith.muli %b, %c8 : index
      %x = tile.load %a[%r, %c0] : memref<16x32xf32> -> !tile.tile<8x32xf32>
      %y = tile.exp %x : !tile.tile<8x32xf32>
      tile.store %y, %o[%r, %c0] : !tile.tile<8x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Placed: UB extent = max(offset + slots * slot bytes) = 1120 + 32 = 1152.
// The 4x32xf32 load (512 B) has 2 slots at 64: in iteration k = (j - 0) / 1
// it lives at 64 + (k mod 2) * 512. The iter_arg's storage (ub 32) gets a
// copy of the init before the loop and of the yielded value (ub 1120) at
// the end of every iteration.
// CHECK-LABEL: func.func @placed_slots_follow_the_pipeline_iteration
// CHECK-NOT:     tile.placed
// CHECK:         %[[UB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1152xi8>
// CHECK:         %[[ZERO:.*]] = memref.view %[[UB]]
// CHECK:         %[[C32:.*]] = arith.constant 32 : index
// CHECK:         %[[ACC:.*]] = memref.view %[[UB]][%[[C32]]][] : memref<1152xi8> to memref<4xf32>
// CHECK:         memref.copy %[[ZERO]], %[[ACC]]
// CHECK:         scf.for %[[J:.*]] = %[[LB:.*]] to %{{.*}} step %[[STEP:[^ ]*]] {
// CHECK:           %[[D:.*]] = arith.subi %[[J]], %[[LB]] : index
// CHECK:           %[[K:.*]] = arith.divui %[[D]], %[[STEP]] : index
// CHECK:           %[[C64:.*]] = arith.constant 64 : index
// CHECK:           %[[C2:.*]] = arith.constant 2 : index
// CHECK:           %[[SLOT:.*]] = arith.remui %[[K]], %[[C2]] : index
// CHECK:           %[[C512:.*]] = arith.constant 512 : index
// CHECK:           %[[SKIP:.*]] = arith.muli %[[SLOT]], %[[C512]] : index
// CHECK:           %[[OFF:.*]] = arith.addi %[[C64]], %[[SKIP]] : index
// CHECK:           memref.view %[[UB]][%[[OFF]]][] : memref<1152xi8> to memref<128xf32>
// CHECK:           %[[C1120:.*]] = arith.constant 1120 : index
// CHECK:           %[[N:.*]] = memref.view %[[UB]][%[[C1120]]][] : memref<1152xi8> to memref<4xf32>
// CHECK:           memref.copy %[[N]], %[[ACC]]
// CHECK-NEXT:    }
func.func @placed_slots_follow_the_pipeline_iteration(%a: memref<4x128xf32>, %o: memref<4x1xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c4 = arith.constant 4 : index
      %c32 = arith.constant 32 : index
      %zero = tile.full 0.0 {place = #tile.place<ub, 0>} : !tile.tile<4x1xf32>
      %s = tile.pipeline %j = %c0 to %c4 step %c1 stages(2)
          iter_args(%acc = %zero) -> (!tile.tile<4x1xf32>)
          attributes {places = [#tile.place<ub, 32>]} {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] {place = #tile.place<ub, 64, slots = 2>} : memref<4x128xf32> -> !tile.tile<4x32xf32>
        %rs = tile.row_sum %x {place = #tile.place<ub, 1088>} : !tile.tile<4x32xf32> -> !tile.tile<4x1xf32>
        %n = tile.add %acc, %rs {place = #tile.place<ub, 1120>} : !tile.tile<4x1xf32>
        tile.yield %n : !tile.tile<4x1xf32>
      }
      tile.store %s, %o[%c0, %c0] : !tile.tile<4x1xf32>, memref<4x1xf32>
    }
  }
  return
}

// -----

// In place (docs/placement.md): the accumulator update is placed on the
// iter_arg's own storage (ub 0, 4 x 16 x 4 = 256 B), so the yield copies
// nothing; the add reads each chunk of %acc before writing it.
// CHECK-LABEL: func.func @in_place_accumulator_is_not_copied
// CHECK-NOT:     memref.copy
// CHECK:         scf.for
// CHECK:           %[[N:.*]] = memref.view %{{.*}}[%c0{{[_0-9]*}}][] : memref<512xi8> to memref<64xf32>
// CHECK:             %[[S:.*]] = arith.addf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK-NEXT:        vector.store %[[S]], %[[N]]
// CHECK-NOT:     memref.copy
// CHECK:         return
func.func @in_place_accumulator_is_not_copied(%a: memref<4x64xf32>, %o: memref<4x16xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c4 = arith.constant 4 : index
      %c16 = arith.constant 16 : index
      %zero = tile.full 0.0 {place = #tile.place<ub, 0>} : !tile.tile<4x16xf32>
      %s = tile.pipeline %j = %c0 to %c4 step %c1 stages(1)
          iter_args(%acc = %zero) -> (!tile.tile<4x16xf32>)
          attributes {places = [#tile.place<ub, 0>]} {
        %col = arith.muli %j, %c16 : index
        %x = tile.load %a[%c0, %col] {place = #tile.place<ub, 256>} : memref<4x64xf32> -> !tile.tile<4x16xf32>
        %n = tile.add %acc, %x {place = #tile.place<ub, 0>} : !tile.tile<4x16xf32>
        tile.yield %n : !tile.tile<4x16xf32>
      }
      tile.store %s, %o[%c0, %c0] : !tile.tile<4x16xf32>, memref<4x16xf32>
    }
  }
  return
}

// -----

// A reshape placed at its operand's place (ub 0) is a view: no copy, the
// store reads the load's view. One placed elsewhere (ub 512) is a copy.
// CHECK-LABEL: func.func @reshape_alias_or_copy
// CHECK:         %[[X:.*]] = memref.view %{{.*}} to memref<128xf32>
// CHECK-NOT:     memref.copy
// CHECK:         vector.load %[[X]]
// CHECK:         %[[C512:.*]] = arith.constant 512 : index
// CHECK:         %[[R:.*]] = memref.view %{{.*}}[%[[C512]]][] : memref<1024xi8> to memref<128xf32>
// CHECK:         memref.copy %[[X]], %[[R]]
func.func @reshape_alias_or_copy(%a: memref<4x32xf32>, %o: memref<8x16xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      %v = tile.reshape %x {place = #tile.place<ub, 0>} : !tile.tile<4x32xf32> -> !tile.tile<8x16xf32>
      tile.store %v, %o[%c0, %c0] : !tile.tile<8x16xf32>, memref<8x16xf32>
      %r = tile.reshape %x {place = #tile.place<ub, 512>} : !tile.tile<4x32xf32> -> !tile.tile<8x16xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<8x16xf32>, memref<8x16xf32>
    }
  }
  return
}

// -----

// rint to int32: round half to even, then saturate (NaN -> 0).
// CHECK-LABEL: func.func @cast_rounds_then_saturates
// CHECK:         %[[R:.*]] = math.roundeven %{{.*}} : vector<16xf32>
// CHECK:         arith.cmpf uno, %[[R]], %[[R]] : vector<16xf32>
// CHECK:         arith.cmpf oge, %[[R]], %{{.*}} : vector<16xf32>
// CHECK:         arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
func.func @cast_rounds_then_saturates(%a: memref<1x16xf32>, %o: memref<1x16xi32>) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] : memref<1x16xf32> -> !tile.tile<1x16xf32>
      %i = tile.cast %x rint : !tile.tile<1x16xf32> -> !tile.tile<1x16xi32>
      tile.store %i, %o[%c0, %c0] : !tile.tile<1x16xi32>, memref<1x16xi32>
    }
  }
  return
}

// -----

// bf16 -> f32 is a 16-bit shift of the bits; f32 -> bf16 rounds with
// integer arithmetic (no dependence on the host's bf16 instructions).
// CHECK-LABEL: func.func @bf16_casts_use_integer_bits
// CHECK:         arith.bitcast %{{.*}} : vector<16xbf16> to vector<16xi16>
// CHECK:         arith.extui %{{.*}} : vector<16xi16> to vector<16xi32>
// CHECK:         arith.shli
// CHECK:         arith.bitcast %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK:         arith.trunci %{{.*}} : vector<16xi32> to vector<16xi16>
// CHECK:         arith.bitcast %{{.*}} : vector<16xi16> to vector<16xbf16>
func.func @bf16_casts_use_integer_bits(%a: memref<1x16xbf16>, %o: memref<1x16xbf16>) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] : memref<1x16xbf16> -> !tile.tile<1x16xbf16>
      %f = tile.cast %x none : !tile.tile<1x16xbf16> -> !tile.tile<1x16xf32>
      %y = tile.cast %f trunc : !tile.tile<1x16xf32> -> !tile.tile<1x16xbf16>
      tile.store %y, %o[%c0, %c0] : !tile.tile<1x16xbf16>, memref<1x16xbf16>
    }
  }
  return
}

// -----

// 16x64 @ 64x32 bf16: the lhs is widened once into the temp arena
// (16 * 64 * 4 = 4096 B); then for 2 blocks of 8 rows and 2 chunks of 16
// columns, 8 accumulators are carried through the k loop (64 steps) with
// one fma each.
// CHECK-LABEL: func.func @matmul_keeps_accumulators_in_registers
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<4096xi8>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c64{{[_0-9]*}} step %c1{{[_0-9]*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-8: math.fma %{{.*}} : vector<16xf32>
func.func @matmul_keeps_accumulators_in_registers(%a: memref<16x64xbf16>, %b: memref<64x32xbf16>, %o: memref<16x32xf32>) {
  tile.spmd 1 (%blk) {
    tile.at cube {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %b[%c0, %c0] : memref<64x32xbf16> -> !tile.tile<64x32xbf16>
      %c = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
      tile.store %c, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Placed scf.if with tile results (docs/placement.md): the results are
// views of their `places` storage (ub 128 and ub 256, 4x8xf32 = 128 B each;
// UB extent 256 + 128 = 384), taken before the scf.if, which keeps no tile
// results. The then branch computes %e at ub 128 (result #0: no copy) and
// yields %a (ub 0) as result #1: one copy into ub 256. The else branch's
// values are placed at their results: no copy.
// CHECK-LABEL: func.func @placed_if_copies_only_values_placed_elsewhere
// CHECK:         %[[UB:.*]] = memref.alloc() {alignment = 64 : i64} : memref<384xi8>
// CHECK:         %[[A:.*]] = memref.view %[[UB]][%c0{{[_0-9]*}}][] : memref<384xi8> to memref<32xf32>
// CHECK:         %[[C128:.*]] = arith.constant 128 : index
// CHECK:         %[[R:.*]] = memref.view %[[UB]][%[[C128]]][] : memref<384xi8> to memref<32xf32>
// CHECK:         %[[C256:.*]] = arith.constant 256 : index
// CHECK:         %[[T:.*]] = memref.view %[[UB]][%[[C256]]][] : memref<384xi8> to memref<32xf32>
// CHECK:         scf.if %{{.*}} {
// CHECK:           math.exp
// CHECK-NOT:       memref.copy
// CHECK:           memref.copy %[[A]], %[[T]] : memref<32xf32> to memref<32xf32>
// CHECK-NEXT:    } else {
// CHECK-NOT:       memref.copy
// CHECK:         }
// CHECK:         vector.load %[[R]]
// CHECK:         vector.load %[[T]]
func.func @placed_if_copies_only_values_placed_elsewhere(%m: memref<4x8xf32>, %o: memref<4x8xf32>, %p: i1) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %a = tile.load %m[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x8xf32> -> !tile.tile<4x8xf32>
      %r, %t = scf.if %p -> (!tile.tile<4x8xf32>, !tile.tile<4x8xf32>) {
        %e = tile.exp %a {place = #tile.place<ub, 128>} : !tile.tile<4x8xf32>
        scf.yield %e, %a : !tile.tile<4x8xf32>, !tile.tile<4x8xf32>
      } else {
        %f = tile.full 1.0 {place = #tile.place<ub, 256>} : !tile.tile<4x8xf32>
        %g = tile.add %a, %f {place = #tile.place<ub, 128>} : !tile.tile<4x8xf32>
        scf.yield %g, %f : !tile.tile<4x8xf32>, !tile.tile<4x8xf32>
      } {places = [#tile.place<ub, 128>, #tile.place<ub, 256>]}
      %h = tile.add %r, %t {place = #tile.place<ub, 128>} : !tile.tile<4x8xf32>
      tile.store %h, %o[%c0, %c0] : !tile.tile<4x8xf32>, memref<4x8xf32>
    }
  }
  return
}

// -----

// The same kernel unplaced: every tile has its own 128 B in a 7 x 128 =
// 896-byte scratch arena (%a 0, the results 128 and 256, %e 384, %f 512, %g
// 640, %h 768), so each branch copies both values it yields into the
// results' storage.
// CHECK-LABEL: func.func @unplaced_if_copies_every_yielded_tile
// CHECK:         %[[S:.*]] = memref.alloc() {alignment = 64 : i64} : memref<896xi8>
// CHECK:         %[[A:.*]] = memref.view %[[S]][%c0{{[_0-9]*}}][]
// CHECK:         %[[R:.*]] = memref.view %[[S]][%c128{{[_0-9]*}}][]
// CHECK:         %[[T:.*]] = memref.view %[[S]][%c256{{[_0-9]*}}][]
// CHECK:         scf.if %{{.*}} {
// CHECK:           %[[E:.*]] = memref.view %[[S]][%c384{{[_0-9]*}}][]
// CHECK:           memref.copy %[[E]], %[[R]]
// CHECK-NEXT:      memref.copy %[[A]], %[[T]]
// CHECK-NEXT:    } else {
// CHECK:           %[[F:.*]] = memref.view %[[S]][%c512{{[_0-9]*}}][]
// CHECK:           %[[G:.*]] = memref.view %[[S]][%c640{{[_0-9]*}}][]
// CHECK:           memref.copy %[[G]], %[[R]]
// CHECK-NEXT:      memref.copy %[[F]], %[[T]]
// CHECK-NEXT:    }
func.func @unplaced_if_copies_every_yielded_tile(%m: memref<4x8xf32>, %o: memref<4x8xf32>, %p: i1) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %a = tile.load %m[%c0, %c0] : memref<4x8xf32> -> !tile.tile<4x8xf32>
      %r, %t = scf.if %p -> (!tile.tile<4x8xf32>, !tile.tile<4x8xf32>) {
        %e = tile.exp %a : !tile.tile<4x8xf32>
        scf.yield %e, %a : !tile.tile<4x8xf32>, !tile.tile<4x8xf32>
      } else {
        %f = tile.full 1.0 : !tile.tile<4x8xf32>
        %g = tile.add %a, %f : !tile.tile<4x8xf32>
        scf.yield %g, %f : !tile.tile<4x8xf32>, !tile.tile<4x8xf32>
      }
      %h = tile.add %r, %t : !tile.tile<4x8xf32>
      tile.store %h, %o[%c0, %c0] : !tile.tile<4x8xf32>, memref<4x8xf32>
    }
  }
  return
}
