import numpy as np
import pytest
from sleep_edf_files import PSG_CHANNELS, channel_values, write_hypnogram, write_sleep_edf_night

from crossl.data.sources.sleep_edf import SLEEP_STAGES, read_sleep_edf, sleep_edf_modalities
from crossl.errors import CrosslError

SECONDS = 480
STAGES = [
    (0, 90, "Sleep stage W"),
    (90, 30, "Sleep stage 1"),
    (120, 30, "Sleep stage 2"),
    (150, 30, "Sleep stage 3"),
    (180, 30, "Sleep stage 4"),
    (210, 30, "Sleep stage R"),
    (240, 30, "Movement time"),
    (270, 30, "Sleep stage ?"),
    (300, 30, "Sleep stage 2"),
    (330, 90, "Sleep stage W"),
    # 420-450 s is not annotated; the last annotation runs past the PSG's end at 480 s
    (450, 150, "Sleep stage ?"),
]
# one code per second: W, N1, N2, N3, N3 (stage 4), REM, movement, ?, N2, W, gap, ?
CODES = np.repeat(
    [0, 1, 2, 3, 3, 4, 5, 6, 2, 0, 6, 6], [90, 30, 30, 30, 30, 30, 30, 30, 30, 90, 30, 30]
)


def expected(label, start_s, stop_s):
    rate = PSG_CHANNELS[label]
    values = channel_values(label, rate, SECONDS)
    return values[round(start_s * rate) : round(stop_s * rate), None]


@pytest.fixture
def cassette(tmp_path):
    folder = tmp_path / "sleep-cassette"
    write_sleep_edf_night(folder, 4, 1, STAGES, seconds=SECONDS)
    return folder


def test_whole_night_codes_signals_subject_and_session(cassette):
    (rec,) = read_sleep_edf(cassette, wake_margin_min=None)
    assert rec.subject == 4 and rec.session == "SC4041E0-PSG.edf"
    assert rec.label_rate_hz == 1.0 and rec.labels.dtype == np.int64
    np.testing.assert_array_equal(rec.labels, CODES)
    assert list(rec.signals) == ["eeg_fpz_cz", "eeg_pz_oz", "eog", "emg"]
    assert rec.rates == {"eeg_fpz_cz": 100.0, "eeg_pz_oz": 100.0, "eog": 100.0, "emg": 1.0}
    for name, label in [
        ("eeg_fpz_cz", "EEG Fpz-Cz"),
        ("eeg_pz_oz", "EEG Pz-Oz"),
        ("eog", "EOG horizontal"),
        ("emg", "EMG submental"),
    ]:
        assert rec.signals[name].dtype == np.float32
        np.testing.assert_allclose(rec.signals[name], expected(label, 0, SECONDS), atol=1e-3)
    assert rec.signals["eeg_fpz_cz"].shape == (48000, 1)
    assert rec.signals["eeg_pz_oz"][1234, 0] == pytest.approx(100 + 23.4, abs=1e-3)


def test_wake_trimming_keeps_the_margin_around_sleep(cassette):
    # first sleep epoch 90-120 s, last 300-330 s: one minute around them is 30-390 s
    (rec,) = read_sleep_edf(cassette, wake_margin_min=1.0)
    np.testing.assert_array_equal(rec.labels, CODES[30:390])
    assert rec.signals["eog"].shape == (36000, 1) and rec.signals["emg"].shape == (360, 1)
    np.testing.assert_allclose(rec.signals["eog"], expected("EOG horizontal", 30, 390), atol=1e-3)
    np.testing.assert_allclose(rec.signals["emg"], expected("EMG submental", 30, 390), atol=1e-3)


@pytest.mark.parametrize(
    ("margin", "start", "stop"),
    [(2.0, 0, 450), (0.25, 60, 360), (0.0, 90, 330), (30.0, 0, SECONDS)],
)
def test_trimming_is_clipped_and_widened_to_whole_epochs(cassette, margin, start, stop):
    (rec,) = read_sleep_edf(cassette, wake_margin_min=margin, modalities=["eeg_fpz_cz"])
    np.testing.assert_array_equal(rec.labels, CODES[start:stop])
    np.testing.assert_allclose(
        rec.signals["eeg_fpz_cz"], expected("EEG Fpz-Cz", start, stop), atol=1e-3
    )


def test_rates_come_from_the_header(tmp_path):
    channels = {**PSG_CHANNELS, "EEG Fpz-Cz": 50.0, "EMG submental": 10.0}
    write_sleep_edf_night(tmp_path, 4, 1, STAGES, seconds=SECONDS, channels=channels)
    (rec,) = read_sleep_edf(tmp_path, wake_margin_min=1.0, modalities=["eeg_fpz_cz", "emg"])
    assert rec.rates == {"eeg_fpz_cz": 50.0, "emg": 10.0}
    assert rec.signals["eeg_fpz_cz"].shape == (18000, 1) and rec.signals["emg"].shape == (3600, 1)
    emg = channel_values("EMG submental", 10.0, SECONDS)[300:3900, None]
    np.testing.assert_allclose(rec.signals["emg"], emg, atol=1e-3)


