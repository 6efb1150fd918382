"""Generate synthetic practices, recommendations and participations on top of the curated data,
for benchmarks (gfmd.curation.synthetic says how they are made).

    manage.py synthesize --practices 100000 [--recommendations 30000] [--participations 20000]
                         [--seed 1]
    manage.py synthesize --remove
"""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gfmd.curation.synthetic import NoCuratedData, analyze, synthesize, synthetic_remove


class Command(BaseCommand):
    help = (
        "Generate synthetic practices, recommendations and participations (marked "
        "synthetic=True, never served unless GFMD_SERVE_SYNTHETIC=1) for benchmarks, or remove "
        "them all with --remove."
    )

    def add_arguments(self, parser):
        parser.add_argument("--practices", type=int, default=0, metavar="N")
        parser.add_argument(
            "--recommendations",
            type=int,
            default=None,
            metavar="M",
            help="Synthetic recommendations to add to the curated sessions (default: N/3, the "
            "curated ratio).",
        )
        parser.add_argument(
            "--participations",
            type=int,
            default=None,
            metavar="P",
            help="Synthetic participations to add to the curated sessions (default: N/5).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--remove", action="store_true", help="Delete every synthetic record, and stop."
        )

    def handle(
        self,
        *args,
        practices,
        recommendations,
        participations,
        seed,
        batch_size,
        remove,
        verbosity,
        **_,
    ):
        if remove:
            removed = synthetic_remove()
            analyze()
            if verbosity:
                summary = ", ".join(f"{n} {label}" for label, n in removed.items())
                self.stdout.write(self.style.SUCCESS(f"Removed {summary}."))
            return
        if recommendations is None:
            recommendations = practices // 3
        if participations is None:
            participations = practices // 5
        if min(practices, recommendations, participations) < 0 or batch_size < 1:
            raise CommandError(
                "--practices, --recommendations, --participations and --batch-size must be "
                "positive."
            )
        if not practices and not recommendations and not participations:
            raise CommandError(
                "Nothing to do: give --practices N, --recommendations M and/or --participations P."
            )
        bar = tqdm(
            total=practices + recommendations + participations, unit="rec", unit_scale=True,
            desc="synthesize", smoothing=0.1, disable=verbosity < 1,
        )  # fmt: skip
        try:
            made = synthesize(
                practices=practices,
                recommendations=recommendations,
                participations=participations,
                seed=seed,
                batch_size=batch_size,
                progress=bar.update,
            )
        except NoCuratedData as exc:
            raise CommandError(str(exc)) from None
        finally:
            bar.close()
        if verbosity:
            summary = ", ".join(f"{n} {label}" for label, n in made.items())
            self.stdout.write(self.style.SUCCESS(f"Added {summary} (synthetic)."))
            self.stdout.write("Refreshing the planner's statistics (VACUUM ANALYZE)...")
        started = time.monotonic()
        analyze()
        if verbosity:
            self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")
