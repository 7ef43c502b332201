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

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

bool tessel::tile::isLegalTileElementType(Type type) {
  return type.isBF16() || type.isF16() || type.isF32() ||
         type.isSignlessInteger(8) || type.isSignlessInteger(32);
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

LogicalResult TileType::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> shape, Type elementType) {
  if (shape.size() != 2)
    return emitError() << "tile must be 2-D, got rank " << shape.size();
  for (int64_t dim : shape)
    if (dim <= 0)
      return emitError() << "tile dimensions must be positive, got " << dim;
  if (!isLegalTileElementType(elementType))
    return emitError() << "tile element type must be bf16, f16, f32, i8 or "
                          "i32, got "
                       << elementType;
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
    return emitError() << "tiles cannot be placed in gm";
  if (offset < 0)
    return emitError() << "placement offset must be non-negative, got "
                       << offset;
  if (slots < 1)
    return emitError() << "placement needs at least one slot, got " << slots;
  return success();
}
