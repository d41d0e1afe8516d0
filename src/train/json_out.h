/* json_out.h: the one JSON string writer of the commands (quotes, backslashes
 * and control characters escaped). */
#ifndef QDF_JSON_OUT_H
#define QDF_JSON_OUT_H

#include <stdio.h>

void qdf_json_string(FILE *f, const char *s);

#endif
