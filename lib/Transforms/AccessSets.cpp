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

  /// Adds a disjunction: as plain constraints when it has one disjunct.
  void require(Disjunction d) {
    if (d.size() == 1) {
      llvm::append_range(set.constraints, d.front());
      return;
    }
    set.clauses.push_back(std::move(d));
  }

  AccessSet &set;
  DenseMap<Value, AffineForm> memo;
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
/// local variable.
std::optional<AffineForm> SetBuilder::divide(Operation *op,
                                             const AffineForm &x, int64_t d,
                                             bool truncating, bool ceil) {
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
    // Truncation is the floor of a non-negative dividend and the ceiling
    // of a negative one.
    floorC.push_back(geZero(x));
    ceilC.push_back(geZero(x.scaled(-1).plus(constantForm(-1))));
    require({floorC, ceilC});
  }
  return varForm(q);
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
        // variables, which exist for any value of the others). Its elements are then a superset of the real ones, which
        // the race check may use; the bounds check does not
        // (conditionDropped).
        set.unanalysable.clear();
        set.culprit = nullptr;
        set.conditionDropped = true;
        continue;
      }
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

  /// An integer point, or none; `tooComplex` when the clauses expand past
  /// the limit.
  std::optional<SmallVector<int64_t>> solve(bool &tooComplex) const;

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

/// The most conjunctions one question may expand to.
constexpr size_t kMaxConjunctions = 4096;

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
PairSystem::solve(bool &tooComplex) const {
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

  size_t total = 1;
  for (const Disjunction *d : clauses) {
    if (d->empty())
      return std::nullopt;
    total *= d->size();
    if (total > kMaxConjunctions) {
      tooComplex = true;
      return std::nullopt;
    }
  }

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

  SmallVector<size_t> choice(clauses.size(), 0);
  for (size_t n = 0; n < total; ++n) {
    IntegerPolyhedron poly(PresburgerSpace::getSetSpace(numVars));
    for (const AffineConstraint &c : base)
      addRow(poly, c);
    for (auto [i, d] : llvm::enumerate(clauses))
      for (const AffineConstraint &c : (*d)[choice[i]])
        addRow(poly, c);
    // Most questions of a race-free kernel have no rational point: the
    // simplex says so at once, where integer sampling would search.
    // Emptiness on a copy with the equalities eliminated (element and
    // local variables mostly go): the GCD test and the rational simplex
    // settle most questions of a race-free kernel, integer sampling the
    // rest. Only a non-empty system is sampled again, in the original
    // variables, for the witness.
    std::optional<SmallVector<DynamicAPInt, 8>> sample;
    IntegerPolyhedron reduced = poly;
    reduced.simplify();
    if (!reduced.isEmptyByGCDTest() && !Simplex(reduced).isEmpty() &&
        reduced.findIntegerSample())
      sample = poly.findIntegerSample();
    if (sample) {
      minimize(poly, *sample);
      SmallVector<int64_t> out;
      for (const DynamicAPInt &x : *sample)
        out.push_back(static_cast<int64_t>(x));
      return out;
    }
    // Next choice (odometer).
    for (size_t i = 0; i < choice.size(); ++i) {
      if (++choice[i] < clauses[i]->size())
        break;
      choice[i] = 0;
    }
  }
  return std::nullopt;
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

std::optional<Witness> tessel::findCrossBlockConflict(const AccessSet &a,
                                                      const AccessSet &b,
                                                      bool &tooComplex) {
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
  std::optional<SmallVector<int64_t>> point = sys.solve(tooComplex);
  if (!point)
    return std::nullopt;
  return makeWitness(a, b, *point, a.vars.size());
}

std::optional<Witness> tessel::findPipelineHazard(const AccessSet &store,
                                                  const AccessSet &load,
                                                  PipelineOp pipeline,
                                                  bool &tooComplex) {
  return findPipelineHazard(store, load, pipeline, pipeline.getStages(),
                            tooComplex);
}

std::optional<Witness> tessel::findPipelineHazard(const AccessSet &store,
                                                  const AccessSet &load,
                                                  Operation *loop,
                                                  int64_t stages,
                                                  bool &tooComplex) {
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
  std::optional<SmallVector<int64_t>> point = sys.solve(tooComplex);
  if (!point)
    return std::nullopt;
  return makeWitness(store, load, *point, store.vars.size());
}

std::optional<Witness> tessel::findOutOfBounds(const AccessSet &a,
                                               unsigned dim,
                                               bool &tooComplex) {
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
    std::optional<SmallVector<int64_t>> point = sys.solve(tooComplex);
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
