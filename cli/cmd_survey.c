/* SPDX-License-Identifier: MIT
 *
 * cmd_survey.c — `cxmeter survey add FILE | add --template ID | check
 * FILE | list | show ID | remove ID | templates`: survey definitions
 * (cxmeter/survey.h, docs/survey.md). A definition that does not pass is
 * refused with FILE, the JSON path of the fault and the reason, exit 1,
 * and nothing is stored.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_HELP = 1, OPT_DB, OPT_TEMPLATE, OPT_VERSION };

static const struct cli_optspec specs[] = {
    {"help", false, OPT_HELP},
    {"db", true, OPT_DB},
    {"template", true, OPT_TEMPLATE},
    {"version", true, OPT_VERSION},
    {NULL, false, 0},
};

static const char usage[] =
    "usage: cxmeter survey add FILE | add --template ID | check FILE | "
    "list | show ID [--version N] | show --template ID | remove ID | "
    "templates (try --help)";

/* Reads FILE ('-': standard input) whole, up to one byte more than a
 * definition may have, into a new buffer *out of *len bytes. */
static bool read_file(const char *path, char **out, size_t *len)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = CXM_SURVEY_MAX_BYTES + 1, n = 0;
    char *buf;

    if (!fp) {
        cli_error("survey", "cannot open %s: %s", path, strerror(errno));
        return false;
    }
    buf = malloc(cap);
    if (buf) {
        n = fread(buf, 1, cap, fp);
        if (ferror(fp)) {
            cli_error("survey", "cannot read %s: %s", path, strerror(errno));
            free(buf);
            buf = NULL;
        }
    } else {
        cli_error("survey", "out of memory");
    }
    if (fp != stdin)
        fclose(fp);
    *out = buf;
    *len = n;
    return buf != NULL;
}

/* Parses FILE; names the fault on stderr. Returns an exit status. */
static int parse_file(const char *path, cxm_survey **out)
{
    struct cxm_survey_error err;
    char *text = NULL;
    size_t len = 0;
    cxm_rc rc;

    if (!read_file(path, &text, &len))
        return EXIT_INPUT;
    rc = cxm_survey_parse(text, len, out, &err);
    free(text);
    if ((rc == CXM_EINPUT || rc == CXM_ETOOBIG) && err.line > 0)
        cli_error("survey", "%s:%d:%d: %s", path, err.line, err.column,
                  err.reason);
    else if ((rc == CXM_EINPUT || rc == CXM_ETOOBIG) && err.path[0])
        cli_error("survey", "%s: %s: %s", path, err.path, err.reason);
    else if (rc == CXM_EINPUT || rc == CXM_ETOOBIG)
        cli_error("survey", "%s: %s", path, err.reason);
    else if (rc)
        cli_error("survey", "%s: %s", path, cxm_strerror(rc));
    return cli_exit_for(rc);
}

/* "en ms id vi fi" into dst. */
static const char *languages(const cxm_survey *s, char *dst, size_t cap)
{
    size_t o = 0;

    dst[0] = '\0';
    for (size_t i = 0; i < cxm_survey_n_languages(s) && o < cap; i++) {
        int n = snprintf(dst + o, cap - o, "%s%s", i ? " " : "",
                         cxm_survey_language(s, i));
        if (n < 0)
            break;
        o += (size_t)n;
    }
    return dst;
}

static void summary(const char *verb, const cxm_survey *s, int version)
{
    char langs[128];

    char ver[32] = "";

    if (version > 0)
        snprintf(ver, sizeof(ver), " version %d", version);
    printf("%s %s%s: %s, %zu question%s, languages %s\n", verb,
           cxm_survey_id(s), ver,
           cxm_survey_kind_name(cxm_survey_kind_of(s)),
           cxm_survey_n_questions(s),
           cxm_survey_n_questions(s) == 1 ? "" : "s",
           languages(s, langs, sizeof(langs)));
}

static cxm_rc print_row(const cxm_survey *s, void *ud)
{
    char langs[128];
    int *n = ud;

    if ((*n)++ == 0)
        printf("%-24s %-7s %-8s %-16s %-9s %s\n", "ID", "KIND", "VERSION",
               "LANGUAGES", "QUESTIONS", "TITLE");
    printf("%-24s %-7s %-8d %-16s %-9zu %s\n", cxm_survey_id(s),
           cxm_survey_kind_name(cxm_survey_kind_of(s)), cxm_survey_version(s),
           languages(s, langs, sizeof(langs)), cxm_survey_n_questions(s),
           cxm_survey_title(s, NULL));
    return CXM_OK;
}

