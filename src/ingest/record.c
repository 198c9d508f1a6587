/* SPDX-License-Identifier: MIT
 *
 * record.c — the data contract of SPEC §1 as tables: which columns each
 * record kind has, their types, which are required, and the checks across
 * columns (scores inside their scale, nothing resolved before it was
 * created). A row either passes whole or is rejected with the column and a
 * reason; nothing is clamped or guessed.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "record.h"

#define COLS(a) a, CXM_ARRAY_LEN(a)

static const struct cxm__colspec tickets_cols[] = {
    {"ticket_id", CXM__COL_ID, true},
    {"created_at", CXM__COL_TS, true},
    {"customer_id", CXM__COL_KEY, false},
    {"agent_id", CXM__COL_KEY, false},
    {"team", CXM__COL_KEY, false},
    {"channel", CXM__COL_KEY, false},
    {"first_response_at", CXM__COL_TS, false},
    {"resolved_at", CXM__COL_TS, false},
    {"status", CXM__COL_KEY, false},
    {"contacts", CXM__COL_INT, false},
    {"reopened", CXM__COL_BOOL, false},
    {"escalated", CXM__COL_BOOL, false},
    {"complaint", CXM__COL_BOOL, false},
    {"topic", CXM__COL_KEY, false},
    {"replies", CXM__COL_INT, false},
    {"tags", CXM__COL_KEY, false},
};

static const struct cxm__colspec responses_cols[] = {
    {"response_id", CXM__COL_ID, true},
    {"survey", CXM__COL_SURVEY, true},
    {"responded_at", CXM__COL_TS, true},
    {"question", CXM__COL_TEXT, false},
    {"score", CXM__COL_INT, false},
    {"scale", CXM__COL_SCALE, false},
    {"comment", CXM__COL_TEXT, false},
    {"ticket_id", CXM__COL_KEY, false},
    {"customer_id", CXM__COL_KEY, false},
    {"agent_id", CXM__COL_KEY, false},
    {"team", CXM__COL_KEY, false},
    {"channel", CXM__COL_KEY, false},
    {"language", CXM__COL_KEY, false},
};

static const struct cxm__colspec customers_cols[] = {
    {"customer_id", CXM__COL_ID, true},
    {"acquired_at", CXM__COL_TS, true},
    {"churned_at", CXM__COL_TS, false},
    {"segment", CXM__COL_KEY, false},
    {"country", CXM__COL_KEY, false},
    {"email", CXM__COL_KEY, false},
    {"phone", CXM__COL_KEY, false},
    {"language", CXM__COL_KEY, false},
};

static const struct cxm__colspec orders_cols[] = {
    {"order_id", CXM__COL_ID, true},
    {"customer_id", CXM__COL_ID, true},
    {"ordered_at", CXM__COL_TS, true},
    {"amount", CXM__COL_NUM, false},
    {"currency", CXM__COL_CURRENCY, false},
};

static const struct cxm__colspec selfservice_cols[] = {
    {"session_id", CXM__COL_ID, true},
    {"started_at", CXM__COL_TS, true},
    {"customer_id", CXM__COL_KEY, false},
    {"kind", CXM__COL_KEY, false},
    {"resolved", CXM__COL_BOOL, false},
    {"topic", CXM__COL_KEY, false},
};

static const struct cxm__colspec agents_cols[] = {
    {"agent_id", CXM__COL_ID, true},
    {"team", CXM__COL_KEY, false},
    {"hired_at", CXM__COL_DATE, false},
    {"left_at", CXM__COL_DATE, false},
};

static const struct cxm__colspec agent_hours_cols[] = {
    {"agent_id", CXM__COL_ID, true},
    {"date", CXM__COL_DAY, true},
    {"hours", CXM__COL_NUM, true},
};

static const struct cxm__colspec reviews_cols[] = {
    {"review_id", CXM__COL_ID, true},
    {"posted_at", CXM__COL_TS, true},
    {"rating", CXM__COL_NUM, true},
    {"source", CXM__COL_KEY, false},
    {"scale_max", CXM__COL_NUM, false},
    {"text", CXM__COL_TEXT, false},
    {"language", CXM__COL_KEY, false},
};

static const struct cxm__colspec qa_scores_cols[] = {
    {"ticket_id", CXM__COL_ID, true},
    {"reviewer", CXM__COL_ID, true},
    {"score", CXM__COL_NUM, true},
    {"max_score", CXM__COL_NUM, false},
    {"reviewed_at", CXM__COL_TS, false},
};

static const struct cxm__kindspec kinds[CXM_KIND_COUNT] = {
    [CXM_KIND_TICKETS] = {"tickets", COLS(tickets_cols)},
    [CXM_KIND_RESPONSES] = {"responses", COLS(responses_cols)},
    [CXM_KIND_CUSTOMERS] = {"customers", COLS(customers_cols)},
    [CXM_KIND_ORDERS] = {"orders", COLS(orders_cols)},
    [CXM_KIND_SELFSERVICE] = {"selfservice", COLS(selfservice_cols)},
    [CXM_KIND_AGENTS] = {"agents", COLS(agents_cols)},
    [CXM_KIND_AGENT_HOURS] = {"agent_hours", COLS(agent_hours_cols)},
    [CXM_KIND_REVIEWS] = {"reviews", COLS(reviews_cols)},
    [CXM_KIND_QA_SCORES] = {"qa_scores", COLS(qa_scores_cols)},
};

const struct cxm__kindspec *cxm__kind_spec(cxm_kind kind)
{
    CXM_ASSERT(kind >= 0 && kind < CXM_KIND_COUNT);
    return &kinds[kind];
}

cxm_rc cxm_kind_parse(const char *name, cxm_kind *out)
{
    for (int k = 0; k < CXM_KIND_COUNT; k++) {
        if (cxm__eq_nocase(name, strlen(name), kinds[k].name)) {
            *out = (cxm_kind)k;
            return CXM_OK;
        }
    }
    return CXM_ENOTFOUND;
}

const char *cxm_kind_name(cxm_kind kind)
{
    if (kind < 0 || kind >= CXM_KIND_COUNT)
        return "";
    return kinds[kind].name;
}

void cxm__survey_default_scale(const char *survey, int *lo, int *hi)
{
    if (strcmp(survey, "nps") == 0) {
        *lo = 0;
        *hi = 10;
    } else if (strcmp(survey, "ces") == 0) {
        *lo = 1;
        *hi = 7;
    } else {
        *lo = 1;
        *hi = 5;
    }
}

/* Sets the reason and the offending column; returns CXM_EINPUT (or
 * CXM_ENOMEM when even the reason cannot be written). */
