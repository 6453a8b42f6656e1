// kaitaistruct.h - make bench's own Kaitai C++/STL struct base: what generated code derives from (written from the API it uses).
#ifndef KAITAI_KAITAISTRUCT_H
#define KAITAI_KAITAISTRUCT_H

#include "kaitai/kaitaistream.h"

namespace kaitai {

// Every generated type; virtual so that a switch field (a kstruct*) can be dispatched to its type.
class kstruct {
public:
    explicit kstruct(kstream* io) : m__io(io) {}
    virtual ~kstruct() {}
    kstream* _io() { return m__io; }

protected:
    kstream* m__io;
};

}

#endif
