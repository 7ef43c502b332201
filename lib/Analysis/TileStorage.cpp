//===- TileStorage.cpp - Where each tile lives in the CPU simulation ------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Reads the placement contract of docs/placement.md back from the IR (placed
// mode) or hands out disjoint storage (unplaced mode), and sizes the arenas
// of each tile.spmd. See TileStorage.h.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/TileStorage.h"

#include "tessel/Analysis/TileLayout.h"
#include "tessel/Analysis/TilePlacement.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

StringRef tessel::getArenaName(Arena arena) {
  switch (arena) {
  case Arena::UB:
    return "ub";
  case Arena::L1:
    return "l1";
  case Arena::L0A:
    return "l0a";
  case Arena::L0B:
    return "l0b";
  case Arena::L0C:
    return "l0c";
  case Arena::Scratch:
    return "scratch";
  case Arena::Temp:
    return "temp";
  }
  llvm_unreachable("unknown arena");
}

/// Alignment of the storage the simulation hands out itself (unplaced tiles
/// and temporaries): a cache line, so vector loads never split one needlessly.
static constexpr int64_t kSimAlign = 64;

int64_t tessel::getMatmulTempBTOffset(int64_t lhsElements) {
  return alignTo(lhsElements * 4, kSimAlign);
}

/// The target named by the nearest `tile.target` attribute, a2a3 if none.
static const TargetInfo &findTarget(Operation *op) {
  for (Operation *cur = op; cur; cur = cur->getParentOp()) {
    auto attr = cur->getAttrOfType<TargetAttr>(TileDialect::kTargetAttrName);
    if (!attr)
      continue;
    if (const TargetInfo *info = lookupTarget(stringifyTarget(attr.getValue())))
      return *info;
  }
  return *lookupTarget("a2a3");
}

/// The innermost tile.pipeline around `op` inside its tile.at scope.
static PipelineOp findSlotPipeline(Operation *op) {
  for (Operation *cur = op->getParentOp(); cur && !isa<AtOp>(cur);
       cur = cur->getParentOp())
    if (auto pipeline = dyn_cast<PipelineOp>(cur))
      return pipeline;
  return {};
}

namespace tessel {

/// Fills a TileStorageMap one tile.spmd at a time.
class TileStorageBuilder {
public:
  TileStorageBuilder(TileStorageMap &map) : map(map) {}

