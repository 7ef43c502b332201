# Mutants of the tile-form-scopes lit inputs (scripts/fuzz.py's mutators:
# constants, shapes, element types, attributes, deleted, duplicated, swapped
# and moved lines, operands, truncation) through `tessel-opt
# -tile-form-scopes`, and through it then -tile-npu-pipeline
# -tile-cpu-pipeline: each must be accepted or rejected with a diagnostic,
# never crash, within 10 s. Mutants whose maps divide by zero are skipped:
# upstream MLIR's linalg verifier asserts on `floordiv 0` while parsing,
# before any Tessel pass runs.
#
# RUN: %python %s %S/../.. tessel-opt 300 | FileCheck %s
# CHECK: form-scopes fuzz: 300 mutants, 0 crashes, 0 slow

import random
import sys
from pathlib import Path

root, opt, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
sys.path.insert(0, str(root / "scripts"))
import fuzz  # noqa: E402

ALIASES = ("#id = affine_map<(d0, d1) -> (d0, d1)>\n"
           "#row = affine_map<(d0, d1) -> (d0, 0)>\n"
           "#col = affine_map<(d0, d1) -> (0, d1)>\n")
cases = []
for name in ("form-scopes.mlir", "form-scopes-invalid.mlir"):
    text = (root / "test" / "Transforms" / name).read_text()
    cases += [c for c in text.split("// -----") if "func.func" in c]

rng = random.Random(7)
crashes = slow = done = 0
while done < count:
    text, _ = fuzz.mutate(rng, rng.choice(cases))
    if "floordiv 0" in text:
        continue
    if "#id" in text and "#id =" not in text:
        text = ALIASES + text
    pipeline = rng.choice([("-tile-form-scopes",),
                           ("-tile-form-scopes", "-tile-npu-pipeline",
                            "-tile-cpu-pipeline")])
    rc, err, seconds = fuzz.run(opt, text, pipeline, 20)
    done += 1
    if fuzz.crashed(rc, err):
        crashes += 1
        print(f"crash ({' '.join(pipeline)}):\n{text}\n{err[-2000:]}")
    elif rc is None or seconds > 10:
        slow += 1
        print(f"slow ({seconds:.1f} s, {' '.join(pipeline)}):\n{text}")
print(f"form-scopes fuzz: {done} mutants, {crashes} crashes, {slow} slow")
