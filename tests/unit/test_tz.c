/* SPDX-License-Identifier: MIT
 *
 * test_tz.c — unit tests of src/time/tz.c: real zones from the system tz
 * database (package tzdata), POSIX footer rules in hand-built TZif files,
 * local-to-UTC conversion across gaps and folds, and hostile input (names
 * that leave the directory, truncated and corrupt files).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "civil.h"
#include "tz.h"

#define H 3600 /* seconds per hour */

/* Milliseconds of y-mo-d h:mi:s, read as UTC or as a local wall time. */
static int64_t at(int y, int mo, int d, int h, int mi, int s)
{
    return (((cxm__days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + s) *
           1000;
}

static struct cxm__tz *load(const char *name)
{
    struct cxm__tz *tz = NULL;

    assert_int_equal(cxm__tz_load(name, NULL, &tz), CXM_OK);
    assert_non_null(tz);
    return tz;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put64(unsigned char *p, int64_t v)
{
    put32(p, (uint32_t)((uint64_t)v >> 32));
    put32(p + 4, (uint32_t)v);
}

/* Writes a TZif header with the given counts at p; returns its length. */
static size_t put_header(unsigned char *p, int version, uint32_t timecnt,
                         uint32_t typecnt, uint32_t charcnt)
{
    memset(p, 0, 44);
    memcpy(p, "TZif", 4);
    p[4] = (unsigned char)version;
    put32(p + 32, timecnt);
    put32(p + 36, typecnt);
    put32(p + 40, charcnt);
    return 44;
}

/* Writes a data block: n transitions at[i] to offset offs[i], time type 0
 * being first_off and type i + 1 being offs[i]; designation "XXX". */
static size_t put_block(unsigned char *p, size_t time_size, int32_t first_off,
                        const int64_t *at_s, const int32_t *offs, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (time_size == 4)
            put32(p + k, (uint32_t)(int32_t)at_s[i]);
        else
            put64(p + k, at_s[i]);
        k += time_size;
    }
    for (size_t i = 0; i < n; i++)
        p[k++] = (unsigned char)(i + 1);
    for (size_t i = 0; i <= n; i++) {
        put32(p + k, (uint32_t)(i ? offs[i - 1] : first_off));
        p[k + 4] = 0;
        p[k + 5] = 0;
        k += 6;
    }
    memcpy(p + k, "XXX", 4);
    return k + 4;
}

/* Builds a TZif file into buf (4 KiB): version 0 gives a version 1 file
 * (32-bit table, no footer); otherwise a version `version` file whose
 * version 1 block is a stub, with a 64-bit table and the footer TZ string
 * `footer`. Returns the length. */
static size_t build_tzif(unsigned char *buf, int version, int32_t first_off,
                         const int64_t *at_s, const int32_t *offs, size_t n,
                         const char *footer)
{
    size_t k = 0, flen;

    if (version == 0) {
        k += put_header(buf, 0, (uint32_t)n, (uint32_t)n + 1, 4);
        k += put_block(buf + k, 4, first_off, at_s, offs, n);
        return k;
    }
    k += put_header(buf, version, 0, 1, 4);
    k += put_block(buf + k, 4, first_off, NULL, NULL, 0);
    k += put_header(buf + k, version, (uint32_t)n, (uint32_t)n + 1, 4);
    k += put_block(buf + k, 8, first_off, at_s, offs, n);
    flen = strlen(footer);
    buf[k++] = '\n';
    memcpy(buf + k, footer, flen);
    k += flen;
    buf[k++] = '\n';
    return k;
}

/* A zone made of the footer rule alone. */
static struct cxm__tz *rule_zone(const char *footer)
{
    unsigned char buf[4096];
    size_t len = build_tzif(buf, '3', 0, NULL, NULL, 0, footer);
    struct cxm__tz *tz = NULL;

    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_OK);
    assert_non_null(tz);
    return tz;
}

/* Reads a system zone file into buf; returns its length. */
static size_t read_zone_file(const char *name, unsigned char *buf,
                             size_t cap)
{
    char path[256];
    FILE *fp;
    size_t n;

    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    fp = fopen(path, "rb");
    assert_non_null(fp);
    n = fread(buf, 1, cap, fp);
    fclose(fp);
    assert_true(n > 44 && n < cap);
    return n;
}

static void test_tz__utc_is_built_in(void **state)
{
    static const char *const names[] = {"UTC", "Etc/UTC"};
    (void)state;

    for (size_t i = 0; i < 2; i++) {
        struct cxm__tz *tz = NULL;
        int64_t t = at(2026, 3, 29, 1, 30, 0);

        assert_int_equal(cxm__tz_load(names[i], "/nonexistent/zoneinfo", &tz),
                         CXM_OK);
        assert_string_equal(cxm__tz_name(tz), names[i]);
        assert_int_equal(cxm__tz_offset(tz, t), 0);
        assert_true(cxm__tz_to_local(tz, t) == t);
        assert_true(cxm__tz_from_local(tz, t) == t);
        cxm__tz_free(tz);
    }
}

static void test_tz__jakarta_is_plus_seven_without_dst(void **state)
{
    struct cxm__tz *tz = load("Asia/Jakarta");
    (void)state;

    assert_string_equal(cxm__tz_name(tz), "Asia/Jakarta");
    assert_int_equal(cxm__tz_offset(tz, at(2026, 1, 15, 12, 0, 0)), 7 * H);
    assert_int_equal(cxm__tz_offset(tz, at(2026, 7, 15, 12, 0, 0)), 7 * H);
    assert_int_equal(cxm__tz_offset(tz, at(1990, 6, 1, 0, 0, 0)), 7 * H);
    assert_int_equal(cxm__tz_offset(tz, at(2040, 6, 1, 0, 0, 0)), 7 * H);
    /* History: +09 under Japanese occupation, +07:30 until 1964. */
    assert_int_equal(cxm__tz_offset(tz, at(1943, 6, 1, 0, 0, 0)), 9 * H);
    assert_int_equal(cxm__tz_offset(tz, at(1960, 6, 1, 0, 0, 0)),
                     7 * H + 1800);
    /* 2026-01-31T20:00Z is already February 1st in Jakarta. */
    assert_true(cxm__tz_to_local(tz, at(2026, 1, 31, 20, 0, 0)) ==
                at(2026, 2, 1, 3, 0, 0));
    assert_true(cxm__tz_from_local(tz, at(2026, 2, 1, 0, 0, 0)) ==
                at(2026, 1, 31, 17, 0, 0));
    cxm__tz_free(tz);
}

static void test_tz__ho_chi_minh_and_kuala_lumpur(void **state)
{
    struct cxm__tz *hcm = load("Asia/Ho_Chi_Minh");
    struct cxm__tz *kl = load("Asia/Kuala_Lumpur");
    (void)state;

    assert_int_equal(cxm__tz_offset(hcm, at(2026, 5, 1, 0, 0, 0)), 7 * H);
    assert_int_equal(cxm__tz_offset(hcm, at(1990, 5, 1, 0, 0, 0)), 7 * H);
    assert_int_equal(cxm__tz_offset(hcm, at(2040, 5, 1, 0, 0, 0)), 7 * H);
    assert_int_equal(cxm__tz_offset(hcm, at(1970, 5, 1, 0, 0, 0)), 8 * H);

    assert_int_equal(cxm__tz_offset(kl, at(2026, 5, 1, 0, 0, 0)), 8 * H);
    assert_int_equal(cxm__tz_offset(kl, at(1990, 5, 1, 0, 0, 0)), 8 * H);
    assert_int_equal(cxm__tz_offset(kl, at(2040, 5, 1, 0, 0, 0)), 8 * H);
    /* Peninsular Malaysia moved from +07:30 to +08 at 1981-12-31T23:30
     * local, which became 1982-01-01T00:00. */
    assert_int_equal(cxm__tz_offset(kl, at(1981, 12, 31, 15, 59, 59)),
                     7 * H + 1800);
    assert_int_equal(cxm__tz_offset(kl, at(1981, 12, 31, 16, 0, 0)), 8 * H);
    assert_true(cxm__tz_from_local(kl, at(1981, 12, 31, 23, 45, 0)) ==
                at(1981, 12, 31, 16, 0, 0));
    cxm__tz_free(hcm);
    cxm__tz_free(kl);
}

static void test_tz__helsinki_dst_2026(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    int64_t spring = at(2026, 3, 29, 1, 0, 0);
    int64_t autumn = at(2026, 10, 25, 1, 0, 0);
    (void)state;

    assert_true(spring == INT64_C(1774746000000));
    assert_int_equal(cxm__tz_offset(tz, spring - 1), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, spring), 3 * H);
    assert_true(cxm__tz_to_local(tz, spring - 1) ==
                at(2026, 3, 29, 3, 0, 0) - 1);
    assert_true(cxm__tz_to_local(tz, spring) == at(2026, 3, 29, 4, 0, 0));
    assert_int_equal(cxm__tz_offset(tz, autumn - 1), 3 * H);
    assert_int_equal(cxm__tz_offset(tz, autumn), 2 * H);
    assert_true(cxm__tz_to_local(tz, autumn - 1) ==
                at(2026, 10, 25, 4, 0, 0) - 1);
    assert_true(cxm__tz_to_local(tz, autumn) == at(2026, 10, 25, 3, 0, 0));
    cxm__tz_free(tz);
}

