"""Helpers of the CPU-simulation tests: small tile-IR kernels as MLIR text.

`kernel(body, ins, outs)` wraps a body of tile ops in the boilerplate every
test would repeat: a `func.func` taking one memref per input and output,
`tile.spmd 1` + `tile.at <kind>`, a `tile.load` of each input into `%t0`,
`%t1`, ... and a `tile.store` of `%r0`, `%r1`, ... into the outputs. The
body names its own results `%r<i>`.
"""

from __future__ import annotations

import torch

from tessel.runtime import CpuKernel

DTYPES = {
    "f32": torch.float32,
    "f16": torch.float16,
    "bf16": torch.bfloat16,
    "i8": torch.int8,
    "i32": torch.int32,
}


def tile_type(shape, elt: str) -> str:
    return f"!tile.tile<{shape[0]}x{shape[1]}x{elt}>"


def memref_type(shape, elt: str) -> str:
    return f"memref<{'x'.join(str(d) for d in shape)}x{elt}>"


def kernel(body: str, ins, outs, *, kind: str = "vector", name: str = "k",
           attrs: str = "") -> str:
    """MLIR text of `func.func @name` running `body` once.

    `ins` and `outs` are lists of (shape, element type) of 2-D tiles; the
    memref arguments have the same shapes. `attrs` goes into the function's
    attribute dictionary (e.g. ``tile.placed``).
    """
    args = [f"%a{i}: {memref_type(s, e)}" for i, (s, e) in enumerate(ins)]
    args += [f"%o{i}: {memref_type(s, e)}" for i, (s, e) in enumerate(outs)]
    lines = [f"func.func @{name}({', '.join(args)})"
             + (f" attributes {{{attrs}}}" if attrs else "") + " {",
             "  tile.spmd 1 (%b) {",
             f"    tile.at {kind} {{",
             "      %c0 = arith.constant 0 : index"]
    for i, (s, e) in enumerate(ins):
        lines.append(f"      %t{i} = tile.load %a{i}[%c0, %c0] : "
                     f"{memref_type(s, e)} -> {tile_type(s, e)}")
    lines += ["      " + line for line in body.strip().splitlines()]
    for i, (s, e) in enumerate(outs):
        lines.append(f"      tile.store %r{i}, %o{i}[%c0, %c0] : "
                     f"{tile_type(s, e)}, {memref_type(s, e)}")
    lines += ["    }", "  }", "  return", "}"]
    return "\n".join(lines)


def run(text: str, inputs, outs, func: str = "k", **kwargs):
    """Compiles `text`, runs it on `inputs` and returns fresh outputs.

    `outs` are (shape, element type) pairs; the outputs start as NaN / -1 so
    an element the kernel forgets to write shows.
    """
    out_tensors = []
    for shape, elt in outs:
        t = torch.empty(shape, dtype=DTYPES[elt])
        if t.is_floating_point():
            t.fill_(float("nan"))
        else:
            t.fill_(-1)
        out_tensors.append(t)
    k = CpuKernel(text, func, output_indices=range(len(inputs),
                                                    len(inputs) + len(outs)),
                  **kwargs)
    k(*inputs, *out_tensors)
    return out_tensors


def run_op(body: str, inputs, outs, kind: str = "vector", **kwargs):
    """`kernel` + `run`: the inputs' shapes and dtypes come from the tensors."""
    names = {v: k for k, v in DTYPES.items()}
    ins = [(tuple(t.shape), names[t.dtype]) for t in inputs]
    text = kernel(body, ins, outs, kind=kind)
    return run(text, inputs, outs, **kwargs)


def bits(t: torch.Tensor) -> torch.Tensor:
    """The raw bits of a float tensor as a same-width integer tensor."""
    width = {torch.float32: torch.int32, torch.float16: torch.int16,
             torch.bfloat16: torch.int16}[t.dtype]
    return t.view(width)


def assert_bitwise_equal(got: torch.Tensor, want: torch.Tensor) -> None:
    """Bit-exact equality; NaN only needs to be NaN on both sides."""
    assert got.dtype == want.dtype and got.shape == want.shape
    if not got.is_floating_point():
        mismatch = got != want
    else:
        nan_both = torch.isnan(got) & torch.isnan(want)
        mismatch = (bits(got) != bits(want)) & ~nan_both
    if mismatch.any():
        idx = mismatch.nonzero()[:8].tolist()
        examples = [(i, got[tuple(i)].item(), want[tuple(i)].item())
                    for i in idx]
        raise AssertionError(f"{int(mismatch.sum())} of {got.numel()} "
                             f"elements differ (index, got, want): {examples}")
