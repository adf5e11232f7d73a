#include "host_run.h"
#include "resize.cu"
#include "softmax.cu"
#include "optim.cu"
#include <vector>
#include <random>
static std::mt19937 rng(1);
static float rnd() { return std::uniform_real_distribution<float>(-1, 1)(rng); }
int fails = 0;
#define CHECK(c, ...) do { if (!(c)) { fails++; printf(__VA_ARGS__); printf("\n"); } } while (0)
int main() {
  // resize: adjoint test <fwd(x), gy> == <x, bwd(gy)> for many sizes, both modes
  int sizes[] = {1, 2, 3, 5, 7, 8, 13, 16, 31, 33, 64, 65};
  for (int align = 0; align < 2; align++)
  for (int H : sizes) for (int Ho : sizes) {
    int W = (H * 3) % 17 + 1, Wo = (Ho * 5) % 19 + 1, planes = 2;
    std::vector<float> x(planes*H*W), y(planes*Ho*Wo), gy(planes*Ho*Wo), gx(planes*H*W);
    for (auto& v : x) v = rnd(); for (auto& v : gy) v = rnd();
    // run with an odd grid to exercise grid-stride: simulate every (block, thread)
    unsigned G = 3, B = 4;
    for (unsigned bi = 0; bi < G; bi++) for (unsigned ti = 0; ti < B; ti++) { launch(G, B, bi, ti); resize_bilinear_fwd_f32(x.data(), y.data(), planes, H, W, Ho, Wo, align); }
    for (unsigned bi = 0; bi < G; bi++) for (unsigned ti = 0; ti < B; ti++) { launch(G, B, bi, ti); resize_bilinear_bwd_f32(gy.data(), gx.data(), planes, H, W, Ho, Wo, align); }
    double a = 0, b = 0, sa = 0;
    for (size_t i = 0; i < y.size(); i++) { a += (double) y[i] * gy[i]; sa += std::fabs((double) y[i] * gy[i]); }
    for (size_t i = 0; i < x.size(); i++) b += (double) x[i] * gx[i];
    CHECK(std::fabs(a - b) <= 1e-5 * (sa + 1), "resize adjoint align=%d H=%d W=%d Ho=%d Wo=%d: %g vs %g", align, H, W, Ho, Wo, a, b);
    // scatter reference for bwd (the CPU twin's order) must match bitwise
    std::vector<float> ref(planes*H*W, 0.f);
    auto tap = [&](int d, int in, int out, int& i0, int& i1, float& l0, float& l1) {
      Tap t = rs_tap(d, in, rs_scale(in, out, align), align); i0 = t.i0; i1 = t.i1; l0 = t.l0; l1 = t.l1; };
    for (int pl = 0; pl < planes; pl++) {
      std::vector<float> t(H*Wo, 0.f);
      for (int i = 0; i < Ho; i++) { int h0,h1; float a0,a1; tap(i,H,Ho,h0,h1,a0,a1);
        for (int j = 0; j < Wo; j++) { float g = gy[pl*Ho*Wo+i*Wo+j]; t[h0*Wo+j] += a0*g; t[h1*Wo+j] += a1*g; } }
      for (int h = 0; h < H; h++) for (int j = 0; j < Wo; j++) { int w0,w1; float b0,b1; tap(j,W,Wo,w0,w1,b0,b1);
        ref[pl*H*W+h*W+w0] += b0*t[h*Wo+j]; ref[pl*H*W+h*W+w1] += b1*t[h*Wo+j]; }
    }
    int bad = 0; for (size_t i = 0; i < ref.size(); i++) if (ref[i] != gx[i]) bad++;
    CHECK(bad == 0, "resize bwd vs scatter align=%d H=%d Ho=%d: %d bitwise mismatches", align, H, Ho, bad);
  }
  // resize forward: identity when sizes agree (align=0) and corner values with align=1
  { int H=5,W=7; std::vector<float> x(H*W), y(H*W); for (auto& v : x) v = rnd();
    launch(1,1,0,0); resize_bilinear_fwd_f32(x.data(), y.data(), 1, H, W, H, W, 0);
    CHECK(x == y, "resize identity"); }
  // softmax: [outer, len, inner] vs double reference, sums to 1; backward vs numeric formula
  for (int log = 0; log < 2; log++) { int O=3,L=5,I=4; std::vector<float> x(O*L*I), y(O*L*I), gy(O*L*I), gx(O*L*I);
    for (auto& v : x) v = 3*rnd(); for (auto& v : gy) v = rnd();
    for (unsigned ti = 0; ti < 5; ti++) { launch(1,5,0,ti); softmax_fwd_f32(x.data(), y.data(), O, L, I, log); softmax_bwd_f32(y.data(), gy.data(), gx.data(), O, L, I, log); }
    for (int o = 0; o < O; o++) for (int i = 0; i < I; i++) {
      double m = -1e30, s = 0; for (int j = 0; j < L; j++) m = std::max(m, (double) x[o*L*I+j*I+i]);
      for (int j = 0; j < L; j++) s += std::exp(x[o*L*I+j*I+i] - m);
      double dot = 0; std::vector<double> p(L);
      for (int j = 0; j < L; j++) { p[j] = std::exp(x[o*L*I+j*I+i] - m) / s; double r = log ? std::log(p[j]) : p[j];
        CHECK(std::fabs(r - y[o*L*I+j*I+i]) < 1e-5, "softmax fwd log=%d", log);
        dot += log ? gy[o*L*I+j*I+i] : gy[o*L*I+j*I+i] * p[j]; }
      for (int j = 0; j < L; j++) { double g = gy[o*L*I+j*I+i]; double r = log ? g - p[j]*dot : p[j]*(g - dot);
        CHECK(std::fabs(r - gx[o*L*I+j*I+i]) < 1e-5, "softmax bwd log=%d: %g vs %g", log, r, gx[o*L*I+j*I+i]); }
    } }
  // adam first step: p moves by -lr·sign(g) (approximately), m, v as defined
  { int n = 5; std::vector<float> p(n), g(n), m(n, 0.f), v(n, 0.f); for (int i = 0; i < n; i++) { p[i] = rnd(); g[i] = rnd(); }
    std::vector<float> p0 = p; double lr = 0.01; long long step = 1;
    launch(1,1,0,0); adam_f32(p.data(), g.data(), m.data(), v.data(), n, &lr, &step, 0.9, 0.999, 1e-8, 0.0);
    for (int i = 0; i < n; i++) CHECK(std::fabs((p[i] - p0[i]) + 0.01 * (g[i] > 0 ? 1 : -1)) < 1e-5, "adam step1 %d: %g", i, p[i]-p0[i]); }
  // sgd nesterov: two steps against a double reference
  { int n = 4; std::vector<float> p(n), g(n), b(n, 0.f); for (int i = 0; i < n; i++) { p[i] = rnd(); g[i] = rnd(); }
    std::vector<double> pr(p.begin(), p.end()), br(n); double lr = 0.1; double mo = 0.9, wd = 0.01;
    for (long long step = 1; step <= 2; step++) {
      launch(1,1,0,0); sgd_f32(p.data(), g.data(), b.data(), n, &lr, &step, (float) mo, (float) wd, 1);
      for (int i = 0; i < n; i++) { double d = g[i] + wd * pr[i]; br[i] = step == 1 ? d : mo * br[i] + d; pr[i] -= lr * (d + mo * br[i]); }
    }
    for (int i = 0; i < n; i++) CHECK(std::fabs(p[i] - pr[i]) < 1e-6, "sgd %d: %g vs %g", i, p[i], pr[i]); }
  printf("fails=%d\n", fails); return fails != 0;
}
