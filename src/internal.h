/* SPDX-License-Identifier: MIT
 *
 * internal.h — private to libcxmeter; the first include of every .c file in src/.
 * Declares the cxm__ helpers shared between files: allocation, checked
 * sizes, the growable buffer, ASCII classes and strict number parsing.
 */
#ifndef CXM_INTERNAL_H
#define CXM_INTERNAL_H

#define CXM_BUILDING 1

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cxmeter/cxmeter.h"

#ifdef CXM_UNIT_TEST
#define CXM_STATIC
#else
#define CXM_STATIC static
#endif

#define CXM_ASSERT(x) assert(x)
#define CXM_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Allocation (alloc.c): every allocation of the library goes here. */
void *cxm__malloc(size_t n);
void *cxm__calloc(size_t count, size_t size);
void *cxm__realloc(void *p, size_t n);
void cxm__free(void *p);
char *cxm__strndup(const char *s, size_t n);
char *cxm__strdup(const char *s);
#ifdef CXM_UNIT_TEST
/* Test builds only (tests/unit/test_alloc.c): the n-th allocation from
 * now fails (n = 0: none), and whether it was reached since. */
void cxm__alloc_fail_at(long n);
bool cxm__alloc_failed(void);
#endif

/* Checked size arithmetic: false on overflow, *out untouched then. */
static inline bool cxm__size_mul(size_t *out, size_t a, size_t b)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}
static inline bool cxm__size_add(size_t *out, size_t a, size_t b)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}

/* Grows *arr (of *cap elements of `size` bytes) to hold at least `need`.
 * Returns CXM_OK or CXM_ENOMEM (arr untouched). */
CXM_MUST_USE cxm_rc cxm__grow(void **arr, size_t *cap, size_t need,
                              size_t size);

/* ---- Growable byte buffer (buf.c).
 *
 * Invariants: `data` is NULL until the first append, then always
 * NUL-terminated with len < alloc; len never exceeds `cap`, the hard limit
 * set at init. An append that would pass the cap or fails to allocate frees
 * the buffer and returns CXM_ETOOBIG or CXM_ENOMEM.
 */
struct cxm__buf {
    char *data;   /* owned; NUL-terminated once non-NULL */
    size_t len;   /* bytes used, NUL excluded */
    size_t alloc; /* bytes allocated */
    size_t cap;   /* hard limit on len */
};
#define CXM__BUF_INIT(limit) {NULL, 0, 0, (limit)}

CXM_MUST_USE cxm_rc cxm__buf_add(struct cxm__buf *b, const void *p,
                                 size_t n);
CXM_MUST_USE cxm_rc cxm__buf_adds(struct cxm__buf *b, const char *s);
CXM_MUST_USE cxm_rc cxm__buf_addc(struct cxm__buf *b, char c);
/* The character at p as a terminal may safely show it: a C0 control
 * character or DEL as \xNN, a C1 one (ANSI escapes among them) as
 * \u00NN, anything else as itself. Writes it to out (8 bytes) and
 * returns its length; *used is the bytes of p it stands for (p[0] is not
 * NUL). */
size_t cxm__escape_at(const unsigned char *p, char *out, size_t *used);
/* Appends s escaped by cxm__escape_at(): stored text (an id, a label) in
 * a table or a message can neither move the cursor nor clear the
 * screen. */
