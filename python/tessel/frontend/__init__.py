"""The AST frontend: from a `@pl.jit` function's source to tile IR.

`build_module(fn, target, context)` parses the function (with `ast` and
`inspect`, like Triton's code generator; the function is never run) and
returns a `builtin.module` of `tile` dialect ops, each located at the
author's `file:line:col`. Errors are `tessel.CompileError`s pointing at the
offending source. See `codegen` for what each construct becomes and
`builtins` for the operations and their checks.

The MLIR bindings are imported on first use, so `import tessel.language`
stays cheap.
"""

from .errors import error_at, format_message, make_error  # noqa: F401


def build_module(fn, target, context, info=None, bind=None):
    """The tile-dialect module of the `@pl.jit` function `fn` (unverified);
    `info` (a dict) receives the globals it read and what it returns (see
    codegen.build_module); `bind` gives shapeless parameters their shape
    and dtype ({name: (shape, DataType)}, from the call's tensors)."""
    from .codegen import build_module as _build
    return _build(fn, target, context, info, bind)


def kernel_signature(fn):
    """[(name, TensorSpec, annotation node, direction)] of a kernel's
    parameters ("in", "out" or "inout"), read from its annotations."""
    from ..mlir import ir
    from .codegen import CodeGenerator
    return CodeGenerator(fn, "a2a3", ir.Context()).signature()
