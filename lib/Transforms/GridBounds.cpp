//===- GridBounds.cpp - Slices of a grid checked against their memref -----===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The verifier checks a tile.load / tile.store at constant offsets; an
// offset that depends on the block index or a loop variable is checked here,
// over every value it takes: the block index of a grid of N blocks runs over
// [0, N), a loop variable over its constant bounds. The ranges are computed
// by interval arithmetic over +, -, * and / by constants, % by a constant,
// min and max, which is exact when each variable occurs once in the
// expression; an offset that uses a variable twice, or anything else, is not
// checked, nor is an access under an scf.if (no error is ever reported for
// an access that stays in bounds).
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/ScopeAccesses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// The values an index takes, [lo, hi].
struct IndexRange {
  int64_t lo, hi;
};

/// Interval evaluation of an index expression; fails (std::nullopt) where it
/// would not be exact or would overflow.
class RangeEval {
public:
  std::optional<IndexRange> eval(Value v, int depth = 0) {
    if (depth > 32)
      return std::nullopt;
    if (std::optional<int64_t> c = getConstantIntValue(v))
      return IndexRange{*c, *c};
    if (auto arg = dyn_cast<BlockArgument>(v))
      return variable(arg);
    Operation *def = v.getDefiningOp();
    if (!def)
      return std::nullopt;
    if (isa<arith::IndexCastOp, arith::IndexCastUIOp>(def))
      return eval(def->getOperand(0), depth + 1);
    if (def->getNumOperands() != 2)
      return std::nullopt;
    std::optional<IndexRange> a = eval(def->getOperand(0), depth + 1);
    if (!a)
      return std::nullopt;
    std::optional<int64_t> k = getConstantIntValue(def->getOperand(1));
    if (isa<arith::MulIOp, arith::DivUIOp, arith::DivSIOp,
            arith::FloorDivSIOp, arith::RemUIOp, arith::RemSIOp>(def) && !k)
      return std::nullopt;
    std::optional<IndexRange> b = eval(def->getOperand(1), depth + 1);
    if (!b)
      return std::nullopt;
    int64_t x, y;
    if (isa<arith::AddIOp>(def)) {
      if (llvm::AddOverflow(a->lo, b->lo, x) ||
          llvm::AddOverflow(a->hi, b->hi, y))
        return std::nullopt;
      return IndexRange{x, y};
    }
    if (isa<arith::SubIOp>(def)) {
      if (llvm::SubOverflow(a->lo, b->hi, x) ||
          llvm::SubOverflow(a->hi, b->lo, y))
        return std::nullopt;
      return IndexRange{x, y};
    }
    if (isa<arith::MulIOp>(def)) {
      if (llvm::MulOverflow(a->lo, *k, x) || llvm::MulOverflow(a->hi, *k, y))
        return std::nullopt;
      return IndexRange{std::min(x, y), std::max(x, y)};
    }
    if (isa<arith::MinSIOp, arith::MinUIOp>(def))
      return IndexRange{std::min(a->lo, b->lo), std::min(a->hi, b->hi)};
    if (isa<arith::MaxSIOp, arith::MaxUIOp>(def))
      return IndexRange{std::max(a->lo, b->lo), std::max(a->hi, b->hi)};
    // Division and remainder by a positive constant of a non-negative value.
    if (*k <= 0 || a->lo < 0)
      return std::nullopt;
    if (isa<arith::DivUIOp, arith::DivSIOp, arith::FloorDivSIOp>(def))
      return IndexRange{a->lo / *k, a->hi / *k};
    if (isa<arith::RemUIOp, arith::RemSIOp>(def)) {
      // Without a wrap inside [lo, hi] the remainders are [lo % k, hi % k].
      // With one the interval is not exact (a strided value, 8b + 8 mod 32,
      // takes only some remainders): not checked here; tile-check-races
      // decides it exactly.
      if (a->hi - a->lo < *k && a->lo % *k <= a->hi % *k)
        return IndexRange{a->lo % *k, a->hi % *k};
      return std::nullopt;
    }
    return std::nullopt;
  }

