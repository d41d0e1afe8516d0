/* svg_plot.c: see svg_plot.h. */
#include "atomic_file.h"
#include "svg_plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const COLOURS[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                      "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

int qdf_svg_ticks(double lo, double hi, int want, double *t0, double *step) {
    if (!(hi > lo)) hi = lo + 1;
    if (want < 2) want = 2;
    const double raw = (hi - lo) / want;
    const double mag = pow(10, floor(log10(raw)));
    const double r = raw / mag;
    const double s = (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
    double first = ceil(lo / s - 1e-9) * s;
    int n = 0;
    for (double t = first; t <= hi + 1e-9 * s && n < 32; t += s) n++;
    *t0 = first;
    *step = s;
    return n;
}

static void xml_text(FILE *f, const char *s) {
    for (; s && *s; s++) switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t') fputc(*s, f);
        }
}

/* Tick label: as few digits as the step needs. */
static void tick_label(char *buf, size_t len, double v, double step) {
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6) dec = 6;
    if (fabs(v) < 1e-12 * step) v = 0;
    snprintf(buf, len, "%.*f", dec, v);
}

int qdf_svg_write(const char *path, const qdf_svg_plot *p, char *err, int errlen) {
    /* data range */
    double x0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int s = 0; s < p->n_series; s++)
        for (int i = 0; i < p->series[s].n; i++) {
            const double x = p->series[s].x[i], y = p->series[s].y[i];
            if (!isfinite(x) || !isfinite(y)) continue;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y > y1) y1 = y;
        }
    if (!isfinite(x0)) { x0 = 0; x1 = 1; y1 = 1; }
    if (isfinite(p->marker_x)) {
        if (p->marker_x < x0) x0 = p->marker_x;
        if (p->marker_x > x1) x1 = p->marker_x;
    }
    if (x1 - x0 < 1) { x0 -= 0.5; x1 += 0.5; }
    const double xpad = 0.04 * (x1 - x0);
    x0 -= xpad;
    x1 += xpad;
    if (p->integer_x && x0 < 0 && x0 > -1) x0 = 0;
    double ylo = 0, yhi = y1 > 0 ? y1 * 1.3 : 1;   /* headroom for the legend */
    double yt0, ystep, xt0, xstep;
    const int nyt = qdf_svg_ticks(ylo, yhi, 6, &yt0, &ystep);
    yhi = fmax(yhi, yt0 + (nyt - 1) * ystep);
    int nxt = qdf_svg_ticks(x0, x1, 10, &xt0, &xstep);
    if (p->integer_x && xstep < 1) nxt = qdf_svg_ticks(x0, x1, (int)floor(x1 - x0) + 1, &xt0, &xstep);

    /* layout (px) */
    const double W = 720, H = 470, L = 78, R = 24, T = 60, B = 62;
    const double pw = W - L - R, ph = H - T - B;
