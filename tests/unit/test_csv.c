/* SPDX-License-Identifier: MIT
 *
 * test_csv.c — unit tests of src/ingest/csv.c, the streaming RFC 4180 reader:
 * quoting (commas, doubled quotes, line ends inside quotes), CRLF, CR and
 * LF line ends, the BOM, blank lines, the line numbers a record starts and
 * ends on, malformed records and recovery after them, the record and field
 * caps, and records that straddle the reader's 64 KiB read chunks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "csv.h"

/* Per-test state: the input, its FILE and the reader over it. */
struct fx {
    char *data; /* owned copy of the input */
    FILE *fp;
    struct cxm__csv *csv;
    struct cxm__csv_rec rec;
    const char *why;
};

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));

    if (!fx)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    cxm__csv_close(fx->csv);
    if (fx->fp)
        fclose(fx->fp);
    free(fx->data);
    free(fx);
    return 0;
}

/* Opens a reader over the n bytes at s (tmpfile() when n is 0, which
 * fmemopen() may refuse), with record cap `max_record` (0 = default). */
static void open_n(struct fx *fx, const char *s, size_t n, size_t max_record)
{
    if (n == 0) {
        fx->fp = tmpfile();
    } else {
        fx->data = malloc(n);
        assert_non_null(fx->data);
        memcpy(fx->data, s, n);
        fx->fp = fmemopen(fx->data, n, "rb");
    }
    assert_non_null(fx->fp);
    assert_int_equal(cxm__csv_open(&fx->csv, fx->fp, max_record), CXM_OK);
}

static void open_str(struct fx *fx, const char *s)
{
    open_n(fx, s, strlen(s), 0);
}

/* Reads the next record, which must be good, start on `line` and end on
 * `end_line`, and hold the n_fields NUL-terminated strings that follow. */
static void expect_rec(struct fx *fx, long line, long end_line,
                       size_t n_fields, ...)
{
    va_list ap;

    fx->why = NULL;
    if (cxm__csv_next(fx->csv, &fx->rec, &fx->why) != CXM_OK)
        fail_msg("line %ld: record rejected: %s", line,
                 fx->why ? fx->why : "?");
    assert_int_equal(fx->rec.line, line);
    assert_int_equal(fx->rec.end_line, end_line);
    assert_int_equal(fx->rec.n_fields, n_fields);
    va_start(ap, n_fields);
    for (size_t i = 0; i < n_fields; i++) {
        const char *want = va_arg(ap, const char *);
        assert_int_equal(fx->rec.lens[i], strlen(want));
        assert_memory_equal(fx->rec.fields[i], want, strlen(want));
        assert_int_equal(fx->rec.fields[i][fx->rec.lens[i]], '\0');
    }
    va_end(ap);
}

/* Reads the next record, which must be rejected: it starts on `line` and
 * the reason contains `reason`. */
static void expect_bad(struct fx *fx, long line, const char *reason)
{
    fx->why = NULL;
    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why), CXM_EINPUT);
    assert_int_equal(fx->rec.line, line);
    assert_int_equal(fx->rec.n_fields, 0);
    assert_non_null(fx->why);
    if (!strstr(fx->why, reason))
        fail_msg("line %ld: reason \"%s\", wanted \"%s\"", line, fx->why,
                 reason);
}

static void expect_end(struct fx *fx)
{
    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why),
                     CXM_ENOTFOUND);
    /* And it stays at the end. */
    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why),
                     CXM_ENOTFOUND);
}

static void test_csv__plain_records(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "id,name,score\n1,Ana,5\n2,Budi,4\n");
    expect_rec(fx, 1, 1, 3, "id", "name", "score");
    expect_rec(fx, 2, 2, 3, "1", "Ana", "5");
    expect_rec(fx, 3, 3, 3, "2", "Budi", "4");
    expect_end(fx);
    assert_int_equal(cxm__csv_bytes(fx->csv), 31);
}

static void test_csv__quoted_comma(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "a,\"b, c\",d\n\",\",\",,\"\n");
    expect_rec(fx, 1, 1, 3, "a", "b, c", "d");
    expect_rec(fx, 2, 2, 2, ",", ",,");
    expect_end(fx);
}

