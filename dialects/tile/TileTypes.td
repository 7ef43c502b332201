//===- TileTypes.td - Types of the tile dialect ------------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILETYPES_TD
#define TESSEL_DIALECT_TILE_TILETYPES_TD

include "tile/TileDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

def Tile_TileType : TypeDef<Tile_Dialect, "Tile",
    [DeclareTypeInterfaceMethods<ShapedTypeInterface>]> {
  let mnemonic = "tile";
  let summary = "a 2-D block of on-chip data";
  let description = [{
    A tile is an M x N block of elements that lives in one of the on-chip
    buffers of a core (UB, L1, L0A, L0B or L0C). Tiles have value semantics:
    each op produces a new tile, and buffer placement decides where it is
    stored. Shapes are static and positive (and at most 2 GiB of data, far
    above any on-chip buffer, so that sizes never overflow); the element
    type is one of bf16, f16, f32, i8 and i32.

    ```mlir
    !tile.tile<16x32xf32>
    ```
  }];
  let parameters = (ins ArrayRefParameter<"int64_t">:$shape,
                        "::mlir::Type":$elementType);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    TypeBuilderWithInferredContext<(ins "::llvm::ArrayRef<int64_t>":$shape,
                                        "::mlir::Type":$elementType), [{
      return $_get(elementType.getContext(), shape, elementType);
    }]>
  ];
  let extraClassDeclaration = [{
    /// ShapedTypeInterface.
    using ::mlir::ShapedType::Trait<TileType>::getElementTypeBitWidth;
    using ::mlir::ShapedType::Trait<TileType>::getRank;
    using ::mlir::ShapedType::Trait<TileType>::getNumElements;
    using ::mlir::ShapedType::Trait<TileType>::getDimSize;
    int64_t getRows() const { return getShape()[0]; }
    int64_t getCols() const { return getShape()[1]; }
    /// Bytes of data, unpadded.
    int64_t getSizeInBytes() const;
  }];
}

#endif // TESSEL_DIALECT_TILE_TILETYPES_TD
