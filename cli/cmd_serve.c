/* SPDX-License-Identifier: MIT
 *
 * cmd_serve.c — `cxmeter serve [--db D] [--listen HOST:PORT]
 * [--public-url URL] [--threads N] [--request-timeout S] [--max-per-ip N]`:
 * hosts the survey pages and the JSON API (cxmeter/serve.h,
 * docs/survey.md) until SIGTERM or SIGINT, then drains the requests in
 * flight and exits 0. The access log, one line per
 * request, goes to stderr.
 */
#include "cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_HELP = 1,
    OPT_DB,
    OPT_READ_DB,
    OPT_LISTEN,
    OPT_PUBLIC_URL,
    OPT_THREADS,
    OPT_REQUEST_TIMEOUT,
    OPT_MAX_PER_IP
};

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"read-db", true, OPT_READ_DB},
    {"listen", true, OPT_LISTEN},
    {"public-url", true, OPT_PUBLIC_URL},
    {"threads", true, OPT_THREADS},
    {"request-timeout", true, OPT_REQUEST_TIMEOUT},
    {"max-per-ip", true, OPT_MAX_PER_IP},
    {NULL, false, 0},
};

static void log_line(const char *line, void *ud)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
}

/* Opens the store, serves until SIGTERM or SIGINT, drains. Returns the
 * exit status. */
static int serve(struct cli_env *env, struct cxm_server_opts *so)
{
    cxm_server *srv = NULL;
    cxm_store *st = NULL, *reader = NULL;
    char *err = NULL;
    sigset_t set;
    int sig = 0, status;
    cxm_rc rc;

    status = cli_open_store(env, "serve", CXM_OPEN_CREATE, &st);
    if (status != EXIT_OK_)
        return status;
    /* The dashboard's reports run on a second, read-only handle: a long
     * report does not hold up the survey pages or the API. */
    status = cli_open_store(env, "serve", CXM_OPEN_READ, &reader);
    if (status != EXIT_OK_) {
        cxm_store_close(st);
        return status;
    }
    so->reader = reader;
    /* The signals are taken by sigwait() below: blocked before the
     * server's threads start, so they inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    rc = cxm_server_start(st, so, &srv, &err);
    if (rc) {
        cli_error("serve", "%s", err ? err : cxm_strerror(rc));
        cxm_free(err);
        cxm_store_close(reader);
        cxm_store_close(st);
        return rc == CXM_EINVAL ? EXIT_USAGE : cli_exit_for(rc);
    }
    fprintf(stderr, "cxmeter serve: listening on port %u, links at %s\n",
            cxm_server_port(srv), cxm_server_public_url(srv));
    fflush(stderr);
    if (sigwait(&set, &sig) != 0)
        sig = 0;
    fprintf(stderr, "cxmeter serve: %s: finishing the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    cxm_server_stop(srv);
    fprintf(stderr, "cxmeter serve: stopped\n");
    cxm_store_close(reader);
    cxm_store_close(st);
    return EXIT_OK_;
}

int cmd_serve(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cxm_server_opts so;
    uint64_t n;
    struct cli_send_env se;
    struct cxm_send_opts send;
    int id, status = EXIT_USAGE;

    memset(&so, 0, sizeof(so));
    so.size = sizeof(so);
    so.listen = "127.0.0.1:8080";
    so.log = log_line;
    /* The outbox is sent continuously; its lines go to the log too. */
    cli_send_opts(&se, &send);
    send.log = log_line;
    so.send = &send;
    cli_opts_init(&o, "serve", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        switch (id) {
        case OPT_HELP:
            cli_help("serve");
            status = EXIT_OK_;
            goto out;
        case OPT_DB:
        case OPT_READ_DB:
            *(id == OPT_DB ? &env->db : &env->read_db) = o.arg;
            break;
        case OPT_LISTEN:
            so.listen = o.arg;
            break;
        case OPT_PUBLIC_URL:
            so.public_url = o.arg;
            break;
        case OPT_THREADS:
            if (!cli_parse_u64(o.arg, &n) || n < 1 || n > 256) {
                cli_error("serve", "--threads takes 1 to 256, not '%s'",
                          o.arg);
                goto out;
            }
            so.threads = (unsigned)n;
            break;
        case OPT_REQUEST_TIMEOUT:
            if (!cli_parse_u64(o.arg, &n) || n < 1 || n > 3600) {
                cli_error("serve", "--request-timeout takes 1 to 3600 "
                                   "seconds, not '%s'", o.arg);
                goto out;
            }
            so.request_seconds = (unsigned)n;
            break;
        case OPT_MAX_PER_IP:
            if (!cli_parse_u64(o.arg, &n) || n < 1 || n > 1024) {
                cli_error("serve", "--max-per-ip takes 1 to 1024, not '%s'",
                          o.arg);
                goto out;
            }
            so.max_per_ip = (unsigned)n;
            break;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos > 0) {
        cli_error("serve", "unexpected argument '%s' (try --help)",
                  o.pos[0]);
        goto out;
    }
    if (so.public_url &&
        cxm_config_check("public_url", so.public_url, NULL) != CXM_OK) {
        cli_error("serve", "--public-url takes an http:// or https:// URL "
                           "without a trailing slash");
        goto out;
    }
    so.dsn = env->db;
    status = serve(env, &so);
out:
    cli_opts_release(&o);
    return status;
}
