//===- pto/ref/data_movement.hpp - TLOAD, TSTORE, TMOV ----------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Exact data movement between GM and the on-chip buffers:
//
//   TLOAD(vecTile, gm)      PIPE_MTE2  GM -> UB (ND -> row-major, DN ->
//                                      column-major), valid region
//   TLOAD(matTile, gm)      PIPE_MTE2  GM (ND) -> L1 (NZ)
//   TSTORE(gm, vecTile)     PIPE_MTE3  UB -> GM, valid region
//   TSTORE(gm, accTile)     PIPE_FIX   L0C -> GM (f32 -> f32, i32 -> i32)
//   TMOV(left|right, mat)   PIPE_MTE1  L1 -> L0A / L0B, same logical matrix
//   TMOV(vec, vec)          PIPE_V     UB -> UB copy
//   TEXTRACT(vec, vec, r, c) PIPE_V    a window of a row-major UB tile
//   TEXTRACT(left|right, mat, r, c) PIPE_MTE1  a window of an L1 tile into
//                                      L0A / L0B (a matmul's K step)
//   TINSERT(vec, vec, r, c)  PIPE_V    a tile into a window of one
//   TFILLPAD(vec, vec)       PIPE_V    a partial tile's padding filled
//                                      (a2a3, 1-byte elements: after its
//                                      own V -> S flag on EVENT_ID0)
//
// The GM side must agree with the tile's valid shape exactly (pto-isa's
// PTO_ASSERTs): ND: Shape[0]*..*Shape[3] == valid rows and Shape[4] == valid
// cols; DN: Shape[0..2] == 1, Shape[3] == valid rows, Shape[4] == valid
// cols. Every GM byte touched must lie inside one registered GM buffer.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_DATA_MOVEMENT_HPP
#define PTO_REF_DATA_MOVEMENT_HPP

#include "pto/ref/vector_ops.hpp"
#include "pto/ref/sync.hpp"

#include <cstring>

namespace pto_ref {
namespace detail {

/// The elements of a GlobalTensor seen as a rows x cols matrix. Not a
/// template: the tensor's layout, element size, shape and strides are read
/// once from it (gmMatrix), so one copy serves every GlobalTensor type.
struct GmMatrix {
  bool dn;      // column-major (Layout::DN), else indexed as ND
  bool nd;      // Layout::ND
  uint64_t sz;  // element bytes
  uintptr_t base;
  int64_t s[5], st[5];

  uint64_t rows() const {
    return dn ? static_cast<uint64_t>(s[3])
              : static_cast<uint64_t>(s[0] * s[1] * s[2] * s[3]);
  }
  uint64_t cols() const { return static_cast<uint64_t>(s[4]); }

  /// Validates the extents against the tile's valid shape vr x vc.
  void check(Instr &in, unsigned vr, unsigned vc) const {
    for (int i = 0; i < 5; ++i)
      if (s[i] <= 0)
        in.fail("the GlobalTensor has a non-positive shape[" +
                std::to_string(i) + "] = " + std::to_string(s[i]));
    if (dn && (s[0] != 1 || s[1] != 1 || s[2] != 1))
      in.fail("a DN GlobalTensor must have shape[0..2] == 1");
    if (rows() != vr || cols() != vc)
      in.fail("the GlobalTensor is " + std::to_string(rows()) + "x" +
              std::to_string(cols()) + " but the tile's valid shape is " +
              shapeStr(vr, vc) + "; they must agree");
  }