static void test_csv__doubled_quotes(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "\"say \"\"hi\"\"\",\"\"\"\",\"\"\n");
    expect_rec(fx, 1, 1, 3, "say \"hi\"", "\"", "");
    expect_end(fx);
}

static void test_csv__quote_inside_unquoted_field_is_kept(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "ab\"c,5\"\n");
    expect_rec(fx, 1, 1, 2, "ab\"c", "5\"");
    expect_end(fx);
}

static void test_csv__newline_in_quotes(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "id,comment\n1,\"first\nsecond\n\nfourth\"\n2,x\n");
    expect_rec(fx, 1, 1, 2, "id", "comment");
    expect_rec(fx, 2, 5, 2, "1", "first\nsecond\n\nfourth");
    expect_rec(fx, 6, 6, 2, "2", "x");
    expect_end(fx);
}

static void test_csv__crlf_outside_quotes(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "a,b\r\nc,d\r\n");
    expect_rec(fx, 1, 1, 2, "a", "b");
    expect_rec(fx, 2, 2, 2, "c", "d");
    expect_end(fx);
}

static void test_csv__crlf_inside_quoted_field(void **state)
{
    struct fx *fx = *state;

    /* Kept as data, counted as one line end. */
    open_str(fx, "\"x\r\ny\",z\r\n\"\r\n\r\n\"\r\nlast\r\n");
    expect_rec(fx, 1, 2, 2, "x\r\ny", "z");
    expect_rec(fx, 3, 5, 1, "\r\n\r\n");
    expect_rec(fx, 6, 6, 1, "last");
    expect_end(fx);
}

static void test_csv__cr_and_lf_apart_in_quotes_are_two_lines(void **state)
{
    struct fx *fx = *state;

    /* LF CR is two line ends; so is CR, a doubled quote, LF. */
    open_str(fx, "\"a\n\rb\",\"c\r\"\"\n\"\nend\n");
    expect_rec(fx, 1, 5, 2, "a\n\rb", "c\r\"\n");
    expect_rec(fx, 6, 6, 1, "end");
    expect_end(fx);
}

static void test_csv__lone_cr_ends_a_line(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "a,b\rc,d\r\re");
    expect_rec(fx, 1, 1, 2, "a", "b");
    expect_rec(fx, 2, 2, 2, "c", "d");
    expect_rec(fx, 4, 4, 1, "e");
    expect_end(fx);
}

static void test_csv__bom_is_skipped(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "\xEF\xBB\xBFid,x\r\n1,2\r\n");
    expect_rec(fx, 1, 1, 2, "id", "x");
    expect_rec(fx, 2, 2, 2, "1", "2");
    expect_end(fx);
}

static void test_csv__bom_only_at_the_start(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "a\n\xEF\xBB\xBF" "b\n");
    expect_rec(fx, 1, 1, 1, "a");
    expect_rec(fx, 2, 2, 1, "\xEF\xBB\xBF" "b");
    expect_end(fx);
}

static void test_csv__bom_alone_is_empty(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "\xEF\xBB\xBF");
    expect_end(fx);
}

static void test_csv__blank_lines_are_skipped(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "\n\na\n\r\n\rb\n\n");
    expect_rec(fx, 3, 3, 1, "a");
    expect_rec(fx, 6, 6, 1, "b");
    expect_end(fx);
}

static void test_csv__quoted_empty_line_is_a_record(void **state)
{
    struct fx *fx = *state;

    /* "" is a record of one empty field; a comma makes two. */
    open_str(fx, "\"\"\n,\n");
    expect_rec(fx, 1, 1, 1, "");
    expect_rec(fx, 2, 2, 2, "", "");
    expect_end(fx);
}

static void test_csv__empty_fields(void **state)
{
    struct fx *fx = *state;

    open_str(fx, ",a,,\n\"\",,\"\"\n");
    expect_rec(fx, 1, 1, 4, "", "a", "", "");
    expect_rec(fx, 2, 2, 3, "", "", "");
    expect_end(fx);
}

static void test_csv__last_record_without_line_end(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "a,b\n1,\"2\"");
    expect_rec(fx, 1, 1, 2, "a", "b");
    expect_rec(fx, 2, 2, 2, "1", "2");
    expect_end(fx);
}

static void test_csv__empty_input(void **state)
{
    struct fx *fx = *state;

    open_n(fx, "", 0, 0);
    expect_end(fx);
}

