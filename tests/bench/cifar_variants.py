#!/usr/bin/env python3
"""How far below pipe's graphed CIFAR-10 step the usual tools get, on the GPU machine.

Each variant of the step (the batch cut at a device counter, flip and padded crop, normalize,
SimpleCNN forward, cross-entropy, backward, Adam) is captured in one CUDA graph and replayed
for an epoch of 391 steps at batch 128; the best of 5 epochs is printed. The variants are the
changes that were candidates for pipe: bf16 and channels-last, max-pool before ReLU (the
same function: ReLU is monotone), the single-kernel fused Adam, the first convolution's 3
input channels padded to 4 or 8, several steps per graph, and torch.compile's Triton
kernels with autotuned convolutions as the bound of what generated fused kernels give.

usage: python3 tests/bench/cifar_variants.py [NAME-SUBSTRING ...]"""
import sys, time, torch, torch.nn as nn, torch.nn.functional as F
dev = "cuda"
torch.backends.cudnn.benchmark = True
bs = 128
mean = torch.tensor([0.4914, 0.4822, 0.4465], device=dev).view(1, 3, 1, 1)
std = torch.tensor([0.2023, 0.1994, 0.2010], device=dev).view(1, 3, 1, 1)
X = torch.randint(0, 256, (50048, 3, 32, 32), dtype=torch.uint8, device=dev)
Y = torch.randint(0, 10, (50048,), device=dev)

class Net(nn.Module):
    def __init__(s, pool_first, pad_in):
        super().__init__()
        s.pool_first, s.pad_in = pool_first, pad_in
        s.c = nn.ModuleList([nn.Conv2d(i, o, 3, padding=1) for i, o in ((3, 32), (32, 64), (64, 128))])
        s.b = nn.ModuleList([nn.BatchNorm2d(o) for o in (32, 64, 128)])
        s.fc = nn.Linear(2048, 10)
    def forward(s, x):
        for k, (c, b) in enumerate(zip(s.c, s.b)):
            if k == 0 and s.pad_in:
                w = F.pad(c.weight, (0, 0, 0, 0, 0, s.pad_in - 3))
                x = F.conv2d(x, w, c.bias, padding=1)
            else:
                x = c(x)
            x = b(x)
            x = F.relu(F.max_pool2d(x, 2)) if s.pool_first else F.max_pool2d(F.relu(x), 2)
        return s.fc(x.flatten(1))

def run(name, bf16=True, cl=True, pool_first=False, fused=False, pad_in=0, steps_per_graph=1, compile=None):
    torch.manual_seed(0)
    fmt = torch.channels_last if cl else torch.contiguous_format
    model = Net(pool_first, pad_in).to(dev).to(memory_format=fmt)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, capturable=True, fused=fused or None, foreach=None if fused else True)
    counter = torch.zeros((), dtype=torch.long, device=dev)
    cin = pad_in or 3
    m = F.pad(mean, (0, 0, 0, 0, 0, cin - 3)) if pad_in else mean
    sd = F.pad(std, (0, 0, 0, 0, 0, cin - 3), value=1.0) if pad_in else std
    fwd = model
    if compile:
        fwd = torch.compile(model, mode=compile)
    def step():
        idx = counter * bs + torch.arange(bs, device=dev)
        x = X.index_select(0, idx)
        y = Y.index_select(0, idx)
        flip = torch.rand(bs, device=dev).lt(0.5)
        dy, dx = torch.randint(9, (bs,), device=dev), torch.randint(9, (bs,), device=dev)
        rows = (dy.view(bs, 1, 1) + torch.arange(32, device=dev).view(1, 32, 1) - 4)
        cols = (dx.view(bs, 1, 1) + torch.arange(32, device=dev).view(1, 1, 32) - 4)
        cols = torch.where(flip.view(bs, 1, 1), 31 - cols, cols)
        ok = (rows >= 0) & (rows < 32) & (cols >= 0) & (cols < 32)
        index = (rows.clamp(0, 31) * 32 + cols.clamp(0, 31)).view(bs, 1, 1024).expand(bs, 3, 1024)
        x = x.view(bs, 3, 1024).gather(2, index).view(bs, 3, 32, 32)
        x = torch.where(ok.view(bs, 1, 32, 32), (x.float() / 255 - mean) / std, 0.0)
        if pad_in:
            x = F.pad(x, (0, 0, 0, 0, 0, pad_in - 3))
        x = x.contiguous(memory_format=fmt)
        opt.zero_grad(set_to_none=False)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(fwd(x), y)
        loss.backward()
        opt.step()
        counter.add_(1)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3 if not compile else 6):
            step()
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        for _ in range(steps_per_graph):
            step()
    n = 391 // steps_per_graph
    best = 1e9
    for e in range(5):
        counter.zero_()
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(n):
            g.replay()
        torch.cuda.synchronize(); best = min(best, (time.perf_counter() - t) * 391 / (n * steps_per_graph))
    results.append(f"{name:58s} {best * 1000:7.1f} ms/epoch  {best / 391 * 1e6:6.1f} us/step")
    print(results[-1], flush=True)

variants = [
    ("bf16 CL (pipe now)", {}),
    ("fp32 CL", dict(bf16=False)),
    ("bf16 NCHW", dict(cl=False)),
    ("bf16 CL pool-before-relu", dict(pool_first=True)),
    ("bf16 CL fused adam", dict(fused=True)),
    ("bf16 CL pad input to 4", dict(pad_in=4)),
    ("bf16 CL pad input to 8", dict(pad_in=8)),
    ("bf16 CL 8 steps per graph", dict(steps_per_graph=8)),
    ("bf16 CL pool-first+fused+pad8", dict(pool_first=True, fused=True, pad_in=8)),
    ("fp32 CL pool-first+fused+pad8", dict(bf16=False, pool_first=True, fused=True, pad_in=8)),
    ("bf16 CL compile default", dict(compile="default")),
    ("bf16 CL compile max-autotune-no-cudagraphs", dict(compile="max-autotune-no-cudagraphs")),
    ("bf16 CL compile max-autotune-no-cg +pool-first+fused+pad8", dict(compile="max-autotune-no-cudagraphs", pool_first=True, fused=True, pad_in=8)),
]
results = []  # printed again at the end: torch.compile's autotuning logs fill the screen
only = sys.argv[1:]
for name, kw in variants:
    if only and not any(o in name for o in only):
        continue
    try:
        run(name, **kw)
    except Exception as e:
        results.append(f"{name:58s} failed: {type(e).__name__}: {str(e)[:300]}")
print("\n".join(["", "epoch of 50,000 images at batch 128, one CUDA graph per step:"] + results))
