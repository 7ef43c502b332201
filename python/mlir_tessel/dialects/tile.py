"""The tile dialect: generated op classes and enums, plus small builders."""

from ._tile_ops_gen import *  # noqa: F401,F403
from ._tile_ops_gen import _Dialect  # noqa: F401
from ._tile_enum_gen import *  # noqa: F401,F403
from .._mlir_libs._tessel import TileType, PlaceAttr  # noqa: F401