static void test_tz__from_local_gap_gives_its_end(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    int64_t end = at(2026, 3, 29, 1, 0, 0);
    (void)state;

    /* Local 03:00..04:00 does not exist on 2026-03-29. */
    assert_true(cxm__tz_from_local(tz, at(2026, 3, 29, 3, 30, 0)) == end);
    assert_true(cxm__tz_from_local(tz, at(2026, 3, 29, 3, 0, 0)) == end);
    assert_true(cxm__tz_from_local(tz, at(2026, 3, 29, 4, 0, 0) - 1) ==
                end);
    assert_true(cxm__tz_from_local(tz, at(2026, 3, 29, 4, 0, 0)) == end);
    assert_true(cxm__tz_from_local(tz, at(2026, 3, 29, 3, 0, 0) - 1) ==
                end - 1);
    cxm__tz_free(tz);
}

static void test_tz__from_local_fold_gives_earlier(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    (void)state;

    /* Local 03:00..04:00 happens twice on 2026-10-25. */
    assert_true(cxm__tz_from_local(tz, at(2026, 10, 25, 3, 30, 0)) ==
                at(2026, 10, 25, 0, 30, 0));
    assert_true(cxm__tz_from_local(tz, at(2026, 10, 25, 3, 0, 0)) ==
                at(2026, 10, 25, 0, 0, 0));
    assert_true(cxm__tz_from_local(tz, at(2026, 10, 25, 4, 0, 0)) ==
                at(2026, 10, 25, 2, 0, 0));
    assert_true(cxm__tz_from_local(tz, at(2026, 10, 25, 2, 59, 59)) ==
                at(2026, 10, 24, 23, 59, 59));
    cxm__tz_free(tz);
}

