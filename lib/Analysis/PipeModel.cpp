//===- PipeModel.cpp - The AI Core instructions of a tile op --------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The op -> (pipe, instruction, bytes) table of PipeModel.h. Sources for the
// pipes: PTO-ISA's instruction docs (hw-native-sys/pto-isa docs/isa) and its
// manual-mode kernels, which synchronise TLOAD on MTE2, TSTORE from UB on
// MTE3 and from L0C on FIX, TMOV / TEXTRACT into L0A / L0B on MTE1, TMATMUL
// on M and vector instructions on V (see docs/pto.md).
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/PipeModel.h"

#include "tessel/Analysis/TileLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

#include <numeric>

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

bool MemAccess::conflicts(const MemAccess &other) const {
  if (!write && !other.write)
    return false;
  if (isGM != other.isGM)
    return false;
  if (isGM)
    return root == other.root;
  return kind == other.kind && begin < other.end && other.begin < end;
}

std::pair<int64_t, int64_t> tessel::getInternalScratch(const TargetInfo &t) {
  // a2a3's per-row broadcasts (TROWEXPANDMUL, TROWEXPANDADD, ...) broadcast
  // the per-row scalars into an 8 KiB buffer in the reserved top of UB
  // (PTO-ISA docs/isa/TROWEXPANDADD.md); a5 reads them natively.
  if (t.hasL0CToUB)
    return {0, 0};
  return {t.ub.usableBytes, t.ub.usableBytes + 8192};
}

bool tessel::needsCastThroughF32(CastOp cast, const TargetInfo &target) {
  Type from = llvm::cast<TileType>(cast.getInput().getType()).getElementType();
  Type to = llvm::cast<TileType>(cast.getResult().getType()).getElementType();
  RoundMode mode = cast.getMode();
  if (!from.isSignlessInteger(32) || !to.isF16())
    return false;
  // a5 has no i32 -> f16 conversion at all.
  if (target.hasL0CToUB)
    return true;
  return mode != RoundMode::rint && mode != RoundMode::none;
}

ScatterPair tessel::getScatterPair(ScatterOp op, const TileStorageMap &storage) {
  auto complementary = [](ScatterOp a, ScatterOp b) {
    return a.getPattern() != b.getPattern();
  };
  auto separate = [&](ScatterOp inner, ScatterOp outer) {
    return !storage.lookup(inner.getResult())
                .overlaps(storage.lookup(outer.getResult()));
  };
  if (auto inner = op.getDest().getDefiningOp<ScatterOp>())
    if (complementary(inner, op) && inner.getResult().hasOneUse() &&
        separate(inner, op))
      return {ScatterPair::Outer, inner, op};
  if (op.getResult().hasOneUse())
    if (auto outer = dyn_cast<ScatterOp>(*op.getResult().getUsers().begin()))
      if (outer.getDest() == op.getResult() && complementary(op, outer) &&
          separate(op, outer))
        return {ScatterPair::Inner, op, outer};
  return {};
}

int64_t tessel::getIntraOpEventId(const TargetInfo &target) {
  return target.eventIdsPerPipePair - 1;
}

/// Whether two valid extents are the same constant or the same value.
static bool sameExtent(OpFoldResult a, OpFoldResult b) {
  std::optional<int64_t> x = getConstantIntValue(a), y = getConstantIntValue(b);
  if (x && y)
    return *x == *y;
  return !x && !y && llvm::cast<Value>(a) == llvm::cast<Value>(b);
}

bool tessel::partialLoadFillsPadding(LoadOp load) {
  if (!load.hasValidShape())
    return false;
  auto same = [&](auto op) {
    return sameExtent(op.getValidSize(0), load.getValidSize(0)) &&
           sameExtent(op.getValidSize(1), load.getValidSize(1));
  };
  for (OpOperand &use : load.getResult().getUses()) {
    if (auto fill = dyn_cast<FillPadOp>(use.getOwner()); fill && same(fill))
      continue;
    if (auto store = dyn_cast<StoreOp>(use.getOwner());
        store && store.hasValidShape() && same(store))
      continue;
    return true;
  }
  return false;
}

std::optional<std::pair<Pipe, Pipe>>
tessel::getIntraOpHandOff(Operation *op, const TileStorageMap &storage) {
  if (std::optional<MatmulView> mm = getMatmulView(op)) {
    if (storage.lookup(mm->lhs).arena == Arena::L0A &&
        storage.lookup(mm->rhs).arena == Arena::L0B)
      return std::nullopt;
    return std::make_pair(Pipe::mte1, Pipe::m);
  }
  if (auto set = dyn_cast<SetOp>(op);
      set && !(storage.lookup(set.getResult()) ==
               storage.lookup(set.getDest())))
    return std::make_pair(Pipe::v, Pipe::s);
  if (auto load = dyn_cast<LoadOp>(op); load && partialLoadFillsPadding(load))
    return std::make_pair(Pipe::mte2, Pipe::v);
  return std::nullopt;
}

std::optional<std::pair<Pipe, Pipe>>
tessel::getInternalEvent0(Operation *op, const TileStorageMap &storage) {
  if (storage.getTarget().hasL0CToUB) // a5 fills without the scalar unit
    return std::nullopt;
  auto bytes = [](Value tile) {
    return getElementBytes(cast<TileType>(tile.getType()).getElementType());
  };
  bool byteFill = false;
  if (auto fill = dyn_cast<FillPadOp>(op))
    byteFill = bytes(fill.getResult()) == 1;
  else if (isa<CmpOp, CmpSOp>(op)) // the mask's bytes past N / 8 (emitter)
    byteFill = cast<TileType>(op->getOperand(0).getType()).getCols() / 8 <
               cast<TileType>(op->getResult(0).getType()).getCols();
  else if (auto load = dyn_cast<LoadOp>(op))
    byteFill = load.hasValidShape() && partialLoadFillsPadding(load) &&
               bytes(load.getResult()) == 1;
  if (!byteFill)
    return std::nullopt;
  return std::make_pair(Pipe::v, Pipe::s);
}

Value tessel::getGMRoot(Value memref) {
  while (Operation *def = memref.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      memref = view.getViewSource();
      continue;
    }
    break;
  }
  return memref;
}

int64_t tessel::getKnownDivisor(Value index) {
  constexpr int64_t kAny = int64_t(1) << 40;
  auto gcd = [](int64_t a, int64_t b) {
    return static_cast<int64_t>(std::gcd(a, b));
  };
  for (int depth = 0; depth < 16; ++depth) {
    if (auto arg = dyn_cast<BlockArgument>(index)) {
      // lb + k * step: a multiple of gcd(lb, step).
      Operation *owner = arg.getOwner()->getParentOp();
      std::optional<int64_t> lb, step;
      if (auto loop = dyn_cast<scf::ForOp>(owner);
          loop && arg == loop.getInductionVar()) {
        lb = getConstantIntValue(loop.getLowerBound());
        step = getConstantIntValue(loop.getStep());
      } else if (auto loop = dyn_cast<PipelineOp>(owner);
                 loop && arg == loop.getInductionVar()) {
        lb = getConstantIntValue(loop.getLowerBound());
        step = getConstantIntValue(loop.getStep());
      }
      if (!lb || !step)
        return 1;
      int64_t g = gcd(*lb, *step);
      return g == 0 ? kAny : g;
    }
    Operation *def = index.getDefiningOp();
    if (!def)
      return 1;
    if (std::optional<int64_t> c = getConstantIntValue(index))
      return *c == 0 ? kAny : std::abs(*c);
    if (isa<arith::AddIOp, arith::SubIOp>(def))
      return gcd(getKnownDivisor(def->getOperand(0)),
                 getKnownDivisor(def->getOperand(1)));
    if (isa<arith::MulIOp>(def)) {
      int64_t a = getKnownDivisor(def->getOperand(0));
      int64_t b = getKnownDivisor(def->getOperand(1));
      return a >= kAny / b ? kAny : a * b; // both in [1, kAny]
    }
    if (isa<arith::IndexCastOp>(def)) {
      index = def->getOperand(0);
      continue;
    }
    return 1;
  }
  return 1;
}

