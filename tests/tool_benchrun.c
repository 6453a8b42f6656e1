/* tool_benchrun.c - runs a command N times for make bench: median and fastest wall time, peak RSS, exit status. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_time.h"

/* Wall time comes from CLOCK_MONOTONIC around fork..wait, so it has microsecond
 * resolution (GNU time prints hundredths); peak RSS is wait4's ru_maxrss, the
 * figure GNU time reports too. */

enum { MAX_RUNS = 101 };

/* One run with stdout to `out` (truncated) and stderr discarded. */
static int run_once(char **argv, const char *out, double *wall, long *rss_kib)
{
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open("/dev/null", O_WRONLY);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    *wall = bench_now() - t0;
    *rss_kib = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    int runs = argc > 3 ? atoi(argv[1]) : 0;
    if (runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: benchrun RUNS OUT COMMAND [ARG]...\n"
                        "Runs COMMAND RUNS times (1..%d), stdout to OUT, and prints\n"
                        "\"MEDIAN_S FASTEST_S PEAK_RSS_KIB EXIT\" (the last run's exit status).\n", MAX_RUNS);
        return 2;
    }
    double wall[MAX_RUNS];
    long peak = 0;
    int rc = 0;
    for (int i = 0; i < runs; i++) {
        long rss;
        rc = run_once(argv + 3, argv[2], &wall[i], &rss);
        if (rc < 0) {
            fprintf(stderr, "benchrun: %s: %s\n", argv[3], strerror(errno));
            return 2;
        }
        if (rss > peak)
            peak = rss;
    }
    double median = bench_median(wall, (size_t)runs);
    printf("%.6f %.6f %ld %d\n", median, wall[0], peak, rc);
    return 0;
}
