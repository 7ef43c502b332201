//===- DecomposeBroadcasts.cpp - Broadcasts as expand_mul + elementwise ---===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-decompose-broadcasts`: the broadcast ops (tile.row_expand /
// col_expand and the row_expand_<op> / col_expand_<op> family other than
// _mul) become the broadcasting multiplies and elementwise ops (the PTO
// emitter has every broadcast's own instruction, so tile-pto-pipeline no
// longer runs this): the [M, 1] / [1, N] operand is broadcast exactly as
// `row_expand_mul(full 1, v)` / `col_expand_mul(full 1, v)` (1 * v is v for
// every value, NaN, infinities, -0 and i32 included), then combined with the
// elementwise op; expdif is `exp(input - broadcast)`. The results are the
// CPU lowering's bit for bit (one rounding per operation in both).
//
//===----------------------------------------------------------------------===//

#include "tessel/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace tessel {
#define GEN_PASS_DEF_TILEDECOMPOSEBROADCASTS
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

struct DecomposeBroadcastsPass
    : public tessel::impl::TileDecomposeBroadcastsBase<
          DecomposeBroadcastsPass> {
  using TileDecomposeBroadcastsBase::TileDecomposeBroadcastsBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      std::optional<ExpandInfo> info = getExpandInfo(op);
      if (!(info && info->arith != ExpandArith::Mul) &&
          !isa<RowExpandOp, ColExpandOp>(op))
        return;
      // A plain broadcast of bf16 or i8 (a bit copy; the vector unit has
      // no multiply in them) stays as it is.
      Type elt = cast<TileType>(op->getResult(0).getType()).getElementType();
      if (elt.isF16() || elt.isF32() || elt.isInteger(32))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      decompose(op);
  }

  static void decompose(Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto type = cast<TileType>(op->getResult(0).getType());
    Type elt = type.getElementType();
    bool perRow;
    Value input, scale;
    std::optional<ExpandInfo> info = getExpandInfo(op);
    if (info) {
      perRow = info->perRow;
      input = op->getOperand(0);
      scale = op->getOperand(1);
    } else {
      perRow = isa<RowExpandOp>(op);
      scale = op->getOperand(0);
    }
    TypedAttr one = isa<FloatType>(elt) ? TypedAttr(b.getFloatAttr(elt, 1.0))
                                        : TypedAttr(b.getIntegerAttr(elt, 1));
    Value ones = FullOp::create(b, loc, type, one);
    Value broadcast =
        perRow ? Value(RowExpandMulOp::create(b, loc, type, ones, scale))
               : Value(ColExpandMulOp::create(b, loc, type, ones, scale));
    Value result = broadcast;
    if (info) {
      switch (info->arith) {
      case ExpandArith::Add:
        result = AddOp::create(b, loc, type, input, broadcast);
        break;
      case ExpandArith::Sub:
        result = SubOp::create(b, loc, type, input, broadcast);
        break;
      case ExpandArith::Div:
        result = DivOp::create(b, loc, type, input, broadcast);
        break;
      case ExpandArith::Max:
        result = MaxOp::create(b, loc, type, input, broadcast);
        break;
      case ExpandArith::Min:
        result = MinOp::create(b, loc, type, input, broadcast);
        break;
      case ExpandArith::Expdif:
        result = ExpOp::create(
            b, loc, type, SubOp::create(b, loc, type, input, broadcast));
        break;
      case ExpandArith::Mul:
        llvm_unreachable("tile.*_expand_mul is not decomposed");
      }
    }
    op->getResult(0).replaceAllUsesWith(result);
    op->erase();
  }
};

} // namespace
