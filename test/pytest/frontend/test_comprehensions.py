"""List comprehensions and generator expressions in kernel code (issue 14:
pypto-lib's `deps=[tids[i] for i in range(N)]`): evaluated at compile time
over static iterables, their element expressions may build tiles; their
names stay their own (Python 3 scoping), also for the frontend's loop-
carried analysis; a runtime iterable or condition is a CompileError at it.
Against torch."""

from __future__ import annotations

import inspect

import pytest
import torch

import tessel.language as pl
from tessel import CompileError

GROUPS = 3
SKIP = 2      # the column block the sum leaves out


@pl.jit
def comprehensions(x: pl.Tensor[[8, 64], pl.FP32],
                   parts: pl.Out[pl.Tensor[[8, 48], pl.FP32]],
                   y: pl.Out[pl.Tensor[[8, 16], pl.FP32]],
                   z: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
    tids = pl.array.create(GROUPS, pl.TASK_ID)
    for g in pl.range(GROUPS):
        with pl.at(level=pl.Level.CORE_GROUP, name_hint="part") as t:
            parts[:, g * 16:g * 16 + 16] = pl.mul(x[:, g * 16:g * 16 + 16],
                                                  2.0)
        tids[g] = t
    c = 1                      # a kernel variable the comprehensions shadow
    with pl.at(level=pl.Level.CORE_GROUP,
               deps=[tids[i] for i in range(GROUPS)]):
        # Blocks 0, 1, 3 of x (block SKIP left out): a list of tiles.
        blocks = [x[:, c * 16:c * 16 + 16] for c in range(4) if c != SKIP]
        acc = blocks[0]
        for b in blocks[1:]:
            acc = pl.add(acc, b)
        # Two generators and a tuple target; a generator expression summed
        # at compile time: (0 + 1) + (1 + 0) + ... = 2 * 2 = 4 for 2 x 2.
        n = sum(r + q for r, q in [(r, q) for r in range(2)
                                   for q in range(2)])
        y[:, :] = pl.add(acc, float(n))
        # `c` is 1 again after the comprehension: block 1 of x.
        z[:, :] = x[:, c * 16:c * 16 + 16]


@pytest.fixture(scope="module")
def run():
    x = torch.randn(8, 64, generator=torch.Generator().manual_seed(2))
    parts = torch.zeros(8, 48)
    y = torch.zeros(8, 16)
    z = torch.zeros(8, 16)
    comprehensions(x, parts, y, z)
    return x, parts, y, z


def test_list_of_tiles_and_generator_sum(run):
    x, _, y, _ = run
    want = x[:, 0:16] + x[:, 16:32] + x[:, 48:64] + 4.0
    torch.testing.assert_close(y, want, rtol=1e-6, atol=1e-6)


def test_comprehension_names_do_not_leak(run):
    x, parts, _, z = run
    assert torch.equal(z, x[:, 16:32])
    torch.testing.assert_close(parts, x[:, 0:48] * 2.0)


def test_deps_comprehension_names_every_slot():
    rem = [m for sev, m, _, _ in comprehensions.module().warnings
           if "REMARK" in sev and "deps on" in m]
    # The array's slots, written at a runtime index, one per item.
    assert len(rem) == 1 and \
        "deps on 'slot 0', 'slot 1', 'slot 2' hold" in rem[0]


@pl.jit
def carried(x: pl.Tensor[[8, 64], pl.FP32],
            y: pl.Out[pl.Tensor[[8, 64], pl.FP32]]):
    with pl.at(level=pl.Level.CORE_GROUP):
        t = x[:, 0:16]
        for k in pl.range(0, 4):
            # `t` here is the comprehension's own name: the loop neither
            # reads nor assigns the tile `t`, so it carries nothing.
            w = sum([t * 0 + 1 for t in range(2)])    # 2
            y[:, k * 16:k * 16 + 16] = pl.mul(x[:, k * 16:k * 16 + 16],
                                              float(w))
        y[:, 0:16] = pl.add(t, 1.0)


def test_comprehension_in_a_runtime_loop():
    x = torch.randn(8, 64, generator=torch.Generator().manual_seed(3))
    y = torch.zeros(8, 64)
    carried(x, y)
    want = x * 2.0
    want[:, 0:16] = x[:, 0:16] + 1.0
    torch.testing.assert_close(y, want, rtol=1e-6, atol=1e-6)
    loops = [s for s in carried.ir().splitlines() if "scf.for" in s]
    assert len(loops) == 1 and "iter_args" not in loops[0]


def _line(fn, text):
    src, first = inspect.getsourcelines(fn)
    return first + next(i for i, s in enumerate(src) if text in s)


def _error(fn, text, message):
    with pytest.raises(CompileError) as info:
        fn.ir()
    assert info.value.line == _line(fn, text)
    assert message in str(info.value)


def test_pl_range_in_a_comprehension_is_an_error():
    @pl.jit
    def over_pl_range(y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            ts = [pl.full([8, 16], dtype=pl.FP32, value=1.0)
                  for i in pl.range(2)]
            y[:, :] = ts[0]
    _error(over_pl_range, "for i in pl.range(2)",
           "a list comprehension cannot iterate over pl.range(...)")


def test_runtime_iterable_is_an_error():
    @pl.jit
    def over_tile(x: pl.Tensor[[8, 16], pl.FP32],
                  y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            t = x[:, :]
            y[:, :] = tuple(v for v in t)[0]
    _error(over_tile, "for v in t",
           "a generator expression iterates over compile-time values only")


def test_runtime_condition_is_an_error():
    @pl.jit
    def runtime_if(x: pl.Tensor[[8, 64], pl.FP32],
                   y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        for b in pl.spmd(2):
            ts = [x[:, c * 16:c * 16 + 16] for c in range(4) if c > b]
            y[:, :] = ts[0]
    _error(runtime_if, "if c > b",
           "the condition of a list comprehension must be a compile-time")


def test_set_comprehension_is_an_error():
    @pl.jit
    def set_comp(y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            n = len({i for i in range(3)})
            y[:, :] = pl.full([8, 16], dtype=pl.FP32, value=float(n))
    _error(set_comp, "{i for i in range(3)}",
           "set comprehensions are not supported in kernels")


def test_iterating_a_set_is_an_error():
    @pl.jit
    def over_set(y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):
        with pl.at(level=pl.Level.CORE_GROUP):
            n = sum([i for i in set(range(3))])
            y[:, :] = pl.full([8, 16], dtype=pl.FP32, value=float(n))
    _error(over_set, "for i in set(range(3))",
           "a list comprehension cannot iterate over a set")
