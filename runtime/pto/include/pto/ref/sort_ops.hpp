//===- pto/ref/sort_ops.hpp - TSORT32 ----------------------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
//   TSORT32(dst, src, idx)   each 32-element block of each row of src, as
//                            (value, index) pairs with the index from idx,
//                            sorted by value descending
//   TMRGSORT(dst, src, blockLen)   the single-list 4-way merge of sorted
//                            runs of such pairs (below)
//   TMRGSORT<Dst, Tmp, Src0, Src1, [Src2, [Src3,]] false>(dst, executed,
//                            tmp, src0, src1, ...)   2 to 4 sorted lists
//                            merged (the non-exhausted form)
//
// TSORT32 runs on PIPE_V (pto-isa's 3-operand form: src's valid columns a multiple of
// 32), row-major Vec tiles: src and dst half or float, idx uint32_t with
// src's valid rows or one row (then shared by every row). Each pair is 8
// bytes of dst: float [value, index bits]; half [value, 0, index bits
// 0..15, 16..31] (dst has 2 or 4 elements per src element). dst must not
// overlap src or idx.
//
// The order is Tessel's (docs/numerics.md, the CPU simulation's
// tile.sort32): by value descending with -0 equal to +0 and NaNs at the
// ends (a positive NaN above +inf, a negative one below -inf); equal values
// by index ascending (as uint32), then by position. pto-isa documents
// descending order with ties by smaller index first; its NaN order is the
// hardware's.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_SORT_OPS_HPP
#define PTO_REF_SORT_OPS_HPP

#include "pto/ref/catalog_ops.hpp"

#include <algorithm>
#include <vector>

