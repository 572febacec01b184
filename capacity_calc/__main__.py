"""``python -m capacity_calc FILE [--json]``: see :mod:`capacity_calc.cli`."""

from .cli import main

raise SystemExit(main())
