"""Load demonstration data: departments, one user per role, sample requests. Idempotent."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from assessments.models import RiskLevel, Watchlist, WatchlistVersion
from assessments.watchlists.importers import importer_get
from assessments.watchlists.loader import watchlist_create, watchlist_import
from demo.portfolio import demo_portfolio_seed
from demo.samples import demo_requests_seed
from ukcn.assignments import role_grant
from ukcn.models import Department, Profile
from ukcn.roles import Role

LISTS = Path(__file__).resolve().parents[3] / "assessments" / "data" / "lists"


@dataclass(frozen=True)
class DemoList:
    """A real list shipped in assessments/data/lists (see PROVENANCE.md there); `files` are
    its editions, oldest first, each imported as the next version."""

    name: str
    format: str
    files: tuple[str, ...]
    settings: dict


DEMO_LISTS = [
    DemoList(
        "ASPI China Defence Universities Tracker",
        "aspi",
        ("aspi-china-defence-universities.misp.json",),
        {
            "publisher": "Australian Strategic Policy Institute (via the MISP galaxy)",
            "licence": "MISP galaxy CC0 1.0 / BSD-2-Clause; content by ASPI",
            "homepage": "https://unitracker.aspi.org.au/",
        },
    ),
    DemoList(
        "Canada: Named Research Organizations",
        "ca-nro",
        ("canada-named-research-organizations.html",),
        {
            "publisher": "Government of Canada",
            "licence": "Government of Canada content, non-commercial reproduction",
            "homepage": "https://science.gc.ca/",
        },
    ),
    DemoList(
        "US DoD Section 1260H Chinese military companies",
        "us-1260h",
        ("us-dod-1260h-chinese-military-companies.csv",),
        {},
    ),
    DemoList(
        "UK Sanctions List (excerpts)",
        "uk-sanctions",
        ("uk-sanctions-list.sample.xml", "uk-sanctions-list.sample.2026-09-07.xml"),
        {},
    ),
]

DEMO_PASSWORD = "ukcn-demo-pass-2026"  # noqa: S105 - printed on purpose: demo accounts only

DEPARTMENTS = [
    ("engineering", "Department of Engineering", "Faculty of Science and Engineering"),
    ("chemistry", "School of Chemistry", "Faculty of Science and Engineering"),
    ("computer-science", "Department of Computer Science", "Faculty of Science and Engineering"),
    ("history", "School of History", "Faculty of Arts and Humanities"),
    ("medicine", "Medical School", "Faculty of Medicine and Health"),
]

# username, full name, role, department code (for a departmental role; None: central office)
USERS = [
    ("requester", "Rhiannon Ellis", Role.REQUESTER, "engineering"),
    ("requester2", "Tomasz Nowak", Role.REQUESTER, "history"),
    ("head", "Anjali Mehta", Role.HEAD_OF_DEPARTMENT, "engineering"),
    ("reviewer", "Priya Raman", Role.REVIEWER, None),
    ("reviewer2", "Ade Okafor", Role.REVIEWER, None),
    ("approver", "Margaret Holloway", Role.APPROVER, None),
    ("senior", "David Kershaw", Role.SENIOR_OFFICER, None),
    ("editor", "Sam Whitfield", Role.GUIDANCE_EDITOR, None),
    ("auditor", "Colin Baptiste", Role.AUDITOR, None),
]


class Command(BaseCommand):
    help = "Create demo departments, one user per role and sample requests; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-portfolio",
            action="store_true",
            help="Leave out the demo portfolio (years of requests, each walked through the "
            "workflow: the slow part); the sample requests are still loaded.",
        )
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Seed even with DEBUG off (a load test, a demo server): it creates a "
            "superuser whose password is published.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["not_production"]:
            raise CommandError(
                "seed_demo creates accounts with published passwords and DEBUG is off: "
                "refused (add --i-know-this-is-not-production if this is not production)."
            )
        # The sample workflow notifies people as it goes: keep those e-mails out of the
        # terminal (they still appear in the app's notification list).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self._seed(portfolio=not options["no_portfolio"])
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at /accounts/login/ as:"))
        for username, _name, role, department_code in USERS:
            held = f"{role.label} ({department_code})" if department_code else role.label
            self.stdout.write(f"  {username:<11} {held:<31} password: {DEMO_PASSWORD}")
        self.stdout.write(f"  {'admin':<11} {'Administrator':<31} password: {DEMO_PASSWORD}")

    def _seed(self, *, portfolio: bool):
        with transaction.atomic():
            departments = self._departments()
            self._users(departments)
            call_command("load_checklist", stdout=self.stdout)
        # The watchlists come before the requests, so the sample requests are screened on submit.
        for line in self._watchlists():
            self.stdout.write(line)
        with transaction.atomic():
            created, existing = demo_requests_seed()
        self.stdout.write(f"Sample requests: {created} created, {existing} already there.")
        # After the checklist, so the starter guidance links to its items.
        call_command("load_guidance", stdout=self.stdout)
        if portfolio:
            with transaction.atomic():
                added = demo_portfolio_seed()
            self.stdout.write(f"Demo portfolio: {added} requests added.")

    def _departments(self):
        found = {}
        for code, name, faculty in DEPARTMENTS:
            department, _ = Department.objects.update_or_create(
                code=code, defaults={"name": name, "faculty": faculty}
            )
            found[code] = department
        return found

    def _users(self, departments):
        User = get_user_model()
        for username, full_name, role, department_code in USERS:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.ac.uk",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if role == Role.GUIDANCE_EDITOR and not user.is_staff:
                user.is_staff = True  # editors curate guidance in the admin
                user.save(update_fields=["is_staff"])
            # An assignment is what grants the role (for its department when departmental);
            # granting one that exists changes nothing and records nothing.
            role_grant(user=user, role=role, department=departments.get(department_code))
            Profile.objects.update_or_create(
                user=user,
                defaults={"department": departments.get(department_code)},
            )
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.ac.uk"},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()

    def _watchlists(self) -> list[str]:
        """The real lists shipped with ukcn, each edition a version; an edition already
        imported is not imported again, so a second run changes nothing."""
        lines = []
        for demo in DEMO_LISTS:
            importer = importer_get(demo.format)
            watchlist = Watchlist.objects.filter(name=demo.name).first() or watchlist_create(
                actor=None,
                name=demo.name,
                format=demo.format,
                **{
                    "default_risk_level": RiskLevel.LISTED,
                    **importer.list_defaults,
                    **demo.settings,
                },
            )
            for filename in demo.files:
                data = (LISTS / filename).read_bytes()
                sha = hashlib.sha256(data).hexdigest()
                done = watchlist.versions.filter(sha256=sha).exclude(
                    status=WatchlistVersion.Status.FAILED
                )
                if done.exists():
                    lines.append(f"{watchlist}: {filename} already imported.")
                    continue
                result = watchlist_import(
                    watchlist=watchlist,
                    data=data,
                    source=f"assessments/data/lists/{filename}",
                    importer=demo.format,
                    actor=None,
                )
                lines.append(result.summary())
        # The MISP copy of ASPI's tracker carries no rating, and no rating with its source is
        # shipped with ukcn: the demo sets none (the office sets them in the admin).
        return lines
