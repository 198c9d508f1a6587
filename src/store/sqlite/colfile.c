/* SPDX-License-Identifier: MIT
 *
 * colfile.c — the layout of the column segment file (colfile.h).
 */
#include "internal.h"

#include <string.h>

#include "checksum.h"
#include "colfile.h"

static const uint8_t magic[8] = {'C', 'X', 'C', 'O', 'L', 'F', '2', '\n'};

/* The checksum of a header and its n entries. */
static uint64_t header_sum(const uint8_t *base, uint64_t n)
{
    return cxm__xxh64(base + CXM__COLFILE_HEADER, n * CXM__COLFILE_ENTRY,
                      cxm__xxh64(base, 32, 0));
}

const char *cxm__colfile_check(const uint8_t *base, size_t len, bool verify,
                               int64_t *token_out)
{
    uint64_t n, end;

    if (len < CXM__COLFILE_HEADER)
        return "shorter than its header";
    if (memcmp(base, "CXCOLF1\n", 8) == 0)
        return CXM__COLFILE_OTHER_LAYOUT; /* before 0010 */
    if (memcmp(base, magic, sizeof(magic)) != 0)
        return "not a column segment file";
    if (cxm__get_le64(base + 24) != len)
        return "its length is not the one it names";
    n = cxm__get_le64(base + 16);
    if (n > (len - CXM__COLFILE_HEADER) / CXM__COLFILE_ENTRY)
        return "its entries pass its end";
    if (verify && cxm__get_le64(base + 32) != header_sum(base, n))
        return "its header's checksum does not match";
    end = CXM__COLFILE_HEADER + n * CXM__COLFILE_ENTRY;
    /* The segments follow the entries in their order, each padded with
     * zeros to 8 bytes, up to the end: no byte of the file is outside
     * something checked (the header's checksum, a segment's). */
    for (uint64_t i = 0; i < n; i++) {
        struct cxm__colfile_entry e;

        cxm__colfile_entry(base, i, &e);
        if (e.off == CXM__COLFILE_NO_DATA)
            continue;
        if (e.off != end || e.len > len - e.off ||
            cxm__colfile_pad((size_t)e.len) > len - e.off)
            return "an entry's data is not where the file puts it";
        for (uint64_t k = e.off + e.len;
             k < e.off + cxm__colfile_pad((size_t)e.len); k++) {
            if (base[k])
                return "a segment's padding is not zeros";
        }
        end = e.off + cxm__colfile_pad((size_t)e.len);
    }
    if (end != len)
        return "bytes after its last segment";
    *token_out = (int64_t)cxm__get_le64(base + 8);
    return NULL;
}

uint64_t cxm__colfile_count(const uint8_t *base)
{
    return cxm__get_le64(base + 16);
}

void cxm__colfile_entry(const uint8_t *base, uint64_t i,
                        struct cxm__colfile_entry *out)
{
    const uint8_t *e = base + CXM__COLFILE_HEADER + i * CXM__COLFILE_ENTRY;

    out->workspace_id = (int64_t)cxm__get_le64(e);
    out->t = (int64_t)cxm__get_le64(e + 8);
    out->n = (int64_t)cxm__get_le64(e + 16);
    out->off = cxm__get_le64(e + 24);
    out->len = cxm__get_le64(e + 32);
}

size_t cxm__colfile_pad(size_t len)
{
    return (len + 7) & ~(size_t)7;
}

void cxm__colfile_put_header(uint8_t *base, int64_t token, uint64_t n,
                             uint64_t len)
{
    memcpy(base, magic, sizeof(magic));
    cxm__put_le64(base + 8, (uint64_t)token);
    cxm__put_le64(base + 16, n);
    cxm__put_le64(base + 24, len);
    cxm__put_le64(base + 32, header_sum(base, n));
}

void cxm__colfile_put_entry(uint8_t *base, uint64_t i,
                            const struct cxm__colfile_entry *e)
{
    uint8_t *p = base + CXM__COLFILE_HEADER + i * CXM__COLFILE_ENTRY;

    cxm__put_le64(p, (uint64_t)e->workspace_id);
    cxm__put_le64(p + 8, (uint64_t)e->t);
    cxm__put_le64(p + 16, (uint64_t)e->n);
    cxm__put_le64(p + 24, e->off);
    cxm__put_le64(p + 32, e->len);
}
