#!/usr/bin/env python3
"""Speed of the CPU simulation against PyTorch on the same machine.

Per-op kernels (one GM load, the op, one GM store per block) and the
matmul-heavy stages of the DSV4 FLASH decode kernel (T = 8), written in tile
IR the way the compiler tiles them (spmd over N, a pipelined K loop with
matmul_acc). Prints one line per case: simulation time, torch time, ratio.

    python bench/cpu_sim_ops.py [--threads N] [--repeat R]
"""

from __future__ import annotations

import argparse
import time

import torch

from tessel.runtime import CpuKernel


def timeit(fn, repeat: int) -> float:
    fn()  # warm up
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def elementwise(op: str, rows: int, cols: int, elt: str, block_rows: int):
    """spmd over row blocks; each block loads, applies `op`, stores."""
    blocks = rows // block_rows
    t = f"!tile.tile<{block_rows}x{cols}x{elt}>"
    m = f"memref<{rows}x{cols}x{elt}>"
    if op == "add":
        body = f"%z = tile.add %x, %y : {t}"
    elif op == "exp":
        body = f"%z = tile.exp %x : {t}"
    elif op == "mul":
        body = f"%z = tile.mul %x, %y : {t}"
    return f"""
func.func @k(%a: {m}, %b: {m}, %o: {m}) {{
  tile.spmd {blocks} (%blk) {{
    tile.at vector {{
      %c0 = arith.constant 0 : index
      %c{block_rows} = arith.constant {block_rows} : index
      %r = arith.muli %blk, %c{block_rows} : index
      %x = tile.load %a[%r, %c0] : {m} -> {t}
      %y = tile.load %b[%r, %c0] : {m} -> {t}
      {body}
      tile.store %z, %o[%r, %c0] : {t}, {m}
    }}
  }}
  return
}}"""


def cast_kernel(rows, cols, block_rows, src, dst, mode):
    blocks = rows // block_rows
    ts, td = (f"!tile.tile<{block_rows}x{cols}x{src}>",
              f"!tile.tile<{block_rows}x{cols}x{dst}>")
    ms, md = f"memref<{rows}x{cols}x{src}>", f"memref<{rows}x{cols}x{dst}>"
    return f"""
func.func @k(%a: {ms}, %o: {md}) {{
  tile.spmd {blocks} (%blk) {{
    tile.at vector {{
      %c0 = arith.constant 0 : index
      %c{block_rows} = arith.constant {block_rows} : index
      %r = arith.muli %blk, %c{block_rows} : index
      %x = tile.load %a[%r, %c0] : {ms} -> {ts}
      %z = tile.cast %x {mode} : {ts} -> {td}
      tile.store %z, %o[%r, %c0] : {td}, {md}
    }}
  }}
  return
}}"""


def row_sum_kernel(rows, cols, block_rows):
    blocks = rows // block_rows
    t = f"!tile.tile<{block_rows}x{cols}xf32>"
    r = f"!tile.tile<{block_rows}x1xf32>"
    return f"""
func.func @k(%a: memref<{rows}x{cols}xf32>, %o: memref<{rows}x1xf32>) {{
  tile.spmd {blocks} (%blk) {{
    tile.at vector {{
      %c0 = arith.constant 0 : index
      %c{block_rows} = arith.constant {block_rows} : index
      %row = arith.muli %blk, %c{block_rows} : index
      %x = tile.load %a[%row, %c0] : memref<{rows}x{cols}xf32> -> {t}
      %s = tile.row_sum %x : {t} -> {r}
      tile.store %s, %o[%row, %c0] : {r}, memref<{rows}x1xf32>
    }}
  }}
  return
}}"""


