"""Live plane feature: plugins (being built for issue 6; see /tmp/rtk-plan/contract.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .edge import Handler, LivePlane

__all__ = ["LivePlugins"]


class LivePlugins:
    """Placeholder until the feature lands."""

    def __init__(self, plane: LivePlane) -> None:
        self.plane = plane

    def handlers(self) -> dict[int, Handler]:
        """Socket request handlers of this feature, by event number."""
        return {}
