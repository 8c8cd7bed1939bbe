#!/usr/bin/python3
"""The independent implementation tests/daemon/calendar.rs checks unhunch's
calendar expansion against: Python's icalendar with recurring-ical-events
(Debian 12: python3-icalendar, python3-recurring-ical-events; installed by
scripts/setup test).

Reads a manifest (JSON: [{"file", "from", "to"}], times RFC 3339 in UTC)
and prints, per file, the busy occurrences that overlap [from, to) as
[start, end, summary] in UTC, by the rules unhunch documents: a timed
event, not TRANSP:TRANSPARENT, not STATUS:CANCELLED, not declined by
me@example.org, lasting more than zero.

recurring-ical-events computes with pytz's fixed offsets near the ends of
the span asked for, so it is asked for two more days on each side and the
overlap is decided here, on the real instants.
"""

import datetime
import json
import sys

import icalendar
import recurring_ical_events

ME = "mailto:me@example.org"
UTC = datetime.timezone.utc


def declined(event):
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    return any(
        str(a).lower() == ME and str(a.params.get("PARTSTAT", "")).upper() == "DECLINED"
        for a in attendees
    )


def busy(event, start, end):
    if not isinstance(start, datetime.datetime):
        return False
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return not declined(event) and end > start


def main():
    manifest = json.load(open(sys.argv[1]))
    out = {}
    for item in manifest:
        frm = datetime.datetime.fromisoformat(item["from"].replace("Z", "+00:00"))
        to = datetime.datetime.fromisoformat(item["to"].replace("Z", "+00:00"))
        cal = icalendar.Calendar.from_ical(open(item["file"], "rb").read())
        margin = datetime.timedelta(days=2)
        found = []
        for e in recurring_ical_events.of(cal).between(frm - margin, to + margin):
            start = e["DTSTART"].dt
            end = e["DTEND"].dt
            if not busy(e, start, end):
                continue
            start, end = start.astimezone(UTC), end.astimezone(UTC)
            if start < to and end > frm:
                found.append([
                    start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    str(e.get("SUMMARY", "")),
                ])
        out[item["file"]] = sorted(found)
    json.dump(out, sys.stdout)


main()
