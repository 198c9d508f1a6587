/* SPDX-License-Identifier: MIT
 *
 * import_helpdesk.c — Zendesk and Freshdesk ticket exports into the tickets
 * and responses of SPEC §1 (docs/import.md has the column tables). Each
 * vendor row is translated into a generic tickets row, plus a csat
 * responses row when it carries a rating, and both go through the same
 * validation as a generic CSV row (record.c), so the contract checks and
 * the diagnostics stay in one place; a row is stored whole or not at all.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "civil.h"
#include "csv.h"
#include "record.h"
#include "sink.h"

#define PROGRESS_EVERY 65536 /* rows between progress callbacks */
#define REASON_CAP 4096      /* bytes of one reject reason */
#define MAX_DURATION_MS INT64_C(6000000000000) /* 10^8 min, ~190 years */
#define MIN_REAL_MS (365 * CXM__MS_PER_DAY) /* before 1971: placeholder */
#define MAX_MS INT64_C(253402300799000)     /* 9999-12-31T23:59:59Z */

static const char *const vendor_names[] = {"zendesk", "freshdesk"};

/* What a vendor column can mean. One column per field is used: the one
 * whose header name comes first in `aliases` below. */
enum hd_field {
    HF_ID,
    HF_CREATED,
    HF_CUSTOMER,
    HF_AGENT,
    HF_TEAM,
    HF_CHANNEL,
    HF_STATUS,
    HF_FIRST_AT,     /* first response, an instant */
    HF_FIRST_MIN,    /* first response, calendar minutes after creation */
    HF_FIRST_HRS,    /* first response, hours after creation */
    HF_SOLVED_AT,    /* resolution, an instant */
    HF_SOLVED_MIN,   /* resolution, calendar minutes after creation */
    HF_SOLVED_HRS,   /* resolution, hours after creation */
    HF_CLOSED_AT,    /* closing, an instant: the last resort */
    HF_REPLIES,      /* agent replies: contacts (SPEC §2 fcr) */
    HF_CUST_REPLIES, /* customer messages: contacts when no agent count */
    HF_REOPENS,
    HF_SATISFACTION,
    HF_SAT_COMMENT,
    HF_TOPIC,
    HF_TYPE, /* ticket type: the topic when there is no topic column */
    HF_TAGS, /* space- or comma-separated: definitions' exclude.tags */
    HF_COUNT,
    HF_NONE = -1
};

#define ZD (1u << CXM_HELPDESK_ZENDESK)
#define FD (1u << CXM_HELPDESK_FRESHDESK)

/* Header names (compared trimmed, ASCII case-insensitively), best first
 * within each field. Custom `... [list]` fields are matched in map_header.
 * Business-hours twins ("... within business hours") are not listed: a
 * timestamp made of business minutes would not be an instant. */
static const struct alias {
    enum hd_field f;
    unsigned vendors;
    const char *name;
} aliases[] = {
    {HF_ID, ZD | FD, "id"},
    {HF_ID, ZD | FD, "ticket id"},
    {HF_ID, ZD | FD, "ticket_id"},
    {HF_CREATED, FD, "created time"},
    {HF_CREATED, ZD | FD, "created at"},
    {HF_CREATED, ZD | FD, "created_at"},
    {HF_CUSTOMER, ZD, "requester id"},
    {HF_CUSTOMER, ZD, "requester external id"},
    {HF_CUSTOMER, FD, "contact id"},
    {HF_CUSTOMER, ZD | FD, "requester email"},
    {HF_CUSTOMER, FD, "email"},
    {HF_CUSTOMER, ZD | FD, "requester"},
    {HF_AGENT, ZD | FD, "assignee id"},
    {HF_AGENT, FD, "agent id"},
    {HF_AGENT, ZD | FD, "assignee"},
    {HF_AGENT, FD, "agent"},
    {HF_TEAM, ZD | FD, "group"},
    {HF_TEAM, ZD | FD, "group name"},
    {HF_CHANNEL, ZD, "via"},
    {HF_CHANNEL, FD, "source"},
    {HF_CHANNEL, ZD | FD, "channel"},
    {HF_CHANNEL, ZD, "source"},
    {HF_CHANNEL, FD, "via"},
    {HF_STATUS, ZD | FD, "status"},
    {HF_FIRST_AT, FD, "initial response time"},
    {HF_FIRST_AT, ZD | FD, "first response at"},
    {HF_FIRST_AT, ZD | FD, "first reply at"},
    {HF_FIRST_MIN, ZD, "first reply time in minutes"},
    {HF_FIRST_HRS, FD, "first response time (in hrs)"},
    {HF_FIRST_HRS, FD, "first response time (in hours)"},
    {HF_SOLVED_AT, ZD, "solved at"},
    {HF_SOLVED_AT, FD, "resolved time"},
    {HF_SOLVED_AT, ZD | FD, "resolved at"},
    {HF_SOLVED_AT, ZD, "resolved time"},
    {HF_SOLVED_MIN, ZD, "full resolution time in minutes"},
    {HF_SOLVED_HRS, FD, "resolution time (in hrs)"},
    {HF_SOLVED_HRS, FD, "resolution time (in hours)"},
    {HF_SOLVED_HRS, ZD, "resolution time"},
    {HF_CLOSED_AT, FD, "closed time"},
    {HF_CLOSED_AT, ZD | FD, "closed at"},
    {HF_REPLIES, ZD, "replies"},
    {HF_REPLIES, FD, "agent interactions"},
    {HF_CUST_REPLIES, FD, "customer interactions"},
    {HF_REOPENS, ZD | FD, "reopens"},
    {HF_REOPENS, FD, "reopen count"},
    {HF_SATISFACTION, ZD | FD, "satisfaction score"},
    {HF_SATISFACTION, ZD | FD, "satisfaction rating"},
    {HF_SATISFACTION, FD, "satisfaction survey"},
    {HF_SATISFACTION, FD, "survey results"},
    {HF_SATISFACTION, FD, "survey result"},
    {HF_SATISFACTION, ZD | FD, "satisfaction"},
    {HF_SAT_COMMENT, ZD | FD, "satisfaction comment"},
    {HF_SAT_COMMENT, FD, "survey comment"},
    {HF_TOPIC, ZD | FD, "topic"},
    {HF_TOPIC, ZD | FD, "topic [list]"},
    {HF_TOPIC, ZD | FD, "category"},
    {HF_TOPIC, ZD | FD, "category [list]"},
    {HF_TYPE, ZD, "ticket type"},
    {HF_TYPE, FD, "type"},
    {HF_TAGS, ZD | FD, "tags"},
};

