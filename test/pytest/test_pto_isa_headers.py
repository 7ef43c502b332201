"""The emitted Ascend C source compiles against the real pto-isa headers.

CI builds and runs emitted kernels against the project's strict reference
(runtime/pto). pto-isa itself is not on a package registry, so this check
runs where `TESSEL_PTO_ISA` names a checkout of it (the directory holding
`include/pto/pto-inst.hpp`), e.g. `git clone
https://github.com/hw-native-sys/pto-isa` — it compiles the DSV4 kernels
for both targets in pto-isa's CPU-simulation mode (`-D__CPU_SIM`, C++20, as
pto-isa's own CPU demos build), syntax only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PTO_ISA = os.environ.get("TESSEL_PTO_ISA")
CXX = shutil.which("g++") or shutil.which("clang++")

pytestmark = [
    pytest.mark.skipif(not PTO_ISA, reason=(
        "set TESSEL_PTO_ISA to a pto-isa checkout to compile the emitted "
        "kernels against its headers (not on a package registry)")),
    pytest.mark.skipif(CXX is None, reason="no host C++ compiler"),
]


def compile_syntax(source: str, tmp_path: Path, name: str):
    path = tmp_path / f"{name}.cpp"
    path.write_text(source)
    return subprocess.run(
        [CXX, "-std=c++20", "-D__CPU_SIM", "-fsyntax-only",
         f"-I{Path(PTO_ISA) / 'include'}", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def headers_usable(tmp_path_factory):
    if not (Path(PTO_ISA) / "include" / "pto" / "pto-inst.hpp").exists():
        pytest.fail(f"TESSEL_PTO_ISA={PTO_ISA} holds no include/pto/"
                    f"pto-inst.hpp")
    result = compile_syntax("#include <cstdint>\n#include <pto/pto-inst.hpp>"
                            "\nint main() { return 0; }\n",
                            tmp_path_factory.mktemp("probe"), "probe")
    if result.returncode != 0:
        first = next((line for line in result.stdout.splitlines()
                      if "error" in line), result.stdout[:300])
        pytest.skip(f"pto-isa's headers alone do not compile with {CXX} "
                    f"(a newer compiler may be needed): {first}")


@pytest.mark.parametrize("kind", ("hand", "naive"))
@pytest.mark.parametrize("T", (1, 8))
@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_dsv4_source_compiles_against_pto_isa(kind, T, target, tmp_path,
                                              headers_usable):
    sys.path.insert(0, str(ROOT / "kernels" / "dsv4"))
    import reference
    import run
    kernel = run.build_kernel(kind, reference.PRESETS["flash"], T)
    result = compile_syntax(kernel.pto(target).source, tmp_path,
                            f"{kind}_T{T}_{target}")
    assert result.returncode == 0, result.stdout[-6000:]


def _new_op_kernels():
    """Small kernels using every instruction the emitter gained for issues
    14/15 (test_pto_new_ops.py): TEXTRACT / TINSERT (constant, runtime and
    in-place windows, the TMOV + TINSERT copy), TLOG, TREM / TREMS with
    their tmp, TCI, TROWEXPAND<OP> / TCOLEXPAND<OP> / TROWEXPAND /
    TCOLEXPAND in f32, f16 and i32; Tile::GetValue / SetValue, partial
    tiles (runtime valid shapes, TFILLPAD), TXOR / TXORS, TTRANS and the
    arg-reductions."""
    sys.path.insert(0, str(ROOT / "test" / "pytest"))
    import test_pto_new_ops as new_ops
    from frontend import test_scalars as scalars
    from frontend import test_validshape as validshape
    from frontend import test_masked_atomic as masked_atomic
    import test_pto_cmp_sel as cmp_sel
    import test_pto_sort as sort
    import test_pto_gaps as gaps
    import torch
    bf = new_ops.bf
    return {# TCMP / TCMPS (uint8_t mask views), TFILLPAD_INPLACE, TSEL
            # with its tmp, TEXPANDS + TSEL for sels.
            "cmp_sel": (cmp_sel.mixed_cmp_sel, ("a2a3", "a5")),
            # TSORT32 (uint32_t index views, shared and per row), the
            # single-list TMRGSORT, f32 and f16.
            "sort_f32": (sort.sort_f32, ("a2a3", "a5")),
            "sort_f16": (sort.sort_f16, ("a2a3", "a5")),
            # The multi-list TMRGSORT<..., false> with its count struct.
            "merge_lists": (sort.merge_lists, ("a2a3", "a5")),
            "windows": (new_ops.window_ops, ("a2a3", "a5")),
            # Tile::GetValue / SetValue with the S flags, std::floor.
            "scalars": (scalars.float_math, ("a2a3", "a5")),
            "scalar_ints": (scalars.int_math, ("a2a3",)),
            # Runtime valid shapes, TFILLPAD / TFILLPAD_INPLACE.
            "partial": (validshape.partial_ops, ("a2a3", "a5")),
            # TXOR / TXORS, TTRANS, the arg-reductions with their tmp.
            "catalog": (new_ops.catalog_scratch_ops, ("a2a3", "a5")),
            "half": (new_ops.half_ops, ("a5",)),
            "bcast_f32": (bf.f32_kernel, ("a2a3", "a5")),
            "bcast_f16": (bf.f16_kernel, ("a2a3", "a5")),
            "bcast_i32": (bf.int_kernel, ("a2a3", "a5")),
            # Tile objects of another element type on the same bytes, TMOV
            # of such a view (pl.reinterpret_view).
            "reinterpret": (gaps.reinterpret_ops, ("a2a3", "a5")),
            # TFILLPAD of int8_t (a2a3's own V -> S flag) and bfloat16_t.
            "fill_i8": (gaps.fill_i8_between_v_and_s, ("a2a3", "a5")),
            "fill_bf16": (gaps.FILLS[torch.bfloat16], ("a2a3", "a5")),
            # The index TGATHER with its zero-bordered source: TINSERT,
            # TMAXS / TMINS, TCI, TMULS, TROWEXPANDADD of i32, a2a3's tmp.
            "gather_f32": (gaps.GATHER_KERNELS[(torch.float32, 20, 16)],
                           ("a2a3", "a5")),
            "gather_f16": (gaps.GATHER_KERNELS[(torch.float16, 40, 16)],
                           ("a2a3", "a5")),
            # TSTORE<..., AtomicType::AtomicAdd> of valid-shape views.
            "masked_atomic": (masked_atomic.masked_adds, ("a2a3", "a5"))}


@pytest.mark.parametrize("name", ("windows", "half", "bcast_f32", "bcast_f16",
                                  "bcast_i32", "scalars", "scalar_ints",
                                  "partial", "catalog", "cmp_sel",
                                  "sort_f32", "sort_f16", "merge_lists",
                                  "reinterpret", "fill_i8", "fill_bf16",
                                  "gather_f32", "gather_f16",
                                  "masked_atomic"))
def test_new_instructions_compile_against_pto_isa(name, tmp_path,
                                                 headers_usable):
    kernel, targets = _new_op_kernels()[name]
    for target in targets:
        result = compile_syntax(kernel.pto(target).source, tmp_path,
                                f"{name}_{target}")
        assert result.returncode == 0, (target, result.stdout[-6000:])


@pytest.mark.parametrize("name", ("b_trans_f32", "a_trans_i8", "k_loop_f32"))
def test_split_matmul_compiles_against_pto_isa(name, tmp_path, headers_usable):
    """A matmul split along K (tile-split-matmul-k): TEXTRACT from Mat into
    Left / Right (a transposed window through its ZN view), TMATMUL,
    TMATMUL_ACC, on both targets."""
    sys.path.insert(0, str(ROOT / "test" / "pytest" / "frontend"))
    import test_matmul_ksplit as ksplit
    kernel = ksplit.NPU_KERNELS[name]
    for target in ("a2a3", "a5"):
        result = compile_syntax(kernel.pto(target).source, tmp_path,
                                f"ksplit_{name}_{target}")
        assert result.returncode == 0, (target, result.stdout[-6000:])


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_flash_attention_split_compiles_against_pto_isa(target, tmp_path,
                                                       headers_usable):
    """The flash-attention loop fissioned into cube / vector / cube /
    vector grids (test_flash_attention.py)."""
    sys.path.insert(0, str(ROOT / "test" / "pytest"))
    import test_flash_attention as fa
    result = compile_syntax(fa.flash.pto(target).source, tmp_path,
                            f"flash_{target}")
    assert result.returncode == 0, result.stdout[-6000:]
