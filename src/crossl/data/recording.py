"""``Recording``: one continuous multimodal recording of one subject, before windowing."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from crossl.errors import CrosslError


@dataclass
class Recording:
    """Signals of one subject's continuous recording, each modality at its own sampling rate.

    ``signals[name]`` is ``[T_m, C_m]`` (float32; NaN marks a sample the sensor did not deliver),
    sampled at ``rates[name]`` Hz; ``labels`` is ``[T_L]``, the dataset's raw label codes at
    ``label_rate_hz`` (the protocol maps codes to classes). With ``rates`` empty every signal is
    at the label rate and has exactly ``T_L`` samples. ``session`` names the source (a file, a
    night) in messages.

    >>> rec = Recording(7, {"eeg": np.zeros((300, 1)), "emg": np.zeros((3, 1))},
    ...                 np.zeros(3, dtype=np.int64), rates={"eeg": 100.0, "emg": 1.0},
    ...                 label_rate_hz=1.0)
    >>> rec.rate_of("eeg"), rec.duration_s
    (100.0, 3.0)
    """

    subject: int
    signals: dict[str, np.ndarray]
    labels: np.ndarray
    rates: dict[str, float] = field(default_factory=dict)
    label_rate_hz: float | None = None
    session: str = ""

    def __post_init__(self) -> None:
        where = f"subject {self.subject}" + (f" ({self.session})" if self.session else "")
        n = len(self.labels)
        if not self.rates:
            for name, x in self.signals.items():
                if x.ndim != 2 or x.shape[0] != n:
                    raise CrosslError(
                        f"{where}: signal {name!r} has shape {x.shape}, "
                        f"expected ({n}, channels) to match its {n} labels"
                    )
            return
        if self.label_rate_hz is None or self.label_rate_hz <= 0:
            raise CrosslError(f"{where}: per-modality rates need a positive label_rate_hz")
        missing = set(self.signals) - set(self.rates)
        if missing:
            raise CrosslError(f"{where}: no sampling rate for {sorted(missing)}")
        for name, x in self.signals.items():
            if x.ndim != 2:
                raise CrosslError(f"{where}: signal {name!r} has shape {x.shape}, expected [T, C]")
            seconds = x.shape[0] / self.rates[name]
            slack = 1.0 + 1.0 / self.label_rate_hz + 1.0 / self.rates[name]
            if abs(seconds - self.duration_s) > slack:
                raise CrosslError(
                    f"{where}: signal {name!r} lasts {seconds:.2f} s but the labels last "
                    f"{self.duration_s:.2f} s: the files are truncated or mismatched"
                )

    def __len__(self) -> int:
        return len(self.labels)

    def rate_of(self, name: str) -> float:
        """Sampling rate of modality ``name`` in Hz (the label rate when rates are shared)."""
        return self.rates.get(name, self.label_rate_hz or 1.0)

    @property
    def duration_s(self) -> float:
        """Length of the labels in seconds (in samples when no rate is known)."""
        return len(self.labels) / (self.label_rate_hz or 1.0)
