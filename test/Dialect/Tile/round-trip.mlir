// Every op, attribute and type of the tile dialect, parsed and printed in
// custom form, and again after a trip through the generic form and through
// bytecode: all must print the same text.
//
// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s
// RUN: tessel-opt %s > %t.custom
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt --mlir-print-op-generic | tessel-opt > %t.generic
// RUN: diff %t.custom %t.generic
// RUN: tessel-opt %s -emit-bytecode | tessel-opt > %t.bytecode
// RUN: diff %t.custom %t.bytecode

// CHECK: module attributes {tile.target = #tile.target<a5>}
module attributes {tile.target = #tile.target<a5>} {

//===----------------------------------------------------------------------===//
// Types and attributes
//===----------------------------------------------------------------------===//

// Every legal element type, the smallest and a large shape.
// CHECK-LABEL: func.func private @tile_types
// CHECK-SAME: (!tile.tile<1x1xbf16>, !tile.tile<16x32xf16>, !tile.tile<128x256xf32>, !tile.tile<2x3xi8>, !tile.tile<64x1xi32>)
// CHECK-SAME: attributes {tile.memories = [#tile.memory<gm>, #tile.memory<ub>, #tile.memory<l1>, #tile.memory<l0a>, #tile.memory<l0b>, #tile.memory<l0c>]}
func.func private @tile_types(!tile.tile<1x1xbf16>, !tile.tile<16x32xf16>, !tile.tile<128x256xf32>, !tile.tile<2x3xi8>, !tile.tile<64x1xi32>) attributes {tile.memories = [#tile.memory<gm>, #tile.memory<ub>, #tile.memory<l1>, #tile.memory<l0a>, #tile.memory<l0b>, #tile.memory<l0c>]}

// A function may name its own target; a placement with the default single
// slot prints without `slots`.
// CHECK-LABEL: func.func private @attrs
// CHECK-SAME: tile.place1 = #tile.place<ub, 1024, slots = 2>
// CHECK-SAME: tile.place2 = #tile.place<l0c, 0>
// CHECK-SAME: tile.place3 = #tile.place<l1, 512, slots = 3>
// CHECK-SAME: tile.target = #tile.target<a2a3>
func.func private @attrs() attributes {tile.target = #tile.target<a2a3>, tile.place1 = #tile.place<ub, 1024, slots = 2>, tile.place2 = #tile.place<l0c, 0, slots = 1>, tile.place3 = #tile.place<l1, 512, slots = 3>}

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @spmd_and_at
// CHECK: tile.spmd 8 name("kv_rms_norm") ([[B:%.*]]) {
// CHECK-NEXT: tile.at vector {
// CHECK-NEXT: arith.addi [[B]], [[B]] : index
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK: tile.spmd 1 ({{%.*}}) {
// CHECK-NEXT: tile.at cube {
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK: tile.spmd 24 name("say \22hi\22\0A") ({{%.*}}) attributes {tessel.note = "x"} {
// CHECK-NEXT: tile.at core_group attributes {tessel.note = "y"} {
// CHECK-NEXT: }
// CHECK-NEXT: }
func.func @spmd_and_at() {
  tile.spmd 8 name("kv_rms_norm") (%b) {
    tile.at vector {
      %x = arith.addi %b, %b : index
    }
  }
  tile.spmd 1 (%b) {
    tile.at cube {
    }
  }
  tile.spmd 24 name("say \"hi\"\n") (%b) attributes {tessel.note = "x"} {
    tile.at core_group attributes {tessel.note = "y"} {
      tile.yield
    }
  }
  return
}

// Pipelines without iter_args (implicit terminator), with one and with two
// loop-carried tiles, nested, and with an attribute dictionary.
// CHECK-LABEL: func.func @pipelines
// CHECK: tile.pipeline [[I:%.*]] = [[C0:%.*]] to [[C16:%.*]] step [[C1:%.*]] stages(2) {
// CHECK-NEXT: tile.load %{{.*}}[[[I]], [[C0]]] : memref<16x32xf32> -> !tile.tile<1x32xf32>
// CHECK-NEXT: }
// CHECK: [[R:%.*]] = tile.pipeline [[J:%.*]] = [[C0]] to [[C16]] step [[C1]] stages(3) iter_args([[ACC:%.*]] = [[Z:%.*]]) -> (!tile.tile<1x32xf32>) {
// CHECK-NEXT: [[X:%.*]] = tile.load %{{.*}}[[[J]], [[C0]]]
// CHECK-NEXT: [[N:%.*]] = tile.add [[ACC]], [[X]] : !tile.tile<1x32xf32>
// CHECK-NEXT: tile.yield [[N]] : !tile.tile<1x32xf32>
// CHECK-NEXT: }
// CHECK: {{%.*}}:2 = tile.pipeline {{%.*}} = [[C0]] to [[C16]] step {{%.*}} stages(1) iter_args({{%.*}} = [[R]], {{%.*}} = [[Z]]) -> (!tile.tile<1x32xf32>, !tile.tile<1x32xf32>) attributes {tessel.note = "outer"} {
// CHECK: tile.pipeline {{%.*}} = [[C0]] to [[C1]] step [[C1]] stages(2) {
// CHECK: tile.yield {{%.*}}, {{%.*}} : !tile.tile<1x32xf32>, !tile.tile<1x32xf32>
func.func @pipelines(%a: memref<16x32xf32>, %lb: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  tile.spmd 2 (%b) {
    tile.at vector {
      tile.pipeline %i = %c0 to %c16 step %c1 stages(2) {
        %x = tile.load %a[%i, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
      }
      %zero = tile.full 0.0 : !tile.tile<1x32xf32>
      %sum = tile.pipeline %j = %c0 to %c16 step %c1 stages(3) iter_args(%acc = %zero) -> (!tile.tile<1x32xf32>) {
        %x = tile.load %a[%j, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
        %n = tile.add %acc, %x : !tile.tile<1x32xf32>
        tile.yield %n : !tile.tile<1x32xf32>
      }
      %two:2 = tile.pipeline %k = %c0 to %c16 step %c2 stages(1) iter_args(%p = %sum, %q = %zero) -> (!tile.tile<1x32xf32>, !tile.tile<1x32xf32>) attributes {tessel.note = "outer"} {
        tile.pipeline %l = %c0 to %c1 step %c1 stages(2) {
        }
        %x = tile.load %a[%k, %c0] : memref<16x32xf32> -> !tile.tile<1x32xf32>
        %m = tile.max %p, %x : !tile.tile<1x32xf32>
        %s = tile.add %q, %x : !tile.tile<1x32xf32>
        tile.yield %m, %s : !tile.tile<1x32xf32>, !tile.tile<1x32xf32>
      }
      tile.store %two#0, %a[%c0, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
      tile.store %two#1, %a[%c1, %c0] : !tile.tile<1x32xf32>, memref<16x32xf32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Global memory
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @alloc_gm
// CHECK: tile.alloc_gm name("q_latent") : memref<8x1024xf32>
// CHECK: tile.alloc_gm : memref<4x4xi8>
// CHECK: tile.alloc_gm name("h") {tessel.note = "z"} : memref<2x8x64xbf16>
func.func @alloc_gm() {
  %s = tile.alloc_gm name("q_latent") : memref<8x1024xf32>
  %t = tile.alloc_gm : memref<4x4xi8>
  %u = tile.alloc_gm name("h") {tessel.note = "z"} : memref<2x8x64xbf16>
  return
}

// 2-D, 1-D (a 1 x N row) and rank-3 (unit leading dimension) slices, with
// dynamic and constant indices and a placement.
// CHECK-LABEL: func.func @load_store
// CHECK: tile.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<128x512xf32> -> !tile.tile<16x32xf32>
// CHECK: tile.load %{{.*}}[%{{.*}}] : memref<512xbf16> -> !tile.tile<1x512xbf16>
// CHECK: tile.load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] {place = #tile.place<ub, 1024, slots = 2>} : memref<4x64x128xf16> -> !tile.tile<64x128xf16>
// CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] : !tile.tile<16x32xf32>, memref<128x512xf32>
// CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}] : !tile.tile<1x512xbf16>, memref<512xbf16>
// CHECK: tile.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] {tessel.note = "w"} : !tile.tile<64x128xf16>, memref<4x64x128xf16>
func.func @load_store(%a: memref<128x512xf32>, %g: memref<512xbf16>, %h: memref<4x64x128xf16>) {
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %c112 = arith.constant 112 : index
  %c480 = arith.constant 480 : index
  tile.spmd 8 (%b) {
    tile.at vector {
      %x = tile.load %a[%c112, %c480] : memref<128x512xf32> -> !tile.tile<16x32xf32>
      %y = tile.load %g[%c0] : memref<512xbf16> -> !tile.tile<1x512xbf16>
      %z = tile.load %h[%c3, %c0, %c0] {place = #tile.place<ub, 1024, slots = 2>} : memref<4x64x128xf16> -> !tile.tile<64x128xf16>
      tile.store %x, %a[%b, %c0] : !tile.tile<16x32xf32>, memref<128x512xf32>
      tile.store %y, %g[%c0] : !tile.tile<1x512xbf16>, memref<512xbf16>
      tile.store %z, %h[%b, %c0, %c0] {tessel.note = "w"} : !tile.tile<64x128xf16>, memref<4x64x128xf16>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Constants, shapes and conversions
//===----------------------------------------------------------------------===//

// Float values, an integer literal for a float tile, negative values, the
// non-finite values, and the extremes of the integer types.
// CHECK-LABEL: func.func @full
// CHECK: tile.full 0.000000e+00 : !tile.tile<1x16xf32>
// CHECK: tile.full 1.500000e+00 : !tile.tile<1x16xf32>
// CHECK: tile.full -2.500000e+00 : !tile.tile<16x1xf32>
// CHECK: tile.full -0.000000e+00 : !tile.tile<1x1xf32>
// CHECK: tile.full 1.000000e+00 : !tile.tile<1x1xf32>
// CHECK: tile.full 9.997550e-02 : !tile.tile<2x2xf16>
// CHECK: tile.full 6.550400e+04 : !tile.tile<2x2xf16>
// CHECK: tile.full -3.000000e+00 : !tile.tile<2x2xbf16>
// CHECK: tile.full inf : !tile.tile<1x1xf32>
// CHECK: tile.full -inf : !tile.tile<16x1xf32>
// CHECK: tile.full nan : !tile.tile<1x1xf16>
// CHECK: tile.full -128 : !tile.tile<16x32xi32>
// CHECK: tile.full 127 : !tile.tile<4x4xi8>
// CHECK: tile.full -128 : !tile.tile<4x4xi8>
// CHECK: tile.full 2147483647 : !tile.tile<1x1xi32>
// CHECK: tile.full -2147483648 {tessel.note = "v"} : !tile.tile<1x1xi32>
func.func @full() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %0 = tile.full 0.0 : !tile.tile<1x16xf32>
      %1 = tile.full 1.5 : !tile.tile<1x16xf32>
      %2 = tile.full -2.5 : !tile.tile<16x1xf32>
      %3 = tile.full -0.0 : !tile.tile<1x1xf32>
      %4 = tile.full 1 : !tile.tile<1x1xf32>
      %5 = tile.full 0.1 : !tile.tile<2x2xf16>
      %6 = tile.full 65504.0 : !tile.tile<2x2xf16>
      %7 = tile.full -3 : !tile.tile<2x2xbf16>
      %8 = tile.full inf : !tile.tile<1x1xf32>
      %9 = tile.full -inf : !tile.tile<16x1xf32>
      %10 = tile.full nan : !tile.tile<1x1xf16>
      %11 = tile.full -128 : !tile.tile<16x32xi32>
      %12 = tile.full 127 : !tile.tile<4x4xi8>
      %13 = tile.full -128 : !tile.tile<4x4xi8>
      %14 = tile.full 2147483647 : !tile.tile<1x1xi32>
      %15 = tile.full -2147483648 {tessel.note = "v"} : !tile.tile<1x1xi32>
    }
  }
  return
}

// 16 x 1 = 1 x 16 = 16 elements; 8 x 64 = 16 x 32 = 512 elements.
// CHECK-LABEL: func.func @reshape
// CHECK: tile.reshape %{{.*}} : !tile.tile<16x1xf32> -> !tile.tile<1x16xf32>
// CHECK: tile.reshape %{{.*}} : !tile.tile<8x64xbf16> -> !tile.tile<16x32xbf16>
// CHECK: tile.reshape %{{.*}} : !tile.tile<4x4xi8> -> !tile.tile<4x4xi8>
func.func @reshape() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %a = tile.full 1.0 : !tile.tile<16x1xf32>
      %r = tile.reshape %a : !tile.tile<16x1xf32> -> !tile.tile<1x16xf32>
      %c = tile.full 2.0 : !tile.tile<8x64xbf16>
      %d = tile.reshape %c : !tile.tile<8x64xbf16> -> !tile.tile<16x32xbf16>
      %e = tile.full 3 : !tile.tile<4x4xi8>
      %f = tile.reshape %e : !tile.tile<4x4xi8> -> !tile.tile<4x4xi8>
    }
  }
  return
}

// Every legal (from -> to, mode) combination of tile.cast.
// CHECK-LABEL: func.func @cast
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} none : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
// CHECK: tile.cast %{{.*}} rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} round : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} trunc : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} floor : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
// CHECK: tile.cast %{{.*}} ceil : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
func.func @cast(%f32m: memref<8x32xf32>, %f16m: memref<8x32xf16>, %bf16m: memref<8x32xbf16>, %i8m: memref<8x32xi8>, %i32m: memref<8x32xi32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      %f32 = tile.load %f32m[%c0, %c0] : memref<8x32xf32> -> !tile.tile<8x32xf32>
      %f16 = tile.load %f16m[%c0, %c0] : memref<8x32xf16> -> !tile.tile<8x32xf16>
      %bf16 = tile.load %bf16m[%c0, %c0] : memref<8x32xbf16> -> !tile.tile<8x32xbf16>
      %i8 = tile.load %i8m[%c0, %c0] : memref<8x32xi8> -> !tile.tile<8x32xi8>
      %i32 = tile.load %i32m[%c0, %c0] : memref<8x32xi32> -> !tile.tile<8x32xi32>
      %f32_f16_none = tile.cast %f32 none : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
      %f32_f16_rint = tile.cast %f32 rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
      %f32_f16_round = tile.cast %f32 round : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
      %f32_f16_trunc = tile.cast %f32 trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
      %f32_f16_floor = tile.cast %f32 floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
      %f32_f16_ceil = tile.cast %f32 ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xf16>
      %f32_bf16_none = tile.cast %f32 none : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
      %f32_bf16_rint = tile.cast %f32 rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
      %f32_bf16_round = tile.cast %f32 round : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
      %f32_bf16_trunc = tile.cast %f32 trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
      %f32_bf16_floor = tile.cast %f32 floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
      %f32_bf16_ceil = tile.cast %f32 ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
      %f32_i32_rint = tile.cast %f32 rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
      %f32_i32_round = tile.cast %f32 round : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
      %f32_i32_trunc = tile.cast %f32 trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
      %f32_i32_floor = tile.cast %f32 floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
      %f32_i32_ceil = tile.cast %f32 ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
      %f32_f32_rint = tile.cast %f32 rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
      %f32_f32_round = tile.cast %f32 round : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
      %f32_f32_trunc = tile.cast %f32 trunc : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
      %f32_f32_floor = tile.cast %f32 floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
      %f32_f32_ceil = tile.cast %f32 ceil : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
      %f16_i32_rint = tile.cast %f16 rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
      %f16_i32_round = tile.cast %f16 round : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
      %f16_i32_trunc = tile.cast %f16 trunc : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
      %f16_i32_floor = tile.cast %f16 floor : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
      %f16_i32_ceil = tile.cast %f16 ceil : !tile.tile<8x32xf16> -> !tile.tile<8x32xi32>
      %f16_i8_none = tile.cast %f16 none : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
      %f16_i8_rint = tile.cast %f16 rint : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
      %f16_i8_round = tile.cast %f16 round : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
      %f16_i8_trunc = tile.cast %f16 trunc : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
      %f16_i8_floor = tile.cast %f16 floor : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
      %f16_i8_ceil = tile.cast %f16 ceil : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
      %f16_f32_none = tile.cast %f16 none : !tile.tile<8x32xf16> -> !tile.tile<8x32xf32>
      %bf16_f32_none = tile.cast %bf16 none : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
      %i8_f16_none = tile.cast %i8 none : !tile.tile<8x32xi8> -> !tile.tile<8x32xf16>
      %i32_f32_none = tile.cast %i32 none : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
      %i32_f32_rint = tile.cast %i32 rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
      %i32_f32_round = tile.cast %i32 round : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
      %i32_f32_trunc = tile.cast %i32 trunc : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
      %i32_f32_floor = tile.cast %i32 floor : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
      %i32_f32_ceil = tile.cast %i32 ceil : !tile.tile<8x32xi32> -> !tile.tile<8x32xf32>
      %i32_f16_rint = tile.cast %i32 rint : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
      %i32_f16_round = tile.cast %i32 round : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
      %i32_f16_trunc = tile.cast %i32 trunc : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
      %i32_f16_floor = tile.cast %i32 floor : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
      %i32_f16_ceil = tile.cast %i32 ceil : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

// Binary ops on f32, f16 and i32 tiles (div on floats only).
// CHECK-LABEL: func.func @binary
// CHECK: tile.add %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>
// CHECK: tile.sub %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>
// CHECK: tile.mul %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>
// CHECK: tile.div %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>
// CHECK: tile.max %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>
// CHECK: tile.min %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>
// CHECK: tile.add %{{.*}}, %{{.*}} : !tile.tile<16x32xf16>
// CHECK: tile.sub %{{.*}}, %{{.*}} : !tile.tile<16x32xf16>
// CHECK: tile.mul %{{.*}}, %{{.*}} : !tile.tile<16x32xf16>
// CHECK: tile.div %{{.*}}, %{{.*}} : !tile.tile<16x32xf16>
// CHECK: tile.max %{{.*}}, %{{.*}} : !tile.tile<16x32xf16>
// CHECK: tile.min %{{.*}}, %{{.*}} : !tile.tile<16x32xf16>
// CHECK: tile.add %{{.*}}, %{{.*}} : !tile.tile<16x32xi32>
// CHECK: tile.sub %{{.*}}, %{{.*}} : !tile.tile<16x32xi32>
// CHECK: tile.mul %{{.*}}, %{{.*}} : !tile.tile<16x32xi32>
// CHECK: tile.max %{{.*}}, %{{.*}} : !tile.tile<16x32xi32>
// CHECK: tile.min %{{.*}}, %{{.*}} : !tile.tile<16x32xi32>
// CHECK: tile.add %{{.*}}, %{{.*}} {tessel.note = "u"} : !tile.tile<16x32xf32>
func.func @binary() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %f32 = tile.full 2 : !tile.tile<16x32xf32>
      %add_f32 = tile.add %f32, %f32 : !tile.tile<16x32xf32>
      %sub_f32 = tile.sub %f32, %f32 : !tile.tile<16x32xf32>
      %mul_f32 = tile.mul %f32, %f32 : !tile.tile<16x32xf32>
      %div_f32 = tile.div %f32, %f32 : !tile.tile<16x32xf32>
      %max_f32 = tile.max %f32, %f32 : !tile.tile<16x32xf32>
      %min_f32 = tile.min %f32, %f32 : !tile.tile<16x32xf32>
      %f16 = tile.full 2 : !tile.tile<16x32xf16>
      %add_f16 = tile.add %f16, %f16 : !tile.tile<16x32xf16>
      %sub_f16 = tile.sub %f16, %f16 : !tile.tile<16x32xf16>
      %mul_f16 = tile.mul %f16, %f16 : !tile.tile<16x32xf16>
      %div_f16 = tile.div %f16, %f16 : !tile.tile<16x32xf16>
      %max_f16 = tile.max %f16, %f16 : !tile.tile<16x32xf16>
      %min_f16 = tile.min %f16, %f16 : !tile.tile<16x32xf16>
      %i32 = tile.full 2 : !tile.tile<16x32xi32>
      %add_i32 = tile.add %i32, %i32 : !tile.tile<16x32xi32>
      %sub_i32 = tile.sub %i32, %i32 : !tile.tile<16x32xi32>
      %mul_i32 = tile.mul %i32, %i32 : !tile.tile<16x32xi32>
      %max_i32 = tile.max %i32, %i32 : !tile.tile<16x32xi32>
      %min_i32 = tile.min %i32, %i32 : !tile.tile<16x32xi32>
      %attr = tile.add %f32, %f32 {tessel.note = "u"} : !tile.tile<16x32xf32>
    }
  }
  return
}

// Tile-scalar ops; the scalar has the tile's element type (divs and rdivs on
// floats only).
// CHECK-LABEL: func.func @scalar
// CHECK: tile.adds %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.subs %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.rsubs %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.muls %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.divs %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.rdivs %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.maxs %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.mins %{{.*}}, %{{.*}} : !tile.tile<16x1xf32>
// CHECK: tile.adds %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.subs %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.rsubs %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.muls %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.divs %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.rdivs %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.maxs %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.mins %{{.*}}, %{{.*}} : !tile.tile<16x1xf16>
// CHECK: tile.adds %{{.*}}, %{{.*}} : !tile.tile<16x1xi32>
// CHECK: tile.subs %{{.*}}, %{{.*}} : !tile.tile<16x1xi32>
// CHECK: tile.rsubs %{{.*}}, %{{.*}} : !tile.tile<16x1xi32>
// CHECK: tile.muls %{{.*}}, %{{.*}} : !tile.tile<16x1xi32>
// CHECK: tile.maxs %{{.*}}, %{{.*}} : !tile.tile<16x1xi32>
// CHECK: tile.mins %{{.*}}, %{{.*}} : !tile.tile<16x1xi32>
func.func @scalar() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %f32 = tile.full 2 : !tile.tile<16x1xf32>
      %s_f32 = arith.constant 1.0e-06 : f32
      %adds_f32 = tile.adds %f32, %s_f32 : !tile.tile<16x1xf32>
      %subs_f32 = tile.subs %f32, %s_f32 : !tile.tile<16x1xf32>
      %rsubs_f32 = tile.rsubs %f32, %s_f32 : !tile.tile<16x1xf32>
      %muls_f32 = tile.muls %f32, %s_f32 : !tile.tile<16x1xf32>
      %divs_f32 = tile.divs %f32, %s_f32 : !tile.tile<16x1xf32>
      %rdivs_f32 = tile.rdivs %f32, %s_f32 : !tile.tile<16x1xf32>
      %maxs_f32 = tile.maxs %f32, %s_f32 : !tile.tile<16x1xf32>
      %mins_f32 = tile.mins %f32, %s_f32 : !tile.tile<16x1xf32>
      %f16 = tile.full 2 : !tile.tile<16x1xf16>
      %s_f16 = arith.constant 2.0 : f16
      %adds_f16 = tile.adds %f16, %s_f16 : !tile.tile<16x1xf16>
      %subs_f16 = tile.subs %f16, %s_f16 : !tile.tile<16x1xf16>
      %rsubs_f16 = tile.rsubs %f16, %s_f16 : !tile.tile<16x1xf16>
      %muls_f16 = tile.muls %f16, %s_f16 : !tile.tile<16x1xf16>
      %divs_f16 = tile.divs %f16, %s_f16 : !tile.tile<16x1xf16>
      %rdivs_f16 = tile.rdivs %f16, %s_f16 : !tile.tile<16x1xf16>
      %maxs_f16 = tile.maxs %f16, %s_f16 : !tile.tile<16x1xf16>
      %mins_f16 = tile.mins %f16, %s_f16 : !tile.tile<16x1xf16>
      %i32 = tile.full 2 : !tile.tile<16x1xi32>
      %s_i32 = arith.constant 3 : i32
      %adds_i32 = tile.adds %i32, %s_i32 : !tile.tile<16x1xi32>
      %subs_i32 = tile.subs %i32, %s_i32 : !tile.tile<16x1xi32>
      %rsubs_i32 = tile.rsubs %i32, %s_i32 : !tile.tile<16x1xi32>
      %muls_i32 = tile.muls %i32, %s_i32 : !tile.tile<16x1xi32>
      %maxs_i32 = tile.maxs %i32, %s_i32 : !tile.tile<16x1xi32>
      %mins_i32 = tile.mins %i32, %s_i32 : !tile.tile<16x1xi32>
    }
  }
  return
}

// Unary ops: neg and abs on f32, f16 and i32; the others on floats.
// CHECK-LABEL: func.func @unary
// CHECK: tile.neg %{{.*}} : !tile.tile<8x16xf32>
// CHECK: tile.abs %{{.*}} : !tile.tile<8x16xf32>
// CHECK: tile.sqrt %{{.*}} : !tile.tile<8x16xf32>
// CHECK: tile.rsqrt %{{.*}} : !tile.tile<8x16xf32>
// CHECK: tile.recip %{{.*}} : !tile.tile<8x16xf32>
// CHECK: tile.exp %{{.*}} : !tile.tile<8x16xf32>
// CHECK: tile.neg %{{.*}} : !tile.tile<8x16xf16>
// CHECK: tile.abs %{{.*}} : !tile.tile<8x16xf16>
// CHECK: tile.sqrt %{{.*}} : !tile.tile<8x16xf16>
// CHECK: tile.rsqrt %{{.*}} : !tile.tile<8x16xf16>
// CHECK: tile.recip %{{.*}} : !tile.tile<8x16xf16>
// CHECK: tile.exp %{{.*}} : !tile.tile<8x16xf16>
// CHECK: tile.neg %{{.*}} : !tile.tile<8x16xi32>
// CHECK: tile.abs %{{.*}} : !tile.tile<8x16xi32>
func.func @unary() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %f32 = tile.full 4 : !tile.tile<8x16xf32>
      %neg_f32 = tile.neg %f32 : !tile.tile<8x16xf32>
      %abs_f32 = tile.abs %f32 : !tile.tile<8x16xf32>
      %sqrt_f32 = tile.sqrt %f32 : !tile.tile<8x16xf32>
      %rsqrt_f32 = tile.rsqrt %f32 : !tile.tile<8x16xf32>
      %recip_f32 = tile.recip %f32 : !tile.tile<8x16xf32>
      %exp_f32 = tile.exp %f32 : !tile.tile<8x16xf32>
      %f16 = tile.full 4 : !tile.tile<8x16xf16>
      %neg_f16 = tile.neg %f16 : !tile.tile<8x16xf16>
      %abs_f16 = tile.abs %f16 : !tile.tile<8x16xf16>
      %sqrt_f16 = tile.sqrt %f16 : !tile.tile<8x16xf16>
      %rsqrt_f16 = tile.rsqrt %f16 : !tile.tile<8x16xf16>
      %recip_f16 = tile.recip %f16 : !tile.tile<8x16xf16>
      %exp_f16 = tile.exp %f16 : !tile.tile<8x16xf16>
      %i32 = tile.full 4 : !tile.tile<8x16xi32>
      %neg_i32 = tile.neg %i32 : !tile.tile<8x16xi32>
      %abs_i32 = tile.abs %i32 : !tile.tile<8x16xi32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Broadcasts and reductions
//===----------------------------------------------------------------------===//

// A [16, 32] tile scaled per row by [16, 1] and per column by [1, 32].
// CHECK-LABEL: func.func @expand_mul
// CHECK: tile.row_expand_mul %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
// CHECK: tile.col_expand_mul %{{.*}}, %{{.*}} : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
// CHECK: tile.row_expand_mul %{{.*}}, %{{.*}} : !tile.tile<8x8xf16>, !tile.tile<8x1xf16>
// CHECK: tile.col_expand_mul %{{.*}}, %{{.*}} : !tile.tile<4x64xi32>, !tile.tile<1x64xi32>
func.func @expand_mul() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %r = tile.full 2.0 : !tile.tile<16x1xf32>
      %g = tile.full 3.0 : !tile.tile<1x32xf32>
      %y = tile.row_expand_mul %x, %r : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %z = tile.col_expand_mul %y, %g : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
      %h = tile.full 1.0 : !tile.tile<8x8xf16>
      %hr = tile.full 1.0 : !tile.tile<8x1xf16>
      %hy = tile.row_expand_mul %h, %hr : !tile.tile<8x8xf16>, !tile.tile<8x1xf16>
      %i = tile.full 1 : !tile.tile<4x64xi32>
      %ic = tile.full 2 : !tile.tile<1x64xi32>
      %iy = tile.col_expand_mul %i, %ic : !tile.tile<4x64xi32>, !tile.tile<1x64xi32>
    }
  }
  return
}

