"""Explicit memories: `pl.load(..., target_memory=...)`, `pl.move`,
`pl.create_tile`, `pl.create_tensor(..., memory_type=...)` and the checks
that a tile is used where its memory allows.

Tessel places tiles itself (docs/placement.md): a tile's buffer follows
from the scope and the ops that use it. An author's explicit memory is
honoured by checking it, in two places:

- here, at the author's line: a DDR load lands in Vec or Mat; a move takes
  one of the hardware's paths (Mat -> Left / Right, Acc -> Vec where the
  target has an L0C -> UB path, `has_l0c_to_ub` in TargetInfo); a tile
  moved to Left / Right must fit L0A / L0B (sizes from TargetInfo and the
  placement's layout, through the `_tessel` bindings); vector ops do not
  read Mat / Left / Right tiles and a matmul reads its lhs from Left (or
  Mat) and its rhs from Right (or Mat);
- in `tile-place-buffers`: the ops that name a memory carry
  `tile.memory = #tile.memory<ub | l1 | l0c>`, and the pass reports an
  error at that op when its placement differs.

Moves to Left / Right and Acc -> Vec build no op: the cube's L1 -> L0A /
L0B moves happen at the matmul, and on a5 vector ops read an accumulator in
L0C in place (docs/placement.md, "Cube data path").
"""

from __future__ import annotations

from ..language.types import MemorySpace
from ..mlir import ir
from .. import targets
from ..mlir._mlir_libs import _tessel
from .errors import note_at
from .values import TileVal, TransposedView, describe

Vec, Mat, Left, Right, Acc, DDR, Bias = (
    MemorySpace.Vec, MemorySpace.Mat, MemorySpace.Left, MemorySpace.Right,
    MemorySpace.Acc, MemorySpace.DDR, MemorySpace.Bias)

LEGAL_MOVES = "Mat -> Left, Mat -> Right, Acc -> Vec (on targets with an " \
              "L0C -> UB path)"


def memory_arg(cg, arg, what="target_memory"):
    """The `pl.MemorySpace` of argument `arg`, or None when omitted."""
    v = arg.value
    if v is None:
        return None
    if not isinstance(v, MemorySpace):
        raise cg.error(arg.node, f"{what} must be a memory space",
                       expected="pl.MemorySpace.Vec, Mat, Left, Right or Acc",
                       found=describe(v))
    if v is Bias:
        raise cg.error(arg.node, "Tessel has no bias buffer",
                       found=f"{what}=pl.MemorySpace.Bias",
                       help="use pl.matmul_bias (in a CORE_GROUP scope: Tessel "
                            "adds the bias on the vector unit)")
    return v


def mark(cg, node, op_view, tile: TileVal, memory):
    """Record the author's `memory` on the tile and on the op that made it
    (`tile.memory`, checked by tile-place-buffers)."""
    tile.memory = memory
    tile.memory_at = (cg.filename, node)
    if memory is not None and memory.kind not in (None, "gm", "l0a", "l0b"):
        op_view.operation.attributes["tile.memory"] = ir.Attribute.parse(
            f"#tile.memory<{memory.kind}>")
    return tile


def _memory_note(t: TileVal, text="its memory is named here"):
    return [note_at(*t.memory_at, text)] if t.memory_at else []


def check_scope_memory(cg, node, memory, what):
    """A vector scope has only Vec, a cube scope no Vec."""
    if memory is None:
        return
    core = cg.scope.core if cg.scope.kind == "at" else None
    if core == "vector" and memory is not Vec:
        raise cg.error(node, f"{what} into {memory.name} in a vector scope",
                       expected="pl.MemorySpace.Vec (a vector core has only "
                                "the UB)", found=repr(memory),
                       help="use pl.at(level=pl.Level.CUBE) or CORE_GROUP "
                            "for cube tiles")
    if core == "cube" and memory is Vec:
        raise cg.error(node, f"{what} into Vec in a cube scope",
                       expected="Mat (a cube core has no UB)",
                       found=repr(memory),
                       help="use pl.at(level=pl.Level.VECTOR) or CORE_GROUP "
                            "for vector tiles")


