//===- TripCount.cpp - Upper bounds of run-time loop trip counts ----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TripCount.h"
#include "tile/TileOps.h"

#include "mlir/Analysis/DataFlow/IntegerRangeAnalysis.h"
#include "mlir/Analysis/DataFlow/Utils.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::dataflow;
using namespace tessel;

std::optional<int64_t> tessel::maxTripCount(int64_t lbMin, int64_t ubMax,
                                            int64_t stepMin) {
  if (stepMin < 1)
    return std::nullopt;
  if (ubMax <= lbMin)
    return 0;
  // ubMax - lbMin > 0 may overflow int64_t; as an unsigned difference it
  // does not.
  uint64_t span = static_cast<uint64_t>(ubMax) - static_cast<uint64_t>(lbMin);
  uint64_t trips = span / static_cast<uint64_t>(stepMin) +
                   (span % static_cast<uint64_t>(stepMin) != 0);
  if (trips > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    return std::nullopt;
  return static_cast<int64_t>(trips);
}

namespace {

/// Upstream's integer range analysis, with tile.spmd's block index in
/// [0, blocks), and the values it cannot reason about (results of ops
/// without InferIntRangeInterface, function arguments) over their type's
/// whole range or, with `halved`, over the middle half of it
/// ([-2^(w-2), 2^(w-2) - 1] for w bits).
class DataRangeAnalysis : public IntegerRangeAnalysis {
public:
  DataRangeAnalysis(DataFlowSolver &solver, bool halved)
      : IntegerRangeAnalysis(solver), halved(halved) {}

  void setToEntryState(IntegerValueRangeLattice *lattice) override {
    Value v = lattice->getAnchor();
    Type t = v.getType();
    if (!halved || !t.isIntOrIndex())
      return IntegerRangeAnalysis::setToEntryState(lattice);
    unsigned width = ConstantIntRanges::getStorageBitwidth(t);
    if (width < 4)
      return IntegerRangeAnalysis::setToEntryState(lattice);
    APInt hi = APInt::getSignedMaxValue(width).ashr(1);
    APInt lo = APInt::getSignedMinValue(width).ashr(1);
    propagateIfChanged(lattice, lattice->join(IntegerValueRange(
                                    ConstantIntRanges::fromSigned(lo, hi))));
  }

  /// Interval arithmetic loses that `a - (a / k) * k` is `a mod k`, in
  /// [0, k) for a floor division (or a truncating one of a >= 0) by a
  /// constant k > 0: the remainder pypto-lib writes by hand (decode_indexer's
  /// `split = unit - tg * REDUCE_NSPLIT`, `tg = unit // REDUCE_NSPLIT`).
  LogicalResult
  visitOperation(Operation *op,
                 ArrayRef<const IntegerValueRangeLattice *> operands,
                 ArrayRef<IntegerValueRangeLattice *> results) override {
    if (std::optional<ConstantIntRanges> r = remainderRange(op, operands)) {
      propagateIfChanged(results[0],
                         results[0]->join(IntegerValueRange(*r)));
      return success();
    }
    return IntegerRangeAnalysis::visitOperation(op, operands, results);
  }

  void visitNonControlFlowArguments(
      Operation *op, const RegionSuccessor &successor,
      ArrayRef<IntegerValueRangeLattice *> argLattices,
      unsigned firstIndex) override {
    auto spmd = dyn_cast<tile::SpmdOp>(op);
    if (!spmd)
      return IntegerRangeAnalysis::visitNonControlFlowArguments(
          op, successor, argLattices, firstIndex);
    BlockArgument index = spmd.getBlockIndex();
    unsigned width = ConstantIntRanges::getStorageBitwidth(index.getType());
    IntegerValueRangeLattice *lattice = argLattices[index.getArgNumber()];
    propagateIfChanged(
        lattice, lattice->join(IntegerValueRange(ConstantIntRanges::fromSigned(
                     APInt(width, 0), APInt(width, spmd.getBlocks() - 1)))));
  }

private:
  static std::optional<ConstantIntRanges>
  remainderRange(Operation *op,
                 ArrayRef<const IntegerValueRangeLattice *> operands) {
    auto sub = dyn_cast<arith::SubIOp>(op);
    if (!sub)
      return std::nullopt;
    auto mul = sub.getRhs().getDefiningOp<arith::MulIOp>();
    if (!mul)
      return std::nullopt;
    Value a = sub.getLhs();
    for (auto [q, kv] : {std::pair(mul.getLhs(), mul.getRhs()),
                         std::pair(mul.getRhs(), mul.getLhs())}) {
      APInt k;
      if (!matchPattern(kv, m_ConstantInt(&k)) || !k.isStrictlyPositive())
        continue;
      Operation *div = q.getDefiningOp();
      if (!div || div->getNumOperands() != 2 || div->getOperand(0) != a)
        continue;
      APInt dk;
      if (!matchPattern(div->getOperand(1), m_ConstantInt(&dk)) || dk != k)
        continue;
      bool floor = isa<arith::FloorDivSIOp>(div);
      const IntegerValueRange &ar = operands[0]->getValue();
      bool nonNegative = !ar.isUninitialized() &&
                         ar.getValue().smin().isNonNegative();
      if (!floor && !(isa<arith::DivSIOp>(div) && nonNegative))
        continue;
      return ConstantIntRanges::fromSigned(APInt::getZero(k.getBitWidth()),
                                           k - 1);
    }
    return std::nullopt;
  }

  bool halved;
};

std::unique_ptr<DataFlowSolver> runSolver(Operation *root, bool halved) {
  auto solver = std::make_unique<DataFlowSolver>();
  loadBaselineAnalyses(*solver);
  solver->load<DataRangeAnalysis>(halved);
  if (failed(solver->initializeAndRun(root)))
    return nullptr;
  return solver;
}

std::optional<ConstantIntRanges> lookup(const DataFlowSolver *solver,
                                        Value v) {
  if (!solver)
    return std::nullopt;
  auto *lattice = solver->lookupState<IntegerValueRangeLattice>(v);
  if (!lattice || lattice->getValue().isUninitialized())
    return std::nullopt;
  return lattice->getValue().getValue();
}

} // namespace

IndexRanges::IndexRanges(Operation *root)
    : full(runSolver(root, /*halved=*/false)),
      half(runSolver(root, /*halved=*/true)) {}

IndexRanges::~IndexRanges() = default;

std::optional<ConstantIntRanges> IndexRanges::getRange(Value v) const {
  if (!v.getType().isIntOrIndex())
    return std::nullopt;
  std::optional<ConstantIntRanges> f = lookup(full.get(), v);
  std::optional<ConstantIntRanges> h = lookup(half.get(), v);
  if (!f || !h)
    return std::nullopt;
  // A side that moves with the range of data is not bounded by anything
  // but the type.
  unsigned width = f->smin().getBitWidth();
  APInt lo = f->smin() == h->smin() ? f->smin()
                                    : APInt::getSignedMinValue(width);
  APInt hi = f->smax() == h->smax() ? f->smax()
                                    : APInt::getSignedMaxValue(width);
  return ConstantIntRanges::fromSigned(lo, hi);
}

TripCountBound IndexRanges::getTripCountBound(LoopLikeOpInterface loop) const {
  TripCountBound result;
  std::optional<OpFoldResult> lb = loop.getSingleLowerBound(),
                              ub = loop.getSingleUpperBound(),
                              step = loop.getSingleStep();
  if (!lb || !ub || !step)
    return result;
  // The signed range of a bound: a constant, or what the analysis found;
  // `unbounded` when the side asked for is only bounded by the type.
  auto side = [&](OpFoldResult f, bool upper,
                  bool &unbounded) -> std::optional<int64_t> {
    unbounded = false;
    if (std::optional<int64_t> c = getConstantIntValue(f))
      return c;
    auto v = dyn_cast<Value>(f);
    std::optional<ConstantIntRanges> r = v ? getRange(v) : std::nullopt;
    if (!r) {
      unbounded = true;
      return std::nullopt;
    }
    const APInt &x = upper ? r->smax() : r->smin();
    if ((upper ? x.isMaxSignedValue() : x.isMinSignedValue()) ||
        x.getSignificantBits() > 64) {
      unbounded = true;
      return std::nullopt;
    }
    return x.getSExtValue();
  };
  bool lbOpen, ubOpen, stepOpen;
  std::optional<int64_t> lbMin = side(*lb, false, lbOpen);
  std::optional<int64_t> ubMax = side(*ub, true, ubOpen);
  std::optional<int64_t> stepMin = side(*step, false, stepOpen);
  auto blame = [](OpFoldResult f) { return dyn_cast<Value>(f); };
  if (ubOpen) {
    result.unboundedBy = blame(*ub);
  } else if (lbOpen) {
    result.unboundedBy = blame(*lb);
  } else if (stepOpen || *stepMin < 1) {
    result.unboundedBy = blame(*step);
  } else {
    result.max = maxTripCount(*lbMin, *ubMax, *stepMin);
    if (!result.max)
      result.unboundedBy = blame(*ub);
  }
  return result;
}
