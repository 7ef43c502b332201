//===- PTO.h - Placed tile IR to an Ascend C kernel on PTO-ISA ---*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The `tile-to-pto` translation: `convert-tile-to-emitc` on placed,
// synchronised tile IR, then upstream's EmitC C++ emitter. One source per
// module (docs/pto.md describes what it contains).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TARGET_PTO_H
#define TESSEL_TARGET_PTO_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace tessel {

/// Lowers `module` (placed and synchronised) to EmitC in place and prints it
/// as C++ to `os`. Fails, after emitting diagnostics, when any op cannot run
/// on the target; then nothing is printed.
mlir::LogicalResult translateTileToPTO(mlir::ModuleOp module,
                                       llvm::raw_ostream &os);

/// Registers `--tile-to-pto` with mlir-translate style tools.
void registerTileToPTOTranslation();

} // namespace tessel

#endif // TESSEL_TARGET_PTO_H
