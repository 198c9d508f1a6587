/* SPDX-License-Identifier: MIT
 *
 * serve.h — the survey service (`cxmeter serve`, docs/survey.md "Serving
 * surveys", SPEC §5): bearer tokens of the API, invitations (a survey link
 * for one customer) and the HTTP server that hosts the survey pages and the
 * JSON API on GNU libmicrohttpd.
 *
 * Secrets (API tokens, link tokens) are 32 random bytes from libsodium,
 * written base64url; the store keeps only their BLAKE2b digest.
 *
 * The server borrows an open store and uses it from one writer at a time;
 * every answer it acknowledges is committed (synchronous=FULL) first. The
 * library never installs signal handlers: the program stops the server
 * with cxm_server_stop(), which lets requests in flight finish.
 */
#ifndef CXMETER_SERVE_H
#define CXMETER_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "cxmeter/base.h"
#include "cxmeter/send.h"
#include "cxmeter/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- API tokens. */

/** Makes a new API token called `name` (1..64 printable ASCII
 *  characters), stores its digest and sets *token_out to the token (the
 *  only time it is shown; the caller frees it with cxm_free()).
 *  Returns CXM_OK; CXM_EINPUT for a bad name or one already in use;
 *  CXM_ESTORE; CXM_ENOTBUILT for an engine without the service; CXM_ENOMEM;
 *  CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_api_token_create(cxm_store *st,
                                                 const char *name,
                                                 char **token_out);

/** One API token, for cxm_api_token_list(). Borrowed for the callback. */
struct cxm_api_token_info {
    const char *name;
    int64_t created_at; /* ms since the epoch */
    bool revoked;
    int64_t revoked_at; /* when revoked */
};
typedef cxm_rc (*cxm_api_token_fn)(const struct cxm_api_token_info *t,
                                   void *ud);

/** Calls fn for every token, by name. A non-zero return of fn stops and is
 *  returned. Returns CXM_OK, CXM_ESTORE, CXM_ENOTBUILT, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_api_token_list(cxm_store *st,
                                               cxm_api_token_fn fn,
                                               void *ud);

/** Revokes the token called `name`: the API refuses it from now on.
 *  Returns CXM_OK; CXM_ENOTFOUND when no such token is live; CXM_ESTORE;
 *  CXM_ENOTBUILT; CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_api_token_revoke(cxm_store *st,
                                                 const char *name);

/** Whether token[0..len) is a live API token of `st` (*ok). Returns
 *  CXM_OK, CXM_ESTORE, CXM_ENOTBUILT, CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_api_token_check(cxm_store *st,
                                                const char *token,
                                                size_t len, bool *ok);

/* ---- Invitations. */

/** What an invitation is for. Zero-initialise, set `size` to
 *  sizeof(struct cxm_invitation_req). `survey` (a stored survey id) is
 *  required; `language` (NULL: the survey's default) must be one of the
 *  survey's; the others are optional key values (no control character,
 *  at most CXM_INVITATION_MAX_FIELD bytes). */
struct cxm_invitation_req {
    size_t size;
    const char *survey;
    const char *language;
    const char *ticket_id, *customer_id, *agent_id, *team, *channel;
};
#define CXM_INVITATION_MAX_FIELD 256

/** A new invitation: its id, the token of its link (the link is
 *  PUBLIC_URL/s/TOKEN) and when the link expires (ms since the epoch). */
struct cxm_invitation {
    char id[32];
    char token[64];
    int64_t expires_at;
};

/** Why an invitation was refused: the request's field and the reason. */
struct cxm_invitation_error {
    char field[32];
    char reason[256];
};

/** Makes an invitation for `req` valid for the store's survey.link_days
 *  and sets *out. Returns CXM_OK; CXM_EINPUT for a bad request (*err, if
 *  not NULL, says which field and why; an unknown survey is one);
 *  CXM_ESTORE; CXM_ENOTBUILT; CXM_ENOMEM; CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_invitation_create(
    cxm_store *st, const struct cxm_invitation_req *req,
    struct cxm_invitation *out, struct cxm_invitation_error *err);

/* ---- The answers given through invitations. */

/** Writes every submission's answers (choice and text included, not only
 *  the rated questions that are responses rows) into a new string *out of
 *  *len_out bytes. CSV: a header, then one line per answered question:
 *  invitation_id, survey, survey_version, language, ticket_id,
 *  customer_id, agent_id, team, channel, first_at, updated_at,
 *  submitted_at, held, question, answer (several choices joined by '|';
 *  text escaped against spreadsheet formulas). JSON: {"answers": [one
 *  object per submission with those fields and "answers": {question:
 *  value}]}. Oldest first. `fmt` is "csv" or "json". Returns CXM_OK,
 *  CXM_EINVAL (another format), CXM_ESTORE, CXM_ENOTBUILT, CXM_ENOMEM.
 *  The caller frees *out with cxm_free(). */
CXM_API CXM_MUST_USE cxm_rc cxm_answers_export(cxm_store *st,
                                               const char *fmt, char **out,
                                               size_t *len_out);

/* ---- Dashboard accounts (docs/dashboard.md). */

