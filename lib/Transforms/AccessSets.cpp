//===- AccessSets.cpp - Exact integer sets of GM accesses ------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// An access becomes variables (the block index, one per enclosing loop, one
// per element coordinate, locals for quotients, remainders and selects) and
// affine constraints, some grouped in disjunctive clauses (an `else` branch,
// `!=`, a truncating division of a value of either sign, a select). A
// question about two accesses puts both sets side by side, adds what relates
// them (same element, distinct blocks; or same block, nearby iterations),
// expands the clauses and asks the Presburger library for an integer point
// of each conjunction: the first one found is the witness.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/AccessSets.h"

#include "tessel/Transforms/LoopUtils.h"

#include "mlir/Analysis/Presburger/IntegerRelation.h"
#include "mlir/Analysis/Presburger/Simplex.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <vector>

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

//===----------------------------------------------------------------------===//
// Affine forms
//===----------------------------------------------------------------------===//

void AffineForm::add(unsigned var, int64_t c) {
  if (coefs.size() <= var)
    coefs.resize(var + 1, 0);
  coefs[var] += c;
}

bool AffineForm::isConstant() const {
  return llvm::all_of(coefs, [](int64_t c) { return c == 0; });
}

AffineForm AffineForm::scaled(int64_t s) const {
  AffineForm out;
  out.constant = constant * s;
  for (int64_t c : coefs)
    out.coefs.push_back(c * s);
  return out;
}

AffineForm AffineForm::plus(const AffineForm &o, int64_t s) const {
  AffineForm out = *this;
  out.constant += s * o.constant;
  for (auto [i, c] : llvm::enumerate(o.coefs))
    if (c)
      out.add(i, s * c);
  return out;
}

static AffineForm constantForm(int64_t c) {
  AffineForm f;
  f.constant = c;
  return f;
}

static AffineForm varForm(unsigned var, int64_t coef = 1) {
  AffineForm f;
  f.add(var, coef);
  return f;
}

static AffineConstraint geZero(AffineForm f) { return {std::move(f), false}; }
static AffineConstraint eqZero(AffineForm f) { return {std::move(f), true}; }

unsigned AccessSet::addVar(VarKind kind, Operation *loop, bool shared) {
  vars.push_back({kind, loop, shared});
  return vars.size() - 1;
}

//===----------------------------------------------------------------------===//
// Building the set of one access
//===----------------------------------------------------------------------===//

static Value validExtent(Operation *op, unsigned d, size_t rank);

namespace {

/// The most disjuncts a condition may expand to before the access counts as
/// too complex to model.
constexpr size_t kMaxDisjuncts = 64;

class SetBuilder {
public:
  explicit SetBuilder(AccessSet &set) : set(set) {}

  void build();

private:
  std::optional<AffineForm> express(Value v, int depth = 0);
  std::optional<Disjunction> condition(Value c, bool negate, int depth = 0);
  std::optional<unsigned> loopVar(Operation *loop, bool shared);
  std::optional<AffineForm> divide(Operation *op, const AffineForm &x,
                                   int64_t d, bool truncating, bool ceil);

  std::nullopt_t fail(const Twine &why, Operation *op) {
    if (set.unanalysable.empty()) {
      set.unanalysable = why.str();
      set.culprit = op;
    }
    return std::nullopt;
  }

  /// Whether the constraints that hold so far and `extra` have a rational
  /// point. A disjunct without one has no integer point under any later
  /// constraint either: dropping it leaves the set as it is.
  bool feasible(const Conjunction &extra) const;

  /// Whether the constraints that hold so far imply every constraint of
  /// `conj` (each one's negation has no rational point).
  bool implied(const Conjunction &conj) const;

  /// Drops the disjuncts of `d` the constraints so far exclude.
  void prune(Disjunction &d) const {
    if (d.size() > 1)
      llvm::erase_if(d, [&](const Conjunction &c) { return !feasible(c); });
  }

  /// Adds a disjunction: its disjuncts the constraints so far exclude are
  /// dropped; one left is plain constraints; one the constraints imply
  /// (and so every point satisfies) makes the clause hold already.
  void require(Disjunction d) {
    prune(d);
    if (d.size() == 1) {
      llvm::append_range(set.constraints, d.front());
      return;
    }
    if (llvm::any_of(d, [&](const Conjunction &c) { return implied(c); }))
      return;
    set.clauses.push_back(std::move(d));
  }

  /// The frontend's Python floor division and remainder of an index by a
  /// positive constant d written with truncating ops when the dividend may
  /// be negative (`select(remsi(x, d) < 0, divsi(x, d) - 1, divsi(x, d))`
  /// and `select(remsi(x, d) < 0, remsi(x, d) + d, remsi(x, d))`): the
  /// floor quotient, or x - d * floor(x / d), with no case split. None for
  /// any other select.
  std::optional<AffineForm> floorIdiom(arith::SelectOp sel, int depth);

  AccessSet &set;
  DenseMap<Value, AffineForm> memo;
  /// The quotient variable of each division (dividend, divisor, rounding):
  /// `divsi` and `remsi` of one dividend share it, and its cases.
  std::map<std::vector<int64_t>, AffineForm> quotients;
  DenseMap<Operation *, unsigned> loopVars;
  bool insideSpmd = false;
};

} // namespace

std::optional<unsigned> SetBuilder::loopVar(Operation *loop, bool shared) {
  auto it = loopVars.find(loop);
  if (it != loopVars.end())
    return it->second;
  Value lbv, ubv, stepv;
  if (auto f = dyn_cast<scf::ForOp>(loop)) {
    lbv = f.getLowerBound();
    ubv = f.getUpperBound();
    stepv = f.getStep();
  } else if (auto p = dyn_cast<PipelineOp>(loop)) {
    lbv = p.getLowerBound();
    ubv = p.getUpperBound();
    stepv = p.getStep();
  } else {
    return fail("it is inside a '" + loop->getName().getStringRef() +
                    "' loop",
                loop);
  }
  unsigned iv = set.addVar(AccessSet::VarKind::Loop, loop, shared);
  loopVars[loop] = iv;
  set.loops.push_back({loop, iv});
  std::optional<AffineForm> lb = express(lbv), ub = express(ubv),
                            step = express(stepv);
  if (!lb || !ub || !step)
    return std::nullopt;
  if (!step->isConstant() || step->constant <= 0)
    return fail("the step of an enclosing loop is not a positive constant",
                loop);
  // lb <= iv <= ub - 1, iv = lb + step * k.
  set.constraints.push_back(geZero(varForm(iv).plus(*lb, -1)));
  set.constraints.push_back(geZero(ub->plus(constantForm(-1)).plus(
      varForm(iv), -1)));
  if (step->constant > 1) {
    unsigned k = set.addVar(AccessSet::VarKind::Local);
    set.constraints.push_back(eqZero(
        varForm(iv).plus(*lb, -1).plus(varForm(k, -step->constant))));
  }
  return iv;
}

