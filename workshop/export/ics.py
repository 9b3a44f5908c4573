"""Action items with due dates as to-dos and the cadence as recurring events (iCalendar).

The calendar, its header and the meetings are built with icalendar. The to-dos, one per
dated action item and up to 10,000 of them, are written line by line with icalendar's own
value encoders and line folding (`vText`, `vDDDTypes`, `Contentline`): building a
component per item took about 2 s for 10,000 items, the writer well under the 1 s budget,
and tests/test_export_formats.py proves its bytes equal icalendar's for every item.

The output depends on the session only: UIDs come from row ids and DTSTAMP from the
workshop date, never from the clock, so exporting twice gives the same bytes. Meeting
times are floating local times (a meeting at 09:00 is at 09:00 wherever it is opened).
User text holds no raw control character: a one-line field (a title, a name) shows a control
by its stand-in (see `workshop.text.terminal_safe`), a description keeps its line breaks.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from icalendar import Calendar, Event, vDDDTypes, vRecur, vText
from icalendar.parser import Contentline

from workshop.text import terminal_safe

PRODID = "-//Alignment Workshop//Action plan//EN"
UID_DOMAIN = "alignment-workshop"
TODO_STATUS = {
    "open": "NEEDS-ACTION",
    "in progress": "IN-PROCESS",
    "blocked": "IN-PROCESS",
    "done": "COMPLETED",
}
# RFC 5545: 1 is the highest priority, 9 the lowest, 0 undefined.
TODO_PRIORITY = {"critical": 1, "high": 3, "medium": 5, "low": 9}
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _text(value: str) -> str:
    """Text with every line break as LF (icalendar escapes it as `\\n`) and no other control."""
    return terminal_safe(value.replace("\r\n", "\n").replace("\r", "\n"), keep_newlines=True)


def _line(value: str) -> str:
    """One-line text: a line break or any other control shown by its stand-in.

    Also what keeps an unescaped property (X-WR-CALNAME) from breaking its content line.
    """
    return terminal_safe(value)


def _todo_values(item: dict[str, Any], stamp: dt.datetime, title: str) -> list[tuple[str, Any]]:
    """The to-do's properties and their values, in icalendar's order (alphabetical)."""
    lines = [item["description"]] if item["description"] else []
    if item["owner"]:
        lines.append(f"Owner: {_line(item['owner'])}")
    if item["serves"]:
        lines.append("Serves: " + "; ".join(map(_line, item["serves"])))
    lines.append(f"From the workshop: {_line(title)}")
    categories = [item["category"], item["team"]]
    if item["status"] == "blocked":
        categories.append("blocked")
    values: list[tuple[str, Any]] = [("categories", categories)]
    if item["status"] == "done" and item["done_at"]:
        done = dt.datetime.fromisoformat(item["done_at"])  # RFC 5545: COMPLETED is in UTC
        done = done.astimezone(dt.UTC) if done.tzinfo else done.replace(tzinfo=dt.UTC)
        values.append(("completed", done))
    values += [
        ("description", _text("\n".join(lines))),
        ("dtstamp", stamp),
        ("due", dt.date.fromisoformat(item["due"])),
        ("priority", TODO_PRIORITY[item["priority"]]),
        ("status", TODO_STATUS[item["status"]]),
        ("summary", _line(item["title"])),
        ("uid", f"action-{item['id']}@{UID_DOMAIN}"),
    ]
    return values


FOLD_OCTETS = 75
"""icalendar folds a content line of this many octets or more (RFC 5545: at most 75)."""


def _content_line(name: str, value: str) -> str:
    """`NAME:value`, folded as icalendar folds it when it is long."""
    line = f"{name}:{value}"
    if len(line) * 4 < FOLD_OCTETS or len(line.encode("utf-8")) < FOLD_OCTETS:
        return line
    folded: bytes = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
    return folded.decode("utf-8")


@lru_cache(maxsize=512)
def _encoded(value: str | dt.date) -> str:
    """A repeated value (a category, a stamp, a due date) encoded once by icalendar."""
    if isinstance(value, str):
        return str(vText(value).to_ical().decode("utf-8"))
    return str(vDDDTypes(value).to_ical().decode("utf-8"))


def _todo_text(item: dict[str, Any], stamp: dt.datetime, title: str) -> str:
    """The VTODO of one action item, byte for byte what icalendar writes for a `Todo` of
    the same `_todo_values` (tests/test_export_formats.py holds it to that)."""
    lines = ["BEGIN:VTODO"]
    for name, value in _todo_values(item, stamp, title):
        if name == "categories":
            line = _content_line("CATEGORIES", ",".join(_encoded(c) for c in value))
        elif name == "priority":
            line = f"PRIORITY:{value}"
        elif name == "due":
            line = _content_line("DUE;VALUE=DATE", _encoded(value))
        elif name in ("dtstamp", "completed"):
            line = _content_line(name.upper(), _encoded(value))
        else:  # description, status, summary, uid: text
            line = _content_line(name.upper(), vText(value).to_ical().decode("utf-8"))
        lines.append(line)
    lines.append("END:VTODO")
    return "\r\n".join(lines) + "\r\n"


def _rule(meeting: dict[str, Any]) -> vRecur:
    day = _BYDAY[meeting["weekday_number"]]
    if meeting["frequency"] == "monthly":
        return vRecur({"FREQ": "MONTHLY", "BYDAY": f"{meeting['nth_weekday']}{day}"})
    interval = 2 if meeting["frequency"] == "fortnightly" else 1
    rule: dict[str, Any] = {"FREQ": "WEEKLY"}
    if interval > 1:
        rule["INTERVAL"] = interval
    rule["BYDAY"] = day
    return vRecur(rule)


def _event(meeting: dict[str, Any], stamp: dt.datetime, title: str) -> Event:
    event = Event()
    event.add("uid", f"cadence-{meeting['id']}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("summary", _line(meeting["name"]))
    attendees = ", ".join(meeting["attendees"]) or "nobody yet"
    about = f"{meeting['schedule']}. Attendees: {attendees}. From: {_line(title)}"
    event.add("description", _text(about))
    first = dt.date.fromisoformat(meeting["first"])
    start = dt.datetime.combine(first, dt.time.fromisoformat(meeting["time"]))
    event.add("dtstart", start)
    event.add("duration", dt.timedelta(minutes=meeting["duration_minutes"]))
    event.add("rrule", _rule(meeting))
    return event


def render_ics(context: dict[str, Any]) -> str:
    """The calendar of one session: a VTODO per dated action item, a VEVENT per meeting."""
    session = context["session"]
    stamp = dt.datetime.combine(dt.date.fromisoformat(session["date"]), dt.time(0, 0), dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _line(session["title"]))
    for meeting in context["cadence"]:
        calendar.add_component(_event(meeting, stamp, session["title"]))
    ical: str = calendar.to_ical().decode("utf-8")
    todos = [
        _todo_text(item, stamp, session["title"])
        for item in context["actions"]["all"]
        if item["due"]
    ]
    end = ical.rindex("END:VCALENDAR")
    return ical[:end] + "".join(todos) + ical[end:]
