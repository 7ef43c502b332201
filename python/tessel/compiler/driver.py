"""The compiler driver: kernel -> verified tile module -> later stages.

`compile_kernel(fn, target, stage)` builds the tile IR of a `@pl.jit`
function, verifies it and runs the pass pipelines of the stages up to
`stage` (see `stages.STAGES`). MLIR diagnostics (verifier and pass
failures) are collected on the Context and become `tessel.CompileError`s
pointing at the author's line: the op's `FileLineColLoc`, which the
frontend put on every op.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import CompileError, file_location
from ..frontend.errors import Note, make_error
from . import stages as _stages

TARGETS = ("a2a3", "a5")
DEFAULT_TARGET = "a2a3"


@dataclass
class Compiled:
    """A kernel compiled to one stage for one target."""
    name: str
    target: str
    stage: str
    module: object              # tessel.mlir.ir.Module
    context: object             # its tessel.mlir.ir.Context (kept alive)
    #: (severity, message, (file, line, col) or None, [(note, where)])
    warnings: list = field(default_factory=list)
    #: the Python values the kernel read at compile time: key -> (re-read,
    #: fingerprint); the compiled module is stale when one changes
    reads: dict = field(default_factory=dict)
    #: what the kernel returns: None, (parameter name, shape) or a tuple
    returns: object = None

    def text(self, debug_info: bool = False) -> str:
        """The module's IR text (with `loc(...)` annotations if `debug_info`)."""
        return self.module.operation.get_asm(enable_debug_info=debug_info)

    def __str__(self) -> str:
        return self.text()

    @property
    def functions(self) -> dict:
        """{name: LoweredFunction} of the module (PyPTO's
        `Program.functions`; a Tessel kernel is one function, of type
        "Orchestration": its scopes, InCore calls included, are regions of
        it)."""
        out = {}
        for op in self.module.body.operations:
            if op.operation.name == "func.func":
                name = op.attributes["sym_name"].value
                out[name] = LoweredFunction(name, "Orchestration", op)
        return out


class LoweredFunction:
    """One function of a lowered program: its `name`, PyPTO's `func_type`
    ("Orchestration": a Tessel kernel function launches its scopes) and
    the `func.func` op itself (`op`)."""

    def __init__(self, name: str, func_type: str, op):
        self.name = name
        self.func_type = func_type
        self.op = op

    def __str__(self) -> str:
        return str(self.op)

    def __repr__(self) -> str:
        return f"<function {self.name}: {self.func_type}>"


def stale_reads(reads: dict) -> list:
    """The keys of `reads` (Compiled.reads) whose value changed since."""
    from ..frontend.fingerprint import fingerprint
    return [key for key, (reread, fp) in reads.items()
            if fingerprint(reread()) != fp]


def check_target(target: str) -> str:
    if target not in TARGETS:
        raise make_error(f"unknown target {target!r}",
                         expected=" or ".join(TARGETS), found=repr(target))
    return target


def check_stage(stage: str) -> _stages.Stage:
    try:
        return _stages.get_stage(stage)
    except KeyError:
        raise make_error(f"unknown stage {stage!r}",
                         expected=", ".join(_stages.stage_names()),
                         found=repr(stage)) from None


# ---------------------------------------------------------------------------
# MLIR diagnostics -> CompileError
# ---------------------------------------------------------------------------

def diagnostic_error(diag, what: str) -> CompileError:
    """The CompileError of one MLIR error diagnostic."""
    where = file_location(diag.location)
    notes = []
    for n in diag.notes:
        if n.message.startswith("see current operation"):
            continue
        nw = file_location(n.location)
        notes.append(Note(n.message, *(nw or (None, None, None))))
    kwargs = dict(help=f"reported by {what}", notes=notes)
    if where is None:
        return make_error(diag.message, **kwargs)
    return make_error(diag.message, where[0], where[1], where[2], **kwargs)


def mlir_error(err, what: str) -> CompileError:
    """The CompileError of an `ir.MLIRError` (its first error diagnostic)."""
    diags = list(getattr(err, "error_diagnostics", []) or [])
    if diags:
        return diagnostic_error(diags[0], what)
    return make_error(f"{what} failed: {err}")


# ---------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------

def new_context():
    """A Context whose non-error diagnostics are collected, not printed."""
    from ..mlir import ir
    ctx = ir.Context()
    collected: list = []

    def handler(diag):
        # The notes a pass attaches add information; the op itself
        # ("see current operation") does not.
        notes = [(n.message, file_location(n.location)) for n in diag.notes
                 if not n.message.startswith("see current operation")]
        collected.append((str(diag.severity), diag.message,
                          file_location(diag.location), notes))
        return True

    ctx.attach_diagnostic_handler(handler)
    return ctx, collected


