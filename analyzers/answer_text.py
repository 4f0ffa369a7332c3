"""Text side of the offline evaluator: answer units, negation (polarity) and list detection.

A spoken answer (a Whisper transcript) is cut into units: sentences, and long run-on sentences
into clause groups of a few words. Each unit records whether it reads like a sentence (function
words, no bare comma list) and, per clause, whether it is negated ("is not", "never",
"doesn't"), so a matching claim can be told apart from its denial.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

MAX_UNIT_WORDS = 28
MIN_CHUNK_WORDS = 6

_FILLER_RE = re.compile(r"\b(?:um+|uh+|erm+|er|hmm+|mm+|uhm+|ah)\b[,.]?\s*", re.I)
_SENT_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")
_CLAUSE_SPLIT = re.compile(
    r",\s*|\s+(?=(?:but|so|because|whereas|although|though|while|which|and then|and so|"
    r"otherwise|unless|instead of|rather than)\b)", re.I)
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'\-]*")

FUNCTION_WORDS = frozenset([
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "it's", "they", "them",
    "their", "we", "our", "us", "i", "i'm", "i've", "me", "my", "you", "your", "he", "she",
    "his", "her", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
    "done", "have", "has", "had", "having", "will", "would", "can", "could", "should", "may",
    "might", "must", "shall", "to", "of", "in", "on", "at", "by", "for", "with", "from",
    "into", "onto", "about", "as", "than", "then", "so", "and", "or", "but", "if", "because",
    "when", "while", "where", "which", "who", "what", "how", "why", "not", "no", "there",
    "here", "just", "also", "only", "very", "too", "all", "some", "any", "each", "every",
    "more", "most", "much", "many", "few", "one", "really", "actually", "like", "get", "got",
    "make", "makes", "made", "use", "used", "using", "need", "needs", "needed", "want",
    "wanted", "go", "goes", "went", "say", "said", "think", "thought", "know", "knew", "mean",
    "means",
])

_NEGATION_RE = re.compile(
    r"\b(?:not|never|no|none|nobody|nothing|neither|nor|cannot|without|instead of|rather than)"
    r"\b|n't\b", re.I)
#: points about a problem to avoid: "never sees a stampede" and "a stampede happens, so we
#: lock" both agree with "protect against cache stampede", so polarity is not judged
_PREVENTIVE_RE = re.compile(
    r"\b(?:avoid|prevent|protect against|guard against|mitigate|detect|handle)\w*", re.I)
#: phrases with a negation word that do not deny the claim around them
_NOT_NEGATION_RE = re.compile(
    r"\b(?:not only|not just|no more than|not more than|no less than|no matter|whether or not|"
    r"or not|not necessarily|no doubt|not a problem|no problem|nobody else|no one else|"
    r"nothing else|no other)\b", re.I)
_CONDITIONAL_RE = re.compile(r"^(?:if|unless|otherwise|else|or else|without|in case)\b", re.I)
_STRIP = ((r"\bcan ?not\b|\bcan't\b", "can"), (r"\bwon't\b", "will"), (r"\bisn't\b", "is"),
          (r"\baren't\b", "are"), (r"\bwasn't\b", "was"), (r"\bweren't\b", "were"),
          (r"\b(?:don't|doesn't|didn't)\b", ""), (r"\bshouldn't\b", "should"),
          (r"\bwouldn't\b", "would"), (r"\bhasn't\b", "has"), (r"\bhaven't\b", "have"),
          (r"\bwithout\b", "with"), (r"\b(?:instead of|rather than)\b", ""),
          (r"\b(?:not|never|no|neither|nor)\b", ""),
          (r"n't\b", ""))

#: acronyms spelled out before embedding (both the answer and the points), so "TTL" meets
#: "time to live" and "expiry"
ACRONYMS = {
    "ttl": "time to live expiry", "lru": "least recently used", "db": "database",
    "k8s": "kubernetes", "vm": "virtual machine", "ci": "continuous integration",
    "cd": "continuous delivery", "tp": "true positives", "fp": "false positives",
    "fn": "false negatives", "sla": "service level agreement", "slo": "service level objective",
    "mvp": "minimum viable product", "xss": "cross site scripting",
    "csrf": "cross site request forgery", "ssr": "server side rendering",
    "dom": "document object model", "acid": "atomic consistent isolated durable",
    "mfa": "multi factor authentication", "2fa": "two factor authentication",
    "oom": "out of memory", "gc": "garbage collection", "cdn": "content delivery network",
    "iac": "infrastructure as code", "pr": "pull request", "kpi": "key metric",
    "okr": "objectives and key results", "roi": "return on investment", "ux": "user experience",
}
_ACRONYM_RE = re.compile(r"\b(" + "|".join(map(re.escape, ACRONYMS)) + r")\b", re.I)


def words(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes and hyphens kept inside words)."""
    return _WORD_RE.findall(text.lower().replace("’", "'"))


