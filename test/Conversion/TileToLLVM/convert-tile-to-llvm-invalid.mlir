// RUN: tessel-opt %s -split-input-file -convert-tile-to-llvm -verify-diagnostics

// Placement errors surface through the one-shot lowering too: a2a3 UB has
// 188416 usable bytes, 200000 + 64 > 188416.
func.func @placement_checked_before_lowering(%a: memref<1x16xf32>) attributes {tile.placed} {
  tile.spmd 1 (%b) {
    tile.at vector {
      %c0 = arith.constant 0 : index
      // expected-error @below {{placement exceeds the usable ub of a2a3: offset 200000 + 1 x 64 = 200064 > 188416 bytes}}
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 200000>} : memref<1x16xf32> -> !tile.tile<1x16xf32>
      tile.store %x, %a[%c0, %c0] : !tile.tile<1x16xf32>, memref<1x16xf32>
    }
  }
  return
}
