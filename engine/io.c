/* io.c - writes to file descriptors: a whole buffer, whatever the kernel takes per call. */
#include "io.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

int fd_io_write_all(int fd, const void *p, size_t n)
{
    const uint8_t *q = p;
    while (n) {
        ssize_t w = write(fd, q, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        q += w;
        n -= (size_t)w;
    }
    return 0;
}
