// RUN: tessel-opt %s -split-input-file -tile-place-buffers | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-print-placement -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=MAP

// Slots only for tiles that cross pipes (docs/placement.md "Slots"): in the
// body of a stages(2) pipeline a tile gets two slots when one pipe hands it
// to another (a load's result; a value a store, a tile.get or a yield
// reads), one slot when only the vector pipe writes and reads it. a2a3: UB
// 188416 usable bytes in 32-byte granules; 16x32xf32 = 2048 B, 16x32xf16 =
// 1024 B, a 16x1xf32 column (stored column major) 64 B. Program points
// number the ops of the scope in pre-order (an op with a region also gets a
// point after it); a slotted tile lives for the whole pipeline.

// Points: pipeline p0, %col p1, %x p2, %s p3, %d p4, %e p5, %c p6, %h p7,
// store p8, yield p9, end p10.
// %x (load, MTE2 -> V): 2 x 2048 = 4096, live [1, 10).
// %s (row_max, read by row_expand_sub): V only, one slot of 64, [3, 5);
//   its scratch (TROWMAX's tmp, 2048) lives at p3 only.
// %d (row_expand_sub, in place in its input) and %e (exp, in place): one
//   slot each, computed in place over %x's two slots (%x dies at %d, %d at
//   %e): no bytes of their own.
// %c (cast to f16, read by the cast back to f32): V only, one slot of 1024,
//   [6, 8), in the scratch's bytes.
// %h (the cast back, 16x32xf32, read by the store: V -> MTE3): 2 x 2048 =
//   4096, live [1, 10).
// Peak at p3 (%x, %h, the scratch, %s): 4096 + 4096 + 2048 + 64 = 10304 =
// lower bound. With two slots for every tile of the body (the rule
// before), %s took 2 x 64 and %c 2 x 1024, both live for the whole
// pipeline: 4096 + 4096 + 2048 + 128 + 2048 = 12416.
// CHECK-LABEL: func.func @vector_only_intermediates
// CHECK: tile.peak = {{.*}}ub = 10304 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, [[X:[0-9]+]], slots = 2>}
// CHECK: tile.row_max {{.*}} {place = #tile.place<ub, {{[0-9]+}}>, scratch = #tile.place<ub, {{[0-9]+}}>}
// CHECK: tile.row_expand_sub {{.*}} {place = #tile.place<ub, [[X]], slots = 2>}
// CHECK: tile.exp {{.*}} {place = #tile.place<ub, [[X]], slots = 2>}
// CHECK: tile.cast {{.*}} {place = #tile.place<ub, {{[0-9]+}}>}
// CHECK: tile.cast {{.*}} {place = #tile.place<ub, {{[0-9]+}}, slots = 2>}
// MAP-LABEL: placement in @vector_only_intermediates
// MAP: [0, 4096) x (shared with d, e): 2 x 2048 bytes for stages(2) of the tile.pipeline (line [[#@LINE+13]]), crosses pipes at tile.load, live [1, 10)
// MAP-NEXT: [4096, 8192) h: 2 x 2048 bytes for stages(2) of the tile.pipeline (line [[#@LINE+12]]), crosses pipes at tile.store (line [[#@LINE+20]]), live [1, 10)
// MAP-NEXT: [8192, 10240) s (scratch): 2048 bytes, live [3, 4)
// MAP-NEXT: [8192, 9216) c: 1024 bytes, live [6, 8)
// MAP-NEXT: [10240, 10304) s: 64 bytes, live [3, 5)
// MAP-NEXT: peak 10304 bytes, lower bound 10304 bytes (live at point 3), quality 1.00
func.func @vector_only_intermediates(%a: memref<16x256xf32>, %o: memref<16x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      tile.pipeline %j = %c0 to %c8 step %c1 stages(2) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xf32> -> !tile.tile<16x32xf32> loc("x")
        %s = tile.row_max %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("s")
        %d = tile.row_expand_sub %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32> loc("d")
        %e = tile.exp %d : !tile.tile<16x32xf32> loc("e")
        %c = tile.cast %e none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16> loc("c")
        %h = tile.cast %c none : !tile.tile<16x32xf16> -> !tile.tile<16x32xf32> loc("h")
        tile.store %h, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x256xf32>
      }
    }
  }
  return
}

// -----

