// RUN: tessel-opt %s -split-input-file -tile-form-scopes -verify-diagnostics | FileCheck %s

// tile-form-scopes on the tensor-level IR tessel.graph emits (docs/graph.md).
// a2a3: 188416 usable UB bytes, L0A / L0B 65536, L0C 131072; 48 vector and
// 24 cube cores.

// RMSNorm of bf16 rows with a bf16 gamma: one value is stored (the
// result), so one vector scope of 8 one-row blocks computes the whole chain
// from GM: the row is loaded once (the square, the sum and the scaling share
// it), the 1x1 statistic is row-expanded, the [1, 64] gamma column-expanded,
// and the result rounded to bf16 once (the round trip the truncf implies is
// the store's cast). Footprint: the f32 row 256 B, its square 256 B, the
// row_sum scratch 256 B, the statistic 32 B: 800 bytes.
// CHECK-LABEL: func.func @rms(%arg0: memref<8x64xbf16>, %arg1: memref<1x64xbf16>, %arg2: memref<8x64xbf16>)
// CHECK-NOT: tile.alloc_gm
// CHECK: tile.spmd 8 name("v1") (%[[B:.*]]) {
// CHECK: tile.at vector {
// CHECK: %[[X:.*]] = tile.load %arg0[%[[B]], %{{.*}}] : memref<8x64xbf16> -> !tile.tile<1x64xbf16>
// CHECK: %[[XF:.*]] = tile.cast %[[X]] none
// CHECK: %[[SQ:.*]] = tile.mul %[[XF]], %[[XF]]
// CHECK: %[[SS:.*]] = tile.row_sum %[[SQ]]
// CHECK: %[[G:.*]] = tile.load %arg1[%{{.*}}, %{{.*}}] : memref<1x64xbf16>
// CHECK: %[[GF:.*]] = tile.cast %[[G]] none
// CHECK: tile.divs %[[SS]]
// CHECK: %[[RS:.*]] = tile.rsqrt
// CHECK: %[[N:.*]] = tile.row_expand_mul %[[XF]], %[[RS]]
// CHECK: %[[Y:.*]] = tile.col_expand_mul %[[N]], %[[GF]]
// CHECK: %[[YB:.*]] = tile.cast %[[Y]] rint : !tile.tile<1x64xf32> -> !tile.tile<1x64xbf16>
// CHECK: tile.store %[[YB]], %arg2[%[[B]], %{{.*}}]
// CHECK-NOT: tile.spmd
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @rms(%x: tensor<8x64xbf16>, %g: tensor<1x64xbf16>) -> tensor<8x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64xf32>
  %e1 = tensor.empty() : tensor<8x1xf32>
  %xf = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x64xbf16>) outs(%e : tensor<8x64xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %f = arith.extf %a : bf16 to f32
    %s = arith.mulf %f, %f : f32
    linalg.yield %s : f32
  } -> tensor<8x64xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e1 : tensor<8x1xf32>) -> tensor<8x1xf32>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%xf : tensor<8x64xf32>) outs(%z : tensor<8x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<8x1xf32>
  %eb = tensor.empty() : tensor<8x64xbf16>
  // expected-remark @below {{scope 'v1': 8x64 value formed as 8 blocks of one row on vector cores, 11 ops recomputed from GM, 1 column piece, footprint 800 bytes of 188416 (vector UB)}}
  %y = linalg.generic {indexing_maps = [#id, #row, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %g : tensor<8x64xbf16>, tensor<8x1xf32>, tensor<1x64xbf16>) outs(%eb : tensor<8x64xbf16>) {
  ^bb0(%a: bf16, %s: f32, %gg: bf16, %o: bf16):
    %c = arith.constant 64.0 : f32
    %eps = arith.constant 1.0e-6 : f32
    %af = arith.extf %a : bf16 to f32
    %m = arith.divf %s, %c : f32
    %m2 = arith.addf %m, %eps : f32
    %r = math.rsqrt %m2 : f32
    %n = arith.mulf %af, %r : f32
    %gf = arith.extf %gg : bf16 to f32
    %n2 = arith.mulf %n, %gf : f32
    %t = arith.truncf %n2 : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<8x64xbf16>
  return %y : tensor<8x64xbf16>
}

// -----

// A bf16 matmul with f32 accumulation stored as the result: a core_group
// scope over column blocks with a K loop. Each candidate block width NB is
// built and modelled (the per-pipe model, estimateScope in ScheduleCost.h;
// the K loop pipelined, as tile-pipeline-loops will make it) with the
// largest K step the L0 capacities allow, 128 below NB = 256. NB = 32:
// 16 blocks (A = 16 cube cores: 75e9 B/s HBM, 100e9 L2); per K step the
// 128x32 rhs (8192 bytes, HBM: 109.2 ns) and the 8x128 lhs (2048 bytes,
// 1/16 of it from HBM, the rest from L2 after the first block's: 20.9 ns):
// MTE2 130.1 ns, MTE1 10240 bytes 21.6 ns, 32768 MACs 4.3 ns; 2 steps
// pipelined 2 x 130.1 + 25.9 = 286.2 ns; the
// 8x32xf32 tile.full 19.5 ns and store 13.7 ns: 319.3 ns a block, one
// wave of 0.8 + 0.319 = 1.12 us, the least (NB = 16: 32 blocks grouped by
// 2, 1.18; NB = 64: 1.26). L0A 8 x 128 x 2 = 2048 B, L0B 128 x 32 x 2 =
// 8192 B, L0C 8 x 32 x 4 = 1024 B.
// CHECK-LABEL: func.func @matmul_bf16(%arg0: memref<8x256xbf16>, %arg1: memref<256x512xbf16>, %arg2: memref<8x512xf32>)
// CHECK: tile.spmd 16 name("mm1") (%[[B:.*]]) {
// CHECK: tile.at core_group {
// CHECK: %[[N0:.*]] = arith.muli %[[B]], %c32
// CHECK: %[[Z:.*]] = tile.full 0.000000e+00 : !tile.tile<8x32xf32>
// CHECK: %[[ACC:.*]] = scf.for %[[K:.*]] = %c0 to %c2 step %c1 iter_args(%[[A:.*]] = %[[Z]])
// CHECK: %[[K0:.*]] = arith.muli %[[K]], %c128
// CHECK: tile.load %arg0[%c0, %[[K0]]] : memref<8x256xbf16> -> !tile.tile<8x128xbf16>
// CHECK: tile.load %arg1[%[[K0]], %[[N0]]] : memref<256x512xbf16> -> !tile.tile<128x32xbf16>
// CHECK: tile.matmul_acc %[[A]]
// CHECK: tile.store %[[ACC]], %arg2[%c0, %[[N0]]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @matmul_bf16(%x: tensor<8x256xbf16>, %w: tensor<256x512xbf16>) -> tensor<8x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x512xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x512xf32>) -> tensor<8x512xf32>
  // expected-remark @below {{scope 'mm1': 8x256 @ 256x512 as 16 blocks of 8x32 with a K step of 128 (L0A 2048 B, L0B 8192 B per slot, L0C 1024 B), modelled 1.12 us; column blocks tried: 256: 2.36 us, 128: 1.65 us, 64: 1.26 us, 32: 1.12 us, 16: 1.18 us}}
  %y = linalg.matmul ins(%x, %w : tensor<8x256xbf16>, tensor<256x512xbf16>) outs(%z : tensor<8x512xf32>) -> tensor<8x512xf32>
  return %y : tensor<8x512xf32>
}

// -----

// The same product with the weight stored [N, K] = [512, 256] (torch's
// x @ w.t(), F.linear): the rhs map (d0, d1, d2) -> (d1, d2). Same blocks
// and K step; each step loads a [32, 128] slice of w at (n0, k0) and the
// matmul reads it with b_trans (L0B holds its [128, 32] transpose, 8192 B).
// CHECK-LABEL: func.func @matmul_bf16_weight_transposed(%arg0: memref<8x256xbf16>, %arg1: memref<512x256xbf16>, %arg2: memref<8x512xf32>)
// CHECK: tile.spmd 16 name("mm1") (%[[B:.*]]) {
// CHECK: %[[N0:.*]] = arith.muli %[[B]], %c32
// CHECK: %[[ACC:.*]] = scf.for %[[K:.*]] = %c0 to %c2 step %c1 iter_args(%[[A:.*]] = %{{.*}})
// CHECK: %[[K0:.*]] = arith.muli %[[K]], %c128
// CHECK: %[[X:.*]] = tile.load %arg0[%c0, %[[K0]]] : memref<8x256xbf16> -> !tile.tile<8x128xbf16>
// CHECK: %[[W:.*]] = tile.load %arg1[%[[N0]], %[[K0]]] : memref<512x256xbf16> -> !tile.tile<32x128xbf16>
// CHECK: tile.matmul_acc %[[A]], %[[X]], %[[W]] b_trans : !tile.tile<8x128xbf16>, !tile.tile<32x128xbf16> -> !tile.tile<8x32xf32>
// CHECK: tile.store %[[ACC]], %arg2[%c0, %[[N0]]]
func.func @matmul_bf16_weight_transposed(%x: tensor<8x256xbf16>, %w: tensor<512x256xbf16>) -> tensor<8x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x512xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x512xf32>) -> tensor<8x512xf32>
  // expected-remark @below {{scope 'mm1': 8x256 @ 256x512 (rhs stored transposed) as 16 blocks of 8x32 with a K step of 128}}
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%x, %w : tensor<8x256xbf16>, tensor<512x256xbf16>) outs(%z : tensor<8x512xf32>) -> tensor<8x512xf32>
  return %y : tensor<8x512xf32>
}

