"""DeepSeek-V4 decode Q/KV projection + RoPE, written plainly.

The same computation as decode_qkv_proj_rope.py (contract:
kernels/dsv4/README.md), written the way one would before
scheduling anything: one `pl.parallel` + `pl.at` scope per elementary stage,
fp32 GM intermediates between stages, plain `pl.range` loops and one fixed
tile shape (a token row by 128 columns; 128 x 128 weight tiles). It is the
input the fusion and tiling passes start from; `run.py --kernel naive`
runs it.

Stages (each its own scope):
   q_down_proj   a_gm    = x @ wq_a                       (cube)
   q_rms_stats   qrs_gm  = rsqrt(mean(a^2) + EPS)          per token
   q_norm        r_gm    = bf16(a * qrs * gamma_cq)        per token x chunk
   q_amax        qs_gm   = 127 / max(amax(|r|), 1e-4); qr_scale = 1 / qs
   q_quant       qr      = int8(fp16(int32(rint(r * qs))))
   q_up_proj     p_gm    = qr @ wq_b                       (cube, i32)
   q_dequant     qf_gm   = float(p) * qr_scale * wq_b_scale
   q_head_stats  hrs_gm  = rsqrt(mean(qf^2 over a head) + EPS)
   q_head_norm   q nope  = bf16(qf * hrs); qrope_gm = rope part * hrs
   q_rope        q rope  = bf16(rotate(qrope_gm))
   kv_proj       k_gm    = x @ wkv                          (cube)
   kv_rms_stats  krs_gm  = rsqrt(mean(k^2) + EPS)
   kv_norm       kv nope = bf16(k * krs * gamma); krope_gm = rope part
   kv_rope       kv rope = bf16(rotate(krope_gm))
"""

import tessel.language as pl

INT8_SCALE_MAX = 127.0
INT8_AMAX_EPS = 1e-4


