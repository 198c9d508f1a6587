/* SPDX-License-Identifier: MIT
 *
 * survey.c — survey definitions (survey.h, docs/survey.md): the JSON
 * document parsed with jansson and checked member by member, the first
 * fault named by its JSON path and reason; the accessors the CLI and the
 * survey pages read; and the canonical JSON written back.
 *
 * A parsed survey keeps its jansson tree: every string the accessors hand
 * out is borrowed from it, and the survey's own arrays (texts by language
 * index, questions, options) are allocated blocks listed in `blocks`.
 * jansson allocates its tree with its own allocator (malloc); setting
 * another would be process-wide state, which the library does not keep.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "survey_int.h"

#define MAX_LANGUAGES 20
#define MAX_QUESTIONS 100
#define MAX_OPTIONS 50
#define MAX_TEXT_BYTES 2000
#define MAX_ID_LEN 64
#define DEFAULT_MAX_LENGTH 2000
#define MAX_MAX_LENGTH 10000

/* A text in every language of its survey: v[i] is in language i. */
typedef const char **texts;

struct option {
    const char *id;
    texts text;
};

struct cxm_survey_question {
    const cxm_survey *owner; /* for the language index of its texts */
    const char *id;
    cxm_question_type type;
    texts text;
    bool required;
    /* rating */
    int lo, hi;
    const char *metric; /* static "csat" | "nps" | "ces", or NULL */
    bool metric_given;  /* the definition names it (null included) */
    texts label_low, label_high; /* NULL when none */
    /* choices */
    struct option *opts;
    size_t n_opts;
    int max_choices;
    /* text */
    int max_length;
    /* follow-up: cond is NULL when always shown */
    const cxm_survey_question *cond;
    int cond_min, cond_max;
    const char **cond_any;
    size_t n_cond_any;
};

struct cxm_survey {
    json_t *doc; /* owns every string below */
    const char *id;
    cxm_survey_kind kind;
    int version;
    int64_t added_at;
    const char **langs;
    size_t n_langs;
    size_t def_lang;
    texts title, intro, thanks;
    cxm_survey_question *qs;
    size_t n_qs;
    void **blocks; /* owned allocations */
    size_t n_blocks, cap_blocks;
};

static const char *const kind_names[] = {"csat", "nps", "ces", "custom"};
static const char *const type_names[] = {"rating", "single_choice",
                                         "multiple_choice", "text"};

/* ---- Parsing context: the path of the member being read. */

struct ctx {
    cxm_survey *s;
    struct cxm_survey_error *err;
    char path[256];
    size_t plen;
};

/* Appends to the path (cut at its size); returns the old length for
 * pop(). */
static size_t push(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static size_t push(struct ctx *c, const char *fmt, ...)
{
    size_t old = c->plen, room = sizeof(c->path) - c->plen;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(c->path + c->plen, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->plen += (size_t)n < room ? (size_t)n : room - 1;
    return old;
}

static size_t push_key(struct ctx *c, const char *key)
{
    return push(c, "%s%s", c->plen ? "." : "", key);
}

static size_t push_index(struct ctx *c, size_t i)
{
    return push(c, "[%zu]", i);
}

static void pop(struct ctx *c, size_t old)
{
    c->plen = old;
    c->path[old] = '\0';
}

/* Records the fault at the current path; returns CXM_EINPUT. */
static cxm_rc fail(struct ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static cxm_rc fail(struct ctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->err) {
        snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
        va_start(ap, fmt);
        vsnprintf(c->err->reason, sizeof(c->err->reason), fmt, ap);
        va_end(ap);
    }
    return CXM_EINPUT;
}

/* `s` quoted for a message: printable ASCII and UTF-8 kept, control
 * characters, quotes and backslashes escaped, cut after 40 bytes. */
static const char *quote(char *dst, size_t cap, const char *s)
{
    size_t o = 0;

    dst[o++] = '"';
    for (size_t i = 0; s[i] && o + 8 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (i == 40) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
            o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", ch);
        else
            dst[o++] = (char)ch;
    }
    dst[o++] = '"';
    dst[o] = '\0';
    return dst;
}

/* An id: 1 to 64 of a-z, 0-9, '-', '_', starting with a letter or digit. */
static bool is_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > MAX_ID_LEN || s[0] == '-' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || cxm__is_digit(ch) || ch == '-' ||
              ch == '_'))
            return false;
    }
    return true;
}

/* A member name that can stand in a path as it is. */
static bool is_plain_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              cxm__is_digit(ch) || ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

/* A language code: 2 or 3 lower-case letters, optionally '-' and 2 to 8
 * letters or digits ("fi", "pt-BR", "zh-Hant"). */
static bool is_language(const char *s)
{
    size_t i = 0, j;

    while (s[i] >= 'a' && s[i] <= 'z')
        i++;
    if (i < 2 || i > 3)
        return false;
    if (!s[i])
        return true;
    if (s[i] != '-')
        return false;
    for (j = i + 1; s[j]; j++) {
        char ch = s[j];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              cxm__is_digit(ch)))
            return false;
    }
    return j - i - 1 >= 2 && j - i - 1 <= 8;
}

static void *block(cxm_survey *s, size_t count, size_t size)
{
    void *p;

    if (s->n_blocks == s->cap_blocks &&
        cxm__grow((void **)&s->blocks, &s->cap_blocks, s->n_blocks + 1,
                  sizeof(*s->blocks)))
        return NULL;
    p = cxm__calloc(count, size);
    if (p)
        s->blocks[s->n_blocks++] = p;
    return p;
}

