"""Issue 17's findings on the Python side: reads of outputs and scratch
tensors before anything writes them, the compile cache against changed
globals, outputs that require grad, and what `return y` gives the caller."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import torch

import tessel.language as pl
from tessel import CompileError
from tessel.errors import ArgumentError

SCALE = 2.0


@pl.jit
def scaled(x: pl.Tensor[[16, 64], pl.FP32],
           y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.spmd(2, name_hint="scaled"):
        r = b * 8
        y[r:r + 8, :] = pl.mul(x[r:r + 8, :], SCALE)


def test_changed_global_recompiles():
    """The kernel read SCALE at compile time: changing it gives a new
    compile and the new result, not the cached kernel's."""
    global SCALE
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64)
    old = SCALE
    try:
        scaled(x, y)
        torch.testing.assert_close(y, x * 2.0)
        SCALE = 3.0
        scaled(x, y)
        torch.testing.assert_close(y, x * 3.0)
        assert "3.0" in scaled.ir() or "3.000000e+00" in scaled.ir()
    finally:
        SCALE = old
    scaled(x, y)
    torch.testing.assert_close(y, x * 2.0)


def test_unchanged_globals_keep_the_cache():
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64)
    scaled(x, y)
    first = scaled.compile(x, y)
    scaled(x, y)
    assert scaled.compile(x, y) is first


ROWS = 16


@pl.jit
def sized(x: pl.Tensor[[ROWS, 64], pl.FP32],
          y: pl.Out[pl.Tensor[[ROWS, 64], pl.FP32]]):
    for b in pl.spmd(ROWS // 8, name_hint="sized"):
        r = b * 8
        y[r:r + 8, :] = pl.exp(x[r:r + 8, :])


def test_changed_global_shape_changes_the_signature():
    global ROWS
    sized(torch.zeros(16, 64), torch.zeros(16, 64))
    try:
        ROWS = 32
        y = torch.zeros(32, 64)
        sized(torch.zeros(32, 64), y)
        torch.testing.assert_close(y, torch.ones(32, 64))
        with pytest.raises(ArgumentError, match="expected \\[32, 64\\]"):
            sized(torch.zeros(16, 64), torch.zeros(16, 64))
    finally:
        ROWS = 16


def test_output_that_requires_grad_is_refused():
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64, requires_grad=True)
    with pytest.raises(ArgumentError, match="output 'y' is a leaf tensor "
                       "that requires grad"):
        scaled(x, y)
    assert torch.count_nonzero(y.detach()) == 0, "nothing ran"
    # As for torch's in-place ops: fine under no_grad, or detached.
    with torch.no_grad():
        scaled(x, y)
    torch.testing.assert_close(y.detach(), x * SCALE)
    # An input that requires grad is only read.
    scaled(x.clone().requires_grad_(True), torch.zeros(16, 64))


@pl.jit
def returns_y(x: pl.Tensor[[16, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.spmd(2, name_hint="ret"):
        r = b * 8
        y[r:r + 8, :] = pl.exp(x[r:r + 8, :])
    return y


@pl.jit
def returns_nothing(x: pl.Tensor[[16, 64], pl.FP32],
                    y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
    for b in pl.spmd(2, name_hint="noret"):
        r = b * 8
        y[r:r + 8, :] = pl.exp(x[r:r + 8, :])


def test_return_gives_the_output():
    x = torch.randn(16, 64)
    y = torch.zeros(16, 64)
    out = returns_y(x, y)
    assert out is y
    torch.testing.assert_close(out, torch.exp(x))
    assert returns_nothing(x, torch.zeros(16, 64)) is None


def compile_source(tmp_path, source: str, name: str = "k"):
    """Compiles the kernel `name` of `source` (written to a file so that
    errors can show the line) to the tile IR."""
    path = tmp_path / "kernel_src.py"
    path.write_text(textwrap.dedent(source))
    spec = {"__name__": "kernel_src", "__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), spec)
    return spec[name].ir()


def test_out_read_before_write_is_an_error(tmp_path):
    with pytest.raises(CompileError) as err:
        compile_source(tmp_path, """
            import tessel.language as pl

            @pl.jit
            def k(x: pl.Tensor[[16, 64], pl.FP32],
                  y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
                for b in pl.spmd(1, name_hint="rbw"):
                    t = y[0:16, 0:64]
                    y[0:16, 0:64] = pl.add(t, x[0:16, 0:64])
            """)
    text = str(err.value)
    assert "output 'y' is read before anything writes it" in text
    assert "kernel_src.py:8:" in text       # the load's line
    assert "pl.InOut" in text


def test_inout_read_before_write_is_fine(tmp_path):
    compile_source(tmp_path, """
        import tessel.language as pl

        @pl.jit
        def k(x: pl.Tensor[[16, 64], pl.FP32],
              y: pl.InOut[pl.Tensor[[16, 64], pl.FP32]]):
            for b in pl.spmd(1, name_hint="rbw"):
                t = y[0:16, 0:64]
                y[0:16, 0:64] = pl.add(t, x[0:16, 0:64])
        """)


def test_out_read_after_write_is_fine(tmp_path):
    compile_source(tmp_path, """
        import tessel.language as pl

        @pl.jit
        def k(x: pl.Tensor[[16, 64], pl.FP32],
              y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
            for b in pl.spmd(1, name_hint="raw"):
                y[0:16, 0:64] = x[0:16, 0:64]
            for b in pl.spmd(1, name_hint="raw2"):
                y[0:16, 0:64] = pl.exp(y[0:16, 0:64])
        """)


def test_scratch_read_before_write_is_an_error(tmp_path):
    with pytest.raises(CompileError) as err:
        compile_source(tmp_path, """
            import tessel.language as pl

            @pl.jit
            def k(x: pl.Tensor[[16, 64], pl.FP32],
                  y: pl.Out[pl.Tensor[[16, 64], pl.FP32]]):
                s = pl.create_tensor([16, 64], dtype=pl.FP32)
                for b in pl.spmd(1, name_hint="scratch"):
                    y[0:16, 0:64] = pl.add(s[0:16, 0:64], x[0:16, 0:64])
            """)
    text = str(err.value)
    assert "'s' is read before anything writes it" in text
    assert "kernel_src.py:9:" in text


def test_cli_remarks_are_one_line_each():
    """`tessel compile --remarks`: one line per decision, never the op."""
    kernel = os.path.join(os.path.dirname(__file__), "kernels",
                          "rmsnorm_quant.py")
    proc = subprocess.run(
        [sys.executable, "-m", "tessel", "compile",
         f"{kernel}::rmsnorm_quant", "--emit", "scheduled", "--remarks"],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines and all(": remark: " in ln or ln.startswith("  note: ")
                         for ln in lines), proc.stderr
    assert "see current operation" not in proc.stderr
