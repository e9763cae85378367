from __future__ import annotations

from recast_reana.cli import main

raise SystemExit(main())