/* Refuses members of `obj` not named in `allowed` (NULL-terminated);
 * `other` (may be NULL) lists members allowed elsewhere, refused with
 * "a THING has no NAME" (`thing` says what). */
static cxm_rc only_members(struct ctx *c, json_t *obj,
                           const char *const *allowed,
                           const char *const *other, const char *thing)
{
    const char *key;
    json_t *v;
    char q[64];

    json_object_foreach(obj, key, v) {
        bool ok = false, elsewhere = false;
        size_t old;
        cxm_rc rc;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (ok)
            continue;
        for (size_t i = 0; other && other[i] && !elsewhere; i++)
            elsewhere = strcmp(key, other[i]) == 0;
        if (!is_plain_name(key))
            return fail(c, "unknown member %s", quote(q, sizeof(q), key));
        old = push_key(c, key);
        if (elsewhere) {
            rc = fail(c, "%s has no %s", thing, key);
        } else {
            char list[200];
            size_t o = 0;
            list[0] = '\0';
            for (size_t i = 0; allowed[i] && o < sizeof(list); i++) {
                int n = snprintf(list + o, sizeof(list) - o, "%s%s",
                                 i ? ", " : "", allowed[i]);
                if (n < 0)
                    break;
                o += (size_t)n;
            }
            rc = fail(c, "unknown member (%s has: %s)", thing, list);
        }
        pop(c, old);
        return rc;
    }
    return CXM_OK;
}

/* The string member `key` of `obj` into *out (NULL when absent and not
 * required). */
static cxm_rc get_string(struct ctx *c, json_t *obj, const char *key,
                         bool required, const char **out)
{
    json_t *v = json_object_get(obj, key);
    size_t old;
    cxm_rc rc = CXM_OK;

    *out = NULL;
    if (!v && !required)
        return CXM_OK;
    old = push_key(c, key);
    if (!v)
        rc = fail(c, "missing");
    else if (!json_is_string(v))
        rc = fail(c, "must be a string");
    else
        *out = json_string_value(v);
    pop(c, old);
    return rc;
}

/* The whole-number member `key` of `obj` in [lo, hi] into *out; *found
 * says whether it is there (it is left alone when not). */
static cxm_rc get_int(struct ctx *c, json_t *obj, const char *key, int lo,
                      int hi, int *out, bool *found)
{
    json_t *v = json_object_get(obj, key);
    size_t old;
    cxm_rc rc = CXM_OK;

    *found = v != NULL;
    if (!v)
        return CXM_OK;
    old = push_key(c, key);
    if (!json_is_integer(v))
        rc = fail(c, "must be a whole number");
    else if (json_integer_value(v) < lo || json_integer_value(v) > hi)
        rc = fail(c, "%lld is outside %d to %d",
                  (long long)json_integer_value(v), lo, hi);
    else
        *out = (int)json_integer_value(v);
    pop(c, old);
    return rc;
}

static cxm_rc get_id(struct ctx *c, json_t *obj, const char *what,
                     const char **out)
{
    char q[64];
    size_t old;
    cxm_rc rc = get_string(c, obj, "id", true, out);

    if (rc || is_id(*out))
        return rc;
    old = push_key(c, "id");
    rc = fail(c,
              "%s is not %s id: 1 to %d of a-z, 0-9, '-' and '_', "
              "starting with a letter or digit",
              quote(q, sizeof(q), *out), what, MAX_ID_LEN);
    pop(c, old);
    return rc;
}

/* One text: not empty or blank, at most MAX_TEXT_BYTES, no control
 * character but line feed and tab. */
static cxm_rc check_text(struct ctx *c, const char *t)
{
    size_t n = strlen(t);
    bool blank = true;

    if (n > MAX_TEXT_BYTES)
        return fail(c, "longer than %d bytes", MAX_TEXT_BYTES);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)t[i];
        if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
            return fail(c, "control character 0x%02x in a text", ch);
        if (!cxm__is_space(ch))
            blank = false;
    }
    return blank ? fail(c, "empty") : CXM_OK;
}

/* The survey's languages, "en, fi", into dst. */
static const char *lang_list(const cxm_survey *s, char *dst, size_t cap)
{
    size_t o = 0;

    dst[0] = '\0';
    for (size_t i = 0; i < s->n_langs && o < cap; i++) {
        int n = snprintf(dst + o, cap - o, "%s%s", i ? ", " : "",
                         s->langs[i]);
        if (n < 0)
            break;
        o += (size_t)n;
    }
    return dst;
}

/* The texts member `key` of `obj`: an object with one non-empty string
 * per language of the survey and no other member. *out is NULL when the
 * member is absent and not required. */
