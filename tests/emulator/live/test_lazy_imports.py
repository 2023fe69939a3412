"""The live plane's heavy dependencies load on the first socket, not when the emulator app is built."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_building_the_emulator_with_live_routes_imports_no_aiortc_av_or_protobuf() -> None:
    script = textwrap.dedent(
        """
        import sys
        from realtimekit_mcp.emulator import EmulatorConfig, create_app
        from realtimekit_mcp.emulator.routes.client_api import live_routes
        create_app(EmulatorConfig(), extra_routes=live_routes())
        heavy = sorted(
            name for name in sys.modules
            if name.split(".")[0] in {"aiortc", "av", "aioice"} or name.startswith("google.protobuf")
            or name in {"realtimekit_mcp.emulator.edge", "realtimekit_mcp.emulator.sfu"}
        )
        print(",".join(heavy))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
