/* SPDX-License-Identifier: MIT
 *
 * http_int.h — private to the HTTP room (src/http/): a request as the
 * handlers see it, the reply they fill in, the one HTML-escaping writer,
 * the form body parser and the handlers of the routes table (server.c).
 * A handler never touches the socket: it fills a struct cxm__http_resp
 * and returns.
 */
#ifndef CXM_HTTP_INT_H
#define CXM_HTTP_INT_H

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>

#include <jansson.h>

#include "http_limits.h"

struct cxm__writer;
struct cxm__sender;
struct cxm_send_opts;

/* A read connection of the store (readers.c). */
struct cxm__http_reader {
    cxm_store *st;
    pthread_mutex_t m;
};

/* The server state the handlers share. */
struct cxm__http_ctx {
    cxm_store *st;            /* borrowed; the writer's connection */
    pthread_mutex_t lock;     /* held by the writer from BEGIN to COMMIT,
                                 and by readers when there is no reader
                                 connection (n_readers 0) */
    struct cxm__writer *writer; /* every change of st goes through it */
    char public_url[256];
    struct cxm__http_reader readers[CXM_HTTP_READERS];
    unsigned n_readers;
    atomic_uint next_reader;  /* round robin */
    /* The checkpointer (readers.c): with reader connections, the WAL is
     * copied into the database by a thread of its own, not inside the
     * writer's commits. */
    cxm_store *ckpt;          /* its connection, or NULL */
    pthread_t ckpt_thread;
    pthread_mutex_t ckpt_m;
    pthread_cond_t ckpt_wake;
    bool ckpt_stop;
    atomic_uint commits;      /* by the writer, for the checkpointer */
    /* the program's options of sending (its overrides), or NULL */
    const struct cxm_send_opts *send;
};

/* ---- Reading the store (readers.c). Every read of a handler goes
 * through one of these connections, never through st while the writer
 * may use it: in WAL mode a reader sees the last commit and never waits
 * for the writer's fsync. */

/* Opens the read connections of `dsn` (the store of ctx->st) and the
 * checkpointer's, and starts the checkpointer: the writer's connection
 * then checkpoints no more (wal_autocheckpoint=0), so no commit waits
 * for a checkpoint's writes and fsyncs. Call before the writer starts.
 * Without a DSN, for an in-memory store, or when a connection cannot be
 * opened, there are none: readers share ctx->st under ctx->lock and the
 * writer's commits checkpoint as SQLite does by default. */
void cxm__readers_open(struct cxm__http_ctx *ctx, const char *dsn);
void cxm__readers_close(struct cxm__http_ctx *ctx);
/* A store to read from, held until cxm__read_end(). */
cxm_store *cxm__read_begin(struct cxm__http_ctx *ctx);
void cxm__read_end(struct cxm__http_ctx *ctx, cxm_store *st);

/* ---- The writer (writer.c): group commit. */

/* A change of the store, run inside the writer's transaction (under its
 * own savepoint). A non-zero return undoes what the job did. */
typedef cxm_rc (*cxm__tx_fn)(cxm_store *st, void *ud);

CXM_MUST_USE cxm_rc cxm__writer_start(struct cxm__http_ctx *ctx,
                                      struct cxm__writer **out);
/* Runs the jobs still waiting, then stops the thread and frees. */
void cxm__writer_stop(struct cxm__writer *w);
/* Runs fn(st, ud) in the writer's next transaction and returns once that
 * has committed (fn's error, or CXM_ESTORE when the commit failed). The
 * caller must not hold ctx->lock. */
CXM_MUST_USE cxm_rc cxm__writer_run(struct cxm__writer *w, cxm__tx_fn fn,
                                    void *ud);
/* Transactions committed and jobs run so far. */
void cxm__writer_stats(struct cxm__writer *w, uint64_t *batches,
                       uint64_t *jobs);

struct cxm__http_req {
    struct cxm__http_ctx *ctx;
    const char *method;       /* "GET", "HEAD", "POST" */
    const char *path;
    const char *tail;         /* the part after a route's prefix */
    const char *body;         /* NUL-terminated; "" when none */
    size_t body_len;
    const char *content_type; /* "" when none */
    const char *authorization;/* "" when none */
    /* A request header, or "" (webhook signatures, hooks.c). */
    const char *(*header)(const struct cxm__http_req *r, const char *name);
    /* A query parameter, or NULL (bounded by CXM_HTTP_MAX_QUERY_VALUE:
     * longer is treated as absent). */
    const char *(*arg)(const struct cxm__http_req *r, const char *name);
    void *conn;               /* for arg() */
    int64_t now;              /* ms since the epoch */
};

