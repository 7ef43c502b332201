"""Flash attention: matmul -> vector -> matmul -> vector in one loop of one
scope (issue 14, pypto-lib's decode_sparse_attn_swa qk_pv shape).

Per 16-row KV block j: s = q k_j^T * scale (cube), an online softmax on the
vector side (running row max m and sum l, p = exp(s - m_new), alpha =
exp(m - m_new)), p v_j (cube) of the vector's bf16 p, and the accumulator
rescaled by alpha (vector). tile-split-mixed-scopes fissions the loop into
four grids (cube, vector, cube, vector) that meet in GM, on a2a3 (no
on-chip path between the cores) and on a5 (L0C -> UB exists, but Tessel has
no UB -> L1 move for the vector -> cube hand-off). The CPU simulation is
checked against torch on both targets, the schedule's GM traffic against
the staging arithmetic, and the NPU back end (PTO-ISA on the strict
reference) against the simulation bit for bit.
"""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl
from tessel.errors import BackendUnavailableError

TQ, D, S, BS = 16, 32, 64, 16  # q rows per block, head dim, keys, KV block
BLOCKS = 2                     # two query tiles, one per spmd block
NB = S // BS
SCALE = 0.125


@pl.jit
def flash(q: pl.Tensor[[BLOCKS * TQ, D], pl.BF16],
          k: pl.Tensor[[S, D], pl.BF16], v: pl.Tensor[[S, D], pl.BF16],
          o: pl.Out[pl.Tensor[[BLOCKS * TQ, D], pl.FP32]]):
    for blk in pl.spmd(BLOCKS, name_hint="flash"):
        r0 = blk * TQ
        qt = q[r0:r0 + TQ, 0:D]
        m = pl.full([TQ, 1], dtype=pl.FP32, value=-1.0e30)
        l = pl.full([TQ, 1], dtype=pl.FP32, value=0.0)
        acc = pl.full([TQ, D], dtype=pl.FP32, value=0.0)
        for j in pl.range(NB):
            kj = k[j * BS:j * BS + BS, 0:D]
            vj = v[j * BS:j * BS + BS, 0:D]
            s = pl.mul(pl.matmul(qt, kj, b_trans=True, out_dtype=pl.FP32),
                       SCALE)
            m_new = pl.maximum(m, pl.row_max(s))
            p = pl.exp(pl.row_expand_sub(s, m_new))
            alpha = pl.exp(pl.sub(m, m_new))
            l = pl.add(pl.mul(l, alpha), pl.row_sum(p))
            pb = pl.cast(p, target_type=pl.BF16, mode="rint")
            acc = pl.add(pl.row_expand_mul(acc, alpha),
                         pl.matmul(pb, vj, out_dtype=pl.FP32))
            m = m_new
        o[r0:r0 + TQ, 0:D] = pl.row_expand_div(acc, l)


@pytest.fixture(scope="module")
def qkv():
    g = torch.Generator().manual_seed(14)
    return tuple(torch.randn(shape, generator=g).bfloat16()
                 for shape in ((BLOCKS * TQ, D), (S, D), (S, D)))


def online_softmax_reference(q, k, v):
    """The kernel's algorithm in torch (f32, p rounded to bf16 before p v),
    block by block: the simulation differs from it only in the order of
    f32 sums."""
    q, k, v = q.float(), k.float(), v.float()
    m = torch.full((q.shape[0], 1), -1.0e30)
    l = torch.zeros(q.shape[0], 1)
    acc = torch.zeros(q.shape[0], D)
    for j in range(NB):
        s = (q @ k[j * BS:(j + 1) * BS].T) * SCALE
        m_new = torch.maximum(m, s.amax(1, keepdim=True))
        p = torch.exp(s - m_new)
        alpha = torch.exp(m - m_new)
        l = l * alpha + p.sum(1, keepdim=True)
        acc = acc * alpha + p.bfloat16().float() @ v[j * BS:(j + 1) * BS]
        m = m_new
    return acc / l


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_flash_attention_matches_torch(target, qkv):
    q, k, v = qkv
    o = torch.full((BLOCKS * TQ, D), float("nan"))
    flash(q, k, v, o, target=target)
    # The same online algorithm: equal up to f32 summation order.
    torch.testing.assert_close(o, online_softmax_reference(q, k, v),
                               rtol=1e-5, atol=1e-5)
    # softmax(q k^T * scale) v: p's bf16 rounding (relative 2^-9) moves
    # each output by at most 2^-9 * max |v| (the weights sum to 1 +- 2^-9).
    want = torch.softmax((q.float() @ k.float().T) * SCALE, -1) @ v.float()
    bound = 2.0 ** -8 * v.float().abs().max().item()
    assert (o - want).abs().max().item() <= bound


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_flash_schedule_sees_the_gm_hand_offs(target):
    stats = flash.schedule_stats(target)
    assert list(stats["per_scope"]) == [
        "flash_cube", "flash_vector", "flash_cube2", "flash_vector2"]
    # Staged per block and iteration: s (16x16 f32), p (16x16 bf16), alpha
    # (16x1 f32), p v (16x32 f32); per block: l (16x1 f32).
    per_iteration = TQ * BS * 4 + TQ * BS * 2 + TQ * 4 + TQ * D * 4
    staged = BLOCKS * (NB * per_iteration + TQ * 4)
    output = BLOCKS * TQ * D * 4
    assert stats["gm_intermediates"] == 5
    assert stats["gm_bytes_written"] == staged + output
    model = flash.schedule_model(target)
    assert [s["name"] for s in model["scopes"]] == list(stats["per_scope"])
    assert model["gm_store_bytes"] == staged + output


