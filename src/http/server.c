/* SPDX-License-Identifier: MIT
 *
 * server.c — the HTTP server of `cxmeter serve` on GNU libmicrohttpd
 * (serve.h): a thread per connection (or, when the caller asks, a pool of
 * threads), each answering its requests through the routes table below.
 * A handler that stores an answer waits for the writer's commit (group
 * commit, writer.c) holding its thread; with a thread per connection,
 * every connection's answer can join the next commit. The table is data (STYLE.md §4.10):
 * method, path pattern, handler, largest body and whether the route needs
 * a bearer token or is a public page under the per-address rate limit.
 *
 * Limits (http_limits.h): the head must fit the connection's memory pool
 * (libmicrohttpd answers 431 otherwise), at most CXM_HTTP_MAX_HEADERS
 * headers, a body no larger than its route's maximum (413, read no
 * further), CXM_HTTP_IDLE_SECONDS of silence, a cap on connections in all
 * and per address, and a deadline for reading each request (slowloris):
 * its head and body must have arrived within the request timeout
 * (CXM_HTTP_REQUEST_SECONDS unless the caller says), however steadily a
 * client trickles them. libmicrohttpd has only the idle timeout, so the
 * server keeps its own list of open connections (NOTIFY_CONNECTION) and
 * a reaper thread shuts down the socket of one past its deadline;
 * libmicrohttpd then closes it as a client hang-up. A request being
 * handled or answered has no deadline (handlers wait for commits).
 *
 * Stopping drains: the listening socket is closed first, then the server
 * waits until every request that has begun is answered, then stops the
 * threads. Handlers commit before they answer, so every acknowledged
 * answer is durable by then.
 */
#include "internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http_int.h"
#include "invite.h"
#include "send_int.h"
#include "store_int.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT_T;
#else
typedef enum MHD_Result MHD_RESULT_T;
#endif

enum route_flags {
    ROUTE_PREFIX = 1, /* the pattern is a prefix; the rest is req->tail */
    ROUTE_AUTH = 2,   /* needs Authorization: Bearer TOKEN */
    ROUTE_PUBLIC = 4, /* a public page: per-address rate limit */
    ROUTE_SESSION = 8 /* a dashboard page: needs a login (auth.c); a
                         GET without one is sent to /login, anything
                         else refused with 401; a POST's form must carry
                         the session's CSRF token (403 otherwise) */
};

struct route {
    const char *method;
    const char *pattern;
    cxm__http_handler handler;
    size_t max_body;
    unsigned flags;
};

/* GET routes answer HEAD too (libmicrohttpd sends no body then); a
 * handler tells HEAD by req->method and never records on it. */
static const struct route routes[] = {
    {"GET", "/healthz", cxm__http_healthz, 0, 0},
    {"GET", "/s/", cxm__http_survey_get, 0, ROUTE_PREFIX | ROUTE_PUBLIC},
    {"POST", "/s/", cxm__http_survey_post, CXM_HTTP_MAX_FORM_BODY,
     ROUTE_PREFIX | ROUTE_PUBLIC},
    {"POST", "/api/v1/invitations", cxm__http_api_invitations,
     CXM_HTTP_MAX_API_BODY, ROUTE_AUTH},
    {"POST", "/api/v1/responses", cxm__http_api_responses,
     CXM_HTTP_MAX_API_BODY, ROUTE_AUTH},
    {"GET", "/api/v1/report", cxm__http_api_report, 0, ROUTE_AUTH},
    {"GET", "/api/v1/surveys", cxm__http_api_surveys, 0, ROUTE_AUTH},
    /* sending surveys (hooks.c) */
    {"POST", "/api/v1/tickets", cxm__http_api_tickets, CXM_HTTP_MAX_API_BODY,
     ROUTE_AUTH},
    {"POST", "/hooks/zendesk", cxm__http_hook_zendesk,
     CXM_HTTP_MAX_API_BODY, 0},
    {"POST", "/hooks/freshdesk", cxm__http_hook_freshdesk,
     CXM_HTTP_MAX_API_BODY, 0},
    {"POST", "/hooks/bounce", cxm__http_hook_bounce, CXM_HTTP_MAX_API_BODY,
     0},
    {"GET", "/u/", cxm__http_unsubscribe_get, 0,
     ROUTE_PREFIX | ROUTE_PUBLIC},
    {"POST", "/u/", cxm__http_unsubscribe_post, CXM_HTTP_MAX_FORM_BODY,
     ROUTE_PREFIX | ROUTE_PUBLIC},
    /* The dashboard (docs/dashboard.md). A page of it is one line here
     * with ROUTE_SESSION, a handler written with the framework of
     * dash.c. */
    {"GET", "/login", cxm__http_login_get, 0, ROUTE_PUBLIC},
    {"POST", "/login", cxm__http_login_post, CXM_HTTP_MAX_FORM_BODY,
     ROUTE_PUBLIC},
    {"POST", "/logout", cxm__http_logout, CXM_HTTP_MAX_FORM_BODY,
     ROUTE_SESSION},
    {"GET", "/assets/", cxm__http_asset, 0, ROUTE_PREFIX},
    {"GET", "/", cxm__http_dash_overview, 0, ROUTE_SESSION},
    {"GET", "/dashboard", cxm__http_dash_overview, 0, ROUTE_SESSION},
    {"GET", "/breakdown", cxm__http_dash_breakdown, 0, ROUTE_SESSION},
    {"GET", "/agent", cxm__http_dash_agent, 0, ROUTE_SESSION},
    {"GET", "/drill", cxm__http_dash_drill, 0, ROUTE_SESSION},
    {"GET", "/alerts", cxm__http_dash_alerts, 0, ROUTE_SESSION},
    {"POST", "/alerts/add", cxm__http_dash_alert_add, CXM_HTTP_MAX_FORM_BODY,
     ROUTE_SESSION},
    {"POST", "/alerts/remove", cxm__http_dash_alert_remove,
     CXM_HTTP_MAX_FORM_BODY, ROUTE_SESSION},
    {"GET", "/comments", cxm__http_dash_comments, 0, ROUTE_SESSION},
};

