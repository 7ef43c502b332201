//===- pto/ref/vector_ops.hpp - Vector (PIPE_V) instructions ----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The instructions of the vector unit: elementwise arithmetic (tile-tile,
// tile-scalar, unary; TLOG; TREM / TREMS with their tmp), TEXPANDS, TCI,
// the row reductions TROWSUM / TROWMAX, the broadcasts TROWEXPAND<OP> /
// TCOLEXPAND<OP> (MUL ADD SUB DIV MAX MIN EXPDIF) and TROWEXPAND /
// TCOLEXPAND, TCVT, the mask pattern TGATHER / TSCATTER (TMOV, TEXTRACT
// and TINSERT between UB tiles are in data_movement.hpp).
//
// Each one
//  * checks at compile time what pto-isa checks with static_assert: the
//    element type per instruction and target (docs/isa/<OP>.md "A2A3 / A5
//    implementation checks"), TileType::Vec, row-major layouts;
//  * checks at run time that its operands are bound and that their valid
//    shapes agree (pto-isa's PTO_ASSERTs, and the spec's "same shapes");
//  * acts on the valid region only, and computes with numerics.hpp.
//
// Every vector instruction runs on PIPE_V; instructions whose pto-isa
// implementation contains internal pipe_barrier(PIPE_V)s are still treated
// as one unordered V instruction, which is stricter than the hardware.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_VECTOR_OPS_HPP
#define PTO_REF_VECTOR_OPS_HPP

#include "pto/ref/casts.hpp"
#include "pto/ref/numerics.hpp"
#include "pto/ref/tile.hpp"

#include <cstring>
#include <limits>
#include <type_traits>

namespace pto_ref {
namespace detail {

template <typename T, typename... Ts>
constexpr bool kOneOf = (std::is_same_v<T, Ts> || ...);

/// Element types pto-isa accepts, per target, for the groups of ops.
template <typename T>
constexpr bool kArithTypes = kIsA5 ? kOneOf<T, int32_t, int8_t, half, bfloat16_t, float>
                                   : kOneOf<T, int32_t, half, float>;
template <typename T>
constexpr bool kMulTypes = kIsA5 ? kOneOf<T, int32_t, half, bfloat16_t, float>
                                 : kOneOf<T, int32_t, half, float>;
template <typename T>
constexpr bool kDivTypes = kIsA5 ? kOneOf<T, int32_t, half, float>
                                 : kOneOf<T, half, float>;
template <typename T>
constexpr bool kDivSTypes = kOneOf<T, int32_t, half, float>;
template <typename T>
constexpr bool kNegTypes = kIsA5 ? kOneOf<T, int32_t, half, bfloat16_t, float>
                                 : kOneOf<T, int32_t, half, float>;
template <typename T>
constexpr bool kFmodTypes = kIsA5 ? kOneOf<T, half, float> : kOneOf<T, float>;
template <typename T>
constexpr bool kAbsTypes = kIsA5 ? kOneOf<T, int32_t, int8_t, half, float>
                                 : kOneOf<T, half, float>;
template <typename T> constexpr bool kFloatTypes = kOneOf<T, half, float>;
/// TAND / TOR / TNOT / TSHL / TSHR and TANDS / TORS take 1-, 2- and 4-byte
/// integers on both targets (Tessel's integer tiles: int8_t, int32_t).
template <typename T> constexpr bool kBitwiseTypes = kOneOf<T, int8_t, int32_t>;
/// TSHLS / TSHRS: a2a3 has no 1-byte form.
template <typename T>
constexpr bool kShiftSTypes = kIsA5 ? kOneOf<T, int8_t, int32_t>
                                    : kOneOf<T, int32_t>;

/// Shifts of a `Bits`-wide integer widened (sign-extended) to int32_t, as
/// Tessel's numerics define them (docs/numerics.md): shr is arithmetic; an
/// amount outside [0, Bits) gives 0 (shl) or the sign fill (shr), where
/// pto-isa leaves the result unspecified.
template <int Bits> inline int32_t shiftLeft(int32_t x, int32_t amount) {
  if (static_cast<uint32_t>(amount) >= static_cast<uint32_t>(Bits))
    return 0;
  return static_cast<int32_t>(static_cast<uint32_t>(x) << amount);
}
template <int Bits> inline int32_t shiftRight(int32_t x, int32_t amount) {
  bool inRange = static_cast<uint32_t>(amount) < static_cast<uint32_t>(Bits);
  return x >> (inRange ? amount : 31);
}
template <typename T>
constexpr bool kRecipTypes = kOneOf<T, int32_t, half, float>;
template <typename T>
constexpr bool kExpandSTypes = kOneOf<T, int8_t, int32_t, half, bfloat16_t, float>;
template <typename T>
constexpr bool kRowReduceTypes = kOneOf<T, half, float, int32_t>;
template <typename T>
constexpr bool kExpandMulTypes = kIsA5 ? kOneOf<T, int32_t, int8_t, half, bfloat16_t, float>
                                       : kOneOf<T, int32_t, half, float>;
template <typename T>
constexpr bool kGatherTypes = kIsA5 ? kOneOf<T, int8_t, int32_t, half, bfloat16_t, float>
                                    : kOneOf<T, int32_t, half, bfloat16_t, float>;
template <typename T>
constexpr bool kScatterTypes = kOneOf<T, int8_t, int32_t, half, bfloat16_t, float>;

/// A row-major (ND) UB tile.
template <typename TileT>
constexpr bool kVecND = TileT::Loc == pto::TileType::Vec && TileT::isRowMajor &&
                        !TileT::isBoxedLayout;
/// A column-major (DN) UB tile.
template <typename TileT>
constexpr bool kVecDN = TileT::Loc == pto::TileType::Vec &&
                        !TileT::isRowMajor && !TileT::isBoxedLayout;

/// Fails unless `t`'s valid shape is vr x vc.
inline void needValidShape(Instr &in, unsigned tr, unsigned tc,
                           const char *what, unsigned vr, unsigned vc,
                           const char *against) {
  if (tr != vr || tc != vc)
    in.fail(std::string("the valid shape of '") + what + "' is " +
            shapeStr(tr, tc) + ", that of '" + against + "' " +
            shapeStr(vr, vc) + "; they must agree");
}
template <typename TileT>
inline void needValid(Instr &in, const TileT &t, const char *what, unsigned vr,
                      unsigned vc, const char *against = "dst") {
  needValidShape(in, t.GetValidRow(), t.GetValidCol(), what, vr, vc, against);
}

/// The byte range a bound tile occupies.
template <typename TileT> inline uint64_t tileBegin(const TileT &t) {
  return t.refOffset;
}
template <typename TileT> inline uint64_t tileEnd(const TileT &t) {
  return t.refOffset + tileBytes<TileT>();
}
template <typename A, typename B>
inline bool tilesOverlap(const A &a, const B &b) {
  return spaceOf<A>() == spaceOf<B>() && tileBegin(a) < tileEnd(b) &&
         tileBegin(b) < tileEnd(a);
}

/// Row r of an ND tile.
template <typename TileT> inline uint8_t *row(const TileT &t, uint64_t r) {
  return elemPtr(t, r, 0);
}

/// dst = f(src...) elementwise over the valid region of ND tiles.
template <typename T, typename F, typename TD, typename... TS>
inline void mapRows(unsigned vr, unsigned vc, F &&f, TD &dst,
                    const TS &...srcs) {
  constexpr uint64_t sz = sizeof(T);
  for (uint64_t r = 0; r < vr; ++r) {
    uint8_t *d = row(dst, r);
    const uint8_t *s[] = {row(srcs, r)...};
    for (uint64_t c = 0; c < vc; ++c)
      st<T>(d + c * sz, f(s, c * sz));
  }
}

/// Selects integer-aware division in `binary`.
struct DivTag {};

/// Binary elementwise op on same-typed ND tiles.
template <typename Op, typename TD, typename TA, typename TB>
inline void binary(const char *name, TD &dst, TA &a, TB &b, Op op) {
  using T = typename TD::DType;
  static_assert(std::is_same_v<T, typename TA::DType> &&
                    std::is_same_v<T, typename TB::DType>,
                "dst, src0 and src1 must have the same element type");
  static_assert(kVecND<TD> && kVecND<TA> && kVecND<TB>,
                "the operands must be row-major Vec tiles");
  using E = num::Elem<T>;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, a, "src0");
    needBound(in, b, "src1");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, a, "src0", vr, vc);
    needValid(in, b, "src1", vr, vc);
    read(in, a);
    read(in, b);
    write(in, dst);
    in.check();
    bool undefined = false;
    mapRows<T>(
        vr, vc,
        [&](const uint8_t *const *s, uint64_t o) {
          auto x = E::widen(ld<T>(s[0] + o));
          auto y = E::widen(ld<T>(s[1] + o));
          if constexpr (std::is_same_v<Op, DivTag>) {
            undefined |= num::divUndefined(x, y);
            return E::narrow(num::div(x, y));
          } else {
            return E::narrow(op(x, y));
          }
        },
        dst, a, b);
    if (undefined)
      in.warn("integer division by zero or INT_MIN / -1 (undefined in "
              "Tessel's numerics; the reference writes 0)");
    in.commit();
  });
}

