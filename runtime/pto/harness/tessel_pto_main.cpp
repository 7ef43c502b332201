//===- tessel_pto_main.cpp - Run an emitted kernel on the reference -------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The C entry point that runs one emitted pto-isa kernel file on the CPU
// reference, built together with it as one shared library:
//
//   g++ -std=c++17 -O2 -fPIC -shared
//       -I runtime/pto/include -DTESSEL_PTO_ENTRY=mykernel_cpu
//       -DTESSEL_PTO_SOURCE='"/path/to/mykernel.cpp"'
//       runtime/pto/harness/tessel_pto_main.cpp -o libmykernel.so
//
// (one command line).
//
// TESSEL_PTO_SOURCE makes this file #include the emitted file (one
// translation unit). Without it, compile the emitted file next to this one:
// `g++ ... mykernel.cpp runtime/pto/harness/tessel_pto_main.cpp`; the
// reference's state is made of C++17 inline variables, shared by both.
//
//   extern "C" int tessel_pto_run(uint8_t **args, const uint64_t *sizes,
//                                 int nargs, char *err, uint64_t errlen);
//
// registers args[i] (sizes[i] bytes) as GM buffer "arg<i>", calls
// `extern "C" void TESSEL_PTO_ENTRY(uint8_t **args)`, and returns 0, or the
// number of violations with the first messages (one per line) in `err`
// (NUL-terminated, truncated to errlen bytes). The run stops at the first
// violation unless tessel_pto_set_options(0, ...) was called (or the
// library was built with -DTESSEL_PTO_COLLECT_ALL).
//
//===----------------------------------------------------------------------===//

#include <pto/pto-inst.hpp>

#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

#ifndef TESSEL_PTO_ENTRY
#error "define TESSEL_PTO_ENTRY to the emitted CPU entry (-DTESSEL_PTO_ENTRY=k_cpu)"
#endif

#ifdef TESSEL_PTO_SOURCE
#include TESSEL_PTO_SOURCE
#endif

extern "C" void TESSEL_PTO_ENTRY(uint8_t **args);

/// The library's interface stays visible even under -fvisibility=hidden.
#define TESSEL_PTO_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

pto_ref::RunOptions defaultOptions() {
  pto_ref::RunOptions o;
#ifdef TESSEL_PTO_COLLECT_ALL
  o.stop_at_first = false;
#endif
  return o;
}

pto_ref::RunOptions g_options = defaultOptions();

void copyOut(const std::string &text, char *err, uint64_t errlen) {
  if (!err || errlen == 0)
    return;
  uint64_t n = text.size() < errlen - 1 ? text.size() : errlen - 1;
  std::memcpy(err, text.data(), n);
  err[n] = '\0';
}

} // namespace

/// Chooses how the next runs report: stop at the first violation (1) or
/// collect all (0); keep at most `max_messages` messages (> 0); mark on-chip
/// memory unwritten at every pipe_barrier(PIPE_ALL) (1) or not (0).
TESSEL_PTO_EXPORT void tessel_pto_set_options(int stop_at_first,
                                              int max_messages,
                                              int poison_on_chip_at_pipe_all) {
  g_options.stop_at_first = stop_at_first != 0;
  if (max_messages > 0)
    g_options.max_messages = static_cast<std::size_t>(max_messages);
  g_options.poison_on_chip_at_pipe_all = poison_on_chip_at_pipe_all != 0;
}

/// Mutation testing: drop the synchronisation with this `tile.sync` id
/// (TESSEL_SYNC in the emitted code) in the next runs; -1 restores it.
TESSEL_PTO_EXPORT void tessel_pto_drop_sync(long long id) {
  pto_ref::drop_sync(id);
}

/// Mutation testing: the next runs run only scope kernels first..last of
/// the launch sequence (TESSEL_SCOPE in the emitted code); first = -1 runs
/// all.
TESSEL_PTO_EXPORT void tessel_pto_only_scopes(long long first,
                                              long long last) {
  pto_ref::only_scopes(first, last);
}

/// "a2a3" or "a5": the target the library was built for.
TESSEL_PTO_EXPORT const char *tessel_pto_target() {
  return pto_ref::targetName();
}

TESSEL_PTO_EXPORT int tessel_pto_run(uint8_t **args, const uint64_t *sizes,
                                     int nargs, char *err, uint64_t errlen) {
  copyOut("", err, errlen);
  pto_ref::begin_run(g_options);
  for (int i = 0; i < nargs; ++i) {
    std::string name = "arg" + std::to_string(i);
    pto_ref::register_gm(args[i], static_cast<std::size_t>(sizes[i]),
                         name.c_str());
  }
  std::string internal;
  try {
    TESSEL_PTO_ENTRY(args);
  } catch (const pto_ref::RunAborted &) {
    // The first violation ended the run; its message is recorded.
  } catch (const std::exception &e) {
    internal = e.what();
  } catch (...) {
    internal = "unknown exception";
  }
  std::size_t count = pto_ref::end_run();
  std::string text;
  if (!internal.empty()) {
    ++count;
    text = "error while running the kernel: " + internal + "\n";
  }
  if (count == 0)
    return 0;
  text += pto_ref::report();
  copyOut(text, err, errlen);
  return count > static_cast<std::size_t>(INT_MAX) ? INT_MAX
                                                   : static_cast<int>(count);
}
