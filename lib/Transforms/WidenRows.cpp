//===- WidenRows.cpp - Merge a scope's token rows into wider tiles ---------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/WidenRows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

/// The row-offset operand of a 1-row access of a rank-2 tensor, else null.
static OpOperand *getRowOperand(Operation *op) {
  MemRefType memref;
  TileType tile;
  OperandRange indices = op->getOperands();
  unsigned first = 0;
  if (auto load = dyn_cast<LoadOp>(op)) {
    if (load.hasValidShape())
      return nullptr; // a partial tile keeps its rows
    memref = cast<MemRefType>(load.getSource().getType());
    tile = cast<TileType>(load.getResult().getType());
    first = 1;
    indices = load.getIndices();
  } else if (auto store = dyn_cast<StoreOp>(op)) {
    if (store.hasValidShape())
      return nullptr;
    memref = cast<MemRefType>(store.getDest().getType());
    tile = cast<TileType>(store.getValue().getType());
    first = 2;
    indices = store.getIndices();
  } else {
    return nullptr;
  }
  if (memref.getRank() != 2 || tile.getShape()[0] != 1 || indices.empty())
    return nullptr;
  return &op->getOpOperand(first);
}

/// The constant divisor of a divsi / remsi of `v`, or none.
static std::optional<int64_t> getDivisor(Operation *op) {
  APInt c;
  if (!isa<arith::DivSIOp, arith::RemSIOp>(op) ||
      !matchPattern(op->getOperand(1), m_ConstantInt(&c)) || c.sle(0))
    return std::nullopt;
  return c.getSExtValue();
}

std::optional<TokenRows> tessel::getTokenRows(SpmdOp spmd, AtOp at,
                                              std::string &why) {
  Value blk = spmd.getBlockIndex();
  int64_t blocks = static_cast<int64_t>(spmd.getBlocks());
  std::optional<int64_t> chunks;
  SmallVector<Value> tokens;
  for (OpOperand &use : blk.getUses()) {
    Operation *user = use.getOwner();
    if (!at->isAncestor(user)) {
      why = "the block index is used outside the scope";
      return std::nullopt;
    }
    if (std::optional<int64_t> d = getDivisor(user);
        d && use.getOperandNumber() == 0) {
      if (chunks && *chunks != *d) {
        why = "the block index is divided by two different constants";
        return std::nullopt;
      }
      chunks = *d;
      if (isa<arith::DivSIOp>(user))
        tokens.push_back(user->getResult(0));
      continue;
    }
    if (chunks) {
      why = "the block index is used other than as token and chunk";
      return std::nullopt;
    }
    tokens.push_back(blk);
  }
  if (llvm::is_contained(tokens, blk) && chunks) {
    why = "the block index is used other than as token and chunk";
    return std::nullopt;
  }
  int64_t c = chunks.value_or(1);
  if (tokens.empty() || blocks % c) {
    why = "no token index";
    return std::nullopt;
  }
  for (Value token : tokens)
    for (OpOperand &use : token.getUses()) {
      if (token == blk && getDivisor(use.getOwner()))
        continue;
      if (getRowOperand(use.getOwner()) != &use) {
        why = "the token is used other than as the row of a 1-row access";
        return std::nullopt;
      }
    }
  return TokenRows{blocks / c, c};
}

namespace {

/// The in-place type rewrite: which tile values carry `width` rows.
class Widener {
public:
  Widener(AtOp at, int64_t width) : at(at), width(width) {}

  LogicalResult run(ArrayRef<Operation *> rowAccesses, std::string &why);

private:
  bool isWide(Value v) const { return wide.contains(v); }

  /// Gives `v` (a 1-row tile) `width` rows.
  LogicalResult makeWide(Value v) {
    if (isWide(v))
      return success();
    auto tile = dyn_cast<TileType>(v.getType());
    if (!tile || tile.getShape().size() != 2 || tile.getShape()[0] != 1)
      return failure();
    // A width past the largest tile the type admits is a "no", not an
    // assertion (a grid of 2^31 blocks offers such widths).
    auto wideType = TileType::getChecked(
        [&] { return emitError(v.getLoc()); }, tile.getContext(),
        ArrayRef<int64_t>{width, tile.getShape()[1]}, tile.getElementType());
    if (!wideType)
      return failure();
    v.setType(wideType);
    wide.insert(v);
    changed = true;
    return success();
  }

