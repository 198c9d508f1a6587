/* SPDX-License-Identifier: MIT
 *
 * pages.c — the public survey pages (docs/survey.md "Serving surveys"):
 * GET /s/TOKEN renders the survey of an invitation as a plain HTML form
 * (no JavaScript, mobile first, every control labelled, a fieldset and
 * legend per question, visible focus, high contrast), in the invitation's
 * language or the one ?lang= picks; GET /s/TOKEN?score=N records a
 * one-click score and shows the follow-ups that apply; POST /s/TOKEN takes
 * the form. HEAD renders and records nothing. All text goes through the
 * HTML writer (html.c).
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "civil.h"
#include "http_int.h"
#include "invite.h"
#include "send_int.h"

/* ---- The program's own words, per language. */

enum ui {
    UI_SEND,
    UI_LANGUAGE,
    UI_THANKS,
    UI_INVALID_TITLE,
    UI_INVALID_TEXT,
    UI_EXPIRED_TITLE,
    UI_EXPIRED_TEXT,
    UI_CLOSED_TITLE,
    UI_CLOSED_TEXT,
    UI_REQUIRED,
    UI_SAVED,
    UI_HELD,
    UI_EDIT_UNTIL,
    UI_CHECK,
    UI_BAD_VALUE,
    UI_MORE,
    UI_OPTIONAL,
    UI_COUNT
};

struct ui_lang {
    const char *code;
    const char *text[UI_COUNT];
};

static const struct ui_lang ui_langs[] = {
    {"en",
     {"Send", "Language", "Thank you!", "This link does not work",
      "Please check that you opened the whole link from your message. If "
      "it still does not work, the link may have been mistyped.",
      "This link has expired",
      "The time to answer this survey has passed. Thank you all the same.",
      "This survey is closed",
      "Your answer is saved and can no longer be changed. Thank you!",
      "Please answer this question.",
      "Your score is saved. You can tell us more below.",
      "Please confirm your answer by sending this page.",
      "You can change your answer until",
      "Please check the answers marked below.", "This answer is not valid.",
      "One more question, please.", "optional"}},
    {"ms",
     {"Hantar", "Bahasa", "Terima kasih!", "Pautan ini tidak berfungsi",
      "Sila pastikan anda membuka keseluruhan pautan daripada mesej anda. "
      "Jika masih tidak berfungsi, pautan mungkin tersalah taip.",
      "Pautan ini telah tamat tempoh",
      "Tempoh untuk menjawab tinjauan ini telah berakhir. Terima kasih "
      "walau bagaimanapun.",
      "Tinjauan ini telah ditutup",
      "Jawapan anda telah disimpan dan tidak boleh diubah lagi. Terima "
      "kasih!",
      "Sila jawab soalan ini.",
      "Skor anda telah disimpan. Anda boleh memberitahu kami lebih lanjut "
      "di bawah.",
      "Sila sahkan jawapan anda dengan menghantar halaman ini.",
      "Anda boleh mengubah jawapan anda sehingga",
      "Sila semak jawapan yang ditandakan di bawah.",
      "Jawapan ini tidak sah.", "Satu soalan lagi, ya.", "pilihan"}},
    {"id",
     {"Kirim", "Bahasa", "Terima kasih!", "Tautan ini tidak berfungsi",
      "Pastikan Anda membuka tautan secara lengkap dari pesan Anda. Jika "
      "masih tidak berfungsi, mungkin ada salah ketik pada tautan.",
      "Tautan ini sudah kedaluwarsa",
      "Batas waktu untuk mengisi survei ini sudah lewat. Terima kasih.",
      "Survei ini sudah ditutup",
      "Jawaban Anda sudah tersimpan dan tidak dapat diubah lagi. Terima "
      "kasih!",
      "Mohon jawab pertanyaan ini.",
      "Nilai Anda sudah tersimpan. Ceritakan lebih lanjut di bawah ini.",
      "Mohon konfirmasi jawaban Anda dengan mengirim halaman ini.",
      "Anda dapat mengubah jawaban sampai",
      "Mohon periksa jawaban yang ditandai di bawah.",
      "Jawaban ini tidak valid.", "Satu pertanyaan lagi.", "opsional"}},
    {"vi",
     {"Gửi", "Ngôn ngữ", "Cảm ơn bạn!", "Liên kết này không hoạt động",
      "Vui lòng kiểm tra bạn đã mở đầy đủ liên kết trong tin nhắn. Nếu vẫn "
      "không được, có thể liên kết đã bị gõ sai.",
      "Liên kết này đã hết hạn",
      "Thời gian trả lời khảo sát này đã kết thúc. Dù sao cũng cảm ơn bạn.",
      "Khảo sát này đã đóng",
      "Câu trả lời của bạn đã được lưu và không thể thay đổi nữa. Cảm ơn "
      "bạn!",
      "Vui lòng trả lời câu hỏi này.",
      "Điểm của bạn đã được lưu. Bạn có thể chia sẻ thêm ở bên dưới.",
      "Vui lòng xác nhận câu trả lời bằng cách gửi trang này.",
      "Bạn có thể thay đổi câu trả lời đến",
      "Vui lòng kiểm tra các câu trả lời được đánh dấu bên dưới.",
      "Câu trả lời này không hợp lệ.", "Còn một câu hỏi nữa.",
      "không bắt buộc"}},
    {"fi",
     {"Lähetä", "Kieli", "Kiitos!", "Linkki ei toimi",
      "Tarkista, että avasit koko linkin viestistäsi. Jos se ei vieläkään "
      "toimi, linkissä voi olla kirjoitusvirhe.",
      "Linkki on vanhentunut",
      "Kyselyn vastausaika on päättynyt. Kiitos silti!",
      "Kysely on suljettu",
      "Vastauksesi on tallennettu, eikä sitä voi enää muuttaa. Kiitos!",
      "Vastaathan tähän kysymykseen.",
      "Arviosi on tallennettu. Voit kertoa lisää alla.",
      "Vahvista vastauksesi lähettämällä tämä sivu.",
      "Voit muuttaa vastaustasi asti",
      "Tarkista alla merkityt vastaukset.", "Vastaus ei kelpaa.",
      "Vielä yksi kysymys.", "vapaaehtoinen"}},
};

