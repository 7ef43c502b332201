//===- pto/ref/cube_ops.hpp - Cube (PIPE_M) instructions --------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
//   TMATMUL(acc, left, right)              acc = left @ right
//   TMATMUL_ACC(acc, left, right)          acc += left @ right (in place)
//   TMATMUL_ACC(accOut, accIn, left, right) accOut = accIn + left @ right
//
// all on PIPE_M, with m, k, n taken from left's valid rows / cols and
// right's valid cols (pto-isa), which must agree with right's valid rows
// and the accumulator's valid shape, and lie in [1, 4095].
//
// Element types (pto-isa TMATMUL, both targets): (f32 <- f16 x f16),
// (f32 <- bf16 x bf16), (f32 <- f32 x f32), (i32 <- i8 x i8).
//
// Numerics (docs/numerics.md): C[i, j] = acc[i, j] + sum_k A[i, k] B[k, j]
// with k increasing and one f32 fused multiply-add per step (the products
// of two f16 or two bf16 values are exact in f32, so that is one rounding
// per addition); i8 accumulates exactly (wrapping) in i32.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_CUBE_OPS_HPP
#define PTO_REF_CUBE_OPS_HPP

#include "pto/ref/vector_ops.hpp"

#include <cmath>
#include <vector>

namespace pto_ref {
namespace detail {

template <typename C, typename A, typename B>
constexpr bool kMatmulTypes =
    (std::is_same_v<C, int32_t> && std::is_same_v<A, int8_t> &&
     std::is_same_v<B, int8_t>) ||
    (std::is_same_v<C, float> &&
     ((std::is_same_v<A, half> && std::is_same_v<B, half>) ||
      (std::is_same_v<A, bfloat16_t> && std::is_same_v<B, bfloat16_t>) ||
      (std::is_same_v<A, float> && std::is_same_v<B, float>)));

// The inner loops of TMATMUL (the bulk of a kernel's run on the reference),
// vectorised whatever the kernel's -O level: element-wise the same
// operations in the same order, so the same bits. On x86-64 with GCC a
// clone for CPUs with FMA (float) or AVX2 (int32) is picked at load time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PTO_REF_HOT_LOOP(arch)                                                 \
  __attribute__((target_clones(arch, "default"),                               \
                 optimize("tree-vectorize")))
#else
#define PTO_REF_HOT_LOOP(arch)
#endif

/// c[j] = fma(x, b[j], c[j]) for j < n (fma is exact by definition: the
/// instruction and libm's fmaf agree).
PTO_REF_HOT_LOOP("fma")
inline void fmaRow(float *c, const float *b, float x, uint64_t n) {
  for (uint64_t j = 0; j < n; ++j)
    c[j] = std::fma(x, b[j], c[j]);
}

/// c[j] = x * b[j] + c[j] for j < n, rounded twice (f16 x f16 products are
/// exact in f32, so this is the fma's value).
PTO_REF_HOT_LOOP("fma")
inline void mulAddRow(float *c, const float *b, float x, uint64_t n) {
  for (uint64_t j = 0; j < n; ++j)
    c[j] = x * b[j] + c[j];
}

/// c[j] += x * b[j] for j < n, wrapping modulo 2^32 (the int8 cube's int32
/// accumulation).
PTO_REF_HOT_LOOP("avx2")
inline void macRow(int32_t *c, const int32_t *b, int32_t x, uint64_t n) {
  const uint32_t ux = static_cast<uint32_t>(x);
  for (uint64_t j = 0; j < n; ++j)
    c[j] = static_cast<int32_t>(static_cast<uint32_t>(c[j]) +
                                ux * static_cast<uint32_t>(b[j]));
}

template <typename TileRes, typename TileLeft, typename TileRight>
inline void matmul(const char *name, TileRes &out, const TileRes *accIn,
                   TileLeft &a, TileRight &b) {
  using CT = typename TileRes::DType;
  using AT = typename TileLeft::DType;
  using BT = typename TileRight::DType;
  static_assert(TileLeft::Loc == pto::TileType::Left &&
                    TileRight::Loc == pto::TileType::Right &&
                    TileRes::Loc == pto::TileType::Acc,
                "TMATMUL: operands must be Left, Right and Acc tiles");
  static_assert(kMatmulTypes<CT, AT, BT>,
                "TMATMUL: supported (C, A, B) types are (float, half, half), "
                "(float, bfloat16_t, bfloat16_t), (float, float, float) and "
                "(int32_t, int8_t, int8_t)");
  static_assert(TileLeft::Rows == TileRes::Rows &&
                    TileLeft::Cols == TileRight::Rows &&
                    TileRight::Cols == TileRes::Cols,
                "TMATMUL: static shapes must satisfy Left::Rows == Res::Rows, "
                "Left::Cols == Right::Rows and Right::Cols == Res::Cols");
  static_assert(TileLeft::Rows % TileLeft::InnerRows == 0 &&
                    TileRight::Rows % TileRight::InnerRows == 0 &&
                    TileRes::Rows % TileRes::InnerRows == 0,
                "TMATMUL: the reference models tiles of whole fractals");
  using W = std::conditional_t<std::is_same_v<CT, int32_t>, int32_t, float>;
  run(name, PIPE_M, [&](Instr &in) {
    needBound(in, out, "acc");
    needBound(in, a, "left");
    needBound(in, b, "right");
    if (accIn)
      needBound(in, *accIn, "accIn");
    unsigned m = a.GetValidRow(), k = a.GetValidCol(), n = b.GetValidCol();
    if (m < 1 || m > 4095 || k < 1 || k > 4095 || n < 1 || n > 4095)
      in.fail("m, k, n = " + std::to_string(m) + ", " + std::to_string(k) +
              ", " + std::to_string(n) + " must lie in [1, 4095]");
    needValid(in, b, "right", k, n, "left cols x right cols");
    needValid(in, out, "acc", m, n, "left rows x right cols");
    if (accIn)
      needValid(in, *accIn, "accIn", m, n, "left rows x right cols");
    read(in, a, m, k);
    read(in, b, k, n);
    if (accIn)
      read(in, *accIn, m, n);
    write(in, out, m, n);
    in.check();

    static std::vector<W> A, B, C;
    A.resize(static_cast<size_t>(m) * k);
    B.resize(static_cast<size_t>(k) * n);
    C.resize(n);
    for (uint64_t i = 0; i < m; ++i)
      for (uint64_t kk = 0; kk < k; ++kk)
        A[i * k + kk] = num::Elem<AT>::widen(ld<AT>(elemPtr(a, i, kk)));
    for (uint64_t kk = 0; kk < k; ++kk)
      for (uint64_t j = 0; j < n; ++j)
        B[kk * n + j] = num::Elem<BT>::widen(ld<BT>(elemPtr(b, kk, j)));
    for (uint64_t i = 0; i < m; ++i) {
      for (uint64_t j = 0; j < n; ++j)
        C[j] = accIn ? ld<CT>(elemPtr(*accIn, i, j)) : W(0);
      for (uint64_t kk = 0; kk < k; ++kk) {
        W x = A[i * k + kk];
        const W *brow = &B[kk * n];
        if constexpr (std::is_same_v<W, int32_t>) {
          macRow(C.data(), brow, x, n);
        } else if constexpr (std::is_same_v<AT, half>) {
          // f16 x f16 is exact in f32 (22 significant bits, exponents in
          // [-48, 32]), so the product rounded and added is the fma.
          mulAddRow(C.data(), brow, x, n);
        } else {
          fmaRow(C.data(), brow, x, n);
        }
      }
      for (uint64_t j = 0; j < n; ++j)
        st<CT>(elemPtr(out, i, j), static_cast<CT>(C[j]));
    }
    in.commit();
  });
}

} // namespace detail
} // namespace pto_ref

