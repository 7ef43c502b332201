//===- TilePlacement.cpp - Buffers, live ranges and offsets of a scope ----===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Program points: the ops of a tile.at body are numbered in pre-order; an op
// with regions gets a second point after its regions. A value's live range
// runs from its definition to its last use, where a use inside a loop that
// does not contain the definition counts at the end of that loop (the value
// must survive every iteration). Storage with slots (a tile defined directly
// in the body of a tile.pipeline with stages > 1) is live for the whole
// pipeline, so that that many iterations can be in flight; the storage of a
// loop-carried tile is live from the pipeline (where the init value is copied
// in) to the last use of the pipeline's result. The result storage of an
// scf.if is live from the scf.if to the last use of its result; a value a
// branch yields is used by the branch's scf.yield, so it lives until the end
// of its branch.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Analysis/TileLayout.h"

#include "tile/TileDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

#include <optional>

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

StringRef tessel::getBufferKindTitle(BufferKind kind) {
  switch (kind) {
  case BufferKind::UB:
    return "vector UB";
  case BufferKind::L1:
    return "cube L1";
  case BufferKind::L0A:
    return "cube L0A";
  case BufferKind::L0B:
    return "cube L0B";
  case BufferKind::L0C:
    return "cube L0C";
  }
  llvm_unreachable("unknown buffer kind");
}

MemoryKind tessel::toMemoryKind(BufferKind kind) {
  switch (kind) {
  case BufferKind::UB:
    return MemoryKind::ub;
  case BufferKind::L1:
    return MemoryKind::l1;
  case BufferKind::L0A:
    return MemoryKind::l0a;
  case BufferKind::L0B:
    return MemoryKind::l0b;
  case BufferKind::L0C:
    return MemoryKind::l0c;
  }
  llvm_unreachable("unknown buffer kind");
}

std::optional<BufferKind> tessel::fromMemoryKind(MemoryKind kind) {
  switch (kind) {
  case MemoryKind::gm:
    return std::nullopt;
  case MemoryKind::ub:
    return BufferKind::UB;
  case MemoryKind::l1:
    return BufferKind::L1;
  case MemoryKind::l0a:
    return BufferKind::L0A;
  case MemoryKind::l0b:
    return BufferKind::L0B;
  case MemoryKind::l0c:
    return BufferKind::L0C;
  }
  llvm_unreachable("unknown memory kind");
}

std::string tessel::getTileName(Value value) {
  if (auto name = LocationAttr(value.getLoc()).findInstanceOf<NameLoc>())
    return name.getName().str();
  if (auto result = dyn_cast<OpResult>(value))
    return (result.getOwner()->getName().getStringRef() + "#" +
            Twine(result.getResultNumber()))
        .str();
  auto arg = cast<BlockArgument>(value);
  Operation *parent = arg.getOwner()->getParentOp();
  if (isa<PipelineOp>(parent))
    return ("tile.pipeline iter_arg #" + Twine(arg.getArgNumber() - 1)).str();
  return (parent->getName().getStringRef() + " argument #" +
          Twine(arg.getArgNumber()))
      .str();
}

