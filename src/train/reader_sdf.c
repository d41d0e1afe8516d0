/* reader_sdf.c: SDF / MOL files, V2000 connection tables with 3-D coordinates.
 * Records end with "$$$$" (a .mol file has one record and may omit it). A data
 * item named like an energy (energy, E, energy_eV, energy_kcal_mol,
 * energy_hartree) becomes the target in eV. V3000 is rejected. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"
#include "reader.h"

static int is_end_record(const char *l) { return !strncmp(l, "$$$$", 4); }

/* Fixed-width field [a, a+w) of line as a span (trimmed). */
static qdf_span field(const char *line, int a, int w) {
    const int len = (int)strlen(line);
    qdf_span s = {line + (a < len ? a : len), 0};
    int e = a + w < len ? a + w : len;
    int b = a < len ? a : len;
    while (b < e && isspace((unsigned char)line[b])) b++;
    while (e > b && isspace((unsigned char)line[e - 1])) e--;
    s.s = line + b;
    s.n = e - b;
    return s;
}

/* One atom line: fixed width (x y z in 10-column fields, symbol in 32-34), else
 * whitespace-separated "x y z Sym". */
static int sdf_atom(qdf_reader *r, const char *line, char *why, int wlen) {
    double x[3];
    char sym[8];
    int ok = (int)strlen(line) >= 34;
    for (int d = 0; ok && d < 3; d++) ok = qdf_span_num(field(line, 10 * d, 10), 0, &x[d]) == 0;
    qdf_span s = field(line, 31, 3);
    if (ok && (s.n == 0 || s.n > 3)) ok = 0;
    if (!ok) { /* free format fallback */
        qdf_span t[4];
        if (qdf_split(line, t, 4) < 4) {
            snprintf(why, (size_t)wlen, "bad atom line (expected x y z symbol)");
            return -1;
        }
        for (int d = 0; d < 3; d++)
            if (qdf_span_num(t[d], 0, &x[d])) {
                snprintf(why, (size_t)wlen, "bad number '%.*s' for coordinate %c", t[d].n > 40 ? 40 : t[d].n,
                         t[d].s, "xyz"[d]);
                return -1;
            }
        s = t[3];
        if (s.n > 3) s.n = 3;
    }
    memcpy(sym, s.s, (size_t)s.n);
    sym[s.n] = 0;
    const int z = qdf_element_z(sym);
    if (!z) {
        snprintf(why, (size_t)wlen, "unknown element '%s'", sym);
        return -1;
    }
    for (int d = 0; d < 3; d++)
        if (!isfinite(x[d]) || fabs(x[d]) > 1e4) {
            snprintf(why, (size_t)wlen, "coordinate %c is not finite or beyond 1e4 Angstrom", "xyz"[d]);
            return -1;
        }
    if (r->cur.n >= QDF_MAX_ATOMS) {
        snprintf(why, (size_t)wlen, "more than %d atoms", QDF_MAX_ATOMS);
        return -1;
    }
    const int i = r->cur.n++;
    r->cur.z[i] = z;
    memcpy(r->cur.xyz + 3 * i, x, sizeof x);
    return 0;
}

