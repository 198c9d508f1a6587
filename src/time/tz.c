/* SPDX-License-Identifier: MIT
 *
 * tz.c — IANA time zones: a bounds-checked TZif reader (RFC 8536, RFC 9636)
 * and the POSIX TZ rules of the TZif footer. The file is outside input, so
 * each data block's size is computed from its header with checked
 * arithmetic and compared with the bytes left before anything is read or
 * allocated. Times are whole seconds inside this file: TZif times and
 * offsets are seconds, and 64-bit TZif times (zic's "big bang" is -2^59 s)
 * do not fit in int64_t milliseconds.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civil.h"
#include "tz.h"

/* Offsets allowed in a TZif time type or a TZ string, seconds east of UTC:
 * RFC 9636's -24:59:59..+25:59:59. cxm__tz_from_local() relies on the bound
 * to search a finite window. */
#define OFF_MIN (-89999)
#define OFF_MAX 93599
#define WINDOW 93600 /* seconds; more than any |offset| */

#define HDR_LEN 44      /* TZif header: magic, version, 15 unused, 6 counts */
#define MAX_TYPES 256   /* transition types are one byte */
#define DEFAULT_RULE_TIME 7200 /* POSIX: rules switch at 02:00 by default */

/* A day of the year in a POSIX TZ rule, and the local time on it. */
enum rule_kind {
    RULE_JULIAN1, /* Jn: 1..365, February 29 never counted */
    RULE_JULIAN0, /* n: 0..365, February 29 counted in leap years */
    RULE_MWD      /* Mm.w.d: weekday d of week w (5 = last) of month m */
};

struct rule_date {
    enum rule_kind kind;
    int day;      /* Jn, n: the day number; Mm.w.d: weekday, 0 = Sunday */
    int mon;      /* Mm.w.d only: 1..12 */
    int week;     /* Mm.w.d only: 1..5 */
    int32_t time; /* seconds after local midnight, -167 h..167 h (v3) */
};

/* A footer TZ string. Invariant: both offsets in [OFF_MIN, OFF_MAX]. */
struct rule {
    int32_t std_off;        /* seconds east of UTC, standard time */
    int32_t dst_off;        /* seconds east of UTC, DST (has_dst only) */
    bool has_dst;           /* false: std_off all year */
    struct rule_date start; /* DST starts; its time is standard time */
    struct rule_date end;   /* DST ends; its time is DST */
};

/* A loaded zone. Invariants: at[] strictly ascending, each off[i] differs
 * from the offset before it (transitions that change only the DST flag or
 * the abbreviation are dropped), every offset in [OFF_MIN, OFF_MAX]. */
struct cxm__tz {
    char *name;        /* owned, NUL-terminated */
    size_t n_trans;    /* entries of at[] and off[] */
    int64_t *at;       /* owned; UTC seconds of each transition */
    int32_t *off;      /* owned; the offset in effect from at[i] on */
    int32_t first_off; /* the offset before at[0]: time type 0 */
    bool has_rule;     /* `rule` decides every instant >= rule_from */
    int64_t rule_from; /* last transition of the file; INT64_MIN if none */
    struct rule rule;
};

/* ---- Small arithmetic helpers. */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if (a % b != 0 && (a % b < 0) != (b < 0))
        q--;
    return q;
}

static int64_t add_sat(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b)
        return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b)
        return INT64_MIN;
    return a + b;
}

/* s seconds plus rem (0..999) milliseconds, saturating. */
static int64_t sec_to_ms(int64_t s, int64_t rem)
{
    int64_t v;

    if (s < INT64_MIN / 1000)
        return INT64_MIN;
    if (s > INT64_MAX / 1000)
        return INT64_MAX;
    v = s * 1000;
    return add_sat(v, rem);
}