  /// The address of element (r, c).
  const uint8_t *at(uint64_t r, uint64_t c) const {
    int64_t off;
    if (dn) {
      off = static_cast<int64_t>(r) * st[3] + static_cast<int64_t>(c) * st[4];
    } else {
      int64_t i3 = static_cast<int64_t>(r) % s[3];
      int64_t q = static_cast<int64_t>(r) / s[3];
      int64_t i2 = q % s[2];
      q /= s[2];
      int64_t i1 = q % s[1];
      int64_t i0 = q / s[1];
      off = i0 * st[0] + i1 * st[1] + i2 * st[2] + i3 * st[3] +
            static_cast<int64_t>(c) * st[4];
    }
    // Computed as an integer: an out-of-bounds view must not be UB here.
    return reinterpret_cast<const uint8_t *>(
        base + static_cast<uintptr_t>(off * static_cast<int64_t>(sz)));
  }

  /// Declares the GM bytes of the vr x vc elements, merging contiguous ones.
  void declare(Instr &in, AccessKind kind) const {
    const uint8_t *start = nullptr;
    uint64_t len = 0;
    auto add = [&](const uint8_t *p) {
      if (start && p == start + len) {
        len += sz;
        return;
      }
      if (start)
        in.gm(start, len, kind);
      start = p;
      len = sz;
    };
    if (dn) {
      for (uint64_t c = 0; c < cols(); ++c)
        for (uint64_t r = 0; r < rows(); ++r)
          add(at(r, c));
    } else if (st[4] == 1) {
      // Contiguous rows (the usual case): one range per row.
      for (uint64_t r = 0; r < rows(); ++r) {
        const uint8_t *p = at(r, 0);
        if (start && p == start + len) {
          len += cols() * sz;
          continue;
        }
        if (start)
          in.gm(start, len, kind);
        start = p;
        len = cols() * sz;
      }
    } else {
      for (uint64_t r = 0; r < rows(); ++r)
        for (uint64_t c = 0; c < cols(); ++c)
          add(at(r, c));
    }
    if (start)
      in.gm(start, len, kind);
  }
};

/// The GmMatrix of a GlobalTensor.
template <typename GT> inline GmMatrix gmMatrix(const GT &g) {
  GmMatrix m;
  m.dn = GT::layout == pto::Layout::DN;
  m.nd = GT::layout == pto::Layout::ND;
  m.sz = sizeof(typename GT::DType);
  m.base = reinterpret_cast<uintptr_t>(g.data());
  for (int i = 0; i < 5; ++i) {
    m.s[i] = g.GetShape(i);
    m.st[i] = g.GetStride(i);
  }
  return m;
}

template <typename TileT, typename GT> constexpr bool kSameLayout() {
  if constexpr (GT::layout == pto::Layout::ND)
    return kVecND<TileT>;
  else if constexpr (GT::layout == pto::Layout::DN)
    return kVecDN<TileT>;
  else
    return false;
}

/// a + b as an atomic add into GM computes it: integers wrap, 16-bit
/// floats add in f32 and round once to the element type.
template <typename T> inline T atomicSum(T a, T b) {
  if constexpr (std::is_same_v<T, ::half> ||
                std::is_same_v<T, ::bfloat16_t>)
    return T(static_cast<float>(a) + static_cast<float>(b));
  else if constexpr (std::is_integral_v<T>)
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) +
                          static_cast<std::make_unsigned_t<T>>(b));
  else
    return a + b;
}

