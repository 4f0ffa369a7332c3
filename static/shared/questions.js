/*
 * How a question is named on the pages ("Question 2 of 5", "Follow-up question").
 */

/** The title of a `question` (or an `answer.completed` / `evaluation` of one): `index` is
 * 0-based, `total` the planned count. With numberFollowUps, a follow-up says which question
 * it follows ("Follow-up to question 2"). */
export function questionTitle(q, { numberFollowUps = false } = {}) {
  const n = Number.isInteger(q.index) ? q.index + 1 : null;
  if (q.is_follow_up) return numberFollowUps && n ? `Follow-up to question ${n}` : 'Follow-up question';
  if (n == null) return 'Question';
  return q.total ? `Question ${n} of ${q.total}` : `Question ${n}`;
}