StringRef tessel::getPtoInstrName(Operation *op) {
  return TypeSwitch<Operation *, StringRef>(op)
      .Case([](AddOp) { return "TADD"; })
      .Case([](SubOp) { return "TSUB"; })
      .Case([](MulOp) { return "TMUL"; })
      .Case([](DivOp) { return "TDIV"; })
      .Case([](MaxOp) { return "TMAX"; })
      .Case([](MinOp) { return "TMIN"; })
      .Case([](AddSOp) { return "TADDS"; })
      .Case([](SubSOp) { return "TSUBS"; })
      .Case([](RSubSOp) { return "TMULS+TADDS"; })
      .Case([](MulSOp) { return "TMULS"; })
      .Case([](DivSOp) { return "TDIVS"; })
      .Case([](RDivSOp) { return "TDIVS"; })
      .Case([](MaxSOp) { return "TMAXS"; })
      .Case([](MinSOp) { return "TMINS"; })
      .Case([](NegOp) { return "TNEG"; })
      .Case([](AbsOp) { return "TABS"; })
      .Case([](SqrtOp) { return "TSQRT"; })
      .Case([](RsqrtOp) { return "TRSQRT"; })
      .Case([](RecipOp) { return "TRECIP"; })
      .Case([](ExpOp) { return "TEXP"; })
      .Case([](LogOp) { return "TLOG"; })
      .Case([](RemOp) { return "TREM"; })
      .Case([](RemSOp) { return "TREMS"; })
      .Case([](FModOp) { return "TFMOD"; })
      .Case([](FModSOp) { return "TFMODS"; })
      .Case([](AndOp) { return "TAND"; })
      .Case([](OrOp) { return "TOR"; })
      .Case([](NotOp) { return "TNOT"; })
      .Case([](ShlOp) { return "TSHL"; })
      .Case([](ShrOp) { return "TSHR"; })
      .Case([](AndSOp) { return "TANDS"; })
      .Case([](OrSOp) { return "TORS"; })
      .Case([](ShlSOp) { return "TSHLS"; })
      .Case([](ShrSOp) { return "TSHRS"; })
      .Case([](RowSumOp) { return "TROWSUM"; })
      .Case([](RowMaxOp) { return "TROWMAX"; })
      .Case([](RowMinOp) { return "TROWMIN"; })
      .Case([](RowProdOp) { return "TROWPROD"; })
      .Case([](ColSumOp) { return "TCOLSUM"; })
      .Case([](ColMaxOp) { return "TCOLMAX"; })
      .Case([](ColMinOp) { return "TCOLMIN"; })
      .Case([](ColProdOp) { return "TCOLPROD"; })
      .Case([](XorOp) { return "TXOR"; })
      .Case([](XorSOp) { return "TXORS"; })
      .Case([](RowArgMaxOp) { return "TROWARGMAX"; })
      .Case([](RowArgMinOp) { return "TROWARGMIN"; })
      .Case([](ColArgMaxOp) { return "TCOLARGMAX"; })
      .Case([](ColArgMinOp) { return "TCOLARGMIN"; })
      .Case([](TransposeOp) { return "TTRANS"; })
      .Default([](Operation *) { return ""; });
}

/// PTO-ISA's instruction of a catalog op (TileCatalogOps.td).
static StringRef getCatalogPtoInstrName(Operation *op) {
  return TypeSwitch<Operation *, StringRef>(op)
      .Case([](CmpOp) { return "TCMP"; })
      .Case([](CmpSOp) { return "TCMPS"; })
      .Case([](SelOp) { return "TSEL"; })
      .Case([](SelSOp) { return "TSELS"; })
      .Case([](PReluOp) { return "TPRELU"; })
      .Case([](AndOp) { return "TAND"; })
      .Case([](OrOp) { return "TOR"; })
      .Case([](XorOp) { return "TXOR"; })
      .Case([](NotOp) { return "TNOT"; })
      .Case([](ShlOp) { return "TSHL"; })
      .Case([](ShrOp) { return "TSHR"; })
      .Case([](AndSOp) { return "TANDS"; })
      .Case([](OrSOp) { return "TORS"; })
      .Case([](XorSOp) { return "TXORS"; })
      .Case([](ShlSOp) { return "TSHLS"; })
      .Case([](ShrSOp) { return "TSHRS"; })
      .Case([](RowArgMaxOp) { return "TROWARGMAX"; })
      .Case([](RowArgMinOp) { return "TROWARGMIN"; })
      .Case([](ColArgMaxOp) { return "TCOLARGMAX"; })
      .Case([](ColArgMinOp) { return "TCOLARGMIN"; })
      .Case([](TransposeOp) { return "TTRANS"; })
      .Case([](ConcatOp) { return "TCONCAT"; })
      .Case([](TriOp) { return "TTRI"; })
      .Default([](Operation *) { return ""; });
}

/// Whether `full` is a zero in L0C that only starts accumulators: used as
/// the accumulator of a matmul_acc, or as the init of a pipeline iter_arg
/// used only that way anywhere in the pipeline's body (directly, or in a
/// branch: pypto-lib's `if kb == 0: acc = pl.matmul(...) else: acc =
/// pl.matmul_acc(acc, ...)`). A pipeline with constant bounds that runs no
/// iteration would return the zero itself: not one.
static bool isZeroAccumulatorFull(FullOp full, const TileStorageMap &storage) {
  if (storage.lookup(full.getResult()).arena != Arena::L0C)
    return false;
  Attribute v = full.getValue();
  bool zero = false;
  if (auto f = dyn_cast<FloatAttr>(v))
    zero = f.getValue().isZero();
  else if (auto i = dyn_cast<IntegerAttr>(v))
    zero = i.getValue().isZero();
  if (!zero)
    return false;
  auto accUse = [](OpOperand &use) {
    auto mm = dyn_cast<MatmulAccOp>(use.getOwner());
    return mm && use.getOperandNumber() == 0;
  };
  for (OpOperand &use : full.getResult().getUses()) {
    if (accUse(use))
      continue;
    auto pipeline = dyn_cast<PipelineOp>(use.getOwner());
    if (!pipeline || use.getOperandNumber() < 3)
      return false;
    std::optional<int64_t> lb = getConstantIntValue(pipeline.getLowerBound());
    std::optional<int64_t> ub = getConstantIntValue(pipeline.getUpperBound());
    if (lb && ub && *ub <= *lb)
      return false;
    Value iterArg = pipeline.getIterArgs()[use.getOperandNumber() - 3];
    for (OpOperand &inner : iterArg.getUses())
      if (!accUse(inner) ||
          !pipeline->isProperAncestor(inner.getOwner()))
        return false;
  }
  return true;
}

