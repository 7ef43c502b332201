"""PyPTO's task-graph forms in Tessel: `with pl.spmd(...) as tid` and
`with pl.at(...) as tid`, `pl.tile.get_block_idx()`, `deps=`,
`allow_early_resolve=`, `pl.system.task_dummy`, `pl.array.create`,
`pl.manual_scope`, `pl.Scalar[pl.TASK_ID]` helper parameters.

Tessel runs scopes in program order, so every dependency (which can only
name an earlier scope) holds; what it checks and what it ignores is a
remark at the author's line, misuse a CompileError there."""

from __future__ import annotations

import os

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


@pl.jit.inline
def scale_rows(x: pl.Tensor[[16, 64], pl.FP32],
               y: pl.Tensor[[16, 64], pl.FP32],
               after: pl.Scalar[pl.TASK_ID]):
    with pl.spmd(4, name_hint="scale", deps=[after]) as tid:  # TAG-scale
        b = pl.tile.get_block_idx()
        t0 = b * 4
        y[t0:t0 + 4, :] = pl.mul(x[t0:t0 + 4, :], 2.0)
    return tid


@pl.jit
def graph(x: pl.Tensor[[16, 64], pl.FP32], r: pl.Tensor[[16, 1], pl.FP32],
          y: pl.Out[pl.Tensor[[16, 64], pl.FP32]],
          z: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    tids = pl.array.create(2, pl.TASK_ID)
    seed = pl.system.task_dummy(deps=[])
    t1 = scale_rows(x, y, seed)
    tids[0] = t1
    gate = pl.system.task_dummy(deps=[t1, None])  # TAG-dummy
    with pl.manual_scope():  # TAG-manual
        with pl.spmd(2, name_hint="shift", deps=[gate, tids],  # TAG-shift
                     allow_early_resolve=True) as t2:
            b = pl.tile.get_block_idx()
            t0 = b * 8
            z[t0:t0 + 8, :] = pl.row_expand_sub(y[t0:t0 + 8, :],
                                                r[t0:t0 + 8, :])
    tids[1] = t2
    with pl.scope():  # TAG-scope
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="last",  # TAG-last
                   deps=[tids[1]]) as t3:
            z[0:1, :] = pl.add(z[0:1, :], 1.0)


@pytest.fixture(scope="module")
def graph_run():
    g = torch.Generator().manual_seed(0)
    x, r = torch.randn(16, 64, generator=g), torch.randn(16, 1, generator=g)
    y, z = torch.zeros(16, 64), torch.zeros(16, 64)
    graph(x, r, y, z)
    return x, r, y, z


def test_task_graph_runs_in_program_order(graph_run):
    x, r, y, z = graph_run
    assert torch.equal(y, x * 2)
    want = x * 2 - r
    want[0] += 1.0
    assert torch.equal(z, want)


def test_get_block_idx_is_the_block_index():
    # The `with pl.spmd(4) as tid` body reads its block index: one tile.spmd
    # of 4 blocks whose block argument scales the row offset.
    ir = graph.ir()
    assert 'tile.spmd 4 name("scale")' in ir
    assert 'tile.spmd 2 name("shift")' in ir
    assert 'tile.spmd 1 name("last")' in ir


def remarks():
    compiled = graph.module()
    return [(m, where) for sev, m, where, _ in compiled.warnings
            if "REMARK" in sev]


def test_hints_are_remarks_at_the_authors_lines():
    got = remarks()

    def at(tag, text):
        hits = [w for m, w in got if text in m]
        assert hits, (text, got)
        assert any(os.path.realpath(w[0]) == THIS_FILE and
                   w[1] == line_of(tag) for w in hits), (tag, hits)

    at("TAG-shift", "scope 'shift': allow_early_resolve=True ignored")
    at("TAG-shift", "scope 'shift': deps on 'task_dummy at line")
    at("TAG-manual", "pl.manual_scope: Tessel still orders the scopes")
    at("TAG-scope", "pl.scope: PyPTO's runtime scope")
    at("TAG-dummy", "pl.system.task_dummy joins 'scale'")
    at("TAG-last", "scope 'last': deps on 'shift' hold by program order")
    # An empty deps list (the seed) and deps=[task_dummy(deps=[])] order
    # nothing worth a remark beyond the deps one of the helper's scope.
    at("TAG-scale", "scope 'scale': deps on 'task_dummy at line")


