//===- FormScopes.cpp - Tensor-level graph -> tile scopes -----------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// tile-form-scopes: a function on ranked static 2-D tensors in upstream
// dialects (linalg.generic / linalg.matmul / linalg.fill, tensor slices,
// inserts and reshapes, arith and math in the generic bodies; what
// tessel.graph emits from a torch.export graph, docs/graph.md) becomes a
// tile-dialect kernel on memrefs:
//
//  - Materialisation: the values that must live in GM are the function's
//    results, every matmul's result and operands, and the source of every
//    reshape that changes the row structure. Each gets a GM tensor (an
//    output argument or a tile.alloc_gm) and one scope that computes it.
//  - A matmul becomes a core_group scope over (M / MB) x (N / NB) blocks
//    with a K loop of KB steps accumulating in L0C; NB and KB are chosen
//    from the L0A / L0B / L0C capacities and the modelled makespan
//    (the per-pipe model, tessel/Analysis/ScheduleCost.h).
//  - Any other materialised value becomes a vector scope of one row per
//    block (the token rows tile-tile-scopes later widens). Its row is
//    computed by walking the producer graph back to GM values: elementwise
//    generics, row reductions and column slices / inserts are evaluated on
//    the row's column pieces (cut where a concatenation or an interleave
//    changes source; chunked to fit UB, as placement measures it), so
//    chains along the same rows fuse into the scope and are recomputed
//    rather than staged in GM. A value computed column by column is also
//    split into column blocks (at most kMaxBlockColumns wide, and enough
//    of them to give every vector core a block). A scope that reads an
//    operand at row `row floordiv D` (heads of a reshape against a
//    per-token table), whose rows tile-tile-scopes cannot stack, takes R
//    rows per block here: [R, w] tiles, the broadcast operand one row per
//    block; R by the per-pipe model among the widths that fit UB.
//
// Every decision is a remark on the scope; anything outside this subset is
// an error at the op's location naming the op.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/GmTraffic.h"
#include "tessel/Analysis/ScheduleCost.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Support/Remarks.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Transforms/LoopUtils.h"
#include "tessel/Transforms/Passes.h"
#include "tile/TileOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SetVector.h"

#include <limits>
#include <map>
#include <set>

#define DEBUG_TYPE "tile-form-scopes"

namespace tessel {
#define GEN_PASS_DEF_TILEFORMSCOPES
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

//===----------------------------------------------------------------------===//
// The supported tensor-level subset
//===----------------------------------------------------------------------===//

/// How a generic's input is indexed by the (row, column) iteration space.
enum class Bcast { Full, Row, Col, Scalar };

/// 2-D static ranked tensor shape of `v`, or none.
static std::optional<std::pair<int64_t, int64_t>> shape2D(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() != 2 || !t.hasStaticShape())
    return std::nullopt;
  return std::make_pair(t.getDimSize(0), t.getDimSize(1));
}

/// How an input is indexed: `kind`, with the row index divided by `div`
/// (`(d0 floordiv div, ...)`: a tensor broadcast over a middle dimension,
/// such as RoPE tables [T, 1, D] against heads [T, H, D] seen as 2-D).
struct Access {
  Bcast kind;
  int64_t div = 1;
  bool operator==(Bcast k) const { return kind == k; }
  bool operator!=(Bcast k) const { return kind != k; }
};

static std::optional<Access> classifyMap(AffineMap map, Value operand) {
  if (map.getNumDims() != 2 || map.getNumResults() != 2)
    return std::nullopt;
  auto s = shape2D(operand);
  if (!s)
    return std::nullopt;
  auto isDim = [](AffineExpr e, unsigned d) {
    auto de = dyn_cast<AffineDimExpr>(e);
    return de && de.getPosition() == d;
  };
  auto isZero = [](AffineExpr e) {
    auto c = dyn_cast<AffineConstantExpr>(e);
    return c && c.getValue() == 0;
  };
  AffineExpr r = map.getResult(0), c = map.getResult(1);
  int64_t div = 1;
  if (auto bin = dyn_cast<AffineBinaryOpExpr>(r))
    if (bin.getKind() == AffineExprKind::FloorDiv && isDim(bin.getLHS(), 0))
      if (auto d = dyn_cast<AffineConstantExpr>(bin.getRHS()))
        if (d.getValue() > 0) {
          div = d.getValue();
          r = bin.getLHS();
        }
  if (isDim(r, 0) && isDim(c, 1))
    return Access{Bcast::Full, div};
  if (isDim(r, 0) && isZero(c) && s->second == 1)
    return Access{Bcast::Row, div};
  if (div == 1 && isZero(r) && isDim(c, 1) && s->first == 1)
    return Access{Bcast::Col};
  if (div == 1 && isZero(r) && isZero(c) && s->first == 1 && s->second == 1)
    return Access{Bcast::Scalar};
  return std::nullopt;
}

static bool isFloat(Type t) { return isa<FloatType>(t); }

/// Whether `op` may appear in a generic body.
static bool isSupportedBodyOp(Operation *op) {
  return isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
             arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
             arith::MinNumFOp, arith::NegFOp, arith::ExtFOp, arith::TruncFOp,
             arith::ConstantOp, math::AbsFOp, math::SqrtOp, math::RsqrtOp,
             math::ExpOp, math::RoundEvenOp, arith::FPToSIOp,
             arith::SIToFPOp, arith::TruncIOp, arith::ExtSIOp,
             linalg::YieldOp>(op);
}

/// Conversions between integers and floats: integers are carried as exact
/// f32 values inside a scope.
static bool isIntConversion(Operation *op) {
  return isa<arith::FPToSIOp, arith::SIToFPOp, arith::TruncIOp,
             arith::ExtSIOp>(op);
}

/// The kind of a generic: elementwise (all parallel) or a row reduction
/// ([parallel, reduction], output (d0, 0)).
enum class GenericKind { Elementwise, RowReduce };

static FailureOr<GenericKind> checkGeneric(linalg::GenericOp g) {
  auto fail = [&](const Twine &why) {
    g.emitError("tile-form-scopes: unsupported linalg.generic: ") << why;
    return failure();
  };
  if (g.getNumDpsInits() != 1 || g->getNumResults() != 1)
    return fail("expected one output");
  auto iters = g.getIteratorTypesArray();
  if (iters.size() != 2)
    return fail("expected a 2-D iteration space");
  GenericKind kind;
  if (iters[0] == utils::IteratorType::parallel &&
      iters[1] == utils::IteratorType::parallel)
    kind = GenericKind::Elementwise;
  else if (iters[0] == utils::IteratorType::parallel &&
           iters[1] == utils::IteratorType::reduction)
    kind = GenericKind::RowReduce;
  else
    return fail("only elementwise ops and reductions along the last "
                "dimension are supported");
  for (OpOperand *in : g.getDpsInputOperands()) {
    auto b = classifyMap(g.getMatchingIndexingMap(in), in->get());
    if (!b)
      return fail("input indexing map is not the identity or a broadcast of "
                  "a size-1 row or column");
    if (kind == GenericKind::RowReduce && (b->kind != Bcast::Full || b->div != 1))
      return fail("a reduction's input must be indexed by the identity");
  }
  OpOperand *init = g.getDpsInitOperand(0);
  auto outMap = g.getMatchingIndexingMap(init);
  auto ob = classifyMap(outMap, init->get());
  if (kind == GenericKind::Elementwise &&
      (!ob || ob->kind != Bcast::Full || ob->div != 1))
    return fail("output indexing map must be the identity");
  if (kind == GenericKind::RowReduce &&
      (!ob || ob->kind != Bcast::Row || ob->div != 1))
    return fail("a reduction's output must be (d0, d1) -> (d0, 0)");
  Block &body = g.getRegion().front();
  for (Operation &op : body) {
    if (!isSupportedBodyOp(&op))
      return fail(Twine("body op '") + op.getName().getStringRef() +
                  "' has no tile equivalent");
    for (Type t : op.getResultTypes())
      if (!isFloat(t) && !isIntConversion(&op) && !isa<linalg::YieldOp>(op))
        return fail("integer arithmetic in a generic body is not supported "
                    "(only conversions)");
  }
  if (kind == GenericKind::Elementwise &&
      !body.getArgument(body.getNumArguments() - 1).use_empty())
    return fail("an elementwise generic must not read its output");
  if (kind == GenericKind::RowReduce) {
    if (body.getOperations().size() != 2 ||
        !isa<arith::AddFOp, arith::MaximumFOp, arith::MaxNumFOp>(
            body.front()))
      return fail("a reduction body must be one arith.addf or "
                  "arith.maximumf");
  }
  return kind;
}

