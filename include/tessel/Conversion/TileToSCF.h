//===- TileToSCF.h - Lower tile IR to loops over arenas ---------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The tile half of the CPU simulation: tile IR to scf / memref / arith /
// math / vector, with every tile a view into a per-core arena (placed mode
// reads docs/placement.md's `place` attributes). Used by the
// `convert-tile-to-scf` and `convert-tile-to-llvm` passes.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_CONVERSION_TILETOSCF_H
#define TESSEL_CONVERSION_TILETOSCF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"

namespace tessel {

/// Options of the tile lowering.
struct TileToSCFOptions {
  /// Worker threads running the spmd blocks; 1 lowers tile.spmd to a plain
  /// loop, more to an scf.parallel over the workers.
  int64_t threads = 1;
};

/// Lowers the tile ops of `func` in place. Emits a diagnostic and fails on
/// an invalid placement or an op the simulation cannot run; the function is
/// then left unchanged.
mlir::LogicalResult lowerTileToSCF(mlir::func::FuncOp func,
                                   const TileToSCFOptions &options);

} // namespace tessel

#endif // TESSEL_CONVERSION_TILETOSCF_H
