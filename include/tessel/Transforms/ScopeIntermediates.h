//===- ScopeIntermediates.h - Keep a scope's GM intermediates on chip -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The rewrites tile-fuse-scopes applies inside a fused scope to the GM
// intermediates (tile.alloc_gm tensors) only that scope uses: forward a
// stored tile to its loads, or recompute it at them. Each comes as a find
// step (what would change, or why not) and an apply step, so that the pass
// can try the change on a copy, measure it, and then decide.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_SCOPEINTERMEDIATES_H
#define TESSEL_TRANSFORMS_SCOPEINTERMEDIATES_H

#include "tessel/Transforms/ScopeAccesses.h"

#include "llvm/ADT/DenseMap.h"

#include <string>
#include <utility>

namespace tessel {

/// A store whose tile can replace the loads of its GM tensor.
struct Forward {
  tile::StoreOp store;
  llvm::SmallVector<tile::LoadOp> loads;
  tile::AllocGmOp alloc;
};

/// The forwardable GM intermediates of the fused scope `at`: a tensor from
/// tile.alloc_gm used by nothing but one store at the top level of `at` and
/// loads of the same slice after it in `at`. `why` collects, per tensor
/// stored at the top level, the reason it is not forwardable.
llvm::SmallVector<Forward>
findForwards(tile::AtOp at,
             llvm::SmallVectorImpl<std::pair<mlir::Operation *, std::string>> &why);

/// Replaces the loads of `fwd` by the stored tile and drops the store (and
/// the tensor when nothing else uses it).
void applyForward(Forward &fwd);

/// A GM intermediate to recompute at its loads: its one store sits in
/// loops (variables `ivs`) of the scope; each load gets a clone of the ops
/// computing the stored tile (`slice`, in order), the loop variables mapped
/// per load.
struct Recompute {
  tile::StoreOp store;
  tile::AllocGmOp alloc;
  llvm::SmallVector<mlir::Value> ivs;
  llvm::SmallVector<std::pair<tile::LoadOp, llvm::DenseMap<mlir::Value, mlir::Value>>>
      loads;
  llvm::SmallVector<mlir::Operation *> slice;
};

/// The GM intermediate stored by `store` (in loops of `at`) as a Recompute,
/// or failure with `why` set: every load must follow the loops and read the
/// slice the store wrote (the same function of the loop variables); the
/// stored tile must come from pure ops and loads of tensors `at` does not
/// write, in the store's block.
mlir::FailureOr<Recompute> findRecompute(tile::AtOp at, tile::StoreOp store,
                                         std::string &why);

/// Recomputes the stored tile at every load of `rc` and drops the store,
/// the tensor and what becomes dead under `at`.
void applyRecompute(Recompute &rc, tile::AtOp at);

/// Erases the ops under `root` that are trivially dead (no uses, no effects
/// but reads), innermost first, until none is left.
void eraseDeadOps(mlir::Operation *root);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_SCOPEINTERMEDIATES_H
