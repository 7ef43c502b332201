//===- pto/ref/instr.hpp - One instruction's accesses and checks -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// `Instr` is the life of one instruction:
//
//   1. construction issues it on its pipe (clocks.hpp) and remembers the
//      current TESSEL_LOC;
//   2. the instruction declares the byte ranges it reads and writes
//      (`onChip`, `gm`); a GM range outside every registered buffer is a
//      violation that skips the instruction;
//   3. `check()` compares every range with the shadow state: a write or read
//      of bytes whose last write does not happen before this instruction
//      (RAW / WAW), a write of bytes read by an instruction that does not
//      happen before it (WAR), and a read of on-chip bytes never written;
//      each distinct (kind, buffer, earlier instruction) is one message that
//      names both instructions, the buffer and the byte range;
//   4. the instruction computes, reading and writing the simulated memory;
//   5. `commit()` records its accesses in the shadow state.
//
// Instructions are written as `run("TADD", PIPE_V, [&](Instr &in) {...})`,
// which catches the InstrAbort of a skipped instruction.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_INSTR_HPP
#define PTO_REF_INSTR_HPP

#include "pto/ref/memory.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace pto_ref {
namespace detail {

inline void ensureRun(); // run.hpp

enum class AccessKind : uint8_t { Read, Write, WriteUndefined };

struct Access {
  Space space;
  int gm; // index into g_mem.gm for Space::GM
  uint64_t off;
  uint64_t len;
  AccessKind kind;
};

class Instr {
public:
  Instr(const char *op, pipe_t pipe) : op_(op), pipe_(pipe) {
    ensureRun();
    seq_ = g_clocks.issue(pipe, op);
    accesses_.clear();
  }
  Instr(const Instr &) = delete;
  Instr &operator=(const Instr &) = delete;

  const char *op() const { return op_; }
  pipe_t pipe() const { return pipe_; }

  /// "TADD (PIPE_V, instruction #12) at kernel.py:140:5"
  std::string who() const { return describe(pipe_, seq_); }

  /// Reports a violation that makes this instruction impossible to run.
  void fail(const std::string &what) { violation(who() + ": " + what, true); }

  /// Reports a violation after which the instruction still runs.
  void warn(const std::string &what) { violation(who() + ": " + what, false); }

  /// Declares an access of on-chip bytes [off, off + len).
  void onChip(Space s, uint64_t off, uint64_t len, AccessKind kind) {
    if (len == 0)
      return;
    if (off + len > cfg::physicalBytes(s))
      internalError("on-chip access past the buffer");
    accesses_.push_back(Access{s, -1, off, len, kind});
  }

  /// Declares an access of GM bytes [p, p + len); a range outside every
  /// registered buffer fails the instruction.
  void gm(const void *p, uint64_t len, AccessKind kind) {
    if (len == 0)
      return;
    uintptr_t addr = reinterpret_cast<uintptr_t>(p);
    int idx = g_mem.findGm(addr, len);
    if (idx < 0)
      fail(std::string(kind == AccessKind::Read ? "read" : "write") +
           " of GM bytes [" + hex(addr) + ", " + hex(addr + len) +
           ") outside every registered GM buffer (" + g_mem.nearestGm(addr) +
           ")");
    const GmBuffer &b = g_mem.gm[static_cast<size_t>(idx)];
    accesses_.push_back(Access{Space::GM, idx, addr - b.base, len, kind});
  }

  /// Runs the hazard and initialisation checks of every declared access.
  void check() {
    conflicts_.clear();
    const Clock &clk = g_clocks.clk[pipe_];
    for (const Access &a : accesses_) {
      Shadow &sh = shadowOf(a);
      bool reads = a.kind == AccessKind::Read;
      if (reads && sh.slotOf(pipe_) < 0)
        internalError(std::string(pipeName(pipe_)) + " reads " +
                      spaceName(a.space));
      unsigned shift = sh.shift();
      uint64_t g0 = a.off >> shift, g1 = (a.off + a.len - 1) >> shift;
      uint32_t *w = sh.w();
      uint32_t *r = sh.r();
      int slots = sh.slots();
      for (uint64_t g = g0; g <= g1; ++g) {
        uint32_t wv = w[g];
        int wp = writePipe(wv);
        uint32_t ws = writeSeq(wv);
        if (!happensBefore(wp, ws, clk))
          addConflict(reads ? Hazard::RAW : Hazard::WAW, a, g, shift, wp, ws);
        if (reads)
          continue;
        for (int k = 0; k < slots; ++k) {
          uint32_t rs = r[g * static_cast<uint64_t>(slots) + k];
          int rp = sh.readerPipe(k);
          if (!happensBefore(rp, rs, clk))
            addConflict(Hazard::WAR, a, g, shift, rp, rs);
        }
      }
    }
    for (const Conflict &c : conflicts_)
      reportConflict(c);
    checkInitialised();
  }

