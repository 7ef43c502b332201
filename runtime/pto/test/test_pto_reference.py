"""The CPU reference of pto-isa (runtime/pto): unit tests, static checks and
an emitted-style kernel run through the harness.

* The C++ unit tests (test_numerics.cpp, test_checks.cpp) are compiled with
  g++ -Wall -Wextra -Werror for each target and must pass.
* Snippets that pto-isa rejects at compile time must fail to compile here,
  with the reference's static_assert message.
* A small kernel written like the emitter's output (the contract in
  docs/pto.md) is built with runtime/pto/harness/tessel_pto_main.cpp
  as a shared library, run through ctypes on numpy buffers and compared bit
  for bit with a numpy model of Tessel's numerics; the same kernel without
  one wait_flag must fail with a hazard that names the TESSEL_LOC line.

Every test is skipped when g++ is not installed.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
PTO = HERE.parent
INCLUDE = PTO / "include"
HARNESS = PTO / "harness" / "tessel_pto_main.cpp"
GXX = shutil.which("g++")

pytestmark = pytest.mark.skipif(
    GXX is None, reason="g++ is not installed: the pto reference tests "
    "compile C++")

TARGETS = {"a2a3": [], "a5": ["-DPTO_REF_TARGET_A5"]}
WARNINGS = ["-Wall", "-Wextra", "-Werror"]


def compile_cxx(args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([GXX, "-std=c++17", f"-I{INCLUDE}", *args],
                          cwd=cwd, capture_output=True, text=True,
                          timeout=900)


# -- C++ unit tests ------------------------------------------------------------

UNIT = [
    pytest.param("test_numerics", "a2a3", "-O2", id="numerics-a2a3"),
    pytest.param("test_checks", "a2a3", "-O2", id="checks-a2a3"),
    pytest.param("test_numerics", "a5", "-O0", id="numerics-a5",
                 marks=pytest.mark.slow),
    pytest.param("test_checks", "a5", "-O0", id="checks-a5",
                 marks=pytest.mark.slow),
]


@pytest.mark.parametrize("name,target,opt", UNIT)
def test_unit_tests(name, target, opt, tmp_path):
    exe = tmp_path / name
    build = compile_cxx([opt, *WARNINGS, *TARGETS[target],
                         str(HERE / f"{name}.cpp"), "-o", str(exe)], tmp_path)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(exe)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f" 0 failures [{target}]" in run.stdout, run.stdout


# -- compile-time checks -------------------------------------------------------

PRELUDE = """
#include <pto/pto-inst.hpp>
using namespace pto;
template <typename T, int R, int C> using V = Tile<TileType::Vec, T, R, C>;
void f() {
"""

STATIC = [
    # (target, body, expected diagnostic)
    ("a2a3", "V<half, 8, 32> d; V<float, 8, 32> s; "
     "TCVT(d, s, RoundMode::CAST_RINT, SaturationMode::OFF); "
     "V<int8_t, 8, 32> q; TCVT(q, s, RoundMode::CAST_RINT, SaturationMode::ON);",
     "TCVT: not a conversion of Tessel's cast table"),
    ("a5", "V<half, 8, 32> d; V<int32_t, 8, 32> s; "
     "TCVT(d, s, RoundMode::CAST_RINT, SaturationMode::OFF);",
     "TCVT: pto-isa has no such conversion on this target"),
    ("a2a3", "V<int32_t, 8, 32> a; TDIV(a, a, a);",
     "TDIV: element type not supported on this target"),
    ("a2a3", "V<int32_t, 8, 32> a; TABS(a, a);",
     "TABS: element type not supported on this target"),
    ("a2a3", "V<bfloat16_t, 8, 32> a; TADD(a, a, a);",
     "TADD: element type not supported on this target"),
    ("a2a3", "V<float, 8, 12> a; (void)a;",
     "a row-major unboxed tile needs Cols * sizeof(T) to be a multiple of 32"),
    ("a2a3", "Tile<TileType::Vec, float, 4, 1, BLayout::ColMajor> a; (void)a;",
     "a column-major one Rows * sizeof(T)"),
    ("a2a3", "Tile<TileType::Mat, half, 8, 16, BLayout::ColMajor, 8, 16, "
     "SLayout::RowMajor> a; (void)a;",
     "a boxed tile needs Rows and Cols to be multiples"),
    ("a2a3", "TileAcc<float, 16, 16> c; TileLeft<int8_t, 16, 32> l; "
     "TileRight<int8_t, 32, 16> r; TMATMUL(c, l, r);",
     "TMATMUL: supported (C, A, B) types"),
    ("a2a3", "TileAcc<float, 16, 16> c; TileLeft<half, 16, 32> l; "
     "TileRight<half, 64, 16> r; TMATMUL(c, l, r);",
     "TMATMUL: static shapes must satisfy"),
    ("a2a3", "V<float, 8, 32> a; V<float, 8, 16> b; "
     "GlobalTensor<half, Shape<1,1,1,8,32>, Stride<1,1,1,32,1>> g(nullptr); "
     "TLOAD(a, g); (void)b;",
     "TLOAD: the tile and GM element sizes must match"),
    ("a2a3", "Tile<TileType::Vec, float, 8, 1, BLayout::ColMajor> a; "
     "GlobalTensor<float, Shape<1,1,1,8,1>, Stride<1,1,1,1,1>> g(nullptr); "
     "TLOAD(a, g);",
     "TLOAD: a Vec tile loads ND -> row-major or DN -> column-major"),
    ("a2a3", "V<float, 8, 64> a; V<float, 8, 16> b; "
     "TGATHER<V<float, 8, 16>, V<float, 8, 64>, MaskPattern::P0001>(b, a);",
     "TGATHER: the reference models the P0101 and P1010 patterns"),
    # Element-wise ops take row-major tiles (pto-isa static_asserts this):
    # a per-row Rx1 column vector needs a 1xR row-major view.
    ("a2a3", "Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor> a; "
     "TADD(a, a, a);", "the operands must be row-major Vec tiles"),
    # event_t is an enum, as on the NPU: a bare int does not convert.
    ("a2a3", "set_flag(PIPE_V, PIPE_MTE3, 0);", "event_t"),
]


@pytest.mark.parametrize("target,body,expected", STATIC,
                         ids=[f"static{i}" for i in range(len(STATIC))])
def test_static_checks(target, body, expected, tmp_path):
    src = tmp_path / "snippet.cpp"
    src.write_text(PRELUDE + body + "\n}\n")
    result = compile_cxx(["-fsyntax-only", *TARGETS[target], str(src)],
                         tmp_path)
    assert result.returncode != 0, "compiled but should not have:\n" + body
    assert expected in result.stderr, result.stderr[-3000:]


# -- an emitted-style kernel through the harness -------------------------------

# rows x (valid) cols of the example kernel.
ROWS, COLS, PAD, BLOCKS = 16, 100, 128, 4

KERNEL = """\
#include <pto/pto-inst.hpp>
using namespace pto;
#ifndef TESSEL_LOC
#define TESSEL_LOC(file, line, col)
#endif

// y[b] = f16(x[b] * rsqrt(mean(x[b]^2) + 2^-20) * w), 16-row blocks.
__global__ AICORE void tiny_s0_norm(__gm__ uint8_t* a0, __gm__ uint8_t* a1,
                                    __gm__ uint8_t* a2) {
  __gm__ float* x = reinterpret_cast<__gm__ float*>(a0);
  __gm__ float* w = reinterpret_cast<__gm__ float*>(a1);
  __gm__ half* y = reinterpret_cast<__gm__ half*>(a2);
  using T0 = Tile<TileType::Vec, float, 16, 128, BLayout::RowMajor, 16, 100>;
  using T1 = Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 16, 1>;
  using T2 = Tile<TileType::Vec, float, 1, 128, BLayout::RowMajor, 1, 100>;
  using T3 = Tile<TileType::Vec, half, 16, 128, BLayout::RowMajor, 16, 100>;
  using T4 = Tile<TileType::Vec, float, 1, 16, BLayout::RowMajor, 1, 16>;
  T0 t0; TASSIGN(t0, 0x0);
  T0 t1; TASSIGN(t1, 0x2000);
  T0 t2; TASSIGN(t2, 0x4000);
  T1 t3; TASSIGN(t3, 0x6000);
  T2 t4; TASSIGN(t4, 0x6100);
  T3 t5; TASSIGN(t5, 0x6400);
  T4 t6; TASSIGN(t6, 0x6000);  // a row-major view of t3
  TESSEL_LOC("kernel.py", 5, 3);
  GlobalTensor<float, Shape<1, 1, 1, 1, 100>, Stride<1, 1, 1, 100, 1>> gw(w);
  TLOAD(t4, gw);
  for (int64_t b = get_block_idx(); b < 4; b += get_block_num()) {
    TESSEL_LOC("kernel.py", 7, 5);
    GlobalTensor<float, Shape<1, 1, 1, 16, 100>, Stride<1, 1, 1, 100, 1>> g0(x + (b * 16) * 100 + 0);
    TLOAD(t0, g0);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TESSEL_LOC("kernel.py", 8, 9);
    TMUL(t1, t0, t0);
    pipe_barrier(PIPE_V);
    TESSEL_LOC("kernel.py", 9, 9);
    TROWSUM(t3, t1, t2);
    pipe_barrier(PIPE_V);
    TESSEL_LOC("kernel.py", 10, 9);
    TMULS(t6, t6, static_cast<float>(0x1.47ae14p-7));
    pipe_barrier(PIPE_V);
    TADDS(t6, t6, static_cast<float>(0x1p-20));
    pipe_barrier(PIPE_V);
    TRSQRT(t6, t6);
    pipe_barrier(PIPE_V);
    TESSEL_LOC("kernel.py", 11, 9);
    TROWEXPANDMUL(t1, t0, t3);
    pipe_barrier(PIPE_V);
    TCOLEXPANDMUL(t1, t1, t4);
    pipe_barrier(PIPE_V);
    TCVT(t5, t1, RoundMode::CAST_RINT, SaturationMode::OFF);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    TESSEL_LOC("kernel.py", 12, 5);
    GlobalTensor<half, Shape<1, 1, 1, 16, 100>, Stride<1, 1, 1, 100, 1>> g1(y + (b * 16) * 100 + 0);
    TSTORE(g1, t5);
    pipe_barrier(PIPE_ALL);
  }
}
#if defined(__CPU_SIM) || defined(TESSEL_PTO_REFERENCE)
extern "C" void tiny_cpu(uint8_t** args) { tiny_s0_norm(args[0], args[1], args[2]); }
#else
extern "C" void tiny_launch(void* stream, uint8_t** args) {
  tiny_s0_norm<<<4, nullptr, stream>>>(args[0], args[1], args[2]);
}
#endif
"""

MISSING_WAIT = "    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);\n"


def build_kernel(source: str, tmp_path: Path, target: str = "a2a3",
                 separate: bool = False) -> ctypes.CDLL:
    """Builds `source` with the harness as a shared library and loads it."""
    kernel = tmp_path / "kernel.cpp"
    kernel.write_text(source)
    lib = tmp_path / "libkernel.so"
    common = ["-O2", "-fPIC", "-shared", *WARNINGS,
              *TARGETS[target],
              "-DTESSEL_PTO_ENTRY=tiny_cpu"]
    if separate:
        files = [str(kernel), str(HARNESS)]
    else:
        files = [f'-DTESSEL_PTO_SOURCE="{kernel}"', str(HARNESS)]
    build = compile_cxx([*common, *files, "-o", str(lib)], tmp_path)
    assert build.returncode == 0, build.stderr
    dll = ctypes.CDLL(str(lib))
    dll.tessel_pto_run.restype = ctypes.c_int
    dll.tessel_pto_run.argtypes = [
        ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_uint64),
        ctypes.c_int, ctypes.c_char_p, ctypes.c_uint64]
    dll.tessel_pto_target.restype = ctypes.c_char_p
    return dll


def run_kernel(dll: ctypes.CDLL, arrays) -> tuple[int, str]:
    n = len(arrays)
    args = (ctypes.c_void_p * n)(*[a.ctypes.data for a in arrays])
    sizes = (ctypes.c_uint64 * n)(*[a.nbytes for a in arrays])
    err = ctypes.create_string_buffer(1 << 16)
    rc = dll.tessel_pto_run(args, sizes, n, err, len(err))
    return rc, err.value.decode()


def inputs():
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((BLOCKS * ROWS, COLS)) * 3).astype(np.float32)
    w = rng.uniform(0.5, 1.5, COLS).astype(np.float32)
    y = np.zeros((BLOCKS * ROWS, COLS), np.float16)
    return x, w, y


def reference(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Tessel's numerics in numpy f32: row_sum in the 16-lane order."""
    f32 = np.float32
    sq = x * x
    lanes = np.full((x.shape[0], 16), f32(-0.0), f32)
    for j in range(x.shape[1]):
        lanes[:, j % 16] = lanes[:, j % 16] + sq[:, j]
    width = 8
    while width:
        lanes[:, :width] = lanes[:, :width] + lanes[:, width:2 * width]
        width //= 2
    s = lanes[:, 0] * f32(float.fromhex("0x1.47ae14p-7"))
    s = s + f32(2.0 ** -20)
    r = f32(1) / np.sqrt(s)
    return ((x * r[:, None]) * w[None, :]).astype(np.float16)


@pytest.mark.parametrize("separate", [False, True],
                         ids=["included", "separate-tu"])
def test_emitted_kernel_runs(separate, tmp_path):
    dll = build_kernel(KERNEL, tmp_path, separate=separate)
    assert dll.tessel_pto_target() == b"a2a3"
    x, w, y = inputs()
    rc, err = run_kernel(dll, [x, w, y])
    assert rc == 0, err
    want = reference(x, w)
    assert np.array_equal(y.view(np.uint16), want.view(np.uint16)), (
        f"{np.count_nonzero(y.view(np.uint16) != want.view(np.uint16))} "
        "elements differ")


def test_emitted_kernel_missing_wait_flag_fails(tmp_path):
    assert MISSING_WAIT in KERNEL
    dll = build_kernel(KERNEL.replace(MISSING_WAIT, "", 1), tmp_path)
    x, w, y = inputs()
    rc, err = run_kernel(dll, [x, w, y])
    assert rc >= 1, "the missing wait_flag was not reported"
    assert "RAW hazard on UB bytes" in err, err
    assert ("TMUL (PIPE_V, instruction #3) at kernel.py:8:9 reads bytes "
            "written by TLOAD (PIPE_MTE2, instruction #2) at kernel.py:7:5"
            in err), err
    assert "missing set_flag/wait_flag(PIPE_MTE2, PIPE_V)" in err, err
    # Collecting every violation also reports the flag left set.
    dll.tessel_pto_set_options(0, 1000, 0)
    rc, err = run_kernel(dll, [x, w, y])
    assert rc > 1, err
    assert "unmatched set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0)" in err or \
        "already set" in err, err


def test_emitted_kernel_out_of_bounds_gm(tmp_path):
    dll = build_kernel(KERNEL, tmp_path)
    x, w, y = inputs()
    rc, err = run_kernel(dll, [x[: 3 * ROWS], w, y])  # x one block short
    assert rc == 1, err
    assert "outside every registered GM buffer" in err, err
    assert "kernel.py:7:5" in err, err


@pytest.mark.slow
def test_emitted_kernel_runs_on_a5(tmp_path):
    dll = build_kernel(KERNEL, tmp_path, target="a5")
    assert dll.tessel_pto_target() == b"a5"
    x, w, y = inputs()
    rc, err = run_kernel(dll, [x, w, y])
    assert rc == 0, err
    assert np.array_equal(y.view(np.uint16),
                          reference(x, w).view(np.uint16))
