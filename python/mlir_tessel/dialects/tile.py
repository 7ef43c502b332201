"""The tile dialect: generated op classes and enums, plus small builders.

The generated builders create region ops without blocks; the classes below
replace `SpmdOp`, `AtOp` and `PipelineOp` with versions that create their
body block (with the block index, the induction variable and the iter_args
as arguments) and, where the body never yields values, its empty
`tile.yield`. Each is also a context manager that sets the insertion point
inside the body:

    with tile.SpmdOp(8, name="kv_rms_norm") as b:          # b: block index
        with tile.AtOp(tile.CoreKind.vector):
            zero = tile.full(tile.TileType.get([16, 1], f32), 0.0)
            loop = tile.PipelineOp(c0, c16, c1, stages=2, iter_args=[zero])
            with loop as (j, acc):
                ...
                tile.yield_([n])

`full` accepts Python numbers, and `TileType.get` reports a malformed shape
or element type as an `MLIRError` instead of aborting the interpreter.
"""

from ._tile_ops_gen import *  # noqa: F401,F403
from ._tile_ops_gen import _Dialect  # noqa: F401
from ._tile_enum_gen import *  # noqa: F401,F403
from .._mlir_libs._tessel import TileType, PlaceAttr  # noqa: F401

from . import _tile_ops_gen as _gen
from ._ods_common import _cext as _ods_cext
from ._ods_common import get_op_results_or_values as _get_op_results_or_values
from .. import ir as _ir

import math as _math
from typing import Optional as _Optional, Sequence as _Sequence


#===----------------------------------------------------------------------===#
# Types and attributes
#===----------------------------------------------------------------------===#

_unchecked_tile_type_get = TileType.get


def _checked_tile_type_get(shape, element_type, context=None):
    """Builds !tile.tile<shape x element_type>, verifying it first.

    The C++ builder asserts on an invalid type; going through the parser
    turns the verifier's message into an MLIRError.
    """
    dims = "".join(f"{int(d)}x" for d in shape)
    with _ir.Location.unknown(context):
        return TileType(_ir.Type.parse(f"!tile.tile<{dims}{element_type}>",
                                       context))


TileType.get = staticmethod(_checked_tile_type_get)


def target_attr(name: str, context=None) -> _ir.Attribute:
    """`#tile.target<name>` ("a2a3" or "a5"), for the `tile.target` attribute
    of a module or function."""
    return _ir.Attribute.parse(f"#tile.target<{name}>", context)


def place_attr(memory: str, offset: int, slots: int = 1,
               context=None) -> PlaceAttr:
    """`#tile.place<memory, offset, slots = slots>`."""
    return PlaceAttr(_ir.Attribute.parse(
        f"#tile.place<{memory}, {int(offset)}, slots = {int(slots)}>",
        context))


#===----------------------------------------------------------------------===#
# Region ops
#===----------------------------------------------------------------------===#


# nanobind classes take a single base, so the context-manager methods are
# shared as plain functions.
def _enter_body(self):
    """Enters the body, before its terminator if it has one."""
    body = self.body
    ops = body.operations
    if len(ops) and isinstance(ops[len(ops) - 1], _gen.YieldOp):
        ip = _ir.InsertionPoint.at_block_terminator(body)
    else:
        ip = _ir.InsertionPoint(body)
    self._tessel_ip = ip
    ip.__enter__()
    return self._scope_values()


def _exit_body(self, *exc):
    ip, self._tessel_ip = self._tessel_ip, None
    return ip.__exit__(*exc)


@_ods_cext.register_operation(_Dialect, replace=True)
class SpmdOp(_gen.SpmdOp):
    """`tile.spmd blocks name(name) (%b) { ... }` with its body block."""

    def __init__(self, blocks: int, *, name: _Optional[str] = None,
                 sym_name=None, loc=None, ip=None):
        super().__init__(blocks, sym_name=name if name is not None
                         else sym_name, loc=loc, ip=ip)
        body = self.regions[0].blocks.append(_ir.IndexType.get())
        with _ir.InsertionPoint(body):
            _gen.YieldOp([], loc=loc)

    @property
    def body(self) -> _ir.Block:
        return self.regions[0].blocks[0]

    @property
    def block_index(self) -> _ir.Value:
        return self.body.arguments[0]

    def _scope_values(self):
        return self.block_index

    __enter__ = _enter_body
    __exit__ = _exit_body


@_ods_cext.register_operation(_Dialect, replace=True)
class AtOp(_gen.AtOp):
    """`tile.at kind { ... }` with its body block."""

    def __init__(self, kind, *, loc=None, ip=None):
        super().__init__(kind, loc=loc, ip=ip)
        body = self.regions[0].blocks.append()
        with _ir.InsertionPoint(body):
            _gen.YieldOp([], loc=loc)

    @property
    def body(self) -> _ir.Block:
        return self.regions[0].blocks[0]

    def _scope_values(self):
        return None

    __enter__ = _enter_body
    __exit__ = _exit_body