/// Copies the vr x vc elements between a tile and GM (`toTile` chooses);
/// with `accumulate` (tile to GM only) adds each element into GM.
template <typename TileT>
inline void copyTileGm(const TileT &t, const GmMatrix &m, unsigned vr,
                       unsigned vc, bool toTile, bool accumulate = false) {
  using T = typename TileT::DType;
  constexpr uint64_t sz = sizeof(T);
  if (accumulate) {
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c) {
        T a, b;
        uint8_t *gp = const_cast<uint8_t *>(m.at(r, c));
        std::memcpy(&a, gp, sz);
        std::memcpy(&b, elemPtr(t, r, c), sz);
        T s = atomicSum(a, b);
        std::memcpy(gp, &s, sz);
      }
    return;
  }
  bool rowsContiguous = kVecND<TileT> && m.nd && m.st[4] == 1;
  for (uint64_t r = 0; r < vr; ++r) {
    if (rowsContiguous) {
      uint8_t *tp = elemPtr(t, r, 0);
      uint8_t *gp = const_cast<uint8_t *>(m.at(r, 0));
      if (toTile)
        std::memcpy(tp, gp, vc * sz);
      else
        std::memcpy(gp, tp, vc * sz);
      continue;
    }
    for (uint64_t c = 0; c < vc; ++c) {
      uint8_t *tp = elemPtr(t, r, c);
      uint8_t *gp = const_cast<uint8_t *>(m.at(r, c));
      if (toTile)
        std::memcpy(tp, gp, sz);
      else
        std::memcpy(gp, tp, sz);
    }
  }
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// GM -> UB (Vec tile) or GM -> L1 (Mat tile) on PIPE_MTE2.
template <typename TileData, typename GlobalData>
inline void TLOAD(TileData &dst, GlobalData &src) {
  using T = typename TileData::DType;
  using namespace pto_ref::detail;
  static_assert(is_global_data_v<GlobalData>,
                "TLOAD: the source must be a GlobalTensor");
  static_assert(pto_ref::kIsElement<T>, "TLOAD: unsupported element type");
  static_assert(sizeof(T) == sizeof(typename GlobalData::DType),
                "TLOAD: the tile and GM element sizes must match");
  static_assert(TileData::Loc == TileType::Vec || TileData::Loc == TileType::Mat,
                "TLOAD: the destination must be a Vec or Mat tile");
  if constexpr (TileData::Loc == TileType::Vec) {
    static_assert(kSameLayout<TileData, GlobalData>(),
                  "TLOAD: a Vec tile loads ND -> row-major or DN -> "
                  "column-major (pto-isa: ND2ND / DN2DN only)");
    static_assert(pto_ref::kIsA5 || TileData::Rows < 4096,
                  "TLOAD: Rows >= 4096 is not supported on a2a3");
  } else {
    static_assert(GlobalData::layout == Layout::ND && !TileData::isRowMajor &&
                      TileData::isInnerRowMajor &&
                      TileData::SFractalSize == TileConfig::fractalABSize,
                  "TLOAD: the reference models ND -> NZ loads into Mat tiles");
    static_assert(GlobalData::staticShape[0] == 1 &&
                      GlobalData::staticShape[1] == 1 &&
                      GlobalData::staticShape[2] == 1,
                  "TLOAD: ND -> NZ needs staticShape[0..2] == 1");
    static_assert(TileData::Rows % TileData::InnerRows == 0,
                  "TLOAD: the reference models Mat tiles of whole fractals");
  }
  run("TLOAD", PIPE_MTE2, [&](Instr &in) {
    needBound(in, dst, "dst");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    GmMatrix m = gmMatrix(src);
    m.check(in, vr, vc);
    m.declare(in, AccessKind::Read);
    write(in, dst);
    in.check();
    copyTileGm(dst, m, vr, vc, true);
    in.commit();
  });
}

/// UB -> GM on PIPE_MTE3 (Vec tile) or L0C -> GM on PIPE_FIX (Acc tile);
/// AtomicType::AtomicAdd adds the tile into GM instead of overwriting it.
template <typename TileData, typename GlobalData,
          AtomicType atomicType = AtomicType::AtomicNone>
