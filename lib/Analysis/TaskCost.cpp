//===- TaskCost.cpp - Modelled time of a scope's tasks ---------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TaskCost.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>

using namespace tessel;

double tessel::getCubeSeconds(double macsF16, double macsI8, double macsF32,
                              const TargetInfo &target) {
  auto at = [&](double macs, llvm::StringRef operand) {
    if (macs == 0)
      return 0.0;
    // A multiply the target lacks is rejected by the matmul verifier; cost
    // it at the f16 rate rather than divide by zero.
    int64_t rate = target.getCubeMacsPerCycle(operand);
    if (rate <= 0)
      rate = target.getCubeMacsPerCycle("f16");
    return macs / (target.cubeClockHz * static_cast<double>(rate));
  };
  return at(macsF16, "f16") + at(macsI8, "i8") + at(macsF32, "f32");
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

TaskGrouping tessel::chooseTaskGrouping(
    int64_t blocks, int64_t cores,
    llvm::function_ref<double(int64_t activeCores)> blockSeconds,
    double dispatchSeconds, double tolerance) {
  // The fastest modelled makespan, then the largest group within
  // `tolerance` of it. Only the divisors of the block count are candidates,
  // so the work is the factorisation, not the blocks.
  TaskGrouping out;
  if (blocks < 1)
    return out;
  cores = std::max<int64_t>(cores, 1);
  llvm::SmallVector<int64_t> divisors = getDivisors(blocks);
  llvm::SmallVector<double> makespans;
  for (int64_t g : divisors) {
    int64_t active = std::min(blocks / g, cores);
    makespans.push_back(estimateMakespan(blocks, g, cores,
                                         blockSeconds(active),
                                         dispatchSeconds));
  }
  double fastest = *std::min_element(makespans.begin(), makespans.end());
  out.ungroupedSeconds = makespans.front();
  out.seconds = makespans.front();
  for (auto [g, t] : llvm::zip(divisors, makespans))
    if (t <= fastest * (1 + tolerance) * (1 + 1e-9)) {
      out.group = g;
      out.seconds = t;
    }
  return out;
}

int64_t tessel::chooseTaskGroup(int64_t blocks, int64_t cores,
                                double blockSeconds, double dispatchSeconds,
                                double tolerance) {
  return chooseTaskGrouping(
             blocks, cores, [&](int64_t) { return blockSeconds; },
             dispatchSeconds, tolerance)
      .group;
}

int64_t tessel::getCoreCount(tile::CoreKind kind, const TargetInfo &target) {
  return kind == tile::CoreKind::vector ? target.vectorCores
                                        : target.cubeCores;
}

std::string tessel::formatMicros(double seconds) {
  return llvm::formatv("{0:F2}", seconds * 1e6).str();
}

//===----------------------------------------------------------------------===//
// The per-pipe model
//===----------------------------------------------------------------------===//

llvm::StringRef tessel::getVectorOpClassName(VectorOpClass cls) {
  switch (cls) {
  case VectorOpClass::Simple:
    return "simple";
  case VectorOpClass::Cast:
    return "cast";
  case VectorOpClass::Reduce:
    return "reduce";
  case VectorOpClass::Special:
    return "special";
  }
  return "simple";
}

double tessel::getVectorInstrCycles(VectorOpClass cls, int64_t bytes,
                                    const TargetInfo &target) {
  double perRepeat = target.vectorCyclesPerRepeatSimple;
  switch (cls) {
  case VectorOpClass::Simple:
    break;
  case VectorOpClass::Cast:
    perRepeat = target.vectorCyclesPerRepeatCast;
    break;
  case VectorOpClass::Reduce:
    perRepeat = target.vectorCyclesPerRepeatReduce;
    break;
  case VectorOpClass::Special:
    perRepeat = target.vectorCyclesPerRepeatSpecial;
    break;
  }
  int64_t repeatBytes = std::max<int64_t>(target.vectorRepeatBytes, 1);
  int64_t repeats = (std::max<int64_t>(bytes, 0) + repeatBytes - 1) / repeatBytes;
  return target.vectorInstrCycles + static_cast<double>(repeats) * perRepeat;
}

PipeWork &PipeWork::operator+=(const PipeWork &o) {
  hbmReadBytes += o.hbmReadBytes;
  l2ReadBytes += o.l2ReadBytes;
  hbmWriteBytes += o.hbmWriteBytes;
  l2WriteBytes += o.l2WriteBytes;
  writesFromL0C |= o.writesFromL0C;
  mte1Bytes += o.mte1Bytes;
  vectorCycles += o.vectorCycles;
  vectorInstrs += o.vectorInstrs;
  cubeMacs += o.cubeMacs;
  cubeMacsI8 += o.cubeMacsI8;
  cubeMacsF32 += o.cubeMacsF32;
  return *this;
}

PipeWork &PipeWork::operator*=(double t) {
  hbmReadBytes *= t;
  l2ReadBytes *= t;
  hbmWriteBytes *= t;
  l2WriteBytes *= t;
  mte1Bytes *= t;
  vectorCycles *= t;
  vectorInstrs = static_cast<int64_t>(static_cast<double>(vectorInstrs) * t);
  cubeMacs *= t;
  cubeMacsI8 *= t;
  cubeMacsF32 *= t;
  return *this;
}

double PipeSeconds::max() const {
  return std::max({mte2, mte3, mte1, vector, cube});
}

llvm::StringRef PipeSeconds::bound() const {
  double memory = std::max(mte2, mte3), matrix = std::max(cube, mte1);
  if (memory >= vector && memory >= matrix)
    return "hbm";
  return vector >= matrix ? "vector" : "cube";
}

PipeSeconds &PipeSeconds::operator+=(const PipeSeconds &o) {
  mte2 += o.mte2;
  mte3 += o.mte3;
  mte1 += o.mte1;
  vector += o.vector;
  cube += o.cube;
  return *this;
}

PipeSeconds &PipeSeconds::operator*=(double t) {
  mte2 *= t;
  mte3 *= t;
  mte1 *= t;
  vector *= t;
  cube *= t;
  return *this;
}

double tessel::getGmShare(double bandwidth, int64_t activeCores,
                          const TargetInfo &target) {
  return std::min(bandwidth / static_cast<double>(std::max<int64_t>(activeCores, 1)),
                  target.perCoreGmBytesPerSec);
}

PipeSeconds tessel::getPipeSeconds(const PipeWork &w, int64_t activeCores,
                                   const TargetInfo &target) {
  double hbm = getGmShare(target.hbmEffectiveBytesPerSec, activeCores, target);
  double l2 = getGmShare(target.l2BytesPerSec, activeCores, target);
  PipeSeconds s;
  s.mte2 = w.hbmReadBytes / hbm + w.l2ReadBytes / l2;
  s.mte3 = w.hbmWriteBytes / hbm + w.l2WriteBytes / l2;
  s.mte1 = w.mte1Bytes /
           (static_cast<double>(target.mte1BytesPerCycle) * target.cubeClockHz);
  s.vector = w.vectorCycles / target.vectorClockHz;
  s.cube = getCubeSeconds(w.cubeMacs, w.cubeMacsI8, w.cubeMacsF32, target);
  return s;
}

double tessel::getPipelinedSeconds(const PipeSeconds &it, int64_t trips) {
  if (trips <= 0)
    return 0;
  return static_cast<double>(trips) * it.max() + (it.sum() - it.max());
}

double tessel::getScopeSeconds(int64_t blocks, int64_t cores,
                               double blockSeconds, const TargetInfo &target) {
  return estimateMakespan(blocks, 1, cores, blockSeconds,
                          target.taskDispatchSec) +
         target.scopeBoundarySec;
}
