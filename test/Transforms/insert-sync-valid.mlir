// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync 2>/dev/null | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync -verify-diagnostics > /dev/null

// A partial load is two instructions (PipeModel.h): TLOAD on MTE2 and,
// because its zero padding is read (by exp), TFILLPAD on V; the emitter
// orders them itself. For the next op the load's last writer is V, so
// exp, a vector op over the same bytes (placed in place), needs a vector
// barrier as well as the MTE2 -> V pair. The store reads exp's result
// (V -> MTE3).
// CHECK-LABEL: func.func @partial_load_then_vector
// CHECK: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> v, 0
// CHECK-NEXT: tile.wait_flag mte2 -> v, 0
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.exp
// CHECK-NEXT: tile.set_flag v -> mte3, 0
// CHECK-NEXT: tile.wait_flag v -> mte3, 0
// CHECK-NEXT: tile.store
func.func @partial_load_then_vector(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 2 set/wait pairs (0 loop-carried), 1 vector barriers, 1 event ids}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] valid [10, 20] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Its padding unread (only a partial store of the same extents uses it):
// TLOAD alone, MTE2 -> MTE3, no barrier.
// CHECK-LABEL: func.func @partial_copy
// CHECK: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> mte3, 0
// CHECK-NEXT: tile.wait_flag mte2 -> mte3, 0
// CHECK-NEXT: tile.store
func.func @partial_copy(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 1 set/wait pairs (0 loop-carried), 0 vector barriers, 1 event ids}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] valid [10, 20] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %x, %o[%c0, %c0] valid [10, 20] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Eight MTE2 -> V pairs live at once (nine loads, then the adds that read
// them; the first add waits for two loads with one pair): with a partial
// load in the scope, event id 7 of MTE2 -> V is kept for its own TLOAD ->
// TFILLPAD hand-off, so the eighth pair finds no free id and becomes a
// full barrier (reported). The same scope without the partial load (the
// next function) colours all eight, 7 included.
// CHECK-LABEL: func.func @hand_off_keeps_id_7
// CHECK-NOT: mte2 -> v, 7
// CHECK-LABEL: func.func @eight_ids
// CHECK: tile.wait_flag mte2 -> v, 7
func.func @hand_off_keeps_id_7(%a: memref<16x288xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  %c160 = arith.constant 160 : index
  %c192 = arith.constant 192 : index
  %c224 = arith.constant 224 : index
  %c256 = arith.constant 256 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{1 pairs found no free event id and became full barriers}}
    tile.at vector {
      %x0 = tile.load %a[%c0, %c0] valid [16, 20] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x1 = tile.load %a[%c0, %c32] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x2 = tile.load %a[%c0, %c64] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x3 = tile.load %a[%c0, %c96] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x4 = tile.load %a[%c0, %c128] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x5 = tile.load %a[%c0, %c160] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x6 = tile.load %a[%c0, %c192] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x7 = tile.load %a[%c0, %c224] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x8 = tile.load %a[%c0, %c256] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %y1 = tile.add %x0, %x1 : !tile.tile<16x32xf32>
      %y2 = tile.add %y1, %x2 : !tile.tile<16x32xf32>
      %y3 = tile.add %y2, %x3 : !tile.tile<16x32xf32>
      %y4 = tile.add %y3, %x4 : !tile.tile<16x32xf32>
      %y5 = tile.add %y4, %x5 : !tile.tile<16x32xf32>
      %y6 = tile.add %y5, %x6 : !tile.tile<16x32xf32>
      %y7 = tile.add %y6, %x7 : !tile.tile<16x32xf32>
      %y8 = tile.add %y7, %x8 : !tile.tile<16x32xf32>
      tile.store %y8, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

func.func @eight_ids(%a: memref<16x288xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %c96 = arith.constant 96 : index
  %c128 = arith.constant 128 : index
  %c160 = arith.constant 160 : index
  %c192 = arith.constant 192 : index
  %c224 = arith.constant 224 : index
  %c256 = arith.constant 256 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{8 event ids}}
    tile.at vector {
      %x0 = tile.load %a[%c0, %c0] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x1 = tile.load %a[%c0, %c32] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x2 = tile.load %a[%c0, %c64] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x3 = tile.load %a[%c0, %c96] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x4 = tile.load %a[%c0, %c128] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x5 = tile.load %a[%c0, %c160] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x6 = tile.load %a[%c0, %c192] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x7 = tile.load %a[%c0, %c224] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %x8 = tile.load %a[%c0, %c256] : memref<16x288xf32> -> !tile.tile<16x32xf32>
      %y1 = tile.add %x0, %x1 : !tile.tile<16x32xf32>
      %y2 = tile.add %y1, %x2 : !tile.tile<16x32xf32>
      %y3 = tile.add %y2, %x3 : !tile.tile<16x32xf32>
      %y4 = tile.add %y3, %x4 : !tile.tile<16x32xf32>
      %y5 = tile.add %y4, %x5 : !tile.tile<16x32xf32>
      %y6 = tile.add %y5, %x6 : !tile.tile<16x32xf32>
      %y7 = tile.add %y6, %x7 : !tile.tile<16x32xf32>
      %y8 = tile.add %y7, %x8 : !tile.tile<16x32xf32>
      tile.store %y8, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}