inline void TSTORE(GlobalData &dst, TileData &src) {
  using T = typename TileData::DType;
  using namespace pto_ref::detail;
  static_assert(atomicType == AtomicType::AtomicNone ||
                    kOneOf<T, float, half, bfloat16_t, int32_t, int16_t,
                           int8_t>,
                "TSTORE: AtomicAdd adds fp32, fp16, bf16, int32, int16 or "
                "int8");
  static_assert(is_global_data_v<GlobalData>,
                "TSTORE: the destination must be a GlobalTensor");
  static_assert(pto_ref::kIsElement<T>, "TSTORE: unsupported element type");
  static_assert(TileData::Loc == TileType::Vec || TileData::Loc == TileType::Acc,
                "TSTORE: the reference models Vec and Acc sources");
  constexpr bool isAcc = TileData::Loc == TileType::Acc;
  if constexpr (isAcc) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, int32_t>,
                  "TSTORE: an Acc tile holds float or int32_t");
    static_assert(std::is_same_v<T, typename GlobalData::DType>,
                  "TSTORE: the reference models Acc -> GM without "
                  "conversion (f32 -> f32, i32 -> i32)");
    static_assert(GlobalData::layout == Layout::ND,
                  "TSTORE: Acc -> GM is NZ -> ND");
    static_assert(TileData::Cols >= 1 && TileData::Cols <= 4095,
                  "TSTORE: the range of Cols is [1, 4095]");
  } else {
    static_assert(sizeof(T) == sizeof(typename GlobalData::DType),
                  "TSTORE: the tile and GM element sizes must match");
    static_assert(kSameLayout<TileData, GlobalData>() ||
                      (!TileData::isBoxedLayout &&
                       (TileData::Rows == 1 || TileData::Cols == 1)),
                  "TSTORE: layouts must match (ND / DN), except for a tile "
                  "with one row or one column");
  }
  run("TSTORE", isAcc ? PIPE_FIX : PIPE_MTE3, [&](Instr &in) {
    needBound(in, src, "src");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    GmMatrix m = gmMatrix(dst);
    m.check(in, vr, vc);
    read(in, src);
    m.declare(in, AccessKind::Write);
    in.check();
    copyTileGm(src, m, vr, vc, false, atomicType == AtomicType::AtomicAdd);
    in.commit();
  });
}

/// L1 -> L0A / L0B on PIPE_MTE1, or UB -> UB on PIPE_V.
template <typename DstTileData, typename SrcTileData>
inline void TMOV(DstTileData &dst, SrcTileData &src) {
  using T = typename DstTileData::DType;
  using namespace pto_ref::detail;
  static_assert(DstTileData::Rows == SrcTileData::Rows &&
                    DstTileData::Cols == SrcTileData::Cols,
                "TMOV: the shape of src must be the same as that of dst");
  constexpr bool toCube = SrcTileData::Loc == TileType::Mat &&
                          (DstTileData::Loc == TileType::Left ||
                           DstTileData::Loc == TileType::Right);
  constexpr bool vecToVec = SrcTileData::Loc == TileType::Vec &&
                            DstTileData::Loc == TileType::Vec;
  static_assert(toCube || vecToVec,
                "TMOV: the reference models Mat -> Left / Right and Vec -> "
                "Vec");
  if constexpr (toCube) {
    static_assert(std::is_same_v<T, typename SrcTileData::DType>,
                  "TMOV: src and dst must have the same element type");
    static_assert(kOneOf<T, half, bfloat16_t, float, int8_t>,
                  "TMOV: cube operands are half, bfloat16_t, float or int8_t");
    static_assert(DstTileData::Rows % DstTileData::InnerRows == 0 &&
                      SrcTileData::Rows % SrcTileData::InnerRows == 0,
                  "TMOV: the reference models tiles of whole fractals");
  } else {
    static_assert(sizeof(T) == sizeof(typename SrcTileData::DType),
                  "TMOV: src and dst element sizes must match");
  }
  run("TMOV", toCube ? PIPE_MTE1 : PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    needValid(in, src, "src", vr, vc);
    read(in, src);
    write(in, dst);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c)
        std::memmove(elemPtr(dst, r, c), elemPtr(src, r, c), sz);
    in.commit();
  });
}

