//===- BufferPacking.h - Pack live intervals into one buffer ----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The packing step of buffer placement as a pure function, free of MLIR IR
// types so it can be unit-tested on its own: given buffers with a size, an
// alignment, a live interval and a slot count, and the capacity of the arena,
// find an offset for each so that two buffers whose intervals overlap never
// share bytes, keeping the highest byte used (the peak) as low as possible.
//
// The problem is dynamic storage allocation (NP-hard). The packer runs a
// greedy placement over several orders and gap rules and keeps the lowest
// peak; the lower bound (the most bytes live at any one point) measures how
// far from optimal the result can be.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_ANALYSIS_BUFFERPACKING_H
#define TESSEL_ANALYSIS_BUFFERPACKING_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace tessel {

/// One buffer to place. Program points are abstract integers: the buffer is
/// live on [start, end), and two buffers interfere when their intervals
/// overlap.
struct PackingBuffer {
  /// Bytes of one slot before alignment (> 0).
  int64_t size = 0;
  /// The offset and the slot stride are multiples of this (> 0).
  int64_t align = 1;
  /// Live interval [start, end), start < end.
  int64_t start = 0;
  int64_t end = 1;
  /// Copies of the buffer laid out back to back, one per pipeline stage.
  int64_t slots = 1;

  /// Bytes between two slots: the size rounded up to the alignment.
  int64_t getSlotBytes() const;
  /// Bytes the buffer occupies: slots * slot bytes.
  int64_t getFootprint() const;
};

/// The most bytes live at one program point, and where.
struct PackingLowerBound {
  /// Sum of footprints live at `point`; no packing can have a lower peak.
  int64_t bytes = 0;
  /// A program point where `bytes` are live (the first such point).
  int64_t point = 0;
};

/// The best packing found.
struct PackingResult {
  /// Offset of each buffer (slot 0), in the order of the input. Filled even
  /// when the packing does not fit, so callers can show the memory map.
  std::vector<int64_t> offsets;
  /// Highest byte used: max over buffers of offset + footprint.
  int64_t peak = 0;
  /// The lower bound of the input, for packing quality = peak / bound.
  PackingLowerBound lowerBound;
  /// The capacity the packing was asked to fit.
  int64_t capacity = 0;
  /// Buffers whose footprint alone exceeds the capacity.
  std::vector<size_t> oversize;

  bool fits() const { return peak <= capacity; }
};

/// Computes the lower bound of `buffers`: the maximum over program points of
/// the sum of the footprints of the buffers live there.
PackingLowerBound
computePackingLowerBound(llvm::ArrayRef<PackingBuffer> buffers);

/// Places `buffers` in an arena of `capacity` bytes. Deterministic. Tries a
/// greedy placement (first fit and best fit over the gaps left by interfering
/// buffers) in several orders (largest first, earliest first, longest lived
/// first, largest area first), then improves the best order by moving single
/// buffers to the front; stops early when the peak meets the lower bound.
/// The result always holds the best packing found; `fits()` says whether its
/// peak is within `capacity`.
PackingResult packBuffers(llvm::ArrayRef<PackingBuffer> buffers,
                          int64_t capacity);

/// Places `buffers` greedily in the given order (a permutation of indices),
/// each at the lowest aligned offset (first fit) or in the smallest gap that
/// holds it (best fit) among the buffers already placed that interfere with
/// it. Returns the offsets; exposed for tests and for callers that want one
/// fixed order.
std::vector<int64_t> packBuffersInOrder(llvm::ArrayRef<PackingBuffer> buffers,
                                        llvm::ArrayRef<size_t> order,
                                        bool bestFit);

/// Max over buffers of offset + footprint.
int64_t computePackingPeak(llvm::ArrayRef<PackingBuffer> buffers,
                           llvm::ArrayRef<int64_t> offsets);

/// Whether `offsets` is a valid packing: every offset aligned and no two
/// interfering buffers sharing a byte. (Capacity is not checked.)
bool isValidPacking(llvm::ArrayRef<PackingBuffer> buffers,
                    llvm::ArrayRef<int64_t> offsets);

} // namespace tessel

#endif // TESSEL_ANALYSIS_BUFFERPACKING_H
