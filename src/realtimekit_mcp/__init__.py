"""realtimekit-mcp: an MCP server for Cloudflare RealtimeKit, with an embedded RealtimeKit emulator.

Heavy parts (the emulator, aiortc, speech engines) are imported lazily by the modules that need
them; importing this package costs almost nothing.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