/// dst = f(src, scalar) elementwise.
template <typename F, typename TD, typename TS>
inline void withScalar(const char *name, TD &dst, TS &src, F f) {
  using T = typename TD::DType;
  static_assert(std::is_same_v<T, typename TS::DType>,
                "dst and src must have the same element type");
  static_assert(kVecND<TD> && kVecND<TS>,
                "the operands must be row-major Vec tiles");
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src, "src", vr, vc);
    read(in, src);
    write(in, dst);
    in.check();
    bool undefined = false;
    mapRows<T>(
        vr, vc,
        [&](const uint8_t *const *s, uint64_t o) {
          return f(ld<T>(s[0] + o), undefined);
        },
        dst, src);
    if (undefined)
      in.warn("integer division by zero or INT_MIN / -1 (undefined in "
              "Tessel's numerics; the reference writes 0)");
    in.commit();
  });
}

template <typename TD, typename TS, typename Op>
inline void scalarOp(const char *name, TD &dst, TS &src,
                     typename TS::DType scalar, Op op) {
  using T = typename TD::DType;
  using E = num::Elem<T>;
  auto s = E::widen(scalar);
  withScalar(name, dst, src, [&](T x, bool &) {
    return E::narrow(op(E::widen(x), s));
  });
}

template <typename TD, typename TS, typename Op>
inline void unaryOp(const char *name, TD &dst, TS &src, Op op) {
  using T = typename TD::DType;
  using E = num::Elem<T>;
  withScalar(name, dst, src,
             [&](T x, bool &) { return E::narrow(op(E::widen(x))); });
}

/// Column reductions (TCOLSUM / TCOLMAX / TCOLMIN / TCOLPROD).
enum class ColReduce { Sum, Max, Min, Prod };

/// Column reduction of an ND src into a 1 x N dst, sequentially down each
/// column from row 0 (TileToSCF's order, PyPTO's path without a tmp tile):
/// f32, f16 widened and rounded once; max / min IEEE maximum / minimum.
template <ColReduce K, typename TD, typename TS>
inline void colReduce(const char *name, TD &dst, TS &src) {
  using T = typename TS::DType;
  static_assert(kFloatTypes<T>, "element type not supported by Tessel's "
                                "column reductions (half, float)");
  static_assert(std::is_same_v<T, typename TD::DType>,
                "dst and src must have the same element type");
  static_assert(kVecND<TS> && kVecND<TD>,
                "src and dst must be row-major Vec tiles");
  using E = num::Elem<T>;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    if (vr == 0 || vc == 0)
      in.fail("src has an empty valid shape " + shapeStr(vr, vc));
    needValid(in, dst, "dst", 1, vc, "1 x src cols");
    read(in, src);
    write(in, dst, 1, vc);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    uint8_t *d = row(dst, 0);
    for (uint64_t c = 0; c < vc; ++c) {
      float acc = E::widen(ld<T>(row(src, 0) + c * sz));
      for (uint64_t r = 1; r < vr; ++r) {
        float x = E::widen(ld<T>(row(src, r) + c * sz));
        if constexpr (K == ColReduce::Sum)
          acc = acc + x;
        else if constexpr (K == ColReduce::Max)
          acc = num::maximum(acc, x);
        else if constexpr (K == ColReduce::Min)
          acc = num::minimum(acc, x);
        else
          acc = acc * x;
      }
      st<T>(d + c * sz, E::narrow(acc));
    }
    in.commit();
  });
}

/// Row reductions (TROWSUM / TROWMAX / TROWMIN / TROWPROD).
enum class RowReduce { Sum, Max, Min, Prod };

/// The identity and one step of a row reduction of kind K.
template <RowReduce K, typename W> constexpr W rowIdentity() {
  if constexpr (std::is_integral_v<W>)
    return K == RowReduce::Max   ? INT32_MIN
           : K == RowReduce::Min ? INT32_MAX
           : K == RowReduce::Prod ? 1
                                  : 0;
  else
    return K == RowReduce::Max   ? -std::numeric_limits<float>::infinity()
           : K == RowReduce::Min ? std::numeric_limits<float>::infinity()
           : K == RowReduce::Prod ? 1.0f
                                  : -0.0f; // x + -0.0 == x, also for -0.0
}
template <RowReduce K, typename W> inline W rowCombine(W a, W b) {
  if constexpr (K == RowReduce::Max)
    return num::maximum(a, b);
  else if constexpr (K == RowReduce::Min)
    return num::minimum(a, b);
  else if constexpr (K == RowReduce::Prod)
    return std::is_integral_v<W> ? num::mul(a, b) : a * b;
  else
    return std::is_integral_v<W> ? num::add(a, b) : a + b;
}

/// Row reduction of an ND src into an Rx1 dst (TROWSUM / TROWMAX / TROWMIN
/// / TROWPROD). `tmp` must be able to hold src's valid region; the whole
/// tmp tile is treated as written and left undefined.
template <RowReduce K, typename TD, typename TS, typename TT>
inline void rowReduce(const char *name, TD &dst, TS &src, TT &tmp) {
  using T = typename TS::DType;
  static_assert(kRowReduceTypes<T>, "element type not supported by the row "
                                    "reduction (pto-isa: half, float, int32)");
  static_assert(std::is_same_v<T, typename TD::DType>,
                "dst and src must have the same element type");
  static_assert(kVecND<TS>, "src must be a row-major Vec tile");
  static_assert(kVecND<TD> || (kVecDN<TD> && TD::Cols == 1),
                "dst must be a row-major Vec tile or a column-major Vec tile "
                "with one column");
  static_assert(TT::Loc == pto::TileType::Vec &&
                    std::is_same_v<typename TT::DType, T>,
                "tmp must be a Vec tile of src's element type");
  using E = num::Elem<T>;
  using W = typename E::W;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    needBound(in, tmp, "tmp");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    if (vr == 0 || vc == 0)
      in.fail("src has an empty valid shape " + shapeStr(vr, vc));
    needValid(in, dst, "dst", vr, 1, "src rows x 1");
    if (static_cast<unsigned>(TT::Rows) < vr ||
        static_cast<unsigned>(TT::Cols) < vc)
      in.fail("the scratch tile 'tmp' (" + shapeStr(TT::Rows, TT::Cols) +
              ") cannot hold src's valid region " + shapeStr(vr, vc));
    if (tilesOverlap(tmp, src) || tilesOverlap(tmp, dst))
      in.fail("the scratch tile 'tmp' overlaps src or dst");
    read(in, src);
    // All of tmp is scratch: written, and undefined afterwards.
    access(in, tmp, TT::Rows, TT::Cols, AccessKind::WriteUndefined);
    write(in, dst, vr, 1);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *s = row(src, r);
      W out;
      if constexpr (std::is_integral_v<W>) {
        W acc = rowIdentity<K, W>();
        for (uint64_t c = 0; c < vc; ++c) {
          W x = E::widen(ld<T>(s + c * sz));
          acc = rowCombine<K, W>(acc, x);
        }
        out = acc;
      } else {
        // TileToSCF's order: lane l of a 16-lane f32 accumulator takes the
        // elements j = l (mod 16) in increasing j, then the lanes combine
        // pairwise (8 + 8, 4 + 4, 2 + 2, 1 + 1).
        float lane[16];
        for (float &l : lane)
          l = rowIdentity<K, float>();
        for (uint64_t c = 0; c < vc; ++c) {
          float x = E::widen(ld<T>(s + c * sz));
          float &l = lane[c % 16];
          l = rowCombine<K, float>(l, x);
        }
        for (int width = 8; width >= 1; width /= 2)
          for (int i = 0; i < width; ++i)
            lane[i] = rowCombine<K, float>(lane[i], lane[i + width]);
        out = lane[0];
      }
      st<T>(elemPtr(dst, r, 0), E::narrow(out));
    }
    in.commit();
  });
}

