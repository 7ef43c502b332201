//===- CseLoads.h - Merge identical loads across unrelated stores -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The function behind `tile-cse-loads` (Passes.td): identical tile.load ops
// of one block merge unless something between them may write the tensor
// they read. Distinct GM roots (function arguments, tile.alloc_gm tensors)
// never alias (docs/races.md "Aliasing at call time").
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_CSELOADS_H
#define TESSEL_TRANSFORMS_CSELOADS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

namespace tessel {

/// Whether GM roots `a` and `b` (getRootTensor) are known to be distinct
/// tensors: different values, each an argument of the enclosing function's
/// entry block or a tile.alloc_gm result.
bool areDistinctGMRoots(mlir::Value a, mlir::Value b);

/// Replaces each tile.load nested in `root` by an identical earlier
/// tile.load of the same block when no op between them (nested ops
/// included) may write the root tensor it reads (Passes.td, tile-cse-loads).
/// Returns the number of loads replaced.
int64_t mergeIdenticalLoads(mlir::Operation *root);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_CSELOADS_H
