//===- TileOps.td - Operations of the tile dialect ---------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Structural ops (spmd, at, pipeline, yield), global-memory access (load,
// store, alloc_gm) and the compute ops of the PyPTO `pl` surface.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEOPS_TD
#define TESSEL_DIALECT_TILE_TILEOPS_TD

include "tile/TileDialect.td"
include "tile/TileAttrs.td"
include "tile/TileTypes.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/LoopLikeInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints and traits
//===----------------------------------------------------------------------===//

def Tile_AnyTile : Type<CPred<"::llvm::isa<::tessel::tile::TileType>($_self)">,
                        "tile", "::mlir::Type">;

class Tile_TileOf<list<Type> allowed, string desc>
    : Type<And<[CPred<"::llvm::isa<::tessel::tile::TileType>($_self)">,
                SubstLeaves<"$_self",
                  "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()",
                  AnyTypeOf<allowed>.predicate>]>,
           "tile of " # desc, "::mlir::Type">;

/// Element types the vector unit computes in (no bf16 arithmetic on Ascend).
def Tile_ArithTile : Tile_TileOf<[F16, F32, I32], "f16, f32 or i32">;
def Tile_FloatTile : Tile_TileOf<[F16, F32], "f16 or f32">;
def Tile_ScalarType : AnyTypeOf<[F16, F32, I32], "f16, f32 or i32 scalar">;

/// Ops that run on a vector core (AIV) only.
def Tile_VectorOnly : NativeOpTrait<"VectorOnly"> {
  let cppNamespace = "::tessel::tile";
}
/// Ops that run on a cube core (AIC) only.
def Tile_CubeOnly : NativeOpTrait<"CubeOnly"> {
  let cppNamespace = "::tessel::tile";
}
/// Ops that must be nested in a `tile.at` core scope.
def Tile_InCoreScope : NativeOpTrait<"InCoreScope"> {
  let cppNamespace = "::tessel::tile";
}

//===----------------------------------------------------------------------===//
// Structural ops
//===----------------------------------------------------------------------===//

