//===- TileToEmitC.cpp - Placed, synchronised tile IR to EmitC (PTO-ISA) --===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `convert-tile-to-emitc`: each `tile.spmd` scope of a placed, synchronised
// kernel becomes an `emitc.func` AI Core entry point on GM pointers that
// loops over its block indices (`for (b = get_block_idx(); b < N; b +=
// get_block_num())`, so grids larger than the core count stay correct).
// Every tile becomes a PTO-ISA `Tile` object bound to its placed byte offset
// with TASSIGN (the slot of a multi-buffered tile from the pipeline's
// iteration), every op the PTO-ISA instruction that PipeModel.h names, every
// sync op a set_flag / wait_flag / pipe_barrier call. Index arithmetic and
// loops stay arith / scf until upstream's arith-to-emitc and scf-to-emitc
// patterns finish the job; upstream's C++ emitter prints the result.
//
// PTO-ISA takes tiles and GlobalTensors by non-const reference, so they are
// emitc.call_opaque results (C++ locals) passed by name, never copied. Only
// what EmitC cannot express is printed verbatim: the preprocessor guards,
// the `<<<...>>>` launch of the host stub and the GM size table (docs/pto.md).
// The lowering is a walk in program order, like convert-tile-to-scf: a
// tile's address depends on the iteration counter of its pipeline, which
// the walk creates first.
//
//===----------------------------------------------------------------------===//

#include "tessel/Conversion/Passes.h"

#include <algorithm>

#include "tessel/Analysis/PipeModel.h"
#include "tessel/Analysis/TileLayout.h"
#include "tessel/Analysis/TileStorage.h"
#include "tessel/Analysis/TilePlacement.h"

#include "mlir/Conversion/ArithToEmitC/ArithToEmitC.h"
#include "mlir/Conversion/MathToEmitC/MathToEmitC.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToEmitC/SCFToEmitC.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/EmitC/IR/EmitC.h"
#include "mlir/Dialect/EmitC/Transforms/TypeConversions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstdio>

#define DEBUG_TYPE "convert-tile-to-emitc"

namespace tessel {
#define GEN_PASS_DEF_CONVERTTILETOEMITC
#include "tessel/Conversion/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

//===----------------------------------------------------------------------===//
// C++ spellings
//===----------------------------------------------------------------------===//

/// The PTO-ISA element type of `type`, or "" when there is none.
static std::string cppElement(Type type) {
  if (type.isF32())
    return "float";
  if (type.isF16())
    return "half";
  if (type.isBF16())
    return "bfloat16_t";
  if (type.isSignlessInteger(8))
    return "int8_t";
  if (type.isSignlessInteger(32))
    return "int32_t";
  return "";
}

/// The PTO-ISA tile type of a `type` tile stored in `kind`.
static std::string cppTileType(TileType type, BufferKind kind,
                               const TargetInfo &target) {
  std::string elt = cppElement(type.getElementType());
  TileLayout l = getTileLayout(type.getRows(), type.getCols(),
                               getElementBytes(type.getElementType()), kind,
                               target);
  switch (kind) {
  case BufferKind::UB:
    if (l.colMajor)
      return llvm::formatv("Tile<TileType::Vec, {0}, {1}, 1, "
                           "BLayout::ColMajor, {2}, 1>",
                           elt, l.rows, l.validRows);
    return llvm::formatv("Tile<TileType::Vec, {0}, {1}, {2}, "
                         "BLayout::RowMajor, {3}, {4}>",
                         elt, l.rows, l.cols, l.validRows, l.validCols);
  case BufferKind::L1:
    return llvm::formatv("Tile<TileType::Mat, {0}, {1}, {2}, "
                         "BLayout::ColMajor, {3}, {4}, SLayout::RowMajor>",
                         elt, l.rows, l.cols, l.validRows, l.validCols);
  case BufferKind::L0A:
    return llvm::formatv("TileLeft<{0}, {1}, {2}, {3}, {4}>", elt, l.rows,
                         l.cols, l.validRows, l.validCols);
  case BufferKind::L0B:
    return llvm::formatv("TileRight<{0}, {1}, {2}, {3}, {4}>", elt, l.rows,
                         l.cols, l.validRows, l.validCols);
  case BufferKind::L0C:
    return llvm::formatv("TileAcc<{0}, {1}, {2}, {3}, {4}>", elt, l.rows,
                         l.cols, l.validRows, l.validCols);
  }
  llvm_unreachable("unknown buffer kind");
}

static StringRef cppPipe(Pipe pipe) {
  switch (pipe) {
  case Pipe::s:
    return "PIPE_S";
  case Pipe::v:
    return "PIPE_V";
  case Pipe::m:
    return "PIPE_M";
  case Pipe::mte1:
    return "PIPE_MTE1";
  case Pipe::mte2:
    return "PIPE_MTE2";
  case Pipe::mte3:
    return "PIPE_MTE3";
  case Pipe::fix:
    return "PIPE_FIX";
  case Pipe::all:
    return "PIPE_ALL";
  }
  llvm_unreachable("unknown pipe");
}

static StringRef cppRoundMode(RoundMode mode) {
  switch (mode) {
  case RoundMode::none:
    return "RoundMode::CAST_NONE";
  case RoundMode::rint:
    return "RoundMode::CAST_RINT";
  case RoundMode::round:
    return "RoundMode::CAST_ROUND";
  case RoundMode::trunc:
    return "RoundMode::CAST_TRUNC";
  case RoundMode::floor:
    return "RoundMode::CAST_FLOOR";
  case RoundMode::ceil:
    return "RoundMode::CAST_CEIL";
  }
  llvm_unreachable("unknown rounding mode");
}

static StringRef cppMaskPattern(MaskPattern pattern) {
  return pattern == MaskPattern::p0101 ? "MaskPattern::P0101"
                                       : "MaskPattern::P1010";
}

/// An exact C++ literal of a scalar constant of a tile's element type: hex
/// floats for f32 (and f16, converted by static_cast, exactly), decimal for
/// integers.
static std::string cppScalar(Attribute value, Type elementType) {
  std::string elt = cppElement(elementType);
  if (auto f = dyn_cast<FloatAttr>(value)) {
    double d = f.getValueAsDouble();
    std::string lit;
    if (std::isnan(d))
      lit = "__builtin_nanf(\"\")";
    else if (std::isinf(d))
      lit = d > 0 ? "__builtin_inff()" : "-__builtin_inff()";
    else {
      char buffer[64];
      std::snprintf(buffer, sizeof(buffer), "%af", static_cast<float>(d));
      lit = buffer;
    }
    if (elementType.isF32())
      return lit;
    return "static_cast<" + elt + ">(" + lit + ")";
  }
  auto i = cast<IntegerAttr>(value);
  return "static_cast<" + elt + ">(" + std::to_string(i.getInt()) + ")";
}

//===----------------------------------------------------------------------===//
// The kernel emitter
//===----------------------------------------------------------------------===//

namespace {

/// One AI Core entry point: a scope's name, grid and the cores of its kind.
/// It takes the GM tensors, then the index of each function-level loop
/// around it (outermost first), as `size_t`.
struct ScopeKernel {
  std::string name;
  int64_t blocks;
  int64_t cores;
  unsigned loopArgs = 0;
};

/// One step of the launch sequence (the host side's orchestration): a
/// function-level loop with compile-time bounds opens and closes around
/// the scopes in its body; a scope is launched.
struct HostStep {
  enum Kind { LoopBegin, LoopEnd, Launch } kind;
  int64_t lb = 0, ub = 0, step = 1;
  unsigned kernel = 0;
};

/// The loop variables a pipeline's slot index is computed from.
struct PipelineLoop {
  Value iv, lb, step;
  llvm::SmallDenseMap<int64_t, Value> slotOf;
};

class KernelEmitter {
public:
  KernelEmitter(func::FuncOp func, const TileStorageMap &storage)
      : func(func), storage(storage), target(storage.getTarget()),
        b(func.getContext()) {}

  /// Emits one emitc.func per spmd scope before `func`; fills `kernels`
  /// with their names and grid sizes, and `gmArgs` with the GM tensors in
  /// argument order (function arguments, then tile.alloc_gm scratch).
  LogicalResult run(SmallVectorImpl<ScopeKernel> &kernels,
                    SmallVectorImpl<MemRefType> &gmTypes,
                    SmallVectorImpl<std::string> &gmNames,
                    SmallVectorImpl<HostStep> &host);

private:
  /// The function-level loops around the scope being emitted.
  SmallVector<scf::ForOp> hostLoops;
  LogicalResult emitHostBlock(Block &block,
                              SmallVectorImpl<ScopeKernel> &kernels,
                              SmallVectorImpl<HostStep> &host);
  func::FuncOp func;
  const TileStorageMap &storage;
  const TargetInfo &target;
  OpBuilder b;
  Location loc = UnknownLoc::get(func.getContext());
  IRMapping map;
  DenseMap<Value, Value> tileObj;
  DenseMap<Value, Value> rowView;
  DenseMap<Value, Value> gmPtr;
  DenseMap<Operation *, PipelineLoop> loops;
  SmallVector<Value> gmValues;