  LogicalResult run(func::FuncOp func) {
    map.placed = func->hasAttr("tile.placed");
    map.target = &findTarget(func);
    WalkResult result = func.walk([&](SpmdOp spmd) {
      return failed(runOnSpmd(spmd)) ? WalkResult::interrupt()
                                     : WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

private:
  TileStorageMap &map;
  std::array<int64_t, kNumArenas> extents{};
  int64_t bump = 0;

  void record(Value value, const TileStorage &s) {
    map.storage[value] = s;
    unsigned i = static_cast<unsigned>(s.arena);
    extents[i] = std::max(extents[i], s.end());
  }

  void needTemp(Operation *op, int64_t bytes) {
    if (bytes <= 0)
      return;
    map.tempBytes[op] = bytes;
    unsigned i = static_cast<unsigned>(Arena::Temp);
    extents[i] = std::max(extents[i], bytes);
  }

  /// Fresh storage for unplaced mode.
  TileStorage fresh(TileType type) {
    TileStorage s;
    s.arena = Arena::Scratch;
    s.offset = bump;
    s.slotBytes = alignTo(type.getSizeInBytes(), kSimAlign);
    bump += s.slotBytes;
    return s;
  }

  /// The storage `place` describes for a tile of `type`. `owner` carries the
  /// placement (diagnostics go there); `loopCarried` forbids slots.
  FailureOr<TileStorage> fromPlace(PlaceAttr place, TileType type,
                                   Operation *owner, bool loopCarried) {
    std::optional<BufferKind> kind = fromMemoryKind(place.getKind());
    if (!kind)
      return owner->emitOpError("tiles cannot be placed in gm");
    const BufferSpec &spec = map.target->getBuffer(*kind);
    StringRef name = getBufferKindName(*kind);
    TileStorage s;
    s.arena = getArena(*kind);
    s.offset = place.getOffset();
    s.slots = place.getSlots();
    s.slotBytes = alignTo(getTileStorageBytes(type, *kind, *map.target),
                          spec.alignBytes);
    if (s.offset % spec.alignBytes != 0)
      return owner->emitOpError("placement offset ")
             << s.offset << " bytes is not a multiple of the "
             << spec.alignBytes << "-byte alignment of " << name;
    if (s.end() > spec.usableBytes)
      return owner->emitOpError("placement exceeds the usable ")
             << name << " of " << map.target->name << ": offset " << s.offset
             << " + " << s.slots << " x " << s.slotBytes << " = " << s.end()
             << " > " << spec.usableBytes << " bytes";
    if (loopCarried && s.slots != 1)
      return owner->emitOpError("loop-carried storage must have 1 slot, got ")
             << s.slots;
    if (s.slots > 1) {
      s.pipeline = findSlotPipeline(owner);
      if (!s.pipeline)
        return owner->emitOpError("tile has ")
               << s.slots
               << " slots but no enclosing tile.pipeline picks the slot";
    }
    return s;
  }

  LogicalResult placeResult(Operation *op, Value result, TileType type) {
    if (!map.placed) {
      record(result, fresh(type));
      return success();
    }
    auto place = op->getAttrOfType<PlaceAttr>(TileDialect::kPlaceAttrName);
    if (!place)
      return op->emitOpError(
          "tile has no placement: in placed mode (the function carries "
          "tile.placed) every tile-producing op needs a 'place' attribute");
    // A cube operand window holds the matrix it multiplies in L0A / L0B.
    if (auto extract = dyn_cast<ExtractOp>(op))
      if (std::optional<CubeOperandWindow> w = getCubeOperandWindow(extract))
        if (fromMemoryKind(place.getKind()) == w->kind)
          type = w->logicalType;
    FailureOr<TileStorage> s = fromPlace(place, type, op, false);
    if (failed(s))
      return failure();
    record(result, *s);
    return success();
  }

  LogicalResult placePipeline(PipelineOp pipeline) {
    auto places = pipeline->getAttrOfType<ArrayAttr>("places");
    for (auto [i, arg] : llvm::enumerate(pipeline.getIterArgs())) {
      auto type = dyn_cast<TileType>(arg.getType());
      if (!type)
        continue;
      TileStorage s;
      if (map.placed) {
        PlaceAttr place;
        if (places && places.size() == pipeline.getNumIterArgs())
          place = dyn_cast<PlaceAttr>(places[i]);
        if (!place)
          return pipeline.emitOpError("tile iter_arg #")
                 << i
                 << " has no placement: in placed mode a tile.pipeline "
                    "carrying tiles needs 'places' with a #tile.place per "
                    "tile iter_arg";
        FailureOr<TileStorage> placed = fromPlace(place, type, pipeline, true);
        if (failed(placed))
          return failure();
        s = *placed;
      } else {
        s = fresh(type);
      }
      record(arg, s);
      record(pipeline.getResult(i), s);
    }
    return success();
  }

  /// The storage of each tile result of an scf.if (its `places` entry in
  /// placed mode): each branch copies the value it yields there.
  LogicalResult placeIf(scf::IfOp ifOp) {
    auto places = ifOp->getAttrOfType<ArrayAttr>("places");
    for (OpResult result : ifOp->getResults()) {
      auto type = dyn_cast<TileType>(result.getType());
      if (!type)
        continue;
      unsigned i = result.getResultNumber();
      if (!map.placed) {
        record(result, fresh(type));
        continue;
      }
      PlaceAttr place;
      if (places && places.size() == ifOp->getNumResults())
        place = dyn_cast<PlaceAttr>(places[i]);
      if (!place)
        return ifOp.emitOpError("tile result #")
               << i
               << " has no placement: in placed mode an scf.if yielding "
                  "tiles needs 'places' with a #tile.place per tile result";
      FailureOr<TileStorage> s = fromPlace(place, type, ifOp, false);
      if (failed(s))
        return failure();
      record(result, *s);
    }
    return success();
  }

  /// Temp bytes the scf.yield of an scf.if branch needs to stage values
  /// that live in the storage of another tile result, so no copy clobbers a
  /// source.
  void stageIfYield(scf::YieldOp yield, scf::IfOp ifOp) {
    int64_t bytes = 0;
    for (auto [i, v] : llvm::enumerate(yield.getOperands())) {
      auto type = dyn_cast<TileType>(v.getType());
      if (!type)
        continue;
      const TileStorage &src = map.lookup(v);
      for (auto [j, res] : llvm::enumerate(ifOp->getResults()))
        if (j != i && isa<TileType>(res.getType()) &&
            src.overlaps(map.lookup(res))) {
          bytes += alignTo(type.getSizeInBytes(), kSimAlign);
          break;
        }
    }
    needTemp(yield, bytes);
  }

  /// Temp bytes a pipeline's yield needs to stage values that live in the
  /// storage of another iter_arg (e.g. a swap), so no copy clobbers a source.
  void stageYield(YieldOp yield, PipelineOp pipeline) {
    int64_t bytes = 0;
    for (auto [i, v] : llvm::enumerate(yield.getOperands())) {
      auto type = dyn_cast<TileType>(v.getType());
      if (!type)
        continue;
      const TileStorage &src = map.lookup(v);
      for (auto [j, arg] : llvm::enumerate(pipeline.getIterArgs()))
        if (j != i && isa<TileType>(arg.getType()) &&
            src.overlaps(map.lookup(arg))) {
          bytes += alignTo(type.getSizeInBytes(), kSimAlign);
          break;
        }
    }
    needTemp(yield, bytes);
  }

  LogicalResult visit(Operation *op) {
    if (auto pipeline = dyn_cast<PipelineOp>(op))
      return placePipeline(pipeline);
    if (auto yield = dyn_cast<YieldOp>(op)) {
      if (auto pipeline = dyn_cast<PipelineOp>(op->getParentOp()))
        stageYield(yield, pipeline);
      return success();
    }
    if (auto ifOp = dyn_cast<scf::IfOp>(op))
      return placeIf(ifOp);
    if (auto yield = dyn_cast<scf::YieldOp>(op)) {
      if (auto ifOp = dyn_cast<scf::IfOp>(op->getParentOp()))
        stageIfYield(yield, ifOp);
      return success();
    }
    // Tiles carried by anything but tile.pipeline and scf.if have no storage
    // contract.
    bool carries = llvm::any_of(op->getResultTypes(), llvm::IsaPred<TileType>);
    for (Region &region : op->getRegions())
      for (Block &block : region)
        carries |= llvm::any_of(block.getArgumentTypes(),
                                llvm::IsaPred<TileType>);
    if (op->getNumRegions() > 0 && carries)
      return op->emitOpError("carries tiles across its regions, which the CPU "
                             "simulation does not support; carry them with "
                             "tile.pipeline iter_args or scf.if results");
    // The widened lhs (f32 / i32), then a b_trans rhs widened and
    // transposed (TileToSCF's lowerMatmul).
    if (std::optional<MatmulView> mm = getMatmulView(op)) {
      int64_t bytes = getMatmulTempBTOffset(mm->m * mm->k);
      if (mm->bTrans)
        bytes += alignTo(mm->k * mm->n * 4, kSimAlign);
      needTemp(op, bytes);
    }
    // The scratch tile of a vector instruction (placed mode; the simulation
    // does not use it, the NPU does): getScratchTileType's shape.
    if (map.placed)
      if (auto scratch =
              op->getAttrOfType<PlaceAttr>(TileDialect::kScratchAttrName)) {
        std::optional<TileType> type = getScratchTileType(op, map.getTarget());
        if (!type)
          return op->emitOpError("has a scratch placement but its PTO-ISA "
                                 "instruction takes no scratch tile on ")
                 << map.getTarget().name;
        FailureOr<TileStorage> s = fromPlace(scratch, *type, op, false);
        if (failed(s))
          return failure();
        map.scratch[op] = *s;
      }
    for (Value result : op->getResults()) {
      auto type = dyn_cast<TileType>(result.getType());
      if (!type)
        continue;
      if (auto reshape = dyn_cast<ReshapeOp>(op)) {
        if (!map.placed) {
          map.storage[result] = map.lookup(reshape.getInput());
          continue;
        }
        // Placed exactly where its operand is, the lowering makes it a view;
        // anywhere else, a copy.
        if (failed(placeResult(op, result, type)))
          return failure();
        continue;
      }
      if (failed(placeResult(op, result, type)))
        return failure();
    }
    return success();
  }

  LogicalResult runOnSpmd(SpmdOp spmd) {
    extents = {};
    bump = 0;
    WalkResult result =
        spmd.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
          return failed(visit(op)) ? WalkResult::interrupt()
                                   : WalkResult::advance();
        });
    if (result.wasInterrupted())
      return failure();
    extents[static_cast<unsigned>(Arena::Scratch)] = bump;
    map.arenas[spmd] = extents;
    return success();
  }
};

} // namespace tessel

FailureOr<TileStorageMap> TileStorageMap::compute(func::FuncOp func) {
  TileStorageMap map;
  TileStorageBuilder builder(map);
  if (failed(builder.run(func)))
    return failure();
  return map;
}

const TileStorage &TileStorageMap::lookup(Value tile) const {
  auto it = storage.find(tile);
  assert(it != storage.end() && "tile without storage");
  return it->second;
}

const std::array<int64_t, kNumArenas> &
TileStorageMap::getArenaBytes(SpmdOp spmd) const {
  auto it = arenas.find(spmd.getOperation());
  assert(it != arenas.end() && "spmd without arenas");
  return it->second;
}
