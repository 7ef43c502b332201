"""Every legal tile.cast pair and rounding mode, bit for bit.

The references here are independent of the lowering's bit manipulation:
float results are found by searching the sorted list of every finite value
of the destination format (or numpy's nextafter for f32) in float64, where
every input is exact; integer results round in float64 and clamp. The
inputs cover ties (positive and negative), values just off ties, values
past the destination's range, subnormals, +-0, +-inf and NaN
(docs/numerics.md states each rule).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from simkit import DTYPES, assert_bitwise_equal, run_op

MODES = ["none", "rint", "round", "trunc", "floor", "ceil"]

# (from, to) -> modes, as in TileOps.td.
LEGAL = {
    ("f32", "f16"): MODES, ("f32", "bf16"): MODES,
    ("f32", "i32"): MODES[1:], ("f16", "i32"): MODES[1:],
    ("f32", "f32"): MODES[1:], ("f16", "i8"): MODES,
    ("f16", "f32"): ["none"], ("bf16", "f32"): ["none"],
    ("i8", "f16"): ["none"], ("i32", "f32"): MODES,
    ("i32", "f16"): MODES[1:],
}


# -- reference rounding ------------------------------------------------------

def magnitude_mode(mode: str, negative: bool) -> str:
    """The rounding of |x| that `mode` means for a value of this sign."""
    if mode in ("none", "rint"):
        return "even"
    if mode == "round":
        return "away_tie"
    if mode == "trunc":
        return "zero"
    if mode == "floor":
        return "up" if negative else "zero"
    return "zero" if negative else "up"  # ceil


def _float_grid(dtype):
    """Every finite non-negative value of a 16-bit float format (float64,
    sorted), then the first power of two past the largest (which stands for
    infinity in the unbounded-exponent rounding IEEE 754 defines)."""
    codes = torch.arange(0, 0x7C00 if dtype == torch.float16 else 0x7F80,
                         dtype=torch.int32).to(torch.int16)
    values = codes.view(dtype).double().numpy()
    top = 2.0**16 if dtype == torch.float16 else 2.0**128
    return np.append(values, top)


_GRIDS = {}


def round_to_grid(x: float, grid: np.ndarray, mode: str) -> tuple[float, bool]:
    """(rounded |x| value on the grid, whether it overflowed) under mode."""
    neg = math.copysign(1.0, x) < 0
    a = abs(x)
    mm = magnitude_mode(mode, neg)
    top = grid[-1]
    if a >= top:  # past the format: the candidates are max finite and top
        lo, hi = grid[-2], top
        i = len(grid) - 1
    else:
        i = int(np.searchsorted(grid, a))  # grid[i-1] < a <= grid[i]
        if grid[i] == a:
            return a, False
        lo, hi = grid[i - 1], grid[i]
    if mm == "zero":
        r = lo
    elif mm == "up":
        r = hi
    else:
        mid = (lo + hi) / 2
        if a < mid:
            r = lo
        elif a > mid:
            r = hi
        elif mm == "away_tie":
            r = hi
        else:  # tie to even: the candidate whose code is even
            r = lo if (i - 1) % 2 == 0 else hi
    if a >= top and mm != "zero":
        r = top  # unbounded rounding lands at or past top: overflow
    return r, r >= top


def ref_narrow(x: torch.Tensor, dst: str, mode: str) -> torch.Tensor:
    """f32 (or exact f64 ints) -> f16 / bf16 under mode, element by element."""
    dtype = DTYPES[dst]
    grid = _GRIDS.setdefault(dst, _float_grid(dtype))
    out = []
    for v in x.double().flatten().tolist():
        if math.isnan(v):
            out.append(math.copysign(math.nan, v))
        elif math.isinf(v):
            out.append(v)
        else:
            r, overflow = round_to_grid(v, grid, mode)
            if overflow:
                r = math.inf
            out.append(math.copysign(r, v))
    return torch.tensor(out, dtype=torch.float64).to(dtype).reshape(x.shape)


def ref_to_f32(values: list[int], mode: str) -> torch.Tensor:
    """Integers (exact) -> f32 under mode, via numpy's f32 nextafter."""
    out = []
    for v in values:
        neg = v < 0
        a = abs(v)
        near = np.float32(a)  # round to nearest even
        lo = near if float(near) <= a else np.nextafter(near, np.float32(0))
        hi = near if float(near) >= a else np.nextafter(near,
                                                         np.float32(np.inf))
        mm = magnitude_mode(mode, neg)
        if float(lo) == a:
            r = lo
        elif mm == "zero":
            r = lo
        elif mm == "up":
            r = hi
        else:
            mid = (float(lo) + float(hi)) / 2
            if a != mid:
                r = lo if a < mid else hi
            elif mm == "away_tie":
                r = hi
            else:
                r = lo if int(np.float32(lo).view(np.int32)) % 2 == 0 else hi
        out.append(-float(r) if neg else float(r))
    return torch.tensor(out, dtype=torch.float32)


