"""Every kind of error the frontend reports: a tessel.CompileError whose
file and line are the author's, whose message shows file:line:col, the
source line with a caret and expected/found, and whose traceback does not
walk through the frontend."""

from __future__ import annotations

import os
import traceback

import pytest

import tessel
import tessel.language as pl
from tessel import CompileError
from pysource import tagged_line

THIS_FILE = os.path.realpath(__file__)
with open(THIS_FILE) as _f:
    SOURCE_LINES = _f.read().splitlines()


def line_of(tag: str) -> int:
    return tagged_line(THIS_FILE, tag)


def compile_error(kernel) -> CompileError:
    with pytest.raises(CompileError) as info:
        kernel.ir()
    return info.value


def check(err: CompileError, tag: str, brief: str, expected=None, found=None):
    line = line_of(tag)
    assert os.path.realpath(err.filename) == THIS_FILE
    assert err.line == line, str(err)
    assert brief in err.brief, str(err)
    message = str(err)
    first = message.splitlines()[0]
    assert first.endswith(f"error: {err.brief}")
    assert f"test_errors.py:{line}:{err.col}:" in first
    # The source line and a caret under column `col`.
    src = SOURCE_LINES[line - 1]
    lines = message.splitlines()
    i = lines.index("    " + src)
    assert lines[i + 1].index("^") == 4 + err.col - 1
    if expected is not None:
        assert err.expected is not None and expected in err.expected
        assert f"expected: {err.expected}" in message
    if found is not None:
        assert err.found is not None and found in err.found
        assert f"found:    {err.found}" in message


# ---------------------------------------------------------------------------
# Names and constructs
# ---------------------------------------------------------------------------

