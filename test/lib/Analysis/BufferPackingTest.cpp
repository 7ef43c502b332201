//===- BufferPackingTest.cpp - Unit tests of the buffer packer ------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Runs the pure packing function of tessel/Analysis/BufferPacking.h on small
// hand-made cases with known answers and on seeded random cases checked for
// validity against an independent interference check, the lower bound and
// the largest-first first-fit floor. Prints one line per test and exits
// non-zero when any check fails; test/Analysis/buffer-packing.test runs it.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/BufferPacking.h"
#include "tessel/Support/TargetInfo.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace tessel;

static int checksFailed = 0;
static int currentFailed = 0;

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      llvm::outs() << "  " << __FILE__ << ":" << __LINE__                      \
                   << ": expected " #cond "\n";                                \
      ++checksFailed;                                                          \
      ++currentFailed;                                                         \
    }                                                                          \
  } while (0)

#define EXPECT_EQ(a, b)                                                        \
  do {                                                                         \
    auto va = (a);                                                             \
    auto vb = (b);                                                             \
    if (!(va == vb)) {                                                         \
      llvm::outs() << "  " << __FILE__ << ":" << __LINE__                      \
                   << ": expected " #a " == " #b ", got " << va << " vs "      \
                   << vb << "\n";                                              \
      ++checksFailed;                                                          \
      ++currentFailed;                                                         \
    }                                                                          \
  } while (0)

static PackingBuffer buf(int64_t size, int64_t start, int64_t end,
                         int64_t align = 32, int64_t slots = 1) {
  PackingBuffer b;
  b.size = size;
  b.align = align;
  b.start = start;
  b.end = end;
  b.slots = slots;
  return b;
}

/// Every result must be a valid packing whose peak is what it says and no
/// lower than the lower bound.
static void expectSound(const std::vector<PackingBuffer> &buffers,
                        const PackingResult &r) {
  EXPECT_EQ(r.offsets.size(), buffers.size());
  EXPECT(isValidPacking(buffers, r.offsets));
  EXPECT_EQ(r.peak, computePackingPeak(buffers, r.offsets));
  EXPECT(r.peak >= r.lowerBound.bytes);
}

//===----------------------------------------------------------------------===//
// Cases
//===----------------------------------------------------------------------===//

// Three tiles live at once: 2048 + 1024 + 512 = 3584 bytes <= 4096.
static void fits() {
  std::vector<PackingBuffer> b = {buf(2048, 0, 4), buf(1024, 1, 4),
                                  buf(512, 2, 4)};
  PackingResult r = packBuffers(b, 4096);
  expectSound(b, r);
  EXPECT(r.fits());
  EXPECT_EQ(r.peak, int64_t(3584));
  EXPECT_EQ(r.lowerBound.bytes, int64_t(3584));
  EXPECT(r.oversize.empty());
}

// 2048 + 2048 = 4096 = capacity: fits exactly.
static void exactCapacity() {
  std::vector<PackingBuffer> b = {buf(2048, 0, 2), buf(2048, 0, 2)};
  PackingResult r = packBuffers(b, 4096);
  expectSound(b, r);
  EXPECT(r.fits());
  EXPECT_EQ(r.peak, int64_t(4096));
}

// Same buffers, capacity 4095: one byte short; the failure says the peak.
static void oneByteOver() {
  std::vector<PackingBuffer> b = {buf(2048, 0, 2), buf(2048, 0, 2)};
  PackingResult r = packBuffers(b, 4095);
  expectSound(b, r);
  EXPECT(!r.fits());
  EXPECT_EQ(r.peak, int64_t(4096));
  EXPECT_EQ(r.capacity, int64_t(4095));
  EXPECT_EQ(r.lowerBound.bytes, int64_t(4096));
  EXPECT(r.oversize.empty());
}

// One buffer of 8192 bytes in a 4096-byte arena: reported as oversize.
static void singleOversize() {
  std::vector<PackingBuffer> b = {buf(1024, 0, 1), buf(8192, 1, 2)};
  PackingResult r = packBuffers(b, 4096);
  expectSound(b, r);
  EXPECT(!r.fits());
  EXPECT_EQ(r.oversize.size(), size_t(1));
  EXPECT_EQ(r.oversize.empty() ? size_t(99) : r.oversize[0], size_t(1));
  EXPECT_EQ(r.peak, int64_t(8192));
}

