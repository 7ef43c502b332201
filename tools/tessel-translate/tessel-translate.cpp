//===- tessel-translate.cpp - Tessel's translation driver -----------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// mlir-translate with Tessel's translations: `--tile-to-pto` prints placed,
// synchronised tile IR as an Ascend C kernel on PTO-ISA.
//
//===----------------------------------------------------------------------===//

#include "tessel/InitAll.h"
#include "tessel/Target/PTO.h"

#include "mlir/Support/LogicalResult.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  tessel::registerAllPasses();
  tessel::registerTileToPTOTranslation();
  return mlir::failed(
             mlir::mlirTranslateMain(argc, argv, "Tessel translation driver\n"))
             ? 1
             : 0;
}
