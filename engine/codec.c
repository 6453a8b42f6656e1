/* codec.c - text to UTF-8 and back: built-in ASCII/Latin-1/UTF-8/16/32 paths, iconv for code pages. */
#include "codec.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Decoding never fails on data, unlike Python's strict codecs that produced
 * the Kaitai reference outputs: a dump with one bad name must still print.
 *  - ASCII maps bytes >= 0x80 to U+0080..U+00FF (read as Latin-1).
 *  - Ill-formed UTF-8/16/32 becomes U+FFFD, one per maximal ill-formed
 *    subpart (as Python's errors="replace"); lone surrogates too.
 *  - UTF-16/UTF-32 without a BOM are little-endian, like Python's codecs on
 *    the x86 machines that made the reference outputs.
 *  - iconv code pages: a byte iconv rejects becomes U+FFFD and is skipped.
 * Encoding (str.to_b) is strict: a character the target lacks is an error.
 */

enum {
    CK_ASCII, CK_LATIN1, CK_UTF8, CK_UTF16LE, CK_UTF16BE, CK_UTF16, CK_UTF32LE, CK_UTF32BE, CK_UTF32,
    CK_ICONV, CK_SJIS /* iconv, then glibc's yen/overline mapping of 0x5C/0x7E undone */
};

typedef struct codec_def {
    const char *name;     /* Kaitai's canonical spelling */
    const char *iconv;    /* glibc name, for CK_ICONV and CK_SJIS */
    int kind;
    const char *aliases;  /* '|'-separated, matched case-insensitively */
} codec_def;

static const codec_def codecs[] = {
    {"ASCII", NULL, CK_ASCII, "US-ASCII|US_ASCII|IBM367|cp367|csASCII|iso-ir-6|ANSI_X3.4-1968|646"},
    {"UTF-8", NULL, CK_UTF8, "UTF8|UTF_8|ISO-10646/UTF-8|ISO-10646/UTF8|cp65001|csUTF8|unicode-1-1-utf-8|unicode-2-0-utf-8"},
    {"UTF-16LE", NULL, CK_UTF16LE, "UTF16LE|UTF16-LE|UTF-16-LE|UTF_16LE|UTF16_LE|UTF_16_LE|csUTF16LE"},
    {"UTF-16BE", NULL, CK_UTF16BE, "UTF16BE|UTF16-BE|UTF-16-BE|UTF_16BE|UTF16_BE|UTF_16_BE|csUTF16BE"},
    {"UTF-16", NULL, CK_UTF16, "UTF16|UTF_16|csUTF16"},
    {"UTF-32LE", NULL, CK_UTF32LE, "UTF32LE|UTF32-LE|UTF-32-LE|UTF_32LE|UTF32_LE|UTF_32_LE|csUTF32LE"},
    {"UTF-32BE", NULL, CK_UTF32BE, "UTF32BE|UTF32-BE|UTF-32-BE|UTF_32BE|UTF32_BE|UTF_32_BE|csUTF32BE"},
    {"UTF-32", NULL, CK_UTF32, "UTF32|UTF_32|csUTF32"},
    {"ISO-8859-1", NULL, CK_LATIN1, "latin1|latin-1|latin_1|L1|csISOLatin1|iso-ir-100|IBM819|cp819|windows-28591"},
    {"ISO-8859-2", "ISO-8859-2", CK_ICONV, "latin2|latin-2|latin_2|L2|csISOLatin2|iso-ir-101|IBM1111|windows-28592"},
    {"ISO-8859-3", "ISO-8859-3", CK_ICONV, "latin3|latin-3|latin_3|L3|csISOLatin3|iso-ir-109|windows-28593"},
    {"ISO-8859-4", "ISO-8859-4", CK_ICONV, "latin4|latin-4|latin_4|L4|csISOLatin4|iso-ir-110|windows-28594"},
    {"ISO-8859-5", "ISO-8859-5", CK_ICONV, "cyrillic|csISOLatinCyrillic|iso-ir-144|windows-28595"},
    {"ISO-8859-6", "ISO-8859-6", CK_ICONV, "arabic|csISOLatinArabic|iso-ir-127|windows-28596|ECMA-114|ASMO-708"},
    {"ISO-8859-7", "ISO-8859-7", CK_ICONV, "greek|greek8|csISOLatinGreek|iso-ir-126|windows-28597|ECMA-118|ELOT_928"},
    {"ISO-8859-8", "ISO-8859-8", CK_ICONV, "hebrew|csISOLatinHebrew|iso-ir-138|windows-28598"},
    {"ISO-8859-9", "ISO-8859-9", CK_ICONV, "latin5|latin-5|latin_5|L5|csISOLatin5|iso-ir-148|windows-28599"},
    {"ISO-8859-10", "ISO-8859-10", CK_ICONV, "latin6|latin-6|latin_6|L6|csISOLatin6|iso-ir-157"},
    {"ISO-8859-11", "ISO-8859-11", CK_ICONV, "thai|csTIS620|TIS-620"},
    {"ISO-8859-13", "ISO-8859-13", CK_ICONV, "latin7|latin-7|latin_7|L7|csISO885913|windows-28603"},
    {"ISO-8859-14", "ISO-8859-14", CK_ICONV, "latin8|latin-8|latin_8|L8|csISO885914|iso-ir-199|iso-celtic"},
    {"ISO-8859-15", "ISO-8859-15", CK_ICONV, "latin9|latin-9|latin_9|L9|csISO885915|windows-28605"},
    {"ISO-8859-16", "ISO-8859-16", CK_ICONV, "latin10|latin-10|latin_10|L10|csISO885916"},
    {"windows-1250", "WINDOWS-1250", CK_ICONV, "cp1250|cswindows1250"},
    {"windows-1251", "WINDOWS-1251", CK_ICONV, "cp1251|cswindows1251"},
    {"windows-1252", "WINDOWS-1252", CK_ICONV, "cp1252|cswindows1252"},
    {"windows-1253", "WINDOWS-1253", CK_ICONV, "cp1253|cswindows1253"},
    {"windows-1254", "WINDOWS-1254", CK_ICONV, "cp1254|cswindows1254"},
    {"windows-1255", "WINDOWS-1255", CK_ICONV, "cp1255|cswindows1255"},
    {"windows-1256", "WINDOWS-1256", CK_ICONV, "cp1256|cswindows1256"},
    {"windows-1257", "WINDOWS-1257", CK_ICONV, "cp1257|cswindows1257"},
    {"windows-1258", "WINDOWS-1258", CK_ICONV, "cp1258|cswindows1258"},
    {"IBM437", "IBM437", CK_ICONV, "cp437|437|IBM-437|csPC8CodePage437"},
    {"IBM866", "IBM866", CK_ICONV, "cp866|866|IBM-866|csIBM866"},
    {"Shift_JIS", "SHIFT_JIS", CK_SJIS, "Shift-JIS|ShiftJIS|S-JIS|S_JIS|SJIS|PCK|csShiftJIS"},
    {"Big5", "BIG5", CK_ICONV, "csBig5|big5-tw"},
    {"EUC-KR", "EUC-KR", CK_ICONV, "EUCKR|EUC_KR|csEUCKR|korean|iso-ir-149"},
    {"EUC-JP", "EUC-JP", CK_ICONV, "EUCJP|EUC_JP|ujis|csEUCPkdFmtJapanese"},
    {"GB2312", "EUC-CN", CK_ICONV, "EUC-CN|EUCCN|csGB2312"},
    {"GBK", "GBK", CK_ICONV, "CP936|MS936|windows-936"},
    {"GB18030", "GB18030", CK_ICONV, ""},
    {"KOI8-R", "KOI8-R", CK_ICONV, "KOI8R|KOI8_R|csKOI8R"},
    {"KOI8-U", "KOI8-U", CK_ICONV, "KOI8U|KOI8_U"},
};

#define NCODECS ((int)(sizeof codecs / sizeof codecs[0]))

static bool alias_match(const char *list, const char *name, size_t len)
{
    while (*list) {
        size_t n = strcspn(list, "|");
        if (n == len && strncasecmp(list, name, len) == 0)
            return true;
        list += n;
        if (*list == '|')
            list++;
    }
    return false;
}

static int find_named(const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < NCODECS; i++)
        if (strcasecmp(codecs[i].name, name) == 0 || alias_match(codecs[i].aliases, name, len))
            return i;
    return -1;
}

