//===- SplitMixedScopes.cpp - Give every core_group scope a core kind -----===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Turns every `tile.at core_group` scope into a `vector` or a `cube` scope by
// the ops it holds. A scope holding both cube and vector ops stays together
// on a target where cube and vector meet on chip (a5, L0C -> UB) unless a
// cube op uses a vector op's tile (no UB -> L1 move in Tessel); otherwise it
// is split into phases -- cube, vector, cube, ... -- one `tile.spmd` grid of
// the same size each, run in order, that meet in GM staging tensors indexed
// by the block index (and the iteration, for tiles made in a loop that
// mixes cube and vector ops: such a loop is fissioned into one copy per
// phase, flash attention's matmul -> softmax -> matmul -> rescale loop into
// four). SplitPlan says how ops are assigned to phases.
//
// What can be split (checked before anything changes; on any error the IR
// is left as it was):
//  - the mixed `tile.at` is directly in its `tile.spmd`, which holds nothing
//    else but pure scalar ops;
//  - every top-level op holding both cube and vector ops is an scf.for or
//    tile.pipeline whose trip count has an upper bound (constant bounds, or
//    run-time bounds the integer range analysis bounds: tessel/Analysis/
//    TripCount.h), carrying tiles only, whose body ops each hold one kind,
//    and no carried tile passes between the kinds every iteration;
//  - every value that crosses phases is a tile (staged through GM); pure
//    scalar ops and loads of tensors the scope does not write are rebuilt
//    in each phase;
//  - two accesses to a GM tensor the scope writes, one a write, run in
//    program order after the split (the split runs each phase for every
//    block before the next; blocks are independent) and not in two copies
//    of a fissioned loop.
//
//===----------------------------------------------------------------------===//

#include "tessel/Support/Remarks.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Analysis/TripCount.h"
#include "tessel/Transforms/Passes.h"
#include "tessel/Transforms/ScopeAccesses.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

#include <limits>
#include <set>
#include <vector>

#define DEBUG_TYPE "tile-split-mixed-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILESPLITMIXEDSCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

//===----------------------------------------------------------------------===//
// Classification
//===----------------------------------------------------------------------===//

/// Whether `op` or an op nested in it has the trait.
template <template <typename> class Trait>
static bool holds(Operation *op) {
  return op
      ->walk([](Operation *nested) {
        return nested->hasTrait<Trait>() ? WalkResult::interrupt()
                                         : WalkResult::advance();
      })
      .wasInterrupted();
}

/// The op that defines `v`, or holds the block whose argument `v` is.
static Operation *definingScope(Value v) {
  if (Operation *def = v.getDefiningOp())
    return def;
  return cast<BlockArgument>(v).getOwner()->getParentOp();
}

/// The memref a view is made from, through view-like ops.
static Value getBaseMemRef(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// Calls `fn(value, user)` for every operand of `unit` and of the ops nested
/// in it that is defined outside `unit`.
static void forEachExternalOperand(
    Operation *unit, llvm::function_ref<void(Value, Operation *)> fn) {
  unit->walk([&](Operation *nested) {
    for (Value v : nested->getOperands()) {
      Operation *def = definingScope(v);
      if (def && unit->isAncestor(def))
        continue;
      fn(v, nested);
    }
  });
}

/// The GM memrefs that ops in `root` write.
static DenseSet<Value> writtenMemRefs(Operation *root) {
  DenseSet<Value> written;
  root->walk([&](Operation *op) {
    auto iface = dyn_cast<MemoryEffectOpInterface>(op);
    if (!iface)
      return;
    SmallVector<MemoryEffects::EffectInstance> effects;
    iface.getEffects(effects);
    for (auto &e : effects)
      if (isa<MemoryEffects::Write>(e.getEffect()) && e.getValue() &&
          isa<MemRefType>(e.getValue().getType()))
        written.insert(getBaseMemRef(e.getValue()));
  });
  return written;
}

/// Whether a cube op of `at` uses, directly or through other ops and
/// loop-carried values, a tile a vector op made: the vector -> cube
/// hand-off that a scope kept mixed on a5 cannot make (Tessel has no UB ->
/// L1 move).
static bool cubeUsesVectorResult(AtOp at) {
  SmallVector<Value> worklist;
  DenseSet<Value> seen;
  at.walk([&](Operation *op) {
    if (op->hasTrait<VectorOnly>())
      for (Value r : op->getResults())
        if (seen.insert(r).second)
          worklist.push_back(r);
  });
  auto push = [&](Value v) {
    if (seen.insert(v).second)
      worklist.push_back(v);
  };
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user->hasTrait<CubeOnly>())
        return true;
      if (user->hasTrait<OpTrait::IsTerminator>()) {
        Operation *parent = user->getParentOp();
        unsigned i = use.getOperandNumber();
        if (auto loop = dyn_cast<LoopLikeOpInterface>(parent)) {
          if (i < loop.getRegionIterArgs().size())
            push(loop.getRegionIterArgs()[i]);
        }
        if (parent != at.getOperation() && i < parent->getNumResults())
          push(parent->getResult(i));
        continue;
      }
      if (auto loop = dyn_cast<LoopLikeOpInterface>(user)) {
        // An init value: the iter_arg it becomes.
        for (auto [init, arg] :
             llvm::zip(loop.getInits(), loop.getRegionIterArgs()))
          if (init == v)
            push(arg);
        continue;
      }
      for (Value r : user->getResults())
        push(r);
    }
  }
  return false;
}

