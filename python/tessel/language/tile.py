"""`pl.tile`: tile-level names of the `pl` surface (`pl.tile.MaskPattern`)."""

from .types import MaskPattern

__all__ = ["MaskPattern"]


def _add_unsupported():
    from .surface import unsupported_names
    g = globals()
    for name, obj in unsupported_names("tile.").items():
        g.setdefault(name, obj)


_add_unsupported()
