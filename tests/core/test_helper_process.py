"""Helper processes: started by module, answers with raw bytes, a crash is a clear HelperCrashed with the reason."""

import pytest

from explorer.core import helper_process, scan_helper
from explorer.core.analysis import remote
from explorer.core.helper_process import HelperCrashed, HelperProcess, OneShotHelper, command
from tests.core import crashing_helper


def test_a_crash_says_why():
    helper = HelperProcess(crashing_helper, "answer-once", what="test")
    try:
        helper.send({"go": 1})
        message = None
        while message is None:
            message = helper.receive(timeout=5)
        assert message["data"] == b"abc"
        helper.send({"again": 1})
        with pytest.raises(HelperCrashed, match="the test helper stopped \\(exit code 3\\)") as caught:
            while helper.receive(timeout=5) is None:
                pass
        assert "the model file is damaged" in caught.value.stderr_tail
    finally:
        helper.close()
    with pytest.raises(HelperCrashed, match="model file is damaged"):
        OneShotHelper(crashing_helper, what="test").result()


def test_helpers_are_named_by_their_imported_modules():
    assert command(scan_helper)[-1] == "explorer.core.scan_helper"
    assert command(remote)[-1] == "explorer.core.analysis.remote"
    assert helper_process.HelperCrashed.__mro__[1] is RuntimeError  # not a DatasetError: a crash, not bad data
