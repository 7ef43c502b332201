"""The NPU path of pl.reinterpret_view and pl.fillpad over every element
width. Each kernel runs on the strict reference (runtime/pto) with
backend="pto" and must give the CPU simulation's bits, and torch's, on both
targets.

pl.reinterpret_view: a dtype of the same width where the source dies is a
second tile object on its bytes (no instruction); another width, or a
source that lives on, a TMOV of such an object into the result's storage;
a column vector read as its own width too. A row-major tile read as a
column vector is an error at the author's line.

pl.fillpad: TFILLPAD / TFILLPAD_INPLACE for FP32, FP16, BF16, INT32 and
INT8, zero / min / max. a2a3's INT8 fill sets and waits for (PIPE_V,
PIPE_S, EVENT_ID0) inside itself: a kernel V -> S flag around it takes
another event id there (the reference reports a flag set twice
otherwise)."""

from __future__ import annotations

import inspect
import math
import shutil

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

pytestmark = [
    pytest.mark.skipif(
        shutil.which("g++") is None and shutil.which("clang++") is None,
        reason="the PTO back end builds emitted kernels with a host C++ "
               "compiler"),
    pytest.mark.xdist_group("pto-gaps"),
]

TARGETS = ("a2a3", "a5")


def bits(t: torch.Tensor) -> torch.Tensor:
    return t.view({torch.float32: torch.int32, torch.float16: torch.int16,
                   torch.bfloat16: torch.int16, torch.int32: torch.int32,
                   torch.int8: torch.int8}[t.dtype])


# ---------------------------------------------------------------------------
# pl.reinterpret_view
# ---------------------------------------------------------------------------

@pl.jit
def reinterpret_ops(x: pl.Tensor[[8, 32], pl.FP32],
                    c: pl.Tensor[[8, 1], pl.FP32],
                    absx: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                    halves: pl.Out[pl.Tensor[[8, 64], pl.FP16]],
                    bytes_: pl.Out[pl.Tensor[[8, 128], pl.INT8]],
                    cbits: pl.Out[pl.Tensor[[8, 1], pl.INT32]],
                    ccopy: pl.Out[pl.Tensor[[8, 1], pl.FP32]]):
    """|x| bit for bit (the sign bit cleared through INT32 views, each
    where its source dies), x's bytes as FP16 and as INT8 (other widths),
    and a column vector's bits while the column lives on."""
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        halves[:, :] = pl.reinterpret_view(a, pl.FP16)
        i8 = pl.reinterpret_view(a, pl.INT8)
        bytes_[:, :] = pl.ands(i8, 0x7F)
        b = pl.load(x, [0, 0], [8, 32])
        m = pl.ands(pl.reinterpret_view(b, pl.INT32), 0x7FFFFFFF)
        absx[:, :] = pl.reinterpret_view(m, pl.FP32)
        col = pl.load(c, [0, 0], [8, 1])
        cbits[:, :] = pl.reinterpret_view(col, pl.INT32)
        ccopy[:, :] = col


def _reinterpret_inputs():
    g = torch.Generator().manual_seed(7)
    x = torch.randn(8, 32, generator=g)
    x[0, 0], x[1, 1], x[2, 2] = -0.0, float("-inf"), float("nan")
    x[3, 3] = -float("nan")
    c = torch.randn(8, 1, generator=g)
    return x, c


def _reinterpret_outputs():
    return [torch.full((8, 32), 5.0), torch.zeros(8, 64, dtype=torch.float16),
            torch.zeros(8, 128, dtype=torch.int8),
            torch.zeros(8, 1, dtype=torch.int32), torch.zeros(8, 1)]


@pytest.mark.parametrize("target", TARGETS)
def test_reinterpret_view_on_the_reference(target):
    x, c = _reinterpret_inputs()
    got, want = _reinterpret_outputs(), _reinterpret_outputs()
    reinterpret_ops(x, c, *got, target=target, backend="pto")
    reinterpret_ops(x, c, *want, target=target, backend="cpu")
    for k, (g, w) in enumerate(zip(got, want)):
        assert torch.equal(bits(g), bits(w)), k
    absx, halves, bytes_, cbits, ccopy = got
    # |x| bit for bit: the sign of -0, -inf and -nan cleared.
    assert torch.equal(bits(absx), bits(x) & 0x7FFFFFFF)
    assert torch.equal(bits(halves), x.view(torch.int16).view(8, 64))
    assert torch.equal(bytes_, x.view(torch.int8).view(8, 128) & 0x7F)
    assert torch.equal(cbits, c.view(torch.int32))
    assert torch.equal(ccopy, c)
    source = reinterpret_ops.pto(target).source
    # The other widths are copies of views; the INT32 views of b and m
    # (each dying there) are not.
    assert source.count("TMOV(") == 3, source.count("TMOV(")