// -----

// Interleaved RoPE-like pairs: the stride-2 slices of t are gathers of the
// even (p0101) and odd (p1010) columns, the two stride-2 inserts into an
// empty tensor scatters into a zero tile; one piece of 64 columns.
// CHECK-LABEL: func.func @interleave
// CHECK: tile.spmd 4
// CHECK: %[[T:.*]] = tile.load %arg0
// CHECK-DAG: %[[O:.*]] = tile.gather %[[T]] p1010 : !tile.tile<1x64xf32> -> !tile.tile<1x32xf32>
// CHECK-DAG: %[[E:.*]] = tile.gather %[[T]] p0101 : !tile.tile<1x64xf32> -> !tile.tile<1x32xf32>
// CHECK: %[[Z:.*]] = tile.full 0.000000e+00 : !tile.tile<1x64xf32>
// CHECK: %[[S0:.*]] = tile.scatter %{{.*}} into %[[Z]] p0101
// CHECK: %[[S1:.*]] = tile.scatter %{{.*}} into %[[S0]] p1010
// CHECK: tile.store %[[S1]], %arg2
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @interleave(%t: tensor<4x64xf32>, %c: tensor<4x32xf32>) -> tensor<4x64xf32> {
  %ev = tensor.extract_slice %t[0, 0] [4, 32] [1, 2] : tensor<4x64xf32> to tensor<4x32xf32>
  %od = tensor.extract_slice %t[0, 1] [4, 32] [1, 2] : tensor<4x64xf32> to tensor<4x32xf32>
  %e = tensor.empty() : tensor<4x32xf32>
  %a = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%ev, %c : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.mulf %x, %y : f32
    linalg.yield %m : f32
  } -> tensor<4x32xf32>
  %b = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%od, %c : tensor<4x32xf32>, tensor<4x32xf32>) outs(%e : tensor<4x32xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %m = arith.subf %x, %y : f32
    linalg.yield %m : f32
  } -> tensor<4x32xf32>
  %out = tensor.empty() : tensor<4x64xf32>
  %i0 = tensor.insert_slice %a into %out[0, 0] [4, 32] [1, 2] : tensor<4x32xf32> into tensor<4x64xf32>
  // expected-remark @below {{scope 'v1': 4x64 value formed as 4 blocks of one row on vector cores, 2 ops recomputed from GM, 1 column piece, footprint 768 bytes of 188416 (vector UB)}}
  %i1 = tensor.insert_slice %b into %i0[0, 1] [4, 32] [1, 2] : tensor<4x32xf32> into tensor<4x64xf32>
  return %i1 : tensor<4x64xf32>
}

