# Every op of the tile dialect documents itself with an `mlir` example, and
# every example in the generated dialect documentation (ops, attributes,
# types) parses and verifies.
#
# The documentation is generated from the ODS with mlir-tblgen, exactly as
# the `mlir-doc` target does, so templated descriptions (the elementwise op
# classes) are checked after expansion. An example uses values it does not
# define (`%x`, `%a`, `%c0`); this file supplies them: memrefs and indices
# as function arguments, tiles defined inside the core scope (tiles never
# cross one). Compute ops are placed in a `tile.at vector` scope, cube ops in
# a `tile.at cube` one, and the structural ops where they belong.
#
# RUN: %python %s tessel-opt %S/../../../dialects/tile | FileCheck %s
# CHECK: tile.add: 1 example parses and verifies
# CHECK: tile.pipeline: 1 example parses and verifies
# CHECK: tile.spmd: 1 example parses and verifies
# CHECK: PlaceAttr: 1 example parses and verifies
# CHECK: TileType: 1 example parses and verifies
# CHECK: 104 ops, every one with an example
# CHECK: all {{[0-9]+}} examples parse and verify

import re
import subprocess
import sys
import sysconfig
from pathlib import Path


def arg(ty):
    return ("arg", ty)


def tile(ty, value="1.0"):
    return ("def", f"tile.full {value} : !tile.tile<{ty}>")


# The values examples use without defining them.
POOL = {
    "x": tile("16x32xf32"), "y": tile("16x32xf32"), "zero": tile("16x1xf32"),
    "rs": tile("16x1xf32"), "r": tile("16x1xf32"), "g": tile("1x32xf32"),
    "eps": arg("f32"), "s": arg("f32"),
    "a": arg("memref<64x32xf32>"), "out": arg("memref<64x32xf32>"),
    "kv": arg("memref<128x512xf32>"), "gamma": arg("memref<512xbf16>"),
    "i": arg("index"), "t": arg("index"), "t0": arg("index"),
    "c0": arg("index"), "c1": arg("index"), "c16": arg("index"),
    "slot": arg("index"),
}
# Per-op overrides where an example gives a name another type.
OVERRIDES = {
    "tile.spmd": {"a": arg("memref<128x32xf32>")},
    "tile.pipeline": {"a": arg("memref<128x512xf32>")},
    "tile.gather": {"x": tile("8x64xf32")},
    "tile.scatter": {"e": tile("8x32xf32"), "buf": tile("8x64xf32")},
    "tile.cast": {"x": tile("16x32xf32")},
    "tile.copy": {"x": tile("16x1xf32")},
    "tile.reshape": {"rs": tile("16x1xf32")},
    "tile.matmul": {"a": tile("16x64xbf16"), "b": tile("64x128xbf16"),
                    "fa": tile("16x64xf32"), "fw": tile("128x64xf32")},
    "tile.matmul_acc": {"a": tile("16x64xbf16"), "b": tile("64x128xbf16"),
                        "w": tile("128x64xbf16"),
                        "c": tile("16x128xf32", "0.0")},
    "tile.store": {"y": tile("16x32xbf16"),
                   "out": arg("memref<128x512xbf16>")},
    "PlaceAttr": {"a": arg("memref<128x512xf32>")},
    # The template's pipeline carries %n.
    "tile.yield": {"n": ("bound", None)},
    "tile.extract": {"t": tile("8x64xf32"), "j": arg("index")},
    # Partial tiles: a window over a 4-row int8 tensor, a runtime width.
    "tile.load": {"xi8": arg("memref<4x64xi8>"), "k": arg("index"),
                  "vc": arg("index")},
    "tile.fillpad": {"t": tile("16x64xf32"), "vc": arg("index")},
    "tile.insert": {"s": tile("8x16xf32"), "t": tile("8x64xf32"),
                    "j": arg("index")},
    # TileIndexOps.td.
    "tile.gather_index": {"x": tile("4x64xf32"), "i": tile("4x8xi32", "0")},
    "tile.scatter_index": {"s": tile("4x8xf32"), "i": tile("4x8xi32", "0"),
                           "d": tile("4x64xf32")},
    "tile.sort32": {"x": tile("1x64xf32"), "i": tile("1x64xi32", "0")},
    "tile.mrgsort": {"s": tile("1x256xf32")},
    "tile.mrgsort_lists": {"a": tile("1x64xf32"), "b": tile("1x64xf32")},
    # TileCatalogOps.td: masks over 16 x 64 tiles, integer tiles for the
    # bitwise ops.
    "tile.cmp": {"x": tile("16x64xf32"), "y": tile("16x64xf32")},
    "tile.cmps": {"x": tile("16x64xf32"), "zero": arg("f32")},
    "tile.sel": {"m": tile("16x32xi8", "0"), "x": tile("16x64xf32"),
                 "y": tile("16x64xf32")},
    "tile.sels": {"m": tile("16x32xi8", "0"), "x": tile("16x64xf32"),
                  "zero": arg("f32")},
    "tile.concat": {"a": tile("8x16xf32"), "b": tile("8x32xf32")},
    "tile.reinterpret_view": {"x": tile("8x16xf32")},
} | {
    f"tile.{op}": {"i": tile("16x32xi32", "1"), "j": tile("16x32xi32", "2"),
                   "c": arg("i32")}
    for op in ("and", "or", "xor", "shl", "shr", "not", "ands", "ors", "xors",
               "shls", "shrs")
} | {
    # The broadcast family's scale: [16, 1] per row, [1, 32] per column.
    f"tile.{d}_expand_{k}": {"s": tile("16x1xf32" if d == "row"
                                       else "1x32xf32")}
    for d in ("row", "col")
    for k in ("add", "sub", "div", "max", "min", "expdif")
}
CUBE_OPS = {"tile.matmul", "tile.matmul_acc"}

