"""Graph-level input: a plain PyTorch function compiled to a tile kernel.

    import tessel
    k = tessel.compile_graph(fn, example_inputs, target="a2a3")
    out = k(*inputs)                 # runs on the CPU simulation
    print(k.ir("graph"))             # the tensor-level IR (linalg, tensor, ...)
    print(k.ir("tile"))              # the scopes tile-form-scopes formed

`fn` is captured with `torch.export` (no home-made tracer) and each node of
the exported ATen graph is converted by the entry of `ATEN_OPS` for its op
into MLIR on ranked static tensors in upstream dialects (linalg.generic,
linalg.matmul, linalg.fill, tensor.extract_slice / insert_slice /
collapse_shape / expand_shape, arith and math in the generic bodies). Every
tensor is carried as 2-D: rows are the product of the leading dimensions,
columns the last one (a 1-D tensor is one row). The C++ pass
`tile-form-scopes` then forms the scopes; the existing pipelines schedule,
place and lower them (docs/graph.md).

An ATen op the table does not hold, or a use of one it cannot express, is a
`tessel.CompileError` naming the op at the user's source line (torch.export
keeps it in each node's stack trace).
"""

from __future__ import annotations

import math
import os
import re
import time
from dataclasses import dataclass

from .errors import CompileError
from .frontend.errors import make_error

GRAPH_STAGES = ("graph", "tile", "scheduled", "placed", "llvm")

_MLIR_DTYPES = {
    "torch.float32": "f32", "torch.bfloat16": "bf16", "torch.float16": "f16",
    "torch.int8": "i8", "torch.int32": "i32",
}
_FLOATS = ("f32", "bf16", "f16")
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _mlir_dtype(dtype, where=None) -> str:
    name = _MLIR_DTYPES.get(str(dtype))
    if name is None:
        raise GraphError(f"dtype {dtype} is not supported by the graph path",
                         where, expected="float32, bfloat16, float16, int8 "
                                         "or int32")
    return name


def _torch_dtype(name: str):
    import torch
    return {"f32": torch.float32, "bf16": torch.bfloat16,
            "f16": torch.float16, "i8": torch.int8, "i32": torch.int32}[name]


def _as2d(shape) -> tuple[int, int]:
    shape = tuple(int(s) for s in shape)
    if not shape:
        return (1, 1)
    return (math.prod(shape[:-1]), shape[-1])


def GraphError(brief: str, where=None, **kw) -> CompileError:
    """A CompileError at `where` = (file, line, col) or None."""
    if where:
        return make_error(brief, where[0], where[1], where[2], **kw)
    return make_error(brief, **kw)


def _user_frames(node):
    """(file, line, col) of each frame of the user's code in the node's
    stack trace, outermost first (frames of tessel and torch skipped)."""
    import linecache
    trace = node.meta.get("stack_trace") or ""
    out = []
    for filename, line in re.findall(r'File "([^"]+)", line (\d+)', trace):
        path = os.path.abspath(filename)
        if path.startswith(_PACKAGE_DIR):
            out = []            # the frames that called tessel do not count
            continue
        if f"{os.sep}torch{os.sep}" in path:
            continue
        text = linecache.getline(filename, int(line))
        col = len(text) - len(text.lstrip()) + 1 if text else 1
        out.append((filename, int(line), col))
    return out


def user_location(node):
    """(file, line, col) of the innermost frame of the user's code in the
    node's stack trace, or None."""
    frames = _user_frames(node)
    return frames[-1] if frames else None


def scope_name(node) -> str:
    """A name for the scope that computes `node`: the variable its line in
    the user's function assigns (`q = torch.cat(...)` -> "q"), else the
    node's name."""
    import linecache
    frames = _user_frames(node)
    if frames:
        text = linecache.getline(frames[0][0], frames[0][1])
        m = re.match(r"\s*(\w+)(\s*,\s*\w+)*\s*(\[.*\])?\s*=[^=]", text)
        if m:
            return m.group(1)
    return node.name


@dataclass
class Val:
    """A converted tensor: its SSA name, 2-D shape, element type and the
    torch shape it stands for."""
    name: str
    rows: int
    cols: int
    dtype: str
    shape: tuple
    #: the narrower tensor this one widens exactly (bf16 -> f32, i8 -> i32)
    narrow: object = None
    #: (base node name, base, start, step) of a slice of the last dimension
    view_of: object = None

    @property
    def type(self) -> str:
        return f"tensor<{self.rows}x{self.cols}x{self.dtype}>"


_ID = "affine_map<(d0, d1) -> (d0, d1)>"
_ROW = "affine_map<(d0, d1) -> (d0, 0)>"
_COL = "affine_map<(d0, d1) -> (0, d1)>"
_SCALAR = "affine_map<(d0, d1) -> (0, 0)>"


def _fconst(x: float) -> str:
    if math.isinf(x):
        return "0xFF800000" if x < 0 else "0x7F800000"
    if math.isnan(x):
        return "0x7FC00000"
    return f"{float(x):.9e}"


