//===- TileCatalogOps.td - The rest of PyPTO's op catalog --*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Included from TileOps.td after the reductions and the cube ops: the rest
// of PyPTO's tile op catalog (issue 15 item 3) — comparison to a packed
// predicate mask and selection by it, parametric ReLU, bitwise logic and
// shifts on integer tiles, the remaining row / column reductions and
// arg-reductions, and the layout ops (transpose, concat, reinterpret_view,
// the triangular mask).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILECATALOGOPS_TD
#define TESSEL_DIALECT_TILE_TILECATALOGOPS_TD

/// A packed predicate mask (tile.cmp / tile.cmps results, tile.sel masks).
def Tile_MaskTile : Tile_TileOf<[I8], "i8 (a packed predicate mask)">;
/// Integer tiles of the bitwise ops.
def Tile_IntTile : Tile_TileOf<[I8, I32], "i8 or i32">;
def Tile_IntScalarType : AnyTypeOf<[I8, I32], "i8 or i32 scalar">;
def Tile_IndexTile : Tile_TileOf<[I32], "i32">;

//===----------------------------------------------------------------------===//
// Comparison and selection
//
// PyPTO's tile-level `pl.cmp` returns a packed predicate mask, PTO-ISA's
// TCMP layout: for an M x N comparison the mask is an M x C tile of bytes,
// C = roundup(ceil(N / 8), 32) (the a2a3 row alignment), and the predicate
// of element (i, j) is bit j % 8 (least significant first) of byte
// mask[i, j / 8]; the bytes past ceil(N / 8) of each row are zero. Tessel
// has no UINT8 tile type: the mask bytes are an i8 tile. tile.sel reads
// the same layout.
//===----------------------------------------------------------------------===//

