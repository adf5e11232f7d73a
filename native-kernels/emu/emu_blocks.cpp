#include "host_run.h"
#include <vector>
#include "weighted_sum.cu"
#include "cross_entropy.cu"
#include "elementwise.cu"
#include <random>
static std::mt19937 rng(2);
static float rnd() { return std::uniform_real_distribution<float>(-1, 1)(rng); }
int fails = 0;
#define CHECK(c, ...) do { if (!(c)) { fails++; printf(__VA_ARGS__); printf("\n"); } } while (0)
int main() {
  for (int n : {1, 7, 64, 1001, 20000}) for (int K : {1, 3, 8}) {
    std::vector<std::vector<float>> xs(8, std::vector<float>(n + 1));
    for (int k = 0; k < K; k++) for (auto& v : xs[k]) v = rnd();
    std::vector<float> w(K), gy(n + 1), out(n + 1), gw(K); for (auto& v : w) v = rnd(); for (auto& v : gy) v = rnd();
    const float* p[8]; for (int k = 0; k < 8; k++) p[k] = k < K ? xs[k].data() : nullptr;
    run(3, 8, [&] { weighted_sum_fwd_f32(out.data(), p[0],p[1],p[2],p[3],p[4],p[5],p[6],p[7], w.data(), K, n); });
    int bad = 0;
    for (int i = 0; i < n; i++) { float r = w[0]*xs[0][i]; for (int k = 1; k < K; k++) r += w[k]*xs[k][i]; if (r != out[i]) bad++; }
    CHECK(bad == 0, "ws fwd n=%d K=%d: %d mismatches", n, K, bad);
    std::vector<std::vector<float>> gx(8, std::vector<float>(n + 1, -7.f)); int mask = 0b101;
    run(2, 8, [&] { weighted_sum_bwd_gx_f32(gx[0].data(),gx[1].data(),gx[2].data(),gx[3].data(),gx[4].data(),gx[5].data(),gx[6].data(),gx[7].data(), gy.data(), w.data(), K, mask, n); });
    for (int k = 0; k < 8; k++) for (int i = 0; i < n; i++) { bool on = k < K && ((mask >> k) & 1); float r = on ? w[k]*gy[i] : -7.f; if (gx[k][i] != r) { bad++; } }
    CHECK(bad == 0, "ws gx n=%d K=%d", n, K);
    int nb = std::min(256, std::max(1, (n + 8191) / 8192));
    std::vector<double> part(K * nb);
    run(nb, 256, [&] { weighted_sum_bwd_gw_partial_f32(part.data(), gy.data(), p[0],p[1],p[2],p[3],p[4],p[5],p[6],p[7], K, n); });
    run(K, 256, [&] { weighted_sum_bwd_gw_final_f32(gw.data(), part.data(), nb); });
    for (int k = 0; k < K; k++) { double r = 0; for (int i = 0; i < n; i++) r += (double) gy[i] * xs[k][i];
      CHECK(std::fabs(r - gw[k]) <= 1e-6 * (1 + std::fabs(r)), "ws gw n=%d K=%d k=%d: %g vs %g", n, K, k, r, gw[k]); }
  }
  // cross entropy
  { int N = 2, C = 5, HW = 37, ign = 255; std::vector<float> x(N*C*HW), gx(N*C*HW); std::vector<int> lab(N*HW);
    for (auto& v : x) v = 3*rnd(); for (auto& l : lab) { int r = rng() % 7; l = r < 5 ? r : (r == 5 ? ign : 9); }
    std::vector<double> part(3 * 1); float loss; int counts[2]; float scale = 2.f;
    run(1, 256, [&] { cross_entropy_fwd_partial_f32(part.data(), x.data(), lab.data(), N, C, HW, ign); });
    run(1, 256, [&] { cross_entropy_fwd_final_f32(&loss, counts, part.data(), 1); });
    run(2, 64, [&] { cross_entropy_bwd_f32(gx.data(), x.data(), lab.data(), &scale, counts, N, C, HW, ign); });
    double tot = 0; int cnt = 0, badl = 0; std::vector<double> ref(N*C*HW, 0.0);
    for (int n = 0; n < N; n++) for (int p = 0; p < HW; p++) { int l = lab[n*HW+p]; if (l == ign) continue; if (l >= C) { badl++; continue; }
      double m = -1e30, s = 0; for (int c = 0; c < C; c++) m = std::max(m, (double) x[(n*C+c)*HW+p]);
      for (int c = 0; c < C; c++) s += std::exp(x[(n*C+c)*HW+p] - m);
      tot += m + std::log(s) - x[(n*C+l)*HW+p]; cnt++; }
    for (int n = 0; n < N; n++) for (int p = 0; p < HW; p++) { int l = lab[n*HW+p]; if (l == ign || l >= C) continue;
      double m = -1e30, s = 0; for (int c = 0; c < C; c++) m = std::max(m, (double) x[(n*C+c)*HW+p]);
      for (int c = 0; c < C; c++) s += std::exp(x[(n*C+c)*HW+p] - m);
      for (int c = 0; c < C; c++) ref[(n*C+c)*HW+p] = scale / cnt * (std::exp(x[(n*C+c)*HW+p] - m) / s - (c == l)); }
    CHECK(counts[0] == cnt && counts[1] == badl, "ce counts %d %d vs %d %d", counts[0], counts[1], cnt, badl);
    CHECK(std::fabs(loss - tot / cnt) < 1e-6, "ce loss %g vs %g", loss, tot / cnt);
    int bad = 0; for (size_t i = 0; i < ref.size(); i++) if (std::fabs(ref[i] - gx[i]) > 1e-6) bad++;
    CHECK(bad == 0, "ce bwd %d mismatches", bad); }
  // binary broadcast [2,3,4] + [3,1] ; sum_to back to [3,1]; strided copy transpose
  { std::vector<float> a(24), b(3), z(24), s(3), t(24); for (auto& v : a) v = rnd(); for (auto& v : b) v = rnd();
    run(2, 5, [&] { binary_f32(a.data(), b.data(), z.data(), 2, 24, 2, 3, 4, 0, 12, 4, 1, 0, 0, 1, 0); });
    int bad = 0; for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) if (z[i*12+j*4+k] != a[i*12+j*4+k]*b[j]) bad++;
    CHECK(bad == 0, "binary broadcast");
    run(1, 2, [&] { sum_to_f32(z.data(), s.data(), 3, 1, 2, 3, 4, 0, 12, 4, 1, 1, 1, 3, 1); });
    for (int j = 0; j < 3; j++) { double r = 0; for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) r += z[i*12+j*4+k]; CHECK((float) r == s[j], "sum_to %d", j); }
    // transpose [2,3,4] -> dst viewed with strides of a [4,3,2] contiguous
    run(1, 7, [&] { copy_strided_f32(a.data(), t.data(), 24, 2, 3, 4, 0, 12, 4, 1, 0, 1, 2, 6); });
    bad = 0; for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) if (t[k*6+j*2+i] != a[i*12+j*4+k]) bad++;
    CHECK(bad == 0, "copy transpose");
    std::vector<float> y(24); run(1, 3, [&] { unary_f32(a.data(), y.data(), 24, 1, 0.f); });
    for (int i = 0; i < 24; i++) CHECK(y[i] == (a[i] > 0 ? a[i] : 0.f), "relu"); }
  printf("fails=%d\n", fails); return fails != 0;
}
