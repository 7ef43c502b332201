//===- AccessSets.h - Exact integer sets of GM accesses ----------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The exact set of GM elements an access touches, as a function of the
// block index of its `tile.spmd`, the variables of its enclosing loops
// (bounds and steps), the `scf.if` conditions it is under, floor division
// and remainder by constants (local variables) and the slice extents: a
// union of integer polyhedra, decided with MLIR's Presburger library
// (docs/races.md). `tile-check-races` asks of two accesses whether two
// distinct blocks (or two iterations a pipeline may reorder) can touch one
// element, and of one access whether it can leave its tensor; a yes comes
// with a witness: the block index, the loop indices and the element.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_TRANSFORMS_ACCESSSETS_H
#define TESSEL_TRANSFORMS_ACCESSSETS_H

#include "tessel/Transforms/ScopeAccesses.h"

#include <optional>
#include <string>

namespace tessel {

/// `sum(coefs[i] * var i) + constant` over the variables of an AccessSet.
struct AffineForm {
  llvm::SmallVector<int64_t> coefs;
  int64_t constant = 0;

  int64_t coef(unsigned var) const {
    return var < coefs.size() ? coefs[var] : 0;
  }
  void add(unsigned var, int64_t c);
  bool isConstant() const;
  AffineForm scaled(int64_t s) const;
  AffineForm plus(const AffineForm &o, int64_t s = 1) const;
};

/// `form >= 0`, or `form == 0` when `eq`.
struct AffineConstraint {
  AffineForm form;
  bool eq = false;
};
using Conjunction = llvm::SmallVector<AffineConstraint>;
/// A disjunction of conjunctions (one of them holds).
using Disjunction = llvm::SmallVector<Conjunction>;

/// The elements one GM access touches, over its variables.
struct AccessSet {
  enum class VarKind { Block, Loop, Local, Element };
  struct Var {
    VarKind kind;
    /// The loop of a Loop variable.
    mlir::Operation *loop = nullptr;
    /// Set for loop variables of loops outside the access's tile.spmd: all
    /// blocks see the same value.
    bool shared = false;
  };

  ScopeAccess access;
  /// The tile.spmd the access runs in (null: none).
  tile::SpmdOp spmd;
  llvm::SmallVector<Var> vars;
  /// Constraints that all hold, and clauses of which one disjunct holds.
  Conjunction constraints;
  llvm::SmallVector<Disjunction> clauses;
  /// The variable of the block index (-1 without a tile.spmd), of each
  /// element coordinate, of each enclosing loop (outermost first, inside
  /// and outside the spmd), and each dimension's offset.
  int blockVar = -1;
  llvm::SmallVector<unsigned> elementVars;
  llvm::SmallVector<std::pair<mlir::Operation *, unsigned>> loops;
  /// The variable of each value read at function level (a memref.load the
  /// orchestration does before the tile.spmd starts): any integer, the
  /// same for every block in one iteration of the loops outside the spmd.
  llvm::SmallVector<std::pair<mlir::Operation *, unsigned>> sharedReads;
  llvm::SmallVector<AffineForm> offsets;
  llvm::SmallVector<int64_t> sizes, shape;
  /// Per dimension: whether a partial tile's runtime valid extent bounds
  /// the element there (tighter than `sizes`, which is the window).
  llvm::SmallVector<bool> runtimeValid;
  /// The shape of the root tensor (the access may go through reshaping
  /// views of it) and the element's row-major offset in it, over the
  /// element variables: two accesses of one root touch one element when
  /// their offsets are equal.
  llvm::SmallVector<int64_t> rootShape;
  AffineForm linear;

  /// Set when an enclosing `if` has a condition the analysis cannot model
  /// and the set ignores it (a superset of the elements: fine for the race
  /// check, not for the bounds check).
  bool conditionDropped = false;

  /// Set when the access cannot be modelled exactly: why, and the op.
  std::string unanalysable;
  mlir::Operation *culprit = nullptr;

  bool isAnalysable() const { return unanalysable.empty(); }
  unsigned addVar(VarKind kind, mlir::Operation *loop = nullptr,
                  bool shared = false);
};

/// Builds the set of the elements `access` touches; on a value it cannot
/// model it sets `unanalysable` (and `culprit`) instead of failing.
AccessSet buildAccessSet(const ScopeAccess &access);

/// The most case systems one question decides (splitting the disjunctions
/// of its accesses lazily, docs/races.md) before it counts as too complex.
/// Each question below takes the limit (`maxCases`) and adds the number of
/// systems it decided to `*systems` when given.
constexpr size_t kDefaultMaxCases = 4096;

/// A point found in a system of two accesses' sets.
struct Witness {
  int64_t blockA = 0, blockB = 0;
  /// (loop, index) of each enclosing loop of A and of B, outermost first.
  llvm::SmallVector<std::pair<mlir::Operation *, int64_t>> loopsA, loopsB;
  /// The element, in the root tensor's coordinates.
  llvm::SmallVector<int64_t> element;
};

/// Whether two distinct blocks of one tile.spmd can touch one element: a
/// block running `a` and another running `b`. Both sets must be analysable
/// and of one root tensor and spmd. Ends with a witness or none; sets
/// `tooComplex` when deciding it splits the disjunctions into more cases
/// than a limit (then no witness proves nothing).
std::optional<Witness>
findCrossBlockConflict(const AccessSet &a, const AccessSet &b,
                       bool &tooComplex,
                       size_t maxCases = kDefaultMaxCases,
                       size_t *systems = nullptr);

/// Whether `load`, in an iteration of `pipeline` (stages = S > 1) at most
/// S - 1 iterations after one in which `store` ran in the same block, can
/// read an element that store writes: the pipeline may issue the load
/// first.
std::optional<Witness>
findPipelineHazard(const AccessSet &store, const AccessSet &load,
                   tile::PipelineOp pipeline, bool &tooComplex,
                   size_t maxCases = kDefaultMaxCases,
                   size_t *systems = nullptr);

/// The same for a loop (`scf.for` or `tile.pipeline`) as if it were a
/// pipeline of `stages` stages: what `tile-pipeline-loops` asks before
/// pipelining a loop.
std::optional<Witness>
findPipelineHazard(const AccessSet &store, const AccessSet &load,
                   mlir::Operation *loop, int64_t stages, bool &tooComplex,
                   size_t maxCases = kDefaultMaxCases,
                   size_t *systems = nullptr);

/// Whether pipelining `loop` with `stages` stages could let a load of one
/// iteration run before a store of an earlier one to the same element:
/// true (with the store in `why`) when it can or cannot be decided.
bool hasPipelineHazard(mlir::Operation *loop, int64_t stages,
                       std::string &why);

/// A point at which the slice of `a` leaves its tensor in dimension `dim`,
/// or none. The element of the witness is the out-of-bounds offset.
std::optional<Witness> findOutOfBounds(const AccessSet &a, unsigned dim,
                                       bool &tooComplex,
                                       size_t maxCases = kDefaultMaxCases,
                                       size_t *systems = nullptr);

/// The name of a loop's variable for witnesses: the NameLoc of its block
/// argument (the frontend names it after the Python variable), else "i<n>".
std::string getLoopVarName(mlir::Operation *loop, unsigned depth);

} // namespace tessel

#endif // TESSEL_TRANSFORMS_ACCESSSETS_H