@pytest.mark.skipif(shutil.which("g++") is None and
                    shutil.which("clang++") is None,
                    reason="the PTO back end builds emitted kernels with a "
                           "host C++ compiler")
def test_flash_pto_equals_the_simulation(qkv):
    q, k, v = qkv
    o_pto = torch.full((BLOCKS * TQ, D), float("nan"))
    o_cpu = torch.full((BLOCKS * TQ, D), float("nan"))
    try:
        flash(q, k, v, o_pto, target="a2a3", backend="pto")
    except BackendUnavailableError as e:
        pytest.skip(str(e))
    flash(q, k, v, o_cpu, target="a2a3", backend="cpu")
    assert torch.equal(o_pto.view(torch.int32), o_cpu.view(torch.int32))
    # a5 splits the same way; its source emits with cross-pipe syncs.
    source = flash.pto("a5").source
    assert "set_flag" in source and "wait_flag" in source


# pypto-lib's qk_pv shape (decode_sparse_attn_swa), written here at small
# sizes: per token block, a 2-stage pl.pipeline over 32-head batches with
# q k^T (b_trans) plus a column bias, the softmax's row max, exp and row sum
# on the vector side, e v on the cube, and 16-row sub-tiles of the three
# results stored per head tile (o straight from the cube side). The
# pipeline is fissioned into cube / vector / cube copies that keep their
# stages.
QT, QH, QD, QK = 2, 64, 32, 64     # tokens (blocks), heads, head dim, keys
QM, QHT = 32, 16                   # heads per matmul, heads per store


@pl.jit
def qk_pv(q: pl.Tensor[[QT * QH, QD], pl.BF16],
          kv: pl.Tensor[[QT * QK, QD], pl.BF16],
          bias: pl.Tensor[[QT, QK], pl.FP32],
          mi: pl.Out[pl.Tensor[[QT * QH, 1], pl.FP32]],
          li: pl.Out[pl.Tensor[[QT * QH, 1], pl.FP32]],
          oi: pl.Out[pl.Tensor[[QT * QH, QD], pl.FP32]]):
    for t in pl.spmd(QT, name_hint="qk_pv"):
        brow = bias[t:t + 1, 0:QK]
        kvt = kv[t * QK:t * QK + QK, 0:QD]
        for hb in pl.pipeline(QH // QM, stage=2):
            row = t * QH + hb * QM
            s = pl.col_expand_add(pl.mul(pl.matmul(
                q[row:row + QM, 0:QD], kvt, b_trans=True, out_dtype=pl.FP32),
                SCALE), brow)
            m = pl.row_max(s)
            e = pl.exp(pl.row_expand_sub(s, m))
            l = pl.row_sum(e)
            o = pl.matmul(pl.cast(e, target_type=pl.BF16, mode="rint"), kvt,
                          out_dtype=pl.FP32)
            for sub in pl.unroll(QM // QHT):
                r, r0 = row + sub * QHT, sub * QHT
                mi[r:r + QHT, 0:1] = m[r0:r0 + QHT, 0:1]
                li[r:r + QHT, 0:1] = l[r0:r0 + QHT, 0:1]
                oi[r:r + QHT, 0:QD] = o[r0:r0 + QHT, 0:QD]


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_qk_pv_pipeline_matches_torch(target):
    g = torch.Generator().manual_seed(5)
    q = torch.randn(QT * QH, QD, generator=g).bfloat16()
    kv = torch.randn(QT * QK, QD, generator=g).bfloat16()
    bias = torch.zeros(QT, QK)
    bias[:, QK - 5:] = -1.0e20     # masked keys, as the SWA bias does
    outs = [torch.full((QT * QH, 1), float("nan")),
            torch.full((QT * QH, 1), float("nan")),
            torch.full((QT * QH, QD), float("nan"))]
    qk_pv(q, kv, bias, *outs, target=target)
    want = [[], [], []]
    for t in range(QT):
        k_t = kv[t * QK:(t + 1) * QK].float()
        s = (q[t * QH:(t + 1) * QH].float() @ k_t.T) * SCALE + bias[t]
        m = s.amax(1, keepdim=True)
        e = torch.exp(s - m)
        for i, w in enumerate((m, e.sum(1, keepdim=True),
                               e.bfloat16().float() @ k_t)):
            want[i].append(w)
    for got, w in zip(outs, want):
        torch.testing.assert_close(got, torch.cat(w), rtol=1e-5, atol=1e-5)
    scheduled = qk_pv.ir(target=target, stage="scheduled")
    assert scheduled.count("stages(2)") == 3   # one per phase copy
