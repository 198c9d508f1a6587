/* SPDX-License-Identifier: MIT
 *
 * fuzz_form.c — libFuzzer target for the survey form's body parser
 * (src/http/form.c) and the HTML writer (src/http/html.c). A body that
 * parses must keep the limits of http_limits.h, give UTF-8 without NUL,
 * and survive a round trip (percent-encode every field, parse again:
 * the same fields); every decoded value written through the HTML writer
 * must come out without a raw < > " ' or a control character other than
 * TAB, LF, CR.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_form: %s\n", what);
    abort();
}

static void encode(struct cxm__buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            cxm__is_digit(c) || c == '-' || c == '_' || c == '.') {
            if (cxm__buf_addc(b, (char)c))
                fail("oom");
        } else if (cxm__buf_addc(b, '%') || cxm__buf_addc(b, hex[c >> 4]) ||
                   cxm__buf_addc(b, hex[c & 15])) {
            fail("oom");
        }
    }
}

static void check_html(const char *s)
{
    struct cxm__buf b = CXM__BUF_INIT(1u << 20);

    if (cxm__html_str(&b, s))
        fail("html writer failed");
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.data[i];
        if (c == '<' || c == '>' || c == '"' || c == '\'' ||
            (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            fail("unescaped character in HTML output");
    }
    if (b.len && !cxm__utf8_valid(b.data, b.len))
        fail("HTML output is not UTF-8");
    cxm__buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cxm__form f, g;
    struct cxm__buf enc = CXM__BUF_INIT(8u << 20);
    cxm_rc rc;

    /* The writer on the raw input too: any bytes at all. */
    {
        struct cxm__buf b = CXM__BUF_INIT(8u << 20);
        if (cxm__html_text(&b, (const char *)data, size))
            fail("html writer failed on raw bytes");
        for (size_t i = 0; i < b.len; i++) {
            if (b.data[i] == '<' || b.data[i] == '>')
                fail("raw < or > in HTML output");
        }
        cxm__buf_release(&b);
    }
    rc = cxm__form_parse((const char *)data, size, &f);
    if (rc != CXM_OK) {
        if (rc != CXM_EINPUT && rc != CXM_ETOOBIG && rc != CXM_ENOMEM)
            fail("unexpected status");
        cxm__form_release(&f);
        return 0;
    }
    if (f.n > CXM_HTTP_MAX_FORM_FIELDS)
        fail("too many fields accepted");
    for (size_t i = 0; i < f.n; i++) {
        const struct cxm__form_field *fd = &f.fields[i];
        if (strlen(fd->name) > CXM_HTTP_MAX_FIELD_NAME ||
            fd->value_len > CXM_HTTP_MAX_FIELD_VALUE ||
            strlen(fd->value) != fd->value_len)
            fail("a field over its limit, or with a NUL");
        if (!cxm__utf8_valid(fd->name, strlen(fd->name)) ||
            !cxm__utf8_valid(fd->value, fd->value_len))
            fail("a field is not UTF-8");
        check_html(fd->value);
        if (i && cxm__buf_addc(&enc, '&'))
            fail("oom");
        encode(&enc, fd->name);
        if (cxm__buf_addc(&enc, '='))
            fail("oom");
        encode(&enc, fd->value);
    }
    /* Round trip; an empty name encodes to "" and "=v" parses back. */
    rc = cxm__form_parse(enc.data ? enc.data : "", enc.len, &g);
    if (rc)
        fail("the re-encoded form does not parse");
    if (g.n != f.n)
        fail("round trip changed the number of fields");
    for (size_t i = 0; i < f.n; i++) {
        if (strcmp(f.fields[i].name, g.fields[i].name) != 0 ||
            strcmp(f.fields[i].value, g.fields[i].value) != 0)
            fail("round trip changed a field");
    }
    cxm__form_release(&g);
    cxm__form_release(&f);
    cxm__buf_release(&enc);
    return 0;
}
