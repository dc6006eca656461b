"""A sheet's header: which column is which, by the names people give them.

``Student_Number``, ``student number``, ``STUDENT-NUMBER`` and ``studentnummer`` are one
column; ``E-mail``, ``email address`` and ``e-mailadres`` another. Names are compared
without case, spaces, ``_``, ``-`` and ``.``, in English and Dutch. A column the import
does not read is named (the import warns of it), never dropped in silence; two columns
that mean the same are refused, since either could be the one meant.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tracker.characters import shown
from tracker.errors import ImportRefused

# Every column any import reads, by the spellings it is known under (compared squeezed:
# lower case, without spaces, "_", "-" and ".").
SPELLINGS: dict[str, tuple[str, ...]] = {
    "student number": ("studentnumber", "studentnummer", "studentnr", "studentno",
                       "snummer", "student", "leidenstudentnumber"),
    "name": ("name", "naam", "fullname", "volledigenaam", "studentname", "studentnaam"),
    "first name": ("firstname", "voornaam", "givenname", "roepnaam"),
    "last name": ("lastname", "achternaam", "surname", "familyname", "familienaam"),
    "email": ("email", "emailaddress", "emailadres", "mail", "mailadres", "emailadress"),
    "start": ("start", "startmonth", "startmaand", "startdate", "startdatum", "begin",
              "beginmaand", "intake", "instroom", "instroommaand"),
    "specialisation": ("specialisation", "specialization", "specialisatie", "track"),
    "section": ("section", "sections", "sectie", "secties", "group", "groep"),
    "orgdefinedid": ("orgdefinedid",),
    "username": ("username", "gebruikersnaam"),
    "end-of-line indicator": ("endoflineindicator",),
    "kind": ("kind", "type", "soort", "activitykind", "activitytype", "soortactiviteit"),
    "date": ("date", "datum", "day", "dag"),
    "title": ("title", "titel", "activitytitle", "onderwerp"),
    "location": ("location", "locatie", "place", "plaats", "room", "zaal", "lokaal"),
    "organiser": ("organiser", "organizer", "organisator", "organisatie", "organisation",
                  "organization"),
    "activity id": ("activityid", "activity", "activiteit", "activiteitid",
                    "activiteitnummer", "activitynumber"),
    "status": ("status",),
    "note": ("note", "notes", "notitie", "notities", "opmerking", "opmerkingen", "comment",
             "comments"),
    "assignment": ("assignment", "assignmentnumber", "opdracht", "opdrachtnummer",
                   "reflection", "reflectie"),
    "feedback": ("feedback", "terugkoppeling"),
}
_COLUMN_OF = {spelling: column for column, spellings in SPELLINGS.items()
              for spelling in spellings}
HEADER_NAMES_SHOWN = 12


def squeezed(name: str) -> str:
    return "".join(c for c in name.replace("\ufeff", "").lower()
                   if c not in " _-.\t\u00a0")


def column_of(name: str) -> str | None:
    """The column a header name means, or None for one no import reads."""
    return _COLUMN_OF.get(squeezed(name))


class Header:
    """The columns of a file's header, found by name; ``known`` are the ones the import
    reads (any other is in :attr:`unknown`, as written)."""

    def __init__(self, file: str, names: Sequence[str], known: Collection[str]) -> None:
        self.file = file
        self.names = list(names)
        self.index: dict[str, int] = {}
        self.unknown: list[str] = []
        for at, written in enumerate(self.names):
            column = column_of(written)
            if column is None or column not in known:
                if written.strip():
                    self.unknown.append(written.strip())
                continue
            if column in self.index:
                first = self.names[self.index[column]].strip()
                raise ImportRefused(
                    f"{file}: line 1: the header has '{shown(first)}' and "
                    f"'{shown(written.strip())}', both the column {column}: keep one of them")
            self.index[column] = at

    def __contains__(self, column: str) -> bool:
        return column in self.index

    def position(self, column: str) -> int | None:
        return self.index.get(column)

    def get(self, values: Sequence[str], column: str) -> str:
        """A line's field of ``column``, trimmed; '' where the header has no such column."""
        at = self.index.get(column)
        return "" if at is None else values[at].strip()

    def require(self, columns: Sequence[str], expected: str) -> None:
        missing = [c for c in columns if c not in self.index]
        if missing:
            raise ImportRefused(
                f"{self.file}: line 1: missing column(s) {', '.join(missing)}; expected a "
                f"header {expected} (found: {self.described()})")

    def described(self) -> str:
        """The header as written, as a message may show it."""
        listed = [shown(n.strip(), 40) for n in self.names[:HEADER_NAMES_SHOWN]]
        more = len(self.names) - HEADER_NAMES_SHOWN
        return ", ".join(listed) + (f" and {more:,} more" if more > 0 else "")
