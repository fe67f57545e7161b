"""Import or update guidance from a peer institution's JSON feed."""

import os

from django.core.management.base import BaseCommand, CommandError

from guidance.feed import FeedError, feed_fetch, guidance_import

from ._report import write_report


class Command(BaseCommand):
    help = (
        "Fetch a peer's /guidance/feed.json and import it: new items are created, unchanged "
        "ones skipped, and items edited here are listed as conflicts instead of overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "url", help="the peer's feed URL, e.g. https://peer.ac.uk/guidance/feed.json"
        )
        parser.add_argument(
            "--token",
            default=os.environ.get("GUIDANCE_PEER_TOKEN", ""),
            help="the feed token the peer gave you (default: $GUIDANCE_PEER_TOKEN)",
        )
        parser.add_argument("--timeout", type=float, default=30)

    def handle(self, *args, url, token, timeout, **options):
        try:
            document = feed_fetch(url=url, token=token, timeout=timeout)
            report = guidance_import(document=document, origin=url)
        except FeedError as exc:
            raise CommandError(str(exc)) from None
        write_report(self, report)
