/* real.h: the floating-point type of the engine.
 *
 * qdf is built twice from the same sources: the library proper in float32
 * (`real` = float) and a double-precision twin (-DQDF_REAL_DOUBLE) that the
 * gradient checks use, so that central finite differences can be held to a
 * relative error of 1e-6. Nothing else in the code may assume either type. */
#ifndef QDF_REAL_H
#define QDF_REAL_H

#ifdef QDF_REAL_DOUBLE
typedef double real;
#define QDF_REAL_NAME "float64"
#else
typedef float real;
#define QDF_REAL_NAME "float32"
#endif

#endif
