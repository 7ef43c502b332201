//===- pto/ref/compare_ops.hpp - TCMP, TCMPS, TSEL --------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Comparison into a packed predicate mask, and selection by one:
//
//   TCMP(mask, src0, src1, mode)      bit (r, c) = src0[r, c] <mode> src1[r, c]
//   TCMPS(mask, src, scalar, mode)    bit (r, c) = src[r, c] <mode> scalar
//   TSEL(dst, mask, src0, src1, tmp)  dst[r, c] = bit (r, c) ? src0 : src1
//   TPRELU(dst, src0, src1, tmp)      dst = src0 > 0 ? src0 : src0 * src1
//
// all on PIPE_V, row-major Vec tiles. The mask is a tile of bytes
// (uint8_t, pto-isa's a2a3 output type; a5's TCMP writes 32-bit words
// through the same bytes): bit (r, c) is bit c % 8 (least significant
// first) of byte c / 8 of row r. TCMP / TCMPS iterate over the source's
// valid region vr x vc; the mask must have vr valid rows and at least
// ceil(vc / 8) valid columns.
//
// What pto-isa leaves target-defined, the reference declares written and
// undefined (poisoned), so that reading it before something defines it is
// reported: the mask bytes of each row past ceil(vc / 8) up to the mask's
// valid columns (a2a3 compares whole 256-byte repeats of the source and
// its NE inverts whole rows). The bits past vc in a row's last byte are
// set (a value the hardware may write; Tessel compares multiples of 8
// columns only).
//
// Element types: a2a3 int32_t, half, float, where int32_t compares for
// EQ / NE only (pto-isa's a2a3 TCMP / TCMPS use their EQ compare for
// int32_t whatever the mode: any other mode is an error here); a5 also
// int8_t and bfloat16_t. Compares are exact in the element's value (half /
// bfloat16_t widened to float); a comparison with a NaN is false except
// NE (true), Tessel's numerics.
//
// TSEL: dst, src0 and src1 of one type of 2 or 4 bytes (a5: also 1); the
// mask's bytes [0, ceil(vc / 8)) of rows [0, vr) are read. a2a3 writes the
// address of each mask row into the first 8 (4-byte elements) or 16
// (2-byte) bytes of tmp, which must not overlap an operand; a5 ignores tmp.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_COMPARE_OPS_HPP
#define PTO_REF_COMPARE_OPS_HPP

#include "pto/ref/catalog_ops.hpp"

