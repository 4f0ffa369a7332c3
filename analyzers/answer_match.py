"""Meaning match of answer units against a question's points and misconceptions.

For every expected point (and its aliases) the best answer unit is found by cosine similarity
of sentence embeddings (`analyzers.embeddings`). A unit supports a point only when it has the
point's polarity (a clause that says "is not" / "never" about the point's words denies it) and
it is closer to the point than to any authored misconception (``wrong_claims``); a denial that
matches once its negation is removed contradicts the point. A unit closer to a misconception
than to every point, above a threshold, states that misconception, provided the sentence uses
a third of the claim's own words (those no point uses), has the claim's polarity, and does not
order or compare the same things the other way round ("promises run before timeouts" does
not state "timeouts run before promises"; "writes get slower" does not state "faster").
Units that are not sentences (buzzword lists) are not matched at all.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from analyzers.answer_text import (
    ACRONYMS,
    Unit,
    claim_negated,
    expand_acronyms,
    is_preventive,
    opposite_direction,
    reversed_comparison,
    strip_negation,
)
from analyzers.embeddings import get_embedder
from analyzers.terms import key_terms, phrase_overlap, term_present, term_set

#: similarity at which a point counts as covered; credit ramps from CREDIT_FLOOR to COVER
COVER = 0.58
CREDIT_FLOOR = 0.40
CONTRADICT = 0.58
WRONG = 0.62
#: a unit on the topic when it is this similar to the question, a point or a misconception
RELEVANT = 0.25
#: a point's similarity gains this much times the share of its key terms the unit uses
LEXICAL_BONUS = 0.03
MIN_CLAUSE_WORDS = 4
#: a candidate that uses none of the point's (or its aliases') own words beyond the question's
#: is discounted: talk about the question's subject rather than about this point
GENERIC_DISCOUNT = 0.10
#: a point this similar to a stated misconception gets no support from the sentence stating it
NEAR_CLAIM = 0.45
#: one sentence carries at most (its words / WORDS_PER_POINT) points of credit, at least 1
WORDS_PER_POINT = 12
#: quantifiers say how strongly, not what: "every" alone does not make a claim
QUANTIFIERS = frozenset(key_terms("every always all everything"))
#: words too common to show that a sentence is about one particular point or misconception
GENERIC_TERMS = frozenset(key_terms(
    "model data time thing people work team user system good new important different case "
    "really lot kind part problem value result"))


@dataclass
class PointMatch:
    """How one expected point fared: status, best unit and its similarity."""

    point: str
    status: str  # "covered" | "missed" | "contradicted"
    sentence: str | None
    similarity: float
    credit: float


@dataclass
class MatchResult:
    """Per-point matches, misconceptions stated and the topical relevance of each unit."""

    points: list[PointMatch] = field(default_factory=list)
    misconceptions: list[tuple[str, str, float]] = field(default_factory=list)
    relevance: list[float] = field(default_factory=list)


def credit_for(similarity: float) -> float:
    """0 below CREDIT_FLOOR, 1 at COVER and above, linear between."""
    return float(min(1.0, max(0.0, (similarity - CREDIT_FLOOR) / (COVER - CREDIT_FLOOR))))


@functools.lru_cache(maxsize=2048)
def _terms(text: str) -> frozenset[str]:
    """Stemmed terms of a text with acronyms spelled out (cached: clauses repeat per point)."""
    return frozenset(term_set(expand_acronyms(text)))


def _needed(terms: set[str]) -> int:
    """How many of a claim's distinctive terms a sentence must use to state it (a third)."""
    return max(1, math.ceil(len(terms) / 3))


def _question_terms(question_text: str) -> set[str]:
    """The question's key terms, plus the acronyms of what it spells out ("minimum viable
    product" -> "mvp"): a claim naming the topic by its acronym is not thereby distinctive."""
    out = set(key_terms(expand_acronyms(question_text)))
    out |= {a for a, full in ACRONYMS.items() if set(key_terms(full)) <= out}
    return out


def _polarity(unit: Unit, phrases: list[str], own: set[str]) -> tuple[bool, bool]:
    """(negated, uncertain) of the clause that uses most of ``own`` (the phrases' key terms
    beyond the question's): uncertain when no clause uses them (a negation elsewhere in the
    sentence may be about something else) or the clause is a condition ("if you don't ...")."""
    best, best_overlap = None, 0
    for clause in unit.clauses:
        terms = _terms(clause.text)
        overlap = sum(term_present(t, terms) for t in own)
        if overlap > best_overlap:
            best, best_overlap = clause, overlap
    if best is None:
        return False, True
    if any(reversed_comparison(best.text, p) for p in phrases):
        return not best.negated, best.conditional
    return best.negated, best.conditional


