//===- InsertSync.cpp - Order the AI Core's pipes with flags and barriers -===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-insert-sync`: on placed IR, every op becomes the instructions the NPU
// issues for it (PipeModel.h), and every pair of conflicting instructions on
// different pipes that nothing orders yet gets a set_flag / wait_flag pair;
// two conflicting vector instructions get a vector barrier. Blocks are
// handled innermost first; an op with regions is, for its enclosing block,
// one item that touches everything its body touches. Loops add the pairs
// their iterations need (primed before the loop, drained after it). Event
// ids are coloured per pipe pair at the end. docs/pto.md has the model.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/PipeModel.h"
#include "tessel/Analysis/TileStorage.h"
#include "tessel/Support/Remarks.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Debug.h"

#include <array>
#include <map>
#include <set>

#define DEBUG_TYPE "tile-insert-sync"

namespace tessel {
#define GEN_PASS_DEF_TILEINSERTSYNC
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// One access of an item: the pipe that makes it and the bytes.
struct Access {
  Pipe pipe;
  MemAccess mem;
};

/// One op of a block, with everything it (or its body) touches.
struct Item {
  Operation *op;
  SmallVector<Access> accesses;
};

/// A set -> wait ordering inside one block: a set after item `from`, a
/// wait before item `to`.
struct Edge {
  Pipe src, dst;
  int from, to;
};

/// The ops that share one event id: a set and its wait (and for a
/// loop-carried pair the priming set and the draining wait).
struct FlagPair {
  Pipe src, dst;
  SmallVector<Operation *, 4> ops;
  bool carried = false;
};

struct SyncStats {
  int64_t pairs = 0, carried = 0, barriers = 0, events = 0, fallbacks = 0;
};

class ScopeSync {
public:
  ScopeSync(AtOp scope, const TileStorageMap &storage, const TargetInfo &t,
            int64_t &nextSyncId)
      : scope(scope), storage(storage), target(t), nextSyncId(nextSyncId) {}

  /// Checks the scope and computes its instructions; changes nothing.
  LogicalResult prepare();
  /// Inserts the synchronisation.
  void apply(SyncStats &stats);

  AtOp getScope() { return scope; }

private:
  AtOp scope;
  const TileStorageMap &storage;
  const TargetInfo &target;
  DenseMap<Operation *, SmallVector<PipeInstr>> instrs;
  std::vector<FlagPair> pairs;
  int64_t vectorBarriers = 0;
  /// The loop-carried pairs of each loop: their waits after the loop order
  /// all of the loop's source-pipe work before what follows it.
  DenseMap<Operation *, SmallVector<std::pair<Pipe, Pipe>>> drains;
  /// The next id of a synchronisation (a flag pair, or one barrier) in the
  /// module, written as the `tile.sync` attribute: the mutation test drops
  /// one at a time.
  int64_t &nextSyncId;

  LogicalResult collect();
  void summarize(Operation *op, SmallVectorImpl<Access> &out);
  void syncBlock(Block &block);
  void colourEvents(SyncStats &stats);

  static bool isSync(Operation *op) {
    return isa<SetFlagOp, WaitFlagOp, BarrierOp>(op);
  }
};

} // namespace

