"""RMSNorm + per-token int8 quantisation, written in PyPTO's `pl` style.

Steps 2-4 of the DeepSeek-V4 decode Q/KV kernel
(kernels/dsv4/README.md): for each token row `a[t, :]` of the
query latent,

    r        = bf16(a * rsqrt(mean(a^2) + EPS) * gamma)      (back to fp32)
    amax     = max(max|r|, INT8_AMAX_EPS);   s = 127 / amax
    qr       = int8(fp16(int32(rint(r * s))))    (int32 -> fp16 -> int8 trunc)
    qr_scale = 1 / s

A PyPTO author writes it like this; only the import line differs from the
PyPTO kernel. Four tokens per spmd block, three pipelined passes over the
row (sum of squares, amax, quantise) that recompute the normalised chunk
instead of staging it in GM.
"""

import tessel.language as pl

T = 16                  # tokens
Q_LORA = 1024           # query latent width
EPS = 1e-6
INT8_SCALE_MAX = 127.0
INT8_AMAX_EPS = 1e-4

T_TILE = 4              # tokens per block
K_TILE = 256            # columns per pipelined step


@pl.jit.inline
def normalized_chunk(a, gamma, inv_rms, t0, k0):
    """RMSNorm of a [T_TILE, K_TILE] chunk, rounded to bf16 and back."""
    x = a[t0:t0 + T_TILE, k0:k0 + K_TILE]
    g = pl.cast(gamma[k0:k0 + K_TILE], target_type=pl.FP32)
    r = pl.col_expand_mul(pl.row_expand_mul(x, inv_rms), g)
    r = pl.cast(r, target_type=pl.BF16, mode="rint")
    return pl.cast(r, target_type=pl.FP32)


@pl.jit
def rmsnorm_quant(
    a: pl.Tensor[[T, Q_LORA], pl.FP32],
    gamma: pl.Tensor[[Q_LORA], pl.BF16],
    qr: pl.Out[pl.Tensor[[T, Q_LORA], pl.INT8]],
    qr_scale: pl.Out[pl.Tensor[[T, 1], pl.FP32]],
):
    for b in pl.spmd(T // T_TILE, name_hint="q_norm_quant"):
        t0 = b * T_TILE

        # Sum of squares of each row, over the pipelined column chunks.
        sq_sum = pl.full([T_TILE, 1], dtype=pl.FP32, value=0.0)
        for kb in pl.pipeline(Q_LORA // K_TILE, stage=2):
            k0 = kb * K_TILE
            x = a[t0:t0 + T_TILE, k0:k0 + K_TILE]
            sq_sum = pl.add(sq_sum, pl.row_sum(pl.mul(x, x)))
        inv_rms = pl.rsqrt(pl.add(pl.mul(sq_sum, 1.0 / Q_LORA), EPS))

        # Per-token amax of the normalised row, floored at INT8_AMAX_EPS.
        amax = pl.full([T_TILE, 1], dtype=pl.FP32, value=INT8_AMAX_EPS)
        for kb in pl.pipeline(Q_LORA // K_TILE, stage=2):
            r = normalized_chunk(a, gamma, inv_rms, t0, kb * K_TILE)
            amax = pl.maximum(amax, pl.row_max(pl.abs(r)))
        scale = pl.div(INT8_SCALE_MAX, amax)
        qr_scale[t0:t0 + T_TILE, :] = pl.recip(scale)

        # Quantise: rint to int32, then int32 -> fp16 -> int8.
        for kb in pl.pipeline(Q_LORA // K_TILE, stage=2):
            k0 = kb * K_TILE
            r = normalized_chunk(a, gamma, inv_rms, t0, k0)
            q32 = pl.cast(pl.row_expand_mul(r, scale), target_type=pl.INT32, mode="rint")
            q16 = pl.cast(q32, target_type=pl.FP16, mode="round")
            qr[t0:t0 + T_TILE, k0:k0 + K_TILE] = pl.cast(q16, target_type=pl.INT8, mode="trunc")
