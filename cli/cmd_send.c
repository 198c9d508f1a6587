/* SPDX-License-Identifier: MIT
 *
 * cmd_send.c — sending surveys (cxmeter/send.h, docs/sending.md):
 * `cxmeter rule add --survey S --channel C [--delay 24h] [--team T] |
 * list | remove ID`, `cxmeter outbox list [--status S] [--ticket T] |
 * run [--now T] [--lease SECONDS]`, and the trigger pass after an
 * import. Each setting of sending may come from the environment
 * (CXMETER_SMTP_URL for smtp.url, …), which wins over the store.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_HELP = 1,
    OPT_DB,
    OPT_SURVEY,
    OPT_CHANNEL,
    OPT_DELAY,
    OPT_TEAM,
    OPT_STATUS,
    OPT_TICKET,
    OPT_NOW,
    OPT_LEASE,
    OPT_MOMENT,
    OPT_SEGMENT
};

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},     {"db", true, OPT_DB},
    {"survey", true, OPT_SURVEY},  {"channel", true, OPT_CHANNEL},
    {"delay", true, OPT_DELAY},    {"team", true, OPT_TEAM},
    {"status", true, OPT_STATUS},  {"ticket", true, OPT_TICKET},
    {"now", true, OPT_NOW},        {"lease", true, OPT_LEASE},
    {"moment", true, OPT_MOMENT},  {"segment", true, OPT_SEGMENT},
    {NULL, false, 0},
};

/* ---- The environment. */

void cli_send_opts(struct cli_send_env *e, struct cxm_send_opts *o)
{
    const char *const *keys = cxm_send_keys();
    size_t n = 0;

    memset(o, 0, sizeof(*o));
    o->size = sizeof(*o);
    for (size_t i = 0; keys[i] && i < CLI_SEND_MAX_KEYS; i++) {
        char *name = e->names[i];
        const char *v;
        size_t k = (size_t)snprintf(name, sizeof(e->names[i]), "CXMETER_%s",
                                    keys[i]);
        for (size_t j = 8; j < k && j < sizeof(e->names[i]); j++)
            name[j] = name[j] == '.' ? '_'
                      : name[j] >= 'a' && name[j] <= 'z'
                          ? (char)(name[j] - 'a' + 'A')
                          : name[j];
        v = getenv(name);
        if (v) {
            e->kv[n++] = keys[i];
            e->kv[n++] = v;
        }
    }
    e->kv[n] = NULL;
    o->overrides = e->kv;
}

void cli_send_after_import(cxm_store *st)
{
    struct cli_send_env e;
    struct cxm_send_opts o;
    struct cxm_send_counts c;
    cxm_rc rc;

    cli_send_opts(&e, &o);
    rc = cxm_send_trigger(st, &o, &c);
    if (rc == CXM_ENOTBUILT)
        return;
    if (rc)
        cli_error("import", "the rows are stored; deciding invitations "
                            "failed: %s (cxmeter outbox run tries again)",
                  rc == CXM_ESTORE ? cxm_store_errmsg(st)
                                   : cxm_strerror(rc));
    else if (c.queued || c.skipped)
        fprintf(stderr, "invitations: %lld queued, %lld skipped "
                        "(cxmeter outbox list)\n",
                (long long)c.queued, (long long)c.skipped);
}

/* ---- rule. */

/* "90s", "30m", "24h", "7d" or plain seconds, into ms. */
static bool parse_delay(const char *s, int64_t *ms)
{
    uint64_t n;
    char num[24];
    size_t len = strlen(s);
    int64_t unit = 1000;

    if (len == 0 || len >= sizeof(num))
        return false;
    memcpy(num, s, len + 1);
    switch (num[len - 1]) {
    case 's':
        num[--len] = '\0';
        break;
    case 'm':
        unit = 60000;
        num[--len] = '\0';
        break;
    case 'h':
        unit = 3600000;
        num[--len] = '\0';
        break;
    case 'd':
        unit = 86400000;
        num[--len] = '\0';
        break;
    }
    if (!cli_parse_u64(num, &n) || n > (uint64_t)3650 * 86400000 / unit)
        return false;
    *ms = (int64_t)n * unit;
    return true;
}

