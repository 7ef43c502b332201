"""Partial tiles (issue 14 item 5) against torch: pl.load / pl.slice with
valid_shape= (constant and runtime extents, a window that runs past the
tensor), a reduction over the partial last chunk of a row (the valid width
computed from the loop index), masked stores, pl.fillpad with each
pl.PadValue, pl.set_validshape, a matmul with a partial K; the NPU path
on the strict reference (and its error for partial L1 tiles); and each misuse as a CompileError at the author's line."""

from __future__ import annotations

import inspect
import math

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

N = 100      # a row of 100 columns read 32 at a time: chunks of 32, 32, 32, 4
CHUNK = 32


@pl.jit
def partial_ops(x: pl.Tensor[[8, N], pl.FP32],
                x4: pl.Tensor[[4, 32], pl.FP32],
                sums: pl.Out[pl.Tensor[[8, 1], pl.FP32]],
                maxs: pl.Out[pl.Tensor[[8, 1], pl.FP32]],
                doubled: pl.Out[pl.Tensor[[8, N], pl.FP32]],
                masked: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                fz: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                fmin: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                fmax: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                narrowed: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                rows4: pl.Out[pl.Tensor[[4, 1], pl.FP32]],
                runmax: pl.Out[pl.Tensor[[8, 32], pl.FP32]],
                corner: pl.Out[pl.Tensor[[2, 1], pl.FP32]],
                colsum: pl.Out[pl.Tensor[[1, 32], pl.FP32]],
                colmax: pl.Out[pl.Tensor[[1, 32], pl.FP32]]):
    with pl.at(level=pl.Level.VECTOR):
        acc = pl.full([8, 1], dtype=pl.FP32, value=0.0)
        mx = pl.full([8, 1], dtype=pl.FP32, value=-math.inf)
        for c in pl.range(0, N, CHUNK):
            # The valid width of the last chunk is 100 - 96 = 4.
            t = pl.load(x, [0, c], [8, CHUNK],
                        valid_shape=[8, pl.min(CHUNK, N - c)])
            acc = pl.add(acc, pl.row_sum(t))
            mx = pl.maximum(mx, pl.row_max(t))
            pl.store(pl.mul(t, 2.0), [0, c], doubled)   # a masked store
        pl.store(acc, [0, 0], sums)
        pl.store(mx, [0, 0], maxs)
        # 5 x 20 of an 8 x 32 tile: the store writes only that region.
        w = pl.load(x, [0, 0], [8, 32], valid_shape=[5, 20])
        pl.store(w, [0, 0], masked)
        # Column reductions over the 5 valid rows, stored over 20 columns.
        pl.store(pl.col_sum(w), [0, 0], colsum)
        pl.store(pl.col_max(w), [0, 0], colmax)
        # shapes= smaller than the tile stores its top-left region: 2 x 1
        # into a 2 x 1 output (the 8 x 32 window runs past it).
        pl.store(pl.load(x, [0, 0], [8, 32]), [0, 0], corner, shapes=[2, 1])
        pl.store(pl.fillpad(w), [0, 0], fz)
        pl.store(pl.fillpad(w, pad_value=pl.PadValue.min), [0, 0], fmin)
        pl.store(pl.tile.fillpad(w, pl.PadValue.max), [0, 0], fmax)
        # PyPTO's tensor form on a slice (a tile in a core scope).
        s = pl.tensor.set_validshape(x[0:8, 0:32], 3, 7)
        pl.store(pl.fillpad(s, 0), [0, 0], narrowed)
        # A 16-row window over a 4-row tensor: only its 4 valid rows are
        # read, and the row sums' 4 valid rows stored.
        p = pl.slice(x4, [16, 32], [0, 0], valid_shape=[4, 32])
        pl.store(pl.row_sum(p), [0, 0], rows4)
        # A running max carried through a loop narrows to the 6 valid rows
        # of what it is combined with; its store writes only those.
        run = pl.full([8, 32], dtype=pl.FP32, value=-math.inf)
        for c in pl.range(0, 64, 32):
            run = pl.maximum(run, pl.load(x, [0, c], [8, 32],
                                          valid_shape=[6, 32]))
        pl.store(run, [0, 0], runmax)


