// json_writer.h - the Kaitai C++ walker's output: JSON laid out as `fmtdump -o json` lays it out, through one buffer.
#ifndef KAITAI_CPP_JSON_WRITER_H
#define KAITAI_CPP_JSON_WRITER_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <string>

// Each scalar written counts as one value, as jsoncheck --count counts them.
class json_writer {
public:
    explicit json_writer(FILE* out) : values(0), m_out(out), m_len(0), m_depth(0)
    {
        static const char digits[] = "0123456789abcdef";
        for (int i = 0; i < 256; i++) {
            m_hex[2 * i] = digits[i >> 4];
            m_hex[2 * i + 1] = digits[i & 15];
        }
        m_first[0] = true;
    }
    ~json_writer() { flush(); }

    void flush()
    {
        if (m_len)
            fwrite(m_buf, 1, m_len, m_out);
        m_len = 0;
    }

    // false, with {"_depth_limit": true} written, past the nesting a reference cycle reaches.
    bool begin_obj()
    {
        if (m_depth + 2 >= sizeof m_first) {
            values++;
            put("{\"_depth_limit\": true}", 22);
            return false;
        }
        put('{');
        m_first[++m_depth] = true;
        return true;
    }
    void end_obj()
    {
        m_depth--;
        newline();
        put('}');
    }
    void empty_arr()
    {
        put("[]", 2);
    }
    void begin_arr()
    {
        put('[');
        m_first[++m_depth] = true;
    }
    void end_arr()
    {
        m_depth--;
        newline();
        put(']');
    }
    // The newline after the document.
    void finish()
    {
        put('\n');
    }
    void elem()
    {
        separate();
    }
    // quoted_key: the key with its quotes, colon and space, e.g. "\"len\": ".
    void key(const char* quoted_key, size_t len)
    {
        separate();
        put(quoted_key, len);
    }

    void null()
    {
        values++;
        put("null", 4);
    }
    void boolean(bool v)
    {
        values++;
        if (v)
            put("true", 4);
        else
            put("false", 5);
    }
    void u64(uint64_t v)
    {
        values++;
        char tmp[24];
        int i = sizeof tmp;
        do {
            tmp[--i] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        put(tmp + i, sizeof tmp - i);
    }
    void i64(int64_t v)
    {
        if (v < 0) {
            put('-');
            u64(0 - static_cast<uint64_t>(v));
        } else {
            u64(static_cast<uint64_t>(v));
        }
    }
    // quoted: a string literal with its quotes, e.g. an enum's name.
    void literal(const char* quoted, size_t len)
    {
        values++;
        put(quoted, len);
    }
    void hex(const std::string& b)
    {
        values++;
        put('"');
        const unsigned char* s = reinterpret_cast<const unsigned char*>(b.data());
        size_t n = b.size();
        while (n) {
            room(2);
            size_t chunk = (sizeof m_buf - m_len) / 2;
            if (chunk > n)
                chunk = n;
            char* o = m_buf + m_len;
            for (size_t i = 0; i < chunk; i++) {
                memcpy(o, m_hex + 2 * s[i], 2);
                o += 2;
            }
            m_len += 2 * chunk;
            s += chunk;
            n -= chunk;
        }
        put('"');
    }
    // UTF-8 text; controls, quote and backslash escaped, an ill-formed byte as \ufffd.
    void str(const std::string& text)
    {
        values++;
        put('"');
        const unsigned char* s = reinterpret_cast<const unsigned char*>(text.data());
        size_t n = text.size(), i = 0;
        while (i < n) {
            unsigned b = s[i];
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                put(static_cast<char>(b));
                i++;
            } else if (b < 0x80) {
                escape(b);
                i++;
            } else {
                size_t len = utf8_len(s + i, n - i);
                if (len) {
                    put(reinterpret_cast<const char*>(s + i), len);
                    i += len;
                } else {
                    put("\\ufffd", 6);
                    i++;
                }
            }
        }
        put('"');
    }
    // A failed instance: {"_error": "..."}, one value.
    void error(const char* what)
    {
        put('{');
        m_first[++m_depth] = true;
        key("\"_error\": ", 10);
        str(what);
        end_obj();
    }

    uint64_t values;

private:
    void room(size_t n)
    {
        if (sizeof m_buf - m_len < n)
            flush();
    }
    void put(char c)
    {
        room(1);
        m_buf[m_len++] = c;
    }
    void put(const char* s, size_t n)
    {
        if (n > sizeof m_buf) {
            flush();
            fwrite(s, 1, n, m_out);
            return;
        }
        room(n);
        memcpy(m_buf + m_len, s, n);
        m_len += n;
    }
    void newline()
    {
        room(1 + 2 * m_depth);
        m_buf[m_len++] = '\n';
        memset(m_buf + m_len, ' ', 2 * m_depth);
        m_len += 2 * m_depth;
    }
    void separate()
    {
        if (!m_first[m_depth])
            put(',');
        m_first[m_depth] = false;
        newline();
    }
    void escape(unsigned b)
    {
        const char* e = 0;
        switch (b) {
        case '\b': e = "\\b"; break;
        case '\t': e = "\\t"; break;
        case '\n': e = "\\n"; break;
        case '\f': e = "\\f"; break;
        case '\r': e = "\\r"; break;
        case '"': e = "\\\""; break;
        case '\\': e = "\\\\"; break;
        }
        if (e) {
            put(e, 2);
            return;
        }
        char u[6] = {'\\', 'u', '0', '0', m_hex[2 * b], m_hex[2 * b + 1]};
        put(u, 6);
    }
    // The length of the well-formed UTF-8 sequence at s, or 0.
    static size_t utf8_len(const unsigned char* s, size_t n)
    {
        size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
        if (!len || len > n || s[0] > 0xf4)
            return 0;
        uint32_t cp = s[0] & (0x7f >> len);
        for (size_t i = 1; i < len; i++) {
            if ((s[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i] & 0x3f);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return 0;
        return len;
    }

    FILE* m_out;
    size_t m_len;
    size_t m_depth;
    bool m_first[256];
    char m_hex[512];
    char m_buf[1 << 16];
};

#endif