class Converter:
    """ATen graph -> tensor-level MLIR text (one function)."""

    def __init__(self, name: str):
        self.name = name
        self.lines: list[str] = []
        self.counter = 0
        self.values: dict[str, object] = {}
        self.loc = "loc(unknown)"
        self.where = None
        self.op_name = ""

    # -- emission helpers -------------------------------------------------
    def fresh(self) -> str:
        self.counter += 1
        return f"%v{self.counter}"

    def emit(self, text: str) -> None:
        self.lines.append(f"    {text} {self.loc}")

    def error(self, brief: str, **kw) -> CompileError:
        return GraphError(f"{self.op_name}: {brief}", self.where, **kw)

    def empty(self, rows: int, cols: int, dtype: str) -> str:
        e = self.fresh()
        self.emit(f"{e} = tensor.empty() : tensor<{rows}x{cols}x{dtype}>")
        return e

    def fill(self, rows: int, cols: int, dtype: str, value: float) -> str:
        c = self.fresh()
        lit = str(int(value)) if dtype in ("i8", "i32") else _fconst(value)
        self.emit(f"{c} = arith.constant {lit} : {dtype}")
        e = self.empty(rows, cols, dtype)
        f = self.fresh()
        t = f"tensor<{rows}x{cols}x{dtype}>"
        self.emit(f"{f} = linalg.fill ins({c} : {dtype}) outs({e} : {t}) -> {t}")
        return f

    def generic(self, inputs, maps, out_shape, out_dtype, body, reduce=False,
                init=None) -> str:
        """A linalg.generic over (rows, cols) of `out_shape`; `body(args)`
        returns (lines, result) in terms of the block argument names."""
        rows, cols = out_shape
        out_t = f"tensor<{rows}x{cols}x{out_dtype}>"
        if init is None:
            init = self.empty(rows, cols, out_dtype)
        args = [f"%a{i}" for i in range(len(inputs))]
        lines, result = body(args, "%out")
        maps_s = ", ".join(maps + ([_ROW] if reduce else [_ID]))
        iters = '"parallel", "reduction"' if reduce else '"parallel", "parallel"'
        r = self.fresh()
        ins = ", ".join(v.name for v in inputs)
        ins_t = ", ".join(v.type for v in inputs)
        bb = ", ".join(f"{a}: {v.dtype}" for a, v in zip(args, inputs))
        bb = f"{bb}, %out: {out_dtype}" if bb else f"%out: {out_dtype}"
        text = [f"{r} = linalg.generic {{indexing_maps = [{maps_s}], "
                f"iterator_types = [{iters}]}} ins({ins} : {ins_t}) "
                f"outs({init} : {out_t}) {{",
                f"  ^bb0({bb}):"]
        text += [f"    {ln}" for ln in lines]
        text.append(f"    linalg.yield {result} : {out_dtype}")
        text.append(f"  }} -> {out_t}")
        for ln in text[:-1]:
            self.lines.append(f"    {ln}")
        self.lines.append(f"    {text[-1]} {self.loc}")
        return r

    def bcast_map(self, v: Val, out_shape: tuple) -> str:
        """The 2-D indexing map of `v` broadcast to `out_shape` (torch
        rules): identity, a size-1 last dimension (d0, 0), leading ones
        (0, d1), or leading dimensions matching a prefix and ones after it:
        the row divided by the product of the broadcast dimensions."""
        shape = tuple(v.shape)
        out_shape = tuple(out_shape)
        if not out_shape:
            return _ID
        pad = (1,) * (len(out_shape) - len(shape)) + shape
        lead, olead = pad[:-1], out_shape[:-1]
        k = 0
        while k < len(olead) and lead[k] == olead[k]:
            k += 1
        if any(d != 1 for d in lead[k:]) or pad[-1] not in (1, out_shape[-1]):
            raise self.error(f"broadcasting {list(shape)} to {list(out_shape)}"
                             f" is not supported",
                             help="the graph path broadcasts size-1 "
                                  "dimensions after a matching prefix")
        col = "d1" if pad[-1] == out_shape[-1] else "0"
        div = math.prod(olead[k:])
        if k == 0:
            row = "0" if math.prod(olead) > 1 else "d0"
        elif div == 1:
            row = "d0"
        else:
            row = f"d0 floordiv {div}"
        return f"affine_map<(d0, d1) -> ({row}, {col})>"

    # -- elementwise ------------------------------------------------------
    def elementwise(self, node, operands, fn, out_dtype=None):
        """`fn(names, ct)` gives body lines and a result in compute type ct
        (f32), from operands converted to it. Scalars become constants."""
        val = node.meta["val"]
        out_shape = tuple(val.shape)
        rd = out_dtype or _mlir_dtype(val.dtype, self.where)
        if rd not in _FLOATS:
            raise self.error(f"integer elementwise arithmetic ({rd}) is not "
                             f"supported by the graph path yet")
        tensors, maps, names, pre = [], [], [], []
        k = 0
        for o in operands:
            if isinstance(o, Val):
                if o.dtype not in _FLOATS:
                    raise self.error(f"integer operand ({o.dtype}) is not "
                                     f"supported by the graph path yet")
                tensors.append(o)
                maps.append(self.bcast_map(o, out_shape))
                names.append(("arg", len(tensors) - 1, o.dtype))
            elif isinstance(o, (int, float)) and not isinstance(o, bool):
                names.append(("const", float(o)))
            else:
                raise self.error(f"operand {o!r} is not a tensor or a number")
        out2 = _as2d(out_shape)

        def body(args, _out):
            lines, refs = [], []
            nonlocal k
            for n in names:
                if n[0] == "arg":
                    a = args[n[1]]
                    if n[2] != "f32":
                        k += 1
                        lines.append(f"%x{k} = arith.extf {a} : {n[2]} to f32")
                        a = f"%x{k}"
                    refs.append(a)
                else:
                    k += 1
                    lines.append(f"%x{k} = arith.constant {_fconst(n[1])} : f32")
                    refs.append(f"%x{k}")
            more, r = fn(refs, lambda: self._tmp())
            lines += more
            if rd != "f32":
                k += 1
                lines.append(f"%x{k} = arith.truncf {r} : f32 to {rd}")
                r = f"%x{k}"
            return lines, r

        name = self.generic(tensors, maps, out2, rd, body)
        return Val(name, out2[0], out2[1], rd, out_shape)

    _tmp_n = 0

    def _tmp(self) -> str:
        Converter._tmp_n += 1
        return f"%t{Converter._tmp_n}"

    def reduce_last(self, node, x: Val, kind: str, keepdim: bool, mean=False):
        """sum / max / mean along the last dimension, in f32."""
        rows = x.rows
        init = self.fill(rows, 1, "f32", 0.0 if kind == "sum" else -math.inf)

        def body(args, out):
            a, lines = args[0], []
            if x.dtype != "f32":
                lines.append(f"%w0 = arith.extf {a} : {x.dtype} to f32")
                a = "%w0"
            op = "arith.addf" if kind == "sum" else "arith.maximumf"
            lines.append(f"%w1 = {op} {a}, {out} : f32")
            return lines, "%w1"

        r = self.generic([x], [_ID], (rows, 1), "f32", body, reduce=True,
                         init=init)
        out_shape = tuple(node.meta["val"].shape)
        v = Val(r, rows, 1, "f32", tuple(x.shape[:-1]) + (1,))
        rd = _mlir_dtype(node.meta["val"].dtype, self.where)
        if mean or rd != "f32":
            n = x.cols

            def fin(refs, tmp):
                if mean:
                    t = tmp()
                    return [f"{t} = arith.divf {refs[0]}, {refs[1]} : f32"], t
                return [], refs[0]
            v = self.elementwise(_Node(v.shape, rd), [v, float(n)], fin,
                                 out_dtype=rd)
        if not keepdim:
            v = self.reshape(v, out_shape)
        return v

    def reshape(self, v: Val, shape) -> Val:
        shape = tuple(int(s) for s in shape)
        r, c = _as2d(shape)
        if (r, c) == (v.rows, v.cols):
            return Val(v.name, r, c, v.dtype, shape)
        n = v.rows * v.cols
        flat = self.fresh()
        self.emit(f"{flat} = tensor.collapse_shape {v.name} [[0, 1]] : "
                  f"{v.type} into tensor<{n}x{v.dtype}>")
        out = self.fresh()
        self.emit(f"{out} = tensor.expand_shape {flat} [[0, 1]] output_shape "
                  f"[{r}, {c}] : tensor<{n}x{v.dtype}> into "
                  f"tensor<{r}x{c}x{v.dtype}>")
        return Val(out, r, c, v.dtype, shape)

    def extract(self, v: Val, r0, c0, rows, cols, cstride, shape) -> Val:
        out = self.fresh()
        t = f"tensor<{rows}x{cols}x{v.dtype}>"
        self.emit(f"{out} = tensor.extract_slice {v.name}[{r0}, {c0}] "
                  f"[{rows}, {cols}] [1, {cstride}] : {v.type} to {t}")
        return Val(out, rows, cols, v.dtype, tuple(shape))

    def insert(self, src: Val, dst: str, dst_val: Val, c0, cstride) -> str:
        out = self.fresh()
        self.emit(f"{out} = tensor.insert_slice {src.name} into {dst}"
                  f"[0, {c0}] [{src.rows}, {src.cols}] [1, {cstride}] : "
                  f"{src.type} into {dst_val.type}")
        return out


