"""`pl.dynamic` dimensions, `x.bind_dynamic(i, T)` and `pl.tensor.dim`:
bound from the call's tensors, checked for agreement, specialised and
cached per bound value (kernel.cache_info()), and a compile-time int in
the kernel (grids, loops, slices)."""

import pytest
import torch

import tessel
import tessel.language as pl
from tessel.errors import ArgumentError
from tessel.frontend import dynamic

T = pl.dynamic("T")
N = 32


@pl.jit
def scale_rows(x: pl.Tensor[[T, N], pl.FP32],
               y: pl.Out[pl.Tensor[[T, N], pl.FP32]]):
    # y = 2 * x + 1, in blocks of 8 rows: the grid is T // 8 blocks
    for b in pl.spmd(T // 8):
        t0 = b * 8
        y[t0:t0 + 8, :] = pl.add(pl.mul(x[t0:t0 + 8, :], 2.0), 1.0)


@pl.jit
def bound_in_body(x: pl.Tensor, y: pl.Out[pl.Tensor]):
    # bare tensors, T bound by bind_dynamic; a stepped loop over T rows
    x.bind_dynamic(0, T)
    y.bind_dynamic(0, T)
    n = pl.tensor.dim(x, 1)
    with pl.at(level=pl.Level.CORE_GROUP):
        for t in pl.range(0, T, 8):
            y[t:t + 8, :] = pl.sub(x[t:t + 8, :], pl.row_expand_mul(
                pl.full([8, n], dtype=pl.FP32, value=1.0),
                pl.div(pl.row_sum(x[t:t + 8, :]), n)))


def _run_scale(rows):
    x = torch.randn(rows, N, generator=torch.Generator().manual_seed(rows))
    y = torch.empty_like(x)
    scale_rows(x, y)
    torch.testing.assert_close(y, 2 * x + 1, rtol=1e-6, atol=1e-6)


def test_specialised_and_cached_per_bound_value():
    before = scale_rows.cache_info()
    _run_scale(8)                       # T=8: compiles
    _run_scale(8)                       # T=8 again: the cached kernel
    _run_scale(16)                      # T=16: compiles once more
    after = scale_rows.cache_info()
    assert after["misses"] - before["misses"] == 2
    assert after["hits"] - before["hits"] == 1
    assert after["entries"] - before["entries"] == 2
    # The T=16 kernel's grid has T // 8 = 2 blocks.
    assert "memref<16x32xf32>" in scale_rows.ir()
    assert "tile.spmd 2" in scale_rows.ir().replace("(", " ")


def test_bind_dynamic_and_tensor_dim_against_torch():
    x = torch.randn(16, 24, generator=torch.Generator().manual_seed(1))
    y = torch.empty_like(x)
    bound_in_body(x, y)
    torch.testing.assert_close(y, x - x.mean(dim=1, keepdim=True),
                               rtol=1e-5, atol=1e-5)


def test_mismatch_between_parameters_is_an_argument_error():
    x, y = torch.randn(8, N), torch.empty(16, N)
    with pytest.raises(ArgumentError) as e:
        scale_rows(x, y)
    msg = str(e.value)
    assert "'T' is 8 from 'x' dim 0 but 16 from 'y' dim 0" in msg
    with pytest.raises(ArgumentError, match="'T' is 16 from 'x' dim 0 but 8 "
                                            "from 'y' dim 0"):
        bound_in_body(torch.randn(16, 24), torch.empty(8, 24))


def test_static_dim_and_rank_still_checked():
    with pytest.raises(ArgumentError, match="argument 'x' has shape "
                                            r"\[8, 16\]"):
        scale_rows(torch.randn(8, 16), torch.empty(8, 16))
    with pytest.raises(ArgumentError, match="argument 'x' has shape"):
        scale_rows(torch.randn(8), torch.empty(8))


def test_use_before_binding_is_a_compile_error():
    U = pl.dynamic("U")

    @pl.jit
    def k(x: pl.Tensor[[8, 16], pl.FP32],
          y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            for t in pl.range(0, U, 8):
                y[t:t + 8, :] = x[t:t + 8, :]

    with pytest.raises(tessel.CompileError) as e:
        k.ir()
    assert e.value.line == k.fn.__code__.co_firstlineno + 4
    assert "'U' is used before any parameter binds it" in str(e.value)


def test_bind_dynamic_errors_at_the_authors_line():
    @pl.jit
    def non_int(x: pl.Tensor, y: pl.Out[pl.Tensor]):
        x.bind_dynamic(0.5, T)
        with pl.at(level=pl.Level.CORE_GROUP):
            y[0:8, :] = x[0:8, :]

    @pl.jit
    def not_dynamic(x: pl.Tensor, y: pl.Out[pl.Tensor]):
        x.bind_dynamic(0, 8)
        with pl.at(level=pl.Level.CORE_GROUP):
            y[0:8, :] = x[0:8, :]

    x, y = torch.randn(8, 16), torch.empty(8, 16)
    for k, text in ((non_int, "must be a compile-time integer"),
                    (not_dynamic, "bind_dynamic binds a pl.dynamic")):
        with pytest.raises(tessel.CompileError) as e:
            k(x, y)
        assert e.value.line == k.fn.__code__.co_firstlineno + 2
        assert text in str(e.value)


def test_pl_dynamic_needs_a_name():
    with pytest.raises(tessel.CompileError, match="takes the dimension's "
                                                  "name as a string"):
        pl.dynamic(3)


def test_tensor_dim_axis_out_of_range():
    @pl.jit
    def k(x: pl.Tensor[[8, 16], pl.FP32],
          y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        n = pl.tensor.dim(x, 2)
        with pl.at(level=pl.Level.CORE_GROUP):
            y[0:8, 0:n] = x[0:8, 0:n]

    with pytest.raises(tessel.CompileError) as e:
        k.ir()
    assert e.value.line == k.fn.__code__.co_firstlineno + 3
    assert "axis 2 is out of range for a tensor of rank 2" in str(e.value)


# -- the pure binding analysis --------------------------------------------

def test_bind_dims_first_use_binds_later_ones_agree():
    A, B = pl.dynamic("A"), pl.dynamic("B")
    uses = [("x", 0, A), ("x", -1, B), ("y", 0, A)]
    got = dynamic.bind_dims(uses, {"x": (8, 4), "y": (8, 2)})
    assert got[A] == dynamic.Binding(8, "x", 0)
    assert got[B] == dynamic.Binding(4, "x", 1)     # -1 of rank 2 is dim 1
    with pytest.raises(dynamic.DimMismatch) as e:
        dynamic.bind_dims(uses, {"x": (8, 4), "y": (6, 2)})
    assert (e.value.first.param, e.value.param, e.value.value) == \
        ("x", "y", 6)
    with pytest.raises(dynamic.DimOutOfRange):
        dynamic.bind_dims([("x", 2, A)], {"x": (8, 4)})
    # Same name, different objects: two independent dimensions.
    A2 = pl.dynamic("A")
    got = dynamic.bind_dims([("x", 0, A), ("y", 0, A2)],
                            {"x": (8,), "y": (3,)})
    assert (got[A].value, got[A2].value) == (8, 3)


# -- inline helpers: their annotations bind or check the dimension --------

@pl.jit.inline
def double_rows(x: pl.Tensor[[T, N], pl.FP32],
                y: pl.Tensor[[T, N], pl.FP32]):
    rows = pl.tensor.dim(x, 0)
    with pl.spmd(rows // 8, name_hint="double") as tid:
        b = pl.tile.get_block_idx()
        y[b * 8:b * 8 + 8, :] = pl.mul(x[b * 8:b * 8 + 8, :], 2.0)
    return tid


@pl.jit
def via_helper(x: pl.Tensor, y: pl.Out[pl.Tensor]):
    # T is bound by the helper's annotation from the bare tensors
    double_rows(x, y)


@pl.jit
def via_helper_mismatch(x: pl.Tensor[[T, N], pl.FP32],
                        z: pl.Tensor[[16, N], pl.FP32],
                        y: pl.Out[pl.Tensor[[T, N], pl.FP32]]):
    double_rows(z, y)          # T is 8 from x; z has 16 rows


def test_inline_helper_annotation_binds_the_dimension():
    x = torch.randn(24, N, generator=torch.Generator().manual_seed(2))
    y = torch.empty_like(x)
    via_helper(x, y)
    torch.testing.assert_close(y, 2 * x, rtol=0, atol=0)


def test_inline_helper_annotation_mismatch_is_not_checked():
    # PyPTO does not check an inline helper's dynamic dimensions (the
    # helper is spliced into its caller): z's 16 rows against the kernel's
    # T = 8 is a remark, and the helper then runs on z's 16 rows -- past the
    # end of y, which the bounds check reports at the store.
    x, z, y = torch.randn(8, N), torch.randn(16, N), torch.empty(8, N)
    with pytest.raises(tessel.CompileError) as e:
        via_helper_mismatch(x, z, y)
    assert "slice out of bounds in dimension 0 of 'y'" in str(e.value)
    assert e.value.line == double_rows.fn.__code__.co_firstlineno + 6


@pl.jit
def helper_per_call(x: pl.Tensor[[T, N], pl.FP32],
                    z: pl.Tensor[[16, N], pl.FP32],
                    y: pl.Out[pl.Tensor[[T, N], pl.FP32]],
                    w: pl.Out[pl.Tensor[[16, N], pl.FP32]]):
    double_rows(x, y)          # T is 8
    double_rows(z, w)          # 16 rows: not checked (a remark), as in PyPTO
    with pl.at(level=pl.Level.CORE_GROUP):
        y[0:T, :] = pl.add(y[0:T, :], 1.0)   # the kernel's T is still 8


def test_inline_helper_dimension_mismatch_is_a_remark():
    g = torch.Generator().manual_seed(3)
    x, z = torch.randn(8, N, generator=g), torch.randn(16, N, generator=g)
    y, w = torch.empty(8, N), torch.empty(16, N)
    helper_per_call(x, z, y, w)
    assert torch.equal(y, 2 * x + 1.0) and torch.equal(w, 2 * z)
    remarks = [m for sev, m, _, _ in helper_per_call.module().warnings
               if "REMARK" in sev]
    assert any("pl.dynamic dimension 'T' is 8 in this kernel but argument "
               "'x' of 'double_rows' has extent 16 there" in m
               for m in remarks), remarks
