//===- TaskCost.h - Modelled time of a scope's tasks ------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The per-pipe cost model of the NPU time (docs/perf-model.md) as pure
// functions of numbers, unit-tested on their own
// (test/lib/Analysis/TaskCostTest.cpp): what one block keeps each pipe
// busy with and for how long, pipelined overlap, waves of tasks over the
// cores, and the grouping of blocks into tasks. The walk over tile IR that
// feeds it is tessel/Analysis/ScheduleCost.h (the whole kernel, and one
// scope at a time for the scheduling passes). The figures come from the
// target (tessel/Support/TargetInfo.h).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_TASKCOST_H
#define TESSEL_ANALYSIS_TASKCOST_H

#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Support/TargetInfo.h"
#include "tile/TileDialect.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>

namespace tessel {

/// Seconds one cube core needs for `macsF16` bf16 / f16, `macsI8` int8 and
/// `macsF32` f32 multiply-accumulates, each at its rate in the target's cube
/// dtype table (TargetInfo::cubeDtypes).
double getCubeSeconds(double macsF16, double macsI8, double macsF32,
                      const TargetInfo &target);

/// Modelled makespan of `blocks` blocks run `group` per task on `cores`
/// cores: ceil(blocks / group / cores) waves, each one task dispatch plus
/// `group` blocks.
double estimateMakespan(int64_t blocks, int64_t group, int64_t cores,
                        double blockSeconds, double dispatchSeconds);

/// The divisors of `n` (n >= 1), ascending, found by trial division up to
/// sqrt(n); empty for n < 1.
llvm::SmallVector<int64_t> getDivisors(int64_t n);

/// A grouping of a scope's blocks into tasks, with its modelled makespan
/// and the ungrouped one (G = 1), in seconds.
struct TaskGrouping {
  int64_t group = 1;
  double seconds = 0;
  double ungroupedSeconds = 0;
};

/// The largest divisor G of `blocks` (fewest tasks) whose modelled makespan
/// is within `tolerance` (a fraction) of the least over all divisors: the
/// model is an estimate, and fewer tasks cost the runtime less than it
/// counts. A block takes `blockSeconds(activeCores)` when
/// min(blocks / G, cores) cores run at once (their share of GM bandwidth
/// depends on it); G blocks per task, ceil(blocks / G / cores) waves of
/// dispatch + G blocks (estimateMakespan).
TaskGrouping
chooseTaskGrouping(int64_t blocks, int64_t cores,
                   llvm::function_ref<double(int64_t activeCores)> blockSeconds,
                   double dispatchSeconds, double tolerance);

/// chooseTaskGrouping with a block time that does not depend on the cores
/// running at once; the group.
int64_t chooseTaskGroup(int64_t blocks, int64_t cores, double blockSeconds,
                        double dispatchSeconds, double tolerance = 0.0);

/// The cores a scope of `kind` runs on: vector cores, else cube cores (a
/// core_group scope runs on one cube core and its vector cores, so there
/// are as many core groups as cube cores).
int64_t getCoreCount(tile::CoreKind kind, const TargetInfo &target);

/// `seconds` in microseconds with two decimals, for remarks ("3.42").
std::string formatMicros(double seconds);

/// The tolerance tile-tile-scopes groups with.
constexpr double kGroupingTolerance = 0.05;

//===----------------------------------------------------------------------===//
// The per-pipe model (docs/perf-model.md): what one block keeps each pipe of
// its core busy with, the seconds that takes, and how pipelined loops
// overlap the pipes. Pure functions of numbers; the walk over the IR is in
// tessel/Analysis/ScheduleCost.h.
//===----------------------------------------------------------------------===//

/// The classes of vector instructions, each at its own rate.
enum class VectorOpClass { Simple, Cast, Reduce, Special };

/// "simple", "cast", "reduce", "special".
llvm::StringRef getVectorOpClassName(VectorOpClass cls);

/// Cycles of one vector instruction over `bytes` bytes (its largest tile):
/// the fixed issue cycles plus ceil(bytes / repeat bytes) repeats at the
/// class's cycles per repeat.
double getVectorInstrCycles(VectorOpClass cls, int64_t bytes,
                            const TargetInfo &target);

/// What one run of some IR keeps each pipe busy with.
struct PipeWork {
  /// MTE2: GM -> chip bytes served by HBM and by L2.
  double hbmReadBytes = 0;
  double l2ReadBytes = 0;
  /// MTE3 (UB -> GM) and FIX (L0C -> GM) bytes, to HBM or to L2.
  double hbmWriteBytes = 0;
  double l2WriteBytes = 0;
  bool writesFromL0C = false;
  /// MTE1: L1 -> L0A / L0B bytes.
  double mte1Bytes = 0;
  /// V: cycles and instructions.
  double vectorCycles = 0;
  int64_t vectorInstrs = 0;
  /// M: multiply-accumulates (bf16 / f16, int8 and f32 operands).
  double cubeMacs = 0;
  double cubeMacsI8 = 0;
  double cubeMacsF32 = 0;

  PipeWork &operator+=(const PipeWork &other);
  PipeWork &operator*=(double times);
};

/// Seconds each pipe is busy.
struct PipeSeconds {
  double mte2 = 0, mte3 = 0, mte1 = 0, vector = 0, cube = 0;
  /// The pipes one after another (no overlap).
  double sum() const { return mte2 + mte3 + mte1 + vector + cube; }
  /// The busiest pipe (perfect overlap).
  double max() const;
  /// "hbm" (MTE2 / MTE3), "vector" or "cube" (M and MTE1): the busiest.
  llvm::StringRef bound() const;
  PipeSeconds &operator+=(const PipeSeconds &other);
  PipeSeconds &operator*=(double times);
};

/// One core's share of GM bandwidth when `activeCores` cores stream at
/// once: min(bandwidth / activeCores, the per-core ceiling).
double getGmShare(double bandwidth, int64_t activeCores,
                  const TargetInfo &target);

/// The seconds of `work` on one of `activeCores` cores running at once.
PipeSeconds getPipeSeconds(const PipeWork &work, int64_t activeCores,
                           const TargetInfo &target);

/// Seconds of `trips` iterations of a software-pipelined loop whose one
/// iteration keeps the pipes busy `perIteration`: the busiest pipe sets the
/// pace, the others add one iteration of fill and drain:
///   trips * max + (sum - max)     (trips >= 1; 0 for no trips).
double getPipelinedSeconds(const PipeSeconds &perIteration, int64_t trips);

/// Modelled seconds of a scope of `blocks` tasks of `blockSeconds` each on
/// `cores` cores: waves of dispatch + block, plus the boundary to the next
/// scope.
double getScopeSeconds(int64_t blocks, int64_t cores, double blockSeconds,
                       const TargetInfo &target);

} // namespace tessel

#endif // TESSEL_ANALYSIS_TASKCOST_H
