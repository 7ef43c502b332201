# RUN: %python %s | FileCheck %s
#
# GM tensors: slicing loads, slice-assignment stores, 1-D tensors as 1 x N
# tiles, 3-D tensors with unit leading dimensions, pl.create_tensor scratch,
# reshaped GM views, pl.slice / pl.load / pl.store, and index arithmetic.

import tessel.language as pl

T = 8
H = 4
HD = 16


# gamma[c0:c0 + 8] of a 1-D [32] tensor loads as a 1 x 8 tile at [c0];
# g[:] the whole [32] row as 1 x 32, whose row maximum is 1 x 1.
# CHECK-LABEL: func.func @one_dim_rows
# CHECK-SAME: (%[[G:.*]]: memref<32xbf16>, %{{.*}}: memref<32xf32>)
# CHECK: %[[C:.*]] = arith.muli %{{.*}}, %{{.*}} : index
# CHECK: tile.load %[[G]][%[[C]]] : memref<32xbf16> -> !tile.tile<1x8xbf16>
# CHECK: tile.load %[[G]][%{{.*}}] : memref<32xbf16> -> !tile.tile<1x32xbf16>
# CHECK: tile.row_max %{{.*}} : !tile.tile<1x32xf32> -> !tile.tile<1x1xf32>
# CHECK: tile.row_expand_mul %{{.*}}, %{{.*}} : !tile.tile<1x8xf32>, !tile.tile<1x1xf32>
# CHECK: tile.store %{{.*}}, %{{.*}}[%[[C]]] : !tile.tile<1x8xf32>, memref<32xf32>
@pl.jit
def one_dim_rows(g: pl.Tensor[[32], pl.BF16],
                 out: pl.Out[pl.Tensor[[32], pl.FP32]]):
    for b in pl.spmd(4):
        c0 = b * 8
        part = pl.cast(g[c0:c0 + 8], target_type=pl.FP32)
        whole = pl.cast(g[:], target_type=pl.FP32)
        out[c0:c0 + 8] = pl.row_expand_mul(part, pl.row_max(whole))


print(one_dim_rows.ir())


# q[t, h, :] of a [T, H, HD] tensor: unit sizes in the two leading
# dimensions (an integer index has size 1), a 1 x 16 tile; three indices.
# CHECK-LABEL: func.func @three_dims
# CHECK: tile.load %{{.*}}[%[[T:.*]], %[[H:.*]], %{{.*}}] : memref<8x4x16xf32> -> !tile.tile<1x16xf32>
# CHECK: tile.store %{{.*}}, %{{.*}}[%[[T]], %[[H]], %{{.*}}] : !tile.tile<1x16xf32>, memref<8x4x16xf32>
@pl.jit
def three_dims(q: pl.Tensor[[T, H, HD], pl.FP32],
               o: pl.Out[pl.Tensor[[T, H, HD], pl.FP32]]):
    for b in pl.spmd(T * H):
        t = b // H
        h = b % H
        o[t, h, :] = pl.exp(q[t:t + 1, h, 0:HD])


print(three_dims.ir())


