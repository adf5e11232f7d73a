#!/usr/bin/env python3
"""Writes fixtures.h for dnn_test.c: inputs and PyTorch (float64) results for the mock cuDNN and
cuBLAS — an oracle independent of the mock. Run from anywhere with a python3 that has torch:
    python3 scripts/mock-gpu/dnn/test/make_fixtures.py > scripts/mock-gpu/dnn/test/fixtures.h
Inputs are float32 values; the oracle computes in float64 from exactly those values."""
import torch
import torch.nn.functional as F

torch.manual_seed(13)
out = []


def emit(name, t):
    vals = t.detach().to(torch.float32).flatten().tolist()
    body = ", ".join(float(v).hex() + "f" if v == v else "NAN" for v in vals)
    out.append(f"static const float {name}[{len(vals)}] = {{ {body} }};")


def f32(*shape):
    return torch.randn(*shape).to(torch.float32).to(torch.float64)


# Convolution: x [2, 4, 7, 6], w [6, 2, 3, 3], groups 2, pad (1, 2), stride (2, 1), dilation (2, 1).
x = f32(2, 4, 7, 6).requires_grad_()
w = f32(6, 2, 3, 3).requires_grad_()
geo = dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1), groups=2)
y = F.conv2d(x, w, **geo)
dy = f32(*y.shape)
dx, dw = torch.autograd.grad(y, (x, w), dy)
emit("CONV_X", x); emit("CONV_W", w); emit("CONV_Y", y); emit("CONV_DY", dy); emit("CONV_DX", dx); emit("CONV_DW", dw)
out.append(f"/* CONV_Y shape {list(y.shape)} */")
# CUDNN_CONVOLUTION mode: the filter flipped in both spatial dims (cross-correlation with w.flip).
wf = w.detach().flip(2, 3).requires_grad_()
yc = F.conv2d(x, wf, **geo)
_, dwf = torch.autograd.grad(yc, (x, wf), dy)
emit("CONV_Y_FLIP", yc); emit("CONV_DW_FLIP", dwf.flip(2, 3))

# Batch norm (spatial): x [2, 3, 3, 2], momentum (exponentialAverageFactor) 0.1, eps 1e-5.
bx = f32(2, 3, 3, 2).requires_grad_()
gamma = f32(3).requires_grad_()
beta = f32(3).requires_grad_()
rm0 = f32(3) * 0.1
rv0 = 1.0 + torch.rand(3).to(torch.float32).to(torch.float64)
rm, rv = rm0.clone(), rv0.clone()
by = F.batch_norm(bx, rm, rv, gamma, beta, training=True, momentum=0.1, eps=1e-5)
mean = bx.detach().mean((0, 2, 3))
var_biased = bx.detach().var((0, 2, 3), unbiased=False)
bdy = f32(*bx.shape)
bdx, dgamma, dbeta = torch.autograd.grad(by, (bx, gamma, beta), bdy)
binf = F.batch_norm(bx.detach(), rm0, rv0, gamma.detach(), beta.detach(), training=False, eps=1e-5)
for n, t in [("BN_X", bx), ("BN_GAMMA", gamma), ("BN_BETA", beta), ("BN_RM0", rm0), ("BN_RV0", rv0), ("BN_Y", by),
             ("BN_RM1", rm), ("BN_RV1", rv), ("BN_SAVE_MEAN", mean), ("BN_SAVE_INV", 1.0 / torch.sqrt(var_biased + 1e-5)),
             ("BN_DY", bdy), ("BN_DX", bdx), ("BN_DGAMMA", dgamma), ("BN_DBETA", dbeta), ("BN_Y_INFER", binf)]:
    emit(n, t)

# Pooling: x [1, 2, 5, 5], window 3, stride 2, pad 1 → [1, 2, 3, 3].
px = f32(1, 2, 5, 5).requires_grad_()
pdy = f32(1, 2, 3, 3)
emit("POOL_X", px); emit("POOL_DY", pdy)
for name, fn in [("MAX", lambda t: F.max_pool2d(t, 3, 2, 1)),
                 ("AVG_INC", lambda t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=True)),
                 ("AVG_EXC", lambda t: F.avg_pool2d(t, 3, 2, 1, count_include_pad=False))]:
    py = fn(px)
    (pdx,) = torch.autograd.grad(py, (px,), pdy)
    emit(f"POOL_{name}_Y", py); emit(f"POOL_{name}_DX", pdx)

# SGEMM, column-major: C = 2·op(A)·op(B) - C, m = 3, n = 4, k = 5, small integers (exact in float),
# leading dimensions larger than needed (the padding must be neither read into C nor written).
m, n, k = 3, 4, 5


def colmajor(buf, rows, cols, ld):
    return buf.view(cols, ld)[:, :rows].T


for ta in range(3):
    for tb in range(3):
        ar, ac = (m, k) if ta == 0 else (k, m)
        br, bc = (k, n) if tb == 0 else (n, k)
        lda, ldb, ldc = ar + 2, br + 1, m + 3
        A = torch.randint(-3, 4, (lda * ac,)).double()
        B = torch.randint(-3, 4, (ldb * bc,)).double()
        C = torch.randint(-3, 4, (ldc * n,)).double()
        opA = colmajor(A, ar, ac, lda) if ta == 0 else colmajor(A, ar, ac, lda).T
        opB = colmajor(B, br, bc, ldb) if tb == 0 else colmajor(B, br, bc, ldb).T
        R = C.clone()
        colmajor(R, m, n, ldc)[:] = 2 * opA @ opB - colmajor(C, m, n, ldc)
        tag = f"{ta}{tb}"
        emit(f"GEMM_A_{tag}", A); emit(f"GEMM_B_{tag}", B); emit(f"GEMM_C_{tag}", C); emit(f"GEMM_R_{tag}", R)
        out.append(f"enum {{ GEMM_LDA_{tag} = {lda}, GEMM_LDB_{tag} = {ldb}, GEMM_LDC_{tag} = {ldc} }};")

# Strided batched: 2 batches of op T / op N, strides with a gap between matrices.
lda, ldb, ldc = k, k, m
sa, sb, sc = lda * m + 3, ldb * n + 2, ldc * n + 1
A = torch.randint(-3, 4, (sa * 2,)).double()
B = torch.randint(-3, 4, (sb * 2,)).double()
C = torch.randint(-3, 4, (sc * 2,)).double()
R = C.clone()
for p in range(2):
    opA = colmajor(A[p * sa:p * sa + lda * m], k, m, lda).T
    opB = colmajor(B[p * sb:p * sb + ldb * n], k, n, ldb)
    colmajor(R[p * sc:p * sc + ldc * n], m, n, ldc)[:] = 2 * opA @ opB - colmajor(C[p * sc:p * sc + ldc * n], m, n, ldc)
emit("SB_A", A); emit("SB_B", B); emit("SB_C", C); emit("SB_R", R)
out.append(f"enum {{ SB_SA = {sa}, SB_SB = {sb}, SB_SC = {sc} }};")

print("/* Generated by make_fixtures.py (PyTorch " + torch.__version__ + ", float64 oracle); do not edit. */")
print("#include <math.h>")
print("\n".join(out))
