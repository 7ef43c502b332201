//===- ScheduleCost.cpp - Modelled NPU time of a scheduled kernel ---------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/ScheduleCost.h"

#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Analysis/PipeModel.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tile/TileOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/JSON.h"

#include <algorithm>

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

static int64_t getTileBytes(Type type) {
  auto tile = dyn_cast<TileType>(type);
  if (!tile)
    return 0;
  return tile.getNumElements() * getElementBytes(tile.getElementType());
}

static int64_t getMemRefBytes(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape())
    return 0;
  return memref.getNumElements() *
         std::max<int64_t>(memref.getElementTypeBitWidth() / 8, 1);
}

/// The vector class of a tile op that runs on V, if it does.
static std::optional<VectorOpClass> getVectorClass(Operation *op) {
  if (isa<LoadOp, StoreOp, MatmulOp, MatmulAccOp, ReshapeOp, AllocGmOp,
          SpmdOp, AtOp, PipelineOp, YieldOp, SetFlagOp, WaitFlagOp,
          BarrierOp>(op))
    return std::nullopt;
  if (op->getDialect() == nullptr ||
      op->getDialect()->getNamespace() != TileDialect::getDialectNamespace())
    return std::nullopt;
  if (isa<CastOp>(op))
    return VectorOpClass::Cast;
  if (isa<RowSumOp, RowMaxOp, RowProdOp, RowMinOp, ColSumOp, ColMaxOp,
          ColMinOp, ColProdOp, RowArgMaxOp, RowArgMinOp, ColArgMaxOp,
          ColArgMinOp>(op))
    return VectorOpClass::Reduce;
  if (isa<ExpOp, SqrtOp, RsqrtOp, RecipOp, DivOp, DivSOp, RDivSOp>(op))
    return VectorOpClass::Special;
  return VectorOpClass::Simple;
}

namespace {

struct RootInfo {
  int64_t bytes = 0;
  bool isArgument = false;
  /// Bytes of this tensor already in L2 (read from HBM, or written there).
  double inL2 = 0;
};

struct Cost {
  PipeWork work;
  PipeSeconds pipes;
  double sec = 0;
  bool pipelined = false;

  void add(const Cost &o) {
    work += o.work;
    pipes += o.pipes;
    sec += o.sec;
    pipelined |= o.pipelined;
  }
};

} // namespace

namespace tessel {
class ScopeModel {
public:
  ScopeModel(const TargetInfo &target, bool assumePipelined)
      : target(target), assumePipelined(assumePipelined) {}

  ScheduleCost run(func::FuncOp func);

  /// The L2 model of a scope of `blocks` blocks whose block is `body`'s
  /// regions: what it stores is in L2 when read back, and of each tensor's
  /// reads the bytes not yet in L2 come from HBM (`hbmFraction`); updates
  /// what is in L2 for later scopes.
  void prepare(Operation *body, int64_t blocks);
  /// One block of `body` (after `prepare`) with `activeCores` cores
  /// streaming at once.
  Cost block(Operation *body, int64_t activeCores) {
    active = std::max<int64_t>(activeCores, 1);
    return walkRegions(body);
  }

  const TargetInfo &target;

private:
  RootInfo &getRoot(Value memref) {
    Value root = getGMRoot(memref);
    auto it = roots.find(root);
    if (it != roots.end())
      return it->second;
    RootInfo info;
    info.bytes = getMemRefBytes(root.getType());
    info.isArgument = isa<BlockArgument>(root);
    // GM scratch is stored before it is read (the frontend and the race
    // check see to it): when it fits, its reads come from L2.
    if (root.getDefiningOp<AllocGmOp>() && fitsL2(info))
      info.inL2 = static_cast<double>(info.bytes);
    return roots[root] = info;
  }
  bool fitsL2(const RootInfo &r) const { return r.bytes <= target.l2Bytes; }

  void collectReads(Operation *op, double times,
                    llvm::DenseMap<Value, double> &reads);
  Cost walk(Operation *op);
  Cost walkRegions(Operation *op);
  Cost leaf(const PipeWork &work) {
    Cost c;
    c.work = work;
    c.pipes = getPipeSeconds(work, active, target);
    c.sec = c.pipes.sum();
    return c;
  }

  /// Count an scf.for with a tile.load in its body as the tile.pipeline
  /// tile-pipeline-loops makes it (the passes before it decide with this).
  bool assumePipelined;
  llvm::DenseMap<Value, RootInfo> roots;
  /// Per GM root read in the current scope: the fraction served by HBM.
  llvm::DenseMap<Value, double> hbmFraction;
  int64_t active = 1;
};
} // namespace tessel