/// dst[i, j] = op(src0[i, j], s), s = src1[i, 0] (PerRow: src1 a
/// column-major Rx1 tile) or src1[0, j] (src1 a row-major 1xC tile),
/// computed on widened elements and narrowed once.
template <bool PerRow, typename TD, typename TS0, typename TS1, typename Op>
inline void expandOp(const char *name, TD &dst, TS0 &src0, TS1 &src1, Op op) {
  using T = typename TD::DType;
  static_assert(std::is_same_v<T, typename TS0::DType> &&
                    std::is_same_v<T, typename TS1::DType>,
                "the broadcast's operands must have the same element type");
  static_assert(kVecND<TD> && kVecND<TS0>,
                "dst and src0 must be row-major Vec tiles");
  static_assert(PerRow ? kVecDN<TS1> : kVecND<TS1>,
                "the reference models src1 of a per-row broadcast as a "
                "column-major Rx1 Vec tile, of a per-column one as a "
                "row-major 1xC Vec tile");
  using E = num::Elem<T>;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src0, "src0");
    needBound(in, src1, "src1");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src0, "src0", vr, vc);
    if (PerRow)
      needValid(in, src1, "src1", vr, 1, "dst rows x 1");
    else
      needValid(in, src1, "src1", 1, vc, "1 x dst cols");
    read(in, src0);
    read(in, src1);
    write(in, dst);
    if constexpr (PerRow && cfg::kHasRowExpandScratch) {
      // vbrcb broadcasts 8 rows (256 bytes) per repeat into the scratch.
      uint64_t bytes = (uint64_t(vr) + 7) / 8 * 256;
      if (bytes > cfg::kRowExpandScratchBytes)
        bytes = cfg::kRowExpandScratchBytes;
      in.onChip(Space::UB, cfg::kRowExpandScratchOffset, bytes,
                AccessKind::WriteUndefined);
    }
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *x = row(src0, r);
      uint8_t *d = row(dst, r);
      for (uint64_t c = 0; c < vc; ++c) {
        auto s = E::widen(ld<T>(PerRow ? elemPtr(src1, r, 0)
                                       : elemPtr(src1, 0, c)));
        st<T>(d + c * sz, E::narrow(op(E::widen(ld<T>(x + c * sz)), s)));
      }
    }
    in.commit();
  });
}

/// TROWEXPAND / TCOLEXPAND: dst[i, j] = src[i, 0] / src[0, j], bit copies.
template <bool PerRow, typename TD, typename TS>
inline void broadcast(const char *name, TD &dst, TS &src) {
  using T = typename TD::DType;
  static_assert(std::is_same_v<T, typename TS::DType>,
                "dst and src must have the same element type");
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4,
                "element type must be b8, b16 or b32");
  static_assert(kVecND<TD>, "dst must be a row-major Vec tile");
  static_assert(PerRow ? kVecDN<TS> : kVecND<TS>,
                "the reference models TROWEXPAND's src as a column-major Rx1 "
                "Vec tile and TCOLEXPAND's as a row-major 1xC Vec tile");
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    if (PerRow)
      needValid(in, src, "src", vr, 1, "dst rows x 1");
    else
      needValid(in, src, "src", 1, vc, "1 x dst cols");
    read(in, src);
    write(in, dst);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c)
        std::memcpy(elemPtr(dst, r, c),
                    PerRow ? elemPtr(src, r, 0) : elemPtr(src, 0, c), sz);
    in.commit();
  });
}

/// TREM / TREMS: dst = remainder(src0, src1 or scalar) (numerics.hpp), with
/// pto-isa's tmp: on a2a3 its first row (`tmpCols` elements) is scratch,
/// and the destination must not overlap a source (the NPU writes it before
/// reading them again); a5 ignores tmp.
template <typename TD, typename TS0, typename TS1, typename TT, typename Src1>
inline void remainderOp(const char *name, TD &dst, TS0 &src0, TS1 *src1,
                        TT &tmp, uint64_t tmpCols, Src1 scalar) {
  using T = typename TD::DType;
  static_assert(kIsA5 ? kOneOf<T, half, float> : kOneOf<T, float>,
                "TREM / TREMS: element type not supported on this target "
                "(the reference: a2a3 float, a5 half and float)");
  static_assert(std::is_same_v<T, typename TS0::DType>,
                "dst and src must have the same element type");
  static_assert(kVecND<TD> && kVecND<TS0>,
                "the operands must be row-major Vec tiles");
  using E = num::Elem<T>;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src0, "src0");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src0, "src0", vr, vc);
    if constexpr (!std::is_same_v<TS1, void>) {
      needBound(in, *src1, "src1");
      needValid(in, *src1, "src1", vr, vc);
    }
    if constexpr (!kIsA5) {
      needBound(in, tmp, "tmp");
      static_assert(TT::Loc == pto::TileType::Vec &&
                        std::is_same_v<typename TT::DType, T>,
                    "tmp must be a Vec tile of dst's element type");
      if (tmp.GetValidRow() < 1 || tmp.GetValidCol() < tmpCols)
        in.fail("the scratch tile 'tmp' has a valid shape " +
                shapeStr(tmp.GetValidRow(), tmp.GetValidCol()) +
                "; a2a3 needs at least 1 x " + std::to_string(tmpCols));
      bool clash = tilesOverlap(dst, src0);
      if constexpr (!std::is_same_v<TS1, void>)
        clash |= tilesOverlap(dst, *src1);
      if (clash)
        in.fail("on a2a3 the destination of " + std::string(name) +
                " must not overlap its sources (it is written before they "
                "are read again)");
      if (tilesOverlap(tmp, dst) || tilesOverlap(tmp, src0))
        in.fail("the scratch tile 'tmp' overlaps dst or src");
    }
    read(in, src0);
    if constexpr (!std::is_same_v<TS1, void>)
      read(in, *src1);
    write(in, dst);
    if constexpr (!kIsA5)
      access(in, tmp, 1, static_cast<unsigned>(tmpCols),
             AccessKind::WriteUndefined);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *a = row(src0, r);
      uint8_t *d = row(dst, r);
      for (uint64_t c = 0; c < vc; ++c) {
        float y;
        if constexpr (std::is_same_v<TS1, void>)
          y = E::widen(scalar);
        else
          y = E::widen(ld<T>(elemPtr(*src1, r, c)));
        st<T>(d + c * sz,
              E::narrow(num::remainder(E::widen(ld<T>(a + c * sz)), y)));
      }
    }
    in.commit();
  });
}

