"""Small PAMAP2, WESAD and Sleep-EDF downloads, each in its raw format, with two classes in every
training split: enough for ``crossl datasets prepare`` and short pretraining runs."""

from pathlib import Path

from pamap2_files import pamap2_table, write_pamap2_subject
from sleep_edf_files import write_sleep_edf_night
from wesad_files import wesad_subject_data, write_wesad_subject

PAMAP2_SUBJECTS = (101, 102, 103, 104)
SLEEP_STAGES = [(0, 60, "Sleep stage W"), (60, 60, "Sleep stage 1"), (120, 60, "Sleep stage 2")]
SLEEP_STAGES += [(180, 60, "Sleep stage 3"), (240, 60, "Sleep stage R")]


def write_pamap2(raw: Path) -> None:
    """Four subjects, 16 s of lying then 16 s of walking each."""
    for s in PAMAP2_SUBJECTS:
        write_pamap2_subject(raw, s, pamap2_table(((1, 1600), (4, 1600))))


def write_wesad(raw: Path) -> None:
    """Four subjects, 20 s of baseline then 20 s of stress each."""
    for s in (2, 3, 4, 5):
        write_wesad_subject(raw, s, wesad_subject_data(s, (1,) * 20 + (2,) * 20))


def write_sleepedf(raw: Path) -> None:
    """Five subjects, one 5-min night each: a minute of every stage."""
    for s in range(5):
        write_sleep_edf_night(raw / "sleep-cassette", s, 1, SLEEP_STAGES, seconds=300)
