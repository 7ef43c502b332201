#!/usr/bin/env python3
"""`make demo`: the DSV4 FLASH decode kernel (T=8) through the whole
pipeline that exists, checked against its PyTorch golden."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "kernels/dsv4/decode_qkv_proj_rope.py::decode_qkv_proj_rope"

EXPLAIN = f"""\
What was compiled: kernels/dsv4/decode_qkv_proj_rope.py, the DeepSeek-V4
decode Q/KV projection + RoPE kernel written in the PyPTO `pl` surface
(tessel.language), hand-scheduled as eight spmd scopes. The AST frontend
built tile-dialect IR with the author's source locations; tile-npu-pipeline
gave every scope its core kind (splitting the mixed q_up_proj scope through
GM, as A2/A3 needs), fused q_head_norm with q_rope and kv_norm with kv_rope,
grouped blocks into tasks by a modelled makespan (jamming the q_up_proj cube
tasks so they share their qr loads), and placed every tile in UB / L1 / L0C
within the a2a3 capacities; the placed program was lowered to LLVM,
JIT-compiled and run on
torch tensors (the CPU simulation, every tile at its placed offset); the
outputs were compared with the PyTorch golden (kernels/dsv4/reference.py)
by the contract's accuracy rule.

See the IR of each stage (tile, scheduled, placed, llvm) with:
  .venv/bin/tessel compile {KERNEL} --emit tile
  .venv/bin/tessel compile {KERNEL} --emit scheduled --remarks
  .venv/bin/tessel compile {KERNEL} --emit placed
  .venv/bin/tessel compile {KERNEL} --emit llvm
Other presets and token counts:
  .venv/bin/python kernels/dsv4/run.py --preset pro --tokens 128
The same computation written naively (14 scopes, fp32 GM intermediates),
scheduled by the same pipeline, side by side with this one:
  .venv/bin/python kernels/dsv4/run.py --compare

The second run above is the NPU back end (docs/pto.md): tile-pto-pipeline
synchronised the AI Core's pipes (set_flag / wait_flag between MTE2, V,
MTE3, MTE1, M and FIX, vector barriers), convert-tile-to-emitc printed an
Ascend C kernel on PTO-ISA, g++ built it against the strict reference in
runtime/pto (which reports any missing synchronisation as a hazard) and ran
it; its outputs passed the same golden. See the synchronised IR and the
source with:
  .venv/bin/tessel compile {KERNEL} --emit synced
  .venv/bin/tessel compile {KERNEL} --emit pto
"""


def main() -> int:
    run = [sys.executable, str(ROOT / "kernels/dsv4/run.py"), "--preset",
           "flash", "--tokens", "8"]
    rc = subprocess.call(run, cwd=ROOT)
    print()
    print("The same kernel through the NPU back end (emitted PTO-ISA C++ on "
          "the strict reference):", flush=True)
    rc |= subprocess.call(run + ["--backend", "pto"], cwd=ROOT)
    print()
    print(EXPLAIN)
    return rc


if __name__ == "__main__":
    sys.exit(main())