#define SX(x) (L + ((x) - x0) / (x1 - x0) * pw)
#define SY(y) (T + ph - ((y) - ylo) / (yhi - ylo) * ph)

    qdf_atomic_file af;
    if (qdf_atomic_open(&af, path, err, errlen)) return -1;
    FILE *f = af.f;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
               "font-size=\"13\">\n",
            W, H, W, H);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
    /* title */
    fprintf(f, "<text x=\"%.1f\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">", W / 2);
    xml_text(f, p->title);
    fputs("</text>\n", f);
    if (p->subtitle) {
        fprintf(f, "<text x=\"%.1f\" y=\"46\" text-anchor=\"middle\" font-size=\"12\" fill=\"#444\">", W / 2);
        xml_text(f, p->subtitle);
        fputs("</text>\n", f);
    }
    /* extrapolation region */
    if (isfinite(p->marker_x)) {
        const double mx = SX(p->marker_x);
        fprintf(f, "<rect class=\"extrapolation\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"#f2f2f2\"/>\n",
                mx, T, L + pw - mx, ph);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#777\" "
                   "stroke-dasharray=\"6,4\" stroke-width=\"1.2\"/>\n",
                mx, T, mx, T + ph);
        if (p->marker_label) {
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\">", mx + 5, T + 14);
            xml_text(f, p->marker_label);
            fputs("</text>\n", f);
        }
    }
    /* grid lines and ticks */
    fputs("<g stroke=\"#ddd\" stroke-width=\"1\">\n", f);
    for (int i = 0; i < nyt; i++) {
        const double y = SY(yt0 + i * ystep);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", L, y, L + pw, y);
    }
    fputs("</g>\n<g font-size=\"12\" fill=\"#222\">\n", f);
    char lab[64];
    for (int i = 0; i < nyt; i++) {
        const double v = yt0 + i * ystep, y = SY(v);
        tick_label(lab, sizeof lab, v, ystep);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\"/>", L - 5, y, L, y);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", L - 8, y + 4, lab);
    }
    for (int i = 0; i < nxt; i++) {
        const double v = xt0 + i * xstep, x = SX(v);
        tick_label(lab, sizeof lab, v, xstep);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\"/>", x, T + ph, x,
                T + ph + 5);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x, T + ph + 19, lab);
    }
    fputs("</g>\n", f);
    /* axes */
    fprintf(f, "<path d=\"M%.1f %.1f V%.1f H%.1f\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.3\"/>\n", L, T,
            T + ph, L + pw);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\">", L + pw / 2, H - 16);
    xml_text(f, p->xlabel);
    fputs("</text>\n", f);
    fprintf(f, "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" "
               "transform=\"rotate(-90 18 %.1f)\">",
            T + ph / 2, T + ph / 2);
    xml_text(f, p->ylabel);
    fputs("</text>\n", f);
    /* series */
    for (int s = 0; s < p->n_series; s++) {
        const qdf_svg_series *sr = &p->series[s];
        const char *col = COLOURS[s % 8];
        fprintf(f, "<g class=\"series\" id=\"series%d\">\n<polyline fill=\"none\" stroke=\"%s\" "
                   "stroke-width=\"2\" points=\"",
                s, col);
        int first = 1;
        for (int i = 0; i < sr->n; i++) {
            if (!isfinite(sr->x[i]) || !isfinite(sr->y[i])) continue;
            fprintf(f, "%s%.1f,%.1f", first ? "" : " ", SX(sr->x[i]), SY(sr->y[i]));
            first = 0;
        }
        fputs("\"/>\n", f);
        for (int i = 0; i < sr->n; i++) {
            if (!isfinite(sr->x[i]) || !isfinite(sr->y[i])) continue;
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n", SX(sr->x[i]), SY(sr->y[i]),
                    col);
        }
        fputs("</g>\n", f);
    }
    /* legend (top left inside the plot) */
    const int n_leg = p->n_series + (isfinite(p->marker_x) ? 1 : 0);
    size_t maxlen = 10;
    for (int s = 0; s < p->n_series; s++)
        if (p->series[s].label && strlen(p->series[s].label) > maxlen) maxlen = strlen(p->series[s].label);
    if (isfinite(p->marker_x) && p->marker_label && strlen(p->marker_label) > maxlen)
        maxlen = strlen(p->marker_label);
    const double lw = 40 + 7.2 * (double)maxlen, lx = L + 12, ly = T + 10;
    fprintf(f, "<g class=\"legend\">\n<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"white\" "
               "fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n",
            lx, ly, lw, 8 + 20 * n_leg);
    for (int s = 0; s < p->n_series; s++) {
        const double y = ly + 16 + 20 * s;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>",
                lx + 8, y, lx + 30, y, COLOURS[s % 8]);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>", lx + 19, y, COLOURS[s % 8]);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", lx + 36, y + 4);
        xml_text(f, p->series[s].label ? p->series[s].label : "");
        fputs("</text>\n", f);
    }
    if (isfinite(p->marker_x)) {
        const double y = ly + 16 + 20 * p->n_series;
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"12\" fill=\"#f2f2f2\" stroke=\"#777\" "
                   "stroke-dasharray=\"4,3\"/>",
                lx + 8, y - 6);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", lx + 36, y + 4);
        xml_text(f, p->marker_label ? p->marker_label : "extrapolation");
        fputs("</text>\n", f);
    }
    fputs("</g>\n</svg>\n", f);
#undef SX
#undef SY
    return qdf_atomic_commit(&af, err, errlen);
}
