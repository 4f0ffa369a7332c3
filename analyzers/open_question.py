"""Evaluating an answer to a question without expected points (a recruiter's own question)."""

from __future__ import annotations

from analyzers.answer_eval import WEIGHTS, Evaluation, rubric_score
from analyzers.questions import Question, skill_vocabulary

#: the share of the offline rubric's accuracy that comes from domain terms (the rest is the
#: expected points' coverage; see `analyzers.answer_eval`)
KEYWORD_SHARE_OF_ACCURACY = 0.6


def open_question_evaluation(question: Question, evaluation: Evaluation) -> Evaluation:
    """The offline rubric for a question without expected points (a recruiter's own question).

    The rubric scores coverage of the expected points (0 when there are none) and blends it
    into accuracy, so such an answer could never score well. Here coverage is not measured:
    accuracy keeps its domain-vocabulary part (hits of the skill's vocabulary minus hedging,
    rescaled to 0..1), or is not measured either when the skill has no vocabulary, and each
    unmeasured component counts as the weighted mean of the measured ones: the score is the
    rubric renormalised over what could be judged, and still equals the rubric formula of the
    four components it reports. Evaluations from Groq (which reads the question) and answers
    to questions with expected points are returned unchanged.
    """
    if question.expected_points or evaluation.source != "offline":
        return evaluation
    measured = {"clarity": evaluation.clarity, "depth": evaluation.depth}
    if skill_vocabulary(question.skill):
        measured["accuracy"] = min(1.0, evaluation.accuracy / KEYWORD_SHARE_OF_ACCURACY)
    weight = sum(WEIGHTS[k] for k in measured)
    neutral = sum(WEIGHTS[k] * v for k, v in measured.items()) / weight
    comps = {k: round(measured.get(k, neutral), 3) for k in WEIGHTS}
    score = rubric_score(**comps)
    judged = "terminology, clarity and depth" if "accuracy" in measured else "clarity and depth"
    feedback = f"Score {score}/100. Judged without an answer key: {judged}."
    if evaluation.improvements:
        feedback += " Next time: " + evaluation.improvements[0].rstrip(".") + "."
    return Evaluation(
        score=score, **comps, feedback=feedback, strengths=list(evaluation.strengths),
        improvements=list(evaluation.improvements),
        keywords_mentioned=list(evaluation.keywords_mentioned), points_covered=[],
        points_missed=[], source=evaluation.source,
    )