  MLIRContext *ctx() { return func.getContext(); }
  Attribute opaque(StringRef s) { return emitc::OpaqueAttr::get(ctx(), s); }
  Type opaqueType(StringRef s) { return emitc::OpaqueType::get(ctx(), s); }
  Value index(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  /// Index values cross into EmitC ops as `size_t` (what upstream's
  /// arith-to-emitc makes of `index`); the casts cancel out after the
  /// conversion (reconcileUnrealizedCasts).
  Value toSizeT(Value v) {
    return UnrealizedConversionCastOp::create(
               b, loc, emitc::SizeTType::get(ctx()), v)
        .getResult(0);
  }
  Value fromSizeT(Value v) {
    return UnrealizedConversionCastOp::create(b, loc, b.getIndexType(), v)
        .getResult(0);
  }

  /// `callee(operands...)` with `args` describing the argument list (an
  /// IntegerAttr of index type is the operand at that position).
  Value call(StringRef callee, Type result, ValueRange operands,
             ArrayRef<Attribute> args = {},
             ArrayRef<Attribute> templateArgs = {}) {
    ArrayAttr argsAttr = args.empty() ? ArrayAttr() : b.getArrayAttr(args);
    ArrayAttr tmplAttr =
        templateArgs.empty() ? ArrayAttr() : b.getArrayAttr(templateArgs);
    auto op = emitc::CallOpaqueOp::create(
        b, loc, result ? TypeRange(result) : TypeRange(), callee, operands,
        argsAttr, tmplAttr);
    return result ? op.getResult(0) : Value();
  }
  Attribute operand(int64_t i) { return b.getIndexAttr(i); }

  void emitLoc(Location at);
  Value address(const TileStorage &s);
  /// A C++ tile object of type `cpp` bound (TASSIGN) to storage `s`, at
  /// the slot of the current pipeline iteration.
  Value declareAs(StringRef cpp, const TileStorage &s,
                  ValueRange ctorArgs = {});
  /// A row-major view of `tile`'s storage whose valid region is
  /// `rows x cols` (constants in the type, runtime extents as -1 with the
  /// constructor's arguments), with PTO-ISA's PadVal `pad` when not empty.
  /// A column vector is viewed through its 1 x R row (its valid rows are
  /// the view's valid columns) for vector instructions, and as itself
  /// (column major, as a DN GlobalTensor moves it) when `move`.
  Value validTile(Value tile, OpFoldResult rows, OpFoldResult cols,
                  StringRef pad = "", bool move = false);
  Value declareTile(TileType type, const TileStorage &s);
  Value bind(Value tile);
  Value obj(Value tile) { return tileObj.lookup(tile); }
  /// The tile as a row-major tile for elementwise instructions, which take
  /// row-major tiles only: a column vector (R x 1, stored column major) is
  /// the same bytes as a 1 x R row (a view bound to the same address).
  Value row(Value tile);
  /// The destination and source objects of a row reduction of `op`. PTO-ISA
  /// (its CPU simulation checks it statically) wants the same number of
  /// layout rows on both sides, but a column vector pads its rows to a
  /// 32-byte block: a one-row source reduces into a 1 x block row-major
  /// view of the destination (the same bytes), a source of more rows is
  /// viewed with its rows padded like the destination's (only its valid
  /// rows are read; the view must stay inside the buffer).
  FailureOr<std::pair<Value, Value>> rowReduceOperands(Operation *op,
                                                       Value dst, Value src);
  /// The GlobalTensor of the slice of `memref` at `indices` a `tile`
  /// moves; with `validRows` / `validCols`, its shape is that valid region
  /// (runtime extents as -1 dimensions of a Shape built at run time).
  FailureOr<Value> globalTensor(Operation *op, Value memref,
                                ValueRange indices, TileType tile,
                                OpFoldResult validRows = {},
                                OpFoldResult validCols = {});
  LogicalResult emitBlock(Block &block);
  LogicalResult emitOp(Operation *op);
  LogicalResult emitTileOp(Operation *op);
  LogicalResult cubeWindow(ExtractOp op);
  LogicalResult cloneArith(Operation *op);
  LogicalResult emitPipeline(PipelineOp op);
  LogicalResult emitIf(scf::IfOp op);
  LogicalResult emitFor(scf::ForOp op);
  LogicalResult emitScope(SpmdOp spmd, StringRef name);
};

} // namespace

void KernelEmitter::emitLoc(Location at) {
  FileLineColLoc flc;
  at->walk([&](Location l) {
    if (auto f = dyn_cast<FileLineColLoc>(l)) {
      flc = f;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!flc)
    return;
  std::string file = flc.getFilename().str();
  std::string quoted = "\"";
  for (char c : file)
    quoted += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  quoted += "\"";
  call("TESSEL_LOC", Type(), {},
       {opaque(quoted), b.getI64IntegerAttr(flc.getLine()),
        b.getI64IntegerAttr(flc.getColumn())});
}

Value KernelEmitter::address(const TileStorage &s) {
  if (s.slots <= 1)
    return Value();
  PipelineLoop &loop = loops[s.pipeline];
  Value &slot = loop.slotOf[s.slots];
  if (!slot) {
    // k = (iv - lb) / step; slot = k mod S (docs/placement.md).
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfterValue(loop.iv);
    Value k = arith::DivSIOp::create(
        b, loc, arith::SubIOp::create(b, loc, loop.iv, loop.lb), loop.step);
    slot = arith::RemSIOp::create(b, loc, k, index(s.slots));
  }
  return arith::AddIOp::create(
      b, loc, index(s.offset),
      arith::MulIOp::create(b, loc, slot, index(s.slotBytes)));
}

Value KernelEmitter::declareAs(StringRef cpp, const TileStorage &s,
                               ValueRange ctorArgs) {
  Value tile = call(cpp, opaqueType(cpp), ctorArgs);
  if (Value addr = address(s))
    call("TASSIGN", Type(), {tile, toSizeT(addr)});
  else
    call("TASSIGN", Type(), {tile},
         {operand(0), opaque(llvm::formatv("{0:x}", s.offset).str())});
  return tile;
}

Value KernelEmitter::validTile(Value tile, OpFoldResult rows,
                              OpFoldResult cols, StringRef pad, bool move) {
  auto type = cast<TileType>(tile.getType());
  TileLayout l = getTileLayout(type.getRows(), type.getCols(),
                               getElementBytes(type.getElementType()),
                               BufferKind::UB, target);
  int64_t layoutRows = l.rows, layoutCols = l.cols;
  StringRef blayout = "RowMajor";
  if (type.getCols() == 1 && move) {
    blayout = "ColMajor";
  } else if (type.getCols() == 1) {
    cols = rows;
    rows = b.getIndexAttr(1);
    layoutRows = 1;
    layoutCols = l.rows;
  }
  SmallVector<Value> dynamic;
  auto extent = [&](OpFoldResult f) -> std::string {
    if (std::optional<int64_t> c = getConstantIntValue(f))
      return std::to_string(*c);
    dynamic.push_back(toSizeT(map.lookupOrDefault(cast<Value>(f))));
    return "-1";
  };
  std::string r = extent(rows), c = extent(cols);
  std::string padArgs =
      pad.empty() ? "" : (", SLayout::NoneBox, 512, PadValue::" + pad).str();
  std::string cpp = llvm::formatv(
      "Tile<TileType::Vec, {0}, {1}, {2}, BLayout::{6}, {3}, {4}{5}>",
      cppElement(type.getElementType()), layoutRows, layoutCols, r, c,
      padArgs, blayout);
  return declareAs(cpp, storage.lookup(tile), dynamic);
}

Value KernelEmitter::declareTile(TileType type, const TileStorage &s) {
  return declareAs(cppTileType(type, *getBufferKind(s.arena), target), s);
}

Value KernelEmitter::bind(Value tile) {
  Value o = declareTile(cast<TileType>(tile.getType()), storage.lookup(tile));
  tileObj[tile] = o;
  return o;
}

Value KernelEmitter::row(Value tile) {
  auto type = cast<TileType>(tile.getType());
  const TileStorage &s = storage.lookup(tile);
  if (type.getCols() != 1 || s.arena != Arena::UB)
    return obj(tile);
  auto it = rowView.find(tile);
  if (it != rowView.end())
    return it->second;
  TileLayout l = getTileLayout(type.getRows(), 1,
                               getElementBytes(type.getElementType()),
                               BufferKind::UB, target);
  std::string cpp = llvm::formatv(
      "Tile<TileType::Vec, {0}, 1, {1}, BLayout::RowMajor, 1, {2}>",
      cppElement(type.getElementType()), l.rows, l.validRows);
  Value view = declareAs(cpp, s);
  rowView[tile] = view;
  return view;
}

FailureOr<std::pair<Value, Value>>
KernelEmitter::rowReduceOperands(Operation *op, Value dst, Value src) {
  Value input = op->getOperand(0);
  auto type = cast<TileType>(input.getType());
  int64_t eb = getElementBytes(type.getElementType());
  TileLayout in = getTileLayout(type.getRows(), type.getCols(), eb,
                                BufferKind::UB, target);
  TileLayout out = getTileLayout(type.getRows(), 1, eb, BufferKind::UB,
                                 target);
  if (in.rows == out.rows)
    return std::make_pair(dst, src);
  std::string elt = cppElement(type.getElementType());
  if (type.getRows() == 1) {
    std::string cpp = llvm::formatv(
        "Tile<TileType::Vec, {0}, 1, {1}, BLayout::RowMajor, 1, 1>", elt,
        getTileLayout(1, 1, eb, BufferKind::UB, target).rows);
    return std::make_pair(declareAs(cpp, storage.lookup(op->getResult(0))),
                          src);
  }
  // The placement sized the source's storage for this view
  // (getRowReduceSourceLayout); check it rather than trust it.
  const TileStorage &s = storage.lookup(input);
  TileLayout padded =
      getRowReduceSourceLayout(type.getRows(), type.getCols(), eb, target);
  int64_t end = s.offset + (s.slots - 1) * s.slotBytes + padded.getBytes();
  if (end > target.ub.usableBytes)
    return op->emitOpError("cannot run on the ")
           << target.name << " NPU: PTO-ISA reduces a " << type.getRows()
           << "-row tile through a view of " << padded.rows
           << " layout rows, which would end at byte " << end
           << " past the usable " << target.ub.usableBytes << " bytes of UB";
  std::string cpp = llvm::formatv(
      "Tile<TileType::Vec, {0}, {1}, {2}, BLayout::RowMajor, {3}, {4}>", elt,
      padded.rows, padded.cols, padded.validRows, padded.validCols);
  return std::make_pair(dst, declareAs(cpp, s));
}

FailureOr<Value> KernelEmitter::globalTensor(Operation *op, Value memref,
                                             ValueRange indices, TileType tile,
                                             OpFoldResult validRows,
                                             OpFoldResult validCols) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t offset;
  SmallVector<int64_t> strides;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic) ||
      (!strides.empty() && strides.back() != 1))
    return op->emitOpError("cannot run on the ")
           << target.name << " NPU: GM tensor " << type
           << " has no static row-major layout";
  // A view (collapse_shape, expand_shape) of a kernel tensor addresses the
  // root's elements with its own static strides and offset.
  Value root = getGMRoot(memref);
  Value ptr = gmPtr.lookup(root);
  if (ptr && cast<MemRefType>(root.getType()).getElementType() !=
                 type.getElementType())
    ptr = Value();
  if (!ptr)
    return op->emitOpError("cannot run on the ")
           << target.name << " NPU: GM tensor is not a kernel argument or "
           << "tile.alloc_gm";
  // Element offset of the slice.
  Value off = index(offset);
  for (auto [idx, stride] : llvm::zip(indices, strides))
    off = arith::AddIOp::create(
        b, loc, off,
        arith::MulIOp::create(b, loc, map.lookupOrDefault(idx),
                              index(stride)));
  int64_t pitch = strides.size() >= 2 ? strides[strides.size() - 2]
                                      : tile.getCols();
  // A column vector lives column major in UB (TileLayout.h) and moves as a
  // DN tensor: its elements must be consecutive in GM.
  std::string layout;
  if (tile.getCols() == 1) {
    if (tile.getRows() > 1 && pitch != 1)
      return op->emitOpError("cannot run on the ")
             << target.name << " NPU: a " << tile.getRows()
             << "x1 column tile moves to and from GM as a DN tensor and "
             << "needs its elements consecutive, but the row pitch is "
             << pitch;
    pitch = 1;
    layout = ", Layout::DN";
  }
  // The shape: the tile's, or a valid region (runtime extents are -1
  // dimensions given to the Shape's constructor).
  std::string rows = std::to_string(tile.getRows());
  std::string cols = std::to_string(tile.getCols());
  SmallVector<Value> dynamic;
  SmallVector<Attribute> shapeArgs(3, b.getI64IntegerAttr(1));
  auto extent = [&](OpFoldResult f, std::string &text) {
    if (!f)
      return;
    if (std::optional<int64_t> c = getConstantIntValue(f)) {
      text = std::to_string(*c);
      shapeArgs.push_back(b.getI64IntegerAttr(*c));
      return;
    }
    text = "-1";
    shapeArgs.push_back(operand(dynamic.size()));
    dynamic.push_back(toSizeT(map.lookupOrDefault(cast<Value>(f))));
  };
  extent(validRows, rows);
  extent(validCols, cols);
  std::string shape = llvm::formatv("Shape<1, 1, 1, {0}, {1}>", rows, cols);
  std::string cpp = llvm::formatv(
      "GlobalTensor<{0}, {1}, Stride<1, 1, 1, {2}, 1>{3}>",
      cppElement(tile.getElementType()), shape, pitch, layout);
  Value elements =
      emitc::CastOp::create(b, loc, b.getI64Type(), toSizeT(off));
  Value at = emitc::AddOp::create(b, loc, ptr.getType(), ptr, elements);
  if (dynamic.empty())
    return call(cpp, opaqueType(cpp), {at});
  Value shapeObj = call(shape, opaqueType(shape), dynamic, shapeArgs);
  return call(cpp, opaqueType(cpp), {at, shapeObj});
}

/// Ends a rebuilt scf.for / scf.if body with a yield of `values`.
static void finishBody(OpBuilder &b, Location loc, Block *body,
                       ValueRange values) {
  if (!body->empty() && isa<scf::YieldOp>(body->back()))
    body->back().erase();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(body);
  scf::YieldOp::create(b, loc, values);
}

/// Where a rebuilt body's ops go: before its yield, if it has one.
static void enterBody(OpBuilder &b, Block *body) {
  if (!body->empty() && isa<scf::YieldOp>(body->back()))
    b.setInsertionPoint(&body->back());
  else
    b.setInsertionPointToEnd(body);
}

LogicalResult KernelEmitter::emitBlock(Block &block) {
  for (Operation &op : block) {
    if (op.hasTrait<OpTrait::IsTerminator>())
      continue;
    if (failed(emitOp(&op)))
      return failure();
  }
  return success();
}

LogicalResult KernelEmitter::emitFor(scf::ForOp op) {
  SmallVector<Value> inits;
  for (Value v : op.getInitArgs())
    inits.push_back(map.lookupOrDefault(v));
  auto loop = scf::ForOp::create(b, loc, map.lookupOrDefault(op.getLowerBound()),
                                 map.lookupOrDefault(op.getUpperBound()),
                                 map.lookupOrDefault(op.getStep()), inits);
  map.map(op.getInductionVar(), loop.getInductionVar());
  for (auto [from, to] :
       llvm::zip(op.getRegionIterArgs(), loop.getRegionIterArgs()))
    map.map(from, to);
  {
    OpBuilder::InsertionGuard guard(b);
    enterBody(b, loop.getBody());
    if (failed(emitBlock(*op.getBody())))
      return failure();
  }
  auto yield = cast<scf::YieldOp>(op.getBody()->getTerminator());
  SmallVector<Value> next;
  for (Value v : yield.getOperands())
    next.push_back(map.lookupOrDefault(v));
  finishBody(b, loc, loop.getBody(), next);
  for (auto [from, to] : llvm::zip(op.getResults(), loop.getResults()))
    map.map(from, to);
  return success();
}

LogicalResult KernelEmitter::emitPipeline(PipelineOp op) {
  // Tile iter_args live in their loop-carried storage (no copies: the pipe
  // model rejected those); the others are loop-carried values of the loop.
  SmallVector<Value> inits;
  for (auto [init, arg, result] :
       llvm::zip(op.getInitArgs(), op.getIterArgs(), op.getResults())) {
    if (isa<TileType>(arg.getType())) {
      Value o = bind(arg);
      tileObj[result] = o;
      continue;
    }
    inits.push_back(map.lookupOrDefault(init));
  }
  Value lb = map.lookupOrDefault(op.getLowerBound());
  Value step = map.lookupOrDefault(op.getStep());
  auto loop = scf::ForOp::create(b, loc, lb,
                                 map.lookupOrDefault(op.getUpperBound()), step,
                                 inits);
  map.map(op.getInductionVar(), loop.getInductionVar());
  unsigned next = 0;
  for (Value arg : op.getIterArgs())
    if (!isa<TileType>(arg.getType()))
      map.map(arg, loop.getRegionIterArgs()[next++]);
  loops[op] = {loop.getInductionVar(), lb, step, {}};
  {
    OpBuilder::InsertionGuard guard(b);
    enterBody(b, loop.getBody());
    if (failed(emitBlock(op.getBodyBlock())))
      return failure();
  }
  SmallVector<Value> yielded;
  for (auto [v, arg] : llvm::zip(op.getBodyBlock().getTerminator()->getOperands(),
                                 op.getIterArgs()))
    if (!isa<TileType>(arg.getType()))
      yielded.push_back(map.lookupOrDefault(v));
  finishBody(b, loc, loop.getBody(), yielded);
  next = 0;
  for (auto [arg, result] : llvm::zip(op.getIterArgs(), op.getResults()))
    if (!isa<TileType>(arg.getType()))
      map.map(result, loop.getResult(next++));
  return success();
}

LogicalResult KernelEmitter::emitIf(scf::IfOp op) {
  SmallVector<Type> types;
  for (OpResult r : op.getResults()) {
    if (isa<TileType>(r.getType()))
      bind(r);
    else
      types.push_back(r.getType());
  }
  auto ifOp = scf::IfOp::create(b, loc, types,
                                map.lookupOrDefault(op.getCondition()),
                                !op.getElseRegion().empty());
  auto emitBranch = [&](Block &from, Block *to) -> LogicalResult {
    {
      OpBuilder::InsertionGuard guard(b);
      enterBody(b, to);
      if (failed(emitBlock(from)))
        return failure();
    }
    SmallVector<Value> vals;
    for (Value v : from.getTerminator()->getOperands())
      if (!isa<TileType>(v.getType()))
        vals.push_back(map.lookupOrDefault(v));
    finishBody(b, loc, to, vals);
    return success();
  };
  if (failed(emitBranch(op.getThenRegion().front(), ifOp.thenBlock())))
    return failure();
  if (!op.getElseRegion().empty() &&
      failed(emitBranch(op.getElseRegion().front(), ifOp.elseBlock())))
    return failure();
  unsigned next = 0;
  for (OpResult r : op.getResults())
    if (!isa<TileType>(r.getType()))
      map.map(r, ifOp.getResult(next++));
  return success();
}

LogicalResult KernelEmitter::emitOp(Operation *op) {
  loc = op->getLoc();
  if (auto pipeline = dyn_cast<PipelineOp>(op))
    return emitPipeline(pipeline);
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    return emitIf(ifOp);
  if (auto forOp = dyn_cast<scf::ForOp>(op))
    return emitFor(forOp);
  if (auto at = dyn_cast<AtOp>(op))
    return emitBlock(at.getBodyBlock());
  if (isa<TileDialect>(op->getDialect()))
    return emitTileOp(op);
  if (op->getNumRegions() != 0)
    return op->emitOpError("cannot run on the ")
           << target.name << " NPU: the pto back end does not lower this op";
  return cloneArith(op);
}

LogicalResult KernelEmitter::cloneArith(Operation *op) {
  // Index and scalar arithmetic: cloned, then converted by upstream's
  // arith-to-emitc patterns, which lack the unsigned and min / max forms.
  // Indices into GM slices are non-negative (tile.load / tile.store check
  // their bounds), so the unsigned forms are the signed ones there.
  auto operands = [&](unsigned i) { return map.lookupOrDefault(op->getOperand(i)); };
  Value result;
  if (isa<arith::DivUIOp>(op))
    result = arith::DivSIOp::create(b, loc, operands(0), operands(1));
  else if (isa<arith::RemUIOp>(op))
    result = arith::RemSIOp::create(b, loc, operands(0), operands(1));
  else if (isa<arith::MaxSIOp, arith::MinSIOp, arith::MaxUIOp, arith::MinUIOp>(
               op)) {
    bool max = isa<arith::MaxSIOp, arith::MaxUIOp>(op);
    Value x = operands(0), y = operands(1);
    Value pick = arith::CmpIOp::create(
        b, loc, max ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::slt,
        x, y);
    result = arith::SelectOp::create(b, loc, pick, x, y);
  } else if (isa<arith::FloorDivSIOp, arith::CeilDivSIOp, arith::CeilDivUIOp>(
                 op)) {
    // q = x / y (toward zero), adjusted by one when the remainder is not 0
    // and the exact quotient lies below (floor) or above (ceil) q.
    Value x = operands(0), y = operands(1);
    Value zero = index(0);
    Value q = arith::DivSIOp::create(b, loc, x, y);
    Value r = arith::RemSIOp::create(b, loc, x, y);
    Value inexact =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
    Value xNeg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, zero);
    Value yNeg =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, y, zero);
    Value signsDiffer =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, xNeg, yNeg);
    bool floor = isa<arith::FloorDivSIOp>(op);
    Value adjust;
    if (floor)
      adjust = arith::AndIOp::create(b, loc, inexact, signsDiffer);
    else
      adjust = arith::AndIOp::create(
          b, loc, inexact,
          arith::XOrIOp::create(
              b, loc, signsDiffer,
              arith::ConstantIntOp::create(b, loc, 1, 1)));
    Value step = index(floor ? -1 : 1);
    result = arith::SelectOp::create(
        b, loc, adjust, arith::AddIOp::create(b, loc, q, step), q);
  } else if (isa<math::RoundEvenOp>(op)) {
    // Round half to even: std::nearbyint in the default rounding mode
    // (upstream's math-to-emitc has floor, ceil and round, not this one).
    result = call("std::nearbyint", op->getResult(0).getType(), operands(0));
  }
  if (result) {
    map.map(op->getResult(0), result);
    return success();
  }
  b.clone(*op, map);
  return success();
}

