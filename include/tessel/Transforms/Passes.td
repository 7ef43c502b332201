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

def TileFormScopes : Pass<"tile-form-scopes", "::mlir::ModuleOp"> {
  let summary = "form tile scopes from a tensor-level function (linalg, "
                "tensor, arith, math on static 2-D tensors)";
  let description = [{
    The graph entry of Tessel (docs/graph.md): every function on ranked
    static 2-D tensors becomes a tile kernel on memrefs, its results turned
    into trailing output arguments. The values that must live in GM (the
    results, every `linalg.matmul`'s operands and result, the source of
    every reshape) get an output argument or a `tile.alloc_gm` and one
    scope each, in program order:

    - `linalg.matmul` (bf16 / f16 -> f32, i8 -> i32, accumulating into a
      zero `linalg.fill`): a `core_group` scope of (M / MB) x (N / NB)
      blocks, a K loop of KB steps with `tile.matmul_acc`; NB and KB are
      chosen so the operands fit L0A / L0B twice and the accumulator L0C,
      NB by the least modelled makespan (each candidate scope built and
      modelled by the per-pipe model, `estimateScope` in
      tessel/Analysis/ScheduleCost.h, docs/perf-model.md).
    - any other value: a `vector` scope of one row per block. The row is
      computed by walking its producers back to values in GM: elementwise
      `linalg.generic`s (identity, size-1 row or column broadcasts; bodies
      of arith / math float ops, `arith.truncf` rounding to bf16 / f16),
      row reductions (`[parallel, reduction]`, output `(d0, d1) -> (d0, 0)`,
      `addf` or `maximumf`), `tensor.extract_slice` (column stride 1, or 2:
      `tile.gather`) and `tensor.insert_slice` (concatenation along columns,
      or stride 2 interleaves: `tile.scatter`). The row is cut into column
      pieces where a concatenation changes source and, when the row does
      not fit UB, into halving chunks until it does (measured by
      placement). Chains along the same rows thus land in one scope. A
      value computed column by column (no reduction, concatenation or
      strided slice) is split into column blocks of at most 512 columns,
      enough of them to give each vector core a block (block b: row
      b / C, columns (b % C) x width). `tile-schedule-pipeline` later
      widens rows, groups and fuses.
    - a reshape (`tensor.collapse_shape` to 1-D then `tensor.expand_shape`):
      a `memref` view of its source's GM tensor.

    Each scope is a remark; anything outside this subset is an error at the
    op naming it.

    Input:
    ```mlir
    func.func @scale(%x: tensor<8x64xf32>) -> tensor<8x64xf32> {
      %e = tensor.empty() : tensor<8x64xf32>
      %y = linalg.generic {indexing_maps = [#id, #id],
          iterator_types = ["parallel", "parallel"]}
          ins(%x : tensor<8x64xf32>) outs(%e : tensor<8x64xf32>) {
      ^bb0(%a: f32, %o: f32):
        %m = math.exp %a : f32
        linalg.yield %m : f32
      } -> tensor<8x64xf32>
      return %y : tensor<8x64xf32>
    }
    ```
    Output: `func.func @scale(%x: memref<8x64xf32>, %out: memref<8x64xf32>)`
    with one `tile.spmd 8` holding a `tile.at vector` that loads row `b`,
    applies `tile.exp` and stores it into `%out`.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">
  ];
  let dependentDialects = ["::tessel::tile::TileDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def TileCheckRaces : Pass<"tile-check-races", "::mlir::ModuleOp"> {
  let summary = "prove the blocks of every spmd scope and the iterations of "
                "every pipeline independent, or report a race with a witness";
  let description = [{
    For every `tile.spmd` and every pair of its GM accesses (`tile.load`,
    `tile.store`) to one root tensor, at least one a store, decides exactly
    whether two distinct blocks can touch one element, with MLIR's
    Presburger library over the block index, the enclosing loops (bounds
    and steps), the `scf.if` conditions, floor division and remainder by
    constants and the slice extents (tessel/Transforms/AccessSets.h). For
    every `tile.pipeline` with `stages = S > 1`, a load that can read an
    element a store of one of the S - 1 iterations before it (same block)
    writes is a race too: the pipeline may issue the load first. Program
    order holds within a block otherwise, and scopes run one after the
    other (docs/races.md).

    A race is an error at one access with a note at the other, naming both
    blocks, their loop indices and one element both touch. An access that
    cannot be modelled (a product of two runtime indices, an index carried
    across iterations) is an error saying independence cannot be proven,
    or a remark when the scope has the `assume_independent` attribute
    (`pl.spmd(n, assume_independent=True)`). With `check-bounds` a slice
    that can leave its tensor is an error with the block and loop indices
    where it does. It changes nothing in the IR. It runs first in
    `tile-schedule-pipeline` and in the Python driver right after the
    frontend.

    Input:
    ```mlir
    tile.spmd 4 name("rows") (%b) {
      tile.at vector {
        %r = arith.muli %b, %c8 : index
        %x = tile.full 1.0 : !tile.tile<9x16xf32>
        tile.store %x, %out[%r, %c0] : !tile.tile<9x16xf32>, memref<40x16xf32>
      }
    }
    ```
    Error: `race on argument 0 in scope 'rows': block 0 writes element
    [8, 0], which block 1 also writes`, with a note at the other store.
  }];
  let options = [
    Option<"checkBounds", "check-bounds", "bool", /*default=*/"true",
           "also report slices that can leave their tensor">,
    Option<"reportTime", "report-time", "bool", /*default=*/"false",
           "emit a remark with the time the check took (for benchmarks)">,
    Option<"maxCases", "max-cases", "unsigned", /*default=*/"4096",
           "the most case systems one question may decide before the "
           "accesses count as too complex (kDefaultMaxCases)">
  ];
}

def TilePermuteBlocks : Pass<"tile-permute-blocks", "::mlir::ModuleOp"> {
  let summary = "run the blocks of every spmd scope in reverse or shuffled "
                "order (a dynamic race test for the CPU simulation)";
  let description = [{
    Rewrites the block index b of every `tile.spmd` with N blocks as a
    permutation of it, so the CPU simulation (which runs blocks in index
    order) runs them in another order: `reverse` is N - 1 - b, `shuffle` is
    (a * b + c) mod N with a coprime to N and c chosen from `seed`. A
    race-free kernel gives the same results in every order
    (docs/races.md); a kernel whose results change has a race the static
    check missed (it never should) or that an `assume_independent` hides.
    `order=forward` changes nothing.

    Input: `tile.spmd 4 (%b) { ... %r = arith.muli %b, %c8 ... }`.
    Output with `order=reverse`: `%p = arith.subi %c3, %b` first in the
    body, and `%r = arith.muli %p, %c8`.
  }];
  let options = [
    Option<"order", "order", "std::string", /*default=*/"\"forward\"",
           "forward, reverse or shuffle">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "the seed of `shuffle`">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
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
    for the whole `tile.pipeline` and as long as its result is used; the
    result storage of an `scf.if` yielding tiles lives from the `scf.if` to
    the last use of its result, and a value a branch defines and yields
    shares it; a tile defined directly in the body of a `tile.pipeline`
    with `stages = S > 1` gets `S` slots and is live for the whole
    pipeline) and packs each buffer kind so that tiles whose live ranges
    overlap never share bytes, at the target's alignment and within its
    usable capacity. `tile.reshape` becomes a view of its operand where it
    can. A `tile.extract` of an L1 tile whose every use is the lhs (rhs) of
    a matmul is a cube operand window: it is placed in `l0a` (`l0b`), the
    extract being the L1 -> L0 move (tile-split-matmul-k makes these). Each
    other matmul operand is moved whole and must fit L0A / L0B.

    It writes `place = #tile.place<KIND, OFFSET[, slots = S]>` on every
    tile-producing op, `places = [...]` on `tile.pipeline` ops with tile
    iter_args and on `scf.if` ops with tile results,
    `tile.peak = {ub = .., l1 = .., l0a = .., l0b = .., l0c = ..}`
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
           "attribute, else a2a3">,
    Option<"testOverlap", "test-overlap", "bool", /*default=*/"false",
           "test only: after packing, move one tile of every scope onto "
           "the bytes of another tile that is still live when it is "
           "written, so the CPU simulation must give wrong numbers">
  ];
}

def TileSplitMatmulK : Pass<"tile-split-matmul-k", "::mlir::ModuleOp"> {
  let summary = "split the K of a matmul whose operand does not fit L0A / "
                "L0B into steps that do, accumulating in L0C";
  let description = [{
    What an Ascend author does by hand: the whole operands stay in L1 and
    the cube is fed K slices that fit L0A and L0B. A `tile.matmul` or
    `tile.matmul_acc` in a `tile.at` scope whose lhs `[M, K]` does not fit
    L0A, or whose rhs `[K, N]` does not fit L0B (sizes from TargetInfo, as
    the matrices they multiply, in whole cube fractals), becomes S steps
    of `Ks = K / S` columns of the lhs and rows of the rhs: each step
    `tile.extract`s its window of both operands (at the stored shape: the
    K rows of an `a_trans` lhs, the K columns of a `b_trans` rhs) and
    multiplies it, the first step with `tile.matmul` (or the original
    `tile.matmul_acc` on its accumulator), the next ones with
    `tile.matmul_acc` on the previous step's result, so the sum is
    accumulated in L0C in K order. The extracts are cube operand windows
    (tile-place-buffers puts them in L0A / L0B; on the NPU each is a
    TEXTRACT from L1). S is the smallest step count whose `Ks` divides K,
    is a whole number of fractal rows and 32-byte blocks of the operand
    (16 elements for f32 / f16 / bf16, 32 for int8) and fits both L0
    buffers. A window of a window is one window of the source.

    Each split is a remark on the matmul (`matmul split along K into 2
    steps of 1024: lhs [16, 2048] f32 is 131072 bytes, cube L0A 65536`).
    Errors (the IR is left as it was): K not a multiple of the step
    granule, or M or N so large that even one granule of K does not fit
    L0A / L0B (split M / N by hand: one matmul per row or column block).
    An operand too large for L1 itself is tile-place-buffers' error.

    Input (a2a3, L0A 64 KiB):
    ```mlir
    %c = tile.matmul %a, %b : !tile.tile<16x2048xf32>, !tile.tile<2048x32xf32> -> !tile.tile<16x32xf32>
    ```
    Output (4 steps of 512: the rhs [2048, 32] f32 is 256 KiB, so Ks <= 512
    for L0B; the lhs [16, 512] is then 32 KiB):
    ```mlir
    %a0 = tile.extract %a[%c0, %c0] : !tile.tile<16x2048xf32> -> !tile.tile<16x512xf32>
    %b0 = tile.extract %b[%c0, %c0] : !tile.tile<2048x32xf32> -> !tile.tile<512x32xf32>
    %c0_ = tile.matmul %a0, %b0 : ...
    %a1 = tile.extract %a[%c0, %c512] : ...
    %b1 = tile.extract %b[%c512, %c0] : ...
    %c1 = tile.matmul_acc %c0_, %a1, %b1 : ...
    ...
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">
  ];
  let dependentDialects = ["::tessel::tile::TileDialect",
                           "::mlir::arith::ArithDialect"];
}

def TileSplitMixedScopes : Pass<"tile-split-mixed-scopes", "::mlir::ModuleOp"> {
  let summary = "give every core_group scope a core kind, splitting mixed "
                "cube and vector scopes into phases that meet in GM";
  let description = [{
    For every `tile.at core_group` scope: with vector ops only (or no cube
    op at all) it becomes `tile.at vector`; with cube ops and no vector op
    (`tile.matmul`, `tile.matmul_acc` plus `tile.load`, `tile.store`,
    `tile.full`, `tile.reshape`) it becomes `tile.at cube`. A scope mixing
    both stays a `core_group` scope on a target with an L0C -> UB path (a5)
    unless a cube op uses a tile a vector op made (Tessel has no UB -> L1
    move); otherwise (a2a3, where cube and vector cores meet only in GM,
    or `split-through-gm`) it is split into *phases*, one `tile.spmd` of the
    same grid each, run in order: phase 0 on cube cores, 1 on vector cores,
    2 on cube cores, ... (`<scope>_cube`, `<scope>_vector`, `<scope>_cube2`,
    `<scope>_vector2`, ...; empty phases are left out):

    - a cube (vector) op goes to the first cube (vector) phase not before
      the phases of what it uses; ops of neither kind (stores, reshapes) go
      with what they use, and when they use nothing the scope makes (a
      load of a tensor the scope writes) to the first phase that uses
      them, else the first vector phase;
    - a loop (`scf.for`, `tile.pipeline`) holding both kinds, with constant
      bounds, is fissioned: each phase its body touches gets a copy of the
      loop with that phase's ops and the loop-carried tiles that phase
      updates (a carried tile lives in the phase that makes the value it
      yields, found as a fixed point);
    - every tile one phase makes and a later one uses is stored right
      after the op that makes it into a `tile.alloc_gm` staging tensor
      `<scope>_stage<i>` of shape `blocks x rows x cols`, at the block
      index, or `blocks x trips x rows x cols`, at the block index and
      iteration `(iv - lb) / step`, when it is made inside a fissioned
      loop; the later phase loads it back before the op that uses it;
    - pure scalar ops (index computations) and loads of GM tensors the scope
      does not write (and pure ops of them) are rebuilt in every phase that
      uses them instead of being staged.

    A mixed scope that cannot be split is an error at the scope saying why:
    a top-level op holding both kinds that is not such a loop (an `scf.if`),
    a mixing loop nested in a mixing loop, a mixing loop with bounds
    unknown at compile time or carrying a non-tile value, a carried tile
    that passes between cube and vector ops every iteration (a matmul_acc
    accumulator rescaled by a vector op), a non-tile value crossing phases,
    two accesses to a GM tensor the scope writes that the phases would run
    in the opposite order of the program, or in two copies of a fissioned
    loop, or a `tile.spmd` holding other ops with effects. On any error the IR is left as it was.
    Every decision is a remark on the `tile.spmd`.

    Input (a2a3):
    ```mlir
    tile.spmd 4 name("mm_scale") (%b) {
      tile.at core_group {
        %col = arith.muli %b, %c32 : index
        %x = tile.load %a[%c0, %c0] : memref<16x64xf16> -> !tile.tile<16x64xf16>
        %wt = tile.load %w[%c0, %col] : memref<64x128xf16> -> !tile.tile<64x32xf16>
        %y = tile.matmul %x, %wt : ... -> !tile.tile<16x32xf32>
        %z = tile.muls %y, %s : !tile.tile<16x32xf32>
        tile.store %z, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
      }
    }
    ```
    Output:
    ```mlir
    %st = tile.alloc_gm name("mm_scale_stage0") : memref<4x16x32xf32>
    tile.spmd 4 name("mm_scale_cube") (%b) {
      tile.at cube {
        ... %y = tile.matmul %x, %wt ...
        tile.store %y, %st[%b, %c0, %c0] : !tile.tile<16x32xf32>, memref<4x16x32xf32>
      }
    }
    tile.spmd 4 name("mm_scale_vector") (%b) {
      tile.at vector {
        %col = arith.muli %b, %c32 : index
        %y = tile.load %st[%b, %c0, %c0] : memref<4x16x32xf32> -> !tile.tile<16x32xf32>
        %z = tile.muls %y, %s : !tile.tile<16x32xf32>
        tile.store %z, %o[%c0, %col] : !tile.tile<16x32xf32>, memref<16x128xf32>
      }
    }
    ```
    Remark: `scope 'mm_scale': mixed cube and vector ops split into
    'mm_scale_cube' and 'mm_scale_vector' meeting in GM: 1 staged tile,
    2048 bytes per block, 8192 bytes in all`.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">,
    Option<"splitThroughGM", "split-through-gm", "bool", /*default=*/"false",
           "split mixed scopes through GM even on a target with an L0C -> "
           "UB path (a5), as the PTO back end needs">,
  ];
  let dependentDialects = ["::tessel::tile::TileDialect",
                           "::mlir::arith::ArithDialect"];
}

def TilePipelineLoops : Pass<"tile-pipeline-loops", "::mlir::ModuleOp"> {
  let summary = "turn scf.for loops that load from GM into tile.pipeline "
                "loops where the multiplied buffers still fit";
  let description = [{
    Every `scf.for` inside a `tile.at` scope whose body (at any depth) holds
    a `tile.load` becomes a `tile.pipeline` with `stages` stages when the
    scope, placed as `tile-place-buffers` would place it with that loop
    pipelined, still fits every on-chip buffer of the target; otherwise it
    stays sequential: as a one-stage `tile.pipeline` when it carries tiles
    (only `tile.pipeline` iter_args get storage for a loop-carried tile),
    else as the `scf.for` it was. Inner loops are decided first, and the
    decisions already taken count when the next loop is tried. The footprint
    is the peak of the placement analysis of `tile-place-buffers`
    (tessel/Analysis/TilePlacement.h: live ranges, reuse of dead bytes,
    alignment, `stages` slots for every tile defined directly in a pipeline
    body), computed on a scratch copy of the scope in which every other
    `scf.for` counts as a one-stage pipeline. Loop-carried values
    (`iter_args`) become `tile.pipeline` iter_args.

    Each decision is a remark on the loop:
    `pipelined loop in scope 's': 2 stages, footprint 2048 bytes of 188416
    (vector UB)` or `loop in scope 's' not pipelined: 2 stages need 200704 >
    188416 bytes of vector UB`.

    Input:
    ```mlir
    %r = scf.for %j = %c0 to %c8 step %c1 iter_args(%acc = %z)
        -> (!tile.tile<16x1xf32>) {
      %x = tile.load %a[%c0, %j] : memref<16x256xf32> -> !tile.tile<16x32xf32>
      %s = tile.row_sum %x : !tile.tile<16x32xf32> -> !tile.tile<16x1xf32>
      %n = tile.add %acc, %s : !tile.tile<16x1xf32>
      scf.yield %n : !tile.tile<16x1xf32>
    }
    ```
    Output:
    ```mlir
    %r = tile.pipeline %j = %c0 to %c8 step %c1 stages(2)
        iter_args(%acc = %z) -> (!tile.tile<16x1xf32>) {
      ...
      tile.yield %n : !tile.tile<16x1xf32>
    }
    ```
  }];
  let options = [
    Option<"stages", "stages", "int64_t", /*default=*/"2",
           "pipeline depth to try (2 = double buffering)">,
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">
  ];
  let dependentDialects = ["::tessel::tile::TileDialect"];
}

def TileSimplifyIndices : Pass<"tile-simplify-indices"> {
  let summary = "simplify block-index quotients and remainders from the "
                "ranges of the block index and loop variables";
  let description = [{
    Regrouping a scope's blocks (`tile-tile-scopes`, and `tile-fuse-scopes`
    when it regroups to match a grid) rebuilds the old block index as
    `blk * G + i` or `i * (N / G) + blk`, and the body's `b / K` and `b % K`
    then hide what each loop iteration touches. This pass rewrites every
    `arith.divsi` / `divui` / `floordivsi` / `remsi` / `remui` by a positive
    constant D whose dividend is, over values of known range (constants, the
    block index of a `tile.spmd` in [0, blocks), variables of `scf.for` and
    `tile.pipeline` loops with constant bounds, and sums, constant
    multiples, quotients and remainders of those), x = u * Q + R with u
    dividing D, 0 <= R < u and Q >= 0: then x / D = Q / (D / u) and
    x % D = (Q % (D / u)) * u + R, which are Q and R when u = D. A dividend
    already in [0, D) gives 0 and itself, and the block index of a
    one-block `tile.spmd` is 0. Anything else is left alone, so a
    negative or unbounded dividend keeps its exact semantics.

    Input (`%b` the block index of a 4-block spmd, `%i` in [0, 8)):
    ```mlir
    %s = arith.muli %b, %c8 : index
    %o = arith.addi %s, %i : index
    %t = arith.divsi %o, %c8 : index
    %c = arith.remsi %o, %c8 : index
    ```
    Output: `%t` is `%b` and `%c` is `%i`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TileCseLoads : Pass<"tile-cse-loads"> {
  let summary = "merge identical tile.load ops that no possible write to "
                "their tensor separates";
  let description = [{
    Upstream CSE merges two identical `tile.load` ops only when no op with a
    write effect lies between them; a `tile.store` anywhere in between stops
    it. This pass merges a `tile.load` into an identical earlier one in the
    same block (same source value, index and valid-shape values, result
    type and attributes) when nothing between them (nested ops included)
    may write the tensor it reads. A `tile.store` to another GM root tensor
    does not: distinct roots never alias in Tessel (kernel parameters are
    distinct tensors, refused at call time when they overlap and one is
    written, docs/races.md; each `tile.alloc_gm` is its own tensor). What
    stops the merge: a store to the same root, or to a root that is
    neither a function argument nor a `tile.alloc_gm`; an atomic store; a
    `tile.set`; any op with a write effect or unknown effects (calls,
    synchronisation ops).

    Input (`%o` and `%s` distinct kernel parameters):
    ```mlir
    %a = tile.load %o[%r, %c0] : memref<16x1024xf32> -> !tile.tile<8x1024xf32>
    tile.store %m, %s[%c0, %r] : !tile.tile<1x8xf32>, memref<8x16xf32>
    %b = tile.load %o[%r, %c0] : memref<16x1024xf32> -> !tile.tile<8x1024xf32>
    ```
    Output: `%b` is `%a` (one GM read, one buffer).
  }];
}

def TileTileScopes : Pass<"tile-tile-scopes", "::mlir::ModuleOp"> {
  let summary = "re-tile vector scopes along tokens, group blocks into "
                "tasks by a modelled makespan, and jam grouped blocks";
  let description = [{
    Per scope (a `tile.spmd` whose block index only its single `tile.at`
    uses), three decisions, each a remark, all on the per-pipe model of the
    NPU time (docs/perf-model.md; `estimateScope` in
    tessel/Analysis/ScheduleCost.h, the model `schedule_model` reports): a
    block keeps each pipe busy (MTE2 / MTE3 bytes at a share of HBM or L2
    bandwidth over the cores running at once, vector instructions, MTE1,
    cube MACs), one pipe after another, overlapped in loops that load from
    GM (tile-pipeline-loops pipelines them after this pass); N blocks
    grouped G per task on C cores take ceil(N / G / C) waves of one task
    dispatch plus G blocks.

    1. Token rows (vector scopes). A scope written one token row per block
       (block b = t * C + c with the token t = b / C used only as the row of
       1-row loads and stores of rank-2 tensors) may take W token rows per
       block: the grid shrinks by W, those accesses become W-row slices at
       row (b / C) * W, and every tile computed from them gets W rows
       (tessel/Transforms/WidenRows.h: row-parallel ops only; a per-column
       operand stays one row; a row scale must itself have token rows).
       What does not depend on the token is then read once per W tokens. W
       is the largest divisor of the tokens for which the scope still fits,
       moves fewer GM bytes and is modelled no more than 5% slower.
       `scope 's': 8 token rows per block, 512 -> 64 blocks, GM traffic ...
       bytes, modelled ... us against ... us, footprint ...` or `scope 's'
       keeps one token row per block: <reason>`.
    2. Grouping. G is the largest divisor of N whose modelled makespan is
       within 5% of the least over all divisors (fewer tasks cost the
       runtime less than the model counts). Each new block runs old blocks
       `blk * G + i`, i in [0, G), in sequence: the body is wrapped in
       `scf.for %i = 0 to G` and the block-index arithmetic simplified
       (tile-simplify-indices). Blocks are independent, so this computes
       the same result. `scope 's': 2048 blocks grouped by 64 into 32 tasks
       (vector cores: 48; modelled 3.72 us, 36.95 us ungrouped)` or `scope
       's' not grouped: ...`.
    3. Jamming. When the grouped blocks have inner loops (`scf.for`, or
       `tile.pipeline`s of one stage count, jammed as `scf.for` and given
       their stages back), the group loop is
       unrolled and jammed (upstream scf loopUnrollJamByFactor) by the
       largest factor of G for which identical loads then merge (CSE), the
       GM traffic drops and the scope fits: the blocks of a matmul column
       group then load their shared lhs K step once. `scope 's': blocks of
       a task jammed by 4 into one pass of their inner loops: GM traffic
       ... -> ... bytes per task` or `... not jammed: <reason>`.

    Input (a2a3, 48 vector cores; 256 bytes a block, 0.01 us):
    ```mlir
    tile.spmd 128 name("s") (%b) {
      tile.at vector {
        %x = tile.load %a[%b, %c0] : memref<128x32xf32> -> !tile.tile<1x32xf32>
        tile.store %x, %o[%b, %c0] : !tile.tile<1x32xf32>, memref<128x32xf32>
      }
    }
    ```
    Output (G = 8: one wave of 16 tasks, 0.88 us, within 5% of G = 4):
    ```mlir
    tile.spmd 16 name("s") (%b) {
      tile.at vector {
        scf.for %i = %c0 to %c8 step %c1 {
          %s = arith.muli %b, %c8 : index
          %blk = arith.addi %s, %i : index
          %x = tile.load %a[%blk, %c0] : memref<128x32xf32> -> !tile.tile<1x32xf32>
          tile.store %x, %o[%blk, %c0] : !tile.tile<1x32xf32>, memref<128x32xf32>
        }
      }
    }
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">
  ];
  let dependentDialects = ["::tessel::tile::TileDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def TileFuseScopes : Pass<"tile-fuse-scopes", "::mlir::ModuleOp"> {
  let summary = "fuse consecutive scopes of one core kind, regrouping "
                "different grids, and keep their GM intermediates on chip";
  let description = [{
    Producer/consumer fusion. Two consecutive `tile.spmd` scopes, each a
    single `tile.at` of the same core kind, become one: the consumer's body
    is appended to the producer's in one `tile.at`, its block index
    replaced by the producer's, so block b runs the producer's block b then
    the consumer's block b. Runs of more than two fuse one after the other.

    Siblings: after the adjacent pairs, a scope moves up past scopes it
    does not depend on (no GM tensor one writes and the other touches) to
    meet an earlier scope of its core kind, when the two then fuse (the
    attempts that fail say nothing): `scope 'b' moved up past 'm' (no
    dependency) to fuse with 'a'`.

    Different grids: when one scope has K times the other's blocks, a copy
    of it is regrouped first (each of its new blocks runs K old ones in a
    loop, consecutive `b * K + i` or else strided `i * N / K + b`, the
    index arithmetic simplified as tile-simplify-indices does); the copy is
    kept if the pair is then legal and fits.

    Legality: for every pair of GM accesses of the two scopes to one tensor
    (the same view of it) of which at least one is a `tile.store`, either
    the slices are identical functions of the block index and every store
    among them runs in every block; or, in some dimension, both offsets are
    `x * s + r` over the same block expression x, r the constant plus the
    loop variables of loops inside the scope, with r and the extent inside
    [0, s) on both sides, and those x determine the block index (the block
    index itself, or `b / K` and `b % K`): two blocks can then only overlap
    if they are the same block. A one-block grid has no other block.
    Anything else is a possible cross-block dependency and the scopes stay
    apart. Distinct function arguments are assumed not to alias. The fused
    scope must still fit the target, placed as `tile-place-buffers` would
    place it (loops counted as one stage), and, grouped as
    `tile-tile-scopes` would group it, be modelled no more than 5% slower
    than the two scopes one after the other, with the scope boundary the
    fusion removes (the per-pipe model, `ScopeEstimator` in
    tessel/Analysis/ScheduleCost.h).

    Inside the fused scope, GM intermediates (`tile.alloc_gm` tensors only
    it uses) are kept on chip where that fits:
    - forwarded: stored once at the top level and loaded after with the
      same slice, the loads take the stored tile and store and tensor go;
    - loop fusion: after LICM and CSE, adjacent `scf.for` loops with equal
      constant bounds (the first carrying no values) fuse when each
      iteration of the second touches only GM that the same iteration of
      the first did (offsets `E + s * iv + c`, c and the extent in
      [0, s)); a load that then follows the store of its slice in one
      iteration takes the stored tile;
    - recomputed: stored in loops and loaded in later loops with the same
      slice function of the loop variables, the stored tile's pure
      computation (and loads of tensors the scope does not write) is cloned
      at each load, when that moves fewer GM bytes per block than staging;
    - removed: stored but no longer loaded.

    Each decision is a remark: `scopes 'a' and 'b' fused into 'a_b': 8
    blocks on vector cores (the 64 blocks of 'b' regrouped by 8 consecutive
    ones), footprint 2048 bytes of 188416 (vector UB)`, `GM intermediate 'x'
    of scope 'a_b' forwarded on chip: ...`, `... recomputed at its 2 loads:
    GM traffic 23556 -> 17412 bytes per block, ...`, `loops of scope 'a_b'
    fused: ...`, or why not: `not fused: different decomposition (8 and 12
    blocks), 8 does not divide 12`, `...; regrouping the 16 blocks by 2 does
    not help (consecutive: <why>; strided: <why>)`, `different core kinds
    (cube and vector)`, `the fused scope is modelled slower, 126.65 us
    against 4.24 us apart`, `cross-block dependency on 'x': ...`, `capacity:
    the fused scope needs ... bytes of ...`; `GM intermediate 'x' ... kept:
    <reason>`.

    Input:
    ```mlir
    %s = tile.alloc_gm name("s") : memref<8x1xf32>
    tile.spmd 8 name("stats") (%b) {
      tile.at vector {
        %x = tile.load %a[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
        %r = tile.row_sum %x : !tile.tile<1x64xf32> -> !tile.tile<1x1xf32>
        tile.store %r, %s[%b, %c0] : !tile.tile<1x1xf32>, memref<8x1xf32>
      }
    }
    tile.spmd 8 name("norm") (%b) {
      tile.at vector {
        %r = tile.load %s[%b, %c0] : memref<8x1xf32> -> !tile.tile<1x1xf32>
        %x = tile.load %a[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
        %y = tile.row_expand_mul %x, %r : !tile.tile<1x64xf32>, !tile.tile<1x1xf32>
        tile.store %y, %o[%b, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
      }
    }
    ```
    Output (the second load of the row merges with the first, CSE):
    ```mlir
    tile.spmd 8 name("stats_norm") (%b) {
      tile.at vector {
        %x = tile.load %a[%b, %c0] : memref<8x64xf32> -> !tile.tile<1x64xf32>
        %r = tile.row_sum %x : !tile.tile<1x64xf32> -> !tile.tile<1x1xf32>
        %y = tile.row_expand_mul %x, %r : !tile.tile<1x64xf32>, !tile.tile<1x1xf32>
        tile.store %y, %o[%b, %c0] : !tile.tile<1x64xf32>, memref<8x64xf32>
      }
    }
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "target chip (a2a3 or a5); default: the nearest tile.target "
           "attribute, else a2a3">
  ];
  let dependentDialects = ["::tessel::tile::TileDialect",
                           "::mlir::arith::ArithDialect"];
}

def TileMaterializeCopies : Pass<"tile-materialize-copies", "::mlir::ModuleOp"> {
  let summary = "make the copies the placement implies explicit tile.copy "
                "ops";
  let description = [{
    On placed IR: where a `tile.pipeline`'s init value or yielded value, or
    the value an `scf.if` branch yields, is not placed in the loop-carried or
    result storage, docs/placement.md says the lowering copies it there.
    This pass inserts that copy as a `tile.copy` placed at the storage (before
    the pipeline for an init value, before the yield otherwise), so that
    `tile-insert-sync` orders it like any other instruction and the PTO
    emitter prints it (TMOV); a `tile.full` is not copied but filled again
    at the storage. The CPU simulation gives the same result with or
    without this pass. Two copies into storages that overlap each other's
    sources (a swap) are an error.

    Input (placed):
    ```mlir
    %z = tile.full 0.0 {place = #tile.place<ub, 9280>} : !tile.tile<1x1xf32>
    %s = tile.pipeline ... iter_args(%acc = %z) -> (...)
        attributes {places = [#tile.place<ub, 3136>]} { ... }
    ```
    Output:
    ```mlir
    %c = tile.copy %z {place = #tile.place<ub, 3136>} : !tile.tile<1x1xf32>
    %s = tile.pipeline ... iter_args(%acc = %c) -> (...) ...
    ```
  }];
  let dependentDialects = ["::tessel::tile::TileDialect"];
}

def TileDecomposeBroadcasts
    : Pass<"tile-decompose-broadcasts", "::mlir::ModuleOp"> {
  let summary = "broadcast ops as row/col_expand_mul of a ones tile and an "
                "elementwise op";
  let description = [{
    Rewrites `tile.row_expand`, `tile.col_expand` and `tile.row_expand_<op>`
    / `tile.col_expand_<op>` other than `_mul` into the two broadcasting
    multiplies and elementwise ops. The PTO emitter no longer needs it
    (PTO-ISA has TROWEXPAND<OP> / TCOLEXPAND<OP> on a2a3 and a5, so
    `tile-pto-pipeline` does not run it); it stays for a back end with
    only the multiplies. Each op becomes: the [M, 1] / [1, N] operand broadcast
    exactly as `row_expand_mul(full 1, v)` / `col_expand_mul(full 1, v)`
    (1 * v is v for every value), then `tile.add`, `sub`, `div`, `max`,
    `min`, or `exp(sub)` for expdif. Results equal the CPU lowering's bit
    for bit; the cost is one [M, N] tile of UB more.

    ```mlir
    %y = tile.row_expand_sub %x, %m : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
    ```
    becomes
    ```mlir
    %one = tile.full 1.0 : !tile.tile<16x32xf32>
    %b = tile.row_expand_mul %one, %m : !tile.tile<16x32xf32>, !tile.tile<16x1xf32>
    %y = tile.sub %x, %b : !tile.tile<16x32xf32>
    ```
  }];
  let dependentDialects = ["::tessel::tile::TileDialect"];
}

def TileInsertSync : Pass<"tile-insert-sync", "::mlir::ModuleOp"> {
  let summary = "order the AI Core's pipes with set_flag / wait_flag and "
                "barriers wherever placed bytes are shared";
  let description = [{
    Runs on placed IR (after `tile-place-buffers`). Every op becomes the
    instructions the NPU issues for it (tessel/Analysis/PipeModel.h: TLOAD
    on MTE2, TSTORE on MTE3 or FIX, the L1 -> L0A / L0B moves on MTE1,
    TMATMUL on M, vector instructions on V), each with the byte ranges it
    reads and writes (on-chip ranges from the placement, every slot of a
    multi-buffered tile; GM per root tensor). Instructions of one pipe
    complete in order, except on V, where only a barrier orders two
    instructions (docs/pto.md). For every pair of instructions that
    conflict (RAW, WAR or WAW on a common byte) and are not ordered yet:

    - on two pipes Q != P: `tile.set_flag Q -> P, e` right after the
      earlier op and `tile.wait_flag Q -> P, e` right before the later one,
      in the innermost block holding both (a pair already ordered by an
      earlier set / wait of the same pipes, directly or through one other
      pipe, gets nothing);
    - on V: `tile.barrier v` before the later op;
    - across iterations of an `scf.for` or `tile.pipeline` (a later op of
      iteration t against an earlier op of iteration t + 1): a set at the
      end, a wait at the start of the body, primed by a set before the loop
      and drained by a wait after it, so every set has exactly one wait;
    - every block of an spmd scope ends with `tile.barrier all`, which
      orders one block's instructions before the next block's on the same
      core (and before the next kernel).

    Event ids are given per pipe pair by interval colouring of the set ->
    wait ranges (a loop-carried pair holds its id for the whole loop),
    within the target's `eventIdsPerPipePair` (8); a pair that finds no free
    id is replaced by `tile.barrier all` and reported. Each scope gets a
    remark with its counts (`inserted 6 set/wait pairs (2 loop-carried),
    3 vector barriers, 2 event ids`) and the attribute `tile.syncs`.

    Input (placed):
    ```mlir
    tile.at vector {
      %x = tile.load %a[%c0, %c0] {place = #tile.place<ub, 0>} ...
      %y = tile.exp %x {place = #tile.place<ub, 2048>} ...
      tile.store %y, %o[%c0, %c0] ...
    }
    ```
    Output:
    ```mlir
    tile.at vector attributes {tile.syncs = {barriers = 1, events = 1, pairs = 2}} {
      %x = tile.load ...
      tile.set_flag mte2 -> v, 0
      tile.wait_flag mte2 -> v, 0
      %y = tile.exp %x ...
      tile.set_flag v -> mte3, 0
      tile.wait_flag v -> mte3, 0
      tile.store %y, %o[%c0, %c0] ...
      tile.barrier all
    }
    ```
  }];
  let dependentDialects = ["::tessel::tile::TileDialect"];
}

#endif // TESSEL_TRANSFORMS_PASSES_TD
