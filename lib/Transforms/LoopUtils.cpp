//===- LoopUtils.cpp - Loop helpers shared by the Tessel passes -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/LoopUtils.h"

#include "tessel/Support/Remarks.h"

#include "tessel/Transforms/CseLoads.h"
#include "tessel/Transforms/IndexUtils.h"
#include "tessel/Transforms/ScopeAccesses.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

PipelineOp tessel::convertForToPipeline(scf::ForOp loop, int64_t stages) {
  OpBuilder b(loop);
  auto pipe = PipelineOp::create(b, loop.getLoc(), loop.getLowerBound(),
                                 loop.getUpperBound(), loop.getStep(), stages,
                                 loop.getInitArgs());
  Block &newBody = pipe.getBodyBlock();
  // The builder adds the implicit terminator when there are no iter_args.
  if (!newBody.empty())
    newBody.getTerminator()->erase();
  Block &oldBody = *loop.getBody();
  auto yield = cast<scf::YieldOp>(oldBody.getTerminator());
  b.setInsertionPoint(yield);
  YieldOp::create(b, yield.getLoc(), yield.getOperands());
  yield.erase();
  for (auto [from, to] :
       llvm::zip(oldBody.getArguments(), newBody.getArguments()))
    from.replaceAllUsesWith(to);
  newBody.getOperations().splice(newBody.end(), oldBody.getOperations());
  loop.replaceAllUsesWith(pipe.getResults());
  loop.erase();
  return pipe;
}

scf::ForOp tessel::convertPipelineToFor(PipelineOp pipe) {
  OpBuilder b(pipe);
  auto loop = scf::ForOp::create(b, pipe.getLoc(), pipe.getLowerBound(),
                                 pipe.getUpperBound(), pipe.getStep(),
                                 pipe.getInits());
  Block *newBody = loop.getBody();
  // The builder adds the implicit terminator when there are no iter_args.
  if (!newBody->empty())
    newBody->getTerminator()->erase();
  Block &oldBody = pipe.getBodyBlock();
  auto yield = cast<YieldOp>(oldBody.getTerminator());
  b.setInsertionPoint(yield);
  scf::YieldOp::create(b, yield.getLoc(), yield.getOperands());
  yield.erase();
  for (auto [from, to] :
       llvm::zip(oldBody.getArguments(), newBody->getArguments()))
    from.replaceAllUsesWith(to);
  newBody->getOperations().splice(newBody->end(), oldBody.getOperations());
  pipe.replaceAllUsesWith(loop.getResults());
  pipe.erase();
  return loop;
}

FitSummary tessel::measureScopeFit(AtOp at, const TargetInfo &target) {
  OpBuilder b(at);
  b.setInsertionPointAfter(at);
  auto copy = cast<AtOp>(b.clone(*at));
  SmallVector<scf::ForOp> loops;
  copy.walk([&](scf::ForOp loop) { loops.push_back(loop); });
  for (scf::ForOp loop : loops)
    if (loop.getInductionVar().getType().isIndex())
      convertForToPipeline(loop, 1);
  FitSummary fit = summarizeFit(copy, target);
  copy.erase();
  return fit;
}

void tessel::tidyScope(AtOp at) {
  // Hoist loop-invariant index arithmetic, not tiles: a tile hoisted out of
  // a loop stays live through every iteration (on-chip bytes the placement
  // must hold), and an accumulator's initial value hoisted out of an outer
  // loop can no longer share the carried value's buffer (a group loop of
  // K loops would need twice the L0C its fit was measured with).
  at.walk([](LoopLikeOpInterface loop) {
    moveLoopInvariantCode(
        loop.getLoopRegions(),
        [&](Value value, Region *) {
          return loop.isDefinedOutsideOfLoop(value);
        },
        [&](Operation *op, Region *) {
          return isMemoryEffectFree(op) && isSpeculatable(op) &&
                 llvm::none_of(op->getResultTypes(), llvm::IsaPred<TileType>);
        },
        [&](Operation *op, Region *) { loop.moveOutOfLoop(op); });
  });
  // CSE from the isolated op around the scope, so that values inside the
  // scope merge with equal ones (constants above all) defined outside it.
  Operation *root = at->getParentWithTrait<OpTrait::IsIsolatedFromAbove>();
  if (!root)
    root = at;
  IRRewriter rewriter(at.getContext());
  DominanceInfo dom(root);
  eliminateCommonSubExpressions(rewriter, dom, root);
  // Loads upstream CSE leaves apart: a store to another tensor between.
  mergeIdenticalLoads(at);
}

