//===- Passes.td - Tessel conversion passes ----------------*- tablegen -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The lowerings of the tile dialect for the CPU simulation: tile IR to
// loops over memrefs (`convert-tile-to-scf`), and tile IR to the LLVM dialect
// ready for the ExecutionEngine (`convert-tile-to-llvm`). The named pipeline
// `tile-cpu-pipeline` (TileToLLVM.h) strings them together; tessel-opt and
// the Python runtime both run it.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_CONVERSION_PASSES_TD
#define TESSEL_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTileToSCF : Pass<"convert-tile-to-scf", "::mlir::ModuleOp"> {
  let summary = "lower tile IR to vector loops over per-core arenas";
  let description = [{
    Lowers every `func.func` holding tile IR to upstream dialects (scf,
    memref, arith, math, vector) for the CPU simulation:

    - `tile.spmd` becomes a loop over the block ids (or, with `threads` > 1,
      an `scf.parallel` over worker threads, each running every
      `threads`-th block); `tile.at` is inlined; `tile.pipeline` becomes an
      `scf.for` that runs its iterations in order; an `scf.if` yielding
      tiles keeps its other results, its tile results become views of their
      storage and each branch copies the tiles it yields there (unless
      already placed there).
    - Each worker owns one arena per buffer kind (`memref<Nxi8>`, allocated
      once per `tile.spmd`) and every tile is a `memref.view` into it. In
      placed mode (the function carries `tile.placed`) the view is at the
      tile's `place` offset plus `(k mod slots) * slot_bytes`, where `k` is
      the iteration of the innermost enclosing `tile.pipeline`, exactly as
      docs/placement.md says, so a wrong placement gives wrong numbers.
      Without `tile.placed` every tile gets its own storage.
    - Compute ops become loops of 1-D vector operations with static bounds;
      every `tile.cast` rounds exactly as docs/numerics.md specifies.

    Input:
    ```mlir
    func.func @scale(%a: memref<16x32xf32>, %o: memref<16x32xf32>) {
      tile.spmd 2 (%b) {
        tile.at vector {
          %c0 = arith.constant 0 : index
          %c8 = arith.constant 8 : index
          %r = arith.muli %b, %c8 : index
          %x = tile.load %a[%r, %c0] : memref<16x32xf32> -> !tile.tile<8x32xf32>
          %y = tile.exp %x : !tile.tile<8x32xf32>
          tile.store %y, %o[%r, %c0] : !tile.tile<8x32xf32>, memref<16x32xf32>
        }
      }
      return
    }
    ```
    Output (abridged):
    ```mlir
    %arena = memref.alloc() {alignment = 64 : i64} : memref<2048xi8>
    scf.for %b = %c0 to %c2 step %c1 {
      %x = memref.view %arena[%c0][] : memref<2048xi8> to memref<256xf32>
      scf.for %row = %c0 to %c8 step %c1 {
        ... vector.load %a[%r2, %col] : memref<16x32xf32>, vector<16xf32>
        vector.store %v, %x[%i] : memref<256xf32>, vector<16xf32>
      }
      %y = memref.view %arena[%c1024][] : memref<2048xi8> to memref<256xf32>
      scf.for %i = %c0 to %c256 step %c16 {
        %v = vector.load %x[%i] : memref<256xf32>, vector<16xf32>
        %e = math.exp %v : vector<16xf32>
        vector.store %e, %y[%i] : memref<256xf32>, vector<16xf32>
      }
      ...
    }
    memref.dealloc %arena : memref<2048xi8>
    ```
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"1",
           "worker threads that run the spmd blocks (1 = a plain loop)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ConvertTileToLLVM : Pass<"convert-tile-to-llvm", "::mlir::ModuleOp"> {
  let summary = "lower tile IR to the LLVM dialect for host execution";
  let description = [{
    Lowers tile IR all the way to the LLVM dialect: the tile ops go through
    the same lowering as `convert-tile-to-scf` (single-threaded), then GM
    view ops (`memref.collapse_shape`, `expand_shape`, `subview`) become
    reinterpret casts, `scf` becomes `cf`, and `func`, `cf`, `memref`,
    `vector`, `arith`,
    `math`, `index` and `ub` are converted to LLVM by the upstream patterns
    (`populateTileToLLVMConversionPatterns`). Functions with the
    `llvm.emit_c_interface` attribute get the `_mlir_ciface_` wrapper the
    ExecutionEngine calls. Input that `convert-tile-to-scf{threads=N}` and
    the upstream async passes already lowered is accepted too; that is how
    `tile-cpu-pipeline{threads=N}` runs blocks on several threads.

    Input:
    ```mlir
    func.func @k(%a: memref<8x32xf32>) attributes {llvm.emit_c_interface} {
      tile.spmd 1 (%b) { tile.at vector { ... } }
      return
    }
    ```
    Output:
    ```mlir
    llvm.func @k(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: i64, ...)
    llvm.func @_mlir_ciface_k(%arg0: !llvm.ptr) { ... }
    ```
  }];
  let dependentDialects = [
    "::mlir::LLVM::LLVMDialect",
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ConvertTileToEmitC : Pass<"convert-tile-to-emitc", "::mlir::ModuleOp"> {
  let summary = "lower placed, synchronised tile IR to EmitC: an Ascend C "
                "kernel on PTO-ISA";
  let description = [{
    Input: the output of `tile-npu-pipeline` and `tile-insert-sync` (every
    function with `tile.spmd` scopes carries `tile.placed`, every scope
    `tile.syncs`). Each function becomes, at module level:

    - one `emitc.func` per `tile.spmd`, in order, named
      `<kernel>_s<i>_<scope>`, with the `__global__ AICORE` specifiers and
      one `__gm__ uint8_t*` argument per GM tensor (the function's memref
      arguments, then its `tile.alloc_gm` scratch tensors); its body loops
      over the blocks assigned to this core (`get_block_idx()` upward by
      `get_block_num()`);
    - every tile a PTO-ISA `Tile` / `TileLeft` / `TileRight` / `TileAcc`
      object of its buffer's layout (tessel/Analysis/TileLayout.h) bound to
      its placed offset with `TASSIGN` (plus the slot of its pipeline's
      iteration), every GM slice a `GlobalTensor` with its shape and row
      pitch, every op the PTO-ISA instruction of docs/pto.md, every sync op
      `set_flag` / `wait_flag` / `pipe_barrier`, and a `TESSEL_LOC(file,
      line, col)` marker (empty unless the including code defines it)
      before each op's instructions;
    - verbatim host code: the GM size table `<kernel>_gm_bytes`, a CPU entry
      `<kernel>_cpu(uint8_t** args)` (under `__CPU_SIM` or
      `TESSEL_PTO_REFERENCE`) and an NPU launch stub `<kernel>_launch`.

    Index arithmetic, `scf.for` and `scf.if` go through upstream's
    arith-to-emitc and scf-to-emitc patterns. An op, element type, shape or
    memory path the target cannot run is an error at the op naming it and
    the target. `mlir-translate`-style printing of the result is
    `tessel-translate --tile-to-pto`.

    Input (one vector scope, synchronised):
    ```mlir
    tile.spmd 4 (%b) {
      tile.at vector attributes {tile.syncs = {...}} {
        %x = tile.load %a[%r, %c0] {place = #tile.place<ub, 0>} ...
        tile.set_flag mte2 -> v, 0
        ...
      }
    }
    ```
    Output, as C++:
    ```c++
    __global__ AICORE void k_s0_spmd(__gm__ uint8_t* v1, __gm__ uint8_t* v2) {
      ...
      for (size_t v7 = v5; v7 < v6; v7 += v8) {
        TESSEL_LOC("k.py", 7, 9);
        Tile<TileType::Vec, float, 16, 32, BLayout::RowMajor, 16, 32> v9 = ...;
        TASSIGN(v9, 0x0);
        GlobalTensor<float, Shape<1, 1, 1, 16, 32>, Stride<1, 1, 1, 32, 1>> v11 = ...;
        TLOAD(v9, v11);
        set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
        ...
    ```
  }];
  let dependentDialects = ["::mlir::emitc::EmitCDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

#endif // TESSEL_CONVERSION_PASSES_TD