/// TCI's sequence (see pto::TCI).
template <typename TD, typename T, typename TT>
inline void iota(const char *name, TD &dst, T start, bool descending,
                 TT *tmp) {
  using D = typename TD::DType;
  static_assert(std::is_same_v<D, T>,
                "TCI: the scalar must have the tile's element type");
  static_assert(kIsA5 ? kOneOf<D, int16_t, uint16_t, int32_t, uint32_t>
                      : (sizeof(D) == 2 || sizeof(D) == 4),
                "TCI: element type not supported on this target (a5: "
                "integers only)");
  static_assert(TD::Rows == 1, "TCI: the tile must have one row");
  static_assert(kVecND<TD>, "TCI: dst must be a row-major Vec tile");
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    unsigned vc = dst.GetValidCol();
    write(in, dst, 1, vc);
    if constexpr (!kIsA5 && !std::is_same_v<TT, TD>) {
      static_assert(sizeof(typename TT::DType) == 4,
                    "TCI: tmp must be a tile of a 4-byte type");
      needBound(in, *tmp, "tmp");
      uint64_t need = sizeof(D) == 4 ? 768 : 1792;
      if (tileBytes<TT>() < need)
        in.fail("the scratch tile 'tmp' has " +
                std::to_string(tileBytes<TT>()) + " bytes; TCI needs " +
                std::to_string(need));
      if (tilesOverlap(*tmp, dst))
        in.fail("the scratch tile 'tmp' overlaps dst");
      in.onChip(Space::UB, tmp->refOffset, need, AccessKind::WriteUndefined);
    }
    in.check();
    for (uint64_t k = 0; k < vc; ++k) {
      if constexpr (std::is_integral_v<D>) {
        // Wrapping, as the hardware's integer adds.
        uint32_t v = static_cast<uint32_t>(start) +
                     (descending ? 0u - static_cast<uint32_t>(k)
                                 : static_cast<uint32_t>(k));
        st<D>(elemPtr(dst, 0, k), static_cast<D>(v));
      } else
        st<D>(elemPtr(dst, 0, k),
              num::Elem<D>::narrow(static_cast<float>(
                  static_cast<int32_t>(num::Elem<D>::widen(start)) +
                  (descending ? -static_cast<int32_t>(k)
                              : static_cast<int32_t>(k)))));
    }
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

namespace pto {

//===----------------------------------------------------------------------===//
// Tile-tile elementwise
//===----------------------------------------------------------------------===//

template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TADD(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TADD: element type not supported on this target");
  pto_ref::detail::binary("TADD", dst, src0, src1,
                          [](auto a, auto b) { return pto_ref::num::add(a, b); });
}

template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TSUB(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TSUB: element type not supported on this target");
  pto_ref::detail::binary("TSUB", dst, src0, src1,
                          [](auto a, auto b) { return pto_ref::num::sub(a, b); });
}

template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TMUL(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kMulTypes<typename TileDataDst::DType>,
                "TMUL: element type not supported on this target");
  pto_ref::detail::binary("TMUL", dst, src0, src1,
                          [](auto a, auto b) { return pto_ref::num::mul(a, b); });
}

template <auto PrecisionType = DivAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc0, typename TileDataSrc1>
inline void TDIV(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kDivTypes<typename TileDataDst::DType>,
                "TDIV: element type not supported on this target (a2a3: "
                "half, float)");
  pto_ref::detail::binary("TDIV", dst, src0, src1, pto_ref::detail::DivTag{});
}

template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TMAX(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TMAX: element type not supported on this target");
  pto_ref::detail::binary(
      "TMAX", dst, src0, src1,
      [](auto a, auto b) { return pto_ref::num::maximum(a, b); });
}

template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TMIN(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TMIN: element type not supported on this target");
  pto_ref::detail::binary(
      "TMIN", dst, src0, src1,
      [](auto a, auto b) { return pto_ref::num::minimum(a, b); });
}

/// dst = fmod(src0, src1): C fmod, exact, the sign of the dividend
/// (pto-isa docs/isa/TFMOD.md; a2a3 takes float only, a5 half and float).
template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TFMOD(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  static_assert(pto_ref::detail::kFmodTypes<typename TileDataDst::DType>,
                "TFMOD: element type not supported on this target (a2a3: "
                "float; a5: half, float)");
  pto_ref::detail::binary("TFMOD", dst, src0, src1, [](auto a, auto b) {
    return pto_ref::num::fmod(a, b);
  });
}

/// Bitwise and and shifts of integer tiles (docs/isa/TAND.md, TSHL.md,
/// TSHR.md; TOR is below, with the scatter it also serves). The operands are widened (int8_t sign-extended) and
/// the result narrowed to the low bits, exactly C++ on the element type.
#define PTO_REF_BITWISE(NAME, EXPR)                                           \
  template <typename TileDataDst, typename TileDataSrc0,                      \
            typename TileDataSrc1>                                            \
  inline void NAME(TileDataDst &dst, TileDataSrc0 &src0,                      \
                   TileDataSrc1 &src1) {                                      \
    using T = typename TileDataDst::DType;                                    \
    static_assert(pto_ref::detail::kBitwiseTypes<T>,                          \
                  #NAME ": element type not supported (int8_t, int32_t)");    \
    constexpr int kBits = 8 * sizeof(T);                                      \
    (void)kBits;                                                              \
    pto_ref::detail::binary(#NAME, dst, src0, src1,                           \
                            [](int32_t a, int32_t b) { return EXPR; });       \
  }
PTO_REF_BITWISE(TAND, a & b)
PTO_REF_BITWISE(TSHL, pto_ref::detail::shiftLeft<kBits>(a, b))
PTO_REF_BITWISE(TSHR, pto_ref::detail::shiftRight<kBits>(a, b))
#undef PTO_REF_BITWISE

/// dst = ~src (docs/isa/TNOT.md).
template <typename TileDataDst, typename TileDataSrc>
inline void TNOT(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kBitwiseTypes<typename TileDataDst::DType>,
                "TNOT: element type not supported (int8_t, int32_t)");
  pto_ref::detail::unaryOp("TNOT", dst, src, [](int32_t a) { return ~a; });
}

//===----------------------------------------------------------------------===//
// Tile-scalar elementwise
//===----------------------------------------------------------------------===//

template <typename TileDataDst, typename TileDataSrc>
inline void TADDS(TileDataDst &dst, TileDataSrc &src0,
                  typename TileDataSrc::DType scalar) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TADDS: element type not supported on this target");
  pto_ref::detail::scalarOp("TADDS", dst, src0, scalar, [](auto a, auto b) {
    return pto_ref::num::add(a, b);
  });
}

template <typename TileDataDst, typename TileDataSrc>
inline void TSUBS(TileDataDst &dst, TileDataSrc &src0,
                  typename TileDataSrc::DType scalar) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TSUBS: element type not supported on this target");
  pto_ref::detail::scalarOp("TSUBS", dst, src0, scalar, [](auto a, auto b) {
    return pto_ref::num::sub(a, b);
  });
}

template <typename TileDataDst, typename TileDataSrc>
inline void TMULS(TileDataDst &dst, TileDataSrc &src0,
                  typename TileDataSrc::DType scalar) {
  static_assert(pto_ref::detail::kMulTypes<typename TileDataDst::DType>,
                "TMULS: element type not supported on this target");
  pto_ref::detail::scalarOp("TMULS", dst, src0, scalar, [](auto a, auto b) {
    return pto_ref::num::mul(a, b);
  });
}

template <typename TileDataDst, typename TileDataSrc>
inline void TMAXS(TileDataDst &dst, TileDataSrc &src,
                  typename TileDataSrc::DType scalar) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TMAXS: element type not supported on this target");
  pto_ref::detail::scalarOp("TMAXS", dst, src, scalar, [](auto a, auto b) {
    return pto_ref::num::maximum(a, b);
  });
}

template <typename TileDataDst, typename TileDataSrc>
inline void TMINS(TileDataDst &dst, TileDataSrc &src,
                  typename TileDataSrc::DType scalar) {
  static_assert(pto_ref::detail::kArithTypes<typename TileDataDst::DType>,
                "TMINS: element type not supported on this target");
  pto_ref::detail::scalarOp("TMINS", dst, src, scalar, [](auto a, auto b) {
    return pto_ref::num::minimum(a, b);
  });
}