/* One open connection, from accept to close. `deadline` is when the
 * request being read must be complete (ms, monotonic), 0 while one is
 * handled. The list and the deadlines are under conn_lock; an entry
 * leaves the list before libmicrohttpd closes its socket, so the reaper
 * never shuts down a socket number reused by another connection. */
struct conn_track {
    MHD_socket fd;
    int64_t deadline;
    bool cut; /* its socket was shut down: a request read after is not
                 handled (its reply could not be sent) */
    char addr[64];
    struct conn_track *prev, *next;
};

/* One slot of the rate limit table: an address and its requests in the
 * current window. */
struct rate_slot {
    unsigned char addr[16];
    int64_t window_start;
    uint32_t count;
    bool used;
};

struct cxm_server {
    struct cxm__http_ctx ctx;
    struct cxm__warmer *warmer; /* the dashboard's landing view */
    struct MHD_Daemon *d;
    unsigned port;
    cxm_server_log_fn log;
    void *ud;
    pthread_mutex_t log_lock;
    pthread_mutex_t state_lock; /* in_flight, rate table */
    unsigned in_flight;
    int64_t rate_per_minute;
    struct rate_slot *rate; /* CXM_HTTP_RATE_SLOTS */
    /* The request deadline: open connections and their reaper. */
    int64_t request_ms;
    pthread_mutex_t conn_lock;
    pthread_cond_t reaper_wake;
    struct conn_track *conns;
    int64_t drain_until; /* stopping: reading ends by then; else 0 */
    bool reaper_stop, reaper_started;
    pthread_t reaper;
    struct cxm__sender *sender; /* NULL: this server sends nothing */
};

/* One request's state across the calls of the access handler. */
struct conn_state {
    const struct route *route;
    struct cxm__session session; /* ROUTE_SESSION: the login checked */
    int early_status;        /* refused before the body: 4xx, else 0 */
    struct cxm__buf body;
    bool too_big;
    bool counted;            /* in srv->in_flight */
    struct timespec t0;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void logf_line(cxm_server *srv, const char *line)
{
    if (!srv->log)
        return;
    pthread_mutex_lock(&srv->log_lock);
    srv->log(line, srv->ud);
    pthread_mutex_unlock(&srv->log_lock);
}

static const char *query_arg(const struct cxm__http_req *r, const char *name)
{
    const char *v = MHD_lookup_connection_value(
        (struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, name);

    if (v && strlen(v) > CXM_HTTP_MAX_QUERY_VALUE)
        return NULL;
    return v;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? v : "";
}

static const char *req_header(const struct cxm__http_req *r,
                              const char *name)
{
    return header((struct MHD_Connection *)r->conn, name);
}

/* The client's address as 16 bytes (IPv4 mapped) and as text. */
static void client_addr(struct MHD_Connection *c, unsigned char *raw,
                        char *text, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    memset(raw, 0, 16);
    snprintf(text, cap, "-");
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        raw[10] = raw[11] = 0xff;
        memcpy(raw + 12, &in->sin_addr, 4);
        inet_ntop(AF_INET, &in->sin_addr, text, (socklen_t)cap);
    } else if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        memcpy(raw, &in6->sin6_addr, 16);
        inet_ntop(AF_INET6, &in6->sin6_addr, text, (socklen_t)cap);
    }
}

