//===- pto/ref/memory.hpp - Simulated buffers and shadow state --*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The on-chip buffers (UB, L1, L0A, L0B, L0C) as byte arrays, the GM buffers
// the harness registers, and their shadow state:
//
//  * per granule (32 bytes on chip, PTO_REF_GM_GRANULE bytes in GM) the last
//    write, packed as (pipe << 28 | sequence number), and per reading pipe
//    the sequence number of its last read. Only the pipes that can read a
//    buffer get a slot: UB {V, MTE3, S}, L1 {MTE1}, L0A / L0B {M},
//    L0C {M, FIX}, GM {MTE2}. Keeping the last event per pipe suffices
//    because what a clock knows about a pipe is a prefix of it (clocks.hpp);
//  * per on-chip byte whether it has been written since the run began (or
//    since an instruction left it undefined, e.g. the tmp of TROWSUM).
//
// GM shadow arrays are allocated on registration with calloc, so the pages
// of buffers that are never touched cost nothing.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_MEMORY_HPP
#define PTO_REF_MEMORY_HPP

#include "pto/ref/clocks.hpp"
#include "pto/ref/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace pto_ref {
namespace detail {

/// The shadow of one buffer.
class Shadow {
public:
  Shadow() = default;
  Shadow(const Shadow &) = delete;
  Shadow &operator=(const Shadow &) = delete;
  Shadow(Shadow &&o) noexcept { *this = std::move(o); }
  Shadow &operator=(Shadow &&o) noexcept {
    if (this != &o) {
      release();
      shift_ = o.shift_;
      slots_ = o.slots_;
      std::copy(o.slotOf_, o.slotOf_ + kPipes, slotOf_);
      std::copy(o.readerPipe_, o.readerPipe_ + 3, readerPipe_);
      w_ = o.w_;
      r_ = o.r_;
      n_ = o.n_;
      o.w_ = o.r_ = nullptr;
      o.n_ = 0;
    }
    return *this;
  }
  ~Shadow() { release(); }

  void allocate(uint64_t bytes, unsigned shift, int reader0, int reader1,
                int reader2 = -1) {
    release();
    shift_ = shift;
    std::fill(slotOf_, slotOf_ + kPipes, int8_t(-1));
    slots_ = 0;
    for (int p : {reader0, reader1, reader2}) {
      if (p < 0)
        continue;
      slotOf_[p] = static_cast<int8_t>(slots_);
      readerPipe_[slots_++] = p;
    }
    n_ = static_cast<size_t>((bytes + (uint64_t(1) << shift) - 1) >> shift);
    if (n_ == 0)
      n_ = 1;
    w_ = static_cast<uint32_t *>(std::calloc(n_, sizeof(uint32_t)));
    r_ = static_cast<uint32_t *>(
        std::calloc(n_ * static_cast<size_t>(slots_), sizeof(uint32_t)));
    if (!w_ || !r_)
      internalError("out of memory for the shadow state");
  }

  void clear() {
    std::fill(w_, w_ + n_, 0u);
    std::fill(r_, r_ + n_ * static_cast<size_t>(slots_), 0u);
  }

  unsigned shift() const { return shift_; }
  int slots() const { return slots_; }
  int slotOf(int pipe) const { return slotOf_[pipe]; }
  int readerPipe(int slot) const { return readerPipe_[slot]; }
  uint32_t *w() { return w_; }
  uint32_t *r() { return r_; }

private:
  void release() {
    std::free(w_);
    std::free(r_);
    w_ = r_ = nullptr;
    n_ = 0;
  }

  unsigned shift_ = 0;
  int slots_ = 0;
  int8_t slotOf_[kPipes] = {};
  int readerPipe_[3] = {-1, -1, -1};
  uint32_t *w_ = nullptr;
  uint32_t *r_ = nullptr;
  size_t n_ = 0;
};

inline uint32_t packWrite(int pipe, uint32_t seq) {
  return (static_cast<uint32_t>(pipe) << kSeqBits) | seq;
}
inline int writePipe(uint32_t w) { return static_cast<int>(w >> kSeqBits); }
inline uint32_t writeSeq(uint32_t w) { return w & kSeqMask; }

struct OnChipBuffer {
  std::vector<uint8_t> data;
  std::vector<uint8_t> init; // 1 = written since the run began
  Shadow shadow;
};

struct GmBuffer {
  uintptr_t base = 0;
  uint64_t size = 0;
  std::string name;
  Shadow shadow;
};

/// Poison written into fresh or undefined on-chip bytes (an f32 / f16 /
/// bf16 NaN whatever the element type).
constexpr uint8_t kPoison = 0xff;

struct Memory {
  OnChipBuffer chip[kNumOnChip];
  std::vector<GmBuffer> gm; // sorted by base, disjoint

