//===- TileToLLVM.cpp - Lower tile IR to the LLVM dialect -----------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `convert-tile-to-llvm`: tile IR to the LLVM dialect for host execution, in
// three steps over the module:
//   1. the tile lowering of TileToSCF.h (tile -> scf/memref/arith/math/vector,
//      each tile a view into a per-core arena);
//   2. memref view ops -> reinterpret casts (expand-strided-metadata), affine
//      -> arith, floor/ceil divisions -> arith, scf -> cf;
//   3. one full conversion to LLVM with the upstream patterns
//      (populateTileToLLVMConversionPatterns), then the unrealized casts the
//      type conversions leave are reconciled.
// Also registers `tile-cpu-pipeline`, the one pipeline tessel-opt and the
// Python runtime run; with threads > 1 it lowers spmd blocks to an
// scf.parallel and hands it to the upstream async passes in between.
//
//===----------------------------------------------------------------------===//

#include "tessel/Conversion/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

#define DEBUG_TYPE "convert-tile-to-llvm"

namespace tessel {
#define GEN_PASS_DEF_CONVERTTILETOLLVM
#include "tessel/Conversion/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;

void tessel::populateTileToLLVMConversionPatterns(LLVMTypeConverter &converter,
                                                  RewritePatternSet &patterns) {
  populateFuncToLLVMConversionPatterns(converter, patterns);
  cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
  cf::populateAssertToLLVMConversionPattern(converter, patterns);
  populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
  populateVectorToLLVMConversionPatterns(converter, patterns);
  arith::populateArithToLLVMConversionPatterns(converter, patterns);
  populateMathToLLVMConversionPatterns(converter, patterns);
  index::populateIndexToLLVMConversionPatterns(converter, patterns);
  ub::populateUBToLLVMConversionPatterns(converter, patterns);
}

namespace {

struct ConvertTileToLLVMPass
    : public tessel::impl::ConvertTileToLLVMBase<ConvertTileToLLVMPass> {
  using ConvertTileToLLVMBase::ConvertTileToLLVMBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();

    // 0. A function whose signature has no LLVM form would fail the last
    //    conversion with only "failed to legalize operation 'func.func'":
    //    name the argument or result here.
    {
      LowerToLLVMOptions options(ctx);
      LLVMTypeConverter converter(ctx, options);
      bool bad = false;
      for (auto func : module.getOps<func::FuncOp>()) {
        auto check = [&](StringRef what, unsigned i, Type t) {
          if (bad || converter.convertType(t))
            return;
          func.emitError("cannot lower @")
              << func.getSymName() << " to the CPU simulation: " << what
              << " #" << i << " has type " << t
              << ", which has no LLVM form (functions take and return "
                 "memrefs and scalars)";
          bad = true;
        };
        for (auto [i, t] : llvm::enumerate(func.getArgumentTypes()))
          check("argument", i, t);
        for (auto [i, t] : llvm::enumerate(func.getResultTypes()))
          check("result", i, t);
      }
      if (bad)
        return signalPassFailure();
    }

    // 1. Tile ops (single-threaded; tile-cpu-pipeline lowers them itself
    //    first when it runs blocks on threads).
    for (auto func : module.getOps<func::FuncOp>())
      if (failed(lowerTileToSCF(func, TileToSCFOptions())))
        return signalPassFailure();
    module->removeAttr("tile.target");

    // 2. GM views (memref.collapse_shape / expand_shape / subview) become
    //    reinterpret casts, their index math and arith's floor/ceil
    //    divisions plain arith; then structured control flow becomes blocks.
    {
      RewritePatternSet patterns(ctx);
      memref::populateExpandStridedMetadataPatterns(patterns);
      arith::populateCeilFloorDivExpandOpsPatterns(patterns);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      populateAffineToStdConversionPatterns(patterns);
      ConversionTarget target(*ctx);
      target.addIllegalDialect<affine::AffineDialect>();
      target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
      if (failed(applyPartialConversion(module, target, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(ctx);
      populateSCFToControlFlowConversionPatterns(patterns);
      ConversionTarget target(*ctx);
      target.addIllegalDialect<scf::SCFDialect>();
      target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
      if (failed(applyPartialConversion(module, target, std::move(patterns))))
        return signalPassFailure();
    }

    // 3. Everything to LLVM.
    {
      LowerToLLVMOptions options(ctx);
      LLVMTypeConverter converter(ctx, options);
      RewritePatternSet patterns(ctx);
      populateTileToLLVMConversionPatterns(converter, patterns);
      LLVMConversionTarget target(*ctx);
      target.addLegalOp<ModuleOp>();
      if (failed(applyFullConversion(module, target, std::move(patterns))))
        return signalPassFailure();
    }

    SmallVector<UnrealizedConversionCastOp> casts;
    module.walk([&](UnrealizedConversionCastOp op) { casts.push_back(op); });
    reconcileUnrealizedCasts(casts);
  }
};

} // namespace

void tessel::buildTileCPUPipeline(OpPassManager &pm,
                                  const TileCPUPipelineOptions &options) {
  if (options.threads < 1) {
    // convert-tile-to-scf reports the value as an error at the module.
    ConvertTileToSCFOptions tileOptions;
    tileOptions.threads = options.threads;
    pm.addPass(createConvertTileToSCF(tileOptions));
  } else if (options.threads > 1) {
    ConvertTileToSCFOptions tileOptions;
    tileOptions.threads = options.threads;
    pm.addPass(createConvertTileToSCF(tileOptions));
    std::string async;
    llvm::raw_string_ostream os(async);
    os << "async-parallel-for{async-dispatch=false num-workers="
       << options.threads
       << " min-task-size=1},async-to-async-runtime,"
          "async-runtime-ref-counting,async-runtime-ref-counting-opt,"
          "convert-async-to-llvm";
    std::string error;
    llvm::raw_string_ostream errorStream(error);
    if (failed(parsePassPipeline(async, pm, errorStream)))
      llvm::report_fatal_error(llvm::Twine("tile-cpu-pipeline: ") + error);
  }
  pm.addPass(createConvertTileToLLVM());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void tessel::registerTileCPUPipeline() {
  PassPipelineRegistration<TileCPUPipelineOptions>(
      "tile-cpu-pipeline",
      "Lower tile IR to the LLVM dialect for the CPU simulation "
      "(ExecutionEngine-ready)",
      buildTileCPUPipeline);
}
