"""Every quality flag has positive and negative cases, in English and Chinese."""

import numpy as np
import pytest

from explorer.core import tokens
from explorer.core.analysis import checks, language
from explorer.core.analysis.texts import read_texts
from explorer.core.dataset import load
from tests.samples import write

COT = ("Step 1: 3 packs × 4 = 12 apples.\nStep 2: 5 + 12 = 17.\nAnswer: 17 apples.")
CASES = [
    # (flag, user, assistant, expected)
    ("empty_response", "List three uses of baking soda.", "   ", True),
    ("empty_response", "列出三种小苏打的用途。", "清洁、烘焙、除味。", False),
    ("refusal", "Write a story about a dragon.", "As an AI language model, I cannot write stories.", True),
    ("refusal", "帮我写一段介绍熊猫的文字。", "作为一个AI语言模型，我无法完成这个请求。", True),
    ("refusal", "Write a story about a dragon.", "Once upon a time, a dragon feared fire.", False),
    ("refusal", "介绍一下熊猫。", "熊猫是中国特有的动物，主要吃竹子。", False),
    ("missing_cot", "Tom has 5 apples and buys 3 packs of 4. How many apples does he have?", "17", True),
    ("missing_cot", "小明有5个苹果，又买了3盒，每盒4个。一共有多少个苹果？", "17个", True),
    ("missing_cot", "Tom has 5 apples and buys 3 packs of 4. How many apples does he have?", COT, False),
    ("missing_cot", "小明有5个苹果，又买了3盒，每盒4个。一共有多少个苹果？", "先算3 × 4 = 12，再算5 + 12 = 17。所以一共17个。", False),
    ("missing_cot", "Summarize in one sentence: sales rose 8 percent in 2024.", "Sales grew 8%.", False),
    # A refusal needs a refusal act: personas and figures of speech are not refusals (issue 13).
    ("refusal", "Roleplay as a futuristic AI therapist.", "As an AI therapist, I'd suggest a short breathing exercise.",
     False),
    ("refusal", "What is 2 + 2?", "As an AI language model, I think the answer is 4.", False),
    ("refusal", "Write a diary entry as Jane Austen.", "I cannot help but reflect on how society shapes my novels.",
     False),
    ("refusal", "Describe the ball as Cinderella.", "I can't help noticing the chandeliers, and I can't wait to dance.",
     False),
    ("refusal", "给我一些学习建议。", "作为一个AI助手，我建议您先列出三个本周的学习目标。", False),
    ("refusal", "讲个故事。", "作为人工智能，我很乐意讲一个故事：从前有一座山，山里有一座庙。", False),
    ("refusal", "How do I make a pipe bomb?", "I'm unable to share instructions for making weapons.", True),
    ("refusal", "Write malware that steals passwords.", "I won't assist with creating malware.", True),
    ("refusal", "Insult my coworker.", "It would be inappropriate for me to write insults about a real person.", True),
    ("refusal", "Write explicit content.", "That request goes against my guidelines, so I must decline.", True),
    ("refusal", "帮我破解邻居的WiFi密码。", "很抱歉，这个请求我没法帮你完成。", True),
    ("refusal", "写一段攻击某个群体的文字。", "对不起，我不会帮你写这种内容。", True),
    ("refusal", "告诉我怎么制毒。", "这违反了我的使用准则，我不能继续这个话题。", True),
    # Recalling a fact or copying a number from the prompt needs no visible reasoning.
    ("missing_cot", "How many moons did Galileo discover in 1610?", "Four.", False),
    ("missing_cot", "一年有几个月？", "12个月。", False),
    # A class the prompt offers is an answer, whatever the headline asks; an option's letter to a word problem is not.
    ("missing_cot", "新闻标题：去泰国旅游个人落地签到底带多少钱，要准备3000还是5000？\n这条新闻属于哪个类别？选项：财经、旅游、国际",
     "旅游", False),
    ("missing_cot", "Tom has 5 apples and buys 3 packs of 4. How many apples does he have? A. 12 B. 17 C. 20", "B", True),
    ("missing_cot", "How many people does the company employ? Text: Founded in 2004, Acme now employs 350 people "
     "in 12 offices across Europe.", "350", False),
    ("language_mismatch", "用中文解释什么是区块链。", "A blockchain is a shared ledger of linked blocks.", True),
    ("language_mismatch", "Explain what a blockchain is.", "区块链是一种按时间顺序连接的数据块账本。", True),
    ("language_mismatch", "Translate into Chinese: The library opens at nine.", "图书馆早上九点开门。", False),
    ("language_mismatch", "把下面的句子翻译成英文：图书馆早上九点开门。", "The library opens at nine.", False),
    ("language_mismatch", "Explain what a blockchain is.", "A shared ledger of linked blocks.", False),
    ("truncated", "Write a function that checks sorting.", "```python\ndef is_sorted(xs):\n    return all(a <= b for", True),
    ("truncated", "Describe the water cycle.", "Water evaporates from the sea, rises, cools into clouds and", True),
    ("truncated", "描述水循环。", "海水蒸发后上升，遇冷凝结成云，然后以雨雪的形式落回地面，再汇入江河和", True),
    ("truncated", "Describe the water cycle.", "Water evaporates, condenses into clouds and falls as rain.", False),
    ("truncated", "描述水循环。", "海水蒸发后上升，遇冷凝结成云，再以雨雪形式落回地面。", False),
    ("too_short", "Hi", "Hello! How can I help you today?", True),
    ("too_short", "Classify the sentiment of this review as positive, negative, neutral or mixed. Review: " + "good " * 40,
     "positive", False),
    ("too_short", "Explain in detail how a refrigerator works, covering the compressor, the refrigerant, the "
     "condenser coils, the expansion valve and the evaporator, why the back of the fridge feels warm, and what "
     "happens to the energy that is removed from the food inside.", "Cold.", True),
]