/* Channel names folded onto the short forms other imports use; anything
 * else is stored lower-cased. */
static const struct {
    const char *from, *to;
} channels[] = {
    {"email", "email"},          {"mail", "email"},
    {"e-mail", "email"},         {"web", "web"},
    {"web form", "web"},         {"web_form", "web"},
    {"web widget", "web"},       {"web_widget", "web"},
    {"portal", "web"},           {"feedback widget", "web"},
    {"chat", "chat"},            {"live chat", "chat"},
    {"phone", "phone"},          {"voice", "phone"},
    {"voicemail", "phone"},      {"phone call (incoming)", "phone"},
    {"phone call (outgoing)", "phone"},
    {"api", "api"},              {"mobile", "mobile"},
    {"mobile sdk", "mobile"},    {"mobile_sdk", "mobile"},
    {"mobihelp", "mobile"},
};

/* Rating labels. Zendesk: good/bad as the ends of 1–3 (SPEC Conventions:
 * a CSAT scale has at least three points), so that csat (the top point of
 * a short scale) is good / (good + bad). Freshdesk: its seven levels on
 * 1–7 (top two = very/extremely happy), the classic three on 1–3. */
static const struct {
    const char *label;
    bool prefix; /* "good with comment", "Good, I'm satisfied" */
    int score, lo, hi;
} ratings[] = {
    {"good", true, 3, 1, 3},
    {"bad", true, 1, 1, 3},
    {"extremely happy", false, 7, 1, 7},
    {"very happy", false, 6, 1, 7},
    {"happy", false, 5, 1, 7},
    {"neutral", false, 4, 1, 7},
    {"unhappy", false, 3, 1, 7},
    {"very unhappy", false, 2, 1, 7},
    {"extremely unhappy", false, 1, 1, 7},
    {"awesome", false, 3, 1, 3},
    {"just okay", false, 2, 1, 3},
    {"not good", false, 1, 1, 3},
};

/* Values meaning "no rating". */
static const char *const unrated[] = {"offered", "unoffered", "not offered",
                                      "-"};

/* The generic columns this file writes, by name in record.c's tables. */
enum { T_ID, T_CREATED, T_CUSTOMER, T_AGENT, T_TEAM, T_CHANNEL, T_FIRST,
       T_RESOLVED, T_STATUS, T_CONTACTS, T_REOPENED, T_TOPIC, T_REPLIES,
       T_TAGS, T_N };
static const char *const t_names[T_N] = {
    "ticket_id", "created_at", "customer_id", "agent_id",
    "team", "channel", "first_response_at", "resolved_at",
    "status", "contacts", "reopened", "topic", "replies", "tags"};

enum { R_ID, R_SURVEY, R_AT, R_SCORE, R_SCALE, R_COMMENT, R_TICKET,
       R_CUSTOMER, R_AGENT, R_TEAM, R_CHANNEL, R_N };
static const char *const r_names[R_N] = {
    "response_id", "survey", "responded_at", "score", "scale", "comment",
    "ticket_id", "customer_id", "agent_id", "team", "channel"};

#define SYNTH_MAX ((int)T_N > (int)R_N ? (int)T_N : (int)R_N)

/* One generic row being built: fields[j] is the text of spec column j,
 * src[j] the vendor field it came from (for diagnostics). */
struct synth {
    const struct cxm__kindspec *ks;
    int pos[SYNTH_MAX]; /* our column k -> spec column */
    const char **fields;
    size_t *lens;
    enum hd_field *src;
    int *colmap; /* identity: spec column j is field j */
    struct cxm__value *vals;
    uint64_t filled; /* 1 << j for each spec column j this row fills */
    uint64_t seen;   /* 1 << j for each spec column j a stored row filled */
};

struct hd_col {
    int idx;    /* field index in the file, or -1 */
    char *name; /* trimmed header name, owned; NULL when idx < 0 */
};

struct hd {
    const struct cxm__sink *sink;
    cxm_helpdesk vendor;
    const struct cxm_import_opts *opts;
    struct cxm_import_result *res;
    struct hd_col col[HF_COUNT];
    struct synth t, r;
    struct cxm__window win; /* the plausibility window of timestamps */
    struct cxm__reject rej; /* reason of the row being rejected */
    enum hd_field bad;      /* its vendor field, or HF_NONE */
    struct cxm__buf rid;    /* response id */
    struct cxm__buf chan;   /* lower-cased channel */
    /* Per-row text of values computed here; NUL-terminated. */
    char created[40], first[40], resolved[40], responded[40];
    char contacts[24], replies[24], reopened[2], score[8], scale[16], survey[8];
};

static void diag(const struct hd *im, const char *file, long line,
                 int column, const char *column_name, const char *reason)
{
    struct cxm_diag d;

    if (!im->opts->on_diag)
        return;
    d.file = file;
    d.line = line;
    d.column = column;
    d.column_name = column_name ? column_name : "";
    d.reason = reason;
    im->opts->on_diag(&d, im->opts->ud);
}

/* ASCII case-insensitive: does s[0..n) contain the lower-case `t`? */
static bool has_nocase(const char *s, size_t n, const char *t)
{
    size_t m = strlen(t);

    for (size_t i = 0; i + m <= n; i++) {
        if (cxm__eq_nocase(s + i, m, t))
            return true;
    }
    return false;
}

static bool starts_nocase(const char *s, size_t n, const char *t)
{
    size_t m = strlen(t);

    return n >= m && cxm__eq_nocase(s, m, t);
}