// -----

// Concatenation along columns: two pieces, [0, 96) from the rounded x and
// [96, 128) straight from y, stored at their columns.
// CHECK-LABEL: func.func @concat
// CHECK: tile.spmd 4
// CHECK: %[[X:.*]] = tile.load %arg0[%[[B:.*]], %c0] : memref<4x96xf32> -> !tile.tile<1x96xf32>
// CHECK: %[[XB:.*]] = tile.cast %[[X]] rint : !tile.tile<1x96xf32> -> !tile.tile<1x96xbf16>
// CHECK: tile.store %[[XB]], %arg2[%[[B]], %c0] : !tile.tile<1x96xbf16>, memref<4x128xbf16>
// CHECK: %[[Y:.*]] = tile.load %arg1[%[[B]], %c0] : memref<4x32xbf16> -> !tile.tile<1x32xbf16>
// CHECK: tile.store %[[Y]], %arg2[%[[B]], %c96] : !tile.tile<1x32xbf16>, memref<4x128xbf16>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @concat(%x: tensor<4x96xf32>, %y: tensor<4x32xbf16>) -> tensor<4x128xbf16> {
  %e = tensor.empty() : tensor<4x96xbf16>
  %xb = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x96xf32>) outs(%e : tensor<4x96xbf16>) {
  ^bb0(%a: f32, %o: bf16):
    %t = arith.truncf %a : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<4x96xbf16>
  %out = tensor.empty() : tensor<4x128xbf16>
  %i0 = tensor.insert_slice %xb into %out[0, 0] [4, 96] [1, 1] : tensor<4x96xbf16> into tensor<4x128xbf16>
  // expected-remark @below {{scope 'v1': 4x128 value formed as 4 blocks of one row on vector cores, 1 ops recomputed from GM, 2 column pieces, footprint 576 bytes of 188416 (vector UB)}}
  %i1 = tensor.insert_slice %y into %i0[0, 96] [4, 32] [1, 1] : tensor<4x32xbf16> into tensor<4x128xbf16>
  return %i1 : tensor<4x128xbf16>
}