static const struct ui_lang *ui_for(const char *lang)
{
    for (size_t i = 0; lang && i < CXM_ARRAY_LEN(ui_langs); i++) {
        size_t n = strlen(ui_langs[i].code);
        if (strncmp(lang, ui_langs[i].code, n) == 0 &&
            (lang[n] == '\0' || lang[n] == '-'))
            return &ui_langs[i];
    }
    return &ui_langs[0];
}

/* ---- Page frame. */

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;color:#1a1a1a;background:#fff}"
    "main{max-width:40rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}"
    "nav{font-size:.9375rem;margin-bottom:1rem}"
    "nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;"
    "gap:.25rem .75rem}"
    "a{color:#0645ad}a[aria-current]{font-weight:700;color:#1a1a1a}"
    "fieldset{border:0;margin:0 0 1.5rem;padding:0;min-width:0}"
    "legend,.q{font-weight:600;margin-bottom:.5rem;padding:0}"
    ".scale{display:flex;flex-wrap:wrap;gap:.375rem}"
    ".scale label{position:relative;display:flex;align-items:center;"
    "justify-content:center;min-width:2.75rem;min-height:2.75rem;"
    "border:2px solid #4a4a4a;border-radius:.375rem;font-weight:600;"
    "cursor:pointer}"
    ".scale input{position:absolute;opacity:0;width:1px;height:1px}"
    ".scale input:checked+span{color:#fff}"
    ".scale label:has(input:checked){background:#0b57d0;border-color:#0b57d0;"
    "color:#fff}"
    ".scale input:focus-visible+span{outline:3px solid #c2410c;"
    "outline-offset:6px}"
    ".ends{display:flex;justify-content:space-between;font-size:.875rem;"
    "color:#4a4a4a;margin-top:.25rem}"
    ".opt{display:flex;gap:.5rem;align-items:flex-start;margin:.375rem 0}"
    ".opt input{width:1.25rem;height:1.25rem;margin:.125rem 0 0}"
    "textarea{width:100%;min-height:7rem;font:inherit;padding:.5rem;"
    "border:2px solid #4a4a4a;border-radius:.375rem}"
    "button{font:inherit;font-weight:600;color:#fff;background:#0b57d0;"
    "border:0;border-radius:.375rem;padding:.75rem 1.5rem;min-height:2.75rem;"
    "cursor:pointer}"
    "a:focus-visible,button:focus-visible,textarea:focus-visible,"
    "input:focus-visible{outline:3px solid #c2410c;outline-offset:2px}"
    ".err{color:#b00020;font-weight:600}"
    ".note{background:#eef3fd;border-left:4px solid #0b57d0;padding:.5rem "
    ".75rem}"
    "@media (min-width:40rem){main{padding:2rem 1rem}}";

static cxm_rc page_start(struct cxm__buf *b, const char *lang,
                         const char *title)
{
    cxm_rc rc = cxm__html_raw(b, "<!doctype html>\n<html lang=\"");

    if (!rc)
        rc = cxm__html_str(b, lang);
    if (!rc)
        rc = cxm__html_raw(b, "\"><head><meta charset=\"utf-8\">"
                              "<meta name=\"viewport\" content=\"width="
                              "device-width,initial-scale=1\">"
                              "<meta name=\"robots\" content=\"noindex\">"
                              "<title>");
    if (!rc)
        rc = cxm__html_str(b, title);
    if (!rc)
        rc = cxm__html_raw(b, "</title><style>");
    if (!rc)
        rc = cxm__html_raw(b, css);
    if (!rc)
        rc = cxm__html_raw(b, "</style></head><body><main>");
    return rc;
}