/// A cube operand window (TilePlacement.h): TEXTRACT from the L1 source
/// into Left / Right at (row, col) of the matrix the window multiplies. A
/// transposed window reads its stored [R, C] source as the [C, R] matrix in
/// ZN fractals (as the whole-operand TMOV does), so its indices swap.
LogicalResult KernelEmitter::cubeWindow(ExtractOp op) {
  std::optional<CubeOperandWindow> w = getCubeOperandWindow(op);
  if (!w)
    return op.emitOpError("is placed in L0A / L0B but is not a matmul "
                          "operand window");
  const TileStorage &s = storage.lookup(op.getResult());
  Value dst = declareTile(w->logicalType, s);
  tileObj[op.getResult()] = dst;
  auto source = cast<TileType>(op.getSource().getType());
  Type elt = source.getElementType();
  int64_t bytes = getElementBytes(elt);
  TileLayout stored = getTileLayout(source.getRows(), source.getCols(), bytes,
                                    BufferKind::L1, target);
  TileLayout l0 = getTileLayout(w->logicalType.getRows(),
                                w->logicalType.getCols(), bytes, w->kind,
                                target);
  Value src = obj(op.getSource());
  Value r = op.getRow(), c = op.getCol();
  int64_t srcRows = stored.rows, srcCols = stored.cols;
  if (w->trans) {
    srcRows = stored.cols;
    srcCols = stored.rows;
    std::string cpp = llvm::formatv(
        "Tile<TileType::Mat, {0}, {1}, {2}, BLayout::RowMajor, {3}, {4}, "
        "SLayout::ColMajor>",
        cppElement(elt), srcRows, srcCols, source.getCols(),
        source.getRows());
    src = declareAs(cpp, storage.lookup(op.getSource()));
    std::swap(r, c);
  }
  // The window's whole fractals must lie in the source's (pto-isa checks
  // indexRow + dst rows <= src rows, likewise for columns), and M (rows of
  // Left) or N (columns of Right) pad alike in L1 and L0, as for a whole
  // operand's TMOV.
  std::optional<int64_t> r0 = getConstantIntValue(r),
                         c0 = getConstantIntValue(c);
  bool lhs = w->kind == BufferKind::L0A;
  if ((r0 && *r0 + l0.rows > srcRows) || (c0 && *c0 + l0.cols > srcCols) ||
      l0.rows > srcRows || l0.cols > srcCols ||
      (lhs ? l0.rows != srcRows : l0.cols != srcCols))
    return op.emitOpError()
           << "a " << (w->trans ? "transposed " : "") << elt << " "
           << (lhs ? "lhs" : "rhs") << " window of ["
           << w->logicalType.getRows() << ", " << w->logicalType.getCols()
           << "] is " << l0.rows << " x " << l0.cols << " in "
           << getBufferKindName(w->kind)
           << ", which does not match the fractals of its L1 source ("
           << srcRows << " x " << srcCols
           << "); the PTO back end needs M and N padded alike in L1 and L0 "
              "(multiples of 16 and of 32 bytes)";
  call("TEXTRACT", Type(),
       {dst, src, toSizeT(map.lookupOrDefault(r)),
        toSizeT(map.lookupOrDefault(c))});
  return success();
}

