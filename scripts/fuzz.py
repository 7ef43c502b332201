#!/usr/bin/env python3
"""Mutation fuzzer for tessel-opt's pipelines.

Takes a corpus of tile IR -- every case of every lit test input under test/
(split at `// -----`) and, with --dsv4, the two DSV4 kernels' IR at each
stage (tile, scheduled, placed) for both targets -- mutates it (integer
constants, shapes, element types, attributes, deleted, duplicated, swapped
and moved lines, operands replaced by other values, truncation; one to three
mutations per input) and runs each
mutant through

    tessel-opt -tile-npu-pipeline[=target=a5] -tile-cpu-pipeline

A mutant may be accepted or rejected with a diagnostic. It must never crash
(a signal, an assertion, `LLVM ERROR`, a stack dump) and never take longer
than --slow seconds. Every crash and slow compile is saved under --out as a
reproducer (the mutant, reduced line by line while it still fails the same
way, and tessel-opt's stderr).

Mutants are drawn from a seeded generator, so `--seed S --count N` is the
same N mutants on every run. Mutants run in batches (`-split-input-file`);
a batch that crashes or is slow is re-run one mutant at a time.

    make fuzz                                   # 10,000 mutants, seed 1
    .venv/bin/python scripts/fuzz.py --opt build/bin/tessel-opt \\
        --count 300 --seed 5 --dsv4             # a slice

The last line is `fuzz: N mutants, N crashes, N slow` and the exit status is
non-zero when there was a crash or a slow compile.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPLIT = "\n// -----\n"
CRASH_MARKS = ("Stack dump", "Assertion", "PLEASE submit a bug report",
               "UNREACHABLE", "LLVM ERROR")
PIPELINES = (
    ("-tile-npu-pipeline", "-tile-cpu-pipeline"),
    ("-tile-npu-pipeline=target=a5", "-tile-cpu-pipeline"),
)
DSV4_KERNELS = (
    ("decode_qkv_proj_rope_naive.py", "decode_qkv_proj_rope_naive"),
    ("decode_qkv_proj_rope.py", "decode_qkv_proj_rope"),
)
DSV4_STAGES = ("tile", "scheduled", "placed")
# Characters of IR per tessel-opt process.
BATCH_CHARS = 40000

# -- the corpus ------------------------------------------------------------


def lit_cases(test_root: Path) -> list[tuple[str, str]]:
    """(name, text) of every case of every .mlir lit input under test/."""
    cases = []
    for path in sorted(test_root.rglob("*.mlir")):
        for i, case in enumerate(path.read_text().split(SPLIT)):
            lines = [ln for ln in case.splitlines()
                     if not ln.lstrip().startswith(("// RUN", "// CHECK",
                                                    "// expected-"))]
            text = "\n".join(lines).strip()
            if "tile." in text or "func.func" in text:
                cases.append((f"{path.relative_to(test_root)}#{i}", text))
    return cases


def dsv4_cases(cache: Path, opt: str) -> list[tuple[str, str]]:
    """The DSV4 kernels' IR at each stage and target, made once into `cache`:
    the tile IR by the Python frontend, the later stages by `opt` (the same
    pipelines `tessel compile --emit` runs)."""
    cache.mkdir(parents=True, exist_ok=True)
    cases = []
    pipelines = {"scheduled": "-tile-schedule-pipeline=target={t}",
                 "placed": "-tile-npu-pipeline=target={t}"}
    for source, kernel in DSV4_KERNELS:
        src = ROOT / "kernels" / "dsv4" / source
        tile = cache / f"{kernel}.tile.mlir"
        if not tile.exists() or tile.stat().st_mtime < src.stat().st_mtime:
            subprocess.run([sys.executable, "-m", "tessel", "compile",
                            f"{src}::{kernel}", "--emit", "tile", "-o",
                            str(tile)], check=True, cwd=ROOT)
        cases.append((f"dsv4/{tile.name}", tile.read_text()))
        for target in ("a2a3", "a5"):
            # The frontend's tile IR differs between targets only in the
            # module's tile.target.
            text = tile.read_text().replace("#tile.target<a2a3>",
                                            f"#tile.target<{target}>")
            for stage in DSV4_STAGES[1:]:
                out = cache / f"{kernel}.{target}.{stage}.mlir"
                if not out.exists() or out.stat().st_mtime < tile.stat().st_mtime:
                    subprocess.run([opt, "-", pipelines[stage].format(t=target),
                                    "-o", str(out)], input=text, text=True,
                                   check=True, capture_output=True)
                cases.append((f"dsv4/{out.name}", out.read_text()))
    return cases


# -- mutations -------------------------------------------------------------

INTS = [0, 1, 2, 3, 7, 8, 16, 31, 32, 64, 100, 128, 255, 1024, 65536,
        1000000, 2147483647, 2147483648, -1]
ELEMENT_TYPES = ["f16", "bf16", "f32", "i8", "i32"]
ATTRIBUTE_SWAPS = [
    (r"\bcore_group\b", ["vector", "cube"]),
    (r"\bvector\b", ["cube", "core_group"]),
    (r"\bcube\b", ["vector", "core_group"]),
    (r"#tile\.target<a2a3>", ["#tile.target<a5>"]),
    (r"#tile\.target<a5>", ["#tile.target<a2a3>"]),
    (r"stages\(\d+\)", ["stages(1)", "stages(3)", "stages(8)"]),
    (r"\b(rint|round|floor|ceil|trunc|odd|none)\b",
     ["rint", "round", "floor", "ceil", "trunc", "odd", "none"]),
    (r"slots = \d+", ["slots = 1", "slots = 2", "slots = 3"]),
    (r"#tile\.memory<\w+>", ["#tile.memory<ub>", "#tile.memory<l1>",
                             "#tile.memory<l0c>", "#tile.memory<gm>"]),
]


def _replace_match(rng, text, pattern, choices):
    hits = list(re.finditer(pattern, text, re.M))
    if not hits:
        return None
    m = rng.choice(hits)
    return text[:m.start()] + rng.choice(choices) + text[m.end():]


def m_constant(rng, text):
    return _replace_match(
        rng, text,
        r"(?<=arith\.constant )-?\d+(?= : index)|(?<=tile\.spmd )\d+"
        r"|(?<=arith\.constant )-?\d+(?= : i)",
        [str(v) for v in INTS])


def m_integer(rng, text):
    return _replace_match(rng, text, r"(?<![\w%#.@^])\d+(?![\w.])",
                          [str(v) for v in INTS if 0 <= v < 1 << 20])


def m_shape(rng, text):
    return _replace_match(rng, text, r"(?<=[<x])\d+(?=x)",
                          ["1", "2", "3", "8", "16", "17", "64", "128", "4096"])


def m_element_type(rng, text):
    return _replace_match(rng, text, r"(?<=x)(f16|bf16|f32|i8|i32)(?=>)",
                          ELEMENT_TYPES)


def m_attribute(rng, text):
    pattern, choices = rng.choice(ATTRIBUTE_SWAPS)
    return _replace_match(rng, text, pattern, choices)


def _body_lines(lines):
    return [i for i, ln in enumerate(lines)
            if ln.strip() and not ln.lstrip().startswith("//")]


def m_delete(rng, text):
    lines = text.splitlines()
    body = _body_lines(lines)
    if not body:
        return None
    del lines[rng.choice(body)]
    return "\n".join(lines)


def m_duplicate(rng, text):
    lines = text.splitlines()
    body = _body_lines(lines)
    if not body:
        return None
    i = rng.choice(body)
    lines.insert(i, lines[i])
    return "\n".join(lines)


def m_swap(rng, text):
    lines = text.splitlines()
    body = _body_lines(lines)
    if len(body) < 2:
        return None
    k = rng.randrange(len(body))
    j = min(len(body) - 1, k + rng.randint(1, 3))
    if j == k:
        return None
    a, b = body[k], body[j]
    lines[a], lines[b] = lines[b], lines[a]
    return "\n".join(lines)


def m_truncate(rng, text):
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    return "\n".join(lines[:rng.randrange(1, len(lines))])


def m_operand(rng, text):
    """Replaces one use of an SSA value by another value of the text (the
    types often agree: the IR then parses with different dataflow)."""
    uses = [m for m in re.finditer(r"%[\w#]+", text)
            if not re.match(r"\s*(=|:|,\s*%[\w#]+\s*=)", text[m.end():])]
    names = sorted({m.group(0) for m in uses})
    if len(names) < 2:
        return None
    m = rng.choice(uses)
    return text[:m.start()] + rng.choice(names) + text[m.end():]


def m_move(rng, text):
    """Moves one line up to 12 lines away (a value used before its
    definition, an op leaving its loop or scope)."""
    lines = text.splitlines()
    body = _body_lines(lines)
    if len(body) < 2:
        return None
    i = rng.choice(body)
    line = lines.pop(i)
    j = max(0, min(len(lines), i + rng.randint(-12, 12)))
    lines.insert(j, line)
    return "\n".join(lines)


MUTATORS = {
    "constant": m_constant, "integer": m_integer, "shape": m_shape,
    "element-type": m_element_type, "attribute": m_attribute,
    "delete": m_delete, "duplicate": m_duplicate, "swap": m_swap,
    "truncate": m_truncate, "operand": m_operand, "move": m_move,
}
# Truncation mostly yields parse errors: rarer than the others.
WEIGHTS = {"constant": 4, "integer": 2, "shape": 2, "element-type": 2,
           "attribute": 2, "delete": 2, "duplicate": 2, "swap": 3,
           "truncate": 1, "operand": 2, "move": 2}


def mutate(rng, text):
    """`text` with one to three mutations, and their names."""
    names = []
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    for _ in range(rng.choice([1, 1, 2, 3])):
        for _attempt in range(5):
            kind = rng.choices(kinds, weights)[0]
            out = MUTATORS[kind](rng, text)
            if out is not None and out != text:
                text = out
                names.append(kind)
                break
    return text, names


def mutants(corpus, count, seed):
    """`count` mutants of the corpus: (id, origin, mutations, text, pipeline).
    The DSV4 inputs are drawn as often as all lit cases together."""
    rng = random.Random(seed)
    lit = [c for c in corpus if not c[0].startswith("dsv4/")]
    dsv4 = [c for c in corpus if c[0].startswith("dsv4/")]
    out = []
    for n in range(count):
        pool = dsv4 if dsv4 and (not lit or rng.random() < 0.3) else lit
        name, text = rng.choice(pool)
        text, kinds = mutate(rng, text)
        pipeline = PIPELINES[rng.randrange(len(PIPELINES))]
        out.append((n, name, kinds, text, pipeline))
    return out


# -- running ---------------------------------------------------------------


def run(opt, text, pipeline, timeout):
    """(returncode or None on timeout, stderr, seconds)."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [opt, "-split-input-file", *pipeline, "-o", "/dev/null", "-"],
            input=text, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, err, time.monotonic() - start
    return proc.returncode, proc.stderr, time.monotonic() - start


