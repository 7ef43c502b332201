//===- TileScalarOps.td - Scalar element access -------------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// One element of a tile read as a scalar, or replaced by one (PyPTO's
// `pl.read` / `pl.write`). A scalar read of a GM tensor is a 1 x 1
// `tile.load` followed by `tile.get`, a scalar write `tile.set` into a 1 x 1
// tile followed by `tile.store`: every GM access stays a tile.load /
// tile.store, so the race, bounds, fusion and traffic analyses see it.
// Included from TileOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILESCALAROPS_TD
#define TESSEL_DIALECT_TILE_TILESCALAROPS_TD

def Tile_ElementType : AnyTypeOf<[BF16, F16, F32, I8, I32],
                                 "a tile element type (bf16, f16, f32, i8, i32)">;

def Tile_GetOp : Tile_Op<"get", [Pure, Tile_InCoreScope,
    TypesMatchWith<"result is the tile's element type", "source", "result",
        "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()">]> {
  let summary = "read one element of a tile as a scalar";
  let description = [{
    PyPTO's `pl.read(t, [row, col])` of a tile: the element at (`row`,
    `col`), a scalar of the tile's element type. The indices may be runtime
    values; constant ones are bounds-checked here, the frontend proves or
    clamps the others (docs/language.md).

    ```mlir
    %v = tile.get %x[%c0, %i] : !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$source, Index:$row, Index:$col);
  let results = (outs Tile_ElementType:$result);
  let assemblyFormat = [{
    $source `[` $row `,` $col `]` attr-dict `:` type($source)
  }];
  let hasVerifier = 1;
}

def Tile_SetOp : Tile_Op<"set", [Pure, Tile_InCoreScope,
    AllTypesMatch<["dest", "result"]>,
    TypesMatchWith<"value is the tile's element type", "dest", "value",
        "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()">]> {
  let summary = "a tile with one element replaced by a scalar";
  let description = [{
    PyPTO's `pl.write(t, [row, col], value)` of a tile: `dest` with the
    element at (`row`, `col`) replaced by `value`. tile-place-buffers places
    the result on `dest`'s bytes where `dest` dies here, so only that
    element is written.

    ```mlir
    %w = tile.set %s into %x[%c0, %c1] : !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins Tile_ElementType:$value, Tile_AnyTile:$dest,
                       Index:$row, Index:$col);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $value `into` $dest `[` $row `,` $col `]` attr-dict `:` type($dest)
  }];
  let hasVerifier = 1;
}

#endif // TESSEL_DIALECT_TILE_TILESCALAROPS_TD
