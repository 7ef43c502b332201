//===- pto/ref/numerics.hpp - Element arithmetic ----------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The arithmetic of one element, exactly as Tessel's CPU simulation defines
// it (docs/numerics.md, lib/Conversion/TileToSCF/TileToSCF.cpp):
//
//  * f32: one IEEE operation, round to nearest even (no contraction: every
//    operation here is a single + - * / or a libm call);
//  * f16: widened exactly to f32, computed, rounded once back to f16 as
//    LLVM's fptrunc does (identical to native f16 for + - * / sqrt);
//  * bf16 (a5 only; Tessel's verifier forbids bf16 arithmetic): the same in
//    f32, rounded once to nearest even;
//  * i32 (and i8 on a5): two's complement, wrapping; abs(INT_MIN) = INT_MIN;
//  * max / min: IEEE 754-2019 maximum / minimum: NaN propagates (the first
//    NaN operand, quieted), -0 < +0;
//  * sqrt: sqrtf (correctly rounded); rsqrt: 1 / sqrtf(x), two roundings;
//    recip: 1 / x; exp: the host's expf (f16: in f32, rounded once).
//
// `Elem<T>` widens a storage type to its compute type W and narrows back.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_NUMERICS_HPP
#define PTO_REF_NUMERICS_HPP

#include "pto/ref/types.hpp"

#include <cmath>
#include <cstdint>

namespace pto_ref {
namespace num {

template <typename T> struct Elem;

template <> struct Elem<float> {
  using W = float;
  static float widen(float x) { return x; }
  static float narrow(float w) { return w; }
};
template <> struct Elem<half> {
  using W = float;
  static float widen(half x) { return fp::f16ToF32(x.storage); }
  static half narrow(float w) { return half::fromBits(fp::narrowArithF16(w)); }
};
template <> struct Elem<bfloat16_t> {
  using W = float;
  static float widen(bfloat16_t x) { return fp::bf16ToF32(x.storage); }
  static bfloat16_t narrow(float w) {
    return bfloat16_t::fromBits(fp::narrowArithBF16(w));
  }
};
template <> struct Elem<int32_t> {
  using W = int32_t;
  static int32_t widen(int32_t x) { return x; }
  static int32_t narrow(int32_t w) { return w; }
};
template <> struct Elem<int8_t> {
  using W = int32_t;
  static int32_t widen(int8_t x) { return x; }
  static int8_t narrow(int32_t w) {
    return static_cast<int8_t>(static_cast<uint8_t>(static_cast<uint32_t>(w)));
  }
};

template <typename T> constexpr bool kIsFloat = !std::is_integral_v<T>;

inline float quiet(float x) {
  return fp::fromBits(fp::bitsOf(x) | 0x00400000u);
}

// Wrapping integer arithmetic.
inline int32_t wrap(uint32_t v) { return static_cast<int32_t>(v); }

inline float add(float a, float b) { return a + b; }
inline int32_t add(int32_t a, int32_t b) {
  return wrap(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline float sub(float a, float b) { return a - b; }
inline int32_t sub(int32_t a, int32_t b) {
  return wrap(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
}
inline float mul(float a, float b) { return a * b; }
inline int32_t mul(int32_t a, int32_t b) {
  return wrap(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}
inline float div(float a, float b) { return a / b; }
/// Signed division; the caller reports b == 0 and INT_MIN / -1 (undefined
/// in Tessel's simulation, whose `arith.divsi` is UB there) and gets 0.
inline int32_t div(int32_t a, int32_t b) {
  if (b == 0 || (b == -1 && a == INT32_MIN))
    return 0;
  return a / b;
}
inline bool divUndefined(float, float) { return false; }
inline bool divUndefined(int32_t a, int32_t b) {
  return b == 0 || (b == -1 && a == INT32_MIN);
}

/// C fmod: exact, the sign of a; NaN for b == 0 or a infinite. The host's
/// fmodf, which the CPU simulation's `arith.remf` also calls.
inline float fmod(float a, float b) { return std::fmod(a, b); }

inline float maximum(float a, float b) {
  if (std::isnan(a))
    return quiet(a);
  if (std::isnan(b))
    return quiet(b);
  if (a == b)
    return std::signbit(a) ? b : a; // max(-0, +0) = +0
  return a > b ? a : b;
}
inline float minimum(float a, float b) {
  if (std::isnan(a))
    return quiet(a);
  if (std::isnan(b))
    return quiet(b);
  if (a == b)
    return std::signbit(a) ? a : b; // min(-0, +0) = -0
  return a < b ? a : b;
}
inline int32_t maximum(int32_t a, int32_t b) { return a > b ? a : b; }
inline int32_t minimum(int32_t a, int32_t b) { return a < b ? a : b; }

inline float neg(float a) { return -a; }
inline int32_t neg(int32_t a) { return wrap(0u - static_cast<uint32_t>(a)); }
inline float abs(float a) { return std::fabs(a); }
inline int32_t abs(int32_t a) {
  return a < 0 ? wrap(0u - static_cast<uint32_t>(a)) : a;
}
inline float sqrt(float a) { return std::sqrt(a); }
inline float rsqrt(float a) { return 1.0f / std::sqrt(a); }
inline float recip(float a) { return 1.0f / a; }
inline int32_t recip(int32_t a) { return div(1, a); }
inline float exp(float a) { return std::exp(a); } // expf
inline float log(float a) { return std::log(a); } // logf
/// Python / torch.remainder: fmod, then + b when the remainder is non-zero
/// and its sign differs from b's (NaN stays NaN); one rounding, the
/// addition (docs/numerics.md).
inline float remainder(float a, float b) {
  float r = std::fmod(a, b);
  bool fix = (r < 0.0f || r > 0.0f) && ((r < 0.0f) != (b < 0.0f));
  return fix ? r + b : r;
}

} // namespace num
} // namespace pto_ref

#endif // PTO_REF_NUMERICS_HPP