// -----

// Two rows are fewer than the 48 vector cores and the value is computed
// column by column (no reduction, no concatenation): its 4096 columns are
// split into the fewest blocks of a multiple of 64 columns that give every
// core one, 32 per row: 2 x 32 = 64 blocks of 4096 / 32 = 128 columns,
// block b at row b / 32, column (b % 32) x 128 (the decomposition
// tile-tile-scopes widens).
// CHECK-LABEL: func.func @column_blocks
// CHECK: tile.spmd 64 name("v1") (%[[B:.*]]) {
// CHECK: %[[R:.*]] = arith.divsi %[[B]], %c32
// CHECK: %[[C:.*]] = arith.remsi %[[B]], %c32
// CHECK: %[[C0:.*]] = arith.muli %[[C]], %c128
// CHECK: %[[X:.*]] = tile.load %arg0[%[[R]], %[[C0]]] : memref<2x4096xf32> -> !tile.tile<1x128xf32>
// CHECK: %[[S:.*]] = tile.load %arg1[%c0, %[[C0]]] : memref<1x4096xf32> -> !tile.tile<1x128xf32>
// CHECK: %[[Y:.*]] = tile.col_expand_mul %[[X]], %[[S]]
// CHECK: tile.store %[[Y]], %arg2[%[[R]], %[[C0]]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @column_blocks(%x: tensor<2x4096xf32>, %s: tensor<1x4096xf32>) -> tensor<2x4096xf32> {
  %e = tensor.empty() : tensor<2x4096xf32>
  // expected-remark @below {{scope 'v1': 2x4096 value formed as 64 blocks of one row and 128 columns (2 rows are fewer than the 48 vector cores) on vector cores, 1 ops recomputed from GM, 1 column piece, footprint 1024 bytes of 188416 (vector UB)}}
  %y = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<2x4096xf32>, tensor<1x4096xf32>) outs(%e : tensor<2x4096xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x4096xf32>
  return %y : tensor<2x4096xf32>
}

