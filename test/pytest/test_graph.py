"""The graph path (tessel.compile_graph, docs/graph.md): plain PyTorch
functions captured with torch.export, converted to the tensor-level IR,
formed into scopes by tile-form-scopes, scheduled, placed and run on the
CPU simulation, against PyTorch running the same function.

Tolerances: ops computed in the same order as torch's CPU kernels (the
elementwise chains, bf16 roundings, the interleave) match bit for bit; a
row sum or a float matmul accumulates in another order than torch's
vectorised loops, so those results are compared within a few f32 ulps of
the row's magnitude (docs/numerics.md).
"""

from __future__ import annotations

import linecache

import pytest
import torch
import torch.nn.functional as F

import tessel
from tessel import CompileError


def rmsnorm(x, gamma):
    xf = x.float()
    r = xf * torch.rsqrt(xf.pow(2).mean(dim=-1, keepdim=True) + 1e-6)
    return (r * gamma.float()).to(torch.bfloat16)


def softmax(x):
    m = x.amax(dim=-1, keepdim=True)
    e = torch.exp(x - m)
    return e / e.sum(dim=-1, keepdim=True)


def rope_interleaved(t, cos, sin):
    even, odd = t[..., 0::2], t[..., 1::2]
    out = torch.empty_like(t)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def rope_half(t, cos, sin):
    h = t.shape[-1] // 2
    x1, x2 = t[..., :h], t[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def rope_heads(t, cos, sin):
    # t [T, H, D] with tables [T, D/2] broadcast over the heads.
    return rope_half(t, cos[:, None, :], sin[:, None, :])


def head_norm_rope(t, cos, sin):
    # Per-head RMSNorm, then RoPE with [T, D/2] tables broadcast over the
    # heads: the DSV4 graph's per-head scope, whose head rows
    # tile-form-scopes stacks R to a block (docs/graph.md, "Rows per
    # block").
    n = t * torch.rsqrt(t.pow(2).mean(dim=-1, keepdim=True) + 1e-6)
    return rope_interleaved(n, cos[:, None, :], sin[:, None, :])


def swiglu_mlp(x, w1, w3, w2):
    h = F.silu(x @ w1) * (x @ w3)
    return h @ w2


def gen(*shape, dtype=torch.float32, scale=1.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g) * scale).to(dtype)


def f32_linear(x, w):
    return x @ w


def linear_weight_t(x, w):
    return (x.float() @ w.float().t()) * 0.5 + torch.nn.functional.linear(
        x.float(), w.float())


CASES = {
    "rmsnorm": (rmsnorm, lambda: (gen(8, 256, dtype=torch.bfloat16),
                                  gen(256, dtype=torch.bfloat16, seed=1))),
    "softmax": (softmax, lambda: (gen(8, 128, scale=4.0),)),
    "rope_interleaved": (rope_interleaved, lambda: (
        gen(8, 64), gen(8, 32, seed=1), gen(8, 32, seed=2))),
    "rope_half": (rope_half, lambda: (gen(8, 64), gen(8, 32, seed=1),
                                      gen(8, 32, seed=2))),
    "rope_heads": (rope_heads, lambda: (gen(4, 8, 64), gen(4, 32, seed=1),
                                        gen(4, 32, seed=2))),
    "head_norm_rope": (head_norm_rope, lambda: (
        gen(16, 8, 64), gen(16, 32, seed=1), gen(16, 32, seed=2))),
    "swiglu_mlp": (swiglu_mlp, lambda: (
        gen(8, 128, dtype=torch.bfloat16),
        gen(128, 256, dtype=torch.bfloat16, scale=0.1, seed=1),
        gen(128, 256, dtype=torch.bfloat16, scale=0.1, seed=2),
        gen(256, 128, dtype=torch.bfloat16, scale=0.1, seed=3))),
    # The weight stored [N, K] as nn.Linear keeps it: the cube's b_trans.
    "linear_weight_t": (linear_weight_t, lambda: (
        gen(8, 64, dtype=torch.bfloat16),
        gen(32, 64, dtype=torch.bfloat16, seed=1))),
    # f32 x f32 -> f32 on the cube (pto-isa TMATMUL's (float, float, float)).
    "f32_linear": (f32_linear, lambda: (gen(8, 64), gen(64, 32, seed=1))),
}
# Bit-exact against torch; the others within TOL ulps of the row maximum.
EXACT = {"rmsnorm", "rope_interleaved", "rope_half", "rope_heads"}


