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

#endif // TESSEL_TRANSFORMS_PASSES_TD