static cxm_rc get_texts(struct ctx *c, json_t *obj, const char *key,
                        bool required, texts *out)
{
    json_t *v = json_object_get(obj, key), *t;
    cxm_survey *s = c->s;
    const char *lang;
    char q[64], langs[160];
    size_t old, old2;
    texts tx;
    cxm_rc rc = CXM_OK;

    *out = NULL;
    if (!v && !required)
        return CXM_OK;
    old = push_key(c, key);
    if (!v) {
        rc = fail(c, "missing");
        goto out;
    }
    if (!json_is_object(v)) {
        rc = fail(c, "must be an object of texts by language, e.g. "
                     "{\"%s\": \"...\"}",
                  s->langs[s->def_lang]);
        goto out;
    }
    tx = block(s, s->n_langs, sizeof(*tx));
    if (!tx) {
        rc = CXM_ENOMEM;
        goto out;
    }
    json_object_foreach(v, lang, t) {
        size_t i = 0;
        while (i < s->n_langs && strcmp(s->langs[i], lang) != 0)
            i++;
        if (i == s->n_langs) {
            if (!is_plain_name(lang)) {
                rc = fail(c, "%s is not one of the survey's languages (%s)",
                          quote(q, sizeof(q), lang),
                          lang_list(s, langs, sizeof(langs)));
                goto out;
            }
            old2 = push_key(c, lang);
            rc = fail(c, "%s is not one of the survey's languages (%s)", lang,
                      lang_list(s, langs, sizeof(langs)));
            pop(c, old2);
            goto out;
        }
        old2 = push_key(c, lang);
        if (!json_is_string(t))
            rc = fail(c, "must be a string");
        else
            rc = check_text(c, json_string_value(t));
        pop(c, old2);
        if (rc)
            goto out;
        tx[i] = json_string_value(t);
    }
    for (size_t i = 0; i < s->n_langs; i++) {
        if (!tx[i]) {
            old2 = push_key(c, s->langs[i]);
            rc = fail(c, "missing: every text is needed in each of the "
                         "survey's languages (%s)",
                      lang_list(s, langs, sizeof(langs)));
            pop(c, old2);
            goto out;
        }
    }
    *out = tx;
out:
    pop(c, old);
    return rc;
}

static cxm_rc parse_languages(struct ctx *c, json_t *root)
{
    cxm_survey *s = c->s;
    json_t *v = json_object_get(root, "languages");
    const char *def;
    char q[64];
    size_t old = push_key(c, "languages"), old2;
    cxm_rc rc = CXM_OK;

    if (!v) {
        rc = fail(c, "missing: the languages of the texts, e.g. "
                     "[\"en\", \"fi\"]");
        goto out;
    }
    if (!json_is_array(v) || json_array_size(v) == 0 ||
        json_array_size(v) > MAX_LANGUAGES) {
        rc = fail(c, "must be a list of 1 to %d language codes, e.g. "
                     "[\"en\", \"fi\"]",
                  MAX_LANGUAGES);
        goto out;
    }
    s->n_langs = json_array_size(v);
    s->langs = block(s, s->n_langs, sizeof(*s->langs));
    if (!s->langs) {
        rc = CXM_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < s->n_langs; i++) {
        json_t *l = json_array_get(v, i);
        old2 = push_index(c, i);
        if (!json_is_string(l))
            rc = fail(c, "must be a string");
        else if (!is_language(json_string_value(l)))
            rc = fail(c, "%s is not a language code (2 or 3 letters a-z, "
                         "as en, fi, vi; or with a region, as pt-BR)",
                      quote(q, sizeof(q), json_string_value(l)));
        for (size_t j = 0; !rc && j < i; j++) {
            if (strcmp(s->langs[j], json_string_value(l)) == 0)
                rc = fail(c, "%s is listed twice", json_string_value(l));
        }
        pop(c, old2);
        if (rc)
            goto out;
        s->langs[i] = json_string_value(l);
    }
    pop(c, old);
    rc = get_string(c, root, "default_language", false, &def);
    if (rc || !def)
        return rc; /* the first language */
    for (size_t i = 0; i < s->n_langs; i++) {
        if (strcmp(s->langs[i], def) == 0) {
            s->def_lang = i;
            return CXM_OK;
        }
    }
    old = push_key(c, "default_language");
    rc = fail(c, "%s is not one of \"languages\"", quote(q, sizeof(q), def));
out:
    pop(c, old);
    return rc;
}

/* "MIN-MAX" with MIN 0 or 1 and MAX up to 10 ("1-5", "1-7", "0-10"). */
static bool parse_scale(const char *t, int *lo, int *hi)
{
    const char *dash = strchr(t, '-');
    int64_t a, b;

    if (!dash || dash == t || !cxm__is_digit((unsigned char)t[0]) ||
        !cxm__is_digit((unsigned char)dash[1]) ||
        cxm__parse_i64(t, (size_t)(dash - t), &a) ||
        cxm__parse_i64(dash + 1, strlen(dash + 1), &b))
        return false;
    if ((a != 0 && a != 1) || b <= a || b > 10)
        return false;
    *lo = (int)a;
    *hi = (int)b;
    return true;
}

/* A rating that feeds `metric` must have a scale that holds it (SPEC
 * Conventions: NPS on 0-10 only, CSAT and CES on three points or more). */
static cxm_rc check_metric_scale(struct ctx *c, const cxm_survey_question *q)
{
    size_t old;
    cxm_rc rc = CXM_OK;

    if (!q->metric)
        return CXM_OK;
    old = push_key(c, "scale");
    if (strcmp(q->metric, "nps") == 0 && (q->lo != 0 || q->hi != 10))
        rc = fail(c, "an nps rating is on 0-10 only, not %d-%d", q->lo,
                  q->hi);
    else if (q->hi - q->lo + 1 < 3)
        rc = fail(c, "a %s rating needs a scale of at least three points, "
                     "not %d-%d",
                  q->metric, q->lo, q->hi);
    pop(c, old);
    return rc;
}

