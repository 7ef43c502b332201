//===- TargetInfo.cpp - Figures of the Ascend targets ---------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Sources of the figures (see also docs/targets.md):
//  [ini]   CANN platform ini files (A2A3.ini) shipped in the `pypto` 0.2.0
//          wheel: buffer sizes, core counts, HBM and L2 sizes, cube clock.
//  [catl]  hicann/catlass include/catlass/arch/arch.hpp: AIC/AIV counts.
//  [pto]   hw-native-sys/pto-isa include/pto/common/buffer_limits.hpp and
//          hw-native-sys/pypto src/backend/common/soc.cpp: the usable UB
//          caps of 184 KiB (a2a3) and 240 KiB (a5); the top of UB is
//          reserved.
//  [cann]  CANN 8.0 "basic architecture" page and platforminfo.ini: A5 adds
//          the L0C -> UB path; A2/A3 cube and vector cores meet only in GM.
//  [asc]   AscendC SIMD API docs: 32-byte UB blocks, 256-byte repeats,
//          512-byte cube fractals.
//  [ppto]  hw-native-sys/pypto task granularity guide: ~0.8 us per task.
//  [ptoi]  hw-native-sys/pto-isa include/pto/common/cpu_stub.hpp (EVENT_ID0
//          to EVENT_ID7) and docs/isa: 8 event ids per pipe pair; cube
//          tiles are 16-row fractals of 32-byte rows (L1 / L0A / L0B) and
//          16 x 16 element fractals (L0C).
//  [v32]   A V3.2 (8 x 1536) @ (1536 x 8192) int8 matmul, called MTE-bound
//          with a 13 us theoretical limit: 12.6 MB / 13 us = 0.97 TB/s.
//  [tmm]   hw-native-sys/pto-isa docs/isa/TMATMUL.md, "Implementation checks":
//          A2A3 supports (C, A, B) = (int32, int8, int8), (float, half,
//          half), (float, float, float), (float, bfloat16, bfloat16); A5
//          the same pairs (float accumulating half / bfloat16 / float, int32
//          int8) plus fp8 / hifloat8 pairs, which Tessel has no dtype for.
//  [frac]  the cube multiplies a 16-row fractal of 32-byte K rows by a
//          K x 16 one per cycle: 16 x (32 / element bytes) x 16 MACs, so
//          16x16x16 for f16 / bf16, 16x32x16 for int8 ([ini] peak figures)
//          and 16x8x16 for f32 -- half the f16 rate; no public source
//          gives the f32 rate directly, so it is [assumed] from the fractal.
//  [assumed] no public figure: a modelling parameter, set to a plausible
//          value and reported as such (docs/perf-model.md).
// HBM bandwidth is not settled in public sources (1.6 TB/s nominal,
// 1.0-1.4 TB/s effective); it is a modelling parameter here.
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/TargetInfo.h"

#include "llvm/Support/ErrorHandling.h"

using namespace tessel;

static constexpr int64_t KiB = 1024;

// [tmm] for the pairs, [frac] for the rates.
static const CubeDtype kCubeDtypesA2A3[] = {
    {"bf16", "f32", 16 * 16 * 16},
    {"f16", "f32", 16 * 16 * 16},
    {"f32", "f32", 16 * 8 * 16},
    {"i8", "i32", 16 * 32 * 16},
};
static const CubeDtype kCubeDtypesA5[] = {
    {"bf16", "f32", 16 * 16 * 16},
    {"f16", "f32", 16 * 16 * 16},
    {"f32", "f32", 16 * 8 * 16},
    {"i8", "i32", 16 * 32 * 16},
};

