//===- pto/ref/tile.hpp - Tiles, global tensors and TASSIGN -----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The data types of the pto-isa API with pto-isa's template parameter lists
// (include/pto/common/pto_tile.hpp), so that code written for the real
// headers compiles here unchanged:
//
//   Shape<N1..N5>, Stride<S1..S5>           (DYNAMIC = -1 for run-time dims)
//   GlobalTensor<T, Shape, Stride, Layout = Layout::ND>
//   Tile<TileType, T, Rows, Cols, BLayout = RowMajor, ValidRows = Rows,
//        ValidCols = Cols, SLayout = NoneBox, SFractalSize = 512,
//        PadValue = Null, CompactMode = Null>
//   TileLeft<T, Rows, Cols, ValidRows = Rows, ValidCols = Cols>   (L0A)
//   TileRight<...> (L0B), TileAcc<...> (L0C)
//
// A tile is a view: TASSIGN binds it to a byte offset of the buffer of its
// TileType (Vec -> UB, Mat -> L1, Left -> L0A, Right -> L0B, Acc -> L0C); two
// tiles bound to the same bytes see the same data. Elements are laid out as
// on the hardware: unboxed tiles row- or column-major; boxed tiles in
// fractals of InnerRows x InnerCols (NZ = column-major boxes of row-major
// 16 x 32-byte fractals in L1 and, on a5, L0A; ZZ for L0A on a2a3; ZN for
// L0B; NZ with 16 x 16 fractals for L0C).
//
// TASSIGN checks what lib/Support/TargetInfo.cpp says the compiler may use:
// the offset's alignment and that the whole tile (Rows x Cols elements)
// lies below the usable capacity. A failed TASSIGN leaves the tile unbound,
// and an instruction on an unbound tile is a violation.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_TILE_HPP
#define PTO_REF_TILE_HPP

#include "pto/ref/instr.hpp"

#include <cstddef>
#include <type_traits>

namespace pto_ref {
namespace detail {
inline void ensureRun(); // run.hpp
constexpr uint64_t kUnbound = ~uint64_t(0);
// Tile::GetValue / SetValue (defined at the end of this file).
template <typename TileT>
typename TileT::DType scalarGet(const TileT &t, uint64_t offset);
template <typename TileT>
void scalarSet(const TileT &t, uint64_t offset, typename TileT::DType v);
} // namespace detail
} // namespace pto_ref

namespace pto {

//===----------------------------------------------------------------------===//
// Shape and Stride
//===----------------------------------------------------------------------===//

namespace detail {

template <int64_t... N> constexpr int countDynamic() {
  return ((N == DYNAMIC ? 1 : 0) + ... + 0);
}

/// The five extents of a Shape or Stride: static ones from the template,
/// dynamic ones (default 1) set by the constructors.
template <int64_t N1, int64_t N2, int64_t N3, int64_t N4, int64_t N5>
struct Dims5 {
  static constexpr int64_t kStatic[5] = {N1, N2, N3, N4, N5};
  static constexpr int kNumDynamic = countDynamic<N1, N2, N3, N4, N5>();

  int64_t v[5] = {N1 == DYNAMIC ? 1 : N1, N2 == DYNAMIC ? 1 : N2,
                  N3 == DYNAMIC ? 1 : N3, N4 == DYNAMIC ? 1 : N4,
                  N5 == DYNAMIC ? 1 : N5};

