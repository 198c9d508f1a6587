/* SPDX-License-Identifier: MIT
 *
 * cmd_alert.c — `cxmeter alert add|list|remove|check|history`: alert
 * rules kept in the store, their evaluation over complete windows (on a
 * schedule, from cron; and after every import, cli_alerts_after_import())
 * and the firings recorded (cxmeter/alert.h, docs/alerts.md); each new
 * firing is queued for mail to alerts.email (CXMETER_ALERTS_EMAIL wins),
 * which `cxmeter outbox run` or `serve` sends.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_HELP = 1,
    OPT_DB,
    OPT_METRIC,
    OPT_BY,
    OPT_WINDOW,
    OPT_DROP,
    OPT_RISE,
    OPT_ABOVE,
    OPT_BELOW,
    OPT_MIN_N,
    OPT_ALPHA,
    OPT_MIN_CHANGE,
    OPT_AT,
    OPT_FROM,
    OPT_RULE,
    OPT_DRY_RUN,
    OPT_FORMAT
};

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"metric", true, OPT_METRIC},
    {"by", true, OPT_BY},
    {"window", true, OPT_WINDOW},
    {"drop", false, OPT_DROP},
    {"rise", false, OPT_RISE},
    {"above", true, OPT_ABOVE},
    {"below", true, OPT_BELOW},
    {"min-n", true, OPT_MIN_N},
    {"alpha", true, OPT_ALPHA},
    {"min-change", true, OPT_MIN_CHANGE},
    {"at", true, OPT_AT},
    {"from", true, OPT_FROM},
    {"rule", true, OPT_RULE},
    {"dry-run", false, OPT_DRY_RUN},
    {"format", true, OPT_FORMAT},
    {NULL, false, 0},
};

static const char usage[] =
    "usage: cxmeter alert add|list|remove|check|history ... (try --help)";

/* What the options asked for. */
struct args {
    struct cxm_alert_rule rule;
    bool has_metric, has_kind;
    struct cxm_alert_check_opts check;
    bool has_at, json, mail;
    int64_t rule_id;
};

static bool bad(const char *what, const char *arg)
{
    cli_error("alert", "%s: not valid: '%s'", what, arg);
    return false;
}

static bool set_kind(struct args *a, cxm_alert_kind k, const char *thr)
{
    if (a->has_kind) {
        cli_error("alert", "one of --drop, --rise, --above, --below");
        return false;
    }
    a->has_kind = true;
    a->rule.kind = k;
    return !thr || cli_parse_double(thr, &a->rule.threshold) ||
           bad(k == CXM_ALERT_ABOVE ? "--above" : "--below", thr);
}

/* One option of a rule (add). */
static bool rule_opt(struct args *a, int id, const char *arg)
{
    uint64_t u;

    switch (id) {
    case OPT_METRIC:
        a->has_metric = true;
        return cxm_metric_parse(arg, &a->rule.metric) == CXM_OK ||
               bad("--metric", arg);
    case OPT_BY:
        a->rule.has_by = true;
        return cxm_dim_parse(arg, &a->rule.by) == CXM_OK || bad("--by", arg);
    case OPT_WINDOW:
        return cxm_dim_parse(arg, &a->rule.window) == CXM_OK ||
               bad("--window", arg);
    case OPT_DROP:
        return set_kind(a, CXM_ALERT_DROP, NULL);
    case OPT_RISE:
        return set_kind(a, CXM_ALERT_RISE, NULL);
    case OPT_ABOVE:
        return set_kind(a, CXM_ALERT_ABOVE, arg);
    case OPT_BELOW:
        return set_kind(a, CXM_ALERT_BELOW, arg);
    case OPT_MIN_N:
        if (!cli_parse_u64(arg, &u) || u > INT64_MAX)
            return bad("--min-n", arg);
        a->rule.min_n = (int64_t)u;
        return true;
    case OPT_ALPHA:
        return cli_parse_double(arg, &a->rule.alpha) || bad("--alpha", arg);
    case OPT_MIN_CHANGE:
        return cli_parse_double(arg, &a->rule.min_change) ||
               bad("--min-change", arg);
    }
    return true;
}