static std::optional<unsigned> getLine(Location loc) {
  if (auto range = LocationAttr(loc).findInstanceOf<FileLineColRange>())
    return range.getStartLine();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Cube operand windows
//===----------------------------------------------------------------------===//

std::optional<CubeOperandWindow>
tessel::getCubeOperandWindow(ExtractOp op) {
  Value result = op.getResult();
  if (result.use_empty())
    return std::nullopt;
  std::optional<CubeOperandWindow> window;
  for (OpOperand &use : result.getUses()) {
    std::optional<MatmulView> mm = getMatmulView(use.getOwner());
    if (!mm)
      return std::nullopt;
    bool isLhs = mm->lhs == result, isRhs = mm->rhs == result;
    // An operand multiplied by itself needs it in L0A and L0B.
    if (isLhs == isRhs)
      return std::nullopt;
    CubeOperandWindow w;
    w.kind = isLhs ? BufferKind::L0A : BufferKind::L0B;
    w.trans = isLhs ? mm->aTrans : mm->bTrans;
    w.logicalType = isLhs ? mm->lhsType : mm->rhsType;
    if (window && (window->kind != w.kind || window->trans != w.trans))
      return std::nullopt;
    window = w;
  }
  return window;
}

int64_t tessel::getCubeOperandWindowBytes(const CubeOperandWindow &window,
                                          const TargetInfo &target) {
  return getTileStorageBytes(window.logicalType, window.kind, target);
}

//===----------------------------------------------------------------------===//
// Pipe crossings
//===----------------------------------------------------------------------===//

bool tessel::runsOnVectorPipeOnly(Operation *op) {
  if (!isa_and_nonnull<TileDialect>(op->getDialect()) ||
      op->getNumRegions() || op->hasTrait<OpTrait::IsTerminator>())
    return false;
  return op->hasTrait<VectorOnly>() ||
         isa<FullOp, CopyOp, ExtractOp, InsertOp, ReshapeOp>(op);
}

Operation *tessel::getPipeCrossing(Value value,
                                   function_ref<bool(Value)> inUB) {
  auto onVector = [&](Operation *op) {
    auto tilesInUB = [&](ValueRange values) {
      return llvm::all_of(values, [&](Value v) {
        return !isa<TileType>(v.getType()) || inUB(v);
      });
    };
    return runsOnVectorPipeOnly(op) && tilesInUB(op->getOperands()) &&
           tilesInUB(op->getResults());
  };
  Operation *def = value.getDefiningOp();
  if (!def)
    return cast<BlockArgument>(value).getOwner()->getParentOp();
  if (!onVector(def))
    return def;
  // A reshape may be a view of its operand (the same bytes): its users
  // touch the value's storage too.
  SmallVector<Value> worklist = {value};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (!onVector(user))
        return user;
      if (auto reshape = dyn_cast<ReshapeOp>(user))
        worklist.push_back(reshape.getResult());
    }
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// PlacedBuffer, ScopePlacement
//===----------------------------------------------------------------------===//

PackingBuffer PlacedBuffer::toPackingBuffer() const {
  PackingBuffer b;
  b.size = size;
  b.align = align;
  b.start = start;
  b.end = end;
  b.slots = slots;
  return b;
}

bool ScopePlacement::fits() const {
  return llvm::all_of(kinds, [](const KindPlacement &k) { return k.fits(); });
}

FitSummary tessel::summarizeFit(AtOp scope, const TargetInfo &target) {
  FitSummary fit;
  FailureOr<ScopePlacement> placement = failure();
  {
    ScopedDiagnosticHandler handler(scope->getContext(), [&](Diagnostic &diag) {
      if (fit.error.empty())
        fit.error = diag.str();
      return success();
    });
    placement = computeScopePlacement(scope, target, /*allowPressure=*/false);
  }
  if (failed(placement)) {
    fit.placeable = false;
    return fit;
  }
  fit.fits = placement->fits();
  double worst = -1;
  bool allKindsFit = true;
  // L0A and L0B hold matmul operands one at a time; the storage that stages
  // and fusion multiply is in UB, L1 and L0C.
  for (BufferKind kind : {BufferKind::UB, BufferKind::L1, BufferKind::L0C}) {
    const KindPlacement &k = placement->getKind(kind);
    if (!k.used || k.capacity <= 0)
      continue;
    allKindsFit &= k.fits();
    double ratio = double(k.peak) / double(k.capacity);
    if (ratio > worst) {
      worst = ratio;
      fit.kind = kind;
      fit.peak = k.peak;
      fit.capacity = k.capacity;
    }
  }
  fit.operandTooLarge = allKindsFit && !fit.fits;
  return fit;
}

FailureOr<const TargetInfo *>
tessel::resolveTargetOption(ModuleOp module, StringRef name) {
  if (name.empty())
    return static_cast<const TargetInfo *>(nullptr);
  const TargetInfo *option = lookupTarget(name);
  if (!option) {
    module.emitError("unknown target '")
        << name << "': expected one of a2a3, a5";
    return failure();
  }
  bool conflict = false;
  module->walk<WalkOrder::PreOrder>([&](Operation *op) {
    auto attr = op->getAttrOfType<TargetAttr>(TileDialect::kTargetAttrName);
    if (!attr || stringifyTarget(attr.getValue()) == option->name)
      return;
    op->emitError("target option '")
        << option->name << "' contradicts " << TileDialect::kTargetAttrName
        << " = " << stringifyTarget(attr.getValue());
    conflict = true;
  });
  if (conflict)
    return failure();
  return option;
}

const TargetInfo &tessel::getScopeTarget(AtOp scope,
                                         const TargetInfo *option) {
  if (option)
    return *option;
  if (std::optional<Target> t = getEnclosingTarget(scope))
    if (const TargetInfo *info = lookupTarget(stringifyTarget(*t)))
      return *info;
  return *lookupTarget("a2a3");
}

//===----------------------------------------------------------------------===//
// Program points
//===----------------------------------------------------------------------===//

namespace {

/// Numbers the ops of a scope in pre-order; an op with regions also gets a
/// point after its regions.
class ProgramPoints {
public:
  explicit ProgramPoints(AtOp scope) { number(scope.getBodyBlock()); }

  int64_t begin(Operation *op) const { return begins.lookup(op); }
  int64_t end(Operation *op) const { return ends.lookup(op); }

  /// The last point at which `user` needs `value`: the user's own point, or
  /// the end of the outermost loop that encloses the user but not the
  /// value's definition.
  int64_t usePoint(Value value, Operation *user) const {
    int64_t point = begin(user);
    Region *defRegion = value.getParentRegion();
    for (Operation *op = user; op->getParentRegion() != defRegion;) {
      op = op->getParentOp();
      if (!op)
        break;
      if (isa<LoopLikeOpInterface>(op))
        point = std::max(point, end(op));
    }
    return point;
  }

private:
  void number(Block &block) {
    for (Operation &op : block) {
      begins[&op] = next++;
      for (Region &region : op.getRegions())
        for (Block &nested : region)
          number(nested);
      ends[&op] = op.getNumRegions() ? next++ : begins[&op];
    }
  }

  DenseMap<Operation *, int64_t> begins, ends;
  int64_t next = 0;
};

/// Union-find over the tile values of a scope, with what their producers
/// and users need.
class KindClasses {
public:
  unsigned add(Value v) {
    auto [it, inserted] = index.try_emplace(v, parent.size());
    if (inserted) {
      parent.push_back(parent.size());
      flags.push_back({});
      values.push_back(v);
    }
    return it->second;
  }
  unsigned find(unsigned i) {
    while (parent[i] != i)
      i = parent[i] = parent[parent[i]];
    return i;
  }
  unsigned find(Value v) { return find(index.lookup(v)); }
  void unite(Value a, Value b) {
    unsigned ra = find(a), rb = find(b);
    if (ra == rb)
      return;
    parent[rb] = ra;
    flags[ra].merge(flags[rb]);
  }

  struct Flags {
    bool vectorSide = false; // made or used by a vector op
    bool cubeSide = false;   // made or used by a cube op
    bool l0c = false;        // a matmul result or a matmul_acc accumulator
    bool vectorMade = false; // a vector op's result
    void merge(const Flags &o) {
      vectorSide |= o.vectorSide;
      cubeSide |= o.cubeSide;
      l0c |= o.l0c;
      vectorMade |= o.vectorMade;
    }
  };
  Flags &flagsOf(Value v) { return flags[find(v)]; }

  DenseMap<Value, unsigned> index;
  SmallVector<unsigned> parent;
  SmallVector<Flags> flags;
  SmallVector<Value> values;
};

} // namespace

/// The innermost tile.pipeline enclosing `op` inside `scope`, if any.
static PipelineOp getInnermostPipeline(Operation *op, AtOp scope) {
  for (Operation *p = op->getParentOp(); p && p != scope.getOperation();
       p = p->getParentOp())
    if (auto pipeline = dyn_cast<PipelineOp>(p))
      return pipeline;
  return {};
}

static bool isTile(Value v) { return isa<TileType>(v.getType()); }

/// Every value living in the storage of `b`.
static SmallVector<Value> getStorageMembers(const PlacedBuffer &b) {
  llvm::SetVector<Value> members;
  members.insert(b.value);
  members.insert(b.aliases.begin(), b.aliases.end());
  for (auto [pipeline, i] : b.carriedBy) {
    PipelineOp p = pipeline;
    members.insert(p.getIterArgs()[i]);
    members.insert(p.getResult(i));
  }
  return members.takeVector();
}

/// Whether `op` may write its result over `operand`: the result has the
/// operand's type and each of its elements is computed from the same element
/// of the operand only (the lowering reads it before writing it). With
/// `underPressure` (a scope that does not fit without it), also a cast
/// between element types of one width.
static bool isInPlaceOperand(Operation *op, OpOperand &operand,
                             bool underPressure) {
  // tile.cast between element types of one width (i32 <-> f32, f16 <->
  // bf16): the same shape in the same layout (TileLayout.h), each result
  // element converted from the same source element (PTO-ISA's TCVT may
  // run with dst == src for these). Only under pressure: over a loaded
  // source whose result a store reads, the storage then passes MTE2 -> V
  // -> MTE3, so in a loop the next load into it waits for the store
  // rather than for the cast (DSV4's hand q_up_proj_vector: more syncs).
  if (auto castOp = dyn_cast<CastOp>(op)) {
    auto in = cast<TileType>(castOp.getInput().getType());
    auto out = cast<TileType>(castOp.getResult().getType());
    return underPressure && in.getShape() == out.getShape() &&
           getElementBytes(in.getElementType()) ==
               getElementBytes(out.getElementType());
  }
  // tile.reinterpret_view between element types of one width: the same
  // shape of the same bytes in every buffer (TileLayout.h), so the result
  // is its operand's storage read as the other type (no instruction on
  // the NPU).
  if (auto view = dyn_cast<ReinterpretViewOp>(op)) {
    auto in = cast<TileType>(view.getInput().getType());
    auto out = cast<TileType>(view.getType());
    return getElementBytes(in.getElementType()) ==
               getElementBytes(out.getElementType()) &&
           in.getShape() == out.getShape();
  }
  if (op->getNumResults() != 1 ||
      operand.get().getType() != op->getResult(0).getType())
    return false;
  // Not tile.recip: PTO-ISA's a2a3 TRECIP cannot write over its source;
  // not tile.rem / tile.rems: a2a3's TREM / TREMS write the destination
  // before they read the sources again.
  if (isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, AddSOp, SubSOp, RSubSOp,
          MulSOp, DivSOp, RDivSOp, MaxSOp, MinSOp, NegOp, AbsOp, SqrtOp,
          RsqrtOp, ExpOp, LogOp, SinOp, CosOp, FModOp, FModSOp,
          FillPadOp>(op))
    return true;
  // The broadcast arithmetic reads input[i, j] (and the scale) for result
  // element (i, j) only.
  if (getExpandInfo(op))
    return operand.getOperandNumber() == 0;
  // tile.insert: outside the window the result is dest's element, inside
  // it the source's; placed on dest, only the window is written.
  if (auto ins = dyn_cast<InsertOp>(op))
    return &operand == &ins.getDestMutable();
  // tile.set: one element replaced, the rest is dest's.
  if (auto set = dyn_cast<SetOp>(op))
    return &operand == &set.getDestMutable();
  if (auto acc = dyn_cast<MatmulAccOp>(op))
    return &operand == &acc.getAccMutable();
  return false;
}

//===----------------------------------------------------------------------===//
// computeScopePlacement
//===----------------------------------------------------------------------===//

/// The placement of `scope` with the in-place rules of docs/placement.md;
/// with `underPressure` also the reuses computeScopePlacement tries only
/// when a scope does not fit without them (docs/placement.md "Under
/// pressure").
static FailureOr<ScopePlacement>
placeScope(AtOp scope, const TargetInfo &target, bool underPressure) {
  ScopePlacement placement;
  placement.scope = scope;
  placement.target = &target;
  placement.underPressure = underPressure;
  for (BufferKind kind : kAllBufferKinds) {
    KindPlacement &k = placement.kinds[static_cast<size_t>(kind)];
    k.kind = kind;
    k.capacity = target.getBuffer(kind).usableBytes;
  }

  // 1. Collect the tile values; reject tiles carried by anything other than
  //    a tile.pipeline (iter_args) or an scf.if (results).
  KindClasses classes;
  WalkResult walk = scope.getBody().walk<WalkOrder::PreOrder>(
      [&](Operation *op) -> WalkResult {
        bool carries = false;
        for (Region &region : op->getRegions())
          for (Block &block : region)
            for (BlockArgument arg : block.getArguments())
              if (isTile(arg)) {
                carries |= !isa<PipelineOp>(op);
                classes.add(arg);
              }
        for (Value result : op->getResults())
          if (isTile(result)) {
            carries |= !isa<PipelineOp, scf::IfOp>(op) &&
                       !isa<TileDialect>(op->getDialect());
            classes.add(result);
          }
        if (carries) {
          op->emitOpError("carries a tile, which tile-place-buffers cannot "
                          "place: carry tiles through tile.pipeline "
                          "iter_args or scf.if results");
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
  if (walk.wasInterrupted())
    return failure();

  // 2. Kinds: tie values that must share a buffer kind (reshape views,
  //    loop-carried values, the results of an scf.if and the values its
  //    branches yield), then read what producers and users need.
  scope.getBody().walk([&](Operation *op) {
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      classes.unite(reshape.getInput(), reshape.getResult());
    } else if (auto pipeline = dyn_cast<PipelineOp>(op)) {
      auto yield = cast<YieldOp>(pipeline.getBodyBlock().getTerminator());
      for (unsigned i = 0, e = pipeline.getNumIterArgs(); i < e; ++i) {
        Value iterArg = pipeline.getIterArgs()[i];
        if (!isTile(iterArg))
          continue;
        classes.unite(iterArg, pipeline.getInitArgs()[i]);
        classes.unite(iterArg, pipeline.getResult(i));
        classes.unite(iterArg, yield.getOperand(i));
      }
    } else if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
      for (OpResult result : ifOp->getResults()) {
        if (!isTile(result))
          continue;
        unsigned i = result.getResultNumber();
        classes.unite(result, ifOp.thenYield().getOperand(i));
        classes.unite(result, ifOp.elseYield().getOperand(i));
      }
    }
  });
  scope.getBody().walk([&](Operation *op) {
    bool vectorOp = op->hasTrait<VectorOnly>();
    bool cubeOp = op->hasTrait<CubeOnly>();
    for (Value result : op->getResults()) {
      if (!isTile(result))
        continue;
      KindClasses::Flags &f = classes.flagsOf(result);
      f.vectorSide |= vectorOp;
      f.cubeSide |= cubeOp;
      f.l0c |= isa<MatmulOp, MatmulAccOp>(op);
      f.vectorMade |= vectorOp;
    }
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isTile(operand.get()))
        continue;
      KindClasses::Flags &f = classes.flagsOf(operand.get());
      f.vectorSide |= vectorOp;
      f.cubeSide |= cubeOp;
      if (auto acc = dyn_cast<MatmulAccOp>(op))
        f.l0c |= &operand == &acc.getAccMutable();
    }
    // The source of a cube operand window is on the cube side with it.
    if (auto extract = dyn_cast<ExtractOp>(op))
      if (getCubeOperandWindow(extract))
        classes.flagsOf(extract.getSource()).cubeSide = true;
  });

  CoreKind coreKind = scope.getKind();
  if (coreKind == CoreKind::core_group) {
    for (Value v : classes.values) {
      KindClasses::Flags &f = classes.flagsOf(v);
      if (!(f.vectorSide && f.cubeSide))
        continue;
      // Where L0C reaches UB (a5), vector ops may read a cube result in
      // place: the L0C -> UB move is implicit, as L1 -> L0A/L0B is.
      if (target.hasL0CToUB && f.l0c && !f.vectorMade)
        continue;
      Operation *at = v.getDefiningOp();
      if (!at)
        at = cast<BlockArgument>(v).getOwner()->getParentOp();
      // On a target with the L0C -> UB path tile-split-mixed-scopes keeps
      // a mixed scope unless a cube op uses a vector op's tile; it splits
      // that case, so the message points there for it.
      InFlightDiagnostic diag = at->emitError(
          "tile is used by both cube and vector ops in a core_group scope");
      if (target.hasL0CToUB)
        diag << ": on " << target.name
             << " only a matmul result crosses from the cube side to the "
                "vector side (read in L0C), and this tile "
             << (f.vectorMade ? "is made by a vector op (run "
                                "tile-split-mixed-scopes first: it splits "
                                "such a scope through GM)"
                              : "is not a matmul result")
             << "; give each side its own tile or split the work into "
                "scopes that meet in GM";
      else
        diag << ": run tile-split-mixed-scopes first";
      diag.attachNote(scope.getLoc()) << "core_group scope is here";
      return failure();
    }
  }
  auto baseKindOf = [&](Value v) {
    KindClasses::Flags &f = classes.flagsOf(v);
    bool cube = coreKind == CoreKind::cube ||
                (coreKind == CoreKind::core_group && f.cubeSide);
    if (!cube)
      return BufferKind::UB;
    Operation *def = v.getDefiningOp();
    if (isa_and_nonnull<LoadOp>(def))
      return BufferKind::L1;
    if (isa_and_nonnull<MatmulOp, MatmulAccOp>(def))
      return BufferKind::L0C;
    return f.l0c ? BufferKind::L0C : BufferKind::L1;
  };
  // Windows of L1 operands that the cube reads directly live in L0A / L0B
  // (getCubeOperandWindow): the extract is the L1 -> L0 move.
  DenseMap<Value, BufferKind> l0Windows;
  scope.getBody().walk([&](ExtractOp op) {
    if (baseKindOf(op.getResult()) != BufferKind::L1 ||
        baseKindOf(op.getSource()) != BufferKind::L1)
      return;
    if (std::optional<CubeOperandWindow> w = getCubeOperandWindow(op))
      l0Windows[op.getResult()] = w->kind;
  });
  auto kindOf = [&](Value v) {
    auto it = l0Windows.find(v);
    return it != l0Windows.end() ? it->second : baseKindOf(v);
  };

  // 2b. Explicit placements: an op whose author named the memory of its
  //     result (`tile.memory`, pl.load(target_memory=...), pl.create_tile)
  //     is honoured when the placement above agrees, and an error when it
  //     cannot: the kind follows from the scope and the ops that use the
  //     tile, so the message says which.
  WalkResult explicitWalk = scope.getBody().walk([&](Operation *op)
                                                     -> WalkResult {
    Attribute attr = op->getAttr(kMemoryAttrName);
    if (!attr)
      return WalkResult::advance();
    auto requested = dyn_cast<MemoryKindAttr>(attr);
    if (!requested) {
      op->emitOpError("has '")
          << kMemoryAttrName << "' = " << attr
          << ", expected a memory such as #tile.memory<l1>";
      return WalkResult::interrupt();
    }
    if (op->getNumResults() != 1 || !isTile(op->getResult(0))) {
      op->emitOpError("has '")
          << kMemoryAttrName << "' but no single tile result to place";
      return WalkResult::interrupt();
    }
    Value result = op->getResult(0);
    std::optional<BufferKind> want = fromMemoryKind(requested.getValue());
    if (!want || *want == BufferKind::L0A || *want == BufferKind::L0B) {
      op->emitOpError("asks for ")
          << stringifyMemoryKind(requested.getValue())
          << ", where tiles are not stored: L0A and L0B hold a matmul's "
             "operands while it runs (moved from L1), GM holds tensors; "
             "ask for ub, l1 or l0c";
      return WalkResult::interrupt();
    }
    BufferKind got = kindOf(result);
    if (got == *want)
      return WalkResult::advance();
    KindClasses::Flags &f = classes.flagsOf(result);
    std::string why;
    if (coreKind == CoreKind::vector)
      why = "a vector scope has only the UB";
    else if (coreKind == CoreKind::cube)
      why = "a cube scope has no UB";
    else if (got == BufferKind::UB)
      why = "only vector ops use it";
    else if (got == BufferKind::L0C)
      why = f.l0c ? "it holds a matmul result or accumulator"
                  : "the cube side keeps it in L0C";
    else
      why = f.cubeSide ? "a cube op uses it" : "the cube side keeps it in L1";
    op->emitError("tile '")
        << getTileName(result) << "' is asked to live in "
        << getBufferKindTitle(*want) << " but is placed in "
        << getBufferKindTitle(got) << ": " << why;
    return WalkResult::interrupt();
  });
  if (explicitWalk.wasInterrupted())
    return failure();

  // 3. Storage: one per tile value, except where a value can live in the
  //    bytes of another: a reshape view of its operand; the loop-carried
  //    storage of a tile.pipeline iter_arg, which its init value shares when
  //    it dies at the pipeline; the value a pipeline yields when it is
  //    computed in place over the iter_arg (the accumulator); the result
  //    storage of an scf.if, which a value its branch yields shares (no
  //    copy at the end of the branch). Values are visited in pre-order, so
  //    a value's operands have storage before it, and an scf.if's result
  //    storage exists before its branches.
  ProgramPoints points(scope);
  std::vector<PlacedBuffer> &buffers = placement.buffers;
  DenseMap<Value, size_t> storageOf;
  auto newBuffer = [&](Value value, Operation *owner) -> size_t {
    PlacedBuffer &b = buffers.emplace_back();
    b.value = value;
    b.owner = owner;
    b.name = getTileName(value);
    b.kind = kindOf(value);
    auto type = cast<TileType>(value.getType());
    b.size = getTileStorageBytes(type, b.kind, target);
    if (l0Windows.count(value)) {
      auto extract = cast<ExtractOp>(value.getDefiningOp());
      b.size =
          getCubeOperandWindowBytes(*getCubeOperandWindow(extract), target);
    }
    b.dataBytes = type.getSizeInBytes();
    b.align = target.getBuffer(b.kind).alignBytes;
    storageOf[value] = buffers.size() - 1;
    return buffers.size() - 1;
  };
  // Whether the storage of `init` is dead once `pipeline` has read it.
  // Under pressure, an init value that several iter_args start from (one
  // tile.full that CSE merged) is carried by the first of them; the others
  // copy it before the loop, when nothing has written the first one yet.
  auto canCarryInit = [&](PipelineOp pipeline, Value init, Value iterArg) {
    auto it = storageOf.find(init);
    if (it == storageOf.end())
      return false;
    PlacedBuffer &b = buffers[it->second];
    if (b.slots != 1 || b.kind != kindOf(iterArg) ||
        llvm::is_contained(llvm::make_first_range(b.carriedBy), pipeline) ||
        (!underPressure && llvm::count(pipeline.getInitArgs(), init) != 1))
      return false;
    int64_t at = points.begin(pipeline);
    for (Value member : getStorageMembers(b))
      for (OpOperand &use : member.getUses())
        if (points.usePoint(member, use.getOwner()) > at)
          return false;
    return true;
  };
  // The iter_arg whose storage `op` (directly in a pipeline body) may
  // compute its result over, if any: `op` is in place in an operand held in
  // that storage (the iter_arg, or a value an earlier op of the body
  // computed over it: a chain of accumulations such as the K steps of a
  // split matmul_acc), every value of the body held there dies at `op`, and
  // if the pipeline yields the result it yields it for that iter_arg.
  auto getInPlaceIterArg = [&](Operation *op, Value result) -> Value {
    auto pipeline = dyn_cast<PipelineOp>(op->getParentOp());
    if (!pipeline || result.getDefiningOp() != op)
      return {};
    auto yield = cast<YieldOp>(pipeline.getBodyBlock().getTerminator());
    int64_t yields = llvm::count(yield.getOperands(), result);
    if (yields > 1)
      return {};
    int64_t at = points.begin(op);
    for (unsigned i = 0, e = pipeline.getNumIterArgs(); i < e; ++i) {
      Value iterArg = pipeline.getIterArgs()[i];
      if (yields == 1 && yield.getOperand(i) != result)
        continue;
      auto it = storageOf.find(iterArg);
      if (it == storageOf.end() || buffers[it->second].kind != kindOf(result))
        continue;
      SmallVector<Value> members = {iterArg};
      for (Value alias : buffers[it->second].aliases)
        if (alias.getParentBlock() == op->getBlock())
          members.push_back(alias);
      bool used = false, ok = true;
      for (OpOperand &operand : op->getOpOperands()) {
        if (!llvm::is_contained(members, operand.get()))
          continue;
        ok &= isInPlaceOperand(op, operand, underPressure);
        used = true;
      }
      // An scf.if (pypto-lib's `if kb == 0: acc = pl.matmul(...)` / `else:
      // acc = pl.matmul_acc(acc, ...)`): in place when, in each branch, the
      // only reader of the storage is the op that computes the yielded
      // value, in place in it (or nothing reads it): the branches run one
      // or the other.
      auto ifOp = dyn_cast<scf::IfOp>(op);
      if (ifOp) {
        unsigned r = cast<OpResult>(result).getResultNumber();
        for (Region *region : {&ifOp.getThenRegion(), &ifOp.getElseRegion()}) {
          if (region->empty()) {
            ok = false;
            continue;
          }
          Value yielded =
              region->front().getTerminator()->getOperand(r);
          Operation *def = yielded.getDefiningOp();
          for (Value member : members)
            for (OpOperand &use : member.getUses()) {
              if (!region->isAncestor(use.getOwner()->getParentRegion()))
                continue;
              if (use.getOwner() != def ||
                  def->getBlock() != &region->front() ||
                  !isInPlaceOperand(def, use, underPressure)) {
                ok = false;
                continue;
              }
              used = true;
            }
        }
      }
      for (Value member : members)
        for (OpOperand &use : member.getUses())
          if (!ifOp || !ifOp->isProperAncestor(use.getOwner()))
            ok &= points.usePoint(member, use.getOwner()) <= at;
      if (used && ok)
        return iterArg;
    }
    return {};
  };
  // The staged pipeline whose body `op` is directly in (stages > 1), if any.
  auto getSlotPipeline = [](Operation *op) -> PipelineOp {
    auto pipeline = dyn_cast<PipelineOp>(op->getParentOp());
    return pipeline && pipeline.getStages() > 1 ? pipeline : PipelineOp();
  };
  // The slots `result` of `op` gets: one per stage of that pipeline when it
  // crosses pipes (getPipeCrossing), so that the next iteration's producer
  // on one pipe need not wait for this iteration's consumer on another. A
  // value only the vector pipe writes and reads gets one slot: V runs the
  // iterations in order.
  auto inUB = [&](Value v) { return kindOf(v) == BufferKind::UB; };
  auto getResultSlotPipeline = [&](Operation *op, Value result) {
    PipelineOp pipeline = getSlotPipeline(op);
    return pipeline && getPipeCrossing(result, inUB) ? pipeline
                                                     : PipelineOp();
  };
  // The result storage of the scf.if whose branch `op` is directly in and
  // yields `result` (once), if `result` may share it. It always may when
  // the kinds agree: the other members of that storage are the scf.if's
  // result, live only after the scf.if, and values of the other branch.
  auto getIfResultStorage = [&](Operation *op,
                                Value result) -> std::optional<size_t> {
    auto ifOp = dyn_cast<scf::IfOp>(op->getParentOp());
    if (!ifOp)
      return std::nullopt;
    Operation *yield = op->getBlock()->getTerminator();
    if (llvm::count(yield->getOperands(), result) != 1)
      return std::nullopt;
    unsigned i = llvm::find(yield->getOperands(), result) -
                 yield->getOperands().begin();
    auto it = storageOf.find(ifOp->getResult(i));
    if (it == storageOf.end() || buffers[it->second].kind != kindOf(result))
      return std::nullopt;
    return it->second;
  };
  // The storage of an operand that `op` may compute `result` over in place:
  // the op is elementwise in it, it dies at `op`, it is not loop-carried,
  // its kind is `result`'s and its slots are those `result` would get, or
  // `result` needs one slot and the operand has the slots of the staged
  // pipeline `op` is directly in (each iteration then writes the result in
  // its own slot, where it read the operand), or `result` needs that
  // pipeline's slots and the operand's storage (one slot, made in the same
  // body) is given them.
  auto getInPlaceStorage = [&](Operation *op,
                               Value result) -> std::optional<size_t> {
    PipelineOp slotPipeline = getResultSlotPipeline(op, result);
    PipelineOp bodyPipeline = getSlotPipeline(op);
    int64_t slots = slotPipeline ? slotPipeline.getStages() : 1;
    int64_t at = points.begin(op);
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isTile(operand.get()) ||
          !isInPlaceOperand(op, operand, underPressure))
        continue;
      auto it = storageOf.find(operand.get());
      if (it == storageOf.end())
        continue;
      size_t index = it->second;
      PlacedBuffer &b = buffers[index];
      bool sameSlots = b.slots == slots && b.slotPipeline == slotPipeline;
      bool intoSlots =
          !slotPipeline && bodyPipeline && b.slotPipeline == bodyPipeline;
      // A result that crosses pipes over an operand of one slot made in the
      // same body (a chain of vector ops ending in a value a store reads):
      // the storage takes the pipeline's slots, as it would have had if
      // every value in it crossed; a second storage would cost more.
      bool raiseSlots =
          slotPipeline && b.slots == 1 && !b.slotPipeline &&
          llvm::all_of(getStorageMembers(b), [&](Value member) {
            Operation *def = member.getDefiningOp();
            return def && def->getParentOp() == slotPipeline.getOperation();
          });
      // Loop-carried storage: under pressure, once every pipeline that
      // carries it has finished (`op` is after them; the uses below are
      // then all before `op`). The next execution of such a pipeline (in
      // an enclosing loop) copies its init value in before it starts.
      bool carried = b.isLoopCarriedOnly() || !b.carriedBy.empty();
      bool carriedDone =
          underPressure &&
          llvm::none_of(b.carriedBy, [&](auto carrier) {
            return carrier.first->isAncestor(op);
          });
      if ((carried && !carriedDone) || b.scratchFor ||
          b.kind != kindOf(result) || !(sameSlots || intoSlots || raiseSlots))
        continue;
      bool ok = llvm::all_of(op->getOpOperands(), [&](OpOperand &other) {
        auto o = storageOf.find(other.get());
        return o == storageOf.end() || o->second != index ||
               isInPlaceOperand(op, other, underPressure);
      });
      for (Value member : getStorageMembers(b))
        for (OpOperand &use : member.getUses())
          ok &= points.usePoint(member, use.getOwner()) <= at;
      if (!ok)
        continue;
      if (raiseSlots && !sameSlots) {
        b.slots = slots;
        b.slotPipeline = slotPipeline;
        b.crossing = getPipeCrossing(result, inUB);
      }
      return index;
    }
    return std::nullopt;
  };
  scope.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto pipeline = dyn_cast<PipelineOp>(op)) {
      for (unsigned i = 0, e = pipeline.getNumIterArgs(); i < e; ++i) {
        Value iterArg = pipeline.getIterArgs()[i];
        if (!isTile(iterArg))
          continue;
        Value init = pipeline.getInitArgs()[i];
        size_t index = canCarryInit(pipeline, init, iterArg)
                           ? storageOf.lookup(init)
                           : newBuffer(iterArg, op);
        buffers[index].carriedBy.push_back({pipeline, i});
        storageOf[iterArg] = index;
        storageOf[pipeline.getResult(i)] = index;
      }
      return;
    }
    for (Value result : op->getResults()) {
      if (!isTile(result))
        continue;
      if (auto reshape = dyn_cast<ReshapeOp>(op)) {
        Value input = reshape.getInput();
        auto it = storageOf.find(input);
        if (it != storageOf.end() && input.getDefiningOp() &&
            !isa<PipelineOp>(input.getDefiningOp())) {
          PlacedBuffer &base = buffers[it->second];
          if (base.kind == kindOf(result) &&
              (base.slots == 1 ||
               getInnermostPipeline(op, scope) == base.slotPipeline)) {
            base.aliases.push_back(result);
            storageOf[result] = it->second;
            continue;
          }
        }
      }
      if (std::optional<size_t> index = getIfResultStorage(op, result)) {
        buffers[*index].aliases.push_back(result);
        storageOf[result] = *index;
        continue;
      }
      if (Value iterArg = getInPlaceIterArg(op, result)) {
        size_t index = storageOf.lookup(iterArg);
        buffers[index].aliases.push_back(result);
        storageOf[result] = index;
        continue;
      }
      if (std::optional<size_t> index = getInPlaceStorage(op, result)) {
        buffers[*index].aliases.push_back(result);
        storageOf[result] = *index;
        continue;
      }
      PlacedBuffer &b = buffers[newBuffer(result, op)];
      b.ifResult = isa<scf::IfOp>(op);
      // A window in L0A / L0B is consumed by the matmuls of its own
      // iteration: one slot (tile-insert-sync orders the next iteration's
      // move after them).
      if (PipelineOp pipeline = getResultSlotPipeline(op, result);
          pipeline && !l0Windows.count(result)) {
        b.slots = pipeline.getStages();
        b.slotPipeline = pipeline;
        b.crossing = getPipeCrossing(result, inUB);
      }
    }
    // The scratch tile of a vector row reduction, of the source's shape;
    // the source's storage covers the view the reduction reads it through.
    if (isa<RowSumOp, RowMaxOp, RowMinOp, RowProdOp>(op) &&
        kindOf(op->getResult(0)) ==
                                           BufferKind::UB) {
      Value input = op->getOperand(0);
      Value result = op->getResult(0);
      auto inputType = cast<TileType>(input.getType());
      auto source = storageOf.find(input);
      if (source != storageOf.end()) {
        PlacedBuffer &src = buffers[source->second];
        TileLayout view = getRowReduceSourceLayout(
            inputType.getRows(), inputType.getCols(),
            getElementBytes(inputType.getElementType()), target);
        if (view.getBytes() > src.size) {
          src.size = view.getBytes();
          src.reduceViewRows = view.rows;
        }
      }
    }
    // The scratch tile the op's PTO-ISA instruction needs (TileLayout.h).
    if (op->getNumResults() == 1 && isa<TileType>(op->getResult(0).getType()) &&
        kindOf(op->getResult(0)) == BufferKind::UB)
      if (std::optional<TileType> type = getScratchTileType(op, target)) {
        Value result = op->getResult(0);
        size_t resultStorage = storageOf.lookup(result);
        PlacedBuffer &b = buffers[newBuffer(result, op)];
        storageOf[result] = resultStorage;
        b.scratchFor = op;
        b.name += " (scratch)";
        b.size = getTileStorageBytes(*type, BufferKind::UB, target);
        b.dataBytes = type->getSizeInBytes();
      }
  });

  // 4. Live ranges.
  for (PlacedBuffer &b : buffers) {
    if (b.scratchFor) {
      b.start = points.begin(b.scratchFor);
      b.end = b.start + 1;
      b.lastUser = b.scratchFor;
      continue;
    }
    if (b.slotPipeline) {
      b.start = points.begin(b.slotPipeline) + 1;
      b.end = points.end(b.slotPipeline);
    } else {
      b.start = points.begin(b.owner);
      b.end = b.start + 1;
    }
    for (auto [pipeline, i] : b.carriedBy) {
      b.start = std::min(b.start, points.begin(pipeline));
      b.end = std::max(b.end, points.end(pipeline) + 1);
    }
    int64_t lastUse = -1;
    for (Value member : getStorageMembers(b)) {
      for (OpOperand &use : member.getUses()) {
        int64_t point = points.usePoint(member, use.getOwner());
        if (point >= lastUse) {
          lastUse = point;
          b.lastUser = use.getOwner();
        }
      }
    }
    b.end = std::max(b.end, lastUse + 1);
  }

  // 5. Pack each kind (L0A / L0B hold the cube operand windows).
  for (BufferKind kind : kAllBufferKinds) {
    KindPlacement &k = placement.kinds[static_cast<size_t>(kind)];
    SmallVector<size_t> indices;
    std::vector<PackingBuffer> input;
    for (auto [i, b] : llvm::enumerate(buffers)) {
      if (b.kind != kind)
        continue;
      indices.push_back(i);
      input.push_back(b.toPackingBuffer());
    }
    if (indices.empty())
      continue;
    PackingResult result = packBuffers(input, k.capacity);
    k.used = true;
    k.peak = result.peak;
    k.lowerBound = result.lowerBound.bytes;
    k.lowerBoundPoint = result.lowerBound.point;
    for (auto [i, offset] : llvm::zip_equal(indices, result.offsets))
      buffers[i].offset = offset;
    for (size_t i : result.oversize)
      k.oversize.push_back(indices[i]);
  }

  // 6. The implicit L1 -> L0A / L0B moves of matmul operands.
  // A transposed operand lands as the matrix it multiplies: L0A holds
  // [M, K] and L0B [K, N] whatever the stored shape.
  scope.getBody().walk([&](Operation *op) {
    std::optional<MatmulView> mm = getMatmulView(op);
    if (!mm)
      return;
    for (auto [value, type, kind] :
         {std::tuple{mm->lhs, mm->lhsType, BufferKind::L0A},
          std::tuple{mm->rhs, mm->rhsType, BufferKind::L0B}}) {
      // A window already in L0A / L0B was moved by its tile.extract.
      if (l0Windows.count(value))
        continue;
      int64_t bytes =
          alignTo(getTileStorageBytes(type, kind, target),
                  target.getBuffer(kind).alignBytes);
      placement.operandChecks.push_back({op, kind, bytes});
      KindPlacement &k = placement.kinds[static_cast<size_t>(kind)];
      k.used = true;
      k.peak = std::max(k.peak, bytes);
      k.lowerBound = std::max(k.lowerBound, bytes);
    }
  });

  return placement;
}