@pytest.fixture(scope="module")
def compiled():
    """Each case compiled once for the module, with its inputs."""
    cache = {}

    def get(name):
        if name not in cache:
            fn, make = CASES[name]
            args = make()
            cache[name] = (fn, args, tessel.compile_graph(fn, args))
        return cache[name]
    return get


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(compiled, name):
    fn, args, k = compiled(name)
    got, want = k(*args), fn(*args)
    assert got.shape == want.shape and got.dtype == want.dtype
    if name in EXACT:
        assert torch.equal(got, want), (got.float() - want.float()).abs().max()
    else:
        # softmax: 128-term f32 sums; the MLP: bf16 products summed in f32
        # then rounded to bf16 (one bf16 ulp of the output).
        err = (got.float() - want.float()).abs()
        scale = want.float().abs().amax(dim=-1, keepdim=True)
        tol = (2e-6 if want.dtype == torch.float32 else 2 ** -7) * scale
        assert bool((err <= tol).all()), float((err - tol).max())


def test_stages_show_the_tensor_ir_and_the_scopes(compiled):
    _, _, k = compiled("rmsnorm")
    graph = k.ir("graph")
    assert "linalg.generic" in graph and "tile.spmd" not in graph
    assert 'iterator_types = ["parallel", "reduction"]' in graph
    tile = k.ir("tile")
    assert "linalg" not in tile
    # One vector scope (the function returns the expression: the scope takes
    # the ATen node's name); the row is one tile.
    assert tile.count("tile.spmd") == 1 and "tile.at vector" in tile
    assert "tile.row_sum" in tile and "tile.col_expand_mul" in tile
    placed = k.ir("placed")
    assert "#tile.place<ub" in placed


def test_swiglu_scopes(compiled):
    """Two cube scopes for the up projections (fused by tile-fuse-scopes
    into one: same grid, both read x), a vector scope for silu(a) * b, a
    cube scope for the down projection; the gate's product goes through GM
    (the cube reads its operands from GM)."""
    _, _, k = compiled("swiglu_mlp")
    tile = k.ir("tile")
    assert tile.count("tile.at core_group") == 3
    assert tile.count("tile.at vector") >= 1
    assert "tile.exp" in tile and "tile.matmul_acc" in tile
    remarks = " ".join(k.remarks("tile"))
    assert "@ 128x256 as" in remarks and "K step of" in remarks


def test_rope_is_a_gather_scatter_pair(compiled):
    _, _, k = compiled("rope_interleaved")
    tile = k.ir("tile")
    assert tile.count("tile.gather") == 2 and tile.count("tile.scatter") == 2


def line_of(fn, text):
    """The line number in this file of `text` inside `fn`."""
    import inspect
    lines, start = inspect.getsourcelines(fn)
    for i, ln in enumerate(lines):
        if text in ln:
            return start + i
    raise AssertionError(text)


def uses_tanh(x):
    y = x * 2.0
    return torch.tanh(y)


def uses_transpose(x, w):
    return x.t() * 2.0


def uses_middle_reduction(x):
    return x.sum(dim=0, keepdim=True)


def int32_matmul(x, w):
    return x @ w