@_ods_cext.register_operation(_Dialect, replace=True)
class PipelineOp(_gen.PipelineOp):
    """`tile.pipeline %iv = lb to ub step s stages(n) iter_args(...)`.

    Without iter_args the body gets its empty `tile.yield`; with them the
    caller ends the body with `tile.yield_([...])`.
    """

    def __init__(self, lower_bound, upper_bound, step, *, stages: int = 1,
                 iter_args: _Optional[_Sequence[_ir.Value]] = None,
                 loc=None, ip=None):
        iter_args = _get_op_results_or_values(iter_args or [])
        types = [v.type for v in iter_args]
        super().__init__(types, lower_bound, upper_bound, step, stages,
                         iter_args, loc=loc, ip=ip)
        body = self.regions[0].blocks.append(_ir.IndexType.get(), *types)
        if not types:
            with _ir.InsertionPoint(body):
                _gen.YieldOp([], loc=loc)

    @property
    def body(self) -> _ir.Block:
        return self.regions[0].blocks[0]

    @property
    def induction_variable(self) -> _ir.Value:
        return self.body.arguments[0]

    @property
    def inner_iter_args(self):
        return list(self.body.arguments)[1:]

    def _scope_values(self):
        if not self.inner_iter_args:
            return self.induction_variable
        return (self.induction_variable, *self.inner_iter_args)

    __enter__ = _enter_body
    __exit__ = _exit_body


def spmd(blocks: int, *, name: _Optional[str] = None, loc=None,
         ip=None) -> SpmdOp:
    return SpmdOp(blocks, name=name, loc=loc, ip=ip)


def at(kind, *, loc=None, ip=None) -> AtOp:
    return AtOp(kind, loc=loc, ip=ip)


def pipeline(lower_bound, upper_bound, step, *, stages: int = 1,
             iter_args=None, loc=None, ip=None) -> PipelineOp:
    return PipelineOp(lower_bound, upper_bound, step, stages=stages,
                      iter_args=iter_args, loc=loc, ip=ip)


#===----------------------------------------------------------------------===#
# Constants
#===----------------------------------------------------------------------===#


def full(result, value, *, loc=None, ip=None) -> _ir.Value:
    """`tile.full value : result`; `value` may be a Python int or float (it
    takes the tile's element type) or an attribute. Like the parser, it
    rejects a value the element type cannot hold instead of wrapping it or
    rounding it to infinity."""
    if not isinstance(value, _ir.Attribute):
        element = TileType(result).element_type
        if isinstance(element, _ir.IntegerType):
            width = _ir.IntegerType(element).width
            if isinstance(value, float) and not value.is_integer():
                raise ValueError(f"expected an integer value for a tile of "
                                 f"{element}, got {value}")
            low, high = -(1 << (width - 1)), (1 << (width - 1)) - 1
            if not low <= int(value) <= high:
                raise ValueError(f"value {int(value)} does not fit in "
                                 f"{element}: expected [{low}, {high}]")
            value = _ir.IntegerAttr.get(element, int(value))
        else:
            attr = _ir.FloatAttr.get(element, float(value))
            if _math.isinf(attr.value) and not _math.isinf(float(value)):
                raise ValueError(f"value {value} does not fit in {element}")
            value = attr
    return _gen.FullOp(result, value, loc=loc, ip=ip).result


#===----------------------------------------------------------------------===#
# GM access (partial tiles: dialects/tile/TileValidOps.td)
#===----------------------------------------------------------------------===#


def _valid_operands(valid):
    """(runtime values, static DenseI64ArrayAttr) of a valid shape given as
    [rows, cols] of ints and index Values, or (None, None)."""
    if valid is None:
        return [], None
    statics, values = [], []
    for v in valid:
        if isinstance(v, int):
            statics.append(v)
        else:
            statics.append(_ir.ShapedType.get_dynamic_size())
            values.append(v)
    return values, _ir.DenseI64ArrayAttr.get(statics)


def load(result, source, indices, valid=None, *, loc=None,
         ip=None) -> _ir.Value:
    """`tile.load source[indices] : ... -> result`; `valid=[rows, cols]`
    (ints or index Values) reads only that region of a partial tile."""
    values, statics = _valid_operands(valid)
    return _gen.LoadOp(result, source, indices, values, static_valid=statics,
                       loc=loc, ip=ip).result


def store(value, dest, indices, valid=None, *, loc=None, ip=None):
    """`tile.store value, dest[indices]`; `valid=[rows, cols]` writes only
    that region of a partial tile."""
    values, statics = _valid_operands(valid)
    return _gen.StoreOp(value, dest, indices, values, static_valid=statics,
                        loc=loc, ip=ip)


def fillpad(source, valid, pad, *, loc=None, ip=None) -> _ir.Value:
    """`tile.fillpad source valid [rows, cols] pad`: the padding of a partial
    tile set to `pad` (a `PadValue`)."""
    values, statics = _valid_operands(valid)
    return _gen.FillPadOp(source, values, statics, pad, loc=loc,
                          ip=ip).result