namespace pto_ref {
namespace detail {

/// A signed key whose order is that of the value (f16 exactly in float),
/// -0 == +0, NaNs at the ends by their sign bit.
inline int32_t sortKey(float v) {
  uint32_t u = fp::bitsOf(v);
  if (u == 0x80000000u)
    u = 0;
  int32_t s = static_cast<int32_t>(u);
  return s < 0 ? static_cast<int32_t>(u ^ 0x7fffffffu) : s;
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// docs/isa/TSORT32.md, the 3-operand form.
template <typename DstTileData, typename SrcTileData, typename IdxTileData>
inline void TSORT32(DstTileData &dst, SrcTileData &src, IdxTileData &idx) {
  using T = typename SrcTileData::DType;
  using namespace pto_ref::detail;
  static_assert(std::is_same_v<T, half> || std::is_same_v<T, float>,
                "TSORT32: src is half or float");
  static_assert(std::is_same_v<typename DstTileData::DType, T>,
                "TSORT32: dst and src must have the same element type");
  static_assert(std::is_same_v<typename IdxTileData::DType, uint32_t>,
                "TSORT32: idx is a tile of uint32_t");
  static_assert(kVecND<DstTileData> && kVecND<SrcTileData> &&
                    kVecND<IdxTileData>,
                "TSORT32: the operands must be row-major Vec tiles");
  constexpr unsigned pe = 8 / sizeof(T); // dst elements per pair
  run("TSORT32", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    needBound(in, idx, "idx");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    if (vc % 32 != 0)
      in.fail("the 3-operand TSORT32 sorts whole blocks of 32: src has " +
              std::to_string(vc) + " valid columns");
    needValid(in, dst, "dst", vr, vc * pe, "src rows x pairs");
    unsigned ir = idx.GetValidRow();
    if ((ir != vr && ir != 1) || idx.GetValidCol() < vc)
      in.fail("idx's valid shape is " + shapeStr(ir, idx.GetValidCol()) +
              "; sorting " + shapeStr(vr, vc) + " needs " +
              shapeStr(vr, vc) + " or " + shapeStr(1, vc));
    if (tilesOverlap(dst, src) || tilesOverlap(dst, idx))
      in.fail("dst overlaps src or idx");
    read(in, src);
    read(in, idx, ir, vc);
    write(in, dst);
    in.check();
    struct Pair {
      int32_t key;
      uint32_t index;
      unsigned pos;
      T value;
    };
    std::vector<Pair> block(32);
    for (unsigned r = 0; r < vr; ++r) {
      unsigned ri = ir == 1 ? 0 : r;
      for (unsigned b = 0; b < vc; b += 32) {
        for (unsigned k = 0; k < 32; ++k) {
          T v = ld<T>(elemPtr(src, r, b + k));
          block[k] = Pair{sortKey(pto_ref::num::Elem<T>::widen(v)),
                          ld<uint32_t>(elemPtr(idx, ri, b + k)), k, v};
        }
        std::sort(block.begin(), block.end(),
                  [](const Pair &x, const Pair &y) {
                    if (x.key != y.key)
                      return x.key > y.key;
                    if (x.index != y.index)
                      return x.index < y.index;
                    return x.pos < y.pos;
                  });
        for (unsigned k = 0; k < 32; ++k) {
          uint8_t *p = elemPtr(dst, r, (b + k) * pe);
          st<T>(p, block[k].value);
          if constexpr (pe == 4)
            st<uint16_t>(p + 2, 0);
          st<uint32_t>(p + 4, block[k].index);
        }
      }
    }
    in.commit();
  });
}

/// docs/isa/TMRGSORT.md, the single-list form: src is one row of 8-byte
/// (value, index) pairs (TSORT32's layout); each group of 4 consecutive
/// runs of `blockLen` elements (blockLen * sizeof(T) / 8 pairs) merges into
/// one run of dst, taking at each step the pair of the largest value
/// (compared in the element type: a NaN is never larger) and, of equal
/// values or when none is larger, the one of the earliest run (Tessel's
/// tile.mrgsort). blockLen is a multiple of 64, src's valid columns a
/// multiple of 4 * blockLen, at most 255 groups.
template <typename DstTileData, typename SrcTileData>
inline void TMRGSORT(DstTileData &dst, SrcTileData &src, uint32_t blockLen) {
  using T = typename SrcTileData::DType;
  using namespace pto_ref::detail;
  static_assert(std::is_same_v<T, half> || std::is_same_v<T, float>,
                "TMRGSORT: half or float pairs");
  static_assert(std::is_same_v<typename DstTileData::DType, T>,
                "TMRGSORT: dst and src must have the same element type");
  static_assert(kVecND<DstTileData> && kVecND<SrcTileData>,
                "TMRGSORT: the operands must be row-major Vec tiles");
  static_assert(DstTileData::Rows == 1 && SrcTileData::Rows == 1,
                "TMRGSORT: one-row tiles");
  constexpr unsigned pe = 8 / sizeof(T);
  run("TMRGSORT", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vc = src.GetValidCol();
    if (blockLen == 0 || blockLen % 64 != 0)
      in.fail("blockLen " + std::to_string(blockLen) +
              " is not a positive multiple of 64");
    if (vc % (4 * blockLen) != 0 || vc / (4 * blockLen) > 255)
      in.fail("src's " + std::to_string(vc) +
              " valid columns are not 1 to 255 groups of 4 * blockLen");
    needValid(in, dst, "dst", 1, vc, "src");
    if (tilesOverlap(dst, src))
      in.fail("dst overlaps src");
    read(in, src);
    write(in, dst);
    in.check();
    using E = pto_ref::num::Elem<T>;
    unsigned pairs = blockLen / pe;
    for (unsigned g = 0; g < vc; g += 4 * blockLen) {
      unsigned next[4] = {0, 0, 0, 0};
      for (unsigned o = 0; o < 4 * pairs; ++o) {
        int pick = -1;
        float best = 0;
        for (int l = 0; l < 4; ++l) {
          if (next[l] >= pairs)
            continue;
          float v = E::widen(
              ld<T>(elemPtr(src, 0, g + l * blockLen + next[l] * pe)));
          if (pick < 0 || v > best) {
            pick = l;
            best = v;
          }
        }
        std::memmove(elemPtr(dst, 0, g + o * pe),
                     elemPtr(src, 0, g + pick * blockLen + next[pick] * pe),
                     8);
        ++next[pick];
      }
    }
    in.commit();
  });
}

/// The executed-pair counts of an exhausted multi-list TMRGSORT (pto-isa's
/// struct; the reference models the non-exhausted form only, which leaves
/// it untouched).
struct MrgSortExecutedNumList {
  uint16_t mrgSortList0;
  uint16_t mrgSortList1;
  uint16_t mrgSortList2;
  uint16_t mrgSortList3;
};

} // namespace pto