# Function-level pl.create_tensor is a named GM scratch (tile.alloc_gm),
# written by one scope and read by the next.
# CHECK-LABEL: func.func @scratch_between_scopes
# CHECK: %[[S:.*]] = tile.alloc_gm name("staged") : memref<8x16xf32>
# CHECK: tile.spmd 2 name("produce")
# CHECK: tile.store %{{.*}}, %[[S]]
# CHECK: tile.spmd 2 name("consume")
# CHECK: tile.load %[[S]]
@pl.jit
def scratch_between_scopes(x: pl.Tensor[[8, 16], pl.FP32],
                           y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    staged = pl.create_tensor([8, 16], dtype=pl.FP32)
    for b in pl.spmd(2, name_hint="produce"):
        staged[b * 4:b * 4 + 4, :] = pl.exp(x[b * 4:b * 4 + 4, :])
    for b in pl.spmd(2, name_hint="consume"):
        y[b * 4:b * 4 + 4, :] = pl.neg(staged[b * 4:b * 4 + 4, :])


print(scratch_between_scopes.ir())


# pl.reshape of a GM tensor: [8, 4, 16] -> [8, 64] is a collapse to 512
# elements and an expand to [8, 64]; stores into the view write the output.
# CHECK-LABEL: func.func @reshape_gm_view
# CHECK: %[[FLAT:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : memref<8x4x16xf32> into memref<512xf32>
# CHECK: %[[V:.*]] = memref.expand_shape %[[FLAT]] {{\[\[}}0, 1]] output_shape [8, 64] : memref<512xf32> into memref<8x64xf32>
# CHECK: tile.store %{{.*}}, %[[V]][%{{.*}}, %{{.*}}] : !tile.tile<1x64xf32>, memref<8x64xf32>
@pl.jit
def reshape_gm_view(x: pl.Tensor[[8, 64], pl.FP32],
                    q: pl.Out[pl.Tensor[[8, 4, 16], pl.FP32]]):
    q2 = pl.reshape(q, [8, 64])
    for t in pl.spmd(8):
        q2[t:t + 1, :] = x[t:t + 1, :]


print(reshape_gm_view.ir())


# pl.slice(tensor, shape, offset), pl.load(tensor, offsets, shapes) and
# pl.store(tile, offsets, output), PyPTO's function forms.
# CHECK-LABEL: func.func @function_forms
# CHECK: %[[A:.*]] = tile.load %{{.*}}[%[[R:.*]], %[[C0:.*]]] : memref<16x32xf32> -> !tile.tile<4x32xf32>
# CHECK: %[[B:.*]] = tile.load %{{.*}}[%[[R]], %[[C0]]] : memref<16x32xf32> -> !tile.tile<4x32xf32>
# CHECK: %[[S:.*]] = tile.add %[[A]], %[[B]]
# CHECK: tile.store %[[S]], %{{.*}}[%[[R]], %[[C0]]]
@pl.jit
def function_forms(x: pl.Tensor[[16, 32], pl.FP32],
                   y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(4):
        r = b * 4
        a = pl.slice(x, [4, 32], [r, 0])
        c = pl.load(x, [r, 0], [4, 32])
        pl.store(pl.add(a, c), [r, 0], y)


print(function_forms.ir())


# Index arithmetic: t0 = (b // 4) * 2, h0 = (b % 4) * 16 (b in 0..7 is
# non-negative, so divsi and remsi are Python's // and %). Only the linear
# form of a slice's upper bound is needed, so `t0 + 2` is never
# materialised, and (h0 + 16) - 16 is h0 itself: no addi, no subi.
# CHECK-LABEL: func.func @index_arithmetic
# CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
# CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
# CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
# CHECK: %[[Q:.*]] = arith.divsi %[[B:.*]], %[[C4]] : index
# CHECK: %[[T0:.*]] = arith.muli %[[Q]], %[[C2]] : index
# CHECK: %[[M:.*]] = arith.remsi %[[B]], %[[C4]] : index
# CHECK: %[[H0:.*]] = arith.muli %[[M]], %[[C16]] : index
# CHECK-NOT: arith.addi
# CHECK-NOT: arith.subi
# CHECK: tile.load %{{.*}}[%[[T0]], %[[H0]]] : memref<4x64xf32> -> !tile.tile<2x16xf32>
@pl.jit
def index_arithmetic(x: pl.Tensor[[4, 64], pl.FP32],
                     y: pl.Out[pl.Tensor[[4, 64], pl.FP32]]):
    for b in pl.spmd(8):
        t0 = (b // 4) * 2
        h0 = (b % 4) * 16
        start = (h0 + 16) - 16
        y[t0:t0 + 2, h0:h0 + 16] = x[t0:t0 + 2, start:start + 16]


print(index_arithmetic.ir())


# A dividend that may be negative: b - 2 ranges over -2..5, so Python's
# floor division is divsi corrected by one when the remainder is negative
# ((-2) // 4 == -1, not 0), and % adds the divisor to a negative remainder.
# r = (b - 2) // 4 + 1 ranges over 0..2, c = (b - 2) % 4 over 0..3.
# CHECK-LABEL: func.func @floor_of_negative
# CHECK: %[[D:.*]] = arith.subi %{{.*}}, %{{.*}} : index
# CHECK: %[[Q:.*]] = arith.divsi %[[D]], %[[C4:.*]] : index
# CHECK: %[[R:.*]] = arith.remsi %[[D]], %[[C4]] : index
# CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[R]], %{{.*}} : index
# CHECK: %[[Q1:.*]] = arith.subi %[[Q]], %{{.*}} : index
# CHECK: %[[FLOOR:.*]] = arith.select %[[NEG]], %[[Q1]], %[[Q]] : index
# CHECK: %[[ROW:.*]] = arith.addi %[[FLOOR]], %{{.*}} : index
# CHECK: %[[R2:.*]] = arith.remsi %[[D]], %[[C4]] : index
# CHECK: %[[NEG2:.*]] = arith.cmpi slt, %[[R2]], %{{.*}} : index
# CHECK: %[[RB:.*]] = arith.addi %[[R2]], %[[C4]] : index
# CHECK: %[[MOD:.*]] = arith.select %[[NEG2]], %[[RB]], %[[R2]] : index
# CHECK: tile.load %{{.*}}[%[[ROW]], %[[MOD]]] : memref<4x4xf32> -> !tile.tile<1x1xf32>
@pl.jit
def floor_of_negative(x: pl.Tensor[[4, 4], pl.FP32],
                      y: pl.Out[pl.Tensor[[8, 1], pl.FP32]]):
    for b in pl.spmd(8):
        d = b - 2
        y[b:b + 1, :] = x[d // 4 + 1:d // 4 + 2, d % 4:d % 4 + 1]


print(floor_of_negative.ir())


# Negative constant bounds count from the end as in Python: x[-1, -8:] of
# an [4, 32] tensor is row 3, columns 24..31.
# CHECK-LABEL: func.func @negative_bounds
# CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
# CHECK-DAG: %[[C24:.*]] = arith.constant 24 : index
# CHECK: tile.load %{{.*}}[%[[C3]], %[[C24]]] : memref<4x32xf32> -> !tile.tile<1x8xf32>
@pl.jit
def negative_bounds(x: pl.Tensor[[4, 32], pl.FP32],
                    y: pl.Out[pl.Tensor[[1, 8], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = x[-1, -8:]


print(negative_bounds.ir())
