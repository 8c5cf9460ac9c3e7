"""`python -m geodata`: validate, list and export the catalog (and more, see --help).

Every failure a user can cause ends in one line on stderr and a non-zero exit
code; a traceback is shown only with GEODATA_DEBUG=1.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
import warnings

from geodata import settings
from geodata.cli import (
    candidate_cmds,
    catalog_cmds,
    changes_cmds,
    company_cmds,
    db_cmds,
    edit_cmds,
    find_cmds,
    import_cmds,
    score_cmds,
    shortlist_cmds,
)
from geodata.cli.wording import cli_message, exit_code
from geodata.problems import CatalogError, UsageError, UserError, one_line

COMMAND_MODULES = [
    catalog_cmds,
    changes_cmds,
    edit_cmds,
    company_cmds,
    shortlist_cmds,
    import_cmds,
    score_cmds,
    find_cmds,
    candidate_cmds,
    db_cmds,
]


class Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one line (UsageError) instead of usage + exit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A bounding box west of Greenwich starts with '-': `--bbox -112.8,33.5,-111.6,34.3`
        # must read as a value, not as an unknown flag.
        self._negative_number_matcher = re.compile(r"^-\d[-\d.,]*$")

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> Parser:
    parser = Parser(prog="geodata", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    with warnings.catch_warnings():
        if not settings.debug():  # a library's warning would be a second line, and says nothing a user can act on
            warnings.simplefilter("ignore")
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args) or 0
    except UserError as exc:
        print(f"error: {one_line(cli_message(exc))}", file=sys.stderr)
        return exit_code(exc)
    except CatalogError as exc:
        print(
            f"error: the catalog is invalid ({len(exc.problems)} problem(s)); "
            "run `python -m geodata validate` to list them",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line unless debugging
        if settings.debug():
            traceback.print_exc()
        else:
            print(
                f"error: unexpected {type(exc).__name__}: {one_line(str(exc))} (set GEODATA_DEBUG=1 for a traceback)",
                file=sys.stderr,
            )
        return 1


def entry() -> None:
    """The `geodata` console script."""
    sys.exit(main())