LogicalResult ScopeSync::collect() {
  WalkResult result = scope.getBody().walk([&](Operation *op) {
    SmallVector<PipeInstr> list;
    if (failed(getPipeInstrs(op, storage, list)))
      return WalkResult::interrupt();
    if (!list.empty())
      instrs[op] = std::move(list);
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

void ScopeSync::summarize(Operation *op, SmallVectorImpl<Access> &out) {
  op->walk([&](Operation *inner) {
    auto it = instrs.find(inner);
    if (it == instrs.end())
      return;
    for (const PipeInstr &i : it->second)
      for (const MemAccess &m : i.accesses)
        out.push_back({i.pipe, m});
  });
}

static int pipeIndex(Pipe p) { return static_cast<int>(p); }
static constexpr int kPipes = 8;

void ScopeSync::syncBlock(Block &block) {
  // Innermost blocks first.
  for (Operation &op : block)
    for (Region &region : op.getRegions())
      for (Block &inner : region)
        syncBlock(inner);

  std::vector<Item> items;
  for (Operation &op : block) {
    if (isSync(&op) || op.hasTrait<OpTrait::IsTerminator>())
      continue;
    Item item{&op, {}};
    summarize(&op, item.accesses);
    if (!item.accesses.empty())
      items.push_back(std::move(item));
  }
  int n = items.size();
  std::vector<Edge> edges;
  // What nested loops already order: their drains (known, not inserted).
  std::vector<Edge> known;
  for (int i = 0; i < n; ++i)
    for (auto [q, p] : drains.lookup(items[i].op))
      known.push_back({q, p, i, i + 1});
  // A matmul's M instruction waits for its own operand moves (the emitter's
  // MTE1 -> M hand-off), so every MTE1 instruction before it is ordered
  // before it too. Not so for a matmul of cube operand windows (their
  // TEXTRACTs moved them): an item counts only when every matmul in it
  // does the hand-off.
  std::vector<bool> hasMatmul(n, false);
  for (int i = 0; i < n; ++i) {
    bool any = false, all = true;
    items[i].op->walk([&](Operation *op) {
      if (!isa<MatmulOp, MatmulAccOp>(op))
        return;
      any = true;
      all &= getIntraOpHandOff(op, storage).has_value();
    });
    hasMatmul[i] = any && all;
  }
  // Positions j: a barrier before items[j] (vector or all).
  SmallVector<int> vBarriers, allBarriers;

  auto edgeCovers = [&](Pipe q, int i, Pipe p, int j) {
    auto all = llvm::concat<const Edge>(edges, known);
    for (const Edge &e : all)
      if (e.src == q && e.dst == p && e.from >= i && e.to <= j)
        return true;
    // Through one other pipe r: q -> r then, from an op of r at or after
    // that wait, r -> p.
    for (const Edge &e1 : all) {
      if (e1.src != q || e1.from < i)
        continue;
      for (const Edge &e2 : all)
        if (e2.src == e1.dst && e2.dst == p && e2.from >= e1.to &&
            e2.to <= j)
          return true;
    }
    return false;
  };
  auto barrierBetween = [](ArrayRef<int> positions, int i, int j) {
    return llvm::any_of(positions, [&](int b) { return i < b && b <= j; });
  };
  auto ordered = [&](Pipe q, int i, Pipe p, int j) {
    if (barrierBetween(allBarriers, i, j))
      return true;
    if (q == p)
      return q != Pipe::v || barrierBetween(vBarriers, i, j);
    if (q == Pipe::mte1 && p == Pipe::m && hasMatmul[j])
      return true;
    return edgeCovers(q, i, p, j);
  };

  // 1. Within one execution of the block.
  for (int j = 0; j < n; ++j) {
    std::array<std::array<int, kPipes>, kPipes> latest;
    for (auto &row : latest)
      row.fill(-1);
    for (int i = 0; i < j; ++i)
      for (const Access &a : items[i].accesses)
        for (const Access &b : items[j].accesses)
          if (a.mem.conflicts(b.mem))
            latest[pipeIndex(a.pipe)][pipeIndex(b.pipe)] = i;
    for (int q = 0; q < kPipes; ++q)
      for (int p = 0; p < kPipes; ++p) {
        int i = latest[q][p];
        if (i < 0 || ordered(Pipe(q), i, Pipe(p), j))
          continue;
        if (q == p)
          vBarriers.push_back(j);
        else
          edges.push_back({Pipe(q), Pipe(p), i, j});
      }
  }

  // 2. Across iterations of a loop: item i of iteration t against item j
  //    of iteration t + 1 (any i, j).
  std::vector<Edge> carried;
  bool vCarried = false;
  int vCarriedAt = n;
  Operation *parent = block.getParentOp();
  if (isa<scf::ForOp, PipelineOp>(parent)) {
    std::array<std::array<int, kPipes>, kPipes> maxFrom, minTo;
    for (auto &row : maxFrom)
      row.fill(-1);
    for (auto &row : minTo)
      row.fill(n);
    auto anyAfter = [](ArrayRef<int> positions, int i, int j) {
      return llvm::any_of(positions,
                          [&](int b) { return b > i || b <= j; });
    };
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        for (const Access &a : items[i].accesses)
          for (const Access &b : items[j].accesses) {
            if (!a.mem.conflicts(b.mem))
              continue;
            Pipe q = a.pipe, p = b.pipe;
            if (anyAfter(allBarriers, i, j))
              continue;
            if (q == p) {
              if (q == Pipe::v && !anyAfter(vBarriers, i, j)) {
                vCarried = true;
                vCarriedAt = std::min(vCarriedAt, j);
              }
              continue;
            }
            bool covered = llvm::any_of(
                llvm::concat<const Edge>(edges, known), [&](const Edge &e) {
                  return e.src == q && e.dst == p &&
                         (e.from >= i || e.to <= j);
                });
            covered |= q == Pipe::mte1 && p == Pipe::m && hasMatmul[j];
            if (covered)
              continue;
            int &from = maxFrom[pipeIndex(q)][pipeIndex(p)];
            int &to = minTo[pipeIndex(q)][pipeIndex(p)];
            from = std::max(from, i);
            to = std::min(to, j);
          }
    for (int q = 0; q < kPipes; ++q)
      for (int p = 0; p < kPipes; ++p)
        if (maxFrom[q][p] >= 0)
          carried.push_back({Pipe(q), Pipe(p), maxFrom[q][p], minTo[q][p]});
    if (vCarried)
      vBarriers.push_back(vCarriedAt);
  }

  // 3. Write the IR (event ids are given later).
  OpBuilder b(scope.getContext());
  auto setAfter = [&](Pipe src, Pipe dst, Operation *op) {
    b.setInsertionPointAfter(op);
    return SetFlagOp::create(b, op->getLoc(), src, dst, 0, Value());
  };
  auto waitBefore = [&](Pipe src, Pipe dst, Operation *op) {
    b.setInsertionPoint(op);
    return WaitFlagOp::create(b, op->getLoc(), src, dst, 0, Value());
  };
  for (const Edge &e : edges) {
    FlagPair &pair = pairs.emplace_back();
    pair.src = e.src;
    pair.dst = e.dst;
    pair.ops.push_back(setAfter(e.src, e.dst, items[e.from].op));
    pair.ops.push_back(waitBefore(e.src, e.dst, items[e.to].op));
  }
  for (const Edge &e : carried) {
    drains[parent].push_back({e.src, e.dst});
    FlagPair &pair = pairs.emplace_back();
    pair.src = e.src;
    pair.dst = e.dst;
    pair.carried = true;
    b.setInsertionPoint(parent);
    pair.ops.push_back(
        SetFlagOp::create(b, parent->getLoc(), e.src, e.dst, 0, Value()));
    pair.ops.push_back(waitBefore(e.src, e.dst, items[e.to].op));
    // At the end of the body (after every item, not just the last
    // conflicting one): the drain after the loop then orders all of the
    // loop's `src` work, which the enclosing block relies on.
    pair.ops.push_back(setAfter(e.src, e.dst, items.back().op));
    b.setInsertionPointAfter(parent);
    pair.ops.push_back(
        WaitFlagOp::create(b, parent->getLoc(), e.src, e.dst, 0, Value()));
  }
  llvm::sort(vBarriers);
  vBarriers.erase(llvm::unique(vBarriers), vBarriers.end());
  for (int j : vBarriers) {
    b.setInsertionPoint(items[j].op);
    BarrierOp::create(b, items[j].op->getLoc(), Pipe::v);
    ++vectorBarriers;
  }
}

void ScopeSync::colourEvents(SyncStats &stats) {
  // Linear positions of every op of the scope, in program order.
  DenseMap<Operation *, int64_t> position;
  int64_t next = 0;
  scope.getBody().walk<WalkOrder::PreOrder>(
      [&](Operation *op) { position[op] = next++; });
  // The pipe pairs whose event getIntraOpEventId an op of the scope uses
  // for its own hand-off (the matmul's MTE1 -> M is always kept).
  std::set<std::pair<int, int>> handOffs;
  // The pipe pairs whose EVENT_ID0 a PTO-ISA instruction of the scope sets
  // and waits for inside itself (a2a3's TFILLPAD of 1-byte elements).
  std::set<std::pair<int, int>> internal0;
  scope.getBody().walk([&](Operation *op) {
    if (auto pair = getIntraOpHandOff(op, storage))
      handOffs.insert({pipeIndex(pair->first), pipeIndex(pair->second)});
    if (auto pair = getInternalEvent0(op, storage))
      internal0.insert({pipeIndex(pair->first), pipeIndex(pair->second)});
  });
  // Colour each pipe pair's intervals, earliest first.
  std::map<std::pair<int, int>, std::vector<FlagPair *>> byPipes;
  for (FlagPair &pair : pairs)
    byPipes[{pipeIndex(pair.src), pipeIndex(pair.dst)}].push_back(&pair);
  int64_t limit = target.eventIdsPerPipePair;
  OpBuilder b(scope.getContext());
  for (auto &[pipes, list] : byPipes) {
    auto interval = [&](FlagPair *p) {
      int64_t lo = INT64_MAX, hi = -1;
      for (Operation *op : p->ops) {
        lo = std::min(lo, position[op]);
        hi = std::max(hi, position[op]);
      }
      return std::make_pair(lo, hi);
    };
    llvm::stable_sort(list, [&](FlagPair *x, FlagPair *y) {
      return interval(x).first < interval(y).first;
    });
    // busyUntil[id]: the last position of the pair holding id. An op's own
    // hand-off (a matmul's MTE1 -> M, a copying tile.set's V -> S, a
    // partial load's MTE2 -> V) keeps one id of its pair.
    int64_t usable = limit;
    if (pipes == std::make_pair(pipeIndex(Pipe::mte1), pipeIndex(Pipe::m)) ||
        handOffs.count(pipes))
      usable = getIntraOpEventId(target);
    SmallVector<int64_t> busyUntil(limit, -1);
    for (int64_t e = usable; e < limit; ++e)
      busyUntil[e] = INT64_MAX;
    if (internal0.count(pipes))
      busyUntil[0] = INT64_MAX;
    for (FlagPair *p : list) {
      auto [lo, hi] = interval(p);
      int64_t id = -1;
      for (int64_t e = 0; e < limit; ++e)
        if (busyUntil[e] < lo) {
          id = e;
          break;
        }
      if (id < 0) {
        // No free id: order everything at each wait instead.
        for (Operation *op : p->ops) {
          if (isa<WaitFlagOp>(op)) {
            b.setInsertionPoint(op);
            BarrierOp::create(b, op->getLoc(), Pipe::all);
          }
          op->erase();
        }
        p->ops.clear();
        ++stats.fallbacks;
        continue;
      }
      busyUntil[id] = hi;
      stats.events = std::max(stats.events, id + 1);
      for (Operation *op : p->ops) {
        auto attr = b.getI64IntegerAttr(id);
        if (auto set = dyn_cast<SetFlagOp>(op))
          set.setEventAttr(attr);
        else
          cast<WaitFlagOp>(op).setEventAttr(attr);
      }
      ++stats.pairs;
      stats.carried += p->carried;
      auto pairId = b.getI64IntegerAttr(nextSyncId++);
      for (Operation *op : p->ops)
        op->setAttr("tile.sync", pairId);
    }
  }
}

LogicalResult ScopeSync::prepare() {
  WalkResult synced = scope.getBody().walk([&](Operation *op) {
    if (!isSync(op))
      return WalkResult::advance();
    op->emitOpError("is already in a synchronised scope: tile-insert-sync "
                    "runs once, on placed IR without sync ops");
    return WalkResult::interrupt();
  });
  if (synced.wasInterrupted())
    return failure();
  return collect();
}

void ScopeSync::apply(SyncStats &stats) {
  syncBlock(scope.getBodyBlock());
  // One block of the spmd scope ends before the next starts on this core.
  OpBuilder b(scope.getContext());
  b.setInsertionPoint(scope.getBodyBlock().getTerminator());
  BarrierOp::create(b, scope.getLoc(), Pipe::all);
  colourEvents(stats);
  stats.barriers = vectorBarriers;
  Builder ids(scope.getContext());
  scope.getBody().walk([&](BarrierOp barrier) {
    barrier->setAttr("tile.sync", ids.getI64IntegerAttr(nextSyncId++));
  });
}

namespace {

struct InsertSyncPass
    : public tessel::impl::TileInsertSyncBase<InsertSyncPass> {
  using TileInsertSyncBase::TileInsertSyncBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Check every scope first, so that a failure leaves the IR unchanged.
    std::vector<std::unique_ptr<TileStorageMap>> storages;
    std::vector<std::unique_ptr<ScopeSync>> scopes;
    int64_t nextSyncId = 0;
    bool failedAny = false;
    module.walk([&](func::FuncOp func) {
      bool hasScope = false;
      func.walk([&](AtOp) { hasScope = true; });
      if (!hasScope)
        return;
      if (!func->hasAttr("tile.placed")) {
        func.emitOpError("needs placed IR: run tile-place-buffers before "
                         "tile-insert-sync");
        failedAny = true;
        return;
      }
      FailureOr<TileStorageMap> storage = TileStorageMap::compute(func);
      if (failed(storage)) {
        failedAny = true;
        return;
      }
      storages.push_back(std::make_unique<TileStorageMap>(std::move(*storage)));
      const TileStorageMap &map = *storages.back();
      func.walk([&](AtOp scope) {
        auto sync = std::make_unique<ScopeSync>(scope, map, map.getTarget(),
                                                nextSyncId);
        if (failed(sync->prepare()))
          failedAny = true;
        scopes.push_back(std::move(sync));
      });
    });
    if (failedAny)
      return signalPassFailure();
    for (auto &sync : scopes) {
      SyncStats stats;
      sync->apply(stats);
      AtOp scope = sync->getScope();
      Builder b(scope.getContext());
      scope->setAttr(
          "tile.syncs",
          b.getDictionaryAttr({
              b.getNamedAttr("barriers", b.getI64IntegerAttr(stats.barriers)),
              b.getNamedAttr("carried", b.getI64IntegerAttr(stats.carried)),
              b.getNamedAttr("events", b.getI64IntegerAttr(stats.events)),
              b.getNamedAttr("pairs", b.getI64IntegerAttr(stats.pairs)),
          }));
      InFlightDiagnostic remark = emitDecision(scope)
                                  << "inserted " << stats.pairs
                                  << " set/wait pairs (" << stats.carried
                                  << " loop-carried), " << stats.barriers
                                  << " vector barriers, " << stats.events
                                  << " event ids";
      if (stats.fallbacks)
        remark << "; " << stats.fallbacks
               << " pairs found no free event id and became full barriers";
    }
  }
};

} // namespace
