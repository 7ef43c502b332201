"""DeepSeek-V4 decode Q/KV projection + RoPE, hand-scheduled for A2/A3.

Written in the PyPTO `pl` surface the way a kernel author would write it;
only the import line differs from a PyPTO kernel. The contract (shapes,
inputs, outputs, the computation, the accuracy rule) is
kernels/dsv4/README.md; the golden is reference.py.

The schedule: eight `pl.spmd` scopes, one per stage, meeting in GM.

  1. q_down_proj     cube     a  = x @ wq_a                      -> a_gm  f32 [T, Q_LORA]
  2. q_norm_quant    vector   RMSNorm(a) * gamma_cq, bf16, int8  -> qr, qr_scale
                              (per-token tiles; three passes over the row that
                              recompute instead of staging: sum of squares,
                              amax, quantise)
  3. q_up_proj       group    p  = qr @ wq_b (exact i32), dequant -> qf_gm f32 [T, H*HEAD_DIM]
  4. q_head_norm     vector   per-head RMSNorm; nope part -> q (bf16),
                              rope part -> qrope_gm f32 [T, H*ROPE_DIM]
  5. q_rope          vector   interleaved RoPE of qrope_gm   -> q rope part (bf16)
  6. kv_proj         cube     k  = x @ wkv                    -> k_gm  f32 [T, HEAD_DIM]
  7. kv_norm         vector   RMSNorm(k) * gamma_ckv; nope -> kv, rope -> krope_gm
  8. kv_rope         vector   interleaved RoPE of krope_gm   -> kv rope part (bf16)

Matmul scopes pipeline their K loop with double buffering (`stage=2`); tile
sizes keep every operand within L0A/L0B (64 KiB, two slots) and every vector
scope far inside the 184 KiB usable UB. `make_kernel(preset, T)` returns the
jit kernel for one preset and token count.
"""

import tessel.language as pl

INT8_SCALE_MAX = 127.0
INT8_AMAX_EPS = 1e-4


