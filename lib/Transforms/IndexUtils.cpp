//===- IndexUtils.cpp - Block-index arithmetic helpers ---------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/IndexUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <numeric>

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// `sum(coef * atom) + constant` over index values.
struct Linear {
  SmallVector<std::pair<Value, int64_t>> terms;
  int64_t constant = 0;

  void add(Value atom, int64_t coef) {
    for (auto &term : terms)
      if (term.first == atom) {
        term.second += coef;
        return;
      }
    terms.push_back({atom, coef});
  }
};

} // namespace

static std::optional<int64_t> getConstant(Value v) {
  APInt c;
  if (matchPattern(v, m_ConstantInt(&c)))
    return c.getSExtValue();
  return std::nullopt;
}

/// Adds `scale * v` to `out`, looking through additions, subtractions and
/// multiplications by constants.
static void linearize(Value v, int64_t scale, Linear &out, int depth = 0) {
  if (std::optional<int64_t> c = getConstant(v)) {
    out.constant += scale * *c;
    return;
  }
  if (depth < 16) {
    if (auto add = v.getDefiningOp<arith::AddIOp>()) {
      linearize(add.getLhs(), scale, out, depth + 1);
      linearize(add.getRhs(), scale, out, depth + 1);
      return;
    }
    if (auto sub = v.getDefiningOp<arith::SubIOp>()) {
      linearize(sub.getLhs(), scale, out, depth + 1);
      linearize(sub.getRhs(), -scale, out, depth + 1);
      return;
    }
    if (auto mul = v.getDefiningOp<arith::MulIOp>()) {
      if (std::optional<int64_t> c = getConstant(mul.getRhs())) {
        linearize(mul.getLhs(), scale * *c, out, depth + 1);
        return;
      }
      if (std::optional<int64_t> c = getConstant(mul.getLhs())) {
        linearize(mul.getRhs(), scale * *c, out, depth + 1);
        return;
      }
    }
  }
  out.add(v, scale);
}

static std::optional<IndexRange> getRange(const Linear &l);

/// The range of a value that `linearize` leaves as an atom.
static std::optional<IndexRange> getAtomRange(Value v, int depth) {
  if (depth > 16)
    return std::nullopt;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (auto spmd = dyn_cast_or_null<SpmdOp>(owner)) {
      if (arg == spmd.getBlockIndex())
        return IndexRange{0, static_cast<int64_t>(spmd.getBlocks()) - 1};
      return std::nullopt;
    }
    auto loop = dyn_cast_or_null<LoopLikeOpInterface>(owner);
    if (!loop || loop.getSingleInductionVar() != arg)
      return std::nullopt;
    std::optional<OpFoldResult> lb = loop.getSingleLowerBound(),
                                ub = loop.getSingleUpperBound(),
                                step = loop.getSingleStep();
    if (!lb || !ub || !step)
      return std::nullopt;
    std::optional<int64_t> l = getConstantIntValue(*lb),
                           u = getConstantIntValue(*ub),
                           s = getConstantIntValue(*step);
    if (!l || !u || !s || *s <= 0 || *u <= *l)
      return std::nullopt;
    return IndexRange{*l, *l + (*u - *l - 1) / *s * *s};
  }
  Operation *def = v.getDefiningOp();
  if (!def || def->getNumOperands() != 2 || !v.getType().isIndex())
    return std::nullopt;
  std::optional<int64_t> d = getConstant(def->getOperand(1));
  if (!d || *d <= 0)
    return std::nullopt;
  bool isDiv = isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(def);
  bool isRem = isa<arith::RemSIOp, arith::RemUIOp>(def);
  if (!isDiv && !isRem)
    return std::nullopt;
  Linear x;
  linearize(def->getOperand(0), 1, x);
  std::optional<IndexRange> r = getRange(x);
  if (!r || r->lo < 0)
    return std::nullopt;
  if (isDiv)
    return IndexRange{r->lo / *d, r->hi / *d};
  if (r->hi < *d)
    return r;
  return IndexRange{0, *d - 1};
}

static std::optional<IndexRange> getRange(const Linear &l, int depth) {
  IndexRange r{l.constant, l.constant};
  for (auto [atom, coef] : l.terms) {
    if (coef == 0)
      continue;
    std::optional<IndexRange> a = getAtomRange(atom, depth + 1);
    if (!a)
      return std::nullopt;
    int64_t x = a->lo * coef, y = a->hi * coef;
    r.lo += std::min(x, y);
    r.hi += std::max(x, y);
  }
  return r;
}

static std::optional<IndexRange> getRange(const Linear &l) {
  return getRange(l, 0);
}