static int print_json(const cxm_survey *s)
{
    char *text = NULL;
    size_t len = 0;
    cxm_rc rc = cxm_survey_to_json(s, &text, &len);

    if (rc) {
        cli_error("survey", "%s", cxm_strerror(rc));
        return cli_exit_for(rc);
    }
    fwrite(text, 1, len, stdout);
    cxm_free(text);
    return EXIT_OK_;
}

static int do_templates(void)
{
    char langs[128];

    printf("%-28s %-7s %-16s %-9s %s\n", "ID", "KIND", "LANGUAGES",
           "QUESTIONS", "TITLE");
    for (size_t i = 0; i < cxm_survey_n_templates(); i++) {
        cxm_survey *s = NULL;
        cxm_rc rc = cxm_survey_template(cxm_survey_template_id(i), &s);
        if (rc) {
            cli_error("survey", "template %s: %s", cxm_survey_template_id(i),
                      cxm_strerror(rc));
            return cli_exit_for(rc);
        }
        printf("%-28s %-7s %-16s %-9zu %s\n", cxm_survey_id(s),
               cxm_survey_kind_name(cxm_survey_kind_of(s)),
               languages(s, langs, sizeof(langs)), cxm_survey_n_questions(s),
               cxm_survey_title(s, NULL));
        cxm_survey_free(s);
    }
    return EXIT_OK_;
}

/* The template `id`, or an error naming `cxmeter survey templates`. */
static int load_template(const char *id, cxm_survey **out)
{
    cxm_rc rc = cxm_survey_template(id, out);

    if (rc == CXM_ENOTFOUND) {
        cli_error("survey", "no template '%s' (cxmeter survey templates "
                            "lists them)",
                  id);
        return cli_exit_for(rc);
    }
    if (rc) {
        cli_error("survey", "template %s: %s", id, cxm_strerror(rc));
        return cli_exit_for(rc);
    }
    return EXIT_OK_;
}

static int store_failed(cxm_store *st, cxm_rc rc)
{
    const char *msg = st ? cxm_store_errmsg(st) : "";

    cli_error("survey", "%s", *msg ? msg : cxm_strerror(rc));
    return cli_exit_for(rc);
}

/* The survey `id` (version `version`, 0: the current one) was not read:
 * not there (exit 1), or the store failed. */
static int lookup_failed(cxm_store *st, cxm_rc rc, const char *id,
                         int version)
{
    if (rc != CXM_ENOTFOUND)
        return store_failed(st, rc);
    if (version)
        cli_error("survey", "no version %d of survey '%s'", version, id);
    else
        cli_error("survey", "no survey '%s' (cxmeter survey list)", id);
    return cli_exit_for(rc);
}

/* Parses the options; returns -1 to go on, else the exit status. */
static int parse_options(struct cli_env *env, struct cli_opts *o,
                         const char **tmpl, const char **version_arg)
{
    int id;

    while ((id = cli_opt_next(o)) > 0) {
        if (id == OPT_HELP) {
            cli_help("survey");
            return EXIT_OK_;
        }
        if (id == OPT_DB)
            env->db = o->arg;
        else if (id == OPT_TEMPLATE)
            *tmpl = o->arg;
        else if (id == OPT_VERSION)
            *version_arg = o->arg;
    }
    return id < 0 ? EXIT_USAGE : -1;
}

/* The verb, when it has the arguments and options it takes (and sets
 * *version from --version); else NULL after printing. */
static const char *check_args(const struct cli_opts *o, const char *tmpl,
                              const char *version_arg, uint64_t *version)
{
    const char *verb = o->n_pos > 0 ? o->pos[0] : "";
    bool on_template = strcmp(verb, "add") == 0 || strcmp(verb, "show") == 0;
    int want = strcmp(verb, "list") == 0 || strcmp(verb, "templates") == 0
                   ? 1
               : on_template || strcmp(verb, "remove") == 0 ||
                       strcmp(verb, "check") == 0
                   ? 2
                   : -1;

    /* add and show take --template ID instead of their argument. */
    if (tmpl && on_template)
        want = 1;
    if (want < 0 || o->n_pos != want || (tmpl && !on_template) ||
        (version_arg && (strcmp(verb, "show") != 0 || tmpl))) {
        cli_error("survey", "%s", usage);
        return NULL;
    }
    if (version_arg && (!cli_parse_u64(version_arg, version) ||
                        *version < 1 || *version > 1000000000)) {
        cli_error("survey", "--version takes a version number (1, 2, ...), "
                            "not '%s'",
                  version_arg);
        return NULL;
    }
    return verb;
}

