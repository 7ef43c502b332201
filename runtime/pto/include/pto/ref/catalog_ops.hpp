//===- pto/ref/catalog_ops.hpp - TXOR, TTRANS, arg-reductions ---*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The catalog instructions whose pto-isa form takes a scratch tile:
//
//   TXOR(dst, src0, src1, tmp)    dst = src0 ^ src1         (int8_t, int32_t)
//   TXORS(dst, src, scalar, tmp)  dst = src ^ scalar
//   TTRANS(dst, src, tmp)         dst[j, i] = src[i, j]     (1-, 2-, 4-byte)
//   TROWARGMAX / TROWARGMIN(dst, src, tmp)   dst[i] = the column of row i's
//                                 first maximum / minimum (int32_t, M x 1)
//   TCOLARGMAX / TCOLARGMIN(dst, src, tmp)   dst[0, j] = the row of column
//                                 j's first maximum / minimum (1 x N)
//
// all on PIPE_V, row-major Vec tiles, acting on the valid region. The
// arg-reductions compare with `>` / `<` in the element type's value (f16
// exactly in float): a later equal value does not replace the first, a NaN
// compares false (Tessel's numerics, docs/numerics.md).
//
// tmp: a2a3 uses it (TXOR / TXORS: OR(a, b) of the decomposition, a tile
// of dst's type and valid shape; the arg-reductions: index counters and
// running extrema, a tile of the source's type; TTRANS: W x
// ceil(H / RowStride) * RowStride elements, RowStride 32 for 1-byte and 16
// for 2- / 4-byte types). Each is written and left undefined, and must not
// overlap dst or a source. a5 ignores the tmp of TXOR / TXORS and of the
// arg-reductions; TTRANS takes it on both targets.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_CATALOG_OPS_HPP
#define PTO_REF_CATALOG_OPS_HPP

#include "pto/ref/vector_ops.hpp"

namespace pto_ref {
namespace detail {

/// Declares tmp's first `rows x cols` elements written and undefined,
/// after checking its type, extent and that it overlaps no operand.
template <typename TT, typename... Ops>
inline void scratchTile(Instr &in, TT &tmp, unsigned rows, unsigned cols,
                        const Ops &...operands) {
  static_assert(TT::Loc == pto::TileType::Vec && kVecND<TT>,
                "tmp must be a row-major Vec tile");
  needBound(in, tmp, "tmp");
  if (tmp.GetValidRow() < rows || tmp.GetValidCol() < cols)
    in.fail("the scratch tile 'tmp' has a valid shape " +
            shapeStr(tmp.GetValidRow(), tmp.GetValidCol()) +
            "; the instruction needs " + shapeStr(rows, cols));
  if ((tilesOverlap(tmp, operands) || ...))
    in.fail("the scratch tile 'tmp' overlaps an operand");
  access(in, tmp, rows, cols, AccessKind::WriteUndefined);
}

template <typename TD, typename TA, typename TB, typename TT>
inline void xorOp(const char *name, TD &dst, TA &a, TB *b,
                  typename TA::DType scalar, TT &tmp) {
  using T = typename TD::DType;
  static_assert(kBitwiseTypes<T>, "TXOR / TXORS: element type not supported "
                                  "(int8_t, int32_t)");
  static_assert(std::is_same_v<T, typename TA::DType>,
                "dst and src must have the same element type");
  static_assert(kVecND<TD> && kVecND<TA>,
                "the operands must be row-major Vec tiles");
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, a, "src0");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, a, "src0", vr, vc);
    read(in, a);
    if constexpr (!std::is_same_v<TB, void>) {
      needBound(in, *b, "src1");
      needValid(in, *b, "src1", vr, vc);
      read(in, *b);
    }
    write(in, dst);
    if constexpr (!kIsA5) {
      static_assert(std::is_same_v<typename TT::DType, T>,
                    "TXOR / TXORS: tmp has dst's element type on a2a3");
      if constexpr (std::is_same_v<TB, void>)
        scratchTile(in, tmp, vr, vc, dst, a);
      else
        scratchTile(in, tmp, vr, vc, dst, a, *b);
    }
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c) {
        T x = ld<T>(row(a, r) + c * sz);
        T y = scalar;
        if constexpr (!std::is_same_v<TB, void>)
          y = ld<T>(row(*b, r) + c * sz);
        st<T>(row(dst, r) + c * sz, static_cast<T>(x ^ y));
      }
    in.commit();
  });
}