@pl.jit
def unknown_name(x: pl.Tensor[[16, 32], pl.FP32],
                 y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        y[:, :] = pl.exp(x_tile)  # ERR-unknown-name


def test_unknown_name():
    err = compile_error(unknown_name)
    check(err, "ERR-unknown-name", "unknown name 'x_tile'")
    assert err.col == SOURCE_LINES[err.line - 1].index("x_tile") + 1


@pl.jit
def unknown_pl_name(x: pl.Tensor[[16, 32], pl.FP32],
                    y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        y[:, :] = pl.softmax(x[:, :])  # ERR-unknown-pl


def test_unknown_pl_name():
    check(compile_error(unknown_pl_name), "ERR-unknown-pl",
          "pl.softmax is not supported by Tessel")


@pl.jit
def while_loop(x: pl.Tensor[[16, 32], pl.FP32],
               y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    while True:  # ERR-while
        pass


def test_unsupported_construct_while():
    check(compile_error(while_loop), "ERR-while",
          "'while' loops are not supported")


@pl.jit
def lambda_expr(x: pl.Tensor[[16, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        f = lambda t: t  # noqa: E731  # ERR-lambda


def test_unsupported_construct_lambda():
    check(compile_error(lambda_expr), "ERR-lambda",
          "lambda expressions are not supported")


@pl.jit
def used_before_assigned(x: pl.Tensor[[16, 32], pl.FP32],
                         y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        y[:, :] = t  # ERR-before-assign
        t = x[:, :]


def test_used_before_assigned():
    check(compile_error(used_before_assigned), "ERR-before-assign",
          "'t' is used before it is assigned")


# ---------------------------------------------------------------------------
# Shapes and dtypes
# ---------------------------------------------------------------------------

@pl.jit
def shape_mismatch_rows(x: pl.Tensor[[16, 32], pl.FP32],
                        y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        t = x[:, :]
        y[:, :] = pl.mul(t, pl.row_sum(t[0:8, :]))  # ERR-shape-rows


@pl.jit
def fmod_broadcast(x: pl.Tensor[[16, 32], pl.FP32],
                   y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        t = x[:, :]
        y[:, :] = pl.fmod(t, pl.row_sum(t))  # ERR-no-broadcast


def test_shape_mismatch():
    # [16, 32] with [16, 1] broadcasts (PyPTO's rule); with [8, 1] (the
    # row sums of 8 rows) it does not.
    err = compile_error(shape_mismatch_rows)
    check(err, "ERR-shape-rows", "shape mismatch in pl.mul",
          expected="[16, 32]", found="[8, 1]")
    # The caret is under the offending operand.
    assert err.col == SOURCE_LINES[err.line - 1].index("pl.row_sum") + 1
    # fmod does not broadcast (PyPTO broadcasts arithmetic only): the help
    # names the expand op of the same operation when there is one.
    err = compile_error(fmod_broadcast)
    check(err, "ERR-no-broadcast", "shape mismatch in pl.fmod",
          expected="[16, 32]", found="[16, 1]")


@pl.jit
def matmul_k_mismatch(a: pl.Tensor[[16, 64], pl.BF16],
                      w: pl.Tensor[[32, 32], pl.BF16],
                      c: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        c[:, :] = pl.matmul(a[:, :], w[:, :])  # ERR-matmul-k


def test_matmul_contraction_mismatch():
    check(compile_error(matmul_k_mismatch), "ERR-matmul-k",
          "contraction sizes differ", expected="64 rows", found="[32, 32]")


@pl.jit
def dtype_mismatch(x: pl.Tensor[[16, 32], pl.FP32],
                   h: pl.Tensor[[16, 32], pl.FP16],
                   y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = pl.add(x[:, :], h[:, :])  # ERR-dtype


def test_dtype_mismatch():
    check(compile_error(dtype_mismatch), "ERR-dtype",
          "dtype mismatch in pl.add", expected="FP32", found="FP16")


@pl.jit
def bf16_arithmetic(x: pl.Tensor[[16, 32], pl.BF16],
                    y: pl.Out[pl.Tensor[[16, 32], pl.BF16]]):
    for b in pl.spmd(1):
        y[:, :] = pl.exp(x[:, :])  # ERR-bf16


def test_bf16_arithmetic():
    err = compile_error(bf16_arithmetic)
    check(err, "ERR-bf16", "pl.exp does not compute in BF16",
          expected="FP16, FP32", found="BF16")
    assert "pl.cast" in str(err)


@pl.jit
def store_dtype(x: pl.Tensor[[16, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[16, 32], pl.BF16]]):
    for b in pl.spmd(1):
        y[:, :] = x[:, :]  # ERR-store-dtype


def test_store_dtype_mismatch():
    check(compile_error(store_dtype), "ERR-store-dtype",
          "dtype mismatch storing into 'y'", expected="BF16", found="FP32")


@pl.jit
def bad_cast_mode(x: pl.Tensor[[16, 32], pl.FP32],
                  y: pl.Out[pl.Tensor[[16, 32], pl.INT32]]):
    for b in pl.spmd(1):
        y[:, :] = pl.cast(x[:, :], target_type=pl.INT32, mode="none")  # ERR-cast


def test_illegal_cast_mode():
    check(compile_error(bad_cast_mode), "ERR-cast",
          "rounding mode 'none' is not legal for FP32 -> INT32",
          expected="'rint'", found="'none'")


@pl.jit
def carried_type_change(x: pl.Tensor[[16, 32], pl.FP32],
                        y: pl.Out[pl.Tensor[[16, 1], pl.FP32]]):
    for b in pl.spmd(1):
        acc = pl.full([16, 1], dtype=pl.FP32, value=0.0)
        for j in pl.pipeline(4):
            acc = pl.add(acc, 1.0)
            acc = x[:, :]  # ERR-carried
        y[:, :] = acc


def test_loop_carried_type_change():
    check(compile_error(carried_type_change), "ERR-carried",
          "loop-carried 'acc' changes type", expected="[16, 1]",
          found="[16, 32]")


# ---------------------------------------------------------------------------
# Slices
# ---------------------------------------------------------------------------

@pl.jit
def slice_out_of_bounds(x: pl.Tensor[[16, 32], pl.FP32],
                        y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, 0:16] = x[:, 24:40]  # ERR-oob


def test_slice_out_of_bounds_constant():
    check(compile_error(slice_out_of_bounds), "ERR-oob",
          "slice out of bounds in dimension 1", expected="within 0:32",
          found="24:40")


@pl.jit
def slice_out_of_bounds_dynamic(x: pl.Tensor[[16, 32], pl.FP32],
                                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(3):
        t0 = b * 8
        y[0:8, :] = x[t0:t0 + 8, :]  # ERR-oob-dyn


def test_slice_out_of_bounds_from_loop_range():
    # b in 0..2, so t0 = 8 * b reaches 16 and 16 + 8 > 16 rows: the exact
    # check (tile-check-races, docs/races.md) names the block that does.
    check(compile_error(slice_out_of_bounds_dynamic), "ERR-oob-dyn",
          "slice out of bounds in dimension 0 of 'x' (size 16): block 2 "
          "reads 16:24, expected within 0:16")


@pl.jit
def non_constant_slice(x: pl.Tensor[[16, 32], pl.FP32],
                       y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        y[0:8, :] = x[b:2 * b + 8, :]  # ERR-slice-size


def test_non_constant_slice_size():
    check(compile_error(non_constant_slice), "ERR-slice-size",
          "slice size is not a compile-time constant")


@pl.jit
def non_constant_shape(x: pl.Tensor[[16, 32], pl.FP32],
                       y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        n = b + 1
        y[:, :] = pl.full([n, 32], dtype=pl.FP32, value=0.0)  # ERR-shape-const


def test_non_constant_shape():
    check(compile_error(non_constant_shape), "ERR-shape-const",
          "shape must be compile-time integers", found="runtime index")


@pl.jit
def slice_tile(x: pl.Tensor[[16, 32], pl.FP32],
               y: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    for b in pl.spmd(1):
        t = x[:, :]
        y[:, :] = t[:, 20:36]  # ERR-slice-tile


def test_slicing_a_tile_out_of_bounds():
    # Tile subscripts are sub-tiles (test_subtiles.py); 20 + 16 > 32.
    check(compile_error(slice_tile), "ERR-slice-tile",
          "slice out of bounds in dimension 1 of tile [16, 32] FP32",
          expected="within 0:32", found="20:36")


# ---------------------------------------------------------------------------
# Stores, annotations, scopes
# ---------------------------------------------------------------------------

@pl.jit
def wrong_annotation(x: pl.Tensor[16, pl.FP32],  # ERR-annotation
                     y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    pass


def test_wrong_annotation_shape():
    check(compile_error(wrong_annotation), "ERR-annotation",
          "wrong annotation on parameter 'x'",
          found="pl.Tensor[16, pl.FP32]")


@pl.jit
def missing_annotation(x,  # ERR-no-annotation
                       y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    pass


def test_missing_annotation():
    check(compile_error(missing_annotation), "ERR-no-annotation",
          "parameter 'x' has no annotation", found="no annotation")


@pl.jit
def scalar_param(n: pl.Scalar[pl.UINT32],  # ERR-scalar
                 y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    pass


def test_scalar_parameter_of_an_unsupported_dtype():
    # pl.Scalar parameters of the tile dtypes run (test_scalars.py).
    check(compile_error(scalar_param), "ERR-scalar",
          "scalar parameter 'n' must be pl.Scalar[DTYPE] with DTYPE one of "
          "BF16, FP16, FP32, INT8, INT32, INT64, INDEX")


@pl.jit
def unsupported_dtype(x: pl.Tensor[[16], pl.UINT16],  # ERR-uint16
                      y: pl.Out[pl.Tensor[[16], pl.INT32]]):
    pass


def test_unsupported_dtype():
    check(compile_error(unsupported_dtype), "ERR-uint16",
          "dtype pl.UINT16 is not supported", found="pl.UINT16")


@pl.jit
def tile_annotation_mismatch(x: pl.Tensor[[16, 32], pl.FP32],
                             y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        t: pl.Tile[[16, 16], pl.FP32] = x[:, :]  # ERR-tile-ann
        y[:, :] = t


def test_variable_annotation_mismatch():
    check(compile_error(tile_annotation_mismatch), "ERR-tile-ann",
          "annotation of 't' does not match its value",
          expected="[16, 16]", found="[16, 32]")


@pl.jit
def tile_op_outside_scope(x: pl.Tensor[[16, 32], pl.FP32],
                          y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    t = pl.full([16, 32], dtype=pl.FP32, value=0.0)  # ERR-no-scope


def test_tile_op_outside_core_scope():
    check(compile_error(tile_op_outside_scope), "ERR-no-scope",
          "pl.full needs a core scope, but it is at function level")


@pl.jit
def cube_op_in_vector_scope(a: pl.Tensor[[16, 32], pl.BF16],
                            w: pl.Tensor[[32, 16], pl.BF16],
                            c: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    for b in pl.spmd(1):
        with pl.at(level=pl.Level.AIV):
            c[:, :] = pl.matmul(a[:, :], w[:, :])  # ERR-cube-in-vector


def test_cube_op_in_vector_scope():
    err = compile_error(cube_op_in_vector_scope)
    check(err, "ERR-cube-in-vector",
          "pl.matmul runs on the cube unit and cannot be used in a vector "
          "scope", found="pl.Level.AIV")
    assert "note: the core scope is here" in str(err)


@pl.jit
def nested_spmd(x: pl.Tensor[[16, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        for c in pl.spmd(2):  # ERR-nested
            y[:, :] = x[:, :]


def test_nested_spmd():
    err = compile_error(nested_spmd)
    check(err, "ERR-nested", "pl.spmd cannot be nested inside a "
          "pl.spmd/pl.parallel body")
    assert "note: the enclosing scope is here" in str(err)


@pl.jit
def tile_escapes_scope(x: pl.Tensor[[16, 32], pl.FP32],
                       y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        t = x[:, :]
    for b in pl.spmd(2):
        y[:, :] = t  # ERR-escape


def test_value_used_outside_its_scope():
    check(compile_error(tile_escapes_scope), "ERR-escape",
          "'t' is not available here: it was assigned inside the pl.spmd "
          "loop at line")


@pl.jit
def one_branch(x: pl.Tensor[[16, 32], pl.FP32],
               y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        if b == 0:
            t = x[:, :]  # ERR-one-branch
        y[:, :] = t


def test_assigned_in_one_branch_only():
    check(compile_error(one_branch), "ERR-one-branch",
          "'t' is assigned in only one branch of this if and used after it")


@pl.jit
def spmd_count_not_constant(x: pl.Tensor[[16, 32], pl.FP32],
                            y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2):
        with pl.at(level=pl.Level.CHIP):  # ERR-level
            y[:, :] = x[:, :]


def test_level_not_a_core_level():
    check(compile_error(spmd_count_not_constant), "ERR-level",
          "pl.Level.CHIP is not a core level",
          expected="pl.Level.CORE_GROUP")


@pl.jit
def bad_keyword(x: pl.Tensor[[16, 32], pl.FP32],
                y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(2, blocks_per_core=2):  # ERR-keyword
        y[:, :] = x[:, :]


def test_wrong_keyword_argument():
    check(compile_error(bad_keyword), "ERR-keyword",
          "wrong arguments to pl.spmd()",
          expected="pl.spmd(n=None, name_hint=None, "
                   "assume_independent=False, *, deps=None, "
                   "allow_early_resolve=False, optimizations=None, "
                   "core_num=None, sync_start=False)")


# ---------------------------------------------------------------------------
# Inline helpers: the error is in the helper, with a note at the call
# ---------------------------------------------------------------------------

@pl.jit.inline
def bad_helper(t):
    return pl.add(t, pl.row_sum(t[0:8, :]))  # ERR-in-helper


@pl.jit
def calls_bad_helper(x: pl.Tensor[[16, 32], pl.FP32],
                     y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = bad_helper(x[:, :])  # ERR-helper-call


def test_error_inside_inline_helper():
    err = compile_error(calls_bad_helper)
    check(err, "ERR-in-helper", "shape mismatch in pl.add")
    call_line = line_of("ERR-helper-call")
    assert (f"test_errors.py:{call_line}:" in str(err) and
            "note: in the inline helper 'bad_helper' called here" in str(err))


@pl.jit.inline
def typed_helper(t: pl.Tensor[[16, 32], pl.FP32]):
    return t


@pl.jit
def helper_argument_mismatch(x: pl.Tensor[[16, 16], pl.FP32],
                             y: pl.Out[pl.Tensor[[16, 16], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = typed_helper(x)[:, :]  # ERR-helper-arg


def test_inline_helper_argument_annotation():
    check(compile_error(helper_argument_mismatch), "ERR-helper-arg",
          "argument 't' of 'typed_helper' does not match its annotation",
          expected="[16, 32]", found="[16, 16]")


# ---------------------------------------------------------------------------
# MLIR diagnostics become the same exception at the author's line
# ---------------------------------------------------------------------------

@pl.jit
def verified_kernel(x: pl.Tensor[[16, 32], pl.FP32],
                    y: pl.Out[pl.Tensor[[16, 32], pl.FP32]]):
    for b in pl.spmd(1):
        y[:, :] = pl.exp(x[:, :])  # ERR-mlir


def test_mlir_verifier_error_points_at_author_line():
    """A verifier failure on an op located at the author's line becomes a
    CompileError there (here an op that is illegal outside tile.at, placed
    at function level on purpose)."""
    from tessel.compiler import driver
    from tessel.mlir import ir
    from tessel.mlir.dialects import tile
    compiled = driver.compile_kernel(verified_kernel.fn)
    line = line_of("ERR-mlir")
    module = compiled.module
    with compiled.context, ir.Location.unknown():
        func = module.body.operations[0]
        entry = func.regions[0].blocks[0]
        loc = ir.Location.file(THIS_FILE, line, 19)
        f32 = ir.F32Type.get()
        tile.FullOp(tile.TileType.get([16, 32], f32),
                    ir.FloatAttr.get(f32, 0.0), loc=loc,
                    ip=ir.InsertionPoint.at_block_begin(entry))
    with pytest.raises(CompileError) as info:
        driver.verify(module)
    err = info.value
    assert os.path.realpath(err.filename) == THIS_FILE
    assert (err.line, err.col) == (line, 19)
    assert "must be nested in a tile.at core scope" in err.brief
    assert SOURCE_LINES[line - 1] in str(err)


# ---------------------------------------------------------------------------
# The traceback
# ---------------------------------------------------------------------------

def test_no_frontend_traceback():
    with pytest.raises(CompileError) as info:
        shape_mismatch_rows.ir()
    err = info.value
    frames = [f.filename for f in traceback.extract_tb(err.__traceback__)]
    internal = os.path.join("tessel", "frontend") + os.sep
    assert not any(internal in f for f in frames), frames
    assert err.__suppress_context__ or err.__context__ is None
    assert err.__cause__ is None


def test_compile_error_is_exported():
    assert tessel.CompileError is CompileError


@pl.jit
def named_twice(x: pl.Tensor[[4, 8], pl.FP32],
                y: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    for b in pl.spmd(4, name_hint="rows"):
        with pl.at(level=pl.Level.AIV, name_hint="cols"):  # named-twice
            y[b:b + 1, :] = pl.exp(x[b:b + 1, :])


def test_scope_named_twice():
    check(compile_error(named_twice), "named-twice",
          "pl.at(name_hint='cols') inside a scope already named 'rows'")
