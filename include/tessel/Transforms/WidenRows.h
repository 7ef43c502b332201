//===- WidenRows.h - Merge a scope's token rows into wider tiles -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Re-tiling along tokens, for tile-tile-scopes. A vector scope written one
// token row per block (block b = t * C + c, t = b / C the token, every
// access of a token tensor a 1 x n slice at row t) becomes a scope of W
// token rows per block: the grid shrinks by W, those accesses become W x n
// slices at row (b / C) * W, and every tile computed from them gets W rows.
// What does not depend on the token (a gamma, a per-column scale) is then
// loaded once per W tokens instead of once per token.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_WIDENROWS_H
#define TESSEL_TRANSFORMS_WIDENROWS_H

#include "tile/TileOps.h"

#include <string>

namespace tessel {

/// The token decomposition of a scope: `blocks` = `tokens` x `chunks`, the
/// token b / chunks (b itself when chunks is 1).
struct TokenRows {
  int64_t tokens;
  int64_t chunks;
};

/// The token decomposition of `spmd` (whose block index only `at` uses), or
/// none with `why` set: the block index must be used only through
/// `arith.divsi` and `arith.remsi` by one constant C (or directly, C = 1),
/// the token only as the row offset of 1-row loads and stores of rank-2
/// tensors.
std::optional<TokenRows> getTokenRows(tile::SpmdOp spmd, tile::AtOp at,
                                      std::string &why);

/// Rewrites `spmd` (decomposed as `rows`) in place to `rows.tokens / width`
/// x `rows.chunks` blocks of `width` token rows each. Fails with `why` set,
/// leaving `spmd` in an unspecified state (work on a copy), when a tile
/// computed from the token rows meets an op that is not row-parallel, a
/// tile without rows to match, or a store of another row.
mlir::LogicalResult widenRows(tile::SpmdOp spmd, tile::AtOp at,
                              TokenRows rows, int64_t width, std::string &why);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_WIDENROWS_H
