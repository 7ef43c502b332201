//===- test_util.hpp - Checks and kernels of the reference's tests -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// A minimal test framework (TEST, CHECK, CHECK_EQ, CHECK_BITS), a runner
// that executes a kernel body as one reference run and returns its
// violations, small load -> compute -> store kernels, and reference
// roundings that do not share code with the implementation: f16 / bf16
// results are found by searching the sorted list of every finite value of
// the format in double precision, integer results by rounding in double.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_TEST_UTIL_HPP
#define PTO_REF_TEST_UTIL_HPP

#include <pto/pto-inst.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

//===----------------------------------------------------------------------===//
// Framework
//===----------------------------------------------------------------------===//

namespace t {

struct Registry {
  std::vector<std::pair<const char *, void (*)()>> tests;
  int checks = 0;
  int failures = 0;
  const char *current = "";
  static Registry &get() {
    static Registry r;
    return r;
  }
};

struct Registrar {
  Registrar(const char *name, void (*fn)()) {
    Registry::get().tests.push_back({name, fn});
  }
};

inline void fail(const char *file, int line, const std::string &what) {
  Registry &r = Registry::get();
  ++r.failures;
  std::fprintf(stderr, "FAIL [%s] %s:%d: %s\n", r.current, file, line,
               what.c_str());
}

inline int runAll(int argc, char **argv) {
  Registry &r = Registry::get();
  int ran = 0;
  for (auto &[name, fn] : r.tests) {
    if (argc > 1 && std::strstr(name, argv[1]) == nullptr)
      continue;
    r.current = name;
    int before = r.failures;
    fn();
    ++ran;
    std::printf("%s %s\n", r.failures == before ? "ok  " : "FAIL", name);
  }
  std::printf("%d tests, %d checks, %d failures [%s]\n", ran, r.checks,
              r.failures, pto_ref::targetName());
  return r.failures == 0 ? 0 : 1;
}

} // namespace t

#define TEST(name)                                                             \
  static void name();                                                          \
  static t::Registrar registrar_##name(#name, name);                           \
  static void name()

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++t::Registry::get().checks;                                               \
    if (!(cond))                                                               \
      t::fail(__FILE__, __LINE__, "CHECK(" #cond ")");                         \
  } while (0)