Value tessel::getRootTensor(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return memref;
}

/// Whether, in some dimension, access `a` (loop variable `ivA`) and `b`
/// (`ivB`) are `E + s * iv + c` over the same E with each slice inside
/// [0, s): iterations i != j then touch disjoint slices.
static bool ownedByIteration(const ScopeAccess &a, Value ivA,
                             const ScopeAccess &b, Value ivB) {
  ArrayRef<int64_t> shapeA = a.tile.getShape(), shapeB = b.tile.getShape();
  if (a.indices.size() != b.indices.size() ||
      shapeA.size() != a.indices.size() || shapeB.size() != b.indices.size())
    return false;
  for (size_t d = 0; d < a.indices.size(); ++d) {
    LinearIndex la = linearizeIndex(a.indices[d]);
    LinearIndex lb = linearizeIndex(b.indices[d]);
    int64_t sa = 0, sb = 0;
    SmallVector<std::pair<Value, int64_t>> restA, restB;
    for (auto [atom, coef] : la.terms)
      if (atom == ivA)
        sa = coef;
      else
        restA.push_back({atom, coef});
    for (auto [atom, coef] : lb.terms)
      if (atom == ivB)
        sb = coef;
      else
        restB.push_back({atom, coef});
    if (sa <= 0 || sa != sb)
      continue;
    // E: the same atoms with the same coefficients, none of them a loop
    // variable of a loop inside the fused loops.
    auto byAtom = [](const std::pair<Value, int64_t> &x,
                     const std::pair<Value, int64_t> &y) {
      return x.first.getAsOpaquePointer() < y.first.getAsOpaquePointer();
    };
    llvm::sort(restA, byAtom);
    llvm::sort(restB, byAtom);
    if (restA != restB)
      continue;
    int64_t ca = la.constant, cb = lb.constant;
    if (ca < 0 || cb < 0 || ca + shapeA[d] > sa || cb + shapeB[d] > sb)
      continue;
    return true;
  }
  return false;
}

static bool sameConstant(Value a, Value b) {
  APInt x, y;
  return matchPattern(a, m_ConstantInt(&x)) &&
         matchPattern(b, m_ConstantInt(&y)) && x == y;
}

