"""Labelled task-kind benchmark sets, read from public instruction data downloaded by the user (nothing of it is
in the repository): each record is an instruction, the source's own task label, and the kinds a correct
prediction may be, from `kind_label_map.json`.

Expected files in the data folder (any may be missing; its set is skipped):
  alignbench.jsonl       THUDM/AlignBench data/data_v1.1_release.jsonl (Chinese, category/subcategory)
  cla/<CATEGORY>.md      ymcui/Chinese-LLaMA-Alpaca examples/f16-p7b-p13b-33b/*.md (Chinese prompt tables)
  mtbench.jsonl          lm-sys/FastChat fastchat/llm_judge/data/mt_bench/question.jsonl
  vicuna.jsonl           lm-sys/FastChat fastchat/llm_judge/data/vicuna_bench/question.jsonl
  wizardlm_test.jsonl    nlpxucan/WizardLM WizardLM/data/WizardLM_testset.jsonl
  dolly_sample.jsonl     lines of databricks-dolly-15k.jsonl
  firefly_zh.jsonl       {"instruction", "label"} lines of yangjianxin1/Firefly-LLaMA2-Chinese data/firefly-eval.xlsx
                         (Chinese; `label` is its `kind` column)
  supernat_en.jsonl      Super-NaturalInstructions task instances: {"instruction", "task", "group"}, `group` being
                         the task's category as the benchmark names it (the stored files' own are often stale); the
                         tasks and how instances are picked: `supernat_tasks.json` (design set in one folder,
                         held-out set in another)
  autoj_zh.jsonl         {"instruction", "label"} lines made from GAIR-NLP/auto-j data/test/zh_testdata_critique.jsonl
                         (Chinese, machine-translated by its authors): instruction = `prompt`, label = `scenario`,
                         leaving out the 13 lines whose English original (testdata_critique.jsonl, same line) is
                         an MT-Bench or Vicuna question, which the sets above already hold
  clue_zh.jsonl          {"instruction", "label"} lines: FewCLUE, CMRC 2018, DRCD, C3, CMMLU and GAOKAO-Bench instances
                         filled into third-party prompt templates (OpenCompass, UltraEval, CMMLU, GAOKAO-Bench);
                         label = the dataset's name (Chinese, templated NLP tasks)
  promptcblue_zh.jsonl   {"instruction", "label"} lines of michael-wzhu/PromptCBLUE datasets/PromptCBLUE/toy_examples/
                         {train,dev,test}.json: instruction = `input`, label = `task_dataset` (Chinese medical NLP
                         tasks in templated prompts: 16 tasks, 15 each)
  jade_zh.csv            whitzard-ai/jade-db jade-db-v1.0/jade_benchmark_zh.csv (Chinese harmful questions: safety)
  advbench_en.csv        llm-attacks/llm-attacks data/advbench/harmful_behaviors.csv (English harmful requests)
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

LABEL_MAP = Path(__file__).with_name("kind_label_map.json")


@dataclass
class Item:
    text: str
    label: str
    """The source's own task label."""
    accepted: frozenset
    """Kinds a correct prediction may be."""
    task: str = ""
    """A finer task label where the source has one under `label` (Super-NI: the task within its category)."""


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _alignbench(d: Path):
    for r in _jsonl(d / "alignbench.jsonl"):
        yield r["question"], r["subcategory"]


def _chinese_llama_alpaca(d: Path):
    for md in sorted((d / "cla").glob("*.md")):
        for line in md.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\|\s*\d+\s*\|([^|]+)\|", line)
            if m:
                yield m.group(1).replace("<br/>", "\n").strip(), md.stem


def _fastchat(name: str):
    def read(d: Path):
        for r in _jsonl(d / name):
            yield r["turns"][0], r["category"]
    return read


def _wizardlm(d: Path):
    for r in _jsonl(d / "wizardlm_test.jsonl"):
        yield r["Instruction"], r["Skill"]


def _dolly(d: Path):
    for r in _jsonl(d / "dolly_sample.jsonl"):
        text = r["instruction"] + (f"\n\n{r['context']}" if r.get("context") else "")
        yield text, r["category"]


def _firefly(d: Path):
    for r in _jsonl(d / "firefly_zh.jsonl"):
        yield r["instruction"], r["label"]


def _autoj(d: Path):
    for r in _jsonl(d / "autoj_zh.jsonl"):
        yield r["instruction"], r["label"]


def _promptcblue(d: Path):
    for r in _jsonl(d / "promptcblue_zh.jsonl"):
        yield r["instruction"], r["label"]


def _clue(d: Path):
    for r in _jsonl(d / "clue_zh.jsonl"):
        yield r["instruction"], r["label"]


def _jade(d: Path):
    with open(d / "jade_zh.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            yield r["问题"], r["违规类型"]


def _advbench(d: Path):
    with open(d / "advbench_en.csv", encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            if row and row[0] != "goal":  # the header, where the copy has one
                yield row[0], "harmful"


def _supernat(mapping: dict):
    def read(d: Path):
        for r in _jsonl(d / "supernat_en.jsonl"):
            label = r.get("group") or next((c for c in r["categories"] if mapping.get(c)), r["categories"][0])
            yield r["instruction"], label, r.get("task", "")
    return read


def load_sets(data: Path) -> dict[str, tuple[str, list[Item]]]:
    """{set name: (language, items)} for every source present in `data`."""
    spec = json.loads(LABEL_MAP.read_text(encoding="utf-8"))
    families = spec["families"]

    def expand(kinds: list[str]) -> frozenset:
        return frozenset(k2 for k in kinds for k2 in families.get(k, [k]))

    sources = [("alignbench", "zh", "alignbench.jsonl", _alignbench),
               ("chinese_llama_alpaca", "zh", "cla", _chinese_llama_alpaca),
               ("firefly", "zh", "firefly_zh.jsonl", _firefly),
               ("autoj", "zh", "autoj_zh.jsonl", _autoj),
               ("clue", "zh", "clue_zh.jsonl", _clue),
               ("promptcblue", "zh", "promptcblue_zh.jsonl", _promptcblue),
               ("mtbench", "en", "mtbench.jsonl", _fastchat("mtbench.jsonl")),
               ("vicuna", "en", "vicuna.jsonl", _fastchat("vicuna.jsonl")),
               ("wizardlm", "en", "wizardlm_test.jsonl", _wizardlm),
               ("dolly", "en", "dolly_sample.jsonl", _dolly),
               ("supernat", "en", "supernat_en.jsonl", _supernat(spec["supernat"])),
               ("jade", "zh", "jade_zh.csv", _jade),
               ("advbench", "en", "advbench_en.csv", _advbench)]
    out = {}
    for name, lang, needed, reader in sources:
        if not (data / needed).exists():
            continue
        mapping = spec[name]
        items = [Item(text, label, expand(mapping[label]), *task) for text, label, *task in reader(data)
                 if mapping.get(label) and text.strip()]
        if items:
            out[name] = (lang, items)
    return out