static void test_tz__local_bucket_boundaries(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    int64_t t = at(2026, 3, 29, 12, 0, 0), local, day;
    (void)state;

    /* The day of the spring switch starts at 22:00Z and lasts 23 hours. */
    local = cxm__tz_to_local(tz, t);
    day = cxm__day_of_ms(local) * CXM__MS_PER_DAY;
    assert_true(cxm__tz_from_local(tz, day) == at(2026, 3, 28, 22, 0, 0));
    assert_true(cxm__tz_from_local(tz, day + CXM__MS_PER_DAY) ==
                at(2026, 3, 29, 21, 0, 0));
    /* April starts at local midnight, in summer time. */
    assert_true(cxm__tz_from_local(tz, at(2026, 4, 1, 0, 0, 0)) ==
                at(2026, 3, 31, 21, 0, 0));
    cxm__tz_free(tz);
}

static void test_tz__helsinki_2040_from_footer_rule(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    int64_t spring = at(2040, 3, 25, 1, 0, 0);  /* last Sunday of March */
    int64_t autumn = at(2040, 10, 28, 1, 0, 0); /* last Sunday of October */
    (void)state;

    assert_int_equal(cxm__tz_offset(tz, at(2040, 1, 15, 0, 0, 0)), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, spring - 1), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, spring), 3 * H);
    assert_int_equal(cxm__tz_offset(tz, at(2040, 7, 1, 0, 0, 0)), 3 * H);
    assert_int_equal(cxm__tz_offset(tz, autumn - 1), 3 * H);
    assert_int_equal(cxm__tz_offset(tz, autumn), 2 * H);
    assert_true(cxm__tz_from_local(tz, at(2040, 3, 25, 3, 30, 0)) == spring);
    assert_true(cxm__tz_from_local(tz, at(2040, 10, 28, 3, 30, 0)) ==
                at(2040, 10, 28, 0, 30, 0));
    /* Much later still. */
    assert_int_equal(cxm__tz_offset(tz, at(2999, 7, 1, 0, 0, 0)), 3 * H);
    assert_int_equal(cxm__tz_offset(tz, at(2999, 12, 1, 0, 0, 0)), 2 * H);
    cxm__tz_free(tz);
}

