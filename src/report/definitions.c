/* SPDX-License-Identifier: MIT
 *
 * definitions.c — definition sets (cxmeter/definitions.h): parsing and
 * checking each setting, the canonical text they are stored as
 * ("key\tvalue" lines, one version per row, append-only), loading a
 * version, history, JSON/table output, and business time on a calendar.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civil.h"
#include "definitions_int.h"
#include "store_int.h"
#include "tz.h"

#define TEXT_CAP ((size_t)1 << 20)

const struct cxm_points cxm__csat_default = {CXM_POINTS_TOP, 2, true, 0,
                                             {0}};
const struct cxm_points cxm__ces_default = {CXM_POINTS_ABOVE_MID, 0, false,
                                            0, {0}};

static const char *const day_names[7] = {"mon", "tue", "wed", "thu",
                                         "fri", "sat", "sun"};

/* ---- Life cycle ---------------------------------------------------------- */

static void defaults(cxm_definitions *d)
{
    memset(d, 0, sizeof(*d));
    d->version = 1;
    d->csat_satisfied = cxm__csat_default;
    d->ces_agree = cxm__ces_default;
    d->fcr_rule = CXM__FCR_CONTACTS;
    d->repeat_days = 7;
    d->rating_agent = CXM__RATING_RESPONSE;
}

cxm_rc cxm_definitions_new(cxm_definitions **out)
{
    cxm_definitions *d = cxm__malloc(sizeof(*d));

    if (!d)
        return CXM_ENOMEM;
    defaults(d);
    *out = d;
    return CXM_OK;
}

static void calendar_free(struct cxm__calendar *c)
{
    if (!c)
        return;
    cxm__tz_free(c->zone);
    cxm__free(c);
}

void cxm_definitions_free(cxm_definitions *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_calendars; i++)
        calendar_free(d->calendars[i]);
    cxm__free(d->set_by);
    cxm__free(d->note);
    cxm__free(d);
}

int cxm_definitions_version(const cxm_definitions *d) { return d->version; }

int64_t cxm_definitions_set_at(const cxm_definitions *d)
{
    return d->set_at;
}

const char *cxm_definitions_set_by(const cxm_definitions *d)
{
    return d->set_by ? d->set_by : "";
}

const char *cxm_definitions_note(const cxm_definitions *d)
{
    return d->note ? d->note : "";
}

/* ---- Parsing ------------------------------------------------------------- */

