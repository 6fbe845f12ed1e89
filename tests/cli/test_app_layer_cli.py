"""The CLI on the application layer: search with the session's edits, unknown commands."""

import json

from explorer.cli.main import main
from tests.samples import write


def test_search_finds_edited_text_and_regexes(tmp_path, capsys):
    rows = [{"instruction": f"Question {i} about {'cats' if i % 2 else 'dogs'}", "input": "", "output": f"a{i}"}
            for i in range(6)]
    source = write(tmp_path / "s", rows, "jsonl")
    recipe = tmp_path / "r.jsonl"
    recipe.write_text(json.dumps({"op": "set", "id": 0, "field": "instruction", "value": "Now about parrots"}) + "\n")
    assert main(["apply", str(source), "--recipe", str(recipe)]) == 0
    capsys.readouterr()
    assert main(["search", str(source), "parrot|cats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ids"] == [0, 1, 3, 5]
    assert main(["search", str(source), "a[0-9", "--field", "response"]) == 0  # not a regex: searched literally
    assert "0 of 6 records match" in capsys.readouterr().out


def test_an_unknown_command_is_an_error_not_a_dataset(tmp_path, capsys):
    assert main(["newcmd"]) == 2
    err = capsys.readouterr().err
    assert "'newcmd' is neither a command" in err and "search" in err
