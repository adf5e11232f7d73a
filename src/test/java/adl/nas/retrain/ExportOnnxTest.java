package adl.nas.retrain;

import adl.autograd.GradMode;
import adl.backend.Device;
import adl.backend.Tensors;
import adl.data.Normalization;
import adl.data.Palette;
import adl.memory.Scope;
import adl.nas.Architecture;
import adl.tensor.DType;
import adl.tensor.Shape;
import adl.tensor.Tensor;
import adl.train.export.OnnxExport;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ONNX export (docs/09-deployment.md) run by ONNX Runtime against our own forward: max |Δ| /
 * max |logit| ≤ 1e-4 and argmax agreement ≥ 99.9 % at two input sizes with one exported file
 * (height and width are dynamic), on the interop network (every op, a path through all four
 * levels, non-trivial BN statistics) and on the paper presets S/M/L at a small input.
 */
class ExportOnnxTest {
    static final double MAX_REL = 1e-4, MIN_AGREE = 0.999;

    @TempDir Path tmp;

    @Test void interopNetworkMatchesOnnxRuntimeAtTwoSizes() throws Exception {
        try (FixedNetwork net = InteropFixture.network(2024)) {
            InteropFixture.perturbBatchNorm(net, new SplittableRandom(7));
            net.eval();
            Path file = tmp.resolve("interop.onnx");
            OnnxExport.Summary s = OnnxExport.write(net, palette(InteropFixture.CLASSES), Normalization.SYNTHETIC, Map.of("run", "test"), file);
            assertTrue(s.nodes() > 100 && s.bytes() > 1000, "a real graph: " + s);
            try (OrtEnvironment env = OrtEnvironment.getEnvironment(); OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
                compare(net, env, session, 2, 65, 57, 11);
                compare(net, env, session, 1, 96, 80, 12);
                Map<String, String> meta = session.getMetadata().getCustomMetadata();
                assertEquals(palette(InteropFixture.CLASSES).names(), List.of(new ObjectMapper().readValue(meta.get("classes"), String[].class)));
                assertArrayEquals(palette(InteropFixture.CLASSES).colors(), new ObjectMapper().readValue(meta.get("palette"), int[][].class));
                assertEquals(net.config().architecture(), Architecture.fromJson(meta.get("architecture")));
                assertEquals("test", meta.get("run"));
            }
        }
    }

    @Test void paperPresetsMatchOnnxRuntime() throws Exception {
        for (String preset : Presets.names()) {
            Architecture a = Presets.byName(preset);
            try (FixedNetwork net = new FixedNetwork(new adl.nn.Init(Device.CPU, DType.F32, 5), new FixedNetwork.Config(a, a.filterMultiplier(), 6))) {
                InteropFixture.perturbBatchNorm(net, new SplittableRandom(3));
                net.eval();
                Path file = tmp.resolve(preset + ".onnx");
                OnnxExport.write(net, palette(6), Normalization.SYNTHETIC, Map.of(), file);
                try (OrtEnvironment env = OrtEnvironment.getEnvironment(); OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
                    compare(net, env, session, 1, 49, 40, 21);
                }
            }
        }
    }

    /** Runs both on one random batch; asserts the tolerance and the argmax agreement. */
    private static void compare(FixedNetwork net, OrtEnvironment env, OrtSession session, int n, int h, int w, long seed) throws OrtException {
        try (GradMode.Guard off = GradMode.off(); Scope s = Scope.open()) {
            Tensor x = Tensors.randn(Device.CPU, DType.F32, Shape.of(n, 3, h, w), seed, 0, 1);
            double[] ours = Tensors.toDoubles(net.forward(x));
            double[] in = Tensors.toDoubles(x);
            float[] f = new float[in.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) in[i];
            try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(f), new long[] {n, 3, h, w});
                 OrtSession.Result r = session.run(Map.of("image", input))) {
                OnnxTensor out = (OnnxTensor) r.get("logits").orElseThrow();
                int classes = net.config().classes();
                assertArrayEquals(new long[] {n, classes, h, w}, out.getInfo().getShape());
                FloatBuffer theirs = out.getFloatBuffer();
                double maxDiff = 0, maxAbs = 0;
                for (int i = 0; i < ours.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs.get(i)));
                    maxAbs = Math.max(maxAbs, Math.abs(ours[i]));
                }
                long agree = 0, pixels = (long) n * h * w;
                for (int b = 0; b < n; b++) {
                    for (int p = 0; p < h * w; p++) {
                        int a = 0, o = 0;
                        for (int c = 1; c < classes; c++) {
                            int i = (b * classes + c) * h * w + p;
                            if (ours[i] > ours[(b * classes + a) * h * w + p]) a = c;
                            if (theirs.get(i) > theirs.get((b * classes + o) * h * w + p)) o = c;
                        }
                        if (a == o) agree++;
                    }
                }
                String what = net.config().architecture().filterMultiplier() + "/" + n + "x" + h + "x" + w;
                System.out.printf("export %s: max|d|/max|logit| = %.3g, argmax agreement %.5f%n", what, maxDiff / maxAbs, agree / (double) pixels);
                assertTrue(maxAbs > 0, "non-zero logits");
                assertTrue(maxDiff / maxAbs <= MAX_REL, what + ": max|d|/max|logit| = " + maxDiff / maxAbs);
                assertTrue(agree >= MIN_AGREE * pixels, what + ": argmax agreement " + agree + "/" + pixels);
            }
        }
    }

    static Palette palette(int classes) {
        List<String> names = new ArrayList<>();
        int[][] colors = new int[classes][];
        for (int c = 0; c < classes; c++) {
            names.add("class" + c);
            colors[c] = new int[] {c * 40 % 256, 255 - c * 30, c * 7};
        }
        return new Palette(names, colors);
    }
}