static cxm_rc page_end(struct cxm__buf *b)
{
    return cxm__html_raw(b, "</main></body></html>\n");
}

/* A page with a heading and one paragraph. */
static int message_page(struct cxm__http_resp *resp, int status,
                        const char *lang, const char *title,
                        const char *text, const char *extra)
{
    cxm_rc rc;

    cxm__buf_reset(&resp->body);
    resp->html = true;
    resp->content_type = "text/html; charset=utf-8";
    rc = page_start(&resp->body, lang, title);
    if (!rc)
        rc = cxm__html_raw(&resp->body, "<h1>");
    if (!rc)
        rc = cxm__html_str(&resp->body, title);
    if (!rc)
        rc = cxm__html_raw(&resp->body, "</h1><p>");
    if (!rc)
        rc = cxm__html_str(&resp->body, text);
    if (!rc)
        rc = cxm__html_raw(&resp->body, "</p>");
    if (!rc && extra) {
        rc = cxm__html_raw(&resp->body, "<p>");
        if (!rc)
            rc = cxm__html_str(&resp->body, extra);
        if (!rc)
            rc = cxm__html_raw(&resp->body, "</p>");
    }
    if (!rc)
        rc = page_end(&resp->body);
    return rc ? 500 : status;
}

int cxm__http_error_page(struct cxm__http_resp *resp, int status,
                         const char *title, const char *text)
{
    return resp->status = message_page(resp, status, "en", title, text,
                                       NULL);
}

int cxm__http_healthz(struct cxm__http_req *req, struct cxm__http_resp *resp)
{
    (void)req;
    resp->content_type = "text/plain; charset=utf-8";
    return cxm__buf_adds(&resp->body, "ok\n") ? 500 : 200;
}

/* ---- The survey page. */

/* What the page knows about one request. */
struct page {
    struct cxm__http_req *req;
    struct cxm__http_resp *resp;
    struct cxm__invite inv;
    cxm_survey *sv;
    const char *lang;        /* the page's language */
    const struct ui_lang *ui;
    const char *token;       /* borrowed from the path */
    json_t *answers;         /* borrowed: shown as selected */
    const char *bad[64];     /* ids of questions with a fault */
    const char *why[64];     /* and the fault */
    size_t n_bad;
    const char *note;        /* a line above the form, or NULL */
    int64_t edit_days;       /* the store's survey.edit_days */
};

static const char *fault_of(const struct page *pg, const char *qid)
{
    for (size_t i = 0; i < pg->n_bad; i++) {
        if (strcmp(pg->bad[i], qid) == 0)
            return pg->why[i];
    }
    return NULL;
}

static void add_fault(struct page *pg, const char *qid, const char *why)
{
    if (pg->n_bad < CXM_ARRAY_LEN(pg->bad)) {
        pg->bad[pg->n_bad] = qid;
        pg->why[pg->n_bad] = why;
        pg->n_bad++;
    }
}

static bool chosen(json_t *a, const char *opt)
{
    size_t i;
    json_t *v;

    if (json_is_string(a))
        return strcmp(json_string_value(a), opt) == 0;
    json_array_foreach(a, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), opt) == 0)
            return true;
    }
    return false;
}

/* The action URL of the form and the language links: /s/TOKEN?lang=L. */
static cxm_rc add_self(struct cxm__buf *b, const struct page *pg,
                       const char *lang)
{
    cxm_rc rc = cxm__html_raw(b, "/s/");

    if (!rc)
        rc = cxm__html_str(b, pg->token);
    if (!rc)
        rc = cxm__html_raw(b, "?lang=");
    if (!rc)
        rc = cxm__html_str(b, lang);
    return rc;
}

