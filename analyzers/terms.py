"""Key terms of a text: stop words out, light stemming, fuzzy and phrase matching."""

from __future__ import annotations

import difflib
import re

_STOPWORDS_TEXT = """
    a about above after again all also am an and any are as at be because been before being between
    both but by can could did do does doing done down during each either etc few for from
    further get gets got had has have having he her here hers him his how i if in into is it its
    itself just let lets me more most my no nor not of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up upon very via vs versus was we were what when where
    which while who whom why will with within without would you your yours use uses used using
    way ways thing things make makes like eg ie one e g
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_TOKEN_RE = re.compile(r"[a-z0-9][a-z0-9+#'\-/]*")
_SPLIT_RE = re.compile(r"[\-/']")


def stem(word: str) -> str:
    """Very light suffix stripping so 'caching', 'caches' and 'cache' compare equal."""
    w = word.lower()
    if len(w) <= 3 or w.isdigit():
        return w
    for suffix, repl in (("ization", "iz"), ("isation", "iz"), ("ational", "at"),
                         ("ation", "at"), ("ies", "y"), ("ied", "y"), ("ness", ""),
                         ("ment", ""), ("able", ""), ("ible", ""), ("ing", ""), ("ly", ""),
                         ("ed", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            if suffix in ("ing", "ed") and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    else:
        if w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")) and len(w) > 4:
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens (hyphenated words kept whole)."""
    return _TOKEN_RE.findall((text or "").lower().replace("’", "'"))


def _content_words(text: str) -> list[str]:
    """Non-stopword words of a phrase, hyphens / slashes removed ("b-tree" -> "btree")."""
    out: list[str] = []
    for tok in words(text):
        joined = _SPLIT_RE.sub("", tok)
        if tok in STOPWORDS or joined in STOPWORDS:
            continue
        if len(joined) < 2 and not joined.isdigit():
            continue
        out.append(joined)
    return out


def key_terms(text: str) -> list[str]:
    """Stemmed content terms of a phrase, order kept, duplicates dropped."""
    return list(dict.fromkeys(stem(w) for w in _content_words(text)))


def term_set(text: str) -> set[str]:
    """All stemmed terms of free text, plus joined bigrams ("load balancer" -> "loadbalanc")
    and the parts of hyphenated words, so compounds match in either spelling."""
    toks = words(text)
    out: set[str] = set()
    plain: list[str] = []
    for tok in toks:
        parts = [p for p in _SPLIT_RE.split(tok) if p]
        plain.extend(parts)
        out.add(stem(_SPLIT_RE.sub("", tok)))
        out.update(stem(p) for p in parts)
    for a, b in zip(plain, plain[1:], strict=False):
        out.add(stem(a + b))
    return out


def term_present(term: str, terms: set[str], *, fuzzy: bool = True) -> bool:
    """True when ``term`` is in ``terms``, or (fuzzy) a near-spelling of a long term is."""
    if term in terms:
        return True
    if not fuzzy or len(term) < 5:
        return False
    for cand in terms:
        if abs(len(cand) - len(term)) > 2 or len(cand) < 5 or cand[0] != term[0]:
            continue
        sm = difflib.SequenceMatcher(None, term, cand)
        if sm.quick_ratio() >= 0.85 and sm.ratio() >= 0.85:
            return True
    return False


def phrase_overlap(phrase: str, terms: set[str]) -> float:
    """Share (0..1) of a phrase's key terms found among ``terms`` (from :func:`term_set`).

    Two adjacent words of the phrase also count when the text has them as one word
    ("load balancer" vs "loadbalancer").
    """
    raw = _content_words(phrase)
    keys = list(dict.fromkeys(stem(w) for w in raw))
    if not keys:
        return 0.0
    found = {k for k in keys if term_present(k, terms)}
    for a, b in zip(raw, raw[1:], strict=False):
        if stem(a + b) in terms:
            found.update((stem(a), stem(b)))
    return len(found) / len(keys)
