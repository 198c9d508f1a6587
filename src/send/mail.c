/* SPDX-License-Identifier: MIT
 *
 * mail.c — one survey invitation as a mail (RFC 5322, MIME): headers in
 * ASCII, the subject as RFC 2047 encoded words when it is not ASCII,
 * multipart/alternative with a text and an HTML part, both UTF-8 in
 * base64; the rating scale as one link per score (GET /s/TOKEN?score=N
 * records it), a link to the whole survey, an unsubscribe link, and the
 * List-Unsubscribe headers (RFC 2369, RFC 8058 one-click). Handed to the
 * SMTP server with libcurl: STARTTLS when the server offers it
 * (smtp://), TLS from the start (smtps://), login when smtp.user is set.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <sodium.h>

#include "civil.h"
#include "send_int.h"

/* The fixed texts of the mail, in the languages of the shipped templates
 * (the survey's own texts — title, intro, question, scale labels — come
 * from its definition). */
struct words {
    const char *lang;
    const char *pick;     /* above the scale */
    const char *full;     /* the link to the whole survey */
    const char *unsub;    /* the unsubscribe link */
    const char *reminder; /* before the subject of the reminder */
};

static const struct words words[] = {
    {"en", "Click a number to answer:", "Answer the whole survey",
     "Unsubscribe from these surveys", "Reminder: "},
    {"ms", "Klik satu nombor untuk menjawab:", "Jawab tinjauan penuh",
     "Berhenti melanggan tinjauan ini", "Peringatan: "},
    {"id", "Klik salah satu angka untuk menjawab:", "Isi survei lengkap",
     "Berhenti berlangganan survei ini", "Pengingat: "},
    {"vi", "Nh\xe1\xba\xa5n v\xc3\xa0o m\xe1\xbb\x99t s\xe1\xbb\x91 \xc4\x91"
           "\xe1\xbb\x83 tr\xe1\xba\xa3 l\xe1\xbb\x9di:",
     "L\xc3\xa0m to\xc3\xa0n b\xe1\xbb\x99 kh\xe1\xba\xa3o s\xc3\xa1t",
     "H\xe1\xbb\xa7y \xc4\x91\xc4\x83ng k\xc3\xbd nh\xe1\xba\xadn kh\xe1"
     "\xba\xa3o s\xc3\xa1t",
     "Nh\xe1\xba\xaf" "c l\xe1\xba\xa1i: "},
    {"fi", "Vastaa napsauttamalla numeroa:", "Vastaa koko kyselyyn",
     "Peru n\xc3\xa4iden kyselyjen tilaus", "Muistutus: "},
};

static const struct words *words_for(const char *lang)
{
    for (size_t i = 0; lang && i < CXM_ARRAY_LEN(words); i++) {
        if (strncmp(lang, words[i].lang, 2) == 0)
            return &words[i];
    }
    return &words[0];
}

static bool is_ascii(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80)
            return false;
    }
    return true;
}

/* Appends raw[0..n) in base64, lines of 76 and CRLF. */
static cxm_rc add_base64(struct cxm__buf *b, const unsigned char *raw,
                         size_t n)
{
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < n; i += 57) {
        char line[80];
        size_t k = n - i < 57 ? n - i : 57;
        sodium_bin2base64(line, sizeof(line), raw + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        rc = cxm__buf_addf(b, "%s\r\n", line);
    }
    return rc;
}

/* Appends a header value that may not be ASCII: as itself, or as RFC
 * 2047 "B" encoded words of whole UTF-8 characters, folded. A CR or LF
 * in `s` never reaches the header (a space stands for it). */
static cxm_rc add_header_text(struct cxm__buf *b, const char *s)
{
    size_t n = strlen(s);
    cxm_rc rc = CXM_OK;

    if (is_ascii(s)) {
        for (size_t i = 0; !rc && i < n; i++)
            rc = cxm__buf_addc(b, s[i] == '\r' || s[i] == '\n' ? ' ' : s[i]);
        return rc;
    }
    for (size_t i = 0; !rc && i < n;) {
        char enc[80];
        size_t k = n - i < 36 ? n - i : 36;
        /* never split a character: back off over continuation bytes */
        while (k > 0 && i + k < n && ((unsigned char)s[i + k] & 0xc0) == 0x80)
            k--;
        sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        rc = cxm__buf_addf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
        i += k;
    }
    return rc;
}

