/* SPDX-License-Identifier: MIT
 *
 * http_limits.h — every limit of the HTTP layer, in one place (STYLE.md
 * §4.10). A request over a limit is refused with its 4xx status and
 * nothing of it is read further or stored.
 */
#ifndef CXM_HTTP_LIMITS_H
#define CXM_HTTP_LIMITS_H

/* Bytes of a request's head (request line and headers together): the
 * connection's memory pool; a head that does not fit is a 431. */
#define CXM_HTTP_MAX_HEAD (32 * 1024)
/* Request headers; more is a 431. */
#define CXM_HTTP_MAX_HEADERS 64
/* Bytes of a request body, per route (the routes table names which). */
#define CXM_HTTP_MAX_FORM_BODY (64 * 1024)
#define CXM_HTTP_MAX_API_BODY (1024 * 1024)
/* A form body: fields, and bytes of one decoded field name and value. */
#define CXM_HTTP_MAX_FORM_FIELDS 64
#define CXM_HTTP_MAX_FIELD_NAME 64
#define CXM_HTTP_MAX_FIELD_VALUE 8192
/* Bytes of a path, and of one query parameter. */
#define CXM_HTTP_MAX_PATH 1024
#define CXM_HTTP_MAX_QUERY_VALUE 256
/* Seconds a connection may stay silent. */
#define CXM_HTTP_IDLE_SECONDS 10
/* Seconds a whole request (head and body) may take to arrive, however
 * steadily it trickles (slowloris); the default of
 * cxm_server_opts.request_seconds (serve.h, CXM_SERVER_REQUEST_SECONDS). */
#define CXM_HTTP_REQUEST_SECONDS CXM_SERVER_REQUEST_SECONDS
/* Milliseconds a connection accepted before the server began to stop
 * has to finish sending its request; then it is closed unanswered. */
#define CXM_HTTP_DRAIN_GRACE_MS 1000
/* Connections in all, and from one client address (the default of
 * cxm_server_opts.max_per_ip). */
#define CXM_HTTP_MAX_CONNECTIONS 1024
#define CXM_HTTP_MAX_PER_IP CXM_SERVER_MAX_PER_IP
/* The per-address rate limit of the public pages: slots of the table of
 * addresses (a full table forgets the oldest), and the window. */
#define CXM_HTTP_RATE_SLOTS 4096
#define CXM_HTTP_RATE_WINDOW_MS 60000
/* Read connections of the store the handlers share (each used by one
 * handler at a time); the writer has its own. */
#define CXM_HTTP_READERS 8
/* The checkpointer's pause between PASSIVE checkpoints (readers.c). */
#define CXM_HTTP_CHECKPOINT_MS 100
/* Rows of one POST /api/v1/responses. */
#define CXM_HTTP_MAX_API_ERRORS 100
/* The dashboard's logins (auth.c): a user name's bytes; a password's
 * bytes (at least, at most); failed logins within the window that lock
 * a user name, and a client address, out until they age out of it. */
#define CXM_HTTP_MAX_USER_NAME 64
#define CXM_HTTP_MIN_PASSWORD 8
#define CXM_HTTP_MAX_PASSWORD 1024
#define CXM_HTTP_LOCKOUT_WINDOW_MS (15 * 60 * 1000)
#define CXM_HTTP_LOCKOUT_USER 5
#define CXM_HTTP_LOCKOUT_IP 20
/* Reports the dashboard keeps for pages asked again (dash.c). */
#define CXM_HTTP_REPORT_CACHE 32
/* Rendered pieces of pages kept beside them (dash.c: agents' comments). */
#define CXM_HTTP_FRAGMENT_CACHE 32
/* Seconds between the warmer's looks at the store (dash.c). */
#define CXM_HTTP_WARM_SECONDS 2
/* Rows of a drill-down page. */
#define CXM_HTTP_DRILL_ROWS 200

#endif /* CXM_HTTP_LIMITS_H */
