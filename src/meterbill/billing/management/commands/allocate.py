"""``meterbill allocate --scenario FILE.json``: one building's split from a scenario
file, printed as JSON; the same engine code as the bill run (docs/allocation.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from meterbill.engine.scenario import ScenarioError, run_scenario


class Command(BaseCommand):
    help = "Split a building's costs over its apartments from a scenario JSON file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--scenario", required=True, help="scenario JSON file")

    def handle(self, *args, **opts) -> None:
        path = Path(opts["scenario"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        try:
            # Numbers become Decimal straight from their text: no float on the way.
            data = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path}:{exc.lineno}: column {exc.colno}: invalid JSON: {exc.msg}"
            ) from exc
        try:
            result = run_scenario(data)
        except ScenarioError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str))
