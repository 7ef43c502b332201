//===- PermuteBlocks.cpp - Run spmd blocks in another order ---------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Replaces the block index of every tile.spmd by a permutation of it
// (reverse, or an affine shuffle), so a sequential simulation runs the
// blocks in another order: the dynamic counterpart of tile-check-races.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/MapVector.h"

#include <numeric>

#define DEBUG_TYPE "tile-permute-blocks"

namespace tessel {
#define GEN_PASS_DEF_TILEPERMUTEBLOCKS
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

struct PermuteBlocksPass
    : public tessel::impl::TilePermuteBlocksBase<PermuteBlocksPass> {
  using TilePermuteBlocksBase::TilePermuteBlocksBase;

  void runOnOperation() override {
    if (order != "forward" && order != "reverse" && order != "shuffle") {
      getOperation().emitError("unknown block order '")
          << order << "': expected forward, reverse or shuffle";
      return signalPassFailure();
    }
    if (order == "forward")
      return;
    getOperation().walk([&](SpmdOp spmd) {
      int64_t n = spmd.getBlocks();
      if (n < 2)
        return;
      Value b = spmd.getBlockIndex();
      // The uses to permute, grouped by the block they are in: the body of
      // the top-level tile.at holding them (so each scope still uses the
      // block index only inside it, which fusion and grouping expect), or
      // the spmd body.
      llvm::MapVector<Block *, SmallVector<OpOperand *>> uses;
      for (OpOperand &use : b.getUses()) {
        Operation *top = spmd.getBodyBlock().findAncestorOpInBlock(
            *use.getOwner());
        Block *where = &spmd.getBodyBlock();
        if (auto at = dyn_cast_or_null<AtOp>(top))
          where = &at.getBodyBlock();
        uses[where].push_back(&use);
      }
      for (auto &[where, list] : uses) {
        OpBuilder builder(spmd.getContext());
        builder.setInsertionPointToStart(where);
        Location loc = spmd.getLoc();
        auto idx = [&](int64_t v) {
          return arith::ConstantIndexOp::create(builder, loc, v).getResult();
        };
        Value permuted;
        if (order == "reverse") {
          permuted = arith::SubIOp::create(builder, loc, idx(n - 1), b);
        } else {
          // (a * b + c) mod n with gcd(a, n) = 1: a bijection of [0, n).
          uint64_t x = static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ull +
                       static_cast<uint64_t>(n) * 0xBF58476D1CE4E5B9ull + 1;
          x ^= x >> 31;
          int64_t a = static_cast<int64_t>(x % static_cast<uint64_t>(n));
          while (std::gcd(a, n) != 1)
            a = (a + 1) % n;
          int64_t c =
              static_cast<int64_t>((x >> 17) % static_cast<uint64_t>(n));
          Value mul = arith::MulIOp::create(builder, loc, b, idx(a));
          Value add = arith::AddIOp::create(builder, loc, mul, idx(c));
          permuted = arith::RemUIOp::create(builder, loc, add, idx(n));
        }
        for (OpOperand *use : list)
          use->set(permuted);
      }
    });
  }
};

} // namespace
