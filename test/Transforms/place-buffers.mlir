// RUN: tessel-opt %s -split-input-file -tile-place-buffers | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-print-placement -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=MAP
// RUN: tessel-opt %s -split-input-file -tile-place-buffers="test-overlap=true" | FileCheck %s --check-prefix=OVL

// Capacities come from TargetInfo: a2a3 UB 188416 usable bytes (184 KiB),
// L1 524288, L0A / L0B 65536, L0C 131072; a5 UB 245760 (240 KiB), L0C
// 262144. Alignment: 32 bytes in UB and L1, 512 in L0A / L0B / L0C.
// Program points number the ops of a scope in pre-order (an op with a region
// also gets a point after it); live ranges are [def, last use + 1).

// A tile that dies gives its bytes to a later one. %x (16x32xf32, 2048 B)
// dies at the row_sum (p1) before %y (2048 B) is loaded (p2), so both sit at
// 0. %s and %t (16x1xf32, 64 B) live across: %s [1,5), %t [3,6). Each
// row_sum also holds a scratch tile of its source's size (TROWSUM's tmp,
// 2048 B) at its own point only: both get [2048, 4096). Peak = lower bound
// = 2048 + 2048 + 64 + 64 = 4224 (at p3: %y, the scratch, %s, %t).
// CHECK-LABEL: func.func @reuse_dead_buffer
// CHECK-SAME: attributes {tile.placed}
// CHECK: tile.at vector attributes {tile.live_bytes = {l0a = 0 : i64, l0b = 0 : i64, l0c = 0 : i64, l1 = 0 : i64, ub = 4224 : i64}, tile.peak = {l0a = 0 : i64, l0b = 0 : i64, l0c = 0 : i64, l1 = 0 : i64, ub = 4224 : i64}}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, 4096>, scratch = #tile.place<ub, 2048>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, 4160>, scratch = #tile.place<ub, 2048>}
// test-overlap (test only) moves %y, loaded at p2 while %s [1,5) is live
// and read afterwards, onto %s's bytes at 4096: writing %y clobbers %s.
// OVL-LABEL: func.func @reuse_dead_buffer
// OVL: tile.load {{.*}} {place = #tile.place<ub, 0>}
// OVL: tile.row_sum {{.*}} {place = #tile.place<ub, 4096>, scratch = #tile.place<ub, 2048>}
// OVL: tile.load {{.*}} {place = #tile.place<ub, 4096>}
// MAP-LABEL: placement in @reuse_dead_buffer of a vector scope on a2a3: fits
// MAP-NEXT: vector UB memory map, 188416 bytes usable
// MAP-NEXT: [0, 2048) x: 2048 bytes, live [0, 2)
// MAP-NEXT: [0, 2048) y: 2048 bytes, live [2, 4)
// MAP-NEXT: [2048, 4096) s (scratch): 2048 bytes, live [1, 2)
// MAP-NEXT: [2048, 4096) t (scratch): 2048 bytes, live [3, 4)
// MAP-NEXT: [4096, 4160) s: 64 bytes, live [1, 5)
// MAP-NEXT: [4160, 4224) t: 64 bytes, live [3, 6)
// MAP-NEXT: peak 4224 bytes, lower bound 4224 bytes (live at point 3), quality 1.00
func.func @reuse_dead_buffer(%a: memref<64x32xf32>, %o: memref<64x1xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32> loc("x")
      %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("s")
      %y = tile.load %a[%c16, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32> loc("y")
      %t = tile.row_sum %y : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("t")
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<64x1xf32>
      tile.store %t, %o[%c16, %c0] : !tile.tile<16x1xf32>, memref<64x1xf32>
    }
  }
  return
}

// -----