/// How far the fullest of the buffers that stages and fusion grow (UB, L1,
/// L0C) is over (> 1) or under its capacity.
static double getWorstFill(const ScopePlacement &placement) {
  double worst = 0;
  for (BufferKind kind : {BufferKind::UB, BufferKind::L1, BufferKind::L0C}) {
    const KindPlacement &k = placement.getKind(kind);
    if (k.used && k.capacity > 0)
      worst = std::max(worst, double(k.peak) / double(k.capacity));
  }
  return worst;
}

FailureOr<ScopePlacement>
tessel::computeScopePlacement(AtOp scope, const TargetInfo &target,
                              bool allowPressure) {
  FailureOr<ScopePlacement> placement =
      placeScope(scope, target, /*underPressure=*/false);
  if (!allowPressure || failed(placement) || placement->fits())
    return placement;
  // Over capacity: try the reuses that cost overlap. Keep them when the
  // scope then fits, or (for the error) when they bring it closer.
  FailureOr<ScopePlacement> pressed =
      placeScope(scope, target, /*underPressure=*/true);
  if (failed(pressed))
    return placement;
  if (pressed->fits() || getWorstFill(*pressed) < getWorstFill(*placement))
    return pressed;
  return placement;
}

//===----------------------------------------------------------------------===//
// Diagnostics and printing
//===----------------------------------------------------------------------===//

