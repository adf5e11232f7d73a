#!/usr/bin/env python3
"""compare-search-runs.py REF_RUN NEW_RUN: bitwise comparison of two search run directories.
Compares architecture.json (bytes), metrics.csv without the 'seconds' column, and every tensor of the
newest checkpoint (bytes of each tensor; the JSON metadata such as timestamps is ignored)."""
import json, struct, sys, os, glob, csv
def tensors(path):
    b = open(path, 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n]); base = 8+n
    return {k: (v['dtype'], v['shape'], b[base+v['data_offsets'][0]:base+v['data_offsets'][1]]) for k, v in h.items() if k != '__metadata__'}
def metrics(p):
    rows = list(csv.reader(open(p))); i = rows[0].index('seconds') if 'seconds' in rows[0] else None
    return [[c for j, c in enumerate(r) if j != i] for r in rows]
a, b = sys.argv[1], sys.argv[2]; ok = True
for f in ['architecture.json']:
    same = open(f'{a}/{f}','rb').read() == open(f'{b}/{f}','rb').read(); ok &= same; print(f, 'identical' if same else 'DIFFERENT')
same = metrics(f'{a}/metrics.csv') == metrics(f'{b}/metrics.csv'); ok &= same; print('metrics.csv (without seconds)', 'identical' if same else 'DIFFERENT')
ca = sorted(glob.glob(f'{a}/checkpoints/ckpt-*.safetensors'))[-1]; cb = sorted(glob.glob(f'{b}/checkpoints/ckpt-*.safetensors'))[-1]
ta, tb = tensors(ca), tensors(cb)
if set(ta) != set(tb): ok = False; print('checkpoint tensor names DIFFER:', sorted(set(ta) ^ set(tb))[:10])
diff = [k for k in ta if k in tb and ta[k] != tb[k]]
arch = [k for k in ta if 'alpha' in k or 'beta' in k]
print(f'{os.path.basename(ca)}: {len(ta)} tensors, {len(diff)} differ; alpha/beta tensors: {arch[:6]}{"..." if len(arch)>6 else ""}')
if diff: ok = False; print('  differing:', diff[:10])
print('BITWISE IDENTICAL' if ok else 'NOT IDENTICAL'); sys.exit(0 if ok else 1)
