//===- TileToSCF.cpp - Lower tile IR to vector loops over arenas ----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The tile half of the CPU simulation (`convert-tile-to-scf`).
//
// Every tile becomes a 1-D `memref<(rows*cols) x T>` (row-major), a
// `memref.view` into a byte arena of its worker: in placed mode at the
// `place` offset plus the slot that the innermost pipeline's iteration picks
// (docs/placement.md), in unplaced mode at storage of its own. Arenas are
// allocated once per tile.spmd and worker. The lowering is a walk over the
// function in program order rather than a set of independent patterns: a
// tile's view depends on the arena of its spmd worker and on the iteration
// counter of an enclosing pipeline, which the walk creates first.
//
// Compute ops become loops with static bounds over 1-D vectors of kLanes
// elements (plus a static tail), which LLVM maps onto the host's SIMD
// registers. f16 arithmetic runs in f32 and rounds once to f16 (the same
// result as native f16 arithmetic for + - * / sqrt). Every tile.cast rounds
// as docs/numerics.md specifies, with integer bit manipulation where the
// host's rounding mode or its bf16 instructions would differ.
//
//===----------------------------------------------------------------------===//

#include "tessel/Conversion/Passes.h"

#include "tessel/Analysis/TileStorage.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <numeric>

#define DEBUG_TYPE "convert-tile-to-scf"

namespace tessel {
#define GEN_PASS_DEF_CONVERTTILETOSCF
#include "tessel/Conversion/Passes.h.inc"
} // namespace tessel

using namespace mlir;
using namespace tessel;
using namespace tessel::tile;

/// Elements per vector operation of the compute loops (64 bytes of f32).
static constexpr int64_t kLanes = 16;
/// Bytes per vector operation of the copy loops.
static constexpr int64_t kCopyBytes = 64;
/// Rows of the matmul micro-kernel (accumulators kept in registers).
static constexpr int64_t kMatmulRows = 8;

//===----------------------------------------------------------------------===//
// Small IR helpers
//===----------------------------------------------------------------------===//

namespace {

/// Builds IR at one insertion point with one location; the helpers below
/// are the vocabulary the op lowerings are written in.
struct Emitter {
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &b;
  Location loc;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return y == 0 ? x : add(x, idx(y)); }
  Value mul(Value x, int64_t y) {
    return y == 1 ? x : arith::MulIOp::create(b, loc, x, idx(y)).getResult();
  }

  static VectorType vec(int64_t n, Type elt) {
    return VectorType::get({n}, elt);
  }

