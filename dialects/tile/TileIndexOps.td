//===- TileIndexOps.td - Index gather/scatter, sort and merge -*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Included from TileOps.td: the ops of PyPTO's "gather, scatter, sort"
// family that move elements by a runtime index (issue 14 items 7 and 9,
// issue 15's scatter by index): index gather and scatter along the last
// dim, and pto-isa's TSORT32 / TMRGSORT on (value, index) pairs.
//
// Indices are i32 tiles; PyPTO's UINT32 index tiles are i32 tiles in the
// IR (the same bits; the frontend keeps the signedness).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_DIALECT_TILE_TILEINDEXOPS_TD
#define TESSEL_DIALECT_TILE_TILEINDEXOPS_TD

//===----------------------------------------------------------------------===//
// Gather and scatter by index along the last dim
//===----------------------------------------------------------------------===//

def Tile_GatherIndexOp : Tile_Op<"gather_index", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "gather elements of each row by a column index";
  let description = [{
    PyPTO's `pl.gather(input, dim=-1, index=idx)` (torch.gather along the
    last dim): for an M x N `input` and an M x K i32 `index`,
    `result[r, k] = input[r, index[r, k]]`. An index outside [0, N) reads
    0 (what pto-isa's TGATHER does for an out-of-range index of a one-row
    source), never another row's element.

    ```mlir
    %g = tile.gather_index %x, %i : !tile.tile<4x64xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x8xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$input, Tile_AnyTile:$index);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $input `,` $index attr-dict `:` type($input) `,` type($index) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_ScatterIndexOp : Tile_Op<"scatter_index", [Pure, Tile_InCoreScope,
    Tile_VectorOnly, AllTypesMatch<["dest", "result"]>]> {
  let summary = "write elements of each row to columns given by an index";
  let description = [{
    PyPTO's `pl.scatter(input, dim=-1, index=idx, src=src)` (torch.scatter
    along the last dim): the result is `dest` (M x N) with
    `result[r, index[r, k]] = source[r, k]` for the M x K `source` and i32
    `index`. Writes happen in row-major order of `source`, so of two writes
    to one element the later (larger k) wins; an index outside [0, N)
    writes nothing.

    ```mlir
    %y = tile.scatter_index %s, %i into %d : !tile.tile<4x8xf32>, !tile.tile<4x8xi32> -> !tile.tile<4x64xf32>
    ```
  }];
  let arguments = (ins Tile_AnyTile:$source, Tile_AnyTile:$index,
                       Tile_AnyTile:$dest);
  let results = (outs Tile_AnyTile:$result);
  let assemblyFormat = [{
    $source `,` $index `into` $dest attr-dict `:` type($source) `,` type($index) `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Sorting (pto-isa TSORT32 / TMRGSORT)
//===----------------------------------------------------------------------===//

def Tile_Sort32Op : Tile_Op<"sort32", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "sort 32-element blocks into (value, index) pairs";
  let description = [{
    pto-isa's TSORT32: each row of the M x C `input` (C a multiple of 32)
    is cut into blocks of 32; each block's (value, index) pairs, the index
    taken from the i32 `index` tile (M x C, or 1 x C for every row), are
    sorted by value descending, ties by smaller index first, and written
    interleaved: for f32, `result[r, 2p]` is the value and `result[r, 2p+1]`
    the index bits of the p-th pair, so the result is M x 2C.

    ```mlir
    %s = tile.sort32 %x, %i : !tile.tile<1x64xf32>, !tile.tile<1x64xi32> -> !tile.tile<1x128xf32>
    ```
  }];
  let arguments = (ins Tile_FloatTile:$input, Tile_AnyTile:$index);
  let results = (outs Tile_FloatTile:$result);
  let assemblyFormat = [{
    $input `,` $index attr-dict `:` type($input) `,` type($index) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_MrgSortOp : Tile_Op<"mrgsort", [Pure, Tile_InCoreScope,
    Tile_VectorOnly, AllTypesMatch<["input", "result"]>]> {
  let summary = "4-way merge of sorted runs of (value, index) pairs";
  let description = [{
    pto-isa's single-list TMRGSORT on a 1 x C tile of interleaved (value,
    index) pairs (the layout of `tile.sort32`): each group of 4 consecutive
    runs of `block_len` elements (block_len / 2 pairs for f32) is merged
    into one run, taking at each step the pair with the largest value and,
    of equal values, the one of the earlier run. `block_len` is a multiple
    of 64 and C a multiple of 4 * block_len.

    ```mlir
    %m = tile.mrgsort %s block_len(64) : !tile.tile<1x256xf32> -> !tile.tile<1x256xf32>
    ```
  }];
  let arguments = (ins Tile_FloatTile:$input, I64Attr:$block_len);
  let results = (outs Tile_FloatTile:$result);
  let assemblyFormat = [{
    $input `block_len` `(` $block_len `)` attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Tile_MrgSortListsOp : Tile_Op<"mrgsort_lists", [Pure, Tile_InCoreScope,
    Tile_VectorOnly]> {
  let summary = "merge 2 to 4 sorted lists of (value, index) pairs";
  let description = [{
    pto-isa's multi-list TMRGSORT (not exhausted): 2 to 4 one-row tiles of
    sorted interleaved (value, index) pairs merge into one 1 x (sum of
    columns) tile, with the rule of `tile.mrgsort` (largest value first, of
    equal values the pair of the earlier list).

    ```mlir
    %m = tile.mrgsort_lists %a, %b : !tile.tile<1x64xf32>, !tile.tile<1x64xf32> -> !tile.tile<1x128xf32>
    ```
  }];
  let arguments = (ins Variadic<Tile_FloatTile>:$inputs);
  let results = (outs Tile_FloatTile:$result);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // TESSEL_DIALECT_TILE_TILEINDEXOPS_TD
