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
    "missing_cot": "A task that works a quantity out of several given numbers (or says calculate/solve/prove) is "
                   "answered with a bare result and no visible reasoning.",
    "refusal": "The answer declines or says it cannot do what was asked ('I'm sorry, but I can't help with that', "
               "'抱歉，我无法提供…', 'against my guidelines'); an AI persona or 'I can't help but…' alone is not one.",
    "duplicate": "Another record has exactly the same conversation (ignoring whitespace); the first copy is kept unflagged.",
    "near_duplicate": "An earlier record's embedded text is almost the same: cosine similarity at or above the threshold "
                      "(0.95 unless set), and alike in its own words once the dataset's common wording is left out; "
                      "the earlier one is kept unflagged.",
    "language_mismatch": "The instruction and the answer are in different languages, and the task is not a translation.",
    "truncated": "The answer stops mid-sentence or inside an unclosed code block.",
    "unanswered": "The conversation has no assistant turn, or ends with the user still waiting.",
    "eval_overlap": "The instruction shares a 13-word (13-character for Chinese) passage with an item of an eval set "
                    "you named, or paraphrases one (embedding ≥ 0.90 and shared characters): training on it would "
                    "inflate that eval.",
}

# A refusal needs a refusal *act*: declining, saying it cannot or will not do what was asked, or citing its
# guidelines. An AI persona ("As an AI therapist, I'd suggest…") or a figure of speech ("I cannot help but
# reflect…", "I can't wait") is not one.
_EN_CANT = r"(?:can ?not|can'?t|won'?t|will not|am unable to|'m unable to|am not able to|'m not able to|am not capable of|" \
           r"'m not capable of|must (?:respectfully )?decline to|refuse to|am not (?:allowed|permitted|programmed) to|" \
           r"'m not (?:allowed|permitted|programmed) to)"
_EN_ACT = (r"(?:help(?! but\b| it\b| noticing| thinking| feeling| wondering| laughing| smiling)|assist|provide|fulfil+|"
           r"comply|complete|create|generate|write|produce|give|offer|share|engage|participate|support|answer|"
           r"do (?:that|this|so|what)|perform|draw|display|design|determine|access|browse|retrieve|estimate|"
           r"process|rate|evaluate|summari[sz]e|recommend|endorse|condone|encourage|promote|facilitate|discuss|"
           r"disclose|reveal|pretend|role-?play|continue|translate|modify|edit|analy[sz]e|identify|search|"
           r"physically|in good conscience|ethically)")
_EN_INABILITY = (r"(?:can ?not|can'?t|won'?t|will not|unable|not able|not capable|incapable|must decline|"
                 r"(?:do not|don'?t|does not|doesn'?t) (?:have|possess) (?:the |any )?(?:\w+ (?:or|and) )?(?:ability|"
                 r"capability|capacity|access|means)|(?:do not|don'?t|cannot|can'?t|won'?t) (?:condone|promote|endorse)|"
                 r"not (?:allowed|permitted|programmed|designed) to|no (?:way|ability|access) to|"
                 r"(?:do not|don'?t) feel comfortable)")
_AI_SELF = (r"(?:as an? (?:[\w-]+ ){0,3}?(?:ai|a\.i\.|artificial intelligence|language model|chatbot|virtual assistant)\b|"
            r"\bi(?:'m| am) (?:just |only |merely )?(?:an? )?(?:[\w-]+ ){0,2}?(?:ai|language model|chatbot|"
            r"text-based (?:ai|model|assistant))\b|\bbeing an? (?:ai|language model)\b)")
