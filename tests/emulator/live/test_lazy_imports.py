"""The live plane's heavy dependencies load on the first socket, not when the emulator app is built."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_building_the_emulator_mounts_the_live_plane_without_importing_aiortc_av_or_protobuf() -> None:
    script = textwrap.dedent(
        """
        import sys
        from realtimekit_mcp.emulator import EmulatorConfig, create_app
        app = create_app(EmulatorConfig())
        assert {"/ws", "/iceservers", "/v2/internals/participant-details"} <= {r.path for r in app.routes}
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