// -----

// A reshape of a matmul result ([2, 256] seen as [8, 64], heads of 64):
// the product goes to a GM tensor, the reshape is a memref view of it, and
// the per-head softmax numerator reads the view row by row (max, then the
// broadcast subtraction as row_expand_mul of ones, exp).
// CHECK-LABEL: func.func @reshape_view
// CHECK: %[[P:.*]] = tile.alloc_gm name("t0_gm") : memref<2x256xf32>
// CHECK: tile.spmd 16 name("mm1")
// CHECK: tile.store %{{.*}}, %[[P]]
// CHECK: %[[F:.*]] = memref.collapse_shape %[[P]] {{\[\[}}0, 1]] : memref<2x256xf32> into memref<512xf32>
// CHECK: %[[V:.*]] = memref.expand_shape %[[F]] {{\[\[}}0, 1]] output_shape [8, 64] : memref<512xf32> into memref<8x64xf32>
// CHECK: tile.spmd 8 name("v2") (%[[B:.*]]) {
// CHECK: %[[X:.*]] = tile.load %[[V]][%[[B]], %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
// CHECK: %[[M:.*]] = tile.row_max %[[X]]
// CHECK: %[[ONE:.*]] = tile.full 1.000000e+00 : !tile.tile<1x64xf32>
// CHECK: %[[MB:.*]] = tile.row_expand_mul %[[ONE]], %[[M]]
// CHECK: %[[D:.*]] = tile.sub %[[X]], %[[MB]]
// CHECK: tile.exp %[[D]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @reshape_view(%x: tensor<2x256xbf16>, %w: tensor<256x256xbf16>) -> tensor<8x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x256xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x256xf32>) -> tensor<2x256xf32>
  // expected-remark @below {{scope 'mm1': 2x256 @ 256x256 as 16 blocks of 2x16}}
  %p = linalg.matmul ins(%x, %w : tensor<2x256xbf16>, tensor<256x256xbf16>) outs(%z : tensor<2x256xf32>) -> tensor<2x256xf32>
  %f = tensor.collapse_shape %p [[0, 1]] : tensor<2x256xf32> into tensor<512xf32>
  %v = tensor.expand_shape %f [[0, 1]] output_shape [8, 64] : tensor<512xf32> into tensor<8x64xf32>
  %e1 = tensor.empty() : tensor<8x1xf32>
  %m0 = arith.constant 0xFF800000 : f32
  %i = linalg.fill ins(%m0 : f32) outs(%e1 : tensor<8x1xf32>) -> tensor<8x1xf32>
  %mx = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%v : tensor<8x64xf32>) outs(%i : tensor<8x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<8x1xf32>
  %e2 = tensor.empty() : tensor<8x64xf32>
  // expected-remark @below {{scope 'v2': 8x64 value formed as 8 blocks of one row on vector cores, 3 ops recomputed from GM, 1 column piece, footprint 544 bytes of 188416 (vector UB)}}
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v, %mx : tensor<8x64xf32>, tensor<8x1xf32>) outs(%e2 : tensor<8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    %x2 = math.exp %d : f32
    linalg.yield %x2 : f32
  } -> tensor<8x64xf32>
  return %y : tensor<8x64xf32>
}

// -----

