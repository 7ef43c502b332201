"""PyPTO's program form and the forms of its intermediate examples 01, 05
and 06: `@pl.jit.incore` functions called from a kernel (a core scope at
the call, frontend/incore.py), `pl.tile.assemble` / `pl.slice` of a tile
(tile.insert / tile.extract, frontend/subtile.py), `pl.read` of INT64
elements, `pl.INDEX` scalar parameters and a `pl.range` over a trip count
read at run time (frontend/scalars.py) -- against PyTorch on the CPU
simulation, and their CompileErrors at the author's line."""

from __future__ import annotations

import inspect

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.errors import OutsideKernelError


# ---------------------------------------------------------------------------
# @pl.jit.incore
# ---------------------------------------------------------------------------

@pl.jit.incore
def _mm(a: pl.Tensor, b: pl.Tensor, out: pl.Out[pl.Tensor]):
    ta = pl.load(a, [0, 0], [16, 32], target_memory=pl.MemorySpace.Mat)
    tb = pl.load(b, [0, 0], [32, 16], target_memory=pl.MemorySpace.Mat)
    c = pl.matmul(pl.move(ta, target_memory=pl.MemorySpace.Left),
                  pl.move(tb, target_memory=pl.MemorySpace.Right))
    pl.store(c, [0, 0], out)
    return out


@pl.jit.incore(level=pl.Level.AIV)
def _bias_relu_rows(x: pl.Tensor[[16, 16], pl.FP32], bias: pl.Tensor,
                    r0: pl.Scalar[pl.INDEX], out: pl.Out[pl.Tensor]):
    # Rows r0 .. r0 + 4 of x + bias, relu'd.
    t = pl.add(pl.load(x, [r0, 0], [4, 16]), pl.load(bias, [r0, 0], [4, 16]))
    pl.store(pl.relu(t), [r0, 0], out)
    return out


@pl.jit
def fused_linear(a: pl.Tensor, b: pl.Tensor, bias: pl.Tensor,
                 y: pl.Out[pl.Tensor]):
    mm = pl.create_tensor([16, 16], dtype=pl.FP32)
    mm = _mm(a, b, mm)
    # Called in a pl.spmd body: the call is that body's core scope; block
    # b takes rows 4 b .. 4 b + 4.
    for blk in pl.spmd(4):
        y = _bias_relu_rows(mm, bias, blk * 4, out=y)
    return y


def test_incore_calls_compute_the_fused_linear_layer():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(16, 32, generator=g), torch.randn(32, 16, generator=g)
    bias = torch.randn(16, 16, generator=g)
    y = torch.zeros(16, 16)
    ret = fused_linear(a, b, bias, y)
    assert ret is y
    torch.testing.assert_close(y, torch.relu(a @ b + bias), rtol=1e-5,
                               atol=1e-5)
    text = fused_linear.ir()
    # One scope per call: the matmul's (named after the function) and the
    # four-block vector scope.
    assert text.count("tile.spmd") == 2 and 'tile.spmd 1 name("_mm")' in text
    assert "tile.at vector" in text
    # PyPTO's Program.functions: one function, the calls are its scopes.
    assert list(fused_linear.lower(a, b, bias, y, stage="tile").functions) \
        == ["fused_linear"]


@pl.jit.incore
def _double_rows(x: pl.Tensor, r: pl.Scalar[pl.INDEX], out: pl.Out[pl.Tensor]):
    pl.store(pl.mul(pl.load(x, [r, 0], [8, 16]), 2.0), [r, 0], out)
    return out


@pl.jit
def orchestrated(x: pl.Tensor[[32, 16], pl.FP32],
                 y: pl.Out[pl.Tensor[[32, 16], pl.FP32]],
                 z: pl.Out[pl.Tensor[[32, 16], pl.FP32]]):
    # An orchestration loop: one scope per iteration, in order.
    for i in pl.range(4):
        y = _double_rows(x, i * 8, y)
    # A function-level pl.parallel: a four-block scope, the call its body.
    for j in pl.parallel(4):
        z = _double_rows(x, r=j * 8, out=z)
    return y, z


