//===- TileDialect.h - The tile dialect -------------------------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The dialect, its enumerations, attributes and types.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEDIALECT_H
#define TESSEL_DIALECT_TILE_TILEDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "tile/TileDialect.h.inc"
#include "tile/TileEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "tile/TileAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "tile/TileTypes.h.inc"

namespace tessel::tile {

/// Whether `type` is an element type a tile may hold (bf16, f16, f32, i8,
/// i32).
bool isLegalTileElementType(mlir::Type type);

/// Bytes per element of a legal tile element type.
int64_t getElementBytes(mlir::Type type);

/// The target named by the nearest enclosing `tile.target` attribute, if any.
std::optional<Target> getEnclosingTarget(mlir::Operation *op);

} // namespace tessel::tile

#endif // TESSEL_DIALECT_TILE_TILEDIALECT_H
