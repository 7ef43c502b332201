//===- test_checks.cpp - Violations the reference reports -----------------===//
//
// Part of Tessel, an MLIR compiler for Ascend NPU tile kernels.
//
//===----------------------------------------------------------------------===//
//
// Hazards between pipes (RAW, WAR, WAW, in UB, L0A and GM, through the
// unordered vector pipe and the a2a3 TROWEXPANDMUL scratch), flag misuse
// (deadlock, double set, leaked flag, bad event ids), capacity and
// alignment, uninitialised reads, GM bounds, shape agreement, and the
// correct programs that must pass (a double-buffered loop, a cube pipeline,
// orderings through PIPE_S, PIPE_ALL and chains of flags); TREM over its
// source and its tmp size on a2a3, TEXTRACT / TINSERT windows off a block,
// outside the tile, and the bytes a window reads.
//
//===----------------------------------------------------------------------===//

#include "test_util.hpp"

using namespace pto;
using t::Outcome;
using t::runCase;

namespace {

constexpr int R = 16, C = 64;
using V = t::VTile<float, R, C>; // 4 KiB
constexpr uint64_t kTile = R * C * 4;

/// GM input / output of a few tiles and their views.
struct Gm {
  std::vector<float> in = std::vector<float>(8 * R * C, 1.5f);
  std::vector<float> out = std::vector<float>(8 * R * C, 0.0f);
  void reg() {
    pto_ref::register_gm(in.data(), in.size() * 4, "in");
    pto_ref::register_gm(out.data(), out.size() * 4, "out");
  }
  t::Gm2<float> src(const V &tile, int i = 0) {
    return t::gmOf(in.data() + i * R * C, tile);
  }
  t::Gm2<float> dst(const V &tile, int i = 0) {
    return t::gmOf(out.data() + i * R * C, tile);
  }
};

void bind(V &a, uint64_t off) { TASSIGN(a, off); }

pto_ref::RunOptions collectAll() {
  pto_ref::RunOptions o;
  o.stop_at_first = false;
  return o;
}

#define EXPECT_HAS(outcome, text)                                              \
  CHECK_MSG((outcome).has(text), std::string("missing \"") + (text) +          \
                                     "\" in:\n" + (outcome).all())

#define EXPECT_CLEAN(outcome) CHECK_MSG((outcome).count == 0, (outcome).all())

} // namespace

//===----------------------------------------------------------------------===//
// Hazards
//===----------------------------------------------------------------------===//

TEST(missing_mte2_to_v_sync_is_a_raw_hazard) {
  Gm gm;
  Outcome o = runCase([&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    TESSEL_LOC("kernel.py", 20, 1);
    auto g = gm.src(a);
    TLOAD(a, g);
    TESSEL_LOC("kernel.py", 21, 5);
    TADD(b, a, a);
  });
  CHECK_EQ(o.count, size_t(1));
  EXPECT_HAS(o, "RAW hazard on UB bytes [0x0, 0x1000)");
  EXPECT_HAS(o, "TADD (PIPE_V, instruction #2) at kernel.py:21:5 reads bytes "
                "written by TLOAD (PIPE_MTE2, instruction #1) at kernel.py:20:1");
  EXPECT_HAS(o, "missing set_flag/wait_flag(PIPE_MTE2, PIPE_V)");

  // A set_flag without its wait_flag does not order anything either.
  o = runCase([&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TADD(b, a, a);
  });
  EXPECT_HAS(o, "RAW hazard on UB");

  // With the pair, the same program is clean.
  o = runCase([&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
    TADD(b, a, a);
  });
  EXPECT_CLEAN(o);
}

TEST(missing_v_barrier_is_reported) {
  Gm gm;
  auto prog = [&](bool barrier, bool war) {
    return runCase([&] {
      gm.reg();
      V a, b, c;
      bind(a, 0);
      bind(b, kTile);
      bind(c, 2 * kTile);
      auto g = gm.src(a);
      TLOAD(a, g);
      set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
      wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
      TESSEL_LOC("k.py", 3, 1);
      TADD(b, a, a);
      if (barrier)
        pipe_barrier(PIPE_V);
      TESSEL_LOC("k.py", 4, 1);
      if (war)
        TEXPANDS(a, 0.0f); // overwrites what TADD read
      else
        TMUL(c, b, b); // reads what TADD wrote
    });
  };
  Outcome o = prog(false, false);
  EXPECT_HAS(o, "RAW hazard on UB bytes [0x1000, 0x2000): TMUL (PIPE_V");
  EXPECT_HAS(o, "missing pipe_barrier(PIPE_V) between them");
  o = prog(false, true);
  EXPECT_HAS(o, "WAR hazard on UB bytes [0x0, 0x1000): TEXPANDS (PIPE_V, "
                "instruction #3) at k.py:4:1 overwrites bytes read by TADD");
  EXPECT_CLEAN(prog(true, false));
  EXPECT_CLEAN(prog(true, true));
}

TEST(war_on_a_reused_slot) {
  Gm gm;
  auto prog = [&](bool sync) {
    return runCase([&] {
      gm.reg();
      V a, b;
      bind(a, 0);
      bind(b, kTile);
      auto g0 = gm.src(a, 0);
      TLOAD(a, g0);
      set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
      wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
      TADD(b, a, a);
      if (sync) {
        set_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
        wait_flag(PIPE_V, PIPE_MTE2, EVENT_ID1);
      }
      auto g1 = gm.src(a, 1);
      TLOAD(a, g1); // the slot TADD reads
    });
  };
  Outcome o = prog(false);
  CHECK_EQ(o.count, size_t(1));
  EXPECT_HAS(o, "WAR hazard on UB bytes [0x0, 0x1000): TLOAD (PIPE_MTE2, "
                "instruction #3)");
  EXPECT_HAS(o, "overwrites bytes read by TADD (PIPE_V, instruction #2)");
  EXPECT_HAS(o, "missing set_flag/wait_flag(PIPE_V, PIPE_MTE2)");
  EXPECT_CLEAN(prog(true));
}

