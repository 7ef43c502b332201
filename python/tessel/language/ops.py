"""The operations and scopes of the `pl` surface.

Every function here is a *builtin*: the frontend recognises it inside a
`@pl.jit` kernel and builds `tile` dialect IR for it. Called from ordinary
Python it raises `OutsideKernelError`. The Python signatures are the
contract: the frontend binds a call's arguments against them, so a wrong
keyword or a missing argument is reported at the author's line.
"""

from __future__ import annotations

import functools
import inspect

from ..errors import OutsideKernelError
from .types import FP32, Level, MaskPattern  # noqa: F401  (defaults)

BUILTIN_ATTR = "__tessel_builtin__"


def builtin(qualname: str):
    """Mark `fn` as the `pl` builtin `qualname` (e.g. ``"add"``,
    ``"tensor.scatter"``); its body is never run."""

    def decorate(fn):
        @functools.wraps(fn)
        def outside(*args, **kwargs):
            raise OutsideKernelError(
                f"pl.{qualname}() can only be used inside a @pl.jit kernel: "
                f"it describes the kernel's IR and is compiled from the "
                f"kernel's source, it does not compute in Python")

        setattr(outside, BUILTIN_ATTR, qualname)
        outside.__signature__ = inspect.signature(fn)
        return outside

    return decorate


def builtin_name(obj) -> str | None:
    """The builtin name of a `pl` function, or None for anything else."""
    return getattr(obj, BUILTIN_ATTR, None) if callable(obj) else None


# ---------------------------------------------------------------------------
# Scopes and loops
# ---------------------------------------------------------------------------

@builtin("spmd")
def spmd(n=None, name_hint=None, assume_independent=False, *, deps=None,
         allow_early_resolve=False, optimizations=None, core_num=None,
         sync_start=False):
    """``for i in pl.spmd(n, name_hint="..."):`` -- `n` independent blocks,
    one per core; `i` is the block index. Becomes `tile.spmd`. A body with
    no `pl.at` scope inside runs as one `core_group` scope. Blocks must not
    race on GM: the compiler proves it (docs/races.md), and rejects a kernel
    whose indices it cannot analyse unless `assume_independent=True`
    asserts it (then a remark says what was assumed).
    ``with pl.spmd(n) as tid:`` is the same scope; its body reads the block
    index with `pl.tile.get_block_idx()` and `tid` is its TaskId. `deps=`
    (TaskIds of earlier scopes) and `allow_early_resolve=` are PyPTO's task
    graph: see tessel.language.tasks. `core_num=` is PyPTO's older name
    for `n`; `sync_start=True` (all blocks start together) is a dispatch
    hint Tessel reports in a remark: its blocks share nothing but GM and
    the scope starts when the previous one has finished."""


@builtin("parallel")
def parallel(start, stop=None, step=1, *, chunk=None,
             assume_independent=False):
    """``for i in pl.parallel(n)`` / ``pl.parallel(start, stop, step)`` -- a
    parallel loop. At function level it becomes a `tile.spmd` with one block
    per iteration (`with pl.at(...)` inside are its core scopes); inside a
    scope it is a sequential loop (its iterations are independent). `chunk`
    is accepted for PyPTO compatibility and ignored; `assume_independent`
    is `pl.spmd`'s."""


@builtin("at")
def at(level=Level.CORE_GROUP, *, name_hint=None, deps=None,
       allow_early_resolve=False, optimizations=None):
    """``with pl.at(level=pl.Level.CORE_GROUP):`` -- a core-level scope
    (`tile.at`): `AIV`/`VECTOR` -> vector core, `AIC`/`CUBE` -> cube core,
    `CORE_GROUP` -> a core group. GM slices are loaded and stored inside
    core scopes only. At function level the scope runs as a one-block
    `tile.spmd` (named `name_hint`); ``with pl.at(...) as tid:`` names its
    TaskId, and `deps=` / `allow_early_resolve=` are as for `pl.spmd`;
    `optimizations=[pl.split(...), pl.cross_core_slot(...)]` are PyPTO's
    cross-core hints, checked and reported in a remark."""


