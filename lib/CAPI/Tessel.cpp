//===- Tessel.cpp - C API of Tessel ---------------------------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel-c/Tessel.h"

#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Analysis/ScheduleCost.h"
#include "tessel/Analysis/TaskCost.h"
#include "tessel/Analysis/TileLayout.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/InitAll.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Target/PTO.h"
#include "tile/TileDialect.h"
#include "tile/TileOps.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(Tile, tile, tessel::tile::TileDialect)

void tesselRegisterAllPasses(void) { tessel::registerAllPasses(); }

void tesselRegisterDialects(MlirDialectRegistry registry) {
  tessel::registerAllDialects(*unwrap(registry));
}

intptr_t tesselGetNumTargets(void) { return tessel::getAllTargets().size(); }

static TesselBufferSpec wrapBuffer(const tessel::BufferSpec &b) {
  return {b.physicalBytes, b.usableBytes, b.alignBytes};
}

bool tesselGetTarget(intptr_t index, TesselTargetInfo *info) {
  llvm::ArrayRef<tessel::TargetInfo> all = tessel::getAllTargets();
  if (index < 0 || index >= static_cast<intptr_t>(all.size()))
    return false;
  const tessel::TargetInfo &t = all[index];
  // The C view of every target's cube dtypes, built once.
  static const std::vector<std::vector<TesselCubeDtype>> cube = [&] {
    std::vector<std::vector<TesselCubeDtype>> out;
    for (const tessel::TargetInfo &target : all) {
      out.emplace_back();
      for (const tessel::CubeDtype &d : target.cubeDtypes)
        out.back().push_back(
            {wrap(d.operand), wrap(d.accumulator), d.macsPerCycle});
    }
    return out;
  }();
  *info = {wrap(t.name),
           wrap(t.chips),
           wrapBuffer(t.ub),
           wrapBuffer(t.l1),
           wrapBuffer(t.l0a),
           wrapBuffer(t.l0b),
           wrapBuffer(t.l0c),
           t.cubeCores,
           t.vectorCores,
           t.coreCountsVerified,
           t.hasL0CToUB,
           t.hbmNominalBytesPerSec,
           t.hbmEffectiveBytesPerSec,
           t.cubeClockHz,
           cube[index].data(),
           static_cast<intptr_t>(cube[index].size()),
           t.taskDispatchSec,
           t.vectorRepeatBytes};
  return true;
}

int64_t tesselGetTileStorageBytes(MlirType tileType, MlirStringRef kind,
                                  MlirStringRef target) {
  auto type = llvm::dyn_cast<tessel::tile::TileType>(unwrap(tileType));
  const tessel::TargetInfo *info = tessel::lookupTarget(unwrap(target));
  std::optional<tessel::tile::MemoryKind> memory =
      tessel::tile::symbolizeMemoryKind(unwrap(kind));
  if (!type || !info || !memory)
    return -1;
  std::optional<tessel::BufferKind> buffer = tessel::fromMemoryKind(*memory);
  if (!buffer)
    return -1;
  return llvm::alignTo(tessel::getTileStorageBytes(type, *buffer, *info),
                       info->getBuffer(*buffer).alignBytes);
}

int64_t tesselGetVectorOpExtraBytes(MlirContext ctx, MlirStringRef opName,
                                    intptr_t numOperands,
                                    MlirType const *operandTypes,
                                    MlirType resultType, MlirStringRef target) {
  mlir::MLIRContext *context = unwrap(ctx);
  const tessel::TargetInfo *info = tessel::lookupTarget(unwrap(target));
  std::optional<mlir::RegisteredOperationName> name =
      mlir::RegisteredOperationName::lookup(unwrap(opName), context);
  if (!info || !name)
    return -1;
  // A detached op of those types (never verified), read and destroyed.
  mlir::Block block;
  mlir::Location loc = mlir::UnknownLoc::get(context);
  mlir::OperationState state(loc, *name);
  for (intptr_t i = 0; i < numOperands; ++i)
    state.addOperands(block.addArgument(unwrap(operandTypes[i]), loc));
  state.addTypes(unwrap(resultType));
  mlir::Operation *op = mlir::Operation::create(state);
  int64_t bytes = tessel::getVectorOpExtraBytes(op, *info);
  op->destroy();
  int64_t align = info->getBuffer(tessel::BufferKind::UB).alignBytes;
  return llvm::alignTo(bytes, align);
}

void tesselCountGmTraffic(MlirOperation op, int64_t *readBytes,
                          int64_t *writtenBytes) {
  tessel::GmTraffic t = tessel::countGmTraffic(unwrap(op));
  *readBytes = t.readBytes;
  *writtenBytes = t.writtenBytes;
}

MlirLogicalResult tesselModelSchedule(MlirOperation func, MlirStringRef target,
                                      MlirStringCallback callback,
                                      void *userData) {
  auto op = llvm::dyn_cast<mlir::func::FuncOp>(unwrap(func));
  const tessel::TargetInfo *info = tessel::lookupTarget(unwrap(target));
  if (!op || !info)
    return mlirLogicalResultFailure();
  std::string text =
      tessel::scheduleCostToJSON(tessel::modelSchedule(op, *info), *info);
  callback(mlirStringRefCreate(text.data(), text.size()), userData);
  return mlirLogicalResultSuccess();
}

MlirLogicalResult tesselTranslateTileToPTO(MlirOperation module,
                                           MlirStringCallback callback,
                                           void *userData) {
  auto op = llvm::dyn_cast<mlir::ModuleOp>(unwrap(module));
  if (!op)
    return mlirLogicalResultFailure();
  std::string text;
  llvm::raw_string_ostream os(text);
  if (mlir::failed(tessel::translateTileToPTO(op, os)))
    return mlirLogicalResultFailure();
  callback(mlirStringRefCreate(text.data(), text.size()), userData);
  return mlirLogicalResultSuccess();
}
