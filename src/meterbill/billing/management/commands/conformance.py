"""``meterbill conformance --corpus DIR [--json]``: the product's own readers and
engines against files written by others; exits 1 if any set is below its floor."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from meterbill.conformance.runner import SETS, run_all


class Command(BaseCommand):
    help = "Run the conformance checks against a corpus directory."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--corpus", default=str(settings.CORPUS_DIR))
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument("--set", action="append", choices=sorted(SETS))
        parser.add_argument(
            "--failures",
            type=int,
            default=10,
            help="failures to list per set (default 10)",
        )

    def handle(self, *args, **opts) -> None:
        corpus = Path(opts["corpus"])
        if not corpus.is_dir():
            raise CommandError(f"{corpus}: no such corpus directory")
        results = run_all(corpus, opts["set"])
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    [{**r.as_dict(), "seconds": round(s, 2)} for r, s in results],
                    indent=2,
                )
            )
        else:
            for r, seconds in results:
                mark = "ok  " if r.meets_floor else "FAIL"
                self.stdout.write(
                    f"{mark} {r.name:<10} {r.passed:>4} / {r.total:<4} passed "
                    f"(floor {r.floor}, {seconds:.1f} s)"
                )
                for failure in r.failures[: opts["failures"]]:
                    self.stdout.write(f"       {failure}")
                if len(r.failures) > opts["failures"]:
                    self.stdout.write(
                        f"       … {len(r.failures) - opts['failures']} more"
                    )
                # Cases that pass, where the file or the reference tool breaks a
                # rule of the standard: shown, with the rule, so nobody mistakes
                # them for our errors or theirs for ours.
                for finding in r.findings:
                    self.stdout.write(f"       finding: {finding}")
        below = [r.name for r, _s in results if not r.meets_floor]
        if below:
            raise CommandError(f"below the floor: {', '.join(below)}")