LogicalResult KernelEmitter::emitTileOp(Operation *op) {
  auto event = [&](int64_t id, Value slot) -> std::pair<Attribute, Value> {
    if (!slot)
      return {opaque("EVENT_ID" + std::to_string(id)), Value()};
    Value e = arith::AddIOp::create(b, loc, index(id),
                                    map.lookupOrDefault(slot));
    return {Attribute(), e};
  };
  auto flag = [&](StringRef callee, Pipe src, Pipe dst, int64_t id,
                  Value slot) -> LogicalResult {
    if (id >= target.eventIdsPerPipePair)
      return op->emitOpError("event id ")
             << id << " is outside the " << target.eventIdsPerPipePair
             << " event ids of a pipe pair on " << target.name;
    auto [attr, value] = event(id, slot);
    if (value) {
      Value cast = call("static_cast", opaqueType("event_t"),
                        {toSizeT(value)}, {}, {opaque("event_t")});
      call(callee, Type(), {cast},
           {opaque(cppPipe(src)), opaque(cppPipe(dst)), operand(0)});
    } else {
      call(callee, Type(), {},
           {opaque(cppPipe(src)), opaque(cppPipe(dst)), attr});
    }
    return success();
  };
  auto barrier = [&](Pipe pipe) {
    call("pipe_barrier", Type(), {}, {opaque(cppPipe(pipe))});
  };
  // The synchronisation id of tile-insert-sync (mutation testing names one
  // set / wait pair or barrier by it).
  if (isa<SetFlagOp, WaitFlagOp, BarrierOp>(op))
    if (auto id = op->getAttrOfType<IntegerAttr>("tile.sync"))
      call("TESSEL_SYNC", Type(), {},
           {b.getI64IntegerAttr(id.getInt())});
  // The NPU's own checks first: every op the pipe model rejects fails here
  // too, at its location.
  SmallVector<PipeInstr> instrs;
  if (failed(getPipeInstrs(op, storage, instrs)))
    return failure();
  if (!instrs.empty())
    emitLoc(op->getLoc());
  auto typeName = [](Value v) {
    return cast<emitc::OpaqueType>(v.getType()).getValue();
  };
  // The tmp of TREM / TREMS: the op's scratch placement on a2a3 (TREMS's
  // with the type of `dst`, the object the instruction writes); `dst`
  // itself on a5, whose TREM / TREMS ignore it.
  auto remScratch = [&](Operation *o, Value dst) -> Value {
    const TileStorage *scratch = storage.lookupScratch(o);
    if (!scratch)
      return dst;
    if (isa<RemSOp>(o))
      return declareAs(typeName(dst), *scratch);
    return declareTile(*getScratchTileType(o, target), *scratch);
  };
  // TXOR / TXORS's tmp: the scratch placement with the type of `dst` (the
  // object the instruction writes: a column vector's row view) on a2a3,
  // `dst` itself on a5.
  auto xorScratch = [&](Operation *o, Value dst) -> Value {
    const TileStorage *scratch = storage.lookupScratch(o);
    return scratch ? declareAs(typeName(dst), *scratch) : dst;
  };
  // TEXTRACT / TINSERT's (row, col): a column vector's row offset is the
  // column offset of its row view.
  auto subTileIndices = [&](Value r, Value c,
                            bool column) -> std::pair<Value, Value> {
    if (column)
      return {toSizeT(index(0)), toSizeT(map.lookupOrDefault(r))};
    return {toSizeT(map.lookupOrDefault(r)), toSizeT(map.lookupOrDefault(c))};
  };
  auto scalarOf = [&](Value scalar, Type elt) -> FailureOr<Attribute> {
    Attribute cst;
    if (matchPattern(scalar, m_Constant(&cst)))
      return opaque(cppScalar(cst, elt));
    return Attribute();
  };
  if (std::optional<ExpandInfo> info = getExpandInfo(op)) {
    // TROWEXPAND<OP> / TCOLEXPAND<OP>(dst, src, scale): the scale is a
    // column vector (one element per row) or a 1 x C row.
    Value t = bind(op->getResult(0));
    call(info->ptoName, Type(),
         {t, obj(op->getOperand(0)), obj(op->getOperand(1))});
    return success();
  }
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](SetFlagOp o) {
        return flag("set_flag", o.getSrc(), o.getDst(), o.getEvent(),
                    o.getSlot());
      })
      .Case([&](WaitFlagOp o) {
        return flag("wait_flag", o.getSrc(), o.getDst(), o.getEvent(),
                    o.getSlot());
      })
      .Case([&](BarrierOp o) {
        barrier(o.getPipe());
        return success();
      })
      .Case([&](LoadOp o) -> LogicalResult {
        Value t = bind(o.getResult());
        if (!o.hasValidShape()) {
          FailureOr<Value> g = globalTensor(o, o.getSource(), o.getIndices(),
                                            o.getTileType());
          if (failed(g))
            return failure();
          call("TLOAD", Type(), {t, *g});
          return success();
        }
        // A partial tile: TLOAD moves the valid region (a tile object with
        // that valid shape, a GlobalTensor of that shape); TFILLPAD then
        // zeroes the padding in place, after the MTE2 -> V hand-off on the
        // event id kept for it (PipeModel.h).
        OpFoldResult vr = o.getValidSize(0), vc = o.getValidSize(1);
        Value view = validTile(o.getResult(), vr, vc, "", /*move=*/true);
        FailureOr<Value> g = globalTensor(o, o.getSource(), o.getIndices(),
                                          o.getTileType(), vr, vc);
        if (failed(g))
          return failure();
        call("TLOAD", Type(), {view, *g});
        if (!partialLoadFillsPadding(o))
          return success();
        std::string event =
            "EVENT_ID" + std::to_string(getIntraOpEventId(target));
        for (StringRef fn : {"set_flag", "wait_flag"})
          call(fn, Type(), {},
               {opaque("PIPE_MTE2"), opaque("PIPE_V"), opaque(event)});
        TileType type = o.getTileType();
        Value padded = validTile(o.getResult(), b.getIndexAttr(type.getRows()),
                                 b.getIndexAttr(type.getCols()), "Zero");
        if (type.getCols() == 1)
          view = validTile(o.getResult(), vr, vc);
        call("TFILLPAD_INPLACE", Type(), {padded, view});
        return success();
      })
      .Case([&](StoreOp o) -> LogicalResult {
        // A partial tile moves its valid region only: a tile object and a
        // GlobalTensor of that shape.
        FailureOr<Value> g;
        Value t;
        if (o.hasValidShape()) {
          OpFoldResult vr = o.getValidSize(0), vc = o.getValidSize(1);
          g = globalTensor(o, o.getDest(), o.getIndices(), o.getTileType(),
                           vr, vc);
          if (failed(g))
            return failure();
          t = validTile(o.getValue(), vr, vc, "", /*move=*/true);
        } else {
          g = globalTensor(o, o.getDest(), o.getIndices(), o.getTileType());
          if (failed(g))
            return failure();
          t = obj(o.getValue());
        }
        if (!o.getAtomicAdd()) {
          call("TSTORE", Type(), {*g, t});
          return success();
        }
        // pl.assemble(..., atomic=pl.AtomicType.Add): TSTORE's atomic form
        // (of the valid region for a partial tile: a masked atomic add).
        call("TSTORE", Type(), {*g, t}, {},
             {opaque(typeName(t)), opaque(typeName(*g)),
              opaque("AtomicType::AtomicAdd")});
        return success();
      })
      .Case([&](CopyOp o) {
        bind(o.getResult());
        if (!(storage.lookup(o.getInput()) == storage.lookup(o.getResult())))
          call("TMOV", Type(), {row(o.getResult()), row(o.getInput())});
        return success();
      })
      .Case([&](FullOp o) {
        bind(o.getResult());
        if (instrs.empty())
          return success(); // a zero that starts accumulators (PipeModel.h)
        call("TEXPANDS", Type(), {row(o.getResult())},
             {operand(0),
              opaque(cppScalar(o.getValue(), cast<TileType>(o.getType())
                                                 .getElementType()))});
        return success();
      })
      .Case([&](ReshapeOp o) {
        bind(o.getResult());
        return success();
      })
      .Case([&](GatherIndexOp o) {
        // PTO-ISA's TGATHER reads flat element offsets of its source; the
        // op's scratch (getGatherIndexScratch, TileLayout.h) holds a
        // zero-bordered copy of the input and the offsets into it, so an
        // index outside [0, N) reads a zero (never a target-defined byte):
        //   src = 0 ((M + 1) x Cz); src[1:, :N] = input   TEXPANDS, TINSERT
        //   off = min(max(index, -1), N)                    TMAXS, TMINS
        //   base[r] = (r + 1) * Cz                          TCI, TMULS
        //   off[r, :] += base[r]                            TROWEXPANDADD
        //   dst = src.flat[off]                             TGATHER
        auto in = cast<TileType>(o.getInput().getType());
        auto res = cast<TileType>(o.getType());
        Type elt = in.getElementType();
        int64_t m = in.getRows(), n = in.getCols(), k = res.getCols();
        GatherIndexScratch g = getGatherIndexScratch(in, res, target);
        const TileStorage &scratch = *storage.lookupScratch(o);
        auto at = [&](int64_t bytes) {
          TileStorage s = scratch;
          s.offset += bytes;
          return s;
        };
        auto i32 = [&](int64_t v) {
          return opaque("static_cast<int32_t>(" + std::to_string(v) + ")");
        };
        Type i32Type = b.getI32Type();
        Value dst = bind(o.getResult());
        Value src = declareTile(
            TileType::get(ctx(), {m + 1, g.zeroedCols}, elt), at(g.source));
        Attribute zero = isa<FloatType>(elt)
                             ? Attribute(b.getFloatAttr(elt, 0))
                             : Attribute(b.getIntegerAttr(elt, 0));
        call("TEXPANDS", Type(), {src},
             {operand(0), opaque(cppScalar(zero, elt))});
        barrier(Pipe::v);
        call("TINSERT", Type(), {src, obj(o.getInput())},
             {operand(0), operand(1), opaque("1"), opaque("0")});
        Value off = declareTile(TileType::get(ctx(), {m, k}, i32Type),
                                at(g.index));
        call("TMAXS", Type(), {off, obj(o.getIndex())},
             {operand(0), operand(1), i32(-1)});
        barrier(Pipe::v);
        call("TMINS", Type(), {off, off}, {operand(0), operand(1), i32(n)});
        // The row bases: a column vector of M i32, written through its
        // 1 x M row view.
        TileLayout cl = getTileLayout(m, 1, 4, BufferKind::UB, target);
        Value baseRow = declareAs(
            llvm::formatv("Tile<TileType::Vec, int32_t, 1, {0}, "
                          "BLayout::RowMajor, 1, {1}>",
                          cl.rows, m)
                .str(),
            at(g.rowBase));
        auto tciScalar = [&] {
          call("TCI", Type(), {baseRow}, {operand(0), i32(1)},
               {opaque(typeName(baseRow)), opaque("int32_t"), opaque("0")});
        };
        if (g.tciTmp < 0) {
          tciScalar(); // a5: vci, no tmp
        } else {
          // a2a3: the vectorised form with its tmp (as tile.arange).
          Value tmp = declareTile(
              TileType::get(ctx(), {1, 192}, b.getF32Type()), at(g.tciTmp));
          auto verbatim = [&](StringRef line) {
            emitc::VerbatimOp::create(b, loc, b.getStringAttr(line));
          };
          verbatim("#if defined(__CPU_SIM)");
          tciScalar();
          verbatim("#else");
          call("TCI", Type(), {baseRow, tmp},
               {operand(0), i32(1), operand(1)},
               {opaque(typeName(baseRow)), opaque(typeName(tmp)),
                opaque("int32_t"), opaque("0")});
          verbatim("#endif");
        }
        barrier(Pipe::v);
        call("TMULS", Type(), {baseRow, baseRow},
             {operand(0), operand(1), i32(g.zeroedCols)});
        barrier(Pipe::v);
        Value base = declareTile(TileType::get(ctx(), {m, 1}, i32Type),
                                 at(g.rowBase));
        call("TROWEXPANDADD", Type(), {off, off, base});
        barrier(Pipe::v);
        // a2a3's TGATHER converts the offsets of 16-bit elements into its
        // tmp (as wide as the destination's rows); a5 ignores the tmp.
        Value tmp = off;
        if (g.gatherTmp >= 0) {
          int64_t kd = getTileLayout(m, k, getElementBytes(elt),
                                     BufferKind::UB, target)
                           .cols;
          tmp = declareAs(llvm::formatv("Tile<TileType::Vec, int32_t, {0}, "
                                        "{1}, BLayout::RowMajor, {0}, {2}>",
                                        m, kd, k)
                              .str(),
                          at(g.gatherTmp));
        }
        call("TGATHER", Type(), {dst, src, off, tmp});
        return success();
      })
      .Case([&](ReinterpretViewOp o) {
        // A tile object of the result's type on the bytes (PipeModel
        // checked both types lay them out alike). Placed on the input it
        // is that object; elsewhere a TMOV of a view of the input's bytes
        // typed as the result (a column vector through its 1 x R row).
        bind(o.getResult());
        const TileStorage &in = storage.lookup(o.getInput());
        if (in == storage.lookup(o.getResult()))
          return success();
        auto type = cast<TileType>(o.getType());
        Value view;
        if (type.getCols() > 1) {
          view = declareTile(type, in);
        } else {
          TileLayout l = getTileLayout(type.getRows(), 1,
                                       getElementBytes(type.getElementType()),
                                       BufferKind::UB, target);
          view = declareAs(
              llvm::formatv("Tile<TileType::Vec, {0}, 1, {1}, "
                            "BLayout::RowMajor, 1, {2}>",
                            cppElement(type.getElementType()), l.rows,
                            l.validRows)
                  .str(),
              in);
        }
        call("TMOV", Type(), {row(o.getResult()), view});
        return success();
      })
      .Case([&](CastOp o) {
        bind(o.getResult());
        Type from = cast<TileType>(o.getInput().getType()).getElementType();
        Type to = cast<TileType>(o.getResult().getType()).getElementType();
        bool toInt = isa<IntegerType>(to);
        // Tessel's `none` is exact for widenings and rint for every lossy
        // conversion (docs/numerics.md); PTO-ISA's CAST_NONE truncates a
        // float -> int conversion, so a lossy `none` is CAST_RINT here.
        bool widening = (from.isF16() || from.isBF16()) && to.isF32();
        widening |= from.isSignlessInteger(8) && to.isF16();
        RoundMode mode = o.getMode();
        if (mode == RoundMode::none && !widening)
          mode = RoundMode::rint;
        StringRef sat = toInt && isa<FloatType>(from) ? "SaturationMode::ON"
                                                      : "SaturationMode::OFF";
        Value src = row(o.getInput());
        if (needsCastThroughF32(o, target)) {
          // i32 -> f32 over the source (PipeModel.h), then f32 -> f16.
          auto f32 = TileType::get(ctx(), cast<TileType>(o.getInput().getType())
                                              .getShape(),
                                   b.getF32Type());
          Value wide = declareTile(f32, storage.lookup(o.getInput()));
          call("TCVT", Type(), {wide, src},
               {operand(0), operand(1), opaque(cppRoundMode(mode)),
                opaque("SaturationMode::OFF")});
          barrier(Pipe::v);
          src = wide;
        }
        call("TCVT", Type(), {row(o.getResult()), src},
             {operand(0), operand(1), opaque(cppRoundMode(mode)),
              opaque(sat)});
        return success();
      })
      .Case<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, FModOp, AndOp, OrOp,
            ShlOp, ShrOp>([&](Operation *o) {
        bind(o->getResult(0));
        call(getPtoInstrName(o), Type(),
             {row(o->getResult(0)), row(o->getOperand(0)),
              row(o->getOperand(1))});
        return success();
      })
      .Case<NegOp, AbsOp, SqrtOp, RsqrtOp, RecipOp, ExpOp, NotOp, LogOp>(
          [&](Operation *o) {
        bind(o->getResult(0));
        call(getPtoInstrName(o), Type(),
             {row(o->getResult(0)), row(o->getOperand(0))});
        return success();
      })
      .Case<AddSOp, SubSOp, RSubSOp, MulSOp, DivSOp, RDivSOp, MaxSOp, MinSOp,
            FModSOp, AndSOp, OrSOp, ShlSOp, ShrSOp, RemSOp, XorSOp>(
          [&](Operation *o) -> LogicalResult {
            Value input = o->getOperand(0), scalar = o->getOperand(1);
            Type elt = cast<TileType>(input.getType()).getElementType();
            FailureOr<Attribute> lit = scalarOf(scalar, elt);
            if (failed(lit))
              return failure();
            if (!*lit && !elt.isF32() && !elt.isSignlessInteger(32))
              return o->emitOpError("cannot run on the ")
                     << target.name
                     << " NPU: a non-constant scalar of type " << elt;
            bind(o->getResult(0));
            Value t = row(o->getResult(0));
            SmallVector<Value> operands = {t, row(input)};
            Attribute s = *lit;
            if (!s) {
              operands.push_back(map.lookupOrDefault(scalar));
              s = operand(2);
            }
            if (isa<RDivSOp>(o)) {
              // TDIVS(dst, scalar, src): scalar / src.
              call("TDIVS", Type(), operands, {operand(0), s, operand(1)});
              return success();
            }
            if (isa<XorSOp>(o)) {
              // TXORS(dst, src, scalar, tmp): a2a3's tmp is the op's
              // scratch (dst's type), dst itself on a5, which ignores it.
              operands.push_back(xorScratch(o, t));
              call("TXORS", Type(), operands,
                   {operand(0), operand(1), s, operand(operands.size() - 1)});
              return success();
            }
            if (isa<RemSOp>(o)) {
              // TREMS(dst, src, scalar, tmp); tmp has dst's type (pto-isa's
              // CPU simulation declares it so), dst itself on a5.
              operands.push_back(remScratch(o, t));
              call("TREMS", Type(), operands,
                   {operand(0), operand(1), s, operand(operands.size() - 1)});
              return success();
            }
            if (isa<RSubSOp>(o)) {
              // s - x = (-x) + s exactly: negation is exact.
              call("TMULS", Type(), {t, row(input)},
                   {operand(0), operand(1),
                    opaque(cppScalar(elt.isSignlessInteger(32)
                                         ? Attribute(b.getI32IntegerAttr(-1))
                                         : Attribute(b.getF32FloatAttr(-1)),
                                     elt))});
              barrier(Pipe::v);
              operands[1] = t;
              call("TADDS", Type(), operands, {operand(0), operand(1), s});
              return success();
            }
            call(getPtoInstrName(o), Type(), operands,
                 {operand(0), operand(1), s});
            return success();
          })
      .Case<CmpOp, CmpSOp>([&](Operation *o) -> LogicalResult {
        // TCMP(mask, lhs, rhs, mode) / TCMPS(mask, src, scalar, mode) into
        // a uint8_t view of the mask (PTO-ISA's output type), then the
        // bytes past N / 8 of each row zeroed in place (PipeModel.h).
        Value input = o->getOperand(0);
        auto in = cast<TileType>(input.getType());
        Type elt = in.getElementType();
        CmpMode mode = isa<CmpOp>(o) ? cast<CmpOp>(o).getMode()
                                     : cast<CmpSOp>(o).getMode();
        SmallVector<Value> operands = {Value(), obj(input)};
        Attribute s = operand(2);
        if (auto cmps = dyn_cast<CmpSOp>(o)) {
          FailureOr<Attribute> lit = scalarOf(cmps.getScalar(), elt);
          if (failed(lit))
            return failure();
          if (!*lit && !elt.isF32() && !elt.isSignlessInteger(32))
            return o->emitOpError("cannot run on the ")
                   << target.name << " NPU: a non-constant scalar of type "
                   << elt;
          if (*lit)
            s = *lit;
          else
            operands.push_back(map.lookupOrDefault(cmps.getScalar()));
        } else {
          operands.push_back(obj(o->getOperand(1)));
        }
        Value maskTile = bind(o->getResult(0));
        (void)maskTile;
        auto maskType = cast<TileType>(o->getResult(0).getType());
        TileLayout l = getTileLayout(maskType.getRows(), maskType.getCols(),
                                     1, BufferKind::UB, target);
        operands[0] = declareAs(
            llvm::formatv("Tile<TileType::Vec, uint8_t, {0}, {1}, "
                          "BLayout::RowMajor, {2}, {3}>",
                          l.rows, l.cols, l.validRows, l.validCols)
                .str(),
            storage.lookup(o->getResult(0)));
        std::string cmpMode =
            ("CmpMode::" + stringifyCmpMode(mode).upper());
        call(isa<CmpOp>(o) ? "TCMP" : "TCMPS", Type(), operands,
             {operand(0), operand(1), s, opaque(cmpMode)});
        int64_t bytes = in.getCols() / 8;
        if (bytes < maskType.getCols()) {
          barrier(Pipe::v);
          Value whole = validTile(o->getResult(0),
                                  b.getIndexAttr(maskType.getRows()),
                                  b.getIndexAttr(maskType.getCols()), "Zero");
          Value bits = validTile(o->getResult(0),
                                 b.getIndexAttr(maskType.getRows()),
                                 b.getIndexAttr(bytes));
          call("TFILLPAD_INPLACE", Type(), {whole, bits});
        }
        return success();
      })
      .Case<SelOp, SelSOp>([&](Operation *o) -> LogicalResult {
        // TSEL(dst, mask, src0, src1, tmp), the mask as uint8_t; sels
        // first spreads its scalar over the scratch tile (TEXPANDS) and
        // selects from it, TSEL's tmp in the scratch's last row.
        Value mask = o->getOperand(0);
        auto maskType = cast<TileType>(mask.getType());
        auto type = cast<TileType>(o->getResult(0).getType());
        Type elt = type.getElementType();
        const TileStorage *scratch = storage.lookupScratch(o);
        if (!scratch)
          return o->emitOpError("needs its scratch placement (TSEL's tmp)");
        Value other;
        TileStorage tmpAt = *scratch;
        Attribute lit;
        if (auto sels = dyn_cast<SelSOp>(o)) {
          FailureOr<Attribute> l = scalarOf(sels.getScalar(), elt);
          if (failed(l))
            return failure();
          if (!*l && !elt.isF32() && !elt.isSignlessInteger(32))
            return o->emitOpError("cannot run on the ")
                   << target.name << " NPU: a non-constant scalar of type "
                   << elt;
          lit = *l;
        }
        Value t = bind(o->getResult(0));
        TileLayout ml = getTileLayout(maskType.getRows(), maskType.getCols(),
                                      1, BufferKind::UB, target);
        Value m = declareAs(
            llvm::formatv("Tile<TileType::Vec, uint8_t, {0}, {1}, "
                          "BLayout::RowMajor, {2}, {3}>",
                          ml.rows, ml.cols, ml.validRows, ml.validCols)
                .str(),
            storage.lookup(mask));
        if (auto sels = dyn_cast<SelSOp>(o)) {
          other = declareAs(typeName(t), *scratch);
          if (lit)
            call("TEXPANDS", Type(), {other}, {operand(0), lit});
          else
            call("TEXPANDS", Type(),
                 {other, map.lookupOrDefault(sels.getScalar())});
          barrier(Pipe::v);
          TileLayout l = getTileLayout(type.getRows(), type.getCols(),
                                       getElementBytes(elt), BufferKind::UB,
                                       target);
          tmpAt.offset += l.getBytes();
        } else {
          other = obj(o->getOperand(2));
        }
        Value tmp = declareTile(
            TileType::get(ctx(), {1, 32}, b.getIntegerType(8)), tmpAt);
        call("TSEL", Type(), {t, m, obj(o->getOperand(1)), other, tmp});
        return success();
      })
      .Case([&](PReluOp o) {
        // TPRELU(dst, src0, src1, tmp): a2a3's tmp is the op's scratch as a
        // uint8_t tile (pto-isa's type), dst itself on a5, which ignores it.
        bind(o.getResult());
        Value t = row(o.getResult());
        Value tmp = t;
        if (const TileStorage *scratch = storage.lookupScratch(o)) {
          TileType st = *getScratchTileType(o, target);
          tmp = declareAs(llvm::formatv("Tile<TileType::Vec, uint8_t, {0}, "
                                        "{1}, BLayout::RowMajor, {0}, {1}>",
                                        st.getRows(), st.getCols())
                              .str(),
                          *scratch);
        }
        call("TPRELU", Type(), {t, row(o.getLhs()), row(o.getRhs()), tmp});
        return success();
      })
      .Case([&](Sort32Op o) {
        // TSORT32(dst, src, idx), the i32 index tile as uint32_t (pto-isa's
        // index type; a one-row index is shared by every row).
        Value t = bind(o.getResult());
        auto it = cast<TileType>(o.getIndex().getType());
        TileLayout l = getTileLayout(it.getRows(), it.getCols(), 4,
                                     BufferKind::UB, target);
        Value idx = declareAs(
            llvm::formatv("Tile<TileType::Vec, uint32_t, {0}, {1}, "
                          "BLayout::RowMajor, {2}, {3}>",
                          l.rows, l.cols, l.validRows, l.validCols)
                .str(),
            storage.lookup(o.getIndex()));
        call("TSORT32", Type(), {t, obj(o.getInput()), idx});
        return success();
      })
      .Case([&](MrgSortOp o) {
        // The single-list TMRGSORT(dst, src, blockLen).
        Value t = bind(o.getResult());
        call("TMRGSORT", Type(), {t, obj(o.getInput())},
             {operand(0), operand(1),
              opaque(std::to_string(o.getBlockLen()) + "u")});
        return success();
      })
      .Case([&](MrgSortListsOp o) {
        // TMRGSORT<Dst, Tmp, Src0, ..., false>(dst, executed, tmp, src0,
        // ...): the non-exhausted multi-list form; tmp is the op's scratch
        // (the result's type), `executed` pto-isa's count struct, which
        // this form leaves untouched.
        Value t = bind(o.getResult());
        Value tmp = declareAs(typeName(t), *storage.lookupScratch(o));
        Value executed = call("MrgSortExecutedNumList",
                              opaqueType("MrgSortExecutedNumList"), {});
        SmallVector<Value> operands = {t, executed, tmp};
        SmallVector<Attribute> targs = {opaque(typeName(t)),
                                        opaque(typeName(tmp))};
        for (Value in : o.getInputs()) {
          operands.push_back(obj(in));
          targs.push_back(opaque(typeName(operands.back())));
        }
        targs.push_back(opaque("false"));
        call("TMRGSORT", Type(), operands, {}, targs);
        return success();
      })
      .Case([&](XorOp o) {
        bind(o.getResult());
        Value t = row(o.getResult());
        call("TXOR", Type(),
             {t, row(o.getLhs()), row(o.getRhs()), xorScratch(o, t)});
        return success();
      })
      .Case([&](TransposeOp o) {
        // TTRANS(dst, src, tmp): tmp is the op's scratch on both targets.
        Value t = bind(o.getResult());
        Value tmp = declareTile(*getScratchTileType(o, target),
                                *storage.lookupScratch(o));
        call("TTRANS", Type(), {t, obj(o.getInput()), tmp});
        return success();
      })
      .Case<RowArgMaxOp, RowArgMinOp, ColArgMaxOp, ColArgMinOp>(
          [&](Operation *o) {
        // The index-only form (dst, src, tmp): a row's index into an M x 1
        // column (DN), a column's into a 1 x N row. a2a3's tmp is the
        // op's scratch (the source's type); a5 ignores it: src is passed.
        Value t = bind(o->getResult(0));
        Value src = obj(o->getOperand(0));
        const TileStorage *scratch = storage.lookupScratch(o);
        Value tmp = scratch ? declareAs(typeName(src), *scratch) : src;
        call(getPtoInstrName(o), Type(), {t, src, tmp});
        return success();
      })
      .Case([&](RemOp o) {
        bind(o.getResult());
        call("TREM", Type(),
             {row(o.getResult()), row(o.getLhs()), row(o.getRhs()),
              remScratch(o, row(o.getResult()))});
        return success();
      })
      .Case([&](RowExpandOp o) {
        Value t = bind(o.getResult());
        call("TROWEXPAND", Type(), {t, obj(o.getInput())});
        return success();
      })
      .Case([&](ColExpandOp o) {
        Value t = bind(o.getResult());
        call("TCOLEXPAND", Type(), {t, obj(o.getInput())});
        return success();
      })
      .Case([&](ExtractOp o) -> LogicalResult {
        Arena arena = storage.lookup(o.getResult()).arena;
        if (arena == Arena::L0A || arena == Arena::L0B)
          return cubeWindow(o);
        // TEXTRACT(dst, src, row, col); column vectors through their 1 x R
        // row views (PipeModel.h).
        bind(o.getResult());
        bool column = cast<TileType>(o.getSource().getType()).getCols() == 1;
        auto [r, c] = subTileIndices(o.getRow(), o.getCol(), column);
        call("TEXTRACT", Type(),
             {row(o.getResult()), row(o.getSource()), r, c});
        return success();
      })
      .Case([&](InsertOp o) {
        bind(o.getResult());
        if (!(storage.lookup(o.getResult()) == storage.lookup(o.getDest()))) {
          call("TMOV", Type(), {row(o.getResult()), row(o.getDest())});
          barrier(Pipe::v);
        }
        bool column = cast<TileType>(o.getDest().getType()).getCols() == 1;
        auto [r, c] = subTileIndices(o.getRow(), o.getCol(), column);
        call("TINSERT", Type(),
             {row(o.getResult()), row(o.getSource()), r, c});
        return success();
      })
      .Case([&](ArangeOp o) {
        // TCI writes start + k along one row: the tile's row view (a
        // column vector), or a 1 x (R * C) view of rows that fill whole
        // 32-byte blocks (PipeModel.h checked that).
        auto type = cast<TileType>(o.getType());
        bind(o.getResult());
        Value dst = row(o.getResult());
        if (type.getRows() > 1 && type.getCols() > 1) {
          int64_t n = type.getNumElements();
          dst = declareAs(llvm::formatv("Tile<TileType::Vec, int32_t, 1, {0}, "
                                        "BLayout::RowMajor, 1, {0}>",
                                        n)
                              .str(),
                          storage.lookup(o.getResult()));
        }
        std::string start =
            "static_cast<int32_t>(" +
            std::to_string(static_cast<int64_t>(o.getStart())) + ")";
        auto scalarForm = [&] {
          call("TCI", Type(), {dst}, {operand(0), opaque(start)},
               {opaque(typeName(dst)), opaque("int32_t"), opaque("0")});
        };
        const TileStorage *scratch = storage.lookupScratch(o);
        if (!scratch) {
          scalarForm(); // a5: vci, no tmp
          return success();
        }
        // a2a3: the vectorised form with its tmp (TileLayout.h); the form
        // without tmp is a scalar loop on PIPE_S there. pto-isa's CPU
        // simulation has only the form without tmp.
        Value tmp = declareTile(*getScratchTileType(o, target), *scratch);
        auto verbatim = [&](StringRef line) {
          emitc::VerbatimOp::create(b, loc, b.getStringAttr(line));
        };
        verbatim("#if defined(__CPU_SIM)");
        scalarForm();
        verbatim("#else");
        call("TCI", Type(), {dst, tmp},
             {operand(0), opaque(start), operand(1)},
             {opaque(typeName(dst)), opaque(typeName(tmp)), opaque("int32_t"),
              opaque("0")});
        verbatim("#endif");
        return success();
      })
      .Case([&](ConcatOp o) {
        Value t = bind(o.getResult());
        call("TCONCAT", Type(), {t, obj(o.getLhs()), obj(o.getRhs())});
        return success();
      })
      .Case([&](TriOp o) {
        Value t = bind(o.getResult());
        // The diagonal is clamped to +-(rows + cols) by the frontend;
        // clamp here too so that it fits the instruction's int.
        auto type = cast<TileType>(o.getType());
        int64_t bound = type.getRows() + type.getCols();
        int64_t diag = std::clamp<int64_t>(
            static_cast<int64_t>(o.getDiagonal()), -bound, bound);
        call("TTRI", Type(), {t}, {operand(0), opaque(std::to_string(diag))},
             {opaque(cast<emitc::OpaqueType>(t.getType()).getValue()),
              opaque(o.getUpper() ? "1" : "0")});
        return success();
      })
      .Case<ColSumOp, ColMaxOp, ColMinOp, ColProdOp>([&](Operation *o) {
        Value t = bind(o->getResult(0));
        call(getPtoInstrName(o), Type(), {t, obj(o->getOperand(0))});
        return success();
      })
      .Case<RowSumOp, RowMaxOp, RowMinOp, RowProdOp>(
          [&](Operation *o) -> LogicalResult {
        Value t = bind(o->getResult(0));
        auto srcType = cast<TileType>(o->getOperand(0).getType());
        Value tmp = declareTile(srcType, *storage.lookupScratch(o));
        FailureOr<std::pair<Value, Value>> operands =
            rowReduceOperands(o, t, obj(o->getOperand(0)));
        if (failed(operands))
          return failure();
        call(getPtoInstrName(o), Type(),
             {operands->first, operands->second, tmp});
        return success();
      })
      .Case([&](GatherOp o) {
        Value t = bind(o.getResult());
        StringRef pattern = cppMaskPattern(o.getPattern());
        call("TGATHER", Type(), {t, obj(o.getInput())}, {},
             {opaque(typeName(t)), opaque(typeName(obj(o.getInput()))),
              opaque(pattern)});
        return success();
      })
      .Case([&](ScatterOp o) {
        // Half of an interleave (PipeModel.h): scatter into a zeroed tile;
        // the outer half then ors the inner one in, through int32 views.
        ScatterPair pair = getScatterPair(o, storage);
        Value t = bind(o.getResult());
        auto asInt32 = [&](Value tile) {
          auto type = cast<TileType>(tile.getType());
          TileLayout l = getTileLayout(type.getRows(), type.getCols(),
                                       getElementBytes(type.getElementType()),
                                       BufferKind::UB, target);
          int64_t words = l.cols * l.elementBytes / 4;
          std::string cpp = llvm::formatv(
              "Tile<TileType::Vec, int32_t, {0}, {1}, BLayout::RowMajor, {0}, "
              "{1}>",
              l.rows, words);
          return declareAs(cpp, storage.lookup(tile));
        };
        Value words = asInt32(o.getResult());
        call("TEXPANDS", Type(), {words},
             {operand(0), opaque("static_cast<int32_t>(0)")});
        barrier(Pipe::v);
        StringRef pattern = cppMaskPattern(o.getPattern());
        call("TSCATTER", Type(), {t, obj(o.getSource())}, {},
             {opaque(pattern)});
        if (pair.role == ScatterPair::Outer) {
          barrier(Pipe::v);
          call("TOR", Type(), {words, words, asInt32(pair.inner.getResult())});
        }
        return success();
      })
      .Case<MatmulOp, MatmulAccOp>([&](Operation *o) {
        bool acc = isa<MatmulAccOp>(o);
        Value lhs = o->getOperand(acc ? 1 : 0), rhs = o->getOperand(acc ? 2 : 1);
        // The operands move to offset 0 of L0A / L0B (PipeModel.h), then
        // the cube waits for the moves on the event id tile-insert-sync
        // keeps for this hand-off.
        // A transposed operand: its stored [R, C] NZ tile in L1 is,
        // byte for byte, the [C, R] matrix it multiplies in ZN fractals (the
        // 16-row x 32-byte fractal read column-wise), which TMOV moves into
        // Left / Right like any Mat source; the move does the transposition.
        MatmulView mm = *getMatmulView(o);
        bool anyMoved = false;
        auto moved = [&](Value v, TileType logical, bool trans,
                         BufferKind kind) -> FailureOr<Value> {
          // A cube operand window: its TEXTRACT put it there.
          if (storage.lookup(v).arena == getArena(kind))
            return obj(v);
          anyMoved = true;
          TileStorage s;
          s.arena = getArena(kind);
          s.offset = 0;
          Value t = declareTile(logical, s);
          Value src = obj(v);
          // The stored tile's L1 padding, read (for a transposed operand)
          // as ZN, must be the L0 tile's: TMOV moves whole fractals.
          int64_t bytes = getElementBytes(logical.getElementType());
          auto storedType = cast<TileType>(v.getType());
          TileLayout stored =
              getTileLayout(storedType.getRows(), storedType.getCols(), bytes,
                            BufferKind::L1, target);
          TileLayout dst = getTileLayout(logical.getRows(), logical.getCols(),
                                         bytes, kind, target);
          int64_t rows = trans ? stored.cols : stored.rows;
          int64_t cols = trans ? stored.rows : stored.cols;
          if (rows != dst.rows || cols != dst.cols)
            return o->emitOpError()
                   << "a " << (trans ? "transposed " : "")
                   << logical.getElementType() << " "
                   << (kind == BufferKind::L0A ? "lhs" : "rhs") << " of ["
                   << logical.getRows() << ", " << logical.getCols()
                   << "] does not fill whole cube fractals both ways: L1 "
                      "holds it as "
                   << rows << " x " << cols << ", " << getBufferKindName(kind)
                   << " as " << dst.rows << " x " << dst.cols
                   << "; the PTO back end needs both dimensions padded "
                      "alike (multiples of 16 and of 32 bytes)";
          if (trans) {
            std::string cpp = llvm::formatv(
                "Tile<TileType::Mat, {0}, {1}, {2}, BLayout::RowMajor, {3}, "
                "{4}, SLayout::ColMajor>",
                cppElement(logical.getElementType()), stored.cols,
                stored.rows, logical.getRows(), logical.getCols());
            src = declareAs(cpp, storage.lookup(v));
          }
          call("TMOV", Type(), {t, src});
          return t;
        };
        FailureOr<Value> a =
            moved(lhs, mm.lhsType, mm.aTrans, BufferKind::L0A);
        if (failed(a))
          return failure();
        FailureOr<Value> w =
            moved(rhs, mm.rhsType, mm.bTrans, BufferKind::L0B);
        if (failed(w))
          return failure();
        // Windows moved by their TEXTRACTs are ordered by tile-insert-sync
        // (getIntraOpHandOff tells it which matmuls hand off themselves).
        if (anyMoved) {
          int64_t id = getIntraOpEventId(target);
          call("set_flag", Type(), {},
               {opaque("PIPE_MTE1"), opaque("PIPE_M"),
                opaque("EVENT_ID" + std::to_string(id))});
          call("wait_flag", Type(), {},
               {opaque("PIPE_MTE1"), opaque("PIPE_M"),
                opaque("EVENT_ID" + std::to_string(id))});
        }
        Value t = bind(o->getResult(0));
        // Always the four-operand form (cOut = cIn + a @ b): an in-place
        // accumulation names the accumulator twice, which is what the
        // three-operand form expands to on the NPU; pto-isa's CPU
        // simulation has only the four-operand form.
        auto accumulate = [&] {
          Value in = storage.lookup(o->getOperand(0)) ==
                             storage.lookup(o->getResult(0))
                         ? t
                         : obj(o->getOperand(0));
          call("TMATMUL_ACC", Type(), {t, in, *a, *w});
        };
        bool direct = false;
        Value firstIv = acc ? getZeroAccumulatorPipeline(o->getOperand(0),
                                                         storage, direct, o)
                            : Value();
        if (!acc || direct) {
          call("TMATMUL", Type(), {t, *a, *w});
        } else if (firstIv) {
          // The accumulator starts at zero: the first iteration writes it.
          PipelineLoop &loop = loops[cast<BlockArgument>(firstIv)
                                         .getOwner()
                                         ->getParentOp()];
          Value first = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::eq, loop.iv, loop.lb);
          auto ifOp = scf::IfOp::create(b, loc, TypeRange(), first, true);
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
          call("TMATMUL", Type(), {t, *a, *w});
          b.setInsertionPoint(ifOp.elseBlock()->getTerminator());
          accumulate();
        } else {
          accumulate();
        }
        return success();
      })
      .Case([&](FillPadOp o) {
        // TFILLPAD(dst, src): src with the valid shape, dst the whole tile
        // with the pad value as its PadVal; in place when placed on the
        // source's bytes.
        bind(o.getResult());
        TileType type = o.getTileType();
        StringRef pad = o.getPad() == PadValue::zero  ? "Zero"
                        : o.getPad() == PadValue::min ? "Min"
                                                      : "Max";
        Value src = validTile(o.getSource(), o.getValidSize(0),
                              o.getValidSize(1));
        Value dst = validTile(o.getResult(), b.getIndexAttr(type.getRows()),
                              b.getIndexAttr(type.getCols()), pad);
        bool inPlace =
            storage.lookup(o.getSource()) == storage.lookup(o.getResult());
        call(inPlace ? "TFILLPAD_INPLACE" : "TFILLPAD", Type(), {dst, src});
        return success();
      })
      .Case<GetOp, SetOp>([&](Operation *o) {
        // One element on the scalar unit: Tile::GetValue / SetValue take
        // the element's offset in the tile's storage (row * row stride +
        // col; a column vector's elements are consecutive). EmitC has no
        // member calls: the call is an emitc.verbatim over the operands,
        // the value read lands in a variable.
        bool get = isa<GetOp>(o);
        Value tile = get ? o->getOperand(0) : o->getResult(0);
        if (!get) {
          Value dest = o->getOperand(1);
          if (storage.lookup(tile) == storage.lookup(dest)) {
            tileObj[tile] = obj(dest);
          } else {
            // The dest lives on: copy it (V), then hand over to the scalar
            // unit on the event id kept for this (PipeModel.h).
            bind(tile);
            call("TMOV", Type(), {row(tile), row(dest)});
            std::string event =
                "EVENT_ID" + std::to_string(getIntraOpEventId(target));
            for (StringRef fn : {"set_flag", "wait_flag"})
              call(fn, Type(), {},
                   {opaque("PIPE_V"), opaque("PIPE_S"), opaque(event)});
          }
        }
        auto type = cast<TileType>(tile.getType());
        Value r = map.lookupOrDefault(o->getOperand(get ? 1 : 2));
        Value c = map.lookupOrDefault(o->getOperand(get ? 2 : 3));
        Value off = r;
        if (type.getCols() > 1) {
          TileLayout l = getTileLayout(type.getRows(), type.getCols(),
                                       getElementBytes(type.getElementType()),
                                       BufferKind::UB, target);
          off = arith::AddIOp::create(
              b, loc, arith::MulIOp::create(b, loc, r, index(l.cols)), c);
        }
        Value offset = toSizeT(off);
        if (!get) {
          emitc::VerbatimOp::create(
              b, loc, b.getStringAttr("{}.SetValue({}, {});"),
              ValueRange{obj(tile), offset,
                         map.lookupOrDefault(o->getOperand(0))});
          return success();
        }
        Type elt = type.getElementType();
        Value var = emitc::VariableOp::create(
            b, loc, emitc::LValueType::get(elt), opaque(""));
        emitc::VerbatimOp::create(b, loc,
                                  b.getStringAttr("{} = {}.GetValue({});"),
                                  ValueRange{var, obj(tile), offset});
        map.map(o->getResult(0), emitc::LoadOp::create(b, loc, elt, var));
        return success();
      })
      .Case<YieldOp, AllocGmOp>([](Operation *) { return success(); })
      .Default([&](Operation *o) {
        return o->emitOpError("cannot run on the ")
               << target.name << " NPU: the pto back end does not lower it";
      });
}