static void test_csv__only_blank_lines(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "\r\n\n\r");
    expect_end(fx);
}

static void test_csv__unterminated_quote_reports_its_line(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "h\n1\n\"abc\nde\nf");
    expect_rec(fx, 1, 1, 1, "h");
    expect_rec(fx, 2, 2, 1, "1");
    expect_bad(fx, 3, "unterminated quoted field");
    assert_int_equal(fx->rec.end_line, 5);
    expect_end(fx);
}

static void test_csv__unterminated_after_doubled_quote(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "a\n\"x\"\"");
    expect_rec(fx, 1, 1, 1, "a");
    expect_bad(fx, 2, "unterminated quoted field");
    expect_end(fx);
}

static void test_csv__junk_after_closing_quote(void **state)
{
    struct fx *fx = *state;

    /* The bad record is consumed to its line end, then reading goes on. */
    open_str(fx, "\"ab\"x,c\nok,1\n");
    expect_bad(fx, 1, "unexpected character after a closing quote");
    assert_int_equal(fx->rec.end_line, 1);
    expect_rec(fx, 2, 2, 2, "ok", "1");
    expect_end(fx);
}

static void test_csv__junk_then_multiline_field(void **state)
{
    struct fx *fx = *state;

    /* After the junk, a later quoted field still spans lines. */
    open_str(fx, "\"a\"x,\"b\nc\"\nnext\n");
    expect_bad(fx, 1, "after a closing quote");
    assert_int_equal(fx->rec.end_line, 2);
    expect_rec(fx, 3, 3, 1, "next");
    expect_end(fx);
}

static void test_csv__line_numbers_across_multiline_records(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "h1,h2\r\n"
                 "\"a\r\nb\",c\r\n"
                 "\r\n"
                 "d,\"e\n\nf\"\n"
                 "\"g\rh\",i\r"
                 "j,k\n");
    expect_rec(fx, 1, 1, 2, "h1", "h2");
    expect_rec(fx, 2, 3, 2, "a\r\nb", "c");
    expect_rec(fx, 5, 7, 2, "d", "e\n\nf");
    expect_rec(fx, 8, 9, 2, "g\rh", "i");
    expect_rec(fx, 10, 10, 2, "j", "k");
    expect_end(fx);
}

static void test_csv__embedded_nul_is_data(void **state)
{
    struct fx *fx = *state;

    open_n(fx, "a\0b,c\n", 6, 0);
    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why), CXM_OK);
    assert_int_equal(fx->rec.n_fields, 2);
    assert_int_equal(fx->rec.lens[0], 3);
    assert_memory_equal(fx->rec.fields[0], "a\0b", 4);
    expect_end(fx);
}

static void test_csv__record_cap(void **state)
{
    struct fx *fx = *state;

    /* Cap 16: "short" passes, a 20-byte row does not, the next row
     * passes again with the right line number. */
    open_n(fx, "short\n0123456789,0123456789\nok\n", 31, 16);
    expect_rec(fx, 1, 1, 1, "short");
    expect_bad(fx, 2, "row longer than the limit");
    expect_rec(fx, 3, 3, 1, "ok");
    expect_end(fx);
}

static void test_csv__record_cap_counts_quoted_lines(void **state)
{
    struct fx *fx = *state;
    const char *s = "\"aaaaaaaaaaaaaaaaaaaa\r\nb\r\nc\"\r\nx\r\n";

    /* The over-cap record still spans three lines; "x" is on line 4. */
    open_n(fx, s, strlen(s), 8);
    expect_bad(fx, 1, "row longer than the limit");
    assert_int_equal(fx->rec.end_line, 3);
    expect_rec(fx, 4, 4, 1, "x");
    expect_end(fx);
}

static void test_csv__record_cap_at_end_of_input(void **state)
{
    struct fx *fx = *state;
    const char *s = "a,b\nlong enough,";

    /* An over-cap last record ending in a comma is reported, not lost. */
    open_n(fx, s, strlen(s), 8);
    expect_rec(fx, 1, 1, 2, "a", "b");
    expect_bad(fx, 2, "row longer than the limit");
    expect_end(fx);
}

