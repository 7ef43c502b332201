//===- TileScopes.cpp - Re-tile, group and jam the blocks of scopes -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Per scope, on the per-pipe cost model (tessel/Analysis/ScheduleCost.h,
// estimateScope; docs/perf-model.md): a vector scope
// written one token row per block may take W token rows per block
// (WidenRows.h); the N blocks are grouped G per task (each task runs G old
// blocks in an `scf.for`, the old index rebuilt and simplified,
// IndexUtils.h), G the fewest tasks within 5% of the least modelled
// makespan; and grouped blocks whose inner loops share loads are unrolled
// and jammed. The blocks of an spmd are independent, so running several in
// sequence, or interleaved, on one core computes the same result. Every
// change is tried on a copy and kept when it fits and the model prefers it.
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/Remarks.h"
#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Analysis/ScheduleCost.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Transforms/IndexUtils.h"
#include "tessel/Transforms/LoopUtils.h"
#include "tessel/Transforms/Passes.h"
#include "tessel/Transforms/ScopeAccesses.h"
#include "tessel/Transforms/WidenRows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/CSE.h"

#define DEBUG_TYPE "tile-tile-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILETILESCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// The most blocks of a task jammed into one pass. A bound on compile time
/// (each attempt clones the scope and unrolls it that many times), not a
/// model decision: four times the largest jam the DSV4 kernels choose (16).
constexpr int64_t kMaxJamFactor = 64;

/// Unroll-and-jams the group loop of a grouped scope (upstream scf
/// loopUnrollJamByFactor) so that the inner loops of several blocks run as
/// one, then merges identical loads (CSE): those blocks then read what they
/// share, a matmul's lhs for instance, once per inner iteration instead of
/// once each. Tries the factors dividing the group, largest first, and keeps
/// the first that moves fewer GM bytes and still fits.
static void jamGroup(SpmdOp spmd, AtOp at, scf::ForOp loop, int64_t group,
                     const TargetInfo &info) {
  // Inner loops the author wrote as pipelines jam as scf.for loops and get
  // their stage count back after; they must agree on it.
  bool hasFor = false;
  std::optional<int64_t> stages;
  bool mixedStages = false;
  loop.getBody()->walk([&](Operation *op) {
    if (auto pipe = dyn_cast<PipelineOp>(op)) {
      int64_t s = static_cast<int64_t>(pipe.getStages());
      mixedStages |= stages && *stages != s;
      stages = s;
    }
    hasFor |= isa<scf::ForOp>(op);
  });
  if (!hasFor && !stages)
    return;
  if (mixedStages || (hasFor && stages)) {
    emitDecision(spmd) << "scope '" << spmd.getScopeName()
                       << "': the blocks of a task not jammed: their loops "
                         "are pipelines of different stage counts, or some "
                         "are and some are not";
    return;
  }
  GmTraffic before = countGmTraffic(at);
  std::string why = "no load is shared";
  // Each attempt clones the scope and unrolls its inner loops `factor`
  // times, so the factors tried are bounded by kMaxJamFactor rather than by
  // the group, which grows with the grid.
  SmallVector<int64_t> divisors = getDivisors(group), factors;
  for (int64_t factor : llvm::reverse(divisors))
    if (factor > 1 && factor <= kMaxJamFactor)
      factors.push_back(factor);
  if (group > kMaxJamFactor && factors.empty())
    why = "no divisor of the group up to " + std::to_string(kMaxJamFactor) +
          " to jam by";
  for (int64_t factor : factors) {
    OpBuilder b(at);
    b.setInsertionPointAfter(at);
    IRMapping map;
    auto copy = cast<AtOp>(b.clone(*at, map));
    auto copyLoop = cast<scf::ForOp>(map.lookup(loop.getOperation()));
    SmallVector<PipelineOp> pipes;
    copyLoop.getBody()->walk([&](PipelineOp pipe) { pipes.push_back(pipe); });
    for (PipelineOp pipe : llvm::reverse(pipes))
      convertPipelineToFor(pipe);
    // The group loop is marked: unroll-and-jam may keep it (with a larger
    // step) or fold it away when one iteration is left.
    StringRef groupMark = "tessel.group_loop";
    copyLoop->setAttr(groupMark, UnitAttr::get(at.getContext()));
    if (failed(loopUnrollJamByFactor(copyLoop, factor))) {
      copy.erase();
      why = "the group loop cannot be unrolled and jammed";
      continue;
    }
    SmallVector<scf::ForOp> loops;
    copy.walk([&](scf::ForOp l) { loops.push_back(l); });
    for (scf::ForOp l : llvm::reverse(loops)) {
      if (l->hasAttr(groupMark)) {
        l->removeAttr(groupMark);
        continue;
      }
      // Any other loop came from a pipeline when there were pipelines.
      if (stages)
        convertForToPipeline(l, *stages);
    }
    IRRewriter rewriter(at.getContext());
    DominanceInfo dom(copy);
    eliminateCommonSubExpressions(rewriter, dom, copy);
    GmTraffic after = countGmTraffic(copy);
    if (after.total() >= before.total()) {
      copy.erase();
      continue;
    }
    FitSummary fit = measureScopeFit(copy, info);
    if (!fit.placeable || !fit.fits) {
      copy.erase();
      why = "no jam of the blocks fits";
      continue;
    }
    emitDecision(spmd) << "scope '" << spmd.getScopeName() << "': blocks of a "
                       << "task jammed by " << factor
                       << " into one pass of their inner loops: GM traffic "
                       << before.total() << " -> " << after.total()
                       << " bytes per task";
    at.erase();
    return;
  }
  emitDecision(spmd) << "scope '" << spmd.getScopeName()
                     << "': the blocks of a task not jammed: " << why;
}