static const TargetInfo kTargets[] = {
    {
        /*name=*/"a2a3",
        /*chips=*/"Ascend 910B1-B4 (A2), 910_93 (A3); dav-c220",
        /*ub=*/{192 * KiB, 184 * KiB, 32},   // [ini] physical, [pto] usable
        /*l1=*/{512 * KiB, 512 * KiB, 32},   // [ini]
        /*l0a=*/{64 * KiB, 64 * KiB, 512},   // [ini], [asc] fractal
        /*l0b=*/{64 * KiB, 64 * KiB, 512},   // [ini], [asc] fractal
        /*l0c=*/{128 * KiB, 128 * KiB, 512}, // [ini], [asc] fractal
        /*cubeCores=*/24,                    // 910B1/B2 [ini], [catl]
        /*vectorCores=*/48,
        /*coreCountsVerified=*/true,
        /*hasL0CToUB=*/false,                // [cann]
        /*hbmNominalBytesPerSec=*/1.6e12,
        /*hbmEffectiveBytesPerSec=*/1.2e12,  // modelled
        /*cubeClockHz=*/1.85e9,              // 910B1 [ini]
        /*cubeDtypes=*/kCubeDtypesA2A3,      // [tmm], [frac]
        /*taskDispatchSec=*/0.8e-6,          // [ppto]
        /*vectorRepeatBytes=*/256,           // [asc]
        /*eventIdsPerPipePair=*/8,           // [ptoi]
        /*cubeFractalRows=*/16,              // [asc], [ptoi]
        /*l2Bytes=*/192 * KiB * KiB,         // [ini] 910B1-B3
        /*l2BytesPerSec=*/4.0e12,            // [assumed]
        /*vectorClockHz=*/1.85e9,            // [ini] AI Core clock
        /*vectorCyclesPerRepeatSimple=*/1,   // [asc] one 256 B repeat a cycle
        /*vectorCyclesPerRepeatCast=*/2,     // [assumed]
        /*vectorCyclesPerRepeatReduce=*/2,   // [assumed]
        /*vectorCyclesPerRepeatSpecial=*/4,  // [assumed]
        /*vectorInstrCycles=*/32,            // [assumed]
        /*mte1BytesPerCycle=*/256,           // [assumed]
        /*perCoreGmBytesPerSec=*/100e9,      // [assumed]
        /*scopeBoundarySec=*/2.0e-6,         // [assumed]
    },
    {
        /*name=*/"a5",
        /*chips=*/"Ascend 950PR / 950DT; dav-c310",
        /*ub=*/{256 * KiB, 240 * KiB, 32},   // [ini] physical, [pto] usable
        /*l1=*/{512 * KiB, 512 * KiB, 32},
        /*l0a=*/{64 * KiB, 64 * KiB, 512},
        /*l0b=*/{64 * KiB, 64 * KiB, 512},
        /*l0c=*/{256 * KiB, 256 * KiB, 512},
        // Public core counts are unverified: assume the a2a3 counts.
        /*cubeCores=*/24,
        /*vectorCores=*/48,
        /*coreCountsVerified=*/false,
        /*hasL0CToUB=*/true,                 // [cann]
        /*hbmNominalBytesPerSec=*/1.6e12,    // unverified: same model
        /*hbmEffectiveBytesPerSec=*/1.2e12,
        /*cubeClockHz=*/1.85e9,              // unverified
        /*cubeDtypes=*/kCubeDtypesA5,        // [tmm], [frac]
        /*taskDispatchSec=*/0.8e-6,
        /*vectorRepeatBytes=*/256,
        /*eventIdsPerPipePair=*/8,
        /*cubeFractalRows=*/16,
        /*l2Bytes=*/192 * KiB * KiB,         // unverified: same model
        /*l2BytesPerSec=*/4.0e12,            // [assumed]
        /*vectorClockHz=*/1.85e9,            // [ini] AI Core clock
        /*vectorCyclesPerRepeatSimple=*/1,   // [asc] one 256 B repeat a cycle
        /*vectorCyclesPerRepeatCast=*/2,     // [assumed]
        /*vectorCyclesPerRepeatReduce=*/2,   // [assumed]
        /*vectorCyclesPerRepeatSpecial=*/4,  // [assumed]
        /*vectorInstrCycles=*/32,            // [assumed]
        /*mte1BytesPerCycle=*/256,           // [assumed]
        /*perCoreGmBytesPerSec=*/100e9,      // [assumed]
        /*scopeBoundarySec=*/2.0e-6,         // [assumed]
    },
};

llvm::StringRef tessel::getBufferKindName(BufferKind kind) {
  switch (kind) {
  case BufferKind::UB:
    return "ub";
  case BufferKind::L1:
    return "l1";
  case BufferKind::L0A:
    return "l0a";
  case BufferKind::L0B:
    return "l0b";
  case BufferKind::L0C:
    return "l0c";
  }
  llvm_unreachable("unknown buffer kind");
}

const BufferSpec &TargetInfo::getBuffer(BufferKind kind) const {
  switch (kind) {
  case BufferKind::UB:
    return ub;
  case BufferKind::L1:
    return l1;
  case BufferKind::L0A:
    return l0a;
  case BufferKind::L0B:
    return l0b;
  case BufferKind::L0C:
    return l0c;
  }
  llvm_unreachable("unknown buffer kind");
}

const CubeDtype *TargetInfo::findCubeDtype(llvm::StringRef operand,
                                           llvm::StringRef accumulator) const {
  for (const CubeDtype &d : cubeDtypes)
    if (d.operand == operand && d.accumulator == accumulator)
      return &d;
  return nullptr;
}

int64_t TargetInfo::getCubeMacsPerCycle(llvm::StringRef operand) const {
  for (const CubeDtype &d : cubeDtypes)
    if (d.operand == operand)
      return d.macsPerCycle;
  return 0;
}

std::string TargetInfo::describeCubeDtypes() const {
  std::string s;
  for (const CubeDtype &d : cubeDtypes) {
    if (!s.empty())
      s += ", ";
    s += d.operand.str() + " -> " + d.accumulator.str();
  }
  return s;
}

llvm::ArrayRef<TargetInfo> tessel::getAllTargets() { return kTargets; }

const TargetInfo *tessel::lookupTarget(llvm::StringRef name) {
  for (const TargetInfo &t : kTargets)
    if (t.name == name)
      return &t;
  return nullptr;
}
