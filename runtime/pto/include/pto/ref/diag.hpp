//===- pto/ref/diag.hpp - Violations and kernel source locations -*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// How the reference reports what it finds. Every check ends in `violation`,
// which counts the message and keeps the first `RunOptions::max_messages` of
// them. By default the first violation ends the run: `RunAborted` is thrown
// out of the kernel (the harness catches it), so execution never continues
// on corrupt state. With `stop_at_first = false` every violation is
// collected; a violation after which an instruction cannot run safely (an
// unbound tile, a GM range outside every registered buffer, a shape
// mismatch) skips that one instruction instead.
//
// `TESSEL_LOC(file, line, col)` sets the current kernel source location; the
// emitter writes one before each instruction and every message names it.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_DIAG_HPP
#define PTO_REF_DIAG_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace pto_ref {

/// Options of one run (see begin_run in run.hpp).
struct RunOptions {
  /// End the run at the first violation (throws RunAborted out of the
  /// kernel). When false, collect every violation.
  bool stop_at_first = true;
  /// Messages kept; later violations are only counted.
  std::size_t max_messages = 64;
  /// Mark all on-chip bytes uninitialised at every pipe_barrier(PIPE_ALL):
  /// the emitter ends each block iteration with one, and on the hardware
  /// the next iteration may run on another core, so a read of data left by
  /// an earlier iteration is then reported.
  bool poison_on_chip_at_pipe_all = false;
};

/// Thrown out of the kernel when a run stops at its first violation. It is
/// deliberately not a std::exception.
struct RunAborted {};

namespace detail {

/// A kernel source location set by TESSEL_LOC.
struct Loc {
  const char *file = nullptr;
  int line = 0;
  int col = 0;
};

inline std::string locString(const Loc &loc) {
  if (!loc.file)
    return "<no TESSEL_LOC>";
  return std::string(loc.file) + ":" + std::to_string(loc.line) + ":" +
         std::to_string(loc.col);
}

/// Thrown (and caught at the instruction boundary) to skip one instruction
/// in collect-all mode.
struct InstrAbort {};

struct Diag {
  RunOptions opts;
  bool inRun = false;
  bool aborted = false;
  Loc loc;
  std::size_t count = 0;
  std::vector<std::string> messages;

  void reset(const RunOptions &o) {
    opts = o;
    inRun = true;
    aborted = false;
    loc = Loc{};
    count = 0;
    messages.clear();
  }
};

inline Diag g_diag;

/// Records a violation. Throws RunAborted when the run stops at the first
/// violation, InstrAbort when `fatal` (the current instruction cannot run).
inline void violation(const std::string &message, bool fatal) {
  ++g_diag.count;
  if (g_diag.messages.size() < g_diag.opts.max_messages)
    g_diag.messages.push_back(message);
  if (g_diag.opts.stop_at_first) {
    g_diag.aborted = true;
    throw RunAborted{};
  }
  if (fatal)
    throw InstrAbort{};
}

/// An error of the reference itself (not of the kernel).
[[noreturn]] inline void internalError(const std::string &message) {
  throw std::logic_error("pto reference internal error: " + message);
}

inline std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

inline void setLoc(const char *file, int line, int col) {
  g_diag.loc = Loc{file, line, col};
}

} // namespace detail
} // namespace pto_ref

/// Records the kernel source location of the next instructions.
#define TESSEL_LOC(file, line, col)                                            \
  ::pto_ref::detail::setLoc((file), (line), (col))

namespace pto_ref {
namespace detail {
/// Mutation testing: the id of the synchronisation the next set_flag /
/// wait_flag / pipe_barrier belongs to (TESSEL_SYNC in emitted code) and the
/// one id whose calls are dropped (-1: none).
inline int64_t g_sync_id = -1;
inline int64_t g_dropped_sync = -1;
inline void setSync(int64_t id) { g_sync_id = id; }
/// Whether the next sync call is dropped; consumes the current id.
inline bool dropSync() {
  bool drop = g_dropped_sync >= 0 && g_sync_id == g_dropped_sync;
  g_sync_id = -1;
  return drop;
}
} // namespace detail

/// Drops every set_flag / wait_flag / pipe_barrier of synchronisation `id`
/// (-1 restores them): tessel's mutation test removes one inserted
/// synchronisation at a time and expects a reported hazard.
inline void drop_sync(int64_t id) { detail::g_dropped_sync = id; }
} // namespace pto_ref

/// Names the synchronisation (tile-insert-sync's `tile.sync` id) of the next
/// set_flag / wait_flag / pipe_barrier.
#define TESSEL_SYNC(id) ::pto_ref::detail::setSync(id)

namespace pto_ref {
namespace detail {
/// The scope kernels the CPU entry runs: indices first..last (first < 0:
/// all of them).
inline int64_t g_first_scope = -1, g_last_scope = -1;
inline bool scopeSelected(int64_t index) {
  return g_first_scope < 0 ||
         (index >= g_first_scope && index <= g_last_scope);
}
} // namespace detail

/// Runs only scope kernels first..last (in launch order) in the next runs;
/// first = -1 restores all. A synchronisation orders pipes inside one scope
/// kernel, or drains them at its end for the next: the mutation test that
/// drops one runs that scope and the next.
inline void only_scopes(int64_t first, int64_t last) {
  detail::g_first_scope = first;
  detail::g_last_scope = last;
}
} // namespace pto_ref

/// Whether the CPU entry runs scope kernel `index` (only_scopes).
#define TESSEL_SCOPE(index) ::pto_ref::detail::scopeSelected(index)

#endif // PTO_REF_DIAG_HPP
