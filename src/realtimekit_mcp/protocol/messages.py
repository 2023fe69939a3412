"""Look up the generated message classes by their proto names (``"media.edge.PeerJoinRequest"``).

Importing this module imports every generated ``*_pb2`` module of the package (protobuf included),
so the bot and the emulator import it only when they need it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Final

from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

__all__ = ["GENERATED_MODULES", "all_message_descriptors", "message_class"]

GENERATED_MODULES: Final = (
    "socket_message_pb2",
    "common_pb2",
    "media_pb2",
    "media_edge_pb2",
    "room_pb2",
    "chat_pb2",
    "ai_pb2",
    "api_pb2",
    "plugin_pb2",
    "livestreaming_pb2",
    "polls_pb2",
)
"""The generated modules of ``realtimekit_mcp.protocol``, dependencies first."""


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(importlib.import_module(f"realtimekit_mcp.protocol.{name}") for name in GENERATED_MODULES)


def all_message_descriptors() -> Iterator[Descriptor]:
    """Every top-level message type the project's .proto files declare."""
    for module in _modules():
        yield from module.DESCRIPTOR.message_types_by_name.values()


@cache
def _by_name() -> dict[str, Descriptor]:
    return {descriptor.full_name: descriptor for descriptor in all_message_descriptors()}


def message_class(full_name: str) -> type[Message]:
    """The generated class of a message type, by its proto name.

    Raises:
        KeyError: if no .proto file of this package declares that message.
    """
    try:
        descriptor = _by_name()[full_name]
    except KeyError:
        raise KeyError(f"no protocol message named {full_name!r}") from None
    return GetMessageClass(descriptor)
