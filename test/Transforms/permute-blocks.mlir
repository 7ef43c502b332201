// RUN: tessel-opt %s -tile-permute-blocks=order=reverse | FileCheck %s --check-prefix=REV
// RUN: tessel-opt %s -tile-permute-blocks="order=shuffle seed=3" | FileCheck %s --check-prefix=SHUF
// RUN: tessel-opt %s -tile-permute-blocks | FileCheck %s --check-prefix=FWD

// Reverse: block b runs what block 3 - b ran, the permutation placed at the
// start of the scope that uses the block index.
// REV: tile.spmd 4 name("rows") (%[[B:.*]]) {
// REV-NEXT: tile.at vector {
// REV-NEXT: %[[C3:.*]] = arith.constant 3 : index
// REV-NEXT: %[[P:.*]] = arith.subi %[[C3]], %[[B]] : index
// REV: arith.muli %[[P]], %{{.*}} : index

// Shuffle: (a * b + c) mod 4 with a odd.
// SHUF: arith.muli %{{.*}}, %{{.*}} : index
// SHUF: arith.addi
// SHUF: arith.remui %{{.*}}, %{{.*}} : index

// Forward changes nothing.
// FWD: %[[R:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// FWD-NOT: arith.subi
func.func @k(%out: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  tile.spmd 4 name("rows") (%b) {
    tile.at vector {
      %r = arith.muli %b, %c8 : index
      %x = tile.full 1.0 : !tile.tile<8x16xf32>
      tile.store %x, %out[%r, %c0] : !tile.tile<8x16xf32>, memref<32x16xf32>
    }
  }
  return
}
