/* fuzz_reader_xyz.c: libFuzzer target for the xyz reader (see fuzz_reader_common.h). */
#define QDF_FUZZ_FORMAT QDF_FMT_XYZ
#include "fuzz_reader_common.h"