static cxm_rc add_question(struct cxm__buf *b, const struct page *pg,
                           const cxm_survey_question *q)
{
    const char *id = cxm_question_id(q);
    const char *fault = fault_of(pg, id);
    const char *lang = pg->lang;
    json_t *a = json_object_get(pg->answers, id);
    char num[32];
    cxm_rc rc = CXM_OK;
    int lo, hi;

#define OUT(x) (rc ? rc : (rc = (x)))
    switch (cxm_question_type_of(q)) {
    case CXM_QUESTION_TEXT:
        OUT(cxm__html_raw(b, "<div class=\"field\"><label class=\"q\" "
                             "for=\"q-"));
        OUT(cxm__html_str(b, id));
        OUT(cxm__html_raw(b, "\">"));
        OUT(cxm__html_str(b, cxm_question_text(q, lang)));
        if (!cxm_question_required(q)) {
            OUT(cxm__html_raw(b, " <small>("));
            OUT(cxm__html_str(b, pg->ui->text[UI_OPTIONAL]));
            OUT(cxm__html_raw(b, ")</small>"));
        }
        OUT(cxm__html_raw(b, "</label>"));
        if (fault) {
            OUT(cxm__html_raw(b, "<p class=\"err\" id=\"e-"));
            OUT(cxm__html_str(b, id));
            OUT(cxm__html_raw(b, "\">"));
            OUT(cxm__html_str(b, fault));
            OUT(cxm__html_raw(b, "</p>"));
        }
        OUT(cxm__html_raw(b, "<textarea id=\"q-"));
        OUT(cxm__html_str(b, id));
        OUT(cxm__html_raw(b, "\" name=\"q_"));
        OUT(cxm__html_str(b, id));
        snprintf(num, sizeof(num), "%d", cxm_question_max_length(q));
        OUT(cxm__html_raw(b, "\" maxlength=\""));
        OUT(cxm__html_raw(b, num));
        OUT(cxm__html_raw(b, "\""));
        if (fault) {
            OUT(cxm__html_raw(b, " aria-invalid=\"true\" aria-describedby="
                                 "\"e-"));
            OUT(cxm__html_str(b, id));
            OUT(cxm__html_raw(b, "\""));
        }
        OUT(cxm__html_raw(b, ">"));
        if (json_is_string(a))
            OUT(cxm__html_str(b, json_string_value(a)));
        OUT(cxm__html_raw(b, "</textarea></div>\n"));
        return rc;
    case CXM_QUESTION_RATING:
    case CXM_QUESTION_SINGLE:
    case CXM_QUESTION_MULTIPLE:
        break;
    }
    OUT(cxm__html_raw(b, "<fieldset"));
    if (fault) {
        OUT(cxm__html_raw(b, " aria-describedby=\"e-"));
        OUT(cxm__html_str(b, id));
        OUT(cxm__html_raw(b, "\""));
    }
    OUT(cxm__html_raw(b, "><legend>"));
    OUT(cxm__html_str(b, cxm_question_text(q, lang)));
    OUT(cxm__html_raw(b, "</legend>"));
    if (fault) {
        OUT(cxm__html_raw(b, "<p class=\"err\" id=\"e-"));
        OUT(cxm__html_str(b, id));
        OUT(cxm__html_raw(b, "\">"));
        OUT(cxm__html_str(b, fault));
        OUT(cxm__html_raw(b, "</p>"));
    }
    if (cxm_question_type_of(q) == CXM_QUESTION_RATING) {
        const char *low = cxm_question_label_low(q, lang);
        const char *high = cxm_question_label_high(q, lang);
        cxm_question_scale(q, &lo, &hi);
        OUT(cxm__html_raw(b, "<div class=\"scale\">"));
        for (int v = lo; v <= hi; v++) {
            snprintf(num, sizeof(num), "%d", v);
            OUT(cxm__html_raw(b, "<label><input type=\"radio\" name=\"q_"));
            OUT(cxm__html_str(b, id));
            OUT(cxm__html_raw(b, "\" value=\""));
            OUT(cxm__html_raw(b, num));
            OUT(cxm__html_raw(b, "\""));
            if (json_is_integer(a) && json_integer_value(a) == v)
                OUT(cxm__html_raw(b, " checked"));
            if (cxm_question_required(q))
                OUT(cxm__html_raw(b, " required"));
            OUT(cxm__html_raw(b, "><span>"));
            OUT(cxm__html_raw(b, num));
            OUT(cxm__html_raw(b, "</span></label>"));
        }
        OUT(cxm__html_raw(b, "</div>"));
        if (low || high) {
            OUT(cxm__html_raw(b, "<p class=\"ends\">"
                                 "<span>"));
            OUT(cxm__html_str(b, low ? low : ""));
            OUT(cxm__html_raw(b, "</span><span>"));
            OUT(cxm__html_str(b, high ? high : ""));
            OUT(cxm__html_raw(b, "</span></p>"));
        }
    } else {
        bool multi = cxm_question_type_of(q) == CXM_QUESTION_MULTIPLE;
        for (size_t i = 0; i < cxm_question_n_options(q); i++) {
            const char *opt = cxm_question_option_id(q, i);
            snprintf(num, sizeof(num), "%zu", i);
            OUT(cxm__html_raw(b, "<div class=\"opt\"><input type=\""));
            OUT(cxm__html_raw(b, multi ? "checkbox" : "radio"));
            OUT(cxm__html_raw(b, "\" id=\"q-"));
            OUT(cxm__html_str(b, id));
            OUT(cxm__html_raw(b, "-"));
            OUT(cxm__html_raw(b, num));
            OUT(cxm__html_raw(b, "\" name=\"q_"));
            OUT(cxm__html_str(b, id));
            OUT(cxm__html_raw(b, "\" value=\""));
            OUT(cxm__html_str(b, opt));
            OUT(cxm__html_raw(b, "\""));
            if (a && chosen(a, opt))
                OUT(cxm__html_raw(b, " checked"));
            OUT(cxm__html_raw(b, "><label for=\"q-"));
            OUT(cxm__html_str(b, id));
            OUT(cxm__html_raw(b, "-"));
            OUT(cxm__html_raw(b, num));
            OUT(cxm__html_raw(b, "\">"));
            OUT(cxm__html_str(b, cxm_question_option_text(q, i, lang)));
            OUT(cxm__html_raw(b, "</label></div>"));
        }
    }
    OUT(cxm__html_raw(b, "</fieldset>\n"));
#undef OUT
    return rc;
}

