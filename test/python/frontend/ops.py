# RUN: %python %s | FileCheck %s
#
# Every tile operation of the pl surface: the op it builds and the types
# the frontend infers.

import tessel.language as pl

M, N = 8, 32


# Tile-tile elementwise ops keep the operand type.
# CHECK-LABEL: func.func @binary_tiles
# CHECK: %[[A:.*]] = tile.load %{{.*}} -> !tile.tile<8x32xf32>
# CHECK: %[[B:.*]] = tile.load %{{.*}} -> !tile.tile<8x32xf32>
# CHECK: %[[S:.*]] = tile.add %[[A]], %[[B]] : !tile.tile<8x32xf32>
# CHECK: %[[D:.*]] = tile.sub %[[S]], %[[B]] : !tile.tile<8x32xf32>
# CHECK: %[[P:.*]] = tile.mul %[[D]], %[[A]] : !tile.tile<8x32xf32>
# CHECK: %[[Q:.*]] = tile.div %[[P]], %[[B]] : !tile.tile<8x32xf32>
# CHECK: %[[X:.*]] = tile.max %[[Q]], %[[A]] : !tile.tile<8x32xf32>
# CHECK: %[[Y:.*]] = tile.min %[[X]], %[[B]] : !tile.tile<8x32xf32>
# Python operators on tiles are the same ops.
# CHECK: %[[O1:.*]] = tile.add %[[Y]], %[[A]]
# CHECK: %[[O2:.*]] = tile.mul %[[O1]], %[[B]]
# CHECK: %[[O3:.*]] = tile.sub %[[O2]], %[[A]]
# CHECK: %[[O4:.*]] = tile.div %[[O3]], %[[B]]
# CHECK: tile.store %[[O4]]
@pl.jit
def binary_tiles(x: pl.Tensor[[M, N], pl.FP32], y: pl.Tensor[[M, N], pl.FP32],
                 out: pl.Out[pl.Tensor[[M, N], pl.FP32]]):
    for b in pl.spmd(1):
        a = x[:, :]
        c = y[:, :]
        r = pl.minimum(pl.maximum(pl.div(pl.mul(pl.sub(pl.add(a, c), c), a), c), a), c)
        out[:, :] = ((r + a) * c - a) / c


print(binary_tiles.ir())


# Tile-scalar ops: the scalar is an arith.constant of the tile's element
# type; with the scalar on the left, sub and div are the reversed forms.
# CHECK-LABEL: func.func @scalar_forms
# CHECK-DAG: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
# CHECK-DAG: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
# CHECK-DAG: %[[I3:.*]] = arith.constant 3 : i32
# CHECK: %[[T:.*]] = tile.load
# CHECK: %[[A:.*]] = tile.adds %[[T]], %[[TWO]] : !tile.tile<8x32xf32>
# CHECK: %[[B:.*]] = tile.subs %[[A]], %[[TWO]] : !tile.tile<8x32xf32>
# CHECK: %[[C:.*]] = tile.muls %[[B]], %[[HALF]] : !tile.tile<8x32xf32>
# CHECK: %[[D:.*]] = tile.divs %[[C]], %[[TWO]] : !tile.tile<8x32xf32>
# CHECK: %[[E:.*]] = tile.maxs %[[D]], %[[HALF]] : !tile.tile<8x32xf32>
# CHECK: %[[F:.*]] = tile.mins %[[E]], %[[TWO]] : !tile.tile<8x32xf32>
# CHECK: %[[G:.*]] = tile.rsubs %[[F]], %[[TWO]] : !tile.tile<8x32xf32>
# CHECK: %[[H:.*]] = tile.rdivs %[[G]], %[[HALF]] : !tile.tile<8x32xf32>
# CHECK: %[[I:.*]] = tile.adds %[[H]], %[[TWO]] : !tile.tile<8x32xf32>
# CHECK: %[[J:.*]] = tile.muls %[[I]], %[[HALF]] : !tile.tile<8x32xf32>
# An integer scalar on an INT32 tile is an i32 constant.
# CHECK: tile.adds %{{.*}}, %[[I3]] : !tile.tile<8x32xi32>
@pl.jit
def scalar_forms(x: pl.Tensor[[M, N], pl.FP32], n: pl.Tensor[[M, N], pl.INT32],
                 out: pl.Out[pl.Tensor[[M, N], pl.FP32]],
                 nout: pl.Out[pl.Tensor[[M, N], pl.INT32]]):
    for b in pl.spmd(1):
        t = pl.add(x[:, :], 2.0)
        t = pl.sub(t, 2)
        t = pl.mul(t, 0.5)
        t = pl.div(t, 2.0)
        t = pl.maximum(t, 0.5)
        t = pl.minimum(t, 2.0)
        t = pl.sub(2.0, t)
        t = pl.div(0.5, t)
        t = pl.add(2.0, t)
        t = pl.mul(0.5, t)
        out[:, :] = t
        nout[:, :] = pl.add(n[:, :], 3)


