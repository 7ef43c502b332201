//===- ScopeAccesses.h - The GM accesses of a scope -------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The GM loads and stores of a `tile.at` scope and the questions fusion asks
// of them: do two accesses touch the same slice in the same block, can two
// blocks' accesses overlap, does an access run every time its scope does.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_SCOPEACCESSES_H
#define TESSEL_TRANSFORMS_SCOPEACCESSES_H

#include "tile/TileOps.h"

#include <string>

namespace tessel {

/// One GM access of a scope: a tile.load or a tile.store.
struct ScopeAccess {
  mlir::Operation *op;
  mlir::Value memref;
  llvm::SmallVector<mlir::Value> indices;
  tile::TileType tile;
  bool write;

  /// The access a tile.load makes.
  static ScopeAccess of(tile::LoadOp load);
  /// The access a tile.store makes.
  static ScopeAccess of(tile::StoreOp store);
  /// Whether the access reads or writes only a partial tile's valid region.
  bool hasValidShape() const;
};

/// Whether `op` is a tile.store {atomic_add}: such stores into one region
/// commute, so two of them are neither a race nor an order between scopes
/// (a plain access against one still is).
inline bool isAtomicAddStore(mlir::Operation *op) {
  auto store = llvm::dyn_cast<tile::StoreOp>(op);
  return store && store.getAtomicAdd();
}

/// The single tile.at of `spmd` when every use of the block index is inside
/// it, else null. Other ops in the spmd body make it null, unless
/// `allowPureOps` and they are pure (run once per block either way).
tile::AtOp getOnlyScope(tile::SpmdOp spmd, bool allowPureOps = false);

/// Collects every GM access under `root`; fails (having collected them
/// all) when an op other than tile.load and tile.store has a memref operand.
mlir::LogicalResult
collectScopeAccesses(mlir::Operation *root,
                     llvm::SmallVectorImpl<ScopeAccess> &out);

/// A name for a GM tensor in remarks: 'name' of its tile.alloc_gm,
/// "argument N", or "a GM tensor".
std::string describeTensor(mlir::Value memref);

/// Whether index expressions `a` (in the scope of block index `blkA`) and
/// `b` (block index `blkB`) compute the same function of the block index:
/// the same pure ops over the same constants and outer values. Loop
/// variables and other block arguments never match.
bool isSameBlockFunction(mlir::Value a, mlir::Value b, mlir::Value blkA,
                         mlir::Value blkB);

/// Whether two accesses of one memref touch the same slice in the same
/// block: same tile type, offsets the same functions of the block index.
bool isSameSlice(const ScopeAccess &a, const ScopeAccess &b, mlir::Value blkA,
                 mlir::Value blkB);

/// Whether `op` runs every time its scope `at` does: every op between them
/// is a loop with constant bounds that runs at least once.
bool runsWheneverScopeRuns(mlir::Operation *op, tile::AtOp at);

/// Whether two accesses of one memref, made by blocks b and b' of one
/// scope, can only overlap when b == b': in some dimensions both offsets
/// are `x * s + r` over the same block expression x, with r (a constant,
/// plus loop variables of loops inside the scope) and the extent inside
/// [0, s), and those x determine b (b itself, or b / K and b % K).
bool pinsBlock(const ScopeAccess &a, const ScopeAccess &b, mlir::Value blkA,
               mlir::Value blkB);

/// Checks every tile.load and tile.store under `root` whose offsets depend
/// on a block index or loop variable against its memref, over every value
/// the offsets take (GridBounds.cpp); emits an error at each access that
/// leaves it.
mlir::LogicalResult checkGridSlices(mlir::Operation *root);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_SCOPEACCESSES_H