static cxm_rc parse_rating(struct ctx *c, json_t *jq, cxm_survey_question *q)
{
    static const char *const label_members[] = {"low", "high", NULL};
    const char *scale, *metric;
    json_t *v;
    char qs[64];
    size_t old;
    cxm_rc rc = get_string(c, jq, "scale", true, &scale);

    if (rc)
        return rc;
    if (!parse_scale(scale, &q->lo, &q->hi)) {
        old = push_key(c, "scale");
        rc = fail(c, "%s is not a scale (MIN-MAX from 0 or 1 up to at most "
                     "10, e.g. 1-5, 1-7, 0-10)",
                  strlen(scale) <= 12 && is_plain_name(scale)
                      ? scale
                      : quote(qs, sizeof(qs), scale));
        pop(c, old);
        return rc;
    }
    v = json_object_get(jq, "metric");
    q->metric_given = v != NULL;
    if (v && !json_is_null(v)) {
        old = push_key(c, "metric");
        if (!json_is_string(v))
            rc = fail(c, "must be \"csat\", \"nps\", \"ces\" or null");
        else if ((metric = json_string_value(v)), strcmp(metric, "csat") == 0)
            q->metric = kind_names[CXM_SURVEY_CSAT];
        else if (strcmp(metric, "nps") == 0)
            q->metric = kind_names[CXM_SURVEY_NPS];
        else if (strcmp(metric, "ces") == 0)
            q->metric = kind_names[CXM_SURVEY_CES];
        else
            rc = fail(c, "%s is not a metric (csat, nps, ces, or null for "
                         "none)",
                      quote(qs, sizeof(qs), metric));
        pop(c, old);
        if (rc)
            return rc;
        rc = check_metric_scale(c, q);
        if (rc)
            return rc;
    }
    v = json_object_get(jq, "labels");
    if (!v)
        return CXM_OK;
    old = push_key(c, "labels");
    if (!json_is_object(v))
        rc = fail(c, "must be an object with low and high, each texts by "
                     "language");
    if (!rc)
        rc = only_members(c, v, label_members, NULL, "labels");
    pop(c, old);
    if (rc)
        return rc;
    old = push_key(c, "labels");
    rc = get_texts(c, v, "low", false, &q->label_low);
    if (!rc)
        rc = get_texts(c, v, "high", false, &q->label_high);
    pop(c, old);
    return rc;
}

static cxm_rc parse_options(struct ctx *c, json_t *jq,
                            cxm_survey_question *q)
{
    static const char *const option_members[] = {"id", "text", NULL};
    json_t *v = json_object_get(jq, "options");
    char qs[64];
    size_t old = push_key(c, "options"), old2;
    cxm_rc rc = CXM_OK;

    if (!v) {
        rc = fail(c, "missing: a choice question needs its options");
        goto out;
    }
    if (!json_is_array(v) || json_array_size(v) < 2 ||
        json_array_size(v) > MAX_OPTIONS) {
        rc = fail(c, "must be a list of 2 to %d options, each {\"id\": ..., "
                     "\"text\": {...}}",
                  MAX_OPTIONS);
        goto out;
    }
    q->n_opts = json_array_size(v);
    q->opts = block(c->s, q->n_opts, sizeof(*q->opts));
    if (!q->opts) {
        rc = CXM_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < q->n_opts && !rc; i++) {
        json_t *jo = json_array_get(v, i);
        old2 = push_index(c, i);
        if (!json_is_object(jo))
            rc = fail(c, "must be an object {\"id\": ..., \"text\": {...}}");
        if (!rc)
            rc = only_members(c, jo, option_members, NULL, "an option");
        if (!rc)
            rc = get_id(c, jo, "an option", &q->opts[i].id);
        for (size_t j = 0; !rc && j < i; j++) {
            if (strcmp(q->opts[j].id, q->opts[i].id) == 0) {
                size_t old3 = push_key(c, "id");
                rc = fail(c, "%s is already the id of options[%zu]",
                          quote(qs, sizeof(qs), q->opts[i].id), j);
                pop(c, old3);
            }
        }
        if (!rc)
            rc = get_texts(c, jo, "text", true, &q->opts[i].text);
        pop(c, old2);
    }
out:
    pop(c, old);
    return rc;
}

/* The follow-up condition of questions[i]: "show_if": {"question": ID,
 * "min": N, "max": N} after a rating, {"question": ID, "any_of": [...]}
 * after a choice. */