/* The survey form: the questions shown for pg->answers. */
static int render_form(struct page *pg, int status)
{
    struct cxm__buf *b = &pg->resp->body;
    const char *title = cxm_survey_title(pg->sv, pg->lang);
    const char *intro = cxm_survey_intro(pg->sv, pg->lang);
    struct cxm__buf shown_ids = CXM__BUF_INIT(8192);
    cxm_rc rc;

    cxm__buf_reset(b);
    pg->resp->html = true;
    pg->resp->content_type = "text/html; charset=utf-8";
    rc = page_start(b, pg->lang, title);
#define OUT(x) (rc ? rc : (rc = (x)))
    /* The language switch: plain links, the current one marked. */
    if (cxm_survey_n_languages(pg->sv) > 1) {
        OUT(cxm__html_raw(b, "<nav aria-label=\""));
        OUT(cxm__html_str(b, pg->ui->text[UI_LANGUAGE]));
        OUT(cxm__html_raw(b, "\"><ul>"));
        for (size_t i = 0; i < cxm_survey_n_languages(pg->sv); i++) {
            const char *l = cxm_survey_language(pg->sv, i);
            OUT(cxm__html_raw(b, "<li><a lang=\""));
            OUT(cxm__html_str(b, l));
            OUT(cxm__html_raw(b, "\" hreflang=\""));
            OUT(cxm__html_str(b, l));
            OUT(cxm__html_raw(b, "\" href=\""));
            OUT(add_self(b, pg, l));
            OUT(cxm__html_raw(b, "\""));
            if (strcmp(l, pg->lang) == 0)
                OUT(cxm__html_raw(b, " aria-current=\"page\""));
            OUT(cxm__html_raw(b, ">"));
            OUT(cxm__html_str(b, l));
            OUT(cxm__html_raw(b, "</a></li>"));
        }
        OUT(cxm__html_raw(b, "</ul></nav>"));
    }
    OUT(cxm__html_raw(b, "<h1>"));
    OUT(cxm__html_str(b, title));
    OUT(cxm__html_raw(b, "</h1>"));
    if (intro) {
        OUT(cxm__html_raw(b, "<p>"));
        OUT(cxm__html_str(b, intro));
        OUT(cxm__html_raw(b, "</p>"));
    }
    if (pg->note) {
        OUT(cxm__html_raw(b, "<p class=\"note\" role=\"status\">"));
        OUT(cxm__html_str(b, pg->note));
        OUT(cxm__html_raw(b, "</p>"));
    }
    if (pg->n_bad) {
        OUT(cxm__html_raw(b, "<p class=\"err\" role=\"alert\">"));
        OUT(cxm__html_str(b, pg->ui->text[UI_CHECK]));
        OUT(cxm__html_raw(b, "</p>"));
    }
    OUT(cxm__html_raw(b, "<form method=\"post\" action=\""));
    OUT(add_self(b, pg, pg->lang));
    OUT(cxm__html_raw(b, "\">\n"));
    for (size_t i = 0; i < cxm_survey_n_questions(pg->sv); i++) {
        const cxm_survey_question *q = cxm_survey_question_at(pg->sv, i);
        if (!cxm__question_shown(q, pg->answers))
            continue;
        OUT(add_question(b, pg, q));
        if (shown_ids.len)
            OUT(cxm__buf_addc(&shown_ids, ' '));
        OUT(cxm__buf_adds(&shown_ids, cxm_question_id(q)));
    }
    OUT(cxm__html_raw(b, "<input type=\"hidden\" name=\"shown\" value=\""));
    OUT(cxm__html_str(b, shown_ids.data ? shown_ids.data : ""));
    OUT(cxm__html_raw(b, "\"><button type=\"submit\">"));
    OUT(cxm__html_str(b, pg->ui->text[UI_SEND]));
    OUT(cxm__html_raw(b, "</button></form>"));
    OUT(page_end(b));
#undef OUT
    cxm__buf_release(&shown_ids);
    return rc ? 500 : status;
}

/* The survey's own copy of language code l (it outlives the request's
 * invitation, which a writer job reads again), or NULL. */
static const char *survey_lang(const cxm_survey *sv, const char *l)
{
    for (size_t i = 0; l && i < cxm_survey_n_languages(sv); i++) {
        if (strcmp(cxm_survey_language(sv, i), l) == 0)
            return cxm_survey_language(sv, i);
    }
    return NULL;
}