struct cxm__http_resp {
    int status;
    const char *content_type; /* static */
    struct cxm__buf body;
    const char *allow;        /* a 405's Allow header, or NULL */
    const char *retry_after;  /* a 429's Retry-After, or NULL */
    bool html;                /* the page's security headers */
};

typedef int (*cxm__http_handler)(struct cxm__http_req *req,
                                 struct cxm__http_resp *resp);

/* ---- Handlers (pages.c, api.c). */
int cxm__http_healthz(struct cxm__http_req *req, struct cxm__http_resp *resp);
int cxm__http_survey_get(struct cxm__http_req *req,
                         struct cxm__http_resp *resp);
int cxm__http_survey_post(struct cxm__http_req *req,
                          struct cxm__http_resp *resp);
int cxm__http_api_invitations(struct cxm__http_req *req,
                              struct cxm__http_resp *resp);
int cxm__http_api_responses(struct cxm__http_req *req,
                            struct cxm__http_resp *resp);
int cxm__http_api_report(struct cxm__http_req *req,
                         struct cxm__http_resp *resp);
int cxm__http_api_surveys(struct cxm__http_req *req,
                          struct cxm__http_resp *resp);
int cxm__http_unsubscribe_get(struct cxm__http_req *req,
                              struct cxm__http_resp *resp);
int cxm__http_unsubscribe_post(struct cxm__http_req *req,
                               struct cxm__http_resp *resp);

/* ---- The sender thread (hooks.c): sends the outbox continuously
 * through the writer; stopping lets the message in hand finish. */
CXM_MUST_USE cxm_rc cxm__sender_start(struct cxm__http_ctx *ctx,
                                      const struct cxm_send_opts *o,
                                      struct cxm__sender **out);
void cxm__sender_stop(struct cxm__sender *s);

/* A JSON reply of `v` (stolen; NULL: 500). */
int cxm__http_json_reply(struct cxm__http_resp *resp, int status, json_t *v);

/* What POST of records does besides storing them: after(), in the same
 * transaction, once the rows are put; reply() adds to the 201 object
 * {"stored": N} (non-zero: out of memory). */
struct cxm__kvrow;
struct cxm__rows_hook {
    cxm_rc (*after)(cxm_store *st, struct cxm__kvrow *rows, size_t n,
                    void *ud);
    int (*reply)(json_t *obj, void *ud);
    void *ud;
};
/* POST of a JSON body of records of `kind` (one object or an array, as
 * /api/v1/responses): validated as CSV rows, stored in one writer job.
 * `hook` may be NULL. */
int cxm__http_post_rows(struct cxm__http_req *req,
                        struct cxm__http_resp *resp, cxm_kind kind,
                        const struct cxm__rows_hook *hook);
int cxm__http_api_tickets(struct cxm__http_req *req,
                          struct cxm__http_resp *resp);
int cxm__http_hook_zendesk(struct cxm__http_req *req,
                           struct cxm__http_resp *resp);
int cxm__http_hook_freshdesk(struct cxm__http_req *req,
                             struct cxm__http_resp *resp);
/* POST /hooks/bounce (hooks.c): a bounce reported after the hand-over. */
int cxm__http_hook_bounce(struct cxm__http_req *req,
                          struct cxm__http_resp *resp);

/* A plain page for a status (404, 405, 413, 429, ...) in English. */
int cxm__http_error_page(struct cxm__http_resp *resp, int status,
                         const char *title, const char *text);
/* A JSON error reply {"error": message}. */
int cxm__http_json_error(struct cxm__http_resp *resp, int status,
                         const char *message);

/* The HTML writer is core/html.c (internal.h): cxm__html_text(),
 * cxm__html_str(), cxm__html_raw(). */

/* ---- application/x-www-form-urlencoded (form.c). */

struct cxm__form_field {
    char *name;  /* decoded, NUL-terminated; owned by the form */
    char *value; /* decoded, NUL-terminated; owned by the form */
    size_t value_len;
};

struct cxm__form {
    struct cxm__form_field fields[CXM_HTTP_MAX_FORM_FIELDS];
    size_t n;
};

/* Parses body[0..len) into `f` (release with cxm__form_release() in every
 * case). Names and values are percent-decoded ('+' is a space) and must be
 * UTF-8 without NUL. Returns CXM_OK; CXM_EINPUT for a malformed body (a bad
 * escape, bad UTF-8, a NUL); CXM_ETOOBIG past a limit of http_limits.h;
 * CXM_ENOMEM. */
CXM_MUST_USE cxm_rc cxm__form_parse(const char *body, size_t len,
                                    struct cxm__form *f);
void cxm__form_release(struct cxm__form *f);
/* The first value of `name`, or NULL. */
const char *cxm__form_get(const struct cxm__form *f, const char *name);

#endif /* CXM_HTTP_INT_H */
