# RUN: %python %s | FileCheck %s
#
# pl.create_tensor in a pl.parallel body outside its pl.at scopes, used by
# two scopes: GM scratch of the block (frontend/blockscratch.py), one
# tile.alloc_gm before the tile.spmd with a copy per block; and pl.reshape
# of a view taken outside the scopes (builtins.squeeze_plan).

import tessel.language as pl


# 4 blocks of a [16, 32] FP32 scratch: memref<64x32xf32> allocated before
# the spmd; block b's rows start at b * 16, its store at row 8 of them is
# row b * 16 + 8, the load in the next scope at b * 16.
# CHECK-LABEL: func.func @handed_over
# CHECK: %[[S:.*]] = tile.alloc_gm name("s") : memref<64x32xf32>
# CHECK: tile.spmd 4 (%[[B:.*]]) {
# CHECK: %[[R0:.*]] = arith.muli %[[B]], %{{.*}} : index
# CHECK: tile.at
# CHECK: %[[R8:.*]] = arith.addi %[[R0]], %{{.*}} : index
# CHECK: tile.store %{{.*}}, %[[S]][%[[R0]], %{{.*}}] : !tile.tile<8x32xf32>, memref<64x32xf32>
# CHECK: tile.store %{{.*}}, %[[S]][%[[R8]], %{{.*}}] : !tile.tile<8x32xf32>, memref<64x32xf32>
# CHECK: tile.at
# CHECK: tile.load %[[S]][%[[R0]], %{{.*}}] : memref<64x32xf32> -> !tile.tile<16x32xf32>
@pl.jit
def handed_over(x: pl.Tensor[[64, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[64, 32], pl.FP32]]):
    for b in pl.parallel(4):
        s = pl.create_tensor([16, 32], dtype=pl.FP32)
        with pl.at(level=pl.Level.CORE_GROUP):
            s[0:8, :] = x[b * 16:b * 16 + 8, :]
            s[8:16, :] = pl.exp(x[b * 16 + 8:b * 16 + 16, :])
        with pl.at(level=pl.Level.CORE_GROUP):
            y[b * 16:b * 16 + 16, :] = s[:, :]


print(handed_over.ir())


# One scope uses it and it fits UB: the tile, no GM.
# CHECK-LABEL: func.func @one_scope
# CHECK-NOT: tile.alloc_gm
# CHECK: tile.full
# CHECK: return
@pl.jit
def one_scope(x: pl.Tensor[[64, 32], pl.FP32],
              y: pl.Out[pl.Tensor[[64, 32], pl.FP32]]):
    for b in pl.parallel(4):
        acc = pl.create_tensor([16, 32], dtype=pl.FP32)
        with pl.at(level=pl.Level.CORE_GROUP):
            acc = pl.add(acc, x[b * 16:b * 16 + 16, :])
            y[b * 16:b * 16 + 16, :] = acc


print(one_scope.ir())


# buf[n, 4:12, :] of a [3, 16, 32] tensor reshaped to [8, 32]: the tensor
# collapsed to [48, 32] (memref.collapse_shape to 1-D, expand_shape to
# [48, 32]), the view at rows n * 16 + 4 = 36 (n = 2).
# CHECK-LABEL: func.func @node_view
# CHECK: memref.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : memref<3x16x32xf32> into memref<1536xf32>
# CHECK: %[[V:.*]] = memref.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [48, 32] : memref<1536xf32> into memref<48x32xf32>
# CHECK: tile.at
# CHECK: tile.load %[[V]][%c36, %c0] : memref<48x32xf32> -> !tile.tile<8x32xf32>
@pl.jit
def node_view(buf: pl.Tensor[[3, 16, 32], pl.FP32],
              y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    n = 2
    v = pl.reshape(pl.slice(buf, [1, 8, 32], [n, 4, 0]), [8, 32])
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = v[:, :]


print(node_view.ir())