print(scalar_forms.ir())


# Unary ops; scalar arithmetic of constants folds at compile time
# (1.0 / 4 -> 0.25).
# CHECK-LABEL: func.func @unary
# CHECK-DAG: %[[Q:.*]] = arith.constant 2.500000e-01 : f32
# CHECK: %[[T:.*]] = tile.load
# CHECK: %[[A:.*]] = tile.neg %[[T]] : !tile.tile<8x32xf32>
# CHECK: %[[B:.*]] = tile.abs %[[A]] : !tile.tile<8x32xf32>
# CHECK: %[[C:.*]] = tile.sqrt %[[B]] : !tile.tile<8x32xf32>
# CHECK: %[[D:.*]] = tile.rsqrt %[[C]] : !tile.tile<8x32xf32>
# CHECK: %[[E:.*]] = tile.recip %[[D]] : !tile.tile<8x32xf32>
# CHECK: %[[F:.*]] = tile.exp %[[E]] : !tile.tile<8x32xf32>
# CHECK: %[[G:.*]] = tile.neg %[[F]] : !tile.tile<8x32xf32>
# CHECK: tile.muls %[[G]], %[[Q]]
@pl.jit
def unary(x: pl.Tensor[[M, N], pl.FP32], out: pl.Out[pl.Tensor[[M, N], pl.FP32]]):
    for b in pl.spmd(1):
        t = pl.exp(pl.recip(pl.rsqrt(pl.sqrt(pl.abs(pl.neg(x[:, :]))))))
        out[:, :] = pl.mul(-t, 1.0 / 4)


print(unary.ir())


# Reductions [8, 32] -> [8, 1]; row_expand_mul takes [8, 1], col_expand_mul
# [1, 32].
# CHECK-LABEL: func.func @reductions_and_broadcasts
# CHECK: %[[T:.*]] = tile.load %{{.*}} -> !tile.tile<8x32xf32>
# CHECK: %[[S:.*]] = tile.row_sum %[[T]] : !tile.tile<8x32xf32> -> !tile.tile<8x1xf32>
# CHECK: %[[X:.*]] = tile.row_max %[[T]] : !tile.tile<8x32xf32> -> !tile.tile<8x1xf32>
# CHECK: %[[R:.*]] = tile.row_expand_mul %[[T]], %[[S]] : !tile.tile<8x32xf32>, !tile.tile<8x1xf32>
# CHECK: %[[G:.*]] = tile.load %{{.*}} : memref<32xf32> -> !tile.tile<1x32xf32>
# CHECK: tile.col_expand_mul %[[R]], %[[G]] : !tile.tile<8x32xf32>, !tile.tile<1x32xf32>
@pl.jit
def reductions_and_broadcasts(x: pl.Tensor[[M, N], pl.FP32],
                              g: pl.Tensor[[N], pl.FP32],
                              out: pl.Out[pl.Tensor[[M, N], pl.FP32]],
                              mx: pl.Out[pl.Tensor[[M, 1], pl.FP32]]):
    for b in pl.spmd(1):
        t = x[:, :]
        s = pl.row_sum(t)
        mx[:, :] = pl.row_max(t)
        out[:, :] = pl.col_expand_mul(pl.row_expand_mul(t, s), g[:])


print(reductions_and_broadcasts.ir())