/* ---- The request deadline (slowloris). */

static struct conn_track *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Sets the deadline of c's request: `now + request_ms`, or none (0).
 * Returns false when the reaper has shut the connection down already:
 * a request it finished reading then must not be handled, for its
 * reply could not be sent (an answer stored, never acknowledged). */
static bool set_deadline(cxm_server *srv, struct MHD_Connection *c,
                         bool reading)
{
    struct conn_track *t = conn_of(c);
    bool live;

    if (!t)
        return true;
    pthread_mutex_lock(&srv->conn_lock);
    live = !t->cut;
    t->deadline = reading ? mono_ms() + srv->request_ms : 0;
    pthread_mutex_unlock(&srv->conn_lock);
    return live;
}

static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    cxm_server *srv = cls;
    struct conn_track *t = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        unsigned char raw[16];

        if (!ci || !(t = cxm__calloc(1, sizeof(*t))))
            return; /* untracked: the idle timeout still applies */
        t->fd = ci->connect_fd;
        client_addr(c, raw, t->addr, sizeof(t->addr));
        pthread_mutex_lock(&srv->conn_lock);
        t->deadline = mono_ms() + srv->request_ms;
        t->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = t;
        srv->conns = t;
        pthread_mutex_unlock(&srv->conn_lock);
        *socket_context = t;
        return;
    }
    if (!t)
        return;
    pthread_mutex_lock(&srv->conn_lock);
    if (t->prev)
        t->prev->next = t->next;
    else
        srv->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&srv->conn_lock);
    cxm__free(t);
    *socket_context = NULL;
}

/* Shuts down the sockets of the connections past their deadline, four
 * times a second, until cxm_server_stop(). */
static void *reaper_main(void *arg)
{
    cxm_server *srv = arg;

    pthread_mutex_lock(&srv->conn_lock);
    while (!srv->reaper_stop) {
        struct timespec ts;
        int64_t now = mono_ms();
        char cut[4][sizeof(((struct conn_track *)0)->addr)];
        size_t n_cut = 0, n_more = 0;

        for (struct conn_track *t = srv->conns; t; t = t->next) {
            int64_t dl = t->deadline;
            if (dl && srv->drain_until && srv->drain_until < dl)
                dl = srv->drain_until;
            if (dl == 0 || dl > now)
                continue;
            shutdown(t->fd, SHUT_RDWR);
            t->deadline = 0;
            t->cut = true;
            if (n_cut < CXM_ARRAY_LEN(cut))
                memcpy(cut[n_cut++], t->addr, sizeof(t->addr));
            else
                n_more++;
        }
        if (n_cut) {
            pthread_mutex_unlock(&srv->conn_lock);
            for (size_t i = 0; i < n_cut; i++) {
                char line[256];
                if (srv->drain_until)
                    snprintf(line, sizeof(line),
                             "%.64s closed: no request begun when "
                             "stopping%s", cut[i],
                             i + 1 == n_cut && n_more ? " (and more)" : "");
                else
                    snprintf(line, sizeof(line),
                             "%.64s cut off: request not read within "
                             "%lld ms%s", cut[i], (long long)srv->request_ms,
                             i + 1 == n_cut && n_more ? " (and more)" : "");
                logf_line(srv, line);
            }
            pthread_mutex_lock(&srv->conn_lock);
        }
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->reaper_wake, &srv->conn_lock, &ts);
    }
    pthread_mutex_unlock(&srv->conn_lock);
    return NULL;
}

/* Whether the address may make one more public request now: a count
 * per address and window of CXM_HTTP_RATE_WINDOW_MS, in a table probed
 * over 8 slots (a miss takes a free slot, else the stalest). */
static bool rate_ok(cxm_server *srv, const unsigned char *addr, int64_t now)
{
    struct rate_slot *hit = NULL, *victim = NULL;
    uint32_t h = 2166136261u;
    bool ok = true;

    if (srv->rate_per_minute <= 0)
        return true;
    for (int i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 16777619u;
    pthread_mutex_lock(&srv->state_lock);
    for (size_t k = 0; k < 8 && !hit; k++) {
        struct rate_slot *r = &srv->rate[(h + k) % CXM_HTTP_RATE_SLOTS];
        if (r->used && memcmp(r->addr, addr, 16) == 0)
            hit = r;
        else if (!r->used) {
            if (!victim || victim->used)
                victim = r;
        } else if (!victim ||
                   (victim->used && r->window_start < victim->window_start))
            victim = r;
    }
    if (!hit) {
        hit = victim;
        memcpy(hit->addr, addr, 16);
        hit->used = true;
        hit->window_start = now;
        hit->count = 0;
    }
    if (now - hit->window_start >= CXM_HTTP_RATE_WINDOW_MS) {
        hit->window_start = now;
        hit->count = 0;
    }
    if (hit->count >= (uint64_t)srv->rate_per_minute)
        ok = false;
    else
        hit->count++;
    pthread_mutex_unlock(&srv->state_lock);
    return ok;
}

/* Finds the route of method and path; *path_known says whether some
 * route has the path (405 rather than 404). */
static const struct route *find_route(const char *method, const char *path,
                                      bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < CXM_ARRAY_LEN(routes); i++) {
        const struct route *r = &routes[i];
        bool match = (r->flags & ROUTE_PREFIX)
                         ? strncmp(path, r->pattern, strlen(r->pattern)) == 0
                         : strcmp(path, r->pattern) == 0;
        if (!match)
            continue;
        *path_known = true;
        if (strcmp(method, r->method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0))
            return r;
    }
    return NULL;
}

