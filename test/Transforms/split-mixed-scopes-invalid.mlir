// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes -verify-diagnostics

// Mixed scopes that tile-split-mixed-scopes cannot split. Each is an error at
// the scope saying why, and the IR is left as it was. (A loop mixing cube
// and vector ops, and a cube op using a vector op's tile, are split: see
// split-mixed-scopes.mlir.)

// A loop-carried accumulator that a vector op rescales and a matmul_acc
// then accumulates into, every iteration: the carried tile passes cube ->
// vector -> cube around the loop, so no copy of the loop per core kind can
// hold it (fission would need the cube copy's iteration k+1 to wait for the
// vector copy's iteration k).
func.func @carried_across_kinds(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                                %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  %half = arith.constant 0.5 : f32
  tile.spmd 1 name("cycle") (%b) {
    // expected-error @below {{cannot split mixed scope 'cycle' into cube and vector scopes: a tile carried by the loop passes between cube and vector ops in every iteration, so no split of the loop into one loop per core kind can order them}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-note @below {{loop mixing cube and vector ops}}
      %r = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %kk = arith.muli %k, %c32 : index
        %x = tile.load %a[%c0, %kk] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%kk, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %s = tile.muls %acc, %half : !tile.tile<16x16xf32>
        // expected-note @below {{carried value made here}}
        %n = tile.matmul_acc %s, %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        scf.yield %n : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// The mixed loop's trip count is a kernel argument, unknown at compile time
// and with no upper bound: the per-iteration GM staging of the matmul
// result could not be sized. The note points at the end's definition (the
// argument).
// expected-note @below {{the loop's end has no constant bound}}
func.func @dynamic_trip_count(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>, %o: memref<16x16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  tile.spmd 1 name("dyn") (%b) {
    // expected-error @below {{cannot split mixed scope 'dyn' into cube and vector scopes: the loop mixing cube and vector ops runs a number of iterations known only at run time, and no upper bound was found for it; the GM staging of its per-iteration tiles is sized by the most iterations it can run. Bound the loop's end by a compile-time constant, e.g. pl.min(n, 64)}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-note @below {{loop mixing cube and vector ops}}
      %r = scf.for %k = %c0 to %n step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        %s = tile.add %acc, %e : !tile.tile<16x16xf32>
        scf.yield %s : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// The trip count is read from GM and only divided, never clamped: an i32
// count divided by 4 is still below 2^29 only because of its type, which
// is no bound (the analysis sees it move with the range of the data), so
// the split asks for pl.min.
func.func @unclamped_read_trip_count(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                                     %o: memref<32x16xf32>, %lens: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  tile.spmd 2 name("data") (%b) {
    // expected-error @below {{cannot split mixed scope 'data' into cube and vector scopes: the loop mixing cube and vector ops runs a number of iterations known only at run time, and no upper bound was found for it}}
    tile.at core_group {
      %t = tile.load %lens[%b] : memref<2xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
      %n0 = arith.index_cast %v : i32 to index
      // expected-note @below {{the loop's end has no constant bound}}
      %n = arith.divsi %n0, %c4 : index
      %row = arith.muli %b, %c16 : index
      // expected-note @below {{loop mixing cube and vector ops}}
      tile.pipeline %k = %c0 to %n step %c1 stages(2) {
        %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        tile.store %e, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// A step read from data may be 0 or negative: no bound on the iterations.
func.func @data_step(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                     %o: memref<32x16xf32>, %steps: memref<2xi32>) {
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  tile.spmd 2 name("step") (%b) {
    // expected-error @below {{cannot split mixed scope 'step' into cube and vector scopes: the loop mixing cube and vector ops runs a number of iterations known only at run time, and no upper bound was found for it}}
    tile.at core_group {
      %t = tile.load %steps[%b] : memref<2xi32> -> !tile.tile<1x1xi32>
      %v = tile.get %t[%c0, %c0] : !tile.tile<1x1xi32>
      // expected-note @below {{the loop's step is not known to be at least 1}}
      %s = arith.index_cast %v : i32 to index
      %row = arith.muli %b, %c16 : index
      // expected-note @below {{loop mixing cube and vector ops}}
      tile.pipeline %k = %c0 to %c8 step %s stages(2) {
        %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        tile.store %e, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
      }
    }
  }
  return
}

// -----

// A mixing loop nested in a mixing loop: only one level is fissioned.
func.func @nested_mixed_loops(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                              %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  tile.spmd 1 name("nested") (%b) {
    // expected-error @below {{cannot split mixed scope 'nested' into cube and vector scopes: an op in the body of a loop mixing cube and vector ops mixes them itself; only one level of loop is split}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        // expected-note @below {{nested op mixing cube and vector ops}}
        %q = scf.for %j = %c0 to %c2 step %c1 iter_args(%acc2 = %acc) -> (!tile.tile<16x16xf32>) {
          %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
          %y = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
          %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
          %s = tile.add %acc2, %m : !tile.tile<16x16xf32>
          scf.yield %s : !tile.tile<16x16xf32>
        }
        scf.yield %q : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// An scf.if holding both the matmul and the vector op: not a loop, so
// there is nothing to fission.
func.func @if_mixes(%a: memref<16x32xbf16>, %w: memref<32x16xbf16>,
                    %o: memref<16x16xf32>, %c: i1) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("cond") (%b) {
    // expected-error @below {{cannot split mixed scope 'cond' into cube and vector scopes: this op holds both cube and vector ops and is not a loop that can be split into one loop per core kind}}
    tile.at core_group {
      // expected-note @below {{op mixing cube and vector ops}}
      scf.if %c {
        %x = tile.load %a[%c0, %c0] : memref<16x32xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%c0, %c0] : memref<32x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        tile.store %e, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
      }
    }
  }
  return
}

// -----

// The mixed loop also counts in an index iter_arg: only tiles are carried
// into the loop's per-kind copies.
func.func @loop_carries_index(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                              %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  tile.spmd 1 name("idx") (%b) {
    // expected-error @below {{cannot split mixed scope 'idx' into cube and vector scopes: the loop mixing cube and vector ops carries a value that is not a tile; only tiles are split between the loop's cube and vector copies}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-note @below {{loop mixing cube and vector ops}}
      %r:2 = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z, %n = %c0) -> (!tile.tile<16x16xf32>, index) {
        %x = tile.load %a[%c0, %c0] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%c0, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %s = tile.add %acc, %m : !tile.tile<16x16xf32>
        %n2 = arith.addi %n, %c1 : index
        scf.yield %s, %n2 : !tile.tile<16x16xf32>, index
      }
      tile.store %r#0, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----


// The cube loop also counts its iterations in an index iter_arg that the
// vector part uses: only tiles can be staged through GM.
func.func @index_crosses(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                         %o: memref<64x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("count") (%b) {
    // expected-error @below {{cannot split mixed scope 'count' into cube and vector scopes: a value that is not a tile crosses from one core kind's part to the other's; only tiles are staged through GM}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %r:2 = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z, %n = %c0) -> (!tile.tile<16x16xf32>, index) {
        %kk = arith.muli %k, %c32 : index
        %x = tile.load %a[%c0, %kk] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%kk, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul_acc %acc, %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %n2 = arith.addi %n, %c1 : index
        scf.yield %m, %n2 : !tile.tile<16x16xf32>, index
      }
      // The row computed from the count stays with the cube part (it only
      // consumes it) and is the value that crosses.
      // expected-note @below {{value defined here}}
      %row = arith.muli %r#1, %c32 : index
      %e = tile.exp %r#0 : !tile.tile<16x16xf32>
      // expected-note @below {{used here}}
      tile.store %e, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<64x16xf32>
    }
  }
  return
}

// -----

// Each iteration's product goes to %t, which the vector op reads back in
// the same iteration: the loop is fissioned, and all iterations of the cube
// copy would run before any of the vector copy. Here each iteration has its
// own row of %t, but the pass does not reason about slices and refuses any
// tensor the scope writes that two copies of a fissioned loop access.
func.func @gm_tensor_in_fissioned_loop(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                                       %t: memref<32x16xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("shared") (%b) {
    // expected-error @below {{cannot split mixed scope 'shared' into cube and vector scopes: a GM tensor it writes is accessed by two copies of the loop it fissions, which run one after the other}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      %r = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %kk = arith.muli %k, %c32 : index
        %row = arith.muli %k, %c16 : index
        %x = tile.load %a[%c0, %kk] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%kk, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        // expected-note @below {{access in one copy of the loop}}
        tile.store %m, %t[%row, %c0] : !tile.tile<16x16xf32>, memref<32x16xf32>
        // expected-note @below {{access in another copy}}
        %v = tile.load %t[%row, %c0] : memref<32x16xf32> -> !tile.tile<16x16xf32>
        %e = tile.exp %v : !tile.tile<16x16xf32>
        %n = tile.add %acc, %e : !tile.tile<16x16xf32>
        scf.yield %n : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// Two scopes in one tile.spmd: splitting the mixed one would reorder it
// with its vector neighbour.
func.func @spmd_holds_two_scopes(%a: memref<16x32xf16>, %w: memref<32x16xf16>,
                                 %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("pair") (%b) {
    // expected-error @below {{cannot split mixed scope 'pair' into cube and vector scopes: its tile.spmd holds other ops than the scope and pure scalar ops, which the split would have to order}}
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      %e = tile.exp %m : !tile.tile<16x16xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
    // expected-note @below {{this op}}
    tile.at vector {
      %v = tile.load %o[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
      %e = tile.exp %v : !tile.tile<16x16xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// No change when any scope fails: the vector-only scope before the failing
// one keeps its core_group kind and gets no remark.
func.func @nothing_changes_on_error(%a: memref<16x32xf32>, %w: memref<32x16xf16>,
                                    %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("fine") (%b) {
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %e = tile.exp %x : !tile.tile<16x32xf32>
      tile.store %e, %a[%c0, %c0] : !tile.tile<16x32xf32>, memref<16x32xf32>
    }
  }
  tile.spmd 1 name("bad") (%b) {
    // expected-error @below {{cannot split mixed scope 'bad'}}
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      %h = tile.cast %x none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %h, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      // The second cube part stores the product to %o, and the vector op
      // that reads it back runs in the first vector part, before it.
      // expected-note @below {{access run in a later part}}
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
      // expected-note @below {{access run in an earlier part}}
      %v = tile.load %o[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
      %e = tile.exp %v : !tile.tile<16x16xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// A mixed scope inside a loop of its tile.spmd: the split would have to
// split the loop too.
func.func @scope_in_a_loop(%a: memref<16x32xf16>, %w: memref<32x16xf16>,
                           %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  tile.spmd 1 name("looped") (%b) {
    scf.for %i = %c0 to %c2 step %c1 {
      // expected-error @below {{cannot split mixed scope 'looped' into cube and vector scopes: the tile.at is not directly in its tile.spmd}}
      tile.at core_group {
        %x = tile.load %a[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
        %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        tile.store %e, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
      }
    }
  }
  return
}