LinearIndex tessel::linearizeIndex(Value v) {
  Linear l;
  linearize(v, 1, l);
  LinearIndex out;
  for (auto [atom, coef] : l.terms)
    if (coef != 0)
      out.terms.push_back({atom, coef});
  out.constant = l.constant;
  return out;
}

bool tessel::isSameLinearIndex(Value a, Value b) {
  if (a == b)
    return true;
  LinearIndex la = linearizeIndex(a), lb = linearizeIndex(b);
  if (la.constant != lb.constant || la.terms.size() != lb.terms.size())
    return false;
  for (auto [atom, coef] : la.terms)
    if (llvm::none_of(lb.terms, [&](const std::pair<Value, int64_t> &t) {
          return t.first == atom && t.second == coef;
        }))
      return false;
  return true;
}

static bool isSameExprTree(
    Value a, Value b, function_ref<std::optional<bool>(Value, Value)> leaf,
    int depth) {
  if (depth > 16)
    return false;
  if (std::optional<bool> decided = leaf(a, b))
    return *decided;
  APInt ca, cb;
  if (matchPattern(a, m_ConstantInt(&ca)) &&
      matchPattern(b, m_ConstantInt(&cb)))
    return ca == cb;
  if (a == b)
    return true;
  Operation *da = a.getDefiningOp(), *db = b.getDefiningOp();
  if (!da || !db || da->getName() != db->getName() ||
      da->getNumOperands() != db->getNumOperands() ||
      da->getNumResults() != 1 || db->getNumResults() != 1 ||
      da->getNumRegions() || db->getNumRegions() || !isPure(da) ||
      da->getAttrDictionary() != db->getAttrDictionary())
    return false;
  for (auto [x, y] : llvm::zip(da->getOperands(), db->getOperands()))
    if (!isSameExprTree(x, y, leaf, depth + 1))
      return false;
  return true;
}

bool tessel::isSameExprTree(
    Value a, Value b, function_ref<std::optional<bool>(Value, Value)> leaf) {
  return ::isSameExprTree(a, b, leaf, 0);
}

std::optional<IndexRange> tessel::getLinearRange(const LinearIndex &l) {
  Linear x;
  x.terms.assign(l.terms.begin(), l.terms.end());
  x.constant = l.constant;
  return getRange(x);
}

std::optional<IndexRange> tessel::getIndexRange(Value v) {
  Linear l;
  linearize(v, 1, l);
  return getRange(l);
}

/// Builds `l` as arith ops at `b`'s insertion point.
static Value materialize(OpBuilder &b, Location loc, const Linear &l) {
  Value sum;
  for (auto [atom, coef] : l.terms) {
    if (coef == 0)
      continue;
    Value term = atom;
    if (coef != 1)
      term = arith::MulIOp::create(
          b, loc, atom, arith::ConstantIndexOp::create(b, loc, coef));
    sum = sum ? arith::AddIOp::create(b, loc, sum, term).getResult() : term;
  }
  if (!sum)
    return arith::ConstantIndexOp::create(b, loc, l.constant);
  if (l.constant)
    sum = arith::AddIOp::create(
        b, loc, sum, arith::ConstantIndexOp::create(b, loc, l.constant));
  return sum;
}

/// The simplified `x / d` (div) or `x % d` (rem) for `op`, or null.
static Value simplifyDivRem(Operation *op, bool isDiv, int64_t d) {
  Linear x;
  linearize(op->getOperand(0), 1, x);
  std::optional<IndexRange> whole = getRange(x);
  if (!whole || whole->lo < 0)
    return nullptr;
  OpBuilder b(op);
  Location loc = op->getLoc();
  // x already inside [0, d): x / d = 0, x % d = x.
  if (whole->hi < d)
    return isDiv ? arith::ConstantIndexOp::create(b, loc, 0).getResult()
                 : op->getOperand(0);
  // Candidate units: d itself, then the coefficients dividing d, largest
  // first.
  SmallVector<int64_t> units{d};
  for (auto [atom, coef] : x.terms)
    if (coef > 1 && coef < d && d % coef == 0)
      units.push_back(coef);
  llvm::sort(units, std::greater<int64_t>());
  for (int64_t u : units) {
    Linear q, r;
    for (auto [atom, coef] : x.terms) {
      if (coef % u == 0)
        q.add(atom, coef / u);
      else
        r.add(atom, coef);
    }
    int64_t qc = x.constant >= 0 ? x.constant / u : -((-x.constant + u - 1) / u);
    q.constant = qc;
    r.constant = x.constant - qc * u;
    std::optional<IndexRange> rr = getRange(r), qr = getRange(q);
    if (!rr || !qr || rr->lo < 0 || rr->hi >= u || qr->lo < 0)
      continue;
    // Nothing moves out of the quotient: no simpler than before.
    if (u != d && r.terms.empty())
      continue;
    int64_t m = d / u;
    if (!isDiv && m == 1)
      return materialize(b, loc, r);
    Value qv = materialize(b, loc, q);
    if (isDiv) {
      if (m == 1 || qr->hi < m)
        return m == 1 ? qv : arith::ConstantIndexOp::create(b, loc, 0);
      return arith::DivSIOp::create(b, loc, qv,
                                    arith::ConstantIndexOp::create(b, loc, m));
    }
    Value high = qv;
    if (m != 1 && qr->hi >= m)
      high = arith::RemSIOp::create(b, loc, qv,
                                    arith::ConstantIndexOp::create(b, loc, m));
    Linear sum;
    sum.add(high, u);
    for (auto [atom, coef] : r.terms)
      sum.add(atom, coef);
    sum.constant = r.constant;
    return materialize(b, loc, sum);
  }
  return nullptr;
}