@pl.jit
def reinterpret_rows_as_column(x: pl.Tensor[[8, 2], pl.FP16],
                               o: pl.Out[pl.Tensor[[8, 1], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 2])
        o[:, :] = pl.reinterpret_view(a, pl.FP32)  # rows-as-column


def test_reinterpret_rows_as_a_column_is_an_npu_error_at_the_line():
    x = torch.randn(8, 2).half()
    want = torch.zeros(8, 1)
    reinterpret_rows_as_column(x, want, backend="cpu")
    assert torch.equal(want, x.view(torch.float32))
    with pytest.raises(CompileError, match="laid out differently from a "
                       "8x1 'f32' tile in ub") as info:
        reinterpret_rows_as_column.pto("a2a3")
    src, first = inspect.getsourcelines(reinterpret_rows_as_column)
    line = first + next(i for i, s in enumerate(src)
                        if s.rstrip().endswith("# rows-as-column"))
    assert info.value.line == line


# ---------------------------------------------------------------------------
# pl.fillpad
# ---------------------------------------------------------------------------

VR, VC = 5, 19      # the valid region of an 8 x 64 tile


def fill_kernel(dtype):
    @pl.jit
    def fills(x: pl.Tensor[[8, 64], dtype],
              z: pl.Out[pl.Tensor[[8, 64], dtype]],
              lo: pl.Out[pl.Tensor[[8, 64], dtype]],
              hi: pl.Out[pl.Tensor[[8, 64], dtype]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 64], valid_shape=[VR, VC])
            z[:, :] = pl.fillpad(t)
            lo[:, :] = pl.fillpad(t, pad_value=pl.PadValue.min)
            hi[:, :] = pl.fillpad(t, pad_value=pl.PadValue.max)
    return fills


DTYPES = {torch.float32: pl.FP32, torch.float16: pl.FP16,
          torch.bfloat16: pl.BF16, torch.int32: pl.INT32, torch.int8: pl.INT8}
FILLS = {d: fill_kernel(p) for d, p in DTYPES.items()}


def _extremes(dtype):
    if dtype.is_floating_point:
        return -math.inf, math.inf
    return torch.iinfo(dtype).min, torch.iinfo(dtype).max


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dtype", list(DTYPES),
                         ids=[str(d).split(".")[-1] for d in DTYPES])
def test_fillpad_on_the_reference(dtype, target):
    g = torch.Generator().manual_seed(3)
    if dtype.is_floating_point:
        x = torch.randn(8, 64, generator=g).to(dtype)
    else:
        x = torch.randint(-100, 100, (8, 64), generator=g).to(dtype)
    kernel = FILLS[dtype]
    got = [torch.full((8, 64), 9, dtype=dtype) for _ in range(3)]
    want = [torch.full((8, 64), 9, dtype=dtype) for _ in range(3)]
    kernel(x, *got, target=target, backend="pto")
    kernel(x, *want, target=target, backend="cpu")
    lo, hi = _extremes(dtype)
    for g_, w, pad in zip(got, want, (0, lo, hi)):
        assert torch.equal(bits(g_), bits(w))
        expect = torch.full((8, 64), pad, dtype=dtype)
        expect[:VR, :VC] = x[:VR, :VC]
        assert torch.equal(bits(g_), bits(expect)), pad
    assert "TFILLPAD" in kernel.pto(target).source


@pl.jit
def fill_i8_between_v_and_s(x: pl.Tensor[[8, 32], pl.FP32],
                            q: pl.Tensor[[8, 64], pl.INT8],
                            o: pl.Out[pl.Tensor[[8, 64], pl.INT8]],
                            s: pl.Out[pl.Tensor[[1, 32], pl.FP32]]):
    """A vector result read on the scalar unit after an INT8 fill: the
    V -> S flag of Tessel's synchronisation spans the fill."""
    with pl.at(level=pl.Level.VECTOR):
        a = pl.load(x, [0, 0], [8, 32])
        y = pl.add(a, a)
        p = pl.load(q, [0, 0], [8, 64], valid_shape=[3, 40])
        o[:, :] = pl.fillpad(p, pad_value=pl.PadValue.max)
        v = pl.read(y, [2, 3])
        s[:, :] = pl.add(pl.load(x, [0, 0], [1, 32]), v)


