//===- TilePlacement.h - Buffers, live ranges, offsets ----------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The analysis behind `tile-place-buffers` (and its test printer
// `tile-print-placement`): for one `tile.at` scope, decide the buffer kind of
// every tile, group tiles that share storage (reshape views, the loop-carried
// storage of a `tile.pipeline` iter_arg, the result storage of an `scf.if`),
// number the scope's ops into program points, compute each storage's live
// range and slot count, and pack each buffer kind with packBuffers(). The
// contract it implements is docs/placement.md. Nothing here modifies the IR
// until applyPlacement().
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_TILEPLACEMENT_H
#define TESSEL_ANALYSIS_TILEPLACEMENT_H

#include "tessel/Analysis/BufferPacking.h"
#include "tessel/Support/TargetInfo.h"
#include "tile/TileOps.h"

#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace tessel {

/// The buffer kinds in the order of BufferKind.
inline constexpr std::array<BufferKind, 5> kAllBufferKinds = {
    BufferKind::UB, BufferKind::L1, BufferKind::L0A, BufferKind::L0B,
    BufferKind::L0C};

/// How diagnostics name a buffer: "vector UB", "cube L1", ...
llvm::StringRef getBufferKindTitle(BufferKind kind);

/// The tile dialect's memory kind for a buffer kind.
tile::MemoryKind toMemoryKind(BufferKind kind);

/// The buffer kind of a memory kind (none for gm).
std::optional<BufferKind> fromMemoryKind(tile::MemoryKind kind);

/// The discardable attribute by which an author names the memory of an op's
/// tile result (`#tile.memory<ub>`, `<l1>`, `<l0c>`): pl.load(...,
/// target_memory=...) and pl.create_tile. tile-place-buffers honours it
/// when the placement agrees and reports an error at the op when it cannot.
inline constexpr llvm::StringLiteral kMemoryAttrName = "tile.memory";

/// A window of an L1 matmul operand that the cube reads directly: a
/// tile.extract whose every use is the lhs (or every use the rhs) of a
/// tile.matmul / tile.matmul_acc, with one transposition flag. Its result
/// lives in L0A (lhs) or L0B (rhs): the extract is the L1 -> L0 move itself
/// (PTO-ISA's TEXTRACT from a Mat tile into Left / Right), which is how
/// tile-split-matmul-k feeds the cube K steps of an operand that does not
/// fit L0A / L0B whole. Placement uses it when the source is in L1.
struct CubeOperandWindow {
  /// BufferKind::L0A for an lhs window, BufferKind::L0B for an rhs window.
  BufferKind kind = BufferKind::L0A;
  /// The matmuls multiply the window transposed (a_trans / b_trans).
  bool trans = false;
  /// The matrix the window multiplies as: [M, Ks] in L0A, [Ks, N] in L0B
  /// (the extract's type, transposed when `trans`).
  tile::TileType logicalType;
};

/// The cube operand window `op` is, if its uses make it one.
std::optional<CubeOperandWindow> getCubeOperandWindow(tile::ExtractOp op);

/// Bytes a cube operand window takes in its L0 buffer: the matrix it
/// multiplies, in whole fractals (the CPU simulation's row-major copy of
/// the extract's type is never larger).
int64_t getCubeOperandWindowBytes(const CubeOperandWindow &window,
                                  const TargetInfo &target);

/// Whether the NPU runs every instruction of `op` on the vector pipe (V)
/// when its tiles are in UB (PipeModel.h): the vector compute ops (the
/// VectorOnly trait: arithmetic, casts, reductions, broadcasts, gathers,
/// tile.fillpad, ...), tile.full (TEXPANDS), tile.copy (TMOV),
/// tile.extract / tile.insert (Vec -> Vec TEXTRACT / TINSERT) and
/// tile.reshape. Not tile.load (MTE2), tile.store (MTE3, FIX),
/// tile.get / tile.set (S), the cube ops, terminators, ops with regions
/// or ops of other dialects.
bool runsOnVectorPipeOnly(mlir::Operation *op);

