//===- LoopUtils.cpp - Loop helpers shared by the Tessel passes -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/LoopUtils.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

PipelineOp tessel::convertForToPipeline(scf::ForOp loop, int64_t stages) {
  OpBuilder b(loop);
  auto pipe = PipelineOp::create(b, loop.getLoc(), loop.getLowerBound(),
                                 loop.getUpperBound(), loop.getStep(), stages,
                                 loop.getInitArgs());
  Block &newBody = pipe.getBodyBlock();
  // The builder adds the implicit terminator when there are no iter_args.
  if (!newBody.empty())
    newBody.getTerminator()->erase();
  Block &oldBody = *loop.getBody();
  auto yield = cast<scf::YieldOp>(oldBody.getTerminator());
  b.setInsertionPoint(yield);
  YieldOp::create(b, yield.getLoc(), yield.getOperands());
  yield.erase();
  for (auto [from, to] :
       llvm::zip(oldBody.getArguments(), newBody.getArguments()))
    from.replaceAllUsesWith(to);
  newBody.getOperations().splice(newBody.end(), oldBody.getOperations());
  loop.replaceAllUsesWith(pipe.getResults());
  loop.erase();
  return pipe;
}
