/* SPDX-License-Identifier: MIT
 *
 * sms.c — survey invitations by SMS through an HTTP gateway (sms.url, a
 * URL template with {to} and {text}, credentials in it as the gateway
 * wants them). The text is the survey's title and the link when that fits
 * one SMS — 160 characters of the GSM 7-bit alphabet, else 70 of UCS-2
 * (Vietnamese, among others) — else the link alone; a link longer than
 * one SMS goes in parts the gateway joins (153 GSM-7 or 67 UCS-2
 * characters a part, cxm__sms_parts()).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "send_int.h"

/* The basic GSM 03.38 characters that are one ASCII byte. */
static bool gsm7_ascii(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           cxm__is_digit(c) || (c && strchr(" \n\r@$_!\"#%&'()*+,-./:;<=>?",
                                             c) != NULL);
}

/* Whether UTF-8 text s is all GSM-7 (the ASCII part of it: accented
 * letters of the GSM table are taken as UCS-2, which is never wrong,
 * only longer), and its length in characters (code points; a character
 * outside the BMP counts 2 in UCS-2). */
static void measure(const char *s, bool *gsm, size_t *chars)
{
    *gsm = true;
    *chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue;
        *chars += *p >= 0xf0 ? 2 : 1;
        if (*p >= 0x80 || !gsm7_ascii(*p))
            *gsm = false;
    }
}

size_t cxm__sms_parts(const char *text)
{
    bool gsm;
    size_t n;

    measure(text, &gsm, &n);
    if (n <= (gsm ? 160u : 70u))
        return 1;
    return (n + (gsm ? 152u : 66u)) / (gsm ? 153u : 67u);
}

/* Appends s percent-encoded (RFC 3986 unreserved kept). */
static cxm_rc add_encoded(struct cxm__buf *b, const char *s)
{
    cxm_rc rc = CXM_OK;

    for (; !rc && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            cxm__is_digit(c) || strchr("-._~", c))
            rc = cxm__buf_addc(b, (char)c);
        else
            rc = cxm__buf_addf(b, "%%%02X", c);
    }
    return rc;
}

/* The URL of the gateway for `to` and `text`. */
static cxm_rc gateway_url(const char *tmpl, const char *to, const char *text,
                          struct cxm__buf *out)
{
    cxm_rc rc = CXM_OK;

    while (!rc && *tmpl) {
        if (strncmp(tmpl, "{to}", 4) == 0) {
            rc = add_encoded(out, to);
            tmpl += 4;
        } else if (strncmp(tmpl, "{text}", 6) == 0) {
            rc = add_encoded(out, text);
            tmpl += 6;
        } else
            rc = cxm__buf_addc(out, *tmpl++);
    }
    return rc;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

enum cxm__sent cxm__sms_send(const struct cxm__send_cfg *cfg,
                             const struct cxm__mail *m, char *why,
                             size_t why_cap)
{
    struct cxm__buf text = CXM__BUF_INIT(4096), url = CXM__BUF_INIT(8192);
    char err[CURL_ERROR_SIZE] = "";
    enum cxm__sent out = CXM__SENT_RETRY;
    long code = 0;
    CURLcode res;
    CURL *c;
    cxm_rc rc = cxm__buf_addf(&text, "%s: %s/s/%s", m->title, m->public_url,
                              m->token);

    if (!rc && cxm__sms_parts(text.data) > 1) {
        cxm__buf_reset(&text);
        rc = cxm__buf_addf(&text, "%s/s/%s", m->public_url, m->token);
    }
    if (!rc)
        rc = gateway_url(cfg->sms_url, m->to, text.data, &url);
    c = rc ? NULL : curl_easy_init();
    if (!c) {
        snprintf(why, why_cap, "could not prepare the request");
        goto out;
    }
    curl_easy_setopt(c, CURLOPT_URL, url.data);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    res = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    if (res != CURLE_OK)
        snprintf(why, why_cap, "%s%s%s", curl_easy_strerror(res),
                 err[0] ? ": " : "", err);
    else if (code >= 200 && code < 300)
        out = CXM__SENT_OK;
    else {
        snprintf(why, why_cap, "the gateway answered HTTP %ld", code);
        if (code >= 400 && code < 500 && code != 408 && code != 429)
            out = CXM__SENT_REFUSED;
    }
out:
    cxm__buf_release(&text);
    cxm__buf_release(&url);
    return out;
}
