//===- LoopUtils.h - Loop helpers shared by the Tessel passes ---*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_LOOPUTILS_H
#define TESSEL_TRANSFORMS_LOOPUTILS_H

#include "tessel/Analysis/TilePlacement.h"
#include "tile/TileOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tessel {

/// Replaces `loop` by a tile.pipeline with the same bounds, body and
/// iter_args and `stages` stages, and returns it; `loop` is erased.
tile::PipelineOp convertForToPipeline(mlir::scf::ForOp loop, int64_t stages);

/// The inverse of convertForToPipeline: an `scf.for` with the pipeline's
/// bounds, carried values and body (its stage count is dropped).
mlir::scf::ForOp convertPipelineToFor(tile::PipelineOp pipe);

/// The GM tensor a memref is a view of (through view-like ops).
mlir::Value getRootTensor(mlir::Value memref);

/// Hoists loop-invariant pure ops out of the loops of `at` (upstream LICM)
/// and merges identical pure ops and loads (upstream CSE, run from the
/// isolated op around `at`, so values in `at` merge with equal ones above;
/// then mergeIdenticalLoads for loads a store to another tensor separates).
void tidyScope(tile::AtOp at);

/// Fuses adjacent sibling `scf.for` loops of `at` with equal constant
/// bounds, the first without results, when every pair of GM accesses of
/// the two to one tensor, one a store, touches slices that one iteration
/// owns (offset `E + s * iv + c` with `c` and the extent inside [0, s) in
/// some dimension, E the same in both); pure ops between them that do not
/// use the first loop move above it. Emits a remark per fusion naming
/// `scopeName`. Returns how many pairs it fused.
int64_t fuseSiblingLoops(tile::AtOp at, llvm::StringRef scopeName);

/// Replaces each tile.load of a tile.alloc_gm tensor that follows, in the
/// same block, a tile.store of the same slice (identical index values and
/// tile type) with no other store to the tensor between, by the stored
/// tile. Returns the number of loads replaced.
int64_t forwardStoresInBlocks(tile::AtOp at);

/// Places a scratch copy of `at`, its index scf.for loops converted to
/// one-stage tile.pipeline ops (the form placement measures loops in), and
/// reports the fullest buffer (TilePlacement.h summarizeFit). `at` itself is
/// left as it was.
FitSummary measureScopeFit(tile::AtOp at, const TargetInfo &target);

/// "P bytes of C (kind)" for the fullest buffer of `fit`, or that a matmul
/// operand does not fit L0A / L0B, for remarks.
std::string describeFit(const FitSummary &fit);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_LOOPUTILS_H
