//===- pto/ref/sync.hpp - set_flag, wait_flag, pipe_barrier -----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The synchronisation calls, at global scope as the NPU compiler declares
// them, on top of the vector clocks of clocks.hpp. Besides ordering, each
// checks its flag in program order:
//
//  * an event id outside EVENT_ID0..EVENT_ID7, PIPE_ALL or an invalid pipe
//    as source or destination, and a source equal to its destination are
//    violations;
//  * set_flag of a flag that is already set and not yet waited for is a
//    violation (the hardware keeps one bit: the second set is lost);
//  * wait_flag of a flag that is not set is a deadlock (no later set_flag
//    can run: the reference executes in program order, as the scalar unit
//    issues);
//  * a flag still set when the run ends is an unmatched set_flag
//    (end_run in run.hpp).
//
// get_block_idx() is 0 and get_block_num() is 1: the reference runs every
// block of an spmd loop, in order, on one simulated core.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_SYNC_HPP
#define PTO_REF_SYNC_HPP

#include "pto/ref/memory.hpp"

#include <string>

namespace pto_ref {
namespace detail {

inline void ensureRun(); // run.hpp

struct Flag {
  bool set = false;
  Clock captured;
  Loc loc;
};

struct Flags {
  Flag f[kPipes][kPipes][kEvents];
  void reset() {
    for (auto &a : f)
      for (auto &b : a)
        for (Flag &x : b)
          x = Flag{};
  }
};

inline Flags g_flags;

inline std::string eventName(int e) {
  if (e >= 0 && e < kEvents)
    return "EVENT_ID" + std::to_string(e);
  return "static_cast<event_t>(" + std::to_string(e) + ")";
}

inline std::string syncCall(const char *what, int src, int dst, int e) {
  return std::string(what) + "(" + pipeName(src) + ", " + pipeName(dst) +
         ", " + eventName(e) + ")";
}

/// Checks the arguments of set_flag / wait_flag; false if they name no flag.
inline bool checkFlagArgs(const char *what, int src, int dst, int e) {
  ensureRun();
  std::string call = syncCall(what, src, dst, e) + " at " + locString(g_diag.loc);
  if (!isPipe(src) || !isPipe(dst)) {
    violation(call + ": " + (src == PIPE_ALL || dst == PIPE_ALL
                                 ? "PIPE_ALL is not a pipe a flag connects"
                                 : "invalid pipe"),
              false);
    return false;
  }
  if (src == dst) {
    violation(call + ": the source and destination pipe are the same", false);
    return false;
  }
  if (e < 0 || e >= kEvents) {
    violation(call + ": event id " + std::to_string(e) +
                  " is outside EVENT_ID0..EVENT_ID7",
              false);
    return false;
  }
  return true;
}

} // namespace detail
} // namespace pto_ref

/// Signals `dst` that everything issued on `src` so far has completed.
inline void set_flag(pipe_t src, pipe_t dst, event_t e) {
  using namespace pto_ref::detail;
  if (dropSync())
    return;
  if (!checkFlagArgs("set_flag", src, dst, e))
    return;
  Flag &f = g_flags.f[src][dst][e];
  if (f.set)
    violation(syncCall("set_flag", src, dst, e) + " at " +
                  locString(g_diag.loc) +
                  ": the flag is already set (by the set_flag at " +
                  locString(f.loc) +
                  ") and not yet waited for; the second set is lost",
              false);
  f.set = true;
  f.captured = g_clocks.full(src);
  f.loc = g_diag.loc;
}

/// Blocks `dst` until the matching set_flag's `src` work has completed.
inline void wait_flag(pipe_t src, pipe_t dst, event_t e) {
  using namespace pto_ref::detail;
  if (dropSync())
    return;
  if (!checkFlagArgs("wait_flag", src, dst, e))
    return;
  Flag &f = g_flags.f[src][dst][e];
  if (!f.set) {
    violation("deadlock: " + syncCall("wait_flag", src, dst, e) + " at " +
                  locString(g_diag.loc) +
                  " waits for a flag that is not set (no " +
                  syncCall("set_flag", src, dst, e) +
                  " since the last wait on it)",
              false);
    return;
  }
  f.set = false;
  if (dst == PIPE_S) {
    // The scalar unit issues every instruction: all pipes are after it.
    for (int p = 0; p < kPipes; ++p)
      g_clocks.clk[p].join(f.captured);
  } else {
    g_clocks.clk[dst].join(f.captured);
  }
}

/// PIPE_V orders the vector instructions before it with those after it;
/// PIPE_ALL drains every pipe; other pipes execute in order already.
inline void pipe_barrier(pipe_t p) {
  using namespace pto_ref::detail;
  if (dropSync())
    return;
  ensureRun();
  if (p == PIPE_ALL) {
    Clock all;
    for (int q = 0; q < kPipes; ++q)
      if (isPipe(q))
        all.join(g_clocks.full(q));
    for (int q = 0; q < kPipes; ++q)
      g_clocks.clk[q] = all;
    if (g_diag.opts.poison_on_chip_at_pipe_all)
      g_mem.poisonOnChip();
    return;
  }
  if (!isPipe(p)) {
    violation("pipe_barrier(" + std::to_string(static_cast<int>(p)) +
                  ") at " + locString(g_diag.loc) + ": invalid pipe",
              false);
    return;
  }
  if (p == PIPE_V)
    g_clocks.clk[PIPE_V].c[PIPE_V] = g_clocks.seq[PIPE_V];
}

/// The block this core runs first (the reference runs all on one core).
inline int64_t get_block_idx() { return 0; }
/// The number of cores running the kernel.
inline int64_t get_block_num() { return 1; }

#endif // PTO_REF_SYNC_HPP
