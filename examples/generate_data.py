"""Write a month of synthetic helpdesk tickets (JSON Lines) and a contact-centre day (CSV).

Run: .venv/bin/python examples/generate_data.py [OUTDIR] [--tickets N] [--contacts N] [--seed S]

The data is seeded (same seed, same files): tickets arrive with a weekly rhythm (busy Monday
mornings, quiet weekends), carry a priority, group, channel and tier, and go through replies,
pending periods, priority changes and sometimes a reopen; the contacts follow an intraday curve
with a morning peak, and callers abandon when their patience runs out.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from slaclock.synthetic import generate_contacts, generate_timelines


def write_tickets(path: Path, count: int, seed: int) -> int:
    """One JSON timeline per line: a month of tickets starting Monday 2025-03-03."""
    start = datetime(2025, 3, 3, tzinfo=ZoneInfo("America/New_York"))
    with path.open("w", encoding="utf-8") as out:
        for timeline in generate_timelines(count, seed=seed, start=start, days=28):
            out.write(json.dumps(timeline.model_dump(mode="json", exclude_none=True)) + "\n")
    return count


def write_contacts(path: Path, count: int, seed: int) -> int:
    """One contact per row: offered_at, answered_at, abandoned_at (ISO 8601, empty when not)."""
    contacts = generate_contacts(count, seed=seed, day=date(2025, 3, 4))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["offered_at", "answered_at", "abandoned_at"])
        for c in contacts:
            writer.writerow(
                [
                    c.offered_at.isoformat(),
                    c.answered_at.isoformat() if c.answered_at else "",
                    c.abandoned_at.isoformat() if c.abandoned_at else "",
                ]
            )
    return len(contacts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", help="where to write (default: a temporary folder)")
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    outdir = Path(args.outdir) if args.outdir else Path(tempfile.mkdtemp(prefix="slaclock-"))
    outdir.mkdir(parents=True, exist_ok=True)
    tickets = write_tickets(outdir / "tickets.jsonl", args.tickets, args.seed)
    contacts = write_contacts(outdir / "contacts.csv", args.contacts, args.seed)
    print(f"wrote {tickets} tickets to {outdir / 'tickets.jsonl'}")
    print(f"wrote {contacts} contacts to {outdir / 'contacts.csv'}")


if __name__ == "__main__":
    main()