@builtin("pipeline")
def pipeline(start, stop=None, step=1, *, stage=2, init_values=None):
    """``for i in pl.pipeline(stop, stage=2)`` /
    ``pl.pipeline(start, stop, step, stage=2)`` -- a sequential loop the
    compiler may software-pipeline with `stage`-deep buffering
    (`tile.pipeline`). Variables reassigned in the body are loop-carried;
    `init_values=` is PyPTO's iter_args form (see `pl.range`)."""


@builtin("range")
def range(start, stop=None, step=1, *, init_values=None):  # noqa: A001
    """``for i in pl.range(stop)`` / ``pl.range(start, stop, step)`` -- a
    plain sequential loop (`scf.for`). Variables reassigned in the body are
    loop-carried. PyPTO's iter_args form, ``for i, (a, b) in pl.range(n,
    init_values=(x, y)):`` ending in ``a_out, b_out = pl.yield_(u, w)``,
    starts `a`, `b` at `x`, `y`, gives them `u`, `w` for the next
    iteration, and leaves the last values in `a_out`, `b_out` (`x`, `y`
    when the loop runs no iteration)."""


# ---------------------------------------------------------------------------
# Tensors and tiles
# ---------------------------------------------------------------------------

@builtin("create_tensor")
def create_tensor(shape, dtype, memory_type=None, *, manual_dep=False,
                  init_value=None):
    """A GM scratch tensor of a static `shape` (`tile.alloc_gm`), created at
    function level. Inside a scope, a tensor that is only ever assigned
    tiles (the PyPTO accumulator idiom) is an on-chip tile instead, whose
    value before its first assignment is `init_value` (default 0).
    `memory_type` may only be `pl.MemorySpace.DDR`. `manual_dep=True` is
    accepted and reported (Tessel still orders every access to the
    tensor). `init_value` on a GM scratch tensor fills it before any later
    scope touches it (PyPTO's runtime fill): a vector scope of its own,
    named `<name>_init`, stores `init_value` tiles over the whole tensor."""


@builtin("create_tile")
def create_tile(shape, dtype, target_memory=None, transpose=None, *,
                flat_layout=None):
    """A zero-filled `shape` tile of `dtype` (`tile.full`) in
    `target_memory` (Vec, Mat or Acc; default: the compiler's choice).
    PyPTO leaves it undefined; Tessel's ops never write into a tile, so
    it serves as an initial value (e.g. a zero accumulator)."""


@builtin("move")
def move(tile, target_memory, blayout=None, slayout=None):
    """Move a tile between on-chip memories: Mat -> Left / Right (it must
    fit L0A / L0B), Acc -> Vec on targets with an L0C -> UB path (a5)."""


@builtin("reshape")
def reshape(input, shape):  # noqa: A002
    """Reshape a tile (`tile.reshape`) or a GM tensor view (a reshaped
    memref view of the same data); the element count must not change."""


@builtin("full")
def full(shape, dtype, value):
    """A `shape` tile of `dtype` filled with `value` (`tile.full`)."""


@builtin("slice")
def slice(tensor, shape, offset, valid_shape=None):  # noqa: A001
    """Load the `shape` slice of GM `tensor` at `offset` as a tile (the
    function form of ``tensor[a:b, c:d]``)."""


@builtin("load")
def load(tensor, offsets, shapes, valid_shape=None, target_memory=None,
         clamp=False):
    """Load the `shapes` slice of GM `tensor` at `offsets` as a tile, into
    `target_memory` (Vec or Mat; default: the compiler's choice)."""


@builtin("store")
def store(tile, offsets, output_tensor, shapes=None):
    """Store `tile` into GM `output_tensor` at `offsets` (the function form of
    ``output_tensor[a:b, c:d] = tile``)."""