/* The verbs that need no store: templates, check FILE, show --template.
 * Returns -1 for another verb, else the exit status. */
static int run_without_store(const char *verb, const char *arg,
                             const char *tmpl)
{
    cxm_survey *s = NULL;
    int status = -1;

    if (strcmp(verb, "templates") == 0) {
        status = do_templates();
    } else if (strcmp(verb, "check") == 0) {
        status = parse_file(arg, &s);
        if (status == EXIT_OK_)
            summary("valid", s, 0);
    } else if (tmpl && strcmp(verb, "show") == 0) {
        status = load_template(tmpl, &s);
        if (status == EXIT_OK_)
            status = print_json(s);
    }
    cxm_survey_free(s);
    return status;
}

static int do_add(cxm_store *st, const cxm_survey *s)
{
    int v = 0;
    bool added = false;
    cxm_rc rc = cxm_survey_store(st, s, &v, &added);

    if (rc)
        return store_failed(st, rc);
    summary(!added ? "unchanged" : v == 1 ? "added" : "replaced", s, v);
    return EXIT_OK_;
}

static int do_list(cxm_store *st, const char *db)
{
    int n = 0;
    cxm_rc rc = cxm_survey_list(st, print_row, &n);

    if (rc)
        return store_failed(st, rc);
    if (n == 0)
        fprintf(stderr, "cxmeter survey: no surveys in %s (cxmeter survey "
                        "add FILE, or --template ID)\n",
                db);
    return EXIT_OK_;
}

static int do_show(cxm_store *st, const char *id, int version)
{
    cxm_survey *s = NULL;
    cxm_rc rc = cxm_survey_get(st, id, version, &s);
    int status = rc ? lookup_failed(st, rc, id, version) : print_json(s);

    cxm_survey_free(s);
    return status;
}

static int do_remove(cxm_store *st, const char *id)
{
    cxm_rc rc = cxm_survey_remove(st, id);

    if (rc)
        return lookup_failed(st, rc, id, 0);
    printf("removed %s (its versions are kept for the answers given under "
           "them)\n",
           id);
    return EXIT_OK_;
}

int cmd_survey(struct cli_env *env, int argc, char **argv)
{
    struct cli_opts o;
    cxm_store *st = NULL;
    cxm_survey *s = NULL;
    const char *verb, *tmpl = NULL, *version_arg = NULL;
    uint64_t version = 0;
    int status;
    bool add;

    cli_opts_init(&o, "survey", argc, argv, specs);
    status = parse_options(env, &o, &tmpl, &version_arg);
    if (status >= 0)
        goto out;
    status = EXIT_USAGE;
    verb = check_args(&o, tmpl, version_arg, &version);
    if (!verb)
        goto out;
    status = run_without_store(verb, o.n_pos > 1 ? o.pos[1] : NULL, tmpl);
    if (status >= 0)
        goto out;
    /* A definition is checked before the store is opened: nothing is
     * stored (nor created) for a bad one. */
    add = strcmp(verb, "add") == 0;
    status = !add ? EXIT_OK_
             : tmpl ? load_template(tmpl, &s)
                    : parse_file(o.pos[1], &s);
    if (status == EXIT_OK_)
        status = cli_open_store(env, "survey",
                                add ? CXM_OPEN_CREATE : CXM_OPEN_READ, &st);
    if (status != EXIT_OK_)
        goto out;
    status = add                            ? do_add(st, s)
             : strcmp(verb, "list") == 0   ? do_list(st, env->db)
             : strcmp(verb, "show") == 0   ? do_show(st, o.pos[1],
                                                     (int)version)
                                           : do_remove(st, o.pos[1]);
out:
    cxm_survey_free(s);
    cxm_store_close(st);
    cli_opts_release(&o);
    return status;
}