/* Rejects the row for the value of vendor field `f` (HF_NONE: the whole
 * row). Returns CXM_EINPUT, or CXM_ENOMEM when the reason cannot be kept. */
static cxm_rc reject(struct hd *im, enum hd_field f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static cxm_rc reject(struct hd *im, enum hd_field f, const char *fmt, ...)
{
    va_list ap;
    cxm_rc rc;

    cxm__buf_reset(&im->rej.reason);
    im->bad = f;
    va_start(ap, fmt);
    rc = cxm__buf_vaddf(&im->rej.reason, fmt, ap);
    va_end(ap);
    return rc ? CXM_ENOMEM : CXM_EINPUT;
}

/* ---- Values. */

/* Reads 1 to `max` digits at s[*i]. */
static bool read_num(const char *s, size_t n, size_t *i, int max, int *v,
                     int *n_digits)
{
    int x = 0, k = 0;

    while (*i < n && k < max && cxm__is_digit((unsigned char)s[*i])) {
        x = x * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (k == 0 || (*i < n && cxm__is_digit((unsigned char)s[*i])))
        return false;
    *v = x;
    *n_digits = k;
    return true;
}

/* Parses the date-times helpdesk exports write: `YYYY-MM-DD`,
 * `YYYY/MM/DD`, `DD/MM/YYYY`, `DD-MM-YYYY` or `DD.MM.YYYY`, then optionally
 * `[T ]h:mm[:ss[.fff]]`, ` AM`/` PM`, and `Z`, `±hh:mm`, `±hhmm` or
 * ` UTC`; no offset = UTC (SPEC §1). The pieces are rewritten as a SPEC
 * timestamp and checked by cxm_time_parse(). Returns CXM_OK, CXM_ENOTFOUND
 * for no value (empty, or a placeholder before 1971 such as 1900-01-01) or
 * CXM_EINPUT (*why says why). */
static cxm_rc parse_when(const char *s, size_t n, int64_t *ms,
                         const char **why)
{
    int a, b, c, ka, kb, kc, y, mo, d, h = 0, mi = 0, se = 0;
    size_t i = 0, frac_at = 0, frac_len = 0;
    char sep, iso[64];
    const char *zone = "";
    size_t zone_len = 0;
    int len;

    *why = "not a date and time (YYYY-MM-DD hh:mm[:ss], DD/MM/YYYY hh:mm, "
           "...)";
    if (n == 0)
        return CXM_ENOTFOUND;
    if (!read_num(s, n, &i, 4, &a, &ka) || i >= n)
        return CXM_EINPUT;
    sep = s[i];
    if (sep != '-' && sep != '/' && sep != '.')
        return CXM_EINPUT;
    i++;
    if (!read_num(s, n, &i, 2, &b, &kb) || i >= n || s[i] != sep)
        return CXM_EINPUT;
    i++;
    if (!read_num(s, n, &i, 4, &c, &kc))
        return CXM_EINPUT;
    if (ka == 4 && kc <= 2) {
        y = a;
        mo = b;
        d = c;
    } else if (kc == 4 && ka <= 2) {
        d = a; /* day first, as Zendesk writes it outside the US */
        mo = b;
        y = c;
    } else {
        return CXM_EINPUT;
    }
    if (i < n && (s[i] == 'T' || s[i] == ' ')) {
        int k;
        i++;
        while (i < n && s[i] == ' ')
            i++;
        if (!read_num(s, n, &i, 2, &h, &k) || i >= n || s[i] != ':')
            return CXM_EINPUT;
        i++;
        if (!read_num(s, n, &i, 2, &mi, &k) || k != 2)
            return CXM_EINPUT;
        if (i < n && s[i] == ':') {
            i++;
            if (!read_num(s, n, &i, 2, &se, &k) || k != 2)
                return CXM_EINPUT;
            if (i < n && s[i] == '.') {
                frac_at = i;
                i++;
                while (i < n && cxm__is_digit((unsigned char)s[i]))
                    i++;
                frac_len = i - frac_at;
                if (frac_len < 2 || frac_len > 10)
                    return CXM_EINPUT;
            }
        }
        while (i < n && s[i] == ' ')
            i++;
        if (i + 1 < n && (s[i + 1] == 'M' || s[i + 1] == 'm') &&
            (s[i] == 'A' || s[i] == 'a' || s[i] == 'P' || s[i] == 'p')) {
            if (h < 1 || h > 12)
                return CXM_EINPUT;
            h = h % 12 + (s[i] == 'P' || s[i] == 'p' ? 12 : 0);
            i += 2;
            while (i < n && s[i] == ' ')
                i++;
        }
        zone = s + i;
        zone_len = n - i;
        if (cxm__eq_nocase(zone, zone_len, "utc") ||
            cxm__eq_nocase(zone, zone_len, "gmt")) {
            zone = "Z";
            zone_len = 1;
        }
        if (zone_len > 8)
            return CXM_EINPUT;
    } else if (i != n) {
        return CXM_EINPUT;
    }
    if (y == 0 && mo == 0 && d == 0)
        return CXM_ENOTFOUND; /* 0000-00-00: a database's "no date" */
    len = snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02d%.*s%.*s",
                   y, mo, d, h, mi, se, (int)frac_len, s + frac_at,
                   (int)zone_len, zone);
    if (len < 0 || (size_t)len >= sizeof(iso))
        return CXM_EINPUT;
    if (cxm_time_parse(iso, (size_t)len, false, ms, why))
        return CXM_EINPUT;
    /* "Never" as some exports and spreadsheets write it: midnight on
     * 1 January of a year before 1971 (1900-01-01, 1970-01-01) or on a
     * spreadsheet's day zero (1899-12-30, 1899-12-31). Any other
     * timestamp is kept, and one outside the plausibility window rejects
     * the row when it is validated. */
    if (*ms < MIN_REAL_MS && *ms % CXM__MS_PER_DAY == 0 &&
        ((mo == 1 && d == 1) || (y == 1899 && mo == 12 && d >= 30)))
        return CXM_ENOTFOUND;
    return CXM_OK;
}

/* A non-negative duration of `unit_ms` units ("90", "1.5") into *ms;
 * INT64_MAX when it is too long to be an int64 of milliseconds. */
static bool parse_units(const char *s, size_t n, double unit_ms,
                        int64_t *ms)
{
    double v;

    if (cxm__parse_decimal(s, n, &v) || v < 0)
        return false;
    *ms = v * unit_ms < 9e18 ? (int64_t)(v * unit_ms + 0.5) : INT64_MAX;
    return true;
}

/* Hours as a decimal ("1.5") or as h:mm[:ss] ("1:30", "01:30:00"). */
static bool parse_hours(const char *s, size_t n, int64_t *ms)
{
    const char *colon = memchr(s, ':', n);
    int64_t h, m, sec = 0;
    size_t hl, rest;

    if (!colon)
        return parse_units(s, n, 3600000.0, ms);
    hl = (size_t)(colon - s);
    rest = n - hl - 1;
    if (hl == 0 || hl > 7 || (rest != 2 && rest != 5) ||
        (rest == 5 && colon[3] != ':'))
        return false;
    if (!cxm__is_digit((unsigned char)s[0]) || cxm__parse_i64(s, hl, &h) ||
        cxm__parse_i64(colon + 1, 2, &m) || m > 59 ||
        !cxm__is_digit((unsigned char)colon[1]))
        return false;
    if (rest == 5 && (!cxm__is_digit((unsigned char)colon[4]) ||
                      cxm__parse_i64(colon + 4, 2, &sec) || sec > 59))
        return false;
    *ms = ((h * 60 + m) * 60 + sec) * 1000;
    return true;
}

/* A rating: *has false when there is none; else score on [lo, hi]. */
static cxm_rc parse_rating(const char *s, size_t n, bool *has,
                           int *score, int *lo, int *hi)
{
    int64_t v;

    *has = false;
    if (n == 0)
        return CXM_OK;
    for (size_t i = 0; i < CXM_ARRAY_LEN(unrated); i++) {
        if (cxm__eq_nocase(s, n, unrated[i]))
            return CXM_OK;
    }
    for (size_t i = 0; i < CXM_ARRAY_LEN(ratings); i++) {
        if (ratings[i].prefix ? starts_nocase(s, n, ratings[i].label)
                              : cxm__eq_nocase(s, n, ratings[i].label)) {
            *has = true;
            *score = ratings[i].score;
            *lo = ratings[i].lo;
            *hi = ratings[i].hi;
            return CXM_OK;
        }
    }
    if (cxm__parse_i64(s, n, &v))
        return CXM_EINPUT;
    *has = true;
    if (v >= 1 && v <= 5) { /* a 1–5 survey */
        *score = (int)v;
        *lo = 1;
        *hi = 5;
    } else if (v >= 100 && v <= 103) { /* Freshdesk's codes */
        *score = (int)v - 96;
        *lo = 1;
        *hi = 7;
    } else if (v >= -103 && v <= -101) {
        *score = (int)v + 104;
        *lo = 1;
        *hi = 7;
    } else {
        return CXM_ENOTFOUND;
    }
    return CXM_OK;
}

/* ---- Header. */

static void release_header(struct hd *im)
{
    for (int f = 0; f < HF_COUNT; f++) {
        cxm__free(im->col[f].name);
        im->col[f].name = NULL;
        im->col[f].idx = -1;
    }
}

/* Lists the header names of field `f` for the vendor, for a message. */
static cxm_rc list_names(const struct hd *im, enum hd_field f,
                         struct cxm__buf *b)
{
    const char *sep = "";
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; i < CXM_ARRAY_LEN(aliases) && !rc; i++) {
        if (aliases[i].f == f && (aliases[i].vendors & (1u << im->vendor))) {
            rc = cxm__buf_addf(b, "%s\"%s\"", sep, aliases[i].name);
            sep = ", ";
        }
    }
    return rc;
}