@pytest.fixture(scope="module")
def results():
    g = torch.Generator().manual_seed(3)
    # All negative: a row max that read zero padding would return 0.
    x = -torch.rand(8, N, generator=g) - 0.5
    x4 = torch.randn(4, 32, generator=g)
    outs = dict(sums=torch.full((8, 1), 123.0), maxs=torch.full((8, 1), 123.0),
                doubled=torch.full((8, N), 123.0),
                masked=torch.full((8, 32), 123.0),
                fz=torch.full((8, 32), 123.0), fmin=torch.full((8, 32), 123.0),
                fmax=torch.full((8, 32), 123.0),
                narrowed=torch.full((8, 32), 123.0),
                rows4=torch.full((4, 1), 123.0),
                runmax=torch.full((8, 32), 123.0),
                corner=torch.full((2, 1), 123.0),
                colsum=torch.full((1, 32), 123.0),
                colmax=torch.full((1, 32), 123.0))
    partial_ops(x, x4, *outs.values())
    return x, x4, outs


def test_partial_last_chunk_reduction(results):
    x, _, o = results
    torch.testing.assert_close(o["sums"], x.sum(1, keepdim=True))
    # Padding columns of the 4-wide last chunk never win the max.
    torch.testing.assert_close(o["maxs"], x.amax(1, keepdim=True))
    assert (o["maxs"] < 0).all()


def test_masked_store_of_the_partial_chunk(results):
    x, _, o = results
    torch.testing.assert_close(o["doubled"], x * 2)


def test_store_writes_only_the_valid_region(results):
    x, _, o = results
    want = torch.full((8, 32), 123.0)
    want[:5, :20] = x[:5, :20]
    assert torch.equal(o["masked"], want)


@pytest.mark.parametrize("name,pad", [("fz", 0.0), ("fmin", -math.inf),
                                      ("fmax", math.inf)])
def test_fillpad_each_pad_value(results, name, pad):
    x, _, o = results
    want = torch.full((8, 32), pad)
    want[:5, :20] = x[:5, :20]
    assert torch.equal(o[name], want)


def test_set_validshape(results):
    x, _, o = results
    want = torch.zeros(8, 32)
    want[:3, :7] = x[:3, :7]
    assert torch.equal(o["narrowed"], want)


def test_column_reductions_of_valid_rows(results):
    x, _, o = results
    want = torch.full((1, 32), 123.0)
    want[0, :20] = x[:5, :20].sum(0)
    torch.testing.assert_close(o["colsum"], want)
    want[0, :20] = x[:5, :20].amax(0)
    assert torch.equal(o["colmax"], want)


def test_store_shapes_smaller_than_the_tile(results):
    x, _, o = results
    assert torch.equal(o["corner"], x[:2, :1])


def test_loop_carried_tile_narrows(results):
    x, _, o = results
    want = torch.full((8, 32), 123.0)
    want[:6] = torch.maximum(x[:6, :32], x[:6, 32:64])
    assert torch.equal(o["runmax"], want)


def test_window_past_the_tensor(results):
    _, x4, o = results
    torch.testing.assert_close(o["rows4"], x4.sum(1, keepdim=True))