void ScopeModel::collectReads(Operation *op, double times,
                         llvm::DenseMap<Value, double> &reads) {
  if (auto load = dyn_cast<LoadOp>(op)) {
    reads[getGMRoot(load.getSource())] +=
        times * static_cast<double>(getAccessBytes(load));
    return;
  }
  if (isa<scf::ForOp, PipelineOp>(op))
    times *= static_cast<double>(getStaticTripCount(op));
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps())
      collectReads(&inner, times, reads);
}

Cost ScopeModel::walkRegions(Operation *op) {
  Cost c;
  for (Region &region : op->getRegions())
    for (Operation &inner : region.getOps())
      c.add(walk(&inner));
  return c;
}

Cost ScopeModel::walk(Operation *op) {
  if (auto load = dyn_cast<LoadOp>(op)) {
    double bytes = static_cast<double>(getAccessBytes(load));
    double f = hbmFraction.lookup(getGMRoot(load.getSource()));
    PipeWork w;
    w.hbmReadBytes = bytes * f;
    w.l2ReadBytes = bytes * (1 - f);
    return leaf(w);
  }
  if (auto store = dyn_cast<StoreOp>(op)) {
    double bytes = static_cast<double>(getAccessBytes(store));
    RootInfo &root = getRoot(store.getDest());
    PipeWork w;
    (root.isArgument || !fitsL2(root) ? w.hbmWriteBytes : w.l2WriteBytes) =
        bytes;
    return leaf(w);
  }
  // A cube operand window is the L1 -> L0 move of its matmuls' operand
  // (tile-split-matmul-k's K steps): MTE1 bytes, counted here, not again
  // at the matmul.
  if (auto extract = dyn_cast<ExtractOp>(op))
    if (getCubeOperandWindow(extract)) {
      PipeWork w;
      w.mte1Bytes = static_cast<double>(getTileBytes(extract.getType()));
      return leaf(w);
    }
  if (std::optional<MatmulView> mm = getMatmulView(op)) {
    PipeWork w;
    auto isWindow = [](Value v) {
      auto extract = v.getDefiningOp<ExtractOp>();
      return extract && getCubeOperandWindow(extract);
    };
    w.mte1Bytes =
        static_cast<double>((isWindow(mm->lhs) ? 0 : getTileBytes(mm->lhsType)) +
                            (isWindow(mm->rhs) ? 0 : getTileBytes(mm->rhsType)));
    double macs = static_cast<double>(mm->m * mm->n * mm->k);
    Type elt = mm->lhsType.getElementType();
    (elt.isInteger(8) ? w.cubeMacsI8
     : elt.isF32()    ? w.cubeMacsF32
                      : w.cubeMacs) = macs;
    return leaf(w);
  }
  if (auto ifOp = dyn_cast<scf::IfOp>(op)) {
    Cost best;
    for (Region &region : ifOp->getRegions()) {
      Cost branch;
      for (Operation &inner : region.getOps())
        branch.add(walk(&inner));
      if (branch.sec > best.sec)
        best = branch;
    }
    return best;
  }
  if (auto loop = dyn_cast<scf::ForOp>(op);
      loop && !(assumePipelined && loop.getInductionVar().getType().isIndex() &&
                loop.getBody()
                    ->walk([](LoadOp) { return WalkResult::interrupt(); })
                    .wasInterrupted())) {
    Cost body = walkRegions(op);
    double trips = static_cast<double>(getStaticTripCount(op));
    body.work *= trips;
    body.pipes *= trips;
    body.sec *= trips;
    return body;
  }
  if (isa<PipelineOp, scf::ForOp>(op)) {
    // One iteration's pipes overlap the next's: the busiest sets the pace,
    // the rest is one fill and drain.
    Cost it = walkRegions(op);
    int64_t trips = getStaticTripCount(op);
    Cost c = it;
    double t = static_cast<double>(trips);
    c.work *= t;
    c.pipes *= t;
    double busiest = it.pipes.max();
    c.sec = trips <= 0 ? 0
                       : t * busiest + std::max(0.0, it.sec - busiest);
    c.pipelined = true;
    return c;
  }
  if (std::optional<VectorOpClass> cls = getVectorClass(op)) {
    int64_t bytes = 0;
    for (Value v : op->getOperands())
      bytes = std::max(bytes, getTileBytes(v.getType()));
    for (Value v : op->getResults())
      bytes = std::max(bytes, getTileBytes(v.getType()));
    if (bytes == 0)
      return walkRegions(op);
    PipeWork w;
    w.vectorCycles = getVectorInstrCycles(*cls, bytes, target);
    w.vectorInstrs = 1;
    return leaf(w);
  }
  return walkRegions(op);
}

