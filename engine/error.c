/* error.c - error kind names (Kaitai's) and the one-line error format. */
#include "fmtdump.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

const char *fd_errkind_name(fd_errkind kind)
{
    static const char *const names[FD_ERR_COUNT_] = {
        [FD_ERR_NONE] = "OK",
        [FD_ERR_IO] = "IOError",
        [FD_ERR_DESCRIPTION] = "DescriptionError",
        [FD_ERR_EOS] = "EndOfStreamError",
        [FD_ERR_NOT_EQUAL] = "ValidationNotEqualError",
        [FD_ERR_LESS_THAN] = "ValidationLessThanError",
        [FD_ERR_GREATER_THAN] = "ValidationGreaterThanError",
        [FD_ERR_NOT_ANY_OF] = "ValidationNotAnyOfError",
        [FD_ERR_NOT_IN_ENUM] = "ValidationNotInEnumError",
        [FD_ERR_VALID_EXPR] = "ValidationExprError",
        [FD_ERR_UNDECIDED_ENDIAN] = "UndecidedEndiannessError",
        [FD_ERR_CONVERSION] = "ConversionError",
        [FD_ERR_ENCODING] = "UnknownEncodingError",
        [FD_ERR_PROCESS] = "ProcessError",
        [FD_ERR_TYPE] = "TypeError",
        [FD_ERR_NULL] = "NullError",
        [FD_ERR_INDEX] = "IndexError",
        [FD_ERR_DIV_ZERO] = "ZeroDivisionError",
        [FD_ERR_OVERFLOW] = "OverflowError",
        [FD_ERR_CAST] = "CastError",
        [FD_ERR_NAME] = "NameError",
        [FD_ERR_LIMIT] = "LimitError",
        [FD_ERR_NOMEM] = "MemoryError",
    };
    if ((unsigned)kind >= FD_ERR_COUNT_ || !names[kind])
        return "Error";
    return names[kind];
}

/* Append to buf at *k, never past cap, keeping it NUL-terminated. */
static void __attribute__((format(printf, 4, 5))) put(char *buf, size_t cap, size_t *k,
                                                      const char *fmt, ...)
{
    if (*k >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *k, cap - *k, fmt, ap);
    va_end(ap);
    if (n > 0)
        *k = (size_t)n >= cap - *k ? cap - 1 : *k + (size_t)n;
}

void fd_error_format(const fd_error *err, char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return;
    buf[0] = 0;
    if (!err)
        return;
    size_t k = 0;
    if (err->file[0]) {
        if (err->line > 0 && err->col > 0)
            put(buf, cap, &k, "%s:%d:%d: ", err->file, err->line, err->col);
        else if (err->line > 0)
            put(buf, cap, &k, "%s:%d: ", err->file, err->line);
        else
            put(buf, cap, &k, "%s: ", err->file);
    }
    put(buf, cap, &k, "%s: %s", fd_errkind_name(err->kind), err->message);
    if (err->offset >= 0)
        put(buf, cap, &k, " at offset 0x%" PRIx64, (uint64_t)err->offset);
    if (err->path[0])
        put(buf, cap, &k, " (%s)", err->path);
}
