//===- Remarks.cpp - One-line remarks for scheduling decisions ------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/Remarks.h"

#include <atomic>

using namespace mlir;

static std::atomic<bool> printOpOnRemark{false};

void tessel::setPrintOpOnRemark(bool print) { printOpOnRemark = print; }

InFlightDiagnostic tessel::emitDecision(Operation *op) {
  InFlightDiagnostic diag = mlir::emitRemark(op->getLoc());
  if (printOpOnRemark)
    diag.attachNote(op->getLoc()) << "see current operation: " << *op;
  return diag;
}
