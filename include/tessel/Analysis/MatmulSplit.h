//===- MatmulSplit.h - K steps of a matmul that fit L0A / L0B ---*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The plan behind `tile-split-matmul-k`, a pure function of the matmul's
// shape, its operand element size and the target's L0A / L0B (no IR types,
// unit-tested by tessel-matmul-split-test): how many K steps of which size
// feed the cube a [M, K] x [K, N] product whose operands do not fit L0A /
// L0B whole.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_MATMULSPLIT_H
#define TESSEL_ANALYSIS_MATMULSPLIT_H

#include "tessel/Support/TargetInfo.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tessel {

/// How a matmul is split along K: `steps` steps of `kStep` (steps == 1:
/// the operands fit whole).
struct KSplit {
  int64_t steps = 1;
  int64_t kStep = 0;
};

/// The K granule of cube operands of `elementBytes`-byte elements: a window
/// boundary must fall on a cube fractal row (the K rows of the rhs, or of an
/// a_trans lhs) and on a 32-byte block (the K columns of the lhs, or of a
/// b_trans rhs), so that TEXTRACT moves whole fractals and no padding is
/// multiplied: lcm(16, 32 / elementBytes) on a2a3 and a5 (16 for 2- and
/// 4-byte elements, 32 for int8).
int64_t getKGranule(int64_t elementBytes, const TargetInfo &target);

/// Bytes of an [rows, cols] cube operand in `kind` (L0A or L0B: whole
/// fractals, at the kind's alignment).
int64_t getL0OperandBytes(int64_t rows, int64_t cols, int64_t elementBytes,
                          BufferKind kind, const TargetInfo &target);

/// The fewest K steps for which the [m, kStep] lhs fits L0A and the
/// [kStep, n] rhs fits L0B, with kStep dividing k and a multiple of the K
/// granule; {1, k} when the whole operands fit. nullopt when there is no
/// such split, with the reason in `why` (named with `dtype`, e.g. "f32"):
/// k is not a multiple of the granule, or even one granule of K overflows
/// L0A (m too large) or L0B (n too large).
std::optional<KSplit> planKSplit(int64_t m, int64_t k, int64_t n,
                                 int64_t elementBytes, llvm::StringRef dtype,
                                 const TargetInfo &target, std::string &why);

} // namespace tessel

#endif // TESSEL_ANALYSIS_MATMULSPLIT_H