/* The date of a header (RFC 5322), UTC. */
static void mail_date(int64_t ms, char *out, size_t cap)
{
    static const char *const wd[] = {"Thu", "Fri", "Sat", "Sun",
                                     "Mon", "Tue", "Wed"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr",
                                     "May", "Jun", "Jul", "Aug",
                                     "Sep", "Oct", "Nov", "Dec"};
    int64_t days = cxm__day_of_ms(ms), s = (ms / 1000) % 86400, y;
    int m, d;

    if (s < 0)
        s += 86400;
    cxm__civil_from_days(days, &y, &m, &d);
    snprintf(out, cap, "%s, %02d %s %04lld %02d:%02d:%02d +0000",
             wd[((days % 7) + 7) % 7], d, mo[m - 1], (long long)y,
             (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

/* The bare address of "Name <a@b>" or "a@b" into out. */
static void bare_address(const char *from, char *out, size_t cap)
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

    if (lt && gt)
        snprintf(out, cap, "%.*s", (int)(gt - lt - 1), lt + 1);
    else
        snprintf(out, cap, "%s", from);
}

static cxm_rc text_part(const struct cxm__mail *m, const struct words *w,
                        struct cxm__buf *t)
{
    cxm_rc rc = cxm__buf_addf(t, "%s\n\n", m->intro ? m->intro : m->title);

    if (!rc && m->question && m->hi >= m->lo) {
        rc = cxm__buf_addf(t, "%s\n", m->question);
        if (!rc && m->low_label && m->high_label)
            rc = cxm__buf_addf(t, "%d = %s, %d = %s\n", m->lo, m->low_label,
                               m->hi, m->high_label);
        if (!rc)
            rc = cxm__buf_addf(t, "%s\n\n", w->pick);
        for (int s = m->lo; !rc && s <= m->hi; s++)
            rc = cxm__buf_addf(t, "  %2d  %s/s/%s?score=%d\n", s,
                               m->public_url, m->token, s);
    }
    if (!rc)
        rc = cxm__buf_addf(t, "\n%s:\n%s/s/%s\n\n-- \n%s:\n%s/u/%s\n",
                           w->full, m->public_url, m->token, w->unsub,
                           m->public_url, m->token);
    return rc;
}

/* Appends a link: <a href="URL/PATH">TEXT</a>, both escaped. */
static cxm_rc html_link(struct cxm__buf *h, const struct cxm__mail *m,
                        const char *path, const char *query,
                        const char *style, const char *text)
{
    cxm_rc rc = cxm__html_raw(h, "<a href=\"");

    if (!rc)
        rc = cxm__html_str(h, m->public_url);
    if (!rc)
        rc = cxm__html_raw(h, path);
    if (!rc)
        rc = cxm__html_str(h, m->token);
    if (!rc)
        rc = cxm__html_str(h, query);
    if (!rc)
        rc = cxm__buf_addf(h, "\" style=\"%s\">", style);
    if (!rc)
        rc = cxm__html_str(h, text);
    if (!rc)
        rc = cxm__html_raw(h, "</a>");
    return rc;
}

static cxm_rc html_part(const struct cxm__mail *m, const struct words *w,
                        struct cxm__buf *h)
{
    static const char button[] =
        "display:inline-block;min-width:28px;padding:8px;margin:2px;"
        "border:1px solid #1a1a1a;border-radius:4px;color:#1a1a1a;"
        "text-decoration:none;text-align:center;font-size:16px";
    cxm_rc rc = cxm__buf_addf(h, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
                                 "<meta charset=\"utf-8\"><title>",
                              words_for(m->language)->lang);

    if (!rc)
        rc = cxm__html_str(h, m->title);
    if (!rc)
        rc = cxm__html_raw(h, "</title></head>\n<body style=\"font-family:"
                              "sans-serif;color:#1a1a1a\">\n<p>");
    if (!rc)
        rc = cxm__html_str(h, m->intro ? m->intro : m->title);
    if (!rc)
        rc = cxm__html_raw(h, "</p>\n");
    if (!rc && m->question && m->hi >= m->lo) {
        rc = cxm__html_raw(h, "<p><strong>");
        if (!rc)
            rc = cxm__html_str(h, m->question);
        if (!rc)
            rc = cxm__html_raw(h, "</strong><br>");
        if (!rc)
            rc = cxm__html_str(h, w->pick);
        if (!rc)
            rc = cxm__html_raw(h, "</p>\n<p>");
        for (int s = m->lo; !rc && s <= m->hi; s++) {
            char q[24], label[8];
            snprintf(q, sizeof(q), "?score=%d", s);
            snprintf(label, sizeof(label), "%d", s);
            rc = html_link(h, m, "/s/", q, button, label);
        }
        if (!rc && m->low_label && m->high_label) {
            rc = cxm__buf_addf(h, "</p>\n<p style=\"font-size:13px\">%d = ",
                               m->lo);
            if (!rc)
                rc = cxm__html_str(h, m->low_label);
            if (!rc)
                rc = cxm__buf_addf(h, ", %d = ", m->hi);
            if (!rc)
                rc = cxm__html_str(h, m->high_label);
        }
        if (!rc)
            rc = cxm__html_raw(h, "</p>\n");
    }
    if (!rc)
        rc = cxm__html_raw(h, "<p>");
    if (!rc)
        rc = html_link(h, m, "/s/", "", "color:#1a1a1a", w->full);
    if (!rc)
        rc = cxm__html_raw(h, "</p>\n<p style=\"font-size:12px\">");
    if (!rc)
        rc = html_link(h, m, "/u/", "", "color:#555", w->unsub);
    if (!rc)
        rc = cxm__html_raw(h, "</p>\n</body></html>\n");
    return rc;
}

/* Appends text[0..len) with its LF line ends as CRLF, in base64. */
static cxm_rc add_encoded(struct cxm__buf *b, const char *text, size_t len)
{
    struct cxm__buf c = CXM__BUF_INIT(1u << 20);
    cxm_rc rc = CXM_OK;

    for (size_t i = 0; !rc && i < len; i++) {
        if (text[i] == '\n')
            rc = cxm__buf_addc(&c, '\r');
        if (!rc)
            rc = cxm__buf_addc(&c, text[i]);
    }
    if (!rc)
        rc = add_base64(b, (const unsigned char *)(c.data ? c.data : ""),
                        c.len);
    cxm__buf_release(&c);
    return rc;
}

static cxm_rc add_part(struct cxm__buf *b, const char *boundary,
                       const char *type, const struct cxm__buf *body)
{
    cxm_rc rc = cxm__buf_addf(b,
                              "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
                              "Content-Transfer-Encoding: base64\r\n\r\n",
                              boundary, type);

    return rc ? rc : add_encoded(b, body->data ? body->data : "", body->len);
}

cxm_rc cxm__mail_build(const struct cxm__mail *m, struct cxm__buf *b)
{
    const struct words *w = words_for(m->language);
    struct cxm__buf text = CXM__BUF_INIT(1u << 19);
    struct cxm__buf html = CXM__BUF_INIT(1u << 19);
    unsigned char rnd[8];
    char date[48], boundary[48], hex[17], addr[256];
    const char *domain;
    cxm_rc rc;

    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
    snprintf(boundary, sizeof(boundary), "cxm-%s", hex);
    mail_date(m->now, date, sizeof(date));
    bare_address(m->from, addr, sizeof(addr));
    domain = strchr(addr, '@') ? strchr(addr, '@') + 1 : "cxmeter.invalid";
    rc = cxm__buf_addf(b,
                       "Date: %s\r\nFrom: %s\r\nTo: <%s>\r\n"
                       "Message-ID: <cxm.%lld.%lld.%s@%s>\r\nSubject: ",
                       date, m->from, m->to, (long long)m->message_id,
                       (long long)m->attempt, hex, domain);
    if (!rc && m->text) {
        rc = add_header_text(b, m->title);
        if (!rc)
            rc = cxm__buf_adds(b, "\r\nMIME-Version: 1.0\r\n"
                                  "Auto-Submitted: auto-generated\r\n"
                                  "Content-Type: text/plain; charset=UTF-8\r\n"
                                  "Content-Transfer-Encoding: base64\r\n"
                                  "\r\n");
        return rc ? rc : add_encoded(b, m->text, strlen(m->text));
    }
    if (!rc && m->reminder) {
        struct cxm__buf s = CXM__BUF_INIT(4096);
        rc = cxm__buf_addf(&s, "%s%s", w->reminder, m->title);
        if (!rc)
            rc = add_header_text(b, s.data);
        cxm__buf_release(&s);
    } else if (!rc)
        rc = add_header_text(b, m->title);
    if (!rc)
        rc = cxm__buf_addf(
            b,
            "\r\nMIME-Version: 1.0\r\n"
            "List-Unsubscribe: <%s/u/%s>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "Content-Language: %s\r\n"
            "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
            m->public_url, m->token, w->lang, boundary);
    if (!rc)
        rc = text_part(m, w, &text);
    if (!rc)
        rc = html_part(m, w, &html);
    if (!rc)
        rc = add_part(b, boundary, "text/plain", &text);
    if (!rc)
        rc = add_part(b, boundary, "text/html", &html);
    if (!rc)
        rc = cxm__buf_addf(b, "--%s--\r\n", boundary);
    cxm__buf_release(&text);
    cxm__buf_release(&html);
    return rc;
}

/* ---- The hand-over. */

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *out, size_t size, size_t n, void *ud)
{
    struct upload *u = ud;
    size_t k = size * n < u->left ? size * n : u->left;

    memcpy(out, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

void *cxm__mail_conn_new(void)
{
    return curl_easy_init();
}

void cxm__mail_conn_free(void *conn)
{
    if (conn)
        curl_easy_cleanup(conn);
}

enum cxm__sent cxm__mail_send(const struct cxm__send_cfg *cfg, void *conn,
                              const struct cxm__mail *m, const char *msg,
                              size_t len, char *why, size_t why_cap)
{
    struct upload up = {msg, len};
    struct curl_slist *rcpt = NULL;
    char bare[256], from[260], to[260], err[CURL_ERROR_SIZE] = "";
    long code = 0;
    CURL *c = conn ? conn : curl_easy_init();
    CURLcode res;

    if (!c) {
        snprintf(why, why_cap, "libcurl could not start");
        return CXM__SENT_RETRY;
    }
    if (conn)
        curl_easy_reset(c); /* the options go, the connection stays */
    bare_address(cfg->smtp_from, bare, sizeof(bare));
    snprintf(from, sizeof(from), "<%s>", bare);
    snprintf(to, sizeof(to), "<%s>", m->to);
    rcpt = curl_slist_append(NULL, to);
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    if (strncmp(cfg->smtp_url, "smtp://", 7) == 0)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    if (*cfg->smtp_user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
    }
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    res = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    if (!conn)
        curl_easy_cleanup(c);
    if (res == CURLE_OK)
        return CXM__SENT_OK;
    snprintf(why, why_cap, "%s%s%s (SMTP %ld)", curl_easy_strerror(res),
             err[0] ? ": " : "", err, code);
    for (char *p = why; *p; p++) {
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    }
    if (code < 500 || code >= 600)
        return CXM__SENT_RETRY;
    /* libcurl names the command refused: the recipient's refusal is a
     * bounce, anything else a refusal of the message. */
    return strstr(err, "RCPT") ? CXM__SENT_BOUNCED : CXM__SENT_REFUSED;
}
