//===- FuseScopes.cpp - Fuse a producer scope with its consumer -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Producer/consumer fusion of two consecutive `tile.spmd` scopes of one
// core kind: the consumer's body runs right after the producer's, in one
// `tile.at`, with the block index unified, after regrouping the larger grid
// when one is a multiple of the other. Legal when no block of the fused scope
// touches GM that another block of it touches with a conflicting access
// (tessel/Transforms/ScopeAccesses.h); kept when the placed scope fits and is
// modelled no slower than the two apart (the per-pipe model,
// tessel/Analysis/ScheduleCost.h's estimateScope). Inside
// the fused scope, GM intermediates only it uses are then forwarded, fused
// loop by loop, recomputed or dropped (tessel/Transforms/ScopeIntermediates.h,
// LoopUtils.h), each when it fits and, for recomputing, moves fewer bytes.
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
#include "tessel/Transforms/ScopeIntermediates.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"

#define DEBUG_TYPE "tile-fuse-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILEFUSESCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

struct FuseScopesPass
    : public tessel::impl::TileFuseScopesBase<FuseScopesPass> {
  using TileFuseScopesBase::TileFuseScopesBase;

  /// Why `producer` and `consumer` may not be fused, or "" when they may.
  std::string checkLegal(SpmdOp producer, AtOp atP, SpmdOp consumer,
                         AtOp atC) {
    if (atP.getKind() != atC.getKind())
      return "different core kinds (" +
             stringifyCoreKind(atP.getKind()).str() + " and " +
             stringifyCoreKind(atC.getKind()).str() + ")";
    // One block: there is no other block to depend on.
    if (producer.getBlocks() == 1)
      return "";
    SmallVector<ScopeAccess> accP, accC;
    if (failed(collectScopeAccesses(atP, accP)) ||
        failed(collectScopeAccesses(atC, accC)))
      return "an op other than tile.load and tile.store takes a memref";
    Value blkP = producer.getBlockIndex(), blkC = consumer.getBlockIndex();
    for (const ScopeAccess &c : accC) {
      for (const ScopeAccess &p : accP) {
        if (!p.write && !c.write)
          continue;
        if (getRootTensor(p.memref) != getRootTensor(c.memref))
          continue;
        // Identical slices are safe when each store among them runs in
        // every block: the writer's blocks are independent, so its slices of
        // two blocks are disjoint. A store that may not run (under scf.if,
        // in a loop that may not iterate) proves nothing.
        bool writesRun = (!p.write || runsWheneverScopeRuns(p.op, atP)) &&
                         (!c.write || runsWheneverScopeRuns(c.op, atC));
        if ((writesRun && isSameSlice(p, c, blkP, blkC)) ||
            pinsBlock(p, c, blkP, blkC))
          continue;
        return "cross-block dependency on " + describeTensor(p.memref) +
               ": a block may touch what another block " +
               (p.write ? "wrote" : "read");
      }
    }
    return "";
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();
    const TargetInfo *option = *resolved;

    SmallVector<SpmdOp> firsts;
    module.walk([&](SpmdOp spmd) {
      auto prev = dyn_cast_or_null<SpmdOp>(spmd->getPrevNode());
      if (!prev)
        firsts.push_back(spmd);
    });
    for (SpmdOp producer : firsts) {
      while (auto consumer =
                 dyn_cast_or_null<SpmdOp>(producer->getNextNode())) {
        if (SpmdOp fused = tryFuse(producer, consumer, option))
          producer = fused;
        else
          producer = consumer;
      }
    }
    fuseSiblings(module, option);
  }

  /// Sibling fusion: a scope moves up past scopes it does not depend on (no
  /// GM tensor one of them writes and the other touches) to meet an earlier
  /// scope of its core kind, when the two then fuse. Repeats until nothing
  /// fuses; attempts that fail say nothing.
  void fuseSiblings(ModuleOp module, const TargetInfo *option) {
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<SpmdOp> scopes;
      module.walk([&](SpmdOp spmd) { scopes.push_back(spmd); });
      for (SpmdOp scope : scopes) {
        AtOp at = getOnlyScope(scope);
        if (!at)
          continue;
        SmallVector<std::string> passed;
        for (Operation *prev = scope->getPrevNode(); prev;
             prev = prev->getPrevNode()) {
          auto earlier = dyn_cast<SpmdOp>(prev);
          if (!earlier) {
            // Other ops (tensors, constants) may be passed unless the scope
            // uses what they define.
            bool uses = false;
            scope.walk([&](Operation *op) {
              for (Value v : op->getOperands())
                uses |= v.getDefiningOp() == prev;
            });
            if (uses)
              break;
            continue;
          }
          AtOp earlierAt = getOnlyScope(earlier);
          if (earlierAt && earlierAt.getKind() == at.getKind() &&
              !passed.empty()) {
            std::string nameS = scope.getScopeName().str();
            std::string nameE = earlier.getScopeName().str();
            Operation *home = scope->getPrevNode();
            scope->moveAfter(earlier);
            quiet = true;
            SpmdOp fused = tryFuse(earlier, scope, option);
            quiet = false;
            if (fused) {
              InFlightDiagnostic diag = emitDecision(fused)
                                        << "scope '" << nameS
                                        << "' moved up past ";
              llvm::interleaveComma(passed, diag, [&](const std::string &n) {
                diag << "'" << n << "'";
              });
              diag << " (no dependency) to fuse with '" << nameE << "'";
              changed = true;
              break;
            }
            scope->moveAfter(home);
          }
          std::string dependency = findDependency(scope, earlier);
          if (!dependency.empty())
            break;
          passed.push_back(earlier.getScopeName().str());
        }
        if (changed)
          break;
      }
    }
  }

  /// A GM tensor one of `a` and `b` writes and the other touches, named
  /// for a remark, or "" when they are independent.
  static std::string findDependency(SpmdOp a, SpmdOp b) {
    SmallVector<ScopeAccess> accA, accB;
    bool opaque = false;
    auto collect = [&](SpmdOp spmd, SmallVectorImpl<ScopeAccess> &out) {
      spmd.walk([&](AtOp at) {
        opaque |= failed(collectScopeAccesses(at, out));
      });
    };
    collect(a, accA);
    collect(b, accB);
    if (opaque)
      return "an op other than tile.load and tile.store takes a memref";
    for (const ScopeAccess &x : accA)
      for (const ScopeAccess &y : accB)
        if ((x.write || y.write) &&
            getRootTensor(x.memref) == getRootTensor(y.memref))
          return describeTensor(x.memref);
    return "";
  }

  /// Fuses `consumer` into `producer`, regrouping the one with more blocks
  /// when the grids differ; returns the fused scope or null.
  SpmdOp tryFuse(SpmdOp producer, SpmdOp consumer, const TargetInfo *option) {
    std::string nameP = producer.getScopeName().str();
    std::string nameC = consumer.getScopeName().str();
    auto notFused = [&](StringRef why) {
      if (quiet)
        return;
      emitDecision(consumer) << "scopes '" << nameP << "' and '" << nameC
                             << "' not fused: " << why;
    };
    AtOp atP = getOnlyScope(producer), atC = getOnlyScope(consumer);
    if (atP && atC && atP.getKind() != atC.getKind()) {
      notFused("different core kinds (" +
               stringifyCoreKind(atP.getKind()).str() + " and " +
               stringifyCoreKind(atC.getKind()).str() + ")");
      return nullptr;
    }
    int64_t nP = static_cast<int64_t>(producer.getBlocks());
    int64_t nC = static_cast<int64_t>(consumer.getBlocks());
    // The modelled time of the two scopes as they are, one after the other.
    double apart = 0;
    if (atP && atC) {
      const TargetInfo &info = getScopeTarget(atP, option);
      // One estimator: what the producer leaves in L2 the consumer reads
      // from there, as in the kernel.
      ScopeEstimator estimator(info);
      // Apart, the kernel also has one more scope boundary.
      apart = estimator.estimate(atP, nP, atP.getKind()).seconds +
              estimator.estimate(atC, nC, atC.getKind()).seconds +
              info.scopeBoundarySec;
    }
    std::string why;
    if (nP == nC) {
      Outcome outcome = fuseOne(producer, consumer, option, "", apart, why);
      if (outcome != Outcome::Fused) {
        notFused(why);
        return nullptr;
      }
      forwardIntermediates(producer, fusedScope, option);
      return producer;
    }
    std::string decomposition = "different decomposition (" +
                                std::to_string(nP) + " and " +
                                std::to_string(nC) + " blocks)";
    bool bigIsProducer = nP > nC;
    SpmdOp big = bigIsProducer ? producer : consumer;
    int64_t nBig = std::max(nP, nC), nSmall = std::min(nP, nC);
    if (nBig % nSmall != 0) {
      notFused(decomposition + ", " + std::to_string(nSmall) +
               " does not divide " + std::to_string(nBig));
      return nullptr;
    }
    int64_t group = nBig / nSmall;
    AtOp atBig = getOnlyScope(big);
    if (!atBig) {
      notFused(decomposition + ", and the scope of " + std::to_string(nBig) +
               " blocks is not a single tile.at to regroup");
      return nullptr;
    }
    // Regroup a copy of the larger scope: each of its nSmall new blocks
    // runs `group` old ones, consecutive or strided; fuse the copy and keep
    // it when that works.
    std::string whys;
    for (GroupOrder order : {GroupOrder::Consecutive, GroupOrder::Strided}) {
      OpBuilder b(big);
      if (bigIsProducer)
        b.setInsertionPointAfter(big);
      IRMapping map;
      auto copy = cast<SpmdOp>(b.clone(*big, map));
      regroupBlocks(copy, cast<AtOp>(map.lookup(atBig.getOperation())), group,
                    order);
      bool consecutive = order == GroupOrder::Consecutive;
      std::string how = "the " + std::to_string(nBig) + " blocks of '" +
                        big.getScopeName().str() + "' regrouped by " +
                        std::to_string(group) +
                        (consecutive ? " consecutive" : " strided") + " ones";
      SpmdOp p = bigIsProducer ? copy : producer;
      SpmdOp c = bigIsProducer ? consumer : copy;
      Outcome outcome = fuseOne(p, c, option, how, apart, why);
      if (outcome == Outcome::Fused) {
        big.erase();
        forwardIntermediates(p, fusedScope, option);
        return p;
      }
      copy.erase();
      if (outcome == Outcome::NoFit) {
        notFused(why + " (" + how + ")");
        return nullptr;
      }
      whys += (whys.empty() ? "" : "; ") + std::string(consecutive ? "consecutive: "
                                                                 : "strided: ") +
              why;
    }
    notFused(decomposition + "; regrouping the " + std::to_string(nBig) +
             " blocks by " + std::to_string(group) + " does not help (" +
             whys + ")");
    return nullptr;
  }

  enum class Outcome { Fused, Illegal, NoFit };

  /// Fuses `consumer` into `producer` (same grid) when legal and placeable.
  /// An illegal pair, a fused scope that does not fit and one modelled
  /// slower set `why` and emit nothing; a fusion emits its remark, naming
  /// `how` the grids were matched when it is not empty.
  Outcome fuseOne(SpmdOp producer, SpmdOp consumer, const TargetInfo *option,
                  StringRef how, double apart, std::string &why) {
    std::string nameP = producer.getScopeName().str();
    std::string nameC = consumer.getScopeName().str();
    AtOp atP = getOnlyScope(producer), atC = getOnlyScope(consumer);
    if (!atP || !atC) {
      why = "a scope is not a single tile.at";
      return Outcome::Illegal;
    }
    why = checkLegal(producer, atP, consumer, atC);
    if (!why.empty())
      return Outcome::Illegal;
    const TargetInfo &info = getScopeTarget(atP, option);

    // The fused scope, built next to the producer's.
    OpBuilder b(atP);
    b.setInsertionPointAfter(atP);
    auto fused = cast<AtOp>(b.clone(*atP));
    IRMapping map;
    map.map(consumer.getBlockIndex(), producer.getBlockIndex());
    b.setInsertionPoint(fused.getBodyBlock().getTerminator());
    for (Operation &op : atC.getBodyBlock().without_terminator())
      b.clone(op, map);
    FitSummary fit = measureScopeFit(fused, info);
    if (!fit.placeable || !fit.fits) {
      fused.erase();
      why = "capacity: ";
      if (!fit.placeable)
        why += "the fused scope cannot be placed (" + fit.error + ")";
      else
        why += "the fused scope needs " + describeFit(fit);
      return Outcome::NoFit;
    }
    // The scopes run one after the other: fused, the one scope must not be
    // modelled slower than the two (the per-pipe model, estimateScope).
    double together =
        estimateScope(fused, static_cast<int64_t>(producer.getBlocks()),
                      fused.getKind(), info)
            .seconds;
    if (together > apart * (1 + kGroupingTolerance)) {
      fused.erase();
      why = "the fused scope is modelled slower, " +
            formatMicros(together) + " us against " +
            formatMicros(apart) + " us apart";
      return Outcome::NoFit;
    }
    atP.erase();
    consumer.erase();
    if (nameP != "spmd" || nameC != "spmd")
      producer.setSymName(StringRef(nameP + "_" + nameC));
    std::string nameF = producer.getScopeName().str();
    {
      InFlightDiagnostic diag =
          emitDecision(producer)
          << "scopes '" << nameP << "' and '" << nameC << "' fused into '"
          << nameF << "': " << producer.getBlocks() << " blocks on "
          << stringifyCoreKind(fused.getKind()) << " cores";
      if (!how.empty())
        diag << " (" << how << ")";
      diag << ", footprint ";
      diag << describeFit(fit);
    }

    fusedScope = fused;
    return Outcome::Fused;
  }

  /// Forwards the GM intermediates that the fused scope `fused` (of spmd
  /// `spmd`) alone uses.
  void forwardIntermediates(SpmdOp spmd, AtOp fused, const TargetInfo *option) {
    const TargetInfo &info = getScopeTarget(fused, option);
    std::string nameF = spmd.getScopeName().str();
    SmallVector<std::pair<Operation *, std::string>> kept;
    SmallVector<Forward> forwards = findForwards(fused, kept);
    for (auto &[op, reason] : kept)
      emitDecision(op) << "GM intermediate "
                       << describeTensor(cast<StoreOp>(op).getDest())
                       << " of scope '" << nameF << "' kept: " << reason;
    for (Forward &fwd : forwards) {
      // Try it on a scratch copy first.
      OpBuilder sb(fused);
      sb.setInsertionPointAfter(fused);
      IRMapping smap;
      auto scratch = cast<AtOp>(sb.clone(*fused, smap));
      Forward copy{cast<StoreOp>(smap.lookup(fwd.store.getOperation())),
                   {},
                   nullptr};
      for (LoadOp load : fwd.loads)
        copy.loads.push_back(cast<LoadOp>(smap.lookup(load.getOperation())));
      applyForward(copy);
      FitSummary after = measureScopeFit(scratch, info);
      scratch.erase();
      std::string tensor = describeTensor(fwd.store.getDest());
      if (!after.placeable || !after.fits) {
        InFlightDiagnostic diag =
            emitDecision(fwd.store)
            << "GM intermediate " << tensor << " of scope '" << nameF
            << "' kept: forwarding it does not fit: ";
        if (!after.placeable)
          diag << after.error;
        else
          diag << describeFit(after);
        continue;
      }
      size_t loads = fwd.loads.size();
      InFlightDiagnostic diag = emitDecision(fwd.store)
                                << "GM intermediate " << tensor
                                << " of scope '" << nameF
                                << "' forwarded on chip: store and " << loads
                                << (loads == 1 ? " load" : " loads")
                                << " removed, footprint ";
      diag << describeFit(after);
      diag.report();
      applyForward(fwd);
    }
    // Inside the fused scope: hoist and merge index arithmetic, fuse the
    // loops that walk the same slices, and forward what a loop iteration
    // stores to its own later loads.
    tidyScope(fused);
    if (fuseSiblingLoops(fused, nameF)) {
      tidyScope(fused);
      int64_t n = forwardStoresInBlocks(fused);
      if (n)
        emitDecision(spmd) << "scope '" << nameF << "': " << n
                           << (n == 1 ? " load" : " loads")
                           << " of GM intermediates forwarded from the store "
                              "before it in the same loop iteration";
    }
    recomputeIntermediates(spmd, fused, info);
  }

  /// Recomputes at their loads the GM intermediates the fused scope alone
  /// uses and stores inside loops, when that moves fewer GM bytes and fits.
  void recomputeIntermediates(SpmdOp spmd, AtOp fused, const TargetInfo &info) {
    std::string nameF = spmd.getScopeName().str();
    // A GM intermediate that only this scope stores and nothing loads any
    // more (its loads were forwarded) is dead.
    SmallVector<AllocGmOp> dead;
    Operation *isolated =
        fused->getParentWithTrait<OpTrait::IsIsolatedFromAbove>();
    isolated->walk([&](AllocGmOp alloc) {
      if (!alloc->use_empty() &&
          llvm::all_of(alloc->getUsers(), [&](Operation *user) {
            return isa<StoreOp>(user) && fused->isAncestor(user);
          }))
        dead.push_back(alloc);
    });
    for (AllocGmOp alloc : dead) {
      SmallVector<Operation *> stores(alloc->getUsers());
      emitDecision(stores.front())
          << "GM intermediate " << describeTensor(alloc) << " of scope '"
          << nameF << "' removed: nothing loads it any more";
      for (Operation *store : stores)
        store->erase();
      alloc.erase();
    }
    SmallVector<StoreOp> stores;
    fused.walk([&](StoreOp store) {
      if (store->getParentOp() != fused.getOperation() &&
          store.getDest().getDefiningOp<AllocGmOp>())
        stores.push_back(store);
    });
    for (StoreOp store : stores) {
      std::string tensor = describeTensor(store.getDest());
      auto kept = [&]() -> InFlightDiagnostic {
        return emitDecision(store) << "GM intermediate " << tensor
                                   << " of scope '" << nameF << "' kept: ";
      };
      std::string why;
      FailureOr<Recompute> rc = findRecompute(fused, store, why);
      if (failed(rc)) {
        // Stored in one scope, loaded in another: the common case before
        // the run of fusions is complete; say nothing.
        if (why != "a scope other than this one uses it")
          kept() << why;
        continue;
      }
      // Try it on a scratch copy: GM traffic and footprint after.
      GmTraffic before = countGmTraffic(fused);
      OpBuilder sb(fused);
      sb.setInsertionPointAfter(fused);
      IRMapping smap;
      auto scratch = cast<AtOp>(sb.clone(*fused, smap));
      Recompute copy = *rc;
      copy.store = cast<StoreOp>(smap.lookup(rc->store.getOperation()));
      copy.alloc = nullptr;
      for (auto &[load, ivMap] : copy.loads) {
        load = cast<LoadOp>(smap.lookup(load.getOperation()));
        DenseMap<Value, Value> mapped;
        for (auto [iv, v] : ivMap)
          mapped[smap.lookup(iv)] = smap.lookupOrDefault(v);
        ivMap = std::move(mapped);
      }
      for (Operation *&op : copy.slice)
        op = smap.lookup(op);
      applyRecompute(copy, scratch);
      GmTraffic after = countGmTraffic(scratch);
      FitSummary fit = measureScopeFit(scratch, info);
      scratch.erase();
      if (after.total() >= before.total()) {
        kept() << "recomputing it at its " << rc->loads.size()
               << (rc->loads.size() == 1 ? " load" : " loads")
               << " would move " << after.total() << " GM bytes per block, "
               << "staging it moves " << before.total();
        continue;
      }
      if (!fit.placeable || !fit.fits) {
        InFlightDiagnostic diag = kept() << "recomputing it does not fit: ";
        if (!fit.placeable)
          diag << fit.error;
        else
          diag << describeFit(fit);
        continue;
      }
      InFlightDiagnostic diag =
          emitDecision(store)
          << "GM intermediate " << tensor << " of scope '" << nameF
          << "' recomputed at its " << rc->loads.size()
          << (rc->loads.size() == 1 ? " load" : " loads") << ": GM traffic "
          << before.total() << " -> " << after.total()
          << " bytes per block, footprint ";
      diag << describeFit(fit);
      diag.report();
      applyRecompute(*rc, fused);
    }
  }

  /// The tile.at of the last successful fuseOne.
  AtOp fusedScope;
  /// Whether tryFuse keeps its reasons for not fusing to itself (the
  /// attempts on scopes that are not adjacent).
  bool quiet = false;
};

} // namespace