/* Chooses the file's column for each field. Returns CXM_OK, CXM_EINPUT
 * (no id or creation column; reported) or CXM_ENOMEM. */
static cxm_rc map_header(struct hd *im, const char *file,
                         const struct cxm__csv_rec *hdr)
{
    static const enum hd_field required[] = {HF_ID, HF_CREATED};
    size_t rank[HF_COUNT];
    size_t list_rank = SIZE_MAX;
    int list_col = -1;
    long twin;
    cxm_rc rc = CXM_OK;

    const char *hint = cxm__csv_separator_hint(hdr);

    if (hint) {
        diag(im, file, hdr->line, 0, "", hint);
        return CXM_EINPUT;
    }
    for (int f = 0; f < HF_COUNT; f++)
        rank[f] = SIZE_MAX;
    for (size_t k = 0; k < hdr->n_fields; k++) {
        const char *name = hdr->fields[k];
        size_t n = hdr->lens[k];

        cxm__trim(&name, &n);
        for (size_t i = 0; i < CXM_ARRAY_LEN(aliases); i++) {
            enum hd_field f = aliases[i].f;
            if (!(aliases[i].vendors & (1u << im->vendor)) ||
                !cxm__eq_nocase(name, n, aliases[i].name))
                continue;
            if (i < rank[f]) {
                rank[f] = i;
                im->col[f].idx = (int)k;
            }
            /* A column read twice would be read from one of them. */
            twin = cxm__csv_same_name(hdr, k);
            if (twin > (long)k) {
                struct cxm__buf b = CXM__BUF_INIT(512);
                if (cxm__buf_addf(&b,
                                  "the header names the column \"%.*s\" "
                                  "twice (columns %zu and %ld)",
                                  n > 64 ? 64 : (int)n, name, k + 1,
                                  twin + 1))
                    return CXM_ENOMEM;
                diag(im, file, hdr->line, 0, "", b.data);
                cxm__buf_release(&b);
                rc = CXM_EINPUT;
            }
            break;
        }
        /* Custom drop-downs: "Topic [list]" first, then "... categor...
         * [list]" (e.g. "Manual Tagging of Categories [list]"). */
        if (n > 6 && cxm__eq_nocase(name + n - 6, 6, "[list]")) {
            size_t r = has_nocase(name, n - 6, "topic")     ? 0
                       : has_nocase(name, n - 6, "categor") ? 1
                                                            : SIZE_MAX;
            if (r < list_rank) {
                list_rank = r;
                list_col = (int)k;
            }
        }
    }
    if (im->col[HF_TOPIC].idx < 0)
        im->col[HF_TOPIC].idx = list_col;
    if (im->col[HF_TOPIC].idx < 0)
        im->col[HF_TOPIC].idx = im->col[HF_TYPE].idx;
    for (int f = 0; f < HF_COUNT; f++) {
        const char *name;
        size_t n;
        int k = im->col[f].idx;

        if (k < 0)
            continue;
        name = hdr->fields[k];
        n = hdr->lens[k];
        cxm__trim(&name, &n);
        im->col[f].name = cxm__strndup(name, n);
        if (!im->col[f].name)
            return CXM_ENOMEM;
    }
    for (size_t i = 0; i < CXM_ARRAY_LEN(required); i++) {
        struct cxm__buf b = CXM__BUF_INIT(1024);
        enum hd_field f = required[i];

        if (im->col[f].idx >= 0)
            continue;
        if (cxm__buf_addf(&b, "header lacks the %s column (",
                          f == HF_ID ? "ticket id" : "creation time") ||
            list_names(im, f, &b) || cxm__buf_adds(&b, ")"))
            return CXM_ENOMEM;
        diag(im, file, hdr->line, 0, "", b.data);
        cxm__buf_release(&b);
        rc = CXM_EINPUT;
    }
    return rc;
}

