//===- Passes.h - Tessel conversion passes ----------------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The conversions of the tile dialect (declared in Passes.td) and the named
// pipeline of the CPU simulation.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_CONVERSION_PASSES_H
#define TESSEL_CONVERSION_PASSES_H

#include "tessel/Conversion/TileToLLVM.h"
#include "tessel/Conversion/TileToSCF.h"

#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Pass/Pass.h"

namespace tessel {

#define GEN_PASS_DECL
#include "tessel/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "tessel/Conversion/Passes.h.inc"

/// Registers the conversion passes and `tile-cpu-pipeline`.
inline void registerConversionPassesAndPipelines() {
  registerTesselConversionPasses();
  registerTileCPUPipeline();
}

} // namespace tessel

#endif // TESSEL_CONVERSION_PASSES_H