TEST(waw_between_pipes) {
  Gm gm;
  Outcome o = runCase([&] {
    gm.reg();
    V a;
    bind(a, 0x2000);
    auto g = gm.src(a);
    TLOAD(a, g);
    TEXPANDS(a, 1.0f);
  });
  EXPECT_HAS(o, "WAW hazard on UB bytes [0x2000, 0x3000): TEXPANDS (PIPE_V");
  EXPECT_HAS(o, "writes bytes written by TLOAD (PIPE_MTE2");
}

TEST(store_needs_v_to_mte3) {
  Gm gm;
  Outcome o = runCase([&] {
    gm.reg();
    V a;
    bind(a, 0);
    TEXPANDS(a, 2.0f);
    auto g = gm.dst(a);
    TSTORE(g, a);
  });
  EXPECT_HAS(o, "RAW hazard on UB bytes [0x0, 0x1000): TSTORE (PIPE_MTE3");
  EXPECT_HAS(o, "missing set_flag/wait_flag(PIPE_V, PIPE_MTE3)");
}

TEST(double_buffered_loop_passes) {
  constexpr int N = 8;
  Gm gm;
  for (size_t k = 0; k < gm.in.size(); ++k)
    gm.in[k] = static_cast<float>(k % 977);
  auto prog = [&](bool dropFreeWait) {
    return runCase([&] {
      gm.reg();
      V in[2], out[2];
      for (int s = 0; s < 2; ++s) {
        bind(in[s], static_cast<uint64_t>(s) * kTile);
        bind(out[s], static_cast<uint64_t>(2 + s) * kTile);
      }
      for (int i = 0; i < N; ++i) {
        int s = i % 2;
        event_t e = static_cast<event_t>(s);
        TESSEL_LOC("loop.py", 10 + i, 1);
        if (i >= 2 && !(dropFreeWait && i == 4))
          wait_flag(PIPE_V, PIPE_MTE2, e); // in[s] consumed
        auto g = gm.src(in[s], i);
        TLOAD(in[s], g);
        set_flag(PIPE_MTE2, PIPE_V, e);
        wait_flag(PIPE_MTE2, PIPE_V, e);
        if (i >= 2)
          wait_flag(PIPE_MTE3, PIPE_V, e); // out[s] stored
        TMULS(out[s], in[s], static_cast<float>(0x1p+1));
        set_flag(PIPE_V, PIPE_MTE2, e);
        set_flag(PIPE_V, PIPE_MTE3, e);
        wait_flag(PIPE_V, PIPE_MTE3, e);
        auto h = gm.dst(out[s], i);
        TSTORE(h, out[s]);
        set_flag(PIPE_MTE3, PIPE_V, e);
      }
      for (int s = 0; s < 2; ++s) {
        wait_flag(PIPE_V, PIPE_MTE2, static_cast<event_t>(s));
        wait_flag(PIPE_MTE3, PIPE_V, static_cast<event_t>(s));
      }
      pipe_barrier(PIPE_ALL);
    });
  };
  Outcome o = prog(false);
  EXPECT_CLEAN(o);
  for (size_t k = 0; k < gm.out.size(); ++k)
    CHECK_EQ(gm.out[k], 2.0f * gm.in[k]);
  o = prog(true);
  EXPECT_HAS(o, "WAR hazard on UB bytes [0x0, 0x1000): TLOAD (PIPE_MTE2");
  EXPECT_HAS(o, "at loop.py:14:1");
}

TEST(cube_pipeline_and_missing_mte1_to_m) {
  constexpr int M = 16, K = 32, N = 16;
  std::vector<half> a(M * K, static_cast<half>(1.0)), b(K * N, static_cast<half>(0.5));
  std::vector<float> c(M * N, 0.0f);
  auto prog = [&](bool sync) {
    return runCase([&] {
      pto_ref::register_gm(a.data(), a.size() * 2, "a");
      pto_ref::register_gm(b.data(), b.size() * 2, "b");
      pto_ref::register_gm(c.data(), c.size() * 4, "c");
      Tile<TileType::Mat, half, M, K, BLayout::ColMajor, M, K, SLayout::RowMajor> la;
      Tile<TileType::Mat, half, K, N, BLayout::ColMajor, K, N, SLayout::RowMajor> lb;
      TileLeft<half, M, K, M, K> l0a;
      TileRight<half, K, N, K, N> l0b;
      TileAcc<float, M, N, M, N> acc;
      TASSIGN(la, 0x0);
      TASSIGN(lb, 0x4000);
      TASSIGN(l0a, 0x0);
      TASSIGN(l0b, 0x0);
      TASSIGN(acc, 0x0);
      GlobalTensor<half, Shape<1, 1, 1, M, K>, Stride<1, 1, 1, K, 1>> ga(a.data());
      GlobalTensor<half, Shape<1, 1, 1, K, N>, Stride<1, 1, 1, N, 1>> gb(b.data());
      GlobalTensor<float, Shape<1, 1, 1, M, N>, Stride<1, 1, 1, N, 1>> gc(c.data());
      TLOAD(la, ga);
      TLOAD(lb, gb);
      set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
      wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
      TMOV(l0a, la);
      TMOV(l0b, lb);
      if (sync) {
        set_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
        wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
      }
      TESSEL_LOC("mm.py", 7, 3);
      TMATMUL(acc, l0a, l0b);
      set_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
      wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
      TSTORE(gc, acc);
      pipe_barrier(PIPE_ALL);
    });
  };
  EXPECT_CLEAN(prog(true));
  for (float x : c)
    CHECK_EQ(x, 16.0f);
  Outcome o = prog(false);
  EXPECT_HAS(o, "RAW hazard on L0A bytes [0x0, 0x400): TMATMUL (PIPE_M, "
                "instruction #5) at mm.py:7:3 reads bytes written by TMOV "
                "(PIPE_MTE1");
  EXPECT_HAS(o, "missing set_flag/wait_flag(PIPE_MTE1, PIPE_M)");
}