  Dims5() = default;
  /// Positional: the value of each dynamic dimension at its position
  /// (values given for static dimensions are ignored, as in pto-isa).
  Dims5(int64_t n1, int64_t n2, int64_t n3, int64_t n4, int64_t n5) {
    const int64_t n[5] = {n1, n2, n3, n4, n5};
    for (int i = 0; i < 5; ++i)
      if (kStatic[i] == DYNAMIC)
        v[i] = n[i];
  }
  /// The values of the dynamic dimensions, in order.
  template <typename... A,
            std::enable_if_t<(sizeof...(A) >= 1 && sizeof...(A) <= 4 &&
                              static_cast<int>(sizeof...(A)) == kNumDynamic &&
                              (std::is_integral_v<A> && ...)),
                             int> = 0>
  Dims5(A... a) {
    const int64_t n[] = {static_cast<int64_t>(a)...};
    int k = 0;
    for (int i = 0; i < 5; ++i)
      if (kStatic[i] == DYNAMIC)
        v[i] = n[k++];
  }
};

} // namespace detail

template <int64_t N1 = DYNAMIC, int64_t N2 = DYNAMIC, int64_t N3 = DYNAMIC,
          int64_t N4 = DYNAMIC, int64_t N5 = DYNAMIC>
struct Shape : detail::Dims5<N1, N2, N3, N4, N5> {
  using Base = detail::Dims5<N1, N2, N3, N4, N5>;
  static constexpr int64_t staticShape[5] = {N1, N2, N3, N4, N5};
  using Base::Base;
  Shape() = default;
};

template <int64_t S1 = DYNAMIC, int64_t S2 = DYNAMIC, int64_t S3 = DYNAMIC,
          int64_t S4 = DYNAMIC, int64_t S5 = DYNAMIC>
struct Stride : detail::Dims5<S1, S2, S3, S4, S5> {
  using Base = detail::Dims5<S1, S2, S3, S4, S5>;
  static constexpr int64_t staticStride[5] = {S1, S2, S3, S4, S5};
  using Base::Base;
  Stride() = default;
};

//===----------------------------------------------------------------------===//
// GlobalTensor
//===----------------------------------------------------------------------===//

/// A view of GM: element (i0, .., i4) is at data() + sum(i_k * stride_k).
template <typename Element_, typename Shape_, typename Stride_,
          Layout Layout_ = Layout::ND>
struct GlobalTensor {
  using Shape = Shape_;
  using Stride = Stride_;
  using RawDType = std::remove_cv_t<Element_>;
  using DType = RawDType;
  static constexpr Layout layout = Layout_;
  static constexpr int64_t staticShape[5] = {
      Shape_::staticShape[0], Shape_::staticShape[1], Shape_::staticShape[2],
      Shape_::staticShape[3], Shape_::staticShape[4]};
  static constexpr int64_t staticStride[5] = {
      Stride_::staticStride[0], Stride_::staticStride[1],
      Stride_::staticStride[2], Stride_::staticStride[3],
      Stride_::staticStride[4]};

  GlobalTensor() = default;
  GlobalTensor(DType *data, const Shape_ &shape = Shape_(),
               const Stride_ &stride = Stride_())
      : data_(data), shape_(shape), stride_(stride) {}

  DType *data() const { return data_; }
  int64_t GetShape(int dim) const {
    return dim >= 0 && dim < 5 ? shape_.v[dim] : -1;
  }
  int64_t GetStride(int dim) const {
    return dim >= 0 && dim < 5 ? stride_.v[dim] : -1;
  }
  template <int dim> static constexpr int64_t GetShape() {
    static_assert(dim >= 0 && dim < 5 && staticShape[dim] != DYNAMIC,
                  "GetShape<dim>() needs a static dimension");
    return staticShape[dim];
  }
  template <int dim> static constexpr int64_t GetStride() {
    static_assert(dim >= 0 && dim < 5 && staticStride[dim] != DYNAMIC,
                  "GetStride<dim>() needs a static stride");
    return staticStride[dim];
  }
  void SetAddr(DType *p) { data_ = p; }

private:
  DType *data_ = nullptr;
  Shape_ shape_;
  Stride_ stride_;
};

//===----------------------------------------------------------------------===//
// Tile
//===----------------------------------------------------------------------===//

template <TileType Loc_, typename Element_, const int Rows_, const int Cols_,
          const BLayout BFractal_ = BLayout::RowMajor,
          const int RowValid_ = Rows_, const int ColValid_ = Cols_,
          const SLayout SFractal_ = SLayout::NoneBox,
          const int SFractalSize_ = TileConfig::fractalABSize,
          auto PadVal_ = PadValue::Null,
          const CompactMode Compact_ = CompactMode::Null>
struct Tile {
  using DType = Element_;

