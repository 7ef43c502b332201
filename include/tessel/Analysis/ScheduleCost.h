//===- ScheduleCost.h - Modelled NPU time of a scheduled kernel -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The per-pipe model of TaskCost.h applied to a kernel: each `tile.spmd`
// scope's block walked op by op (loads on MTE2, stores on MTE3 / FIX,
// matmul operands on MTE1, vector instructions by class on V, MACs on M;
// `scf.for` and `tile.pipeline` trip counts; a `tile.pipeline` overlaps
// its pipes), its tasks in waves over the cores with dispatch, one scope
// after another with a boundary between them, and GM traffic through an L2
// model (docs/perf-model.md):
//
// - the first read of a GM tensor's bytes comes from HBM, later reads of
//   the same tensor (other blocks, later scopes) from L2, as long as the
//   tensor fits in L2 (a tensor larger than L2 always streams from HBM);
// - stores to the kernel's arguments go to HBM; stores to GM scratch
//   (`tile.alloc_gm`) that fits in L2 stay there; either is read back from
//   L2 (by later scopes, and by the scope that wrote it).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_SCHEDULECOST_H
#define TESSEL_ANALYSIS_SCHEDULECOST_H

#include "tessel/Analysis/TaskCost.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <memory>
#include <string>
#include <vector>

namespace tessel {

/// The model of one scope.
struct ScopeCost {
  std::string name;
  /// "vector" or "cube" (core_group scopes count as cube).
  std::string kind;
  int64_t blocks = 0;
  int64_t cores = 0;
  /// What one block keeps each pipe busy with, and for how long.
  PipeWork blockWork;
  PipeSeconds blockPipes;
  /// One block with its overlap (pipelined loops), one task dispatch.
  double blockSec = 0;
  double dispatchSec = 0;
  /// Start and length of the scope in the kernel (boundary included).
  double startSec = 0;
  double scopeSec = 0;
  /// "hbm", "vector", "cube" or "dispatch": the largest part of the scope.
  std::string bound;
  /// The scope's GM traffic, all blocks: reads from HBM and from L2,
  /// writes to HBM and to L2; the bytes tile.load and tile.store move.
  int64_t hbmReadBytes = 0, l2ReadBytes = 0, hbmWriteBytes = 0,
          l2WriteBytes = 0, loadBytes = 0, storeBytes = 0;
  /// Whether the scope has a pipelined loop (overlapped pipes).
  bool pipelined = false;
};

/// The model of a kernel.
struct ScheduleCost {
  std::vector<ScopeCost> scopes;
  double totalSec = 0;
  /// Every argument's bytes once (read or written): the least any schedule
  /// moves, and the time that takes at the effective HBM bandwidth.
  int64_t compulsoryBytes = 0;
  double hbmFloorSec = 0;
  /// HBM bytes under the L2 model, and the GM bytes of every tile.load /
  /// tile.store (what the chip's MTE2 / MTE3 move).
  int64_t hbmBytes = 0, gmLoadBytes = 0, gmStoreBytes = 0;
};

/// The model of `func` (scheduled tile IR: every scope a `vector` or `cube`
/// `tile.at`; placed or not) on `target`.
ScheduleCost modelSchedule(mlir::func::FuncOp func, const TargetInfo &target);

class ScopeModel;

/// The same model, one scope at a time, as the scheduling passes decide
/// with it (tile-form-scopes, tile-fuse-scopes, tile-tile-scopes): a scope
/// of `blocks` blocks, each one run of `body`'s regions (a `tile.spmd`, or
/// the `tile.at` of its block), on the cores of `kind`, its blocks grouped
/// into tasks by the least modelled makespan (chooseTaskGrouping). Two
/// differences from modelSchedule, both because the passes run before
/// tile-pipeline-loops: an `scf.for` whose body loads from GM counts as the
/// 2-stage pipeline that pass will make of it, and the scope boundary is
/// not counted (it is the same for every choice of one scope). L2 carries
/// over from one `estimate` to the next, as between the scopes of a kernel;
/// GM scratch counts as already in L2 (it is stored before it is read).
class ScopeEstimator {
public:
  explicit ScopeEstimator(const TargetInfo &target);
  ~ScopeEstimator();
  TaskGrouping estimate(mlir::Operation *body, int64_t blocks,
                        tile::CoreKind kind,
                        double tolerance = kGroupingTolerance);

private:
  std::unique_ptr<ScopeModel> model;
};

/// One scope on its own (a fresh ScopeEstimator).
TaskGrouping estimateScope(mlir::Operation *body, int64_t blocks,
                           tile::CoreKind kind, const TargetInfo &target,
                           double tolerance = kGroupingTolerance);

/// `cost` as JSON (seconds, bytes; per scope and in total).
std::string scheduleCostToJSON(const ScheduleCost &cost,
                               const TargetInfo &target);

} // namespace tessel

#endif // TESSEL_ANALYSIS_SCHEDULECOST_H
