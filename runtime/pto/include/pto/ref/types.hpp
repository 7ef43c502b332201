//===- pto/ref/types.hpp - Element types, enums and macros ------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The vocabulary an emitted kernel names besides tiles and instructions:
//
//  * the kernel-qualifier macros (`AICORE`, `__aicore__`, `__global__`,
//    `__gm__`, ...), empty on the CPU;
//  * `pipe_t` / `PIPE_*` and `event_t` / `EVENT_ID0..7` at global scope, as
//    the Ascend compiler provides them. They are enums (not the plain ints of
//    pto-isa's CPU stub), so `set_flag(PIPE_V, PIPE_MTE3, 0)` is rejected
//    here exactly as the NPU compiler rejects it; `static_cast<event_t>(n)`
//    is accepted for any n and checked at run time;
//  * `half` and `bfloat16_t`: 16-bit storage types with exact, explicit
//    conversions (pto-isa's CPU simulation maps both to `_Float16`, which
//    makes bf16 numerics wrong there; these are distinct types);
//  * the enums of namespace `pto` that instructions take as arguments, with
//    the enumerator values of pto-isa (include/pto/common/type.hpp).
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_TYPES_HPP
#define PTO_REF_TYPES_HPP

#include "pto/ref/float_formats.hpp"

#include <cstdint>
#include <type_traits>

//===----------------------------------------------------------------------===//
// Kernel qualifiers
//===----------------------------------------------------------------------===//

#ifndef AICORE
#define AICORE
#endif
#ifndef __aicore__
#define __aicore__
#endif
#ifndef __global__
#define __global__
#endif
#ifndef __gm__
#define __gm__
#endif
#ifndef __ubuf__
#define __ubuf__
#endif
#ifndef __cbuf__
#define __cbuf__
#endif
#ifndef __ca__
#define __ca__
#endif
#ifndef __cb__
#define __cb__
#endif
#ifndef __cc__
#define __cc__
#endif
#ifndef __in__
#define __in__
#endif
#ifndef __out__
#define __out__
#endif

//===----------------------------------------------------------------------===//
// Pipes and events (global scope, as the NPU compiler declares them)
//===----------------------------------------------------------------------===//

/// The hardware pipes. The numbering is pto-isa's CPU stub's.
enum pipe_t : int {
  PIPE_S = 0,
  PIPE_V = 1,
  PIPE_MTE1 = 2,
  PIPE_MTE2 = 3,
  PIPE_MTE3 = 4,
  PIPE_M = 5,
  PIPE_ALL = 6,
  PIPE_FIX = 7,
};

/// Event ids of set_flag / wait_flag; values other than 0..7 (reachable
/// through static_cast) are reported when used.
enum event_t : int {
  EVENT_ID0 = 0,
  EVENT_ID1 = 1,
  EVENT_ID2 = 2,
  EVENT_ID3 = 3,
  EVENT_ID4 = 4,
  EVENT_ID5 = 5,
  EVENT_ID6 = 6,
  EVENT_ID7 = 7,
};

//===----------------------------------------------------------------------===//
// 16-bit float element types
//===----------------------------------------------------------------------===//

/// IEEE binary16. Constructed explicitly from any arithmetic value (rounded
/// once to nearest even; a double goes through round-to-odd f32 so that it
/// is still rounded once) and converted explicitly to float (exact).
struct half {
  uint16_t storage;

  half() = default;
  template <typename A,
            std::enable_if_t<std::is_arithmetic_v<A>, int> = 0>
  explicit half(A v)
      : storage(pto_ref::fp::narrowArithF16(
            pto_ref::fp::doubleToF32RoundOdd(static_cast<double>(v)))) {}
  explicit half(float v) : storage(pto_ref::fp::narrowArithF16(v)) {}

  static half fromBits(uint16_t bits) {
    half h;
    h.storage = bits;
    return h;
  }
  uint16_t bits() const { return storage; }
  explicit operator float() const { return pto_ref::fp::f16ToF32(storage); }
  explicit operator double() const {
    return static_cast<double>(pto_ref::fp::f16ToF32(storage));
  }
};

/// bfloat16: the top 16 bits of an f32. Same conversion rules as `half`.
struct bfloat16_t {
  uint16_t storage;

  bfloat16_t() = default;
  template <typename A,
            std::enable_if_t<std::is_arithmetic_v<A>, int> = 0>
  explicit bfloat16_t(A v)
      : storage(pto_ref::fp::narrowArithBF16(
            pto_ref::fp::doubleToF32RoundOdd(static_cast<double>(v)))) {}
  explicit bfloat16_t(float v) : storage(pto_ref::fp::narrowArithBF16(v)) {}

