"""GM tensors in a kernel: slices of GM tensors become `tile.load`, stores
`tile.store`; bounds and write-before-read checks.

A mixin of `codegen.CodeGenerator`.
"""

from __future__ import annotations

import ast
import math

from . import tile_ops as tile_d
from . import validshape
from .errors import note_at
from .state import KIND_TO_LEVEL
from .values import (GmTensor, IndexVal, PendingTile, TensorExpr, TileVal,
                     TransposedView, describe, shape_str)


class Memory:
    """GM tensors: core-scope checks, slices, loads and stores."""

    # ------------------------------------------------------------------
    # GM slices: loads and stores
    # ------------------------------------------------------------------

    def require_core(self, node, what: str, unit: str | None = None):
        """Check that `what` is built inside a core scope of a kind that has
        the `unit` ("vector" or "cube") it runs on."""
        if self.scope.kind != "at":
            where = {"function": "at function level",
                     "spmd": "in a pl.spmd body outside its pl.at scopes"}[
                self.scope.kind]
            raise self.error(node, f"{what} needs a core scope, but it is "
                             f"{where}",
                             help="tiles live only inside `with pl.at(...)` "
                                  "(or a pl.spmd loop without pl.at)")
        kind = self.scope.core
        if unit is not None and kind not in ("core_group", unit):
            raise self.error(node, f"{what} runs on the {unit} unit and "
                             f"cannot be used in a {kind} scope",
                             expected=f"a {unit} or core_group scope",
                             found=f"{KIND_TO_LEVEL[kind]} scope",
                             notes=[note_at(self.scope.filename,
                                            self.scope.node,
                                            "the core scope is here")])

    def slice_index(self, v, node):
        """A slice bound: an integer scalar (a value read) as an index
        (scalars.scalar_index), anything else unchanged."""
        from . import scalars
        return scalars.int_scalar_index(self, v, node)

    def slice_dims(self, base: GmTensor, sl, node, check: bool = True):
        """[(offset, size)] per dimension of a subscript on a GM tensor;
        `check=False` leaves the bounds to the caller (a partial tile's
        store checks its valid region)."""
        elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
        rank = len(base.shape)
        if len(elts) > rank:
            raise self.error(sl, f"too many indices for {base.describe()}",
                             expected=f"at most {rank}", found=str(len(elts)))
        dims = []
        for d in range(rank):
            dim = base.shape[d]
            e = elts[d] if d < len(elts) else None
            if e is None or (isinstance(e, ast.Slice) and e.lower is None and
                             e.upper is None and e.step is None):
                dims.append((0, dim, e or sl))
                continue
            if isinstance(e, ast.Slice):
                if e.step is not None:
                    step = self.expr(e.step)
                    if step != 1:
                        raise self.error(e.step, "strided slices are not "
                                         "supported", expected="step 1",
                                         found=describe(step))
                lower = self.expr(e.lower) if e.lower is not None else 0
                upper = self.expr(e.upper) if e.upper is not None else dim
                lower = self.slice_index(lower, e.lower)
                upper = self.slice_index(upper, e.upper)
                for v, n in ((lower, e.lower), (upper, e.upper)):
                    if isinstance(v, bool) or not isinstance(v, (int,
                                                                 IndexVal)):
                        raise self.error(n, "slice bounds must be integers",
                                         found=describe(v))
                # Negative constant bounds count from the end, as in Python.
                if isinstance(lower, int) and lower < 0:
                    lower += dim
                if isinstance(upper, int) and upper < 0:
                    upper += dim
                size_lin = self.lin_of(upper) - self.lin_of(lower)
                if not size_lin.is_const():
                    raise self.error(e, "slice size is not a compile-time "
                                     "constant",
                                     expected="bounds like `a:a + 16` whose "
                                              "difference is a constant",
                                     found=ast.unparse(e))
                size = size_lin.const
                if size <= 0:
                    raise self.error(e, "empty slice", expected="a positive "
                                     "size", found=f"{size} elements")
                offset, onode = lower, e.lower or e
            else:
                offset = self.slice_index(self.expr(e), e)
                if isinstance(offset, bool) or not isinstance(offset, (int,
                                                                      IndexVal)):
                    raise self.error(e, "index must be an integer",
                                     found=describe(offset))
                if isinstance(offset, int) and offset < 0:
                    offset += dim
                size, onode = 1, e
            if isinstance(offset, int) and offset < 0:
                raise self.error(onode, "negative indices are not supported",
                                 found=str(offset))
            lo, hi = self.index_bounds(offset)
            # A runtime offset whose interval leaves the tensor may still be
            # in bounds wherever the access runs (under `if b > 0:`, modulo
            # tiling): tile-check-races decides it exactly right after the
            # frontend, with the block and loop indices of a real overflow.
            if check and (size > dim or (isinstance(offset, int) and (
                    offset + size > dim or offset < 0))):
                if isinstance(offset, int):
                    found = f"{offset}:{offset + size}"
                else:
                    found = f"offsets {lo}..{hi} + {size} elements"
                raise self.error(e, f"slice out of bounds in dimension {d} of "
                                 f"{base.describe()}",
                                 expected=f"within 0:{dim}", found=found)
            if size <= dim:
                from . import scalars
                what = (f"'{base.name}'" if isinstance(base, GmTensor)
                        else base.describe())
                offset = scalars.clamp_offset(
                    self, offset, size, dim, onode,
                    f"the offset in dimension {d} of {what}")
            dims.append((offset, size, onode))
        return dims

    def tile_shape_of(self, base: GmTensor, sizes, node):
        rank = len(base.shape)
        if rank == 1:
            return (1, sizes[0])
        lead = sizes[:-2]
        for d, s in enumerate(lead):
            if s != 1:
                raise self.error(node, f"a slice of a {rank}-D tensor must be "
                                 f"a 2-D tile: leading dimensions need size 1",
                                 expected=f"size 1 in dimension {d}",
                                 found=f"size {s}")
        return (sizes[-2], sizes[-1])

    def check_written(self, base: GmTensor, node):
        """A pl.Out parameter or a pl.create_tensor scratch tensor is
        undefined until the kernel stores into it (PyPTO leaves it so): a
        load before any store (in source order) is an error. Inside a
        loop whose body stores into the tensor after the load, later
        iterations read what earlier ones wrote (an accumulator the first
        iteration does not read, PyPTO's `is_first` flag): the error is
        kept until the loop's body is complete and dropped if it wrote the
        tensor (settle_unwritten_reads)."""
        root = base.base
        decl = self.unwritten.get(root)
        if decl is None:
            return
        error = self._unwritten_error(base, root, decl, node)
        if self.unwritten_reads:
            self.unwritten_reads[-1].append((root, error))
            return
        raise error

    def settle_unwritten_reads(self) -> None:
        """At the end of a loop body: the reads of tensors the body wrote
        are fine; the others move to the enclosing loop, or are errors."""
        pending = self.unwritten_reads.pop()
        for root, error in pending:
            if root not in self.unwritten:
                continue
            if self.unwritten_reads:
                self.unwritten_reads[-1].append((root, error))
            else:
                raise error

    def _unwritten_error(self, base, root, decl, node):
        notes = [note_at(*decl, "declared here")]
        if root.kind == "scratch":
            return self.error(node, f"'{base.name}' is read before anything "
                             f"writes it", expected="a store into the "
                             f"scratch tensor '{root.name}' before this load",
                             found="no store before it",
                             help="a pl.create_tensor scratch tensor is "
                                  "undefined until the kernel writes it",
                             notes=notes)
        return self.error(node, f"output '{root.name}' is read before anything "
                         f"writes it", expected="a store into "
                         f"'{root.name}' before this load",
                         found="no store before it",
                         help=f"a pl.Out tensor holds whatever the caller "
                              f"passed until the kernel writes it; declare "
                              f"'{root.name}' as pl.InOut[pl.Tensor[...]] if "
                              f"the kernel reads the caller's values",
                         notes=notes)

    def load_slice(self, base: GmTensor, offsets, sizes, node,
                   valid=None) -> TileVal:
        """A tile.load of the slice; `valid` (the tensor's rank, or None)
        makes it a partial tile that reads only its valid region."""
        self.require_core(node, f"loading a slice of '{base.name}'")
        self.check_written(base, node)
        if len(sizes) > 2 and math.prod(sizes[:-2]) > 1:
            # A window of several [M, N] blocks: an N-D tile.
            from . import ndtile
            return ndtile.load(self, base, offsets, sizes, node, valid)
        if base.valid is not None:
            valid = self._view_valid(base, offsets, sizes, valid, node)
        shape = self.tile_shape_of(base, sizes, node)
        idx = [self.index_value(o, node)
               for o in self.in_root(base, offsets, node, sizes)]
        tile_valid = None
        values, statics = [], None
        if valid is not None:
            tile_valid = validshape.tile_valid_of_slice(sizes, valid)
            values, statics = validshape.ir_valid(self, node, tile_valid)
        op = tile_d.LoadOp(self.tile_type(shape, base.dtype), base.value, idx,
                           values, static_valid=statics,
                           loc=self.loc(node), ip=self.ip)
        return TileVal(op.result, shape, base.dtype, valid=tile_valid,
                       pad=validshape.PadValue.zero if tile_valid else None)

    def _view_valid(self, base: GmTensor, offsets, sizes, valid, node):
        """The valid extents of a load of `base`, a view with run-time
        extents: a load covering such a dimension is valid up to it."""
        out = list(valid) if valid is not None else list(sizes)
        for d, extent in enumerate(base.valid):
            if extent is None:
                continue
            if offsets[d] != 0 or sizes[d] != base.shape[d]:
                raise self.error(node, f"a load from '{base.name}', a view "
                                 f"with a run-time extent in dimension {d}, "
                                 f"must load that whole dimension (it is "
                                 f"read as a partial tile)",
                                 expected=f"offset 0 and size "
                                          f"{base.shape[d]} in dimension {d}",
                                 found=f"offset {describe(offsets[d])}, size "
                                       f"{sizes[d]}")
            mine = out[d]
            out[d] = extent if mine is extent or (
                isinstance(mine, int) and mine == sizes[d]) else \
                self.index_minmax(True, [mine, extent], node)
        return out

    def store_tile(self, base: GmTensor, offsets, sizes, value, node,
                   value_node, atomic: bool = False):
        """`base[offsets + sizes] = value`; with `atomic`, `+=` as an
        atomic add (pl.assemble(..., atomic=pl.AtomicType.Add))."""
        if isinstance(value, TensorExpr):
            from . import tensor_ops
            return tensor_ops.store(self, base, offsets, sizes, value, node,
                                    value_node, atomic)
        if isinstance(value, TileVal) and value.nd is not None:
            from . import ndtile
            return ndtile.store(self, base, offsets, sizes, value, node,
                                value_node, atomic)
        self.require_core(node, f"storing into '{base.name}'")
        if base.valid is not None:
            raise self.error(node, f"storing into '{base.name}', a view with "
                             f"a run-time extent, is not supported",
                             help="store into the tensor it views, with a "
                                  "partial tile (valid_shape=)")
        if not base.writable:
            self.written_input(base, node)
        t = self.as_tile(value, value_node, "the stored value")
        shape = self.tile_shape_of(base, sizes, node)
        if t.shape != shape:
            raise self.error(node, f"stored tile does not fit the slice of "
                             f"'{base.name}'",
                             expected=f"tile {shape_str(shape)} (the slice "
                                      f"shape)", found=t.describe())
        if t.dtype is not base.dtype:
            raise self.error(node, f"dtype mismatch storing into "
                             f"'{base.name}'",
                             expected=f"{base.dtype.name} (the tensor's dtype)",
                             found=f"{t.dtype.name} tile",
                             help=f"convert it first: pl.cast(t, target_type="
                                  f"pl.{base.dtype.name}, mode=...)")
        idx = [self.index_value(o, node)
               for o in self.in_root(base, offsets, node, sizes)]
        values, statics = [], None
        if t.valid is not None:
            # An atomic one adds only the valid region (a masked TSTORE).
            values, statics = validshape.ir_valid(self, node, t.valid)
        tile_d.StoreOp(t.value, base.value, idx, values, static_valid=statics,
                       atomic_add=True if atomic else None,
                       loc=self.loc(node), ip=self.ip)
        self.unwritten.pop(base.base, None)
        from . import tensor_ops
        tensor_ops.note_write(self, base)

    def written_input(self, base: GmTensor, node) -> None:
        """A store into a plain `pl.Tensor` parameter: as PyPTO does, the
        parameter becomes in-out (the caller sees the write; argument
        aliasing is checked as for pl.InOut), with a remark once."""
        root = base.base
        if root.name in self.written_inputs:
            return
        self.written_inputs[root.name] = node
        from .tasks import remark
        remark(self, node, f"'{root.name}' is a plain pl.Tensor parameter "
               f"the kernel writes: it is in-out (declare it "
               f"pl.InOut[...] to say so)")

    def in_root(self, base: GmTensor, offsets, node, sizes=None) -> list:
        """`offsets` into the view `base` as offsets into its memref (a
        slice taken outside the scopes starts at `base.offsets`). Where the
        view starts at an offset computed from data (it may run past the
        tensor's end), the access of `sizes` is clamped into the tensor."""
        if base.offsets is None:
            return list(offsets)
        from . import scalars
        from ..mlir import ir
        # The memref the view's offsets index (its root, or the root
        # reshaped: builtins.reshape_view of a view).
        extents = list(ir.MemRefType(base.value.type).shape)
        out = []
        for d, (v, o) in enumerate(zip(base.offsets, offsets)):
            r = o if v == 0 else (v + o if isinstance(v, int) and
                                  isinstance(o, int)
                                  else self.index_binop(ast.Add(), v, o,
                                                        node))
            if sizes is not None and scalars.is_data(self, v):
                r = scalars.clamp_offset(
                    self, r, sizes[d], extents[d], node,
                    f"the offset in dimension {d} of '{base.base.name}' "
                    f"through the view '{base.name}'", force=True)
            out.append(r)
        return out

    def view_of(self, base: GmTensor, dims, node) -> GmTensor:
        """`base[...]` outside the core scopes: a view of the slice (PyPTO's
        tensor view), loaded where a scope uses it."""
        if base.valid is not None:
            raise self.error(node, f"a view of '{base.name}', which has a "
                             f"run-time extent, is not supported",
                             help="slice the tensor it views instead")
        offsets = self.in_root(base, [d[0] for d in dims], node)
        shape = tuple(d[1] for d in dims)
        name = self.assign_hint or f"{base.name}_view"
        return GmTensor(base.value, shape, base.dtype, name, base.writable,
                        "view", base.origin or base.name, root=base.base,
                        offsets=tuple(offsets))

    def store_slice(self, base, target, value, stmt):
        valid = getattr(value, "valid", None)
        dims = self.slice_dims(base, target.slice, target,
                               check=valid is None)
        sizes = [d[1] for d in dims]
        if valid is not None:
            # A partial tile stores its valid region: that region must fit
            # (the window may run past the tensor), as pl.assemble checks.
            from .builtins import _check_bounds_valid
            rank = len(base.shape)
            slice_tile = tuple(self.tile_shape_of(base, sizes, target))
            if slice_tile != tuple(value.shape) and \
                    tuple(valid) == slice_tile:
                # The slice is the valid region of a bigger tile (hc_pre's
                # `post[t0:t0 + 8, 0:4] = <[8, 8] tile, valid [8, 4]>`):
                # the tile's window at the slice's offsets is stored.
                sizes = [value.shape[1]] if rank == 1 else \
                    [1] * (rank - 2) + list(value.shape)
            valid = [valid[1]] if rank == 1 else \
                [1] * (rank - 2) + list(valid)
            _check_bounds_valid(self, base, [d[0] for d in dims], sizes,
                                valid, target)
        self.store_tile(base, [d[0] for d in dims], sizes,
                        value, stmt, stmt.value if hasattr(stmt, "value")
                        else stmt)

    def as_tile(self, v, node, what="operand") -> TileVal:
        if isinstance(v, TileVal):
            return v
        if isinstance(v, PendingTile):
            return self.materialize(v, node, what)
        if isinstance(v, TensorExpr):
            from . import tensor_ops
            return tensor_ops.as_tile(self, v, node, what)
        if isinstance(v, TransposedView):
            raise self.error(node, f"{what} is a pl.tile.transpose_view, "
                             f"which only a matmul operand can be (the cube "
                             f"transposes it as it moves it from Mat)",
                             found=v.describe(),
                             help="pass it (or its pl.move to Left / Right) "
                                  "to pl.matmul; elsewhere use pl.transpose")
        if isinstance(v, GmTensor):
            raise self.error(node, f"{what} is a GM tensor, not a tile",
                             expected="a tile", found=v.describe(),
                             help=f"slice it to load a tile: "
                                  f"{v.name}[a:b, c:d]")
        raise self.error(node, f"{what} must be a tile", expected="a tile",
                         found=describe(v))