/// Whether `op` (in `pipeline`'s body) only runs after the first iteration:
/// it is in the else branch of an `scf.if iv == lb` (or the then branch of
/// `iv != lb`) between it and the pipeline.
static bool runsAfterFirstIteration(Operation *op, PipelineOp pipeline) {
  Value iv = pipeline.getInductionVar();
  Value lb = pipeline.getLowerBound();
  auto isLb = [&](Value v) {
    if (v == lb)
      return true;
    std::optional<int64_t> a = getConstantIntValue(v);
    std::optional<int64_t> b = getConstantIntValue(lb);
    return a && b && *a == *b;
  };
  for (Region *region = op->getParentRegion();
       region && region->getParentOp() != pipeline.getOperation();
       region = region->getParentOp()->getParentRegion()) {
    auto ifOp = dyn_cast<scf::IfOp>(region->getParentOp());
    if (!ifOp)
      continue;
    auto cmp = ifOp.getCondition().getDefiningOp<arith::CmpIOp>();
    if (!cmp)
      continue;
    bool ivLb = (cmp.getLhs() == iv && isLb(cmp.getRhs())) ||
                (cmp.getRhs() == iv && isLb(cmp.getLhs()));
    if (!ivLb)
      continue;
    bool inElse = region == &ifOp.getElseRegion();
    if ((cmp.getPredicate() == arith::CmpIPredicate::eq && inElse) ||
        (cmp.getPredicate() == arith::CmpIPredicate::ne && !inElse))
      return true;
  }
  return false;
}

Value tessel::getZeroAccumulatorPipeline(Value acc,
                                         const TileStorageMap &storage,
                                         bool &direct, Operation *user) {
  direct = false;
  if (auto full = acc.getDefiningOp<FullOp>()) {
    direct = isZeroAccumulatorFull(full, storage);
    return Value();
  }
  auto arg = dyn_cast<BlockArgument>(acc);
  if (!arg || arg.getArgNumber() == 0)
    return Value();
  auto pipeline = dyn_cast<PipelineOp>(arg.getOwner()->getParentOp());
  if (!pipeline)
    return Value();
  auto full =
      pipeline.getInitArgs()[arg.getArgNumber() - 1].getDefiningOp<FullOp>();
  if (!full || !isZeroAccumulatorFull(full, storage))
    return Value();
  // A matmul_acc the author already keeps out of the first iteration
  // (`if kb == 0: pl.matmul ... else: pl.matmul_acc`) always accumulates.
  if (user && runsAfterFirstIteration(user, pipeline))
    return Value();
  return pipeline.getInductionVar();
}

namespace {

/// Builds the instruction list of one op.
class InstrBuilder {
public:
  InstrBuilder(Operation *op, const TileStorageMap &storage,
               SmallVectorImpl<PipeInstr> &out)
      : op(op), storage(storage), target(storage.getTarget()), out(out) {}

  LogicalResult build();

private:
  Operation *op;
  const TileStorageMap &storage;
  const TargetInfo &target;
  SmallVectorImpl<PipeInstr> &out;

  InFlightDiagnostic error() {
    return op->emitOpError() << "cannot run on the " << target.name
                             << " NPU: ";
  }

  /// The buffer a tile lives in (fails on unplaced storage).
  FailureOr<BufferKind> kindOf(Value tile) {
    const TileStorage &s = storage.lookup(tile);
    std::optional<BufferKind> kind = getBufferKind(s.arena);
    if (!kind)
      return error() << "its tiles have no placement (run tile-place-buffers)";
    return *kind;
  }

  MemAccess access(const TileStorage &s, bool write) {
    MemAccess a;
    a.kind = *getBufferKind(s.arena);
    a.begin = s.offset;
    a.end = s.end();
    a.write = write;
    return a;
  }
  MemAccess read(Value tile) { return access(storage.lookup(tile), false); }
  MemAccess written(Value tile) { return access(storage.lookup(tile), true); }
  static MemAccess gm(Value memref, bool write) {
    MemAccess a;
    a.isGM = true;
    a.root = getGMRoot(memref);
    a.write = write;
    return a;
  }

  PipeInstr &emit(Pipe pipe, StringRef name) {
    PipeInstr &i = out.emplace_back();
    i.pipe = pipe;
    i.name = name;
    return i;
  }

  /// A vector instruction reading `ins` and writing `result`; every tile
  /// must be in UB.
  LogicalResult vector(StringRef name, ValueRange ins, Value result) {
    for (Value v : ins) {
      FailureOr<BufferKind> kind = kindOf(v);
      if (failed(kind))
        return failure();
      if (*kind != BufferKind::UB)
        return error() << "vector instruction " << name << " reads a tile in "
                       << getBufferKindName(*kind)
                       << "; vector instructions read UB only (the pto back "
                          "end splits mixed cube/vector scopes through GM)";
    }
    FailureOr<BufferKind> kind = kindOf(result);
    if (failed(kind))
      return failure();
    if (*kind != BufferKind::UB)
      return error() << "vector instruction " << name << " writes a tile in "
                     << getBufferKindName(*kind) << "; expected ub";
    PipeInstr &i = emit(Pipe::v, name);
    for (Value v : ins)
      i.accesses.push_back(read(v));
    i.accesses.push_back(written(result));
    return success();
  }

  /// An L1 tile written by an on-chip op (PyPTO's `pl.create_l1` zero
  /// fill, `pl.gather_row`'s row inserts into an L1 window): the back end
  /// has no such instruction yet (it would need TLOAD of GM rows into a
  /// window of the L1 tile, and an L1 fill).
  LogicalResult notInL1(Value result, StringRef what) {
    FailureOr<BufferKind> kind = kindOf(result);
    if (failed(kind))
      return failure();
    if (*kind != BufferKind::L1)
      return success();
    return error() << what << " writes an L1 tile on chip (pl.create_l1 / "
                      "pl.gather_row): the NPU back end does not emit it yet "
                      "(it needs a TLOAD of GM rows into a window of an L1 "
                      "tile, and an L1 fill); the CPU simulation runs it";
  }

  /// Tile::GetValue / SetValue: a UB tile of 32-bit or 8-bit elements
  /// (the emitter passes the scalar as the C++ type of the element; f16 /
  /// bf16 scalars would be `half` / `bfloat16_t` there and compiler
  /// builtins in EmitC's arithmetic).
  LogicalResult scalarAccess(StringRef name, Value tile) {
    FailureOr<BufferKind> kind = kindOf(tile);
    if (failed(kind))
      return failure();
    if (*kind != BufferKind::UB)
      return error() << "Tile::" << name << " reads and writes UB tiles "
                     << "(TileType::Vec), not a tile in "
                     << getBufferKindName(*kind);
    Type elt = cast<TileType>(tile.getType()).getElementType();
    if (!elt.isF32() && !elt.isSignlessInteger(32) &&
        !elt.isSignlessInteger(8))
      return error() << "the NPU back end accesses single elements of f32, "
                        "i32 and i8 tiles, not "
                     << elt << " (Tile::" << name
                     << " of a 16-bit float is not emitted yet); cast the "
                        "tile to f32 first";
    return success();
  }

  /// A partial tile moves between GM and UB only (PTO-ISA's Vec tiles take
  /// a runtime valid region; L1 / L0C partial tiles are not emitted).
  LogicalResult partialTile(Operation *o, Value tile) {
    FailureOr<BufferKind> kind = kindOf(tile);
    if (failed(kind))
      return failure();
    if (*kind != BufferKind::UB)
      return error() << "the NPU back end moves partial tiles (a valid "
                        "shape) between GM and ub only, not "
                     << getBufferKindName(*kind)
                     << "; load the whole tile and fill its padding "
                        "(tile.fillpad) in a vector scope";
    return success();
  }

