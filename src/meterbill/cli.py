"""The ``meterbill`` console script: Django's management commands under one name.

Commands are spelt with hyphens on the command line (``meterbill import-readings``)
and with underscores as Django modules (``import_readings``). A user never sees a
traceback: an unexpected error prints one line and the traceback goes to
``var/log/meterbill-errors.log`` (or to the terminal with ``--traceback``).
"""

from __future__ import annotations

import datetime
import os
import sys
import traceback
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meterbill.settings")
    from django.core.management import execute_from_command_line

    if "--traceback" in argv:
        execute_from_command_line(argv)
        return
    try:
        execute_from_command_line(argv)
    except KeyboardInterrupt:
        sys.stderr.write("meterbill: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # the last line of defence: one line, log the rest
        log = _log_traceback()
        sys.stderr.write(
            f"meterbill: unexpected error: {type(exc).__name__}: {exc} "
            f"(details in {log}; run again with --traceback to see them here)\n"
        )
        sys.exit(2)


def _log_traceback() -> Path:
    folder = Path(os.environ.get("METERBILL_HOME", Path.cwd())) / "var" / "log"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "meterbill-errors.log"
    with path.open("a", encoding="utf-8") as f:
        f.write(
            f"--- {datetime.datetime.now(datetime.UTC).isoformat()} "
            f"{' '.join(sys.argv)}\n"
        )
        f.write(traceback.format_exc())
    return path


if __name__ == "__main__":
    main()