static cxm_rc reject(struct cxm__reject *rej, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cxm_rc reject(struct cxm__reject *rej, int col, const char *fmt, ...)
{
    va_list ap;
    cxm_rc rc;

    cxm__buf_reset(&rej->reason);
    rej->col = col;
    va_start(ap, fmt);
    rc = cxm__buf_vaddf(&rej->reason, fmt, ap);
    va_end(ap);
    return rc ? CXM_ENOMEM : CXM_EINPUT;
}

/* The offset of the first control character of the valid UTF-8 s[0..n)
 * (C0, DEL or C1 U+0080-U+009F; in free text TAB, LF and CR are allowed),
 * or n when there is none; *cp is its code point. One pass, no
 * allocation: it runs on every text field of every row. */
static size_t find_control(const char *s, size_t n, bool free_text,
                           unsigned *cp)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x7F)
            continue;
        if (c < 0x20 &&
            !(free_text && (c == '\t' || c == '\n' || c == '\r'))) {
            *cp = c;
            return i;
        }
        if (c == 0x7F) {
            *cp = c;
            return i;
        }
        if (c == 0xC2 && i + 1 < n && p[i + 1] < 0xA0) {
            *cp = p[i + 1]; /* U+0080-U+009F: C2 80 .. C2 9F */
            return i;
        }
    }
    return n;
}

/* Rejects a timestamp outside the window, naming the window. */
static cxm_rc reject_window(struct cxm__reject *rej, int col,
                            const struct cxm__window *win, const char *s,
                            size_t n)
{
    char lo[40], last[40], ex[48];

    cxm_time_format(win->lo, lo, sizeof(lo));
    cxm_time_format(win->hi - CXM__MS_PER_DAY, last, sizeof(last));
    lo[10] = last[10] = '\0'; /* the dates: the window is whole days */
    return reject(rej, col,
                  "timestamp outside the plausible window %s .. %s "
                  "(widen it with cxmeter config set import.earliest / "
                  "import.horizon_years): \"%s\"",
                  lo, last, cxm__excerpt(s, n, ex, sizeof(ex)));
}