class _Node:
    """A stand-in node for an intermediate step (shape and dtype only)."""

    def __init__(self, shape, dtype: str):
        import torch
        self.meta = {"val": torch.empty(tuple(shape), dtype=_torch_dtype(dtype),
                                        device="meta")}


# ---------------------------------------------------------------------------
# The ATen op table
# ---------------------------------------------------------------------------

def _binop(op: str):
    def conv(cv, node, args, kwargs):
        a, b = args[0], args[1]
        if kwargs.get("alpha", 1) != 1:
            raise cv.error("alpha other than 1 is not supported")

        def fn(r, tmp):
            t = tmp()
            return [f"{t} = {op} {r[0]}, {r[1]} : f32"], t
        return cv.elementwise(node, [a, b], fn)
    return conv


def _rbinop(op: str):
    def conv(cv, node, args, kwargs):
        def fn(r, tmp):
            t = tmp()
            return [f"{t} = {op} {r[1]}, {r[0]} : f32"], t
        return cv.elementwise(node, [args[0], args[1]], fn)
    return conv


def _unop(lines_of):
    def conv(cv, node, args, kwargs):
        def fn(r, tmp):
            return lines_of(r[0], tmp)
        return cv.elementwise(node, [args[0]], fn)
    return conv


def _simple(op: str):
    def lines(x, tmp):
        t = tmp()
        return [f"{t} = {op} {x} : f32"], t
    return _unop(lines)


def _recip(x, tmp):
    c, t = tmp(), tmp()
    return [f"{c} = arith.constant 1.0 : f32",
            f"{t} = arith.divf {c}, {x} : f32"], t


def _sigmoid_lines(x, tmp):
    n, e, one, d, s = tmp(), tmp(), tmp(), tmp(), tmp()
    return [f"{n} = arith.negf {x} : f32", f"{e} = math.exp {n} : f32",
            f"{one} = arith.constant 1.0 : f32",
            f"{d} = arith.addf {e}, {one} : f32",
            f"{s} = arith.divf {one}, {d} : f32"], s


def _silu(x, tmp):
    lines, s = _sigmoid_lines(x, tmp)
    t = tmp()
    return lines + [f"{t} = arith.mulf {x}, {s} : f32"], t


def _relu(x, tmp):
    z, t = tmp(), tmp()
    return [f"{z} = arith.constant 0.0 : f32",
            f"{t} = arith.maximumf {x}, {z} : f32"], t


def _pow(cv, node, args, kwargs):
    x, e = args[0], args[1]
    if not isinstance(e, (int, float)):
        raise cv.error("pow with a tensor exponent is not supported")
    e = float(e)
    if e == 2.0:
        def fn(r, tmp):
            t = tmp()
            return [f"{t} = arith.mulf {r[0]}, {r[0]} : f32"], t
    elif e == 1.0:
        def fn(r, tmp):
            return [], r[0]
    elif e == 0.5:
        def fn(r, tmp):
            t = tmp()
            return [f"{t} = math.sqrt {r[0]} : f32"], t
    elif e == -0.5:
        def fn(r, tmp):
            t = tmp()
            return [f"{t} = math.rsqrt {r[0]} : f32"], t
    elif e == -1.0:
        def fn(r, tmp):
            return _recip(r[0], tmp)
    else:
        raise cv.error(f"pow with exponent {e} is not supported",
                       expected="2, 1, 0.5, -0.5 or -1")
    return cv.elementwise(node, [x], fn)


def _square(cv, node, args, kwargs):
    return _pow(cv, node, [args[0], 2], kwargs)