def Tile_SpmdOp : Tile_Op<"spmd", [
    SingleBlockImplicitTerminator<"::tessel::tile::YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "a grid of independent blocks, one per core";
  let description = [{
    Runs its region once per block index in `[0, blocks)`. Blocks are
    independent: no block may write global memory that another block reads
    or writes (`tile-check-races` proves it). The block index is the region's
    only argument. `name` is the scope's name in diagnostics and reports.

    ```mlir
    tile.spmd 8 name("scale_rows") (%b) {
      tile.at vector {
        %row = arith.muli %b, %c16 : index
        %x = tile.load %a[%row, %c0] : memref<128x32xf32> -> !tile.tile<16x32xf32>
        %y = tile.muls %x, %s : !tile.tile<16x32xf32>
        tile.store %y, %a[%row, %c0] : !tile.tile<16x32xf32>, memref<128x32xf32>
      }
    }
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntPositive]>:$blocks,
                       OptionalAttr<StrAttr>:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "int64_t":$blocks, CArg<"::llvm::StringRef", "{}">:$name)>
  ];
  let extraClassDeclaration = [{
    ::mlir::BlockArgument getBlockIndex() { return getBody().getArgument(0); }
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The scope's name, or "spmd" when it has none.
    ::llvm::StringRef getScopeName();
  }];
}

def Tile_AtOp : Tile_Op<"at", [
    SingleBlockImplicitTerminator<"::tessel::tile::YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "a core-level scope: the body runs on one core of a kind";
  let description = [{
    The region runs on one vector core (`vector`, AIV), one cube core
    (`cube`, AIC), or a whole core group (`core_group`, PyPTO's
    `pl.Level.CORE_GROUP`, which may mix both and is split by
    `tile-split-mixed-scopes`). Loads bring GM slices into tiles, stores
    write them back; tiles never leave the scope. Inside a `vector` scope
    cube ops are illegal and vice versa.

    ```mlir
    tile.at vector {
      %x = tile.load %a[%i, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      %y = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %y, %out[%i, %c0] : !tile.tile<16x32xf32>, memref<64x32xf32>
    }
    ```
  }];
  let arguments = (ins Tile_CoreKindAttr:$kind);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$kind attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [OpBuilder<(ins "::tessel::tile::CoreKind":$kind)>];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def Tile_PipelineOp : Tile_Op<"pipeline", [
    AutomaticAllocationScope,
    DeclareOpInterfaceMethods<LoopLikeOpInterface,
        ["getLoopInductionVars", "getLoopLowerBounds", "getLoopUpperBounds",
         "getLoopSteps", "getRegionIterArgs", "getInitsMutable",
         "getYieldedValuesMutable", "getLoopResults"]>,
    SingleBlockImplicitTerminator<"::tessel::tile::YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "a sequential loop that may be software-pipelined";
  let description = [{
    Iterates `%iv` from `lb` to `ub` (exclusive) by `step`, like `scf.for`,
    with `stages`-deep buffering of the values loaded in its body
    (2 = double buffering). Loop-carried values (`iter_args`) keep their
    sequential meaning: overlapping iterations is the compiler's job and
    never changes results.

    ```mlir
    %sum = tile.pipeline %j = %c0 to %c16 step %c1 stages(2)
        iter_args(%acc = %zero) -> (!tile.tile<16x1xf32>) {
      %x = tile.load %a[%t, %j] : memref<128x512xf32> -> !tile.tile<16x32xf32>
      %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %n = tile.add %acc, %s : !tile.tile<16x1xf32>
      tile.yield %n : !tile.tile<16x1xf32>
    }
    ```
  }];
  let arguments = (ins Index:$lowerBound, Index:$upperBound, Index:$step,
                       ConfinedAttr<I64Attr, [IntPositive]>:$stages,
                       Variadic<AnyType>:$initArgs);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$lowerBound, "::mlir::Value":$upperBound,
                   "::mlir::Value":$step, "int64_t":$stages,
                   CArg<"::mlir::ValueRange", "{}">:$initArgs)>
  ];
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    ::mlir::BlockArgument getInductionVar() { return getBody().getArgument(0); }
    /// The region's loop-carried arguments (empty on a malformed body
    /// without an induction variable).
    ::mlir::Block::BlockArgListType getIterArgs() {
      ::mlir::Block::BlockArgListType args = getBody().getArguments();
      return args.empty() ? args : args.drop_front();
    }
    unsigned getNumIterArgs() { return getInitArgs().size(); }
  }];
}

def Tile_YieldOp : Tile_Op<"yield", [
    Pure, Terminator, ReturnLike,
    ParentOneOf<["SpmdOp", "AtOp", "PipelineOp"]>]> {
  let summary = "terminates a tile region, yielding loop-carried values";
  let description = [{
    Ends the body of `tile.spmd` and `tile.at` (implicitly, with no operands)
    and of `tile.pipeline`, where its operands are the next iteration's
    `iter_args`.

    ```mlir
    tile.yield %n : !tile.tile<1x16xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$operands);
  let builders = [OpBuilder<(ins), [{ /* nothing to do */ }]>];
  let assemblyFormat = "attr-dict ($operands^ `:` type($operands))?";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Global memory
//===----------------------------------------------------------------------===//

def Tile_AllocGmOp : Tile_Op<"alloc_gm", [
    MemoryEffects<[MemAlloc<DefaultResource>]>]> {
  let summary = "a global-memory scratch tensor";
  let description = [{
    Allocates a GM tensor of static shape for intermediates between scopes
    (PyPTO's `pl.create_tensor`). It lives for the whole kernel and must be
    allocated outside every `tile.spmd`. `name` is used in reports.

    ```mlir
    %s = tile.alloc_gm name("q_latent") : memref<8x1024xf32>
    ```
  }];
  let arguments = (ins OptionalAttr<StrAttr>:$name);
  let results = (outs AnyStaticShapeMemRef:$result);
  let assemblyFormat = "(`name` `(` $name^ `)`)? attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Tile_LoadOp : Tile_Op<"load", [Tile_InCoreScope, AttrSizedOperandSegments,
    MemoryEffects<[MemRead]>]> {
  let summary = "load a static-size slice of a GM tensor into a tile";
  let description = [{
    Reads the slice of `source` that starts at the dynamic `indices` and has
    the tile's static shape. When the memref has higher rank than the tile,
    the slice has unit size in the leading dimensions (rank-reducing); a
    1-D memref loads as a `1 x N` tile. Constant indices are bounds-checked.

    A partial tile (PyPTO's `valid_shape=`, PTO-ISA's RowValid / ColValid):
    `valid [rows, cols]` reads only the top-left `rows x cols` region of the
    window (each a constant or a runtime index, 1 <= valid <= the tile's
    size); the rest of the tile, its padding, is zero (PTO-ISA: a tile whose
    PadVal is Zero). Only the valid region has to lie inside `source`: the
    window may run past its end.

    ```mlir
    %x = tile.load %kv[%t0, %c0] : memref<128x512xf32> -> !tile.tile<16x32xf32>
    %g = tile.load %gamma[%c0] : memref<512xbf16> -> !tile.tile<1x512xbf16>
    %p = tile.load %xi8[%c0, %k] valid [4, %vc] : memref<4x64xi8> -> !tile.tile<16x32xi8>
    ```
  }];
  let arguments = (ins Arg<AnyStaticShapeMemRef, "", [MemRead]>:$source,
                       Variadic<Index>:$indices, Variadic<Index>:$valid,
                       OptionalAttr<DenseI64ArrayAttr>:$static_valid);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $source `[` $indices `]` `` custom<ValidShape>($valid, $static_valid)
    attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Type":$result, "::mlir::Value":$source,
                   "::mlir::ValueRange":$indices), [{
      build($_builder, $_state, result, source, indices, ::mlir::ValueRange{},
            ::mlir::DenseI64ArrayAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    ::mlir::MemRefType getMemRefType() {
      return ::llvm::cast<::mlir::MemRefType>(getSource().getType());
    }
    TileType getTileType() { return ::llvm::cast<TileType>(getType()); }
    /// The sizes of the slice read, in the memref's rank: the valid shape
    /// where it is static, the tile's shape elsewhere.
    ::llvm::SmallVector<int64_t> getSliceSizes();
    /// The tile's shape in the memref's rank (the physical window).
    ::llvm::SmallVector<int64_t> getWindowSizes();
    /// Whether the op reads only a valid region of its tile.
    bool hasValidShape() { return getStaticValid().has_value(); }
    /// The valid extent of tile dimension `d` (0 rows, 1 columns): a
    /// constant, a runtime index, or the tile's size when there is no valid
    /// shape.
    ::mlir::OpFoldResult getValidSize(unsigned d);
  }];
}

def Tile_StoreOp : Tile_Op<"store", [Tile_InCoreScope, AttrSizedOperandSegments,
    MemoryEffects<[MemWrite]>]> {
  let summary = "store a tile into a static-size slice of a GM tensor";
  let description = [{
    Writes `value` into the slice of `dest` at `indices`, with the same slice
    rules as `tile.load`. Stores into function arguments are writes to the
    kernel's outputs. With `valid [rows, cols]` only the top-left valid
    region is written (a partial tile's store); GM outside it is untouched. With `atomic_add` the store adds
    `value` into `dest` atomically (pto-isa's TSTORE with AtomicAdd, PyPTO's
    `pl.assemble(..., atomic=pl.AtomicType.Add)`): stores of this kind into
    one region from several blocks or scopes are not a race. A partial
    atomic store adds only its valid region (pto-isa's TSTORE moves the
    tile's valid rows x columns); GM outside it is untouched.

    ```mlir
    tile.store %y, %out[%t0, %c0] : !tile.tile<16x32xbf16>, memref<128x512xbf16>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$value,
                       Arg<AnyStaticShapeMemRef, "", [MemWrite]>:$dest,
                       Variadic<Index>:$indices, Variadic<Index>:$valid,
                       OptionalAttr<DenseI64ArrayAttr>:$static_valid,
                       UnitAttr:$atomic_add);
  let assemblyFormat = [{
    $value `,` $dest `[` $indices `]` `` custom<ValidShape>($valid,
    $static_valid) attr-dict `:` type($value) `,` type($dest)
  }];
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::Value":$value, "::mlir::Value":$dest,
                   "::mlir::ValueRange":$indices), [{
      build($_builder, $_state, value, dest, indices, ::mlir::ValueRange{},
            ::mlir::DenseI64ArrayAttr(), ::mlir::UnitAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    ::mlir::MemRefType getMemRefType() {
      return ::llvm::cast<::mlir::MemRefType>(getDest().getType());
    }
    TileType getTileType() { return ::llvm::cast<TileType>(getValue().getType()); }
    /// As tile.load's: the valid sizes where static, else the tile's.
    ::llvm::SmallVector<int64_t> getSliceSizes();
    ::llvm::SmallVector<int64_t> getWindowSizes();
    bool hasValidShape() { return getStaticValid().has_value(); }
    ::mlir::OpFoldResult getValidSize(unsigned d);
  }];
}

//===----------------------------------------------------------------------===//
// Constants, shapes and conversions
//===----------------------------------------------------------------------===//

def Tile_FullOp : Tile_Op<"full", [Pure, Tile_InCoreScope]> {
  let summary = "a tile filled with one constant";
  let description = [{
    PyPTO's `pl.full(shape, dtype=..., value=...)`. The value is written
    without a type; it takes the tile's element type. Float tiles take an
    integer or float literal, or `inf`, `-inf` and `nan`; integer tiles take
    an integer literal. A value the element type cannot hold (300 for i8,
    70000.0 for f16) is an error, never wrapped or rounded to infinity.

    ```mlir
    %z = tile.full 0.0 : !tile.tile<1x16xf32>
    %m = tile.full -128 : !tile.tile<16x32xi32>
    %n = tile.full -inf : !tile.tile<16x1xf32>
    ```
  }];
  let arguments = (ins TypedAttrInterface:$value);
  let results = (outs Tile_AnyTile:$result);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Tile_ReshapeOp : Tile_Op<"reshape", [Pure, Tile_InCoreScope]> {
  let summary = "reinterpret a tile with another shape of the same size";
  let description = [{
    Row-major reinterpretation; element type and element count are kept.

    ```mlir
    %r = tile.reshape %rs : !tile.tile<16x1xf32> -> !tile.tile<1x16xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_CopyOp : Tile_Op<"copy", [Pure, Tile_InCoreScope,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "a copy of a tile in other storage";
  let description = [{
    The same value as `input`, in storage of its own. The placement
    contract (docs/placement.md) implies copies where a `tile.pipeline`'s
    init or yielded value, or the value an `scf.if` branch yields, is not
    placed in the loop-carried or result storage; `tile-materialize-copies`
    makes them explicit ops placed there, so that `tile-insert-sync` can
    order them and the PTO emitter can print them (TMOV). The CPU
    simulation copies unless the result is placed at the input's bytes.

    ```mlir
    %c = tile.copy %x : !tile.tile<16x1xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Tile_CastOp : Tile_Op<"cast", [Pure, Tile_InCoreScope, Tile_VectorOnly]> {
  let summary = "convert element type with an explicit rounding mode";
  let description = [{
    Converts every element, rounding as `mode` says: `rint` (to nearest,
    ties to even), `round` (to nearest, ties away from zero), `trunc`
    (toward zero), `floor`, `ceil`, or `none` (for exact widenings; for
    narrowing float conversions it means the hardware default, rint).
    Only the pairs and modes that AscendC's `Cast` provides are legal:

    | from -> to | modes |
    |---|---|
    | f32 -> f16, bf16 | none, rint, round, trunc, floor, ceil |
    | f32 -> i32, f16 -> i32 | rint, round, trunc, floor, ceil |
    | f32 -> f32 | rint, round, trunc, floor, ceil (round to integral) |
    | f16 -> i8 | none, rint, round, trunc, floor, ceil |
    | f16, bf16 -> f32 | none |
    | i8 -> f16 | none |
    | i32 -> f32 | none, rint, round, trunc, floor, ceil |
    | i32 -> f16 | round, rint, trunc, floor, ceil |

    Float to integer conversions saturate to the destination's range; NaN
    converts to 0.

    ```mlir
    %i = tile.cast %x rint : !tile.tile<16x32xf32> -> !tile.tile<16x32xi32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input, Tile_RoundModeAttr:$mode);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $input $mode attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

class Tile_BinaryOp<string mnemonic, string what, Type tileType = Tile_ArithTile>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly,
                         SameOperandsAndResultType]> {
  let summary = "elementwise " # what;
  let description = "Elementwise " # what # [{ of two tiles of the same type.
    bf16 is not a vector compute type on Ascend: cast to f32 first.

    ```mlir
    %z = tile.}] # mnemonic # [{ %x, %y : !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins tileType:$lhs, tileType:$rhs);
  let results = (outs tileType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def Tile_AddOp : Tile_BinaryOp<"add", "addition">;
def Tile_SubOp : Tile_BinaryOp<"sub", "subtraction">;
def Tile_MulOp : Tile_BinaryOp<"mul", "multiplication">;
def Tile_DivOp : Tile_BinaryOp<"div", "division", Tile_FloatTile>;
def Tile_MaxOp : Tile_BinaryOp<"max", "maximum">;
def Tile_MinOp : Tile_BinaryOp<"min", "minimum">;

class Tile_ScalarOp<string mnemonic, string what,
                    Type tileType = Tile_ArithTile>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly,
                         AllTypesMatch<["input", "result"]>,
                         TypesMatchWith<"scalar has the tile's element type",
                             "result", "scalar",
                             "::llvm::cast<::tessel::tile::TileType>($_self).getElementType()">]> {
  let summary = "elementwise " # what # " with a scalar";
  let description = "Elementwise " # what # [{ of a tile and a scalar of its
    element type (PyPTO's `pl.add(t, 1.0)` and friends; AscendC `Adds`,
    `Muls`, `Maxs`).

    ```mlir
    %z = tile.}] # mnemonic # [{ %x, %eps : !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins tileType:$input, Tile_ScalarType:$scalar);
  let results = (outs tileType:$result);
  let assemblyFormat = "$input `,` $scalar attr-dict `:` type($result)";
}

def Tile_AddSOp : Tile_ScalarOp<"adds", "addition">;
def Tile_SubSOp : Tile_ScalarOp<"subs", "subtraction (tile - scalar)">;
def Tile_RSubSOp : Tile_ScalarOp<"rsubs", "reversed subtraction (scalar - tile)">;
def Tile_MulSOp : Tile_ScalarOp<"muls", "multiplication">;
def Tile_DivSOp : Tile_ScalarOp<"divs", "division (tile / scalar)", Tile_FloatTile>;
def Tile_RDivSOp : Tile_ScalarOp<"rdivs", "reversed division (scalar / tile)", Tile_FloatTile>;
def Tile_MaxSOp : Tile_ScalarOp<"maxs", "maximum">;
def Tile_MinSOp : Tile_ScalarOp<"mins", "minimum">;

class Tile_UnaryOp<string mnemonic, string what, Type tileType = Tile_FloatTile>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly,
                         SameOperandsAndResultType]> {
  let summary = "elementwise " # what;
  let description = "Elementwise " # what # [{.

    ```mlir
    %y = tile.}] # mnemonic # [{ %x : !tile.tile<16x32xf32>
    ```
  }];
  let arguments = (ins tileType:$input);
  let results = (outs tileType:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def Tile_NegOp : Tile_UnaryOp<"neg", "negation", Tile_ArithTile>;
def Tile_AbsOp : Tile_UnaryOp<"abs", "absolute value", Tile_ArithTile>;
def Tile_SqrtOp : Tile_UnaryOp<"sqrt", "square root">;
def Tile_RsqrtOp : Tile_UnaryOp<"rsqrt", "reciprocal square root, 1 / sqrt(x)">;
def Tile_RecipOp : Tile_UnaryOp<"recip", "reciprocal, 1 / x">;
def Tile_ExpOp : Tile_UnaryOp<"exp", "natural exponential">;

//===----------------------------------------------------------------------===//
// Broadcasts and reductions
//===----------------------------------------------------------------------===//

def Tile_RowExpandMulOp : Tile_Op<"row_expand_mul", [Pure, Tile_InCoreScope,
    Tile_VectorOnly, AllTypesMatch<["input", "result"]>]> {
  let summary = "multiply each row by its own scalar";
  let description = [{
    `result[i, j] = input[i, j] * scale[i, 0]`: an M x N tile times an
    M x 1 tile broadcast along the rows.

    ```mlir
    %y = tile.row_expand_mul %x, %r : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
    ```
  }];
  let arguments = (ins Tile_ArithTile:$input, Tile_ArithTile:$scale);
  let results = (outs Tile_ArithTile:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

def Tile_ColExpandMulOp : Tile_Op<"col_expand_mul", [Pure, Tile_InCoreScope,
    Tile_VectorOnly, AllTypesMatch<["input", "result"]>]> {
  let summary = "multiply each column by its own scalar";
  let description = [{
    `result[i, j] = input[i, j] * scale[0, j]`: an M x N tile times a
    1 x N tile broadcast along the columns (e.g. an RMSNorm gamma).

    ```mlir
    %y = tile.col_expand_mul %x, %g : !tile.tile<16x32xf32>, !tile.tile<1x32xf32>
    ```
  }];
  let arguments = (ins Tile_ArithTile:$input, Tile_ArithTile:$scale);
  let results = (outs Tile_ArithTile:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` type($input) `,` type($scale)
  }];
  let hasVerifier = 1;
}

include "tile/TileViewOps.td"
include "tile/TileMathOps.td"
include "tile/TileIndexOps.td"
include "tile/TileScalarOps.td"
include "tile/TileValidOps.td"

class Tile_RowReduceOp<string mnemonic, string what>
    : Tile_Op<mnemonic, [Pure, Tile_InCoreScope, Tile_VectorOnly]> {
  let summary = "reduce each row by " # what;
  let description = "Reduces each row of an M x N tile by " # what # [{ into
    an M x 1 tile of the same element type; f32 tiles reduce in f32.

    ```mlir
    %s = tile.}] # mnemonic # [{ %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
    ```
  }];
  let arguments = (ins Tile_FloatTile:$input);
  let results = (outs Tile_FloatTile:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Tile_RowSumOp : Tile_RowReduceOp<"row_sum", "summation">;
def Tile_RowMaxOp : Tile_RowReduceOp<"row_max", "maximum">;

//===----------------------------------------------------------------------===//
// Even/odd column gather and scatter
//===----------------------------------------------------------------------===//

def Tile_GatherOp : Tile_Op<"gather", [Pure, Tile_InCoreScope, Tile_VectorOnly]> {
  let summary = "keep the even (p0101) or odd (p1010) columns";
  let description = [{
    AscendC `GatherMask` with a fixed pattern: an M x 2K tile becomes an
    M x K tile of its even (`p0101`) or odd (`p1010`) columns, the
    de-interleaving step of RoPE.

    ```mlir
    %e = tile.gather %x p0101 : !tile.tile<8x64xf32> -> !tile.tile<8x32xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input, Tile_MaskPatternAttr:$pattern);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $input $pattern attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_ScatterOp : Tile_Op<"scatter", [Pure, Tile_InCoreScope,
    Tile_VectorOnly, AllTypesMatch<["dest", "result"]>]> {
  let summary = "write a tile into the even or odd columns of another";
  let description = [{
    The inverse of `tile.gather`: the result is `dest` with its even
    (`p0101`) or odd (`p1010`) columns replaced by the M x K tile `source`;
    `dest` is M x 2K.

    ```mlir
    %y = tile.scatter %e into %buf p0101 : !tile.tile<8x32xf32> -> !tile.tile<8x64xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$source, Tile_AnyTile:$dest,
                       Tile_MaskPatternAttr:$pattern);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $source `into` $dest $pattern attr-dict `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Cube
//===----------------------------------------------------------------------===//

def Tile_MatmulOp : Tile_Op<"matmul", [Pure, Tile_InCoreScope, Tile_CubeOnly]> {
  let summary = "cube matrix multiplication";
  let description = [{
    `result = op(lhs) @ op(rhs)` on the cube unit: [M, K] x [K, N] -> [M, N].
    `a_trans` says `lhs` is stored [K, M] and multiplies as its transpose;
    `b_trans` says `rhs` is stored [N, K] (PyPTO's `a_trans=` / `b_trans=`).
    The operands keep their stored shape up to L1; the transposition happens
    in the L1 -> L0A / L0B move (pto-isa: TMOV / TEXTRACT from a ZN source
    into Left / Right), so L0A holds [M, K] and L0B [K, N] either way.

    Element types: bf16 x bf16 -> f32, f16 x f16 -> f32, f32 x f32 -> f32,
    int8 x int8 -> i32 (exact integer accumulation), where the module's
    target's cube supports the pair (TargetInfo's cube dtype table; pto-isa
    TMATMUL supports all four on a2a3 and a5).

    ```mlir
    %c = tile.matmul %a, %b : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
    %d = tile.matmul %fa, %fw b_trans : !tile.tile<16x64xf32>, !tile.tile<128x64xf32> -> !tile.tile<16x128xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$lhs, Tile_AnyTile:$rhs,
                       UnitAttr:$a_trans, UnitAttr:$b_trans);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`a_trans` $a_trans^)? (`b_trans` $b_trans^)? attr-dict `:`
    type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_MatmulAccOp : Tile_Op<"matmul_acc", [Pure, Tile_InCoreScope,
    Tile_CubeOnly, AllTypesMatch<["acc", "result"]>]> {
  let summary = "cube matrix multiply-accumulate";
  let description = [{
    `result = acc + op(lhs) @ op(rhs)`, with the dtype and transposition
    rules of `tile.matmul`; the accumulator is f32 or i32 and lives in L0C.

    ```mlir
    %d = tile.matmul_acc %c, %a, %b : !tile.tile<16x64xbf16>, !tile.tile<64x128xbf16> -> !tile.tile<16x128xf32>
    %e = tile.matmul_acc %c, %a, %w b_trans : !tile.tile<16x64xbf16>, !tile.tile<128x64xbf16> -> !tile.tile<16x128xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$acc, Tile_AnyTile:$lhs, Tile_AnyTile:$rhs,
                       UnitAttr:$a_trans, UnitAttr:$b_trans);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs (`a_trans` $a_trans^)? (`b_trans` $b_trans^)?
    attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

include "tile/TileCatalogOps.td"

//===----------------------------------------------------------------------===//
// Pipe synchronisation (inserted by tile-insert-sync on placed IR)
//===----------------------------------------------------------------------===//

def Tile_SetFlagOp : Tile_Op<"set_flag", [Tile_InCoreScope]> {
  let summary = "signal an event from one pipe to another";
  let description = [{
    Ascend's `set_flag(src, dst, event)`: queued on pipe `src`, it sets the
    event once every instruction issued to `src` before it has completed. A
    `tile.wait_flag` with the same pipes and event holds pipe `dst` until
    then. `event` is an id in [0, 8) of the pipe pair; with a `slot`
    operand the id is `event + slot` (the rotating ids of a multi-buffered
    loop). Each set is consumed by exactly one wait, in program order.
    Inserted by `tile-insert-sync`; the pipes must exist on the scope's core
    kind (vector: s, v, mte2, mte3; cube: s, m, mte1, mte2, fix).

    ```mlir
    tile.set_flag mte2 -> v, 0
    tile.wait_flag mte2 -> v, 0
    tile.set_flag v -> mte2, 0 + %slot
    ```
  }];
  let arguments = (ins Tile_PipeAttr:$src, Tile_PipeAttr:$dst,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$event,
                       Optional<Index>:$slot);
  let assemblyFormat = [{
    $src `->` $dst `,` $event (`+` $slot^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Tile_WaitFlagOp : Tile_Op<"wait_flag", [Tile_InCoreScope]> {
  let summary = "hold a pipe until an event is set";
  let description = [{
    Ascend's `wait_flag(src, dst, event)`: queued on pipe `dst`, it blocks
    that pipe until the matching `tile.set_flag` (same pipes, same event)
    has fired, and consumes it. Instructions issued to `dst` after the wait
    therefore start only after every instruction of `src` issued before the
    set has completed.

    ```mlir
    tile.wait_flag mte2 -> v, 0
    ```
  }];
  let arguments = (ins Tile_PipeAttr:$src, Tile_PipeAttr:$dst,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$event,
                       Optional<Index>:$slot);
  let assemblyFormat = [{
    $src `->` $dst `,` $event (`+` $slot^)? attr-dict
  }];
  let hasVerifier = 1;
}

def Tile_BarrierOp : Tile_Op<"barrier", [Tile_InCoreScope]> {
  let summary = "order a pipe's instructions (or all pipes') at this point";
  let description = [{
    Ascend's `pipe_barrier(pipe)`: instructions issued to `pipe` after the
    barrier start only after those issued before it have completed. The
    vector pipe needs it between dependent vector instructions; `all`
    drains every pipe (the end of an spmd block on a core).

    ```mlir
    tile.barrier v
    tile.barrier all
    ```
  }];
  let arguments = (ins Tile_PipeAttr:$pipe);
  let assemblyFormat = "$pipe attr-dict";
  let hasVerifier = 1;
}

#endif // TESSEL_DIALECT_TILE_TILEOPS_TD
