//===- CheckRaces.cpp - Prove spmd blocks and pipelined iterations apart --===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// For every tile.spmd scope and every pair of its GM accesses to one root
// tensor, one of them a store, decides exactly (tessel/Transforms/
// AccessSets.h) whether two distinct blocks can touch one element; for
// every tile.pipeline with more than one stage, whether a load can read
// what a store of one of the S - 1 iterations before it writes. Either is
// an error naming a witness (blocks, loop indices, element) at one access
// with a note at the other. An access that cannot be modelled is an error,
// or a remark on a scope marked `assume_independent`. With `check-bounds`,
// a slice that can leave its tensor is an error with the block and loop
// indices where it does. The model: docs/races.md.
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/AccessSets.h"
#include "tessel/Transforms/LoopUtils.h"
#include "tessel/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#define DEBUG_TYPE "tile-check-races"

namespace tessel {
#define GEN_PASS_DEF_TILECHECKRACES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// The attribute on a tile.spmd by which the author asserts its blocks
/// independent where the analysis cannot prove it.
constexpr StringLiteral kAssumeIndependent = "assume_independent";

/// The name a location gives a value: its NameLoc, if any.
static std::optional<std::string> nameOf(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return std::nullopt;
}

static std::string tensorName(Value memref) {
  Value root = getRootTensor(memref);
  if (auto arg = dyn_cast<BlockArgument>(root))
    if (std::optional<std::string> n = nameOf(arg.getLoc()))
      return "'" + *n + "'";
  return describeTensor(root);
}

static std::string blockVarName(SpmdOp spmd) {
  if (spmd)
    if (std::optional<std::string> n = nameOf(spmd.getBlockIndex().getLoc()))
      return *n;
  return "block";
}

static std::string list(ArrayRef<int64_t> xs) {
  std::string s = "[";
  for (auto [i, x] : llvm::enumerate(xs))
    s += (i ? ", " : "") + std::to_string(x);
  return s + "]";
}

/// "block 1 (i = 2, k = 0)": the block and the loops of the access inside
/// the spmd.
static std::string who(const AccessSet &set, int64_t block,
                       ArrayRef<std::pair<Operation *, int64_t>> loops) {
  std::string s = "block " + std::to_string(block);
  std::string inner;
  unsigned depth = 0;
  for (auto [loop, value] : loops) {
    if (set.spmd && !set.spmd->isAncestor(loop))
      continue;
    inner += (inner.empty() ? "" : ", ") + getLoopVarName(loop, depth++) +
             " = " + std::to_string(value);
  }
  if (!inner.empty())
    s += " (" + inner + ")";
  return s;
}

static StringRef verb(const AccessSet &s) {
  return s.access.write ? "writes" : "reads";
}

struct CheckRacesPass
    : public tessel::impl::TileCheckRacesBase<CheckRacesPass> {
  using TileCheckRacesBase::TileCheckRacesBase;

  void runOnOperation() override {
    auto start = std::chrono::steady_clock::now();
    anyError = false;
    questions = systems = mostSystems = 0;
    current = SIZE_MAX;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (auto spmd = dyn_cast<SpmdOp>(op)) {
        checkScope(spmd);
        return WalkResult::skip();
      }
      // Accesses outside any spmd are only bounds-checked.
      if (isa<LoadOp, StoreOp>(op) && checkBounds) {
        ScopeAccess a = isa<LoadOp>(op) ? ScopeAccess::of(cast<LoadOp>(op))
                                        : ScopeAccess::of(cast<StoreOp>(op));
        AccessSet set = buildAccessSet(a);
        if (set.isAnalysable() && !set.conditionDropped)
          checkSliceBounds(set);
      }
      return WalkResult::advance();
    });
    if (reportTime) {
      double ms = std::chrono::duration<double, std::milli>(
                      std::chrono::steady_clock::now() - start)
                      .count();
      char text[32];
      snprintf(text, sizeof(text), "%.2f", ms);
      finishCount();
      getOperation().emitRemark()
          << "race check: " << text << " ms, " << questions
          << " questions, " << systems << " case systems (at most "
          << mostSystems << " for one question)";
    }
    if (anyError)
      signalPassFailure();
  }

  void checkScope(SpmdOp spmd) {
    SmallVector<ScopeAccess> accesses;
    if (failed(collectScopeAccesses(spmd, accesses))) {
      // A scalar read (memref.load: pl.read in the spmd body, outside its
      // core scopes) of a tensor no op of the scope writes cannot race:
      // every block reads the same unchanging data.
      DenseSet<Value> written;
      for (const ScopeAccess &a : accesses)
        if (a.write)
          written.insert(getRootTensor(a.memref));
      Operation *opaque = nullptr;
      spmd.walk([&](Operation *op) {
        if (opaque || isa<LoadOp, StoreOp>(op) ||
            !llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>))
          return;
        if (auto read = dyn_cast<memref::LoadOp>(op))
          if (!written.contains(getRootTensor(read.getMemRef())))
            return;
        opaque = op;
      });
      if (!opaque) {
        checkAccesses(spmd, accesses);
        return;
      }
      unprovable(spmd, opaque,
                 "an operation other than tile.load and tile.store uses a "
                 "GM tensor",
                 nullptr);
      return;
    }
    checkAccesses(spmd, accesses);
  }

  /// The race (and bounds) questions of the GM accesses of one scope.
  void checkAccesses(SpmdOp spmd, ArrayRef<ScopeAccess> accesses) {
    std::vector<AccessSet> sets;
    for (const ScopeAccess &a : accesses)
      sets.push_back(buildAccessSet(a));
    if (checkBounds)
      for (const AccessSet &s : sets)
        if (s.isAnalysable() && !s.conditionDropped)
          checkSliceBounds(s);

    DenseSet<Operation *> reported;
    for (size_t i = 0; i < sets.size(); ++i) {
      for (size_t j = i; j < sets.size(); ++j) {
        const AccessSet &a = sets[i], &b = sets[j];
        if (!a.access.write && !b.access.write)
          continue;
        // Atomic adds into one region commute: not a race between them
        // (either one against a plain read or write still is).
        if (isAtomicAddStore(a.access.op) && isAtomicAddStore(b.access.op))
          continue;
        if (getRootTensor(a.access.memref) != getRootTensor(b.access.memref))
          continue;
        if (!a.isAnalysable() || !b.isAnalysable()) {
          // Only other blocks, and loads a pipeline may hoist above a
          // store, can conflict: a one-block scope without such a pipeline
          // needs no proof.
          if (spmd.getBlocks() > 1 || sharePipeline(a, b))
            for (const AccessSet *s : {&a, &b})
              if (!s->isAnalysable() &&
                  reported.insert(s->access.op).second)
                unprovable(spmd, s->access.op, s->unanalysable, s->culprit);
          continue;
        }
        // A store first: the error is on it, the note on the other.
        const AccessSet &x = a.access.write ? a : b;
        const AccessSet &y = a.access.write ? b : a;
        checkPair(spmd, x, y);
        if (x.access.write && !y.access.write)
          checkPipelines(spmd, x, y);
      }
    }
  }

  /// Whether a store and a load of the pair are in one pipeline of more
  /// than one stage.
  static bool sharePipeline(const AccessSet &a, const AccessSet &b) {
    if (a.access.write == b.access.write)
      return false;
    for (Operation *p = a.access.op->getParentOp(); p; p = p->getParentOp())
      if (auto pipe = dyn_cast<PipelineOp>(p))
        if (pipe.getStages() > 1 && pipe->isAncestor(b.access.op))
          return true;
    return false;
  }

  void checkPair(SpmdOp spmd, const AccessSet &x, const AccessSet &y) {
    bool tooComplex = false;
    std::optional<Witness> w =
        findCrossBlockConflict(x, y, tooComplex, maxCases, nextQuestion());
    if (tooComplex) {
      unprovable(spmd, x.access.op, tooManyCases(), y.access.op);
      return;
    }
    if (!w)
      return;
    std::string t = tensorName(x.access.memref);
    std::string first = who(x, w->blockA, w->loopsA);
    std::string second = who(y, w->blockB, w->loopsB);
    InFlightDiagnostic diag = x.access.op->emitError()
                              << "race on " << t << " in scope '"
                              << spmd.getScopeName() << "': " << first << " "
                              << verb(x) << " element " << list(w->element)
                              << ", which " << second << " "
                              << (y.access.write ? "also writes" : "reads");
    diag.attachNote(y.access.op->getLoc())
        << "the other access: " << second << " " << verb(y) << " element "
        << list(w->element) << " here";
    anyError = true;
  }

  void checkPipelines(SpmdOp spmd, const AccessSet &store,
                      const AccessSet &load) {
    for (auto [loop, var] : store.loops) {
      auto pipe = dyn_cast<PipelineOp>(loop);
      if (!pipe || pipe.getStages() < 2 || !pipe->isAncestor(load.access.op))
        continue;
      bool tooComplex = false;
      std::optional<Witness> w =
          findPipelineHazard(store, load, pipe, tooComplex, maxCases,
                             nextQuestion());
      if (tooComplex) {
        unprovable(spmd, store.access.op, tooManyCases(), load.access.op);
        return;
      }
      if (!w)
        continue;
      std::string t = tensorName(store.access.memref);
      std::string first = who(store, w->blockA, w->loopsA);
      std::string second = who(load, w->blockB, w->loopsB);
      InFlightDiagnostic diag =
          store.access.op->emitError()
          << "race between pipelined iterations on " << t << " in scope '"
          << spmd.getScopeName() << "': " << first << " writes element "
          << list(w->element) << ", which " << second
          << " reads, and the " << pipe.getStages()
          << "-stage pipeline may load it before it is written";
      diag.attachNote(load.access.op->getLoc())
          << "the load: " << second << " reads element " << list(w->element)
          << " here";
      diag.attachNote(pipe.getLoc())
          << "the pipeline: its loads run up to " << pipe.getStages() - 1
          << " iteration(s) ahead of its stores";
      anyError = true;
    }
  }

  void checkSliceBounds(const AccessSet &s) {
    for (unsigned d = 0; d < s.offsets.size(); ++d) {
      bool tooComplex = false;
      std::optional<Witness> w =
          findOutOfBounds(s, d, tooComplex, maxCases, nextQuestion());
      if (tooComplex) {
        // Undecided is not in bounds.
        s.access.op->emitError()
            << "cannot prove the slice in bounds in dimension " << d
            << " of " << tensorName(s.access.memref)
            << ": the conditions on the access have too many cases (more "
            << "than " << static_cast<unsigned>(maxCases)
            << " case systems to decide)";
        anyError = true;
        return;
      }
      if (!w)
        continue;
      int64_t off = w->element[d];
      InFlightDiagnostic diag =
          s.access.op->emitError()
          << "slice out of bounds in dimension " << d << " of "
          << (getRootTensor(s.access.memref) != s.access.memref
                  ? "a reshaped view of "
                  : "")
          << tensorName(s.access.memref) << " (size " << s.shape[d]
          << "): " << who(s, w->blockA, w->loopsA) << " "
          << (s.access.write ? "writes" : "reads") << " ";
      if (d < s.runtimeValid.size() && s.runtimeValid[d])
        diag << "from " << off << " a partial tile's runtime valid extent "
             << "that passes " << s.shape[d];
      else
        diag << off << ":" << off + s.sizes[d];
      diag << ", expected within 0:" << s.shape[d];
      if (!s.spmd)
        diag << " (outside any spmd scope)";
      anyError = true;
      return;
    }
  }

  std::string tooManyCases() const {
    return "the conditions on two accesses have too many cases (more than " +
           std::to_string(maxCases) + " case systems to decide)";
  }

  void unprovable(SpmdOp spmd, Operation *at, StringRef why,
                  Operation *culprit) {
    bool assumed = spmd->hasAttr(kAssumeIndependent);
    InFlightDiagnostic diag =
        assumed ? at->emitRemark() : at->emitError();
    diag << (assumed ? "blocks of scope '" : "cannot prove the blocks of scope '")
         << spmd.getScopeName()
         << (assumed ? "' assumed independent (assume_independent): "
                     "the race check cannot analyse this access: "
                     : "' independent: ")
         << why;
    if (culprit && culprit != at)
      diag.attachNote(culprit->getLoc()) << "here";
    if (!assumed) {
      diag.attachNote(spmd.getLoc())
          << "prove it by writing affine indices, or assert it with "
             "pl.spmd(..., assume_independent=True) (the "
          << kAssumeIndependent << " attribute)";
      anyError = true;
    }
  }

  /// The counter of case systems the next question adds to (for the
  /// report-time remark): one per question.
  size_t *nextQuestion() {
    finishCount();
    ++questions;
    current = 0;
    return &current;
  }
  void finishCount() {
    if (current == SIZE_MAX)
      return;
    systems += current;
    mostSystems = std::max(mostSystems, current);
    current = SIZE_MAX;
  }

  bool anyError = false;
  size_t questions = 0, systems = 0, mostSystems = 0, current = SIZE_MAX;
};

} // namespace