/// TFILLPAD: dst = src inside src's valid region, the pad value of dst's
/// PadVal (Zero, Min, Max) in the rest of dst's valid region. Min / Max are
/// -inf / +inf for float types and the type's lowest / largest value for
/// integers (pto-isa's rule). `Normal` takes equal static shapes, `InPlace`
/// a dst on src's bytes (it then writes only the padding), `Expand` a
/// larger dst. Row-major UB tiles of 1-, 2- or 4-byte elements, on PIPE_V.
template <TFillPadMode Mode = TFillPadMode::Normal, typename DstTileData,
          typename SrcTileData,
          std::enable_if_t<DstTileData::Loc == TileType::Vec &&
                               SrcTileData::Loc == TileType::Vec,
                           int> = 0>
inline void TFILLPAD(DstTileData &dst, SrcTileData &src) {
  using T = typename DstTileData::DType;
  using namespace pto_ref::detail;
  static_assert(DstTileData::PadVal == PadValue::Zero ||
                    DstTileData::PadVal == PadValue::Min ||
                    DstTileData::PadVal == PadValue::Max,
                "TFILLPAD: dst's PadVal must be Zero, Min or Max (the "
                "reference does not model custom pad values)");
  static_assert(std::is_same_v<T, typename SrcTileData::DType>,
                "TFILLPAD: src and dst must have the same element type");
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4,
                "TFILLPAD: 1-, 2- or 4-byte elements");
  static_assert(kVecND<DstTileData> && kVecND<SrcTileData>,
                "TFILLPAD: the reference models row-major UB tiles");
  static_assert(Mode == TFillPadMode::Expand
                    ? DstTileData::Rows >= SrcTileData::Rows &&
                          DstTileData::Cols >= SrcTileData::Cols
                    : DstTileData::Rows == SrcTileData::Rows &&
                          DstTileData::Cols == SrcTileData::Cols,
                "TFILLPAD: dst and src must have the same rows / cols "
                "(Expand: dst no smaller)");
  T pad{};
  if constexpr (DstTileData::PadVal != PadValue::Zero) {
    bool max = DstTileData::PadVal == PadValue::Max;
    if constexpr (std::is_same_v<T, float>)
      pad = max ? std::numeric_limits<float>::infinity()
                : -std::numeric_limits<float>::infinity();
    else if constexpr (std::is_same_v<T, half>)
      pad = half::fromBits(max ? 0x7c00 : 0xfc00);
    else if constexpr (std::is_same_v<T, bfloat16_t>)
      pad = bfloat16_t::fromBits(max ? 0x7f80 : 0xff80);
    else
      pad = max ? std::numeric_limits<T>::max()
                : std::numeric_limits<T>::lowest();
  }
  if constexpr (sizeof(T) == 1 && !pto_ref::kIsA5) {
    // pto-isa's a2a3 TFILLPAD of 1-byte elements writes the padding inside
    // each row's last 32-byte block on the scalar unit, after its own
    // set_flag / wait_flag(PIPE_V, PIPE_S, EVENT_ID0): a flag of the
    // kernel's on that event still set here would be set twice.
    ::set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    ::wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
  }
  run("TFILLPAD", PIPE_V, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    unsigned vr = src.GetValidRow(), vc = src.GetValidCol();
    unsigned dr = dst.GetValidRow(), dc = dst.GetValidCol();
    if (vr > dr || vc > dc)
      in.fail("src's valid region " + shapeStr(vr, vc) +
              " is larger than dst's " + shapeStr(dr, dc));
    if constexpr (Mode == TFillPadMode::InPlace)
      if (dst.refOffset != src.refOffset)
        in.fail("TFILLPAD_INPLACE: dst and src are not on the same bytes");
    // In place too: the kept region must hold the data (initialised and
    // ordered after its writer).
    read(in, src);
    write(in, dst);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < dr; ++r)
      for (uint64_t c = 0; c < dc; ++c) {
        if (r < vr && c < vc) {
          if constexpr (Mode != TFillPadMode::InPlace)
            std::memmove(elemPtr(dst, r, c), elemPtr(src, r, c), sz);
        } else {
          st<T>(elemPtr(dst, r, c), pad);
        }
      }
    in.commit();
  });
}