def make_kernel(p, T):
    """The jit kernel for preset `p` (reference.Preset) and `T` tokens."""
    D, H, HD, QL = p.D, p.H, p.HEAD_DIM, p.Q_LORA
    ROPE = p.ROPE_DIM
    NOPE = HD - ROPE
    HALF = ROPE // 2
    EPS = p.EPS
    HHD = H * HD

    # Cube tiles: K steps of 128 keep [T, 128] and [128, N] operands in L0A/L0B.
    KB = 128
    NB_DOWN = 64           # q down-projection columns per block
    # q up-projection columns per block: the vector half of the split scope
    # holds the staged i32 accumulator and its f32 dequant, 2 x T x NB_UP x 4
    # bytes, within the 188416-byte usable UB (T=128: 2 x 64 KiB).
    NB_UP = 256 if T <= 64 else 128
    NB_KV = 64             # kv projection columns per block
    # Vector tiles: tokens per block and column chunks.
    TT = max(1, T // 16)   # tokens per block of the per-token scopes
    NT = T // TT
    CB = 256               # column chunk of the q latent passes
    HG = 8                 # heads per block of the per-head scopes
    NHG = H // HG

    @pl.jit.inline
    def rope_rotate(t, cos, sin):
        """Interleaved RoPE of a [M, ROPE] fp32 tile: pair i is columns
        (2i, 2i+1); even' = e*c - o*s, odd' = e*s + o*c."""
        even = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P0101)
        odd = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P1010)
        new_even = pl.sub(pl.mul(even, cos), pl.mul(odd, sin))
        new_odd = pl.add(pl.mul(even, sin), pl.mul(odd, cos))
        out = pl.full([TT, ROPE], dtype=pl.FP32, value=0.0)
        out = pl.tensor.scatter(new_even, mask_pattern=pl.tile.MaskPattern.P0101, dst=out)
        return pl.tensor.scatter(new_odd, mask_pattern=pl.tile.MaskPattern.P1010, dst=out)

    @pl.jit
    def decode_qkv_proj_rope(
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
        qf_gm = pl.create_tensor([T, HHD], dtype=pl.FP32)
        qrope_gm = pl.create_tensor([T, H * ROPE], dtype=pl.FP32)
        k_gm = pl.create_tensor([T, HD], dtype=pl.FP32)
        krope_gm = pl.create_tensor([T, ROPE], dtype=pl.FP32)
        q2 = pl.reshape(q, [T, HHD])

        # 1. q down-projection: a = x @ wq_a, fp32 accumulation.
        for b in pl.spmd(QL // NB_DOWN, name_hint="q_down_proj"):
            with pl.at(level=pl.Level.CORE_GROUP):
                n0 = b * NB_DOWN
                acc = pl.full([T, NB_DOWN], dtype=pl.FP32, value=0.0)
                for k in pl.pipeline(D // KB, stage=2):
                    k0 = k * KB
                    xa = x[0:T, k0:k0 + KB]
                    wa = wq_a[k0:k0 + KB, n0:n0 + NB_DOWN]
                    acc = pl.matmul_acc(acc, xa, wa)
                a_gm[0:T, n0:n0 + NB_DOWN] = acc

        # 2. RMSNorm + int8 quantisation of the query latent, per token tile.
        for b in pl.spmd(NT, name_hint="q_norm_quant"):
            with pl.at(level=pl.Level.CORE_GROUP):
                t0 = b * TT
                ss = pl.full([TT, 1], dtype=pl.FP32, value=0.0)
                for c in pl.pipeline(QL // CB, stage=2):
                    c0 = c * CB
                    av = a_gm[t0:t0 + TT, c0:c0 + CB]
                    ss = pl.add(ss, pl.row_sum(pl.mul(av, av)))
                rs = pl.rsqrt(pl.add(pl.div(ss, float(QL)), EPS))
                amax = pl.full([TT, 1], dtype=pl.FP32, value=0.0)
                for c in pl.pipeline(QL // CB, stage=2):
                    c0 = c * CB
                    av = a_gm[t0:t0 + TT, c0:c0 + CB]
                    g = pl.cast(gamma_cq[c0:c0 + CB], target_type=pl.FP32, mode="none")
                    r = pl.col_expand_mul(pl.row_expand_mul(av, rs), g)
                    r = pl.cast(pl.cast(r, target_type=pl.BF16, mode="rint"),
                                target_type=pl.FP32, mode="none")
                    amax = pl.maximum(amax, pl.row_max(pl.abs(r)))
                amax = pl.maximum(amax, INT8_AMAX_EPS)
                s = pl.div(INT8_SCALE_MAX, amax)
                qr_scale[t0:t0 + TT, 0:1] = pl.recip(s)
                for c in pl.pipeline(QL // CB, stage=2):
                    c0 = c * CB
                    av = a_gm[t0:t0 + TT, c0:c0 + CB]
                    g = pl.cast(gamma_cq[c0:c0 + CB], target_type=pl.FP32, mode="none")
                    r = pl.col_expand_mul(pl.row_expand_mul(av, rs), g)
                    r = pl.cast(pl.cast(r, target_type=pl.BF16, mode="rint"),
                                target_type=pl.FP32, mode="none")
                    qi = pl.cast(pl.row_expand_mul(r, s), target_type=pl.INT32, mode="rint")
                    qh = pl.cast(qi, target_type=pl.FP16, mode="round")
                    qr[t0:t0 + TT, c0:c0 + CB] = pl.cast(qh, target_type=pl.INT8, mode="trunc")

        # 3. int8 up-projection, exact i32 accumulation, then dequant.
        for b in pl.spmd(HHD // NB_UP, name_hint="q_up_proj"):
            with pl.at(level=pl.Level.CORE_GROUP):
                n0 = b * NB_UP
                acc = pl.full([T, NB_UP], dtype=pl.INT32, value=0)
                for k in pl.pipeline(QL // KB, stage=2):
                    k0 = k * KB
                    acc = pl.matmul_acc(acc, qr[0:T, k0:k0 + KB],
                                        wq_b[k0:k0 + KB, n0:n0 + NB_UP])
                pf = pl.cast(acc, target_type=pl.FP32, mode="none")
                pf = pl.row_expand_mul(pf, qr_scale[0:T, 0:1])
                pf = pl.col_expand_mul(pf, wq_b_scale[n0:n0 + NB_UP])
                qf_gm[0:T, n0:n0 + NB_UP] = pf

        # 4. per-head RMSNorm; the nope part goes straight to q.
        for b in pl.spmd(NT * NHG, name_hint="q_head_norm"):
            with pl.at(level=pl.Level.CORE_GROUP):
                t0 = (b // NHG) * TT
                h0 = (b % NHG) * HG
                for j in pl.pipeline(HG, stage=2):
                    c0 = (h0 + j) * HD
                    nope = qf_gm[t0:t0 + TT, c0:c0 + NOPE]
                    rope = qf_gm[t0:t0 + TT, c0 + NOPE:c0 + HD]
                    ss = pl.add(pl.row_sum(pl.mul(nope, nope)),
                                pl.row_sum(pl.mul(rope, rope)))
                    rs = pl.rsqrt(pl.add(pl.div(ss, float(HD)), EPS))
                    q2[t0:t0 + TT, c0:c0 + NOPE] = pl.cast(
                        pl.row_expand_mul(nope, rs), target_type=pl.BF16, mode="rint")
                    r0 = (h0 + j) * ROPE
                    qrope_gm[t0:t0 + TT, r0:r0 + ROPE] = pl.row_expand_mul(rope, rs)

        # 5. q RoPE on interleaved pairs.
        for b in pl.spmd(NT * NHG, name_hint="q_rope"):
            with pl.at(level=pl.Level.CORE_GROUP):
                t0 = (b // NHG) * TT
                h0 = (b % NHG) * HG
                cos = pl.cast(rope_cos[t0:t0 + TT, 0:HALF], target_type=pl.FP32, mode="none")
                sin = pl.cast(rope_sin[t0:t0 + TT, 0:HALF], target_type=pl.FP32, mode="none")
                for j in pl.pipeline(HG, stage=2):
                    r0 = (h0 + j) * ROPE
                    t = qrope_gm[t0:t0 + TT, r0:r0 + ROPE]
                    rot = rope_rotate(t, cos, sin)
                    c0 = (h0 + j) * HD + NOPE
                    q2[t0:t0 + TT, c0:c0 + ROPE] = pl.cast(rot, target_type=pl.BF16, mode="rint")

        # 6. kv projection: k = x @ wkv.
        for b in pl.spmd(HD // NB_KV, name_hint="kv_proj"):
            with pl.at(level=pl.Level.CORE_GROUP):
                n0 = b * NB_KV
                acc = pl.full([T, NB_KV], dtype=pl.FP32, value=0.0)
                for k in pl.pipeline(D // KB, stage=2):
                    k0 = k * KB
                    acc = pl.matmul_acc(acc, x[0:T, k0:k0 + KB], wkv[k0:k0 + KB, n0:n0 + NB_KV])
                k_gm[0:T, n0:n0 + NB_KV] = acc

        # 7. kv RMSNorm with gamma_ckv; the nope part goes straight to kv.
        for b in pl.spmd(NT, name_hint="kv_norm"):
            with pl.at(level=pl.Level.CORE_GROUP):
                t0 = b * TT
                kn = k_gm[t0:t0 + TT, 0:NOPE]
                kr = k_gm[t0:t0 + TT, NOPE:HD]
                ss = pl.add(pl.row_sum(pl.mul(kn, kn)), pl.row_sum(pl.mul(kr, kr)))
                rs = pl.rsqrt(pl.add(pl.div(ss, float(HD)), EPS))
                gn = pl.cast(gamma_ckv[0:NOPE], target_type=pl.FP32, mode="none")
                gr = pl.cast(gamma_ckv[NOPE:HD], target_type=pl.FP32, mode="none")
                kv[t0:t0 + TT, 0:NOPE] = pl.cast(
                    pl.col_expand_mul(pl.row_expand_mul(kn, rs), gn),
                    target_type=pl.BF16, mode="rint")
                krope_gm[t0:t0 + TT, 0:ROPE] = pl.col_expand_mul(pl.row_expand_mul(kr, rs), gr)

        # 8. kv RoPE.
        for b in pl.spmd(NT, name_hint="kv_rope"):
            with pl.at(level=pl.Level.CORE_GROUP):
                t0 = b * TT
                cos = pl.cast(rope_cos[t0:t0 + TT, 0:HALF], target_type=pl.FP32, mode="none")
                sin = pl.cast(rope_sin[t0:t0 + TT, 0:HALF], target_type=pl.FP32, mode="none")
                rot = rope_rotate(krope_gm[t0:t0 + TT, 0:ROPE], cos, sin)
                kv[t0:t0 + TT, NOPE:HD] = pl.cast(rot, target_type=pl.BF16, mode="rint")

    return decode_qkv_proj_rope


def _flash_t8():
    """The FLASH, T=8 instance: the default of `make demo` and of
    `tessel compile kernels/dsv4/decode_qkv_proj_rope.py::decode_qkv_proj_rope`."""
    import sys
    from pathlib import Path

    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    from reference import PRESETS

    return make_kernel(PRESETS["flash"], 8)


decode_qkv_proj_rope = _flash_t8()
