//===- ScopeIntermediates.cpp - Keep a scope's GM intermediates on chip ---===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/ScopeIntermediates.h"

#include "tessel/Transforms/IndexUtils.h"
#include "tessel/Transforms/LoopUtils.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

/// `user`, a user of a GM intermediate other than its store, as a tile.load
/// with its ancestor in `body` (the scope's block); or why it is not one the
/// scope can keep on chip.
static FailureOr<std::pair<LoadOp, Operation *>>
asScopeLoad(Operation *user, Block &body, std::string &why) {
  auto load = dyn_cast<LoadOp>(user);
  if (!load) {
    why = "it has a use other than tile.load";
    return failure();
  }
  Operation *top = body.findAncestorOpInBlock(*load);
  if (!top) {
    why = "a scope other than this one uses it";
    return failure();
  }
  return std::make_pair(load, top);
}

/// The forwardable GM intermediates of the fused scope `at`: a tensor from
/// tile.alloc_gm used by nothing but one store at the top level of `at` and
/// loads of the same slice after it in `at`. `why` collects, per tensor
/// stored at the top level, the reason it is not forwardable.
SmallVector<Forward>
tessel::findForwards(AtOp at, SmallVectorImpl<std::pair<Operation *, std::string>> &why) {
  SmallVector<Forward> out;
  Block &body = at.getBodyBlock();
  Value blk = at->getParentOfType<SpmdOp>().getBlockIndex();
  for (Operation &op : body) {
    auto store = dyn_cast<StoreOp>(op);
    // An atomic add's tile is not the tensor's value: never forwarded.
    if (!store || store.getAtomicAdd())
      continue;
    auto alloc = store.getDest().getDefiningOp<AllocGmOp>();
    if (!alloc)
      continue;
    Forward fwd{store, {}, alloc};
    std::string reason;
    ScopeAccess stored = ScopeAccess::of(store);
    for (Operation *user : alloc->getUsers()) {
      if (user == store.getOperation())
        continue;
      FailureOr<std::pair<LoadOp, Operation *>> use =
          asScopeLoad(user, body, reason);
      if (failed(use))
        break;
      auto [load, top] = *use;
      if (top == load.getOperation() ? !store->isBeforeInBlock(load)
                                     : !store->isBeforeInBlock(top)) {
        reason = "it is loaded before it is stored";
        break;
      }
      ScopeAccess loaded = ScopeAccess::of(load);
      if (!isSameSlice(stored, loaded, blk, blk)) {
        reason = "a load reads another slice than the store writes";
        break;
      }
      fwd.loads.push_back(load);
    }
    if (reason.empty() && fwd.loads.empty())
      reason = "nothing loads it";
    if (!reason.empty()) {
      why.push_back({store, reason});
      continue;
    }
    out.push_back(fwd);
  }
  return out;
}

/// Replaces the loads of `fwd` by the stored tile and drops the store (and
/// the tensor when nothing else uses it).
void tessel::applyForward(Forward &fwd) {
  for (LoadOp load : fwd.loads) {
    load.getResult().replaceAllUsesWith(fwd.store.getValue());
    load.erase();
  }
  fwd.store.erase();
  if (fwd.alloc && fwd.alloc->use_empty())
    fwd.alloc.erase();
}

/// Whether index expressions `a` (at a store, inside loops with variables
/// `ivs`) and `b` (at a load) compute the same value once each variable in
/// `ivs` is replaced by what `map` sends it to; unmapped variables of `ivs`
/// are mapped on first use. Other block arguments must be identical and not
/// loop variables of the scope; ops must be pure and match structurally.
static bool matchWithLoopVars(Value a, Value b, ArrayRef<Value> ivs,
                              DenseMap<Value, Value> &map) {
  return isSameExprTree(a, b, [&](Value x, Value y) -> std::optional<bool> {
    if (!llvm::is_contained(ivs, x))
      return std::nullopt;
    auto [it, inserted] = map.try_emplace(x, y);
    return inserted || it->second == y;
  });
}

/// Erases the ops under `root` that are trivially dead (no uses, no effects
/// but reads), innermost first, until none is left.
void tessel::eraseDeadOps(Operation *root) {
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Operation *> dead;
    root->walk<WalkOrder::PostOrder>([&](Operation *op) {
      if (op != root && isOpTriviallyDead(op))
        dead.push_back(op);
    });
    for (Operation *op : dead) {
      if (!op->use_empty())
        continue;
      op->erase();
      changed = true;
    }
  }
}