/* An error message for *err (benign if it cannot be made: the rc says). */
static cxm_rc bad(char **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static cxm_rc bad(char **err, const char *fmt, ...)
{
    struct cxm__buf b = CXM__BUF_INIT(4096);
    va_list ap;

    if (!err)
        return CXM_EINPUT;
    va_start(ap, fmt);
    if (cxm__buf_vaddf(&b, fmt, ap) == CXM_OK)
        *err = cxm__buf_take(&b, NULL);
    va_end(ap);
    return CXM_EINPUT;
}

/* A name fit for a list, a team or a zone: 1..63 bytes, no control
 * characters (the stored form separates with tabs and newlines). */
static bool good_name(const char *s, size_t n)
{
    if (n == 0 || n >= CXM__DEFS_NAME_CAP || !cxm__utf8_valid(s, n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

static bool is_none(const char *v)
{
    size_t n = strlen(v);

    cxm__trim(&v, &n);
    return n == 0 || cxm__eq_nocase(v, n, "none");
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

/* "top2", "above_mid" or a list of scores. */
static cxm_rc parse_points(const char *key, const char *v, bool csat,
                           struct cxm_points *out, char **err)
{
    struct cxm_points p;
    size_t n = strlen(v);
    int64_t x;

    memset(&p, 0, sizeof(p));
    cxm__trim(&v, &n);
    if (n > 3 && strncmp(v, "top", 3) == 0) {
        if (cxm__parse_i64(v + 3, n - 3, &x) || x < 1 ||
            x > CXM_SURVEY_MAX_BINS)
            return bad(err, "%s: '%.*s': topN takes N from 1 to 11", key,
                       (int)n, v);
        p.rule = CXM_POINTS_TOP;
        p.top = (int)x;
        /* SPEC §2's reading of "top two" for CSAT (the default). */
        p.spec_top2 = csat && x == 2;
        *out = p;
        return CXM_OK;
    }
    if (cxm__eq_nocase(v, n, "above_mid")) {
        p.rule = CXM_POINTS_ABOVE_MID;
        *out = p;
        return CXM_OK;
    }
    p.rule = CXM_POINTS_LIST;
    while (n) {
        const char *comma = memchr(v, ',', n);
        size_t len = comma ? (size_t)(comma - v) : n;
        const char *item = v;
        size_t ilen = len;
        cxm__trim(&item, &ilen);
        if (cxm__parse_i64(item, ilen, &x) || x < -1000 || x > 1000)
            return bad(err, "%s: '%.*s' is not top2, topN, above_mid or a "
                            "list of scores such as 4,5", key,
                       (int)strlen(v), v);
        for (int i = 0; i < p.n_list; i++) {
            if (p.list[i] == (int)x)
                return bad(err, "%s: score %d listed twice", key, (int)x);
        }
        if (p.n_list == CXM_SURVEY_MAX_BINS)
            return bad(err, "%s: at most %d scores", key,
                       CXM_SURVEY_MAX_BINS);
        p.list[p.n_list++] = (int)x;
        v += len;
        n -= len;
        if (n) { /* the comma */
            v++;
            n--;
            if (!n)
                return bad(err, "%s: a list ends with a comma", key);
        }
    }
    if (!p.n_list)
        return bad(err, "%s: empty (top2, topN, above_mid or scores such "
                        "as 4,5)", key);
    qsort(p.list, (size_t)p.n_list, sizeof(p.list[0]), cmp_int);
    *out = p;
    return CXM_OK;
}

/* A comma-separated list of names, lower-cased; "none" or "" is empty. */
static cxm_rc parse_list(const char *key, const char *v,
                         char (*out)[CXM__DEFS_NAME_CAP], int *n_out,
                         char **err)
{
    char tmp[CXM__DEFS_MAX_LIST][CXM__DEFS_NAME_CAP];
    size_t n = strlen(v);
    int k = 0;

    if (is_none(v)) {
        *n_out = 0;
        return CXM_OK;
    }
    while (n) {
        const char *comma = memchr(v, ',', n);
        size_t len = comma ? (size_t)(comma - v) : n;
        const char *item = v;
        size_t ilen = len;
        bool dup = false;
        cxm__trim(&item, &ilen);
        if (!good_name(item, ilen))
            return bad(err, "%s: '%.*s' is not a name (1 to 63 bytes, no "
                            "control characters)", key, (int)ilen, item);
        if (k == CXM__DEFS_MAX_LIST)
            return bad(err, "%s: at most %d names", key,
                       CXM__DEFS_MAX_LIST);
        for (size_t i = 0; i < ilen; i++)
            tmp[k][i] = (char)cxm__to_lower((unsigned char)item[i]);
        tmp[k][ilen] = '\0';
        for (int i = 0; i < k; i++)
            dup |= strcmp(tmp[i], tmp[k]) == 0;
        k += !dup;
        v += len;
        n -= len;
        if (n) {
            v++;
            n--;
        }
    }
    /* Sorted: the canonical form does not depend on the order given. */
    qsort(tmp, (size_t)k, sizeof(tmp[0]),
          (int (*)(const void *, const void *))strcmp);
    memcpy(out, tmp, sizeof(tmp));
    *n_out = k;
    return CXM_OK;
}

static int day_index(const char *s, size_t n)
{
    for (int i = 0; i < 7; i++) {
        if (cxm__eq_nocase(s, n, day_names[i]))
            return i;
    }
    return -1;
}

/* "HH:MM" (24:00 allowed as an end) -> minutes. */
static bool parse_hhmm(const char *s, size_t n, int *out)
{
    int64_t h, m;

    if (n != 5 || s[2] != ':' || cxm__parse_i64(s, 2, &h) ||
        cxm__parse_i64(s + 3, 2, &m) || !cxm__is_digit(s[0]) ||
        !cxm__is_digit(s[3]) || h > 24 || m > 59 || (h == 24 && m))
        return false;
    *out = (int)(h * 60 + m);
    return true;
}

/* "mon-fri 09:00-17:00" or "sat 10:00-14:00" into c. */
static cxm_rc parse_hours_item(const char *key, const char *s, size_t n,
                               struct cxm__calendar *c, char **err)
{
    const char *sp = memchr(s, ' ', n), *dash;
    int d0, d1, from, to;

    if (!sp)
        goto bad_item;
    dash = memchr(s, '-', (size_t)(sp - s));
    if (dash) {
        d0 = day_index(s, (size_t)(dash - s));
        d1 = day_index(dash + 1, (size_t)(sp - dash - 1));
    } else {
        d0 = d1 = day_index(s, (size_t)(sp - s));
    }
    while (sp < s + n && *sp == ' ')
        sp++;
    if (d0 < 0 || d1 < 0 || d1 < d0 || (size_t)(s + n - sp) != 11 ||
        sp[5] != '-' || !parse_hhmm(sp, 5, &from) ||
        !parse_hhmm(sp + 6, 5, &to) || from >= to)
        goto bad_item;
    for (int d = d0; d <= d1; d++) {
        int k = c->n_spans[d];
        if (k == CXM__CAL_MAX_SPANS)
            return bad(err, "%s: at most %d spans a day", key,
                       CXM__CAL_MAX_SPANS);
        /* Keep the day's spans ascending and disjoint. */
        while (k > 0 && c->spans[d][k - 1].from > from) {
            c->spans[d][k] = c->spans[d][k - 1];
            k--;
        }
        c->spans[d][k].from = from;
        c->spans[d][k].to = to;
        c->n_spans[d]++;
        for (int i = 1; i < c->n_spans[d]; i++) {
            if (c->spans[d][i].from < c->spans[d][i - 1].to)
                return bad(err, "%s: overlapping hours on %s", key,
                           day_names[d]);
        }
    }
    return CXM_OK;
bad_item:
    return bad(err, "%s: hours item '%.*s' is not like 'mon-fri "
                    "09:00-17:00'", key, (int)n, s);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* "YYYY-MM-DD" -> day number. */
static bool parse_date(const char *s, size_t n, int64_t *out)
{
    int64_t y, m, d, days, y2;
    int mm, dd;

    if (n != 10 || s[4] != '-' || s[7] != '-' || cxm__parse_i64(s, 4, &y) ||
        cxm__parse_i64(s + 5, 2, &m) || cxm__parse_i64(s + 8, 2, &d) ||
        !cxm__is_digit(s[0]) || !cxm__is_digit(s[5]) ||
        !cxm__is_digit(s[8]) || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    days = cxm__days_from_civil(y, (int)m, (int)d);
    cxm__civil_from_days(days, &y2, &mm, &dd);
    if (y2 != y || mm != m || dd != d)
        return false; /* 2026-02-30 */
    *out = days;
    return true;
}

/* "tz=ZONE; hours=ITEM, ITEM; holidays=DATE, DATE" into *c. */
static cxm_rc parse_calendar(const char *key, const char *v, bool check_tz,
                             struct cxm__calendar *c, char **err)
{
    size_t n = strlen(v);
    bool has_tz = false, has_hours = false;
    cxm_rc rc;

    while (n) {
        const char *semi = memchr(v, ';', n);
        size_t len = semi ? (size_t)(semi - v) : n;
        const char *part = v, *eq, *val;
        size_t plen = len, nlen, vlen;
        cxm__trim(&part, &plen);
        v += len;
        n -= len;
        if (n) {
            v++;
            n--;
        }
        if (!plen)
            continue;
        eq = memchr(part, '=', plen);
        if (!eq)
            return bad(err, "%s: '%.*s' is not NAME=VALUE (tz, hours, "
                            "holidays)", key, (int)plen, part);
        nlen = (size_t)(eq - part);
        val = eq + 1;
        vlen = plen - nlen - 1;
        cxm__trim(&part, &nlen);
        cxm__trim(&val, &vlen);
        if (cxm__eq_nocase(part, nlen, "tz")) {
            if (!good_name(val, vlen))
                return bad(err, "%s: bad time zone name", key);
            memcpy(c->tz, val, vlen);
            c->tz[vlen] = '\0';
            has_tz = true;
        } else if (cxm__eq_nocase(part, nlen, "hours")) {
            while (vlen) {
                const char *comma = memchr(val, ',', vlen);
                size_t ilen = comma ? (size_t)(comma - val) : vlen;
                const char *item = val;
                size_t il = ilen;
                cxm__trim(&item, &il);
                rc = parse_hours_item(key, item, il, c, err);
                if (rc)
                    return rc;
                val += ilen;
                vlen -= ilen;
                if (vlen) {
                    val++;
                    vlen--;
                }
            }
            has_hours = true;
        } else if (cxm__eq_nocase(part, nlen, "holidays")) {
            while (vlen) {
                const char *comma = memchr(val, ',', vlen);
                size_t ilen = comma ? (size_t)(comma - val) : vlen;
                const char *item = val;
                size_t il = ilen;
                int64_t day;
                cxm__trim(&item, &il);
                if (il) {
                    if (!parse_date(item, il, &day))
                        return bad(err, "%s: holiday '%.*s' is not a date "
                                        "YYYY-MM-DD", key, (int)il, item);
                    if (c->n_holidays == CXM__CAL_MAX_HOLIDAYS)
                        return bad(err, "%s: at most %d holidays", key,
                                   CXM__CAL_MAX_HOLIDAYS);
                    c->holidays[c->n_holidays++] = day;
                }
                val += ilen;
                vlen -= ilen;
                if (vlen) {
                    val++;
                    vlen--;
                }
            }
        } else {
            return bad(err, "%s: unknown part '%.*s' (tz, hours, holidays)",
                       key, (int)nlen, part);
        }
    }
    if (!has_tz || !has_hours)
        return bad(err, "%s: a calendar needs tz=ZONE and hours=..., e.g. "
                        "'tz=Asia/Jakarta; hours=mon-fri 09:00-17:00'",
                   key);
    qsort(c->holidays, (size_t)c->n_holidays, sizeof(c->holidays[0]),
          cmp_i64);
    {
        int k = 0;
        for (int i = 0; i < c->n_holidays; i++) {
            if (!k || c->holidays[k - 1] != c->holidays[i])
                c->holidays[k++] = c->holidays[i];
        }
        c->n_holidays = k;
    }
    if (check_tz) {
        struct cxm__tz *z = NULL;
        rc = cxm__tz_load(c->tz, NULL, &z);
        cxm__tz_free(z);
        if (rc == CXM_ENOMEM)
            return rc;
        if (rc)
            return bad(err, "%s: unknown time zone '%s' (an IANA name such "
                            "as Asia/Jakarta)", key, c->tz);
    }
    return CXM_OK;
}

static int find_calendar(const cxm_definitions *d, const char *team)
{
    for (int i = 0; i < d->n_calendars; i++) {
        if (strcmp(d->calendars[i]->team, team) == 0)
            return i;
    }
    return -1;
}

static cxm_rc set_calendar(cxm_definitions *d, const char *key,
                           const char *team, const char *value,
                           bool check_tz, char **err)
{
    struct cxm__calendar *c;
    int at = find_calendar(d, team);
    cxm_rc rc;

    if (!good_name(team, strlen(team)))
        return bad(err, "%s: the team name must be 1 to 63 bytes without "
                        "control characters", key);
    if (is_none(value)) {
        if (at < 0)
            return CXM_OK;
        calendar_free(d->calendars[at]);
        memmove(&d->calendars[at], &d->calendars[at + 1],
                (size_t)(d->n_calendars - at - 1) * sizeof(d->calendars[0]));
        d->n_calendars--;
        return CXM_OK;
    }
    c = cxm__calloc(1, sizeof(*c));
    if (!c)
        return CXM_ENOMEM;
    snprintf(c->team, sizeof(c->team), "%s", team);
    rc = parse_calendar(key, value, check_tz, c, err);
    if (rc) {
        calendar_free(c);
        return rc;
    }
    if (at >= 0) {
        calendar_free(d->calendars[at]);
        d->calendars[at] = c;
        return CXM_OK;
    }
    if (d->n_calendars == CXM__DEFS_MAX_CALENDARS) {
        calendar_free(c);
        return bad(err, "at most %d calendars", CXM__DEFS_MAX_CALENDARS);
    }
    /* Sorted by team. */
    at = d->n_calendars;
    while (at > 0 && strcmp(d->calendars[at - 1]->team, team) > 0) {
        d->calendars[at] = d->calendars[at - 1];
        at--;
    }
    d->calendars[at] = c;
    d->n_calendars++;
    return CXM_OK;
}

/* *out = the index of v (trimmed, any case) in names[0..n); else an
 * error naming `choices`. */
static cxm_rc parse_choice(const char *key, const char *v,
                           const char *const *names, size_t n,
                           const char *choices, int *out, char **err)
{
    size_t len = strlen(v);

    cxm__trim(&v, &len);
    for (size_t i = 0; i < n; i++) {
        if (names[i] && cxm__eq_nocase(v, len, names[i])) {
            *out = (int)i;
            return CXM_OK;
        }
    }
    return bad(err, "%s: '%s' is not %s", key, v, choices);
}

static cxm_rc set_one(cxm_definitions *d, const char *key, const char *v,
                      bool check_tz, char **err)
{
    size_t n;

    if (strcmp(key, "csat.satisfied") == 0)
        return parse_points(key, v, true, &d->csat_satisfied, err);
    if (strcmp(key, "ces.agree") == 0)
        return parse_points(key, v, false, &d->ces_agree, err);
    if (strcmp(key, "fcr.rule") == 0) {
        static const char *const rules[] = {
            [CXM__FCR_CONTACTS] = "contacts",
            [CXM__FCR_ONE_TOUCH] = "one_touch",
            [CXM__FCR_REPEAT_CONTACT] = "repeat_contact"};
        int i = 0;
        cxm_rc rc = parse_choice(key, v, rules, CXM_ARRAY_LEN(rules),
                                 "contacts, one_touch or repeat_contact", &i,
                                 err);
        if (!rc)
            d->fcr_rule = (enum cxm__fcr_rule)i;
        return rc;
    }
    if (strcmp(key, "fcr.repeat_days") == 0) {
        int64_t x;
        n = strlen(v);
        cxm__trim(&v, &n);
        if (cxm__parse_i64(v, n, &x) || x < 1 || x > 365)
            return bad(err, "fcr.repeat_days: '%s' is not a whole number "
                            "of days from 1 to 365", v);
        d->repeat_days = (int)x;
        return CXM_OK;
    }
    if (strcmp(key, "exclude.status") == 0)
        return parse_list(key, v, d->ex_status, &d->n_ex_status, err);
    if (strcmp(key, "exclude.tags") == 0)
        return parse_list(key, v, d->ex_tags, &d->n_ex_tags, err);
    if (strcmp(key, "rating.agent") == 0) {
        static const char *const agents[] = {
            [CXM__RATING_RESPONSE] = "response",
            [CXM__RATING_TICKET_ASSIGNEE] = "ticket_assignee"};
        int i = 0;
        cxm_rc rc = parse_choice(key, v, agents, CXM_ARRAY_LEN(agents),
                                 "response or ticket_assignee", &i, err);
        if (!rc)
            d->rating_agent = (enum cxm__rating_agent)i;
        return rc;
    }
    if (strncmp(key, "calendar.", 9) == 0)
        return set_calendar(d, key, key + 9, v, check_tz, err);
    (void)bad(err, "unknown definition '%s' (csat.satisfied, ces.agree, "
                   "fcr.rule, fcr.repeat_days, exclude.status, exclude.tags, "
                   "rating.agent, calendar.TEAM)", key);
    return CXM_ENOTFOUND;
}

cxm_rc cxm_definitions_set(cxm_definitions *d, const char *key,
                           const char *value, char **errmsg_out)
{
    /* Work on a copy so that d is unchanged on failure; calendars are
     * shared until the end, where the replaced ones are freed. */
    cxm_definitions *tmp;
    cxm_rc rc;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!d || !key || !value)
        return CXM_EINVAL;
    if (strncmp(key, "calendar.", 9) == 0)
        return set_one(d, key, value, true, errmsg_out); /* atomic */
    tmp = cxm__malloc(sizeof(*tmp));
    if (!tmp)
        return CXM_ENOMEM;
    memcpy(tmp, d, sizeof(*tmp));
    rc = set_one(tmp, key, value, true, errmsg_out);
    if (!rc)
        memcpy(d, tmp, sizeof(*d));
    cxm__free(tmp);
    return rc;
}

/* ---- Canonical text ------------------------------------------------------ */

static cxm_rc add_points(struct cxm__buf *b, const struct cxm_points *p)
{
    cxm_rc rc = CXM_OK;

    switch (p->rule) {
    case CXM_POINTS_TOP:
        return cxm__buf_addf(b, "top%d", p->top);
    case CXM_POINTS_ABOVE_MID:
        return cxm__buf_adds(b, "above_mid");
    case CXM_POINTS_LIST:
        for (int i = 0; !rc && i < p->n_list; i++)
            rc = cxm__buf_addf(b, "%s%d", i ? "," : "", p->list[i]);
        return rc;
    }
    return rc;
}

static cxm_rc add_list(struct cxm__buf *b, char (*v)[CXM__DEFS_NAME_CAP],
                       int n)
{
    cxm_rc rc = CXM_OK;

    if (!n)
        return cxm__buf_adds(b, "none");
    for (int i = 0; !rc && i < n; i++)
        rc = cxm__buf_addf(b, "%s%s", i ? "," : "", v[i]);
    return rc;
}

static bool same_day(const struct cxm__calendar *c, int a, int b)
{
    if (c->n_spans[a] != c->n_spans[b])
        return false;
    for (int i = 0; i < c->n_spans[a]; i++) {
        if (c->spans[a][i].from != c->spans[b][i].from ||
            c->spans[a][i].to != c->spans[b][i].to)
            return false;
    }
    return true;
}

/* "tz=Z; hours=mon-fri 09:00-17:00; holidays=2026-01-01,..." */
static cxm_rc add_calendar(struct cxm__buf *b, const struct cxm__calendar *c)
{
    bool first = true;
    cxm_rc rc = cxm__buf_addf(b, "tz=%s; hours=", c->tz);

    for (int d = 0; !rc && d < 7;) {
        int e = d;
        while (e + 1 < 7 && same_day(c, d, e + 1))
            e++;
        for (int i = 0; !rc && i < c->n_spans[d]; i++) {
            const struct cxm__span *s = &c->spans[d][i];
            rc = cxm__buf_addf(b, "%s%s%s%s %02d:%02d-%02d:%02d",
                               first ? "" : ", ", day_names[d],
                               e > d ? "-" : "", e > d ? day_names[e] : "",
                               s->from / 60, s->from % 60, s->to / 60,
                               s->to % 60);
            first = false;
        }
        d = e + 1;
    }
    if (!rc && c->n_holidays)
        rc = cxm__buf_adds(b, "; holidays=");
    for (int i = 0; !rc && i < c->n_holidays; i++) {
        int64_t y;
        int m, dd;
        cxm__civil_from_days(c->holidays[i], &y, &m, &dd);
        rc = cxm__buf_addf(b, "%s%04lld-%02d-%02d", i ? "," : "",
                           (long long)y, m, dd);
    }
    return rc;
}

/* Setting i of d: its key and canonical value into b as "key\tvalue".
 * Returns CXM_ENOTFOUND past the last. */
#define N_FIXED 7
static cxm_rc add_setting(const cxm_definitions *d, int i,
                          struct cxm__buf *key, struct cxm__buf *val)
{
    static const char *const keys[N_FIXED] = {
        "csat.satisfied", "ces.agree", "fcr.rule", "fcr.repeat_days",
        "exclude.status", "exclude.tags", "rating.agent"};
    static const char *const fcr[] = {"contacts", "one_touch",
                                      "repeat_contact"};
    cxm_rc rc;

    cxm__buf_reset(key);
    cxm__buf_reset(val);
    if (i >= N_FIXED + d->n_calendars)
        return CXM_ENOTFOUND;
    if (i >= N_FIXED) {
        const struct cxm__calendar *c = d->calendars[i - N_FIXED];
        rc = cxm__buf_addf(key, "calendar.%s", c->team);
        return rc ? rc : add_calendar(val, c);
    }
    rc = cxm__buf_adds(key, keys[i]);
    if (rc)
        return rc;
    switch (i) {
    case 0:
        return add_points(val, &d->csat_satisfied);
    case 1:
        return add_points(val, &d->ces_agree);
    case 2:
        return cxm__buf_adds(val, fcr[d->fcr_rule]);
    case 3:
        return cxm__buf_addf(val, "%d", d->repeat_days);
    case 4:
        return add_list(val, (char (*)[CXM__DEFS_NAME_CAP])d->ex_status,
                        d->n_ex_status);
    case 5:
        return add_list(val, (char (*)[CXM__DEFS_NAME_CAP])d->ex_tags,
                        d->n_ex_tags);
    default:
        return cxm__buf_adds(val, d->rating_agent == CXM__RATING_RESPONSE
                                      ? "response"
                                      : "ticket_assignee");
    }
}

/* Calls fn with the key and canonical value of every setting of d, in
 * order (i: its index), until fn fails. */
typedef cxm_rc (*setting_fn)(int i, const char *key, const char *val,
                             void *ud);
static cxm_rc each_setting(const cxm_definitions *d, setting_fn fn, void *ud)
{
    struct cxm__buf k = CXM__BUF_INIT(256), v = CXM__BUF_INIT(TEXT_CAP);
    cxm_rc rc = CXM_OK;

    for (int i = 0; !rc; i++) {
        rc = add_setting(d, i, &k, &v);
        if (rc == CXM_ENOTFOUND) {
            rc = CXM_OK;
            break;
        }
        if (!rc)
            rc = fn(i, k.data, v.data ? v.data : "", ud);
    }
    cxm__buf_release(&k);
    cxm__buf_release(&v);
    return rc;
}

/* *out = the text of b (its length in *out_len when not NULL) when rc is
 * CXM_OK; else b is freed. Returns rc. */
static cxm_rc take_text(cxm_rc rc, struct cxm__buf *b, char **out,
                        size_t *out_len)
{
    if (rc) {
        cxm__buf_release(b);
        return rc;
    }
    *out = cxm__buf_take(b, out_len);
    return CXM_OK;
}

static cxm_rc line_setting(int i, const char *key, const char *val, void *ud)
{
    (void)i;
    return cxm__buf_addf(ud, "%s\t%s\n", key, val);
}

cxm_rc cxm__definitions_lines(const cxm_definitions *d, struct cxm__buf *out)
{
    return each_setting(d, line_setting, out);
}

cxm_rc cxm__json_str(struct cxm__buf *b, const char *s)
{
    cxm_rc rc = cxm__buf_addc(b, '"');

    for (; !rc && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            rc = cxm__buf_addc(b, '\\');
            if (!rc)
                rc = cxm__buf_addc(b, (char)c);
        } else if (c < 0x20) {
            rc = cxm__buf_addf(b, "\\u%04x", c);
        } else {
            rc = cxm__buf_addc(b, (char)c);
        }
    }
    return rc ? rc : cxm__buf_addc(b, '"');
}

static cxm_rc json_setting(int i, const char *key, const char *val,
                           void *ud)
{
    struct cxm__buf *out = ud;
    cxm_rc rc = cxm__buf_adds(out, ", ");

    if (!rc)
        rc = cxm__json_str(out, key);
    if (!rc)
        rc = cxm__buf_adds(out, ": ");
    if (!rc && i == 3)
        rc = cxm__buf_adds(out, val); /* fcr.repeat_days: a number */
    else if (!rc)
        rc = cxm__json_str(out, val);
    return rc;
}

cxm_rc cxm__definitions_json(const cxm_definitions *d, struct cxm__buf *out)
{
    char t[40];
    cxm_rc rc = cxm__buf_addf(out, "{\"version\": %d, \"set_at\": ",
                              d->version);

    if (!rc && d->set_at) {
        cxm_time_format(d->set_at, t, sizeof(t));
        rc = cxm__json_str(out, t);
    } else if (!rc) {
        rc = cxm__buf_adds(out, "null");
    }
    if (!rc)
        rc = cxm__buf_adds(out, ", \"set_by\": ");
    if (!rc)
        rc = d->set_by ? cxm__json_str(out, d->set_by)
                       : cxm__buf_adds(out, "null");
    if (!rc)
        rc = cxm__buf_adds(out, ", \"note\": ");
    if (!rc)
        rc = d->note ? cxm__json_str(out, d->note)
                     : cxm__buf_adds(out, "null");
    if (!rc)
        rc = each_setting(d, json_setting, out);
    if (!rc)
        rc = cxm__buf_addc(out, '}');
    return rc;
}

static cxm_rc text_setting(int i, const char *key, const char *val,
                           void *ud)
{
    (void)i;
    return cxm__buf_addf(ud, "  %-16s %s\n", key, val);
}

cxm_rc cxm_definitions_format(const cxm_definitions *d, cxm_format fmt,
                              char **out, size_t *out_len)
{
    struct cxm__buf b = CXM__BUF_INIT(TEXT_CAP);
    char t[40];
    cxm_rc rc = CXM_OK;

    if (!d || !out || fmt == CXM_FORMAT_CSV)
        return CXM_EINVAL;
    if (fmt == CXM_FORMAT_JSON) {
        rc = cxm__definitions_json(d, &b);
        if (!rc)
            rc = cxm__buf_addc(&b, '\n');
    } else {
        if (d->set_at)
            cxm_time_format(d->set_at, t, sizeof(t));
        rc = d->version == 1
                 ? cxm__buf_adds(&b, "definitions version 1 (SPEC "
                                     "defaults)\n")
                 : cxm__buf_addf(&b, "definitions version %d, set %s by "
                                     "%s%s%s\n",
                                 d->version, t, d->set_by ? d->set_by : "",
                                 d->note && *d->note ? ": " : "",
                                 d->note ? d->note : "");
        if (!rc)
            rc = each_setting(d, text_setting, &b);
    }
    return take_text(rc, &b, out, out_len);
}

/* Finding the value of `key` among the settings of a definitions set. */
struct find_setting {
    const char *key;
    bool found;
    struct cxm__buf val; /* the value found */
};

static cxm_rc find_setting(int i, const char *key, const char *val, void *ud)
{
    struct find_setting *f = ud;

    (void)i;
    if (f->found || strcmp(key, f->key) != 0)
        return CXM_OK;
    f->found = true;
    return cxm__buf_adds(&f->val, val);
}

/* One pass of a diff: the settings of one set against `other`. */
struct diff_pass {
    const cxm_definitions *other;
    bool added;          /* the second pass: keys `other` lacks */
    struct cxm__buf *out;
};

static cxm_rc diff_setting(int i, const char *key, const char *val, void *ud)
{
    struct diff_pass *dp = ud;
    struct find_setting f = {key, false, CXM__BUF_INIT(TEXT_CAP)};
    cxm_rc rc = each_setting(dp->other, find_setting, &f);
    const char *ov = !f.found ? "none" : f.val.data ? f.val.data : "";

    (void)i;
    if (!rc && !dp->added && strcmp(ov, val) != 0)
        rc = cxm__buf_addf(dp->out, "%s: %s -> %s\n", key, ov, val);
    else if (!rc && dp->added && !f.found)
        rc = cxm__buf_addf(dp->out, "%s: %s -> none\n", key, val);
    cxm__buf_release(&f.val);
    return rc;
}

cxm_rc cxm_definitions_diff(const cxm_definitions *a,
                            const cxm_definitions *b, char **out)
{
    struct cxm__buf o = CXM__BUF_INIT(TEXT_CAP);
    struct diff_pass changed = {a, false, &o}, removed = {b, true, &o};
    /* Every key of b against a's value, then a's keys b lacks. */
    cxm_rc rc = each_setting(b, diff_setting, &changed);

    if (!rc)
        rc = each_setting(a, diff_setting, &removed);
    return take_text(rc, &o, out, NULL);
}

/* ---- The store ------------------------------------------------------------ */

/* Reads the stored lines into a fresh set. */
static cxm_rc from_lines(const char *text, cxm_definitions *d, char **err)
{
    const char *p = text;
    cxm_rc rc = CXM_OK;

    while (!rc && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *tab = memchr(p, '\t', len);
        char *key, *val;
        if (!tab)
            return CXM_EINPUT;
        key = cxm__strndup(p, (size_t)(tab - p));
        val = cxm__strndup(tab + 1, len - (size_t)(tab - p) - 1);
        if (!key || !val)
            rc = CXM_ENOMEM;
        else
            rc = set_one(d, key, val, false, err);
        if (rc == CXM_ENOTFOUND)
            rc = CXM_EINPUT; /* a key a later version wrote */
        cxm__free(key);
        cxm__free(val);
        p += len;
        if (*p)
            p++;
    }
    return rc;
}

struct load_ctx {
    int want;                /* 0: the last */
    cxm_definitions *found;  /* owned */
    cxm_definitions_fn fn;   /* history */
    void *ud;
    cxm_store *st;
};

static cxm_rc row_to_defs(const struct cxm__row *row, cxm_store *st,
                          cxm_definitions **out)
{
    cxm_definitions *d = NULL;
    char *err = NULL;
    cxm_rc rc = cxm_definitions_new(&d);

    if (rc)
        return rc;
    d->version = (int)row->i64[0];
    d->set_at = row->i64[1];
    d->set_by = cxm__strdup(row->text[2] ? row->text[2] : "");
    d->note = row->text[3] ? cxm__strdup(row->text[3]) : NULL;
    if (!d->set_by || (row->text[3] && !d->note))
        rc = CXM_ENOMEM;
    if (!rc)
        rc = from_lines(row->text[4] ? row->text[4] : "", d, &err);
    if (rc == CXM_EINPUT) {
        char msg[160];
        snprintf(msg, sizeof(msg), "definitions version %d: %s", d->version,
                 err ? err : "unreadable");
        cxm__store_set_error(st, msg);
    }
    cxm__free(err);
    if (rc) {
        cxm_definitions_free(d);
        return rc;
    }
    *out = d;
    return CXM_OK;
}

static cxm_rc on_load_row(const struct cxm__row *row, void *ud)
{
    struct load_ctx *c = ud;
    cxm_definitions *d;
    cxm_rc rc;

    if (c->want && row->i64[0] != c->want)
        return CXM_OK;
    rc = row_to_defs(row, c->st, &d);
    if (rc)
        return rc;
    if (c->fn) {
        rc = c->fn(d, c->ud);
        cxm_definitions_free(d);
        return rc;
    }
    cxm_definitions_free(c->found);
    c->found = d;
    return CXM_OK;
}

cxm_rc cxm_definitions_load(cxm_store *st, int version,
                            cxm_definitions **out)
{
    struct load_ctx c;
    cxm_rc rc;

    if (!st || !out || version < 0)
        return CXM_EINVAL;
    if (version == 1)
        return cxm_definitions_new(out);
    memset(&c, 0, sizeof(c));
    c.want = version;
    c.st = st;
    rc = cxm__store_query(st, CXM__Q_DEFINITIONS, on_load_row, &c);
    if (rc) {
        cxm_definitions_free(c.found);
        return rc;
    }
    if (!c.found)
        return version == 0 ? cxm_definitions_new(out) : CXM_ENOTFOUND;
    *out = c.found;
    return CXM_OK;
}

cxm_rc cxm_definitions_history(cxm_store *st, cxm_definitions_fn fn,
                               void *ud)
{
    struct load_ctx c;
    cxm_definitions *d = NULL;
    cxm_rc rc;

    if (!st || !fn)
        return CXM_EINVAL;
    rc = cxm_definitions_new(&d);
    if (rc)
        return rc;
    rc = fn(d, ud);
    cxm_definitions_free(d);
    if (rc)
        return rc;
    memset(&c, 0, sizeof(c));
    c.fn = fn;
    c.ud = ud;
    c.st = st;
    return cxm__store_query(st, CXM__Q_DEFINITIONS, on_load_row, &c);
}

static bool same_points(const struct cxm_points *a,
                        const struct cxm_points *b)
{
    if (a->rule != b->rule || a->top != b->top || a->n_list != b->n_list)
        return false;
    for (int k = 0; k < a->n_list; k++) {
        if (a->list[k] != b->list[k])
            return false;
    }
    return true;
}

/* Whether the points `p` of `key` can apply to the stored answers of
 * `survey` (on the default scale when none is stored): each listed score
 * on at least one of their scales (a list applies to every scale: 6,7
 * counts on 1-7 and nothing on 1-5), topN no more points than the
 * narrowest scale has. */
static cxm_rc check_points(cxm_store *st, const char *key,
                           const char *survey, const struct cxm_points *p,
                           char **err)
{
    struct cxm__scales sc;
    char scales[160];
    size_t used = 0;
    int narrow = 0;
    cxm_rc rc;

    if (p->rule == CXM_POINTS_ABOVE_MID)
        return CXM_OK;
    rc = cxm__survey_scales(st, survey, &sc);
    if (rc)
        return rc;
    scales[0] = '\0';
    for (int i = 0; i < sc.n; i++) {
        int w = snprintf(scales + used, sizeof(scales) - used, "%s%d-%d",
                         i ? ", " : "", sc.lo[i], sc.hi[i]);
        if (w > 0 && (size_t)w < sizeof(scales) - used)
            used += (size_t)w;
        if (!i || sc.hi[i] - sc.lo[i] < sc.hi[narrow] - sc.lo[narrow])
            narrow = i;
    }
    if (p->rule == CXM_POINTS_TOP &&
        p->top > sc.hi[narrow] - sc.lo[narrow] + 1) {
        if (!sc.stored)
            return bad(err, "%s: top%d is more points than the default %s "
                            "scale %d-%d has (no %s answer is stored)",
                       key, p->top, survey, sc.lo[0], sc.hi[0], survey);
        return bad(err, "%s: top%d is more points than the %d-%d scale of "
                        "the stored %s answers has",
                   key, p->top, sc.lo[narrow], sc.hi[narrow], survey);
    }
    for (int k = 0; p->rule == CXM_POINTS_LIST && k < p->n_list; k++) {
        bool on_one = false;

        for (int i = 0; i < sc.n && !on_one; i++)
            on_one = p->list[k] >= sc.lo[i] && p->list[k] <= sc.hi[i];
        if (on_one)
            continue;
        if (!sc.stored)
            return bad(err, "%s: score %d is outside the default %s scale "
                            "%s (no %s answer is stored)",
                       key, p->list[k], survey, scales, survey);
        return bad(err, "%s: score %d is on no scale of the stored %s "
                        "answers (%s)",
                   key, p->list[k], survey, scales);
    }
    return CXM_OK;
}

/* cxm_definitions_check(), of the point rules that differ from `prev`'s
 * (every one when prev is NULL). */
static cxm_rc check_against(cxm_store *st, const cxm_definitions *d,
                            const cxm_definitions *prev, char **err)
{
    cxm_rc rc = CXM_OK;

    if (!prev || !same_points(&d->csat_satisfied, &prev->csat_satisfied))
        rc = check_points(st, "csat.satisfied", "csat", &d->csat_satisfied,
                          err);
    if (!rc && (!prev || !same_points(&d->ces_agree, &prev->ces_agree)))
        rc = check_points(st, "ces.agree", "ces", &d->ces_agree, err);
    return rc;
}

cxm_rc cxm_definitions_check(cxm_store *st, const cxm_definitions *d,
                             const char *key, char **errmsg_out)
{
    if (errmsg_out)
        *errmsg_out = NULL;
    if (!st || !d)
        return CXM_EINVAL;
    if (!key)
        return check_against(st, d, NULL, errmsg_out);
    if (strcmp(key, "csat.satisfied") == 0)
        return check_points(st, key, "csat", &d->csat_satisfied, errmsg_out);
    if (strcmp(key, "ces.agree") == 0)
        return check_points(st, key, "ces", &d->ces_agree, errmsg_out);
    return CXM_OK;
}

cxm_rc cxm_definitions_store(cxm_store *st, const cxm_definitions *d,
                             const char *set_by, const char *note,
                             int *version_out)
{
    struct cxm__buf lines = CXM__BUF_INIT(TEXT_CAP);
    struct timespec ts;
    cxm_definitions *prev = NULL;
    char *why = NULL;
    cxm_rc rc;

    if (!st || !d || !set_by || !*set_by || !version_out)
        return CXM_EINVAL;
    /* The point rules this version changes: one already stored stays
     * storable when later answers came on another scale (the report then
     * counts what it can). */
    rc = cxm_definitions_load(st, 0, &prev);
    if (!rc)
        rc = check_against(st, d, prev, &why);
    cxm_definitions_free(prev);
    if (rc == CXM_EINPUT)
        cxm__store_set_error(st, why);
    cxm__free(why);
    if (rc)
        return rc;
    rc = cxm__definitions_lines(d, &lines);
    if (rc)
        return rc;
    clock_gettime(CLOCK_REALTIME, &ts);
    rc = st->ops->put_definitions(st, lines.data ? lines.data : "", set_by,
                                  note && *note ? note : NULL,
                                  (int64_t)ts.tv_sec * 1000 +
                                      ts.tv_nsec / 1000000,
                                  version_out);
    cxm__buf_release(&lines);
    return rc;
}

/* ---- Use in a report -------------------------------------------------------- */

/* Whether the comma/semicolon/space-separated `tags` hold `tag`
 * (case-insensitive). */
static bool has_tag(const char *tags, const char *tag)
{
    size_t tl = strlen(tag);
    const char *p = tags;

    while (*p) {
        size_t n = 0;
        while (*p == ',' || *p == ';' || *p == ' ')
            p++;
        while (p[n] && p[n] != ',' && p[n] != ';' && p[n] != ' ')
            n++;
        if (n == tl && cxm__eq_nocase(p, n, tag))
            return true;
        p += n;
    }
    return false;
}

bool cxm__definitions_excluded(const cxm_definitions *d, const char *status,
                               const char *tags)
{
    if (status) {
        for (int i = 0; i < d->n_ex_status; i++) {
            if (cxm__eq_nocase(status, strlen(status), d->ex_status[i]))
                return true;
        }
    }
    if (tags) {
        for (int i = 0; i < d->n_ex_tags; i++) {
            if (has_tag(tags, d->ex_tags[i]))
                return true;
        }
    }
    return false;
}

const struct cxm__calendar *
cxm__definitions_calendar(const cxm_definitions *d, const char *team)
{
    int i = team ? find_calendar(d, team) : -1;

    if (i < 0)
        i = find_calendar(d, "*");
    return i < 0 ? NULL : d->calendars[i];
}

cxm_rc cxm__definitions_zones(cxm_definitions *d)
{
    for (int i = 0; i < d->n_calendars; i++) {
        struct cxm__calendar *c = d->calendars[i];
        cxm_rc rc;
        if (c->zone)
            continue;
        rc = cxm__tz_load(c->tz, NULL, &c->zone);
        if (rc)
            return rc == CXM_ENOMEM ? rc : CXM_ENOZONE;
    }
    return CXM_OK;
}

static bool is_holiday(const struct cxm__calendar *c, int64_t day)
{
    int lo = 0, hi = c->n_holidays;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (c->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_holidays && c->holidays[lo] == day;
}

int64_t cxm__calendar_business_ms(const struct cxm__calendar *c, int64_t t0,
                                  int64_t t1)
{
    int64_t total = 0, d0, d1;

    if (t1 <= t0 || !c->zone)
        return 0;
    d0 = cxm__day_of_ms(cxm__tz_to_local(c->zone, t0));
    d1 = cxm__day_of_ms(cxm__tz_to_local(c->zone, t1));
    /* Each local day's open spans, turned back into UTC instants (DST
     * included), intersected with [t0, t1). */
    for (int64_t day = d0; day <= d1; day++) {
        int wd = (int)(((day + 3) % 7 + 7) % 7); /* 1970-01-01: Thursday */
        if (is_holiday(c, day))
            continue;
        for (int i = 0; i < c->n_spans[wd]; i++) {
            int64_t base = day * CXM__MS_PER_DAY;
            int64_t s = cxm__tz_from_local(
                c->zone, base + (int64_t)c->spans[wd][i].from * 60000);
            int64_t e = cxm__tz_from_local(
                c->zone, base + (int64_t)c->spans[wd][i].to * 60000);
            if (s < t0)
                s = t0;
            if (e > t1)
                e = t1;
            if (e > s)
                total += e - s;
        }
    }
    return total;
}
