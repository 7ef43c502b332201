//===- TileStorage.h - Where tiles live in the CPU simulation --*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Where tiles live, read back from placed IR for the CPU simulation
// (`convert-tile-to-scf`), `tile-insert-sync` and the PTO emitter: for every
// tile value of a function, the arena, byte offset and slot count it lives
// at, read from the `place` / `places` attributes in placed mode
// (docs/placement.md) or given out one after the other in unplaced mode;
// the `scratch` storage of row reductions; and for every `tile.spmd`, how
// many bytes each arena of one worker needs. Invalid placements (a tile
// without `place` in placed mode, a placement beyond the usable size of its
// buffer, a misaligned offset, slots outside a pipeline) are diagnosed here,
// before any IR changes.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_TILESTORAGE_H
#define TESSEL_ANALYSIS_TILESTORAGE_H

#include "tessel/Support/TargetInfo.h"
#include "tile/TileOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <array>
#include <optional>

namespace tessel {

/// The arenas of one simulated core. The first five are the on-chip buffers
/// (same order as BufferKind); `Scratch` holds the tiles of unplaced mode and
/// `Temp` the simulation's own temporaries (e.g. a matmul operand widened to
/// f32), which do not exist on the NPU.
enum class Arena : unsigned { UB, L1, L0A, L0B, L0C, Scratch, Temp };
inline constexpr unsigned kNumArenas = 7;

/// The lowercase name of an arena ("ub", ..., "scratch", "temp").
llvm::StringRef getArenaName(Arena arena);

/// Byte offset, in a matmul's Temp storage, of the widened transpose of a
/// `b_trans` rhs: after the widened [M, K] lhs of `lhsElements` elements.
int64_t getMatmulTempBTOffset(int64_t lhsElements);

/// The arena of an on-chip buffer (the first five arenas follow BufferKind).
inline Arena getArena(BufferKind kind) {
  return static_cast<Arena>(static_cast<unsigned>(kind));
}

/// The on-chip buffer an arena is, or nullopt for the simulation's own
/// Scratch and Temp arenas.
inline std::optional<BufferKind> getBufferKind(Arena arena) {
  if (static_cast<unsigned>(arena) > static_cast<unsigned>(Arena::L0C))
    return std::nullopt;
  return static_cast<BufferKind>(static_cast<unsigned>(arena));
}

/// Where one tile value lives.
struct TileStorage {
  Arena arena = Arena::Scratch;
  /// Byte offset of slot 0 in the arena.
  int64_t offset = 0;
  int64_t slots = 1;
  /// Bytes between two slots (the tile's size rounded up to the alignment).
  int64_t slotBytes = 0;
  /// The pipeline whose iteration picks the slot when slots > 1.
  tile::PipelineOp pipeline;

  int64_t end() const { return offset + slots * slotBytes; }
  bool operator==(const TileStorage &other) const {
    return arena == other.arena && offset == other.offset &&
           slots == other.slots && slotBytes == other.slotBytes &&
           pipeline == other.pipeline;
  }
  /// Whether the two byte ranges (all slots) share a byte.
  bool overlaps(const TileStorage &other) const {
    return arena == other.arena && offset < other.end() &&
           other.offset < end();
  }
};

/// Storage of every tile of a function and the arena sizes of its spmd ops.
class TileStorageMap {
public:
  /// Computes the storage of `func`, emitting an error (and failing) on an
  /// invalid or missing placement in placed mode.
  static mlir::FailureOr<TileStorageMap> compute(mlir::func::FuncOp func);

  /// Whether the function carries `tile.placed`.
  bool isPlaced() const { return placed; }

  /// The storage of a tile value (op result, pipeline iter_arg or result).
  const TileStorage &lookup(mlir::Value tile) const;

  /// Bytes of each arena one worker of `spmd` needs (0 = unused).
  const std::array<int64_t, kNumArenas> &getArenaBytes(tile::SpmdOp spmd) const;

  /// The scratch storage of `op` (its `scratch` placement), if any.
  const TileStorage *lookupScratch(mlir::Operation *op) const {
    auto it = scratch.find(op);
    return it == scratch.end() ? nullptr : &it->second;
  }

  /// Bytes of the Temp arena that lowering `op` uses (0 when none).
  int64_t getTempBytes(mlir::Operation *op) const {
    return tempBytes.lookup(op);
  }

  /// The target the function is placed for.
  const TargetInfo &getTarget() const { return *target; }

private:
  bool placed = false;
  const TargetInfo *target = nullptr;
  llvm::DenseMap<mlir::Value, TileStorage> storage;
  llvm::DenseMap<mlir::Operation *, std::array<int64_t, kNumArenas>> arenas;
  llvm::DenseMap<mlir::Operation *, int64_t> tempBytes;
  llvm::DenseMap<mlir::Operation *, TileStorage> scratch;

  friend class TileStorageBuilder;
};

} // namespace tessel

#endif // TESSEL_ANALYSIS_TILESTORAGE_H
