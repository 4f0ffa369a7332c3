"""Whether a pause in an answer is the end of it: the pause *and* the text so far. Pure.

A pause after a complete sentence ends an answer after the short pause (``ANSWER_PAUSE_S``);
a pause after an unfinished sentence or a thinking phrase is a thinking pause and waits longer
(``THINKING_PAUSE_S``). :func:`waiting_reason` says which, from the answer's text so far (its
final transcripts joined):

* ``"thinking"``: the text's last clause is a thinking phrase (:data:`THINKING_PHRASES`: "let me
  think", "give me a second", "good question", "how do I put this", "let me see"...) or a
  hesitation sound (um, uh, hmm...; not in capitals: "the ER"); only the last clause (after
  the last . ! ? ; : or comma; a "please" or "sorry" after it is left out) counts, so "Let me
  think. I would add an index." is complete;
* ``"unfinished"``: the text ends mid-sentence: with a comma, a colon, a dash or an ellipsis
  ("..." or "…"), with a word that never ends a sentence (:data:`NEVER_LAST`: "and", "but",
  "because", "the", "my"...) whatever punctuation follows, or, with no sentence-ending
  punctuation after it, with a word that may end one (:data:`OPEN_LAST`: "so", "to", "of" and
  the other prepositions; "I think so." and "what it is made of." are complete);
* None: a complete answer (so far).
"""

from __future__ import annotations

import re

from analyzers.fillers import FILLER_SOUNDS

THINKING = "thinking"
UNFINISHED = "unfinished"

#: Phrases (regular expressions over lower-case words separated by single spaces) that, as the
#: whole last clause (after interjections such as "okay", "so", "well": :data:`LEAD_INS`), say
#: the candidate is still thinking ("That's what I'm thinking." is not one).
THINKING_PHRASES = (
    r"let me think(?: about (?:it|that|this(?: one)?))?(?: for a (?:second|sec|moment|minute))?",
    r"let me (?:see|recall|remember)",
    r"let's see",
    r"i(?:'m| am) thinking",
    r"i need to think(?: about (?:it|that|this))?(?: for a (?:second|sec|moment|minute))?",
    r"(?:just )?give me (?:a|one) (?:second|sec|moment|minute)",
    r"(?:just )?(?:a|one) (?:second|sec|moment|minute)",
    r"(?:hold on|bear with me|wait)",
    r"(?:that's |that is |it's |it is )?(?:a )?(?:very |really )?(?:good|great|interesting|tough|"
    r"hard|difficult) question",
    r"how (?:do|can|should|would) i (?:put|say|phrase|explain) (?:this|it|that)",
    r"where (?:do i|should i|to) (?:start|begin)",
)
#: Words a thinking clause may start with ("okay so let me think").
LEAD_INS = ("ok", "okay", "so", "well", "right", "alright", "now", "and", "but", "oh", "yeah",
            "yes", "hmm", "um", "uh", "actually", "honestly", "just")
_THINKING = re.compile(r"^(?:(?:" + "|".join(LEAD_INS) + r") )*(?:"
                       + "|".join(THINKING_PHRASES) + r")$")

#: Words that never end a sentence: articles, possessives, coordinating and subordinating
#: conjunctions (the sentence goes on even when a full stop was transcribed after them).
NEVER_LAST = frozenset({
    "the", "a", "an", "my", "your", "our", "their", "its",
    "and", "but", "or", "nor", "because", "although", "if", "unless", "whereas", "whether",
})
#: Words that may end a sentence ("I think so.", "what it is made of."): unfinished only with
#: no sentence-ending punctuation after them.
OPEN_LAST = frozenset({
    "so", "to", "of", "with", "for", "in", "on", "at", "from", "by", "about", "into", "than",
    "as", "like", "then", "which", "that", "when", "while", "since", "until", "such",
    "also", "is", "are", "was", "were", "be",
})

#: Clauses of only these words are skipped ("One moment, please.")
TRAILERS = frozenset({"please", "sorry"})

_ELLIPSIS = re.compile(r"\.(?: ?\.)+$|…$")
_OPEN_PUNCT = frozenset(",:;-–—")
_SENTENCE_END = frozenset(".!?")
_CLAUSE = re.compile(r"[.!?;:,…—–]+|\s-\s")
_WORD = re.compile(r"[A-Za-z0-9']+")


def _is_sound(token: str) -> bool:
    """A hesitation sound (um, hmm...), not an acronym in capitals ("ER")."""
    return token.lower() in FILLER_SOUNDS and not (len(token) > 1 and token.isupper())


def waiting_reason(text: str) -> str | None:
    """"thinking", "unfinished" or None (complete) for an answer's text so far (module
    docstring)."""
    text = " ".join(str(text or "").split()).replace("’", "'")
    if not text:
        return None
    clauses = [c for c in _CLAUSE.split(text) if _WORD.search(c)]
    while len(clauses) > 1 and {w.lower() for w in _WORD.findall(clauses[-1])} <= TRAILERS:
        clauses.pop()
    if not clauses:
        return None
    words = [w for w in _WORD.findall(clauses[-1]) if w.lower() not in TRAILERS] or [""]
    if _is_sound(words[-1]):
        return THINKING
    if _THINKING.match(" ".join(w.lower() for w in words)):
        return THINKING
    if _ELLIPSIS.search(text) or text[-1] in _OPEN_PUNCT:
        return UNFINISHED
    last = words[-1].lower()
    if last in NEVER_LAST:
        return UNFINISHED
    if last in OPEN_LAST and text[-1] not in _SENTENCE_END:
        return UNFINISHED
    return None


def end_pause_s(text: str, answer_pause_s: float, thinking_pause_s: float
                ) -> tuple[float, str | None]:
    """The silence that ends an answer whose text so far is `text`, and why it is the longer
    one (:func:`waiting_reason`; None: the short pause)."""
    reason = waiting_reason(text)
    if reason is None or thinking_pause_s <= answer_pause_s:
        return answer_pause_s, None
    return thinking_pause_s, reason


#: Utterances that, said on their own, ask for the next question (regular expressions over the
#: lower-case words; an utterance with anything else in it is part of the answer).
NEXT_COMMANDS = (
    r"(?:(?:ok|okay|so|alright|right) )?(?:the )?next(?: question)?(?: please)?",
    r"(?:(?:ok|okay|so|alright|right) )?(?:i'm|i am) (?:done|finished)",
    r"(?:(?:ok|okay|so|alright|right) )?that's (?:all|it|my answer)(?: for this (?:one|question))?",
    r"(?:let's |can we )?(?:move on|go on)(?: to the next(?: one| question)?)?(?: please)?",
)
_NEXT = re.compile(r"^(?:" + "|".join(NEXT_COMMANDS) + r")$")


def is_next_command(text: str) -> bool:
    """True when a whole utterance is the candidate asking for the next question ("Next.",
    "Next question, please.", "I'm done.", "That's my answer."), said instead of pressing it."""
    words = _WORD.findall(str(text or "").replace("’", "'").lower())
    return bool(words) and bool(_NEXT.match(" ".join(words)))