/* ---- Rows. */

/* The trimmed value of field `f` in `rec`; "" when the file lacks it. */
static void get(const struct hd *im, const struct cxm__csv_rec *rec,
                enum hd_field f, const char **s, size_t *n)
{
    int k = im->col[f].idx;

    if (k < 0) {
        *s = "";
        *n = 0;
        return;
    }
    *s = rec->fields[k];
    *n = rec->lens[k];
    cxm__trim(s, n);
}

static void put(struct synth *sy, int k, const char *s, size_t n,
                enum hd_field src)
{
    int j = sy->pos[k];

    sy->fields[j] = s;
    sy->lens[j] = n;
    sy->src[j] = src;
    if (n && j < 64)
        sy->filled |= (uint64_t)1 << j;
}

static void put_field(const struct hd *im, struct synth *sy, int k,
                      const struct cxm__csv_rec *rec, enum hd_field f)
{
    const char *s;
    size_t n;

    get(im, rec, f, &s, &n);
    put(sy, k, s, n, f);
}

static void synth_clear(struct synth *sy)
{
    sy->filled = 0;
    for (size_t j = 0; j < sy->ks->n_cols; j++) {
        sy->fields[j] = "";
        sy->lens[j] = 0;
        sy->src[j] = HF_NONE;
    }
}

/* Formats `ms` into dst (40 bytes). */
static size_t fmt_time(int64_t ms, char *dst)
{
    return cxm_time_format(ms, dst, 40);
}

/* An instant field: CXM_OK (*ms set), CXM_ENOTFOUND (no value) or a
 * rejection. */
static cxm_rc when(struct hd *im, const struct cxm__csv_rec *rec,
                   enum hd_field f, int64_t *ms)
{
    const char *s, *why;
    size_t n;
    char ex[48];
    cxm_rc rc;

    get(im, rec, f, &s, &n);
    rc = parse_when(s, n, ms, &why);
    if (rc == CXM_EINPUT)
        return reject(im, f, "%s: \"%s\"", why,
                      cxm__excerpt(s, n, ex, sizeof(ex)));
    return rc;
}

/* A duration after creation: minutes (HF_*_MIN) or hours (HF_*_HRS). */
static cxm_rc after(struct hd *im, const struct cxm__csv_rec *rec,
                    enum hd_field f, bool minutes, int64_t created,
                    int64_t *ms)
{
    const char *s;
    size_t n;
    int64_t d;
    char ex[48];
    bool ok;

    get(im, rec, f, &s, &n);
    if (n == 0)
        return CXM_ENOTFOUND;
    ok = minutes ? parse_units(s, n, 60000.0, &d) : parse_hours(s, n, &d);
    if (!ok)
        return reject(im, f, "not a duration in %s: \"%s\"",
                      minutes ? "minutes" : "hours (1.5 or 1:30)",
                      cxm__excerpt(s, n, ex, sizeof(ex)));
    if (d > MAX_DURATION_MS || d > MAX_MS - created)
        return reject(im, f, "duration too long: \"%s\"",
                      cxm__excerpt(s, n, ex, sizeof(ex)));
    *ms = created + d;
    return CXM_OK;
}

/* The first of the fields `fs` that has a value: instants for *_AT,
 * durations after `created` otherwise. Sets *src to it. */
static cxm_rc first_of(struct hd *im, const struct cxm__csv_rec *rec,
                       const enum hd_field *fs, size_t n_fs, int64_t created,
                       int64_t *ms, enum hd_field *src)
{
    for (size_t i = 0; i < n_fs; i++) {
        enum hd_field f = fs[i];
        cxm_rc rc;

        if (f == HF_FIRST_MIN || f == HF_SOLVED_MIN)
            rc = after(im, rec, f, true, created, ms);
        else if (f == HF_FIRST_HRS || f == HF_SOLVED_HRS)
            rc = after(im, rec, f, false, created, ms);
        else
            rc = when(im, rec, f, ms);
        if (rc != CXM_ENOTFOUND) {
            *src = f;
            return rc;
        }
    }
    return CXM_ENOTFOUND;
}

/* A non-negative count field; CXM_ENOTFOUND when empty. */
static cxm_rc count(struct hd *im, const struct cxm__csv_rec *rec,
                    enum hd_field f, int64_t *v)
{
    const char *s;
    size_t n;
    char ex[48];

    get(im, rec, f, &s, &n);
    if (n == 0)
        return CXM_ENOTFOUND;
    if (cxm__parse_i64(s, n, v) || *v < 0)
        return reject(im, f, "not a count: \"%s\"",
                      cxm__excerpt(s, n, ex, sizeof(ex)));
    return CXM_OK;
}

