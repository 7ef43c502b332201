"""`pl.tile`: tile-level names of the `pl` surface (`pl.tile.MaskPattern`)."""

from .types import MaskPattern

__all__ = ["MaskPattern"]