/* The systematic spellings of ISO-8859-N: [ISO[-_]]8859[-_]N (ISO88591, 8859_1, ISO_8859-1...). */
static int find_iso8859(const char *name)
{
    const char *s = name;
    if (strncasecmp(s, "ISO", 3) == 0) {
        s += 3;
        if (*s == '-' || *s == '_')
            s++;
    }
    if (strncmp(s, "8859", 4) != 0)
        return -1;
    s += 4;
    if (*s == '-' || *s == '_')
        s++;
    if (!isdigit((unsigned char)s[0]) || s[0] == '0' || strlen(s) > 2 || (s[1] && !isdigit((unsigned char)s[1])))
        return -1;
    char canon[16];
    snprintf(canon, sizeof canon, "ISO-8859-%s", s);
    return find_named(canon);
}

int fd_codec_lookup(const char *name)
{
    if (!name || !*name)
        return -1;
    int id = find_named(name);
    return id >= 0 ? id : find_iso8859(name);
}

const char *fd_codec_name(int id)
{
    return id >= 0 && id < NCODECS ? codecs[id].name : "unknown";
}

int fd_codec_unit(int id)
{
    if (id < 0 || id >= NCODECS)
        return 1;
    switch (codecs[id].kind) {
    case CK_UTF16LE: case CK_UTF16BE: case CK_UTF16: return 2;
    case CK_UTF32LE: case CK_UTF32BE: case CK_UTF32: return 4;
    default: return 1;
    }
}