static cxm_rc put_channel(struct hd *im, const struct cxm__csv_rec *rec)
{
    const char *s;
    size_t n;

    get(im, rec, HF_CHANNEL, &s, &n);
    for (size_t i = 0; i < CXM_ARRAY_LEN(channels); i++) {
        if (cxm__eq_nocase(s, n, channels[i].from)) {
            put(&im->t, T_CHANNEL, channels[i].to, strlen(channels[i].to),
                HF_CHANNEL);
            return CXM_OK;
        }
    }
    cxm__buf_reset(&im->chan);
    if (n == 0)
        return CXM_OK;
    if (cxm__buf_add(&im->chan, s, n))
        return CXM_ENOMEM; /* the cap is above any CSV record */
    for (size_t i = 0; i < n; i++)
        im->chan.data[i] = (char)cxm__to_lower((unsigned char)s[i]);
    put(&im->t, T_CHANNEL, im->chan.data, n, HF_CHANNEL);
    return CXM_OK;
}

/* Builds the ticket (and response) of one vendor row into im->t / im->r.
 * Returns CXM_OK (*has_resp says whether there is a response),
 * CXM_EINPUT (rejected: im->bad, im->rej.reason) or CXM_ENOMEM. */
static cxm_rc translate(struct hd *im, const struct cxm__csv_rec *rec,
                        bool *has_resp)
{
    static const enum hd_field first_fs[] = {HF_FIRST_AT, HF_FIRST_MIN,
                                             HF_FIRST_HRS};
    static const enum hd_field solved_fs[] = {HF_SOLVED_AT, HF_SOLVED_MIN,
                                              HF_SOLVED_HRS, HF_CLOSED_AT};
    int64_t created = 0, first = 0, solved = 0, v = 0;
    enum hd_field first_src = HF_NONE, solved_src = HF_NONE;
    bool has_solved = false;
    const char *s;
    size_t n;
    int score, lo, hi;
    char ex[48];
    cxm_rc rc;

    *has_resp = false;
    synth_clear(&im->t);
    synth_clear(&im->r);
    put_field(im, &im->t, T_ID, rec, HF_ID);
    rc = when(im, rec, HF_CREATED, &created);
    if (rc == CXM_ENOTFOUND)
        return reject(im, HF_CREATED, "required value missing");
    if (rc)
        return rc;
    put(&im->t, T_CREATED, im->created, fmt_time(created, im->created),
        HF_CREATED);
    put_field(im, &im->t, T_CUSTOMER, rec, HF_CUSTOMER);
    put_field(im, &im->t, T_AGENT, rec, HF_AGENT);
    put_field(im, &im->t, T_TEAM, rec, HF_TEAM);
    put_field(im, &im->t, T_STATUS, rec, HF_STATUS);
    put_field(im, &im->t, T_TAGS, rec, HF_TAGS);
    rc = put_channel(im, rec);
    if (rc)
        return rc;
    get(im, rec, HF_TOPIC, &s, &n);
    if (!(n == 1 && s[0] == '-')) /* Zendesk's empty drop-down */
        put(&im->t, T_TOPIC, s, n, HF_TOPIC);

    rc = first_of(im, rec, first_fs, CXM_ARRAY_LEN(first_fs), created,
                  &first, &first_src);
    if (rc == CXM_OK)
        put(&im->t, T_FIRST, im->first, fmt_time(first, im->first),
            first_src);
    else if (rc != CXM_ENOTFOUND)
        return rc;
    rc = first_of(im, rec, solved_fs, CXM_ARRAY_LEN(solved_fs), created,
                  &solved, &solved_src);
    if (rc == CXM_OK) {
        has_solved = true;
        put(&im->t, T_RESOLVED, im->resolved, fmt_time(solved, im->resolved),
            solved_src);
    } else if (rc != CXM_ENOTFOUND) {
        return rc;
    }

    /* contacts: one agent reply or none is a one-touch ticket, which
     * SPEC §2 fcr counts as one contact; more replies, more contacts. */
    rc = count(im, rec, HF_REPLIES, &v);
    if (rc == CXM_ENOTFOUND) {
        rc = count(im, rec, HF_CUST_REPLIES, &v);
        if (rc == CXM_OK)
            put(&im->t, T_CONTACTS, im->contacts,
                (size_t)snprintf(im->contacts, sizeof(im->contacts), "%lld",
                                 (long long)(v < 1 ? 1 : v)),
                HF_CUST_REPLIES);
    } else if (rc == CXM_OK) {
        put(&im->t, T_CONTACTS, im->contacts,
            (size_t)snprintf(im->contacts, sizeof(im->contacts), "%lld",
                             (long long)(v <= 1 ? 1 : v)),
            HF_REPLIES);
        /* The replies themselves, for fcr.rule one_touch. */
        put(&im->t, T_REPLIES, im->replies,
            (size_t)snprintf(im->replies, sizeof(im->replies), "%lld",
                             (long long)v),
            HF_REPLIES);
    }
    if (rc && rc != CXM_ENOTFOUND)
        return rc;
    rc = count(im, rec, HF_REOPENS, &v);
    if (rc == CXM_OK) {
        im->reopened[0] = v > 0 ? '1' : '0';
        im->reopened[1] = '\0';
        put(&im->t, T_REOPENED, im->reopened, 1, HF_REOPENS);
    } else if (rc != CXM_ENOTFOUND) {
        return rc;
    }

    get(im, rec, HF_SATISFACTION, &s, &n);
    rc = parse_rating(s, n, has_resp, &score, &lo, &hi);
    if (rc == CXM_ENOTFOUND)
        return reject(im, HF_SATISFACTION,
                      "satisfaction score %s outside 1-5",
                      cxm__excerpt(s, n, ex, sizeof(ex)));
    if (rc)
        return reject(im, HF_SATISFACTION,
                      "not a satisfaction rating (good/bad, 1-5, "
                      "extremely happy ... extremely unhappy, offered): "
                      "\"%s\"",
                      cxm__excerpt(s, n, ex, sizeof(ex)));
    if (!*has_resp)
        return CXM_OK;

    /* The rating is a csat response of the ticket, answered when the
     * ticket was solved (else when it was created). */
    get(im, rec, HF_ID, &s, &n);
    cxm__buf_reset(&im->rid);
    if (n > 0 && (cxm__buf_addf(&im->rid, "%s:", vendor_names[im->vendor]) ||
                  cxm__buf_add(&im->rid, s, n)))
        return CXM_ENOMEM; /* the cap is above any CSV record */
    put(&im->r, R_ID, im->rid.data ? im->rid.data : "", im->rid.len, HF_ID);
    memcpy(im->survey, "csat", 5);
    put(&im->r, R_SURVEY, im->survey, 4, HF_SATISFACTION);
    put(&im->r, R_AT, im->responded,
        fmt_time(has_solved ? solved : created, im->responded),
        has_solved ? solved_src : HF_CREATED);
    put(&im->r, R_SCORE, im->score,
        (size_t)snprintf(im->score, sizeof(im->score), "%d", score),
        HF_SATISFACTION);
    put(&im->r, R_SCALE, im->scale,
        (size_t)snprintf(im->scale, sizeof(im->scale), "%d-%d", lo, hi),
        HF_SATISFACTION);
    put_field(im, &im->r, R_COMMENT, rec, HF_SAT_COMMENT);
    put_field(im, &im->r, R_TICKET, rec, HF_ID);
    for (int k = 0; k < 4; k++) {
        static const int from[4] = {T_CUSTOMER, T_AGENT, T_TEAM, T_CHANNEL};
        static const int to[4] = {R_CUSTOMER, R_AGENT, R_TEAM, R_CHANNEL};
        int j = im->t.pos[from[k]];
        put(&im->r, to[k], im->t.fields[j], im->t.lens[j], im->t.src[j]);
    }
    return CXM_OK;
}

