"""Evaluating an answer to a question without expected points (a recruiter's own question)."""

from __future__ import annotations

import dataclasses

from analyzers.answer_eval import FORMULA_OPEN, METHOD_OPEN, Evaluation, open_score
from analyzers.questions import Question


def open_question_evaluation(question: Question, evaluation: Evaluation) -> Evaluation:
    """The offline score of an answer to a question with no answer key: relevance of its
    sentences to the question (sentence embeddings) times a length factor, gates as usual
    (`analyzers.answer_eval.FORMULA_OPEN`), labelled as such. Evaluations from Groq (which
    reads the question) and answers to questions with expected points are returned as they
    are; an offline one is rescored from its relevance / length components."""
    if question.expected_points or evaluation.source != "offline":
        return evaluation
    comps = evaluation.components
    if "relevance" not in comps or "length" not in comps:
        return evaluation
    score = open_score(comps["relevance"], comps["length"], list(evaluation.gates))
    feedback = (f"Offline estimate {score}/100, judged without an answer key: how closely the "
                "answer addresses the question and its length.")
    if evaluation.improvements:
        feedback += " Next time: " + evaluation.improvements[0].rstrip(".") + "."
    return dataclasses.replace(
        evaluation, score=score, method=METHOD_OPEN, formula=FORMULA_OPEN, feedback=feedback,
        points_covered=[], points_missed=[], points_contradicted=[], misconceptions=[],
        evidence=[], coverage=0.0,
    )
