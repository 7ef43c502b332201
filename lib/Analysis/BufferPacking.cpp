//===- BufferPacking.cpp - Pack live intervals into one buffer ------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Greedy interval packing with several orders and a move-to-front local
// search. Each greedy step places one buffer among the buffers already placed
// that interfere with it (their live intervals overlap); buffers that do not
// interfere may share bytes, which is how dead space is reused.
//
//===----------------------------------------------------------------------===//

#include "tessel/Analysis/BufferPacking.h"

#include "tessel/Support/TargetInfo.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <numeric>
#include <utility>

using namespace tessel;

int64_t PackingBuffer::getSlotBytes() const { return alignTo(size, align); }

int64_t PackingBuffer::getFootprint() const { return slots * getSlotBytes(); }

static bool interferes(const PackingBuffer &a, const PackingBuffer &b) {
  return a.start < b.end && b.start < a.end;
}

PackingLowerBound
tessel::computePackingLowerBound(llvm::ArrayRef<PackingBuffer> buffers) {
  // Sweep the interval ends: at equal points, ends come before starts because
  // the intervals are half-open.
  std::vector<std::pair<int64_t, int64_t>> events; // (point, +-bytes)
  events.reserve(2 * buffers.size());
  for (const PackingBuffer &b : buffers) {
    if (b.start >= b.end)
      continue;
    events.push_back({b.start, b.getFootprint()});
    events.push_back({b.end, -b.getFootprint()});
  }
  llvm::sort(events, [](const auto &x, const auto &y) {
    if (x.first != y.first)
      return x.first < y.first;
    return x.second < y.second;
  });
  PackingLowerBound bound;
  int64_t live = 0;
  for (auto [point, delta] : events) {
    live += delta;
    if (live > bound.bytes) {
      bound.bytes = live;
      bound.point = point;
    }
  }
  return bound;
}

int64_t tessel::computePackingPeak(llvm::ArrayRef<PackingBuffer> buffers,
                                   llvm::ArrayRef<int64_t> offsets) {
  int64_t peak = 0;
  for (auto [b, offset] : llvm::zip_equal(buffers, offsets))
    peak = std::max(peak, offset + b.getFootprint());
  return peak;
}

bool tessel::isValidPacking(llvm::ArrayRef<PackingBuffer> buffers,
                            llvm::ArrayRef<int64_t> offsets) {
  if (buffers.size() != offsets.size())
    return false;
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (offsets[i] < 0 || offsets[i] % buffers[i].align != 0)
      return false;
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!interferes(buffers[i], buffers[j]))
        continue;
      int64_t iEnd = offsets[i] + buffers[i].getFootprint();
      int64_t jEnd = offsets[j] + buffers[j].getFootprint();
      if (offsets[i] < jEnd && offsets[j] < iEnd)
        return false;
    }
  }
  return true;
}

std::vector<int64_t>
tessel::packBuffersInOrder(llvm::ArrayRef<PackingBuffer> buffers,
                           llvm::ArrayRef<size_t> order, bool bestFit) {
  std::vector<int64_t> offsets(buffers.size(), 0);
  std::vector<size_t> placed;
  placed.reserve(order.size());
  std::vector<std::pair<int64_t, int64_t>> taken; // [lo, hi) byte ranges
  for (size_t idx : order) {
    const PackingBuffer &b = buffers[idx];
    int64_t bytes = b.getFootprint();
    taken.clear();
    for (size_t other : placed)
      if (interferes(b, buffers[other]))
        taken.push_back(
            {offsets[other], offsets[other] + buffers[other].getFootprint()});
    llvm::sort(taken);

    // Walk the gaps between the taken ranges, lowest first.
    int64_t chosen = -1, chosenWaste = 0;
    int64_t gapLo = 0;
    for (auto [lo, hi] : taken) {
      if (lo > gapLo) {
        int64_t at = alignTo(gapLo, b.align);
        if (at + bytes <= lo) {
          int64_t waste = (lo - gapLo) - bytes;
          if (!bestFit) {
            chosen = at;
            break;
          }
          if (chosen < 0 || waste < chosenWaste) {
            chosen = at;
            chosenWaste = waste;
          }
        }
      }
      gapLo = std::max(gapLo, hi);
    }
    if (chosen < 0)
      chosen = alignTo(gapLo, b.align);
    offsets[idx] = chosen;
    placed.push_back(idx);
  }
  return offsets;
}