/// The quotient of `x` by `d` > 0 (floor, truncating or ceiling) as a new
/// local variable; one per dividend, divisor and rounding.
std::optional<AffineForm> SetBuilder::divide(Operation *op,
                                             const AffineForm &x, int64_t d,
                                             bool truncating, bool ceil) {
  std::vector<int64_t> key(x.coefs.begin(), x.coefs.end());
  while (!key.empty() && key.back() == 0)
    key.pop_back();
  key.push_back(x.constant);
  key.push_back(d);
  key.push_back(truncating ? 2 : ceil ? 1 : 0);
  auto it = quotients.find(key);
  if (it != quotients.end())
    return it->second;
  unsigned q = set.addVar(AccessSet::VarKind::Local);
  AffineForm dq = varForm(q, d);
  // floor: d q <= x <= d q + d - 1.
  Conjunction floorC = {geZero(x.plus(dq, -1)),
                        geZero(dq.plus(constantForm(d - 1)).plus(x, -1))};
  // ceil: x <= d q <= x + d - 1.
  Conjunction ceilC = {geZero(dq.plus(x, -1)),
                       geZero(x.plus(constantForm(d - 1)).plus(dq, -1))};
  if (!truncating) {
    require({ceil ? ceilC : floorC});
  } else {
    // Both roundings keep x - d + 1 <= d q <= x + d - 1: implied by the
    // cases, stated so that a question can use it before it splits them.
    set.constraints.push_back(
        geZero(dq.plus(x, -1).plus(constantForm(d - 1))));
    set.constraints.push_back(
        geZero(x.plus(constantForm(d - 1)).plus(dq, -1)));
    // Truncation is the floor of a non-negative dividend and the ceiling
    // of a negative one.
    floorC.push_back(geZero(x));
    ceilC.push_back(geZero(x.scaled(-1).plus(constantForm(-1))));
    require({floorC, ceilC});
  }
  quotients[key] = varForm(q);
  return varForm(q);
}

bool SetBuilder::feasible(const Conjunction &extra) const {
  using namespace mlir::presburger;
  unsigned n = set.vars.size();
  IntegerPolyhedron poly(PresburgerSpace::getSetSpace(n));
  auto add = [&](const AffineConstraint &c) {
    SmallVector<int64_t> row(n + 1, 0);
    for (auto [i, coef] : llvm::enumerate(c.form.coefs))
      row[i] += coef;
    row[n] = c.form.constant;
    if (c.eq)
      poly.addEquality(row);
    else
      poly.addInequality(row);
  };
  for (const AffineConstraint &c : set.constraints)
    add(c);
  for (const AffineConstraint &c : extra)
    add(c);
  return !poly.isEmptyByGCDTest() && !Simplex(poly).isEmpty();
}

bool SetBuilder::implied(const Conjunction &conj) const {
  // f >= 0 is implied when f <= -1 is infeasible; f == 0 when f <= -1 and
  // f >= 1 both are.
  for (const AffineConstraint &c : conj) {
    if (feasible({geZero(c.form.scaled(-1).plus(constantForm(-1)))}))
      return false;
    if (c.eq && feasible({geZero(c.form.plus(constantForm(-1)))}))
      return false;
  }
  return true;
}

std::optional<AffineForm> SetBuilder::floorIdiom(arith::SelectOp sel,
                                                 int depth) {
  // The condition: remsi(x, d) < 0.
  auto cmp = sel.getCondition().getDefiningOp<arith::CmpIOp>();
  APInt zero, dc;
  if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::slt ||
      !matchPattern(cmp.getRhs(), m_ConstantInt(&zero)) || !zero.isZero())
    return std::nullopt;
  auto rem = cmp.getLhs().getDefiningOp<arith::RemSIOp>();
  if (!rem || !matchPattern(rem.getRhs(), m_ConstantInt(&dc)) ||
      dc.getSExtValue() <= 0)
    return std::nullopt;
  Value x = rem.getLhs();
  int64_t dv = dc.getSExtValue();
  // Whether `v` is `a op c` with c the constant `k` (either order for add).
  auto isOpWith = [](Value v, Value a, int64_t k, bool add) {
    Operation *op = v.getDefiningOp();
    if (!op || !(add ? isa<arith::AddIOp>(op) : isa<arith::SubIOp>(op)))
      return false;
    for (int i = 0; i < (add ? 2 : 1); ++i) {
      APInt c;
      if (op->getOperand(i) == a &&
          matchPattern(op->getOperand(1 - i), m_ConstantInt(&c)) &&
          c.getSExtValue() == k)
        return true;
    }
    return false;
  };
  auto isDivOfX = [&](Value v) {
    auto div = v.getDefiningOp<arith::DivSIOp>();
    APInt c;
    return div && div.getLhs() == x &&
           matchPattern(div.getRhs(), m_ConstantInt(&c)) &&
           c.getSExtValue() == dv;
  };
  Value t = sel.getTrueValue(), f = sel.getFalseValue();
  bool quotient = isDivOfX(f) &&
                  isOpWith(t, f, 1, /*add=*/false);
  bool remainder = f == rem.getResult() &&
                   isOpWith(t, rem.getResult(), dv, /*add=*/true);
  if (!quotient && !remainder)
    return std::nullopt;
  std::optional<AffineForm> xf = express(x, depth + 1);
  if (!xf)
    return std::nullopt;
  std::optional<AffineForm> q = divide(sel, *xf, dv, false, false);
  if (!q)
    return std::nullopt;
  if (quotient)
    return *q;
  return xf->plus(q->scaled(dv), -1);
}

