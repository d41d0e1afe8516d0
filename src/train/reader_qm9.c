/* reader_qm9.c: raw QM9 .xyz files (Ramakrishnan et al. 2014): count line,
 * "gdb N" + 15 properties, atoms with a Mulliken charge column, then the
 * frequency, SMILES and InChI lines. Numbers may use Mathematica "*^" exponents.
 * Several such files concatenated are read one molecule after the other. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "elements.h"
#include "reader.h"

#define HA_EV 27.211386

const char *const qdf_qm9_property_names[] = {"u0_atomization", "u0", "homo", "lumo", "gap", NULL};

int qdf_qm9_property_from_name(const char *name) {
    for (int i = 0; name && qdf_qm9_property_names[i]; i++)
        if (!strcasecmp(name, qdf_qm9_property_names[i])) return i;
    return -1;
}

const char *qdf_qm9_property_name(int p) {
    return p >= 0 && p < QDF_QM9_N_PROPERTIES ? qdf_qm9_property_names[p] : NULL;
}

/* QM9 free-atom U0 (Hartree), B3LYP/6-31G(2df,p). */
static double u0_ref(int z) {
    switch (z) {
    case 1: return -0.500273;
    case 6: return -37.846772;
    case 7: return -54.583861;
    case 8: return -75.064579;
    case 9: return -99.718730;
    }
    return 0;
}

int qdf_read_qm9(qdf_reader *r, char *err, int errlen) {
    long n;
    int rc = qdf_xyz_count(r, &n, err, errlen);
    if (rc != 1) return rc;
    qdf_rmol *c = &r->cur;
    char *line, why[200];
    rc = qdf_getline(r, &line, err, errlen);
    if (rc == -2) return -2;
    if (rc == 0) return qdf_rerr(r, err, errlen, r->mol_line, NULL, "file ends after the atom count line");
    /* "gdb N" then A B C mu alpha homo lumo gap r2 zpve U0 U H G Cv */
    qdf_span t[18];
    const int nt = qdf_split(line, t, 18);
    long gdb;
    if (nt < 2 || t[0].n != 3 || strncmp(t[0].s, "gdb", 3) || qdf_span_int(t[1], &gdb) || gdb <= 0)
        return qdf_rerr(r, err, errlen, 0, NULL, "expected 'gdb N' and 15 properties on the second line");
    snprintf(c->id, QDF_ID_MAX, "dsgdb9nsd_%06ld", gdb);
    if (nt != 17)
        return qdf_rerr(r, err, errlen, 0, c->id, "expected 15 properties after 'gdb %ld', got %d", gdb, nt - 2);
    double p[15];
    for (int i = 0; i < 15; i++) {
        if (qdf_span_num(t[2 + i], 1, &p[i]))
            return qdf_rerr(r, err, errlen, 0, c->id, "bad number '%.*s' (property %d)",
                            t[2 + i].n > 40 ? 40 : t[2 + i].n, t[2 + i].s, i + 1);
        if (!isfinite(p[i]))
            return qdf_rerr(r, err, errlen, 0, c->id, "property %d is not finite", i + 1);
    }
    for (long i = 0; i < n; i++) {
        rc = qdf_getline(r, &line, err, errlen);
        if (rc == -2) return -2;
        if (rc == 0) return qdf_rerr(r, err, errlen, 0, c->id, "file ends after %ld of %ld atom lines", i, n);
        if (qdf_parse_atom(r, line, 1, 1, why, sizeof why))
            return qdf_rerr(r, err, errlen, 0, c->id, "%s", why);
        qdf_span a[6];
        double q;
        const int na = qdf_split(line, a, 6);
        if (na != 5) return qdf_rerr(r, err, errlen, 0, c->id, "expected 5 fields (Sym x y z charge), got %d", na);
        if (qdf_span_num(a[4], 1, &q) || !isfinite(q))
            return qdf_rerr(r, err, errlen, 0, c->id, "bad Mulliken charge '%.*s'", a[4].n > 40 ? 40 : a[4].n,
                            a[4].s);
    }
    /* trailer: frequencies, SMILES, InChI; stop before the next count line */
    int k = 0;
    while ((rc = qdf_getline(r, &line, err, errlen)) == 1) {
        if (qdf_lone_int(line)) {
            qdf_lines_unread(&r->lr);
            break;
        }
        if (k == 0) { /* the frequency line holds only numbers */
            qdf_span f[2];
            double v;
            if (qdf_split(line, f, 2) >= 1 && qdf_span_num(f[0], 1, &v))
                return qdf_rerr(r, err, errlen, 0, c->id,
                                "expected the frequency line after %ld atoms (wrong atom count?)", n);
        }
        k++;
    }
    if (rc == -2) return -2;
    const double u0 = p[10];
    double v = 0;
    switch (r->opts.qm9_property) {
    case QDF_QM9_U0_ATOMIZATION: {
        double ref = 0;
        for (int i = 0; i < c->n; i++) {
            const double e = u0_ref(c->z[i]);
            if (e == 0)
                return qdf_rerr(r, err, errlen, r->mol_line, c->id, "no QM9 free-atom reference for %s",
                                qdf_element_symbol(c->z[i]));
            ref += e;
        }
        v = (u0 - ref) * HA_EV;
        break;
    }
    case QDF_QM9_U0: v = u0 * HA_EV; break;
    case QDF_QM9_HOMO: v = p[5] * HA_EV; break;
    case QDF_QM9_LUMO: v = p[6] * HA_EV; break;
    case QDF_QM9_GAP: v = p[7] * HA_EV; break;
    }
    c->t[0] = v;
    c->nt = 1;
    r->resync = 0;
    return 1;
}