/// What a placement under pressure did beyond the regular rules.
static constexpr llvm::StringLiteral kPressureNote =
    "placed under pressure: one-width casts in place, results in place over "
    "the storage of finished pipelines, an init shared by iter_args carried "
    "by one";

/// " (line N)" when `loc` has a line.
static std::string atLine(Location loc) {
  if (std::optional<unsigned> line = getLine(loc))
    return (" (line " + Twine(*line) + ")").str();
  return "";
}

void tessel::printMemoryMap(raw_ostream &os, const ScopePlacement &placement,
                            BufferKind kind) {
  const KindPlacement &k = placement.getKind(kind);
  os << getBufferKindTitle(kind) << " memory map, " << k.capacity
     << " bytes usable (byte range, name, size, live range in program "
        "points):";
  SmallVector<const PlacedBuffer *> sorted;
  for (const PlacedBuffer &b : placement.buffers)
    if (b.kind == kind)
      sorted.push_back(&b);
  llvm::stable_sort(sorted, [](const PlacedBuffer *a, const PlacedBuffer *b) {
    return std::make_pair(a->offset, a->start) <
           std::make_pair(b->offset, b->start);
  });
  for (const PlacedBuffer *b : sorted) {
    PackingBuffer pb = b->toPackingBuffer();
    int64_t endByte = b->offset + pb.getFootprint();
    os << "\n  [" << b->offset << ", " << endByte << ") " << b->name;
    if (!b->aliases.empty()) {
      os << " (shared with ";
      llvm::interleaveComma(b->aliases, os,
                            [&](Value v) { os << getTileName(v); });
      os << ")";
    }
    for (auto [pipeline, i] : b->carriedBy)
      os << " (carried by iter_arg #" << i << " of the tile.pipeline"
         << atLine(pipeline->getLoc()) << ")";
    if (b->ifResult)
      os << " (result #" << cast<OpResult>(b->value).getResultNumber()
         << " of the scf.if" << atLine(b->owner->getLoc()) << ")";
    os << ": ";
    if (b->slots > 1)
      os << b->slots << " x ";
    os << pb.getSlotBytes() << " bytes";
    if (pb.getSlotBytes() != b->dataBytes) {
      os << " (" << b->dataBytes << " padded to ";
      if (b->reduceViewRows)
        os << "the " << b->reduceViewRows
           << " layout rows a row reduction reads)";
      else if (b->kind == BufferKind::UB)
        os << b->align << "-byte granules)";
      else
        os << "whole fractals)";
    }
    if (b->slots > 1) {
      os << " for stages(" << b->slots << ") of the tile.pipeline"
         << atLine(b->slotPipeline->getLoc());
      if (b->crossing)
        os << ", crosses pipes at " << b->crossing->getName()
           << atLine(b->crossing->getLoc());
    }
    os << ", live [" << b->start << ", " << b->end << ")";
    std::optional<unsigned> from = getLine(b->owner->getLoc());
    std::optional<unsigned> to =
        b->lastUser ? getLine(b->lastUser->getLoc()) : std::nullopt;
    if (from && to)
      os << " (lines " << *from << "-" << *to << ")";
    if (endByte > k.capacity)
      os << ", past the end";
  }
  double quality =
      k.lowerBound > 0 ? double(k.peak) / double(k.lowerBound) : 1.0;
  os << "\n  peak " << k.peak << " bytes, lower bound " << k.lowerBound
     << " bytes (live at point " << k.lowerBoundPoint << "), quality "
     << llvm::format("%.2f", quality);
  if (placement.underPressure)
    os << "\n  " << kPressureNote;
}

