"""Tiles carried by `scf.if` (docs/placement.md): the PyPTO K-loop idiom
`if k == 0: acc = matmul(a, b) else: acc = matmul_acc(acc, a, b)` and a
vector if/else, run placed (`tile-place-buffers`) and unplaced, compared
bit for bit with each other and with PyTorch.

With small integer inputs every product and partial sum is an integer below
2^24, exact in f32 whatever the summation order, so the kernel must equal
torch bit for bit; with random inputs placed and unplaced must agree bit for
bit (same arithmetic, different storage) and match torch to rounding.
"""

from __future__ import annotations

import re

import pytest
import torch

import tessel.language as pl
from frontend.test_numerics import k_loop  # the PyPTO if/else K loop
from simkit import assert_bitwise_equal, run


def unplaced(text: str) -> str:
    """The same kernel without tile.placed and without placements."""
    text = text.replace(" attributes {tile.placed}", "")
    text = re.sub(r" \{place = #tile\.place<[^>]*>\}", "", text)
    # tile.pipeline: `attributes {places = [...]}`; scf.if: `{places = [...]}`.
    text = re.sub(r"( attributes)? \{places = \[[^\]]*\]\}", "", text)
    assert "tile.place" not in text and "tile.placed" not in text
    return text


@pl.jit
def pick_rows(x: pl.Tensor[[8, 32], pl.FP32],
              y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    for b in pl.spmd(4):
        with pl.at(level=pl.Level.AIV):
            t = x[b * 2:b * 2 + 2, :]
            if b == 1:
                u = pl.exp(t)
            else:
                u = pl.add(t, t)
            y[b * 2:b * 2 + 2, :] = pl.mul(u, 0.5)


@pl.jit
def nested_pick(x: pl.Tensor[[8, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    for b in pl.spmd(4):
        with pl.at(level=pl.Level.AIV):
            t = x[b * 2:b * 2 + 2, :]
            if b == 0:
                u = pl.sub(t, 1.0)
            else:
                if b == 1:
                    u = pl.add(t, t)
                else:
                    u = pl.mul(t, t)
            y[b * 2:b * 2 + 2, :] = pl.add(u, t)


def placed_and_unplaced(kernel, name, inputs, outs):
    text = kernel.ir(stage="placed")
    assert "tile.placed" in text
    (placed,) = run(text, inputs, outs, func=name)
    (plain,) = run(unplaced(text), inputs, outs, func=name)
    return text, placed, plain


def test_k_loop_if_else_places_the_scf_if_result():
    # a2a3 splits the core_group scope into a cube scope: the scf.if result
    # (16x32xf32, 2048 B) lives in L0C. Each branch reads the carried
    # accumulator only in place (matmul_acc) or not at all (matmul), so the
    # scf.if is computed over the pipeline's iter_arg (docs/placement.md):
    # the zero, the iter_arg, the scf.if and both matmuls share one 2048 B
    # buffer, one slot, and neither branch nor tile.yield copies.
    text = k_loop.ir(stage="placed")
    m = re.search(r"iter_args\(.*attributes \{places = "
                  r"\[#tile\.place<l0c, (\d+)>\]\}", text)
    assert m, text
    offset = m.group(1)
    assert f"}} {{places = [#tile.place<l0c, {offset}>]}}" in text, text
    assert text.count(f"{{place = #tile.place<l0c, {offset}>}}") == 3, text
    assert "tile.copy" not in text
    assert "l0c = 2048 : i64" in text


def test_k_loop_if_else_integers_equal_torch_bitwise():
    torch.manual_seed(3)
    a = torch.randint(-4, 5, (16, 128)).to(torch.bfloat16)
    w = torch.randint(-4, 5, (128, 64)).to(torch.bfloat16)
    _, placed, plain = placed_and_unplaced(k_loop, "k_loop", [a, w],
                                           [((16, 64), "f32")])
    # |sum| <= 128 * 16 = 2048 < 2^24: exact in f32.
    want = a.float() @ w.float()
    assert_bitwise_equal(placed, want)
    assert_bitwise_equal(plain, want)


def test_k_loop_if_else_random_placed_equals_unplaced():
    torch.manual_seed(4)
    a = torch.randn(16, 128).to(torch.bfloat16)
    w = torch.randn(128, 64).to(torch.bfloat16)
    _, placed, plain = placed_and_unplaced(k_loop, "k_loop", [a, w],
                                           [((16, 64), "f32")])
    assert_bitwise_equal(placed, plain)
    torch.testing.assert_close(placed, a.float() @ w.float(),
                               rtol=1e-5, atol=1e-4)


def test_vector_if_else_placed_equals_unplaced_and_torch():
    x = torch.linspace(-2, 2, 256).reshape(8, 32)
    text, placed, plain = placed_and_unplaced(pick_rows, "pick_rows", [x],
                                              [((8, 32), "f32")])
    assert re.search(r"\} \{places = \[#tile\.place<ub, \d+(, slots = 2)?>\]\}",
                     text), text
    assert_bitwise_equal(placed, plain)
    want = (x + x) * 0.5
    want[2:4] = torch.exp(x[2:4]) * 0.5
    # x + x and * 0.5 are exact; exp is the simulation's: compare to rounding.
    assert_bitwise_equal(placed[[0, 1, 4, 5, 6, 7]], want[[0, 1, 4, 5, 6, 7]])
    torch.testing.assert_close(placed, want, rtol=1e-6, atol=1e-6)


def test_nested_if_shares_the_outer_result_storage():
    # The inner scf.if is yielded by the outer else branch: its result takes
    # the outer result's placement, and so do the values all three branches
    # define (docs/placement.md), so no branch copies.
    x = torch.linspace(-2, 2, 256).reshape(8, 32)
    text, placed, plain = placed_and_unplaced(nested_pick, "nested_pick", [x],
                                              [((8, 32), "f32")])
    places = re.findall(
        r"\} \{places = \[(#tile\.place<ub, \d+(?:, slots = 2)?>)\]\}", text)
    assert len(places) == 2 and places[0] == places[1], text
    assert text.count(f"{{place = {places[0][:-1]}>}}") >= 3, text
    assert_bitwise_equal(placed, plain)
    want = torch.cat([x[0:2] - 1.0, x[2:4] + x[2:4], x[4:8] * x[4:8]]) + x
    assert_bitwise_equal(placed, want)
