#!/usr/bin/env python3
"""Where a CIFAR-10 training step's GPU time goes: the step pipe runs (pipelines/cifar10.yaml:
the batch cut from the epoch's uint8 copy, flip and padded crop per image, ToTensor and
Normalize, SimpleCNN forward, cross-entropy, backward, Adam), written with the same ATen
operations in PyTorch and profiled with torch.profiler over 100 steps after a warm-up. A CUDA
graph replays exactly these kernels, so their summed time is the floor of pipe's graphed
step; the table says which kernels it is made of.

usage: python3 tests/bench/cifar_profile.py [--bs 128] [--bf16] [--channels-last] [--top 20]"""
import argparse, torch, torch.nn as nn
from torch.profiler import profile, ProfilerActivity

ap = argparse.ArgumentParser()
ap.add_argument("--bs", type=int, default=128)
ap.add_argument("--bf16", action="store_true")
ap.add_argument("--channels-last", action="store_true")
ap.add_argument("--top", type=int, default=20, help="kernels listed (0: only the totals)")
a = ap.parse_args()
dev = "cuda"
torch.backends.cudnn.benchmark = True


def block(i, o):
    return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]


model = nn.Sequential(*block(3, 32), *block(32, 64), *block(64, 128), nn.Flatten(), nn.Linear(2048, 10)).to(dev)
fmt = torch.channels_last if a.channels_last else torch.contiguous_format
model = model.to(memory_format=fmt)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, capturable=True)
mean = torch.tensor([0.4914, 0.4822, 0.4465], device=dev).view(3, 1, 1)
std = torch.tensor([0.2023, 0.1994, 0.2010], device=dev).view(3, 1, 1)
X = torch.randint(0, 256, (50000, 3, 32, 32), dtype=torch.uint8, device=dev)
Y = torch.randint(0, 10, (50000,), device=dev)
bs = a.bs


def step(i):
    idx = torch.arange(bs, device=dev) + i * bs
    x = X.index_select(0, idx).float()
    y = Y.index_select(0, idx)
    flip = torch.rand(bs, device=dev).lt(0.5).view(bs, 1, 1, 1)
    x = torch.where(flip, x.flip(3), x)
    p = nn.functional.pad(x, (4, 4, 4, 4))
    dy, dx = torch.randint(9, (bs,), device=dev), torch.randint(9, (bs,), device=dev)
    rows = dy.view(bs, 1, 1) + torch.arange(32, device=dev).view(1, 32, 1)
    cols = dx.view(bs, 1, 1) + torch.arange(32, device=dev).view(1, 1, 32)
    index = (rows * 40 + cols).view(bs, 1, 1024).expand(bs, 3, 1024)
    x = p.reshape(bs, 3, 1600).gather(2, index).view(bs, 3, 32, 32)
    x = x.div_(255).sub_(mean).div_(std).contiguous(memory_format=fmt)
    opt.zero_grad(set_to_none=False)
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=a.bf16):
        loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


for i in range(20):
    step(i)
torch.cuda.synchronize()
steps = 100
with profile(activities=[ProfilerActivity.CUDA]) as prof:
    for i in range(steps):
        step(i % 390)
    torch.cuda.synchronize()
# PyTorch 2.x names it self_device_time_total, 1.x self_cuda_time_total.
gpu = lambda e: getattr(e, "self_device_time_total", None) or getattr(e, "self_cuda_time_total", 0)
events = [e for e in prof.key_averages() if gpu(e) > 0]
kernel_us = sum(gpu(e) for e in events) / steps
print(f"batch {bs}, {'bf16' if a.bf16 else 'fp32'}, {'channels-last' if a.channels_last else 'NCHW'}: "
      f"GPU kernel time {kernel_us:.0f} us per step = {kernel_us * 391 / 1000:.0f} ms per epoch of 391 steps")
# The kernels by what they do, so the table says where a step's time goes.
GROUPS = [("convolution (cuDNN)", ("xmma", "cutlass", "convolve", "conv", "wgrad", "dgrad", "fprop", "implicit", "Nhwc", "nhwc", "Nchw")),
          ("batch norm", ("batch_norm", "bn_")), ("max pool", ("max_pool",)),
          ("reductions (conv bias grads, loss)", ("reduce_kernel",)),
          ("optimizer (multi-tensor)", ("multi_tensor",)), ("casts and copies", ("copy",)),
          ("elementwise (relu, augmentation, fills)", ("elementwise", "Fill"))]
groups = {}
for e in events:
    name = next((g for g, keys in GROUPS if any(k in e.key for k in keys)), "other")
    groups[name] = groups.get(name, 0) + gpu(e) / steps
print("  by kind: " + "; ".join(f"{g} {us:.0f} us" for g, us in sorted(groups.items(), key=lambda kv: -kv[1])))
rows = sorted(events, key=lambda e: -gpu(e))[:a.top]
for e in rows:
    print(f"  {gpu(e) / steps:8.1f} us  x{e.count / steps:<4.1f} {e.key[:110]}")
print(f"  kernels per step: {sum(e.count for e in events) / steps:.0f}")
