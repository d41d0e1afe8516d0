/* fuzz_reader_qm9.c: libFuzzer target for the qm9 reader (see fuzz_reader_common.h). */
#define QDF_FUZZ_FORMAT QDF_FMT_QM9
#include "fuzz_reader_common.h"