def _clamp(cv, node, args, kwargs):
    x = args[0]
    lo = args[1] if len(args) > 1 else kwargs.get("min")
    hi = args[2] if len(args) > 2 else kwargs.get("max")
    for b in (lo, hi):
        if b is not None and not isinstance(b, (int, float)):
            raise cv.error("clamp with tensor bounds is not supported")

    def fn(r, tmp):
        lines, cur = [], r[0]
        if lo is not None:
            c, t = tmp(), tmp()
            lines += [f"{c} = arith.constant {_fconst(lo)} : f32",
                      f"{t} = arith.maximumf {cur}, {c} : f32"]
            cur = t
        if hi is not None:
            c, t = tmp(), tmp()
            lines += [f"{c} = arith.constant {_fconst(hi)} : f32",
                      f"{t} = arith.minimumf {cur}, {c} : f32"]
            cur = t
        return lines, cur
    return cv.elementwise(node, [x], fn)


def _clamp_min(cv, node, args, kwargs):
    return _clamp(cv, node, [args[0], args[1], None], {})


def _clamp_max(cv, node, args, kwargs):
    return _clamp(cv, node, [args[0], None, args[1]], {})


_INTS = ("i8", "i32")


def _convert(cv, x: Val, rd: str) -> Val:
    """x converted to rd as torch converts: floats round to nearest even,
    float -> int truncates, int -> int keeps values in range."""
    sd = x.dtype
    if sd == rd:
        return Val(x.name, x.rows, x.cols, x.dtype, x.shape)

    def width(t):
        return {"f32": 32, "bf16": 16, "f16": 16, "i8": 8, "i32": 32}[t]

    def body(args, _out):
        a = args[0]
        if sd in _FLOATS and rd in _FLOATS:
            op = "arith.extf" if sd == "f32" or (width(rd) > width(sd)) \
                else "arith.truncf"
            if sd in ("bf16", "f16") and rd in ("bf16", "f16"):
                return [f"%c0 = arith.extf {a} : {sd} to f32",
                        f"%c1 = arith.truncf %c0 : f32 to {rd}"], "%c1"
            op = "arith.extf" if rd == "f32" else "arith.truncf"
            return [f"%c0 = {op} {a} : {sd} to {rd}"], "%c0"
        if sd in _FLOATS and rd in _INTS:
            return [f"%c0 = arith.fptosi {a} : {sd} to {rd}"], "%c0"
        if sd in _INTS and rd in _FLOATS:
            return [f"%c0 = arith.sitofp {a} : {sd} to {rd}"], "%c0"
        op = "arith.extsi" if width(rd) > width(sd) else "arith.trunci"
        return [f"%c0 = {op} {a} : {sd} to {rd}"], "%c0"

    name = cv.generic([x], [_ID], (x.rows, x.cols), rd, body)
    v = Val(name, x.rows, x.cols, rd, x.shape)
    # A widening keeps its narrow source: a matmul of widened operands runs
    # on the cube in the narrow type.
    if (sd, rd) in (("bf16", "f32"), ("f16", "f32"), ("i8", "i32")):
        v.narrow = x
    return v


def _to_copy(cv, node, args, kwargs):
    rd = _mlir_dtype(node.meta["val"].dtype, cv.where)
    return _convert(cv, args[0], rd)


def _identity(cv, node, args, kwargs):
    x = args[0]
    return Val(x.name, x.rows, x.cols, x.dtype, x.shape)


def _view(cv, node, args, kwargs):
    return cv.reshape(args[0], node.meta["val"].shape)


def _dims(dims, rank):
    if dims is None:
        return list(range(rank))
    if isinstance(dims, int):
        dims = [dims]
    return [d % rank for d in dims]


def _reduction(kind, mean=False):
    def conv(cv, node, args, kwargs):
        x = args[0]
        rank = len(x.shape)
        dims = _dims(args[1] if len(args) > 1 else kwargs.get("dim"), rank)
        keepdim = args[2] if len(args) > 2 else kwargs.get("keepdim", False)
        if dims != [rank - 1]:
            raise cv.error(f"reduction over dims {dims} of a rank-{rank} "
                           f"tensor: only the last dimension is supported")
        return cv.reduce_last(node, x, kind, keepdim, mean=mean)
    return conv


def _max_dim(cv, node, args, kwargs):
    users = [u for u in node.users]
    for u in users:
        # The indices' getitem may exist unused.
        if u.args[1] != 0 and u.users:
            raise cv.error("max(dim) indices are not supported; use amax")
    x = args[0]
    keepdim = args[2] if len(args) > 2 else False
    if args[1] % len(x.shape) != len(x.shape) - 1:
        raise cv.error("max over a dimension other than the last")
    shape = node.meta["val"][0].shape
    return ("tuple", cv.reduce_last(_NodeVal(node.meta["val"][0]), x, "max",
                                    keepdim), shape)


class _NodeVal:
    def __init__(self, val):
        self.meta = {"val": val}