/// The op at which tile `value` crosses from one pipe to another, or null
/// when only the vector pipe touches it: its definer and every user (and,
/// through tile.reshape views, their users) runsOnVectorPipeOnly() with
/// every tile operand and result in UB (`inUB`). Otherwise the first of
/// them that does not (the definer first; a block argument's owner).
/// tile-place-buffers gives one slot per stage only to a tile of a staged
/// pipeline body that crosses pipes: the pipe of one iteration runs in
/// order, so a value only V writes and reads needs no second slot for the
/// next iteration (docs/placement.md "Slots"). Depends on the buffer kinds
/// only, not on offsets or slots.
mlir::Operation *getPipeCrossing(mlir::Value value,
                                 llvm::function_ref<bool(mlir::Value)> inUB);

/// The author's name of a tile: the name of a NameLoc in its location (the
/// defining op's, or the block argument's) if there is one, else the op name
/// and result number ("tile.load#0") or "tile.pipeline iter_arg #N".
std::string getTileName(mlir::Value value);

/// One piece of storage in a scope.
struct PlacedBuffer {
  /// The value the storage was made for: an op result, or the iter_arg
  /// (block argument) of a tile.pipeline for loop-carried storage that no
  /// init value could share.
  mlir::Value value;
  /// The op that takes the blame: the defining op of `value`, or the
  /// tile.pipeline when `value` is an iter_arg.
  mlir::Operation *owner = nullptr;
  /// Other op results that live in the same bytes and carry the same
  /// placement: tile.reshape views, and results computed in place over a
  /// loop-carried operand (the accumulator a tile.pipeline yields).
  llvm::SmallVector<mlir::Value> aliases;
  /// The tile.pipeline iter_args (pipeline, index) whose loop-carried
  /// storage this is.
  llvm::SmallVector<std::pair<tile::PipelineOp, unsigned>> carriedBy;
  /// Set when the storage is the scratch tile of a vector row reduction
  /// (`tile.row_sum` / `tile.row_max`: PTO-ISA's TROWSUM / TROWMAX take a
  /// `tmp` tile of the source's shape). `value` is then the reduction's
  /// result (for its name); the storage is live at that op only and is
  /// written into the op's `scratch` attribute.
  mlir::Operation *scratchFor = nullptr;
  /// Set when the storage was made for a tile result of an scf.if (then
  /// `value` is that result and `owner` the scf.if); branch values placed
  /// there are in `aliases`.
  bool ifResult = false;
  std::string name;
  BufferKind kind = BufferKind::UB;
  /// Bytes of one slot in the buffer's layout (docs/pto.md: whole 32-byte
  /// rows in UB, whole fractals in L1 / L0C), before alignment.
  int64_t size = 0;
  /// Bytes of the tile's own elements.
  int64_t dataBytes = 0;
  /// Layout rows of the view a row reduction reads this tile through when
  /// they exceed the tile's own (getRowReduceSourceLayout); 0 otherwise.
  int64_t reduceViewRows = 0;
  /// Alignment of the offset and of the slot stride (the kind's).
  int64_t align = 1;
  int64_t slots = 1;
  /// The pipeline whose stages multiplied the storage (slots > 1).
  tile::PipelineOp slotPipeline;
  /// For slots > 1: the op at which the value crosses pipes
  /// (getPipeCrossing), which is why it has the slots.
  mlir::Operation *crossing = nullptr;
  /// Live range [start, end) in program points of the scope.
  int64_t start = 0;
  int64_t end = 1;
  /// The op whose use ends the live range (null when unused).
  mlir::Operation *lastUser = nullptr;
  /// Offset of slot 0, set by the packing.
  int64_t offset = 0;

  /// Whether the storage was made for a tile.pipeline iter_arg.
  bool isLoopCarriedOnly() const {
    return mlir::isa<mlir::BlockArgument>(value);
  }
  PackingBuffer toPackingBuffer() const;
  int64_t getFootprint() const { return toPackingBuffer().getFootprint(); }
};

/// A matmul operand that the cube moves into L0A (lhs) or L0B (rhs).
struct OperandCheck {
  mlir::Operation *matmul = nullptr;
  /// BufferKind::L0A for the lhs, BufferKind::L0B for the rhs.
  BufferKind kind = BufferKind::L0A;
  /// Size of the operand rounded up to the kind's alignment.
  int64_t bytes = 0;
};

/// The outcome for one buffer kind of a scope.
struct KindPlacement {
  BufferKind kind = BufferKind::UB;
  /// Usable bytes of the kind on the target.
  int64_t capacity = 0;
  /// Highest byte used by the packing.
  int64_t peak = 0;
  /// Most bytes live at once, and the program point where that happens.
  int64_t lowerBound = 0;
  int64_t lowerBoundPoint = 0;
  /// Indices (into ScopePlacement::buffers) of storage that alone exceeds
  /// the capacity.
  std::vector<size_t> oversize;
  /// Whether any storage or operand uses the kind.
  bool used = false;

