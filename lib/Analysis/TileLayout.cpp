//===- TileLayout.cpp - How a tile is laid out in an on-chip buffer -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Granules (docs/pto.md, TargetInfo [asc], [ptoi]):
//  - UB: 32-byte blocks. A row-major tile has whole blocks per row; a column
//    vector (R x 1, including 1 x 1) is stored column major with whole
//    blocks per column (PTO-ISA's `Tile<Vec, T, R, 1, BLayout::ColMajor>`, the shape
//    TROWSUM writes and TROWEXPANDMUL reads).
//  - L1 and L0A: fractals of 16 rows x 32 bytes (NZ); the rows of the matrix
//    pad to 16, its row bytes to 32. (An int8 right operand whose K is not a
//    multiple of 32 has no legal L0B layout from such a tile; the PTO
//    emitter rejects it.)
//  - L0B: the right operand K x N is stored in fractals of 32 bytes of K by
//    16 columns of N.
//  - L0C: 16 x 16 element fractals.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TileLayout.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace tessel;

static int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

TileLayout tessel::getTileLayout(int64_t rows, int64_t cols,
                                 int64_t elementBytes, BufferKind kind,
                                 const TargetInfo &target) {
  TileLayout layout;
  layout.validRows = rows;
  layout.validCols = cols;
  layout.elementBytes = elementBytes;
  // Elements in one 32-byte block (at least one, for wide elements).
  int64_t block = target.ub.alignBytes;
  int64_t perBlock = std::max<int64_t>(1, block / elementBytes);
  int64_t fractal = target.cubeFractalRows;
  switch (kind) {
  case BufferKind::UB:
    if (cols == 1) {
      layout.colMajor = true;
      layout.rows = roundUp(rows, perBlock);
      layout.cols = 1;
    } else {
      layout.rows = rows;
      layout.cols = roundUp(cols, perBlock);
    }
    break;
  case BufferKind::L1:
  case BufferKind::L0A:
    layout.rows = roundUp(rows, fractal);
    layout.cols = roundUp(cols, perBlock);
    break;
  case BufferKind::L0B:
    layout.rows = roundUp(rows, perBlock);
    layout.cols = roundUp(cols, fractal);
    break;
  case BufferKind::L0C:
    layout.rows = roundUp(rows, fractal);
    layout.cols = roundUp(cols, fractal);
    break;
  }
  return layout;
}

bool tessel::isSameBytesReinterpret(tile::TileType from, tile::TileType to,
                                    const TargetInfo &target) {
  auto layout = [&](tile::TileType t) {
    return getTileLayout(t.getRows(), t.getCols(),
                         tile::getElementBytes(t.getElementType()),
                         BufferKind::UB, target);
  };
  TileLayout f = layout(from), t = layout(to);
  return f.colMajor == t.colMajor && f.rows == t.rows &&
         f.cols * f.elementBytes == t.cols * t.elementBytes;
}

int64_t tessel::getTileStorageBytes(tile::TileType type, BufferKind kind,
                                    const TargetInfo &target) {
  int64_t elementBytes = tile::getElementBytes(type.getElementType());
  return getTileLayout(type.getRows(), type.getCols(), elementBytes, kind,
                       target)
      .getBytes();
}

TileLayout tessel::getRowReduceSourceLayout(int64_t rows, int64_t cols,
                                            int64_t elementBytes,
                                            const TargetInfo &target) {
  TileLayout layout =
      getTileLayout(rows, cols, elementBytes, BufferKind::UB, target);
  if (rows == 1)
    return layout;
  layout.rows =
      getTileLayout(rows, 1, elementBytes, BufferKind::UB, target).rows;
  return layout;
}