static bool is_alpha(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* ---- POSIX TZ strings (the TZif footer). */

/* A cursor over the footer string, which is not NUL-terminated. */
struct tzs {
    const unsigned char *s;
    size_t len;
    size_t i;
};

static bool tzs_at(const struct tzs *p, int c)
{
    return p->i < p->len && p->s[p->i] == c;
}

/* Reads 1..max_digits decimal digits. */
static bool tzs_num(struct tzs *p, int max_digits, int *out)
{
    int v = 0, n = 0;

    while (p->i < p->len && cxm__is_digit(p->s[p->i]) && n < max_digits) {
        v = v * 10 + (p->s[p->i] - '0');
        p->i++;
        n++;
    }
    *out = v;
    return n > 0;
}

/* A zone abbreviation: three or more letters, or <...> holding three or
 * more of [A-Za-z0-9+-]. */
static bool tzs_name(struct tzs *p)
{
    size_t n = 0;

    if (tzs_at(p, '<')) {
        p->i++;
        while (p->i < p->len && p->s[p->i] != '>') {
            int c = p->s[p->i];
            if (!is_alpha(c) && !cxm__is_digit(c) && c != '+' && c != '-')
                return false;
            n++;
            p->i++;
        }
        if (!tzs_at(p, '>'))
            return false;
        p->i++;
    } else {
        while (p->i < p->len && is_alpha(p->s[p->i])) {
            n++;
            p->i++;
        }
    }
    return n >= 3;
}

/* [+-]h[h[h]][:mm[:ss]] as signed seconds, with at most max_h hours. */
static bool tzs_hms(struct tzs *p, int max_h, int32_t *out)
{
    bool neg = false;
    int h, m = 0, s = 0;

    if (tzs_at(p, '+') || tzs_at(p, '-')) {
        neg = p->s[p->i] == '-';
        p->i++;
    }
    if (!tzs_num(p, 3, &h) || h > max_h)
        return false;
    if (tzs_at(p, ':')) {
        p->i++;
        if (!tzs_num(p, 2, &m) || m > 59)
            return false;
        if (tzs_at(p, ':')) {
            p->i++;
            if (!tzs_num(p, 2, &s) || s > 59)
                return false;
        }
    }
    *out = (int32_t)(h * 3600 + m * 60 + s);
    if (neg)
        *out = -*out;
    return true;
}

/* Jn | n | Mm.w.d, then an optional /time (RFC 8536 allows -167..167 h). */
static bool tzs_date(struct tzs *p, struct rule_date *d)
{
    d->mon = 0;
    d->week = 0;
    if (tzs_at(p, 'J')) {
        p->i++;
        d->kind = RULE_JULIAN1;
        if (!tzs_num(p, 3, &d->day) || d->day < 1 || d->day > 365)
            return false;
    } else if (tzs_at(p, 'M')) {
        p->i++;
        d->kind = RULE_MWD;
        if (!tzs_num(p, 2, &d->mon) || d->mon < 1 || d->mon > 12 ||
            !tzs_at(p, '.'))
            return false;
        p->i++;
        if (!tzs_num(p, 1, &d->week) || d->week < 1 || d->week > 5 ||
            !tzs_at(p, '.'))
            return false;
        p->i++;
        if (!tzs_num(p, 1, &d->day) || d->day > 6)
            return false;
    } else {
        d->kind = RULE_JULIAN0;
        if (!tzs_num(p, 3, &d->day) || d->day > 365)
            return false;
    }
    d->time = DEFAULT_RULE_TIME;
    if (tzs_at(p, '/')) {
        p->i++;
        if (!tzs_hms(p, 167, &d->time))
            return false;
    }
    return true;
}

/* std offset [dst [offset] ,start[/time],end[/time]]. POSIX offsets count
 * west of Greenwich; ours count east. A DST name without a rule is refused:
 * zic never writes one and the POSIX default is implementation-defined. */
static bool parse_tzstring(const unsigned char *s, size_t len,
                           struct rule *r)
{
    struct tzs p = {s, len, 0};
    int32_t o;

    memset(r, 0, sizeof(*r));
    if (!tzs_name(&p) || !tzs_hms(&p, 24, &o))
        return false;
    r->std_off = -o;
    if (p.i == p.len)
        return true;
    if (!tzs_name(&p))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (!tzs_at(&p, ',')) {
        if (!tzs_hms(&p, 24, &o))
            return false;
        r->dst_off = -o;
    }
    if (!tzs_at(&p, ','))
        return false;
    p.i++;
    if (!tzs_date(&p, &r->start) || !tzs_at(&p, ','))
        return false;
    p.i++;
    if (!tzs_date(&p, &r->end))
        return false;
    return p.i == p.len;
}

/* The day (since 1970-01-01) that rule date `d` falls on in year y. */
static int64_t rule_day(const struct rule_date *d, int64_t y)
{
    int64_t jan1 = cxm__days_from_civil(y, 1, 1), first, day;
    int wd;

    switch (d->kind) {
    case RULE_JULIAN1:
        return jan1 + d->day - 1 + (cxm__is_leap(y) && d->day >= 60 ? 1 : 0);
    case RULE_JULIAN0:
        return jan1 + d->day;
    case RULE_MWD:
        break;
    }
    first = cxm__days_from_civil(y, d->mon, 1);
    wd = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    day = first + (d->day - wd + 7) % 7 + 7 * (int64_t)(d->week - 1);
    while (day >= first + cxm__days_in_month(y, d->mon))
        day -= 7;
    return day;
}

/* One switch of a rule: at UTC second `at`, DST starts (dst) or ends. */
struct rule_event {
    int64_t at;
    bool dst;
};

/* The offset rule `r` gives at UTC second s (|s| < 2^54), and the next
 * switch after s (INT64_MAX if none). Switches of the years around s's
 * year are sorted, stably, so that where the end of one year's DST and the
 * start of the next coincide (RFC 8536's all-year DST, "0/0,J365/25") the
 * start wins. Years y-2..y+2 always hold a switch before s and one after,
 * as rule times stay within 167 h of their day. */
static void rule_offset(const struct rule *r, int64_t s, int32_t *off,
                        int64_t *next)
{
    struct rule_event ev[10];
    size_t n = 0, i, j;
    int64_t y;
    int m, d;
    bool dst = false;

    *off = r->std_off;
    *next = INT64_MAX;
    if (!r->has_dst)
        return;
    cxm__civil_from_days(floor_div(s, CXM__S_PER_DAY), &y, &m, &d);
    for (int64_t yy = y - 2; yy <= y + 2; yy++) {
        ev[n].at = rule_day(&r->start, yy) * CXM__S_PER_DAY + r->start.time -
                   r->std_off;
        ev[n++].dst = true;
        ev[n].at =
            rule_day(&r->end, yy) * CXM__S_PER_DAY + r->end.time - r->dst_off;
        ev[n++].dst = false;
    }
    for (i = 1; i < n; i++) {
        struct rule_event e = ev[i];
        for (j = i; j > 0 && ev[j - 1].at > e.at; j--)
            ev[j] = ev[j - 1];
        ev[j] = e;
    }
    for (i = 0; i < n && ev[i].at <= s; i++)
        dst = ev[i].dst;
    if (i < n)
        *next = ev[i].at;
    *off = dst ? r->dst_off : r->std_off;
}

/* The offset in effect at UTC second s, and the next second after s at
 * which it may change (INT64_MAX if never). */
static void offset_at(const struct cxm__tz *tz, int64_t s, int32_t *off,
                      int64_t *next)
{
    size_t lo = 0, hi = tz->n_trans;

    if (tz->has_rule && s >= tz->rule_from) {
        rule_offset(&tz->rule, s, off, next);
        return;
    }
    while (lo < hi) { /* lo = number of transitions at or before s */
        size_t mid = lo + (hi - lo) / 2;
        if (tz->at[mid] <= s)
            lo = mid + 1;
        else
            hi = mid;
    }
    *off = lo ? tz->off[lo - 1] : tz->first_off;
    if (lo < tz->n_trans)
        *next = tz->at[lo];
    else
        *next = tz->has_rule ? tz->rule_from : INT64_MAX;
}

/* ---- TZif. */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be32s(const unsigned char *p)
{
    uint32_t u = be32(p);
    return u <= INT32_MAX ? (int64_t)u : (int64_t)u - INT64_C(0x100000000);
}

static int64_t be64s(const unsigned char *p)
{
    uint64_t u = (uint64_t)be32(p) << 32 | be32(p + 4);
    return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

/* The counts of a TZif header, in file order. */
struct hdr {
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

/* Reads the header at data[pos..) and the length of the data block after
 * it, for `time_size`-byte times. False unless both fit in `len`. */
static bool read_header(const unsigned char *data, size_t len, size_t pos,
                        size_t time_size, struct hdr *h, size_t *block_len)
{
    const unsigned char *p;
    size_t n = 0, t;

    if (pos > len || len - pos < HDR_LEN)
        return false;
    p = data + pos;
    if (memcmp(p, "TZif", 4) != 0)
        return false;
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    /* timecnt times, timecnt type indices, 6-byte types, designations,
     * leap records (time + 4-byte correction), two indicator arrays. */
    if (!cxm__size_mul(&t, h->timecnt, time_size + 1) ||
        !cxm__size_add(&n, n, t) || !cxm__size_mul(&t, h->typecnt, 6) ||
        !cxm__size_add(&n, n, t) || !cxm__size_add(&n, n, h->charcnt) ||
        !cxm__size_mul(&t, h->leapcnt, time_size + 4) ||
        !cxm__size_add(&n, n, t) || !cxm__size_add(&n, n, h->isstdcnt) ||
        !cxm__size_add(&n, n, h->isutcnt))
        return false;
    if (len - pos - HDR_LEN < n)
        return false;
    *block_len = n;
    return true;
}

/* Fills tz's table from the data block at `p`, whose length read_header()
 * has checked. */
static cxm_rc parse_block(struct cxm__tz *tz, const unsigned char *p,
                          const struct hdr *h, size_t time_size)
{
    const unsigned char *times = p;
    const unsigned char *idx = times + (size_t)h->timecnt * time_size;
    const unsigned char *types = idx + h->timecnt;
    int32_t prev;
    int64_t last = 0;

    if (h->typecnt == 0 || h->typecnt > MAX_TYPES || h->charcnt == 0 ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt))
        return CXM_EINPUT;
    for (uint32_t i = 0; i < h->typecnt; i++) {
        const unsigned char *t = types + (size_t)i * 6;
        int64_t utoff = be32s(t);
        if (utoff < OFF_MIN || utoff > OFF_MAX || t[4] > 1 ||
            t[5] >= h->charcnt)
            return CXM_EINPUT;
    }
    tz->first_off = (int32_t)be32s(types);
    if (h->timecnt > 0) {
        tz->at = cxm__calloc(h->timecnt, sizeof(*tz->at));
        tz->off = cxm__calloc(h->timecnt, sizeof(*tz->off));
        if (!tz->at || !tz->off)
            return CXM_ENOMEM;
    }
    prev = tz->first_off;
    for (uint32_t i = 0; i < h->timecnt; i++) {
        const unsigned char *tp = times + (size_t)i * time_size;
        int64_t at = time_size == 4 ? be32s(tp) : be64s(tp);
        int32_t off;

        if (i > 0 && at <= last)
            return CXM_EINPUT;
        last = at;
        if (idx[i] >= h->typecnt)
            return CXM_EINPUT;
        off = (int32_t)be32s(types + (size_t)idx[i] * 6);
        if (off != prev) {
            tz->at[tz->n_trans] = at;
            tz->off[tz->n_trans++] = off;
            prev = off;
        }
    }
    tz->rule_from = h->timecnt > 0 ? last : INT64_MIN;
    return CXM_OK;
}

/* The footer of a version 2+ file: "\n" TZ-string "\n". An empty string
 * means no rule: the last transition's offset then holds for ever. */
static cxm_rc parse_footer(struct cxm__tz *tz, const unsigned char *data,
                           size_t len, size_t pos)
{
    const unsigned char *s, *nl;

    if (pos >= len || data[pos] != '\n')
        return CXM_EINPUT;
    s = data + pos + 1;
    nl = memchr(s, '\n', len - pos - 1);
    if (!nl)
        return CXM_EINPUT;
    if (nl == s)
        return CXM_OK;
    if (!parse_tzstring(s, (size_t)(nl - s), &tz->rule))
        return CXM_EINPUT;
    tz->has_rule = true;
    return CXM_OK;
}

static struct cxm__tz *tz_new(void)
{
    struct cxm__tz *tz = cxm__calloc(1, sizeof(*tz));

    if (!tz)
        return NULL;
    tz->rule_from = INT64_MIN;
    return tz;
}

/* Replaces tz's name with a copy of s[0..n). */
static cxm_rc tz_set_name(struct cxm__tz *tz, const char *s, size_t n)
{
    char *name = cxm__strndup(s, n);

    if (!name)
        return CXM_ENOMEM;
    cxm__free(tz->name);
    tz->name = name;
    return CXM_OK;
}

cxm_rc cxm__tz_parse(const unsigned char *data, size_t len,
                     struct cxm__tz **out)
{
    struct cxm__tz *tz = NULL;
    struct hdr h1, h2;
    size_t len1, len2, pos2;
    cxm_rc rc;

    *out = NULL;
    if (!data || !read_header(data, len, 0, 4, &h1, &len1))
        return CXM_EINPUT;
    if (data[4] != 0 && data[4] < '2')
        return CXM_EINPUT;
    tz = tz_new();
    if (!tz)
        return CXM_ENOMEM;
    rc = tz_set_name(tz, "", 0);
    if (rc)
        goto out;
    if (data[4] == 0) {
        rc = parse_block(tz, data + HDR_LEN, &h1, 4);
        goto out;
    }
    /* Version 2+: the version 1 block is only skipped. */
    pos2 = HDR_LEN + len1;
    if (!read_header(data, len, pos2, 8, &h2, &len2)) {
        rc = CXM_EINPUT;
        goto out;
    }
    rc = parse_block(tz, data + pos2 + HDR_LEN, &h2, 8);
    if (rc)
        goto out;
    rc = parse_footer(tz, data, len, pos2 + HDR_LEN + len2);
out:
    if (rc) {
        cxm__tz_free(tz);
        return rc;
    }
    *out = tz;
    return CXM_OK;
}

void cxm__tz_free(struct cxm__tz *tz)
{
    if (!tz)
        return;
    cxm__free(tz->name);
    cxm__free(tz->at);
    cxm__free(tz->off);
    cxm__free(tz);
}

/* True for a zone name that stays inside the zoneinfo directory; *len_out
 * gets its length. */
static bool valid_name(const char *name, size_t *len_out)
{
    size_t n = strnlen(name, CXM__TZ_MAX_NAME + 1);

    if (n == 0 || n > CXM__TZ_MAX_NAME || name[0] == '/' ||
        name[n - 1] == '/')
        return false;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)name[i];
        if (c == '/' && name[i + 1] == '/')
            return false;
        if (!is_alpha(c) && !cxm__is_digit(c) && c != '_' && c != '+' &&
            c != '-' && c != '/')
            return false;
    }
    *len_out = n;
    return true;
}