def expand_acronyms(text: str) -> str:
    """``text`` with known acronyms followed by their spelled-out form."""
    return _ACRONYM_RE.sub(lambda m: f"{m.group(1)} ({ACRONYMS[m.group(1).lower()]})", text)


def negation_count(text: str) -> int:
    """Negation cues in ``text`` that deny something (idioms like "not only" excluded)."""
    cleaned = _NOT_NEGATION_RE.sub(" ", text.lower().replace("’", "'"))
    return len(_NEGATION_RE.findall(cleaned))


def is_negated(text: str) -> bool:
    """An odd number of negation cues: the text denies what its words say."""
    return negation_count(text) % 2 == 1


def is_preventive(text: str) -> bool:
    """A point about a problem to avoid ("prevent", "protect against", "detect", "handle")."""
    return bool(_PREVENTIVE_RE.search(text))


def claim_negated(text: str) -> bool:
    """Polarity of a point or misconception: that of its main (first) clause, so "reuse X
    instead of opening Y" is affirmative."""
    parts = [p for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    return is_negated(parts[0] if parts else text)


def strip_negation(text: str) -> str:
    """The affirmative form of ``text`` ("you never need to X" -> "you need to X")."""
    out = text.lower().replace("’", "'")
    out = _NOT_NEGATION_RE.sub(lambda m: m.group(0).replace("not", "").replace("no ", ""), out)
    for pattern, repl in _STRIP:
        out = re.sub(pattern, repl, out)
    return re.sub(r"\s+", " ", out).strip()


#: order / comparison markers: "A than B", "A before B" put A first; "A after B" puts B first
_ORDER_RE = re.compile(r"\s(than|before|ahead of|prior to|after|later than)\s")
_FLIP_MARKERS = frozenset({"after", "later than"})
#: comparatives that say the opposite of each other ("faster than" vs "slower than")
_OPPOSITES = {"faster": "slower", "quicker": "slower", "more": "less", "better": "worse",
              "cheaper": "costlier", "higher": "lower", "heavier": "lighter",
              "bigger": "smaller", "larger": "smaller", "earlier": "later", "stronger": "weaker"}
_DIRECTION = {**{k: 1 for k in _OPPOSITES}, **{v: -1 for v in _OPPOSITES.values()}}


@functools.lru_cache(maxsize=4096)
def _sides(text: str) -> tuple[set[str], set[str]] | None:
    """Key words of the thing put first and of the thing put second by an order or
    comparison marker ("than", "before", "after"), or None when there is none."""
    from analyzers.terms import key_terms

    m = _ORDER_RE.search(f" {text.lower()} ")
    if not m:
        return None
    left, right = f" {text.lower()} "[: m.start()], f" {text.lower()} "[m.end() :]
    direction = next((_DIRECTION[w] for w in reversed(words(left)) if w in _DIRECTION), 1)
    lt, rt = set(key_terms(left)), set(key_terms(right))
    first, second = lt - rt, rt - lt
    if (m.group(1) in _FLIP_MARKERS) != (direction < 0):
        first, second = second, first
    return first, second


def _meet(a: set[str], b: set[str]) -> bool:
    """Some term of ``a`` equals, or contains, one of ``b`` ("settimeout" / "timeout")."""
    return any(x == y or (min(len(x), len(y)) >= 4 and (x in y or y in x)) for x in a for y in b)


def reversed_comparison(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` order or compare the same two things the other way round
    ("threads are cheaper than processes" vs "processes are cheaper than threads"; "promises
    run before timeouts" vs "timeouts run before promises" or "timeouts run after promises")."""
    sa, sb = _sides(a), _sides(b)
    if sa is None or sb is None:
        return False
    return _meet(sa[0], sb[1]) and _meet(sa[1], sb[0]) and not (
        _meet(sa[0], sb[0]) and _meet(sa[1], sb[1]))


@functools.lru_cache(maxsize=4096)
def _directions(text: str) -> frozenset[int]:
    return frozenset(_DIRECTION[w] for w in words(text) if w in _DIRECTION)


def opposite_direction(a: str, b: str) -> bool:
    """True when ``a`` uses only comparatives opposite to those of ``b`` ("writes get
    slower" vs "makes every query faster")."""
    da, db = _directions(a), _directions(b)
    return len(da) == 1 and len(db) == 1 and da != db


@dataclass
class Clause:
    """A part of a unit between commas / conjunctions, with its polarity."""

    text: str
    negated: bool
    conditional: bool


@dataclass
class Unit:
    """One answer sentence (or part of a long one), as said and as matched."""

    text: str
    n_words: int
    sentence_like: bool
    clauses: list[Clause] = field(default_factory=list)

    @property
    def negated(self) -> bool:
        return sum(c.negated for c in self.clauses) % 2 == 1


def clean(answer: str) -> str:
    """Whitespace collapsed and hesitation fillers ("um", "uh") removed."""
    text = _FILLER_RE.sub("", answer or "")
    return re.sub(r"\s+", " ", text).strip()


def _function_ratio(toks: list[str]) -> float:
    return sum(t in FUNCTION_WORDS for t in toks) / len(toks) if toks else 0.0


def looks_like_sentence(text: str) -> bool:
    """False for buzzword lists: almost no function words, or mostly short comma-separated
    items ("redis, lru, ttl, write-through")."""
    toks = words(text)
    if len(toks) < 3:
        return len(toks) > 0 and _function_ratio(toks) > 0
    ratio = _function_ratio(toks)
    if ratio < 0.10:
        return False
    items = [i for i in re.split(r",|\band\b|\bor\b", text.lower()) if i.strip()]
    short = [i for i in items if len(words(i)) <= 2]
    if len(items) >= 4 and sum(len(words(i)) for i in short) >= 0.5 * len(toks):
        return False
    return not (len(toks) >= 12 and ratio < 0.15)


def _clauses(text: str) -> list[Clause]:
    parts = [p.strip() for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    return [Clause(p, is_negated(p), bool(_CONDITIONAL_RE.match(p))) for p in parts] or [
        Clause(text, is_negated(text), False)]


def _chunks(sentence: str) -> list[str]:
    """A long sentence as groups of clauses of about MAX_UNIT_WORDS words."""
    toks = sentence.split()
    if len(toks) <= MAX_UNIT_WORDS:
        return [sentence]
    parts = [p.strip() for p in re.split(r"(?<=,)\s+|\s+(?=(?:but|so|because|and then|and so|"
                                         r"which|whereas|although|also)\b)", sentence) if p]
    out: list[str] = []
    current: list[str] = []
    for part in parts:
        n_current = sum(len(p.split()) for p in current)
        if current and n_current + len(part.split()) > MAX_UNIT_WORDS and \
                n_current >= MIN_CHUNK_WORDS:
            out.append(" ".join(current))
            current = []
        current.append(part)
    if current:
        out.append(" ".join(current))
    final: list[str] = []
    for chunk in out:  # a run-on with no commas at all: fixed windows
        toks = chunk.split()
        step = MAX_UNIT_WORDS
        final += [" ".join(toks[i : i + step]) for i in range(0, len(toks), step)]
    return final


def split_units(answer: str) -> list[Unit]:
    """The answer's units in order (sentences, long ones split at clause boundaries)."""
    text = clean(answer)
    units: list[Unit] = []
    for sentence in _SENT_SPLIT.split(text):
        sentence = sentence.strip(" ,")
        if not words(sentence):
            continue
        for chunk in _chunks(sentence):
            toks = words(chunk)
            if toks:
                units.append(Unit(chunk, len(toks), looks_like_sentence(chunk), _clauses(chunk)))
    return units