std::optional<tile::TileType>
tessel::getScratchTileType(mlir::Operation *op, const TargetInfo &target) {
  using namespace tile;
  using mlir::cast;
  using mlir::isa;
  using mlir::Type;
  // TROWSUM / TROWMAX / TROWMIN / TROWPROD: a tmp tile of the source's
  // shape.
  if (isa<RowSumOp, RowMaxOp, RowMinOp, RowProdOp>(op))
    return cast<TileType>(op->getOperand(0).getType());
  // TTRANS (both targets): W x ceil(H / RowStride) * RowStride elements
  // for an H x W source, RowStride 32 for 1-byte and 16 for wider types.
  if (isa<TransposeOp>(op)) {
    auto in = cast<TileType>(op->getOperand(0).getType());
    int64_t rowStride = getElementBytes(in.getElementType()) == 1 ? 32 : 16;
    return TileType::get(op->getContext(),
                         {in.getCols(), llvm::alignTo(in.getRows(), rowStride)},
                         in.getElementType());
  }
  // TSEL's tmp (both targets; a2a3 writes the mask row's address there, 8
  // or 16 bytes, a5 ignores it): one 32-byte block. tile.sels: its scalar
  // spread over a tile of the result's shape (TEXPANDS, then TSEL from it),
  // with TSEL's tmp in one more row (whole 32-byte blocks: 2 or more
  // columns, a 1-column selection is an error at the op).
  if (isa<SelOp>(op))
    return TileType::get(op->getContext(), {1, 32},
                         mlir::IntegerType::get(op->getContext(), 8));
  // The multi-list TMRGSORT merges into its tmp, then copies it to the
  // destination (both targets): a tile of the result's type.
  if (isa<MrgSortListsOp>(op))
    return cast<TileType>(op->getResult(0).getType());
  if (isa<SelSOp>(op)) {
    auto type = cast<TileType>(op->getResult(0).getType());
    return TileType::get(op->getContext(),
                         {type.getRows() + 1, type.getCols()},
                         type.getElementType());
  }
  // tile.gather_index's regions (getGatherIndexScratch), both targets.
  if (auto g = mlir::dyn_cast<GatherIndexOp>(op)) {
    GatherIndexScratch s =
        getGatherIndexScratch(cast<TileType>(g.getInput().getType()),
                              cast<TileType>(g.getType()), target);
    return TileType::get(op->getContext(), {1, s.bytes},
                         mlir::IntegerType::get(op->getContext(), 8));
  }
  // a5's TREM / TREMS / TCI / TXOR / TXORS and arg-reductions accept a tmp
  // tile and ignore it.
  if (target.hasL0CToUB)
    return std::nullopt;
  // a2a3's arg-reductions: index counters and running extrema, a tile of
  // the source's type and shape (covers pto-isa's per-row strides for up
  // to 64 * 64 columns).
  if (isa<RowArgMaxOp, RowArgMinOp, ColArgMaxOp, ColArgMinOp>(op))
    return cast<TileType>(op->getOperand(0).getType());
  auto type = cast<TileType>(op->getResult(0).getType());
  Type elt = type.getElementType();
  // a2a3's TPRELU: TCMPS's mask of the source (as seen by the instruction:
  // a column vector's 1 x R row view) in uint8_t rows of whole 32-byte
  // blocks, and one more row for its TSEL's tmp.
  if (isa<PReluOp>(op)) {
    bool column = type.getCols() == 1;
    int64_t rows = column ? 1 : type.getRows();
    int64_t cols = column ? type.getRows() : type.getCols();
    return TileType::get(op->getContext(),
                         {rows + 1, llvm::alignTo(llvm::divideCeil(cols, 8), 32)},
                         mlir::IntegerType::get(op->getContext(), 8));
  }
  // a2a3's TXOR / TXORS: OR(a, b) of AND(NOT(AND(a, b)), OR(a, b)).
  if (isa<XorOp, XorSOp>(op))
    return type;
  if (isa<RemSOp>(op))
    return type;
  if (isa<RemOp>(op)) {
    int64_t eb = getElementBytes(elt);
    // A column vector's instructions see its 1 x R row view.
    TileLayout l = getTileLayout(type.getRows(), type.getCols(), eb,
                                 BufferKind::UB, target);
    int64_t cp = l.colMajor ? l.rows : l.cols;
    int64_t block = target.ub.alignBytes / eb;
    int64_t cols = llvm::alignTo(cp + 2 * llvm::divideCeil(cp, 64), block);
    return TileType::get(op->getContext(), {1, cols}, elt);
  }
  if (isa<ArangeOp>(op) && elt.isSignlessInteger(32))
    return TileType::get(op->getContext(), {1, 192},
                         mlir::Float32Type::get(op->getContext()));
  return std::nullopt;
}

GatherIndexScratch tessel::getGatherIndexScratch(tile::TileType input,
                                                 tile::TileType result,
                                                 const TargetInfo &target) {
  using namespace tile;
  GatherIndexScratch s;
  int64_t eb = getElementBytes(input.getElementType());
  int64_t block = target.ub.alignBytes;
  int64_t m = input.getRows(), k = result.getCols();
  s.zeroedCols = llvm::alignTo(input.getCols() + 1,
                               std::max<int64_t>(1, block / eb));
  int64_t at = 0;
  auto take = [&](int64_t bytes) {
    int64_t offset = at;
    at += llvm::alignTo(bytes, block);
    return offset;
  };
  s.source = take((m + 1) * s.zeroedCols * eb);
  auto rowBytes = [&](int64_t cols, int64_t bytes) {
    return getTileLayout(m, cols, bytes, BufferKind::UB, target).getBytes();
  };
  s.index = take(rowBytes(k, 4));
  s.rowBase = take(getTileLayout(m, 1, 4, BufferKind::UB, target).getBytes());
  if (!target.hasL0CToUB) {
    s.tciTmp = take(192 * 4);
    int64_t kd = getTileLayout(m, k, eb, BufferKind::UB, target).cols;
    s.gatherTmp = take(rowBytes(kd, 4));
  }
  s.bytes = at;
  return s;
}

int64_t tessel::getVectorOpExtraBytes(mlir::Operation *op,
                                      const TargetInfo &target) {
  using namespace tile;
  int64_t bytes = 0;
  if (std::optional<TileType> type = getScratchTileType(op, target))
    bytes += getTileStorageBytes(*type, BufferKind::UB, target);
  if (mlir::isa<RowSumOp, RowMaxOp, RowMinOp, RowProdOp>(op)) {
    auto source = mlir::cast<TileType>(op->getOperand(0).getType());
    int64_t eb = getElementBytes(source.getElementType());
    int64_t own = getTileStorageBytes(source, BufferKind::UB, target);
    int64_t view = getRowReduceSourceLayout(source.getRows(),
                                            source.getCols(), eb, target)
                       .getBytes();
    if (view > own)
      bytes += view - own;
  }
  return bytes;
}