/* Built-in decoders: consume >= 1 byte of p[0..n) (n >= 1), store one code
 * point, or CP_BAD for an ill-formed sequence. */
#define CP_BAD UINT32_MAX
typedef size_t (*next_fn)(const uint8_t *p, size_t n, uint32_t *cp);

static size_t next_latin1(const uint8_t *p, size_t n, uint32_t *cp)
{
    (void)n;
    *cp = p[0];
    return 1;
}

static size_t next_utf8(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte: no overlongs, surrogates, > U+10FFFF */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *cp = CP_BAD;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n || p[i] < lo || p[i] > hi) {
            *cp = CP_BAD;
            return i;
        }
        v = v << 6 | (p[i] & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return len;
}

static uint32_t load16(const uint8_t *p, bool le)
{
    return le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : (uint32_t)p[0] << 8 | p[1];
}

static size_t next_utf16(const uint8_t *p, size_t n, uint32_t *cp, bool le)
{
    *cp = CP_BAD;
    if (n < 2)
        return n;
    uint32_t u = load16(p, le);
    if (u < 0xD800 || u > 0xDFFF) {
        *cp = u;
    } else if (u <= 0xDBFF) {
        if (n < 4)
            return n; /* a high surrogate cut off by the end: one U+FFFD, as Python */
        uint32_t l = load16(p + 2, le);
        if (l >= 0xDC00 && l <= 0xDFFF) {
            *cp = 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00);
            return 4;
        }
    }
    return 2;
}

static size_t next_utf16le(const uint8_t *p, size_t n, uint32_t *cp) { return next_utf16(p, n, cp, true); }
static size_t next_utf16be(const uint8_t *p, size_t n, uint32_t *cp) { return next_utf16(p, n, cp, false); }

static size_t next_utf32(const uint8_t *p, size_t n, uint32_t *cp, bool le)
{
    *cp = CP_BAD;
    if (n < 4)
        return n;
    uint32_t v = le ? load16(p, true) | load16(p + 2, true) << 16 : load16(p, false) << 16 | load16(p + 2, false);
    if (v <= 0x10FFFF && (v < 0xD800 || v > 0xDFFF))
        *cp = v;
    return 4;
}

static size_t next_utf32le(const uint8_t *p, size_t n, uint32_t *cp) { return next_utf32(p, n, cp, true); }
static size_t next_utf32be(const uint8_t *p, size_t n, uint32_t *cp) { return next_utf32(p, n, cp, false); }