  /// Whether some variable (block index, loop variable) was used.
  bool usedVariable() const { return !seen.empty(); }
  /// Whether a block index was.
  bool usedBlockIndex() const { return blockIndex; }

private:
  std::optional<IndexRange> variable(BlockArgument arg) {
    // A variable used twice (b - b % 4) would make the bounds loose.
    if (!seen.insert(arg.getAsOpaquePointer()).second)
      return std::nullopt;
    Operation *owner = arg.getOwner()->getParentOp();
    if (auto spmd = dyn_cast_or_null<SpmdOp>(owner)) {
      int64_t blocks = static_cast<int64_t>(spmd.getBlocks());
      if (blocks < 1)
        return std::nullopt;
      blockIndex = true;
      return IndexRange{0, blocks - 1};
    }
    Value lb, ub, step, iv;
    if (auto loop = dyn_cast_or_null<scf::ForOp>(owner)) {
      lb = loop.getLowerBound();
      ub = loop.getUpperBound();
      step = loop.getStep();
      iv = loop.getInductionVar();
    } else if (auto pipe = dyn_cast_or_null<PipelineOp>(owner)) {
      lb = pipe.getLowerBound();
      ub = pipe.getUpperBound();
      step = pipe.getStep();
      iv = pipe.getInductionVar();
    }
    if (!iv || iv != arg)
      return std::nullopt;
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    // A loop that never runs makes no access.
    if (!l || !u || !s || *s <= 0 || *u <= *l)
      return std::nullopt;
    int64_t last = *l + (*u - 1 - *l) / *s * *s;
    return IndexRange{*l, last};
  }

  llvm::SmallPtrSet<void *, 8> seen;
  bool blockIndex = false;
};

} // namespace

LogicalResult tessel::checkGridSlices(Operation *root) {
  bool failed = false;
  root->walk([&](Operation *op) {
    MemRefType memref;
    TileType tile;
    OperandRange indices = op->getOperands();
    SmallVector<int64_t> sizes;
    // Tile dimensions (0 rows, 1 cols) whose valid extent is a runtime
    // value: tile-check-races bounds those with the extent's value.
    bool runtimeValid[2] = {false, false};
    auto noteValid = [&](auto access) {
      if (!access.hasValidShape())
        return;
      for (unsigned t = 0; t < 2; ++t)
        runtimeValid[t] = isa<Value>(access.getValidSize(t));
    };
    if (auto load = dyn_cast<LoadOp>(op)) {
      memref = load.getMemRefType();
      indices = load.getIndices();
      sizes = load.getSliceSizes();
      noteValid(load);
    } else if (auto store = dyn_cast<StoreOp>(op)) {
      memref = store.getMemRefType();
      indices = store.getIndices();
      sizes = store.getSliceSizes();
      noteValid(store);
    } else {
      return;
    }
    // An access under a condition may run only for the blocks it fits.
    for (Operation *p = op->getParentOp(); p && !isa<SpmdOp>(p);
         p = p->getParentOp())
      if (isa<scf::IfOp>(p))
        return;
    ArrayRef<int64_t> dims = memref.getShape();
    if (sizes.size() != dims.size() || indices.size() != dims.size())
      return;
    for (auto [d, index] : llvm::enumerate(indices)) {
      if (ShapedType::isDynamic(dims[d]))
        continue;
      int64_t tileDim = dims.size() == 1
                            ? 1
                            : static_cast<int64_t>(d) -
                                  static_cast<int64_t>(dims.size()) + 2;
      if (tileDim >= 0 && runtimeValid[tileDim])
        continue;
      RangeEval eval;
      std::optional<IndexRange> r = eval.eval(index);
      if (!r || !eval.usedVariable())
        continue;
      if (r->lo < 0) {
        op->emitOpError("index ")
            << d << " is negative for some block or loop iteration: it "
            << "ranges over [" << r->lo << ", " << r->hi << "]";
        failed = true;
        return;
      }
      if (r->hi > dims[d] - sizes[d]) {
        InFlightDiagnostic diag =
            op->emitOpError("slice of ")
            << sizes[d] << " in dimension " << d << " is out of bounds of "
            << memref << " for some block or loop iteration: the offset "
            << "ranges over [" << r->lo << ", " << r->hi << "], and "
            << r->hi << " + " << sizes[d] << " > " << dims[d];
        if (auto spmd = op->getParentOfType<SpmdOp>();
            spmd && eval.usedBlockIndex())
          diag.attachNote(spmd.getLoc())
              << "grid of " << spmd.getBlocks() << " blocks";
        failed = true;
        return;
      }
    }
  });
  return failure(failed);
}
