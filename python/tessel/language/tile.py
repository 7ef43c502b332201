"""`pl.tile`: tile-level names of the `pl` surface (`pl.tile.MaskPattern`,
`pl.tile.get_block_idx`)."""

from .tasks import get_block_idx
from .types import MaskPattern

__all__ = ["MaskPattern", "get_block_idx"]