/// Whether some store under `at` writes the tensor `root`.
static bool isWrittenIn(AtOp at, Value root) {
  WalkResult r = at.walk([&](StoreOp store) {
    return getRootTensor(store.getDest()) == root ? WalkResult::interrupt()
                                            : WalkResult::advance();
  });
  return r.wasInterrupted();
}

/// The GM intermediate stored by `store` (in loops of `at`) as a Recompute,
/// or why it cannot be one.
FailureOr<Recompute> tessel::findRecompute(AtOp at, StoreOp store,
                                          std::string &why) {
  auto alloc = store.getDest().getDefiningOp<AllocGmOp>();
  Recompute rc{store, alloc, {}, {}, {}};
  Block &body = at.getBodyBlock();
  Operation *top = body.findAncestorOpInBlock(*store);
  if (store.getAtomicAdd()) {
    why = "it is accumulated by atomic adds";
    return failure();
  }
  // The loops between the store and the scope, all with constant bounds and
  // at least one iteration (the stored slices are then all written).
  if (!runsWheneverScopeRuns(store, at)) {
    why = "its store may not run";
    return failure();
  }
  for (Operation *p = store->getParentOp(); p != at.getOperation();
       p = p->getParentOp())
    rc.ivs.push_back(cast<LoopLikeOpInterface>(p).getSingleInductionVar()
                         .value_or(Value()));
  if (llvm::is_contained(rc.ivs, Value())) {
    why = "its store is in a loop without one induction variable";
    return failure();
  }
  ScopeAccess stored = ScopeAccess::of(store);
  for (Operation *user : alloc->getUsers()) {
    if (user == store.getOperation())
      continue;
    FailureOr<std::pair<LoadOp, Operation *>> use =
        asScopeLoad(user, body, why);
    if (failed(use))
      return failure();
    auto [load, loadTop] = *use;
    if (loadTop == top || !top->isBeforeInBlock(loadTop)) {
      why = "a load is not after the loops that store it";
      return failure();
    }
    DenseMap<Value, Value> map;
    bool same = load.getResult().getType() == stored.tile &&
                !load.hasValidShape() && !stored.hasValidShape() &&
                load.getIndices().size() == stored.indices.size();
    for (auto [x, y] : llvm::zip(stored.indices, load.getIndices()))
      same = same && matchWithLoopVars(x, y, rc.ivs, map);
    if (!same || map.size() != rc.ivs.size()) {
      why = "a load reads another slice than the store writes";
      return failure();
    }
    rc.loads.push_back({load, std::move(map)});
  }
  if (rc.loads.empty()) {
    why = "nothing loads it";
    return failure();
  }
  // The backward slice of the stored tile inside the loops: pure ops and
  // loads of tensors the scope never writes; everything else it uses must
  // be defined outside the loops.
  SetVector<Operation *> slice;
  SmallVector<Value> work{store.getValue()};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (llvm::is_contained(rc.ivs, v))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def) {
      if (top->isAncestor(cast<BlockArgument>(v).getOwner()->getParentOp())) {
        why = "the stored tile depends on a loop-carried value";
        return failure();
      }
      continue;
    }
    if (!top->isAncestor(def) || slice.contains(def))
      continue;
    if (def->getNumRegions()) {
      why = "the stored tile is computed by an op with regions";
      return failure();
    }
    if (auto load = dyn_cast<LoadOp>(def)) {
      if (isWrittenIn(at, getRootTensor(load.getSource()))) {
        why = "the stored tile reads a tensor the scope writes";
        return failure();
      }
    } else if (!isPure(def)) {
      why = "the stored tile is computed by an op with side effects";
      return failure();
    }
    slice.insert(def);
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  // Ops of one block only: a slice spanning nested loops is not cloned.
  for (Operation *op : slice)
    if (op->getBlock() != store->getBlock()) {
      why = "the stored tile is computed across loop levels";
      return failure();
    }
  rc.slice.assign(slice.begin(), slice.end());
  llvm::sort(rc.slice, [](Operation *x, Operation *y) {
    return x->isBeforeInBlock(y);
  });
  return rc;
}

/// Recomputes the stored tile at every load of `rc` and drops the store,
/// the tensor and what becomes dead.
void tessel::applyRecompute(Recompute &rc, AtOp at) {
  for (auto &[load, ivMap] : rc.loads) {
    OpBuilder b(load);
    IRMapping map;
    for (auto [iv, v] : ivMap)
      map.map(iv, v);
    for (Operation *op : rc.slice)
      b.clone(*op, map);
    load.getResult().replaceAllUsesWith(
        map.lookupOrDefault(rc.store.getValue()));
    load.erase();
  }
  rc.store.erase();
  if (rc.alloc && rc.alloc->use_empty())
    rc.alloc.erase();
  eraseDeadOps(at);
}

