"""PyTorch reference for `crates/genzoo-models/benches/speed.rs`: the same diffusion U-Net
(preset mnist_ddpm: base 32, mult (1, 2, 2), one res block per level, attention at 7x7 and in
the middle, GroupNorm 8 groups, step embedding 4*base) and its hot ops alone, timed the same way
(median of N after a warm-up), on 2 threads.

Optional, never needed by tests or CI:
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch==2.13.0
    /tmp/torch/bin/python bench/pytorch/unet_speed.py          # ~1 min on 2 cores
"""
import math
import sys

from common import load, median_ms, set_threads  # first: sets OpenMP's wait policy

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

BATCH = 64
SIDE = 28
REPS = 7


def sinusoidal(t, dim):
    half = dim // 2
    step = math.log(10000.0) / (max(half, 2) - 1)
    freqs = torch.exp(-step * torch.arange(half, dtype=torch.float32))
    args = t[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], 1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb, g):
        super().__init__()
        self.norm1 = nn.GroupNorm(g, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(g, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x))) + self.temb(F.silu(temb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.skip(x) if self.skip is not None else x) + h


class SelfAttention(nn.Module):
    def __init__(self, c, g):
        super().__init__()
        self.norm = nn.GroupNorm(g, c)
        self.qkv = nn.Linear(c, 3 * c)
        self.out = nn.Linear(c, c)

    def forward(self, x):
        b, c, h, w = x.shape
        t = self.norm(x).reshape(b, c, h * w).transpose(1, 2)  # (B, N, C)
        q, k, v = self.qkv(t).chunk(3, 2)
        a = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(c), 2) @ v
        return x + self.out(a).transpose(1, 2).reshape(b, c, h, w)


class UNet(nn.Module):
    """Mirrors crates/genzoo-models/src/diffusion/unet.rs."""

    def __init__(self, base=32, mult=(1, 2, 2), r=1, attention=True, g=8, image=1):
        super().__init__()
        temb = 4 * base
        self.base = base
        self.fc1, self.fc2 = nn.Linear(base, temb), nn.Linear(temb, temb)
        self.conv_in = nn.Conv2d(image, base, 3, padding=1)
        lowest = len(mult) - 1
        skips, ch = [base], base
        self.down = nn.ModuleList()
        for level, m in enumerate(mult):
            blocks, attn = nn.ModuleList(), nn.ModuleList()
            for _ in range(r):
                blocks.append(ResBlock(ch, base * m, temb, g))
                ch = base * m
                skips.append(ch)
                if attention and level == lowest:
                    attn.append(SelfAttention(ch, g))
            down = None
            if level != lowest:
                down = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
                skips.append(ch)
            self.down.append(nn.ModuleDict(dict(blocks=blocks, attn=attn, **({"down": down} if down else {}))))
        self.mid1 = ResBlock(ch, ch, temb, g)
        self.mid_attn = SelfAttention(ch, g) if attention else None
        self.mid2 = ResBlock(ch, ch, temb, g)
        self.up = nn.ModuleList()
        for level, m in reversed(list(enumerate(mult))):
            blocks, attn = nn.ModuleList(), nn.ModuleList()
            for _ in range(r + 1):
                blocks.append(ResBlock(ch + skips.pop(), base * m, temb, g))
                ch = base * m
                if attention and level == lowest:
                    attn.append(SelfAttention(ch, g))
            d = dict(blocks=blocks, attn=attn)
            if level != 0:
                d["up"] = nn.Conv2d(ch, ch, 3, padding=1)
            self.up.append(nn.ModuleDict(d))
        self.norm_out = nn.GroupNorm(g, ch)
        self.conv_out = nn.Conv2d(ch, image, 3, padding=1)

    def forward(self, x, t):
        temb = self.fc2(F.silu(self.fc1(sinusoidal(t, self.base))))
        h = self.conv_in(x)
        hs = [h]
        for lv in self.down:
            for i, blk in enumerate(lv["blocks"]):
                h = blk(h, temb)
                if i < len(lv["attn"]):
                    h = lv["attn"][i](h)
                hs.append(h)
            if "down" in lv:
                h = lv["down"](h)
                hs.append(h)
        h = self.mid1(h, temb)
        if self.mid_attn is not None:
            h = self.mid_attn(h)
        h = self.mid2(h, temb)
        for lv in self.up:
            for i, blk in enumerate(lv["blocks"]):
                h = blk(torch.cat([h, hs.pop()], 1), temb)
                if i < len(lv["attn"]):
                    h = lv["attn"][i](h)
            if "up" in lv:
                h = lv["up"](F.interpolate(h, scale_factor=2, mode="nearest"))
        return self.conv_out(F.silu(self.norm_out(h)))


