package adl.backend.cuda;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small reader of C API headers (cuda.h, cudnn_*.h, cublas_api.h): function declarations, with the
 * {@code #define cuMemAlloc cuMemAlloc_v2}-style renames in effect at each declaration, and typedefs, so a
 * test can map each parameter to the FFM layout it needs on 64-bit Linux.
 */
final class CHeaders {
    private CHeaders() {}

    /** One declaration: exported (macro-resolved) name, return type text, parameter texts. */
    record Proto(String name, String ret, List<String> params) {}

    static final ValueLayout P = ValueLayout.ADDRESS;
    static final ValueLayout I = ValueLayout.JAVA_INT;
    static final ValueLayout L = ValueLayout.JAVA_LONG;

    private static final Pattern TOKENS = Pattern.compile(
            "#define[ \\t]+(\\w+)[ \\t]+(?:__CUDA_API_PT(?:DS|SZ)\\((\\w+)\\)|(\\w+))[ \\t]*$"
            + "|#undef[ \\t]+(\\w+)"
            + "|^[ \\t]*(?:(?:CUBLASAPI|CUDNN_DEPRECATED|__CUDA_DEPRECATED)\\s+)*((?:const\\s+)?\\w+(?:\\s*\\*)?)\\s*"
            + "(?:CUDAAPI|CUDNNWINAPI|CUBLASWINAPI)\\s+(\\w+)\\s*\\(([^)]*)\\)\\s*;",
            Pattern.MULTILINE);

    static String stripComments(String s) {
        return s.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", "");
    }

    /** Declarations by exported name; renames follow {@code #define} / {@code #undef} in file order; first wins. */
    static Map<String, Proto> declarations(String header) {
        String text = stripComments(header);
        Map<String, String> macros = new HashMap<>();
        Map<String, Proto> out = new LinkedHashMap<>();
        Matcher m = TOKENS.matcher(text);
        while (m.find()) {
            if (m.group(1) != null) {
                macros.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
            } else if (m.group(4) != null) {
                macros.remove(m.group(4));
            } else {
                String declared = m.group(6);
                String exported = macros.getOrDefault(declared, declared);
                List<String> params = new ArrayList<>();
                String p = m.group(7).strip();
                if (!p.isEmpty() && !p.equals("void")) {
                    for (String one : p.split(",")) params.add(one.strip());
                }
                out.putIfAbsent(exported, new Proto(exported, m.group(5).strip(), params));
            }
        }
        return out;
    }

    /** Typedef names → layouts: struct pointers → ADDRESS, enums → JAVA_INT, aliases resolved; first wins. */
    static Map<String, MemoryLayout> typedefs(String header, Map<String, MemoryLayout> known) {
        String text = stripComments(header);
        Map<String, MemoryLayout> out = new HashMap<>(known);
        Matcher sp = Pattern.compile("typedef\\s+struct\\s+\\w+\\s*\\*\\s*(\\w+)").matcher(text);
        while (sp.find()) out.putIfAbsent(sp.group(1), P);
        Matcher en = Pattern.compile("typedef\\s+enum\\s*\\w*\\s*\\{[^}]*\\}\\s*(\\w+)").matcher(text);
        while (en.find()) out.putIfAbsent(en.group(1), I);
        Matcher al = Pattern.compile("typedef\\s+([\\w ]+?)\\s+(\\w+)\\s*;").matcher(text);
        Map<String, String> aliases = new LinkedHashMap<>();
        while (al.find()) aliases.putIfAbsent(al.group(2), al.group(1).strip());
        for (int pass = 0; pass < 4; pass++) {
            for (var e : aliases.entrySet()) {
                if (out.containsKey(e.getKey())) continue;
                MemoryLayout l = builtin(e.getValue());
                if (l == null) l = out.get(e.getValue());
                if (l != null) out.put(e.getKey(), l);
            }
        }
        return out;
    }

    private static final Set<String> KEYWORDS = Set.of("int", "unsigned", "signed", "long", "short", "char", "float", "double", "void");

    /** The FFM layout of one parameter (or return type) text. */
    static MemoryLayout layout(String param, Map<String, MemoryLayout> typedefs) {
        if (param.contains("*") || param.contains("[")) return P;
        List<String> toks = new ArrayList<>(List.of(param.strip().split("\\s+")));
        toks.removeIf(t -> t.equals("const") || t.equals("struct") || t.equals("enum") || t.equals("volatile"));
        if (toks.size() > 1 && !KEYWORDS.contains(toks.getLast())) toks.removeLast();
        String base = String.join(" ", toks);
        MemoryLayout b = builtin(base);
        if (b != null) return b;
        MemoryLayout t = typedefs.get(base);
        if (t == null) throw new IllegalArgumentException("unknown C type '" + base + "' in '" + param + "'");
        return t;
    }

    static MemoryLayout builtin(String base) {
        return switch (base) {
            case "int", "unsigned", "unsigned int", "signed int", "int32_t", "uint32_t", "cuuint32_t" -> I;
            case "size_t", "long long", "long long int", "unsigned long long", "unsigned long long int", "int64_t", "uint64_t",
                 "cuuint64_t", "long", "unsigned long" -> L;
            case "float" -> ValueLayout.JAVA_FLOAT;
            case "double" -> ValueLayout.JAVA_DOUBLE;
            default -> null;
        };
    }

    static List<MemoryLayout> argLayouts(Proto p, Map<String, MemoryLayout> typedefs) {
        return p.params().stream().map(s -> layout(s, typedefs)).toList();
    }

    /** Mismatches between a binding table and the declarations, one line each; empty when they all agree. */
    static List<String> compare(List<Binding> table, Map<String, Proto> decls, Map<String, MemoryLayout> typedefs) {
        List<String> problems = new ArrayList<>();
        for (Binding b : table) {
            Proto p = decls.get(b.name());
            if (p == null) {
                problems.add(b.name() + ": not declared");
                continue;
            }
            List<MemoryLayout> want = argLayouts(p, typedefs);
            if (!want.equals(b.argLayouts())) {
                problems.add(b.name() + ": bound " + Binding.spell(b.argLayouts()) + " but C says " + Binding.spell(want) + " " + p.params());
            }
            MemoryLayout ret = layout(p.ret(), typedefs);
            MemoryLayout bound = b.descriptor().returnLayout().map(MemoryLayout::withoutName).orElse(null);
            if (!ret.equals(bound)) problems.add(b.name() + ": returns " + p.ret() + " but bound " + bound);
        }
        return problems;
    }
}
