/* SPDX-License-Identifier: MIT
 *
 * demo.c — a realistic, deterministic demo data set: the nine record kinds
 * of SPEC §1 as CSV files, for a support organisation in South-East Asia and
 * Finland. One pass over the days of the span writes tickets, responses,
 * self-service sessions, agent hours, reviews and QA scores in time order;
 * a second pass writes customers and their orders, whose churn depends on
 * what happened to them in the first. Customer attributes are a pure
 * function of (seed, index), so memory stays at four bytes per customer;
 * rows are formatted by hand into large buffers (no printf, no locale).
 */
#include "internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "civil.h"

/* Byte-identical output on every platform needs IEEE arithmetic exactly as
 * written: no fused multiply-add (GCC in ISO C mode never contracts). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- Shape of the data. */

#define HOUR_S 3600.0
#define DEFAULT_TICKETS 5000
#define DEFAULT_SPAN_DAYS 730
#define MAX_SPAN_DAYS 36500 /* customers' day numbers fit in uint16_t */
#define MAX_TICKETS UINT64_C(1000000000)
#define MAX_TEAMS 6
#define MAX_ORDERS_PER_CUSTOMER 400
#define PRE_SPAN_YEARS 3 /* customers acquired before the span */
#define ACQ_PRE_SHARE 0.35 /* of customers acquired before the span */
#define ACQ_GROWTH 1.0 /* acquisition rate grows by this over the span */
#define GAP_TEAM 2   /* logistics: the team of the planted incident */
#define GAP_DAYS 21  /* three ISO weeks of staffing gap */
#define GAP_AT 0.7   /* it starts on the first Monday this far into the span */
#define GAP_MIN_SPAN 120 /* shorter spans have no incident */
#define BIG_BUF (1u << 20)
#define SMALL_BUF (64u << 10)

/* 2026-11-01T00:00:00Z */
#define DEFAULT_END_MS INT64_C(1793491200000)
/* 9000-01-01T00:00:00Z: keeps every year at four digits */
#define MAX_END_MS INT64_C(221845392000000)

enum { CH_EMAIL, CH_CHAT, CH_PHONE, CH_SOCIAL, CH_WEB, N_CH };
enum {
    TP_BILLING,
    TP_DELIVERY,
    TP_RETURNS,
    TP_ACCOUNT,
    TP_TECHNICAL,
    TP_PRODUCT,
    N_TP
};
enum { LANG_EN, LANG_MS, LANG_ID, LANG_VI, LANG_FI, N_LANG };
enum { SEG_CONSUMER, SEG_SMB, SEG_ENTERPRISE, N_SEG };
enum { CO_MY, CO_ID, CO_VN, CO_FI, CO_SG, CO_TH, CO_PH, CO_SE, N_CO };
enum { KIND_FAQ, KIND_KB, KIND_CHATBOT, KIND_IVR, N_KIND };
enum { SENT_NEG, SENT_NEU, SENT_POS, N_SENT };

enum {
    F_TICKETS,
    F_RESPONSES,
    F_CUSTOMERS,
    F_ORDERS,
    F_SELFSERVICE,
    F_AGENTS,
    F_AGENT_HOURS,
    F_REVIEWS,
    F_QA_SCORES,
    N_FILES
};

static const struct {
    const char *name;
    const char *header;
    size_t buf_size;
} file_specs[N_FILES] = {
    {"tickets.csv",
     "ticket_id,created_at,customer_id,agent_id,team,channel,"
     "first_response_at,resolved_at,status,contacts,reopened,escalated,"
     "complaint,topic\n",
     BIG_BUF},
    {"responses.csv",
     "response_id,survey,responded_at,question,score,scale,comment,"
     "ticket_id,customer_id,agent_id,team,channel,language\n",
     BIG_BUF},
    {"customers.csv",
     "customer_id,acquired_at,churned_at,segment,country,email,phone,"
     "language\n",
     BIG_BUF},
    {"orders.csv", "order_id,customer_id,ordered_at,amount,currency\n",
     BIG_BUF},
    {"selfservice.csv",
     "session_id,started_at,customer_id,kind,resolved,topic\n", BIG_BUF},
    {"agents.csv", "agent_id,team,hired_at,left_at\n", SMALL_BUF},
    {"agent_hours.csv", "agent_id,date,hours\n", SMALL_BUF},
    {"reviews.csv",
     "review_id,posted_at,rating,source,scale_max,text,language\n",
     SMALL_BUF},
    {"qa_scores.csv", "ticket_id,reviewer,score,max_score,reviewed_at\n",
     SMALL_BUF},
};

static const char *const channel_names[N_CH] = {"email", "chat", "phone",
                                                "social", "web"};
/* Channel mix at the start and at the end of the span (per mille). */
static const double channel_w0[N_CH] = {370, 230, 210, 70, 120};
static const double channel_w1[N_CH] = {280, 330, 150, 100, 140};
/* First response and resolution (after the first response): median
 * seconds and log-normal sigma. */
static const double frt_median[N_CH] = {4 * HOUR_S, 90, 40, 0.8 * HOUR_S,
                                        6 * HOUR_S};
static const double frt_sigma[N_CH] = {0.9, 0.7, 0.8, 0.9, 0.9};
static const double res_median[N_CH] = {12 * HOUR_S, 900, 600,
                                        5 * HOUR_S, 22 * HOUR_S};
static const double res_sigma[N_CH] = {1.0, 1.0, 1.1, 1.1, 1.0};
static const double channel_sat[N_CH] = {-0.15, 0.25, 0.15, -0.2, -0.05};

static const char *const topic_names[N_TP] = {
    "billing", "delivery", "returns", "account", "technical", "product"};
static const double topic_w[N_TP] = {22, 25, 15, 13, 15, 10};
static const double topic_res_mult[N_TP] = {1.0, 1.3, 1.6, 0.8, 2.0, 0.9};
static const double topic_sat[N_TP] = {-0.1, -0.15, -0.05, 0.05, -0.15, 0.1};
static const double topic_escalate[N_TP] = {0.04, 0.03, 0.05, 0.07, 0.13,
                                            0.04};

static const char *const team_names[MAX_TEAMS] = {
    "frontline", "billing", "logistics", "technical", "social", "enterprise"};
static const double team_w[MAX_TEAMS] = {28, 18, 22, 18, 8, 6};
static const int topic_team[N_TP] = {1, 2, 2, 3, 3, 0};

static const char *const lang_names[N_LANG] = {"en", "ms", "id", "vi", "fi"};
static const char *const segment_names[N_SEG] = {"consumer", "smb",
                                                 "enterprise"};
static const int segment_cum[N_SEG] = {70, 92, 100}; /* percent */
static const double segment_sat[N_SEG] = {0.0, -0.05, -0.15};
static const double segment_churn_year[N_SEG] = {0.22, 0.14, 0.07};
static const double segment_order_gap[N_SEG] = {170, 80, 35}; /* days */
static const double segment_order_cents[N_SEG] = {4500, 32000, 240000};

static const char *const country_names[N_CO] = {"MY", "ID", "VN", "FI",
                                                "SG", "TH", "PH", "SE"};
static const double country_w[N_CO] = {28, 24, 20, 12, 6, 4, 3, 3};
static const int country_cum[N_CO] = {28, 52, 72, 84, 90, 94, 97, 100};
static const char *const country_phone[N_CO] = {"+60",  "+62", "+84",
                                                "+358", "+65", "+66",
                                                "+63",  "+46"};
/* Share (per mille) of a country's customers who use the local language
 * rather than English. */
static const int country_local_lang[N_CO] = {LANG_MS, LANG_ID, LANG_VI,
                                             LANG_FI, LANG_EN, LANG_EN,
                                             LANG_EN, LANG_EN};
static const double country_local_share[N_CO] = {0.55, 0.85, 0.85, 0.8,
                                                 0,    0,    0,    0};

static const char *const kind_names[N_KIND] = {"faq", "kb", "chatbot",
                                               "ivr"};
static const double kind_w0[N_KIND] = {32, 26, 20, 22};
static const double kind_w1[N_KIND] = {27, 24, 38, 11};

static const char *const review_sources[3] = {"google", "appstore",
                                              "trustpilot"};
static const double source_w[3] = {45, 35, 20};
static const char *const qa_reviewers[4] = {"qa.hanna", "qa.rudy",
                                            "qa.thu", "qa.aziz"};
static const char *const comm_questions[3] = {
    "How clear was the agent's explanation?",
    "How polite was the agent?",
    "Did we keep you informed?",
};

/* Agents' names, by origin: first names, then last names. */
static const char *const first_names[4][10] = {
    {"siti", "aisyah", "nurul", "hafiz", "farid", "amir", "zul", "aina",
     "hakim", "liyana"},
    {"budi", "dewi", "rizky", "agus", "putri", "sari", "andi", "indah",
     "yoga", "fitri"},
    {"linh", "minh", "thao", "quang", "huong", "tuan", "lan", "duc", "mai",
     "khanh"},
    {"aino", "mikko", "ville", "emma", "leo", "helmi", "juha", "sanna",
     "eero", "laura"},
};
static const char *const last_names[4][8] = {
    {"rahman", "ismail", "hassan", "tan", "lim", "abdullah", "yusof",
     "wong"},
    {"santoso", "wijaya", "pratama", "saputra", "hidayat", "kusuma",
     "lestari", "nugroho"},
    {"nguyen", "tran", "pham", "le", "hoang", "vu", "dang", "bui"},
    {"virtanen", "korhonen", "nieminen", "makinen", "hamalainen", "laine",
     "heikkinen", "koskinen"},
};

/* Survey comments and review texts: real phrases, with the commas, quotes
 * and (when two are joined) newlines that real exports carry. */