/* One option of check, history or list. */
static bool other_opt(struct args *a, int id, const char *arg)
{
    uint64_t u;

    switch (id) {
    case OPT_AT:
        a->has_at = true;
        return cli_parse_time(arg, &a->check.at_ms) || bad("--at", arg);
    case OPT_FROM:
        a->check.has_from = true;
        return cli_parse_time(arg, &a->check.from_ms) || bad("--from", arg);
    case OPT_RULE:
        if (!cli_parse_u64(arg, &u) || u == 0 || u > INT64_MAX)
            return bad("--rule", arg);
        a->rule_id = (int64_t)u;
        return true;
    case OPT_DRY_RUN:
        a->check.dry_run = true;
        return true;
    case OPT_FORMAT:
        if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0 &&
            strcmp(arg, "table") != 0 && strcmp(arg, "mail") != 0)
            return bad("--format (text, json or mail)", arg);
        a->json = strcmp(arg, "json") == 0;
        a->mail = strcmp(arg, "mail") == 0;
        return true;
    }
    return rule_opt(a, id, arg);
}

static cxm_rc print_rule(const struct cxm_alert_rule *r, void *ud)
{
    char d[512];
    bool json = *(bool *)ud;

    cxm_alert_rule_describe(r, d, sizeof(d));
    if (json)
        printf("{\"id\": %lld, \"kind\": \"%s\", \"metric\": \"%s\", "
               "\"description\": \"%s\"}\n",
               (long long)r->id, cxm_alert_kind_name(r->kind),
               cxm_metric_name(r->metric), d);
    else
        printf("%lld  %s\n", (long long)r->id, d);
    return CXM_OK;
}

/* A firing as the e-mail the mailer sends (cxm_alert_mail()). */
static cxm_rc print_mail(const struct cxm_alert_firing *f)
{
    char *subject = NULL, *body = NULL;
    cxm_rc rc = cxm_alert_mail(f, &subject, &body);

    if (!rc)
        printf("Subject: %s\n\n%s\n", subject, body);
    cxm_free(subject);
    cxm_free(body);
    return rc;
}

static cxm_rc print_firing(const struct cxm_alert_firing *f, void *ud)
{
    const struct args *a = ud;
    char *s = NULL;
    cxm_rc rc;

    if (a->mail)
        return print_mail(f);
    rc = a->json ? cxm_alert_firing_json(f, &s)
                 : cxm_alert_firing_text(f, &s);
    if (!rc)
        printf("%s\n", s);
    cxm_free(s);
    return rc;
}

/* CXMETER_ALERTS_EMAIL, which wins over the store's alerts.email: the
 * addresses new firings are mailed to (NULL: the store's). False, with
 * the error told, when it is not a list of addresses. */
static bool alert_email(const char *cmd, const char **out)
{
    const char *v = getenv("CXMETER_ALERTS_EMAIL"), *why = NULL;

    *out = v;
    if (v && cxm_config_check("alerts.email", v, &why) != CXM_OK) {
        cli_error(cmd, "CXMETER_ALERTS_EMAIL: bad value '%s': %s", v, why);
        return false;
    }
    return true;
}

static int failed(cxm_store *st, cxm_rc rc)
{
    cli_error("alert", "%s", rc == CXM_ESTORE || rc == CXM_ENOTBUILT
                                 ? cxm_store_errmsg(st)
                                 : cxm_strerror(rc));
    return cli_exit_for(rc);
}

static int do_add(cxm_store *st, struct args *a)
{
    const char *why;
    int64_t id = 0;
    char d[512];
    cxm_rc rc;

    if (!a->has_metric || !a->has_kind) {
        cli_error("alert", "add needs --metric M and one of --drop, --rise, "
                           "--above N, --below N");
        return EXIT_USAGE;
    }
    if (cxm_alert_rule_check(&a->rule, &why)) {
        cli_error("alert", "%s", why);
        return EXIT_USAGE;
    }
    rc = cxm_alert_rule_add(st, &a->rule, cli_now_ms(), &id);
    if (rc)
        return failed(st, rc);
    a->rule.id = id;
    cxm_alert_rule_describe(&a->rule, d, sizeof(d));
    printf("%lld  %s\n", (long long)id, d);
    return EXIT_OK_;
}

