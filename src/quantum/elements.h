/* elements.h: the periodic table from H to Ar (symbol, atomic number, mass). */
#ifndef QDF_ELEMENTS_H
#define QDF_ELEMENTS_H

#define QDF_MAX_Z 18

/* Atomic number of a symbol ("C", "Cl"; case-insensitive first letter
 * handling as in XYZ files: "CL" and "cl" are Cl), or 0 if unknown. */
int qdf_element_z(const char *symbol);
/* Symbol of Z (1..QDF_MAX_Z), or NULL. */
const char *qdf_element_symbol(int z);
/* Standard atomic mass in u, or 0 if unknown. */
double qdf_element_mass(int z);

#endif
