/* SPDX-License-Identifier: MIT
 *
 * test_send.c — the pieces of sending that need no server (src/send/):
 * SMS parts (GSM-7 and UCS-2), the mail as MIME (RFC 2047 subject of
 * whole characters, HTML escaped, base64 parts, the headers), and the
 * helpdesk webhook bodies as tickets records.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "invite.h"
#include "send_int.h"

static void test_send__sms_parts(void **state)
{
    char text[400];

    (void)state;
    memset(text, 'a', 160);
    text[160] = '\0';
    assert_int_equal(cxm__sms_parts(text), 1);  /* 160 GSM-7 */
    text[160] = 'a';
    text[161] = '\0';
    assert_int_equal(cxm__sms_parts(text), 2);  /* 161: 153 + 8 */
    memset(text, 'a', 306);
    text[306] = '\0';
    assert_int_equal(cxm__sms_parts(text), 2);  /* 2 x 153 */
    text[306] = 'a';
    text[307] = '\0';
    assert_int_equal(cxm__sms_parts(text), 3);
    /* Vietnamese is UCS-2: 70 characters, then 67 a part. */
    text[0] = '\0';
    for (int i = 0; i < 70; i++)
        strcat(text, "\xe1\xba\xa1"); /* U+1EA1, 3 bytes of UTF-8 */
    assert_int_equal(cxm__sms_parts(text), 1);
    strcat(text, "a");
    assert_int_equal(cxm__sms_parts(text), 2); /* 71: 67 + 4 */
    /* One character outside GSM-7 makes the whole SMS UCS-2. */
    memset(text, 'a', 100);
    strcpy(text + 100, "\xc3\xa4"); /* ä is not ASCII: taken as UCS-2 */
    assert_int_equal(cxm__sms_parts(text), 2);
}

/* The mail of `title` in `lang`, as text. */
static char *build(const char *title, const char *lang, bool reminder)
{
    struct cxm__mail m;
    struct cxm__buf b = CXM__BUF_INIT(1 << 20);

    memset(&m, 0, sizeof(m));
    m.from = "Survey <survey@example.com>";
    m.to = "c1@example.com";
    m.language = lang;
    m.public_url = "https://s.example.com";
    m.token = "TOKENtoken_-123456789";
    m.title = title;
    m.question = "How <satisfied> are you?";
    m.low_label = "Not at all";
    m.high_label = "Very";
    m.lo = 1;
    m.hi = 5;
    m.reminder = reminder;
    m.message_id = 7;
    m.attempt = 1;
    m.now = INT64_C(1796601600000); /* 2026-12-07T00:00:00Z, a Monday */
    assert_int_equal(cxm__mail_build(&m, &b), CXM_OK);
    return cxm__buf_take(&b, NULL);
}

