//===- SplitMatmulK.cpp - Feed the cube K steps that fit L0A / L0B --------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `tile-split-matmul-k`: a matmul whose lhs does not fit L0A, or whose rhs
// does not fit L0B, becomes a chain of K steps. Each step extracts the K
// window of both operands (cube operand windows, getCubeOperandWindow in
// TilePlacement.h: placed in L0A / L0B, moved there from L1 by TEXTRACT on
// the NPU) and multiplies it; the first step is the original tile.matmul
// (or tile.matmul_acc on the original accumulator), the following ones are
// tile.matmul_acc on the previous step's result, so L0C accumulates the
// products in K order (the CPU simulation's order too). The step count is
// planKSplit's, a pure function of the matmul's shapes and the target's L0
// sizes (tessel/Analysis/MatmulSplit.h). See the pass description in
// Passes.td.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/MatmulSplit.h"
#include "tessel/Analysis/TileLayout.h"
#include "tessel/Analysis/TilePlacement.h"
#include "tessel/Support/Remarks.h"
#include "tessel/Support/TargetInfo.h"
#include "tessel/Transforms/Passes.h"

#include "tile/TileDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "llvm/Support/MathExtras.h"

#include <numeric>

#define DEBUG_TYPE "tile-split-matmul-k"

namespace tessel {
#define GEN_PASS_DEF_TILESPLITMATMULK
#include "tessel/Transforms/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

namespace {

/// Bytes `type` takes in `kind` (whole fractals, at the kind's alignment).
int64_t getL0Bytes(TileType type, BufferKind kind, const TargetInfo &target) {
  return getL0OperandBytes(type.getRows(), type.getCols(),
                           getElementBytes(type.getElementType()), kind,
                           target);
}

/// "[16, 2048] f32".
std::string describe(TileType type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[" << type.getRows() << ", " << type.getCols() << "] "
     << type.getElementType();
  return s;
}

/// The element type's name as the IR prints it ("f32", "i8").
std::string typeName(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

/// An operand of the split: the tile its windows are taken from and the
/// offset of the operand in it (non-zero when the operand is itself a
/// window, which the split takes from the window's source).
struct OperandSource {
  Value tile;
  OpFoldResult row, col;
};

OperandSource getOperandSource(OpBuilder &b, Value operand) {
  if (auto extract = operand.getDefiningOp<ExtractOp>())
    return {extract.getSource(), getAsOpFoldResult(extract.getRow()),
            getAsOpFoldResult(extract.getCol())};
  return {operand, b.getIndexAttr(0), b.getIndexAttr(0)};
}

/// Index constants, one per value, before the split matmul.
struct Constants {
  OpBuilder &b;
  Location loc;
  DenseMap<int64_t, Value> values;
  Value get(int64_t v) {
    Value &c = values[v];
    if (!c)
      c = arith::ConstantIndexOp::create(b, loc, v);
    return c;
  }
};

/// `base + offset` as an index value.
Value addIndex(OpBuilder &b, Constants &constants, OpFoldResult base,
               int64_t offset) {
  if (std::optional<int64_t> c = getConstantIntValue(base))
    return constants.get(*c + offset);
  Value v = cast<Value>(base);
  if (offset == 0)
    return v;
  return arith::AddIOp::create(b, constants.loc, v, constants.get(offset));
}

/// Replaces `op` by the steps of `plan`.
void splitMatmul(Operation *op, const MatmulView &mm, const KSplit &plan) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  OperandSource lhs = getOperandSource(b, mm.lhs);
  OperandSource rhs = getOperandSource(b, mm.rhs);
  auto lhsStored = cast<TileType>(mm.lhs.getType());
  auto rhsStored = cast<TileType>(mm.rhs.getType());
  Type resultType = op->getResult(0).getType();
  UnitAttr aTrans = mm.aTrans ? b.getUnitAttr() : UnitAttr();
  UnitAttr bTrans = mm.bTrans ? b.getUnitAttr() : UnitAttr();
  SmallVector<NamedAttribute> discardable(op->getDiscardableAttrs());
  Value acc = mm.acc;
  Constants constants{b, loc, {}};
  for (int64_t i = 0; i < plan.steps; ++i) {
    int64_t k0 = i * plan.kStep;
    // The K window at the stored shape: columns of an lhs [M, K], rows of
    // an a_trans lhs [K, M]; rows of an rhs [K, N], columns of a b_trans
    // rhs [N, K].
    bool lhsKRows = mm.aTrans, rhsKRows = !mm.bTrans;
    auto window = [&](const OperandSource &src, TileType stored,
                      bool kRows) -> Value {
      TileType type =
          kRows ? TileType::get(b.getContext(),
                                {plan.kStep, stored.getCols()},
                                stored.getElementType())
                : TileType::get(b.getContext(),
                                {stored.getRows(), plan.kStep},
                                stored.getElementType());
      Value row = addIndex(b, constants, src.row, kRows ? k0 : 0);
      Value col = addIndex(b, constants, src.col, kRows ? 0 : k0);
      return ExtractOp::create(b, loc, type, src.tile, row, col);
    };
    Value a = window(lhs, lhsStored, lhsKRows);
    Value w = window(rhs, rhsStored, rhsKRows);
    Operation *step =
        acc ? MatmulAccOp::create(b, loc, resultType, acc, a, w, aTrans,
                                  bTrans)
                  .getOperation()
            : MatmulOp::create(b, loc, resultType, a, w, aTrans, bTrans)
                  .getOperation();
    for (NamedAttribute attr : discardable)
      step->setAttr(attr.getName(), attr.getValue());
    acc = step->getResult(0);
  }
  op->getResult(0).replaceAllUsesWith(acc);
  op->erase();
  // A window the split took apart is dead now.
  for (Value v : {mm.lhs, mm.rhs})
    if (auto extract = v.getDefiningOp<ExtractOp>())
      if (extract->use_empty())
        extract->erase();
}

struct SplitMatmulKPass
    : public tessel::impl::TileSplitMatmulKBase<SplitMatmulKPass> {
  using TileSplitMatmulKBase::TileSplitMatmulKBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<const TargetInfo *> resolved =
        resolveTargetOption(module, target);
    if (failed(resolved))
      return signalPassFailure();

    // Plan every matmul first: on any error nothing changes.
    struct Split {
      Operation *op;
      MatmulView mm;
      KSplit plan;
      const TargetInfo *target;
    };
    SmallVector<Split> splits;
    bool failedAny = false;
    module.walk([&](AtOp at) {
      const TargetInfo &info = getScopeTarget(at, *resolved);
      at.getBody().walk([&](Operation *op) {
        std::optional<MatmulView> mm = getMatmulView(op);
        if (!mm)
          return;
        std::string why;
        Type elt = mm->lhsType.getElementType();
        std::optional<KSplit> plan =
            planKSplit(mm->m, mm->k, mm->n, getElementBytes(elt),
                       typeName(elt), info, why);
        if (!plan) {
          bool lhsOver = getL0Bytes(mm->lhsType, BufferKind::L0A, info) >
                         info.l0a.usableBytes;
          TileType over = lhsOver ? mm->lhsType : mm->rhsType;
          BufferKind kind = lhsOver ? BufferKind::L0A : BufferKind::L0B;
          op->emitError() << "matmul " << (lhsOver ? "lhs " : "rhs ")
                          << describe(over) << " ("
                          << getL0Bytes(over, kind, info)
                          << " bytes) exceeds " << getBufferKindTitle(kind)
                          << " (" << info.getBuffer(kind).usableBytes
                          << " bytes on " << info.name
                          << ") and cannot be split along K: " << why;
          failedAny = true;
          return;
        }
        if (plan->steps > 1)
          splits.push_back({op, *mm, *plan, &info});
      });
    });
    if (failedAny)
      return signalPassFailure();

    for (const Split &s : splits) {
      const TargetInfo &info = *s.target;
      SmallVector<std::string> over;
      for (auto [type, kind] :
           {std::pair{s.mm.lhsType, BufferKind::L0A},
            std::pair{s.mm.rhsType, BufferKind::L0B}}) {
        int64_t bytes = getL0Bytes(type, kind, info);
        if (bytes > info.getBuffer(kind).usableBytes)
          over.push_back((Twine(kind == BufferKind::L0A ? "lhs " : "rhs ") +
                          describe(type) + " is " + Twine(bytes) +
                          " bytes > " + getBufferKindTitle(kind) + " " +
                          Twine(info.getBuffer(kind).usableBytes))
                             .str());
      }
      emitDecision(s.op) << "matmul split along K into " << s.plan.steps
                         << " steps of " << s.plan.kStep << " ("
                         << llvm::join(over, "; ") << ")";
      splitMatmul(s.op, s.mm, s.plan);
    }
  }
};

} // namespace