// A reduction source of fewer rows than a column vector's block: PTO-ISA
// reduces %x (4x32xf32, 4 x 128 = 512 B) through a view of 8 layout rows
// (the 4x1 result pads to 8 x 4 = 32 B), so %x's storage covers 8 x 128 =
// 1024 B and nothing else is placed in its second half. The scratch keeps
// the source's own size (512 B), the result 32 B: 1024 + 512 + 32 = 1568.
// MAP-LABEL: placement in @short_reduction_source of a vector scope on a2a3: fits
// MAP-NEXT: vector UB memory map, 188416 bytes usable
// MAP-NEXT: [0, 1024) x: 1024 bytes (512 padded to the 8 layout rows a row reduction reads), live [0, 2)
// MAP-NEXT: [1024, 1536) m (scratch): 512 bytes, live [1, 2)
// MAP-NEXT: [1536, 1568) m: 32 bytes (16 padded to 32-byte granules), live [1, 3)
func.func @short_reduction_source(%a: memref<8x32xf32>, %o: memref<8x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<8x32xf32> -> !tile.tile<4x32xf32> loc("x")
      %m = tile.row_max %x : !tile.tile<4x32xf32> -> !tile.tile<4x1xf32> loc("m")
      tile.store %m, %o[%c0, %c0] : !tile.tile<4x1xf32>, memref<8x1xf32>
    }
  }
  return
}

// -----

// Exactly the capacity: two live tiles of 23x1024xf32 = 94208 B each,
// 2 * 94208 = 188416 = the a2a3 usable UB. The add is elementwise in %a,
// which dies there, so %c is computed in place over %a (same placement).
// CHECK-LABEL: func.func @fits_exact_capacity
// CHECK: tile.peak = {{.*}}ub = 188416 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 94208>}
// CHECK: tile.add {{.*}} {place = #tile.place<ub, 0>}
// MAP-LABEL: placement in @fits_exact_capacity of a vector scope on a2a3: fits
// MAP: [0, 94208) a (shared with c): 94208 bytes, live [0, 4)
// MAP: [94208, 188416) b: 94208 bytes, live [1, 3)
// MAP: peak 188416 bytes, lower bound 188416 bytes (live at point 1), quality 1.00
func.func @fits_exact_capacity(%m: memref<46x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c23 = arith.constant 23 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %a = tile.load %m[%c0, %c0] : memref<46x1024xf32> -> !tile.tile<23x1024xf32> loc("a")
      %b = tile.load %m[%c23, %c0] : memref<46x1024xf32> -> !tile.tile<23x1024xf32> loc("b")
      %c = tile.add %a, %b : !tile.tile<23x1024xf32> loc("c")
      tile.store %c, %m[%c0, %c0] : !tile.tile<23x1024xf32>, memref<46x1024xf32>
    }
  }
  return
}

// -----

// Alignment padding: a 1x10xf32 tile is 40 B, padded to 64 B (two 32-byte
// granules), so the next live tile starts at 64, not 40. Peak 64 + 64 = 128;
// the memory map says which tiles were padded.
// CHECK-LABEL: func.func @alignment_padding
// CHECK: tile.peak = {{.*}}ub = 128 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 64>}
// MAP-LABEL: placement in @alignment_padding
// MAP: [0, 64) p (shared with r): 64 bytes (40 padded to 32-byte granules), live [0, 4)
// MAP: [64, 128) q: 64 bytes (40 padded to 32-byte granules), live [1, 3)
func.func @alignment_padding(%m: memref<2x10xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %p = tile.load %m[%c0, %c0] : memref<2x10xf32> -> !tile.tile<1x10xf32> loc("p")
      %q = tile.load %m[%c1, %c0] : memref<2x10xf32> -> !tile.tile<1x10xf32> loc("q")
      %r = tile.mul %p, %q : !tile.tile<1x10xf32> loc("r")
      tile.store %r, %m[%c0, %c0] : !tile.tile<1x10xf32>, memref<2x10xf32>
    }
  }
  return
}

// -----