namespace {

/// One candidate packing: the order, the gap rule and what it achieved.
struct Candidate {
  std::vector<size_t> order;
  bool bestFit = false;
  std::vector<int64_t> offsets;
  int64_t peak = 0;
};

} // namespace

PackingResult tessel::packBuffers(llvm::ArrayRef<PackingBuffer> buffers,
                                  int64_t capacity) {
  PackingResult result;
  result.capacity = capacity;
  result.lowerBound = computePackingLowerBound(buffers);
  for (auto [i, b] : llvm::enumerate(buffers))
    if (b.getFootprint() > capacity)
      result.oversize.push_back(i);
  size_t n = buffers.size();
  if (n == 0)
    return result;

  auto evaluate = [&](std::vector<size_t> order, bool bestFit) {
    Candidate c;
    c.offsets = packBuffersInOrder(buffers, order, bestFit);
    c.peak = computePackingPeak(buffers, c.offsets);
    c.order = std::move(order);
    c.bestFit = bestFit;
    return c;
  };

  std::vector<size_t> identity(n);
  std::iota(identity.begin(), identity.end(), 0);
  auto sortedBy = [&](auto less) {
    std::vector<size_t> order = identity;
    std::stable_sort(order.begin(), order.end(), less);
    return order;
  };
  auto fp = [&](size_t i) { return buffers[i].getFootprint(); };
  auto len = [&](size_t i) { return buffers[i].end - buffers[i].start; };

  // Largest first is the classic rule; earliest first is optimal when all
  // sizes are equal (interval graph colouring); longest lived first and
  // largest area first help when long-lived buffers fragment the arena.
  std::vector<std::vector<size_t>> orders = {
      sortedBy([&](size_t a, size_t b) {
        if (fp(a) != fp(b))
          return fp(a) > fp(b);
        return buffers[a].start < buffers[b].start;
      }),
      sortedBy([&](size_t a, size_t b) {
        if (buffers[a].start != buffers[b].start)
          return buffers[a].start < buffers[b].start;
        return fp(a) > fp(b);
      }),
      sortedBy([&](size_t a, size_t b) {
        if (len(a) != len(b))
          return len(a) > len(b);
        return fp(a) > fp(b);
      }),
      sortedBy([&](size_t a, size_t b) {
        return fp(a) * len(a) > fp(b) * len(b);
      }),
  };

  Candidate best;
  bool haveBest = false;
  auto consider = [&](Candidate c) {
    if (!haveBest || c.peak < best.peak) {
      best = std::move(c);
      haveBest = true;
    }
  };
  for (const std::vector<size_t> &order : orders) {
    for (bool bestFit : {false, true}) {
      consider(evaluate(order, bestFit));
      if (best.peak <= result.lowerBound.bytes)
        break;
    }
    if (best.peak <= result.lowerBound.bytes)
      break;
  }

  // Local search: move one buffer to the front of the best order and keep
  // the change when the peak drops. Budgeted so large scopes stay cheap
  // (each evaluation is O(n^2)).
  int64_t budget =
      std::max<int64_t>(16, int64_t(20'000'000) / int64_t(n * n + 1));
  bool improved = true;
  while (improved && budget > 0 && best.peak > result.lowerBound.bytes) {
    improved = false;
    for (size_t i = 1; i < n && budget > 0; ++i) {
      std::vector<size_t> order = best.order;
      std::rotate(order.begin(), order.begin() + i, order.begin() + i + 1);
      --budget;
      Candidate c = evaluate(std::move(order), best.bestFit);
      if (c.peak < best.peak) {
        best = std::move(c);
        improved = true;
        if (best.peak <= result.lowerBound.bytes)
          break;
      }
    }
  }

  result.offsets = std::move(best.offsets);
  result.peak = best.peak;
  return result;
}