#define N_PHRASES 6
static const char *const phrases[N_LANG][N_SENT][N_PHRASES] = {
    [LANG_EN] =
        {
            {"Waited three days for a reply, not acceptable.",
             "I was told \"someone will call you back\" and nobody did.",
             "Still not fixed. Very disappointed.",
             "Had to contact you four times, please improve.",
             "The agent closed my ticket without asking me.",
             "Refund still missing, this is the second time!"},
            {"It was okay, but it took a while.",
             "Solved in the end, though I had to explain twice.",
             "Average experience.", "Fine, nothing special.",
             "The answer was correct but a bit \"copy-paste\".",
             "Quick reply, slow fix."},
            {"Great service, thank you!", "Quick and friendly help.",
             "The agent was patient and explained everything clearly.",
             "Problem solved on the first call, very happy.",
             "Excellent support, would recommend.",
             "She said \"no worries\" and fixed it in minutes."},
        },
    [LANG_MS] =
        {
            {"Saya menunggu tiga hari untuk jawapan, tidak boleh diterima.",
             "Masalah masih belum selesai, sangat kecewa.",
             "Ejen kata \"tunggu sekejap\", tapi tiada siapa hubungi saya.",
             "Terpaksa hubungi empat kali, tolong perbaiki.",
             "Bayaran balik belum diterima lagi!",
             "Tiket saya ditutup tanpa penjelasan."},
            {"Boleh tahan, tetapi agak lambat.",
             "Masalah selesai, tapi saya perlu menunggu lama.",
             "Biasa sahaja.", "Jawapan betul, tapi kurang jelas.",
             "Cepat dibalas, lambat diselesaikan.",
             "Okey, tiada masalah besar."},
            {"Terima kasih, masalah saya selesai dengan cepat",
             "Perkhidmatan yang sangat baik, terima kasih!",
             "Ejen sangat membantu dan mesra.",
             "Penjelasan yang jelas, saya berpuas hati.",
             "Cepat, mudah dan sopan. Syabas!",
             "Dia kata \"jangan risau\" dan terus selesaikan."},
        },
    [LANG_ID] =
        {
            {"Sudah tiga hari belum ada balasan, mengecewakan.",
             "Masalahnya belum selesai juga, kecewa sekali.",
             "Katanya \"akan dihubungi kembali\", tapi tidak ada yang "
             "menelepon.",
             "Harus menghubungi empat kali, tolong diperbaiki.",
             "Dana saya belum kembali!",
             "Tiket saya ditutup tanpa penjelasan."},
            {"Lumayan, tapi agak lama menunggu.",
             "Sudah beres, walaupun harus menjelaskan dua kali.",
             "Biasa saja.", "Jawabannya benar, tapi kurang jelas.",
             "Balasan cepat, penyelesaian lambat.",
             "Oke, tidak ada masalah besar."},
            {"Terima kasih, pelayanannya cepat dan ramah!",
             "Masalah saya langsung selesai, mantap.",
             "Agennya sabar sekali dan menjelaskan dengan jelas.",
             "Sangat puas, terima kasih banyak.",
             "Cepat, mudah, dan sopan.",
             "Katanya \"tidak apa-apa\", lalu langsung diperbaiki."},
        },
    [LANG_VI] =
        {
            {"Tôi đã chờ ba ngày mà không có phản hồi, thật thất vọng.",
             "Vấn đề vẫn chưa được giải quyết, rất thất vọng.",
             "Họ nói \"sẽ gọi lại\", nhưng không ai gọi cả.",
             "Phải liên hệ bốn lần, mong cải thiện.",
             "Tôi vẫn chưa nhận được tiền hoàn lại!",
             "Yêu cầu của tôi bị đóng mà không giải thích."},
            {"Tạm được, nhưng hơi chậm.",
             "Đã giải quyết xong, nhưng tôi phải giải thích hai lần.",
             "Bình thường.", "Câu trả lời đúng nhưng chưa rõ ràng.",
             "Trả lời nhanh, xử lý chậm.", "Ổn, không có vấn đề gì lớn."},
            {"Nhân viên rất nhiệt tình",
             "Cảm ơn, vấn đề của tôi đã được giải quyết nhanh chóng!",
             "Hỗ trợ rất tốt, tôi rất hài lòng.",
             "Nhân viên kiên nhẫn, giải thích rõ ràng.",
             "Nhanh, dễ dàng và lịch sự.",
             "Bạn ấy nói \"đừng lo\" và xử lý ngay."},
        },
    [LANG_FI] =
        {
            {"Odotin vastausta kolme päivää, ei hyvä.",
             "Ongelma ei vieläkään ratkennut, todella pettynyt.",
             "Luvattiin \"soitamme takaisin\", mutta kukaan ei soittanut.",
             "Jouduin ottamaan yhteyttä neljä kertaa, parantakaa.",
             "Hyvitys puuttuu yhä!",
             "Tikettini suljettiin kysymättä."},
            {"Ihan ok, mutta kesti vähän liian kauan.",
             "Ratkesi lopulta, vaikka jouduin selittämään kahdesti.",
             "Keskinkertainen kokemus.",
             "Vastaus oli oikea, mutta vähän epäselvä.",
             "Nopea vastaus, hidas korjaus.", "Ihan hyvä, ei valittamista."},
            {"Kiitos nopeasta avusta",
             "Erittäin ystävällinen ja asiantunteva palvelu!",
             "Ongelma ratkesi heti, kiitos.",
             "Selkeät ohjeet, olen tyytyväinen.",
             "Nopeaa, helppoa ja kohteliasta.",
             "Hän sanoi \"ei hätää\" ja korjasi asian hetkessä."},
        },
};

/* ---- Arithmetic that gives the same bits everywhere.
 *
 * exp() and log() from + - * / only: libm does not promise the same last
 * bit across vendors or CPUs (glibc picks FMA code paths at run time), and
 * one differing bit can change a rounded timestamp. About 1e-9 relative
 * error, plenty for durations; sqrt() and floor() are exact by IEEE 754.
 */

/* 2^(j/32), j = 0..31, correctly rounded. */
static const double exp2_32[32] = {
    0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0,
    0x1.11301d0125b51p+0, 0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0,
    0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0, 0x1.306fe0a31b715p+0,
    0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
    0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0,
    0x1.6247eb03a5585p+0, 0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0,
    0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0, 0x1.8ace5422aa0dbp+0,
    0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0,
    0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0,
    0x1.cb720dcef9069p+0, 0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0,
    0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0,
};

static double dexp(double x)
{
    int64_t k;
    double r, p, scale;
    uint64_t bits;

    x = x < -700 ? -700 : x > 700 ? 700 : x;
    /* x = k ln2/32 + r, k the nearest integer (conversion truncates) */
    k = (int64_t)(x * 46.16624130844683 + (x < 0 ? -0.5 : 0.5));
    r = x - (double)k * 0x1.62e42fefp-6 - (double)k * 2.325192846878874e-12;
    /* Taylor series; |r| <= 0.011, so r^5/5! is below 1e-12 */
    p = 1.0 / 24;
    p = p * r + 1.0 / 6;
    p = p * r + 0.5;
    p = p * r + 1;
    p = p * r + 1;
    /* 2^(k >> 5): a normal double built from its exponent bits */
    bits = (uint64_t)((k >> 5) + 1023) << 52;
    memcpy(&scale, &bits, sizeof(scale));
    return p * exp2_32[k & 31] * scale;
}

/* For m in [1 + j/32, 1 + (j+1)/32): c = 1/(1 + (j + 0.5)/32), rounded,
 * and -log(c), correctly rounded. */
static const double log_tab[32][2] = {
    {0x1.f81f81f81f820p-1, 0x1.fc0a8b0fc03c4p-7},
    {0x1.e9131abf0b767p-1, 0x1.77458f632dcffp-5},
    {0x1.dae6076b981dbp-1, 0x1.341d7961bd1d0p-4},
    {0x1.cd85689039b0bp-1, 0x1.a926d3a4ad562p-4},
    {0x1.c0e070381c0e0p-1, 0x1.0d77e7cd08e5bp-3},
    {0x1.b4e81b4e81b4fp-1, 0x1.44d2b6ccb7d1cp-3},
    {0x1.a98ef606a63bep-1, 0x1.7ab890210d907p-3},
    {0x1.9ec8e951033d9p-1, 0x1.af3c94e80bff3p-3},
    {0x1.948b0fcd6e9e0p-1, 0x1.e27076e2af2e8p-3},
    {0x1.8acb90f6bf3aap-1, 0x1.0a324e27390e2p-2},
    {0x1.8181818181818p-1, 0x1.22941fbcf7966p-2},
    {0x1.78a4c8178a4c8p-1, 0x1.3a64c556945eap-2},
    {0x1.702e05c0b8170p-1, 0x1.51aad872df82ep-2},
    {0x1.6816816816817p-1, 0x1.686c81e9b14adp-2},
    {0x1.6058160581606p-1, 0x1.7eaf83b82afc2p-2},
    {0x1.58ed2308158edp-1, 0x1.947941c2116fbp-2},
    {0x1.51d07eae2f815p-1, 0x1.a9cec9a9a084ap-2},
    {0x1.4afd6a052bf5bp-1, 0x1.beb4d9da71b7ap-2},
    {0x1.446f86562d9fbp-1, 0x1.d32fe7e00ebd5p-2},
    {0x1.3e22cbce4a902p-1, 0x1.e744261d68789p-2},
    {0x1.3813813813814p-1, 0x1.faf588f78f31dp-2},
    {0x1.323e34a2b10bfp-1, 0x1.0723e5c1cdf41p-1},
    {0x1.2c9fb4d812ca0p-1, 0x1.109f39e2d4c96p-1},
    {0x1.27350b8812735p-1, 0x1.19ee6b467c96fp-1},
    {0x1.21fb78121fb78p-1, 0x1.23130d7bebf43p-1},
    {0x1.1cf06ada2811dp-1, 0x1.2c0e9ed448e8cp-1},
    {0x1.1811811811812p-1, 0x1.34e289d9ce1d2p-1},
    {0x1.135c81135c811p-1, 0x1.3d9026a7156fbp-1},
    {0x1.0ecf56be69c90p-1, 0x1.4618bc21c5ec2p-1},
    {0x1.0a6810a6810a7p-1, 0x1.4e7d811b75bb0p-1},
    {0x1.0624dd2f1a9fcp-1, 0x1.56bf9d5b3f399p-1},
    {0x1.0204081020408p-1, 0x1.5ee02a9241676p-1},
};

/* Natural logarithm of a normal x > 0. */
static double dlog(double x)
{
    uint64_t bits;
    int e, j;
    double m, r, p;

    /* x = m * 2^e with m in [1, 2), from the bits */
    memcpy(&bits, &x, sizeof(bits));
    e = (int)((bits >> 52) & 0x7ff) - 1023;
    j = (int)((bits >> 47) & 31);
    bits = (bits & ~(UINT64_C(0x7ff) << 52)) | (UINT64_C(1023) << 52);
    memcpy(&m, &bits, sizeof(m));
    /* log m = -log c + log(1 + r); |r| <= 1/64: r^6/6 is below 1e-11 */
    r = m * log_tab[j][0] - 1;
    p = 1.0 / 5;
    p = p * r - 0.25;
    p = p * r + 1.0 / 3;
    p = p * r - 0.5;
    p = p * r + 1;
    return e * 0.6931471805599453 + log_tab[j][1] + r * p;
}

/* ---- Random numbers: xoshiro256** seeded through splitmix64. */

struct rng {
    uint64_t s[4];
};

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Independent streams per purpose, so that changing one file's rules
 * leaves the others as they were. */
static void rng_init(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ mix64(stream * UINT64_C(0x9e3779b97f4a7c15) + 1);

    for (int i = 0; i < 4; i++) {
        x += UINT64_C(0x9e3779b97f4a7c15);
        r->s[i] = mix64(x);
    }
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1). */
static inline double unif(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n), n < 2^32. */
static inline uint32_t below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

static inline bool chance(struct rng *r, double p) { return unif(r) < p; }

/* A whole second of a day, uniform, in ms. */
static inline int64_t second_of_day(struct rng *r)
{
    return (int64_t)below(r, (uint32_t)CXM__S_PER_DAY) * 1000;
}

/* Approximately standard normal (Irwin-Hall of four uniforms): cheap, and
 * bounded at ±3.5 so no draw produces an absurd duration. */
static inline double gauss(struct rng *r)
{
    uint64_t v = rng_next(r);
    double s = (double)(v & 0xffff) + (double)((v >> 16) & 0xffff) +
               (double)((v >> 32) & 0xffff) + (double)(v >> 48);
    return (s / 65536.0 - 2.0) * 1.7320508075688772;
}

