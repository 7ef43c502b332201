"""The NPU back end from Python: a kernel run with backend="pto" (emitted
PTO-ISA C++ built against the strict reference) gives the LLVM
simulation's bits; a dropped synchronisation is reported at the kernel's
source lines; the backend is chosen by keyword, decorator or environment;
the emitted source and its per-scope sync counts are inspectable."""

from __future__ import annotations

import shutil

import pytest
import torch

import tessel.language as pl
from tessel.errors import ArgumentError

pytestmark = pytest.mark.skipif(
    shutil.which("g++") is None and shutil.which("clang++") is None,
    reason="the PTO back end builds emitted kernels with a host C++ "
           "compiler; neither g++ nor clang++ is installed")


@pl.jit
def rms(x: pl.Tensor[[64, 512], pl.FP32],
        y: pl.Out[pl.Tensor[[64, 512], pl.FP32]]):
    for b in pl.spmd(4, name_hint="rms"):
        t0 = b * 16
        ss = pl.full([16, 1], dtype=pl.FP32, value=0.0)
        for c in pl.pipeline(4, stage=2):
            v = x[t0:t0 + 16, c * 128:c * 128 + 128]
            ss = pl.add(ss, pl.row_sum(pl.mul(v, v)))
        r = pl.rsqrt(pl.add(pl.div(ss, 512.0), 1e-6))
        y[t0:t0 + 16, :] = pl.row_expand_mul(x[t0:t0 + 16, :], r)


def inputs(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(64, 512, generator=g)


@pytest.mark.parametrize("target", ("a2a3", "a5"))
def test_pto_run_matches_the_simulation_bit_for_bit(target):
    x = inputs()
    y_pto = torch.full((64, 512), float("nan"))
    y_cpu = torch.full((64, 512), float("nan"))
    rms(x, y_pto, target=target, backend="pto")
    rms(x, y_cpu, target=target, backend="cpu")
    assert torch.equal(y_pto.view(torch.int32), y_cpu.view(torch.int32))
    want = x * torch.rsqrt((x * x).sum(1, keepdim=True) / 512 + 1e-6)
    torch.testing.assert_close(y_pto, want, rtol=1e-5, atol=1e-5)


def test_dropped_sync_is_a_hazard_at_the_kernel_lines():
    from tessel.runtime.pto import PtoViolation
    exe = rms.compile_pto("a2a3")
    emitted = rms.pto("a2a3")
    # The MTE2 -> V pair that orders the loads before the multiply.
    ids = [int(line.split("tile.sync = ")[1].split(" ")[0])
           for line in emitted.synced_ir.splitlines()
           if "tile.wait_flag mte2 -> v" in line]
    assert ids
    x, y = inputs(), torch.empty(64, 512)
    exe.drop_sync(ids[0])
    try:
        with pytest.raises(PtoViolation) as info:
            exe(x, y)
    finally:
        exe.drop_sync(-1)
    message = str(info.value)
    assert "hazard" in message.lower()
    assert "test_pto_backend.py" in message      # the kernel's own lines
    exe(x, y)                                     # clean again


def test_backend_choice(monkeypatch):
    assert rms.resolve_backend() == "cpu"
    monkeypatch.setenv("TESSEL_BACKEND", "pto")
    assert rms.resolve_backend() == "pto"
    assert rms.resolve_backend("cpu") == "cpu"
    with pytest.raises(ArgumentError, match="unknown backend 'npu'"):
        rms.resolve_backend("npu")


def test_emitted_source_and_sync_counts():
    from tessel.runtime.pto import sync_stats
    emitted = rms.pto("a2a3")
    assert "#include <pto/pto-inst.hpp>" in emitted.source
    assert "__global__ AICORE void rms_s0_rms(" in emitted.source
    assert "TROWSUM(" in emitted.source and "TLOAD(" in emitted.source
    (stats,) = sync_stats(emitted.synced_ir)
    assert stats["scope"] == "rms" and stats["pairs"] > 0
    assert 1 <= stats["event_ids"] <= 8


@pytest.mark.skipif(shutil.which("g++") is None, reason="the precompiled "
                    "reference header is built with GCC only; no g++")
def test_precompiled_reference_header_is_valid_for_kernel_builds(tmp_path,
                                                                 monkeypatch):
    """Kernels build with `-include` of the reference's headers precompiled
    once per flags; GCC silently parses the text instead when a PCH does
    not match the build, so -Winvalid-pch must stay quiet."""
    import subprocess
    from tessel.runtime import pto
    monkeypatch.setenv("TESSEL_PTO_CACHE", str(tmp_path))
    cxx = shutil.which("g++")
    flags = pto.cxx_flags()
    include = pto._precompiled_header(cxx, flags, pto._reference_digest())
    assert include and include[0] == "-include"
    assert (tmp_path / include[1]).with_suffix(".hpp.gch").exists()
    # Built once: a second call finds it.
    assert pto._precompiled_header(cxx, flags, pto._reference_digest()) == \
        include
    src = tmp_path / "k.cpp"
    src.write_text(rms.pto("a2a3").source)
    cmd = [cxx, *flags, "-Winvalid-pch", *include,
           f"-I{pto.REFERENCE / 'include'}", "-DTESSEL_PTO_ENTRY=rms_cpu",
           f"-DTESSEL_PTO_SOURCE=\"{src}\"",
           str(pto.REFERENCE / "harness" / "tessel_pto_main.cpp"),
           "-o", str(tmp_path / "k.so")]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True)
    assert out.returncode == 0, out.stdout
    assert "pch" not in out.stdout.lower(), out.stdout