/* Reads the regular file at `path`, at most CXM__TZ_MAX_FILE bytes. The
 * caller frees *out with cxm__free(). */
static cxm_rc read_file(const char *path, unsigned char **out,
                        size_t *out_len)
{
    struct stat st;
    unsigned char *buf = NULL;
    size_t cap, n = 0;
    cxm_rc rc = CXM_OK;
    int fd;

    *out = NULL;
    /* O_NONBLOCK: a FIFO planted in the directory must not hang us. */
    do {
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return errno == ENOENT || errno == ENOTDIR ||
                       errno == ENAMETOOLONG || errno == ELOOP
                   ? CXM_ENOTFOUND
                   : CXM_EIO;
    }
    if (fstat(fd, &st) != 0) {
        rc = CXM_EIO;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = CXM_ENOTFOUND;
        goto out;
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > CXM__TZ_MAX_FILE) {
        rc = CXM_ETOOBIG;
        goto out;
    }
    cap = (size_t)st.st_size + 1; /* one spare byte shows a growing file */
    buf = cxm__malloc(cap);
    if (!buf) {
        rc = CXM_ENOMEM;
        goto out;
    }
    while (n < cap) {
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = CXM_EIO;
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (n == cap)
        rc = CXM_EIO; /* changed while we read it */
out:
    close(fd);
    if (rc) {
        cxm__free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return CXM_OK;
}

cxm_rc cxm__tz_load(const char *name, const char *zoneinfo_dir,
                    struct cxm__tz **out)
{
    struct cxm__tz *tz = NULL;
    unsigned char *data = NULL;
    char *path = NULL;
    size_t name_len, dir_len, data_len = 0, path_len;
    cxm_rc rc;

    *out = NULL;
    if (!name || !valid_name(name, &name_len))
        return CXM_EINVAL;
    if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0) {
        tz = tz_new();
        if (!tz)
            return CXM_ENOMEM;
        rc = tz_set_name(tz, name, name_len);
        goto out;
    }
    if (!zoneinfo_dir || !*zoneinfo_dir)
        zoneinfo_dir = CXM__TZ_DEFAULT_DIR;
    dir_len = strlen(zoneinfo_dir);
    if (!cxm__size_add(&path_len, dir_len, name_len) ||
        !cxm__size_add(&path_len, path_len, 2))
        return CXM_ENOMEM;
    path = cxm__malloc(path_len);
    if (!path)
        return CXM_ENOMEM;
    memcpy(path, zoneinfo_dir, dir_len);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, name, name_len + 1);
    rc = read_file(path, &data, &data_len);
    if (rc)
        goto out;
    rc = cxm__tz_parse(data, data_len, &tz);
    if (rc)
        goto out;
    rc = tz_set_name(tz, name, name_len);
out:
    cxm__free(path);
    cxm__free(data);
    if (rc) {
        cxm__tz_free(tz);
        return rc;
    }
    *out = tz;
    return CXM_OK;
}

