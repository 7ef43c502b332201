//===- CseLoads.cpp - Merge identical loads across unrelated stores -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-cse-loads`: upstream CSE stops at any op with a write effect, so two
// identical tile.load ops with a tile.store to an unrelated tensor between
// them stay two GM reads and two buffers (pypto-lib's sparse attention
// quantisation loads a row block, stores its scale, and loads the same block
// again). Here a store stops the merge only when it may write the tensor
// the loads read: distinct GM roots never alias (docs/races.md).
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/CseLoads.h"
#include "tessel/Transforms/LoopUtils.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/STLExtras.h"

#define DEBUG_TYPE "tile-cse-loads"

namespace tessel {
#define GEN_PASS_DEF_TILECSELOADS
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

/// A tensor of its own: an argument of the function's entry block (a kernel
/// parameter) or a tile.alloc_gm.
static bool isIdentifiedRoot(Value root) {
  if (root.getDefiningOp<AllocGmOp>())
    return true;
  auto arg = dyn_cast<BlockArgument>(root);
  return arg && arg.getOwner()->isEntryBlock() &&
         isa_and_nonnull<func::FuncOp>(arg.getOwner()->getParentOp());
}

bool tessel::areDistinctGMRoots(Value a, Value b) {
  return a != b && isIdentifiedRoot(a) && isIdentifiedRoot(b);
}

/// Whether `op` itself (not its regions) may write GM tensor `root`.
static bool mayWriteItself(Operation *op, Value root) {
  if (isa<LoadOp>(op))
    return false;
  if (auto store = dyn_cast<StoreOp>(op))
    return store.getAtomicAdd() ||
           !areDistinctGMRoots(getRootTensor(store.getDest()), root);
  // A tile.set writes one element of a tile: no GM, but kept as a barrier
  // to the merge like any write.
  if (isa<SetOp>(op))
    return true;
  if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
    return false; // its regions' ops are checked one by one
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return true; // unknown
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  return llvm::any_of(list, [](const MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Write, MemoryEffects::Free>(e.getEffect());
  });
}

/// Whether `op` or an op nested in it may write GM tensor `root`.
static bool mayWrite(Operation *op, Value root) {
  return op
      ->walk([&](Operation *inner) {
        return mayWriteItself(inner, root) ? WalkResult::interrupt()
                                           : WalkResult::advance();
      })
      .wasInterrupted();
}

static int64_t mergeInBlock(Block &block) {
  int64_t merged = 0;
  SmallVector<LoadOp> available;
  for (Operation &op : llvm::make_early_inc_range(block)) {
    if (auto load = dyn_cast<LoadOp>(op)) {
      auto same = llvm::find_if(available, [&](LoadOp earlier) {
        return OperationEquivalence::isEquivalentTo(
            earlier, load, OperationEquivalence::IgnoreLocations);
      });
      if (same != available.end()) {
        load.getResult().replaceAllUsesWith(same->getResult());
        load.erase();
        ++merged;
      } else {
        available.push_back(load);
      }
      continue;
    }
    llvm::erase_if(available, [&](LoadOp earlier) {
      return mayWrite(&op, getRootTensor(earlier.getSource()));
    });
  }
  return merged;
}

int64_t tessel::mergeIdenticalLoads(Operation *root) {
  SmallVector<Block *> blocks;
  root->walk([&](Block *block) { blocks.push_back(block); });
  int64_t merged = 0;
  for (Block *block : blocks)
    merged += mergeInBlock(*block);
  return merged;
}

namespace {

struct CseLoadsPass : public tessel::impl::TileCseLoadsBase<CseLoadsPass> {
  void runOnOperation() override { mergeIdenticalLoads(getOperation()); }
};

} // namespace
