//===- TripCount.h - Upper bounds of run-time loop trip counts --*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The largest trip count a loop with bounds known only at run time can
// have, from upstream MLIR's integer range analysis
// (mlir/Analysis/DataFlow/IntegerRangeAnalysis.h: arith's
// InferIntRangeInterface, loop induction variables in their bounds), which
// Tessel's subclass also tells that tile.spmd's block index is in
// [0, blocks). `tile-split-mixed-scopes` sizes the
// GM staging of a fissioned loop's per-iteration tiles by it.
//
// A value the analysis knows nothing about (an element read from GM or
// from a tile, a function argument) is bounded only by the width of its
// type, which is no bound an author means: a staging tensor of 2^31
// iterations. So the analysis runs twice, once with such values over their
// type's whole range and once over half of it; a trip count whose largest
// value differs between the two depends on the magnitude of data and has
// no upper bound. `pl.min(n, 64)` makes 64 the bound whatever n is.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_TRIPCOUNT_H
#define TESSEL_ANALYSIS_TRIPCOUNT_H

#include "mlir/Analysis/DataFlowFramework.h"
#include "mlir/IR/Operation.h"
#include "mlir/Interfaces/InferIntRangeInterface.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

#include <cstdint>
#include <memory>
#include <optional>

namespace tessel {

/// The trip count of a loop `for (i = lb; i < ub; i += step)` whose bounds
/// are in the given signed ranges: the most iterations,
/// max(0, ceil((ub.max - lb.min) / step.min)), or nullopt when step may be
/// below 1 or the count does not fit in int64_t. Pure arithmetic.
std::optional<int64_t> maxTripCount(int64_t lbMin, int64_t ubMax,
                                    int64_t stepMin);

/// What is known of a loop's trip count.
struct TripCountBound {
  /// The most iterations the loop can run, when bounded.
  std::optional<int64_t> max;
  /// When not bounded: the loop bound (lower, upper or step value) whose
  /// range leaves it unbounded, for the diagnostic; null when the loop has
  /// no single bound.
  mlir::Value unboundedBy;
};

/// Integer ranges of the index and integer values of one function (or any
/// op isolated from above), computed once; queries are cheap.
class IndexRanges {
public:
  /// Runs the range analysis over `root`: every value defined in it, its
  /// arguments taken as unknown.
  explicit IndexRanges(mlir::Operation *root);
  ~IndexRanges();

  /// The signed range of integer or index `v`, or nullopt when the analysis
  /// has none (a value of another type, or code it found dead). A value that
  /// depends on the magnitude of data has its type's whole range.
  std::optional<mlir::ConstantIntRanges> getRange(mlir::Value v) const;

  /// The most iterations `loop` (a loop with one induction variable, lower
  /// and upper bound and step, e.g. scf.for or tile.pipeline) runs.
  TripCountBound getTripCountBound(mlir::LoopLikeOpInterface loop) const;

private:
  /// Data over its type's whole range, and over half of it.
  std::unique_ptr<mlir::DataFlowSolver> full, half;
};

} // namespace tessel

#endif // TESSEL_ANALYSIS_TRIPCOUNT_H
