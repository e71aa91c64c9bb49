"""``.npy`` files written block by block and read by row ranges."""

import numpy as np
import pytest

from crossl.data.npy_files import NpyAppender, NpyRows
from crossl.errors import CrosslError


def test_appended_blocks_round_trip_through_numpy_and_row_reads(tmp_path):
    path = tmp_path / "x.npy"
    rng = np.random.default_rng(0)
    blocks = [rng.normal(size=(n, 3, 5)).astype(np.float32) for n in (4, 0, 7, 1)]
    writer = NpyAppender(path, np.float32, (3, 5))
    for b in blocks:
        writer.append(b)
    writer.close()
    whole = np.concatenate(blocks)
    np.testing.assert_array_equal(np.load(path), whole)
    np.testing.assert_array_equal(np.load(path, mmap_mode="r")[3:9], whole[3:9])
    rows = NpyRows(path)
    index = np.array([0, 1, 2, 5, 9, 10, 11])
    np.testing.assert_array_equal(rows.take(index), whole[index])
    assert rows.take(np.array([], dtype=np.int64)).shape == (0, 3, 5)


def test_wrong_row_shape_and_truncated_files_are_refused(tmp_path):
    writer = NpyAppender(tmp_path / "x.npy", np.float32, (2,))
    with pytest.raises(CrosslError, match="do not match"):
        writer.append(np.zeros((1, 3), np.float32))
    writer.close()
    path = tmp_path / "y.npy"
    np.save(path, np.zeros((10, 4), np.float32))
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size - 8)
    with pytest.raises(CrosslError, match="truncated"):
        NpyRows(path)
    (tmp_path / "z.npy").write_bytes(b"garbage")
    with pytest.raises(CrosslError, match=r"not a readable \.npy"):
        NpyRows(tmp_path / "z.npy")