// Stage doubling: %x is defined in the body of a stages(2) pipeline and
// handed from MTE2 (the load) to V, so it gets two slots of 2048 B
// (16x32xf32) = 4096 B, live for the whole pipeline. The row_sum result
// (16x1xf32, 64 B) is made and read by vector ops only, so it has one slot
// and lives [4, 6) (docs/placement.md "Slots"). The loop-carried
// accumulator (64 B) shares the bytes of its init value (dead once copied
// in) and of the add computing the next value in place, so the pipeline
// carries `places` equal to both: no copies. The row_sum's scratch tile
// (TROWSUM's tmp, 2048 B, one slot: it lives at the op only) adds 2048:
// peak 4096 + 2048 + 64 + 64 = 6272 = lower bound.
// CHECK-LABEL: func.func @pipeline_stage_doubling
// CHECK: tile.peak = {{.*}}ub = 6272 : i64}
// CHECK: tile.full {{.*}}{place = #tile.place<ub, 6144>}
// CHECK: tile.pipeline {{.*}} attributes {places = [#tile.place<ub, 6144>]}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0, slots = 2>}
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, 6208>, scratch = #tile.place<ub, 4096>}
// CHECK: tile.add {{.*}} {place = #tile.place<ub, 6144>}
// CHECK: tile.yield
// CHECK: tile.store
// MAP-LABEL: placement in @pipeline_stage_doubling
// MAP: [0, 4096) x: 2 x 2048 bytes for stages(2) of the tile.pipeline (line [[#@LINE+9]]), crosses pipes at tile.load, live [2, 7)
func.func @pipeline_stage_doubling(%a: memref<16x256xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %zero = tile.full 0.0 : !tile.tile<16x1xf32>
      %sum = tile.pipeline %j = %c0 to %c8 step %c1 stages(2) iter_args(%acc = %zero) -> (!tile.tile<16x1xf32>) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xf32> -> !tile.tile<16x32xf32> loc("x")
        %r = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
        %n = tile.add %acc, %r : !tile.tile<16x1xf32>
        tile.yield %n : !tile.tile<16x1xf32>
      }
      tile.store %sum, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// A loop-carried value lives for the whole loop and as long as the result
// is used after it. Here the init %zero (16x1xf32, 64 B) is used again
// after the loop, so it cannot share the carried storage: the pipeline gets
// its own 64 B (the lowering copies %zero in) and the add computes the next
// value in place there. Points: %zero p0, pipeline p1 (body p2-p6, end p7),
// %late p8, stores p9-p11. The result %sum is stored at p11, so the carried
// storage is live [1, 12) and %late (16x32xf32, 2048 B, live [8, 10)) may
// not reuse it. %x (2048 B, stages(1): one slot) lives only inside an
// iteration, [3, 5): %late reuses its bytes. %r (64 B) lives [4, 6).
// The row_sum's scratch tile (2048 B) lives at p4 only. Peak = lower bound
// at p4: %zero 64 + carried 64 + %x 2048 + scratch 2048 + %r 64 = 4288.
// CHECK-LABEL: func.func @loop_carried_value
// CHECK: tile.peak = {{.*}}ub = 4288 : i64}
// CHECK: tile.full {{.*}}{place = #tile.place<ub, 4096>}
// CHECK: tile.pipeline {{.*}} attributes {places = [#tile.place<ub, 4160>]}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, 4224>, scratch = #tile.place<ub, 2048>}
// CHECK: tile.add {{.*}} {place = #tile.place<ub, 4160>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// MAP-LABEL: placement in @loop_carried_value
// MAP: [0, 2048) x: 2048 bytes, live [3, 5)
// MAP: [0, 2048) late: 2048 bytes, live [8, 10)
// MAP: [2048, 4096) tile.row_sum#0 (scratch): 2048 bytes, live [4, 5)
// MAP: [4096, 4160) zero: 64 bytes, live [0, 11)
// MAP: [4160, 4224) tile.pipeline iter_arg #0 (shared with tile.add#0) (carried by iter_arg #0 of the tile.pipeline (line [[#@LINE+11]])): 64 bytes, live [1, 12)
// MAP: peak 4288 bytes, lower bound 4288 bytes (live at point 4), quality 1.00
func.func @loop_carried_value(%a: memref<16x256xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %c33 = arith.constant 33 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %zero = tile.full 0.0 : !tile.tile<16x1xf32> loc("zero")
      %sum = tile.pipeline %j = %c0 to %c8 step %c1 stages(1) iter_args(%acc = %zero) -> (!tile.tile<16x1xf32>) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xf32> -> !tile.tile<16x32xf32> loc("x")
        %r = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
        %n = tile.add %acc, %r : !tile.tile<16x1xf32>
        tile.yield %n : !tile.tile<16x1xf32>
      }
      %late = tile.load %a[%c0, %c0] : memref<16x256xf32> -> !tile.tile<16x32xf32> loc("late")
      tile.store %late, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %zero, %o[%c0, %c33] : !tile.tile<16x1xf32>, memref<16x64xf32>
      tile.store %sum, %o[%c0, %c32] : !tile.tile<16x1xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// A tile defined before a loop and used inside it stays live for the whole