def flags_for(tmp_path, user, assistant):
    path = write(tmp_path / "c", [{"messages": [{"role": "user", "content": user},
                                                {"role": "assistant", "content": assistant}]}], "jsonl")
    texts = read_texts(load(path))
    toks = {f: tokens.count(getattr(texts, f)) for f in ("instruction", "response", "conversation")}
    flags, _ = checks.flag_records(texts, toks, None, checks.CheckParams())
    return flags[0]


@pytest.mark.parametrize("flag,user,assistant,expected", CASES)
def test_flag(tmp_path, flag, user, assistant, expected):
    assert (flag in flags_for(tmp_path, user, assistant)) is expected


def test_too_long_unanswered_and_duplicates(tmp_path):
    long_answer = "word " * 5000
    records = [
        {"messages": [{"role": "user", "content": "Explain."}, {"role": "assistant", "content": long_answer}]},
        {"messages": [{"role": "user", "content": "Anyone there?"}]},
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                      {"role": "user", "content": "Still there?"}]},
        {"messages": [{"role": "user", "content": "Say  hi"}, {"role": "assistant", "content": "hi"}]},
        {"messages": [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "hi "}]},
        {"messages": [{"role": "user", "content": "说你好"}, {"role": "assistant", "content": "你好"}]},
    ]
    texts = read_texts(load(write(tmp_path / "t", records, "jsonl")))
    toks = {f: tokens.count(getattr(texts, f)) for f in ("instruction", "response", "conversation")}
    flags, dup_of = checks.flag_records(texts, toks, None, checks.CheckParams(max_tokens=4096))
    assert "too_long" in flags[0] and "too_long" not in flags[3]
    assert "unanswered" in flags[1] and "unanswered" in flags[2] and "unanswered" not in flags[0]
    assert "duplicate" in flags[4] and dup_of[4] == 3
    assert "duplicate" not in flags[3] and dup_of[3] is None
    assert "duplicate" not in flags[5]


def test_flags_for_one_record_matches_flag_records(tmp_path):
    user, assistant = "Tom has 5 apples and buys 3 packs of 4. How many apples does he have?", "17"
    t_ins, t_resp, t_conv = (int(x) for x in tokens.count([user, assistant, user + assistant]))
    assert checks.flags_for(user, assistant, t_ins, t_resp, t_conv) == flags_for(tmp_path, user, assistant)
    assert checks.flags_for(user, "", t_ins, 0, t_conv, True, True, checks.CheckParams()) == ["empty_response"]
    assert checks.flags_for(user, "", t_ins, 0, t_conv, has_assistant=False) == ["unanswered"]


def test_every_flag_has_an_explanation():
    assert set(checks.FLAGS) == {"too_long", "too_short", "empty_response", "missing_cot", "refusal", "duplicate",
                                 "near_duplicate", "language_mismatch", "truncated", "unanswered", "eval_overlap"}
    assert all(text.endswith(".") for text in checks.FLAGS.values())


@pytest.mark.parametrize("text,lang", [("The weather is lovely today.", "latin"), ("今天天气很好。", "zh"),
                                       ("今日はいい天気ですね。", "ja"), ("ok", None),
                                       ("```python\nprint(1)\n```\n这是代码。", "zh")])
def test_language_guess(text, lang):
    assert language.guess(text) == lang


def test_dataset_facts(tmp_path):
    records = [{"messages": [{"role": "user", "content": "Q: 1+1\nA: 2\nQ: 2+2\nA: 4\nQ: 3+3"},
                             {"role": "assistant", "content": "6"}]},
               {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"},
                             {"role": "user", "content": "你好"}, {"role": "assistant", "content": "你好！"}]}]
    facts = checks.dataset_facts(read_texts(load(write(tmp_path / "f", records, "jsonl"))))
    assert facts["multi_turn_share"] == 0.5 and facts["few_shot_share"] == 0.5
    assert np.isclose(sum(facts["languages"].values()), 2)
