# RUN: %python %s | FileCheck %s
#
# Loops and conditions: pl.pipeline, pl.range, compile-time range, loop-carried
# tiles and indices, runtime if/else (scf.if yielding what both branches
# assign), compile-time if, and PyPTO's create_tensor accumulator idiom.

import tessel.language as pl

D = 128
KC = 32


# Sum of squares over D / KC = 4 column chunks: the accumulator is read and
# reassigned in the body, so it is the pipeline's iter_arg and its result is
# what the store after the loop uses.
# CHECK-LABEL: func.func @pipeline_carries_tile
# CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
# CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
# CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
# CHECK: %[[ZERO:.*]] = tile.full 0.000000e+00 : !tile.tile<8x1xf32>
# CHECK: %[[SUM:.*]] = tile.pipeline %[[J:.*]] = %[[C0]] to %[[C4]] step %[[C1]] stages(2) iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (!tile.tile<8x1xf32>) {
# CHECK: %[[COL:.*]] = arith.muli %[[J]], %{{.*}} : index
# CHECK: %[[X:.*]] = tile.load %{{.*}}[%{{.*}}, %[[COL]]] : memref<8x128xf32> -> !tile.tile<8x32xf32>
# CHECK: %[[SQ:.*]] = tile.mul %[[X]], %[[X]]
# CHECK: %[[RS:.*]] = tile.row_sum %[[SQ]]
# CHECK: %[[NEW:.*]] = tile.add %[[ACC]], %[[RS]]
# CHECK: tile.yield %[[NEW]] : !tile.tile<8x1xf32>
# CHECK: tile.store %[[SUM]]
@pl.jit
def pipeline_carries_tile(x: pl.Tensor[[8, D], pl.FP32],
                          out: pl.Out[pl.Tensor[[8, 1], pl.FP32]]):
    for b in pl.spmd(1):
        acc = pl.full([8, 1], dtype=pl.FP32, value=0.0)
        for j in pl.pipeline(D // KC, stage=2):
            c0 = j * KC
            xt = x[:, c0:c0 + KC]
            acc = pl.add(acc, pl.row_sum(pl.mul(xt, xt)))
        out[:, :] = acc


print(pipeline_carries_tile.ir())


# pl.pipeline(start, stop, step, stage=3) and pl.range(start, stop, step):
# bounds and steps are index constants; stages(3).
# CHECK-LABEL: func.func @loop_bounds
# CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
# CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
# CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
# CHECK: tile.pipeline %{{.*}} = %[[C2]] to %[[C8]] step %[[C3]] stages(3) {
# CHECK: scf.for %{{.*}} = %[[C2]] to %[[C8]] step %[[C3]] {
@pl.jit
def loop_bounds(x: pl.Tensor[[8, 16], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for b in pl.spmd(1):
        for i in pl.pipeline(2, 8, 3, stage=3):
            y[i:i + 1, :] = x[i:i + 1, :]
        for i in pl.range(2, 8, 3):
            y[i:i + 1, :] = x[i:i + 1, :]


print(loop_bounds.ir())


# An index carried around a pl.range loop: base = 0, base + 2 per step,
# read after the loop. `base + 2` is computed once, for the slice bound and
# the update.
# CHECK-LABEL: func.func @range_carries_index
# CHECK: %[[R:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[BASE:.*]] = %{{.*}}) -> (index) {
# CHECK: %[[NEXT:.*]] = arith.addi %[[BASE]], %{{.*}} : index
# CHECK: tile.load %{{.*}}[%[[BASE]], %{{.*}}]
# CHECK: scf.yield %[[NEXT]] : index
# CHECK: tile.load %{{.*}}[%[[R]], %{{.*}}]
@pl.jit
def range_carries_index(x: pl.Tensor[[16, 8], pl.FP32],
                        y: pl.Out[pl.Tensor[[16, 8], pl.FP32]]):
    for b in pl.spmd(1):
        base = 0
        for i in pl.range(4):
            y[base:base + 2, :] = x[base:base + 2, :]
            base = base + 2
        y[base:base + 2, :] = x[base:base + 2, :]


print(range_carries_index.ir())


# A name reused in consecutive loops but never read across iterations or
# after the loop is not carried.
# CHECK-LABEL: func.func @loop_local_not_carried
# CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
# CHECK-NOT: iter_args
# CHECK: return
@pl.jit
def loop_local_not_carried(x: pl.Tensor[[4, 8], pl.FP32],
                           y: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    for b in pl.spmd(1):
        t = pl.full([1, 8], dtype=pl.FP32, value=0.0)
        y[0:1, :] = t
        for i in pl.range(4):
            t = pl.exp(x[i:i + 1, :])
            y[i:i + 1, :] = t


print(loop_local_not_carried.ir())


# for i in range(3) over constants unrolls: three loads at rows 0, 2, 4.
# CHECK-LABEL: func.func @compile_time_range
# CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
# CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
# CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
# CHECK-NOT: scf.for
# CHECK: tile.load %{{.*}}[%[[C0]], %[[C0]]]
# CHECK: tile.load %{{.*}}[%[[C2]], %[[C0]]]
# CHECK: tile.load %{{.*}}[%[[C4]], %[[C0]]]
@pl.jit
def compile_time_range(x: pl.Tensor[[6, 8], pl.FP32],
                       y: pl.Out[pl.Tensor[[6, 8], pl.FP32]]):
    for b in pl.spmd(1):
        for r in range(3):
            y[2 * r:2 * r + 2, :] = x[2 * r:2 * r + 2, :]


print(compile_time_range.ir())


# The K loop of a matmul: the first step starts the accumulator with
# pl.matmul, later ones use pl.matmul_acc; the if yields the tile both
# branches assign, and the pipeline carries it. `acc` starts as a
# pl.create_tensor inside the scope: a zero tile of its declared type.
# CHECK-LABEL: func.func @k_loop_if_else
# CHECK: %[[Z:.*]] = tile.full 0.000000e+00 : !tile.tile<16x32xf32>
# CHECK: tile.pipeline %[[KB:.*]] = %{{.*}} to %{{.*}} step %{{.*}} stages(2) iter_args(%[[ACC:.*]] = %[[Z]]) -> (!tile.tile<16x32xf32>) {
# CHECK: %[[K0:.*]] = arith.muli %[[KB]], %{{.*}} : index
# CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[K0]], %{{.*}} : index
# CHECK: %[[R:.*]] = scf.if %[[FIRST]] -> (!tile.tile<16x32xf32>) {
# CHECK: %[[M:.*]] = tile.matmul
# CHECK: scf.yield %[[M]] : !tile.tile<16x32xf32>
# CHECK: } else {
# CHECK: %[[MA:.*]] = tile.matmul_acc %[[ACC]],
# CHECK: scf.yield %[[MA]] : !tile.tile<16x32xf32>
# CHECK: tile.yield %[[R]] : !tile.tile<16x32xf32>
@pl.jit
def k_loop_if_else(a: pl.Tensor[[16, 128], pl.BF16],
                   w: pl.Tensor[[128, 32], pl.BF16],
                   c: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        acc = pl.create_tensor([16, 32], dtype=pl.FP32)
        for kb in pl.pipeline(0, 128 // KC, stage=2):
            k0 = kb * KC
            if k0 == 0:
                acc = pl.matmul(a[:, k0:k0 + KC], w[k0:k0 + KC, :], out_dtype=pl.FP32)
            else:
                acc = pl.matmul_acc(acc, a[:, k0:k0 + KC], w[k0:k0 + KC, :])
        c[:, :] = acc


print(k_loop_if_else.ir())


# if without else: the branch's value or the value from before the if;
# conditions combine with `and`; `if` on a compile-time value builds one
# branch only (no scf.if for `if SCALE > 1`).
# CHECK-LABEL: func.func @if_without_else
# CHECK: %[[T:.*]] = tile.load
# CHECK: %[[A:.*]] = arith.cmpi sgt, %{{.*}}, %{{.*}} : index
# CHECK: %[[B:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : index
# CHECK: %[[AB:.*]] = arith.andi %[[A]], %[[B]] : i1
# CHECK: %[[R:.*]] = scf.if %[[AB]] -> (!tile.tile<1x8xf32>) {
# CHECK: %[[N:.*]] = tile.neg %[[T]]
# CHECK: scf.yield %[[N]]
# CHECK: } else {
# CHECK: scf.yield %[[T]]
# CHECK: %[[S:.*]] = tile.muls %[[R]]
# CHECK-NOT: scf.if
# CHECK: tile.store %[[S]]
SCALE = 2.0


@pl.jit
def if_without_else(x: pl.Tensor[[4, 8], pl.FP32],
                    y: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    for b in pl.spmd(4):
        t = x[b:b + 1, :]
        if b > 0 and b < 3:
            t = pl.neg(t)
        if SCALE > 1:
            t = pl.mul(t, SCALE)
        else:
            t = pl.exp(t)
        y[b:b + 1, :] = t


print(if_without_else.ir())


# Nested loops: the outer pipeline carries the tile the inner range updates.
# CHECK-LABEL: func.func @nested_carry
# CHECK: %[[OUT:.*]] = tile.pipeline %{{.*}} iter_args(%[[A0:.*]] = %{{.*}}) -> (!tile.tile<2x8xf32>) {
# CHECK: %[[IN:.*]] = scf.for %{{.*}} iter_args(%[[A1:.*]] = %[[A0]]) -> (!tile.tile<2x8xf32>) {
# CHECK: %[[S:.*]] = tile.add %[[A1]],
# CHECK: scf.yield %[[S]]
# CHECK: tile.yield %[[IN]]
# CHECK: tile.store %[[OUT]]
@pl.jit
def nested_carry(x: pl.Tensor[[8, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[2, 8], pl.FP32]]):
    for b in pl.spmd(1):
        acc = pl.full([2, 8], dtype=pl.FP32, value=0.0)
        for i in pl.pipeline(4):
            for j in pl.range(4):
                acc = pl.add(acc, x[2 * i:2 * i + 2, 8 * j:8 * j + 8])
        y[:, :] = acc


print(nested_carry.ir())
