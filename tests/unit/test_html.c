/* SPDX-License-Identifier: MIT
 *
 * test_html.c — the HTML writer (src/http/html.c) and the form body
 * parser (src/http/form.c) of the survey pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/http_int.h"

static char *html(const char *s, size_t n)
{
    static char out[512];
    struct cxm__buf b = CXM__BUF_INIT(4096);

    assert_int_equal(cxm__html_text(&b, s, n), CXM_OK);
    snprintf(out, sizeof(out), "%s", b.data ? b.data : "");
    cxm__buf_release(&b);
    return out;
}

static void test_html__escapes_markup_and_quotes(void **state)
{
    (void)state;
    assert_string_equal(html("<script>alert('x')</script> & \"y\"", 34),
                        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                        "&amp; &quot;y&quot;");
}

static void test_html__keeps_utf8_replaces_invalid(void **state)
{
    (void)state;
    assert_string_equal(html("Kiitos hyvä", strlen("Kiitos hyvä")),
                        "Kiitos hyvä");
    assert_string_equal(html("a\xff" "b\xc3", 4), "a\xef\xbf\xbd" "b"
                                                  "\xef\xbf\xbd");
    assert_string_equal(html("a\x01\tb\x7f", 5), "a\tb");
    assert_string_equal(html("a\0b", 3), "ab");
}

static void test_form__decodes_pairs(void **state)
{
    struct cxm__form f;
    const char body[] = "q_score=9&q_reason=Hyv%C3%A4+palvelu&&x&q_m=a&q_m=b";

    (void)state;
    assert_int_equal(cxm__form_parse(body, strlen(body), &f), CXM_OK);
    assert_int_equal(f.n, 5);
    assert_string_equal(cxm__form_get(&f, "q_score"), "9");
    assert_string_equal(cxm__form_get(&f, "q_reason"), "Hyvä palvelu");
    assert_string_equal(cxm__form_get(&f, "x"), "");
    assert_string_equal(cxm__form_get(&f, "q_m"), "a");
    assert_null(cxm__form_get(&f, "nope"));
    cxm__form_release(&f);
}

static void test_form__refuses_malformed_and_oversized(void **state)
{
    static const struct {
        const char *body;
        cxm_rc rc;
    } cases[] = {
        {"a=%ZZ", CXM_EINPUT},  {"a=%4", CXM_EINPUT},
        {"a=%", CXM_EINPUT},    {"a=%00", CXM_EINPUT},
        {"a=%FF", CXM_EINPUT},  {"%C3=1", CXM_EINPUT},
    };
    struct cxm__form f;
    char big[CXM_HTTP_MAX_FIELD_VALUE + 16];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(cxm__form_parse(cases[i].body,
                                         strlen(cases[i].body), &f),
                         cases[i].rc);
        cxm__form_release(&f);
    }
    memset(big, 'v', sizeof(big));
    memcpy(big, "a=", 2);
    assert_int_equal(cxm__form_parse(big, sizeof(big), &f), CXM_ETOOBIG);
    cxm__form_release(&f);
    {
        char many[CXM_HTTP_MAX_FORM_FIELDS * 4 + 8];
        size_t n = 0;
        for (int i = 0; i <= CXM_HTTP_MAX_FORM_FIELDS; i++) {
            memcpy(many + n, "a=1&", 4);
            n += 4;
        }
        assert_int_equal(cxm__form_parse(many, n, &f), CXM_ETOOBIG);
        cxm__form_release(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html__escapes_markup_and_quotes),
        cmocka_unit_test(test_html__keeps_utf8_replaces_invalid),
        cmocka_unit_test(test_form__decodes_pairs),
        cmocka_unit_test(test_form__refuses_malformed_and_oversized),
    };
    return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