  /// A splat vector constant of type `type` (integer or float elements).
  Value splat(VectorType type, double value) {
    Type elt = type.getElementType();
    Attribute attr;
    if (auto ft = dyn_cast<FloatType>(elt))
      attr = FloatAttr::get(ft, value);
    else
      attr = IntegerAttr::get(elt, static_cast<int64_t>(value));
    return arith::ConstantOp::create(b, loc,
                                     DenseElementsAttr::get(type, attr));
  }
  Value splatBits(VectorType type, uint64_t bits) {
    auto it = cast<IntegerType>(type.getElementType());
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(type, APInt(it.getWidth(), bits, false, true)));
  }
  /// An i32 splat like `v` (a vector) has lanes.
  Value i32s(Value like, int64_t v) {
    auto vt = cast<VectorType>(like.getType());
    return splatBits(vec(vt.getNumElements(), b.getI32Type()),
                     static_cast<uint32_t>(v));
  }

  /// scf.for from `lb` to `ub` by `step` (constants created in that order,
  /// so the IR does not depend on the host compiler's argument order).
  scf::ForOp loop(int64_t lb, int64_t ub, int64_t step,
                  ValueRange inits = {}) {
    Value l = idx(lb);
    Value u = idx(ub);
    Value st = idx(step);
    return scf::ForOp::create(b, loc, l, u, st, inits);
  }

  Value load(VectorType type, Value memref, ValueRange indices) {
    return vector::LoadOp::create(b, loc, type, memref, indices);
  }
  void store(Value value, Value memref, ValueRange indices) {
    vector::StoreOp::create(b, loc, value, memref, indices);
  }
  Value shuffle(Value x, Value y, ArrayRef<int64_t> mask) {
    return vector::ShuffleOp::create(b, loc, x, y,
                                     b.getDenseI64ArrayAttr(mask));
  }

  /// Calls `body(offset, len)` over [0, n) in chunks of `width`: an scf.for
  /// over the full chunks and one static tail chunk.
  void forChunks(int64_t n, int64_t width,
                 function_ref<void(Value, int64_t)> body) {
    int64_t full = n / width, tail = n % width;
    if (full == 1) {
      body(idx(0), width);
    } else if (full > 1) {
      auto loop = this->loop(0, full * width, width);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      body(loop.getInductionVar(), width);
    }
    if (tail)
      body(idx(full * width), tail);
  }

  /// Calls `body(i)` for i in [0, n): an scf.for unless n == 1.
  void forEach(int64_t n, function_ref<void(Value)> body) {
    if (n == 1) {
      body(idx(0));
      return;
    }
    auto loop = this->loop(0, n, 1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    body(loop.getInductionVar());
  }

  /// Calls `body(start, count)` over [0, n) in blocks of `block`: an scf.for
  /// over the full blocks and one static tail block.
  void forBlocks(int64_t n, int64_t block,
                 function_ref<void(Value, int64_t)> body) {
    forChunks(n, block, body);
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// Numerics: conversions on vectors (docs/numerics.md)
//===----------------------------------------------------------------------===//

namespace {

/// Rounding of a magnitude, the sign-independent form of a RoundMode.
struct MagnitudeRounding {
  Value inc;    // i1 per lane: add one unit in the last place
  Value toZero; // i1 per lane: on overflow, saturate to the largest finite
};

struct Numerics : Emitter {
  using Emitter::Emitter;

  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value addi(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value subi(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value shli(Value x, Value y) { return arith::ShLIOp::create(b, loc, x, y); }
  Value shrui(Value x, Value y) { return arith::ShRUIOp::create(b, loc, x, y); }
  Value maxsi(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value minsi(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value bitcast(Value x, Type elt) {
    auto vt = cast<VectorType>(x.getType());
    return arith::BitcastOp::create(b, loc, vec(vt.getNumElements(), elt), x);
  }
  Value boolSplat(Value like, bool v) {
    auto vt = cast<VectorType>(like.getType());
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(vec(vt.getNumElements(), b.getI1Type()), v));
  }

  /// The increment of a magnitude `q0` with the dropped bits `rem` (of
  /// which `half` is the weight of the first one) under `mode`; `neg` is the
  /// sign of the value. All i32 vectors, rem/half/q0 non-negative.
  MagnitudeRounding roundMagnitude(RoundMode mode, Value neg, Value q0,
                                   Value rem, Value half) {
    using P = arith::CmpIPredicate;
    Value zero = i32s(rem, 0), one = i32s(rem, 1);
    Value inexact = cmpi(P::ne, rem, zero);
    Value yes = boolSplat(rem, true), no = boolSplat(rem, false);
    switch (mode) {
    case RoundMode::none:
    case RoundMode::rint: {
      Value above = cmpi(P::ugt, rem, half);
      Value tie = andi(cmpi(P::eq, rem, half), inexact);
      Value odd = cmpi(P::ne, andi(q0, one), zero);
      return {ori(above, andi(tie, odd)), no};
    }
    case RoundMode::round:
      return {andi(cmpi(P::uge, rem, half), inexact), no};
    case RoundMode::trunc:
      return {no, yes};
    case RoundMode::floor:
      // Away from zero for negative values, toward zero for positive ones.
      return {andi(neg, inexact), sel(neg, no, yes)};
    case RoundMode::ceil:
      return {andi(sel(neg, no, yes), inexact), neg};
    }
    llvm_unreachable("unknown rounding mode");
  }

  /// f32 -> f16 or bf16 with `mode`, exactly (IEEE 754 with that rounding
  /// direction): subnormals kept, overflow to infinity or, when the
  /// direction is toward zero, to the largest finite value; infinities
  /// stay infinite; NaN becomes the canonical quiet NaN with its sign.
  Value narrowFloat(Value x, RoundMode mode, Type dstElt) {
    using P = arith::CmpIPredicate;
    bool f16 = dstElt.isF16();
    int64_t mantBits = f16 ? 10 : 7, bias = f16 ? 15 : 127;
    int64_t infBits = f16 ? 0x7c00 : 0x7f80, nanBits = f16 ? 0x7e00 : 0x7fc0;
    Value u = bitcast(x, b.getI32Type());
    Value neg = cmpi(P::slt, u, i32s(u, 0));
    Value a = andi(u, i32s(u, 0x7fffffff));
    Value isNan = cmpi(P::ugt, a, i32s(u, 0x7f800000));
    Value isInf = cmpi(P::eq, a, i32s(u, 0x7f800000));
    Value e = shrui(a, i32s(u, 23));
    Value mant = andi(a, i32s(u, 0x7fffff));
    // Significand with its hidden bit; f32 subnormals have exponent 1.
    Value m = sel(cmpi(P::eq, e, i32s(u, 0)), mant,
                  ori(mant, i32s(u, 0x800000)));
    Value eDst = subi(maxsi(e, i32s(u, 1)), i32s(u, 127 - bias));
    // Bits to drop: 23 - mantBits for a normal result, more when the result
    // is subnormal; at most 31 (everything is dropped past 25 anyway).
    Value extra = maxsi(subi(i32s(u, 1), eDst), i32s(u, 0));
    Value shift = minsi(addi(i32s(u, 23 - mantBits), extra), i32s(u, 31));
    Value base = shli(maxsi(subi(eDst, i32s(u, 1)), i32s(u, 0)),
                      i32s(u, mantBits));
    Value q0 = shrui(m, shift);
    Value rem = andi(m, subi(shli(i32s(u, 1), shift), i32s(u, 1)));
    Value half = shli(i32s(u, 1), subi(shift, i32s(u, 1)));
    MagnitudeRounding r = roundMagnitude(mode, neg, q0, rem, half);
    Value inc = arith::ExtUIOp::create(b, loc, u.getType(), r.inc);
    // A carry out of the significand correctly bumps the exponent.
    Value bits = addi(addi(base, q0), inc);
    Value overflow = cmpi(P::uge, bits, i32s(u, infBits));
    bits = sel(overflow, sel(r.toZero, i32s(u, infBits - 1), i32s(u, infBits)),
               bits);
    bits = sel(isInf, i32s(u, infBits), bits);
    bits = sel(isNan, i32s(u, nanBits), bits);
    bits = ori(bits, sel(neg, i32s(u, 0x8000), i32s(u, 0)));
    auto vt = cast<VectorType>(x.getType());
    Value narrow = arith::TruncIOp::create(
        b, loc, vec(vt.getNumElements(), b.getI16Type()), bits);
    return bitcast(narrow, dstElt);
  }

  /// i32 -> f32 value rounded to `precision` significant bits with `mode`
  /// (exact in f32: 24 bits for an f32 result, 11 before narrowing to f16).
  Value intToFloat(Value x, RoundMode mode, int64_t precision) {
    using P = arith::CmpIPredicate;
    Value neg = cmpi(P::slt, x, i32s(x, 0));
    // |INT_MIN| wraps to 0x80000000, which is right read as unsigned.
    Value a = sel(neg, subi(i32s(x, 0), x), x);
    Value lz = math::CountLeadingZerosOp::create(b, loc, a);
    Value bitsUsed = subi(i32s(x, 32), lz);
    Value shift = maxsi(subi(bitsUsed, i32s(x, precision)), i32s(x, 0));
    Value unit = shli(i32s(x, 1), shift);
    Value q0 = shrui(a, shift);
    Value rem = andi(a, subi(unit, i32s(x, 1)));
    Value half = shrui(unit, i32s(x, 1));
    MagnitudeRounding r = roundMagnitude(mode, neg, q0, rem, half);
    Value q = addi(q0, arith::ExtUIOp::create(b, loc, x.getType(), r.inc));
    auto vt = cast<VectorType>(x.getType());
    VectorType ft = vec(vt.getNumElements(), b.getF32Type());
    Value qf = arith::UIToFPOp::create(b, loc, ft, q);
    Value unitf = arith::UIToFPOp::create(b, loc, ft, unit);
    Value f = arith::MulFOp::create(b, loc, qf, unitf);
    return sel(neg, arith::NegFOp::create(b, loc, f), f);
  }

  /// f32 rounded to an integral f32 with `mode` (none = rint).
  Value roundIntegral(Value x, RoundMode mode) {
    switch (mode) {
    case RoundMode::none:
    case RoundMode::rint:
      return math::RoundEvenOp::create(b, loc, x);
    case RoundMode::round:
      return math::RoundOp::create(b, loc, x);
    case RoundMode::trunc:
      return math::TruncOp::create(b, loc, x);
    case RoundMode::floor:
      return math::FloorOp::create(b, loc, x);
    case RoundMode::ceil:
      return math::CeilOp::create(b, loc, x);
    }
    llvm_unreachable("unknown rounding mode");
  }

  /// f32 -> i32 or i8: round with `mode`, saturate to the range, NaN -> 0.
  Value floatToInt(Value x, RoundMode mode, IntegerType dst) {
    using P = arith::CmpFPredicate;
    auto vt = cast<VectorType>(x.getType());
    int64_t n = vt.getNumElements();
    Value r = roundIntegral(x, mode);
    Value isNan = cmpf(P::UNO, r, r);
    Value zero = splat(vt, 0.0);
    VectorType it = vec(n, b.getI32Type());
    if (dst.getWidth() == 32) {
      // [-2^31, 2^31) is exactly the range of i32; 2^31 is an f32.
      Value big = cmpf(P::OGE, r, splat(vt, 2147483648.0));
      Value small = cmpf(P::OLT, r, splat(vt, -2147483648.0));
      Value bad = ori(isNan, ori(big, small));
      Value i = arith::FPToSIOp::create(b, loc, it, sel(bad, zero, r));
      i = sel(big, splatBits(it, 0x7fffffff), i);
      return sel(small, splatBits(it, 0x80000000), i);
    }
    Value c = sel(cmpf(P::OGT, r, splat(vt, 127.0)), splat(vt, 127.0), r);
    c = sel(cmpf(P::OLT, c, splat(vt, -128.0)), splat(vt, -128.0), c);
    c = sel(isNan, zero, c);
    Value i = arith::FPToSIOp::create(b, loc, it, c);
    return arith::TruncIOp::create(b, loc, vec(n, dst), i);
  }

  /// Any legal tile element -> f32, exactly (i8 and i32 go to i32 instead).
  Value widen(Value x) {
    auto vt = cast<VectorType>(x.getType());
    Type elt = vt.getElementType();
    int64_t n = vt.getNumElements();
    if (elt.isF32() || elt.isSignlessInteger(32))
      return x;
    if (elt.isF16())
      return arith::ExtFOp::create(b, loc, vec(n, b.getF32Type()), x);
    if (elt.isBF16()) {
      // bf16 is the top half of an f32: shift its bits (exact, NaN payload
      // kept, independent of the host's bf16 support).
      Value bits = bitcast(x, b.getI16Type());
      Value wide = arith::ExtUIOp::create(b, loc, vec(n, b.getI32Type()), bits);
      return bitcast(shli(wide, i32s(wide, 16)), b.getF32Type());
    }
    assert(elt.isSignlessInteger(8) && "unexpected element type");
    return arith::ExtSIOp::create(b, loc, vec(n, b.getI32Type()), x);
  }

  /// f32 -> f16 rounded to nearest even (the result of native f16
  /// arithmetic); f32 and i32 stay.
  Value narrowArith(Value x, Type elt) {
    auto vt = cast<VectorType>(x.getType());
    // The bitwise ops compute i8 tiles in i32 (sign-extended): keep the low
    // byte.
    if (elt.isSignlessInteger(8) && vt.getElementType().isSignlessInteger(32))
      return arith::TruncIOp::create(b, loc, vec(vt.getNumElements(), elt), x);
    if (!elt.isF16())
      return x;
    return arith::TruncFOp::create(b, loc, vec(vt.getNumElements(), elt), x);
  }

  /// tile.cast of one vector.
  Value convert(Value x, Type to, RoundMode mode) {
    Type from = cast<VectorType>(x.getType()).getElementType();
    auto vt = cast<VectorType>(x.getType());
    int64_t n = vt.getNumElements();
    if (from.isF32() && to.isF32())
      return roundIntegral(x, mode);
    if (from.isF32() && (to.isF16() || to.isBF16()))
      return narrowFloat(x, mode, to);
    if ((from.isF16() || from.isBF16()) && to.isF32())
      return widen(x);
    if ((from.isF32() || from.isF16()) && to.isInteger())
      return floatToInt(widen(x), mode, cast<IntegerType>(to));
    if (from.isSignlessInteger(8) && to.isF16())
      return arith::SIToFPOp::create(b, loc, vec(n, to), x);
    if (from.isSignlessInteger(32) && to.isF32())
      return intToFloat(x, mode, 24);
    if (from.isSignlessInteger(32) && to.isF16())
      return narrowFloat(intToFloat(x, mode, 11), mode, to);
    if (from.isSignlessInteger(32) && to.isSignlessInteger(64))
      return arith::ExtSIOp::create(b, loc, vec(n, to), x);
    if (from.isSignlessInteger(64) && to.isSignlessInteger(32))
      return arith::TruncIOp::create(b, loc, vec(n, to), x);
    return {};
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// The lowering
//===----------------------------------------------------------------------===//

namespace {

/// The combining operation of a reduction.
enum class ReduceKind { Sum, Max, Min, Prod };

/// Storage and values of one lowered tile.pipeline, for its yield.
struct PipelineState {
  PipelineOp op;
  /// Index of each tile iter_arg and the view of its storage.
  SmallVector<std::pair<unsigned, Value>> tileArgs;
};

class TileLowering {
public:
  TileLowering(func::FuncOp func, const TileStorageMap &storage,
               const TileToSCFOptions &options)
      : func(func), storage(storage), options(options),
        b(func.getContext()) {}

  LogicalResult run();

private:
  func::FuncOp func;
  const TileStorageMap &storage;
  const TileToSCFOptions &options;
  OpBuilder b;

  /// The memref holding each lowered tile value.
  DenseMap<Value, Value> buffers;
  /// The enclosing tile.spmd of every tile op, scf.if and scf.yield (taken
  /// before ops move).
  DenseMap<Operation *, SpmdOp> spmdOf;
  /// Arena memrefs of each spmd's worker, by Arena.
  DenseMap<Operation *, std::array<Value, kNumArenas>> arenas;
  /// Iteration counter k of each lowered pipeline.
  DenseMap<Operation *, Value> iteration;
  /// Pipeline state, by the pipeline's terminator.
  DenseMap<Operation *, PipelineState> pipelineYields;
  /// For the scf.yield of each branch of a lowered scf.if with tile results:
  /// for each tile result its index, the result value and the view of its
  /// storage.
  struct IfState {
    SmallVector<std::tuple<unsigned, Value, Value>> tileResults;
  };
  DenseMap<Operation *, IfState> ifYields;
  SmallVector<Operation *> toErase;

  LogicalResult lower(Operation *op);

  Emitter at(Operation *op) {
    b.setInsertionPoint(op);
    return Emitter{b, op->getLoc()};
  }
  Numerics numericsAt(Operation *op) {
    b.setInsertionPoint(op);
    return Numerics{b, op->getLoc()};
  }

  static MemRefType bufferType(TileType type) {
    return MemRefType::get({type.getNumElements()}, type.getElementType());
  }
  Value buffer(Value tile) {
    Value v = buffers.lookup(tile);
    assert(v && "tile used before it was lowered");
    return v;
  }
  /// A view of `type` at `byteOffset` into arena `arena` of `spmd`.
  Value view(Emitter &e, SpmdOp spmd, Arena arena, Value byteOffset,
             MemRefType type) {
    Value base = arenas.lookup(spmd)[static_cast<unsigned>(arena)];
    assert(base && "arena was not allocated");
    return memref::ViewOp::create(e.b, e.loc, type, base, byteOffset,
                                  ValueRange{});
  }
  /// The storage of `tile` as a memref, at the current slot.
  Value storageView(Emitter &e, SpmdOp spmd, Value tile) {
    const TileStorage &s = storage.lookup(tile);
    Value offset = e.idx(s.offset);
    if (s.slots > 1) {
      Value k = iteration.lookup(s.pipeline);
      assert(k && "slot pipeline not lowered");
      Value slot = arith::RemUIOp::create(e.b, e.loc, k, e.idx(s.slots));
      offset = e.add(offset, e.mul(slot, s.slotBytes));
    }
    return view(e, spmd, s.arena, offset,
                bufferType(cast<TileType>(tile.getType())));
  }
  /// Temporary storage of `type` for `op` (in the Temp arena, at `offset`).
  Value tempView(Emitter &e, Operation *op, int64_t offset, MemRefType type) {
    return view(e, spmdOf.lookup(op), Arena::Temp, e.idx(offset), type);
  }
  /// Defines the buffer of `op`'s tile result and returns it.
  Value result(Emitter &e, Operation *op, unsigned i = 0) {
    Value res = op->getResult(i);
    Value v = storageView(e, spmdOf.lookup(op), res);
    buffers[res] = v;
    return v;
  }

  void copy(Emitter &e, Value from, Value to) {
    memref::CopyOp::create(e.b, e.loc, from, to);
  }

  /// The buffer of the result of an op that updates `dest` (tile.insert,
  /// tile.set): `dest`'s own when placement put the result on its bytes
  /// (the in-place rule), else the result's, with `dest` copied into it.
  Value updatedBuffer(Emitter &e, Operation *op, Value dest) {
    Value destBuffer = buffer(dest);
    if (storage.lookup(op->getResult(0)) == storage.lookup(dest)) {
      buffers[op->getResult(0)] = destBuffer;
      return destBuffer;
    }
    Value out = result(e, op);
    copy(e, destBuffer, out);
    return out;
  }

  // Structure.
  LogicalResult lowerSpmd(SpmdOp op);
  LogicalResult lowerAt(AtOp op);
  LogicalResult lowerPipeline(PipelineOp op);
  LogicalResult lowerYield(YieldOp op);
  LogicalResult lowerIf(scf::IfOp op);
  LogicalResult lowerIfYield(scf::YieldOp op, const IfState &state);
  /// Copies each value of `moves` (value, destination tile, view of its
  /// storage) into the destination's storage at `op`, skipping values that
  /// already live there. A value whose storage overlaps another destination
  /// is staged in `op`'s Temp first, so no copy clobbers a source.
  void copyInto(Operation *op,
                ArrayRef<std::tuple<Value, Value, Value>> moves);
  LogicalResult lowerAllocGm(AllocGmOp op);
  // Data movement.
  LogicalResult lowerLoadStore(Operation *op, Value gm, ValueRange indices,
                               TileType type, Value tile, bool isLoad,
                               OpFoldResult validRows = {},
                               OpFoldResult validCols = {});
  LogicalResult lowerFillPad(FillPadOp op);
  LogicalResult lowerFull(FullOp op);
  LogicalResult lowerReshape(ReshapeOp op);
  LogicalResult lowerGather(GatherOp op);
  LogicalResult lowerScatter(ScatterOp op);
  // Compute.
  LogicalResult lowerCast(CastOp op);
  LogicalResult lowerElementwise(Operation *op, ValueRange inputs,
                                 Value scalar,
                                 function_ref<Value(Numerics &, ValueRange,
                                                    Value)> fn);
  LogicalResult lowerExpand(Operation *op, const ExpandInfo &info);
  LogicalResult lowerBroadcast(Operation *op, bool perRow);
  LogicalResult lowerExtract(ExtractOp op);
  LogicalResult lowerInsert(InsertOp op);
  LogicalResult lowerGet(GetOp op);
  LogicalResult lowerSet(SetOp op);
  LogicalResult lowerArange(ArangeOp op);
  // Index gather / scatter, sort and merge (TileIndexOps.td).
  LogicalResult lowerGatherIndex(GatherIndexOp op);
  LogicalResult lowerScatterIndex(ScatterIndexOp op);
  LogicalResult lowerSort32(Sort32Op op);
  LogicalResult lowerMrgSort(MrgSortOp op);
  LogicalResult lowerMrgSortLists(MrgSortListsOp op);
  LogicalResult lowerAtomicStore(StoreOp op);
  LogicalResult lowerRowReduce(Operation *op, ReduceKind kind);
  // The rest of the catalog (TileCatalogOps.td).
  LogicalResult lowerCmp(Operation *op, Value lhs, Value rhs, Value scalar,
                         CmpMode mode);
  LogicalResult lowerSel(Operation *op, Value mask, Value lhs, Value rhs,
                         Value scalar);
  LogicalResult lowerColReduce(Operation *op, ReduceKind kind);
  LogicalResult lowerArgReduce(Operation *op, bool perRow, bool isMax);
  LogicalResult lowerTranspose(TransposeOp op);
  LogicalResult lowerConcat(ConcatOp op);
  LogicalResult lowerReinterpretView(ReinterpretViewOp op);
  LogicalResult lowerTri(TriOp op);
  LogicalResult lowerMatmul(Operation *op, Value acc, Value lhs, Value rhs);
};

} // namespace

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

/// Moves the ops of `from` (all but its terminator unless `withTerminator`)
/// before `before`.
static void moveBody(Block &from, Operation *before, bool withTerminator) {
  auto end = withTerminator ? from.end() : std::prev(from.end());
  before->getBlock()->getOperations().splice(Block::iterator(before),
                                             from.getOperations(),
                                             from.begin(), end);
}

LogicalResult TileLowering::lowerSpmd(SpmdOp op) {
  Emitter e = at(op);
  const auto &bytes = storage.getArenaBytes(op);
  auto allocate = [&](Emitter &in) {
    std::array<Value, kNumArenas> values{};
    for (unsigned i = 0; i < kNumArenas; ++i) {
      if (bytes[i] == 0)
        continue;
      auto type = MemRefType::get({bytes[i]}, in.b.getI8Type());
      values[i] = memref::AllocOp::create(in.b, in.loc, type, ValueRange{},
                                          in.b.getI64IntegerAttr(64));
    }
    arenas[op] = values;
    return values;
  };
  auto release = [&](Emitter &in, const std::array<Value, kNumArenas> &values) {
    for (Value v : values)
      if (v)
        memref::DeallocOp::create(in.b, in.loc, v);
  };
  int64_t blocks = op.getBlocks();
  int64_t workers = std::max<int64_t>(1, std::min(options.threads, blocks));
  scf::ForOp loop;
  if (workers == 1) {
    auto values = allocate(e);
    loop = e.loop(0, blocks, 1);
    release(e, values);
  } else {
    // Worker w runs blocks w, w + workers, ...; each has its own arenas.
    Value lb = e.idx(0);
    Value ub = e.idx(workers);
    Value step = e.idx(1);
    auto par = scf::ParallelOp::create(b, e.loc, ValueRange{lb},
                                       ValueRange{ub}, ValueRange{step});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(par.getBody()->getTerminator());
    Emitter in{b, e.loc};
    auto values = allocate(in);
    Value blockCount = in.idx(blocks);
    Value stride = in.idx(workers);
    loop = scf::ForOp::create(b, e.loc, par.getInductionVars()[0], blockCount,
                              stride);
    release(in, values);
  }
  op.getBlockIndex().replaceAllUsesWith(loop.getInductionVar());
  moveBody(op.getBodyBlock(), loop.getBody()->getTerminator(), false);
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerAt(AtOp op) {
  moveBody(op.getBodyBlock(), op, false);
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerPipeline(PipelineOp op) {
  Emitter e = at(op);
  SpmdOp spmd = spmdOf.lookup(op);
  PipelineState state;
  state.op = op;
  SmallVector<Value> inits;
  for (auto [i, init] : llvm::enumerate(op.getInitArgs())) {
    if (!isa<TileType>(init.getType())) {
      inits.push_back(init);
      continue;
    }
    Value arg = op.getIterArgs()[i];
    Value view = storageView(e, spmd, arg);
    if (!(storage.lookup(init) == storage.lookup(arg)))
      copy(e, buffer(init), view);
    state.tileArgs.push_back({static_cast<unsigned>(i), view});
    buffers[arg] = view;
    buffers[op.getResult(i)] = view;
  }
  auto loop = scf::ForOp::create(b, e.loc, op.getLowerBound(),
                                 op.getUpperBound(), op.getStep(), inits);
  Block *body = loop.getBody();
  if (!body->empty())
    body->getTerminator()->erase();
  // k = (iv - lb) / step counts iterations from 0 and picks the slots.
  b.setInsertionPointToStart(body);
  Value k = arith::DivUIOp::create(
      b, e.loc,
      arith::SubIOp::create(b, e.loc, loop.getInductionVar(),
                            op.getLowerBound()),
      op.getStep());
  iteration[op] = k;
  op.getInductionVar().replaceAllUsesWith(loop.getInductionVar());
  unsigned next = 0;
  for (auto [i, arg] : llvm::enumerate(op.getIterArgs()))
    if (!isa<TileType>(arg.getType()))
      arg.replaceAllUsesWith(loop.getRegionIterArgs()[next++]);
  Operation *yield = op.getBodyBlock().getTerminator();
  pipelineYields[yield] = state;
  body->getOperations().splice(body->end(),
                               op.getBodyBlock().getOperations());
  next = 0;
  for (OpResult res : op.getResults())
    if (!isa<TileType>(res.getType()))
      res.replaceAllUsesWith(loop.getResult(next++));
  toErase.push_back(op);
  return success();
}

void TileLowering::copyInto(Operation *op,
                            ArrayRef<std::tuple<Value, Value, Value>> moves) {
  Emitter e = at(op);
  SmallVector<std::tuple<Value, Value, Value>> staged; // temp, src, dst
  SmallVector<std::pair<Value, Value>> direct;
  int64_t tempOffset = 0;
  for (auto [v, dstTile, dst] : moves) {
    const TileStorage &src = storage.lookup(v);
    if (src == storage.lookup(dstTile))
      continue;
    bool clobbered = false;
    for (const auto &other : moves)
      clobbered |= std::get<1>(other) != dstTile &&
                   src.overlaps(storage.lookup(std::get<1>(other)));
    if (!clobbered) {
      direct.push_back({buffer(v), dst});
      continue;
    }
    auto type = cast<TileType>(v.getType());
    Value temp = tempView(e, op, tempOffset, bufferType(type));
    tempOffset += alignTo(type.getSizeInBytes(), 64);
    staged.push_back({temp, buffer(v), dst});
  }
  for (auto &[temp, src, dst] : staged)
    copy(e, src, temp);
  for (auto &[src, dst] : direct)
    copy(e, src, dst);
  for (auto &[temp, src, dst] : staged)
    copy(e, temp, dst);
}

LogicalResult TileLowering::lowerYield(YieldOp op) {
  auto it = pipelineYields.find(op);
  if (it == pipelineYields.end())
    return success(); // tile.spmd / tile.at terminators go with their op.
  PipelineState state = it->second;
  SmallVector<std::tuple<Value, Value, Value>> moves;
  for (auto [i, dst] : state.tileArgs)
    moves.push_back({op.getOperand(i), state.op.getIterArgs()[i], dst});
  copyInto(op, moves);
  Emitter e = at(op);
  SmallVector<Value> carried;
  for (Value v : op.getOperands())
    if (!isa<TileType>(v.getType()))
      carried.push_back(v);
  scf::YieldOp::create(b, e.loc, carried);
  toErase.push_back(op);
  return success();
}

/// An scf.if with tile results becomes an scf.if with its other results:
/// each tile result is the view of its storage, taken before the scf.if,
/// which each branch's scf.yield copies the value it yields into.
LogicalResult TileLowering::lowerIf(scf::IfOp op) {
  Emitter e = at(op);
  SpmdOp spmd = spmdOf.lookup(op);
  IfState state;
  SmallVector<Type> types;
  for (OpResult res : op->getResults()) {
    if (!isa<TileType>(res.getType())) {
      types.push_back(res.getType());
      continue;
    }
    Value view = storageView(e, spmd, res);
    buffers[res] = view;
    state.tileResults.push_back({res.getResultNumber(), res, view});
  }
  auto lowered = scf::IfOp::create(b, e.loc, types, op.getCondition(),
                                   /*addThenBlock=*/false,
                                   /*addElseBlock=*/false);
  lowered.getThenRegion().takeBody(op.getThenRegion());
  lowered.getElseRegion().takeBody(op.getElseRegion());
  ifYields[lowered.thenYield()] = state;
  ifYields[lowered.elseYield()] = state;
  unsigned next = 0;
  for (OpResult res : op->getResults())
    if (!isa<TileType>(res.getType()))
      res.replaceAllUsesWith(lowered.getResult(next++));
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerIfYield(scf::YieldOp op,
                                         const IfState &state) {
  SmallVector<std::tuple<Value, Value, Value>> moves;
  for (auto [i, res, view] : state.tileResults)
    moves.push_back({op.getOperand(i), res, view});
  copyInto(op, moves);
  Emitter e = at(op);
  SmallVector<Value> kept;
  for (Value v : op.getOperands())
    if (!isa<TileType>(v.getType()))
      kept.push_back(v);
  scf::YieldOp::create(b, e.loc, kept);
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerAllocGm(AllocGmOp op) {
  Emitter e = at(op);
  Value alloc = memref::AllocOp::create(b, e.loc, op.getType(), ValueRange{},
                                        b.getI64IntegerAttr(64));
  op.getResult().replaceAllUsesWith(alloc);
  // Freed where its block ends: at the function's return, or at the end of
  // each iteration of the function-level loop it is allocated in (every
  // use is in that block).
  Operation *terminator = op->getBlock()->getTerminator();
  if (isa<func::ReturnOp>(terminator)) {
    func.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      memref::DeallocOp::create(b, e.loc, alloc);
    });
  } else {
    b.setInsertionPoint(terminator);
    memref::DeallocOp::create(b, e.loc, alloc);
  }
  toErase.push_back(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

/// The mask of the first `n` lanes of a `len`-lane vector (n may be <= 0
/// or > len): lane index < n, on i64 lanes (what vector.create_mask means,
/// built from ops the CPU pipeline lowers).
static Value laneMask(Emitter &e, Value n, int64_t len) {
  OpBuilder &b = e.b;
  SmallVector<int64_t> lanes;
  for (int64_t i = 0; i < len; ++i)
    lanes.push_back(i);
  auto vt = VectorType::get({len}, b.getI64Type());
  Value idx = arith::ConstantOp::create(
      b, e.loc, DenseElementsAttr::get(vt, ArrayRef<int64_t>(lanes)));
  Value n64 = arith::IndexCastOp::create(b, e.loc, b.getI64Type(), n);
  Value bound = vector::BroadcastOp::create(b, e.loc, vt, n64);
  return arith::CmpIOp::create(b, e.loc, arith::CmpIPredicate::slt, idx,
                               bound);
}

/// A runtime index for a valid extent.
static Value indexValue(Emitter &e, OpFoldResult ofr) {
  if (auto v = dyn_cast<Value>(ofr))
    return v;
  return e.idx(cast<IntegerAttr>(cast<Attribute>(ofr)).getInt());
}

LogicalResult TileLowering::lowerLoadStore(Operation *op, Value gm,
                                           ValueRange indices, TileType type,
                                           Value tile, bool isLoad,
                                           OpFoldResult validRows,
                                           OpFoldResult validCols) {
  Emitter e = at(op);
  auto gmType = cast<MemRefType>(gm.getType());
  Type elt = type.getElementType();
  int64_t rows = type.getRows(), cols = type.getCols();
  int64_t width = std::max<int64_t>(
      1, kCopyBytes / static_cast<int64_t>(elt.getIntOrFloatBitWidth() / 8));
  Value buf = isLoad ? result(e, op) : buffer(tile);
  int64_t rank = gmType.getRank();
  if (validRows) {
    // A partial tile: the lanes of a row left of the valid columns, in the
    // valid rows, are masked in (GM outside the valid region is never
    // touched). A load writes every element of the tile: the padding is
    // zero (docs/language.md); a store writes only the valid region.
    Value vr = indexValue(e, validRows), vc = indexValue(e, validCols);
    auto body = [&](Value r, Value rowValid) {
      Value rowStart = e.mul(r, cols);
      e.forChunks(cols, width, [&](Value c, int64_t len) {
        SmallVector<Value> gmIdx(indices.begin(), indices.end());
        if (rank >= 2)
          gmIdx[rank - 2] = e.add(gmIdx[rank - 2], r);
        gmIdx[rank - 1] = e.add(gmIdx[rank - 1], c);
        Value t = e.add(rowStart, c);
        VectorType vt = Emitter::vec(len, elt);
        Value n = arith::SubIOp::create(b, e.loc, vc, c);
        if (rowValid)
          n = arith::SelectOp::create(b, e.loc, rowValid, n, e.idx(0));
        Value mask = laneMask(e, n, len);
        if (isLoad) {
          Value v = vector::MaskedLoadOp::create(b, e.loc, vt, gm, gmIdx,
                                                 mask, e.splat(vt, 0));
          e.store(v, buf, t);
        } else {
          Value v = e.load(vt, buf, t);
          vector::MaskedStoreOp::create(b, e.loc, gm, gmIdx, mask, v);
        }
      });
    };
    if (isLoad) {
      e.forEach(rows, [&](Value r) {
        body(r, arith::CmpIOp::create(b, e.loc, arith::CmpIPredicate::slt, r,
                                      vr));
      });
    } else {
      // A runtime extent past the tile (undefined in PTO-ISA) must not
      // read past the tile's buffer here.
      if (isa<Value>(validRows))
        vr = arith::MinSIOp::create(b, e.loc, vr, e.idx(rows));
      auto loop = scf::ForOp::create(b, e.loc, e.idx(0), vr, e.idx(1));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(loop.getBody()->getTerminator());
      body(loop.getInductionVar(), Value());
    }
    toErase.push_back(op);
    return success();
  }
  e.forEach(rows, [&](Value r) {
    Value rowStart = e.mul(r, cols);
    e.forChunks(cols, width, [&](Value c, int64_t len) {
      SmallVector<Value> gmIdx(indices.begin(), indices.end());
      if (rank >= 2)
        gmIdx[rank - 2] = e.add(gmIdx[rank - 2], r);
      gmIdx[rank - 1] = e.add(gmIdx[rank - 1], c);
      Value t = e.add(rowStart, c);
      VectorType vt = Emitter::vec(len, elt);
      if (isLoad)
        e.store(e.load(vt, gm, gmIdx), buf, t);
      else
        e.store(e.load(vt, buf, t), gm, gmIdx);
    });
  });
  toErase.push_back(op);
  return success();
}

/// The constant tile.fillpad writes for `pad` in element type `elt`: zero,
/// or -inf / +inf (the smallest / largest integer for integer types).
static Attribute padAttr(Type elt, PadValue pad) {
  if (auto ft = dyn_cast<FloatType>(elt)) {
    if (pad == PadValue::zero)
      return FloatAttr::get(ft, 0.0);
    return FloatAttr::get(
        ft, APFloat::getInf(ft.getFloatSemantics(), pad == PadValue::min));
  }
  unsigned w = elt.getIntOrFloatBitWidth();
  APInt v = pad == PadValue::zero  ? APInt::getZero(w)
            : pad == PadValue::min ? APInt::getSignedMinValue(w)
                                   : APInt::getSignedMaxValue(w);
  return IntegerAttr::get(elt, v);
}

LogicalResult TileLowering::lowerFillPad(FillPadOp op) {
  Emitter e = at(op);
  TileType type = op.getTileType();
  Type elt = type.getElementType();
  int64_t rows = type.getRows(), cols = type.getCols();
  int64_t width = std::max<int64_t>(
      1, kCopyBytes / static_cast<int64_t>(elt.getIntOrFloatBitWidth() / 8));
  Value in = buffer(op.getSource());
  Value out = result(e, op);
  Value vr = indexValue(e, op.getValidSize(0));
  Value vc = indexValue(e, op.getValidSize(1));
  // dst[i, j] = i < vr && j < vc ? src[i, j] : pad, a chunk of a row at a
  // time: the lanes below vc - j of a valid row keep the source.
  e.forEach(rows, [&](Value r) {
    Value rowStart = e.mul(r, cols);
    Value rowValid = arith::CmpIOp::create(b, e.loc, arith::CmpIPredicate::slt,
                                           r, vr);
    e.forChunks(cols, width, [&](Value c, int64_t len) {
      VectorType vt = Emitter::vec(len, elt);
      Value t = e.add(rowStart, c);
      Value n = arith::SelectOp::create(
          b, e.loc, rowValid, arith::SubIOp::create(b, e.loc, vc, c), e.idx(0));
      Value mask = laneMask(e, n, len);
      Value pad = arith::ConstantOp::create(
          b, e.loc,
          DenseElementsAttr::get(vt, padAttr(elt, op.getPad())));
      Value v = e.load(vt, in, t);
      e.store(arith::SelectOp::create(b, e.loc, mask, v, pad), out, t);
    });
  });
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerFull(FullOp op) {
  Emitter e = at(op);
  auto type = cast<TileType>(op.getType());
  Type elt = type.getElementType();
  int64_t width = std::max<int64_t>(
      1, kCopyBytes / static_cast<int64_t>(elt.getIntOrFloatBitWidth() / 8));
  Value buf = result(e, op);
  e.forChunks(type.getNumElements(), width, [&](Value off, int64_t len) {
    auto vt = Emitter::vec(len, elt);
    Value v = arith::ConstantOp::create(
        b, e.loc, DenseElementsAttr::get(vt, op.getValue()));
    e.store(v, buf, off);
  });
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerReshape(ReshapeOp op) {
  Emitter e = at(op);
  Value in = buffer(op.getInput());
  if (storage.lookup(op.getResult()) == storage.lookup(op.getInput())) {
    buffers[op.getResult()] = in; // a view: same bytes, same row-major order
  } else {
    copy(e, in, result(e, op));
  }
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerGather(GatherOp op) {
  Emitter e = at(op);
  auto type = cast<TileType>(op.getType());
  Type elt = cast<TileType>(op.getInput().getType()).getElementType();
  Type outElt = type.getElementType();
  int64_t parity = op.getPattern() == MaskPattern::p0101 ? 0 : 1;
  Value in = buffer(op.getInput()), out = result(e, op);
  // Rows have an even length, so column parity is flat-index parity.
  e.forChunks(type.getNumElements(), kLanes, [&](Value off, int64_t len) {
    Value v = e.load(Emitter::vec(2 * len, elt), in, e.mul(off, 2));
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < len; ++i)
      mask.push_back(2 * i + parity);
    Value kept = e.shuffle(v, v, mask);
    // output_dtype: the same bits as another type of the same width.
    if (outElt != elt)
      kept = arith::BitcastOp::create(b, e.loc, Emitter::vec(len, outElt),
                                      kept);
    e.store(kept, out, off);
  });
  toErase.push_back(op);
  return success();
}

LogicalResult TileLowering::lowerScatter(ScatterOp op) {
  Emitter e = at(op);
  auto srcType = cast<TileType>(op.getSource().getType());
  Type elt = srcType.getElementType();
  int64_t parity = op.getPattern() == MaskPattern::p0101 ? 0 : 1;
  Value src = buffer(op.getSource()), dest = buffer(op.getDest());
  Value out = result(e, op);
  e.forChunks(srcType.getNumElements(), kLanes, [&](Value off, int64_t len) {
    Value wideOff = e.mul(off, 2);
    Value d = e.load(Emitter::vec(2 * len, elt), dest, wideOff);
    Value s = e.load(Emitter::vec(len, elt), src, off);
    // Lane 2i + parity takes s[i] (index 2 * len + i of the concatenation).
    SmallVector<int64_t> mask;
    for (int64_t i = 0; i < 2 * len; ++i)
      mask.push_back(i % 2 == parity ? 2 * len + i / 2 : i);
    e.store(e.shuffle(d, s, mask), out, wideOff);
  });
  toErase.push_back(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Index gather / scatter, sort and merge (scalar loops)
//===----------------------------------------------------------------------===//

namespace {
/// Scalar helpers for the element-by-element lowerings below.
struct Scalars : Emitter {
  using Emitter::Emitter;
  Value ld(Value memref, Value i) {
    return memref::LoadOp::create(b, loc, memref, ValueRange{i});
  }
  void st(Value v, Value memref, Value i) {
    memref::StoreOp::create(b, loc, v, memref, ValueRange{i});
  }
  Value i32(int64_t v) {
    return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value sel(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value toIndex(Value i32v) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), i32v);
  }
  /// Whether the i32 `i` is a column of a row of `n` (0 <= i < n).
  Value inRange(Value i, int64_t n) {
    // Operands in locals: the IR does not depend on argument order.
    Value zero = i32(0);
    Value lo = cmpi(arith::CmpIPredicate::sge, i, zero);
    Value end = i32(n);
    Value hi = cmpi(arith::CmpIPredicate::slt, i, end);
    return andi(lo, hi);
  }
  /// row * cols + col.
  Value flat(Value row, int64_t cols, Value col) {
    Value start = mul(row, cols);
    return add(start, col);
  }
  /// scf.for over [0, n) with the body at its end.
  template <typename F> void each(int64_t n, F body) {
    auto l = loop(0, n, 1);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(l.getBody()->getTerminator());
    body(l.getInductionVar());
  }
};
} // namespace

/// result[r, k] = input[r, index[r, k]], 0 for an index outside [0, N).
LogicalResult TileLowering::lowerGatherIndex(GatherIndexOp op) {
  b.setInsertionPoint(op);
  Scalars e{b, op.getLoc()};
  auto in = cast<TileType>(op.getInput().getType());
  auto out = cast<TileType>(op.getType());
  int64_t n = in.getCols(), k = out.getCols();
  Value src = buffer(op.getInput()), idx = buffer(op.getIndex());
  Value res = result(e, op);
  Type elt = in.getElementType();
  Value zero = isa<FloatType>(elt)
                   ? arith::ConstantOp::create(b, e.loc, FloatAttr::get(elt, 0))
                         .getResult()
                   : arith::ConstantIntOp::create(b, e.loc, elt, 0).getResult();
  e.each(out.getRows(), [&](Value r) {
    e.each(k, [&](Value c) {
      Value pos = e.flat(r, k, c);
      Value i = e.ld(idx, pos);
      Value ok = e.inRange(i, n);
      Value first = e.i32(0);
      Value col = e.toIndex(e.sel(ok, i, first));
      Value v = e.ld(src, e.flat(r, n, col));
      e.st(e.sel(ok, v, zero), res, pos);
    });
  });
  toErase.push_back(op);
  return success();
}

/// result = dest; result[r, index[r, k]] = source[r, k] in row-major order
/// of source, skipping indices outside [0, N).
LogicalResult TileLowering::lowerScatterIndex(ScatterIndexOp op) {
  b.setInsertionPoint(op);
  Scalars e{b, op.getLoc()};
  auto src = cast<TileType>(op.getSource().getType());
  auto dst = cast<TileType>(op.getType());
  int64_t n = dst.getCols(), k = src.getCols();
  Value s = buffer(op.getSource()), idx = buffer(op.getIndex());
  Value res = result(e, op);
  copy(e, buffer(op.getDest()), res);
  e.each(src.getRows(), [&](Value r) {
    e.each(k, [&](Value c) {
      Value pos = e.flat(r, k, c);
      Value i = e.ld(idx, pos);
      auto ifOp = scf::IfOp::create(b, e.loc, e.inRange(i, n),
                                    /*withElseRegion=*/false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
      Value col = e.toIndex(i);
      Value v = e.ld(s, pos);
      e.st(v, res, e.flat(r, n, col));
    });
  });
  toErase.push_back(op);
  return success();
}

/// A signed i32 key whose order is the order of the f32 `v`, with -0 == +0
/// (so equal values tie, as in pto-isa's comparison) and NaNs at the ends
/// (a positive NaN above +inf, a negative one below -inf), so that every
/// input has one sorted order.
static Value sortKey(Scalars &e, Value v) {
  if (v.getType().isF16()) // exact: f16 values are f32 values
    v = arith::ExtFOp::create(e.b, e.loc, e.b.getF32Type(), v);
  Value bits = arith::BitcastOp::create(e.b, e.loc, e.b.getI32Type(), v);
  Value minusZero = e.i32(static_cast<int32_t>(0x80000000u));
  Value isMinusZero = e.cmpi(arith::CmpIPredicate::eq, bits, minusZero);
  Value zero = e.i32(0);
  bits = e.sel(isMinusZero, zero, bits);
  Value magnitude = e.i32(0x7fffffff);
  Value flipped = arith::XOrIOp::create(e.b, e.loc, bits, magnitude);
  Value negative = e.cmpi(arith::CmpIPredicate::slt, bits, zero);
  return e.sel(negative, flipped, bits);
}

/// Stores the 8-byte (value, index) pair at element `at` of `out`: f32
/// [value, index bits]; f16 [value, 0, index bits 0..15, bits 16..31] (the
/// little-endian bytes of pto-isa's layout).
static void storePair(Scalars &e, Value out, Value at, Value value,
                      Value index) {
  OpBuilder &b = e.b;
  e.st(value, out, at);
  if (value.getType().isF32()) {
    Value bits = arith::BitcastOp::create(b, e.loc, b.getF32Type(), index);
    e.st(bits, out, e.add(at, 1));
    return;
  }
  Type f16 = b.getF16Type(), i16 = b.getI16Type();
  Value zero = arith::ConstantOp::create(b, e.loc, b.getF16FloatAttr(0));
  e.st(zero, out, e.add(at, 1));
  Value low = arith::TruncIOp::create(b, e.loc, i16, index);
  Value shift = e.i32(16);
  Value highBits = arith::ShRUIOp::create(b, e.loc, index, shift);
  Value high = arith::TruncIOp::create(b, e.loc, i16, highBits);
  Value lowHalf = arith::BitcastOp::create(b, e.loc, f16, low);
  e.st(lowHalf, out, e.add(at, 2));
  Value highHalf = arith::BitcastOp::create(b, e.loc, f16, high);
  e.st(highHalf, out, e.add(at, 3));
}

/// TSORT32: each 32-element block of each row, as (value, index) pairs,
/// sorted by value descending, then index ascending (uint32), then
/// position; pair p of a block goes to columns pe * p .. pe * p + pe - 1
/// (pe = 2 elements per pair for f32, 4 for f16). A pair's place is the
/// number of pairs of its block that come before it, so each block is
/// written once with no scratch.
LogicalResult TileLowering::lowerSort32(Sort32Op op) {
  b.setInsertionPoint(op);
  Scalars e{b, op.getLoc()};
  auto in = cast<TileType>(op.getInput().getType());
  auto idxType = cast<TileType>(op.getIndex().getType());
  int64_t c = in.getCols();
  int64_t pe = 8 / getElementBytes(in.getElementType());
  bool sharedIndex = idxType.getRows() == 1 && in.getRows() != 1;
  Value src = buffer(op.getInput()), idx = buffer(op.getIndex());
  Value res = result(e, op);
  using P = arith::CmpIPredicate;
  e.each(in.getRows(), [&](Value r) {
    e.each(c / 32, [&](Value blk) {
      Value blockStart = e.mul(blk, 32);
      Value base = e.flat(r, c, blockStart);
      Value ibase = sharedIndex ? blockStart : base;
      Value outStart = e.mul(blk, 32 * pe);
      Value outBase = e.flat(r, pe * c, outStart);
      e.each(32, [&](Value k) {
        Value vk = e.ld(src, e.add(base, k));
        Value keyK = sortKey(e, vk);
        Value ik = e.ld(idx, e.add(ibase, k));
        Value none = e.idx(0);
        auto count = e.loop(0, 32, 1, ValueRange{none});
        {
          OpBuilder::InsertionGuard guard(b);
          b.setInsertionPointToStart(count.getBody());
          Value j = count.getInductionVar();
          Value vj = e.ld(src, e.add(base, j));
          Value keyJ = sortKey(e, vj);
          Value ij = e.ld(idx, e.add(ibase, j));
          // j before k: a larger key, or the same key and a smaller index
          // (as uint32), or the same both and an earlier position.
          Value larger = e.cmpi(P::sgt, keyJ, keyK);
          Value sameKey = e.cmpi(P::eq, keyJ, keyK);
          Value smallerIdx = e.cmpi(P::ult, ij, ik);
          Value sameIdx = e.cmpi(P::eq, ij, ik);
          Value earlier = e.cmpi(P::ult, j, k);
          Value tie = e.ori(smallerIdx, e.andi(sameIdx, earlier));
          Value before = e.ori(larger, e.andi(sameKey, tie));
          Value acc = count.getRegionIterArgs()[0];
          Value inc = e.add(acc, 1);
          Value next = e.sel(before, inc, acc);
          scf::YieldOp::create(b, e.loc, next);
        }
        Value at = e.add(outBase, e.mul(count.getResult(0), pe));
        storePair(e, res, at, vk, ik);
      });
    });
  });
  toErase.push_back(op);
  return success();
}

/// One merge of TMRGSORT, as pto-isa defines it: `lists` (buffer, first
/// column, pair count) of (value, index) pairs of `pe` elements (2 for f32,
/// 4 for f16) merge into `out` from column `outBase`; at each step the pair
/// of largest value is taken, of equal values (and when no value is
/// larger, as with NaN) the one of the earliest list.
static void emitMerge(Scalars &e,
                      ArrayRef<std::tuple<Value, Value, int64_t>> lists,
                      Value out, Value outBase, Type elt) {
  int64_t pe = 8 / getElementBytes(elt);
  OpBuilder &b = e.b;
  int64_t total = 0;
  SmallVector<Value> inits;
  for (auto &l : lists) {
    total += std::get<2>(l);
    inits.push_back(e.idx(0));
  }
  auto loop = e.loop(0, total, 1, inits);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value have = arith::ConstantIntOp::create(b, e.loc, b.getI1Type(), 0);
  Value init = arith::ConstantOp::create(b, e.loc, FloatAttr::get(elt, 0));
  // The picked pair's elements: best[0] is its value.
  SmallVector<Value> best(pe, init);
  Value pick = e.idx(0);
  Value yes = arith::ConstantIntOp::create(b, e.loc, b.getI1Type(), 1);
  for (auto [n, l] : llvm::enumerate(lists)) {
    auto [buf, first, pairs] = l;
    Value i = loop.getRegionIterArgs()[n];
    Value count = e.idx(pairs);
    Value valid = e.cmpi(arith::CmpIPredicate::ult, i, count);
    // An exhausted list is read at its last pair (in bounds) and not taken.
    Value last = e.idx(pairs - 1);
    Value clamped = arith::MinUIOp::create(b, e.loc, i, last);
    Value pos = e.add(first, e.mul(clamped, pe));
    SmallVector<Value> pair;
    for (int64_t k = 0; k < pe; ++k)
      pair.push_back(e.ld(buf, e.add(pos, k)));
    Value notHave = arith::XOrIOp::create(b, e.loc, have, yes);
    Value larger = e.cmpf(arith::CmpFPredicate::OGT, pair[0], best[0]);
    Value take = e.andi(valid, e.ori(notHave, larger));
    have = e.ori(have, take);
    for (int64_t k = 0; k < pe; ++k)
      best[k] = e.sel(take, pair[k], best[k]);
    pick = e.sel(take, e.idx(n), pick);
  }
  Value o = e.add(outBase, e.mul(loop.getInductionVar(), pe));
  for (int64_t k = 0; k < pe; ++k)
    e.st(best[k], out, e.add(o, k));
  SmallVector<Value> next;
  for (auto [n, l] : llvm::enumerate(lists)) {
    Value i = loop.getRegionIterArgs()[n];
    Value list = e.idx(n);
    Value mine = e.cmpi(arith::CmpIPredicate::eq, pick, list);
    Value inc = e.add(i, 1);
    next.push_back(e.sel(mine, inc, i));
  }
  scf::YieldOp::create(b, e.loc, next);
}

/// Single-list TMRGSORT: groups of 4 runs of block_len columns.
LogicalResult TileLowering::lowerMrgSort(MrgSortOp op) {
  b.setInsertionPoint(op);
  Scalars e{b, op.getLoc()};
  auto type = cast<TileType>(op.getType());
  Type elt = type.getElementType();
  int64_t pe = 8 / getElementBytes(elt);
  int64_t len = op.getBlockLen(), group = 4 * len;
  Value src = buffer(op.getInput());
  Value res = result(e, op);
  e.each(type.getCols() / group, [&](Value g) {
    Value base = e.mul(g, group);
    SmallVector<std::tuple<Value, Value, int64_t>> lists;
    for (int64_t r = 0; r < 4; ++r)
      lists.push_back({src, e.add(base, r * len), len / pe});
    emitMerge(e, lists, res, base, elt);
  });
  toErase.push_back(op);
  return success();
}

/// Multi-list TMRGSORT (not exhausted): 2 to 4 lists into one.
LogicalResult TileLowering::lowerMrgSortLists(MrgSortListsOp op) {
  b.setInsertionPoint(op);
  Scalars e{b, op.getLoc()};
  Type elt = cast<TileType>(op.getType()).getElementType();
  int64_t pe = 8 / getElementBytes(elt);
  SmallVector<std::tuple<Value, Value, int64_t>> lists;
  for (Value v : op.getInputs())
    lists.push_back({buffer(v), e.idx(0),
                     cast<TileType>(v.getType()).getCols() / pe});
  Value res = result(e, op);
  emitMerge(e, lists, res, e.idx(0), elt);
  toErase.push_back(op);
  return success();
}

/// tile.store {atomic_add}: each element is added into GM with an atomic
/// read-modify-write, so blocks that run at once on the simulation's worker
/// threads and add into one region do not lose updates. A partial tile
/// (`valid [vr, vc]`, static or runtime) adds only its top-left vr x vc
/// elements: the loops run to the valid extents, so GM outside them is
/// neither read nor written.
LogicalResult TileLowering::lowerAtomicStore(StoreOp op) {
  b.setInsertionPoint(op);
  Scalars e{b, op.getLoc()};
  TileType type = op.getTileType();
  Value gm = op.getDest();
  int64_t rank = op.getMemRefType().getRank();
  int64_t cols = type.getCols();
  Type elt = type.getElementType();
  auto kind = isa<FloatType>(elt) ? arith::AtomicRMWKind::addf
                                  : arith::AtomicRMWKind::addi;
  Value buf = buffer(op.getValue());
  // [0, extent) of tile dimension d: the valid size when the op has one.
  auto each = [&](unsigned d, function_ref<void(Value)> body) {
    OpFoldResult n = op.getValidSize(d);
    if (std::optional<int64_t> c = getConstantIntValue(n))
      return e.each(*c, body);
    // A runtime extent past the tile (undefined in PTO-ISA) must not read
    // past the tile's buffer here (as a plain partial store).
    Value lb = e.idx(0);
    Value size = e.idx(type.getShape()[d]);
    Value ub = arith::MinSIOp::create(b, e.loc, cast<Value>(n), size);
    Value st = e.idx(1);
    auto l = scf::ForOp::create(b, e.loc, lb, ub, st);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(l.getBody()->getTerminator());
    body(l.getInductionVar());
  };
  each(0, [&](Value r) {
    each(1, [&](Value c) {
      SmallVector<Value> gmIdx(op.getIndices().begin(), op.getIndices().end());
      if (rank >= 2)
        gmIdx[rank - 2] = e.add(gmIdx[rank - 2], r);
      gmIdx[rank - 1] = e.add(gmIdx[rank - 1], c);
      Value v = e.ld(buf, e.flat(r, cols, c));
      memref::AtomicRMWOp::create(b, e.loc, kind, v, gm, gmIdx);
    });
  });
  toErase.push_back(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Compute
//===----------------------------------------------------------------------===//

LogicalResult TileLowering::lowerCast(CastOp op) {
  Numerics n = numericsAt(op);
  auto in = cast<TileType>(op.getInput().getType());
  auto outType = cast<TileType>(op.getType());
  Value src = buffer(op.getInput()), out = result(n, op);
  bool ok = true;
  n.forChunks(in.getNumElements(), kLanes, [&](Value off, int64_t len) {
    Value v = n.load(Emitter::vec(len, in.getElementType()), src, off);
    Value r = n.convert(v, outType.getElementType(), op.getMode());
    if (!r) {
      ok = false;
      return;
    }
    n.store(r, out, off);
  });
  if (!ok)
    return op.emitOpError("has no CPU lowering for ")
           << in.getElementType() << " -> " << outType.getElementType();
  toErase.push_back(op);
  return success();
}

/// Elementwise ops: `fn(numerics, operands widened to f32 or i32, scalar
/// widened)` returns the result in f32 / i32, rounded back to the tile's
/// element type here.
LogicalResult TileLowering::lowerElementwise(
    Operation *op, ValueRange inputs, Value scalar,
    function_ref<Value(Numerics &, ValueRange, Value)> fn) {
  Numerics n = numericsAt(op);
  auto type = cast<TileType>(op->getResult(0).getType());
  Type elt = type.getElementType();
  SmallVector<Value> bufs;
  for (Value v : inputs)
    bufs.push_back(buffer(v));
  Value out = result(n, op);
  n.forChunks(type.getNumElements(), kLanes, [&](Value off, int64_t len) {
    SmallVector<Value> vs;
    for (Value buf : bufs)
      vs.push_back(n.widen(n.load(Emitter::vec(len, elt), buf, off)));
    Value s;
    if (scalar) {
      Value wide = scalar;
      if (scalar.getType().isF16())
        wide = arith::ExtFOp::create(b, n.loc, b.getF32Type(), scalar);
      if (scalar.getType().isSignlessInteger(8))
        wide = arith::ExtSIOp::create(b, n.loc, b.getI32Type(), scalar);
      s = vector::BroadcastOp::create(
          b, n.loc, Emitter::vec(len, wide.getType()), wide);
    }
    n.store(n.narrowArith(fn(n, vs, s), elt), out, off);
  });
  toErase.push_back(op);
  return success();
}

/// The broadcast arithmetic (tile.row_expand_<op> / tile.col_expand_<op>):
/// one operation per element, f16 computed in f32 and rounded once per
/// operation like the elementwise ops; expdif rounds the difference to the
/// element type first (it is TSUB then TEXP), then exponentiates as tile.exp.
LogicalResult TileLowering::lowerExpand(Operation *op,
                                        const ExpandInfo &info) {
  Numerics n = numericsAt(op);
  auto type = cast<TileType>(op->getResult(0).getType());
  Type elt = type.getElementType();
  bool isInt = elt.isInteger();
  bool perRow = info.perRow;
  int64_t rows = type.getRows(), cols = type.getCols();
  Value in = buffer(op->getOperand(0)), scale = buffer(op->getOperand(1));
  Value out = result(n, op);
  auto apply = [&](Value x, Value y) -> Value {
    switch (info.arith) {
    case ExpandArith::Add:
      return isInt ? Value(arith::AddIOp::create(b, n.loc, x, y))
                   : Value(arith::AddFOp::create(b, n.loc, x, y));
    case ExpandArith::Sub:
      return isInt ? Value(arith::SubIOp::create(b, n.loc, x, y))
                   : Value(arith::SubFOp::create(b, n.loc, x, y));
    case ExpandArith::Mul:
      return isInt ? Value(arith::MulIOp::create(b, n.loc, x, y))
                   : Value(arith::MulFOp::create(b, n.loc, x, y));
    case ExpandArith::Div:
      return arith::DivFOp::create(b, n.loc, x, y);
    case ExpandArith::Max:
      return isInt ? Value(arith::MaxSIOp::create(b, n.loc, x, y))
                   : Value(arith::MaximumFOp::create(b, n.loc, x, y));
    case ExpandArith::Min:
      return isInt ? Value(arith::MinSIOp::create(b, n.loc, x, y))
                   : Value(arith::MinimumFOp::create(b, n.loc, x, y));
    case ExpandArith::Expdif: {
      Value d = n.widen(n.narrowArith(arith::SubFOp::create(b, n.loc, x, y),
                                      elt));
      return math::ExpOp::create(b, n.loc, d);
    }
    }
    llvm_unreachable("unknown broadcast arithmetic");
  };
  n.forEach(rows, [&](Value r) {
    Value rowStart = n.mul(r, cols);
    Value s;
    if (perRow)
      s = n.widen(n.load(Emitter::vec(1, elt), scale, r));
    n.forChunks(cols, kLanes, [&](Value c, int64_t len) {
      Value pos = n.add(rowStart, c);
      Value x = n.widen(n.load(Emitter::vec(len, elt), in, pos));
      Value f;
      if (perRow) {
        Value scalar =
            vector::ExtractOp::create(b, n.loc, s, ArrayRef<int64_t>{0});
        f = vector::BroadcastOp::create(b, n.loc, x.getType(), scalar);
      } else {
        f = n.widen(n.load(Emitter::vec(len, elt), scale, c));
      }
      n.store(n.narrowArith(apply(x, f), elt), out, pos);
    });
  });
  toErase.push_back(op);
  return success();
}

/// tile.row_expand / tile.col_expand: element copies, exact.
LogicalResult TileLowering::lowerBroadcast(Operation *op, bool perRow) {
  Emitter e = at(op);
  auto type = cast<TileType>(op->getResult(0).getType());
  Type elt = type.getElementType();
  int64_t rows = type.getRows(), cols = type.getCols();
  Value in = buffer(op->getOperand(0));
  Value out = result(e, op);
  e.forEach(rows, [&](Value r) {
    Value rowStart = e.mul(r, cols);
    Value s;
    if (perRow)
      s = vector::ExtractOp::create(b, e.loc,
                                    e.load(Emitter::vec(1, elt), in, r),
                                    ArrayRef<int64_t>{0});
    e.forChunks(cols, kLanes, [&](Value c, int64_t len) {
      Value v = perRow ? Value(vector::BroadcastOp::create(
                             b, e.loc, Emitter::vec(len, elt), s))
                       : e.load(Emitter::vec(len, elt), in, c);
      e.store(v, out, e.add(rowStart, c));
    });
  });
  toErase.push_back(op);
  return success();
}

/// Copies the rows of a `sub`-shaped window at (row, col) of a `whole` tile:
/// out of it (extract) or into it (insert).
static void copyWindow(Emitter &e, Value wholeBuf, TileType whole,
                       Value subBuf, TileType sub, Value row, Value col,
                       bool intoWhole) {
  Type elt = sub.getElementType();
  int64_t subCols = sub.getCols();
  e.forEach(sub.getRows(), [&](Value r) {
    Value wholeRow = e.add(e.mul(arith::AddIOp::create(e.b, e.loc, row, r),
                                 whole.getCols()),
                           col);
    Value subRow = e.mul(r, subCols);
    e.forChunks(subCols, kLanes, [&](Value c, int64_t len) {
      Value w = e.add(wholeRow, c), s = e.add(subRow, c);
      if (intoWhole)
        e.store(e.load(Emitter::vec(len, elt), subBuf, s), wholeBuf, w);
      else
        e.store(e.load(Emitter::vec(len, elt), wholeBuf, w), subBuf, s);
    });
  });
}

LogicalResult TileLowering::lowerExtract(ExtractOp op) {
  Emitter e = at(op);
  Value out = result(e, op);
  copyWindow(e, buffer(op.getSource()),
             cast<TileType>(op.getSource().getType()), out,
             cast<TileType>(op.getType()), op.getRow(), op.getCol(),
             /*intoWhole=*/false);
  toErase.push_back(op);
  return success();
}

/// The result is `dest` with the window replaced: placed on `dest`'s bytes
/// (tile-place-buffers' in-place rule) only the window is written.
LogicalResult TileLowering::lowerInsert(InsertOp op) {
  Emitter e = at(op);
  Value out = updatedBuffer(e, op, op.getDest());
  copyWindow(e, out, cast<TileType>(op.getType()), buffer(op.getSource()),
             cast<TileType>(op.getSource().getType()), op.getRow(),
             op.getCol(), /*intoWhole=*/true);
  toErase.push_back(op);
  return success();
}

/// tile.get: one memref.load of the element (row-major in the tile's
/// buffer).
LogicalResult TileLowering::lowerGet(GetOp op) {
  Emitter e = at(op);
  auto type = cast<TileType>(op.getSource().getType());
  Value pos = e.add(e.mul(op.getRow(), type.getCols()), op.getCol());
  Value v = memref::LoadOp::create(b, e.loc, buffer(op.getSource()),
                                   ValueRange{pos});
  op.getResult().replaceAllUsesWith(v);
  toErase.push_back(op);
  return success();
}

/// tile.set: placed on `dest`'s bytes (the in-place rule) one element is
/// written; elsewhere `dest` is copied first.
LogicalResult TileLowering::lowerSet(SetOp op) {
  Emitter e = at(op);
  Value out = updatedBuffer(e, op, op.getDest());
  auto type = cast<TileType>(op.getType());
  Value pos = e.add(e.mul(op.getRow(), type.getCols()), op.getCol());
  memref::StoreOp::create(b, e.loc, op.getValue(), out, ValueRange{pos});
  toErase.push_back(op);
  return success();
}

/// tile.arange: element p (row-major) is start + p, exact in the element
/// type (the verifier checks the range).
LogicalResult TileLowering::lowerArange(ArangeOp op) {
  Emitter e = at(op);
  auto type = cast<TileType>(op.getType());
  Type elt = type.getElementType();
  Value out = result(e, op);
  int64_t count = type.getNumElements();
  // One 16-lane iota vector (start + 0 .. start + 15) in i32, advanced by
  // 16 per chunk.
  SmallVector<int32_t> lanes;
  for (int64_t l = 0; l < kLanes; ++l)
    lanes.push_back(static_cast<int32_t>(op.getStart() + l));
  VectorType i32v = Emitter::vec(kLanes, b.getI32Type());
  Value iota = arith::ConstantOp::create(
      b, e.loc, DenseElementsAttr::get(i32v, ArrayRef<int32_t>(lanes)));
  e.forChunks(count, kLanes, [&](Value c, int64_t len) {
    Value base = arith::IndexCastOp::create(b, e.loc, b.getI32Type(), c);
    Value v = arith::AddIOp::create(
        b, e.loc, iota,
        vector::BroadcastOp::create(b, e.loc, i32v, base));
    if (len != kLanes) {
      SmallVector<int64_t> mask;
      for (int64_t l = 0; l < len; ++l)
        mask.push_back(l);
      v = e.shuffle(v, v, mask);
    }
    VectorType vt = Emitter::vec(len, elt);
    if (isa<FloatType>(elt))
      v = arith::SIToFPOp::create(b, e.loc, vt, v);
    e.store(v, out, c);
  });
  toErase.push_back(op);
  return success();
}

/// The reduction a row / column reduction op computes.
static ReduceKind getReduceKind(Operation *op) {
  if (isa<RowSumOp, ColSumOp>(op))
    return ReduceKind::Sum;
  if (isa<RowMaxOp, ColMaxOp>(op))
    return ReduceKind::Max;
  if (isa<RowMinOp, ColMinOp>(op))
    return ReduceKind::Min;
  assert((isa<RowProdOp, ColProdOp>(op)) && "not a row or column reduction");
  return ReduceKind::Prod;
}

/// The identity of a float reduction (-0.0 for sums: x + -0.0 == x, also
/// for x = -0.0).
static double reduceIdentity(ReduceKind kind) {
  switch (kind) {
  case ReduceKind::Sum:
    return -0.0;
  case ReduceKind::Max:
    return -std::numeric_limits<double>::infinity();
  case ReduceKind::Min:
    return std::numeric_limits<double>::infinity();
  case ReduceKind::Prod:
    return 1.0;
  }
  llvm_unreachable("unknown reduction");
}

/// One step of a float reduction (maximum / minimum propagate NaN).
static Value reduceCombine(OpBuilder &b, Location loc, ReduceKind kind,
                           Value x, Value y) {
  switch (kind) {
  case ReduceKind::Sum:
    return arith::AddFOp::create(b, loc, x, y);
  case ReduceKind::Max:
    return arith::MaximumFOp::create(b, loc, x, y);
  case ReduceKind::Min:
    return arith::MinimumFOp::create(b, loc, x, y);
  case ReduceKind::Prod:
    return arith::MulFOp::create(b, loc, x, y);
  }
  llvm_unreachable("unknown reduction");
}

/// Row sums, maxima, minima and products in f32: lane l of a 16-lane
/// accumulator takes the elements j = l (mod 16) of the row in order, then
/// the lanes are combined pairwise (8 + 8, 4 + 4, 2 + 2, 1 + 1).
/// docs/numerics.md states the order.
LogicalResult TileLowering::lowerRowReduce(Operation *op, ReduceKind kind) {
  Numerics n = numericsAt(op);
  auto inType = cast<TileType>(op->getOperand(0).getType());
  Type elt = inType.getElementType();
  int64_t rows = inType.getRows(), cols = inType.getCols();
  Value in = buffer(op->getOperand(0));
  Value out = result(n, op);
  VectorType acc = Emitter::vec(kLanes, b.getF32Type());
  double identity = reduceIdentity(kind);
  auto combine = [&](Value x, Value y) -> Value {
    return reduceCombine(b, n.loc, kind, x, y);
  };
  n.forEach(rows, [&](Value r) {
    Value rowStart = n.mul(r, cols);
    Value init = n.splat(acc, identity);
    int64_t full = cols / kLanes, tail = cols % kLanes;
    Value sum = init;
    if (full > 0) {
      auto loop = n.loop(0, full * kLanes, kLanes, ValueRange{init});
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value x = n.widen(n.load(Emitter::vec(kLanes, elt), in,
                               n.add(rowStart, loop.getInductionVar())));
      scf::YieldOp::create(b, n.loc,
                           combine(loop.getRegionIterArgs()[0], x));
      b.setInsertionPointAfter(loop);
      sum = loop.getResult(0);
    }
    if (tail) {
      Value x = n.widen(n.load(Emitter::vec(tail, elt), in,
                               n.add(rowStart, full * kLanes)));
      // Pad the tail to 16 lanes with the identity.
      SmallVector<int64_t> mask;
      for (int64_t i = 0; i < kLanes; ++i)
        mask.push_back(i < tail ? i : tail + i);
      Value padded = n.shuffle(x, init, mask);
      sum = combine(sum, padded);
    }
    for (int64_t width = kLanes / 2; width >= 1; width /= 2) {
      SmallVector<int64_t> lo, hi;
      for (int64_t i = 0; i < width; ++i) {
        lo.push_back(i);
        hi.push_back(width + i);
      }
      Value low = n.shuffle(sum, sum, lo);
      Value high = n.shuffle(sum, sum, hi);
      sum = combine(low, high);
    }
    n.store(n.narrowArith(sum, elt), out, r);
  });
  toErase.push_back(op);
  return success();
}

//===----------------------------------------------------------------------===//
// The rest of the catalog (TileCatalogOps.td)
//===----------------------------------------------------------------------===//

/// The predicate of `mode` on widened vectors (f32, or i32 for i32 tiles):
/// ordered float comparisons (false with a NaN) except `ne` (true).
static Value compareOf(Numerics &n, CmpMode mode, Value x, Value y) {
  using F = arith::CmpFPredicate;
  using I = arith::CmpIPredicate;
  if (isa<IntegerType>(getElementTypeOrSelf(x.getType()))) {
    I p = I::eq;
    switch (mode) {
    case CmpMode::eq: p = I::eq; break;
    case CmpMode::ne: p = I::ne; break;
    case CmpMode::lt: p = I::slt; break;
    case CmpMode::le: p = I::sle; break;
    case CmpMode::gt: p = I::sgt; break;
    case CmpMode::ge: p = I::sge; break;
    }
    return n.cmpi(p, x, y);
  }
  F p = F::OEQ;
  switch (mode) {
  case CmpMode::eq: p = F::OEQ; break;
  case CmpMode::ne: p = F::UNE; break;
  case CmpMode::lt: p = F::OLT; break;
  case CmpMode::le: p = F::OLE; break;
  case CmpMode::gt: p = F::OGT; break;
  case CmpMode::ge: p = F::OGE; break;
  }
  return n.cmpf(p, x, y);
}

/// tile.cmp / tile.cmps: the mask is zeroed, then for each row and each
/// group of 8 columns the predicates become one byte, column 8g + k at bit
/// k (an OR-reduction of 1 << k where the predicate holds).
LogicalResult TileLowering::lowerCmp(Operation *op, Value lhs, Value rhs,
                                     Value scalar, CmpMode mode) {
  Numerics n = numericsAt(op);
  auto inType = cast<TileType>(lhs.getType());
  auto maskType = cast<TileType>(op->getResult(0).getType());
  Type elt = inType.getElementType();
  int64_t rows = inType.getRows(), cols = inType.getCols();
  int64_t maskCols = maskType.getCols();
  Value x = buffer(lhs), y = rhs ? buffer(rhs) : Value();
  Value out = result(n, op);
  Type i8 = b.getI8Type(), i32 = b.getI32Type();
  n.forChunks(maskType.getNumElements(), kCopyBytes,
              [&](Value off, int64_t len) {
                n.store(n.splat(Emitter::vec(len, i8), 0), out, off);
              });
  Value s;
  if (scalar) {
    s = scalar;
    if (s.getType().isF16())
      s = arith::ExtFOp::create(b, n.loc, b.getF32Type(), s);
  }
  n.forEach(rows, [&](Value r) {
    Value rowStart = n.mul(r, cols);
    Value maskRow = n.mul(r, maskCols);
    n.forChunks(cols, 8, [&](Value c, int64_t len) {
      Value pos = n.add(rowStart, c);
      Value a = n.widen(n.load(Emitter::vec(len, elt), x, pos));
      Value bv = scalar ? Value(vector::BroadcastOp::create(b, n.loc,
                                                            a.getType(), s))
                        : n.widen(n.load(Emitter::vec(len, elt), y, pos));
      Value p = compareOf(n, mode, a, bv);
      SmallVector<int32_t> weights;
      for (int64_t k = 0; k < len; ++k)
        weights.push_back(1 << k);
      VectorType wt = Emitter::vec(len, i32);
      Value w = arith::ConstantOp::create(
          b, n.loc, DenseElementsAttr::get(wt, ArrayRef<int32_t>(weights)));
      Value bits = n.sel(p, w, n.splat(wt, 0));
      Value byte = vector::ReductionOp::create(
          b, n.loc, vector::CombiningKind::OR, bits);
      byte = arith::TruncIOp::create(b, n.loc, i8, byte);
      // Byte c / 8 of the row.
      Value col = arith::DivUIOp::create(b, n.loc, c, n.idx(8));
      memref::StoreOp::create(b, n.loc, byte, out,
                              ValueRange{n.add(maskRow, col)});
    });
  });
  toErase.push_back(op);
  return success();
}

/// tile.sel / tile.sels: per row and group of 8 columns, the mask byte's
/// bits k = 0 .. 7 pick lhs (set) or rhs / the scalar (clear); exact.
LogicalResult TileLowering::lowerSel(Operation *op, Value mask, Value lhs,
                                     Value rhs, Value scalar) {
  Numerics n = numericsAt(op);
  auto type = cast<TileType>(op->getResult(0).getType());
  auto maskType = cast<TileType>(mask.getType());
  Type elt = type.getElementType();
  int64_t rows = type.getRows(), cols = type.getCols();
  int64_t maskCols = maskType.getCols();
  Value m = buffer(mask), x = buffer(lhs), y = rhs ? buffer(rhs) : Value();
  Value out = result(n, op);
  Type i32 = b.getI32Type();
  n.forEach(rows, [&](Value r) {
    Value rowStart = n.mul(r, cols);
    Value maskRow = n.mul(r, maskCols);
    n.forChunks(cols, 8, [&](Value c, int64_t len) {
      Value pos = n.add(rowStart, c);
      Value col = arith::DivUIOp::create(b, n.loc, c, n.idx(8));
      Value byte = memref::LoadOp::create(b, n.loc, m,
                                          ValueRange{n.add(maskRow, col)});
      byte = arith::ExtUIOp::create(b, n.loc, i32, byte);
      VectorType it = Emitter::vec(len, i32);
      SmallVector<int32_t> shifts;
      for (int64_t k = 0; k < len; ++k)
        shifts.push_back(static_cast<int32_t>(k));
      Value sh = arith::ConstantOp::create(
          b, n.loc, DenseElementsAttr::get(it, ArrayRef<int32_t>(shifts)));
      Value bitsV = n.andi(
          n.shrui(vector::BroadcastOp::create(b, n.loc, it, byte), sh),
          n.i32s(sh, 1));
      Value p = n.cmpi(arith::CmpIPredicate::ne, bitsV, n.i32s(sh, 0));
      VectorType vt = Emitter::vec(len, elt);
      Value a = n.load(vt, x, pos);
      Value other = scalar ? Value(vector::BroadcastOp::create(b, n.loc, vt,
                                                               scalar))
                           : n.load(vt, y, pos);
      n.store(n.sel(p, a, other), out, pos);
    });
  });
  toErase.push_back(op);
  return success();
}

/// Column reductions in f32, sequentially down each column (row 0 first),
/// 16 columns per vector.
LogicalResult TileLowering::lowerColReduce(Operation *op, ReduceKind kind) {
  Numerics n = numericsAt(op);
  auto inType = cast<TileType>(op->getOperand(0).getType());
  Type elt = inType.getElementType();
  int64_t rows = inType.getRows(), cols = inType.getCols();
  Value in = buffer(op->getOperand(0));
  Value out = result(n, op);
  n.forChunks(cols, kLanes, [&](Value c, int64_t len) {
    VectorType vt = Emitter::vec(len, elt);
    Value acc = n.widen(n.load(vt, in, c));
    if (rows > 1) {
      auto loop = n.loop(1, rows, 1, ValueRange{acc});
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value pos = n.add(n.mul(loop.getInductionVar(), cols), c);
      Value x = n.widen(n.load(vt, in, pos));
      scf::YieldOp::create(
          b, n.loc,
          reduceCombine(b, n.loc, kind, loop.getRegionIterArgs()[0], x));
      b.setInsertionPointAfter(loop);
      acc = loop.getResult(0);
    }
    n.store(n.narrowArith(acc, elt), out, c);
  });
  toErase.push_back(op);
  return success();
}

/// Arg-reductions, PTO-ISA's rule: the first element is the best so far, a
/// later one replaces it only if strictly greater (smaller): the first
/// extremum wins ties, a NaN never replaces (NaN compares false). Rows run
/// one element at a time; columns 16 at a time (each lane a column, the
/// same sequential rule).
LogicalResult TileLowering::lowerArgReduce(Operation *op, bool perRow,
                                           bool isMax) {
  Numerics n = numericsAt(op);
  auto inType = cast<TileType>(op->getOperand(0).getType());
  Type elt = inType.getElementType();
  int64_t rows = inType.getRows(), cols = inType.getCols();
  Value in = buffer(op->getOperand(0));
  Value out = result(n, op);
  Type i32 = b.getI32Type();
  auto better = [&](Value x, Value best) -> Value {
    if (isa<IntegerType>(getElementTypeOrSelf(x.getType())))
      return n.cmpi(isMax ? arith::CmpIPredicate::sgt
                          : arith::CmpIPredicate::slt,
                    x, best);
    return n.cmpf(isMax ? arith::CmpFPredicate::OGT
                        : arith::CmpFPredicate::OLT,
                  x, best);
  };
  // Scans `count` steps; `load(k)` is the (widened) vector of step k and
  // `len` its lanes; returns the index vector (i32).
  auto scan = [&](int64_t count, int64_t len,
                  function_ref<Value(Value)> load) -> Value {
    VectorType it = Emitter::vec(len, i32);
    Value best = load(n.idx(0));
    Value bestIdx = n.splat(it, 0);
    if (count == 1)
      return bestIdx;
    auto loop = n.loop(1, count, 1, ValueRange{best, bestIdx});
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k = loop.getInductionVar();
    Value x = load(k);
    Value curBest = loop.getRegionIterArgs()[0];
    Value curIdx = loop.getRegionIterArgs()[1];
    Value take = better(x, curBest);
    Value kv = vector::BroadcastOp::create(
        b, n.loc, it, arith::IndexCastOp::create(b, n.loc, i32, k));
    scf::YieldOp::create(b, n.loc, ValueRange{n.sel(take, x, curBest),
                                              n.sel(take, kv, curIdx)});
    b.setInsertionPointAfter(loop);
    return loop.getResult(1);
  };
  if (perRow) {
    n.forEach(rows, [&](Value r) {
      Value rowStart = n.mul(r, cols);
      Value idx = scan(cols, 1, [&](Value k) {
        return n.widen(n.load(Emitter::vec(1, elt), in, n.add(rowStart, k)));
      });
      n.store(idx, out, r);
    });
  } else {
    n.forChunks(cols, kLanes, [&](Value c, int64_t len) {
      Value idx = scan(rows, len, [&](Value k) {
        return n.widen(n.load(Emitter::vec(len, elt), in,
                              n.add(n.mul(k, cols), c)));
      });
      n.store(idx, out, c);
    });
  }
  toErase.push_back(op);
  return success();
}

/// tile.transpose: element copies, out[j, i] = in[i, j].
LogicalResult TileLowering::lowerTranspose(TransposeOp op) {
  Emitter e = at(op);
  auto inType = cast<TileType>(op.getInput().getType());
  int64_t rows = inType.getRows(), cols = inType.getCols();
  Value in = buffer(op.getInput()), out = result(e, op);
  e.forEach(rows, [&](Value i) {
    e.forEach(cols, [&](Value j) {
      Value v = memref::LoadOp::create(b, e.loc, in,
                                       ValueRange{e.add(e.mul(i, cols), j)});
      memref::StoreOp::create(b, e.loc, v, out,
                              ValueRange{e.add(e.mul(j, rows), i)});
    });
  });
  toErase.push_back(op);
  return success();
}

/// tile.concat: each operand's rows copied into their window of the result.
LogicalResult TileLowering::lowerConcat(ConcatOp op) {
  Emitter e = at(op);
  auto outType = cast<TileType>(op.getType());
  auto lhsType = cast<TileType>(op.getLhs().getType());
  auto rhsType = cast<TileType>(op.getRhs().getType());
  Value out = result(e, op);
  Value zero = e.idx(0);
  copyWindow(e, out, outType, buffer(op.getLhs()), lhsType, zero, zero,
             /*intoWhole=*/true);
  copyWindow(e, out, outType, buffer(op.getRhs()), rhsType, zero,
             e.idx(lhsType.getCols()), /*intoWhole=*/true);
  toErase.push_back(op);
  return success();
}

/// tile.reinterpret_view: the bytes copied as they are (vector bitcasts of
/// whole groups of elements; the verifier makes the groups fit).
LogicalResult TileLowering::lowerReinterpretView(ReinterpretViewOp op) {
  Emitter e = at(op);
  auto inType = cast<TileType>(op.getInput().getType());
  auto outType = cast<TileType>(op.getType());
  Type inElt = inType.getElementType(), outElt = outType.getElementType();
  int64_t inBits = inElt.getIntOrFloatBitWidth();
  int64_t outBits = outElt.getIntOrFloatBitWidth();
  // Input elements per whole group, and groups per chunk (about 64 bytes).
  int64_t group = std::lcm(inBits, outBits) / inBits;
  int64_t width = group * std::max<int64_t>(1, kCopyBytes * 8 /
                                                   (group * inBits));
  Value in = buffer(op.getInput()), out = result(e, op);
  e.forChunks(inType.getNumElements(), width, [&](Value off, int64_t len) {
    Value v = e.load(Emitter::vec(len, inElt), in, off);
    int64_t outLen = len * inBits / outBits;
    Value w = vector::BitCastOp::create(b, e.loc,
                                        Emitter::vec(outLen, outElt), v);
    Value outOff = arith::DivUIOp::create(
        b, e.loc, arith::MulIOp::create(b, e.loc, off, e.idx(inBits)),
        e.idx(outBits));
    e.store(w, out, outOff);
  });
  toErase.push_back(op);
  return success();
}

/// tile.tri: 1 where j <= i + diagonal (lower) or j >= i + diagonal
/// (upper), else 0; the comparison in i64 (no overflow for any diagonal).
LogicalResult TileLowering::lowerTri(TriOp op) {
  Emitter e = at(op);
  auto type = cast<TileType>(op.getType());
  Type elt = type.getElementType();
  int64_t rows = type.getRows(), cols = type.getCols();
  Value out = result(e, op);
  Type i64 = b.getI64Type();
  // Clamped to +-(rows + cols): the same mask, and i + d cannot overflow.
  int64_t bound = rows + cols;
  int64_t diag = std::clamp<int64_t>(op.getDiagonal(), -bound, bound);
  e.forEach(rows, [&](Value i) {
    Value rowStart = e.mul(i, cols);
    Value limit = arith::AddIOp::create(
        b, e.loc, arith::IndexCastOp::create(b, e.loc, i64, i),
        arith::ConstantIntOp::create(b, e.loc, i64, diag));
    e.forChunks(cols, kLanes, [&](Value c, int64_t len) {
      VectorType it = Emitter::vec(len, i64);
      SmallVector<int64_t> lanes;
      for (int64_t l = 0; l < len; ++l)
        lanes.push_back(l);
      Value iota = arith::ConstantOp::create(
          b, e.loc, DenseElementsAttr::get(it, ArrayRef<int64_t>(lanes)));
      Value j = arith::AddIOp::create(
          b, e.loc, iota,
          vector::BroadcastOp::create(
              b, e.loc, it, arith::IndexCastOp::create(b, e.loc, i64, c)));
      Value lim = vector::BroadcastOp::create(b, e.loc, it, limit);
      Value in = arith::CmpIOp::create(
          b, e.loc,
          op.getUpper() ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
          j, lim);
      VectorType vt = Emitter::vec(len, elt);
      Value one = e.splat(vt, 1.0), zero = e.splat(vt, 0.0);
      e.store(arith::SelectOp::create(b, e.loc, in, one, zero), out,
              e.add(rowStart, c));
    });
  });
  toErase.push_back(op);
  return success();
}

/// C[M, N] = acc + A[M, K] @ B[K, N]: A is widened once into Temp (f32 or
/// i32); then for blocks of 8 rows and 16 columns the accumulators stay in
/// registers while k runs over K in order (one fused multiply-add per k, which
/// is exact for the products of bf16, f16 and i8 inputs). A transposed
/// operand (`a_trans`: lhs stored [K, M]; `b_trans`: rhs stored [N, K]) is
/// first copied, widened, into Temp as the [M, K] / [K, N] matrix it
/// multiplies, one element at a time.
LogicalResult TileLowering::lowerMatmul(Operation *op, Value acc, Value lhs,
                                        Value rhs) {
  Numerics n = numericsAt(op);
  MatmulView mm = *getMatmulView(op);
  Type inElt = mm.lhsType.getElementType();
  bool isInt = inElt.isInteger();
  Type accElt = isInt ? Type(b.getI32Type()) : Type(b.getF32Type());
  int64_t m = mm.m, k = mm.k, ncols = mm.n;
  Value a = buffer(lhs), bm = buffer(rhs);
  Value c0 = acc ? buffer(acc) : Value();
  Value out = result(n, op);
  Value wideA = tempView(n, op, 0, MemRefType::get({m * k}, accElt));
  // dst[r * cols + c] = widen(src[c * rows + r]) for the stored [cols, rows]
  // matrix src.
  auto transposeWiden = [&](Value src, Value dst, int64_t rows, int64_t cols) {
    n.forEach(cols, [&](Value c) {
      n.forEach(rows, [&](Value r) {
        Value x = n.widen(
            n.load(Emitter::vec(1, inElt), src, n.add(n.mul(c, rows), r)));
        n.store(x, dst, n.add(n.mul(r, cols), c));
      });
    });
  };
  if (mm.aTrans) {
    transposeWiden(a, wideA, m, k);
  } else {
    n.forChunks(m * k, kLanes, [&](Value off, int64_t len) {
      n.store(n.widen(n.load(Emitter::vec(len, inElt), a, off)), wideA, off);
    });
  }
  // The rhs rows the k loop reads: the stored [K, N] tile, or its widened
  // transpose in Temp after A.
  Value rows = bm;
  Type rowElt = inElt;
  if (mm.bTrans) {
    rows = tempView(n, op, getMatmulTempBTOffset(m * k),
                    MemRefType::get({k * ncols}, accElt));
    rowElt = accElt;
    transposeWiden(bm, rows, k, ncols);
  }
  n.forBlocks(m, kMatmulRows, [&](Value i0, int64_t mr) {
    n.forChunks(ncols, kLanes, [&](Value j0, int64_t nr) {
      VectorType vt = Emitter::vec(nr, accElt);
      SmallVector<Value> rowStarts, inits;
      for (int64_t r = 0; r < mr; ++r) {
        Value row = n.add(i0, r);
        rowStarts.push_back(n.add(n.mul(row, ncols), j0));
        inits.push_back(c0 ? n.load(vt, c0, rowStarts.back())
                           : n.splat(vt, 0.0));
      }
      auto loop = n.loop(0, k, 1, inits);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(loop.getBody());
        Value kk = loop.getInductionVar();
        Value bv = n.widen(n.load(Emitter::vec(nr, rowElt), rows,
                                  n.add(n.mul(kk, ncols), j0)));
        SmallVector<Value> next;
        for (int64_t r = 0; r < mr; ++r) {
          Value ai = memref::LoadOp::create(
              b, n.loc, wideA,
              ValueRange{n.add(n.mul(n.add(i0, r), k), kk)});
          Value av = vector::BroadcastOp::create(b, n.loc, vt, ai);
          Value cur = loop.getRegionIterArgs()[r];
          if (isInt)
            next.push_back(arith::AddIOp::create(
                b, n.loc, cur, arith::MulIOp::create(b, n.loc, av, bv)));
          else
            next.push_back(math::FmaOp::create(b, n.loc, av, bv, cur));
        }
        scf::YieldOp::create(b, n.loc, next);
      }
      b.setInsertionPointAfter(loop);
      for (int64_t r = 0; r < mr; ++r)
        n.store(loop.getResult(r), out, rowStarts[r]);
    });
  });
  toErase.push_back(op);
  return success();
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

using Fn = function_ref<Value(Numerics &, ValueRange, Value)>;

/// Integer or float version of a binary arithmetic op.
template <typename IntOp, typename FloatOp>
static Value arith2(Numerics &n, Value x, Value y) {
  if (isa<IntegerType>(getElementTypeOrSelf(x.getType())))
    return IntOp::create(n.b, n.loc, x, y);
  return FloatOp::create(n.b, n.loc, x, y);
}

/// C fmod (f32, the f16 operands widened exactly): x - trunc(x / y) * y,
/// exact, with the sign of x; NaN for y = 0 or x infinite.
static Value fmodOf(Numerics &n, Value x, Value y) {
  return arith::RemFOp::create(n.b, n.loc, x, y);
}

/// Python's / torch.remainder's `x % y`: the fmod, plus y when it is
/// non-zero and its sign differs from y's (the sign of the divisor). The
/// one rounding is that of the addition (fmod(-1e-8, 3) + 3 = 3).
static Value remainderOf(Numerics &n, Value x, Value y) {
  using P = arith::CmpFPredicate;
  Value r = fmodOf(n, x, y);
  auto vt = cast<VectorType>(r.getType());
  Value zero = arith::ConstantOp::create(
      n.b, n.loc, DenseElementsAttr::get(vt, n.b.getF32FloatAttr(0)));
  // `ult` / `une` are true for NaN, `olt` / `one` false: a NaN r stays NaN.
  Value rNeg = n.cmpf(P::OLT, r, zero), yNeg = n.cmpf(P::OLT, y, zero);
  // One statement per op: the IR must not depend on the host compiler's
  // order of evaluating arguments.
  Value nonZero = n.cmpf(P::ONE, r, zero);
  Value signsDiffer = arith::XOrIOp::create(n.b, n.loc, rNeg, yNeg);
  Value fix = n.andi(nonZero, signsDiffer);
  Value sum = arith::AddFOp::create(n.b, n.loc, r, y);
  return n.sel(fix, sum, r);
}

static Value andOf(Numerics &n, Value x, Value y) { return n.andi(x, y); }
static Value orOf(Numerics &n, Value x, Value y) { return n.ori(x, y); }
static Value xorOf(Numerics &n, Value x, Value y) {
  return arith::XOrIOp::create(n.b, n.loc, x, y);
}

/// A shift of an i8 or i32 element (`bits` wide) computed on its
/// sign-extended i32 `x` by the sign-extended i32 `amount`: shl keeps the
/// low `bits` (truncated by the caller), shr is arithmetic. An amount outside
/// [0, bits) (unsigned compare: a negative one is huge) gives 0 for shl and
/// the sign fill for shr, instead of LLVM's poison.
static Value shiftOf(Numerics &n, Value x, Value amount, int64_t bits,
                     bool left) {
  using P = arith::CmpIPredicate;
  Value inRange = n.cmpi(P::ult, amount, n.i32s(x, bits));
  if (left)
    return n.sel(inRange, n.shli(x, amount), n.i32s(x, 0));
  Value safe = n.sel(inRange, amount, n.i32s(x, 31));
  return arith::ShRSIOp::create(n.b, n.loc, x, safe);
}

LogicalResult TileLowering::lower(Operation *op) {
  auto binary = [&](Operation *o, auto build) {
    return lowerElementwise(o, o->getOperands(), Value(),
                            [&](Numerics &n, ValueRange v, Value) {
                              return build(n, v[0], v[1]);
                            });
  };
  auto withScalar = [&](Operation *o, auto build) {
    return lowerElementwise(o, o->getOperand(0), o->getOperand(1),
                            [&](Numerics &n, ValueRange v, Value s) {
                              return build(n, v[0], s);
                            });
  };
  auto unary = [&](Operation *o, auto build) {
    return lowerElementwise(o, o->getOperands(), Value(),
                            [&](Numerics &n, ValueRange v, Value) {
                              return build(n, v[0]);
                            });
  };
  auto one = [](Numerics &n, Value like) {
    return n.splat(cast<VectorType>(like.getType()), 1.0);
  };
  using AddI = arith::AddIOp;
  using SubI = arith::SubIOp;
  using MulI = arith::MulIOp;
  using MaxI = arith::MaxSIOp;
  using MinI = arith::MinSIOp;
  if (auto ifOp = dyn_cast<scf::IfOp>(op))
    if (llvm::any_of(ifOp->getResultTypes(), llvm::IsaPred<TileType>))
      return lowerIf(ifOp);
  if (auto yield = dyn_cast<scf::YieldOp>(op)) {
    auto it = ifYields.find(yield);
    if (it != ifYields.end()) {
      IfState state = it->second;
      return lowerIfYield(yield, state);
    }
  }
  if (std::optional<ExpandInfo> info = getExpandInfo(op))
    return lowerExpand(op, *info);
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<SpmdOp>([&](auto o) { return lowerSpmd(o); })
      .Case<AtOp>([&](auto o) { return lowerAt(o); })
      .Case<PipelineOp>([&](auto o) { return lowerPipeline(o); })
      .Case<YieldOp>([&](auto o) { return lowerYield(o); })
      .Case<AllocGmOp>([&](auto o) { return lowerAllocGm(o); })
      .Case<LoadOp>([&](LoadOp o) {
        if (o.hasValidShape())
          return lowerLoadStore(o, o.getSource(), o.getIndices(),
                                o.getTileType(), Value(), true,
                                o.getValidSize(0), o.getValidSize(1));
        return lowerLoadStore(o, o.getSource(), o.getIndices(),
                              o.getTileType(), Value(), true);
      })
      .Case<StoreOp>([&](StoreOp o) -> LogicalResult {
        if (o.getAtomicAdd())
          return lowerAtomicStore(o);
        if (o.hasValidShape())
          return lowerLoadStore(o, o.getDest(), o.getIndices(),
                                o.getTileType(), o.getValue(), false,
                                o.getValidSize(0), o.getValidSize(1));
        return lowerLoadStore(o, o.getDest(), o.getIndices(), o.getTileType(),
                              o.getValue(), false);
      })
      .Case<FillPadOp>([&](auto o) { return lowerFillPad(o); })
      .Case<FullOp>([&](auto o) { return lowerFull(o); })
      .Case<ReshapeOp>([&](auto o) { return lowerReshape(o); })
      .Case<CopyOp>([&](CopyOp o) {
        Emitter e = at(o);
        Value in = buffer(o.getInput());
        if (storage.lookup(o.getResult()) == storage.lookup(o.getInput()))
          buffers[o.getResult()] = in;
        else
          copy(e, in, result(e, o));
        toErase.push_back(o);
        return success();
      })
      // The simulation runs one instruction after another: pipe
      // synchronisation has nothing to order.
      .Case<SetFlagOp, WaitFlagOp, BarrierOp>([&](Operation *o) {
        toErase.push_back(o);
        return success();
      })
      .Case<GatherOp>([&](auto o) { return lowerGather(o); })
      .Case<ScatterOp>([&](auto o) { return lowerScatter(o); })
      .Case<CastOp>([&](auto o) { return lowerCast(o); })
      .Case<AddOp>([&](Operation *o) {
        return binary(o, arith2<AddI, arith::AddFOp>);
      })
      .Case<SubOp>([&](Operation *o) {
        return binary(o, arith2<SubI, arith::SubFOp>);
      })
      .Case<MulOp>([&](Operation *o) {
        return binary(o, arith2<MulI, arith::MulFOp>);
      })
      .Case<DivOp>([&](Operation *o) {
        return binary(o, arith2<arith::DivSIOp, arith::DivFOp>);
      })
      .Case<MaxOp>([&](Operation *o) {
        return binary(o, arith2<MaxI, arith::MaximumFOp>);
      })
      .Case<MinOp>([&](Operation *o) {
        return binary(o, arith2<MinI, arith::MinimumFOp>);
      })
      .Case<AddSOp>([&](Operation *o) {
        return withScalar(o, arith2<AddI, arith::AddFOp>);
      })
      .Case<SubSOp>([&](Operation *o) {
        return withScalar(o, arith2<SubI, arith::SubFOp>);
      })
      .Case<RSubSOp>([&](Operation *o) {
        return withScalar(o, [](Numerics &n, Value x, Value s) {
          return arith2<SubI, arith::SubFOp>(n, s, x);
        });
      })
      .Case<MulSOp>([&](Operation *o) {
        return withScalar(o, arith2<MulI, arith::MulFOp>);
      })
      .Case<DivSOp>([&](Operation *o) {
        return withScalar(o, arith2<arith::DivSIOp, arith::DivFOp>);
      })
      .Case<RDivSOp>([&](Operation *o) {
        return withScalar(o, [](Numerics &n, Value x, Value s) {
          return arith2<arith::DivSIOp, arith::DivFOp>(n, s, x);
        });
      })
      .Case<MaxSOp>([&](Operation *o) {
        return withScalar(o, arith2<MaxI, arith::MaximumFOp>);
      })
      .Case<MinSOp>([&](Operation *o) {
        return withScalar(o, arith2<MinI, arith::MinimumFOp>);
      })
      .Case<NegOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          if (isa<IntegerType>(getElementTypeOrSelf(x.getType())))
            return n.subi(n.i32s(x, 0), x);
          return arith::NegFOp::create(n.b, n.loc, x);
        });
      })
      .Case<AbsOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          if (isa<IntegerType>(getElementTypeOrSelf(x.getType())))
            return math::AbsIOp::create(n.b, n.loc, x);
          return math::AbsFOp::create(n.b, n.loc, x);
        });
      })
      .Case<SqrtOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          return math::SqrtOp::create(n.b, n.loc, x);
        });
      })
      .Case<RsqrtOp>([&](Operation *o) {
        return unary(o, [&](Numerics &n, Value x) -> Value {
          return arith::DivFOp::create(n.b, n.loc, one(n, x),
                                       math::SqrtOp::create(n.b, n.loc, x));
        });
      })
      .Case<RecipOp>([&](Operation *o) {
        return unary(o, [&](Numerics &n, Value x) -> Value {
          return arith::DivFOp::create(n.b, n.loc, one(n, x), x);
        });
      })
      .Case<ExpOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          return math::ExpOp::create(n.b, n.loc, x);
        });
      })
      .Case<LogOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          return math::LogOp::create(n.b, n.loc, x);
        });
      })
      .Case<SinOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          return math::SinOp::create(n.b, n.loc, x);
        });
      })
      .Case<CosOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          return math::CosOp::create(n.b, n.loc, x);
        });
      })
      .Case<FModOp>([&](Operation *o) { return binary(o, fmodOf); })
      .Case<RemOp>([&](Operation *o) { return binary(o, remainderOf); })
      .Case<FModSOp>([&](Operation *o) { return withScalar(o, fmodOf); })
      .Case<RemSOp>([&](Operation *o) { return withScalar(o, remainderOf); })
      .Case<RowExpandOp>([&](Operation *o) { return lowerBroadcast(o, true); })
      .Case<ColExpandOp>([&](Operation *o) {
        return lowerBroadcast(o, false);
      })
      .Case<ExtractOp>([&](ExtractOp o) { return lowerExtract(o); })
      .Case<InsertOp>([&](InsertOp o) { return lowerInsert(o); })
      .Case<GetOp>([&](GetOp o) { return lowerGet(o); })
      .Case<SetOp>([&](SetOp o) { return lowerSet(o); })
      .Case<ArangeOp>([&](ArangeOp o) { return lowerArange(o); })
      .Case<GatherIndexOp>([&](GatherIndexOp o) { return lowerGatherIndex(o); })
      .Case<ScatterIndexOp>([&](ScatterIndexOp o) {
        return lowerScatterIndex(o);
      })
      .Case<Sort32Op>([&](Sort32Op o) { return lowerSort32(o); })
      .Case<MrgSortOp>([&](MrgSortOp o) { return lowerMrgSort(o); })
      .Case<MrgSortListsOp>([&](MrgSortListsOp o) {
        return lowerMrgSortLists(o);
      })
      .Case<RowSumOp, RowMaxOp, RowMinOp, RowProdOp>([&](Operation *o) {
        return lowerRowReduce(o, getReduceKind(o));
      })
      .Case<ColSumOp, ColMaxOp, ColMinOp, ColProdOp>([&](Operation *o) {
        return lowerColReduce(o, getReduceKind(o));
      })
      .Case<RowArgMaxOp, RowArgMinOp, ColArgMaxOp, ColArgMinOp>(
          [&](Operation *o) {
            return lowerArgReduce(o, isa<RowArgMaxOp, RowArgMinOp>(o),
                                  isa<RowArgMaxOp, ColArgMaxOp>(o));
          })
      .Case<CmpOp>([&](CmpOp o) {
        return lowerCmp(o, o.getLhs(), o.getRhs(), Value(), o.getMode());
      })
      .Case<CmpSOp>([&](CmpSOp o) {
        return lowerCmp(o, o.getInput(), Value(), o.getScalar(), o.getMode());
      })
      .Case<SelOp>([&](SelOp o) {
        return lowerSel(o, o.getMask(), o.getLhs(), o.getRhs(), Value());
      })
      .Case<SelSOp>([&](SelSOp o) {
        return lowerSel(o, o.getMask(), o.getInput(), Value(), o.getScalar());
      })
      .Case<PReluOp>([&](Operation *o) {
        return binary(o, [](Numerics &n, Value x, Value slope) -> Value {
          Value zero = n.splat(cast<VectorType>(x.getType()), 0.0);
          Value pos = n.cmpf(arith::CmpFPredicate::OGT, x, zero);
          return n.sel(pos, x, arith::MulFOp::create(n.b, n.loc, x, slope));
        });
      })
      .Case<AndOp>([&](Operation *o) { return binary(o, andOf); })
      .Case<OrOp>([&](Operation *o) { return binary(o, orOf); })
      .Case<XorOp>([&](Operation *o) { return binary(o, xorOf); })
      .Case<AndSOp>([&](Operation *o) { return withScalar(o, andOf); })
      .Case<OrSOp>([&](Operation *o) { return withScalar(o, orOf); })
      .Case<XorSOp>([&](Operation *o) { return withScalar(o, xorOf); })
      .Case<NotOp>([&](Operation *o) {
        return unary(o, [](Numerics &n, Value x) -> Value {
          return arith::XOrIOp::create(n.b, n.loc, x, n.i32s(x, -1));
        });
      })
      .Case<ShlOp, ShlSOp, ShrOp, ShrSOp>([&](Operation *o) {
        bool left = isa<ShlOp, ShlSOp>(o);
        int64_t bits = getElementTypeOrSelf(o->getResult(0).getType())
                           .getIntOrFloatBitWidth();
        auto shift = [left, bits](Numerics &n, Value x, Value amount) {
          return shiftOf(n, x, amount, bits, left);
        };
        if (isa<ShlOp, ShrOp>(o))
          return binary(o, shift);
        return withScalar(o, shift);
      })
      .Case<TransposeOp>([&](TransposeOp o) { return lowerTranspose(o); })
      .Case<ConcatOp>([&](ConcatOp o) { return lowerConcat(o); })
      .Case<ReinterpretViewOp>([&](ReinterpretViewOp o) {
        return lowerReinterpretView(o);
      })
      .Case<TriOp>([&](TriOp o) { return lowerTri(o); })
      .Case<MatmulOp>([&](MatmulOp o) {
        return lowerMatmul(o, Value(), o.getLhs(), o.getRhs());
      })
      .Case<MatmulAccOp>([&](MatmulAccOp o) {
        return lowerMatmul(o, o.getAcc(), o.getLhs(), o.getRhs());
      })
      .Default([&](Operation *o) -> LogicalResult {
        if (isa<TileDialect>(o->getDialect()))
          return o->emitOpError("has no lowering for the CPU simulation");
        return success();
      });
}

