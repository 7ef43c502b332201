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
  int64_t tasks = blocks / group;
  int64_t waves = (tasks + cores - 1) / cores;
  return static_cast<double>(waves) *
         (dispatchSeconds + static_cast<double>(group) * blockSeconds);
}

int64_t tessel::chooseTaskGroup(int64_t blocks, int64_t cores,
                                double blockSeconds, double dispatchSeconds,
                                double tolerance) {
  // The fastest modelled makespan, then the largest group within
  // `tolerance` of it.
  double fastest = estimateMakespan(blocks, 1, cores, blockSeconds,
                                    dispatchSeconds);
  for (int64_t g = 2; g <= blocks; ++g)
    if (blocks % g == 0)
      fastest = std::min(fastest, estimateMakespan(blocks, g, cores,
                                                   blockSeconds,
                                                   dispatchSeconds));
  int64_t best = 1;
  for (int64_t g = 1; g <= blocks; ++g)
    if (blocks % g == 0 &&
        estimateMakespan(blocks, g, cores, blockSeconds, dispatchSeconds) <=
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