std::optional<AffineForm> SetBuilder::express(Value v, int depth) {
  auto it = memo.find(v);
  if (it != memo.end())
    return it->second;
  if (depth > 64)
    return fail("its index expression is too deep", v.getDefiningOp());
  APInt c;
  if (matchPattern(v, m_ConstantInt(&c)))
    return constantForm(c.getSExtValue());
  std::optional<AffineForm> out;
  if (auto arg = dyn_cast<BlockArgument>(v)) {
    Operation *owner = arg.getOwner()->getParentOp();
    if (auto spmd = dyn_cast_or_null<SpmdOp>(owner)) {
      if (spmd != set.spmd || set.blockVar < 0)
        return fail("it uses the block index of another scope", owner);
      out = varForm(set.blockVar);
    } else if (isa_and_nonnull<scf::ForOp, PipelineOp>(owner) &&
               arg.getArgNumber() == 0) {
      bool shared = !set.spmd || !set.spmd->isAncestor(owner);
      std::optional<unsigned> iv = loopVar(owner, shared);
      if (!iv)
        return std::nullopt;
      out = varForm(*iv);
    } else if (isa_and_nonnull<scf::ForOp, PipelineOp>(owner)) {
      return fail("an index depends on a value carried from one loop "
                  "iteration to the next",
                  owner);
    } else {
      return fail("an index depends on an argument of the kernel", owner);
    }
    memo[v] = *out;
    return out;
  }

  Operation *op = v.getDefiningOp();
  auto binary = [&]() -> std::optional<std::pair<AffineForm, AffineForm>> {
    std::optional<AffineForm> a = express(op->getOperand(0), depth + 1);
    if (!a)
      return std::nullopt;
    std::optional<AffineForm> b = express(op->getOperand(1), depth + 1);
    if (!b)
      return std::nullopt;
    return std::make_pair(*a, *b);
  };
  auto constDivisor = [&](const AffineForm &d) -> std::optional<int64_t> {
    if (!d.isConstant() || d.constant <= 0) {
      fail("it divides by a value that is not a positive constant", op);
      return std::nullopt;
    }
    return d.constant;
  };

  if (isa<arith::AddIOp, arith::SubIOp>(op)) {
    auto ab = binary();
    if (!ab)
      return std::nullopt;
    out = ab->first.plus(ab->second, isa<arith::AddIOp>(op) ? 1 : -1);
  } else if (isa<arith::MulIOp>(op)) {
    auto ab = binary();
    if (!ab)
      return std::nullopt;
    if (ab->second.isConstant())
      out = ab->first.scaled(ab->second.constant);
    else if (ab->first.isConstant())
      out = ab->second.scaled(ab->first.constant);
    else
      return fail("an index is the product of two runtime values", op);
  } else if (isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp,
                 arith::CeilDivSIOp, arith::CeilDivUIOp>(op)) {
    auto ab = binary();
    if (!ab)
      return std::nullopt;
    std::optional<int64_t> d = constDivisor(ab->second);
    if (!d)
      return std::nullopt;
    // Unsigned division is taken on non-negative values (indices are).
    out = divide(op, ab->first, *d, isa<arith::DivSIOp>(op),
                 isa<arith::CeilDivSIOp, arith::CeilDivUIOp>(op));
  } else if (isa<arith::RemSIOp, arith::RemUIOp>(op)) {
    auto ab = binary();
    if (!ab)
      return std::nullopt;
    std::optional<int64_t> d = constDivisor(ab->second);
    if (!d)
      return std::nullopt;
    std::optional<AffineForm> q =
        divide(op, ab->first, *d, isa<arith::RemSIOp>(op), false);
    out = ab->first.plus(q->scaled(*d), -1);
  } else if (isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::ExtSIOp,
                 arith::ExtUIOp>(op)) {
    out = express(op->getOperand(0), depth + 1);
    if (!out)
      return std::nullopt;
  } else if (auto sel = dyn_cast<arith::SelectOp>(op);
             sel && (out = floorIdiom(sel, depth))) {
    // Python's floor division or remainder: one floor quotient.
  } else if (!set.isAnalysable()) {
    return std::nullopt;
  } else if (auto sel = dyn_cast<arith::SelectOp>(op)) {
    std::optional<AffineForm> x = express(sel.getTrueValue(), depth + 1);
    std::optional<AffineForm> y = express(sel.getFalseValue(), depth + 1);
    std::optional<Disjunction> yes = condition(sel.getCondition(), false,
                                               depth + 1);
    std::optional<Disjunction> no = condition(sel.getCondition(), true,
                                              depth + 1);
    if (!x || !y || !yes || !no)
      return std::nullopt;
    unsigned r = set.addVar(AccessSet::VarKind::Local);
    Disjunction d;
    for (Conjunction conj : *yes) {
      conj.push_back(eqZero(varForm(r).plus(*x, -1)));
      d.push_back(std::move(conj));
    }
    for (Conjunction conj : *no) {
      conj.push_back(eqZero(varForm(r).plus(*y, -1)));
      d.push_back(std::move(conj));
    }
    require(std::move(d));
    out = varForm(r);
  } else if (isa<arith::MinSIOp, arith::MaxSIOp, arith::MinUIOp,
                 arith::MaxUIOp>(op)) {
    auto ab = binary();
    if (!ab)
      return std::nullopt;
    bool isMin = isa<arith::MinSIOp, arith::MinUIOp>(op);
    unsigned r = set.addVar(AccessSet::VarKind::Local);
    AffineForm diff = ab->second.plus(ab->first, -1); // b - a
    if (!isMin)
      diff = diff.scaled(-1); // a - b
    // min: r <= a and r <= b (max: r >= both), implied by the cases below
    // and stated so that a question can use it before it splits them.
    AffineForm ra = varForm(r).plus(ab->first, -1);
    AffineForm rb = varForm(r).plus(ab->second, -1);
    set.constraints.push_back(geZero(isMin ? ra.scaled(-1) : ra));
    set.constraints.push_back(geZero(isMin ? rb.scaled(-1) : rb));
    // min: a <= b and r = a, or a > b and r = b (max alike).
    require({{geZero(diff), eqZero(varForm(r).plus(ab->first, -1))},
             {geZero(diff.scaled(-1).plus(constantForm(-1))),
              eqZero(varForm(r).plus(ab->second, -1))}});
    out = varForm(r);
  } else if (isa_and_nonnull<GetOp>(op) &&
             isa<IntegerType>(op->getResult(0).getType())) {
    // A value read from a tile (pl.read): data, any integer. An offset
    // computed from it ranges over whatever its clamp (min / max) or the
    // conditions it is under allow -- conservatively the whole extent the
    // frontend clamps it to.
    out = varForm(set.addVar(AccessSet::VarKind::Local));
  } else if (op && op->getNumResults() == 1 &&
             op->getResult(0).getType().isIntOrIndex() &&
             !op->getParentOfType<AtOp>() &&
             (!set.spmd || !set.spmd->isAncestor(op))) {
    // A value the orchestration computed before the spmd started that is
    // not affine in loop indices: a host-side read (memref.load,
    // frontend/orchestration.py), or what a function-level loop or `if`
    // carried from such reads. Any integer, one value for all blocks
    // (sameElement equates it across the pair).
    unsigned r = set.addVar(AccessSet::VarKind::Local);
    set.sharedReads.push_back({op, r});
    out = varForm(r);
  } else if (op) {
    return fail("an index is computed by '" + op->getName().getStringRef() +
                    "', which is not affine",
                op);
  } else {
    return fail("an index is not computed by an operation", nullptr);
  }
  memo[v] = *out;
  return out;
}

/// The conjunctions of all pairs of one disjunct of `a` and one of `b`.
static Disjunction product(const Disjunction &a, const Disjunction &b) {
  Disjunction out;
  for (const Conjunction &x : a)
    for (const Conjunction &y : b) {
      Conjunction c = x;
      llvm::append_range(c, y);
      out.push_back(std::move(c));
    }
  return out;
}

std::optional<Disjunction> SetBuilder::condition(Value c, bool negate,
                                                 int depth) {
  if (depth > 64)
    return fail("a condition is too deep", c.getDefiningOp());
  APInt k;
  if (matchPattern(c, m_ConstantInt(&k))) {
    if (k.isZero() != negate)
      return Disjunction{};
    return Disjunction{Conjunction{}};
  }
  Operation *op = c.getDefiningOp();
  if (auto cmp = dyn_cast_or_null<arith::CmpIOp>(op)) {
    std::optional<AffineForm> l = express(cmp.getLhs(), depth + 1);
    if (!l)
      return std::nullopt;
    std::optional<AffineForm> r = express(cmp.getRhs(), depth + 1);
    if (!r)
      return std::nullopt;
    AffineForm d = r->plus(*l, -1); // r - l
    AffineForm one = constantForm(-1);
    using P = arith::CmpIPredicate;
    P pred = cmp.getPredicate();
    if (negate)
      pred = arith::invertPredicate(pred);
    switch (pred) {
    case P::slt:
    case P::ult:
      return Disjunction{{geZero(d.plus(one))}};
    case P::sle:
    case P::ule:
      return Disjunction{{geZero(d)}};
    case P::sgt:
    case P::ugt:
      return Disjunction{{geZero(d.scaled(-1).plus(one))}};
    case P::sge:
    case P::uge:
      return Disjunction{{geZero(d.scaled(-1))}};
    case P::eq:
      return Disjunction{{eqZero(d)}};
    case P::ne:
      return Disjunction{{geZero(d.plus(one))},
                         {geZero(d.scaled(-1).plus(one))}};
    }
  }
  if (isa_and_nonnull<arith::AndIOp, arith::OrIOp>(op)) {
    std::optional<Disjunction> a = condition(op->getOperand(0), negate,
                                             depth + 1);
    if (!a)
      return std::nullopt;
    std::optional<Disjunction> b = condition(op->getOperand(1), negate,
                                             depth + 1);
    if (!b)
      return std::nullopt;
    // and, or not-or: both hold; or, not-and: either does.
    Disjunction out;
    if (isa<arith::AndIOp>(op) != negate) {
      out = product(*a, *b);
    } else {
      out = *a;
      llvm::append_range(out, *b);
    }
    // Cases the constraints so far exclude (a product's contradictory
    // pairs, mostly) do not count.
    prune(out);
    if (out.size() > kMaxDisjuncts)
      return fail("a condition has too many cases", op);
    return out;
  }
  if (auto x = dyn_cast_or_null<arith::XOrIOp>(op)) {
    for (int i = 0; i < 2; ++i)
      if (matchPattern(x->getOperand(i), m_ConstantInt(&k)))
        return condition(x->getOperand(1 - i), negate != !k.isZero(),
                         depth + 1);
  }
  return fail("a condition is not a comparison of affine indices",
              op ? op : c.getParentBlock()->getParentOp());
}