LogicalResult KernelEmitter::emitScope(SpmdOp spmd, StringRef name) {
  // An AI Core entry point on the kernel's GM tensors (as bytes).
  Type bytePtr = emitc::PointerType::get(opaqueType("__gm__ uint8_t"));
  SmallVector<Type> argTypes(gmValues.size(), bytePtr);
  argTypes.append(hostLoops.size(), emitc::SizeTType::get(ctx()));
  b.setInsertionPoint(func);
  auto fn = emitc::FuncOp::create(b, func.getLoc(), name,
                                  b.getFunctionType(argTypes, {}));
  fn.setSpecifiersAttr(b.getStrArrayAttr({"__global__", "AICORE"}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  loc = spmd.getLoc();
  map.clear();
  tileObj.clear();
  rowView.clear();
  gmPtr.clear();
  loops.clear();
  for (auto [i, gm] : llvm::enumerate(gmValues)) {
    auto type = cast<MemRefType>(gm.getType());
    Type ptr = emitc::PointerType::get(
        opaqueType("__gm__ " + cppElement(type.getElementType())));
    gmPtr[gm] = emitc::CastOp::create(b, loc, ptr, entry->getArgument(i));
  }
  // The indices of the function-level loops around the scope arrive as
  // arguments; values defined before the spmd at function level (index
  // constants, arithmetic on those indices) are recomputed in each entry
  // point.
  for (auto [i, loop] : llvm::enumerate(hostLoops))
    map.map(loop.getInductionVar(),
            fromSizeT(entry->getArgument(gmValues.size() + i)));
  SmallVector<Operation *> chain;
  for (Operation *p = spmd; p && p != func.getOperation();
       p = p->getParentOp())
    chain.push_back(p);
  for (Operation *inner : llvm::reverse(chain)) {
    for (Operation &op : *inner->getBlock()) {
      if (&op == inner)
        break;
      // Only scalar computations: GM views are addressed through their
      // root.
      if (isa<SpmdOp, AllocGmOp>(op) || op.getNumRegions() != 0 ||
          op.hasTrait<OpTrait::IsTerminator>() ||
          llvm::any_of(op.getResultTypes(), llvm::IsaPred<MemRefType>))
        continue;
      if (failed(cloneArith(&op)))
        return failure();
    }
  }
  // for (b = get_block_idx(); b < N; b += get_block_num())
  Type sizeT = emitc::SizeTType::get(ctx());
  Value first = fromSizeT(call("get_block_idx", sizeT, {}));
  Value stride = fromSizeT(call("get_block_num", sizeT, {}));
  auto loop = scf::ForOp::create(b, loc, first, index(spmd.getBlocks()),
                                 stride);
  map.map(spmd.getBody().getArgument(0), loop.getInductionVar());
  {
    OpBuilder::InsertionGuard guard(b);
    enterBody(b, loop.getBody());
    if (failed(emitBlock(spmd.getBody().front())))
      return failure();
  }
  emitc::ReturnOp::create(b, loc, Value());
  return success();
}

LogicalResult KernelEmitter::run(
    SmallVectorImpl<ScopeKernel> &kernels,
    SmallVectorImpl<MemRefType> &gmTypes,
    SmallVectorImpl<std::string> &gmNames,
    SmallVectorImpl<HostStep> &host) {
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || cppElement(type.getElementType()).empty())
      return func.emitOpError("cannot run on the ")
             << target.name << " NPU: argument #" << arg.getArgNumber()
             << " is not a GM tensor of f32, f16, bf16, i8 or i32";
    gmValues.push_back(arg);
    gmTypes.push_back(type);
    gmNames.push_back(("arg" + Twine(arg.getArgNumber())).str());
  }
  WalkResult allocs = func.walk([&](AllocGmOp alloc) {
    if (cppElement(alloc.getType().getElementType()).empty()) {
      alloc.emitOpError("cannot run on the ")
          << target.name << " NPU: GM scratch of element type "
          << alloc.getType().getElementType();
      return WalkResult::interrupt();
    }
    gmValues.push_back(alloc.getResult());
    gmTypes.push_back(alloc.getType());
    gmNames.push_back(alloc.getName() ? alloc.getName()->str()
                                      : "scratch" + std::to_string(
                                                        gmNames.size()));
    return WalkResult::advance();
  });
  if (allocs.wasInterrupted())
    return failure();
  return emitHostBlock(func.getBody().front(), kernels, host);
}