static void test_tz__helsinki_1990_from_table(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    (void)state;

    assert_int_equal(cxm__tz_offset(tz, at(1990, 1, 15, 0, 0, 0)), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, at(1990, 7, 1, 0, 0, 0)), 3 * H);
    /* Until 1995 summer time ended on the last Sunday of September. */
    assert_int_equal(cxm__tz_offset(tz, at(1990, 9, 30, 0, 59, 59)), 3 * H);
    assert_int_equal(cxm__tz_offset(tz, at(1990, 9, 30, 1, 0, 0)), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, at(1990, 10, 15, 0, 0, 0)), 2 * H);
    cxm__tz_free(tz);
}

static void test_tz__unknown_zone_is_enotfound(void **state)
{
    struct cxm__tz *tz = (struct cxm__tz *)&tz;
    (void)state;

    assert_int_equal(cxm__tz_load("Mars/Olympus_Mons", NULL, &tz),
                     CXM_ENOTFOUND);
    assert_null(tz);
    /* A directory of the database is not a zone. */
    assert_int_equal(cxm__tz_load("Asia", NULL, &tz), CXM_ENOTFOUND);
    assert_null(tz);
    assert_int_equal(cxm__tz_load("Europe/Helsinki", "/nonexistent", &tz),
                     CXM_ENOTFOUND);
    assert_null(tz);
}

static void test_tz__rejects_names_leaving_the_directory(void **state)
{
    static const char *const bad[] = {
        "",          "..",          "../etc/passwd", "Europe/../../etc/passwd",
        "/etc/passwd", "Europe/",   "Europe//Helsinki", "./UTC",
        "zone.tab",  "Europe/Hel sinki", "Asia/Jakarta\n", "Asia\\Jakarta",
        "Europe/Helsinki\xc3\xa4",
    };
    char longname[300];
    struct cxm__tz *tz = NULL;
    (void)state;

    for (size_t i = 0; i < CXM_ARRAY_LEN(bad); i++) {
        assert_int_equal(cxm__tz_load(bad[i], NULL, &tz), CXM_EINVAL);
        assert_null(tz);
    }
    memset(longname, 'A', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(cxm__tz_load(longname, NULL, &tz), CXM_EINVAL);
    assert_int_equal(cxm__tz_load(NULL, NULL, &tz), CXM_EINVAL);
    /* Names with + and - are zone names. */
    assert_int_equal(cxm__tz_load("Etc/GMT-7", NULL, &tz), CXM_OK);
    assert_int_equal(cxm__tz_offset(tz, 0), 7 * H);
    cxm__tz_free(tz);
}

static void test_tz__truncated_file_is_einput(void **state)
{
    unsigned char buf[8192];
    size_t len = read_zone_file("Europe/Helsinki", buf, sizeof(buf));
    struct cxm__tz *tz = NULL;
    (void)state;

    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_OK);
    assert_string_equal(cxm__tz_name(tz), "");
    assert_int_equal(cxm__tz_offset(tz, at(2026, 7, 1, 0, 0, 0)), 3 * H);
    cxm__tz_free(tz);
    for (size_t n = 0; n < len; n++) {
        tz = (struct cxm__tz *)&tz;
        assert_int_equal(cxm__tz_parse(buf, n, &tz), CXM_EINPUT);
        assert_null(tz);
    }
}

