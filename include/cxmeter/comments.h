/* SPDX-License-Identifier: MIT
 *
 * comments.h — the open-ended answers customers gave: the `comment` of
 * survey answers (imported responses, and answers through a survey link,
 * whose text explaining a rating becomes that answer's comment), and the
 * text answers of survey submissions that explain no rating
 * (docs/comments.md). Filtered, listed and written as a table, JSON or
 * CSV (formula-escaped).
 */
#ifndef CXMETER_COMMENTS_H
#define CXMETER_COMMENTS_H

#include <stdbool.h>

#include "cxmeter/base.h"
#include "cxmeter/report.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Which comments. Zero-initialise, set `size`; NULL strings match all. */
struct cxm_comment_query {
    size_t size;
    const char *search;  /* text the comment contains (ASCII letters in
                            any case) */
    const char *agent;   /* agent_id (the answer's, else its ticket's) */
    const char *team;    /* team (the answer's, its ticket's, its agent's) */
    const char *survey;  /* survey id: csat, nps, ces or a custom one */
    bool has_score_max;  /* score at most score_max (answers with a
                            score only) */
    int score_max;
    bool has_from, has_to; /* responded_at in [from, to) */
    int64_t from_ms, to_ms;
    size_t limit;        /* at most this many, newest first; 0 = all */
    const char *channel; /* channel (the answer's, else its ticket's) */
    const char *language; /* language (the answer's; any case) */
};

/** One comment. Strings borrowed for the callback; NULL when missing. */
struct cxm_comment {
    size_t size;
    const char *source;  /* "responses" (a stored answer's comment) or
                            "submission" (a survey text answer) */
    const char *id;      /* response_id, or invitation_id:question */
    const char *survey, *question, *text;
    bool has_score;
    int score, scale_min, scale_max;
    const char *ticket_id, *customer_id, *agent_id, *team, *channel;
    const char *language;
    int64_t at_ms;       /* responded_at */
};

typedef cxm_rc (*cxm_comment_fn)(const struct cxm_comment *c, void *ud);

/** Calls fn for each comment `q` selects, newest first. A non-zero
 *  return of fn stops and is returned. CXM_OK, CXM_EINVAL, CXM_ESTORE,
 *  CXM_ENOMEM. */
CXM_API CXM_MUST_USE cxm_rc cxm_comments(cxm_store *st,
                                         const struct cxm_comment_query *q,
                                         cxm_comment_fn fn, void *ud);

/** The comments `q` selects as `fmt`: JSON is {"comments": [{...}]} with
 *  <, > and & escaped as \u003c, \u003e, \u0026 (safe inside HTML); CSV
 *  has a header row, RFC 4180 quoting and a leading ' on a cell starting
 *  with = + - @ tab or CR; the table is for people. A new string
 *  (cxm_free()) of *out_len bytes. */
CXM_API CXM_MUST_USE cxm_rc cxm_comments_format(
    cxm_store *st, const struct cxm_comment_query *q, cxm_format fmt,
    char **out, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_COMMENTS_H */
