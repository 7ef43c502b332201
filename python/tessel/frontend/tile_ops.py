"""The tile dialect's op classes and enums, as the frontend uses them.

The frontend builds ops with the ODS-generated classes (`_tile_ops_gen`)
and creates region bodies itself, so it does not depend on the convenience
builders `tessel.mlir.dialects.tile` layers on top of them. Tile types are
cached per (shape, element type): the frontend checks shapes and element
types before it asks for a type.
"""

from __future__ import annotations

import sys

from ..mlir._mlir_libs._tessel import TileType
from ..mlir.dialects._tile_enum_gen import (CmpMode, CoreKind,  # noqa: F401
                                            MaskPattern, PadValue, RoundMode)
from ..mlir.dialects._tile_ops_gen import *  # noqa: F401,F403


def _raw_tile_type_get():
    """TileType.get without the verifying wrapper the dialect module may
    install (it round-trips through the type parser)."""
    dialect_module = sys.modules.get("tessel.mlir.dialects.tile")
    unchecked = getattr(dialect_module, "_unchecked_tile_type_get", None)
    return unchecked or TileType.get


def tile_type(shape, element_type):
    return _raw_tile_type_get()(list(shape), element_type)