// loop: %g (1x32xf32, 128 B) is last used by the first op of the body, but
// must survive every iteration, so the body's %y (128 B) may not reuse its
// bytes. The mul is elementwise in both operands, but only %x (stages(1),
// one slot) dies there: %y is computed in place over %x, never over %g.
// Peak 128 + 128 = 256.
// CHECK-LABEL: func.func @used_inside_loop_lives_for_the_loop
// CHECK: tile.peak = {{.*}}ub = 256 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 128>}
// CHECK: tile.mul {{.*}} {place = #tile.place<ub, 128>}
// MAP-LABEL: placement in @used_inside_loop_lives_for_the_loop
// MAP: [0, 128) g: 128 bytes, live [0, 7)
func.func @used_inside_loop_lives_for_the_loop(%a: memref<8x32xf32>, %gm: memref<1x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %g = tile.load %gm[%c0, %c0] : memref<1x32xf32> -> !tile.tile<1x32xf32> loc("g")
      tile.pipeline %j = %c0 to %c8 step %c1 stages(1) {
        %x = tile.load %a[%j, %c0] : memref<8x32xf32> -> !tile.tile<1x32xf32> loc("x")
        %y = tile.mul %g, %x : !tile.tile<1x32xf32> loc("y")
        tile.store %y, %a[%j, %c0] : !tile.tile<1x32xf32>, memref<8x32xf32>
      }
    }
  }
  return
}

// -----

