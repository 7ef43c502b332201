//===- FuseScopes.cpp - Fuse a producer scope with its consumer -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Producer/consumer fusion of two consecutive `tile.spmd` scopes with the
// same grid and the same core kind: the consumer's body runs right after the
// producer's, in one `tile.at`, with the block index unified. It is legal
// when no block of the fused scope touches GM that another block of it
// touches with a conflicting access the other scope made: decided, for every
// pair of accesses of the two scopes to one GM tensor of which one is a
// store, from their offsets as expressions of the block index (identical
// slices, or slices that pin the block index). A GM intermediate that only
// the fused scope uses, stored once at its top level and loaded after with
// the same slice, is then forwarded: the loads use the stored tile and the
// store and the tensor go. Both steps are taken only when the placed scope
// still fits the target (tessel/Analysis/TilePlacement.h).
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Analysis/TaskCost.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Transforms/IndexUtils.h"
#include "tessel/Transforms/LoopUtils.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#define DEBUG_TYPE "tile-fuse-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILEFUSESCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// One GM access of a scope: a tile.load or a tile.store.
struct Access {
  Operation *op;
  Value memref;
  SmallVector<Value> indices;
  TileType tile;
  bool write;
};

/// The single tile.at of `spmd` when every use of the block index is inside
/// it, else null.
static AtOp getOnlyScope(SpmdOp spmd) {
  AtOp only;
  for (Operation &op : spmd.getBodyBlock().without_terminator()) {
    auto at = dyn_cast<AtOp>(op);
    if (!at)
      return nullptr;
    if (only)
      return nullptr;
    only = at;
  }
  if (!only)
    return nullptr;
  for (OpOperand &use : spmd.getBlockIndex().getUses())
    if (!only->isAncestor(use.getOwner()))
      return nullptr;
  return only;
}

