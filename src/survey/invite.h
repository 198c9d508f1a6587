/* SPDX-License-Identifier: MIT
 *
 * invite.h — private to the library: what the survey service (src/http/)
 * uses of the survey room beyond survey.h and serve.h: records given as
 * named values (the API, survey answers) validated and stored exactly as
 * a CSV row of the importer, and an invitation's answers
 * (invite.c, rows.c).
 */
#ifndef CXM_INVITE_H
#define CXM_INVITE_H

#include "internal.h"

#include <jansson.h>

#include "record.h"

/* ---- Records as named values (rows.c). */

/* One record of a kind as name/value pairs. Values are owned copies
 * (the validation may rewrite them in place); names are borrowed. */
#define CXM__ROW_MAX_FIELDS 32
struct cxm__kvrow {
    size_t n;
    const char *names[CXM__ROW_MAX_FIELDS];
    char *values[CXM__ROW_MAX_FIELDS];   /* owned */
    size_t lens[CXM__ROW_MAX_FIELDS];
};

/* Adds name = value[0..len) to `r`. CXM_OK, CXM_ETOOBIG (too many),
 * CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__kvrow_add(struct cxm__kvrow *r, const char *name,
                                   const char *value, size_t len);
void cxm__kvrow_release(struct cxm__kvrow *r);

/* Validates `r` as a record of `kind` with the checks of a CSV row
 * (record.c): names are matched as header names are (trimmed,
 * case-insensitive; unknown names are ignored, as unknown columns are; a
 * name twice is refused), a required column missing is refused. Fills
 * vals[0..n_cols), borrowing r's values. Returns CXM_OK, CXM_EINPUT
 * (*field_out is the column's name, or "" for the whole record, and
 * rej->reason says why) or CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__kvrow_validate(cxm_kind kind, struct cxm__kvrow *r,
                                        const struct cxm__window *win,
                                        struct cxm__value *vals,
                                        const char **field_out,
                                        struct cxm__reject *rej);

/* Marks every column of `kind` present in rows as supplied and ends the
 * import in the open transaction (what import.c does once per import). */
CXM_MUST_USE cxm_rc cxm__kv_import_end(cxm_store *st, cxm_kind kind,
                                       uint64_t supplied);

/* ---- The API's JSON bodies (rows.c). */

/* One refused record of a JSON body. */
struct cxm__row_error {
    size_t index;
    char field[64];
    char reason[256];
};

/* Parses a JSON body holding one object or an array of at most
 * CXM__API_MAX_ROWS objects, each a record of `kind` (members: column
 * names; values: strings, integers, true/false or null), into
 * rows[0..*n_out) (cxm__malloc'd; release each, then cxm__free), and
 * validates each against `win` (NULL: any instant). Errors go into
 * errs[0..*n_errs) (at most max_errs kept; *n_errs counts all). Returns
 * CXM_OK (rows valid or not: see *n_errs), CXM_EINPUT for a body that is
 * not such JSON (errs[0] says why), CXM_ETOOBIG, CXM_ENOMEM. */
#define CXM__API_MAX_ROWS 1000
CXM_MUST_USE cxm_rc cxm__rows_from_json(cxm_kind kind, const char *body,
                                        size_t len,
                                        const struct cxm__window *win,
                                        struct cxm__kvrow **rows_out,
                                        size_t *n_out,
                                        struct cxm__row_error *errs,
                                        size_t max_errs, size_t *n_errs);

/* Validates and puts rows[0..n) of `kind` in the open transaction, then
 * marks the supplied columns. CXM_EINPUT (err says which and why) leaves
 * the transaction for the caller to roll back. */
CXM_MUST_USE cxm_rc cxm__rows_put(cxm_store *st, cxm_kind kind,
                                  struct cxm__kvrow *rows, size_t n,
                                  const struct cxm__window *win,
                                  struct cxm__row_error *err);

/* The plausibility window of an import into `st` now. */
CXM_MUST_USE cxm_rc cxm__store_window(cxm_store *st, struct cxm__window *win);

/* ---- Invitations and their answers (invite.c). */

struct cxm__invite {
    char *id, *survey_id, *language;
    char *ticket_id, *customer_id, *agent_id, *team, *channel;
    int survey_version;
    int64_t created_at, expires_at;
    /* The submission, when any answer came. */
    bool has_answers;
    int64_t first_at, updated_at, submitted_at; /* submitted_at 0: not yet */
    bool held;                                  /* a scanner's burst */
    int edits;
    json_t *answers; /* owned; an object, empty when none */
    bool oom;        /* loading it ran out of memory */
};

/* Finds the invitation of link token[0..len) and its answers.
 * CXM_OK, CXM_ENOTFOUND (also for a token of a bad form), CXM_ESTORE,
 * CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__invite_load(cxm_store *st, const char *token,
                                     size_t len, struct cxm__invite *out);
void cxm__invite_release(struct cxm__invite *inv);

/* A new link token to invitation `invitation_id` into token[0..cap) (at
 * least 64 bytes), its digest kept by the engine (invitation_links,
 * 0013): the sender makes one per message, so the token is never in the
 * store. */
CXM_MUST_USE cxm_rc cxm__invite_new_link(cxm_store *st,
                                         const char *invitation_id,
                                         int64_t now, char *token,
                                         size_t cap);

/* What a one-click score did. */
enum cxm__click {
    CXM__CLICK_RECORDED, /* the score counts */
    CXM__CLICK_HELD      /* a burst: nothing counts until a submission */
};

/* Records a one-click `score` of rating question `q` at `now`, in the open
 * transaction (the caller commits, or rolls back on an error). Three or
 * more different scores within CXM__SCANNER_MS hold the answer
 * (its rows are removed) until the page is submitted. */
#define CXM__SCANNER_MS 2000
#define CXM__SCANNER_SCORES 3
CXM_MUST_USE cxm_rc cxm__invite_click(cxm_store *st, struct cxm__invite *inv,
                                      const cxm_survey *sv,
                                      const cxm_survey_question *q,
                                      int score, int64_t now,
                                      enum cxm__click *out);

/* Stores the submitted `answers` (an object, question id -> value, as
 * checked by the caller; stolen) as the invitation's answer at `now`:
 * each rated question a responses row, the rest with the submission;
 * releases a hold; in the open transaction, as cxm__invite_click(). */
CXM_MUST_USE cxm_rc cxm__invite_submit(cxm_store *st, struct cxm__invite *inv,
                                       const cxm_survey *sv, json_t *answers,
                                       int64_t now);

/* Whether question q is shown given `answers` (an object, question id ->
 * score, option id, [option ids] or text): true without a condition. */
bool cxm__question_shown(const cxm_survey_question *q, json_t *answers);

/* The store's settings the service reads, in days / per minute. */
CXM_MUST_USE cxm_rc cxm__config_int(cxm_store *st, const char *key,
                                    int64_t *out);

int64_t cxm__now_ms(void);

#endif /* CXM_INVITE_H */
