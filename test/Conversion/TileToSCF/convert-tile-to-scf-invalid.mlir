// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf -verify-diagnostics

// Placed mode: every tile-producing op needs a place.
func.func @placed_mode_needs_every_place(%a: memref<4x32xf32>, %o: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      // expected-error @below {{tile has no placement: in placed mode (the function carries tile.placed) every tile-producing op needs a 'place' attribute}}
      %y = tile.exp %x : !tile.tile<4x32xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<4x32xf32>, memref<4x32xf32>
    }
  }
  return
}

// -----

// a2a3 UB: 188416 usable bytes; 188160 + 512 = 188672 does not fit.
func.func @placement_past_the_usable_buffer(%a: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      // expected-error @below {{placement exceeds the usable ub of a2a3: offset 188160 + 1 x 512 = 188672 > 188416 bytes}}
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 188160>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
    }
  }
  return
}

// -----

// a5 UB: 245760 usable bytes, so the same offset fits there; 2 slots of
// 512 B at 245248 need 246272.
module attributes {tile.target = #tile.target<a5>} {
  func.func @slots_count_against_the_target(%a: memref<4x64xf32>) attributes {tile.placed} {
    tile.spmd 1 (%b) {
      tile.at vector {
        %c0 = arith.constant 0 : index
        %c1 = arith.constant 1 : index
        %c2 = arith.constant 2 : index
        tile.pipeline %j = %c0 to %c2 step %c1 stages(2) {
          %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 188160>} : memref<4x64xf32> -> !tile.tile<4x32xf32>
          // expected-error @below {{placement exceeds the usable ub of a5: offset 245248 + 2 x 512 = 246272 > 245760 bytes}}
          %y = tile.load %a[%c0, %c0] {place = #tile.place<ub, 245248, slots = 2>} : memref<4x64xf32> -> !tile.tile<4x32xf32>
        }
      }
    }
    return
  }
}

// -----

// UB offsets are multiples of 32 bytes.
func.func @misaligned_offset(%a: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      // expected-error @below {{placement offset 48 bytes is not a multiple of the 32-byte alignment of ub}}
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 48>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
    }
  }
  return
}

// -----

func.func @slots_outside_a_pipeline(%a: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      // expected-error @below {{tile has 2 slots but no enclosing tile.pipeline picks the slot}}
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0, slots = 2>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
    }
  }
  return
}

// -----

func.func @pipeline_without_places(%a: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      // expected-error @below {{tile iter_arg #0 has no placement: in placed mode a tile.pipeline carrying tiles needs 'places' with a #tile.place per tile iter_arg}}
      %s = tile.pipeline %j = %c0 to %c1 step %c1 stages(1) iter_args(%acc = %x) -> (!tile.tile<4x32xf32>) {
        tile.yield %acc : !tile.tile<4x32xf32>
      }
    }
  }
  return
}

// -----

func.func @loop_carried_storage_has_one_slot(%a: memref<4x32xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      // expected-error @below {{loop-carried storage must have 1 slot, got 2}}
      %s = tile.pipeline %j = %c0 to %c1 step %c1 stages(2) iter_args(%acc = %x) -> (!tile.tile<4x32xf32>)
          attributes {places = [#tile.place<ub, 512, slots = 2>]} {
        tile.yield %acc : !tile.tile<4x32xf32>
      }
    }
  }
  return
}

// -----

func.func @tiles_carried_by_scf_for(%a: memref<4x32xf32>) {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %x = tile.load %a[%c0, %c0] : memref<4x32xf32> -> !tile.tile<4x32xf32>
      // expected-error @below {{'scf.for' op carries tiles across its regions, which the CPU simulation does not support; carry them with tile.pipeline iter_args or scf.if results}}
      %s = scf.for %j = %c0 to %c1 step %c1 iter_args(%acc = %x) -> (!tile.tile<4x32xf32>) {
        scf.yield %acc : !tile.tile<4x32xf32>
      }
    }
  }
  return
}

// -----

// In placed mode an scf.if yielding a tile needs its result's storage.
func.func @placed_if_without_places(%a: memref<4x32xf32>, %p: i1) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      // expected-error @below {{'scf.if' op tile result #0 has no placement: in placed mode an scf.if yielding tiles needs 'places' with a #tile.place per tile result}}
      %r = scf.if %p -> (!tile.tile<4x32xf32>) {
        scf.yield %x : !tile.tile<4x32xf32>
      } else {
        %e = tile.exp %x {place = #tile.place<ub, 512>} : !tile.tile<4x32xf32>
        scf.yield %e : !tile.tile<4x32xf32>
      }
      tile.store %r, %a[%c0, %c0] : !tile.tile<4x32xf32>, memref<4x32xf32>
    }
  }
  return
}

// -----

// The result storage of an scf.if obeys the same bounds as any placement:
// 188416 + 512 > 188416 usable UB bytes on a2a3.
func.func @placed_if_result_beyond_the_arena(%a: memref<4x32xf32>, %p: i1) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} : memref<4x32xf32> -> !tile.tile<4x32xf32>
      // expected-error @below {{'scf.if' op placement exceeds the usable ub of a2a3: offset 188416 + 1 x 512 = 188928 > 188416 bytes}}
      %r = scf.if %p -> (!tile.tile<4x32xf32>) {
        scf.yield %x : !tile.tile<4x32xf32>
      } else {
        %e = tile.exp %x {place = #tile.place<ub, 512>} : !tile.tile<4x32xf32>
        scf.yield %e : !tile.tile<4x32xf32>
      } {places = [#tile.place<ub, 188416>]}
      tile.store %r, %a[%c0, %c0] : !tile.tile<4x32xf32>, memref<4x32xf32>
    }
  }
  return
}