# ---------------------------------------------------------------------------
# Cube
# ---------------------------------------------------------------------------

@builtin("matmul")
def matmul(lhs, rhs, out_dtype=None, a_trans=False, b_trans=False,
           c_matrix_nz=False):
    """``op(lhs) @ op(rhs)`` on the cube unit: [M, K] x [K, N] -> [M, N];
    ``a_trans=True`` reads lhs stored [K, M], ``b_trans=True`` rhs stored
    [N, K]. BF16 / FP16 / FP32 -> FP32, INT8 -> INT32 (the default
    `out_dtype`), as the target's cube supports."""


@builtin("matmul_acc")
def matmul_acc(acc, lhs, rhs, a_trans=False, b_trans=False):
    """``acc + op(lhs) @ op(rhs)`` on the cube unit; `acc` is FP32 or
    INT32."""


@builtin("batch_matmul")
def batch_matmul(lhs, rhs):
    """``lhs @ rhs`` per batch: [..., M, K] x [..., K, N] -> [..., M, N],
    the batch dimensions broadcast (a 2-D operand or a batch dimension of 1
    is shared by every batch); one cube matmul per batch."""


@builtin("batch_matmul_acc")
def batch_matmul_acc(acc, lhs, rhs):
    """``acc + lhs @ rhs`` per batch; `acc` has the product's batch
    dimensions (it is not broadcast)."""


@builtin("matmul_bias")
def matmul_bias(lhs, rhs, bias):
    """``lhs @ rhs + bias``, `bias` [1, N] in the accumulator dtype, added per
    column on the vector unit (a pl.at(level=pl.Level.CORE_GROUP) scope)."""


@builtin("gemv")
def gemv(lhs, rhs, acc_phase="unspecified"):
    """``lhs @ rhs`` for a row vector lhs [1, K]: [1, N]."""


@builtin("gemv_acc")
def gemv_acc(acc, lhs, rhs, acc_phase="unspecified"):
    """``acc + lhs @ rhs`` for a row vector lhs [1, K]."""


@builtin("gemv_bias")
def gemv_bias(lhs, rhs, bias, acc_phase="unspecified"):
    """``lhs @ rhs + bias`` for a row vector lhs [1, K] and bias [1, N]."""


# ---------------------------------------------------------------------------
# Elementwise
# ---------------------------------------------------------------------------

@builtin("add")
def add(lhs, rhs):
    """Elementwise ``lhs + rhs``; one operand may be a scalar."""


@builtin("sub")
def sub(lhs, rhs):
    """Elementwise ``lhs - rhs``; one operand may be a scalar."""


@builtin("mul")
def mul(lhs, rhs):
    """Elementwise ``lhs * rhs``; one operand may be a scalar."""


@builtin("div")
def div(lhs, rhs, high_precision=False):
    """Elementwise ``lhs / rhs`` (float tiles); one operand may be a scalar."""


@builtin("maximum")
def maximum(lhs, rhs):
    """Elementwise maximum; one operand may be a scalar."""


@builtin("minimum")
def minimum(lhs, rhs):
    """Elementwise minimum; one operand may be a scalar."""


@builtin("maximums")
def maximums(lhs, rhs):
    """Elementwise ``max(tile, scalar)`` (`tile.maxs`)."""


@builtin("minimums")
def minimums(lhs, rhs):
    """Elementwise ``min(tile, scalar)`` (`tile.mins`)."""


@builtin("relu")
def relu(tile):
    """Elementwise ``max(x, 0)`` (`tile.maxs`)."""


@builtin("lrelu")
def lrelu(tile, slope):
    """Elementwise ``max(x, slope * x)``, PyPTO's definition (`tile.muls`
    then `tile.max`): leaky ReLU for ``0 <= slope <= 1``."""


@builtin("neg")
def neg(input):  # noqa: A002
    """Elementwise negation."""


