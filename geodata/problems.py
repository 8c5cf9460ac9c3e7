"""Problems found in data: where (file, record, field) and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


def one_line(text: str) -> str:
    """`text` with every control character (newline, tab, escape...) shown as an escape: a message stays one line."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        # one line whatever a record id holds: a newline in an id must not forge a second problem
        return one_line(f"{self.file}: {self.record}: {self.field}: {self.message}")


class CatalogError(Exception):
    """The catalog could not be loaded; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the catalog; first: {problems[0]}")


class UserError(Exception):
    """Bad input from a user: the message says what was wrong and what to do."""


class SettingError(UserError):
    """An environment setting holds a value the code cannot use."""

    def __init__(self, name: str, value: str, expected: str):
        self.name, self.value, self.expected = name, value, expected
        super().__init__(f"{name}={value[:80]!r} is not usable: expected {expected}")


class UnknownId(UserError):
    """An id that names no site or parcel.

    `suggestions` are close catalog ids; `found` is what the id names instead
    (an investment, say), if anything; `where` is the folder searched for a parcel.
    """

    def __init__(
        self, rid: str, kind: str, suggestions: list[str] | None = None, found: str | None = None, where: str = ""
    ):
        self.rid, self.kind, self.found, self.where = rid, kind, found, where
        self.suggestions = list(suggestions or ())
        if found:
            text = f"{rid!r} is an {found}, not a {kind}"
        elif where:
            text = f"unknown {kind} {rid!r}: nothing in {where} holds it"
        else:
            hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
            text = f"unknown {kind} {rid!r}{hint}"
        super().__init__(text)


# Typed user errors. Each keeps what went wrong (`problem`, and the data behind it) apart from what to
# do about it, because only the front end knows its own controls: the CLI says `--layer`, the app shows
# a list to choose from. `str(exc)` is a complete sentence that names no control, for front ends that
# only print it. Front ends pick their wording by type, never by reading the message.


_CHOICE_NOUNS = {"layer": ("layer", "layers"), "member": ("dataset", "datasets"), "format": ("format", "formats")}
_NARROWER = {
    "bbox": "a smaller area of interest",
    "keep": "fewer kept values",
    "where": "a narrower attribute filter",
    "page_size": "smaller pages",
}


def _listed(items, limit: int) -> str:
    shown = ", ".join(str(i) for i in items[:limit])
    return shown + (", …" if len(items) > limit else "")


class UsageError(UserError):
    """A command line that cannot be parsed (unknown flag, missing argument)."""


class ChoiceNeeded(UserError):
    """The input holds several of a kind and the user must choose one, or chose one it does not hold.

    `what`: "layer" (of a multi-layer file), "member" (a dataset inside a zip) or "format" (of an
    output file); `choices`: the names to choose from; `given`: a choice that is not among them.
    """

    def __init__(self, subject: str, what: str, choices, given: str | None = None):
        self.subject, self.what, self.choices, self.given = subject, what, tuple(choices), given
        one, many = _CHOICE_NOUNS.get(what, (what, what + "s"))
        listed = _listed(self.choices, 12)
        if what == "format":
            self.problem = f"cannot tell the format from {subject!r} ({many}: {listed})"
        elif given is not None:
            self.problem = f"{subject} has no {one} {given!r} ({many}: {listed})"
        else:
            self.problem = f"{subject} has {len(self.choices)} {many} ({listed})"
        super().__init__(f"{self.problem}; choose one")


class LimitExceeded(UserError):
    """An input is bigger than a limit allows.

    `what` names the limit: a field of geodata.importers.limits.Limits ("max_file_bytes",
    "max_features", ...), or "server_page" for a server that cannot page past one page. `limit` and
    `actual` are in its unit (bytes, features, ...); `actual` is None where only "more" is known.
    `fixes` are the inputs a user can change: "limit" (raise it), "bbox" (a smaller area of interest),
    "where" (a narrower attribute filter), "page_size" (smaller pages).
    """

    def __init__(self, what: str, limit: float, actual: float | None, *, problem: str, fixes=("limit",)):
        self.what, self.limit, self.actual, self.problem, self.fixes = what, limit, actual, problem, tuple(fixes)
        super().__init__(self.worded(_NARROWER, "raise the limit"))

    def worded(self, narrower: dict[str, str], raise_limit: str | None) -> str:
        """The problem and its fixes, in a front end's words for each input (None: no way to raise it)."""
        ways = [narrower[f] for f in self.fixes if f != "limit" and f in narrower]
        fixes = [f"use {' or '.join(ways)}"] if ways else []
        if "limit" in self.fixes and raise_limit:
            fixes.append(raise_limit)
        return self.problem + (f"; {', or '.join(fixes)}" if fixes else "")


class CrsNeeded(UserError):
    """The data's coordinate reference system is missing, or plainly wrong, and is never guessed.

    `file_fix`: a fix in the file itself (e.g. "add its .prj file"); `example`: a CRS that may fit;
    `wrong`: the data declares a CRS its coordinates contradict.
    """

    def __init__(
        self, subject: str, problem: str, *, file_fix: str | None = None, example: str | None = None, wrong=False
    ):
        self.subject, self.problem, self.file_fix, self.example, self.wrong = subject, problem, file_fix, example, wrong
        remedy = f"give {'the right' if wrong else 'its'} CRS" + (f" (e.g. {example})" if example else "")
        super().__init__(f"{problem}; " + (f"{file_fix}, or {remedy}" if file_fix else remedy))


class NotPolygons(UserError):
    """Polygons were required and the source holds another kind of geometry (`found`)."""

    def __init__(self, subject: str, found: str):
        self.subject, self.found = subject, found
        self.problem = f"{subject} holds {found} features, not polygons"
        super().__init__(f"{self.problem}; allow other geometry types to import them anyway")


class InvalidValue(UserError):
    """A value given for an input is unusable; `field` names the input as the library calls it.

    Field names are parameter names ("bbox", "state", "page_size", "weights"), so a front end can
    map them to its own control; `label` is the neutral name used in `str(exc)`.
    """

    def __init__(self, field: str, value, reason: str, *, label: str | None = None):
        self.field, self.value, self.reason = field, value, reason
        self.label = label or field.replace("_", " ")
        super().__init__(f"{self.label}: {reason}")


class SourceNeeded(UserError):
    """A catalog change was asked for without naming the source that reports it."""

    def __init__(self, action: str):
        self.action = action
        self.problem = f"{action} needs a source"
        super().__init__(f"{self.problem}: name the id of a source in sources.csv (add the source first if it is new)")


class EditRejected(UserError):
    """A catalog change would leave the catalog invalid, so nothing was written.

    `problems` lists every problem the change would cause; the message is the first one,
    naming the field and (for a controlled value) the allowed values.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        where = f"{first.record}: " if first.record not in ("-", "") else ""
        super().__init__(f"{where}{first.field}: {first.message}{more}; nothing was written")
