"""The `tessel` command.

    tessel compile FILE.py::KERNEL [--emit STAGE] [--target a2a3|a5]
                                   [--debug-info] [-o OUT]
    tessel report FILE.py::KERNEL [--target a2a3|a5] [-o report.html]
    tessel stages

`report` writes the kernel's modelled NPU time (timeline over cores, pipes
and bounds, GM traffic against the compulsory bytes, on-chip memory maps)
as one self-contained HTML page plus its PNGs (docs/perf-model.md).
`compile` imports FILE.py, takes its `@pl.jit` kernel KERNEL and prints
the IR of STAGE (default `tile`, the IR the frontend builds; see
`tessel stages`). KERNEL may also be a `tessel.compile_graph` kernel (a
plain PyTorch function, docs/graph.md): its stages are `graph` (the
tensor-level IR), `tile` (the scopes tile-form-scopes formed),
`scheduled`, `placed` and `llvm`. A compile error prints its message
(file:line:col, the source line, expected/found) and exits with status 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import traceback
from pathlib import Path

from .errors import CompileError


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def load_kernel(spec: str):
    """The kernel named by ``FILE.py::KERNEL``."""
    from .compiler import JitKernel
    if "::" not in spec:
        raise ValueError(f"expected FILE.py::KERNEL, got {spec!r}")
    file_part, name = spec.rsplit("::", 1)
    path = Path(file_part)
    if not path.is_file():
        raise ValueError(f"no such file: {file_part}")
    path = path.resolve()
    sys.path.insert(0, str(path.parent))
    module_name = f"_tessel_cli_{path.stem}"
    mspec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(mspec)
    sys.modules[module_name] = module
    try:
        mspec.loader.exec_module(module)
    except CompileError:
        raise
    except Exception:
        raise ValueError(f"importing {file_part} failed:\n"
                         f"{traceback.format_exc(limit=-3)}") from None
    obj = module
    for part in name.split("."):
        if not hasattr(obj, part):
            kernels = sorted(k for k, v in vars(module).items()
                             if isinstance(v, JitKernel))
            raise ValueError(f"{file_part} has no '{name}'"
                             + (f"; its kernels: {', '.join(kernels)}"
                                if kernels else "; it defines no @pl.jit "
                                "kernel"))
        obj = getattr(obj, part)
    from .graph import GraphKernel
    if not isinstance(obj, (JitKernel, GraphKernel)):
        raise ValueError(f"'{name}' in {file_part} is not a @pl.jit kernel "
                         f"or a tessel.compile_graph kernel (it is "
                         f"{type(obj).__name__})")
    return obj


def cmd_compile_graph(kernel, args) -> int:
    """`tessel compile` of a graph kernel (tessel.compile_graph)."""
    from .graph import GRAPH_STAGES
    if args.emit not in GRAPH_STAGES:
        return _fail(f"error: a graph kernel emits one of "
                     f"{', '.join(GRAPH_STAGES)}, not '{args.emit}'")
    try:
        if args.target != kernel.target:
            kernel = kernel.retarget(args.target)
        module, _ = kernel.module(args.emit)
        text = module.operation.get_asm(enable_debug_info=args.debug_info)
    except CompileError as e:
        return _fail(str(e))
    if args.remarks:
        _print_remarks(kernel.diagnostics(args.emit))
    return _write(text, args.output)


def cmd_compile(args) -> int:
    try:
        kernel = load_kernel(args.kernel)
    except ValueError as e:
        return _fail(f"error: {e}")
    except CompileError as e:
        return _fail(str(e))
    from .graph import GraphKernel
    if isinstance(kernel, GraphKernel):
        return cmd_compile_graph(kernel, args)
    if args.emit == "graph":
        return _fail("error: --emit graph is the tensor-level IR of a "
                     "tessel.compile_graph kernel; a @pl.jit kernel starts "
                     "at 'tile'")
    if args.emit in PTO_STAGES:
        # The NPU back end: the synchronised IR or the Ascend C source.
        try:
            emitted = kernel.pto(target=args.target)
        except CompileError as e:
            return _fail(str(e))
        text = emitted.source if args.emit == "pto" else emitted.synced_ir
        return _write(text, args.output)
    try:
        compiled = kernel.module(target=args.target, stage=args.emit)
        text = compiled.text(debug_info=args.debug_info)
    except CompileError as e:
        return _fail(str(e))
    if args.remarks:
        _print_remarks(compiled.warnings)
    return _write(text, args.output)


def _print_remarks(diagnostics) -> None:
    """One line per decision on stderr, then the notes the pass attached."""
    for severity, message, where, notes in diagnostics:
        prefix = f"{where[0]}:{where[1]}:{where[2]}: " if where else ""
        kind = str(severity).rsplit(".", 1)[-1].lower()
        print(f"{prefix}{kind}: {message}", file=sys.stderr)
        for note, at in notes:
            at = f" ({at[0]}:{at[1]}:{at[2]})" if at and at != where else ""
            print(f"  note: {note}{at}", file=sys.stderr)


def _write(text: str, output) -> int:
    """The emitted text to `output` (a path) or stdout."""
    if output:
        Path(output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_report(args) -> int:
    try:
        kernel = load_kernel(args.kernel)
    except ValueError as e:
        return _fail(f"error: {e}")
    except CompileError as e:
        return _fail(str(e))
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return _fail("error: tessel report draws with matplotlib, which is "
                     "not installed (pip install -r requirements.txt)")
    from .report import write_report
    output = Path(args.output)
    try:
        report = write_report(kernel, output, target=args.target)
    except CompileError as e:
        return _fail(str(e))
    except OSError as e:
        return _fail(f"error: cannot write the report to {output}: {e}")
    m = report["model"]
    print(f"{output}: {len(m['scopes'])} scopes, modelled {m['modeled_us']:.2f} us, "
          f"HBM floor {m['hbm_floor_us']:.2f} us; PNGs in "
          f"{output.parent / (output.stem + '_files')}")
    return 0


#: The stages of the NPU back end (tile-pto-pipeline, then the emitter).
PTO_STAGES = {
    "synced": "the NPU path: scheduled with mixed scopes split through GM on "
              "every target, placed, copies explicit, the pipes synchronised "
              "(tile-pto-pipeline)",
    "pto": "the Ascend C kernel on PTO-ISA printed from 'synced' "
           "(tessel-translate --tile-to-pto)",
}


def cmd_stages(args) -> int:
    from .compiler.driver import stage_unavailable_reason
    from .compiler.stages import STAGES
    for st in STAGES:
        reason = stage_unavailable_reason(st)
        status = "" if reason is None else "  (not available in this build)"
        print(f"{st.name:<10} {st.description}{status}")
    for name, description in PTO_STAGES.items():
        print(f"{name:<10} {description}")
    print(f"{'graph':<10} a tessel.compile_graph kernel only: the "
          f"tensor-level IR (linalg, tensor, arith, math) before "
          f"tile-form-scopes; its 'tile' stage is the scopes formed "
          f"(docs/graph.md)")
    return 0


def main(argv=None) -> int:
    from .compiler.driver import DEFAULT_TARGET, TARGETS
    from .compiler.stages import stage_names
    parser = argparse.ArgumentParser(
        prog="tessel", description="Tessel: an MLIR compiler for Ascend NPU "
        "tile kernels.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("compile", help="compile a @pl.jit kernel (or a "
                       "tessel.compile_graph kernel) and print its IR")
    p.add_argument("kernel", metavar="FILE.py::KERNEL")
    p.add_argument("--emit", default="tile",
                   choices=["graph"] + stage_names() + list(PTO_STAGES),
                   help="the stage to print (default: tile)")
    p.add_argument("--target", default=DEFAULT_TARGET, choices=TARGETS,
                   help=f"the chip generation (default: {DEFAULT_TARGET})")
    p.add_argument("--debug-info", action="store_true",
                   help="print each op's source location")
    p.add_argument("--remarks", action="store_true",
                   help="print the passes' remarks (scheduling decisions) "
                        "to stderr")
    p.add_argument("-o", "--output", help="write the IR to this file")
    p.set_defaults(func=cmd_compile)
    r = sub.add_parser("report", help="the kernel's modelled NPU timeline, "
                       "pipes, GM traffic and on-chip memory maps as an HTML "
                       "page with PNGs (docs/perf-model.md)")
    r.add_argument("kernel", metavar="FILE.py::KERNEL")
    r.add_argument("--target", default=DEFAULT_TARGET, choices=TARGETS,
                   help=f"the chip generation (default: {DEFAULT_TARGET})")
    r.add_argument("-o", "--output", default="report.html",
                   help="the HTML file (default: report.html); its PNGs go "
                        "to <stem>_files/ beside it")
    r.set_defaults(func=cmd_report)
    s = sub.add_parser("stages", help="list the stages --emit accepts")
    s.set_defaults(func=cmd_stages)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