  static bfloat16_t fromBits(uint16_t bits) {
    bfloat16_t b;
    b.storage = bits;
    return b;
  }
  uint16_t bits() const { return storage; }
  explicit operator float() const { return pto_ref::fp::bf16ToF32(storage); }
  explicit operator double() const {
    return static_cast<double>(pto_ref::fp::bf16ToF32(storage));
  }
};

static_assert(sizeof(half) == 2 && std::is_trivially_copyable_v<half>);
static_assert(sizeof(bfloat16_t) == 2 &&
              std::is_trivially_copyable_v<bfloat16_t>);

using float16_t = half;
using float32_t = float;

//===----------------------------------------------------------------------===//
// Enums of namespace pto
//===----------------------------------------------------------------------===//

namespace pto {
/// The combine mode of TSTORE (pto-isa include/pto/common/type.hpp).
enum class AtomicType : uint8_t { AtomicNone = 0, AtomicAdd = 1 };
} // namespace pto

namespace pto {

/// A dimension or valid extent known only at run time.
constexpr int DYNAMIC = -1;

enum class TileType {
  Vec,
  Mat,
  Left,
  Right,
  Acc,
  Bias,
  Scaling,
  ScaleLeft,
  ScaleRight,
  Ctrl,
};

/// Order of the fractal boxes (or of the elements, for unboxed tiles).
enum class BLayout {
  RowMajor = 0,
  ColMajor = 1,
};

/// Order of the elements inside a fractal box; NoneBox = not fractal.
enum class SLayout {
  NoneBox = 0,
  RowMajor = 1,
  ColMajor = 2,
};

/// Layout of a GlobalTensor (the reference models ND and DN).
enum class Layout {
  ND,
  DN,
  NZ,
};

enum class PadValue : uint64_t {
  Null = 0,
  Zero = 1,
  Max = 2,
  Min = 3,
  CustomBase = 0x100000000ULL,
};

/// TFILLPAD's forms (pto-isa's TFillPadMode): same static shapes, the
/// destination on the source's bytes, or a larger destination.
enum class TFillPadMode {
  Normal,
  InPlace,
  Expand,
};

enum class CompactMode {
  Null,
  Normal,
  RowPlusOne,
  RowAlignedPadding,
};

enum class RoundMode : uint8_t {
  CAST_NONE = 0,
  CAST_RINT = 1,
  CAST_ROUND = 2,
  CAST_FLOOR = 3,
  CAST_CEIL = 4,
  CAST_TRUNC = 5,
  CAST_ODD = 6,
};

enum class SaturationMode : uint8_t {
  ON = 0,
  OFF = 1,
};

enum class MaskPattern : uint8_t {
  P0101 = 1,
  P1010 = 2,
  P0001 = 3,
  P0010 = 4,
  P0100 = 5,
  P1000 = 6,
  P1111 = 7,
};

/// docs/isa/TCMP.md's comparison modes, pto-isa's enumerator values.
enum class CmpMode : uint8_t { EQ = 0, NE = 1, LT = 2, LE = 3, GT = 4, GE = 5 };

enum class ScatterAxis : uint8_t { SCATTER_ROW = 0, SCATTER_COL = 1 };
enum class GatherAxis : uint8_t { GATHER_ROW = 0, GATHER_COL = 1 };

enum class DivAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class FmodSAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class SqrtAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class RsqrtAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class RecipAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class ExpAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class LogAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class RemAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };
enum class RemSAlgorithm : uint8_t { DEFAULT, HIGH_PRECISION };

namespace TileConfig {
constexpr int alignedSize = 32;
constexpr int fixedRowSize = 16;
constexpr int fixedColSize = 16;
constexpr int fractalABSize = 512;
constexpr int fractalCSize = 1024;
constexpr int fractalMxSize = 32;
} // namespace TileConfig

namespace GlobalTensorDim {
constexpr int DIM_0 = 0;
constexpr int DIM_1 = 1;
constexpr int DIM_2 = 2;
constexpr int DIM_3 = 3;
constexpr int DIM_4 = 4;
constexpr int TOTAL_DIM = 5;
} // namespace GlobalTensorDim

} // namespace pto

namespace pto_ref {

/// The element types the reference computes with.
template <typename T>
constexpr bool kIsElement =
    std::is_same_v<T, float> || std::is_same_v<T, half> ||
    std::is_same_v<T, bfloat16_t> || std::is_same_v<T, int8_t> ||
    std::is_same_v<T, int32_t>;

template <typename T>
constexpr const char *elementName() {
  if constexpr (std::is_same_v<T, float>)
    return "f32";
  else if constexpr (std::is_same_v<T, half>)
    return "f16";
  else if constexpr (std::is_same_v<T, bfloat16_t>)
    return "bf16";
  else if constexpr (std::is_same_v<T, int8_t>)
    return "i8";
  else if constexpr (std::is_same_v<T, int32_t>)
    return "i32";
  else
    return "?";
}

} // namespace pto_ref

#endif // PTO_REF_TYPES_HPP
