/* SPDX-License-Identifier: MIT
 *
 * html.c — the one writer of text into HTML (STYLE.md §4.10): every
 * string that did not come from the program's own markup (survey texts,
 * what a customer typed, ids) goes through cxm__html_text(), which escapes
 * the five characters that matter in text and attribute values, replaces
 * invalid UTF-8 and drops control characters.
 */
#include "internal.h"

#include <string.h>


/* The length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (len > n)
        return 0;
    return cxm__utf8_valid((const char *)s, len) ? len : 0;
}

cxm_rc cxm__html_text(struct cxm__buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    cxm_rc rc = CXM_OK;

    while (i < n && !rc) {
        unsigned char c = p[i];
        size_t len;
        switch (c) {
        case '&':
            rc = cxm__buf_adds(b, "&amp;");
            i++;
            continue;
        case '<':
            rc = cxm__buf_adds(b, "&lt;");
            i++;
            continue;
        case '>':
            rc = cxm__buf_adds(b, "&gt;");
            i++;
            continue;
        case '"':
            rc = cxm__buf_adds(b, "&quot;");
            i++;
            continue;
        case '\'':
            rc = cxm__buf_adds(b, "&#39;");
            i++;
            continue;
        default:
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            if (c == '\t' || c == '\n' || c == '\r')
                rc = cxm__buf_addc(b, (char)c);
            i++;
            continue;
        }
        len = utf8_seq(p + i, n - i);
        if (len == 0) {
            rc = cxm__buf_adds(b, "\xef\xbf\xbd"); /* U+FFFD */
            i++;
            continue;
        }
        rc = cxm__buf_add(b, p + i, len);
        i += len;
    }
    return rc;
}

cxm_rc cxm__html_str(struct cxm__buf *b, const char *s)
{
    return s ? cxm__html_text(b, s, strlen(s)) : CXM_OK;
}

cxm_rc cxm__html_raw(struct cxm__buf *b, const char *markup)
{
    return cxm__buf_adds(b, markup);
}