REFUSAL_PATTERNS: tuple[re.Pattern, ...] = (
    # "I'm sorry, but I can't…", "Sorry, I am unable to…", "Unfortunately, I don't have access…"
    re.compile(r"(?:\b(?:i'?m|i am) (?:so |very |really |truly )?(?:sorry|afraid)|^\W*sorry|\bapologi[sz]e|"
               r"\bmy apologies|\bunfortunately)\b[^.!?\n]{0,80}?\b(?:i |i'm |i am )?" + _EN_INABILITY, re.I | re.M),
    re.compile(r"(?:\b(?:i'?m|i am) sorry|^\W*sorry|\bunfortunately)\b[^.!?\n]{0,40}?\b(?:you (?:didn'?t|did not|"
               r"haven'?t|have not) (?:provide|give|specify|include|share|attach)|you (?:need|will need|have) to "
               r"(?:provide|specify|give|share)|(?:isn'?t|is not|not) enough information)", re.I | re.M),
    # "I cannot provide instructions…", "I won't assist…", "I must decline to…"
    re.compile(r"\bi(?: |(?='))" + _EN_CANT + r" (?:\w+ly )?" + _EN_ACT + r"\b", re.I),
    re.compile(r"\bi (?:do not|don'?t) have (?:any )?(?:access to (?:your|personal|private|real-time|external|the internet|"
               r"current|up-to-date|live)|the (?:ability|capability|capacity) to (?:provide|access|browse|create|draw))|"
               r"\bi (?:cannot|can'?t|won'?t|will not) (?:condone|endorse|promote)\b", re.I),
    # "It is not appropriate to discuss…", "I don't think it's appropriate to…"
    re.compile(r"\b(?:it(?:'s| is| would be)|that(?:'s| is| would be)) not (?:\w+ (?:or|and) )?(?:appropriate|ethical|"
               r"acceptable|okay|responsible|safe)(?: or \w+)? (?:for me )?to (?:ask|discuss|provide|encourage|suggest|"
               r"make|promote|share|give|help|try|request|speculate|joke|describe|assist)\b|"
               r"\bi (?:do not|don'?t) think (?:it'?s|it is|it would be) (?:\w+ )?appropriate\b", re.I),
    re.compile(r"\bi (?:must|have to|need to|will have to|'ll have to) (?:respectfully |politely )?decline\b|"
               r"\bi(?:'m| am) (?:not comfortable|uncomfortable) (?:with |providing|writing|creating|helping|"
               r"answering|engaging)|\bi (?:do not|don'?t) feel comfortable\b", re.I),
    # "it would be inappropriate for me to…", "against my guidelines"
    re.compile(r"\b(?:inappropriate|unethical|irresponsible|not appropriate|not ethical|wrong|not right)"
               r" (?:of|for) me to\b|"
               r"\b(?:against|violates?|violating|goes against|contrary to|outside(?: of)?) (?:my|openai'?s?|"
               r"the (?:content|usage|ethical)|our (?:content|usage)) (?:\w+ ){0,2}?(?:guidelines|polic(?:y|ies)|"
               r"programming|principles|terms|rules|standards)\b", re.I),
    # "As an AI, I cannot…", "I'm an AI language model and do not have the ability to…"
    re.compile(_AI_SELF + r"[^.!?\n]{0,100}?\b" + _EN_INABILITY, re.I),
    # 抱歉，我不能…；我无法提供…；作为AI，我不能…；您没有提供…；违反…政策
    re.compile(r"(?:抱歉|对不起|不好意思|很遗憾|遗憾的是)[^。！？!?\n]{0,40}?(?:不能|无法|没法|没有办法|不可以|不具备|"
               r"不方便|(?:您|你)(?:并)?(?:没有|未|并未)(?:提供|给出|给|告诉|指定))"),
    re.compile(r"(?:您|你)(?:并)?(?:没有|未|并未|没)(?:为我|给我|向我)?(?:提供|给出|给定|给我|告诉|指定)"
               r"[^。！？\n]{0,40}?(?:无法|不能|没法|请|麻烦)"),
    re.compile(r"我(?:目前|暂时|恐怕|并)?(?:不能|无法|没法|没有办法|不可以|不会|拒绝|不便)[^。，,！？!?\n]{0,12}?"
               r"(?:提供|回答|完成|满足|协助|帮助|帮你|帮您|生成|编写|创作|撰写|参与|支持|透露|给出|执行|处理|评估|"
               r"评价|确定|访问|获取|制作|创建|绘制|预测|判断|选出|总结|看到|直接|这样做|继续|扮演|配合|写)"),
    re.compile(r"(?:作为|由于我是|我是|我只是)(?:一个|一名|一款|个)?\s*(?:[\w ]{0,6}?)(?:AI|ai|人工智能|语言模型|文本机器人|"
               r"聊天机器人|机器人)[^。！？!?\n]{0,30}?(?:不能|无法|没法|没有办法|不具备)(?!拥有|像人类)"),
    re.compile(r"(?:违反|违背|不符合)(?:了)?[^。！？\n]{0,8}?(?:内容政策|使用政策|政策|准则|道德规范|伦理|规定)"
               r"[^。！？\n]{0,20}?(?:不能|无法|拒绝)|(?:不能|无法|拒绝)[^。！？\n]{0,20}?(?:违反|违背)"),
)
REFUSAL_WINDOW = 600

