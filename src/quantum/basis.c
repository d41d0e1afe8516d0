/* basis.c: see basis.h. */
#include "basis.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int parse_name(const char *name, int *inner, int *outer) {
    if (strcmp(name, "STO-3G") == 0 || strcmp(name, "sto-3g") == 0) {
        *inner = *outer = 1;
        return 0;
    }
    /* "I-OOG" */
    const char *dash = strchr(name, '-');
    if (!dash || dash == name) return -1;
    int in = 0, out = 0;
    for (const char *p = name; p < dash; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        in = in * 10 + (*p - '0');
    }
    const char *p = dash + 1;
    int nd = 0;
    for (; isdigit((unsigned char)*p); p++, nd++) out += *p - '0';
    if (nd < 1 || (*p != 'G' && *p != 'g') || p[1] != '\0' || in < 1 || out < 1) return -1;
    *inner = in;
    *outer = out;
    return 0;
}

static int add_types(qdf_basis *b, int z, const char *shell, int q, int count, int angular) {
    static const char *axes = "xyz";
    const char *sym = qdf_element_symbol(z);
    const int ncomp = angular ? 3 : 1;
    for (int c = 0; c < ncomp; c++)
        for (int k = 0; k < count; k++) {
            if (b->n_types == QDF_BASIS_MAX_TYPES) return -1;
            qdf_orbital_type *t = &b->types[b->n_types++];
            if (angular)
                snprintf(t->name, sizeof t->name, "%s-%s%c-%d", sym, shell, axes[c], k);
            else
                snprintf(t->name, sizeof t->name, "%s-%s-%d", sym, shell, k);
            t->z = z;
            t->q = q;
            t->comp = angular ? c + 1 : 0;
        }
    return 0;
}

int qdf_basis_build(qdf_basis *b, const char *name, const int *elements, int n_elements,
                    int angular_p, char *err, int errlen) {
    memset(b, 0, sizeof *b);
    int inner, outer;
    if (parse_name(name, &inner, &outer) != 0) {
        snprintf(err, errlen, "unknown basis set '%s' (use e.g. 6-31G, 3-21G, STO-3G)", name);
        return -1;
    }
    snprintf(b->name, sizeof b->name, "%s", name);
    b->angular_p = angular_p;
    int present[QDF_MAX_Z + 1] = {0};
    for (int i = 0; i < n_elements; i++) {
        const int z = elements[i];
        if (z < 1 || z > QDF_MAX_Z) {
            snprintf(err, errlen, "no basis functions for atomic number %d (qdf covers H to Ar)", z);
            return -1;
        }
        present[z] = 1;
    }
    for (int z = 0; z <= QDF_MAX_Z; z++) b->first[z] = -1;
    for (int z = 1; z <= QDF_MAX_Z; z++) {
        if (!present[z]) continue;
        b->first[z] = b->n_types;
        int rc = 0;
        if (z <= 2) {
            rc |= add_types(b, z, "1s", 1, outer, 0);
        } else {
            rc |= add_types(b, z, "1s", 1, inner, 0);
            rc |= add_types(b, z, "2s", 2, outer, 0);
            rc |= add_types(b, z, "2p", 2, outer, angular_p);
            if (z > 10) {
                rc |= add_types(b, z, "3s", 3, outer, 0);
                rc |= add_types(b, z, "3p", 3, outer, angular_p);
            }
        }
        if (rc) {
            snprintf(err, errlen, "basis set '%s' has too many orbital types", name);
            return -1;
        }
        b->count[z] = b->n_types - b->first[z];
    }
    return 0;
}

int qdf_basis_type_names(const qdf_basis *b, char *buf, int len) {
    int used = 0;
    if (len > 0) buf[0] = '\0';
    for (int i = 0; i < b->n_types; i++) {
        const int w = snprintf(buf + used, len > used ? (size_t)(len - used) : 0, "%s%s",
                               i ? " " : "", b->types[i].name);
        if (w < 0 || used + w >= len) return -1;
        used += w;
    }
    return used;
}
