// kaitaistream.h - make bench's own Kaitai C++/STL stream over a std::istream, written from the API generated code calls.
#ifndef KAITAI_KAITAISTREAM_H
#define KAITAI_KAITAISTREAM_H

// The runtime API level generated code checks for (0.11).
#define KAITAI_STRUCT_VERSION 11000L

#include <stdint.h>

#include <istream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace kaitai {

// A read past the end of the stream: the read throws, nothing is made up.
class end_of_stream_error : public std::runtime_error {
public:
    explicit end_of_stream_error(const std::string& what) : std::runtime_error(what) {}
};

// Reads go through the std::istream (an std::ifstream for a file, an
// std::istringstream owning a copy for a substream made of bytes).
class kstream {
public:
    explicit kstream(std::istream* io);
    explicit kstream(const std::string& data);
    ~kstream();

    bool is_eof();
    void seek(uint64_t pos);
    uint64_t pos();
    uint64_t size();

    int8_t read_s1();
    int16_t read_s2be();
    int32_t read_s4be();
    int64_t read_s8be();
    int16_t read_s2le();
    int32_t read_s4le();
    int64_t read_s8le();
    uint8_t read_u1();
    uint16_t read_u2be();
    uint32_t read_u4be();
    uint64_t read_u8be();
    uint16_t read_u2le();
    uint32_t read_u4le();
    uint64_t read_u8le();

    std::string read_bytes(std::streamsize len);
    std::string read_bytes_full();
    std::string read_bytes_term(char term, bool include, bool consume, bool eos_error);

    static std::string bytes_terminate(std::string src, char term, bool include);
    static std::string bytes_terminate_multi(std::string src, std::string term, bool include);
    // ASCII (bytes >= 0x80 read as Latin-1), UTF-8 (kept as is), UTF-16LE/BE (to UTF-8,
    // ill-formed units as U+FFFD); any other encoding throws.
    static std::string bytes_to_str(const std::string& src, const char* src_enc);

private:
    kstream(const kstream&);
    kstream& operator=(const kstream&);

    void read_exact(char* buf, std::streamsize len);
    uint64_t read_be(int len);
    uint64_t read_le(int len);

    std::istream* m_io;
    std::istringstream* m_owned;
};

}

#endif
