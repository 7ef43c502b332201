//===- GmTraffic.cpp - Static GM traffic of tile IR ------------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/GmTraffic.h"

#include "tile/TileOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

int64_t tessel::getAccessBytes(Operation *op) {
  SmallVector<int64_t> sizes;
  Type elt;
  if (auto load = dyn_cast<LoadOp>(op)) {
    sizes = load.getSliceSizes();
    elt = load.getTileType().getElementType();
  } else if (auto store = dyn_cast<StoreOp>(op)) {
    sizes = store.getSliceSizes();
    elt = store.getTileType().getElementType();
  } else {
    return 0;
  }
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n * getElementBytes(elt);
}

int64_t tessel::getStaticTripCount(Operation *op) {
  auto loop = dyn_cast<LoopLikeOpInterface>(op);
  if (!loop)
    return 1;
  std::optional<OpFoldResult> lb = loop.getSingleLowerBound(),
                              ub = loop.getSingleUpperBound(),
                              step = loop.getSingleStep();
  if (!lb || !ub || !step)
    return 1;
  std::optional<int64_t> l = getConstantIntValue(*lb),
                         u = getConstantIntValue(*ub),
                         s = getConstantIntValue(*step);
  if (!l || !u || !s || *s <= 0)
    return 1;
  return *u <= *l ? 0 : (*u - *l + *s - 1) / *s;
}

static GmTraffic countRegions(Operation *op);

/// The traffic of one run of `op` itself (its regions included).
static GmTraffic countOp(Operation *op) {
  GmTraffic t;
  if (auto load = dyn_cast<LoadOp>(op)) {
    t.readBytes = getAccessBytes(load);
    return t;
  }
  if (auto store = dyn_cast<StoreOp>(op)) {
    t.writtenBytes = getAccessBytes(store);
    return t;
  }
  if (std::optional<MatmulView> mm = getMatmulView(op)) {
    int64_t macs = mm->m * mm->n * mm->k;
    Type elt = mm->lhsType.getElementType();
    (elt.isInteger(8) ? t.cubeMacsI8
     : elt.isF32()    ? t.cubeMacsF32
                      : t.cubeMacs) = macs;
    return t;
  }
  if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
    for (Region &region : ifOp->getRegions()) {
      GmTraffic branch;
      for (Operation &inner : region.getOps())
        branch += countOp(&inner);
      t.readBytes = std::max(t.readBytes, branch.readBytes);
      t.writtenBytes = std::max(t.writtenBytes, branch.writtenBytes);
      t.cubeMacs = std::max(t.cubeMacs, branch.cubeMacs);
      t.cubeMacsI8 = std::max(t.cubeMacsI8, branch.cubeMacsI8);
      t.cubeMacsF32 = std::max(t.cubeMacsF32, branch.cubeMacsF32);
    }
    return t;
  }
  int64_t times = 1;
  if (isa<scf::ForOp, PipelineOp>(op))
    times = getStaticTripCount(op);
  else if (auto spmd = dyn_cast<SpmdOp>(op))
    times = static_cast<int64_t>(spmd.getBlocks());
  t = countRegions(op);
  t *= times;
  return t;
}

static GmTraffic countRegions(Operation *op) {
  GmTraffic t;
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps())
      t += countOp(&inner);
  return t;
}

GmTraffic tessel::countGmTraffic(Operation *root) { return countRegions(root); }
