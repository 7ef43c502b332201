//===- TileValidOps.td - Partial tiles: padding ------------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Included from TileOps.td: partial tiles (issue 14 item 5). A tile's static
// shape is its physical size; the top-left `rows x cols` region a
// `tile.load ... valid [rows, cols]` read is its valid region, the rest is
// padding (zero after the load; what ops compute from it after that).
// `tile.fillpad` gives the padding a value (PyPTO's `pl.fillpad`, PTO-ISA's
// TFILLPAD), after which the whole tile is valid. The frontend inserts one
// with the operation's identity before a reduction or matmul that would
// read padding that does not hold it, so every op between a partial load
// and a partial store works on the full static tile.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEVALIDOPS_TD
#define TESSEL_DIALECT_TILE_TILEVALIDOPS_TD

def Tile_PadValueAttr : I32EnumAttr<"PadValue",
    "the value tile.fillpad writes into a tile's padding",
    [I32EnumAttrCase<"zero", 0>, I32EnumAttrCase<"min", 1>,
     I32EnumAttrCase<"max", 2>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 1;
}

def Tile_FillPadOp : Tile_Op<"fillpad", [Pure, Tile_InCoreScope,
    Tile_VectorOnly, AllTypesMatch<["source", "result"]>]> {
  let summary = "fill a partial tile's padding with zero, min or max";
  let description = [{
    PyPTO's `pl.fillpad(t, pad_value=...)` (PTO-ISA's TFILLPAD): the result
    is `source` inside the top-left `valid [rows, cols]` region and `pad`
    everywhere else. `min` and `max` are -inf and +inf for float tiles and
    the element type's smallest and largest value for integer tiles (PTO-ISA
    pads with the infinities where the type has them). The valid extents are
    constants or runtime indices with 1 <= extent <= the tile's size; the
    result is a full tile.

    ```mlir
    // 16 x 64 tile of which 4 x %vc is valid; rows 4..15 and the columns
    // from %vc on become -inf, so a row max ignores them.
    %f = tile.fillpad %t valid [4, %vc] min : !tile.tile<16x64xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$source, Variadic<Index>:$valid,
                       DenseI64ArrayAttr:$static_valid,
                       Tile_PadValueAttr:$pad);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $source `` custom<ValidShape>($valid, $static_valid) $pad attr-dict `:`
    type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    TileType getTileType() { return ::llvm::cast<TileType>(getType()); }
    /// The valid extent of tile dimension `d` (0 rows, 1 columns).
    ::mlir::OpFoldResult getValidSize(unsigned d);
  }];
}

#endif // TESSEL_DIALECT_TILE_TILEVALIDOPS_TD