@pytest.mark.parametrize("target", TARGETS)
def test_int8_fill_leaves_event0_of_v_to_s_to_pto_isa(target):
    g = torch.Generator().manual_seed(9)
    x = torch.randn(8, 32, generator=g)
    q = torch.randint(-128, 128, (8, 64), generator=g).to(torch.int8)
    got = [torch.zeros(8, 64, dtype=torch.int8), torch.zeros(1, 32)]
    want = [torch.zeros(8, 64, dtype=torch.int8), torch.zeros(1, 32)]
    fill_i8_between_v_and_s(x, q, *got, target=target, backend="pto")
    fill_i8_between_v_and_s(x, q, *want, target=target, backend="cpu")
    assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])
    expect = torch.full((8, 64), 127, dtype=torch.int8)
    expect[:3, :40] = q[:3, :40]
    assert torch.equal(got[0], expect)
    assert torch.equal(got[1], x[0:1] + 2 * x[2, 3])
    source = fill_i8_between_v_and_s.pto(target).source
    event = "EVENT_ID1" if target == "a2a3" else "EVENT_ID0"
    assert f"set_flag(PIPE_V, PIPE_S, {event});" in source
    if target == "a2a3":
        assert "set_flag(PIPE_V, PIPE_S, EVENT_ID0);" not in source


# ---------------------------------------------------------------------------
# pl.gather(t, dim=-1, index=idx)
# ---------------------------------------------------------------------------

def gather_kernel(dtype, n, k):
    @pl.jit
    def gathers(x: pl.Tensor[[8, n], dtype],
                i: pl.Tensor[[8, k], pl.INT32],
                o: pl.Out[pl.Tensor[[8, k], dtype]]):
        with pl.at(level=pl.Level.VECTOR):
            o[:, :] = pl.gather(pl.load(x, [0, 0], [8, n]), dim=-1,
                                index=pl.load(i, [0, 0], [8, k]))
    return gathers


# (dtype, N, K): f32 / i32 gather multiples of 8 columns, 16-bit types of 16.
GATHERS = [(torch.float32, 20, 16), (torch.int32, 40, 8),
           (torch.float16, 40, 16), (torch.bfloat16, 24, 32)]
GATHER_KERNELS = {(d, n, k): gather_kernel(DTYPES[d], n, k)
                  for d, n, k in GATHERS}


def _gather_operands(dtype, n, k):
    g = torch.Generator().manual_seed(n + k)
    if dtype.is_floating_point:
        x = torch.randn(8, n, generator=g).to(dtype)
        x[1, 2] = float("nan")
        x[2, 0] = -0.0
    else:
        x = torch.randint(-1000, 1000, (8, n), generator=g).to(dtype)
    i = torch.randint(0, n, (8, k), generator=g, dtype=torch.int32)
    # Outside [0, N): read 0 (Tessel's rule), never another row's element
    # nor a target-defined byte.
    i[0, 0], i[0, 1], i[3, 2] = -1, n, n + 7
    i[7, k - 1], i[5, 3], i[6, 4] = -n - 3, 2 ** 31 - 1, -2 ** 31
    i[4, :] = n - 1                                   # the last column
    return x, i


def _torch_gather(x, i):
    """torch.gather along the last dim with Tessel's 0 for an index outside
    [0, N), on the bits (a copy: torch's bf16 gather / where may change a
    NaN's payload)."""
    n = x.shape[1]
    inside = (i >= 0) & (i < n)
    b = bits(x)
    got = torch.gather(b, 1, torch.where(inside, i, 0).long())
    return torch.where(inside, got, torch.zeros((), dtype=b.dtype)).view(
        x.dtype)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dtype,n,k", GATHERS,
                         ids=[f"{str(d).split('.')[-1]}-{n}-{k}"
                              for d, n, k in GATHERS])
def test_index_gather_on_the_reference(dtype, n, k, target):
    x, i = _gather_operands(dtype, n, k)
    kernel = GATHER_KERNELS[(dtype, n, k)]
    got = torch.full((8, k), 3, dtype=dtype)
    want = torch.full((8, k), 3, dtype=dtype)
    kernel(x, i, got, target=target, backend="pto")
    kernel(x, i, want, target=target, backend="cpu")
    assert torch.equal(bits(got), bits(want))
    assert torch.equal(bits(got), bits(_torch_gather(x, i)))
    source = kernel.pto(target).source
    for instr in ("TEXPANDS(", "TINSERT(", "TMAXS(", "TMINS(", "TCI<",
                  "TMULS(", "TROWEXPANDADD(", "TGATHER("):
        assert instr in source, instr


def test_index_gather_of_int8_is_an_npu_error_at_the_line():
    @pl.jit
    def gather_i8(x: pl.Tensor[[8, 64], pl.INT8],
                  i: pl.Tensor[[8, 32], pl.INT32],
                  o: pl.Out[pl.Tensor[[8, 32], pl.INT8]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 64])
            j = pl.load(i, [0, 0], [8, 32])
            o[:, :] = pl.gather(t, dim=-1, index=j)  # gather-i8
    for target in TARGETS:
        with pytest.raises(CompileError, match="takes 16- or 32-bit "
                           "elements with 32-bit indices") as info:
            gather_i8.pto(target)
        src, first = inspect.getsourcelines(gather_i8)
        line = first + next(n for n, s in enumerate(src)
                            if s.rstrip().endswith("# gather-i8"))
        assert info.value.line == line
