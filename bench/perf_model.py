#!/usr/bin/env python3
"""The modelled NPU time (docs/perf-model.md) against published figures.

Each row: what is modelled, the model's microseconds, the published
microseconds and their ratio (model / published). The published figures
(a2a3):

- an (8 x 1536) @ (1536 x 8192) int8 matmul, called MTE-bound with a 13 us
  theoretical limit (DeepSeek V3.2; about 0.97 TB/s effective);
- pypto-lib's `qproj_matmul` stage of its DSV4 decode qkv_proj_rope: 36 us;
- pypto-lib's whole DSV4 decode qkv_proj_rope: 407 us.

The first is modelled on a small kernel written here (one block per 256
output columns, K in 128-row steps, pipelined), the others on Tessel's own
DSV4 FLASH T=8 schedules (hand and naive): the model of *this* compiler's
schedule of the same computation, not of pypto-lib's, so the ratio says how
far each is from the other as well as how good the model is. Also printed:
each schedule's HBM floor (compulsory bytes at the effective bandwidth).

    python bench/perf_model.py [--target a2a3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "kernels" / "dsv4"))

import reference  # noqa: E402
import run  # noqa: E402

import tessel.language as pl  # noqa: E402

M, K, N = 8, 1536, 8192
KB, NB = 128, 256


@pl.jit
def matmul_i8(x: pl.Tensor[[M, K], pl.INT8], w: pl.Tensor[[K, N], pl.INT8],
              y: pl.Out[pl.Tensor[[M, N], pl.INT32]]):
    for b in pl.spmd(N // NB, name_hint="matmul"):
        with pl.at(level=pl.Level.CORE_GROUP):
            n0 = b * NB
            acc = pl.full([M, NB], dtype=pl.INT32, value=0)
            for k in pl.pipeline(K // KB, stage=2):
                k0 = k * KB
                acc = pl.matmul_acc(acc, x[0:M, k0:k0 + KB],
                                    w[k0:k0 + KB, n0:n0 + NB])
            y[0:M, n0:n0 + NB] = acc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default="a2a3", choices=["a2a3", "a5"])
    args = parser.parse_args(argv)

    rows = []
    mm = matmul_i8.schedule_model(args.target)
    rows.append(("int8 matmul 8x1536 @ 1536x8192 (whole kernel)",
                 mm["modeled_us"], 13.0, mm))
    p = reference.PRESETS["flash"]
    for kind in ("hand", "naive"):
        model = run.build_kernel(kind, p, 8).schedule_model(args.target)
        up = [s for s in model["scopes"] if "q_up_proj" in s["name"]]
        if up:
            rows.append((f"DSV4 FLASH T=8 {kind}: q up-projection scope "
                         f"({up[0]['name']})", up[0]["seconds"] * 1e6, 36.0, None))
        rows.append((f"DSV4 FLASH T=8 {kind}: whole kernel", model["modeled_us"],
                     407.0, model))
    print(f"target {args.target}; model / published (docs/perf-model.md)")
    print(f"{'what':<58} {'model us':>9} {'published':>10} {'ratio':>7} "
          f"{'floor us':>9} {'HBM/comp':>9}")
    for what, us, published, model in rows:
        floor = f"{model['hbm_floor_us']:>9.1f}" if model else f"{'':>9}"
        hbm = f"{model['hbm_bytes_ratio']:>9.3f}" if model else f"{'':>9}"
        print(f"{what:<58} {us:>9.1f} {published:>10.1f} {us / published:>7.2f} "
              f"{floor} {hbm}")
    print("per scope (hand, then naive): start us, length us, bound, "
          "HBM / L2 read bytes")
    for kind in ("hand", "naive"):
        model = run.build_kernel(kind, p, 8).schedule_model(args.target)
        for s in model["scopes"]:
            print(f"  {kind:<6} {s['name']:<28} {s['start_seconds'] * 1e6:>7.1f} "
                  f"{s['seconds'] * 1e6:>7.1f}  {s['bound']:<8} "
                  f"{s['hbm_read_bytes']:>10} {s['l2_read_bytes']:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