static cxm_rc print_rule(const struct cxm_rule *r, void *ud)
{
    char created[40];

    (void)ud;
    cxm_time_format(r->created_at - r->created_at % 1000, created,
                    sizeof(created));
    printf("%-4lld %-20s %-6s %-12s delay %-10llds %s %-16s created %s\n",
           (long long)r->id, r->survey, r->channel,
           r->moment ? r->moment : "resolved",
           (long long)(r->delay_ms / 1000), r->segment ? "segment" : "team",
           r->segment ? r->segment : r->team ? r->team : "(any)", created);
    return CXM_OK;
}

static const char rule_usage[] =
    "usage: cxmeter rule add --survey S --channel email|sms|chat "
    "[--delay 24h] [--team T] [--moment M] [--segment S] | list | "
    "remove ID (try --help)";

static int rule_verb(cxm_store *st, const struct cli_opts *o,
                     const struct cxm_rule *r)
{
    const char *verb = o->pos[0], *why = NULL;
    int64_t id = 0;
    uint64_t rid;
    cxm_rc rc;

    if (strcmp(verb, "add") == 0) {
        rc = cxm_rule_add(st, r, &id, &why);
        if (!rc)
            printf("%lld\n", (long long)id);
    } else if (strcmp(verb, "remove") == 0) {
        if (!cli_parse_u64(o->pos[1], &rid) || rid > INT64_MAX) {
            cli_error("rule", "remove takes a rule id (cxmeter rule list)");
            return EXIT_USAGE;
        }
        rc = cxm_rule_remove(st, (int64_t)rid);
        if (rc == CXM_ENOTFOUND) {
            cli_error("rule", "no rule %s", o->pos[1]);
            return EXIT_INPUT;
        }
    } else
        rc = cxm_rule_list(st, print_rule, NULL);
    if (rc == CXM_EINPUT && why)
        cli_error("rule", "%s", why);
    else if (rc)
        cli_error("rule", "%s", rc == CXM_ESTORE || rc == CXM_ENOTBUILT
                                    ? cxm_store_errmsg(st)
                                    : cxm_strerror(rc));
    return rc ? cli_exit_for(rc) : EXIT_OK_;
}

int cmd_rule(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cxm_rule r;
    cxm_store *st = NULL;
    int id, status = EXIT_USAGE, want;

    memset(&r, 0, sizeof(r));
    r.size = sizeof(r);
    cli_opts_init(&o, "rule", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("rule");
            status = EXIT_OK_;
            goto out;
        } else if (id == OPT_DB)
            env->db = o.arg;
        else if (id == OPT_SURVEY)
            r.survey = o.arg;
        else if (id == OPT_CHANNEL)
            r.channel = o.arg;
        else if (id == OPT_TEAM)
            r.team = o.arg;
        else if (id == OPT_MOMENT)
            r.moment = o.arg;
        else if (id == OPT_SEGMENT)
            r.segment = o.arg;
        else if (id == OPT_DELAY && !parse_delay(o.arg, &r.delay_ms)) {
            cli_error("rule", "--delay takes 90s, 30m, 24h, 7d (up to 3650 "
                              "days), not '%s'",
                      o.arg);
            goto out;
        } else if (id != OPT_DELAY) {
            cli_error("rule", "%s", rule_usage);
            goto out;
        }
    }
    if (id < 0)
        goto out;
    want = o.n_pos < 1                      ? -1
           : strcmp(o.pos[0], "add") == 0    ? 1
           : strcmp(o.pos[0], "list") == 0   ? 1
           : strcmp(o.pos[0], "remove") == 0 ? 2
                                             : -1;
    if (want != o.n_pos ||
        (strcmp(o.pos[0], "add") == 0 && (!r.survey || !r.channel))) {
        cli_error("rule", "%s", rule_usage);
        goto out;
    }
    status = cli_open_store(env, "rule",
                            strcmp(o.pos[0], "list") == 0 ? CXM_OPEN_READ
                                                          : CXM_OPEN_CREATE,
                            &st);
    if (status == EXIT_OK_)
        status = rule_verb(st, &o, &r);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}

/* ---- outbox. */

static void print_time(int64_t ms, char *out, size_t cap)
{
    if (ms <= 0)
        snprintf(out, cap, "-");
    else
        cxm_time_format(ms - ms % 1000, out, cap);
}