static bool parse_bool(const char *s, size_t n, int64_t *out)
{
    static const char *const yes[] = {"1", "true", "yes", "y", "t"};
    static const char *const no[] = {"0", "false", "no", "n", "f"};

    for (size_t i = 0; i < CXM_ARRAY_LEN(yes); i++) {
        if (cxm__eq_nocase(s, n, yes[i])) {
            *out = 1;
            return true;
        }
        if (cxm__eq_nocase(s, n, no[i])) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* Parses "MIN-MAX" (e.g. "1-5", "0-10"). */
static bool parse_scale(const char *s, size_t n, int64_t *lo, int64_t *hi)
{
    const char *dash;

    if (n < 3)
        return false;
    dash = memchr(s + 1, '-', n - 1); /* a leading '-' would be a sign */
    if (!dash)
        return false;
    if (cxm__parse_i64(s, (size_t)(dash - s), lo) ||
        cxm__parse_i64(dash + 1, n - (size_t)(dash - s) - 1, hi))
        return false;
    return *lo < *hi && *lo >= -1000 && *hi <= 1000;
}

/* Converts one field to a value of its column's type. */
static cxm_rc convert(const struct cxm__colspec *cs, int col, const char *s,
                      size_t n, const struct cxm__window *win,
                      struct cxm__value *v, struct cxm__reject *rej)
{
    const char *why = NULL;
    bool is_key = cs->type == CXM__COL_ID || cs->type == CXM__COL_KEY ||
                  cs->type == CXM__COL_SURVEY ||
                  cs->type == CXM__COL_CURRENCY;
    unsigned cp = 0;
    char ex[48];

    v->type = CXM__V_NULL;
    if (is_key) {
        const char *end = s + n;
        cxm__trim(&s, &n);
        /* Keep the value NUL-terminated: the byte after it was trimmed
         * white space of the writable record. */
        if (s + n != end)
            ((char *)s)[n] = '\0';
    }
    if (n == 0) {
        if (cs->required)
            return reject(rej, col, "required value missing");
        return CXM_OK;
    }
    if (!cxm__utf8_valid(s, n))
        return reject(rej, col, "not valid UTF-8");
    switch (cs->type) {
    case CXM__COL_ID:
    case CXM__COL_KEY:
    case CXM__COL_SURVEY:
    case CXM__COL_TEXT:
        if (find_control(s, n, cs->type == CXM__COL_TEXT, &cp) < n)
            return reject(rej, col,
                          cs->type == CXM__COL_TEXT
                              ? "control character U+%04X in the text "
                                "(only tab and line breaks are allowed): "
                                "\"%s\""
                              : "control character U+%04X in a key or "
                                "dimension value: \"%s\"",
                          cp, cxm__excerpt(s, n, ex, sizeof(ex)));
        v->type = CXM__V_TEXT;
        v->s = s;
        v->len = n;
        return CXM_OK;
    case CXM__COL_CURRENCY:
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                n = 0; /* flags the value: not letters */
        }
        if (n != 3)
            return reject(rej, col,
                          "not an ISO 4217 currency code (three letters, "
                          "e.g. USD)");
        /* Upper case, in the record buffer the caller lets us rewrite. */
        for (size_t i = 0; i < n; i++) {
            if (s[i] >= 'a' && s[i] <= 'z')
                ((char *)s)[i] = (char)(s[i] - ('a' - 'A'));
        }
        v->type = CXM__V_TEXT;
        v->s = s;
        v->len = n;
        return CXM_OK;
    case CXM__COL_TS:
    case CXM__COL_DATE:
    case CXM__COL_DAY:
        if (cxm_time_parse(s, n, cs->type != CXM__COL_TS, &v->i, &why))
            return reject(rej, col, "%s: \"%s\"", why,
                          cxm__excerpt(s, n, ex, sizeof(ex)));
        /* The calendar day as written: its first ten bytes are a valid
         * YYYY-MM-DD once the whole value parsed. */
        if (cs->type == CXM__COL_DAY &&
            cxm_time_parse(s, 10, true, &v->i, &why))
            return reject(rej, col, "%s: \"%s\"", why,
                          cxm__excerpt(s, n, ex, sizeof(ex)));
        if (win && (v->i < win->lo || v->i >= win->hi))
            return reject_window(rej, col, win, s, n);
        v->type = CXM__V_INT;
        return CXM_OK;
    case CXM__COL_INT:
        if (cxm__parse_i64(s, n, &v->i))
            return reject(rej, col, "not an integer: \"%s\"",
                          cxm__excerpt(s, n, ex, sizeof(ex)));
        v->type = CXM__V_INT;
        return CXM_OK;
    case CXM__COL_BOOL:
        if (!parse_bool(s, n, &v->i))
            return reject(rej, col,
                          "not a boolean (1/0, true/false, yes/no): "
                          "\"%s\"",
                          cxm__excerpt(s, n, ex, sizeof(ex)));
        v->type = CXM__V_INT;
        return CXM_OK;
    case CXM__COL_NUM:
        if (cxm__parse_decimal(s, n, &v->d))
            return reject(rej, col, "not a number: \"%s\"",
                          cxm__excerpt(s, n, ex, sizeof(ex)));
        v->type = CXM__V_REAL;
        return CXM_OK;
    case CXM__COL_SCALE:
        if (!parse_scale(s, n, &v->i, &v->i2))
            return reject(rej, col,
                          "not a scale (MIN-MAX, e.g. 1-5): \"%s\"",
                          cxm__excerpt(s, n, ex, sizeof(ex)));
        v->type = CXM__V_INT;
        return CXM_OK;
    }
    return reject(rej, col, "internal: unknown column type");
}

/* Index of the spec column called `name` in `ks`. */
static int col_index(const struct cxm__kindspec *ks, const char *name)
{
    for (size_t j = 0; j < ks->n_cols; j++) {
        if (strcmp(ks->cols[j].name, name) == 0)
            return (int)j;
    }
    CXM_ASSERT(!"no such column");
    return -1;
}

/* `later` must not be before `earlier` when both are set. */
static cxm_rc check_order(const struct cxm__kindspec *ks,
                          const struct cxm__value *vals, const char *earlier,
                          const char *later, struct cxm__reject *rej)
{
    int a = col_index(ks, earlier), b = col_index(ks, later);

    if (vals[a].type == CXM__V_INT && vals[b].type == CXM__V_INT &&
        vals[b].i < vals[a].i)
        return reject(rej, b, "%s is before %s", later, earlier);
    return CXM_OK;
}

static cxm_rc check_responses(const struct cxm__kindspec *ks,
                              struct cxm__value *vals,
                              struct cxm__reject *rej)
{
    int c_survey = col_index(ks, "survey"), c_score = col_index(ks, "score");
    int c_scale = col_index(ks, "scale");
    struct cxm__value *sv = &vals[c_survey];
    char name[8] = "";
    bool is_nps, is_csat_ces;
    int lo, hi;

    /* csat/nps/ces are matched case-insensitively and stored lower case;
     * the folded copy lives in the record buffer, which we own here. */
    if (sv->len <= 4) {
        for (size_t i = 0; i < sv->len; i++)
            name[i] = (char)cxm__to_lower((unsigned char)sv->s[i]);
        name[sv->len] = '\0';
        if (strcmp(name, "csat") == 0 || strcmp(name, "nps") == 0 ||
            strcmp(name, "ces") == 0)
            memcpy((char *)sv->s, name, sv->len);
        else
            name[0] = '\0';
    }
    if (vals[c_scale].type == CXM__V_INT) {
        lo = (int)vals[c_scale].i;
        hi = (int)vals[c_scale].i2;
    } else {
        cxm__survey_default_scale(name, &lo, &hi);
        vals[c_scale].type = CXM__V_INT;
        vals[c_scale].i = lo;
        vals[c_scale].i2 = hi;
    }
    /* SPEC Conventions: NPS is 0-10 only; CSAT and CES need at least
     * three points (a top two and something below it). Custom surveys
     * feed no metric and keep any scale. */
    is_nps = strcmp(name, "nps") == 0;
    is_csat_ces = strcmp(name, "csat") == 0 || strcmp(name, "ces") == 0;
    if (is_nps && (lo != 0 || hi != 10))
        return reject(rej, c_scale,
                      "an nps answer must be on the 0-10 scale, not %d-%d",
                      lo, hi);
    if (is_csat_ces && hi - lo + 1 < 3)
        return reject(rej, c_scale,
                      "a %s answer needs a scale of at least three points, "
                      "not %d-%d",
                      name, lo, hi);
    if (vals[c_score].type == CXM__V_INT &&
        (vals[c_score].i < lo || vals[c_score].i > hi))
        return reject(rej, c_score, "score %lld outside the %.*s scale %d-%d",
                      (long long)vals[c_score].i,
                      sv->len > 40 ? 40 : (int)sv->len, sv->s, lo, hi);
    return CXM_OK;
}

static cxm_rc check_range(const struct cxm__kindspec *ks,
                          const struct cxm__value *vals, const char *col,
                          double lo, double hi, const char *what,
                          struct cxm__reject *rej)
{
    int c = col_index(ks, col);
    double x;

    if (vals[c].type == CXM__V_NULL)
        return CXM_OK;
    x = vals[c].type == CXM__V_REAL ? vals[c].d : (double)vals[c].i;
    if (x < lo || x > hi) {
        cxm__buf_reset(&rej->reason);
        rej->col = c;
        if (cxm__buf_addf(&rej->reason, "%s %g outside %s [%g, %g]", col, x,
                          what, lo, hi))
            return CXM_ENOMEM;
        return CXM_EINPUT;
    }
    return CXM_OK;
}

/* Checks across the columns of one row. */
static cxm_rc check_row(cxm_kind kind, const struct cxm__kindspec *ks,
                        struct cxm__value *vals, struct cxm__reject *rej)
{
    cxm_rc rc = CXM_OK;
    double max;
    int c;

    switch (kind) {
    case CXM_KIND_TICKETS:
        rc = check_order(ks, vals, "created_at", "first_response_at", rej);
        if (!rc)
            rc = check_order(ks, vals, "created_at", "resolved_at", rej);
        if (!rc)
            rc = check_range(ks, vals, "contacts", 0, 1e9, "the range",
                             rej);
        return rc;
    case CXM_KIND_RESPONSES:
        return check_responses(ks, vals, rej);
    case CXM_KIND_CUSTOMERS:
        return check_order(ks, vals, "acquired_at", "churned_at", rej);
    case CXM_KIND_AGENTS:
        return check_order(ks, vals, "hired_at", "left_at", rej);
    case CXM_KIND_AGENT_HOURS:
        return check_range(ks, vals, "hours", 0, 24, "a day's", rej);
    case CXM_KIND_REVIEWS:
        c = col_index(ks, "scale_max");
        if (vals[c].type == CXM__V_NULL) {
            vals[c].type = CXM__V_REAL;
            vals[c].d = 5;
        }
        max = vals[c].d;
        if (max <= 1 || max > 100) {
            rej->col = c;
            cxm__buf_reset(&rej->reason);
            if (cxm__buf_adds(&rej->reason,
                              "scale_max must be above 1 and at most 100"))
                return CXM_ENOMEM;
            return CXM_EINPUT;
        }
        return check_range(ks, vals, "rating", 1, max, "the scale", rej);
    case CXM_KIND_QA_SCORES:
        c = col_index(ks, "max_score");
        if (vals[c].type == CXM__V_NULL) {
            vals[c].type = CXM__V_REAL;
            vals[c].d = 100;
        }
        max = vals[c].d;
        if (max <= 0) {
            rej->col = c;
            cxm__buf_reset(&rej->reason);
            if (cxm__buf_adds(&rej->reason, "max_score must be above 0"))
                return CXM_ENOMEM;
            return CXM_EINPUT;
        }
        return check_range(ks, vals, "score", 0, max, "the range", rej);
    case CXM_KIND_ORDERS:
    case CXM_KIND_SELFSERVICE:
    case CXM_KIND_COUNT:
        break;
    }
    return CXM_OK;
}

cxm_rc cxm__record_validate(cxm_kind kind, const struct cxm__csv_rec *rec,
                            const int *colmap, size_t n_header,
                            const struct cxm__window *win,
                            struct cxm__value *vals, struct cxm__reject *rej)
{
    const struct cxm__kindspec *ks = cxm__kind_spec(kind);
    cxm_rc rc;

    if (rec->n_fields != n_header) {
        char a[24], b[24];
        snprintf(a, sizeof(a), "%zu", n_header);
        snprintf(b, sizeof(b), "%zu", rec->n_fields);
        return reject(rej, -1, "expected %s fields as in the header, "
                               "found %s", a, b);
    }
    for (size_t j = 0; j < ks->n_cols; j++) {
        int f = colmap[j];
        if (f < 0) {
            vals[j].type = CXM__V_NULL;
            continue;
        }
        rc = convert(&ks->cols[j], (int)j, rec->fields[f], rec->lens[f],
                     win, &vals[j], rej);
        if (rc)
            return rc;
    }
    return check_row(kind, ks, vals, rej);
}