/// What a core_group scope becomes.
enum class Decision { Vector, Cube, KeepMixed, Split };

/// How an op at the top level of the scope, or in the body of a loop that
/// mixes cube and vector ops, is handled by the split.
enum class UnitKind { Dup, Remat, Cube, Vector, Neutral, MixedLoop };

/// Everything needed to split one mixed scope, computed before any change.
///
/// The scope becomes one grid per *phase*: phase 0 runs on cube cores,
/// phase 1 on vector cores, 2 on cube cores, and so on, each after the one
/// before for every block. An op goes to the first phase of its core kind
/// that is not before the phase of anything it uses; ops of neither kind
/// (stores, reshapes) go with what they use. A loop that mixes cube and
/// vector ops is fissioned: one copy per phase its body touches, each
/// running the whole iteration space with that phase's ops and the
/// loop-carried tiles that phase updates. A tile made in one phase and used
/// in a later one is staged through GM: per block, or per block and
/// iteration when it is made inside a fissioned loop.
struct SplitPlan {
  AtOp at;
  SpmdOp spmd;
  /// The top-level ops of the scope, in order, without the terminator.
  SmallVector<Operation *> ops;
  DenseMap<Operation *, UnitKind> kind;
  /// The phase of every Cube / Vector / Neutral op (top level and in the
  /// bodies of mixed loops).
  DenseMap<Operation *, int> phase;
  /// The phase of the iter_args and results of mixed loops.
  DenseMap<Value, int> argPhase;
  /// The most iterations of each mixed loop: its trip count, or for a loop
  /// with run-time bounds the upper bound the staging is sized by.
  DenseMap<Operation *, int64_t> tripCount;
  /// The mixed loops whose trip count is known only at run time.
  DenseSet<Operation *> runtimeTrips;
  /// The staged values, in order, and for each the mixed loop it is made in
  /// (per-iteration staging) or null (per block).
  SmallVector<Value> staged;
  SmallVector<Operation *> stagedLoop;
  DenseMap<Value, unsigned> stageIndex;
  /// The phases that hold work, ascending.
  SmallVector<int> phases;

  /// The phase of an op of neither kind that uses nothing the scope makes
  /// (a load of a tensor the scope writes) until its users are placed: it
  /// then runs in the first phase that uses it.
  static constexpr int kFloating = -1;

  std::optional<int> valuePhase(Value v) const {
    auto a = argPhase.find(v);
    if (a != argPhase.end())
      return a->second;
    if (Operation *def = v.getDefiningOp()) {
      auto p = phase.find(def);
      if (p != phase.end() && p->second != kFloating)
        return p->second;
    }
    return std::nullopt;
  }
};

struct ScopeDecision {
  AtOp at;
  Decision decision;
  SplitPlan plan;
  /// Why a scope the target could keep mixed is split.
  bool splitForVectorToCube = false;
};

static bool isCubePhase(int p) { return p % 2 == 0; }

/// The phase's grid name: `<scope>_cube`, `<scope>_vector` for the first
/// phase of each kind, `<scope>_cube2`, ... for later ones.
static std::string phaseName(StringRef scope, ArrayRef<int> phases, int p) {
  int ordinal = 0;
  for (int q : phases)
    if (q <= p && isCubePhase(q) == isCubePhase(p))
      ++ordinal;
  std::string name = (scope + (isCubePhase(p) ? "_cube" : "_vector")).str();
  if (ordinal > 1)
    name += std::to_string(ordinal);
  return name;
}

/// The integer ranges of the function holding an op, computed on first use.
using RangesFn = llvm::function_ref<const IndexRanges &(Operation *)>;