  bool fits() const { return peak <= capacity; }
};

/// The placement of one tile.at scope.
struct ScopePlacement {
  tile::AtOp scope;
  const TargetInfo *target = nullptr;
  std::vector<PlacedBuffer> buffers;
  std::vector<OperandCheck> operandChecks;
  /// Indexed by BufferKind.
  std::array<KindPlacement, 5> kinds;
  /// Placed with the reuses tried only when a scope does not fit without
  /// them (docs/placement.md "Under pressure"): a cast between element
  /// types of one width in place, a result in place over the carried
  /// storage of a finished tile.pipeline, an init value shared by several
  /// iter_args carried by the first.
  bool underPressure = false;

  const KindPlacement &getKind(BufferKind kind) const {
    return kinds[static_cast<size_t>(kind)];
  }
  /// Whether every kind fits and every matmul operand fits L0A / L0B.
  bool fits() const;
};

/// The target a scope is placed for: `option` when non-null, else the
/// nearest `tile.target` attribute, else a2a3.
const TargetInfo &getScopeTarget(tile::AtOp scope, const TargetInfo *option);

/// How a scope fits, from a trial placement that emits no diagnostics (the
/// scheduling passes use it to decide before they change anything).
struct FitSummary {
  /// The placement analysis failed; `error` holds its first message.
  bool placeable = true;
  std::string error;
  bool fits = false;
  /// Of UB, L1 and L0C (the buffers pipeline stages and fusion grow), the
  /// kind closest to, or furthest beyond, its capacity.
  BufferKind kind = BufferKind::UB;
  int64_t peak = 0;
  int64_t capacity = 0;
  /// Every buffer fits but a matmul operand exceeds L0A / L0B.
  bool operandTooLarge = false;
};

/// Places `scope` on `target` with its diagnostics captured, not emitted,
/// and summarises the result. The IR is not changed. The reuses kept for
/// scopes under pressure are not tried: the scheduling passes plan with
/// the regular rules, and a scope that needs those reuses is left as it
/// is (tile-place-buffers then applies them).
FitSummary summarizeFit(tile::AtOp scope, const TargetInfo &target);

/// Resolves the `target` option of a pass: null when `name` is empty (each
/// scope then uses its nearest `tile.target`); fails, after an error on the
/// offending op, when `name` is unknown or contradicts a `tile.target`
/// attribute anywhere in `module`.
mlir::FailureOr<const TargetInfo *> resolveTargetOption(mlir::ModuleOp module,
                                                        llvm::StringRef name);

/// Computes the placement of `scope` on `target` without touching the IR.
/// When it does not fit and `allowPressure` is set, places it again with
/// the reuses kept for scopes under pressure (ScopePlacement::underPressure)
/// and returns that placement if it fits or comes closer.
/// Fails, after emitting an error, on IR it cannot place (a tile carried by
/// an op other than tile.pipeline and scf.if; in a core_group scope, a tile
/// that both cube and vector ops use). Capacity problems are not errors
/// here: see ScopePlacement::fits() and emitPlacementErrors().
mlir::FailureOr<ScopePlacement>
computeScopePlacement(tile::AtOp scope, const TargetInfo &target,
                      bool allowPressure = true);

/// Emits the capacity errors of `placement` (a single tile larger than its
/// buffer, on the tile; a buffer kind exceeded, on the scope, with a memory
/// map note; a matmul operand larger than L0A / L0B, on the matmul). Fails
/// when there was any.
mlir::LogicalResult emitPlacementErrors(const ScopePlacement &placement);

/// Prints the memory map of one buffer kind: a header, then one line per
/// storage sorted by offset (name, byte range, size, slots and the pipeline
/// that multiplied them, live range), then peak, lower bound and quality.
void printMemoryMap(llvm::raw_ostream &os, const ScopePlacement &placement,
                    BufferKind kind);

/// Writes the placement into the IR: `place` on every tile-producing op,
/// `places` on tile.pipeline ops with tile iter_args and on scf.if ops with
/// tile results, `tile.peak` on the scope.
void applyPlacement(const ScopePlacement &placement);

} // namespace tessel

#endif // TESSEL_ANALYSIS_TILEPLACEMENT_H
