"""PyTorch reference for `crates/genzoo-train/benches/step_speed.rs`: each family's whole
training step (forward, loss, backward, gradient clipping where the preset clips, Adam or
AdamW) at its preset size, on one fixed synthetic batch, median of N steps after a warm-up,
2 threads.

- mnist_nice: 4 additive couplings on the odd/even pixel split, each an MLP 392-1000x5-392
  (ReLU), diagonal scaling, standard logistic prior; batch 200, Adam eps 1e-4, clip 100.
- mnist_made_wide: MADE 784-8000-784 with masked direct input->output weights, one fixed mask
  (raster order), Bernoulli NLL; batch 100.
- mnist_made: MADE 784-500-784 without direct weights; batch 100.
- mnist_vae: VAE, encoder 784-300-300-(40, 40), decoder 40-300-300-784, ReLU, Bernoulli
  likelihood, one reparameterised sample; batch 100, clip 100.
- mnist_vae_conv: encoder conv4x4/2 1->32, conv4x4/2 32->64 (ReLU), MLP 3136-500-(50, 50);
  decoder MLP 50-500-3136, ReLU, transposed conv4x4/2 64->32 (ReLU), 32->1; batch 100, clip 100.
- mnist_efficientnet: EfficientNet phi = -3 on 1x28x28 (stride-2 stem, 13 MBConv blocks with
  squeeze-excitation, BN, swish, stochastic depth 0.2, dropout 0.2), 1,844,176 parameters as
  `genzoo efficientnet --phi -3 --classes 10 --in-channels 1 --resolution 28 --layers` lists
  them; cross-entropy, AdamW (wd 1e-4); batch 128.
- mnist_features: conv3x3 1->32, pool, conv3x3 32->64, pool, conv3x3 64->128, fc 6272-128-10,
  ReLU; cross-entropy; batch 128.
- mnist_ddpm: the U-Net of unet_speed.py; epsilon-prediction MSE at uniform t of the linear
  schedule (T = 1000); batch 64, clip 1.
- mnist_cpc: CPC on 7x7 patches at stride 3 (8x8 grid): encoder conv3x3 1->32, conv3x3 32->64
  (ReLU, valid), fc 576-64; context three row-causal convs 2x3 (one row of padding on top), 64
  wide, ReLU between; K = 2 bias-free predictors 64->64; InfoNCE against 63 negatives drawn from
  the batch's other cells; batch 64, clip 5.
- mnist_dcgan: DCGAN, G fc 100-6272 (BN, ReLU) -> convT4x4/2 128->64 (BN, ReLU) -> convT4x4/2
  64->1 (tanh); D conv4x4/2 1->64 (LeakyReLU 0.2) -> conv4x4/2 64->128 (BN, LeakyReLU) -> fc
  6272-1; uniform prior; one whole GAN step: G forward (detached), D on real and fake (two
  forwards), non-saturating losses, D step, a fresh z, G forward, D forward, G step; Adam
  beta1 0.5 per net; batch 64.
- seq_cpc: CPC on 256-sample sequences: convs 1->64 (kernel 8, stride 4), 64->64 (4, 2) twice
  (ReLU), 1x1 conv to z (64); nn.GRU(64, 64) context; K = 4 predictors; 63 negatives; batch
  64, clip 5.

Optional, never needed by tests or CI:
    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install torch==2.13.0
    /tmp/torch/bin/python bench/pytorch/step_speed.py          # ~2 min on 2 cores
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


class ConvVae(nn.Module):
    def __init__(self, c1=32, c2=64, hidden=500, latent=50):
        super().__init__()
        self.c2 = c2
        self.conv1 = nn.Conv2d(1, c1, 4, 2, 1)
        self.conv2 = nn.Conv2d(c1, c2, 4, 2, 1)
        flat = c2 * 7 * 7
        self.enc = mlp([flat, hidden, 2 * latent])
        self.dec = mlp([latent, hidden, flat])
        self.up1 = nn.ConvTranspose2d(c2, c1, 4, 2, 1)
        self.up2 = nn.ConvTranspose2d(c1, 1, 4, 2, 1)

    def loss(self, x, beta=0.5):
        b = x.shape[0]
        h = F.relu(self.conv2(F.relu(self.conv1(x.view(b, 1, 28, 28))))).flatten(1)
        mu, log_var = self.enc(h).chunk(2, dim=1)
        z = mu + (0.5 * log_var).exp() * torch.randn_like(mu)
        g = F.relu(self.dec(z)).view(b, self.c2, 7, 7)
        logits = self.up2(F.relu(self.up1(g))).flatten(1)
        rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        kl = 0.5 * (mu.square() + log_var.exp() - 1 - log_var).sum(1)
        return (rec + beta * kl).mean()


def conv_bn(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)
    )


class MbConv(nn.Module):
    def __init__(self, cin, expanded, cout, k, stride, squeezed, skip, drop):
        super().__init__()
        self.expand = conv_bn(cin, expanded, 1) if expanded != cin else None
        self.dw = conv_bn(expanded, expanded, k, stride, expanded)
        self.se_reduce = nn.Linear(expanded, squeezed)
        self.se_expand = nn.Linear(squeezed, expanded)
        self.project = conv_bn(expanded, cout, 1)
        self.skip, self.drop = skip, drop

    def forward(self, x):
        h = F.silu(self.expand(x)) if self.expand is not None else x
        h = F.silu(self.dw(h))
        gate = torch.sigmoid(self.se_expand(F.silu(self.se_reduce(h.mean((2, 3))))))
        h = self.project(h * gate[:, :, None, None])
        if not self.skip:
            return h
        if self.training and self.drop > 0:
            keep = (torch.rand(h.shape[0], 1, 1, 1) >= self.drop).float() / (1 - self.drop)
            h = h * keep
        return x + h


# (input, expanded, output, kernel, stride, squeezed, skip) of phi = -3's 13 blocks.
EFFICIENTNET_BLOCKS = [
    (24, 24, 16, 3, 1, 6, False), (16, 96, 24, 3, 2, 4, False), (24, 144, 24, 3, 1, 6, True),
    (24, 144, 32, 5, 2, 6, False), (32, 192, 32, 5, 1, 8, True), (32, 192, 64, 3, 2, 8, False),
    (64, 384, 64, 3, 1, 16, True), (64, 384, 88, 5, 1, 16, False), (88, 528, 88, 5, 1, 22, True),
    (88, 528, 144, 5, 2, 22, False), (144, 864, 144, 5, 1, 36, True),
    (144, 864, 144, 5, 1, 36, True), (144, 864, 240, 3, 1, 36, False),
]


class EfficientNet(nn.Module):
    def __init__(self, drop_connect=0.2, dropout=0.2, classes=10):
        super().__init__()
        self.stem = conv_bn(1, 24, 3, 2)
        n = len(EFFICIENTNET_BLOCKS)
        self.blocks = nn.Sequential(*(
            MbConv(*spec, drop=drop_connect * i / n) for i, spec in enumerate(EFFICIENTNET_BLOCKS)
        ))
        self.head = conv_bn(240, 960, 1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(960, classes)

    def loss(self, x, y):
        h = F.silu(self.stem(x.view(-1, 1, 28, 28)))
        h = F.silu(self.head(self.blocks(h))).mean((2, 3))
        return F.cross_entropy(self.fc(self.dropout(h)), y)


class FeatureNet(nn.Module):
    def __init__(self, c=(32, 64, 128), features=128, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c[0], 3, 1, 1)
        self.conv2 = nn.Conv2d(c[0], c[1], 3, 1, 1)
        self.conv3 = nn.Conv2d(c[1], c[2], 3, 1, 1)
        self.fc1 = nn.Linear(c[2] * 7 * 7, features)
        self.fc2 = nn.Linear(features, classes)

    def loss(self, x, y):
        h = F.max_pool2d(F.relu(self.conv1(x.view(-1, 1, 28, 28))), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        h = F.relu(self.conv3(h)).flatten(1)
        return F.cross_entropy(self.fc2(F.relu(self.fc1(h))), y)


class Ddpm(nn.Module):
    def __init__(self, timesteps=1000):
        super().__init__()
        from unet_speed import UNet

        self.net = UNet()
        betas = torch.linspace(1e-4, 0.02, timesteps, dtype=torch.float64)
        self.register_buffer("abar", torch.cumprod(1 - betas, 0).float())

    def loss(self, x):
        x0 = (2 * x - 1).view(-1, 1, 28, 28)
        t = torch.randint(0, len(self.abar), (x0.shape[0],))
        a = self.abar[t][:, None, None, None]
        eps = torch.randn_like(x0)
        return F.mse_loss(self.net(a.sqrt() * x0 + (1 - a).sqrt() * eps, t.float()), eps)


def info_nce_terms(z, c, predictors, negatives):
    """Mean InfoNCE over k = 1..K: z, c are [B, R, Q, D]; cell (i, j) predicts z at (i + k, j)
    against `negatives` others drawn uniformly from the other cells of that offset."""
    b, r, q, d = z.shape
    total = 0.0
    for k0, w in enumerate(predictors):
        k = k0 + 1
        rows = r - k
        m = b * rows * q
        pred = w(c[:, :rows].reshape(m, -1))
        target = z[:, k:].reshape(m, d)
        j = torch.randint(0, m - 1, (m, negatives))
        own = torch.arange(m)[:, None]
        j = j + (j >= own).long()  # skip the row itself
        idx = torch.cat([own, j], 1)
        scores = (pred[:, None, :] * target[idx]).sum(-1)  # [M, N]
        total = total + F.cross_entropy(scores, torch.zeros(m, dtype=torch.long))
    return total / len(predictors)


class CpcGrid(nn.Module):
    def __init__(self, patch=7, stride=3, width=32, latent=64, context=64, layers=3, k=2, neg=63):
        super().__init__()
        self.patch, self.stride, self.neg = patch, stride, neg
        inner = patch - 4
        self.conv1 = nn.Conv2d(1, width, 3)
        self.conv2 = nn.Conv2d(width, 2 * width, 3)
        self.fc = nn.Linear(2 * width * inner * inner, latent)
        self.context = nn.ModuleList(
            nn.Conv2d(latent if i == 0 else context, context, (2, 3)) for i in range(layers)
        )
        self.predictors = nn.ModuleList(nn.Linear(context, latent, bias=False) for _ in range(k))

    def loss(self, x):
        b = x.shape[0]
        img = x.view(b, 1, 28, 28)
        g = (28 - self.patch) // self.stride + 1
        p = img.unfold(2, self.patch, self.stride).unfold(3, self.patch, self.stride)
        p = p.reshape(b * g * g, 1, self.patch, self.patch)  # [B*G*G, 1, p, p]
        h = F.relu(self.conv2(F.relu(self.conv1(p))))
        z = self.fc(h.flatten(1)).view(b, g, g, -1)  # [B, G, G, D]
        h = z.permute(0, 3, 1, 2)
        for i, conv in enumerate(self.context):
            h = conv(F.pad(h, (1, 1, 1, 0)))
            if i < len(self.context) - 1:
                h = F.relu(h)
        c = h.permute(0, 2, 3, 1)
        return info_nce_terms(z, c, self.predictors, self.neg)


class CpcSequence(nn.Module):
    def __init__(self, strides=(4, 2, 2), width=64, latent=64, context=64, k=4, neg=63):
        super().__init__()
        self.neg = neg
        self.convs = nn.ModuleList(
            nn.Conv1d(1 if i == 0 else width, width, 2 * s, stride=s, padding=s // 2)
            for i, s in enumerate(strides)
        )
        self.out = nn.Conv1d(width, latent, 1)
        self.gru = nn.GRU(latent, context, batch_first=True)
        self.predictors = nn.ModuleList(nn.Linear(context, latent, bias=False) for _ in range(k))

    def loss(self, x):
        h = x[:, None, :]
        for conv in self.convs:
            h = F.relu(conv(h))
        z = self.out(h).transpose(1, 2)  # [B, T, D]
        c, _ = self.gru(z)
        return info_nce_terms(z[:, :, None], c[:, :, None], self.predictors, self.neg)


class Dcgan(nn.Module):
    def __init__(self, latent=100, c=64):
        super().__init__()
        self.latent = latent
        self.g = nn.ModuleDict(dict(
            fc=nn.Linear(latent, 2 * c * 7 * 7), bn0=nn.BatchNorm2d(2 * c),
            up1=nn.ConvTranspose2d(2 * c, c, 4, 2, 1), bn1=nn.BatchNorm2d(c),
            up2=nn.ConvTranspose2d(c, 1, 4, 2, 1)))
        self.d = nn.ModuleDict(dict(
            c1=nn.Conv2d(1, c, 4, 2, 1), c2=nn.Conv2d(c, 2 * c, 4, 2, 1),
            bn2=nn.BatchNorm2d(2 * c), fc=nn.Linear(2 * c * 7 * 7, 1)))
        self.c = c

    def gen(self, z):
        g = self.g
        x = F.relu(g.bn0(g.fc(z).view(-1, 2 * self.c, 7, 7)))
        x = F.relu(g.bn1(g.up1(x)))
        return torch.tanh(g.up2(x))

    def disc(self, x):
        d = self.d
        x = F.leaky_relu(d.c1(x.view(-1, 1, 28, 28)), 0.2)
        x = F.leaky_relu(d.bn2(d.c2(x)), 0.2)
        return d.fc(x.flatten(1)).view(-1)


def time_gan(model, x, lr_g=2e-4, lr_d=4e-4):
    """GAN's whole step: one D update on real and detached fake, then one G update."""
    opt_g = torch.optim.Adam(model.g.parameters(), lr=lr_g, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(model.d.parameters(), lr=lr_d, betas=(0.5, 0.999))
    model.train()
    b = x.shape[0]

    def step():
        fake = model.gen(torch.rand(b, model.latent) * 2 - 1).detach()
        loss_d = F.softplus(-model.disc(x)).mean() + F.softplus(model.disc(fake)).mean()
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        logits = model.disc(model.gen(torch.rand(b, model.latent) * 2 - 1))
        loss_g = F.softplus(-logits).mean()
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

    return median_ms(step, REPS, WARMUP)


def time_steps(model, x, eps, clip, y=None, optim=("adam", 1e-3, 0.0)):
    kind, lr, wd = optim
    if kind == "adamw":
        opt = torch.optim.AdamW(model.parameters(), lr=lr, eps=eps, weight_decay=wd)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr, eps=eps)
    model.train()

    def step():
        loss = model.loss(x) if y is None else model.loss(x, y)
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
    labels = lambda b: torch.arange(b) % 10  # noqa: E731
    nets = [
        ("mnist_nice", lambda: Nice(), uniform(200), 1e-4, 100.0),
        ("mnist_made_wide", lambda: Made(8000, True), binary(100), 1e-8, None),
        ("mnist_made", lambda: Made(500, False), binary(100), 1e-8, None),
        ("mnist_vae", lambda: Vae(), binary(100), 1e-8, 100.0),
        ("mnist_vae_conv", lambda: ConvVae(), binary(100), 1e-8, 100.0),
        ("mnist_efficientnet", lambda: EfficientNet(), uniform(128), 1e-8, None,
         labels(128), ("adamw", 2e-3, 1e-4)),
        ("mnist_features", lambda: FeatureNet(), uniform(128), 1e-8, None, labels(128)),
        ("mnist_ddpm", lambda: Ddpm(), uniform(64), 1e-8, 1.0, None, ("adam", 2e-4, 0.0)),
        ("mnist_cpc", lambda: CpcGrid(), uniform(64), 1e-8, 5.0),
        ("seq_cpc", lambda: CpcSequence(), torch.randn(64, 256), 1e-8, 5.0),
        ("mnist_dcgan", lambda: Dcgan(), uniform(64) * 2 - 1, None, None),
    ]
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print("| preset | parameters | batch | train step (ms) | load |\n|---|---|---|---|---|")
    for name, build, x, eps, clip, *extra in nets:
        if filter_ and filter_ not in name:
            continue
        model = build()
        params = sum(p.numel() for p in model.parameters())
        ms = time_gan(model, x) if isinstance(model, Dcgan) else time_steps(model, x, eps, clip, *extra)
        print(f"| {name} | {params} | {x.shape[0]} | {ms:.1f} | {load()} |")


if __name__ == "__main__":
    set_threads(torch)
    main(sys.argv[1] if len(sys.argv) > 1 else None)