/// Plans the split of `at` or emits an error at it saying why it cannot be
/// split.
static FailureOr<SplitPlan> planSplit(AtOp at, SpmdOp spmd,
                                      RangesFn rangesFor) {
  StringRef name = spmd.getScopeName();
  auto fail = [&](const Twine &why) {
    return at.emitError("cannot split mixed scope '")
           << name << "' into cube and vector scopes: " << why;
  };

  SplitPlan plan;
  plan.at = at;
  plan.spmd = spmd;
  Block &body = at.getBodyBlock();

  if (at->getParentOp() != spmd.getOperation()) {
    fail("the tile.at is not directly in its tile.spmd");
    return failure();
  }
  for (Operation &op : spmd.getBodyBlock().without_terminator()) {
    if (&op == at.getOperation())
      continue;
    if (op.getNumRegions() != 0 || !isMemoryEffectFree(&op)) {
      InFlightDiagnostic diag =
          fail("its tile.spmd holds other ops than the scope and pure scalar "
               "ops, which the split would have to order");
      diag.attachNote(op.getLoc()) << "this op";
      return failure();
    }
  }

  DenseSet<Value> written = writtenMemRefs(at);
  // Induction variables of mixed loops: every phase's copy has its own.
  DenseSet<Value> ivs;

  // Values every phase can rebuild: defined outside the scope, an
  // induction variable of a mixed loop, or made by a Dup / Remat op.
  auto rebuildable = [&](Value v) {
    Operation *def = definingScope(v);
    if (!def || !at->isAncestor(def) || def == at.getOperation())
      return true;
    if (ivs.contains(v))
      return true;
    auto k = plan.kind.find(def);
    return v.getDefiningOp() && k != plan.kind.end() &&
           (k->second == UnitKind::Dup || k->second == UnitKind::Remat);
  };
  auto classify = [&](Operation *op) {
    bool cube = holds<CubeOnly>(op), vector = holds<VectorOnly>(op);
    if (cube && vector)
      return UnitKind::MixedLoop; // checked by the caller
    if (cube)
      return UnitKind::Cube;
    if (vector)
      return UnitKind::Vector;
    bool operandsRebuildable =
        op->getNumRegions() == 0 &&
        llvm::all_of(op->getOperands(), [&](Value v) { return rebuildable(v); });
    bool tileResult = llvm::any_of(op->getResultTypes(),
                                   [](Type t) { return isa<TileType>(t); });
    if (operandsRebuildable && isMemoryEffectFree(op) && !tileResult)
      return UnitKind::Dup;
    if (operandsRebuildable && tileResult &&
        (isMemoryEffectFree(op) ||
         (isa<LoadOp>(op) &&
          !written.contains(getBaseMemRef(cast<LoadOp>(op).getSource())))))
      return UnitKind::Remat;
    return UnitKind::Neutral;
  };
  // The phase of a Cube / Vector / Neutral op from what it uses.
  auto phaseOf = [&](Operation *op, UnitKind k) {
    int minP = 0;
    bool any = false;
    forEachExternalOperand(op, [&](Value v, Operation *) {
      if (std::optional<int> q = plan.valuePhase(v)) {
        minP = std::max(minP, *q);
        any = true;
      }
    });
    switch (k) {
    case UnitKind::Cube:
      return isCubePhase(minP) ? minP : minP + 1;
    case UnitKind::Vector:
      return isCubePhase(minP) ? minP + 1 : minP;
    default:
      // Ops of neither kind go with what they use; with nothing to go with
      // they float until their users are placed.
      return any ? minP : SplitPlan::kFloating;
    }
  };

  for (Operation &op : body.without_terminator()) {
    plan.ops.push_back(&op);
    UnitKind k = classify(&op);
    plan.kind[&op] = k;
    if (k == UnitKind::Cube || k == UnitKind::Vector ||
        k == UnitKind::Neutral) {
      plan.phase[&op] = phaseOf(&op, k);
      continue;
    }
    if (k != UnitKind::MixedLoop)
      continue;

    // A loop mixing cube and vector ops: fissioned by phase.
    auto loop = dyn_cast<LoopLikeOpInterface>(&op);
    if (!loop || !isa<scf::ForOp, PipelineOp>(&op)) {
      InFlightDiagnostic diag =
          fail("this op holds both cube and vector ops and is not a loop "
               "that can be split into one loop per core kind");
      diag.attachNote(op.getLoc()) << "op mixing cube and vector ops";
      return failure();
    }
    // The GM staging of per-iteration tiles has one slot per iteration:
    // the trip count, or with run-time bounds the most iterations the
    // integer range analysis allows (the loop copies keep the run-time
    // bounds).
    OpFoldResult lbFold = *loop.getSingleLowerBound(),
                 ubFold = *loop.getSingleUpperBound(),
                 stepFold = *loop.getSingleStep();
    std::optional<int64_t> clb = getConstantIntValue(lbFold),
                           cub = getConstantIntValue(ubFold),
                           cstep = getConstantIntValue(stepFold);
    bool constantBounds = clb && cub && cstep && *cstep >= 1;
    // Constant bounds need no range analysis (nor its run over the
    // function).
    TripCountBound bound;
    if (constantBounds)
      bound.max = maxTripCount(*clb, *cub, *cstep);
    else
      bound = rangesFor(&op).getTripCountBound(loop);
    if (!bound.max) {
      InFlightDiagnostic diag =
          fail("the loop mixing cube and vector ops runs a number of "
               "iterations known only at run time, and no upper bound was "
               "found for it; the GM staging of its per-iteration tiles is "
               "sized by the most iterations it can run. Bound the loop's "
               "end by a compile-time constant, e.g. pl.min(n, 64)");
      diag.attachNote(op.getLoc()) << "loop mixing cube and vector ops";
      if (Value v = bound.unboundedBy) {
        StringRef which = v == dyn_cast<Value>(ubFold)   ? "end"
                          : v == dyn_cast<Value>(lbFold) ? "start"
                                                         : "step";
        diag.attachNote(v.getLoc())
            << "the loop's " << which
            << (which == "step" ? " is not known to be at least 1"
                                : " has no constant bound");
      }
      return failure();
    }
    plan.tripCount[&op] = *bound.max;
    if (!constantBounds)
      plan.runtimeTrips.insert(&op);
    for (Value arg : loop.getRegionIterArgs())
      if (!isa<TileType>(arg.getType())) {
        InFlightDiagnostic diag =
            fail("the loop mixing cube and vector ops carries a value that "
                 "is not a tile; only tiles are split between the loop's "
                 "cube and vector copies");
        diag.attachNote(op.getLoc()) << "loop mixing cube and vector ops";
        return failure();
      }
    ivs.insert(*loop.getSingleInductionVar());
    Block &loopBody = op.getRegion(0).front();
    SmallVector<Operation *> bodyUnits;
    for (Operation &inner : loopBody.without_terminator()) {
      UnitKind ik = classify(&inner);
      if (ik == UnitKind::MixedLoop) {
        InFlightDiagnostic diag =
            fail("an op in the body of a loop mixing cube and vector ops "
                 "mixes them itself; only one level of loop is split");
        diag.attachNote(inner.getLoc()) << "nested op mixing cube and vector ops";
        return failure();
      }
      plan.kind[&inner] = ik;
      if (ik != UnitKind::Dup && ik != UnitKind::Remat)
        bodyUnits.push_back(&inner);
    }
    // Each loop-carried tile lives in one phase's copy: the phase that
    // makes the value it yields. Raising it may raise what uses it, so
    // iterate to a fixed point; a carried value that passes from one core
    // kind to the other and back every iteration never settles.
    auto iterArgs = loop.getRegionIterArgs();
    auto yielded = *loop.getYieldedValuesMutable();
    for (auto [init, arg] : llvm::zip(loop.getInits(), iterArgs))
      plan.argPhase[arg] = plan.valuePhase(init).value_or(0);
    int64_t cap = 2 * (static_cast<int64_t>(bodyUnits.size()) + 2) *
                  (static_cast<int64_t>(iterArgs.size()) + 1);
    bool changed = true;
    Value unsettled;
    for (int64_t round = 0; changed && round <= cap; ++round) {
      changed = false;
      for (Operation *u : bodyUnits)
        plan.phase[u] = phaseOf(u, plan.kind[u]);
      for (auto [arg, y] : llvm::zip(iterArgs, yielded)) {
        std::optional<int> q = plan.valuePhase(y.get());
        if (q && *q > plan.argPhase[arg]) {
          plan.argPhase[arg] = *q;
          changed = true;
          unsettled = y.get();
        }
      }
    }
    if (changed) {
      InFlightDiagnostic diag =
          fail("a tile carried by the loop passes between cube and vector "
               "ops in every iteration, so no split of the loop into one "
               "loop per core kind can order them");
      diag.attachNote(op.getLoc()) << "loop mixing cube and vector ops";
      diag.attachNote(unsettled.getLoc()) << "carried value made here";
      return failure();
    }
    for (auto [arg, result] : llvm::zip(iterArgs, op.getResults()))
      plan.argPhase[result] = plan.argPhase[arg];
  }

  // Floating ops run in the first phase that uses them (last first, so a
  // floating user is placed before the op it uses); with no user (a store
  // of a reloaded tile) on the vector cores, as an unmixed scope of such
  // ops would.
  SmallVector<Operation *> floating;
  at.walk<WalkOrder::PreOrder>([&](Operation *op) {
    auto it = plan.phase.find(op);
    if (it != plan.phase.end() && it->second == SplitPlan::kFloating)
      floating.push_back(op);
  });
  auto usePhase = [&](OpOperand &use) -> std::optional<int> {
    Operation *user = use.getOwner();
    Operation *parent = user->getParentOp();
    if (user->hasTrait<OpTrait::IsTerminator>() && parent &&
        plan.kind.lookup(parent) == UnitKind::MixedLoop) {
      auto loop = cast<LoopLikeOpInterface>(parent);
      return plan.argPhase[loop.getRegionIterArgs()[use.getOperandNumber()]];
    }
    if (plan.kind.lookup(user) == UnitKind::MixedLoop &&
        plan.kind.count(user)) {
      auto loop = cast<LoopLikeOpInterface>(user);
      if (BlockArgument arg = loop.getTiedLoopRegionIterArg(&use))
        return plan.argPhase[arg];
      return std::nullopt;
    }
    for (Operation *u = user; u && u != at.getOperation();
         u = u->getParentOp()) {
      auto it = plan.phase.find(u);
      if (it != plan.phase.end())
        return it->second;
    }
    return std::nullopt;
  };
  for (Operation *op : llvm::reverse(floating)) {
    int p = std::numeric_limits<int>::max();
    for (Value r : op->getResults())
      for (OpOperand &use : r.getUses())
        if (std::optional<int> q = usePhase(use); q && *q >= 0)
          p = std::min(p, *q);
    plan.phase[op] = p == std::numeric_limits<int>::max() ? 1 : p;
  }

  // Everything that crosses from one phase to a later one is staged.
  Operation *currentLoop = nullptr;
  auto stage = [&](Value v, Operation *consumer) -> LogicalResult {
    if (plan.stageIndex.count(v))
      return success();
    if (!isa<TileType>(v.getType())) {
      InFlightDiagnostic diag =
          fail("a value that is not a tile crosses from one core kind's "
               "part to the other's; only tiles are staged through GM");
      diag.attachNote(v.getLoc()) << "value defined here";
      diag.attachNote(consumer->getLoc()) << "used here";
      return failure();
    }
    // Per iteration when made in the body of the mixed loop (an iter_arg
    // or a body op's result), else per block.
    Operation *def = definingScope(v);
    Operation *loop = nullptr;
    if (currentLoop && currentLoop->isAncestor(def) && def != currentLoop)
      loop = currentLoop;
    if (currentLoop && def == currentLoop && !v.getDefiningOp())
      loop = currentLoop; // an iter_arg
    plan.stageIndex[v] = plan.staged.size();
    plan.staged.push_back(v);
    plan.stagedLoop.push_back(loop);
    return success();
  };
  auto stageOperands = [&](Operation *unit, int p) -> LogicalResult {
    LogicalResult result = success();
    forEachExternalOperand(unit, [&](Value v, Operation *user) {
      std::optional<int> q = plan.valuePhase(v);
      if (succeeded(result) && q && *q < p)
        result = stage(v, user);
    });
    return result;
  };
  for (Operation *op : plan.ops) {
    UnitKind k = plan.kind[op];
    if (k == UnitKind::Dup || k == UnitKind::Remat)
      continue;
    if (k != UnitKind::MixedLoop) {
      if (failed(stageOperands(op, plan.phase[op])))
        return failure();
      continue;
    }
    auto loop = cast<LoopLikeOpInterface>(op);
    currentLoop = op;
    for (auto [init, arg] : llvm::zip(loop.getInits(), loop.getRegionIterArgs())) {
      std::optional<int> q = plan.valuePhase(init);
      if (q && *q < plan.argPhase[arg]) {
        currentLoop = nullptr; // inits are made outside the loop
        LogicalResult r = stage(init, op);
        currentLoop = op;
        if (failed(r))
          return failure();
      }
    }
    for (Operation &inner : op->getRegion(0).front().without_terminator()) {
      UnitKind ik = plan.kind[&inner];
      if (ik == UnitKind::Dup || ik == UnitKind::Remat)
        continue;
      if (failed(stageOperands(&inner, plan.phase[&inner])))
        return failure();
    }
    for (auto [arg, y] : llvm::zip(loop.getRegionIterArgs(),
                                   *loop.getYieldedValuesMutable())) {
      std::optional<int> q = plan.valuePhase(y.get());
      if (q && *q < plan.argPhase[arg] && failed(stage(y.get(), op)))
        return failure();
    }
    currentLoop = nullptr;
  }

  // GM tensors the scope writes: the split runs each phase for every block
  // before the next, so two accesses to one, one a write, must not run in
  // the opposite order of the program (a later phase first), nor in two
  // copies of a fissioned loop (all iterations of one copy run before the
  // other's). Blocks never touch what another block writes (tile-check-
  // races), so only each block's own order matters.
  struct Access {
    Operation *op;
    int phase;
    Operation *loop; // the fissioned loop holding it, or null
    bool write;
  };
  DenseMap<Value, SmallVector<Access>> accesses;
  at.walk<WalkOrder::PreOrder>([&](Operation *nested) {
    Value base;
    bool write = false;
    if (auto load = dyn_cast<LoadOp>(nested)) {
      base = getBaseMemRef(load.getSource());
    } else if (auto store = dyn_cast<StoreOp>(nested)) {
      base = getBaseMemRef(store.getDest());
      write = true;
    }
    if (!base || !written.contains(base))
      return;
    Operation *unit = nested;
    while (unit && !plan.phase.count(unit))
      unit = unit->getParentOp();
    if (!unit)
      return;
    Operation *loop = unit->getParentOp();
    if (plan.kind.lookup(loop) != UnitKind::MixedLoop || !plan.kind.count(loop))
      loop = nullptr;
    accesses[base].push_back({nested, plan.phase[unit], loop, write});
  });
  for (auto &[base, list] : accesses)
    for (size_t a = 0; a < list.size(); ++a)
      for (size_t b = a + 1; b < list.size(); ++b) {
        const Access &x = list[a], &y = list[b];
        if (!x.write && !y.write)
          continue;
        bool reordered = x.phase > y.phase;
        bool fissioned = x.loop && x.loop == y.loop && x.phase != y.phase;
        if (!reordered && !fissioned)
          continue;
        InFlightDiagnostic diag =
            fail(reordered
                     ? Twine("a GM tensor it writes is accessed in a later "
                             "part before an earlier part accesses it, and "
                             "the split runs each part for every block "
                             "before the next part")
                     : Twine("a GM tensor it writes is accessed by two "
                             "copies of the loop it fissions, which run one "
                             "after the other"));
        if (reordered) {
          diag.attachNote(x.op->getLoc()) << "access run in a later part";
          diag.attachNote(y.op->getLoc()) << "access run in an earlier part";
        } else {
          diag.attachNote(x.op->getLoc()) << "access in one copy of the loop";
          diag.attachNote(y.op->getLoc()) << "access in another copy";
        }
        return failure();
      }

  std::set<int> phases;
  for (auto &[op, p] : plan.phase)
    phases.insert(p);
  for (auto &[v, p] : plan.argPhase)
    phases.insert(p);
  plan.phases.assign(phases.begin(), phases.end());
  return plan;
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

/// Erases the trivially dead ops of `block`, last first. The walk holds the
/// op before the current one, never one that erasing may remove (a
/// std::reverse_iterator over the block would hold the op after it, which
/// has just been erased when its result was the only use of the current
/// one).
static void eraseDeadOps(Block &block) {
  if (block.empty())
    return;
  Operation *op = block.back().hasTrait<OpTrait::IsTerminator>()
                      ? block.back().getPrevNode()
                      : &block.back();
  while (op) {
    Operation *prev = op->getPrevNode();
    if (isOpTriviallyDead(op))
      op->erase();
    op = prev;
  }
}

/// Builds one phase's grid of a split scope.
class PhaseBuilder {
public:
  PhaseBuilder(SplitPlan &plan, ArrayRef<Value> stages, int p, OpBuilder &b)
      : plan(plan), stages(stages), p(p), b(b) {}

  void build(SpmdOp newSpmd) {
    spmdIndex = newSpmd.getBlockIndex();
    map.map(plan.spmd.getBlockIndex(), spmdIndex);
    b.setInsertionPoint(newSpmd.getBodyBlock().getTerminator());
    for (Operation &op : plan.spmd.getBodyBlock().without_terminator())
      if (&op != plan.at.getOperation())
        b.clone(op, map);
    auto at = AtOp::create(b, plan.at.getLoc(),
                           isCubePhase(p) ? CoreKind::cube : CoreKind::vector);
    at->setDiscardableAttrs(plan.at->getDiscardableAttrDictionary());
    b.setInsertionPoint(at.getBodyBlock().getTerminator());
    for (Operation *op : plan.ops) {
      UnitKind k = plan.kind[op];
      if (k == UnitKind::MixedLoop)
        buildLoop(op);
      else if (k != UnitKind::Dup && k != UnitKind::Remat &&
               plan.phase[op] == p)
        cloneUnit(op, nullptr);
    }
    eraseDeadOps(at.getBodyBlock());
    eraseDeadOps(newSpmd.getBodyBlock());
  }

private:
  SplitPlan &plan;
  ArrayRef<Value> stages;
  int p;
  OpBuilder &b;
  Value spmdIndex;
  IRMapping map;
  /// The iteration number of the mixed loop copy being built.
  Value iteration;

  /// The GM indices of staged value `i`'s tile.
  SmallVector<Value> stageIndices(unsigned i, Location loc) {
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    if (plan.stagedLoop[i])
      return {spmdIndex, iteration, c0, c0};
    return {spmdIndex, c0, c0};
  }

  /// Makes `v` available in this phase at the insertion point: cloned when
  /// every phase can rebuild it, loaded back when staged from an earlier
  /// phase; values of this phase are mapped already.
  void ensure(Value v) {
    if (map.contains(v))
      return;
    Operation *def = v.getDefiningOp();
    if (def && plan.at->isAncestor(def)) {
      auto k = plan.kind.find(def);
      if (k != plan.kind.end() &&
          (k->second == UnitKind::Dup || k->second == UnitKind::Remat)) {
        for (Value operand : def->getOperands())
          ensure(operand);
        b.clone(*def, map);
        return;
      }
    }
    auto s = plan.stageIndex.find(v);
    if (s != plan.stageIndex.end()) {
      std::optional<int> q = plan.valuePhase(v);
      if (q && *q < p) {
        unsigned i = s->second;
        Value load = LoadOp::create(b, v.getLoc(), v.getType(), stages[i],
                                    stageIndices(i, v.getLoc()));
        map.map(v, load);
      }
    }
  }

  /// Stores `v` (made in this phase; its clone is `map.lookup(v)`) to its
  /// stage if a later phase uses it.
  void storeIfStaged(Value v) {
    auto s = plan.stageIndex.find(v);
    if (s == plan.stageIndex.end())
      return;
    std::optional<int> q = plan.valuePhase(v);
    if (!q || *q != p)
      return;
    unsigned i = s->second;
    StoreOp::create(b, v.getLoc(), map.lookup(v), stages[i],
                    stageIndices(i, v.getLoc()));
  }

  void cloneUnit(Operation *op, Operation *loop) {
    forEachExternalOperand(op, [&](Value v, Operation *) {
      // Values from outside the loop are made available before it.
      if (!loop || loop->isAncestor(definingScope(v)))
        ensure(v);
    });
    b.clone(*op, map);
    for (Value r : op->getResults())
      storeIfStaged(r);
  }

  void buildLoop(Operation *op) {
    auto loop = cast<LoopLikeOpInterface>(op);
    Block &loopBody = op->getRegion(0).front();
    SmallVector<Operation *> units;
    for (Operation &inner : loopBody.without_terminator()) {
      UnitKind k = plan.kind[&inner];
      if (k != UnitKind::Dup && k != UnitKind::Remat && plan.phase[&inner] == p)
        units.push_back(&inner);
    }
    SmallVector<unsigned> args;
    for (auto [i, arg] : llvm::enumerate(loop.getRegionIterArgs()))
      if (plan.argPhase[arg] == p)
        args.push_back(i);
    if (units.empty() && args.empty())
      return;

    // What the copy uses from outside the loop, made available before it.
    auto outside = [&](Value v) { return !op->isAncestor(definingScope(v)); };
    for (Operation *u : units)
      forEachExternalOperand(u, [&](Value v, Operation *) {
        if (outside(v))
          ensure(v);
      });
    SmallVector<Value> inits;
    for (unsigned i : args) {
      Value init = loop.getInits()[i];
      ensure(init);
      inits.push_back(map.lookupOrDefault(init));
    }
    for (OpFoldResult bound : {*loop.getSingleLowerBound(),
                               *loop.getSingleUpperBound(),
                               *loop.getSingleStep()})
      if (auto v = dyn_cast<Value>(bound))
        ensure(v);
    auto value = [&](OpFoldResult f) {
      return map.lookupOrDefault(cast<Value>(f));
    };
    Value lb = value(*loop.getSingleLowerBound());
    Value ub = value(*loop.getSingleUpperBound());
    Value step = value(*loop.getSingleStep());

    Operation *copy;
    Block *copyBody;
    if (auto pipe = dyn_cast<PipelineOp>(op)) {
      auto newPipe = PipelineOp::create(b, op->getLoc(), lb, ub, step,
                                        pipe.getStages(), inits);
      copy = newPipe;
      copyBody = &newPipe.getBodyBlock();
    } else {
      auto newFor = scf::ForOp::create(b, op->getLoc(), lb, ub, step, inits);
      copy = newFor;
      copyBody = newFor.getBody();
    }
    copy->setDiscardableAttrs(op->getDiscardableAttrDictionary());
    if (!copyBody->empty() &&
        copyBody->back().hasTrait<OpTrait::IsTerminator>())
      copyBody->back().erase();

    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(copyBody);
    Value iv = *loop.getSingleInductionVar();
    map.map(iv, copyBody->getArgument(0));
    for (auto [j, i] : llvm::enumerate(args))
      map.map(loop.getRegionIterArgs()[i], copyBody->getArgument(1 + j));
    // The iteration number: (iv - lb) / step, in [0, trips) (the
    // staging's iteration dimension) whatever the run-time bounds.
    std::optional<int64_t> clb = getConstantIntValue(*loop.getSingleLowerBound());
    std::optional<int64_t> cstep = getConstantIntValue(*loop.getSingleStep());
    auto boundValue = [&](OpFoldResult f, int64_t c) -> Value {
      if (auto v = dyn_cast<Value>(f))
        return map.lookupOrDefault(v);
      return arith::ConstantIndexOp::create(b, op->getLoc(), c);
    };
    iteration = copyBody->getArgument(0);
    if (clb != 0)
      iteration = arith::SubIOp::create(
          b, op->getLoc(), iteration,
          boundValue(*loop.getSingleLowerBound(), clb.value_or(0)));
    if (cstep != 1)
      iteration = arith::DivUIOp::create(
          b, op->getLoc(), iteration,
          boundValue(*loop.getSingleStep(), cstep.value_or(1)));
    for (unsigned i : args)
      storeIfStaged(loop.getRegionIterArgs()[i]);
    for (Operation *u : units)
      cloneUnit(u, op);
    SmallVector<Value> yields;
    auto yielded = *loop.getYieldedValuesMutable();
    for (unsigned i : args) {
      Value y = yielded[i].get();
      ensure(y);
      yields.push_back(map.lookupOrDefault(y));
    }
    if (isa<PipelineOp>(op))
      YieldOp::create(b, op->getLoc(), yields);
    else
      scf::YieldOp::create(b, op->getLoc(), yields);
    eraseDeadOps(*copyBody);
    iteration = nullptr;

    b.setInsertionPointAfter(copy);
    for (auto [j, i] : llvm::enumerate(args)) {
      map.map(op->getResult(i), copy->getResult(j));
      storeIfStaged(op->getResult(i));
    }
  }
};

static void applySplit(SplitPlan &plan) {
  SpmdOp spmd = plan.spmd;
  std::string name = spmd.getScopeName().str();
  OpBuilder b(spmd);
  int64_t blocks = spmd.getBlocks();

  // One staging tensor per crossing tile: blocks x rows x cols, or blocks x
  // iterations x rows x cols for a tile made in a fissioned loop.
  SmallVector<Value> stages;
  for (auto [i, v] : llvm::enumerate(plan.staged)) {
    auto tile = cast<TileType>(v.getType());
    SmallVector<int64_t> shape{blocks};
    if (Operation *loop = plan.stagedLoop[i])
      shape.push_back(plan.tripCount[loop]);
    shape.append({tile.getRows(), tile.getCols()});
    auto type = MemRefType::get(shape, tile.getElementType());
    stages.push_back(AllocGmOp::create(
        b, v.getLoc(), type,
        b.getStringAttr(name + "_stage" + std::to_string(i))));
  }

  for (int p : plan.phases) {
    auto newSpmd = SpmdOp::create(b, spmd.getLoc(), blocks,
                                  phaseName(name, plan.phases, p));
    newSpmd->setDiscardableAttrs(spmd->getDiscardableAttrDictionary());
    OpBuilder inner(newSpmd);
    PhaseBuilder(plan, stages, p, inner).build(newSpmd);
    b.setInsertionPointAfter(newSpmd);
  }
  spmd.erase();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct SplitMixedScopesPass
    : public tessel::impl::TileSplitMixedScopesBase<SplitMixedScopesPass> {
  using TileSplitMixedScopesBase::TileSplitMixedScopesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();
    const TargetInfo *option = *resolved;

    // The first pass of the pipelines: slices that leave their memref for
    // some block are an error here, as the Python frontend reports them.
    if (failed(checkGridSlices(module)))
      return signalPassFailure();

    // The integer ranges of each function, for the trip counts of mixed
    // loops with run-time bounds; computed on first use, before any change.
    DenseMap<Operation *, std::unique_ptr<IndexRanges>> ranges;
    auto rangesFor = [&](Operation *op) -> const IndexRanges & {
      Operation *root = op->getParentWithTrait<OpTrait::IsIsolatedFromAbove>();
      std::unique_ptr<IndexRanges> &r = ranges[root];
      if (!r)
        r = std::make_unique<IndexRanges>(root);
      return *r;
    };

    // Decide every scope first; change nothing unless all can be handled.
    std::vector<ScopeDecision> decisions;
    bool anyError = false;
    module.walk([&](AtOp at) {
      if (at.getKind() != CoreKind::core_group)
        return;
      bool cube = holds<CubeOnly>(at.getOperation()),
           vector = holds<VectorOnly>(at.getOperation());
      ScopeDecision d{at, Decision::Vector, {}};
      if (cube && !vector) {
        d.decision = Decision::Cube;
      } else if (cube && vector) {
        const TargetInfo *info = option;
        if (!info) {
          std::optional<Target> t = getEnclosingTarget(at);
          info = lookupTarget(t ? stringifyTarget(*t) : "a2a3");
        }
        bool vectorToCube = cubeUsesVectorResult(at);
        if (info->hasL0CToUB && !splitThroughGM && !vectorToCube) {
          d.decision = Decision::KeepMixed;
        } else {
          d.splitForVectorToCube = info->hasL0CToUB && !splitThroughGM;
          d.decision = Decision::Split;
          FailureOr<SplitPlan> plan =
              planSplit(at, at->getParentOfType<SpmdOp>(), rangesFor);
          if (failed(plan)) {
            anyError = true;
            return;
          }
          d.plan = std::move(*plan);
        }
      }
      decisions.push_back(std::move(d));
    });
    if (anyError)
      return signalPassFailure();

    for (ScopeDecision &d : decisions) {
      auto spmd = d.at->getParentOfType<SpmdOp>();
      StringRef name = spmd.getScopeName();
      switch (d.decision) {
      case Decision::Vector:
        emitDecision(spmd) << "scope '" << name
                           << "': no cube ops, runs on vector cores";
        d.at.setKind(CoreKind::vector);
        break;
      case Decision::Cube:
        emitDecision(spmd) << "scope '" << name
                           << "': cube ops only, runs on cube cores";
        d.at.setKind(CoreKind::cube);
        break;
      case Decision::KeepMixed:
        emitDecision(spmd) << "scope '" << name
                           << "': mixed cube and vector ops stay in one "
                             "core_group scope (the target has an L0C -> UB "
                             "path)";
        break;
      case Decision::Split: {
        int64_t bytes = 0;
        for (auto [v, loop] : llvm::zip(d.plan.staged, d.plan.stagedLoop))
          bytes += cast<TileType>(v.getType()).getSizeInBytes() *
                   (loop ? d.plan.tripCount[loop] : 1);
        std::string names;
        for (auto [i, p] : llvm::enumerate(d.plan.phases)) {
          if (i)
            names += i + 1 == d.plan.phases.size() ? " and " : ", ";
          names += "'" + phaseName(name, d.plan.phases, p) + "'";
        }
        size_t n = d.plan.staged.size();
        {
        InFlightDiagnostic remark = emitDecision(spmd);
        remark << "scope '" << name << "': mixed cube and vector ops split into "
               << names << " meeting in GM: " << n
               << (n == 1 ? " staged tile, " : " staged tiles, ") << bytes
               << " bytes per block, " << bytes * spmd.getBlocks()
               << " bytes in all";
        if (d.splitForVectorToCube)
          remark << " (a cube op uses a tile made by a vector op, and Tessel "
                    "has no UB -> L1 move on this target)";
        for (Operation *op : d.plan.ops)
          if (d.plan.runtimeTrips.contains(op))
            remark << "; a loop with run-time bounds staged for at most "
                   << d.plan.tripCount[op] << " iterations";
        }
        applySplit(d.plan);
        break;
      }
      }
    }
  }
};

} // namespace