static int do_verb(cxm_store *st, const char *verb, const char *arg,
                   struct args *a)
{
    uint64_t id;
    size_t n = 0;
    cxm_rc rc;

    if (strcmp(verb, "add") == 0)
        return do_add(st, a);
    if (strcmp(verb, "list") == 0)
        rc = cxm_alert_rules(st, print_rule, &a->json);
    else if (strcmp(verb, "history") == 0)
        rc = cxm_alert_history(st, a->rule_id, print_firing, a);
    else if (strcmp(verb, "remove") == 0) {
        if (!cli_parse_u64(arg, &id) || id == 0 || id > INT64_MAX)
            return bad("rule id", arg), EXIT_USAGE;
        rc = cxm_alert_rule_remove(st, (int64_t)id, cli_now_ms());
        if (rc == CXM_ENOTFOUND) {
            cli_error("alert", "no rule %s", arg);
            return EXIT_INPUT;
        }
    } else {
        a->check.size = sizeof(a->check);
        a->check.now_ms = cli_now_ms();
        if (!a->has_at)
            a->check.at_ms = a->check.now_ms;
        a->check.rule_id = a->rule_id;
        if (a->check.has_from && a->check.from_ms >= a->check.at_ms) {
            cli_error("alert", "--from is before --at");
            return EXIT_USAGE;
        }
        if (!alert_email("alert", &a->check.email))
            return EXIT_INPUT;
        rc = cxm_alert_check(st, &a->check, print_firing, a, &n);
    }
    return rc ? failed(st, rc) : EXIT_OK_;
}

static bool verb_ok(const struct cli_opts *o)
{
    static const char *const verbs[] = {"add", "list", "remove", "check",
                                        "history"};
    size_t want;

    for (size_t i = 0; o->n_pos > 0 && i < 5; i++) {
        if (strcmp(o->pos[0], verbs[i]) != 0)
            continue;
        want = strcmp(verbs[i], "remove") == 0 ? 2 : 1;
        return (size_t)o->n_pos == want;
    }
    return false;
}

int cmd_alert(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct args a;
    cxm_store *st = NULL;
    int id, status = EXIT_USAGE;

    memset(&a, 0, sizeof(a));
    a.rule.size = sizeof(a.rule);
    a.rule.window = CXM_BY_WEEK;
    cli_opts_init(&o, "alert", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("alert");
            status = EXIT_OK_;
            goto out;
        }
        if (id == OPT_DB)
            env->db = o.arg;
        else if (!other_opt(&a, id, o.arg))
            goto out;
    }
    if (id < 0)
        goto out;
    if (!verb_ok(&o)) {
        cli_error("alert", "%s", usage);
        goto out;
    }
    status = cli_open_store(env, "alert", CXM_OPEN_CREATE, &st);
    if (status == EXIT_OK_)
        status = do_verb(st, o.pos[0], o.n_pos > 1 ? o.pos[1] : NULL, &a);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}

static cxm_rc say_firing(const struct cxm_alert_firing *f, void *ud)
{
    char *s = NULL;
    cxm_rc rc = cxm_alert_firing_text(f, &s);

    if (!rc)
        cli_error((const char *)ud, "alert: %s", s);
    cxm_free(s);
    return rc;
}

void cli_alerts_after_import(cxm_store *st, const char *cmd, int64_t now_ms)
{
    struct cxm_alert_check_opts c;
    cxm_rc rc;

    memset(&c, 0, sizeof(c));
    c.size = sizeof(c);
    c.at_ms = c.now_ms = now_ms;
    if (!alert_email(cmd, &c.email))
        return; /* told; not recorded unmailed: the next check does it */
    rc = cxm_alert_check(st, &c, say_firing, (void *)cmd, NULL);
    if (rc)
        cli_error(cmd, "alerts not checked: %s",
                  rc == CXM_ESTORE || rc == CXM_ENOTBUILT
                      ? cxm_store_errmsg(st)
                      : cxm_strerror(rc));
}
