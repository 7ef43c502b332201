// RUN: tessel-opt %s -split-input-file -tile-place-buffers | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-print-placement -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=MAP

// Reuses under pressure (docs/placement.md "Under pressure"): tried only
// when a scope does not fit with the regular rules. a2a3: UB 188416 usable
// bytes in 32-byte granules; 64x256 of f32 or i32 = 65536 B, 32x256 =
// 32768 B, 1x256xf32 = 1024 B. Program points number the ops of the scope
// in pre-order (an op with a region also gets a point after it).

// A cast between element types of one width, in place over a source that
// dies there (pypto-lib mtp_projection's `mtp_dequant`: an i32 block
// dequantised while a 64 KiB f32 block stays live).
// Points: x p0, q p1, f p2, s p3, store p4.
// Regular rules: x [0, 4), q [1, 3), f [2, 4) (s in place over x): at p2
// 3 x 65536 = 196608 > 188416. Under pressure f is computed over q (one
// width: i32 -> f32, the same layout): 2 x 65536 = 131072.
// CHECK-LABEL: func.func @cast_under_pressure
// CHECK: tile.peak = {{.*}}ub = 131072 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, [[X:[0-9]+]]>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, [[Q:[0-9]+]]>}
// CHECK: tile.cast {{.*}} {place = #tile.place<ub, [[Q]]>}
// MAP-LABEL: placement in @cast_under_pressure
// MAP: q (shared with f{{.*}}): 65536 bytes, live [1, 4)
// MAP: peak 131072 bytes, lower bound 131072 bytes (live at point 1), quality 1.00
// MAP-NEXT: placed under pressure: one-width casts in place, results in place over the storage of finished pipelines, an init shared by iter_args carried by one
func.func @cast_under_pressure(%h: memref<64x256xf32>, %p: memref<64x256xi32>, %o: memref<64x256xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %x = tile.load %h[%c0, %c0] : memref<64x256xf32> -> !tile.tile<64x256xf32> loc("x")
      %q = tile.load %p[%c0, %c0] : memref<64x256xi32> -> !tile.tile<64x256xi32> loc("q")
      %f = tile.cast %q none : !tile.tile<64x256xi32> -> !tile.tile<64x256xf32> loc("f")
      %s = tile.add %x, %f : !tile.tile<64x256xf32> loc("s")
      tile.store %s, %o[%c0, %c0] : !tile.tile<64x256xf32>, memref<64x256xf32>
    }
  }
  return
}

// -----

// The same at half the rows fits with the regular rules (3 x 32768 =
// 98304 <= 188416): the cast gets storage of its own, and the map says
// nothing about pressure.
// CHECK-LABEL: func.func @cast_fits_regular
// CHECK: tile.peak = {{.*}}ub = 98304 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, [[Q:[0-9]+]]>}
// CHECK-NOT: tile.cast {{.*}} {place = #tile.place<ub, [[Q]]>}
// CHECK: tile.cast
// MAP-LABEL: placement in @cast_fits_regular
// MAP: peak 98304 bytes, lower bound 98304 bytes (live at point 2), quality 1.00
// MAP-NOT: placed under pressure
func.func @cast_fits_regular(%h: memref<32x256xf32>, %p: memref<32x256xi32>, %o: memref<32x256xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %x = tile.load %h[%c0, %c0] : memref<32x256xf32> -> !tile.tile<32x256xf32> loc("x")
      %q = tile.load %p[%c0, %c0] : memref<32x256xi32> -> !tile.tile<32x256xi32> loc("q")
      %f = tile.cast %q none : !tile.tile<32x256xi32> -> !tile.tile<32x256xf32> loc("f")
      %s = tile.add %x, %f : !tile.tile<32x256xf32> loc("s")
      tile.store %s, %o[%c0, %c0] : !tile.tile<32x256xf32>, memref<32x256xf32>
    }
  }
  return
}

// -----