  LogicalResult load(LoadOp load) {
    if (load.hasValidShape() && failed(partialTile(load, load.getResult())))
      return failure();
    FailureOr<BufferKind> kind = kindOf(load.getResult());
    if (failed(kind))
      return failure();
    if (*kind != BufferKind::UB && *kind != BufferKind::L1)
      return error() << "GM loads go to ub or l1, not "
                     << getBufferKindName(*kind);
    PipeInstr &i = emit(Pipe::mte2, "TLOAD");
    i.accesses.push_back(gm(load.getSource(), false));
    i.accesses.push_back(written(load.getResult()));
    // The padding of a partial load is zero: TFILLPAD after the TLOAD
    // (the emitter's MTE2 -> V hand-off) unless nothing reads it.
    if (partialLoadFillsPadding(load)) {
      PipeInstr &f = emit(Pipe::v, "TFILLPAD");
      f.accesses.push_back(read(load.getResult()));
      f.accesses.push_back(written(load.getResult()));
    }
    return success();
  }

  LogicalResult store(StoreOp store) {
    if (store.hasValidShape() && failed(partialTile(store, store.getValue())))
      return failure();
    // TSTORE's AtomicAdd form adds into GM: pto-isa documents fp32, fp16,
    // bf16 (A2/A3 only), int32, int16 and int8 destinations.
    if (store.getAtomicAdd() && target.hasL0CToUB &&
        store.getTileType().getElementType().isBF16())
      return error() << "an atomic-add store of bf16 has no PTO-ISA form on "
                     << target.name
                     << "; accumulate in f32 and cast after";
    FailureOr<BufferKind> kind = kindOf(store.getValue());
    if (failed(kind))
      return failure();
    Pipe pipe;
    if (*kind == BufferKind::UB)
      pipe = Pipe::mte3;
    else if (*kind == BufferKind::L0C)
      pipe = Pipe::fix;
    else
      return error() << "stores to GM read ub (MTE3) or l0c (FIX), not "
                     << getBufferKindName(*kind);
    PipeInstr &i = emit(pipe, "TSTORE");
    i.accesses.push_back(read(store.getValue()));
    i.accesses.push_back(gm(store.getDest(), true));
    return success();
  }

  LogicalResult matmul(Operation *op, Value acc, Value lhs, Value rhs,
                       Value result) {
    MatmulView mm = *getMatmulView(op);
    // An operand is in L1 (moved whole here) or a cube operand window its
    // tile.extract already moved into L0A (lhs) / L0B (rhs).
    for (auto [v, l0] : {std::pair{lhs, BufferKind::L0A},
                         std::pair{rhs, BufferKind::L0B}}) {
      FailureOr<BufferKind> kind = kindOf(v);
      if (failed(kind))
        return failure();
      if (*kind != BufferKind::L1 && *kind != l0)
        return error() << "matmul operands move to L0A / L0B from l1, not "
                       << getBufferKindName(*kind);
    }
    for (Value v : {acc, result}) {
      if (!v)
        continue;
      FailureOr<BufferKind> kind = kindOf(v);
      if (failed(kind))
        return failure();
      if (*kind != BufferKind::L0C)
        return error() << "matmul accumulators live in l0c, not "
                       << getBufferKindName(*kind);
    }
    // The operands are moved to offset 0 of L0A / L0B (docs/pto.md), as
    // the matrices they multiply (a transposed one lands transposed).
    auto operand = [&](Value v, TileType type, BufferKind kind) {
      if (*kindOf(v) == kind)
        return read(v);
      PipeInstr &i = emit(Pipe::mte1, "TMOV");
      i.accesses.push_back(read(v));
      MemAccess a;
      a.kind = kind;
      a.begin = 0;
      a.end = alignTo(getTileStorageBytes(type, kind, target),
                      target.getBuffer(kind).alignBytes);
      a.write = true;
      i.accesses.push_back(a);
      return a;
    };
    MemAccess l0a = operand(lhs, mm.lhsType, BufferKind::L0A);
    MemAccess l0b = operand(rhs, mm.rhsType, BufferKind::L0B);
    l0a.write = l0b.write = false;
    PipeInstr &m = emit(Pipe::m, acc ? "TMATMUL_ACC" : "TMATMUL");
    m.accesses.push_back(l0a);
    m.accesses.push_back(l0b);
    if (acc)
      m.accesses.push_back(read(acc));
    m.accesses.push_back(written(result));
    return success();
  }

  /// Adds PTO-ISA's internal broadcast buffer (getInternalScratch) to the
  /// last instruction's writes.
  void internalScratch() {
    auto [begin, end] = getInternalScratch(target);
    if (begin == end)
      return;
    MemAccess a;
    a.kind = BufferKind::UB;
    a.begin = begin;
    a.end = end;
    a.write = true;
    out.back().accesses.push_back(a);
  }

  /// Adds the op's scratch placement (getScratchTileType) to the last
  /// instruction's writes; fails when the target needs one and it is
  /// missing.
  LogicalResult scratch(StringRef name) {
    const TileStorage *s = storage.lookupScratch(op);
    if (!s) {
      if (!getScratchTileType(op, target))
        return success();
      return error() << name << " needs a scratch tile (the 'scratch' "
                                "placement of tile-place-buffers)";
    }
    out.back().accesses.push_back(access(*s, true));
    return success();
  }

  /// A cube operand window (getCubeOperandWindow): TEXTRACT from the L1
  /// source into Left / Right on MTE1, at whole fractals of the matrix the
  /// window multiplies.
  LogicalResult cubeWindow(ExtractOp o, BufferKind kind) {
    FailureOr<BufferKind> from = kindOf(o.getSource());
    if (failed(from))
      return failure();
    if (*from != BufferKind::L1)
      return error() << "a matmul operand window moves to "
                     << getBufferKindName(kind) << " from l1, not "
                     << getBufferKindName(*from);
    auto type = cast<TileType>(o.getType());
    int64_t eb = getElementBytes(type.getElementType());
    int64_t perBlock = std::max<int64_t>(1, target.ub.alignBytes / eb);
    for (auto [offset, granule, what] :
         {std::tuple{o.getRow(), target.cubeFractalRows, "row"},
          std::tuple{o.getCol(), perBlock, "column"}})
      if (getKnownDivisor(offset) % granule != 0)
        return error() << "TEXTRACT into " << getBufferKindName(kind)
                       << " moves whole cube fractals: the window's first "
                       << what << " must be a multiple of " << granule;
    PipeInstr &i = emit(Pipe::mte1, "TEXTRACT");
    i.accesses.push_back(read(o.getSource()));
    i.accesses.push_back(written(o.getResult()));
    return success();
  }

