//===- pto/ref/config.hpp - Target figures of the reference -----*- C++ -*-===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// The target the reference models and its buffer figures. `PTO_REF_TARGET_A5`
// selects a5 (Ascend 950, dav-c310); the default is a2a3 (910B / 910_93,
// dav-c220).
//
// The capacities and alignments are Tessel's, from lib/Support/TargetInfo.cpp
// (the one source of truth of the compiler; sources cited there): usable UB
// 184 KiB (a2a3) / 240 KiB (a5) of a physical 192 / 256 KiB, L1 512 KiB,
// L0A / L0B 64 KiB, L0C 128 KiB (a2a3) / 256 KiB (a5); TASSIGN offsets are
// 32-byte aligned in UB and L1 and 512-byte aligned (one cube fractal) in
// L0A, L0B and L0C. pto-isa itself only asks for 32 bytes everywhere
// (include/pto/common/buffer_limits.hpp); the reference holds the emitter to
// Tessel's stricter figure.
//
// On a2a3, pto-isa's per-row broadcasts (TROWEXPANDMUL, TROWEXPANDADD, ...)
// with a column-vector operand broadcast it
// into a fixed 8 KiB UB scratch at TMP_UB_OFFSET = 184 KiB
// (include/pto/common/constants.hpp, npu/a2a3/TRowExpandBinOp.hpp), i.e. the
// reserved top of UB [188416, 196608). a5 broadcasts in registers.
//
//===----------------------------------------------------------------------===//

#ifndef PTO_REF_CONFIG_HPP
#define PTO_REF_CONFIG_HPP

#include <cstdint>

/// Bytes per GM shadow granule (a power of two, 1 .. 32). Two accesses by
/// unsynchronised pipes to disjoint bytes of one granule are reported as a
/// hazard, so smaller is more precise; each granule costs 8 bytes of shadow.
#ifndef PTO_REF_GM_GRANULE
#define PTO_REF_GM_GRANULE 4
#endif

namespace pto_ref {

enum class Target { A2A3, A5 };

#if defined(PTO_REF_TARGET_A5)
inline constexpr Target kTarget = Target::A5;
#else
inline constexpr Target kTarget = Target::A2A3;
#endif
inline constexpr bool kIsA5 = kTarget == Target::A5;

inline constexpr const char *targetName() { return kIsA5 ? "a5" : "a2a3"; }

/// The buffers the reference models. GM is the set of registered buffers.
enum class Space : uint8_t { UB, L1, L0A, L0B, L0C, GM };
inline constexpr int kNumOnChip = 5;

inline constexpr const char *spaceName(Space s) {
  switch (s) {
  case Space::UB:
    return "UB";
  case Space::L1:
    return "L1";
  case Space::L0A:
    return "L0A";
  case Space::L0B:
    return "L0B";
  case Space::L0C:
    return "L0C";
  case Space::GM:
    return "GM";
  }
  return "?";
}

namespace cfg {

constexpr uint64_t KiB = 1024;

/// Bytes a tile may occupy (TargetInfo.cpp usableBytes).
inline constexpr uint64_t usableBytes(Space s) {
  switch (s) {
  case Space::UB:
    return kIsA5 ? 240 * KiB : 184 * KiB;
  case Space::L1:
    return 512 * KiB;
  case Space::L0A:
  case Space::L0B:
    return 64 * KiB;
  case Space::L0C:
    return kIsA5 ? 256 * KiB : 128 * KiB;
  case Space::GM:
    return 0;
  }
  return 0;
}

/// Bytes of the hardware buffer (TargetInfo.cpp physicalBytes).
inline constexpr uint64_t physicalBytes(Space s) {
  return s == Space::UB ? (kIsA5 ? 256 * KiB : 192 * KiB) : usableBytes(s);
}

/// TASSIGN offset alignment (TargetInfo.cpp alignBytes).
inline constexpr uint64_t alignBytes(Space s) {
  return (s == Space::UB || s == Space::L1) ? 32 : 512;
}

/// The internal scratch of the per-row broadcasts TROWEXPAND<OP> (a2a3 only).
constexpr bool kHasRowExpandScratch = !kIsA5;
constexpr uint64_t kRowExpandScratchOffset = 184 * KiB;
constexpr uint64_t kRowExpandScratchBytes = 8 * KiB;

constexpr unsigned log2(unsigned v) { return v <= 1 ? 0 : 1 + log2(v / 2); }

/// Shadow granules: 32 bytes on chip (every tile row starts on a 32-byte
/// boundary), PTO_REF_GM_GRANULE bytes in GM.
constexpr unsigned kOnChipGranuleShift = 5;
constexpr unsigned kGmGranuleShift = log2(PTO_REF_GM_GRANULE);
static_assert((1u << kGmGranuleShift) == PTO_REF_GM_GRANULE &&
                  PTO_REF_GM_GRANULE <= 32,
              "PTO_REF_GM_GRANULE must be a power of two no larger than 32");

} // namespace cfg
} // namespace pto_ref

#endif // PTO_REF_CONFIG_HPP
