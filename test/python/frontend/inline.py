# RUN: %python %s | FileCheck %s
#
# @pl.jit.inline helpers are inlined at each call: their ops appear in the
# caller's scope, located at the helper's lines; closure variables and
# module constants of the helper's own module are visible; helpers may
# return several values, call other helpers and take compile-time
# arguments.

import tessel.language as pl

EPS = 1e-6


@pl.jit.inline
def sum_sq(t):
    """[M, N] -> [M, 1] sum of squares."""
    return pl.row_sum(pl.mul(t, t))


@pl.jit.inline
def rms_scale(t, n):
    """1 / sqrt(mean(t^2) + EPS) per row; `n` is a compile-time int."""
    return pl.rsqrt(pl.add(pl.div(sum_sq(t), float(n)), EPS))


@pl.jit.inline
def even_odd(t):
    return (pl.gather(t, mask_pattern=pl.tile.MaskPattern.P0101),
            pl.gather(t, mask_pattern=pl.tile.MaskPattern.P1010))


@pl.jit.inline
def store_rows(dst: pl.Tensor[[8, 32], pl.FP32], r0, t):
    dst[r0:r0 + 4, :] = t


# CHECK-LABEL: func.func @uses_helpers
# CHECK-DAG: %[[N:.*]] = arith.constant 3.200000e+01 : f32
# CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999997E-7 : f32
# CHECK: tile.spmd 2 (%[[B:.*]]) {
# CHECK: %[[R0:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK: %[[T:.*]] = tile.load
# CHECK: %[[SQ:.*]] = tile.mul %[[T]], %[[T]]
# CHECK: %[[SUM:.*]] = tile.row_sum %[[SQ]]
# CHECK: %[[MEAN:.*]] = tile.divs %[[SUM]], %[[N]]
# CHECK: %[[V:.*]] = tile.adds %[[MEAN]], %[[EPS]]
# CHECK: %[[RS:.*]] = tile.rsqrt %[[V]]
# CHECK: %[[Y:.*]] = tile.row_expand_mul %[[T]], %[[RS]]
# CHECK: %[[E:.*]] = tile.gather %[[Y]] p0101
# CHECK: %[[O:.*]] = tile.gather %[[Y]] p1010
# CHECK: tile.store %[[Y]], %{{.*}}[%[[R0]], %{{.*}}]
# CHECK: %[[EO:.*]] = tile.add %[[E]], %[[O]] : !tile.tile<4x16xf32>
# CHECK: tile.store %[[EO]]
@pl.jit
def uses_helpers(x: pl.Tensor[[8, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                 h: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for b in pl.spmd(2):
        r0 = b * 4
        t = x[r0:r0 + 4, :]
        yt = pl.row_expand_mul(t, rms_scale(t, 32))
        e, o = even_odd(yt)
        store_rows(y, r0, yt)
        h[r0:r0 + 4, :] = pl.add(e, o)


print(uses_helpers.ir())


# Helper ops carry the helper's source lines (sum_sq's row_sum is on the
# `return pl.row_sum(...)` line of sum_sq, line 17 of this file).
# CHECK-LABEL: func.func @uses_helpers
# CHECK: tile.row_sum {{.*}} loc(#[[L:.*]])
# CHECK: #[[L]] = loc("{{.*}}inline.py":17:12)
print(uses_helpers.ir(debug_info=True))


def make_kernel(rows):
    """A kernel factory: the helper is a closure defined after the kernel
    (bound by the time the kernel compiles), `rows` a closure constant."""

    @pl.jit
    def scaled(x: pl.Tensor[[rows, 16], pl.FP32],
               y: pl.Out[pl.Tensor[[rows, 16], pl.FP32]]):
        for b in pl.spmd(rows):
            y[b:b + 1, :] = twice(x[b:b + 1, :])

    @pl.jit.inline
    def twice(t):
        return pl.mul(t, 2.0)

    return scaled


# CHECK-LABEL: func.func @scaled(%{{.*}}: memref<3x16xf32>
# CHECK: tile.spmd 3
# CHECK: tile.muls
print(make_kernel(3).ir())