namespace pto {

template <typename TileRes, typename TileLeft, typename TileRight>
inline void TMATMUL(TileRes &cMatrix, TileLeft &aMatrix, TileRight &bMatrix) {
  pto_ref::detail::matmul("TMATMUL", cMatrix, static_cast<TileRes *>(nullptr),
                          aMatrix, bMatrix);
}

/// cOutMatrix = cInMatrix + aMatrix @ bMatrix (both accumulators of one
/// type, as in pto-isa).
template <typename TileRes, typename TileLeft, typename TileRight>
inline void TMATMUL_ACC(TileRes &cOutMatrix, TileRes &cInMatrix,
                        TileLeft &aMatrix, TileRight &bMatrix) {
  pto_ref::detail::matmul("TMATMUL_ACC", cOutMatrix, &cInMatrix, aMatrix,
                          bMatrix);
}

/// cMatrix += aMatrix @ bMatrix.
template <typename TileRes, typename TileLeft, typename TileRight>
inline void TMATMUL_ACC(TileRes &cMatrix, TileLeft &aMatrix,
                        TileRight &bMatrix) {
  pto_ref::detail::matmul("TMATMUL_ACC", cMatrix, &cMatrix, aMatrix, bMatrix);
}

} // namespace pto

#endif // PTO_REF_CUBE_OPS_HPP
