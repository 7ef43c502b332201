//===- SimplifyIndices.cpp - Simplify block-index quotients ----------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The pass form of tessel::simplifyIndices (tessel/Transforms/IndexUtils.h):
// `x / D` and `x % D` rewritten from the ranges of the block index and the
// loop variables.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/IndexUtils.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#define DEBUG_TYPE "tile-simplify-indices"

namespace tessel {
#define GEN_PASS_DEF_TILESIMPLIFYINDICES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

namespace {

struct SimplifyIndicesPass
    : public tessel::impl::TileSimplifyIndicesBase<SimplifyIndicesPass> {
  void runOnOperation() override { tessel::simplifyIndices(getOperation()); }
};

} // namespace