def test_modality_selection_and_table():
    infos = {m.name: m for m in sleep_edf_modalities()}
    assert infos["eog"].channels == ("EOG horizontal",) and infos["eog"].device == "eog"
    assert infos["emg"].unit == "uV" and infos["emg"].rate_hz == 1.0
    assert SLEEP_STAGES[3] == "N3" and SLEEP_STAGES[6] == "unscored"


def test_selected_modalities_only(cassette):
    (rec,) = read_sleep_edf(cassette, modalities=["emg", "eeg_pz_oz"])
    assert list(rec.signals) == ["emg", "eeg_pz_oz"]
    with pytest.raises(CrosslError, match=r"unknown Sleep-EDF modalities \['eeg'\]"):
        read_sleep_edf(cassette, modalities=["eeg"])


def test_nights_are_paired_and_ordered_from_the_parent_folder(tmp_path):
    folder = tmp_path / "sleep-edf-database-expanded-1.0.0" / "sleep-cassette"
    write_sleep_edf_night(folder, 12, 1, STAGES, seconds=SECONDS, scorer="V")
    write_sleep_edf_night(folder, 3, 2, STAGES[:3], seconds=SECONDS, scorer="J")
    write_sleep_edf_night(folder, 3, 1, STAGES, seconds=SECONDS, scorer="H")
    recs = read_sleep_edf(folder.parent, wake_margin_min=None, modalities=["emg"])
    assert [(r.subject, r.session) for r in recs] == [
        (3, "SC4031E0-PSG.edf"),
        (3, "SC4032E0-PSG.edf"),
        (12, "SC4121E0-PSG.edf"),
    ]
    np.testing.assert_array_equal(recs[1].labels, np.r_[CODES[:150], np.full(330, 6)])


def test_psg_without_a_channel(tmp_path):
    channels = {k: v for k, v in PSG_CHANNELS.items() if k != "EMG submental"}
    write_sleep_edf_night(tmp_path, 4, 1, STAGES, seconds=SECONDS, channels=channels)
    with pytest.raises(
        CrosslError,
        match=r"SC4041E0-PSG.edf: no channel 'EMG submental' \(modality 'emg'\); "
        r"the file has EEG Fpz-Cz, EEG Pz-Oz, EOG horizontal, Resp oro-nasal, Temp rectal",
    ):
        read_sleep_edf(tmp_path)
    assert read_sleep_edf(tmp_path, modalities=["eog"])[0].signals["eog"].shape == (48000, 1)


# a data record holds 3 x 3000 + 4 x 30 two-byte samples: cut inside one, at a boundary, in the header
@pytest.mark.parametrize("keep", [-1000, -18240, 300, 100, 0])
def test_truncated_psg(cassette, keep):
    psg = cassette / "SC4041E0-PSG.edf"
    psg.write_bytes(psg.read_bytes()[:keep])
    with pytest.raises(CrosslError, match=r"SC4041E0-PSG.edf: corrupt or truncated EDF file"):
        read_sleep_edf(cassette)


def test_truncated_hypnogram(cassette):
    hypnogram = cassette / "SC4041EC-Hypnogram.edf"
    hypnogram.write_bytes(hypnogram.read_bytes()[:-20])
    with pytest.raises(CrosslError, match=r"SC4041EC-Hypnogram.edf: corrupt or truncated EDF"):
        read_sleep_edf(cassette)


def test_missing_or_ambiguous_hypnogram(cassette):
    hypnogram = cassette / "SC4041EC-Hypnogram.edf"
    write_hypnogram(cassette / "SC4041EH-Hypnogram.edf", STAGES)
    with pytest.raises(CrosslError, match=r"found SC4041EC-Hypnogram.edf, SC4041EH-Hyp"):
        read_sleep_edf(cassette)
    hypnogram.unlink()
    (cassette / "SC4041EH-Hypnogram.edf").unlink()
    with pytest.raises(CrosslError, match=r"SC4041E0-PSG.edf: expected one hypnogram .* none"):
        read_sleep_edf(cassette)


def test_unknown_annotation(cassette):
    write_hypnogram(cassette / "SC4041EC-Hypnogram.edf", [*STAGES, (60, 30, "Lights off")])
    with pytest.raises(
        CrosslError, match=r"SC4041EC-Hypnogram.edf: unknown annotation 'Lights off' at 60 s"
    ):
        read_sleep_edf(cassette)


def test_bad_folder_and_arguments(tmp_path, cassette):
    with pytest.raises(CrosslError, match="does not exist"):
        read_sleep_edf(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CrosslError, match=r"empty holds no SC4ssNE0-PSG.edf files"):
        read_sleep_edf(tmp_path / "empty")
    with pytest.raises(CrosslError, match="wake_margin_min must be >= 0"):
        read_sleep_edf(cassette, wake_margin_min=-1.0)


def test_night_without_sleep_cannot_be_trimmed(cassette):
    write_hypnogram(cassette / "SC4041EC-Hypnogram.edf", [(0, 480, "Sleep stage W")])
    with pytest.raises(CrosslError, match="no epoch is scored as sleep"):
        read_sleep_edf(cassette)
    np.testing.assert_array_equal(read_sleep_edf(cassette, wake_margin_min=None)[0].labels, 0)
