// RUN: tessel-opt %s -split-input-file -tile-place-buffers -verify-diagnostics
// RUN: not tessel-opt %s -split-input-file -tile-place-buffers -mlir-print-op-on-diagnostic=false 2>&1 | FileCheck %s --check-prefix=NOTE

// Capacities from TargetInfo (a2a3 unless the module says otherwise): UB
// 188416 usable bytes, L1 524288, L0A / L0B 65536, L0C 131072; 32-byte
// granules in UB and L1, 512 in L0A / L0B / L0C.

// One byte more data than fits: 1x94208xi8 = 94208 B and 1x94209xi8 =
// 94209 B, padded to 94240 (one more 32-byte granule), both live at once:
// 94208 + 94240 = 188448 > 188416. Neither alone is too big.
// NOTE-LABEL: error: vector UB exceeded: 188448 > 188416 bytes
// NOTE: note: vector UB memory map, 188416 bytes usable (byte range, name, size, live range in program points):
// NOTE-NEXT: [0, 94240) tile.load#0: 94240 bytes (94209 padded to 32-byte granules), live [1, 4) (lines [[#@LINE+11]]-[[#@LINE+13]])
// NOTE-NEXT: [94240, 188448) tile.load#0: 94208 bytes, live [0, 3) (lines [[#@LINE+9]]-[[#@LINE+11]]), past the end
// NOTE-NEXT: peak 188448 bytes, lower bound 188448 bytes (live at point 1), quality 1.00
func.func @one_byte_over(%a: memref<2x94209xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 188448 > 188416 bytes}}
    // expected-note @below {{vector UB memory map, 188416 bytes usable}}
    tile.at vector {
      %s = tile.load %a[%c0, %c0] : memref<2x94209xi8> -> !tile.tile<1x94208xi8>
      %b = tile.load %a[%c1, %c0] : memref<2x94209xi8> -> !tile.tile<1x94209xi8>
      tile.store %s, %a[%c0, %c0] : !tile.tile<1x94208xi8>, memref<2x94209xi8>
      tile.store %b, %a[%c1, %c0] : !tile.tile<1x94209xi8>, memref<2x94209xi8>
    }
  }
  return
}

// -----

// A single tile larger than the buffer: 47x1024xf32 = 192512 > 188416. The
// error is on the tile, and on the scope.
func.func @single_oversize_tile(%a: memref<47x1024xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 192512 > 188416 bytes}}
    // expected-note @below {{peak 192512 bytes, lower bound 192512 bytes}}
    tile.at vector {
      // expected-error @below {{tile exceeds vector UB on its own: 192512 > 188416 bytes}}
      %x = tile.load %a[%c0, %c0] : memref<47x1024xf32> -> !tile.tile<47x1024xf32>
      tile.store %x, %a[%c0, %c0] : !tile.tile<47x1024xf32>, memref<47x1024xf32>
    }
  }
  return
}

// -----

// Stage doubling overflows the scope though one slot of everything fits:
// two 12x1024xf32 loads (49152 B) in a stages(2) pipeline take 2 slots each,
// 2 * 98304 = 196608 > 188416 (one slot each would be 98304). The sum is
// computed in place over %x (its two slots: the store reads it, V ->
// MTE3). The memory map says which pipeline multiplied each tile and where
// it crosses pipes (docs/placement.md "Slots").
// NOTE-LABEL: error: vector UB exceeded: 196608 > 188416 bytes
// NOTE: note: vector UB memory map
// NOTE-NEXT: [0, 98304) x (shared with tile.add#0): 2 x 49152 bytes for stages(2) of the tile.pipeline (line [[#@LINE+13]]), crosses pipes at tile.load, live [1, 7)
// NOTE-NEXT: [98304, 196608) y: 2 x 49152 bytes for stages(2) of the tile.pipeline (line [[#@LINE+12]]), crosses pipes at tile.load, live [1, 7), past the end
// NOTE-NEXT: peak 196608 bytes, lower bound 196608 bytes
func.func @stage_doubling_overflows(%a: memref<24x2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c12 = arith.constant 12 : index
  %c1024 = arith.constant 1024 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 196608 > 188416 bytes}}
    // expected-note @below {{2 x 49152 bytes for stages(2) of the tile.pipeline}}
    tile.at vector {
      tile.pipeline %j = %c0 to %c2 step %c1 stages(2) {
        %col = arith.muli %j, %c1024 : index
        %x = tile.load %a[%c0, %col] : memref<24x2048xf32> -> !tile.tile<12x1024xf32> loc("x")
        %y = tile.load %a[%c12, %col] : memref<24x2048xf32> -> !tile.tile<12x1024xf32> loc("y")
        %s = tile.add %x, %y : !tile.tile<12x1024xf32>
        tile.store %s, %a[%c0, %col] : !tile.tile<12x1024xf32>, memref<24x2048xf32>
      }
    }
  }
  return
}