static cxm_rc parse_show_if(struct ctx *c, json_t *jq, size_t i)
{
    static const char *const members[] = {"question", "min", "max",
                                          "any_of", NULL};
    cxm_survey *s = c->s;
    cxm_survey_question *q = &s->qs[i];
    const cxm_survey_question *t = NULL;
    json_t *v = json_object_get(jq, "show_if"), *any;
    const char *id;
    char qs[64];
    bool has_min, has_max;
    size_t old, old2;
    cxm_rc rc;

    if (!v)
        return CXM_OK;
    old = push_key(c, "show_if");
    if (!json_is_object(v)) {
        rc = fail(c, "must be an object such as {\"question\": \"score\", "
                     "\"min\": 1, \"max\": 3}");
        goto out;
    }
    rc = only_members(c, v, members, NULL, "show_if");
    if (!rc)
        rc = get_string(c, v, "question", true, &id);
    if (rc)
        goto out;
    for (size_t j = 0; j < i && !t; j++) {
        if (strcmp(s->qs[j].id, id) == 0)
            t = &s->qs[j];
    }
    old2 = push_key(c, "question");
    if (!t)
        rc = fail(c, "no earlier question has the id %s (a follow-up comes "
                     "after the question it follows)",
                  quote(qs, sizeof(qs), id));
    else if (t->type == CXM_QUESTION_TEXT)
        rc = fail(c, "%s is a text question: a follow-up follows a rating "
                     "or a choice",
                  quote(qs, sizeof(qs), id));
    pop(c, old2);
    if (rc)
        goto out;
    q->cond = t;
    any = json_object_get(v, "any_of");
    if (t->type == CXM_QUESTION_RATING) {
        if (any) {
            old2 = push_key(c, "any_of");
            rc = fail(c, "%s is a rating: its follow-ups take min and max",
                      quote(qs, sizeof(qs), id));
            pop(c, old2);
            goto out;
        }
        q->cond_min = t->lo;
        q->cond_max = t->hi;
        rc = get_int(c, v, "min", t->lo, t->hi, &q->cond_min, &has_min);
        if (!rc)
            rc = get_int(c, v, "max", t->lo, t->hi, &q->cond_max, &has_max);
        if (!rc && q->cond_min > q->cond_max) {
            old2 = push_key(c, "min");
            rc = fail(c, "%d is above max %d", q->cond_min, q->cond_max);
            pop(c, old2);
        }
        goto out;
    }
    if (json_object_get(v, "min") || json_object_get(v, "max")) {
        old2 = push_key(c, json_object_get(v, "min") ? "min" : "max");
        rc = fail(c, "%s is a choice: its follow-ups take any_of, a list of "
                     "option ids",
                  quote(qs, sizeof(qs), id));
        pop(c, old2);
        goto out;
    }
    old2 = push_key(c, "any_of");
    if (!any || !json_is_array(any) || json_array_size(any) == 0 ||
        json_array_size(any) > t->n_opts) {
        rc = fail(c, "%s: a list of the option ids of %s that show this "
                     "question",
                  any ? "must be" : "missing", quote(qs, sizeof(qs), id));
        pop(c, old2);
        goto out;
    }
    q->n_cond_any = json_array_size(any);
    q->cond_any = block(s, q->n_cond_any, sizeof(*q->cond_any));
    if (!q->cond_any) {
        rc = CXM_ENOMEM;
        pop(c, old2);
        goto out;
    }
    for (size_t k = 0; k < q->n_cond_any && !rc; k++) {
        json_t *o = json_array_get(any, k);
        size_t old3 = push_index(c, k), m = 0;
        if (!json_is_string(o)) {
            rc = fail(c, "must be a string");
        } else {
            while (m < t->n_opts &&
                   strcmp(t->opts[m].id, json_string_value(o)) != 0)
                m++;
            if (m == t->n_opts)
                rc = fail(c, "%s is not an option of %s",
                          quote(qs, sizeof(qs), json_string_value(o)),
                          t->id);
            q->cond_any[k] = json_string_value(o);
        }
        pop(c, old3);
    }
    pop(c, old2);
out:
    pop(c, old);
    return rc;
}

static cxm_rc parse_question(struct ctx *c, json_t *jq, size_t i)
{
    static const char *const common[] = {"id", "type", "text", "required",
                                         "show_if"};
    static const char *const by_type[4][3] = {
        {"scale", "metric", "labels"},
        {"options", NULL, NULL},
        {"options", "max_choices", NULL},
        {"max_length", NULL, NULL}};
    static const char *const all_type_members[] = {
        "scale", "metric", "labels", "options", "max_choices",
        "max_length", NULL};
    static const char *const things[] = {
        "a rating question", "a single_choice question",
        "a multiple_choice question", "a text question"};
    cxm_survey *s = c->s;
    cxm_survey_question *q = &s->qs[i];
    const char *allowed[CXM_ARRAY_LEN(common) + 4] = {NULL};
    const char *type;
    json_t *v;
    char qs[64];
    size_t old, n = 0;
    bool found;
    int t;
    cxm_rc rc;

    q->owner = s;
    if (!json_is_object(jq))
        return fail(c, "must be an object with id, type and text");
    rc = get_id(c, jq, "a question", &q->id);
    if (rc)
        return rc;
    for (size_t j = 0; j < i; j++) {
        if (strcmp(s->qs[j].id, q->id) == 0) {
            old = push_key(c, "id");
            rc = fail(c, "%s is already the id of questions[%zu]",
                      quote(qs, sizeof(qs), q->id), j);
            pop(c, old);
            return rc;
        }
    }
    rc = get_string(c, jq, "type", true, &type);
    if (rc)
        return rc;
    for (t = 0; t < 4 && strcmp(type, type_names[t]) != 0; t++)
        ;
    if (t == 4) {
        old = push_key(c, "type");
        rc = fail(c, "%s is not a question type (rating, single_choice, "
                     "multiple_choice, text)",
                  quote(qs, sizeof(qs), type));
        pop(c, old);
        return rc;
    }
    q->type = (cxm_question_type)t;
    for (size_t j = 0; j < CXM_ARRAY_LEN(common); j++)
        allowed[n++] = common[j];
    for (size_t j = 0; j < 3 && by_type[t][j]; j++)
        allowed[n++] = by_type[t][j];
    rc = only_members(c, jq, allowed, all_type_members, things[t]);
    if (!rc)
        rc = get_texts(c, jq, "text", true, &q->text);
    if (rc)
        return rc;
    v = json_object_get(jq, "required");
    if (v) {
        if (!json_is_boolean(v)) {
            old = push_key(c, "required");
            rc = fail(c, "must be true or false");
            pop(c, old);
            return rc;
        }
        q->required = json_is_true(v);
    }
    switch (q->type) {
    case CXM_QUESTION_RATING:
        rc = parse_rating(c, jq, q);
        break;
    case CXM_QUESTION_SINGLE:
        rc = parse_options(c, jq, q);
        q->max_choices = 1;
        break;
    case CXM_QUESTION_MULTIPLE:
        rc = parse_options(c, jq, q);
        if (!rc) {
            q->max_choices = (int)q->n_opts;
            rc = get_int(c, jq, "max_choices", 1, (int)q->n_opts,
                         &q->max_choices, &found);
        }
        break;
    case CXM_QUESTION_TEXT:
        q->max_length = DEFAULT_MAX_LENGTH;
        rc = get_int(c, jq, "max_length", 1, MAX_MAX_LENGTH, &q->max_length,
                     &found);
        break;
    }
    return rc ? rc : parse_show_if(c, jq, i);
}