def crashed(rc, err):
    return rc is not None and (rc < 0 or any(m in err for m in CRASH_MARKS))


def signature(rc, err):
    """What identifies a failure: the assertion or the first frames of the
    stack that are Tessel's or MLIR's."""
    if rc is None:
        return "slow"
    m = re.search(r"Assertion `.*' failed|LLVM ERROR: .*|UNREACHABLE.*", err)
    if m:
        return re.sub(r"0x[0-9a-f]+", "", m.group(0))[:200]
    frames = []
    for line in err.splitlines():
        f = re.match(r"\s*#\d+ 0x[0-9a-f]+ (.*?)(?: \(|$)", line)
        if not f:
            continue
        sym = f.group(1)
        if any(s in sym for s in ("llvm::sys::", "SignalHandler", "__restore",
                                  "PrintStackTrace", "CallbackAndCookie",
                                  "libc.so", "killpg")):
            continue
        frames.append(sym.split("(")[0])
        if len(frames) == 3:
            break
    return " <- ".join(frames) or f"signal {rc}"


def fails(opt, text, pipeline, slow, sig=None):
    """Whether `text` crashes (with signature `sig` when given) or is slow."""
    rc, err, secs = run(opt, text, pipeline, slow)
    if rc is None or secs > slow:
        return sig in (None, "slow")
    return crashed(rc, err) and (sig is None or signature(rc, err) == sig)