// A dies at 2, B is born at 2: B reuses A's bytes; peak 2048, not 4096.
static void reuseDeadBuffer() {
  std::vector<PackingBuffer> b = {buf(2048, 0, 2), buf(2048, 2, 4)};
  PackingResult r = packBuffers(b, 2048);
  expectSound(b, r);
  EXPECT(r.fits());
  EXPECT_EQ(r.peak, int64_t(2048));
  EXPECT_EQ(r.offsets[0], r.offsets[1]);
  // Overlapping by one point they may not share.
  std::vector<PackingBuffer> c = {buf(2048, 0, 3), buf(2048, 2, 4)};
  PackingResult rc = packBuffers(c, 2048);
  expectSound(c, rc);
  EXPECT(!rc.fits());
  EXPECT_EQ(rc.peak, int64_t(4096));
}

// Two slots of 2048 bytes take 4096; a third live buffer of 1024 goes above
// (or below) them: peak 5120.
static void slotMultiplication() {
  std::vector<PackingBuffer> b = {buf(2048, 0, 4, 32, 2), buf(1024, 1, 3)};
  EXPECT_EQ(b[0].getFootprint(), int64_t(4096));
  PackingResult r = packBuffers(b, 5120);
  expectSound(b, r);
  EXPECT(r.fits());
  EXPECT_EQ(r.peak, int64_t(5120));
  EXPECT_EQ(r.lowerBound.bytes, int64_t(5120));
  PackingResult over = packBuffers(b, 5119);
  EXPECT(!over.fits());
}

// 100 bytes in 32-byte granules take 128; two slots of 33 bytes take 2 * 64.
// Every offset is a multiple of the alignment.
static void alignmentPadding() {
  EXPECT_EQ(buf(100, 0, 1).getSlotBytes(), int64_t(128));
  EXPECT_EQ(buf(33, 0, 1, 32, 2).getFootprint(), int64_t(128));
  EXPECT_EQ(buf(1, 0, 1, 512).getFootprint(), int64_t(512));
  std::vector<PackingBuffer> b = {buf(100, 0, 3), buf(33, 0, 3, 32, 2),
                                  buf(4, 0, 3)};
  PackingResult r = packBuffers(b, 1 << 20);
  expectSound(b, r);
  for (int64_t offset : r.offsets)
    EXPECT_EQ(offset % 32, int64_t(0));
  // 128 + 128 + 32.
  EXPECT_EQ(r.peak, int64_t(288));
  // Mixed alignments: a 512-aligned buffer after a 32-byte one starts at 512
  // (or the 32-byte one goes above it).
  std::vector<PackingBuffer> m = {buf(32, 0, 2, 32), buf(512, 0, 2, 512)};
  PackingResult rm = packBuffers(m, 1 << 20);
  expectSound(m, rm);
  EXPECT_EQ(rm.offsets[1] % 512, int64_t(0));
  EXPECT_EQ(rm.peak, int64_t(544));
}

// The lower bound is the most bytes live at one point, with half-open
// intervals: [0,2) and [2,4) never meet.
static void lowerBound() {
  std::vector<PackingBuffer> b = {buf(64, 0, 2), buf(64, 2, 4), buf(32, 1, 3),
                                  buf(96, 3, 5)};
  PackingLowerBound lb = computePackingLowerBound(b);
  // Point 3: 64 + 96 = 160 ([2,4) and [3,5)); point 1: 64 + 32 = 96.
  EXPECT_EQ(lb.bytes, int64_t(160));
  EXPECT_EQ(lb.point, int64_t(3));
  EXPECT_EQ(computePackingLowerBound({}).bytes, int64_t(0));
}

static void empty() {
  PackingResult r = packBuffers({}, 0);
  EXPECT(r.fits());
  EXPECT_EQ(r.peak, int64_t(0));
  EXPECT(r.offsets.empty());
}

