"""What every letter says about the data it rests on: how far they reach, how many files, and k."""

from __future__ import annotations

from datetime import date

from assets.reports.blocks import para
from assets.reports.figures import Figures
from assets.reports.formatting import long_date


def quality_blocks(f: Figures, d: dict) -> list[dict]:
    about = d["publication"]
    rejected = about["files_rejected"] or 0
    retracted = about["files_retracted"] or 0
    outcomes = (f"{long_date(date.fromisoformat(about['outcome_records_through']))} (uitkomstregistraties)"
                if about.get("outcome_records_through") else "nog zonder uitkomstregistraties")
    files = f"{f.val(about, 'files_loaded', 'int')} ingelezen bestanden"
    if rejected:
        files += (f"; {f.val(about, 'files_rejected', 'int')} "
                  + ("bestand werd geweigerd omdat het niet te lezen was" if rejected == 1 else
                     "bestanden werden geweigerd omdat ze niet te lezen waren"))
    if retracted:
        files += f"; {f.val(about, 'files_retracted', 'int')} {'werd' if retracted == 1 else 'werden'} ingetrokken"
    return [para(f"De cijfers lopen tot en met {long_date(date.fromisoformat(about['data_through']))} (declaraties), "
                 f"{outcomes}. De gegevens komen uit {files}."),
            para(f"Een cijfer over minder dan {f.val(about, 'min_cell_size', 'int')} cliënten wordt niet getoond, en "
                 "ook niet een cijfer waaruit zo'n klein aantal terug te rekenen zou zijn. Daardoor tellen de "
                 "uitsplitsingen niet altijd op tot het totaal. Waar een cijfer ontbreekt staat een streepje met de "
                 "reden: verborgen, niet gemeten of nog geen gegevens (zie de begrippenlijst).")]
