// RUN: tessel-opt %s -split-input-file -verify-diagnostics

// A tile.pipeline whose iter_args initial value is defined inside its own
// body parsed and then crashed the tile.at verifier (issue 17): the value
// is a parser placeholder outside any region. Swapping a `tile.full` with
// the `tile.pipeline` line after it, as the fuzzed DSV4 a5 IR did, gives
// exactly this. It is now an error, as for scf.for.

func.func @init_defined_in_body(%a: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  tile.spmd 1 (%b) {
    tile.at vector {
      // expected-error @below {{operation's operand is unlinked}}
      %r = tile.pipeline %i = %c0 to %c4 step %c1 stages(2) iter_args(%acc = %z) -> (!tile.tile<16x16xf32>) {
        %z = tile.full 0.0 : !tile.tile<16x16xf32>
        %x = tile.load %a[%c0, %c0] : memref<16x16xf32> -> !tile.tile<16x16xf32>
        %s = tile.add %acc, %x : !tile.tile<16x16xf32>
        tile.yield %s : !tile.tile<16x16xf32>
      }
      tile.store %r, %a[%c0, %c0] : !tile.tile<16x16xf32>, memref<16x16xf32>
    }
  }
  return
}
