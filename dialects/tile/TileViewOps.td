//===- TileViewOps.td - Sub-tile views and broadcasts ------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Included from TileOps.td after the elementwise op classes: the sub-tile
// extract / insert pair (tile subscripts `t[a:b, c:d]`), the broadcast family
// (`pl.row_expand*`, `pl.col_expand*`) and the natural logarithm.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEVIEWOPS_TD
#define TESSEL_DIALECT_TILE_TILEVIEWOPS_TD

//===----------------------------------------------------------------------===//
// Sub-tiles
//===----------------------------------------------------------------------===//

def Tile_ExtractOp : Tile_Op<"extract", [Pure, Tile_InCoreScope]> {
  let summary = "read a static-size sub-tile of a tile";
  let description = [{
    PyPTO's tile subscript `t[a:a + m, b:b + n]`: the `m x n` sub-tile of
    `source` whose top-left element is at (`row`, `col`). The offsets may
    be runtime indices; the sizes are the result's static shape. Constant
    offsets are bounds-checked; the CPU simulation copies the rows.

    ```mlir
    %s = tile.extract %t[%c0, %j] : !tile.tile<8x64xf32> -> !tile.tile<8x16xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$source, Index:$row, Index:$col);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $source `[` $row `,` $col `]` attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_InsertOp : Tile_Op<"insert", [Pure, Tile_InCoreScope,
    AllTypesMatch<["dest", "result"]>]> {
  let summary = "a tile with one sub-tile replaced";
  let description = [{
    PyPTO's tile subscript assignment `t[a:a + m, b:b + n] = s`: `dest`
    with its `m x n` sub-tile at (`row`, `col`) replaced by `source`; every
    other element is `dest`'s. tile-place-buffers places the result on
    `dest`'s bytes where `dest` dies here, so only the sub-tile is written.

    ```mlir
    %r = tile.insert %s into %t[%c0, %j] : !tile.tile<8x16xf32> into !tile.tile<8x64xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$source, Tile_AnyTile:$dest, Index:$row,
                       Index:$col);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $source `into` $dest `[` $row `,` $col `]` attr-dict `:` type($source)
    `into` type($dest)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Broadcasts
//===----------------------------------------------------------------------===//

def Tile_RowExpandOp : Tile_Op<"row_expand", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "broadcast an M x 1 tile to M x N";
  let description = [{
    `result[i, j] = input[i, 0]` (PyPTO's `pl.row_expand(target, v)`; the
    target only gives the shape). A bit copy: any element type (PTO-ISA's
    TROWEXPAND takes b8 / b16 / b32 on a2a3 and a5).

    ```mlir
    %y = tile.row_expand %r : !tile.tile<16x1xf32> -> !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_ColExpandOp : Tile_Op<"col_expand", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "broadcast a 1 x N tile to M x N";
  let description = [{
    `result[i, j] = input[0, j]` (PyPTO's `pl.col_expand(target, v)`). A
    bit copy: any element type (TCOLEXPAND takes b8 / b16 / b32).

    ```mlir
    %y = tile.col_expand %g : !tile.tile<1x32xf32> -> !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

// `row_expand_<op>`: result[i, j] = input[i, j] <op> scale[i, 0];
// `col_expand_<op>`: result[i, j] = input[i, j] <op> scale[0, j].
class Tile_ExpandArithOp<string mnemonic, string formula, string shape,
                         Type tileType = Tile_ArithTile>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly,
                         AllTypesMatch<["input", "result"]>]> {
  let summary = "broadcast " # formula;
  let description = "`" # formula # "`, the scale an " # shape # [{ tile
    broadcast over the input (PyPTO's `pl.}] # mnemonic # [{`).

    ```mlir
    %y = tile.}] # mnemonic # [{ %x, %s : !tile.tile<16x32xf32>, !tile.tile<}]
    # !if(!eq(shape, "M x 1"), "16x1", "1x32") # [{xf32>
    ```
  }];
  let arguments = (ins tileType:$input, tileType:$scale);
  let results = (outs tileType:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Tile_RowExpandAddOp : Tile_ExpandArithOp<"row_expand_add",
    "result[i, j] = input[i, j] + scale[i, 0]", "M x 1">;
def Tile_RowExpandSubOp : Tile_ExpandArithOp<"row_expand_sub",
    "result[i, j] = input[i, j] - scale[i, 0]", "M x 1">;
def Tile_RowExpandDivOp : Tile_ExpandArithOp<"row_expand_div",
    "result[i, j] = input[i, j] / scale[i, 0]", "M x 1", Tile_FloatTile>;
def Tile_RowExpandMaxOp : Tile_ExpandArithOp<"row_expand_max",
    "result[i, j] = max(input[i, j], scale[i, 0])", "M x 1">;
def Tile_RowExpandMinOp : Tile_ExpandArithOp<"row_expand_min",
    "result[i, j] = min(input[i, j], scale[i, 0])", "M x 1">;
def Tile_RowExpandExpdifOp : Tile_ExpandArithOp<"row_expand_expdif",
    "result[i, j] = exp(input[i, j] - scale[i, 0])", "M x 1", Tile_FloatTile>;
def Tile_ColExpandAddOp : Tile_ExpandArithOp<"col_expand_add",
    "result[i, j] = input[i, j] + scale[0, j]", "1 x N">;
def Tile_ColExpandSubOp : Tile_ExpandArithOp<"col_expand_sub",
    "result[i, j] = input[i, j] - scale[0, j]", "1 x N">;
def Tile_ColExpandDivOp : Tile_ExpandArithOp<"col_expand_div",
    "result[i, j] = input[i, j] / scale[0, j]", "1 x N", Tile_FloatTile>;
def Tile_ColExpandMaxOp : Tile_ExpandArithOp<"col_expand_max",
    "result[i, j] = max(input[i, j], scale[0, j])", "1 x N">;
def Tile_ColExpandMinOp : Tile_ExpandArithOp<"col_expand_min",
    "result[i, j] = min(input[i, j], scale[0, j])", "1 x N">;
def Tile_ColExpandExpdifOp : Tile_ExpandArithOp<"col_expand_expdif",
    "result[i, j] = exp(input[i, j] - scale[0, j])", "1 x N", Tile_FloatTile>;

def Tile_ArangeOp : Tile_Op<"arange", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "a tile of consecutive values";
  let description = [{
    PyPTO's `pl.arange(start, [M, N], dtype=...)`: `result[i, j] = start +
    i * N + j` (row-major position), in the tile's element type (i32, or a
    float type where every value is exact).

    ```mlir
    %i = tile.arange 0 : !tile.tile<1x64xi32>
    ```
  }];
  let arguments = (ins I64Attr:$start);
  let results = (outs Tile_ArithTile:$result);
  let assemblyFormat = "$start attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// More elementwise math
//===----------------------------------------------------------------------===//

def Tile_LogOp : Tile_UnaryOp<"log", "natural logarithm">;

#endif // TESSEL_DIALECT_TILE_TILEVIEWOPS_TD
