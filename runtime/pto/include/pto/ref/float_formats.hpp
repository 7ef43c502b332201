//===- pto/ref/float_formats.hpp - f16 / bf16 bit conversions ---*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Bit-level conversions between f32 and the 16-bit float formats, written
// with integer arithmetic so that the result never depends on the host's
// rounding-mode register, F16C / AVX512-BF16 instructions or flush-to-zero
// settings. Two families:
//
//  * `narrowArith*`: what LLVM's `fptrunc` does (round to nearest even,
//    overflow to infinity, subnormals kept, NaN quieted with the top payload
//    bits kept). This is how Tessel's CPU simulation rounds the f32 result of
//    f16 arithmetic back to f16 (docs/numerics.md, "f16 ... rounded once").
//  * `narrowCast`: Tessel's `tile.cast` f32 -> f16 / bf16 for every rounding
//    mode, a transcription of `Numerics::narrowFloat` in
//    lib/Conversion/TileToSCF/TileToSCF.cpp (canonical quiet NaN with the
//    input's sign, overflow to infinity or, when the mode rounds toward
//    zero, to the largest finite value).
//
// Nothing here knows about tiles; the element types `half` and `bfloat16_t`
// (types.hpp) and the casts (casts.hpp) are built on these functions.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_FLOAT_FORMATS_HPP
#define PTO_REF_FLOAT_FORMATS_HPP

#include <cmath>
#include <cstdint>
#include <cstring>

