//===- PlaceBuffers.cpp - Assign on-chip buffer offsets to tiles ----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The pass side of buffer placement: resolve the target, run the placement
// analysis (lib/Analysis/TilePlacement.cpp) on every tile.at scope of the
// module, report every capacity error, and only when there is none write the
// placements (docs/placement.md). Nothing is written on failure, so the IR is
// left exactly as it was.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "tile-place-buffers"

namespace tessel {
#define GEN_PASS_DEF_TILEPLACEBUFFERS
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// Test only (option `test-overlap`): find a buffer `b` defined while a
/// buffer `a` of the same kind is live and read after `b` is written, and
/// put `b` on `a`'s bytes. Writing `b` then clobbers `a`, which proves that
/// the CPU simulation really executes the placement.
void overlapLiveBuffers(ScopePlacement &placement) {
  std::vector<PlacedBuffer> &buffers = placement.buffers;
  for (PlacedBuffer &b : buffers)
    for (const PlacedBuffer &a : buffers) {
      if (&a == &b || a.kind != b.kind || a.slots != 1 || b.slots != 1)
        continue;
      if (!(a.start < b.start && b.start + 1 < a.end))
        continue;
      if (a.offset + b.getFootprint() > placement.getKind(a.kind).capacity)
        continue;
      LLVM_DEBUG(llvm::dbgs() << "test-overlap: " << b.name << " onto "
                              << a.name << "\n");
      b.offset = a.offset;
      return;
    }
}

struct PlaceBuffersPass
    : public tessel::impl::TilePlaceBuffersBase<PlaceBuffersPass> {
  using TilePlaceBuffersBase::TilePlaceBuffersBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();

    // The target: the option when given (it must agree with any tile.target
    // attribute in the module), else each scope's nearest attribute.
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();
    const TargetInfo *option = *resolved;

    // Compute everything first.
    std::vector<ScopePlacement> placements;
    bool ok = true;
    module.walk([&](AtOp scope) {
      const TargetInfo &info = getScopeTarget(scope, option);
      FailureOr<ScopePlacement> placement = computeScopePlacement(scope, info);
      if (failed(placement)) {
        ok = false;
        return;
      }
      LLVM_DEBUG({
        for (BufferKind kind : kAllBufferKinds)
          if (placement->getKind(kind).used) {
            printMemoryMap(llvm::dbgs(), *placement, kind);
            llvm::dbgs() << "\n";
          }
      });
      if (failed(emitPlacementErrors(*placement))) {
        ok = false;
        return;
      }
      placements.push_back(std::move(*placement));
    });
    if (!ok)
      return signalPassFailure();

    if (testOverlap)
      for (ScopePlacement &placement : placements)
        overlapLiveBuffers(placement);

    // Then write.
    llvm::SetVector<Operation *> functions;
    for (const ScopePlacement &placement : placements) {
      applyPlacement(placement);
      if (auto func =
              placement.scope->getParentOfType<FunctionOpInterface>())
        functions.insert(func);
    }
    for (Operation *func : functions)
      func->setAttr("tile.placed", UnitAttr::get(&getContext()));
    if (option && !placements.empty() &&
        !module->hasAttr(TileDialect::kTargetAttrName)) {
      std::optional<Target> t = symbolizeTarget(option->name);
      module->setAttr(TileDialect::kTargetAttrName,
                      TargetAttr::get(&getContext(), *t));
    }
  }
};

} // namespace
