//===- TileMathOps.td - Elementwise math catalog ops -------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Included from TileOps.td after the elementwise op classes: the rest of
// PyPTO's elementwise math catalog (issue 15 item 3) — trigonometric
// functions and the two remainders with their scalar forms.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEMATHOPS_TD
#define TESSEL_DIALECT_TILE_TILEMATHOPS_TD

//===----------------------------------------------------------------------===//
// Trigonometric functions
//===----------------------------------------------------------------------===//

def Tile_SinOp : Tile_UnaryOp<"sin", "sine (radians)">;
def Tile_CosOp : Tile_UnaryOp<"cos", "cosine (radians)">;

//===----------------------------------------------------------------------===//
// Remainders
//
// Two sign conventions, as PyPTO defines them:
//   fmod: C `fmod` / `torch.fmod`: x - trunc(x / y) * y, computed exactly;
//         the result has the sign of the dividend x (fmod(-7, 3) = -1).
//   rem:  Python `%` / `torch.remainder`: fmod, then + y when the result is
//         non-zero and its sign differs from the divisor's; the result has
//         the sign of the divisor y (rem(-7, 3) = 2, rem(7, -3) = -2).
// A zero divisor gives NaN (IEEE fmod). f16 is computed in f32 and rounded
// once (docs/numerics.md): fmod is exact, so only rem's correction rounds.
//===----------------------------------------------------------------------===//

def Tile_FModOp : Tile_BinaryOp<"fmod",
    "remainder with the sign of the dividend (C fmod, torch.fmod)",
    Tile_FloatTile>;
def Tile_RemOp : Tile_BinaryOp<"rem",
    "remainder with the sign of the divisor (Python %, torch.remainder)",
    Tile_FloatTile>;
def Tile_FModSOp : Tile_ScalarOp<"fmods",
    "remainder with the sign of the dividend (C fmod, torch.fmod)",
    Tile_FloatTile>;
def Tile_RemSOp : Tile_ScalarOp<"rems",
    "remainder with the sign of the divisor (Python %, torch.remainder)",
    Tile_FloatTile>;

#endif // TESSEL_DIALECT_TILE_TILEMATHOPS_TD
