"""pl.sin, pl.cos, pl.fmod / pl.fmods and pl.rem / pl.rems (and the
pl.tile spellings) against torch in each float dtype; the two sign
conventions at their edge cases; the NPU path of fmod (TFMOD / TFMODS on
the strict reference, bit for bit with the simulation) and the errors of
the ops that have no NPU instruction; and each misuse."""

from __future__ import annotations

import inspect
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError


@pl.jit
def math_ops(x: pl.Tensor, y: pl.Tensor, s: pl.Out[pl.Tensor],
             c: pl.Out[pl.Tensor], f: pl.Out[pl.Tensor],
             fs: pl.Out[pl.Tensor], r: pl.Out[pl.Tensor],
             rs: pl.Out[pl.Tensor], rt: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        pl.store(pl.sin(a), [0, 0], s)
        pl.store(pl.cos(a), [0, 0], c)
        pl.store(pl.fmod(a, b), [0, 0], f)
        pl.store(pl.fmods(a, -2.5), [0, 0], fs)
        pl.store(pl.tile.rem(a, b, b), [0, 0], r)
        pl.store(pl.tile.rems(a, 2.5, b), [0, 0], rs)
        # pl.rem with a number is the scalar form too.
        pl.store(pl.rem(a, -3.0), [0, 0], rt)


def operands(dtype):
    """x and y with the sign cases first: (-7, 3) -> fmod -1, rem 2;
    (7, -3) -> fmod 1, rem -2; (-7, -3) -> -1, -1; (6, 3) -> 0, 0;
    (-6, 3) -> -0 for both (a zero fmod is not corrected); (x, 0) -> NaN;
    (-1e-3, 3) -> rem 2.999 (the one rounding of the correction)."""
    g = torch.Generator().manual_seed(5)
    x = torch.randn(8, 32, generator=g) * 8
    y = torch.randn(8, 32, generator=g) * 3
    edge = [(-7, 3), (7, -3), (-7, -3), (6, 3), (-6, 3), (5, 0),
            (-1e-3, 3), (0.5, 1e-2)]
    for i, (a, b) in enumerate(edge):
        x[0, i], y[0, i] = a, b
    return x.to(dtype), y.to(dtype)


@pytest.fixture(scope="module", params=[torch.float32, torch.float16],
                ids=["f32", "f16"])
def results(request):
    dtype = request.param
    x, y = operands(dtype)
    outs = [torch.full_like(x, 123) for _ in range(7)]
    math_ops(x, y, *outs)
    return dtype, x, y, outs


def exact(got, want):
    """Bit-for-bit up to NaN payloads: same values, same zero signs."""
    assert torch.equal(got.isnan(), want.isnan())
    ok = ~want.isnan()
    assert torch.equal(got[ok], want[ok])
    assert torch.equal(torch.signbit(got[ok]), torch.signbit(want[ok]))


def test_trigonometry_matches_torch(results):
    dtype, x, _, (s, c, *_) = results
    # f16 is computed in f32 from the exact widening and rounded once; the
    # host libm and torch's vectorised sin may differ by an f32 ulp.
    tol = dict(rtol=1e-6, atol=1e-6) if dtype is torch.float32 else \
        dict(rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(s, torch.sin(x.float()).to(dtype), **tol)
    torch.testing.assert_close(c, torch.cos(x.float()).to(dtype), **tol)


def test_remainders_match_torch_exactly(results):
    dtype, x, y, (_, _, f, fs, r, rs, rt) = results
    exact(f, torch.fmod(x, y))
    exact(fs, torch.fmod(x, -2.5))
    exact(r, torch.remainder(x, y))
    exact(rs, torch.remainder(x, 2.5))
    exact(rt, torch.remainder(x, -3.0))


def test_sign_conventions(results):
    _, _, _, (_, _, f, _, r, _, _) = results
    f, r = f[0].float(), r[0].float()
    assert f[:5].tolist() == [-1.0, 1.0, -1.0, 0.0, 0.0]
    assert r[:5].tolist() == [2.0, -2.0, -1.0, 0.0, 0.0]
    assert torch.signbit(f[4]) and torch.signbit(r[4])   # -6 mod 3 = -0
    assert f[5].isnan() and r[5].isnan()                 # divisor 0
    assert r[6] > 2.99                                   # -1e-3 % 3


def _line(fn, text):
    src, first = inspect.getsourcelines(fn)
    return first + next(i for i, s in enumerate(src) if text in s)


def test_misuse():
    @pl.jit
    def int_sin(x: pl.Tensor[[8, 32], pl.INT32],
                o: pl.Out[pl.Tensor[[8, 32], pl.INT32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.sin(t), [0, 0], o)
    with pytest.raises(CompileError, match="pl.sin") as info:
        int_sin.ir()
    assert info.value.line == _line(int_sin, "pl.sin(t)")
    assert "INT32" in str(info.value)

    @pl.jit
    def int_rem(x: pl.Tensor[[8, 32], pl.INT32],
                o: pl.Out[pl.Tensor[[8, 32], pl.INT32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.rem(t, t), [0, 0], o)
    with pytest.raises(CompileError, match="pl.rem"):
        int_rem.ir()

    @pl.jit
    def shapes(x: pl.Tensor[[8, 32], pl.FP32],
               o: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 16])
            b = pl.load(x, [0, 0], [4, 16])
            pl.store(pl.fmod(a, b), [0, 0], o)
    with pytest.raises(CompileError, match="shape mismatch in pl.fmod") \
            as info:
        shapes.ir()
    assert info.value.line == _line(shapes, "pl.fmod(a, b)")

    @pl.jit
    def dtypes(x: pl.Tensor[[8, 32], pl.FP32],
               h: pl.Tensor[[8, 32], pl.FP16],
               o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32])
            b = pl.load(h, [0, 0], [8, 32])
            pl.store(pl.rem(a, b), [0, 0], o)
    with pytest.raises(CompileError, match="dtype mismatch in pl.rem"):
        dtypes.ir()

    @pl.jit
    def scalar_first(x: pl.Tensor[[8, 32], pl.FP32],
                     o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.fmod(2.0, a), [0, 0], o)
    with pytest.raises(CompileError, match="pl.fmod takes the tile first"):
        scalar_first.ir()

    @pl.jit
    def two_tiles(x: pl.Tensor[[8, 32], pl.FP32],
                  o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.rems(a, a), [0, 0], o)
    with pytest.raises(CompileError, match="pl.rems takes a tile and a "
                       "compile-time number"):
        two_tiles.ir()

    @pl.jit
    def zero(x: pl.Tensor[[8, 32], pl.FP32],
             o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.add(a, pl.fmod(1.0, 0.0)), [0, 0], o)
    with pytest.raises(CompileError, match="division by zero"):
        zero.ir()


needs_cxx = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ compiler")


@pl.jit
def fmod_kernel(x: pl.Tensor, y: pl.Tensor, o: pl.Out[pl.Tensor]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        b = pl.load(y, [0, 0], [8, 32])
        pl.store(pl.fmods(pl.fmod(a, b), 1.5), [0, 0], o)


@needs_cxx
@pytest.mark.parametrize("target,dtype", [("a2a3", torch.float32),
                                          ("a5", torch.float16)])
def test_fmod_on_the_npu_reference(target, dtype):
    """TFMOD / TFMODS on the strict reference give the simulation's bits
    (a5 has the f16 forms, a2a3 f32 only)."""
    x, y = operands(dtype)
    y[0, 5] = 1  # no NaN payload question across the two paths
    o_pto, o_cpu = torch.empty_like(x), torch.empty_like(x)
    fmod_kernel(x, y, o_pto, target=target, backend="pto")
    fmod_kernel(x, y, o_cpu, target=target, backend="cpu")
    exact(o_pto, o_cpu)
    exact(o_pto, torch.fmod(torch.fmod(x, y), 1.5))


def test_npu_errors_name_the_op():
    """No PTO-ISA sine; f16 TFMOD only on a5: errors at the author's line."""
    @pl.jit
    def sine(x: pl.Tensor[[8, 32], pl.FP32],
             o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            a = pl.load(x, [0, 0], [8, 32])
            pl.store(pl.sin(a), [0, 0], o)
    x = torch.zeros(8, 32)
    with pytest.raises(CompileError, match="PTO-ISA has no sine") as info:
        sine(x, torch.empty_like(x), target="a2a3", backend="pto")
    assert info.value.line == _line(sine, "pl.sin(a)")

    h = torch.ones(8, 32, dtype=torch.float16)
    with pytest.raises(CompileError, match="TFMOD takes f32 tiles on a2a3"):
        fmod_kernel(h, h, torch.empty_like(h), target="a2a3", backend="pto")
