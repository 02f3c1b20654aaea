#!/usr/bin/env python3
"""The peer of `pipe run --nproc-per-node N` for tests/bench/ddp_bench.py: the course's
CIFAR-10 SimpleCNN (as ../shared/reference/cifar_ref.py, data on the GPU, flip and padded crop
done there in batches) under PyTorch's DistributedDataParallel, started by torchrun:

  python3 -m torch.distributed.run --nproc-per-node 2 tests/bench/ddp_ref.py DATA_DIR [--epochs N]

Each rank takes its DistributedSampler share of every epoch at batch 128 per GPU; rank 0
prints each epoch's time and, at the end, the test accuracy."""
import argparse, os, time, numpy as np, torch, torch.nn as nn, torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

ap = argparse.ArgumentParser(); ap.add_argument("data"); ap.add_argument("--epochs", type=int, default=4)
ap.add_argument("--bs", type=int, default=128); a = ap.parse_args()
dist.init_process_group("nccl"); rank, world = dist.get_rank(), dist.get_world_size()
local = int(os.environ["LOCAL_RANK"]); torch.cuda.set_device(local); dev = "cuda"; torch.manual_seed(42)


def load(names):  # CIFAR-10's binary records: a label byte, then 3,072 pixel bytes
    raw = np.concatenate([np.fromfile(os.path.join(a.data, n), dtype=np.uint8).reshape(-1, 3073) for n in names])
    return (torch.from_numpy(raw[:, 1:].copy()).view(-1, 3, 32, 32).to(dev), torch.from_numpy(raw[:, 0].astype(np.int64)).to(dev))


X, Y = load([f"data_batch_{i}.bin" for i in range(1, 6)]); XT, YT = load(["test_batch.bin"])
class SimpleCNN(nn.Module):
    def __init__(self):
        super().__init__()
        blk = lambda i, o: nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2))
        self.layer1, self.layer2, self.layer3 = blk(3, 32), blk(32, 64), blk(64, 128); self.fc = nn.Linear(128 * 4 * 4, 10)
    def forward(self, x): return self.fc(self.layer3(self.layer2(self.layer1(x))).view(x.size(0), -1))
model = DDP(SimpleCNN().to(dev), device_ids=[local]); crit = nn.CrossEntropyLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
mean = torch.tensor([0.4914, 0.4822, 0.4465], device=dev).view(1, 3, 1, 1); std = torch.tensor([0.2023, 0.1994, 0.2010], device=dev).view(1, 3, 1, 1)
n = X.size(0); per_rank = (n + world - 1) // world
for e in range(a.epochs):
    torch.cuda.synchronize(); t0 = time.perf_counter()
    g = torch.Generator(); g.manual_seed(42 + e); order = torch.randperm(n, generator=g)
    order = torch.cat([order, order[:per_rank * world - n]])[rank::world].to(dev)
    model.train()
    for i in range(0, per_rank, a.bs):
        idx = order[i:i + a.bs]; x = X[idx].float().div_(255); b = x.size(0)
        flip = torch.rand(b, device=dev) < 0.5; x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
        xp = nn.functional.pad(x, (4, 4, 4, 4)); dx, dy = torch.randint(0, 9, (2,)).tolist(); x = xp[:, :, dy:dy + 32, dx:dx + 32]
        opt.zero_grad(set_to_none=True); crit(model((x - mean) / std), Y[idx]).backward(); opt.step()
    torch.cuda.synchronize()
    if rank == 0: print(f"ddp world {world} epoch {e} {1000 * (time.perf_counter() - t0):.0f} ms", flush=True)
if rank == 0:
    model.eval(); correct = 0
    with torch.no_grad():
        for i in range(0, XT.size(0), 1000):
            correct += (model.module((XT[i:i + 1000].float() / 255 - mean) / std).argmax(1) == YT[i:i + 1000]).sum().item()
    print(f"ddp world {world} accuracy {correct / XT.size(0):.4f}", flush=True)
dist.destroy_process_group()