@builtin("abs")
def abs(input):  # noqa: A001,A002
    """Elementwise absolute value."""


@builtin("sqrt")
def sqrt(input):  # noqa: A002
    """Elementwise square root (float tiles)."""


@builtin("rsqrt")
def rsqrt(input, high_precision=False):  # noqa: A002
    """Elementwise ``1 / sqrt(x)`` (float tiles)."""


@builtin("recip")
def recip(input):  # noqa: A002
    """Elementwise ``1 / x`` (float tiles)."""


@builtin("exp")
def exp(input):  # noqa: A002
    """Elementwise natural exponential (float tiles)."""


@builtin("sin")
def sin(input):  # noqa: A002
    """Elementwise sine, in radians (float tiles; PyPTO: f32 only)."""


@builtin("cos")
def cos(input):  # noqa: A002
    """Elementwise cosine, in radians (float tiles; PyPTO: f32 only)."""


@builtin("fmod")
def fmod(lhs, rhs):
    """Elementwise C ``fmod(lhs, rhs)``: the result has the sign of lhs
    (``torch.fmod``); rhs may be a scalar."""


@builtin("fmods")
def fmods(lhs, rhs):
    """``fmod(tile, scalar)`` (`tile.fmods`)."""


@builtin("rem")
def rem(lhs, rhs, tmp=None):
    """Elementwise ``lhs % rhs`` as in Python: the result has the sign of
    rhs (``torch.remainder``); rhs may be a scalar. `tmp` (PyPTO's
    scratch tile) is accepted and ignored: buffers are the compiler's
    job."""


@builtin("rems")
def rems(lhs, rhs, tmp=None):
    """``tile % scalar`` as in Python (`tile.rems`); `tmp` is ignored."""


# ---------------------------------------------------------------------------
# Comparison, selection, activations, bitwise logic (TileCatalogOps.td)
# ---------------------------------------------------------------------------

@builtin("cmp")
def cmp(lhs, rhs, cmp_type=0):
    """Compare two tiles (or a tile and a number) elementwise with
    `cmp_type` (0=eq, 1=ne, 2=lt, 3=le, 4=gt, 5=ge) into a packed
    predicate mask: an INT8 tile [M, roundup(ceil(N / 8), 32)], bit j % 8
    of byte [i, j // 8] for element (i, j). Use it with `pl.sel`."""


@builtin("cmps")
def cmps(lhs, rhs, cmp_type=0):
    """`pl.cmp` of a tile and a compile-time number."""


@builtin("sel")
def sel(mask, lhs, rhs, tmp=None):
    """``mask ? lhs : rhs`` per element, `mask` a `pl.cmp` result; `tmp`
    (PyPTO's scratch) is accepted and ignored."""


@builtin("sels")
def sels(mask, src, tmp=None, scalar=None):
    """``mask ? src : scalar`` per element; `tmp` is ignored."""


@builtin("prelu")
def prelu(tile, slope, tmp=None):
    """``tile > 0 ? tile : tile * slope`` per element, `slope` a tile of the
    same shape; `tmp` is ignored."""


@builtin("and_")
def and_(lhs, rhs):
    """Bitwise ``lhs & rhs`` of integer tiles (rhs may be a number)."""


@builtin("ands")
def ands(lhs, rhs):
    """``tile & number``."""


@builtin("or_")
def or_(lhs, rhs):
    """Bitwise ``lhs | rhs`` of integer tiles (rhs may be a number)."""


@builtin("ors")
def ors(lhs, rhs):
    """``tile | number``."""


@builtin("xor")
def xor(lhs, rhs, tmp=None):
    """Bitwise ``lhs ^ rhs`` of integer tiles (rhs may be a number); `tmp`
    is ignored."""


@builtin("xors")
def xors(lhs, rhs, tmp=None):
    """``tile ^ number``; `tmp` is ignored."""


@builtin("not_")
def not_(input):  # noqa: A002
    """Bitwise ``~x`` of an integer tile."""


