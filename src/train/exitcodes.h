/* exitcodes.h: the documented exit codes of the qdf command. */
#ifndef QDF_EXITCODES_H
#define QDF_EXITCODES_H

enum {
    QDF_EXIT_OK = 0,
    QDF_EXIT_USAGE = 2,        /* bad command line */
    QDF_EXIT_INPUT = 3,        /* an input file could not be read at all */
    QDF_EXIT_MODEL = 4,        /* a model file is missing, damaged or mismatched */
    QDF_EXIT_OUTPUT = 5,       /* an output could not be written (disk full, permissions) */
    QDF_EXIT_DIVERGED = 6,     /* training diverged (NaN/inf or exploding loss) */
    QDF_EXIT_INTERRUPTED = 7,  /* stopped by SIGINT/SIGTERM after writing a checkpoint */
    QDF_EXIT_PARTIAL = 8,      /* finished, but some molecules were skipped */
};

#endif
