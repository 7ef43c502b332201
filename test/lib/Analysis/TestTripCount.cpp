//===- TestTripCount.cpp - Print the trip-count bound of each loop --------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-print-trip-counts`: a test-only pass that runs the trip-count
// analysis behind `tile-split-mixed-scopes` (tessel/Analysis/TripCount.h)
// on every function and emits one remark per scf.for / tile.pipeline: the
// signed range of its upper bound and the most iterations it runs, or that
// its trip count has no upper bound. It never changes the IR.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TripCount.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace tessel;

namespace {

struct TestPrintTripCountsPass
    : public PassWrapper<TestPrintTripCountsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestPrintTripCountsPass)

  StringRef getArgument() const final { return "tile-print-trip-counts"; }
  StringRef getDescription() const final {
    return "print the range of every loop's upper bound and the most "
           "iterations it runs, from the integer range analysis (test only)";
  }

  void runOnOperation() override {
    getOperation().walk([&](FunctionOpInterface func) {
      IndexRanges ranges(func);
      func->walk([&](LoopLikeOpInterface loop) {
        std::optional<OpFoldResult> ub = loop.getSingleUpperBound();
        if (!ub)
          return;
        std::string text;
        llvm::raw_string_ostream os(text);
        if (auto v = dyn_cast<Value>(*ub)) {
          std::optional<ConstantIntRanges> r = ranges.getRange(v);
          os << "end ";
          if (r)
            os << "in [" << r->smin().getSExtValue() << ", "
               << r->smax().getSExtValue() << "]";
          else
            os << "unknown";
        } else {
          os << "end constant";
        }
        TripCountBound bound = ranges.getTripCountBound(loop);
        if (bound.max)
          os << ": at most " << *bound.max << " iterations";
        else
          os << ": no upper bound";
        loop->emitRemark() << text;
      });
    });
  }
};

} // namespace

namespace tessel::test {
void registerTestTripCountPass() {
  PassRegistration<TestPrintTripCountsPass>();
}
} // namespace tessel::test