static void test_tz__corrupt_file_is_einput(void **state)
{
    unsigned char buf[8192], orig[8192];
    size_t len = read_zone_file("Europe/Helsinki", orig, sizeof(orig));
    size_t v2 = 44, n_ok = 0;
    struct cxm__tz *tz = NULL;
    (void)state;

    /* Bad magic, bad version. */
    memcpy(buf, orig, len);
    buf[0] = 'X';
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    memcpy(buf, orig, len);
    buf[4] = '1';
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);

    /* Counts far beyond the file, in either header. */
    memcpy(buf, orig, len);
    put32(buf + 32, 0xFFFFFFFFu);
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    {
        /* Find the second header by skipping the first block. */
        uint32_t c[6];
        for (int i = 0; i < 6; i++) {
            const unsigned char *p = orig + 20 + 4 * i;
            c[i] = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                   (uint32_t)p[2] << 8 | p[3];
        }
        v2 += (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 +
              c[1] + c[0];
        assert_memory_equal(orig + v2, "TZif", 4);
    }
    for (int field = 0; field < 6; field++) {
        memcpy(buf, orig, len);
        put32(buf + v2 + 20 + 4 * (size_t)field, 0x7FFFFFFFu);
        assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
        assert_null(tz);
    }
    /* No time types. */
    memcpy(buf, orig, len);
    put32(buf + v2 + 36, 0);
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);

    /* Every single-byte corruption parses or fails cleanly. */
    for (size_t i = 0; i < len; i++) {
        memcpy(buf, orig, len);
        buf[i] ^= 0xA5;
        if (cxm__tz_parse(buf, len, &tz) == CXM_OK) {
            (void)cxm__tz_offset(tz, at(2026, 7, 1, 0, 0, 0));
            (void)cxm__tz_from_local(tz, at(2040, 3, 25, 3, 30, 0));
            cxm__tz_free(tz);
            n_ok++;
        } else {
            assert_null(tz);
        }
    }
    assert_true(n_ok < len);
    assert_int_equal(cxm__tz_parse(NULL, 0, &tz), CXM_EINPUT);
}

static void test_tz__corrupt_table_is_einput(void **state)
{
    unsigned char buf[4096];
    int64_t ts[2] = {1000, 2000};
    int32_t offs[2] = {3600, 0};
    struct cxm__tz *tz = NULL;
    size_t len;
    (void)state;

    len = build_tzif(buf, 0, 0, ts, offs, 2, "");
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_OK);
    assert_int_equal(cxm__tz_offset(tz, 1500 * 1000), H);
    cxm__tz_free(tz);

    /* Transitions out of order. */
    put32(buf + 44 + 4, 500);
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    /* A type index past the types. */
    len = build_tzif(buf, 0, 0, ts, offs, 2, "");
    buf[44 + 8 + 1] = 3;
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    /* An offset of -2^31, and one beyond 26 h. */
    len = build_tzif(buf, 0, 0, ts, offs, 2, "");
    put32(buf + 44 + 10 + 6, 0x80000000u);
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    put32(buf + 44 + 10 + 6, 26 * H);
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    /* A DST flag that is not 0 or 1, a designation index past the end. */
    len = build_tzif(buf, 0, 0, ts, offs, 2, "");
    buf[44 + 10 + 4] = 2;
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    len = build_tzif(buf, 0, 0, ts, offs, 2, "");
    buf[44 + 10 + 5] = 4;
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
    assert_null(tz);
}