/* The language of the page: ?lang= when the survey has it, else the
 * invitation's, else the survey's default. */
static const char *page_lang(struct cxm__http_req *req, const cxm_survey *sv,
                             const struct cxm__invite *inv)
{
    const char *l = survey_lang(sv, req->arg(req, "lang"));

    if (!l)
        l = survey_lang(sv, inv->language);
    return l ? l : cxm_survey_default_language(sv);
}

static int closed_page(struct page *pg, int status)
{
    return message_page(pg->resp, status, pg->lang,
                        pg->ui->text[UI_CLOSED_TITLE],
                        pg->ui->text[UI_CLOSED_TEXT], NULL);
}

/* Loads the invitation and its survey. Returns 0, or the status of the
 * page already rendered (404 for a link that is not one). */
static int page_open(struct page *pg, cxm_store *st,
                     struct cxm__http_req *req, struct cxm__http_resp *resp)
{
    const char *l = req->arg(req, "lang");
    cxm_rc rc;

    memset(pg, 0, sizeof(*pg));
    pg->req = req;
    pg->resp = resp;
    pg->token = req->tail;
    pg->ui = ui_for(l);
    pg->lang = pg->ui->code;
    rc = cxm__invite_load(st, req->tail, strlen(req->tail), &pg->inv);
    if (rc == CXM_ENOTFOUND)
        return message_page(resp, 404, pg->lang,
                            pg->ui->text[UI_INVALID_TITLE],
                            pg->ui->text[UI_INVALID_TEXT], NULL);
    if (!rc)
        rc = cxm_survey_get(st, pg->inv.survey_id, pg->inv.survey_version,
                            &pg->sv);
    if (rc)
        return cxm__http_error_page(resp, 503, "Please try again",
                                    "The survey cannot be shown just now.");
    pg->lang = page_lang(req, pg->sv, &pg->inv);
    pg->ui = ui_for(pg->lang);
    pg->answers = pg->inv.answers;
    return 0;
}

static void page_close(struct page *pg)
{
    cxm__invite_release(&pg->inv);
    cxm_survey_free(pg->sv);
}

/* Whether the link can take an answer now: 0, or the page rendered.
 * Reads the edit window. */
static int page_state(struct page *pg, cxm_store *st, int64_t now,
                      int closed_status)
{
    if (cxm__config_int(st, "survey.edit_days",
                        &pg->edit_days))
        pg->edit_days = 7;
    if (pg->inv.has_answers) {
        if (now >= pg->inv.first_at + pg->edit_days * CXM__MS_PER_DAY)
            return closed_page(pg, closed_status);
        return 0;
    }
    if (now >= pg->inv.expires_at)
        return message_page(pg->resp, 410, pg->lang,
                            pg->ui->text[UI_EXPIRED_TITLE],
                            pg->ui->text[UI_EXPIRED_TEXT], NULL);
    return 0;
}

/* Opens the page through a read connection: the invitation, its survey
 * and whether it takes an answer. 0, or the status of the page rendered. */
static int page_begin(struct page *pg, struct cxm__http_req *req,
                      struct cxm__http_resp *resp, int closed_status)
{
    cxm_store *st = cxm__read_begin(req->ctx);
    int status;

    status = page_open(pg, st, req, resp);
    if (!status)
        status = page_state(pg, st, req->now, closed_status);
    cxm__read_end(req->ctx, st);
    return status;
}

/* A one-click score or a submission, as a job of the writer: the
 * invitation is read again inside the transaction, so two answers through
 * one link never overwrite each other's edits. */
struct answer_job {
    struct page *pg;
    const cxm_survey_question *q; /* click: the question */
    int score;                    /* click: the score */
    json_t *answers;              /* submission: owned until used */
    enum cxm__click what;         /* click: OUT */
};

static cxm_rc answer_job_run(cxm_store *st, void *ud)
{
    struct answer_job *j = ud;
    struct page *pg = j->pg;
    json_t *a = j->answers;
    cxm_rc rc;

    cxm__invite_release(&pg->inv);
    rc = cxm__invite_load(st, pg->token, strlen(pg->token), &pg->inv);
    if (rc)
        return rc == CXM_ENOTFOUND ? CXM_ESTORE : rc;
    pg->answers = pg->inv.answers;
    if (!a) {
        rc = cxm__send_opened(st, pg->inv.id, pg->req->now);
        return rc ? rc
                  : cxm__invite_click(st, &pg->inv, pg->sv, j->q, j->score,
                                      pg->req->now, &j->what);
    }
    j->answers = NULL; /* stolen */
    return cxm__invite_submit(st, &pg->inv, pg->sv, a, pg->req->now);
}

/* The page's first view: the sent messages of the invitation not yet
 * opened are marked opened, as a job of the writer (an UPDATE that finds
 * nothing to mark writes nothing, so a later view costs no fsync). */
