/* SPDX-License-Identifier: MIT
 *
 * cmd_comments.c — `cxmeter comments [filters] [--format table|json|csv]`:
 * every open-ended answer with its score, ticket, agent, team and time
 * (cxmeter/comments.h, docs/comments.md), newest first, on stdout.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum {
    OPT_HELP = 1,
    OPT_DB,
    OPT_READ_DB,
    OPT_SEARCH,
    OPT_AGENT,
    OPT_TEAM,
    OPT_SURVEY,
    OPT_SCORE_MAX,
    OPT_FROM,
    OPT_TO,
    OPT_LIMIT,
    OPT_FORMAT,
    OPT_CHANNEL,
    OPT_LANGUAGE
};

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},     {"db", true, OPT_DB},
    {"read-db", true, OPT_READ_DB},
    {"search", true, OPT_SEARCH},  {"agent", true, OPT_AGENT},
    {"team", true, OPT_TEAM},      {"survey", true, OPT_SURVEY},
    {"score-max", true, OPT_SCORE_MAX},
    {"from", true, OPT_FROM},      {"to", true, OPT_TO},
    {"limit", true, OPT_LIMIT},    {"format", true, OPT_FORMAT},
    {"channel", true, OPT_CHANNEL}, {"language", true, OPT_LANGUAGE},
    {NULL, false, 0},
};

static bool bad(const char *opt, const char *arg)
{
    cli_error("comments", "%s: not valid: '%s'", opt, arg);
    return false;
}

/* One option into q / *fmt. */
static bool take_opt(int id, const char *arg, struct cxm_comment_query *q,
                     cxm_format *fmt)
{
    uint64_t u;

    switch (id) {
    case OPT_SEARCH:
        q->search = arg;
        return true;
    case OPT_AGENT:
        q->agent = arg;
        return true;
    case OPT_TEAM:
        q->team = arg;
        return true;
    case OPT_SURVEY:
        q->survey = arg;
        return true;
    case OPT_CHANNEL:
        q->channel = arg;
        return true;
    case OPT_LANGUAGE:
        q->language = arg;
        return true;
    case OPT_SCORE_MAX:
        if (!cli_parse_u64(arg, &u) || u > 1000)
            return bad("--score-max", arg);
        q->has_score_max = true;
        q->score_max = (int)u;
        return true;
    case OPT_FROM:
        q->has_from = true;
        return cli_parse_time(arg, &q->from_ms) || bad("--from", arg);
    case OPT_TO:
        q->has_to = true;
        return cli_parse_time(arg, &q->to_ms) || bad("--to", arg);
    case OPT_LIMIT:
        if (!cli_parse_u64(arg, &u))
            return bad("--limit", arg);
        q->limit = (size_t)u;
        return true;
    case OPT_FORMAT:
        return cxm_format_parse(arg, fmt) == CXM_OK ||
               bad("--format (table, json or csv)", arg);
    }
    return true;
}

static int print(cxm_store *st, const struct cxm_comment_query *q,
                 cxm_format fmt)
{
    char *text = NULL;
    size_t len = 0;
    cxm_rc rc = cxm_comments_format(st, q, fmt, &text, &len);

    if (rc) {
        cli_error("comments", "%s", rc == CXM_ESTORE || rc == CXM_ENOTBUILT
                                        ? cxm_store_errmsg(st)
                                        : cxm_strerror(rc));
        return cli_exit_for(rc);
    }
    fwrite(text, 1, len, stdout);
    cxm_free(text);
    return EXIT_OK_;
}

int cmd_comments(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    struct cxm_comment_query q;
    cxm_format fmt = CXM_FORMAT_TABLE;
    cxm_store *st = NULL;
    int id, status = EXIT_USAGE;

    memset(&q, 0, sizeof(q));
    q.size = sizeof(q);
    cli_opts_init(&o, "comments", argc, argv, specs);
    while ((id = cli_opt_next(&o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("comments");
            status = EXIT_OK_;
            goto out;
        }
        if (id == OPT_DB)
            env->db = o.arg;
        else if (id == OPT_READ_DB)
            env->read_db = o.arg;
        else if (!take_opt(id, o.arg, &q, &fmt))
            goto out;
    }
    if (id < 0)
        goto out;
    if (o.n_pos) {
        cli_error("comments", "no arguments besides options: '%s' (try "
                              "--help)", o.pos[0]);
        goto out;
    }
    if (q.has_from && q.has_to && q.from_ms >= q.to_ms) {
        cli_error("comments", "--from is not before --to");
        goto out;
    }
    status = cli_open_store(env, "comments", CXM_OPEN_READ, &st);
    if (status == EXIT_OK_)
        status = print(st, &q, fmt);
out:
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