// -----

// One tile whose two stage slots alone exceed UB: 24x1024xf32 = 98304 B,
// 2 slots = 196608 > 188416.
func.func @doubled_tile_alone_exceeds(%a: memref<24x2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1024 = arith.constant 1024 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 196608 > 188416 bytes}}
    // expected-note @below {{vector UB memory map}}
    tile.at vector {
      tile.pipeline %j = %c0 to %c2 step %c1 stages(2) {
        %col = arith.muli %j, %c1024 : index
        // expected-error @below {{tile exceeds vector UB on its own: 196608 > 188416 bytes (2 slots of 98304 bytes for stages(2))}}
        %x = tile.load %a[%c0, %col] : memref<24x2048xf32> -> !tile.tile<24x1024xf32>
        tile.store %x, %a[%c0, %col] : !tile.tile<24x1024xf32>, memref<24x2048xf32>
      }
    }
  }
  return
}

// -----

// The a5 tile of place-buffers.mlir on a2a3: 60x1024xf32 = 245760 B fits
// a5's 245760 usable bytes, not a2a3's 188416.
module attributes {tile.target = #tile.target<a2a3>} {
func.func @fits_a5_not_a2a3(%m: memref<60x1024xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 245760 > 188416 bytes}}
    // expected-note @below {{vector UB memory map}}
    tile.at vector {
      // expected-error @below {{tile exceeds vector UB on its own: 245760 > 188416 bytes}}
      %x = tile.load %m[%c0, %c0] : memref<60x1024xf32> -> !tile.tile<60x1024xf32>
      tile.store %x, %m[%c0, %c0] : !tile.tile<60x1024xf32>, memref<60x1024xf32>
    }
  }
  return
}
}

// -----

// The error names the largest tiles live where the most bytes are, so an
// author sees what to shrink: six 32x256xf32 loads (32768 B each) live at
// once at p5 (each dies at the add that sums it): 6 x 32768 = 196608 >
// 188416 with any placement. Four are named, the other two summed.
// NOTE-LABEL: error: vector UB exceeded: 196608 > 188416 bytes; 196608 bytes are live at once at point 5, so no placement fits: largest there 'a' 32768, 'b' 32768, 'c' 32768, 'd' 32768 and 2 more of 65536 bytes{{$}}
func.func @largest_live_named(%m: memref<192x256xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  %c160 = arith.constant 160 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 196608 > 188416 bytes; 196608 bytes are live at once at point 5, so no placement fits: largest there 'a' 32768, 'b' 32768, 'c' 32768, 'd' 32768 and 2 more of 65536 bytes}}
    // expected-note @below {{vector UB memory map}}
    tile.at vector {
      %a = tile.load %m[%c0, %c0] : memref<192x256xf32> -> !tile.tile<32x256xf32> loc("a")
      %b = tile.load %m[%c32, %c0] : memref<192x256xf32> -> !tile.tile<32x256xf32> loc("b")
      %c = tile.load %m[%c64, %c0] : memref<192x256xf32> -> !tile.tile<32x256xf32> loc("c")
      %d = tile.load %m[%c96, %c0] : memref<192x256xf32> -> !tile.tile<32x256xf32> loc("d")
      %e = tile.load %m[%c128, %c0] : memref<192x256xf32> -> !tile.tile<32x256xf32> loc("e")
      %f = tile.load %m[%c160, %c0] : memref<192x256xf32> -> !tile.tile<32x256xf32> loc("f")
      %s1 = tile.add %a, %b : !tile.tile<32x256xf32>
      %s2 = tile.add %s1, %c : !tile.tile<32x256xf32>
      %s3 = tile.add %s2, %d : !tile.tile<32x256xf32>
      %s4 = tile.add %s3, %e : !tile.tile<32x256xf32>
      %s5 = tile.add %s4, %f : !tile.tile<32x256xf32>
      tile.store %s5, %m[%c0, %c0] : !tile.tile<32x256xf32>, memref<192x256xf32>
    }
  }
  return
}

