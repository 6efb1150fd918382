"""Synthetic participations: curated profiles under names recombined from curated ones."""

from __future__ import annotations

import itertools
import random
import re
import string
from dataclasses import dataclass

from gfmd.curation.synthetic.corpus import NoCuratedData
from gfmd.curation.synthetic.records import Batch
from gfmd.curation.synthetic.sampling import Zipf
from roundtables.models import Participation

# Words a printed name starts with before the given name ("H.E. Mr", "Dr.", "Professor"), compared
# lower case without the final dot; and middle initials ("K.", "M.S."), kept with the given name.
HONORIFICS = {"mr", "mrs", "ms", "dr", "prof", "professor", "h.e"}
INITIALS = re.compile(r"^(?:[A-Z]\.)+$")


def split_name(name: str) -> tuple[str, str]:
    """('Ms Renée', 'Jones-Bos') from 'Ms Renée Jones-Bos': what comes before the surname (the
    honorifics, the given name and any middle initials), and the surname."""
    tokens = name.split()
    i = 0
    while i < len(tokens) - 1 and tokens[i].lower().rstrip(".") in HONORIFICS:
        i += 1
    i += 1  # the given name
    while i < len(tokens) - 1 and INITIALS.match(tokens[i]):
        i += 1
    if i >= len(tokens):
        return "", name
    return " ".join(tokens[:i]), " ".join(tokens[i:])


@dataclass
class People:
    """What synthetic participations are made of, read from the curated participations, and the
    names already used in each session and role."""

    leads: list[str]
    surnames: list[str]
    # (role, position, affiliation, country id, organisation id) of each curated session
    # participation
    profiles: list[tuple]
    real_names: set[str]
    taken: dict[tuple[int, str], set[str]]
    last_order: dict[int, int]

    @classmethod
    def from_database(cls) -> People:
        curated = Participation.objects.filter(synthetic=False)
        names = list(curated.values_list("name", flat=True))
        parts = [split_name(name) for name in names]
        profiles = list(
            curated.filter(session__isnull=False).values_list(
                "role", "position", "affiliation", "country_id", "organisation_id"
            )
        )
        if not profiles:
            raise NoCuratedData(
                "There are no curated session participations to model synthetic ones on: run "
                "'manage.py load_curated' first, or give --participations 0."
            )
        taken: dict[tuple[int, str], set[str]] = {}
        last_order: dict[int, int] = {}
        for session, role, name, order in Participation.objects.filter(
            session__isnull=False
        ).values_list("session_id", "role", "name", "order"):
            taken.setdefault((session, role), set()).add(name)
            last_order[session] = max(last_order.get(session, 0), order)
        return cls(
            leads=[lead for lead, _ in parts if lead],
            surnames=[surname for _, surname in parts],
            profiles=profiles,
            real_names=set(names),
            taken=taken,
            last_order=last_order,
        )

    def name(self, rng: random.Random, session: int, role: str) -> str:
        """A new name for this session and role: a curated lead and surname recombined, with
        ever more middle initials once the plain combinations keep colliding."""
        taken = self.taken.setdefault((session, role), set())
        for attempt in itertools.count():
            words = [rng.choice(self.leads)] if self.leads else []
            words += [f"{rng.choice(string.ascii_uppercase)}." for _ in range(attempt // 8)]
            words.append(rng.choice(self.surnames))
            name = " ".join(words)[:200]
            if name not in taken and name not in self.real_names:
                taken.add(name)
                return name
        raise AssertionError("unreachable")


def participation_batch(people: People, sessions: Zipf, rng: random.Random, count: int) -> Batch:
    batch = Batch()
    for _ in range(count):
        session = sessions.one(rng)
        role, position, affiliation, country, organisation = rng.choice(people.profiles)
        order = people.last_order[session] = people.last_order.get(session, 0) + 1
        batch.records.append(
            Participation(
                session_id=session,
                role=role,
                name=people.name(rng, session, role),
                position=position,
                affiliation=affiliation,
                country_id=country,
                organisation_id=organisation,
                order=min(order, 32767),
                synthetic=True,
            )
        )
        batch.citations.append([])
    return batch
