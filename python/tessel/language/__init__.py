"""Tessel's authoring surface, compatible with PyPTO's `pl` language.

A PyPTO kernel ports by changing its import line::

    import tessel.language as pl

    @pl.jit
    def scale(x: pl.Tensor[[64, 128], pl.FP32],
              y: pl.Out[pl.Tensor[[64, 128], pl.FP32]]):
        for b in pl.spmd(4, name_hint="scale"):
            t0 = b * 16
            y[t0:t0 + 16, :] = pl.mul(x[t0:t0 + 16, :], 2.0)

    print(scale.ir())          # the tile dialect IR, with source locations
    scale(x, y)                # compile once per signature, run (CPU simulation)

`@pl.jit` kernels are compiled from their source (the frontend parses the
function's AST); the names below only have a meaning inside such a kernel
(or a `@pl.jit.inline` helper it calls). docs/language.md lists every
supported construct and op (checked against `surface.registry()`), and
`tessel.frontend` says what each becomes. PyPTO names Tessel does not
support exist too: using one is a CompileError saying what to use
instead.

Names:
  kernels    jit, jit.inline, jit.incore, inline, program, function
             (FunctionType), Tensor, Out, InOut, Scalar, Tile
  call-time  dynamic (DynVar), x.bind_dynamic(i, T), tensor.dim, dim
  dtypes     BF16, FP16, FP32, INT8, INT32, UINT32 (indices; others PyPTO
             names are errors)
  scopes     spmd, parallel, at, Level, pipeline, range, unroll; task graph:
             `with pl.spmd(...) as tid`, `with pl.at(...) as tid`, deps=,
             allow_early_resolve=, system.task_dummy, array.create,
             manual_scope, tile.get_block_idx, get_block_idx,
             tensor.get_block_idx
  tensors    create_tensor, reshape, full, slice, load, store
  partial    valid_shape= (slice, load), set_validshape, fillpad, PadValue,
             tile.set_validshape, tile.fillpad, fillpad_inplace,
             fillpad_expand, part_add, part_mul, part_max, part_min
  memories   MemorySpace (Mem), create_tile, move, tile.load, tile.store,
             tile.full, tile.move, tile.create
  scalars    min, max (integers, runtime indices and scalars), read, write,
             tile.read, tile.write, tensor.read, tensor.write, Scalar
             parameters
  tile ops   matmul (a_trans=, b_trans=), matmul_acc, matmul_bias, gemv,
             gemv_acc, gemv_bias, add, sub, mul, div, maximum, minimum, neg,
             maximums, minimums, relu, lrelu, abs, sqrt, rsqrt, recip, exp,
             log, sin, cos, fmod, fmods, rem, rems, tile.rem, tile.rems,
             cmp, cmps, sel, sels, prelu, and_, ands, or_, ors, xor, xors,
             not_, shl, shls, shr, shrs, row_sum, row_max, row_min, row_prod,
             col_sum, col_max, col_min, col_prod, row_argmax, row_argmin,
             col_argmax, col_argmin, transpose, concat, reinterpret_view,
             tri, const, get_block_num, cast, gather (index and mask forms),
             scatter, tensor.gather, tensor.scatter, tile.MaskPattern,
             sort32, mrgsort, assemble (atomic=AtomicType.Add), arange,
             addc, subc, addsc, subsc, expand_clone, mgather, mscatter,
             scatter_update, paged_gather, gatherb;
             tile subscripts
             t[a:b, c:d] (read and assigned)
  broadcasts row_expand, col_expand, expands, row_expand_{add,sub,mul,div,
             max,min,expdif}, col_expand_{add,sub,mul,div,max,min,expdif}
"""

from __future__ import annotations

from . import tensor, tile  # noqa: F401  (pl.tensor.*, pl.tile.*)
from .tasks import (ScopeMode, SplitMode, array, cluster, cross_core_slot, manual_scope, scope,  # noqa: F401
                    split, split_aiv, system)
from .control import max, min, unroll, yield_  # noqa: F401,A004
from .scalars import read, write  # noqa: F401
from .ops import (  # noqa: F401
    and_, ands, cmp, cmps, col_argmax, col_argmin, col_max, col_min,
    col_prod, col_sum, concat, const, get_block_num, not_, or_, ors, prelu,
    reinterpret_view, row_argmax, row_argmin, row_min, row_prod, sel, sels,
    shl, shls, shr, shrs, transpose, tri, xor, xors,
)
from .ops import (  # noqa: F401
    abs, add, at, batch_matmul, batch_matmul_acc, cast, col_expand_mul, cos, create_l1, create_tensor,
    create_tile, div, gather_row,
    exp, fmod, fmods, full, gather, load, lrelu, gemv, gemv_acc, gemv_bias, matmul, matmul_acc,
    matmul_bias, maximum, maximums, minimum,
    minimums, move, mul, neg, parallel, pipeline, relu, rem, rems,
    range, recip, reshape, row_expand_mul, row_max, row_sum, rsqrt, sin,
    slice, spmd, sqrt, store, sub,
)
from .index_ops import assemble, mrgsort, scatter, sort32  # noqa: F401
from .validshape import PadValue, fillpad, set_validshape  # noqa: F401
from .composed import (  # noqa: F401
    addc, addsc, dim, expand_clone, fillpad_expand, fillpad_inplace,
    get_block_idx, part_add, part_max, part_min, part_mul, subc, subsc,
)
from .gathers import (gatherb, mgather, mscatter, paged_gather,  # noqa: F401
                      scatter_update)
