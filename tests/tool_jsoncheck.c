/* tool_jsoncheck.c - strict RFC 8259 check of a JSON document or of JSON Lines, fast enough for tests/robust.sh. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strict: UTF-8 only (no overlongs, no surrogates), no control characters in strings, the
 * number grammar exactly, no NaN/Infinity, no trailing commas, nothing after the value. */

enum { MAX_DEPTH = 10000 };

typedef struct scan {
    const uint8_t *p, *end, *start;
    const char *why;
    unsigned long scalars;      /* values that are not arrays or objects (keys are not values) */
} scan;

static bool fail(scan *s, const char *why)
{
    if (!s->why)
        s->why = why;
    return false;
}

static void skip_ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* In JSON Lines a newline ends the value, so only blanks count as whitespace there. */
static void skip_blanks(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
        s->p++;
}

static bool literal(scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return fail(s, "bad literal");
    s->p += n;
    return true;
}

static bool digits(scan *s)
{
    const uint8_t *from = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > from || fail(s, "digit expected");
}

static bool number(scan *s)
{
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (s->p < s->end && *s->p >= '1' && *s->p <= '9')
        digits(s);
    else
        return fail(s, "bad number");
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!digits(s))
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!digits(s))
            return false;
    }
    return true;
}

static int hex(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool hex4(scan *s, unsigned *u)
{
    if (s->end - s->p < 4)
        return fail(s, "short \\u escape");
    *u = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex(s->p[i]);
        if (h < 0)
            return fail(s, "bad \\u escape");
        *u = *u << 4 | (unsigned)h;
    }
    s->p += 4;
    return true;
}

/* One UTF-8 sequence of 2 to 4 bytes, shortest form, no surrogates, at most U+10FFFF. */
static bool utf8(scan *s)
{
    uint8_t c = *s->p;
    int n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0 || s->end - s->p <= n)
        return fail(s, "bad UTF-8");
    uint32_t cp = c & (0x3f >> n);
    for (int i = 1; i <= n; i++) {
        if ((s->p[i] & 0xc0) != 0x80)
            return fail(s, "bad UTF-8");
        cp = cp << 6 | (s->p[i] & 0x3f);
    }
    static const uint32_t least[] = { 0, 0x80, 0x800, 0x10000 };
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return fail(s, "bad UTF-8");
    s->p += n + 1;
    return true;
}

static bool string(scan *s)
{
    s->p++;
    while (s->p < s->end) {
        uint8_t c = *s->p;
        if (c == '"') {
            s->p++;
            return true;
        }
        if (c < 0x20)
            return fail(s, "control character in a string");
        if (c >= 0x80) {
            if (!utf8(s))
                return false;
            continue;
        }
        s->p++;
        if (c != '\\')
            continue;
        if (s->p == s->end)
            break;
        c = *s->p++;
        if (c == 'u') {
            unsigned u, lo;
            if (!hex4(s, &u))
                return false;
            if (u >= 0xdc00 && u <= 0xdfff)
                return fail(s, "lone low surrogate");
            if (u >= 0xd800 && u <= 0xdbff) {
                if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                    return fail(s, "lone high surrogate");
                s->p += 2;
                if (!hex4(s, &lo))
                    return false;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail(s, "lone high surrogate");
            }
        } else if (!strchr("\"\\/bfnrt", c) || c == 0) {
            return fail(s, "bad escape");
        }
    }
    return fail(s, "unterminated string");
}

static bool value(scan *s, int depth, void (*ws)(scan *));

static bool container(scan *s, int depth, void (*ws)(scan *), uint8_t close)
{
    if (depth >= MAX_DEPTH)
        return fail(s, "nested too deeply for the checker");
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (s->p == s->end || *s->p != '"')
                return fail(s, "key expected");
            if (!string(s))
                return false;
            ws(s);
            if (s->p == s->end || *s->p != ':')
                return fail(s, "':' expected");
            s->p++;
        }
        if (!value(s, depth + 1, ws))
            return false;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            ws(s);
            continue;
        }
        if (s->p < s->end && *s->p == close) {
            s->p++;
            return true;
        }
        return fail(s, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
    }
}

static bool value(scan *s, int depth, void (*ws)(scan *))
{
    ws(s);
    if (s->p == s->end)
        return fail(s, "value expected");
    if (*s->p != '{' && *s->p != '[')
        s->scalars++;
    switch (*s->p) {
    case '{': return container(s, depth, ws, '}');
    case '[': return container(s, depth, ws, ']');
    case '"': return string(s);
    case 't': return literal(s, "true");
    case 'f': return literal(s, "false");
    case 'n': return literal(s, "null");
    default: return number(s);
    }
}

static void report(const char *file, long line, const scan *s)
{
    fprintf(stderr, "jsoncheck: %s:%ld: %s at byte %td\n", file, line, s->why ? s->why : "?", s->p - s->start);
}

int main(int argc, char **argv)
{
    long want = -1;
    int a = 1;
    bool count = argc > 1 && strcmp(argv[1], "--count") == 0;
    if (count)
        a++;
    if (argc == a + 3 && strcmp(argv[a], "--lines") == 0) {
        want = strtol(argv[a + 1], NULL, 10);
        a += 2;
    } else if (argc != a + 1) {
        fprintf(stderr, "usage: jsoncheck [--count] [--lines N] FILE\n"
                        "FILE is one JSON document, or (--lines) N lines of one JSON object each.\n"
                        "--count: when it checks, print how many scalar values it holds (make bench).\n");
        return 2;
    }
    FILE *f = fopen(argv[a], "rb");
    if (!f) {
        fprintf(stderr, "jsoncheck: cannot open %s\n", argv[a]);
        return 2;
    }
    size_t len = 0, cap = 1 << 20;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *p = realloc(buf, cap *= 2);
            if (!p)
                free(buf);
            buf = p;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "jsoncheck: out of memory\n");
        return 2;
    }
    scan s = { buf, buf + len, buf, NULL, 0 };
    int rc = 0;
    if (want < 0) {
        if (!value(&s, 0, skip_ws) || (skip_ws(&s), s.p != s.end && !fail(&s, "text after the value"))) {
            report(argv[a], 1, &s);
            rc = 1;
        }
    } else {
        long lines = 0;
        while (s.p < s.end) {
            lines++;
            s.why = NULL;
            if (*s.p != '{') {
                fail(&s, "a line must be one object");
            } else if (value(&s, 0, skip_blanks)) {
                skip_blanks(&s);
                if (s.p == s.end || *s.p != '\n')
                    fail(&s, "newline expected after the object");
                else
                    s.p++;
            }
            if (s.why) {
                report(argv[a], lines, &s);
                rc = 1;
                break;
            }
        }
        if (rc == 0 && lines != want) {
            fprintf(stderr, "jsoncheck: %s: %ld lines, expected %ld\n", argv[a], lines, want);
            rc = 1;
        }
    }
    if (rc == 0 && count)
        printf("%lu\n", s.scalars);
    free(buf);
    return rc;
}
