//===- TargetInfo.h - Figures of the Ascend targets -------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The one place where the capacities, alignment, core counts and throughput
// figures of each target chip live. Passes read them from here (through the
// module's `tile.target` attribute); Python reads them through the C API.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_SUPPORT_TARGETINFO_H
#define TESSEL_SUPPORT_TARGETINFO_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>

namespace tessel {

/// The on-chip buffers of an Ascend core (GM is not one of them).
enum class BufferKind { UB, L1, L0A, L0B, L0C };

/// The lowercase name used in IR and diagnostics ("ub", "l0a", ...).
llvm::StringRef getBufferKindName(BufferKind kind);

/// One on-chip buffer.
struct BufferSpec {
  /// Bytes in the hardware.
  int64_t physicalBytes;
  /// Bytes the compiler may allocate (the top of UB is reserved).
  int64_t usableBytes;
  /// Byte alignment of every buffer start.
  int64_t alignBytes;
};

/// One operand / accumulator element type pair the cube multiplies (MLIR
/// spellings: "bf16", "f16", "f32", "i8"; "f32", "i32"), and its rate.
struct CubeDtype {
  llvm::StringRef operand;
  llvm::StringRef accumulator;
  /// Multiply-accumulates per cycle per cube core.
  int64_t macsPerCycle;
};

/// Everything the compiler knows about one chip generation.
struct TargetInfo {
  llvm::StringRef name;
  llvm::StringRef chips;
  BufferSpec ub, l1, l0a, l0b, l0c;
  int64_t cubeCores;
  int64_t vectorCores;
  /// False where the public sources do not confirm the core counts.
  bool coreCountsVerified;
  /// True on chips with an L0C -> UB path (cube and vector meet on chip).
  bool hasL0CToUB;
  /// Nominal and modelled-effective HBM bandwidth, bytes per second.
  double hbmNominalBytesPerSec;
  double hbmEffectiveBytesPerSec;
  /// Cube clock in Hz.
  double cubeClockHz;
  /// The element types the cube multiplies (pto-isa TMATMUL's supported
  /// (C, A, B) triples for the target) with their MACs per cycle.
  llvm::ArrayRef<CubeDtype> cubeDtypes;
  /// Seconds the runtime needs to pick up one task (one spmd block).
  double taskDispatchSec;
  /// Vector instructions work in repeats of this many bytes.
  int64_t vectorRepeatBytes;
  /// Event ids of one (source, destination) pipe pair for set_flag /
  /// wait_flag.
  int64_t eventIdsPerPipePair;
  /// Rows of a cube fractal: tiles in L1, L0A, L0B and L0C have a multiple
  /// of this many rows (rows of 32 bytes in L1 / L0A / L0B, of 16 elements
  /// in L0C).
  int64_t cubeFractalRows;

  // -- The per-pipe time model (tessel/Analysis/TaskCost.h,
  //    docs/perf-model.md). Figures marked "assumed" in TargetInfo.cpp are
  //    modelling parameters no public source settles.
  /// L2 cache bytes (shared by every core; GM reads of data already in L2
  /// and GM scratch that fits are served from it).
  int64_t l2Bytes;
  /// L2 bandwidth, bytes per second, shared by every core.
  double l2BytesPerSec;
  /// Vector core clock, Hz.
  double vectorClockHz;
  /// Cycles of one 256-byte vector repeat per op class: simple elementwise
  /// (add, mul, max, ...), conversions, row reductions, and the special
  /// functions (exp, sqrt, rsqrt, div, reciprocal).
  double vectorCyclesPerRepeatSimple;
  double vectorCyclesPerRepeatCast;
  double vectorCyclesPerRepeatReduce;
  double vectorCyclesPerRepeatSpecial;
  /// Fixed cycles per vector instruction (issue and pipeline latency).
  double vectorInstrCycles;
  /// MTE1 (L1 -> L0A / L0B) bytes per cube cycle.
  int64_t mte1BytesPerCycle;
  /// One core's MTE2 / MTE3 ceiling, bytes per second: a core alone does
  /// not stream at the whole chip's bandwidth.
  double perCoreGmBytesPerSec;
  /// Seconds between two dependent scopes: the last task of one finishes,
  /// the first of the next starts (launch and the barrier between them).
  double scopeBoundarySec;

  const BufferSpec &getBuffer(BufferKind kind) const;
  /// The cube's entry for `operand` x `operand` -> `accumulator`, or null
  /// when this target's cube has no such multiply.
  const CubeDtype *findCubeDtype(llvm::StringRef operand,
                                 llvm::StringRef accumulator) const;
  /// MACs per cycle of `operand` tiles (0 when the cube has none).
  int64_t getCubeMacsPerCycle(llvm::StringRef operand) const;
  /// "bf16 -> f32, f16 -> f32, ..." for diagnostics.
  std::string describeCubeDtypes() const;
};

/// The known targets, in a stable order.
llvm::ArrayRef<TargetInfo> getAllTargets();

/// The target named `name` ("a2a3", "a5"), if any.
const TargetInfo *lookupTarget(llvm::StringRef name);

/// Rounds `bytes` up to a multiple of `align` (a power of two or any positive
/// integer).
inline int64_t alignTo(int64_t bytes, int64_t align) {
  return (bytes + align - 1) / align * align;
}

} // namespace tessel

#endif // TESSEL_SUPPORT_TARGETINFO_H