static const char *allow_of(const char *path)
{
    bool get = false, post = false, known;

    if (find_route("GET", path, &known))
        get = true;
    if (find_route("POST", path, &known))
        post = true;
    return get && post ? "GET, HEAD, POST" : post ? "POST" : "GET, HEAD";
}

/* Checks the bearer token of an /api/ request. */
static bool authorised(struct cxm__http_ctx *ctx, const char *auth)
{
    cxm_store *st;
    bool ok = false;
    cxm_rc rc;

    if (strncmp(auth, "Bearer ", 7) != 0)
        return false;
    auth += 7;
    while (*auth == ' ')
        auth++;
    st = cxm__read_begin(ctx);
    rc = cxm_api_token_check(st, auth, strlen(auth), &ok);
    cxm__read_end(ctx, st);
    return rc == CXM_OK && ok;
}

static MHD_RESULT_T send_resp(cxm_server *srv, struct MHD_Connection *c,
                              const char *method, const char *url,
                              struct conn_state *cs,
                              struct cxm__http_resp *resp)
{
    struct MHD_Response *r;
    MHD_RESULT_T ret;
    struct timespec t1;
    unsigned char raw[16];
    char addr[64], line[768], shown[96];
    const char *body = resp->body.data ? resp->body.data : "";

    r = MHD_create_response_from_buffer(resp->body.len, (void *)body,
                                        MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", resp->content_type
                                                   ? resp->content_type
                                                   : "text/plain; "
                                                     "charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (resp->html) {
        /* A dashboard page runs scripts only from /assets/ (no inline
         * script); uPlot sets element styles, hence style-src's
         * 'unsafe-inline'. */
        MHD_add_response_header(r, "Content-Security-Policy",
                                resp->dashboard
                                    ? "default-src 'none'; script-src "
                                      "'self'; style-src 'self' "
                                      "'unsafe-inline'; img-src 'self' "
                                      "data:; connect-src 'self'; "
                                      "form-action 'self'; "
                                      "frame-ancestors 'none'; "
                                      "base-uri 'none'"
                                    : "default-src 'none'; style-src "
                                      "'unsafe-inline'; form-action 'self'; "
                                      "frame-ancestors 'none'; "
                                      "base-uri 'none'");
        MHD_add_response_header(r, "X-Frame-Options", "DENY");
    }
    if (resp->location[0])
        MHD_add_response_header(r, "Location", resp->location);
    for (size_t i = 0; i < CXM_ARRAY_LEN(resp->set_cookie); i++) {
        if (resp->set_cookie[i][0])
            MHD_add_response_header(r, "Set-Cookie", resp->set_cookie[i]);
    }
    if (resp->disposition)
        MHD_add_response_header(r, "Content-Disposition",
                                resp->disposition);
    if (resp->allow)
        MHD_add_response_header(r, "Allow", resp->allow);
    if (resp->retry_after)
        MHD_add_response_header(r, "Retry-After", resp->retry_after);
    ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);

    /* The access log: the link token is a secret, so only its first
     * characters are written. */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    client_addr(c, raw, addr, sizeof(addr));
    if (strncmp(url, "/s/", 3) == 0 || strncmp(url, "/u/", 3) == 0)
        snprintf(shown, sizeof(shown), "%.3s%.6s...", url, url + 3);
    else
        snprintf(shown, sizeof(shown), "%.80s", url);
    for (char *p = shown; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    snprintf(line, sizeof(line), "%s \"%.8s %s\" %d %zu %.3fms", addr,
             method, shown, resp->status, resp->body.len,
             (double)(t1.tv_sec - cs->t0.tv_sec) * 1e3 +
                 (double)(t1.tv_nsec - cs->t0.tv_nsec) / 1e6);
    logf_line(srv, line);
    return ret;
}

