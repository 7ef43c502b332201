"""tessel.compiler.stats on hand-written IR whose counts are worked out by
hand in the comments."""

from tessel.compiler.stats import schedule_stats
from tessel.mlir import ir

IR = """
module {
  func.func @k(%a: memref<64x256xf32>, %o: memref<64x256xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    %c16 = arith.constant 16 : index
    %c64 = arith.constant 64 : index
    %s = tile.alloc_gm name("scratch") : memref<64x256xf32>
    tile.spmd 4 name("first") (%b) {
      tile.at vector {
        %r = arith.muli %b, %c16 : index
        tile.pipeline %j = %c0 to %c4 step %c1 stages(2) {
          %col = arith.muli %j, %c64 : index
          %x = tile.load %a[%r, %col] : memref<64x256xf32> -> !tile.tile<16x64xf32>
          tile.store %x, %s[%r, %col] : !tile.tile<16x64xf32>, memref<64x256xf32>
        }
      }
    }
    tile.spmd 2 name("second") (%b) {
      tile.at vector {
        %t = arith.muli %b, %c64 : index
        %y = tile.load %s[%c0, %t] : memref<64x256xf32> -> !tile.tile<8x32xf32>
        %z = arith.cmpi eq, %b, %c0 : index
        scf.if %z {
          tile.store %y, %o[%c0, %t] : !tile.tile<8x32xf32>, memref<64x256xf32>
          tile.store %y, %o[%c16, %t] : !tile.tile<8x32xf32>, memref<64x256xf32>
        } else {
          tile.store %y, %o[%c0, %t] : !tile.tile<8x32xf32>, memref<64x256xf32>
        }
      }
    }
    return
  }
}
"""


def test_counts_follow_trip_counts_blocks_and_branches():
    with ir.Context():
        stats = schedule_stats(ir.Module.parse(IR))
    assert stats["scopes"] == 2
    assert stats["tasks"] == 4 + 2
    assert stats["gm_intermediates"] == 1
    # first: 4 blocks x 4 iterations x 16*64*4 B = 65536 B read, same written.
    # second: 2 blocks x 8*32*4 B = 2048 B read; the larger branch stores
    #         twice: 2 blocks x 2 x 1024 B = 4096 B written.
    assert stats["per_scope"]["first"] == {"blocks": 4, "gm_bytes_read": 65536,
                                           "gm_bytes_written": 65536}
    assert stats["per_scope"]["second"] == {"blocks": 2, "gm_bytes_read": 2048,
                                            "gm_bytes_written": 4096}
    assert stats["gm_bytes_read"] == 65536 + 2048
    assert stats["gm_bytes_written"] == 65536 + 4096
    assert stats["ub_peak_bytes"] == {}