namespace pto_ref {
namespace detail {

/// The multi-list TMRGSORT (not exhausted): 2 to 4 one-row tiles of sorted
/// pairs merge into tmp (then copied to dst), with the single-list rule:
/// the largest value (compared in the element type), of equal values (or
/// none larger) the earliest list's pair.
template <typename TD, typename TT, typename... TS>
inline void mergeLists(TD &dst, TT &tmp, TS &...srcs) {
  using T = typename TD::DType;
  static_assert(std::is_same_v<T, half> || std::is_same_v<T, float>,
                "TMRGSORT: half or float pairs");
  static_assert((std::is_same_v<typename TS::DType, T> && ...) &&
                    std::is_same_v<typename TT::DType, T>,
                "TMRGSORT: dst, tmp and the lists must have one element type");
  static_assert(kVecND<TD> && kVecND<TT> && (kVecND<TS> && ...),
                "TMRGSORT: the operands must be row-major Vec tiles");
  static_assert(TD::Rows == 1 && TT::Rows == 1 && ((TS::Rows == 1) && ...),
                "TMRGSORT: one-row tiles");
  constexpr unsigned pe = 8 / sizeof(T);
  constexpr size_t n = sizeof...(TS);
  run("TMRGSORT", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    (needBound(in, srcs, "src"), ...);
    unsigned cols[n] = {srcs.GetValidCol()...};
    unsigned total = 0;
    for (unsigned c : cols) {
      if (c % pe != 0)
        in.fail("a list's valid columns are not whole 8-byte pairs");
      total += c;
    }
    needValid(in, dst, "dst", 1, total, "the lists' columns");
    if ((tilesOverlap(dst, srcs) || ...))
      in.fail("dst overlaps a list");
    (read(in, srcs), ...);
    write(in, dst);
    scratchTile(in, tmp, 1, total, dst, srcs...);
    in.check();
    const uint8_t *base[n] = {elemPtr(srcs, 0, 0)...};
    std::vector<uint8_t> out(static_cast<size_t>(total) * sizeof(T));
    unsigned next[n] = {};
    using E = pto_ref::num::Elem<T>;
    for (unsigned o = 0; o < total / pe; ++o) {
      int pick = -1;
      float best = 0;
      for (size_t l = 0; l < n; ++l) {
        if (next[l] >= cols[l] / pe)
          continue;
        float v = E::widen(ld<T>(base[l] + next[l] * 8));
        if (pick < 0 || v > best) {
          pick = static_cast<int>(l);
          best = v;
        }
      }
      std::memcpy(out.data() + o * 8, base[pick] + next[pick] * 8, 8);
      ++next[pick];
    }
    std::memcpy(elemPtr(dst, 0, 0), out.data(), out.size());
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// docs/isa/TMRGSORT.md, the 2-, 3- and 4-list forms; `exhausted` (stop at
/// the first exhausted list) is not modelled.
template <typename DstTileData, typename TmpTileData, typename Src0TileData,
          typename Src1TileData, bool exhausted>
inline void TMRGSORT(DstTileData &dst, MrgSortExecutedNumList &, TmpTileData &tmp,
                     Src0TileData &src0, Src1TileData &src1) {
  static_assert(!exhausted, "the reference models the non-exhausted TMRGSORT");
  pto_ref::detail::mergeLists(dst, tmp, src0, src1);
}
template <typename DstTileData, typename TmpTileData, typename Src0TileData,
          typename Src1TileData, typename Src2TileData, bool exhausted>
inline void TMRGSORT(DstTileData &dst, MrgSortExecutedNumList &, TmpTileData &tmp,
                     Src0TileData &src0, Src1TileData &src1, Src2TileData &src2) {
  static_assert(!exhausted, "the reference models the non-exhausted TMRGSORT");
  pto_ref::detail::mergeLists(dst, tmp, src0, src1, src2);
}
template <typename DstTileData, typename TmpTileData, typename Src0TileData,
          typename Src1TileData, typename Src2TileData, typename Src3TileData,
          bool exhausted>
inline void TMRGSORT(DstTileData &dst, MrgSortExecutedNumList &, TmpTileData &tmp,
                     Src0TileData &src0, Src1TileData &src1, Src2TileData &src2,
                     Src3TileData &src3) {
  static_assert(!exhausted, "the reference models the non-exhausted TMRGSORT");
  pto_ref::detail::mergeLists(dst, tmp, src0, src1, src2, src3);
}

} // namespace pto

#endif // PTO_REF_SORT_OPS_HPP
