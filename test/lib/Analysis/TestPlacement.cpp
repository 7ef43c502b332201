//===- TestPlacement.cpp - Print the buffer placement of each scope -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-print-placement`: a test-only pass that runs the placement analysis
// behind `tile-place-buffers` on every tile.at scope and emits one remark per
// scope with the memory map of every buffer kind it uses (each tile's byte
// range, size, slots and live range), the peak, the lower bound and the
// packing quality (peak / lower bound). It prints even when a scope does not
// fit and never changes the IR, so FileCheck tests can look at the packing
// itself.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TilePlacement.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

struct TestPrintPlacementPass
    : public PassWrapper<TestPrintPlacementPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestPrintPlacementPass)

  TestPrintPlacementPass() = default;
  TestPrintPlacementPass(const TestPrintPlacementPass &pass)
      : PassWrapper(pass) {}

  StringRef getArgument() const final { return "tile-print-placement"; }
  StringRef getDescription() const final {
    return "print the buffer placement, peak, lower bound and packing quality "
           "of every tile.at scope (test only)";
  }

  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("target chip (a2a3 or a5); default: the nearest "
                     "tile.target attribute, else a2a3"),
      llvm::cl::init("")};

  void runOnOperation() override {
    const TargetInfo *option = nullptr;
    if (!target.empty()) {
      option = lookupTarget(target);
      if (!option) {
        getOperation().emitError("unknown target '")
            << target << "': expected one of a2a3, a5";
        return signalPassFailure();
      }
    }
    bool ok = true;
    getOperation().walk([&](AtOp scope) {
      const TargetInfo &info = getScopeTarget(scope, option);
      FailureOr<ScopePlacement> placement = computeScopePlacement(scope, info);
      if (failed(placement)) {
        ok = false;
        return;
      }
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "placement";
      if (auto func = scope->getParentOfType<FunctionOpInterface>())
        os << " in @" << func.getName();
      os << " of a " << stringifyCoreKind(scope.getKind()) << " scope on "
         << info.name << ": " << (placement->fits() ? "fits" : "does not fit");
      for (BufferKind kind : {BufferKind::UB, BufferKind::L1,
                              BufferKind::L0C}) {
        if (!placement->getKind(kind).used)
          continue;
        os << "\n";
        printMemoryMap(os, *placement, kind);
      }
      for (BufferKind kind : {BufferKind::L0A, BufferKind::L0B}) {
        const KindPlacement &k = placement->getKind(kind);
        if (!k.used)
          continue;
        os << "\n" << getBufferKindTitle(kind) << ": largest matmul "
           << (kind == BufferKind::L0A ? "lhs " : "rhs ") << k.peak
           << " bytes, " << k.capacity << " bytes usable";
      }
      scope.emitRemark() << text;
    });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace

namespace tessel::test {
void registerTestPlacementPass() {
  PassRegistration<TestPrintPlacementPass>();
}
} // namespace tessel::test
