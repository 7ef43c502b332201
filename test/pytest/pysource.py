"""Helpers of the frontend's misuse tests: a `@pl.jit` kernel written to a
file from a line of its body, so that a CompileError can be checked at
that line of that file."""

from __future__ import annotations

import tessel.language as pl


def one_scope_kernel(path, body: str, dtype: str = "FP32",
                     extra_params: str = ""):
    """A kernel over x [8, 32] of `dtype` with an output o [8, 32] (and
    `extra_params`, e.g. ``"g: pl.Out[...],"``) whose vector scope loads x
    as the tile `a` and then runs `body`, the last line of the file `path`
    (line 6, or 7 with extra parameters)."""
    params = (f"def k(x: pl.Tensor[[8, 32], pl.{dtype}],\n"
              f"      o: pl.Out[pl.Tensor[[8, 32], pl.{dtype}]]" +
              (f",\n      {extra_params}" if extra_params else "") + "):\n")
    src = (f"@pl.jit\n{params}"
           f"    with pl.at(level=pl.Level.VECTOR):\n"
           f"        a = pl.load(x, [0, 0], [8, 32])\n"
           f"        {body}\n")
    path.write_text(src)
    ns = {"pl": pl}
    exec(compile(src, str(path), "exec"), ns)
    return ns["k"]


def tagged_line(path, tag: str) -> int:
    """The line of the file `path` (1-based) that ends with the comment
    `# <tag>`: the line a CompileError or remark is expected at. Exactly
    one line may carry a tag."""
    with open(path) as f:
        hits = [i for i, text in enumerate(f, 1)
                if text.rstrip().endswith(f"# {tag}")]
    assert len(hits) == 1, f"{tag}: {len(hits)} lines carry it"
    return hits[0]
