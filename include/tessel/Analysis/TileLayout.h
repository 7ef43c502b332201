//===- TileLayout.h - How a tile is laid out in an on-chip buffer -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The storage shape of a tile in each buffer, as the AI Core's instructions
// require it and as the PTO-ISA `Tile` types describe it: vector tiles in UB
// have whole 32-byte rows (a per-row column vector, R x 1, is stored column
// major with whole 32-byte columns); cube tiles in L1 / L0A / L0B are made of
// 16-row fractals of 32-byte rows, accumulators in L0C of 16 x 16 element
// fractals. The tile's own shape is the valid region inside that storage.
//
// One source of truth for `tile-place-buffers` (how many bytes a tile
// takes), the CPU simulation (the slot stride of a placed tile) and the PTO
// emitter (the Tile type it declares). A pure function of the shape, the
// element width, the buffer and the target.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_TILELAYOUT_H
#define TESSEL_ANALYSIS_TILELAYOUT_H

#include "tessel/Support/TargetInfo.h"
#include "tile/TileDialect.h"
#include "tile/TileOps.h"

#include <cstdint>
#include <optional>

namespace tessel {

/// The storage of one tile in one buffer.
struct TileLayout {
  /// The allocated shape (a multiple of the buffer's granules).
  int64_t rows = 0;
  int64_t cols = 0;
  /// The tile's own shape, the valid region at the top-left.
  int64_t validRows = 0;
  int64_t validCols = 0;
  int64_t elementBytes = 0;
  /// Stored column by column (a UB column vector, rows x 1, 1 x 1 too).
  bool colMajor = false;

  int64_t getBytes() const { return rows * cols * elementBytes; }
  bool isPadded() const { return rows != validRows || cols != validCols; }
};

/// The layout of a `rows x cols` tile of `elementBytes`-byte elements in
/// `kind` on `target`.
TileLayout getTileLayout(int64_t rows, int64_t cols, int64_t elementBytes,
                         BufferKind kind, const TargetInfo &target);

/// Whether a `to` tile over the UB bytes of a `from` tile (the same bits
/// read as another element type, tile.reinterpret_view) is laid out as
/// `to` would be: both row-major with rows of the same bytes (each row
/// padded to whole 32-byte blocks alike), or both column vectors of one
/// element width. A column vector read as a row of narrower elements, or
/// back, is not (its bytes run down the column).
bool isSameBytesReinterpret(tile::TileType from, tile::TileType to,
                            const TargetInfo &target);

/// Bytes of one copy of a tile of `type` in `kind` (padding included).
int64_t getTileStorageBytes(tile::TileType type, BufferKind kind,
                            const TargetInfo &target);

/// How a vector row reduction (TROWSUM / TROWMAX) sees its UB source of
/// `rows x cols`: PTO-ISA wants as many layout rows as the destination
/// column vector, which pads its rows to a 32-byte block. A source of more
/// than one row whose rows do not fill a block is viewed with its layout
/// rows padded (valid rows unchanged); its storage must cover that view.
/// (A one-row source keeps its layout: the destination is viewed as a
/// 1 x block row instead.)
TileLayout getRowReduceSourceLayout(int64_t rows, int64_t cols,
                                    int64_t elementBytes,
                                    const TargetInfo &target);

/// The scratch tile a vector op's PTO-ISA instruction needs in UB on
/// `target` (placed by tile-place-buffers as the op's `scratch`, live at the
/// op only), or none:
///   row_sum / row_max / row_min / row_prod
///                        the source's shape (TROWSUM / TROWMAX / TROWMIN /
///                        TROWPROD's tmp);
///   rem (a2a3)           1 x (Cp + 2 * ceil(Cp / 64)) rounded up to a
///                        32-byte row, Cp the padded columns of the result
///                        (TREM's tmp: a row of quotients and the compare
///                        mask behind it);
///   rems (a2a3)          the result's shape (TREMS's tmp: the NPU uses its
///                        first row, pto-isa's CPU simulation declares it
///                        with the destination's type);
///   arange (a2a3, i32)   1 x 192 f32, 768 bytes (TCI's vectorised form:
///                        two 64-float sequences 128 floats apart);
///   xor / xors (a2a3)    the result's shape (TXOR / TXORS's OR(a, b));
///   row_/col_argmax / argmin (a2a3)
///                        the source's shape and type (index counters and
///                        running extrema);
///   transpose            N x alignTo(M, RowStride) for an M x N source,
///                        RowStride 32 for 1-byte, 16 for wider elements
///                        (TTRANS's tmp, both targets);
///   sel                  1 x 32 i8 (TSEL's tmp, both targets: a2a3 writes
///                        the mask row's address there, a5 ignores it);
///   prelu (a2a3)         (M + 1) x alignTo(ceil(N / 8), 32) i8 for an
///                        M x N result (a column vector: its 1 x M view):
///                        TPRELU's uint8_t tmp, the mask of its TCMPS and
///                        its TSEL's tmp in the last row;
///   mrgsort_lists        the result's type (the multi-list TMRGSORT's
///                        tmp, both targets: it merges there, then copies);
///   sels                 (M + 1) x N of the result's type for an M x N
///                        result: the scalar spread by TEXPANDS over the
///                        first M rows, TSEL's tmp in the last (both
///                        targets).
///   gather_index         1 x getGatherIndexScratch(...).bytes i8: the
///                        regions of the index gather's instructions (both
///                        targets).
/// On a5 TREM, TREMS, TCI, TXOR, TXORS, TPRELU and the arg-reductions
/// ignore their tmp: none.
std::optional<tile::TileType> getScratchTileType(mlir::Operation *op,
                                                 const TargetInfo &target);

/// The scratch of tile.gather_index on the NPU, byte offsets into its
/// placement, each region 32-byte aligned. PTO-ISA's index TGATHER reads
/// `src0` at flat element offsets into its storage, and an offset outside
/// it is target-defined; Tessel's index is a column of the row, and one
/// outside [0, N) reads 0. So the M x N input is copied into `source`,
/// (M + 1) x Cz elements with Cz = alignTo(N + 1, 32-byte block): row 0
/// zero, row r + 1 input row r then zeros. The index clamped into
/// [-1, N] plus (r + 1) * Cz (`rowBase`, a column vector of M i32 from
/// TCI) lands on the input element or, for an index outside [0, N), on a
/// zero: -1 on the last column of the row above (zero: Cz - 1 >= N), N on
/// column N of the row. `index` holds those offsets (M x K i32). a2a3
/// also needs TCI's tmp (1 x 192 f32) and TGATHER's (M x Kd i32, Kd the
/// result's padded columns: it converts 16-bit offsets there); a5 none
/// (offsets -1).
struct GatherIndexScratch {
  int64_t zeroedCols = 0;
  int64_t source = 0, index = 0, rowBase = 0;
  int64_t tciTmp = -1, gatherTmp = -1;
  int64_t bytes = 0;
};
GatherIndexScratch getGatherIndexScratch(tile::TileType input,
                                         tile::TileType result,
                                         const TargetInfo &target);

/// The UB bytes vector op `op` needs beyond its operands' and result's own
/// storage on `target`, as tile-place-buffers reserves them: its scratch
/// tile (getScratchTileType), and for a row reduction the bytes by which
/// the view it reads its source through (getRowReduceSourceLayout) exceeds
/// the source's own storage. Unaligned layout bytes, as the placement's.
int64_t getVectorOpExtraBytes(mlir::Operation *op, const TargetInfo &target);

} // namespace tessel

#endif // TESSEL_ANALYSIS_TILELAYOUT_H