namespace pto_ref {
namespace detail {

template <typename T>
constexpr bool kCmpTypes = kIsA5 ? kOneOf<T, int8_t, int32_t, half, bfloat16_t, float>
                                 : kOneOf<T, int32_t, half, float>;

inline const char *cmpModeName(pto::CmpMode mode) {
  switch (mode) {
  case pto::CmpMode::EQ:
    return "EQ";
  case pto::CmpMode::NE:
    return "NE";
  case pto::CmpMode::LT:
    return "LT";
  case pto::CmpMode::LE:
    return "LE";
  case pto::CmpMode::GT:
    return "GT";
  case pto::CmpMode::GE:
    return "GE";
  }
  return "?";
}

template <typename W> inline bool compare(W a, W b, pto::CmpMode mode) {
  switch (mode) {
  case pto::CmpMode::EQ:
    return a == b;
  case pto::CmpMode::NE:
    return a != b;
  case pto::CmpMode::LT:
    return a < b;
  case pto::CmpMode::LE:
    return a <= b;
  case pto::CmpMode::GT:
    return a > b;
  case pto::CmpMode::GE:
    return a >= b;
  }
  return false;
}

/// TCMP (`b` a tile) and TCMPS (`b` null: `scalar`).
template <typename TD, typename TA, typename TB>
inline void cmpOp(const char *name, TD &dst, TA &a, TB *b,
                  typename TA::DType scalar, pto::CmpMode mode) {
  using T = typename TA::DType;
  static_assert(kCmpTypes<T>, "TCMP / TCMPS: element type not supported on "
                              "this target (a2a3: int32_t, half, float; a5: "
                              "also int8_t, bfloat16_t)");
  static_assert(std::is_same_v<typename TD::DType, uint8_t>,
                "TCMP / TCMPS: the mask is a tile of uint8_t");
  static_assert(kVecND<TD> && kVecND<TA>,
                "TCMP / TCMPS: the operands must be row-major Vec tiles");
  if constexpr (!std::is_same_v<TB, void>) {
    static_assert(std::is_same_v<typename TB::DType, T>,
                  "TCMP: src0 and src1 must have the same element type");
    static_assert(kVecND<TB>, "TCMP: src1 must be a row-major Vec tile");
  }
  using E = num::Elem<T>;
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, a, "src0");
    unsigned vr = a.GetValidRow(), vc = a.GetValidCol();
    if constexpr (!std::is_same_v<TB, void>) {
      needBound(in, *b, "src1");
      needValid(in, *b, "src1", vr, vc, "src0");
    }
    unsigned bytes = (vc + 7) / 8, mc = dst.GetValidCol();
    if (dst.GetValidRow() != vr || mc < bytes)
      in.fail("the mask's valid shape is " +
              shapeStr(dst.GetValidRow(), mc) + "; a comparison of " +
              shapeStr(vr, vc) + " needs " + std::to_string(vr) +
              " rows and at least " + std::to_string(bytes) +
              " byte columns");
    if (!kIsA5 && std::is_same_v<T, int32_t> && mode != pto::CmpMode::EQ &&
        mode != pto::CmpMode::NE)
      in.fail(std::string("CmpMode::") + cmpModeName(mode) +
              " of int32_t: a2a3 compares int32_t for equality only (its "
              "EQ compare runs whatever the mode)");
    read(in, a);
    if constexpr (!std::is_same_v<TB, void>)
      read(in, *b);
    constexpr Space sp = spaceOf<TD>();
    for (uint64_t r = 0; r < vr; ++r) {
      uint64_t off = dst.refOffset + elemIndex<TD>(r, 0);
      in.onChip(sp, off, bytes, AccessKind::Write);
      in.onChip(sp, off + bytes, mc - bytes, AccessKind::WriteUndefined);
    }
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      uint8_t *m = row(dst, r);
      for (unsigned k = 0; k < bytes; ++k) {
        uint8_t byte = 0;
        for (unsigned j = 0; j < 8; ++j) {
          unsigned c = 8 * k + j;
          bool bit = true; // past vc: target-defined
          if (c < vc) {
            auto x = E::widen(ld<T>(row(a, r) + c * sz));
            auto y = E::widen(scalar);
            if constexpr (!std::is_same_v<TB, void>)
              y = E::widen(ld<T>(row(*b, r) + c * sz));
            bit = compare(x, y, mode);
          }
          byte = static_cast<uint8_t>(byte | (bit ? 1u << j : 0u));
        }
        m[k] = byte;
      }
    }
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// docs/isa/TCMP.md.
template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1>
inline void TCMP(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1,
                 CmpMode cmpMode) {
  pto_ref::detail::cmpOp("TCMP", dst, src0, &src1,
                         typename TileDataSrc0::DType{}, cmpMode);
}

/// docs/isa/TCMPS.md: the scalar form.
template <typename TileDataDst, typename TileDataSrc>
inline void TCMPS(TileDataDst &dst, TileDataSrc &src0,
                  typename TileDataSrc::DType src1, CmpMode mode) {
  pto_ref::detail::cmpOp<TileDataDst, TileDataSrc, void>("TCMPS", dst, src0,
                                                         nullptr, src1, mode);
}

/// docs/isa/TSEL.md.
template <typename TileData, typename MaskTile, typename TmpTile>
inline void TSEL(TileData &dst, MaskTile &selMask, TileData &src0,
                 TileData &src1, TmpTile &tmp) {
  using T = typename TileData::DType;
  using namespace pto_ref::detail;
  static_assert(pto_ref::kIsA5 ? (sizeof(T) == 1 || sizeof(T) == 2 ||
                                  sizeof(T) == 4)
                               : (sizeof(T) == 2 || sizeof(T) == 4),
                "TSEL: 2- or 4-byte elements (a5: also 1-byte)");
  static_assert(sizeof(typename MaskTile::DType) == 1,
                "TSEL: the mask is a tile of bytes");
  static_assert(kVecND<TileData> && kVecND<MaskTile>,
                "TSEL: the operands must be row-major Vec tiles");
  run("TSEL", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, selMask, "mask");
    needBound(in, src0, "src0");
    needBound(in, src1, "src1");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src0, "src0", vr, vc);
    needValid(in, src1, "src1", vr, vc);
    unsigned bytes = (vc + 7) / 8;
    if (selMask.GetValidRow() < vr || selMask.GetValidCol() < bytes)
      in.fail("the mask's valid shape is " +
              shapeStr(selMask.GetValidRow(), selMask.GetValidCol()) +
              "; selecting " + shapeStr(vr, vc) + " reads " +
              shapeStr(vr, bytes) + " bytes of it");
    read(in, src0);
    read(in, src1);
    read(in, selMask, vr, bytes);
    write(in, dst);
    if constexpr (!pto_ref::kIsA5) {
      constexpr unsigned tmpBytes = sizeof(T) == 2 ? 16 : 8;
      using TT = typename TmpTile::DType;
      scratchTile(in, tmp, 1, tmpBytes / sizeof(TT), dst, selMask, src0,
                  src1);
    }
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r) {
      const uint8_t *m = row(selMask, r);
      for (uint64_t c = 0; c < vc; ++c) {
        bool bit = (m[c / 8] >> (c % 8)) & 1u;
        std::memmove(row(dst, r) + c * sz,
                     row(bit ? src0 : src1, r) + c * sz, sz);
      }
    }
    in.commit();
  });
}

