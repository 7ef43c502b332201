// The CPU lowering of TileMathOps.td: sin / cos are math.sin / math.cos,
// fmod is arith.remf (LLVM frem, the host fmodf), rem corrects it by
// adding the divisor where r != 0 and sign(r) != sign(y)
// (rem(-7, 3): fmod = -1, signs differ -> -1 + 3 = 2). f16 is widened to
// f32 and narrowed once at the store.
//
// RUN: tessel-opt %s -split-input-file -convert-tile-to-scf | FileCheck %s

// CHECK-LABEL: func.func @math_ops
// CHECK:         math.sin %{{.*}} : vector<16xf32>
// CHECK:         math.cos %{{.*}} : vector<16xf32>
// CHECK:         arith.remf %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK:         %[[R:.*]] = arith.remf %{{.*}}, %[[Y:.*]] : vector<16xf32>
// CHECK:         %[[RNEG:.*]] = arith.cmpf olt, %[[R]]
// CHECK:         %[[YNEG:.*]] = arith.cmpf olt, %[[Y]]
// CHECK:         %[[NZ:.*]] = arith.cmpf one, %[[R]]
// CHECK:         %[[DIFF:.*]] = arith.xori %[[RNEG]], %[[YNEG]]
// CHECK:         %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]]
// CHECK:         %[[SUM:.*]] = arith.addf %[[R]], %[[Y]]
// CHECK:         arith.select %[[FIX]], %[[SUM]], %[[R]]
// The scalar forms broadcast the scalar (f16: extended to f32 first).
// CHECK:         arith.extf %{{.*}} : f16 to f32
// CHECK:         vector.broadcast
// CHECK:         arith.remf
// CHECK:         arith.truncf
// CHECK-NOT:     tile.
func.func @math_ops(%a: memref<16x32xf32>, %o: memref<16x32xf32>, %h: memref<16x32xf16>, %p: memref<16x32xf16>) {
  %c0 = arith.constant 0 : index
  %s = arith.constant 2.5 : f16
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %sn = tile.sin %x : !tile.tile<16x32xf32>
      %cs = tile.cos %sn : !tile.tile<16x32xf32>
      %f = tile.fmod %cs, %x : !tile.tile<16x32xf32>
      %r = tile.rem %f, %x : !tile.tile<16x32xf32>
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
      %y = tile.load %h[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
      %q = tile.rems %y, %s : !tile.tile<16x32xf16>
      tile.store %q, %p[%c0, %c0] : !tile.tile<16x32xf16>, memref<16x32xf16>
    }
  }
  return
}
