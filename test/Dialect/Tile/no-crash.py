# Malformed input must never crash tessel-opt: it may accept an input or
# reject it with a diagnostic, but never abort, assert or take a signal.
#
# Feeds tessel-opt, in batches separated by `// -----`:
#   - every prefix of round-trip.mlir and of its generic form, cut at line
#     boundaries (unbalanced regions, half-written ops, dangling uses);
#   - every prefix of every case of invalid.mlir;
#   - one-line mutations of every tile op line of round-trip.mlir (element
#     types, shapes, operands, modes, scopes, deleted and duplicated lines);
#   - hand-written garbage that reaches the generic-form paths the custom
#     syntax never produces.
# Each batch runs once plainly and once through -tile-check-scopes. A batch
# that crashes is re-run one input at a time and the crashing inputs are
# printed.
#
# RUN: %python %s tessel-opt %S | FileCheck %s
# CHECK: round-trip.mlir parses cleanly
# CHECK: generic form parses cleanly
# CHECK: prefixes of round-trip.mlir: {{[0-9]+}} inputs, no crash
# CHECK: prefixes of the generic form: {{[0-9]+}} inputs, no crash
# CHECK: prefixes of invalid.mlir cases: {{[0-9]+}} inputs, no crash
# CHECK: mutations of round-trip.mlir: {{[0-9]+}} inputs, no crash
# CHECK: garbage: {{[0-9]+}} inputs, no crash
# CHECK: no crash in {{[0-9]+}} inputs

import re
import subprocess
import sys
from pathlib import Path

SPLIT = "\n// -----\n"
CRASH_MARKS = ("Stack dump", "Assertion", "PLEASE submit a bug report",
               "UNREACHABLE", "LLVM ERROR")
# Inputs per tessel-opt process.
BATCH = 400


def run(opt, text, extra=()):
    return subprocess.run([opt, "-split-input-file", *extra, "-"],
                          input=text, capture_output=True, text=True)


def crashed(proc):
    return proc.returncode < 0 or any(m in proc.stderr for m in CRASH_MARKS)


def check_batch(opt, name, inputs):
    """Runs `inputs` in batches; returns the crashing inputs."""
    bad = []
    for start in range(0, len(inputs), BATCH):
        chunk = inputs[start:start + BATCH]
        for extra in ((), ("-tile-check-scopes",)):
            if not crashed(run(opt, SPLIT.join(chunk), extra)):
                continue
            for text in chunk:
                proc = run(opt, text, extra)
                if crashed(proc):
                    bad.append((name, extra, text, proc))
    return bad


def prefixes(text):
    lines = text.splitlines()
    return ["\n".join(lines[:n]) for n in range(len(lines) + 1)]


def functions(text):
    """The top-level `func.func` definitions of a file, one string each."""
    funcs, current = [], None
    for line in text.splitlines():
        if line.startswith("func.func"):
            current = [line]
        elif current is not None:
            current.append(line)
            if line == "}":
                funcs.append("\n".join(current))
                current = None
    return funcs


MUTATIONS = [
    (r"xf32>", "xbf16>"), (r"xf32>", "xi8>"), (r"xf16>", "xf32>"),
    (r"xbf16>", "xi32>"), (r"xi8>", "xf64>"), (r"xi32>", "xi16>"),
    (r"<(\d+)x(\d+)x", r"<\2x\1x"), (r"<(\d+)x", "<0x"), (r"<(\d+)x", "<3x"),
    (r"x(\d+)x", "x7x"), (r"<(\d+)x(\d+)x", r"<\1x"),
    (r"memref<(\d+)x", "memref<?x"), (r"memref<(\d+)x", "memref<1x"),
    (r" : .*$", ""), (r", %[\w#]+", ""), (r"%[a-z]\w*", "%undefined"),
    (r"\[[^\]]*\]", "[]"), (r"->.*$", "-> f32"),
    (r"\brint\b", "none"), (r"\bnone\b", "ceil"), (r"\bp0101\b", "p1010"),
    (r"stages\(\d+\)", "stages(0)"), (r"stages\(\d+\)", "stages(-1)"),
    (r"\bvector\b", "cube"), (r"\bcube\b", "vector"),
    (r"tile\.spmd \d+", "tile.spmd 0"), (r"iter_args\(.*\) ->", "->"),
    (r"\d+\.\d+(e[+-]?\d+)?", "1e400"), (r"-?\d+ :", "99999999999999999999 :"),
    (r"\{place = [^}]*\}", "{place = #tile.place<gm, -1, slots = 0>}"),
    (r"tile\.(\w+)", r'"tile.\1"'),
]