LogicalResult
KernelEmitter::emitHostBlock(Block &block,
                             SmallVectorImpl<ScopeKernel> &kernels,
                             SmallVectorImpl<HostStep> &host) {
  for (Operation &op : block) {
    if (auto spmd = dyn_cast<SpmdOp>(op)) {
      std::string name =
          (func.getSymName() + "_s" + Twine(kernels.size())).str();
      if (spmd.getSymName())
        name += "_" + spmd.getScopeName().str();
      for (char &c : name)
        if (!llvm::isAlnum(c) && c != '_')
          c = '_';
      if (failed(emitScope(spmd, name)))
        return failure();
      bool cube = false;
      spmd.walk([&](AtOp at) { cube |= at.getKind() == CoreKind::cube; });
      HostStep launch{HostStep::Launch};
      launch.kernel = kernels.size();
      host.push_back(launch);
      kernels.push_back({name, spmd.getBlocks(),
                         cube ? target.cubeCores : target.vectorCores,
                         static_cast<unsigned>(hostLoops.size())});
      continue;
    }
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      // The launch sequence loops on the host: bounds known when it is
      // written, no values carried.
      std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()),
                             ub = getConstantIntValue(loop.getUpperBound()),
                             step = getConstantIntValue(loop.getStep());
      if (!lb || !ub || !step || *step <= 0 || loop.getNumResults() != 0)
        return loop.emitOpError("cannot run on the ")
               << target.name
               << " NPU: a loop around the scopes needs compile-time bounds "
                  "and carries no values there (the launch sequence runs "
                  "it); the CPU simulation runs it";
      host.push_back({HostStep::LoopBegin, *lb, *ub, *step});
      hostLoops.push_back(loop);
      LogicalResult body = emitHostBlock(*loop.getBody(), kernels, host);
      hostLoops.pop_back();
      if (failed(body))
        return failure();
      host.push_back({HostStep::LoopEnd});
      continue;
    }
    // Index arithmetic (recomputed in the kernels that use it), views of
    // GM tensors (addressed through their root) and other side-effect-free
    // ops run nowhere on the host.
    if (isa<AllocGmOp>(op) || op.hasTrait<OpTrait::IsTerminator>() ||
        (op.getNumRegions() == 0 &&
         (isa<arith::ArithDialect>(op.getDialect()) ||
          isMemoryEffectFree(&op))))
      continue;
    return op.emitOpError("cannot run on the ")
           << target.name
           << " NPU: the launch sequence runs scopes and loops with "
              "compile-time bounds around them, not this op at function "
              "level (a value read at run time, an `if` around scopes); "
              "the CPU simulation runs it";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

