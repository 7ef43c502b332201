//===- TaskCostTest.cpp - Unit tests of the task cost model ----------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Hand-computed cases of tessel/Analysis/TaskCost.h; prints PASS/FAIL per
// case and exits non-zero on any failed check.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TaskCost.h"

#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace tessel;

static int failed = 0;

static void check(const char *name, bool ok) {
  llvm::outs() << (ok ? "PASS " : "FAIL ") << name << "\n";
  failed += !ok;
}

static bool near(double a, double b) {
  return std::fabs(a - b) <= 1e-12 + 1e-9 * std::fabs(b);
}

int main() {
  const TargetInfo &a2a3 = *lookupTarget("a2a3");
  // 48 vector cores share 1.2e12 B/s: 25e9 B/s each; 2500 bytes = 0.1 us.
  GmTraffic mem;
  mem.readBytes = 2000;
  mem.writtenBytes = 500;
  check("memory-bound-block",
        near(estimateBlockSeconds(mem, 48, a2a3), 2500 / 25e9));
  // 64 x 256 x 512 bf16 MACs = 8388608 at 1.85e9 x 4096 per second
  // (1.11 us); 8192 bytes at 50e9 B/s (24 cores) take 0.16 us.
  GmTraffic cube;
  cube.readBytes = 8192;
  cube.cubeMacs = 64 * 256 * 512;
  check("cube-bound-block",
        near(estimateBlockSeconds(cube, 24, a2a3), 8388608 / (1.85e9 * 4096)));
  // int8 runs at twice the MACs per cycle.
  GmTraffic i8;
  i8.cubeMacsI8 = 16 * 128 * 512;
  check("int8-rate",
        near(estimateBlockSeconds(i8, 24, a2a3), 1048576 / (1.85e9 * 8192)));
  // 64 blocks on 48 cores: 2 waves of (1 + 1) = 4 ungrouped; by 2, 32 tasks
  // in 1 wave of 1 + 2 = 3.
  check("makespan-waves", near(estimateMakespan(64, 1, 48, 1.0, 1.0), 4.0) &&
                              near(estimateMakespan(64, 2, 48, 1.0, 1.0), 3.0));
  // Dispatch-dominated tiny blocks (0.1 s, dispatch 1 s), 2048 blocks on
  // 48 cores: G = 32 -> 64 tasks, 2 waves x (1 + 3.2) = 8.4; G = 64 -> 32
  // tasks, 1 x (1 + 6.4) = 7.4; G = 128 -> 16 tasks, 1 + 12.8. So 64.
  check("tiny-blocks-group-below-cores",
        chooseTaskGroup(2048, 48, 0.1, 1.0) == 64);
  // Long blocks (10 s, dispatch 1 s), 256 blocks on 24 cores: G = 4 -> 64
  // tasks, 3 waves x 41 = 123; G = 8 -> 32 tasks, 2 x 81 = 162; G = 2 ->
  // 128 tasks, 6 x 21 = 126; G = 1 -> 11 x 11 = 121. Ungrouped wins.
  check("long-blocks-stay-balanced", chooseTaskGroup(256, 24, 10.0, 1.0) == 1);
  // Ties go to the larger group: 96 blocks of 1 s on 48 cores with no
  // dispatch cost: G = 1 (2 waves x 1) and G = 2 (1 wave x 2) tie at 2.
  check("tie-prefers-fewer-tasks", chooseTaskGroup(96, 48, 1.0, 0.0) == 2);
  // No more blocks than cores and free dispatch: G = 1 (1 wave of 1).
  check("few-blocks-ungrouped", chooseTaskGroup(8, 48, 1.0, 0.0) == 1);
  // A tolerance takes the largest group within it of the fastest: 128
  // blocks of 0.01 s, dispatch 0.8 s, 48 cores: G = 4 (32 tasks) takes
  // 0.84 s, the least; G = 8 (16 tasks) 0.88, 4.8% more; G = 16 0.96.
  check("tolerance-prefers-fewer-tasks",
        chooseTaskGroup(128, 48, 0.01, 0.8) == 4 &&
            chooseTaskGroup(128, 48, 0.01, 0.8, 0.05) == 8 &&
            chooseTaskGroup(128, 48, 0.01, 0.8, 0.2) == 16);
  return failed ? 1 : 0;
}