# Casts with explicit modes; without a mode exact widenings are `none` and
# the others PyPTO's default `round`.
# CHECK-LABEL: func.func @casts
# CHECK: %[[A:.*]] = tile.load %{{.*}} -> !tile.tile<8x32xbf16>
# CHECK: %[[F:.*]] = tile.cast %[[A]] none : !tile.tile<8x32xbf16> -> !tile.tile<8x32xf32>
# CHECK: %[[I:.*]] = tile.cast %[[F]] rint : !tile.tile<8x32xf32> -> !tile.tile<8x32xi32>
# CHECK: %[[H:.*]] = tile.cast %[[I]] round : !tile.tile<8x32xi32> -> !tile.tile<8x32xf16>
# CHECK: %[[Q:.*]] = tile.cast %[[H]] trunc : !tile.tile<8x32xf16> -> !tile.tile<8x32xi8>
# CHECK: tile.cast %[[F]] round : !tile.tile<8x32xf32> -> !tile.tile<8x32xbf16>
# CHECK: tile.cast %[[F]] floor : !tile.tile<8x32xf32> -> !tile.tile<8x32xf32>
@pl.jit
def casts(x: pl.Tensor[[M, N], pl.BF16], q: pl.Out[pl.Tensor[[M, N], pl.INT8]],
          y: pl.Out[pl.Tensor[[M, N], pl.BF16]],
          z: pl.Out[pl.Tensor[[M, N], pl.FP32]]):
    for b in pl.spmd(1):
        f = pl.cast(x[:, :], pl.FP32)
        i = pl.cast(f, target_type=pl.INT32, mode="rint")
        h = pl.cast(i, target_type=pl.FP16)
        q[:, :] = pl.cast(h, target_type=pl.INT8, mode="trunc")
        y[:, :] = pl.cast(f, target_type=pl.BF16)
        z[:, :] = pl.cast(f, target_type=pl.FP32, mode="floor")


print(casts.ir())


# Cube ops: bf16 x bf16 -> f32 and int8 x int8 -> i32 (the default
# out_dtype), and matmul_acc; `@` is pl.matmul.
# CHECK-LABEL: func.func @cube
# CHECK: tile.at cube {
# CHECK: %[[C:.*]] = tile.matmul %{{.*}}, %{{.*}} : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
# CHECK: %[[D:.*]] = tile.matmul_acc %[[C]], %{{.*}}, %{{.*}} : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
# CHECK: tile.matmul %{{.*}}, %{{.*}} : !tile.tile<16x64xi8>, !tile.tile<64x32xi8> -> !tile.tile<16x32xi32>
# CHECK: tile.matmul %{{.*}}, %{{.*}} : !tile.tile<16x64xbf16>, !tile.tile<64x32xbf16> -> !tile.tile<16x32xf32>
@pl.jit
def cube(a: pl.Tensor[[16, 64], pl.BF16], w: pl.Tensor[[64, 32], pl.BF16],
         qa: pl.Tensor[[16, 64], pl.INT8], qw: pl.Tensor[[64, 32], pl.INT8],
         c: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
         ci: pl.Out[pl.Tensor[[16, 32], pl.INT32]],
         c2: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CUBE):
        acc = pl.matmul(a[:, :], w[:, :], out_dtype=pl.FP32)
        c[:, :] = pl.matmul_acc(acc, a[:, :], w[:, :])
        ci[:, :] = pl.matmul(qa[:, :], qw[:, :])
        c2[:, :] = a[:, :] @ w[:, :]


print(cube.ir())


# Even/odd columns: gather [8, 64] -> [8, 32]; scatter writes [8, 32] into
# the even or odd columns of [8, 64]; full and reshape.
# CHECK-LABEL: func.func @gather_scatter_full_reshape
# CHECK: %[[T:.*]] = tile.load %{{.*}} -> !tile.tile<8x64xf32>
# CHECK: %[[E:.*]] = tile.gather %[[T]] p0101 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
# CHECK: %[[O:.*]] = tile.gather %[[T]] p1010 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
# CHECK: %[[Z:.*]] = tile.full 0.000000e+00 : !tile.tile<8x64xf32>
# CHECK: %[[S1:.*]] = tile.scatter %[[O]] into %[[Z]] p0101 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
# CHECK: %[[S2:.*]] = tile.scatter %[[E]] into %[[S1]] p1010 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
# CHECK: %[[R:.*]] = tile.reshape %[[S2]] : !tile.tile<8x64xf32> -> !tile.tile<16x32xf32>
# CHECK: tile.full -7 : !tile.tile<16x32xi32>
@pl.jit
def gather_scatter_full_reshape(x: pl.Tensor[[8, 64], pl.FP32],
                                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
                                z: pl.Out[pl.Tensor[[16, 32], pl.INT32]]):
    for b in pl.spmd(1):
        t = x[:, :]
        even = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P0101)
        odd = pl.tensor.gather(t, mask_pattern=pl.tile.MaskPattern.P1010)
        swapped = pl.full([8, 64], dtype=pl.FP32, value=0.0)
        swapped = pl.tensor.scatter(odd, mask_pattern=pl.tile.MaskPattern.P0101, dst=swapped)
        swapped = pl.tensor.scatter(even, mask_pattern=pl.tile.MaskPattern.P1010, dst=swapped)
        y[:, :] = pl.reshape(swapped, [16, -1])
        z[:, :] = pl.full([16, 32], dtype=pl.INT32, value=-7)


print(gather_scatter_full_reshape.ir())
