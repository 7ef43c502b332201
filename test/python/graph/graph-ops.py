# RUN: %python %s | FileCheck %s
#
# RMSNorm, softmax, interleaved RoPE and a SiLU-gated MLP through the graph
# path (docs/graph.md): the tensor-level IR tessel.graph emits from the
# torch.export graph, then the scopes tile-form-scopes forms (one process,
# one export per function). Their numerics against torch are in
# test/pytest/test_graph.py.

import torch
import torch.nn.functional as F

import tessel


def rmsnorm(x, gamma):
    xf = x.float()
    y = xf * torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True) + 1e-6)
    return (y * gamma.float()).to(torch.bfloat16)


def softmax(x):
    m = x.amax(dim=-1, keepdim=True)
    e = torch.exp(x - m)
    return e / e.sum(dim=-1, keepdim=True)


def rope(t, cos, sin):
    even, odd = t[..., 0::2], t[..., 1::2]
    out = torch.empty_like(t)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def mlp(x, w1, w3, w2):
    h = F.silu(x @ w1) * (x @ w3)
    return h @ w2


def show(fn, *args):
    k = tessel.compile_graph(fn, args)
    print(k.ir("graph"))
    print(k.ir("tile"))


bf16 = torch.bfloat16

# RMSNorm [8, 256] bf16 (gamma [256] is one row): the square, a row sum
# ([parallel, reduction], output (d0, 0)), the mean as a division by 256,
# rsqrt, the row broadcast (d0, 0) and the column broadcast (0, d1) of gamma.
# CHECK-LABEL: func.func @rmsnorm(%arg0: tensor<8x256xbf16>, %arg1: tensor<1x256xbf16>) -> tensor<8x256xbf16>
# CHECK: arith.extf %{{.*}} : bf16 to f32
# CHECK: arith.mulf
# CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<8x1xf32>)
# CHECK: linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "reduction"]}
# CHECK: arith.addf
# CHECK: arith.constant 2.560000e+02 : f32
# CHECK: math.rsqrt
# CHECK: linalg.generic {indexing_maps = [#map, #map1, #map]
# CHECK: linalg.generic {indexing_maps = [#map, #map2, #map]
# CHECK: arith.truncf %{{.*}} : f32 to bf16
# The formed kernel: one vector scope of one row per block.
# CHECK-LABEL: func.func @rmsnorm(%arg0: memref<8x256xbf16>, %arg1: memref<1x256xbf16>, %arg2: memref<8x256xbf16>)
# CHECK: tile.spmd 8
# CHECK: tile.at vector
# CHECK: tile.row_sum {{.*}} : !tile.tile<1x256xf32> -> !tile.tile<1x1xf32>
# CHECK: tile.rsqrt
# CHECK: tile.row_expand_mul
# CHECK: tile.col_expand_mul
# CHECK: tile.cast {{.*}} rint : !tile.tile<1x256xf32> -> !tile.tile<1x256xbf16>
# CHECK-NOT: tile.spmd
show(rmsnorm, torch.ones(8, 256, dtype=bf16), torch.ones(256, dtype=bf16))

# Softmax: amax (maximumf from -inf), the broadcast subtraction, exp, sum,
# division; one scope, the max broadcast as row_expand_mul of ones.
# CHECK-LABEL: func.func @softmax(%arg0: tensor<4x128xf32>) -> tensor<4x128xf32>
# CHECK: arith.constant 0xFF800000 : f32
# CHECK: arith.maximumf
# CHECK: math.exp
# CHECK-LABEL: func.func @softmax(%arg0: memref<4x128xf32>, %arg1: memref<4x128xf32>)
# CHECK: tile.spmd 4
# CHECK: tile.row_max
# CHECK: tile.row_expand_mul
# CHECK: tile.exp
# CHECK: tile.row_sum
# CHECK: tile.div
# CHECK-NOT: tile.spmd
show(softmax, torch.ones(4, 128))

# Interleaved RoPE: stride-2 slices, and the slice assignments into
# empty_like as stride-2 insert_slices; then gathers and scatters.
# CHECK-LABEL: func.func @rope(%arg0: tensor<8x64xf32>, %arg1: tensor<8x32xf32>, %arg2: tensor<8x32xf32>)
# CHECK: tensor.extract_slice %arg0[0, 0] [8, 32] [1, 2]
# CHECK: tensor.extract_slice %arg0[0, 1] [8, 32] [1, 2]
# CHECK: tensor.insert_slice %{{.*}}[0, 0] [8, 32] [1, 2]
# CHECK: tensor.insert_slice %{{.*}}[0, 1] [8, 32] [1, 2]
# CHECK-LABEL: func.func @rope(%arg0: memref<8x64xf32>
# CHECK: tile.spmd 8
# CHECK-DAG: tile.gather %{{.*}} p0101
# CHECK-DAG: tile.gather %{{.*}} p1010
# CHECK: tile.scatter %{{.*}} p0101
# CHECK: tile.scatter %{{.*}} p1010
show(rope, torch.ones(8, 64), torch.ones(8, 32), torch.ones(8, 32))

# SiLU-gated MLP in bf16: each projection a linalg.matmul accumulating in
# f32 then rounded to bf16; silu as x / (1 + exp(-x)) in one generic. Three
# core_group matmul scopes (their f32 products in GM), the gate's product
# in GM as the down projection's operand.
# CHECK-LABEL: func.func @mlp(
# CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<8x64xbf16>, tensor<64x128xbf16>) outs(%{{.*}} : tensor<8x128xf32>)
# CHECK: math.exp
# CHECK: linalg.matmul ins(%arg0, %arg2
# CHECK: linalg.matmul ins(%{{.*}}, %arg3 : tensor<8x128xbf16>, tensor<128x64xbf16>)
# CHECK-LABEL: func.func @mlp(%arg0: memref<8x64xbf16>, %arg1: memref<64x128xbf16>, %arg2: memref<64x128xbf16>, %arg3: memref<128x64xbf16>, %arg4: memref<8x64xbf16>)
# CHECK-COUNT-3: tile.alloc_gm
# CHECK: tile.at core_group
# CHECK: tile.matmul_acc
# CHECK: tile.at core_group
# CHECK: tile.at vector
# CHECK: tile.exp
# CHECK: tile.at core_group
# CHECK: tile.at vector
show(mlp, torch.ones(8, 64, dtype=bf16), torch.ones(64, 128, dtype=bf16),
     torch.ones(64, 128, dtype=bf16), torch.ones(128, 64, dtype=bf16))
