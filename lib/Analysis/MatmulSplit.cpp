//===- MatmulSplit.cpp - K steps of a matmul that fit L0A / L0B -----------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/MatmulSplit.h"

#include "tessel/Analysis/TileLayout.h"

#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <numeric>

using namespace tessel;

int64_t tessel::getKGranule(int64_t elementBytes, const TargetInfo &target) {
  // TileLayout's 32-byte block (target.ub.alignBytes) and fractal rows.
  int64_t perBlock =
      std::max<int64_t>(1, target.ub.alignBytes / elementBytes);
  return std::lcm(target.cubeFractalRows, perBlock);
}

int64_t tessel::getL0OperandBytes(int64_t rows, int64_t cols,
                                  int64_t elementBytes, BufferKind kind,
                                  const TargetInfo &target) {
  return llvm::alignTo(
      getTileLayout(rows, cols, elementBytes, kind, target).getBytes(),
      target.getBuffer(kind).alignBytes);
}

std::optional<KSplit> tessel::planKSplit(int64_t m, int64_t k, int64_t n,
                                         int64_t elementBytes,
                                         llvm::StringRef dtype,
                                         const TargetInfo &target,
                                         std::string &why) {
  int64_t capA = target.l0a.usableBytes, capB = target.l0b.usableBytes;
  auto lhsBytes = [&](int64_t kk) {
    return getL0OperandBytes(m, kk, elementBytes, BufferKind::L0A, target);
  };
  auto rhsBytes = [&](int64_t kk) {
    return getL0OperandBytes(kk, n, elementBytes, BufferKind::L0B, target);
  };
  auto fits = [&](int64_t kk) {
    return lhsBytes(kk) <= capA && rhsBytes(kk) <= capB;
  };
  if (fits(k))
    return KSplit{1, k};
  int64_t granule = getKGranule(elementBytes, target);
  llvm::raw_string_ostream os(why);
  if (k % granule != 0) {
    os << "K = " << k << " is not a multiple of " << granule
       << ", the K step of " << dtype << " operands (cube fractals of "
       << target.cubeFractalRows << " rows and " << target.ub.alignBytes
       << "-byte blocks)";
    return std::nullopt;
  }
  for (int64_t steps = 2; steps <= k / granule; ++steps)
    if (k % steps == 0 && (k / steps) % granule == 0 && fits(k / steps))
      return KSplit{steps, k / steps};
  // Even one granule of K does not fit: M or N is what overflows.
  int64_t a = lhsBytes(granule), b = rhsBytes(granule);
  bool overA = a > capA, overB = b > capB;
  os << "even a K step of " << granule << " needs ";
  if (overA)
    os << a << " bytes of cube L0A for the lhs (M = " << m << ")";
  if (overA && overB)
    os << " and ";
  if (overB)
    os << b << " bytes of cube L0B for the rhs (N = " << n << ")";
  os << "; split " << (overA && overB ? "M and N" : overA ? "M" : "N")
     << " by hand (one matmul per block of "
     << (overA && overB ? "rows and of columns" : overA ? "rows" : "columns")
     << ")";
  return std::nullopt;
}
