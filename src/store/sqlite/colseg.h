/* SPDX-License-Identifier: MIT
 *
 * colseg.h — private: column segments of survey answers (colseg.c).
 *
 * A segment holds one UTC month of the answers a metric reads (csat, nps,
 * ces with a score), struct-of-arrays, each dimension dictionary-encoded:
 * the store keeps one per month beside the rollups, rewritten with them
 * before every commit (src/store/sqlite/sql/0005-columns.sql), and the report's column
 * scan reads them on both cores (colscan.c).
 *
 * Blob layout (little-endian): "CXC2", u64 checksum, u32 n, u8 score
 * width, u8 width per column (CXM__COL_COUNT), then n × u32 ms since the
 * segment's first day, n × score − scale_min (1 or 2 bytes each), and n ×
 * id per column (1, 2 or 3 bytes each). The checksum is XXH64 (checksum.h)
 * of every byte after it: a segment damaged on disk is refused, never
 * counted (docs/store.md, "Damage"). "CXC1" (no checksum, ids of at most
 * two bytes) is the layout before 0010; cxm__colseg_upgrade() turns it
 * into this one.
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

#define CXM__COL_MAX_ID 0xFFFFFFu  /* ids are at most three bytes */
#define CXM__COLSEG_HEADER (4 + 8 + 4 + 1 + CXM__COL_COUNT)
#define CXM__COLSEG_V1_HEADER (4 + 4 + 1 + CXM__COL_COUNT)

/* One month of answers being collected. */
struct cxm__colseg_writer {
    size_t n, cap;
    uint32_t *off;                   /* owned: ms since the first day */
    uint16_t *score;                 /* owned: score − scale_min */
    uint16_t *id[CXM__COL_COUNT];    /* owned: the ids' low two bytes */
    /* owned: their third byte, NULL until a column's first id past
     * 65535 (most columns never need one) */
    uint8_t *hi[CXM__COL_COUNT];
};

/* Adds an answer; CXM_ETOOBIG when an id passes CXM__COL_MAX_ID. */
CXM_MUST_USE cxm_rc cxm__colseg_push(struct cxm__colseg_writer *w,
                                     uint32_t off, uint16_t score,
                                     const uint32_t id[CXM__COL_COUNT]);
/* Id i of column c of a writer. */
static inline uint32_t cxm__colseg_writer_id(const struct cxm__colseg_writer *w,
                                             int c, size_t i)
{
    return (uint32_t)w->id[c][i] | (w->hi[c] ? (uint32_t)w->hi[c][i] << 16
                                              : 0);
}
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

/* CXM_OK, or CXM_EINPUT when the blob is not a well-formed segment, or
 * (when `verify`) its checksum is not the one of its bytes. A reader whose
 * engine verified the blob already passes false. */
CXM_MUST_USE cxm_rc cxm__colseg_view(const uint8_t *blob, size_t len,
                                     bool verify, struct cxm__colseg *out);
/* The blob of a "CXC1" segment in this layout, in *out (owned by the
 * caller; cxm__free); CXM_EINPUT when it is not a well-formed one. */
CXM_MUST_USE cxm_rc cxm__colseg_upgrade(const uint8_t *blob, size_t len,
                                        uint8_t **out, size_t *len_out);

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
    if (w == 2)
        return (unsigned)col[2 * i] | (unsigned)col[2 * i + 1] << 8;
    return (unsigned)col[3 * i] | (unsigned)col[3 * i + 1] << 8 |
           (unsigned)col[3 * i + 2] << 16;
}

#endif /* CXM_COLSEG_H */
