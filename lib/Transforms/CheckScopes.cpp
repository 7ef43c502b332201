//===- CheckScopes.cpp - Report the core scopes of a kernel ---------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Emits one remark per tile.spmd scope with its grid and, for each tile.at it
// holds, the core kind and the number of cube and vector ops. Optionally
// requires the module to name its target.
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/Remarks.h"
#include "tessel/Transforms/Passes.h"
#include "tessel/Transforms/ScopeAccesses.h"

#define DEBUG_TYPE "tile-check-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILECHECKSCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

struct CheckScopesPass
    : public tessel::impl::TileCheckScopesBase<CheckScopesPass> {
  using TileCheckScopesBase::TileCheckScopesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The dialect verifies `tile.target` too, but only when it is loaded,
    // which a module holding no tile op or attribute may not have done.
    Attribute target = module->getAttr(TileDialect::kTargetAttrName);
    if (target && !isa<TargetAttr>(target)) {
      TileDialect::emitBadTargetAttr(module, target);
      return signalPassFailure();
    }
    if (requireTarget && !target) {
      module.emitError("module names no target: expected a ")
          << TileDialect::kTargetAttrName << " attribute, e.g. attributes {"
          << TileDialect::kTargetAttrName << " = #tile.target<a2a3>}";
      return signalPassFailure();
    }
    if (failed(checkGridSlices(module)))
      return signalPassFailure();
    module.walk([](SpmdOp spmd) {
      InFlightDiagnostic remark = emitDecision(spmd)
                                  << "scope '" << spmd.getScopeName()
                                  << "': " << spmd.getBlocks() << " blocks";
      spmd.getBody().walk([&](AtOp at) {
        int64_t cube = 0, vector = 0;
        at.getBody().walk([&](Operation *op) {
          cube += op->hasTrait<CubeOnly>();
          vector += op->hasTrait<VectorOnly>();
        });
        remark << ", " << stringifyCoreKind(at.getKind()) << " scope with "
               << cube << " cube and " << vector << " vector ops";
      });
    });
  }
};

} // namespace