/// The value of a splat fill, if `v` is `linalg.fill` of a constant.
/// Whether `mm` reads its rhs stored [N, K]: the maps (d0, d2), (d1, d2),
/// (d0, d1) of C[m, n] += A[m, k] * B[n, k] (torch's `x @ w.t()`).
static bool hasTransposedRhs(linalg::MatmulOp mm) {
  if (!mm.hasUserDefinedMaps())
    return false;
  MLIRContext *ctx = mm.getContext();
  AffineExpr d0, d1, d2;
  bindDims(ctx, d0, d1, d2);
  SmallVector<AffineMap> want = {
      AffineMap::get(3, 0, {d0, d2}, ctx), AffineMap::get(3, 0, {d1, d2}, ctx),
      AffineMap::get(3, 0, {d0, d1}, ctx)};
  return mm.getIndexingMapsArray() == want;
}

static std::optional<double> getFillConstant(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  if (!fill)
    return std::nullopt;
  auto cst = fill.getInputs()[0].getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return std::nullopt;
  if (auto f = dyn_cast<FloatAttr>(cst.getValue()))
    return f.getValueAsDouble();
  if (auto i = dyn_cast<IntegerAttr>(cst.getValue()))
    return (double)i.getInt();
  return std::nullopt;
}

static int64_t elementBytes(Type t) {
  return std::max<int64_t>(1, t.getIntOrFloatBitWidth() / 8);
}

/// A scope's name from the op's location ("name"(...)), else `fallback`.
static std::string scopeNameOf(Operation *op, StringRef fallback) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return fallback.str();
}

//===----------------------------------------------------------------------===//
// A tile value while a row is evaluated
//===----------------------------------------------------------------------===//

/// `tile` is f32. Full: [R, w], the block's rows' columns (R = `nrows`,
/// the rows a block evaluates; 1 for one row per block). RowScal: [R, 1],
/// each row's scalar. ColVec: [1, w], the same in every row. A constant
/// splat has no tile.
struct TV {
  enum Kind { Full, RowScal, ColVec, Const } kind = Const;
  Value tile;
  double constant = 0;
};

class Former {
public:
  Former(func::FuncOp func, const TargetInfo &target)
      : func(func), target(target) {}

  LogicalResult run();

private:
  LogicalResult checkBody();
  LogicalResult emitVectorScope(Value v, Value dst, Operation *at);
  LogicalResult emitMatmulScope(linalg::MatmulOp mm, Value dst);
  LogicalResult emitView(Operation *op);
  LogicalResult buildRow(Value v, Value dst, int64_t chunk, int64_t nCol,
                         int64_t rowsPerBlock, SpmdOp &spmd, int64_t &pieces);
  /// Marks the scope being built as not expressible with several rows per
  /// block (the caller then keeps one row); a failure without a diagnostic.
  LogicalResult notRowwise(StringRef why) {
    if (rowsWhy.empty())
      rowsWhy = why.str();
    return failure();
  }
  bool isColumnwise(Value v);

  // Column cut points of `v` inside (c0, c1).
  LogicalResult cuts(Value v, int64_t c0, int64_t c1, std::set<int64_t> &out);
  // The tile of row `row` (index value), columns [c0, c1) of `v`.
  FailureOr<TV> eval(Value v, Value row, int64_t c0, int64_t c1);
  FailureOr<TV> evalGeneric(linalg::GenericOp g, Value row, int64_t c0,
                            int64_t c1);
  FailureOr<TV> evalReduce(linalg::GenericOp g, Value row);

  Value index(int64_t i);
  Value f32(double x);
  Value ones(int64_t w);
  Value toFull(const TV &t, int64_t w);
  Value round(Value tile, Type narrow);
  Value loadF32(Value mem, Value row, int64_t c0, int64_t w);
  static int64_t rowsOf(Value tile) {
    return cast<TileType>(tile.getType()).getShape()[0];
  }
  FailureOr<TV> binary(Operation *op, const TV &a, const TV &b, int64_t w);
  /// The tile op of the arith binary `op` on `x` and `y` (same type).
  Value createElementwise(Operation *op, Value x, Value y);
  FailureOr<TV> unary(Operation *op, const TV &a, int64_t w);
  TileType tileType(int64_t r, int64_t c, Type e) {
    return TileType::get({r, c}, e);
  }

  func::FuncOp func;
  const TargetInfo &target;
  func::FuncOp newFunc;
  OpBuilder b{(MLIRContext *)nullptr};
  Location loc = UnknownLoc::get(func.getContext());
  /// Tensor value -> the memref holding it.
  DenseMap<Value, Value> gm;
  /// Where constants go (the new function's entry).
  Block *entry = nullptr;
  DenseMap<std::pair<Type, Attribute>, Value> constants;
  /// Per-scope memo of evaluated pieces.
  std::map<std::tuple<void *, void *, int64_t, int64_t, void *, int64_t>, TV>
      memo;
  int64_t evaluatedOps = 0;
  /// Column chunk of rows and reductions (0: whole rows).
  int64_t reductionChunk = 0;
  /// The widest piece evaluated while building a scope.
  int64_t widest = 0;
  /// The stored value's columns and piece boundaries in the current scope.
  int64_t scopeCols = 0;
  std::set<int64_t> scopeCuts;
  /// The first column of the block's column range (null: 0), added to the
  /// column of every load on the columnwise path.
  Value colBase;
  unsigned scopeCounter = 0;
  /// Rows of a Full tile in the evaluation under way: the block's rows, or
  /// 1 while a per-column operand (the same row for every row of the
  /// block) is evaluated.
  int64_t nrows = 1;
  /// Whether the scope being built reads an operand at row `row floordiv
  /// D` (D > 1): rows of a reshape, which tile-tile-scopes cannot widen.
  bool sawRowDiv = false;
  /// Why the scope being built cannot take several rows per block.
  std::string rowsWhy;
};

Value Former::index(int64_t i) {
  auto key = std::make_pair(b.getIndexType(), (Attribute)b.getIndexAttr(i));
  if (Value v = constants.lookup(key))
    return v;
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(entry);
  Value v = arith::ConstantIndexOp::create(b, loc, i);
  constants[key] = v;
  return v;
}

Value Former::f32(double x) {
  auto key = std::make_pair((Type)b.getF32Type(),
                            (Attribute)b.getF32FloatAttr((float)x));
  if (Value v = constants.lookup(key))
    return v;
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(entry);
  Value v = arith::ConstantOp::create(b, loc, b.getF32FloatAttr((float)x));
  constants[key] = v;
  return v;
}

Value Former::ones(int64_t w) {
  return FullOp::create(b, loc, tileType(nrows, w, b.getF32Type()),
                        b.getF32FloatAttr(1.0f));
}

Value Former::toFull(const TV &t, int64_t w) {
  switch (t.kind) {
  case TV::Full:
    return t.tile;
  case TV::Const:
    return FullOp::create(b, loc, tileType(nrows, w, b.getF32Type()),
                          b.getF32FloatAttr((float)t.constant));
  case TV::RowScal:
    if (w == 1)
      return t.tile;
    return RowExpandMulOp::create(b, loc, tileType(nrows, w, b.getF32Type()),
                                  ones(w), t.tile);
  case TV::ColVec:
    return ColExpandMulOp::create(b, loc, tileType(nrows, w, b.getF32Type()),
                                  ones(w), t.tile);
  }
  llvm_unreachable("kind");
}

/// Rounds an f32 tile to `narrow` (bf16 / f16), round to nearest even, and
/// widens it back: the value a torch op on `narrow` tensors produces.
Value Former::round(Value tile, Type narrow) {
  auto tt = cast<TileType>(tile.getType());
  Value n = CastOp::create(b, loc, tileType(tt.getShape()[0], tt.getShape()[1], narrow),
                           tile, RoundMode::rint);
  return CastOp::create(b, loc, tt, n, RoundMode::none);
}

Value Former::loadF32(Value mem, Value row, int64_t c0, int64_t w) {
  auto mt = cast<MemRefType>(mem.getType());
  Type e = mt.getElementType();
  Value col = index(c0);
  if (colBase)
    col = c0 ? (Value)arith::AddIOp::create(b, loc, colBase, col) : colBase;
  Value t = LoadOp::create(b, loc, tileType(nrows, w, e), mem,
                           ValueRange{row, col});
  if (e.isF32())
    return t;
  if (e.isBF16() || e.isF16())
    return CastOp::create(b, loc, tileType(nrows, w, b.getF32Type()), t,
                          RoundMode::none);
  if (e.isInteger(32))
    return CastOp::create(b, loc, tileType(nrows, w, b.getF32Type()), t,
                          RoundMode::none);
  if (e.isInteger(8)) {
    Value h = CastOp::create(b, loc, tileType(nrows, w, b.getF16Type()), t,
                             RoundMode::none);
    return CastOp::create(b, loc, tileType(nrows, w, b.getF32Type()), h,
                          RoundMode::none);
  }
  return Value();
}

