package adl.autograd;

/** A fixture for LayeringTest: a higher layer named in full; literals that only look like references. */
final class Node {
    char quote = '"';
    String s = "\" adl.cli.Main";
    String block = """
            adl.cli.Main
            """;
    adl.nn . Module owner;
}
