/* io.h - writes to file descriptors: a whole buffer, whatever the kernel takes per call. */
#ifndef FD_IO_H
#define FD_IO_H

#include <stddef.h>

/* Write p[0..n) to fd, again after a short write or an interrupted call;
 * 0, or -1 on an error (errno set by write) or a write of nothing. */
int fd_io_write_all(int fd, const void *p, size_t n);

#endif
