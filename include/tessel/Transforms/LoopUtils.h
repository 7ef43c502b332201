//===- LoopUtils.h - Loop helpers shared by the Tessel passes ---*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_LOOPUTILS_H
#define TESSEL_TRANSFORMS_LOOPUTILS_H

#include "tile/TileOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace tessel {

/// Replaces `loop` by a tile.pipeline with the same bounds, body and
/// iter_args and `stages` stages, and returns it; `loop` is erased.
tile::PipelineOp convertForToPipeline(mlir::scf::ForOp loop, int64_t stages);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_LOOPUTILS_H