// -----

// Under pressure and still over: two 64x256xf32 loads (65536 B each) and a
// 64x256xi32 one live at once at p2 (196608 > 188416). With the regular
// rules the cast f takes 65536 more (262144 at p3); under pressure it is
// computed over q, which comes closer, so the error shows that placement
// and says so.
// NOTE-LABEL: error: vector UB exceeded: 196608 > 188416 bytes; 196608 bytes are live at once at point 2, so no placement fits: largest there 'x' 65536, 'y' 65536, 'q' 65536 (placed under pressure: one-width casts in place, results in place over the storage of finished pipelines, an init shared by iter_args carried by one){{$}}
// NOTE: [{{[0-9]+}}, {{[0-9]+}}) q (shared with f, s, t): 65536 bytes, live [2, 7)
// NOTE: placed under pressure
func.func @over_under_pressure(%h: memref<128x256xf32>, %p: memref<64x256xi32>, %o: memref<64x256xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 196608 > 188416 bytes; 196608 bytes are live at once at point 2}}
    // expected-note @below {{placed under pressure}}
    tile.at vector {
      %x = tile.load %h[%c0, %c0] : memref<128x256xf32> -> !tile.tile<64x256xf32> loc("x")
      %y = tile.load %h[%c64, %c0] : memref<128x256xf32> -> !tile.tile<64x256xf32> loc("y")
      %q = tile.load %p[%c0, %c0] : memref<64x256xi32> -> !tile.tile<64x256xi32> loc("q")
      %f = tile.cast %q none : !tile.tile<64x256xi32> -> !tile.tile<64x256xf32> loc("f")
      %s = tile.add %f, %x : !tile.tile<64x256xf32> loc("s")
      %t = tile.add %s, %y : !tile.tile<64x256xf32> loc("t")
      tile.store %t, %o[%c0, %c0] : !tile.tile<64x256xf32>, memref<64x256xf32>
    }
  }
  return
}

// -----

// L0C: a 128x264xf32 matmul result is stored in 16 x 16 fractals, 264
// columns padded to 272: 128 * 272 * 4 = 139264 B > 131072 on a2a3 (it
// fits a5's 262144, see place-buffers.mlir).
func.func @l0c_exceeded(%a: memref<128x16xbf16>, %w: memref<16x264xbf16>, %o: memref<128x264xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{cube L0C exceeded: 139264 > 131072 bytes}}
    // expected-note @below {{cube L0C memory map, 131072 bytes usable}}
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<128x16xbf16> -> !tile.tile<128x16xbf16>
      %y = tile.load %w[%c0, %c0] : memref<16x264xbf16> -> !tile.tile<16x264xbf16>
      // expected-error @below {{tile exceeds cube L0C on its own: 139264 > 131072 bytes}}
      %d = tile.matmul %x, %y : !tile.tile<128x16xbf16>, !tile.tile<16x264xbf16> -> !tile.tile<128x264xf32>
      tile.store %d, %o[%c0, %c0] : !tile.tile<128x264xf32>, memref<128x264xf32>
    }
  }
  return
}

// -----

