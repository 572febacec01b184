"""Models of the grid organisation's side of the map, one module per concept."""

from grid.models.assets import AssetCapacity, AssetKind, AssetSource, GridAsset
from grid.models.branches import Branch, RoutingMethod, Territory

__all__ = [
    "AssetCapacity",
    "AssetKind",
    "AssetSource",
    "Branch",
    "GridAsset",
    "RoutingMethod",
    "Territory",
]