//===----------------------------------------------------------------------===//
// Checking the input
//===----------------------------------------------------------------------===//

LogicalResult Former::checkBody() {
  for (BlockArgument a : func.getArguments())
    if (!shape2D(a))
      return func.emitError("tile-form-scopes: argument #")
             << a.getArgNumber() << " must be a static 2-D tensor, found "
             << a.getType();
  for (Type t : func.getResultTypes())
    if (!isa<RankedTensorType>(t) || cast<RankedTensorType>(t).getRank() != 2 ||
        !cast<RankedTensorType>(t).hasStaticShape())
      return func.emitError("tile-form-scopes: results must be static 2-D "
                            "tensors, found ")
             << t;
  WalkResult r = func.getBody().walk<WalkOrder::PreOrder>(
      [&](Operation *op) -> WalkResult {
        if (isa<func::ReturnOp, arith::ConstantOp, tensor::EmptyOp>(op))
          return WalkResult::advance();
        if (auto g = dyn_cast<linalg::GenericOp>(op))
          return failed(checkGeneric(g)) ? WalkResult::interrupt()
                                         : WalkResult::skip();
        if (auto fill = dyn_cast<linalg::FillOp>(op)) {
          if (!getFillConstant(fill.getResult(0))) {
            fill.emitError("tile-form-scopes: linalg.fill must fill a "
                           "constant");
            return WalkResult::interrupt();
          }
          return WalkResult::skip();
        }
        if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
          if (mm.hasUserDefinedMaps() && !hasTransposedRhs(mm)) {
            mm.emitError("tile-form-scopes: linalg.matmul with indexing maps "
                         "other than the default or a transposed rhs "
                         "(d0, d1, d2) -> (d1, d2) is not supported");
            return WalkResult::interrupt();
          }
          auto init = getFillConstant(mm.getDpsInitOperand(0)->get());
          if (!init || *init != 0) {
            mm.emitError("tile-form-scopes: linalg.matmul must accumulate "
                         "into a zero linalg.fill");
            return WalkResult::interrupt();
          }
          Type ea = getElementTypeOrSelf(mm.getInputs()[0].getType());
          Type eb = getElementTypeOrSelf(mm.getInputs()[1].getType());
          Type ec = getElementTypeOrSelf(mm.getResult(0).getType());
          bool ok = (ea == eb) &&
                    ((ea.isBF16() || ea.isF16() || ea.isF32()) ? ec.isF32()
                     : ea.isInteger(8) ? ec.isInteger(32)
                                       : false);
          if (!ok) {
            mm.emitError("tile-form-scopes: the cube multiplies bf16, f16 or "
                         "f32 operands into f32, or i8 into i32; found ")
                << ea << " x " << eb << " -> " << ec;
            return WalkResult::interrupt();
          }
          return WalkResult::skip();
        }
        if (auto s = dyn_cast<tensor::ExtractSliceOp>(op)) {
          if (!shape2D(s.getSource()) || !shape2D(s.getResult()) ||
              !s.hasUnitStride() && s.getStaticStrides()[0] != 1) {
            s.emitError("tile-form-scopes: tensor.extract_slice must take a "
                        "2-D slice of a 2-D tensor with unit row stride");
            return WalkResult::interrupt();
          }
          for (int64_t x : llvm::concat<const int64_t>(
                   s.getStaticOffsets(), s.getStaticSizes(),
                   s.getStaticStrides()))
            if (ShapedType::isDynamic(x)) {
              s.emitError("tile-form-scopes: dynamic slice");
              return WalkResult::interrupt();
            }
          int64_t stride = s.getStaticStrides()[1];
          if (stride != 1 && stride != 2) {
            s.emitError("tile-form-scopes: column stride ")
                << stride << " (only 1, or 2 for even/odd columns)";
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        }
        if (auto s = dyn_cast<tensor::InsertSliceOp>(op)) {
          auto ds = shape2D(s.getDest());
          auto ss = shape2D(s.getSource());
          if (!ds || !ss) {
            s.emitError("tile-form-scopes: tensor.insert_slice must insert a "
                        "2-D tensor into a 2-D tensor");
            return WalkResult::interrupt();
          }
          for (int64_t x : llvm::concat<const int64_t>(
                   s.getStaticOffsets(), s.getStaticSizes(),
                   s.getStaticStrides()))
            if (ShapedType::isDynamic(x)) {
              s.emitError("tile-form-scopes: dynamic slice");
              return WalkResult::interrupt();
            }
          if (s.getStaticOffsets()[0] != 0 || ss->first != ds->first ||
              s.getStaticStrides()[0] != 1) {
            s.emitError("tile-form-scopes: tensor.insert_slice must cover "
                        "every row (concatenation along rows is not "
                        "supported)");
            return WalkResult::interrupt();
          }
          int64_t stride = s.getStaticStrides()[1];
          if (stride != 1 && stride != 2) {
            s.emitError("tile-form-scopes: column stride ")
                << stride << " (only 1, or 2 for even/odd columns)";
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        }
        if (isa<tensor::CollapseShapeOp>(op)) {
          auto c = cast<tensor::CollapseShapeOp>(op);
          if (!shape2D(c.getSrc()) || c.getResultType().getRank() != 1 ||
              !c.getResult().hasOneUse() ||
              !isa<tensor::ExpandShapeOp>(*c.getResult().user_begin())) {
            op->emitError("tile-form-scopes: a reshape must be "
                          "tensor.collapse_shape of a 2-D tensor to 1-D "
                          "followed by tensor.expand_shape to 2-D");
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        }
        if (auto e = dyn_cast<tensor::ExpandShapeOp>(op)) {
          if (!e.getSrc().getDefiningOp<tensor::CollapseShapeOp>() ||
              !shape2D(e.getResult())) {
            op->emitError("tile-form-scopes: a reshape must be "
                          "tensor.collapse_shape of a 2-D tensor to 1-D "
                          "followed by tensor.expand_shape to 2-D");
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        }
        op->emitError("tile-form-scopes: unsupported op '")
            << op->getName() << "' in a tensor-level function";
        return WalkResult::interrupt();
      });
  return failure(r.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Column cuts and row evaluation
//===----------------------------------------------------------------------===//

LogicalResult Former::cuts(Value v, int64_t c0, int64_t c1,
                           std::set<int64_t> &out) {
  if (gm.count(v))
    return success();
  auto s = shape2D(v);
  if (!s || s->second == 1)
    return success();
  Operation *def = v.getDefiningOp();
  if (!def || isa<linalg::FillOp, tensor::EmptyOp>(def))
    return success();
  if (auto g = dyn_cast<linalg::GenericOp>(def)) {
    if (*checkGeneric(g) == GenericKind::RowReduce)
      return success();
    for (OpOperand *in : g.getDpsInputOperands()) {
      Access bc = *classifyMap(g.getMatchingIndexingMap(in), in->get());
      if (bc == Bcast::Full || bc == Bcast::Col)
        if (failed(cuts(in->get(), c0, c1, out)))
          return failure();
    }
    return success();
  }
  if (auto es = dyn_cast<tensor::ExtractSliceOp>(def)) {
    int64_t o = es.getStaticOffsets()[1], st = es.getStaticStrides()[1];
    std::set<int64_t> inner;
    if (failed(cuts(es.getSource(), o + st * c0, o + st * c1, inner)))
      return failure();
    for (int64_t x : inner) {
      if ((x - o) % st != 0)
        return es.emitError("tile-form-scopes: a strided slice crosses a "
                            "column boundary of its source at column ")
               << x;
      out.insert((x - o) / st);
    }
    return success();
  }
  if (auto is = dyn_cast<tensor::InsertSliceOp>(def)) {
    int64_t o = is.getStaticOffsets()[1], st = is.getStaticStrides()[1];
    int64_t n = is.getStaticSizes()[1];
    int64_t end = o + st * (n - 1) + 1;
    if (st == 1) {
      if (o > c0 && o < c1)
        out.insert(o);
      if (end > c0 && end < c1)
        out.insert(end);
      int64_t lo = std::max(c0, o), hi = std::min(c1, end);
      if (lo < hi) {
        std::set<int64_t> inner;
        if (failed(cuts(is.getSource(), lo - o, hi - o, inner)))
          return failure();
        for (int64_t x : inner)
          out.insert(x + o);
      }
      // The destination outside the slice.
      std::set<int64_t> d;
      if (failed(cuts(is.getDest(), c0, c1, d)))
        return failure();
      for (int64_t x : d)
        if (x <= o || x >= end)
          out.insert(x);
      return success();
    }
    // Stride 2: the slice covers every other column of [o, end); pieces
    // start and end on even columns around it.
    int64_t lo = o - (o % 2), hi = end + (end % 2);
    if (lo > c0 && lo < c1)
      out.insert(lo);
    if (hi > c0 && hi < c1)
      out.insert(hi);
    int64_t a = std::max(c0, lo), z = std::min(c1, hi);
    if (a < z) {
      std::set<int64_t> inner;
      int64_t k0 = std::max<int64_t>(0, (a - o + 1) / 2);
      int64_t k1 = std::min<int64_t>(n, (z - o + 1) / 2);
      if (failed(cuts(is.getSource(), k0, k1, inner)))
        return failure();
      for (int64_t x : inner)
        out.insert(o + 2 * x - (o % 2));
    }
    return cuts(is.getDest(), c0, c1, out);
  }
  return success();
}

Value Former::createElementwise(Operation *op, Value x, Value y) {
  Type ty = x.getType();
  if (isa<arith::AddFOp>(op))
    return AddOp::create(b, loc, ty, x, y);
  if (isa<arith::SubFOp>(op))
    return SubOp::create(b, loc, ty, x, y);
  if (isa<arith::MulFOp>(op))
    return MulOp::create(b, loc, ty, x, y);
  if (isa<arith::DivFOp>(op))
    return DivOp::create(b, loc, ty, x, y);
  if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
    return MaxOp::create(b, loc, ty, x, y);
  return MinOp::create(b, loc, ty, x, y);
}

FailureOr<TV> Former::binary(Operation *op, const TV &a, const TV &c,
                             int64_t w) {
  // Constant folding and scalar forms.
  if (a.kind == TV::Const && c.kind == TV::Const) {
    double x = a.constant, y = c.constant, r;
    if (isa<arith::AddFOp>(op)) r = x + y;
    else if (isa<arith::SubFOp>(op)) r = x - y;
    else if (isa<arith::MulFOp>(op)) r = x * y;
    else if (isa<arith::DivFOp>(op)) r = x / y;
    else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op)) r = std::max(x, y);
    else r = std::min(x, y);
    TV t;
    t.constant = (float)r;
    return t;
  }
  if (a.kind == TV::Const || c.kind == TV::Const) {
    bool constLeft = a.kind == TV::Const;
    const TV &t = constLeft ? c : a;
    Value s = f32(constLeft ? a.constant : c.constant);
    Value x = t.tile;
    Type ty = x.getType();
    Value r;
    if (isa<arith::AddFOp>(op)) r = AddSOp::create(b, loc, ty, x, s);
    else if (isa<arith::MulFOp>(op)) r = MulSOp::create(b, loc, ty, x, s);
    else if (isa<arith::SubFOp>(op))
      r = constLeft ? (Value)RSubSOp::create(b, loc, ty, x, s)
                    : (Value)SubSOp::create(b, loc, ty, x, s);
    else if (isa<arith::DivFOp>(op))
      r = constLeft ? (Value)RDivSOp::create(b, loc, ty, x, s)
                    : (Value)DivSOp::create(b, loc, ty, x, s);
    else if (isa<arith::MaximumFOp, arith::MaxNumFOp>(op))
      r = MaxSOp::create(b, loc, ty, x, s);
    else
      r = MinSOp::create(b, loc, ty, x, s);
    TV out = t;
    out.tile = r;
    return out;
  }
  // One-column tiles: a row's value and a row scale are the same 1x1 (and
  // W x 1 once rows are widened) tile; no broadcast (PTO-ISA's row expand
  // takes row-major tiles, and a one-column tile is a column).
  if (w == 1 && a.tile.getType() == c.tile.getType() && a.kind != TV::ColVec &&
      c.kind != TV::ColVec) {
    TV::Kind kind = (a.kind == TV::RowScal || c.kind == TV::RowScal)
                        ? TV::RowScal
                        : a.kind;
    Value x = a.tile, y = c.tile;
    return TV{kind, createElementwise(op, x, y), 0};
  }
  // Row scale times a row: row_expand_mul; column scale: col_expand_mul.
  if (isa<arith::MulFOp>(op)) {
    if (a.kind == TV::Full && c.kind == TV::RowScal)
      return TV{TV::Full, RowExpandMulOp::create(b, loc, a.tile.getType(), a.tile, c.tile), 0};
    if (c.kind == TV::Full && a.kind == TV::RowScal)
      return TV{TV::Full, RowExpandMulOp::create(b, loc, c.tile.getType(), c.tile, a.tile), 0};
    if (a.kind == TV::Full && c.kind == TV::ColVec)
      return TV{TV::Full, ColExpandMulOp::create(b, loc, a.tile.getType(), a.tile, c.tile), 0};
    if (c.kind == TV::Full && a.kind == TV::ColVec)
      return TV{TV::Full, ColExpandMulOp::create(b, loc, c.tile.getType(), c.tile, a.tile), 0};
  }
  TV::Kind kind;
  Value x, y;
  if (a.kind == c.kind) {
    kind = a.kind;
    x = a.tile;
    y = c.tile;
  } else {
    kind = TV::Full;
    x = toFull(a, w);
    y = toFull(c, w);
  }
  return TV{kind, createElementwise(op, x, y), 0};
}

FailureOr<TV> Former::unary(Operation *op, const TV &a, int64_t w) {
  TV in = a;
  if (in.kind == TV::Const) {
    // Materialise: unary ops of constants are rare (folded by torch). A
    // per-column tile is one row, however many rows the block has.
    int64_t saved = nrows;
    nrows = 1;
    in = TV{TV::ColVec, toFull(a, w), 0};
    nrows = saved;
    in.kind = TV::ColVec;
  }
  Value x = in.tile;
  Type ty = x.getType();
  Value r;
  if (isa<arith::NegFOp>(op)) r = NegOp::create(b, loc, ty, x);
  else if (isa<math::AbsFOp>(op)) r = AbsOp::create(b, loc, ty, x);
  else if (isa<math::SqrtOp>(op)) r = SqrtOp::create(b, loc, ty, x);
  else if (isa<math::RsqrtOp>(op)) r = RsqrtOp::create(b, loc, ty, x);
  else if (isa<math::ExpOp>(op)) r = ExpOp::create(b, loc, ty, x);
  else if (isa<math::RoundEvenOp>(op))
    r = CastOp::create(b, loc, ty, x, RoundMode::rint);
  else
    return op->emitError("tile-form-scopes: no tile op for ") << op->getName();
  TV out = in;
  out.tile = r;
  return out;
}

FailureOr<TV> Former::evalGeneric(linalg::GenericOp g, Value row, int64_t c0,
                                  int64_t c1) {
  int64_t w = c1 - c0;
  Block &body = g.getRegion().front();
  DenseMap<Value, TV> env;
  for (OpOperand *in : g.getDpsInputOperands()) {
    Access acc = *classifyMap(g.getMatchingIndexingMap(in), in->get());
    Bcast bc = acc.kind;
    FailureOr<TV> t = failure();
    Value inRow = row;
    // With several rows per block, an operand read at row `row floordiv D`
    // (R dividing D, blocks starting at multiples of R) is one row for the
    // whole block: a per-column operand.
    bool blockRow = false;
    if (acc.div > 1) {
      sawRowDiv = true;
      inRow = arith::DivSIOp::create(b, loc, row, index(acc.div));
      if (nrows > 1) {
        if (acc.div % nrows != 0)
          return notRowwise("an operand broadcast over " +
                            std::to_string(acc.div) +
                            " rows does not cover whole blocks");
        blockRow = true;
      }
    }
    int64_t savedRows = nrows;
    auto restoreRows = llvm::make_scope_exit([&] { nrows = savedRows; });
    if (blockRow || bc == Bcast::Col || bc == Bcast::Scalar)
      nrows = 1;
    switch (bc) {
    case Bcast::Full:
      t = eval(in->get(), inRow, c0, c1);
      if (succeeded(t) && blockRow && t->kind != TV::Const) {
        if (t->kind == TV::RowScal)
          return notRowwise("a row's scalar is broadcast over the rows of "
                            "a block");
        t->kind = TV::ColVec;
      }
      break;
    case Bcast::Row: {
      if (blockRow)
        return notRowwise("a row's scalar is broadcast over the rows of a "
                          "block");
      Value saved = colBase;
      colBase = Value();
      t = eval(in->get(), inRow, 0, 1);
      colBase = saved;
    }
      if (succeeded(t) && t->kind == TV::Full)
        t->kind = TV::RowScal;
      break;
    case Bcast::Col:
      t = eval(in->get(), index(0), c0, c1);
      if (succeeded(t) && t->kind != TV::Const)
        t->kind = TV::ColVec;
      break;
    case Bcast::Scalar: {
      Value saved = colBase;
      colBase = Value();
      t = eval(in->get(), index(0), 0, 1);
      colBase = saved;
    }
      if (succeeded(t) && t->kind != TV::Const) {
        // A [1, 1] scalar is each row's scalar only with one row a block.
        if (savedRows > 1)
          return notRowwise("a scalar tensor operand");
        t->kind = TV::RowScal;
      }
      break;
    }
    if (failed(t))
      return failure();
    env[body.getArgument(in->getOperandNumber())] = *t;
  }
  auto lookup = [&](Value v) -> FailureOr<TV> {
    auto it = env.find(v);
    if (it != env.end())
      return it->second;
    if (auto cst = v.getDefiningOp<arith::ConstantOp>())
      if (auto f = dyn_cast<FloatAttr>(cst.getValue())) {
        TV t;
        t.constant = f.getValueAsDouble();
        return t;
      }
    return g.emitError("tile-form-scopes: generic body reads a value defined "
                       "outside it that is not a float constant");
  };
  for (Operation &op : body) {
    if (auto y = dyn_cast<linalg::YieldOp>(op)) {
      FailureOr<TV> r = lookup(y.getOperand(0));
      if (failed(r))
        return failure();
      // A row-invariant result of an elementwise op is still that.
      return *r;
    }
    if (isa<arith::ConstantOp>(op))
      continue;
    ++evaluatedOps;
    FailureOr<TV> r = failure();
    if (isa<arith::ExtFOp, arith::TruncIOp, arith::ExtSIOp>(op)) {
      // Widening, and integer narrowing of values the int8 / int32 range
      // holds (docs/graph.md: not wrapped), keep the value.
      r = lookup(op.getOperand(0));
    } else if (isa<arith::SIToFPOp>(op)) {
      r = lookup(op.getOperand(0));
    } else if (isa<arith::FPToSIOp>(op)) {
      r = lookup(op.getOperand(0));
      if (succeeded(r) && r->kind != TV::Const)
        r->tile = CastOp::create(b, loc, r->tile.getType(), r->tile,
                                 RoundMode::trunc);
      else if (succeeded(r))
        r->constant = std::trunc(r->constant);
    } else if (isa<arith::TruncFOp>(op)) {
      r = lookup(op.getOperand(0));
      if (succeeded(r) && r->kind != TV::Const)
        r->tile = round(r->tile, op.getResult(0).getType());
    } else if (op.getNumOperands() == 2) {
      FailureOr<TV> x = lookup(op.getOperand(0)), y = lookup(op.getOperand(1));
      if (failed(x) || failed(y))
        return failure();
      r = binary(&op, *x, *y, w);
    } else {
      FailureOr<TV> x = lookup(op.getOperand(0));
      if (failed(x))
        return failure();
      r = unary(&op, *x, w);
    }
    if (failed(r))
      return failure();
    // An op on bf16 / f16 values rounds its result to that type.
    Type rt = op.getResult(0).getType();
    if (!isa<arith::TruncFOp, arith::ExtFOp>(op) && isFloat(rt) &&
        !rt.isF32() && r->kind != TV::Const)
      r->tile = round(r->tile, rt);
    env[op.getResult(0)] = *r;
  }
  return g.emitError("tile-form-scopes: generic body without a yield");
}

FailureOr<TV> Former::evalReduce(linalg::GenericOp g, Value row) {
  // A reduction reads its operand's whole row, whatever column block the
  // scope computes.
  Value saved = colBase;
  colBase = Value();
  // In column chunks, the reduction's pieces are not kept for the pieces
  // after it (they would all stay live): its operand is recomputed there.
  std::optional<decltype(memo)> savedMemo;
  if (reductionChunk > 0) {
    savedMemo = std::move(memo);
    memo.clear();
  }
  auto restore = llvm::make_scope_exit([&] {
    colBase = saved;
    if (savedMemo)
      memo = std::move(*savedMemo);
  });
  Value in = g.getDpsInputOperand(0)->get();
  int64_t n = shape2D(in)->second;
  bool isSum = isa<arith::AddFOp>(g.getRegion().front().front());
  std::set<int64_t> cs;
  if (failed(cuts(in, 0, n, cs)))
    return failure();
  for (int64_t c = reductionChunk; c > 0 && c < n; c += reductionChunk)
    cs.insert(c);
  // Pieces of the stored row of the same width: the reduction reads them
  // as the stores will, so each GM slice is loaded once.
  if (n == scopeCols)
    for (int64_t c : scopeCuts)
      if (c > 0 && c < n)
        cs.insert(c);
  cs.insert(n);
  Value acc;
  int64_t prev = 0;
  for (int64_t c : cs) {
    FailureOr<TV> t = eval(in, row, prev, c);
    if (failed(t))
      return failure();
    // (A per-column operand's one row is every row's only with one row a
    // block; with more it is expanded to the block's rows first.)
    Value full = t->kind == TV::Full || (t->kind == TV::ColVec && nrows == 1)
                     ? t->tile
                     : toFull(*t, c - prev);
    auto rt = tileType(nrows, 1, b.getF32Type());
    Value part = isSum ? (Value)RowSumOp::create(b, loc, rt, full)
                       : (Value)RowMaxOp::create(b, loc, rt, full);
    ++evaluatedOps;
    acc = !acc ? part
               : isSum ? (Value)AddOp::create(b, loc, rt, acc, part)
                       : (Value)MaxOp::create(b, loc, rt, acc, part);
    prev = c;
  }
  // The init: a fill that is the reduction's identity is dropped.
  std::optional<double> init = getFillConstant(g.getDpsInitOperand(0)->get());
  if (!init)
    return g.emitError("tile-form-scopes: a reduction must start from a "
                       "linalg.fill of a constant");
  if (isSum && *init != 0)
    acc = AddSOp::create(b, loc, acc.getType(), acc, f32(*init));
  if (!isSum && !std::isinf(*init))
    acc = MaxSOp::create(b, loc, acc.getType(), acc, f32(*init));
  Type et = getElementTypeOrSelf(g.getResult(0).getType());
  if (!et.isF32())
    acc = round(acc, et);
  return TV{TV::RowScal, acc, 0};
}

FailureOr<TV> Former::eval(Value v, Value row, int64_t c0, int64_t c1) {
  auto s = shape2D(v);
  if (s && s->first == 1) {
    row = index(0);
    if (nrows > 1)
      return notRowwise("a one-row value is read as the block's rows");
  }
  auto key = std::make_tuple(v.getAsOpaquePointer(),
                             row.getAsOpaquePointer(), c0, c1,
                             colBase.getAsOpaquePointer(), nrows);
  auto it = memo.find(key);
  if (it != memo.end())
    return it->second;
  widest = std::max(widest, c1 - c0);
  FailureOr<TV> r = failure();
  if (Value mem = gm.lookup(v)) {
    Value t = loadF32(mem, row, c0, c1 - c0);
    if (!t)
      return emitError(loc, "tile-form-scopes: cannot compute on ")
             << cast<MemRefType>(mem.getType()).getElementType() << " values";
    r = TV{TV::Full, t, 0};
  } else if (std::optional<double> f = getFillConstant(v)) {
    TV t;
    t.constant = *f;
    r = t;
  } else if (auto g = v.getDefiningOp<linalg::GenericOp>()) {
    r = *checkGeneric(g) == GenericKind::RowReduce ? evalReduce(g, row)
                                                   : evalGeneric(g, row, c0, c1);
  } else if (auto es = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    int64_t ro = es.getStaticOffsets()[0], o = es.getStaticOffsets()[1];
    int64_t st = es.getStaticStrides()[1];
    Value srow = row;
    if (ro != 0 && shape2D(es.getSource())->first != 1)
      srow = arith::AddIOp::create(b, loc, row, index(ro));
    if (st == 1) {
      r = eval(es.getSource(), srow, o + c0, o + c1);
    } else {
      int64_t start = o + 2 * c0;
      int64_t base = start - (start % 2);
      FailureOr<TV> src = eval(es.getSource(), srow, base, base + 2 * (c1 - c0));
      if (failed(src))
        return failure();
      Value full = src->kind == TV::ColVec && nrows > 1
                       ? src->tile
                       : toFull(*src, 2 * (c1 - c0));
      auto pat = start % 2 == 0 ? MaskPattern::p0101 : MaskPattern::p1010;
      Value gth = GatherOp::create(
          b, loc, tileType(rowsOf(full), c1 - c0, b.getF32Type()), full, pat);
      r = TV{src->kind == TV::ColVec ? TV::ColVec : TV::Full, gth, 0};
    }
  } else if (auto is = v.getDefiningOp<tensor::InsertSliceOp>()) {
    int64_t o = is.getStaticOffsets()[1], st = is.getStaticStrides()[1];
    int64_t n = is.getStaticSizes()[1];
    if (st == 1) {
      if (c0 >= o && c1 <= o + n)
        r = eval(is.getSource(), row, c0 - o, c1 - o);
      else if (c1 <= o || c0 >= o + n)
        r = eval(is.getDest(), row, c0, c1);
      else
        return is.emitError("tile-form-scopes: internal: a piece crosses an "
                            "insert boundary");
    } else {
      int64_t end = o + 2 * n - 1;
      if (c1 <= o || c0 > end) {
        r = eval(is.getDest(), row, c0, c1);
      } else {
        // The columns of o's parity in [c0, c1) must all be inserted ones.
        int64_t first = (c0 - o) % 2 == 0 ? c0 : c0 + 1;
        int64_t k0 = (first - o) / 2, k1 = k0 + (c1 - c0) / 2;
        if ((c1 - c0) % 2 != 0 || first < o || k1 > n)
          return is.emitError("tile-form-scopes: an interleaving insert must "
                              "cover whole even-width pieces");
        FailureOr<TV> src = eval(is.getSource(), row, k0, k1);
        if (failed(src))
          return failure();
        Value dst;
        if (is.getDest().getDefiningOp<tensor::EmptyOp>()) {
          dst = FullOp::create(b, loc,
                               tileType(nrows, c1 - c0, b.getF32Type()),
                               b.getF32FloatAttr(0.0f));
        } else {
          FailureOr<TV> d = eval(is.getDest(), row, c0, c1);
          if (failed(d))
            return failure();
          dst = toFull(*d, c1 - c0);
        }
        auto pat = first == c0 ? MaskPattern::p0101 : MaskPattern::p1010;
        Value sc = ScatterOp::create(b, loc, dst.getType(),
                                     toFull(*src, (c1 - c0) / 2), dst, pat);
        r = TV{TV::Full, sc, 0};
      }
    }
  } else if (v.getDefiningOp<tensor::EmptyOp>()) {
    return emitError(v.getLoc(), "tile-form-scopes: reads columns [")
           << c0 << ", " << c1 << ") of an uninitialised tensor.empty";
  } else {
    Operation *def = v.getDefiningOp();
    return emitError(v.getLoc(), "tile-form-scopes: cannot evaluate a value "
                                 "defined by ")
           << (def ? def->getName().getStringRef() : StringRef("an argument"));
  }
  if (failed(r))
    return failure();
  memo[key] = *r;
  return r;
}

//===----------------------------------------------------------------------===//
// Scopes
//===----------------------------------------------------------------------===//

/// Column blocks of vector scopes computed column by column are at most
/// this wide (a 2 KiB f32 row piece).
constexpr int64_t kMaxBlockColumns = 512;

/// Whether every column of `v` is computed from the same column of its GM
/// sources (through elementwise generics, fills and unit-stride column
/// slices) with no reduction on the way: column blocks then split the work
/// without recomputing anything.
bool Former::isColumnwise(Value v) {
  if (gm.count(v) || getFillConstant(v))
    return true;
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (auto g = dyn_cast<linalg::GenericOp>(def)) {
    if (*checkGeneric(g) == GenericKind::RowReduce)
      return false;
    for (OpOperand *in : g.getDpsInputOperands())
      if (!isColumnwise(in->get()))
        return false;
    return true;
  }
  if (auto es = dyn_cast<tensor::ExtractSliceOp>(def))
    return es.getStaticStrides()[1] == 1 && isColumnwise(es.getSource());
  return false;
}

LogicalResult Former::buildRow(Value v, Value dst, int64_t chunk,
                               int64_t nCol, int64_t rowsPerBlock,
                               SpmdOp &spmd, int64_t &pieces) {
  auto [rows, allCols] = *shape2D(v);
  Operation *def = v.getDefiningOp();
  std::string name = def ? scopeNameOf(def, "v" + std::to_string(scopeCounter))
                         : "copy" + std::to_string(scopeCounter);
  assert(rows % rowsPerBlock == 0 && (nCol == 1 || rowsPerBlock == 1) &&
         "rows per block must divide the rows, without column blocks");
  spmd = SpmdOp::create(b, loc, rows / rowsPerBlock * nCol, name);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(spmd.getBodyBlock().getTerminator());
  auto at = AtOp::create(b, loc, CoreKind::vector);
  b.setInsertionPoint(at.getBodyBlock().getTerminator());
  memo.clear();
  evaluatedOps = 0;
  reductionChunk = chunk;
  sawRowDiv = false;
  rowsWhy.clear();
  nrows = rowsPerBlock;
  auto resetRows = llvm::make_scope_exit([&] { nrows = 1; });
  Value row = spmd.getBlockIndex();
  if (rowsPerBlock > 1)
    row = arith::MulIOp::create(b, loc, row, index(rowsPerBlock));
  int64_t cols = allCols / nCol;
  colBase = Value();
  if (nCol > 1) {
    // Block b = t * nCol + c: row t, columns [c * cols, (c + 1) * cols).
    row = arith::DivSIOp::create(b, loc, spmd.getBlockIndex(), index(nCol));
    Value c = arith::RemSIOp::create(b, loc, spmd.getBlockIndex(), index(nCol));
    colBase = arith::MulIOp::create(b, loc, c, index(cols));
  }
  auto clearBase = llvm::make_scope_exit([&] { colBase = Value(); });
  std::set<int64_t> cs;
  if (nCol == 1 && failed(cuts(v, 0, cols, cs)))
    return failure();
  for (int64_t c = chunk; chunk > 0 && c < cols; c += chunk)
    cs.insert(c);
  cs.insert(cols);
  scopeCols = nCol == 1 ? cols : 0;
  scopeCuts = cs;
  Type et = cast<MemRefType>(dst.getType()).getElementType();
  int64_t prev = 0;
  pieces = 0;
  for (int64_t c : cs) {
    FailureOr<TV> t = eval(v, row, prev, c);
    if (failed(t))
      return failure();
    Value tile = toFull(*t, c - prev);
    auto tt = cast<TileType>(tile.getType());
    // A value just rounded to the stored type is stored as rounded.
    if (auto widen = tile.getDefiningOp<CastOp>())
      if (cast<TileType>(widen.getInput().getType()).getElementType() == et)
        tile = widen.getInput();
    if (cast<TileType>(tile.getType()).getElementType() != et) {
      RoundMode mode = isFloat(et) ? RoundMode::rint : RoundMode::trunc;
      if (et.isInteger(8)) {
        Value h = CastOp::create(
            b, loc, tileType(tt.getShape()[0], tt.getShape()[1], b.getF16Type()),
            tile, RoundMode::trunc);
        tile = CastOp::create(
            b, loc, tileType(tt.getShape()[0], tt.getShape()[1], et), h,
            RoundMode::trunc);
      } else {
        tile = CastOp::create(
            b, loc, tileType(tt.getShape()[0], tt.getShape()[1], et), tile,
            mode);
      }
    }
    Value col = index(prev);
    if (colBase)
      col = prev ? (Value)arith::AddIOp::create(b, loc, colBase, col) : colBase;
    StoreOp::create(b, loc, tile, dst,
                    ValueRange{rows == 1 ? index(0) : row, col});
    ++pieces;
    prev = c;
  }
  return success();
}

LogicalResult Former::emitVectorScope(Value v, Value dst, Operation *anchor) {
  auto [rows, cols] = *shape2D(v);
  ++scopeCounter;
  // Fewer rows than vector cores, and a value computed column by column
  // (no concatenation, interleave or strided slice on its columns): split
  // the columns over blocks too, into the fewest column blocks (of a
  // multiple of 64 columns) that give every vector core a block.
  // Wide rows are split the same way into blocks of at most
  // kMaxBlockColumns, so tile-tile-scopes can stack token rows and read a
  // per-column operand once for all of them.
  int64_t nCol = 1;
  int64_t cores = getCoreCount(CoreKind::vector, target);
  bool wide = cols > kMaxBlockColumns;
  if ((rows < cores || wide) && cols > 1 && isColumnwise(v)) {
    for (int64_t d : getDivisors(cols))
      if ((cols / d) % 64 == 0 && rows * d >= cores &&
          cols / d <= kMaxBlockColumns) {
        nCol = d;
        break;
      }
    if (nCol == 1 && rows < cores)
      for (int64_t d : getDivisors(cols))
        if ((cols / d) % 64 == 0 && rows * d >= cores) {
          nCol = d;
          break;
        }
  }
  // Widest column chunk that fits UB: try whole rows (chunk 0), then
  // halves of the widest piece evaluated.
  int64_t chunk = 0;
  while (true) {
    SpmdOp spmd;
    int64_t pieces = 0;
    widest = 0;
    if (failed(buildRow(v, dst, chunk, nCol, 1, spmd, pieces))) {
      if (spmd)
        spmd.erase();
      return failure();
    }
    AtOp at = cast<AtOp>(spmd.getBodyBlock().front());
    FitSummary fit = measureScopeFit(at, target);
    if (fit.fits || (chunk && chunk <= 64) || widest <= 64) {
      // Rows per block. tile-tile-scopes later stacks token rows (each
      // access at the block's row); a scope that reads an operand at row
      // `row floordiv D` (the heads of a reshape against a per-token
      // table) it cannot widen, so it is done here, where the broadcast is
      // known: R rows per block (R dividing D, so the operand is one row
      // per block, a per-column tile), one vector instruction covering R
      // rows. R, a power of two, is the one of least modelled time
      // (estimateScope, with the blocks grouped into tasks) among those
      // whose whole rows fit UB (placement's measure, TargetInfo's
      // capacity); ties within 1% go to fewer rows.
      int64_t rowsPerBlock = 1;
      std::string rowsTried;
      if (fit.fits && chunk == 0 && nCol == 1 && sawRowDiv && rows > 1) {
        double best = estimateScope(at, rows, CoreKind::vector, target).seconds;
        rowsTried = "1: " + formatMicros(best) + " us";
        for (int64_t r = 2; r <= rows && rows % r == 0; r *= 2) {
          SpmdOp cand;
          int64_t candPieces = 0;
          if (failed(buildRow(v, dst, 0, 1, r, cand, candPieces))) {
            if (cand)
              cand.erase();
            if (rowsWhy.empty())
              return failure();
            rowsTried += ", " + std::to_string(r) + ": " + rowsWhy;
            break;
          }
          AtOp candAt = cast<AtOp>(cand.getBodyBlock().front());
          FitSummary candFit = measureScopeFit(candAt, target);
          if (!candFit.fits) {
            rowsTried += ", " + std::to_string(r) +
                         ": does not fit (" + describeFit(candFit) + ")";
            cand.erase();
            break;
          }
          double t = estimateScope(candAt, rows / r, CoreKind::vector, target)
                         .seconds;
          rowsTried += ", " + std::to_string(r) + ": " + formatMicros(t) +
                       " us";
          cand.erase();
          if (t < best * 0.99) {
            best = t;
            rowsPerBlock = r;
          }
        }
        if (rowsPerBlock > 1) {
          spmd.erase();
          widest = 0;
          if (failed(buildRow(v, dst, 0, 1, rowsPerBlock, spmd, pieces)))
            return failure();
          at = cast<AtOp>(spmd.getBodyBlock().front());
          fit = measureScopeFit(at, target);
        }
      }
      InFlightDiagnostic d = emitDecision(anchor);
      d << "scope '" << spmd.getScopeName() << "': " << rows << "x" << cols
        << " value formed as " << rows * nCol / rowsPerBlock << " blocks of ";
      if (rowsPerBlock == 1)
        d << "one row";
      else
        d << rowsPerBlock << " rows";
      if (nCol > 1)
        d << " and " << cols / nCol << " columns ("
          << (rows < cores ? Twine(rows) + " rows are fewer than the " +
                                 Twine(cores) + " vector cores"
                           : Twine("rows wider than ") +
                                 Twine(kMaxBlockColumns) + " columns")
          << ")";
      d << " on vector cores, " << evaluatedOps
        << " ops recomputed from GM, " << pieces << " column piece"
        << (pieces == 1 ? "" : "s");
      if (chunk)
        d << " (chunks of " << chunk << " columns to fit)";
      d << ", footprint " << describeFit(fit);
      if (!rowsTried.empty())
        d << "; rows per block tried (a row operand broadcast over rows "
             "tile-tile-scopes cannot widen): "
          << rowsTried;
      if (!fit.fits) {
        spmd.emitError("tile-form-scopes: scope '")
            << spmd.getScopeName()
            << "' does not fit even in 64-column chunks: "
            << describeFit(fit);
        return failure();
      }
      return success();
    }
    spmd.erase();
    chunk = llvm::PowerOf2Ceil(chunk ? chunk : widest) / 2;
  }
}

LogicalResult Former::emitMatmulScope(linalg::MatmulOp mm, Value dst) {
  ++scopeCounter;
  Value A = mm.getInputs()[0], B = mm.getInputs()[1];
  auto [M, K] = *shape2D(A);
  // A transposed rhs is stored [N, K]: its K-steps load [NB, KB] tiles that
  // the matmul reads with b_trans.
  bool bTrans = hasTransposedRhs(mm);
  int64_t N = bTrans ? shape2D(B)->first : shape2D(B)->second;
  Type ea = getElementTypeOrSelf(A.getType());
  Type ec = getElementTypeOrSelf(mm.getResult(0).getType());
  int64_t eab = elementBytes(ea), ecb = elementBytes(ec);
  // Rows per block: all of M up to 128 (a decode batch), else 128-row
  // blocks.
  int64_t MB = M;
  if (M > 128) {
    MB = 0;
    for (int64_t c : {128, 64, 32, 16})
      if (M % c == 0) {
        MB = c;
        break;
      }
    if (!MB)
      return mm.emitError("tile-form-scopes: ")
             << M << " rows is neither at most 128 nor a multiple of 16";
  }
  // K step: the largest of 128, 64, 32, 16 dividing K whose operands fit
  // L0A / L0B twice (two pipeline slots).
  auto fitsK = [&](int64_t kb, int64_t nb) {
    return 2 * MB * kb * eab <= target.l0a.usableBytes &&
           2 * kb * nb * eab <= target.l0b.usableBytes &&
           MB * nb * ecb <= target.l0c.usableBytes;
  };
  std::string name = scopeNameOf(mm, "mm" + std::to_string(scopeCounter));
  // The scope of column blocks of NB and a K step of KB.
  auto build = [&](int64_t NB, int64_t KB) {
    int64_t nBlocks = N / NB, blocks = (M / MB) * nBlocks;
    auto spmd = SpmdOp::create(b, loc, blocks, name);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(spmd.getBodyBlock().getTerminator());
    auto at = AtOp::create(b, loc, CoreKind::core_group);
    b.setInsertionPoint(at.getBodyBlock().getTerminator());
    Value blk = spmd.getBlockIndex();
    Value m0 = index(0), n0;
    if (M / MB > 1) {
      Value mi = arith::DivSIOp::create(b, loc, blk, index(nBlocks));
      m0 = arith::MulIOp::create(b, loc, mi, index(MB));
      Value ni = arith::RemSIOp::create(b, loc, blk, index(nBlocks));
      n0 = arith::MulIOp::create(b, loc, ni, index(NB));
    } else {
      n0 = arith::MulIOp::create(b, loc, blk, index(NB));
    }
    auto accT = tileType(MB, NB, ec);
    Attribute zero = ec.isF32() ? (Attribute)b.getF32FloatAttr(0.0f)
                                : (Attribute)b.getI32IntegerAttr(0);
    Value acc0 = FullOp::create(b, loc, accT, cast<TypedAttr>(zero));
    auto loop = scf::ForOp::create(b, loc, index(0), index(K / KB), index(1),
                                   ValueRange{acc0});
    {
      OpBuilder::InsertionGuard g2(b);
      b.setInsertionPointToStart(loop.getBody());
      Value k0 =
          arith::MulIOp::create(b, loc, loop.getInductionVar(), index(KB));
      Value a = LoadOp::create(b, loc, tileType(MB, KB, ea), gm.lookup(A),
                               ValueRange{m0, k0});
      Value bt = bTrans ? LoadOp::create(b, loc, tileType(NB, KB, ea),
                                         gm.lookup(B), ValueRange{n0, k0})
                        : LoadOp::create(b, loc, tileType(KB, NB, ea),
                                         gm.lookup(B), ValueRange{k0, n0});
      Value acc =
          MatmulAccOp::create(b, loc, accT, loop.getRegionIterArgs()[0], a, bt,
                              /*a_trans=*/false, /*b_trans=*/bTrans);
      scf::YieldOp::create(b, loc, acc);
    }
    StoreOp::create(b, loc, loop.getResult(0), dst, ValueRange{m0, n0});
    return std::make_pair(spmd, at);
  };
  // Each candidate is built and modelled (the per-pipe model,
  // estimateScope, with the K loop pipelined as tile-pipeline-loops will
  // make it: fitsK leaves room for its two slots), then erased.
  int64_t bestNB = 0, bestKB = 0;
  double bestTime = std::numeric_limits<double>::infinity();
  std::string tried;
  for (int64_t nb : {256, 128, 64, 32, 16}) {
    if (N % nb != 0)
      continue;
    int64_t kb = 0;
    for (int64_t c : {128, 64, 32, 16})
      if (K % c == 0 && fitsK(c, nb)) {
        kb = c;
        break;
      }
    if (!kb)
      continue;
    auto [candidate, at] = build(nb, kb);
    double t = estimateScope(at, static_cast<int64_t>(candidate.getBlocks()),
                             CoreKind::core_group, target)
                   .seconds;
    candidate.erase();
    tried += (tried.empty() ? "" : ", ") + std::to_string(nb) + ": " +
             formatMicros(t) + " us";
    // Ties within 1% go to the wider block (fewer re-reads of the lhs).
    if (t < bestTime * 0.99) {
      bestTime = t;
      bestNB = nb;
      bestKB = kb;
    }
  }
  if (!bestNB)
    return mm.emitError("tile-form-scopes: no tile of ")
           << M << "x" << K << " @ " << K << "x" << N
           << " fits L0A / L0B / L0C with a K step of 16 to 128 and a "
              "column block of 16 to 256 dividing the shape";
  int64_t NB = bestNB, KB = bestKB;
  int64_t blocks = (M / MB) * (N / NB);
  build(NB, KB);
  emitDecision(mm) << "scope '" << name << "': " << M << "x" << K << " @ "
                   << K << "x" << N << (bTrans ? " (rhs stored transposed)" : "")
                   << " as " << blocks << " blocks of "
                   << MB << "x" << NB << " with a K step of " << KB
                   << " (L0A " << MB * KB * eab << " B, L0B " << KB * NB * eab
                   << " B per slot, L0C " << MB * NB * ecb
                   << " B), modelled " << formatMicros(bestTime)
                   << " us; column blocks tried: " << tried;
  return success();
}

LogicalResult Former::emitView(Operation *op) {
  auto ex = cast<tensor::ExpandShapeOp>(op);
  auto col = ex.getSrc().getDefiningOp<tensor::CollapseShapeOp>();
  Value src = gm.lookup(col.getSrc());
  auto st = cast<MemRefType>(src.getType());
  int64_t count = st.getNumElements();
  auto flat = MemRefType::get({count}, st.getElementType());
  SmallVector<ReassociationIndices> all2{{0, 1}};
  Value c = memref::CollapseShapeOp::create(b, loc, flat, src, all2);
  auto rt = ex.getResultType();
  auto outT = MemRefType::get(rt.getShape(), rt.getElementType());
  Value e = memref::ExpandShapeOp::create(b, loc, outT.getShape(), c, all2);
  gm[ex.getResult()] = e;
  return success();
}

LogicalResult Former::run() {
  if (failed(checkBody()))
    return failure();
  MLIRContext *ctx = func.getContext();
  b = OpBuilder(ctx);
  loc = func.getLoc();
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());

  // Values that must be in GM.
  llvm::SetVector<Value> needGm;
  func.walk([&](Operation *op) {
    if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
      needGm.insert(mm.getInputs()[0]);
      needGm.insert(mm.getInputs()[1]);
      needGm.insert(mm.getResult(0));
    } else if (auto c = dyn_cast<tensor::CollapseShapeOp>(op)) {
      needGm.insert(c.getSrc());
    }
  });

  // The new signature: inputs, then one memref per result.
  SmallVector<Type> argTypes;
  for (BlockArgument a : func.getArguments()) {
    auto t = cast<RankedTensorType>(a.getType());
    argTypes.push_back(MemRefType::get(t.getShape(), t.getElementType()));
  }
  for (Type t : func.getResultTypes()) {
    auto rt = cast<RankedTensorType>(t);
    argTypes.push_back(MemRefType::get(rt.getShape(), rt.getElementType()));
  }
  b.setInsertionPoint(func);
  newFunc = func::FuncOp::create(b, func.getLoc(), func.getSymName(),
                                 FunctionType::get(ctx, argTypes, {}));
  entry = newFunc.addEntryBlock();
  b.setInsertionPointToEnd(entry);
  auto newRet = func::ReturnOp::create(b, loc);
  b.setInsertionPoint(newRet);
  unsigned nIn = func.getNumArguments();
  for (BlockArgument a : func.getArguments())
    gm[a] = entry->getArgument(a.getArgNumber());

  // Results: the first result slot of each value holds it.
  DenseMap<Value, Value> outputOf;
  SmallVector<std::pair<Value, Value>> extraCopies;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    Value dst = entry->getArgument(nIn + i);
    if (!outputOf.count(v) && !gm.count(v))
      outputOf[v] = dst;
    else
      extraCopies.push_back({v, dst});
  }

  // Scopes in program order.
  unsigned gmCount = 0;
  for (Operation &op : func.getBody().front()) {
    if (isa<tensor::ExpandShapeOp>(op)) {
      if (failed(emitView(&op)))
        return failure();
      Value r = op.getResult(0);
      if (outputOf.count(r))
        if (failed(emitVectorScope(r, outputOf[r], &op)))
          return failure();
      continue;
    }
    if (op.getNumResults() != 1)
      continue;
    Value r = op.getResult(0);
    Value dst = outputOf.lookup(r);
    if (!dst && needGm.count(r)) {
      auto t = cast<RankedTensorType>(r.getType());
      std::string name = scopeNameOf(&op, "t" + std::to_string(gmCount));
      dst = AllocGmOp::create(
          b, loc, MemRefType::get(t.getShape(), t.getElementType()),
          b.getStringAttr(name + "_gm"));
      ++gmCount;
    }
    if (!dst)
      continue;
    if (auto mm = dyn_cast<linalg::MatmulOp>(op)) {
      if (failed(emitMatmulScope(mm, dst)))
        return failure();
    } else if (failed(emitVectorScope(r, dst, &op))) {
      return failure();
    }
    gm[r] = dst;
  }
  // Results that are arguments, or returned twice: copied.
  for (auto [v, dst] : extraCopies) {
    Operation *anchor = v.getDefiningOp() ? v.getDefiningOp() : ret;
    if (failed(emitVectorScope(v, dst, anchor)))
      return failure();
  }
  // alloc_gm ops must come before every scope: move them to the entry top
  // (after the constants).
  SmallVector<AllocGmOp> allocs;
  newFunc.walk([&](AllocGmOp a) { allocs.push_back(a); });
  Operation *firstScope = nullptr;
  for (Operation &op : *entry)
    if (isa<SpmdOp, memref::CollapseShapeOp>(op)) {
      firstScope = &op;
      break;
    }
  if (firstScope)
    for (AllocGmOp a : allocs)
      a->moveBefore(firstScope);
  if (auto vis = func.getSymVisibilityAttr())
    newFunc.setSymVisibilityAttr(vis);
  func.erase();
  return success();
}

struct FormScopesPass
    : public tessel::impl::TileFormScopesBase<FormScopesPass> {
  using TileFormScopesBase::TileFormScopesBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<const TargetInfo *> t = resolveTargetOption(module, target);
    if (failed(t))
      return signalPassFailure();
    SmallVector<func::FuncOp> funcs;
    module.walk([&](func::FuncOp f) {
      bool tensors = llvm::any_of(f.getArgumentTypes(),
                                  llvm::IsaPred<RankedTensorType>) ||
                     llvm::any_of(f.getResultTypes(),
                                  llvm::IsaPred<RankedTensorType>);
      if (tensors && !f.isExternal())
        funcs.push_back(f);
    });
    for (func::FuncOp f : funcs) {
      const TargetInfo *info = *t;
      if (!info)
        if (std::optional<Target> e = getEnclosingTarget(f))
          info = lookupTarget(stringifyTarget(*e));
      if (!info)
        info = lookupTarget("a2a3");
      Former former(f, *info);
      if (failed(former.run()))
        return signalPassFailure();
    }
  }
};

} // namespace
