//===- GmTraffic.h - Static GM traffic of tile IR ----------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The bytes a piece of tile IR moves between global memory and the chip,
// counted statically: one source of truth for the fusion and grouping cost
// models and for the schedule statistics the Python driver reports.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_GMTRAFFIC_H
#define TESSEL_ANALYSIS_GMTRAFFIC_H

#include "mlir/IR/Operation.h"

namespace tessel {

/// GM bytes read by `tile.load` and written by `tile.store`, and the cube
/// multiply-accumulates of `tile.matmul` / `tile.matmul_acc` (M x N x K),
/// int8 and f32 operands apart (the cube runs them at other rates).
struct GmTraffic {
  int64_t readBytes = 0;
  int64_t writtenBytes = 0;
  int64_t cubeMacs = 0;
  int64_t cubeMacsI8 = 0;
  int64_t cubeMacsF32 = 0;

  int64_t total() const { return readBytes + writtenBytes; }
  GmTraffic &operator+=(const GmTraffic &other) {
    readBytes += other.readBytes;
    writtenBytes += other.writtenBytes;
    cubeMacs += other.cubeMacs;
    cubeMacsI8 += other.cubeMacsI8;
    cubeMacsF32 += other.cubeMacsF32;
    return *this;
  }
  GmTraffic &operator*=(int64_t times) {
    readBytes *= times;
    writtenBytes *= times;
    cubeMacs *= times;
    cubeMacsI8 *= times;
    cubeMacsF32 *= times;
    return *this;
  }
};

/// The GM traffic of one run of `root`: every `tile.load` and `tile.store`
/// under it counts its tile's bytes times the static trip counts of the
/// `scf.for` and `tile.pipeline` loops between it and `root` (1 when a
/// bound is not constant); an `scf.if` counts its larger branch in each
/// direction; a `tile.spmd` under `root` counts its body once per block.
GmTraffic countGmTraffic(mlir::Operation *root);

/// The static trip count of `op` when it is a loop with constant bounds
/// and a positive step (0 for an empty range), 1 otherwise (not a loop, or
/// bounds unknown).
int64_t getStaticTripCount(mlir::Operation *op);

/// Bytes a tile.load reads or a tile.store writes: a partial tile's valid
/// region where its extents are static, its whole window where they are
/// runtime values (an upper bound).
int64_t getAccessBytes(mlir::Operation *loadOrStore);

} // namespace tessel

#endif // TESSEL_ANALYSIS_GMTRAFFIC_H
