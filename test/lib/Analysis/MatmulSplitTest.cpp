//===- MatmulSplitTest.cpp - Unit tests of the K split plan ---------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Hand-computed cases of tessel/Analysis/MatmulSplit.h; prints PASS/FAIL
// per case and exits non-zero on any failed check. L0A and L0B are 65536
// bytes on a2a3 and a5.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/MatmulSplit.h"

#include "llvm/Support/raw_ostream.h"

using namespace tessel;

static int failed = 0;

static void check(const char *name, bool ok) {
  llvm::outs() << (ok ? "PASS " : "FAIL ") << name << "\n";
  failed += !ok;
}

static bool plans(int64_t m, int64_t k, int64_t n, int64_t eb,
                  const TargetInfo &t, int64_t steps, int64_t kStep) {
  std::string why;
  std::optional<KSplit> p = planKSplit(m, k, n, eb, "x", t, why);
  return p && p->steps == steps && p->kStep == kStep && why.empty();
}

static bool fails(int64_t m, int64_t k, int64_t n, int64_t eb,
                  const TargetInfo &t, llvm::StringRef needle) {
  std::string why;
  std::optional<KSplit> p = planKSplit(m, k, n, eb, "x", t, why);
  return !p && llvm::StringRef(why).contains(needle);
}

int main() {
  for (const char *name : {"a2a3", "a5"}) {
    const TargetInfo &t = *lookupTarget(name);
    llvm::outs() << "target " << name << "\n";
    // The K granule: lcm(16 fractal rows, 32 bytes / element): 16 for f32
    // (8 a block) and bf16 (16), 32 for int8.
    check("granule", getKGranule(4, t) == 16 && getKGranule(2, t) == 16 &&
                         getKGranule(1, t) == 32);
    // [16, 1024] f32 = 65536 bytes: fits L0A exactly; [1024, 16] L0B too.
    check("fits-exactly", plans(16, 1024, 16, 4, t, 1, 1024));
    // [16, 2048] f32 = 131072: Ks <= 1024 for both -> 2 steps of 1024.
    check("f32-two-steps", plans(16, 2048, 16, 4, t, 2, 1024));
    // rhs [2048, 32] f32 = 262144: 32 * 4 * Ks <= 65536 -> Ks <= 512: 4.
    check("rhs-bound", plans(16, 2048, 32, 4, t, 4, 512));
    // K = 3072 f32, [16, 3072]: 3 steps of 1024 (the fewest dividing K).
    check("three-steps", plans(16, 3072, 16, 4, t, 3, 1024));
    // K = 1040 = 16 * 65 f32, M = N = 16: 16 * 1040 * 4 = 66560 > 65536;
    // 1040 / 5 = 208 (13 granules) is the first divisor that is a
    // multiple of 16 (1040/2 = 520, /4 = 260 are not).
    check("odd-divisor", plans(16, 1040, 16, 4, t, 5, 208));
    // int8 [32, 4096] = 131072; [4096, 16] = 65536 fits: 2 of 2048.
    check("int8-lhs", plans(32, 4096, 16, 1, t, 2, 2048));
    // bf16 [16, 4096] = 131072 -> 2 of 2048.
    check("bf16", plans(16, 4096, 16, 2, t, 2, 2048));
    // L0A pads M to 16 rows: [8, 4096] bf16 is 16 x 4096 x 2 = 131072.
    check("m-padded", plans(8, 4096, 16, 2, t, 2, 2048));
    // K = 2056 f32 is not a multiple of 16.
    check("k-not-granular", fails(16, 2056, 16, 4, t, "not a multiple of 16"));
    // M = 2048 f32: [2048, 16] = 131072 > L0A even for one granule.
    check("m-too-large",
          fails(2048, 64, 16, 4, t, "131072 bytes of cube L0A for the lhs "
                                    "(M = 2048); split M"));
    // N = 4096 int8: [32, 4096] in L0B = 131072.
    check("n-too-large",
          fails(16, 256, 4096, 1, t, "cube L0B for the rhs (N = 4096); "
                                     "split N"));
    check("m-and-n-too-large",
          fails(2048, 64, 2048, 4, t, "split M and N"));
  }
  return failed ? 1 : 0;
}