void SetBuilder::build() {
  const ScopeAccess &a = set.access;
  // Reshaping views (memref.collapse_shape / expand_shape of identity
  // layouts, what pl.reshape of a GM tensor makes) keep every element's
  // row-major offset; other views are not modelled.
  Value root = a.memref;
  while (Operation *view = root.getDefiningOp()) {
    StringRef name = view->getName().getStringRef();
    auto from = dyn_cast_or_null<MemRefType>(view->getNumOperands()
                                         ? view->getOperand(0).getType()
                                         : Type());
    auto to = cast<MemRefType>(root.getType());
    if ((name != "memref.collapse_shape" && name != "memref.expand_shape") ||
        !from || !from.getLayout().isIdentity() ||
        !to.getLayout().isIdentity()) {
      if (getRootTensor(root) != root)
        fail("it accesses a view of a tensor other than a reshape", view);
      break;
    }
    root = view->getOperand(0);
  }
  if (!set.isAnalysable())
    return;
  set.rootShape = llvm::to_vector(cast<MemRefType>(root.getType()).getShape());
  // Enclosing ops, outermost first.
  SmallVector<std::pair<Operation *, Region *>> context;
  Region *region = a.op->getParentRegion();
  for (Operation *p = a.op->getParentOp(); p && !isa<func::FuncOp>(p) &&
                                           !isa<ModuleOp>(p);
       region = p->getParentRegion(), p = p->getParentOp())
    context.push_back({p, region});
  std::reverse(context.begin(), context.end());
  for (auto [p, r] : context) {
    if (auto spmd = dyn_cast<SpmdOp>(p)) {
      set.spmd = spmd;
      set.blockVar = set.addVar(AccessSet::VarKind::Block);
      set.constraints.push_back(geZero(varForm(set.blockVar)));
      set.constraints.push_back(geZero(
          constantForm(static_cast<int64_t>(spmd.getBlocks()) - 1)
              .plus(varForm(set.blockVar), -1)));
      insideSpmd = true;
    } else if (isa<scf::ForOp, PipelineOp>(p)) {
      if (!loopVar(p, !insideSpmd))
        return;
    } else if (auto ifOp = dyn_cast<scf::IfOp>(p)) {
      std::optional<Disjunction> d =
          condition(ifOp.getCondition(), r == &ifOp.getElseRegion());
      if (!d) {
        // A condition on values the analysis cannot model (a product of
        // run-time values): the access is taken to happen whatever it
        // says (the constraints the attempt added bind only fresh
        // variables, which exist for any value of the others). Its
        // elements are then a superset of the real ones, which the race
        // check may use; the bounds check does not (conditionDropped).
        set.unanalysable.clear();
        set.culprit = nullptr;
        set.conditionDropped = true;
        continue;
      }
      prune(*d);
      if (d->size() > kMaxDisjuncts) {
        fail("a condition has too many cases", ifOp);
        return;
      }
      require(std::move(*d));
    } else if (!isa<AtOp>(p)) {
      fail("it is inside a '" + p->getName().getStringRef() + "'", p);
      return;
    }
  }

  auto memref = cast<MemRefType>(a.memref.getType());
  set.shape = llvm::to_vector(memref.getShape());
  if (auto load = dyn_cast<LoadOp>(a.op))
    set.sizes = load.getSliceSizes();
  else
    set.sizes = cast<StoreOp>(a.op).getSliceSizes();
  if (set.sizes.size() != a.indices.size() ||
      set.shape.size() != a.indices.size()) {
    fail("its slice does not match its tensor's rank", a.op);
    return;
  }
  for (auto [d, index] : llvm::enumerate(a.indices)) {
    std::optional<AffineForm> off = express(index);
    if (!off)
      return;
    unsigned e = set.addVar(AccessSet::VarKind::Element);
    set.elementVars.push_back(e);
    set.offsets.push_back(*off);
    // off <= e <= off + size - 1.
    set.constraints.push_back(geZero(varForm(e).plus(*off, -1)));
    set.constraints.push_back(geZero(
        off->plus(constantForm(set.sizes[d] - 1)).plus(varForm(e), -1)));
    // A runtime valid extent v of a partial tile: e <= off + v - 1 too (the
    // static ones are in set.sizes already). An extent that is not affine
    // leaves the tile's whole window, which over-approximates the access.
    if (Value v = validExtent(a.op, d, a.indices.size())) {
      std::string saved = set.unanalysable;
      Operation *culprit = set.culprit;
      if (std::optional<AffineForm> ext = express(v)) {
        set.constraints.push_back(geZero(
            off->plus(*ext).plus(constantForm(-1)).plus(varForm(e), -1)));
        set.runtimeValid.resize(a.indices.size(), false);
        set.runtimeValid[d] = true;
      } else {
        set.unanalysable = saved;
        set.culprit = culprit;
      }
    }
  }
  int64_t stride = 1;
  for (int d = static_cast<int>(set.elementVars.size()) - 1; d >= 0; --d) {
    set.linear.add(set.elementVars[d], stride);
    stride *= set.shape[d];
  }
}

/// The runtime valid extent a partial tile's access `op` has in memref
/// dimension `d` of `rank`, or null (none, or a static one).
static Value validExtent(Operation *op, unsigned d, size_t rank) {
  OpFoldResult ext;
  int tileDim = rank == 1 ? 1 : static_cast<int>(d) - static_cast<int>(rank) + 2;
  if (tileDim < 0)
    return Value();
  if (auto load = dyn_cast<LoadOp>(op)) {
    if (!load.hasValidShape())
      return Value();
    ext = load.getValidSize(tileDim);
  } else if (auto store = dyn_cast<StoreOp>(op)) {
    if (!store.hasValidShape())
      return Value();
    ext = store.getValidSize(tileDim);
  }
  return dyn_cast_if_present<Value>(ext);
}

AccessSet tessel::buildAccessSet(const ScopeAccess &access) {
  AccessSet set;
  set.access = access;
  SetBuilder(set).build();
  return set;
}

//===----------------------------------------------------------------------===//
// Questions
//===----------------------------------------------------------------------===//

