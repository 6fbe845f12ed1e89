"""Column mappings override detection and are remembered per file."""

import pytest

from explorer.core import mappings
from explorer.core.dataset import load
from explorer.core.errors import DatasetError
from explorer.core.formats import ColumnMapping
from tests.samples import roles, write


def test_mapping_reads_unusual_keys(tmp_path):
    path = write(tmp_path / "u", [{"q_text": "Why?", "ctx": "Because.", "gold": "Ok", "sys": "S"}], "jsonl")
    assert load(path).format == "unknown"
    mapping = ColumnMapping.parse("instruction=q_text, input=ctx, response=gold, system=sys")
    ds = load(path, mapping=mapping)
    assert ds.format == "mapped"
    assert roles(ds.record(0)) == [("system", "S"), ("user", "Why?\n\nBecause."), ("assistant", "Ok")]


def test_mapping_of_a_conversation_with_custom_role_keys(tmp_path):
    path = write(tmp_path / "c", [{"dialog": [{"speaker": "human", "text": "Hi"}, {"speaker": "bot", "text": "Yo"}]}],
                 "jsonl")
    ds = load(path, mapping=ColumnMapping.parse("conversations=dialog,role=speaker,content=text"))
    assert roles(ds.record(0)) == [("user", "Hi"), ("assistant", "Yo")]


@pytest.mark.parametrize("text,message", [
    ("instruction", "is not NAME=KEY"),
    ("question=q,response=a", "use one of"),
    ("instruction=q", "needs instruction= and response="),
])
def test_bad_mappings_are_explained(text, message):
    with pytest.raises(DatasetError, match=message):
        ColumnMapping.parse(text)


def test_mapping_is_remembered_per_file(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    mapping = ColumnMapping.parse("instruction=q,response=a")
    mappings.remember(a, mapping)
    assert mappings.remembered(a) == mapping
    assert mappings.remembered(b) is None
    assert str(mapping) == "instruction=q,response=a"
