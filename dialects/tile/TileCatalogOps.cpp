//===- TileCatalogOps.cpp - Verifiers of the catalog ops ------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops of TileCatalogOps.td (comparison and selection,
// reductions, layout). Messages follow TileOps.cpp: lowercase, no trailing
// period, expected and found; negative tests in
// test/Dialect/Tile/catalog-ops-invalid.mlir.
//
//===----------------------------------------------------------------------===//

#include "tile/TileOps.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace tessel::tile;

static std::string shapeOf(TileType t) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(t.getShape(), os);
  os << "]";
  return s;
}

static TileType tileOf(Value v) { return cast<TileType>(v.getType()); }

int64_t tessel::tile::getPredicateMaskCols(int64_t cols) {
  int64_t bytes = (cols + 7) / 8;
  return (bytes + 31) / 32 * 32;
}

/// The result of a comparison of an M x N tile is its M x maskCols(N) mask.
static LogicalResult verifyMaskResult(Operation *op, TileType in,
                                      TileType mask) {
  int64_t cols = getPredicateMaskCols(in.getCols());
  if (mask.getRows() != in.getRows() || mask.getCols() != cols)
    return op->emitOpError("the packed mask of a ")
           << shapeOf(in) << " comparison is [" << in.getRows() << ", "
           << cols << "] (ceil(" << in.getCols()
           << " / 8) bytes per row, rounded up to 32), got " << shapeOf(mask);
  return success();
}

LogicalResult CmpOp::verify() {
  return verifyMaskResult(*this, tileOf(getLhs()), tileOf(getResult()));
}

LogicalResult CmpSOp::verify() {
  return verifyMaskResult(*this, tileOf(getInput()), tileOf(getResult()));
}

/// A mask selecting over an M x N tile has M rows and a bit per column.
static LogicalResult verifySelMask(Operation *op, TileType mask,
                                   TileType data) {
  int64_t bytes = (data.getCols() + 7) / 8;
  if (mask.getRows() != data.getRows() || mask.getCols() < bytes)
    return op->emitOpError("a mask selecting over a ")
           << shapeOf(data) << " tile needs " << data.getRows()
           << " rows of at least " << bytes << " bytes (ceil("
           << data.getCols() << " / 8)), got " << shapeOf(mask);
  return success();
}

LogicalResult SelOp::verify() {
  return verifySelMask(*this, tileOf(getMask()), tileOf(getResult()));
}

LogicalResult SelSOp::verify() {
  return verifySelMask(*this, tileOf(getMask()), tileOf(getResult()));
}

/// [M, N] -> [1, N] (columns) of the same element type, or i32 indices.
static LogicalResult verifyReduce(Operation *op, bool perRow, bool index) {
  TileType in = tileOf(op->getOperand(0)), out = tileOf(op->getResult(0));
  if (!index && in.getElementType() != out.getElementType())
    return op->emitOpError("result element type ")
           << out.getElementType() << " does not match the input's "
           << in.getElementType();
  int64_t rows = perRow ? in.getRows() : 1;
  int64_t cols = perRow ? 1 : in.getCols();
  if (out.getRows() != rows || out.getCols() != cols)
    return op->emitOpError("result must be [")
           << rows << ", " << cols << "], got " << shapeOf(out);
  return success();
}

LogicalResult RowProdOp::verify() { return verifyReduce(*this, true, false); }
LogicalResult RowMinOp::verify() { return verifyReduce(*this, true, false); }
LogicalResult ColSumOp::verify() { return verifyReduce(*this, false, false); }
LogicalResult ColMaxOp::verify() { return verifyReduce(*this, false, false); }
LogicalResult ColMinOp::verify() { return verifyReduce(*this, false, false); }
LogicalResult ColProdOp::verify() { return verifyReduce(*this, false, false); }
LogicalResult RowArgMaxOp::verify() { return verifyReduce(*this, true, true); }
LogicalResult RowArgMinOp::verify() { return verifyReduce(*this, true, true); }
LogicalResult ColArgMaxOp::verify() { return verifyReduce(*this, false, true); }
LogicalResult ColArgMinOp::verify() { return verifyReduce(*this, false, true); }

static LogicalResult verifySameElement(Operation *op, TileType in,
                                       TileType out) {
  if (in.getElementType() != out.getElementType())
    return op->emitOpError("result element type ")
           << out.getElementType() << " does not match the input's "
           << in.getElementType();
  return success();
}

LogicalResult TransposeOp::verify() {
  TileType in = tileOf(getInput()), out = tileOf(getResult());
  if (failed(verifySameElement(*this, in, out)))
    return failure();
  if (out.getRows() != in.getCols() || out.getCols() != in.getRows())
    return emitOpError("the transpose of a ")
           << shapeOf(in) << " tile is [" << in.getCols() << ", "
           << in.getRows() << "], got " << shapeOf(out);
  return success();
}

LogicalResult ConcatOp::verify() {
  TileType lhs = tileOf(getLhs()), rhs = tileOf(getRhs());
  TileType out = tileOf(getResult());
  if (lhs.getElementType() != rhs.getElementType() ||
      failed(verifySameElement(*this, lhs, out)))
    return emitOpError("operands and result must have one element type, got ")
           << lhs.getElementType() << ", " << rhs.getElementType() << " -> "
           << out.getElementType();
  if (lhs.getRows() != rhs.getRows())
    return emitOpError("operands must have the same rows, got ")
           << shapeOf(lhs) << " and " << shapeOf(rhs);
  int64_t cols = lhs.getCols() + rhs.getCols();
  if (out.getRows() != lhs.getRows() || out.getCols() != cols)
    return emitOpError("result must be [")
           << lhs.getRows() << ", " << cols << "], got " << shapeOf(out);
  return success();
}

LogicalResult ReinterpretViewOp::verify() {
  TileType in = tileOf(getInput()), out = tileOf(getResult());
  int64_t inBits = in.getElementType().getIntOrFloatBitWidth();
  int64_t outBits = out.getElementType().getIntOrFloatBitWidth();
  int64_t rowBits = in.getCols() * inBits;
  if (rowBits % outBits != 0)
    return emitOpError("a row of ")
           << in.getCols() << " x " << in.getElementType() << " ("
           << rowBits / 8 << " bytes) is not a whole number of "
           << out.getElementType();
  if (out.getRows() != in.getRows() || out.getCols() != rowBits / outBits)
    return emitOpError("the bytes of a ")
           << shapeOf(in) << " " << in.getElementType() << " tile read as "
           << out.getElementType() << " are [" << in.getRows() << ", "
           << rowBits / outBits << "], got " << shapeOf(out);
  return success();
}
