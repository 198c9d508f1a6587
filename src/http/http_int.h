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
struct cxm__form;
struct cxm__report_cache;

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
    int64_t session_ms;       /* a login lasts (serve.session_minutes) */
    bool secure_cookies;      /* public_url is https: cookies are Secure */
    uint64_t generation;      /* the writer's commits that changed what
                                 a report reads (under `lock`) */
    /* The dashboard's reads (reports, drill-downs, the data's range):
     * a read-only second handle and its own lock, or st and &lock. */
    cxm_store *rst;
    pthread_mutex_t *rlock;
    pthread_mutex_t rlock_own;
    struct cxm__report_cache *reports; /* the dashboard's (dash.c) */
};

/* The dashboard login a request carries (auth.c), filled by the server
 * before the handler of a ROUTE_SESSION route runs. */
struct cxm__session {
    bool valid;
    char user[CXM_HTTP_MAX_USER_NAME + 1];
    char role[8];             /* "admin" | "viewer" */
    char csrf[64];            /* the session's CSRF token (base64url) */
    unsigned char id_hash[32];/* BLAKE2b of the session id */
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
/* The same for a job that changes nothing a report reads (sessions,
 * failed logins): the dashboard's cached reports stay valid. */
CXM_MUST_USE cxm_rc cxm__writer_run_quiet(struct cxm__writer *w,
                                          cxm__tx_fn fn, void *ud);
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
    const char *cookie;       /* the Cookie header; "" when none */
    const char *client;       /* the client's address as text */
    struct cxm__session session; /* ROUTE_SESSION routes: valid */
    /* POST of a ROUTE_SESSION route: the parsed form body, its CSRF
     * token already checked by the server; NULL for other requests. */
    const struct cxm__form *form;
};

