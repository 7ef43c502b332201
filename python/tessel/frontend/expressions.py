"""The expressions of a kernel: names and attributes, literals, subscripts,
operators on tiles and indices (folded on Python integers), comparisons.

A mixin of `codegen.CodeGenerator`.
"""

from __future__ import annotations

import ast
import difflib
import operator

from ..language.surface import Unsupported
from ..language.types import DynVar
from ..mlir.dialects import arith
from .errors import note_at
from .source import MISSING
from .state import Arg, Args, OP_SYMBOLS, fingerprint
from .values import (BoolVal, GmTensor, IndexVal, Lin, PendingTile,
                     RUNTIME_TYPES, ScalarVal, TensorExpr, TileVal, Unavailable,
                     describe)


class Expressions:
    """Expressions: names, attributes, literals, subscripts, operators,
    comparisons and index arithmetic."""

    # ------------------------------------------------------------------
    # Expressions
    # ------------------------------------------------------------------

    def expr(self, node):
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is None:
            raise self.unsupported(node)
        return method(node)

    def expr_Constant(self, node):
        return node.value

    def lookup(self, node: ast.Name):
        vars_ = self.act.vars
        v = vars_.get(node.id, MISSING)
        if isinstance(v, Unavailable):
            notes = []
            if v.node is not None:
                notes.append(note_at(self.filename, v.node,
                                     "the value is not available after this"))
            raise self.error(node, f"'{node.id}' is not available here: it was "
                             f"{v.reason}", help=v.help, notes=notes)
        if v is not MISSING:
            return self._resolve(v, node)
        if node.id in self.act.locals:
            raise self.error(node, f"'{node.id}' is used before it is "
                             f"assigned")
        src = self.act.src
        v = src.lookup_nonlocal(node.id)
        self.note_read(("name", id(src), node.id),
                       lambda src=src, name=node.id: src.lookup_nonlocal(name),
                       v, src)
        if v is MISSING:
            known = list(vars_) + list(self.act.src.freevars) + \
                [k for k in self.act.src.globals if not k.startswith("__")]
            close = difflib.get_close_matches(node.id, known, n=1)
            raise self.error(node, f"unknown name '{node.id}'",
                             help=f"did you mean '{close[0]}'?" if close
                             else "kernels can use their parameters, local "
                                  "variables, module globals and closure "
                                  "variables")
        if isinstance(v, Unsupported):
            raise self.error(node, v.message(), help=v.instead)
        if isinstance(v, DynVar):
            return self.dyn_value(v, node)
        return v

    def _resolve(self, v, node):
        from . import scalars
        if isinstance(v, scalars.ScalarParam):
            return scalars.param_value(self, v, node)
        return v

    def note_read(self, key, reread, value, holder):
        """Records a compile-time read of a Python value the compiled kernel
        depends on (see `JitKernel`'s cache); `holder` is what it was read
        from (a FunctionSource, or the object of an attribute)."""
        if key not in self.reads:
            self.reads[key] = (reread, fingerprint(value))
            self.read_values[key] = (holder, value)

    def expr_Name(self, node):
        return self.lookup(node)

    def expr_Attribute(self, node):
        base = self.expr(node.value)
        attr = node.attr
        if isinstance(base, (GmTensor, TileVal, PendingTile)):
            if attr == "shape":
                nd = getattr(base, "nd", None)
                return tuple(nd if nd is not None else base.shape)
            if attr == "dtype":
                return base.dtype
            raise self.error(node, f"{describe(base)} has no attribute "
                             f"'{attr}'", expected="shape or dtype")
        if isinstance(base, RUNTIME_TYPES):
            raise self.error(node, f"{describe(base)} has no attribute "
                             f"'{attr}'")
        if isinstance(base, Unsupported):
            raise self.error(node.value, base.message(), help=base.instead)
        try:
            value = getattr(base, attr)
            if isinstance(value, Unsupported):
                raise self.error(node, value.message(), help=value.instead)
            self.note_read(("attr", id(base), attr),
                           lambda base=base, attr=attr:
                           getattr(base, attr, MISSING), value, base)
            if isinstance(value, DynVar):
                return self.dyn_value(value, node)
            return value
        except AttributeError:
            from .. import language
            if base is language or base is language.tile or \
                    base is language.tensor:
                prefix = {id(language): "pl", id(language.tile): "pl.tile",
                          id(language.tensor): "pl.tensor"}[id(base)]
                raise self.error(node, f"{prefix}.{attr} is not supported by "
                                 f"Tessel",
                                 help="docs/language.md lists the "
                                      "supported pl surface") from None
            raise self.error(node, f"{describe(base)} has no attribute "
                             f"'{attr}'") from None

    def expr_Tuple(self, node):
        return tuple(self._elements(node.elts))

    def expr_List(self, node):
        return list(self._elements(node.elts))

    def expr_ListComp(self, node):
        from . import comprehensions
        return comprehensions.evaluate(self, node, "list comprehension")

    def expr_GeneratorExp(self, node):
        # Evaluated at once (compile time) into a tuple: what a consumed
        # generator yields, usable wherever a sequence is (deps=, tuple(),
        # sum(), min()).
        from . import comprehensions
        return tuple(comprehensions.evaluate(self, node,
                                             "generator expression"))

    def _elements(self, elts):
        out = []
        for e in elts:
            if isinstance(e, ast.Starred):
                v = self.expr(e.value)
                if isinstance(v, RUNTIME_TYPES):
                    raise self.error(e, "cannot unpack a runtime value")
                out.extend(v)
            else:
                out.append(self.expr(e))
        return out

    def expr_JoinedStr(self, node):
        parts = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                parts.append(str(v.value))
                continue
            value = self.expr(v.value)
            if isinstance(value, RUNTIME_TYPES):
                raise self.error(v, "f-strings can only format compile-time "
                                 "values", found=describe(value))
            spec = self.expr(v.format_spec) if v.format_spec else ""
            if v.conversion == ord("r"):
                value = repr(value)
            elif v.conversion == ord("s"):
                value = str(value)
            parts.append(format(value, spec))
        return "".join(parts)

    def expr_Subscript(self, node):
        base = self.expr(node.value)
        if isinstance(base, GmTensor):
            dims = self.slice_dims(base, node.slice, node)
            if self.scope.kind != "at":
                return self.view_of(base, dims, node)
            return self.load_slice(base, [d[0] for d in dims],
                                   [d[1] for d in dims], node)
        if isinstance(base, (TileVal, PendingTile, TensorExpr)):
            from . import subtile
            return subtile.extract(self, base, node)
        if isinstance(base, RUNTIME_TYPES):
            raise self.error(node, f"cannot index {describe(base)}")
        key = self.expr(node.slice)
        if isinstance(key, RUNTIME_TYPES) or (
                isinstance(key, tuple) and
                any(isinstance(k, RUNTIME_TYPES) for k in key)):
            raise self.error(node.slice, f"cannot index {describe(base)} with "
                             f"a runtime value", found=describe(key))
        try:
            return base[key]
        except Exception as e:  # noqa: BLE001 - compile-time evaluation
            raise self.error(node, f"{type(e).__name__}: {e}") from None

    def expr_Slice(self, node):
        parts = [self.expr(p) if p is not None else None
                 for p in (node.lower, node.upper, node.step)]
        if any(isinstance(p, RUNTIME_TYPES) for p in parts):
            raise self.error(node, "a runtime slice can only index a GM tensor")
        return slice(*parts)

    # -- operators ------------------------------------------------------

    def expr_BinOp(self, node):
        left = self.expr(node.left)
        right = self.expr(node.right)
        return self.binop(node.op, left, right, node)

    PY_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub,
                 ast.Mult: operator.mul, ast.Div: operator.truediv,
                 ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
                 ast.Pow: operator.pow, ast.LShift: operator.lshift,
                 ast.RShift: operator.rshift, ast.BitOr: operator.or_,
                 ast.BitAnd: operator.and_, ast.BitXor: operator.xor,
                 ast.MatMult: operator.matmul}
    TILE_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul",
                   ast.Div: "div"}

    def binop(self, op, left, right, node):
        from . import scalars
        for v in (left, right):
            if isinstance(v, scalars.ScalarParam):
                raise scalars.param_misuse(self, v, node)
        lrt = isinstance(left, RUNTIME_TYPES)
        rrt = isinstance(right, RUNTIME_TYPES)
        if not lrt and not rrt:
            try:
                return self.PY_BINOPS[type(op)](left, right)
            except Exception as e:  # noqa: BLE001 - compile-time evaluation
                raise self.error(node, f"{type(e).__name__}: {e}") from None
        tiles = (TileVal, PendingTile)
        if isinstance(left, (GmTensor, TensorExpr)) or \
                isinstance(right, (GmTensor, TensorExpr)):
            from . import tensor_ops
            name = ("matmul" if isinstance(op, ast.MatMult) else
                    self.TILE_BINOPS.get(type(op)))
            if name is not None:
                return tensor_ops.binop(self, name, node, left, right)
        from . import ndtile
        if ndtile.is_nd(left) or ndtile.is_nd(right):
            name = ("matmul" if isinstance(op, ast.MatMult) else
                    self.TILE_BINOPS.get(type(op)))
            if name is None:
                raise self.error(node, f"operator {OP_SYMBOLS.get(type(op), type(op).__name__)} "
                                 f"is not supported on tiles",
                                 expected="+, -, *, / or @")
            a = Args({"lhs": Arg(left, node), "rhs": Arg(right, node)})
            if name == "matmul":
                a.out_dtype = Arg(None, node)
            return ndtile.dispatch(self, name, node, a)
        if isinstance(left, tiles) or isinstance(right, tiles):
            from . import builtins as bi
            if isinstance(op, ast.MatMult):
                return bi.matmul_impl(self, node, Arg(left, node),
                                      Arg(right, node), None)
            name = self.TILE_BINOPS.get(type(op))
            if name is None:
                raise self.error(node, f"operator {OP_SYMBOLS.get(type(op), type(op).__name__)} "
                                 f"is not supported on tiles",
                                 expected="+, -, *, / or @")
            return bi.elementwise(self, node, name, Arg(left, node),
                                  Arg(right, node))
        if isinstance(left, ScalarVal) or isinstance(right, ScalarVal):
            from . import scalars
            return scalars.binop(self, op, left, right, node)
        index_like = (int, IndexVal)
        if isinstance(left, index_like) and isinstance(right, index_like) and \
                not isinstance(left, bool) and not isinstance(right, bool):
            return self.index_binop(op, left, right, node)
        raise self.error(node, f"unsupported operands for "
                         f"{type(op).__name__}",
                         found=f"{describe(left)} and {describe(right)}",
                         help="runtime index arithmetic takes integers; "
                              "floats exist only at compile time")

    def index_binop(self, op, a, b, node):
        """+ - * // % on runtime indices (at least one of a, b is IndexVal).

        Results are reused within a region: the same arithmetic on the same
        linear forms gives the same SSA value (``i * 2`` in ``x[i * 2:i * 2
        + 2]`` is computed once)."""
        if isinstance(a, int) and isinstance(b, int):
            return self.PY_BINOPS[type(op)](a, b)
        key = (type(op).__name__, self.lin_of(a), self.lin_of(b))
        for cache in reversed(self.cse):
            hit = cache.get(key)
            if hit is not None:
                return hit
        result = self._index_binop(op, a, b, node)
        from . import scalars
        scalars.propagate_data(self, result, a, b)
        if isinstance(result, IndexVal) and result.value is not None:
            self.cse[-1][key] = result
            self.cse[-1].setdefault(("lin", result.lin), result)
        return result

    def lin_lookup(self, lin: Lin):
        """An existing index value with linear form `lin`, if one dominates."""
        for cache in reversed(self.cse):
            hit = cache.get(("lin", lin))
            if hit is not None:
                return hit
        return None

    def _index_binop(self, op, a, b, node):
        loc, ip = self.loc(node), self.ip
        la, lb = self.lin_of(a), self.lin_of(b)
        if isinstance(op, ast.Add):
            if b == 0 and isinstance(b, int):
                return a
            if a == 0 and isinstance(a, int):
                return b
            lin = la + lb
            if lin.is_const():
                return lin.const
            if (hit := self.lin_lookup(lin)) is not None:
                return hit
            v = arith.AddIOp(self.index_value(a, node),
                             self.index_value(b, node), loc=loc, ip=ip).result
            return IndexVal(v, lin)
        if isinstance(op, ast.Sub):
            if isinstance(b, int) and b == 0:
                return a
            lin = la - lb
            if lin.is_const():
                return lin.const
            if (hit := self.lin_lookup(lin)) is not None:
                return hit
            v = arith.SubIOp(self.index_value(a, node),
                             self.index_value(b, node), loc=loc, ip=ip).result
            k = self._remainder(lin)
            if k is not None:
                # `a - (a // k) * k` (PyPTO kernels' hand-written a % k): in
                # [0, k) whatever a is, which the linear form cannot say.
                return self.new_index(v, bounds=(0, k - 1))
            return IndexVal(v, lin)
        if isinstance(op, ast.Mult):
            if isinstance(a, int):
                a, b, la, lb = b, a, lb, la
            if isinstance(b, int):
                if b == 0:
                    return 0
                if b == 1:
                    return a
                lin = la.scale(b)
            else:
                lo_a, hi_a = self.index_bounds(a)
                lo_b, hi_b = self.index_bounds(b)
                bounds = None
                if None not in (lo_a, hi_a, lo_b, hi_b):
                    prods = [lo_a * lo_b, lo_a * hi_b, hi_a * lo_b, hi_a * hi_b]
                    bounds = (min(prods), max(prods))
                v = arith.MulIOp(a.value, b.value, loc=loc, ip=ip).result
                return self.new_index(v, bounds=bounds)
            if (hit := self.lin_lookup(lin)) is not None:
                return hit
            v = arith.MulIOp(self.index_value(a, node),
                             self.index_value(b, node), loc=loc, ip=ip).result
            return IndexVal(v, lin)
        if isinstance(op, (ast.FloorDiv, ast.Mod)):
            is_div = isinstance(op, ast.FloorDiv)
            if isinstance(b, int):
                if b == 0:
                    raise self.error(node, "division by zero")
                if b == 1:
                    return a if is_div else 0
            av, bv = self.index_value(a, node), self.index_value(b, node)
            lo, hi = self.index_bounds(a)
            pos_b = isinstance(b, int) and b > 0
            if is_div:
                bounds = (lo // b, hi // b) if pos_b and lo is not None \
                    else None
                q = self.new_index(self.floordiv(av, bv, pos_b, lo, loc),
                                   bounds=bounds)
                if pos_b and not q.lin.is_const():
                    # `a - (a // b) * b` later is a remainder (_remainder).
                    self.__dict__.setdefault("div_atoms", {})[
                        q.lin.terms[0][0]] = (la, b)
                return q
            if pos_b and lo is not None and lo >= 0:
                # Non-negative dividend: remsi is Python's %.
                v = arith.RemSIOp(av, bv, loc=loc, ip=ip).result
            elif pos_b:
                # r = a rem b has a's sign; Python's a % b adds b when r < 0.
                r = arith.RemSIOp(av, bv, loc=loc, ip=ip).result
                zero = self.const_index(0, node)
                neg = arith.CmpIOp(arith.CmpIPredicate.slt, r, zero, loc=loc,
                                   ip=ip).result
                rb = arith.AddIOp(r, bv, loc=loc, ip=ip).result
                v = arith.SelectOp(neg, rb, r, loc=loc, ip=ip).result
            else:
                q = self.floordiv(av, bv, False, lo, loc)
                qb = arith.MulIOp(q, bv, loc=loc, ip=ip).result
                v = arith.SubIOp(av, qb, loc=loc, ip=ip).result
            bounds = (0, b - 1) if pos_b else None
            return self.new_index(v, bounds=bounds)
        if isinstance(op, ast.Div):
            raise self.error(node, "'/' on runtime indices is not supported",
                             help="use '//' for integer division")
        raise self.error(node, f"operator {type(op).__name__} is not supported "
                         f"on runtime indices", expected="+, -, *, // or %")

    def _remainder(self, lin: Lin) -> int | None:
        """k when `lin` is `x - k * q` with q the index `x // k` (k > 0)."""
        divs = self.__dict__.get("div_atoms", {})
        for atom, coeff in lin.terms:
            x_k = divs.get(atom)
            if x_k is not None and coeff == -x_k[1] and \
                    lin + Lin.atom(atom).scale(x_k[1]) == x_k[0]:
                return x_k[1]
        return None

    def floordiv(self, av, bv, positive_divisor: bool, lo, loc):
        """Python's `a // b` on indices: `divsi` when a >= 0 and b > 0 (the
        two agree), a corrected `divsi` for b > 0, `floordivsi` otherwise."""
        ip = self.ip
        if positive_divisor and lo is not None and lo >= 0:
            return arith.DivSIOp(av, bv, loc=loc, ip=ip).result
        if positive_divisor:
            # divsi truncates toward zero: subtract 1 when a rem b < 0.
            q = arith.DivSIOp(av, bv, loc=loc, ip=ip).result
            r = arith.RemSIOp(av, bv, loc=loc, ip=ip).result
            zero = self.const_index(0, None)
            one = self.const_index(1, None)
            neg = arith.CmpIOp(arith.CmpIPredicate.slt, r, zero, loc=loc,
                               ip=ip).result
            q1 = arith.SubIOp(q, one, loc=loc, ip=ip).result
            return arith.SelectOp(neg, q1, q, loc=loc, ip=ip).result
        return arith.FloorDivSIOp(av, bv, loc=loc, ip=ip).result

    def expr_UnaryOp(self, node):
        v = self.expr(node.operand)
        op = node.op
        from . import scalars
        if isinstance(v, scalars.ScalarParam):
            raise scalars.param_misuse(self, v, node)
        if not isinstance(v, RUNTIME_TYPES):
            try:
                return {ast.USub: operator.neg, ast.UAdd: operator.pos,
                        ast.Not: operator.not_,
                        ast.Invert: operator.invert}[type(op)](v)
            except Exception as e:  # noqa: BLE001
                raise self.error(node, f"{type(e).__name__}: {e}") from None
        if isinstance(op, ast.UAdd):
            return v
        if isinstance(v, TileVal) and v.nd is not None and \
                isinstance(op, ast.USub):
            from . import ndtile
            return ndtile.dispatch(self, "neg", node,
                                   Args({"x": Arg(v, node.operand)}))
        if isinstance(v, (TileVal, PendingTile)) and isinstance(op, ast.USub):
            from . import builtins as bi
            return bi.unary(self, node, "neg", Arg(v, node.operand))
        if isinstance(v, IndexVal) and isinstance(op, ast.USub):
            return self.index_binop(ast.Sub(), 0, v, node)
        if isinstance(v, ScalarVal) and isinstance(op, ast.USub):
            from . import scalars
            return scalars.negate(self, v, node)
        if isinstance(v, BoolVal) and isinstance(op, ast.Not):
            return self.bool_op("xor", v, True, node)
        raise self.error(node, f"operator {type(op).__name__} is not supported "
                         f"on {describe(v)}")

    CMP = {ast.Eq: ("eq", operator.eq), ast.NotEq: ("ne", operator.ne),
           ast.Lt: ("slt", operator.lt), ast.LtE: ("sle", operator.le),
           ast.Gt: ("sgt", operator.gt), ast.GtE: ("sge", operator.ge),
           ast.Is: (None, operator.is_), ast.IsNot: (None, operator.is_not),
           ast.In: (None, lambda a, b: a in b),
           ast.NotIn: (None, lambda a, b: a not in b)}

    def expr_Compare(self, node):
        left = self.expr(node.left)
        result = True
        for op, comp in zip(node.ops, node.comparators):
            right = self.expr(comp)
            r = self.compare(op, left, right, node)
            result = self.bool_op("and", result, r, node)
            left = right
        return result

    def compare(self, op, a, b, node):
        from . import scalars
        for v in (a, b):
            if isinstance(v, scalars.ScalarParam):
                raise scalars.param_misuse(self, v, node)
        pred, pyop = self.CMP[type(op)]
        if not isinstance(a, RUNTIME_TYPES) and not isinstance(b, RUNTIME_TYPES):
            try:
                return pyop(a, b)
            except Exception as e:  # noqa: BLE001
                raise self.error(node, f"{type(e).__name__}: {e}") from None
        if pred is not None and (isinstance(a, ScalarVal) or
                                 isinstance(b, ScalarVal)):
            from . import scalars
            if isinstance(a, IndexVal) or isinstance(b, IndexVal):
                # A loop index and an integer scalar (`bn == n - 1`, `n`
                # read at run time): compared as indices.
                a = scalars.int_scalar_index(self, a, node)
                b = scalars.int_scalar_index(self, b, node)
            else:
                return scalars.compare(self, pred, a, b, node)
        index_like = (int, IndexVal)
        if pred is None or not (isinstance(a, index_like) and
                                isinstance(b, index_like)) or \
                isinstance(a, bool) or isinstance(b, bool):
            raise self.error(node, "runtime comparisons take two indices",
                             found=f"{describe(a)} and {describe(b)}")
        diff = self.lin_of(a) - self.lin_of(b)
        if diff.is_const():
            return pyop(diff.const, 0)
        v = arith.CmpIOp(getattr(arith.CmpIPredicate, pred),
                         self.index_value(a, node), self.index_value(b, node),
                         loc=self.loc(node), ip=self.ip).result
        return BoolVal(v)

    def bool_op(self, kind, a, b, node):
        """and/or/xor of conditions (Python bools fold)."""
        if not isinstance(a, BoolVal) and not isinstance(b, BoolVal):
            return {"and": lambda: a and b, "or": lambda: a or b,
                    "xor": lambda: bool(a) != bool(b)}[kind]()
        if not isinstance(a, BoolVal):
            a, b = b, a
        if not isinstance(b, BoolVal):
            if kind == "and":
                return a if b else False
            if kind == "or":
                return True if b else a
            if not b:
                return a
            b_val = self.const_bool(True, node)
        else:
            b_val = b.value
        cls = {"and": arith.AndIOp, "or": arith.OrIOp, "xor": arith.XOrIOp}[kind]
        return BoolVal(cls(a.value, b_val, loc=self.loc(node),
                           ip=self.ip).result)

    def expr_BoolOp(self, node):
        kind = "and" if isinstance(node.op, ast.And) else "or"
        result = self.expr(node.values[0])
        for v_node in node.values[1:]:
            if not isinstance(result, RUNTIME_TYPES):
                if (kind == "and" and not result) or (kind == "or" and result):
                    return result  # Python short-circuit
                result = self.expr(v_node)
                continue
            v = self.expr(v_node)
            for x in (result, v):
                if isinstance(x, RUNTIME_TYPES) and not isinstance(x, BoolVal):
                    raise self.error(node, f"'{kind}' needs conditions",
                                     found=describe(x))
            result = self.bool_op(kind, result, v, node)
        if isinstance(result, RUNTIME_TYPES) and not isinstance(result,
                                                                BoolVal):
            raise self.error(node, f"'{kind}' needs conditions",
                             found=describe(result))
        return result

    def expr_IfExp(self, node):
        test = self.expr(node.test)
        from . import scalars
        if isinstance(test, scalars.ScalarParam):
            raise scalars.param_misuse(self, test, node.test)
        if not isinstance(test, RUNTIME_TYPES):
            return self.expr(node.body if test else node.orelse)
        if isinstance(test, IndexVal):
            test = self.compare(ast.NotEq(), test, 0, node.test)
        if not isinstance(test, BoolVal):
            raise self.error(node.test, "condition must be an index comparison",
                             found=describe(test))
        a, b = self.expr(node.body), self.expr(node.orelse)
        index_like = (int, IndexVal)
        if isinstance(a, index_like) and isinstance(b, index_like):
            v = arith.SelectOp(test.value, self.index_value(a, node),
                               self.index_value(b, node), loc=self.loc(node),
                               ip=self.ip).result
            from . import scalars
            return self.new_index(v) if not (scalars.is_data(self, a) or
                                             scalars.is_data(self, b)) \
                else scalars.data_index(self, v)
        if isinstance(a, ScalarVal) or isinstance(b, ScalarVal):
            from . import scalars
            return scalars.select(self, test, a, b, node)
        raise self.error(node, "a runtime conditional expression can only "
                         "choose between indices",
                         found=f"{describe(a)} and {describe(b)}",
                         help="use an if statement")
