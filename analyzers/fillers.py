"""Filler words in a transcript, by documented rules (conservative: a doubt is not a filler).

Rules, applied to the tokens of one transcript (an utterance starts a sentence; a hyphenated
word such as "SQL-like" is one token; "set off" = punctuation or the text's edge on that side):

* hesitation sounds (:data:`FILLER_SOUNDS`: um, uh, er, hmm...) are always fillers, except
  when written in capitals ("the ER diagram": an acronym) or, for "er"/"ah", right after a
  determiner without punctuation ("the er diagram");
* "like", "sort of", "kind of": only when set off on both sides ("so, like, we"); not "I like
  Redis", "kind of data", "SQL-like";
* "you know" (and "y'know"): a filler unless it is part of a clause: not after
  :data:`YOU_KNOW_BEFORE` ("do you know", "let you know", "as you know") and not before
  :data:`YOU_KNOW_AFTER` ("you know how", "you know that", "you know the...");
* "i mean": set off on both sides ("I mean, we...", "it was, I mean, slow");
* "so", "basically", "well": sentence-initial discourse markers ("So we cached it",
  "Basically, it's a queue", "Well, ..."; "well" only with a comma after it), except "so
  that/far/much/many/long"; "basically" also when set off on both sides.
"""

from __future__ import annotations

import re
from collections import Counter

#: Hesitation sounds, fillers wherever they occur (see the exceptions above).
FILLER_SOUNDS = frozenset(
    {"um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mhm"}
)
#: Sounds that are also parts of noun phrases ("the er diagram"): not fillers after these.
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "our", "your", "my", "their", "its"})
#: "you know" after one of these is a clause ("do you know", "let you know").
YOU_KNOW_BEFORE = frozenset({
    "do", "does", "did", "don't", "doesn't", "didn't", "if", "as", "whether", "let", "lets",
    "letting", "will", "would", "could", "can", "should", "might", "may", "won't", "wouldn't",
    "can't", "couldn't", "what", "that", "everything", "anything", "things", "sure",
})
#: "you know" before one of these has an object or a clause ("you know how it works").
YOU_KNOW_AFTER = frozenset({
    "how", "what", "that", "why", "where", "when", "whether", "if", "which", "who", "whom",
    "whose", "the", "a", "an", "about", "it", "this", "these", "those", "them", "him", "her",
    "me", "us", "my", "your", "his", "their", "our", "its", "there", "one", "someone",
    "something", "anything", "everything", "each", "all", "any", "more", "best", "exactly",
})
#: "so" starting a sentence is a connective, not a filler, before these.
SO_NOT_FILLER = frozenset({"that", "far", "much", "many", "long"})
#: Every filler this module can report (the keys of :func:`count_fillers`).
FILLERS = (*sorted(FILLER_SOUNDS), "like", "you know", "i mean", "sort of", "kind of", "so",
           "basically", "well")

_TOKEN = re.compile(r"[A-Za-z0-9']+(?:-[A-Za-z0-9']+)*|[,.;:!?…—–]|\s-\s")
_SENTENCE_END = frozenset(".!?…")
_WORD = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> list[str]:
    """Lower-case word tokens of a transcript ("SQL-like" is two words)."""
    return _WORD.findall(text.lower())


def _is_word(tok: str) -> bool:
    return tok[0].isalnum() or tok[0] == "'"


def count_fillers(text: str) -> Counter[str]:
    """Filler occurrences in a transcript, by filler (the rules in the module docstring)."""
    raw = _TOKEN.findall(text)
    low = [t.strip().lower() for t in raw]
    n = len(low)
    counts: Counter[str] = Counter()

    def word(i: int) -> str | None:
        return low[i] if 0 <= i < n and _is_word(raw[i]) else None

    def edge_before(i: int) -> bool:  # set off before position i
        return i == 0 or not _is_word(raw[i - 1])

    def edge_after(i: int) -> bool:  # set off after position i
        return i >= n or not _is_word(raw[i])

    def sentence_start(i: int) -> bool:
        return i == 0 or low[i - 1] in _SENTENCE_END

    for i, tok in enumerate(low):
        if not _is_word(raw[i]):
            continue
        if tok in FILLER_SOUNDS:
            acronym = len(raw[i]) > 1 and raw[i].isupper()
            noun = tok in ("er", "ah") and word(i - 1) in DETERMINERS
            if not acronym and not noun:
                counts[tok] += 1
        elif tok == "y'know":
            counts["you know"] += 1
        elif tok == "like" and edge_before(i) and edge_after(i + 1):
            counts["like"] += 1
        elif tok in ("sort", "kind") and word(i + 1) == "of" and edge_before(i) \
                and edge_after(i + 2):
            counts[f"{tok} of"] += 1
        elif tok == "you" and word(i + 1) == "know":
            if word(i - 1) not in YOU_KNOW_BEFORE and word(i + 2) not in YOU_KNOW_AFTER:
                counts["you know"] += 1
        elif tok == "i" and word(i + 1) == "mean":
            if edge_before(i) and edge_after(i + 2):
                counts["i mean"] += 1
        elif tok == "so" and sentence_start(i) and word(i + 1) not in SO_NOT_FILLER:
            counts["so"] += 1
        elif tok == "basically" and (sentence_start(i) or (edge_before(i) and edge_after(i + 1))):
            counts["basically"] += 1
        elif tok == "well" and sentence_start(i) and i + 1 < n and low[i + 1] == ",":
            counts["well"] += 1
    return counts


def sound_count(counts: Counter[str]) -> int:
    """How many of `counts` are hesitation sounds (not words of the answer)."""
    return sum(v for k, v in counts.items() if k in FILLER_SOUNDS)
