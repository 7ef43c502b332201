//===- TileAttrs.td - Attributes of the tile dialect -------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Enumerations (memory kinds, targets, core kinds, rounding modes, mask
// patterns) and the placement attribute that `tile-place-buffers` attaches.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEATTRS_TD
#define TESSEL_DIALECT_TILE_TILEATTRS_TD

include "tile/TileDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enumerations
//===----------------------------------------------------------------------===//

def Tile_MemoryKind : I32EnumAttr<"MemoryKind", "an Ascend memory",
    [I32EnumAttrCase<"gm", 0>, I32EnumAttrCase<"ub", 1>,
     I32EnumAttrCase<"l1", 2>, I32EnumAttrCase<"l0a", 3>,
     I32EnumAttrCase<"l0b", 4>, I32EnumAttrCase<"l0c", 5>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 0;
}

def Tile_Target : I32EnumAttr<"Target", "an Ascend chip generation",
    [I32EnumAttrCase<"a2a3", 0>, I32EnumAttrCase<"a5", 1>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 0;
}

def Tile_CoreKindAttr : I32EnumAttr<"CoreKind", "the kind of core a scope runs on",
    [I32EnumAttrCase<"vector", 0>, I32EnumAttrCase<"cube", 1>,
     I32EnumAttrCase<"core_group", 2>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 1;
}

def Tile_RoundModeAttr : I32EnumAttr<"RoundMode", "a rounding mode of tile.cast",
    [I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"rint", 1>,
     I32EnumAttrCase<"round", 2>, I32EnumAttrCase<"trunc", 3>,
     I32EnumAttrCase<"floor", 4>, I32EnumAttrCase<"ceil", 5>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 1;
}

/// PyPTO's comparison codes (`cmp_type=`): eq=0, ne=1, lt=2, le=3, gt=4,
/// ge=5, PTO-ISA's CmpMode.
def Tile_CmpModeAttr : I32EnumAttr<"CmpMode", "a comparison of tile.cmp",
    [I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
     I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
     I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 1;
}

def Tile_MaskPatternAttr : I32EnumAttr<"MaskPattern",
    "a fixed gather/scatter column pattern",
    [I32EnumAttrCase<"p0101", 1>, I32EnumAttrCase<"p1010", 2>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 1;
}

def Tile_PipeAttr : I32EnumAttr<"Pipe",
    "an instruction pipe of an AI Core",
    [I32EnumAttrCase<"s", 0>, I32EnumAttrCase<"v", 1>,
     I32EnumAttrCase<"m", 2>, I32EnumAttrCase<"mte1", 3>,
     I32EnumAttrCase<"mte2", 4>, I32EnumAttrCase<"mte3", 5>,
     I32EnumAttrCase<"fix", 6>, I32EnumAttrCase<"all", 7>]> {
  let cppNamespace = "::tessel::tile";
  let genSpecializedAttr = 1;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class Tile_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Tile_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Tile_MemoryKindAttr : EnumAttr<Tile_Dialect, Tile_MemoryKind, "memory"> {
  let summary = "an Ascend memory: gm, ub, l1, l0a, l0b or l0c";
  let assemblyFormat = "`<` $value `>`";
}

def Tile_TargetAttr : EnumAttr<Tile_Dialect, Tile_Target, "target"> {
  let summary = "the target chip generation of a module or function";
  let description = [{
    Names the chip whose capacities the passes respect, e.g.
    `attributes {tile.target = #tile.target<a2a3>}`. The figures of each
    target live once, in `tessel/Support/TargetInfo.h`.
  }];
  let assemblyFormat = "`<` $value `>`";
}

def Tile_PlaceAttr : Tile_Attr<"Place", "place"> {
  let summary = "where a tile lives: a buffer, a byte offset and a slot count";
  let description = [{
    Attached by `tile-place-buffers` to every tile-producing op as the
    discardable attribute `place`. `offset` is the byte offset of slot 0 in
    the buffer `kind`; a value inside a `tile.pipeline` with several stages
    has `slots` copies at `offset + i * slot_bytes`, where `slot_bytes` is
    the tile's size rounded up to the target's alignment.

    ```mlir
    %x = tile.load %a[%i, %c0] {place = #tile.place<ub, 1024, slots = 2>}
        : memref<128x512xf32> -> !tile.tile<16x32xf32>
    ```
  }];
  let parameters = (ins "::tessel::tile::MemoryKind":$kind,
                        "int64_t":$offset,
                        DefaultValuedParameter<"int64_t", "1">:$slots);
  let assemblyFormat = "`<` $kind `,` $offset (`,` `slots` `=` $slots^)? `>`";
  let genVerifyDecl = 1;
}

#endif // TESSEL_DIALECT_TILE_TILEATTRS_TD
