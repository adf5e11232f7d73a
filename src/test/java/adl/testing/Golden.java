package adl.testing;

import adl.backend.Device;
import adl.backend.Tensors;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A golden fixture written by scripts/golden/*.py (PyTorch as the independent oracle):
 * named tensors plus metadata, loaded from src/test/resources/golden/NAME.json.
 */
public final class Golden {
    private final String name;
    private final JsonNode root;

    private Golden(String name, JsonNode root) {
        this.name = name;
        this.root = root;
    }

    public static Golden load(String name) {
        String path = "/golden/" + name + ".json";
        try (InputStream in = Golden.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalArgumentException("missing fixture " + path + " (run scripts/golden/*.py)");
            return new Golden(name, new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode meta() { return root.get("meta"); }

    public Shape shape(String key) {
        JsonNode s = node(key).get("shape");
        int[] d = new int[s.size()];
        for (int i = 0; i < d.length; i++) d[i] = s.get(i).asInt();
        return Shape.of(d);
    }

    public double[] data(String key) {
        JsonNode a = node(key).get("data");
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
        return v;
    }

    /** The fixture tensor as a new CPU tensor of the given dtype (I32 for labels). */
    public Tensor tensor(String key, DType dtype) {
        double[] v = data(key);
        if (dtype == DType.I32) {
            int[] iv = new int[v.length];
            for (int i = 0; i < v.length; i++) iv[i] = (int) v[i];
            return Tensors.ofInts(Device.CPU, shape(key), iv);
        }
        return Tensors.of(Device.CPU, dtype, shape(key), v);
    }

    private JsonNode node(String key) {
        JsonNode n = root.get("tensors").get(key);
        if (n == null) throw new IllegalArgumentException("fixture " + name + " has no tensor '" + key + "'");
        return n;
    }
}