namespace pto_ref {
namespace fp {

inline uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float fromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// A rounding direction (the RoundMode of TCVT without CAST_NONE / CAST_ODD,
/// which the callers map first).
enum class Rounding { Rint, Round, Trunc, Floor, Ceil };

/// f16 -> f32, exact (NaN payload kept, subnormals normalised).
inline float f16ToF32(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t out;
  if (exp == 0x1f) {
    out = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    out = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {
    out = sign;
  } else {
    // Subnormal: value = mant * 2^-24; normalise the significand.
    int e = -14;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      --e;
    }
    mant &= 0x3ffu;
    out = sign | (static_cast<uint32_t>(e + 127) << 23) | (mant << 13);
  }
  return fromBits(out);
}

/// bf16 -> f32, exact: bf16 is the top half of an f32.
inline float bf16ToF32(uint16_t b) {
  return fromBits(static_cast<uint32_t>(b) << 16);
}

/// f32 -> f16 as LLVM's fptrunc: round to nearest even, overflow to
/// infinity, NaN quieted with the top 9 payload bits kept.
inline uint16_t narrowArithF16(float f) {
  uint32_t u = bitsOf(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t a = u & 0x7fffffffu;
  if (a > 0x7f800000u)
    return static_cast<uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x1ffu));
  if (a >= 0x477ff000u) // >= 65520 rounds to infinity (and inf itself)
    return static_cast<uint16_t>(sign | 0x7c00u);
  int32_t e = static_cast<int32_t>(a >> 23) - 127;
  uint32_t m = (a & 0x7fffffu) | (a >= 0x00800000u ? 0x800000u : 0u);
  if (a < 0x00800000u)
    e = -126;
  // Number of low bits of the 24-bit significand that do not fit.
  int shift = e >= -14 ? 13 : 13 + (-14 - e);
  if (shift > 31)
    return sign; // far below half the smallest subnormal
  uint32_t q = m >> shift;
  uint32_t rem = m & ((1u << shift) - 1u);
  uint32_t halfway = 1u << (shift - 1);
  if (rem > halfway || (rem == halfway && (q & 1u)))
    ++q;
  // For a normal result q carries the hidden bit at 2^10; the biased
  // exponent field is (e + 15) - 1 plus that bit. A carry out of the
  // significand bumps the exponent correctly.
  uint32_t bits = e >= -14 ? (static_cast<uint32_t>(e + 14) << 10) + q : q;
  return static_cast<uint16_t>(sign | bits);
}

/// f32 -> bf16 as LLVM's fptrunc: round to nearest even, NaN quieted.
inline uint16_t narrowArithBF16(float f) {
  uint32_t u = bitsOf(f);
  if ((u & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((u >> 16) | 0x40u);
  uint32_t rounding = 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + rounding) >> 16);
}

namespace detail {

/// Whether to add one unit in the last place of the magnitude `q0` with the
/// dropped bits `rem` (`half` is the weight of the first dropped bit), and
/// whether overflow saturates to the largest finite value (TileToSCF's
/// `roundMagnitude`).
struct MagnitudeRounding {
  bool inc;
  bool toZero;
};

inline MagnitudeRounding roundMagnitude(Rounding mode, bool neg, uint32_t q0,
                                        uint32_t rem, uint32_t half) {
  bool inexact = rem != 0;
  switch (mode) {
  case Rounding::Rint:
    return {rem > half || (rem == half && inexact && (q0 & 1u)), false};
  case Rounding::Round:
    return {rem >= half && inexact, false};
  case Rounding::Trunc:
    return {false, true};
  case Rounding::Floor:
    return {neg && inexact, !neg};
  case Rounding::Ceil:
    return {!neg && inexact, neg};
  }
  return {false, false};
}

inline int32_t imax(int32_t a, int32_t b) { return a > b ? a : b; }
inline int32_t imin(int32_t a, int32_t b) { return a < b ? a : b; }

} // namespace detail

/// Tessel's tile.cast f32 -> f16 (`toF16`) or bf16 with `mode`.
inline uint16_t narrowCast(float x, Rounding mode, bool toF16) {
  const int32_t mantBits = toF16 ? 10 : 7;
  const int32_t bias = toF16 ? 15 : 127;
  const uint32_t infBits = toF16 ? 0x7c00u : 0x7f80u;
  const uint32_t nanBits = toF16 ? 0x7e00u : 0x7fc0u;
  uint32_t u = bitsOf(x);
  bool neg = (u & 0x80000000u) != 0;
  uint32_t a = u & 0x7fffffffu;
  bool isNan = a > 0x7f800000u;
  bool isInf = a == 0x7f800000u;
  int32_t e = static_cast<int32_t>(a >> 23);
  uint32_t mant = a & 0x7fffffu;
  uint32_t m = e == 0 ? mant : (mant | 0x800000u);
  int32_t eDst = detail::imax(e, 1) - (127 - bias);
  int32_t extra = detail::imax(1 - eDst, 0);
  int32_t shift = detail::imin(23 - mantBits + extra, 31);
  uint32_t base = static_cast<uint32_t>(detail::imax(eDst - 1, 0))
                  << mantBits;
  uint32_t q0 = m >> shift;
  uint32_t rem = m & ((1u << shift) - 1u);
  uint32_t half = 1u << (shift - 1);
  detail::MagnitudeRounding r = detail::roundMagnitude(mode, neg, q0, rem, half);
  uint32_t bits = base + q0 + (r.inc ? 1u : 0u);
  if (bits >= infBits)
    bits = r.toZero ? infBits - 1 : infBits;
  if (isInf)
    bits = infBits;
  if (isNan)
    bits = nanBits;
  if (neg)
    bits |= 0x8000u;
  return static_cast<uint16_t>(bits);
}

/// i32 -> f32 value rounded to `precision` significant bits with `mode`
/// (TileToSCF's `intToFloat`; exact in f32 for precision <= 24).
inline float intToFloat(int32_t x, Rounding mode, int32_t precision) {
  bool neg = x < 0;
  uint32_t a = neg ? 0u - static_cast<uint32_t>(x) : static_cast<uint32_t>(x);
  int32_t lz = a == 0 ? 32 : __builtin_clz(a);
  int32_t bitsUsed = 32 - lz;
  int32_t shift = detail::imax(bitsUsed - precision, 0);
  uint32_t unit = 1u << shift;
  uint32_t q0 = a >> shift;
  uint32_t rem = a & (unit - 1u);
  uint32_t half = unit >> 1;
  detail::MagnitudeRounding r = detail::roundMagnitude(mode, neg, q0, rem, half);
  uint32_t q = q0 + (r.inc ? 1u : 0u);
  float f = static_cast<float>(q) * static_cast<float>(unit);
  return neg ? -f : f;
}

/// Round half to even to an integral value, independent of the host's
/// rounding-mode register (LLVM's `roundeven`).
inline float roundEven(float x) {
  if (!(std::fabs(x) < 8388608.0f)) // NaN, infinities, already integral
    return x;
  float t = std::trunc(x);
  float d = std::fabs(x - t); // exact
  float one = std::copysign(1.0f, x);
  if (d > 0.5f || (d == 0.5f && std::fmod(t, 2.0f) != 0.0f))
    t += one;
  return t;
}

/// f32 rounded to an integral f32 with `mode`.
inline float roundIntegral(float x, Rounding mode) {
  switch (mode) {
  case Rounding::Rint:
    return roundEven(x);
  case Rounding::Round:
    return std::round(x);
  case Rounding::Trunc:
    return std::trunc(x);
  case Rounding::Floor:
    return std::floor(x);
  case Rounding::Ceil:
    return std::ceil(x);
  }
  return x;
}

/// f32 -> i32, rounding with `mode`, saturating, NaN -> 0 (TileToSCF's
/// `floatToInt`).
inline int32_t floatToI32(float x, Rounding mode) {
  float r = roundIntegral(x, mode);
  if (std::isnan(r))
    return 0;
  if (r >= 2147483648.0f)
    return 2147483647;
  if (r < -2147483648.0f)
    return static_cast<int32_t>(0x80000000u);
  return static_cast<int32_t>(r);
}

/// f32 -> i8, rounding with `mode`, saturating, NaN -> 0.
inline int8_t floatToI8(float x, Rounding mode) {
  float r = roundIntegral(x, mode);
  if (std::isnan(r))
    return 0;
  float c = r > 127.0f ? 127.0f : r;
  c = c < -128.0f ? -128.0f : c;
  return static_cast<int8_t>(static_cast<int32_t>(c));
}

/// double -> f32 rounded to odd (truncate, then set the last bit if
/// inexact). Rounding that result once more to a format with at least two
/// bits less precision gives the correctly rounded value, which is how the
/// element types convert a double (e.g. a hex float literal) exactly once.
inline float doubleToF32RoundOdd(double d) {
  float f = static_cast<float>(d);
  if (std::isnan(d) || static_cast<double>(f) == d)
    return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(d))
    f = std::nextafter(f, 0.0f);
  return fromBits(bitsOf(f) | 1u);
}

} // namespace fp
} // namespace pto_ref

#endif // PTO_REF_FLOAT_FORMATS_HPP
