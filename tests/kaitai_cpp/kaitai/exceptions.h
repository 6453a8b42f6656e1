// exceptions.h - make bench's own Kaitai C++/STL errors: the ones generated code throws.
#ifndef KAITAI_EXCEPTIONS_H
#define KAITAI_EXCEPTIONS_H

#include <stdexcept>
#include <string>

#include "kaitai/kaitaistream.h"

namespace kaitai {

// An error at a place of the description (src_path, e.g. "/types/dir/seq/0").
class kstruct_error : public std::runtime_error {
public:
    kstruct_error(const std::string& what, const std::string& src_path)
        : std::runtime_error(src_path + ": " + what), m_src_path(src_path) {}
    virtual ~kstruct_error() throw() {}
    const std::string& src_path() const { return m_src_path; }

private:
    std::string m_src_path;
};

// A type whose byte order is chosen at run time was read before it was chosen.
class undecided_endianness_error : public kstruct_error {
public:
    explicit undecided_endianness_error(const std::string& src_path)
        : kstruct_error("unable to decide on endianness for a type", src_path) {}
};

// A `valid:` check failed at the stream position where the value was read.
class validation_failed_error : public kstruct_error {
public:
    validation_failed_error(const std::string& what, kstream* io, const std::string& src_path)
        : kstruct_error("at pos " + position(io) + ": validation failed: " + what, src_path) {}

private:
    static std::string position(kstream* io)
    {
        return io ? std::to_string(static_cast<unsigned long long>(io->pos())) : std::string("?");
    }
};

template <typename T>
class validation_not_equal_error : public validation_failed_error {
public:
    validation_not_equal_error(const T& expected, const T& actual, kstream* io, const std::string& src_path)
        : validation_failed_error("not equal", io, src_path), m_expected(expected), m_actual(actual) {}
    virtual ~validation_not_equal_error() throw() {}

private:
    T m_expected;
    T m_actual;
};

template <typename T>
class validation_not_any_of_error : public validation_failed_error {
public:
    validation_not_any_of_error(const T& actual, kstream* io, const std::string& src_path)
        : validation_failed_error("not any of the list", io, src_path), m_actual(actual) {}
    virtual ~validation_not_any_of_error() throw() {}

private:
    T m_actual;
};

}

#endif