struct opened_job {
    const char *invitation_id;
    int64_t now;
};

static cxm_rc opened_job_run(cxm_store *st, void *ud)
{
    struct opened_job *j = ud;

    return cxm__send_opened(st, j->invitation_id, j->now);
}

/* The first rating question, or the one ?q= names. */
static const cxm_survey_question *click_question(struct page *pg)
{
    const char *qid = pg->req->arg(pg->req, "q");

    for (size_t i = 0; i < cxm_survey_n_questions(pg->sv); i++) {
        const cxm_survey_question *q = cxm_survey_question_at(pg->sv, i);
        if (cxm_question_type_of(q) != CXM_QUESTION_RATING)
            continue;
        if (!qid || strcmp(qid, cxm_question_id(q)) == 0)
            return q;
    }
    return NULL;
}

int cxm__http_survey_get(struct cxm__http_req *req,
                         struct cxm__http_resp *resp)
{
    struct cxm__http_ctx *ctx = req->ctx;
    const char *score = req->arg(req, "score");
    bool head = strcmp(req->method, "HEAD") == 0;
    struct page pg;
    int status;

    status = page_begin(&pg, req, resp, score ? 410 : 200);
    if (status)
        goto out;
    if (pg.inv.held)
        pg.note = pg.ui->text[UI_HELD];
    if (score) {
        const cxm_survey_question *q = click_question(&pg);
        int64_t v;
        int lo = 0, hi = -1;
        if (q)
            cxm_question_scale(q, &lo, &hi);
        if (!q || cxm__parse_i64(score, strlen(score), &v) || v < lo ||
            v > hi) {
            if (q)
                add_fault(&pg, cxm_question_id(q), pg.ui->text[UI_BAD_VALUE]);
            status = render_form(&pg, 400);
            goto out;
        }
        if (!head) {
            struct answer_job j = {&pg, q, (int)v, NULL, CXM__CLICK_RECORDED};
            if (cxm__writer_run(ctx->writer, answer_job_run, &j)) {
                status = cxm__http_error_page(resp, 503, "Please try again",
                                              "Your answer could not be "
                                              "saved just now.");
                goto out;
            }
            pg.answers = pg.inv.answers;
            pg.note = j.what == CXM__CLICK_HELD ? pg.ui->text[UI_HELD]
                                                : pg.ui->text[UI_SAVED];
        } else {
            /* HEAD: the page as it would be, nothing recorded (not even
             * opened: a HEAD is a link checker's, not a reader's). */
            json_t *a = json_deep_copy(pg.inv.answers);
            if (a && !json_object_set_new(a, cxm_question_id(q),
                                          json_integer(v))) {
                json_decref(pg.inv.answers);
                pg.inv.answers = a;
                pg.answers = a;
            } else
                json_decref(a);
        }
    }
    if (!score && !head && !pg.inv.has_answers) {
        /* A failure to mark it opened does not keep the page from its
         * reader. */
        struct opened_job oj = {pg.inv.id, req->now};
        if (cxm__writer_run(ctx->writer, opened_job_run, &oj)) {
            /* shown all the same */
        }
    }
    status = render_form(&pg, 200);
out:
    page_close(&pg);
    return status;
}

/* Counts the characters of UTF-8 text. */
static size_t n_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static bool plain_text(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return false;
    }
    return true;
}

/* Reads the answer to q from the form into `answers`. */
static void read_answer(struct page *pg, const struct cxm__form *f,
                        const cxm_survey_question *q, json_t *answers)
{
    char name[CXM_HTTP_MAX_FIELD_NAME + 4];
    const char *id = cxm_question_id(q);
    const char *v;
    int lo, hi;

    snprintf(name, sizeof(name), "q_%s", id);
    v = cxm__form_get(f, name);
    switch (cxm_question_type_of(q)) {
    case CXM_QUESTION_RATING: {
        int64_t n;
        if (!v || !*v)
            break;
        cxm_question_scale(q, &lo, &hi);
        if (cxm__parse_i64(v, strlen(v), &n) || n < lo || n > hi) {
            add_fault(pg, id, pg->ui->text[UI_BAD_VALUE]);
            return;
        }
        json_object_set_new(answers, id, json_integer(n));
        return;
    }
    case CXM_QUESTION_SINGLE:
        if (!v || !*v)
            break;
        for (size_t i = 0; i < cxm_question_n_options(q); i++) {
            if (strcmp(v, cxm_question_option_id(q, i)) == 0) {
                json_object_set_new(answers, id, json_string(v));
                return;
            }
        }
        add_fault(pg, id, pg->ui->text[UI_BAD_VALUE]);
        return;
    case CXM_QUESTION_MULTIPLE: {
        json_t *arr = json_array();
        for (size_t k = 0; arr && k < f->n; k++) {
            bool ok = false;
            if (strcmp(f->fields[k].name, name) != 0)
                continue;
            for (size_t i = 0; i < cxm_question_n_options(q); i++)
                ok = ok || strcmp(f->fields[k].value,
                                  cxm_question_option_id(q, i)) == 0;
            if (!ok || chosen(arr, f->fields[k].value)) {
                add_fault(pg, id, pg->ui->text[UI_BAD_VALUE]);
                json_decref(arr);
                return;
            }
            json_array_append_new(arr, json_string(f->fields[k].value));
        }
        if (!arr)
            return;
        if (json_array_size(arr) >
            (size_t)cxm_question_max_choices(q)) {
            add_fault(pg, id, pg->ui->text[UI_BAD_VALUE]);
            json_decref(arr);
            return;
        }
        if (json_array_size(arr) == 0) {
            json_decref(arr);
            break;
        }
        json_object_set_new(answers, id, arr);
        return;
    }
    case CXM_QUESTION_TEXT:
        if (!v || !*v)
            break;
        if (!plain_text(v) ||
            n_chars(v) > (size_t)cxm_question_max_length(q)) {
            add_fault(pg, id, pg->ui->text[UI_BAD_VALUE]);
            return;
        }
        json_object_set_new(answers, id, json_string(v));
        return;
    }
    if (cxm_question_required(q))
        add_fault(pg, id, pg->ui->text[UI_REQUIRED]);
}

