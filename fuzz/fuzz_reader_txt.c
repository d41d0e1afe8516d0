/* fuzz_reader_txt.c: libFuzzer target for the txt reader (see fuzz_reader_common.h). */
#define QDF_FUZZ_FORMAT QDF_FMT_TXT
#include "fuzz_reader_common.h"