/// The first extremum along rows (`byRow`: one index per row) or columns.
template <bool Max, bool ByRow, typename TD, typename TS, typename TT>
inline void argReduce(const char *name, TD &dst, TS &src, TT &tmp) {
  using T = typename TS::DType;
  static_assert(std::is_same_v<typename TD::DType, int32_t> ||
                    std::is_same_v<typename TD::DType, uint32_t>,
                "the index tile is int32_t or uint32_t");
  static_assert(kVecND<TS>, "src must be a row-major Vec tile");
  if constexpr (ByRow)
    static_assert(TD::Loc == pto::TileType::Vec &&
                      (kVecND<TD> || (!TD::isRowMajor && TD::Cols == 1)),
                  "the row index tile is a column (DN, one column) or ND");
  else
    static_assert(kVecND<TD>, "the column index tile is row-major");
  if constexpr (ByRow)
    static_assert(kIsA5 ? kOneOf<T, half, bfloat16_t, float, int32_t>
                        : kOneOf<T, half, float, int32_t>,
                  "TROWARGMAX / TROWARGMIN: element type not supported on "
                  "this target");
  else
    static_assert(kIsA5 ? kOneOf<T, int8_t, half, float, int32_t>
                        : kOneOf<T, half, float>,
                  "TCOLARGMAX / TCOLARGMIN: element type not supported on "
                  "this target (a2a3: half, float; a5: 1-, 2-, 4-byte)");
  using E = num::Elem<T>;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    if (vr == 0 || vc == 0)
      in.fail("src has an empty valid region");
    if (ByRow)
      needValid(in, dst, "dst", vr, 1, "src rows x 1");
    else
      needValid(in, dst, "dst", 1, vc, "1 x src cols");
    read(in, src);
    write(in, dst);
    if constexpr (!kIsA5) {
      static_assert(std::is_same_v<typename TT::DType, T>,
                    "the arg-reductions' tmp has src's element type on a2a3");
      scratchTile(in, tmp, vr, vc, dst, src);
    }
    in.check();
    unsigned outer = ByRow ? vr : vc, inner = ByRow ? vc : vr;
    for (unsigned o = 0; o < outer; ++o) {
      auto at = [&](unsigned k) {
        return E::widen(ByRow ? ld<T>(elemPtr(src, o, k))
                              : ld<T>(elemPtr(src, k, o)));
      };
      auto best = at(0);
      int32_t index = 0;
      for (unsigned k = 1; k < inner; ++k) {
        auto v = at(k);
        if (Max ? v > best : v < best) {
          best = v;
          index = static_cast<int32_t>(k);
        }
      }
      st<typename TD::DType>(ByRow ? elemPtr(dst, o, 0) : elemPtr(dst, 0, o),
                             static_cast<typename TD::DType>(index));
    }
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// docs/isa/TXOR.md: a2a3 computes AND(NOT(AND(a, b)), OR(a, b)) with
/// OR(a, b) in tmp.
template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1,
          typename TileDataTmp>
inline void TXOR(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1,
                 TileDataTmp &tmp) {
  pto_ref::detail::xorOp("TXOR", dst, src0, &src1,
                         typename TileDataSrc0::DType{}, tmp);
}

/// docs/isa/TXORS.md.
template <typename TileDataDst, typename TileDataSrc, typename TileDataTmp>
inline void TXORS(TileDataDst &dst, TileDataSrc &src,
                  typename TileDataSrc::DType scalar, TileDataTmp &tmp) {
  pto_ref::detail::xorOp<TileDataDst, TileDataSrc, void>(
      "TXORS", dst, src, nullptr, scalar, tmp);
}

/// docs/isa/TTRANS.md: the 2-D form, [H, W] -> [W, H] of src's valid
/// region; tmp holds W x ceil(H / RowStride) * RowStride elements.
template <typename TileDataDst, typename TileDataSrc, typename TileDataTmp>
inline void TTRANS(TileDataDst &dst, TileDataSrc &src, TileDataTmp &tmp) {
  using T = typename TileDataSrc::DType;
  using namespace pto_ref::detail;
  static_assert(sizeof(T) == sizeof(typename TileDataDst::DType),
                "TTRANS: src and dst element sizes must match");
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4,
                "TTRANS: 1-, 2- or 4-byte elements");
  static_assert(kVecND<TileDataSrc> && kVecND<TileDataDst>,
                "TTRANS: the reference models row-major Vec tiles");
  static_assert(sizeof(typename TileDataTmp::DType) == sizeof(T),
                "TTRANS: tmp has the element size of src");
  run("TTRANS", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned h = src.GetValidRow(), w = src.GetValidCol();
    needValid(in, dst, "dst", w, h, "src cols x src rows");
    read(in, src);
    write(in, dst);
    constexpr unsigned rowStride = sizeof(T) == 1 ? 32 : 16;
    scratchTile(in, tmp, w, (h + rowStride - 1) / rowStride * rowStride, dst,
                src);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t i = 0; i < h; ++i)
      for (uint64_t j = 0; j < w; ++j)
        std::memcpy(elemPtr(dst, j, i), elemPtr(src, i, j), sz);
    in.commit();
  });
}

#define PTO_REF_ARG_REDUCE(NAME, MAX, BY_ROW)                                 \
  template <typename TileDataOut, typename TileDataIn, typename TileDataTmp>  \
  inline void NAME(TileDataOut &dst, TileDataIn &src, TileDataTmp &tmp) {     \
    pto_ref::detail::argReduce<MAX, BY_ROW>(#NAME, dst, src, tmp);            \
  }
/// docs/isa/TROWARGMAX.md, TROWARGMIN.md, TCOLARGMAX.md, TCOLARGMIN.md (the
/// index-only forms).
PTO_REF_ARG_REDUCE(TROWARGMAX, true, true)
PTO_REF_ARG_REDUCE(TROWARGMIN, false, true)
PTO_REF_ARG_REDUCE(TCOLARGMAX, true, false)
PTO_REF_ARG_REDUCE(TCOLARGMIN, false, false)
#undef PTO_REF_ARG_REDUCE

} // namespace pto

#endif // PTO_REF_CATALOG_OPS_HPP
