//===- test_numerics.cpp - Numerics of every reference instruction -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Every instruction's results on each element type, against values the test
// computes on its own: arithmetic exactly in double and rounded once (for
// + - * / sqrt that equals the f32 / f16 result, since double has more than
// 2p + 2 significand bits), f16 / bf16 rounding by searching the list of
// all values of the format (test_util.hpp), integer rounding in double.
// Casts cover ties, negative ties, values past the destination range, NaN,
// infinities, subnormals and signed zeros for every pair and mode.
//
//===----------------------------------------------------------------------===//

#include "test_util.hpp"

#include <limits>

using namespace pto;
using t::Mode;
using t::VTile;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Special f32 values followed by random values of many magnitudes.
std::vector<float> f32Inputs(uint64_t seed, size_t n = 256) {
  std::vector<float> v = {0.0f,     -0.0f,    1.0f,      -1.0f,   2.5f,
                          -3.75f,   1e-40f,   -1e-45f,   3.4e38f, -3.4e38f,
                          kInf,     -kInf,    kNaN,      1.17549435e-38f,
                          65504.0f, 0.1f,     -7.0f,     1e20f,   -1e-20f,
                          16777217.0f};
  t::Rng rng(seed);
  while (v.size() < n) {
    double m = rng.uniform(-1, 1);
    int e = static_cast<int>(rng.next() % 60) - 30;
    v.push_back(static_cast<float>(std::ldexp(m, e)));
  }
  v.resize(n);
  return v;
}

std::vector<half> f16Inputs(uint64_t seed, size_t n = 256) {
  std::vector<half> v;
  for (uint16_t b : {0x0000, 0x8000, 0x3c00, 0xbc00, 0x7bff, 0xfbff, 0x0001,
                     0x8001, 0x03ff, 0x7c00, 0xfc00, 0x7e00, 0x3555, 0x4900})
    v.push_back(half::fromBits(b));
  t::Rng rng(seed);
  while (v.size() < n) {
    uint16_t b = static_cast<uint16_t>(rng.next());
    if ((b & 0x7c00) == 0x7c00)
      continue; // keep NaN / inf to the specials
    v.push_back(half::fromBits(b));
  }
  v.resize(n);
  return v;
}

std::vector<int32_t> i32Inputs(uint64_t seed, size_t n = 256) {
  std::vector<int32_t> v = {0, 1, -1, 7, -7, INT32_MAX, INT32_MIN,
                            INT32_MAX - 1, INT32_MIN + 1, 65536, -65536};
  t::Rng rng(seed);
  while (v.size() < n)
    v.push_back(static_cast<int32_t>(rng.next()));
  v.resize(n);
  return v;
}

double d(float x) { return static_cast<double>(x); }
double d(half x) { return static_cast<double>(static_cast<float>(x)); }
double d(bfloat16_t x) { return static_cast<double>(static_cast<float>(x)); }

/// The reference result of an f32 (double-computed) value in type T.
float inT(double x, float *) { return static_cast<float>(x); }
half inT(double x, half *) { return t::refF16(x); }

template <typename T> T ref(double x) { return inT(x, static_cast<T *>(nullptr)); }

std::string in2(double a, double b) { return t::fstr(a) + ", " + t::fstr(b); }

template <typename T> using Tl = VTile<T, 8, 32>;
template <typename T> using Body = std::function<void(Tl<T> &, std::vector<Tl<T>> &)>;

/// IEEE 754-2019 maximum / minimum in double (independent of num::).
double refMax(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return NAN;
  if (a == b)
    return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
double refMin(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return NAN;
  if (a == b)
    return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

template <typename T> void floatBinaries(const std::vector<T> &a, const std::vector<T> &b) {
  struct Case {
    const char *name;
    Body<T> body;
    double (*fn)(double, double);
  };
  std::vector<Case> cases = {
      {"TADD", [](auto &o, auto &i) { TADD(o, i[0], i[1]); },
       [](double x, double y) { return x + y; }},
      {"TSUB", [](auto &o, auto &i) { TSUB(o, i[0], i[1]); },
       [](double x, double y) { return x - y; }},
      {"TMUL", [](auto &o, auto &i) { TMUL(o, i[0], i[1]); },
       [](double x, double y) { return x * y; }},
      {"TDIV", [](auto &o, auto &i) { TDIV(o, i[0], i[1]); },
       [](double x, double y) { return x / y; }},
      {"TMAX", [](auto &o, auto &i) { TMAX(o, i[0], i[1]); }, refMax},
      {"TMIN", [](auto &o, auto &i) { TMIN(o, i[0], i[1]); }, refMin},
  };
  for (const Case &c : cases) {
    std::vector<T> out = t::mapKernel<T, T>({a, b}, c.body, c.name);
    for (size_t k = 0; k < a.size(); ++k)
      CHECK_FLOAT(out[k], ref<T>(c.fn(d(a[k]), d(b[k]))),
                  std::string(c.name) + "(" + in2(d(a[k]), d(b[k])) + ")");
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

TEST(element_types_convert_exactly) {
  CHECK_EQ(static_cast<half>(0x1.8p+1).bits(), 0x4200);      // 3.0
  CHECK_EQ(static_cast<half>(-0x1p-24).bits(), 0x8001);      // min subnormal
  CHECK_EQ(static_cast<half>(65520.0).bits(), 0x7c00);       // overflow tie
  CHECK_EQ(static_cast<half>(65519.99).bits(), 0x7bff);
  CHECK_EQ(static_cast<half>(1 + 0x1p-11).bits(), 0x3c00);   // tie to even
  CHECK_EQ(static_cast<half>(1 + 0x1p-11 + 0x1p-40).bits(), 0x3c01); // once
  CHECK_EQ(static_cast<half>(3).bits(), 0x4200);
  CHECK_EQ(static_cast<bfloat16_t>(0x1.8p+1).bits(), 0x4040);
  CHECK_EQ(static_cast<bfloat16_t>(1 + 0x1p-8).bits(), 0x3f80);
  CHECK_EQ(static_cast<bfloat16_t>(1 + 0x1p-8 + 0x1p-40).bits(), 0x3f81);
  CHECK_EQ(t::bits(static_cast<float>(half::fromBits(0x0001))),
           t::bits(0x1p-24f));
  CHECK_EQ(t::bits(static_cast<float>(half::fromBits(0xfc00))), t::bits(-kInf));
  CHECK_EQ(t::bits(static_cast<float>(bfloat16_t::fromBits(0x0001))),
           0x00010000u);
  // Every f16 widens exactly and rounds back to itself.
  for (uint32_t b = 0; b < 0x10000; ++b) {
    if ((b & 0x7c00) == 0x7c00 && (b & 0x3ff))
      continue;
    half h = half::fromBits(static_cast<uint16_t>(b));
    float f = static_cast<float>(h);
    if (std::isinf(f)) {
      CHECK((b & 0x3ff) == 0);
    } else {
      double want = (b & 0x8000 ? -1 : 1) * t::f16Format().values[b & 0x7fff];
      if (d(f) != want || std::signbit(f) != bool(b & 0x8000))
        CHECK_MSG(false, "f16 widening of " + t::hexs(b));
    }
    if (static_cast<half>(f).bits() != b)
      CHECK_MSG(false, "f16 round trip of " + t::hexs(b));
  }
}

//===----------------------------------------------------------------------===//
// Tile-tile arithmetic
//===----------------------------------------------------------------------===//

TEST(binary_f32) {
  std::vector<float> a = f32Inputs(1), b = f32Inputs(2);
  std::reverse(b.begin(), b.begin() + 20); // specials against specials
  b[0] = -0.0f; // max(+0, -0) and friends
  floatBinaries<float>(a, b);
}

TEST(binary_f16) {
  std::vector<half> a = f16Inputs(3), b = f16Inputs(4);
  std::reverse(b.begin(), b.begin() + 14);
  floatBinaries<half>(a, b);
}

TEST(binary_i32_wraps) {
  std::vector<int32_t> a = i32Inputs(5), b = i32Inputs(6);
  auto w = [](int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
  auto o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TADD(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], w(int64_t(a[k]) + b[k]));
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TSUB(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], w(int64_t(a[k]) - b[k]));
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TMUL(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], w(int64_t(a[k]) * int64_t(b[k])));
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TMAX(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], std::max(a[k], b[k]));
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TMIN(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], std::min(a[k], b[k]));
}

// TFMOD / TFMODS: C fmod, exact, the sign of the dividend. Hand cases
// (fmod(-7, 3) = -1, fmod(7, -3) = 1, fmod(5.5, 2) = 1.5, fmod(-0, 3) = -0,
// fmod(1, inf) = 1, fmod(1, 0) and fmod(inf, 1) NaN), then random inputs
// against the f64 fmod (exact too, so the f32 result must equal it).
TEST(fmod_f32_and_a5_f16) {
  std::vector<float> a = {-7, 7, 5.5f, -0.0f, 1, 1, kInf, 1e30f, -1e-30f};
  std::vector<float> b = {3, -3, 2, 3, kInf, 0, 1, 3, 7};
  std::vector<float> o = t::mapKernel<float, float>(
      {a, b}, [](auto &o, auto &i) { TFMOD(o, i[0], i[1]); }, "TFMOD");
  CHECK_BITS(o[0], -1.0f, "fmod(-7, 3)");
  CHECK_BITS(o[1], 1.0f, "fmod(7, -3)");
  CHECK_BITS(o[2], 1.5f, "fmod(5.5, 2)");
  CHECK_BITS(o[3], -0.0f, "fmod(-0, 3)");
  CHECK_BITS(o[4], 1.0f, "fmod(1, inf)");
  CHECK(std::isnan(o[5]) && std::isnan(o[6]));
  for (size_t k = 7; k < a.size(); ++k)
    CHECK_BITS(o[k], static_cast<float>(std::fmod(d(a[k]), d(b[k]))), t::fstr(a[k]));
  std::vector<float> x = f32Inputs(41), y = f32Inputs(42);
  o = t::mapKernel<float, float>({x, y}, [](auto &o, auto &i) { TFMOD(o, i[0], i[1]); });
  for (size_t k = 0; k < x.size(); ++k)
    CHECK_FLOAT(o[k], static_cast<float>(std::fmod(d(x[k]), d(y[k]))), t::fstr(x[k]));
  // TFMODS(dst, src, -2.5): fmod(-7, -2.5) = -2, fmod(7, -2.5) = 2.
  o = t::mapKernel<float, float>({a}, [](auto &o, auto &i) { TFMODS(o, i[0], -2.5f); });
  CHECK_BITS(o[0], -2.0f, "fmods(-7, -2.5)");
  CHECK_BITS(o[1], 2.0f, "fmods(7, -2.5)");
  o = t::mapKernel<float, float>({x}, [](auto &o, auto &i) { TFMODS(o, i[0], -2.5f); });
  for (size_t k = 0; k < x.size(); ++k)
    CHECK_FLOAT(o[k], static_cast<float>(std::fmod(d(x[k]), -2.5)), t::fstr(x[k]));
  if constexpr (pto_ref::kIsA5) {
    // a5 also takes half: the fmod of two halves is exact, so it is the
    // f64 fmod of the widened values, narrowed without rounding.
    std::vector<half> hx = f16Inputs(43), hy = f16Inputs(44);
    std::vector<half> ho = t::mapKernel<half, half>(
        {hx, hy}, [](auto &o, auto &i) { TFMOD(o, i[0], i[1]); }, "TFMOD");
    for (size_t k = 0; k < hx.size(); ++k)
      CHECK_FLOAT(static_cast<float>(ho[k]),
                  static_cast<float>(std::fmod(d(static_cast<float>(hx[k])),
                                               d(static_cast<float>(hy[k])))),
                  t::fstr(static_cast<float>(hx[k])));
  }
}

