// ptx.cpp — a small reader of PTX text (PTX ISA reference: "PTX Module Directives" for .version,
// .target, .address_size; "Kernel and Function Directives" for .entry and its .param list;
// "Parameter State Space" for .param types, .align and arrays; bar.sync / barrier.sync from
// "Parallel Synchronization and Communication Instructions").
#include "ptx.hpp"
#include <cctype>
#include <cstdio>
#include <cstring>

namespace adlmock {

namespace {
// CUDA release that introduced each PTX ISA (PTX ISA reference, release history).
struct IsaRelease { int major, minor, driver; };
const IsaRelease kIsa[] = {
    {6, 0, 9000}, {6, 1, 9010}, {6, 2, 9020}, {6, 3, 10000}, {6, 4, 10010}, {6, 5, 10020},
    {7, 0, 11000}, {7, 1, 11010}, {7, 2, 11020}, {7, 3, 11030}, {7, 4, 11040}, {7, 5, 11050},
    {7, 6, 11060}, {7, 7, 11070}, {7, 8, 11080},
    {8, 0, 12000}, {8, 1, 12010}, {8, 2, 12020}, {8, 3, 12030}, {8, 4, 12040}, {8, 5, 12050},
    {8, 6, 12070}, {8, 7, 12080}, {8, 8, 12090},
    {9, 0, 13000}, {9, 1, 13010},
};

int line_of(const char *text, const char *p) {
    int n = 1;
    for (const char *q = text; q < p; q++) if (*q == '\n') n++;
    return n;
}

std::string err_at(const char *text, const char *p, const std::string &msg) {
    return "line " + std::to_string(line_of(text, p)) + ": " + msg;
}

bool is_ident(char c) { return std::isalnum((unsigned char) c) || c == '_' || c == '$' || c == '.'; }

// Size of one parameter declaration such as ".param .u64 .ptr .align 1 name" or
// ".param .align 4 .b8 name[16]"; 0 when the type is not known.
size_t param_size(const std::string &decl) {
    size_t elem = 0;
    static const struct { const char *t; size_t n; } kTypes[] = {
        {".u8", 1}, {".s8", 1}, {".b8", 1}, {".u16", 2}, {".s16", 2}, {".b16", 2}, {".f16", 2},
        {".u32", 4}, {".s32", 4}, {".b32", 4}, {".f32", 4}, {".u64", 8}, {".s64", 8}, {".b64", 8}, {".f64", 8},
    };
    size_t pos = 0;
    while (pos < decl.size()) {
        while (pos < decl.size() && std::isspace((unsigned char) decl[pos])) pos++;
        size_t start = pos;
        while (pos < decl.size() && !std::isspace((unsigned char) decl[pos])) pos++;
        std::string tok = decl.substr(start, pos - start);
        for (const auto &t : kTypes) if (tok == t.t) elem = t.n;
    }
    size_t count = 1;
    size_t lb = decl.find('[');
    if (lb != std::string::npos) count = std::strtoul(decl.c_str() + lb + 1, nullptr, 10);
    return elem * count;
}

// Removes // and /* */ comments, keeping line breaks (for line numbers).
std::string strip_comments(const char *text) {
    std::string s;
    for (const char *p = text; *p;) {
        if (p[0] == '/' && p[1] == '/') { while (*p && *p != '\n') p++; }
        else if (p[0] == '/' && p[1] == '*') {
            p += 2;
            while (*p && !(p[0] == '*' && p[1] == '/')) { if (*p == '\n') s += '\n'; p++; }
            if (*p) p += 2;
        } else s += *p++;
    }
    return s;
}
} // namespace

int min_driver_for_isa(int major, int minor) {
    for (const auto &r : kIsa) if (r.major == major && r.minor == minor) return r.driver;
    if (major < 6) return 9000;
    return 0;
}

std::string max_isa_for_driver(int driver) {
    std::string best = "none";
    for (const auto &r : kIsa) if (r.driver <= driver) best = std::to_string(r.major) + "." + std::to_string(r.minor);
    return best;
}

bool parse_ptx(const char *raw, PtxModule &out, std::string &error) {
    std::string clean = strip_comments(raw);
    const char *text = clean.c_str();
    int depth = 0;
    for (const char *c = text; *c; c++) {
        if (*c == '{') depth++;
        else if (*c == '}' && --depth < 0) { error = err_at(text, c, "unbalanced braces ('}' without '{')"); return false; }
    }
    if (depth != 0) { error = "line " + std::to_string(line_of(text, text + clean.size())) + ": unbalanced braces (" +
                              std::to_string(depth) + " '{' not closed at the end of the module)"; return false; }
    const char *v = std::strstr(text, ".version");
    if (!v) { error = "line 1: no .version directive (not PTX text)"; return false; }
    if (std::sscanf(v + 8, " %d.%d", &out.isa_major, &out.isa_minor) != 2) {
        error = err_at(text, v, "malformed .version directive"); return false;
    }
    const char *t = std::strstr(text, ".target");
    if (!t) { error = "no .target directive"; return false; }
    if (std::sscanf(t + 7, " sm_%d", &out.target_sm) != 1) { error = err_at(text, t, "malformed .target directive"); return false; }
    bool func_barrier = false;
    std::vector<bool> entry_calls;
    for (const char *p = text; (p = std::strstr(p, ".entry")) != nullptr;) {
        bool is_entry = !is_ident(p[6]) && (p == text || !is_ident(p[-1]));
        if (!is_entry) { p += 6; continue; }
        const char *q = p + 6;
        while (std::isspace((unsigned char) *q)) q++;
        const char *name = q;
        while (is_ident(*q)) q++;
        PtxEntry e;
        e.name.assign(name, q);
        if (e.name.empty()) { error = err_at(text, p, ".entry without a name"); return false; }
        while (std::isspace((unsigned char) *q)) q++;
        if (*q == '(') {
            const char *close = std::strchr(q, ')');
            if (!close) { error = err_at(text, p, "unterminated parameter list of " + e.name); return false; }
            std::string params(q + 1, close);
            size_t start = 0;
            while (start < params.size()) {
                size_t comma = params.find(',', start);
                if (comma == std::string::npos) comma = params.size();
                std::string decl = params.substr(start, comma - start);
                start = comma + 1;
                if (decl.find_first_not_of(" \t\r\n") == std::string::npos) continue;
                if (decl.find(".param") == std::string::npos) { error = err_at(text, q, "parameter without .param in " + e.name); return false; }
                size_t n = param_size(decl);
                if (n == 0) { error = err_at(text, q, "parameter of unknown type in " + e.name + ":" + decl); return false; }
                e.sizes.push_back(n);
            }
            q = close + 1;
        }
        const char *open = std::strchr(q, '{');
        const char *semi = std::strchr(q, ';');
        if (!open || (semi && semi < open)) { error = err_at(text, p, "entry " + e.name + " has no body"); return false; }
        int depth = 0;
        const char *b = open;
        for (; *b; b++) {
            if (*b == '{') depth++;
            else if (*b == '}' && --depth == 0) break;
        }
        if (!*b) { error = err_at(text, open, "unbalanced braces in the body of " + e.name); return false; }
        std::string body(open, b);
        e.barrier = body.find("bar.sync") != std::string::npos || body.find("barrier.sync") != std::string::npos
                || body.find("bar.red") != std::string::npos || body.find("barrier.red") != std::string::npos;
        entry_calls.push_back(body.find("call") != std::string::npos);
        out.entries.push_back(e);
        p = b;
    }
    // A barrier inside a .func reached by call: every entry that calls something waits too.
    for (const char *p = text; (p = std::strstr(p, ".func")) != nullptr; p += 5) {
        const char *open = std::strchr(p, '{'), *semi = std::strchr(p, ';');
        if (!open || (semi && semi < open)) continue;
        int depth = 0;
        const char *b = open;
        for (; *b; b++) { if (*b == '{') depth++; else if (*b == '}' && --depth == 0) break; }
        std::string body(open, b);
        if (body.find("bar.sync") != std::string::npos || body.find("barrier.sync") != std::string::npos) func_barrier = true;
    }
    if (func_barrier)
        for (size_t i = 0; i < out.entries.size(); i++) if (entry_calls[i]) out.entries[i].barrier = true;
    return true;
}

} // namespace adlmock