@pl.jit
def parallel_of_spmds(x: pl.Tensor[[16, 64], pl.FP32],
                      y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for mt in pl.parallel(2):  # TAG-par
        r0 = mt * 8
        tmp = pl.create_tensor([8, 64], dtype=pl.FP32)
        for b in pl.spmd(2, name_hint="double"):
            tmp[:, b * 32:b * 32 + 32] = pl.mul(
                x[r0:r0 + 8, b * 32:b * 32 + 32], 2.0)
        with pl.spmd(1, name_hint="inc"):
            y[r0:r0 + 8, :] = pl.add(tmp[:, :], 1.0)


def test_spmd_nested_in_a_function_level_parallel():
    """Each of the 2 iterations submits its own 2 scopes, with its own
    scratch tensor: 4 scopes in program order."""
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(16, 64, generator=g), torch.zeros(16, 64)
    parallel_of_spmds(x, y)
    assert torch.equal(y, x * 2 + 1)
    ir = parallel_of_spmds.ir()
    assert ir.count('tile.spmd 2 name("double")') == 2
    assert ir.count('tile.spmd 1 name("inc")') == 2
    assert ir.count("tile.alloc_gm") == 2
    rem = [(m, w) for sev, m, w, _ in parallel_of_spmds.module().warnings
           if "REMARK" in sev and "pl.parallel with pl.spmd" in m]
    assert len(rem) == 1 and rem[0][1][1] == line_of("TAG-par")
    assert "its 2 iterations run one after the other" in rem[0][0]


# -- misuse --------------------------------------------------------------

@pl.jit
def deps_not_a_task(x: pl.Tensor[[8, 32], pl.FP32],
                    y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP, deps=[x]):  # ERR-deps
        y[:, :] = x[:, :]


@pl.jit
def block_idx_outside(x: pl.Tensor[[8, 32], pl.FP32],
                      y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    b = pl.tile.get_block_idx()  # ERR-block-idx
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = x[:, :]


@pl.jit
def array_of_floats(x: pl.Tensor[[8, 32], pl.FP32],
                    y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    a = pl.array.create(2, pl.FP32)  # ERR-array
    with pl.at(level=pl.Level.CORE_GROUP):
        y[:, :] = x[:, :]


@pl.jit
def array_index(x: pl.Tensor[[8, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    a = pl.array.create(2, pl.TASK_ID)
    with pl.at(level=pl.Level.CORE_GROUP) as t:
        y[:, :] = x[:, :]
    a[2] = t  # ERR-array-index


@pl.jit
def nested_manual(x: pl.Tensor[[8, 32], pl.FP32],
                  y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    with pl.manual_scope():
        with pl.manual_scope():  # ERR-nested-manual
            with pl.at(level=pl.Level.CORE_GROUP):
                y[:, :] = x[:, :]


@pl.jit.inline
def wants_task(y, after: pl.Scalar[pl.TASK_ID]):
    with pl.at(level=pl.Level.CORE_GROUP, deps=[after]):
        y[:, :] = pl.full([8, 32], dtype=pl.FP32, value=0.0)


@pl.jit
def task_param_mismatch(x: pl.Tensor[[8, 32], pl.FP32],
                        y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    wants_task(y, x)  # ERR-task-param


@pl.jit
def early_not_bool(x: pl.Tensor[[8, 32], pl.FP32],
                   y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    for b in pl.spmd(1, allow_early_resolve="yes"):  # ERR-early
        y[:, :] = x[:, :]


@pytest.mark.parametrize("kernel,tag,brief", [
    (deps_not_a_task, "ERR-deps", "pl.at deps= takes TaskIds"),
    (block_idx_outside, "ERR-block-idx",
     "pl.tile.get_block_idx() outside a pl.spmd body"),
    (array_of_floats, "ERR-array", "pl.array.create makes arrays of TaskIds"),
    (array_index, "ERR-array-index", "TaskId array index out of range"),
    (nested_manual, "ERR-nested-manual",
     "pl.manual_scope cannot be nested inside pl.manual_scope"),
    (task_param_mismatch, "ERR-task-param",
     "argument 'after' of 'wants_task' does not match its annotation"),
    (early_not_bool, "ERR-early", "allow_early_resolve must be True or False"),
])
def test_misuse_is_a_compile_error_at_the_line(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE, str(err)
    assert err.line == line_of(tag), str(err)
    assert brief in err.brief, str(err)


# PyPTO's cross-core split hints on a pl.at (qwen3's out projection writes
# them): checked, reported, and the kernel is what it is without them.
@pl.jit
def split_hinted(x: pl.Tensor[[16, 64], pl.FP32],
                 y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP,  # HINT-split
               optimizations=[pl.split(pl.SplitMode.UP_DOWN),
                              pl.cross_core_slot(slot_num=2)]):
        y[:, :] = pl.add(x[:, :], 1.0)
    return y


def test_split_hints_are_a_remark():
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64)
    split_hinted(x, y)
    torch.testing.assert_close(y, x + 1.0, rtol=0, atol=0)
    hits = [(m, where) for sev, m, where, _ in split_hinted.module().warnings
            if "optimizations=[pl.split(pl.SplitMode.UP_DOWN), "
               "pl.cross_core_slot(slot_num=2)] ignored" in m]
    assert len(hits) == 1 and hits[0][1][1] == line_of("HINT-split"), hits


@pl.jit
def split_bad_mode(x: pl.Tensor[[16, 64], pl.FP32],
                   y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP,
               optimizations=[pl.split(2)]):  # ERR-split-mode
        y[:, :] = x[:, :]


@pl.jit
def split_not_a_list(x: pl.Tensor[[16, 64], pl.FP32],
                     y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP,
               optimizations=pl.SplitMode.UP_DOWN):  # ERR-split-list
        y[:, :] = x[:, :]


@pytest.mark.parametrize("kernel,tag,brief", [
    (split_bad_mode, "ERR-split-mode", "pl.split takes a pl.SplitMode"),
    (split_not_a_list, "ERR-split-list", "optimizations= takes a list"),
])
def test_split_hint_misuse(kernel, tag, brief):
    with pytest.raises(CompileError) as info:
        kernel.ir()
    assert info.value.line == line_of(tag), str(info.value)
    assert brief in info.value.brief, str(info.value)


@pl.jit
def spmd_split_hinted(x: pl.Tensor[[16, 64], pl.FP32],
                      y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.spmd(2, optimizations=[  # HINT-spmd-split
            pl.split(pl.SplitMode.NONE, slot_num=2)]):
        y[b * 8:b * 8 + 8, :] = pl.mul(x[b * 8:b * 8 + 8, :], 2.0)
    return y


def test_split_hints_on_pl_spmd():
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64)
    spmd_split_hinted(x, y)
    torch.testing.assert_close(y, x * 2.0, rtol=0, atol=0)
    hits = [where for sev, m, where, _ in spmd_split_hinted.module().warnings
            if "optimizations=[pl.split(pl.SplitMode.NONE, slot_num=2)] "
               "ignored" in m]
    assert [w[1] for w in hits] == [line_of("HINT-spmd-split")], hits


@pl.jit
def scope_bad_mode(x: pl.Tensor[[8, 64], pl.FP32],
                   y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.scope(mode=1):  # ERR-scope-mode
        with pl.at(level=pl.Level.CORE_GROUP):
            y[:, :] = x[:, :]


@pl.jit
def scope_manual_nested(x: pl.Tensor[[8, 64], pl.FP32],
                        y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.manual_scope():
        with pl.scope(mode=pl.ScopeMode.MANUAL):  # ERR-scope-manual
            with pl.at(level=pl.Level.CORE_GROUP):
                y[:, :] = x[:, :]


def test_scope_mode_misuse():
    x, y = torch.zeros(8, 64), torch.zeros(8, 64)
    with pytest.raises(CompileError) as e:
        scope_bad_mode(x, y)
    assert "pl.scope(mode=...) takes a pl.ScopeMode" in str(e.value)
    assert e.value.line == line_of("ERR-scope-mode")
    # MANUAL is pl.manual_scope, which does not nest.
    with pytest.raises(CompileError) as e:
        scope_manual_nested(x, y)
    assert "pl.manual_scope cannot be nested" in str(e.value)
    assert e.value.line == line_of("ERR-scope-manual")


@pl.jit
def uses_set_ffts(x: pl.Tensor[[8, 64], pl.FP32],
                  y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    for b in pl.spmd(2):
        with pl.at(level=pl.Level.CORE_GROUP):
            y[b * 4:b * 4 + 4, :] = x[b * 4:b * 4 + 4, :]
        pl.system.set_ffts(x)  # ERR-set-ffts


def test_system_calls_other_than_task_dummy_and_syncall_are_compile_errors():
    # (pl.system.syncall: test_syncall.py)
    with pytest.raises(CompileError) as e:
        uses_set_ffts(torch.zeros(8, 64), torch.zeros(8, 64))
    assert "pl.system.set_ffts is not supported by Tessel" in str(e.value)
    assert "pl.system.syncall()" in str(e.value)
    assert e.value.line == line_of("ERR-set-ffts")
    assert repr(pl.system) == "pl.system"