  static constexpr TileType Loc = Loc_;
  static constexpr int Rows = Rows_;
  static constexpr int Cols = Cols_;
  static constexpr int ValidRow = RowValid_;
  static constexpr int ValidCol = ColValid_;
  static constexpr BLayout BFractal = BFractal_;
  static constexpr SLayout SFractal = SFractal_;
  static constexpr int SFractalSize = SFractalSize_;
  static constexpr auto PadVal = PadVal_;
  static constexpr CompactMode Compact = Compact_;
  static constexpr int Numel = Rows * Cols;
  static constexpr bool isRowMajor = BFractal_ == BLayout::RowMajor;
  static constexpr int RowStride = isRowMajor ? Cols : 1;
  static constexpr int ColStride = isRowMajor ? 1 : Rows;
  static constexpr bool isBoxedLayout = SFractal_ != SLayout::NoneBox;
  static constexpr bool isInnerRowMajor = SFractal_ == SLayout::RowMajor;
  static constexpr bool isInnerColMajor = SFractal_ == SLayout::ColMajor;

  static constexpr int innerRows() {
    if (SFractalSize_ == TileConfig::fractalCSize)
      return TileConfig::fixedRowSize;
    if (SFractalSize_ == TileConfig::fractalMxSize)
      return isInnerRowMajor ? 16 : 2;
    if (!isBoxedLayout)
      return 1;
    return isInnerRowMajor
               ? TileConfig::fixedRowSize
               : TileConfig::alignedSize / static_cast<int>(sizeof(DType));
  }
  static constexpr int innerCols() {
    if (SFractalSize_ == TileConfig::fractalCSize)
      return TileConfig::fixedColSize;
    if (SFractalSize_ == TileConfig::fractalMxSize)
      return isInnerRowMajor ? 2 : 16;
    if (!isBoxedLayout)
      return 1;
    return isInnerRowMajor
               ? TileConfig::alignedSize / static_cast<int>(sizeof(DType))
               : TileConfig::fixedColSize;
  }
  static constexpr int InnerRows = innerRows();
  static constexpr int InnerCols = innerCols();
  static constexpr int InnerNumel = InnerRows * InnerCols;

  static_assert(Rows > 0 && Cols > 0 && ValidRow <= Rows && ValidCol <= Cols,
                "Tile: Rows and Cols must be positive and the valid extents "
                "no larger than them");
  static_assert(ValidRow == DYNAMIC || ValidRow >= 0,
                "Tile: invalid ValidRow");
  static_assert(ValidCol == DYNAMIC || ValidCol >= 0,
                "Tile: invalid ValidCol");
  static_assert(SFractalSize_ == TileConfig::fractalABSize ||
                    SFractalSize_ == TileConfig::fractalCSize ||
                    SFractalSize_ == TileConfig::fractalMxSize,
                "Tile: SFractalSize must be 512, 1024 or 32");
  static_assert(
      isBoxedLayout ||
          (isRowMajor && (Cols * sizeof(DType)) % TileConfig::alignedSize == 0) ||
          (!isRowMajor && (Rows * sizeof(DType)) % TileConfig::alignedSize == 0),
      "Tile: a row-major unboxed tile needs Cols * sizeof(T) to be a "
      "multiple of 32 bytes, a column-major one Rows * sizeof(T)");
  static_assert(!isBoxedLayout ||
                    ((Loc == TileType::Vec ||
                      SFractalSize_ == TileConfig::fractalMxSize ||
                      Rows == 1 || Rows % InnerRows == 0) &&
                     Cols % InnerCols == 0),
                "Tile: a boxed tile needs Rows and Cols to be multiples of "
                "the fractal's rows and columns");

  Tile() = default;

  template <int R = ValidRow, int C = ValidCol,
            std::enable_if_t<R == DYNAMIC && C == DYNAMIC, int> = 0>
  Tile(unsigned validRow, unsigned validCol)
      : RowMaskInternal(validRow), ColMaskInternal(validCol) {}

