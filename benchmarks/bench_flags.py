"""Precision and recall of the `refusal` flag (old rule vs current `checks`), and the `missing_cot` hit rate.

    python benchmarks/bench_flags.py --data DIR [--show-errors] [--exclude-borderline]

DIR holds labelled JSONL files (every ``*.jsonl`` is read), one object a line:
    {"response": str, "instruction": str, "label_refusal": bool (or absent: counts for missing_cot only), "source": str,
     "label_missing_cot": bool (optional), "borderline": bool (optional)}
The data are third-party and stay outside the repository. Precision and recall are per source and overall; a
source with no labelled refusals has no recall ("-") and its precision is over the few answers that were flagged.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from explorer.core import tokens  # noqa: E402
from explorer.core.analysis import checks  # noqa: E402

# The rules as they were before issue 13, kept verbatim as the baseline.
OLD_REFUSAL = re.compile(
    r"\bas an? (ai|artificial intelligence)( language)?( model| assistant)?\b|"
    r"\bi('m| am) (sorry|afraid),? but i (can(no|')t|am unable|won't)\b|"
    r"\bi (cannot|can't|am unable to|am not able to) (help|assist|provide|fulfill|comply|complete|do that)\b|"
    r"作为(一个|一名)?(ai|人工智能|AI)(语言模型|助手|模型)?|我(无法|不能)(完成|提供|回答|满足|协助)|抱歉，我(不能|无法)",
    re.I)
OLD_REASONING_TASK = re.compile(
    r"\bhow (many|much|far|long|old)\b|\b(calculate|compute|solve|prove|probability|"
    r"equation|remainder|sum of|product of)\b|多少|几[个岁天米元小]|计算|求解|证明|一共|总共|概率|方程",
    re.I)
OLD_HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万]")


def old_refusal(response: str) -> bool:
    return bool(OLD_REFUSAL.search(response[:400]))


def old_missing_cot(instruction: str, response: str, response_tokens: int) -> bool:
    if not (OLD_REASONING_TASK.search(instruction) and OLD_HAS_NUMBER.search(instruction)):
        return False
    return response_tokens < checks.COT_MIN_TOKENS and not checks.REASONING_MARKERS.search(response)


def read(folder: Path, exclude_borderline: bool) -> list[dict]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            if line.strip():
                row = json.loads(line)
                if not (exclude_borderline and row.get("borderline")):
                    rows.append(row)
    return rows


def pr(pred: list[bool], gold: list[bool | None]) -> tuple[str, str, int, int]:
    pred, gold = [p for p, g in zip(pred, gold) if g is not None], [g for g in gold if g is not None]
    tp = sum(p and g for p, g in zip(pred, gold))
    fp = sum(p and not g for p, g in zip(pred, gold))
    fn = sum(g and not p for p, g in zip(pred, gold))
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
    recall = f"{tp / (tp + fn):.2f}" if tp + fn else "-"
    return precision, recall, tp + fp, fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--show-errors", action="store_true", help="print the records each rule gets wrong")
    parser.add_argument("--exclude-borderline", action="store_true", help="leave out rows labelled borderline")
    args = parser.parse_args()
    rows = read(args.data, args.exclude_borderline)
    resp_tokens = tokens.count([r["response"] for r in rows])
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_source[r["source"]].append(i)
    old = [old_refusal(r["response"]) for r in rows]
    new = [checks.is_refusal(r["response"]) for r in rows]
    gold = [r.get("label_refusal") for r in rows]
    cot_old = [old_missing_cot(r["instruction"], r["response"], int(t)) for r, t in zip(rows, resp_tokens)]
    cot_new = [checks._missing_cot(r["instruction"], r["response"], int(t)) for r, t in zip(rows, resp_tokens)]

    head = (f"{'source':<24}{'n':>5}{'refusals':>9} | {'old P':>6}{'old R':>6}{'old hits':>9}{'FP':>4} | "
            f"{'new P':>6}{'new R':>6}{'new hits':>9}{'FP':>4} | {'cot old':>8}{'cot new':>8}")
    print(head)
    print("-" * len(head))
    groups = sorted(by_source.items()) + [("ALL", list(range(len(rows))))]
    for name, idx in groups:
        g = [gold[i] for i in idx]
        po, ro, ho, fo = pr([old[i] for i in idx], g)
        pn, rn, hn, fn = pr([new[i] for i in idx], g)
        co = sum(cot_old[i] for i in idx) / len(idx)
        cn = sum(cot_new[i] for i in idx) / len(idx)
        if name == "ALL":
            print("-" * len(head))
        print(f"{name:<24}{len(idx):>5}{sum(x for x in g if x) if any(x is not None for x in g) else '-':>9} | {po:>6}{ro:>6}{ho:>9}{fo:>4} | {pn:>6}{rn:>6}{hn:>9}{fn:>4} | "
              f"{co:>8.1%}{cn:>8.1%}")
    cot_rows = [i for i, r in enumerate(rows) if "label_missing_cot" in r]
    if cot_rows:
        g = [bool(rows[i]["label_missing_cot"]) for i in cot_rows]
        po, ro, _, _ = pr([cot_old[i] for i in cot_rows], g)
        pn, rn, _, _ = pr([cot_new[i] for i in cot_rows], g)
        print(f"\nmissing_cot on rows labelled for it ({len(cot_rows)}): old P {po} R {ro} | new P {pn} R {rn}")
    if args.show_errors:
        for name, pred in (("old refusal", old), ("new refusal", new)):
            print(f"\n== {name}: wrong ==")
            for i, r in enumerate(rows):
                if gold[i] is not None and pred[i] != gold[i]:
                    kind = "FP" if pred[i] else "FN"
                    print(f"{kind} [{r['source']}] {r['response'][:160]!r}")
        print("\n== new missing_cot hits ==")
        for i, r in enumerate(rows):
            if cot_new[i] and "label_missing_cot" not in r:
                print(f"[{r['source']}] {r['instruction'][:120]!r} -> {r['response'][:60]!r}")


if __name__ == "__main__":
    main()
