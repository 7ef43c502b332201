# The scheduling and placement passes must never crash: whatever verified IR
# they get, they transform it or report a diagnostic, never abort, assert or
# take a signal.
#
# Inputs, each through -tile-schedule-pipeline, -tile-npu-pipeline and
# -tile-npu-pipeline=target=a5:
#   - every case of every test/Transforms and test/Conversion file, and three
#     copies of each with one integer literal changed (grids, offsets, loop
#     bounds, shapes: most stay valid IR, some become invalid);
#   - the two DSV4 kernels' tile IR (FLASH T=8) with 1-3 index constants or
#     grid sizes changed (valid IR with other grids, strides and bounds: the
#     fusion, regrouping, re-tiling and jamming paths on unusual shapes).
# Mutations come from fixed seeds, so a failure reproduces. A batch that
# crashes is re-run one input at a time and the crashing inputs are printed.
#
# RUN: %python -m tessel compile %S/../../../kernels/dsv4/decode_qkv_proj_rope_naive.py::decode_qkv_proj_rope_naive --emit tile > %t.naive.mlir
# RUN: %python -m tessel compile %S/../../../kernels/dsv4/decode_qkv_proj_rope.py::decode_qkv_proj_rope --emit tile > %t.hand.mlir
# RUN: %python %s tessel-opt %S/../.. %t.naive.mlir %t.hand.mlir | FileCheck %s
# CHECK: test cases: {{[0-9]+}} inputs x 3 pipelines, no crash
# CHECK: DSV4 mutations: {{[0-9]+}} inputs x 3 pipelines ({{[0-9]+}} accepted), no crash

import random
import re
import subprocess
import sys
from pathlib import Path

SPLIT = "\n// -----\n"
CRASH_MARKS = ("Stack dump", "Assertion", "PLEASE submit a bug report",
               "UNREACHABLE", "LLVM ERROR")
PIPELINES = ("-tile-schedule-pipeline", "-tile-npu-pipeline",
             "-tile-npu-pipeline=target=a5")
BATCH = 100


def run(opt, text, pipeline):
    return subprocess.run([opt, "-split-input-file", pipeline, "-o",
                           "/dev/null", "-"],
                          input=text, capture_output=True, text=True)


def crashed(proc):
    return proc.returncode < 0 or any(m in proc.stderr for m in CRASH_MARKS)


def check(opt, inputs):
    """(crashing inputs, inputs accepted by every pipeline)."""
    bad, accepted = [], 0
    for start in range(0, len(inputs), BATCH):
        chunk = inputs[start:start + BATCH]
        for pipeline in PIPELINES:
            if not crashed(run(opt, SPLIT.join(chunk), pipeline)):
                continue
            for text in chunk:
                proc = run(opt, text, pipeline)
                if crashed(proc):
                    bad.append((pipeline, text, proc.stderr))
    if len(inputs) <= 200:
        for text in inputs:
            accepted += run(opt, text, PIPELINES[1]).returncode == 0
    return bad, accepted


def change_literal(rng, text, pattern):
    hits = list(re.finditer(pattern, text))
    if not hits:
        return text
    m = rng.choice(hits)
    value = rng.choice([0, 1, 2, 3, 4, 7, 8, 16, 32, 63, 64, 100, 128, 256,
                        512])
    return text[:m.start()] + str(value) + text[m.end():]


def main():
    opt, test_root, *dsv4 = sys.argv[1:]
    rng = random.Random(7)
    cases = []
    for path in sorted(Path(test_root).glob("Transforms/*.mlir")) + \
            sorted(Path(test_root).glob("Conversion/*.mlir")):
        for case in path.read_text().split(SPLIT):
            cases.append(case)
            for _ in range(3):
                cases.append(change_literal(rng, case, r"(?<![\w%#.])\d+(?![\w.])"))
    failures = []
    bad, _ = check(opt, cases)
    failures += bad
    print(f"test cases: {len(cases)} inputs x {len(PIPELINES)} pipelines, "
          + ("no crash" if not bad else f"{len(bad)} crashes"))

    sources = [Path(p).read_text() for p in dsv4]
    mutants = []
    for _ in range(60):
        text = rng.choice(sources)
        for _ in range(rng.randint(1, 3)):
            text = change_literal(
                rng, text, r"(?<=arith\.constant )\d+(?= : index)|(?<=tile\.spmd )\d+")
        mutants.append(text)
    bad, accepted = check(opt, mutants)
    failures += bad
    print(f"DSV4 mutations: {len(mutants)} inputs x {len(PIPELINES)} pipelines "
          f"({accepted} accepted), " + ("no crash" if not bad else f"{len(bad)} crashes"))
    for pipeline, text, err in failures[:3]:
        print(f"CRASH under {pipeline}:\n{text}\n{err[-3000:]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