/// The host side: the size table of the GM tensors, the CPU entry that runs
/// every scope in order, and the NPU launch stub (`<<<...>>>` is not C++,
/// so this part is printed verbatim).
void emitHost(OpBuilder &b, Location loc, StringRef kernel,
              ArrayRef<ScopeKernel> kernels, ArrayRef<HostStep> host,
              ArrayRef<MemRefType> gmTypes, ArrayRef<std::string> gmNames) {
  auto line = [&](const Twine &text) {
    emitc::VerbatimOp::create(b, loc, b.getStringAttr(text));
  };
  std::string sizes, args;
  for (auto [i, type] : llvm::enumerate(gmTypes)) {
    int64_t bytes = type.getNumElements() *
                    tile::getElementBytes(type.getElementType());
    sizes += (i ? ", " : "") + std::to_string(bytes) + "ull";
    args += (i ? ", " : "") + ("args[" + Twine(i) + "]").str();
  }
  line("// GM tensors, in argument order: " + llvm::join(gmNames, ", ") +
       " (kernel arguments, then tile.alloc_gm scratch the caller allocates)");
  line("extern \"C\" const int " + kernel + "_num_gm = " +
       Twine(gmTypes.size()) + ";");
  line("extern \"C\" const unsigned long long " + kernel + "_gm_bytes[] = {" +
       sizes + "};");
  line("#if defined(__CPU_SIM) || defined(TESSEL_PTO_REFERENCE)");
  line("// Runs every scope in order on the CPU (each loops over its blocks).");
  // The launch sequence: function-level loops (host side) around scopes.
  auto sequence = [&](bool device) {
    unsigned depth = 0;
    for (const HostStep &s : host) {
      std::string indent(2 * (depth + 1), ' ');
      switch (s.kind) {
      case HostStep::LoopBegin: {
        std::string i = "i" + std::to_string(depth);
        line(indent + "for (int64_t " + i + " = " + Twine(s.lb) + "; " + i +
             " < " + Twine(s.ub) + "; " + i + " += " + Twine(s.step) + ") {");
        ++depth;
        break;
      }
      case HostStep::LoopEnd:
        --depth;
        line(std::string(2 * (depth + 1), ' ') + "}");
        break;
      case HostStep::Launch: {
        const ScopeKernel &k = kernels[s.kernel];
        std::string call = args;
        for (unsigned i = 0; i < k.loopArgs; ++i)
          call += ", (size_t)i" + std::to_string(i);
        // On the CPU, TESSEL_SCOPE(k) may skip scope k (the reference's
        // mutation test runs only the scope of the synchronisation it drops).
        line(indent +
             (device ? Twine("")
                     : "if (TESSEL_SCOPE(" + Twine(s.kernel) + ")) ") +
             k.name +
             (device ? "<<<" + Twine(std::min(k.blocks, k.cores)) +
                           ", nullptr, stream>>>"
                     : Twine("")) +
             "(" + call + ");");
        break;
      }
      }
    }
  };
  line("extern \"C\" void " + kernel + "_cpu(uint8_t** args) {");
  sequence(/*device=*/false);
  line("}");
  line("#else");
  line("// Launches every scope in order on one stream; the grid is capped at "
       "the core count, each core loops over its blocks.");
  line("extern \"C\" void " + kernel +
       "_launch(void* stream, uint8_t** args) {");
  sequence(/*device=*/true);
  line("}");
  line("#endif");
}

