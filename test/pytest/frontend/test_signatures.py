"""Shapeless signatures: `pl.Tensor` / `pl.Out[pl.Tensor]` /
`pl.InOut[pl.Tensor]` parameters take the shape and dtype of the call's
tensors; the kernel is specialised and cached per signature; `t.shape` /
`t.dtype` read the bound values; `kernel.compile(*tensors)` returns a
callable; `config=RunConfig(platform=...)` picks target and backend."""

import pytest
import torch

import tessel
import tessel.language as pl
from tessel.errors import ArgumentError
from tessel.runtime import RunConfig


@pl.jit
def axpy(x: pl.Tensor, y: pl.InOut[pl.Tensor], out: pl.Out[pl.Tensor]):
    # out = 2 * x + y;  y += x   (shapes and dtype from the call)
    with pl.at(level=pl.Level.CORE_GROUP):
        m, n = x.shape
        a = pl.load(x, [0, 0], [m, n])
        b = pl.load(y, [0, 0], [m, n])
        pl.store(pl.add(pl.mul(a, 2.0), b), [0, 0], out)
        pl.store(pl.add(a, b), [0, 0], y)
    return out


@pl.jit
def rowwise(x: pl.Tensor, out: pl.Out[pl.Tensor]):
    # out[r, :] = x[r, :] - row_sum(x[r, :]) / n, in blocks of 8 rows
    for b in pl.spmd(x.shape[0] // 8):
        n = x.shape[1]
        t = x[b * 8:b * 8 + 8, :]
        mean = pl.div(pl.row_sum(t), n)
        out[b * 8:b * 8 + 8, :] = pl.sub(t, pl.row_expand_mul(
            pl.full([8, n], dtype=x.dtype, value=1.0), mean))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_shapeless_kernel_against_torch(dtype):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(16, 32, generator=g).to(dtype)
    y = torch.randn(16, 32, generator=g).to(dtype)
    out = torch.empty_like(x)
    want_out, want_y = 2 * x + y, x + y
    r = axpy(x, y, out)
    assert r is out
    torch.testing.assert_close(out, want_out, rtol=0, atol=0)
    torch.testing.assert_close(y, want_y, rtol=0, atol=0)


def test_specialised_once_per_signature():
    x = torch.randn(24, 16)
    out = torch.empty_like(x)
    rowwise(x, out)
    torch.testing.assert_close(out, x - x.mean(dim=1, keepdim=True),
                               rtol=1e-5, atol=1e-5)
    n = len(rowwise._executables)
    rowwise(torch.randn(24, 16), torch.empty(24, 16))   # same signature
    assert len(rowwise._executables) == n
    x2 = torch.randn(8, 64)                             # a new one
    out2 = torch.empty_like(x2)
    rowwise(x2, out2)
    assert len(rowwise._executables) == n + 1
    torch.testing.assert_close(out2, x2 - x2.mean(dim=1, keepdim=True),
                               rtol=1e-5, atol=1e-5)
    # ir() shows the last call's specialisation.
    assert "memref<8x64xf32>" in rowwise.ir()


def test_compile_returns_a_callable():
    x = torch.randn(8, 16)
    out = torch.empty_like(x)
    run = rowwise.compile(x, out)
    run(x, out)
    torch.testing.assert_close(out, x - x.mean(dim=1, keepdim=True),
                               rtol=1e-5, atol=1e-5)
    # PyPTO's form: the platform from a RunConfig (a5sim: the a5 target).
    from tessel.runtime import RunConfig
    run5 = rowwise.compile(x, out, config=RunConfig(platform="a5sim"))
    out5 = torch.empty_like(x)
    run5(x, out5)
    assert torch.equal(out5, out)
    assert "#tile.target<a5>" in rowwise.ir(target="a5")
    with pytest.raises(tessel.ArgumentError, match="config= takes a "
                       "tessel.runtime.RunConfig"):
        rowwise.compile(x, out, config="a5")


def test_ir_before_any_call_is_an_error():
    @pl.jit
    def k(x: pl.Tensor, y: pl.Out[pl.Tensor]):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[0:8, :] = x[0:8, :]

    with pytest.raises(tessel.CompileError) as e:
        k.ir()
    assert e.value.line == k.fn.__code__.co_firstlineno + 1
    assert "parameter 'x' has no shape" in str(e.value)
    assert "kernel.compile(*tensors)" in str(e.value)


def test_unsupported_dtype_for_a_shapeless_parameter():
    x = torch.randn(8, 16, dtype=torch.float64)
    with pytest.raises(ArgumentError, match="argument 'x' has dtype "
                                            "torch.float64"):
        rowwise(x, torch.empty_like(x))


def test_run_config_platforms():
    assert (RunConfig().target, RunConfig().backend) == ("a2a3", "cpu")
    assert (RunConfig(platform="a5sim").target,
            RunConfig(platform="a5sim").backend) == ("a5", "cpu")
    assert (RunConfig(platform="a2a3").target,
            RunConfig(platform="a2a3").backend) == ("a2a3", "pto")
    assert RunConfig(platform="a5", device_id=3).options == {"device_id": 3}
    with pytest.raises(ArgumentError, match="unknown platform 'a3'"):
        RunConfig(platform="a3")
    x = torch.randn(8, 16)
    out = torch.empty_like(x)
    rowwise(x, out, config=RunConfig(platform="a5sim"))
    assert any(k[0] == "a5" for k in rowwise._executables)
    torch.testing.assert_close(out, x - x.mean(dim=1, keepdim=True),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ArgumentError, match="config= takes a"):
        rowwise(x, out, config="a5sim")


def test_run_config_hardware_platform_runs_the_pto_backend():
    # platform="a2a3": the emitted PTO-ISA kernel of this specialisation,
    # built with the host compiler and run on the strict reference.
    x = torch.randn(8, 16, generator=torch.Generator().manual_seed(1))
    out = torch.empty_like(x)
    rowwise(x, out, config=RunConfig(platform="a2a3"))
    assert any(k[0] == "pto-exe" and k[1] == "a2a3"
               for k in rowwise._executables)
    torch.testing.assert_close(out, x - x.mean(dim=1, keepdim=True),
                               rtol=1e-5, atol=1e-5)
