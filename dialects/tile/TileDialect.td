//===- TileDialect.td - The tile dialect -------------------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The `tile` dialect carries a tile kernel from the Python frontend to buffer
// placement and the two back ends (AscendC, LLVM CPU simulation). Global
// memory is builtin memrefs; on-chip data are SSA values of `!tile.tile` type
// with value semantics until `tile-place-buffers` gives each one storage.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEDIALECT_TD
#define TESSEL_DIALECT_TILE_TILEDIALECT_TD

include "mlir/IR/OpBase.td"

def Tile_Dialect : Dialect {
  let name = "tile";
  let cppNamespace = "::tessel::tile";
  let summary = "Tiles, core scopes and pipelines of Ascend NPU kernels";
  let description = [{
    The `tile` dialect models a kernel for an Ascend NPU at the level a PyPTO
    author writes it: `tile.spmd` grids of independent blocks, `tile.at`
    core-level scopes (vector, cube or a whole core group), `tile.pipeline`
    loops with multi-buffering, and value-semantic 2-D tiles that live in the
    on-chip buffers (UB, L1, L0A, L0B, L0C) of the target chip.
  }];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
  let extraClassDeclaration = [{
    /// Name of the discardable attribute holding a placed tile's buffer.
    static constexpr ::llvm::StringLiteral kPlaceAttrName = "place";
    /// The scratch storage of an op that needs one on the NPU (the `tmp`
    /// tile of TROWSUM / TROWMAX), a #tile.place set by tile-place-buffers.
    static constexpr ::llvm::StringLiteral kScratchAttrName = "scratch";
    /// Name of the module/function attribute naming the target chip.
    static constexpr ::llvm::StringLiteral kTargetAttrName = "tile.target";
    /// The diagnostic for a `tile.target` that is not a `#tile.target`
    /// (shared by the dialect's attribute verifier and tile-check-scopes).
    static ::mlir::InFlightDiagnostic
    emitBadTargetAttr(::mlir::Operation *op, ::mlir::Attribute attr);
  }];
}

class Tile_Op<string mnemonic, list<Trait> traits = []>
    : Op<Tile_Dialect, mnemonic, traits>;

#endif // TESSEL_DIALECT_TILE_TILEDIALECT_TD