/// Bitwise and / or with a scalar and shifts by a scalar (docs/isa/TANDS.md,
/// TORS.md, TSHLS.md, TSHRS.md; a2a3's TSHLS / TSHRS have no int8_t form).
#define PTO_REF_BITWISE_S(NAME, TYPES, EXPR)                                  \
  template <typename TileDataDst, typename TileDataSrc>                       \
  inline void NAME(TileDataDst &dst, TileDataSrc &src,                        \
                   typename TileDataSrc::DType scalar) {                      \
    using T = typename TileDataDst::DType;                                    \
    static_assert(pto_ref::detail::TYPES<T>,                                  \
                  #NAME ": element type not supported on this target");      \
    constexpr int kBits = 8 * sizeof(T);                                      \
    (void)kBits;                                                              \
    pto_ref::detail::scalarOp(#NAME, dst, src, scalar,                        \
                              [](int32_t a, int32_t b) { return EXPR; });     \
  }
PTO_REF_BITWISE_S(TANDS, kBitwiseTypes, a & b)
PTO_REF_BITWISE_S(TORS, kBitwiseTypes, a | b)
PTO_REF_BITWISE_S(TSHLS, kShiftSTypes, pto_ref::detail::shiftLeft<kBits>(a, b))
PTO_REF_BITWISE_S(TSHRS, kShiftSTypes, pto_ref::detail::shiftRight<kBits>(a, b))
#undef PTO_REF_BITWISE_S

/// dst = fmod(src0, scalar) (docs/isa/TFMODS.md; the reference computes
/// the exact fmod for every `PrecisionType`).
template <auto PrecisionType = FmodSAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TFMODS(TileDataDst &dst, TileDataSrc &src,
                   typename TileDataSrc::DType scalar) {
  static_assert(pto_ref::detail::kFmodTypes<typename TileDataDst::DType>,
                "TFMODS: element type not supported on this target (a2a3: "
                "float; a5: half, float)");
  pto_ref::detail::scalarOp("TFMODS", dst, src, scalar, [](auto a, auto b) {
    return pto_ref::num::fmod(a, b);
  });
}

/// dst = src0 / scalar.
template <auto PrecisionType = DivAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TDIVS(TileDataDst &dst, TileDataSrc &src0,
                  typename TileDataSrc::DType scalar) {
  using T = typename TileDataDst::DType;
  static_assert(pto_ref::detail::kDivSTypes<T>,
                "TDIVS: element type not supported on this target");
  using E = pto_ref::num::Elem<T>;
  auto s = E::widen(scalar);
  pto_ref::detail::withScalar("TDIVS", dst, src0, [&](T x, bool &undefined) {
    auto w = E::widen(x);
    undefined |= pto_ref::num::divUndefined(w, s);
    return E::narrow(pto_ref::num::div(w, s));
  });
}

/// dst = scalar / src0.
template <auto PrecisionType = DivAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TDIVS(TileDataDst &dst, typename TileDataDst::DType scalar,
                  TileDataSrc &src0) {
  using T = typename TileDataDst::DType;
  static_assert(pto_ref::detail::kDivSTypes<T>,
                "TDIVS: element type not supported on this target");
  using E = pto_ref::num::Elem<T>;
  auto s = E::widen(scalar);
  pto_ref::detail::withScalar("TDIVS", dst, src0, [&](T x, bool &undefined) {
    auto w = E::widen(x);
    undefined |= pto_ref::num::divUndefined(s, w);
    return E::narrow(pto_ref::num::div(s, w));
  });
}

/// Fills the valid region of dst with `scalar`.
template <typename TileData>
inline void TEXPANDS(TileData &dst, typename TileData::DType scalar) {
  using T = typename TileData::DType;
  static_assert(pto_ref::detail::kExpandSTypes<T>,
                "TEXPANDS: element type not supported");
  static_assert(pto_ref::detail::kVecND<TileData> ||
                    pto_ref::detail::kVecDN<TileData>,
                "TEXPANDS: the reference models unboxed Vec tiles (row- or "
                "column-major, as pto-isa)");
  using namespace pto_ref::detail;
  run("TEXPANDS", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    write(in, dst);
    in.check();
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c)
        st<T>(elemPtr(dst, r, c), scalar);
    in.commit();
  });
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

template <typename TileDataDst, typename TileDataSrc>
inline void TNEG(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kNegTypes<typename TileDataDst::DType>,
                "TNEG: element type not supported on this target");
  pto_ref::detail::unaryOp("TNEG", dst, src,
                           [](auto a) { return pto_ref::num::neg(a); });
}

template <typename TileDataDst, typename TileDataSrc>
inline void TABS(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kAbsTypes<typename TileDataDst::DType>,
                "TABS: element type not supported on this target (a2a3: "
                "half, float)");
  pto_ref::detail::unaryOp("TABS", dst, src,
                           [](auto a) { return pto_ref::num::abs(a); });
}

template <auto PrecisionType = SqrtAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TSQRT(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kFloatTypes<typename TileDataDst::DType>,
                "TSQRT: element type must be half or float");
  pto_ref::detail::unaryOp("TSQRT", dst, src,
                           [](float a) { return pto_ref::num::sqrt(a); });
}

template <auto PrecisionType = RsqrtAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TRSQRT(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kFloatTypes<typename TileDataDst::DType>,
                "TRSQRT: element type must be half or float");
  pto_ref::detail::unaryOp("TRSQRT", dst, src,
                           [](float a) { return pto_ref::num::rsqrt(a); });
}

template <auto PrecisionType = ExpAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TEXP(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kFloatTypes<typename TileDataDst::DType>,
                "TEXP: element type must be half or float");
  pto_ref::detail::unaryOp("TEXP", dst, src,
                           [](float a) { return pto_ref::num::exp(a); });
}

template <auto PrecisionType = RecipAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TRECIP(TileDataDst &dst, TileDataSrc &src) {
  using T = typename TileDataDst::DType;
  static_assert(pto_ref::detail::kRecipTypes<T>,
                "TRECIP: element type not supported");
  using namespace pto_ref::detail;
  if constexpr (!pto_ref::kIsA5) {
    // "A3's TRECIP instruction does not support setting the source Tile and
    // destination Tile to the same memory" (pto-isa pto_instr.hpp).
    if (dst.refOffset != kUnbound && src.refOffset != kUnbound &&
        tilesOverlap(dst, src)) {
      run("TRECIP", PIPE_V, [&](Instr &in) {
        in.fail("on a2a3 the source and destination of TRECIP must not "
                "overlap");
      });
      return;
    }
  }
  using E = pto_ref::num::Elem<T>;
  withScalar("TRECIP", dst, src, [&](T x, bool &undefined) {
    auto w = E::widen(x);
    undefined |= pto_ref::num::divUndefined(decltype(w)(1), w);
    return E::narrow(pto_ref::num::recip(w));
  });
}

/// dst = log(src): the host's logf (f16: in f32, rounded once).
template <auto PrecisionType = LogAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc>
inline void TLOG(TileDataDst &dst, TileDataSrc &src) {
  static_assert(pto_ref::detail::kFloatTypes<typename TileDataDst::DType>,
                "TLOG: element type must be half or float");
  pto_ref::detail::unaryOp("TLOG", dst, src,
                           [](float a) { return pto_ref::num::log(a); });
}

/// dst = remainder(src0, src1), the sign of the divisor (Python %,
/// torch.remainder; docs/isa/TREM.md). a2a3: tmp needs one row of
/// Cols + 2 * ceil(Cols / 64) elements (Cols: dst's row stride), and dst
/// must not overlap src0 or src1; a5 ignores tmp.
template <auto PrecisionType = RemAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc0, typename TileDataSrc1, typename TileDataTmp>
inline void TREM(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1,
                 TileDataTmp &tmp) {
  static_assert(std::is_same_v<typename TileDataDst::DType,
                               typename TileDataSrc1::DType> &&
                    pto_ref::detail::kVecND<TileDataSrc1>,
                "TREM: src1 must be a row-major Vec tile of dst's type");
  constexpr uint64_t cols = TileDataDst::Cols;
  pto_ref::detail::remainderOp("TREM", dst, src0, &src1, tmp,
                               cols + 2 * ((cols + 63) / 64),
                               typename TileDataDst::DType{});
}