// A row of 32768 f32 (128 KiB) normalised by its sum: the whole row, its
// quotient and the sum's scratch do not fit 188416 bytes, nor do halves
// (3 x 64 KiB); quarters of 8192 columns do (3 x 32 KiB + the sums). The
// sum's pieces are not kept for the division's (they would all stay live):
// each piece is loaded twice.
// CHECK-LABEL: func.func @wide_row_chunked
// CHECK: tile.spmd 1
// CHECK-COUNT-4: tile.row_sum %{{.*}} : !tile.tile<1x8192xf32>
// CHECK-COUNT-4: tile.store %{{.*}} : !tile.tile<1x8192xf32>, memref<1x32768xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#col = affine_map<(d0, d1) -> (0, d1)>
func.func @wide_row_chunked(%x: tensor<1x32768xf32>) -> tensor<1x32768xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<1x1xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x1xf32>) -> tensor<1x1xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<1x32768xf32>) outs(%i : tensor<1x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.addf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<1x1xf32>
  %e = tensor.empty() : tensor<1x32768xf32>
  // expected-remark @below {{scope 'v1': 1x32768 value formed as 1 blocks of one row on vector cores, 8 ops recomputed from GM, 4 column pieces (chunks of 8192 columns to fit), footprint 98368 bytes of 188416 (vector UB)}}
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %s : tensor<1x32768xf32>, tensor<1x1xf32>) outs(%e : tensor<1x32768xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<1x32768xf32>
  return %y : tensor<1x32768xf32>
}

// -----

