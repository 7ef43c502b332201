// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync 2>/dev/null | FileCheck %s

// The scratch the new instructions write is part of the pipe model
// (PipeModel.h): two tile.rem with no data between them (both read %x and
// %y, each writes its own result) still conflict on a2a3, where each
// TREM's tmp is its op's scratch placement, live at that op only: the
// first one's tmp (UB 6144, one 40-float row) is where the second one's
// result goes, a WAW on V, one vector barrier between them. a5's TREM
// ignores its tmp: no scratch, no conflict, no barrier.
// CHECK-LABEL: func.func @two_rems_a2a3
// CHECK: tile.rem {{.*}}scratch = #tile.place<ub, [[S:[0-9]+]]>
// CHECK-NEXT: tile.set_flag v -> mte3
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.rem {{.*}}{place = #tile.place<ub, [[S]]>
module attributes {tile.target = #tile.target<a2a3>} {
func.func @two_rems_a2a3(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %r1 = tile.rem %x, %y : !tile.tile<16x32xf32>
      %r2 = tile.rem %y, %x : !tile.tile<16x32xf32>
      tile.store %r1, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %r2, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
    }
  }
  return
}
}

// -----

// CHECK-LABEL: func.func @two_rems_a5
// CHECK: tile.rem %{{.*}} {place = #tile.place<ub, {{[0-9]+}}>} :
// CHECK-NEXT: tile.set_flag v -> mte3
// CHECK-NEXT: tile.rem %{{.*}} {place = #tile.place<ub, {{[0-9]+}}>} :
module attributes {tile.target = #tile.target<a5>} {
func.func @two_rems_a5(%a: memref<16x64xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %r1 = tile.rem %x, %y : !tile.tile<16x32xf32>
      %r2 = tile.rem %y, %x : !tile.tile<16x32xf32>
      tile.store %r1, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %r2, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
    }
  }
  return
}
}

// -----

// Two independent per-row broadcasts (%x stays live, so neither is placed
// on it): on a2a3 both write PTO-ISA's internal 8 KiB broadcast buffer (UB
// [188416, 196608)), a WAW on V; on a5 the scale is read natively and
// nothing orders them.
// CHECK-LABEL: func.func @two_row_broadcasts_a2a3
// CHECK: tile.row_expand_add
// CHECK-NEXT: tile.set_flag v -> mte3
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.row_expand_sub
module attributes {tile.target = #tile.target<a2a3>} {
func.func @two_row_broadcasts_a2a3(%a: memref<16x64xf32>, %r: memref<16x1xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %s = tile.load %r[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %p = tile.row_expand_add %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %q = tile.row_expand_sub %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      tile.store %p, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %q, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %x, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
    }
  }
  return
}
}

// -----

// CHECK-LABEL: func.func @two_row_broadcasts_a5
// CHECK: tile.row_expand_add
// CHECK-NEXT: tile.set_flag v -> mte3
// CHECK-NEXT: tile.row_expand_sub
module attributes {tile.target = #tile.target<a5>} {
func.func @two_row_broadcasts_a5(%a: memref<16x64xf32>, %r: memref<16x1xf32>, %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %s = tile.load %r[%c0, %c0] : memref<16x1xf32> -> !tile.tile<16x1xf32>
      %p = tile.row_expand_add %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %q = tile.row_expand_sub %x, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      tile.store %p, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %q, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %x, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
    }
  }
  return
}
}

// -----

// Comparison and selection on a2a3: tile.cmp writes the mask the sel reads
// (RAW on V: a vector barrier); tile.sel's scratch is TSEL's 1 x 32 i8 tmp
// (32 bytes at UB 2048, right after %x's 16 * 32 * 4 = 2048 bytes),
// tile.sels's the (16 + 1) x 32 f32 tile TEXPANDS fills (17 * 128 = 2176
// bytes at UB 0, over %x, dead after the sel): it writes bytes the sel
// read (%x) and wrote (its tmp), another vector barrier. The load after the
// stores reuses UB 0, the sels's scratch: it waits for V (v -> mte2).
// CHECK-LABEL: func.func @cmp_sel_sels_a2a3
// CHECK: tile.set_flag mte2 -> v
// CHECK-NEXT: tile.wait_flag mte2 -> v
// CHECK-NEXT: tile.cmp
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.sel {{.*}}scratch = #tile.place<ub, 2048>
// CHECK-NEXT: tile.set_flag v -> mte3
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.sels {{.*}}scratch = #tile.place<ub, 0>
// CHECK-NEXT: tile.set_flag v -> mte2, [[E:[0-9]+]]
// CHECK: tile.wait_flag v -> mte2, [[E]]
// CHECK-NEXT: tile.load {{.*}}place = #tile.place<ub, 0>
module attributes {tile.target = #tile.target<a2a3>} {
func.func @cmp_sel_sels_a2a3(%a: memref<16x64xf32>, %o: memref<16x64xf32>, %s: memref<1x256xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %z = arith.constant 0.0 : f32
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c32] : memref<16x64xf32> -> !tile.tile<16x32xf32>
      %p = tile.cmp %x, %y gt : !tile.tile<16x32xf32> -> !tile.tile<16x32xi8>
      %r = tile.sel %p, %x, %y : !tile.tile<16x32xi8>, !tile.tile<16x32xf32>
      %q = tile.sels %p, %y, %z : !tile.tile<16x32xi8>, !tile.tile<16x32xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x64xf32>
      tile.store %q, %o[%c0, %c32] : !tile.tile<16x32xf32>, memref<16x64xf32>
      %v = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<1x64xf32>
      tile.store %v, %s[%c0, %c0] : !tile.tile<1x64xf32>, memref<1x256xf32>
    }
  }
  return
}
}

// -----

// tile.sort32 reads the loaded values and index (MTE2 -> V), the
// single-list tile.mrgsort reads the sort32's pairs (RAW on V: a vector
// barrier), the store reads the merge (V -> MTE3).
// CHECK-LABEL: func.func @sort_then_merge_a5
// CHECK: tile.wait_flag mte2 -> v
// CHECK-NEXT: tile.sort32
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.mrgsort
// CHECK-NEXT: tile.set_flag v -> mte3
module attributes {tile.target = #tile.target<a5>} {
func.func @sort_then_merge_a5(%a: memref<1x256xf32>, %i: memref<1x256xi32>, %o: memref<1x512xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<1x256xf32> -> !tile.tile<1x128xf32>
      %j = tile.load %i[%c0, %c0] : memref<1x256xi32> -> !tile.tile<1x128xi32>
      %s = tile.sort32 %x, %j : !tile.tile<1x128xf32>, !tile.tile<1x128xi32> -> !tile.tile<1x256xf32>
      %m = tile.mrgsort %s block_len(64) : !tile.tile<1x256xf32> -> !tile.tile<1x256xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<1x256xf32>, memref<1x512xf32>
    }
  }
  return
}
}