  template <int R = ValidRow, int C = ValidCol,
            std::enable_if_t<(R == DYNAMIC) != (C == DYNAMIC), int> = 0>
  explicit Tile(unsigned valid) {
    if constexpr (R == DYNAMIC)
      RowMaskInternal = valid;
    else
      ColMaskInternal = valid;
  }

  unsigned GetValidRow() const {
    if constexpr (ValidRow == DYNAMIC)
      return RowMaskInternal;
    else
      return static_cast<unsigned>(ValidRow);
  }
  unsigned GetValidCol() const {
    if constexpr (ValidCol == DYNAMIC)
      return ColMaskInternal;
    else
      return static_cast<unsigned>(ValidCol);
  }
  void SetValidRow(unsigned v) {
    static_assert(ValidRow == DYNAMIC, "only a dynamic valid row can be set");
    RowMaskInternal = v;
  }
  void SetValidCol(unsigned v) {
    static_assert(ValidCol == DYNAMIC, "only a dynamic valid col can be set");
    ColMaskInternal = v;
  }
  void SetValidShape(unsigned r, unsigned c) {
    static_assert(ValidRow == DYNAMIC && ValidCol == DYNAMIC,
                  "only a dynamic valid shape can be set");
    RowMaskInternal = r;
    ColMaskInternal = c;
  }

  /// One element at `offset` (elements from the tile's start, in its
  /// storage order), read or written by the scalar unit (PIPE_S), as
  /// pto-isa's Tile::GetValue / SetValue.
  DType GetValue(const uint32_t offset) {
    static_assert(Loc == TileType::Vec,
                  "GetValue: the tile must be a Vec (UB) tile");
    return pto_ref::detail::scalarGet(*this, offset);
  }
  void SetValue(const uint32_t offset, const DType val) {
    static_assert(Loc == TileType::Vec,
                  "SetValue: the tile must be a Vec (UB) tile");
    pto_ref::detail::scalarSet(*this, offset, val);
  }

  unsigned RowMaskInternal = Rows;
  unsigned ColMaskInternal = Cols;
  /// Reference only: the byte offset TASSIGN bound the tile to.
  uint64_t refOffset = pto_ref::detail::kUnbound;
};

/// L0A: ZZ fractals on a2a3, NZ on a5 (as pto-isa's TileLeft per target).
template <typename Element_, const int Rows_, const int Cols_,
          const int RowValid_ = Rows_, const int ColValid_ = Cols_>
using TileLeft =
    Tile<TileType::Left, Element_, Rows_, Cols_,
         pto_ref::kIsA5 ? BLayout::ColMajor : BLayout::RowMajor, RowValid_,
         ColValid_, SLayout::RowMajor, TileConfig::fractalABSize>;

/// L0B: ZN fractals.
template <typename Element_, const int Rows_, const int Cols_,
          const int RowValid_ = Rows_, const int ColValid_ = Cols_>
using TileRight = Tile<TileType::Right, Element_, Rows_, Cols_,
                       BLayout::RowMajor, RowValid_, ColValid_,
                       SLayout::ColMajor, TileConfig::fractalABSize>;

/// L0C: NZ with 16 x 16 fractals.
template <typename Element_, const int Rows_, const int Cols_,
          const int RowValid_ = Rows_, const int ColValid_ = Cols_>
using TileAcc = Tile<TileType::Acc, Element_, Rows_, Cols_, BLayout::ColMajor,
                     RowValid_, ColValid_, SLayout::RowMajor,
                     TileConfig::fractalCSize>;

template <typename T> struct is_tile : std::false_type {};
template <TileType L, typename E, int R, int C, BLayout B, int VR, int VC,
          SLayout S, int F, auto P, CompactMode M>
struct is_tile<Tile<L, E, R, C, B, VR, VC, S, F, P, M>> : std::true_type {};
template <typename T> constexpr bool is_tile_data_v = is_tile<T>::value;

template <typename T> struct is_global : std::false_type {};
template <typename E, typename S, typename St, Layout L>
struct is_global<GlobalTensor<E, S, St, L>> : std::true_type {};
template <typename T> constexpr bool is_global_data_v = is_global<T>::value;

} // namespace pto