/* Appends one query parameter to the buffer of a redirect's `next`. */
static MHD_RESULT_T add_query_arg(void *cls, enum MHD_ValueKind kind,
                                  const char *key, const char *value)
{
    struct cxm__buf *b = cls;

    (void)kind;
    if (cxm__buf_addc(b, memchr(b->data, '?', b->len) ? '&' : '?') ||
        cxm__url_encode(b, key) ||
        (value && (cxm__buf_addc(b, '=') || cxm__url_encode(b, value))))
        return MHD_NO;
    return MHD_YES;
}

static MHD_RESULT_T answer_status(cxm_server *srv, struct MHD_Connection *c,
                                  const char *method, const char *url,
                                  struct conn_state *cs, int status)
{
    struct cxm__http_resp resp;
    MHD_RESULT_T ret;

    memset(&resp, 0, sizeof(resp));
    resp.body.cap = 65536;
    switch (status) {
    case 401:
        if (cs->route && (cs->route->flags & ROUTE_SESSION))
            cxm__http_error_page(&resp, 401, "Log in first",
                                 "This page needs a login.");
        else
            cxm__http_json_error(&resp, 401,
                                 "a valid bearer token is required");
        break;
    case 303: {
        /* A dashboard page without a login: to the login page, which
         * comes back here afterwards. */
        struct cxm__buf here = CXM__BUF_INIT(2048), next = CXM__BUF_INIT(2048);
        if (cxm__buf_adds(&here, url) == CXM_OK &&
            cxm__buf_addc(&here, '\0') == CXM_OK) {
            here.len--;
            MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
                                      add_query_arg, &here);
        }
        if (cxm__buf_addc(&here, '\0') == CXM_OK &&
            cxm__url_encode(&next, here.data) == CXM_OK &&
            next.len < sizeof(resp.location) - 16)
            snprintf(resp.location, sizeof(resp.location),
                     "/login?next=%s", next.data);
        else
            snprintf(resp.location, sizeof(resp.location), "/login");
        cxm__buf_release(&next);
        cxm__buf_release(&here);
        resp.status = 303;
        if (cxm__buf_adds(&resp.body, "see /login\n"))
            cxm__buf_reset(&resp.body);
        break;
    }
    case 403:
        cxm__http_error_page(&resp, 403, "Refused",
                             "The form was stale or not from this site. "
                             "Please reload the page and try again.");
        break;
    case 404:
        cxm__http_error_page(&resp, 404, "Not found",
                             "There is nothing at this address.");
        break;
    case 405:
        cxm__http_error_page(&resp, 405, "Method not allowed",
                             "This address does not take that method.");
        resp.allow = allow_of(url);
        break;
    case 413:
        cxm__http_error_page(&resp, 413, "Too large",
                             "The request is larger than this server "
                             "takes.");
        break;
    case 429:
        cxm__http_error_page(&resp, 429, "Too many requests",
                             "Please wait a minute and try again.");
        resp.retry_after = "60";
        break;
    case 431:
        cxm__http_error_page(&resp, 431, "Too many headers",
                             "The request has more headers than this "
                             "server takes.");
        break;
    default:
        cxm__http_error_page(&resp, status, "Error", "The request failed.");
    }
    if (strncmp(url, "/api/", 5) == 0 && status != 401) {
        cxm__buf_reset(&resp.body);
        cxm__http_json_error(&resp, status,
                             status == 413   ? "body too large"
                             : status == 404 ? "no such route"
                             : status == 405 ? "method not allowed"
                             : status == 431 ? "too many headers"
                                             : "refused");
        resp.allow = status == 405 ? allow_of(url) : NULL;
    }
    ret = send_resp(srv, c, method, url, cs, &resp);
    cxm__buf_release(&resp.body);
    return ret;
}