namespace {

/// A conjunction with variables eliminated exactly over the integers, for
/// deciding emptiness and finding a point faster than integer sampling of
/// the whole system (the sampler's cost grows quickly with the number of
/// variables, and a question has dozens: elements, locals of divisions and
/// clamps, free data-dependent values). Eliminated, in order:
/// - a variable with a coefficient of +-1 in an equality: substituted;
/// - a variable bounded on one side only (no equality): its constraints
///   dropped (a value far enough out satisfies them);
/// - a variable whose lower bounds (or whose upper bounds) all have a
///   coefficient of 1: Fourier-Motzkin, exact over the integers then (an
///   integer lies between the bounds whenever they are ordered), if it does
///   not multiply the constraints.
/// `backSubstitute` rebuilds a point of the original conjunction from one of
/// the reduced.
struct ReducedSystem {
  bool empty = false;
  Conjunction constraints;
  /// Per eliminated variable, in order: its defining expression (a
  /// substitution), or the constraints that bounded it.
  struct Elimination {
    unsigned var;
    bool substituted;
    AffineForm expr;
    Conjunction bounds;
  };
  llvm::SmallVector<Elimination> log;
  llvm::SmallVector<bool> eliminated;
};

static bool mulAdd(int64_t &acc, int64_t a, int64_t b) {
  int64_t p;
  return !__builtin_mul_overflow(a, b, &p) &&
         !__builtin_add_overflow(acc, p, &acc);
}

/// `x + k * y`, or none on overflow.
static std::optional<AffineForm> combine(const AffineForm &x, int64_t k,
                                         const AffineForm &y) {
  AffineForm out = x;
  if (!mulAdd(out.constant, k, y.constant))
    return std::nullopt;
  if (out.coefs.size() < y.coefs.size())
    out.coefs.resize(y.coefs.size(), 0);
  for (auto [i, c] : llvm::enumerate(y.coefs))
    if (c && !mulAdd(out.coefs[i], k, c))
      return std::nullopt;
  return out;
}

/// Divides a constraint by the GCD of its coefficients (an inequality's
/// constant rounded down: exact over the integers); false when it has no
/// integer point (a constant one that fails, an equality the GCD does not
/// divide).
static bool normalize(AffineConstraint &c) {
  int64_t g = 0;
  for (int64_t x : c.form.coefs)
    g = std::gcd(g, x < 0 ? -x : x);
  if (g == 0)
    return c.eq ? c.form.constant == 0 : c.form.constant >= 0;
  if (g == 1)
    return true;
  if (c.eq && c.form.constant % g != 0)
    return false;
  for (int64_t &x : c.form.coefs)
    x /= g;
  int64_t k = c.form.constant;
  c.form.constant = k >= 0 ? k / g : -((-k + g - 1) / g);
  return true;
}

/// Drops duplicate constraints and inequalities another one with the same
/// coefficients implies; turns `f + c >= 0` and `-f - c >= 0` into
/// `f + c == 0`. False when two of them contradict each other.
static bool dedupe(Conjunction &cs) {
  auto keyOf = [](const AffineForm &f) {
    std::vector<int64_t> k(f.coefs.begin(), f.coefs.end());
    while (!k.empty() && k.back() == 0)
      k.pop_back();
    return k;
  };
  std::map<std::vector<int64_t>, size_t> ineq;
  std::set<std::pair<std::vector<int64_t>, int64_t>> eqs;
  Conjunction out;
  for (AffineConstraint &c : cs) {
    std::vector<int64_t> k = keyOf(c.form);
    if (c.eq) {
      if (eqs.insert({k, c.form.constant}).second)
        out.push_back(std::move(c));
      continue;
    }
    auto [it, fresh] = ineq.try_emplace(k, out.size());
    if (fresh) {
      out.push_back(std::move(c));
    } else if (c.form.constant < out[it->second].form.constant) {
      out[it->second].form.constant = c.form.constant;
    }
  }
  // Opposite inequalities: f + c1 >= 0 and -f + c2 >= 0 need -c1 <= f <= c2.
  for (auto &[k, i] : ineq) {
    std::vector<int64_t> neg = k;
    for (int64_t &x : neg)
      x = -x;
    auto it = ineq.find(neg);
    if (it == ineq.end() || it->second < i)
      continue;
    int64_t c1 = out[i].form.constant, c2 = out[it->second].form.constant;
    if (c1 + c2 < 0)
      return false;
    if (c1 + c2 == 0)
      out[i].eq = true;
  }
  cs = std::move(out);
  return true;
}

static ReducedSystem reduceSystem(const Conjunction &input,
                                  unsigned numVars) {
  ReducedSystem r;
  r.eliminated.assign(numVars, false);
  Conjunction cs;
  for (AffineConstraint c : input) {
    if (!normalize(c)) {
      r.empty = true;
      return r;
    }
    if (!c.form.isConstant())
      cs.push_back(std::move(c));
  }
  // Until nothing changes: duplicates, then one substitution, else one
  // inequality elimination. An elimination that would overflow is skipped.
  bool changed = true;
  while (changed && !r.empty) {
    changed = false;
    if (!dedupe(cs)) {
      r.empty = true;
      return r;
    }
    // Substitution through a unit equality.
    for (size_t i = 0; i < cs.size() && !changed; ++i) {
      if (!cs[i].eq)
        continue;
      for (unsigned v = 0; v < numVars && !changed; ++v) {
        int64_t k = cs[i].form.coef(v);
        if (k != 1 && k != -1)
          continue;
        // v = -k * (rest).
        AffineForm rest = cs[i].form;
        rest.coefs[v] = 0;
        AffineForm expr = rest.scaled(-k);
        Conjunction next;
        bool ok = true;
        for (size_t j = 0; j < cs.size() && ok; ++j) {
          if (j == i)
            continue;
          AffineConstraint c = cs[j];
          int64_t cv = c.form.coef(v);
          if (cv) {
            std::optional<AffineForm> f = combine(c.form, cv, expr);
            if (!f) {
              ok = false;
              break;
            }
            c.form = *f;
            c.form.coefs[v] = 0;
            if (!normalize(c)) {
              r.empty = true;
              return r;
            }
            if (c.form.isConstant())
              continue;
          }
          next.push_back(std::move(c));
        }
        if (!ok)
          continue;
        r.log.push_back({v, true, expr, {}});
        r.eliminated[v] = true;
        cs = std::move(next);
        changed = true;
      }
    }
    if (changed)
      continue;
    // One-sided and exact Fourier-Motzkin elimination of inequalities.
    for (unsigned v = 0; v < numVars && !changed; ++v) {
      if (r.eliminated[v])
        continue;
      Conjunction lower, upper, rest;
      bool inEquality = false;
      for (const AffineConstraint &c : cs) {
        int64_t cv = c.form.coef(v);
        if (!cv)
          rest.push_back(c);
        else if (c.eq)
          inEquality = true;
        else
          (cv > 0 ? lower : upper).push_back(c);
      }
      if (inEquality || (lower.empty() && upper.empty()))
        continue;
      Conjunction bounds = lower;
      llvm::append_range(bounds, upper);
      if (!lower.empty() && !upper.empty()) {
        bool unitLower = llvm::all_of(lower, [&](const AffineConstraint &c) {
          return c.form.coef(v) == 1;
        });
        bool unitUpper = llvm::all_of(upper, [&](const AffineConstraint &c) {
          return c.form.coef(v) == -1;
        });
        if ((!unitLower && !unitUpper) ||
            lower.size() * upper.size() > lower.size() + upper.size() + 2)
          continue;
        // a v + L >= 0 and -b v + U >= 0 (a, b > 0): b L + a U >= 0.
        bool ok = true;
        Conjunction combined;
        for (const AffineConstraint &l : lower) {
          for (const AffineConstraint &u : upper) {
            int64_t a = l.form.coef(v), b = -u.form.coef(v);
            std::optional<AffineForm> f = combine(l.form.scaled(0), b,
                                                  l.form);
            if (f)
              f = combine(*f, a, u.form);
            if (!f) {
              ok = false;
              break;
            }
            AffineConstraint c{*f, false};
            c.form.coefs[v] = 0;
            if (!normalize(c)) {
              r.empty = true;
              return r;
            }
            if (!c.form.isConstant())
              combined.push_back(std::move(c));
          }
          if (!ok)
            break;
        }
        if (!ok)
          continue;
        llvm::append_range(rest, combined);
      }
      r.log.push_back({v, false, {}, std::move(bounds)});
      r.eliminated[v] = true;
      cs = std::move(rest);
      changed = true;
    }
  }
  if (!dedupe(cs))
    r.empty = true;
  r.constraints = std::move(cs);
  return r;
}

/// A point of the original conjunction from `point`, a point of the reduced
/// one (its eliminated variables are ignored and filled in here, last
/// eliminated first).
static void backSubstitute(const ReducedSystem &r,
                           SmallVectorImpl<DynamicAPInt> &point) {
  auto value = [&](const AffineForm &f, unsigned skip) {
    DynamicAPInt v(f.constant);
    for (auto [i, c] : llvm::enumerate(f.coefs))
      if (c && i != skip)
        v += DynamicAPInt(c) * point[i];
    return v;
  };
  for (const ReducedSystem::Elimination &e : llvm::reverse(r.log)) {
    if (e.substituted) {
      point[e.var] = value(e.expr, e.var);
      continue;
    }
    // The greatest lower bound, else the least upper bound: an integer
    // between them exists (the elimination was exact).
    std::optional<DynamicAPInt> lo, hi;
    for (const AffineConstraint &c : e.bounds) {
      DynamicAPInt k(c.form.coef(e.var)), rest = value(c.form, e.var);
      if (k > 0) { // k v + rest >= 0: v >= ceil(-rest / k)
        DynamicAPInt b = ceilDiv(-rest, k);
        if (!lo || b > *lo)
          lo = b;
      } else { // v <= floor(rest / -k)
        DynamicAPInt b = floorDiv(rest, -k);
        if (!hi || b < *hi)
          hi = b;
      }
    }
    point[e.var] = lo ? *lo : hi ? *hi : DynamicAPInt(0);
  }
}

} // namespace