struct cxm__http_resp {
    int status;
    const char *content_type; /* static */
    struct cxm__buf body;
    const char *allow;        /* a 405's Allow header, or NULL */
    const char *retry_after;  /* a 429's Retry-After, or NULL */
    bool html;                /* the page's security headers */
    bool dashboard;           /* a dashboard page: its CSP (scripts and
                                 styles from 'self' only) */
    char location[512];       /* a redirect's Location, or "" */
    char set_cookie[2][320];  /* Set-Cookie headers, or "" */
    const char *disposition;  /* Content-Disposition (CSV), or NULL */
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
/* ---- The dashboard's accounts and logins (auth.c). */

/* Fills *s from the request's session cookie, when it names a live
 * session (s->valid); reads the store under ctx->lock. */
CXM_MUST_USE cxm_rc cxm__auth_session(struct cxm__http_ctx *ctx,
                                      const char *cookie, int64_t now,
                                      struct cxm__session *s);
/* Whether `token` is the session's CSRF token (constant time). */
bool cxm__auth_csrf_ok(const struct cxm__session *s, const char *token);
/* Appends the hidden CSRF field every dashboard form carries. */
CXM_MUST_USE cxm_rc cxm__auth_csrf_field(struct cxm__buf *b,
                                         const struct cxm__session *s);
/* The value of cookie `name` in a Cookie header into out[0..cap);
 * false when absent or too long. */
bool cxm__cookie_get(const char *header, const char *name, char *out,
                     size_t cap);
int cxm__http_login_get(struct cxm__http_req *req,
                        struct cxm__http_resp *resp);
int cxm__http_login_post(struct cxm__http_req *req,
                         struct cxm__http_resp *resp);
int cxm__http_logout(struct cxm__http_req *req, struct cxm__http_resp *resp);

/* ---- The dashboard's page framework (dash.c); its pages (dash_pages.c).
 * A dashboard page is a routes-table line with ROUTE_SESSION (server.c):
 * the server has checked the login (and, for a POST, the CSRF token of
 * the form) before the handler runs. A page reads its view (period, zone,
 * filters) with cxm__view_parse(), writes cxm__page_begin(), its body
 * through the HTML writer, and cxm__page_end(); a table is a struct
 * cxm__table written as HTML or, with ?format=csv, as CSV. */

#define CXM__VIEW_FILTERS 5 /* agent, team, channel, language, survey */
extern const char *const cxm__view_filter_names[CXM__VIEW_FILTERS];

struct cxm__view {
    char period[8];            /* "7d", "28d", "90d", "365d", "all",
                                  "custom" */
    char from[16], to[16];     /* the period's dates, YYYY-MM-DD, in the
                                  zone; `to` exclusive */
    int64_t from_ms, to_ms;    /* the period as instants */
    char tz[64];               /* IANA zone; "UTC" by default */
    const char *filter[CXM__VIEW_FILTERS]; /* query values or NULL */
    bool any_filter;
    int64_t data_end_ms;       /* one second past the latest event */
};

/* The dashboard's cache of reports: the last CXM_HTTP_REPORT_CACHE
 * reports run, by query, each valid while the store has not changed
 * (the writer's generation and the store's data version, which an import
 * by another process moves). A page takes a report with
 * cxm__report_get() and gives it back with cxm__report_put(); the report
 * is shared and read-only. */
CXM_MUST_USE cxm_rc cxm__report_cache_new(struct cxm__report_cache **out);
void cxm__report_cache_free(struct cxm__report_cache *c);
/* Runs `q` (or finds its report) under ctx->lock; *out until put. The
 * rc of cxm_report_run(), with *out set as it sets it. */
CXM_MUST_USE cxm_rc cxm__report_get(struct cxm__http_ctx *ctx,
                                    const struct cxm_report_query *q,
                                    cxm_report **out);
void cxm__report_put(struct cxm__http_ctx *ctx, cxm_report *r);
/* Pieces of pages kept as rendered beside the reports, by key, valid
 * while the store has not changed, as the reports: find appends the piece
 * `key` to b (true) or says the store's state (fs) to keep the piece
 * computed next with (the state read before computing it: a change in
 * between only makes the piece look older than it is). */
struct cxm__fragment_state {
    int64_t version;
    uint64_t generation;
    bool ok; /* false: nothing is kept (no data version) */
};
bool cxm__fragment_find(struct cxm__http_ctx *ctx, const char *key,
                        struct cxm__fragment_state *fs, struct cxm__buf *b);
void cxm__fragment_keep(struct cxm__http_ctx *ctx, const char *key,
                        const struct cxm__fragment_state *fs,
                        const char *data, size_t len);
/* The reports (and pieces) found in the cache and those run so far (the
 * server's log says them when it stops). */
void cxm__report_cache_stats(struct cxm__report_cache *c, uint64_t *hits,
                             uint64_t *runs);
/* A thread that, every CXM_HTTP_WARM_SECONDS, computes the default
 * overview's reports into the cache when the store has changed since it
 * last did (and once at the start): the page a login lands on is then
 * ready. Stopping waits for a computation under way. */
struct cxm__warmer;
CXM_MUST_USE cxm_rc cxm__warmer_start(struct cxm__http_ctx *ctx,
                                      struct cxm__warmer **out);
void cxm__warmer_stop(struct cxm__warmer *w);

/* Reads the view of the request's query. Returns 0, or the status of the
 * error page it rendered into resp (a bad date or zone). */
int cxm__view_parse(struct cxm__http_req *req, struct cxm__http_resp *resp,
                    struct cxm__view *v);
/* Appends `path` with the view's parameters, and `extra` (a
 * "name=value&..." of the program's own, already URL-safe, or NULL),
 * HTML-escaped for an attribute. */
CXM_MUST_USE cxm_rc cxm__view_href(struct cxm__buf *b,
                                   const struct cxm__view *v,
                                   const char *path, const char *extra);
/* The same URL, not escaped (NUL-terminated in b: a table cell's link). */
CXM_MUST_USE cxm_rc cxm__view_url(struct cxm__buf *b,
                                  const struct cxm__view *v,
                                  const char *path, const char *extra);
/* Appends `s` percent-encoded for a URL's query. */
CXM_MUST_USE cxm_rc cxm__url_encode(struct cxm__buf *b, const char *s);
/* Appends the form of period, zone and filters that reloads `path`. */
CXM_MUST_USE cxm_rc cxm__view_controls(struct cxm__buf *b,
                                       const struct cxm__view *v,
                                       const char *path);
/* The page's head, navigation (`active`: the current path) and title;
 * then the end. Set resp->html and resp->dashboard. */
CXM_MUST_USE cxm_rc cxm__page_begin(struct cxm__http_req *req,
                                    struct cxm__http_resp *resp,
                                    const char *title, const char *active);
CXM_MUST_USE cxm_rc cxm__page_end(struct cxm__http_req *req,
                                  struct cxm__http_resp *resp);
/* Renders a whole page of one message with its status. */
int cxm__page_message(struct cxm__http_req *req, struct cxm__http_resp *resp,
                      int status, const char *title, const char *text);
/* Whether the request asks for CSV (?format=csv). */
bool cxm__want_csv(const struct cxm__http_req *req);

/* A table of text cells: written as HTML (sortable, each cell escaped, a
 * cell may carry a link) or as CSV (formula-escaped). */
struct cxm__table {
    size_t n_cols;
    const char *cols[24];
    bool numeric[24];         /* sorted as numbers; CSV writes them bare */
    struct cxm__buf cells;    /* NUL-separated texts, row-major */
    struct cxm__buf links;    /* NUL-separated hrefs ("" none) */
    struct cxm__buf extra;    /* NUL-separated raw markup appended to a
                                 cell (a sparkline; "" none) */
    size_t n_cells;
};
void cxm__table_init(struct cxm__table *t, size_t n_cols,
                     const char *const *cols);
void cxm__table_release(struct cxm__table *t);
/* Appends the next cell (row-major): its text, its link (or NULL) and
 * program markup shown after it (or NULL). */
CXM_MUST_USE cxm_rc cxm__table_cell(struct cxm__table *t, const char *text,
                                    const char *href, const char *markup);
CXM_MUST_USE cxm_rc cxm__table_cellf(struct cxm__table *t, const char *href,
                                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes the table as HTML with an id and a caption, and a link to its
 * CSV (`csv_href`: the page's address with format=csv&table=ID). */
CXM_MUST_USE cxm_rc cxm__table_html(struct cxm__buf *b,
                                    const struct cxm__table *t,
                                    const char *id, const char *caption,
                                    const char *csv_href);
/* Replies with the table as CSV; `disposition` is the static value of
 * its Content-Disposition header (attachment; filename="….csv"). */
int cxm__table_csv(struct cxm__http_resp *resp, const struct cxm__table *t,
                   const char *disposition);

int cxm__http_dash_overview(struct cxm__http_req *req,
                            struct cxm__http_resp *resp);
int cxm__http_dash_breakdown(struct cxm__http_req *req,
                             struct cxm__http_resp *resp);
int cxm__http_dash_agent(struct cxm__http_req *req,
                         struct cxm__http_resp *resp);
/* dash_alerts.c: the firings and rules; the open-ended answers. */
int cxm__http_dash_alerts(struct cxm__http_req *req,
                          struct cxm__http_resp *resp);
/* POST /alerts/add and /alerts/remove: an admin's change of the rules
 * (403 for a viewer), then 303 back to /alerts. */
int cxm__http_dash_alert_add(struct cxm__http_req *req,
                             struct cxm__http_resp *resp);
int cxm__http_dash_alert_remove(struct cxm__http_req *req,
                                struct cxm__http_resp *resp);
int cxm__http_dash_comments(struct cxm__http_req *req,
                            struct cxm__http_resp *resp);
/* Appends the overview's banner: how many firings have their window
 * starting in the view's period, linking to /alerts (nothing when none). */
CXM_MUST_USE cxm_rc cxm__dash_alert_banner(struct cxm__http_req *req,
                                           const struct cxm__view *v,
                                           struct cxm__buf *b);
int cxm__http_dash_drill(struct cxm__http_req *req,
                         struct cxm__http_resp *resp);
/* The embedded assets under /assets (uPlot, the dashboard's script and
 * style; dash.c). */
int cxm__http_asset(struct cxm__http_req *req, struct cxm__http_resp *resp);

/* ---- The HTML writer (html.c): the only way text reaches a page. */

/* Appends s[0..n) with & < > " ' escaped; invalid UTF-8 bytes become
 * U+FFFD, control characters but TAB, LF and CR are dropped. */
CXM_MUST_USE cxm_rc cxm__html_text(struct cxm__buf *b, const char *s,
                                   size_t n);
CXM_MUST_USE cxm_rc cxm__html_str(struct cxm__buf *b, const char *s);
/* Appends markup written by the program (never data). */
CXM_MUST_USE cxm_rc cxm__html_raw(struct cxm__buf *b, const char *markup);

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