def ops():
    rows = []
    for cin, cout, k, side in [(32, 32, 3, 28), (64, 64, 3, 28), (96, 32, 3, 28), (64, 32, 1, 28),
                               (64, 64, 3, 14), (128, 64, 3, 14), (64, 64, 3, 7)]:
        conv = nn.Conv2d(cin, cout, k, padding=k // 2)
        x = torch.randn(BATCH, cin, side, side)
        fl = 2 * BATCH * cin * cout * k * k * side * side / 1e9
        with torch.no_grad():
            fwd = median_ms(lambda: conv(x), REPS)
        xg = x.clone().requires_grad_(True)
        y = conv(xg)
        dy = torch.randn_like(y)
        both = median_ms(lambda: torch.autograd.grad(conv(xg), [xg, conv.weight, conv.bias], dy), REPS)
        wonly = median_ms(lambda: torch.autograd.grad(conv(x), [conv.weight], dy), REPS)
        rows.append((f"conv {cin}→{cout} k{k} @{side}", fwd, both, wonly, fl))
    for c, side in [(32, 28), (96, 28), (64, 14)]:
        gn = nn.GroupNorm(8, c)
        x = torch.randn(BATCH, c, side, side, requires_grad=True)
        with torch.no_grad():
            fwd = median_ms(lambda: gn(x), REPS)
        both = median_ms(lambda: gn(x).sum().backward(), REPS)
        rows.append((f"gn {c} @{side}", fwd, both, float("nan"), 0))
    a = SelfAttention(64, 8)
    x = torch.randn(BATCH, 64, 7, 7, requires_grad=True)
    with torch.no_grad():
        fwd = median_ms(lambda: a(x), REPS)
    both = median_ms(lambda: a(x).sum().backward(), REPS)
    rows.append(("attn 64ch 49tok", fwd, both, float("nan"), 0))
    print(f"\n### PyTorch {torch.__version__}, {torch.get_num_threads()} threads, ops alone (batch {BATCH}; load {load()})\n")
    print("| op | fwd ms | fwd+bwd ms | fwd + weight-grad only ms | fwd GFLOP/s |\n|---|---|---|---|---|")
    for name, f, b, w, fl in rows:
        rate = f"{fl / f * 1e3:.0f}" if fl else "–"
        print(f"| {name} | {f:.2f} | {b:.2f} | {w:.2f} | {rate} |")


def step():
    torch.manual_seed(0)
    net = UNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-4)
    x0 = torch.randn(BATCH, 1, SIDE, SIDE).clamp(-1, 1)
    t = torch.full((BATCH,), 500.0)
    with torch.no_grad():
        fwd = median_ms(lambda: net(x0, t), 5)

    def train():
        eps = torch.randn_like(x0)
        loss = F.mse_loss(net(0.6 * x0 + 0.8 * eps, t), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()

    full = median_ms(train, 5)
    n = sum(p.numel() for p in net.parameters())
    print(f"\n### PyTorch U-Net (params {n}), batch {BATCH} (load {load()})\n")
    print(f"| part | ms |\n|---|---|\n| forward (no grad) | {fwd:.0f} |\n| train step (fwd+bwd+clip+Adam) | {full:.0f} |")


if __name__ == "__main__":
    set_threads(torch)
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what in ("all", "ops"):
        ops()
    if what in ("all", "step"):
        step()
