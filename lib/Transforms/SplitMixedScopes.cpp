//===- SplitMixedScopes.cpp - Give every core_group scope a core kind -----===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Turns every `tile.at core_group` scope into a `vector` or a `cube` scope by
// the ops it holds. A scope holding both cube and vector ops stays together
// on a target where cube and vector meet on chip (a5, L0C -> UB); on a2a3 it
// is split into a cube scope and a vector scope, in two `tile.spmd` grids of
// the same size, that meet in a GM staging tensor indexed by the block index.
//
// What can be split (checked before anything changes; on any error the IR
// is left as it was):
//  - the mixed `tile.at` is directly in its `tile.spmd`, which holds nothing
//    else but pure scalar ops;
//  - no top-level op of the scope holds both cube and vector ops (a loop
//    mixing them would carry the cube -> vector dependence across the split);
//  - no cube op depends on a vector op (only cube -> vector is staged);
//  - every value that crosses from the cube part to the vector part is a
//    tile (staged through GM); pure scalar ops (index computations) are
//    duplicated into both parts;
//  - no GM tensor is written by one part and accessed by the other (the
//    split runs every block's cube part before any block's vector part).
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/Remarks.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Transforms/Passes.h"
#include "tessel/Transforms/ScopeAccesses.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"

#include <vector>

#define DEBUG_TYPE "tile-split-mixed-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILESPLITMIXEDSCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

//===----------------------------------------------------------------------===//
// Classification
//===----------------------------------------------------------------------===//

/// Whether `op` or an op nested in it has the trait.
template <template <typename> class Trait>
static bool holds(Operation *op) {
  return op
      ->walk([](Operation *nested) {
        return nested->hasTrait<Trait>() ? WalkResult::interrupt()
                                         : WalkResult::advance();
      })
      .wasInterrupted();
}

/// A pure scalar op that may be duplicated into both parts: no regions, no
/// memory effects, no tile results, and in-scope operands only from other
/// duplicable ops.
static bool isDuplicable(Operation *op, Block &body,
                         const DenseSet<Operation *> &dup) {
  if (op->getNumRegions() != 0 || !isMemoryEffectFree(op))
    return false;
  for (Type t : op->getResultTypes())
    if (isa<TileType>(t))
      return false;
  for (Value v : op->getOperands()) {
    Operation *def = v.getDefiningOp();
    if (!def) {
      if (cast<BlockArgument>(v).getOwner() == &body)
        return false;
      continue;
    }
    if (def->getBlock() == &body && !dup.contains(def))
      return false;
  }
  return true;
}

/// The op at the top level of `body` that defines `v` (or holds the region
/// whose block argument `v` is), or null when `v` comes from outside.
static Operation *topLevelOwner(Value v, Block &body) {
  Operation *def = v.getDefiningOp();
  if (!def)
    def = cast<BlockArgument>(v).getOwner()->getParentOp();
  if (!def)
    return nullptr;
  return body.findAncestorOpInBlock(*def);
}