TEST(gm_raw_between_fix_and_mte2) {
  constexpr int M = 16, N = 16;
  std::vector<float> ws(M * N, 0.0f);
  auto prog = [&](bool sync) {
    return runCase([&] {
      pto_ref::register_gm(ws.data(), ws.size() * 4, "ws");
      std::vector<half> zero(16 * 32, half());
      pto_ref::register_gm(zero.data(), zero.size() * 2, "zero");
      Tile<TileType::Mat, half, 16, 32, BLayout::ColMajor, 16, 32, SLayout::RowMajor> la;
      Tile<TileType::Mat, half, 32, 16, BLayout::ColMajor, 32, 16, SLayout::RowMajor> lb;
      TileLeft<half, 16, 32> l0a;
      TileRight<half, 32, 16> l0b;
      TileAcc<float, M, N> acc;
      t::VTile<float, M, N> v;
      TASSIGN(la, 0x0);
      TASSIGN(lb, 0x1000);
      TASSIGN(l0a, 0x0);
      TASSIGN(l0b, 0x0);
      TASSIGN(acc, 0x0);
      TASSIGN(v, 0x0);
      GlobalTensor<half, Shape<1, 1, 1, 16, 32>, Stride<1, 1, 1, 32, 1>> ga(zero.data());
      GlobalTensor<half, Shape<1, 1, 1, 32, 16>, Stride<1, 1, 1, 16, 1>> gb(zero.data());
      GlobalTensor<float, Shape<1, 1, 1, M, N>, Stride<1, 1, 1, N, 1>> gw(ws.data());
      TLOAD(la, ga);
      TLOAD(lb, gb);
      set_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
      wait_flag(PIPE_MTE2, PIPE_MTE1, EVENT_ID0);
      TMOV(l0a, la);
      TMOV(l0b, lb);
      set_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
      wait_flag(PIPE_MTE1, PIPE_M, EVENT_ID0);
      TMATMUL(acc, l0a, l0b);
      set_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
      wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0);
      TSTORE(gw, acc); // a GM workspace ...
      if (sync) {
        set_flag(PIPE_FIX, PIPE_MTE2, EVENT_ID0);
        wait_flag(PIPE_FIX, PIPE_MTE2, EVENT_ID0);
      }
      TLOAD(v, gw); // ... read back by the vector side
      pipe_barrier(PIPE_ALL);
    });
  };
  EXPECT_CLEAN(prog(true));
  Outcome o = prog(false);
  EXPECT_HAS(o, "RAW hazard on GM buffer 'ws' bytes [0x0, 0x400): TLOAD "
                "(PIPE_MTE2");
  EXPECT_HAS(o, "written by TSTORE (PIPE_FIX");
}

TEST(rowexpandmul_scratch) {
  Gm gm;
  auto prog = [&](bool barrier) {
    return runCase([&] {
      gm.reg();
      V a, d1, d2;
      Tile<TileType::Vec, float, R, 1, BLayout::ColMajor> s;
      bind(a, 0);
      bind(d1, kTile);
      bind(d2, 2 * kTile);
      TASSIGN(s, 3 * kTile);
      auto g = gm.src(a);
      TLOAD(a, g);
      GlobalTensor<float, Shape<1, 1, 1, R, 1>, Stride<1, 1, 1, 1, R>, Layout::DN> gs(gm.in.data());
      TLOAD(s, gs);
      set_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
      wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID0);
      TROWEXPANDMUL(d1, a, s);
      if (barrier)
        pipe_barrier(PIPE_V);
      TROWEXPANDMUL(d2, a, s); // no data dependence, but the scratch
    });
  };
  Outcome o = prog(false);
  if constexpr (pto_ref::kIsA5) {
    EXPECT_CLEAN(o);
  } else {
    EXPECT_HAS(o, "WAW hazard on UB bytes [0x2e000, 0x2e200) (the internal "
                  "TROWEXPAND<OP> scratch): TROWEXPANDMUL");
    EXPECT_HAS(o, "missing pipe_barrier(PIPE_V)");
  }
  EXPECT_CLEAN(prog(true));
}

TEST(orderings_through_pipe_s_pipe_all_and_chains) {
  Gm gm;
  // wait_flag(.., PIPE_S) stalls the issue of everything after it.
  EXPECT_CLEAN(runCase([&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    set_flag(PIPE_MTE2, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_MTE2, PIPE_S, EVENT_ID0);
    TADD(b, a, a);
    set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
    auto h = gm.dst(b);
    TSTORE(h, b);
  }));
  // pipe_barrier(PIPE_ALL) drains every pipe.
  EXPECT_CLEAN(runCase([&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_ALL);
    TADD(b, a, a);
    pipe_barrier(PIPE_ALL);
    TLOAD(a, g);
  }));
  // V -> MTE3 -> MTE2 orders the vector write before the next load.
  EXPECT_CLEAN(runCase([&] {
    gm.reg();
    V a;
    bind(a, 0);
    TEXPANDS(a, 3.0f);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto h = gm.dst(a);
    TSTORE(h, a);
    set_flag(PIPE_MTE3, PIPE_MTE2, EVENT_ID0);
    wait_flag(PIPE_MTE3, PIPE_MTE2, EVENT_ID0);
    auto g = gm.src(a);
    TLOAD(a, g);
  }));
  // An unrelated pipe's barrier orders nothing.
  Outcome o = runCase([&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_MTE2);
    pipe_barrier(PIPE_V);
    TADD(b, a, a);
  });
  EXPECT_HAS(o, "RAW hazard");
}

//===----------------------------------------------------------------------===//
// Flags
//===----------------------------------------------------------------------===//

