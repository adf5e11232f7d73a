package adl.nas;

/**
 * One kept edge of a decoded cell (paper §4.3; docs/04-decoding.md §5): the op and the state it
 * reads (0 = H^{l−1}, 1 = H^{l−2}, 2 + k = block k). architecture.json writes it as
 * {"op": paper name, "input": state}.
 */
public record CellEdge(Primitive op, int input) {}