/* A csat, nps or ces survey needs a rating for its metric: a question that
 * names it, else the first rating that names no metric. */
static cxm_rc assign_metric(struct ctx *c)
{
    cxm_survey *s = c->s;
    const char *want = kind_names[s->kind];
    size_t old;
    cxm_rc rc;

    if (s->kind == CXM_SURVEY_CUSTOM)
        return CXM_OK;
    for (size_t i = 0; i < s->n_qs; i++) {
        if (s->qs[i].metric == want)
            return CXM_OK;
    }
    for (size_t i = 0; i < s->n_qs; i++) {
        cxm_survey_question *q = &s->qs[i];
        if (q->type != CXM_QUESTION_RATING || q->metric_given)
            continue;
        q->metric = want;
        old = push_key(c, "questions");
        push_index(c, i);
        rc = check_metric_scale(c, q);
        pop(c, old);
        return rc;
    }
    old = push_key(c, "questions");
    rc = fail(c, "a%s %s survey needs a rating question for %s (\"metric\": "
                 "\"%s\"%s)",
              s->kind == CXM_SURVEY_NPS ? "n" : "", want, want, want,
              s->kind == CXM_SURVEY_NPS ? ", scale 0-10" : "");
    pop(c, old);
    return rc;
}

static cxm_rc parse_root(struct ctx *c, json_t *root)
{
    static const char *const members[] = {
        "id", "version", "kind", "default_language", "languages", "title",
        "intro", "thanks", "questions", NULL};
    cxm_survey *s = c->s;
    const char *kind;
    json_t *v;
    char qs[64];
    size_t old;
    bool found;
    int k, version;
    cxm_rc rc;

    if (!json_is_object(root))
        return fail(c, "a survey definition is a JSON object");
    rc = only_members(c, root, members, NULL, "a survey");
    if (!rc)
        rc = get_id(c, root, "a survey", &s->id);
    if (!rc)
        rc = get_int(c, root, "version", 1, INT32_MAX, &version, &found);
    if (!rc)
        rc = get_string(c, root, "kind", true, &kind);
    if (rc)
        return rc;
    for (k = 0; k < 4 && strcmp(kind, kind_names[k]) != 0; k++)
        ;
    if (k == 4) {
        old = push_key(c, "kind");
        rc = fail(c, "%s is not a kind (csat, nps, ces, custom)",
                  quote(qs, sizeof(qs), kind));
        pop(c, old);
        return rc;
    }
    s->kind = (cxm_survey_kind)k;
    rc = parse_languages(c, root);
    if (!rc)
        rc = get_texts(c, root, "title", true, &s->title);
    if (!rc)
        rc = get_texts(c, root, "intro", false, &s->intro);
    if (!rc)
        rc = get_texts(c, root, "thanks", false, &s->thanks);
    if (rc)
        return rc;
    v = json_object_get(root, "questions");
    old = push_key(c, "questions");
    if (!v || !json_is_array(v) || json_array_size(v) == 0 ||
        json_array_size(v) > MAX_QUESTIONS) {
        rc = fail(c, "%s: a list of 1 to %d questions",
                  v ? "must be" : "missing", MAX_QUESTIONS);
        pop(c, old);
        return rc;
    }
    s->n_qs = json_array_size(v);
    s->qs = block(s, s->n_qs, sizeof(*s->qs));
    if (!s->qs) {
        pop(c, old);
        return CXM_ENOMEM;
    }
    for (size_t i = 0; i < s->n_qs && !rc; i++) {
        size_t old2 = push_index(c, i);
        rc = parse_question(c, json_array_get(v, i), i);
        pop(c, old2);
    }
    pop(c, old);
    return rc ? rc : assign_metric(c);
}

cxm_rc cxm_survey_parse(const char *json, size_t len, cxm_survey **out,
                        struct cxm_survey_error *err)
{
    struct ctx c;
    json_error_t jerr;
    cxm_survey *s;
    cxm_rc rc;

    if (err)
        memset(err, 0, sizeof(*err));
    if (!json || !out)
        return CXM_EINVAL;
    if (len > CXM_SURVEY_MAX_BYTES) {
        if (err)
            snprintf(err->reason, sizeof(err->reason),
                     "larger than %d bytes", CXM_SURVEY_MAX_BYTES);
        return CXM_ETOOBIG;
    }
    s = cxm__calloc(1, sizeof(*s));
    if (!s)
        return CXM_ENOMEM;
    s->doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!s->doc) {
        cxm_survey_free(s);
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return CXM_ENOMEM;
        if (err) {
            err->line = jerr.line > 0 ? jerr.line : 1;
            err->column = jerr.column > 0 ? jerr.column : 1;
            snprintf(err->reason, sizeof(err->reason), "not valid JSON: %s",
                     jerr.text);
        }
        return CXM_EINPUT;
    }
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.err = err;
    rc = parse_root(&c, s->doc);
    if (rc) {
        cxm_survey_free(s);
        return rc;
    }
    *out = s;
    return CXM_OK;
}

