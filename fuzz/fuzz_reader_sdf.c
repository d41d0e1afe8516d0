/* fuzz_reader_sdf.c: libFuzzer target for the sdf reader (see fuzz_reader_common.h). */
#define QDF_FUZZ_FORMAT QDF_FMT_SDF
#include "fuzz_reader_common.h"
