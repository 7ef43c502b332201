//===- TileDialect.cpp - The tile dialect ---------------------------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Dialect registration, the tile type and the attributes.
//
//===----------------------------------------------------------------------===//

#include "tile/TileDialect.h"
#include "tile/TileOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace tessel::tile;

#include "tile/TileDialect.cpp.inc"
#include "tile/TileEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "tile/TileAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "tile/TileTypes.cpp.inc"

void TileDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tile/TileOps.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "tile/TileTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "tile/TileAttrs.cpp.inc"
      >();
}

InFlightDiagnostic TileDialect::emitBadTargetAttr(Operation *op,
                                                  Attribute attr) {
  return op->emitError() << kTargetAttrName
                         << " must be a #tile.target attribute (a2a3 or a5), "
                            "got "
                         << attr;
}

/// `tile.target` on any op must name a target; other `tile.*` attributes are
/// left to the passes that use them.
LogicalResult TileDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() == kTargetAttrName && !isa<TargetAttr>(attr.getValue()))
    return emitBadTargetAttr(op, attr.getValue());
  return success();
}

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool tessel::tile::isLegalTileElementType(Type type) {
  return type.isBF16() || type.isF16() || type.isF32() ||
         type.isSignlessInteger(8) || type.isSignlessInteger(32) ||
         type.isSignlessInteger(64);
}

int64_t tessel::tile::getElementBytes(Type type) {
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

std::optional<Target> tessel::tile::getEnclosingTarget(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto attr = op->getAttrOfType<TargetAttr>(TileDialect::kTargetAttrName))
      return attr.getValue();
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// TileType
//===----------------------------------------------------------------------===//

Type TileType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType) || parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); },
                    parser.getContext(), shape, elementType);
}

void TileType::print(AsmPrinter &printer) const {
  printer << '<';
  for (int64_t dim : getShape())
    printer << dim << 'x';
  printer << getElementType() << '>';
}

/// The largest tile the type admits, 2 GiB.
static constexpr int64_t kMaxTileBytes = int64_t(1) << 31;

LogicalResult TileType::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> shape, Type elementType) {
  if (shape.size() != 2)
    return emitError() << "tile must be 2-D, got rank " << shape.size();
  for (int64_t dim : shape)
    if (dim <= 0)
      return emitError() << "tile dimensions must be positive, got " << dim;
  if (!isLegalTileElementType(elementType))
    return emitError() << "tile element type must be bf16, f16, f32, i8, "
                          "i32 or i64, got "
                       << elementType;
  // Far above any on-chip buffer; it keeps element and byte counts exact.
  int64_t bytes = getElementBytes(elementType);
  if (shape[0] > kMaxTileBytes / bytes ||
      shape[1] > kMaxTileBytes / bytes / shape[0])
    return emitError() << "tile size must be at most " << kMaxTileBytes
                       << " bytes, got " << shape[0] << " x " << shape[1]
                       << " x " << bytes << " bytes";
  return success();
}

bool TileType::hasRank() const { return true; }

ShapedType TileType::cloneWith(std::optional<ArrayRef<int64_t>> shape,
                               Type elementType) const {
  return TileType::get(getContext(), shape ? *shape : getShape(), elementType);
}

int64_t TileType::getSizeInBytes() const {
  return getNumElements() * getElementBytes(getElementType());
}

//===----------------------------------------------------------------------===//
// PlaceAttr
//===----------------------------------------------------------------------===//

LogicalResult PlaceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                MemoryKind kind, int64_t offset,
                                int64_t slots) {
  if (kind == MemoryKind::gm)
    return emitError() << "tiles cannot be placed in gm; expected ub, l1, "
                          "l0a, l0b or l0c";
  if (offset < 0)
    return emitError() << "placement offset must be non-negative, got "
                       << offset << " bytes";
  if (slots < 1)
    return emitError() << "placement needs at least one slot, got " << slots;
  return success();
}