/// Collects the GM accesses of `at`; fails when an op other than tile.load
/// and tile.store has a memref operand.
static LogicalResult collectAccesses(AtOp at, SmallVectorImpl<Access> &out) {
  WalkResult result = at.walk([&](Operation *op) {
    if (auto load = dyn_cast<LoadOp>(op)) {
      out.push_back({op, load.getSource(),
                     SmallVector<Value>(load.getIndices()),
                     cast<TileType>(load.getResult().getType()), false});
      return WalkResult::advance();
    }
    if (auto store = dyn_cast<StoreOp>(op)) {
      out.push_back({op, store.getDest(),
                     SmallVector<Value>(store.getIndices()),
                     cast<TileType>(store.getValue().getType()), true});
      return WalkResult::advance();
    }
    for (Value v : op->getOperands())
      if (isa<MemRefType>(v.getType()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}


/// A name for a GM tensor in remarks.
static std::string describeTensor(Value memref) {
  Value root = getRootTensor(memref);
  if (auto alloc = root.getDefiningOp<AllocGmOp>())
    if (auto name = alloc->getAttrOfType<StringAttr>("name"))
      return "'" + name.str() + "'";
  if (auto arg = dyn_cast<BlockArgument>(root))
    return "argument " + std::to_string(arg.getArgNumber());
  return "a GM tensor";
}

/// Whether index expressions `a` (in the scope of block index `blkA`) and
/// `b` (block index `blkB`) compute the same function of the block index:
/// the same pure ops over the same constants and outer values. Loop
/// variables and other block arguments never match.
static bool sameExpr(Value a, Value b, Value blkA, Value blkB, int depth = 0) {
  if (depth > 16)
    return false;
  if (a == blkA || b == blkB)
    return a == blkA && b == blkB;
  APInt ca, cb;
  if (matchPattern(a, m_ConstantInt(&ca)) &&
      matchPattern(b, m_ConstantInt(&cb)))
    return ca == cb;
  if (a == b)
    return !isa<BlockArgument>(a) ||
           !cast<BlockArgument>(a).getOwner()->getParentOp()->getParentOfType<
               SpmdOp>();
  Operation *da = a.getDefiningOp(), *db = b.getDefiningOp();
  if (!da || !db || da->getName() != db->getName() ||
      da->getNumOperands() != db->getNumOperands() ||
      da->getNumResults() != 1 || db->getNumResults() != 1 ||
      da->getNumRegions() || db->getNumRegions() || !isPure(da) ||
      da->getAttrDictionary() != db->getAttrDictionary())
    return false;
  for (auto [x, y] : llvm::zip(da->getOperands(), db->getOperands()))
    if (!sameExpr(x, y, blkA, blkB, depth + 1))
      return false;
  return true;
}

/// Whether two accesses of one memref touch the same slice in the same
/// block: same tile type, offsets the same functions of the block index.
static bool sameSlice(const Access &a, const Access &b, Value blkA,
                      Value blkB) {
  if (a.memref != b.memref || a.tile != b.tile ||
      a.indices.size() != b.indices.size())
    return false;
  for (auto [x, y] : llvm::zip(a.indices, b.indices))
    if (!sameExpr(x, y, blkA, blkB))
      return false;
  return true;
}

/// Whether `op` runs every time its scope `at` does: every op between them
/// is a loop with constant bounds that runs at least once.
static bool isUnconditional(Operation *op, AtOp at) {
  for (Operation *p = op->getParentOp(); p && p != at.getOperation();
       p = p->getParentOp()) {
    Value lb, ub;
    if (auto loop = dyn_cast<scf::ForOp>(p)) {
      lb = loop.getLowerBound();
      ub = loop.getUpperBound();
    } else if (auto pipe = dyn_cast<PipelineOp>(p)) {
      lb = pipe.getLowerBound();
      ub = pipe.getUpperBound();
    } else {
      return false;
    }
    APInt l, u;
    if (!matchPattern(lb, m_ConstantInt(&l)) ||
        !matchPattern(ub, m_ConstantInt(&u)) || !l.slt(u))
      return false;
  }
  return true;
}

/// Splits `v` into `base + constant` (base null when `v` is a constant).
static std::pair<Value, int64_t> splitConstant(Value v) {
  APInt c;
  if (matchPattern(v, m_ConstantInt(&c)))
    return {Value(), c.getSExtValue()};
  if (auto add = v.getDefiningOp<arith::AddIOp>()) {
    if (matchPattern(add.getRhs(), m_ConstantInt(&c)))
      return {add.getLhs(), c.getSExtValue()};
    if (matchPattern(add.getLhs(), m_ConstantInt(&c)))
      return {add.getRhs(), c.getSExtValue()};
  }
  return {v, 0};
}

/// An index `block * stride + rest`: `block` one value that is no loop
/// variable of the access's scope, `rest` the range of the rest (loop
/// variables of loops inside the scope and a constant).
struct PeriodicIndex {
  Value block;
  int64_t stride;
  IndexRange rest;
};

static std::optional<PeriodicIndex> splitPeriodic(Value index, Operation *at) {
  Operation *scope = at->getParentOfType<AtOp>();
  LinearIndex l = linearizeIndex(index);
  LinearIndex rest;
  rest.constant = l.constant;
  PeriodicIndex out{Value(), 0, {}};
  for (auto [atom, coef] : l.terms) {
    auto arg = dyn_cast<BlockArgument>(atom);
    Operation *owner = arg ? arg.getOwner()->getParentOp() : nullptr;
    if (owner && isa<LoopLikeOpInterface>(owner) && scope &&
        scope->isAncestor(owner)) {
      rest.terms.push_back({atom, coef});
      continue;
    }
    if (out.block)
      return std::nullopt;
    out.block = atom;
    out.stride = coef;
  }
  std::optional<IndexRange> r = getLinearRange(rest);
  if (!out.block || !r)
    return std::nullopt;
  out.rest = *r;
  return out;
}

/// Whether two accesses of one memref (ranks equal to the tile's), made by
/// blocks b and b' of the fused scope, can only overlap when b == b': in some
/// dimensions the two offsets are `x * s + c` (or `x + c`, size 1 at c = 0)
/// over the same expression x with both slices inside [0, s), so an overlap
/// needs x(b) == x(b'); and those pinned expressions determine b (b itself,
/// or b / K and b % K for one K).
static bool pinsBlock(const Access &a, const Access &b, Value blkA,
                      Value blkB) {
  if (a.memref != b.memref || a.indices.size() != b.indices.size())
    return false;
  ArrayRef<int64_t> shapeA = a.tile.getShape(), shapeB = b.tile.getShape();
  if (shapeA.size() != a.indices.size() || shapeB.size() != b.indices.size())
    return false;
  SmallVector<Value> pinned;
  for (size_t d = 0; d < a.indices.size(); ++d) {
    auto [baseA, offA] = splitConstant(a.indices[d]);
    auto [baseB, offB] = splitConstant(b.indices[d]);
    if (!baseA || !baseB || !sameExpr(baseA, baseB, blkA, blkB))
      continue;
    // base = x * s: the slices [offA, offA + sizeA) and [offB, offB + sizeB)
    // of one period s.
    Value x = baseA;
    int64_t stride = 1;
    APInt c;
    if (auto mul = baseA.getDefiningOp<arith::MulIOp>()) {
      if (matchPattern(mul.getRhs(), m_ConstantInt(&c))) {
        x = mul.getLhs();
        stride = c.getSExtValue();
      } else if (matchPattern(mul.getLhs(), m_ConstantInt(&c))) {
        x = mul.getRhs();
        stride = c.getSExtValue();
      }
    }
    if (stride <= 0 || offA < 0 || offB < 0 || offA + shapeA[d] > stride ||
        offB + shapeB[d] > stride)
      continue;
    pinned.push_back(x);
  }
  // Offsets `x * s + r` with r a sum of loop variables (of loops inside the
  // scopes) and a constant: slices of one period s when both r ranges, plus
  // the extents, stay inside [0, s).
  for (size_t d = 0; d < a.indices.size(); ++d) {
    std::optional<PeriodicIndex> pa = splitPeriodic(a.indices[d], a.op);
    std::optional<PeriodicIndex> pb = splitPeriodic(b.indices[d], b.op);
    if (!pa || !pb || pa->stride != pb->stride || pa->stride <= 0 ||
        !sameExpr(pa->block, pb->block, blkA, blkB))
      continue;
    if (pa->rest.lo < 0 || pb->rest.lo < 0 ||
        pa->rest.hi + shapeA[d] > pa->stride ||
        pb->rest.hi + shapeB[d] > pb->stride)
      continue;
    pinned.push_back(pa->block);
  }
  // b itself, or both b / K and b % K.
  for (Value x : pinned)
    if (x == blkA)
      return true;
  for (Value x : pinned) {
    auto div = x.getDefiningOp<arith::DivSIOp>();
    APInt k;
    if (!div || div.getLhs() != blkA ||
        !matchPattern(div.getRhs(), m_ConstantInt(&k)))
      continue;
    for (Value y : pinned) {
      auto rem = y.getDefiningOp<arith::RemSIOp>();
      APInt k2;
      if (rem && rem.getLhs() == blkA &&
          matchPattern(rem.getRhs(), m_ConstantInt(&k2)) && k == k2)
        return true;
    }
  }
  return false;
}

/// The fullest buffer of a placed scope, or why it cannot be placed.
using Fit = FitSummary;

static Fit measure(AtOp at, const TargetInfo &target) {
  return measureScopeFit(at, target);
}

static void printFit(InFlightDiagnostic &diag, const Fit &fit) {
  if (fit.operandTooLarge) {
    diag << "a matmul operand exceeds cube L0A or L0B";
    return;
  }
  diag << fit.peak << " bytes of " << fit.capacity << " ("
       << getBufferKindTitle(fit.kind) << ")";
}

/// A store whose tile can replace the loads of its GM tensor.
struct Forward {
  StoreOp store;
  SmallVector<LoadOp> loads;
  AllocGmOp alloc;
};

/// The forwardable GM intermediates of the fused scope `at`: a tensor from
/// tile.alloc_gm used by nothing but one store at the top level of `at` and
/// loads of the same slice after it in `at`. `why` collects, per tensor
/// stored at the top level, the reason it is not forwardable.
static SmallVector<Forward>
findForwards(AtOp at, SmallVectorImpl<std::pair<Operation *, std::string>> &why) {
  SmallVector<Forward> out;
  Block &body = at.getBodyBlock();
  Value blk = at->getParentOfType<SpmdOp>().getBlockIndex();
  for (Operation &op : body) {
    auto store = dyn_cast<StoreOp>(op);
    if (!store)
      continue;
    auto alloc = store.getDest().getDefiningOp<AllocGmOp>();
    if (!alloc)
      continue;
    Forward fwd{store, {}, alloc};
    std::string reason;
    Access stored{store, store.getDest(),
                  SmallVector<Value>(store.getIndices()),
                  cast<TileType>(store.getValue().getType()), true};
    for (Operation *user : alloc->getUsers()) {
      if (user == store.getOperation())
        continue;
      auto load = dyn_cast<LoadOp>(user);
      if (!load) {
        reason = "it has a use other than tile.load";
        break;
      }
      Operation *top = body.findAncestorOpInBlock(*load);
      if (!top) {
        reason = "a scope other than this one uses it";
        break;
      }
      if (top == load.getOperation() ? !store->isBeforeInBlock(load)
                                     : !store->isBeforeInBlock(top)) {
        reason = "it is loaded before it is stored";
        break;
      }
      Access loaded{load, load.getSource(),
                    SmallVector<Value>(load.getIndices()),
                    cast<TileType>(load.getResult().getType()), false};
      if (!sameSlice(stored, loaded, blk, blk)) {
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
static void applyForward(Forward &fwd) {
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
                              DenseMap<Value, Value> &map, int depth = 0) {
  if (depth > 16)
    return false;
  if (llvm::is_contained(ivs, a)) {
    auto it = map.find(a);
    if (it != map.end())
      return it->second == b;
    map[a] = b;
    return true;
  }
  APInt ca, cb;
  if (matchPattern(a, m_ConstantInt(&ca)) &&
      matchPattern(b, m_ConstantInt(&cb)))
    return ca == cb;
  if (a == b)
    return true;
  Operation *da = a.getDefiningOp(), *db = b.getDefiningOp();
  if (!da || !db || da->getName() != db->getName() ||
      da->getNumOperands() != db->getNumOperands() ||
      da->getNumResults() != 1 || db->getNumResults() != 1 ||
      da->getNumRegions() || db->getNumRegions() || !isPure(da) ||
      da->getAttrDictionary() != db->getAttrDictionary())
    return false;
  for (auto [x, y] : llvm::zip(da->getOperands(), db->getOperands()))
    if (!matchWithLoopVars(x, y, ivs, map, depth + 1))
      return false;
  return true;
}

/// Erases the ops under `root` that are trivially dead (no uses, no effects
/// but reads), innermost first, until none is left.
static void eraseDeadOps(Operation *root) {
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

/// A GM intermediate to recompute at its loads: its one store sits in
/// loops (variables `ivs`) of the scope; each load gets a clone of the ops
/// computing the stored tile, the loop variables mapped per load.
struct Recompute {
  StoreOp store;
  AllocGmOp alloc;
  SmallVector<Value> ivs;
  SmallVector<std::pair<LoadOp, DenseMap<Value, Value>>> loads;
  /// The ops computing the stored tile inside the loops, in order.
  SmallVector<Operation *> slice;
};

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
static FailureOr<Recompute> findRecompute(AtOp at, StoreOp store,
                                          std::string &why) {
  auto alloc = store.getDest().getDefiningOp<AllocGmOp>();
  Recompute rc{store, alloc, {}, {}, {}};
  Block &body = at.getBodyBlock();
  Operation *top = body.findAncestorOpInBlock(*store);
  // The loops between the store and the scope, all with constant bounds and
  // at least one iteration (the stored slices are then all written).
  if (!isUnconditional(store, at)) {
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
  Access stored{store, store.getDest(), SmallVector<Value>(store.getIndices()),
                cast<TileType>(store.getValue().getType()), true};
  for (Operation *user : alloc->getUsers()) {
    if (user == store.getOperation())
      continue;
    auto load = dyn_cast<LoadOp>(user);
    if (!load) {
      why = "it has a use other than tile.load";
      return failure();
    }
    Operation *loadTop = body.findAncestorOpInBlock(*load);
    if (!loadTop) {
      why = "a scope other than this one uses it";
      return failure();
    }
    if (loadTop == top || !top->isBeforeInBlock(loadTop)) {
      why = "a load is not after the loops that store it";
      return failure();
    }
    DenseMap<Value, Value> map;
    bool same = load.getResult().getType() == stored.tile &&
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
static void applyRecompute(Recompute &rc, AtOp at) {
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

/// The cores a scope of `kind` runs on: vector cores, or cube cores (a
/// core_group scope runs on one cube core and its vector cores).
static int64_t getCores(CoreKind kind, const TargetInfo &info) {
  return kind == CoreKind::vector ? info.vectorCores : info.cubeCores;
}

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
    SmallVector<Access> accP, accC;
    if (failed(collectAccesses(atP, accP)) ||
        failed(collectAccesses(atC, accC)))
      return "an op other than tile.load and tile.store takes a memref";
    Value blkP = producer.getBlockIndex(), blkC = consumer.getBlockIndex();
    for (const Access &c : accC) {
      for (const Access &p : accP) {
        if (!p.write && !c.write)
          continue;
        if (getRootTensor(p.memref) != getRootTensor(c.memref))
          continue;
        // Identical slices are safe when each store among them runs in
        // every block: the writer's blocks are independent, so its slices of
        // two blocks are disjoint. A store that may not run (under scf.if,
        // in a loop that may not iterate) proves nothing.
        bool writesRun = (!p.write || isUnconditional(p.op, atP)) &&
                         (!c.write || isUnconditional(c.op, atC));
        if ((writesRun && sameSlice(p, c, blkP, blkC)) ||
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
  }

  /// Fuses `consumer` into `producer`, regrouping the one with more blocks
  /// when the grids differ; returns the fused scope or null.
  SpmdOp tryFuse(SpmdOp producer, SpmdOp consumer, const TargetInfo *option) {
    std::string nameP = producer.getScopeName().str();
    std::string nameC = consumer.getScopeName().str();
    auto notFused = [&](StringRef why) {
      consumer.emitRemark() << "scopes '" << nameP << "' and '" << nameC
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
      int64_t cores = getCores(atP.getKind(), info);
      apart = estimateGroupedMakespan(nP, countGmTraffic(atP), cores, info) +
              estimateGroupedMakespan(nC, countGmTraffic(atC), cores, info);
    }
    std::string why;
    if (nP == nC) {
      Outcome outcome = fuseOne(producer, consumer, option, "", apart, why);
      if (outcome == Outcome::Illegal)
        notFused(why);
      if (outcome != Outcome::Fused)
        return nullptr;
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
      if (outcome == Outcome::NoFit)
        return nullptr;
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
  /// An illegal pair sets `why` and emits nothing; a capacity failure and a
  /// fusion emit their remark, the latter naming `how` the grids were
  /// matched when it is not empty.
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
    Fit fit = measure(fused, info);
    if (!fit.placeable || !fit.fits) {
      fused.erase();
      InFlightDiagnostic diag = consumer.emitRemark()
                                << "scopes '" << nameP << "' and '" << nameC
                                << "' not fused: capacity: ";
      if (!fit.placeable)
        diag << "the fused scope cannot be placed (" << fit.error << ")";
      else {
        diag << "the fused scope needs ";
        printFit(diag, fit);
      }
      if (!how.empty())
        diag << " (" << how << ")";
      return Outcome::NoFit;
    }
    // The scopes run one after the other: fused, the one scope must not be
    // modelled slower than the two (tessel/Analysis/TaskCost.h).
    double together = estimateGroupedMakespan(
        static_cast<int64_t>(producer.getBlocks()), countGmTraffic(fused),
        getCores(fused.getKind(), info), info);
    if (together > apart * (1 + kGroupingTolerance)) {
      fused.erase();
      InFlightDiagnostic diag =
          consumer.emitRemark()
          << "scopes '" << nameP << "' and '" << nameC
          << "' not fused: the fused scope is modelled slower, "
          << llvm::formatv("{0:F2}", together * 1e6).str() << " us against "
          << llvm::formatv("{0:F2}", apart * 1e6).str() << " us apart";
      if (!how.empty())
        diag << " (" << how << ")";
      return Outcome::NoFit;
    }
    atP.erase();
    consumer.erase();
    if (nameP != "spmd" || nameC != "spmd")
      producer.setSymName(StringRef(nameP + "_" + nameC));
    std::string nameF = producer.getScopeName().str();
    {
      InFlightDiagnostic diag =
          producer.emitRemark()
          << "scopes '" << nameP << "' and '" << nameC << "' fused into '"
          << nameF << "': " << producer.getBlocks() << " blocks on "
          << stringifyCoreKind(fused.getKind()) << " cores";
      if (!how.empty())
        diag << " (" << how << ")";
      diag << ", footprint ";
      printFit(diag, fit);
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
      op->emitRemark() << "GM intermediate "
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
      Fit after = measure(scratch, info);
      scratch.erase();
      std::string tensor = describeTensor(fwd.store.getDest());
      if (!after.placeable || !after.fits) {
        InFlightDiagnostic diag =
            fwd.store.emitRemark()
            << "GM intermediate " << tensor << " of scope '" << nameF
            << "' kept: forwarding it does not fit: ";
        if (!after.placeable)
          diag << after.error;
        else
          printFit(diag, after);
        continue;
      }
      size_t loads = fwd.loads.size();
      InFlightDiagnostic diag = fwd.store.emitRemark()
                                << "GM intermediate " << tensor
                                << " of scope '" << nameF
                                << "' forwarded on chip: store and " << loads
                                << (loads == 1 ? " load" : " loads")
                                << " removed, footprint ";
      printFit(diag, after);
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
        spmd.emitRemark() << "scope '" << nameF << "': " << n
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
      stores.front()->emitRemark()
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
        return store.emitRemark() << "GM intermediate " << tensor
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
      Fit fit = measure(scratch, info);
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
          printFit(diag, fit);
        continue;
      }
      InFlightDiagnostic diag =
          store.emitRemark()
          << "GM intermediate " << tensor << " of scope '" << nameF
          << "' recomputed at its " << rc->loads.size()
          << (rc->loads.size() == 1 ? " load" : " loads") << ": GM traffic "
          << before.total() << " -> " << after.total()
          << " bytes per block, footprint ";
      printFit(diag, fit);
      diag.report();
      applyRecompute(*rc, fused);
    }
  }

  /// The tile.at of the last successful fuseOne.
  AtOp fusedScope;
};

} // namespace