/// dst = remainder(src, scalar) (docs/isa/TREMS.md). a2a3: tmp needs one
/// row of dst's valid columns, and dst must not overlap src; a5 ignores
/// tmp.
template <auto PrecisionType = RemSAlgorithm::DEFAULT, typename TileDataDst,
          typename TileDataSrc, typename TileDataTmp>
inline void TREMS(TileDataDst &dst, TileDataSrc &src,
                  typename TileDataSrc::DType scalar, TileDataTmp &tmp) {
  pto_ref::detail::remainderOp<TileDataDst, TileDataSrc, void>(
      "TREMS", dst, src, nullptr, tmp, dst.GetValidCol(), scalar);
}

/// dst[0, k] = start + k (descending: start - k) for k < dst's valid
/// columns (docs/isa/TCI.md); a one-row tile. The form without tmp is a
/// scalar loop on PIPE_S on a2a3, which the reference does not model: it
/// takes that form on a5 only (vci, PIPE_V).
template <typename TileData, typename T, int descending>
inline void TCI(TileData &dst, T start) {
  static_assert(pto_ref::kIsA5 || sizeof(TileData) == 0,
                "TCI: the reference models the a2a3 form with a tmp tile "
                "(the form without one is a scalar loop on PIPE_S)");
  pto_ref::detail::iota("TCI", dst, start, descending != 0,
                        static_cast<TileData *>(nullptr));
}

/// The vectorised TCI: on a2a3 `tmp` is scratch (768 bytes for 4-byte
/// elements, 1792 for 2-byte ones); a5 ignores it.
template <typename TileData, typename TileDataTmp, typename T, int descending>
inline void TCI(TileData &dst, T start, TileDataTmp &tmp) {
  pto_ref::detail::iota("TCI", dst, start, descending != 0, &tmp);
}

//===----------------------------------------------------------------------===//
// Reductions and broadcasts
//===----------------------------------------------------------------------===//

#define PTO_REF_COL_REDUCE(NAME, KIND)                                        \
  template <typename TileDataOut, typename TileDataIn>                        \
  inline void NAME(TileDataOut &dst, TileDataIn &src) {                       \
    pto_ref::detail::colReduce<pto_ref::detail::ColReduce::KIND>(#NAME, dst,  \
                                                                 src);        \
  }
/// docs/isa/TCOLSUM.md (the form without tmp), TCOLMAX.md, TCOLMIN.md,
/// TCOLPROD.md.
PTO_REF_COL_REDUCE(TCOLSUM, Sum)
PTO_REF_COL_REDUCE(TCOLMAX, Max)
PTO_REF_COL_REDUCE(TCOLMIN, Min)
PTO_REF_COL_REDUCE(TCOLPROD, Prod)
#undef PTO_REF_COL_REDUCE

/// dst = src0's columns, then src1's (docs/isa/TCONCAT.md, the form without
/// index tiles); exact copies.
template <typename TileDst, typename TileSrc0, typename TileSrc1>
inline void TCONCAT(TileDst &dst, TileSrc0 &src0, TileSrc1 &src1) {
  using T = typename TileDst::DType;
  using namespace pto_ref::detail;
  static_assert(kOneOf<T, int8_t, int32_t, half, bfloat16_t, float>,
                "TCONCAT: element type not supported");
  static_assert(std::is_same_v<T, typename TileSrc0::DType> &&
                    std::is_same_v<T, typename TileSrc1::DType>,
                "TCONCAT: dst, src0 and src1 must have the same element type");
  static_assert(kVecND<TileDst> && kVecND<TileSrc0> && kVecND<TileSrc1>,
                "TCONCAT: operands must be row-major Vec tiles");
  run("TCONCAT", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src0, "src0");
    needBound(in, src1, "src1");
    unsigned vr = src0.GetValidRow();
    unsigned c0 = src0.GetValidCol(), c1 = src1.GetValidCol();
    needValid(in, src1, "src1", vr, c1, "src0 rows x src1 cols");
    needValid(in, dst, "dst", vr, c0 + c1, "src0 rows x (src0 + src1 cols)");
    read(in, src0);
    read(in, src1);
    write(in, dst);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      std::memcpy(row(dst, r), row(src0, r), c0 * sz);
      std::memcpy(row(dst, r) + c0 * sz, row(src1, r), c1 * sz);
    }
    in.commit();
  });
}

/// dst[i, j] = 1 where j <= i + diagonal (isUpperOrLower = 0) or
/// j >= i + diagonal (1), else 0 (docs/isa/TTRI.md).
template <typename TileData, int isUpperOrLower>
inline void TTRI(TileData &dst, int diagonal) {
  using T = typename TileData::DType;
  using namespace pto_ref::detail;
  static_assert(kOneOf<T, int32_t, half, float>,
                "TTRI: element type not supported");
  static_assert(kVecND<TileData>, "TTRI: dst must be a row-major Vec tile");
  using E = pto_ref::num::Elem<T>;
  using W = typename E::W;
  run("TTRI", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    write(in, dst);
    in.check();
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c) {
        int64_t j = static_cast<int64_t>(c);
        int64_t limit = static_cast<int64_t>(r) + diagonal;
        bool one = isUpperOrLower ? j >= limit : j <= limit;
        st<T>(elemPtr(dst, r, c), E::narrow(static_cast<W>(one ? 1 : 0)));
      }
    in.commit();
  });
}

/// dst[i, 0] = sum_j src[i, j] (TileToSCF's lane order); tmp is scratch.
template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>
inline void TROWSUM(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp) {
  pto_ref::detail::rowReduce<pto_ref::detail::RowReduce::Sum>("TROWSUM", dst,
                                                               src, tmp);
}

/// dst[i, 0] = max_j src[i, j] (IEEE maximum); tmp is scratch.
template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>
inline void TROWMAX(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp) {
  pto_ref::detail::rowReduce<pto_ref::detail::RowReduce::Max>("TROWMAX", dst,
                                                               src, tmp);
}

/// dst[i, 0] = min_j src[i, j] (IEEE minimum); tmp is scratch.
template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>
inline void TROWMIN(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp) {
  pto_ref::detail::rowReduce<pto_ref::detail::RowReduce::Min>("TROWMIN", dst,
                                                               src, tmp);
}

/// dst[i, 0] = prod_j src[i, j] in TROWSUM's lane order; tmp is scratch.
template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>
inline void TROWPROD(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp) {
  pto_ref::detail::rowReduce<pto_ref::detail::RowReduce::Prod>("TROWPROD",
                                                                dst, src, tmp);
}

