"""PyTorch reference for `crates/genzoo-train/benches/mlp_speed.rs`: the MLP families' whole
training step (forward, loss, backward, gradient clipping where the preset clips, Adam) at
their preset sizes, on one fixed synthetic batch, median of N steps after a warm-up, 2 threads.

- mnist_nice: 4 additive couplings on the odd/even pixel split, each an MLP 392-1000x5-392
  (ReLU), diagonal scaling, standard logistic prior; batch 200, Adam eps 1e-4, clip 100.
- mnist_made_wide: MADE 784-8000-784 with masked direct input->output weights, one fixed mask
  (raster order), Bernoulli NLL; batch 100.
- mnist_made: MADE 784-500-784 without direct weights; batch 100.
- mnist_vae: VAE, encoder 784-300-300-(40, 40), decoder 40-300-300-784, ReLU, Bernoulli
  likelihood, one reparameterised sample; batch 100, clip 100.

Optional, never needed by tests or CI:
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch==2.13.0
    /tmp/torch/bin/python bench/pytorch/mlp_speed.py          # ~1 min on 2 cores
"""
import sys

from common import load, median_ms, set_threads  # first: sets OpenMP's wait policy

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

D = 784
REPS = 9
WARMUP = 2


def mlp(sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Nice(nn.Module):
    def __init__(self, couplings=4, hidden=1000, depth=5):
        super().__init__()
        self.nets = nn.ModuleList(
            mlp([D // 2] + [hidden] * depth + [D // 2]) for _ in range(couplings)
        )
        self.log_scale = nn.Parameter(torch.zeros(D))

    def loss(self, x):
        h = x
        for k, net in enumerate(self.nets):
            keep, change = (h[:, 1::2], h[:, 0::2]) if k % 2 == 0 else (h[:, 0::2], h[:, 1::2])
            change = change + net(keep)
            h = torch.stack(
                (change, keep) if k % 2 == 0 else (keep, change), dim=2
            ).reshape(-1, D)
        z = h * self.log_scale.exp()
        # standard logistic: log p(z) = -softplus(z) - softplus(-z)
        log_pz = -(F.softplus(z) + F.softplus(-z)).sum(1)
        return -(log_pz + self.log_scale.sum()).mean()


def made_masks(hidden, seed=0):
    g = torch.Generator().manual_seed(seed)
    order = torch.arange(1, D + 1)
    deg = torch.randint(1, D, (hidden,), generator=g)
    m_in = (deg[:, None] >= order[None, :]).float()  # [H, D]
    m_out = (order[:, None] > deg[None, :]).float()  # [D, H]
    m_direct = (order[:, None] > order[None, :]).float()  # [D, D]
    return m_in, m_out, m_direct


class Made(nn.Module):
    def __init__(self, hidden, direct):
        super().__init__()
        self.l1 = nn.Linear(D, hidden)
        self.l2 = nn.Linear(hidden, D)
        self.direct = nn.Linear(D, D, bias=False) if direct else None
        m_in, m_out, m_direct = made_masks(hidden)
        self.register_buffer("m_in", m_in)
        self.register_buffer("m_out", m_out)
        self.register_buffer("m_direct", m_direct)

    def loss(self, x):
        h = F.relu(F.linear(x, self.l1.weight * self.m_in, self.l1.bias))
        logits = F.linear(h, self.l2.weight * self.m_out, self.l2.bias)
        if self.direct is not None:
            logits = logits + F.linear(x, self.direct.weight * self.m_direct)
        return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1).mean()


class Vae(nn.Module):
    def __init__(self, hidden=300, latent=40):
        super().__init__()
        self.enc = mlp([D, hidden, hidden, 2 * latent])
        self.dec = mlp([latent, hidden, hidden, D])

    def loss(self, x, beta=0.5):
        mu, log_var = self.enc(x).chunk(2, dim=1)
        z = mu + (0.5 * log_var).exp() * torch.randn_like(mu)
        rec = F.binary_cross_entropy_with_logits(self.dec(z), x, reduction="none").sum(1)
        kl = 0.5 * (mu.square() + log_var.exp() - 1 - log_var).sum(1)
        return (rec + beta * kl).mean()


def time_steps(model, x, eps, clip):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=eps)

    def step():
        loss = model.loss(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()

    return median_ms(step, REPS, WARMUP)


def main(filter_):
    torch.manual_seed(0)
    uniform = lambda b: torch.rand(b, D)  # noqa: E731
    binary = lambda b: torch.bernoulli(torch.full((b, D), 0.5))  # noqa: E731
    nets = [
        ("mnist_nice", lambda: Nice(), uniform(200), 1e-4, 100.0),
        ("mnist_made_wide", lambda: Made(8000, True), binary(100), 1e-8, None),
        ("mnist_made", lambda: Made(500, False), binary(100), 1e-8, None),
        ("mnist_vae", lambda: Vae(), binary(100), 1e-8, 100.0),
    ]
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print("| preset | parameters | batch | train step (ms) | load |\n|---|---|---|---|---|")
    for name, build, x, eps, clip in nets:
        if filter_ and filter_ not in name:
            continue
        model = build()
        params = sum(p.numel() for p in model.parameters())
        ms = time_steps(model, x, eps, clip)
        print(f"| {name} | {params} | {x.shape[0]} | {ms:.1f} | {load()} |")


if __name__ == "__main__":
    set_threads(torch)
    main(sys.argv[1] if len(sys.argv) > 1 else None)
