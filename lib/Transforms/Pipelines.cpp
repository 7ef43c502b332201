//===- Pipelines.cpp - Named pass pipelines of the tile dialect -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-schedule-pipeline{target=... stages=...}`: the scheduling passes that
// take a kernel as the frontend writes it (core_group scopes, sequential
// loops) to scopes of one core kind, with matmuls fed to the cube in K
// steps that fit L0A / L0B, fused where a consumer reads only what
// the same block of its producer wrote, grouped into no more tasks than the
// cores need, with pipelined loops, ready for buffer placement. `tile-npu-pipeline{target=... stages=...}`: all of it plus
// buffer placement, the program the NPU (and the CPU simulation) runs.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {

struct TileNpuPipelineOptions
    : public PassPipelineOptions<TileNpuPipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("target chip (a2a3 or a5); default: the module's "
                     "tile.target attribute, else a2a3"),
      llvm::cl::init("")};
  Option<bool> splitThroughGM{
      *this, "split-through-gm",
      llvm::cl::desc("split mixed scopes through GM even where L0C reaches "
                     "UB (a5)"),
      llvm::cl::init(false)};
  Option<int64_t> stages{*this, "stages",
                         llvm::cl::desc("pipeline depth to try for loops "
                                        "that load from GM"),
                         llvm::cl::init(2)};
};

void buildTileSchedulePipeline(OpPassManager &pm,
                               const TileNpuPipelineOptions &options) {
  // Races and out-of-bounds slices are the author's to fix: reject them
  // before scheduling (docs/races.md).
  pm.addPass(tessel::createTileCheckRaces());
  tessel::TileSplitMixedScopesOptions split;
  split.target = options.target;
  split.splitThroughGM = options.splitThroughGM;
  pm.addPass(tessel::createTileSplitMixedScopes(split));
  // Merge the duplicated index computations and drop what the split left
  // unused before the footprint is measured.
  pm.addPass(tessel::createTileSimplifyIndices());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // Loads CSE kept apart because a store to another tensor lies between.
  pm.addPass(tessel::createTileCseLoads());
  // Cube tile shapes are final here (the later passes regroup blocks and
  // re-tile vector scopes only): feed the cube K steps that fit L0A / L0B
  // before the footprints that fusion, tiling and pipelining compare.
  tessel::TileSplitMatmulKOptions ksplit;
  ksplit.target = options.target;
  pm.addPass(tessel::createTileSplitMatmulK(ksplit));
  // Fuse before grouping: the offsets are then functions of the block index
  // alone, which the legality check and the forwarding compare.
  tessel::TileFuseScopesOptions fuse;
  fuse.target = options.target;
  pm.addPass(tessel::createTileFuseScopes(fuse));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(tessel::createTileCseLoads());
  tessel::TileTileScopesOptions tiling;
  tiling.target = options.target;
  pm.addPass(tessel::createTileTileScopes(tiling));
  tessel::TilePipelineLoopsOptions pipeline;
  pipeline.target = options.target;
  pipeline.stages = options.stages;
  pm.addPass(tessel::createTilePipelineLoops(pipeline));
}

void buildTileNpuPipeline(OpPassManager &pm,
                          const TileNpuPipelineOptions &options) {
  buildTileSchedulePipeline(pm, options);
  tessel::TilePlaceBuffersOptions place;
  place.target = options.target;
  pm.addPass(tessel::createTilePlaceBuffers(place));
}

/// The NPU code path: the PTO back end reads L0C only through GM, so mixed
/// scopes are split on every target; then the copies of the placement are
/// made explicit and the pipes synchronised (convert-tile-to-emitc next).
void buildTilePtoPipeline(OpPassManager &pm,
                          const TileNpuPipelineOptions &options) {
  TileNpuPipelineOptions npu;
  npu.target = options.target;
  npu.stages = options.stages;
  npu.splitThroughGM = true;
  // Every broadcast has its PTO-ISA instruction on both targets
  // (TROWEXPAND<OP>, TCOLEXPAND<OP>, TROWEXPAND, TCOLEXPAND), so
  // tile-decompose-broadcasts is not part of this pipeline.
  buildTileNpuPipeline(pm, npu);
  pm.addPass(tessel::createTileMaterializeCopies());
  pm.addPass(tessel::createTileInsertSync());
}

} // namespace

void tessel::registerTransformsPipelines() {
  PassPipelineRegistration<TileNpuPipelineOptions>(
      "tile-schedule-pipeline",
      "split mixed core scopes, split matmul K to fit L0A / L0B, fuse and "
      "group scopes, and pipeline the loops that load from GM",
      buildTileSchedulePipeline);
  PassPipelineRegistration<TileNpuPipelineOptions>(
      "tile-npu-pipeline",
      "schedule (tile-schedule-pipeline) and place every buffer "
      "(tile-place-buffers)",
      buildTileNpuPipeline);
  PassPipelineRegistration<TileNpuPipelineOptions>(
      "tile-pto-pipeline",
      "the NPU pipeline for the PTO back end: tile-npu-pipeline with "
      "mixed scopes split through GM, "
      "tile-materialize-copies, tile-insert-sync",
      buildTilePtoPipeline);
}
