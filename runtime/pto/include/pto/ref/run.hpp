//===- pto/ref/run.hpp - The harness API of the reference -------*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// namespace pto_ref, for the code that runs a kernel (the harness, tests):
//
//   pto_ref::begin_run(options)          fresh simulated core: buffers
//                                        unwritten, clocks and flags reset,
//                                        no GM registered
//   pto_ref::register_gm(p, bytes, name) GM the kernel may touch
//   <call the kernel>                    throws pto_ref::RunAborted at the
//                                        first violation by default
//   pto_ref::end_run()                   checks flags left set; returns the
//                                        number of violations
//   pto_ref::violations(n)               the first n messages
//
// An instruction executed outside begin_run / end_run starts a run with the
// default options.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_RUN_HPP
#define PTO_REF_RUN_HPP

#include "pto/ref/sync.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace pto_ref {

/// Starts a run: resets every buffer, shadow, clock, flag and message.
inline void begin_run(const RunOptions &options = RunOptions{}) {
  detail::g_diag.reset(options);
  detail::g_clocks.reset();
  detail::g_flags.reset();
  detail::g_mem.reset();
}

/// Registers [p, p + bytes) as GM buffer `name`. A buffer overlapping a
/// registered one is merged with it (e.g. one tensor passed twice).
inline void register_gm(void *p, std::size_t bytes, const char *name) {
  detail::ensureRun();
  if (bytes == 0)
    return;
  detail::Memory &mem = detail::g_mem;
  if (mem.registerGm(p, bytes, name))
    return;
  uintptr_t lo = reinterpret_cast<uintptr_t>(p), hi = lo + bytes;
  std::string merged = name ? name : "<unnamed>";
  for (size_t i = 0; i < mem.gm.size();) {
    detail::GmBuffer &b = mem.gm[i];
    if (b.base < hi && lo < b.base + b.size) {
      lo = std::min(lo, b.base);
      hi = std::max(hi, static_cast<uintptr_t>(b.base + b.size));
      merged = b.name + "|" + merged;
      mem.gm.erase(mem.gm.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      ++i;
    }
  }
  mem.registerGm(reinterpret_cast<void *>(lo), hi - lo, merged.c_str());
}

/// Ends the run: reports every flag still set (unless the run already
/// stopped) and returns the number of violations.
inline std::size_t end_run() {
  using namespace detail;
  if (g_diag.inRun && !g_diag.aborted) {
    try {
      for (int s = 0; s < kPipes; ++s)
        for (int d = 0; d < kPipes; ++d)
          for (int e = 0; e < kEvents; ++e) {
            const Flag &f = g_flags.f[s][d][e];
            if (f.set)
              violation("unmatched " + syncCall("set_flag", s, d, e) +
                            " at " + locString(f.loc) +
                            ": the flag is still set when the kernel ends",
                        false);
          }
    } catch (const RunAborted &) {
    }
  }
  g_diag.inRun = false;
  return g_diag.count;
}

/// The number of violations of the current (or last) run.
inline std::size_t violation_count() { return detail::g_diag.count; }

/// The first `n` violation messages (at most RunOptions::max_messages).
inline std::vector<std::string> violations(std::size_t n = ~std::size_t(0)) {
  const std::vector<std::string> &all = detail::g_diag.messages;
  return std::vector<std::string>(all.begin(),
                                  all.begin() + static_cast<std::ptrdiff_t>(
                                                    std::min(n, all.size())));
}

/// The first `n` messages, one per line, after a count line.
inline std::string report(std::size_t n = ~std::size_t(0)) {
  std::string out = std::to_string(violation_count()) + " violation(s) [" +
                    targetName() + "]";
  for (const std::string &m : violations(n))
    out += "\n" + m;
  return out;
}

namespace detail {
inline void ensureRun() {
  if (!g_diag.inRun)
    begin_run();
}
} // namespace detail

} // namespace pto_ref

#endif // PTO_REF_RUN_HPP