static void test_csv__default_cap(void **state)
{
    struct fx *fx = *state;
    size_t n = CXM__CSV_DEFAULT_MAX_RECORD + 10;
    char *s = malloc(n);

    /* One field past the default cap of 4 MiB, then a good record. */
    assert_non_null(s);
    memset(s, 'x', n - 4);
    memcpy(s + n - 4, "\nok\n", 4);
    open_n(fx, s, n, 0);
    free(s);
    expect_bad(fx, 1, "row longer than the limit");
    expect_rec(fx, 2, 2, 1, "ok");
    expect_end(fx);
}

/* A row of n empty fields (n - 1 commas), then "next". */
static void open_commas(struct fx *fx, size_t n)
{
    char *s = malloc(n + 6);

    assert_non_null(s);
    memset(s, ',', n - 1);
    memcpy(s + n - 1, "\nnext\n", 6);
    open_n(fx, s, n + 5, 0);
    free(s);
}

static void test_csv__field_cap(void **state)
{
    struct fx *fx = *state;

    open_commas(fx, CXM__CSV_MAX_FIELDS + 1);
    expect_bad(fx, 1, "too many fields");
    expect_rec(fx, 2, 2, 1, "next");
    expect_end(fx);
}

static void test_csv__field_cap_is_inclusive(void **state)
{
    struct fx *fx = *state;

    open_commas(fx, CXM__CSV_MAX_FIELDS);
    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why), CXM_OK);
    assert_int_equal(fx->rec.n_fields, CXM__CSV_MAX_FIELDS);
    expect_rec(fx, 2, 2, 1, "next");
    expect_end(fx);
}

static void test_csv__record_across_read_chunks(void **state)
{
    struct fx *fx = *state;
    const size_t chunk = 64 * 1024; /* csv.c's read size */
    const size_t n_y = chunk - 8;   /* puts the last CR at 2 * chunk - 1 */
    size_t n = 0;
    char *s = malloc(2 * chunk + 16), *want;

    /* A padding line up to 3 bytes before the chunk boundary, then a
     * quoted field whose doubled quote is split by the boundary, then a
     * long field and a CRLF split by the next boundary. */
    assert_non_null(s);
    memset(s, 'p', chunk - 4);
    s[chunk - 4] = '\n';
    n = chunk - 3;
    memcpy(s + n, "\"a\"\"\r\nb\",c", 10);
    n += 10;
    memset(s + n, 'y', n_y);
    n += n_y;
    assert_int_equal(n, 2 * chunk - 1);
    memcpy(s + n, "\r\nz\r\n", 5);
    n += 5;
    open_n(fx, s, n, 0);
    free(s);

    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why), CXM_OK);
    assert_int_equal(fx->rec.lens[0], chunk - 4);
    assert_int_equal(cxm__csv_next(fx->csv, &fx->rec, &fx->why), CXM_OK);
    assert_int_equal(fx->rec.line, 2);
    assert_int_equal(fx->rec.end_line, 3);
    assert_int_equal(fx->rec.n_fields, 2);
    assert_int_equal(fx->rec.lens[0], 5);
    assert_memory_equal(fx->rec.fields[0], "a\"\r\nb", 6);
    want = malloc(1 + n_y);
    assert_non_null(want);
    want[0] = 'c';
    memset(want + 1, 'y', n_y);
    assert_int_equal(fx->rec.lens[1], 1 + n_y);
    assert_memory_equal(fx->rec.fields[1], want, 1 + n_y);
    free(want);
    expect_rec(fx, 4, 4, 1, "z");
    expect_end(fx);
    assert_int_equal(cxm__csv_bytes(fx->csv), n);
}

/* UTF-16 and UTF-32 text (with or without a byte order mark) and a
 * doubled UTF-8 BOM are refused at the first record, named; nothing more
 * of the file is read. */
