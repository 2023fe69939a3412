"""``python -m realtimekit_mcp`` runs the command line."""

from realtimekit_mcp.cli import main

raise SystemExit(main())
