//===- Passes.td - Tessel transformation passes ------------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Every Tessel pass is declared here: one sentence of summary, a description
// with a before/after example, its options and dependent dialects. The pass
// lives in lib/Transforms/<Name>.cpp and is tested in
// test/Transforms/<flag-stem>.mlir (+ -invalid.mlir).
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_PASSES_TD
#define TESSEL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TileCheckScopes : Pass<"tile-check-scopes", "::mlir::ModuleOp"> {
  let summary = "report each core scope's kind, grid and the cube/vector ops "
                "it holds";
  let description = [{
    Walks every `tile.spmd` and emits a remark per scope naming its grid,
    the kinds of its `tile.at` scopes and how many cube and vector ops each
    holds; with `require-target` it is an error for a module to lack a
    `tile.target` attribute. A cheap sanity pass at the head of every
    pipeline and the simplest example of a Tessel pass.

    Input:
    ```mlir
    module attributes {tile.target = #tile.target<a2a3>} {
      func.func @k(%a: memref<16x32xf32>) {
        tile.spmd 2 name("s") (%b) { tile.at vector { ... } }
        return
      }
    }
    ```
    Remark: `scope 's': 2 blocks, vector scope with 0 cube and 3 vector ops`.
  }];
  let options = [
    Option<"requireTarget", "require-target", "bool", /*default=*/"false",
           "error when the module names no tile.target">
  ];
}

def TilePlaceBuffers : Pass<"tile-place-buffers", "::mlir::ModuleOp"> {
  let summary = "give every tile an offset in its on-chip buffer, reusing "
                "dead space and multiplying pipelined tiles per stage";
  let description = [{
    Implements the placement contract of docs/placement.md. For each
    `tile.at` scope it decides every tile's buffer (`ub` in vector scopes; in
    cube scopes `l1` for loads and `l0c` for `tile.matmul` /
    `tile.matmul_acc` results and their accumulators; in `core_group` scopes
    per tile, by the ops that make and use it), numbers the scope's ops into
    program points, computes live ranges (a tile used inside a loop it was
    not defined in lives to the end of that loop; a loop-carried tile lives
    for the whole `tile.pipeline` and as long as its result is used; a tile
    defined directly in the body of a `tile.pipeline` with `stages = S > 1`
    gets `S` slots and is live for the whole pipeline) and packs each buffer
    kind so that tiles whose live ranges overlap never share bytes, at the
    target's alignment and within its usable capacity. `tile.reshape`
    becomes a view of its operand where it can. Each matmul's operands must
    fit L0A and L0B.

    It writes `place = #tile.place<KIND, OFFSET[, slots = S]>` on every
    tile-producing op, `places = [...]` on `tile.pipeline` ops with tile
    iter_args, `tile.peak = {ub = .., l1 = .., l0a = .., l0b = .., l0c = ..}`
    (bytes per buffer kind) on every scope, and `tile.placed` on the
    enclosing function. When `target` is given and the module names no
    target, the module gets `tile.target` so the lowerings size their arenas
    the same way.

    Overflow is an error on the scope (`vector UB exceeded: 213504 > 188416
    bytes`) with a note holding the memory map; a tile that alone exceeds
    its buffer is also an error on the tile; a matmul operand larger than
    L0A / L0B is an error on the matmul. On any error the IR is left as it
    was.

    A result may be placed over an operand that dies at its op when the op
    is elementwise in that operand (docs/placement.md): the accumulator a
    pipeline yields is then updated in place, and an init value that dies at
    the pipeline shares the loop-carried storage, so neither is copied.

    Input:
    ```mlir
    tile.at vector {
      %x = tile.load %a[%c0, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %y = tile.load %a[%c16, %c0] : memref<64x32xf32> -> !tile.tile<16x32xf32>
      %t = tile.row_sum %y : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %u = tile.add %s, %t : !tile.tile<16x1xf32>
      tile.store %u, %o[%c0, %c0] : !tile.tile<16x1xf32>, memref<64x1xf32>
    }
    ```
    Output (`%y` reuses the bytes of `%x`, dead by then; `%u` is computed
    in place over `%s`):
    ```mlir
    tile.at vector attributes {tile.peak = {l0a = 0 : i64, l0b = 0 : i64,
                                            l0c = 0 : i64, l1 = 0 : i64,
                                            ub = 2176 : i64}} {
      %x = tile.load ... {place = #tile.place<ub, 0>} ...
      %s = tile.row_sum %x {place = #tile.place<ub, 2048>} ...
      %y = tile.load ... {place = #tile.place<ub, 0>} ...
      %t = tile.row_sum %y {place = #tile.place<ub, 2112>} ...
      %u = tile.add %s, %t {place = #tile.place<ub, 2048>} ...
      ...
    }
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">
  ];
}

#endif // TESSEL_TRANSFORMS_PASSES_TD