/// Re-tiles a vector scope written one token row per block to W token rows
/// per block (tessel/Transforms/WidenRows.h), W the largest divisor of the
/// tokens that fits, moves fewer GM bytes and keeps the modelled makespan
/// within the grouping tolerance. Returns the scope (the new one if it
/// changed).
static std::pair<SpmdOp, AtOp> widenTokenRows(SpmdOp spmd, AtOp at,
                                              const TargetInfo &info) {
  std::string why;
  std::optional<TokenRows> rows = getTokenRows(spmd, at, why);
  if (!rows || rows->tokens < 2)
    return {spmd, at};
  StringRef name = spmd.getScopeName();
  int64_t blocks = static_cast<int64_t>(spmd.getBlocks());
  GmTraffic block = countGmTraffic(at);
  double before = estimateScope(at, blocks, CoreKind::vector, info).seconds;
  SmallVector<int64_t> widths = getDivisors(rows->tokens);
  for (int64_t width : llvm::reverse(widths)) {
    if (width < 2)
      continue;
    OpBuilder b(spmd);
    IRMapping map;
    auto copy = cast<SpmdOp>(b.clone(*spmd, map));
    auto copyAt = cast<AtOp>(map.lookup(at.getOperation()));
    std::string failure;
    if (failed(widenRows(copy, copyAt, *rows, width, failure))) {
      copy.erase();
      // Every width fails the same way: the ops, not the size, decide.
      emitDecision(spmd) << "scope '" << name
                         << "' keeps one token row per block: " << failure;
      return {spmd, at};
    }
    FitSummary fit = measureScopeFit(copyAt, info);
    GmTraffic wideBlock = countGmTraffic(copyAt);
    int64_t newBlocks = blocks / width;
    double after =
        estimateScope(copyAt, newBlocks, CoreKind::vector, info).seconds;
    bool fewerBytes = wideBlock.total() * newBlocks < block.total() * blocks;
    if (!fit.placeable || !fit.fits || !fewerBytes ||
        after > before * (1 + kGroupingTolerance)) {
      copy.erase();
      continue;
    }
    InFlightDiagnostic diag =
        emitDecision(spmd)
        << "scope '" << name << "': " << width << " token rows per block, "
        << blocks << " -> " << newBlocks << " blocks, GM traffic "
        << block.total() * blocks << " -> " << wideBlock.total() * newBlocks
        << " bytes, modelled " << formatMicros(after) << " us against "
        << formatMicros(before) << " us, footprint " << describeFit(fit);
    diag.report();
    spmd.erase();
    return {copy, copyAt};
  }
  emitDecision(spmd) << "scope '" << name
                     << "' keeps one token row per block: no width of its "
                     << rows->tokens
                     << " token rows fits and saves GM bytes without a longer "
                       "modelled makespan";
  return {spmd, at};
}

struct TileScopesPass
    : public tessel::impl::TileTileScopesBase<TileScopesPass> {
  using TileTileScopesBase::TileTileScopesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();
    const TargetInfo *option = *resolved;

    SmallVector<SpmdOp> scopes;
    module.walk([&](SpmdOp spmd) { scopes.push_back(spmd); });
    for (SpmdOp spmd : scopes) {
      StringRef name = spmd.getScopeName();
      int64_t blocks = static_cast<int64_t>(spmd.getBlocks());
      AtOp at = getOnlyScope(spmd, /*allowPureOps=*/true);
      if (!at) {
        emitDecision(spmd) << "scope '" << name
                           << "' not grouped: the block index is used outside "
                             "a single tile.at, or the spmd body has an op "
                             "with side effects outside it";
        continue;
      }
      const TargetInfo &info = getScopeTarget(at, option);
      if (at.getKind() == CoreKind::vector) {
        std::tie(spmd, at) = widenTokenRows(spmd, at, info);
        blocks = static_cast<int64_t>(spmd.getBlocks());
      }
      bool cube = at.getKind() == CoreKind::cube;
      int64_t cores = getCoreCount(at.getKind(), info);
      StringRef coreName = at.getKind() == CoreKind::vector ? "vector cores"
                           : cube                           ? "cube cores"
                                                            : "core groups";
      TaskGrouping grouping = estimateScope(at, blocks, at.getKind(), info);
      int64_t group = grouping.group;
      double ungrouped = grouping.ungroupedSeconds;
      if (group == 1) {
        emitDecision(spmd) << "scope '" << name << "' not grouped: " << blocks
                           << " blocks on " << cores << " " << coreName
                           << ", no grouping shortens the modelled "
                           << formatMicros(ungrouped) << " us";
        continue;
      }
      double grouped = grouping.seconds;
      scf::ForOp loop =
          regroupBlocks(spmd, at, group, GroupOrder::Consecutive);
      emitDecision(spmd) << "scope '" << name << "': " << blocks
                         << " blocks grouped by " << group << " into "
                         << blocks / group << " tasks (" << coreName << ": "
                         << cores << "; modelled "
                         << formatMicros(grouped) << " us, "
                         << formatMicros(ungrouped)
                         << " us ungrouped)";
      jamGroup(spmd, at, loop, group, info);
    }
  }
};

} // namespace