// [16, 32] -> [16, 1] and [1, 8] -> [1, 1].
// CHECK-LABEL: func.func @row_reduce
// CHECK: tile.row_sum %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
// CHECK: tile.row_max %{{.*}} : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
// CHECK: tile.row_sum %{{.*}} : !tile.tile<1x8xf16> -> !tile.tile<1x1xf16>
// CHECK: tile.row_max %{{.*}} : !tile.tile<1x8xf16> -> !tile.tile<1x1xf16>
func.func @row_reduce() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<16x32xf32>
      %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %m = tile.row_max %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %h = tile.full 1.0 : !tile.tile<1x8xf16>
      %hs = tile.row_sum %h : !tile.tile<1x8xf16> -> !tile.tile<1x1xf16>
      %hm = tile.row_max %h : !tile.tile<1x8xf16> -> !tile.tile<1x1xf16>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Even/odd column gather and scatter
//===----------------------------------------------------------------------===//

// RoPE: [8, 64] splits into its even and odd columns, [8, 32] each, and they
// are written back; 16-bit (f16, bf16) and 32-bit (f32, i32) elements.
// CHECK-LABEL: func.func @gather_scatter
// CHECK: [[X:%.*]] = tile.full
// CHECK: [[E:%.*]] = tile.gather [[X]] p0101 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
// CHECK: [[O:%.*]] = tile.gather [[X]] p1010 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
// CHECK: [[Y:%.*]] = tile.scatter [[O]] into [[X]] p0101 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
// CHECK: tile.scatter [[E]] into [[Y]] p1010 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
// CHECK: tile.gather %{{.*}} p1010 : !tile.tile<2x16xf16> -> !tile.tile<2x8xf16>
// CHECK: tile.scatter %{{.*}} into %{{.*}} p0101 : !tile.tile<2x8xf16> -> !tile.tile<2x16xf16>
// CHECK: tile.gather %{{.*}} p0101 : !tile.tile<1x2xbf16> -> !tile.tile<1x1xbf16>
// CHECK: tile.gather %{{.*}} p0101 : !tile.tile<4x4xi32> -> !tile.tile<4x2xi32>
func.func @gather_scatter() {
  tile.spmd 1 (%b) {
    tile.at vector {
      %x = tile.full 1.0 : !tile.tile<8x64xf32>
      %e = tile.gather %x p0101 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
      %o = tile.gather %x p1010 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
      %y = tile.scatter %o into %x p0101 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
      %z = tile.scatter %e into %y p1010 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
      %h = tile.full 1.0 : !tile.tile<2x16xf16>
      %ho = tile.gather %h p1010 : !tile.tile<2x16xf16> -> !tile.tile<2x8xf16>
      %hy = tile.scatter %ho into %h p0101 : !tile.tile<2x8xf16> -> !tile.tile<2x16xf16>
      %bf = tile.full 1.0 : !tile.tile<1x2xbf16>
      %bfe = tile.gather %bf p0101 : !tile.tile<1x2xbf16> -> !tile.tile<1x1xbf16>
      %i = tile.full 7 : !tile.tile<4x4xi32>
      %ie = tile.gather %i p0101 : !tile.tile<4x4xi32> -> !tile.tile<4x2xi32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// Cube
//===----------------------------------------------------------------------===//

// [16, 64] x [64, 128] -> [16, 128] for bf16 and f16 (f32 result) and i8
// (i32 result), each also accumulated into the previous result.
// CHECK-LABEL: func.func @matmul
// CHECK: tile.at cube {
// CHECK: [[C:%.*]] = tile.matmul [[A:%.*]], [[B:%.*]] {place = #tile.place<l0c, 0>} : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
// CHECK: tile.matmul_acc [[C]], [[A]], [[B]] : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
// CHECK: [[HC:%.*]] = tile.matmul [[HA:%.*]], [[HB:%.*]] : !tile.tile<16x64xf16>, !tile.tile<64x128xf16> -> !tile.tile<16x128xf32>
// CHECK: tile.matmul_acc [[HC]], [[HA]], [[HB]] : !tile.tile<16x64xf16>, !tile.tile<64x128xf16> -> !tile.tile<16x128xf32>
// CHECK: [[IC:%.*]] = tile.matmul [[IA:%.*]], [[IB:%.*]] : !tile.tile<16x64xi8>, !tile.tile<64x128xi8> -> !tile.tile<16x128xi32>
// CHECK: tile.matmul_acc [[IC]], [[IA]], [[IB]] : !tile.tile<16x64xi8>, !tile.tile<64x128xi8> -> !tile.tile<16x128xi32>
// CHECK: tile.store
func.func @matmul(%a: memref<16x64xbf16>, %b: memref<64x128xbf16>, %ha: memref<16x64xf16>, %hb: memref<64x128xf16>, %ia: memref<16x64xi8>, %ib: memref<64x128xi8>, %c: memref<16x128xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<l0a, 0>} : memref<16x64xbf16> -> !tile.tile<16x64xbf16>
      %y = tile.load %b[%c0, %c0] {place = #tile.place<l0b, 0>} : memref<64x128xbf16> -> !tile.tile<64x128xbf16>
      %m = tile.matmul %x, %y {place = #tile.place<l0c, 0>} : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
      %n = tile.matmul_acc %m, %x, %y : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
      %hx = tile.load %ha[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
      %hy = tile.load %hb[%c0, %c0] : memref<64x128xf16> -> !tile.tile<64x128xf16>
      %hm = tile.matmul %hx, %hy : !tile.tile<16x64xf16>, !tile.tile<64x128xf16> -> !tile.tile<16x128xf32>
      %hn = tile.matmul_acc %hm, %hx, %hy : !tile.tile<16x64xf16>, !tile.tile<64x128xf16> -> !tile.tile<16x128xf32>
      %ix = tile.load %ia[%c0, %c0] : memref<16x64xi8> -> !tile.tile<16x64xi8>
      %iy = tile.load %ib[%c0, %c0] : memref<64x128xi8> -> !tile.tile<64x128xi8>
      %im = tile.matmul %ix, %iy : !tile.tile<16x64xi8>, !tile.tile<64x128xi8> -> !tile.tile<16x128xi32>
      %in = tile.matmul_acc %im, %ix, %iy : !tile.tile<16x64xi8>, !tile.tile<64x128xi8> -> !tile.tile<16x128xi32>
      tile.store %n, %c[%c0, %c0] : !tile.tile<16x128xf32>, memref<16x128xf32>
    }
  }
  return
}

// f32 x f32 -> f32 and the transposed forms: a_trans reads lhs stored
// [K, M] = [64, 16] as [16, 64]; b_trans reads rhs stored [N, K] = [32, 64]
// as [64, 32]; both: [16, 64] x [64, 32] -> [16, 32] every time.
// CHECK-LABEL: func.func @matmul_f32_and_transposed
// CHECK: [[F:%.*]] = tile.matmul [[FA:%.*]], [[FB:%.*]] : !tile.tile<16x64xf32>, !tile.tile<64x32xf32> -> !tile.tile<16x32xf32>
// CHECK: tile.matmul [[TA:%.*]], [[FB]] a_trans : !tile.tile<64x16xf32>, !tile.tile<64x32xf32> -> !tile.tile<16x32xf32>
// CHECK: tile.matmul [[FA]], [[TB:%.*]] b_trans : !tile.tile<16x64xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
// CHECK: tile.matmul [[TA]], [[TB]] a_trans b_trans : !tile.tile<64x16xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
// CHECK: tile.matmul_acc [[F]], [[FA]], [[TB]] b_trans : !tile.tile<16x64xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
// CHECK: tile.matmul_acc [[F]], [[TA]], [[TB]] a_trans b_trans : !tile.tile<64x16xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
func.func @matmul_f32_and_transposed(%a: memref<16x64xf32>, %at: memref<64x16xf32>, %b: memref<64x32xf32>, %bt: memref<32x64xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 (%blk) {
    tile.at cube {
      %x = tile.load %a[%c0, %c0] : memref<16x64xf32> -> !tile.tile<16x64xf32>
      %xt = tile.load %at[%c0, %c0] : memref<64x16xf32> -> !tile.tile<64x16xf32>
      %y = tile.load %b[%c0, %c0] : memref<64x32xf32> -> !tile.tile<64x32xf32>
      %yt = tile.load %bt[%c0, %c0] : memref<32x64xf32> -> !tile.tile<32x64xf32>
      %m = tile.matmul %x, %y : !tile.tile<16x64xf32>, !tile.tile<64x32xf32> -> !tile.tile<16x32xf32>
      %m1 = tile.matmul %xt, %y a_trans : !tile.tile<64x16xf32>, !tile.tile<64x32xf32> -> !tile.tile<16x32xf32>
      %m2 = tile.matmul %x, %yt b_trans : !tile.tile<16x64xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
      %m3 = tile.matmul %xt, %yt a_trans b_trans : !tile.tile<64x16xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
      %n = tile.matmul_acc %m, %x, %yt b_trans : !tile.tile<16x64xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
      %n2 = tile.matmul_acc %m, %xt, %yt a_trans b_trans : !tile.tile<64x16xf32>, !tile.tile<32x64xf32> -> !tile.tile<16x32xf32>
    }
  }
  return
}

// A core_group scope may hold both cube and vector ops (split later by
// tile-split-mixed-scopes).
// CHECK-LABEL: func.func @core_group_mixes
// CHECK: tile.at core_group {
// CHECK: tile.matmul
// CHECK: tile.exp
func.func @core_group_mixes(%a: memref<16x16xf16>, %c: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 4 name("mixed") (%blk) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x16xf16> -> !tile.tile<16x16xf16>
      %m = tile.matmul %x, %x : !tile.tile<16x16xf16>, !tile.tile<16x16xf16> -> !tile.tile<16x16xf32>
      %e = tile.exp %m : !tile.tile<16x16xf32>
      tile.store %e, %c[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

//===----------------------------------------------------------------------===//
// A whole stage: the kv RMSNorm of the DSV4 decode kernel
//===----------------------------------------------------------------------===//

// 8 blocks x 16 tokens = 128 rows; 16 pipeline steps x 32 columns = 512.
// CHECK-LABEL: func.func @kv_rms
// CHECK: tile.spmd 8 name("kv_rms_norm")
// CHECK: tile.at vector
// CHECK: tile.pipeline
// CHECK: tile.load {{.*}} {place = #tile.place<ub, 1024, slots = 2>}
// CHECK: tile.yield
// CHECK: tile.rsqrt
// CHECK: tile.scatter
// CHECK: tile.store
func.func @kv_rms(%kv: memref<128x512xf32>, %gamma: memref<512xbf16>, %out: memref<128x512xbf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  tile.spmd 8 name("kv_rms_norm") (%b) {
    tile.at vector {
      %t0 = arith.muli %b, %c16 : index
      %zero = tile.full 0.0 : !tile.tile<16x1xf32>
      %sq = tile.pipeline %j = %c0 to %c16 step %c1 stages(2) iter_args(%acc = %zero) -> (!tile.tile<16x1xf32>) {
        %col = arith.muli %j, %c32 : index
        %x = tile.load %kv[%t0, %col] {place = #tile.place<ub, 1024, slots = 2>} : memref<128x512xf32> -> !tile.tile<16x32xf32>
        %x2 = tile.mul %x, %x : !tile.tile<16x32xf32>
        %rs = tile.row_sum %x2 : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
        %n = tile.add %acc, %rs : !tile.tile<16x1xf32>
        tile.yield %n : !tile.tile<16x1xf32>
      }
      %eps = arith.constant 1.0e-6 : f32
      %m = tile.adds %sq, %eps : !tile.tile<16x1xf32>
      %r = tile.rsqrt %m : !tile.tile<16x1xf32>
      %g = tile.load %gamma[%c0] : memref<512xbf16> -> !tile.tile<1x32xbf16>
      %gf = tile.cast %g none : !tile.tile<1x32xbf16> -> !tile.tile<1x32xf32>
      %x = tile.load %kv[%t0, %c0] : memref<128x512xf32> -> !tile.tile<16x32xf32>
      %y = tile.row_expand_mul %x, %r : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
      %z = tile.col_expand_mul %y, %gf : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
      %e = tile.gather %z p0101 : !tile.tile<16x32xf32> -> !tile.tile<16x16xf32>
      %w = tile.scatter %e into %z p1010 : !tile.tile<16x16xf32> -> !tile.tile<16x32xf32>
      %zb = tile.cast %w rint : !tile.tile<16x32xf32> -> !tile.tile<16x32xbf16>
      tile.store %zb, %out[%t0, %c0] : !tile.tile<16x32xbf16>, memref<128x512xbf16>
    }
  }
  return
}


//===----------------------------------------------------------------------===//
// Pipe synchronisation
//===----------------------------------------------------------------------===//

// Flags between the pipes of each core kind, a rotating event id, barriers.
// CHECK-LABEL: func.func @pipe_sync
// CHECK: tile.set_flag mte2 -> v, 0
// CHECK: tile.wait_flag mte2 -> v, 0
// CHECK: tile.set_flag v -> mte3, 1
// CHECK: tile.barrier v
// CHECK: tile.set_flag v -> mte2, 2 + %{{.*}}
// CHECK: tile.wait_flag v -> mte2, 2 + %{{.*}}
// CHECK: tile.barrier all
// CHECK: tile.set_flag mte1 -> m, 7
// CHECK: tile.wait_flag m -> fix, 3
// CHECK: tile.set_flag s -> mte1, 0
func.func @pipe_sync(%i: index) {
  tile.spmd 1 (%b) {
    tile.at vector {
      tile.set_flag mte2 -> v, 0
      tile.wait_flag mte2 -> v, 0
      tile.set_flag v -> mte3, 1
      tile.barrier v
      tile.set_flag v -> mte2, 2 + %i
      tile.wait_flag v -> mte2, 2 + %i
      tile.barrier all
    }
    tile.at cube {
      tile.set_flag mte1 -> m, 7
      tile.wait_flag m -> fix, 3
      tile.set_flag s -> mte1, 0
    }
  }
  return
}

}