int64_t tessel::simplifyIndices(Operation *root) {
  int64_t rewritten = 0;
  // The block index of a one-block grid is 0.
  root->walk([&](SpmdOp spmd) {
    Value blk = spmd.getBlockIndex();
    if (spmd.getBlocks() != 1 || blk.use_empty())
      return;
    OpBuilder b = OpBuilder::atBlockBegin(&spmd.getBodyBlock());
    blk.replaceAllUsesWith(arith::ConstantIndexOp::create(b, spmd.getLoc(), 0));
    ++rewritten;
  });
  for (int round = 0; round < 8; ++round) {
    SmallVector<Operation *> ops;
    root->walk([&](Operation *op) {
      if (isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp,
              arith::RemSIOp, arith::RemUIOp>(op) &&
          op->getResult(0).getType().isIndex())
        ops.push_back(op);
    });
    int64_t before = rewritten;
    for (Operation *op : ops) {
      std::optional<int64_t> d = getConstant(op->getOperand(1));
      if (!d || *d <= 0)
        continue;
      bool isDiv = isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(op);
      Value repl = simplifyDivRem(op, isDiv, *d);
      if (!repl)
        continue;
      op->getResult(0).replaceAllUsesWith(repl);
      op->erase();
      ++rewritten;
    }
    if (rewritten == before)
      break;
  }
  return rewritten;
}

scf::ForOp tessel::regroupBlocks(SpmdOp spmd, AtOp at, int64_t group,
                                 GroupOrder order) {
  Location loc = at.getLoc();
  Block &body = at.getBodyBlock();
  int64_t blocks = static_cast<int64_t>(spmd.getBlocks());
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value count = arith::ConstantIndexOp::create(b, loc, group);
  auto loop = scf::ForOp::create(b, loc, zero, count, one);
  Block *loopBody = loop.getBody();
  // Move the old body into the loop, before its implicit scf.yield.
  Block::iterator first = std::next(Block::iterator(loop));
  loopBody->getOperations().splice(loopBody->getTerminator()->getIterator(),
                                   body.getOperations(), first,
                                   body.getTerminator()->getIterator());
  b.setInsertionPointToStart(loopBody);
  Value blk = spmd.getBlockIndex();
  Value i = loop.getInductionVar();
  Value old;
  Operation *own = nullptr;
  if (group == blocks) {
    // One task runs every block: the old index is the loop variable.
    old = i;
  } else if (order == GroupOrder::Consecutive) {
    Value scaled = arith::MulIOp::create(b, loc, blk, count);
    own = scaled.getDefiningOp();
    old = arith::AddIOp::create(b, loc, scaled, i);
  } else {
    Value stride = arith::ConstantIndexOp::create(b, loc, blocks / group);
    Value scaled = arith::MulIOp::create(b, loc, i, stride);
    old = arith::AddIOp::create(b, loc, scaled, blk);
    own = old.getDefiningOp();
  }
  blk.replaceUsesWithIf(old, [&](OpOperand &use) {
    return use.getOwner() != own;
  });
  Builder builder(spmd.getContext());
  spmd.setBlocksAttr(builder.getI64IntegerAttr(blocks / group));
  simplifyIndices(at);
  // The rebuilt index is dead when every use simplified away.
  if (own && old.use_empty()) {
    Operation *def = old.getDefiningOp();
    SmallVector<Value> operands(def->getOperands());
    def->erase();
    for (Value v : operands)
      if (Operation *o = v.getDefiningOp())
        if (o->use_empty() && isa<arith::MulIOp, arith::ConstantOp>(o))
          o->erase();
  }
  return loop;
}