/// Names the largest storage of `kind` live at the point where the most
/// bytes are (the packing's lower bound), so that the author of a scope
/// that does not fit sees what to shrink.
static void printLargestLive(raw_ostream &os, const ScopePlacement &placement,
                             BufferKind kind) {
  const KindPlacement &k = placement.getKind(kind);
  SmallVector<const PlacedBuffer *> live;
  for (const PlacedBuffer &b : placement.buffers)
    if (b.kind == kind && b.start <= k.lowerBoundPoint &&
        k.lowerBoundPoint < b.end)
      live.push_back(&b);
  llvm::stable_sort(live, [](const PlacedBuffer *a, const PlacedBuffer *b) {
    return a->getFootprint() > b->getFootprint();
  });
  if (k.lowerBound > k.capacity)
    os << "; " << k.lowerBound << " bytes are live at once at point "
       << k.lowerBoundPoint << ", so no placement fits";
  else
    os << "; at most " << k.lowerBound << " bytes are live at once (point "
       << k.lowerBoundPoint << "), but the packing leaves gaps";
  if (live.empty())
    return;
  os << ": largest there ";
  constexpr size_t kShown = 4;
  for (auto [i, b] : llvm::enumerate(live)) {
    if (i == kShown) {
      int64_t rest = 0;
      for (const PlacedBuffer *r : ArrayRef(live).drop_front(kShown))
        rest += r->getFootprint();
      os << " and " << live.size() - kShown << " more of " << rest
         << " bytes";
      break;
    }
    if (i)
      os << ", ";
    os << "'" << b->name << "' " << b->getFootprint();
    if (b->slots > 1)
      os << " (" << b->slots << " slots)";
    if (std::optional<unsigned> line = getLine(b->owner->getLoc()))
      os << " (line " << *line << ")";
  }
  if (placement.underPressure)
    os << " (" << kPressureNote << ")";
}

