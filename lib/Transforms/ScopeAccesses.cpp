//===- ScopeAccesses.cpp - The GM accesses of a scope ---------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/ScopeAccesses.h"

#include "tessel/Transforms/IndexUtils.h"
#include "tessel/Transforms/LoopUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

ScopeAccess ScopeAccess::of(LoadOp load) {
  return {load, load.getSource(), SmallVector<Value>(load.getIndices()),
          cast<TileType>(load.getResult().getType()), false};
}

ScopeAccess ScopeAccess::of(StoreOp store) {
  return {store, store.getDest(), SmallVector<Value>(store.getIndices()),
          cast<TileType>(store.getValue().getType()), true};
}

LogicalResult tessel::collectScopeAccesses(Operation *root,
                                           SmallVectorImpl<ScopeAccess> &out) {
  bool opaque = false;
  root->walk([&](Operation *op) {
    if (auto load = dyn_cast<LoadOp>(op)) {
      out.push_back(ScopeAccess::of(load));
      return;
    }
    if (auto store = dyn_cast<StoreOp>(op)) {
      out.push_back(ScopeAccess::of(store));
      return;
    }
    opaque |= llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>);
  });
  return failure(opaque);
}

bool ScopeAccess::hasValidShape() const {
  if (auto load = dyn_cast_or_null<LoadOp>(op))
    return load.hasValidShape();
  if (auto store = dyn_cast_or_null<StoreOp>(op))
    return store.hasValidShape();
  return false;
}

/// A name for a GM tensor in remarks.
std::string tessel::describeTensor(Value memref) {
  Value root = getRootTensor(memref);
  if (auto alloc = root.getDefiningOp<AllocGmOp>())
    if (auto name = alloc->getAttrOfType<StringAttr>("name"))
      return "'" + name.str() + "'";
  if (auto arg = dyn_cast<BlockArgument>(root))
    return "argument " + std::to_string(arg.getArgNumber());
  return "a GM tensor";
}

/// Whether index expressions `a` (in the scope of block index `blkA`) and
/// `b` (block index `blkB`) compute the same function of the block index:
/// the same pure ops over the same constants and outer values. Loop
/// variables and other block arguments never match.
static bool sameExpr(Value a, Value b, Value blkA, Value blkB) {
  return isSameExprTree(a, b, [&](Value x, Value y) -> std::optional<bool> {
    if (x == blkA || y == blkB)
      return x == blkA && y == blkB;
    // A block argument inside a scope (a loop variable) never matches.
    if (x == y && isa<BlockArgument>(x) &&
        cast<BlockArgument>(x).getOwner()->getParentOp()->getParentOfType<
            SpmdOp>())
      return false;
    return std::nullopt;
  });
}

/// Whether two accesses of one memref touch the same slice in the same
/// block: same tile type, offsets the same functions of the block index.
bool tessel::isSameSlice(const ScopeAccess &a, const ScopeAccess &b, Value blkA,
                      Value blkB) {
  if (a.memref != b.memref || a.tile != b.tile ||
      a.indices.size() != b.indices.size())
    return false;
  // A partial tile's access covers only its valid region: not compared.
  if (a.hasValidShape() || b.hasValidShape())
    return false;
  for (auto [x, y] : llvm::zip(a.indices, b.indices))
    if (!sameExpr(x, y, blkA, blkB))
      return false;
  return true;
}

/// Whether `op` runs every time its scope `at` does: every op between them
/// is a loop with constant bounds that runs at least once.
bool tessel::runsWheneverScopeRuns(Operation *op, AtOp at) {
  for (Operation *p = op->getParentOp(); p && p != at.getOperation();
       p = p->getParentOp()) {
    Value lb, ub;
    if (auto loop = dyn_cast<scf::ForOp>(p)) {
      lb = loop.getLowerBound();
      ub = loop.getUpperBound();
    } else if (auto pipe = dyn_cast<PipelineOp>(p)) {
      lb = pipe.getLowerBound();
      ub = pipe.getUpperBound();
    } else {
      return false;
    }
    APInt l, u;
    if (!matchPattern(lb, m_ConstantInt(&l)) ||
        !matchPattern(ub, m_ConstantInt(&u)) || !l.slt(u))
      return false;
  }
  return true;
}

/// Splits `v` into `base + constant` (base null when `v` is a constant).
static std::pair<Value, int64_t> splitConstant(Value v) {
  APInt c;
  if (matchPattern(v, m_ConstantInt(&c)))
    return {Value(), c.getSExtValue()};
  if (auto add = v.getDefiningOp<arith::AddIOp>()) {
    if (matchPattern(add.getRhs(), m_ConstantInt(&c)))
      return {add.getLhs(), c.getSExtValue()};
    if (matchPattern(add.getLhs(), m_ConstantInt(&c)))
      return {add.getRhs(), c.getSExtValue()};
  }
  return {v, 0};
}

/// An index `block * stride + rest`: `block` one value that is no loop
/// variable of the access's scope, `rest` the range of the rest (loop
/// variables of loops inside the scope and a constant).
struct PeriodicIndex {
  Value block;
  int64_t stride;
  IndexRange rest;
};

