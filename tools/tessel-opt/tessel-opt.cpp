//===- tessel-opt.cpp - Tessel's optimizer driver -------------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// mlir-opt with the tile dialect, the upstream dialects the pipelines produce
// and every Tessel pass and pipeline registered.
//
// A remark (a scheduling decision) prints as one line and the notes its
// pass attaches; `-tessel-print-op-on-remark` adds the operation it is
// attached to. Errors keep MLIR's `-mlir-print-op-on-diagnostic` default.
//
//===----------------------------------------------------------------------===//

#include "tessel/InitAll.h"
#include "tessel/Support/Remarks.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/CommandLine.h"

namespace tessel::test {
// Test-only passes from test/lib.
void registerTestPlacementPass();
void registerTestTripCountPass();
} // namespace tessel::test

static llvm::cl::opt<bool> printOpOnRemark(
    "tessel-print-op-on-remark",
    llvm::cl::desc("Attach the operation to each Tessel remark (a note "
                   "'see current operation:' with the whole op)"),
    llvm::cl::init(false),
    llvm::cl::cb<void, bool>([](bool v) { tessel::setPrintOpOnRemark(v); }));

int main(int argc, char **argv) {
  tessel::registerAllPasses();
  tessel::test::registerTestPlacementPass();
  tessel::test::registerTestTripCountPass();
  mlir::DialectRegistry registry;
  tessel::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Tessel optimizer driver\n", registry));
}