// Bitwise ops and shifts (Tessel's i8 / i32 tiles): C++ on the element
// type; shr arithmetic (-8 >> 1 = -4); amounts outside [0, bits) give 0
// (shl) or the sign fill (shr), Tessel's numerics. i8: 0x40 << 1 = -128
// (the low byte), -128 >> 7 = -1.
TEST(bitwise_i32_i8) {
  std::vector<int32_t> a = {12, -8, INT32_MIN, 0x0F0F, -1, 5, 5, -5};
  std::vector<int32_t> b = {10, 1, 31, 4, 0, 32, -1, 40};
  auto o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TAND(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], a[k] & b[k]);
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TOR(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], a[k] | b[k]);
  o = t::mapKernel<int32_t, int32_t>({a}, [](auto &o, auto &i) { TNOT(o, i[0]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], ~a[k]);
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TSHL(o, i[0], i[1]); });
  std::vector<int32_t> shl = {12 << 10, -16, 0, 0xF0F0, -1, 0, 0, 0};
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], shl[k]);
  o = t::mapKernel<int32_t, int32_t>({a, b}, [](auto &o, auto &i) { TSHR(o, i[0], i[1]); });
  std::vector<int32_t> shr = {0, -4, -1, 0xF0, -1, 0, 0, -1};
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], shr[k]);
  o = t::mapKernel<int32_t, int32_t>({a}, [](auto &o, auto &i) { TANDS(o, i[0], 6); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], a[k] & 6);
  o = t::mapKernel<int32_t, int32_t>({a}, [](auto &o, auto &i) { TORS(o, i[0], 6); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], a[k] | 6);
  o = t::mapKernel<int32_t, int32_t>({a}, [](auto &o, auto &i) { TSHRS(o, i[0], 2); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], a[k] >> 2);
  std::vector<int8_t> c = {0x40, -128, 7, -1}, e = {1, 7, 8, 3};
  auto p = t::mapKernel<int8_t, int8_t>({c, e}, [](auto &o, auto &i) { TSHL(o, i[0], i[1]); });
  CHECK_EQ(p[0], -128);
  CHECK_EQ(p[1], 0);
  CHECK_EQ(p[2], 0);
  CHECK_EQ(p[3], -8);
  p = t::mapKernel<int8_t, int8_t>({c, e}, [](auto &o, auto &i) { TSHR(o, i[0], i[1]); });
  CHECK_EQ(p[0], 32);
  CHECK_EQ(p[1], -1);
  CHECK_EQ(p[2], 0);
  CHECK_EQ(p[3], -1);
}

//===----------------------------------------------------------------------===//
// Tile-scalar arithmetic
//===----------------------------------------------------------------------===//

TEST(scalar_ops_f32_f16) {
  std::vector<float> a = f32Inputs(7);
  const float s = static_cast<float>(0x1.8p+1); // 3.0
  struct Case {
    const char *name;
    Body<float> body;
    double (*fn)(double, double);
  };
  std::vector<Case> cases = {
      {"TADDS", [&](auto &o, auto &i) { TADDS(o, i[0], s); }, [](double x, double y) { return x + y; }},
      {"TSUBS", [&](auto &o, auto &i) { TSUBS(o, i[0], s); }, [](double x, double y) { return x - y; }},
      {"TMULS", [&](auto &o, auto &i) { TMULS(o, i[0], s); }, [](double x, double y) { return x * y; }},
      {"TDIVS", [&](auto &o, auto &i) { TDIVS(o, i[0], s); }, [](double x, double y) { return x / y; }},
      {"TDIVS(s/x)", [&](auto &o, auto &i) { TDIVS(o, s, i[0]); }, [](double x, double y) { return y / x; }},
      {"TMAXS", [&](auto &o, auto &i) { TMAXS(o, i[0], s); }, refMax},
      {"TMINS", [&](auto &o, auto &i) { TMINS(o, i[0], s); }, refMin},
  };
  for (const Case &c : cases) {
    std::vector<float> out = t::mapKernel<float, float>({a}, c.body, c.name);
    for (size_t k = 0; k < a.size(); ++k)
      CHECK_FLOAT(out[k], ref<float>(c.fn(d(a[k]), 3.0)),
                  std::string(c.name) + "(" + t::fstr(a[k]) + ")");
  }
  std::vector<half> h = f16Inputs(8);
  const half hs = static_cast<half>(-0x1.4p-2); // -0.3125
  auto out = t::mapKernel<half, half>({h}, [&](auto &o, auto &i) { TADDS(o, i[0], hs); });
  for (size_t k = 0; k < h.size(); ++k)
    CHECK_FLOAT(out[k], t::refF16(d(h[k]) - 0.3125), t::fstr(d(h[k])));
  out = t::mapKernel<half, half>({h}, [&](auto &o, auto &i) { TDIVS(o, hs, i[0]); });
  for (size_t k = 0; k < h.size(); ++k)
    CHECK_FLOAT(out[k], t::refF16(-0.3125 / d(h[k])), t::fstr(d(h[k])));
  out = t::mapKernel<half, half>({h}, [&](auto &o, auto &i) { TMAXS(o, i[0], hs); });
  for (size_t k = 0; k < h.size(); ++k)
    CHECK_FLOAT(out[k], t::refF16(refMax(d(h[k]), -0.3125)), t::fstr(d(h[k])));
}

TEST(scalar_ops_i32) {
  std::vector<int32_t> a = i32Inputs(9);
  const int32_t s = static_cast<int32_t>(0x1.cp+2); // 7
  auto o = t::mapKernel<int32_t, int32_t>({a}, [&](auto &o, auto &i) { TADDS(o, i[0], s); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], static_cast<int32_t>(static_cast<uint32_t>(a[k]) + 7u));
  o = t::mapKernel<int32_t, int32_t>({a}, [&](auto &o, auto &i) { TMULS(o, i[0], s); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], static_cast<int32_t>(static_cast<uint32_t>(a[k]) * 7u));
  o = t::mapKernel<int32_t, int32_t>({a}, [&](auto &o, auto &i) { TDIVS(o, i[0], s); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], a[k] / 7); // C++ truncating division, as arith.divsi
  o = t::mapKernel<int32_t, int32_t>({a}, [&](auto &o, auto &i) { TMINS(o, i[0], s); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], std::min(a[k], 7));
}

TEST(scalar_ops_every_form_f16_i32) {
  std::vector<half> h = f16Inputs(30);
  const half hs = static_cast<half>(0x1.8p+3); // 12
  struct HCase {
    const char *name;
    Body<half> body;
    double (*fn)(double, double);
  };
  std::vector<HCase> hc = {
      {"TSUBS", [&](auto &o, auto &i) { TSUBS(o, i[0], hs); }, [](double x, double y) { return x - y; }},
      {"TMULS", [&](auto &o, auto &i) { TMULS(o, i[0], hs); }, [](double x, double y) { return x * y; }},
      {"TDIVS", [&](auto &o, auto &i) { TDIVS(o, i[0], hs); }, [](double x, double y) { return x / y; }},
      {"TMINS", [&](auto &o, auto &i) { TMINS(o, i[0], hs); }, refMin},
  };
  for (const HCase &c : hc) {
    std::vector<half> out = t::mapKernel<half, half>({h}, c.body, c.name);
    for (size_t k = 0; k < h.size(); ++k)
      CHECK_FLOAT(out[k], t::refF16(c.fn(d(h[k]), 12.0)),
                  std::string(c.name) + "(" + t::fstr(d(h[k])) + ")");
  }
  std::vector<int32_t> a = i32Inputs(31);
  const int32_t s = static_cast<int32_t>(-0x1.8p+1); // -3
  auto w = [](int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); };
  auto o = t::mapKernel<int32_t, int32_t>({a}, [&](auto &o, auto &i) { TSUBS(o, i[0], s); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], w(int64_t(a[k]) + 3));
  o = t::mapKernel<int32_t, int32_t>({a}, [&](auto &o, auto &i) { TMAXS(o, i[0], s); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], std::max(a[k], -3));
  std::vector<int32_t> nz = a;
  for (int32_t &x : nz)
    x = x == 0 ? 5 : x;
  o = t::mapKernel<int32_t, int32_t>({nz}, [&](auto &o, auto &i) { TDIVS(o, s, i[0]); });
  for (size_t k = 0; k < nz.size(); ++k)
    CHECK_EQ(o[k], -3 / nz[k]);
  // Division by zero is reported (Tessel's arith.divsi is undefined there).
  t::Outcome u = t::runCase([] {
    t::VTile<int32_t, 8, 32> x;
    TASSIGN(x, 0);
    TEXPANDS(x, 0);
    pipe_barrier(PIPE_V);
    TDIVS(x, 1, x);
  });
  CHECK(u.has("integer division by zero"));
}