/* Runs the generic validation of SPEC §1 on a built row; a rejection is
 * blamed on the vendor column the offending value came from. */
static cxm_rc validate(struct hd *im, cxm_kind kind, struct synth *sy,
                       const struct cxm__csv_rec *rec)
{
    struct cxm__csv_rec g;
    cxm_rc rc;

    g.n_fields = sy->ks->n_cols;
    g.fields = (const char *const *)sy->fields;
    g.lens = sy->lens;
    g.line = rec->line;
    g.end_line = rec->end_line;
    rc = cxm__record_validate(kind, &g, sy->colmap, sy->ks->n_cols, &im->win,
                              sy->vals, &im->rej);
    if (rc == CXM_EINPUT)
        im->bad = im->rej.col >= 0 ? sy->src[im->rej.col] : HF_NONE;
    return rc;
}

static cxm_rc import_row(struct hd *im, const struct cxm__csv_rec *rec,
                         size_t n_header)
{
    bool has_resp;
    cxm_rc rc;

    if (rec->n_fields != n_header)
        return reject(im, HF_NONE,
                      "expected %zu fields as in the header, found %zu",
                      n_header, rec->n_fields);
    rc = translate(im, rec, &has_resp);
    if (!rc)
        rc = validate(im, CXM_KIND_TICKETS, &im->t, rec);
    if (!rc && has_resp)
        rc = validate(im, CXM_KIND_RESPONSES, &im->r, rec);
    if (rc)
        return rc;
    rc = im->sink->put_rows(im->sink->ctx, CXM_KIND_TICKETS, im->t.vals, 1);
    if (!rc && has_resp)
        rc = im->sink->put_rows(im->sink->ctx, CXM_KIND_RESPONSES,
                                im->r.vals, 1);
    /* A rejected row supplies no column (0009-supplied.sql). */
    if (!rc) {
        im->t.seen |= im->t.filled;
        if (has_resp)
            im->r.seen |= im->r.filled;
    }
    return rc == CXM_EINPUT ? CXM_ESTORE : rc;
}

static cxm_rc import_file(struct hd *im, const char *path)
{
    struct cxm__csv *csv = NULL;
    struct cxm__csv_rec rec;
    const char *why = NULL;
    uint64_t total = 0, since_progress = 0;
    size_t n_header;
    struct stat sb;
    char open_why[192];
    FILE *fp;
    cxm_rc rc;

    fp = cxm__csv_fopen(path, open_why, sizeof(open_why));
    if (!fp) {
        diag(im, path, 0, 0, "", open_why);
        return CXM_EIO;
    }
    if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode) &&
        sb.st_size > 0)
        total = (uint64_t)sb.st_size;
    rc = cxm__csv_open(&csv, fp, 0);
    if (rc)
        goto out;
    rc = cxm__csv_next(csv, &rec, &why);
    if (rc == CXM_ENOTFOUND) {
        diag(im, path, 1, 0, "", "empty file: no header row");
        rc = CXM_EINPUT;
        goto out;
    }
    if (rc == CXM_EINPUT) {
        diag(im, path, rec.line, 0, "", why);
        goto out;
    }
    if (rc)
        goto out;
    rc = map_header(im, path, &rec);
    if (rc)
        goto out;
    n_header = rec.n_fields;

    for (;;) {
        rc = cxm__csv_next(csv, &rec, &why);
        if (rc == CXM_ENOTFOUND) {
            rc = CXM_OK;
            break;
        }
        if (rc == CXM_EINPUT) {
            diag(im, path, rec.line, 0, "", why);
            im->res->n_rejected++;
            continue;
        }
        if (rc)
            goto out;
        rc = import_row(im, &rec, n_header);
        if (rc == CXM_EINPUT) {
            const struct hd_col *c = im->bad >= 0 ? &im->col[im->bad] : NULL;
            diag(im, path, rec.line, c && c->idx >= 0 ? c->idx + 1 : 0,
                 c && c->name ? c->name : "",
                 im->rej.reason.data ? im->rej.reason.data : "invalid row");
            im->res->n_rejected++;
            continue;
        }
        if (rc)
            goto out;
        im->res->n_imported++;
        if (im->opts->on_progress && ++since_progress == PROGRESS_EVERY) {
            since_progress = 0;
            im->opts->on_progress(path, cxm__csv_bytes(csv), total,
                                  im->res->n_imported + im->res->n_rejected,
                                  im->opts->ud);
        }
    }
    if (im->opts->on_progress)
        im->opts->on_progress(path, total, total,
                              im->res->n_imported + im->res->n_rejected,
                              im->opts->ud);