def ref_round_integral(v: float, mode: str) -> float:
    if mode in ("none", "rint"):
        return float(np.rint(v))
    if mode == "round":
        return math.copysign(math.floor(abs(v) + 0.5), v)
    return {"trunc": math.trunc, "floor": math.floor, "ceil": math.ceil}[
        mode](v) * 1.0


def ref_to_int(x: torch.Tensor, dst: str, mode: str) -> torch.Tensor:
    info = torch.iinfo(DTYPES[dst])
    out = []
    for v in x.double().flatten().tolist():
        if math.isnan(v):
            out.append(0)
        elif math.isinf(v):
            out.append(info.max if v > 0 else info.min)
        else:
            r = ref_round_integral(v, mode)
            out.append(int(min(max(r, info.min), info.max)))
    return torch.tensor(out, dtype=torch.int64).to(DTYPES[dst]).reshape(
        x.shape)


# -- inputs ------------------------------------------------------------------

def edge_floats_for(dst: str) -> torch.Tensor:
    """f32 inputs around the grid of `dst` (f16 or bf16): exact values,
    ties, just-off-ties, subnormals, overflow, specials, random bits."""
    dtype = DTYPES[dst]
    g = torch.Generator().manual_seed(0)
    codes = torch.randint(0, 0x7F00 if dst == "bf16" else 0x7C00, (600,),
                          generator=g, dtype=torch.int32)
    codes = torch.cat([codes, torch.arange(0, 40, dtype=torch.int32),
                       torch.tensor([0x7BFF, 0x7BFE, 0x7F7F, 0x7F7E, 0x0400,
                                     0x03FF, 0x0080, 0x007F])])
    codes = codes[codes < (0x7C00 if dst == "f16" else 0x7F80)]
    lo = codes.to(torch.int16).view(dtype).double()
    hi = (codes + 1).to(torch.int16).view(dtype).double()
    mid = (lo + hi) / 2
    eps = (hi - lo) / 8
    vals = torch.cat([lo, mid, mid + eps, mid - eps, lo + eps])
    vals = torch.cat([vals, -vals]).float()
    specials = torch.tensor([0.0, -0.0, math.inf, -math.inf, math.nan,
                             -math.nan, 65504.0, 65519.0, 65520.0, 65536.0,
                             -65520.0, 70000.0, -1e30, 3.4e38, -3.4e38,
                             1e-30, -1e-30, 1e-45, -1e-45, 2.0**-24,
                             2.0**-25, 3 * 2.0**-26, -(2.0**-25),
                             2.0**-133, 1.5 * 2.0**-133])
    rand_bits = torch.randint(-2**31, 2**31 - 1, (300,), generator=g,
                              dtype=torch.int64).to(torch.int32).view(
                                  torch.float32)
    return torch.cat([vals, specials, rand_bits])


def edge_halves() -> torch.Tensor:
    """Every f16 value except NaN payload variety: all 65536 codes."""
    return torch.arange(-32768, 32768, dtype=torch.int32).to(
        torch.int16).view(torch.float16)


def edge_ints() -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    vals = [0, 1, -1, 2**24, 2**24 + 1, 2**24 + 2, 2**24 + 3, -(2**24 + 1),
            -(2**24 + 3), 2**31 - 1, -(2**31), -(2**31) + 1, 2**30 + 64,
            2**30 + 65, 2**25 + 2, 2**25 + 6, 2**25 + 4, 2047, 2048, 2049,
            2051, 4097, 4099, -4097, 65504, 65519, 65520, 65535, 65536,
            -65520, 100000, -100000, 2**31 - 128, 2**31 - 129]
    rand = torch.randint(-2**31, 2**31 - 1, (400,), generator=g,
                         dtype=torch.int64).tolist()
    small = torch.randint(-70000, 70000, (400,), generator=g,
                          dtype=torch.int64).tolist()
    return torch.tensor(vals + rand + small, dtype=torch.int32)


def as_tile(flat: torch.Tensor, cols: int = 64) -> torch.Tensor:
    """Pads a flat tensor (with zeros) to a [rows, cols] tile."""
    n = flat.numel()
    rows = (n + cols - 1) // cols
    out = torch.zeros(rows * cols, dtype=flat.dtype)
    out[:n] = flat
    return out.reshape(rows, cols)


