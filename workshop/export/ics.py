"""Action items with due dates as to-dos and the cadence as recurring events (iCalendar).

The output depends on the session only: UIDs come from row ids and DTSTAMP from the
workshop date, never from the clock, so exporting twice gives the same bytes. Meeting
times are floating local times (a meeting at 09:00 is at 09:00 wherever it is opened).
User text holds no raw control character: a one-line field (a title, a name) shows a control
by its stand-in (see `workshop.text.terminal_safe`), a description keeps its line breaks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event, Todo, vRecur

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


def _todo(item: dict[str, Any], stamp: dt.datetime, title: str) -> Todo:
    todo = Todo()
    todo.add("uid", f"action-{item['id']}@{UID_DOMAIN}")
    todo.add("dtstamp", stamp)
    todo.add("summary", _line(item["title"]))
    lines = [item["description"]] if item["description"] else []
    if item["owner"]:
        lines.append(f"Owner: {_line(item['owner'])}")
    if item["serves"]:
        lines.append("Serves: " + "; ".join(map(_line, item["serves"])))
    lines.append(f"From the workshop: {_line(title)}")
    todo.add("description", _text("\n".join(lines)))
    todo.add("due", dt.date.fromisoformat(item["due"]))
    todo.add("status", TODO_STATUS[item["status"]])
    todo.add("priority", TODO_PRIORITY[item["priority"]])
    categories = [item["category"], item["team"]]
    if item["status"] == "blocked":
        categories.append("blocked")
    todo.add("categories", categories)
    if item["status"] == "done" and item["done_at"]:
        done = dt.datetime.fromisoformat(item["done_at"])
        todo.add("completed", done if done.tzinfo else done.replace(tzinfo=dt.UTC))
    return todo


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
    for item in context["actions"]["all"]:
        if item["due"]:
            calendar.add_component(_todo(item, stamp, session["title"]))
    ical: bytes = calendar.to_ical()
    return ical.decode("utf-8")
