//===- TileOps.td - Python bindings of the tile dialect ----*- tablegen -*-===//
//
// Part of Tessel. Wrapper that tells the Python op generator where the tile
// dialect's ODS lives; the generated module is tessel.mlir.dialects._tile_ops_gen.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_PYTHON_TILEOPS_TD
#define TESSEL_PYTHON_TILEOPS_TD

include "tile/TileOps.td"

#endif // TESSEL_PYTHON_TILEOPS_TD
