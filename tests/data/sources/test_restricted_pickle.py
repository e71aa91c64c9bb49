"""The restricted unpickler: pickled state never reaches a shared dtype; corrupt sizes are one line."""

import io
import pickle

import numpy as np
import pytest

from crossl.data.sources.hapt_pickle import ALLOWED
from crossl.data.sources.restricted_pickle import restricted_load
from crossl.errors import CrosslError


class _SharedDtypeState:
    """Pickles as ``numpy.dtype('f8', align=False, copy=False)`` followed by a big-endian state:
    loaded naively, that state would be set on NumPy's one float64 dtype."""

    def __reduce__(self):
        return (np.dtype, ("f8", False, False), (3, ">", None, None, None, -1, -1, 0))


def test_dtype_state_applies_to_a_copy_not_to_numpys_shared_dtype():
    data = pickle.dumps(_SharedDtypeState(), protocol=2)
    loaded = restricted_load(io.BytesIO(data), ALLOWED, "test pickle")
    assert loaded.byteorder == ">"
    assert np.dtype("f8").byteorder == "=" and np.dtype("f8") is not loaded
    assert np.zeros(2).dtype.isnative


@pytest.mark.parametrize("opcode", [b"\x8d", b"\x8e"])  # BINUNICODE8, BINBYTES8
def test_a_length_field_beyond_memory_is_one_error_line(opcode):
    data = b"\x80\x04" + opcode + b"\xff" * 8 + b"."
    with pytest.raises(
        CrosslError, match=r"test pickle: too large to load, a corrupt length field"
    ):
        restricted_load(io.BytesIO(data), ALLOWED, "test pickle")