def Tile_CmpOp : Tile_Op<"cmp", [Pure, Tile_InCoreScope, Tile_VectorOnly,
    AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "compare two tiles into a packed predicate mask";
  let description = [{
    `bit(result, i, j) = lhs[i, j] <mode> rhs[i, j]` with `mode` one of
    `eq ne lt le gt ge` (PyPTO's `cmp_type` 0..5). Any comparison with a
    NaN operand is false except `ne`, which is true. The result is the
    packed mask described above: a 16 x 64 comparison gives a 16 x 32 i8
    tile (ceil(64 / 8) = 8 bytes of bits per row, rounded up to 32).

    ```mlir
    %m = tile.cmp %x, %y lt : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
    ```
  }];
  let arguments = (ins Tile_ArithTile:$lhs, Tile_ArithTile:$rhs,
                       Tile_CmpModeAttr:$mode);
  let results = (outs Tile_MaskTile:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs $mode attr-dict `:` type($lhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_CmpSOp : Tile_Op<"cmps", [Pure, Tile_InCoreScope, Tile_VectorOnly,
    TypesMatchWith<"scalar has the tile's element type", "input", "scalar",
        "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()">]> {
  let summary = "compare a tile with a scalar into a packed predicate mask";
  let description = [{
    `bit(result, i, j) = input[i, j] <mode> scalar`, the mask of tile.cmp.

    ```mlir
    %m = tile.cmps %x, %zero gt : !tile.tile<16x64xf32> -> !tile.tile<16x32xi8>
    ```
  }];
  let arguments = (ins Tile_ArithTile:$input, Tile_ScalarType:$scalar,
                       Tile_CmpModeAttr:$mode);
  let results = (outs Tile_MaskTile:$result);
  let assemblyFormat = [{
    $input `,` $scalar $mode attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_SelOp : Tile_Op<"sel", [Pure, Tile_InCoreScope, Tile_VectorOnly,
    AllTypesMatch<["lhs", "rhs", "result"]>]> {
  let summary = "select between two tiles by a packed predicate mask";
  let description = [{
    `result[i, j] = bit(mask, i, j) ? lhs[i, j] : rhs[i, j]` (PyPTO's
    `pl.sel(mask, lhs, rhs, tmp)`; the scratch is the compiler's). The mask
    has the tiles' rows and at least ceil(N / 8) byte columns.

    ```mlir
    %z = tile.sel %m, %x, %y : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
    ```
  }];
  let arguments = (ins Tile_MaskTile:$mask, Tile_ArithTile:$lhs,
                       Tile_ArithTile:$rhs);
  let results = (outs Tile_ArithTile:$result);
  let assemblyFormat = [{
    $mask `,` $lhs `,` $rhs attr-dict `:` type($mask) `,` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_SelSOp : Tile_Op<"sels", [Pure, Tile_InCoreScope, Tile_VectorOnly,
    AllTypesMatch<["input", "result"]>,
    TypesMatchWith<"scalar has the tile's element type", "result", "scalar",
        "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()">]> {
  let summary = "select between a tile and a scalar by a packed mask";
  let description = [{
    `result[i, j] = bit(mask, i, j) ? input[i, j] : scalar` (PyPTO's
    `pl.sels(mask, src, tmp, scalar)`).

    ```mlir
    %z = tile.sels %m, %x, %zero : !tile.tile<16x32xi8>, !tile.tile<16x64xf32>
    ```
  }];
  let arguments = (ins Tile_MaskTile:$mask, Tile_ArithTile:$input,
                       Tile_ScalarType:$scalar);
  let results = (outs Tile_ArithTile:$result);
  let assemblyFormat = [{
    $mask `,` $input `,` $scalar attr-dict `:` type($mask) `,` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_PReluOp : Tile_BinaryOp<"prelu",
    "parametric ReLU, input > 0 ? input : input * slope (PyPTO's `pl.prelu`, "
    "PTO-ISA TPRELU)", Tile_FloatTile>;

//===----------------------------------------------------------------------===//
// Bitwise logic and shifts (i8, i32)
//
// Two's complement bits; `shr` is arithmetic (it keeps the sign, C++ `>>`
// on a signed type, PTO-ISA TSHR on int8_t / int32_t). A shift amount
// outside [0, bit width) gives 0 for `shl` and the sign fill (0 or -1) for
// `shr`, in the CPU simulation; the hardware's result is not specified, so
// the frontend rejects such constant amounts.
//===----------------------------------------------------------------------===//

class Tile_IntBinaryOp<string mnemonic, string what>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly,
                         SameOperandsAndResultType]> {
  let summary = "elementwise " # what;
  let description = "Elementwise " # what # [{ of two integer tiles of the
    same type (PyPTO's `pl.}] # mnemonic # [{`).

    ```mlir
    %z = tile.}] # mnemonic # [{ %i, %j : !tile.tile<16x32xi32>
    ```
  }];
  let arguments = (ins Tile_IntTile:$lhs, Tile_IntTile:$rhs);
  let results = (outs Tile_IntTile:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Tile_AndOp : Tile_IntBinaryOp<"and", "bitwise and">;
def Tile_OrOp : Tile_IntBinaryOp<"or", "bitwise or">;
def Tile_XorOp : Tile_IntBinaryOp<"xor", "bitwise exclusive or">;
def Tile_ShlOp : Tile_IntBinaryOp<"shl", "shift left (lhs << rhs)">;
def Tile_ShrOp : Tile_IntBinaryOp<"shr",
    "arithmetic shift right (lhs >> rhs, the sign kept)">;

def Tile_NotOp : Tile_Op<"not", [Pure, Tile_InCoreScope, Tile_VectorOnly,
                                 SameOperandsAndResultType]> {
  let summary = "elementwise bitwise not";
  let description = [{
    `result[i, j] = ~input[i, j]` (PyPTO's `pl.not_`, PTO-ISA TNOT).

    ```mlir
    %n = tile.not %i : !tile.tile<16x32xi32>
    ```
  }];
  let arguments = (ins Tile_IntTile:$input);
  let results = (outs Tile_IntTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

class Tile_IntScalarOp<string mnemonic, string what>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly,
                         AllTypesMatch<["input", "result"]>,
                         TypesMatchWith<"scalar has the tile's element type",
                             "result", "scalar",
                             "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()">]> {
  let summary = "elementwise " # what # " with a scalar";
  let description = "Elementwise " # what # [{ of an integer tile and a
    scalar of its element type (PyPTO's `pl.}] # mnemonic # [{`).

    ```mlir
    %z = tile.}] # mnemonic # [{ %i, %c : !tile.tile<16x32xi32>
    ```
  }];
  let arguments = (ins Tile_IntTile:$input, Tile_IntScalarType:$scalar);
  let results = (outs Tile_IntTile:$result);
  let assemblyFormat = "$input `,` $scalar attr-dict `:` type($result)";
}

def Tile_AndSOp : Tile_IntScalarOp<"ands", "bitwise and">;
def Tile_OrSOp : Tile_IntScalarOp<"ors", "bitwise or">;
def Tile_XorSOp : Tile_IntScalarOp<"xors", "bitwise exclusive or">;
def Tile_ShlSOp : Tile_IntScalarOp<"shls", "shift left">;
def Tile_ShrSOp : Tile_IntScalarOp<"shrs", "arithmetic shift right">;

//===----------------------------------------------------------------------===//
// More reductions
//
// Row reductions: [M, N] -> [M, 1] in the order of tile.row_sum (16 lane
// accumulators, then pairwise; docs/numerics.md). Column reductions:
// [M, N] -> [1, N], sequentially down each column (rows 0, 1, ..., M - 1),
// PyPTO's path without a tmp tile. f16 is reduced in f32 and rounded once.
// Arg-reductions: the index (i32) of the first extremum (strict comparison,
// PTO-ISA's rule: a later equal value does not replace it); NaN compares
// false, so a NaN is chosen only at index 0.
//===----------------------------------------------------------------------===//

def Tile_RowProdOp : Tile_RowReduceOp<"row_prod", "product">;
def Tile_RowMinOp : Tile_RowReduceOp<"row_min", "minimum">;

class Tile_ColReduceOp<string mnemonic, string what>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly]> {
  let summary = "reduce each column by " # what;
  let description = "Reduces each column of an M x N tile by " # what # [{
    into a 1 x N tile of the same element type, row 0 first.

    ```mlir
    %s = tile.}] # mnemonic # [{ %x : !tile.tile<16x32xf32> -> !tile.tile<1x32xf32>
    ```
  }];
  let arguments = (ins Tile_FloatTile:$input);
  let results = (outs Tile_FloatTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_ColSumOp : Tile_ColReduceOp<"col_sum", "summation">;
def Tile_ColMaxOp : Tile_ColReduceOp<"col_max", "maximum">;
def Tile_ColMinOp : Tile_ColReduceOp<"col_min", "minimum">;
def Tile_ColProdOp : Tile_ColReduceOp<"col_prod", "product">;

class Tile_ArgReduceOp<string mnemonic, string what, string shape>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly]> {
  let summary = "index of the " # what;
  let description = "The i32 index of the " # what # [{ (the first one on
    ties), an }] # shape # [{ tile.

    ```mlir
    %i = tile.}] # mnemonic # [{ %x : !tile.tile<16x32xf32> -> !tile.tile<}]
    # !if(!eq(shape, "M x 1"), "16x1", "1x32") # [{xi32>
    ```
  }];
  let arguments = (ins Tile_ArithTile:$input);
  let results = (outs Tile_IndexTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_RowArgMaxOp : Tile_ArgReduceOp<"row_argmax",
    "column of each row's maximum", "M x 1">;
def Tile_RowArgMinOp : Tile_ArgReduceOp<"row_argmin",
    "column of each row's minimum", "M x 1">;
def Tile_ColArgMaxOp : Tile_ArgReduceOp<"col_argmax",
    "row of each column's maximum", "1 x N">;
def Tile_ColArgMinOp : Tile_ArgReduceOp<"col_argmin",
    "row of each column's minimum", "1 x N">;

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

def Tile_TransposeOp : Tile_Op<"transpose", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "swap the two axes of a tile";
  let description = [{
    `result[j, i] = input[i, j]`: M x N -> N x M (PyPTO's
    `pl.transpose(t, 0, 1)`, PTO-ISA TTRANS), exact, any element type.

    ```mlir
    %t = tile.transpose %x : !tile.tile<16x32xf32> -> !tile.tile<32x16xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_ConcatOp : Tile_Op<"concat", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "join two tiles along the columns";
  let description = [{
    M x N1 and M x N2 -> M x (N1 + N2): `result[i, j] = lhs[i, j]` for
    j < N1, `rhs[i, j - N1]` after (PyPTO's `pl.concat`, PTO-ISA TCONCAT).

    ```mlir
    %c = tile.concat %a, %b : !tile.tile<8x16xf32>, !tile.tile<8x32xf32> -> !tile.tile<8x48xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$lhs, Tile_AnyTile:$rhs);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_ReinterpretViewOp : Tile_Op<"reinterpret_view", [Pure,
    Tile_InCoreScope]> {
  let summary = "the same bytes read as another element type";
  let description = [{
    PyPTO's `pl.reinterpret_view(t, dtype)`: each row's bytes reread as
    `dtype`, M x N of `s`-byte elements -> M x (N * s / d) of `d`-byte ones
    (the row must hold a whole number of them). The bits are kept (an f32
    1.0 reads as the i32 1065353216).

    ```mlir
    %b = tile.reinterpret_view %x : !tile.tile<8x16xf32> -> !tile.tile<8x16xi32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_TriOp : Tile_Op<"tri", [Pure, Tile_InCoreScope, Tile_VectorOnly]> {
  let summary = "a lower- or upper-triangular mask of ones";
  let description = [{
    PyPTO's `pl.tri(diagonal, shape, dtype, upper)`: `result[i, j] = 1`
    where `j <= i + diagonal` (lower), or `j >= i + diagonal` with `upper`,
    else 0 (PTO-ISA TTRI).

    ```mlir
    %t = tile.tri 0 : !tile.tile<8x8xf32>
    %u = tile.tri -1 upper : !tile.tile<8x8xi32>
    ```
  }];
  let arguments = (ins I64Attr:$diagonal, UnitAttr:$upper);
  let results = (outs Tile_ArithTile:$result);
  let assemblyFormat = "$diagonal (`upper` $upper^)? attr-dict `:` type($result)";
}

#endif // TESSEL_DIALECT_TILE_TILECATALOGOPS_TD