CXM_MUST_USE cxm_rc cxm__buf_add_escaped(struct cxm__buf *b, const char *s);
CXM_MUST_USE cxm_rc cxm__buf_addf(struct cxm__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
CXM_MUST_USE cxm_rc cxm__buf_vaddf(struct cxm__buf *b, const char *fmt,
                                   va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Appends `n` spaces. */
CXM_MUST_USE cxm_rc cxm__buf_pad(struct cxm__buf *b, size_t n);
/* Empties the buffer, keeping its memory. */
void cxm__buf_reset(struct cxm__buf *b);
/* Frees the bytes; the buffer is empty and usable again. NULL-safe. */
void cxm__buf_release(struct cxm__buf *b);
/* Hands over the bytes (never NULL: "" if empty); the caller frees them
 * with cxm__free(). The buffer is empty afterwards. */
char *cxm__buf_take(struct cxm__buf *b, size_t *len_out);

/* ---- The HTML writer (core/html.c; the survey pages and the
 * survey mail): the only way text reaches a page. */

/* Appends s[0..n) with & < > " ' escaped; invalid UTF-8 bytes become
 * U+FFFD, control characters but TAB, LF and CR are dropped. */
CXM_MUST_USE cxm_rc cxm__html_text(struct cxm__buf *b, const char *s,
                                   size_t n);
CXM_MUST_USE cxm_rc cxm__html_str(struct cxm__buf *b, const char *s);
/* Appends markup written by the program (never data). */
CXM_MUST_USE cxm_rc cxm__html_raw(struct cxm__buf *b, const char *markup);

/* ---- ASCII classes (never locale-dependent, safe on any byte) and the
 * string helpers of text.c. */
static inline bool cxm__is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool cxm__is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}
static inline int cxm__to_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
/* ASCII case-insensitive equality of s[0..n) and the NUL-terminated t. */
bool cxm__eq_nocase(const char *s, size_t n, const char *t);
/* Trims ASCII white space around s[0..*n), as header names and key
 * values are trimmed. */
void cxm__trim(const char **s, size_t *n);
/* Writes s[0..len) into dst[0..cap) (cap > 4) for quoting in a message:
 * at most cap - 4 bytes, a UTF-8 sequence never cut, "..." after a cut;
 * line breaks become spaces and other control characters '?', so the
 * quote is one printable line. Returns dst. */
const char *cxm__excerpt(const char *s, size_t len, char *dst, size_t cap);

/* The index of the name s[0..n) (ASCII case-insensitive) in
 * names[0..count), or -1. */
int cxm__name_index(const char *const *names, int count, const char *s,
                    size_t n);
/* Parses a comma-separated list of names[0..count) into ids[0..*n), at
 * most `cap`: the rules and results of cxm_metric_parse_list(). */
CXM_MUST_USE cxm_rc cxm__parse_name_list(const char *list,
                                         const char *const *names, int count,
                                         int *ids, size_t cap, size_t *n,
                                         struct cxm_list_error *err);

/* Strict integer parsing of s[0..n): optional sign, digits only, no
 * surrounding space, no overflow. */
CXM_MUST_USE cxm_rc cxm__parse_i64(const char *s, size_t n, int64_t *out);
/* Strict decimal parsing of s[0..n): [-]digits[.digits], locale-free. */
CXM_MUST_USE cxm_rc cxm__parse_decimal(const char *s, size_t n, double *out);
/* Writes `v` with at most `decimals` decimals, trailing zeros trimmed but at
 * least one decimal kept ("72.0"), locale-free. */
CXM_MUST_USE cxm_rc cxm__buf_add_num(struct cxm__buf *b, double v,
                                     int decimals);
/* True when s[0..n) is an e-mail address a mail can go to: one @ with
 * text on both sides, at most 254 bytes, no space, control character or
 * any of the characters that would break a header (<>(),;:\"[]). */
bool cxm__email_ok(const char *s, size_t n);
/* The next item of the comma-separated list at *p, trimmed of white
 * space, into s[0..*n); *p moves past it. False at the end of the list
 * (empty items are skipped). */
bool cxm__list_next(const char **p, const char **s, size_t *n);
/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
bool cxm__utf8_valid(const char *s, size_t n);
/* Appends `s` as a JSON string that may also sit inside an HTML <script>
 * block or attribute: quote, backslash and control characters escaped as
 * JSON requires, and <, >, &, ' and U+2028/U+2029 as \uXXXX (json_safe.c). */
CXM_MUST_USE cxm_rc cxm__json_safe_str(struct cxm__buf *b, const char *s);

/* A text embedded at build time (cmake/embed.cmake): a migration, a
 * survey template or a dashboard asset, by file name. */
struct cxm__embedded {
    const char *name;
    const char *text;
};

#endif /* CXM_INTERNAL_H */
