//===- tessel-opt.cpp - Tessel's optimizer driver -------------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with the tile dialect, the upstream dialects the pipelines produce
// and every Tessel pass and pipeline registered.
//
//===----------------------------------------------------------------------===//

#include "tessel/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

namespace tessel::test {
// Test-only passes from test/lib.
void registerTestPlacementPass();
} // namespace tessel::test

int main(int argc, char **argv) {
  tessel::registerAllPasses();
  tessel::test::registerTestPlacementPass();
  mlir::DialectRegistry registry;
  tessel::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tessel optimizer driver\n", registry));
}