// A case where largest-first first fit is not optimal. A: 96 bytes [0,2);
// B: 64 bytes [1,4); C: 64 bytes [3,6); D: 96 bytes [5,7). Bound: 160 (A+B
// at 1, B+C at 3, C+D at 5). Largest first puts A and D at 0, B at 96 and
// C, which meets both B and D, at 160: peak 224. Earliest first puts A at 0,
// B at 96, C at 0 and D at 64: peak 160, the bound.
static void betterThanLargestFirst() {
  std::vector<PackingBuffer> b = {buf(96, 0, 2), buf(64, 1, 4), buf(64, 3, 6),
                                  buf(96, 5, 7)};
  std::vector<size_t> largestFirst = {0, 3, 1, 2};
  std::vector<int64_t> floorOffsets =
      packBuffersInOrder(b, largestFirst, /*bestFit=*/false);
  int64_t floorPeak = computePackingPeak(b, floorOffsets);
  PackingResult r = packBuffers(b, 1 << 20);
  expectSound(b, r);
  EXPECT_EQ(r.lowerBound.bytes, int64_t(160));
  EXPECT(r.peak <= floorPeak);
  EXPECT_EQ(r.peak, int64_t(160));
  llvm::outs() << "  largest-first first-fit peak " << floorPeak
               << ", packer peak " << r.peak << ", bound "
               << r.lowerBound.bytes << "\n";
}

// Seeded random instances: every packing is valid, never worse than the
// largest-first first-fit floor, and never below the bound. Reports the
// mean and worst quality (peak / bound).
static void randomInstances() {
  std::mt19937_64 rng(20240611);
  int better = 0, optimal = 0;
  double sumQuality = 0, worstQuality = 1, sumFloorQuality = 0;
  const int kCases = 300;
  for (int c = 0; c < kCases; ++c) {
    int n = 2 + int(rng() % 40);
    std::vector<PackingBuffer> b;
    for (int i = 0; i < n; ++i) {
      int64_t start = int64_t(rng() % 60);
      int64_t len = 1 + int64_t(rng() % 20);
      int64_t size = 1 + int64_t(rng() % 8192);
      int64_t slots = (rng() % 5 == 0) ? 2 : 1;
      b.push_back(buf(size, start, start + len, 32, slots));
    }
    std::vector<size_t> order(b.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      if (b[x].getFootprint() != b[y].getFootprint())
        return b[x].getFootprint() > b[y].getFootprint();
      return b[x].start < b[y].start;
    });
    int64_t floorPeak = computePackingPeak(
        b, packBuffersInOrder(b, order, /*bestFit=*/false));
    PackingResult r = packBuffers(b, 1 << 30);
    expectSound(b, r);
    EXPECT(r.peak <= floorPeak);
    better += r.peak < floorPeak;
    optimal += r.peak == r.lowerBound.bytes;
    double q = double(r.peak) / double(r.lowerBound.bytes);
    sumQuality += q;
    sumFloorQuality += double(floorPeak) / double(r.lowerBound.bytes);
    worstQuality = std::max(worstQuality, q);
  }
  EXPECT(better > 0);
  llvm::outs() << "  " << kCases << " cases: packer mean quality "
               << llvm::format("%.4f", sumQuality / kCases) << " (worst "
               << llvm::format("%.4f", worstQuality)
               << "), largest-first first-fit mean "
               << llvm::format("%.4f", sumFloorQuality / kCases) << "; "
               << better << " better than the floor, " << optimal
               << " at the bound\n";
}

int main() {
  struct Test {
    const char *name;
    std::function<void()> run;
  };
  const Test tests[] = {
      {"fits", fits},
      {"exact-capacity", exactCapacity},
      {"one-byte-over", oneByteOver},
      {"single-oversize", singleOversize},
      {"reuse-dead-buffer", reuseDeadBuffer},
      {"slot-multiplication", slotMultiplication},
      {"alignment-padding", alignmentPadding},
      {"lower-bound", lowerBound},
      {"empty", empty},
      {"better-than-largest-first", betterThanLargestFirst},
      {"random-instances", randomInstances},
  };
  int failedTests = 0;
  for (const Test &t : tests) {
    currentFailed = 0;
    t.run();
    llvm::outs() << (currentFailed ? "FAIL " : "PASS ") << t.name << "\n";
    failedTests += currentFailed != 0;
  }
  llvm::outs() << std::size(tests) << " tests, " << failedTests
               << " failed, " << checksFailed << " failed checks\n";
  return failedTests ? 1 : 0;
}
