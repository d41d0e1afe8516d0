/* molecule.c: see molecule.h. */
#include "molecule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"

int qdf_molecule_alloc(qdf_molecule *m, int n) {
    if (n < 0 || n > QDF_MAX_ATOMS) return -1;
    const size_t na = n > 0 ? (size_t)n : 1;
    int *z = realloc(m->z, sizeof(int) * na);
    if (!z) return -1;
    m->z = z;
    double *x = realloc(m->xyz, sizeof(double) * 3 * na);
    if (!x) return -1;
    m->xyz = x;
    m->n_atoms = n;
    return 0;
}

void qdf_molecule_free(qdf_molecule *m) {
    if (!m) return;
    free(m->z);
    free(m->xyz);
    m->z = NULL;
    m->xyz = NULL;
    m->n_atoms = 0;
    m->n_targets = 0;
}

int qdf_molecule_copy(qdf_molecule *dst, const qdf_molecule *src) {
    if (dst == src) return 0;
    if (qdf_molecule_alloc(dst, src->n_atoms)) return -1;
    memcpy(dst->id, src->id, sizeof dst->id);
    dst->id[QDF_ID_MAX - 1] = 0;
    if (src->n_atoms > 0) {
        memcpy(dst->z, src->z, sizeof(int) * src->n_atoms);
        memcpy(dst->xyz, src->xyz, sizeof(double) * 3 * src->n_atoms);
    }
    dst->n_targets = src->n_targets;
    memcpy(dst->target, src->target, sizeof dst->target);
    return 0;
}

int qdf_molecule_electrons(const qdf_molecule *m) {
    int s = 0;
    for (int i = 0; i < m->n_atoms; i++) s += m->z[i];
    return s;
}

void qdf_molecule_formula(const qdf_molecule *m, char *buf, int len) {
    if (!buf || len <= 0) return;
    buf[0] = 0;
    int count[QDF_MAX_Z + 1] = {0};
    int other = 0;
    for (int i = 0; i < m->n_atoms; i++) {
        if (m->z[i] >= 1 && m->z[i] <= QDF_MAX_Z) count[m->z[i]]++;
        else other++;
    }
    /* Hill order: C, H, then the rest alphabetically; without carbon all
     * alphabetically (H included). */
    int order[QDF_MAX_Z + 1], n = 0;
    const int has_c = count[6] > 0;
    if (has_c) {
        order[n++] = 6;
        if (count[1]) order[n++] = 1;
    }
    for (;;) { /* remaining symbols in alphabetical order (selection) */
        int best = 0;
        for (int z = 1; z <= QDF_MAX_Z; z++) {
            if (!count[z] || (has_c && (z == 6 || z == 1))) continue;
            int used = 0;
            for (int k = 0; k < n; k++) used |= order[k] == z;
            if (used) continue;
            if (!best || strcmp(qdf_element_symbol(z), qdf_element_symbol(best)) < 0) best = z;
        }
        if (!best) break;
        order[n++] = best;
    }
    int pos = 0;
    for (int k = 0; k < n && pos < len; k++) {
        const int z = order[k];
        int w = count[z] > 1 ? snprintf(buf + pos, (size_t)(len - pos), "%s%d", qdf_element_symbol(z), count[z])
                             : snprintf(buf + pos, (size_t)(len - pos), "%s", qdf_element_symbol(z));
        if (w < 0) break;
        pos += w;
    }
    if (other && pos < len) snprintf(buf + pos, (size_t)(len - pos), "?%d", other);
}

int qdf_molecule_validate(const qdf_molecule *m, char *why, int len) {
    char dummy[8];
    if (!why || len <= 0) { why = dummy; len = sizeof dummy; }
    if (m->n_atoms < 1) { snprintf(why, (size_t)len, "no atoms"); return -1; }
    if (m->n_atoms > QDF_MAX_ATOMS) {
        snprintf(why, (size_t)len, "%d atoms (more than the limit %d)", m->n_atoms, QDF_MAX_ATOMS);
        return -1;
    }
    for (int i = 0; i < m->n_atoms; i++) {
        if (!qdf_element_symbol(m->z[i])) {
            snprintf(why, (size_t)len, "atom %d: unsupported atomic number %d", i + 1, m->z[i]);
            return -1;
        }
        for (int d = 0; d < 3; d++) {
            const double v = m->xyz[3 * i + d];
            if (!isfinite(v)) { snprintf(why, (size_t)len, "atom %d: coordinate is not finite", i + 1); return -1; }
            if (fabs(v) > 1e4) {
                snprintf(why, (size_t)len, "atom %d: coordinate %g beyond 1e4 Angstrom", i + 1, v);
                return -1;
            }
        }
    }
    /* O(n^2) is fine up to QDF_MAX_ATOMS = 400 (80k pairs). */
    for (int i = 0; i < m->n_atoms; i++)
        for (int j = i + 1; j < m->n_atoms; j++) {
            const double dx = m->xyz[3 * i] - m->xyz[3 * j], dy = m->xyz[3 * i + 1] - m->xyz[3 * j + 1],
                         dz = m->xyz[3 * i + 2] - m->xyz[3 * j + 2];
            const double r2 = dx * dx + dy * dy + dz * dz;
            if (r2 < 0.01) {
                snprintf(why, (size_t)len, "atoms %d and %d are %.3g Angstrom apart (minimum 0.1)", i + 1,
                         j + 1, sqrt(r2));
                return -1;
            }
        }
    for (int k = 0; k < m->n_targets; k++)
        if (!isfinite(m->target[k])) { snprintf(why, (size_t)len, "target %d is not finite", k + 1); return -1; }
    return 0;
}