static void test_tz__bad_footer_is_einput(void **state)
{
    static const char *const bad[] = {
        "EET",                             /* no offset */
        "EET-2EEST",                       /* DST without a rule */
        "EET-2EEST,M3.5.0/3",              /* one date */
        "EE-2",                            /* name too short */
        "<+07-7",                          /* unterminated <...> */
        "<+0 7>-7",                        /* bad character */
        "EET-25",                          /* offset beyond 24 h */
        "EET-2:60",                        /* minutes */
        "EET-2EEST,M13.5.0,M10.5.0",       /* month */
        "EET-2EEST,M3.6.0,M10.5.0",        /* week */
        "EET-2EEST,M3.5.7,M10.5.0",        /* weekday */
        "EET-2EEST,J0,J300",               /* Jn from 1 */
        "EET-2EEST,366,J300",              /* n to 365 */
        "EET-2EEST,M3.5.0/168,M10.5.0",    /* time beyond 167 h */
        "EET-2EEST,M3.5.0,M10.5.0x",       /* trailing bytes */
        "EET-2EEST-4-4,M3.5.0,M10.5.0",    /* garbage offset */
        "EET-2\xff",
    };
    unsigned char buf[4096];
    struct cxm__tz *tz = NULL;
    size_t len;
    (void)state;

    for (size_t i = 0; i < CXM_ARRAY_LEN(bad); i++) {
        len = build_tzif(buf, '2', 0, NULL, NULL, 0, bad[i]);
        assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_EINPUT);
        assert_null(tz);
    }
    /* The footer's closing newline is required; an empty footer is not
     * a rule but is allowed. */
    len = build_tzif(buf, '2', 0, NULL, NULL, 0, "EET-2");
    assert_int_equal(cxm__tz_parse(buf, len - 1, &tz), CXM_EINPUT);
    len = build_tzif(buf, '2', 5 * H, NULL, NULL, 0, "");
    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_OK);
    assert_int_equal(cxm__tz_offset(tz, 0), 5 * H);
    cxm__tz_free(tz);
}

static void test_tz__rule_southern_hemisphere(void **state)
{
    struct cxm__tz *tz = rule_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");
    int64_t end = at(2041, 4, 6, 16, 0, 0);   /* Apr 7 03:00 AEDT */
    int64_t start = at(2041, 10, 5, 16, 0, 0); /* Oct 6 02:00 AEST */
    (void)state;

    assert_int_equal(cxm__tz_offset(tz, at(2041, 1, 15, 0, 0, 0)), 11 * H);
    assert_int_equal(cxm__tz_offset(tz, end - 1), 11 * H);
    assert_int_equal(cxm__tz_offset(tz, end), 10 * H);
    assert_int_equal(cxm__tz_offset(tz, start - 1), 10 * H);
    assert_int_equal(cxm__tz_offset(tz, start), 11 * H);
    assert_int_equal(cxm__tz_offset(tz, at(2041, 12, 31, 23, 0, 0)), 11 * H);
    /* The fold of April: local 02:30 happens first in AEDT. */
    assert_true(cxm__tz_from_local(tz, at(2041, 4, 7, 2, 30, 0)) ==
                at(2041, 4, 6, 15, 30, 0));
    cxm__tz_free(tz);
}

