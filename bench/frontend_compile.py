#!/usr/bin/env python3
"""Time the frontend: Python source of a ~200-line kernel -> verified tile IR.

Generates a kernel in the `pl` style of the DSV4 decode kernel (a chain of
spmd scopes with pipelined matmul K loops, RMSNorm passes, quantisation and
RoPE, meeting in GM scratch tensors), writes it to a temporary file, and
times `compile_kernel(fn, "a2a3", "tile")` (parse, build IR with
locations, verify). Prints the kernel's size and the best and median
times; the goal is < 100 ms.

    python bench/frontend_compile.py [--stages N] [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path

HEADER = '''\
import tessel.language as pl

T = 16
D = 1024
N = 512
KB = 128
NB = 64
TT = 4
CB = 128
EPS = 1e-6


@pl.jit.inline
def rope(t, cos, sin):
    even = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P0101)
    odd = pl.gather(t, mask_pattern=pl.tile.MaskPattern.P1010)
    re = pl.sub(pl.mul(even, cos), pl.mul(odd, sin))
    im = pl.add(pl.mul(even, sin), pl.mul(odd, cos))
    out = pl.full([TT, 64], dtype=pl.FP32, value=0.0)
    out = pl.tensor.scatter(re, mask_pattern=pl.tile.MaskPattern.P0101, dst=out)
    return pl.tensor.scatter(im, mask_pattern=pl.tile.MaskPattern.P1010, dst=out)


@pl.jit
def bench_kernel(
    x: pl.Tensor[[T, D], pl.BF16],
    w: pl.Tensor[[D, N], pl.BF16],
    gamma: pl.Tensor[[N], pl.BF16],
    cos: pl.Tensor[[T, 32], pl.BF16],
    sin: pl.Tensor[[T, 32], pl.BF16],
    out: pl.Out[pl.Tensor[[T, N], pl.BF16]],
    q: pl.Out[pl.Tensor[[T, N], pl.INT8]],
):
'''

STAGE = '''\
    # ---- stage {i}: projection, RMSNorm, quantisation, RoPE ----
    p{i} = pl.create_tensor([T, N], dtype=pl.FP32)
    for b in pl.spmd(N // NB, name_hint="proj{i}"):
        with pl.at(level=pl.Level.CORE_GROUP):
            n0 = b * NB
            acc = pl.full([T, NB], dtype=pl.FP32, value=0.0)
            for k in pl.pipeline(D // KB, stage=2):
                k0 = k * KB
                acc = pl.matmul_acc(acc, x[:, k0:k0 + KB], w[k0:k0 + KB, n0:n0 + NB])
            p{i}[:, n0:n0 + NB] = acc
    for b in pl.spmd(T // TT, name_hint="norm{i}"):
        t0 = b * TT
        ss = pl.full([TT, 1], dtype=pl.FP32, value=0.0)
        for c in pl.pipeline(N // CB, stage=2):
            c0 = c * CB
            v = p{i}[t0:t0 + TT, c0:c0 + CB]
            ss = pl.add(ss, pl.row_sum(pl.mul(v, v)))
        rs = pl.rsqrt(pl.add(pl.mul(ss, 1.0 / N), EPS))
        amax = pl.full([TT, 1], dtype=pl.FP32, value=1e-4)
        for c in pl.pipeline(N // CB, stage=2):
            c0 = c * CB
            g = pl.cast(gamma[c0:c0 + CB], target_type=pl.FP32)
            r = pl.col_expand_mul(pl.row_expand_mul(p{i}[t0:t0 + TT, c0:c0 + CB], rs), g)
            amax = pl.maximum(amax, pl.row_max(pl.abs(r)))
            if c == 0:
                out[t0:t0 + TT, c0:c0 + CB] = pl.cast(r, target_type=pl.BF16, mode="rint")
            else:
                out[t0:t0 + TT, c0:c0 + CB] = pl.cast(pl.neg(r), target_type=pl.BF16, mode="rint")
        s = pl.div(127.0, amax)
        for c in pl.range(N // CB):
            c0 = c * CB
            r = pl.row_expand_mul(p{i}[t0:t0 + TT, c0:c0 + CB], s)
            qi = pl.cast(r, target_type=pl.INT32, mode="rint")
            qh = pl.cast(qi, target_type=pl.FP16, mode="round")
            q[t0:t0 + TT, c0:c0 + CB] = pl.cast(qh, target_type=pl.INT8, mode="trunc")
        c32 = pl.cast(cos[t0:t0 + TT, :], target_type=pl.FP32)
        s32 = pl.cast(sin[t0:t0 + TT, :], target_type=pl.FP32)
        rot = rope(p{i}[t0:t0 + TT, N - 64:N], c32, s32)
        out[t0:t0 + TT, N - 64:N] = pl.cast(rot, target_type=pl.BF16, mode="rint")
'''


def make_source(stages: int) -> str:
    return HEADER + "".join(STAGE.format(i=i) for i in range(stages))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", type=int, default=5,
                        help="repetitions of the 37-line stage (default 5: "
                             "~225 lines)")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    source = make_source(args.stages)
    t0 = time.perf_counter()
    import tessel.frontend.codegen  # noqa: F401  (the MLIR bindings)
    import_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench_kernel.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location("bench_kernel", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_kernel"] = module
        spec.loader.exec_module(module)
        fn = module.bench_kernel.fn

        from tessel.compiler import compile_kernel
        t0 = time.perf_counter()
        first = compile_kernel(fn, "a2a3", "tile")
        first_s = time.perf_counter() - t0
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            compiled = compile_kernel(fn, "a2a3", "tile")
            times.append(time.perf_counter() - t0)
        ir_lines = len(compiled.text().splitlines())
        ops = [0]

        def count(op):
            ops[0] += 1
            from tessel.mlir import ir
            return ir.WalkResult.ADVANCE

        compiled.module.operation.walk(count)
        del first

    lines = len(source.splitlines())
    best, median = min(times) * 1e3, statistics.median(times) * 1e3
    print(f"kernel: {lines} source lines, {ops[0]} ops, {ir_lines} IR lines")
    print(f"import of the frontend and the MLIR bindings: {import_s * 1e3:.1f} ms "
          f"(once per process)")
    print(f"first compile (loads dialects): {first_s * 1e3:.1f} ms")
    print(f"compile to verified tile IR: best {best:.1f} ms, median "
          f"{median:.1f} ms over {args.repeat} runs (goal < 100 ms: "
          f"{'met' if median < 100 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
