//===- TaskCost.cpp - Modelled time of a scope's tasks ---------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TaskCost.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace tessel;

double tessel::estimateBlockSeconds(const GmTraffic &block, int64_t cores,
                                    const TargetInfo &target) {
  double bandwidth = target.hbmEffectiveBytesPerSec / std::max<int64_t>(cores, 1);
  double memory = static_cast<double>(block.total()) / bandwidth;
  double cube =
      static_cast<double>(block.cubeMacs) /
          (target.cubeClockHz * static_cast<double>(target.cubeMacsPerCycleF16)) +
      static_cast<double>(block.cubeMacsI8) /
          (target.cubeClockHz * static_cast<double>(target.cubeMacsPerCycleI8));
  return std::max(memory, cube);
}

double tessel::estimateMakespan(int64_t blocks, int64_t group, int64_t cores,
                                double blockSeconds, double dispatchSeconds) {
  group = std::max<int64_t>(group, 1);
  cores = std::max<int64_t>(cores, 1);
  int64_t tasks = blocks / group;
  int64_t waves = (tasks + cores - 1) / cores;
  return static_cast<double>(waves) *
         (dispatchSeconds + static_cast<double>(group) * blockSeconds);
}

llvm::SmallVector<int64_t> tessel::getDivisors(int64_t n) {
  llvm::SmallVector<int64_t> small, large;
  if (n < 1)
    return small;
  // Trial division up to sqrt(n): at most 46341 steps for any int32 grid
  // and independent of how the blocks are used.
  for (int64_t d = 1; d <= n / d; ++d) {
    if (n % d)
      continue;
    small.push_back(d);
    if (d != n / d)
      large.push_back(n / d);
  }
  small.append(large.rbegin(), large.rend());
  return small;
}

int64_t tessel::chooseTaskGroup(int64_t blocks, int64_t cores,
                                double blockSeconds, double dispatchSeconds,
                                double tolerance) {
  // The fastest modelled makespan, then the largest group within
  // `tolerance` of it. Only the divisors of the block count are candidates,
  // so the work is the factorisation, not the blocks.
  if (blocks < 1)
    return 1;
  llvm::SmallVector<int64_t> divisors = getDivisors(blocks);
  double fastest = estimateMakespan(blocks, 1, cores, blockSeconds,
                                    dispatchSeconds);
  for (int64_t g : divisors)
    fastest = std::min(fastest, estimateMakespan(blocks, g, cores,
                                                 blockSeconds,
                                                 dispatchSeconds));
  int64_t best = 1;
  for (int64_t g : divisors)
    if (estimateMakespan(blocks, g, cores, blockSeconds, dispatchSeconds) <=
        fastest * (1 + tolerance) * (1 + 1e-9))
      best = g;
  return best;
}

double tessel::estimateGroupedMakespan(int64_t blocks, const GmTraffic &block,
                                       int64_t cores, const TargetInfo &target) {
  double sec = estimateBlockSeconds(block, cores, target);
  int64_t group = chooseTaskGroup(blocks, cores, sec, target.taskDispatchSec,
                                  kGroupingTolerance);
  return estimateMakespan(blocks, group, cores, sec, target.taskDispatchSec);
}

int64_t tessel::getCoreCount(tile::CoreKind kind, const TargetInfo &target) {
  return kind == tile::CoreKind::vector ? target.vectorCores
                                        : target.cubeCores;
}

std::string tessel::formatMicros(double seconds) {
  return llvm::formatv("{0:F2}", seconds * 1e6).str();
}