static cxm_rc print_entry(const struct cxm_outbox_entry *e, void *ud)
{
    char due[40], sent[40], opened[40];

    (void)ud;
    print_time(e->due_at, due, sizeof(due));
    print_time(e->sent_at, sent, sizeof(sent));
    print_time(e->opened_at, opened, sizeof(opened));
    printf("%-5lld %-8s %-8s %-5s %-28s ticket %-12s %s/%s due %s sent %s "
           "%s%s%stries %lld%s%s%s\n",
           (long long)e->id, e->kind, e->status,
           e->channel ? e->channel : "-",
           e->recipient ? e->recipient : "-",
           e->ticket_id ? e->ticket_id : "-", e->survey ? e->survey : "-",
           e->language ? e->language : "-", due, sent,
           e->opened_at ? "opened " : "", e->opened_at ? opened : "",
           e->opened_at ? " " : "", (long long)e->attempts, e->answered ? " answered" : "",
           e->reason ? ": " : "", e->reason ? e->reason : "");
    return CXM_OK;
}

static void log_line(const char *line, void *ud)
{
    (void)ud;
    fprintf(stderr, "%s\n", line);
}

static int outbox_verb(cxm_store *st, const char *verb, const char *status,
                       const char *ticket, struct cxm_send_opts *so)
{
    struct cxm_send_counts c;
    cxm_rc rc;

    if (strcmp(verb, "list") == 0)
        rc = cxm_outbox_list(st, status, ticket, print_entry, NULL);
    else {
        rc = cxm_outbox_run(st, so, &c);
        if (!rc)
            printf("queued %lld, skipped %lld, sent %lld, retried %lld, "
                   "failed %lld, bounced %lld\n",
                   (long long)c.queued, (long long)c.skipped,
                   (long long)c.sent, (long long)c.retried,
                   (long long)c.failed, (long long)c.bounced);
    }
    if (rc)
        cli_error("outbox", "%s", rc == CXM_ESTORE || rc == CXM_ENOTBUILT ||
                                          rc == CXM_EINPUT
                                      ? cxm_store_errmsg(st)
                                      : cxm_strerror(rc));
    return rc ? cli_exit_for(rc) : EXIT_OK_;
}

int cmd_outbox(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cli_send_env e;
    struct cxm_send_opts so;
    const char *status_f = NULL, *ticket = NULL;
    cxm_store *st = NULL;
    uint64_t lease;
    int id, status = EXIT_USAGE;

    cli_send_opts(&e, &so);
    so.log = log_line;
    cli_opts_init(&o, "outbox", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("outbox");
            status = EXIT_OK_;
            goto out;
        } else if (id == OPT_DB)
            env->db = o.arg;
        else if (id == OPT_STATUS)
            status_f = o.arg;
        else if (id == OPT_TICKET)
            ticket = o.arg;
        else if (id == OPT_NOW) {
            if (!cli_parse_time(o.arg, &so.now)) {
                cli_error("outbox", "--now takes a timestamp, not '%s'",
                          o.arg);
                goto out;
            }
        } else if (id == OPT_LEASE) {
            if (!cli_parse_u64(o.arg, &lease) || lease > 86400) {
                cli_error("outbox", "--lease takes 0 to 86400 seconds");
                goto out;
            }
            so.lease_ms = lease ? (int64_t)lease * 1000 : 1;
        } else {
            cli_error("outbox", "usage: cxmeter outbox list [--status S] "
                                "[--ticket T] | run [--now T] [--lease S]");
            goto out;
        }
    }
    if (id < 0)
        goto out;
    if (o.n_pos != 1 ||
        (strcmp(o.pos[0], "list") != 0 && strcmp(o.pos[0], "run") != 0)) {
        cli_error("outbox", "usage: cxmeter outbox list [--status S] "
                            "[--ticket T] | run [--now T] [--lease S]");
        goto out;
    }
    status = cli_open_store(env, "outbox",
                            strcmp(o.pos[0], "list") == 0 ? CXM_OPEN_READ
                                                          : CXM_OPEN_CREATE,
                            &st);
    if (status == EXIT_OK_)
        status = outbox_verb(st, o.pos[0], status_f, ticket, &so);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