static void test_tz__rule_negative_and_24h_times(void **state)
{
    struct cxm__tz *nuuk = rule_zone("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    struct cxm__tz *scl = rule_zone("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    (void)state;

    /* Nuuk: Saturday 23:00 -02 and Sunday 00:00 -01 are both 01:00Z. */
    assert_int_equal(cxm__tz_offset(nuuk, at(2041, 3, 31, 0, 59, 59)), -2 * H);
    assert_int_equal(cxm__tz_offset(nuuk, at(2041, 3, 31, 1, 0, 0)), -1 * H);
    assert_int_equal(cxm__tz_offset(nuuk, at(2041, 10, 27, 0, 59, 59)),
                     -1 * H);
    assert_int_equal(cxm__tz_offset(nuuk, at(2041, 10, 27, 1, 0, 0)), -2 * H);
    /* Santiago: "24:00" on the first Saturday is Sunday midnight. */
    assert_int_equal(cxm__tz_offset(scl, at(2041, 4, 7, 2, 59, 59)), -3 * H);
    assert_int_equal(cxm__tz_offset(scl, at(2041, 4, 7, 3, 0, 0)), -4 * H);
    assert_int_equal(cxm__tz_offset(scl, at(2041, 9, 8, 3, 59, 59)), -4 * H);
    assert_int_equal(cxm__tz_offset(scl, at(2041, 9, 8, 4, 0, 0)), -3 * H);
    /* Local midnight of 2041-09-08 does not exist; the day starts at
     * 01:00 -03. */
    assert_true(cxm__tz_from_local(scl, at(2041, 9, 8, 0, 0, 0)) ==
                at(2041, 9, 8, 4, 0, 0));
    cxm__tz_free(nuuk);
    cxm__tz_free(scl);
}

static void test_tz__rule_julian_forms(void **state)
{
    struct cxm__tz *j1 = rule_zone("XXX3YYY,J60/2,J300/2");
    struct cxm__tz *j0 = rule_zone("XXX3YYY,59/2,299/2");
    (void)state;

    /* J60 is March 1st in every year; 02:00 at -03 is 05:00Z. */
    assert_int_equal(cxm__tz_offset(j1, at(2044, 2, 29, 12, 0, 0)), -3 * H);
    assert_int_equal(cxm__tz_offset(j1, at(2044, 3, 1, 4, 59, 59)), -3 * H);
    assert_int_equal(cxm__tz_offset(j1, at(2044, 3, 1, 5, 0, 0)), -2 * H);
    assert_int_equal(cxm__tz_offset(j1, at(2044, 10, 27, 3, 59, 59)), -2 * H);
    assert_int_equal(cxm__tz_offset(j1, at(2044, 10, 27, 4, 0, 0)), -3 * H);
    /* Zero-based 59 is February 29th in a leap year, else March 1st. */
    assert_int_equal(cxm__tz_offset(j0, at(2044, 2, 29, 4, 59, 59)), -3 * H);
    assert_int_equal(cxm__tz_offset(j0, at(2044, 2, 29, 5, 0, 0)), -2 * H);
    assert_int_equal(cxm__tz_offset(j0, at(2041, 3, 1, 4, 59, 59)), -3 * H);
    assert_int_equal(cxm__tz_offset(j0, at(2041, 3, 1, 5, 0, 0)), -2 * H);
    assert_int_equal(cxm__tz_offset(j0, at(2044, 10, 26, 4, 0, 0)), -3 * H);
    assert_int_equal(cxm__tz_offset(j0, at(2041, 10, 27, 3, 59, 59)),
                     -2 * H);
    cxm__tz_free(j1);
    cxm__tz_free(j0);
}

static void test_tz__rule_all_year_dst_and_minutes(void **state)
{
    struct cxm__tz *tz = rule_zone("EST5EDT,0/0,J365/25");
    struct cxm__tz *cht =
        rule_zone("<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45");
    static const int64_t days[][3] = {
        {2041, 1, 1}, {2041, 6, 1}, {2041, 12, 31}, {2044, 2, 29},
        {2044, 12, 31}, {2045, 1, 1},
    };
    (void)state;

    for (size_t i = 0; i < CXM_ARRAY_LEN(days); i++) {
        for (int h = 0; h < 24; h++) {
            int64_t t = at((int)days[i][0], (int)days[i][1],
                           (int)days[i][2], h, 0, 0);
            assert_int_equal(cxm__tz_offset(tz, t), -4 * H);
        }
    }
    assert_int_equal(cxm__tz_offset(cht, at(2041, 7, 1, 0, 0, 0)),
                     12 * H + 2700);
    assert_int_equal(cxm__tz_offset(cht, at(2041, 1, 1, 0, 0, 0)),
                     13 * H + 2700);
    cxm__tz_free(tz);
    cxm__tz_free(cht);
}

static void test_tz__version1_file_without_footer(void **state)
{
    unsigned char buf[4096];
    int64_t ts[2] = {-1000000, 1000000};
    int32_t offs[2] = {2 * H, -3 * H};
    struct cxm__tz *tz = NULL;
    size_t len = build_tzif(buf, 0, H, ts, offs, 2, "");
    (void)state;

    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_OK);
    assert_int_equal(cxm__tz_offset(tz, -1000000001), H);
    assert_int_equal(cxm__tz_offset(tz, -1000000000), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, 999999999), 2 * H);
    assert_int_equal(cxm__tz_offset(tz, 1000000000), -3 * H);
    assert_int_equal(cxm__tz_offset(tz, at(2500, 1, 1, 0, 0, 0)), -3 * H);
    cxm__tz_free(tz);
}