//===----------------------------------------------------------------------===//
// Layout helpers of the reference
//===----------------------------------------------------------------------===//

namespace pto_ref {
namespace detail {

template <typename TileT> constexpr Space spaceOf() {
  constexpr pto::TileType L = TileT::Loc;
  static_assert(L == pto::TileType::Vec || L == pto::TileType::Mat ||
                    L == pto::TileType::Left || L == pto::TileType::Right ||
                    L == pto::TileType::Acc,
                "the reference models Vec, Mat, Left, Right and Acc tiles");
  if constexpr (L == pto::TileType::Vec)
    return Space::UB;
  else if constexpr (L == pto::TileType::Mat)
    return Space::L1;
  else if constexpr (L == pto::TileType::Left)
    return Space::L0A;
  else if constexpr (L == pto::TileType::Right)
    return Space::L0B;
  else
    return Space::L0C;
}

template <typename TileT> constexpr uint64_t tileBytes() {
  return static_cast<uint64_t>(TileT::Rows) *
         static_cast<uint64_t>(TileT::Cols) * sizeof(typename TileT::DType);
}

/// The element index of (r, c) inside the tile's storage.
template <typename TileT> inline uint64_t elemIndex(uint64_t r, uint64_t c) {
  if constexpr (!TileT::isBoxedLayout) {
    return r * TileT::RowStride + c * TileT::ColStride;
  } else {
    constexpr uint64_t IR = TileT::InnerRows, IC = TileT::InnerCols;
    constexpr uint64_t IN = TileT::InnerNumel;
    constexpr uint64_t BR = TileT::Rows / IR, BC = TileT::Cols / IC;
    uint64_t br = r / IR, bc = c / IC, ir = r % IR, ic = c % IC;
    if constexpr (!TileT::isRowMajor && TileT::isInnerRowMajor)
      return (BR * bc + br) * IN + ir * IC + ic; // NZ
    else if constexpr (TileT::isRowMajor && TileT::isInnerColMajor)
      return (BC * br + bc) * IN + ic * IR + ir; // ZN
    else if constexpr (TileT::isRowMajor && TileT::isInnerRowMajor)
      return (BC * br + bc) * IN + ir * IC + ic; // ZZ
    else
      static_assert(sizeof(TileT) == 0, "NN fractal tiles are not modelled");
  }
}

/// Calls f(byteOffset, byteLength) for contiguous runs covering the valid
/// region [0, vr) x [0, vc) of a tile (offsets relative to the tile).
template <typename TileT, typename F>
inline void forEachRun(unsigned vr, unsigned vc, F &&f) {
  constexpr uint64_t sz = sizeof(typename TileT::DType);
  if (vr == 0 || vc == 0)
    return;
  if (vr == static_cast<unsigned>(TileT::Rows) &&
      vc == static_cast<unsigned>(TileT::Cols)) {
    f(uint64_t(0), tileBytes<TileT>());
    return;
  }
  if constexpr (!TileT::isBoxedLayout) {
    if constexpr (TileT::isRowMajor) {
      for (uint64_t r = 0; r < vr; ++r)
        f(r * TileT::Cols * sz, vc * sz);
    } else {
      for (uint64_t c = 0; c < vc; ++c)
        f(c * TileT::Rows * sz, vr * sz);
    }
  } else if constexpr (TileT::isInnerRowMajor) {
    constexpr uint64_t IC = TileT::InnerCols;
    for (uint64_t r = 0; r < vr; ++r)
      for (uint64_t c0 = 0; c0 < vc; c0 += IC) {
        uint64_t n = vc - c0 < IC ? vc - c0 : IC;
        f(elemIndex<TileT>(r, c0) * sz, n * sz);
      }
  } else {
    constexpr uint64_t IR = TileT::InnerRows;
    for (uint64_t c = 0; c < vc; ++c)
      for (uint64_t r0 = 0; r0 < vr; r0 += IR) {
        uint64_t n = vr - r0 < IR ? vr - r0 : IR;
        f(elemIndex<TileT>(r0, c) * sz, n * sz);
      }
  }
}

/// Declares an access of a tile's valid region [0, vr) x [0, vc).
template <typename TileT>
inline void access(Instr &in, const TileT &t, unsigned vr, unsigned vc,
                   AccessKind kind) {
  constexpr Space s = spaceOf<TileT>();
  forEachRun<TileT>(vr, vc, [&](uint64_t off, uint64_t len) {
    in.onChip(s, t.refOffset + off, len, kind);
  });
}

template <typename TileT>
inline void read(Instr &in, const TileT &t, unsigned vr, unsigned vc) {
  access(in, t, vr, vc, AccessKind::Read);
}
template <typename TileT> inline void read(Instr &in, const TileT &t) {
  access(in, t, t.GetValidRow(), t.GetValidCol(), AccessKind::Read);
}
template <typename TileT>
inline void write(Instr &in, const TileT &t, unsigned vr, unsigned vc) {
  access(in, t, vr, vc, AccessKind::Write);
}
template <typename TileT> inline void write(Instr &in, const TileT &t) {
  access(in, t, t.GetValidRow(), t.GetValidCol(), AccessKind::Write);
}

/// Fails the instruction unless `t` is bound and its valid extents fit.
template <typename TileT>
inline void needBound(Instr &in, const TileT &t, const char *what) {
  if (t.refOffset == kUnbound)
    in.fail(std::string("operand '") + what +
            "' is a tile that no successful TASSIGN bound");
  if (t.GetValidRow() > static_cast<unsigned>(TileT::Rows) ||
      t.GetValidCol() > static_cast<unsigned>(TileT::Cols))
    in.fail(std::string("operand '") + what + "' has a valid shape " +
            std::to_string(t.GetValidRow()) + "x" +
            std::to_string(t.GetValidCol()) + " larger than its " +
            std::to_string(TileT::Rows) + "x" + std::to_string(TileT::Cols) +
            " tile");
}

/// The address of element (r, c) of a bound tile.
template <typename TileT>
inline uint8_t *elemPtr(const TileT &t, uint64_t r, uint64_t c) {
  return g_mem.bytes(spaceOf<TileT>(), t.refOffset) +
         elemIndex<TileT>(r, c) * sizeof(typename TileT::DType);
}

template <typename T> inline T ld(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename T> inline void st(uint8_t *p, T v) {
  std::memcpy(p, &v, sizeof v);
}

inline std::string shapeStr(unsigned r, unsigned c) {
  return std::to_string(r) + "x" + std::to_string(c);
}

/// Binds a tile of `bytes` bytes (rows x cols of `elem`) in space `s` to
/// byte `offset` of its buffer after checking alignment and capacity;
/// leaves it unbound (and reports) otherwise. Not a template: one copy per
/// kernel, whatever its tile types.
inline void assignTileAt(uint64_t &refOffset, Space s, uint64_t bytes,
                         unsigned rows, unsigned cols, const char *elem,
                         int64_t offset) {
  ensureRun();
  refOffset = kUnbound;
  std::string who = "TASSIGN at " + locString(g_diag.loc) + ": a " +
                    spaceName(s) + " tile of " + std::to_string(rows) + "x" +
                    std::to_string(cols) + " " + elem + " (" +
                    std::to_string(bytes) + " bytes)";
  if (offset < 0) {
    violation(who + " at the negative offset " + std::to_string(offset), false);
    return;
  }
  uint64_t off = static_cast<uint64_t>(offset);
  if (off % cfg::alignBytes(s) != 0) {
    violation(who + " at offset " + hex(off) + ", which is not a multiple of " +
                  std::to_string(cfg::alignBytes(s)) + " bytes (" +
                  spaceName(s) + " alignment of " + targetName() +
                  ", lib/Support/TargetInfo.cpp)",
              false);
    return;
  }
  if (off + bytes > cfg::usableBytes(s)) {
    violation(who + " at offset " + hex(off) + " ends at " +
                  hex(off + bytes) + ", past the usable " + spaceName(s) +
                  " capacity of " + targetName() + " (" +
                  std::to_string(cfg::usableBytes(s)) +
                  " bytes, lib/Support/TargetInfo.cpp)",
              false);
    return;
  }
  refOffset = off;
}

/// Binds `t` to byte `offset` of its buffer (assignTileAt).
template <typename TileT> inline void assignTile(TileT &t, int64_t offset) {
  assignTileAt(t.refOffset, spaceOf<TileT>(), tileBytes<TileT>(),
               TileT::Rows, TileT::Cols,
               elementName<typename TileT::DType>(), offset);
}

} // namespace detail
} // namespace pto_ref

namespace pto {

/// Binds a tile to a byte offset of its buffer, or a GlobalTensor to a GM
/// address.
template <typename T, typename AddrType> inline void TASSIGN(T &obj, AddrType addr) {
  if constexpr (is_global_data_v<T>) {
    static_assert(std::is_pointer_v<AddrType>,
                  "TASSIGN of a GlobalTensor takes a GM pointer");
    obj.SetAddr(reinterpret_cast<typename T::DType *>(addr));
  } else {
    static_assert(is_tile_data_v<T>, "TASSIGN takes a Tile or GlobalTensor");
    static_assert(std::is_integral_v<AddrType> || std::is_enum_v<AddrType>,
                  "TASSIGN of a tile takes a byte offset");
    pto_ref::detail::assignTile(obj, static_cast<int64_t>(addr));
  }
}

/// TASSIGN<Addr>(tile): the offset is also checked at compile time.
template <std::size_t Addr, typename T>
inline std::enable_if_t<is_tile_data_v<T>> TASSIGN(T &obj) {
  constexpr pto_ref::Space s = pto_ref::detail::spaceOf<T>();
  static_assert(Addr % pto_ref::cfg::alignBytes(s) == 0,
                "TASSIGN<Addr>: misaligned offset");
  static_assert(Addr + pto_ref::detail::tileBytes<T>() <=
                    pto_ref::cfg::usableBytes(s),
                "TASSIGN<Addr>: the tile ends past the usable capacity");
  pto_ref::detail::assignTile(obj, static_cast<int64_t>(Addr));
}

} // namespace pto

namespace pto_ref {
namespace detail {

/// Tile::GetValue / SetValue: one element on PIPE_S. The offset must lie
/// inside the tile's storage (Rows x Cols elements).
template <typename TileT>
inline bool scalarAccess(Instr &in, const TileT &t, uint64_t offset,
                         AccessKind kind) {
  constexpr uint64_t sz = sizeof(typename TileT::DType);
  if (t.refOffset == kUnbound)
    in.fail("the tile is not bound by a successful TASSIGN");
  if (offset >= static_cast<uint64_t>(TileT::Rows) * TileT::Cols)
    in.fail("element offset " + std::to_string(offset) +
            " is outside the " + std::to_string(TileT::Rows) + "x" +
            std::to_string(TileT::Cols) + " tile");
  in.onChip(spaceOf<TileT>(), t.refOffset + offset * sz, sz, kind);
  in.check();
  return true;
}

template <typename TileT>
typename TileT::DType scalarGet(const TileT &t, uint64_t offset) {
  using T = typename TileT::DType;
  T v{};
  run("GetValue", PIPE_S, [&](Instr &in) {
    scalarAccess(in, t, offset, AccessKind::Read);
    v = ld<T>(g_mem.bytes(spaceOf<TileT>(), t.refOffset) +
              offset * sizeof(T));
    in.commit();
  });
  return v;
}

template <typename TileT>
void scalarSet(const TileT &t, uint64_t offset, typename TileT::DType v) {
  using T = typename TileT::DType;
  run("SetValue", PIPE_S, [&](Instr &in) {
    scalarAccess(in, t, offset, AccessKind::Write);
    st<T>(g_mem.bytes(spaceOf<TileT>(), t.refOffset) + offset * sizeof(T),
          v);
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

#endif // PTO_REF_TILE_HPP
