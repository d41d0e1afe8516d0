/* rng.c: see rng.h. */
#include "rng.h"

#include <math.h>

/* splitmix64: the state advances by the golden gamma; the output is the mix
 * of the advanced state, which qdf_hash64 of the old one is */
static uint64_t splitmix64(uint64_t *x) {
    const uint64_t z = *x;
    *x += 0x9e3779b97f4a7c15ULL;
    return qdf_hash64(z);
}

void qdf_rng_seed(qdf_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t qdf_rng_next(qdf_rng *r) {
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double qdf_rng_uniform(qdf_rng *r) { return (double)(qdf_rng_next(r) >> 11) * 0x1.0p-53; }

double qdf_rng_normal(qdf_rng *r) {
    double u1;
    do u1 = qdf_rng_uniform(r);
    while (u1 <= 0);
    const double u2 = qdf_rng_uniform(r);
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

uint64_t qdf_rng_below(qdf_rng *r, uint64_t n) {
    if (n == 0) return 0;
    const uint64_t lim = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = qdf_rng_next(r);
    while (x >= lim);
    return x % n;
}

void qdf_rng_shuffle(qdf_rng *r, int *a, int n) {
    for (int i = n - 1; i > 0; i--) {
        const int j = (int)qdf_rng_below(r, (uint64_t)i + 1);
        const int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

uint64_t qdf_hash64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
