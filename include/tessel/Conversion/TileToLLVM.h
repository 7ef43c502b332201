//===- TileToLLVM.h - Lower tile IR to the LLVM dialect ---------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Entry points of the CPU simulation's lowering to LLVM: the conversion
// patterns that take the output of the tile lowering (func, cf, memref,
// vector, arith, math, index, ub) to the LLVM dialect, and the named
// pipeline `tile-cpu-pipeline` that tessel-opt and the Python runtime run.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_CONVERSION_TILETOLLVM_H
#define TESSEL_CONVERSION_TILETOLLVM_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class LLVMTypeConverter;
class OpPassManager;
class RewritePatternSet;
} // namespace mlir

namespace tessel {

/// Adds the patterns that convert what the tile lowering produces (after
/// scf has become cf) to the LLVM dialect.
void populateTileToLLVMConversionPatterns(mlir::LLVMTypeConverter &converter,
                                          mlir::RewritePatternSet &patterns);

/// Options of `tile-cpu-pipeline`.
struct TileCPUPipelineOptions
    : public mlir::PassPipelineOptions<TileCPUPipelineOptions> {
  Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("worker threads that run the spmd blocks (1 = a loop; "
                     "more needs libmlir_async_runtime at run time)"),
      llvm::cl::init(1)};
};

/// Tile IR -> LLVM dialect ready for the ExecutionEngine.
void buildTileCPUPipeline(mlir::OpPassManager &pm,
                          const TileCPUPipelineOptions &options);

/// Registers `tile-cpu-pipeline`.
void registerTileCPUPipeline();

} // namespace tessel

#endif // TESSEL_CONVERSION_TILETOLLVM_H
