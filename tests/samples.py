"""Small datasets made in code: one sample per format, and writers for every container."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

# format name -> (source objects, expected normalized messages of the first object as (role, content) pairs)
FORMAT_SAMPLES: dict[str, tuple[list[dict], list[tuple[str, str]]]] = {
    "alpaca": ([{"instruction": "Add 2 and 3.", "input": "", "output": "5"},
                {"instruction": "Translate", "input": "bonjour", "output": "hello"}],
               [("user", "Add 2 and 3."), ("assistant", "5")]),
    "alpaca_history": ([{"instruction": "And now?", "input": "", "output": "Done.", "system": "Be brief.",
                         "history": [["Start", "Started."]]}],
                       [("system", "Be brief."), ("user", "Start"), ("assistant", "Started."),
                        ("user", "And now?"), ("assistant", "Done.")]),
    "gpteacher": ([{"instruction": "Name a colour.", "input": "", "response": "Blue."}],
                  [("user", "Name a colour."), ("assistant", "Blue.")]),
    "dolly": ([{"instruction": "Who wrote it?", "context": "The book was written by Ann.", "response": "Ann.",
                "category": "closed_qa"}],
              [("user", "Who wrote it?\n\nThe book was written by Ann."), ("assistant", "Ann.")]),
    "sharegpt": ([{"id": "a1", "conversations": [{"from": "system", "value": "Sys."}, {"from": "human", "value": "Hi"},
                                                 {"from": "gpt", "value": "Hello!"}]}],
                 [("system", "Sys."), ("user", "Hi"), ("assistant", "Hello!")]),
    "messages": ([{"messages": [{"role": "user", "content": "Weather in Oslo?"},
                                {"role": "assistant", "content": None,
                                 "tool_calls": [{"id": "c1", "type": "function",
                                                 "function": {"name": "weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                                {"role": "tool", "content": "4°C", "tool_call_id": "c1"},
                                {"role": "assistant", "content": "It is 4°C."}]}],
                 [("user", "Weather in Oslo?"), ("assistant", ""), ("tool", "4°C"), ("assistant", "It is 4°C.")]),
    "prompt_completion": ([{"prompt": "Capital of Peru?", "completion": "Lima."}],
                          [("user", "Capital of Peru?"), ("assistant", "Lima.")]),
    "preference": ([{"prompt": "Say hi", "chosen": "Hi!", "rejected": "No."}],
                   [("user", "Say hi"), ("assistant", "Hi!")]),
    "qa": ([{"question": "2+2?", "answer": "4"}, {"query": "Colour of sky?", "response": "Blue"},
            {"question": "3+3?", "std_answer": "6"}],
           [("user", "2+2?"), ("assistant", "4")]),
    "openorca": ([{"system_prompt": "You are helpful.", "question": "Define cat.", "response": "A small feline."}],
                 [("system", "You are helpful."), ("user", "Define cat."), ("assistant", "A small feline.")]),
    "lima": ([{"conversations": ["Hello", "Hi there", "How are you?", "Fine."]}],
             [("user", "Hello"), ("assistant", "Hi there"), ("user", "How are you?"), ("assistant", "Fine.")]),
}
EXPECTED_FORMAT = {"alpaca_history": "alpaca", "gpteacher": "alpaca", "openorca": "qa"}

# Formats whose objects are flat strings (they fit CSV).
FLAT = ("alpaca", "gpteacher", "dolly", "prompt_completion", "preference", "qa", "openorca")

OASST_ROWS = [
    {"message_id": "m1", "parent_id": None, "role": "prompter", "text": "Tell me a joke.", "lang": "en"},
    {"message_id": "m2", "parent_id": "m1", "role": "assistant", "text": "Why did the chicken cross?", "lang": "en"},
    {"message_id": "m3", "parent_id": "m1", "role": "assistant", "text": "Knock knock.", "lang": "en"},
    {"message_id": "m4", "parent_id": "m3", "role": "prompter", "text": "Who's there?", "lang": "en"},
]


def jsonl_bytes(objects: list[dict]) -> bytes:
    return "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")


def write(path: Path, objects: list[dict], container: str) -> Path:
    """Write objects in a container: jsonl, jsonl.gz, json, json_wrapped, parquet, csv, tsv, hf, hf_dict."""
    if container == "jsonl":
        path = path.with_suffix(".jsonl")
        path.write_bytes(jsonl_bytes(objects))
    elif container == "jsonl.gz":
        path = path.with_suffix(".jsonl.gz")
        path.write_bytes(gzip.compress(jsonl_bytes(objects)))
    elif container == "json":
        path = path.with_suffix(".json")
        path.write_text(json.dumps(objects, ensure_ascii=False, indent=2), encoding="utf-8")
    elif container == "json_wrapped":
        path = path.with_suffix(".json")
        path.write_text(json.dumps({"version": 1, "data": objects}, ensure_ascii=False, indent=2), encoding="utf-8")
    elif container == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = path.with_suffix(".parquet")
        pq.write_table(pa.Table.from_pylist(_union(objects)), path)
    elif container in ("csv", "tsv"):
        path = path.with_suffix("." + container)
        keys = list(dict.fromkeys(k for o in objects for k in o))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, keys, delimiter="\t" if container == "tsv" else ",", lineterminator="\n")
        writer.writeheader()
        writer.writerows(objects)
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif container in ("hf", "hf_dict"):
        import datasets

        ds = datasets.Dataset.from_list(_union(objects))
        if container == "hf_dict":
            datasets.DatasetDict({"train": ds, "test": ds.select([0])}).save_to_disk(str(path))
        else:
            ds.save_to_disk(str(path))
    else:
        raise ValueError(container)
    return path


def _union(objects: list[dict]) -> list[dict]:
    keys = list(dict.fromkeys(k for o in objects for k in o))
    return [{k: o.get(k) for k in keys} for o in objects]


def roles(record) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in record.messages]
