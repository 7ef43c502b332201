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
  // The cube pipe's rates (TargetInfo's cube dtype table): 1048576 MACs
  // take 1048576 / (1.85e9 * 4096) s in bf16, half that in int8 (16 x 32 x
  // 16 MACs per cycle) and twice it in f32 (16 x 8 x 16: the 32-byte K rows
  // of a fractal hold 8 floats); a lookup of a pair the cube lacks finds
  // nothing.
  PipeWork f16w, i8w, f32w;
  f16w.cubeMacs = i8w.cubeMacsI8 = f32w.cubeMacsF32 = 16 * 128 * 512;
  check("cube-rates",
        near(getPipeSeconds(f16w, 24, a2a3).cube, 1048576 / (1.85e9 * 4096)) &&
            near(getPipeSeconds(i8w, 24, a2a3).cube,
                 1048576 / (1.85e9 * 8192)) &&
            near(getPipeSeconds(f32w, 24, a2a3).cube,
                 1048576 / (1.85e9 * 2048)) &&
            a2a3.findCubeDtype("f32", "f32") != nullptr &&
            a2a3.findCubeDtype("f16", "f16") == nullptr &&
            lookupTarget("a5")->findCubeDtype("i8", "i32") != nullptr);
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
  // A block's time depends on the cores streaming at once (their share of
  // GM bandwidth): 96 blocks on 48 cores, a block takes 0.05 x active s,
  // dispatch 0.1 s. G = 1: 2 waves x (0.1 + 2.4) = 5.0; G = 2: 48 active,
  // 1 x (0.1 + 2 x 2.4) = 4.9, the least; G = 3: 32 active, 0.1 + 3 x 1.6
  // = 4.9 too (every G >= 2 keeps 96 / G x G x 0.05 = 4.8 s of work on a
  // core and adds one dispatch); the largest of the ties: G = 96, one
  // core, 0.1 + 96 x 0.05 = 4.9.
  TaskGrouping shared = chooseTaskGrouping(
      96, 48, [](int64_t active) { return 0.05 * static_cast<double>(active); },
      0.1, 0.0);
  check("grouping-sees-active-cores", shared.group == 96 &&
                                          near(shared.seconds, 4.9) &&
                                          near(shared.ungroupedSeconds, 5.0));
  // With a block time independent of the cores it is chooseTaskGroup's:
  // G = 8, 16 tasks, 0.8 + 8 x 0.01 = 0.88; G = 1: 3 waves x 0.81.
  TaskGrouping fixed = chooseTaskGrouping(
      128, 48, [](int64_t) { return 0.01; }, 0.8, 0.05);
  check("grouping-fixed-block", fixed.group == 8 &&
                                    near(fixed.seconds, 0.88) &&
                                    near(fixed.ungroupedSeconds, 3 * 0.81));
  check("grouping-no-blocks",
        chooseTaskGrouping(0, 48, [](int64_t) { return 1.0; }, 0.1, 0.0)
                .group == 1);

  // -- the per-pipe model (docs/perf-model.md); a2a3 figures: 256-byte
  // repeats, 32 issue cycles per instruction, 1 / 2 / 2 / 4 cycles per
  // repeat (simple / cast / reduce / special), 1.85 GHz.
  // 1024 bytes: 32 + 4 x 1 = 36 cycles; 1000 bytes special: 32 + 4 x 4.
  check("vector-cycles-simple",
        near(getVectorInstrCycles(VectorOpClass::Simple, 1024, a2a3), 36));
  check("vector-cycles-special-rounds-repeats-up",
        near(getVectorInstrCycles(VectorOpClass::Special, 1000, a2a3), 48));
  check("vector-cycles-classes-ordered",
        getVectorInstrCycles(VectorOpClass::Cast, 4096, a2a3) ==
                getVectorInstrCycles(VectorOpClass::Reduce, 4096, a2a3) &&
            getVectorInstrCycles(VectorOpClass::Reduce, 4096, a2a3) <
                getVectorInstrCycles(VectorOpClass::Special, 4096, a2a3));
  // 1.2e12 B/s over 48 cores: 25e9 each; one core alone is capped at its
  // own 100e9, not the whole chip's 1.2e12.
  check("gm-share-split", near(getGmShare(1.2e12, 48, a2a3), 25e9));
  check("gm-share-per-core-cap", near(getGmShare(1.2e12, 1, a2a3), 100e9));
  // 25e3 HBM bytes at 25e9 B/s = 1 us; 1850 vector cycles at 1.85 GHz =
  // 1 us; 4096 x 1850 bf16 MACs at 4096 a cycle = 1 us; 4e3 L2 bytes at
  // 4e12 / 48 B/s = 48 ns.
  PipeWork w;
  w.hbmReadBytes = 25e3;
  w.l2ReadBytes = 4e3;
  w.vectorCycles = 1850;
  w.cubeMacs = 4096.0 * 1850;
  PipeSeconds ps = getPipeSeconds(w, 48, a2a3);
  check("pipe-seconds",
        near(ps.mte2, 1e-6 + 4e3 / (4e12 / 48)) && near(ps.vector, 1e-6) &&
            near(ps.cube, 1e-6) && ps.mte3 == 0 && ps.mte1 == 0);
  // A pipelined loop: 4 iterations of MTE2 3 s, V 1 s: 4 x 3 + 1 = 13
  // (serially 16); no iterations, no time.
  PipeSeconds it;
  it.mte2 = 3;
  it.vector = 1;
  check("pipelined-overlap", near(getPipelinedSeconds(it, 4), 13) &&
                                 getPipelinedSeconds(it, 0) == 0);
  check("bound-hbm", it.bound() == "hbm");
  it.vector = 5;
  check("bound-vector", it.bound() == "vector");
  // 64 blocks of 1 us on 48 cores: 2 waves x (0.8 + 1) us + the 2 us
  // boundary = 5.6 us.
  check("scope-seconds", near(getScopeSeconds(64, 48, 1e-6, a2a3), 5.6e-6));
  return failed ? 1 : 0;
}
