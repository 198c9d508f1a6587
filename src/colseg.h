/* SPDX-License-Identifier: MIT
 *
 * colseg.h — private: column segments of survey answers (colseg.c).
 *
 * A segment holds one UTC month of the answers a metric reads (csat, nps,
 * ces with a score), struct-of-arrays, each dimension dictionary-encoded:
 * the store keeps one per month beside the rollups, rewritten with them
 * before every commit (src/sql/0005-columns.sql), and the report's column
 * scan reads them on both cores (report_cols.c).
 *
 * Blob layout (little-endian): "CXC1", u32 n, u8 score width, u8 width per
 * column (CXM__COL_COUNT), then n × u32 ms since the segment's first day,
 * n × score − scale_min, and n × id per column, each 1 or 2 bytes wide.
 */
#ifndef CXM_COLSEG_H
#define CXM_COLSEG_H

#include "internal.h"

/* The dictionary-encoded columns. KIND is survey + scale. */
enum cxm__col {
    CXM__COL_KIND,
    CXM__COL_AGENT,
    CXM__COL_TEAM,
    CXM__COL_CHANNEL,
    CXM__COL_LANGUAGE,
    CXM__COL_TOPIC,
    CXM__COL_COUNT
};

#define CXM__COL_MAX_ID 65535u    /* ids are at most two bytes */
#define CXM__COLSEG_HEADER (4 + 4 + 1 + CXM__COL_COUNT)

/* One month of answers being collected. */
struct cxm__colseg_writer {
    size_t n, cap;
    uint32_t *off;                   /* owned: ms since the first day */
    uint16_t *score;                 /* owned: score − scale_min */
    uint16_t *id[CXM__COL_COUNT];    /* owned */
};

CXM_MUST_USE cxm_rc cxm__colseg_push(struct cxm__colseg_writer *w,
                                     uint32_t off, uint16_t score,
                                     const uint16_t id[CXM__COL_COUNT]);
/* The segment's blob, in *blob_out (owned by the caller; cxm__free). */
CXM_MUST_USE cxm_rc cxm__colseg_encode(const struct cxm__colseg_writer *w,
                                       uint8_t **blob_out, size_t *len_out);
void cxm__colseg_writer_release(struct cxm__colseg_writer *w);

/* A validated view of a blob (borrowed: valid while the blob is). */
struct cxm__colseg {
    size_t n;
    const uint8_t *off;
    const uint8_t *score;
    int score_w;
    const uint8_t *col[CXM__COL_COUNT];
    int w[CXM__COL_COUNT];
};

/* CXM_OK, or CXM_EINPUT when the blob is not a well-formed segment. */
CXM_MUST_USE cxm_rc cxm__colseg_view(const uint8_t *blob, size_t len,
                                     struct cxm__colseg *out);

static inline uint32_t cxm__colseg_off(const struct cxm__colseg *s,
                                       size_t i)
{
    const uint8_t *p = s->off + 4 * i;

    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Value i of a column `w` bytes wide. */
static inline unsigned cxm__colseg_get(const uint8_t *col, int w, size_t i)
{
    if (w == 1)
        return col[i];
    return (unsigned)col[2 * i] | (unsigned)col[2 * i + 1] << 8;
}

#endif /* CXM_COLSEG_H */
