/* svg_plot.h: a small SVG line-plot writer (no library): axes with "nice"
 * ticks and tick labels, axis labels, a title, a legend, one polyline with
 * point markers per series, and an optional shaded region with a dashed line
 * marking where extrapolation begins (x >= marker_x).
 *
 * The file is written atomically: PATH.tmp in the same directory, flushed,
 * closed and renamed over PATH. Text is XML-escaped. Non-finite points are
 * left out of a series (the line is broken there). */
#ifndef QDF_SVG_PLOT_H
#define QDF_SVG_PLOT_H

#include <stddef.h>

typedef struct qdf_svg_series {
    const char *label;     /* legend text */
    const double *x, *y;   /* n points, x ascending */
    int n;
} qdf_svg_series;

typedef struct qdf_svg_plot {
    const char *title, *subtitle, *xlabel, *ylabel;   /* subtitle may be NULL */
    const qdf_svg_series *series;
    int n_series;          /* 1 .. 8 (colours cycle) */
    double marker_x;       /* NaN: none; else shade x >= marker_x and draw a dashed line */
    const char *marker_label;   /* legend/annotation text of the region (may be NULL) */
    int integer_x;         /* 1: x ticks at integers only */
} qdf_svg_plot;

/* Write the plot; 0, or -1 with err = "PATH: reason". */
int qdf_svg_write(const char *path, const qdf_svg_plot *p, char *err, int errlen);

/* Tick positions: a "nice" step (1, 2, 5 x 10^k) covering [lo, hi] with about
 * `want` ticks; *t0 is the first tick >= lo (rounded), returns the count
 * (at most 32), and *step the step. */
int qdf_svg_ticks(double lo, double hi, int want, double *t0, double *step);

#endif