  /// Records every declared access in the shadow state.
  void commit() {
    for (int pass = 0; pass < 2; ++pass) {
      for (const Access &a : accesses_) {
        bool reads = a.kind == AccessKind::Read;
        if (reads != (pass == 0))
          continue;
        Shadow &sh = shadowOf(a);
        unsigned shift = sh.shift();
        uint64_t g0 = a.off >> shift, g1 = (a.off + a.len - 1) >> shift;
        int slots = sh.slots();
        uint32_t *r = sh.r();
        if (reads) {
          int slot = sh.slotOf(pipe_);
          for (uint64_t g = g0; g <= g1; ++g)
            r[g * static_cast<uint64_t>(slots) + slot] = seq_;
          continue;
        }
        uint32_t wv = packWrite(pipe_, seq_);
        uint32_t *w = sh.w();
        for (uint64_t g = g0; g <= g1; ++g) {
          w[g] = wv;
          for (int k = 0; k < slots; ++k)
            r[g * static_cast<uint64_t>(slots) + k] = 0;
        }
        if (a.space != Space::GM) {
          OnChipBuffer &b = g_mem.onChip(a.space);
          bool defined = a.kind == AccessKind::Write;
          std::memset(b.init.data() + a.off, defined ? 1 : 0, a.len);
          if (!defined)
            std::memset(b.data.data() + a.off, kPoison, a.len);
        }
      }
    }
  }

private:
  enum class Hazard : uint8_t { RAW, WAR, WAW };

  struct Conflict {
    Hazard kind;
    Space space;
    int gm;
    int pipe;
    uint32_t seq;
    uint64_t lo, hi; // byte range (buffer offsets)
  };

  static Shadow &shadowOf(const Access &a) {
    if (a.space == Space::GM)
      return g_mem.gm[static_cast<size_t>(a.gm)].shadow;
    return g_mem.onChip(a.space).shadow;
  }

  void addConflict(Hazard kind, const Access &a, uint64_t g, unsigned shift,
                   int pipe, uint32_t seq) {
    uint64_t lo = std::max(a.off, g << shift);
    uint64_t hi = std::min(a.off + a.len, (g + 1) << shift);
    for (Conflict &c : conflicts_) {
      if (c.kind == kind && c.space == a.space && c.gm == a.gm &&
          c.pipe == pipe && c.seq == seq) {
        c.lo = std::min(c.lo, lo);
        c.hi = std::max(c.hi, hi);
        return;
      }
    }
    conflicts_.push_back(Conflict{kind, a.space, a.gm, pipe, seq, lo, hi});
  }

  static std::string bufferRange(Space s, int gm, uint64_t lo, uint64_t hi) {
    std::string range = "[" + hex(lo) + ", " + hex(hi) + ")";
    if (s == Space::GM)
      return "GM buffer '" + g_mem.gm[static_cast<size_t>(gm)].name +
             "' bytes " + range;
    std::string name = std::string(spaceName(s)) + " bytes " + range;
    if (s == Space::UB && cfg::kHasRowExpandScratch &&
        lo >= cfg::kRowExpandScratchOffset)
      name += " (the internal TROWEXPAND<OP> scratch)";
    return name;
  }

  std::string fix(int earlier) const {
    if (earlier == PIPE_V && pipe_ == PIPE_V)
      return "missing pipe_barrier(PIPE_V) between them";
    return std::string("missing set_flag/wait_flag(") + pipeName(earlier) +
           ", " + pipeName(pipe_) + ") between them";
  }

  void reportConflict(const Conflict &c) {
    std::string where = bufferRange(c.space, c.gm, c.lo, c.hi);
    std::string other = describe(c.pipe, c.seq);
    std::string msg;
    switch (c.kind) {
    case Hazard::RAW:
      msg = "RAW hazard on " + where + ": " + who() +
            " reads bytes written by " + other;
      break;
    case Hazard::WAW:
      msg = "WAW hazard on " + where + ": " + who() +
            " writes bytes written by " + other;
      break;
    case Hazard::WAR:
      msg = "WAR hazard on " + where + ": " + who() +
            " overwrites bytes read by " + other;
      break;
    }
    violation(msg + " (" + fix(c.pipe) + ")", false);
  }

  /// Reports the on-chip bytes this instruction reads that were never
  /// written: one message per buffer, with the range from the first to the
  /// last such byte.
  void checkInitialised() {
    uint64_t lo[kNumOnChip], hi[kNumOnChip];
    bool any[kNumOnChip] = {};
    for (const Access &a : accesses_) {
      if (a.kind != AccessKind::Read || a.space == Space::GM)
        continue;
      const uint8_t *init = g_mem.onChip(a.space).init.data();
      const void *z = std::memchr(init + a.off, 0, a.len);
      if (!z)
        continue;
      uint64_t l = static_cast<uint64_t>(static_cast<const uint8_t *>(z) - init);
      uint64_t h = a.off + a.len;
      while (h > l && init[h - 1] != 0)
        --h;
      int i = static_cast<int>(a.space);
      lo[i] = any[i] ? std::min(lo[i], l) : l;
      hi[i] = any[i] ? std::max(hi[i], h) : h;
      any[i] = true;
    }
    for (int i = 0; i < kNumOnChip; ++i)
      if (any[i])
        violation("read of uninitialised " +
                      bufferRange(static_cast<Space>(i), -1, lo[i], hi[i]) +
                      " by " + who() + " (never written, or left undefined)",
                  false);
  }

  const char *op_;
  pipe_t pipe_;
  uint32_t seq_ = 0;
  // Reused across instructions (one instruction is live at a time).
  static inline std::vector<Access> accesses_;
  static inline std::vector<Conflict> conflicts_;
};

/// Runs one instruction: `body(in)` declares, checks, computes and commits.
template <typename F> inline void run(const char *op, pipe_t pipe, F &&body) {
  Instr in(op, pipe);
  try {
    body(in);
  } catch (const InstrAbort &) {
  }
}

} // namespace detail
} // namespace pto_ref

#endif // PTO_REF_INSTR_HPP
