/* reader_txt.c: the datasets' text format. Blocks separated by a blank line:
 * the molecule id, lines "Sym x y z" (Angstrom), and a last line of one or more
 * numbers (targets, eV). A block without the number line has no targets. */
#include <math.h>
#include <string.h>

#include "reader.h"

int qdf_read_txt(qdf_reader *r, char *err, int errlen) {
    char *line;
    int rc;
    if (r->resync) { /* skip the rest of the bad block */
        while ((rc = qdf_getline(r, &line, err, errlen)) == 1 && !qdf_blank(line)) {}
        if (rc != 1) return rc;
        r->resync = 0;
    }
    while ((rc = qdf_getline(r, &line, err, errlen)) == 1 && qdf_blank(line)) {}
    if (rc != 1) return rc;
    r->k++;
    r->mol_line = r->lr.lineno;
    qdf_rmol *c = &r->cur;
    qdf_span t[QDF_MAX_TARGETS + 1];
    int nt = qdf_split(line, t, 2);
    if (nt != 1)
        return qdf_rerr(r, err, errlen, 0, NULL, "expected a molecule id line, got %d fields", nt);
    if (t[0].n >= QDF_ID_MAX)
        return qdf_rerr(r, err, errlen, 0, NULL, "molecule id longer than %d characters", QDF_ID_MAX - 1);
    memcpy(c->id, t[0].s, (size_t)t[0].n);
    c->id[t[0].n] = 0;
    int have_target = 0;
    char why[200];
    for (;;) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0 || qdf_blank(line)) break;
        if (have_target)
            return qdf_rerr(r, err, errlen, 0, c->id,
                            "line after the target line (targets must be the last line of the block)");
        nt = qdf_split(line, t, QDF_MAX_TARGETS + 1);
        double v;
        if (qdf_span_num(t[0], 0, &v) == 0 || (nt >= 1 && strchr("0123456789+-.", t[0].s[0]))) {
            /* the target line */
            if (nt > QDF_MAX_TARGETS)
                return qdf_rerr(r, err, errlen, 0, c->id, "more than %d target values", QDF_MAX_TARGETS);
            for (int i = 0; i < nt; i++) {
                if (qdf_span_num(t[i], 0, &v))
                    return qdf_rerr(r, err, errlen, 0, c->id, "bad number '%.*s' in the target line",
                                    t[i].n > 40 ? 40 : t[i].n, t[i].s);
                if (!isfinite(v))
                    return qdf_rerr(r, err, errlen, 0, c->id, "target %d is not finite ('%.*s')", i + 1,
                                    t[i].n > 40 ? 40 : t[i].n, t[i].s);
                c->t[i] = v;
            }
            c->nt = nt;
            have_target = 1;
            continue;
        }
        if (qdf_parse_atom(r, line, 0, 0, why, sizeof why)) return qdf_rerr(r, err, errlen, 0, c->id, "%s", why);
    }
    if (c->n == 0) {
        qdf_rerr(r, err, errlen, r->mol_line, c->id, "no atom lines in the block");
        r->resync = 0; /* the block was read to its end */
        return -1;
    }
    return 1;
}