TEST(flag_misuse) {
  Outcome o = runCase([] {
    TESSEL_LOC("f.py", 1, 1);
    wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2);
  });
  EXPECT_HAS(o, "deadlock: wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID2) at f.py:1:1 "
                "waits for a flag that is not set");
  o = runCase([] {
    TESSEL_LOC("f.py", 2, 1);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
    TESSEL_LOC("f.py", 3, 1);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1);
  });
  EXPECT_HAS(o, "set_flag(PIPE_V, PIPE_MTE3, EVENT_ID1) at f.py:3:1: the flag "
                "is already set (by the set_flag at f.py:2:1)");
  o = runCase([] {
    TESSEL_LOC("f.py", 4, 1);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID5);
  });
  CHECK_EQ(o.count, size_t(1));
  EXPECT_HAS(o, "unmatched set_flag(PIPE_V, PIPE_MTE3, EVENT_ID5) at f.py:4:1");
  o = runCase([] { set_flag(PIPE_V, PIPE_MTE3, static_cast<event_t>(8)); });
  EXPECT_HAS(o, "event id 8 is outside EVENT_ID0..EVENT_ID7");
  o = runCase([] { wait_flag(PIPE_V, PIPE_MTE3, static_cast<event_t>(-1)); });
  EXPECT_HAS(o, "event id -1 is outside");
  o = runCase([] { set_flag(PIPE_ALL, PIPE_V, EVENT_ID0); });
  EXPECT_HAS(o, "PIPE_ALL is not a pipe a flag connects");
  o = runCase([] { set_flag(PIPE_V, PIPE_V, EVENT_ID0); });
  EXPECT_HAS(o, "the source and destination pipe are the same");
  // Matched flags, reused in order, are clean.
  EXPECT_CLEAN(runCase([] {
    for (int i = 0; i < 3; ++i) {
      set_flag(PIPE_MTE2, PIPE_V, EVENT_ID7);
      wait_flag(PIPE_MTE2, PIPE_V, EVENT_ID7);
    }
  }));
}

//===----------------------------------------------------------------------===//
// Capacity, alignment, binding
//===----------------------------------------------------------------------===//

TEST(capacity_overflow) {
  uint64_t ub = pto_ref::kIsA5 ? 245760 : 188416;
  Outcome o = runCase([&] {
    V a;
    TASSIGN(a, ub - kTile); // the last legal place
    TESSEL_LOC("c.py", 9, 2);
    TASSIGN(a, ub - kTile + 32);
  });
  CHECK_EQ(o.count, size_t(1));
  EXPECT_HAS(o, "TASSIGN at c.py:9:2: a UB tile of 16x64 f32 (4096 bytes) at "
                "offset");
  EXPECT_HAS(o, "past the usable UB capacity of " +
                    std::string(pto_ref::targetName()) + " (" +
                    std::to_string(ub) + " bytes");
  o = runCase([] {
    TileAcc<float, 128, 256> acc; // 128 KiB
    TASSIGN(acc, 0x200);
  });
  if constexpr (pto_ref::kIsA5)
    EXPECT_CLEAN(o);
  else
    EXPECT_HAS(o, "past the usable L0C capacity of a2a3 (131072 bytes");
  o = runCase([] {
    Tile<TileType::Mat, half, 16, 64, BLayout::ColMajor, 16, 64, SLayout::RowMajor> m;
    TASSIGN(m, 524288 - 2048);
    TileLeft<half, 128, 256> l; // 64 KiB: exactly L0A
    TASSIGN(l, 0);
    TileRight<half, 128, 256> r;
    TASSIGN(r, 512);
  });
  CHECK_EQ(o.count, size_t(1));
  EXPECT_HAS(o, "past the usable L0B capacity");
}

TEST(misalignment_and_unbound_tiles) {
  Outcome o = runCase([] {
    V a;
    TESSEL_LOC("a.py", 5, 5);
    TASSIGN(a, 0x10);
  });
  EXPECT_HAS(o, "TASSIGN at a.py:5:5: a UB tile of 16x64 f32 (4096 bytes) at "
                "offset 0x10, which is not a multiple of 32 bytes");
  o = runCase([] {
    TileLeft<half, 16, 32> l;
    TASSIGN(l, 0x20);
  });
  EXPECT_HAS(o, "not a multiple of 512 bytes (L0A alignment");
  o = runCase([] {
    TileAcc<float, 16, 16> acc;
    TASSIGN(acc, 0x600);
  });
  EXPECT_CLEAN(o);
  // In collect-all mode a failed TASSIGN leaves the tile unbound and each
  // later use is reported (and skipped).
  Gm gm;
  o = runCase(
      [&] {
        gm.reg();
        V a, b;
        TASSIGN(a, 0x8);
        bind(b, kTile);
        TESSEL_LOC("a.py", 7, 1);
        TADD(b, a, a);
        V never;
        TEXPANDS(never, 1.0f);
      },
      collectAll());
  CHECK_EQ(o.count, size_t(3));
  EXPECT_HAS(o, "TADD (PIPE_V, instruction #1) at a.py:7:1: operand 'src0' "
                "is a tile that no successful TASSIGN bound");
  EXPECT_HAS(o, "TEXPANDS (PIPE_V, instruction #2)");
}

//===----------------------------------------------------------------------===//
// Uninitialised reads, GM bounds, shapes
//===----------------------------------------------------------------------===//

