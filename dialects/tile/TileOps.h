//===- TileOps.h - Operations of the tile dialect ---------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEOPS_H
#define TESSEL_DIALECT_TILE_TILEOPS_H

#include "tile/TileDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace tessel::tile {

/// Marks ops that run on a vector core (AIV) only.
template <typename ConcreteType>
class VectorOnly : public mlir::OpTrait::TraitBase<ConcreteType, VectorOnly> {
};

/// Marks ops that run on a cube core (AIC) only.
template <typename ConcreteType>
class CubeOnly : public mlir::OpTrait::TraitBase<ConcreteType, CubeOnly> {};

namespace detail {
mlir::LogicalResult verifyInCoreScope(mlir::Operation *op);
} // namespace detail

/// Marks ops that only exist inside a `tile.at` core scope.
template <typename ConcreteType>
class InCoreScope : public mlir::OpTrait::TraitBase<ConcreteType, InCoreScope> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return detail::verifyInCoreScope(op);
  }
};

/// Whether `op` may run on a core of `kind`.
bool isLegalOnCore(mlir::Operation *op, CoreKind kind);

/// Whether a core of `kind` has the instruction pipe `pipe` (vector cores:
/// s, v, mte2, mte3; cube cores: s, m, mte1, mte2, fix; a core group both).
bool isPipeOnCore(Pipe pipe, CoreKind kind);

} // namespace tessel::tile

#define GET_OP_CLASSES
#include "tile/TileOps.h.inc"

namespace tessel::tile {

/// The arithmetic of a broadcast op: `result[i, j] = input[i, j] <op> s`
/// with `s = scale[i, 0]` (per row) or `scale[0, j]` (per column);
/// `Expdif` is `exp(input[i, j] - s)`.
enum class ExpandArith { Add, Sub, Mul, Div, Max, Min, Expdif };

struct ExpandInfo {
  bool perRow;
  ExpandArith arith;
  /// PTO-ISA's instruction name (TROWEXPANDADD, TCOLEXPANDMUL, ...).
  llvm::StringRef ptoName;
};

/// The broadcast arithmetic ops tile.row_expand_<op> / tile.col_expand_<op>
/// (input, scale -> result of the input's type); std::nullopt for any
/// other op.
std::optional<ExpandInfo> getExpandInfo(mlir::Operation *op);

/// Byte columns of the packed predicate mask of an N-column comparison
/// (tile.cmp / tile.cmps): ceil(N / 8) bytes of bits, rounded up to 32
/// (PTO-ISA's a2a3 mask row alignment). N = 64 -> 32, N = 300 -> 64.
int64_t getPredicateMaskCols(int64_t cols);

/// A tile.matmul or tile.matmul_acc seen as `C[M, N] (+)= A[M, K] @ B[K, N]`:
/// the operands as stored (`lhs` is [K, M] under `aTrans`, `rhs` [N, K]
/// under `bTrans`) and the logical types `lhsType` [M, K] and `rhsType`
/// [K, N] that the cube multiplies (and that L0A / L0B hold).
struct MatmulView {
  mlir::Value acc; // null for tile.matmul
  mlir::Value lhs, rhs;
  bool aTrans = false, bTrans = false;
  TileType lhsType, rhsType;
  int64_t m = 0, k = 0, n = 0;
};

/// The view of `op` if it is a tile.matmul or tile.matmul_acc.
std::optional<MatmulView> getMatmulView(mlir::Operation *op);

/// `type` with its two dimensions swapped.
TileType getTransposedType(TileType type);

} // namespace tessel::tile

#endif // TESSEL_DIALECT_TILE_TILEOPS_H
