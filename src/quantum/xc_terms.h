/* xc_terms.h: density functionals from libxc as autodiff ops.
 *
 * The QDF density lives on grid points: rho_p = sum_j psi_j(p)^2, electrons
 * per grid point (sum_p rho_p = N_electrons). libxc wants a density in atomic
 * units, n_p = rho_p / dV with dV the cell volume in bohr^3 (spacing h Angstrom:
 * dV = (h / QDF_BOHR_ANGSTROM)^3). A semilocal functional is then
 *
 *     E_s = sum_{p in s} exc(n_p [, sigma_p]) n_p dV = sum_{p in s} exc_p rho_p
 *
 * (libxc's exc is the energy per particle, Hartree), and its derivatives are
 * libxc's vrho = d(exc n)/dn and vsigma = d(exc n)/dsigma:
 *
 *     dE_s/drho_p   = vrho_p            (dn_p/drho_p = 1/dV cancels the dV)
 *     dE_s/dsigma_p = vsigma_p dV
 *
 * Everything is unpolarised (closed shell). Each component gives exactly zero
 * energy and zero derivatives where n is below its libxc density threshold
 * (1e-15 bohr^-3 for lda_x, lda_c_pw, lda_k_tf, gga_x_pbe; 1e-12 for gga_c_pbe
 * in libxc 5.2.3; note the threshold is on n, not on rho per grid point), so
 * rho = 0 and negative rounding noise (taken as 0) are safe; sigma < 0 is taken
 * as 0. A NaN input gives a NaN output (it is not hidden).
 *
 * A qdf_xc is immutable after qdf_xc_new and may be shared between threads. */
#ifndef QDF_XC_TERMS_H
#define QDF_XC_TERMS_H

#include "tape.h"

#define QDF_BOHR_ANGSTROM 0.529177210903   /* CODATA 2018 */

typedef struct qdf_xc qdf_xc;

/* names: one or more libxc names joined by '+', e.g. "lda_x+lda_c_pw" (Slater
 * exchange + PW92 correlation), "lda_k_tf" (Thomas-Fermi kinetic energy),
 * "gga_x_pbe+gga_c_pbe" (PBE). Case-insensitive, as libxc's
 * xc_functional_get_number (which also accepts an "XC_" prefix). Only LDA and
 * GGA functionals without exact exchange or nonlocal parts are accepted. On
 * failure returns NULL and writes a message naming the culprit into err. */
qdf_xc *qdf_xc_new(const char *names, char *err, int errlen);
void qdf_xc_free(qdf_xc *xc);
/* 1 if some component is a GGA (then only qdf_xc_energy_gga applies). */
int qdf_xc_is_gga(const qdf_xc *xc);
/* Number of libxc functionals combined, and the smallest density threshold
 * (bohr^-3) among them: below it every component gives zero. */
int qdf_xc_count(const qdf_xc *xc);
double qdf_xc_dens_threshold(const qdf_xc *xc);

/* Energy op for LDA functionals.
 * rho (R x 1, electrons per grid point), segments (one per molecule, may be
 * empty) -> E (S x 1), the energy of each molecule in Hartree.
 * backward: d rho_p += g_s vrho_p. Aborts if xc is a GGA. */
qdf_tensor *qdf_xc_energy(qdf_ctx *ctx, const qdf_xc *xc, qdf_tensor *rho, qdf_segs segs,
                          double dV_bohr3);

/* Energy op for GGA (or LDA, then sigma gets a zero gradient) functionals.
 * sigma (R x 1) = |grad n|^2 at each point in atomic units (bohr^-8), n in
 * bohr^-3 as above (not the gradient of rho per grid point).
 * backward: d rho_p += g_s vrho_p, d sigma_p += g_s vsigma_p dV. */
qdf_tensor *qdf_xc_energy_gga(qdf_ctx *ctx, const qdf_xc *xc, qdf_tensor *rho,
                              qdf_tensor *sigma, qdf_segs segs, double dV_bohr3);

#endif