/** Adds the dashboard account `name` (1..64 bytes of letters, digits and
 *  . _ @ -) with `role` "admin" or "viewer" and the password
 *  password[0..len) (8..1024 bytes, no NUL), kept as an argon2id hash
 *  (libsodium crypto_pwhash_str). Returns CXM_OK; CXM_EINPUT for a bad
 *  name, role or password, or a name in use (cxm_store_errmsg() says
 *  which); CXM_ESTORE; CXM_ENOTBUILT; CXM_ENOMEM; CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_user_add(cxm_store *st, const char *name,
                                         const char *role,
                                         const char *password, size_t len);

/** Sets the password of `name` (and ends its sessions). Returns as
 *  cxm_user_add(), and CXM_ENOTFOUND when there is no such account. */
CXM_API CXM_MUST_USE cxm_rc cxm_user_passwd(cxm_store *st, const char *name,
                                            const char *password,
                                            size_t len);

/** Removes the account `name` and ends its sessions. Returns CXM_OK;
 *  CXM_ENOTFOUND; CXM_ESTORE; CXM_ENOTBUILT; CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_user_remove(cxm_store *st, const char *name);

/** One account, for cxm_user_list(). Borrowed for the callback. */
struct cxm_user_info {
    const char *name;
    const char *role;   /* "admin" | "viewer" */
    int64_t created_at; /* ms since the epoch */
    int64_t updated_at; /* the password last set */
};
typedef cxm_rc (*cxm_user_fn)(const struct cxm_user_info *u, void *ud);

/** Calls fn for every account, by name. A non-zero return of fn stops
 *  and is returned. Returns CXM_OK, CXM_ESTORE, CXM_ENOTBUILT,
 *  CXM_EINVAL. */
CXM_API CXM_MUST_USE cxm_rc cxm_user_list(cxm_store *st, cxm_user_fn fn,
                                          void *ud);

/* ---- The server. */

typedef struct cxm_server cxm_server;

/** One line of the access log (no newline), or a note of the server.
 *  Called from the server's threads, one call at a time. */
typedef void (*cxm_server_log_fn)(const char *line, void *ud);

/** Options. Zero-initialise, set `size` to sizeof(struct
 *  cxm_server_opts). */
struct cxm_server_opts {
    size_t size;
    const char *listen;    /* "HOST:PORT" (IPv4 literal, or [IPv6]);
                              NULL: "127.0.0.1:8080"; port 0 = any free */
    const char *public_url;/* base of the links; NULL: the store's
                              public_url setting, else http://LISTEN */
    unsigned threads;      /* 0: a thread per connection (the default;
                              every answer waiting for a commit joins
                              it); N: a pool of N threads, each serving
                              many connections (one waiting for the
                              writer holds up the others of its thread) */
    cxm_server_log_fn log; /* may be NULL */
    void *ud;
    /* Seconds a client has to send a whole request (head and body) from
     * the moment its connection opens or its previous request is
     * answered, however steadily it trickles (slowloris); past it the
     * connection is closed. 0: CXM_SERVER_REQUEST_SECONDS. */
    unsigned request_seconds;
    /* Connections open at once from one client address; 0:
     * CXM_SERVER_MAX_PER_IP. */
    unsigned max_per_ip;
    /* The DSN `st` was opened with. When set (and not an in-memory
     * store), the pages and the API read through connections of their
     * own, so a reader never waits for the writer's commit (WAL); NULL:
     * they share `st` with the writer, one at a time. */
    const char *dsn;
    /* Sending surveys (cxmeter/send.h): when not NULL, a thread decides
     * new moments and sends the outbox continuously, with these options
     * (borrowed until cxm_server_stop(); `now` is ignored). */
    const struct cxm_send_opts *send;
    cxm_store *reader;     /* may be NULL: a second handle of the same
                              store, opened CXM_OPEN_READ (borrowed until
                              cxm_server_stop()), on which the dashboard
                              computes its reports, so that a long report
                              never holds up the survey pages, the API or
                              a login; NULL: the dashboard reads `st` */
};
#define CXM_SERVER_REQUEST_SECONDS 10
#define CXM_SERVER_MAX_PER_IP 256

/** Starts serving `st` (borrowed until cxm_server_stop()) and sets *out.
 *  Returns CXM_OK; CXM_EINVAL for a bad `listen`; CXM_EIO when the address
 *  cannot be bound (*errmsg_out, if not NULL, says why: the caller frees
 *  it with cxm_free()); CXM_ESTORE; CXM_ENOMEM. */
CXM_API CXM_MUST_USE cxm_rc cxm_server_start(cxm_store *st,
                                             const struct cxm_server_opts *o,
                                             cxm_server **out,
                                             char **errmsg_out);

/** The port the server listens on (useful after port 0). */
CXM_API unsigned cxm_server_port(const cxm_server *srv);

/** The base URL of the links the server makes. Borrowed. */
CXM_API const char *cxm_server_public_url(const cxm_server *srv);

/** Stops accepting connections, waits for the requests in flight to be
 *  answered (at most CXM_SERVER_DRAIN_MS), stops the server and frees it.
 *  Every answer acknowledged is committed by then. NULL-safe. */
CXM_API void cxm_server_stop(cxm_server *srv);
#define CXM_SERVER_DRAIN_MS 30000

#ifdef __cplusplus
}
#endif

#endif /* CXMETER_SERVE_H */
