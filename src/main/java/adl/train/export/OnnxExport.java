package adl.train.export;

import adl.data.Normalization;
import adl.data.Palette;
import adl.nas.retrain.FixedNetwork;
import com.fasterxml.jackson.databind.ObjectMapper;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a retrained {@link FixedNetwork} (eval mode, the weights it holds) as an ONNX model
 * (docs/09-deployment.md): input {@code image} float32 [N, 3, H, W] with N, H, W dynamic, normalised
 * per channel as {@code (v / 255 − mean) / std}; output {@code logits} float32 [N, classes, H, W].
 * metadata_props: {@code classes} (JSON array of names, index = class id), {@code palette} (JSON
 * array of [r, g, b]), {@code normalization_mean}, {@code normalization_std}, {@code architecture}
 * (the architecture.json), {@code filter_multiplier}, plus the caller's entries.
 */
public final class OnnxExport {
    private OnnxExport() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What was written: file size, graph nodes, initializers (weights and int64 constants). */
    public record Summary(long bytes, int nodes, int initializers) {}

    public static Summary write(FixedNetwork net, Palette palette, Normalization norm, Map<String, String> extra, Path out) throws IOException {
        if (palette.size() != net.config().classes()) {
            throw new IllegalArgumentException("the palette has " + palette.size() + " classes, the network predicts " + net.config().classes());
        }
        boolean wasTraining = net.isTraining();
        net.eval();
        GraphProto.Builder g = GraphProto.newBuilder().setName("auto_deeplab");
        String logits = net.emit(new OnnxGraph(g, net.stateDict()), "image");
        net.train(wasTraining);
        // the last node (the resize to the input size) writes the graph output
        int last = g.getNodeCount() - 1;
        if (!g.getNode(last).getOutput(0).equals(logits)) throw new IllegalStateException("the logits are not the last node's output");
        g.getNodeBuilder(last).setOutput(0, "logits");
        g.addInput(value("image", dim("N"), dim(3), dim("H"), dim("W")));
        g.addOutput(value("logits", dim("N"), dim(net.config().classes()), dim("H"), dim("W")));

        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("classes", JSON.writeValueAsString(palette.names()));
        meta.put("palette", JSON.writeValueAsString(palette.colors()));
        meta.put("normalization_mean", JSON.writeValueAsString(norm.mean()));
        meta.put("normalization_std", JSON.writeValueAsString(norm.std()));
        meta.put("architecture", net.config().architecture().toJson());
        meta.put("filter_multiplier", Integer.toString(net.config().filterMultiplier()));
        meta.putAll(extra);
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setProducerName("adl-engine").setProducerVersion("0.1.0")
                .setDocString("Auto-DeepLab retrained network: image [N,3,H,W] float32 normalised (v/255 - mean)/std -> logits [N,classes,H,W]")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxGraph.OPSET))
                .setGraph(g);
        meta.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        ModelProto model = m.build();
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream os = Files.newOutputStream(out)) {
            model.writeTo(os);
        }
        return new Summary(Files.size(out), g.getNodeCount(), g.getInitializerCount());
    }

    private static TensorShapeProto.Dimension dim(String param) { return TensorShapeProto.Dimension.newBuilder().setDimParam(param).build(); }

    private static TensorShapeProto.Dimension dim(long value) { return TensorShapeProto.Dimension.newBuilder().setDimValue(value).build(); }

    private static ValueInfoProto value(String name, TensorShapeProto.Dimension... dims) {
        TensorShapeProto shape = TensorShapeProto.newBuilder().addAllDim(Arrays.asList(dims)).build();
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    /** The metadata keys every export carries. */
    public static final List<String> METADATA = List.of("classes", "palette", "normalization_mean", "normalization_std", "architecture", "filter_multiplier");
}