@builtin("shl")
def shl(lhs, rhs):
    """``lhs << rhs`` of integer tiles (rhs may be a number in [0, bits))."""


@builtin("shls")
def shls(lhs, rhs):
    """``tile << number``, the number in [0, bits)."""


@builtin("shr")
def shr(lhs, rhs):
    """Arithmetic ``lhs >> rhs`` of integer tiles (the sign kept)."""


@builtin("shrs")
def shrs(lhs, rhs):
    """Arithmetic ``tile >> number``, the number in [0, bits)."""


# ---------------------------------------------------------------------------
# Layout and compile-time values (TileCatalogOps.td)
# ---------------------------------------------------------------------------

@builtin("transpose")
def transpose(input, axis1, axis2):  # noqa: A002
    """The tile with axes `axis1` and `axis2` swapped: [M, N] -> [N, M]."""


@builtin("concat")
def concat(src0, src1):
    """``[M, N0]`` and ``[M, N1]`` -> ``[M, N0 + N1]``, src1's columns after
    src0's."""


@builtin("reinterpret_view")
def reinterpret_view(data, dtype, *, shape=None):
    """Each row's bytes read as `dtype` (the bits kept)."""


@builtin("tri")
def tri(diagonal, shape, valid_shape=None, dtype=None, upper=False):
    """A tile of ones where ``j <= i + diagonal`` (``j >= i + diagonal``
    with `upper`), zeros elsewhere; `dtype` defaults to INT32."""


@builtin("const")
def const(value, dtype):
    """`value` checked to be exact in `dtype`: a compile-time number."""


@builtin("get_block_num")
def get_block_num():
    """The block count n of the enclosing `pl.spmd(n)` (a compile-time
    int)."""


# ---------------------------------------------------------------------------
# Broadcasts and reductions
# ---------------------------------------------------------------------------

@builtin("row_sum")
def row_sum(input, tmp_tile=None):  # noqa: A002
    """Sum each row: [M, N] -> [M, 1]. `tmp_tile` (PyPTO's scratch) is
    accepted and ignored: buffers are the compiler's job."""


@builtin("row_max")
def row_max(input, tmp_tile=None):  # noqa: A002
    """Maximum of each row: [M, N] -> [M, 1]."""


@builtin("row_prod")
def row_prod(input, tmp_tile=None):  # noqa: A002
    """Product of each row: [M, N] -> [M, 1]; `tmp_tile` is ignored."""


@builtin("row_min")
def row_min(input, tmp_tile=None):  # noqa: A002
    """Minimum of each row: [M, N] -> [M, 1]; `tmp_tile` is ignored."""


@builtin("col_sum")
def col_sum(input, tmp_tile=None):  # noqa: A002
    """Sum of each column: [M, N] -> [1, N], row 0 first (PyPTO's
    sequential path); `tmp_tile` is ignored."""


@builtin("col_max")
def col_max(input):  # noqa: A002
    """Maximum of each column: [M, N] -> [1, N]."""


@builtin("col_min")
def col_min(input):  # noqa: A002
    """Minimum of each column: [M, N] -> [1, N]."""


@builtin("col_prod")
def col_prod(input):  # noqa: A002
    """Product of each column: [M, N] -> [1, N], row 0 first."""


@builtin("row_argmax")
def row_argmax(input, tmp_tile=None):  # noqa: A002
    """INT32 column of each row's maximum (the first on ties): [M, 1]."""


@builtin("row_argmin")
def row_argmin(input, tmp_tile=None):  # noqa: A002
    """INT32 column of each row's minimum (the first on ties): [M, 1]."""


@builtin("col_argmax")
def col_argmax(input, tmp_tile=None):  # noqa: A002
    """INT32 row of each column's maximum (the first on ties): [1, N]."""


@builtin("col_argmin")
def col_argmin(input, tmp_tile=None):  # noqa: A002
    """INT32 row of each column's minimum (the first on ties): [1, N]."""