void ScopeModel::prepare(Operation *body, int64_t blocks) {
  // What this scope writes is in L2 when it is read back (by this scope:
  // a block reads what it stored, the race check rules out reading
  // another block's stores; or by a later scope): scratch stays there,
  // outputs also go on to HBM (counted at the store).
  body->walk([&](StoreOp store) {
    RootInfo &root = getRoot(store.getDest());
    if (fitsL2(root))
      root.inL2 = static_cast<double>(root.bytes);
  });
  // The L2 model: of each tensor's reads in this scope (all blocks), the
  // bytes not yet in L2 come from HBM, the rest from L2.
  llvm::DenseMap<Value, double> reads;
  for (Region &region : body->getRegions())
    for (Operation &inner : region.getOps())
      collectReads(&inner, 1.0, reads);
  hbmFraction.clear();
  for (auto &[root, blockBytes] : reads) {
    RootInfo &info = getRoot(root);
    double total = blockBytes * static_cast<double>(blocks);
    double fromHbm = total;
    if (fitsL2(info)) {
      double missing =
          std::max(0.0, static_cast<double>(info.bytes) - info.inL2);
      fromHbm = std::min(total, missing);
      info.inL2 =
          std::min(static_cast<double>(info.bytes), info.inL2 + fromHbm);
    }
    hbmFraction[root] = total > 0 ? fromHbm / total : 1.0;
  }
}

ScheduleCost ScopeModel::run(func::FuncOp func) {
  ScheduleCost out;
  for (BlockArgument arg : func.getArguments())
    out.compulsoryBytes += getMemRefBytes(arg.getType());
  out.hbmFloorSec = static_cast<double>(out.compulsoryBytes) /
                    target.hbmEffectiveBytesPerSec;
  double clock = 0;
  int index = 0;
  func.walk([&](SpmdOp spmd) {
    ScopeCost scope;
    if (auto name = spmd->getAttrOfType<StringAttr>("sym_name"))
      scope.name = name.getValue().str();
    else
      scope.name = "spmd" + std::to_string(index);
    ++index;
    CoreKind kind = CoreKind::vector;
    spmd.walk([&](AtOp at) {
      kind = at.getKind();
      return WalkResult::interrupt();
    });
    scope.kind = kind == CoreKind::vector ? "vector" : "cube";
    scope.blocks = static_cast<int64_t>(spmd.getBlocks());
    scope.cores = getCoreCount(kind, target);
    prepare(spmd, scope.blocks);
    Cost block = this->block(spmd, std::min(scope.blocks, scope.cores));
    scope.blockWork = block.work;
    scope.blockPipes = block.pipes;
    scope.blockSec = block.sec;
    scope.pipelined = block.pipelined;
    scope.dispatchSec = target.taskDispatchSec;
    scope.scopeSec = getScopeSeconds(scope.blocks, scope.cores, block.sec,
                                     target);
    scope.startSec = clock;
    clock += scope.scopeSec;
    int64_t waves = (scope.blocks + scope.cores - 1) / scope.cores;
    scope.bound = static_cast<double>(waves) * target.taskDispatchSec >
                          static_cast<double>(waves) * block.sec
                      ? "dispatch"
                      : block.pipes.bound().str();
    double blocks = static_cast<double>(scope.blocks);
    scope.hbmReadBytes = static_cast<int64_t>(block.work.hbmReadBytes * blocks + 0.5);
    scope.l2ReadBytes = static_cast<int64_t>(block.work.l2ReadBytes * blocks + 0.5);
    scope.hbmWriteBytes = static_cast<int64_t>(block.work.hbmWriteBytes * blocks + 0.5);
    scope.l2WriteBytes = static_cast<int64_t>(block.work.l2WriteBytes * blocks + 0.5);
    scope.loadBytes = scope.hbmReadBytes + scope.l2ReadBytes;
    scope.storeBytes = scope.hbmWriteBytes + scope.l2WriteBytes;
    out.hbmBytes += scope.hbmReadBytes + scope.hbmWriteBytes;
    out.gmLoadBytes += scope.loadBytes;
    out.gmStoreBytes += scope.storeBytes;
    out.scopes.push_back(std::move(scope));
    return WalkResult::skip();
  });
  out.totalSec = clock;
  return out;
}

ScheduleCost tessel::modelSchedule(func::FuncOp func, const TargetInfo &target) {
  return ScopeModel(target, /*assumePipelined=*/false).run(func);
}

