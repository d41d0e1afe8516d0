/* reader_xyz.c: XYZ files (one or many molecules) and extended XYZ (key=value
 * comment lines; an energy key becomes the target in eV). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "reader.h"

int qdf_xyz_resync(qdf_reader *r, char *err, int errlen) {
    char *line;
    int rc;
    while ((rc = qdf_getline(r, &line, err, errlen)) == 1 && !qdf_lone_int(line)) {}
    if (rc != 1) return rc;
    qdf_lines_unread(&r->lr);
    r->resync = 0;
    return 1;
}

int qdf_xyz_count(qdf_reader *r, long *n, char *err, int errlen) {
    char *line;
    int rc;
    if (r->resync && (rc = qdf_xyz_resync(r, err, errlen)) != 1) return rc;
    while ((rc = qdf_getline(r, &line, err, errlen)) == 1 && qdf_blank(line)) {}
    if (rc != 1) return rc;
    r->k++;
    r->mol_line = r->lr.lineno;
    qdf_span t[2];
    const int nt = qdf_split(line, t, 2);
    if (nt != 1 || qdf_span_int(t[0], n))
        return qdf_rerr(r, err, errlen, 0, NULL, "expected an atom count line, got '%.40s'", line);
    if (*n <= 0) return qdf_rerr(r, err, errlen, 0, NULL, "atom count %ld (empty molecule)", *n);
    if (*n > QDF_MAX_ATOMS)
        return qdf_rerr(r, err, errlen, 0, NULL, "%ld atoms (more than the limit %d)", *n, QDF_MAX_ATOMS);
    return 1;
}

static int is_key(const char *k, int n, const char *name) {
    return (int)strlen(name) == n && !strncasecmp(k, name, (size_t)n);
}

/* Comment line: id and energy. 0 ok, -1 with the reason in why. */
static int parse_comment(qdf_reader *r, const char *s, char *why, int wlen) {
    qdf_rmol *c = &r->cur;
    int first = 1, have_id = 0;
    while (*s) {
        while (*s && isspace((unsigned char)*s)) s++;
        if (!*s) break;
        const char *k = s;
        while (*s && !isspace((unsigned char)*s) && *s != '=') s++;
        const int kn = (int)(s - k);
        if (*s != '=') { /* a bare word: the first one is the id */
            if (first && !have_id && kn < QDF_ID_MAX) {
                memcpy(c->id, k, (size_t)kn);
                c->id[kn] = 0;
                have_id = 1;
            }
            first = 0;
            continue;
        }
        first = 0;
        s++;
        const char *v;
        int vn;
        if (*s == '"') {
            v = ++s;
            while (*s && *s != '"') s++;
            if (!*s) {
                snprintf(why, (size_t)wlen, "unterminated quote in the comment line (key '%.*s')",
                         kn > 40 ? 40 : kn, k);
                return -1;
            }
            vn = (int)(s - v);
            s++;
        } else {
            v = s;
            while (*s && !isspace((unsigned char)*s)) s++;
            vn = (int)(s - v);
        }
        if (is_key(k, kn, "id") || is_key(k, kn, "name") || is_key(k, kn, "mol_id") ||
            is_key(k, kn, "molecule_id")) {
            if (vn > 0 && vn < QDF_ID_MAX) {
                memcpy(c->id, v, (size_t)vn);
                c->id[vn] = 0;
                for (char *p = c->id; *p; p++)
                    if (isspace((unsigned char)*p)) *p = '_';
                have_id = 1;
            }
            continue;
        }
        const double f = qdf_energy_key_factor(k, kn);
        if (f != 0 && c->nt == 0) {
            double e;
            const qdf_span sp = {v, vn};
            if (qdf_span_num(sp, 0, &e)) {
                snprintf(why, (size_t)wlen, "bad number '%.*s' for key '%.*s'", vn > 40 ? 40 : vn, v,
                         kn > 40 ? 40 : kn, k);
                return -1;
            }
            if (!isfinite(e)) {
                snprintf(why, (size_t)wlen, "energy '%.*s' is not finite", vn > 40 ? 40 : vn, v);
                return -1;
            }
            c->t[0] = e * f;
            c->nt = 1;
        }
        /* Properties=, Lattice=, pbc= and other keys are ignored */
    }
    if (!have_id) snprintf(c->id, QDF_ID_MAX, "%.80s#%d", r->base, r->k);
    return 0;
}

int qdf_read_xyz(qdf_reader *r, char *err, int errlen) {
    long n;
    int rc = qdf_xyz_count(r, &n, err, errlen);
    if (rc != 1) return rc;
    qdf_rmol *c = &r->cur;
    char *line, why[200];
    rc = qdf_getline(r, &line, err, errlen);
    if (rc == -2) return -2;
    snprintf(c->id, QDF_ID_MAX, "%.80s#%d", r->base, r->k);
    if (rc == 0) return qdf_rerr(r, err, errlen, r->mol_line, NULL, "file ends after the atom count line");
    if (parse_comment(r, line, why, sizeof why)) return qdf_rerr(r, err, errlen, 0, c->id, "%s", why);
    for (long i = 0; i < n; i++) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0)
            return qdf_rerr(r, err, errlen, 0, c->id, "file ends after %ld of %ld atom lines", i, n);
        if (qdf_parse_atom(r, line, 1, 0, why, sizeof why)) {
            if (qdf_lone_int(line) || qdf_blank(line)) {
                const long ln = r->lr.lineno;
                if (qdf_lone_int(line)) qdf_lines_unread(&r->lr); /* the next molecule starts here */
                return qdf_rerr(r, err, errlen, ln, c->id,
                                "only %ld atom lines, but the count line says %ld", i, n);
            }
            return qdf_rerr(r, err, errlen, 0, c->id, "%s", why);
        }
    }
    /* the next line must end the molecule: end of file, a blank line or a count line */
    rc = qdf_getline(r, &line, err, errlen);
    if (rc == -2) return -2;
    if (rc == 1) {
        if (!qdf_blank(line) && !qdf_lone_int(line))
            return qdf_rerr(r, err, errlen, 0, c->id, "more atom lines than the count line's %ld", n);
        qdf_lines_unread(&r->lr);
    }
    return 1;
}
