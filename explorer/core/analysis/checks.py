"""Per-record quality flags with a stable vocabulary; each one can be explained in one sentence."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from explorer.core.analysis import language
from explorer.core.analysis.texts import RecordTexts

FLAGS: dict[str, str] = {
    "too_long": "The conversation is longer than the token limit (4,096 by default), so training would truncate it.",
    "too_short": "The prompt is only a couple of tokens, or a long prompt got a couple of tokens that are not one "
                 "of the options it offered.",
    "empty_response": "The assistant's answer is empty or only whitespace.",
    "missing_cot": "A reasoning task (maths, logic, several steps) is answered with a bare result and no visible reasoning.",
    "refusal": "The answer is refusal boilerplate such as 'As an AI language model, I cannot…' or '作为一个AI…'.",
    "duplicate": "Another record has exactly the same conversation (ignoring whitespace); the first copy is kept unflagged.",
    "near_duplicate": "Another record's instruction is almost the same (cosine similarity ≥ 0.95); the first is kept unflagged.",
    "language_mismatch": "The instruction and the answer are in different languages, and the task is not a translation.",
    "truncated": "The answer stops mid-sentence or inside an unclosed code block.",
    "unanswered": "The conversation has no assistant turn, or ends with the user still waiting.",
}

REFUSAL = re.compile(
    r"\bas an? (ai|artificial intelligence)( language)?( model| assistant)?\b|"
    r"\bi('m| am) (sorry|afraid),? but i (can(no|')t|am unable|won't)\b|"
    r"\bi (cannot|can't|am unable to|am not able to) (help|assist|provide|fulfill|comply|complete|do that)\b|"
    r"作为(一个|一名)?(ai|人工智能|AI)(语言模型|助手|模型)?|我(无法|不能)(完成|提供|回答|满足|协助)|抱歉，我(不能|无法)",
    re.I)
REASONING_TASK = re.compile(
    r"\bhow (many|much|far|long|old)\b|\b(calculate|compute|solve|prove|probability|"
    r"equation|remainder|sum of|product of)\b|多少|几[个岁天米元小]|计算|求解|证明|一共|总共|概率|方程",
    re.I)
HAS_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万]")
REASONING_MARKERS = re.compile(
    r"\bstep\b|\bfirst\b|\bthen\b|\btherefore\b|\bbecause\b|\bso\b|\bthus\b|\bsince\b|=|×|\+|÷|"
    r"首先|然后|因为|所以|因此|先算|再算|步骤|得", re.I)
TRANSLATION = re.compile(r"translat|into (english|chinese|french|german|spanish|japanese)|翻译|译成|译为|文言", re.I)
CONNECTOR_END = re.compile(r"(\b(and|or|the|a|an|of|to|in|with|for|is|are|that|because|which)|[,:;(\[{、，：（的和是在])\s*$",
                           re.I)
COT_MIN_TOKENS = 30


@dataclass
class CheckParams:
    max_tokens: int = 4096
    near_duplicate_threshold: float = 0.95


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def flag_records(texts: RecordTexts, tokens: dict[str, np.ndarray], near_group: np.ndarray | None,
                 params: CheckParams) -> tuple[list[list[str]], list[int | None]]:
    """Flags per record, and the id of the record each duplicate repeats (None when it repeats nothing)."""
    n = len(texts)
    flags: list[list[str]] = [[] for _ in range(n)]
    duplicate_of: list[int | None] = [None] * n
    first_copy: dict[str, int] = {}
    for i in range(n):
        f = flags[i]
        instruction, response = texts.instruction[i], texts.response[i]
        t_ins, t_resp = int(tokens["instruction"][i]), int(tokens["response"][i])
        if tokens["conversation"][i] > params.max_tokens:
            f.append("too_long")
        if not texts.has_assistant[i] or not texts.ends_with_assistant[i]:
            f.append("unanswered")
        elif not response.strip():
            f.append("empty_response")
        else:
            if t_ins < 3 or (t_resp < 3 and t_ins > 40 and response.strip().lower() not in instruction.lower()):
                f.append("too_short")
            if _missing_cot(instruction, response, t_resp):
                f.append("missing_cot")
            if REFUSAL.search(response[:400]):
                f.append("refusal")
            if _language_mismatch(instruction, response):
                f.append("language_mismatch")
            if _truncated(response):
                f.append("truncated")
        key = normalize_ws(texts.conversation[i])
        first = first_copy.setdefault(key, i)
        if first != i:
            f.append("duplicate")
            duplicate_of[i] = first
        elif near_group is not None and near_group[i] != i:
            f.append("near_duplicate")
            duplicate_of[i] = int(near_group[i])
    return flags, duplicate_of


def _missing_cot(instruction: str, response: str, response_tokens: int) -> bool:
    if not (REASONING_TASK.search(instruction) and HAS_NUMBER.search(instruction)):
        return False
    return response_tokens < COT_MIN_TOKENS and not REASONING_MARKERS.search(response)


def _language_mismatch(instruction: str, response: str) -> bool:
    if TRANSLATION.search(instruction):
        return False
    a, b = language.guess(instruction), language.guess(response)
    return a is not None and b is not None and a != b


def _truncated(response: str) -> bool:
    if response.count("```") % 2 == 1:
        return True
    tail = response.rstrip()
    return len(tail) > 20 and bool(CONNECTOR_END.search(tail[-20:]))


FEW_SHOT = re.compile(r"^\s*(example\s*\d*|input|q|question|输入|示例|例\s*\d*|问)\s*[:：]", re.I | re.M)


def dataset_facts(texts: RecordTexts) -> dict:
    """Shares of multi-turn and few-shot records and the language mix of instructions."""
    n = len(texts) or 1
    multi = sum(1 for c in texts.user_turn_count if c > 1)
    few_shot = sum(1 for t in texts.instruction if len(FEW_SHOT.findall(t)) >= 2)
    langs: dict[str, int] = {}
    for t in texts.instruction:
        lang = language.guess(t) or "unknown"
        langs[lang] = langs.get(lang, 0) + 1
    return {"multi_turn_share": round(multi / n, 4), "few_shot_share": round(few_shot / n, 4),
            "languages": dict(sorted(langs.items(), key=lambda kv: -kv[1]))}
