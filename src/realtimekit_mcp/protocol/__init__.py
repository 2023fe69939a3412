"""The RealtimeKit socket-edge protocol: .proto files, generated modules and pure helpers.

* ``*.proto`` (hand-written, wire format of ``@cloudflare/realtimekit`` 2.0.2) and the generated
  ``*_pb2.py``/``*_pb2.pyi`` next to them: regenerate with ``python scripts/gen_protocol.py``.
* :mod:`.events`: event numbers and which message each event carries (pure Python).
* :mod:`.framing`: ``message.v1.SocketMessage`` encode/decode and the ``"2"``/``"3"`` keep-alive.
* :mod:`.messages`: generated classes by proto name.

Importing this package imports nothing; protobuf loads with :mod:`.framing` or :mod:`.messages`
(it is the ``bot`` extra).
"""