def check_vector_operand(cg, t: TileVal, node, op):
    """Vector ops read Vec (or, on a5, an accumulator in place)."""
    if t.memory in (Mat, Left, Right):
        raise cg.error(node, f"{op} runs on the vector unit and cannot read "
                       f"a tile in {t.memory.name} ({t.memory.buffer})",
                       expected="a tile in Vec", found=t.describe(),
                       help="load it without target_memory= (or with "
                            "target_memory=pl.MemorySpace.Vec) for vector "
                            "ops", notes=_memory_note(t))


def check_matmul_operand(cg, t: TileVal, node, side, op="pl.matmul"):
    """lhs from Left (or Mat: the cube moves it), rhs from Right (or Mat)."""
    want = Left if side == "lhs" else Right
    if t.memory in (None, Mat, want):
        return
    raise cg.error(node, f"{op} reads its {side} from {want.name} "
                   f"({want.buffer}), not {t.memory.name}",
                   expected=f"a tile in {want.name} or Mat",
                   found=t.describe(),
                   help=f"pl.move(t, target_memory=pl.MemorySpace.{want.name})"
                        f" a tile loaded with target_memory=pl.MemorySpace.Mat",
                   notes=_memory_note(t))


def _source_memory(t: TileVal):
    if t.memory is not None:
        return t.memory
    owner = t.value.owner
    name = owner.name if isinstance(owner, ir.OpView) or hasattr(
        owner, "name") else ""
    if name in ("tile.matmul", "tile.matmul_acc"):
        return Acc
    return None


def _check_fits(cg, node, t: TileVal, memory):
    kind = memory.kind
    info = targets.get(cg.target)
    usable = info["buffers"][kind]["usable_bytes"]
    need = _tessel.tile_storage_bytes(t.value.type, kind, cg.target)
    if need > usable:
        raise cg.error(node, f"tile {list(t.shape)} {t.dtype.name} does not "
                       f"fit {memory.name} ({memory.buffer}) on {cg.target}",
                       expected=f"at most {usable} bytes (usable "
                                f"{memory.buffer})",
                       found=f"{need} bytes in {memory.buffer}'s layout",
                       help="split the matmul along M, K or N into tiles "
                            "that fit, and accumulate with pl.matmul_acc")


def move(cg, node, a):
    target = memory_arg(cg, a.target_memory)
    if target is None:
        raise cg.error(node, "pl.move needs target_memory=")
    for name in ("blayout", "slayout"):
        arg = getattr(a, name)
        if arg.value is not None:
            raise cg.error(arg.node, f"pl.move({name}=...) is not supported: "
                           f"Tessel chooses each buffer's layout "
                           f"(docs/placement.md)")
    cg.require_core(node, "pl.move")
    if isinstance(a.tile.value, TransposedView):
        # The cube transposes a Mat tile as it moves it to Left / Right:
        # the matmul that takes the view moves it (a_trans / b_trans).
        view = a.tile.value
        if target not in (Left, Right):
            raise cg.error(node, f"a pl.tile.transpose_view moves to Left "
                           f"or Right only (the cube transposes it on the "
                           f"way)", found=f"{view.describe()} -> "
                                          f"{target.name}",
                           help="use pl.transpose for a transposed Vec tile")
        _check_fits(cg, node, view.tile, target)
        return view
    t = cg.as_tile(a.tile.value, a.tile.node, "the moved tile")
    src = _source_memory(t)
    if target is DDR:
        raise cg.error(a.target_memory.node, "pl.move moves between on-chip "
                       "memories", found="target_memory=pl.MemorySpace.DDR",
                       help="store the tile with pl.store(tile, offsets, "
                            "tensor)")
    if src is target:
        return TileVal(t.value, t.shape, t.dtype, t.memory, t.memory_at)
    info = targets.get(cg.target)
    if target in (Left, Right) and src in (None, Mat):
        check_scope_memory(cg, node, Mat, "pl.move")
        _check_fits(cg, node, t, target)
        return TileVal(t.value, t.shape, t.dtype, target, (cg.filename, node))
    if target is Vec and src is Acc:
        if not info["has_l0c_to_ub"]:
            raise cg.error(node, f"{cg.target} has no L0C -> UB path: an "
                           f"accumulator cannot move to Vec",
                           expected=f"a move on {cg.target}: Mat -> Left, "
                                    f"Mat -> Right", found="Acc -> Vec",
                           help="use the matmul result directly in vector ops "
                                "inside one pl.at(level=pl.Level.CORE_GROUP) "
                                "scope (Tessel passes it through GM), or "
                                "pl.store it and pl.load it in a vector scope")
        return TileVal(t.value, t.shape, t.dtype, Vec, (cg.filename, node))
    if src is None and target in (Vec, Mat):
        check_scope_memory(cg, node, target, "pl.move")
        return TileVal(t.value, t.shape, t.dtype, target, (cg.filename, node))
    raise cg.error(node, f"no move {src.name if src else '?'} -> "
                   f"{target.name}", expected=LEGAL_MOVES,
                   found=f"{t.describe()} -> {target.name}",
                   notes=_memory_note(t))