static inline double lognorm(struct rng *r, double median, double sigma)
{
    return median * dexp(sigma * gauss(r));
}

static inline double expo(struct rng *r, double mean)
{
    return -mean * dlog(1.0 - unif(r));
}

/* Index drawn from the weights w[0..n). */
static int pick_w(struct rng *r, const double *w, int n)
{
    double total = 0, u;

    for (int i = 0; i < n; i++)
        total += w[i];
    u = unif(r) * total;
    for (int i = 0; i < n - 1; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return n - 1;
}

/* Index drawn from cumulative weights cum[0..n), cum[n-1] the total. */
static int pick_cum(struct rng *r, const double *cum, int n)
{
    double u = unif(r) * cum[n - 1];
    int i = 0;

    while (i < n - 1 && u >= cum[i])
        i++;
    return i;
}

static inline double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static inline int round_clamp(double x, int lo, int hi)
{
    double y = floor(x + 0.5);
    return y < lo ? lo : y > hi ? hi : (int)y;
}

/* ---- Buffered CSV output. */

struct out {
    FILE *fp;
    char *path; /* owned */
    char *buf;  /* owned, cap bytes */
    size_t len; /* bytes pending in buf */
    size_t cap;
    int err;     /* errno of the first failed write; 0 = none */
    bool opened; /* we created (or truncated) the file */
    struct datecache *dc; /* borrowed, shared by all files */
};

static void out_flush(struct out *o)
{
    if (o->len && !o->err) {
        errno = 0;
        if (fwrite(o->buf, 1, o->len, o->fp) != o->len)
            o->err = errno ? errno : EIO;
    }
    o->len = 0;
}

/* Room for n more bytes (n <= cap) at o->buf + o->len. */
static inline char *out_room(struct out *o, size_t n)
{
    if (o->cap - o->len < n)
        out_flush(o);
    return o->buf + o->len;
}

static void put(struct out *o, const char *s, size_t n)
{
    if (n > o->cap) {
        out_flush(o);
        if (!o->err && fwrite(s, 1, n, o->fp) != n)
            o->err = errno ? errno : EIO;
        return;
    }
    memcpy(out_room(o, n), s, n);
    o->len += n;
}

/* The first n bytes of an id buffer: copying all 32 bytes is two vector
 * moves, much cheaper than a call to memcpy for a few bytes. */
static inline void put_short(struct out *o, const char s[static 32],
                             size_t n)
{
    memcpy(out_room(o, 32), s, 32);
    o->len += n;
}

/* A NUL-terminated string; names and codes are short. */
static inline void put_s(struct out *o, const char *s)
{
    char *p = out_room(o, 64);
    size_t n = 0;

    while (s[n] && n < 64) {
        p[n] = s[n];
        n++;
    }
    o->len += n;
    if (s[n])
        put(o, s + n, strlen(s + n));
}

static inline void put_c(struct out *o, char c)
{
    *out_room(o, 1) = c;
    o->len++;
}

static inline void put_comma(struct out *o) { put_c(o, ','); }

static inline void put_eol(struct out *o) { put_c(o, '\n'); }

static const char digit_pairs[] = "00010203040506070809"
                                  "10111213141516171819"
                                  "20212223242526272829"
                                  "30313233343536373839"
                                  "40414243444546474849"
                                  "50515253545556575859"
                                  "60616263646566676869"
                                  "70717273747576777879"
                                  "80818283848586878889"
                                  "90919293949596979899";

static inline char *fmt2(char *p, int v)
{
    memcpy(p, &digit_pairs[v * 2], 2);
    return p + 2;
}

/* `v` in decimal, zero-padded to at least `width` digits (width <= 20). */
static const uint64_t pow10[20] = {
    UINT64_C(1),
    UINT64_C(10),
    UINT64_C(100),
    UINT64_C(1000),
    UINT64_C(10000),
    UINT64_C(100000),
    UINT64_C(1000000),
    UINT64_C(10000000),
    UINT64_C(100000000),
    UINT64_C(1000000000),
    UINT64_C(10000000000),
    UINT64_C(100000000000),
    UINT64_C(1000000000000),
    UINT64_C(10000000000000),
    UINT64_C(100000000000000),
    UINT64_C(1000000000000000),
    UINT64_C(10000000000000000),
    UINT64_C(100000000000000000),
    UINT64_C(1000000000000000000),
    UINT64_C(10000000000000000000),
};

static char *fmt_u64(char *p, uint64_t v, int width)
{
    int n = width; /* digits to write, leading zeros included */
    char *q;

    while (n < 20 && v >= pow10[n])
        n++;
    q = p + n;
    while (v >= 100) {
        q -= 2;
        memcpy(q, &digit_pairs[(v % 100) * 2], 2);
        v /= 100;
    }
    if (v >= 10) {
        memcpy(q - 2, &digit_pairs[v * 2], 2);
        q -= 2;
    } else {
        *--q = (char)('0' + v);
    }
    while (q > p)
        *--q = '0';
    return p + n;
}

static void put_u64(struct out *o, uint64_t v)
{
    char *p = out_room(o, 24);
    o->len += (size_t)(fmt_u64(p, v, 1) - p);
}

/* An id: a prefix and a zero-padded number, e.g. T00001234. */
static size_t fmt_id(char *dst, char prefix, uint64_t v, int width)
{
    dst[0] = prefix;
    return (size_t)(fmt_u64(dst + 1, v, width) - dst);
}

/* Recently formatted dates: most timestamps of a row, and of the rows
 * around it, fall on a handful of days. */
#define DATE_CACHE 64
struct datecache {
    int64_t day[DATE_CACHE];
    char ymd[DATE_CACHE][10];
};

static void datecache_init(struct datecache *dc)
{
    for (int i = 0; i < DATE_CACHE; i++)
        dc->day[i] = INT64_MIN;
}

static char *fmt_date(struct datecache *dc, char *p, int64_t day)
{
    size_t slot = (size_t)day % DATE_CACHE;

    if (dc->day[slot] != day) {
        char *q = dc->ymd[slot];
        int64_t y;
        int m, d;

        cxm__civil_from_days(day, &y, &m, &d);
        q = fmt2(q, (int)(y / 100));
        q = fmt2(q, (int)(y % 100));
        *q++ = '-';
        q = fmt2(q, m);
        *q++ = '-';
        fmt2(q, d);
        dc->day[slot] = day;
    }
    memcpy(p, dc->ymd[slot], 10);
    return p + 10;
}

enum ts_style {
    TS_Z,      /* 2026-03-01T09:30:00Z */
    TS_OFFSET, /* 2026-03-01T16:30:00+07:00, the same instant */
    TS_SPACE   /* 2026-03-01 09:30:00, UTC */
};

/* A timestamp notation: style and UTC offset in minutes. */
struct tsfmt {
    enum ts_style style;
    int off_min;
};

static const struct tsfmt ts_utc = {TS_Z, 0};

static void put_ts(struct out *o, int64_t ms, struct tsfmt f)
{
    char *p0 = out_room(o, 40), *p = p0;
    int64_t local = ms + (f.style == TS_OFFSET ? f.off_min * INT64_C(60000)
                                               : 0);
    int64_t day = cxm__day_of_ms(local);
    int64_t rem = local - day * CXM__MS_PER_DAY;
    int secs = (int)(rem / 1000), frac = (int)(rem % 1000);

    p = fmt_date(o->dc, p, day);
    *p++ = f.style == TS_SPACE ? ' ' : 'T';
    p = fmt2(p, secs / 3600);
    *p++ = ':';
    p = fmt2(p, secs / 60 % 60);
    *p++ = ':';
    p = fmt2(p, secs % 60);
    if (frac) {
        *p++ = '.';
        p = fmt2(p, frac / 10);
        *p++ = (char)('0' + frac % 10);
    }
    if (f.style == TS_Z) {
        *p++ = 'Z';
    } else if (f.style == TS_OFFSET) {
        int off = f.off_min < 0 ? -f.off_min : f.off_min;
        *p++ = f.off_min < 0 ? '-' : '+';
        p = fmt2(p, off / 60);
        *p++ = ':';
        p = fmt2(p, off % 60);
    }
    o->len += (size_t)(p - p0);
}

static void put_date(struct out *o, int64_t day)
{
    char *p = out_room(o, 16);
    o->len += (size_t)(fmt_date(o->dc, p, day) - p);
}

/* Integer cents as "123.45". */
static void put_cents(struct out *o, uint64_t cents)
{
    char *p = out_room(o, 32), *p0 = p;

    p = fmt_u64(p, cents / 100, 1);
    *p++ = '.';
    p = fmt2(p, (int)(cents % 100));
    o->len += (size_t)(p - p0);
}

/* Quarter units as a decimal: 30 -> "7.5", 29 -> "7.25", 32 -> "8". */
static void put_quarters(struct out *o, int q)
{
    static const char *const frac[4] = {"", ".25", ".5", ".75"};

    put_u64(o, (uint64_t)(q / 4));
    put_s(o, frac[q % 4]);
}

/* A free-text field, quoted only when it holds a comma, a quote or a line
 * break (RFC 4180; quotes inside are doubled). */
static void put_text(struct out *o, const char *s, size_t n)
{
    size_t from = 0;

    if (strcspn(s, ",\"\r\n") >= n) {
        put(o, s, n);
        return;
    }
    put_c(o, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            put(o, s + from, i + 1 - from);
            put_c(o, '"');
            from = i + 1;
        }
    }
    put(o, s + from, n - from);
    put_c(o, '"');
}

/* ---- Calendar. */