def make_kernel(p, T):
    """The naive jit kernel for preset `p` (reference.Preset) and `T` tokens."""
    D, H, HD, QL = p.D, p.H, p.HEAD_DIM, p.Q_LORA
    ROPE = p.ROPE_DIM
    NOPE = HD - ROPE
    HALF = ROPE // 2
    EPS = p.EPS
    HHD = H * HD
    NB = 128   # columns of every tile
    KB = 128   # contraction step of every matmul

    @pl.jit.inline
    def rope_rotate(t, cos, sin):
        """Interleaved RoPE of a [1, ROPE] fp32 tile."""
        even = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P0101)
        odd = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P1010)
        new_even = pl.sub(pl.mul(even, cos), pl.mul(odd, sin))
        new_odd = pl.add(pl.mul(even, sin), pl.mul(odd, cos))
        out = pl.full([1, ROPE], dtype=pl.FP32, value=0.0)
        out = pl.tensor.scatter(new_even, mask_pattern=pl.tile.MaskPattern.P0101, dst=out)
        return pl.tensor.scatter(new_odd, mask_pattern=pl.tile.MaskPattern.P1010, dst=out)

    @pl.jit
    def decode_qkv_proj_rope_naive(
        x: pl.Tensor[[T, D], pl.BF16],
        wq_a: pl.Tensor[[D, QL], pl.BF16],
        wq_b: pl.Tensor[[QL, HHD], pl.INT8],
        wq_b_scale: pl.Tensor[[HHD], pl.FP32],
        wkv: pl.Tensor[[D, HD], pl.BF16],
        rope_cos: pl.Tensor[[T, ROPE], pl.BF16],
        rope_sin: pl.Tensor[[T, ROPE], pl.BF16],
        gamma_cq: pl.Tensor[[QL], pl.BF16],
        gamma_ckv: pl.Tensor[[HD], pl.BF16],
        q: pl.Out[pl.Tensor[[T, H, HD], pl.BF16]],
        kv: pl.Out[pl.Tensor[[T, HD], pl.BF16]],
        qr: pl.Out[pl.Tensor[[T, QL], pl.INT8]],
        qr_scale: pl.Out[pl.Tensor[[T, 1], pl.FP32]],
    ):
        a_gm = pl.create_tensor([T, QL], dtype=pl.FP32)
        qrs_gm = pl.create_tensor([T, 1], dtype=pl.FP32)
        r_gm = pl.create_tensor([T, QL], dtype=pl.FP32)
        qs_gm = pl.create_tensor([T, 1], dtype=pl.FP32)
        p_gm = pl.create_tensor([T, HHD], dtype=pl.INT32)
        qf_gm = pl.create_tensor([T, HHD], dtype=pl.FP32)
        hrs_gm = pl.create_tensor([T, H], dtype=pl.FP32)
        qrope_gm = pl.create_tensor([T, H * ROPE], dtype=pl.FP32)
        k_gm = pl.create_tensor([T, HD], dtype=pl.FP32)
        krs_gm = pl.create_tensor([T, 1], dtype=pl.FP32)
        krope_gm = pl.create_tensor([T, ROPE], dtype=pl.FP32)
        q2 = pl.reshape(q, [T, HHD])

        for b in pl.parallel(QL // NB):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_down_proj"):
                n0 = b * NB
                acc = pl.full([T, NB], dtype=pl.FP32, value=0.0)
                for k in pl.range(D // KB):
                    k0 = k * KB
                    acc = pl.matmul_acc(acc, x[0:T, k0:k0 + KB], wq_a[k0:k0 + KB, n0:n0 + NB])
                a_gm[0:T, n0:n0 + NB] = acc

        for t in pl.parallel(T):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_rms_stats"):
                ss = pl.full([1, 1], dtype=pl.FP32, value=0.0)
                for c in pl.range(QL // NB):
                    av = a_gm[t:t + 1, c * NB:c * NB + NB]
                    ss = pl.add(ss, pl.row_sum(pl.mul(av, av)))
                qrs_gm[t:t + 1, 0:1] = pl.rsqrt(pl.add(pl.div(ss, float(QL)), EPS))

        for b in pl.parallel(T * (QL // NB)):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_norm"):
                t = b // (QL // NB)
                c0 = (b % (QL // NB)) * NB
                g = pl.cast(gamma_cq[c0:c0 + NB], target_type=pl.FP32, mode="none")
                r = pl.col_expand_mul(
                    pl.row_expand_mul(a_gm[t:t + 1, c0:c0 + NB], qrs_gm[t:t + 1, 0:1]), g)
                r_gm[t:t + 1, c0:c0 + NB] = pl.cast(
                    pl.cast(r, target_type=pl.BF16, mode="rint"), target_type=pl.FP32, mode="none")

        for t in pl.parallel(T):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_amax"):
                amax = pl.full([1, 1], dtype=pl.FP32, value=0.0)
                for c in pl.range(QL // NB):
                    amax = pl.maximum(amax, pl.row_max(pl.abs(r_gm[t:t + 1, c * NB:c * NB + NB])))
                s = pl.div(INT8_SCALE_MAX, pl.maximum(amax, INT8_AMAX_EPS))
                qs_gm[t:t + 1, 0:1] = s
                qr_scale[t:t + 1, 0:1] = pl.recip(s)

        for b in pl.parallel(T * (QL // NB)):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_quant"):
                t = b // (QL // NB)
                c0 = (b % (QL // NB)) * NB
                scaled = pl.row_expand_mul(r_gm[t:t + 1, c0:c0 + NB], qs_gm[t:t + 1, 0:1])
                qi = pl.cast(scaled, target_type=pl.INT32, mode="rint")
                qh = pl.cast(qi, target_type=pl.FP16, mode="round")
                qr[t:t + 1, c0:c0 + NB] = pl.cast(qh, target_type=pl.INT8, mode="trunc")

        for b in pl.parallel(HHD // NB):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_up_proj"):
                n0 = b * NB
                acc = pl.full([T, NB], dtype=pl.INT32, value=0)
                for k in pl.range(QL // KB):
                    k0 = k * KB
                    acc = pl.matmul_acc(acc, qr[0:T, k0:k0 + KB], wq_b[k0:k0 + KB, n0:n0 + NB])
                p_gm[0:T, n0:n0 + NB] = acc

        for b in pl.parallel(T * (HHD // NB)):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_dequant"):
                t = b // (HHD // NB)
                c0 = (b % (HHD // NB)) * NB
                pf = pl.cast(p_gm[t:t + 1, c0:c0 + NB], target_type=pl.FP32, mode="none")
                pf = pl.row_expand_mul(pf, qr_scale[t:t + 1, 0:1])
                qf_gm[t:t + 1, c0:c0 + NB] = pl.col_expand_mul(pf, wq_b_scale[c0:c0 + NB])

        for b in pl.parallel(T * H):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_head_stats"):
                t = b // H
                h = b % H
                ss = pl.full([1, 1], dtype=pl.FP32, value=0.0)
                for c in pl.range(HD // NB):
                    v = qf_gm[t:t + 1, h * HD + c * NB:h * HD + c * NB + NB]
                    ss = pl.add(ss, pl.row_sum(pl.mul(v, v)))
                hrs_gm[t:t + 1, h:h + 1] = pl.rsqrt(pl.add(pl.div(ss, float(HD)), EPS))

        for b in pl.parallel(T * H):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_head_norm"):
                t = b // H
                h = b % H
                rs = hrs_gm[t:t + 1, h:h + 1]
                nope = pl.row_expand_mul(qf_gm[t:t + 1, h * HD:h * HD + NOPE], rs)
                q2[t:t + 1, h * HD:h * HD + NOPE] = pl.cast(nope, target_type=pl.BF16, mode="rint")
                qrope_gm[t:t + 1, h * ROPE:h * ROPE + ROPE] = pl.row_expand_mul(
                    qf_gm[t:t + 1, h * HD + NOPE:h * HD + HD], rs)

        for b in pl.parallel(T * H):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="q_rope"):
                t = b // H
                h = b % H
                cos = pl.cast(rope_cos[t:t + 1, 0:HALF], target_type=pl.FP32, mode="none")
                sin = pl.cast(rope_sin[t:t + 1, 0:HALF], target_type=pl.FP32, mode="none")
                rot = rope_rotate(qrope_gm[t:t + 1, h * ROPE:h * ROPE + ROPE], cos, sin)
                q2[t:t + 1, h * HD + NOPE:h * HD + HD] = pl.cast(rot, target_type=pl.BF16, mode="rint")

        for b in pl.parallel(HD // NB):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="kv_proj"):
                n0 = b * NB
                acc = pl.full([T, NB], dtype=pl.FP32, value=0.0)
                for k in pl.range(D // KB):
                    k0 = k * KB
                    acc = pl.matmul_acc(acc, x[0:T, k0:k0 + KB], wkv[k0:k0 + KB, n0:n0 + NB])
                k_gm[0:T, n0:n0 + NB] = acc

        for t in pl.parallel(T):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="kv_rms_stats"):
                ss = pl.full([1, 1], dtype=pl.FP32, value=0.0)
                for c in pl.range(HD // NB):
                    v = k_gm[t:t + 1, c * NB:c * NB + NB]
                    ss = pl.add(ss, pl.row_sum(pl.mul(v, v)))
                krs_gm[t:t + 1, 0:1] = pl.rsqrt(pl.add(pl.div(ss, float(HD)), EPS))

        for t in pl.parallel(T):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="kv_norm"):
                rs = krs_gm[t:t + 1, 0:1]
                gn = pl.cast(gamma_ckv[0:NOPE], target_type=pl.FP32, mode="none")
                gr = pl.cast(gamma_ckv[NOPE:HD], target_type=pl.FP32, mode="none")
                kv[t:t + 1, 0:NOPE] = pl.cast(
                    pl.col_expand_mul(pl.row_expand_mul(k_gm[t:t + 1, 0:NOPE], rs), gn),
                    target_type=pl.BF16, mode="rint")
                krope_gm[t:t + 1, 0:ROPE] = pl.col_expand_mul(
                    pl.row_expand_mul(k_gm[t:t + 1, NOPE:HD], rs), gr)

        for t in pl.parallel(T):
            with pl.at(level=pl.Level.CORE_GROUP, name_hint="kv_rope"):
                cos = pl.cast(rope_cos[t:t + 1, 0:HALF], target_type=pl.FP32, mode="none")
                sin = pl.cast(rope_sin[t:t + 1, 0:HALF], target_type=pl.FP32, mode="none")
                rot = rope_rotate(krope_gm[t:t + 1, 0:ROPE], cos, sin)
                kv[t:t + 1, NOPE:HD] = pl.cast(rot, target_type=pl.BF16, mode="rint")

    return decode_qkv_proj_rope_naive


def _flash_t8():
    """The FLASH, T=8 instance, for `tessel compile ...::decode_qkv_proj_rope_naive`."""
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    from reference import PRESETS

    return make_kernel(PRESETS["flash"], 8)


decode_qkv_proj_rope_naive = _flash_t8()