def load_memory(cg, node, a):
    """The checked target_memory of pl.load (Vec or Mat) or None."""
    memory = memory_arg(cg, a.target_memory)
    if memory is not None and memory not in (Vec, Mat):
        raise cg.error(a.target_memory.node, f"a load from DDR cannot land "
                       f"in {memory.name}", expected="pl.MemorySpace.Vec or "
                       "Mat", found=repr(memory),
                       help=f"load into Mat, then pl.move(t, target_memory="
                            f"pl.MemorySpace.{memory.name})"
                       if memory in (Left, Right) else
                       "pl.matmul makes Acc tiles")
    check_scope_memory(cg, node, memory, "pl.load")
    return memory


def create_tile(cg, node, a, full):
    """pl.create_tile(shape, dtype, target_memory=Vec): a zero-filled tile
    (PyPTO leaves it undefined) in Vec, Mat or Acc."""
    memory = memory_arg(cg, a.target_memory)
    if memory in (Left, Right, DDR):
        raise cg.error(a.target_memory.node, f"pl.create_tile cannot make a "
                       f"tile in {memory.name}",
                       expected="Vec, Mat or Acc", found=repr(memory),
                       help="make it in Mat and pl.move it" if memory is not
                       DDR else "use pl.create_tensor for a DDR tensor")
    for name in ("transpose", "flat_layout"):
        arg = getattr(a, name)
        if arg.value:
            raise cg.error(arg.node, f"pl.create_tile({name}=...) is not "
                           f"supported: Tessel chooses each buffer's layout")
    check_scope_memory(cg, node, memory, "pl.create_tile")
    t = full(cg, node, a)
    return mark(cg, node, t.value.owner, t, memory)


def check_tensor_memory(cg, arg):
    memory = memory_arg(cg, arg, "memory_type")
    if memory not in (None, DDR):
        raise cg.error(arg.node, "pl.create_tensor makes a DDR tensor",
                       expected="memory_type=pl.MemorySpace.DDR",
                       found=repr(memory),
                       help="for an on-chip tile use pl.create_tile(shape, "
                            "dtype, target_memory=...)")


def transpose_view(cg, node, a):
    """`pl.tile.transpose_view(t)`: a Mat tile read as its transpose by
    the matmul that takes it (values.TransposedView)."""
    cg.require_core(node, "pl.tile.transpose_view")
    v = a.tile.value
    if isinstance(v, TransposedView):
        return v.tile
    t = cg.as_tile(v, a.tile.node, "the viewed tile")
    src = _source_memory(t)
    if src not in (None, Mat):
        raise cg.error(a.tile.node, "pl.tile.transpose_view views a Mat "
                       "tile (the cube transposes it as it moves it to Left "
                       "/ Right)", found=t.describe(),
                       help="load it with target_memory=pl.MemorySpace.Mat, "
                            "or use pl.transpose for a Vec tile")
    return TransposedView(t, node)