// Crossings that are not a load or a direct store: %r (row_sum, V) is read
// through a reshape view %v that a store reads: the view shares %r's bytes,
// so %r crosses pipes at the store (2 x 64). %m (V, 1x16xf32 = 64 B) is
// read by a tile.get on the scalar pipe (S): 2 x 64. %n (V, scaled by the
// scalar tile.get read) is yielded by
// an scf.if in the body: a terminator counts as a crossing, 2 x 2048; the
// scf.if's result (its branch values share it) also takes 2 slots. %k (V,
// only read by the V add in the else branch) takes one, live [9, 13), in
// the bytes of %r's scratch (p3). Peak at p3: 4096 (%x) + 4096 (%n) + 4096
// (the scf.if) + 2048 (scratch) + 128 (%r) + 128 (%m) = 14592; with two
// slots for %k too (the rule before) 18688.
// CHECK-LABEL: func.func @other_crossings
// CHECK: tile.row_sum {{.*}}slots = 2>
// CHECK: tile.reshape {{.*}}slots = 2>}
// CHECK: tile.full {{.*}} {place = #tile.place<ub, {{[0-9]+}}, slots = 2>}
// CHECK: tile.muls {{.*}} {place = #tile.place<ub, {{[0-9]+}}, slots = 2>}
// CHECK: tile.abs {{.*}} {place = #tile.place<ub, {{[0-9]+}}>}
// MAP-LABEL: placement in @other_crossings
// MAP: [0, 4096) x: 2 x 2048 bytes for stages(2) of the tile.pipeline (line [[#@LINE+15]]), crosses pipes at tile.load, live [1, 17)
// MAP-NEXT: [4096, 8192) n: 2 x 2048 bytes for stages(2) of the tile.pipeline (line [[#@LINE+14]]), crosses pipes at scf.yield (line [[#@LINE+25]]), live [1, 17)
// MAP-NEXT: [8192, 12288) scf.if#0 (shared with z) (result #0 of the scf.if (line [[#@LINE+23]])): 2 x 2048 bytes for stages(2) of the tile.pipeline (line [[#@LINE+13]]), crosses pipes at scf.if (line [[#@LINE+23]]), live [1, 17)
// MAP-NEXT: [12288, 14336) r (scratch): 2048 bytes, live [3, 4)
// MAP-NEXT: [12288, 14336) k: 2048 bytes, live [9, 13)
// MAP-NEXT: [14336, 14464) r (shared with v): 2 x 64 bytes for stages(2) of the tile.pipeline (line [[#@LINE+10]]), crosses pipes at tile.store (line [[#@LINE+15]]), live [1, 17)
// MAP-NEXT: [14464, 14592) m: 2 x 64 bytes for stages(2) of the tile.pipeline (line [[#@LINE+9]]), crosses pipes at tile.get (line [[#@LINE+16]]), live [1, 17)
// MAP-NEXT: peak 14592 bytes, lower bound 14592 bytes (live at point 3), quality 1.00
func.func @other_crossings(%a: memref<16x256xf32>, %o: memref<16x256xf32>, %p: memref<1x16xf32>, %flag: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      tile.pipeline %j = %c0 to %c8 step %c1 stages(2) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xf32> -> !tile.tile<16x32xf32> loc("x")
        %r = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("r")
        %v = tile.reshape %r : !tile.tile<16x1xf32> -> !tile.tile<1x16xf32> loc("v")
        tile.store %v, %p[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
        %m = tile.full 1.0 : !tile.tile<1x16xf32> loc("m")
        %g = tile.get %m[%c0, %c0] : !tile.tile<1x16xf32>
        %n = tile.muls %x, %g : !tile.tile<16x32xf32> loc("n")
        %k = tile.abs %x : !tile.tile<16x32xf32> loc("k")
        %w = scf.if %flag -> (!tile.tile<16x32xf32>) {
          scf.yield %n : !tile.tile<16x32xf32>
        } else {
          %z = tile.add %k, %x : !tile.tile<16x32xf32> loc("z")
          scf.yield %z : !tile.tile<16x32xf32>
        }
        tile.store %w, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x256xf32>
      }
    }
  }
  return
}

// -----

// stages(1) and cube scopes are as before: in a one-stage pipeline every
// tile has one slot; in a cube scope every tile of a stages(2) body crosses
// pipes (MTE2 -> MTE1 for the L1 loads, M -> FIX for the matmul result the
// store reads): 2 x (16x64xbf16 = 2048) and 2 x (64x32xbf16 = 4096) in L1,
// 2 x (16x32xf32 = 2048) in L0C.
// CHECK-LABEL: func.func @cube_body_keeps_slots
// CHECK: tile.load {{.*}}l1, {{[0-9]+}}, slots = 2>
// CHECK: tile.load {{.*}}l1, {{[0-9]+}}, slots = 2>
// CHECK: tile.matmul {{.*}}l0c, 0, slots = 2>
func.func @cube_body_keeps_slots(%a: memref<16x256xbf16>, %b: memref<64x32xbf16>, %o: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      tile.pipeline %j = %c0 to %c4 step %c1 stages(2) {
        %k = arith.muli %j, %c64 : index
        %n = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %k] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %b[%c0, %c0] : memref<64x32xbf16> -> !tile.tile<64x32xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
        tile.store %m, %o[%c0, %n] : !tile.tile<16x32xf32>, memref<16x128xf32>
      }
    }
  }
  return
}