  /// tile.extract / tile.insert as PTO-ISA's Vec -> Vec TEXTRACT / TINSERT
  /// between `whole` and its `window` at (`row`, `col`): both row-major
  /// (two or more columns), or both column vectors (through their 1 x R
  /// row views, so the row offset is the column offset).
  LogicalResult checkSubTile(StringRef name, Value whole, Value window,
                             Value row, Value col) {
    auto w = cast<TileType>(whole.getType());
    auto s = cast<TileType>(window.getType());
    if (s.getRows() == 1 && s.getCols() == 1)
      return error() << name << " copies a 1x1 window with scalar "
                        "instructions (PIPE_S), which the pto back end does "
                        "not synchronise; use a window of 2 or more elements";
    bool column = w.getCols() == 1;
    if (!column && s.getCols() == 1)
      return error() << "a " << s.getRows() << "x1 window of a "
                     << w.getRows() << "x" << w.getCols()
                     << " tile is a strided column; PTO-ISA's " << name
                     << " copies row-major windows of 2 or more columns, or "
                        "windows of a column vector";
    // a2a3's vector copy starts the window at a 32-byte block (a5 copies
    // unaligned windows too).
    if (target.hasL0CToUB)
      return success();
    int64_t eb = getElementBytes(w.getElementType());
    int64_t width = column ? s.getRows() : s.getCols();
    // Its unaligned path copies the last partial block in 16-bit units.
    if (eb == 1 && width % 2 != 0)
      return error() << name << " on " << target.name
                     << " copies the window's last partial 32-byte block in "
                        "16-bit units: a window of "
                     << width << " one-byte elements (an odd number) is not "
                                 "copied whole";
    int64_t block = target.ub.alignBytes / eb;
    Value offset = column ? row : col;
    if (getKnownDivisor(offset) % block == 0)
      return success();
    InFlightDiagnostic diag = error();
    diag << name << " needs the window's first "
         << (column ? "row (of a column vector)" : "column") << " at a "
         << "multiple of " << block << " elements (32 bytes) on "
         << target.name << "; ";
    if (std::optional<int64_t> c = getConstantIntValue(offset))
      diag << "it is " << *c;
    else
      diag << "the offset is not known to be one";
    return diag;
  }

  /// tile.cmp / tile.cmps: TCMP / TCMPS into a uint8_t view of the mask,
  /// then TFILLPAD_INPLACE zeroes the mask bytes past N / 8 of each row
  /// (PTO-ISA writes them with whatever its whole 256-byte repeats
  /// compared, and a2a3's NE inverts the whole row). One V instruction
  /// reading the sources and writing the whole mask.
  LogicalResult compare(Operation *o) {
    StringRef name = getCatalogPtoInstrName(o);
    auto in = cast<TileType>(o->getOperand(0).getType());
    Type elt = in.getElementType();
    CmpMode mode = isa<CmpOp>(o) ? cast<CmpOp>(o).getMode()
                                 : cast<CmpSOp>(o).getMode();
    // a2a3's TCMP / TCMPS compare int32_t for equality only (NE is that
    // mask inverted); any other mode silently compares for equality.
    if (!target.hasL0CToUB && elt.isSignlessInteger(32) &&
        mode != CmpMode::eq && mode != CmpMode::ne)
      return error() << name << " on " << target.name
                     << " compares i32 tiles for equality only (PTO-ISA "
                        "uses its EQ compare for every other mode); '"
                     << stringifyCmpMode(mode)
                     << "' of i32 needs a5, or cast the tiles to f32 first "
                        "(exact for |x| < 2^24)";
    // The last byte of a row holds bits of N mod 8 columns and, on the
    // NPU, target-defined bits past them.
    if (in.getCols() % 8 != 0)
      return error() << name << " packs 8 columns per mask byte: a "
                     << in.getCols()
                     << "-column comparison (not a multiple of 8) leaves the "
                        "high bits of each row's last mask byte "
                        "target-defined on the NPU, where Tessel's mask has "
                        "them zero; compare a multiple of 8 columns";
    return vector(name, o->getOperands().take_front(isa<CmpOp>(o) ? 2 : 1),
                  o->getResult(0));
  }

  /// tile.sel: TSEL(dst, mask, lhs, rhs, tmp); tile.sels: TEXPANDS of the
  /// scalar into its scratch tile, then TSEL from it (a2a3's TSELS writes
  /// its scalar on the scalar unit and hands over S -> V on EVENT_ID0
  /// inside itself, outside Tessel's synchronisation). The scratch
  /// (getScratchTileType) holds TSEL's tmp (a2a3 writes the mask's address
  /// there; a5 ignores it).
  LogicalResult select(Operation *o) {
    auto type = cast<TileType>(o->getResult(0).getType());
    auto maskType = cast<TileType>(o->getOperand(0).getType());
    if (type.getCols() == 1)
      return error() << "TSEL selects along the rows of row-major tiles; a "
                     << type.getRows()
                     << "x1 selection (a column vector, stored column "
                        "major) has no PTO-ISA form";
    if (maskType.getCols() == 1)
      return error() << "the mask of TSEL is a row-major tile of bytes; a "
                     << maskType.getRows()
                     << "x1 i8 mask is stored as a column vector";
    if (failed(vector("TSEL", o->getOperands().take_front(isa<SelOp>(o) ? 3
                                                                        : 2),
                      o->getResult(0))))
      return failure();
    return scratch(getCatalogPtoInstrName(o));
  }

  /// The copy a pipeline or scf.if needs when a value is not already in the
  /// storage it must reach; the pto back end does not emit such copies yet.
  LogicalResult noCopy(Value from, Value to, StringRef what) {
    if (storage.lookup(from) == storage.lookup(to))
      return success();
    return error() << what
                   << " needs a tile copy (its value is not placed in the "
                      "carried storage), which the pto back end does not "
                      "emit";
  }
};

} // namespace

