"""The `ajour` command.

`ajour quote` and `ajour rules` run the pure rules engine without starting Django, so they start fast
and work without a database. Every other command is a Django management command, e.g. `ajour demo load`,
`ajour stats`, `ajour report`, `ajour migrate` (`ajour manage <command>` works too).
"""

from __future__ import annotations

import os
import sys

DEFAULT_SETTINGS = "ajour.settings.production"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else argv)
    command = args[1] if len(args) > 1 else "help"
    if command == "quote":
        from ajour.rules.cli import run_quote

        return run_quote(args[2:])
    if command == "rules":
        from ajour.rules.cli import run_rules

        return run_rules(args[2:])
    if command == "manage":
        args = args[:1] + args[2:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ajour", *args[1:]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