ScopeEstimator::ScopeEstimator(const TargetInfo &target)
    : model(std::make_unique<ScopeModel>(target, /*assumePipelined=*/true)) {}

ScopeEstimator::~ScopeEstimator() = default;

TaskGrouping ScopeEstimator::estimate(Operation *body, int64_t blocks,
                                      CoreKind kind, double tolerance) {
  const TargetInfo &target = model->target;
  model->prepare(body, blocks);
  return chooseTaskGrouping(
      blocks, getCoreCount(kind, target),
      [&](int64_t active) { return model->block(body, active).sec; },
      target.taskDispatchSec, tolerance);
}

TaskGrouping tessel::estimateScope(Operation *body, int64_t blocks,
                                   CoreKind kind, const TargetInfo &target,
                                   double tolerance) {
  return ScopeEstimator(target).estimate(body, blocks, kind, tolerance);
}

static llvm::json::Object pipesToJSON(const PipeSeconds &p) {
  return llvm::json::Object{{"mte2", p.mte2},
                            {"mte3", p.mte3},
                            {"mte1", p.mte1},
                            {"vector", p.vector},
                            {"cube", p.cube}};
}

std::string tessel::scheduleCostToJSON(const ScheduleCost &cost,
                                       const TargetInfo &target) {
  llvm::json::Array scopes;
  for (const ScopeCost &s : cost.scopes) {
    scopes.push_back(llvm::json::Object{
        {"name", s.name},
        {"kind", s.kind},
        {"blocks", s.blocks},
        {"cores", s.cores},
        {"block_seconds", s.blockSec},
        {"block_pipes", pipesToJSON(s.blockPipes)},
        {"dispatch_seconds", s.dispatchSec},
        {"start_seconds", s.startSec},
        {"seconds", s.scopeSec},
        {"bound", s.bound},
        {"pipelined", s.pipelined},
        {"vector_instrs_per_block", s.blockWork.vectorInstrs},
        {"cube_macs_per_block", s.blockWork.cubeMacs + s.blockWork.cubeMacsI8 +
                                    s.blockWork.cubeMacsF32},
        {"hbm_read_bytes", s.hbmReadBytes},
        {"l2_read_bytes", s.l2ReadBytes},
        {"hbm_write_bytes", s.hbmWriteBytes},
        {"l2_write_bytes", s.l2WriteBytes},
        {"load_bytes", s.loadBytes},
        {"store_bytes", s.storeBytes},
    });
  }
  llvm::json::Object figures{
      {"hbm_effective_bytes_per_sec", target.hbmEffectiveBytesPerSec},
      {"l2_bytes", target.l2Bytes},
      {"l2_bytes_per_sec", target.l2BytesPerSec},
      {"per_core_gm_bytes_per_sec", target.perCoreGmBytesPerSec},
      {"vector_clock_hz", target.vectorClockHz},
      {"cube_clock_hz", target.cubeClockHz},
      {"task_dispatch_sec", target.taskDispatchSec},
      {"scope_boundary_sec", target.scopeBoundarySec},
      {"vector_repeat_bytes", target.vectorRepeatBytes},
      {"vector_instr_cycles", target.vectorInstrCycles},
      {"vector_cycles_per_repeat",
       llvm::json::Object{{"simple", target.vectorCyclesPerRepeatSimple},
                          {"cast", target.vectorCyclesPerRepeatCast},
                          {"reduce", target.vectorCyclesPerRepeatReduce},
                          {"special", target.vectorCyclesPerRepeatSpecial}}},
      {"mte1_bytes_per_cycle", target.mte1BytesPerCycle},
      {"cube_macs_per_cycle_f16", target.getCubeMacsPerCycle("f16")},
      {"cube_macs_per_cycle_f32", target.getCubeMacsPerCycle("f32")},
      {"cube_macs_per_cycle_i8", target.getCubeMacsPerCycle("i8")},
      {"vector_cores", target.vectorCores},
      {"cube_cores", target.cubeCores},
  };
  llvm::json::Object root{
      {"target", target.name},
      {"figures", std::move(figures)},
      {"scopes", std::move(scopes)},
      {"modeled_seconds", cost.totalSec},
      {"compulsory_bytes", cost.compulsoryBytes},
      {"hbm_floor_seconds", cost.hbmFloorSec},
      {"modeled_hbm_bytes", cost.hbmBytes},
      {"gm_load_bytes", cost.gmLoadBytes},
      {"gm_store_bytes", cost.gmStoreBytes},
  };
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(root));
  return text;
}