  /// Makes operand `operand` wide: already wide, or a tile.full (copied
  /// with `width` rows for this use).
  LogicalResult widenOperand(OpOperand &operand) {
    Value v = operand.get();
    if (isWide(v))
      return success();
    // A loop-carried tile: widened here, its init and result follow when
    // the loop is visited again.
    if (auto arg = dyn_cast<BlockArgument>(v))
      if (auto loop = dyn_cast_or_null<LoopLikeOpInterface>(
              arg.getOwner()->getParentOp()))
        if (llvm::is_contained(loop.getRegionIterArgs(), arg))
          return makeWide(v);
    auto full = v.getDefiningOp<FullOp>();
    if (!full)
      return failure();
    OpBuilder b(operand.getOwner());
    auto copy = cast<FullOp>(b.clone(*full));
    operand.set(copy.getResult());
    return makeWide(copy.getResult());
  }

  LogicalResult visit(Operation *op, std::string &why);

  AtOp at;
  int64_t width;
  DenseSet<Value> wide;
  DenseSet<Operation *> rowStores;
  bool changed = false;
};

} // namespace

LogicalResult Widener::visit(Operation *op, std::string &why) {
  auto anyWide = [&](ValueRange values) {
    return llvm::any_of(values, [&](Value v) { return isWide(v); });
  };
  auto fail = [&](StringRef reason) {
    why = (reason + " (" + op->getName().getStringRef() + ")").str();
    return failure();
  };
  // Loads of other rows stay; a tile.full made wide is a copy for one use.
  if (isa<LoadOp, FullOp>(op))
    return success();
  if (auto store = dyn_cast<StoreOp>(op)) {
    bool row = rowStores.contains(op);
    if (row && !isWide(store.getValue()) &&
        failed(widenOperand(store.getValueMutable())))
      return fail("a token row is stored from a tile without token rows");
    if (!row && isWide(store.getValue()))
      return fail("a tile with token rows is stored elsewhere than its rows");
    return success();
  }
  if (isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, FModOp, RemOp, ScatterOp>(
          op)) {
    if (!anyWide(op->getOperands()) && !anyWide(op->getResults()))
      return success();
    for (OpOperand &operand : op->getOpOperands())
      if (failed(widenOperand(operand)))
        return fail("a tile with token rows meets one without");
    return makeWide(op->getResult(0));
  }
  std::optional<ExpandInfo> expand = getExpandInfo(op);
  bool colExpand = expand && !expand->perRow;
  if (colExpand ||
      isa<AddSOp, SubSOp, RSubSOp, MulSOp, DivSOp, RDivSOp, MaxSOp, MinSOp,
          NegOp, AbsOp, SqrtOp, RsqrtOp, RecipOp, ExpOp, LogOp, SinOp, CosOp,
          FModSOp, RemSOp, CastOp,
          GatherOp, RowSumOp, RowMaxOp>(op)) {
    if (!isWide(op->getOperand(0))) {
      if (anyWide(op->getOperands()) || anyWide(op->getResults()))
        return fail("a per-column operand has token rows");
      return success();
    }
    if (colExpand && isWide(op->getOperand(1)))
      return fail("a per-column operand has token rows");
    return makeWide(op->getResult(0));
  }
  if (expand && expand->perRow) {
    if (!anyWide(op->getOperands()) && !anyWide(op->getResults()))
      return success();
    for (OpOperand &operand : op->getOpOperands())
      if (failed(widenOperand(operand)))
        return fail("a row scale without token rows");
    return makeWide(op->getResult(0));
  }
  if (auto loop = dyn_cast<LoopLikeOpInterface>(op)) {
    // Carried tiles: wide if their init, region argument, yielded value or
    // result is.
    auto inits = loop.getInitsMutable();
    auto args = loop.getRegionIterArgs();
    auto yielded = loop.getYieldedValuesMutable();
    std::optional<ResultRange> results = loop.getLoopResults();
    if (!yielded || !results)
      return fail("a loop without yielded values");
    for (unsigned i = 0; i < inits.size(); ++i) {
      Value res = (*results)[i];
      if (!isWide(inits[i].get()) && !isWide(args[i]) &&
          !isWide((*yielded)[i].get()) && !isWide(res))
        continue;
      if (failed(widenOperand(inits[i])) || failed(makeWide(args[i])) ||
          failed(makeWide(res)))
        return fail("a carried tile cannot take token rows");
      if (!isWide((*yielded)[i].get()) &&
          failed(widenOperand((*yielded)[i])))
        changed = true; // the body decides on a later sweep
    }
    return success();
  }
  if (isa<scf::YieldOp, YieldOp, arith::ConstantOp>(op) ||
      op->getDialect()->getNamespace() == "arith")
    return success();
  if (anyWide(op->getOperands()) || anyWide(op->getResults()))
    return fail("a tile with token rows reaches an op that is not row-parallel");
  if (op->getNumRegions() && !isa<LoopLikeOpInterface>(op)) {
    // scf.if and the like: fine while nothing wide flows through them, which
    // the ops inside are checked for; results must not be tiles made wide.
    return success();
  }
  return success();
}