def _matmul(cv, node, args, kwargs):
    a, b = args[0], args[1]
    if isinstance(a, _Transposed):
        raise cv.error(_TRANSPOSE_USE + "; here it is the left operand",
                       help="transpose the other way: (w @ x.t()).t() is "
                            "not needed, write the product as x @ w.t()")
    b_trans = isinstance(b, _Transposed)
    if b_trans:
        # w.t() of w [N, K]: the product reads w itself, stored [N, K].
        w = b.base
        b = Val(w.name, w.cols, w.rows, w.dtype, (w.cols, w.rows), w.narrow)
        stored = w
    if len(b.shape) != 2:
        raise cv.error(f"matmul with a rank-{len(b.shape)} right operand: "
                       f"only [K, N] weights are supported")
    if a.cols != b.rows:
        raise cv.error("contraction sizes differ")
    # f32 (i32) operands widened exactly from bf16 / f16 (i8): the product
    # with f32 (i32) accumulation is the cube's on the narrow operands.
    if a.narrow is not None and b.narrow is not None and \
            a.narrow.dtype == b.narrow.dtype:
        a = Val(a.narrow.name, a.rows, a.cols, a.narrow.dtype, a.shape)
        b = Val(b.narrow.name, b.rows, b.cols, b.narrow.dtype, b.shape)
        if b_trans:
            stored = Val(stored.narrow.name, stored.rows, stored.cols,
                         stored.narrow.dtype, stored.shape)
    if a.dtype != b.dtype or a.dtype not in ("bf16", "f16", "f32", "i8"):
        raise cv.error(f"the cube multiplies bf16, f16, f32 or int8 "
                       f"operands of one dtype; found {a.dtype} @ {b.dtype}",
                       help="cast both operands with .to(torch.bfloat16)")
    acc_t = "i32" if a.dtype == "i8" else "f32"
    acc = cv.fill(a.rows, b.cols, acc_t, 0.0)
    out = cv.fresh()
    t = f"tensor<{a.rows}x{b.cols}x{acc_t}>"
    if b_trans:
        # C[m, n] += A[m, k] * W[n, k]: the cube's b_trans (tile-form-scopes).
        maps = ("indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, "
                "affine_map<(d0, d1, d2) -> (d1, d2)>, "
                "affine_map<(d0, d1, d2) -> (d0, d1)>] ")
        cv.emit(f"{out} = linalg.matmul {maps}ins({a.name}, {stored.name} : "
                f"{a.type}, {stored.type}) outs({acc} : {t}) -> {t}")
    else:
        cv.emit(f"{out} = linalg.matmul ins({a.name}, {b.name} : {a.type}, "
                f"{b.type}) outs({acc} : {t}) -> {t}")
    shape = tuple(node.meta["val"].shape)
    v = Val(out, a.rows, b.cols, acc_t, shape)
    rd = _mlir_dtype(node.meta["val"].dtype, cv.where)
    return _convert(cv, v, rd)


