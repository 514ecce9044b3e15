"""The municipality's own iJw messages for every demo trajectory: the JW301 allocation it issued,
the provider's JW305 start and, where care ended, its JW307 stop.

Defects are planted per message type at small documented rates and counted, so tests can check
that ingestion quarantines exactly what was planted; so are a few allocations that the
declarations overrun (in volume, or past the allocation's end), for allocation control.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

from demo_data import writers
from demo_data.bsn import break_elfproef
from demo_data.world import LAST_YEAR

# rule id -> share of records, per kind; "duplicate": the message is sent a second time
MESSAGE_DEFECTS = {
    "allocations": (("A01", 0.003), ("A02", 0.002), ("A03", 0.002), ("duplicate", 0.003)),
    "care_starts": (("B01", 0.003), ("B02", 0.002), ("B03", 0.002), ("duplicate", 0.003)),
    "care_stops": (("E01", 0.003), ("E02", 0.002), ("E03", 0.002), ("duplicate", 0.003)),
}
OVER_ALLOCATED, SHORT_ALLOCATION, OPEN_ENDED, NEVER_USED = 0.03, 0.03, 0.10, 0.02
UNUSED_OFFSET = 500_000  # an unused allocation's number: the trajectory's plus this, never taken by a real one
# ten digits: a nine-digit message id passes the elfproef one time in eleven, and in a message whose own BSN
# fails it (A01) the pipeline then masks the id as a possible BSN (A04) instead of naming the BSN
MESSAGE_ID_DIGITS = 10
WINDOW_END = date(LAST_YEAR, 12, 31)  # care beyond it is not declared in the demo
UNKNOWN_MUNICIPALITY = "9999"  # four digits as the XSD wants, but no municipality
_SURNAMES = ("Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder")
_FIRST_NAMES = ("Sam", "Noor", "Daan", "Lotte", "Milan", "Sara", "Finn", "Julia")
_STREETS = ("Kerkstraat", "Schoolstraat", "Molenweg", "Dorpsstraat", "Stationsweg")


class Trajectory(Protocol):
    municipality: str
    allocation: int
    bsn: str
    product: object
    start: date
    end: date | None
    end_reason: str | None
    birth: date


@functools.lru_cache(maxsize=4096)
def client_details(bsn: str, birth: date | None = None) -> dict:
    """A synthetic client, the same for a BSN in every message: birth date (the demo's trajectories
    carry their client's, drawn by age; without one, a day in 2002-2016), sex, name, address.
    Cached (each trajectory's three messages ask for it); callers only read the dict."""
    rnd = random.Random(bsn)
    drawn = date(2002, 1, 1) + timedelta(days=rnd.randint(0, 365 * 15))
    return {"bsn": bsn, "birth": birth or drawn,
            "sex": rnd.choice("12"), "surname": rnd.choice(_SURNAMES), "first_name": rnd.choice(_FIRST_NAMES),
            "street": rnd.choice(_STREETS), "house_number": rnd.randint(1, 200),
            "postcode": f"{rnd.randint(1000, 9999)}AB", "town": "Demodorp"}


class MessageWriter:
    """Writes one provider's trajectories as messages; counts what it planted in `tally`."""

    def __init__(self, out: Path, seed: int, tally: Counter) -> None:
        self.out = out
        self.seed = seed
        self.tally = tally
        # [municipality, allocation number] of each planted case
        self.planted: dict[str, list[list]] = {"over_allocated": [], "short_allocation": [], "never_declared": []}
        for kind in MESSAGE_DEFECTS:
            (out / kind).mkdir(parents=True, exist_ok=True)

    def write(self, agb: str, trajectories: list[Trajectory]) -> None:
        rng = random.Random(f"{self.seed}/{agb}/messages")  # its own stream: declarations stay as they were
        for t in trajectories:
            allocation_start = t.start - timedelta(days=rng.randint(0, 10))
            self._allocation(agb, t, allocation_start, rng)
            if rng.random() < NEVER_USED:  # planted: a second allocation for the same care, never declared
                self.tally["planted_allocations/never_declared"] += 1
                unused = replace(t, allocation=t.allocation + UNUSED_OFFSET)
                self.planted["never_declared"].append([t.municipality, str(unused.allocation)])
                self._allocation(agb, unused, allocation_start, rng)
            self._start(agb, t, allocation_start, rng)
            if t.end is not None:
                self._stop(agb, t, allocation_start, rng)

    def _defect(self, kind: str, rng: random.Random) -> str | None:
        u = rng.random()
        for name, rate in MESSAGE_DEFECTS[kind]:
            if u < rate:
                self.tally[f"{kind}/{name}"] += 1
                return name
            u -= rate
        return None

    def _send(self, kind: str, message: str, name: str, *, sender: str, receiver: str, day: date, client: dict,
              record: list, duplicate: bool, number: int) -> None:
        for copy in range(2 if duplicate else 1):
            suffix = "_resent" if copy else ""
            writers.write_client_message(self.out / kind / f"{name}{suffix}.xml", message, sender=sender,
                                         receiver=receiver, message_id=f"{number:0{MESSAGE_ID_DIGITS - 1}d}{copy}",
                                         day=day + timedelta(days=copy * 3), client=client, records=[record])
            self.tally[f"{kind}/records"] += 1

    def _allocation(self, agb: str, t: Trajectory, start: date, rng: random.Random) -> None:
        p = t.product
        defect = self._defect("allocations", rng)
        months = p.median_months * 2
        end = None if rng.random() < OPEN_ENDED else start + timedelta(days=int(months * 30.4))
        size, budget = (p.volume[1], "4"), None
        if p.unit == "14":
            size = (7, "2")  # days a week
        elif p.unit == "83":  # euros: a budget in eurocents, no volume
            budget, size = int(p.volume[1] * 100 * months), None
        if rng.random() < OVER_ALLOCATED:  # planted: one unit (or one euro) allocated in all, far more declared
            self.tally["planted_allocations/over_allocated"] += 1
            self.planted["over_allocated"].append([t.municipality, str(t.allocation)])
            size, budget = ((1, "6"), None) if size else (None, 100)
        elif ((t.end is None or (t.end - t.start).days > 60) and rng.random() < SHORT_ALLOCATION
              and ((t.end or WINDOW_END) - t.start).days > 60):  # overrun inside the data window, where it shows
            self.tally["planted_allocations/short_allocation"] += 1  # planted: care runs past the allocation's end
            self.planted["short_allocation"].append([t.municipality, str(t.allocation)])
            end = t.start + timedelta(days=30)
        if defect == "A03":
            end = start - timedelta(days=10)
        client = client_details(break_elfproef(t.bsn) if defect == "A01" else t.bsn, t.birth)
        record = [("ToewijzingNummer", t.allocation), ("Product", (p.category, p.code)),
                  ("Toewijzingsdatum", start - timedelta(days=rng.randint(0, 14))), ("Toewijzingstijd", "09:00:00"),
                  ("Ingangsdatum", start), ("Einddatum", end), ("RedenWijziging", None),
                  ("Omvang", (size[0], p.unit, size[1]) if size else None), ("Budget", budget)]
        municipality = UNKNOWN_MUNICIPALITY if defect == "A02" else t.municipality
        self._send("allocations", "JW301", f"{t.municipality}_{agb}_{t.allocation}", sender=municipality,
                   receiver=agb, day=start, client=client, record=record, duplicate=defect == "duplicate",
                   number=t.allocation)

    def _start(self, agb: str, t: Trajectory, allocation_start: date, rng: random.Random) -> None:
        defect = self._defect("care_starts", rng)
        begin = allocation_start - timedelta(days=5) if defect == "B03" else t.start
        client = client_details(break_elfproef(t.bsn) if defect == "B01" else t.bsn, t.birth)
        record = [("ToewijzingNummer", t.allocation), ("Product", (t.product.category, t.product.code)),
                  ("ToewijzingIngangsdatum", allocation_start), ("Begindatum", begin), ("StatusAanlevering", "1")]
        self._send("care_starts", "JW305", f"{agb}_{t.municipality}_{t.allocation}", sender=agb,
                   receiver=UNKNOWN_MUNICIPALITY if defect == "B02" else t.municipality, day=t.start, client=client,
                   record=record, duplicate=defect == "duplicate", number=t.allocation)

    def _stop(self, agb: str, t: Trajectory, allocation_start: date, rng: random.Random) -> None:
        defect = self._defect("care_stops", rng)
        end = t.start - timedelta(days=5) if defect == "E03" else t.end
        client = client_details(break_elfproef(t.bsn) if defect == "E01" else t.bsn, t.birth)
        record = [("ToewijzingNummer", t.allocation), ("Product", (t.product.category, t.product.code)),
                  ("ToewijzingIngangsdatum", allocation_start), ("Begindatum", t.start),
                  ("RedenBeeindiging", t.end_reason), ("Einddatum", end), ("StatusAanlevering", "1")]
        self._send("care_stops", "JW307", f"{agb}_{t.municipality}_{t.allocation}", sender=agb,
                   receiver=UNKNOWN_MUNICIPALITY if defect == "E02" else t.municipality, day=t.end, client=client,
                   record=record, duplicate=defect == "duplicate", number=t.allocation)