#define CHECK_MSG(cond, msg)                                                   \
  do {                                                                         \
    ++t::Registry::get().checks;                                               \
    if (!(cond))                                                               \
      t::fail(__FILE__, __LINE__, std::string("CHECK(" #cond "): ") + (msg));  \
  } while (0)

#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    ++t::Registry::get().checks;                                               \
    auto va_ = (a);                                                            \
    auto vb_ = (b);                                                            \
    if (!(va_ == vb_))                                                         \
      t::fail(__FILE__, __LINE__,                                              \
              std::string("CHECK_EQ(" #a ", " #b "): ") +                      \
                  std::to_string(va_) + " != " + std::to_string(vb_));         \
  } while (0)

namespace t {

inline uint32_t bits(float f) { return pto_ref::fp::bitsOf(f); }
inline uint32_t bits(half h) { return h.storage; }
inline uint32_t bits(bfloat16_t b) { return b.storage; }
inline uint32_t bits(int32_t i) { return static_cast<uint32_t>(i); }
inline uint32_t bits(int8_t i) { return static_cast<uint8_t>(i); }

inline std::string hexs(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

} // namespace t

/// Equality of a float result: bitwise, except that any NaN matches an
/// expected NaN (payloads are not part of the arithmetic contract).
#define CHECK_FLOAT(got, want, input)                                          \
  do {                                                                         \
    ++t::Registry::get().checks;                                               \
    float gf_ = static_cast<float>(got), wf_ = static_cast<float>(want);       \
    bool ok_ = std::isnan(wf_) ? std::isnan(gf_) : t::bits(gf_) == t::bits(wf_); \
    if (!ok_)                                                                  \
      t::fail(__FILE__, __LINE__,                                              \
              std::string("got ") + t::fstr(gf_) + " (" + t::hexs(t::bits(gf_)) + \
                  "), expected " + t::fstr(wf_) + " (" +                       \
                  t::hexs(t::bits(wf_)) + ") for input " + (input));           \
  } while (0)

/// Bitwise equality of two element values, with the input in the message.
#define CHECK_BITS(got, want, input)                                           \
  do {                                                                         \
    ++t::Registry::get().checks;                                               \
    uint32_t g_ = t::bits(got), w_ = t::bits(want);                            \
    if (g_ != w_)                                                              \
      t::fail(__FILE__, __LINE__,                                              \
              std::string("bits ") + t::hexs(g_) + " != expected " +           \
                  t::hexs(w_) + " for input " + (input));                      \
  } while (0)

//===----------------------------------------------------------------------===//
// Runs
//===----------------------------------------------------------------------===//

namespace t {

struct Outcome {
  std::size_t count = 0;
  std::vector<std::string> messages;

  bool has(const std::string &needle) const {
    for (const std::string &m : messages)
      if (m.find(needle) != std::string::npos)
        return true;
    return false;
  }
  std::string all() const {
    std::string s = std::to_string(count) + " violation(s)";
    for (const std::string &m : messages)
      s += "\n  " + m;
    return s;
  }
};

/// Runs `body` as one reference run (it registers its own GM).
inline Outcome runCase(const std::function<void()> &body,
                       pto_ref::RunOptions options = pto_ref::RunOptions{}) {
  pto_ref::begin_run(options);
  try {
    body();
  } catch (const pto_ref::RunAborted &) {
  }
  Outcome o;
  o.count = pto_ref::end_run();
  o.messages = pto_ref::violations();
  return o;
}

template <typename T, int R, int C>
using VTile = pto::Tile<pto::TileType::Vec, T, R, C>;

template <typename T>
using Gm2 = pto::GlobalTensor<T, pto::Shape<1, 1, 1, pto::DYNAMIC, pto::DYNAMIC>,
                              pto::Stride<1, 1, 1, pto::DYNAMIC, 1>>;

template <typename TileT>
inline Gm2<typename TileT::DType> gmOf(typename TileT::DType *p,
                                       const TileT &t) {
  using S = pto::Shape<1, 1, 1, pto::DYNAMIC, pto::DYNAMIC>;
  using St = pto::Stride<1, 1, 1, pto::DYNAMIC, 1>;
  return Gm2<typename TileT::DType>(
      p, S(static_cast<int64_t>(t.GetValidRow()),
           static_cast<int64_t>(t.GetValidCol())),
      St(static_cast<int64_t>(t.GetValidCol())));
}

/// Loads ins[i] into a R x C tile each, runs body(out, inputs), stores out.
/// The run must be clean; returns the output.
template <typename TO, typename TI, int R = 8, int C = 32, typename Fn>
inline std::vector<TO> mapKernel(std::vector<std::vector<TI>> ins, Fn &&body,
                                 const char *what = "") {
  std::vector<TO> out(static_cast<size_t>(R) * C);
  for (auto &v : ins)
    v.resize(static_cast<size_t>(R) * C, v.empty() ? TI() : v[0]);
  Outcome o = runCase([&] {
    for (size_t i = 0; i < ins.size(); ++i)
      pto_ref::register_gm(ins[i].data(), ins[i].size() * sizeof(TI), "in");
    pto_ref::register_gm(out.data(), out.size() * sizeof(TO), "out");
    std::vector<VTile<TI, R, C>> tiles(ins.size());
    for (size_t i = 0; i < ins.size(); ++i) {
      pto::TASSIGN(tiles[i], 0x4000 * i);
      auto g = gmOf(ins[i].data(), tiles[i]);
      pto::TLOAD(tiles[i], g);
    }
    VTile<TO, R, C> dst;
    pto::TASSIGN(dst, 0x20000);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    body(dst, tiles);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto g = gmOf(out.data(), dst);
    pto::TSTORE(g, dst);
    pipe_barrier(PIPE_ALL);
  });
  CHECK_MSG(o.count == 0, std::string(what) + ": " + o.all());
  return out;
}

//===----------------------------------------------------------------------===//
// Independent reference roundings
//===----------------------------------------------------------------------===//

enum class Mode { Rint, Round, Trunc, Floor, Ceil };

inline pto::RoundMode toRoundMode(Mode m) {
  switch (m) {
  case Mode::Rint:
    return pto::RoundMode::CAST_RINT;
  case Mode::Round:
    return pto::RoundMode::CAST_ROUND;
  case Mode::Trunc:
    return pto::RoundMode::CAST_TRUNC;
  case Mode::Floor:
    return pto::RoundMode::CAST_FLOOR;
  case Mode::Ceil:
    return pto::RoundMode::CAST_CEIL;
  }
  return pto::RoundMode::CAST_RINT;
}

inline const char *modeName(Mode m) {
  static const char *names[] = {"rint", "round", "trunc", "floor", "ceil"};
  return names[static_cast<int>(m)];
}

constexpr Mode kModes[] = {Mode::Rint, Mode::Round, Mode::Trunc, Mode::Floor,
                           Mode::Ceil};

/// Every finite non-negative value of a 16-bit format, by bit pattern.
struct Format16 {
  bool f16;
  std::vector<double> values; // values[bits]

  explicit Format16(bool isF16) : f16(isF16) {
    int mant = isF16 ? 10 : 7, bias = isF16 ? 15 : 127;
    uint32_t maxBits = isF16 ? 0x7bffu : 0x7f7fu;
    for (uint32_t b = 0; b <= maxBits; ++b) {
      uint32_t e = b >> mant, m = b & ((1u << mant) - 1);
      double v = e == 0 ? std::ldexp(double(m), 1 - bias - mant)
                        : std::ldexp(double(m + (1u << mant)), int(e) - bias - mant);
      values.push_back(v);
    }
  }
  uint16_t infBits() const { return f16 ? 0x7c00 : 0x7f80; }
  uint16_t nanBits() const { return f16 ? 0x7e00 : 0x7fc0; }

  /// The value of `x` (exact, any double) rounded with `mode`, IEEE 754:
  /// overflow goes to infinity unless the mode rounds that magnitude toward
  /// zero. NaN becomes the canonical quiet NaN with its sign.
  uint16_t round(double x, Mode mode) const {
    uint16_t sign = std::signbit(x) ? 0x8000 : 0;
    if (std::isnan(x))
      return sign | nanBits();
    double a = std::fabs(x);
    if (std::isinf(a))
      return sign | infBits();
    size_t n = values.size();
    // Past the largest finite value the next "value" is infinity, at the
    // same spacing (its significand is even).
    double maxv = values[n - 1];
    double virtualNext = maxv + (maxv - values[n - 2]);
    size_t hiIdx = std::lower_bound(values.begin(), values.end(), a) -
                   values.begin();
    bool exact = hiIdx < n && values[hiIdx] == a;
    if (exact)
      return sign | static_cast<uint16_t>(hiIdx);
    size_t loIdx = hiIdx - 1; // a > 0 here, and values[0] = 0
    double lo = values[loIdx];
    double hi = hiIdx < n ? values[hiIdx] : virtualNext;
    bool neg = sign != 0;
    bool up;
    switch (mode) {
    case Mode::Trunc:
      up = false;
      break;
    case Mode::Floor:
      up = neg;
      break;
    case Mode::Ceil:
      up = !neg;
      break;
    case Mode::Round:
      up = a - lo >= hi - a;
      break;
    case Mode::Rint:
    default:
      if (a - lo != hi - a)
        up = a - lo > hi - a;
      else
        up = hiIdx >= n || (hiIdx & 1) == 0; // to the even pattern
      break;
    }
    if (!up)
      return sign | static_cast<uint16_t>(loIdx);
    if (hiIdx >= n)
      return sign | infBits();
    return sign | static_cast<uint16_t>(hiIdx);
  }
};

inline const Format16 &f16Format() {
  static Format16 f(true);
  return f;
}
inline const Format16 &bf16Format() {
  static Format16 f(false);
  return f;
}

/// f16 round to nearest even of an exact double (the result of native f16
/// arithmetic).
inline half refF16(double x) { return half::fromBits(f16Format().round(x, Mode::Rint)); }

/// A double rounded to an integer with `mode`, computed in double (a zero
/// result keeps the sign of x, as IEEE roundToIntegral does).
inline double refRoundIntRaw(double x, Mode mode);
inline double refRoundInt(double x, Mode mode) {
  double r = refRoundIntRaw(x, mode);
  return r == 0 ? std::copysign(0.0, x) : r;
}
inline double refRoundIntRaw(double x, Mode mode) {
  switch (mode) {
  case Mode::Trunc:
    return std::trunc(x);
  case Mode::Floor:
    return std::floor(x);
  case Mode::Ceil:
    return std::ceil(x);
  case Mode::Round: {
    double f = std::floor(std::fabs(x));
    double r = std::fabs(x) - f >= 0.5 ? f + 1 : f;
    return std::copysign(r, x);
  }
  case Mode::Rint:
  default: {
    double f = std::floor(x), d = x - f;
    if (d > 0.5)
      return f + 1;
    if (d < 0.5)
      return f;
    return std::fmod(f, 2.0) == 0 ? f : f + 1;
  }
  }
}

/// f32 (or f16, widened) -> integer of [lo, hi] with `mode`, NaN -> 0.
inline int64_t refToInt(double x, Mode mode, int64_t lo, int64_t hi) {
  if (std::isnan(x))
    return 0;
  double r = refRoundInt(x, mode);
  if (r <= double(lo))
    return lo;
  if (r >= double(hi))
    return hi;
  return static_cast<int64_t>(r);
}

/// An integer rounded to f32 with `mode` (largest float <= x, smallest >=).
inline float refIntToF32(int64_t x, Mode mode) {
  double d = static_cast<double>(x);
  float f = static_cast<float>(d);
  float lo = double(f) <= d ? f : std::nextafter(f, -INFINITY);
  float hi = double(f) >= d ? f : std::nextafter(f, INFINITY);
  if (lo == hi)
    return lo;
  bool neg = x < 0;
  double dl = d - double(lo), dh = double(hi) - d;
  // Work on magnitudes: `away` is the candidate farther from zero.
  float toward = neg ? hi : lo, away = neg ? lo : hi;
  double dToward = neg ? dh : dl, dAway = neg ? dl : dh;
  switch (mode) {
  case Mode::Trunc:
    return toward;
  case Mode::Floor:
    return lo;
  case Mode::Ceil:
    return hi;
  case Mode::Round:
    return dAway <= dToward ? away : toward;
  case Mode::Rint:
  default:
    if (dl != dh)
      return dl < dh ? lo : hi;
    return (pto_ref::fp::bitsOf(lo) & 1) == 0 ? lo : hi;
  }
}

/// A deterministic pseudo-random sequence (64-bit LCG).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 32);
  }
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * (next() / 4294967296.0);
  }
};

inline std::string fstr(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

} // namespace t

#endif // PTO_REF_TEST_UTIL_HPP
