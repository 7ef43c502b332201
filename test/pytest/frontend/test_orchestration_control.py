"""Control flow around the core scopes on values the orchestration reads at
run time (PyPTO's paged-attention style orchestration), and the surface
that comes with it: loops whose trip counts are read from GM, `if` on
values read, elements of configuration tensors the kernel is specialised
on, views with run-time extents, views that overhang a tensor, iter_args
loops, `pl.yield_`, `pl.tile.transpose_view`, `pl.cluster`,
`pl.spmd(core_num=)`, calls without the pure outputs. Results against
torch; the IR checked for what stays at function level; misuse is a
CompileError at the author's line."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.runtime import RunConfig
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


R, D = 16, 64          # rows per block, columns
NB = 4                 # blocks per request (at most)


# ---------------------------------------------------------------------------
# Trip counts read at run time
# ---------------------------------------------------------------------------

# Per request b, lens[b] blocks of R rows: y[b, block j] = 2 * x[b, block j];
# the loop over j runs lens[b] times, a count read at function level (a
# host-side read: memref.load). Blocks past lens[b] stay as passed.
@pl.jit
def ragged_double(lens: pl.Tensor[[3], pl.INT32],
                  x: pl.Tensor[[3 * NB * R, D], pl.FP32],
                  y: pl.InOut[pl.Tensor[[3 * NB * R, D], pl.FP32]]):
    for b in pl.range(3):
        n = pl.read(lens, [b])
        for j in pl.range(n):
            with pl.at(level=pl.Level.CORE_GROUP):
                row = (b * NB + j) * R
                t = pl.load(x, [row, 0], [R, D])
                pl.store(pl.add(t, t), [row, 0], y)
    return y


def ragged_reference(lens, x, y):
    out = y.clone()
    for b in range(3):
        for j in range(int(lens[b])):
            rows = slice((b * NB + j) * R, (b * NB + j + 1) * R)
            out[rows] = 2 * x[rows]
    return out


@pytest.mark.parametrize("lens", [[1, 4, 0], [4, 4, 4], [0, 0, 2]])
def test_a_trip_count_read_at_run_time(lens):
    lens = torch.tensor(lens, dtype=torch.int32)
    x = torch.randn(3 * NB * R, D)
    y = torch.full((3 * NB * R, D), 7.0)
    want = ragged_reference(lens, x, y)
    ragged_double(lens, x, y)
    torch.testing.assert_close(y, want, rtol=0, atol=0)
    # One compiled kernel serves every lens (a run-time value): the read
    # stays at function level, in front of the loop it bounds.
    ir = ragged_double.ir()
    assert "memref.load" in ir and ir.index("memref.load") < ir.index(
        "tile.at"), ir


def test_a_trip_count_read_at_run_time_compiles_once():
    x = torch.randn(3 * NB * R, D)
    before = ragged_double.cache_info()["misses"]
    for lens in ([1, 2, 3], [3, 2, 1]):
        y = torch.zeros(3 * NB * R, D)
        ragged_double(torch.tensor(lens, dtype=torch.int32), x, y)
        torch.testing.assert_close(
            y, ragged_reference(torch.tensor(lens), x,
                                torch.zeros(3 * NB * R, D)), rtol=0, atol=0)
    assert ragged_double.cache_info()["misses"] - before <= 1


# An `if` at function level on a value read: the scope runs or not.
@pl.jit
def copy_if_positive(flag: pl.Tensor[[1], pl.FP32],
                     x: pl.Tensor[[R, D], pl.FP32],
                     y: pl.InOut[pl.Tensor[[R, D], pl.FP32]]):
    v = pl.read(flag, [0])
    if v > 0.0:
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, :] = x[:, :]
    return y


@pytest.mark.parametrize("flag", [1.5, -1.0])
def test_an_if_on_a_value_read_around_a_scope(flag):
    x, y = torch.randn(R, D), torch.zeros(R, D)
    copy_if_positive(torch.tensor([flag]), x, y)
    torch.testing.assert_close(y, x if flag > 0 else torch.zeros(R, D),
                               rtol=0, atol=0)


# ---------------------------------------------------------------------------
# Configuration elements the kernel is specialised on
# ---------------------------------------------------------------------------

# cfg = [rows, scale]: `rows` is a shape (a GM scratch of rows x D) and a
# trip count: the kernel is specialised on cfg[0] (a compile-time value),
# while cfg[1] is only used inside a scope (read at run time).
def config_rows_body(cfg: pl.Tensor[[2], pl.INT64],
                     x: pl.Tensor[[4 * R, D], pl.FP32],
                     y: pl.InOut[pl.Tensor[[4 * R, D], pl.FP32]]):
    rows = pl.read(cfg, [0])
    scale = pl.read(cfg, [1])
    tmp = pl.create_tensor([rows, D], dtype=pl.FP32)  # SPEC-rows
    for i in pl.range(4 * R // rows):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [i * rows, 0], [rows, D])
            s = pl.cast(pl.cast(scale, pl.INT32), pl.FP32)
            pl.store(pl.mul(t, s), [0, 0], tmp)
        with pl.at(level=pl.Level.CORE_GROUP):
            u = pl.load(tmp, [0, 0], [rows, D])
            pl.store(pl.add(u, u), [i * rows, 0], y)
    return y


config_rows = pl.jit(config_rows_body)
config_rows_uncalled = pl.jit(config_rows_body)


def test_config_elements_that_decide_shapes_specialise_the_kernel():
    x = torch.randn(4 * R, D)
    before = config_rows.cache_info()["misses"]
    for rows, scale in ((16, 3), (32, 3), (16, 5)):
        y = torch.zeros(4 * R, D)
        config_rows(torch.tensor([rows, scale], dtype=torch.int64), x, y)
        torch.testing.assert_close(y, x * scale * 2, rtol=0, atol=0)
        # The scratch has the call's row count.
        assert f"memref<{rows}x{D}xf32>" in config_rows.ir()
    # rows = 16 and 32: two specialisations; the scale is a run-time value
    # (16 again with another scale reuses the first).
    assert config_rows.cache_info()["misses"] - before == 2


def test_a_specialised_element_without_a_call_is_an_error_at_its_use():
    with pytest.raises(CompileError) as info:
        config_rows_uncalled.ir()
    err = info.value
    assert "element 0 of 'cfg'" in str(err), str(err)
    assert os.path.realpath(err.filename) == THIS_FILE
    assert err.line == line_of("SPEC-rows"), str(err)


# A config element that is a loop's trip count around an spmd: specialised,
# so the race check sees the loop's bounds.
@pl.jit
def config_loop(cfg: pl.Tensor[[1], pl.INT32],
                x: pl.Tensor[[8 * R, D], pl.FP32],
                y: pl.InOut[pl.Tensor[[8 * R, D], pl.FP32]]):
    n = pl.read(cfg, [0])
    for i in pl.range(n):
        for b in pl.spmd(2):
            row = (i * 2 + b) * R
            y[row:row + R, :] = pl.exp(x[row:row + R, :])
    return y


def test_a_config_trip_count_around_an_spmd():
    x = torch.randn(8 * R, D)
    y = torch.zeros(8 * R, D)
    config_loop(torch.tensor([3], dtype=torch.int32), x, y)
    want = torch.zeros(8 * R, D)
    want[:6 * R] = torch.exp(x[:6 * R])
    torch.testing.assert_close(y, want, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------
# Views: run-time extents, valid shapes, overhang
# ---------------------------------------------------------------------------

@pl.jit.incore
def masked_row_max(s: pl.Tensor[[R, D], pl.FP32],
                   m: pl.Out[pl.Tensor[[R, 1], pl.FP32]]):
    t = pl.load(s, [0, 0], [R, D])
    t = pl.fillpad(t, pad_value=pl.PadValue.min)
    pl.store(pl.row_max(t), [0, 0], m)
    return m


# `pl.slice(s, [R, n], [0, 0])` with n read at run time: a view of R x D
# whose valid region is R x n; the callee's load of it is a partial tile.
@pl.jit
def runtime_extent(lens: pl.Tensor[[2], pl.INT32],
                   s: pl.Tensor[[2 * R, D], pl.FP32],
                   m: pl.Out[pl.Tensor[[2 * R, 1], pl.FP32]]):
    for b in pl.range(2):
        n = pl.read(lens, [b])
        view = pl.slice(s, [R, n], [b * R, 0])
        masked_row_max(view, m[b * R:(b + 1) * R, :])
    return m


# The same with `valid_shape=` on a slice of the whole block.
@pl.jit
def valid_shape_view(lens: pl.Tensor[[2], pl.INT32],
                     s: pl.Tensor[[2 * R, D], pl.FP32],
                     m: pl.Out[pl.Tensor[[2 * R, 1], pl.FP32]]):
    for b in pl.range(2):
        n = pl.read(lens, [b])
        view = pl.slice(s, [R, D], [b * R, 0], valid_shape=[R, n])
        masked_row_max(view, m[b * R:(b + 1) * R, :])
    return m


@pytest.mark.parametrize("kernel", [runtime_extent, valid_shape_view])
def test_views_with_a_run_time_extent_load_partial_tiles(kernel):
    s = torch.randn(2 * R, D)
    lens = torch.tensor([5, 40], dtype=torch.int32)
    m = torch.zeros(2 * R, 1)
    kernel(lens, s, m)
    want = torch.cat([s[:R, :5].amax(1, keepdim=True),
                      s[R:, :40].amax(1, keepdim=True)])
    torch.testing.assert_close(m, want, rtol=0, atol=0)


# A block table sliced per request at a data-dependent offset: the view of
# NB entries may run past the table's end (the last request's), but only
# its first cnt[b] entries are read (PyPTO's pre-extracted block indices).
@pl.jit.incore
def gather_blocks(idx: pl.Tensor[[NB], pl.INT32],
                  cache: pl.Tensor[[8 * R, D], pl.FP32],
                  out: pl.Out[pl.Tensor[[R, D], pl.FP32]],
                  cnt: pl.Scalar[pl.INDEX]):
    acc = pl.full([R, D], dtype=pl.FP32, value=0.0)
    for j in pl.range(cnt):
        blk = pl.read(idx, [j])
        acc = pl.add(acc, pl.load(cache, [blk * R, 0], [R, D]))
    pl.store(acc, [0, 0], out)
    return out


@pl.jit
def overhang(starts: pl.Tensor[[3], pl.INT32],
             counts: pl.Tensor[[3], pl.INT32],
             table: pl.Tensor[[6], pl.INT32],
             cache: pl.Tensor[[8 * R, D], pl.FP32],
             out: pl.Out[pl.Tensor[[3 * R, D], pl.FP32]]):
    for b in pl.range(3):
        start = pl.read(starts, [b])
        cnt = pl.read(counts, [b])
        idx = pl.slice(table, [NB], [start])
        gather_blocks(idx, cache, out[b * R:(b + 1) * R, :], cnt)
    return out


def test_a_view_may_overhang_the_tensor_when_its_accesses_do_not():
    starts = torch.tensor([0, 2, 5], dtype=torch.int32)
    counts = torch.tensor([2, 3, 1], dtype=torch.int32)
    table = torch.tensor([7, 1, 4, 0, 6, 3], dtype=torch.int32)
    cache = torch.randn(8 * R, D)
    out = torch.zeros(3 * R, D)
    overhang(starts, counts, table, cache, out)
    blocks = cache.reshape(8, R, D)
    want = torch.cat([
        sum((blocks[table[int(starts[b]) + j]] for j in range(int(counts[b]))),
            torch.zeros(R, D))
        for b in range(3)])
    # Sums of 1 to 3 FP32 tiles in the same order as the kernel's.
    torch.testing.assert_close(out, want, rtol=0, atol=0)


# ---------------------------------------------------------------------------
# iter_args loops, pl.yield_
# ---------------------------------------------------------------------------

@pl.jit
def iter_args_sum(x: pl.Tensor[[4 * R, D], pl.FP32],
                  n: pl.Scalar[pl.INDEX],
                  y: pl.Out[pl.Tensor[[R, D], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        init = pl.full([R, D], dtype=pl.FP32, value=1.0)
        for i, (acc,) in pl.range(n, init_values=(init,)):
            t = pl.load(x, [i * R, 0], [R, D])
            nxt = pl.add(acc, t)
            (acc_out,) = pl.yield_(nxt)
        pl.store(acc_out, [0, 0], y)
    return y


@pytest.mark.parametrize("n", [0, 1, 4])
def test_an_iter_args_loop(n):
    x = torch.randn(4 * R, D)
    y = torch.zeros(R, D)
    iter_args_sum(x, n, y)
    want = torch.ones(R, D)
    for i in range(n):
        want = want + x[i * R:(i + 1) * R]
    torch.testing.assert_close(y, want, rtol=0, atol=0)


# `flag = pl.yield_(v)` in the branches of a function-level `if` on a loop
# index: the value the taken branch gives, passed to an InCore function.
@pl.jit.incore
def scale_first(x: pl.Tensor[[R, D], pl.FP32],
                y: pl.Out[pl.Tensor[[R, D], pl.FP32]],
                first: pl.Scalar[pl.INT32]):
    t = pl.load(x, [0, 0], [R, D])
    if first == 1:
        t = pl.mul(t, 3.0)
    pl.store(t, [0, 0], y)
    return y


@pl.jit
def yield_flags(x: pl.Tensor[[4 * R, D], pl.FP32],
                y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
    for j in pl.range(4):
        if j == 0:
            first = pl.yield_(1)
        else:
            first = pl.yield_(0)
        scale_first(x[j * R:(j + 1) * R, :], y[j * R:(j + 1) * R, :], first)
    return y


def test_yield_in_the_branches_of_a_function_level_if():
    x = torch.randn(4 * R, D)
    y = torch.zeros(4 * R, D)
    yield_flags(x, y)
    want = x.clone()
    want[:R] = x[:R] * 3.0
    torch.testing.assert_close(y, want, rtol=0, atol=0)


# ---------------------------------------------------------------------------
# Scalars: promotion, index mixes
# ---------------------------------------------------------------------------

# An INT32 and an INT64 value read: the sum is INT64 (PyPTO's promotion);
# pl.min and == of an index and a value read compare as indices.
@pl.jit
def promote(a: pl.Tensor[[1], pl.INT32], b: pl.Tensor[[1], pl.INT64],
            x: pl.Tensor[[4 * R, D], pl.FP32],
            y: pl.InOut[pl.Tensor[[4 * R, D], pl.FP32]]):
    n = pl.read(a, [0]) + pl.read(b, [0])
    for j in pl.range(4):
        last = pl.min(j, n - 1)
        with pl.at(level=pl.Level.CORE_GROUP):
            y[j * R:(j + 1) * R, :] = x[last * R:(last + 1) * R, :]
    return y


def test_int32_and_int64_scalars_promote():
    x = torch.randn(4 * R, D)
    y = torch.zeros(4 * R, D)
    promote(torch.tensor([1], dtype=torch.int32),
            torch.tensor([1], dtype=torch.int64), x, y)
    want = torch.cat([x[:R], x[R:2 * R], x[R:2 * R], x[R:2 * R]])
    torch.testing.assert_close(y, want, rtol=0, atol=0)


# ---------------------------------------------------------------------------
# pl.tile.transpose_view
# ---------------------------------------------------------------------------

@pl.jit
def qk(q: pl.Tensor[[16, 64], pl.BF16], k: pl.Tensor[[32, 64], pl.BF16],
       s: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        a = pl.load(q, [0, 0], [16, 64], target_memory=pl.MemorySpace.Mat)
        bk = pl.load(k, [0, 0], [32, 64], target_memory=pl.MemorySpace.Mat)
        bt = pl.tile.transpose_view(bk)
        la = pl.move(a, target_memory=pl.MemorySpace.Left)
        rb = pl.move(bt, target_memory=pl.MemorySpace.Right)
        pl.store(pl.matmul(la, rb), [0, 0], s)
    return s


@pytest.mark.parametrize("platform", ["a2a3sim", "a2a3"])
def test_a_transpose_view_is_the_cube_transposing_its_operand(platform):
    q = torch.randn(16, 64).to(torch.bfloat16)
    k = torch.randn(32, 64).to(torch.bfloat16)
    s = torch.zeros(16, 32)
    qk(q, k, s, config=RunConfig(platform=platform))
    # BF16 products are exact in FP32; only the order of the K sum differs.
    torch.testing.assert_close(s, q.float() @ k.float().T, rtol=1e-5,
                               atol=1e-4)


@pl.jit
def view_in_vector_op(x: pl.Tensor[[16, 64], pl.FP32],
                      y: pl.Out[pl.Tensor[[64, 16], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = pl.load(x, [0, 0], [16, 64], target_memory=pl.MemorySpace.Mat)
        v = pl.tile.transpose_view(t)
        pl.store(pl.exp(v), [0, 0], y)  # ERR-view
    return y


# ---------------------------------------------------------------------------
# pl.cluster, pl.spmd(core_num=), calls without the pure outputs
# ---------------------------------------------------------------------------

@pl.jit.incore
def block_exp(x: pl.Tensor[[4 * R, D], pl.FP32],
              y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
    b = pl.tile.get_block_idx()
    y[b * R:(b + 1) * R, :] = pl.exp(x[b * R:(b + 1) * R, :])
    return y


@pl.jit
def clustered(x: pl.Tensor[[4 * R, D], pl.FP32],
              y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
    with pl.cluster():  # TAG-cluster
        with pl.spmd(core_num=4, sync_start=True):  # TAG-sync
            y = block_exp(x, y)
    return y


def test_cluster_and_spmd_core_num_and_omitted_outputs():
    x = torch.randn(4 * R, D)
    # y is omitted: the call allocates it and returns it.
    y = clustered(x)
    torch.testing.assert_close(y, torch.exp(x), rtol=1e-6, atol=1e-6)
    y2 = torch.zeros(4 * R, D)
    clustered(x, y2)
    torch.testing.assert_close(y2, y, rtol=0, atol=0)


def test_cluster_and_sync_start_are_remarked_at_their_lines():
    got = [(m, where) for sev, m, where, _ in clustered.module().warnings
           if "REMARK" in sev]
    for tag, text in (("TAG-cluster", "pl.cluster: the scopes inside run "
                                      "in program order"),
                      ("TAG-sync", "pl.spmd(sync_start=True) ignored")):
        hits = [w for m, w in got if text in m]
        assert any(os.path.realpath(w[0]) == THIS_FILE and
                   w[1] == line_of(tag) for w in hits), (tag, got)


@pl.jit
def spmd_both(x: pl.Tensor[[4 * R, D], pl.FP32],
              y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
    with pl.spmd(4, core_num=4):  # ERR-both
        y = block_exp(x, y)
    return y


# ---------------------------------------------------------------------------
# Reads of accumulators the first iteration does not use
# ---------------------------------------------------------------------------

# The loop reads `acc` every iteration but writes it at the end of the
# iteration: from the second iteration on the read sees the last write,
# and the first iteration does not use what it reads (is_first).
@pl.jit
def running_max(x: pl.Tensor[[4 * R, D], pl.FP32],
                y: pl.Out[pl.Tensor[[R, D], pl.FP32]]):
    acc = pl.create_tensor([R, D], dtype=pl.FP32)
    for j in pl.range(4):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = pl.load(x, [j * R, 0], [R, D])
            old = pl.load(acc, [0, 0], [R, D])
            if j == 0:
                pl.store(t, [0, 0], acc)
            else:
                pl.store(pl.maximum(old, t), [0, 0], acc)
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = acc[:, :]
    return y


def test_an_accumulator_read_before_its_first_write_in_a_loop():
    x = torch.randn(4 * R, D)
    y = torch.zeros(R, D)
    running_max(x, y)
    torch.testing.assert_close(y, x.reshape(4, R, D).amax(0), rtol=0,
                               atol=0)


# Read in a loop that never writes it: still an error.
@pl.jit
def never_written(x: pl.Tensor[[R, D], pl.FP32],
                  y: pl.Out[pl.Tensor[[R, D], pl.FP32]]):
    acc = pl.create_tensor([R, D], dtype=pl.FP32)
    for j in pl.range(2):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, :] = pl.add(acc[:, :], x[:, :])  # ERR-unwritten
    return y


# ---------------------------------------------------------------------------
# The NPU back end: loops around scopes in the launch sequence
# ---------------------------------------------------------------------------

@pl.jit
def host_loops(x: pl.Tensor[[4 * R, D], pl.FP32],
               y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
    for i in pl.range(2):
        for j in pl.range(0, 4, 2):
            with pl.at(level=pl.Level.CORE_GROUP):
                row = (i + j) * R
                t = pl.load(x, [row, 0], [R, D])
                pl.store(pl.mul(pl.add(t, 1.0), t), [row, 0], y)
    return y


def test_function_level_loops_run_on_the_npu_reference():
    x = torch.randn(4 * R, D)
    y_cpu, y_npu = torch.zeros(4 * R, D), torch.zeros(4 * R, D)
    host_loops(x, y_cpu)
    host_loops(x, y_npu, config=RunConfig(platform="a2a3"))
    torch.testing.assert_close(y_npu, y_cpu, rtol=0, atol=0)
    torch.testing.assert_close(y_cpu, (x + 1.0) * x, rtol=0, atol=0)
    src = host_loops.pto().source
    assert "for (int64_t i0 = 0; i0 < 2; i0 += 1) {" in src, src


def test_a_read_deciding_control_flow_is_an_npu_error_at_the_op():
    lens = torch.tensor([1, 2, 0], dtype=torch.int32)
    x = torch.randn(3 * NB * R, D)
    with pytest.raises(CompileError) as info:
        ragged_double(lens, x, torch.zeros(3 * NB * R, D),
                      config=RunConfig(platform="a2a3"))
    assert "launch sequence" in str(info.value), str(info.value)


# ---------------------------------------------------------------------------
# Misuse
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kernel,tag,brief", [
    (view_in_vector_op, "ERR-view",
     "is a pl.tile.transpose_view, which only a matmul operand can be"),
    (spmd_both, "ERR-both", "pl.spmd takes its block count once"),
    (never_written, "ERR-unwritten", "'acc' is read before anything writes"),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert brief in str(err), str(err)
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)


def test_tensor_view_annotations():
    spec = pl.Tensor[[16, 64], pl.FP32,
                     pl.TensorView(valid_shape=[16, 8],
                                   layout=pl.TensorLayout.ND)]
    assert spec.shape == (16, 64) and spec.layout is pl.TensorLayout.ND
    bad = pl.Tensor[[16, 64], pl.FP32, pl.TensorView(stride=[64, 1])]
    assert "stride" in bad.message
    bad = pl.Tensor[[16, 64], pl.FP32, pl.TensorView(valid_shape=[16])]
    assert "2 dimensions" in bad.message


# ---------------------------------------------------------------------------
# PyPTO's run entry points (tessel.runtime.run / TensorSpec, tessel.backend,
# tessel.ir.pass_manager): a script's import lines are all that change
# ---------------------------------------------------------------------------

def test_run_returns_a_callable_program():
    from tessel.backend import BackendType
    from tessel.ir.pass_manager import OptimizationStrategy
    from tessel.runtime import TensorSpec, run
    specs = [TensorSpec("x", [4 * R, D], torch.float32, init_value=torch.randn),
             TensorSpec("y", [4 * R, D], torch.float32, is_output=True)]
    x, y = (s.create_tensor() for s in specs)
    assert y.abs().max() == 0
    cfg = RunConfig(platform="a2a3sim", strategy=OptimizationStrategy.Default,
                    backend_type=BackendType.Ascend910B, device_id=3)
    compiled = run(clustered, x, y, config=cfg)
    torch.testing.assert_close(y, torch.exp(x), rtol=1e-6, atol=1e-6)
    # Again on new tensors, the pure output left out (allocated, returned).
    x2 = torch.randn(4 * R, D)
    torch.testing.assert_close(compiled(x2), torch.exp(x2), rtol=1e-6,
                               atol=1e-6)
    # Without tensors nothing runs; the callable runs later.
    later = run(clustered, config=cfg)
    torch.testing.assert_close(later(x2), torch.exp(x2), rtol=1e-6,
                               atol=1e-6)


def test_set_backend_type_is_recorded_and_checked():
    from tessel import backend
    backend.set_backend_type(backend.BackendType.Ascend950)
    assert backend.get_backend_type() is backend.BackendType.Ascend950
    with pytest.raises(TypeError, match="takes a tessel.backend.BackendType"):
        backend.set_backend_type("a5")
    # What PyPTO scripts catch when a kernel cannot be generated.
    from tessel import CompileError
    from tessel.backend.pto_backend import PartialCodegenError
    assert PartialCodegenError is CompileError


def test_tensor_spec_init_values():
    from tessel.runtime import TensorSpec
    assert TensorSpec("a", [2, 3], torch.int32, init_value=7
                      ).create_tensor().eq(7).all()
    t = torch.arange(6.0).reshape(2, 3)
    assert TensorSpec("b", [2, 3], torch.float16, init_value=t
                      ).create_tensor().dtype == torch.float16
    assert TensorSpec("c", [2], torch.float32,
                      init_value=lambda: [1.0, 2.0]).create_tensor()[1] == 2
    with pytest.raises(Exception, match="init_value has shape"):
        TensorSpec("d", [3, 3], torch.float32, init_value=t).create_tensor()


def test_program_and_function_names():
    @pl.program
    class Named:
        @pl.function(type=pl.FunctionType.InCore)
        def exp_rows(self, x: pl.Tensor[[4 * R, D], pl.FP32],
                     y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
            y[:, :] = pl.exp(x[:, :])
            return y

        @pl.function(type=pl.FunctionType.Orchestration)
        def main(self, x: pl.Tensor[[4 * R, D], pl.FP32],
                 y: pl.Out[pl.Tensor[[4 * R, D], pl.FP32]]):
            y = self.exp_rows(x, y)
            return y

    assert Named.name == "Named"
    assert {n: (f.name, f.func_type) for n, f in Named.functions.items()} == {
        "exp_rows": ("exp_rows", pl.FunctionType.InCore),
        "main": ("main", pl.FunctionType.Orchestration)}
    x = torch.randn(4 * R, D)
    lowered = Named.functions["main"].lower(x, torch.zeros(4 * R, D))
    # One function: the InCore call is a scope of it.
    assert [(f.name, f.func_type) for f in lowered.functions.values()] == [
        ("main", "Orchestration")]
    assert "func.func @main" in str(lowered.functions["main"])