// In place only over an operand that dies at the op. %b = exp %a: %a
// (16x32xf32, 2048 B) is used again by the add, so %b gets its own 2048 B.
// %c = add %a, %b: both die there and %c takes %a's bytes. %d = row_sum %c
// is not elementwise: its own 64 B, after its scratch tile (TROWSUM's tmp,
// 2048 B at p3 only) in %b's bytes (dead by then). Live: %a/%c [0, 4), %b
// [1, 3), %d [3, 5); peak 4160 at p3 (%c, the scratch, %d).
// CHECK-LABEL: func.func @in_place_only_over_a_dying_operand
// CHECK: tile.peak = {{.*}}ub = 4160 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.exp {{.*}} {place = #tile.place<ub, 2048>}
// CHECK: tile.add {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, 4096>, scratch = #tile.place<ub, 2048>}
// MAP-LABEL: placement in @in_place_only_over_a_dying_operand
// MAP: [0, 2048) a (shared with c): 2048 bytes, live [0, 4)
func.func @in_place_only_over_a_dying_operand(%m: memref<16x32xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %a = tile.load %m[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32> loc("a")
      %b = tile.exp %a : !tile.tile<16x32xf32> loc("b")
      %c = tile.add %a, %b : !tile.tile<16x32xf32> loc("c")
      %d = tile.row_sum %c : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("d")
      tile.store %d, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// tile.reshape is a view of its operand: same placement, no copy.
// CHECK-LABEL: func.func @reshape_is_a_view
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, [[OFF:[0-9]+]]>, scratch =
// CHECK: tile.reshape {{.*}} {place = #tile.place<ub, [[OFF]]>}
func.func @reshape_is_a_view(%a: memref<16x32xf32>, %o: memref<1x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("s")
      %r = tile.reshape %s : !tile.tile<16x1xf32> -> !tile.tile<1x16xf32> loc("r")
      tile.store %r, %o[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
    }
  }
  return
}

// -----

// Cube data path: loads in L1, the matmul result in L0C, the operands
// checked against L0A / L0B. %a 16x64xbf16 = 2048 B, %w 64x16xbf16 =
// 2048 B, both live at the first matmul: L1 peak 4096 (the second pair,
// 512 + 512 B: each pads to whole 16-row fractals, reuses those bytes).
// The result 16x16xf32 = 1024 B, one 16 x 16 fractal; the second result
// 2x16 x 16x8 -> 2x8xf32 pads to a whole fractal too (16 x 16 x 4 =
// 1024 B): L0C peak 1024 + 1024 = 2048. L0A holds at most the 2048 B
// lhs, L0B the 2048 B rhs.
// CHECK-LABEL: func.func @cube_buffers
// CHECK: tile.at cube attributes {tile.live_bytes = {l0a = 2048 : i64, l0b = 2048 : i64, l0c = 2048 : i64, l1 = 4096 : i64, ub = 0 : i64}, tile.peak = {l0a = 2048 : i64, l0b = 2048 : i64, l0c = 2048 : i64, l1 = 4096 : i64, ub = 0 : i64}}
// CHECK: tile.load {{.*}} {place = #tile.place<l1, {{[0-9]+}}>}
// CHECK: tile.load {{.*}} {place = #tile.place<l1, {{[0-9]+}}>}
// CHECK: tile.matmul {{.*}} {place = #tile.place<l0c, 0>}
// CHECK: tile.matmul {{.*}} {place = #tile.place<l0c, 1024>}
// MAP-LABEL: placement in @cube_buffers of a cube scope on a2a3: fits
// MAP: cube L1 memory map, 524288 bytes usable
// MAP: cube L0C memory map, 131072 bytes usable
// MAP: [1024, 2048) d: 1024 bytes (64 padded to whole fractals), live [5, 8)
// MAP: peak 2048 bytes, lower bound 2048 bytes (live at point 5), quality 1.00
// MAP: cube L0A: largest matmul lhs 2048 bytes, 65536 bytes usable
// MAP: cube L0B: largest matmul rhs 2048 bytes, 65536 bytes usable
func.func @cube_buffers(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>, %o: memref<16x16xf32>, %p: memref<2x16xbf16>, %q: memref<16x8xbf16>, %o2: memref<2x8xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16> loc("a")
      %y = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<64x16xbf16> loc("w")
      %c = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x16xbf16> -> !tile.tile<16x16xf32> loc("c")
      %u = tile.load %p[%c0, %c0] : memref<2x16xbf16> -> !tile.tile<2x16xbf16>
      %v = tile.load %q[%c0, %c0] : memref<16x8xbf16> -> !tile.tile<16x8xbf16>
      %d = tile.matmul %u, %v : !tile.tile<2x16xbf16>, !tile.tile<16x8xbf16> -> !tile.tile<2x8xf32> loc("d")
      tile.store %c, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
      tile.store %d, %o2[%c0, %c0] : !tile.tile<2x8xf32>, memref<2x8xf32>
    }
  }
  return
}

// -----