namespace {

/// Two access sets side by side (b's variables after a's) plus constraints
/// relating them; finds an integer point of the union.
class PairSystem {
public:
  PairSystem(const AccessSet &a, const AccessSet *b)
      : a(a), b(b), offsetB(a.vars.size()),
        numVars(a.vars.size() + (b ? b->vars.size() : 0)) {}

  unsigned varA(unsigned v) const { return v; }
  unsigned varB(unsigned v) const { return offsetB + v; }
  AffineForm formB(const AffineForm &f) const {
    AffineForm out;
    out.constant = f.constant;
    for (auto [i, c] : llvm::enumerate(f.coefs))
      if (c)
        out.add(offsetB + i, c);
    return out;
  }

  Conjunction extra;
  SmallVector<Disjunction> extraClauses;

  /// An integer point, or none; `tooComplex` when splitting the clauses'
  /// cases takes more than `maxCases` systems (then none says nothing).
  std::optional<SmallVector<int64_t>> solve(bool &tooComplex, size_t maxCases,
                                            size_t *systems) const;

private:
  /// Lowers `sample`, a point of `poly`, to the lexicographically least
  /// point in the block, loop and element variables of a, then of b (in
  /// that order; locals are free): each in turn is minimised by an
  /// exponential then a binary search of integer samples, and fixed. The
  /// witness is then the simplest one (lowest block, then its loops and
  /// element). Cheaper than a full lexmin, which the Presburger library
  /// computes with a slow big-number simplex on large coordinates.
  void minimize(mlir::presburger::IntegerPolyhedron &poly,
                SmallVector<DynamicAPInt, 8> &sample) const;

public:

private:
  const AccessSet &a;
  const AccessSet *b;
  unsigned offsetB, numVars;
};

} // namespace

void PairSystem::minimize(mlir::presburger::IntegerPolyhedron &poly,
                          SmallVector<DynamicAPInt, 8> &sample) const {
  using namespace mlir::presburger;
  SmallVector<unsigned> order;
  for (int side = 0; side < 2; ++side) {
    const AccessSet *s = side == 0 ? &a : b;
    if (!s)
      continue;
    for (auto [i, v] : llvm::enumerate(s->vars))
      if (v.kind != AccessSet::VarKind::Local)
        order.push_back(side == 0 ? i : offsetB + i);
  }
  // Whether some point has `var` <= bound; updates the sample if so.
  auto below = [&](unsigned var, const DynamicAPInt &bound) {
    IntegerPolyhedron trial = poly;
    SmallVector<int64_t> row(numVars + 1, 0);
    row[var] = -1;
    trial.addInequality(row);
    // The row's constant is set as an APInt: bound - var >= 0.
    trial.atIneq(trial.getNumInequalities() - 1, numVars) = bound;
    std::optional<SmallVector<DynamicAPInt, 8>> s = trial.findIntegerSample();
    if (s)
      sample = *s;
    return s.has_value();
  };
  for (unsigned var : order) {
    DynamicAPInt best = sample[var];
    // Exponential search down from the sample, then binary search.
    DynamicAPInt step(1), floor;
    bool bounded = false;
    for (int i = 0; i < 62; ++i) {
      DynamicAPInt candidate = best - step;
      if (!below(var, candidate)) {
        floor = candidate; // no point at or below
        bounded = true;
        break;
      }
      best = sample[var];
      step *= 2;
    }
    if (!bounded)
      return; // unbounded below (cannot happen for a bounded witness)
    DynamicAPInt lo = floor + 1, hi = best;
    while (lo < hi) {
      DynamicAPInt mid = floorDiv(lo + hi, DynamicAPInt(2));
      if (below(var, mid))
        hi = sample[var];
      else
        lo = mid + 1;
    }
    // Fix the variable at its least value for the following ones.
    if (sample[var] != hi)
      below(var, hi);
    SmallVector<int64_t> row(numVars + 1, 0);
    row[var] = 1;
    poly.addEquality(row);
    poly.atEq(poly.getNumEqualities() - 1, numVars) = -hi;
  }
}