LogicalResult InstrBuilder::build() {
  // Ops the CPU simulation runs whose PTO-ISA instruction the emitter and
  // its reference (runtime/pto) do not have yet: a clear error at the op.
  [[maybe_unused]] auto notYet = [&](StringRef instr) -> LogicalResult {
    return error() << "the NPU back end does not emit " << op->getName()
                   << " yet (PTO-ISA " << instr
                   << " is not in Tessel's emitter and runtime/pto "
                      "reference); the CPU simulation runs it";
  };
  // INT64 / INDEX tiles: the CPU simulation runs them, the emitter and
  // its reference do not model 64-bit tiles.
  auto is64 = [](Value v) {
    auto t = dyn_cast<TileType>(v.getType());
    return t && t.getElementType().isSignlessInteger(64);
  };
  if (llvm::any_of(op->getOperands(), is64) ||
      llvm::any_of(op->getResults(), is64))
    return error() << "the NPU back end has no 64-bit integer tiles (PyPTO's "
                      "INT64 / INDEX) yet; the CPU simulation runs them";
  // PTO-ISA's broadcasts write row-major destinations.
  if (getExpandInfo(op) || isa<RowExpandOp, ColExpandOp>(op))
    if (cast<TileType>(op->getResult(0).getType()).getCols() == 1)
      return error() << "a broadcast into a single column (a column vector, "
                        "stored column major) has no PTO-ISA instruction; "
                        "PTO-ISA's TROWEXPAND* / TCOLEXPAND* write row-major "
                        "tiles of 2 or more columns";
  if (std::optional<ExpandInfo> info = getExpandInfo(op)) {
    // TROWEXPAND<OP> / TCOLEXPAND<OP>(dst, src, scale): on a2a3 the
    // per-row forms broadcast the scale through PTO-ISA's internal buffer.
    if (failed(vector(info->ptoName, op->getOperands(), op->getResult(0))))
      return failure();
    if (info->perRow)
      internalScratch();
    return success();
  }
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](ExtractOp o) -> LogicalResult {
        FailureOr<BufferKind> kind = kindOf(o.getResult());
        if (failed(kind))
          return failure();
        if (*kind == BufferKind::L0A || *kind == BufferKind::L0B)
          return cubeWindow(o, *kind);
        if (failed(checkSubTile("TEXTRACT", o.getSource(), o.getResult(),
                                o.getRow(), o.getCol())))
          return failure();
        return vector("TEXTRACT", o.getSource(), o.getResult());
      })
      .Case([&](InsertOp o) -> LogicalResult {
        if (failed(notInL1(o.getResult(), "an insert (TINSERT)")))
          return failure();
        if (failed(checkSubTile("TINSERT", o.getDest(), o.getSource(),
                                o.getRow(), o.getCol())))
          return failure();
        // Placed on dest's bytes, only the window is written; elsewhere
        // dest is copied first (TMOV, then TINSERT).
        if (storage.lookup(o.getResult()) == storage.lookup(o.getDest()))
          return vector("TINSERT", o.getSource(), o.getResult());
        return vector("TMOV+TINSERT", {o.getDest(), o.getSource()},
                      o.getResult());
      })
      .Case([&](RowExpandOp o) {
        return vector("TROWEXPAND", o.getInput(), o.getResult());
      })
      .Case([&](ColExpandOp o) {
        return vector("TCOLEXPAND", o.getInput(), o.getResult());
      })
      .Case<SinOp, CosOp>([&](Operation *o) -> LogicalResult {
        return error() << "PTO-ISA has no " << (isa<SinOp>(o) ? "sine" : "cosine")
                       << " instruction (no T" << (isa<SinOp>(o) ? "SIN" : "COS")
                       << " in pto-isa), so the NPU back end cannot emit "
                       << o->getName() << " on " << target.name
                       << "; the CPU simulation runs it";
      })
      // TileIndexOps.td: pto-isa's index TSCATTER (over flat indices, a2a3
      // zero-filling its whole destination first) is not in the emitter.
      .Case([&](GatherIndexOp o) -> LogicalResult {
        // TGATHER over flat offsets into a zero-bordered copy of the
        // input (TileLayout.h, getGatherIndexScratch): TEXPANDS, TINSERT,
        // TMAXS / TMINS, TCI, TMULS, TROWEXPANDADD, TGATHER, all V, in the
        // op's scratch.
        auto in = cast<TileType>(o.getInput().getType());
        auto res = cast<TileType>(o.getType());
        int64_t eb = getElementBytes(in.getElementType());
        if (eb != 2 && eb != 4)
          return error() << "PTO-ISA's index TGATHER takes 16- or 32-bit "
                            "elements with 32-bit indices (a5's 1-byte form "
                            "reads 16-bit indices, which Tessel has not), "
                            "not "
                         << in.getElementType();
        if (in.getCols() < 2)
          return error() << "the index gather reads rows of 2 or more "
                            "columns; a column vector is stored column major";
        int64_t per = std::max<int64_t>(8, target.ub.alignBytes / eb);
        if (res.getCols() % per)
          return error() << "PTO-ISA's index TGATHER writes whole rows of "
                            "its destination and reads whole rows of its "
                            "indices (valid columns equal to the storage's): "
                            "gather a multiple of "
                         << per << " columns of " << in.getElementType()
                         << ", not " << res.getCols();
        if (failed(vector("TGATHER", {o.getInput(), o.getIndex()},
                          o.getResult())))
          return failure();
        if (!target.hasL0CToUB)
          internalScratch(); // TROWEXPANDADD's broadcast buffer
        return scratch("TGATHER");
      })
      .Case([&](ScatterIndexOp) { return notYet("TSCATTER (index form)"); })
      // TSORT32's 3-operand form (whole blocks of 32, the verifier's rule);
      // the index is read as uint32_t.
      .Case([&](Sort32Op o) {
        return vector("TSORT32", {o.getInput(), o.getIndex()},
                      o.getResult());
      })
      // The single-list TMRGSORT (pto-isa's limit of 255 groups of 4 runs
      // of at least 64 columns is beyond UB: its source and result would
      // need 2 * 255 * 256 * 2 bytes).
      .Case([&](MrgSortOp o) {
        return vector("TMRGSORT", o.getInput(), o.getResult());
      })
      // The multi-list TMRGSORT (not exhausted), its tmp the op's scratch.
      .Case([&](MrgSortListsOp o) -> LogicalResult {
        if (failed(vector("TMRGSORT", o.getInputs(), o.getResult())))
          return failure();
        return scratch("TMRGSORT");
      })
      .Case([&](FillPadOp o) {
        return vector("TFILLPAD", o.getSource(), o.getResult());
      })
      // The rest of the catalog (TileCatalogOps.td) but the bitwise ops, the
      // reductions, concat and tri: CPU simulation only for now. Several need scratch
      // tiles placement does not reserve yet (TSEL / TSELS / TPRELU / TXOR
      // on a2a3, the arg-reductions, TTRANS).
      .Case([&](ConcatOp o) {
        return vector("TCONCAT", o->getOperands(), o.getResult());
      })
      .Case([&](TriOp o) { return vector("TTRI", {}, o.getResult()); })
      .Case<CmpOp, CmpSOp>([&](Operation *o) { return compare(o); })
      .Case<SelOp, SelSOp>([&](Operation *o) { return select(o); })
      // TPRELU (a2a3: TMUL into the destination, then TCMPS of the source
      // into its tmp and TSEL; placement never puts the result on an
      // operand); the tmp is the op's scratch on a2a3, a5 ignores it.
      .Case([&](PReluOp o) -> LogicalResult {
        if (failed(vector("TPRELU", o->getOperands(), o.getResult())))
          return failure();
        return scratch("TPRELU");
      })
      // TXOR / TXORS, TTRANS and the arg-reductions take a tmp tile: the
      // op's scratch placement where the target uses it (TileLayout.h).
      .Case<XorOp, XorSOp>([&](Operation *o) -> LogicalResult {
        StringRef name = getCatalogPtoInstrName(o);
        if (failed(vector(name, o->getOperands().take_front(
                                    isa<XorOp>(o) ? 2 : 1),
                          o->getResult(0))))
          return failure();
        return scratch(name);
      })
      .Case([&](TransposeOp o) -> LogicalResult {
        auto in = cast<TileType>(o.getInput().getType());
        if (in.getRows() == 1 || in.getCols() == 1)
          return error() << "TTRANS transposes tiles of 2 or more rows and "
                            "columns; a transpose of a "
                         << in.getRows() << "x" << in.getCols()
                         << " tile is a reshape (tile.reshape)";
        if (failed(vector("TTRANS", o.getInput(), o.getResult())))
          return failure();
        return scratch("TTRANS");
      })
      .Case<RowArgMaxOp, RowArgMinOp, ColArgMaxOp, ColArgMinOp>(
          [&](Operation *o) -> LogicalResult {
        // pto-isa's element types: rows a2a3 f16 / f32 / i32, a5 also
        // bf16; columns a2a3 f16 / f32 (its u16 / u32 are no Tessel type),
        // a5 also i8 and i32.
        StringRef name = getCatalogPtoInstrName(o);
        Type elt = cast<TileType>(o->getOperand(0).getType()).getElementType();
        bool a5 = target.hasL0CToUB;
        bool byRow = isa<RowArgMaxOp, RowArgMinOp>(o);
        bool ok = elt.isF16() || elt.isF32();
        if (byRow)
          ok |= elt.isSignlessInteger(32) || (a5 && elt.isBF16());
        else
          ok |= a5 && (elt.isSignlessInteger(32) || elt.isSignlessInteger(8));
        if (!ok)
          return error() << name << " takes no " << elt << " tiles on "
                         << target.name << " ("
                         << (byRow ? (a5 ? "f16, bf16, f32, i32"
                                         : "f16, f32, i32")
                                   : (a5 ? "i8, f16, f32, i32" : "f16, f32"))
                         << "); cast the tile first";
        if (failed(vector(name, o->getOperand(0), o->getResult(0))))
          return failure();
        return scratch(name);
      })
      // The same bytes read as another element type: no PTO-ISA
      // instruction, a second tile object on the bytes (TileLayout.h: the
      // layouts of both types must be the same bytes). Placed on its input
      // (which dies there) it is free; elsewhere a TMOV of that view.
      .Case([&](ReinterpretViewOp o) -> LogicalResult {
        FailureOr<BufferKind> kind = kindOf(o.getInput());
        if (failed(kind))
          return failure();
        auto in = cast<TileType>(o.getInput().getType());
        auto res = cast<TileType>(o.getType());
        if (*kind != BufferKind::UB)
          return error() << "the NPU back end reinterprets tiles in ub "
                            "(a second Vec tile object on the bytes), not "
                         << getBufferKindName(*kind);
        if (!isSameBytesReinterpret(in, res, target))
          return error()
                 << "the bytes of a " << in.getRows() << "x" << in.getCols()
                 << " " << in.getElementType() << " tile are laid out "
                 << "differently from a " << res.getRows() << "x"
                 << res.getCols() << " " << res.getElementType()
                 << " tile in ub (a column vector is stored column major, "
                    "other tiles row major with 32-byte rows); reinterpret "
                    "a tile of 2 or more columns as one of 2 or more "
                    "columns, or a column vector as one of its width";
        if (storage.lookup(o.getInput()) == storage.lookup(o.getResult()))
          return success();
        return vector("TMOV", o.getInput(), o.getResult());
      })
      // Sequential down the columns: TCOLSUM's form without tmp.
      .Case<ColSumOp, ColMaxOp, ColMinOp, ColProdOp>([&](Operation *o) {
        return vector(getPtoInstrName(o), o->getOperand(0), o->getResult(0));
      })
      .Case<AndOp, OrOp, ShlOp, ShrOp>([&](Operation *o) {
        return vector(getPtoInstrName(o), o->getOperands(), o->getResult(0));
      })
      .Case<NotOp, AndSOp, OrSOp, ShlSOp, ShrSOp>(
          [&](Operation *o) -> LogicalResult {
        Type elt = cast<TileType>(o->getResult(0).getType()).getElementType();
        if (!target.hasL0CToUB && isa<ShlSOp, ShrSOp>(o) &&
            elt.isSignlessInteger(8))
          return error() << getPtoInstrName(o) << " takes no i8 tiles on "
                         << target.name << " (a5 has them); shift by a tile "
                            "of amounts (tile.shl / tile.shr) instead";
        return vector(getPtoInstrName(o), o->getOperand(0), o->getResult(0));
      })
      // PTO-ISA reads and writes one element of a UB tile on the scalar
      // unit (Tile::GetValue / SetValue, PIPE_S): tile-insert-sync orders
      // them with the vector and MTE pipes like any other pipe (a value a
      // vector op wrote is read after a V -> S flag, a scalar write is read
      // by a vector op after an S -> V one). The whole tile counts as
      // accessed (the element's index may be a runtime value).
      .Case([&](GetOp o) -> LogicalResult {
        if (failed(scalarAccess("GetValue", o.getSource())))
          return failure();
        PipeInstr &i = emit(Pipe::s, "GetValue");
        i.accesses.push_back(read(o.getSource()));
        return success();
      })
      .Case([&](SetOp o) -> LogicalResult {
        if (failed(scalarAccess("SetValue", o.getResult())))
          return failure();
        // In place (tile-place-buffers puts the result on a dest that dies
        // here): only the element is written. Elsewhere the dest is first
        // copied on the vector unit (TMOV), then the emitter orders the copy
        // before the scalar write with the V -> S event id kept for this
        // hand-off (getIntraOpEventId).
        if (!(storage.lookup(o.getResult()) == storage.lookup(o.getDest())) &&
            failed(vector("TMOV", o.getDest(), o.getResult())))
          return failure();
        PipeInstr &i = emit(Pipe::s, "SetValue");
        i.accesses.push_back(written(o.getResult()));
        return success();
      })
      .Case<RemOp, RemSOp>([&](Operation *o) -> LogicalResult {
        // pto-isa's a2a3 TREM / TREMS take float only (a5: half too) and
        // write the destination before reading the sources again.
        StringRef name = getPtoInstrName(o);
        Type elt = cast<TileType>(o->getResult(0).getType()).getElementType();
        bool a2a3 = !target.hasL0CToUB;
        if (a2a3 && !elt.isF32())
          return error() << name << " takes f32 tiles on " << target.name
                         << ", not " << elt << "; cast to f32 first";
        unsigned tiles = isa<RemOp>(o) ? 2 : 1;
        for (unsigned i = 0; i < tiles; ++i)
          if (a2a3 && storage.lookup(o->getOperand(i))
                          .overlaps(storage.lookup(o->getResult(0))))
            return error() << name << " cannot write over its sources on "
                           << target.name
                           << " (the result is placed on an operand's bytes)";
        if (failed(vector(name, o->getOperands().take_front(tiles),
                          o->getResult(0))))
          return failure();
        return scratch(name);
      })
      .Case([&](ArangeOp o) -> LogicalResult {
        // TCI writes a one-row sequence; a tile of whole 32-byte rows is
        // that row's bytes. pto-isa's a5 TCI takes integers only, and
        // Tessel emits the i32 form on both targets.
        auto type = cast<TileType>(o.getType());
        if (!type.getElementType().isSignlessInteger(32))
          return error() << "TCI generates i32 sequences in the pto back end, "
                            "not "
                         << type.getElementType()
                         << " (a5 has no float TCI); build an i32 arange and "
                            "tile.cast it";
        int64_t eb = getElementBytes(type.getElementType());
        if (type.getRows() > 1 && type.getCols() > 1 &&
            (type.getCols() * eb) % target.ub.alignBytes)
          return error() << "TCI writes one row; a " << type.getRows() << "x"
                         << type.getCols()
                         << " arange is one only when its rows fill whole "
                            "32-byte blocks (columns a multiple of "
                         << target.ub.alignBytes / eb << ")";
        if (failed(vector("TCI", {}, o.getResult())))
          return failure();
        return scratch("TCI");
      })
      .Case([&](LoadOp o) { return load(o); })
      // TSTORE moves its source's valid region (RowValid x ColValid): a
      // masked store, atomic or not, is TSTORE of a view with the valid
      // shape, from UB (partialTile).
      .Case([&](StoreOp o) { return store(o); })
      .Case([&](FullOp o) -> LogicalResult {
        // A zero that starts accumulators in L0C: the first matmul writes
        // the accumulator instead of adding to it (TMATMUL).
        if (isZeroAccumulatorFull(o, storage))
          return success();
        // Any other fill of an accumulator: the vector unit cannot write
        // L0C, and no cube instruction fills it.
        if (storage.lookup(o.getResult()).arena == Arena::L0C)
          return error()
                 << "a fill of a matmul accumulator (an l0c tile) has no "
                    "NPU instruction (the vector unit cannot write l0c); "
                    "the back end only drops a zero accumulator whose every "
                    "use is the accumulator of a matmul_acc (directly, or "
                    "through a loop's iter_arg in a loop that runs): start "
                    "with a zero (pl.full(..., 0.0) / pl.create_tensor) "
                    "read only by pl.matmul_acc, or add the fill to the "
                    "matmul's result in a vector tile";
        if (failed(notInL1(o.getResult(), "a fill (TEXPANDS)")))
          return failure();
        return vector("TEXPANDS", {}, o.getResult());
      })
      .Case([&](CopyOp o) -> LogicalResult {
        if (storage.lookup(o.getInput()) == storage.lookup(o.getResult()))
          return success();
        return vector("TMOV", o.getInput(), o.getResult());
      })
      .Case([&](ReshapeOp o) -> LogicalResult {
        if (storage.lookup(o.getInput()) == storage.lookup(o.getResult()))
          return success();
        return error() << "a reshape that is not a view of its operand (not "
                          "placed at the operand's bytes) is a copy the pto "
                          "back end does not emit";
      })
      .Case([&](CastOp o) -> LogicalResult {
        if (failed(vector("TCVT", o.getInput(), o.getResult())))
          return failure();
        if (!needsCastThroughF32(o, target))
          return success();
        // i32 -> f16 rounding other than to nearest even goes through f32,
        // written over the source (which dies here).
        if (!o.getInput().hasOneUse() || isa<BlockArgument>(o.getInput()))
          return error() << "i32 -> f16 with rounding '"
                         << stringifyRoundMode(o.getMode())
                         << "' has no PTO-ISA instruction on " << target.name
                         << "; it goes through f32 over the source tile, "
                            "which must die at this cast";
        out.back().accesses.push_back(written(o.getInput()));
        return success();
      })
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp>([&](Operation *o) {
        return vector(getPtoInstrName(o), o->getOperands(), o->getResult(0));
      })
      .Case<AddSOp, SubSOp, RSubSOp, MulSOp, DivSOp, RDivSOp, MaxSOp, MinSOp>(
          [&](Operation *o) {
            return vector(getPtoInstrName(o), o->getOperand(0),
                          o->getResult(0));
          })
      .Case<FModOp, FModSOp>([&](Operation *o) -> LogicalResult {
        // pto-isa's a2a3 TFMOD / TFMODS take float only (a5: half too).
        Type elt = cast<TileType>(o->getResult(0).getType()).getElementType();
        if (!target.hasL0CToUB && !elt.isF32())
          return error() << getPtoInstrName(o) << " takes f32 tiles on "
                         << target.name << ", not " << elt
                         << "; cast to f32 first";
        if (isa<FModSOp>(o))
          return vector(getPtoInstrName(o), o->getOperand(0), o->getResult(0));
        return vector(getPtoInstrName(o), o->getOperands(), o->getResult(0));
      })
      .Case<NegOp, AbsOp, SqrtOp, RsqrtOp, RecipOp, ExpOp, LogOp>(
          [&](Operation *o) -> LogicalResult {
        // The (op, dtype, placement) limits of PTO-ISA's a2a3 vector unit
        // (docs/pto.md): TABS takes half / float only, TRECIP cannot write
        // over its source.
        bool a2a3 = !target.hasL0CToUB;
        Type elt = cast<TileType>(o->getResult(0).getType()).getElementType();
        if (a2a3 && isa<AbsOp>(o) && !isa<FloatType>(elt))
          return error() << "TABS takes f16 or f32 tiles on " << target.name
                         << ", not " << elt;
        if (a2a3 && isa<RecipOp>(o) &&
            storage.lookup(o->getOperand(0)).overlaps(
                storage.lookup(o->getResult(0))))
          return error() << "TRECIP cannot write over its source on "
                         << target.name
                         << " (the result is placed on the input's bytes)";
        return vector(getPtoInstrName(o), o->getOperand(0), o->getResult(0));
      })
      .Case<RowSumOp, RowMaxOp, RowMinOp, RowProdOp>(
          [&](Operation *o) -> LogicalResult {
        const TileStorage *scratch = storage.lookupScratch(o);
        if (!scratch)
          return error() << "a row reduction needs a scratch tile (the "
                            "'scratch' placement of tile-place-buffers)";
        if (failed(vector(getPtoInstrName(o),
                          o->getOperand(0), o->getResult(0))))
          return failure();
        out.back().accesses.push_back(access(*scratch, true));
        return success();
      })
      .Case([&](GatherOp o) {
        return vector("TGATHER", o.getInput(), o.getResult());
      })
      .Case([&](ScatterOp o) -> LogicalResult {
        // PTO-ISA's TSCATTER may zero-fill its destination (a2a3 does), so
        // a scatter that keeps the destination's other columns has no
        // instruction. An interleave (a scatter into a scatter of the
        // complementary pattern) has: both scatter into zeroed tiles, then
        // one TOR of their integer views merges them bit for bit.
        ScatterPair pair = getScatterPair(o, storage);
        if (pair.role == ScatterPair::None)
          return error() << "a scatter that keeps the other columns of its "
                            "destination has no PTO-ISA instruction "
                            "(TSCATTER may zero-fill its destination); only "
                            "two scatters of complementary patterns into "
                            "separate storage (an interleave) are emitted";
        // TEXPANDS, TSCATTER (and for the outer one TOR over the inner).
        if (failed(vector("TSCATTER", o.getSource(), o.getResult())))
          return failure();
        if (pair.role == ScatterPair::Outer)
          out.back().accesses.push_back(read(pair.inner.getResult()));
        return success();
      })
      .Case([&](MatmulOp o) {
        return matmul(o, Value(), o.getLhs(), o.getRhs(), o.getResult());
      })
      .Case([&](MatmulAccOp o) {
        return matmul(o, o.getAcc(), o.getLhs(), o.getRhs(), o.getResult());
      })
      .Case([&](PipelineOp o) -> LogicalResult {
        for (auto [init, arg] : llvm::zip(o.getInitArgs(), o.getIterArgs()))
          if (isa<TileType>(arg.getType()) &&
              failed(noCopy(init, arg, "the initial value of a tile iter_arg")))
            return failure();
        return success();
      })
      .Case([&](YieldOp o) -> LogicalResult {
        auto pipeline = dyn_cast<PipelineOp>(o->getParentOp());
        if (!pipeline)
          return success();
        for (auto [v, arg] : llvm::zip(o.getOperands(), pipeline.getIterArgs()))
          if (isa<TileType>(arg.getType()) &&
              failed(noCopy(v, arg, "the value a tile.pipeline yields")))
            return failure();
        return success();
      })
      // A branch with tile results issues nothing itself: its branches'
      // ops do, and each yields its tile in the result's storage (below).
      .Case([](scf::IfOp) { return success(); })
      .Case([&](scf::YieldOp o) -> LogicalResult {
        auto ifOp = dyn_cast<scf::IfOp>(o->getParentOp());
        if (!ifOp)
          return success();
        for (auto [v, res] : llvm::zip(o.getOperands(), ifOp.getResults()))
          if (isa<TileType>(res.getType()) &&
              failed(noCopy(v, res, "the tile an scf.if branch yields")))
            return failure();
        return success();
      })
      .Case<SetFlagOp, WaitFlagOp, BarrierOp, SpmdOp, AtOp, AllocGmOp>(
          [](Operation *) { return success(); })
      .Default([&](Operation *o) -> LogicalResult {
        bool touchesTiles =
            llvm::any_of(o->getOperandTypes(), llvm::IsaPred<TileType>) ||
            llvm::any_of(o->getResultTypes(), llvm::IsaPred<TileType>);
        if (o->getDialect() && isa<TileDialect>(o->getDialect()))
          touchesTiles = true;
        if (!touchesTiles)
          return success();
        return error() << "no NPU instruction for this op";
      });
}

LogicalResult tessel::getPipeInstrs(Operation *op,
                                    const TileStorageMap &storage,
                                    SmallVectorImpl<PipeInstr> &out) {
  return InstrBuilder(op, storage, out).build();
}