// A matmul_acc accumulator carried by a stages(2) pipeline lives in L0C once:
// the zero init shares the carried storage (dead once copied in) and
// matmul_acc accumulates in place (elementwise in `acc`), so L0C holds one
// 16x128xf32 accumulator = 8192 B and never copies it. The loads get two
// slots each in L1: 2 * (16x64xbf16 = 2048) + 2 * (64x128xbf16 = 16384) =
// 36864 B.
// CHECK-LABEL: func.func @cube_accumulator_in_place
// CHECK: tile.peak = {l0a = 2048 : i64, l0b = 16384 : i64, l0c = 8192 : i64, l1 = 36864 : i64, ub = 0 : i64}
// CHECK: tile.full {{.*}}{place = #tile.place<l0c, 0>}
// CHECK: tile.pipeline {{.*}} attributes {places = [#tile.place<l0c, 0>]}
// CHECK: tile.load {{.*}} {place = #tile.place<l1, {{[0-9]+}}, slots = 2>}
// CHECK: tile.load {{.*}} {place = #tile.place<l1, {{[0-9]+}}, slots = 2>}
// CHECK: tile.matmul_acc {{.*}} {place = #tile.place<l0c, 0>}
func.func @cube_accumulator_in_place(%a: memref<16x256xbf16>, %w: memref<256x128xbf16>, %out: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  tile.spmd 1 (%b) {
    tile.at cube {
      %zero = tile.full 0.0 : !tile.tile<16x128xf32>
      %acc = tile.pipeline %k = %c0 to %c4 step %c1 stages(2) iter_args(%c = %zero) -> (!tile.tile<16x128xf32>) {
        %col = arith.muli %k, %c64 : index
        %x = tile.load %a[%c0, %col] : memref<16x256xbf16> -> !tile.tile<16x64xbf16>
        %y = tile.load %w[%col, %c0] : memref<256x128xbf16> -> !tile.tile<64x128xbf16>
        %d = tile.matmul_acc %c, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
        tile.yield %d : !tile.tile<16x128xf32>
      }
      tile.store %acc, %out[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
    }
  }
  return
}

// -----

// A core_group scope is placed per tile: tiles made or used by cube ops take
// the cube data path (loads in L1, the matmul result in L0C), the others
// live in UB. Here the cube and vector halves meet only in GM.
// CHECK-LABEL: func.func @core_group_per_tile
// CHECK: tile.at core_group attributes {tile.live_bytes = {{{.*}}}, tile.peak = {l0a = 2048 : i64, l0b = 16384 : i64, l0c = 8192 : i64, l1 = 18432 : i64, ub = 8192 : i64}}
// CHECK: tile.load {{.*}} {place = #tile.place<l1,
// CHECK: tile.load {{.*}} {place = #tile.place<l1,
// CHECK: tile.matmul {{.*}} {place = #tile.place<l0c, 0>}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.exp {{.*}} {place = #tile.place<ub, 0>}
func.func @core_group_per_tile(%a: memref<16x64xbf16>, %w: memref<64x128xbf16>, %out: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %w[%c0, %c0] : memref<64x128xbf16> -> !tile.tile<64x128xbf16>
      %d = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
      tile.store %d, %out[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
      %v = tile.load %out[%c0, %c0] : memref<16x128xf32> -> !tile.tile<16x128xf32>
      %e = tile.exp %v : !tile.tile<16x128xf32>
      tile.store %e, %out[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
    }
  }
  return
}

// -----

// Target a5: a 60x1024xf32 tile is 245760 B = 240 KiB, exactly a5's usable
// UB; it does not fit a2a3's 188416 (see place-buffers-invalid.mlir).
// A 128x264xf32 matmul result, 264 columns padded to 272 (16 x 16
// fractals), is 128 * 272 * 4 = 139264 B: over a2a3's 131072 B L0C,
// within a5's 262144.
module attributes {tile.target = #tile.target<a5>} {
// CHECK-LABEL: func.func @fits_a5_not_a2a3
// CHECK: tile.peak = {{.*}}ub = 245760 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: tile.peak = {{.*}}l0c = 139264 : i64
// CHECK: tile.matmul {{.*}} {place = #tile.place<l0c, 0>}
// MAP-LABEL: placement in @fits_a5_not_a2a3 of a vector scope on a5: fits
// MAP: vector UB memory map, 245760 bytes usable
// MAP: placement in @fits_a5_not_a2a3 of a cube scope on a5: fits
// MAP: cube L0C memory map, 262144 bytes usable
func.func @fits_a5_not_a2a3(%m: memref<60x1024xf32>, %a: memref<128x16xbf16>, %w: memref<16x264xbf16>, %o: memref<128x264xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%i) {
    tile.at vector {
      %x = tile.load %m[%c0, %c0] : memref<60x1024xf32> -> !tile.tile<60x1024xf32>
      tile.store %x, %m[%c0, %c0] : !tile.tile<60x1024xf32>, memref<60x1024xf32>
    }
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<128x16xbf16> -> !tile.tile<128x16xbf16>
      %y = tile.load %w[%c0, %c0] : memref<16x264xbf16> -> !tile.tile<16x264xbf16>
      %d = tile.matmul %x, %y : !tile.tile<128x16xbf16>, !tile.tile<16x264xbf16> -> !tile.tile<128x264xf32>
      tile.store %d, %o[%c0, %c0] : !tile.tile<128x264xf32>, memref<128x264xf32>
    }
  }
  return
}
}