def run_cast(x: torch.Tensor, src: str, dst: str, mode: str) -> torch.Tensor:
    rows, cols = x.shape
    body = (f"%r0 = tile.cast %t0 {mode} : !tile.tile<{rows}x{cols}x{src}> "
            f"-> !tile.tile<{rows}x{cols}x{dst}>")
    (got,) = run_op(body, [x], [((rows, cols), dst)])
    return got


# -- tests -------------------------------------------------------------------

@pytest.mark.parametrize("dst", ["f16", "bf16"])
@pytest.mark.parametrize("mode", MODES)
def test_f32_to_narrow_float(dst, mode):
    x = as_tile(edge_floats_for(dst))
    got = run_cast(x, "f32", dst, mode)
    want = ref_narrow(x, dst, mode)
    assert_bitwise_equal(got, want)
    # NaN keeps its sign.
    nan = torch.isnan(x)
    assert torch.equal(torch.signbit(got[nan]), torch.signbit(x[nan]))


def test_f32_to_narrow_none_and_rint_match_torch():
    # torch's .to(float16 / bfloat16) rounds to nearest even too.
    x = as_tile(torch.cat([edge_floats_for("f16"), edge_floats_for("bf16")]))
    for dst in ("f16", "bf16"):
        assert_bitwise_equal(run_cast(x, "f32", dst, "none"),
                             x.to(DTYPES[dst]))


@pytest.mark.parametrize("mode", MODES[1:])
def test_f32_round_to_integral(mode):
    x = as_tile(torch.cat([
        torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 2.0**23,
                      2.0**23 + 1, -(2.0**23) - 1, 1e30, -0.0, 0.0, math.inf,
                      -math.inf, math.nan, 1e-40, -1e-40]),
        torch.randn(200) * 10]))
    got = run_cast(x, "f32", "f32", mode)
    want = torch.tensor([ref_round_integral(v, mode) if math.isfinite(v)
                         else v for v in x.double().flatten().tolist()],
                        dtype=torch.float64).float().reshape(x.shape)
    # The sign of zero follows the input (e.g. floor(-0.3) = -1 but
    # trunc(-0.3) = -0.0).
    want = torch.where(want == 0, torch.copysign(want, x), want)
    assert_bitwise_equal(got, want)


@pytest.mark.parametrize("src", ["f32", "f16"])
@pytest.mark.parametrize("mode", MODES[1:])
def test_float_to_i32_saturates(src, mode):
    if src == "f32":
        x = as_tile(torch.cat([
            torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.0**31,
                          -(2.0**31), 2.0**31 - 128, 3e9, -3e9, math.inf,
                          -math.inf, math.nan, -0.0, 1e-40]),
            torch.randn(300) * 1e3, edge_floats_for("f16")[:400]]))
    else:
        x = as_tile(edge_halves())
    got = run_cast(x, src, "i32", mode)
    assert_bitwise_equal(got, ref_to_int(x, "i32", mode))


@pytest.mark.parametrize("mode", MODES)
def test_f16_to_i8_saturates(mode):
    x = as_tile(edge_halves())
    got = run_cast(x, "f16", "i8", mode)
    assert_bitwise_equal(got, ref_to_int(x, "i8", "rint" if mode == "none"
                                         else mode))


@pytest.mark.parametrize("src", ["f16", "bf16"])
def test_widening_to_f32_is_exact(src):
    codes = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16)
    x = as_tile(codes.view(DTYPES[src]))
    got = run_cast(x, src, "f32", "none")
    assert_bitwise_equal(got, x.float())


def test_i8_to_f16_is_exact():
    x = as_tile(torch.arange(-128, 128, dtype=torch.int32).to(torch.int8))
    assert_bitwise_equal(run_cast(x, "i8", "f16", "none"), x.half())


@pytest.mark.parametrize("mode", MODES)
def test_i32_to_f32(mode):
    x = as_tile(edge_ints())
    got = run_cast(x, "i32", "f32", mode)
    want = ref_to_f32(x.flatten().tolist(), mode).reshape(x.shape)
    assert_bitwise_equal(got, want)


@pytest.mark.parametrize("mode", MODES[1:])
def test_i32_to_f16(mode):
    x = as_tile(edge_ints())
    got = run_cast(x, "i32", "f16", mode)
    assert_bitwise_equal(got, ref_narrow(x.double(), "f16", mode))


def test_every_legal_pair_is_covered():
    # Guards the table above against drifting from the verifier: each
    # listed pair and mode is lowered (an illegal one would fail to parse).
    for (src, dst), modes in LEGAL.items():
        x = torch.zeros(1, 16, dtype=DTYPES[src])
        for mode in modes:
            got = run_cast(x, src, dst, mode)
            assert got.dtype == DTYPES[dst] and (got == 0).all()