/* Day of the week, 0 = Monday. */
static inline int weekday(int64_t day)
{
    int64_t w = (day + 3) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

/* The first day of the planted staffing gap of a span of n_days from
 * first_day: the first Monday at GAP_AT of the span; -1 when the span is
 * too short for one. */
static int64_t gap_start(int64_t first_day, int n_days)
{
    int64_t d = first_day + (int64_t)(GAP_AT * n_days);

    if (n_days < GAP_MIN_SPAN)
        return -1;
    return d + (7 - weekday(d)) % 7;
}

/* True when `ms` falls in EU summer time: from the last Sunday of March
 * to the last Sunday of October, 01:00 UTC both. */
static bool eu_summer(int64_t ms)
{
    int64_t y, mar, oct;
    int m, d;

    cxm__civil_from_days(cxm__day_of_ms(ms), &y, &m, &d);
    if (m < 3 || m > 10)
        return false;
    if (m > 3 && m < 10)
        return true;
    mar = cxm__days_from_civil(y, 3, 31);
    mar -= (weekday(mar) + 1) % 7;
    oct = cxm__days_from_civil(y, 10, 31);
    oct -= (weekday(oct) + 1) % 7;
    return ms >= mar * CXM__MS_PER_DAY + 3600000 &&
           ms < oct * CXM__MS_PER_DAY + 3600000;
}

/* The UTC offset, in minutes, of a country's local time at `ms`. */
static int country_offset(int country, int64_t ms)
{
    switch (country) {
    case CO_ID:
    case CO_VN:
    case CO_TH:
        return 420;
    case CO_FI:
        return eu_summer(ms) ? 180 : 120;
    case CO_SE:
        return eu_summer(ms) ? 120 : 60;
    default:
        return 480;
    }
}

/* Mostly UTC with `Z`; some rows in the customer's local offset, some as
 * `YYYY-MM-DD hh:mm:ss` (UTC): the mix real exports from several systems
 * give. */
static struct tsfmt pick_tsfmt(struct rng *r, int country, int64_t ms,
                               int pct_local, int pct_space)
{
    struct tsfmt f = ts_utc;
    uint32_t u = below(r, 100);

    if (u < (uint32_t)pct_local && country >= 0) {
        f.style = TS_OFFSET;
        f.off_min = country_offset(country, ms);
    } else if (u < (uint32_t)(pct_local + pct_space)) {
        f.style = TS_SPACE;
    }
    return f;
}

/* Smooth bump of height 1 at day-of-year `at`, `width` days wide. */
static double bump(int doy, int at, double width)
{
    int dist = doy > at ? doy - at : at - doy;
    double x;

    if (dist > 182)
        dist = 365 - dist;
    x = dist / width;
    return x > 4 ? 0 : dexp(-x * x);
}

/* Seasonal workload: the 11.11 and 12.12 sales, Lunar New Year and a
 * mid-year sale. */
static double season(int64_t day)
{
    int64_t y;
    int m, d, doy;

    cxm__civil_from_days(day, &y, &m, &d);
    doy = (int)(day - cxm__days_from_civil(y, 1, 1));
    return 1.0 + 0.55 * bump(doy, 315, 5) + 0.45 * bump(doy, 346, 5) +
           0.2 * bump(doy, 35, 9) + 0.15 * bump(doy, 186, 12);
}

/* Hour-of-day profile in UTC: business hours in UTC+7/+8 and Finland. */
static const double hour_w[24] = {6, 9, 10, 10, 9, 8, 9, 9, 8, 7, 6, 5,
                                  4, 3, 3, 2, 2, 2, 1, 1, 1, 1, 2, 4};

/* Maps u in [0, 1) to seconds in the day, following hour_w. Monotone, so
 * sorted u give sorted times; *hour is a cursor that only moves forward
 * while u grows (start it at 0 each day). */
static double diurnal(const double *cum, double u, int *hour)
{
    double x = u * cum[23];
    int h = *hour;
    double before;

    while (h < 23 && x >= cum[h])
        h++;
    *hour = h;
    before = h ? cum[h - 1] : 0;
    return (h + (x - before) / hour_w[h]) * HOUR_S;
}

/* ---- Generator state. */

struct agent {
    char id[32];
    int team;
    int64_t hired_day; /* days since 1970-01-01 */
    int64_t left_day;  /* INT64_MAX when the agent stays */
    double speed;      /* handling-time multiplier; below 1 is faster */
    double quality;    /* latent skill, about -1..1 */
    int off_day;       /* first of two consecutive days off, 0 = Monday */
    bool part_time;
    bool date_only; /* hired_at/left_at written as plain dates */
    bool working;   /* on shift today */
};

/* One customer's attributes: a pure function of (seed, index). */
struct cust {
    int64_t acquired_ms;
    int64_t leaves_ms; /* natural churn, maybe past the span */
    int segment, country, lang;
};

/* The day being generated. */
struct day {
    int64_t day;    /* days since 1970-01-01 */
    int64_t lo, hi; /* its part of the span, ms: [lo, hi) */
    int index;      /* day - first_day */
    int dow;        /* 0 = Monday */
    double x;       /* position in the span, 0..1: the trend */
    double load;    /* seasonal workload, 1 = normal */
    double frt_factor, res_factor; /* load and trend on handling times */
    double chan_cum[N_CH];
    double topic_cum[N_TP];
    double kind_cum[N_KIND];
};

/* The ticket being generated, as its responses need it. */
struct ticket {
    char id[32];
    size_t id_len;
    char cust_id[32];
    size_t cust_len; /* 0 = no customer */
    int64_t cust_index;
    struct cust c;
    const struct agent *ag;
    int team, channel, topic, lang;
    int64_t created, resolved;
    int contacts;
    bool reopened, escalated, complaint;
    double sat; /* latent satisfaction; about N(1, 1.1) */
};

struct gen {
    uint64_t seed;
    uint64_t n_tickets, n_customers, n_sessions, n_reviews;
    int64_t start_ms, end_ms; /* the span, [start_ms, end_ms) */
    int64_t first_day;        /* day of start_ms */
    int n_days;               /* days touching the span */
    int64_t acq_base_ms;      /* earliest acquisition */
    int64_t comm_launch_ms;   /* the custom survey starts here */
    uint64_t cust_key;        /* hashes customer attributes */
    double pre_len, span_len; /* ms before the span and of the span */
    double inv_customers;     /* 1 / n_customers */
    double neg_life_s[N_SEG]; /* -(mean customer life, seconds) */

    struct rng r_agents, r_days, r_tickets, r_sessions, r_reviews, r_hours,
        r_customers;

    struct agent *agents;
    int n_agents, n_teams;
    /* Per-day pick lists: [0, n_teams) = working agents of that team,
     * n_teams = all working agents, n_teams + 1 = all employed agents. */
    int *list_idx;     /* agent indices */
    double *list_prob; /* weights, then alias probabilities */
    int *list_alias;
    int list_n[MAX_TEAMS + 2];
    int *work; /* 2 * n_agents, for building alias tables */

    double *tk_cum; /* n_days + 1 prefix sums of ticket weights */
    double *ss_cum; /* the same for self-service sessions */
    double hour_cum[24];

    uint16_t *cust_last; /* day index + 1 of the last ticket; 0 = none */
    uint16_t *cust_bad;  /* day index + 1 of the last bad experience */

    /* The planted incident (cxm_demo_incident()): from day gap_day, for
     * GAP_DAYS days, team gap_team is short of staff; gap_day -1: none. */
    int64_t gap_day;
    int gap_team;

    uint64_t n_tk, n_resp, n_ss, n_rv, n_orders;
    struct out out[N_FILES];
    struct datecache dates;
    char text[1024]; /* scratch for comments */
};

/* The week (0, 1, 2) of the staffing gap that `day` falls in for `team`,
 * or -1. */
static int gap_week(const struct gen *g, int64_t day, int team)
{
    if (g->gap_day < 0 || team != g->gap_team || day < g->gap_day ||
        day >= g->gap_day + GAP_DAYS)
        return -1;
    return (int)((day - g->gap_day) / 7);
}

/* Whether agent j of the short-staffed team is away on `day`: about
 * three in five of them, a pure function of (seed, agent, day) so that
 * the random streams of everything else stay as they were. */
static bool gap_away(const struct gen *g, int j, int64_t day)
{
    if (gap_week(g, day, g->agents[j].team) < 0)
        return false;
    return mix64(g->seed ^ ((uint64_t)j << 32) ^ (uint64_t)day) % 100 < 60;
}

/* ---- Customers. */

/* Acquisition time of the customer at quantile f in [0, 1): a share
 * before the span, the rest during it at a rate that grows. */
static int64_t acq_time(const struct gen *g, double f)
{
    /* Constants folded by the compiler: no division at run time. */
    const double pre_inv = 1 / ACQ_PRE_SHARE;
    const double post_inv = 1 / (1 - ACQ_PRE_SHARE);
    const double c = 2 * ACQ_GROWTH * (1 + ACQ_GROWTH / 2);
    const double g_inv = 1 / ACQ_GROWTH;
    double y, x;
    int64_t t;

    if (f < ACQ_PRE_SHARE) {
        t = g->acq_base_ms + (int64_t)(f * pre_inv * g->pre_len);
    } else {
        y = (f - ACQ_PRE_SHARE) * post_inv;
        x = (sqrt(1 + c * y) - 1) * g_inv;
        t = g->start_ms + (int64_t)(x * g->span_len);
    }
    return t - t % 1000;
}

/* The inverse of acq_time: the share of customers acquired by t. */
static double acq_share(const struct gen *g, int64_t t)
{
    double y, span = (double)(g->end_ms - g->start_ms);

    if (t <= g->acq_base_ms)
        return 0;
    if (t < g->start_ms)
        return ACQ_PRE_SHARE * (double)(t - g->acq_base_ms) /
               (double)(g->start_ms - g->acq_base_ms);
    y = clampd((double)(t - g->start_ms) / span, 0, 1);
    return ACQ_PRE_SHARE + (1 - ACQ_PRE_SHARE) *
                               (y + ACQ_GROWTH * y * y / 2) /
                               (1 + ACQ_GROWTH / 2);
}

/* Index drawn from the 10-bit value v (0..1023) by cumulative
 * percentages cum[0..n), cum[n-1] = 100. */
static int pick_bits(const int *cum, int n, unsigned v)
{
    int x = (int)((v * 100) >> 10), i = 0;

    while (i < n - 1 && x >= cum[i])
        i++;
    return i;
}

/* Sets when customer i joins and leaves (and the segment, on which the
 * leaving depends); returns the hash for cust_rest(). */
static uint64_t cust_life(const struct gen *g, uint64_t i, struct cust *c)
{
    uint64_t h = mix64(g->cust_key + i * UINT64_C(0x9e3779b97f4a7c15));
    double jit = (double)(h >> 44) / 1048576.0; /* 20 bits */
    double life_u = ((double)(mix64(h) >> 11) + 0.5) * 0x1.0p-53;

    /* Monotone in i: customer i is acquired no later than i + 1. */
    c->acquired_ms = acq_time(g, ((double)i + jit) * g->inv_customers);
    c->segment = pick_bits(segment_cum, N_SEG, (unsigned)(h >> 34) & 1023);
    c->leaves_ms = c->acquired_ms +
                   (int64_t)(dlog(life_u) * g->neg_life_s[c->segment]) * 1000;
    return h;
}

/* The rest of a customer's attributes, from cust_life()'s hash. */
static void cust_rest(uint64_t h, struct cust *c)
{
    double lang_u = (double)((h >> 4) & 1023) / 1024.0;

    c->country = pick_bits(country_cum, N_CO, (unsigned)(h >> 24) & 1023);
    c->lang = lang_u < country_local_share[c->country]
                  ? country_local_lang[c->country]
                  : LANG_EN;
}

static void cust_get(const struct gen *g, uint64_t i, struct cust *c)
{
    cust_rest(cust_life(g, i, c), c);
}

/* A customer acquired by `t` and not gone, uniformly; -1 if none is
 * found. */
static int64_t pick_customer(const struct gen *g, struct rng *r, int64_t t,
                             struct cust *c)
{
    double k = acq_share(g, t) * (double)g->n_customers - 1;
    uint64_t n = k < 1 ? 1 : (uint64_t)k, i;

    if (n > g->n_customers)
        n = g->n_customers;
    for (int tries = 0; tries < 6; tries++) {
        uint64_t h;

        i = (uint64_t)(unif(r) * (double)n);
        h = cust_life(g, i, c);
        /* The acquisition test only fails by float rounding at the
         * boundary. */
        if (c->acquired_ms <= t && c->leaves_ms > t + CXM__MS_PER_DAY) {
            cust_rest(h, c);
            return (int64_t)i;
        }
    }
    return -1;
}

static size_t fmt_cust_id(char *dst, uint64_t i)
{
    return fmt_id(dst, 'C', i + 1, 7);
}

/* ---- Agents. */

static bool agent_id_taken(const struct gen *g, int n, const char *id)
{
    for (int j = 0; j < n; j++) {
        if (strcmp(g->agents[j].id, id) == 0)
            return true;
    }
    return false;
}

/* The team furthest below its share of the first j agents (team_w). */
static int next_team(const struct gen *g, int j)
{
    double total = 0, best_gap = -1e9;
    int counts[MAX_TEAMS] = {0}, best = 0;

    for (int t = 0; t < g->n_teams; t++)
        total += team_w[t];
    for (int k = 0; k < j; k++)
        counts[g->agents[k].team]++;
    for (int t = 0; t < g->n_teams; t++) {
        double gap = team_w[t] / total * (j + 1) - counts[t];
        if (gap > best_gap) {
            best_gap = gap;
            best = t;
        }
    }
    return best;
}

static void make_agent(struct gen *g, int j)
{
    struct rng *r = &g->r_agents;
    struct agent *a = &g->agents[j];
    int origin = (int)below(r, 4), suffix = 1;
    const char *first = first_names[origin][below(r, 10)];
    const char *last = last_names[origin][below(r, 8)];
    int64_t last_day = g->first_day + g->n_days - 1, from;
    bool veteran = j < g->n_teams; /* one per team, there throughout */

    snprintf(a->id, sizeof(a->id), "%s.%s", first, last);
    while (agent_id_taken(g, j, a->id))
        snprintf(a->id, sizeof(a->id), "%s.%s%d", first, last, ++suffix);
    a->team = veteran ? j : next_team(g, j);
    a->left_day = INT64_MAX;
    if (veteran || g->n_days < 120 || chance(r, 0.72)) {
        a->hired_day = g->first_day - 30 - below(r, veteran ? 1500 : 1800);
    } else {
        a->hired_day = g->first_day + 30 + below(r, (uint32_t)g->n_days - 90);
    }
    if (!veteran && chance(r, 0.22)) {
        from = (a->hired_day > g->first_day ? a->hired_day : g->first_day) +
               60;
        if (from < last_day - 1)
            a->left_day = from + below(r, (uint32_t)(last_day - 1 - from));
    }
    a->speed = dexp(0.3 * gauss(r));
    a->quality = clampd(0.45 * gauss(r) - 0.25 * (1 / a->speed - 1), -1.2,
                        1.2);
    if (a->left_day != INT64_MAX)
        a->quality -= 0.15; /* the ones who leave were less happy too */
    a->off_day = chance(r, 0.6) ? 5 : (int)below(r, 7);
    a->part_time = chance(r, 0.1);
    a->date_only = chance(r, 0.8);
}

static void write_agents(struct gen *g)
{
    struct out *o = &g->out[F_AGENTS];

    for (int j = 0; j < g->n_agents; j++) {
        const struct agent *a = &g->agents[j];
        put_s(o, a->id);
        put_comma(o);
        put_s(o, team_names[a->team]);
        put_comma(o);
        if (a->date_only)
            put_date(o, a->hired_day);
        else
            put_ts(o, a->hired_day * CXM__MS_PER_DAY + 3600000, ts_utc);
        put_comma(o);
        if (a->left_day != INT64_MAX) {
            if (a->date_only)
                put_date(o, a->left_day);
            else
                put_ts(o, a->left_day * CXM__MS_PER_DAY + 3600000, ts_utc);
        }
        put_eol(o);
    }
}

/* Skill on day `day`: new hires need about three months to get there. */
static double agent_quality(const struct agent *a, int64_t day)
{
    int64_t tenure = day - a->hired_day;

    if (tenure < 90)
        return a->quality - 0.6 * (1 - (double)tenure / 90);
    return a->quality;
}

static void list_add(struct gen *g, int list, int agent, double w)
{
    size_t at = (size_t)list * (size_t)g->n_agents + (size_t)g->list_n[list]++;

    g->list_idx[at] = agent;
    g->list_prob[at] = w;
}

/* Turns the weights of one list into Vose's alias table: a pick is then
 * one draw, whatever the list's length. */
static void list_alias(struct gen *g, int list)
{
    size_t base = (size_t)list * (size_t)g->n_agents;
    double *p = g->list_prob + base, total = 0;
    int *alias = g->list_alias + base, *small = g->work, *large;
    int n = g->list_n[list], n_small = 0, n_large = 0;

    large = g->work + n;
    for (int i = 0; i < n; i++)
        total += p[i];
    for (int i = 0; i < n; i++) {
        p[i] *= n / total;
        alias[i] = i;
        if (p[i] < 1)
            small[n_small++] = i;
        else
            large[n_large++] = i;
    }
    while (n_small && n_large) {
        int s = small[--n_small], l = large[n_large - 1];
        alias[s] = l;
        p[l] -= 1 - p[s];
        if (p[l] < 1) {
            n_large--;
            small[n_small++] = l;
        }
    }
    while (n_large)
        p[large[--n_large]] = 1;
    while (n_small) /* rounding leftovers */
        p[small[--n_small]] = 1;
}

/* Decides who works today, writes their hours and builds the pick lists.
 * Support runs seven days a week; each agent has two days off. */
static void agent_day(struct gen *g, const struct day *dy)
{
    struct rng *r = &g->r_hours;
    struct out *o = &g->out[F_AGENT_HOURS];

    memset(g->list_n, 0, sizeof(g->list_n));
    for (int j = 0; j < g->n_agents; j++) {
        struct agent *a = &g->agents[j];
        double w = (a->part_time ? 0.75 : 1.0) / a->speed;
        int q;

        a->working = false;
        if (dy->day < a->hired_day || dy->day >= a->left_day)
            continue;
        list_add(g, g->n_teams + 1, j, w);
        if (dy->dow == a->off_day || dy->dow == (a->off_day + 1) % 7 ||
            chance(r, 0.045))
            continue;
        /* Quarter hours: part-timers 6-6.5 h, the rest 7-8 h. */
        q = a->part_time ? 24 + (int)below(r, 3) : 28 + (int)below(r, 5);
        if (gap_away(g, j, dy->day))
            continue; /* the staffing gap: no hours, no tickets */
        a->working = true;
        list_add(g, a->team, j, w);
        list_add(g, g->n_teams, j, w);
        put_s(o, a->id);
        put_comma(o);
        put_date(o, dy->day);
        put_comma(o);
        put_quarters(o, q);
        put_eol(o);
    }
    for (int list = 0; list < g->n_teams + 2; list++)
        list_alias(g, list);
}

static const struct agent *pick_agent(struct gen *g, struct rng *r,
                                      int team)
{
    int list = team, i;
    size_t base;
    double u;

    if (!g->list_n[list])
        list = g->n_teams;
    if (!g->list_n[list])
        list = g->n_teams + 1;
    base = (size_t)list * (size_t)g->n_agents;
    u = unif(r) * g->list_n[list];
    i = (int)u;
    if (i >= g->list_n[list]) /* u rounded up to n */
        i = g->list_n[list] - 1;
    if (u - i >= g->list_prob[base + (size_t)i])
        i = g->list_alias[base + (size_t)i];
    return &g->agents[g->list_idx[base + (size_t)i]];
}

/* ---- Days. */

static void day_weights(struct gen *g)
{
    double tk = 0, ss = 0;

    g->tk_cum[0] = g->ss_cum[0] = 0;
    for (int i = 0; i < g->n_days; i++) {
        int64_t day = g->first_day + i;
        int64_t lo = day * CXM__MS_PER_DAY, hi = lo + CXM__MS_PER_DAY;
        double frac, x = (i + 0.5) / g->n_days, base;
        static const double dow_w[7] = {1.25, 1.15, 1.1, 1.05, 1.0, 0.62,
                                        0.52};

        if (lo < g->start_ms)
            lo = g->start_ms;
        if (hi > g->end_ms)
            hi = g->end_ms;
        frac = (double)(hi - lo) / (double)CXM__MS_PER_DAY;
        base = frac * season(day) * dow_w[weekday(day)] *
               dexp(0.08 * gauss(&g->r_days));
        tk += base * (1 + 0.3 * x);
        ss += base * (1 + 0.8 * x) * (weekday(day) >= 5 ? 1.4 : 1.0);
        g->tk_cum[i + 1] = tk;
        g->ss_cum[i + 1] = ss;
    }
}

/* How many of `n` events fall before day index i. */
static uint64_t target(const double *cum, int n_days, uint64_t n, int i)
{
    if (i >= n_days)
        return n;
    return (uint64_t)((double)n * (cum[i] / cum[n_days]));
}

static void day_setup(const struct gen *g, int i, struct day *dy)
{
    double w;

    dy->index = i;
    dy->day = g->first_day + i;
    dy->lo = dy->day * CXM__MS_PER_DAY;
    dy->hi = dy->lo + CXM__MS_PER_DAY;
    if (dy->lo < g->start_ms)
        dy->lo = g->start_ms;
    if (dy->hi > g->end_ms)
        dy->hi = g->end_ms;
    dy->dow = weekday(dy->day);
    dy->x = (i + 0.5) / g->n_days;
    dy->load = season(dy->day);
    /* Slower under load, a little faster as the years go by. */
    dy->frt_factor = dexp(1.4 * dlog(dy->load)) * (1 - 0.15 * dy->x);
    dy->res_factor = dexp(0.8 * dlog(dy->load));
    w = 0;
    for (int c = 0; c < N_CH; c++) {
        w += channel_w0[c] + (channel_w1[c] - channel_w0[c]) * dy->x;
        dy->chan_cum[c] = w;
    }
    w = 0;
    for (int t = 0; t < N_TP; t++) {
        double m = 1;
        if (t == TP_DELIVERY)
            m = 1 + 1.2 * (dy->load - 1);
        else if (t == TP_RETURNS)
            m = 1 + 0.8 * (dy->load - 1);
        w += topic_w[t] * m;
        dy->topic_cum[t] = w;
    }
    w = 0;
    for (int k = 0; k < N_KIND; k++) {
        w += kind_w0[k] + (kind_w1[k] - kind_w0[k]) * dy->x;
        dy->kind_cum[k] = w;
    }
}

/* ---- Tickets, their responses and QA. */

/* 1/0, true/false or yes/no, as different systems export them. */
static void put_bool(struct out *o, int style, bool v)
{
    static const char *const words[3][2] = {
        {"0", "1"}, {"false", "true"}, {"no", "yes"}};
    put_s(o, words[style][v]);
}

/* A comment in `lang` whose tone follows the score; sometimes two
 * sentences, on one line or two. Returns its length in g->text. */
static size_t make_comment(struct gen *g, struct rng *r, int lang, int sent)
{
    const char *a = phrases[lang][sent][below(r, N_PHRASES)];
    size_t n = strlen(a), m;

    memcpy(g->text, a, n);
    if (chance(r, 0.3)) {
        const char *b = phrases[lang][sent][below(r, N_PHRASES)];
        if (b != a) {
            m = strlen(b);
            g->text[n++] = chance(r, 0.5) ? '\n' : ' ';
            memcpy(g->text + n, b, m);
            n += m;
        }
    }
    g->text[n] = '\0';
    return n;
}

enum survey { SV_CSAT, SV_NPS, SV_CES, SV_CES5, SV_COMM };

static void put_response(struct gen *g, const struct ticket *tk,
                         enum survey sv, int64_t at, int score,
                         int question)
{
    struct rng *r = &g->r_tickets;
    struct out *o = &g->out[F_RESPONSES];
    static const char *const names[] = {"csat", "nps", "ces", "ces",
                                        "comm2026"};
    static const char *const scales[] = {"1-5", "0-10", "1-7", "1-5",
                                         "1-5"};
    static const int lo[] = {1, 0, 1, 1, 1}, hi[] = {5, 10, 7, 5, 5};
    double norm = (double)(score - lo[sv]) / (hi[sv] - lo[sv]);
    bool has_comment = sv != SV_COMM ? chance(r, 0.3) : chance(r, 0.08);
    char id[32];

    put_short(o, id, fmt_id(id, 'R', ++g->n_resp, 9));
    put_comma(o);
    put_s(o, sv == SV_CSAT && chance(r, 0.02) ? "CSAT" : names[sv]);
    put_comma(o);
    put_ts(o, at, pick_tsfmt(r, tk->cust_len ? tk->c.country : -1, at, 8, 6));
    put_comma(o);
    if (sv == SV_COMM)
        put_s(o, comm_questions[question]);
    put_comma(o);
    if (!has_comment || !chance(r, 0.04)) /* a few leave only a comment */
        put_u64(o, (uint64_t)score);
    put_comma(o);
    if (sv == SV_CES5 || sv == SV_COMM || chance(r, 0.25))
        put_s(o, scales[sv]);
    put_comma(o);
    if (has_comment) {
        int sent = norm >= 0.75 ? SENT_POS : norm <= 0.4 ? SENT_NEG
                                                         : SENT_NEU;
        put_text(o, g->text, make_comment(g, r, tk->lang, sent));
    }
    put_comma(o);
    put_short(o, tk->id, tk->id_len);
    put_comma(o);
    if (chance(r, 0.7))
        put_short(o, tk->cust_id, tk->cust_len);
    put_comma(o);
    /* Left empty now and then: the importer takes them from the ticket. */
    if (tk->ag && chance(r, 0.8))
        put_s(o, tk->ag->id);
    put_comma(o);
    if (tk->ag && chance(r, 0.7))
        put_s(o, team_names[tk->team]);
    put_comma(o);
    if (chance(r, 0.8))
        put_s(o, channel_names[tk->channel]);
    put_comma(o);
    if (chance(r, 0.95))
        put_s(o, lang_names[tk->lang]);
    put_eol(o);
}

/* About one answer per ticket: CSAT after most resolved tickets, NPS and
 * CES after some, and the custom `comm2026` survey (three questions) once
 * it has launched. Scores follow the ticket's latent satisfaction. */
static void responses(struct gen *g, const struct ticket *tk)
{
    struct rng *r = &g->r_tickets;
    double s = tk->sat;
    int64_t at;

    if (chance(r, 0.66)) {
        at = tk->resolved + (int64_t)lognorm(r, 3 * HOUR_S, 1.2) * 1000;
        if (at < g->end_ms) {
            int v = s > 0.95 ? 5 : s > 0.15 ? 4 : s > -0.45 ? 3
                                               : s > -1.1  ? 2
                                                           : 1;
            put_response(g, tk, SV_CSAT, at, v, 0);
        }
    }
    if (chance(r, 0.22)) {
        at = tk->resolved + (int64_t)lognorm(r, 20 * HOUR_S, 0.9) * 1000;
        if (at < g->end_ms) {
            double seg = tk->c.segment == SEG_ENTERPRISE ? -0.4 : 0;
            put_response(g, tk, SV_NPS, at,
                         round_clamp(7.2 + 1.7 * (0.7 * s + seg) +
                                         0.9 * gauss(r),
                                     0, 10),
                         0);
        }
    }
    if (chance(r, 0.18)) {
        double e = 0.7 * s + 0.5 * gauss(r) - 0.35 * (tk->contacts - 1);
        bool five = chance(r, 0.3);
        at = tk->resolved + (int64_t)lognorm(r, 2 * HOUR_S, 1.0) * 1000;
        if (at < g->end_ms) {
            if (five)
                put_response(g, tk, SV_CES5, at,
                             round_clamp(3.45 + 0.8 * e, 1, 5), 0);
            else
                put_response(g, tk, SV_CES, at,
                             round_clamp(4.6 + 1.1 * e, 1, 7), 0);
        }
    }
    if (tk->resolved >= g->comm_launch_ms && chance(r, 0.025)) {
        at = tk->resolved + (int64_t)lognorm(r, 6 * HOUR_S, 1.0) * 1000;
        for (int q = 0; q < 3 && at < g->end_ms; q++) {
            put_response(g, tk, SV_COMM, at,
                         round_clamp(3.8 + 0.8 * (0.6 * s + 0.6 * gauss(r)),
                                     1, 5),
                         q);
            at += 1000 * (5 + below(r, 40));
        }
    }
}

static void qa_score(struct gen *g, const struct ticket *tk, double q)
{
    struct rng *r = &g->r_tickets;
    struct out *o = &g->out[F_QA_SCORES];
    int first = (int)below(r, 4), n = chance(r, 0.1) ? 2 : 1;

    for (int k = 0; k < n; k++) {
        int64_t at = tk->resolved + (int64_t)(HOUR_S * 1000) *
                                        (int64_t)(4 + below(r, 230));
        double s = 80 + 9 * q - 8 * tk->complaint - 4 * tk->reopened +
                   6 * gauss(r);
        uint32_t kind = below(r, 10);

        if (at >= g->end_ms)
            return;
        put_short(o, tk->id, tk->id_len);
        put_comma(o);
        put_s(o, qa_reviewers[(first + k) % 4]);
        put_comma(o);
        if (kind < 2) { /* out of 20, in halves */
            put_quarters(o, 2 * round_clamp(s / 2.5, 0, 40));
            put_s(o, ",20,");
        } else {
            put_u64(o, (uint64_t)round_clamp(s, 0, 100));
            put_s(o, kind < 9 ? ",100," : ",,");
        }
        if (chance(r, 0.95))
            put_ts(o, at, ts_utc);
        put_eol(o);
    }
}

static void ticket(struct gen *g, const struct day *dy, int64_t created)
{
    struct rng *r = &g->r_tickets;
    struct out *o = &g->out[F_TICKETS];
    struct ticket tk;
    struct tsfmt tf;
    double q, frt, res, expected, ratio, base;
    int64_t first = -1;
    bool resolved, stuck, assigned = true;
    int bools, gap;

    tk.id_len = fmt_id(tk.id, 'T', ++g->n_tk, 8);
    tk.created = created;
    tk.cust_len = 0;
    tk.cust_index = chance(r, 0.93) ? pick_customer(g, r, created, &tk.c)
                                    : -1;
    if (tk.cust_index >= 0) {
        tk.cust_len = fmt_cust_id(tk.cust_id, (uint64_t)tk.cust_index);
    } else {
        tk.c.segment = SEG_CONSUMER;
        tk.c.country = pick_w(r, country_w, N_CO);
        tk.c.lang = chance(r, country_local_share[tk.c.country])
                        ? country_local_lang[tk.c.country]
                        : LANG_EN;
    }
    tk.lang = tk.c.lang;
    tk.channel = pick_cum(r, dy->chan_cum, N_CH);
    tk.topic = pick_cum(r, dy->topic_cum, N_TP);
    if (tk.channel == CH_SOCIAL && g->n_teams > 4 && chance(r, 0.8))
        tk.team = 4;
    else if (tk.c.segment == SEG_ENTERPRISE && g->n_teams > 5 &&
             chance(r, 0.7))
        tk.team = 5;
    else if (chance(r, 0.65))
        tk.team = topic_team[tk.topic];
    else
        tk.team = chance(r, 0.6) ? 0 : (int)below(r, (uint32_t)g->n_teams);
    tk.ag = pick_agent(g, r, tk.team);
    tk.team = tk.ag->team;
    q = agent_quality(tk.ag, dy->day);

    /* Handling: contacts and reopening follow skill; escalation the
     * topic. */
    {
        double p1 = clampd(0.74 + 0.12 * q -
                               (tk.topic == TP_TECHNICAL ? 0.1 : 0),
                           0.4, 0.93);
        double u = unif(r);
        tk.contacts = u < p1                      ? 1
                      : u < p1 + (1 - p1) * 0.6   ? 2
                      : u < p1 + (1 - p1) * 0.87  ? 3
                                                  : 4;
    }
    tk.reopened = chance(r, clampd(0.05 - 0.035 * q, 0.01, 0.15));
    tk.escalated =
        chance(r, topic_escalate[tk.topic] +
                      (tk.c.segment == SEG_ENTERPRISE ? 0.04 : 0));

    /* Times: channel norms, slower under seasonal load and for slow
     * agents, a little faster as the years go by. E-mail and web forms
     * sent after hours wait for the morning shift. */
    frt = lognorm(r, frt_median[tk.channel], frt_sigma[tk.channel]) *
          tk.ag->speed * dy->frt_factor;
    if (tk.channel == CH_EMAIL || tk.channel == CH_WEB) {
        int hour = (int)((created - dy->day * CXM__MS_PER_DAY) / 3600000);
        if (hour >= 12)
            frt += (24 - hour + 1) * HOUR_S * (0.3 + 0.7 * unif(r));
    }
    res = lognorm(r, res_median[tk.channel], res_sigma[tk.channel]) *
          topic_res_mult[tk.topic] * tk.ag->speed *
          (1 + 0.8 * (tk.contacts - 1)) * (tk.escalated ? 3.0 : 1.0) *
          (tk.reopened ? 1.6 : 1.0) * dy->res_factor;
    gap = gap_week(g, dy->day, tk.team);
    if (gap >= 0) {
        /* Short of staff: slower every week, and more left waiting. */
        frt *= 1.6 + 0.7 * gap;
        res *= 1.6 + 0.7 * gap;
    }
    expected = frt_median[tk.channel] +
               res_median[tk.channel] * topic_res_mult[tk.topic];
    ratio = dlog((frt + res) / expected);

    /* Latent satisfaction: the agent, the channel, the topic, how long
     * it took and how often the customer had to come back. */
    base = 1.2 + 0.6 * q + channel_sat[tk.channel] + topic_sat[tk.topic] +
           segment_sat[tk.c.segment] + 0.35 * dy->x -
           0.45 * clampd(ratio, -1.5, 2.5) - 0.35 * (tk.contacts - 1) -
           0.6 * tk.reopened - 0.35 * tk.escalated;
    if (gap >= 0)
        base -= 1.0 + 0.25 * gap; /* rushed, tired agents */
    tk.complaint = base + 0.7 * gauss(r) < -1.25;
    tk.sat = base + 0.85 * gauss(r) - (tk.complaint ? 1.0 : 0);

    first = created + 1000 * (int64_t)(frt < 5 ? 5 : frt);
    tk.resolved = first + 1000 * (int64_t)(res < 30 ? 30 : res);
    stuck = chance(r, 0.04 + (tk.escalated ? 0.05 : 0) +
                          (gap >= 0 ? 0.06 * (gap + 1) : 0));
    resolved = !stuck;
    if (tk.resolved >= g->end_ms && chance(r, 0.75))
        resolved = false;
    if (first >= g->end_ms) {
        /* Not answered yet when the data ends. */
        first = -1;
        resolved = false;
        assigned = chance(r, 0.4);
    }
    if (!resolved)
        tk.resolved = -1;

    tf = pick_tsfmt(r, tk.c.country, created, 12, 8);
    bools = chance(r, 0.6) ? 0 : chance(r, 0.6) ? 1 : 2;
    put_short(o, tk.id, tk.id_len);
    put_comma(o);
    put_ts(o, created, tf);
    put_comma(o);
    put_short(o, tk.cust_id, tk.cust_len);
    put_comma(o);
    if (assigned && chance(r, 0.99))
        put_s(o, tk.ag->id);
    put_comma(o);
    if (assigned && chance(r, 0.97))
        put_s(o, team_names[tk.team]);
    put_comma(o);
    if (chance(r, 0.99))
        put_s(o, channel_names[tk.channel]);
    put_comma(o);
    if (first >= 0)
        put_ts(o, first, tf);
    put_comma(o);
    if (resolved)
        put_ts(o, tk.resolved, tf);
    put_comma(o);
    if (resolved)
        put_s(o, tk.resolved < g->end_ms - 3 * CXM__MS_PER_DAY &&
                         chance(r, 0.75)
                     ? "closed"
                     : "solved");
    else
        put_s(o, first >= 0 && chance(r, 0.6) ? "pending" : "open");
    put_comma(o);
    if (chance(r, 0.97))
        put_u64(o, (uint64_t)tk.contacts);
    put_comma(o);
    if (chance(r, 0.98))
        put_bool(o, bools, tk.reopened);
    put_comma(o);
    if (chance(r, 0.98))
        put_bool(o, bools, tk.escalated);
    put_comma(o);
    if (chance(r, 0.98))
        put_bool(o, bools, tk.complaint);
    put_comma(o);
    if (chance(r, 0.98))
        put_s(o, topic_names[tk.topic]);
    put_eol(o);

    if (tk.cust_index >= 0) {
        bool bad = !resolved || tk.complaint || tk.reopened || tk.sat < -1.1;
        g->cust_last[tk.cust_index] = (uint16_t)(dy->index + 1);
        if (bad)
            g->cust_bad[tk.cust_index] = (uint16_t)(dy->index + 1);
    }
    if (!resolved)
        return;
    responses(g, &tk);
    if (chance(r, 0.04))
        qa_score(g, &tk, q);
}

/* ---- Self-service and reviews. */

static void session(struct gen *g, const struct day *dy, int64_t at)
{
    struct rng *r = &g->r_sessions;
    struct out *o = &g->out[F_SELFSERVICE];
    static const double resolve_p[N_KIND] = {0.55, 0.6, 0.35, 0.3};
    int kind = pick_cum(r, dy->kind_cum, N_KIND), style;
    double p = resolve_p[kind] + (kind == KIND_CHATBOT ? 0.25 * dy->x : 0);
    int64_t ci = -1;
    struct cust c;
    char id[32];

    put_short(o, id, fmt_id(id, 'S', ++g->n_ss, 9));
    put_comma(o);
    c.country = -1;
    if (chance(r, 0.55))
        ci = pick_customer(g, r, at, &c);
    put_ts(o, at, pick_tsfmt(r, c.country, at, 0, 10));
    put_comma(o);
    if (ci >= 0)
        put_short(o, id, fmt_cust_id(id, (uint64_t)ci));
    put_comma(o);
    put_s(o, kind_names[kind]);
    put_comma(o);
    style = chance(r, 0.85) ? 1 : chance(r, 0.6) ? 0 : 2;
    if (chance(r, 0.97))
        put_bool(o, style, chance(r, p));
    put_comma(o);
    if (chance(r, 0.93))
        put_s(o, topic_names[pick_cum(r, dy->topic_cum, N_TP)]);
    put_eol(o);
}

static void review(struct gen *g, const struct day *dy, int64_t at)
{
    struct rng *r = &g->r_reviews;
    struct out *o = &g->out[F_REVIEWS];
    static const double lang_w[N_LANG] = {40, 15, 20, 15, 10};
    double mood = 0.35 + 0.4 * dy->x - 0.8 * (dy->load - 1) + gauss(r);
    int stars = mood > 0.5 ? 5 : mood > 0 ? 4 : mood > -0.4 ? 3
                             : mood > -0.8  ? 2
                                            : 1;
    int lang = pick_w(r, lang_w, N_LANG);
    bool ten = chance(r, 0.12), has_text = chance(r, 0.6);
    char id[32];

    put_short(o, id, fmt_id(id, 'V', ++g->n_rv, 7));
    put_comma(o);
    put_ts(o, at, ts_utc);
    put_comma(o);
    if (ten) /* 1 star is 1-2 of 10, 5 stars 9-10 */
        put_u64(o, (uint64_t)(2 * stars - (int)below(r, 2)));
    else
        put_u64(o, (uint64_t)stars);
    put_comma(o);
    put_s(o, review_sources[pick_w(r, source_w, 3)]);
    put_comma(o);
    if (ten)
        put_s(o, "10");
    else if (chance(r, 0.5))
        put_s(o, "5");
    put_comma(o);
    if (has_text) {
        int sent = stars >= 4 ? SENT_POS : stars <= 2 ? SENT_NEG : SENT_NEU;
        put_text(o, g->text, make_comment(g, r, lang, sent));
    }
    put_comma(o);
    if (has_text || chance(r, 0.3))
        put_s(o, lang_names[lang]);
    put_eol(o);
}

/* Times of `k` events in the day, sorted: stratified draws through the
 * hour-of-day profile, scaled into the day's part of the span. */
static int64_t event_time(const struct gen *g, struct rng *r,
                          const struct day *dy, uint64_t j, uint64_t k,
                          int *hour)
{
    double u = ((double)j + unif(r)) / (double)k;
    double s = diurnal(g->hour_cum, u, hour);
    int64_t t;

    /* The span starts or ends mid-day. */
    if (dy->hi - dy->lo != CXM__MS_PER_DAY)
        s *= (double)(dy->hi - dy->lo) / (double)CXM__MS_PER_DAY;
    /* whole seconds after the day's start */
    t = dy->lo + (int64_t)s * 1000;
    return t < dy->hi ? t : dy->hi - 1;
}

static bool any_failed(const struct gen *g)
{
    for (int f = 0; f < N_FILES; f++) {
        if (g->out[f].err)
            return true;
    }
    return false;
}

static void generate_days(struct gen *g)
{
    uint64_t tk_done = 0, ss_done = 0, rv_done = 0;
    struct day dy;

    for (int i = 0; i < g->n_days && !any_failed(g); i++) {
        uint64_t tk_to = target(g->tk_cum, g->n_days, g->n_tickets, i + 1);
        uint64_t ss_to = target(g->ss_cum, g->n_days, g->n_sessions, i + 1);
        uint64_t rv_to = target(g->tk_cum, g->n_days, g->n_reviews, i + 1);
        uint64_t k;
        int hour;

        day_setup(g, i, &dy);
        agent_day(g, &dy);
        k = tk_to - tk_done;
        hour = 0;
        for (uint64_t j = 0; j < k; j++)
            ticket(g, &dy, event_time(g, &g->r_tickets, &dy, j, k, &hour));
        k = ss_to - ss_done;
        hour = 0;
        for (uint64_t j = 0; j < k; j++)
            session(g, &dy,
                    event_time(g, &g->r_sessions, &dy, j, k, &hour));
        k = rv_to - rv_done;
        hour = 0;
        for (uint64_t j = 0; j < k; j++)
            review(g, &dy, event_time(g, &g->r_reviews, &dy, j, k, &hour));
        tk_done = tk_to;
        ss_done = ss_to;
        rv_done = rv_to;
    }
}

/* ---- Customers and orders. */

static void order(struct gen *g, const char *cid, size_t cid_len,
                  const struct cust *c, int64_t at, double scale)
{
    struct rng *r = &g->r_customers;
    struct out *o = &g->out[F_ORDERS];
    double cents = lognorm(r, segment_order_cents[c->segment] * scale, 0.6);
    char id[32];

    at -= at % 1000;
    put_short(o, id, fmt_id(id, 'O', ++g->n_orders, 9));
    put_comma(o);
    put_short(o, cid, cid_len);
    put_comma(o);
    put_ts(o, at, ts_utc);
    put_comma(o);
    if (chance(r, 0.99))
        put_cents(o, (uint64_t)(cents < 100 ? 100 : cents));
    put_comma(o);
    if (chance(r, 0.98))
        put_s(o, c->country == CO_FI ? "EUR" : "USD");
    put_eol(o);
}

/* Orders while the customer is with us: a first one soon after joining,
 * then at the segment's pace; a satisfied customer often buys again
 * within a few weeks of a ticket (post_service_repurchase). */
static void orders(struct gen *g, const char *cid, size_t cid_len,
                   const struct cust *c, int64_t until, int64_t last_contact,
                   bool bad)
{
    struct rng *r = &g->r_customers;
    double gap = segment_order_gap[c->segment] * dexp(0.4 * gauss(r));
    double scale = dexp(0.3 * gauss(r));
    int64_t t;
    int n = 0;

    if (c->acquired_ms >= g->start_ms)
        t = c->acquired_ms +
            (int64_t)(chance(r, 0.7) ? expo(r, 3) : expo(r, 45)) *
                CXM__MS_PER_DAY;
    else
        t = g->start_ms + (int64_t)(expo(r, gap) * (double)CXM__MS_PER_DAY);
    t += second_of_day(r);
    while (t < until && n++ < MAX_ORDERS_PER_CUSTOMER) {
        order(g, cid, cid_len, c, t, scale);
        t += (int64_t)(1 + expo(r, gap)) * CXM__MS_PER_DAY +
             second_of_day(r) - CXM__MS_PER_DAY / 2;
    }
    if (last_contact >= 0 && !bad && chance(r, 0.3)) {
        t = last_contact + (int64_t)(1 + below(r, 25)) * CXM__MS_PER_DAY +
            second_of_day(r);
        if (t < until)
            order(g, cid, cid_len, c, t, scale);
    }
}

static void write_customers(struct gen *g)
{
    struct rng *r = &g->r_customers;
    struct out *o = &g->out[F_CUSTOMERS];
    char cid[32];

    for (uint64_t i = 0; i < g->n_customers && !any_failed(g); i++) {
        struct cust c;
        size_t cid_len = fmt_cust_id(cid, i);
        int64_t churn, bad_churn, last = -1;
        int last_i = g->cust_last[i], bad_i = g->cust_bad[i];

        cust_get(g, i, &c);
        /* Natural churn (no ticket comes after it), earlier after a bad
         * experience the customer did not come back from. */
        churn = c.leaves_ms;
        if (last_i)
            last = (g->first_day + last_i - 1) * CXM__MS_PER_DAY;
        if (bad_i && chance(r, 0.3)) {
            bad_churn = (g->first_day + bad_i - 1) * CXM__MS_PER_DAY +
                        (int64_t)(3 + expo(r, 25)) * CXM__MS_PER_DAY +
                        second_of_day(r);
            if (bad_churn > last + CXM__MS_PER_DAY && bad_churn < churn)
                churn = bad_churn;
        }

        put_short(o, cid, cid_len);
        put_comma(o);
        put_ts(o, c.acquired_ms, pick_tsfmt(r, c.country, c.acquired_ms,
                                            5, 5));
        put_comma(o);
        if (churn < g->end_ms)
            put_ts(o, churn, ts_utc);
        put_comma(o);
        if (chance(r, 0.97))
            put_s(o, segment_names[c.segment]);
        put_comma(o);
        if (chance(r, 0.98))
            put_s(o, country_names[c.country]);
        put_comma(o);
        if (chance(r, 0.9)) {
            char *p = out_room(o, 48), *p0 = p;
            *p++ = 'c';
            p = fmt_u64(p, i + 1, 7);
            memcpy(p, "@example.com", 12);
            o->len += (size_t)(p + 12 - p0);
        }
        put_comma(o);
        if (chance(r, 0.65)) {
            put_s(o, country_phone[c.country]);
            put_u64(o, 100000000 + (uint64_t)below(r, 900000000));
        }
        put_comma(o);
        if (chance(r, 0.96))
            put_s(o, lang_names[c.lang]);
        put_eol(o);

        orders(g, cid, cid_len, &c, churn < g->end_ms ? churn : g->end_ms,
               last, bad_i != 0);
    }
}

/* ---- Files and the entry point. */

static cxm_rc open_files(struct gen *g, const char *dir)
{
    for (int f = 0; f < N_FILES; f++) {
        struct out *o = &g->out[f];
        struct cxm__buf b = CXM__BUF_INIT(SIZE_MAX / 2);

        if (cxm__buf_addf(&b, "%s/%s", dir, file_specs[f].name))
            return CXM_ENOMEM;
        o->path = cxm__buf_take(&b, NULL);
        o->cap = file_specs[f].buf_size;
        o->dc = &g->dates;
        o->buf = cxm__malloc(o->cap);
        if (!o->buf)
            return CXM_ENOMEM;
        o->fp = fopen(o->path, "wb");
        if (!o->fp) {
            o->err = errno ? errno : EIO;
            return CXM_EIO;
        }
        o->opened = true;
        put_s(o, file_specs[f].header);
    }
    return CXM_OK;
}

/* Flushes and closes every file; the first failure wins. */
static void close_files(struct gen *g)
{
    for (int f = 0; f < N_FILES; f++) {
        struct out *o = &g->out[f];

        if (!o->fp)
            continue;
        out_flush(o);
        errno = 0;
        if (fclose(o->fp) != 0 && !o->err)
            o->err = errno ? errno : EIO;
        o->fp = NULL;
    }
}

static char *io_message(const struct out *o)
{
    struct cxm__buf b = CXM__BUF_INIT(4096);
    char why[128];

    if (strerror_r(o->err, why, sizeof(why)) != 0)
        snprintf(why, sizeof(why), "error %d", o->err);
    if (cxm__buf_addf(&b, "cannot write %s: %s", o->path, why))
        return NULL;
    return cxm__buf_take(&b, NULL);
}

static cxm_rc check_opts(const struct cxm_demo_opts *opts, uint64_t *n,
                         int64_t *end, int *span)
{
    *n = DEFAULT_TICKETS;
    *end = DEFAULT_END_MS;
    *span = DEFAULT_SPAN_DAYS;
    if (!opts)
        return CXM_OK;
    if (opts->size < sizeof(*opts))
        return CXM_EINVAL;
    if (opts->n_tickets)
        *n = opts->n_tickets;
    if (opts->end_ms)
        *end = opts->end_ms;
    if (opts->span_days)
        *span = opts->span_days;
    if (*n > MAX_TICKETS || *span < 1 || *span > MAX_SPAN_DAYS ||
        *end > MAX_END_MS)
        return CXM_EINVAL;
    /* Agents are hired up to five years before the span, customers three:
     * every date stays after 1970. */
    if (*end - (int64_t)(*span + 3300) * CXM__MS_PER_DAY < 0)
        return CXM_EINVAL;
    return CXM_OK;
}

static cxm_rc gen_init(struct gen *g, uint64_t seed, uint64_t n,
                       int64_t end, int span)
{
    uint64_t n_agents = n / 500;
    size_t lists;

    g->seed = seed;
    g->n_tickets = n;
    g->n_customers = n / 3 > 10 ? n / 3 : 10;
    g->n_sessions = n + n / 2;
    g->n_reviews = n / 20 > 30 ? n / 20 : 30;
    g->end_ms = end;
    g->start_ms = end - (int64_t)span * CXM__MS_PER_DAY;
    g->first_day = cxm__day_of_ms(g->start_ms);
    g->n_days = (int)(cxm__day_of_ms(end - 1) - g->first_day + 1);
    g->acq_base_ms = g->start_ms - PRE_SPAN_YEARS * 365 * CXM__MS_PER_DAY;
    g->gap_day = gap_start(g->first_day, g->n_days);
    g->gap_team = GAP_TEAM;
    g->comm_launch_ms = end - 300 * CXM__MS_PER_DAY;
    if (g->comm_launch_ms < g->start_ms)
        g->comm_launch_ms = g->start_ms + (end - g->start_ms) / 2;
    g->cust_key = mix64(seed ^ UINT64_C(0xc057c057c057c057));
    g->pre_len = (double)(g->start_ms - g->acq_base_ms);
    g->span_len = (double)(g->end_ms - g->start_ms);
    g->inv_customers = 1.0 / (double)g->n_customers;
    for (int k = 0; k < N_SEG; k++)
        g->neg_life_s[k] =
            -365.0 * (double)CXM__S_PER_DAY / segment_churn_year[k];
    rng_init(&g->r_agents, seed, 1);
    rng_init(&g->r_days, seed, 2);
    rng_init(&g->r_tickets, seed, 3);
    rng_init(&g->r_sessions, seed, 4);
    rng_init(&g->r_reviews, seed, 5);
    rng_init(&g->r_hours, seed, 6);
    rng_init(&g->r_customers, seed, 7);

    g->n_agents = (int)(n_agents < 8 ? 8 : n_agents > 400 ? 400 : n_agents);
    g->n_teams = g->n_agents < 16 ? 4 : g->n_agents < 48 ? 5 : 6;
    lists = (size_t)(MAX_TEAMS + 2) * (size_t)g->n_agents;
    g->agents = cxm__calloc((size_t)g->n_agents, sizeof(*g->agents));
    g->list_idx = cxm__calloc(lists, sizeof(*g->list_idx));
    g->list_prob = cxm__calloc(lists, sizeof(*g->list_prob));
    g->list_alias = cxm__calloc(lists, sizeof(*g->list_alias));
    g->work = cxm__calloc(2 * (size_t)g->n_agents, sizeof(*g->work));
    g->tk_cum = cxm__calloc((size_t)g->n_days + 1, sizeof(*g->tk_cum));
    g->ss_cum = cxm__calloc((size_t)g->n_days + 1, sizeof(*g->ss_cum));
    g->cust_last = cxm__calloc((size_t)g->n_customers, sizeof(uint16_t));
    g->cust_bad = cxm__calloc((size_t)g->n_customers, sizeof(uint16_t));
    if (!g->agents || !g->list_idx || !g->list_prob || !g->list_alias ||
        !g->work || !g->tk_cum ||
        !g->ss_cum || !g->cust_last || !g->cust_bad)
        return CXM_ENOMEM;

    datecache_init(&g->dates);
    for (int h = 0; h < 24; h++)
        g->hour_cum[h] = (h ? g->hour_cum[h - 1] : 0) + hour_w[h];
    for (int j = 0; j < g->n_agents; j++)
        make_agent(g, j);
    day_weights(g);
    return CXM_OK;
}

static void gen_release(struct gen *g, bool remove_files)
{
    for (int f = 0; f < N_FILES; f++) {
        struct out *o = &g->out[f];
        if (o->fp)
            fclose(o->fp);
        if (remove_files && o->opened)
            remove(o->path);
        cxm__free(o->path);
        cxm__free(o->buf);
    }
    cxm__free(g->agents);
    cxm__free(g->list_idx);
    cxm__free(g->list_prob);
    cxm__free(g->list_alias);
    cxm__free(g->work);
    cxm__free(g->tk_cum);
    cxm__free(g->ss_cum);
    cxm__free(g->cust_last);
    cxm__free(g->cust_bad);
    cxm__free(g);
}

cxm_rc cxm_demo_write(const char *dir, const struct cxm_demo_opts *opts,
                      char **errmsg_out)
{
    struct gen *g = NULL;
    uint64_t n;
    int64_t end;
    int span;
    cxm_rc rc;

    if (errmsg_out)
        *errmsg_out = NULL;
    if (!dir || !*dir)
        return CXM_EINVAL;
    rc = check_opts(opts, &n, &end, &span);
    if (rc)
        return rc;
    g = cxm__calloc(1, sizeof(*g));
    if (!g)
        return CXM_ENOMEM;
    rc = gen_init(g, opts ? opts->seed : 0, n, end, span);
    if (!rc)
        rc = open_files(g, dir);
    if (!rc) {
        write_agents(g);
        generate_days(g);
        write_customers(g);
        close_files(g);
        if (any_failed(g))
            rc = CXM_EIO;
    }
    if (rc == CXM_EIO && errmsg_out) {
        for (int f = 0; f < N_FILES; f++) {
            if (g->out[f].err) {
                /* Benign: without memory the caller still gets the
                 * code. */
                *errmsg_out = io_message(&g->out[f]);
                break;
            }
        }
    }
    gen_release(g, rc != CXM_OK);
    return rc;
}

cxm_rc cxm_demo_incident(const struct cxm_demo_opts *opts,
                         struct cxm_demo_incident *out)
{
    uint64_t n;
    int64_t end, start, first_day, day;
    int span, n_days;
    cxm_rc rc;

    if (!out || out->size < sizeof(*out))
        return CXM_EINVAL;
    rc = check_opts(opts, &n, &end, &span);
    if (rc)
        return rc;
    start = end - (int64_t)span * CXM__MS_PER_DAY;
    first_day = cxm__day_of_ms(start);
    n_days = (int)(cxm__day_of_ms(end - 1) - first_day + 1);
    day = gap_start(first_day, n_days);
    memset(out, 0, sizeof(*out));
    out->size = sizeof(*out);
    out->planted = day >= 0;
    out->team = team_names[GAP_TEAM];
    if (day >= 0) {
        out->from_ms = day * CXM__MS_PER_DAY;
        out->to_ms = (day + GAP_DAYS) * CXM__MS_PER_DAY;
    }
    return CXM_OK;
}
