//===- TileOps.cpp - Operations of the tile dialect -----------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Verifiers, custom assembly and builders of the tile ops. Every verifier
// message is lowercase, has no trailing period, and says what was expected
// and what was found; each has a negative test in
// test/Dialect/Tile/invalid.mlir.
//
//===----------------------------------------------------------------------===//

#include "tile/TileOps.h"

#include "tessel/Support/TargetInfo.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace tessel::tile;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

LogicalResult tessel::tile::detail::verifyInCoreScope(Operation *op) {
  if (!op->getParentOfType<AtOp>())
    return op->emitOpError("must be nested in a tile.at core scope");
  return success();
}

bool tessel::tile::isLegalOnCore(Operation *op, CoreKind kind) {
  switch (kind) {
  case CoreKind::core_group:
    return true;
  case CoreKind::vector:
    return !op->hasTrait<CubeOnly>();
  case CoreKind::cube:
    return !op->hasTrait<VectorOnly>();
  }
  llvm_unreachable("unknown core kind");
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

static TileType tileOf(Value v) { return cast<TileType>(v.getType()); }

//===----------------------------------------------------------------------===//
// SpmdOp
//===----------------------------------------------------------------------===//

void SpmdOp::build(OpBuilder &builder, OperationState &state, int64_t blocks,
                   StringRef name) {
  state.addAttribute(getBlocksAttrName(state.name),
                     builder.getI64IntegerAttr(blocks));
  if (!name.empty())
    state.addAttribute(getSymNameAttrName(state.name),
                       builder.getStringAttr(name));
  Region *body = state.addRegion();
  Block *block = new Block();
  block->addArgument(builder.getIndexType(), state.location);
  body->push_back(block);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  YieldOp::create(builder, state.location);
}

StringRef SpmdOp::getScopeName() {
  if (auto name = getSymName())
    return *name;
  return "spmd";
}

// tile.spmd 8 name("kv_rms_norm") (%b) { ... }
ParseResult SpmdOp::parse(OpAsmParser &parser, OperationState &result) {
  int64_t blocks;
  SMLoc blocksLoc = parser.getCurrentLocation();
  if (parser.parseInteger(blocks))
    return failure();
  if (blocks <= 0)
    return parser.emitError(blocksLoc)
           << "expected a positive block count, got " << blocks;
  Builder &b = parser.getBuilder();
  result.addAttribute(getBlocksAttrName(result.name),
                      b.getI64IntegerAttr(blocks));
  if (succeeded(parser.parseOptionalKeyword("name"))) {
    std::string name;
    if (parser.parseLParen() || parser.parseString(&name) ||
        parser.parseRParen())
      return failure();
    result.addAttribute(getSymNameAttrName(result.name),
                        b.getStringAttr(name));
  }
  OpAsmParser::Argument blockIdx;
  blockIdx.type = b.getIndexType();
  if (parser.parseLParen() || parser.parseArgument(blockIdx) ||
      parser.parseRParen())
    return failure();
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  Region *body = result.addRegion();
  if (parser.parseRegion(*body, {blockIdx}))
    return failure();
  SpmdOp::ensureTerminator(*body, b, result.location);
  return success();
}

void SpmdOp::print(OpAsmPrinter &p) {
  p << ' ' << getBlocks();
  if (auto name = getSymName()) {
    p << " name(";
    p.printString(*name);
    p << ')';
  }
  p << " (" << getBlockIndex() << ')';
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                     {getBlocksAttrName(), getSymNameAttrName()});
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                /*printBlockTerminators=*/false);
}

LogicalResult SpmdOp::verifyRegions() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != 1)
    return emitOpError("body must take exactly one argument (the block "
                       "index), got ")
           << body.getNumArguments();
  if (!body.getArgument(0).getType().isIndex())
    return emitOpError("block index must be index, got ")
           << body.getArgument(0).getType();
  if (Operation *outer = (*this)->getParentOfType<SpmdOp>())
    return emitOpError("cannot be nested in another tile.spmd")
               .attachNote(outer->getLoc())
           << "enclosing tile.spmd is here";
  if (Operation *outer = (*this)->getParentOfType<AtOp>())
    return emitOpError("cannot be nested in a tile.at core scope")
               .attachNote(outer->getLoc())
           << "enclosing tile.at is here";
  return success();
}

//===----------------------------------------------------------------------===//
// AtOp
//===----------------------------------------------------------------------===//

void AtOp::build(OpBuilder &builder, OperationState &state, CoreKind kind) {
  state.addAttribute(getKindAttrName(state.name),
                     CoreKindAttr::get(builder.getContext(), kind));
  Region *body = state.addRegion();
  Block *block = new Block();
  body->push_back(block);
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  YieldOp::create(builder, state.location);
}