@pl.jit
def partial_k(a: pl.Tensor[[16, 32], pl.BF16], b: pl.Tensor[[32, 16], pl.BF16],
              c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        # K = 20 of 32: a partial load's padding is zero, so the padded
        # part of K adds nothing.
        ta = pl.load(a, [0, 0], [16, 32], valid_shape=[16, 20])
        tb = pl.load(b, [0, 0], [32, 16], valid_shape=[20, 16])
        pl.store(pl.matmul(ta, tb), [0, 0], c)


def test_matmul_with_partial_k():
    g = torch.Generator().manual_seed(4)
    a = torch.randn(16, 32, generator=g).to(torch.bfloat16)
    b = torch.randn(32, 16, generator=g).to(torch.bfloat16)
    a[:, 20:] = 1e4   # never read: outside the valid K
    b[20:, :] = 1e4
    c = torch.full((16, 16), 123.0)
    partial_k(a, b, c)
    want = a[:, :20].float() @ b[:20, :].float()
    torch.testing.assert_close(c, want, rtol=1e-5, atol=1e-4)
    # The partial loads' zero padding is the K padding: no fillpad.
    ir = partial_k.ir()
    assert "valid [16, 20]" in ir and "valid [20, 16]" in ir
    assert "tile.fillpad" not in ir


@pl.jit
def assemble_partial(x: pl.Tensor[[8, 32], pl.FP32],
                     o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        # A 16-row window with 5 valid rows, assembled at row 3: rows 3..7
        # are written (3 + 5 = 8 rows, the tensor's end), the window's
        # other 11 rows run past the tensor and are not stored.
        t = pl.slice(x, [16, 32], [0, 0], valid_shape=[5, 32])
        o = pl.assemble(o, pl.add(t, 1.0), [3, 0])
    return o


def test_assemble_of_a_partial_tile_writes_its_valid_region():
    x = torch.randn(8, 32, generator=torch.Generator().manual_seed(6))
    o = torch.full((8, 32), 7.0)
    assemble_partial(x, o)
    want = torch.full((8, 32), 7.0)
    want[3:8] = x[0:5] + 1.0
    torch.testing.assert_close(o, want)


@pl.jit
def subscript_store_partial(x: pl.Tensor[[8, 32], pl.FP32],
                            o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        # The same through a subscript store (mtp_projection's form): the
        # window o[3:19] runs 11 rows past the tensor, the 5 valid rows
        # 3..7 fit and are the ones written.
        t = pl.slice(x, [16, 32], [0, 0], valid_shape=[5, 32])
        o[3:19, :] = pl.add(t, 1.0)
    return o


def test_subscript_store_of_a_partial_tile_writes_its_valid_region():
    x = torch.randn(8, 32, generator=torch.Generator().manual_seed(6))
    o = torch.full((8, 32), 7.0)
    subscript_store_partial(x, o)
    want = torch.full((8, 32), 7.0)
    want[3:8] = x[0:5] + 1.0
    torch.testing.assert_close(o, want)


def test_subscript_store_of_a_partial_tile_checks_the_valid_region():
    @pl.jit
    def past_end(x: pl.Tensor[[8, 32], pl.FP32],
                 o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.slice(x, [16, 32], [0, 0], valid_shape=[6, 32])
            o[3:19, :] = t
        return o
    # 3 + 6 valid rows = 9 > 8.
    with pytest.raises(CompileError, match="slice out of bounds in "
                       "dimension 0") as info:
        past_end.ir()
    assert info.value.line == _line(past_end, "o[3:19, :] = t")


def test_ir_carries_the_valid_shape():
    ir = partial_ops.ir()
    assert "valid [8, %" in ir            # the runtime width of a chunk
    assert "valid [5, 20] min" in ir      # fillpad
    assert "valid [4, 32] : memref<4x32xf32> -> !tile.tile<16x32xf32>" in ir
    # The chunk's row max pads with -inf first; its row sum needs nothing
    # (a partial load's padding is zero): one fillpad of the chunk.
    fills = [line for line in ir.splitlines() if "tile.fillpad" in line
             and "valid [8, %" in line]
    assert len(fills) == 1 and fills[0].rstrip().endswith(
        "min : !tile.tile<8x32xf32>")


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_partial_tiles_on_the_npu_reference(results, target):
    """The NPU path (runtime valid shapes in PTO-ISA's Tile and
    GlobalTensor, TLOAD then TFILLPAD zero, TFILLPAD min / max, stores of
    the valid region) on the strict reference: the CPU simulation's bits
    for every output."""
    x, x4, cpu = results
    outs = {k: torch.full_like(v, 123.0) for k, v in cpu.items()}
    partial_ops(x, x4, *outs.values(), backend="pto", target=target)
    for name, want in cpu.items():
        assert torch.equal(outs[name], want), name
    source = partial_ops.pto(target).source
    assert "BLayout::RowMajor, 8, -1>" in source       # a runtime width
    assert "TFILLPAD_INPLACE(" in source and "PadValue::Min>" in source


def test_npu_partial_loads_into_l1_are_an_error_at_the_op():
    # A cube operand's partial load (into L1) is not emitted: the message
    # says what to do instead.
    with pytest.raises(CompileError, match="moves partial tiles .a valid "
                       "shape. between GM and ub only, not l1") as info:
        partial_k.pto()
    assert info.value.line == _line(partial_k, "ta = pl.load")


def _line(fn, text):
    src, first = inspect.getsourcelines(fn)
    return first + next(i for i, s in enumerate(src) if text in s)


def test_misuse():
    @pl.jit
    def too_wide(x: pl.Tensor[[8, 32], pl.FP32],
                 o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32], valid_shape=[8, 40])
            pl.store(t, [0, 0], o)
    with pytest.raises(CompileError, match="valid_shape 40 in dimension 1 "
                       "is outside the tile's 1..32") as info:
        too_wide.ir()
    assert info.value.line == _line(too_wide, "valid_shape=[8, 40]")

    @pl.jit
    def wrong_rank(x: pl.Tensor[[8, 32], pl.FP32],
                   o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.slice(x, [8, 32], [0, 0], valid_shape=[8])
            pl.store(t, [0, 0], o)
    with pytest.raises(CompileError, match="valid_shape has 1 dimensions"):
        wrong_rank.ir()

    @pl.jit
    def out_of_bounds(x: pl.Tensor[[8, 32], pl.FP32],
                      o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [4, 0], [8, 32], valid_shape=[5, 32])
            pl.store(t, [0, 0], o)
    with pytest.raises(CompileError, match="slice out of bounds in "
                       "dimension 0"):
        out_of_bounds.ir()

    @pl.jit
    def null_pad(x: pl.Tensor[[8, 32], pl.FP32],
                 o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32], valid_shape=[4, 32])
            pl.store(pl.fillpad(t, pl.PadValue.null), [0, 0], o)
    with pytest.raises(CompileError, match="PadValue.null fills nothing"):
        null_pad.ir()

    @pl.jit
    def odd_pad(x: pl.Tensor[[8, 32], pl.FP32],
                o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32], valid_shape=[4, 32])
            pl.store(pl.fillpad(t, 5.0), [0, 0], o)
    with pytest.raises(CompileError, match="pad_value must be a "
                       "pl.PadValue"):
        odd_pad.ir()

    @pl.jit
    def gather_partial(x: pl.Tensor[[8, 32], pl.FP32],
                       o: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            t = pl.load(x, [0, 0], [8, 32], valid_shape=[8, 10])
            pl.store(pl.gather(t, mask_pattern=pl.tile.MaskPattern.P0101),
                     [0, 0], o)
    with pytest.raises(CompileError, match="pl.gather does not take a "
                       "partial tile") as info:
        gather_partial.ir()
    assert "pl.fillpad" in str(info.value)

    @pl.jit
    def changes_in_loop(x: pl.Tensor[[8, 64], pl.FP32],
                        o: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
        with pl.at(level=pl.Level.VECTOR):
            acc = pl.full([8, 32], dtype=pl.FP32, value=0.0)
            tot = pl.full([8, 1], dtype=pl.FP32, value=0.0)
            for c in pl.range(0, 64, 32):
                t = pl.load(x, [0, c], [8, 32], valid_shape=[8, 20])
                # The row sum of acc was built for a full acc.
                tot = pl.add(tot, pl.row_sum(acc))
                acc = pl.add(acc, t)
            pl.store(acc, [0, 0], o)
    with pytest.raises(CompileError, match="loop-carried 'acc' changes its "
                       "valid shape"):
        changes_in_loop.ir()


@pl.jit
def computed_k(a: pl.Tensor[[16, 32], pl.FP16],
               b: pl.Tensor[[32, 16], pl.FP16],
               c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        ta = pl.load(a, [0, 0], [16, 32], valid_shape=[16, 20])
        tb = pl.load(b, [0, 0], [32, 16])
        # A computed operand's K padding is not zero: a vector fillpad
        # feeds the cube, through GM (tile-split-mixed-scopes).
        pl.store(pl.matmul(pl.add(ta, ta), tb), [0, 0], c)


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_computed_partial_k_operand_is_padded_then_multiplied(target):
    torch.manual_seed(7)
    a = torch.randn(16, 32).half()
    a[:, 20:] = float("nan")    # outside the valid shape: must not leak
    b = torch.randn(32, 16).half()
    c = torch.full((16, 16), float("nan"))
    computed_k(a, b, c, target=target)
    # 2a is exact in f16; K = 20 products of f16 values summed in f32.
    want = (2 * a[:, :20].double()) @ b[:20].double()
    torch.testing.assert_close(c.double(), want, rtol=1e-5, atol=1e-4)


@pl.jit
def _column_to_row(x: pl.Tensor[[8, 32], pl.FP32],
                   n: pl.Tensor[[1], pl.INT32],
                   out: pl.Out[pl.Tensor[[1, 8], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        rows = pl.cast(pl.read(n, [0]), pl.INDEX)
        t = pl.load(x, [0, 0], [8, 32], valid_shape=[rows, 32])
        # [8, 1] valid [rows, 1] -> [1, 8] valid [1, rows]: a run-time
        # extent survives a column <-> row reshape.
        out[:, :] = pl.reshape(pl.row_sum(t), [1, 8])
    return out


@pytest.mark.parametrize("rows", [1, 5, 8])
def test_reshape_column_to_row_with_runtime_valid_rows(rows):
    x = torch.randn(8, 32, generator=torch.Generator().manual_seed(rows))
    out = torch.full((1, 8), 7.0)
    _column_to_row(x, torch.tensor([rows], dtype=torch.int32), out)
    want = torch.full((1, 8), 7.0)
    want[0, :rows] = x[:rows].sum(1)
    torch.testing.assert_close(out, want)