static std::optional<PeriodicIndex> splitPeriodic(Value index, Operation *at) {
  Operation *scope = at->getParentOfType<AtOp>();
  LinearIndex l = linearizeIndex(index);
  LinearIndex rest;
  rest.constant = l.constant;
  PeriodicIndex out{Value(), 0, {}};
  for (auto [atom, coef] : l.terms) {
    auto arg = dyn_cast<BlockArgument>(atom);
    Operation *owner = arg ? arg.getOwner()->getParentOp() : nullptr;
    if (owner && isa<LoopLikeOpInterface>(owner) && scope &&
        scope->isAncestor(owner)) {
      rest.terms.push_back({atom, coef});
      continue;
    }
    if (out.block)
      return std::nullopt;
    out.block = atom;
    out.stride = coef;
  }
  std::optional<IndexRange> r = getLinearRange(rest);
  if (!out.block || !r)
    return std::nullopt;
  out.rest = *r;
  return out;
}

/// Whether two accesses of one memref (ranks equal to the tile's), made by
/// blocks b and b' of the fused scope, can only overlap when b == b': in some
/// dimensions the two offsets are `x * s + c` (or `x + c`, size 1 at c = 0)
/// over the same expression x with both slices inside [0, s), so an overlap
/// needs x(b) == x(b'); and those pinned expressions determine b (b itself,
/// or b / K and b % K for one K).
bool tessel::pinsBlock(const ScopeAccess &a, const ScopeAccess &b, Value blkA,
                      Value blkB) {
  if (a.memref != b.memref || a.indices.size() != b.indices.size())
    return false;
  ArrayRef<int64_t> shapeA = a.tile.getShape(), shapeB = b.tile.getShape();
  if (shapeA.size() != a.indices.size() || shapeB.size() != b.indices.size())
    return false;
  SmallVector<Value> pinned;
  for (size_t d = 0; d < a.indices.size(); ++d) {
    auto [baseA, offA] = splitConstant(a.indices[d]);
    auto [baseB, offB] = splitConstant(b.indices[d]);
    if (!baseA || !baseB || !sameExpr(baseA, baseB, blkA, blkB))
      continue;
    // base = x * s: the slices [offA, offA + sizeA) and [offB, offB + sizeB)
    // of one period s.
    Value x = baseA;
    int64_t stride = 1;
    APInt c;
    if (auto mul = baseA.getDefiningOp<arith::MulIOp>()) {
      if (matchPattern(mul.getRhs(), m_ConstantInt(&c))) {
        x = mul.getLhs();
        stride = c.getSExtValue();
      } else if (matchPattern(mul.getLhs(), m_ConstantInt(&c))) {
        x = mul.getRhs();
        stride = c.getSExtValue();
      }
    }
    if (stride <= 0 || offA < 0 || offB < 0 || offA + shapeA[d] > stride ||
        offB + shapeB[d] > stride)
      continue;
    pinned.push_back(x);
  }
  // Offsets `x * s + r` with r a sum of loop variables (of loops inside the
  // scopes) and a constant: slices of one period s when both r ranges, plus
  // the extents, stay inside [0, s).
  for (size_t d = 0; d < a.indices.size(); ++d) {
    std::optional<PeriodicIndex> pa = splitPeriodic(a.indices[d], a.op);
    std::optional<PeriodicIndex> pb = splitPeriodic(b.indices[d], b.op);
    if (!pa || !pb || pa->stride != pb->stride || pa->stride <= 0 ||
        !sameExpr(pa->block, pb->block, blkA, blkB))
      continue;
    if (pa->rest.lo < 0 || pb->rest.lo < 0 ||
        pa->rest.hi + shapeA[d] > pa->stride ||
        pb->rest.hi + shapeB[d] > pb->stride)
      continue;
    pinned.push_back(pa->block);
  }
  // b itself, or both b / K and b % K.
  for (Value x : pinned)
    if (x == blkA)
      return true;
  for (Value x : pinned) {
    auto div = x.getDefiningOp<arith::DivSIOp>();
    APInt k;
    if (!div || div.getLhs() != blkA ||
        !matchPattern(div.getRhs(), m_ConstantInt(&k)))
      continue;
    for (Value y : pinned) {
      auto rem = y.getDefiningOp<arith::RemSIOp>();
      APInt k2;
      if (rem && rem.getLhs() == blkA &&
          matchPattern(rem.getRhs(), m_ConstantInt(&k2)) && k == k2)
        return true;
    }
  }
  return false;
}


bool tessel::isSameBlockFunction(Value a, Value b, Value blkA, Value blkB) {
  return sameExpr(a, b, blkA, blkB);
}

AtOp tessel::getOnlyScope(SpmdOp spmd, bool allowPureOps) {
  AtOp only;
  for (Operation &op : spmd.getBodyBlock().without_terminator()) {
    auto at = dyn_cast<AtOp>(op);
    if (!at) {
      if (!allowPureOps || !isPure(&op))
        return nullptr;
      continue;
    }
    if (only)
      return nullptr;
    only = at;
  }
  if (!only)
    return nullptr;
  for (OpOperand &use : spmd.getBlockIndex().getUses())
    if (!only->isAncestor(use.getOwner()))
      return nullptr;
  return only;
}