LogicalResult AtOp::verifyRegions() {
  if (getBodyBlock().getNumArguments() != 0)
    return emitOpError("body must not take arguments, got ")
           << getBodyBlock().getNumArguments();
  if (!(*this)->getParentOfType<SpmdOp>())
    return emitOpError("must be nested in a tile.spmd");
  if (Operation *outer = (*this)->getParentOfType<AtOp>())
    return emitOpError("cannot be nested in another tile.at")
               .attachNote(outer->getLoc())
           << "enclosing tile.at is here";
  CoreKind kind = getKind();
  Region &body = getBody();
  WalkResult result = body.walk([&](Operation *op) -> WalkResult {
    if (!isLegalOnCore(op, kind)) {
      const char *what = op->hasTrait<CubeOnly>() ? "cube" : "vector";
      InFlightDiagnostic diag =
          op->emitOpError("is a ")
          << what << " op and cannot run in a " << stringifyCoreKind(kind)
          << " scope";
      diag.attachNote(getLoc()) << "core scope is here";
      return WalkResult::interrupt();
    }
    for (Value operand : op->getOperands()) {
      if (!isa<TileType>(operand.getType()))
        continue;
      // An operand whose definition is not (yet) in a region, as in IR that
      // uses a value before defining it, is left to the dominance check.
      Region *defRegion = operand.getParentRegion();
      if (!defRegion)
        continue;
      if (!body.isAncestor(defRegion)) {
        InFlightDiagnostic diag = op->emitOpError(
            "uses a tile defined outside its tile.at scope; tiles never "
            "leave the core scope that made them");
        diag.attachNote(getLoc()) << "core scope is here";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// PipelineOp
//===----------------------------------------------------------------------===//

void PipelineOp::build(OpBuilder &builder, OperationState &state, Value lb,
                       Value ub, Value step, int64_t stages,
                       ValueRange initArgs) {
  state.addOperands({lb, ub, step});
  state.addOperands(initArgs);
  state.addAttribute(getStagesAttrName(state.name),
                     builder.getI64IntegerAttr(stages));
  for (Value v : initArgs)
    state.addTypes(v.getType());
  Region *body = state.addRegion();
  Block *block = new Block();
  block->addArgument(builder.getIndexType(), state.location);
  for (Value v : initArgs)
    block->addArgument(v.getType(), v.getLoc());
  body->push_back(block);
  if (initArgs.empty()) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(block);
    YieldOp::create(builder, state.location);
  }
}

// tile.pipeline %i = %lb to %ub step %s stages(2)
//     [iter_args(%a = %init, ...) -> (types)] { ... }
ParseResult PipelineOp::parse(OpAsmParser &parser, OperationState &result) {
  Builder &b = parser.getBuilder();
  Type indexType = b.getIndexType();
  OpAsmParser::Argument iv;
  iv.type = indexType;
  OpAsmParser::UnresolvedOperand lb, ub, step;
  int64_t stages;
  if (parser.parseArgument(iv) || parser.parseEqual() ||
      parser.parseOperand(lb) || parser.parseKeyword("to") ||
      parser.parseOperand(ub) || parser.parseKeyword("step") ||
      parser.parseOperand(step) || parser.parseKeyword("stages") ||
      parser.parseLParen() || parser.parseInteger(stages) ||
      parser.parseRParen())
    return failure();
  if (parser.resolveOperand(lb, indexType, result.operands) ||
      parser.resolveOperand(ub, indexType, result.operands) ||
      parser.resolveOperand(step, indexType, result.operands))
    return failure();
  result.addAttribute(getStagesAttrName(result.name),
                      b.getI64IntegerAttr(stages));

  SmallVector<OpAsmParser::Argument> regionArgs{iv};
  SmallVector<OpAsmParser::UnresolvedOperand> inits;
  if (succeeded(parser.parseOptionalKeyword("iter_args"))) {
    if (parser.parseAssignmentList(regionArgs, inits) ||
        parser.parseArrowTypeList(result.types))
      return failure();
    if (regionArgs.size() != result.types.size() + 1)
      return parser.emitError(parser.getNameLoc())
             << "iter_args has " << regionArgs.size() - 1
             << " values but the result list has " << result.types.size()
             << " types";
    for (auto [arg, type] : llvm::zip(llvm::drop_begin(regionArgs),
                                      result.types))
      arg.type = type;
    if (parser.resolveOperands(inits, result.types, parser.getNameLoc(),
                               result.operands))
      return failure();
  }
  if (parser.parseOptionalAttrDictWithKeyword(result.attributes))
    return failure();
  Region *body = result.addRegion();
  if (parser.parseRegion(*body, regionArgs))
    return failure();
  PipelineOp::ensureTerminator(*body, b, result.location);
  return success();
}

void PipelineOp::print(OpAsmPrinter &p) {
  p << ' ' << getInductionVar() << " = " << getLowerBound() << " to "
    << getUpperBound() << " step " << getStep() << " stages(" << getStages()
    << ')';
  if (!getInitArgs().empty()) {
    p << " iter_args(";
    llvm::interleaveComma(llvm::zip(getIterArgs(), getInitArgs()), p,
                          [&](auto pair) {
                            p << std::get<0>(pair) << " = "
                              << std::get<1>(pair);
                          });
    p << ") -> (" << getResultTypes() << ')';
  }
  p.printOptionalAttrDictWithKeyword((*this)->getAttrs(),
                                     {getStagesAttrName()});
  p << ' ';
  p.printRegion(getBody(), /*printEntryBlockArgs=*/false,
                /*printBlockTerminators=*/!getInitArgs().empty());
}

// The body's signature and terminator are checked here rather than in a
// region verifier: LoopLikeOpInterface's own region checks run before any
// region verifier and assume them.
LogicalResult PipelineOp::verify() {
  if (getInitArgs().size() != getNumResults())
    return emitOpError("has ")
           << getInitArgs().size() << " iter_args but " << getNumResults()
           << " results";
  for (auto [i, init, res] :
       llvm::enumerate(getInitArgs().getTypes(), getResultTypes()))
    if (init != res)
      return emitOpError("iter_arg #")
             << i << " has type " << init << " but result #" << i
             << " has type " << res;
  if (std::optional<int64_t> step = getConstantIntValue(getStep()))
    if (*step <= 0)
      return emitOpError("step must be positive, got ") << *step;

  for (auto [i, init] : llvm::enumerate(getInitArgs()))
    if (Region *defRegion = init.getParentRegion();
        defRegion && getBody().isAncestor(defRegion))
      return emitOpError("iter_args initial value #")
             << i << " is defined inside the tile.pipeline's own body";

  Block &body = getBodyBlock();
  if (body.getNumArguments() != getNumIterArgs() + 1)
    return emitOpError("body must take the induction variable and ")
           << getNumIterArgs() << " iter_args (" << getNumIterArgs() + 1
           << " arguments), got " << body.getNumArguments();
  if (!body.getArgument(0).getType().isIndex())
    return emitOpError("induction variable must be index, got ")
           << body.getArgument(0).getType();
  for (auto [i, arg, res] :
       llvm::enumerate(ValueRange(getIterArgs()).getTypes(), getResultTypes()))
    if (arg != res)
      return emitOpError("region iter_arg #")
             << i << " has type " << arg << " but result #" << i
             << " has type " << res;
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return success(); // SingleBlockImplicitTerminator has reported it.
  if (yield.getNumOperands() != getNumResults()) {
    InFlightDiagnostic diag = yield.emitOpError("yields ")
                              << yield.getNumOperands()
                              << " values but the enclosing tile.pipeline "
                                 "carries "
                              << getNumResults();
    diag.attachNote(getLoc()) << "tile.pipeline is here";
    return diag;
  }
  for (auto [i, got, want] : llvm::enumerate(yield.getOperands().getTypes(),
                                             getResultTypes())) {
    if (got == want)
      continue;
    InFlightDiagnostic diag = yield.emitOpError("yielded value #")
                              << i << " has type " << got
                              << " but the enclosing tile.pipeline carries "
                              << want;
    diag.attachNote(getLoc()) << "tile.pipeline is here";
    return diag;
  }
  return success();
}

SmallVector<Region *> PipelineOp::getLoopRegions() { return {&getBody()}; }

std::optional<SmallVector<Value>> PipelineOp::getLoopInductionVars() {
  return SmallVector<Value>{getInductionVar()};
}

std::optional<SmallVector<OpFoldResult>> PipelineOp::getLoopLowerBounds() {
  return SmallVector<OpFoldResult>{OpFoldResult(getLowerBound())};
}

std::optional<SmallVector<OpFoldResult>> PipelineOp::getLoopUpperBounds() {
  return SmallVector<OpFoldResult>{OpFoldResult(getUpperBound())};
}

std::optional<SmallVector<OpFoldResult>> PipelineOp::getLoopSteps() {
  return SmallVector<OpFoldResult>{OpFoldResult(getStep())};
}

Block::BlockArgListType PipelineOp::getRegionIterArgs() { return getIterArgs(); }

MutableArrayRef<OpOperand> PipelineOp::getInitsMutable() {
  return getInitArgsMutable();
}

std::optional<MutableArrayRef<OpOperand>>
PipelineOp::getYieldedValuesMutable() {
  return cast<YieldOp>(getBodyBlock().getTerminator()).getOperandsMutable();
}

std::optional<ResultRange> PipelineOp::getLoopResults() { return getResults(); }

//===----------------------------------------------------------------------===//
// YieldOp
//===----------------------------------------------------------------------===//

// Region ops other than tile.pipeline carry no values.
static LogicalResult verifyYieldInNonLoop(YieldOp op) {
  if (!isa<PipelineOp>(op->getParentOp()) && op.getNumOperands() != 0)
    return op.emitOpError("in '")
           << op->getParentOp()->getName() << "' must not yield values, got "
           << op.getNumOperands();
  return success();
}

LogicalResult YieldOp::verify() { return verifyYieldInNonLoop(*this); }

//===----------------------------------------------------------------------===//
// AllocGmOp
//===----------------------------------------------------------------------===//

LogicalResult AllocGmOp::verify() {
  if (Operation *scope = (*this)->getParentOfType<SpmdOp>())
    return emitOpError("must be outside every tile.spmd: GM scratch lives for "
                       "the whole kernel")
               .attachNote(scope->getLoc())
           << "enclosing tile.spmd is here";
  Type elt = getType().getElementType();
  if (!isLegalTileElementType(elt))
    return emitOpError("element type must be bf16, f16, f32, i8, i32 or i64, got ")
           << elt;
  return success();
}

//===----------------------------------------------------------------------===//
// LoadOp / StoreOp
//===----------------------------------------------------------------------===//

/// The slice a 2-D tile covers in a memref of rank `rank`: unit leading
/// dimensions when the memref has higher rank, and the single row of a 1-D
/// memref. Pure (no diagnostics), so that passes may call it on verified ops;
/// on a malformed pair it still returns `rank` sizes.
static SmallVector<int64_t> sliceSizes(int64_t rank, TileType tile) {
  ArrayRef<int64_t> shape = tile.getShape();
  if (rank <= 0)
    return {};
  if (rank == 1)
    return {shape.back()};
  SmallVector<int64_t> sizes(rank - 2, 1);
  sizes.append(shape.begin(), shape.end());
  return sizes;
}

//===----------------------------------------------------------------------===//
// Valid shapes (partial tiles)
//===----------------------------------------------------------------------===//

// `valid [4, %vc]`: absent on a full tile. Upstream's mixed static / dynamic
// index list (ViewLikeInterface's parseDynamicIndexList).
static ParseResult
parseValidShape(OpAsmParser &parser,
                SmallVectorImpl<OpAsmParser::UnresolvedOperand> &values,
                DenseI64ArrayAttr &statics) {
  if (failed(parser.parseOptionalKeyword("valid")))
    return success();
  return parseDynamicIndexList(parser, values, statics,
                               /*valueTypes=*/nullptr,
                               AsmParser::Delimiter::Square);
}

static void printValidShape(OpAsmPrinter &p, Operation *op, OperandRange values,
                            DenseI64ArrayAttr statics) {
  // The format puts no space before this directive: an absent valid shape
  // prints nothing.
  if (!statics)
    return;
  p << " valid ";
  printDynamicIndexList(p, op, values, statics.asArrayRef());
}

/// Valid extent `d` of a static list with its dynamic values.
static OpFoldResult validSize(Builder b, DenseI64ArrayAttr statics,
                              OperandRange values, TileType tile, unsigned d) {
  if (!statics)
    return b.getIndexAttr(tile.getShape()[d]);
  SmallVector<OpFoldResult> mixed =
      getMixedValues(statics.asArrayRef(), values, b);
  return mixed[d];
}

/// Checks `valid [...]` against the tile: two extents, as many runtime values
/// as `?` entries, each constant extent in 1..size.
static LogicalResult verifyValid(Operation *op, TileType tile,
                                 DenseI64ArrayAttr statics,
                                 OperandRange values) {
  if (!statics) {
    if (!values.empty())
      return op->emitOpError("has valid-shape values but no valid shape");
    return success();
  }
  ArrayRef<int64_t> v = statics.asArrayRef();
  if (v.size() != 2)
    return op->emitOpError("valid shape has ")
           << v.size() << " extents, but a tile has 2 (rows, cols)";
  int64_t dynamic = llvm::count_if(v, ShapedType::isDynamic);
  if (dynamic != static_cast<int64_t>(values.size()))
    return op->emitOpError("valid shape has ")
           << dynamic << " runtime extents but " << values.size()
           << " values";
  static const char *names[] = {"rows", "cols"};
  for (auto [d, e] : llvm::enumerate(v)) {
    if (ShapedType::isDynamic(e))
      continue;
    int64_t size = tile.getShape()[d];
    if (e < 1 || e > size)
      return op->emitOpError("valid ")
             << names[d] << " " << e << " outside the tile's 1.." << size
             << " (" << tile << ")";
  }
  return success();
}

/// `sizes` (the tile's, in the memref's rank) with the static valid extents
/// in place of the tile's last two dimensions.
static SmallVector<int64_t> validSliceSizes(SmallVector<int64_t> sizes,
                                            DenseI64ArrayAttr statics) {
  if (!statics || statics.size() != 2 || sizes.empty())
    return sizes;
  ArrayRef<int64_t> v = statics.asArrayRef();
  size_t n = sizes.size();
  if (n == 1) {
    if (!ShapedType::isDynamic(v[1]))
      sizes[0] = v[1];
    return sizes;
  }
  for (unsigned d = 0; d < 2; ++d)
    if (!ShapedType::isDynamic(v[d]))
      sizes[n - 2 + d] = v[d];
  return sizes;
}

SmallVector<int64_t> LoadOp::getWindowSizes() {
  return sliceSizes(getMemRefType().getRank(), getTileType());
}

SmallVector<int64_t> StoreOp::getWindowSizes() {
  return sliceSizes(getMemRefType().getRank(), getTileType());
}

SmallVector<int64_t> LoadOp::getSliceSizes() {
  return validSliceSizes(getWindowSizes(), getStaticValidAttr());
}

SmallVector<int64_t> StoreOp::getSliceSizes() {
  return validSliceSizes(getWindowSizes(), getStaticValidAttr());
}

OpFoldResult LoadOp::getValidSize(unsigned d) {
  return validSize(Builder(getContext()), getStaticValidAttr(), getValid(),
                   getTileType(), d);
}

OpFoldResult StoreOp::getValidSize(unsigned d) {
  return validSize(Builder(getContext()), getStaticValidAttr(), getValid(),
                   getTileType(), d);
}

OpFoldResult FillPadOp::getValidSize(unsigned d) {
  return validSize(Builder(getContext()), getStaticValidAttr(), getValid(),
                   getTileType(), d);
}

LogicalResult FillPadOp::verify() {
  return verifyValid(*this, getTileType(), getStaticValidAttr(), getValid());
}

/// Which memref dimensions have a runtime valid extent (their bounds are
/// checked by tile-check-races, which knows the extent's value).
static SmallVector<bool> dynamicValidDims(int64_t rank,
                                          DenseI64ArrayAttr statics) {
  SmallVector<bool> out(std::max<int64_t>(rank, 0), false);
  if (!statics || statics.size() != 2 || rank <= 0)
    return out;
  ArrayRef<int64_t> v = statics.asArrayRef();
  if (rank == 1) {
    out[0] = ShapedType::isDynamic(v[1]);
    return out;
  }
  out[rank - 2] = ShapedType::isDynamic(v[0]);
  out[rank - 1] = ShapedType::isDynamic(v[1]);
  return out;
}

static LogicalResult verifyAccess(Operation *op, MemRefType memref,
                                  TileType tile, ValueRange indices,
                                  DenseI64ArrayAttr statics,
                                  OperandRange validValues) {
  if (failed(verifyValid(op, tile, statics, validValues)))
    return failure();
  if (memref.getElementType() != tile.getElementType())
    return op->emitOpError("element type mismatch: memref holds ")
           << memref.getElementType() << " but the tile holds "
           << tile.getElementType();
  int64_t rank = memref.getRank();
  if (static_cast<int64_t>(indices.size()) != rank)
    return op->emitOpError("expected ")
           << rank << " indices for " << memref << ", got " << indices.size();
  if (rank == 0)
    return op->emitOpError("expected a memref of rank 1 or more, got ")
           << memref;
  if (rank == 1 && tile.getRows() != 1)
    return op->emitOpError("a 1-D memref holds 1 x N tiles, got a ")
           << tile.getRows() << " x " << tile.getCols() << " tile";
  if (rank == 1 && statics && statics.size() == 2 &&
      statics.asArrayRef()[0] != 1)
    return op->emitOpError("a 1-D memref holds 1 x N tiles, got valid rows ")
           << statics.asArrayRef()[0];
  // A partial tile's window may run past the memref: only its valid region
  // (static extents here, runtime ones in tile-check-races) must fit.
  SmallVector<int64_t> sizes = validSliceSizes(sliceSizes(rank, tile), statics);
  SmallVector<bool> dynamicDims = dynamicValidDims(rank, statics);
  ArrayRef<int64_t> dims = memref.getShape();
  for (auto [d, size] : llvm::enumerate(sizes)) {
    if (dynamicDims[d])
      continue;
    if (size > dims[d])
      return op->emitOpError("slice ")
             << shapeString(sizes) << " does not fit " << memref
             << " in dimension " << d << ": " << size << " > " << dims[d];
    std::optional<int64_t> offset = getConstantIntValue(indices[d]);
    if (!offset)
      continue;
    if (*offset < 0)
      return op->emitOpError("index ")
             << d << " must be non-negative, got " << *offset;
    // offset + size > dims[d], written so that it cannot overflow.
    if (*offset > dims[d] - size)
      return op->emitOpError("slice ")
             << shapeString(sizes) << " at offset " << *offset
             << " is out of bounds of " << memref << " in dimension " << d
             << ": " << *offset << " + " << size << " > " << dims[d];
  }
  return success();
}

LogicalResult LoadOp::verify() {
  return verifyAccess(*this, getMemRefType(), getTileType(), getIndices(),
                      getStaticValidAttr(), getValid());
}

LogicalResult StoreOp::verify() {
  return verifyAccess(*this, getMemRefType(), getTileType(), getIndices(),
                      getStaticValidAttr(), getValid());
}

//===----------------------------------------------------------------------===//
// FullOp
//===----------------------------------------------------------------------===//

// tile.full 0.0 : !tile.tile<1x16xf32>
// tile.full -128 : !tile.tile<16x32xi8>
// tile.full -inf : !tile.tile<16x1xf32>
//
// The value is written without a type and takes the tile's element type:
// an integer or float literal for float tiles (`inf` and `nan` for the
// non-finite values), an integer literal for integer tiles. A value that does
// not fit the element type is an error here, never silently wrapped or
// rounded to infinity.
ParseResult FullOp::parse(OpAsmParser &parser, OperationState &result) {
  SMLoc loc = parser.getCurrentLocation();
  bool negative = succeeded(parser.parseOptionalMinus());
  enum class Kind { Integer, Float, Inf, NaN } kind;
  APInt magnitude;
  double fvalue = 0;
  if (succeeded(parser.parseOptionalKeyword("inf"))) {
    kind = Kind::Inf;
  } else if (succeeded(parser.parseOptionalKeyword("nan"))) {
    kind = Kind::NaN;
  } else {
    SMLoc numberLoc = parser.getCurrentLocation();
    OptionalParseResult intResult = parser.parseOptionalInteger(magnitude);
    if (intResult.has_value()) {
      if (failed(*intResult))
        return failure();
      // parseOptionalInteger keeps a zero sign bit on what it read; a set one
      // means it consumed a second '-' (or read `true`).
      if (magnitude.isNegative())
        return parser.emitError(numberLoc, "expected a number");
      kind = Kind::Integer;
    } else {
      if (parser.parseFloat(fvalue))
        return failure();
      kind = Kind::Float;
    }
  }
  Type type;
  if (parser.parseOptionalAttrDict(result.attributes) ||
      parser.parseColonType(type))
    return failure();
  auto tile = dyn_cast<TileType>(type);
  if (!tile)
    return parser.emitError(loc, "expected a tile type, got ") << type;
  Type elt = tile.getElementType();
  TypedAttr value;
  if (auto ft = dyn_cast<FloatType>(elt)) {
    const llvm::fltSemantics &sem = ft.getFloatSemantics();
    APFloat v(sem);
    APFloat::opStatus status = APFloat::opOK;
    bool losesInfo = false;
    switch (kind) {
    case Kind::Inf:
      v = APFloat::getInf(sem);
      break;
    case Kind::NaN:
      v = APFloat::getQNaN(sem);
      break;
    case Kind::Integer:
      // The magnitude is non-negative (parseOptionalInteger keeps a zero sign
      // bit), so convert it as unsigned.
      status = v.convertFromAPInt(magnitude, /*IsSigned=*/false,
                                  APFloat::rmNearestTiesToEven);
      break;
    case Kind::Float:
      v = APFloat(fvalue);
      status = v.convert(sem, APFloat::rmNearestTiesToEven, &losesInfo);
      break;
    }
    // A finite literal too large for a double reads as infinity.
    if (kind == Kind::Float && std::isinf(fvalue))
      status = APFloat::opOverflow;
    if (status & APFloat::opOverflow) {
      SmallString<32> text, largest;
      if (kind == Kind::Integer)
        magnitude.toStringUnsigned(text);
      else if (!std::isinf(fvalue))
        APFloat(fvalue).toString(text, /*FormatPrecision=*/0,
                                 /*FormatMaxPadding=*/10);
      APFloat::getLargest(sem).toString(largest, /*FormatPrecision=*/0,
                                        /*FormatMaxPadding=*/10);
      InFlightDiagnostic diag = parser.emitError(loc, "value ");
      if (!text.empty())
        diag << (negative ? "-" : "") << text << ' ';
      return diag << "does not fit in " << elt
                  << ": its largest finite value is " << largest;
    }
    if (negative)
      v.changeSign();
    value = FloatAttr::get(ft, v);
  } else {
    if (kind != Kind::Integer)
      return parser.emitError(loc, "expected an integer value for a tile of ")
             << elt;
    unsigned width = elt.getIntOrFloatBitWidth();
    // Two more bits than either side needs: the sign and the negation.
    unsigned wide = std::max(magnitude.getBitWidth(), width) + 2;
    APInt v = magnitude.zext(wide);
    if (negative)
      v.negate();
    if (!v.isSignedIntN(width)) {
      SmallString<32> text;
      v.toStringSigned(text);
      return parser.emitError(loc, "value ")
             << text << " does not fit in " << elt << ": expected ["
             << APInt::getSignedMinValue(width).getSExtValue() << ", "
             << APInt::getSignedMaxValue(width).getSExtValue() << "]";
    }
    value = IntegerAttr::get(elt, v.trunc(width));
  }
  result.addAttribute(getValueAttrName(result.name), value);
  result.addTypes(tile);
  return success();
}

void FullOp::print(OpAsmPrinter &p) {
  p << ' ';
  auto floatAttr = dyn_cast<FloatAttr>(getValue());
  if (floatAttr && floatAttr.getValue().isInfinity())
    p << (floatAttr.getValue().isNegative() ? "-inf" : "inf");
  else if (floatAttr && floatAttr.getValue().isNaN())
    p << "nan";
  else
    p.printAttributeWithoutType(getValue());
  p.printOptionalAttrDict((*this)->getAttrs(), {getValueAttrName()});
  p << " : " << getType();
}

LogicalResult FullOp::verify() {
  Type elt = tileOf(getResult()).getElementType();
  if (getValue().getType() != elt)
    return emitOpError("value of type ")
           << getValue().getType() << " does not match the element type "
           << elt;
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  TileType in = tileOf(getInput()), out = tileOf(getResult());
  if (in.getElementType() != out.getElementType())
    return emitOpError("cannot change the element type: ")
           << in.getElementType() << " -> " << out.getElementType();
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("element count changes: ")
           << shapeString(in.getShape()) << " has " << in.getNumElements()
           << " elements, " << shapeString(out.getShape()) << " has "
           << out.getNumElements();
  return success();
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

namespace {
/// One legal conversion of AscendC's `Cast` and the modes it accepts.
struct CastRule {
  enum Elt { BF16, F16, F32, I8, I32, I64 };
  Elt from, to;
  unsigned modes; // bit i set = RoundMode(i) allowed
};
} // namespace

static constexpr unsigned bit(RoundMode m) {
  return 1u << static_cast<unsigned>(m);
}
static constexpr unsigned kRounding = bit(RoundMode::rint) |
                                      bit(RoundMode::round) |
                                      bit(RoundMode::trunc) |
                                      bit(RoundMode::floor) |
                                      bit(RoundMode::ceil);
static constexpr unsigned kNone = bit(RoundMode::none);

static constexpr CastRule kCastRules[] = {
    {CastRule::F32, CastRule::F16, kNone | kRounding},
    {CastRule::F32, CastRule::BF16, kNone | kRounding},
    {CastRule::F32, CastRule::I32, kRounding},
    {CastRule::F32, CastRule::F32, kRounding},
    {CastRule::F16, CastRule::I32, kRounding},
    {CastRule::F16, CastRule::I8, kNone | kRounding},
    {CastRule::F16, CastRule::F32, kNone},
    {CastRule::BF16, CastRule::F32, kNone},
    {CastRule::I8, CastRule::F16, kNone},
    {CastRule::I32, CastRule::F32, kNone | kRounding},
    {CastRule::I32, CastRule::F16, kRounding},
    // INT64 / INDEX tiles (the CPU simulation): sign extension, and the
    // wrapping truncation torch's .to(torch.int32) does.
    {CastRule::I32, CastRule::I64, kNone},
    {CastRule::I64, CastRule::I32, kNone},
};

static Type eltType(MLIRContext *ctx, CastRule::Elt e) {
  switch (e) {
  case CastRule::BF16:
    return BFloat16Type::get(ctx);
  case CastRule::F16:
    return Float16Type::get(ctx);
  case CastRule::F32:
    return Float32Type::get(ctx);
  case CastRule::I8:
    return IntegerType::get(ctx, 8);
  case CastRule::I32:
    return IntegerType::get(ctx, 32);
  case CastRule::I64:
    return IntegerType::get(ctx, 64);
  }
  llvm_unreachable("unknown element class");
}

static std::optional<CastRule::Elt> classify(Type t) {
  if (t.isBF16())
    return CastRule::BF16;
  if (t.isF16())
    return CastRule::F16;
  if (t.isF32())
    return CastRule::F32;
  if (t.isSignlessInteger(8))
    return CastRule::I8;
  if (t.isSignlessInteger(32))
    return CastRule::I32;
  if (t.isSignlessInteger(64))
    return CastRule::I64;
  return std::nullopt;
}

LogicalResult CastOp::verify() {
  TileType in = tileOf(getInput()), out = tileOf(getResult());
  if (in.getShape() != out.getShape())
    return emitOpError("cannot change the shape: ")
           << shapeString(in.getShape()) << " -> "
           << shapeString(out.getShape());
  Type from = in.getElementType(), to = out.getElementType();
  std::optional<CastRule::Elt> f = classify(from), t = classify(to);
  const CastRule *rule = nullptr;
  for (const CastRule &r : kCastRules)
    if (f && t && r.from == *f && r.to == *t)
      rule = &r;
  if (!rule) {
    InFlightDiagnostic diag = emitOpError("no ")
                              << from << " -> " << to
                              << " conversion on the vector unit; ";
    SmallVector<Type> targets;
    for (const CastRule &r : kCastRules)
      if (f && r.from == *f)
        targets.push_back(eltType(getContext(), r.to));
    diag << "expected " << from << " -> one of ";
    llvm::interleaveComma(targets, diag);
    return diag;
  }
  if (!(rule->modes & bit(getMode()))) {
    std::string legal;
    llvm::raw_string_ostream os(legal);
    bool first = true;
    for (unsigned m = 0; m <= static_cast<unsigned>(RoundMode::ceil); ++m)
      if (rule->modes & (1u << m)) {
        os << (first ? "" : ", ") << stringifyRoundMode(RoundMode(m));
        first = false;
      }
    return emitOpError("rounding mode '")
           << stringifyRoundMode(getMode()) << "' is not legal for " << from
           << " -> " << to << "; expected one of: " << legal;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Broadcasts and reductions
//===----------------------------------------------------------------------===//

static LogicalResult verifyExpand(Operation *op, TileType in, TileType scale,
                                  bool perRow) {
  if (in.getElementType() != scale.getElementType())
    return op->emitOpError("scale element type ")
           << scale.getElementType() << " does not match the tile's "
           << in.getElementType();
  SmallVector<int64_t> want = perRow
                                  ? SmallVector<int64_t>{in.getRows(), 1}
                                  : SmallVector<int64_t>{1, in.getCols()};
  if (scale.getShape() != ArrayRef<int64_t>(want))
    return op->emitOpError("scale must be ")
           << shapeString(want) << " for a " << shapeString(in.getShape())
           << " tile, got " << shapeString(scale.getShape());
  return success();
}

LogicalResult RowExpandMulOp::verify() {
  return verifyExpand(*this, tileOf(getInput()), tileOf(getScale()),
                      /*perRow=*/true);
}

LogicalResult ColExpandMulOp::verify() {
  return verifyExpand(*this, tileOf(getInput()), tileOf(getScale()),
                      /*perRow=*/false);
}

std::optional<ExpandInfo> tessel::tile::getExpandInfo(Operation *op) {
  using A = ExpandArith;
  return llvm::TypeSwitch<Operation *, std::optional<ExpandInfo>>(op)
      .Case([](RowExpandAddOp) { return ExpandInfo{true, A::Add, "TROWEXPANDADD"}; })
      .Case([](RowExpandSubOp) { return ExpandInfo{true, A::Sub, "TROWEXPANDSUB"}; })
      .Case([](RowExpandMulOp) { return ExpandInfo{true, A::Mul, "TROWEXPANDMUL"}; })
      .Case([](RowExpandDivOp) { return ExpandInfo{true, A::Div, "TROWEXPANDDIV"}; })
      .Case([](RowExpandMaxOp) { return ExpandInfo{true, A::Max, "TROWEXPANDMAX"}; })
      .Case([](RowExpandMinOp) { return ExpandInfo{true, A::Min, "TROWEXPANDMIN"}; })
      .Case([](RowExpandExpdifOp) { return ExpandInfo{true, A::Expdif, "TROWEXPANDEXPDIF"}; })
      .Case([](ColExpandAddOp) { return ExpandInfo{false, A::Add, "TCOLEXPANDADD"}; })
      .Case([](ColExpandSubOp) { return ExpandInfo{false, A::Sub, "TCOLEXPANDSUB"}; })
      .Case([](ColExpandMulOp) { return ExpandInfo{false, A::Mul, "TCOLEXPANDMUL"}; })
      .Case([](ColExpandDivOp) { return ExpandInfo{false, A::Div, "TCOLEXPANDDIV"}; })
      .Case([](ColExpandMaxOp) { return ExpandInfo{false, A::Max, "TCOLEXPANDMAX"}; })
      .Case([](ColExpandMinOp) { return ExpandInfo{false, A::Min, "TCOLEXPANDMIN"}; })
      .Case([](ColExpandExpdifOp) { return ExpandInfo{false, A::Expdif, "TCOLEXPANDEXPDIF"}; })
      .Default([](Operation *) { return std::nullopt; });
}

#define TESSEL_EXPAND_VERIFIER(OP, PER_ROW)                                    \
  LogicalResult OP::verify() {                                                 \
    return verifyExpand(*this, tileOf(getInput()), tileOf(getScale()),         \
                        PER_ROW);                                              \
  }
TESSEL_EXPAND_VERIFIER(RowExpandAddOp, true)
TESSEL_EXPAND_VERIFIER(RowExpandSubOp, true)
TESSEL_EXPAND_VERIFIER(RowExpandDivOp, true)
TESSEL_EXPAND_VERIFIER(RowExpandMaxOp, true)
TESSEL_EXPAND_VERIFIER(RowExpandMinOp, true)
TESSEL_EXPAND_VERIFIER(RowExpandExpdifOp, true)
TESSEL_EXPAND_VERIFIER(ColExpandAddOp, false)
TESSEL_EXPAND_VERIFIER(ColExpandSubOp, false)
TESSEL_EXPAND_VERIFIER(ColExpandDivOp, false)
TESSEL_EXPAND_VERIFIER(ColExpandMaxOp, false)
TESSEL_EXPAND_VERIFIER(ColExpandMinOp, false)
TESSEL_EXPAND_VERIFIER(ColExpandExpdifOp, false)
#undef TESSEL_EXPAND_VERIFIER

/// tile.row_expand / tile.col_expand: same element type, the input is the
/// result's one column (row) M x 1 (1 x N).
static LogicalResult verifyBroadcast(Operation *op, TileType in, TileType out,
                                     bool perRow) {
  if (in.getElementType() != out.getElementType())
    return op->emitOpError("result element type ")
           << out.getElementType() << " does not match the input's "
           << in.getElementType();
  SmallVector<int64_t> want = perRow
                                  ? SmallVector<int64_t>{out.getRows(), 1}
                                  : SmallVector<int64_t>{1, out.getCols()};
  if (in.getShape() != ArrayRef<int64_t>(want))
    return op->emitOpError("input must be ")
           << shapeString(want) << " for a " << shapeString(out.getShape())
           << " result, got " << shapeString(in.getShape());
  return success();
}

LogicalResult RowExpandOp::verify() {
  return verifyBroadcast(*this, tileOf(getInput()), tileOf(getResult()),
                         /*perRow=*/true);
}

LogicalResult ColExpandOp::verify() {
  return verifyBroadcast(*this, tileOf(getInput()), tileOf(getResult()),
                         /*perRow=*/false);
}

LogicalResult ArangeOp::verify() {
  TileType type = tileOf(getResult());
  int64_t first = getStart(), last = first + type.getNumElements() - 1;
  Type elt = type.getElementType();
  // Every value must be exact in the element type: 2^24 for f32, 2^11 for
  // f16, the i32 range for i32.
  int64_t limit = elt.isF16() ? (1 << 11) : elt.isF32() ? (1 << 24)
                                                       : (int64_t(1) << 31);
  if (first < -limit || last >= limit)
    return emitOpError("values ")
           << first << " .. " << last << " are not all exact in " << elt;
  return success();
}

//===----------------------------------------------------------------------===//
// Sub-tiles
//===----------------------------------------------------------------------===//

/// A `sub`-shaped window at (row, col) of a `whole` tile: same element type,
/// fits, and constant offsets keep it inside.
static LogicalResult verifySubTile(Operation *op, TileType sub,
                                   TileType whole, Value row, Value col,
                                   StringRef subName, StringRef wholeName) {
  if (sub.getElementType() != whole.getElementType())
    return op->emitOpError()
           << subName << " element type " << sub.getElementType()
           << " does not match the " << wholeName << "'s "
           << whole.getElementType();
  Value offsets[2] = {row, col};
  for (int d = 0; d < 2; ++d) {
    int64_t size = sub.getShape()[d], dim = whole.getShape()[d];
    if (size > dim)
      return op->emitOpError()
             << subName << " " << shapeString(sub.getShape())
             << " does not fit the " << wholeName << " "
             << shapeString(whole.getShape());
    std::optional<int64_t> offset = getConstantIntValue(offsets[d]);
    if (offset && (*offset < 0 || *offset + size > dim))
      return op->emitOpError()
             << subName << " " << shapeString(sub.getShape()) << " at "
             << (d == 0 ? "row" : "column") << " " << *offset
             << " leaves the " << wholeName << " "
             << shapeString(whole.getShape()) << " (" << *offset << " + "
             << size << " > " << dim << ")";
  }
  return success();
}

LogicalResult ExtractOp::verify() {
  return verifySubTile(*this, tileOf(getResult()), tileOf(getSource()),
                       getRow(), getCol(), "result", "source");
}

LogicalResult InsertOp::verify() {
  return verifySubTile(*this, tileOf(getSource()), tileOf(getDest()),
                       getRow(), getCol(), "source", "dest");
}

static LogicalResult verifyRowReduce(Operation *op, TileType in,
                                     TileType out) {
  if (in.getElementType() != out.getElementType())
    return op->emitOpError("result element type ")
           << out.getElementType() << " does not match the input's "
           << in.getElementType();
  if (out.getRows() != in.getRows() || out.getCols() != 1)
    return op->emitOpError("result must be [")
           << in.getRows() << ", 1], got " << shapeString(out.getShape());
  return success();
}

LogicalResult RowSumOp::verify() {
  return verifyRowReduce(*this, tileOf(getInput()), tileOf(getResult()));
}

LogicalResult RowMaxOp::verify() {
  return verifyRowReduce(*this, tileOf(getInput()), tileOf(getResult()));
}

//===----------------------------------------------------------------------===//
// GatherOp / ScatterOp
//===----------------------------------------------------------------------===//

/// GatherMask moves 16- or 32-bit elements.
static LogicalResult verifyMaskElement(Operation *op, Type elt) {
  unsigned width = elt.getIntOrFloatBitWidth();
  if (width != 16 && width != 32)
    return op->emitOpError("mask patterns move 16- or 32-bit elements, got ")
           << elt;
  return success();
}

/// `wide` is M x 2K and `narrow` is M x K of the same element type.
static LogicalResult verifyHalfWidth(Operation *op, TileType wide,
                                     TileType narrow, StringRef wideName,
                                     StringRef narrowName) {
  if (wide.getElementType() != narrow.getElementType())
    return op->emitOpError("element type mismatch: ")
           << wideName << " holds " << wide.getElementType() << ", "
           << narrowName << " holds " << narrow.getElementType();
  if (failed(verifyMaskElement(op, wide.getElementType())))
    return failure();
  if (wide.getCols() % 2 != 0)
    return op->emitOpError("the ")
           << wideName << " needs an even number of columns, got "
           << wide.getCols();
  if (narrow.getRows() != wide.getRows() ||
      narrow.getCols() * 2 != wide.getCols())
    return op->emitOpError("pattern keeps every other column: ")
           << wideName << " " << shapeString(wide.getShape()) << " needs "
           << narrowName << " [" << wide.getRows() << ", "
           << wide.getCols() / 2 << "], got "
           << shapeString(narrow.getShape());
  return success();
}

LogicalResult GatherOp::verify() {
  // The result may reinterpret the kept elements as another type of the
  // same width (PyPTO's output_dtype=, e.g. the index bits of sort32 pairs
  // as i32): pto-isa's TGATHER mask form copies bits.
  TileType in = tileOf(getInput()), out = tileOf(getResult());
  if (in.getElementType() != out.getElementType()) {
    if (in.getElementType().getIntOrFloatBitWidth() !=
        out.getElementType().getIntOrFloatBitWidth())
      return emitOpError("a gather reinterprets elements as a type of the "
                         "same width only: input holds ")
             << in.getElementType() << ", result " << out.getElementType();
    out = TileType::get(getContext(), out.getShape(), in.getElementType());
  }
  return verifyHalfWidth(*this, in, out, "input", "result");
}

LogicalResult ScatterOp::verify() {
  return verifyHalfWidth(*this, tileOf(getDest()), tileOf(getSource()),
                         "destination", "source");
}

//===----------------------------------------------------------------------===//
// GatherIndexOp / ScatterIndexOp
//===----------------------------------------------------------------------===//

/// `index` is an i32 tile with the rows of `data` and the shape of `other`.
static LogicalResult verifyRowIndex(Operation *op, TileType data,
                                    TileType index, TileType other,
                                    StringRef otherName) {
  if (!index.getElementType().isSignlessInteger(32))
    return op->emitOpError("the index tile holds i32 column indices, got ")
           << index.getElementType();
  if (index.getShape() != other.getShape())
    return op->emitOpError("the index ")
           << shapeString(index.getShape()) << " must have the shape of the "
           << otherName << " " << shapeString(other.getShape());
  if (index.getRows() != data.getRows())
    return op->emitOpError("the index has ")
           << index.getRows() << " rows, the indexed tile "
           << shapeString(data.getShape()) << " has " << data.getRows();
  return success();
}

// %g = tile.gather_index %x, %i : <4x64xf32>, <4x8xi32> -> <4x8xf32>
LogicalResult GatherIndexOp::verify() {
  TileType in = tileOf(getInput()), out = tileOf(getResult());
  if (in.getElementType() != out.getElementType())
    return emitOpError("element type mismatch: input holds ")
           << in.getElementType() << ", result " << out.getElementType();
  return verifyRowIndex(*this, in, tileOf(getIndex()), out, "result");
}

// %y = tile.scatter_index %s, %i into %d : <4x8xf32>, <4x8xi32> -> <4x64xf32>
LogicalResult ScatterIndexOp::verify() {
  TileType src = tileOf(getSource()), dst = tileOf(getDest());
  if (src.getElementType() != dst.getElementType())
    return emitOpError("element type mismatch: source holds ")
           << src.getElementType() << ", destination " << dst.getElementType();
  return verifyRowIndex(*this, dst, tileOf(getIndex()), src, "source");
}

//===----------------------------------------------------------------------===//
// Sort32Op / MrgSortOp / MrgSortListsOp
//===----------------------------------------------------------------------===//

/// Tile elements per 8-byte (value, index) pair: 2 for f32, 4 for f16.
static int64_t pairElements(Type elt) { return 8 / getElementBytes(elt); }

// %s = tile.sort32 %x, %i : <1x64xf32>, <1x64xi32> -> <1x128xf32>
// (32-element blocks; an 8-byte pair is 2 f32 or 4 f16 elements, so 64 f32
// columns -> 128, 64 f16 columns -> 256.)
LogicalResult Sort32Op::verify() {
  TileType in = tileOf(getInput()), idx = tileOf(getIndex()),
           out = tileOf(getResult());
  if (!in.getElementType().isF32() && !in.getElementType().isF16())
    return emitOpError("sorts f16 or f32 values, got ")
           << in.getElementType();
  if (out.getElementType() != in.getElementType())
    return emitOpError("the result holds the input's element type, got ")
           << out.getElementType();
  if (!idx.getElementType().isSignlessInteger(32))
    return emitOpError("the index tile holds 32-bit indices (i32), got ")
           << idx.getElementType();
  if (in.getCols() % 32 != 0)
    return emitOpError("sorts whole blocks of 32: the input has ")
           << in.getCols() << " columns, not a multiple of 32";
  if (idx.getCols() != in.getCols() ||
      (idx.getRows() != in.getRows() && idx.getRows() != 1))
    return emitOpError("the index ")
           << shapeString(idx.getShape()) << " must be [" << in.getRows()
           << ", " << in.getCols() << "] or [1, " << in.getCols() << "]";
  int64_t width = in.getCols() * pairElements(in.getElementType());
  if (out.getRows() != in.getRows() || out.getCols() != width)
    return emitOpError("the result of sorting ")
           << shapeString(in.getShape()) << " is [" << in.getRows() << ", "
           << width << "] (one (value, index) pair per element), got "
           << shapeString(out.getShape());
  return success();
}

/// A one-row f16 / f32 tile of (value, index) pairs.
static LogicalResult verifyPairList(Operation *op, TileType t,
                                    StringRef what) {
  Type elt = t.getElementType();
  if (!elt.isF32() && !elt.isF16())
    return op->emitOpError("merges f16 or f32 (value, index) pairs, the ")
           << what << " holds " << elt;
  if (t.getRows() != 1)
    return op->emitOpError("merges one-row tiles (pto-isa's TMRGSORT), the ")
           << what << " is " << shapeString(t.getShape());
  if (t.getCols() % pairElements(elt) != 0)
    return op->emitOpError("the ")
           << what << " " << shapeString(t.getShape())
           << " does not hold whole (value, index) pairs";
  return success();
}

// %m = tile.mrgsort %s block_len(64) : <1x256xf32> -> <1x256xf32>
// (block_len 64 = 32 f32 pairs per run; a group is 4 runs = 256 columns.)
LogicalResult MrgSortOp::verify() {
  TileType in = tileOf(getInput());
  if (failed(verifyPairList(*this, in, "input")))
    return failure();
  int64_t len = getBlockLen();
  if (len <= 0 || len % 64 != 0)
    return emitOpError("block_len must be a positive multiple of 64, got ")
           << len;
  if (in.getCols() % (4 * len) != 0)
    return emitOpError("merges groups of 4 runs of ")
           << len << " columns: the input's " << in.getCols()
           << " columns are not a multiple of " << 4 * len;
  if (in.getCols() / (4 * len) > 255)
    return emitOpError("at most 255 groups of 4 runs per TMRGSORT, got ")
           << in.getCols() / (4 * len);
  return success();
}

// %m = tile.mrgsort_lists %a, %b : <1x64xf32>, <1x64xf32> -> <1x128xf32>
LogicalResult MrgSortListsOp::verify() {
  size_t n = getInputs().size();
  if (n < 2 || n > 4)
    return emitOpError("merges 2 to 4 lists, got ") << n;
  int64_t total = 0;
  TileType out = tileOf(getResult());
  for (Value v : getInputs()) {
    if (failed(verifyPairList(*this, tileOf(v), "input")))
      return failure();
    if (tileOf(v).getElementType() != out.getElementType())
      return emitOpError("the lists and the result hold one element type, "
                         "got ")
             << tileOf(v).getElementType() << " and "
             << out.getElementType();
    total += tileOf(v).getCols();
  }
  if (failed(verifyPairList(*this, out, "result")))
    return failure();
  if (out.getCols() != total)
    return emitOpError("the result holds every input pair: [1, ")
           << total << "], got " << shapeString(out.getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp / MatmulAccOp
//===----------------------------------------------------------------------===//

TileType tessel::tile::getTransposedType(TileType type) {
  return TileType::get(type.getContext(), {type.getCols(), type.getRows()},
                       type.getElementType());
}

std::optional<MatmulView> tessel::tile::getMatmulView(Operation *op) {
  MatmulView v;
  if (auto mm = dyn_cast<MatmulOp>(op)) {
    v.lhs = mm.getLhs();
    v.rhs = mm.getRhs();
    v.aTrans = mm.getATrans();
    v.bTrans = mm.getBTrans();
  } else if (auto mm = dyn_cast<MatmulAccOp>(op)) {
    v.acc = mm.getAcc();
    v.lhs = mm.getLhs();
    v.rhs = mm.getRhs();
    v.aTrans = mm.getATrans();
    v.bTrans = mm.getBTrans();
  } else {
    return std::nullopt;
  }
  v.lhsType = tileOf(v.lhs);
  v.rhsType = tileOf(v.rhs);
  if (v.aTrans)
    v.lhsType = getTransposedType(v.lhsType);
  if (v.bTrans)
    v.rhsType = getTransposedType(v.rhsType);
  v.m = v.lhsType.getRows();
  v.k = v.lhsType.getCols();
  v.n = v.rhsType.getCols();
  return v;
}

/// The target named by the nearest `tile.target` attribute, a2a3 if none.
static const tessel::TargetInfo &targetOf(Operation *op) {
  for (Operation *cur = op; cur; cur = cur->getParentOp())
    if (auto attr =
            cur->getAttrOfType<TargetAttr>(TileDialect::kTargetAttrName))
      if (const tessel::TargetInfo *info =
              tessel::lookupTarget(stringifyTarget(attr.getValue())))
        return *info;
  return *tessel::lookupTarget("a2a3");
}

static std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// Shapes under transposition, element types on the target's cube. The
/// stored shapes are named as written; "as multiplied" is the transpose.
static LogicalResult verifyMatmul(Operation *op) {
  MatmulView v = *getMatmulView(op);
  TileType result = tileOf(op->getResult(0));
  Type a = v.lhsType.getElementType(), b = v.rhsType.getElementType(),
       c = result.getElementType();
  if (a != b)
    return op->emitOpError("operand element types differ: ")
           << a << " x " << b;
  const tessel::TargetInfo &target = targetOf(op);
  if (!target.findCubeDtype(typeName(a), typeName(c)))
    return op->emitOpError("no cube matmul ")
           << a << " x " << b << " -> " << c << " on target " << target.name
           << "; its cube supports " << target.describeCubeDtypes();
  auto stored = [](Value value, bool trans) {
    std::string s = shapeString(tileOf(value).getShape());
    return trans ? s + " (transposed: " +
                       shapeString(getTransposedType(tileOf(value)).getShape()) +
                       ")"
                 : s;
  };
  if (v.lhsType.getCols() != v.rhsType.getRows())
    return op->emitOpError("contraction sizes differ: lhs ")
           << stored(v.lhs, v.aTrans) << " has K = " << v.lhsType.getCols()
           << ", rhs " << stored(v.rhs, v.bTrans)
           << " has K = " << v.rhsType.getRows();
  if (result.getRows() != v.m || result.getCols() != v.n)
    return op->emitOpError("result must be [")
           << v.m << ", " << v.n << "], got " << shapeString(result.getShape());
  return success();
}

LogicalResult MatmulOp::verify() { return verifyMatmul(*this); }

LogicalResult MatmulAccOp::verify() { return verifyMatmul(*this); }

//===----------------------------------------------------------------------===//
// Pipe synchronisation
//===----------------------------------------------------------------------===//

bool tessel::tile::isPipeOnCore(Pipe pipe, CoreKind kind) {
  switch (pipe) {
  case Pipe::s:
  case Pipe::all:
  case Pipe::mte2:
    return true;
  case Pipe::v:
  case Pipe::mte3:
    return kind != CoreKind::cube;
  case Pipe::m:
  case Pipe::mte1:
  case Pipe::fix:
    return kind != CoreKind::vector;
  }
  llvm_unreachable("unknown pipe");
}

/// Checks that `pipe` exists on the core kind of the enclosing scope.
static LogicalResult verifyPipeOnScope(Operation *op, Pipe pipe,
                                       StringRef role) {
  auto scope = op->getParentOfType<AtOp>();
  if (!scope || isPipeOnCore(pipe, scope.getKind()))
    return success();
  return op->emitOpError("has no ")
         << stringifyPipe(pipe) << " pipe on a "
         << stringifyCoreKind(scope.getKind()) << " core (" << role << ")";
}

template <typename FlagOp>
static LogicalResult verifyFlag(FlagOp op) {
  if (op.getSrc() == Pipe::all || op.getDst() == Pipe::all)
    return op.emitOpError("flags connect two pipes; 'all' is only a barrier");
  if (op.getSrc() == op.getDst())
    return op.emitOpError("source and destination pipe are both ")
           << stringifyPipe(op.getSrc())
           << "; order one pipe with tile.barrier";
  if (failed(verifyPipeOnScope(op, op.getSrc(), "source")) ||
      failed(verifyPipeOnScope(op, op.getDst(), "destination")))
    return failure();
  return success();
}

LogicalResult SetFlagOp::verify() { return verifyFlag(*this); }
LogicalResult WaitFlagOp::verify() { return verifyFlag(*this); }

LogicalResult BarrierOp::verify() {
  return verifyPipeOnScope(*this, getPipe(), "barrier");
}

#define GET_OP_CLASSES
#include "tile/TileOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Scalar element access (TileScalarOps.td)
//===----------------------------------------------------------------------===//

/// Constant element indices must address an element of `tile`.
static LogicalResult verifyElement(Operation *op, TileType tile, Value row,
                                   Value col) {
  Value idx[2] = {row, col};
  for (int d = 0; d < 2; ++d) {
    std::optional<int64_t> i = getConstantIntValue(idx[d]);
    int64_t dim = tile.getShape()[d];
    if (i && (*i < 0 || *i >= dim))
      return op->emitOpError()
             << (d == 0 ? "row" : "column") << " index " << *i
             << " is outside the tile " << shapeString(tile.getShape())
             << " (valid: 0 to " << dim - 1 << ")";
  }
  return success();
}

LogicalResult GetOp::verify() {
  return verifyElement(*this, tileOf(getSource()), getRow(), getCol());
}

LogicalResult SetOp::verify() {
  return verifyElement(*this, tileOf(getDest()), getRow(), getCol());
}
