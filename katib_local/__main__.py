"""``python -m katib_local`` is ``katib-local``."""

from katib_local.cli import main

raise SystemExit(main())
