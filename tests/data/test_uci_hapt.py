import itertools

import numpy as np
import pytest
import torch

from crossl.data.hapt_protocols import get_protocol
from crossl.data.sources.uci_hapt import read_uci_hapt
from crossl.data.windowing import window_recordings
from crossl.errors import CrosslError


def write_uci_layout(root, recordings):
    """Write recordings in the official UCI HAPT RawData layout; return the folder."""
    raw = root / "RawData"
    raw.mkdir(parents=True)
    label_rows = []
    for exp, rec in enumerate(recordings, start=1):
        name = f"exp{exp:02d}_user{rec.subject:02d}.txt"
        np.savetxt(raw / f"acc_{name}", rec.signals["acc"], fmt="%.8e")
        np.savetxt(raw / f"gyro_{name}", rec.signals["gyro"], fmt="%.8e")
        change = np.flatnonzero(np.diff(rec.labels)) + 1
        bounds = np.concatenate([[0], change, [len(rec.labels)]])
        for start, stop in itertools.pairwise(bounds):
            if rec.labels[start] > 0:
                label_rows.append((exp, rec.subject, rec.labels[start], start, stop - 1))
    np.savetxt(raw / "labels.txt", np.array(label_rows), fmt="%d")
    return root


@pytest.fixture(scope="module")
def small_download(tmp_path_factory, hapt_recordings):
    chosen = [r for r in hapt_recordings if r.subject in (1, 2)]
    return write_uci_layout(tmp_path_factory.mktemp("hapt"), chosen), chosen


def test_uci_layout_yields_the_same_windows(small_download):
    root, chosen = small_download
    read = read_uci_hapt(root)
    assert [r.subject for r in read] == [r.subject for r in chosen]
    p = get_protocol("hapt")
    a = window_recordings(read, p.window, p.stride, p.class_of, p.class_names)
    b = window_recordings(chosen, p.window, p.stride, p.class_of, p.class_names)
    assert torch.equal(a.labels, b.labels) and torch.equal(a.subjects, b.subjects)
    for k in ("acc", "gyro"):
        torch.testing.assert_close(a.modalities[k], b.modalities[k], rtol=1e-6, atol=1e-7)
    assert read_uci_hapt(root / "RawData")[0].labels.tolist() == read[0].labels.tolist()


def test_missing_gyro_file(tmp_path, hapt_recordings):
    root = write_uci_layout(tmp_path, [hapt_recordings[0]])
    (root / "RawData" / "gyro_exp01_user01.txt").unlink()
    with pytest.raises(CrosslError, match=r"gyro_exp01_user01\.txt is missing"):
        read_uci_hapt(root)


def test_truncated_and_malformed_files(tmp_path, hapt_recordings):
    root = write_uci_layout(tmp_path, [hapt_recordings[0]])
    acc = root / "RawData" / "acc_exp01_user01.txt"
    lines = acc.read_text().splitlines()
    acc.write_text("\n".join(lines[:-100]) + "\n")
    with pytest.raises(CrosslError, match="truncated or mismatched"):
        read_uci_hapt(root)
    acc.write_text("\n".join(line.rsplit(" ", 1)[0] for line in lines) + "\n")
    with pytest.raises(CrosslError, match="expected 3 columns, found 2"):
        read_uci_hapt(root)
    acc.write_text("\n".join(lines[:-1]) + "\n1.0 nan 2.0\n")
    with pytest.raises(CrosslError, match="NaN"):
        read_uci_hapt(root)


def test_missing_folder_and_labels(tmp_path):
    with pytest.raises(CrosslError, match="does not exist"):
        read_uci_hapt(tmp_path / "nope")
    with pytest.raises(CrosslError, match=r"no RawData/labels\.txt"):
        read_uci_hapt(tmp_path)