// L1: a 256x1024xbf16 load is exactly 524288 B, the whole of L1; one more
// 1x16xbf16 live with it takes a whole 16-row fractal in L1 (16 rows x
// 32 B = 512 B): 524800 > 524288.
func.func @l1_exceeded(%a: memref<256x1024xbf16>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{cube L1 exceeded: 524800 > 524288 bytes}}
    // expected-note @below {{cube L1 memory map, 524288 bytes usable}}
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<256x1024xbf16> -> !tile.tile<256x1024xbf16>
      %y = tile.load %a[%c0, %c0] : memref<256x1024xbf16> -> !tile.tile<1x16xbf16>
      tile.store %x, %a[%c0, %c0] : !tile.tile<256x1024xbf16>, memref<256x1024xbf16>
      tile.store %y, %a[%c0, %c0] : !tile.tile<1x16xbf16>, memref<256x1024xbf16>
    }
  }
  return
}

// -----

// L0A: the lhs 64x528xbf16 = 67584 B (132 fractals of 512 B) > 65536. It
// fits L1; the cube cannot move it into L0A.
func.func @matmul_lhs_exceeds_l0a(%a: memref<64x528xbf16>, %w: memref<528x16xbf16>, %o: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<64x528xbf16> -> !tile.tile<64x528xbf16>
      %y = tile.load %w[%c0, %c0] : memref<528x16xbf16> -> !tile.tile<528x16xbf16>
      // expected-error @below {{matmul lhs exceeds cube L0A: 67584 > 65536 bytes}}
      %d = tile.matmul %x, %y : !tile.tile<64x528xbf16>, !tile.tile<528x16xbf16> -> !tile.tile<64x16xf32>
      tile.store %d, %o[%c0, %c0] : !tile.tile<64x16xf32>, memref<64x16xf32>
    }
  }
  return
}

// -----

// L0B holds a b_trans rhs as the [K, N] matrix it multiplies: stored
// [N, K] = [24, 528] f32 lands as [528, 24], K padded to 8 floats (528) and
// N to a 16-column fractal (32): 528 x 32 x 4 = 67584 > 65536. Read in its
// stored shape it would be 24 x 528 x 4 = 50688 and fit. The lhs
// 16 x 528 x 4 = 33792 fits L0A.
func.func @matmul_b_trans_rhs_exceeds_l0b(%a: memref<16x528xf32>, %w: memref<24x528xf32>, %o: memref<16x24xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x528xf32> -> !tile.tile<16x528xf32>
      %y = tile.load %w[%c0, %c0] : memref<24x528xf32> -> !tile.tile<24x528xf32>
      // expected-error @below {{matmul rhs exceeds cube L0B: 67584 > 65536 bytes}}
      %d = tile.matmul %x, %y b_trans : !tile.tile<16x528xf32>, !tile.tile<24x528xf32> -> !tile.tile<16x24xf32>
      tile.store %d, %o[%c0, %c0] : !tile.tile<16x24xf32>, memref<16x24xf32>
    }
  }
  return
}

// -----

// L0B: the rhs 32x1040xbf16 = 66560 B > 65536; the result 16x1040xf32 =
// 66560 B fits L0C.
func.func @matmul_rhs_exceeds_l0b(%a: memref<16x32xbf16>, %w: memref<32x1040xbf16>, %o: memref<16x1040xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
      %y = tile.load %w[%c0, %c0] : memref<32x1040xbf16> -> !tile.tile<32x1040xbf16>
      // expected-error @below {{matmul rhs exceeds cube L0B: 66560 > 65536 bytes}}
      %d = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x1040xbf16> -> !tile.tile<16x1040xf32>
      tile.store %d, %o[%c0, %c0] : !tile.tile<16x1040xf32>, memref<16x1040xf32>
    }
  }
  return
}

// -----