@builtin("row_expand_mul")
def row_expand_mul(input, scale):  # noqa: A002
    """``t[M, N] * v[M, 1]``, `v` broadcast along each row."""


@builtin("col_expand_mul")
def col_expand_mul(input, scale):  # noqa: A002
    """``t[M, N] * v[1, N]``, `v` broadcast along each column."""


# ---------------------------------------------------------------------------
# Conversions, gather and scatter
# ---------------------------------------------------------------------------

@builtin("cast")
def cast(input, target_type, mode=None):  # noqa: A002
    """Convert the element type with an explicit rounding `mode`
    (``"none"``, ``"rint"``, ``"round"``, ``"trunc"``, ``"floor"``,
    ``"ceil"``). Without `mode`, exact widenings use ``"none"`` and other
    conversions PyPTO's default ``"round"``."""


@builtin("gather")
def gather(input, dim=None, index=None, *, mask_pattern=None,  # noqa: A002
           output_dtype=None, kvalue=None, cmp_mode=None, out_cols=None,
           offset=0, count_dtype=None):
    """Index form (`dim=-1, index=idx`): `out[r, k] = input[r, idx[r, k]]`
    (0 for an index outside the row). Mask form (`mask_pattern=`): keep the
    even (`P0101`) or odd (`P1010`) columns, [M, 2K] -> [M, K], optionally
    reinterpreted as `output_dtype` of the same width."""


def _tensor_gather():
    @builtin("tensor.gather")
    def gather(input, dim=None, index=None, *, mask_pattern=None,  # noqa: A002
               output_dtype=None, kvalue=None, cmp_mode=None, out_cols=None,
               offset=0, count_dtype=None):
        """Same as `pl.gather`."""
    return gather


def _tensor_scatter():
    @builtin("tensor.scatter")
    def scatter(input, dim=None, index=None, src=None, *,  # noqa: A002
                mask_pattern=None, dst=None):
        """Index form: as `pl.scatter`. Mask form: write `input` [M, K]
        into the even (`P0101`) or odd (`P1010`) columns of `dst` [M, 2K];
        returns the updated tile."""
    return scatter


def _tensor_dim():
    @builtin("tensor.dim")
    def dim(tensor, axis):
        """The extent of `tensor` along `axis` (negative counts from the
        end): a compile-time integer, `tensor.shape[axis]`."""
    return dim


def _tile_namespace():
    """`pl.tile.<name>`: the tile-level spellings of the same builtins."""
    @builtin("tile.load")
    def load(tensor, offsets, shapes, valid_shape=None, target_memory=None,
             clamp=False):
        """Same as `pl.load`."""

    @builtin("tile.store")
    def store(tile, offsets, output_tensor, shapes=None):
        """Same as `pl.store`."""

    @builtin("tile.full")
    def full(shape, dtype, value):
        """Same as `pl.full`."""

    @builtin("tile.move")
    def move(tile, target_memory, blayout=None, slayout=None):
        """Same as `pl.move`."""

    @builtin("tile.create")
    def create(shape, dtype, target_memory=None, transpose=None, *,
               flat_layout=None):
        """Same as `pl.create_tile`."""

    @builtin("tile.create_tile")
    def create_tile(shape, dtype, target_memory=None, transpose=None, *,
                    flat_layout=None):
        """Same as `pl.create_tile`."""

    @builtin("tile.transpose_view")
    def transpose_view(tile):
        """The Mat tile `tile` read as its transpose by the matmul that
        takes it (directly or after `pl.move` to Left / Right): the cube
        transposes it as it moves it, as `a_trans=` / `b_trans=` do. Only
        a matmul operand can be a transpose view."""
    return load, store, full, move, create, create_tile, transpose_view


