"""A plain `pl.Tensor` parameter the kernel writes is in-out, as in PyPTO
(pypto-lib's sparse attention writes its `ori_kv` input to order a later
write-back; qwen3's decode writes its KV caches through plain parameters):
the caller sees the writes, a remark names the parameter, and arguments
that alias it are refused as for a declared pl.InOut."""

from __future__ import annotations

import pytest
import torch

import tessel.language as pl
from tessel import ArgumentError


@pl.jit
def exp_in_place(x: pl.Tensor[[16, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = x[:, :]
        x[:, :] = pl.exp(x[:, :])
    return y


def test_a_written_input_is_in_out():
    x = torch.randn(16, 32)
    want = torch.exp(x)
    y = torch.zeros(16, 32)
    before = x.clone()
    exp_in_place(x, y)
    torch.testing.assert_close(y, before, rtol=0, atol=0)
    # The CPU simulation's exp is the one torch's tests accept for FP32.
    torch.testing.assert_close(x, want)
    assert any("'x' is a plain pl.Tensor parameter the kernel writes: it is "
               "in-out" in m for _, m, _, _ in exp_in_place.module().warnings)
    assert [p.direction for p in exp_in_place.signature] == ["inout", "out"]


def test_a_written_input_may_not_alias_another_argument():
    x = torch.randn(16, 32)
    with pytest.raises(ArgumentError, match="outputs must not alias"):
        exp_in_place(x, x)


@pl.jit.inline
def _bump(t: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t[:, :] = pl.add(t[:, :], 1.0)
    return t


@pl.jit
def through_a_helper(cache: pl.Tensor[[8, 32], pl.FP32],
                     y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    # A plain parameter passed for a helper's pl.Out parameter (qwen3's
    # KV caches), and a reshaped view of it written.
    cache = _bump(cache)
    flat = pl.reshape(cache, [256])
    with pl.at(level=pl.Level.CORE_GROUP):
        flat[0:32] = pl.mul(flat[0:32], 2.0)
        y[:, :] = cache[:, :]
    return y


def test_written_through_a_helper_and_a_view():
    cache = torch.randn(8, 32)
    want = cache + 1.0
    want[0] *= 2.0
    y = torch.zeros(8, 32)
    through_a_helper(cache, y)
    torch.testing.assert_close(cache, want, rtol=0, atol=0)
    torch.testing.assert_close(y, want, rtol=0, atol=0)