void cxm_survey_free(cxm_survey *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_blocks; i++)
        cxm__free(s->blocks[i]);
    cxm__free(s->blocks);
    if (s->doc)
        json_decref(s->doc);
    cxm__free(s);
}

void cxm__survey_set_stored(cxm_survey *s, int version, int64_t added_at)
{
    s->version = version;
    s->added_at = added_at;
}

/* ---- Canonical JSON. Every json_object_set_new() takes its value even
 * when it fails; a failure anywhere leaves a NULL or short tree that
 * json_dumps() then reports as NULL, taken as out of memory. */

static json_t *texts_json(const cxm_survey *s, texts t)
{
    json_t *o = json_object();

    for (size_t i = 0; o && i < s->n_langs; i++) {
        if (json_object_set_new(o, s->langs[i], json_string(t[i]))) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

/* Sets o[key] = v, or drops o (returns NULL) when either is missing. */
static json_t *set(json_t *o, const char *key, json_t *v)
{
    if (!o || !v || json_object_set_new(o, key, v)) {
        json_decref(o);
        if (!o)
            json_decref(v);
        return NULL;
    }
    return o;
}

static json_t *question_json(const cxm_survey *s,
                             const cxm_survey_question *q)
{
    json_t *o = json_object(), *a;
    char scale[16];

    o = set(o, "id", json_string(q->id));
    o = set(o, "type", json_string(type_names[q->type]));
    o = set(o, "text", texts_json(s, q->text));
    o = set(o, "required", json_boolean(q->required));
    switch (q->type) {
    case CXM_QUESTION_RATING:
        snprintf(scale, sizeof(scale), "%d-%d", q->lo, q->hi);
        o = set(o, "scale", json_string(scale));
        o = set(o, "metric", q->metric ? json_string(q->metric) : json_null());
        if (q->label_low || q->label_high) {
            json_t *l = json_object();
            if (q->label_low)
                l = set(l, "low", texts_json(s, q->label_low));
            if (q->label_high)
                l = set(l, "high", texts_json(s, q->label_high));
            o = set(o, "labels", l);
        }
        break;
    case CXM_QUESTION_SINGLE:
    case CXM_QUESTION_MULTIPLE:
        a = json_array();
        for (size_t i = 0; a && i < q->n_opts; i++) {
            json_t *opt = json_object();
            opt = set(opt, "id", json_string(q->opts[i].id));
            opt = set(opt, "text", texts_json(s, q->opts[i].text));
            if (!opt || json_array_append_new(a, opt)) {
                json_decref(a);
                a = NULL;
            }
        }
        o = set(o, "options", a);
        if (q->type == CXM_QUESTION_MULTIPLE)
            o = set(o, "max_choices", json_integer(q->max_choices));
        break;
    case CXM_QUESTION_TEXT:
        o = set(o, "max_length", json_integer(q->max_length));
        break;
    }
    if (q->cond) {
        json_t *c = json_object();
        c = set(c, "question", json_string(q->cond->id));
        if (q->cond->type == CXM_QUESTION_RATING) {
            c = set(c, "min", json_integer(q->cond_min));
            c = set(c, "max", json_integer(q->cond_max));
        } else {
            a = json_array();
            for (size_t i = 0; a && i < q->n_cond_any; i++) {
                if (json_array_append_new(a, json_string(q->cond_any[i]))) {
                    json_decref(a);
                    a = NULL;
                }
            }
            c = set(c, "any_of", a);
        }
        o = set(o, "show_if", c);
    }
    return o;
}

cxm_rc cxm_survey_to_json(const cxm_survey *s, char **out, size_t *len_out)
{
    return cxm__survey_json(s, true, out, len_out);
}

cxm_rc cxm__survey_json(const cxm_survey *s, bool with_version, char **out,
                        size_t *len_out)
{
    json_t *o, *a, *l;
    char *text;
    size_t n;

    if (!s || !out)
        return CXM_EINVAL;
    o = json_object();
    o = set(o, "id", json_string(s->id));
    if (with_version && s->version > 0)
        o = set(o, "version", json_integer(s->version));
    o = set(o, "kind", json_string(kind_names[s->kind]));
    o = set(o, "default_language", json_string(s->langs[s->def_lang]));
    l = json_array();
    for (size_t i = 0; l && i < s->n_langs; i++) {
        if (json_array_append_new(l, json_string(s->langs[i]))) {
            json_decref(l);
            l = NULL;
        }
    }
    o = set(o, "languages", l);
    o = set(o, "title", texts_json(s, s->title));
    if (s->intro)
        o = set(o, "intro", texts_json(s, s->intro));
    if (s->thanks)
        o = set(o, "thanks", texts_json(s, s->thanks));
    a = json_array();
    for (size_t i = 0; a && i < s->n_qs; i++) {
        json_t *q = question_json(s, &s->qs[i]);
        if (!q || json_array_append_new(a, q)) {
            json_decref(a);
            a = NULL;
        }
    }
    o = set(o, "questions", a);
    if (!o)
        return CXM_ENOMEM;
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text)
        return CXM_ENOMEM;
    n = strlen(text);
    *out = cxm__malloc(n + 2);
    if (*out) {
        memcpy(*out, text, n);
        (*out)[n] = '\n';
        (*out)[n + 1] = '\0';
        if (len_out)
            *len_out = n + 1;
    }
    free(text); /* jansson's allocator */
    return *out ? CXM_OK : CXM_ENOMEM;
}

/* ---- Accessors. */

const char *cxm_survey_id(const cxm_survey *s) { return s->id; }
cxm_survey_kind cxm_survey_kind_of(const cxm_survey *s) { return s->kind; }

const char *cxm_survey_kind_name(cxm_survey_kind kind)
{
    return (unsigned)kind < CXM_ARRAY_LEN(kind_names) ? kind_names[kind] : "";
}

const char *cxm_question_type_name(cxm_question_type type)
{
    return (unsigned)type < CXM_ARRAY_LEN(type_names) ? type_names[type] : "";
}

int cxm_survey_version(const cxm_survey *s) { return s->version; }
int64_t cxm_survey_added_at(const cxm_survey *s) { return s->added_at; }
size_t cxm_survey_n_languages(const cxm_survey *s) { return s->n_langs; }

const char *cxm_survey_language(const cxm_survey *s, size_t i)
{
    return i < s->n_langs ? s->langs[i] : NULL;
}

const char *cxm_survey_default_language(const cxm_survey *s)
{
    return s->langs[s->def_lang];
}

/* The index of `lang`, the default language's when missing. */
static size_t lang_index(const cxm_survey *s, const char *lang)
{
    for (size_t i = 0; lang && i < s->n_langs; i++) {
        if (strcmp(s->langs[i], lang) == 0)
            return i;
    }
    return s->def_lang;
}

bool cxm_survey_has_language(const cxm_survey *s, const char *lang)
{
    for (size_t i = 0; lang && i < s->n_langs; i++) {
        if (strcmp(s->langs[i], lang) == 0)
            return true;
    }
    return false;
}

static const char *text_in(const cxm_survey *s, texts t, const char *lang)
{
    return t ? t[lang_index(s, lang)] : NULL;
}

const char *cxm_survey_title(const cxm_survey *s, const char *lang)
{
    return text_in(s, s->title, lang);
}

const char *cxm_survey_intro(const cxm_survey *s, const char *lang)
{
    return text_in(s, s->intro, lang);
}

const char *cxm_survey_thanks(const cxm_survey *s, const char *lang)
{
    return text_in(s, s->thanks, lang);
}

size_t cxm_survey_n_questions(const cxm_survey *s) { return s->n_qs; }

const cxm_survey_question *cxm_survey_question_at(const cxm_survey *s,
                                                  size_t i)
{
    return i < s->n_qs ? &s->qs[i] : NULL;
}

const cxm_survey_question *cxm_survey_find_question(const cxm_survey *s,
                                                    const char *id)
{
    for (size_t i = 0; id && i < s->n_qs; i++) {
        if (strcmp(s->qs[i].id, id) == 0)
            return &s->qs[i];
    }
    return NULL;
}

const char *cxm_question_id(const cxm_survey_question *q) { return q->id; }

const char *cxm_question_text(const cxm_survey_question *q, const char *lang)
{
    return text_in(q->owner, q->text, lang);
}

const char *cxm_question_label_low(const cxm_survey_question *q,
                                   const char *lang)
{
    return text_in(q->owner, q->label_low, lang);
}

const char *cxm_question_label_high(const cxm_survey_question *q,
                                    const char *lang)
{
    return text_in(q->owner, q->label_high, lang);
}

const char *cxm_question_option_text(const cxm_survey_question *q, size_t i,
                                     const char *lang)
{
    return i < q->n_opts ? text_in(q->owner, q->opts[i].text, lang) : NULL;
}

cxm_question_type cxm_question_type_of(const cxm_survey_question *q)
{
    return q->type;
}

bool cxm_question_required(const cxm_survey_question *q)
{
    return q->required;
}

void cxm_question_scale(const cxm_survey_question *q, int *lo, int *hi)
{
    bool r = q->type == CXM_QUESTION_RATING;

    if (lo)
        *lo = r ? q->lo : 0;
    if (hi)
        *hi = r ? q->hi : 0;
}

const char *cxm_question_metric(const cxm_survey_question *q)
{
    return q->metric;
}

size_t cxm_question_n_options(const cxm_survey_question *q)
{
    return q->n_opts;
}

const char *cxm_question_option_id(const cxm_survey_question *q, size_t i)
{
    return i < q->n_opts ? q->opts[i].id : NULL;
}

int cxm_question_max_choices(const cxm_survey_question *q)
{
    return q->max_choices;
}

int cxm_question_max_length(const cxm_survey_question *q)
{
    return q->max_length;
}

const cxm_survey_question *cxm_question_show_if(const cxm_survey_question *q)
{
    return q->cond;
}

bool cxm_question_show_if_range(const cxm_survey_question *q, int *min,
                                int *max)
{
    if (!q->cond || q->cond->type != CXM_QUESTION_RATING)
        return false;
    if (min)
        *min = q->cond_min;
    if (max)
        *max = q->cond_max;
    return true;
}

size_t cxm_question_show_if_n_options(const cxm_survey_question *q)
{
    return q->n_cond_any;
}

const char *cxm_question_show_if_option(const cxm_survey_question *q,
                                        size_t i)
{
    return i < q->n_cond_any ? q->cond_any[i] : NULL;
}

bool cxm_question_shown_for_score(const cxm_survey_question *q, int score)
{
    if (!q->cond)
        return true;
    return q->cond->type == CXM_QUESTION_RATING && score >= q->cond_min &&
           score <= q->cond_max;
}

bool cxm_question_shown_for_choices(const cxm_survey_question *q,
                                    const char *const *chosen, size_t n)
{
    if (!q->cond)
        return true;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; chosen[i] && k < q->n_cond_any; k++) {
            if (strcmp(chosen[i], q->cond_any[k]) == 0)
                return true;
        }
    }
    return false;
}