def _candidates(units: list[Unit], live: list[int]) -> list[tuple[int, Unit]]:
    """What is embedded: a single-clause unit whole; a multi-clause unit as its clauses, short
    ones (under MIN_CLAUSE_WORDS words) joined to the next, so a focused claim embeds closer to
    a short point than the whole sentence would, and each word is embedded once."""
    out: list[tuple[int, Unit]] = []
    for i in live:
        unit = units[i]
        if len(unit.clauses) == 1:
            out.append((i, unit))
            continue
        group: list = []
        for clause in unit.clauses:
            group.append(clause)
            if sum(len(c.text.split()) for c in group) >= MIN_CLAUSE_WORDS:
                out.append((i, _joined(group)))
                group = []
        if group:
            if out and out[-1][0] == i:
                out[-1] = (i, _joined([*out[-1][1].clauses, *group]))
            else:
                out.append((i, _joined(group)))
    return out


def _joined(clauses: list) -> Unit:
    text = ", ".join(c.text.strip(" ,") for c in clauses)
    return Unit(text, len(text.split()), True, list(clauses))


def match_answer(question_text: str, points: list[str], aliases: dict[str, list[str]],
                 wrong_claims: list[str], units: list[Unit]) -> MatchResult:
    """Match sentence-like ``units`` against ``points`` and ``wrong_claims`` (module doc)."""
    result = MatchResult(relevance=[0.0] * len(units))
    live = [i for i, u in enumerate(units) if u.sentence_like]
    if not live:
        result.points = [PointMatch(p, "missed", None, 0.0, 0.0) for p in points]
        return result
    emb = get_embedder()
    cands = _candidates(units, live)
    variants = [[p, *aliases.get(p, [])] for p in points]
    flat = [expand_acronyms(v) for vs in variants for v in vs]
    flat_stripped = [expand_acronyms(strip_negation(v)) for vs in variants for v in vs]
    n_cand, n_flat = len(cands), len(flat)
    texts = [expand_acronyms(c.text) for _, c in cands]
    # the affirmative form is embedded only where it differs (a negated candidate)
    stripped = [expand_acronyms(strip_negation(c.text)) for _, c in cands]
    negs = [r for r, (_, c) in enumerate(cands) if any(cl.negated for cl in c.clauses)]
    vecs = emb.embed(texts + [stripped[r] for r in negs])
    c_vec = np.concatenate([vecs[:n_cand], vecs[:n_cand]])
    c_vec[[n_cand + r for r in negs]] = vecs[n_cand:]
    fixed = emb.embed([expand_acronyms(question_text), *flat, *flat_stripped,
                       *(expand_acronyms(c) for c in wrong_claims)], cache=True)
    owner = np.array([j for j, vs in enumerate(variants) for _ in vs], dtype=int)

    def by_point(m: np.ndarray) -> np.ndarray:
        return np.stack([m[:, owner == j].max(axis=1) for j in range(len(points))], axis=1) \
            if points else np.zeros((m.shape[0], 0))

    plain = by_point(c_vec[:n_cand] @ fixed[1 : 1 + n_flat].T)
    denied = by_point(c_vec[n_cand:] @ fixed[1 + n_flat : 1 + 2 * n_flat].T)
    claim_sims = c_vec[:n_cand] @ fixed[1 + 2 * n_flat:].T
    q_sims = c_vec[:n_cand] @ fixed[0]
    q_terms = _question_terms(question_text)
    own_terms = [{t for v in vs for t in key_terms(expand_acronyms(v))} - q_terms - GENERIC_TERMS
                 for vs in variants]
    point_terms = set().union(*own_terms) if own_terms else set()
    claim_terms = [set(key_terms(expand_acronyms(c))) - q_terms - GENERIC_TERMS
                   for c in wrong_claims]
    # what tells a claim apart from the points: its words that no point uses
    claim_own = [(t - point_terms - QUANTIFIERS) or t for t in claim_terms]
    point_neg = [claim_negated(p) for p in points]
    preventive = [is_preventive(p) for p in points]
    claim_neg = [claim_negated(c) for c in wrong_claims]

    support = np.zeros_like(plain)
    contra = np.zeros_like(plain)
    stated = np.zeros_like(claim_sims)
    for row, (i, cand) in enumerate(cands):
        terms, sentence_terms = _terms(cand.text), _terms(units[i].text)
        for j in range(len(points)):
            negated, uncertain = _polarity(cand, variants[j], own_terms[j])
            uncertain = uncertain or preventive[j]
            lexical = LEXICAL_BONUS * max(phrase_overlap(v, terms) for v in variants[j])
            if negated == point_neg[j] or uncertain:
                support[row, j] = plain[row, j] + lexical
                if not any(
                        term_present(t, terms) for t in own_terms[j]):
                    support[row, j] -= GENERIC_DISCOUNT
            else:
                contra[row, j] = denied[row, j] + lexical
        for k, claim in enumerate(wrong_claims):
            negated, uncertain = _polarity(cand, [claim], claim_terms[k])
            own_used = sum(term_present(t, sentence_terms) for t in claim_own[k])
            if (negated == claim_neg[k] or uncertain) and cand.negated == claim_neg[k] \
                    and own_used >= _needed(claim_own[k]) and not any(
                    reversed_comparison(c.text, claim) or opposite_direction(c.text, claim)
                    for c in cand.clauses):
                stated[row, k] = claim_sims[row, k]
        result.relevance[i] = max(result.relevance[i], float(max(
            q_sims[row], plain[row].max(initial=0.0), claim_sims[row].max(initial=0.0))))

    # a candidate nearer to a stated misconception than to every point supports no point ...
    best_claim = stated.max(axis=1, initial=0.0)
    best_support = support.max(axis=1, initial=0.0)
    support = np.where((best_claim[:, None] >= WRONG) & (best_claim[:, None] > support), 0.0,
                       support)
    # ... and states it when it is close enough
    # ... and its whole sentence supports no point close to that misconception
    near = fixed[1 : 1 + n_flat] @ fixed[1 + 2 * n_flat:].T if wrong_claims else None
    unit_of = np.array([i for i, _ in cands], dtype=int)
    for k, claim in enumerate(wrong_claims):
        col = np.where(stated[:, k] > best_support, stated[:, k], 0.0)
        row = int(col.argmax())
        if col[row] >= WRONG:
            unit = cands[row][0]
            result.misconceptions.append((claim, units[unit].text, round(float(col[row]), 3)))
            close = [j for j in range(len(points)) if near[owner == j, k].max() >= NEAR_CLAIM]
            for j in close:
                support[unit_of == unit, j] = 0.0

    chosen = _assign(support, unit_of, [units[i].n_words for i in range(len(units))])
    for j, point in enumerate(points):
        c_row = int(contra[:, j].argmax())
        c = float(contra[c_row, j])
        s_row, s, credit = chosen[j]
        if c >= CONTRADICT and c > float(support[:, j].max()):
            result.points.append(PointMatch(point, "contradicted", units[cands[c_row][0]].text,
                                            round(c, 3), 0.0))
        elif s_row is None:
            result.points.append(PointMatch(point, "missed", None, 0.0, 0.0))
        else:
            status = "covered" if s >= COVER and credit >= 0.999 else "missed"
            sentence = units[cands[s_row][0]].text if s >= CREDIT_FLOOR else None
            result.points.append(PointMatch(point, status, sentence, round(max(s, 0.0), 3),
                                            credit))
    return result


