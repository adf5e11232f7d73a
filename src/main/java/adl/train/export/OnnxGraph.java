package adl.train.export;

import adl.backend.PoolParams;
import adl.backend.Tensors;
import adl.nas.retrain.GraphSink;
import adl.nn.BatchNorm2d;
import adl.nn.Conv2d;
import adl.tensor.Tensor;
import com.google.protobuf.ByteString;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link GraphSink} that builds an ONNX graph (opset {@link #OPSET}, docs/09-deployment.md):
 * Conv (groups, dilations), BatchNormalization (kept, not folded into the conv: the exported
 * weights are the checkpoint's, by name), Relu, Add, Concat, MaxPool / AveragePool
 * (count_include_pad as ours), GlobalAveragePool, Expand, and Resize (linear,
 * pytorch_half_pixel — our bilinear with align_corners false) whose sizes come from Shape of the
 * value to match, so height and width stay dynamic. Weights become float32 initializers named as
 * in the state dict ({@code cells.3.ops.2.dw1.weight}).
 */
final class OnnxGraph implements GraphSink {
    static final int OPSET = 17;

    private final GraphProto.Builder graph;
    private final Map<Tensor, String> names = new IdentityHashMap<>();
    private final Map<String, String> shapes = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Set<Tensor> written = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<String> constants = new HashSet<>();

    /** @param state the network's state dict: its tensors are found by identity when a module is written */
    OnnxGraph(GraphProto.Builder graph, Map<String, Tensor> state) {
        this.graph = graph;
        for (Map.Entry<String, Tensor> e : state.entrySet()) names.putIfAbsent(e.getValue(), e.getKey());
    }

    @Override public String conv(String x, Conv2d conv) {
        var p = conv.convParams();
        int k = conv.kernelSize();
        NodeProto.Builder n = node("Conv", x, weight(conv.weight()));
        if (conv.bias() != null) n.addInput(weight(conv.bias()));
        n.addAttribute(ints("kernel_shape", k, k)).addAttribute(ints("strides", p.strideH(), p.strideW()))
                .addAttribute(ints("pads", p.padH(), p.padW(), p.padH(), p.padW()))
                .addAttribute(ints("dilations", p.dilationH(), p.dilationW())).addAttribute(integer("group", p.groups()));
        return finish(n);
    }

    @Override public String batchNorm(String x, BatchNorm2d bn) {
        if (bn.weight() == null) throw new IllegalArgumentException("export needs affine batch norm");
        NodeProto.Builder n = node("BatchNormalization", x, weight(bn.weight()), weight(bn.bias()), weight(bn.runningMean()), weight(bn.runningVar()));
        n.addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT).setF((float) bn.eps()));
        return finish(n);
    }

    @Override public String relu(String x) { return finish(node("Relu", x)); }

    @Override public String add(String a, String b) { return finish(node("Add", a, b)); }

    @Override public String concat(String... xs) { return finish(node("Concat", xs).addAttribute(integer("axis", 1))); }

    @Override public String pool(String x, PoolParams p, boolean max) {
        NodeProto.Builder n = node(max ? "MaxPool" : "AveragePool", x)
                .addAttribute(ints("kernel_shape", p.kernel(), p.kernel())).addAttribute(ints("strides", p.stride(), p.stride()))
                .addAttribute(ints("pads", p.pad(), p.pad(), p.pad(), p.pad()));
        if (!max) n.addAttribute(integer("count_include_pad", p.countIncludePad() ? 1 : 0));
        return finish(n);
    }

    @Override public String globalAvgPool(String x) { return finish(node("GlobalAveragePool", x)); }

    @Override public String expandLike(String x, String like) { return finish(node("Expand", x, shape(like))); }

    @Override public String resizeLike(String x, String like) {
        return resize(x, finish(node("Concat", slice(shape(x), 0, 2), slice(shape(like), 2, 4)).addAttribute(integer("axis", 0))));
    }

    @Override public String resizeHalf(String x) {
        // ⌈h/2⌉ = (h + 1) / 2 in int64 (h ≥ 1, so the truncating Div is a floor)
        String hw = slice(shape(x), 2, 4);
        String half = finish(node("Div", finish(node("Add", hw, constant(1))), constant(2)));
        return resize(x, finish(node("Concat", slice(shape(x), 0, 2), half).addAttribute(integer("axis", 0))));
    }

    private String resize(String x, String sizes) {
        return finish(node("Resize", x, "", "", sizes).addAttribute(string("mode", "linear"))
                .addAttribute(string("coordinate_transformation_mode", "pytorch_half_pixel")));
    }

    /** Shape(x) as int64 [4], once per value. */
    private String shape(String x) { return shapes.computeIfAbsent(x, v -> finish(node("Shape", v))); }

    private String slice(String v, long start, long end) { return finish(node("Slice", v, constant(start), constant(end))); }

    /** An int64 [1] initializer. */
    private String constant(long value) {
        String name = "const_" + value;
        if (constants.add(name)) {
            graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addDims(1).addInt64Data(value));
        }
        return name;
    }

    /** The float32 initializer of a module tensor, added on first use under its state-dict name. */
    private String weight(Tensor t) {
        String name = names.get(t);
        if (name == null) throw new IllegalStateException("a module tensor " + t.shape() + " is not in the network's state dict");
        if (!written.add(t)) return name;
        double[] v = Tensors.toDoubles(t);
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) b.putFloat((float) d);
        TensorProto.Builder p = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (int i = 0; i < t.rank(); i++) p.addDims(t.dim(i));
        graph.addInitializer(p);
        return name;
    }

    private NodeProto.Builder node(String op, String... inputs) {
        int i = counters.merge(op, 1, Integer::sum);
        return NodeProto.newBuilder().setOpType(op).setName(op + "_" + i).addAllInput(List.of(inputs)).addOutput(op.toLowerCase() + "_" + i);
    }

    private String finish(NodeProto.Builder n) {
        graph.addNode(n);
        return n.getOutput(0);
    }

    private static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto string(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(v)).build();
    }
}
