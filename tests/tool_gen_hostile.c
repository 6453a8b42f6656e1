/* tool_gen_hostile.c - writes the small hostile inputs of tests/adversarial.sh (amplifying minidumps, zlib bombs). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
    FANOUT_SIZE    = 88 * 1024,   /* the whole file */
    FANOUT_STREAMS = 4000,
    HEADER_SIZE    = 32,
    DIR_ENTRY_SIZE = 12,
    ST_MEMORY_LIST = 5,
    ZBOMB_SIZE     = 1024,
    ZBOMB_INFLATED = 1000000      /* zeros the zlib stream inflates to (deflate tops out near 1032:1) */
};

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A minidump whose 4,000 directory entries all name one MemoryList; each of its ranges
 * covers the whole file, so a naive writer prints the file 4,000 x ranges times. */
static size_t fanout(uint8_t *p)
{
    size_t list = HEADER_SIZE + (size_t)FANOUT_STREAMS * DIR_ENTRY_SIZE;
    uint32_t nranges = (uint32_t)((FANOUT_SIZE - list - 4) / 16);
    memset(p, 0, FANOUT_SIZE);
    memcpy(p, "MDMP", 4);
    put_u32(p + 4, 0xa793);
    put_u32(p + 8, FANOUT_STREAMS);
    put_u32(p + 12, HEADER_SIZE);
    for (size_t i = 0; i < FANOUT_STREAMS; i++) {
        uint8_t *e = p + HEADER_SIZE + i * DIR_ENTRY_SIZE;
        put_u32(e, ST_MEMORY_LIST);
        put_u32(e + 4, (uint32_t)(FANOUT_SIZE - list));
        put_u32(e + 8, (uint32_t)list);
    }
    put_u32(p + list, nranges);
    for (uint32_t i = 0; i < nranges; i++) {
        uint8_t *d = p + list + 4 + (size_t)i * 16;
        put_u64(d, 0x10000000u + (uint64_t)i * 0x1000);
        put_u32(d + 8, FANOUT_SIZE);
        put_u32(d + 12, 0);
    }
    return FANOUT_SIZE;
}

/* 1 KiB: u4 length of a zlib stream of 10^6 zeros, the stream, zero padding. */
static size_t zbomb(uint8_t *p)
{
    uint8_t *zeros = calloc(1, ZBOMB_INFLATED);
    uLongf n = ZBOMB_SIZE - 4;
    memset(p, 0, ZBOMB_SIZE);
    if (!zeros || compress2(p + 4, &n, zeros, ZBOMB_INFLATED, 9) != Z_OK) {
        fprintf(stderr, "gen_hostile: zlib failed\n");
        exit(1);
    }
    free(zeros);
    put_u32(p, (uint32_t)n);
    return ZBOMB_SIZE;
}

int main(int argc, char **argv)
{
    static uint8_t buf[FANOUT_SIZE];
    size_t n;
    if (argc == 3 && strcmp(argv[1], "fanout") == 0)
        n = fanout(buf);
    else if (argc == 3 && strcmp(argv[1], "zbomb") == 0)
        n = zbomb(buf);
    else {
        fprintf(stderr, "usage: gen_hostile fanout|zbomb OUT\n"
                        "  fanout  88 KiB minidump: %d directory entries naming one MemoryList whose ranges cover the file\n"
                        "  zbomb   1 KiB: u4 length, a zlib stream of 10^6 zeros, zero padding\n",
                FANOUT_STREAMS);
        return 2;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f || fwrite(buf, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "gen_hostile: cannot write %s\n", argv[2]);
        return 1;
    }
    return 0;
}
