//===- MaterializeCopies.cpp - Explicit copies into carried storage -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-materialize-copies`: the copies that docs/placement.md leaves to the
// lowering (a pipeline's init and yielded values, an scf.if branch's
// yielded values, when not placed in the carried / result storage) become
// `tile.copy` ops placed at that storage (a `tile.full` is filled again
// there instead). Everything is checked before the IR changes.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TileStorage.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "tile-materialize-copies"

namespace tessel {
#define GEN_PASS_DEF_TILEMATERIALIZECOPIES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// One copy to insert: `operand` of `user` gets a copy of its value placed
/// at `place`, inserted before `before`.
struct PlannedCopy {
  Operation *user;
  unsigned operand;
  PlaceAttr place;
  Operation *before;
};

struct MaterializeCopiesPass
    : public tessel::impl::TileMaterializeCopiesBase<MaterializeCopiesPass> {
  using TileMaterializeCopiesBase::TileMaterializeCopiesBase;

  /// Plans the copies of the values `yielded` into `targets` (storage
  /// `places`); a value whose storage overlaps another target that also
  /// receives a copy would be clobbered: an error.
  LogicalResult plan(const TileStorageMap &storage, Operation *user,
                     unsigned firstOperand, ValueRange yielded,
                     ValueRange targets, ArrayAttr places, Operation *before,
                     SmallVectorImpl<PlannedCopy> &out) {
    SmallVector<unsigned> copied;
    for (auto [i, pair] : llvm::enumerate(llvm::zip(yielded, targets))) {
      auto [value, target] = pair;
      if (!isa<TileType>(value.getType()))
        continue;
      if (storage.lookup(value) == storage.lookup(target))
        continue;
      copied.push_back(i);
      out.push_back({user, firstOperand + static_cast<unsigned>(i),
                     cast<PlaceAttr>(places[i]), before});
    }
    for (unsigned i : copied)
      for (unsigned j : copied)
        if (i != j &&
            storage.lookup(yielded[i]).overlaps(storage.lookup(targets[j])))
          return user->emitOpError("tile value #")
                 << i << " lives in the storage that value #" << j
                 << " is copied into; the copies would clobber it";
    return success();
  }

  void runOnOperation() override {
    SmallVector<PlannedCopy> copies;
    bool failedAny = false;
    getOperation().walk([&](func::FuncOp func) {
      if (!func->hasAttr("tile.placed"))
        return;
      FailureOr<TileStorageMap> storage = TileStorageMap::compute(func);
      if (failed(storage)) {
        failedAny = true;
        return;
      }
      func.walk([&](Operation *op) {
        if (auto pipeline = dyn_cast<PipelineOp>(op)) {
          auto places = pipeline->getAttrOfType<ArrayAttr>("places");
          if (!places)
            return;
          // Init values, copied before the loop (operands 3.. are inits).
          failedAny |= failed(plan(*storage, pipeline, 3,
                                   pipeline.getInitArgs(),
                                   pipeline.getIterArgs(), places, pipeline,
                                   copies));
          Operation *yield = pipeline.getBodyBlock().getTerminator();
          failedAny |= failed(plan(*storage, yield, 0, yield->getOperands(),
                                   pipeline.getIterArgs(), places, yield,
                                   copies));
        } else if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
          auto places = ifOp->getAttrOfType<ArrayAttr>("places");
          if (!places)
            return;
          for (Region *region : {&ifOp.getThenRegion(), &ifOp.getElseRegion()}) {
            if (region->empty())
              continue;
            Operation *yield = region->front().getTerminator();
            failedAny |= failed(plan(*storage, yield, 0, yield->getOperands(),
                                     ifOp.getResults(), places, yield, copies));
          }
        }
      });
    });
    if (failedAny)
      return signalPassFailure();
    OpBuilder b(&getContext());
    for (const PlannedCopy &c : copies) {
      b.setInsertionPoint(c.before);
      Value value = c.user->getOperand(c.operand);
      // A constant is filled again in place of a copy (a zero that starts
      // accumulators in L0C has no copy instruction on the NPU).
      Operation *copy;
      if (auto full = value.getDefiningOp<FullOp>())
        copy = b.clone(*full);
      else
        copy = CopyOp::create(b, value.getLoc(), value.getType(), value);
      copy->setAttr(TileDialect::kPlaceAttrName, c.place);
      c.user->setOperand(c.operand, copy->getResult(0));
    }
  }
};

} // namespace