int qdf_read_sdf(qdf_reader *r, char *err, int errlen) {
    char *line, why[200];
    int rc;
    if (r->resync) { /* skip past the end of the bad record */
        while ((rc = qdf_getline(r, &line, err, errlen)) == 1 && !is_end_record(line)) {}
        if (rc != 1) return rc;
        r->resync = 0;
    }
    qdf_rmol *c = &r->cur;
    /* header: name, program/dimension line, comment; then the counts line */
    char name[QDF_ID_MAX] = "", dim[3] = "";
    int all_blank = 1;
    for (int h = 0; h < 4; h++) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0) {
            if (all_blank) return 0; /* trailing blank lines */
            return qdf_rerr(r, err, errlen, 0, c->id[0] ? c->id : NULL, "file ends inside the molecule header");
        }
        if (!qdf_blank(line) && all_blank) {
            all_blank = 0;
            r->k++;
            r->mol_line = r->lr.lineno - h;
            snprintf(c->id, QDF_ID_MAX, "%.80s#%d", r->base, r->k);
        }
        if (h == 0) {
            const char *p = line;
            while (*p && isspace((unsigned char)*p)) p++;
            snprintf(name, sizeof name, "%s", p);
            for (int i = (int)strlen(name) - 1; i >= 0 && isspace((unsigned char)name[i]); i--) name[i] = 0;
            for (char *q = name; *q; q++)
                if (isspace((unsigned char)*q)) *q = '_';
            if (name[0]) snprintf(c->id, QDF_ID_MAX, "%s", name);
        } else if (h == 1 && strlen(line) >= 22) {
            dim[0] = line[20];
            dim[1] = line[21];
        }
    }
    /* the counts line */
    if (strstr(line, "V3000"))
        return qdf_rerr(r, err, errlen, 0, c->id, "V3000 molfile not supported (write V2000)");
    long na, nb;
    qdf_span ta = field(line, 0, 3), tb = field(line, 3, 3);
    if (qdf_span_int(ta, &na) || qdf_span_int(tb, &nb))
        return qdf_rerr(r, err, errlen, 0, c->id, "bad counts line '%.40s'", line);
    if (na <= 0) return qdf_rerr(r, err, errlen, 0, c->id, "atom count %ld (empty molecule)", na);
    if (na > QDF_MAX_ATOMS)
        return qdf_rerr(r, err, errlen, 0, c->id, "%ld atoms (more than the limit %d)", na, QDF_MAX_ATOMS);
    if (nb < 0 || nb > 4 * QDF_MAX_ATOMS) return qdf_rerr(r, err, errlen, 0, c->id, "bad bond count %ld", nb);
    if (dim[0] == '2' && dim[1] == 'D')
        return qdf_rerr(r, err, errlen, 0, c->id, "2-D coordinates (header says 2D; qdf needs 3-D)");
    for (long i = 0; i < na; i++) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0) return qdf_rerr(r, err, errlen, 0, c->id, "file ends in the atom block (%ld of %ld atoms)", i, na);
        if (!strncmp(line, "M  END", 6) || is_end_record(line)) {
            const int end = is_end_record(line);
            qdf_rerr(r, err, errlen, 0, c->id, "atom block has %ld lines, the counts line says %ld", i, na);
            if (end) r->resync = 0;
            return -1;
        }
        if (sdf_atom(r, line, why, sizeof why)) return qdf_rerr(r, err, errlen, 0, c->id, "%s", why);
    }
    for (long i = 0; i < nb; i++) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0) return qdf_rerr(r, err, errlen, 0, c->id, "file ends in the bond block");
        long a, b;
        if (qdf_span_int(field(line, 0, 3), &a) || qdf_span_int(field(line, 3, 3), &b) || a < 1 || a > na ||
            b < 1 || b > na) {
            const int end = is_end_record(line);
            qdf_rerr(r, err, errlen, 0, c->id, "bad bond line %ld of %ld: '%.40s'", i + 1, nb, line);
            if (end) r->resync = 0;
            return -1;
        }
    }
    /* properties block up to "M  END" */
    for (;;) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0) return qdf_rerr(r, err, errlen, 0, c->id, "missing 'M  END'");
        if (!strncmp(line, "M  END", 6)) break;
        if (is_end_record(line)) {
            qdf_rerr(r, err, errlen, 0, c->id, "record ends before 'M  END'");
            r->resync = 0;
            return -1;
        }
    }
    /* data items until "$$$$" or end of file */
    for (;;) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0 || is_end_record(line)) break;
        if (line[0] != '>') continue;
        const char *lt = strchr(line, '<'), *gt = lt ? strchr(lt + 1, '>') : NULL;
        char item[64] = "";
        if (lt && gt) snprintf(item, sizeof item, "%.*s", (int)(gt - lt - 1) < 63 ? (int)(gt - lt - 1) : 63, lt + 1);
        const double f = item[0] ? qdf_energy_key_factor(item, (int)strlen(item)) : 0;
        int first = 1;
        for (;;) { /* the value lines, up to a blank line */
            rc = qdf_getline(r, &line, err, errlen);
            if (rc == -2) return -2;
            if (rc == 0 || qdf_blank(line)) break;
            if (is_end_record(line) || line[0] == '>') {
                qdf_lines_unread(&r->lr);
                break;
            }
            if (first && f != 0 && c->nt == 0) {
                qdf_span t[2];
                double v;
                const int nt = qdf_split(line, t, 2);
                if (nt != 1 || qdf_span_num(t[0], 0, &v) || !isfinite(v))
                    return qdf_rerr(r, err, errlen, 0, c->id, "bad value '%.40s' for data item <%s>", line, item);
                c->t[0] = v * f;
                c->nt = 1;
            }
            first = 0;
        }
        if (rc == 0) break;
    }
    r->resync = 0;
    return 1;
}