// In a core_group scope a tile that a cube op makes and a vector op uses
// would have to cross from L0C to UB, which a2a3 (the default) cannot: the
// scope must be split first (a5 reads it in place, place-buffers-target).
func.func @core_group_tile_crosses(%a: memref<16x64xbf16>, %w: memref<64x128xbf16>, %o: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    // expected-note @below {{core_group scope is here}}
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %w[%c0, %c0] : memref<64x128xbf16> -> !tile.tile<64x128xbf16>
      // expected-error @below {{tile is used by both cube and vector ops in a core_group scope: run tile-split-mixed-scopes first}}
      %d = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
      %e = tile.exp %d : !tile.tile<16x128xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
    }
  }
  return
}

// -----

// Tiles are carried through loops by tile.pipeline iter_args only.
func.func @scf_for_carries_tile(%a: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<16x32xf32>
      // expected-error @below {{'scf.for' op carries a tile, which tile-place-buffers cannot place: carry tiles through tile.pipeline iter_args or scf.if results}}
      %r = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x32xf32>) {
        %n = tile.exp %acc : !tile.tile<16x32xf32>
        scf.yield %n : !tile.tile<16x32xf32>
      }
      tile.store %r, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Other region ops do not carry tiles either (scf.if results do).
func.func @scf_index_switch_carries_tile(%a: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%i) {
    tile.at vector {
      // expected-error @below {{'scf.index_switch' op carries a tile, which tile-place-buffers cannot place: carry tiles through tile.pipeline iter_args or scf.if results}}
      %r = scf.index_switch %i -> !tile.tile<16x32xf32>
      case 0 {
        %z = tile.full 0.0 : !tile.tile<16x32xf32>
        scf.yield %z : !tile.tile<16x32xf32>
      }
      default {
        %o = tile.full 1.0 : !tile.tile<16x32xf32>
        scf.yield %o : !tile.tile<16x32xf32>
      }
      tile.store %r, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// The storage of an scf.if result is live from the scf.if on; a value
// defined before it and yielded by a branch is live until that yield and is
// copied there, so the two cannot share bytes: %x (24x1024xf32, 98304 B)
// and the result storage (98304 B, which the else branch's exp shares) are
// live together at the scf.if: 196608 > 188416.
func.func @if_result_cannot_share_an_outer_yielded_value(%a: memref<24x1024xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%i) {
    %first = arith.cmpi eq, %i, %c0 : index
    // expected-error @below {{vector UB exceeded: 196608 > 188416 bytes}}
    // expected-note @below {{vector UB memory map}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<24x1024xf32> -> !tile.tile<24x1024xf32>
      %r = scf.if %first -> (!tile.tile<24x1024xf32>) {
        scf.yield %x : !tile.tile<24x1024xf32>
      } else {
        %e = tile.exp %x : !tile.tile<24x1024xf32>
        scf.yield %e : !tile.tile<24x1024xf32>
      }
      tile.store %r, %a[%c0, %c0] : !tile.tile<24x1024xf32>, memref<24x1024xf32>
    }
  }
  return
}

// -----

// Slots only where a tile crosses pipes (docs/placement.md "Slots"): the
// 24x1024xf32 fill (98304 B) of a stages(2) body fits with one slot when
// only vector ops read it (@vector_only_fill_fits in
// place-buffers-slots.mlir); stored, it is handed from V to MTE3 and needs
// two: 2 x 98304 = 196608 > 188416. The error says where it crosses.
func.func @stored_fill_takes_two_slots(%a: memref<24x2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c1024 = arith.constant 1024 : index
  tile.spmd 1 (%i) {
    // expected-error @below {{vector UB exceeded: 196608 > 188416 bytes}}
    // expected-note @below {{vector UB memory map}}
    tile.at vector {
      tile.pipeline %j = %c0 to %c2 step %c1 stages(2) {
        %col = arith.muli %j, %c1024 : index
        // expected-error @below {{tile exceeds vector UB on its own: 196608 > 188416 bytes (2 slots of 98304 bytes for stages(2)); it crosses pipes at tile.store (line}}
        %f = tile.full 1.0 : !tile.tile<24x1024xf32>
        tile.store %f, %a[%c0, %col] : !tile.tile<24x1024xf32>, memref<24x2048xf32>
      }
    }
  }
  return
}
