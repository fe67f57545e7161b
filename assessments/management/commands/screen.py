"""Screen one name, or a CSV file of names, against the active watchlists."""

import csv
import io
import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from assessments.screening.service import screen_name

# Progress on stderr every this many rows, and at the end, for files this long or longer.
PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = (
        "Screen a name against the active watchlists; --json prints one JSON object. "
        "--file names.csv (or - for stdin) screens every row and prints one JSON object a line."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", default=None, help="the organisation's name")
        parser.add_argument("--country", default="", help="ISO 3166 code of the partner")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--file", default=None, help="a CSV file of names, or - for stdin")
        parser.add_argument(
            "--name-column", default="name", help="the CSV column holding names (default: name)"
        )
        parser.add_argument(
            "--country-column", default="", help="a CSV column holding ISO country codes"
        )

    def handle(self, *args, name, country, json: bool = False, file=None, **options):
        country = _country(country, "--country")
        if file is not None:
            if name is not None:
                raise CommandError("Give either a name or --file, not both.")
            self._screen_file(file, options["name_column"], options["country_column"], country)
            return
        if name is None or not name.strip():
            raise CommandError("Give a name to screen.")
        result = screen_name(name, country=country or None)
        if json:
            self.stdout.write(_dumps(result))
            return
        if not result["matches"]:
            self.stdout.write(f"No potential match for '{name}'.")
            return
        for match in result["matches"]:
            self.stdout.write(
                f"{match['score']:.3f}  {match['name']}  [{match['list']} v{match['list_version']}, "
                f"{match['entry_id']}, {match['risk_level']}]\n       {match['explanation']}"
            )

    def _screen_file(self, path: str, name_column: str, country_column: str, country: str):
        rows = _read_rows(path, name_column, country_column)
        started = time.monotonic()
        for number, row in enumerate(rows, start=1):
            name = (row.get(name_column) or "").strip()
            row_country = country
            if country_column:
                row_country = (
                    _country(row.get(country_column) or "", f"row {number} {country_column}")
                    or country
                )
            if name:
                result = screen_name(name, country=row_country or None)
            else:
                result = {"query": name, "matches": []}
            self.stdout.write(_dumps(result))
            if number % PROGRESS_EVERY == 0:
                elapsed = time.monotonic() - started
                self.stderr.write(f"screened {number} names in {elapsed:.1f} s")
        total = len(rows)
        if total >= PROGRESS_EVERY:
            self.stderr.write(f"screened {total} names in {time.monotonic() - started:.1f} s")


def _read_rows(path: str, name_column: str, country_column: str) -> list[dict]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = reader.fieldnames or []
    if name_column not in columns:
        raise CommandError(
            f"{path}: no column '{name_column}' (columns: {', '.join(columns) or 'none'}); "
            "choose one with --name-column."
        )
    if country_column and country_column not in columns:
        raise CommandError(f"{path}: no column '{country_column}' for --country-column.")
    try:
        return list(reader)
    except csv.Error as error:
        raise CommandError(f"{path}: not a readable CSV file ({error}).") from None


def _country(value: str, where: str) -> str:
    country = value.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise CommandError(f"{where} must be a two-letter ISO code, not '{country}'.")
    return country


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)