LogicalResult Widener::run(ArrayRef<Operation *> rowAccesses,
                           std::string &why) {
  for (Operation *op : rowAccesses) {
    if (auto load = dyn_cast<LoadOp>(op)) {
      if (failed(makeWide(load.getResult()))) {
        why = "a token row load is not a 1-row tile";
        return failure();
      }
    } else {
      rowStores.insert(op);
    }
  }
  // Sweep until nothing changes: a carried tile made wide in a loop body
  // makes the loop result, used earlier in program order than the body's
  // last op, wide on the next sweep. An op that cannot take the rows yet
  // fails only once a sweep changes nothing.
  for (int sweep = 0;; ++sweep) {
    changed = false;
    std::string pending;
    at.walk<WalkOrder::PreOrder>([&](Operation *op) {
      std::string reason;
      if (op != at.getOperation() && failed(visit(op, reason)) &&
          pending.empty())
        pending = reason;
    });
    if (!changed) {
      if (!pending.empty()) {
        why = pending;
        return failure();
      }
      break;
    }
    if (sweep == 64) {
      why = "the token rows do not settle";
      return failure();
    }
  }
  // Every carried tile made wide must yield a wide value.
  WalkResult r = at.walk([&](LoopLikeOpInterface loop) {
    auto yielded = loop.getYieldedValuesMutable();
    auto args = loop.getRegionIterArgs();
    if (!yielded)
      return WalkResult::advance();
    for (unsigned i = 0; i < args.size(); ++i)
      if (isWide(args[i]) != isWide((*yielded)[i].get()))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (r.wasInterrupted()) {
    why = "a carried tile takes token rows on one side only";
    return failure();
  }
  return success();
}

LogicalResult tessel::widenRows(SpmdOp spmd, AtOp at, TokenRows rows,
                                int64_t width, std::string &why) {
  if (width < 2 || rows.tokens % width) {
    why = "the width does not divide the tokens";
    return failure();
  }
  Value blk = spmd.getBlockIndex();
  // The row accesses, and the token values they use.
  SmallVector<Operation *> rowAccesses;
  SmallVector<Value> tokens;
  if (rows.chunks == 1)
    tokens.push_back(blk);
  else
    for (Operation *user : blk.getUsers())
      if (isa<arith::DivSIOp>(user))
        tokens.push_back(user->getResult(0));
  for (Value token : tokens)
    for (OpOperand &use : token.getUses())
      if (getRowOperand(use.getOwner()) == &use)
        rowAccesses.push_back(use.getOwner());
  // The first row of block b's tokens: token(b) * width.
  for (Value token : tokens) {
    OpBuilder b = token == blk ? OpBuilder::atBlockBegin(&at.getBodyBlock())
                               : OpBuilder(token.getContext());
    if (token != blk)
      b.setInsertionPointAfterValue(token);
    Location loc = at.getLoc();
    Value w = arith::ConstantIndexOp::create(b, loc, width);
    Value first = arith::MulIOp::create(b, loc, token, w);
    token.replaceUsesWithIf(first, [&](OpOperand &use) {
      return use.getOwner() != first.getDefiningOp() &&
             !isa<arith::DivSIOp, arith::RemSIOp>(use.getOwner());
    });
  }
  Builder builder(spmd.getContext());
  spmd.setBlocksAttr(builder.getI64IntegerAttr(rows.tokens / width *
                                               rows.chunks));
  // The rewritten types must verify (silently: a failure is a "no").
  ScopedDiagnosticHandler quiet(spmd.getContext(),
                                [](Diagnostic &) { return success(); });
  Widener widener(at, width);
  if (failed(widener.run(rowAccesses, why)))
    return failure();
  if (failed(verify(at))) {
    why = "the widened scope does not verify";
    return failure();
  }
  return success();
}
