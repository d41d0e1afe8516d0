/* fixture.h: reader of the text fixtures in tests/fixtures/ (written by
 * tests/reference/fixture.py): named 2-D arrays of doubles, of ints, and strings.
 *
 *   # comment lines (between records and values)
 *   array NAME ROWS COLS
 *   v v v ...           ROWS*COLS values, row-major, any whitespace/newlines
 *   int NAME ROWS COLS
 *   i i i ...
 *   str NAME
 *   the string value, the whole next line
 *
 * Values are stored as double whatever the build's `real`. Lookups return
 * pointers into the fixture, valid until fx_free. */
#ifndef QDF_FIXTURE_H
#define QDF_FIXTURE_H

typedef struct qdf_fixture qdf_fixture;

/* NULL, with a message on stderr, if the file cannot be read or parsed. */
qdf_fixture *fx_load(const char *path);
/* fx_load of tu_tests_dir()/fixtures/<name>. */
qdf_fixture *fx_load_test(const char *name);
void fx_free(qdf_fixture *fx);

/* NULL if there is no record of that name and kind; rows/cols may be NULL. */
const double *fx_array(const qdf_fixture *fx, const char *name, int *rows, int *cols);
const int *fx_ints(const qdf_fixture *fx, const char *name, int *rows, int *cols);
const char *fx_str(const qdf_fixture *fx, const char *name);

/* Like fx_array/fx_ints, but abort with a message when the record is missing or
 * its shape is not rows x cols (pass -1 to accept any). */
const double *fx_array_shape(const qdf_fixture *fx, const char *name, int rows, int cols);
const int *fx_ints_shape(const qdf_fixture *fx, const char *name, int rows, int cols);

/* Number of records, and the name of record i (in file order), for listing. */
int fx_count(const qdf_fixture *fx);
const char *fx_name(const qdf_fixture *fx, int i);

#endif