/// The memref a view is made from, through view-like ops.
static Value getBaseMemRef(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// What a core_group scope becomes.
enum class Decision { Vector, Cube, KeepMixed, Split };

/// Everything needed to split one mixed scope, computed before any change.
struct SplitPlan {
  AtOp at;
  SpmdOp spmd;
  /// The top-level ops of the scope, in order, without the terminator.
  SmallVector<Operation *> ops;
  DenseSet<Operation *> dup;
  DenseSet<Operation *> cube;
  /// The tiles the vector part uses from the cube part, in order of first
  /// use, and the vector-part op before which each is loaded back.
  SmallVector<Value> staged;
  SmallVector<Operation *> firstUser;
};

struct ScopeDecision {
  AtOp at;
  Decision decision;
  SplitPlan plan;
};

/// Plans the split of `at` or emits an error at it saying why it cannot be
/// split.
static FailureOr<SplitPlan> planSplit(AtOp at, SpmdOp spmd) {
  StringRef name = spmd.getScopeName();
  auto fail = [&](const Twine &why) {
    return at.emitError("cannot split mixed scope '")
           << name << "' into cube and vector scopes on a2a3: " << why;
  };

  SplitPlan plan;
  plan.at = at;
  plan.spmd = spmd;
  Block &body = at.getBodyBlock();

  if (at->getParentOp() != spmd.getOperation()) {
    fail("the tile.at is not directly in its tile.spmd");
    return failure();
  }
  for (Operation &op : spmd.getBodyBlock().without_terminator()) {
    if (&op == at.getOperation())
      continue;
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op)) {
      InFlightDiagnostic diag =
          fail("its tile.spmd holds other ops than the scope and pure scalar "
               "ops, which the split would have to order");
      diag.attachNote(op.getLoc()) << "this op";
      return failure();
    }
  }

  for (Operation &op : body.without_terminator()) {
    plan.ops.push_back(&op);
    if (holds<CubeOnly>(&op) && holds<VectorOnly>(&op)) {
      InFlightDiagnostic diag =
          fail("this op holds both cube and vector ops, so the cube -> vector "
               "dependence would be carried across the split; put the cube "
               "and vector work in separate loops");
      diag.attachNote(op.getLoc()) << "op mixing cube and vector ops";
      return failure();
    }
    if (isDuplicable(&op, body, plan.dup))
      plan.dup.insert(&op);
  }

  // The cube part: the ops holding cube ops and everything they depend on.
  SmallVector<Operation *> worklist;
  for (Operation *op : plan.ops)
    if (holds<CubeOnly>(op) && plan.cube.insert(op).second)
      worklist.push_back(op);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    Operation *vectorDep = nullptr;
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands()) {
        Operation *owner = topLevelOwner(v, body);
        if (!owner || owner == op || plan.dup.contains(owner))
          continue;
        if (holds<VectorOnly>(owner)) {
          vectorDep = owner;
          continue;
        }
        if (plan.cube.insert(owner).second)
          worklist.push_back(owner);
      }
    });
    if (vectorDep) {
      InFlightDiagnostic diag =
          fail("a cube op depends on the result of a vector op; only cube -> "
               "vector dependences are staged through GM");
      diag.attachNote(vectorDep->getLoc()) << "vector op";
      diag.attachNote(op->getLoc()) << "cube-side op using it";
      return failure();
    }
  }
  // Ops without vector work that only consume the cube part (the store of
  // a matmul result) stay with it, so the tile need not be staged.
  for (Operation *op : plan.ops) {
    if (plan.cube.contains(op) || plan.dup.contains(op) ||
        holds<VectorOnly>(op))
      continue;
    bool usesCube = false, onlyCube = true;
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands()) {
        Operation *owner = topLevelOwner(v, body);
        if (!owner || owner == op || plan.dup.contains(owner))
          continue;
        if (plan.cube.contains(owner))
          usesCube = true;
        else
          onlyCube = false;
      }
    });
    if (usesCube && onlyCube)
      plan.cube.insert(op);
  }

  // The values that cross: tiles are staged, anything else is an error.
  for (Operation *op : plan.ops) {
    if (plan.cube.contains(op) || plan.dup.contains(op))
      continue;
    WalkResult result = op->walk([&](Operation *nested) -> WalkResult {
      for (Value v : nested->getOperands()) {
        Operation *owner = topLevelOwner(v, body);
        if (!owner || !plan.cube.contains(owner))
          continue;
        if (!isa<TileType>(v.getType())) {
          InFlightDiagnostic diag =
              fail(Twine("a value that is not a tile crosses from the cube "
                         "part to the vector part; only tiles are staged "
                         "through GM"));
          diag.attachNote(owner->getLoc()) << "value defined here";
          return WalkResult::interrupt();
        }
        if (!llvm::is_contained(plan.staged, v)) {
          plan.staged.push_back(v);
          plan.firstUser.push_back(op);
        }
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
  }

  // GM tensors: none may be written by one part and accessed by the other.
  DenseMap<Value, Operation *> cubeRead, cubeWrite, vecRead, vecWrite;
  for (Operation *op : plan.ops) {
    bool isCube = plan.cube.contains(op);
    op->walk([&](Operation *nested) {
      if (auto load = dyn_cast<LoadOp>(nested))
        (isCube ? cubeRead : vecRead)
            .try_emplace(getBaseMemRef(load.getSource()), nested);
      if (auto store = dyn_cast<StoreOp>(nested))
        (isCube ? cubeWrite : vecWrite)
            .try_emplace(getBaseMemRef(store.getDest()), nested);
    });
  }
  auto conflict = [&](DenseMap<Value, Operation *> &writes,
                      DenseMap<Value, Operation *> &reads,
                      DenseMap<Value, Operation *> &otherWrites) {
    for (auto [memref, writer] : writes) {
      Operation *other = reads.lookup(memref);
      if (!other)
        other = otherWrites.lookup(memref);
      if (!other)
        continue;
      InFlightDiagnostic diag =
          fail("its cube and vector parts access a GM tensor that one of "
               "them writes, and the split would run every block's cube "
               "part before any block's vector part");
      diag.attachNote(writer->getLoc()) << "write";
      diag.attachNote(other->getLoc()) << "access by the other part";
      return true;
    }
    return false;
  };
  if (conflict(cubeWrite, vecRead, vecWrite) ||
      conflict(vecWrite, cubeRead, cubeWrite))
    return failure();
  return plan;
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

/// Erases the trivially dead ops of `block`, last first. The walk holds the
/// op before the current one, never one that erasing may remove (a
/// std::reverse_iterator over the block would hold the op after it, which
/// has just been erased when its result was the only use of the current
/// one).
static void eraseDeadOps(Block &block) {
  if (block.empty())
    return;
  Operation *op = block.back().hasTrait<OpTrait::IsTerminator>()
                      ? block.back().getPrevNode()
                      : &block.back();
  while (op) {
    Operation *prev = op->getPrevNode();
    if (isOpTriviallyDead(op))
      op->erase();
    op = prev;
  }
}

static void applySplit(SplitPlan &plan) {
  SpmdOp spmd = plan.spmd;
  AtOp at = plan.at;
  std::string name = spmd.getScopeName().str();
  Location loc = at.getLoc();
  OpBuilder b(spmd);
  int64_t blocks = spmd.getBlocks();

  // One staging tensor per crossing tile: blocks x rows x cols.
  SmallVector<Value> stages;
  for (auto [i, v] : llvm::enumerate(plan.staged)) {
    auto tile = cast<TileType>(v.getType());
    auto type = MemRefType::get({blocks, tile.getRows(), tile.getCols()},
                                tile.getElementType());
    stages.push_back(AllocGmOp::create(b, v.getLoc(), type,
                                       b.getStringAttr(name + "_stage" +
                                                       std::to_string(i))));
  }

  // The cube grid, before the vector one.
  auto cubeSpmd = SpmdOp::create(b, spmd.getLoc(), blocks, name + "_cube");
  cubeSpmd->setDiscardableAttrs(spmd->getDiscardableAttrDictionary());
  IRMapping map;
  map.map(spmd.getBlockIndex(), cubeSpmd.getBlockIndex());
  b.setInsertionPoint(cubeSpmd.getBodyBlock().getTerminator());
  for (Operation &op : spmd.getBodyBlock().without_terminator())
    if (&op != at.getOperation())
      b.clone(op, map);
  auto cubeAt = AtOp::create(b, loc, CoreKind::cube);
  cubeAt->setDiscardableAttrs(at->getDiscardableAttrDictionary());
  b.setInsertionPoint(cubeAt.getBodyBlock().getTerminator());
  for (Operation *op : plan.ops)
    if (plan.cube.contains(op) || plan.dup.contains(op))
      b.clone(*op, map);
  if (!plan.staged.empty()) {
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    for (auto [v, stage] : llvm::zip(plan.staged, stages))
      StoreOp::create(b, v.getLoc(), map.lookup(v), stage,
                      ValueRange{cubeSpmd.getBlockIndex(), c0, c0});
  }
  eraseDeadOps(cubeAt.getBodyBlock());
  eraseDeadOps(cubeSpmd.getBodyBlock());

  // The vector grid: the original, with the staged tiles loaded back.
  Block &body = at.getBodyBlock();
  if (!plan.staged.empty()) {
    b.setInsertionPointToStart(&body);
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    for (auto [v, stage, user] :
         llvm::zip(plan.staged, stages, plan.firstUser)) {
      b.setInsertionPoint(user);
      Value load = LoadOp::create(b, v.getLoc(), v.getType(), stage,
                                  ValueRange{spmd.getBlockIndex(), c0, c0});
      v.replaceUsesWithIf(load, [&](OpOperand &use) {
        Operation *owner = body.findAncestorOpInBlock(*use.getOwner());
        return owner && !plan.cube.contains(owner);
      });
    }
  }
  for (Operation *op : llvm::reverse(plan.ops))
    if (plan.cube.contains(op))
      op->erase();
  eraseDeadOps(body);
  at.setKind(CoreKind::vector);
  spmd.setSymName(name + "_vector");
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct SplitMixedScopesPass
    : public tessel::impl::TileSplitMixedScopesBase<SplitMixedScopesPass> {
  using TileSplitMixedScopesBase::TileSplitMixedScopesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();
    const TargetInfo *option = *resolved;

    // The first pass of the pipelines: slices that leave their memref for
    // some block are an error here, as the Python frontend reports them.
    if (failed(checkGridSlices(module)))
      return signalPassFailure();

    // Decide every scope first; change nothing unless all can be handled.
    std::vector<ScopeDecision> decisions;
    bool anyError = false;
    module.walk([&](AtOp at) {
      if (at.getKind() != CoreKind::core_group)
        return;
      bool cube = holds<CubeOnly>(at.getOperation()),
           vector = holds<VectorOnly>(at.getOperation());
      ScopeDecision d{at, Decision::Vector, {}};
      if (cube && !vector) {
        d.decision = Decision::Cube;
      } else if (cube && vector) {
        const TargetInfo *info = option;
        if (!info) {
          std::optional<Target> t = getEnclosingTarget(at);
          info = lookupTarget(t ? stringifyTarget(*t) : "a2a3");
        }
        if (info->hasL0CToUB && !splitThroughGM) {
          d.decision = Decision::KeepMixed;
        } else {
          d.decision = Decision::Split;
          FailureOr<SplitPlan> plan =
              planSplit(at, at->getParentOfType<SpmdOp>());
          if (failed(plan)) {
            anyError = true;
            return;
          }
          d.plan = std::move(*plan);
        }
      }
      decisions.push_back(std::move(d));
    });
    if (anyError)
      return signalPassFailure();

    for (ScopeDecision &d : decisions) {
      auto spmd = d.at->getParentOfType<SpmdOp>();
      StringRef name = spmd.getScopeName();
      switch (d.decision) {
      case Decision::Vector:
        emitDecision(spmd) << "scope '" << name
                           << "': no cube ops, runs on vector cores";
        d.at.setKind(CoreKind::vector);
        break;
      case Decision::Cube:
        emitDecision(spmd) << "scope '" << name
                           << "': cube ops only, runs on cube cores";
        d.at.setKind(CoreKind::cube);
        break;
      case Decision::KeepMixed:
        emitDecision(spmd) << "scope '" << name
                           << "': mixed cube and vector ops stay in one "
                             "core_group scope (the target has an L0C -> UB "
                             "path)";
        break;
      case Decision::Split: {
        int64_t bytes = 0;
        for (Value v : d.plan.staged)
          bytes += cast<TileType>(v.getType()).getSizeInBytes();
        emitDecision(spmd) << "scope '" << name
                           << "': mixed cube and vector ops split into '"
                           << name << "_cube' and '" << name
                           << "_vector' meeting in GM: " << d.plan.staged.size()
                           << (d.plan.staged.size() == 1 ? " staged tile, "
                                                        : " staged tiles, ")
                          << bytes << " bytes per block, "
                          << bytes * spmd.getBlocks() << " bytes in all";
        applySplit(d.plan);
        break;
      }
      }
    }
  }
};

} // namespace