out:
    if (rc == CXM_EIO)
        diag(im, path, 0, 0, "", "read error");
    release_header(im);
    cxm__csv_close(csv);
    cxm__csv_fclose(fp);
    return rc;
}

/* Sets up a synthetic row of `kind` whose columns `names[0..n)` we fill. */
static cxm_rc synth_init(struct synth *sy, cxm_kind kind,
                         const char *const *names, int n)
{
    size_t cols;

    sy->ks = cxm__kind_spec(kind);
    cols = sy->ks->n_cols;
    for (int k = 0; k < n; k++) {
        sy->pos[k] = -1;
        for (size_t j = 0; j < cols; j++) {
            if (strcmp(sy->ks->cols[j].name, names[k]) == 0)
                sy->pos[k] = (int)j;
        }
        CXM_ASSERT(sy->pos[k] >= 0);
        if (sy->pos[k] < 0)
            return CXM_EINVAL;
    }
    sy->fields = cxm__calloc(cols, sizeof(*sy->fields));
    sy->lens = cxm__calloc(cols, sizeof(*sy->lens));
    sy->src = cxm__calloc(cols, sizeof(*sy->src));
    sy->colmap = cxm__calloc(cols, sizeof(*sy->colmap));
    sy->vals = cxm__calloc(cols, sizeof(*sy->vals));
    if (!sy->fields || !sy->lens || !sy->src || !sy->colmap || !sy->vals)
        return CXM_ENOMEM;
    for (size_t j = 0; j < cols; j++)
        sy->colmap[j] = (int)j;
    return CXM_OK;
}

/* Records the kind of sy and the optional columns it ever filled as
 * supplied (0009-supplied.sql): an export's column counts as supplied
 * when some stored row had a value there. Nothing when no row was
 * stored. */
static cxm_rc synth_supplied(const struct cxm__sink *sink,
                             const struct synth *sy, cxm_kind kind)
{
    cxm_rc rc = CXM_OK;

    if (!sy->seen)
        return CXM_OK;
    rc = sink->put_supplied(sink->ctx, kind, "");
    for (size_t j = 0; !rc && j < sy->ks->n_cols && j < 64; j++) {
        if (!sy->ks->cols[j].required && (sy->seen >> j & 1))
            rc = sink->put_supplied(sink->ctx, kind, sy->ks->cols[j].name);
    }
    return rc;
}

static void synth_release(struct synth *sy)
{
    cxm__free(sy->fields);
    cxm__free(sy->lens);
    cxm__free(sy->src);
    cxm__free(sy->colmap);
    cxm__free(sy->vals);
}

cxm_rc cxm_helpdesk_parse(const char *name, cxm_helpdesk *out)
{
    if (!name || !out)
        return CXM_EINVAL;
    for (size_t i = 0; i < CXM_ARRAY_LEN(vendor_names); i++) {
        if (cxm__eq_nocase(name, strlen(name), vendor_names[i])) {
            *out = (cxm_helpdesk)i;
            return CXM_OK;
        }
    }
    return CXM_ENOTFOUND;
}

const char *cxm_helpdesk_name(cxm_helpdesk vendor)
{
    if ((int)vendor < 0 || (size_t)vendor >= CXM_ARRAY_LEN(vendor_names))
        return "";
    return vendor_names[vendor];
}

cxm_rc cxm__import_hd(const struct cxm__sink *sink, cxm_helpdesk vendor,
                      const char *const *paths, size_t n_paths,
                      const struct cxm_import_opts *opts,
                      struct cxm_import_result *out)
{
    struct hd im;
    struct cxm_import_opts none;
    cxm_rc rc;

    if (!out)
        return CXM_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!sink->ctx || (int)vendor < 0 ||
        (size_t)vendor >= CXM_ARRAY_LEN(vendor_names) || (!paths && n_paths))
        return CXM_EINVAL;
    if (!opts) {
        memset(&none, 0, sizeof(none));
        none.size = sizeof(none);
        opts = &none;
    }
    memset(&im, 0, sizeof(im));
    im.sink = sink;
    im.vendor = vendor;
    im.opts = opts;
    im.res = out;
    im.rej.reason.cap = REASON_CAP;
    im.rid.cap = CXM__CSV_DEFAULT_MAX_RECORD + 16;
    im.chan.cap = CXM__CSV_DEFAULT_MAX_RECORD;
    for (int f = 0; f < HF_COUNT; f++)
        im.col[f].idx = -1;
    rc = synth_init(&im.t, CXM_KIND_TICKETS, t_names, T_N);
    if (!rc)
        rc = synth_init(&im.r, CXM_KIND_RESPONSES, r_names, R_N);
    if (!rc)
        rc = sink->window(sink->ctx, opts, &im.win);
    if (rc)
        goto out;
    rc = sink->begin(sink->ctx);
    if (rc)
        goto out;
    for (size_t i = 0; i < n_paths && !rc; i++)
        rc = import_file(&im, paths[i]);
    if (!rc && opts->strict && out->n_rejected)
        rc = CXM_EINPUT;
    if (!rc)
        rc = synth_supplied(sink, &im.t, CXM_KIND_TICKETS);
    if (!rc)
        rc = synth_supplied(sink, &im.r, CXM_KIND_RESPONSES);
    rc = cxm__sink_finish(sink, rc,
                          1u << CXM_KIND_TICKETS | 1u << CXM_KIND_RESPONSES,
                          out);
out:
    release_header(&im);
    synth_release(&im.t);
    synth_release(&im.r);
    cxm__buf_release(&im.rej.reason);
    cxm__buf_release(&im.rid);
    cxm__buf_release(&im.chan);
    return rc;
}