def _assign(support: np.ndarray, unit_of: np.ndarray, unit_words: list[int]
            ) -> list[tuple[int | None, float, float]]:
    """Best candidate per point, greedily (strongest pairs first), where one sentence of n
    words can carry at most max(1, n / WORDS_PER_POINT) points of credit: a single generic
    sentence cannot cover every point at once. Returns (candidate row, similarity, credit)."""
    capacity = {u: max(1.0, n / WORDS_PER_POINT) for u, n in enumerate(unit_words)}
    n_points = support.shape[1]
    out: list[tuple[int | None, float, float]] = [(None, 0.0, 0.0)] * n_points
    done: set[int] = set()
    order = np.dstack(np.unravel_index(np.argsort(-support, axis=None), support.shape))[0]
    for row, j in order:
        row, j = int(row), int(j)
        if j in done:
            continue
        s = float(support[row, j])
        credit = min(credit_for(s), capacity[int(unit_of[row])])
        if credit <= 0.0 and s >= CREDIT_FLOOR:
            continue  # this sentence is used up: try the point's next best one
        out[j] = (row, s, credit)
        done.add(j)
        capacity[int(unit_of[row])] -= credit
        if len(done) == n_points:
            break
    return out


def prepare(question_text: str, points: list[str], aliases: dict[str, list[str]],
            wrong_claims: list[str]) -> None:
    """Embed (and cache) a question's fixed texts ahead of its first answer."""
    variants = [v for p in points for v in (p, *aliases.get(p, []))]
    get_embedder().embed([expand_acronyms(question_text),
                          *(expand_acronyms(v) for v in variants),
                          *(expand_acronyms(strip_negation(v)) for v in variants),
                          *(expand_acronyms(c) for c in wrong_claims)], cache=True)
