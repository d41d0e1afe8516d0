/* elements.c: see elements.h. Masses: IUPAC conventional/standard atomic
 * weights (abridged, u). */
#include "elements.h"

#include <ctype.h>
#include <stddef.h>

static const char *const SYM[QDF_MAX_Z + 1] = {
    NULL, "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne",
    "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar"};

static const double MASS[QDF_MAX_Z + 1] = {
    0.0,     1.008,   4.002602, 6.94,    9.0121831, 10.81,  12.011, 14.007, 15.999, 18.998403163,
    20.1797, 22.98976928, 24.305, 26.9815385, 28.085, 30.973761998, 32.06, 35.45, 39.948};

int qdf_element_z(const char *s) {
    if (!s || !s[0]) return 0;
    const int c0 = toupper((unsigned char)s[0]);
    const int c1 = s[1] ? tolower((unsigned char)s[1]) : 0;
    if (c1 && s[2]) return 0; /* symbols have at most two letters */
    for (int z = 1; z <= QDF_MAX_Z; z++) {
        const char *t = SYM[z];
        if (t[0] == c0 && (t[1] ? t[1] == c1 : c1 == 0)) return z;
    }
    return 0;
}

const char *qdf_element_symbol(int z) {
    return z >= 1 && z <= QDF_MAX_Z ? SYM[z] : NULL;
}

double qdf_element_mass(int z) {
    return z >= 1 && z <= QDF_MAX_Z ? MASS[z] : 0.0;
}
