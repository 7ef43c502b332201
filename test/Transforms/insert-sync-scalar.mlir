// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync 2>/dev/null | FileCheck %s
// RUN: tessel-opt %s -split-input-file -tile-place-buffers -tile-insert-sync -verify-diagnostics > /dev/null

// The scalar pipe S (docs/pto.md): tile.get is Tile::GetValue and tile.set
// Tile::SetValue, both on S, which runs ahead of MTE2 / V / MTE3 like any
// other pipe. Here: the load writes UB [0, 32) (a 1x8 f32 row) that the
// get reads (RAW MTE2 -> S: the scalar unit must not read before the data
// arrived); the 16x64 load (4096 bytes) is then placed over the same bytes,
// so it waits for the get (WAR S -> MTE2). muls takes the value read as
// its scalar operand (a register: no flag for that) and writes in place
// over the second load (RAW MTE2 -> V); the store reads it (V -> MTE3).
// The S -> V pair is the WAR of the get against muls' write of [0, 32).
// CHECK-LABEL: func.func @get_after_load
// CHECK: tile.syncs = {barriers = 0 : i64, carried = 0 : i64, events = 1 : i64, pairs = 5 : i64}
// CHECK: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> s, 0
// CHECK-NEXT: tile.wait_flag mte2 -> s, 0
// CHECK-NEXT: tile.get
// CHECK-NEXT: tile.set_flag s -> v, 0
// CHECK-NEXT: tile.set_flag s -> mte2, 0
// CHECK-NEXT: tile.wait_flag s -> mte2, 0
// CHECK-NEXT: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> v, 0
// CHECK-NEXT: tile.wait_flag s -> v, 0
// CHECK-NEXT: tile.wait_flag mte2 -> v, 0
// CHECK-NEXT: tile.muls
// CHECK-NEXT: tile.set_flag v -> mte3, 0
// CHECK-NEXT: tile.wait_flag v -> mte3, 0
// CHECK-NEXT: tile.store
func.func @get_after_load(%a: memref<16x64xf32>, %w: memref<1x8xf32>,
                          %o: memref<16x64xf32>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 5 set/wait pairs (0 loop-carried), 0 vector barriers, 1 event ids}}
    tile.at vector {
      %e = tile.load %w[%c0, %c0] : memref<1x8xf32> -> !tile.tile<1x8xf32>
      %s = tile.get %e[%c0, %c3] : !tile.tile<1x8xf32>
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %y = tile.muls %x, %s : !tile.tile<16x64xf32>
      tile.store %y, %o[%c0, %c0] : !tile.tile<16x64xf32>, memref<16x64xf32>
    }
  }
  return
}

// -----

// A scalar write between vector work and a store: tile.full (TEXPANDS on
// V) writes the 1x8 tile, tile.set writes one element of it in place on S
// (WAW V -> S: the vector fill must land first or it would overwrite the
// element), the store reads the tile on MTE3 (RAW S -> MTE3). The value
// comes from a get of a loaded tile (MTE2 -> S); the full is placed over
// that tile's bytes after the get (WAR S -> V).
// CHECK-LABEL: func.func @set_between_full_and_store
// CHECK: tile.load
// CHECK-NEXT: tile.set_flag mte2 -> s, 0
// CHECK-NEXT: tile.wait_flag mte2 -> s, 0
// CHECK-NEXT: tile.get
// CHECK-NEXT: tile.set_flag s -> v, 0
// CHECK-NEXT: tile.wait_flag s -> v, 0
// CHECK-NEXT: tile.full
// CHECK-NEXT: tile.set_flag v -> s, 0
// CHECK-NEXT: tile.wait_flag v -> s, 0
// CHECK-NEXT: tile.set
// CHECK-NEXT: tile.set_flag s -> mte3, 0
// CHECK-NEXT: tile.wait_flag s -> mte3, 0
// CHECK-NEXT: tile.store
func.func @set_between_full_and_store(%o: memref<1x8xf32>, %v: memref<1x8xf32>) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 4 set/wait pairs (0 loop-carried), 0 vector barriers, 1 event ids}}
    tile.at vector {
      %e = tile.load %v[%c0, %c0] : memref<1x8xf32> -> !tile.tile<1x8xf32>
      %x = tile.get %e[%c0, %c2] : !tile.tile<1x8xf32>
      %t = tile.full 0.0 : !tile.tile<1x8xf32>
      %u = tile.set %x into %t[%c0, %c0] : !tile.tile<1x8xf32>
      tile.store %u, %o[%c0, %c0] : !tile.tile<1x8xf32>, memref<1x8xf32>
    }
  }
  return
}

// -----

// A scalar written into a tile that a vector op then reads: tile.set (S)
// then tile.adds (V) needs S -> V. The set's dest (the full) is used again
// after the set, so the set is not in place: its own V TMOV of the dest and
// V -> S hand-off (event id 7, kept for it) come from the emitter; across
// ops the pass orders the full before the set's TMOV with a vector barrier
// and the set's scalar write before adds with an S -> V pair. No V -> S
// pair of the pass may take event id 7.
// CHECK-LABEL: func.func @set_then_vector_read
// adds (in place over the set's result, after the set's TMOV) also needs
// a vector barrier, and the store of its result an S -> MTE3 pair.
// CHECK: tile.full
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.set %{{.*}} {place = #tile.place<ub, 32>}
// CHECK-NEXT: tile.set_flag s -> mte3, 0
// CHECK-NEXT: tile.set_flag s -> v, 0
// CHECK-NEXT: tile.wait_flag s -> v, 0
// CHECK-NEXT: tile.barrier v
// CHECK-NEXT: tile.adds
// CHECK-NOT: -> s, 7
func.func @set_then_vector_read(%o: memref<2x8xf32>, %f: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 1 (%b) {
    // expected-remark @below {{inserted 3 set/wait pairs (0 loop-carried), 2 vector barriers, 1 event ids}}
    tile.at vector {
      %t = tile.full 1.0 : !tile.tile<1x8xf32>
      %u = tile.set %f into %t[%c0, %c1] : !tile.tile<1x8xf32>
      %w = tile.adds %u, %f : !tile.tile<1x8xf32>
      tile.store %w, %o[%c0, %c0] : !tile.tile<1x8xf32>, memref<2x8xf32>
      tile.store %t, %o[%c1, %c0] : !tile.tile<1x8xf32>, memref<2x8xf32>
    }
  }
  return
}