/* Local time skipped by a jump forward and then reached again after a
 * jump back: the valid instant wins over the end of the gap. */
static void test_tz__from_local_prefers_valid_instant_over_gap(void **state)
{
    unsigned char buf[4096];
    int64_t ts[2] = {100000, 100000 + 1800};
    int32_t offs[2] = {2 * H, 0};
    struct cxm__tz *tz = NULL;
    size_t len = build_tzif(buf, '2', 0, ts, offs, 2, "UTC0");
    (void)state;

    assert_int_equal(cxm__tz_parse(buf, len, &tz), CXM_OK);
    /* Local 100000+1h: skipped at 100000, reached again at UTC +1h. */
    assert_true(cxm__tz_from_local(tz, (100000 + H) * INT64_C(1000)) ==
                (100000 + H) * INT64_C(1000));
    /* Local 100000+1000 s: skipped for good (the jump back only returns
     * to 101800), so the answer is the end of the gap. */
    assert_true(cxm__tz_from_local(tz, 101000 * INT64_C(1000)) ==
                100000 * INT64_C(1000));
    /* Local 100000+2h+1000 s: valid once, in the +2 h stretch. */
    assert_true(cxm__tz_from_local(tz, (100000 + 2 * H + 1000) *
                                           INT64_C(1000)) ==
                101000 * INT64_C(1000));
    cxm__tz_free(tz);
}

static void test_tz__extreme_instants_saturate(void **state)
{
    struct cxm__tz *tz = load("Europe/Helsinki");
    struct cxm__tz *west = rule_zone("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    (void)state;

    assert_true(cxm__tz_to_local(tz, INT64_MAX) == INT64_MAX);
    assert_true(cxm__tz_to_local(west, INT64_MIN) == INT64_MIN);
    assert_true(cxm__tz_from_local(tz, INT64_MIN) == INT64_MIN);
    assert_true(cxm__tz_from_local(west, INT64_MAX) == INT64_MAX);
    (void)cxm__tz_offset(tz, INT64_MIN);
    (void)cxm__tz_offset(west, INT64_MAX);
    (void)cxm__tz_from_local(west, INT64_MIN);
    (void)cxm__tz_from_local(tz, INT64_MAX);
    cxm__tz_free(tz);
    cxm__tz_free(west);
    cxm__tz_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tz__utc_is_built_in),
        cmocka_unit_test(test_tz__jakarta_is_plus_seven_without_dst),
        cmocka_unit_test(test_tz__ho_chi_minh_and_kuala_lumpur),
        cmocka_unit_test(test_tz__helsinki_dst_2026),
        cmocka_unit_test(test_tz__from_local_gap_gives_its_end),
        cmocka_unit_test(test_tz__from_local_fold_gives_earlier),
        cmocka_unit_test(test_tz__local_bucket_boundaries),
        cmocka_unit_test(test_tz__helsinki_2040_from_footer_rule),
        cmocka_unit_test(test_tz__helsinki_1990_from_table),
        cmocka_unit_test(test_tz__unknown_zone_is_enotfound),
        cmocka_unit_test(test_tz__rejects_names_leaving_the_directory),
        cmocka_unit_test(test_tz__truncated_file_is_einput),
        cmocka_unit_test(test_tz__corrupt_file_is_einput),
        cmocka_unit_test(test_tz__corrupt_table_is_einput),
        cmocka_unit_test(test_tz__bad_footer_is_einput),
        cmocka_unit_test(test_tz__rule_southern_hemisphere),
        cmocka_unit_test(test_tz__rule_negative_and_24h_times),
        cmocka_unit_test(test_tz__rule_julian_forms),
        cmocka_unit_test(test_tz__rule_all_year_dst_and_minutes),
        cmocka_unit_test(test_tz__version1_file_without_footer),
        cmocka_unit_test(test_tz__from_local_prefers_valid_instant_over_gap),
        cmocka_unit_test(test_tz__extreme_instants_saturate),
    };
    return cmocka_run_group_tests_name("tz", tests, NULL, NULL);
}
