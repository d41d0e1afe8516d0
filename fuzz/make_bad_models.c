/* make_bad_models.c: writes structurally valid HDF5 files that break the
 * assumptions of qdf_model_load (wrong ranks / sizes of datasets and attributes
 * the loader reads into fixed-size buffers). Byte-level fuzzing rarely builds
 * such files, so they are seeds in fuzz/corpus/fuzz_model_load/.
 *   cc -o make_bad_models make_bad_models.c -I/usr/include/hdf5/serial \
 *      -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5_hl -lhdf5
 *   ./make_bad_models CHECKPOINT.h5 OUTDIR
 * CHECKPOINT.h5: a real tiny checkpoint (last.h5 of a qdf train run). */
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char src_path[4096], out_dir[4096];

static hid_t copy_open(const char *name, char *path, size_t len) {
    snprintf(path, len, "%s/%s", out_dir, name);
    char cmd[9000];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", src_path, path);
    if (system(cmd)) exit(1);
    const hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) exit(1);
    return f;
}

static void replace_dataset(const char *name, const char *dset, int rank, const hsize_t *dims, hid_t type) {
    char path[8192];
    const hid_t f = copy_open(name, path, sizeof path);
    H5Ldelete(f, dset, H5P_DEFAULT);
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    double *buf = calloc(n, 16);
    const hid_t sp = H5Screate_simple(rank, dims, NULL);
    const hid_t ds = H5Dcreate2(f, dset, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (ds < 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) exit(1);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(f);
    free(buf);
    printf("%s\n", path);
}

/* a string attribute on / with a rank-2 dataspace (the loader expects a scalar) */
static void string_attr_rank2(const char *name, const char *attr) {
    char path[8192];
    const hid_t f = copy_open(name, path, sizeof path);
    H5Adelete(f, attr);
    const hsize_t dims[2] = {3, 4};
    const hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 12);
    const hid_t sp = H5Screate_simple(2, dims, NULL);
    const hid_t a = H5Acreate2(f, attr, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    char buf[12 * 12];
    for (int i = 0; i < 12; i++) memcpy(buf + 12 * i, "qdf-model-1\0", 12);
    if (a < 0 || H5Awrite(a, t, buf) < 0) exit(1);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Fclose(f);
    printf("%s\n", path);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CHECKPOINT.h5 OUTDIR\n", argv[0]);
        return 2;
    }
    snprintf(src_path, sizeof src_path, "%s", argv[1]);
    snprintf(out_dir, sizeof out_dir, "%s", argv[2]);
    const hsize_t d64[1] = {64}, d3[3] = {1, 19, 8}, d1[1] = {19}, d2x[2] = {4, 1};
    replace_dataset("bad_rng_state_64.h5", "/train/rng_state", 1, d64, H5T_NATIVE_UINT64);
    replace_dataset("bad_epoch_rng_state_64.h5", "/train/epoch_rng_state", 1, d64, H5T_NATIVE_UINT64);
    replace_dataset("bad_epoch_sums_64.h5", "/train/epoch_sums", 1, d64, H5T_NATIVE_DOUBLE);
    replace_dataset("bad_atomref_rank3.h5", "/atomref_eV", 3, d3, H5T_NATIVE_DOUBLE);
    replace_dataset("bad_atomref_rank1.h5", "/atomref_eV", 1, d1, H5T_NATIVE_DOUBLE);
    replace_dataset("bad_elements_rank2.h5", "/elements", 2, d2x, H5T_NATIVE_INT);
    string_attr_rank2("bad_format_attr_rank2.h5", "format");
    return 0;
}