#define PTO_REF_EXPAND_OP(NAME, PER_ROW, TYPES, WHAT, EXPR)                    \
  template <typename TileDataDst, typename TileDataSrc0,                       \
            typename TileDataSrc1>                                             \
  inline void NAME(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) { \
    using T = typename TileDataDst::DType;                                     \
    using E = pto_ref::num::Elem<T>;                                           \
    static_assert(pto_ref::detail::TYPES<T>,                                   \
                  #NAME ": element type not supported on this target");        \
    pto_ref::detail::expandOp<PER_ROW>(#NAME, dst, src0, src1,                 \
                                       [](auto x, auto s) {                    \
                                         (void)sizeof(E);                      \
                                         return EXPR;                          \
                                       });                                     \
  }

// dst[i, j] = src0[i, j] <op> src1[i, 0] (TROWEXPAND<OP>, src1 a column-major
// Rx1 tile; on a2a3 also the internal 8 KiB UB scratch, config.hpp) or
// src0[i, j] <op> src1[0, j] (TCOLEXPAND<OP>, src1 a row-major 1xC tile);
// EXPDIF is exp(x - s) with the difference rounded to the element type, as
// pto-isa's TROWEXPANDSUB then TEXP (and Tessel's CPU simulation) compute it.
PTO_REF_EXPAND_OP(TROWEXPANDMUL, true, kExpandMulTypes, mul,
                  pto_ref::num::mul(x, s))
PTO_REF_EXPAND_OP(TROWEXPANDADD, true, kExpandMulTypes, add,
                  pto_ref::num::add(x, s))
PTO_REF_EXPAND_OP(TROWEXPANDSUB, true, kExpandMulTypes, sub,
                  pto_ref::num::sub(x, s))
PTO_REF_EXPAND_OP(TROWEXPANDDIV, true, kFloatTypes, div,
                  pto_ref::num::div(x, s))
PTO_REF_EXPAND_OP(TROWEXPANDMAX, true, kExpandMulTypes, max,
                  pto_ref::num::maximum(x, s))
PTO_REF_EXPAND_OP(TROWEXPANDMIN, true, kExpandMulTypes, min,
                  pto_ref::num::minimum(x, s))
PTO_REF_EXPAND_OP(TROWEXPANDEXPDIF, true, kFloatTypes, expdif,
                  pto_ref::num::exp(E::widen(E::narrow(pto_ref::num::sub(x, s)))))
PTO_REF_EXPAND_OP(TCOLEXPANDMUL, false, kExpandMulTypes, mul,
                  pto_ref::num::mul(x, s))
PTO_REF_EXPAND_OP(TCOLEXPANDADD, false, kExpandMulTypes, add,
                  pto_ref::num::add(x, s))
PTO_REF_EXPAND_OP(TCOLEXPANDSUB, false, kExpandMulTypes, sub,
                  pto_ref::num::sub(x, s))
PTO_REF_EXPAND_OP(TCOLEXPANDDIV, false, kFloatTypes, div,
                  pto_ref::num::div(x, s))
PTO_REF_EXPAND_OP(TCOLEXPANDMAX, false, kExpandMulTypes, max,
                  pto_ref::num::maximum(x, s))
PTO_REF_EXPAND_OP(TCOLEXPANDMIN, false, kExpandMulTypes, min,
                  pto_ref::num::minimum(x, s))
PTO_REF_EXPAND_OP(TCOLEXPANDEXPDIF, false, kFloatTypes, expdif,
                  pto_ref::num::exp(E::widen(E::narrow(pto_ref::num::sub(x, s)))))

#undef PTO_REF_EXPAND_OP

/// dst[i, j] = src[i, 0], src a column-major Rx1 tile (pto-isa also takes
/// an ND source; Tessel's column vectors are DN).
template <typename TileDataDst, typename TileDataSrc>
inline void TROWEXPAND(TileDataDst &dst, TileDataSrc &src) {
  pto_ref::detail::broadcast<true>("TROWEXPAND", dst, src);
}

/// dst[i, j] = src[0, j], src a row-major 1xC tile.
template <typename TileDataDst, typename TileDataSrc>
inline void TCOLEXPAND(TileDataDst &dst, TileDataSrc &src) {
  pto_ref::detail::broadcast<false>("TCOLEXPAND", dst, src);
}

//===----------------------------------------------------------------------===//
// Conversion
//===----------------------------------------------------------------------===//

/// dst = convert(src) with `mode` and `satMode` (casts.hpp).
template <bool NeedSetCtrl = true, typename TileDataD, typename TileDataS>
inline void TCVT(TileDataD &dst, TileDataS &src, RoundMode mode,
                 SaturationMode satMode) {
  using D = typename TileDataD::DType;
  using S = typename TileDataS::DType;
  using namespace pto_ref::detail;
  static_assert(pto_ref::cast::kInTessel<D, S>,
                "TCVT: not a conversion of Tessel's cast table "
                "(docs/numerics.md)");
  static_assert(pto_ref::cast::kOnTarget<D, S>,
                "TCVT: pto-isa has no such conversion on this target "
                "(i32 -> f16 exists only on a2a3)");
  static_assert(kVecND<TileDataD> && kVecND<TileDataS>,
                "TCVT: operands must be row-major Vec tiles");
  run("TCVT", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src, "src", vr, vc);
    std::string problem = pto_ref::cast::modeProblem<D, S>(mode, satMode);
    if (!problem.empty())
      in.warn(problem);
    read(in, src);
    write(in, dst);
    in.check();
    pto_ref::fp::Rounding m = pto_ref::cast::rounding(mode);
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *s = row(src, r);
      uint8_t *d = row(dst, r);
      for (uint64_t c = 0; c < vc; ++c)
        st<D>(d + c * sizeof(D),
              pto_ref::cast::convert<D, S>(ld<S>(s + c * sizeof(S)), m));
    }
    in.commit();
  });
}

/// TCVT without a saturation mode: pto-isa picks a per-type default
/// (SaturationMode::OFF for f16 -> i8, ON otherwise); the reference
/// applies the same default and then the same checks.
template <bool NeedSetCtrl = true, typename TileDataD, typename TileDataS>
inline void TCVT(TileDataD &dst, TileDataS &src, RoundMode mode) {
  constexpr bool offByDefault =
      std::is_same_v<typename TileDataD::DType, int8_t> &&
      std::is_same_v<typename TileDataS::DType, half>;
  TCVT<NeedSetCtrl>(dst, src, mode,
                    offByDefault ? SaturationMode::OFF : SaturationMode::ON);
}

//===----------------------------------------------------------------------===//
// Mask-pattern gather and scatter
//===----------------------------------------------------------------------===//

/// dst[i, k] = src[i, 2k] (P0101) or src[i, 2k + 1] (P1010).
template <typename DstTileData, typename SrcTileData,
          MaskPattern maskPattern = MaskPattern::P1111,
          auto gatherType = GatherAxis::GATHER_ROW>
inline void TGATHER(DstTileData &dst, SrcTileData &src) {
  using T = typename SrcTileData::DType;
  using namespace pto_ref::detail;
  static_assert(maskPattern == MaskPattern::P0101 ||
                    maskPattern == MaskPattern::P1010,
                "TGATHER: the reference models the P0101 and P1010 patterns");
  static_assert(std::is_same_v<std::remove_cv_t<decltype(gatherType)>, GatherAxis> &&
                    gatherType == GatherAxis::GATHER_ROW,
                "TGATHER: the reference models GatherAxis::GATHER_ROW");
  static_assert(kGatherTypes<T>,
                "TGATHER: element type not supported on this target");
  static_assert(sizeof(typename DstTileData::DType) == sizeof(T),
                "TGATHER: dst and src elements must have the same size");
  static_assert(kVecND<DstTileData> && kVecND<SrcTileData>,
                "TGATHER: operands must be row-major Vec tiles");
  constexpr uint64_t parity = maskPattern == MaskPattern::P0101 ? 0 : 1;
  run("TGATHER", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    if (vc % 2 != 0)
      in.fail("the valid column count of src (" + std::to_string(vc) +
              ") is odd");
    needValid(in, dst, "dst", vr, vc / 2, "src rows x src cols / 2");
    if (dst.GetValidCol() != static_cast<unsigned>(DstTileData::Cols))
      in.fail("pto-isa's TGATHER writes dst contiguously and requires "
              "dst.GetValidCol() == Cols (" +
              std::to_string(dst.GetValidCol()) +
              " != " + std::to_string(DstTileData::Cols) + ")");
    read(in, src);
    write(in, dst);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *s = row(src, r);
      uint8_t *d = row(dst, r);
      for (uint64_t k = 0; k < vc / 2; ++k)
        std::memcpy(d + k * sz, s + (2 * k + parity) * sz, sz);
    }
    in.commit();
  });
}

/// The index form: dst[i, j] = src0's element at flat offset src1[i, j]
/// of its storage (Rows x Cols, row-major), for the valid region of dst
/// (docs/isa/TGATHER.md). 16- and 32-bit elements with int32_t / uint32_t
/// offsets (a2a3: b16 / b32 data, b32 indices; a5's 1-byte form reads
/// 16-bit indices, not modelled). dst and src1 are written / read whole
/// rows (valid columns equal to Cols, pto-isa's documented continuity).
/// An offset outside src0 is target-defined on the NPU: a violation here.
/// a2a3 writes the byte offsets of 16-bit data into `tmp` (an int32 tile
/// of src1's valid shape, as wide as dst's rows); a5 ignores `tmp`.
template <typename TileDataD, typename TileDataS0, typename TileDataS1,
          typename TileDataTmp>
