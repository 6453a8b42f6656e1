/* input.c - the inputs: files by name, `-` as stdin read into memory (capped), and their leading bytes. */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_input_error(fd_error *err, fd_errkind kind, const char *what, const char *name, const char *why)
{
    memset(err, 0, sizeof *err);
    err->kind = kind;
    err->offset = -1;
    snprintf(err->message, sizeof err->message, "%s %s: %s", what, name, why);
}

void cli_input_init(cli_input *in, const char *name, bool dash_is_stdin)
{
    memset(in, 0, sizeof *in);
    in->name = name;
    in->is_stdin = dash_is_stdin && strcmp(name, "-") == 0;
}

bool cli_input_load(cli_input *in, fd_error *err)
{
    if (!in->is_stdin || in->buf)
        return true;
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            /* At the cap, one more byte tells a full stream from a longer one. */
            if (cap >= CLI_STDIN_MAX && getchar() != EOF) {
                free(buf);
                cli_input_error(err, FD_ERR_LIMIT, "cannot read", "stdin",
                                "more than 1 GiB; pass a file, which is mapped instead");
                return false;
            }
            uint8_t *grown = cap >= CLI_STDIN_MAX ? buf : realloc(buf, cap ? cap * 2 : 1 << 16);
            if (!grown) {
                free(buf);
                cli_input_error(err, FD_ERR_NOMEM, "cannot read", "stdin", "out of memory");
                return false;
            }
            buf = grown;
            if (cap < CLI_STDIN_MAX)
                cap = cap ? cap * 2 : 1 << 16;
        }
        size_t got = len < cap ? fread(buf + len, 1, cap - len, stdin) : 0;
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin)) {
        free(buf);
        cli_input_error(err, FD_ERR_IO, "cannot read", "stdin", strerror(errno ? errno : EIO));
        return false;
    }
    in->buf = buf;
    in->len = len;
    return true;
}

long cli_input_head(const cli_input *in, uint8_t *buf, size_t cap, fd_error *err)
{
    if (in->is_stdin) {
        size_t n = in->len < cap ? in->len : cap;
        if (n)
            memcpy(buf, in->buf, n);
        return (long)n;
    }
    /* As fd_doc_open_file: a FIFO or a device is refused, never waited on. */
    int fd = open(in->name, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        cli_input_error(err, FD_ERR_IO, "cannot open", in->name, strerror(errno));
        return -1;
    }
    struct stat st;
    bool stat_ok = fstat(fd, &st) == 0;
    if (!stat_ok || !S_ISREG(st.st_mode)) {
        cli_input_error(err, FD_ERR_IO, "cannot read", in->name, stat_ok ? "not a regular file" : strerror(errno));
        close(fd);
        return -1;
    }
    size_t n = 0;
    while (n < cap) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            cli_input_error(err, FD_ERR_IO, "cannot read", in->name, strerror(errno));
            close(fd);
            return -1;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    return (long)n;
}

fd_doc *cli_input_open(const cli_input *in, const fd_spec *spec, const fd_open_opts *opts, fd_error *err)
{
    if (in->is_stdin)
        return fd_doc_open_mem(spec, in->buf, in->len, opts, err);
    return fd_doc_open_file(spec, in->name, opts, err);
}

void cli_input_release(cli_input *in)
{
    free(in->buf);
    in->buf = NULL;
    in->len = 0;
}