from .broadcast import (  # noqa: F401
    arange, col_expand, col_expand_add, col_expand_div, col_expand_expdif,
    col_expand_max, col_expand_min, col_expand_sub, expands, log, row_expand,
    row_expand_add, row_expand_div, row_expand_expdif, row_expand_max,
    row_expand_min, row_expand_sub,
)
from .types import (  # noqa: F401
    BF16, BOOL, DN, FP4, FP8E4M3FN, FP8E5M2, FP8E8M0, FP16, FP32, HF4, HF8,
    INDEX, INT4, INT8, INT16, INT32, INT64, ND, NZ, TASK_ID, UINT4, UINT8,
    UINT16, UINT32, UINT64, AtomicType, DataType, DynVar, InOut, Level, MaskPattern, Mem,
    MemorySpace, Out, Scalar, Tensor, TensorLayout, TensorView, Tile, dynamic,
)


class _Jit:
    """`@pl.jit` makes a kernel entry point; `@pl.jit.inline` a helper whose
    body is inlined into the kernel that calls it.

    A kernel's parameters are annotated `pl.Tensor[[...], DTYPE]` (inputs),
    `pl.Out[pl.Tensor[[...], DTYPE]]` (outputs) or `pl.InOut[...]`; a bare
    `pl.Tensor` takes the shape and dtype of the call's tensor, and a
    `pl.dynamic` dimension the extent of the call's tensors. The kernel object has
    `ir(target="a2a3")` (the tile IR text), `module(...)`, `compile(...)` and
    is called with torch tensors to run it (compiled once per signature
    and target).
    """

    def __call__(self, fn=None, /, *, auto_scope=True, **options):
        # auto_scope= (PyPTO's runtime-scope placement) is accepted for
        # PyPTO's sources and not used: Tessel schedules the scopes itself.
        if fn is None:
            return lambda f: self(f, **options)
        from ..compiler.kernel import JitKernel
        return JitKernel(fn, **options)

    @staticmethod
    def inline(fn=None, /, *, auto_scope=True):
        """`@pl.jit.inline`: a helper inlined at each call site in a kernel
        (`auto_scope=` accepted, not used)."""
        from ..compiler.kernel import InlineFunction
        if fn is None:
            return InlineFunction
        return InlineFunction(fn)

    @staticmethod
    def opaque(fn):
        """`@pl.jit.opaque`: a function that may hold orchestration loops
        and `pl.at` scopes; a kernel that calls it gets its body spliced
        at the call, and called from Python it runs as an entry point."""
        from ..compiler.kernel import OpaqueFunction
        return OpaqueFunction(fn)

    @staticmethod
    def host(fn=None, /, *, auto_scope=True, **options):
        """`@pl.jit.host`: PyPTO's host-level entry; on Tessel's one device
        a `@pl.jit` kernel that may call other `@pl.jit` kernels (their
        bodies spliced at the call)."""
        from ..compiler.kernel import HostKernel
        if fn is None:
            return lambda f: HostKernel(f, **options)
        return HostKernel(fn, **options)

    @staticmethod
    def incore(fn=None, /, *, level=None):
        """`@pl.jit.incore` / `@pl.jit.incore(level=pl.Level.AIV)`: PyPTO's
        InCore function. A kernel that calls it gets its body as a `pl.at`
        scope of that level (default CORE_GROUP) at the call, its parameters
        bound to the call's arguments (GM tensors, scalars)."""
        from ..compiler.kernel import IncoreFunction
        from .types import Level
        if level is None:
            level = Level.CORE_GROUP
        if level not in (Level.CORE_GROUP, Level.AIV, Level.AIC):
            import inspect
            from ..frontend.errors import make_error
            frame = inspect.currentframe().f_back
            raise make_error(
                f"@pl.jit.incore(level={level!r}): an InCore function runs "
                f"on a core", frame.f_code.co_filename, frame.f_lineno, 1,
                expected="pl.Level.CORE_GROUP, pl.Level.AIV or pl.Level.AIC",
                found=repr(level))
        if fn is None:
            return lambda f: IncoreFunction(f, level)
        return IncoreFunction(fn, level)

    def __getattr__(self, name):
        # PyPTO's other function kinds (`@pl.jit.incore`, ...): a use is a
        # CompileError at the author's line, never an AttributeError.
        if name.startswith("__"):
            raise AttributeError(name)
        from .surface import Unsupported
        return Unsupported(
            f"jit.{name}", "write the function's body as a `with pl.at("
            "level=pl.Level.CORE_GROUP):` scope of the @pl.jit kernel, or "
            "as a @pl.jit.inline helper called inside one")

    def __repr__(self) -> str:
        return "pl.jit"


jit = _Jit()
inline = _Jit.inline

from .program import FunctionType, function, program  # noqa: E402,F401


def _add_unsupported():
    """PyPTO's names Tessel does not support, as `surface.Unsupported`
    objects (a use is a CompileError saying what to use instead)."""
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("").items():
        g.setdefault(name, obj)


_add_unsupported()