// -----

// An scf.if yielding tiles gets storage per tile result (`places` on the
// scf.if); a value a branch defines and yields lives there, so that branch
// copies nothing. Points: %a p0, scf.if p1 (then: %e p2, yield p3; else: %f
// p4, %g p5, yield p6; end p7), %h p8, %s p9, store p10. Result #0 holds %e
// and %g (both yielded as #0; %a dies at %g, but sharing the result storage
// comes first) and %h, computed in place over %r after the scf.if: live
// [1, 10). Result #1 holds %f; the then branch yields %a, defined outside
// it, so %a is copied there and lives to that yield and to %g: [0, 6).
// Result #1 lives [1, 9), to %h. Each tile is 16x32xf32 = 2048 B; at p1-p5
// %a + 2 results = 6144 B live = peak. The row_sum's scratch tile (2048 B,
// at p9 only) reuses %a's bytes and %s (64 B, [9, 11)) result #1's.
// CHECK-LABEL: func.func @if_results_take_branch_values
// CHECK: tile.peak = {{.*}}ub = 6144 : i64}
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 0>}
// CHECK: scf.if
// CHECK: tile.exp {{.*}} {place = #tile.place<ub, 2048>}
// CHECK: } else {
// CHECK: tile.full {{.*}} {place = #tile.place<ub, 4096>}
// CHECK: tile.add {{.*}} {place = #tile.place<ub, 2048>}
// CHECK: } {places = [#tile.place<ub, 2048>, #tile.place<ub, 4096>]}
// CHECK: tile.add {{.*}} {place = #tile.place<ub, 2048>}
// CHECK: tile.row_sum {{.*}} {place = #tile.place<ub, 4096>, scratch = #tile.place<ub, 0>}
// MAP-LABEL: placement in @if_results_take_branch_values
// MAP: [0, 2048) a: 2048 bytes, live [0, 6)
// MAP: [0, 2048) s (scratch): 2048 bytes, live [9, 10)
// MAP: [2048, 4096) scf.if#0 (shared with e, g, h) (result #0 of the scf.if (line [[#@LINE+10]])): 2048 bytes, live [1, 10)
// MAP: [4096, 6144) scf.if#1 (shared with f) (result #1 of the scf.if (line [[#@LINE+9]])): 2048 bytes, live [1, 9)
// MAP: [4096, 4160) s: 64 bytes, live [9, 11)
// MAP: peak 6144 bytes, lower bound 6144 bytes (live at point 1), quality 1.00
func.func @if_results_take_branch_values(%m: memref<16x32xf32>, %o: memref<16x1xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 2 (%i) {
    %first = arith.cmpi eq, %i, %c0 : index
    tile.at vector {
      %a = tile.load %m[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32> loc("a")
      %r, %t = scf.if %first -> (!tile.tile<16x32xf32>, !tile.tile<16x32xf32>) {
        %e = tile.exp %a : !tile.tile<16x32xf32> loc("e")
        scf.yield %e, %a : !tile.tile<16x32xf32>, !tile.tile<16x32xf32>
      } else {
        %f = tile.full 1.0 : !tile.tile<16x32xf32> loc("f")
        %g = tile.add %a, %f : !tile.tile<16x32xf32> loc("g")
        scf.yield %g, %f : !tile.tile<16x32xf32>, !tile.tile<16x32xf32>
      }
      %h = tile.add %r, %t : !tile.tile<16x32xf32> loc("h")
      %s = tile.row_sum %h : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32> loc("s")
      tile.store %s, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<16x1xf32>
    }
  }
  return
}

// -----

// The PyPTO K-loop idiom: the first iteration's matmul and the later
// matmul_acc yield the pipeline's next accumulator through an scf.if. In
// each branch the only reader of the carried storage is the op that
// computes the yielded value, in place in it (the matmul_acc; the matmul
// reads none of it), and the branches run one or the other: the scf.if's
// result is computed over the iter_arg, and both matmuls write the carried
// storage, which %zero shares (it dies at the pipeline). One 16x32xf32 =
// 2048 B at 0, live from %zero (p0) to the store (p14): L0C peak 2048 (no
// copy in tile.yield, which the NPU has no L0C -> L0C instruction for).
// L1: %x 2 x 1024 B, %y 2 x 2048 B.
// CHECK-LABEL: func.func @if_else_accumulator_in_k_loop
// CHECK: tile.peak = {{.*}}l0c = 2048 : i64, l1 = 6144 : i64
// CHECK: tile.full {{.*}} {place = #tile.place<l0c, 0>}
// CHECK: tile.pipeline {{.*}} attributes {places = [#tile.place<l0c, 0>]}
// CHECK: tile.load {{.*}} {place = #tile.place<l1, 4096, slots = 2>}
// CHECK: tile.load {{.*}} {place = #tile.place<l1, 0, slots = 2>}
// CHECK: tile.matmul {{.*}} {place = #tile.place<l0c, 0>}
// CHECK: tile.matmul_acc {{.*}} {place = #tile.place<l0c, 0>}
// CHECK: } {places = [#tile.place<l0c, 0>]}
// MAP-LABEL: placement in @if_else_accumulator_in_k_loop
// MAP: cube L0C memory map
// MAP: [0, 2048) zero (shared with scf.if#0, p, q) (carried by iter_arg #0 of the tile.pipeline (line [[#@LINE+10]])): 2048 bytes, live [0, 15)
// MAP: peak 2048 bytes, lower bound 2048 bytes (live at point 0), quality 1.00
func.func @if_else_accumulator_in_k_loop(%a: memref<16x128xbf16>, %w: memref<128x32xbf16>, %c: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%i) {
    tile.at cube {
      %zero = tile.full 0.0 : !tile.tile<16x32xf32> loc("zero")
      %sum = tile.pipeline %k = %c0 to %c4 step %c1 stages(2) iter_args(%acc = %zero) -> (!tile.tile<16x32xf32>) {
        %k0 = arith.muli %k, %c32 : index
        %first = arith.cmpi eq, %k0, %c0 : index
        %x = tile.load %a[%c0, %k0] : memref<16x128xbf16> -> !tile.tile<16x32xbf16> loc("x")
        %y = tile.load %w[%k0, %c0] : memref<128x32xbf16> -> !tile.tile<32x32xbf16> loc("y")
        %next = scf.if %first -> (!tile.tile<16x32xf32>) {
          %p = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x32xbf16> -> !tile.tile<16x32xf32> loc("p")
          scf.yield %p : !tile.tile<16x32xf32>
        } else {
          %q = tile.matmul_acc %acc, %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x32xbf16> -> !tile.tile<16x32xf32> loc("q")
          scf.yield %q : !tile.tile<16x32xf32>
        }
        tile.yield %next : !tile.tile<16x32xf32>
      }
      tile.store %sum, %c[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