/* Whether question id was on the page the customer sent ("shown"). */
static bool was_shown(const char *list, const char *id)
{
    size_t n = strlen(id);

    for (const char *p = list; p && *p;) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        if (len == n && strncmp(p, id, n) == 0)
            return true;
        p += len + (sp ? 1 : 0);
    }
    return false;
}

int cxm__http_survey_post(struct cxm__http_req *req,
                          struct cxm__http_resp *resp)
{
    struct cxm__http_ctx *ctx = req->ctx;
    struct cxm__form form;
    struct page pg;
    json_t *answers = NULL;
    const char *shown_list;
    bool more = false;
    int status;
    cxm_rc rc;

    if (strncmp(req->content_type, "application/x-www-form-urlencoded",
                33) != 0)
        return cxm__http_error_page(resp, 415, "Unsupported form",
                                    "The survey takes a plain HTML form.");
    rc = cxm__form_parse(req->body, req->body_len, &form);
    if (rc) {
        cxm__form_release(&form);
        return rc == CXM_ETOOBIG
                   ? cxm__http_error_page(resp, 413, "Too large",
                                          "The answer is longer than this "
                                          "survey takes.")
                   : cxm__http_error_page(resp, 400, "Bad form",
                                          "The form could not be read.");
    }
    status = page_begin(&pg, req, resp, 410);
    if (status)
        goto out;
    answers = json_object();
    if (!answers) {
        status = 500;
        goto out;
    }
    shown_list = cxm__form_get(&form, "shown");
    /* In order: a follow-up's condition is on an earlier question. */
    for (size_t i = 0; i < cxm_survey_n_questions(pg.sv); i++) {
        const cxm_survey_question *q = cxm_survey_question_at(pg.sv, i);
        if (!cxm__question_shown(q, answers))
            continue;
        if (!was_shown(shown_list, cxm_question_id(q)) &&
            cxm_question_show_if(q)) {
            more = true; /* a follow-up the sent page did not have */
            continue;
        }
        read_answer(&pg, &form, q, answers);
    }
    if (pg.n_bad) {
        pg.answers = answers;
        status = render_form(&pg, 400);
        goto out;
    }
    {
        struct answer_job j = {&pg, NULL, 0, answers, CXM__CLICK_RECORDED};
        rc = cxm__writer_run(ctx->writer, answer_job_run, &j);
        answers = j.answers; /* NULL once the job took them */
    }
    if (rc) {
        status = cxm__http_error_page(resp, 503, "Please try again",
                                      "Your answer could not be saved just "
                                      "now.");
        goto out;
    }
    pg.answers = pg.inv.answers;
    if (more) {
        pg.note = pg.ui->text[UI_MORE];
        status = render_form(&pg, 200);
        goto out;
    }
    {
        char until[40], line[160];
        int64_t edit_days = pg.edit_days;
        cxm_time_format(pg.inv.first_at + edit_days * CXM__MS_PER_DAY,
                        until, sizeof(until));
        snprintf(line, sizeof(line), "%s %.10s.", pg.ui->text[UI_EDIT_UNTIL],
                 until);
        status = message_page(resp, 200, pg.lang, pg.ui->text[UI_THANKS],
                              cxm_survey_thanks(pg.sv, pg.lang)
                                  ? cxm_survey_thanks(pg.sv, pg.lang)
                                  : pg.ui->text[UI_THANKS],
                              edit_days > 0 ? line : NULL);
    }
out:
    json_decref(answers);
    page_close(&pg);
    cxm__form_release(&form);
    return status;
}