// -----

// The fill of place-buffers-invalid.mlir's @stored_fill_takes_two_slots,
// read by vector ops only: a 24x1024xf32 tile.full (98304 B) whose 8-row
// window is extracted (TEXTRACT, V) and stored. The fill has one slot
// (98304, live [2, 4)), the window two (2 x 32768 = 65536, live for the
// pipeline): peak 163840 <= 188416.
// CHECK-LABEL: func.func @vector_only_fill_fits
// CHECK: tile.peak = {{.*}}ub = 163840 : i64}
// CHECK: tile.full {{.*}} {place = #tile.place<ub, {{[0-9]+}}>}
// CHECK: tile.extract {{.*}} {place = #tile.place<ub, {{[0-9]+}}, slots = 2>}
func.func @vector_only_fill_fits(%a: memref<24x2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %c1024 = arith.constant 1024 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      tile.pipeline %j = %c0 to %c2 step %c1 stages(2) {
        %col = arith.muli %j, %c1024 : index
        %f = tile.full 1.0 : !tile.tile<24x1024xf32>
        %w = tile.extract %f[%c8, %c0] : !tile.tile<24x1024xf32> -> !tile.tile<8x1024xf32>
        tile.store %w, %a[%c8, %col] : !tile.tile<8x1024xf32>, memref<24x2048xf32>
      }
    }
  }
  return
}

// -----

// A chain computed in place that ends in a crossing (DSV4's q_up_proj
// dequantisation): %c (cast i32 -> f32, 8x128xf32 = 4096 B) is read by
// vector ops only and starts with one slot; %s (row_expand_mul, in place
// in its input) too; %m (col_expand_mul) is read by the store (V ->
// MTE3) and needs two. Computed in place over %s's storage, that storage
// takes the pipeline's two slots (2 x 4096, live for the pipeline) instead
// of a second storage: %c, %s and %m share it. With the loads (2 x 4096 for
// the i32 block, 2 x 32 for the 8x1 scale, 2 x 512 for the 1x128 row):
// 8192 + 8192 + 64 + 1024 = 17472.
// CHECK-LABEL: func.func @chain_into_a_store_takes_the_slots
// CHECK: tile.peak = {{.*}}ub = 17472 : i64}
// CHECK: tile.cast {{.*}} {place = #tile.place<ub, [[C:[0-9]+]], slots = 2>}
// CHECK: tile.row_expand_mul {{.*}} {place = #tile.place<ub, [[C]], slots = 2>}
// CHECK: tile.col_expand_mul {{.*}} {place = #tile.place<ub, [[C]], slots = 2>}
// MAP-LABEL: placement in @chain_into_a_store_takes_the_slots
// MAP: c (shared with s, m): 2 x 4096 bytes for stages(2) of the tile.pipeline (line [[#@LINE+8]]), crosses pipes at tile.store (line [[#@LINE+16]]), live [1, 10)
func.func @chain_into_a_store_takes_the_slots(%a: memref<8x512xi32>, %r: memref<8x1xf32>, %w: memref<512xf32>, %o: memref<8x512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      tile.pipeline %j = %c0 to %c4 step %c1 stages(2) {
        %col = arith.muli %j, %c128 : index
        %x = tile.load %a[%c0, %col] : memref<8x512xi32> -> !tile.tile<8x128xi32>
        %c = tile.cast %x none : !tile.tile<8x128xi32> -> !tile.tile<8x128xf32> loc("c")
        %rs = tile.load %r[%c0, %c0] : memref<8x1xf32> -> !tile.tile<8x1xf32>
        %s = tile.row_expand_mul %c, %rs : !tile.tile<8x128xf32>, !tile.tile<8x1xf32> loc("s")
        %ws = tile.load %w[%col] : memref<512xf32> -> !tile.tile<1x128xf32>
        %m = tile.col_expand_mul %s, %ws : !tile.tile<8x128xf32>, !tile.tile<1x128xf32> loc("m")
        tile.store %m, %o[%c0, %col] : !tile.tile<8x128xf32>, memref<8x512xf32>
      }
    }
  }
  return
}
