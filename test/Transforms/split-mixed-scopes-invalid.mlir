// RUN: tessel-opt %s -split-input-file -tile-split-mixed-scopes -verify-diagnostics

// Mixed scopes that tile-split-mixed-scopes cannot split on a2a3. Each is an
// error at the scope saying why, and the IR is left as it was.

// A loop holding both the matmul and the vector op that consumes its result
// every iteration: the cube -> vector dependence is inside the loop, so a
// split would need one GM round trip per iteration.
func.func @loop_mixes_cube_and_vector(%a: memref<16x64xbf16>, %w: memref<64x16xbf16>,
                                      %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c32 = arith.constant 32 : index
  tile.spmd 1 name("mixed_loop") (%b) {
    // expected-error @below {{cannot split mixed scope 'mixed_loop' into cube and vector scopes on a2a3: this op holds both cube and vector ops, so the cube -> vector dependence would be carried across the split; put the cube and vector work in separate loops}}
    tile.at core_group {
      %z = tile.full 0.0 : !tile.tile<16x16xf32>
      // expected-note @below {{op mixing cube and vector ops}}
      %r = scf.for %k = %c0 to %c2 step %c1 iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %kk = arith.muli %k, %c32 : index
        %x = tile.load %a[%c0, %kk] : memref<16x64xbf16> -> !tile.tile<16x32xbf16>
        %y = tile.load %w[%kk, %c0] : memref<64x16xbf16> -> !tile.tile<32x16xbf16>
        %m = tile.matmul %x, %y : !tile.tile<16x32xbf16>, !tile.tile<32x16xbf16> -> !tile.tile<16x16xf32>
        %e = tile.exp %m : !tile.tile<16x16xf32>
        %n = tile.add %acc, %e : !tile.tile<16x16xf32>
        scf.yield %n : !tile.tile<16x16xf32>
      }
      tile.store %r, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}

// -----

// The matmul's lhs is made by a vector op (a cast to f16): vector -> cube,
// which is not staged.
func.func @cube_depends_on_vector(%a: memref<16x32xf32>, %w: memref<32x16xf16>,
                                  %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("cast_mm") (%b) {
    // expected-error @below {{cannot split mixed scope 'cast_mm' into cube and vector scopes on a2a3: a cube op depends on the result of a vector op; only cube -> vector dependences are staged through GM}}
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf32> -> !tile.tile<16x32xf32>
      // expected-note @below {{vector op}}
      %h = tile.cast %x none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      // expected-note @below {{cube-side op using it}}
      %m = tile.matmul %h, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
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
    // expected-error @below {{cannot split mixed scope 'count' into cube and vector scopes on a2a3: a value that is not a tile crosses from the cube part to the vector part; only tiles are staged through GM}}
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
      tile.store %e, %o[%row, %c0] : !tile.tile<16x16xf32>, memref<64x16xf32>
    }
  }
  return
}

// -----

// The cube part stores its product to %t and the vector part reads %t back
// in the same block: after the split every block's cube part would run
// before any block's vector part, which is still right here, but the pass
// does not reason about slices and refuses any GM tensor written by one
// part and accessed by the other.
func.func @gm_tensor_shared(%a: memref<16x32xf16>, %w: memref<32x16xf16>,
                            %t: memref<16x16xf32>, %o: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  tile.spmd 1 name("shared") (%b) {
    // expected-error @below {{cannot split mixed scope 'shared' into cube and vector scopes on a2a3: its cube and vector parts access a GM tensor that one of them writes, and the split would run every block's cube part before any block's vector part}}
    tile.at core_group {
      %x = tile.load %a[%c0, %c0] : memref<16x32xf16> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      %m = tile.matmul %x, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      // expected-note @below {{write}}
      tile.store %m, %t[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
      // expected-note @below {{access by the other part}}
      %v = tile.load %t[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
      %e = tile.exp %v : !tile.tile<16x16xf32>
      tile.store %e, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
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
    // expected-error @below {{cannot split mixed scope 'pair' into cube and vector scopes on a2a3: its tile.spmd holds other ops than the scope and pure scalar ops, which the split would have to order}}
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
      // expected-note @below {{vector op}}
      %h = tile.cast %x none : !tile.tile<16x32xf32> -> !tile.tile<16x32xf16>
      %y = tile.load %w[%c0, %c0] : memref<32x16xf16> -> !tile.tile<32x16xf16>
      // expected-note @below {{cube-side op using it}}
      %m = tile.matmul %h, %y : !tile.tile<16x32xf16>, !tile.tile<32x16xf16> -> !tile.tile<16x16xf32>
      tile.store %m, %o[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
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
      // expected-error @below {{cannot split mixed scope 'looped' into cube and vector scopes on a2a3: the tile.at is not directly in its tile.spmd}}
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
