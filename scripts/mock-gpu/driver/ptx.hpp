// ptx.hpp — what the mock reads from a PTX module: the ISA version, the target, and each
// .entry's name, parameter sizes and whether its body waits at a barrier (bar.sync).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace adlmock {

struct PtxEntry {
    std::string name;
    std::vector<size_t> sizes;       // bytes per .param, in order
    bool barrier = false;
};

struct PtxModule {
    int isa_major = 0, isa_minor = 0;
    int target_sm = 0;
    std::vector<PtxEntry> entries;
};

// Parses text; on malformed PTX returns false with `error` = "line N: reason".
bool parse_ptx(const char *text, PtxModule &out, std::string &error);

// The lowest driver version (1000·major + 10·minor) that loads PTX ISA major.minor, from the PTX
// ISA release history (PTX ISA reference, "Release Notes"); 0 for an ISA newer than the table.
int min_driver_for_isa(int major, int minor);

// The newest PTX ISA a driver version loads, as "major.minor".
std::string max_isa_for_driver(int driver);

} // namespace adlmock