TEST(uninitialised_reads) {
  Gm gm;
  Outcome o = runCase([&] {
    V a, b;
    bind(a, 0x1000);
    bind(b, 0x4000);
    TESSEL_LOC("u.py", 1, 1);
    TADD(b, a, a);
  });
  EXPECT_HAS(o, "read of uninitialised UB bytes [0x1000, 0x2000) by TADD "
                "(PIPE_V, instruction #1) at u.py:1:1");
  // Only the first 8 rows were loaded: the read reports rows 8..15.
  o = runCase([&] {
    gm.reg();
    Tile<TileType::Vec, float, R, C, BLayout::RowMajor, 8, C> half8;
    V a, b;
    TASSIGN(half8, 0);
    bind(a, 0);
    bind(b, kTile);
    auto g = t::gmOf(gm.in.data(), half8);
    TLOAD(half8, g);
    pipe_barrier(PIPE_ALL);
    TADD(b, a, a);
  });
  EXPECT_HAS(o, "read of uninitialised UB bytes [0x800, 0x1000)");
  // The tmp of TROWSUM is undefined afterwards.
  o = runCase([&] {
    gm.reg();
    V a, tmp, b;
    Tile<TileType::Vec, float, R, 1, BLayout::ColMajor> s;
    bind(a, 0);
    bind(tmp, kTile);
    bind(b, 2 * kTile);
    TASSIGN(s, 3 * kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    TLOAD(tmp, g);
    pipe_barrier(PIPE_ALL);
    TROWSUM(s, a, tmp);
    pipe_barrier(PIPE_V);
    TADD(b, tmp, a);
  });
  EXPECT_HAS(o, "read of uninitialised UB bytes [0x1000, 0x2000) by TADD");
  // L0C read by TMATMUL_ACC before any TMATMUL.
  o = runCase([] {
    TileAcc<float, 16, 16> acc;
    TileLeft<half, 16, 32> l;
    TileRight<half, 32, 16> r;
    TASSIGN(acc, 0);
    TASSIGN(l, 0);
    TASSIGN(r, 0);
    TMATMUL_ACC(acc, l, r);
  });
  EXPECT_HAS(o, "read of uninitialised L0A bytes [0x0, 0x400)");
  // With RunOptions::poison_on_chip_at_pipe_all, data does not survive the
  // end of a block iteration.
  pto_ref::RunOptions poison;
  poison.poison_on_chip_at_pipe_all = true;
  auto prog = [&] {
    gm.reg();
    V a, b;
    bind(a, 0);
    bind(b, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_ALL); // end of a block iteration
    TADD(b, a, a);
  };
  EXPECT_CLEAN(runCase(prog));
  EXPECT_HAS(runCase(prog, poison), "read of uninitialised UB bytes [0x0, 0x1000)");
}

TEST(gm_out_of_bounds) {
  Gm gm;
  Outcome o = runCase([&] {
    gm.reg();
    V a;
    bind(a, 0);
    TESSEL_LOC("g.py", 3, 3);
    auto g = t::gmOf(gm.in.data() + gm.in.size() - 100, a); // runs off the end
    TLOAD(a, g);
  });
  EXPECT_HAS(o, "TLOAD (PIPE_MTE2, instruction #1) at g.py:3:3: read of GM "
                "bytes");
  EXPECT_HAS(o, "outside every registered GM buffer (nearest registered "
                "buffer 'in'");
  std::vector<float> unregistered(R * C);
  o = runCase([&] {
    gm.reg();
    V a;
    bind(a, 0);
    TEXPANDS(a, 1.0f);
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto g = t::gmOf(unregistered.data(), a);
    TSTORE(g, a);
  });
  EXPECT_HAS(o, "TSTORE (PIPE_MTE3, instruction #2)");
  EXPECT_HAS(o, "write of GM bytes");
  CHECK(unregistered[0] == 0.0f); // not written
  // A tensor passed twice (aliased arguments) is one buffer.
  o = runCase([&] {
    pto_ref::register_gm(gm.in.data(), gm.in.size() * 4, "x");
    pto_ref::register_gm(gm.in.data(), 64, "y");
    V a;
    bind(a, 0);
    auto g = gm.src(a, 7);
    TLOAD(a, g);
  });
  EXPECT_CLEAN(o);
}

TEST(valid_shape_agreement) {
  Gm gm;
  Outcome o = runCase([&] {
    gm.reg();
    V a, b;
    Tile<TileType::Vec, float, R, C, BLayout::RowMajor, R, 32> c;
    bind(a, 0);
    bind(b, kTile);
    TASSIGN(c, 2 * kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    TLOAD(b, g);
    pipe_barrier(PIPE_ALL);
    TADD(c, a, b);
  });
  EXPECT_HAS(o, "the valid shape of 'src0' is 16x64, that of 'dst' 16x32; "
                "they must agree");
  o = runCase([&] {
    gm.reg();
    V a;
    bind(a, 0);
    GlobalTensor<float, Shape<1, 1, 1, 8, 64>, Stride<1, 1, 1, 64, 1>> g(gm.in.data());
    TLOAD(a, g);
  });
  EXPECT_HAS(o, "the GlobalTensor is 8x64 but the tile's valid shape is 16x64");
  // TGATHER writes dst contiguously: its valid columns must fill the row.
  o = runCase([&] {
    gm.reg();
    V a;
    Tile<TileType::Vec, float, R, 40, BLayout::RowMajor, R, 32> e;
    bind(a, 0);
    TASSIGN(e, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_ALL);
    TGATHER<decltype(e), V, MaskPattern::P0101>(e, a);
  });
  EXPECT_HAS(o, "requires dst.GetValidCol() == Cols (32 != 40)");
}

TEST(trecip_in_place) {
  Gm gm;
  Outcome o = runCase([&] {
    gm.reg();
    V a;
    bind(a, 0);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_ALL);
    TRECIP(a, a);
  });
  if constexpr (pto_ref::kIsA5)
    EXPECT_CLEAN(o);
  else
    EXPECT_HAS(o, "on a2a3 the source and destination of TRECIP must not overlap");
}

TEST(collect_all_counts_every_violation) {
  Gm gm;
  Outcome o = runCase(
      [&] {
        gm.reg();
        V a, b, c;
        bind(a, 0);
        bind(b, kTile);
        bind(c, 2 * kTile);
        auto g = gm.src(a);
        TLOAD(a, g);
        TADD(b, a, a);             // RAW (MTE2 -> V)
        TADD(c, b, b);             // RAW (V -> V)
        set_flag(PIPE_V, PIPE_MTE3, EVENT_ID3); // never waited
        wait_flag(PIPE_M, PIPE_FIX, EVENT_ID0); // deadlock
      },
      collectAll());
  CHECK_EQ(o.count, size_t(4));
  EXPECT_HAS(o, "RAW hazard on UB bytes [0x0, 0x1000)");
  EXPECT_HAS(o, "RAW hazard on UB bytes [0x1000, 0x2000)");
  EXPECT_HAS(o, "deadlock");
  EXPECT_HAS(o, "unmatched set_flag(PIPE_V, PIPE_MTE3, EVENT_ID3)");
}

TEST(new_instruction_checks) {
  Gm gm;
  // TREM over its source: a violation on a2a3 (written before read again),
  // fine on a5; its tmp is scratch (an uninitialised read afterwards).
  Outcome o = runCase([&] {
    gm.reg();
    V a, b;
    Tile<TileType::Vec, float, 1, 72> tmp; // 64 + 2 * ceil(64 / 64) = 66 -> 72
    bind(a, 0);
    bind(b, kTile);
    TASSIGN(tmp, 2 * kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    auto h = gm.src(b, 1);
    TLOAD(b, h);
    pipe_barrier(PIPE_ALL);
    TREM(a, a, b, tmp);
  });
  if constexpr (pto_ref::kIsA5)
    EXPECT_CLEAN(o);
  else
    EXPECT_HAS(o, "on a2a3 the destination of TREM must not overlap its "
                  "sources");
  if constexpr (!pto_ref::kIsA5) {
    // A tmp one column short of Cols + 2 * ceil(Cols / 64) = 66.
    o = runCase([&] {
      gm.reg();
      V a, b, d;
      Tile<TileType::Vec, float, 1, 64> tmp;
      bind(a, 0);
      bind(b, kTile);
      bind(d, 2 * kTile);
      TASSIGN(tmp, 3 * kTile);
      auto g = gm.src(a);
      TLOAD(a, g);
      auto h = gm.src(b, 1);
      TLOAD(b, h);
      pipe_barrier(PIPE_ALL);
      TREM(d, a, b, tmp);
    });
    EXPECT_HAS(o, "a2a3 needs at least 1 x 66");
  }
  // TEXTRACT: a window off a 32-byte block (column 4 of f32) on a2a3, and
  // a window leaving the source's valid region on both.
  o = runCase([&] {
    gm.reg();
    V a;
    Tile<TileType::Vec, float, 8, 16> w;
    bind(a, 0);
    TASSIGN(w, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_ALL);
    TEXTRACT(w, a, 0, 4);
  });
  if constexpr (pto_ref::kIsA5)
    EXPECT_CLEAN(o);
  else
    EXPECT_HAS(o, "indexCol 4 is not at a 32-byte block");
  o = runCase([&] {
    gm.reg();
    V a;
    Tile<TileType::Vec, float, 8, 16> w;
    bind(a, 0);
    TASSIGN(w, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    pipe_barrier(PIPE_ALL);
    TINSERT(a, w, 12, 0); // rows 12..20 of 16; w is also never written
  });
  EXPECT_HAS(o, "the 8x16 window at (12, 0) does not fit the valid shape 16x64");
  // A window read before its load is ordered: RAW on exactly its bytes.
  o = runCase([&] {
    gm.reg();
    V a;
    Tile<TileType::Vec, float, 8, 16> w;
    bind(a, 0);
    TASSIGN(w, kTile);
    auto g = gm.src(a);
    TLOAD(a, g);
    TEXTRACT(w, a, 8, 16);
  });
  // Rows 8..16, columns 16..32 of 256-byte rows: the report spans the first
  // conflicting byte, 8 * 256 + 16 * 4 = 0x840, to the end of the last,
  // 15 * 256 + 32 * 4 = 0xf80 (nothing outside the window).
  EXPECT_HAS(o, "RAW hazard on UB bytes [0x840, 0xf80)");
}

//===----------------------------------------------------------------------===//
// Scalar element access (Tile::GetValue / SetValue on PIPE_S)
//===----------------------------------------------------------------------===//

TEST(scalar_reads_and_writes_need_flags_with_the_vector_pipe) {
  Gm gm;
  // TEXPANDS (V) writes the tile, GetValue (S) reads element 3 of it, the
  // scalar unit writes element 5 back, TADD (V) reads the whole tile.
  auto prog = [&](bool v_to_s, bool s_to_v) {
    return runCase(
        [&] {
          gm.reg();
          V a, b;
          bind(a, 0);
          bind(b, kTile);
          TESSEL_LOC("kernel.py", 40, 1);
          TEXPANDS(a, 2.0f);
          if (v_to_s) {
            set_flag(PIPE_V, PIPE_S, EVENT_ID0);
            wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
          }
          TESSEL_LOC("kernel.py", 41, 1);
          float x = a.GetValue(3);
          TESSEL_LOC("kernel.py", 42, 1);
          a.SetValue(5, x * 3.0f);
          if (s_to_v) {
            set_flag(PIPE_S, PIPE_V, EVENT_ID0);
            wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
          }
          TESSEL_LOC("kernel.py", 43, 1);
          TADD(b, a, a);
          set_flag(PIPE_V, PIPE_S, EVENT_ID1);
          wait_flag(PIPE_V, PIPE_S, EVENT_ID1);
          // 2 * 2 everywhere but element 5: 2 * (2 * 3).
          CHECK_EQ(b.GetValue(0), 4.0f);
          CHECK_EQ(b.GetValue(5), 12.0f);
        },
        collectAll());
  };
  EXPECT_CLEAN(prog(true, true));
  Outcome noVS = prog(false, true);
  // Element 3 is bytes [12, 16), element 5 [20, 24); without V -> S the
  // S -> V flag no longer chains TEXPANDS before TADD either.
  CHECK_EQ(noVS.count, size_t(3));
  EXPECT_HAS(noVS, "RAW hazard on UB bytes [0xc, 0x10): GetValue (PIPE_S, "
                   "instruction #2) at kernel.py:41:1");
  EXPECT_HAS(noVS, "WAW hazard on UB bytes [0x14, 0x18): SetValue");
  EXPECT_HAS(noVS, "missing set_flag/wait_flag(PIPE_V, PIPE_S)");
  EXPECT_HAS(noVS, "missing pipe_barrier(PIPE_V)");
  Outcome noSV = prog(true, false);
  CHECK_EQ(noSV.count, size_t(1));
  // The write is recorded per 32-byte granule.
  EXPECT_HAS(noSV, "RAW hazard on UB bytes [0x0, 0x20)");
  EXPECT_HAS(noSV, "TADD (PIPE_V, instruction #4) at kernel.py:43:1");
  EXPECT_HAS(noSV, "missing set_flag/wait_flag(PIPE_S, PIPE_V)");
}

TEST(scalar_access_outside_the_tile_or_uninitialised) {
  Outcome o = runCase([&] {
    V a;
    bind(a, 0);
    (void)a.GetValue(7); // never written
    a.SetValue(R * C, 1.0f);
  }, collectAll());
  EXPECT_HAS(o, "uninitialised");
  EXPECT_HAS(o, "element offset 1024 is outside the 16x64 tile");
}

//===----------------------------------------------------------------------===//
// TFILLPAD, and the catalog instructions' scratch tiles
//===----------------------------------------------------------------------===//

TEST(fillpad_and_scratch_tiles) {
  using I = t::VTile<int32_t, 8, 16>;
  using F = t::VTile<float, 8, 16>;
  // TFILLPAD: 3 x 5 valid of an 8 x 16 tile, padded with -inf (Min): the
  // kept region is src's, the rest the pad; in place only on src's bytes.
  Outcome fill = runCase([&] {
    F a;
    TASSIGN(a, 0);
    TEXPANDS(a, 7.0f);
    pipe_barrier(PIPE_V);
    Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, -1, -1> part(3, 5);
    TASSIGN(part, 0);
    Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16,
         SLayout::NoneBox, 512, PadValue::Min>
        padded;
    TASSIGN(padded, 0);
    TFILLPAD_INPLACE(padded, part);
    set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
    CHECK_EQ(padded.GetValue(2 * 16 + 4), 7.0f);      // (2, 4): kept
    CHECK(padded.GetValue(2 * 16 + 5) < -1e38f);      // (2, 5): -inf
    CHECK(padded.GetValue(3 * 16 + 0) < -1e38f);      // (3, 0): -inf
    Tile<TileType::Vec, float, 8, 16, BLayout::RowMajor, 8, 16,
         SLayout::NoneBox, 512, PadValue::Min>
        elsewhere;
    TASSIGN(elsewhere, 0x1000);
    pipe_barrier(PIPE_V);
    TFILLPAD_INPLACE(elsewhere, part);
  }, collectAll());
  CHECK_EQ(fill.count, size_t(1));
  EXPECT_HAS(fill, "TFILLPAD_INPLACE: dst and src are not on the same bytes");

  // a2a3's TXOR leaves its tmp undefined (a later read of it is an
  // uninitialised read); a TTRANS tmp smaller than W x alignTo(H, 16)
  // elements fails.
  Outcome xo = runCase([&] {
    I a, d, tmp, e;
    TASSIGN(a, 0);
    TASSIGN(d, 0x200);
    TASSIGN(tmp, 0x400);
    TASSIGN(e, 0x600);
    TEXPANDS(a, 6);
    pipe_barrier(PIPE_V);
    TXOR(d, a, a, tmp);
    pipe_barrier(PIPE_V);
    TADD(e, tmp, d);
    F f, tt;
    Tile<TileType::Vec, float, 16, 8, BLayout::RowMajor, 16, 8> g;
    t::VTile<float, 8, 8> small;
    TASSIGN(f, 0x800);
    TASSIGN(g, 0x1000);
    TASSIGN(small, 0x1800);
    TEXPANDS(f, 1.0f);
    pipe_barrier(PIPE_V);
    TTRANS(g, f, small);
    (void)tt;
  }, collectAll());
  if (!pto_ref::kIsA5)
    EXPECT_HAS(xo, "read of uninitialised");
  EXPECT_HAS(xo, "the scratch tile 'tmp' has a valid shape 8x8; the "
                 "instruction needs 16x16");
}

// a2a3's TFILLPAD of 1-byte elements sets and waits for (PIPE_V, PIPE_S,
// EVENT_ID0) inside itself (pto-isa writes the padding of each row's last
// 32-byte block on the scalar unit): a kernel flag still set on that event
// is set twice; on another event, or on a5, nothing is reported.
TEST(int8_fillpad_uses_event0_of_v_to_s_on_a2a3) {
  using B = Tile<TileType::Vec, int8_t, 8, 64, BLayout::RowMajor, 8, 64,
                 SLayout::NoneBox, 512, PadValue::Max>;
  using P = Tile<TileType::Vec, int8_t, 8, 64, BLayout::RowMajor, 3, 40>;
  auto prog = [](event_t e) {
    return [e] {
      t::VTile<float, 8, 16> a;
      TASSIGN(a, 0x800);
      B whole;
      P part;
      TASSIGN(whole, 0);
      TASSIGN(part, 0);
      TEXPANDS(whole, int8_t(5));
      TEXPANDS(a, 1.0f);
      TESSEL_LOC("f.py", 7, 1);
      set_flag(PIPE_V, PIPE_S, e);
      pipe_barrier(PIPE_V);
      TESSEL_LOC("f.py", 8, 1);
      TFILLPAD_INPLACE(whole, part);
      wait_flag(PIPE_V, PIPE_S, e);
      CHECK_EQ(a.GetValue(3), 1.0f);
      set_flag(PIPE_V, PIPE_S, EVENT_ID2);
      wait_flag(PIPE_V, PIPE_S, EVENT_ID2);
      CHECK_EQ(int(whole.GetValue(2 * 64 + 39)), 5);   // kept
      CHECK_EQ(int(whole.GetValue(2 * 64 + 40)), 127); // padding: max
      CHECK_EQ(int(whole.GetValue(3 * 64 + 0)), 127);
    };
  };
  Outcome on0 = runCase(prog(EVENT_ID0), collectAll());
  Outcome on1 = runCase(prog(EVENT_ID1), collectAll());
  CHECK_EQ(on1.count, size_t(0));
  if (pto_ref::kIsA5) {
    CHECK_EQ(on0.count, size_t(0));
  } else {
    EXPECT_HAS(on0, "set_flag(PIPE_V, PIPE_S, EVENT_ID0) at f.py:8:1: the "
                    "flag is already set (by the set_flag at f.py:7:1)");
  }
}

// The index TGATHER: flat offsets into src0's storage (row 1, column 3 of
// an 8 x 16 float tile is offset 19); an offset outside src0's 128
// elements is a violation (target-defined on the NPU).
TEST(index_tgather_offsets) {
  using F = t::VTile<float, 8, 16>;
  using I = t::VTile<int32_t, 2, 8>;
  using D = t::VTile<float, 2, 8>;
  Outcome ok = runCase([] {
    F src;
    I idx;
    D dst;
    I tmp;
    TASSIGN(src, 0);
    TASSIGN(idx, 0x200);
    TASSIGN(dst, 0x240);
    TASSIGN(tmp, 0x280);
    for (int i = 0; i < 8 * 16; ++i)
      src.SetValue(i, float(i));
    for (int i = 0; i < 16; ++i)
      idx.SetValue(i, (i * 19) % 128);
    set_flag(PIPE_S, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
    TGATHER(dst, src, idx, tmp);
    set_flag(PIPE_V, PIPE_S, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_S, EVENT_ID0);
    for (int i = 0; i < 16; ++i)
      CHECK_EQ(dst.GetValue(i), float((i * 19) % 128));
  }, collectAll());
  CHECK_EQ(ok.count, size_t(0));
  Outcome out = runCase([] {
    F src;
    I idx;
    D dst;
    I tmp;
    TASSIGN(src, 0);
    TASSIGN(idx, 0x200);
    TASSIGN(dst, 0x240);
    TASSIGN(tmp, 0x280);
    TEXPANDS(src, 1.0f);
    for (int i = 0; i < 16; ++i)
      idx.SetValue(i, i == 5 ? 128 : i);
    set_flag(PIPE_S, PIPE_V, EVENT_ID0);
    wait_flag(PIPE_S, PIPE_V, EVENT_ID0);
    TGATHER(dst, src, idx, tmp);
  }, collectAll());
  EXPECT_HAS(out, "offset 128 at src1 (0, 5) is outside src0's 128 elements");
}

// TCMP / TCMPS / TSEL: the mask bytes past the comparison's are undefined
// until filled; a2a3 compares int32_t for equality only; the mask must be
// large enough; a2a3's TSEL tmp must not overlap an operand.
TEST(cmp_and_sel_checks) {
  using F = t::VTile<float, 8, 16>;
  using M = Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 32>;
  std::vector<int8_t> out(8 * 32);
  Outcome undef = runCase([&] {
    pto_ref::register_gm(out.data(), out.size(), "out");
    F a;
    M m;
    t::VTile<int8_t, 8, 32> mi;
    TASSIGN(a, 0);
    TASSIGN(m, 0x1000);
    TASSIGN(mi, 0x1000);
    TEXPANDS(a, 1.0f);
    pipe_barrier(PIPE_V);
    TCMPS(m, a, 0.5f, CmpMode::GT); // 16 columns: bytes 2..31 undefined
    set_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    wait_flag(PIPE_V, PIPE_MTE3, EVENT_ID0);
    auto g = t::gmOf(out.data(), mi);
    TSTORE(g, mi);
  }, collectAll());
  EXPECT_HAS(undef, "read of uninitialised");

  Outcome bad = runCase([&] {
    using I = t::VTile<int32_t, 8, 16>;
    I a;
    M m;
    Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 1> tiny;
    TASSIGN(a, 0);
    TASSIGN(m, 0x1000);
    TASSIGN(tiny, 0x2000);
    TEXPANDS(a, 3);
    pipe_barrier(PIPE_V);
    TCMP(m, a, a, CmpMode::LT);
    pipe_barrier(PIPE_V);
    TCMPS(tiny, a, 3, CmpMode::EQ);
    F x, d;
    TASSIGN(x, 0x3000);
    TASSIGN(d, 0x4000);
    TEXPANDS(x, 2.0f);
    pipe_barrier(PIPE_V);
    TCMPS(m, x, 0.0f, CmpMode::GT);
    pipe_barrier(PIPE_V);
    TSEL(d, m, x, x, m); // tmp on the mask
  }, collectAll());
  if (!pto_ref::kIsA5) {
    EXPECT_HAS(bad, "CmpMode::LT of int32_t: a2a3 compares int32_t for "
                    "equality only");
    EXPECT_HAS(bad, "the scratch tile 'tmp' overlaps an operand");
  }
  EXPECT_HAS(bad, "the mask's valid shape is 8x1; a comparison of 8x16 "
                  "needs 8 rows and at least 2 byte columns");

  // TSEL reads the mask TCMP wrote: two vector instructions, unordered
  // without a pipe_barrier(PIPE_V).
  Outcome race = runCase([&] {
    F x, d;
    M m;
    t::VTile<uint8_t, 1, 32> tmp;
    TASSIGN(x, 0);
    TASSIGN(d, 0x1000);
    TASSIGN(m, 0x2000);
    TASSIGN(tmp, 0x3000);
    TEXPANDS(x, 2.0f);
    pipe_barrier(PIPE_V);
    TCMPS(m, x, 0.0f, CmpMode::GT);
    TSEL(d, m, x, x, tmp);
  }, collectAll());
  EXPECT_HAS(race, "RAW");

  // a2a3's TPRELU: tmp needs one more row than dst (TSEL's tmp), and dst
  // must not be on src0 (written before src0 is read again).
  Outcome prelu = runCase([&] {
    F x, s, d;
    Tile<TileType::Vec, uint8_t, 8, 32, BLayout::RowMajor, 8, 32> small;
    Tile<TileType::Vec, uint8_t, 9, 32, BLayout::RowMajor, 9, 32> big;
    TASSIGN(x, 0);
    TASSIGN(s, 0x1000);
    TASSIGN(small, 0x2000);
    TASSIGN(d, 0x3000);
    TASSIGN(big, 0x4000);
    TEXPANDS(x, -1.0f);
    TEXPANDS(s, 0.5f);
    pipe_barrier(PIPE_V);
    TPRELU(d, x, s, small);
    pipe_barrier(PIPE_V);
    TPRELU(x, x, s, big);
  }, collectAll());
  if (!pto_ref::kIsA5) {
    EXPECT_HAS(prelu, "a2a3's TPRELU writes dst before it reads src0 again");
    EXPECT_HAS(prelu, "the scratch tile 'tmp' has a valid shape 8x32; the "
                      "instruction needs 9x32");
  } else {
    CHECK_EQ(prelu.count, size_t(0));
  }
}

int main(int argc, char **argv) { return t::runAll(argc, argv); }
