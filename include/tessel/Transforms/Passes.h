//===- Passes.h - Tessel transformation passes ------------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_PASSES_H
#define TESSEL_TRANSFORMS_PASSES_H

#include "tile/TileOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace tessel {

#define GEN_PASS_DECL
#include "tessel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessel/Transforms/Passes.h.inc"

/// Registers the named pipelines of lib/Transforms/Pipelines.cpp
/// (`tile-npu-pipeline`).
void registerTransformsPipelines();

} // namespace tessel

#endif // TESSEL_TRANSFORMS_PASSES_H