# A reasoning task asks for a quantity that must be worked out from several given numbers (or says outright
# to calculate/solve/prove); a question that only recalls a fact ("How many legs does a spider have?",
# "一年有几个月？") is not one, even when it mentions a number or a year.
COMPUTE_TASK = re.compile(r"\b(calculate|compute|solve|prove|equation|remainder|probability)\b|计算|求解|证明|方程|概率", re.I)
QUANTITY_TASK = re.compile(r"\bhow (many|much|far|long|old)\b|\b(sum|product|average|total|difference) of\b|"
                           r"\bwhat is the (total|sum|average|difference)\b|多少|几[个岁天米元小只本条次]|一共|总共|平均", re.I)
OPERAND = re.compile(
    r"(?<![\d.])(?!(?:1[89]|20)\d\d(?![\d.%]))\d+(?:[.,]\d+)?|"
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"hundred|thousand|half|twice|double|triple|dozen|quarter)\b|"
    r"[零一二两三四五六七八九十百千万半]+(?=[个只本元块斤米岁天条张辆支件人次倍名位盒箱包袋瓶杯页道题分角小公千克])", re.I)
NUMBER = re.compile(r"\d+(?:\.\d+)?")
WORD = re.compile(r"[A-Za-z]+")
CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
WORD_PROBLEM_MIN_WORDS = 12
REASONING_MARKERS = re.compile(
    r"\bstep\b|\bfirst\b|\bthen\b|\btherefore\b|\bbecause\b|\bso\b|\bthus\b|\bsince\b|=|×|\+|÷|"
    r"首先|然后|因为|所以|因此|先算|再算|步骤|得", re.I)
TRANSLATION = re.compile(r"translat|into (english|chinese|french|german|spanish|japanese)|翻译|译成|译为|文言", re.I)
CONNECTOR_END = re.compile(r"(\b(and|or|the|a|an|of|to|in|with|for|is|are|that|because|which)|[,:;(\[{、，：（的和是在])\s*$",
                           re.I)
COT_MIN_TOKENS = 30
NOT_CHOICES = {"yes", "no", "true", "false", "是", "否", "对", "错", "正确", "错误", "不是", "不对"}


@dataclass
class CheckParams:
    max_tokens: int = 4096
    near_duplicate_threshold: float = 0.95


def normalize_ws(text: str) -> str:
    return " ".join(text.split())


def is_refusal(response: str) -> bool:
    """True when the answer declines, says it cannot or will not do what was asked, or cites its guidelines.

    Only the first ``REFUSAL_WINDOW`` characters are read: refusal boilerplate opens an answer.
    """
    head = response[:REFUSAL_WINDOW].replace("\u2019", "'")
    return any(p.search(head) for p in REFUSAL_PATTERNS)


def is_reasoning_task(instruction: str) -> bool:
    """True for a word problem: the prompt asks to calculate/solve/prove or asks for a quantity, gives at least two
    numbers to work from (years are not counted), and is a sentence or more (≥ 12 words or CJK characters), so that a
    bare expression such as 'Calculate 5 x 3' or a recalled fact such as '一年有几个月？' is not one."""
    if not (COMPUTE_TASK.search(instruction) or QUANTITY_TASK.search(instruction)):
        return False
    words = len(WORD.findall(instruction)) + len(CJK_CHAR.findall(instruction))
    return len(OPERAND.findall(instruction)) >= 2 and words >= WORD_PROBLEM_MIN_WORDS


