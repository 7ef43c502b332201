//===- PipeModel.h - The AI Core instructions of a tile op ------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// What the NPU executes for each op of placed tile IR: the instructions in
// issue order, the pipe each runs on, and the bytes each reads and writes
// (on-chip byte ranges from the placement, GM by root tensor). One table for
// both targets (docs/pto.md "Pipes"); `tile-insert-sync` orders instructions
// of different pipes that share bytes, and the PTO emitter prints the same
// instructions, so the two cannot disagree.
//
//   tile.load            MTE2   GM -> UB (vector) or GM -> L1 (cube); a
//                               partial load into UB then V TFILLPAD zero
//   tile.store           MTE3   UB -> GM;  FIX  L0C -> GM
//   tile.matmul(_acc)    MTE1   L1 -> L0A (lhs), MTE1 L1 -> L0B (rhs), M
//                               (no move for an operand window in L0A / L0B)
//   tile.extract -> L0A/B MTE1  TEXTRACT (Mat -> Left / Right): a cube
//                               operand window (TilePlacement.h)
//   vector compute ops   V      (row reductions, and on a2a3 rem, rems and
//                               arange, also write their scratch placement;
//                               on a2a3 the per-row broadcasts
//                               row_expand_<op> also use PTO-ISA's internal
//                               8 KiB broadcast buffer at the top of UB)
//   tile.extract, insert V      TEXTRACT / TINSERT (Vec -> Vec); an insert
//                               not placed on its dest copies it first
//   tile.full, reshape   V      (a reshape placed on its operand: nothing)
//   tile.fillpad         V      TFILLPAD
//   tile.get, tile.set   S      Tile::GetValue / SetValue (a set not placed
//                               on its dest copies it first: V TMOV)
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_PIPEMODEL_H
#define TESSEL_ANALYSIS_PIPEMODEL_H

#include "tessel/Analysis/TileStorage.h"
#include "tessel/Support/TargetInfo.h"
#include "tile/TileOps.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace tessel {

/// One memory access of an instruction: a byte range of an on-chip buffer,
/// or a whole GM tensor (identified by its root memref value).
struct MemAccess {
  bool isGM = false;
  BufferKind kind = BufferKind::UB;
  int64_t begin = 0;
  int64_t end = 0;
  mlir::Value root;
  bool write = false;

  /// Whether the two accesses touch a common byte and one of them writes.
  bool conflicts(const MemAccess &other) const;
};

/// One instruction of one pipe.
struct PipeInstr {
  tile::Pipe pipe = tile::Pipe::v;
  /// The PTO-ISA instruction ("TLOAD", "TADD", ...).
  llvm::StringRef name;
  llvm::SmallVector<MemAccess, 4> accesses;
};

/// The bytes the NPU's copy of PTO-ISA uses inside the per-row broadcasts
/// (TROWEXPANDMUL, TROWEXPANDADD, ...) on `target`
/// (its broadcast buffer at the top of UB), or an empty range.
std::pair<int64_t, int64_t> getInternalScratch(const TargetInfo &target);

/// Whether `cast` is an i32 -> f16 conversion PTO-ISA cannot do in one TCVT
/// (a2a3 only rounds to nearest even there, a5 has none): the emitter
/// converts to f32 over the source tile first (exact below 2^24, and every
/// larger value overflows f16 either way), then to f16.
bool needsCastThroughF32(tile::CastOp cast, const TargetInfo &target);

/// Two tile.scatter ops of complementary patterns, the outer scattering into
/// the inner's result (its only use), in separate storage: together an
/// interleave, which the NPU runs as two TSCATTERs into zeroed tiles merged
/// by TOR (PTO-ISA's TSCATTER may zero-fill its destination, so no single
/// scatter can keep the destination's other columns).
struct ScatterPair {
  enum Role { None, Inner, Outer } role = None;
  tile::ScatterOp inner, outer;
};
ScatterPair getScatterPair(tile::ScatterOp op, const TileStorageMap &storage);

