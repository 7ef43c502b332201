// RUN: tessel-opt %s | tessel-opt | FileCheck %s
// RUN: tessel-opt %s --mlir-print-op-generic | tessel-opt | FileCheck %s

// CHECK-LABEL: func.func @kv_rms
// CHECK: tile.spmd 8 name("kv_rms_norm")
// CHECK: tile.at vector
// CHECK: tile.pipeline
// CHECK: tile.scatter
module attributes {tile.target = #tile.target<a2a3>} {
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
  %s = tile.alloc_gm name("scratch") : memref<8x1024xf32>
  return
}
}
