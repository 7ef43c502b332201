// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync 2>/dev/null | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync -verify-diagnostics > /dev/null

// Pipes (docs/pto.md): tile.load = TLOAD on MTE2, vector ops on V,
// tile.store from UB = TSTORE on MTE3. The load writes UB [0, 2048) that
// exp reads (RAW MTE2 -> V); exp writes in place and the store reads it
// (RAW V -> MTE3). Two pairs, each on its own pipe pair, so both use event
// id 0; the block ends with a full barrier.
// CHECK-LABEL: func.func @load_compute_store
// CHECK: tile.at vector attributes {{{.*}}tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 1 : i64, pairs = 2 : i64}}
// CHECK: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> v, 0
// CHECK-NEXT: tile.wait_flag mte2 -> v, 0
// CHECK-NEXT: tile.exp
// CHECK-NEXT: tile.set_flag v -> mte3, 0
// CHECK-NEXT: tile.wait_flag v -> mte3, 0
// CHECK-NEXT: tile.store
// CHECK-NEXT: tile.barrier all
func.func @load_compute_store(%a: memref<64x32xf32>, %o: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  tile.spmd 4 (%b) {
    // expected-remark @below {{inserted 2 set/wait pairs (0 loop-carried), 0 vector barriers, 1 event ids}}
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      %x = tile.load %a[%r, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %y, %o[%r, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
    }
  }
  return
}

// -----

// Vector instructions are ordered only by a barrier: mul writes [0, 2048)
// that row_sum reads (RAW on V), row_sum writes [2048, 2112) that
// row_expand_mul reads. Two vector barriers. Both loads are covered by the
// one MTE2 -> V wait before mul (the later load's set comes after both).
// CHECK-LABEL: func.func @vector_chain
// CHECK: tile.load
// CHECK-NEXT: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> v, 0
// CHECK-NEXT: tile.wait_flag mte2 -> v, 0
// CHECK-NEXT: tile.mul
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.row_sum
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.row_expand_mul
func.func @vector_chain(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 2 set/wait pairs (0 loop-carried), 2 vector barriers, 1 event ids}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %m = tile.mul %x, %y : !tile.tile<16x32xf32>
      %s = tile.row_sum %m : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %z = tile.row_expand_mul %m, %s : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      tile.store %z, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Double buffering: the load of iteration t + 1 writes its slot, and the
// conservative model takes every slot of a multi-buffered tile, so it must
// wait until row_sum (the last reader of the loads' bytes in iteration t)
// is done: a loop-carried V -> MTE2 pair, set at the end of the body (so
// the drain after the loop orders all of its vector work), waited before
// the load, primed before the pipeline and drained after it. Within an
// iteration: MTE2 -> V before mul; barriers between mul, row_sum and add;
// the final add feeds the store after the loop (V -> MTE3).
// CHECK-LABEL: func.func @pipelined_accumulation
// CHECK: tile.full
// CHECK-NEXT: tile.set_flag v -> mte2, 0
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.pipeline
// CHECK: tile.wait_flag v -> mte2, 0
// CHECK-NEXT: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> v, 0
// CHECK-NEXT: tile.wait_flag mte2 -> v, 0
// CHECK-NEXT: tile.mul
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.row_sum
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.add
// CHECK-NEXT: tile.set_flag v -> mte2, 0
// CHECK-NEXT: tile.yield
// CHECK-NEXT: }
// CHECK-NEXT: tile.set_flag v -> mte3, 0
// CHECK-NEXT: tile.wait_flag v -> mte2, 0
// CHECK-NEXT: tile.wait_flag v -> mte3, 0
// CHECK-NEXT: tile.store
func.func @pipelined_accumulation(%a: memref<64x512xf32>, %o: memref<64x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c128 = arith.constant 128 : index
  tile.spmd 4 (%b) {
    // expected-remark @below {{inserted 3 set/wait pairs (1 loop-carried), 3 vector barriers, 1 event ids}}
    tile.at vector {
      %r = arith.muli %b, %c16 : index
      %z = tile.full 0.0 : !tile.tile<16x1xf32>
      %s = tile.pipeline %j = %c0 to %c4 step %c1 stages(2) iter_args(%acc = %z) -> (!tile.tile<16x1xf32>) {
        %col = arith.muli %j, %c128 : index
        %x = tile.load %a[%r, %col] : memref<64x512xf32> -> !tile.tile<16x128xf32>
        %x2 = tile.mul %x, %x : !tile.tile<16x128xf32>
        %rs = tile.row_sum %x2 : !tile.tile<16x128xf32> -> !tile.tile<16x1xf32>
        %n = tile.add %acc, %rs : !tile.tile<16x1xf32>
        tile.yield %n : !tile.tile<16x1xf32>
      }
      tile.store %s, %o[%r, %c0] : !tile.tile<16x1xf32>, memref<64x1xf32>
    }
  }
  return
}

// -----

// Cube: TLOAD into L1 on MTE2, the operands' moves into L0A / L0B on MTE1
// (RAW on L1: MTE2 -> MTE1), TMATMUL on M into L0C, TSTORE from L0C on FIX
// (RAW on L0C: M -> FIX). The MTE1 -> M hand-off inside the matmul is the
// emitter's (docs/pto.md).
// CHECK-LABEL: func.func @cube_matmul
// CHECK: tile.load
// CHECK-NEXT: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> mte1, 0
// CHECK-NEXT: tile.wait_flag mte2 -> mte1, 0
// CHECK-NEXT: tile.matmul
// CHECK-NEXT: tile.set_flag m -> fix, 0
// CHECK-NEXT: tile.wait_flag m -> fix, 0
// CHECK-NEXT: tile.store
func.func @cube_matmul(%a: memref<16x64xbf16>, %w: memref<64x128xbf16>, %o: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  tile.spmd 4 (%b) {
    // expected-remark @below {{inserted 2 set/wait pairs (0 loop-carried), 0 vector barriers, 1 event ids}}
    tile.at cube {
      %col = arith.muli %b, %c32 : index
      %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %w[%c0, %col] : memref<64x128xbf16> -> !tile.tile<64x32xbf16>
      %m = tile.matmul %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
      tile.store %m, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
    }
  }
  return
}

// -----

// GM inside a block: the store to %t (MTE3) and the later load of %t (MTE2)
// touch one GM tensor: RAW MTE3 -> MTE2. %y reuses the bytes of %x (dead
// after the store), so the second load also waits for the store's read of
// those bytes (WAR MTE3 -> MTE2): one pair orders both. Each store reads
// what a load wrote just before (RAW MTE2 -> MTE3): three pairs.
// CHECK-LABEL: func.func @gm_round_trip
// CHECK: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> mte3, 0
// CHECK-NEXT: tile.wait_flag mte2 -> mte3, 0
// CHECK-NEXT: tile.store
// CHECK-NEXT: tile.set_flag mte3 -> mte2, 0
// CHECK-NEXT: tile.wait_flag mte3 -> mte2, 0
// CHECK-NEXT: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> mte3, 0
// CHECK-NEXT: tile.wait_flag mte2 -> mte3, 0
// CHECK-NEXT: tile.store
func.func @gm_round_trip(%a: memref<16x32xf32>, %t: memref<16x32xf32>, %o: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 3 set/wait pairs (0 loop-carried), 0 vector barriers, 1 event ids}}
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %x, %t[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      %y = tile.load %t[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  return
}

// -----

// Nine loads, then nine vector ops, the i-th reading only the i-th load:
// exp i waits for load i alone (set right after load i), so the nine
// MTE2 -> V set -> wait ranges all overlap (every set comes before the
// first wait): one more than the 8 event ids of a pipe pair. The ninth
// becomes a full barrier before its wait.
// (The ninth pair in the count is V -> MTE3 for the store.)
// CHECK-LABEL: func.func @event_ids_run_out
// CHECK-COUNT-8: tile.set_flag mte2 -> v
// CHECK: tile.wait_flag mte2 -> v, 0
// CHECK-NEXT: tile.exp
// CHECK: tile.wait_flag mte2 -> v, 7
// CHECK-NEXT: tile.exp
// CHECK-NEXT: tile.barrier all
// CHECK-NEXT: tile.exp
func.func @event_ids_run_out(%a: memref<9x32xf32>, %o: memref<9x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 9 set/wait pairs (0 loop-carried), 4 vector barriers, 8 event ids; 1 pairs found no free event id and became full barriers}}
    tile.at vector {
      %x0 = tile.load %a[%c0, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x1 = tile.load %a[%c1, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x2 = tile.load %a[%c2, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x3 = tile.load %a[%c3, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x4 = tile.load %a[%c4, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x5 = tile.load %a[%c5, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x6 = tile.load %a[%c6, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x7 = tile.load %a[%c7, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %x8 = tile.load %a[%c8, %c0] : memref<9x32xf32> -> !tile.tile<1x32xf32>
      %y0 = tile.exp %x0 : !tile.tile<1x32xf32>
      %y1 = tile.exp %x1 : !tile.tile<1x32xf32>
      %y2 = tile.exp %x2 : !tile.tile<1x32xf32>
      %y3 = tile.exp %x3 : !tile.tile<1x32xf32>
      %y4 = tile.exp %x4 : !tile.tile<1x32xf32>
      %y5 = tile.exp %x5 : !tile.tile<1x32xf32>
      %y6 = tile.exp %x6 : !tile.tile<1x32xf32>
      %y7 = tile.exp %x7 : !tile.tile<1x32xf32>
      %y8 = tile.exp %x8 : !tile.tile<1x32xf32>
      %s0 = tile.add %y0, %y1 : !tile.tile<1x32xf32>
      %s1 = tile.add %y2, %y3 : !tile.tile<1x32xf32>
      %s2 = tile.add %y4, %y5 : !tile.tile<1x32xf32>
      %s3 = tile.add %y6, %y7 : !tile.tile<1x32xf32>
      %s4 = tile.add %s0, %s1 : !tile.tile<1x32xf32>
      %s5 = tile.add %s2, %s3 : !tile.tile<1x32xf32>
      %s6 = tile.add %s4, %s5 : !tile.tile<1x32xf32>
      %s7 = tile.add %s6, %y8 : !tile.tile<1x32xf32>
      tile.store %s7, %o[%c0, %c0] : !tile.tile<1x32xf32>, memref<9x32xf32>
    }
  }
  return
}
