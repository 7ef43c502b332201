"""The `pl` surface: every name of docs/language.md exists, annotations
evaluate to specs, language objects refuse to run outside a kernel, and a
kernel checks its call arguments against its annotations."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel.errors import ArgumentError, OutsideKernelError
from tessel.language.types import ParamSpec, TensorSpec

SURFACE = [
    "jit", "Tensor", "Out", "BF16", "FP16", "FP32", "INT8", "INT32", "spmd",
    "parallel", "at", "Level", "pipeline", "range", "create_tensor", "reshape",
    "full", "matmul", "matmul_acc", "add", "sub", "mul", "div", "maximum",
    "neg", "sqrt", "recip", "row_sum", "row_max", "row_expand_mul",
    "col_expand_mul", "cast", "gather", "tensor", "tile",
    # beyond the DSV4 subset
    "rsqrt", "exp", "abs", "minimum", "slice", "load", "store", "InOut",
]


@pytest.mark.parametrize("name", SURFACE)
def test_surface_name_exists(name):
    assert hasattr(pl, name)


def test_nested_surface_names():
    assert callable(pl.jit.inline)
    assert pl.Level.CORE_GROUP and pl.Level.AIV and pl.Level.AIC
    assert pl.Level.VECTOR is pl.Level.AIV and pl.Level.CUBE is pl.Level.AIC
    assert pl.tile.MaskPattern.P0101.value == 1
    assert pl.tile.MaskPattern.P1010.value == 2
    assert callable(pl.tensor.gather) and callable(pl.tensor.scatter)


def test_annotations():
    spec = pl.Tensor[[4, 8], pl.BF16]
    assert spec == TensorSpec((4, 8), pl.BF16)
    out = pl.Out[pl.Tensor[[4], pl.FP32]]
    assert isinstance(out, ParamSpec) and out.direction == "out"
    assert out.tensor.shape == (4,)
    assert repr(spec) == "pl.Tensor[[4, 8], pl.BF16]"


def test_dtypes_map_to_torch():
    assert pl.BF16.torch_dtype() is torch.bfloat16
    assert pl.INT8.torch_dtype() is torch.int8
    assert pl.FP32.mlir == "f32" and pl.INT32.mlir == "i32"
    assert pl.INT64.mlir == "i64" and pl.INT64.torch_dtype() is torch.int64
    assert pl.INDEX.mlir == "i64" and pl.UINT32.mlir == "i32"
    assert pl.UINT32.torch_dtype() is torch.uint32
    assert not pl.TASK_ID.supported and not pl.UINT16.supported


@pytest.mark.parametrize("call", [
    lambda: pl.add(1, 2),
    lambda: pl.spmd(4),
    lambda: pl.at(level=pl.Level.CORE_GROUP),
    lambda: pl.full([1, 1], dtype=pl.FP32, value=0.0),
    lambda: pl.tensor.scatter(None, mask_pattern=None, dst=None),
])
def test_outside_a_kernel(call):
    with pytest.raises(OutsideKernelError, match="inside a @pl.jit kernel"):
        call()


@pl.jit.inline
def helper(t):
    return t


def test_inline_helper_outside_a_kernel():
    with pytest.raises(OutsideKernelError, match="@pl.jit.inline helper"):
        helper(1)


@pl.jit
def copy(x: pl.Tensor[[4, 8], pl.FP32], y: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = x[:, :]


def test_signature_from_annotations():
    sig = copy.signature
    assert [(p.name, p.shape, p.dtype, p.direction) for p in sig] == [
        ("x", (4, 8), pl.FP32, "in"), ("y", (4, 8), pl.FP32, "out")]


@pytest.mark.parametrize("args, message", [
    (lambda: (torch.zeros(4, 8),) * 3, "takes 2 tensors (x, y), got 3"),
    (lambda: (torch.zeros(4, 8), torch.zeros(4, 9)),
     "argument 'y' has shape [4, 9], expected [4, 8]"),
    (lambda: (torch.zeros(4, 8, dtype=torch.float16), torch.zeros(4, 8)),
     "argument 'x' has dtype torch.float16, expected torch.float32"),
    (lambda: ([[0.0] * 8] * 4, torch.zeros(4, 8)),
     "argument 'x' must be a torch.Tensor"),
    (lambda: (torch.zeros(8, 4).t(), torch.zeros(4, 8)),
     "argument 'x' is not contiguous"),
])
def test_call_checks_arguments(args, message):
    with pytest.raises(ArgumentError) as info:
        copy(*args())
    assert message in str(info.value)
