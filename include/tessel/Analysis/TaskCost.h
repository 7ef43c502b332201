//===- TaskCost.h - Modelled time of a scope's tasks ------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The cost model `tile-tile-scopes` groups blocks into tasks with. Pure
// functions of a few numbers, unit-tested on their own
// (test/lib/Analysis/TaskCostTest.cpp). The figures come from the target
// (tessel/Support/TargetInfo.h): effective HBM bandwidth, cube rate, task
// dispatch time.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_TASKCOST_H
#define TESSEL_ANALYSIS_TASKCOST_H

#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Support/TargetInfo.h"
#include "tile/TileDialect.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <string>

namespace tessel {

/// Modelled seconds one block takes on one of `cores` cores: its GM bytes at
/// a 1 / `cores` share of the effective HBM bandwidth (every core streams at
/// once), or its cube multiply-accumulates at the cube's rate, whichever is
/// longer.
double estimateBlockSeconds(const GmTraffic &block, int64_t cores,
                            const TargetInfo &target);

/// Modelled makespan of `blocks` blocks run `group` per task on `cores`
/// cores: ceil(blocks / group / cores) waves, each one task dispatch plus
/// `group` blocks.
double estimateMakespan(int64_t blocks, int64_t group, int64_t cores,
                        double blockSeconds, double dispatchSeconds);

/// The divisors of `n` (n >= 1), ascending, found by trial division up to
/// sqrt(n); empty for n < 1.
llvm::SmallVector<int64_t> getDivisors(int64_t n);

/// The largest divisor G of `blocks` (fewest tasks) whose modelled makespan
/// is within `tolerance` (a fraction) of the least over all divisors: the
/// model is an estimate, and fewer tasks cost the runtime less than it
/// counts.
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

/// The modelled makespan of `blocks` blocks of `block` traffic each on
/// `cores` cores, grouped as tile-tile-scopes groups them
/// (chooseTaskGroup with kGroupingTolerance).
double estimateGroupedMakespan(int64_t blocks, const GmTraffic &block,
                               int64_t cores, const TargetInfo &target);

} // namespace tessel

#endif // TESSEL_ANALYSIS_TASKCOST_H