/// The event id of the hand-offs inside one op, which the emitter prints
/// itself (getIntraOpHandOff): MTE1 -> M inside a matmul (its operands'
/// moves to L0A / L0B, then the cube), V -> S inside a tile.set that is not
/// in place (the TMOV of its dest, then Tile::SetValue), MTE2 -> V inside a
/// partial load (TLOAD, then TFILLPAD).
int64_t getIntraOpEventId(const TargetInfo &target);

/// The pipe pair of the hand-off the emitter prints inside `op` on the
/// getIntraOpEventId event, if any: MTE1 -> M in a matmul that moves an
/// operand itself (not one of cube operand windows only, which their
/// TEXTRACTs moved: tile-insert-sync orders those), V -> S in a
/// tile.set that copies its dest, MTE2 -> V in a partial load whose
/// padding is filled (partialLoadFillsPadding). tile-insert-sync keeps that
/// id out of the pair's other flags in the scope.
std::optional<std::pair<tile::Pipe, tile::Pipe>>
getIntraOpHandOff(mlir::Operation *op, const TileStorageMap &storage);

/// The pipe pair of a flag that PTO-ISA's implementation of an instruction
/// of `op` sets and waits for itself on EVENT_ID0 (not the emitter's
/// getIntraOpEventId), if any: a2a3's TFILLPAD / TFILLPAD_INPLACE of 1-byte
/// elements writes the padding inside each row's last 32-byte block on the
/// scalar unit after set_flag / wait_flag(PIPE_V, PIPE_S, EVENT_ID0) (a
/// tile.fillpad of i8, the zero fill of a tile.cmp / tile.cmps mask, the
/// padding of a partial i8 load). tile-insert-sync keeps EVENT_ID0 of that
/// pair out of its own flags in the scope.
std::optional<std::pair<tile::Pipe, tile::Pipe>>
getInternalEvent0(mlir::Operation *op, const TileStorageMap &storage);

/// Whether a tile.load with a valid shape must fill its padding with zero
/// (the op's semantics) on the NPU, where TLOAD writes the valid region
/// only: TLOAD, then TFILLPAD in place. Not when every use ignores the
/// padding (a tile.fillpad or a partial tile.store of the same valid
/// extents).
bool partialLoadFillsPadding(tile::LoadOp load);

/// For the accumulator `acc` of a tile.matmul_acc: when it is a zero in L0C
/// that only starts accumulators (no instruction writes it), sets `direct`
/// if `acc` is that zero itself (the matmul is a TMATMUL), or returns the
/// induction variable of the tile.pipeline whose iter_arg `acc` is (the
/// matmul is a TMATMUL in the first iteration, TMATMUL_ACC after). `user`,
/// the matmul_acc, when given: null when it only runs after the first
/// iteration (in the else branch of `scf.if iv == lb`), a TMATMUL_ACC.
mlir::Value getZeroAccumulatorPipeline(mlir::Value acc,
                                       const TileStorageMap &storage,
                                       bool &direct,
                                       mlir::Operation *user = nullptr);

/// A positive number known to divide index value `v`: |c| for a constant c
/// (a large power of two for 0), gcd of the operands' for sums and
/// differences, the product for products, gcd(lb, step) for the induction
/// variable of an scf.for or tile.pipeline with constant bounds; 1 when
/// nothing is known. (a2a3's TEXTRACT / TINSERT need a window's first
/// column at a 32-byte block.)
int64_t getKnownDivisor(mlir::Value v);

/// The GM tensor a memref value is a view of (itself unless it comes from a
/// view-like op).
mlir::Value getGMRoot(mlir::Value memref);

/// The PTO-ISA instruction of an elementwise, reduction or arg-reduction
/// tile op, tile.xor / xors or tile.transpose ("TADD", "TEXP", "TROWARGMAX",
/// "TTRANS", ...), or "" for other ops.
llvm::StringRef getPtoInstrName(mlir::Operation *op);

/// Appends the instructions `op` issues on the NPU (none for ops that only
/// compute indices, for views and for sync ops). Fails, after an error on
/// `op` naming it and the target, when the NPU cannot run it with this
/// placement.
mlir::LogicalResult getPipeInstrs(mlir::Operation *op,
                                  const TileStorageMap &storage,
                                  llvm::SmallVectorImpl<PipeInstr> &out);

} // namespace tessel

#endif // TESSEL_ANALYSIS_PIPEMODEL_H