static MHD_RESULT_T on_request(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    cxm_server *srv = cls;
    struct conn_state *cs = *con_cls;
    struct cxm__http_req req;
    struct cxm__http_resp resp;
    struct cxm__form form;
    char client[64];
    MHD_RESULT_T ret;

    (void)version;
    if (!cs) {
        bool known;
        int n_headers;
        unsigned char raw[16];
        char addr[64];

        cs = cxm__calloc(1, sizeof(*cs));
        if (!cs)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &cs->t0);
        *con_cls = cs;
        pthread_mutex_lock(&srv->state_lock);
        srv->in_flight++;
        cs->counted = true;
        pthread_mutex_unlock(&srv->state_lock);

        n_headers = MHD_get_connection_values(c, MHD_HEADER_KIND, NULL,
                                              NULL);
        cs->route = find_route(method, url, &known);
        if (n_headers > CXM_HTTP_MAX_HEADERS)
            cs->early_status = 431;
        else if (strlen(url) > CXM_HTTP_MAX_PATH)
            cs->early_status = 414;
        else if (!cs->route)
            cs->early_status = known ? 405 : 404;
        else {
            const char *cl = MHD_lookup_connection_value(
                c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            client_addr(c, raw, addr, sizeof(addr));
            if (cl && strtoull(cl, NULL, 10) > cs->route->max_body)
                cs->early_status = 413;
            else if ((cs->route->flags & ROUTE_PUBLIC) &&
                     !rate_ok(srv, raw, cxm__now_ms()))
                cs->early_status = 429;
            else if ((cs->route->flags & ROUTE_AUTH) &&
                     !authorised(&srv->ctx, header(c, "Authorization")))
                cs->early_status = 401;
            else if (cs->route->flags & ROUTE_SESSION) {
                if (cxm__auth_session(&srv->ctx, header(c, "Cookie"),
                                      cxm__now_ms(), &cs->session) ||
                    !cs->session.valid)
                    cs->early_status =
                        strcmp(cs->route->method, "GET") == 0 ? 303 : 401;
            }
        }
        cs->body.cap = cs->route ? cs->route->max_body : 0;
        if (cs->early_status)
            return answer_status(srv, c, method, url, cs, cs->early_status);
        return MHD_YES;
    }
    if (cs->early_status) {
        *upload_size = 0; /* answered already; the rest is discarded */
        return MHD_YES;
    }
    if (*upload_size) {
        if (!cs->too_big &&
            cxm__buf_add(&cs->body, upload, *upload_size) != CXM_OK)
            cs->too_big = true; /* the buffer is freed; read on, drop */
        *upload_size = 0;
        return MHD_YES;
    }
    if (cs->too_big)
        return answer_status(srv, c, method, url, cs, 413);

    /* The request is read: no deadline while it is handled. */
    if (!set_deadline(srv, c, false))
        return MHD_NO;
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.ctx = &srv->ctx;
    req.method = method;
    req.path = url;
    req.tail = url + strlen(cs->route->pattern);
    if ((cs->route->flags & ROUTE_PREFIX) == 0)
        req.tail = "";
    req.body = cs->body.data ? cs->body.data : "";
    req.body_len = cs->body.len;
    req.content_type = header(c, "Content-Type");
    req.authorization = header(c, "Authorization");
    req.arg = query_arg;
    req.header = req_header;
    req.conn = c;
    req.now = cxm__now_ms();
    req.cookie = header(c, "Cookie");
    {
        unsigned char raw[16];
        client_addr(c, raw, client, sizeof(client));
        req.client = client;
    }
    req.session = cs->session;
    if ((cs->route->flags & ROUTE_SESSION) &&
        strcmp(cs->route->method, "POST") == 0) {
        /* Every dashboard form carries the session's CSRF token. */
        memset(&form, 0, sizeof(form));
        if (cxm__form_parse(req.body, req.body_len, &form) ||
            !cxm__auth_csrf_ok(&cs->session, cxm__form_get(&form, "csrf"))) {
            cxm__form_release(&form);
            return answer_status(srv, c, method, url, cs, 403);
        }
        req.form = &form;
    }
    resp.body.cap = 8u << 20;
    resp.status = cs->route->handler(&req, &resp);
    if (req.form)
        cxm__form_release(&form);
    ret = send_resp(srv, c, method, url, cs, &resp);
    cxm__buf_release(&resp.body);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    cxm_server *srv = cls;
    struct conn_state *cs = *con_cls;

    (void)toe;
    /* The next request on this connection has its own deadline. */
    (void)set_deadline(srv, c, true);
    if (!cs)
        return;
    cxm__buf_release(&cs->body);
    if (cs->counted) {
        pthread_mutex_lock(&srv->state_lock);
        srv->in_flight--;
        pthread_mutex_unlock(&srv->state_lock);
    }
    cxm__free(cs);
    *con_cls = NULL;
}

/* Parses "HOST:PORT" (IPv4 literal or [IPv6]) into *ss. */
static bool parse_listen(const char *listen, struct sockaddr_storage *ss,
                         socklen_t *len)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    size_t hl;
    char *end;
    unsigned long port;

    if (!colon || colon == listen)
        return false;
    port = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port > 65535)
        return false;
    hl = (size_t)(colon - listen);
    if (hl >= sizeof(host))
        return false;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        host[hl - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
            return false;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*in6);
        return true;
    }
    {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
            return false;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *len = sizeof(*in);
    }
    return true;
}

static void set_errmsg(char **errmsg_out, const char *msg)
{
    if (errmsg_out)
        *errmsg_out = cxm__strdup(msg);
}

/* Stops the reaper (after the daemon: it cuts trickling requests off
 * while the server drains) and frees what the daemon left listed. */