inline void TGATHER(TileDataD &dst, TileDataS0 &src0, TileDataS1 &src1,
                    TileDataTmp &tmp) {
  using T = typename TileDataD::DType;
  using I = typename TileDataS1::DType;
  using namespace pto_ref::detail;
  static_assert(sizeof(T) == 2 || sizeof(T) == 4,
                "TGATHER: the index form takes 16- or 32-bit elements");
  static_assert(std::is_same_v<T, typename TileDataS0::DType>,
                "TGATHER: dst and src0 must have the same element type");
  static_assert(std::is_same_v<I, int32_t> || std::is_same_v<I, uint32_t>,
                "TGATHER: the offsets are int32_t or uint32_t");
  static_assert(pto_ref::kIsA5 ||
                    std::is_same_v<typename TileDataTmp::DType, I>,
                "TGATHER: tmp must have the offsets' element type");
  static_assert(kVecND<TileDataD> && kVecND<TileDataS0> &&
                    kVecND<TileDataS1>,
                "TGATHER: operands must be row-major Vec tiles");
  run("TGATHER", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src0, "src0");
    needBound(in, src1, "src1");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src1, "src1", vr, vc);
    if (vc != static_cast<unsigned>(TileDataD::Cols) ||
        vc != static_cast<unsigned>(TileDataS1::Cols))
      in.fail("pto-isa's index TGATHER reads and writes whole rows: the "
              "valid columns (" + std::to_string(vc) + ") of dst and src1 "
              "must equal their Cols (" + std::to_string(TileDataD::Cols) +
              ", " + std::to_string(TileDataS1::Cols) + ")");
    if constexpr (!pto_ref::kIsA5) {
      needBound(in, tmp, "tmp");
      if (tmp.GetValidRow() != src1.GetValidRow() ||
          tmp.GetValidCol() != src1.GetValidCol())
        in.fail("the valid shape of 'tmp' is " +
                shapeStr(tmp.GetValidRow(), tmp.GetValidCol()) +
                ", that of 'src1' " + shapeStr(vr, vc) + "; they must agree");
      if (static_cast<unsigned>(TileDataTmp::Cols) <
          static_cast<unsigned>(TileDataD::Cols))
        in.fail("a2a3's TGATHER writes tmp rows as wide as dst's (" +
                std::to_string(TileDataD::Cols) + " elements), tmp has " +
                std::to_string(TileDataTmp::Cols));
    }
    read(in, src1);
    constexpr uint64_t sz = sizeof(T);
    constexpr uint64_t numel =
        static_cast<uint64_t>(TileDataS0::Rows) * TileDataS0::Cols;
    std::vector<uint64_t> offsets(static_cast<size_t>(vr) * vc);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c) {
        I raw = ld<I>(elemPtr(src1, r, c));
        int64_t v = static_cast<int64_t>(raw);
        if (v < 0 || static_cast<uint64_t>(v) >= numel) {
          in.fail("offset " + std::to_string(v) + " at src1 (" +
                  std::to_string(r) + ", " + std::to_string(c) +
                  ") is outside src0's " + std::to_string(numel) +
                  " elements (target-defined on the NPU)");
          return;
        }
        offsets[r * vc + c] = static_cast<uint64_t>(v);
        in.onChip(spaceOf<TileDataS0>(), src0.refOffset + v * sz, sz,
                  AccessKind::Read);
      }
    if constexpr (!pto_ref::kIsA5)
      if (sz == 2)
        write(in, tmp);
    write(in, dst);
    in.check();
    const uint8_t *s = g_mem.bytes(spaceOf<TileDataS0>(), src0.refOffset);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c)
        std::memcpy(elemPtr(dst, r, c), s + offsets[r * vc + c] * sz, sz);
    in.commit();
  });
}

/// Bitwise or of integer tiles (int8 / int16 / int32, as pto-isa's TOR on
/// a2a3 and a5): tile.or, and on integer views of float tiles the merge of
/// two zero-filled scatters bit for bit.
template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TOR(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1) {
  using T = typename TileDataDst::DType;
  using namespace pto_ref::detail;
  static_assert(std::is_same_v<T, int32_t> || std::is_same_v<T, int16_t> ||
                    std::is_same_v<T, uint32_t> || std::is_same_v<T, uint16_t> ||
                    std::is_same_v<T, int8_t> || std::is_same_v<T, uint8_t>,
                "TOR: int8 / int16 / int32 tiles only");
  static_assert(std::is_same_v<T, typename TileDataSrc0::DType> &&
                    std::is_same_v<T, typename TileDataSrc1::DType>,
                "TOR: dst, src0 and src1 must have the same element type");
  static_assert(kVecND<TileDataDst> && kVecND<TileDataSrc0> &&
                    kVecND<TileDataSrc1>,
                "TOR: operands must be row-major Vec tiles");
  run("TOR", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src0, "src0");
    needBound(in, src1, "src1");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src0, "src0", vr, vc);
    needValid(in, src1, "src1", vr, vc);
    read(in, src0);
    read(in, src1);
    write(in, dst);
    in.check();
    mapRows<T>(
        vr, vc,
        [&](const uint8_t *const *s, uint64_t o) {
          return static_cast<T>(ld<T>(s[0] + o) | ld<T>(s[1] + o));
        },
        dst, src0, src1);
    in.commit();
  });
}

/// dst[i, 2k] (P0101) or dst[i, 2k + 1] (P1010) = src[i, k]. The other
/// columns of dst are unchanged, as the spec says; pto-isa instead
/// zero-fills the whole dst tile first, which PTO_REF_TSCATTER_ZERO_FILL
/// reproduces.
template <MaskPattern maskPattern = MaskPattern::P1111,
          auto ScatterType = ScatterAxis::SCATTER_ROW, typename DstTileData,
          typename SrcTileData>
inline void TSCATTER(DstTileData &dst, SrcTileData &src) {
  using T = typename DstTileData::DType;
  using namespace pto_ref::detail;
  static_assert(maskPattern == MaskPattern::P0101 ||
                    maskPattern == MaskPattern::P1010,
                "TSCATTER: the reference models the P0101 and P1010 patterns");
  static_assert(std::is_same_v<std::remove_cv_t<decltype(ScatterType)>, ScatterAxis> &&
                    ScatterType == ScatterAxis::SCATTER_ROW,
                "TSCATTER: the reference models ScatterAxis::SCATTER_ROW");
  static_assert(kScatterTypes<T>,
                "TSCATTER: element type not supported");
  static_assert(std::is_same_v<T, typename SrcTileData::DType>,
                "TSCATTER: dst and src must have the same element type");
  static_assert(kVecND<DstTileData> && kVecND<SrcTileData>,
                "TSCATTER: operands must be row-major Vec tiles");
  constexpr uint64_t parity = maskPattern == MaskPattern::P0101 ? 0 : 1;
  run("TSCATTER", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    needValid(in, dst, "dst", vr, 2 * vc, "src rows x 2 src cols");
    read(in, src);
    constexpr uint64_t sz = sizeof(T);
#if defined(PTO_REF_TSCATTER_ZERO_FILL)
    write(in, dst, DstTileData::Rows, DstTileData::Cols);
    in.check();
    std::memset(elemPtr(dst, 0, 0), 0, tileBytes<DstTileData>());
#else
    // Each written element is its own access: the other columns keep their
    // bytes (and their initialisation state).
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t k = 0; k < vc; ++k)
        in.onChip(pto_ref::Space::UB,
                  dst.refOffset + elemIndex<DstTileData>(r, 2 * k + parity) * sz,
                  sz, AccessKind::Write);
    in.check();
#endif
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *s = row(src, r);
      uint8_t *d = row(dst, r);
      for (uint64_t k = 0; k < vc; ++k)
        std::memcpy(d + (2 * k + parity) * sz, s + k * sz, sz);
    }
    in.commit();
  });
}

} // namespace pto

#endif // PTO_REF_VECTOR_OPS_HPP