TEST(expand_mul_f16_i32) {
  constexpr int R = 16, C = 32;
  std::vector<half> a = f16Inputs(32, R * C), v = f16Inputs(33, C);
  std::vector<int32_t> ia = i32Inputs(34, R * C), iv = i32Inputs(35, C);
  std::vector<half> oh(R * C), ohc(R * C);
  std::vector<int32_t> oi(R * C);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(a.data(), a.size() * 2, "a");
    pto_ref::register_gm(v.data(), v.size() * 2, "v");
    pto_ref::register_gm(ia.data(), ia.size() * 4, "ia");
    pto_ref::register_gm(iv.data(), iv.size() * 4, "iv");
    pto_ref::register_gm(oh.data(), oh.size() * 2, "oh");
    pto_ref::register_gm(ohc.data(), ohc.size() * 2, "ohc");
    pto_ref::register_gm(oi.data(), oi.size() * 4, "oi");
    VTile<half, R, C> ta, d1, d2;
    Tile<TileType::Vec, half, R, 1, BLayout::ColMajor> col;
    VTile<half, 1, C> rowv;
    VTile<int32_t, R, C> ti, di;
    Tile<TileType::Vec, int32_t, R, 1, BLayout::ColMajor> icol;
    TASSIGN(ta, 0x0);
    TASSIGN(d1, 0x400);
    TASSIGN(d2, 0x800);
    TASSIGN(col, 0xc00);
    TASSIGN(rowv, 0xc40);
    TASSIGN(ti, 0x1000);
    TASSIGN(di, 0x1800);
    TASSIGN(icol, 0x2000);
    auto ga = t::gmOf(a.data(), ta);
    TLOAD(ta, ga);
    GlobalTensor<half, Shape<1, 1, 1, R, 1>, Stride<1, 1, 1, 1, R>, Layout::DN> gc(v.data());
    TLOAD(col, gc);
    auto gr = t::gmOf(v.data(), rowv);
    TLOAD(rowv, gr);
    auto gi = t::gmOf(ia.data(), ti);
    TLOAD(ti, gi);
    GlobalTensor<int32_t, Shape<1, 1, 1, R, 1>, Stride<1, 1, 1, 1, R>, Layout::DN> gic(iv.data());
    TLOAD(icol, gic);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TROWEXPANDMUL(d1, ta, col);
    TCOLEXPANDMUL(d2, ta, rowv);
    pipe_barrier(PIPE_V); // the a2a3 scratch of the next TROWEXPANDMUL
    TROWEXPANDMUL(di, ti, icol);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    auto g1 = t::gmOf(oh.data(), d1);
    TSTORE(g1, d1);
    auto g2 = t::gmOf(ohc.data(), d2);
    TSTORE(g2, d2);
    auto g3 = t::gmOf(oi.data(), di);
    TSTORE(g3, di);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      size_t k = static_cast<size_t>(r) * C + c;
      CHECK_FLOAT(oh[k], t::refF16(d(a[k]) * d(v[r])), t::fstr(d(a[k])));
      CHECK_FLOAT(ohc[k], t::refF16(d(a[k]) * d(v[c])), t::fstr(d(a[k])));
      CHECK_EQ(oi[k], static_cast<int32_t>(static_cast<uint32_t>(ia[k]) *
                                           static_cast<uint32_t>(iv[r])));
    }
}