/// Why loops `first` and `second` (adjacent once the ops between move)
/// cannot fuse, or "".
static std::string checkLoopFusion(scf::ForOp first, scf::ForOp second) {
  if (first.getNumResults())
    return "the first loop carries values";
  if (!sameConstant(first.getLowerBound(), second.getLowerBound()) ||
      !sameConstant(first.getUpperBound(), second.getUpperBound()) ||
      !sameConstant(first.getStep(), second.getStep()))
    return "different bounds";
  // Ops other than loads and stores are judged by their side effects below.
  SmallVector<ScopeAccess> accA, accB;
  (void)collectScopeAccesses(first, accA);
  (void)collectScopeAccesses(second, accB);
  for (const ScopeAccess &a : accA)
    for (const ScopeAccess &b : accB) {
      if ((!a.write && !b.write) ||
          getRootTensor(a.memref) != getRootTensor(b.memref))
        continue;
      if (!ownedByIteration(a, first.getInductionVar(), b,
                            second.getInductionVar()))
        return "an iteration may touch GM another iteration touched";
    }
  // Side effects other than GM loads and stores stay in order only if
  // there are none.
  WalkResult other = first->getParentOp()->walk([&](Operation *op) {
    if (!first->isAncestor(op) && !second->isAncestor(op))
      return WalkResult::advance();
    if (isa<LoadOp, StoreOp>(op) || isMemoryEffectFree(op) ||
        op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  if (other.wasInterrupted())
    return "a loop has an op with other side effects";
  return "";
}

int64_t tessel::fuseSiblingLoops(AtOp at, StringRef scopeName) {
  int64_t fused = 0;
  bool changed = true;
  while (changed) {
    changed = false;
    SmallVector<Block *> blocks;
    at.walk([&](Block *block) { blocks.push_back(block); });
    for (Block *block : blocks) {
      for (Operation &op : *block) {
        auto first = dyn_cast<scf::ForOp>(op);
        if (!first)
          continue;
        // The next loop, past pure ops that do not use the first.
        SmallVector<Operation *> between;
        Operation *next = first->getNextNode();
        while (next && !isa<scf::ForOp>(next) && isPure(next) &&
               next->getNumRegions() == 0 &&
               llvm::none_of(next->getOperands(), [&](Value v) {
                 Operation *def = v.getDefiningOp();
                 return def && (def == first.getOperation() ||
                                llvm::is_contained(between, def));
               })) {
          between.push_back(next);
          next = next->getNextNode();
        }
        // Ops between that depend on each other move together, in order;
        // an op using one that cannot move stops the search above.
        auto second = dyn_cast_or_null<scf::ForOp>(next);
        if (!second || !checkLoopFusion(first, second).empty())
          continue;
        for (Operation *moved : between)
          moved->moveBefore(first);
        // The second loop's body runs after the first's, in one loop.
        Block *body = second.getBody();
        Block *firstBody = first.getBody();
        first.getInductionVar().replaceAllUsesWith(second.getInductionVar());
        Operation *yield = firstBody->getTerminator();
        yield->erase();
        body->getOperations().splice(body->begin(),
                                     firstBody->getOperations());
        second->moveBefore(first);
        first.erase();
        emitDecision(second) << "loops of scope '" << scopeName
                             << "' fused: each iteration of the second "
                                "touches only what the same iteration of "
                                "the first did";
        ++fused;
        changed = true;
        break;
      }
      if (changed)
        break;
    }
  }
  return fused;
}

int64_t tessel::forwardStoresInBlocks(AtOp at) {
  int64_t forwarded = 0;
  SmallVector<LoadOp> loads;
  at.walk([&](LoadOp load) {
    if (getRootTensor(load.getSource()).getDefiningOp<AllocGmOp>())
      loads.push_back(load);
  });
  for (LoadOp load : loads) {
    Value root = getRootTensor(load.getSource());
    for (Operation *p = load->getPrevNode(); p; p = p->getPrevNode()) {
      auto store = dyn_cast<StoreOp>(p);
      bool touches = false;
      if (!store) {
        // An op with regions may store to the tensor inside.
        p->walk([&](StoreOp inner) {
          touches |= getRootTensor(inner.getDest()) == root;
        });
        if (touches)
          break;
        continue;
      }
      if (getRootTensor(store.getDest()) != root)
        continue;
      // A partial store leaves GM outside its valid region as it was; a
      // partial load's padding is not GM's: neither forwards.
      if (store.getDest() == load.getSource() &&
          !store.hasValidShape() && !load.hasValidShape() &&
          store.getValue().getType() == load.getResult().getType() &&
          llvm::all_of(llvm::zip_equal(store.getIndices(), load.getIndices()),
                       [](auto pair) {
                         return isSameLinearIndex(std::get<0>(pair),
                                                  std::get<1>(pair));
                       })) {
        load.getResult().replaceAllUsesWith(store.getValue());
        load.erase();
        ++forwarded;
      }
      break;
    }
  }
  return forwarded;
}

std::string tessel::describeFit(const FitSummary &fit) {
  if (fit.operandTooLarge)
    return "a matmul operand exceeds cube L0A or L0B";
  return std::to_string(fit.peak) + " bytes of " +
         std::to_string(fit.capacity) + " (" +
         getBufferKindTitle(fit.kind).str() + ")";
}
