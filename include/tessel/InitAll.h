//===- InitAll.h - Register everything Tessel uses --------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// One place that lists the dialects, extensions and passes of Tessel, used by
// tessel-opt and by the Python bindings so both run the same thing.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_INITALL_H
#define TESSEL_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace tessel {

/// The tile dialect, the upstream dialects the pipelines produce, and their
/// interface extensions (e.g. LLVM translation, ConvertToLLVM).
void registerAllDialects(mlir::DialectRegistry &registry);

/// Every Tessel pass and pipeline, plus the upstream passes the pipelines use.
void registerAllPasses();

} // namespace tessel

#endif // TESSEL_INITALL_H