static size_t put_utf8(uint32_t cp, uint8_t *o)
{
    if (cp < 0x80) {
        if (o)
            o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        if (o) {
            o[0] = (uint8_t)(0xC0 | cp >> 6);
            o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        }
        return 2;
    }
    if (cp < 0x10000) {
        if (o) {
            o[0] = (uint8_t)(0xE0 | cp >> 12);
            o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
            o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        }
        return 3;
    }
    if (o) {
        o[0] = (uint8_t)(0xF0 | cp >> 18);
        o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    }
    return 4;
}

/* Two passes (measure, then write) so the arena gets exactly the bytes needed. */
static int decode_builtin(fd_arena *a, next_fn next, const uint8_t *src, size_t n,
                          const char **out, size_t *outn)
{
    if (n > (SIZE_MAX - 1) / 3)
        return FD_CNOMEM;
    size_t len = 0;
    bool same = next == next_latin1 || next == next_utf8;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = next(src + i, n - i, &cp);
        size_t m = put_utf8(cp == CP_BAD ? 0xFFFD : cp, NULL);
        same = same && cp != CP_BAD && m == k;
        len += m;
        i += k;
    }
    uint8_t *buf = fd_arena_alloc(a, len + 1);
    if (!buf)
        return FD_CNOMEM;
    if (same) {
        if (n)
            memcpy(buf, src, n);
    } else {
        uint8_t *o = buf;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            i += next(src + i, n - i, &cp);
            o += put_utf8(cp == CP_BAD ? 0xFFFD : cp, o);
        }
    }
    buf[len] = 0;
    *out = (const char *)buf;
    *outn = len;
    return FD_COK;
}

/* Threads: an iconv_t carries conversion state, so one converter serves one
 * conversion at a time.  The cache keeps one idle converter per encoding and
 * direction; a conversion takes it out under the lock (or opens a fresh one
 * when another thread holds it), converts without the lock, and puts it back
 * (closing it when the slot was refilled meanwhile); a failed open is kept
 * as (iconv_t)-1 so an unknown code page is not looked up again.  Threads parsing at
 * once therefore never share a converter and never wait on each other's
 * conversions.  Kept converters live for the process, like iconv's own data. */
static pthread_mutex_t iconv_lock = PTHREAD_MUTEX_INITIALIZER;
static iconv_t iconv_cache[2][sizeof codecs / sizeof codecs[0]];

static iconv_t iconv_take(int id, bool encode)
{
    pthread_mutex_lock(&iconv_lock);
    iconv_t cd = iconv_cache[encode][id];
    iconv_cache[encode][id] = NULL;
    pthread_mutex_unlock(&iconv_lock);
    if (!cd)
        cd = encode ? iconv_open(codecs[id].iconv, "UTF-8") : iconv_open("UTF-8", codecs[id].iconv);
    return cd;
}

static void iconv_give_back(int id, bool encode, iconv_t cd)
{
    pthread_mutex_lock(&iconv_lock);
    iconv_t *slot = &iconv_cache[encode][id];
    bool keep = !*slot;
    if (keep)
        *slot = cd;
    pthread_mutex_unlock(&iconv_lock);
    if (!keep && cd != (iconv_t)-1)
        iconv_close(cd);
}

typedef struct growbuf {
    char *buf, *o;
    size_t cap, left;
} growbuf;

static int growbuf_more(growbuf *g, size_t need)
{
    size_t used = (size_t)(g->o - g->buf);
    size_t cap = g->cap;
    while (cap - used < need) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *nb = realloc(g->buf, cap);
    if (!nb)
        return -1;
    g->buf = nb;
    g->o = nb + used;
    g->cap = cap;
    g->left = cap - used;
    return 0;
}

/* Convert src with cd into a malloc'd buffer.  With `lenient`, rejected
 * input bytes become U+FFFD; otherwise they fail the conversion. */
