//===- Tessel.h - C API of Tessel ---------------------------------*- C -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The C API the Python extension links: dialect registration, pass
// registration and the target figures.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_C_TESSEL_H
#define TESSEL_C_TESSEL_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(Tile, tile);

/// Registers every Tessel pass and pass pipeline with the global registry.
MLIR_CAPI_EXPORTED void tesselRegisterAllPasses(void);

/// Registers the tile dialect and the upstream dialects and extensions the
/// Tessel pipelines need into `registry`.
MLIR_CAPI_EXPORTED void tesselRegisterDialects(MlirDialectRegistry registry);

/// One on-chip buffer of a target.
typedef struct {
  int64_t physicalBytes;
  int64_t usableBytes;
  int64_t alignBytes;
} TesselBufferSpec;

/// One element type pair the cube multiplies, and its MACs per cycle.
typedef struct {
  MlirStringRef operand;
  MlirStringRef accumulator;
  int64_t macsPerCycle;
} TesselCubeDtype;

/// The figures of a target (see tessel/Support/TargetInfo.h).
typedef struct {
  MlirStringRef name;
  MlirStringRef chips;
  TesselBufferSpec ub, l1, l0a, l0b, l0c;
  int64_t cubeCores;
  int64_t vectorCores;
  bool coreCountsVerified;
  bool hasL0CToUB;
  double hbmNominalBytesPerSec;
  double hbmEffectiveBytesPerSec;
  double cubeClockHz;
  /// The cube's element type pairs (storage owned by the library).
  const TesselCubeDtype *cubeDtypes;
  intptr_t numCubeDtypes;
  double taskDispatchSec;
  int64_t vectorRepeatBytes;
} TesselTargetInfo;

/// Number of known targets.
MLIR_CAPI_EXPORTED intptr_t tesselGetNumTargets(void);

/// Fills `*info` with target number `index`; returns false when out of range.
MLIR_CAPI_EXPORTED bool tesselGetTarget(intptr_t index,
                                        TesselTargetInfo *info);

/// Bytes of one copy of a tile of `tileType` stored in buffer `kind` ("ub",
/// "l1", "l0a", "l0b" or "l0c") of target `target` (tessel/Analysis/
/// TileLayout.h: padding and alignment included); -1 for an unknown kind or
/// target or a type that is not a tile.
MLIR_CAPI_EXPORTED int64_t tesselGetTileStorageBytes(MlirType tileType,
                                                     MlirStringRef kind,
                                                     MlirStringRef target);

/// The UB bytes the tile op `opName` (e.g. "tile.row_sum") with operands of
/// `operandTypes` and one result of `resultType` needs on `target` beyond
/// its tiles' own storage (tessel/Analysis/TileLayout.h,
/// getVectorOpExtraBytes: its PTO-ISA scratch tile, a row reduction's
/// source view), aligned as the placement aligns UB; -1 for an unknown op
/// or target.
MLIR_CAPI_EXPORTED int64_t tesselGetVectorOpExtraBytes(
    MlirContext ctx, MlirStringRef opName, intptr_t numOperands,
    MlirType const *operandTypes, MlirType resultType, MlirStringRef target);

/// The static GM traffic of one run of `op` (tessel/Analysis/GmTraffic.h):
/// bytes read by tile.load and written by tile.store under it, times loop
/// trip counts and the block counts of nested tile.spmd ops.
MLIR_CAPI_EXPORTED void tesselCountGmTraffic(MlirOperation op,
                                             int64_t *readBytes,
                                             int64_t *writtenBytes);

/// The modelled NPU time of `func` (a func.func of scheduled tile IR) on
/// target `target` (tessel/Analysis/ScheduleCost.h), printed as JSON through
/// `callback`. Fails when `func` is not a func.func or the target unknown.
MLIR_CAPI_EXPORTED MlirLogicalResult tesselModelSchedule(
    MlirOperation func, MlirStringRef target, MlirStringCallback callback,
    void *userData);

/// Lowers `module` (placed and synchronised tile IR) to EmitC in place and
/// prints it as an Ascend C kernel on PTO-ISA through `callback`
/// (tessel/Target/PTO.h). On failure, diagnostics go to the context's
/// handlers and nothing is printed.
MLIR_CAPI_EXPORTED MlirLogicalResult tesselTranslateTileToPTO(
    MlirOperation module, MlirStringCallback callback, void *userData);

#ifdef __cplusplus
}
#endif

#endif // TESSEL_C_TESSEL_H
