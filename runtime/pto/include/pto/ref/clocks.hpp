//===- pto/ref/clocks.hpp - Happens-before between pipes --------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The happens-before relation of the hardware, as vector clocks.
//
// Every instruction is an event (pipe p, sequence number s): the s-th
// instruction issued to p, s >= 1. Each pipe p keeps a clock C_p: C_p[q] is
// the number of q's instructions known to have completed before p's next
// instruction starts. An earlier event (q, s) happens before an instruction
// issued on p iff s <= C_p[q] at the time of issue.
//
//  * MTE1, MTE2, MTE3, M and FIX execute in order: issuing on p sets
//    C_p[p] to the new sequence number.
//  * V does not: vector instructions overlap, and only pipe_barrier(PIPE_V)
//    orders the V instructions before it with those after it (PTOAS's model
//    of the vector pipe). Issuing on V leaves C_V[V] alone; the barrier sets
//    it to the number of V instructions issued so far.
//  * set_flag(Q, P, e) captures C_Q with C_Q[Q] = all of Q's instructions
//    issued so far; wait_flag(Q, P, e) joins that into C_P. A wait on PIPE_S
//    stalls the scalar unit, which issues every instruction, so it is joined
//    into every pipe's clock.
//  * pipe_barrier(PIPE_ALL) joins every pipe's clock (with all of its own
//    instructions) into every pipe's clock.
//
// Because V's own component only ever advances to "all V issued so far",
// what any clock knows about a pipe is a prefix of its instructions, so one
// number per pipe suffices and the relation is transitive.
//
// The flag bookkeeping (set / wait / double set / leaks) is in sync.hpp; the
// per-byte shadow state that uses `happensBefore` is in memory.hpp.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_CLOCKS_HPP
#define PTO_REF_CLOCKS_HPP

#include "pto/ref/diag.hpp"
#include "pto/ref/types.hpp"

#include <cstdint>
#include <vector>

namespace pto_ref {
namespace detail {

/// Clock slots, indexed by the raw pipe_t value (slot PIPE_ALL is unused).
constexpr int kPipes = 8;
/// Event ids per (source, destination) pipe pair
/// (TargetInfo::eventIdsPerPipePair).
constexpr int kEvents = 8;
/// Sequence numbers fit in the low 28 bits of a shadow entry.
constexpr uint32_t kSeqBits = 28;
constexpr uint32_t kSeqMask = (1u << kSeqBits) - 1;

inline bool isPipe(int p) { return p >= 0 && p < kPipes && p != PIPE_ALL; }

inline const char *pipeName(int p) {
  switch (p) {
  case PIPE_S:
    return "PIPE_S";
  case PIPE_V:
    return "PIPE_V";
  case PIPE_MTE1:
    return "PIPE_MTE1";
  case PIPE_MTE2:
    return "PIPE_MTE2";
  case PIPE_MTE3:
    return "PIPE_MTE3";
  case PIPE_M:
    return "PIPE_M";
  case PIPE_ALL:
    return "PIPE_ALL";
  case PIPE_FIX:
    return "PIPE_FIX";
  default:
    return "PIPE_<invalid>";
  }
}

struct Clock {
  uint32_t c[kPipes] = {};
  void join(const Clock &o) {
    for (int i = 0; i < kPipes; ++i)
      if (o.c[i] > c[i])
        c[i] = o.c[i];
  }
};

/// What the messages say about an earlier instruction.
struct EventInfo {
  const char *op;
  Loc loc;
  uint64_t index; // program-order number of the instruction, from 1
};

struct Clocks {
  uint32_t seq[kPipes] = {};
  Clock clk[kPipes];
  std::vector<EventInfo> events[kPipes]; // events[p][s], s >= 1
  uint64_t instructions = 0;

  void reset() {
    for (int p = 0; p < kPipes; ++p) {
      seq[p] = 0;
      clk[p] = Clock{};
      events[p].clear();
      events[p].push_back(EventInfo{"<none>", Loc{}, 0});
    }
    instructions = 0;
  }

  /// Issues instruction `op` on `p` and returns its sequence number.
  uint32_t issue(int p, const char *op) {
    if (seq[p] >= kSeqMask)
      internalError("more than 2^28 instructions on one pipe");
    uint32_t s = ++seq[p];
    if (p != PIPE_V)
      clk[p].c[p] = s;
    events[p].push_back(EventInfo{op, g_diag.loc, ++instructions});
    return s;
  }

  /// C_q with all of q's issued instructions (what set_flag(q, ...)
  /// captures).
  Clock full(int q) const {
    Clock c = clk[q];
    c.c[q] = seq[q];
    return c;
  }

  const EventInfo &event(int p, uint32_t s) const { return events[p][s]; }
};

inline Clocks g_clocks;

/// Whether event (q, s) happens before instructions issued with clock `c`.
inline bool happensBefore(int q, uint32_t s, const Clock &c) {
  return s <= c.c[q];
}

inline std::string describe(int p, uint32_t s) {
  const EventInfo &e = g_clocks.event(p, s);
  return std::string(e.op) + " (" + pipeName(p) + ", instruction #" +
         std::to_string(e.index) + ") at " + locString(e.loc);
}

} // namespace detail
} // namespace pto_ref

#endif // PTO_REF_CLOCKS_HPP