_stage_ok: dict[str, str | None] = {}


def stage_unavailable_reason(stage: _stages.Stage) -> str | None:
    """Why `stage` cannot run in this build (its passes are not registered),
    or None when it can."""
    if not stage.pipeline:
        return None
    if stage.name not in _stage_ok:
        from ..mlir import ir
        from ..mlir.passmanager import PassManager
        try:
            with ir.Context():
                PassManager.parse(stage.pipeline.format(target=DEFAULT_TARGET))
            _stage_ok[stage.name] = None
        except ValueError as e:
            _stage_ok[stage.name] = str(e).splitlines()[0]
    return _stage_ok[stage.name]


def run_stages(module, target: str, stage: str):
    """Run the pipelines of the stages after `tile` up to `stage` on `module`."""
    from ..mlir import ir
    from ..mlir.passmanager import PassManager
    for st in _stages.stages_through(stage)[1:]:
        if not st.pipeline:
            continue
        reason = stage_unavailable_reason(st)
        if reason is not None:
            raise make_error(f"stage '{st.name}' is not available in this "
                             f"build", found=reason,
                             help="its passes are not registered yet")
        pm = PassManager.parse(st.pipeline.format(target=target),
                               context=module.context)
        try:
            pm.run(module.operation)
        except ir.MLIRError as e:
            raise mlir_error(e, f"stage '{st.name}' "
                             f"({st.pipeline.format(target=target)})") from None


def verify(module) -> None:
    """Verify `module`; a failure is a CompileError at the failing op's
    source line."""
    from ..mlir import ir
    try:
        module.operation.verify()
    except ir.MLIRError as e:
        raise mlir_error(e, "the tile dialect verifier") from None


CHECK_PIPELINE = "builtin.module(tile-check-races)"


def check_races(module) -> None:
    """Prove the blocks of every scope independent and every slice in bounds
    (tile-check-races, docs/races.md); a race or an out-of-bounds slice is a
    CompileError at the author's line with the witness."""
    from ..mlir import ir
    from ..mlir.passmanager import PassManager
    pm = PassManager.parse(CHECK_PIPELINE, context=module.context)
    try:
        pm.run(module.operation)
    except ir.MLIRError as e:
        raise mlir_error(e, "the race and bounds check "
                         "(tile-check-races)") from None


def compile_kernel(fn, target: str = DEFAULT_TARGET,
                   stage: str = "tile", block_order: str = "forward",
                   bind: dict | None = None) -> Compiled:
    """Compile the `@pl.jit` function `fn` to `stage` for `target`. A
    `block_order` other than "forward" ("reverse", "shuffle[:SEED]") permutes
    the blocks of every scope before scheduling (tile-permute-blocks), so
    blocks grouped into one task run in that order too (a dynamic race
    test, docs/races.md). `bind` ({name: (shape, DataType)}) specialises
    shapeless `pl.Tensor` parameters."""
    return finish(build(fn, target, bind), stage, block_order)


@dataclass
class Built:
    """The frontend's output, not yet verified (`build`)."""
    fn: object
    target: str
    module: object
    context: object
    collected: list
    info: dict


def build(fn, target: str = DEFAULT_TARGET, bind: dict | None = None) -> Built:
    """The tile IR the frontend builds for `fn` (shapeless parameters bound
    by `bind`), before verification and the race check (`finish` runs
    them): the kernel cache keys on its text."""
    from ..frontend import build_module
    check_target(target)
    ctx, collected = new_context()
    info: dict = {}
    module = build_module(fn, target, ctx, info, bind)
    # The frontend's remarks (task-graph hints it checked or ignored) first,
    # in the form of the passes' diagnostics.
    for message, file, line, col in info.get("remarks", ()):
        collected.append(("DiagnosticSeverity.REMARK", message,
                          (file, line, col), []))
    return Built(fn, target, module, ctx, collected, info)


def finish(built: Built, stage: str = "tile",
           block_order: str = "forward") -> Compiled:
    """Verifies and race-checks a `build`, then runs the stages to `stage`
    (consumes `built`: its module is transformed in place)."""
    check_stage(stage)
    fn, target, module, ctx = built.fn, built.target, built.module, \
        built.context
    collected, info = built.collected, built.info
    with ctx:
        verify(module)
        check_races(module)
        if block_order != "forward":
            from ..mlir.passmanager import PassManager
            from ..runtime.cpu import parse_block_order
            order, seed = parse_block_order(block_order)
            PassManager.parse(f"builtin.module(tile-permute-blocks{{order="
                              f"{order} seed={seed}}})").run(module.operation)
        run_stages(module, target, stage)
    return Compiled(fn.__name__, target, stage, module, ctx,
                    warnings=collected, reads=info["reads"],
                    returns=info["returns"])
