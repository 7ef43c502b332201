//===- PipelineLoops.cpp - Pipeline the loops that load from GM -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Turns every scf.for inside a tile.at scope whose body loads from GM into a
// tile.pipeline with `stages` stages, when the scope still fits the on-chip
// buffers of the target with that loop pipelined. The footprint is the one
// tile-place-buffers would produce (tessel/Analysis/TilePlacement.h), taken
// on a scratch copy of the scope, so the decision and the later placement
// agree. Inner loops are decided first.
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/Remarks.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Transforms/AccessSets.h"
#include "tessel/Transforms/LoopUtils.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"

#define DEBUG_TYPE "tile-pipeline-loops"

namespace tessel {
#define GEN_PASS_DEF_TILEPIPELINELOOPS
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {


/// A loop the pass may pipeline: index bounds and a tile.load in its body.
static bool isCandidate(scf::ForOp loop) {
  if (!loop.getInductionVar().getType().isIndex())
    return false;
  return loop.getBody()
      ->walk([](LoadOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

/// The outcome of placing a scope with a set of stage counts.
using Trial = FitSummary;

/// Places a scratch copy of `at` in which each scf.for becomes a pipeline
/// with the stage count `stagesOf` gives it (1 when absent).
static Trial tryPlacement(AtOp at, const DenseMap<Operation *, int64_t> &stagesOf,
                          const TargetInfo &target) {
  OpBuilder b(at->getContext());
  b.setInsertionPointAfter(at);
  IRMapping map;
  auto copy = cast<AtOp>(b.clone(*at, map));
  SmallVector<scf::ForOp> loops;
  at.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops) {
    auto copied = cast<scf::ForOp>(map.lookup(loop.getOperation()));
    if (copied.getInductionVar().getType().isIndex())
      convertForToPipeline(copied, stagesOf.lookup_or(loop, 1));
  }

  Trial trial = summarizeFit(copy, target);
  copy.erase();
  return trial;
}

struct PipelineLoopsPass
    : public tessel::impl::TilePipelineLoopsBase<PipelineLoopsPass> {
  using TilePipelineLoopsBase::TilePipelineLoopsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    int64_t stages = this->stages;
    if (stages < 1) {
      module.emitError("stages must be at least 1, got ") << stages;
      return signalPassFailure();
    }
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();
    const TargetInfo *option = *resolved;

    SmallVector<AtOp> scopes;
    module.walk([&](AtOp at) { scopes.push_back(at); });
    for (AtOp at : scopes) {
      const TargetInfo &info = getScopeTarget(at, option);
      StringRef name = "spmd";
      if (auto spmd = at->getParentOfType<SpmdOp>())
        name = spmd.getScopeName();

      // Post-order: inner loops first.
      SmallVector<scf::ForOp> candidates;
      at.walk([&](scf::ForOp loop) {
        if (isCandidate(loop))
          candidates.push_back(loop);
      });
      DenseMap<Operation *, int64_t> stagesOf;
      SmallVector<scf::ForOp> accepted;
      for (scf::ForOp loop : candidates) {
        // Pipelining issues loads ahead of earlier iterations' stores: a
        // loop-carried GM dependence would become a race (docs/races.md).
        std::string hazard;
        if (hasPipelineHazard(loop, stages, hazard)) {
          loop.emitRemark() << "loop in scope '" << name
                            << "' not pipelined: " << hazard;
          continue;
        }
        stagesOf[loop] = stages;
        Trial trial = tryPlacement(at, stagesOf, info);
        if (!trial.placeable) {
          stagesOf.erase(loop);
          emitDecision(loop) << "loop in scope '" << name
                             << "' not pipelined: the scope cannot be placed ("
                             << trial.error << ")";
          continue;
        }
        StringRef title = getBufferKindTitle(trial.kind);
        if (trial.fits) {
          accepted.push_back(loop);
          emitDecision(loop) << "pipelined loop in scope '" << name << "': "
                             << stages << " stages, footprint " << trial.peak
                             << " bytes of " << trial.capacity << " (" << title
                             << ")";
          continue;
        }
        stagesOf.erase(loop);
        if (trial.operandTooLarge)
          emitDecision(loop) << "loop in scope '" << name
                             << "' not pipelined: a matmul operand exceeds "
                               "cube L0A or L0B";
        else
          emitDecision(loop) << "loop in scope '" << name
                             << "' not pipelined: " << stages << " stages need "
                             << trial.peak << " > " << trial.capacity
                             << " bytes of " << title;
      }
      for (scf::ForOp loop : accepted)
        convertForToPipeline(loop, stages);
      // A sequential loop that carries tiles becomes a one-stage
      // tile.pipeline: only tile.pipeline iter_args have storage that
      // placement and the lowerings know how to give a loop-carried tile.
      SmallVector<scf::ForOp> carrying;
      at.walk([&](scf::ForOp loop) {
        if (llvm::any_of(loop.getInitArgs().getTypes(),
                         [](Type t) { return isa<TileType>(t); }))
          carrying.push_back(loop);
      });
      for (scf::ForOp loop : carrying)
        convertForToPipeline(loop, 1);
    }
  }
};

} // namespace