static void reaper_stop(cxm_server *srv)
{
    if (srv->reaper_started) {
        pthread_mutex_lock(&srv->conn_lock);
        srv->reaper_stop = true;
        pthread_cond_signal(&srv->reaper_wake);
        pthread_mutex_unlock(&srv->conn_lock);
        pthread_join(srv->reaper, NULL);
        srv->reaper_started = false;
    }
    while (srv->conns) {
        struct conn_track *t = srv->conns;
        srv->conns = t->next;
        cxm__free(t);
    }
}

static void server_free(cxm_server *srv)
{
    reaper_stop(srv);
    cxm__readers_close(&srv->ctx);
    pthread_mutex_destroy(&srv->conn_lock);
    pthread_cond_destroy(&srv->reaper_wake);
    cxm__report_cache_free(srv->ctx.reports);
    pthread_mutex_destroy(&srv->ctx.lock);
    pthread_mutex_destroy(&srv->ctx.rlock_own);
    pthread_mutex_destroy(&srv->log_lock);
    pthread_mutex_destroy(&srv->state_lock);
    cxm__free(srv->rate);
    cxm__free(srv);
}

cxm_rc cxm_server_start(cxm_store *st, const struct cxm_server_opts *o,
                        cxm_server **out, char **errmsg_out)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    const union MHD_DaemonInfo *di;
    const char *listen = "127.0.0.1:8080";
    char *url = NULL;
    unsigned threads = 0;
    unsigned request_s = CXM_HTTP_REQUEST_SECONDS;
    unsigned per_ip = CXM_HTTP_MAX_PER_IP;
    cxm_server *srv;
    cxm_rc rc;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!st || !out)
        return CXM_EINVAL;
    *out = NULL;
    if (o && o->listen)
        listen = o->listen;
    if (o && o->threads)
        threads = o->threads;
    if (o && o->size >= offsetof(struct cxm_server_opts, max_per_ip) +
                            sizeof(o->max_per_ip)) {
        if (o->request_seconds)
            request_s = o->request_seconds;
        if (o->max_per_ip)
            per_ip = o->max_per_ip;
    }
    if (!parse_listen(listen, &ss, &sslen)) {
        set_errmsg(errmsg_out, "--listen takes HOST:PORT with HOST an IP "
                               "address (127.0.0.1:8080, [::1]:8080)");
        return CXM_EINVAL;
    }
    srv = cxm__calloc(1, sizeof(*srv));
    if (!srv)
        return CXM_ENOMEM;
    srv->rate = cxm__calloc(CXM_HTTP_RATE_SLOTS, sizeof(*srv->rate));
    if (!srv->rate) {
        cxm__free(srv);
        return CXM_ENOMEM;
    }
    srv->ctx.st = st;
    pthread_mutex_init(&srv->ctx.lock, NULL);
    pthread_mutex_init(&srv->ctx.rlock_own, NULL);
    srv->ctx.rst = st;
    srv->ctx.rlock = &srv->ctx.lock;
    if (o && o->size >= offsetof(struct cxm_server_opts, reader) +
                            sizeof(o->reader) &&
        o->reader && o->reader != st) {
        srv->ctx.rst = o->reader;
        srv->ctx.rlock = &srv->ctx.rlock_own;
        (void)cxm__store_tune(o->reader, CXM__TUNE_REPORTS);
    }
    pthread_mutex_init(&srv->log_lock, NULL);
    pthread_mutex_init(&srv->state_lock, NULL);
    pthread_mutex_init(&srv->conn_lock, NULL);
    pthread_cond_init(&srv->reaper_wake, NULL);
    srv->request_ms = (int64_t)request_s * 1000;
    if (o) {
        srv->log = o->log;
        srv->ud = o->ud;
    }
    rc = cxm__config_int(st, "serve.rate_per_minute", &srv->rate_per_minute);
    if (!rc) {
        int64_t minutes = 0;
        rc = cxm__config_int(st, "serve.session_minutes", &minutes);
        srv->ctx.session_ms = minutes * 60000;
    }
    if (!rc)
        rc = cxm_config_get(st, "public_url", &url, NULL);
    if (rc) {
        set_errmsg(errmsg_out, cxm_store_errmsg(st));
        server_free(srv);
        return rc == CXM_ENOMEM ? rc : CXM_ESTORE;
    }

    rc = cxm__report_cache_new(&srv->ctx.reports);
    if (!rc && o && o->size >= offsetof(struct cxm_server_opts, dsn) +
                                  sizeof(o->dsn))
        cxm__readers_open(&srv->ctx, o->dsn);
    if (!rc)
        rc = cxm__writer_start(&srv->ctx, &srv->ctx.writer);
    if (!rc && pthread_create(&srv->reaper, NULL, reaper_main, srv) != 0) {
        cxm__writer_stop(srv->ctx.writer);
        rc = CXM_ENOMEM;
    }
    if (rc) {
        cxm_free(url);
        server_free(srv);
        return rc;
    }
    srv->reaper_started = true;
    srv->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
            (threads ? MHD_USE_EPOLL
                     : MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL) |
            (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CXM_HTTP_IDLE_SECONDS,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CXM_HTTP_MAX_HEAD,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)CXM_HTTP_MAX_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_END);
    if (!srv->d) {
        char msg[160];
        snprintf(msg, sizeof(msg), "cannot listen on %s (in use, or not an "
                                   "address of this machine)", listen);
        set_errmsg(errmsg_out, msg);
        cxm_free(url);
        cxm__writer_stop(srv->ctx.writer);
        server_free(srv);
        return CXM_EIO;
    }
    /* Only with a reader of its own: warming on the shared handle would
     * hold up the survey pages while it computes. A failure to warm is
     * only slower first pages. */
    if (srv->ctx.rst != srv->ctx.st &&
        cxm__warmer_start(&srv->ctx, &srv->warmer))
        srv->warmer = NULL;
    di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : 0;
    if (o && o->public_url && *o->public_url)
        snprintf(srv->ctx.public_url, sizeof(srv->ctx.public_url), "%s",
                 o->public_url);
    else if (url && *url)
        snprintf(srv->ctx.public_url, sizeof(srv->ctx.public_url), "%s",
                 url);
    else {
        char host[64];
        size_t hl = (size_t)(strrchr(listen, ':') - listen);
        snprintf(host, sizeof(host), "%.*s", (int)hl, listen);
        snprintf(srv->ctx.public_url, sizeof(srv->ctx.public_url),
                 "http://%s:%u", host, srv->port);
    }
    cxm_free(url);
    if (o && o->size >= offsetof(struct cxm_server_opts, send) +
                            sizeof(o->send) && o->send) {
        srv->ctx.send = o->send;
        rc = cxm__sender_start(&srv->ctx, o->send, &srv->sender);
        if (rc) {
            cxm_server_stop(srv);
            return rc;
        }
    }
    srv->ctx.secure_cookies =
        strncmp(srv->ctx.public_url, "https://", 8) == 0;
    *out = srv;
    return CXM_OK;
}