LogicalResult tessel::emitPlacementErrors(const ScopePlacement &placement) {
  bool ok = true;
  for (BufferKind kind : kAllBufferKinds) {
    const KindPlacement &k = placement.getKind(kind);
    for (size_t i : k.oversize) {
      const PlacedBuffer &b = placement.buffers[i];
      PackingBuffer pb = b.toPackingBuffer();
      InFlightDiagnostic diag =
          b.owner->emitError()
          << (b.isLoopCarriedOnly() ? "loop-carried tile" : "tile")
          << " exceeds " << getBufferKindTitle(kind)
          << " on its own: " << pb.getFootprint() << " > " << k.capacity
          << " bytes";
      if (b.slots > 1) {
        diag << " (" << b.slots << " slots of " << pb.getSlotBytes()
             << " bytes for stages(" << b.slots << "))";
        if (b.crossing)
          diag << "; it crosses pipes at " << b.crossing->getName()
               << atLine(b.crossing->getLoc())
               << " (a tile only vector ops make and read takes one slot)";
      }
      ok = false;
    }
    if (k.fits())
      continue;
    // An operand moved whole into L0A / L0B that does not fit is reported
    // on its matmul below.
    if (llvm::any_of(placement.operandChecks, [&](const OperandCheck &c) {
          return c.kind == kind && c.bytes > k.capacity;
        }))
      continue;
    AtOp scope = placement.scope;
    std::string live;
    llvm::raw_string_ostream liveOs(live);
    printLargestLive(liveOs, placement, kind);
    InFlightDiagnostic diag = scope.emitError()
                              << getBufferKindTitle(kind)
                              << " exceeded: " << k.peak << " > "
                              << k.capacity << " bytes" << live;
    std::string map;
    llvm::raw_string_ostream os(map);
    printMemoryMap(os, placement, kind);
    diag.attachNote(scope.getLoc()) << map;
    ok = false;
  }
  for (const OperandCheck &check : placement.operandChecks) {
    int64_t capacity = placement.getKind(check.kind).capacity;
    if (check.bytes <= capacity)
      continue;
    check.matmul->emitError()
        << "matmul " << (check.kind == BufferKind::L0A ? "lhs" : "rhs")
        << " exceeds " << getBufferKindTitle(check.kind) << ": "
        << check.bytes << " > " << capacity << " bytes";
    ok = false;
  }
  return success(ok);
}

