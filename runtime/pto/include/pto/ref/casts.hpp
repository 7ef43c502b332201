//===- pto/ref/casts.hpp - TCVT legality and numerics -----------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Which conversions TCVT may do, and the bits each produces.
//
// Legality, checked at compile time, is the intersection of
//  * pto-isa's TCVT on the target (docs/isa/TCVT.md, npu/*/TCvt.hpp):
//    f32 -> f16 / bf16 / f32 / i32, f16 -> f32 / i32 / i8, bf16 -> f32,
//    i8 -> f16, i32 -> f32 on both; i32 -> f16 only on a2a3 (a `vconv_deq`
//    path); f32 -> i8 on neither;
//  * Tessel's tile.cast table (docs/numerics.md), which gives the numerics.
//
// The round and saturation modes are run-time arguments, so their checks are
// run-time violations. pto-isa and Tessel agree except where noted:
//  * CAST_NONE on a float -> integer conversion truncates in pto-isa (both
//    targets default to vconv_*z / RoundZType) but is `rint` in Tessel: a
//    violation (emit CAST_RINT);
//  * CAST_ODD has no Tessel meaning: a violation;
//  * i32 -> f16 on a2a3 goes through vconv_deq, which takes no rounding
//    mode: only CAST_RINT / CAST_NONE are accepted;
//  * float -> integer must use SaturationMode::ON (OFF wraps f16 -> i8
//    through a PyTorch-style path on a2a3 and disables saturation on a5);
//    f32 -> f16 / bf16 must use SaturationMode::OFF (ON saturates overflow
//    to the largest finite value on a5; Tessel overflows to infinity).
//
// The numerics are TileToSCF's `Numerics::convert`, through the integer bit
// manipulation of float_formats.hpp.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_CASTS_HPP
#define PTO_REF_CASTS_HPP

#include "pto/ref/config.hpp"
#include "pto/ref/numerics.hpp"

#include <string>
#include <type_traits>

namespace pto_ref {
namespace cast {

template <typename D, typename S, typename D2, typename S2>
constexpr bool kIs = std::is_same_v<D, D2> && std::is_same_v<S, S2>;

/// Pairs in Tessel's tile.cast table (docs/numerics.md).
template <typename D, typename S>
constexpr bool kInTessel =
    kIs<D, S, half, float> || kIs<D, S, bfloat16_t, float> ||
    kIs<D, S, float, float> || kIs<D, S, int32_t, float> ||
    kIs<D, S, int32_t, half> || kIs<D, S, int8_t, half> ||
    kIs<D, S, float, half> || kIs<D, S, float, bfloat16_t> ||
    kIs<D, S, half, int8_t> || kIs<D, S, float, int32_t> ||
    kIs<D, S, half, int32_t>;

/// Of those, the pairs pto-isa's TCVT implements on the target.
template <typename D, typename S>
constexpr bool kOnTarget = kInTessel<D, S> && !(kIsA5 && kIs<D, S, half, int32_t>);

template <typename T> constexpr bool kFloatLike = !std::is_integral_v<T>;

/// An empty string if `mode` / `sat` are acceptable for S -> D, otherwise
/// why not.
template <typename D, typename S>
inline std::string modeProblem(pto::RoundMode mode, pto::SaturationMode sat) {
  using pto::RoundMode;
  using pto::SaturationMode;
  constexpr bool exact = kIs<D, S, float, half> || kIs<D, S, float, bfloat16_t> ||
                         kIs<D, S, half, int8_t>;
  if (exact)
    return "";
  if (mode == RoundMode::CAST_ODD)
    return "RoundMode::CAST_ODD has no meaning in Tessel's cast numerics";
  if (static_cast<uint8_t>(mode) > static_cast<uint8_t>(RoundMode::CAST_ODD))
    return "invalid RoundMode " + std::to_string(static_cast<int>(mode));
  if constexpr (kFloatLike<S> && std::is_integral_v<D>) {
    if (mode == RoundMode::CAST_NONE)
      return std::string("RoundMode::CAST_NONE on ") + elementName<S>() +
             " -> " + elementName<D>() +
             " truncates in pto-isa but is round-to-nearest-even in "
             "Tessel's numerics; emit RoundMode::CAST_RINT";
    if (sat != SaturationMode::ON)
      return std::string("SaturationMode::OFF on ") + elementName<S>() +
             " -> " + elementName<D>() +
             " does not saturate in pto-isa (f16 -> i8 wraps to the low "
             "bits on a2a3); Tessel's cast saturates: emit "
             "SaturationMode::ON";
  }
  if constexpr (kIs<D, S, half, float> || kIs<D, S, bfloat16_t, float>) {
    if (sat != SaturationMode::OFF)
      return std::string("SaturationMode::ON on f32 -> ") + elementName<D>() +
             " saturates overflow to the largest finite value in pto-isa "
             "(a5); Tessel's cast overflows to infinity: emit "
             "SaturationMode::OFF";
  }
  if constexpr (kIs<D, S, half, int32_t>) {
    if (mode != RoundMode::CAST_RINT && mode != RoundMode::CAST_NONE)
      return "i32 -> f16 is pto-isa's vconv_deq on a2a3, which takes no "
             "rounding mode; only CAST_RINT (or CAST_NONE) is faithful";
  }
  if (sat != SaturationMode::ON && sat != SaturationMode::OFF)
    return "invalid SaturationMode";
  return "";
}

/// The rounding direction Tessel gives `mode` (CAST_NONE = rint).
inline fp::Rounding rounding(pto::RoundMode mode) {
  switch (mode) {
  case pto::RoundMode::CAST_ROUND:
    return fp::Rounding::Round;
  case pto::RoundMode::CAST_FLOOR:
    return fp::Rounding::Floor;
  case pto::RoundMode::CAST_CEIL:
    return fp::Rounding::Ceil;
  case pto::RoundMode::CAST_TRUNC:
    return fp::Rounding::Trunc;
  default:
    return fp::Rounding::Rint;
  }
}

/// One element of S -> D with rounding `m`.
template <typename D, typename S> inline D convert(S x, fp::Rounding m) {
  static_assert(kInTessel<D, S>, "not a Tessel cast");
  if constexpr (kIs<D, S, half, float>)
    return half::fromBits(fp::narrowCast(x, m, true));
  else if constexpr (kIs<D, S, bfloat16_t, float>)
    return bfloat16_t::fromBits(fp::narrowCast(x, m, false));
  else if constexpr (kIs<D, S, float, float>)
    return fp::roundIntegral(x, m);
  else if constexpr (kIs<D, S, int32_t, float>)
    return fp::floatToI32(x, m);
  else if constexpr (kIs<D, S, int32_t, half>)
    return fp::floatToI32(fp::f16ToF32(x.storage), m);
  else if constexpr (kIs<D, S, int8_t, half>)
    return fp::floatToI8(fp::f16ToF32(x.storage), m);
  else if constexpr (kIs<D, S, float, half>)
    return fp::f16ToF32(x.storage);
  else if constexpr (kIs<D, S, float, bfloat16_t>)
    return fp::bf16ToF32(x.storage);
  else if constexpr (kIs<D, S, half, int8_t>)
    return half::fromBits(fp::narrowArithF16(static_cast<float>(x)));
  else if constexpr (kIs<D, S, float, int32_t>)
    return fp::intToFloat(x, m, 24);
  else
    return half::fromBits(fp::narrowCast(fp::intToFloat(x, m, 11), m, true));
}

} // namespace cast
} // namespace pto_ref

#endif // PTO_REF_CASTS_HPP
