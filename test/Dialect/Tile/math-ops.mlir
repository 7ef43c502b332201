// The ops of TileMathOps.td: tile.sin, tile.cos, tile.fmod, tile.rem and
// the scalar forms tile.fmods, tile.rems, in f32 and f16; custom form,
// generic form and back print the same text.
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @math_ops
func.func @math_ops() {
  %three = arith.constant 3.0 : f32
  %h = arith.constant -2.5 : f16
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full -7.0 : !tile.tile<8x16xf32>
      %y = tile.full 3.0 : !tile.tile<8x16xf32>
      // CHECK: tile.sin %{{.*}} : !tile.tile<8x16xf32>
      %s = tile.sin %x : !tile.tile<8x16xf32>
      // CHECK: tile.cos %{{.*}} : !tile.tile<8x16xf32>
      %c = tile.cos %s : !tile.tile<8x16xf32>
      // CHECK: tile.fmod %{{.*}}, %{{.*}} : !tile.tile<8x16xf32>
      %f = tile.fmod %x, %y : !tile.tile<8x16xf32>
      // CHECK: tile.rem %{{.*}}, %{{.*}} : !tile.tile<8x16xf32>
      %r = tile.rem %x, %y : !tile.tile<8x16xf32>
      // CHECK: tile.fmods %{{.*}}, %{{.*}} : !tile.tile<8x16xf32>
      %fs = tile.fmods %x, %three : !tile.tile<8x16xf32>
      // CHECK: tile.rems %{{.*}}, %{{.*}} : !tile.tile<8x16xf32>
      %rs = tile.rems %x, %three : !tile.tile<8x16xf32>
      %xh = tile.full 5.5 : !tile.tile<8x16xf16>
      // CHECK: tile.sin %{{.*}} : !tile.tile<8x16xf16>
      %sh = tile.sin %xh : !tile.tile<8x16xf16>
      // CHECK: tile.cos %{{.*}} : !tile.tile<8x16xf16>
      %ch = tile.cos %xh : !tile.tile<8x16xf16>
      // CHECK: tile.fmod %{{.*}}, %{{.*}} : !tile.tile<8x16xf16>
      %fh = tile.fmod %sh, %ch : !tile.tile<8x16xf16>
      // CHECK: tile.rem %{{.*}}, %{{.*}} : !tile.tile<8x16xf16>
      %rh = tile.rem %sh, %ch : !tile.tile<8x16xf16>
      // CHECK: tile.fmods %{{.*}}, %{{.*}} : !tile.tile<8x16xf16>
      %fsh = tile.fmods %xh, %h : !tile.tile<8x16xf16>
      // CHECK: tile.rems %{{.*}}, %{{.*}} : !tile.tile<8x16xf16>
      %rsh = tile.rems %xh, %h : !tile.tile<8x16xf16>
    }
  }
  return
}
