# RUN: %python %s | FileCheck %s
#
# Scopes: pl.spmd (with and without pl.at inside), pl.parallel + pl.at,
# function-level pl.at, and the pl.Level -> tile.at kind mapping.

import tessel.language as pl

ROWS = 64
COLS = 32


# 4 blocks of 16 rows cover the 64 rows; a body without pl.at runs as one
# core_group scope; the block index scales by 16.
# CHECK-LABEL: func.func @spmd_without_at
# CHECK-SAME: (%[[X:.*]]: memref<64x32xf32>, %[[Y:.*]]: memref<64x32xf32>)
# CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
# CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
# CHECK: tile.spmd 4 name("rows") (%[[B:.*]]) {
# CHECK-NEXT: tile.at core_group {
# CHECK-NEXT: %[[T0:.*]] = arith.muli %[[B]], %[[C16]] : index
# CHECK-NEXT: %[[T:.*]] = tile.load %[[X]][%[[T0]], %[[C0]]] : memref<64x32xf32> -> !tile.tile<16x32xf32>
# CHECK-NEXT: tile.store %[[T]], %[[Y]][%[[T0]], %[[C0]]]
@pl.jit
def spmd_without_at(x: pl.Tensor[[ROWS, COLS], pl.FP32],
                    y: pl.Out[pl.Tensor[[ROWS, COLS], pl.FP32]]):
    for b in pl.spmd(ROWS // 16, name_hint="rows"):
        t0 = b * 16
        y[t0:t0 + 16, :] = x[t0:t0 + 16, :]


print(spmd_without_at.ir())


# Index arithmetic outside the core scopes stays in the spmd body; each
# pl.at is its own tile.at (AIV -> vector, AIC -> cube).
# CHECK-LABEL: func.func @spmd_with_two_scopes
# CHECK: tile.spmd 2 (%[[B:.*]]) {
# CHECK-NEXT: %[[T0:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK-NEXT: tile.at vector {
# CHECK: tile.exp
# CHECK: tile.at cube {
# CHECK: tile.matmul
@pl.jit
def spmd_with_two_scopes(x: pl.Tensor[[32, 32], pl.FP32],
                         a: pl.Tensor[[32, 32], pl.BF16],
                         y: pl.Out[pl.Tensor[[32, 32], pl.FP32]],
                         z: pl.Out[pl.Tensor[[32, 32], pl.FP32]]):
    for b in pl.spmd(2):
        t0 = b * 16
        with pl.at(level=pl.Level.AIV):
            y[t0:t0 + 16, :] = pl.exp(x[t0:t0 + 16, :])
        with pl.at(level=pl.Level.AIC):
            z[t0:t0 + 16, :] = pl.matmul(a[t0:t0 + 16, :], a[:, :])


print(spmd_with_two_scopes.ir())


# pl.parallel(0, 64, 32) at function level: 2 blocks, o0 = b * 32; the
# pl.at inside is the core scope (CORE_GROUP -> core_group).
# CHECK-LABEL: func.func @parallel_with_at
# CHECK: tile.spmd 2 (%[[B:.*]]) {
# CHECK-NEXT: %[[O0:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK-NEXT: tile.at core_group {
# CHECK-NEXT: tile.load %{{.*}}[%{{.*}}, %[[O0]]] : memref<16x64xf32> -> !tile.tile<16x32xf32>
@pl.jit
def parallel_with_at(x: pl.Tensor[[16, 64], pl.FP32],
                     y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for o0 in pl.parallel(0, 64, 32):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, o0:o0 + 32] = pl.neg(x[:, o0:o0 + 32])


print(parallel_with_at.ir())


# pl.parallel(1, 7, 2) iterates 1, 3, 5: 3 blocks, i = b * 2 + 1.
# CHECK-LABEL: func.func @parallel_offset
# CHECK: tile.spmd 3 (%[[B:.*]]) {
# CHECK-NEXT: %[[M:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK-NEXT: %[[I:.*]] = arith.addi %[[M]], %{{.*}} : index
# CHECK-NEXT: tile.at core_group {
# CHECK-NEXT: tile.load %{{.*}}[%[[I]], %{{.*}}] : memref<8x16xf32> -> !tile.tile<1x16xf32>
@pl.jit
def parallel_offset(x: pl.Tensor[[8, 16], pl.FP32],
                    y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for i in pl.parallel(1, 7, 2):
        y[i:i + 1, :] = pl.abs(x[i:i + 1, :])


print(parallel_offset.ir())


# A pl.at at function level runs as one block named after name_hint.
# CHECK-LABEL: func.func @function_level_at
# CHECK: tile.spmd 1 name("whole") (%{{.*}}) {
# CHECK-NEXT: tile.at vector {
# CHECK: tile.sqrt
@pl.jit
def function_level_at(x: pl.Tensor[[8, 16], pl.FP32],
                      y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR, name_hint="whole"):
        y[:, :] = pl.sqrt(x[:, :])


print(function_level_at.ir())


# PyPTO's `with pl.at(...)` around one `for ... in pl.parallel(...)`: one
# block per iteration (64 / 16 = 4), the scope inside each block.
# CHECK-LABEL: func.func @at_around_parallel
# CHECK: tile.spmd 4 name("chunks") (%[[B:.*]]) {
# CHECK-NEXT: %[[R:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK-NEXT: tile.at core_group {
# CHECK-NEXT: tile.load %{{.*}}[%[[R]], %{{.*}}] : memref<64x8xf32> -> !tile.tile<16x8xf32>
@pl.jit
def at_around_parallel(x: pl.Tensor[[64, 8], pl.FP32],
                       y: pl.Out[pl.Tensor[[64, 8], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP, name_hint="chunks"):
        for r in pl.parallel(0, 64, 16, chunk=2):
            y[r:r + 16, :] = pl.recip(x[r:r + 16, :])


print(at_around_parallel.ir())


# Inside a core scope pl.parallel is a sequential loop (scf.for 0..4).
# CHECK-LABEL: func.func @parallel_inside_scope
# CHECK: tile.spmd 1 (%{{.*}}) {
# CHECK: tile.at core_group {
# CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
# CHECK: tile.rsqrt
@pl.jit
def parallel_inside_scope(x: pl.Tensor[[64, 8], pl.FP32],
                          y: pl.Out[pl.Tensor[[64, 8], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.full([16, 8], dtype=pl.FP32, value=1.0)
        for r in pl.parallel(4):
            y[r * 16:r * 16 + 16, :] = pl.rsqrt(pl.add(x[r * 16:r * 16 + 16, :], t))


print(parallel_inside_scope.ir())


# The target attribute names the chip.
# CHECK: module attributes {tile.target = #tile.target<a5>}
# CHECK-LABEL: func.func @spmd_without_at
print(spmd_without_at.ir(target="a5"))