void tessel::applyPlacement(const ScopePlacement &placement) {
  AtOp scope = placement.scope;
  MLIRContext *ctx = scope.getContext();
  DenseMap<Value, PlaceAttr> iterPlaces, ifPlaces;
  for (const PlacedBuffer &b : placement.buffers) {
    auto attr = PlaceAttr::get(ctx, toMemoryKind(b.kind), b.offset, b.slots);
    if (b.scratchFor) {
      b.scratchFor->setAttr(TileDialect::kScratchAttrName, attr);
      continue;
    }
    // An scf.if result (the storage's own value or a branch's scf.if result
    // sharing it) goes into the scf.if's `places`; other op results carry
    // `place` on their op.
    SmallVector<Value> results(b.aliases);
    if (!b.isLoopCarriedOnly())
      results.insert(results.begin(), b.value);
    for (Value v : results) {
      if (isa<scf::IfOp>(v.getDefiningOp()))
        ifPlaces[v] = attr;
      else
        v.getDefiningOp()->setAttr(TileDialect::kPlaceAttrName, attr);
    }
    for (auto [pipeline, i] : b.carriedBy) {
      PipelineOp p = pipeline;
      iterPlaces[p.getIterArgs()[i]] = attr;
    }
  }
  scope.getBody().walk([&](PipelineOp pipeline) {
    if (llvm::none_of(pipeline.getIterArgs(), isTile))
      return;
    SmallVector<Attribute> places;
    for (Value iterArg : pipeline.getIterArgs()) {
      if (PlaceAttr attr = iterPlaces.lookup(iterArg))
        places.push_back(attr);
      else
        places.push_back(UnitAttr::get(ctx));
    }
    pipeline->setAttr("places", ArrayAttr::get(ctx, places));
  });
  scope.getBody().walk([&](scf::IfOp ifOp) {
    if (llvm::none_of(ifOp->getResults(), isTile))
      return;
    SmallVector<Attribute> places;
    for (Value result : ifOp->getResults()) {
      if (PlaceAttr attr = ifPlaces.lookup(result))
        places.push_back(attr);
      else
        places.push_back(UnitAttr::get(ctx));
    }
    ifOp->setAttr("places", ArrayAttr::get(ctx, places));
  });
  Builder b(ctx);
  SmallVector<NamedAttribute> peaks, live;
  for (BufferKind kind : kAllBufferKinds) {
    const KindPlacement &k = placement.getKind(kind);
    peaks.push_back(b.getNamedAttr(getBufferKindName(kind),
                                   b.getI64IntegerAttr(k.peak)));
    live.push_back(b.getNamedAttr(getBufferKindName(kind),
                                  b.getI64IntegerAttr(k.lowerBound)));
  }
  scope->setAttr("tile.peak", b.getDictionaryAttr(peaks));
  // The most bytes live at once (each rounded to alignment): the lower bound
  // of any packing, so peak / live is the packing quality.
  scope->setAttr("tile.live_bytes", b.getDictionaryAttr(live));
}
