"""Screen one name against the active watchlists."""

import json

from django.core.management.base import BaseCommand, CommandError

from assessments.screening.service import screen_name


class Command(BaseCommand):
    help = "Screen a name against the active watchlists; --json prints one JSON object."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the organisation's name, in any script")
        parser.add_argument("--country", default="", help="ISO 3166 code of the partner")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, name, country, json: bool = False, **options):
        if not name.strip():
            raise CommandError("Give a name to screen.")
        country = country.strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            raise CommandError(f"--country must be a two-letter ISO code, not '{country}'.")
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


def _dumps(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)