def test_incore_calls_in_orchestration_loops():
    x = torch.randn(32, 16, generator=torch.Generator().manual_seed(4))
    y, z = torch.zeros(32, 16), torch.zeros(32, 16)
    orchestrated(x, y, z)
    assert torch.equal(y, x * 2) and torch.equal(z, x * 2)
    text = orchestrated.ir()
    assert "scf.for" in text and "tile.spmd 4" in text


def _line(fn, text: str) -> int:
    src, first = inspect.getsourcelines(fn)
    hits = [first + i for i, s in enumerate(src) if text in s]
    assert len(hits) == 1, text
    return hits[0]


@pl.jit.incore
def _copy(x: pl.Tensor, out: pl.Out[pl.Tensor]):
    pl.store(pl.load(x, [0, 0], [8, 16]), [0, 0], out)
    return out


@pl.jit.incore
def _tile_out(x: pl.Tensor):
    t = pl.load(x, [0, 0], [8, 16])
    return t


def _k_in_scope(x: pl.Tensor[[8, 16], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y = _copy(x, y)  # called inside a scope


def _k_tile_return(x: pl.Tensor[[8, 16], pl.FP32],
                   y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    t = _tile_out(x)


def _k_wrong_args(x: pl.Tensor[[8, 16], pl.FP32],
                  y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    y = _copy(x)


@pytest.mark.parametrize("fn, at, message", [
    (_k_in_scope, "_copy(x, y)", "the InCore function '_copy' is called "
     "inside a core scope"),
    (_k_tile_return, "_tile_out(x)", "the InCore function '_tile_out' "
     "returns tile [8, 16] FP32: only its GM tensors (or nothing) leave"),
    (_k_wrong_args, "_copy(x)", "wrong arguments to '_copy'"),
])
def test_incore_misuse_is_an_error_at_the_call(fn, at, message):
    with pytest.raises(CompileError) as e:
        pl.jit(fn).ir()
    assert message in str(e.value)
    assert e.value.line == _line(fn, at)


@pl.jit.incore
def _add_one(a: pl.Tensor, out: pl.Out[pl.Tensor]):
    pl.store(pl.add(pl.load(a, [0, 0], [8, 16]), 1.0), [0, 0], out)
    return out


@pl.jit
def _swap_halves(x: pl.Tensor[[16, 16], pl.FP32],
                 y: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    # Slices at function level are views (PyPTO's tensor views): the InCore
    # function's loads and stores land at the view's offset.
    y0 = _add_one(x[8:16, :], y[0:8, :])
    y1 = _add_one(x[0:8, :], y[8:16, :])
    return y


def test_views_passed_to_incore_functions():
    x = torch.randn(16, 16, generator=torch.Generator().manual_seed(3))
    y = torch.zeros(16, 16)
    _swap_halves(x, y)
    torch.testing.assert_close(y, torch.cat([x[8:], x[:8]]) + 1.0, rtol=0,
                               atol=0)


def test_incore_level_and_python_calls():
    with pytest.raises(CompileError) as e:
        @pl.jit.incore(level=pl.Level.HOST)
        def f(a):
            pass
    assert "an InCore function runs on a core" in str(e.value)
    assert e.value.filename == __file__
    with pytest.raises(OutsideKernelError, match="is a @pl.jit.incore "
                       "function"):
        _copy(torch.zeros(8, 16), torch.zeros(8, 16))


# ---------------------------------------------------------------------------
# pl.tile.assemble, pl.slice of a tile
# ---------------------------------------------------------------------------

@pl.jit
def assembled(x: pl.Tensor[[16, 32], pl.FP32], src: pl.Tensor[[16, 8], pl.FP32],
              a: pl.Tensor[[16, 16], pl.FP32], b: pl.Tensor[[16, 8], pl.FP32],
              y: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
              z: pl.Out[pl.Tensor[[16, 32], pl.FP32]],
              w: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        s = pl.load(src, [0, 0], [16, 8])
        # Row by row, reversed: row i of s goes to row 15 - i, columns
        # 8..16 (runtime offsets 15 - i in 0..15, inside 16 rows).
        for i in pl.range(16):
            row = pl.slice(s, [1, 8], [i, 0])
            t = pl.tile.assemble(t, row, [15 - i, 8])
        y[:, :] = t
        # The same 16 x 8 block broadcast to column blocks 0 and 3
        # (pl.assemble with a tile target is the same op).
        u = pl.load(x, [0, 0], [16, 32])
        for c in pl.range(2):
            u = pl.assemble(u, s, [0, c * 24])
        z[:, :] = u
        # A matmul result assembled into the right half.
        v = pl.load(x, [0, 0], [16, 32])
        v = pl.tile.assemble(v, pl.matmul(pl.load(a, [0, 0], [16, 16]),
                                          pl.load(b, [0, 0], [16, 8])),
                             [0, 24])
        w[:, :] = v


def test_tile_assemble_and_slice_match_torch():
    g = torch.Generator().manual_seed(1)
    x, src = torch.randn(16, 32, generator=g), torch.randn(16, 8, generator=g)
    a, b = torch.randn(16, 16, generator=g), torch.randn(16, 8, generator=g)
    y, z, w = torch.zeros(16, 32), torch.zeros(16, 32), torch.zeros(16, 32)
    assembled(x, src, a, b, y, z, w)
    want = x.clone()
    want[:, 8:16] = src.flip(0)
    assert torch.equal(y, want)
    want = x.clone()
    want[:, 0:8] = src
    want[:, 24:32] = src
    assert torch.equal(z, want)
    want = x.clone()
    want[:, 24:32] = a @ b
    torch.testing.assert_close(w, want, rtol=1e-5, atol=1e-5)
    text = assembled.ir()
    assert "tile.insert" in text and "tile.extract" in text


def _a_outside(x: pl.Tensor[[16, 32], pl.FP32],
               y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        for i in pl.range(2):
            t = pl.tile.assemble(t, pl.load(x, [0, 0], [8, 16]), [i * 9, 0])  # ERR
        y[:, :] = t


def _a_dtype(x: pl.Tensor[[16, 32], pl.FP32],
             y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        s = pl.cast(pl.load(x, [0, 0], [8, 16]), pl.FP16)
        t = pl.tile.assemble(t, s, [0, 0])  # ERR
        y[:, :] = t


def _a_tensor_target(x: pl.Tensor[[16, 32], pl.FP32],
                     y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y = pl.tile.assemble(y, pl.load(x, [0, 0], [8, 16]), [0, 0])  # ERR


def _a_atomic(x: pl.Tensor[[16, 32], pl.FP32],
              y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        t = pl.assemble(t, pl.load(x, [0, 0], [8, 16]), [0, 0], atomic=pl.AtomicType.Add)  # ERR
        y[:, :] = t


def _s_outside(x: pl.Tensor[[16, 32], pl.FP32],
               y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        y[:, :] = pl.slice(t, [8, 16], [0, 20])  # ERR


def _s_valid(x: pl.Tensor[[16, 32], pl.FP32],
             y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        y[:, :] = pl.slice(t, [8, 16], [0, 0], valid_shape=[8, 20])  # ERR


@pl.jit
def _slice_valid_store(x: pl.Tensor[[16, 32], pl.FP32],
                       y: pl.Out[pl.Tensor[[8, 4], pl.FP32]]):
    # pypto-lib's hc_pre: a window of a tile given a valid region, stored
    # into a slice of exactly that region (the store writes the valid
    # [8, 4] of the [8, 16] window).
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 32])
        y[0:8, 0:4] = pl.slice(t, [8, 16], [8, 4], valid_shape=[8, 4])


def test_slice_of_a_tile_with_a_valid_shape():
    x = torch.randn(16, 32)
    y = torch.zeros(8, 4)
    _slice_valid_store(x, y)
    torch.testing.assert_close(y, x[8:16, 4:8], rtol=0, atol=0)


@pytest.mark.parametrize("fn, message", [
    # rows i * 9 + 8 elements: i = 1 puts the window at 9..17 of 16 rows.
    (_a_outside, "tile subscript may leave dimension 0"),
    (_a_dtype, "dtype mismatch in a tile insert"),
    (_a_tensor_target, "pl.tile.assemble inserts into a tile"),
    # An atomic assemble is a store: into GM only.
    (_a_atomic, "pl.assemble writes into a GM tensor"),
    # columns 20..36 of 32.
    (_s_outside, "tile subscript may leave dimension 1"),
    # A valid extent past the window (20 columns of 16).
    (_s_valid, "pl.slice valid_shape"),
])
def test_tile_assemble_and_slice_errors(fn, message):
    with pytest.raises(CompileError) as e:
        pl.jit(fn).ir()
    assert message in str(e.value)
    assert e.value.line == _line(fn, "# ERR")


# ---------------------------------------------------------------------------
# INT64 reads, pl.INDEX parameters, runtime trip counts
# ---------------------------------------------------------------------------

@pl.jit
def ragged(data: pl.Tensor[[32, 16], pl.FP32], cfg: pl.Tensor[[4], pl.INT64],
           vlen: pl.INDEX, out: pl.Out[pl.Tensor[[32, 16], pl.FP32]],
           first: pl.Out[pl.Tensor[[8, 16], pl.FP32]],
           second: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        # cfg = [n_blocks, last_valid, full_valid, 2**40 + r]
        n = pl.cast(pl.read(cfg, [0]), pl.INDEX)
        last = pl.read(cfg, [1])
        full = pl.read(cfg, [2])
        for i in pl.range(n):
            if i == n - 1:
                v = last
            else:
                v = full
            t = pl.load(data, [i * 8, 0], [8, 16], valid_shape=[8, v])
            pl.store(pl.fillpad(t, pad_value=pl.PadValue.zero), [i * 8, 0],
                     out)
        # An INT64 beyond 32 bits read exactly: 2**40 + r - 2**40 = r.
        r = pl.cast(pl.read(cfg, [3]) - (1 << 40), pl.INDEX)
        t = pl.load(data, [r, 0], [8, 16], valid_shape=[8, vlen])
        first[:, :] = pl.fillpad(t, pad_value=pl.PadValue.zero)
        # The same element read from a tile at a runtime column (j = 3):
        # row 0 of the [1, 4] INT64 tile read as a [1, 8] INT32 one, columns
        # 2 j and 2 j + 1.
        ct = pl.load(cfg, [0], [4])
        for j in pl.range(3, 4):
            r2 = pl.cast(pl.read(ct, [0, j]) - (1 << 40), pl.INDEX)
            second[:, :] = data[r2:r2 + 8, :]


def _ragged_want(data, n, last, full, r, vlen):
    out = torch.zeros(32, 16)
    for i in range(n):
        v = last if i == n - 1 else full
        out[i * 8:i * 8 + 8, :v] = data[i * 8:i * 8 + 8, :v]
    first = torch.zeros(8, 16)
    first[:, :vlen] = data[r:r + 8, :vlen]
    return out, first


def test_runtime_trip_count_int64_reads_and_index_parameter():
    data = torch.randn(32, 16, generator=torch.Generator().manual_seed(2))
    before = ragged.cache_info()["misses"]
    for n, last, full, r, vlen in ((2, 5, 16, 3, 16), (4, 1, 12, 24, 7),
                                   (1, 16, 16, 0, 1)):
        out, first = torch.zeros(32, 16), torch.zeros(8, 16)
        second = torch.zeros(8, 16)
        cfg = torch.tensor([n, last, full, (1 << 40) + r], dtype=torch.int64)
        ragged(data, cfg, vlen, out, first, second)
        want_out, want_first = _ragged_want(data, n, last, full, r, vlen)
        assert torch.equal(out, want_out), (n, last, full)
        assert torch.equal(first, want_first), (r, vlen)
        assert torch.equal(second, data[r:r + 8]), r
    # Trip count, valid extents and vlen are run-time values: one compile.
    assert ragged.cache_info()["misses"] - before <= 1


def test_index_parameter_takes_an_integer():
    from tessel.errors import ArgumentError
    data = torch.zeros(32, 16)
    cfg = torch.tensor([1, 1, 1, 1 << 40], dtype=torch.int64)
    with pytest.raises(ArgumentError, match="vlen"):
        ragged(data, cfg, 0.5, torch.zeros(32, 16), torch.zeros(8, 16),
               torch.zeros(8, 16))


# ---------------------------------------------------------------------------
# @pl.program / @pl.function(type=...)
# ---------------------------------------------------------------------------

@pl.program
class Linear:
    @pl.function(type=pl.FunctionType.AIC)
    def mm(self, a: pl.Tensor[[16, 32], pl.FP32],
           b: pl.Tensor[[32, 16], pl.FP32],
           out: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
        c = pl.matmul(pl.load(a, [0, 0], [16, 32]),
                      pl.load(b, [0, 0], [32, 16]))
        pl.store(c, [0, 0], out)
        return out

    @pl.function(type=pl.FunctionType.Inline)
    def act(self, t, slope):
        return pl.lrelu(t, slope)

    @pl.function(type=pl.FunctionType.InCore)
    def bias_act(self, x: pl.Tensor, bias: pl.Tensor, out: pl.Out[pl.Tensor]):
        t = pl.add(pl.load(x, [0, 0], [16, 16]),
                   pl.load(bias, [0, 0], [16, 16]))
        pl.store(self.act(t, 0.25), [0, 0], out)
        return out

    @pl.function(type=pl.FunctionType.Orchestration)
    def entry(self, a: pl.Tensor[[16, 32], pl.FP32],
              b: pl.Tensor[[32, 16], pl.FP32],
              bias: pl.Tensor[[16, 16], pl.FP32],
              y: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
        mm = pl.create_tensor([16, 16], dtype=pl.FP32)
        mm = self.mm(a, b, mm)
        y = self.bias_act(mm, bias, y)
        return y


@pl.function(type=pl.FunctionType.AIV)
def _plain_scale(x: pl.Tensor, out: pl.Out[pl.Tensor]):
    pl.store(pl.mul(pl.load(x, [0, 0], [8, 16]), 3.0), [0, 0], out)
    return out


@pl.function(type=pl.FunctionType.Orchestration)
def plain_entry(x: pl.Tensor[[8, 16], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    return _plain_scale(x, y)


def test_program_runs_its_orchestration_function():
    g = torch.Generator().manual_seed(3)
    a, b = torch.randn(16, 32, generator=g), torch.randn(32, 16, generator=g)
    bias = torch.randn(16, 16, generator=g)
    y = torch.zeros(16, 16)
    Linear(a, b, bias, y)
    want = torch.nn.functional.leaky_relu(a @ b + bias, 0.25)
    torch.testing.assert_close(y, want, rtol=1e-5, atol=1e-5)
    assert set(Linear.functions) == {"mm", "act", "bias_act", "entry"}
    text = Linear.entry.ir()
    # self.mm is an AIC function: a cube scope; bias_act a core_group one.
    assert 'tile.spmd 1 name("mm")' in text and "tile.at cube" in text
    assert 'tile.spmd 1 name("bias_act")' in text
    # A standalone pl.function is the matching decorator.
    x, y = torch.randn(8, 16, generator=g), torch.zeros(8, 16)
    plain_entry(x, y)
    assert torch.equal(y, x * 3.0)
    assert "tile.at vector" in plain_entry.ir()


def test_program_declaration_errors():
    with pytest.raises(CompileError) as e:
        @pl.program
        class NoEntry:  # no Orchestration function
            @pl.function(type=pl.FunctionType.InCore)
            def k(self, x):
                pass
    assert "has no Orchestration (or Opaque) function" in str(e.value)
    assert e.value.filename == __file__
    with pytest.raises(CompileError) as e:
        @pl.program
        class Undecorated:
            def k(self, x):
                pass
    assert "method 'k' of the @pl.program 'Undecorated' has no " \
        "@pl.function decorator" in str(e.value)
    with pytest.raises(CompileError) as e:
        @pl.function(type=pl.FunctionType.Group)
        def group(x):
            pass
    assert "pl.function(type=pl.FunctionType.Group) is not supported" \
        in str(e.value)
    with pytest.raises(CompileError) as e:
        @pl.function(type=pl.FunctionType.InCore, external_source="k.cpp")
        def ext(x):
            pass
    assert "external_source" in str(e.value)