static int iconv_run(iconv_t cd, const char *src, size_t n, bool lenient, growbuf *g)
{
    g->cap = n < SIZE_MAX / 4 - 64 ? n * 2 + 64 : SIZE_MAX / 2;
    g->buf = g->o = malloc(g->cap);
    g->left = g->cap;
    if (!g->buf)
        return FD_CNOMEM;
    iconv(cd, NULL, NULL, NULL, NULL);
    char *in = (char *)src;
    size_t inleft = n;
    for (;;) {
        size_t r = inleft ? iconv(cd, &in, &inleft, &g->o, &g->left) : iconv(cd, NULL, NULL, &g->o, &g->left);
        if (r != (size_t)-1) {
            if (!inleft)
                break;
            continue;
        }
        if (errno == E2BIG) {
            if (growbuf_more(g, g->left + 1) != 0)
                return FD_CNOMEM;
        } else if ((errno == EILSEQ || errno == EINVAL) && lenient && inleft) {
            if (g->left < 3 && growbuf_more(g, 3) != 0)
                return FD_CNOMEM;
            memcpy(g->o, "\xEF\xBF\xBD", 3);
            g->o += 3;
            g->left -= 3;
            /* EINVAL: a truncated sequence at the end, replaced as a whole. */
            if (errno == EINVAL) {
                inleft = 0;
            } else {
                in++;
                inleft--;
            }
        } else {
            return FD_CINVALID;
        }
    }
    return FD_COK;
}

/* glibc's SHIFT_JIS reads 0x5C/0x7E as JIS X 0201 yen/overline; Python (the
 * reference) keeps them ASCII.  Those two code points come from nowhere else. */
static size_t sjis_fix(char *buf, size_t n)
{
    size_t w = 0;
    for (size_t r = 0; r < n;) {
        if (n - r >= 2 && memcmp(buf + r, "\xC2\xA5", 2) == 0) {
            buf[w++] = '\\';
            r += 2;
        } else if (n - r >= 3 && memcmp(buf + r, "\xE2\x80\xBE", 3) == 0) {
            buf[w++] = '~';
            r += 3;
        } else {
            buf[w++] = buf[r++];
        }
    }
    return w;
}

static int convert_iconv(fd_arena *a, int id, bool encode, const char *src, size_t n,
                         const void **out, size_t *outn)
{
    growbuf g = {0};
    int rc;
    iconv_t cd = iconv_take(id, encode);
    rc = cd == (iconv_t)-1 ? FD_CUNKNOWN : iconv_run(cd, src, n, !encode, &g);
    iconv_give_back(id, encode, cd);
    if (rc == FD_COK) {
        size_t len = (size_t)(g.o - g.buf);
        if (!encode && codecs[id].kind == CK_SJIS)
            len = sjis_fix(g.buf, len);
        char *res = fd_arena_alloc(a, len + 1);
        if (res) {
            memcpy(res, g.buf, len);
            res[len] = 0;
            *out = res;
            *outn = len;
        } else {
            rc = FD_CNOMEM;
        }
    }
    free(g.buf);
    return rc;
}

int fd_codec_decode(fd_arena *a, int id, const uint8_t *src, size_t n, const char **out, size_t *outn)
{
    static const uint8_t none[1];
    if (id < 0 || id >= NCODECS)
        return FD_CUNKNOWN;
    if (!src)
        src = none, n = 0;
    next_fn next;
    switch (codecs[id].kind) {
    case CK_ASCII: case CK_LATIN1: next = next_latin1; break;
    case CK_UTF8: next = next_utf8; break;
    case CK_UTF16LE: next = next_utf16le; break;
    case CK_UTF16BE: next = next_utf16be; break;
    case CK_UTF32LE: next = next_utf32le; break;
    case CK_UTF32BE: next = next_utf32be; break;
    case CK_UTF16:
        next = n >= 2 && src[0] == 0xFE && src[1] == 0xFF ? next_utf16be : next_utf16le;
        if (n >= 2 && ((src[0] == 0xFF && src[1] == 0xFE) || (src[0] == 0xFE && src[1] == 0xFF)))
            src += 2, n -= 2;
        break;
    case CK_UTF32:
        if (n >= 4 && memcmp(src, "\x00\x00\xFE\xFF", 4) == 0) {
            next = next_utf32be;
            src += 4, n -= 4;
        } else {
            next = next_utf32le;
            if (n >= 4 && memcmp(src, "\xFF\xFE\x00\x00", 4) == 0)
                src += 4, n -= 4;
        }
        break;
    default: {
        const void *res = NULL;
        int rc = convert_iconv(a, id, false, (const char *)src, n, &res, outn);
        if (rc == FD_COK)
            *out = res;
        return rc;
    }
    }
    return decode_builtin(a, next, src, n, out, outn);
}