IN_SCOPE = """func.func @example({args}) {{
  tile.spmd 1 (%blk) {{
    tile.at {kind} {{
{defs}
{example}
    }}
  }}
  return
}}"""
TEMPLATES = {
    # Structural ops at the level they live at.
    "tile.spmd": "func.func @example({args}) {{\n{example}\n  return\n}}",
    "tile.alloc_gm": "func.func @example({args}) {{\n{example}\n  return\n}}",
    "tile.at": "func.func @example({args}) {{\n  tile.spmd 1 (%blk) {{\n"
               "{example}\n  }}\n  return\n}}",
    # A yield ends a pipeline body that carries its operand.
    "tile.yield": IN_SCOPE.replace(
        "{example}",
        "%init = tile.full 0.0 : !tile.tile<1x16xf32>\n"
        "%res = tile.pipeline %j = %lb to %lb step %lb stages(2) "
        "iter_args(%n = %init) -> (!tile.tile<1x16xf32>) {{\n{example}\n}}"),
    "TileType": "func.func private @example({example})",
}


def free_values(example):
    used = re.findall(r"%([A-Za-z_]\w*)", example)
    defined = set(re.findall(r"%([A-Za-z_]\w*)(?::\d+)?\s*=", example))
    defined |= set(re.findall(r"\(%([A-Za-z_]\w*)\)\s*\{", example))
    seen = []
    for name in used:
        if name not in defined and name not in seen:
            seen.append(name)
    return seen


def wrap(name, example):
    pool = dict(POOL, **OVERRIDES.get(name, {}))
    args, defs = [], []
    for value in free_values(example):
        if value not in pool:
            raise KeyError(f"{name}: no definition for %{value} in {example}")
        kind, text = pool[value]
        if kind == "arg":
            args.append(f"%{value}: {text}")
        elif kind == "def":
            defs.append(f"%{value} = {text}")
    if name == "tile.yield":
        args.append("%lb: index")
    template = TEMPLATES.get(name, IN_SCOPE)
    return template.format(args=", ".join(args), defs="\n".join(defs),
                           example=example,
                           kind="cube" if name in CUBE_OPS else "vector")


def sections(doc):
    """(name, text) for every op, attribute and type section."""
    parts = re.split(r"^### ", doc, flags=re.M)[1:]
    for part in parts:
        heading, _, body = part.partition("\n")
        m = re.match(r"`([\w.]+)`", heading)
        yield (m.group(1) if m else heading.strip()), body


def main():
    opt, td_dir = sys.argv[1], Path(sys.argv[2]).resolve()
    site = Path(sysconfig.get_paths()["purelib"])
    tblgen = site / "mlir" / "bin" / "mlir-tblgen"
    doc = subprocess.run(
        [str(tblgen), "-gen-dialect-doc", "-dialect=tile",
         f"-I{td_dir.parent}", f"-I{site / 'mlir' / 'include'}",
         str(td_dir / "TileOps.td")],
        check=True, capture_output=True, text=True).stdout

    ops, failures, total = 0, [], 0
    for name, body in sections(doc):
        examples = [e.strip("\n") for e in
                    re.findall(r"```mlir\n(.*?)```", body, flags=re.S)]
        if name.startswith("tile."):
            ops += 1
            if not examples:
                failures.append(f"{name}: no mlir example")
        for example in examples:
            module = wrap(name, example)
            proc = subprocess.run([opt, "-"], input=module,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                failures.append(f"{name}: example does not parse:\n{module}\n"
                                f"{proc.stderr}")
        total += len(examples)
        if examples:
            plural = "example parses" if len(examples) == 1 else \
                "examples parse"
            print(f"{name}: {len(examples)} {plural} and verifies")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"{ops} ops, every one with an example")
    print(f"all {total} examples parse and verify")


if __name__ == "__main__":
    main()