// Heads of a reshape against a per-token table: 8 tokens x 8 heads of 64
// f32 columns ([64, 64]), each head row RMS-normalised and scaled by its
// token's row of %c, read at row `d0 floordiv 8`. tile-tile-scopes cannot
// stack these rows (the block index is the row and is divided by 8), so
// tile-form-scopes gives the scope R rows per block, R a power of two
// dividing the 8 heads: the block's rows then share one row of %c (loaded
// [1, 64] at row (b * R) / 8 and col_expand_mul'ed). R = 16 would span two
// tokens: not row-wise. The model (estimateScope): 64 one-row blocks on
// the 48 vector cores run in two waves (1.06 us); R = 2 makes 32 blocks,
// one wave (0.94 us); R = 4 and 8 leave cores idle with longer blocks
// (0.95, 0.97 us, not 1% better). Footprint at R = 2: the [2, 64] row,
// its square and the scaled row 3 x 512 B, the [2, 1] statistics, the
// [1, 64] table row.
// CHECK-LABEL: func.func @head_rows
// CHECK: tile.spmd 32 name("v1") (%[[B:.*]]) {
// CHECK: %[[R0:.*]] = arith.muli %[[B]], %c2
// CHECK: %[[X:.*]] = tile.load %arg0[%[[R0]], %c0] : memref<64x64xf32> -> !tile.tile<2x64xf32>
// CHECK: tile.row_sum %{{.*}} : !tile.tile<2x64xf32> -> !tile.tile<2x1xf32>
// CHECK: %[[T:.*]] = arith.divsi %[[R0]], %c8
// CHECK: %[[C:.*]] = tile.load %arg1[%[[T]], %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
// CHECK: tile.row_expand_mul %{{.*}} : !tile.tile<2x64xf32>, !tile.tile<2x1xf32>
// CHECK: tile.col_expand_mul %{{.*}}, %[[C]] : !tile.tile<2x64xf32>, !tile.tile<1x64xf32>
// CHECK: tile.store %{{.*}}, %arg2[%[[R0]], %c0] : !tile.tile<2x64xf32>, memref<64x64xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#tok = affine_map<(d0, d1) -> (d0 floordiv 8, d1)>
func.func @head_rows(%x: tensor<64x64xf32>, %c: tensor<8x64xf32>) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<64x1xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e1 : tensor<64x1xf32>) -> tensor<64x1xf32>
  %e0 = tensor.empty() : tensor<64x64xf32>
  %x2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x64xf32>) outs(%e0 : tensor<64x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %sq = arith.mulf %a, %a : f32
    linalg.yield %sq : f32
  } -> tensor<64x64xf32>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x2 : tensor<64x64xf32>) outs(%i : tensor<64x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.addf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<64x1xf32>
  %e = tensor.empty() : tensor<64x64xf32>
  // expected-remark-re @below {{scope 'v1': 64x64 value formed as 32 blocks of 2 rows on vector cores, 6 ops recomputed from GM, 1 column piece, footprint 3104 bytes of 188416 (vector UB); rows per block tried (a row operand broadcast over rows tile-tile-scopes cannot widen): 1: {{[0-9.]+}} us, 2: {{[0-9.]+}} us, 4: {{[0-9.]+}} us, 8: {{[0-9.]+}} us, 16: an operand broadcast over 8 rows does not cover whole blocks}}
  %y = linalg.generic {indexing_maps = [#id, #row, #tok, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %c : tensor<64x64xf32>, tensor<64x1xf32>, tensor<8x64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%a: f32, %s: f32, %t: f32, %o: f32):
    %n = arith.constant 6.400000e+01 : f32
    %mean = arith.divf %s, %n : f32
    %r = math.rsqrt %mean : f32
    %xn = arith.mulf %a, %r : f32
    %out = arith.mulf %xn, %t : f32
    linalg.yield %out : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// The same at FLASH T=128's shape: 128 tokens x 64 heads of 512 columns.
// Each doubling of R halves the vector instructions per row (63.66, 50.89,
// 42.66, 38.55, 36.49 us for R = 1 .. 16, the blocks grouped into tasks)
// until UB: three f32 [R, 512] tiles live (the row, its square, the scaled
// row), 3 x 32 KiB + 64 B at R = 16 fits 188416 bytes, 3 x 64 KiB + 128 B
// = 196736 at R = 32 does not; the search stops there.
// CHECK-LABEL: func.func @head_rows_ub
// CHECK: tile.spmd 512 name("v1")
// CHECK: tile.load %arg0[%{{.*}}, %c0] : memref<8192x512xf32> -> !tile.tile<16x512xf32>
// CHECK: tile.load %arg1[%{{.*}}, %c0] : memref<128x512xf32> -> !tile.tile<1x512xf32>
// CHECK: tile.store %{{.*}} : !tile.tile<16x512xf32>, memref<8192x512xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0, 0)>
#tok = affine_map<(d0, d1) -> (d0 floordiv 64, d1)>
func.func @head_rows_ub(%x: tensor<8192x512xf32>, %c: tensor<128x512xf32>) -> tensor<8192x512xf32> {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<8192x1xf32>
  %i = linalg.fill ins(%zero : f32) outs(%e1 : tensor<8192x1xf32>) -> tensor<8192x1xf32>
  %e0 = tensor.empty() : tensor<8192x512xf32>
  %x2 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8192x512xf32>) outs(%e0 : tensor<8192x512xf32>) {
  ^bb0(%a: f32, %o: f32):
    %sq = arith.mulf %a, %a : f32
    linalg.yield %sq : f32
  } -> tensor<8192x512xf32>
  %ss = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x2 : tensor<8192x512xf32>) outs(%i : tensor<8192x1xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.addf %a, %o : f32
    linalg.yield %m : f32
  } -> tensor<8192x1xf32>
  %e = tensor.empty() : tensor<8192x512xf32>
  // expected-remark-re @below {{scope 'v1': 8192x512 value formed as 512 blocks of 16 rows on vector cores, 6 ops recomputed from GM, 1 column piece, footprint 98368 bytes of 188416 (vector UB); rows per block tried (a row operand broadcast over rows tile-tile-scopes cannot widen): 1: {{[0-9.]+}} us, 2: {{[0-9.]+}} us, 4: {{[0-9.]+}} us, 8: {{[0-9.]+}} us, 16: {{[0-9.]+}} us, 32: does not fit (196736 bytes of 188416 (vector UB))}}
  %y = linalg.generic {indexing_maps = [#id, #row, #tok, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %c : tensor<8192x512xf32>, tensor<8192x1xf32>, tensor<128x512xf32>) outs(%e : tensor<8192x512xf32>) {
  ^bb0(%a: f32, %s: f32, %t: f32, %o: f32):
    %n = arith.constant 5.120000e+02 : f32
    %mean = arith.divf %s, %n : f32
    %r = math.rsqrt %mean : f32
    %xn = arith.mulf %a, %r : f32
    %out = arith.mulf %xn, %t : f32
    linalg.yield %out : f32
  } -> tensor<8192x512xf32>
  return %y : tensor<8192x512xf32>
}