// A result in place over the carried storage of a pipeline that has
// finished (pypto-lib decode_compressor_ratio128's pooling: a column
// softmax over two accumulated 64 KiB states).
// Points: z p0, n p1, pipeline p2, row p3, s2 p4, m2 p5, yield p6,
// pipeline end p7, e p8, p p9, store p10.
// z and n are carried by iter_args 0 and 1 (storage S and M, each 65536;
// s2 / m2 computed in place over them). Regular rules: e = exp(r#0) may
// not go over S (loop-carried), so at p8 S (r#0 dies at e: [0, 9)), M
// ([1, 10)) and e ([8, 10)) are live: 196608 > 188416. Under pressure e
// is computed over S once the pipeline has finished, p over e: S [0, 11),
// M [1, 10), the row 1024 at p3..p6: peak 65536 + 65536 + 1024 = 132096.
// CHECK-LABEL: func.func @finished_pipeline
// CHECK: tile.peak = {{.*}}ub = 132096 : i64}
// CHECK: tile.full {{.*}} {place = #tile.place<ub, [[S:[0-9]+]]>}
// CHECK: tile.pipeline {{.*}} attributes {places = [#tile.place<ub, [[S]]>, #tile.place<ub, {{[0-9]+}}>]}
// CHECK: tile.exp {{.*}} {place = #tile.place<ub, [[S]]>}
// CHECK: tile.mul {{.*}} {place = #tile.place<ub, [[S]]>}
// MAP-LABEL: placement in @finished_pipeline
// MAP: z (shared with s2, e, p) (carried by iter_arg #0 of the tile.pipeline (line [[#@LINE+11]])): 65536 bytes, live [0, 11)
// MAP: peak 132096 bytes
// MAP-NEXT: placed under pressure
func.func @finished_pipeline(%a: memref<8x256xf32>, %o: memref<64x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<64x256xf32> loc("z")
      %n = tile.full -1.0 : !tile.tile<64x256xf32> loc("n")
      %r:2 = tile.pipeline %j = %c0 to %c8 step %c1 stages(1) iter_args(%s = %z, %m = %n) -> (!tile.tile<64x256xf32>, !tile.tile<64x256xf32>) {
        %row = tile.load %a[%j, %c0] : memref<8x256xf32> -> !tile.tile<1x256xf32> loc("row")
        %s2 = tile.col_expand_add %s, %row : !tile.tile<64x256xf32>, !tile.tile<1x256xf32> loc("s2")
        %m2 = tile.col_expand_max %m, %row : !tile.tile<64x256xf32>, !tile.tile<1x256xf32> loc("m2")
        tile.yield %s2, %m2 : !tile.tile<64x256xf32>, !tile.tile<64x256xf32>
      }
      %e = tile.exp %r#0 : !tile.tile<64x256xf32> loc("e")
      %p = tile.mul %e, %r#1 : !tile.tile<64x256xf32> loc("p")
      tile.store %p, %o[%c0, %c0] : !tile.tile<64x256xf32>, memref<64x256xf32>
    }
  }
  return
}

// -----

// One init value for two iter_args (the frontend's two zero states, merged
// by CSE): under pressure the first iter_arg carries it, the second copies
// it before the loop.
// Points: z p0, pipeline p1, row p2, s2 p3, m2 p4, yield p5, end p6,
// stores p7, p8.
// Regular rules: z is used twice by the pipeline, so neither iter_arg
// shares it: z [0, 2), S [1, 8), M [1, 9): at p1 3 x 65536 = 196608 >
// 188416. Under pressure S is z's storage, M its own: 2 x 65536 + 1024 (the
// row) = 132096.
// CHECK-LABEL: func.func @shared_init
// CHECK: tile.peak = {{.*}}ub = 132096 : i64}
// CHECK: tile.full {{.*}} {place = #tile.place<ub, [[S:[0-9]+]]>}
// CHECK: tile.pipeline {{.*}} attributes {places = [#tile.place<ub, [[S]]>, #tile.place<ub, [[M:[0-9]+]]>]}
// MAP-LABEL: placement in @shared_init
// MAP: z (shared with s2) (carried by iter_arg #0 of the tile.pipeline (line [[#@LINE+12]])): 65536 bytes, live [0, 8)
// MAP: tile.pipeline iter_arg #1 (shared with m2) (carried by iter_arg #1 of the tile.pipeline (line [[#@LINE+11]])): 65536 bytes, live [1, 9)
// MAP: peak 132096 bytes
// MAP-NEXT: placed under pressure
func.func @shared_init(%a: memref<8x256xf32>, %o: memref<128x256xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %z = tile.full 0.0 : !tile.tile<64x256xf32> loc("z")
      %r:2 = tile.pipeline %j = %c0 to %c8 step %c1 stages(1) iter_args(%s = %z, %m = %z) -> (!tile.tile<64x256xf32>, !tile.tile<64x256xf32>) {
        %row = tile.load %a[%j, %c0] : memref<8x256xf32> -> !tile.tile<1x256xf32> loc("row")
        %s2 = tile.col_expand_add %s, %row : !tile.tile<64x256xf32>, !tile.tile<1x256xf32> loc("s2")
        %m2 = tile.col_expand_max %m, %row : !tile.tile<64x256xf32>, !tile.tile<1x256xf32> loc("m2")
        tile.yield %s2, %m2 : !tile.tile<64x256xf32>, !tile.tile<64x256xf32>
      }
      tile.store %r#0, %o[%c0, %c0] : !tile.tile<64x256xf32>, memref<128x256xf32>
      tile.store %r#1, %o[%c64, %c0] : !tile.tile<64x256xf32>, memref<128x256xf32>
    }
  }
  return
}
