"""The compiler driver and the `tessel` command: stages, targets, caching,
source locations on every op, and the CLI's output and exit status."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import tessel.language as pl
from tessel import CompileError
from tessel.compiler import STAGES, stage_names
from tessel.mlir import ir

THIS_FILE = os.path.realpath(__file__)


@pl.jit.inline
def norm(t):
    return pl.row_expand_mul(t, pl.rsqrt(pl.row_sum(pl.mul(t, t))))


@pl.jit
def kernel(x: pl.Tensor[[16, 64], pl.FP32],
           y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    acc = pl.create_tensor([16, 64], dtype=pl.FP32)
    for b in pl.spmd(2, name_hint="k"):
        t0 = b * 8
        s = pl.full([8, 1], dtype=pl.FP32, value=0.0)
        for j in pl.pipeline(2):
            c0 = j * 32
            if j == 0:
                s = pl.add(s, pl.row_sum(x[t0:t0 + 8, c0:c0 + 32]))
        for j in pl.range(2):
            acc[t0:t0 + 8, j * 32:j * 32 + 32] = norm(x[t0:t0 + 8, j * 32:j * 32 + 32])
        y[t0:t0 + 8, :] = pl.row_expand_mul(acc[t0:t0 + 8, :], s)


def test_stage_table():
    assert stage_names()[0] == "tile"
    assert all(s.name and s.description for s in STAGES)
    assert len(set(stage_names())) == len(STAGES)


def test_every_op_has_the_authors_location():
    """Every op the frontend builds is located in this file, on a line of the
    kernel or of the inline helper it calls."""
    import inspect
    lines = set()
    for fn in (kernel.fn, norm.fn):
        src, start = inspect.getsourcelines(fn)
        lines |= set(range(start, start + len(src)))
    module = kernel.module().module
    seen = []
    names = {}

    def visit(op):
        loc = op.location
        if loc.is_a_name():
            # A tile assigned to a variable carries the author's name.
            names.setdefault(op.name, set()).add(loc.name_str)
            loc = loc.child_loc
        if op.name != "builtin.module":
            assert loc.is_a_file(), f"{op.name} at {loc}"
            assert os.path.realpath(loc.filename) == THIS_FILE
            assert loc.start_line in lines, f"{op.name} at {loc}"
            seen.append(op.name)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    for name in ("func.func", "tile.alloc_gm", "tile.spmd", "tile.at",
                 "tile.pipeline", "scf.for", "scf.if", "tile.load",
                 "tile.store", "tile.row_sum", "tile.rsqrt", "arith.muli",
                 "arith.cmpi", "tile.yield", "scf.yield"):
        assert name in seen, name
    assert names["tile.full"] == {"s"}


def test_store_location_is_the_assignment():
    text = kernel.ir(debug_info=True)
    src = open(THIS_FILE).read().splitlines()
    line = next(i for i, s in enumerate(src, 1)
                if s.strip().startswith("y[t0:t0 + 8, :] ="))
    assert f'"{THIS_FILE}":{line}:9' in text


def test_module_cache_per_target_and_stage():
    a = kernel.module()
    assert kernel.module() is a
    assert kernel.module(target="a5") is not a
    assert "#tile.target<a5>" in kernel.ir(target="a5")


def test_unknown_target_and_stage():
    with pytest.raises(CompileError, match="unknown target 'a9'"):
        kernel.ir(target="a9")
    with pytest.raises(CompileError, match="unknown stage 'asm'") as info:
        kernel.ir(stage="asm")
    assert "tile" in info.value.expected


def tessel_cmd(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "tessel", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_cli_compile_prints_tile_ir():
    r = tessel_cmd("compile", f"{THIS_FILE}::kernel", "--emit", "tile")
    assert r.returncode == 0, r.stderr
    assert 'tile.spmd 2 name("k")' in r.stdout
    assert "#tile.target<a2a3>" in r.stdout
    r = tessel_cmd("compile", f"{THIS_FILE}::kernel", "--target", "a5",
                   "--debug-info")
    assert r.returncode == 0, r.stderr
    assert "#tile.target<a5>" in r.stdout and "loc(" in r.stdout


def test_cli_compile_error_exits_1(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text(textwrap.dedent("""\
        import tessel.language as pl

        @pl.jit
        def bad(x: pl.Tensor[[8, 8], pl.FP32],
                y: pl.Out[pl.Tensor[[8, 8], pl.FP32]]):
            for b in pl.spmd(1):
                y[:, :] = pl.add(x[:, :], x[0:4, :])
        """))
    r = tessel_cmd("compile", "bad.py::bad", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.startswith("bad.py:7:35: error: shape mismatch in pl.add")
    assert "expected: [8, 8]" in r.stderr and "found:    [4, 8]" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_usage_errors(tmp_path):
    r = tessel_cmd("compile", f"{THIS_FILE}::nothing")
    assert r.returncode == 1 and "has no 'nothing'" in r.stderr
    assert "its kernels: exp_rows, kernel" in r.stderr
    r = tessel_cmd("compile", f"{THIS_FILE}::norm")
    assert r.returncode == 1 and "is not a @pl.jit kernel" in r.stderr
    r = tessel_cmd("compile", str(tmp_path / "missing.py") + "::k")
    assert r.returncode == 1 and "no such file" in r.stderr


def test_cli_stages():
    r = tessel_cmd("stages")
    assert r.returncode == 0
    assert r.stdout.split()[0] == "tile"
    for name in stage_names():
        assert name in r.stdout


@pl.jit
def exp_rows(x: pl.Tensor[[8, 32], pl.FP32],
             y: pl.Out[pl.Tensor[[8, 32], pl.FP32]]):
    for b in pl.spmd(2):
        y[b * 4:b * 4 + 4, :] = pl.exp(x[b * 4:b * 4 + 4, :])


def test_emit_llvm_stage():
    from tessel.compiler.driver import stage_unavailable_reason
    from tessel.compiler.stages import get_stage
    reason = stage_unavailable_reason(get_stage("llvm"))
    if reason is not None:
        pytest.skip(reason)
    text = exp_rows.ir(stage="llvm")
    assert "llvm.func @exp_rows" in text
    assert "tile." not in text
    r = tessel_cmd("compile", f"{THIS_FILE}::exp_rows", "--emit", "llvm")
    assert r.returncode == 0, r.stderr
    assert "llvm.func @exp_rows" in r.stdout


@pl.jit
def named_by_at(x: pl.Tensor[[4, 8], pl.FP32],
                y: pl.Out[pl.Tensor[[4, 8], pl.FP32]]):
    for b in pl.parallel(4):
        with pl.at(level=pl.Level.AIV, name_hint="rows"):
            y[b:b + 1, :] = pl.exp(x[b:b + 1, :])


def test_at_name_hint_names_the_enclosing_parallel_scope():
    """`pl.at(name_hint=...)` directly inside a pl.parallel body names the
    scope the loop makes, as pl.spmd(name_hint=...) does."""
    text = named_by_at.ir()
    assert 'tile.spmd 4 name("rows")' in text, text