/* Bytes of cp in a built-in encoding kind (written when o != NULL); 0 if the
 * kind cannot represent it. */
static size_t put_unit(int kind, uint32_t cp, uint8_t *o)
{
    switch (kind) {
    case CK_ASCII:
    case CK_LATIN1:
        if (cp >= (kind == CK_ASCII ? 0x80u : 0x100u))
            return 0;
        if (o)
            o[0] = (uint8_t)cp;
        return 1;
    case CK_UTF16LE:
    case CK_UTF16BE: {
        bool le = kind == CK_UTF16LE;
        uint32_t u[2] = {cp, 0};
        size_t nu = 1;
        if (cp >= 0x10000) {
            u[0] = 0xD800 + ((cp - 0x10000) >> 10);
            u[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            nu = 2;
        }
        for (size_t i = 0; o && i < nu; i++) {
            o[2 * i + (le ? 0 : 1)] = (uint8_t)u[i];
            o[2 * i + (le ? 1 : 0)] = (uint8_t)(u[i] >> 8);
        }
        return 2 * nu;
    }
    case CK_UTF32LE:
    case CK_UTF32BE:
        for (int i = 0; o && i < 4; i++)
            o[kind == CK_UTF32LE ? i : 3 - i] = (uint8_t)(cp >> (8 * i));
        return 4;
    default:
        return put_utf8(cp, o);
    }
}

static int encode_builtin(fd_arena *a, int kind, const char *src, size_t n, const uint8_t **out, size_t *outn)
{
    /* Like Python's "utf-16"/"utf-32" codecs: a BOM, then little-endian. */
    static const uint8_t bom16[2] = {0xFF, 0xFE}, bom32[4] = {0xFF, 0xFE, 0, 0};
    const uint8_t *bom = NULL;
    size_t nbom = 0;
    if (kind == CK_UTF16) {
        bom = bom16, nbom = 2, kind = CK_UTF16LE;
    } else if (kind == CK_UTF32) {
        bom = bom32, nbom = 4, kind = CK_UTF32LE;
    }
    const uint8_t *s = (const uint8_t *)src;
    if (n > (SIZE_MAX - 8) / 4)
        return FD_CNOMEM;
    size_t len = nbom;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += next_utf8(s + i, n - i, &cp);
        size_t m = cp == CP_BAD ? 0 : put_unit(kind, cp, NULL);
        if (!m)
            return FD_CINVALID;
        len += m;
    }
    uint8_t *buf = fd_arena_alloc(a, len + 1);
    if (!buf)
        return FD_CNOMEM;
    if (nbom)
        memcpy(buf, bom, nbom);
    uint8_t *o = buf + nbom;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += next_utf8(s + i, n - i, &cp);
        o += put_unit(kind, cp, o);
    }
    buf[len] = 0;
    *out = buf;
    *outn = len;
    return FD_COK;
}

int fd_codec_encode(fd_arena *a, int id, const char *src, size_t n, const uint8_t **out, size_t *outn)
{
    if (id < 0 || id >= NCODECS)
        return FD_CUNKNOWN;
    if (!src)
        src = "", n = 0;
    int kind = codecs[id].kind;
    if (kind != CK_ICONV && kind != CK_SJIS)
        return encode_builtin(a, kind, src, n, out, outn);
    const void *res = NULL;
    int rc = convert_iconv(a, id, true, src, n, &res, outn);
    if (rc == FD_COK)
        *out = res;
    return rc;
}

size_t fd_utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    uint32_t cp;
    for (size_t i = 0; i < n; count++)
        i += next_utf8((const uint8_t *)s + i, n - i, &cp);
    return count;
}

size_t fd_utf8_offset(const char *s, size_t n, size_t cp)
{
    size_t i = 0;
    uint32_t c;
    while (cp-- > 0 && i < n)
        i += next_utf8((const uint8_t *)s + i, n - i, &c);
    return i;
}