unsigned cxm_server_port(const cxm_server *srv)
{
    return srv ? srv->port : 0;
}

const char *cxm_server_public_url(const cxm_server *srv)
{
    return srv ? srv->ctx.public_url : "";
}

void cxm_server_stop(cxm_server *srv)
{
    int64_t end;
    MHD_socket fd;

    if (!srv)
        return;
    /* No new connections; then let what has begun be answered. A
     * connection accepted already may still be sending its request: it
     * has CXM_HTTP_DRAIN_GRACE_MS to finish, then the reaper closes it
     * (an idle keep-alive connection too). The daemon stops when no
     * request is in flight and no connection is open, or after
     * CXM_SERVER_DRAIN_MS. */
    fd = MHD_quiesce_daemon(srv->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    end = mono_ms() + CXM_SERVER_DRAIN_MS;
    pthread_mutex_lock(&srv->conn_lock);
    srv->drain_until = mono_ms() + CXM_HTTP_DRAIN_GRACE_MS;
    pthread_mutex_unlock(&srv->conn_lock);
    for (;;) {
        const struct timespec pause = {0, 10 * 1000000L};
        bool busy;

        pthread_mutex_lock(&srv->state_lock);
        busy = srv->in_flight > 0;
        pthread_mutex_unlock(&srv->state_lock);
        pthread_mutex_lock(&srv->conn_lock);
        busy = busy || srv->conns != NULL;
        pthread_mutex_unlock(&srv->conn_lock);
        if (!busy || mono_ms() >= end)
            break;
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(srv->d);
    cxm__sender_stop(srv->sender);
    cxm__warmer_stop(srv->warmer);
    {
        uint64_t batches, jobs, hits, runs;
        char line[160];
        cxm__writer_stats(srv->ctx.writer, &batches, &jobs);
        cxm__writer_stop(srv->ctx.writer);
        snprintf(line, sizeof(line),
                 "group commit: %llu changes in %llu transactions",
                 (unsigned long long)jobs, (unsigned long long)batches);
        logf_line(srv, line);
        cxm__report_cache_stats(srv->ctx.reports, &hits, &runs);
        snprintf(line, sizeof(line),
                 "report cache: %llu found, %llu run",
                 (unsigned long long)hits, (unsigned long long)runs);
        logf_line(srv, line);
    }
    server_free(srv);
}