#if defined(PTO_REF_TARGET_A5)
TEST(a5_bf16_and_i8_arithmetic) {
  // Legal in pto-isa on a5 only (Tessel does not emit them): bf16 computes
  // in f32 and rounds once to nearest even; i8 wraps.
  std::vector<bfloat16_t> a(256), b(256);
  t::Rng rng(39);
  for (size_t k = 0; k < a.size(); ++k) {
    a[k] = static_cast<bfloat16_t>(rng.uniform(-100, 100));
    b[k] = static_cast<bfloat16_t>(rng.uniform(-1, 1));
  }
  auto o = t::mapKernel<bfloat16_t, bfloat16_t>({a, b}, [](auto &o, auto &i) { TADD(o, i[0], i[1]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k].bits(), t::bf16Format().round(d(a[k]) + d(b[k]), Mode::Rint));
  std::vector<int8_t> p(256), q(256);
  for (size_t k = 0; k < p.size(); ++k) {
    p[k] = static_cast<int8_t>(rng.next());
    q[k] = static_cast<int8_t>(rng.next());
  }
  auto r = t::mapKernel<int8_t, int8_t>({p, q}, [](auto &o, auto &i) { TADD(o, i[0], i[1]); });
  for (size_t k = 0; k < p.size(); ++k)
    CHECK_EQ(int(r[k]), int(static_cast<int8_t>(static_cast<uint8_t>(p[k] + q[k]))));
}
#endif

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

TEST(unary_f32) {
  std::vector<float> a = f32Inputs(10);
  auto check = [&](const char *name, Body<float> body, auto fn) {
    std::vector<float> out = t::mapKernel<float, float>({a}, body, name);
    for (size_t k = 0; k < a.size(); ++k)
      CHECK_FLOAT(out[k], fn(a[k]), std::string(name) + "(" + t::fstr(a[k]) + ")");
  };
  check("TNEG", [](auto &o, auto &i) { TNEG(o, i[0]); },
        [](float x) { return pto_ref::fp::fromBits(t::bits(x) ^ 0x80000000u); });
  check("TABS", [](auto &o, auto &i) { TABS(o, i[0]); },
        [](float x) { return pto_ref::fp::fromBits(t::bits(x) & 0x7fffffffu); });
  check("TSQRT", [](auto &o, auto &i) { TSQRT(o, i[0]); },
        [](float x) { return static_cast<float>(std::sqrt(d(x))); });
  // rsqrt = 1 / sqrt(x) with two roundings.
  check("TRSQRT", [](auto &o, auto &i) { TRSQRT(o, i[0]); }, [](float x) {
    return static_cast<float>(1.0 / d(static_cast<float>(std::sqrt(d(x)))));
  });
  check("TRECIP", [](auto &o, auto &i) { TRECIP(o, i[0]); },
        [](float x) { return static_cast<float>(1.0 / d(x)); });
  check("TEXP", [](auto &o, auto &i) { TEXP(o, i[0]); },
        [](float x) { return ::expf(x); });
  // exp is the host expf: also within 1 ulp of the correctly rounded value.
  std::vector<float> e = t::mapKernel<float, float>({a}, [](auto &o, auto &i) { TEXP(o, i[0]); });
  for (size_t k = 0; k < a.size(); ++k) {
    float want = static_cast<float>(std::exp(d(a[k])));
    if (std::isfinite(want) && want > 1e-37f)
      CHECK_MSG(std::fabs(d(e[k]) - d(want)) <= d(std::nextafter(std::fabs(want), kInf)) - std::fabs(d(want)),
                t::fstr(a[k]));
  }
}

TEST(unary_f16) {
  std::vector<half> a = f16Inputs(11);
  auto check = [&](const char *name, Body<half> body, auto fn) {
    std::vector<half> out = t::mapKernel<half, half>({a}, body, name);
    for (size_t k = 0; k < a.size(); ++k)
      CHECK_FLOAT(out[k], fn(d(a[k])), std::string(name) + "(" + t::fstr(d(a[k])) + ")");
  };
  check("TNEG", [](auto &o, auto &i) { TNEG(o, i[0]); }, [](double x) { return t::refF16(-x); });
  check("TABS", [](auto &o, auto &i) { TABS(o, i[0]); }, [](double x) { return t::refF16(std::fabs(x)); });
  check("TSQRT", [](auto &o, auto &i) { TSQRT(o, i[0]); }, [](double x) { return t::refF16(std::sqrt(x)); });
  check("TRECIP", [](auto &o, auto &i) { TRECIP(o, i[0]); }, [](double x) { return t::refF16(1.0 / x); });
  // rsqrt and exp compute in f32 and round once to f16.
  check("TRSQRT", [](auto &o, auto &i) { TRSQRT(o, i[0]); }, [](double x) {
    return t::refF16(d(static_cast<float>(1.0 / d(static_cast<float>(std::sqrt(x))))));
  });
  check("TEXP", [](auto &o, auto &i) { TEXP(o, i[0]); },
        [](double x) { return t::refF16(d(::expf(static_cast<float>(x)))); });
}

TEST(unary_i32) {
  std::vector<int32_t> a = i32Inputs(12);
  auto o = t::mapKernel<int32_t, int32_t>({a}, [](auto &o, auto &i) { TNEG(o, i[0]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_EQ(o[k], static_cast<int32_t>(0u - static_cast<uint32_t>(a[k]))); // -INT_MIN wraps
  if constexpr (pto_ref::kIsA5) {
    o = t::mapKernel<int32_t, int32_t>({a}, [](auto &o, auto &i) { TABS(o, i[0]); });
    for (size_t k = 0; k < a.size(); ++k)
      CHECK_EQ(o[k], a[k] == INT32_MIN ? INT32_MIN : std::abs(a[k]));
  }
}

TEST(expands_every_type) {
  auto f = t::mapKernel<float, float>({{0.0f}}, [](auto &o, auto &) { TEXPANDS(o, static_cast<float>(-0x1.8p+0)); });
  for (float x : f)
    CHECK_EQ(x, -1.5f);
  auto h = t::mapKernel<half, half>({{half()}}, [](auto &o, auto &) { TEXPANDS(o, static_cast<half>(0x1p-24)); });
  for (half x : h)
    CHECK_EQ(x.bits(), 0x0001);
  auto b = t::mapKernel<bfloat16_t, bfloat16_t>({{bfloat16_t()}}, [](auto &o, auto &) { TEXPANDS(o, static_cast<bfloat16_t>(-0x1.02p+3)); });
  for (bfloat16_t x : b)
    CHECK_EQ(x.bits(), 0xc101);
  auto i = t::mapKernel<int32_t, int32_t>({{0}}, [](auto &o, auto &) { TEXPANDS(o, static_cast<int32_t>(-0x1p+31)); });
  for (int32_t x : i)
    CHECK_EQ(x, INT32_MIN);
  auto q = t::mapKernel<int8_t, int8_t>({{0}}, [](auto &o, auto &) { TEXPANDS(o, static_cast<int8_t>(-0x1p+7)); });
  for (int8_t x : q)
    CHECK_EQ(int(x), -128);
  // A column-major Rx1 tile (pto-isa fills DN tiles too).
  std::vector<float> col(16, 0.0f);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(col.data(), col.size() * 4, "col");
    Tile<TileType::Vec, float, 16, 1, BLayout::ColMajor, 12, 1> c;
    TASSIGN(c, 0x40);
    TEXPANDS(c, static_cast<float>(0x1.4p+1));
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    GlobalTensor<float, Shape<1, 1, 1, 12, 1>, Stride<1, 1, 1, 1, 12>, Layout::DN> g(col.data());
    TSTORE(g, c);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  for (int k = 0; k < 16; ++k)
    CHECK_EQ(col[k], k < 12 ? 2.5f : 0.0f);
}

//===----------------------------------------------------------------------===//
// Reductions and broadcasts
//===----------------------------------------------------------------------===//

namespace {

/// Runs TROWSUM / TROWMAX over an R x C (valid R x VC) tile.
template <typename T, int R, int C, bool IsMax>
std::vector<T> rowReduce(std::vector<T> in, int vc) {
  using Src = Tile<TileType::Vec, T, R, C, BLayout::RowMajor, R, -1>;
  using Dst = Tile<TileType::Vec, T, R, 1, BLayout::ColMajor, R, 1>;
  std::vector<T> out(R);
  in.resize(static_cast<size_t>(R) * vc);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(in.data(), in.size() * sizeof(T), "in");
    pto_ref::register_gm(out.data(), out.size() * sizeof(T), "out");
    Src src(static_cast<unsigned>(vc)), tmp(static_cast<unsigned>(vc));
    Dst dst;
    TASSIGN(src, 0x0);
    TASSIGN(tmp, 0x8000);
    TASSIGN(dst, 0x10000);
    auto g = t::gmOf(in.data(), src);
    TLOAD(src, g);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    if constexpr (IsMax)
      TROWMAX(dst, src, tmp);
    else
      TROWSUM(dst, src, tmp);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    // The Rx1 column vector stores as a DN tensor of R x 1.
    GlobalTensor<T, Shape<1, 1, 1, R, 1>, Stride<1, 1, 1, 1, R>, Layout::DN> go(out.data());
    TSTORE(go, dst);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  return out;
}

/// The lane order written independently: lanes first, then the tree.
double laneSum(const std::vector<float> &row) {
  float lanes[16];
  for (int l = 0; l < 16; ++l) {
    float s = -0.0f;
    for (size_t j = static_cast<size_t>(l); j < row.size(); j += 16)
      s = s + row[j];
    lanes[l] = s;
  }
  for (int w = 8; w; w >>= 1)
    for (int i = 0; i < w; ++i)
      lanes[i] = lanes[i] + lanes[i + w];
  return d(lanes[0]);
}

} // namespace

TEST(rowsum_f32_lane_order) {
  constexpr int R = 8, C = 128;
  t::Rng rng(13);
  for (int vc : {128, 100, 16, 7, 1}) {
    std::vector<float> in(static_cast<size_t>(R) * vc);
    for (float &x : in)
      x = static_cast<float>(rng.uniform(-1, 1) * std::ldexp(1.0, static_cast<int>(rng.next() % 40) - 20));
    std::vector<float> out = rowReduce<float, R, C, false>(in, vc);
    for (int r = 0; r < R; ++r) {
      std::vector<float> row(in.begin() + r * vc, in.begin() + (r + 1) * vc);
      CHECK_FLOAT(out[r], static_cast<float>(laneSum(row)), "row " + std::to_string(r) + " vc " + std::to_string(vc));
      double exact = 0, mag = 0;
      for (float x : row) {
        exact += d(x);
        mag += std::fabs(d(x));
      }
      CHECK(std::fabs(d(out[r]) - exact) <= vc * std::ldexp(1.0, -24) * mag);
    }
  }
  // The order is observable: 1e8 + 1 + ... differs from a sequential sum.
  std::vector<float> in(static_cast<size_t>(R) * 32, 1.0f);
  for (int r = 0; r < R; ++r)
    in[static_cast<size_t>(r) * 32] = 1e8f;
  std::vector<float> out = rowReduce<float, R, C, false>(in, 32);
  float seq = 1e8f;
  for (int j = 1; j < 32; ++j)
    seq += 1.0f;
  CHECK(out[0] != seq);
  CHECK_EQ(d(out[0]), laneSum(std::vector<float>(in.begin(), in.begin() + 32)));
}

TEST(rowsum_f16_rounds_once) {
  constexpr int R = 16, C = 64;
  std::vector<half> in(static_cast<size_t>(R) * 48);
  t::Rng rng(14);
  for (half &x : in)
    x = static_cast<half>(rng.uniform(-100, 100));
  // A row whose f16 running sum would lose the small terms.
  for (int j = 0; j < 48; ++j)
    in[j] = static_cast<half>(j == 0 ? 2048.0 : 1.0);
  std::vector<half> out = rowReduce<half, R, C, false>(in, 48);
  for (int r = 0; r < R; ++r) {
    std::vector<float> row;
    for (int j = 0; j < 48; ++j)
      row.push_back(static_cast<float>(in[static_cast<size_t>(r) * 48 + j]));
    CHECK_FLOAT(out[r], t::refF16(laneSum(row)), "row " + std::to_string(r));
  }
  CHECK_EQ(static_cast<float>(out[0]), 2096.0f); // 2048 + 47 = 2095 -> even 2096
}

TEST(rowmax_nan_and_zero) {
  constexpr int R = 8, C = 64;
  std::vector<float> in(static_cast<size_t>(R) * 40, -5.0f);
  in[3] = 7.0f;                               // row 0: 7
  in[40 + 39] = kNaN;                         // row 1: NaN (last column)
  in[80] = -0.0f;                             // row 2: all negative but -0/+0
  in[81] = 0.0f;
  for (int j = 0; j < 40; ++j)
    in[120 + j] = -kInf;                      // row 3: -inf
  std::vector<float> out = rowReduce<float, R, C, true>(in, 40);
  CHECK_EQ(out[0], 7.0f);
  CHECK(std::isnan(out[1]));
  CHECK_EQ(t::bits(out[2]), 0u); // +0
  CHECK_EQ(out[3], -kInf);
  CHECK_EQ(out[4], -5.0f);
  std::vector<int32_t> ii(static_cast<size_t>(R) * 8, 3);
  ii[9] = INT32_MAX;
  std::vector<int32_t> s = rowReduce<int32_t, R, 64, false>(ii, 8);
  CHECK_EQ(s[0], 24);
  CHECK_EQ(s[1], static_cast<int32_t>(static_cast<uint32_t>(INT32_MAX) + 21u));
}

TEST(row_and_col_expand_mul) {
  constexpr int R = 8, C = 32;
  std::vector<float> a = f32Inputs(15, R * C), v(C);
  t::Rng rng(16);
  for (float &x : v)
    x = static_cast<float>(rng.uniform(-4, 4));
  std::vector<float> outRow(R * C), outCol(R * C);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(a.data(), a.size() * 4, "a");
    pto_ref::register_gm(v.data(), v.size() * 4, "v");
    pto_ref::register_gm(outRow.data(), outRow.size() * 4, "outRow");
    pto_ref::register_gm(outCol.data(), outCol.size() * 4, "outCol");
    VTile<float, R, C> ta, d1, d2;
    Tile<TileType::Vec, float, R, 1, BLayout::ColMajor> col; // v[0..R)
    VTile<float, 1, C> rowv;                                  // v[0..C)
    TASSIGN(ta, 0x0);
    TASSIGN(d1, 0x1000);
    TASSIGN(d2, 0x2000);
    TASSIGN(col, 0x3000);
    TASSIGN(rowv, 0x3100);
    auto ga = t::gmOf(a.data(), ta);
    TLOAD(ta, ga);
    GlobalTensor<float, Shape<1, 1, 1, R, 1>, Stride<1, 1, 1, 1, R>, Layout::DN> gc(v.data());
    TLOAD(col, gc);
    auto gr = t::gmOf(v.data(), rowv);
    TLOAD(rowv, gr);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TROWEXPANDMUL(d1, ta, col);
    TCOLEXPANDMUL(d2, ta, rowv);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    auto g1 = t::gmOf(outRow.data(), d1);
    TSTORE(g1, d1);
    auto g2 = t::gmOf(outCol.data(), d2);
    TSTORE(g2, d2);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      float x = a[static_cast<size_t>(r) * C + c];
      CHECK_FLOAT(outRow[static_cast<size_t>(r) * C + c], static_cast<float>(d(x) * d(v[r])), t::fstr(x));
      CHECK_FLOAT(outCol[static_cast<size_t>(r) * C + c], static_cast<float>(d(x) * d(v[c])), t::fstr(x));
    }
}

TEST(rowmax_f16_and_gather_types) {
  constexpr int R = 16, C = 64;
  std::vector<half> in = f16Inputs(36, R * 40);
  in[40 * 2 + 5] = half::fromBits(0x7e00);
  std::vector<half> out = rowReduce<half, R, C, true>(in, 40);
  for (int r = 0; r < R; ++r) {
    double m = -INFINITY;
    for (int j = 0; j < 40; ++j)
      m = refMax(m, d(in[static_cast<size_t>(r) * 40 + j]));
    CHECK_FLOAT(out[r], t::refF16(m), "row " + std::to_string(r));
  }
  std::vector<float> f = f32Inputs(37, 8 * 64);
  std::vector<int32_t> i = i32Inputs(38, 8 * 64);
  std::vector<float> fe(8 * 32);
  std::vector<int32_t> io(8 * 32);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(f.data(), f.size() * 4, "f");
    pto_ref::register_gm(i.data(), i.size() * 4, "i");
    pto_ref::register_gm(fe.data(), fe.size() * 4, "fe");
    pto_ref::register_gm(io.data(), io.size() * 4, "io");
    VTile<float, 8, 64> tf;
    VTile<float, 8, 32> tfe;
    VTile<int32_t, 8, 64> ti;
    VTile<int32_t, 8, 32> tio;
    TASSIGN(tf, 0);
    TASSIGN(tfe, 0x800);
    TASSIGN(ti, 0x1000);
    TASSIGN(tio, 0x1800);
    auto g0 = t::gmOf(f.data(), tf);
    TLOAD(tf, g0);
    auto g1 = t::gmOf(i.data(), ti);
    TLOAD(ti, g1);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TGATHER<VTile<float, 8, 32>, VTile<float, 8, 64>, MaskPattern::P0101>(tfe, tf);
    TGATHER<VTile<int32_t, 8, 32>, VTile<int32_t, 8, 64>, MaskPattern::P1010>(tio, ti);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto g2 = t::gmOf(fe.data(), tfe);
    TSTORE(g2, tfe);
    auto g3 = t::gmOf(io.data(), tio);
    TSTORE(g3, tio);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  for (size_t k = 0; k < fe.size(); ++k) {
    CHECK_BITS(fe[k], f[2 * k], std::to_string(k));
    CHECK_EQ(io[k], i[2 * k + 1]);
  }
}

//===----------------------------------------------------------------------===//
// Gather, scatter, moves
//===----------------------------------------------------------------------===//

TEST(gather_scatter_roundtrip_bf16) {
  constexpr int R = 4, C = 64;
  std::vector<bfloat16_t> in(R * C);
  for (size_t k = 0; k < in.size(); ++k)
    in[k] = bfloat16_t::fromBits(static_cast<uint16_t>(0x3f80 + k));
  std::vector<bfloat16_t> even(R * C / 2), odd(R * C / 2), back(R * C), swapped(R * C);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(in.data(), in.size() * 2, "in");
    pto_ref::register_gm(even.data(), even.size() * 2, "even");
    pto_ref::register_gm(odd.data(), odd.size() * 2, "odd");
    pto_ref::register_gm(back.data(), back.size() * 2, "back");
    pto_ref::register_gm(swapped.data(), swapped.size() * 2, "swapped");
    VTile<bfloat16_t, R, C> src, dst, dst2;
    VTile<bfloat16_t, R, C / 2> e, od;
    TASSIGN(src, 0x0);
    TASSIGN(e, 0x400);
    TASSIGN(od, 0x600);
    TASSIGN(dst, 0x800);
    TASSIGN(dst2, 0xc00);
    auto g = t::gmOf(in.data(), src);
    TLOAD(src, g);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TGATHER<VTile<bfloat16_t, R, C / 2>, VTile<bfloat16_t, R, C>, MaskPattern::P0101>(e, src);
    TGATHER<VTile<bfloat16_t, R, C / 2>, VTile<bfloat16_t, R, C>, MaskPattern::P1010>(od, src);
    pipe_barrier(PIPE_V);
    // Two scatters into one dst interleave again: other columns are kept.
    TSCATTER<MaskPattern::P0101, ScatterAxis::SCATTER_ROW, VTile<bfloat16_t, R, C>, VTile<bfloat16_t, R, C / 2>>(dst, e);
    pipe_barrier(PIPE_V);
    TSCATTER<MaskPattern::P1010, ScatterAxis::SCATTER_ROW, VTile<bfloat16_t, R, C>, VTile<bfloat16_t, R, C / 2>>(dst, od);
    // Swapped parities into another dst.
    TSCATTER<MaskPattern::P1010, ScatterAxis::SCATTER_ROW, VTile<bfloat16_t, R, C>, VTile<bfloat16_t, R, C / 2>>(dst2, e);
    pipe_barrier(PIPE_V);
    TSCATTER<MaskPattern::P0101, ScatterAxis::SCATTER_ROW, VTile<bfloat16_t, R, C>, VTile<bfloat16_t, R, C / 2>>(dst2, od);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto ge = t::gmOf(even.data(), e);
    TSTORE(ge, e);
    auto go = t::gmOf(odd.data(), od);
    TSTORE(go, od);
    auto gb = t::gmOf(back.data(), dst);
    TSTORE(gb, dst);
    auto gs = t::gmOf(swapped.data(), dst2);
    TSTORE(gs, dst2);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  for (int r = 0; r < R; ++r)
    for (int k = 0; k < C / 2; ++k) {
      CHECK_EQ(even[static_cast<size_t>(r) * C / 2 + k].bits(), in[static_cast<size_t>(r) * C + 2 * k].bits());
      CHECK_EQ(odd[static_cast<size_t>(r) * C / 2 + k].bits(), in[static_cast<size_t>(r) * C + 2 * k + 1].bits());
      CHECK_EQ(swapped[static_cast<size_t>(r) * C + 2 * k].bits(), in[static_cast<size_t>(r) * C + 2 * k + 1].bits());
    }
  for (size_t k = 0; k < in.size(); ++k)
    CHECK_EQ(back[k].bits(), in[k].bits());
}

TEST(tmov_vec_copies_bits) {
  std::vector<float> a = f32Inputs(17);
  auto out = t::mapKernel<float, float, 8, 32>({a}, [](auto &o, auto &i) { TMOV(o, i[0]); });
  for (size_t k = 0; k < a.size(); ++k)
    CHECK_BITS(out[k], a[k], t::fstr(a[k]));
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

namespace {

std::vector<float> castInputsF32() {
  std::vector<float> v = {
      0.0f, -0.0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 3.5f, -3.5f,
      std::nextafter(2.5f, 3.0f), std::nextafter(2.5f, 2.0f),
      std::nextafter(-2.5f, -3.0f), 127.5f, -128.5f, 126.5f, 300.0f, -300.0f,
      65504.0f, 65519.0f, 65520.0f, -65520.0f, 65535.9f, 70000.0f, -70000.0f,
      1e6f, -1e6f, 2147483520.0f, 2147483648.0f, -2147483648.0f, -2147483904.0f,
      3e9f, -3e9f, 1e-40f, -1e-40f, 1.4e-45f, 6e-8f, 2.98023224e-8f /*2^-25*/,
      4.47034836e-8f /*1.5*2^-25*/, 5.96046448e-8f /*2^-24*/, 6.1e-5f,
      1.00390625f /*bf16 tie*/, 1.01171875f, -1.00390625f, 3.3895314e38f,
      3.4028235e38f, -3.4028235e38f, kInf, -kInf, kNaN, -kNaN, 0.1f, -0.7f,
      16777217.0f, 1234.5678f};
  t::Rng rng(18);
  while (v.size() < 256) {
    uint32_t b = rng.next();
    v.push_back(pto_ref::fp::fromBits(b));
  }
  v.resize(256);
  return v;
}

template <typename D, typename S>
std::vector<D> cvt(const std::vector<S> &in, RoundMode mode, SaturationMode sat,
                   t::Outcome *outcome = nullptr) {
  constexpr int R = 8, C = 32;
  std::vector<S> src = in;
  src.resize(R * C);
  std::vector<D> out(R * C);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(src.data(), src.size() * sizeof(S), "src");
    pto_ref::register_gm(out.data(), out.size() * sizeof(D), "out");
    VTile<S, R, C> ts;
    VTile<D, R, C> td;
    TASSIGN(ts, 0x0);
    TASSIGN(td, 0x1000);
    auto gs = t::gmOf(src.data(), ts);
    TLOAD(ts, gs);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TCVT(td, ts, mode, sat);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto gd = t::gmOf(out.data(), td);
    TSTORE(gd, td);
    pipe_barrier(PIPE_ALL);
  });
  if (outcome)
    *outcome = o;
  else
    CHECK_MSG(o.count == 0, o.all());
  return out;
}

} // namespace

TEST(cast_f32_to_f16_bf16) {
  std::vector<float> in = castInputsF32();
  for (Mode m : t::kModes) {
    std::vector<half> h = cvt<half, float>(in, t::toRoundMode(m), SaturationMode::OFF);
    std::vector<bfloat16_t> b = cvt<bfloat16_t, float>(in, t::toRoundMode(m), SaturationMode::OFF);
    for (size_t k = 0; k < in.size(); ++k) {
      std::string what = std::string(t::modeName(m)) + " " + t::fstr(in[k]);
      CHECK_BITS(h[k], half::fromBits(t::f16Format().round(d(in[k]), m)), what);
      CHECK_BITS(b[k], bfloat16_t::fromBits(t::bf16Format().round(d(in[k]), m)), what);
    }
  }
  // The documented examples (docs/numerics.md).
  std::vector<half> h = cvt<half, float>({65519.0f, 65520.0f}, RoundMode::CAST_RINT, SaturationMode::OFF);
  CHECK_EQ(h[0].bits(), 0x7bff);
  CHECK_EQ(h[1].bits(), 0x7c00);
  h = cvt<half, float>({70000.0f, -70000.0f, 70000.0f, -70000.0f}, RoundMode::CAST_TRUNC, SaturationMode::OFF);
  CHECK_EQ(h[0].bits(), 0x7bff);
  CHECK_EQ(h[1].bits(), 0xfbff);
  h = cvt<half, float>({kNaN, -kNaN}, RoundMode::CAST_NONE, SaturationMode::OFF);
  CHECK_EQ(h[0].bits(), 0x7e00);
  CHECK_EQ(h[1].bits(), 0xfe00);
  std::vector<bfloat16_t> b = cvt<bfloat16_t, float>({kNaN}, RoundMode::CAST_RINT, SaturationMode::OFF);
  CHECK_EQ(b[0].bits(), 0x7fc0);
}

TEST(cast_f32_to_f32_integral) {
  std::vector<float> in = castInputsF32();
  for (Mode m : t::kModes) {
    std::vector<float> out = cvt<float, float>(in, t::toRoundMode(m), SaturationMode::OFF);
    for (size_t k = 0; k < in.size(); ++k) {
      float want = std::isnan(in[k]) ? in[k] : static_cast<float>(t::refRoundInt(d(in[k]), m));
      CHECK_FLOAT(out[k], want, std::string(t::modeName(m)) + " " + t::fstr(in[k]));
    }
  }
}

TEST(cast_float_to_int) {
  std::vector<float> in = castInputsF32();
  std::vector<half> hin = f16Inputs(19);
  for (half &x : hin)
    if ((x.bits() & 0x7fff) < 0x5000) // also ties: k + 0.5 values
      x = static_cast<half>(std::round(static_cast<float>(x) * 2) / 2);
  hin[20] = half::fromBits(0x7c00);
  hin[21] = half::fromBits(0xfc00);
  hin[22] = half::fromBits(0x7e00);
  hin[23] = static_cast<half>(-2.5);
  hin[24] = static_cast<half>(127.5);
  hin[25] = static_cast<half>(-128.5);
  for (Mode m : t::kModes) {
    RoundMode rm = t::toRoundMode(m);
    std::vector<int32_t> a = cvt<int32_t, float>(in, rm, SaturationMode::ON);
    std::vector<int32_t> b = cvt<int32_t, half>(hin, rm, SaturationMode::ON);
    std::vector<int8_t> c = cvt<int8_t, half>(hin, rm, SaturationMode::ON);
    for (size_t k = 0; k < in.size(); ++k) {
      std::string what = std::string(t::modeName(m)) + " " + t::fstr(in[k]);
      CHECK_BITS(a[k], static_cast<int32_t>(t::refToInt(d(in[k]), m, INT32_MIN, INT32_MAX)), what);
      double h = d(hin[k]);
      what = std::string(t::modeName(m)) + " " + t::fstr(h);
      CHECK_BITS(b[k], static_cast<int32_t>(t::refToInt(h, m, INT32_MIN, INT32_MAX)), what);
      CHECK_BITS(c[k], static_cast<int8_t>(t::refToInt(h, m, -128, 127)), what);
    }
  }
  std::vector<int32_t> ex = cvt<int32_t, float>({2.5f, -2.5f}, RoundMode::CAST_RINT, SaturationMode::ON);
  CHECK_EQ(ex[0], 2);
  CHECK_EQ(ex[1], -2);
  ex = cvt<int32_t, float>({2.5f, -2.5f}, RoundMode::CAST_ROUND, SaturationMode::ON);
  CHECK_EQ(ex[0], 3);
  CHECK_EQ(ex[1], -3);
  ex = cvt<int32_t, float>({-2.5f, -2.5f}, RoundMode::CAST_FLOOR, SaturationMode::ON);
  CHECK_EQ(ex[0], -3);
}

TEST(cast_widening_exact) {
  std::vector<half> h = f16Inputs(20);
  std::vector<float> f = cvt<float, half>(h, RoundMode::CAST_NONE, SaturationMode::OFF);
  for (size_t k = 0; k < h.size(); ++k)
    CHECK_FLOAT(f[k], static_cast<float>(h[k]), t::fstr(d(h[k])));
  std::vector<bfloat16_t> b(256);
  for (size_t k = 0; k < b.size(); ++k)
    b[k] = bfloat16_t::fromBits(static_cast<uint16_t>(k * 257 + 1));
  b[0] = bfloat16_t::fromBits(0x7fa1); // NaN payload kept
  f = cvt<float, bfloat16_t>(b, RoundMode::CAST_NONE, SaturationMode::OFF);
  for (size_t k = 0; k < b.size(); ++k)
    CHECK_EQ(t::bits(f[k]), static_cast<uint32_t>(b[k].bits()) << 16);
  std::vector<int8_t> q(256);
  for (int k = 0; k < 256; ++k)
    q[k] = static_cast<int8_t>(k - 128);
  std::vector<half> hq = cvt<half, int8_t>(q, RoundMode::CAST_NONE, SaturationMode::OFF);
  for (int k = 0; k < 256; ++k)
    CHECK_EQ(static_cast<float>(hq[k]), static_cast<float>(k - 128));
}

TEST(cast_i32_to_float) {
  std::vector<int32_t> in = i32Inputs(21);
  in[11] = 16777217;
  in[12] = -16777217;
  in[13] = 16777219;
  in[14] = 2049;
  in[15] = 2051;
  in[16] = 65504 + 15;
  in[17] = 65520;
  in[18] = 70000;
  in[19] = -70000;
  for (int k = 0; k < 40; ++k)
    in[40 + k] = (k - 20) * 1000 + 1; // within f16 range
  for (Mode m : t::kModes) {
    std::vector<float> f = cvt<float, int32_t>(in, t::toRoundMode(m), SaturationMode::OFF);
    for (size_t k = 0; k < in.size(); ++k)
      CHECK_BITS(f[k], t::refIntToF32(in[k], m), std::string(t::modeName(m)) + " " + std::to_string(in[k]));
    if constexpr (!pto_ref::kIsA5) {
      // i32 -> f16 exists on a2a3 (vconv_deq) and is faithful for rint only.
      if (m == Mode::Rint) {
        std::vector<half> h = cvt<half, int32_t>(in, RoundMode::CAST_RINT, SaturationMode::OFF);
        for (size_t k = 0; k < in.size(); ++k)
          CHECK_BITS(h[k], half::fromBits(t::f16Format().round(double(in[k]), Mode::Rint)),
                     std::to_string(in[k]));
      }
    }
  }
  CHECK_EQ((cvt<float, int32_t>({16777217}, RoundMode::CAST_RINT, SaturationMode::OFF)[0]), 16777216.0f);
  CHECK_EQ((cvt<float, int32_t>({16777217}, RoundMode::CAST_CEIL, SaturationMode::OFF)[0]), 16777218.0f);
}

TEST(cast_mode_checks) {
  t::Outcome o;
  // CAST_NONE truncates float -> int in pto-isa; Tessel means rint.
  cvt<int32_t, float>({2.5f}, RoundMode::CAST_NONE, SaturationMode::ON, &o);
  CHECK_EQ(o.count, size_t(1));
  CHECK(o.has("RoundMode::CAST_NONE on f32 -> i32"));
  cvt<int8_t, half>({half()}, RoundMode::CAST_TRUNC, SaturationMode::OFF, &o);
  CHECK(o.has("SaturationMode::OFF on f16 -> i8"));
  cvt<half, float>({1.0f}, RoundMode::CAST_RINT, SaturationMode::ON, &o);
  CHECK(o.has("SaturationMode::ON on f32 -> f16"));
  cvt<half, float>({1.0f}, RoundMode::CAST_ODD, SaturationMode::OFF, &o);
  CHECK(o.has("CAST_ODD"));
  // Exact conversions accept any mode.
  cvt<float, half>({half()}, RoundMode::CAST_FLOOR, SaturationMode::ON, &o);
  CHECK_EQ(o.count, size_t(0));
  if constexpr (!pto_ref::kIsA5) {
    cvt<half, int32_t>({1}, RoundMode::CAST_FLOOR, SaturationMode::OFF, &o);
    CHECK(o.has("vconv_deq"));
  }
}

//===----------------------------------------------------------------------===//
// Data movement and the cube
//===----------------------------------------------------------------------===//

TEST(load_store_valid_region_and_pitch) {
  // A 5 x 20 region of a 9 x 33 GM matrix into a 8 x 32 tile and back to a
  // 5 x 20 region of another pitch.
  std::vector<float> src(9 * 33), dst(6 * 41, -1.0f);
  for (size_t k = 0; k < src.size(); ++k)
    src[k] = static_cast<float>(k);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(src.data(), src.size() * 4, "src");
    pto_ref::register_gm(dst.data(), dst.size() * 4, "dst");
    Tile<TileType::Vec, float, 8, 32, BLayout::RowMajor, 5, 20> t0;
    TASSIGN(t0, 0x100);
    GlobalTensor<float, Shape<1, 1, 1, 5, 20>, Stride<1, 1, 1, 33, 1>> g(src.data() + 2 * 33 + 3);
    TLOAD(t0, g);
    set_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID3);
    wait_flag(PIPE_MTE2, PIPE_MTE3, EVENT_ID3);
    GlobalTensor<float, Shape<1, 1, 1, 5, 20>, Stride<1, 1, 1, 41, 1>> h(dst.data() + 41 + 1);
    TSTORE(h, t0);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  for (int r = 0; r < 6; ++r)
    for (int c = 0; c < 41; ++c) {
      bool in = r >= 1 && r < 6 && c >= 1 && c < 21;
      float want = in ? src[static_cast<size_t>(r - 1 + 2) * 33 + (c - 1 + 3)] : -1.0f;
      CHECK_EQ(dst[static_cast<size_t>(r) * 41 + c], want);
    }
}

namespace {

/// GM -> L1 -> L0A/L0B -> TMATMUL (+ TMATMUL_ACC with a second K block) ->
/// GM, with every synchronisation. Returns C (M x N).
template <typename C, typename A, int M, int K, int N>
std::vector<C> cubeKernel(const std::vector<A> &a, const std::vector<A> &b,
                          bool fourArgAcc) {
  // a is M x 2K, b is 2K x N: C = a[:, :K] b[:K] + a[:, K:] b[K:].
  std::vector<C> out(M * N);
  t::Outcome o = t::runCase([&] {
    pto_ref::register_gm(const_cast<A *>(a.data()), a.size() * sizeof(A), "a");
    pto_ref::register_gm(const_cast<A *>(b.data()), b.size() * sizeof(A), "b");
    pto_ref::register_gm(out.data(), out.size() * sizeof(C), "c");
    using MatA = Tile<TileType::Mat, A, M, K, BLayout::ColMajor, M, K, SLayout::RowMajor>;
    using MatB = Tile<TileType::Mat, A, K, N, BLayout::ColMajor, K, N, SLayout::RowMajor>;
    MatA la[2];
    MatB lb[2];
    TileLeft<A, M, K, M, K> l0a[2];
    TileRight<A, K, N, K, N> l0b[2];
    TileAcc<C, M, N, M, N> acc, acc2;
    for (int s = 0; s < 2; ++s) {
      TASSIGN(la[s], s * 0x10000);
      TASSIGN(lb[s], 0x20000 + s * 0x10000);
      TASSIGN(l0a[s], s * 0x4000);
      TASSIGN(l0b[s], s * 0x4000);
      GlobalTensor<A, Shape<1, 1, 1, M, K>, Stride<1, 1, 1, 2 * K, 1>> ga(const_cast<A *>(a.data()) + s * K);
      GlobalTensor<A, Shape<1, 1, 1, K, N>, Stride<1, 1, 1, N, 1>> gb(const_cast<A *>(b.data()) + s * K * N);
      TLOAD(la[s], ga);
      TLOAD(lb[s], gb);
    }
    TASSIGN(acc, 0x0);
    TASSIGN(acc2, 0x8000);
    set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
    for (int s = 0; s < 2; ++s) {
      TMOV(l0a[s], la[s]);
      TMOV(l0b[s], lb[s]);
    }
    set_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
    wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
    TMATMUL(acc, l0a[0], l0b[0]);
    if (fourArgAcc)
      TMATMUL_ACC(acc2, acc, l0a[1], l0b[1]);
    else
      TMATMUL_ACC(acc, l0a[1], l0b[1]);
    set_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
    wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
    GlobalTensor<C, Shape<1, 1, 1, M, N>, Stride<1, 1, 1, N, 1>> gc(out.data());
    TSTORE(gc, fourArgAcc ? acc2 : acc);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, o.all());
  return out;
}

template <typename A, typename Gen> void matmulCase(Gen gen, bool fourArg) {
  constexpr int M = 16, K = 32, N = 32;
  using C = std::conditional_t<std::is_same_v<A, int8_t>, int32_t, float>;
  std::vector<A> a(M * 2 * K), b(2 * K * N);
  t::Rng rng(22);
  for (A &x : a)
    x = gen(rng);
  for (A &x : b)
    x = gen(rng);
  std::vector<C> c = cubeKernel<C, A, M, K, N>(a, b, fourArg);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      // k increasing, one rounding per step; every step is exact in double
      // for these inputs, so the double sum rounded is the f32 fma.
      int64_t iacc = 0;
      float facc = 0.0f;
      for (int k = 0; k < 2 * K; ++k) {
        A av = a[static_cast<size_t>(i) * 2 * K + k];
        A bv = b[static_cast<size_t>(k) * N + j];
        if constexpr (std::is_same_v<A, int8_t>)
          iacc += int64_t(av) * int64_t(bv);
        else
          facc = static_cast<float>(d(facc) + d(av) * d(bv));
      }
      if constexpr (std::is_same_v<A, int8_t>)
        CHECK_EQ(c[static_cast<size_t>(i) * N + j], static_cast<int32_t>(iacc));
      else
        CHECK_FLOAT(c[static_cast<size_t>(i) * N + j], facc, std::to_string(i) + "," + std::to_string(j));
    }
}

} // namespace

TEST(matmul_f16) {
  matmulCase<half>([](t::Rng &r) { return static_cast<half>(r.uniform(-2, 2)); }, false);
}

TEST(matmul_bf16_four_arg_acc) {
  matmulCase<bfloat16_t>([](t::Rng &r) { return static_cast<bfloat16_t>(r.uniform(-2, 2)); }, true);
}

TEST(matmul_f32) {
  // Few significant bits, so every product and partial sum is exact in
  // double and the reference's double sum rounds like the fma.
  matmulCase<float>([](t::Rng &r) { return static_cast<float>(std::round(r.uniform(-4, 4) * 64) / 64); }, false);
}

TEST(matmul_i8) {
  matmulCase<int8_t>([](t::Rng &r) { return static_cast<int8_t>(r.next()); }, false);
}

TEST(matmul_f32_fma_is_one_rounding) {
  // Step 0 leaves -(1 + 2^-11); step 1 adds (1 + 2^-12)^2 = 1 + 2^-11 +
  // 2^-24, a product that is not exact in f32. One fused multiply-add gives
  // 2^-24; a rounded product then an addition would give 0.
  constexpr int M = 16, K = 16, N = 16;
  std::vector<float> a(M * 2 * K, 0.0f), b(2 * K * N, 0.0f);
  a[0] = -1.0f;
  b[0] = 1.0f + 0x1p-11f;
  a[1] = 1.0f + 0x1p-12f;
  b[static_cast<size_t>(1) * N] = 1.0f + 0x1p-12f;
  std::vector<float> c = cubeKernel<float, float, M, K, N>(a, b, false);
  CHECK_EQ(c[0], 0x1p-24f);
}

//===----------------------------------------------------------------------===//
// TCMP / TCMPS / TSEL
//===----------------------------------------------------------------------===//

namespace {

/// TCMP / TCMPS (via `cmp`) into a uint8_t view of an 8 x 32 int8_t mask
/// (Tessel's mask tile), the bytes past 4 (32 columns / 8) zeroed as the
/// emitter does (TFILLPAD_INPLACE).
template <typename T, typename Cmp>
std::vector<uint8_t> maskKernel(std::vector<std::vector<T>> ins, Cmp &&cmp) {
  auto out = t::mapKernel<int8_t, T>(ins, [&](auto &, auto &i) {
    Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 32> u8;
    TASSIGN(u8, 0x20000);
    cmp(u8, i);
    pipe_barrier(PIPE_V);
    Tile<TileType::Vec, int8_t, 8, 32, BLayout::RowMajor, 8, 32,
         SLayout::NoneBox, 512, PadValue::Zero>
        whole;
    Tile<TileType::Vec, int8_t, 8, 32, BLayout::RowMajor, 8, 4> bits;
    TASSIGN(whole, 0x20000);
    TASSIGN(bits, 0x20000);
    TFILLPAD_INPLACE(whole, bits);
  });
  return std::vector<uint8_t>(out.begin(), out.end());
}

bool maskBit(const std::vector<uint8_t> &m, size_t r, size_t c) {
  return (m[r * 32 + c / 8] >> (c % 8)) & 1u;
}

bool cmpRef(double a, double b, CmpMode mode) {
  switch (mode) {
  case CmpMode::EQ: return a == b;
  case CmpMode::NE: return a != b;
  case CmpMode::LT: return a < b;
  case CmpMode::LE: return a <= b;
  case CmpMode::GT: return a > b;
  case CmpMode::GE: return a >= b;
  }
  return false;
}

const CmpMode kModes[] = {CmpMode::EQ, CmpMode::NE, CmpMode::LT,
                          CmpMode::LE, CmpMode::GT, CmpMode::GE};

} // namespace

TEST(cmp_f32_f16_bits_nan_and_signed_zero) {
  // Column c of row r: a = (c % 5) - 2, b = (r % 3) - 1, with NaNs,
  // -0 against +0 (equal) and infinities in row 0.
  std::vector<float> a(8 * 32), b(8 * 32);
  for (size_t r = 0; r < 8; ++r)
    for (size_t c = 0; c < 32; ++c) {
      a[r * 32 + c] = static_cast<float>(c % 5) - 2.0f;
      b[r * 32 + c] = static_cast<float>(r % 3) - 1.0f;
    }
  a[3] = NAN;
  b[4] = NAN;
  a[5] = -0.0f;
  b[5] = 0.0f;
  a[6] = INFINITY;
  b[7] = -INFINITY;
  std::vector<half> ah(a.size()), bh(b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    ah[k] = static_cast<half>(a[k]);
    bh[k] = static_cast<half>(b[k]);
  }
  for (CmpMode mode : kModes) {
    auto m = maskKernel<float>({a, b}, [&](auto &o, auto &i) {
      TCMP(o, i[0], i[1], mode);
    });
    auto mh = maskKernel<half>({ah, bh}, [&](auto &o, auto &i) {
      TCMP(o, i[0], i[1], mode);
    });
    auto ms = maskKernel<float>({a}, [&](auto &o, auto &i) {
      TCMPS(o, i[0], 0.0f, mode);
    });
    for (size_t r = 0; r < 8; ++r) {
      for (size_t c = 0; c < 32; ++c) {
        size_t k = r * 32 + c;
        CHECK_EQ(maskBit(m, r, c), cmpRef(a[k], b[k], mode));
        CHECK_EQ(maskBit(mh, r, c), cmpRef(a[k], b[k], mode));
        CHECK_EQ(maskBit(ms, r, c), cmpRef(a[k], 0.0, mode));
      }
      for (size_t k = 4; k < 32; ++k) {
        CHECK_EQ(m[r * 32 + k], 0);
        CHECK_EQ(ms[r * 32 + k], 0);
      }
    }
  }
}

TEST(cmp_i32_eq_ne_and_a5_ordering) {
  std::vector<int32_t> a(8 * 32), b(8 * 32);
  for (size_t k = 0; k < a.size(); ++k) {
    a[k] = static_cast<int32_t>(k % 7) - 3;
    b[k] = static_cast<int32_t>(k % 3) - 1;
  }
  a[0] = INT32_MIN;
  b[1] = INT32_MAX;
  for (CmpMode mode : kModes) {
    if (!pto_ref::kIsA5 && mode != CmpMode::EQ && mode != CmpMode::NE)
      continue; // an error on a2a3: test_checks
    auto m = maskKernel<int32_t>({a, b}, [&](auto &o, auto &i) {
      TCMP(o, i[0], i[1], mode);
    });
    auto ms = maskKernel<int32_t>({a}, [&](auto &o, auto &i) {
      TCMPS(o, i[0], -1, mode);
    });
    for (size_t r = 0; r < 8; ++r)
      for (size_t c = 0; c < 32; ++c) {
        size_t k = r * 32 + c;
        CHECK_EQ(maskBit(m, r, c), cmpRef(a[k], b[k], mode));
        CHECK_EQ(maskBit(ms, r, c), cmpRef(a[k], -1, mode));
      }
  }
}

TEST(sel_by_mask_f32_f16_i32) {
  // The mask of a > 0 selects a, else b; sel copies bits (a NaN's payload
  // and -0 survive).
  std::vector<float> a(8 * 32), b(8 * 32);
  for (size_t k = 0; k < a.size(); ++k) {
    a[k] = static_cast<float>(static_cast<int>(k % 9) - 4);
    b[k] = static_cast<float>(k) + 0.5f;
  }
  b[0] = -0.0f;
  b[1] = pto_ref::fp::fromBits(0x7fc01234u);
  auto run = [&](auto zero, auto conv) {
    using T = decltype(zero);
    std::vector<T> x(a.size()), y(b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      x[k] = conv(a[k]);
      y[k] = conv(b[k]);
    }
    auto o = t::mapKernel<T, T>({x, y}, [&](auto &o, auto &i) {
      Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 32> m;
      t::VTile<uint8_t, 1, 32> tmp;
      TASSIGN(m, 0x24000);
      TASSIGN(tmp, 0x25000);
      TCMPS(m, i[0], zero, CmpMode::GT);
      pipe_barrier(PIPE_V);
      TSEL(o, m, i[0], i[1], tmp);
    });
    for (size_t k = 0; k < a.size(); ++k)
      CHECK_EQ(t::bits(o[k]), t::bits(a[k] > 0 ? x[k] : y[k]));
  };
  run(0.0f, [](float v) { return v; });
  run(static_cast<half>(0.0f), [](float v) { return static_cast<half>(v); });
  std::vector<int32_t> ai(a.size()), bi(b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    ai[k] = static_cast<int32_t>(a[k]);
    bi[k] = static_cast<int32_t>(k) * 1000;
  }
  // int32_t tiles: the mask of ai == 0 (EQ: both targets).
  auto o = t::mapKernel<int32_t, int32_t>({ai, bi}, [&](auto &o, auto &i) {
    Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 32> m;
    t::VTile<uint8_t, 1, 32> tmp;
    TASSIGN(m, 0x24000);
    TASSIGN(tmp, 0x25000);
    TCMPS(m, i[0], 0, CmpMode::EQ);
    pipe_barrier(PIPE_V);
    TSEL(o, m, i[0], i[1], tmp);
  });
  for (size_t k = 0; k < ai.size(); ++k)
    CHECK_EQ(o[k], ai[k] == 0 ? ai[k] : bi[k]);
}

//===----------------------------------------------------------------------===//
// TSORT32
//===----------------------------------------------------------------------===//

TEST(sort32_order_nan_ties_shared_index) {
  // Row r, column c: value (c * 7 + r) % 5 - 2 (many ties), index 100 - c
  // from a shared 1 x 64 index; NaNs of both signs, -0 and +0, +-inf.
  constexpr int R = 2, C = 64;
  std::vector<float> v(R * C);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      v[r * C + c] = static_cast<float>((c * 7 + r) % 5 - 2);
  v[1] = NAN;
  v[2] = -NAN;
  v[3] = INFINITY;
  v[4] = -INFINITY;
  v[5] = -0.0f;
  v[6] = 0.0f;
  std::vector<uint32_t> ix(C);
  for (int c = 0; c < C; ++c)
    ix[c] = 100u - static_cast<uint32_t>(c);
  ix[7] = ix[8]; // an equal index: position decides
  // The expected order, written independently: rank by (class, value),
  // NaN+ first, -NaN last.
  auto rank = [](float x) -> double {
    if (std::isnan(x))
      return std::signbit(x) ? -HUGE_VAL : HUGE_VAL;
    if (std::isinf(x))
      return x > 0 ? 1e300 : -1e300;
    return x == 0 ? 0.0 : x;
  };
  t::Outcome o = t::runCase([&] {
    t::VTile<float, R, C> src;
    t::VTile<float, R, 2 * C> dst;
    pto::Tile<TileType::Vec, uint32_t, 1, C, BLayout::RowMajor, 1, C> idx;
    TASSIGN(src, 0);
    TASSIGN(dst, 0x1000);
    TASSIGN(idx, 0x2000);
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c)
        src.SetValue(r * C + c, v[r * C + c]);
    for (int c = 0; c < C; ++c)
      idx.SetValue(c, ix[c]);
    set_flag(PIPE_S, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
    TSORT32(dst, src, idx);
    set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
    for (int r = 0; r < R; ++r)
      for (int b = 0; b < C; b += 32) {
        std::vector<int> want(32);
        for (int k = 0; k < 32; ++k)
          want[k] = b + k;
        std::stable_sort(want.begin(), want.end(), [&](int x, int y) {
          double a = rank(v[r * C + x]), z = rank(v[r * C + y]);
          if (a != z)
            return a > z;
          return ix[x] < ix[y];
        });
        for (int k = 0; k < 32; ++k) {
          float got = dst.GetValue(r * 2 * C + 2 * (b + k));
          float gi = dst.GetValue(r * 2 * C + 2 * (b + k) + 1);
          CHECK_EQ(t::bits(got), t::bits(v[r * C + want[k]]));
          CHECK_EQ(pto_ref::fp::bitsOf(gi), ix[want[k]]);
        }
      }
  });
  CHECK_MSG(o.count == 0, o.all());
}

TEST(mrgsort_single_list_is_a_stable_merge) {
  // Two groups of 4 runs of 32 f32 pairs (blockLen 64): each run sorted
  // descending with values shared between runs (ties go to the earlier
  // run), the index = 1000 * run + position. Merging sorted runs with ties
  // to the earlier run is a stable sort by value descending of the runs
  // concatenated.
  constexpr int C = 512, L = 64;
  std::vector<float> src(C);
  for (int g = 0; g < 2; ++g)
    for (int r = 0; r < 4; ++r)
      for (int p = 0; p < 32; ++p) {
        int at = g * 4 * L + r * L + 2 * p;
        src[at] = static_cast<float>(40 - p - ((p * r + g) % 3));
        src[at + 1] = pto_ref::fp::fromBits(static_cast<uint32_t>(1000 * r + p));
      }
  for (int g = 0; g < 2; ++g)
    for (int r = 0; r < 4; ++r) // make each run descending
      for (int p = 1; p < 32; ++p) {
        int at = g * 4 * L + r * L + 2 * p;
        if (src[at] > src[at - 2])
          src[at] = src[at - 2];
      }
  t::Outcome o = t::runCase([&] {
    t::VTile<float, 1, C> s, d;
    TASSIGN(s, 0);
    TASSIGN(d, 0x1000);
    for (int c = 0; c < C; ++c)
      s.SetValue(c, src[c]);
    set_flag(PIPE_S, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
    TMRGSORT(d, s, L);
    set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
    for (int g = 0; g < 2; ++g) {
      std::vector<int> want(128);
      for (int k = 0; k < 128; ++k)
        want[k] = g * 4 * L + 2 * k;
      std::stable_sort(want.begin(), want.end(),
                       [&](int x, int y) { return src[x] > src[y]; });
      for (int k = 0; k < 128; ++k) {
        CHECK_EQ(d.GetValue(g * 4 * L + 2 * k), src[want[k]]);
        CHECK_EQ(t::bits(d.GetValue(g * 4 * L + 2 * k + 1)),
                 t::bits(src[want[k] + 1]));
      }
    }
  });
  CHECK_MSG(o.count == 0, o.all());
}

TEST(prelu_f32_f16_zero_nan_and_rounding) {
  // x > 0 keeps x; otherwise x * slope rounded once: +0 and -0 take the
  // product (+0 * -2 = -0), a NaN stays NaN.
  std::vector<float> x(8 * 32), a(8 * 32);
  for (size_t k = 0; k < x.size(); ++k) {
    x[k] = static_cast<float>(static_cast<int>(k % 11) - 5) * 0.3f;
    a[k] = static_cast<float>(static_cast<int>(k % 7) - 3) * 0.7f;
  }
  x[0] = 0.0f;
  a[0] = -2.0f;
  x[1] = -0.0f;
  a[1] = 3.0f;
  x[2] = NAN;
  auto run = [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> xs(x.size()), as(a.size());
    for (size_t k = 0; k < x.size(); ++k) {
      xs[k] = static_cast<T>(x[k]);
      as[k] = static_cast<T>(a[k]);
    }
    auto o = t::mapKernel<T, T>({xs, as}, [&](auto &o, auto &i) {
      Tile<TileType::Vec, uint8_t, 9, 32, BLayout::RowMajor, 9, 32> tmp;
      TASSIGN(tmp, 0x24000);
      TPRELU(o, i[0], i[1], tmp);
    });
    for (size_t k = 0; k < x.size(); ++k) {
      double xv = static_cast<double>(static_cast<float>(xs[k]));
      double p = xv * static_cast<float>(as[k]); // exact in double
      T want = xv > 0 ? xs[k] : static_cast<T>(static_cast<float>(p));
      if constexpr (std::is_same_v<T, half>)
        if (!(xv > 0))
          want = t::refF16(p);
      CHECK_EQ(t::bits(o[k]), t::bits(want));
    }
  };
  run(0.0f);
  run(static_cast<half>(0.0f));
}

TEST(mrgsort_lists_merge_with_ties_to_the_earlier_list) {
  // Three sorted f32 lists of 8, 16 and 8 pairs with shared values: the
  // merge is the stable sort of their concatenation by value descending.
  std::vector<float> l0(16), l1(32), l2(16);
  auto fill = [](std::vector<float> &l, int list, int step) {
    for (size_t p = 0; p < l.size() / 2; ++p) {
      l[2 * p] = static_cast<float>(20 - step * static_cast<int>(p));
      l[2 * p + 1] = pto_ref::fp::fromBits(static_cast<uint32_t>(100 * list + p));
    }
  };
  fill(l0, 0, 2);
  fill(l1, 1, 1);
  fill(l2, 2, 3);
  std::vector<float> all;
  for (auto *l : {&l0, &l1, &l2})
    all.insert(all.end(), l->begin(), l->end());
  std::vector<int> want(all.size() / 2);
  for (size_t k = 0; k < want.size(); ++k)
    want[k] = static_cast<int>(2 * k);
  std::stable_sort(want.begin(), want.end(),
                   [&](int x, int y) { return all[x] > all[y]; });
  t::Outcome o = t::runCase([&] {
    t::VTile<float, 1, 16> a, c;
    t::VTile<float, 1, 32> b;
    t::VTile<float, 1, 64> d, tmp;
    TASSIGN(a, 0);
    TASSIGN(b, 0x100);
    TASSIGN(c, 0x200);
    TASSIGN(d, 0x300);
    TASSIGN(tmp, 0x400);
    for (int k = 0; k < 16; ++k) {
      a.SetValue(k, l0[k]);
      c.SetValue(k, l2[k]);
    }
    for (int k = 0; k < 32; ++k)
      b.SetValue(k, l1[k]);
    set_flag(PIPE_S, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
    MrgSortExecutedNumList executed{};
    TMRGSORT<decltype(d), decltype(tmp), decltype(a), decltype(b),
             decltype(c), false>(d, executed, tmp, a, b, c);
    set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
    for (size_t k = 0; k < want.size(); ++k) {
      CHECK_EQ(d.GetValue(2 * k), all[want[k]]);
      CHECK_EQ(t::bits(d.GetValue(2 * k + 1)), t::bits(all[want[k] + 1]));
    }
  });
  CHECK_MSG(o.count == 0, o.all());
}

int main(int argc, char **argv) { return t::runAll(argc, argv); }