  static int reader0(Space s) {
    switch (s) {
    case Space::UB:
      return PIPE_V;
    case Space::L1:
      return PIPE_MTE1;
    case Space::L0A:
    case Space::L0B:
    case Space::L0C:
      return PIPE_M;
    case Space::GM:
      return PIPE_MTE2;
    }
    return -1;
  }
  static int reader1(Space s) {
    if (s == Space::UB)
      return PIPE_MTE3;
    if (s == Space::L0C)
      return PIPE_FIX;
    return -1;
  }
  /// The scalar unit reads UB elements (Tile::GetValue).
  static int reader2(Space s) { return s == Space::UB ? PIPE_S : -1; }

  void reset() {
    for (int i = 0; i < kNumOnChip; ++i) {
      Space s = static_cast<Space>(i);
      uint64_t bytes = cfg::physicalBytes(s);
      OnChipBuffer &b = chip[i];
      b.data.assign(bytes, kPoison);
      b.init.assign(bytes, 0);
      b.shadow.allocate(bytes, cfg::kOnChipGranuleShift, reader0(s),
                        reader1(s), reader2(s));
    }
    gm.clear();
  }

  /// Marks every on-chip byte unwritten (RunOptions::
  /// poison_on_chip_at_pipe_all).
  void poisonOnChip() {
    for (OnChipBuffer &b : chip) {
      std::fill(b.data.begin(), b.data.end(), kPoison);
      std::fill(b.init.begin(), b.init.end(), uint8_t(0));
    }
  }

  OnChipBuffer &onChip(Space s) { return chip[static_cast<int>(s)]; }
  uint8_t *bytes(Space s, uint64_t off) {
    return onChip(s).data.data() + off;
  }

  /// Registers [p, p + size) as GM buffer `name`; false if it overlaps a
  /// registered buffer.
  bool registerGm(const void *p, uint64_t size, const char *name) {
    uintptr_t base = reinterpret_cast<uintptr_t>(p);
    for (const GmBuffer &b : gm)
      if (base < b.base + b.size && b.base < base + size)
        return false;
    GmBuffer buf;
    buf.base = base;
    buf.size = size;
    buf.name = name ? name : "<unnamed>";
    buf.shadow.allocate(size, cfg::kGmGranuleShift, reader0(Space::GM), -1);
    auto it = std::upper_bound(
        gm.begin(), gm.end(), base,
        [](uintptr_t a, const GmBuffer &g) { return a < g.base; });
    gm.insert(it, std::move(buf));
    return true;
  }

  /// The index of the GM buffer containing [addr, addr + len), or -1.
  int findGm(uintptr_t addr, uint64_t len) const {
    auto it = std::upper_bound(
        gm.begin(), gm.end(), addr,
        [](uintptr_t a, const GmBuffer &g) { return a < g.base; });
    if (it == gm.begin())
      return -1;
    --it;
    if (addr - it->base > it->size || len > it->size - (addr - it->base))
      return -1;
    return static_cast<int>(it - gm.begin());
  }

  /// A description of the registered buffers around `addr`, for messages.
  std::string nearestGm(uintptr_t addr) const {
    if (gm.empty())
      return "no GM buffer is registered";
    const GmBuffer *best = nullptr;
    uint64_t bestDist = ~uint64_t(0);
    for (const GmBuffer &b : gm) {
      uint64_t d = addr < b.base ? b.base - addr
                   : addr >= b.base + b.size ? addr - (b.base + b.size) + 1
                                             : 0;
      if (d < bestDist) {
        bestDist = d;
        best = &b;
      }
    }
    return "nearest registered buffer '" + best->name + "' is [" +
           hex(best->base) + ", " + hex(best->base + best->size) + ")";
  }
};

inline Memory g_mem;

} // namespace detail
} // namespace pto_ref

#endif // PTO_REF_MEMORY_HPP
