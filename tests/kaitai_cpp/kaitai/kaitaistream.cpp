// kaitaistream.cpp - make bench's own Kaitai C++/STL stream: std::istream reads that throw at the end, and the byte helpers.
#include "kaitai/kaitaistream.h"

namespace kaitai {

kstream::kstream(std::istream* io) : m_io(io), m_owned(0) {}

kstream::kstream(const std::string& data) : m_io(0), m_owned(new std::istringstream(data))
{
    m_io = m_owned;
}

kstream::~kstream()
{
    delete m_owned;
}

bool kstream::is_eof()
{
    if (m_io->peek() != std::char_traits<char>::eof())
        return false;
    m_io->clear();
    return true;
}

// A failed read or peek leaves the istream failed; a seek starts afresh.
void kstream::seek(uint64_t pos)
{
    m_io->clear();
    m_io->seekg(static_cast<std::streamoff>(pos), std::ios::beg);
    if (!*m_io) {
        m_io->clear();
        throw end_of_stream_error("seek to " + std::to_string(static_cast<unsigned long long>(pos)) + " failed");
    }
}

uint64_t kstream::pos()
{
    std::streampos p = m_io->tellg();
    if (p < 0) {
        m_io->clear();
        p = m_io->tellg();
    }
    return static_cast<uint64_t>(static_cast<std::streamoff>(p));
}

uint64_t kstream::size()
{
    std::streampos here = m_io->tellg();
    m_io->seekg(0, std::ios::end);
    std::streampos end = m_io->tellg();
    m_io->seekg(here);
    return static_cast<uint64_t>(static_cast<std::streamoff>(end));
}

void kstream::read_exact(char* buf, std::streamsize len)
{
    m_io->read(buf, len);
    std::streamsize got = m_io->gcount();
    if (got != len) {
        m_io->clear();
        throw end_of_stream_error("requested " + std::to_string(static_cast<long long>(len)) + " bytes, but only " +
                                  std::to_string(static_cast<long long>(got)) + " bytes available");
    }
}

uint64_t kstream::read_be(int len)
{
    unsigned char b[8];
    read_exact(reinterpret_cast<char*>(b), len);
    uint64_t v = 0;
    for (int i = 0; i < len; i++)
        v = v << 8 | b[i];
    return v;
}

uint64_t kstream::read_le(int len)
{
    unsigned char b[8];
    read_exact(reinterpret_cast<char*>(b), len);
    uint64_t v = 0;
    for (int i = len - 1; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

int8_t kstream::read_s1() { return static_cast<int8_t>(read_le(1)); }
int16_t kstream::read_s2be() { return static_cast<int16_t>(read_be(2)); }
int32_t kstream::read_s4be() { return static_cast<int32_t>(read_be(4)); }
int64_t kstream::read_s8be() { return static_cast<int64_t>(read_be(8)); }
int16_t kstream::read_s2le() { return static_cast<int16_t>(read_le(2)); }
int32_t kstream::read_s4le() { return static_cast<int32_t>(read_le(4)); }
int64_t kstream::read_s8le() { return static_cast<int64_t>(read_le(8)); }
uint8_t kstream::read_u1() { return static_cast<uint8_t>(read_le(1)); }
uint16_t kstream::read_u2be() { return static_cast<uint16_t>(read_be(2)); }
uint32_t kstream::read_u4be() { return static_cast<uint32_t>(read_be(4)); }
uint64_t kstream::read_u8be() { return read_be(8); }
uint16_t kstream::read_u2le() { return static_cast<uint16_t>(read_le(2)); }
uint32_t kstream::read_u4le() { return static_cast<uint32_t>(read_le(4)); }
uint64_t kstream::read_u8le() { return read_le(8); }

std::string kstream::read_bytes(std::streamsize len)
{
    if (len < 0)
        throw std::runtime_error("read_bytes: negative length");
    std::string out(static_cast<size_t>(len), '\0');
    if (len > 0)
        read_exact(&out[0], len);
    return out;
}

std::string kstream::read_bytes_full()
{
    uint64_t here = pos(), end = size();
    return read_bytes(end > here ? static_cast<std::streamsize>(end - here) : 0);
}

std::string kstream::read_bytes_term(char term, bool include, bool consume, bool eos_error)
{
    std::string out;
    std::getline(*m_io, out, term);
    if (m_io->eof()) {
        m_io->clear();
        if (eos_error)
            throw end_of_stream_error("end of stream reached, but no terminator found");
        return out;
    }
    if (include)
        out.push_back(term);
    if (!consume)
        m_io->seekg(-1, std::ios::cur);
    return out;
}

std::string kstream::bytes_terminate(std::string src, char term, bool include)
{
    size_t at = src.find(term);
    if (at == std::string::npos)
        return src;
    return src.substr(0, at + (include ? 1 : 0));
}

// The terminator is looked for at multiples of its own length (a UTF-16 NUL is at an even offset).
std::string kstream::bytes_terminate_multi(std::string src, std::string term, bool include)
{
    size_t unit = term.size();
    if (unit == 0)
        return std::string();
    for (size_t i = 0; i + unit <= src.size(); i += unit)
        if (src.compare(i, unit, term) == 0)
            return src.substr(0, i + (include ? unit : 0));
    return src;
}

static void put_utf8(std::string& out, uint32_t cp)
{
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | cp >> 6));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | cp >> 12));
        out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | cp >> 18));
        out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

static std::string utf16_to_utf8(const std::string& src, bool be)
{
    const unsigned char* s = reinterpret_cast<const unsigned char*>(src.data());
    size_t n = src.size() / 2;
    std::string out;
    out.reserve(n);
    for (size_t i = 0; i < n; i++) {
        uint32_t u = be ? (s[2 * i] << 8 | s[2 * i + 1]) : (s[2 * i + 1] << 8 | s[2 * i]);
        if (u >= 0xd800 && u < 0xdc00 && i + 1 < n) {
            uint32_t v = be ? (s[2 * i + 2] << 8 | s[2 * i + 3]) : (s[2 * i + 3] << 8 | s[2 * i + 2]);
            if (v >= 0xdc00 && v < 0xe000) {
                put_utf8(out, 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00));
                i++;
                continue;
            }
        }
        put_utf8(out, u >= 0xd800 && u < 0xe000 ? 0xfffd : u);
    }
    if (src.size() % 2)
        put_utf8(out, 0xfffd);
    return out;
}

std::string kstream::bytes_to_str(const std::string& src, const char* src_enc)
{
    std::string enc(src_enc);
    if (enc == "UTF-8")
        return src;
    if (enc == "UTF-16LE" || enc == "UTF-16BE")
        return utf16_to_utf8(src, enc == "UTF-16BE");
    if (enc == "ASCII") {
        std::string out;
        out.reserve(src.size());
        for (size_t i = 0; i < src.size(); i++)
            put_utf8(out, static_cast<unsigned char>(src[i]));
        return out;
    }
    throw std::runtime_error("bytes_to_str: unsupported encoding " + enc);
}

}
