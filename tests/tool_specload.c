/* tool_specload.c - times loading a .ksy through the public API (fd_spec_load_file) for make bench. */
#include <stdio.h>
#include <stdlib.h>

#include <fmtdump.h>

#include "bench_time.h"

enum { MAX_LOADS = 10000 };

int main(int argc, char **argv)
{
    int n = argc == 3 || argc == 4 ? atoi(argv[2]) : 0;
    if (n < 1 || n > MAX_LOADS) {
        fprintf(stderr, "usage: specload KSY N [CACHE_DIR]\n"
                        "Loads KSY N times (1..%d), each freed before the next, and prints\n"
                        "\"MEDIAN_S FASTEST_S\" per load (reading the file included).  With\n"
                        "CACHE_DIR, loads use that parse cache (fd_load_opts.cache_dir): the\n"
                        "first fills it, unless it already holds KSY.\n", MAX_LOADS);
        return 2;
    }
    fd_load_opts lo = FD_LOAD_OPTS_INIT;
    lo.cache_dir = argc == 4 ? argv[3] : NULL;
    double *t = malloc((size_t)n * sizeof *t);
    if (!t)
        return 2;
    for (int i = 0; i < n; i++) {
        fd_error err;
        double t0 = bench_now();
        fd_spec *spec = fd_spec_load_file(argv[1], &lo, &err);
        t[i] = bench_now() - t0;
        if (!spec) {
            char msg[512];
            fd_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "specload: %s\n", msg);
            free(t);
            return 1;
        }
        fd_spec_free(spec);
    }
    double median = bench_median(t, (size_t)n);
    printf("%.6f %.6f\n", median, t[0]);
    free(t);
    return 0;
}
