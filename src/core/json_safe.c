/* SPDX-License-Identifier: MIT
 *
 * json_safe.c — a JSON string writer for text people typed (comments,
 * group names of alerts): valid JSON that is also inert inside HTML.
 */
#include "internal.h"

cxm_rc cxm__json_safe_str(struct cxm__buf *b, const char *s)
{
    cxm_rc rc = cxm__buf_addc(b, '"');

    for (; !rc && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            rc = cxm__buf_addc(b, '\\');
            if (!rc)
                rc = cxm__buf_addc(b, (char)c);
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&' ||
                   c == '\'' || c == 0x7f) {
            rc = cxm__buf_addf(b, "\\u%04x", c);
        } else if (c == 0xe2 && (unsigned char)s[1] == 0x80 &&
                   ((unsigned char)s[2] == 0xa8 ||
                    (unsigned char)s[2] == 0xa9)) {
            /* U+2028, U+2029: line ends to JavaScript */
            rc = cxm__buf_addf(b, "\\u%04x",
                               (unsigned char)s[2] == 0xa8 ? 0x2028
                                                           : 0x2029);
            s += 2;
        } else {
            rc = cxm__buf_addc(b, (char)c);
        }
    }
    return rc ? rc : cxm__buf_addc(b, '"');
}