/* The decoded base64 body of the part of `type` in mail. */
static void part(const char *mail, const char *type, char *out, size_t cap)
{
    char want[80], b64[65536];
    const char *p;
    size_t n = 0, len = 0;

    snprintf(want, sizeof(want), "Content-Type: %s; charset=UTF-8", type);
    p = strstr(mail, want);
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    for (p += 4; *p && *p != '-'; p++) {
        if (*p != '\r' && *p != '\n')
            b64[n++] = *p;
    }
    b64[n] = '\0';
    assert_int_equal(sodium_base642bin((unsigned char *)out, cap - 1, b64,
                                       n, NULL, &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[len] = '\0';
}

static void test_send__mail_headers_and_parts(void **state)
{
    static char text[65536], html[65536];
    char *mail = build("How did we do?", "en", false);

    (void)state;
    assert_non_null(
        strstr(mail, "Date: Mon, 07 Dec 2026 00:00:00 +0000\r\n"));
    assert_non_null(strstr(mail, "From: Survey <survey@example.com>\r\n"));
    assert_non_null(strstr(mail, "To: <c1@example.com>\r\n"));
    assert_non_null(strstr(mail, "Message-ID: <cxm.7.1."));
    assert_non_null(strstr(mail, "@example.com>\r\n"));
    assert_non_null(strstr(mail, "Subject: How did we do?\r\n"));
    assert_non_null(strstr(mail, "List-Unsubscribe: <https://s.example.com/"
                                 "u/TOKENtoken_-123456789>\r\n"));
    assert_non_null(strstr(mail, "List-Unsubscribe-Post: "
                                 "List-Unsubscribe=One-Click\r\n"));
    assert_non_null(strstr(mail, "multipart/alternative"));
    /* Every line ends in CRLF and none is longer than 998. */
    for (const char *p = mail, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
        assert_true(nl > mail && nl[-1] == '\r');
        assert_true(nl - p <= 998);
    }
    part(mail, "text/plain", text, sizeof(text));
    part(mail, "text/html", html, sizeof(html));
    for (int s = 1; s <= 5; s++) {
        char link[128];
        snprintf(link, sizeof(link), "https://s.example.com/s/"
                                     "TOKENtoken_-123456789?score=%d", s);
        assert_non_null(strstr(text, link));
        assert_non_null(strstr(html, link));
    }
    assert_non_null(strstr(text, "How <satisfied> are you?"));
    assert_null(strstr(html, "<satisfied>"));
    assert_non_null(strstr(html, "How &lt;satisfied&gt; are you?"));
    assert_non_null(strstr(text, "https://s.example.com/u/"));
    cxm_free(mail);
}

static void test_send__subject_encoded_words(void **state)
{
    /* Vietnamese, long enough for several encoded words. */
    const char *title = "Ch\xc3\xbang t\xc3\xb4i \xc4\x91\xc3\xa3 h\xe1\xbb"
                        "\x97 tr\xe1\xbb\xa3 b\xe1\xba\xa1n th\xe1\xba\xbf "
                        "n\xc3\xa0o? Ch\xc3\xbang t\xc3\xb4i \xc4\x91\xc3"
                        "\xa3 h\xe1\xbb\x97 tr\xe1\xbb\xa3";
    char *mail = build(title, "vi", true), decoded[512] = "";
    const char *p = strstr(mail, "Subject: "), *end;
    int words = 0;

    (void)state;
    assert_non_null(p);
    end = strstr(p, "\r\nMIME-Version");
    assert_non_null(end);
    for (p += 9; p < end;) {
        const char *w = strstr(p, "=?UTF-8?B?"), *q;
        unsigned char raw[128];
        size_t len = 0;
        assert_true(w && w < end);
        q = strstr(w + 10, "?=");
        assert_true(q - w + 2 <= 75); /* RFC 2047: an encoded word */
        assert_int_equal(sodium_base642bin(raw, sizeof(raw), w + 10,
                                           (size_t)(q - w - 10), NULL, &len,
                                           NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        /* each word holds whole UTF-8 characters */
        assert_true(len == 0 || (raw[0] & 0xc0) != 0x80);
        assert_true(cxm__utf8_valid((const char *)raw, len));
        strncat(decoded, (const char *)raw, len);
        words++;
        p = q + 2;
        if (p < end)
            assert_memory_equal(p, "\r\n ", 3); /* folded */
    }
    assert_true(words >= 2);
    assert_int_equal(strncmp(decoded, "Nh\xe1\xba\xaf" "c l\xe1\xba\xa1i: ",
                             strlen("Nh\xe1\xba\xaf" "c l\xe1\xba\xa1i: ")),
                     0);
    assert_string_equal(decoded + strlen("Nh\xe1\xba\xaf"
                                         "c l\xe1\xba\xa1i: "),
                        title);
    cxm_free(mail);
}

static const char *value_of(const struct cxm__kvrow *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->names[i], name) == 0)
            return r->values[i];
    }
    return NULL;
}

static void test_send__webhook_bodies(void **state)
{
    static const char zd[] =
        "{\"type\":\"zen:event-type:ticket.status_changed\","
        "\"time\":\"2026-12-07T01:00:00Z\",\"detail\":{\"id\":\"123\","
        "\"status\":\"SOLVED\",\"requester_id\":\"9001\",\"assignee_id\":77,"
        "\"group_id\":\"5\",\"via\":{\"channel\":\"email\"},"
        "\"created_at\":\"2026-12-06T20:00:00Z\"}}";
    static const char fd[] =
        "{\"freshdesk_webhook\":{\"ticket_id\":55,\"ticket_status\":\"Open\","
        "\"ticket_contact_email\":\"a@example.com\"}}";
    static const char no_id[] = "{\"ticket\":{\"status\":\"solved\"}}";
    struct cxm__kvrow r;
    char why[128];

    (void)state;
    assert_int_equal(cxm__webhook_ticket(CXM__HOOK_ZENDESK, zd, strlen(zd),
                                         0, &r, why, sizeof(why)),
                     CXM_OK);
    assert_string_equal(value_of(&r, "ticket_id"), "123");
    assert_string_equal(value_of(&r, "customer_id"), "9001");
    assert_string_equal(value_of(&r, "agent_id"), "77");
    assert_string_equal(value_of(&r, "created_at"), "2026-12-06T20:00:00Z");
    /* solved without solved_at: the event's time */
    assert_string_equal(value_of(&r, "resolved_at"), "2026-12-07T01:00:00Z");
    assert_null(value_of(&r, "channel")); /* via is an object here */
    cxm__kvrow_release(&r);

    assert_int_equal(cxm__webhook_ticket(CXM__HOOK_FRESHDESK, fd, strlen(fd),
                                         INT64_C(1796601600000), &r, why,
                                         sizeof(why)),
                     CXM_OK);
    assert_string_equal(value_of(&r, "ticket_id"), "55");
    assert_string_equal(value_of(&r, "customer_id"), "a@example.com");
    assert_null(value_of(&r, "resolved_at")); /* open */
    assert_string_equal(value_of(&r, "created_at"), "2026-12-07T00:00:00Z");
    cxm__kvrow_release(&r);

    assert_int_equal(cxm__webhook_ticket(CXM__HOOK_ZENDESK, "[1", 2, 0, &r,
                                         why, sizeof(why)),
                     CXM_EINPUT);
    assert_string_equal(why, "not a JSON object");
    cxm__kvrow_release(&r);
    assert_int_equal(cxm__webhook_ticket(CXM__HOOK_ZENDESK, no_id,
                                         strlen(no_id), 0, &r, why,
                                         sizeof(why)),
                     CXM_EINPUT);
    assert_string_equal(why, "no ticket id");
    cxm__kvrow_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send__sms_parts),
        cmocka_unit_test(test_send__mail_headers_and_parts),
        cmocka_unit_test(test_send__subject_encoded_words),
        cmocka_unit_test(test_send__webhook_bodies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