def matmul_kernel(m, k, n, elt, acc_elt, tn, tk, placed):
    """C[m, n] = A[m, k] @ B[k, n]: spmd over n / tn column blocks, a
    2-stage pipeline over k / tk steps with matmul_acc in L0C."""
    blocks, steps = n // tn, k // tk
    ta, tb, tc = (f"!tile.tile<{m}x{tk}x{elt}>", f"!tile.tile<{tk}x{tn}x{elt}>",
                  f"!tile.tile<{m}x{tn}x{acc_elt}>")
    ma, mb, mc = (f"memref<{m}x{k}x{elt}>", f"memref<{k}x{n}x{elt}>",
                  f"memref<{m}x{n}x{acc_elt}>")
    esz = {"bf16": 2, "i8": 1}[elt]
    a_bytes = (m * tk * esz + 511) // 512 * 512
    b_bytes = (tk * tn * esz + 511) // 512 * 512
    c_bytes = (m * tn * 4 + 511) // 512 * 512
    zero = "0" if acc_elt == "i32" else "0.0"

    def place(kind, off, slots=1):
        if not placed:
            return ""
        s = f", slots = {slots}" if slots > 1 else ""
        return f" {{place = #tile.place<{kind}, {off}{s}>}}"
    places = (f" attributes {{places = [#tile.place<l0c, 0>]}}"
              if placed else "")
    attrs = " attributes {tile.placed}" if placed else ""
    return f"""
func.func @k(%a: {ma}, %b: {mb}, %o: {mc}){attrs} {{
  tile.spmd {blocks} (%blk) {{
    tile.at cube {{
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %csteps = arith.constant {steps} : index
      %ctk = arith.constant {tk} : index
      %ctn = arith.constant {tn} : index
      %col = arith.muli %blk, %ctn : index
      %zero = tile.full {zero}{place("l0c", c_bytes)} : {tc}
      %acc = tile.pipeline %s = %c0 to %csteps step %c1 stages(2)
          iter_args(%c = %zero) -> ({tc}){places} {{
        %kk = arith.muli %s, %ctk : index
        %x = tile.load %a[%c0, %kk]{place("l1", 0, 2)} : {ma} -> {ta}
        %y = tile.load %b[%kk, %col]{place("l1", 2 * a_bytes, 2)} : {mb} -> {tb}
        %d = tile.matmul_acc %c, %x, %y{place("l0c", 2 * c_bytes)} : {ta}, {tb} -> {tc}
        tile.yield %d : {tc}
      }}
      tile.store %acc, %o[%c0, %col] : {tc}, {mc}
    }}
  }}
  return
}}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--opt-level", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(0)
    rows = []

    def case(name, text, inputs, outputs, torch_fn):
        start = time.perf_counter()
        k = CpuKernel(text, "k", opt_level=args.opt_level,
                      threads=args.threads)
        compile_s = time.perf_counter() - start
        sim = timeit(lambda: k(*inputs, *outputs), args.repeat)
        ref = timeit(torch_fn, args.repeat)
        rows.append((name, sim, ref, compile_s))
        print(f"{name:48s} sim {sim * 1e3:9.3f} ms   torch {ref * 1e3:9.3f} ms"
              f"   sim/torch {sim / ref:6.2f}   (compile {compile_s:.2f} s)",
              flush=True)

    torch.set_num_threads(max(1, args.threads))
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    o = torch.empty(1024, 1024)
    case("add f32 1024x1024 (8x1024 tiles)",
         elementwise("add", 1024, 1024, "f32", 8), [a, b], [o],
         lambda: torch.add(a, b, out=o))
    case("exp f32 1024x1024 (8x1024 tiles)",
         elementwise("exp", 1024, 1024, "f32", 8), [a, b], [o],
         lambda: torch.exp(a, out=o))
    ah, bh = a.half(), b.half()
    oh = torch.empty_like(ah)
    case("mul f16 1024x1024 (8x1024 tiles)",
         elementwise("mul", 1024, 1024, "f16", 8), [ah, bh], [oh],
         lambda: torch.mul(ah, bh, out=oh))
    ob = torch.empty(1024, 1024, dtype=torch.bfloat16)
    case("cast f32->bf16 rint 1024x1024",
         cast_kernel(1024, 1024, 8, "f32", "bf16", "rint"), [a], [ob],
         lambda: ob.copy_(a))
    oi = torch.empty(1024, 1024, dtype=torch.int32)
    case("cast f32->i32 rint 1024x1024",
         cast_kernel(1024, 1024, 8, "f32", "i32", "rint"), [a], [oi],
         lambda: torch.round(a).to(torch.int32))
    os_ = torch.empty(1024, 1)
    case("row_sum f32 1024x1024",
         row_sum_kernel(1024, 1024, 8), [a], [os_],
         lambda: torch.sum(a, dim=1, keepdim=True, out=os_))

    # DSV4 FLASH matmuls, T = 8.
    x = torch.randn(8, 4096).bfloat16()
    wq_a = (torch.randn(4096, 1024) / 64).bfloat16()
    out = torch.empty(8, 1024)
    for placed in (False, True):
        case(f"matmul bf16 8x4096x1024 ({'placed' if placed else 'unplaced'})",
             matmul_kernel(8, 4096, 1024, "bf16", "f32", 128, 256, placed),
             [x, wq_a], [out], lambda: x.float() @ wq_a.float())
    print(f"{'':48s} torch bf16 matmul (x @ w in bf16): "
          f"{timeit(lambda: x @ wq_a, args.repeat) * 1e3:.3f} ms")
    wkv = (torch.randn(4096, 512) / 64).bfloat16()
    outkv = torch.empty(8, 512)
    case("matmul bf16 8x4096x512 (placed)",
         matmul_kernel(8, 4096, 512, "bf16", "f32", 128, 256, True),
         [x, wkv], [outkv], lambda: x.float() @ wkv.float())
    qr = torch.randint(-127, 128, (8, 1024), dtype=torch.int8)
    wq_b = torch.randint(-127, 128, (1024, 32768), dtype=torch.int8)
    outq = torch.empty(8, 32768, dtype=torch.int32)
    case("matmul i8 8x1024x32768 (placed)",
         matmul_kernel(8, 1024, 32768, "i8", "i32", 256, 256, True),
         [qr, wq_b], [outq], lambda: qr.int() @ wq_b.int())
    total_sim = sum(r[1] for r in rows[-3:])
    total_ref = sum(r[2] for r in rows[-3:])
    print(f"{'DSV4 FLASH matmuls (placed, 3 stages)':48s} sim "
          f"{total_sim * 1e3:9.3f} ms   torch {total_ref * 1e3:9.3f} ms   "
          f"sim/torch {total_sim / total_ref:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
