//===- Remarks.h - One-line remarks for scheduling decisions ----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// A pass's decision is one remark line at the op's location, plus the notes
// the pass attaches because they add information. `Operation::emitRemark`
// also attaches the whole operation ("see current operation: ...", dozens
// of lines for a scope) whenever the context prints ops on diagnostics,
// which is MLIR's default and what keeps errors informative; Tessel's
// remarks leave it out unless asked (`tessel-opt
// -tessel-print-op-on-remark`).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_SUPPORT_REMARKS_H
#define TESSEL_SUPPORT_REMARKS_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

namespace tessel {

/// A remark at `op`'s location; the op itself is attached as a note only
/// when setPrintOpOnRemark(true) was called.
mlir::InFlightDiagnostic emitDecision(mlir::Operation *op);

/// Whether emitDecision attaches the operation (default: no).
void setPrintOpOnRemark(bool print);

} // namespace tessel

#endif // TESSEL_SUPPORT_REMARKS_H