def mutations(func):
    lines = func.splitlines()
    out = []
    for i, line in enumerate(lines):
        if "tile." not in line:
            continue
        variants = [re.sub(p, r, line, count=1) for p, r in MUTATIONS]
        variants += [line[:len(line) // 2], "", line + "\n" + line]
        for v in variants:
            if v != line:
                out.append("\n".join(lines[:i] + [v] + lines[i + 1:]))
    return out


GARBAGE = [
    "", "tile.", "!tile.tile", "%x = tile.full", "tile.spmd", "}}}}",
    '"tile.spmd"() : () -> ()',
    '"tile.spmd"() <{blocks = "x"}> ({\n^bb0(%b: index):\n'
    '  "tile.yield"() : () -> ()\n}) : () -> ()',
    '"tile.spmd"() <{blocks = 2 : i64}> ({\n}) : () -> ()',
    '"tile.spmd"() <{blocks = 2 : i64}> ({\n^bb0(%b: index):\n}) : () -> ()',
    '"tile.spmd"() <{blocks = 2 : i64}> ({\n^bb0:\n'
    '  "tile.yield"() : () -> ()\n}) : () -> ()',
    '"tile.at"() <{kind = 7 : i32}> ({\n  "tile.yield"() : () -> ()\n'
    '}) : () -> ()',
    '"tile.at"() ({\n  "tile.yield"() : () -> ()\n}) : () -> ()',
    '%x = "tile.full"() : () -> !tile.tile<1x1xf32>',
    '%x = "tile.full"() <{value = "s"}> : () -> !tile.tile<1x1xf32>',
    '%x = "tile.full"() <{value = 1.0 : f32}> : () -> f32',
    '%x = "tile.full"() <{value = dense<1.0> : tensor<f32>}> : () -> '
    '!tile.tile<1x1xf32>',
    '%x:2 = "tile.full"() <{value = 1.0 : f32}> : () -> '
    '(!tile.tile<1x1xf32>, !tile.tile<1x1xf32>)',
    '"tile.yield"(%x) : (index) -> ()',
    '%p = "tile.pipeline"() <{stages = 2 : i64}> ({\n^bb0(%i: index):\n'
    '  "tile.yield"() : () -> ()\n}) : () -> index',
    'func.func @f(%n: index) {\n'
    '  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> ({\n'
    '  ^bb0(%i: index):\n    "tile.yield"() : () -> ()\n'
    '  ^bb1:\n    "tile.yield"() : () -> ()\n'
    '  }) : (index, index, index) -> ()\n  return\n}',
    'func.func @f(%n: index) {\n'
    '  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> ({\n'
    '  ^bb0(%i: index):\n    "func.return"() : () -> ()\n'
    '  }) : (index, index, index) -> ()\n  return\n}',
    'func.func @f(%n: index) {\n'
    '  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> ({\n'
    '  }) : (index, index, index) -> ()\n  return\n}',
    'func.func @f(%n: index) {\n'
    '  "tile.pipeline"(%n, %n, %n) <{stages = 2 : i64}> : '
    '(index, index, index) -> ()\n  return\n}',
    'func.func @f(%n: index, %t: !tile.tile<1x1xf32>) {\n'
    '  %r:2 = "tile.pipeline"(%n, %n, %n, %t) <{stages = 2 : i64}> ({\n'
    '  ^bb0(%i: index):\n    "tile.yield"(%t, %t) : '
    '(!tile.tile<1x1xf32>, !tile.tile<1x1xf32>) -> ()\n'
    '  }) : (index, index, index, !tile.tile<1x1xf32>) -> '
    '(!tile.tile<1x1xf32>, !tile.tile<1x1xf32>)\n  return\n}',
    'func.func @f(%n: index) {\n'
    '  "tile.pipeline"(%n, %n) <{stages = 2 : i64}> ({\n'
    '  ^bb0(%i: index):\n    "tile.yield"() : () -> ()\n'
    '  }) : (index, index) -> ()\n  return\n}',
    'func.func private @f(!tile.tile<99999999999999999999x1xf32>)',
    'func.func private @f(!tile.tile<9223372036854775807x9223372036854775807'
    'xf32>)',
    'func.func private @f(!tile.tile<-1x1xf32>)',
    'func.func private @f(!tile.tile<>)',
    'func.func private @f(!tile.tile<1x1x>)',
    'func.func private @f(!tile.tile<1x1xtile.tile>)',
    'func.func private @f(!tile.tile<1x1x!tile.tile<1x1xf32>>)',
    'func.func private @f(!tile.tile<[4]x1xf32>)',
    'func.func private @f(!tile.bogus<1>)',
    'func.func private @f() attributes {p = #tile.place<ub, '
    '99999999999999999999>}',
    'func.func private @f() attributes {p = #tile.place<ub>}',
    'func.func private @f() attributes {p = #tile.place}',
    'func.func private @f() attributes {p = #tile.place<l0a, 0, slots = -1>}',
    'func.func private @f() attributes {p = #tile.bogus<1>}',
    'func.func private @f() attributes {p = #tile.memory<>}',
    'func.func private @f() attributes {p = #tile.target}',
    'func.func @f() {\n  tile.spmd 99999999999999999999 (%b) {}\n  return\n}',
    'func.func @f() {\n  tile.spmd 1 name(7) (%b) {}\n  return\n}',
    'func.func @f() {\n  tile.spmd 1 name("x") (%b, %c) {}\n  return\n}',
    'func.func @f() {\n  tile.spmd 1 (%b) attributes {blocks = 3} {}\n'
    '  return\n}',
    'func.func @f(%n: index) {\n  tile.spmd 1 (%b) { tile.at vector {\n'
    '    tile.pipeline %i = %n to %n step %n stages(99999999999999999999) {}\n'
    '  } }\n  return\n}',
    'func.func @f(%n: index) {\n  tile.spmd 1 (%b) { tile.at vector {\n'
    '    tile.pipeline %i = %n to %n step %n stages(2) iter_args() -> () {}\n'
    '  } }\n  return\n}',
    'func.func @f(%n: index) {\n  tile.spmd 1 (%b) { tile.at vector {\n'
    '    tile.pipeline %i = %n to %n step %n stages(2) '
    'attributes {stages = 3} {}\n  } }\n  return\n}',
] + [
    'func.func @f() {\n  tile.spmd 1 (%b) { tile.at vector {\n'
    f'    %x = tile.full {v} : !tile.tile<1x1x{t}>\n  }} }}\n  return\n}}'
    for v in ("-", "--1", "- 1", "true", "false", "0x7F800000", "0x1", "1.0e400",
              "-1.0e400", "1.0e-400", "99999999999999999999999999",
              "-99999999999999999999999999", "inf", "-inf", "nan", "-nan",
              "infinity", "\"1\"", "1 : i32", "[1]", "-0")
    for t in ("f32", "f16", "bf16", "i8", "i32")
]


def main():
    opt, here = sys.argv[1], Path(sys.argv[2])
    round_trip = (here / "round-trip.mlir").read_text()
    invalid = (here / "invalid.mlir").read_text()

    # The unmutated inputs must pass, or nothing below means anything.
    proc = run(opt, round_trip)
    assert proc.returncode == 0, proc.stderr
    print("round-trip.mlir parses cleanly")
    generic = run(opt, round_trip, ("--mlir-print-op-generic",))
    assert generic.returncode == 0, generic.stderr
    assert run(opt, generic.stdout).returncode == 0
    print("generic form parses cleanly")

    cases = [c for c in invalid.split("// -----") if c.strip()]
    groups = [
        ("prefixes of round-trip.mlir", prefixes(round_trip)),
        ("prefixes of the generic form", prefixes(generic.stdout)),
        ("prefixes of invalid.mlir cases",
         [p for c in cases for p in prefixes(c)]),
        ("mutations of round-trip.mlir",
         [m for f in functions(round_trip) for m in mutations(f)]),
        ("garbage", GARBAGE),
    ]
    total, bad = 0, []
    for name, inputs in groups:
        found = check_batch(opt, name, inputs)
        bad += found
        total += len(inputs)
        print(f"{name}: {len(inputs)} inputs, "
              f"{'no crash' if not found else f'{len(found)} CRASHES'}",
              flush=True)
    for name, extra, text, proc in bad:
        print(f"=== crash in {name} ({' '.join(extra) or 'parse'}):\n{text}\n"
              f"--- stderr:\n{proc.stderr[:2000]}")
    if bad:
        sys.exit(1)
    print(f"no crash in {total} inputs")


if __name__ == "__main__":
    main()