LogicalResult TileLowering::run() {
  SmallVector<Operation *> ops;
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == func.getOperation())
      return;
    ops.push_back(op);
    if (isa<TileDialect>(op->getDialect()) || isa<scf::IfOp, scf::YieldOp>(op))
      spmdOf[op] = op->getParentOfType<SpmdOp>();
  });
  for (Operation *op : ops)
    if (failed(lower(op)))
      return failure();
  for (Operation *op : llvm::reverse(toErase)) {
    op->dropAllUses();
    op->erase();
  }
  func->removeAttr("tile.placed");
  func->removeAttr(TileDialect::kTargetAttrName);
  return success();
}

/// Whether every tile op of `func` has a lowering (the tile lowering itself
/// then cannot fail half-way).
static LogicalResult checkSupported(func::FuncOp func) {
  WalkResult result = func.walk([&](Operation *op) -> WalkResult {
    if (!isa<TileDialect>(op->getDialect()))
      return WalkResult::advance();
    if (!isa<SpmdOp, AtOp, PipelineOp, YieldOp, AllocGmOp, LoadOp, StoreOp,
             FullOp, ReshapeOp, CopyOp, SetFlagOp, WaitFlagOp, BarrierOp,
             GatherOp, ScatterOp, CastOp, AddOp, SubOp,
             MulOp, DivOp, MaxOp, MinOp, AddSOp, SubSOp, RSubSOp, MulSOp,
             DivSOp, RDivSOp, MaxSOp, MinSOp, NegOp, AbsOp, SqrtOp, RsqrtOp,
             RecipOp, ExpOp, LogOp, SinOp, CosOp, FModOp, RemOp, FModSOp,
             RemSOp, RowExpandOp, ColExpandOp, ExtractOp,
             InsertOp, GetOp, SetOp, ArangeOp, RowSumOp, RowMaxOp, MatmulOp,
             MatmulAccOp, CmpOp, CmpSOp, SelOp, SelSOp, PReluOp, AndOp, OrOp,
             XorOp, ShlOp, ShrOp, NotOp, AndSOp, OrSOp, XorSOp, ShlSOp,
             ShrSOp, RowProdOp, RowMinOp, ColSumOp, ColMaxOp, ColMinOp,
             ColProdOp, RowArgMaxOp, RowArgMinOp, ColArgMaxOp, ColArgMinOp,
             TransposeOp, ConcatOp, ReinterpretViewOp, TriOp, GatherIndexOp,
             ScatterIndexOp, Sort32Op, MrgSortOp, MrgSortListsOp, FillPadOp>(op) &&
        !getExpandInfo(op)) {
      op->emitOpError("has no lowering for the CPU simulation");
      return WalkResult::interrupt();
    }
    Value gm;
    if (auto load = dyn_cast<LoadOp>(op))
      gm = load.getSource();
    if (auto store = dyn_cast<StoreOp>(op))
      gm = store.getDest();
    if (!gm)
      return WalkResult::advance();
    auto type = cast<MemRefType>(gm.getType());
    int64_t offset;
    SmallVector<int64_t> strides;
    if (failed(type.getStridesAndOffset(strides, offset)) ||
        strides.back() != 1) {
      op->emitOpError("the CPU simulation needs a memref whose last "
                      "dimension is contiguous, got ")
          << type;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

LogicalResult tessel::lowerTileToSCF(func::FuncOp func,
                                     const TileToSCFOptions &options) {
  bool hasTiles = false;
  func.walk([&](Operation *op) {
    hasTiles |= isa<TileDialect>(op->getDialect());
  });
  if (!hasTiles) {
    func->removeAttr("tile.placed");
    func->removeAttr(TileDialect::kTargetAttrName);
    return success();
  }
  // Everything that can fail is checked before the IR changes.
  if (failed(checkSupported(func)))
    return failure();
  FailureOr<TileStorageMap> storage = TileStorageMap::compute(func);
  if (failed(storage))
    return failure();
  TileLowering lowering(func, *storage, options);
  return lowering.run();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

struct ConvertTileToSCFPass
    : public tessel::impl::ConvertTileToSCFBase<ConvertTileToSCFPass> {
  using ConvertTileToSCFBase::ConvertTileToSCFBase;

  void runOnOperation() override {
    if (threads < 1) {
      getOperation().emitError("threads must be at least 1, got ")
          << static_cast<int64_t>(threads);
      return signalPassFailure();
    }
    TileToSCFOptions options;
    options.threads = threads;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(lowerTileToSCF(func, options)))
        return signalPassFailure();
  }
};

} // namespace