int32_t cxm__tz_offset(const struct cxm__tz *tz, int64_t utc_ms)
{
    int32_t off;
    int64_t next;

    offset_at(tz, floor_div(utc_ms, 1000), &off, &next);
    return off;
}

int64_t cxm__tz_to_local(const struct cxm__tz *tz, int64_t utc_ms)
{
    return add_sat(utc_ms, (int64_t)cxm__tz_offset(tz, utc_ms) * 1000);
}

/* Every UTC second u with u + offset(u) = L lies within WINDOW of L, so the
 * intervals of constant offset in [L - WINDOW, L + WINDOW] are walked in
 * order. The first that holds L gives the earliest instant (a fold's
 * earlier one). If none does, L is in a gap and the answer is the first
 * interval start already past L. The whole window is walked before that
 * answer stands, because a later fold may bring L back. */
int64_t cxm__tz_from_local(const struct cxm__tz *tz, int64_t local_ms)
{
    int64_t ls = floor_div(local_ms, 1000), rem = local_ms % 1000;
    int64_t a = ls - WINDOW, hi = ls + WINDOW, next, gap_end = 0;
    bool in_gap = false;
    int32_t off;

    if (rem < 0)
        rem += 1000;
    for (;;) {
        offset_at(tz, a, &off, &next);
        if (a + off > ls) {
            if (!in_gap) {
                in_gap = true;
                gap_end = a;
            }
        } else if (ls - off < next) {
            return sec_to_ms(ls - off, rem);
        }
        if (next > hi)
            break;
        a = next;
    }
    if (in_gap)
        return sec_to_ms(gap_end, 0);
    /* Not reached with offsets under WINDOW; a sane answer regardless. */
    offset_at(tz, ls, &off, &next);
    return sec_to_ms(ls - off, rem);
}

const char *cxm__tz_name(const struct cxm__tz *tz) { return tz->name; }
