import pytest

from crossl.data.protocols import prepare_data
from crossl.data.sources.hapt_pickle import embedded_hapt_recordings


@pytest.fixture(scope="session")
def hapt_recordings():
    return embedded_hapt_recordings()


@pytest.fixture(scope="session")
def hapt_data():
    return prepare_data("hapt")