std::optional<SmallVector<int64_t>>
PairSystem::solve(bool &tooComplex, size_t maxCases,
                  size_t *systems) const {
  using namespace mlir::presburger;
  SmallVector<const Disjunction *> clauses;
  Conjunction base = a.constraints;
  for (const Disjunction &d : a.clauses)
    clauses.push_back(&d);
  SmallVector<Disjunction> shiftedB;
  if (b) {
    for (const AffineConstraint &c : b->constraints)
      base.push_back({formB(c.form), c.eq});
    for (const Disjunction &d : b->clauses) {
      Disjunction s;
      for (const Conjunction &conj : d) {
        Conjunction sc;
        for (const AffineConstraint &c : conj)
          sc.push_back({formB(c.form), c.eq});
        s.push_back(std::move(sc));
      }
      shiftedB.push_back(std::move(s));
    }
  }
  for (const Disjunction &d : shiftedB)
    clauses.push_back(&d);
  for (const Disjunction &d : extraClauses)
    clauses.push_back(&d);
  llvm::append_range(base, extra);

  for (const Disjunction *d : clauses)
    if (d->empty())
      return std::nullopt;

  auto addRow = [&](IntegerPolyhedron &poly, const AffineConstraint &c) {
    SmallVector<int64_t> row(numVars + 1, 0);
    for (auto [i, coef] : llvm::enumerate(c.form.coefs))
      row[i] += coef;
    row[numVars] = c.form.constant;
    if (c.eq)
      poly.addEquality(row);
    else
      poly.addInequality(row);
  };
  // Whether a point (rational or integer) satisfies every constraint of
  // `conj`.
  auto holds = [](const Conjunction &conj, ArrayRef<Fraction> x) {
    for (const AffineConstraint &c : conj) {
      Fraction v(c.form.constant);
      for (auto [i, coef] : llvm::enumerate(c.form.coefs))
        if (coef)
          v += Fraction(coef) * x[i];
      if (c.eq ? v.num != 0 : v.num < 0)
        return false;
    }
    return true;
  };
  // Cases are split lazily (the clauses multiply: two accesses with a few
  // min / max clamps and divisions each have thousands of conjunctions,
  // most of them irrelevant to the question). A system holds the base
  // constraints and one disjunct of each clause split so far. No integer
  // point: no point of any of its cases either. A point that satisfies
  // every clause: a point of the exact set. Else the first clause the
  // point violates is split, one child system per disjunct; the clauses
  // split on a path are distinct, so the search ends, and its cost is at
  // most `maxCases` systems.
  SmallVector<int> choice(clauses.size(), -1);
  size_t budget = maxCases;
  std::optional<SmallVector<DynamicAPInt, 8>> found;
  std::function<bool(const Conjunction &)> search =
      [&](const Conjunction &conj) -> bool {
    if (budget == 0) {
      tooComplex = true;
      return false;
    }
    --budget;
    // The first clause not split yet that the point violates, or -1.
    auto violated = [&](ArrayRef<Fraction> point) {
      for (auto [i, d] : llvm::enumerate(clauses))
        if (choice[i] < 0 && llvm::none_of(*d, [&](const Conjunction &c) {
              return holds(c, point);
            }))
          return static_cast<int>(i);
      return -1;
    };
    IntegerPolyhedron poly(PresburgerSpace::getSetSpace(numVars));
    for (const AffineConstraint &c : conj)
      addRow(poly, c);
    // The rational simplex settles most systems of a race-free kernel, and
    // its point picks the clause to split while one is violated: integer
    // sampling only when the rational point satisfies every clause.
    Simplex simplex(poly);
    if (simplex.isEmpty())
      return false;
    std::optional<SmallVector<Fraction, 8>> rational =
        simplex.getRationalSample();
    int split = rational ? violated(*rational) : -1;
    if (split < 0) {
      // An integer point, on the system with variables eliminated exactly
      // (reduceSystem) and its few remaining ones renumbered densely.
      ReducedSystem red = reduceSystem(conj, numVars);
      if (red.empty)
        return false;
      SmallVector<unsigned> kept;
      SmallVector<int> column(numVars, -1);
      for (unsigned v = 0; v < numVars; ++v)
        if (!red.eliminated[v]) {
          column[v] = kept.size();
          kept.push_back(v);
        }
      IntegerPolyhedron small(PresburgerSpace::getSetSpace(kept.size()));
      for (const AffineConstraint &c : red.constraints) {
        SmallVector<int64_t> row(kept.size() + 1, 0);
        for (auto [i, coef] : llvm::enumerate(c.form.coefs))
          if (coef)
            row[column[i]] += coef;
        row[kept.size()] = c.form.constant;
        if (c.eq)
          small.addEquality(row);
        else
          small.addInequality(row);
      }
      std::optional<SmallVector<DynamicAPInt, 8>> sample;
      if (!small.isEmptyByGCDTest() && !Simplex(small).isEmpty())
        if (std::optional<SmallVector<DynamicAPInt, 8>> s =
                small.findIntegerSample()) {
          sample.emplace(numVars, DynamicAPInt(0));
          for (auto [i, v] : llvm::enumerate(kept))
            (*sample)[v] = (*s)[i];
          backSubstitute(red, *sample);
        }
      if (!sample)
        return false;
      SmallVector<Fraction, 8> point;
      for (const DynamicAPInt &x : *sample)
        point.push_back(Fraction(x));
      // The rebuilt point satisfies the system by construction; should it
      // not, the library samples the whole system instead.
      if (!holds(conj, point)) {
        sample = poly.findIntegerSample();
        if (!sample)
          return false;
        point.clear();
        for (const DynamicAPInt &x : *sample)
          point.push_back(Fraction(x));
      }
      split = violated(point);
      if (split < 0) {
        // Each clause not split: a disjunct the point satisfies.
        for (auto [i, d] : llvm::enumerate(clauses))
          if (choice[i] < 0)
            for (auto [j, c] : llvm::enumerate(*d))
              if (holds(c, point)) {
                choice[i] = static_cast<int>(j);
                break;
              }
        found = std::move(sample);
        return true;
      }
    }
    for (auto [j, c] : llvm::enumerate(*clauses[split])) {
      Conjunction child = conj;
      llvm::append_range(child, c);
      choice[split] = static_cast<int>(j);
      if (search(child))
        return true;
      if (tooComplex)
        return false;
    }
    choice[split] = -1;
    return false;
  };

  bool nonEmpty = search(base);
  if (systems)
    *systems += maxCases - budget;
  if (!nonEmpty)
    return std::nullopt;
  // The witness: the least point of the conjunction the point is in.
  IntegerPolyhedron poly(PresburgerSpace::getSetSpace(numVars));
  for (const AffineConstraint &c : base)
    addRow(poly, c);
  for (auto [i, d] : llvm::enumerate(clauses))
    for (const AffineConstraint &c : (*d)[choice[i]])
      addRow(poly, c);
  minimize(poly, *found);
  SmallVector<int64_t> out;
  for (const DynamicAPInt &x : *found)
    out.push_back(static_cast<int64_t>(x));
  return out;
}

static void fillLoops(
    const AccessSet &s, ArrayRef<int64_t> point, unsigned offset,
    SmallVectorImpl<std::pair<Operation *, int64_t>> &out) {
  for (auto [loop, var] : s.loops)
    out.push_back({loop, point[offset + var]});
}

/// Keeps the elements of both accesses inside the tensor (an access that
/// leaves it is reported on its own) and makes them one element.
static void sameElement(PairSystem &sys, const AccessSet &a,
                        const AccessSet &b) {
  // Per dimension when both see the tensor with one shape (the usual case,
  // and much easier for the simplex), else by row-major offset.
  if (a.shape == b.shape) {
    for (auto [ea, eb] : llvm::zip(a.elementVars, b.elementVars))
      sys.extra.push_back(
          eqZero(varForm(ea).plus(varForm(sys.varB(eb)), -1)));
  } else {
    sys.extra.push_back(eqZero(a.linear.plus(sys.formB(b.linear), -1)));
  }
  for (int side = 0; side < 2; ++side) {
    const AccessSet *s = side == 0 ? &a : &b;
    for (auto [d, e] : llvm::enumerate(s->elementVars)) {
      AffineForm ev = side == 0 ? varForm(e) : varForm(sys.varB(e));
      sys.extra.push_back(geZero(ev));
      sys.extra.push_back(
          geZero(constantForm(s->shape[d] - 1).plus(ev, -1)));
    }
  }
  // Loops outside the spmd run the same iteration in both blocks, and a
  // value read before the spmd is the same for both.
  for (auto [loopA, va] : a.loops)
    for (auto [loopB, vb] : b.loops)
      if (loopA == loopB && a.vars[va].shared)
        sys.extra.push_back(
            eqZero(varForm(va).plus(varForm(sys.varB(vb)), -1)));
  for (auto [readA, va] : a.sharedReads)
    for (auto [readB, vb] : b.sharedReads)
      if (readA == readB)
        sys.extra.push_back(
            eqZero(varForm(va).plus(varForm(sys.varB(vb)), -1)));
}