/// docs/isa/TPRELU.md: dst = src0 > 0 ? src0 : src0 * src1 (the product
/// rounded once; a NaN or a zero takes the product), half or float. a2a3
/// multiplies into dst first, then compares src0 into tmp (uint8_t, more
/// valid rows than dst: the mask, and TSEL's tmp in row vr) and selects:
/// dst must not overlap src0, tmp no operand. a5 ignores tmp.
template <typename TileDataDst, typename TileDataSrc0, typename TileDataSrc1,
          typename TileDataTmp>
inline void TPRELU(TileDataDst &dst, TileDataSrc0 &src0, TileDataSrc1 &src1,
                   TileDataTmp &tmp) {
  using T = typename TileDataDst::DType;
  using namespace pto_ref::detail;
  static_assert(std::is_same_v<T, half> || std::is_same_v<T, float>,
                "TPRELU: half or float");
  static_assert(std::is_same_v<typename TileDataSrc0::DType, T> &&
                    std::is_same_v<typename TileDataSrc1::DType, T>,
                "TPRELU: dst, src0 and src1 must have the same element type");
  static_assert(kVecND<TileDataDst> && kVecND<TileDataSrc0> &&
                    kVecND<TileDataSrc1>,
                "TPRELU: the operands must be row-major Vec tiles");
  if constexpr (!pto_ref::kIsA5)
    static_assert(std::is_same_v<typename TileDataTmp::DType, uint8_t>,
                  "TPRELU: a2a3's tmp is a tile of uint8_t");
  using E = pto_ref::num::Elem<T>;
  run("TPRELU", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src0, "src0");
    needBound(in, src1, "src1");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src0, "src0", vr, vc);
    needValid(in, src1, "src1", vr, vc);
    read(in, src0);
    read(in, src1);
    write(in, dst);
    if constexpr (!pto_ref::kIsA5) {
      if (tilesOverlap(dst, src0))
        in.fail("a2a3's TPRELU writes dst before it reads src0 again: they "
                "must not overlap");
      // TCMPS writes whole repeats of mask bytes per row; TSEL's tmp is the
      // 32 bytes of row vr.
      unsigned perRepeat = 256 / sizeof(T);
      unsigned bytes = (vc + perRepeat - 1) / perRepeat * (perRepeat / 8);
      scratchTile(in, tmp, vr + 1, bytes > 32 ? bytes : 32, dst, src0, src1);
    }
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c) {
        T x = ld<T>(row(src0, r) + c * sz);
        float xw = E::widen(x);
        T y = xw > 0 ? x
                     : E::narrow(pto_ref::num::mul(
                           xw, E::widen(ld<T>(row(src1, r) + c * sz))));
        st<T>(row(dst, r) + c * sz, y);
      }
    in.commit();
  });
}

} // namespace pto

#endif // PTO_REF_COMPARE_OPS_HPP