template <typename DstTileData, typename SrcTileData>
inline void TFILLPAD_INPLACE(DstTileData &dst, SrcTileData &src) {
  TFILLPAD<TFillPadMode::InPlace>(dst, src);
}

} // namespace pto

namespace pto_ref {
namespace detail {

/// TEXTRACT / TINSERT between row-major UB tiles: the window of `whole` at
/// (indexRow, indexCol) of `part`'s valid shape. a2a3's vector copy starts
/// a window at a 32-byte block; a 1x1 window is a scalar copy on PIPE_S,
/// which the reference does not model.
template <bool Insert, typename TW, typename TP>
inline void window(const char *name, TW &whole, TP &part, uint16_t indexRow,
                   uint16_t indexCol) {
  using T = typename TW::DType;
  static_assert(std::is_same_v<T, typename TP::DType>,
                "TEXTRACT / TINSERT: the tiles must have the same element "
                "type");
  static_assert(kVecND<TW> && kVecND<TP>,
                "TEXTRACT / TINSERT: the reference models the Vec -> Vec ND "
                "form (row-major UB tiles)");
  static_assert(TP::Rows <= TW::Rows && TP::Cols <= TW::Cols,
                "TEXTRACT / TINSERT: the window's tile must not have more "
                "rows or columns than the whole tile (as pto-isa checks)");
  static_assert(!(TP::ValidRow == 1 && TP::ValidCol == 1),
                "TEXTRACT / TINSERT: a 1x1 window is a scalar copy on "
                "PIPE_S, which the reference does not model");
  run(name, PIPE_V, [&](Instr &in) {
    needBound(in, whole, Insert ? "dst" : "src");
    needBound(in, part, Insert ? "src" : "dst");
    unsigned vr = part.GetValidRow(), vc = part.GetValidCol();
    if (indexRow + vr > whole.GetValidRow() ||
        indexCol + vc > whole.GetValidCol())
      in.fail("the " + shapeStr(vr, vc) + " window at (" +
              std::to_string(indexRow) + ", " + std::to_string(indexCol) +
              ") does not fit the valid shape " +
              shapeStr(whole.GetValidRow(), whole.GetValidCol()));
    if (!kIsA5 && sizeof(T) == 1 && vc % 2 != 0)
      in.fail("a window of " + std::to_string(vc) +
              " one-byte columns: a2a3 copies the last partial block in "
              "16-bit units and would not copy it whole");
    if (!kIsA5 && (indexCol * sizeof(T)) % 32 != 0)
      in.fail("indexCol " + std::to_string(indexCol) +
              " is not at a 32-byte block (a2a3's vector copy needs "
              "indexCol * sizeof(T) % 32 == 0)");
    if (tilesOverlap(whole, part))
      in.fail("the two tiles overlap");
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r)
      in.onChip(Space::UB,
                whole.refOffset +
                    elemIndex<TW>(indexRow + r, indexCol) * sz,
                vc * sz, Insert ? AccessKind::Write : AccessKind::Read);
    if (Insert)
      read(in, part);
    else
      write(in, part);
    in.check();
    for (uint64_t r = 0; r < vr; ++r) {
      uint8_t *w = elemPtr(whole, indexRow + r, indexCol);
      uint8_t *p = elemPtr(part, r, 0);
      if (Insert)
        std::memcpy(w, p, vc * sz);
      else
        std::memcpy(p, w, vc * sz);
    }
    in.commit();
  });
}

/// TEXTRACT Mat -> Left / Right on PIPE_MTE1: the window of the L1 tile
/// `src` at (indexRow, indexCol) of `dst`'s shape, moved as whole fractals
/// of the source (pto-isa: indexRow + dst rows <= src rows, likewise for
/// columns; the window starts at a fractal boundary).
template <typename TD, typename TS>
inline void cubeWindow(TD &dst, TS &src, uint16_t indexRow,
                       uint16_t indexCol) {
  using T = typename TD::DType;
  static_assert(std::is_same_v<T, typename TS::DType>,
                "TEXTRACT: src and dst must have the same element type");
  static_assert(kOneOf<T, half, bfloat16_t, float, int8_t>,
                "TEXTRACT: cube operands are half, bfloat16_t, float or "
                "int8_t");
  static_assert(TD::Rows % TD::InnerRows == 0 &&
                    TS::Rows % TS::InnerRows == 0,
                "TEXTRACT: the reference models tiles of whole fractals");
  static_assert(TD::Rows <= TS::Rows && TD::Cols <= TS::Cols,
                "TEXTRACT: the window's tile must not have more rows or "
                "columns than the source (as pto-isa checks)");
  run("TEXTRACT", PIPE_MTE1, [&](Instr &in) {
    needBound(in, dst, "dst");
    needBound(in, src, "src");
    if (indexRow + TD::Rows > TS::Rows || indexCol + TD::Cols > TS::Cols)
      in.fail("the " + shapeStr(TD::Rows, TD::Cols) + " window at (" +
              std::to_string(indexRow) + ", " + std::to_string(indexCol) +
              ") does not fit the " + shapeStr(TS::Rows, TS::Cols) +
              " source tile");
    if (indexRow % TS::InnerRows != 0 || indexCol % TS::InnerCols != 0)
      in.fail("the window at (" + std::to_string(indexRow) + ", " +
              std::to_string(indexCol) + ") does not start at a " +
              shapeStr(TS::InnerRows, TS::InnerCols) +
              " fractal of the source");
    unsigned vr = dst.GetValidRow(), vc = dst.GetValidCol();
    if (indexRow + vr > src.GetValidRow() || indexCol + vc > src.GetValidCol())
      in.fail("the " + shapeStr(vr, vc) + " window at (" +
              std::to_string(indexRow) + ", " + std::to_string(indexCol) +
              ") does not fit the valid shape " +
              shapeStr(src.GetValidRow(), src.GetValidCol()));
    read(in, src);
    write(in, dst);
    in.check();
    constexpr uint64_t sz = sizeof(T);
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c = 0; c < vc; ++c)
        std::memmove(elemPtr(dst, r, c),
                     elemPtr(src, indexRow + r, indexCol + c), sz);
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// dst = the window of src at (indexRow, indexCol) of dst's valid shape
/// (docs/isa/TEXTRACT.md): the Vec -> Vec ND form on PIPE_V, or the Mat ->
/// Left / Right form on PIPE_MTE1 (a K step of a matmul operand).
template <typename DstTileData, typename SrcTileData>
inline void TEXTRACT(DstTileData &dst, SrcTileData &src, uint16_t indexRow = 0,
                     uint16_t indexCol = 0) {
  if constexpr (SrcTileData::Loc == TileType::Mat &&
                (DstTileData::Loc == TileType::Left ||
                 DstTileData::Loc == TileType::Right))
    pto_ref::detail::cubeWindow(dst, src, indexRow, indexCol);
  else
    pto_ref::detail::window<false>("TEXTRACT", src, dst, indexRow, indexCol);
}

/// The window of dst at (indexRow, indexCol) of src's valid shape = src;
/// the rest of dst is unchanged (docs/isa/TINSERT.md, Vec -> Vec ND).
template <typename DstTileData, typename SrcTileData>
inline void TINSERT(DstTileData &dst, SrcTileData &src, uint16_t indexRow,
                    uint16_t indexCol) {
  pto_ref::detail::window<true>("TINSERT", dst, src, indexRow, indexCol);
}

} // namespace pto

#endif // PTO_REF_DATA_MOVEMENT_HPP