def reduce(opt, text, pipeline, sig, slow, budget):
    """Deletes lines (chunks, then single lines) while the failure keeps its
    signature; stops after `budget` seconds."""
    deadline = time.monotonic() + budget
    lines = text.splitlines()
    chunk = max(1, len(lines) // 4)
    while chunk >= 1 and time.monotonic() < deadline:
        i = 0
        changed = False
        while i < len(lines) and time.monotonic() < deadline:
            trial = lines[:i] + lines[i + chunk:]
            if trial and fails(opt, "\n".join(trial), pipeline, slow, sig):
                lines = trial
                changed = True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    return "\n".join(lines)


def batches(items):
    batch, size = [], 0
    for item in items:
        if batch and (size + len(item[3]) > BATCH_CHARS or
                      batch[0][4] != item[4]):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[3])
    if batch:
        yield batch


def check_batch(opt, batch, slow):
    """The failures in a batch: (item, kind, signature, stderr, seconds)."""
    pipeline = batch[0][4]
    rc, err, secs = run(opt, SPLIT.join(b[3] for b in batch), pipeline,
                        slow * len(batch))
    if rc is not None and not crashed(rc, err) and secs <= slow:
        return [], ("failed to legalize operation 'func.func'" in err)
    found = []
    for item in batch if len(batch) > 1 else batch:
        rc, err, secs = run(opt, item[3], pipeline, slow)
        if rc is None or secs > slow:
            found.append((item, "slow", "slow", err, secs))
        elif crashed(rc, err):
            found.append((item, "crash", signature(rc, err), err, secs))
    return found, False


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--opt", default=str(ROOT / "build" / "bin" / "tessel-opt"))
    p.add_argument("--tests", type=Path, default=ROOT / "test",
                   help="lit test root whose .mlir inputs are the corpus")
    p.add_argument("--dsv4", action="store_true",
                   help="add the DSV4 kernels' IR at each stage")
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--time-limit", type=float, default=0,
                   help="stop starting batches after this many seconds")
    p.add_argument("--slow", type=float, default=10.0,
                   help="a compile over this many seconds is a failure")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--out", type=Path, default=ROOT / "build" / "fuzz")
    p.add_argument("--reduce-seconds", type=float, default=60)
    args = p.parse_args()

    corpus = lit_cases(args.tests)
    if args.dsv4:
        corpus += dsv4_cases(args.out / "corpus", args.opt)
    items = mutants(corpus, args.count, args.seed)
    print(f"corpus: {len(corpus)} inputs; {len(items)} mutants, seed "
          f"{args.seed}", flush=True)

    start = time.monotonic()
    failures, ran, opaque = [], 0, 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        pending = {}
        todo = iter(batches(items))
        while True:
            while len(pending) < 2 * args.jobs:
                if args.time_limit and time.monotonic() - start > args.time_limit:
                    break
                batch = next(todo, None)
                if batch is None:
                    break
                pending[pool.submit(check_batch, args.opt, batch, args.slow)] = batch
            if not pending:
                break
            done, _ = concurrent.futures.wait(
                pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                batch = pending.pop(fut)
                found, vague = fut.result()
                ran += len(batch)
                opaque += vague
                failures += found

    seen = {}
    for item, kind, sig, err, secs in failures:
        seen.setdefault(sig, []).append((item, kind, err, secs))
    if failures:
        args.out.mkdir(parents=True, exist_ok=True)
    for sig, hits in seen.items():
        item, kind, err, secs = hits[0]
        n, origin, kinds, text, pipeline = item
        small = reduce(args.opt, text, pipeline, sig, args.slow,
                       args.reduce_seconds)
        key = hashlib.sha1(sig.encode()).hexdigest()[:8]
        path = args.out / f"{kind}-{key}.mlir"
        path.write_text(
            f"// {kind}: {sig}\n// mutant {n} of seed {args.seed}, from "
            f"{origin} by {', '.join(kinds) or 'nothing'}\n"
            f"// RUN: tessel-opt -split-input-file {' '.join(pipeline)} %s\n"
            + small + "\n")
        path.with_suffix(".stderr").write_text(err[-20000:])
        print(f"{kind.upper()} ({len(hits)} mutants, {secs:.1f} s): {sig}\n"
              f"    reproducer {path} (from {origin}: {', '.join(kinds)})",
              flush=True)

    crashes = sum(1 for f in failures if f[1] == "crash")
    slow = sum(1 for f in failures if f[1] == "slow")
    if opaque:
        print(f"note: {opaque} batches rejected with only \"failed to "
              f"legalize operation 'func.func'\"")
    print(f"fuzz: {ran} mutants, {crashes} crashes, {slow} slow "
          f"({len(seen)} distinct) in {time.monotonic() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