static Witness makeWitness(const AccessSet &a, const AccessSet &b,
                           ArrayRef<int64_t> point, unsigned offsetB) {
  Witness w;
  w.blockA = a.blockVar >= 0 ? point[a.blockVar] : 0;
  w.blockB = b.blockVar >= 0 ? point[offsetB + b.blockVar] : 0;
  fillLoops(a, point, 0, w.loopsA);
  fillLoops(b, point, offsetB, w.loopsB);
  int64_t offset = a.linear.constant;
  for (auto [i, c] : llvm::enumerate(a.linear.coefs))
    offset += c * point[i];
  w.element.assign(a.rootShape.size(), 0);
  for (int d = static_cast<int>(a.rootShape.size()) - 1; d >= 0; --d) {
    int64_t n = std::max<int64_t>(a.rootShape[d], 1);
    w.element[d] = offset % n;
    offset /= n;
  }
  return w;
}

std::optional<Witness>
tessel::findCrossBlockConflict(const AccessSet &a, const AccessSet &b,
                               bool &tooComplex, size_t maxCases,
                               size_t *systems) {
  if (a.blockVar < 0 || b.blockVar < 0)
    return std::nullopt;
  PairSystem sys(a, &b);
  sameElement(sys, a, b);
  // Distinct blocks: bA < bB or bA > bB.
  AffineForm diff = varForm(sys.varB(b.blockVar)).plus(varForm(a.blockVar),
                                                       -1);
  sys.extraClauses.push_back({{geZero(diff.plus(constantForm(-1)))},
                              {geZero(diff.scaled(-1).plus(
                                  constantForm(-1)))}});
  std::optional<SmallVector<int64_t>> point = sys.solve(tooComplex, maxCases, systems);
  if (!point)
    return std::nullopt;
  return makeWitness(a, b, *point, a.vars.size());
}

std::optional<Witness>
tessel::findPipelineHazard(const AccessSet &store, const AccessSet &load,
                           PipelineOp pipeline, bool &tooComplex,
                           size_t maxCases, size_t *systems) {
  return findPipelineHazard(store, load, pipeline, pipeline.getStages(),
                            tooComplex, maxCases, systems);
}

std::optional<Witness>
tessel::findPipelineHazard(const AccessSet &store, const AccessSet &load,
                           Operation *loop, int64_t stages, bool &tooComplex,
                           size_t maxCases, size_t *systems) {
  Value stepV;
  if (auto f = dyn_cast<scf::ForOp>(loop))
    stepV = f.getStep();
  else if (auto p = dyn_cast<PipelineOp>(loop))
    stepV = p.getStep();
  APInt stepC;
  if (stages < 2 || !stepV || !matchPattern(stepV, m_ConstantInt(&stepC)))
    return std::nullopt;
  Operation *pipeline = loop;
  int64_t step = stepC.getSExtValue();
  PairSystem sys(store, &load);
  sameElement(sys, store, load);
  if (store.blockVar >= 0 && load.blockVar >= 0)
    sys.extra.push_back(eqZero(varForm(store.blockVar)
                                   .plus(varForm(sys.varB(load.blockVar)),
                                         -1)));
  // The loops around the pipeline (inside the spmd) run the same
  // iteration; the pipeline's load iteration is 1 .. S - 1 steps after the
  // store's.
  bool found = false;
  for (auto [loopA, va] : store.loops) {
    for (auto [loopB, vb] : load.loops) {
      if (loopA != loopB)
        continue;
      AffineForm d = varForm(sys.varB(vb)).plus(varForm(va), -1);
      if (loopA == pipeline) {
        sys.extra.push_back(geZero(d.plus(constantForm(-step))));
        sys.extra.push_back(
            geZero(constantForm((stages - 1) * step).plus(d, -1)));
        found = true;
      } else if (loopA->isAncestor(pipeline) &&
                 !store.vars[va].shared) {
        sys.extra.push_back(eqZero(d));
      }
    }
  }
  if (!found)
    return std::nullopt;
  std::optional<SmallVector<int64_t>> point = sys.solve(tooComplex, maxCases, systems);
  if (!point)
    return std::nullopt;
  return makeWitness(store, load, *point, store.vars.size());
}

std::optional<Witness> tessel::findOutOfBounds(const AccessSet &a,
                                               unsigned dim,
                                               bool &tooComplex,
                                               size_t maxCases,
                                               size_t *systems) {
  if (dim >= a.offsets.size())
    return std::nullopt;
  const AffineForm &off = a.offsets[dim];
  for (int side = 0; side < 2; ++side) {
    PairSystem sys(a, nullptr);
    if (side == 0) // off <= -1
      sys.extra.push_back(geZero(off.scaled(-1).plus(constantForm(-1))));
    else if (dim < a.runtimeValid.size() && a.runtimeValid[dim])
      // element >= shape: the valid extent, not the window, bounds it.
      sys.extra.push_back(geZero(varForm(a.elementVars[dim])
                                     .plus(constantForm(-a.shape[dim]))));
    else // off + size >= shape + 1
      sys.extra.push_back(geZero(
          off.plus(constantForm(a.sizes[dim] - a.shape[dim] - 1))));
    std::optional<SmallVector<int64_t>> point = sys.solve(tooComplex, maxCases, systems);
    if (!point)
      continue;
    Witness w = makeWitness(a, a, *point, 0);
    // The element is the slice's offset in each dimension.
    w.element.clear();
    for (const AffineForm &f : a.offsets) {
      int64_t v = f.constant;
      for (auto [i, c] : llvm::enumerate(f.coefs))
        v += c * (*point)[i];
      w.element.push_back(v);
    }
    return w;
  }
  return std::nullopt;
}

std::string tessel::getLoopVarName(Operation *loop, unsigned depth) {
  if (loop && loop->getNumRegions() == 1 && !loop->getRegion(0).empty() &&
      loop->getRegion(0).getNumArguments() > 0) {
    Location loc = loop->getRegion(0).getArgument(0).getLoc();
    if (auto name = dyn_cast<NameLoc>(loc))
      return name.getName().str();
  }
  return "i" + std::to_string(depth);
}

bool tessel::hasPipelineHazard(Operation *loop, int64_t stages,
                               std::string &why) {
  if (stages < 2)
    return false;
  SmallVector<ScopeAccess> accesses;
  if (failed(collectScopeAccesses(loop, accesses))) {
    why = "an operation other than tile.load and tile.store uses a GM tensor";
    return true;
  }
  std::vector<AccessSet> sets;
  for (const ScopeAccess &a : accesses)
    sets.push_back(buildAccessSet(a));
  for (const AccessSet &store : sets) {
    if (!store.access.write)
      continue;
    for (const AccessSet &load : sets) {
      if (load.access.write ||
          getRootTensor(load.access.memref) !=
              getRootTensor(store.access.memref))
        continue;
      if (!store.isAnalysable() || !load.isAnalysable()) {
        why = "it loads a tensor it stores with indices the race check "
              "cannot analyse";
        return true;
      }
      bool tooComplex = false;
      std::optional<Witness> w =
          findPipelineHazard(store, load, loop, stages, tooComplex);
      if (tooComplex) {
        why = "it loads a tensor it stores under too many conditions";
        return true;
      }
      if (w) {
        why = "a later iteration loads element [";
        for (auto [i, x] : llvm::enumerate(w->element))
          why += (i ? ", " : "") + std::to_string(x);
        why += "] an earlier one stores (" + describeTensor(
                   store.access.memref) + ")";
        return true;
      }
    }
  }
  return false;
}