def _slice(cv, node, args, kwargs):
    x = args[0]
    rank = len(x.shape)
    dim = (args[1] if len(args) > 1 else 0) % rank
    size = x.shape[dim]
    start = args[2] if len(args) > 2 and args[2] is not None else 0
    end = args[3] if len(args) > 3 and args[3] is not None else size
    step = args[4] if len(args) > 4 else 1
    start = max(0, start + size if start < 0 else min(start, size))
    end = max(0, end + size if end < 0 else min(end, size))
    n = max(0, (end - start + step - 1) // step)
    shape = tuple(node.meta["val"].shape)
    if dim == rank - 1:
        if step not in (1, 2):
            raise cv.error(f"slice step {step} along the last dimension",
                           expected="1, or 2 (even / odd columns)")
        v = cv.extract(x, 0, start, x.rows, n, step, shape)
        base = node.args[0]
        if hasattr(base, "name"):
            v.view_of = (base.name, x, start, step)
        return v
    if dim == 0 and rank == 2 and step == 1:
        return cv.extract(x, start, 0, n, x.cols, 1, shape)
    if all(d == 1 for d in x.shape[:dim]) and step == 1 and rank >= 2:
        inner = math.prod(x.shape[dim + 1:-1])
        return cv.extract(x, start * inner, 0, n * inner, x.cols, 1, shape)
    raise cv.error(f"slice along dimension {dim} of a rank-{rank} tensor is "
                   f"not supported", help="slice the last dimension, or the "
                                           "first of a 2-D tensor")


def _narrow(cv, node, args, kwargs):
    x, dim, start, length = args[:4]
    return _slice(cv, node, [x, dim, start, start + length, 1], {})


def _cat(cv, node, args, kwargs):
    tensors = args[0]
    rank = len(tensors[0].shape)
    dim = (args[1] if len(args) > 1 else kwargs.get("dim", 0)) % rank
    if dim != rank - 1:
        raise cv.error(f"cat along dimension {dim} of rank-{rank} tensors: "
                       f"only the last dimension is supported")
    shape = tuple(node.meta["val"].shape)
    rd = _mlir_dtype(node.meta["val"].dtype, cv.where)
    rows, cols = _as2d(shape)
    out = Val(cv.empty(rows, cols, rd), rows, cols, rd, shape)
    c0 = 0
    for t in tensors:
        if t.dtype != rd:
            raise cv.error("cat of tensors of different dtypes")
        out = Val(cv.insert(t, out.name, out, c0, 1), rows, cols, rd, shape)
        c0 += t.cols
    return out


def _slice_scatter(cv, node, args, kwargs):
    base, src = args[0], args[1]
    rank = len(base.shape)
    dim = (args[2] if len(args) > 2 else 0) % rank
    start = args[3] if len(args) > 3 and args[3] is not None else 0
    step = args[5] if len(args) > 5 else 1
    if dim != rank - 1 or step not in (1, 2):
        raise cv.error("slice_scatter is supported along the last dimension "
                       "with step 1 or 2 only")
    if start < 0:
        start += base.shape[dim]
    if src.dtype != base.dtype:
        raise cv.error("slice_scatter of another dtype")
    return Val(cv.insert(src, base.name, base, start, step), base.rows,
               base.cols, base.dtype, base.shape)


def _empty_like(cv, node, args, kwargs):
    val = node.meta["val"]
    rows, cols = _as2d(val.shape)
    rd = _mlir_dtype(val.dtype, cv.where)
    return Val(cv.empty(rows, cols, rd), rows, cols, rd, tuple(val.shape))


def _full_like(value):
    def conv(cv, node, args, kwargs):
        val = node.meta["val"]
        rows, cols = _as2d(val.shape)
        rd = _mlir_dtype(val.dtype, cv.where)
        v = args[1] if value is None else value
        return Val(cv.fill(rows, cols, rd, float(v)), rows, cols, rd,
                   tuple(val.shape))
    return conv


def _copy(cv, node, args, kwargs):
    dst, src = args[0], args[1]
    if tuple(src.shape) != tuple(dst.shape) or src.dtype != dst.dtype:
        return cv.elementwise(node, [src], lambda r, tmp: ([], r[0]))
    return Val(src.name, src.rows, src.cols, src.dtype, src.shape)


@dataclass
class _Transposed:
    """The transpose of a 2-D value, kept as a view: only a matmul's right
    operand may use it (the cube reads it with b_trans); `where` is the
    user's line of the transpose."""
    base: Val
    where: object
    loc: object


_TRANSPOSE_USE = ("a transpose is supported by the graph path only as the "
                  "right operand of a matmul (x @ w.t(), F.linear)")


def _transpose(cv, node, args, kwargs):
    x = args[0]
    if not isinstance(x, Val) or len(x.shape) != 2:
        raise cv.error("transposes of 2-D tensors only",
                       found=f"rank {len(getattr(x, 'shape', ()))}")
    target = cv.op_name
    if target == "aten.transpose.int":
        dims = sorted(d % 2 for d in args[1:3])
        if dims != [0, 1]:
            raise cv.error("transposes of 2-D tensors only")
    elif target == "aten.permute.default":
        if [d % 2 for d in args[1]] != [1, 0]:
            raise cv.error("transposes of 2-D tensors only")
    return _Transposed(x, cv.where, cv.loc)


def _linear(cv, node, args, kwargs):
    """F.linear(x, w): x @ w.t() with w stored [N, K]; no bias."""
    bias = args[2] if len(args) > 2 else kwargs.get("bias")
    if bias is not None:
        raise cv.error("F.linear with a bias is not supported by the graph "
                       "path", help="add the bias after: F.linear(x, w) + b")
    w = args[1]
    w = w.base if isinstance(w, _Transposed) else _Transposed(w, cv.where,
                                                              cv.loc)
    return _matmul(cv, node, [args[0], w], {})


def _skip(cv, node, args, kwargs):
    return None


ATEN_OPS = {
    "aten.add.Tensor": _binop("arith.addf"),
    "aten.add.Scalar": _binop("arith.addf"),
    "aten.sub.Tensor": _binop("arith.subf"),
    "aten.sub.Scalar": _binop("arith.subf"),
    "aten.rsub.Scalar": _rbinop("arith.subf"),
    "aten.mul.Tensor": _binop("arith.mulf"),
    "aten.mul.Scalar": _binop("arith.mulf"),
    "aten.div.Tensor": _binop("arith.divf"),
    "aten.div.Scalar": _binop("arith.divf"),
    "aten.maximum.default": _binop("arith.maximumf"),
    "aten.minimum.default": _binop("arith.minimumf"),
    "aten.pow.Tensor_Scalar": _pow,
    "aten.square.default": _square,
    "aten.neg.default": _simple("arith.negf"),
    "aten.abs.default": _simple("math.absf"),
    "aten.exp.default": _simple("math.exp"),
    "aten.sqrt.default": _simple("math.sqrt"),
    "aten.rsqrt.default": _simple("math.rsqrt"),
    "aten.round.default": _simple("math.roundeven"),
    "aten.reciprocal.default": _unop(_recip),
    "aten.sigmoid.default": _unop(_sigmoid_lines),
    "aten.silu.default": _unop(_silu),
    "aten.relu.default": _unop(_relu),
    "aten.clamp.default": _clamp,
    "aten.clamp_min.default": _clamp_min,
    "aten.clamp_max.default": _clamp_max,
    "aten.sum.dim_IntList": _reduction("sum"),
    "aten.mean.dim": _reduction("sum", mean=True),
    "aten.amax.default": _reduction("max"),
    "aten.max.dim": _max_dim,
    "aten.mm.default": _matmul,
    "aten.matmul.default": _matmul,
    "aten._to_copy.default": _to_copy,
    "aten.to.dtype": _to_copy,
    "aten.clone.default": _identity,
    "aten.alias.default": _identity,
    "aten.contiguous.default": _identity,
    "aten.detach.default": _identity,
    "aten.view.default": _view,
    "aten.reshape.default": _view,
    "aten._unsafe_view.default": _view,
    "aten.unsqueeze.default": _view,
    "aten.squeeze.dim": _view,
    "aten.squeeze.dims": _view,
    "aten.squeeze.default": _view,
    "aten.flatten.using_ints": _view,
    "aten.slice.Tensor": _slice,
    "aten.narrow.default": _narrow,
    "aten.cat.default": _cat,
    "aten.slice_scatter.default": _slice_scatter,
    "aten.empty_like.default": _empty_like,
    "aten.zeros_like.default": _full_like(0.0),
    "aten.ones_like.default": _full_like(1.0),
    "aten.full_like.default": _full_like(None),
    "aten.copy.default": _copy,
    "aten.linear.default": _linear,
    "aten.t.default": _transpose,
    "aten.transpose.int": _transpose,
    "aten.permute.default": _transpose,
    "aten._assert_tensor_metadata.default": _skip,
}


def _mlir_loc(name: str, where) -> str:
    if where is None:
        return f'loc("{name}")'
    f = where[0].replace("\\", "\\\\").replace('"', '\\"')
    return f'loc("{name}"("{f}":{where[1]}:{where[2]}))'


def export(fn, example_inputs):
    """torch.export of `fn` on `example_inputs` (tensors), functionalised
    (run_decompositions with an empty table keeps the high-level ops)."""
    import torch

    class _Wrap(torch.nn.Module):
        def forward(self, *args):
            return fn(*args)

    # Export keeps only the stack frames named `forward` and those of
    # registered anchors: register `fn` and the functions of its file, so
    # every node knows the user's line.
    anchor = getattr(torch.fx.proxy, "_register_stack_trace_anchor", None)
    if anchor is not None:
        code = getattr(fn, "__code__", None)
        anchor(fn)
        for g in list(getattr(fn, "__globals__", {}).values()):
            gc = getattr(g, "__code__", None)
            if gc is not None and code is not None and \
                    gc.co_filename == code.co_filename:
                anchor(g)

    for i, t in enumerate(example_inputs):
        if not isinstance(t, torch.Tensor):
            raise make_error(f"example input #{i} is not a tensor",
                             found=type(t).__name__)
    import warnings
    with warnings.catch_warnings():
        # torch's own deprecation notices (pytree internals), not the user's.
        warnings.simplefilter("ignore", FutureWarning)
        ep = torch.export.export(_Wrap(), tuple(example_inputs))
        # The converter handles copy_ into a slice of a tensor (a slice
        # assignment) itself; any other in-place op needs torch's
        # functionalisation (run_decompositions, about a second).
        for node in ep.graph.nodes:
            if node.op == "call_function" and _is_inplace(node.target) and \
                    str(node.target) != "aten.copy_.default":
                return ep.run_decompositions({})
        return ep


def _is_inplace(target) -> bool:
    schema = getattr(target, "_schema", None)
    return bool(schema is not None and schema.name.endswith("_"))


def _copy_into_slice(cv, node, args, kwargs):
    """`dst.copy_(src)` where dst is a slice of a tensor (what `out[...,
    0::2] = v` exports to): the base tensor becomes an insert_slice of src.
    The base's later uses (its node) see the new value."""
    dst, src = args[0], args[1]
    view = getattr(dst, "view_of", None)
    if view is None:
        raise cv.error("an in-place copy into a tensor that is not a slice "
                       "of the last dimension is not supported")
    base_name, base, start, step = view
    if tuple(src.shape) != tuple(dst.shape) or src.dtype != dst.dtype:
        src = cv.elementwise(_Node(dst.shape, dst.dtype), [src],
                             lambda r, tmp: ([], r[0]))
    new = Val(cv.insert(src, cv.current[base_name].name,
                        cv.current[base_name], start, step),
              base.rows, base.cols, base.dtype, base.shape)
    cv.current[base_name] = new
    return src


ATEN_OPS["aten.copy_.default"] = _copy_into_slice


def _reject_transposed(cv, values, why="another op uses it"):
    """A CompileError at the transpose's line for a transposed view used by
    anything but a matmul's right operand."""
    for v in values:
        if isinstance(v, (list, tuple)):
            _reject_transposed(cv, v, why)
        elif isinstance(v, _Transposed):
            cv.where, cv.loc = v.where, v.loc
            raise cv.error(f"{_TRANSPOSE_USE}; {why}",
                           help="store the tensor in the layout it is used "
                                "in")


def convert(ep, name: str):
    """The tensor-level MLIR text of the exported program `ep`, with the
    input and output descriptions [(name, shape, mlir dtype)]."""
    import torch.fx
    cv = Converter(name)
    env: dict = {}
    cv.current = env
    inputs, outputs = [], []
    arg_types = []
    for node in ep.graph.nodes:
        if node.op == "placeholder":
            val = node.meta["val"]
            dt = _mlir_dtype(val.dtype)
            r, c = _as2d(val.shape)
            v = Val(f"%arg{len(inputs)}", r, c, dt, tuple(val.shape))
            env[node.name] = v
            inputs.append((node.name, tuple(val.shape), dt))
            arg_types.append(f"{v.name}: {v.type}")

    def resolve(a):
        if isinstance(a, torch.fx.Node):
            v = env.get(a.name)
            if isinstance(v, tuple) and v and v[0] == "tuple":
                return v[1]
            return v
        if isinstance(a, (list, tuple)):
            return type(a)(resolve(x) for x in a)
        return a

    results = []
    for node in ep.graph.nodes:
        if node.op == "placeholder":
            continue
        if node.op == "output":
            outs = node.args[0]
            outs = outs if isinstance(outs, (list, tuple)) else [outs]
            for o in outs:
                v = resolve(o)
                _reject_transposed(cv, [v], "it is returned")
                if not isinstance(v, Val):
                    raise make_error("the function must return tensors",
                                     found=repr(o))
                results.append(v)
            continue
        if node.op != "call_function":
            raise make_error(f"unsupported graph node {node.op} {node.target}")
        target = str(node.target)
        if target == "<built-in function getitem>" or \
                getattr(node.target, "__name__", "") == "getitem":
            src = env.get(node.args[0].name)
            env[node.name] = src[1] if isinstance(src, tuple) else src
            continue
        cv.where = user_location(node)
        cv.op_name = target
        cv.loc = _mlir_loc(scope_name(node), cv.where)
        conv = ATEN_OPS.get(target)
        if conv is None:
            raise cv.error(f"ATen op {target} is not supported by the graph "
                           f"path", help="docs/graph.md lists the supported "
                                         "ops")
        args = resolve(node.args)
        kwargs = {k: resolve(v) for k, v in node.kwargs.items()}
        if conv not in (_matmul, _linear):
            _reject_transposed(cv, [args, list(kwargs.values())])
        env[node.name] = conv(cv, node, list(args), kwargs)
    for i, v in enumerate(results):
        outputs.append((f"out{i}", tuple(v.shape), v.dtype))
    res_types = ", ".join(v.type for v in results)
    header = (f"func.func @{name}({', '.join(arg_types)}) -> "
              f"({res_types}) {{")
    ret = (f"    return {', '.join(v.name for v in results)} : {res_types}")
    text = "\n".join(["module {", "  " + header, *cv.lines, ret, "  }", "}"])
    return text, inputs, outputs


class GraphKernel:
    """A PyTorch function compiled through the graph path for one input
    signature (the example inputs' shapes and dtypes)."""

    def __init__(self, fn, example_inputs, target: str = "a2a3",
                 name: str | None = None):
        from .compiler import driver
        driver.check_target(target)
        self.fn = fn
        self.target = target
        self.example_inputs = tuple(example_inputs)
        self.__name__ = name or getattr(fn, "__name__", "graph")
        self.name = re.sub(r"\W", "_", self.__name__)
        t0 = time.perf_counter()
        self.exported = export(fn, example_inputs)
        t1 = time.perf_counter()
        self.graph_text, self.inputs, self.outputs = convert(self.exported,
                                                             self.name)
        self.seconds = {"export": t1 - t0,
                        "convert": time.perf_counter() - t1}
        self._modules: dict = {}
        self._exe = None
        self._diagnostics: dict = {}

    def __repr__(self) -> str:
        return f"<tessel graph kernel {self.__name__} target={self.target}>"

    def module(self, stage: str = "placed"):
        """The compiled module at `stage` (GRAPH_STAGES)."""
        from .compiler import driver
        if stage not in GRAPH_STAGES:
            raise make_error(f"unknown graph stage {stage!r}",
                             expected=", ".join(GRAPH_STAGES),
                             found=repr(stage))
        if stage in self._modules:
            return self._modules[stage]
        from .mlir import ir
        from .mlir.passmanager import PassManager
        ctx, collected = driver.new_context()
        with ctx:
            try:
                module = ir.Module.parse(self.graph_text)
            except ir.MLIRError as e:
                raise driver.mlir_error(e, "the tensor-level IR parser") from None
            module.operation.attributes["tile.target"] = ir.Attribute.parse(
                f"#tile.target<{self.target}>")
            driver.verify(module)
            pipelines = []
            if stage != "graph":
                pipelines.append(("tile-form-scopes", "builtin.module("
                                  f"tile-form-scopes{{target={self.target}}},"
                                  "canonicalize,cse)"))
                pipelines.append(("tile-check-races", driver.CHECK_PIPELINE))
            for name, pipe in pipelines:
                try:
                    PassManager.parse(pipe).run(module.operation)
                except ir.MLIRError as e:
                    raise driver.mlir_error(e, name) from None
            if stage not in ("graph", "tile"):
                driver.run_stages(module, self.target, stage)
        self._modules[stage] = (module, ctx)
        self._diagnostics[stage] = collected
        return self._modules[stage]

    def retarget(self, target: str) -> "GraphKernel":
        """The same function compiled for another target."""
        return GraphKernel(self.fn, self.example_inputs, target=target,
                           name=self.__name__)

    def diagnostics(self, stage: str) -> list:
        """(severity, message, where, notes) of compiling to `stage`."""
        self.module(stage)
        return self._diagnostics[stage]

    def ir(self, stage: str = "tile") -> str:
        return str(self.module(stage)[0])

    def remarks(self, stage: str = "placed") -> list[str]:
        """The remarks (each pass's decisions) of compiling to `stage`."""
        self.module(stage)
        return [m for sev, m, *_ in self._diagnostics[stage]
                if "remark" in sev.lower()]

    def schedule_stats(self) -> dict:
        from .compiler.stats import schedule_stats
        return schedule_stats(self.module("placed")[0])

    def schedule_model(self, target: str | None = None) -> dict:
        """The modelled NPU time of the placed kernel
        (tessel.compiler.stats.schedule_model, docs/perf-model.md)."""
        from .compiler.stats import schedule_model
        if target is not None and target != self.target:
            return self.retarget(target).schedule_model()
        return schedule_model(self.module("placed")[0], self.target)

    def compile(self):
        """The CPU simulation executable (compiled once)."""
        if self._exe is None:
            from .runtime import CpuKernel
            module, _ = self.module("placed")
            names = [n for n, _, _ in self.inputs] + \
                    [n for n, _, _ in self.outputs]
            self._exe = CpuKernel(module, self.name, arg_names=names,
                                  output_indices=range(len(self.inputs),
                                                       len(names)))
        return self._exe

    def pto(self):
        """The kernel through the NPU back end (`tessel.runtime.pto.Emitted`:
        the Ascend C source on PTO-ISA and its synchronised IR; cached)."""
        if getattr(self, "_emitted", None) is None:
            from .compiler import driver
            from .mlir import ir
            from .runtime import pto
            module, ctx = self.module("tile")
            with ctx:
                # emit_module rewrites its module: give it a copy.
                copy = ir.Module.parse(module.operation.get_asm(
                    enable_debug_info=True))
                self._emitted = pto.emit_module(copy, self.name, self.target)
            driver.check_target(self.target)
        return self._emitted

    def compile_pto(self):
        """The emitted kernel built and loaded on the strict reference of
        the PTO-ISA API (runtime/pto; cached)."""
        if getattr(self, "_pto_exe", None) is None:
            from .runtime import pto
            self._pto_exe = pto.PtoKernel(self.pto())
        return self._pto_exe

    def __call__(self, *tensors, backend: str = "cpu"):
        """Runs on the CPU simulation (backend="cpu") or as the emitted
        PTO-ISA kernel on the strict reference (backend="pto"); returns the
        output tensor(s)."""
        import torch
        from .errors import ArgumentError
        if backend not in ("cpu", "pto"):
            raise ArgumentError(f"backend must be 'cpu' or 'pto', got "
                                f"{backend!r}")
        if len(tensors) != len(self.inputs):
            raise ArgumentError(f"{self.__name__} takes {len(self.inputs)} "
                                f"tensors, got {len(tensors)}")
        args = []
        for t, (name, shape, dt) in zip(tensors, self.inputs):
            if tuple(t.shape) != shape or t.dtype != _torch_dtype(dt):
                raise ArgumentError(
                    f"{name}: expected {list(shape)} {_torch_dtype(dt)}, got "
                    f"{list(t.shape)} {t.dtype} (compile again for another "
                    f"signature)")
            args.append(t.contiguous().reshape(_as2d(shape)))
        outs = [torch.empty(_as2d(shape), dtype=_torch_dtype(dt))
                for _, shape, dt in self.outputs]
        exe = self.compile_pto() if backend == "pto" else self.compile()
        exe(*args, *outs)
        outs = [o.reshape(shape) for o, (_, shape, _) in zip(outs, self.outputs)]
        return outs[0] if len(outs) == 1 else tuple(outs)


def compile_graph(fn, example_inputs, target: str = "a2a3",
                  name: str | None = None) -> GraphKernel:
    """Capture `fn` with torch.export on `example_inputs` and compile it
    through the graph path for `target`; the result runs on the CPU
    simulation when called and shows each stage with `.ir(stage)`."""
    return GraphKernel(fn, example_inputs, target=target, name=name)