static void test_csv__other_encodings_are_named(void **state)
{
    static const struct {
        const char *data;
        size_t n;
        const char *reason;
    } cases[] = {
        {"\xFF\xFEi\0d\0\n\0", 8, "UTF-16 (little-endian, byte order mark"},
        {"\xFE\xFF\0i\0d\0\n", 8, "UTF-16 (big-endian, byte order mark"},
        {"i\0d\0,\0x\0\n\0", 10, "UTF-16 (little-endian, no byte order"},
        {"\0i\0d\0,\0x\0\n", 10, "UTF-16 (big-endian, no byte order"},
        {"\xFF\xFE\0\0i\0\0\0", 8, "UTF-32 (little-endian"},
        {"\0\0\xFE\xFF\0\0\0i", 8, "UTF-32 (big-endian"},
        {"\xEF\xBB\xBF\xEF\xBB\xBFid\n", 9, "two UTF-8 byte order marks"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct fx *fx = *state;
        open_n(fx, cases[i].data, cases[i].n, 0);
        expect_bad(fx, 1, cases[i].reason);
        expect_end(fx);
        cxm__csv_close(fx->csv);
        fx->csv = NULL;
        fclose(fx->fp);
        fx->fp = NULL;
        free(fx->data);
        fx->data = NULL;
    }
    assert_null(cxm__csv_sniff((const unsigned char *)"id,x\n", 5));
    assert_null(cxm__csv_sniff((const unsigned char *)"\xEF\xBB\xBFid", 5));
    assert_null(cxm__csv_sniff((const unsigned char *)"a", 1));
}

static void test_csv__separator_hint(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "ticket_id;created_at\nid\tcreated\nid|x\nid,x\nplain\n");
    expect_rec(fx, 1, 1, 1, "ticket_id;created_at");
    assert_non_null(strstr(cxm__csv_separator_hint(&fx->rec), "';'"));
    expect_rec(fx, 2, 2, 1, "id\tcreated");
    assert_non_null(strstr(cxm__csv_separator_hint(&fx->rec), "tab"));
    expect_rec(fx, 3, 3, 1, "id|x");
    assert_non_null(strstr(cxm__csv_separator_hint(&fx->rec), "'|'"));
    expect_rec(fx, 4, 4, 2, "id", "x");
    assert_null(cxm__csv_separator_hint(&fx->rec));
    expect_rec(fx, 5, 5, 1, "plain");
    assert_null(cxm__csv_separator_hint(&fx->rec));
}

static void test_csv__same_name(void **state)
{
    struct fx *fx = *state;

    open_str(fx, "id, Team ,x,TEAM,,\n");
    expect_rec(fx, 1, 1, 6, "id", " Team ", "x", "TEAM", "", "");
    assert_int_equal(cxm__csv_same_name(&fx->rec, 1), 3);
    assert_int_equal(cxm__csv_same_name(&fx->rec, 3), 1);
    assert_int_equal(cxm__csv_same_name(&fx->rec, 0), -1);
    assert_int_equal(cxm__csv_same_name(&fx->rec, 4), -1); /* empty */
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_csv__plain_records),
        T(test_csv__quoted_comma),
        T(test_csv__doubled_quotes),
        T(test_csv__quote_inside_unquoted_field_is_kept),
        T(test_csv__newline_in_quotes),
        T(test_csv__crlf_outside_quotes),
        T(test_csv__crlf_inside_quoted_field),
        T(test_csv__cr_and_lf_apart_in_quotes_are_two_lines),
        T(test_csv__lone_cr_ends_a_line),
        T(test_csv__bom_is_skipped),
        T(test_csv__bom_only_at_the_start),
        T(test_csv__bom_alone_is_empty),
        T(test_csv__blank_lines_are_skipped),
        T(test_csv__quoted_empty_line_is_a_record),
        T(test_csv__empty_fields),
        T(test_csv__last_record_without_line_end),
        T(test_csv__empty_input),
        T(test_csv__only_blank_lines),
        T(test_csv__unterminated_quote_reports_its_line),
        T(test_csv__unterminated_after_doubled_quote),
        T(test_csv__junk_after_closing_quote),
        T(test_csv__junk_then_multiline_field),
        T(test_csv__line_numbers_across_multiline_records),
        T(test_csv__embedded_nul_is_data),
        T(test_csv__record_cap),
        T(test_csv__record_cap_counts_quoted_lines),
        T(test_csv__record_cap_at_end_of_input),
        T(test_csv__default_cap),
        T(test_csv__field_cap),
        T(test_csv__field_cap_is_inclusive),
        T(test_csv__record_across_read_chunks),
        T(test_csv__other_encodings_are_named),
        T(test_csv__separator_hint),
        T(test_csv__same_name),
    };

    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
