"""docs/language.md against the frontend's registry of `pl` names
(tessel.language.surface.registry) and op table (frontend/optable.py),
and the unsupported names: each is a CompileError at the author's line
naming it and saying what to use instead."""

import re
from pathlib import Path

import pytest

import tessel
import tessel.language as pl
from tessel.frontend import optable
from tessel.language import ops as pl_ops
from tessel.language.surface import (UNSUPPORTED, Unsupported, registry)

DOC = Path(__file__).resolve().parents[3] / "docs" / "language.md"
NAME = re.compile(r"`pl\.([A-Za-z_][\w.]*)`")


def _tables():
    """{"supported" | "unsupported": {name: row cells}} of the doc's tables
    (names from each row's first cell)."""
    out = {"supported": {}, "unsupported": {}}
    section = None
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            section = ("unsupported" if line.startswith("## Not supported")
                       else "supported" if line.startswith("## Supported")
                       else None)
        if section is None or not line.startswith("| `pl."):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        for name in NAME.findall(cells[0]):
            assert name not in out[section], f"pl.{name} listed twice"
            out[section][name] = cells
    return out


TABLES = _tables()
REGISTRY = registry()


def test_doc_lists_every_supported_name():
    supported = {q for q, e in REGISTRY.items() if e.supported}
    assert set(TABLES["supported"]) == supported


def test_doc_lists_every_unsupported_name():
    unsupported = {q for q, e in REGISTRY.items() if not e.supported}
    assert set(TABLES["unsupported"]) == unsupported


def test_no_name_is_both():
    assert not set(UNSUPPORTED) & set(pl_ops.ALL_BUILTINS)
    assert not set(TABLES["supported"]) & set(TABLES["unsupported"])


@pytest.mark.parametrize("d", optable.OPS, ids=lambda d: d.name)
def test_doc_dtypes_of_table_ops(d):
    cells = TABLES["supported"][d.name]
    assert cells[2] == ", ".join(t.name for t in d.dtypes), cells


def test_every_pypto_catalog_family_is_named():
    # A sample across PyPTO's catalog: each is either supported or an
    # Unsupported object, never a missing attribute.
    for name in ("log", "rem", "fmod", "sin", "cmp", "sel", "relu",
                 "row_min", "col_sum", "row_argmax", "transpose", "concat",
                 "batch_matmul", "gemv", "get_block_num", "create_tile",
                 "move", "MemorySpace", "tpush_to_aiv", "submit"):
        assert name in REGISTRY, name


@pytest.mark.parametrize("source, name, instead", [
    ("y[0:8, :] = pl.matmul_mx(x[0:8, :], x[0:8, :])", "pl.matmul_mx",
     "not supported yet"),
    ("y[0:8, :] = pl.func_attr(x[0:8, :])", "pl.func_attr",
     "not supported yet"),
    ("m = pl.matmul_mx_acc(x, x, x)", "pl.matmul_mx_acc",
     "not supported yet"),
    ("b = pl.random([8, 16], pl.FP32)", "pl.random", "torch"),
    ("y[0:8, :] = while_(x[0:8, :])", "pl.while_", "not supported"),
])
def test_unsupported_name_in_a_kernel(tmp_path, source, name, instead):
    path = tmp_path / "k.py"
    path.write_text(
        "import tessel.language as pl\n"
        "from tessel.language import while_\n\n"
        "@pl.jit\n"
        "def k(x: pl.Tensor[[8, 16], pl.FP32],\n"
        "      y: pl.Out[pl.Tensor[[8, 16], pl.FP32]]):\n"
        "    with pl.at(level=pl.Level.CORE_GROUP):\n"
        f"        {source}\n")
    ns = {}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    with pytest.raises(tessel.CompileError) as e:
        ns["k"].ir()
    assert e.value.line == 8
    assert f"{name} is not supported by Tessel" in str(e.value)
    assert instead in str(e.value)


def test_unsupported_name_outside_a_kernel():
    with pytest.raises(tessel.CompileError) as e:
        pl.matmul_mx(1, 2)
    assert e.value.filename == __file__
    assert "pl.matmul_mx is not supported" in str(e.value)
    assert isinstance(pl.matmul_mx_bias, Unsupported)


def test_unknown_jit_kind_is_a_compile_error():
    # PyPTO's `@pl.jit.extern` (and any other pl.jit.<kind> but inline,
    # incore, opaque and host) is a CompileError at the decorator's line,
    # not an AttributeError.
    with pytest.raises(tessel.CompileError) as e:
        @pl.jit.extern
        def f(a):
            pass
    assert e.value.filename == __file__
    assert "pl.jit.extern is not supported by Tessel" in str(e.value)
    assert "pl.jit.inline" in str(e.value)


def test_doc_lists_every_tensor_level_op():
    # The table of "Tensor-level operations on GM tensors": the builtins
    # with a tensor-level form (frontend/tensor_ops.py), each once.
    from tessel.frontend import tensor_ops
    listed, section = [], False
    for line in DOC.read_text().splitlines():
        if line.startswith("## "):
            section = line.startswith("## Tensor-level operations")
            continue
        if section and line.startswith("| ") and not line.startswith("|--"):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            if len(cells) == 3:
                listed += NAME.findall(cells[1])
    assert len(listed) == len(set(listed))
    assert set(listed) == set(tensor_ops.names())