def flags_for(instruction: str, response: str, instruction_tokens: int, response_tokens: int,
              conversation_tokens: int, has_assistant: bool = True, ends_with_assistant: bool = True,
              params: CheckParams | None = None, prompt_only: bool = False) -> list[str]:
    """The flags of one record, from its texts and token counts alone (no duplicate/near_duplicate flags).

    ``instruction`` and ``response`` are the record's prompt and last answer as in `RecordTexts`; the token counts
    are those of `explorer.core.tokens.count` for the instruction, the response and the whole conversation.
    Cheap enough to call on every edit of a single record; `flag_records` calls it for each record.
    `prompt_only`: a prompt by design (no answer expected): only the prompt's own checks apply.
    """
    params = params or CheckParams()
    f: list[str] = []
    if conversation_tokens > params.max_tokens:
        f.append("too_long")
    if prompt_only:
        return f + (["too_short"] if instruction_tokens < 3 else [])
    if not has_assistant or not ends_with_assistant:
        f.append("unanswered")
    elif not response.strip():
        f.append("empty_response")
    else:
        if instruction_tokens < 3 or (response_tokens < 3 and instruction_tokens > 40
                                      and response.strip().lower() not in instruction.lower()):
            f.append("too_short")
        if _missing_cot(instruction, response, response_tokens):
            f.append("missing_cot")
        if is_refusal(response):
            f.append("refusal")
        if _language_mismatch(instruction, response):
            f.append("language_mismatch")
        if _truncated(response):
            f.append("truncated")
    return f


def flag_records(texts: RecordTexts, tokens: dict[str, np.ndarray], near_group: np.ndarray | None,
                 params: CheckParams) -> tuple[list[list[str]], list[int | None]]:
    """Flags per record, and the id of the record each duplicate repeats (None when it repeats nothing)."""
    n = len(texts)
    flags: list[list[str]] = []
    duplicate_of: list[int | None] = [None] * n
    first_copy: dict[str, int] = {}
    prompt_only = texts.prompt_only if len(texts.prompt_only) else [False] * n
    columns = zip(texts.instruction, texts.response, texts.conversation, tokens["instruction"].tolist(),
                  tokens["response"].tolist(), tokens["conversation"].tolist(), texts.has_assistant,
                  texts.ends_with_assistant, prompt_only)  # read in order: packed columns decode fastest so
    for i, (instruction, response, conversation, n_in, n_out, n_all, has_answer, ends_answered, prompt) in \
            enumerate(columns):
        f = flags_for(instruction, response, n_in, n_out, n_all, bool(has_answer), bool(ends_answered), params,
                      bool(prompt))
        flags.append(f)
        key = normalize_ws(conversation)
        first = first_copy.setdefault(key, i)
        if first != i:
            f.append("duplicate")
            duplicate_of[i] = first
        elif near_group is not None and near_group[i] != i:
            f.append("near_duplicate")
            duplicate_of[i] = int(near_group[i])
    return flags, duplicate_of


def _missing_cot(instruction: str, response: str, response_tokens: int) -> bool:
    if not is_reasoning_task(instruction):
        return False
    answer_numbers = set(NUMBER.findall(response))
    if answer_numbers and answer_numbers <= set(NUMBER.findall(instruction)):
        return False  # the answer is copied from the prompt: extraction, not a computation
    if _offered_choice(instruction, response):
        return False  # one of the classes the prompt lists: a headline that asks "多少钱？" is still a classification
    return response_tokens < COT_MIN_TOKENS and not REASONING_MARKERS.search(response)


def _offered_choice(instruction: str, response: str) -> bool:
    """The answer is one of the prompt's own words for it — a class or an option's text, not a letter, a number or
    yes/no (which a word problem may ask for)."""
    answer = response.strip().strip("。.!！").strip().lower()
    return len(answer) >= 2 and not NUMBER.search(answer) and answer not in NOT_CHOICES and answer in instruction.lower()


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
    """Shares of multi-turn, few-shot and prompt-only records, and the language mix of instructions."""
    n = len(texts) or 1
    prompts = int(np.count_nonzero(texts.prompt_only))
    multi = int(np.count_nonzero(np.asarray(texts.user_turn_count) > 1))
    few_shot = sum(1 for t in texts.instruction if len(FEW_SHOT.findall(t)) >= 2)
    langs: dict[str, int] = {}
    for t in texts.instruction:
        lang = language.guess(t) or "unknown"
        langs[lang] = langs.get(lang, 0) + 1
    return {"multi_turn_share": round(multi / n, 4), "few_shot_share": round(few_shot / n, 4),
            "prompt_only_share": round(prompts / n, 4),
            "languages": dict(sorted(langs.items(), key=lambda kv: -kv[1]))}