@pytest.mark.parametrize("fn, args, text, message", [
    (uses_tanh, (gen(8, 64),), "torch.tanh(y)",
     "aten.tanh.default: ATen op aten.tanh.default is not supported by the "
     "graph path"),
    (uses_transpose, (gen(64, 8), gen(64, 8)), "x.t()",
     "a transpose is supported by the graph path only as the right operand "
     "of a matmul (x @ w.t(), F.linear); another op uses it"),
    (uses_middle_reduction, (gen(8, 64),), "x.sum(dim=0",
     "reduction over dims [0] of a rank-2 tensor: only the last dimension"),
    (int32_matmul, (gen(8, 64).to(torch.int32), gen(64, 32).to(torch.int32)),
     "x @ w", "the cube multiplies bf16, f16, f32 or int8 operands of one "
     "dtype; found i32 @ i32"),
])
def test_unsupported_is_an_error_at_the_users_line(fn, args, text, message):
    with pytest.raises(CompileError) as info:
        tessel.compile_graph(fn, args).module("tile")
    e = info.value
    assert message in str(e)
    assert e.filename == __file__ and e.line == line_of(fn, text)
    assert text in linecache.getline(e.filename, e.line)


def test_arguments_are_checked(compiled):
    _, args, k = compiled("softmax")
    with pytest.raises(tessel.ArgumentError, match="expected \\[8, 128\\]"):
        k(gen(4, 128))


def many_ops(x, y):
    a = torch.clamp(x, -1.5, 2.0) + y.abs().sqrt()
    b = torch.round(x * 3.0) * (y.pow(2) + 1.0).reciprocal()
    c = torch.sigmoid(a) * torch.relu(b) - torch.maximum(x, y) / 2.0
    d = c.mean(dim=-1)                               # [8]: a row of 8
    m = x.max(dim=-1, keepdim=True).values
    e = torch.cat([x[:, :16], y[:, 16:48] - m], dim=-1)
    f = (x.narrow(1, 8, 16) * 10.0).to(torch.int32)  # truncation
    g = (1.0 - x.square()).clamp_min(0.0).rsqrt().clamp_max(4.0)
    return c, d, e, f, g


def test_many_ops_match_torch():
    """One compile covering the table's other entries: clamp, abs, sqrt,
    round, pow, reciprocal, sigmoid, relu, maximum, mean without keepdim (a
    reshape of the [8, 1] statistic to [8]), max(dim).values, cat of
    column slices, narrow, float -> int32, square, clamp_min / clamp_max,
    rsqrt."""
    x, y = gen(8, 64, scale=2.0), gen(8, 64, seed=1)
    k = tessel.compile_graph(many_ops, (x, y))
    got, want = k(x, y), many_ops(x, y)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g.shape == w.shape and g.dtype == w.dtype, i
        if i == 1:      # a 64-term mean: summation order
            assert torch.allclose(g, w, rtol=0, atol=1e-6), i
        elif i == 2 or i == 3:
            assert torch.equal(g, w), i
        else:
            # sigmoid's exp and rsqrt are the simulation's (docs/numerics.md),
            # a few f32 ulps from torch's; c then subtracts values of about
            # 1 to 5, so its error is absolute.
            assert torch.allclose(g, w, rtol=1e-6, atol=1e-6), \
                (i, float((g - w).abs().max()))


def test_head_rows_are_stacked_per_block(compiled):
    """The per-head scope of head_norm_rope reads the RoPE tables at row
    (head row) / 8: tile-form-scopes gives it several head rows a block,
    the tables one row per block (the values: test_matches_torch)."""
    _, _, k = compiled("head_norm_rope")
    remark = next(str(r) for r in k.remarks("tile") if "rows per block" in str(r))
    assert "128x64 value formed as" in remark and "blocks of one row" not in remark
    tile = k.ir("tile")
    assert "!tile.tile<1x32xf32>" in tile  # a table row, shared by the block
    assert any(f"!tile.tile<{r}x64xf32>" in tile for r in (2, 4, 8))


@pytest.mark.parametrize("name", ["rmsnorm", "rope_interleaved",
                                  "head_norm_rope"])
def test_npu_back_end_matches_the_simulation(compiled, name):
    """The graph kernel through the NPU back end (tile-pto-pipeline, the
    emitted PTO-ISA source built with g++ and run on the strict reference,
    runtime/pto): bit-identical to the CPU simulation, no hazard."""
    fn, args, k = compiled(name)
    assert torch.equal(k(*args, backend="pto"), k(*args))
    assert "TROWSUM" in k.pto().source or "TGATHER" in k.pto().source