def _catalog_namespaces():
    """`pl.tile.<name>` / `pl.tensor.<name>` spellings of catalog ops."""
    @builtin("tile.cmp")
    def cmp(lhs, rhs, cmp_type=0):
        """Same as `pl.cmp`."""

    @builtin("tile.cmps")
    def cmps(lhs, rhs, cmp_type=0):
        """Same as `pl.cmps`."""

    @builtin("tile.sel")
    def sel(mask, lhs, rhs, tmp=None):
        """Same as `pl.sel`."""

    @builtin("tile.sels")
    def sels(mask, src, tmp=None, scalar=None):
        """Same as `pl.sels`."""

    @builtin("tile.prelu")
    def prelu(tile, slope, tmp=None):
        """Same as `pl.prelu`."""

    @builtin("tile.transpose")
    def transpose(input, axis1, axis2, tmp_tile=None):  # noqa: A002
        """Same as `pl.transpose`."""

    @builtin("tile.concat")
    def concat(src0, src1):
        """Same as `pl.concat`."""

    @builtin("tile.tri")
    def tri(diagonal, shape, valid_shape=None, dtype=None, upper=False):
        """Same as `pl.tri`."""

    @builtin("tile.get_block_num")
    def get_block_num():
        """Same as `pl.get_block_num`."""

    @builtin("tensor.transpose")
    def tensor_transpose(input, axis1, axis2):  # noqa: A002
        """Same as `pl.transpose` (of a tile)."""

    @builtin("tensor.concat")
    def tensor_concat(src0, src1):
        """Same as `pl.concat` (of tiles)."""

    @builtin("tensor.get_block_num")
    def tensor_get_block_num():
        """Same as `pl.get_block_num`."""
    return (cmp, cmps, sel, sels, prelu, transpose, concat, tri,
            get_block_num, tensor_transpose, tensor_concat,
            tensor_get_block_num)


(tile_load, tile_store, tile_full, tile_move, tile_create,
 tile_create_tile, tile_transpose_view) = _tile_namespace()
(tile_cmp, tile_cmps, tile_sel, tile_sels, tile_prelu, tile_transpose,
 tile_concat, tile_tri, tile_get_block_num, tensor_transpose, tensor_concat,
 tensor_get_block_num) = _catalog_namespaces()
tensor_gather = _tensor_gather()
tensor_scatter = _tensor_scatter()
tensor_dim = _tensor_dim()


@builtin("create_l1")
def create_l1(shape, dtype, transpose=False):
    """A zero-filled `shape` tile of `dtype` in L1 (`pl.create_tile(shape,
    dtype, target_memory=pl.MemorySpace.Mat)`; PyPTO leaves it undefined):
    the accumulator `pl.gather_row` fills, a matmul operand. `transpose`
    (PyPTO's transposed L1 layout) is accepted: Tessel chooses layouts."""


@builtin("gather_row")
def gather_row(acc, src, dst_offset, src_offset, shapes, transpose=False, *,
               valid_shape=None):
    """`acc` (from `pl.create_l1`) with the window `src[src_offset :
    src_offset + shapes]` of the 2-D GM tensor `src` written at
    `dst_offset`; `valid_shape` (rows may be a run-time count, columns a
    compile-time one) writes only its top-left part, no row past `acc`'s
    end; `transpose=True` writes GM row i of the window as column
    `dst_offset[1] + i`. Returns the updated accumulator."""


def _tensor_l1():
    @builtin("tensor.create_l1")
    def create_l1(shape, dtype, transpose=False):
        """Same as `pl.create_l1`."""

    @builtin("tensor.gather_row")
    def gather_row(acc, src, dst_offset, src_offset, shapes, transpose=False,
                   *, valid_shape=None):
        """Same as `pl.gather_row`."""
    return create_l1, gather_row


tensor_create_l1, tensor_gather_row = _tensor_l1()


#: Every builtin by name, for the frontend's dispatch table check.
ALL_BUILTINS = {
    builtin_name(obj): obj
    for obj in list(globals().values()) if builtin_name(obj)
}
