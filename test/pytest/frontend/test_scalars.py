"""Scalar element access (`pl.read` / `pl.write` on GM tensors and tiles),
arithmetic and `if` on the values read, offsets computed from them (a row
gathered through an index tensor, clamped into the tensor), and
`pl.Scalar` kernel parameters, against torch; misuse is a CompileError at
the author's line."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import ArgumentError, CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


T, H, D = 4, 2, 64


# hc_post's shape of computation: per token t and output head h, a weight
# read from GM scales a row, then H more weights mix the residual rows in.
@pl.jit
def mix(x: pl.Tensor[[T, D], pl.FP32],
        res: pl.Tensor[[T, H * D], pl.FP32],
        post: pl.Tensor[[T, H], pl.FP32],
        comb: pl.Tensor[[T, H * H], pl.FP32],
        y: pl.Out[pl.Tensor[[T, H * D], pl.FP32]]):
    for blk in pl.spmd((T // 2) * H, name_hint="mix"):
        h = blk % H
        t0 = (blk // H) * 2
        for t in pl.pipeline(t0, t0 + 2, stage=2):
            w = pl.read(post, [t, h])
            row = pl.mul(x[t:t + 1, :], w)
            for k in pl.pipeline(H, stage=2):
                c = pl.read(comb, [t, k * H + h])
                row = pl.add(row, pl.mul(res[t:t + 1, k * D:k * D + D], c))
            y[t:t + 1, h * D:h * D + D] = row


@pytest.fixture(scope="module")
def mix_run():
    g = torch.Generator().manual_seed(0)
    x, res = torch.randn(T, D, generator=g), torch.randn(T, H * D, generator=g)
    post, comb = torch.rand(T, H, generator=g), torch.rand(T, H * H,
                                                           generator=g)
    y = torch.zeros(T, H * D)
    mix(x, res, post, comb, y)
    return x, res, post, comb, y


def test_read_scales_rows_like_torch(mix_run):
    x, res, post, comb, y = mix_run
    want = torch.zeros(T, H, D)
    for h in range(H):
        r = x * post[:, h:h + 1]
        for k in range(H):
            r = r + res[:, k * D:(k + 1) * D] * comb[:, k * H + h:k * H + h + 1]
        want[:, h] = r
    # The same fp32 operations in the same order: bit-identical.
    assert torch.equal(y, want.reshape(T, H * D))
    ir = mix.ir()
    assert ir.count("tile.get") == 2 and "tile.muls" in ir


def test_scalar_reads_on_the_npu_reference(mix_run, target="a2a3"):
    """The same kernel through the PTO back end (Tile::GetValue on the
    scalar pipe, synchronised with MTE2 / V by tile-insert-sync) on the
    strict reference, which reports any missing flag: the CPU's bits (a5:
    float_math below)."""
    x, res, post, comb, want = mix_run
    y = torch.zeros(T, H * D)
    mix(x, res, post, comb, y, backend="pto", target=target)
    assert torch.equal(y, want)
    source = mix.pto(target).source
    assert ".GetValue(" in source
    assert "wait_flag(PIPE_MTE2, PIPE_S" in source


# Integer arithmetic on values read (Python // and %), a comparison, a
# data-dependent if inside a scope (both branches store, with tiles), and
# pl.write of the results.
@pl.jit
def int_math(a: pl.Tensor[[8, 2], pl.INT32],
             x: pl.Tensor[[8, 16], pl.FP32],
             q: pl.Out[pl.Tensor[[8, 4], pl.INT32]],
             y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    for b in pl.spmd(8, name_hint="ints"):
        u = pl.read(a, [b, 0])
        v = pl.read(a, [b, 1])
        pl.write(q, [b, 0], u // v)
        pl.write(q, [b, 1], u % v)
        pl.write(q, [b, 2], pl.max(u, v) * 2 - pl.min(u, 0))
        pl.write(q, [b, 3], -u + 7)
        if u > v:
            y[b:b + 1, :] = pl.mul(x[b:b + 1, :], 2.0)
        else:
            y[b:b + 1, :] = pl.full([1, 16], dtype=pl.FP32, value=-1.0)


def test_integer_scalars_and_data_dependent_if():
    a = torch.tensor([[7, 2], [-7, 2], [7, -2], [-7, -2], [0, 3], [5, 5],
                      [100, 7], [-1, 9]], dtype=torch.int32)
    x = torch.randn(8, 16)
    q = torch.zeros(8, 4, dtype=torch.int32)
    y = torch.zeros(8, 16)
    int_math(a, x, q, y)
    for i, (u, v) in enumerate(a.tolist()):
        # Python's floor division and modulo (-7 // 2 = -4, -7 % 2 = 1).
        assert q[i].tolist() == [u // v, u % v, max(u, v) * 2 - min(u, 0),
                                 -u + 7], (u, v)
        want = x[i] * 2.0 if u > v else torch.full((16,), -1.0)
        assert torch.equal(y[i], want), i
    # On the NPU reference: scalar division, an if on values read and
    # pl.write (Tile::SetValue of a copied zero tile, then TSTORE).
    q2, y2 = torch.zeros_like(q), torch.zeros_like(y)
    int_math(a, x, q2, y2, backend="pto")
    assert torch.equal(q2, q) and torch.equal(y2, y)


# Float scalars: arithmetic, casts to INT32 / INDEX and back, a scalar
# carried through a loop, and an element of a tile read and written.
@pl.jit
def float_math(x: pl.Tensor[[4, 16], pl.FP32],
               s: pl.Out[pl.Tensor[[4, 4], pl.FP32]],
               t: pl.Out[pl.Tensor[[4, 16], pl.FP32]]):
    for b in pl.spmd(4, name_hint="floats"):
        acc = 0.0                     # carried as an FP32 scalar
        for j in pl.range(4):
            acc = acc + pl.read(x, [b, j]) * 0.5
        pl.write(s, [b, 0], acc)
        pl.write(s, [b, 1], pl.cast(pl.cast(acc, pl.INT32, mode="floor"),
                                    pl.FP32))
        pl.write(s, [b, 2], pl.cast(pl.cast(b, pl.INT32), pl.FP32) / 4.0)
        row = x[b:b + 1, :]
        e = pl.read(row, [0, 5])
        pl.write(row, [0, 6], e - 1.0)
        pl.write(s, [b, 3], pl.read(row, 6))        # a flat index
        t[b:b + 1, :] = row


def test_float_scalars_and_tile_elements():
    x = torch.randn(4, 16) * 4
    s, t = torch.zeros(4, 4), torch.zeros(4, 16)
    float_math(x, s, t)
    acc = torch.zeros(4)
    for j in range(4):
        acc = acc + x[:, j] * 0.5
    assert torch.equal(s[:, 0], acc)
    assert torch.equal(s[:, 1], torch.floor(acc))
    assert torch.equal(s[:, 2], torch.arange(4.0) / 4.0)
    want = x.clone()
    want[:, 6] = x[:, 5] - 1.0
    assert torch.equal(s[:, 3], want[:, 6])
    assert torch.equal(t, want)
    # On the NPU reference (a5): an element of a tile read and written on
    # the scalar unit between vector work, std::floor on a scalar.
    s2, t2 = torch.zeros_like(s), torch.zeros_like(t)
    float_math(x, s2, t2, backend="pto", target="a5")
    assert torch.equal(s2, s) and torch.equal(t2, t)


# A row gathered through an index tensor (sparse attention's pattern): the
# offset is read at run time, clamped into the tensor.
@pl.jit
def gather_rows(idx: pl.Tensor[[6], pl.INT32],
                src: pl.Tensor[[16, 32], pl.BF16],
                out: pl.Out[pl.Tensor[[6, 32], pl.BF16]]):
    for b in pl.spmd(6, name_hint="gather"):
        slot = pl.read(idx, [b])
        if slot >= 0:
            r = pl.cast(slot, pl.INDEX)
            out[b:b + 1, :] = src[r:r + 1, :]  # TAG-clamp
        else:
            out[b:b + 1, :] = pl.full([1, 32], dtype=pl.BF16, value=0.0)


def test_rows_gathered_by_an_index_read_at_run_time():
    src = torch.randn(16, 32).bfloat16()
    # 99 is past the end: clamped to the last row (documented).
    idx = torch.tensor([3, 0, -1, 15, 99, 7], dtype=torch.int32)
    out = torch.full((6, 32), 5.0).bfloat16()
    gather_rows(idx, src, out)
    for b, i in enumerate(idx.tolist()):
        want = torch.zeros(32).bfloat16() if i < 0 else src[min(i, 15)]
        assert torch.equal(out[b], want), b
    warnings = gather_rows.module().warnings
    hits = [w for sev, m, w, _ in warnings
            if "REMARK" in sev and "depends on a value read at run time" in m
            and "clamped to [0, 15]" in m]
    assert hits and hits[0][1] == line_of("TAG-clamp"), warnings


# A scalar written by one scope and read by the next, by another block
# (row (b + 1) % 8): scheduling and fusion keep the read after the write.
@pl.jit
def two_scopes(a: pl.Tensor[[8, 16], pl.FP32],
               y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    s = pl.create_tensor([8, 1], dtype=pl.FP32)
    for b in pl.spmd(8, name_hint="sums"):
        pl.write(s, [b, 0], pl.read(a, [b, 0]) + pl.read(a, [b, 15]))
    for b in pl.spmd(8, name_hint="use"):
        r = (b + 1) % 8
        y[b:b + 1, :] = pl.mul(a[b:b + 1, :], pl.read(s, [r, 0]))


def test_a_scalar_written_then_read_by_another_scope():
    a = torch.randn(8, 16)
    y = torch.zeros(8, 16)
    two_scopes(a, y)
    sums = a[:, 0] + a[:, 15]
    want = a * sums.roll(-1).reshape(8, 1)
    assert torch.equal(y, want)


# A running sum kept in GM: each iteration reads the element the previous
# one wrote. In a sequential loop that is program order; a 2-stage pipeline
# may issue iteration j's loads before iteration j - 1's stores, so there
# it is a hazard the race checker reports instead of reordering silently.
@pl.jit
def gm_running_sum(x: pl.Tensor[[4, 8], pl.FP32],
                   s: pl.Out[pl.Tensor[[4, 1], pl.FP32]]):
    for b in pl.spmd(4):
        pl.write(s, [b, 0], 0.0)
        for j in pl.range(8):
            pl.write(s, [b, 0], pl.read(s, [b, 0]) + pl.read(x, [b, j]))


@pl.jit
def gm_running_sum_pipelined(x: pl.Tensor[[4, 8], pl.FP32],
                             s: pl.Out[pl.Tensor[[4, 1], pl.FP32]]):
    for b in pl.spmd(4):
        pl.write(s, [b, 0], 0.0)
        for j in pl.pipeline(8, stage=2):
            v = pl.read(s, [b, 0])
            pl.write(s, [b, 0], v + pl.read(x, [b, j]))  # ERR-hazard


def test_a_read_after_a_write_through_gm_keeps_its_order():
    x = torch.randn(4, 8)
    s = torch.zeros(4, 1)
    gm_running_sum(x, s)
    want = torch.zeros(4)
    for j in range(8):
        want = want + x[:, j]
    assert torch.equal(s[:, 0], want)
    with pytest.raises(CompileError) as info:
        gm_running_sum_pipelined.compile()
    err = info.value
    assert err.line == line_of("ERR-hazard"), str(err)
    assert "race between pipelined iterations on 's'" in err.brief
    assert "block 0 (j = 0) writes element [0, 0], which block 0 (j = 1) " \
        "reads" in err.brief


# A data-dependent store offset in a grid: the race checker takes the
# whole extent, so two blocks may write the same row.
@pl.jit
def scatter_rows(idx: pl.Tensor[[4], pl.INT32],
                 x: pl.Tensor[[4, 32], pl.FP32],
                 out: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(4):
        r = pl.cast(pl.read(idx, [b]), pl.INDEX)
        out[r:r + 1, :] = x[b:b + 1, :]  # ERR-race


def test_a_data_dependent_store_in_a_grid_is_a_possible_race():
    with pytest.raises(CompileError) as info:
        scatter_rows.compile()
    assert "race" in str(info.value), str(info.value)
    assert info.value.line == line_of("ERR-race"), str(info.value)


# pl.Scalar parameters: a run-time argument (one compiled kernel for every
# value) used in arithmetic and a condition.
@pl.jit
def scaled(x: pl.Tensor[[8, 32], pl.FP32], n: pl.Scalar[pl.INT32],
           f: pl.Scalar[pl.FP32], y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    for b in pl.spmd(2):
        r0 = b * 4
        k = pl.cast(n, pl.FP32) * f
        if n > 2:
            y[r0:r0 + 4, :] = pl.mul(x[r0:r0 + 4, :], k)
        else:
            y[r0:r0 + 4, :] = pl.add(x[r0:r0 + 4, :], k)


def test_scalar_parameters_are_runtime_arguments():
    x = torch.randn(8, 32)
    y = torch.zeros(8, 32)
    scaled(x, 3, 0.5, y)
    assert torch.equal(y, x * 1.5)
    misses = scaled.cache_info()["misses"]
    scaled(x, 1, 0.25, y)
    assert torch.equal(y, x + 0.25)
    scaled(x, torch.tensor(5, dtype=torch.int32), 2.0, y)
    assert torch.equal(y, x * 10.0)
    # Three values, one compile.
    assert scaled.cache_info()["misses"] == misses
    with pytest.raises(ArgumentError, match="'n' is a pl.Scalar"):
        scaled(x, 2.5, 1.0, y)


# PyPTO's bare-dtype annotation `f: pl.FP32` is pl.Scalar[pl.FP32].
@pl.jit
def scaled_bare(x: pl.Tensor[[8, 32], pl.FP32], f: pl.FP32,
                y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.mul(x[:, :], f)


def test_bare_dtype_annotation_is_a_scalar_parameter():
    x = torch.randn(8, 32)
    y = torch.zeros(8, 32)
    scaled_bare(x, 0.5, y)
    assert torch.equal(y, x * 0.5)
    scaled_bare(x, 3.0, y)
    assert torch.equal(y, x * 3.0)
    assert [p.direction for p in scaled_bare.signature] == \
        ["in", "scalar", "out"]


# A pl.Scalar parameter used at function level (hc_post_prefill's active
# token count: a grid size, a function-level if): the kernel is specialised
# on its value, once per value; inside the scope the same parameter is
# still read at run time.
@pl.jit
def active_rows(x: pl.Tensor[[16, 32], pl.FP32], n: pl.Scalar[pl.INT32],
                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    active = pl.cast(n, pl.INDEX)
    if active > 16:
        active = 16
    tiles = (active + 3) // 4
    if active > 0:
        for b in pl.spmd(tiles, name_hint="active"):
            for t in pl.range(b * 4, b * 4 + 4):
                if t < active:
                    y[t:t + 1, :] = pl.mul(x[t:t + 1, :], 2.0)
    for b in pl.spmd(4, name_hint="tail"):
        for t in pl.range(b * 4, b * 4 + 4):
            if t >= active:
                y[t:t + 1, :] = pl.full([1, 32], dtype=pl.FP32, value=0.0)


def test_a_scalar_parameter_sizing_a_grid_specialises_the_kernel():
    x = torch.randn(16, 32)
    for n, compiles in ((5, 1), (16, 2), (0, 3), (5, 3), (40, 4)):
        y = torch.full((16, 32), 9.0)
        active_rows(x, n, y)
        k = min(n, 16)
        assert torch.equal(y[:k], x[:k] * 2.0), n
        assert torch.equal(y[k:], torch.zeros(16 - k, 32)), n
        assert active_rows.cache_info()["misses"] == compiles, n
    # Before any call there is no value: the error names the parameter.
    with pytest.raises(CompileError, match="'n' is used outside a core "
                                           "scope"):
        pl.jit(active_rows.fn).ir()


# -- misuse ----------------------------------------------------------------

@pl.jit
def wrong_rank(x: pl.Tensor[[8, 32], pl.FP32],
               y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        v = pl.read(x, [0, 0, 0])  # ERR-rank
        y[:, :] = pl.mul(x[:, :], v)


@pl.jit
def float_index(x: pl.Tensor[[8, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        v = pl.read(x, [0, 1.5])  # ERR-float-index
        y[:, :] = pl.mul(x[:, :], v)


@pl.jit
def fp_index(x: pl.Tensor[[8, 32], pl.FP32],
             y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        v = pl.read(x, [0, 0])
        r = pl.cast(v, pl.INDEX)  # ERR-fp-index
        y[:, :] = x[:, :]


@pl.jit
def out_of_bounds(x: pl.Tensor[[8, 32], pl.FP32],
                  y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        v = pl.read(x, [8, 0])  # ERR-oob
        y[:, :] = pl.mul(x[:, :], v)


@pl.jit
def past_the_last_row(x: pl.Tensor[[8, 32], pl.FP32],
                      y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    for b in pl.spmd(8):
        v = pl.read(x, [b + 1, 0])  # ERR-past
        y[b:b + 1, :] = pl.mul(x[b:b + 1, :], v)


@pl.jit
def mixed_dtypes(a: pl.Tensor[[8, 32], pl.INT32],
                 x: pl.Tensor[[8, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        s = pl.read(a, [0, 0]) + pl.read(x, [0, 0])  # ERR-mixed
        y[:, :] = x[:, :]


@pl.jit
def bf16_math(x: pl.Tensor[[8, 32], pl.BF16],
              y: pl.Out[pl.Tensor[[8, 32], pl.BF16]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        s = pl.read(x, [0, 0]) * 2.0  # ERR-bf16
        y[:, :] = x[:, :]


@pl.jit
def write_wrong_dtype(a: pl.Tensor[[8, 32], pl.INT32],
                      y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        pl.write(y, [0, 0], pl.read(a, [0, 0]))  # ERR-write-dtype


@pl.jit
def scalar_tile_mismatch(x: pl.Tensor[[8, 32], pl.FP32],
                         a: pl.Tensor[[8, 32], pl.INT32],
                         y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = pl.mul(x[:, :], pl.read(a, [0, 0]))  # ERR-tile-scalar


@pytest.mark.parametrize("kernel,tag,brief", [
    (wrong_rank, "ERR-rank", "pl.read needs one index per dimension"),
    (float_index, "ERR-float-index", "pl.read: an index must be an integer"),
    (fp_index, "ERR-fp-index",
     "pl.cast(..., pl.INDEX) takes an integer scalar or index"),
    (out_of_bounds, "ERR-oob", "pl.read of 'x': index 0 is out of bounds"),
    # A runtime index is checked exactly by tile-check-races (block 7
    # reads row 8).
    (past_the_last_row, "ERR-past",
     "slice out of bounds in dimension 0 of 'x' (size 8): block 7 reads"),
    (mixed_dtypes, "ERR-mixed", "dtype mismatch in '+'"),
    (bf16_math, "ERR-bf16", "'*' does not compute on BF16 scalars"),
    (write_wrong_dtype, "ERR-write-dtype", "pl.write: dtype mismatch"),
    (scalar_tile_mismatch, "ERR-tile-scalar",
     "pl.mul of a FP32 tile and a INT32 scalar"),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    assert brief in err.brief, str(err)


@pl.jit
def lowered(x: pl.Tensor, n: pl.Scalar[pl.INT32], y: pl.Out[pl.Tensor]):
    for b in pl.spmd(n):
        y[b * 8:b * 8 + 8, :] = pl.add(x[b * 8:b * 8 + 8, :], 1.0)


def test_lower_specialises_on_the_call_without_running():
    # PyPTO's kernel.lower(*args): shapes from the tensors, the grid from
    # the pl.Scalar used at function level; nothing is built or run.
    t16 = lowered.lower(torch.zeros(16, 32), 2, torch.zeros(16, 32),
                        stage="tile").text()
    assert "memref<16x32xf32>" in t16 and "tile.spmd 2" in t16
    t32 = lowered.lower(torch.zeros(32, 32), 4, torch.zeros(32, 32),
                        stage="tile").text()
    assert "memref<32x32xf32>" in t32 and "tile.spmd 4" in t32
    placed = lowered.lower(torch.zeros(16, 32), 2, torch.zeros(16, 32))
    assert "tile.placed" in placed.text()
    assert lowered.cache_info()["misses"] == 0


@pl.jit
def int64_offsets(x: pl.Tensor[[16, 32], pl.FP32],
                  cfg: pl.Tensor[[4], pl.INT32],
                  y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        flag = pl.cast(pl.read(cfg, [0]), pl.INT64)
        row = pl.cast(pl.read(cfg, [1]), pl.INT64)
        if flag == 1:
            r = pl.cast(row + 1, pl.INDEX)
        else:
            r = pl.cast(row, pl.INDEX)
        y[0:8, :] = pl.add(x[r:r + 8, :], 1.0)


def test_int64_scalars_compare_add_and_index():
    # INT64 scalars compute (comparison, +) and convert to an index.
    x = torch.randn(16, 32, generator=torch.Generator().manual_seed(8))
    for cfg, row in (([1, 3, 0, 0], 4), ([0, 3, 0, 0], 3)):
        y = torch.zeros(8, 32)
        int64_offsets(x, torch.tensor(cfg, dtype=torch.int32), y)
        assert torch.equal(y, x[row:row + 8] + 1)


@pl.jit
def int64_writes(x: pl.Tensor[[4], pl.INT64], t: pl.Tensor[[2, 4], pl.INT64],
                 y: pl.Out[pl.Tensor[[4], pl.INT64]],
                 u: pl.Out[pl.Tensor[[2, 4], pl.INT64]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        for i in pl.range(4):
            pl.write(y, [i], pl.read(x, [i]) * 3 - 7)
        tile = pl.load(t, [0, 0], [2, 4])
        pl.write(tile, [0, 1], pl.read(tile, [1, 2]) + (1 << 40))
        pl.store(tile, [0, 0], u)


def test_write_of_int64_elements():
    # Written as two INT32 halves through a reinterpret_view (as pl.read
    # reads them): exact for values past 2**32 and negative ones, in a GM
    # tensor and in a tile.
    x = torch.tensor([1, -5, 2**40 + 3, -(2**50)], dtype=torch.int64)
    t = torch.tensor([[1, 2, 3, 4], [5, 6, -(2**45), 8]], dtype=torch.int64)
    y = torch.zeros(4, dtype=torch.int64)
    u = torch.zeros(2, 4, dtype=torch.int64)
    int64_writes(x, t, y, u)
    assert torch.equal(y, x * 3 - 7)
    want = t.clone()
    want[0, 1] = t[1, 2] + (1 << 40)
    assert torch.equal(u, want)
