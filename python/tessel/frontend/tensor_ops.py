"""Tensor-level operations on GM tensors inside a core scope.

PyPTO lets an author apply an operation to whole GM tensors inside
``with pl.at(...)`` -- ``out[:] = pl.add(x, x)``, ``c = pl.matmul(a, b)``
then ``pl.assemble(out, c, [0, 0])`` -- and the compiler tiles it. Here
such a call builds a `TensorExpr`: the op, its (bound) arguments, its
shape and dtype, checked at the author's line. Nothing is emitted until
the value is bound:

- stored into a GM tensor (``out[...] = e``, ``pl.assemble``,
  ``pl.store``): the result is computed block by block, each block an
  `scf.for` iteration over the result's rows and columns, and stored
  where it is bound;
- used where a tile is needed (a tile op, a tile subscript, a loop-carried
  value): the whole result is computed as one tile, if it fits on chip.

A block of an expression is built from the blocks of its operands:
a GM tensor gives a ``tile.load`` of the region the block reads, a tile a
``tile.extract`` of it (or the tile itself), an elementwise op the same
tile op on its operands' blocks (the builtin of the tile form: the dtype
rules and checks are the tile form's), a row reduction the block of whole
rows it reduces (a column reduction whole columns) or, when those do not
fit, a loop over pieces of them whose partial results are combined
(`COMBINE`), a matmul a K loop of ``tile.matmul`` / ``tile.matmul_acc``
over L0-sized K steps. Within a block, an operand used twice is built
once.

The block shape is the largest (rows x columns, then the most columns;
for a matmul the squarest) whose tiles fit half of each on-chip buffer of
the target (`targets`, from TargetInfo; tile sizes and the ops' scratch
tiles from the placement's own layout functions, through the `_tessel`
bindings), counting every tile of the block's expression as live at once:
an upper bound, leaving the other half to the pipelining of the loops
(tile-pipeline-loops). K steps are the largest whose operand tiles fit
half of L0A / L0B (`plan_blocks`, pure in a `Sizer`).

Misuse is a CompileError at the author's line: a tensor operation outside
a core scope, shapes that do not broadcast as the tile forms do, a result
bound to nothing, a result read after a GM tensor it reads was written
(it would see the new values), a result stored into a tensor it reads
through other regions (a matmul or reduction in place), or a result that
does not fit on chip where a whole tile is needed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from ..language.types import INT32
from ..mlir import ir
from ..mlir.dialects import scf
from .. import targets
from . import optable
from . import tile_ops as tile_d
from . import validshape
from .state import Arg, Args
from .values import (GmTensor, IndexVal, PendingTile, TensorExpr, TileVal,
                     describe, shape_str)

#: The share of each on-chip buffer one block may use.
BUDGET_SHARE = 0.5

_TILES = (TileVal, PendingTile)
_TENSORS = (GmTensor, TensorExpr)


# ---------------------------------------------------------------------------
# Which builtins have a tensor-level form, and how their shapes relate
# ---------------------------------------------------------------------------

#: The elementwise builtins outside optable's families: name -> the
#: parameters holding operands (the scalar forms from builtins.SCALAR_FORMS).
_ELEMENTWISE = {"cast": ("input",), "log": ("input",), "relu": ("tile",),
                "lrelu": ("tile",)}


def _elementwise_params(name: str):
    from .builtins import SCALAR_FORMS
    if name in SCALAR_FORMS:
        return ("lhs",)
    return _ELEMENTWISE.get(name)


def rule(name: str):
    """(kind, operand parameters) of builtin `name`'s tensor-level form, or
    None when it has none. Kinds: "ew" (elementwise, operands of the
    result's shape), "rowred" / "colred" ([M, N] -> [M, 1] / [1, N]),
    "rowb" / "colb" ([M, N] with a [M, 1] / [1, N] operand), "mm"."""
    d = optable.BY_NAME.get(name)
    if d is not None:
        if d.family == "binary":
            return "ew", None          # the first two parameters
        if d.family == "unary":
            return "ew", ("input",)
        if d.family in ("row_reduce", "col_reduce", "arg_reduce"):
            return ("colred" if d.axis == "col" else "rowred"), ("input",)
        if d.family == "expand":
            return ("rowb" if d.broadcast == "row" else "colb"), \
                ("input", "scale")
        return None                    # compare: a packed mask, not a tensor
    params = _elementwise_params(name)
    if params is not None:
        return "ew", params
    if name == "matmul":
        return "mm", ("lhs", "rhs")
    parts = name.split("_expand_")
    if len(parts) == 2 and parts[0] in ("row", "col"):
        from .broadcast import EXPAND_ARITH
        if parts[1] in EXPAND_ARITH:
            return ("rowb" if parts[0] == "row" else "colb"), ("lhs", "rhs")
    return None


def names() -> list[str]:
    """Every builtin with a tensor-level form (docs/language.md)."""
    from .builtins import BUILTINS
    return sorted(n for n in BUILTINS if rule(n) is not None)


def _operand_params(a: Args, params):
    if params is None:
        return list(vars(a))[:2]
    return [p for p in params if p in vars(a)]


def _shape2(cg, t: GmTensor, node):
    """The 2-D shape a GM tensor has as an operand: [N] is [1, N]; leading
    dimensions beyond two must be 1."""
    shape = tuple(t.shape)
    if len(shape) == 1:
        return (1, shape[0])
    if any(d != 1 for d in shape[:-2]):
        raise cg.error(node, f"a tensor-level operation takes 1-D or 2-D "
                       f"tensors", found=t.describe(),
                       help="slice it to 2-D first (leading dimensions of "
                            "size 1), or reshape it with pl.reshape")
    return shape[-2:]


def _is_tensorish(v) -> bool:
    return isinstance(v, _TENSORS)


def applies(name: str, a: Args) -> bool:
    """Is this call of builtin `name` a tensor-level one (a GM tensor or a
    tensor-level result among its operands)?"""
    r = rule(name)
    if r is None:
        return False
    return any(_is_tensorish(getattr(a, p).value)
               for p in _operand_params(a, r[1]))


# ---------------------------------------------------------------------------
# Building expressions (the call site)
# ---------------------------------------------------------------------------

def _leaf(cg, v, node) -> TensorExpr:
    """The expression of an operand value (a GM tensor or a tile)."""
    if isinstance(v, TensorExpr):
        return v
    if isinstance(v, GmTensor):
        return TensorExpr("gm", node, None, (), _shape2(cg, v, node),
                          v.dtype, leaf=v)
    if isinstance(v, PendingTile):
        v = cg.as_tile(v, node, "an operand")
    if getattr(v, "nd", None) is not None:
        raise cg.error(node, f"a tensor-level operation does not take a "
                       f"tile of rank {len(v.nd)}", found=v.describe(),
                       help="load the GM operand as an N-D window too "
                            "(x[:, :, :]) and use the tile ops")
    return TensorExpr("tile", node, None, (), tuple(v.shape), v.dtype,
                      leaf=v)


def _scope_check(cg, node, name):
    if cg.scope.kind != "at":
        where = {"function": "at function level",
                 "spmd": "in a pl.spmd body outside its pl.at scopes"}[
            cg.scope.kind]
        raise cg.error(node, f"pl.{name} of GM tensors needs a core scope, "
                       f"but it is {where}",
                       help="tensor-level operations run on the cores: put "
                            "it inside `with pl.at(level=pl.Level."
                            "CORE_GROUP):` and store the result to a GM "
                            "tensor")
    if cg.block_index is not None:
        _, hi = cg.index_bounds(cg.block_index)
        if hi is None or hi > 0:
            raise cg.error(node, f"pl.{name} of whole GM tensors in a "
                           f"pl.spmd / pl.parallel of "
                           f"{'several' if hi is None else hi + 1} blocks "
                           f"would compute the whole result in every block",
                           help="slice the tensors by the block index to "
                                "load each block's tiles, or write the "
                                "tensor-level operation in a pl.at scope at "
                                "function level")


def call(cg, name: str, node, a: Args) -> TensorExpr:
    """The tensor-level form of `pl.<name>(...)`: a checked TensorExpr."""
    _scope_check(cg, node, name)
    from . import ndtile
    if ndtile.is_batched_matmul(name, a):
        return ndtile.tensor_matmul(cg, name, node, a)
    kind, params = rule(name)
    params = _operand_params(a, params)
    ops = {}
    for p in params:
        arg = getattr(a, p)
        if isinstance(arg.value, (GmTensor, TensorExpr) + _TILES):
            ops[p] = _leaf(cg, arg.value, arg.node)
    if kind == "ew" and len(ops) == 2:
        r = _broadcast_call(cg, name, node, a, ops)
        if r is not None:
            return r
    if kind == "ew":
        first = next(iter(ops.values()))
        pnames = list(ops)
        for p in pnames[1:]:
            e = ops[p]
            if e.shape != first.shape:
                from .builtins import _broadcast_help
                raise cg.error(getattr(a, p).node, f"shapes do not "
                               f"broadcast in pl.{name}",
                               expected=f"{shape_str(first.shape)} (the "
                                        f"shape of {pnames[0]})",
                               found=f"{shape_str(e.shape)} ({p}: "
                                     f"{e.describe()})",
                               help=_broadcast_help(name, first.shape,
                                                    e.shape))
            if e.dtype is not first.dtype:
                raise cg.error(getattr(a, p).node, f"dtype mismatch in "
                               f"pl.{name}",
                               expected=f"{first.dtype.name} (the dtype of "
                                        f"{pnames[0]})",
                               found=f"{e.dtype.name} ({p}: "
                                     f"{e.describe()})",
                               help="convert one side with pl.cast")
        shape, dtype = first.shape, first.dtype
        if name == "cast":
            dtype = cg.dtype_arg(a.target_type, "target_type")
    elif kind in ("rowred", "colred"):
        e = ops[params[0]]
        m, n = e.shape
        shape = (m, 1) if kind == "rowred" else (1, n)
        dtype = INT32 if "arg" in name else e.dtype
    elif kind in ("rowb", "colb"):
        if len(ops) != 2:
            bad = next(p for p in params if p not in ops)
            raise cg.error(getattr(a, bad).node, f"pl.{name} takes two "
                           f"tensors or tiles",
                           found=describe(getattr(a, bad).value))
        t, s = (ops[p] for p in params)
        m, n = t.shape
        want = (m, 1) if kind == "rowb" else (1, n)
        if s.shape != want:
            raise cg.error(getattr(a, params[1]).node, f"shapes do not "
                           f"broadcast in pl.{name}",
                           expected=f"{shape_str(want)} for a "
                                    f"{shape_str(t.shape)} {params[0]}",
                           found=f"{shape_str(s.shape)} ({s.describe()})",
                           help="a per-row operand is [M, 1] "
                                "(pl.row_expand_*), a per-column one "
                                "[1, N] (pl.col_expand_*)")
        shape, dtype = t.shape, t.dtype
    else:  # "mm"
        shape, dtype = _matmul_type(cg, node, a, ops)
    args = _with(a, ops)
    return TensorExpr(name, node, args, tuple(ops), tuple(shape), dtype,
                      scope=cg.scope, versions=_versions(cg, ops.values()))


def _broadcast_call(cg, name: str, node, a: Args, ops: dict):
    """`pl.<name>` (an arithmetic op that broadcasts, builtins._BROADCASTING)
    of a [M, N] tensor and a [M, 1] / [1, N] one: the tensor-level
    row_expand_<op> / col_expand_<op> (for add, mul, maximum, minimum the
    narrow operand may come first). None for any other pair of shapes."""
    from ..language import ops as pl_ops
    from .builtins import _BROADCASTING, _COMMUTATIVE
    if name not in _BROADCASTING:
        return None
    (pa, x), (pb, y) = ops.items()
    if x.shape == y.shape:
        return None
    full, narrow = (pa, pb) if \
        y.shape in ((x.shape[0], 1), (1, x.shape[1])) else \
        (pb, pa) if name in _COMMUTATIVE and \
        x.shape in ((y.shape[0], 1), (1, y.shape[1])) else (None, None)
    if full is None:
        return None
    m = ops[full].shape[0]
    per_row = ops[narrow].shape == (m, 1)
    target = f"{'row' if per_row else 'col'}_expand_" \
        f"{_BROADCASTING[name].lower()}"
    args = cg.bind(pl_ops.ALL_BUILTINS[target], target, node,
                   [getattr(a, full), getattr(a, narrow)], {})
    return call(cg, target, node, args)


def _with(a: Args, values: dict) -> Args:
    return a.with_values(values)


def _matmul_type(cg, node, a, ops):
    from .builtins import _trans_flag, cube_dtypes
    if len(ops) != 2:
        bad = a.lhs if "lhs" not in ops else a.rhs
        raise cg.error(bad.node, "pl.matmul of a GM tensor takes two "
                       "tensors or tiles", found=describe(bad.value))
    at = _trans_flag(cg, a.a_trans, "a_trans")
    bt = _trans_flag(cg, a.b_trans, "b_trans")
    lhs, rhs = ops["lhs"], ops["rhs"]
    m, k = lhs.shape[::-1] if at else lhs.shape
    k2, n = rhs.shape[::-1] if bt else rhs.shape
    if lhs.dtype is not rhs.dtype:
        raise cg.error(a.rhs.node, "pl.matmul operands have different "
                       "dtypes", expected=f"{lhs.dtype.name} (the dtype of "
                       f"lhs)", found=f"{rhs.dtype.name} (rhs)")
    if k != k2:
        raise cg.error(a.rhs.node, "pl.matmul contraction sizes differ",
                       expected=f"rhs with K = {k} "
                                f"{'columns' if bt else 'rows'} (lhs "
                                f"{shape_str(lhs.shape)})",
                       found=f"rhs {shape_str(rhs.shape)}, K = {k2}",
                       help="a_trans=True reads lhs as [K, M], "
                            "b_trans=True reads rhs as [N, K]")
    cube = cube_dtypes(cg.target)
    out = cube.get(lhs.dtype)
    if out is None:
        raise cg.error(a.lhs.node, f"no cube matmul of {lhs.dtype.name} "
                       f"tensors on {cg.target}",
                       expected=", ".join(f"{x.name} (-> {c.name})"
                                          for x, c in cube.items()),
                       found=lhs.describe(),
                       help="convert the operands with pl.cast")
    return (m, n), out


def binop(cg, op_name: str, node, left, right):
    """``x + y``, ``x @ y``, ... with a GM tensor or tensor-level result."""
    a = (Args({"lhs": Arg(left, node), "rhs": Arg(right, node),
               "out_dtype": Arg(None, node), "a_trans": Arg(False, node),
               "b_trans": Arg(False, node),
               "c_matrix_nz": Arg(False, node)}) if op_name == "matmul" else
         Args({"lhs": Arg(left, node), "rhs": Arg(right, node)}))
    return call(cg, op_name, node, a)


# ---------------------------------------------------------------------------
# GM writes after a read
# ---------------------------------------------------------------------------

def _leaves(e: TensorExpr, kind="gm"):
    if e.op == kind:
        yield e
    for p in e.operands:
        yield from _leaves(getattr(e.args, p).value, kind)


def _versions(cg, operands) -> dict:
    out = {}
    for e in operands:
        for leaf in _leaves(e):
            root = leaf.leaf.base
            out[root] = cg.gm_versions.get(root, 0)
        out.update(e.versions or {})
    return out


def note_write(cg, base: GmTensor):
    """A store into `base` (tile.store, pl.write): results that read it
    before may not be computed after it."""
    root = base.base
    cg.gm_versions[root] = cg.gm_versions.get(root, 0) + 1


def _check_current(cg, e: TensorExpr, node):
    if e.scope is not cg.scope:
        raise cg.error(node, f"the result of pl.{e.op} at line "
                       f"{e.node.lineno} is used outside the core scope that "
                       f"made it", found=e.describe(),
                       help="store it to a GM tensor (a pl.Out parameter or "
                            "pl.create_tensor) in that scope")
    for root, version in (e.versions or {}).items():
        if cg.gm_versions.get(root, 0) != version:
            raise cg.error(node, f"the result of pl.{e.op} at line "
                           f"{e.node.lineno} reads '{root.name}', which was "
                           f"written after it was made",
                           found=e.describe(),
                           help="Tessel computes a tensor-level result where "
                                "it is stored; store it before writing "
                                f"'{root.name}'")


# ---------------------------------------------------------------------------
# Planning: block shapes that fit on chip
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizer:
    """What the planning below needs of a target: the bytes each buffer
    may give one block (`budget`, by buffer kind: "ub", "l1", "l0a",
    "l0b", "l0c") and the bytes a tile of a shape and dtype takes in a
    buffer (`bytes_of(shape, dtype, kind)`, its layout's padding
    included). The planning functions are pure in it."""
    budget: dict
    bytes_of: object
    #: extra_of(tile op name, operands, result): the UB bytes the op needs
    #: beyond its tiles (its PTO-ISA scratch tile, a row reduction's source
    #: view); operands and result are (shape, dtype), a scalar operand its
    #: dtype alone.
    extra_of: object = None
    #: May reductions read their rows (columns) in steps?
    steps: bool = True


def sizer(cg) -> Sizer:
    """The Sizer of the target being compiled: TargetInfo's usable bytes
    (BUDGET_SHARE of each) and the placement's tile storage sizes."""
    from ..mlir._mlir_libs import _tessel
    bufs = targets.get(cg.target)["buffers"]
    budget = {k: int(v["usable_bytes"] * BUDGET_SHARE)
              for k, v in bufs.items()}

    def bytes_of(shape, dtype, kind):
        return _tessel.tile_storage_bytes(cg.tile_type(shape, dtype), kind,
                                          cg.target)

    def type_of(x):
        return cg.tile_type(*x) if isinstance(x, tuple) else cg.elt_type(x)

    def extra_of(op_name, operands, result):
        return _tessel.vector_op_extra_bytes(
            op_name, [type_of(x) for x in operands], type_of(result),
            cg.target)
    return Sizer(budget, bytes_of, extra_of)


def _add(acc: dict, more: dict):
    for k, v in more.items():
        acc[k] = acc.get(k, 0) + v


def _fits(need: dict, budget: dict) -> bool:
    return all(need.get(k, 0) <= budget[k] for k in need)


def _divisors(n: int, elt_bytes: int, quantum: int = 1):
    """Block extents of a dimension of n: divisors of n, descending, whose
    byte offsets stay 32-byte aligned (or n itself) and, for the cube, a
    multiple of `quantum`."""
    out = []
    for d in range(n, 0, -1):
        if n % d:
            continue
        if d != n and ((d * elt_bytes) % 32 or d % quantum):
            continue
        out.append(d)
    return out


def _mm_operands(e: TensorExpr):
    at = bool(e.args.a_trans.value) if hasattr(e.args, "a_trans") else False
    bt = bool(e.args.b_trans.value) if hasattr(e.args, "b_trans") else False
    return e.args.lhs.value, e.args.rhs.value, at, bt


def _k_of(e: TensorExpr) -> int:
    lhs, _, at, _ = _mm_operands(e)
    return lhs.shape[0] if at else lhs.shape[1]


def _k_step(sz: Sizer, e: TensorExpr, h: int, w: int) -> int | None:
    """The largest K step of matmul `e`'s [h, w] block whose operands fit
    L0A / L0B (and, with their own expressions, every buffer)."""
    lhs, rhs, at, bt = _mm_operands(e)
    k = _k_of(e)
    for bk in _divisors(k, lhs.dtype.bits // 8, 16):
        a_shape = (bk, h) if at else (h, bk)
        b_shape = (w, bk) if bt else (bk, w)
        if sz.bytes_of(a_shape, lhs.dtype, "l0a") > sz.budget["l0a"] or \
                sz.bytes_of(b_shape, rhs.dtype, "l0b") > sz.budget["l0b"]:
            continue
        need = _need_operands(sz, e, h, w, bk)
        if need is not None and _fits(need, sz.budget):
            return bk
    return None


def _need_operands(sz: Sizer, e, h, w, bk):
    lhs, rhs, at, bt = _mm_operands(e)
    need = {"l0a": sz.bytes_of((bk, h) if at else (h, bk), lhs.dtype, "l0a"),
            "l0b": sz.bytes_of((w, bk) if bt else (bk, w), rhs.dtype, "l0b")}
    for sub, shape in ((lhs, (bk, h) if at else (h, bk)),
                       (rhs, (w, bk) if bt else (bk, w))):
        n = need_of(sz, sub, shape, "cube")
        if n is None:
            return None
        _add(need, n)
    return need


def need_of(sz: Sizer, e: TensorExpr, shape, consumer: str):
    """The on-chip bytes per buffer of `e`'s block of `shape` (every tile
    of it counted live), or None when a matmul in it has no K step that
    fits. `consumer`: "vector" or "cube", the unit reading the block."""
    h, w = shape
    # Where the block's result lives for its consumer: "cube" (a matmul
    # operand, L1), "vector" (UB) or "store" (straight to GM).
    mine = {"cube": "l1", "vector": "ub", "store": None}[consumer]
    if e.op in ("gm", "tile"):
        if mine is None or (e.op == "tile" and tuple(shape) == e.shape):
            return {}
        return {mine: sz.bytes_of(shape, e.dtype, mine)}
    kind = rule(e.op)[0]
    need = {}
    if kind == "mm":
        bk = _k_step(sz, e, h, w)
        if bk is None:
            return None
        _add(need, _need_operands(sz, e, h, w, bk))
        _add(need, {"l0c": sz.bytes_of(shape, e.dtype, "l0c")})
        # A cube consumer reads it from L1; a store takes it from L0C (a
        # vector consumer is staged through GM: see stage()).
        if consumer == "cube":
            _add(need, {"l1": sz.bytes_of(shape, e.dtype, "l1")})
        return need
    if kind in ("rowred", "colred"):
        step = _reduce_step(sz, e, h, w)
        if step is None:
            return None
        _add(need, _need_reduce(sz, e, h, w, step))
    else:
        for p in e.operands:
            sub = getattr(e.args, p).value
            n = need_of(sz, sub, _operand_region(e, p, (h, w)), "vector")
            if n is None:
                return None
            _add(need, n)
        _add(need, {"ub": sz.bytes_of(shape, e.dtype, "ub") +
                    _extra(sz, e, (h, w))})
    if consumer == "cube":
        _add(need, {"l1": sz.bytes_of(shape, e.dtype, "l1")})
    return need


#: The elementwise op that combines two partial results of a reduction
#: computed in steps (a row too long for one block); arg-reductions have
#: none and take whole rows / columns.
COMBINE = {"row_sum": "add", "row_max": "maximum", "row_min": "minimum",
           "row_prod": "mul", "col_sum": "add", "col_max": "maximum",
           "col_min": "minimum", "col_prod": "mul"}


def _reduce_extent(e: TensorExpr) -> int:
    """The extent a reduction reduces (its operand's columns or rows)."""
    sub = getattr(e.args, e.operands[0]).value
    return sub.shape[1] if rule(e.op)[0] == "rowred" else sub.shape[0]


def _need_reduce(sz: Sizer, e, h, w, step):
    """The bytes of reduction `e`'s [h, w] block reading `step` columns
    (rows) of its operand at a time: the operand's piece, the result and,
    in steps, the partial result combined into it."""
    sub = getattr(e.args, e.operands[0]).value
    region = (h, step) if rule(e.op)[0] == "rowred" else (step, w)
    need = need_of(sz, sub, region, "vector")
    if need is None:
        return None
    need = dict(need)
    copies = 1 if step == _reduce_extent(e) else 2
    _add(need, {"ub": copies * sz.bytes_of((h, w), e.dtype, "ub") +
                _extra(sz, e, (h, w), region)})
    return need


def _tile_op(e: TensorExpr):
    """The name of the tile op `e`'s block builds (for its scratch), or
    None when it needs none the planning knows of."""
    from .builtins import SCALAR_FORMS
    d = optable.BY_NAME.get(SCALAR_FORMS.get(e.op, e.op))
    if d is None:
        return None, ()
    tensors = [getattr(e.args, p).value for p in e.operands]
    if d.family == "binary" and len(tensors) == 1:
        values = list(vars(e.args).values())[:2]
        first_is_tensor = isinstance(values[0].value, TensorExpr)
        cls = d.scalar_op if first_is_tensor else d.rscalar_op
        return (getattr(tile_d, cls).OPERATION_NAME if cls else None), \
            ("scalar",)
    return getattr(tile_d, d.tile_op).OPERATION_NAME, ()


def _extra(sz: Sizer, e: TensorExpr, shape, region=None) -> int:
    """The UB bytes `e`'s op needs beyond its tiles for a block of
    `shape` (reading `region` of its operand, for a reduction)."""
    if sz.extra_of is None:
        return 0
    name, forms = _tile_op(e)
    if name is None:
        return 0
    operands = [(tuple(region) if region else
                 tuple(_operand_region(e, p, shape)),
                 getattr(e.args, p).value.dtype) for p in e.operands]
    tensors = [getattr(e.args, p).value for p in e.operands]
    if forms == ("scalar",):
        operands.append(tensors[0].dtype)
    return sz.extra_of(name, operands, (tuple(shape), e.dtype))


def _reduce_step(sz: Sizer, e: TensorExpr, h: int, w: int) -> int | None:
    """The most columns (row reductions) or rows (column reductions) of
    the operand reduction `e`'s [h, w] block reads at a time: all of them
    when they fit, else the largest step that fits (combined with
    COMBINE[e.op]); None when none fits."""
    n = _reduce_extent(e)
    sub = getattr(e.args, e.operands[0]).value
    elt = 32 if rule(e.op)[0] == "colred" else \
        min(x.dtype.bits for x in _all_nodes(sub)) // 8 or 1
    steps = _divisors(n, elt) if e.op in COMBINE and sz.steps else [n]
    for step in steps:
        need = _need_reduce(sz, e, h, w, step)
        if need is not None and _fits(need, sz.budget):
            return step
    return None


def _operand_region(e: TensorExpr, p: str, shape):
    """The [rows, cols] of operand `p` that `e`'s block of `shape` reads
    (the offsets follow _operand_offsets)."""
    kind = rule(e.op)[0]
    sub = getattr(e.args, p).value
    h, w = shape
    if kind == "rowred":
        return (h, sub.shape[1])
    if kind == "colred":
        return (sub.shape[0], w)
    if kind in ("rowb", "colb") and p == e.operands[1]:
        return (h, 1) if kind == "rowb" else (1, w)
    return (h, w)


def plan_blocks(sz: Sizer, e: TensorExpr):
    """(rows, cols) of the blocks `e` is computed in, or None when none
    fits: the largest area that fits; of equal areas the widest (rows are
    contiguous in GM), or for a matmul the squarest (its operand steps
    then take the longest K). Reductions read whole rows (columns) when
    some block allows it, else in steps."""
    m, n = e.shape
    elt = min(x.dtype.bits for x in _all_nodes(e)) // 8 or 1
    quantum = 16 if any(x.op == "matmul" for x in _all_nodes(e)) else 1
    rows = _divisors(m, 32, quantum)     # any row count is aligned
    cols = _divisors(n, elt, quantum)
    square = e.op == "matmul"
    cands = sorted(((h, w) for h in rows for w in cols),
                   key=lambda hw: (hw[0] * hw[1],
                                   min(hw) if square else 0, hw[1]),
                   reverse=True)
    # Whole rows (columns) for every reduction if any block allows it,
    # else reductions in steps.
    for s in (replace(sz, steps=False), sz):
        for h, w in cands:
            need = need_of(s, e, (h, w), "store")
            if need is not None and _fits(need, s.budget):
                return h, w
    return None


def _budget_text(cg, sz: Sizer) -> str:
    return f"within half of each buffer on {cg.target}: " + ", ".join(
        f"{k} {v} bytes" for k, v in sorted(sz.budget.items()))


def plan(cg, e: TensorExpr, node):
    """plan_blocks for the target being compiled; none fitting is a
    CompileError at `node`."""
    sz = sizer(cg)
    best = plan_blocks(sz, e)
    if best is None:
        raise cg.error(node, f"the result of pl.{e.op} "
                       f"{shape_str(e.shape)} does not fit on chip even in "
                       f"the smallest blocks", found=e.describe(),
                       expected="blocks " + _budget_text(cg, sz),
                       help="split the operation by hand: load slices and "
                            "compute tile by tile")
    return best


def _all_nodes(e: TensorExpr):
    yield e
    for p in e.operands:
        yield from _all_nodes(getattr(e.args, p).value)


# ---------------------------------------------------------------------------
# Emission
# ---------------------------------------------------------------------------

def _plus(cg, a, b, node):
    if isinstance(a, int) and isinstance(b, int):
        return a + b
    if isinstance(b, int) and b == 0:
        return a
    if isinstance(a, int) and a == 0:
        return b
    return cg.binop(ast.Add(), a, b, node)


def _key(v):
    return ("lin", v.lin) if isinstance(v, IndexVal) else int(v)


def loop(cg, node, count: int, step: int, body, inits=()):
    """`body(iv, *carried)` for iv in 0, step, ... (count iterations) as an
    scf.for (inline when count is 1); returns the carried values after."""
    if count == 1:
        return body(0, *inits)
    lb, ub = cg.index_value(0, node), cg.index_value(count * step, node)
    st = cg.index_value(step, node)
    init_values = [t.value for t in inits]
    op = scf.ForOp(lb, ub, st, init_values, loc=cg.loc(node), ip=cg.ip)
    block = op.body
    iv = cg.new_index(block.arguments[0], bounds=(0, (count - 1) * step))
    carried = [TileVal(block.arguments[i + 1], t.shape, t.dtype)
               for i, t in enumerate(inits)]
    saved = cg.ip
    cg.ip = ir.InsertionPoint(block)
    cg.cse.append({})
    try:
        out = body(iv, *carried)
        out = list(out) if isinstance(out, (list, tuple)) else \
            ([out] if inits else [])
        scf.YieldOp([t.value for t in out], loc=cg.loc(node), ip=cg.ip)
    finally:
        cg.ip = saved
        cg.cse.pop()
    return [TileVal(op.results[i], t.shape, t.dtype)
            for i, t in enumerate(inits)]


def emit(cg, e: TensorExpr, r0, c0, shape, memo: dict) -> TileVal:
    """The tile of `e`'s block at (r0, c0) of `shape`."""
    # Two uses of one GM tensor or tile are one leaf.
    ident = id(e.leaf) if e.leaf is not None else id(e)
    key = (ident, _key(r0), _key(c0), tuple(shape))
    hit = memo.get(key)
    if hit is not None:
        return hit
    t = _emit(cg, e, r0, c0, tuple(shape), memo)
    memo[key] = t
    return t


def _emit(cg, e, r0, c0, shape, memo):
    h, w = shape
    if e.op == "gm":
        base = e.leaf
        rank = len(base.shape)
        if rank == 1:
            offsets, sizes = [c0], [w]
        else:
            offsets = [0] * (rank - 2) + [r0, c0]
            sizes = [1] * (rank - 2) + [h, w]
        return cg.load_slice(base, offsets, sizes, e.node)
    if e.op == "tile":
        t = e.leaf
        if shape == e.shape:
            return t
        if validshape.is_partial(t):
            raise cg.error(e.node, "a partial tile in a tensor-level "
                           "operation that is computed in blocks",
                           found=t.describe(),
                           help="pad it first with pl.fillpad")
        cg.require_core(e.node, "a tile operand of a tensor-level operation")
        v = tile_d.ExtractOp(cg.tile_type(shape, t.dtype), t.value,
                             cg.index_value(r0, e.node),
                             cg.index_value(c0, e.node),
                             loc=cg.loc(e.node), ip=cg.ip).result
        return TileVal(v, shape, t.dtype)
    kind = rule(e.op)[0]
    if kind == "mm":
        return _emit_matmul(cg, e, r0, c0, shape, memo)
    if kind in ("rowred", "colred"):
        return _emit_reduce(cg, e, r0, c0, shape, memo)
    values = {}
    for p in e.operands:
        sub = getattr(e.args, p).value
        rr, cc = r0, c0
        if kind == "rowred" or (kind == "rowb" and p == e.operands[1]):
            cc = 0
        if kind == "colred" or (kind == "colb" and p == e.operands[1]):
            rr = 0
        values[p] = emit(cg, sub, rr, cc, _operand_region(e, p, shape), memo)
    args = _with(e.args, values)
    return validshape.dispatch(cg, e.op, e.node, args)


def _emit_reduce(cg, e, r0, c0, shape, memo):
    """A reduction's block: its operand's whole rows (columns) reduced at
    once, or in steps whose partial results are combined."""
    from . import builtins as bi
    h, w = shape
    rows = rule(e.op)[0] == "rowred"
    p = e.operands[0]
    sub = getattr(e.args, p).value
    step = _reduce_step(sizer(cg), e, h, w)
    n = _reduce_extent(e)

    def part(at, memo):
        if rows:
            t = emit(cg, sub, r0, at, (h, step), memo)
        else:
            t = emit(cg, sub, at, c0, (step, w), memo)
        return validshape.dispatch(cg, e.op, e.node, _with(e.args, {p: t}))

    acc = part(0, memo)
    if step == n:
        return acc

    def body(iv, acc):
        t = part(_plus(cg, iv, step, e.node), dict(memo))
        return [bi.elementwise(cg, e.node, COMBINE[e.op], Arg(acc, e.node),
                               Arg(t, e.node))]
    return loop(cg, e.node, n // step - 1, step, body, [acc])[0]


def _emit_matmul(cg, e, r0, c0, shape, memo):
    from . import builtins as bi
    h, w = shape
    lhs, rhs, at, bt = _mm_operands(e)
    bk = _k_step(sizer(cg), e, h, w)
    k = _k_of(e)

    def step(k0, acc=None, memo=memo):
        a_off, a_shape = ((k0, r0), (bk, h)) if at else ((r0, k0), (h, bk))
        b_off, b_shape = ((c0, k0), (w, bk)) if bt else ((k0, c0), (bk, w))
        ta = emit(cg, lhs, *a_off, a_shape, memo)
        tb = emit(cg, rhs, *b_off, b_shape, memo)
        if acc is None:
            args = Args({**vars(e.args), "lhs": Arg(ta, e.args.lhs.node),
                         "rhs": Arg(tb, e.args.rhs.node)})
            return validshape.dispatch(cg, "matmul", e.node, args)
        args = Args({"acc": Arg(acc, e.node),
                     "lhs": Arg(ta, e.args.lhs.node),
                     "rhs": Arg(tb, e.args.rhs.node),
                     "a_trans": e.args.a_trans, "b_trans": e.args.b_trans})
        return bi.matmul_acc(cg, e.node, args)

    acc = step(0)
    steps = k // bk
    if steps == 1:
        return acc

    def body(iv, acc):
        return [step(_plus(cg, iv, bk, e.node), acc, dict(memo))]
    return loop(cg, e.node, steps - 1, bk, body, [acc])[0]


# ---------------------------------------------------------------------------
# Binding: stores and whole tiles
# ---------------------------------------------------------------------------

def _reads_elsewhere(e: TensorExpr, base: GmTensor, target: GmTensor,
                     offsets) -> bool:
    """Could a block of `e` read a region of `base` that another block
    writes (storing `e` into `target` at `offsets`)?"""
    same = [x for x in _leaves(e) if x.leaf.base is base]
    if not same:
        return False
    aligned = all(x.leaf is target for x in same) and \
        all(isinstance(o, int) and o == 0 for o in offsets)
    regular = all(rule(x.op)[0] == "ew" for x in _all_nodes(e)
                  if x.op not in ("gm", "tile"))
    return not (aligned and regular)


def _unit(e: TensorExpr) -> str:
    return "cube" if e.op == "matmul" else "vector"


def stage(cg, e: TensorExpr, node) -> TensorExpr:
    """`e` with every operand computed on the other unit (a matmul read by
    a vector op, a vector op read by a matmul) computed first into a GM
    scratch tensor of its own loops: a loop of blocks then holds the work
    of one unit, which the a2a3 scope split (and PTO-ISA, whose vector
    instructions read UB only) needs. The staging is what
    tile-split-mixed-scopes does for straight-line code."""
    done = {}

    def walk(x):
        if x.leaf is not None:
            return x
        if id(x) in done:
            return done[id(x)]
        new = {}
        for p in x.operands:
            sub = walk(getattr(x.args, p).value)
            if sub.leaf is None and _unit(sub) != _unit(x):
                sub = to_scratch(cg, sub, node)
            new[p] = sub
        r = x
        if any(new[p] is not getattr(x.args, p).value for p in x.operands):
            args = _with(x.args, new)
            r = TensorExpr(x.op, x.node, args, x.operands, x.shape, x.dtype,
                           scope=x.scope, versions=x.versions)
        done[id(x)] = r
        return r
    return walk(e)


def to_scratch(cg, e: TensorExpr, node, name: str | None = None
               ) -> TensorExpr:
    """A GM scratch tensor holding `e` (stored now), as a leaf."""
    name = name or f"{e.op}_l{e.node.lineno}"
    op = cg.ip.block.owner.operation
    while op.parent is not None and op.parent.name != "func.func":
        op = op.parent.operation
    v = tile_d.AllocGmOp(cg.memref_type(e.shape, e.dtype), name=name,
                         loc=cg.loc(e.node), ip=ir.InsertionPoint(op)).result
    t = GmTensor(v, e.shape, e.dtype, name, writable=True, kind="scratch",
                 origin=name)
    block = cg.ip.block
    before = list(block.operations)
    store(cg, t, [0, 0], list(e.shape), e, node, e.node)
    after = list(block.operations)
    new = after[len(before) - 1:len(after) - 1]
    if new and block.owner.operation.name == "tile.at":
        # The staged loops may become a scope of their own (split_staged).
        cg.tensor_cuts.append((block, "before", new[0].operation))
        cg.tensor_cuts.append((block, "after", new[-1].operation))
    return TensorExpr("gm", e.node, None, (), e.shape, e.dtype, leaf=t)


def block_ops(block):
    """The operations of `block`, as a list (safe to modify the block)."""
    return [op.operation for op in block.operations]


def walk_ops(op):
    """`op` and every op nested in it, outer first."""
    yield op
    for region in op.regions:
        for block in region.blocks:
            for nested in block.operations:
                yield from walk_ops(nested.operation)


def _top(op, at):
    """The op at the top level of `at`'s body holding `op`, or None."""
    while op is not None:
        parent = op.parent
        if parent is None:
            return None
        if parent.operation == at:
            return op
        op = parent.operation
    return None


def split_staged(cg, spmd, blocks: int, node=None):
    """After a one-block scope is built: where its tensor-level results
    were staged through GM between cube and vector loops, make each run of
    loops between two stagings a scope of its own (in order, one block
    each), so a scope alternating cube -> vector -> cube work becomes one
    cube or vector scope per part. Nothing changes when a value other than
    GM (a tile, an index) crosses a cut: tile-split-mixed-scopes then
    decides as before."""
    spmd = spmd.operation
    sblock = spmd.regions[0].blocks[0]
    ats = [op for op in block_ops(sblock) if op.name == "tile.at"]
    if blocks != 1 or len(ats) != 1:
        return
    at = ats[0]
    body = at.regions[0].blocks[0]
    mine = [(w, op) for b, w, op in cg.tensor_cuts if b == body]
    if not mine:
        return
    ops = block_ops(body)[:-1]
    cuts = set()
    for where, op in mine:
        i = next(j for j, x in enumerate(ops) if x == op)
        cuts.add(i if where == "before" else i + 1)
    cuts = sorted(c for c in cuts if 0 < c < len(ops))
    if not cuts:
        return
    bounds = [0] + cuts + [len(ops)]
    segments = [ops[a:b] for a, b in zip(bounds, bounds[1:])]
    seg_of = {}
    for s, seg in enumerate(segments):
        for op in seg:
            seg_of[op] = s
    for s, seg in enumerate(segments):
        for top in seg:
            for nested in walk_ops(top):
                for v in nested.operands:
                    owner = v.owner
                    if isinstance(owner, ir.Block):
                        if owner == sblock:
                            return      # the block index crosses
                        continue
                    anc = _top(owner.operation, at)
                    if anc is not None and seg_of[anc] != s:
                        return          # an SSA value crosses
    name = spmd.attributes["sym_name"].value \
        if "sym_name" in spmd.attributes else None
    prev = spmd
    loc = spmd.location
    for s, seg in enumerate(segments[1:], 1):
        op = tile_d.SpmdOp(1, sym_name=f"{name}_{s}" if name else None,
                           loc=loc, ip=ir.InsertionPoint(spmd))
        blk = op.regions[0].blocks.append(ir.IndexType.get(), arg_locs=[loc])
        y = tile_d.YieldOp([], loc=loc, ip=ir.InsertionPoint(blk))
        new_at = ir.Operation.create("tile.at", attributes={
            "kind": at.attributes["kind"]}, regions=1, loc=at.location,
            ip=ir.InsertionPoint(y))
        ablk = new_at.regions[0].blocks.append()
        ay = tile_d.YieldOp([], loc=at.location, ip=ir.InsertionPoint(ablk))
        for moved in seg:
            moved.move_before(ay.operation)
        op.operation.move_after(prev)
        prev = op.operation
    from .tasks import remark
    parts = (f" ({name}, " + ", ".join(f"{name}_{s}" for s in
                                         range(1, len(segments))) + ")"
             if name else "")
    what = f"scope '{name}'" if name else "the scope"
    remark(cg, node, f"{what} split into {len(segments)} scopes{parts}: its "
           f"tensor-level results pass between cube and vector loops "
           f"through GM")



def store(cg, base: GmTensor, offsets, sizes, e: TensorExpr, node,
          value_node, atomic: bool = False):
    """``base[offsets + sizes] = e``, block by block."""
    if e.op == "bmm":
        from . import ndtile
        return ndtile.tensor_store(cg, base, offsets, sizes, e, node,
                                   value_node, atomic)
    _check_current(cg, e, value_node)
    e = stage(cg, e, value_node)
    shape = cg.tile_shape_of(base, sizes, node)
    if tuple(shape) != e.shape:
        raise cg.error(node, f"the result does not fit the slice of "
                       f"'{base.name}'",
                       expected=f"{shape_str(shape)} (the slice shape)",
                       found=e.describe())
    if e.dtype is not base.dtype:
        raise cg.error(node, f"dtype mismatch storing into '{base.name}'",
                       expected=f"{base.dtype.name} (the tensor's dtype)",
                       found=e.describe(),
                       help=f"convert it first: pl.cast(x, target_type="
                            f"pl.{base.dtype.name})")
    h, w = plan(cg, e, value_node)
    m, n = e.shape
    blocks = (m // h) * (n // w)
    if blocks > 1 and _reads_elsewhere(e, base.base, base, offsets):
        raise cg.error(value_node, f"the result of pl.{e.op} is stored into "
                       f"'{base.name}', which it reads", found=e.describe(),
                       help=f"it is computed in {blocks} blocks and a block "
                            f"would read what an earlier one stored: store "
                            f"it into a pl.create_tensor scratch tensor "
                            f"first")
    lead = list(offsets[:-2]) if len(offsets) > 1 else []
    lead_sizes = list(sizes[:-2]) if len(sizes) > 1 else []
    base_r = offsets[-2] if len(offsets) > 1 else 0
    base_c = offsets[-1]

    def cols(ri, cj):
        t = emit(cg, e, ri, cj, (h, w), {})
        r_at, c_at = _plus(cg, base_r, ri, node), _plus(cg, base_c, cj, node)
        offs = [c_at] if len(offsets) == 1 else lead + [r_at, c_at]
        szs = [w] if len(sizes) == 1 else lead_sizes + [h, w]
        cg.store_tile(base, offs, szs, t, node, value_node, atomic=atomic)

    loop(cg, value_node, m // h, h,
         lambda ri: loop(cg, value_node, n // w, w,
                         lambda cj: cols(ri, cj)))


def as_tile(cg, e: TensorExpr, node, what) -> TileVal:
    """The whole result of `e` as one tile (where a tile is needed)."""
    if e.op == "bmm":
        from . import ndtile
        return ndtile.tensor_as_tile(cg, e, node, what)
    _check_current(cg, e, node)
    e = stage(cg, e, node)
    sz = sizer(cg)
    need = need_of(sz, e, e.shape, "store")
    if need is None or not _fits(need, sz.budget):
        raise cg.error(node, f"{what} is the tensor-level result of "
                       f"pl.{e.op} at line {e.node.lineno}, too large to be "
                       f"one tile", found=e.describe(),
                       expected="its tiles " + _budget_text(cg, sz),
                       help="store it to a GM tensor (pl.create_tensor) and "
                            "load slices of it, or compute it tile by tile")
    return emit(cg, e, 0, 0, e.shape, {})


def bound_to_nothing(cg, e: TensorExpr, node):
    return cg.error(node, f"the result of pl.{e.op} is bound to nothing",
                    found=e.describe(),
                    help="store it into a GM tensor (`out[...] = ...`, "
                         "pl.assemble) or assign it to a name; a "
                         "tensor-level operation computes nothing until its "
                         "result is stored")


def maybe_call(cg, name: str, node, a: Args):
    """The value of builtin call `pl.<name>(...)` when it is tensor-level
    (a GM tensor or tensor-level result as an operand, or a tensor-level
    result stored), else NotImplemented."""
    if name in ("assemble", "tensor.assemble") and \
            isinstance(a.source.value, TensorExpr):
        return _assemble(cg, name, node, a)
    if name in ("store", "tile.store") and isinstance(a.tile.value,
                                                      TensorExpr):
        return _store_call(cg, name, node, a)
    _load_block_views(cg, name, a)
    if applies(name, a):
        return call(cg, name, node, a)
    return NotImplemented


def _load_block_views(cg, name, a) -> None:
    """In a pl.spmd / pl.parallel of several blocks, a view (a slice taken
    outside the scopes, e.g. `rope_cos[pos:pos + 1, :]` with `pos` read
    per block) is that block's data, and a whole GM tensor next to a tile
    operand (a weight, decode_indexer's `tile @ hadamard`) is read whole by
    every block: such operands load as one tile each and the call is a
    tile op. Only whole GM tensors alone stay tensor-level (an error there:
    every block would compute the whole result)."""
    r = rule(name)
    if r is None or cg.scope.kind != "at" or cg.block_index is None:
        return
    _, hi = cg.index_bounds(cg.block_index)
    if hi == 0:
        return
    args = [getattr(a, p) for p in _operand_params(a, r[1])]
    per_block = any(isinstance(arg.value, (TileVal, PendingTile)) or (
        isinstance(arg.value, GmTensor) and arg.value.offsets is not None)
        for arg in args)
    if not per_block:
        return
    for arg in args:
        v = arg.value
        if isinstance(v, GmTensor):
            rank = len(v.shape)
            arg.value = cg.load_slice(v, [0] * rank, list(v.shape), arg.node)


def _assemble(cg, name, node, a):
    from . import builtins as bi
    from ..language.types import AtomicType
    target = a.target.value
    if not isinstance(target, GmTensor):
        raise cg.error(a.target.node, f"pl.{name} writes into a GM tensor",
                       found=describe(target))
    atomic = a.atomic.value
    if not isinstance(atomic, AtomicType):
        raise cg.error(a.atomic.node, f"pl.{name}(atomic=...) takes a "
                       "pl.AtomicType", found=describe(atomic))
    e = a.source.value
    rank = len(target.shape)
    offsets = bi._offsets(cg, a.offset, rank)
    sizes = [e.shape[1]] if rank == 1 else \
        [1] * max(0, rank - len(e.shape)) + list(e.shape)
    bi._check_bounds_valid(cg, target, offsets, sizes, None, node)
    store(cg, target, offsets, sizes, e, node, a.source.node,
          atomic=atomic is AtomicType.Add)
    return target


def _store_call(cg, name, node, a):
    from . import builtins as bi
    if a.shapes.value is not None:
        raise cg.error(a.shapes.node, f"pl.{name}(shapes=...) of a "
                       f"tensor-level result is not supported",
                       help="store the whole result, or slice the operands")
    t = bi._gm_arg(cg, a.output_tensor, f"pl.{name}")
    e = a.tile.value
    rank = len(t.shape)
    offsets = bi._offsets(cg, a.offsets, rank)
    sizes = [e.shape[1]] if rank == 1 else \
        [1] * max(0, rank - len(e.shape)) + list(e.shape)
    bi._check_bounds_valid(cg, t, offsets, sizes, None, node)
    store(cg, t, offsets, sizes, e, node, a.tile.node)
    return t
