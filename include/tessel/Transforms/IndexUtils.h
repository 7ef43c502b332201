//===- IndexUtils.h - Block-index arithmetic helpers -------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Helpers for the index arithmetic of scope bodies: the range of an index
// value (block index, loop variables, their quotients and remainders), the
// simplification of `x / D` and `x % D` when x = u * Q + R with 0 <= R < u
// and u dividing D (what regrouping blocks produces), and the regrouping
// itself.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_INDEXUTILS_H
#define TESSEL_TRANSFORMS_INDEXUTILS_H

#include "tile/TileOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <optional>

namespace tessel {

/// An inclusive integer range.
struct IndexRange {
  int64_t lo = 0, hi = 0;
};

/// An index expression as `sum(coef * atom) + constant`, looking through
/// `arith.addi`, `arith.subi` and multiplications by constants.
struct LinearIndex {
  llvm::SmallVector<std::pair<mlir::Value, int64_t>> terms;
  int64_t constant = 0;
};
LinearIndex linearizeIndex(mlir::Value v);

/// Whether index values `a` and `b` have the same linear form (same atoms
/// with the same coefficients, same constant): they are then equal.
bool isSameLinearIndex(mlir::Value a, mlir::Value b);

/// Whether `a` and `b` are computed by the same pure single-result ops (same
/// names, attributes and operands, recursively, 16 levels at most) over
/// matching leaves. `leaf` sees every pair first: true or false decides it,
/// none goes on (equal integer constants and identical values then match,
/// else the defining ops are compared).
bool isSameExprTree(
    mlir::Value a, mlir::Value b,
    llvm::function_ref<std::optional<bool>(mlir::Value, mlir::Value)> leaf);

/// The range of a linear index from its atoms' ranges (getIndexRange of
/// each), or none when an atom's is unknown.
std::optional<IndexRange> getLinearRange(const LinearIndex &l);

/// The range of index value `v`: a constant; the block index of a
/// `tile.spmd` ([0, blocks)); the variable of an `scf.for` or
/// `tile.pipeline` with constant bounds; sums, differences and constant
/// multiples of those; quotients and remainders by positive constants of
/// non-negative ones. None when unknown.
std::optional<IndexRange> getIndexRange(mlir::Value v);

/// Rewrites every `arith.divsi`, `arith.divui`, `arith.floordivsi`,
/// `arith.remsi` and `arith.remui` by a positive constant D under `root`
/// whose dividend is, over values of known range, x = u * Q + R with u
/// dividing D, 0 <= R < u and Q >= 0: x / D becomes Q / (D / u) (Q when
/// u = D) and x % D becomes (Q % (D / u)) * u + R (R when u = D); the
/// block index of a one-block `tile.spmd` becomes 0. Returns the number of
/// rewrites.
int64_t simplifyIndices(mlir::Operation *root);

/// How `regroupBlocks` maps a new block `blk` and its loop variable `i` to
/// an old block index.
enum class GroupOrder {
  /// blk * G + i: each task runs G consecutive blocks.
  Consecutive,
  /// i * (N / G) + blk: each task runs blocks N / G apart.
  Strided,
};

/// Makes the N-block `spmd` (whose block index is used only inside `at`) a
/// grid of N / G blocks, each running G old blocks in sequence: the body of
/// `at` is wrapped in `scf.for %i = 0 to G` and the old block index is
/// rebuilt from the new one and %i by `order`; then simplifies the index
/// arithmetic under `at`. Returns the loop. `group` must divide N.
mlir::scf::ForOp regroupBlocks(tile::SpmdOp spmd, tile::AtOp at,
                               int64_t group, GroupOrder order);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_INDEXUTILS_H