struct ConvertTileToEmitCPass
    : public tessel::impl::ConvertTileToEmitCBase<ConvertTileToEmitCPass> {
  using ConvertTileToEmitCBase::ConvertTileToEmitCBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs;
    module.walk([&](func::FuncOp f) {
      bool hasSpmd = false;
      f.walk([&](SpmdOp) { hasSpmd = true; });
      if (hasSpmd)
        funcs.push_back(f);
    });
    bool failedAny = false;
    for (func::FuncOp f : funcs) {
      if (!f->hasAttr("tile.placed")) {
        f.emitOpError("needs placed, synchronised IR: run "
                      "tile-npu-pipeline and tile-insert-sync first");
        failedAny = true;
        continue;
      }
      bool synced = true;
      f.walk([&](AtOp at) { synced &= at->hasAttr("tile.syncs"); });
      if (!synced) {
        f.emitOpError("needs synchronised IR: run tile-insert-sync first");
        failedAny = true;
      }
    }
    if (failedAny)
      return signalPassFailure();

    OpBuilder b(module.getContext());
    b.setInsertionPointToStart(module.getBody());
    Location loc = module.getLoc();
    // pto-isa's headers use the fixed-width integer types without
    // including <cstdint> themselves.
    auto cstdint =
        emitc::IncludeOp::create(b, loc, "cstdint", /*isStandard=*/true);
    emitc::IncludeOp::create(b, loc, "pto/pto-inst.hpp", /*isStandard=*/true);
    auto line = [&](StringRef text) {
      emitc::VerbatimOp::create(b, loc, b.getStringAttr(text));
    };
    line("using namespace pto;");
    line("#ifndef TESSEL_LOC");
    line("#define TESSEL_LOC(file, line, col)");
    line("#endif");
    line("#ifndef TESSEL_SYNC");
    line("#define TESSEL_SYNC(id)");
    line("#endif");
    line("#ifndef TESSEL_SCOPE");
    line("#define TESSEL_SCOPE(index) 1");
    line("#endif");

    for (func::FuncOp f : funcs) {
      FailureOr<TileStorageMap> storage = TileStorageMap::compute(f);
      if (failed(storage))
        return signalPassFailure();
      SmallVector<ScopeKernel> kernels;
      SmallVector<MemRefType> gmTypes;
      SmallVector<std::string> gmNames;
      SmallVector<HostStep> host;
      KernelEmitter emitter(f, *storage);
      if (failed(emitter.run(kernels, gmTypes, gmNames, host)))
        return signalPassFailure();
      OpBuilder hb(f);
      emitHost(hb, f.getLoc(), f.getSymName(), kernels, host, gmTypes,
               gmNames);
      f.erase();
    }

    // Index arithmetic and loops: upstream's conversions to EmitC.
    ConversionTarget target(getContext());
    target.addLegalDialect<emitc::EmitCDialect>();
    target.addIllegalDialect<arith::ArithDialect, math::MathDialect,
                             scf::SCFDialect>();
    TypeConverter converter;
    converter.addConversion([](Type t) { return t; });
    populateEmitCSizeTTypeConversions(converter);
    RewritePatternSet patterns(&getContext());
    populateArithToEmitCPatterns(converter, patterns);
    populateConvertMathToEmitCPatterns(patterns,
                                       emitc::LanguageTarget::cpp11);
    populateSCFToEmitCConversionPatterns(patterns, converter);
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    SmallVector<UnrealizedConversionCastOp> casts;
    module.walk([&](UnrealizedConversionCastOp c) { casts.push_back(c); });
    SmallVector<UnrealizedConversionCastOp> remaining;
    reconcileUnrealizedCasts(casts, &remaining);
    for (UnrealizedConversionCastOp c : remaining) {
      c.emitOpError("index value left between EmitC types after lowering");
      return signalPassFailure();
    }
    // Scalar rounding (std::floor, std::ceil, std::round, std::nearbyint).
    bool usesCmath = false;
    module.walk([&](emitc::CallOpaqueOp call) {
      usesCmath |= call.getCallee().starts_with("std::");
    });
    if (usesCmath) {
      b.setInsertionPointAfter(cstdint);
      emitc::IncludeOp::create(b, loc, "cmath", /*isStandard=*/true);
    }
    // Every C++ local must be used (kernels compile with -Wall -Werror):
    // drop unused constants, casts and arithmetic, which EmitC does not mark
    // free of side effects.
    bool changed = true;
    while (changed) {
      changed = false;
      module.walk<WalkOrder::PostOrder>([&](Operation *op) {
        if (op->getNumResults() == 0 || !op->use_empty() ||
            !isa<emitc::ConstantOp, emitc::CastOp, emitc::AddOp, emitc::SubOp,
                 emitc::MulOp, emitc::DivOp, emitc::RemOp, emitc::CmpOp,
                 emitc::ConditionalOp, emitc::LiteralOp>(op))
          return;
        op->erase();
        changed = true;
      });
    }
  }
};

} // namespace
