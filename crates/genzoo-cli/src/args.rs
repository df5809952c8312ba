//! Command-line arguments (clap): every flag documented, shown by `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use genzoo_models::sampling::{SamplerKind, SamplerRequest, Skip};

/// Train, sample and measure deep generative models on the same data with the same metrics.
#[derive(Parser, Debug)]
#[command(name = "genzoo", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a model from a config (default: the built-in toy_vae preset, no files needed).
    Train(TrainArgs),
    /// Draw samples from a trained model into a PNG grid/scatter or an NPY file.
    Sample(SampleArgs),
    /// Evaluate a trained model: ELBO and IWAE log-likelihood in nats and bits/dim; with
    /// --quality (or --images) the sample-quality metrics FID, KID, precision/recall and
    /// classifier scores against the MNIST test set.
    Eval(EvalArgs),
    /// The reference scale of the sample-quality metrics: MNIST train images, clean and noised,
    /// against the test set, through a feature net.
    QualityFloor(QualityFloorArgs),
    /// Draw (x0, x1) pairs from a trained rectified flow to a directory, in resumable chunks:
    /// the data of a reflow or a distillation (`source = "pairs"`).
    Pairs(PairsArgs),
    /// The linear probe of a representation run (CPC): test accuracy of a linear classifier on
    /// its frozen features, beside the same probe on a randomly initialised encoder and on raw
    /// pixels, with a fraction of the training labels.
    Probe(ProbeArgs),
    /// Show what a checkpoint holds: step, family, tensors, optimiser and EMA state.
    Info(InfoArgs),
    /// Inspect a data set and write a picture of it.
    Data(DataArgs),
    /// List the built-in config presets.
    Presets,
    /// One table of every run's measured numbers (likelihood, sample quality, speed, time).
    Scoreboard(ScoreboardArgs),
    /// Run a named suite of train + eval entries (resumable) and render its results table
    /// into BENCHMARKS.md and the README.
    Bench(BenchArgs),
    /// One self-contained HTML page comparing runs: scoreboard, curves, samples, cards.
    Report(ReportArgs),
    /// Receptive fields per layer: a built-in architecture, a TOML description, or genzoo's
    /// own conv nets (with a gradient check).
    Rf(RfArgs),
    /// Parameters and multiply-adds of an EfficientNet (a preset B0..B7 or a compound
    /// coefficient φ), per layer if asked, beside the reference figures.
    Efficientnet(EfficientNetArgs),
    /// Rosenblatt's perceptron on a 2D set off the origin: accuracy with and without the bias.
    Perceptron(PerceptronArgs),
}

/// Options shared by commands that run a model.
#[derive(Args, Debug, Clone)]
pub struct DeviceArgs {
    /// Compute device: `flex` (CPU, default) or `cuda` (needs a build with `--features cuda`).
    #[arg(long, default_value = "flex")]
    pub device: String,
}

/// `genzoo probe`.
#[derive(Args, Debug)]
pub struct ProbeArgs {
    /// The run directory (its best checkpoint) or a checkpoint directory.
    pub checkpoint: PathBuf,
    /// Fractions of the 50,000 training labels the probe may use (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "0.01,0.1,1")]
    pub fractions: Vec<f64>,
    /// Optimisation steps of each probe (the same for every fraction and feature set).
    #[arg(long, default_value_t = 3000)]
    pub steps: usize,
    /// Skip the baselines (random encoder, raw pixels).
    #[arg(long)]
    pub no_baselines: bool,
    /// Pool the features over this many regions per side of the patch grid instead of the
    /// run's `model.pool` (CPC: z averaged over pool x pool regions).
    #[arg(long)]
    pub pool: Option<usize>,
    /// Which maps to pool instead of the run's `model.features`: z (encoder), c (context) or
    /// zc (both).
    #[arg(long)]
    pub features: Option<String>,
    /// Also write the first two principal components of the trained features of 2,000 test
    /// images, coloured by label, to this PNG (and `<name>-pixels.png` for raw pixels).
    #[arg(long)]
    pub picture: Option<PathBuf>,
    /// Seed of the label subsets and the probe's batches.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Use the raw weights even when the checkpoint keeps an EMA.
    #[arg(long)]
    pub no_ema: bool,
    /// Take the newest checkpoint instead of the best.
    #[arg(long)]
    pub latest: bool,
    /// MNIST directory when the run's data.dir has moved.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// `genzoo pairs`.
#[derive(Args, Debug)]
pub struct PairsArgs {
    /// The flow's run directory (its newest checkpoint) or a checkpoint directory.
    pub checkpoint: PathBuf,
    /// Where the pairs go (`pairs.json` and `chunk_NNNNN.npy`); rerun with the same
    /// arguments to finish an interrupted draw.
    #[arg(long)]
    pub out: PathBuf,
    /// Pairs in all.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Pairs per chunk (a killed run loses at most one chunk).
    #[arg(long, default_value_t = 10_000)]
    pub chunk: usize,
    /// Seed of the noise x0 (chunk k's noise depends on the seed and k only).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The ODE solver (default: the run's `model.sampler`, RK45 in the presets).
    #[arg(long, value_enum)]
    pub sampler: Option<SamplerArg>,
    /// Steps of a fixed-step solver.
    #[arg(long)]
    pub steps: Option<usize>,
    /// Relative tolerance of rk45.
    #[arg(long)]
    pub rtol: Option<f64>,
    /// Absolute tolerance of rk45.
    #[arg(long)]
    pub atol: Option<f64>,
    /// Use the raw weights even when the checkpoint keeps an EMA.
    #[arg(long)]
    pub no_ema: bool,
    #[command(flatten)]
    pub device: DeviceArgs,
}

impl PairsArgs {
    /// The sampler flags as a change to the run's default sampler.
    pub fn sampler_request(&self) -> SamplerRequest {
        SamplerRequest {
            kind: self.sampler.map(SamplerKind::from),
            steps: self.steps,
            rtol: self.rtol,
            atol: self.atol,
            ..SamplerRequest::default()
        }
    }
}

/// `genzoo train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// A config file (TOML). Without it, `--preset` picks a built-in one (default toy_vae).
    pub config: Option<PathBuf>,
    /// A built-in preset by name (see `genzoo presets`).
    #[arg(long, conflicts_with = "config")]
    pub preset: Option<String>,
    /// Override a config field, e.g. `--set optim.lr=3e-4` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Continue the run from its newest checkpoint, with the config it was started with
    /// (`--set` may still change fields, e.g. trainer.steps to train longer).
    #[arg(long)]
    pub resume: bool,
    /// Delete an existing run directory of the same name and start over.
    #[arg(long, conflicts_with = "resume")]
    pub fresh: bool,
    /// Parent directory of run directories.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// MNIST directory (overrides data.dir; falls back to $GENZOO_MNIST_DIR when data.dir is absent).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// `genzoo sample`.
#[derive(Args, Debug)]
pub struct SampleArgs {
    /// A run directory (its best checkpoint, else its newest) or a checkpoint directory.
    pub checkpoint: PathBuf,
    /// Sample from the newest checkpoint instead of the best.
    #[arg(long)]
    pub latest: bool,
    /// Number of samples (default: a grid of 64 images, or a scatter of 50,000 toy points).
    #[arg(short = 'n', long)]
    pub count: Option<usize>,
    /// Output file: `.png` (image grid, or 2D scatter for toys) or `.npy` (raw values).
    #[arg(short, long, default_value = "samples.png")]
    pub out: PathBuf,
    /// Seed of the draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Use the raw weights even when the checkpoint keeps an EMA.
    #[arg(long)]
    pub no_ema: bool,
    /// Also write reconstructions of test examples (latent-variable models): first row data,
    /// second row reconstruction, to this PNG.
    #[arg(long)]
    pub reconstructions: Option<PathBuf>,
    /// Also write the latent-manifold picture (models with a 2-D latent) to this PNG.
    #[arg(long)]
    pub manifold: Option<PathBuf>,
    /// Also write the model's density on a grid (2-D data; exact for flows, exp of the IWAE
    /// bound with --density-k samples per point for latent-variable models) to this PNG, beside
    /// the true density (`<name>-oracle.png`) where the toy has one, or `exp(−U)/Z` for a flow
    /// fitted to an energy.
    #[arg(long)]
    pub density: Option<PathBuf>,
    /// Importance samples per grid point of --density.
    #[arg(long, default_value_t = 100)]
    pub density_k: usize,
    /// Also write a latent interpolation picture (models with a latent prior: a GAN) to this
    /// PNG: --interpolate-rows pairs of prior draws, each joined by 10 codes along a great circle
    /// (Gaussian prior) or a straight line (uniform), one row per pair for images, one path per
    /// pair for 2-D toys.
    #[arg(long)]
    pub interpolate: Option<PathBuf>,
    /// Pairs in the interpolation picture.
    #[arg(long, default_value_t = 8)]
    pub interpolate_rows: usize,
    /// Points per side of the latent-manifold grid.
    #[arg(long, default_value_t = 20)]
    pub manifold_size: usize,
    /// The sampler, for models that sample step by step (default: the run's
    /// `model.sampler`).
    #[arg(long, value_enum)]
    pub sampler: Option<SamplerArg>,
    /// Network calls per sample, S (default: 50, or every step of the process for the
    /// ancestral samplers). An ancestral sampler with S below the process's steps runs its
    /// chain over the skipped timesteps (Song et al.'s σ̂ row).
    #[arg(long)]
    pub steps: Option<usize>,
    /// η in [0, 1] of a sampler that can add noise at each step (ddim: 0 is deterministic).
    #[arg(long)]
    pub eta: Option<f64>,
    /// Spacing of the S steps when they are fewer than the process's.
    #[arg(long, value_enum)]
    pub skip: Option<SkipArg>,
    /// Relative tolerance of the adaptive ODE solver (rk45; default 1e-5).
    #[arg(long)]
    pub rtol: Option<f64>,
    /// Absolute tolerance of the adaptive ODE solver (rk45; default 1e-5).
    #[arg(long)]
    pub atol: Option<f64>,
    /// Instead of sampling, invert this many test images with a sampler that runs backwards
    /// (ddim) over --steps steps and reconstruct them; prints the reconstruction PSNR and
    /// writes a picture (rows: data, latents, reconstructions) to --out.
    #[arg(long)]
    pub invert: Option<usize>,
    /// Fixed-point refinements per inversion step (0: the usual inversion).
    #[arg(long, default_value_t = 0)]
    pub invert_refine: usize,
    /// MNIST directory when the run's data.dir has moved.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub device: DeviceArgs,
}

impl SampleArgs {
    /// The sampler flags as a change to the run's default sampler.
    pub fn sampler_request(&self) -> SamplerRequest {
        SamplerRequest {
            kind: self.sampler.map(SamplerKind::from),
            steps: self.steps,
            eta: self.eta,
            skip: self.skip.map(Skip::from),
            rtol: self.rtol,
            atol: self.atol,
        }
    }
}

/// `--sampler`: every [`SamplerKind`], spelled as configs spell it. The models crate knows no
/// clap; the two conversions below are exhaustive matches, so a kind added there (a rectified
/// flow's ODE solvers) fails to compile here until it has a flag value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SamplerArg {
    /// Ancestral sampling with σ² = β_t.
    Ddpm,
    /// Ancestral sampling with σ² = β̃_t, the true posterior's variance.
    DdpmTilde,
    /// DDIM's update (Song et al. 2021) over S steps, with η's noise.
    Ddim,
    /// Forward Euler over S steps (a flow's ODE).
    Euler,
    /// Heun's second-order method over S steps (2S network calls).
    Heun,
    /// Classical Runge–Kutta over S steps (4S network calls).
    Rk4,
    /// Adaptive Dormand–Prince RK45 at --rtol/--atol; reports its network calls.
    Rk45,
}

impl From<SamplerArg> for SamplerKind {
    fn from(a: SamplerArg) -> Self {
        match a {
            SamplerArg::Ddpm => SamplerKind::Ddpm,
            SamplerArg::DdpmTilde => SamplerKind::DdpmTilde,
            SamplerArg::Ddim => SamplerKind::Ddim,
            SamplerArg::Euler => SamplerKind::Euler,
            SamplerArg::Heun => SamplerKind::Heun,
            SamplerArg::Rk4 => SamplerKind::Rk4,
            SamplerArg::Rk45 => SamplerKind::Rk45,
        }
    }
}

impl From<SamplerKind> for SamplerArg {
    fn from(k: SamplerKind) -> Self {
        match k {
            SamplerKind::Ddpm => SamplerArg::Ddpm,
            SamplerKind::DdpmTilde => SamplerArg::DdpmTilde,
            SamplerKind::Ddim => SamplerArg::Ddim,
            SamplerKind::Euler => SamplerArg::Euler,
            SamplerKind::Heun => SamplerArg::Heun,
            SamplerKind::Rk4 => SamplerArg::Rk4,
            SamplerKind::Rk45 => SamplerArg::Rk45,
        }
    }
}

/// `--skip`: every [`Skip`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SkipArg {
    /// Evenly spaced: `range(0, T, T // S)`.
    Uniform,
    /// Quadratically spaced, dense near the data.
    Quad,
}

impl From<SkipArg> for Skip {
    fn from(a: SkipArg) -> Self {
        match a {
            SkipArg::Uniform => Skip::Uniform,
            SkipArg::Quad => Skip::Quad,
        }
    }
}

impl From<Skip> for SkipArg {
    fn from(s: Skip) -> Self {
        match s {
            Skip::Uniform => SkipArg::Uniform,
            Skip::Quad => SkipArg::Quad,
        }
    }
}

/// `genzoo eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// A run directory (its best checkpoint, else its newest) or a checkpoint directory.
    #[arg(required_unless_present = "images")]
    pub checkpoint: Option<PathBuf>,
    /// Sample-quality metrics of the run's samples (FID, KID, precision/recall, classifier
    /// scores) against the MNIST test set, instead of the likelihood.
    #[arg(long, requires = "features")]
    pub quality: bool,
    /// Images to measure instead of a run's samples: an .npy file (`[N,28,28]`, `[N,1,28,28]`
    /// or `[N,784]`) or a folder of PNGs; several (`--images a.npy b.npy`) are measured as one set,
    /// in order (samples drawn in chunks).
    #[arg(long, num_args = 1.., conflicts_with = "checkpoint", requires = "features")]
    pub images: Vec<PathBuf>,
    /// The trained classifier run whose features and predictions define the quality metrics
    /// (`genzoo train --preset mnist_features`).
    #[arg(long)]
    pub features: Option<PathBuf>,
    /// The value range of --images: unit ([0, 1]) or symmetric ([-1, 1]).
    #[arg(long, default_value = "unit")]
    pub images_view: String,
    /// Samples drawn from the run for --quality.
    #[arg(long, default_value_t = 10_000)]
    pub samples: usize,
    /// KID subsets (each of min(1000, samples) rows).
    #[arg(long, default_value_t = 100)]
    pub kid_subsets: usize,
    /// Compare with N test images drawn at random (seed --reference-seed) instead of all
    /// 10,000; numbers are comparable only at the same N and seed, which the report records.
    #[arg(long)]
    pub reference: Option<usize>,
    /// Seed of the random reference subset of --reference.
    #[arg(long, default_value_t = 0)]
    pub reference_seed: u64,
    /// Write the quality report (JSON) here instead of the run's eval/ directory (or, for
    /// --images, beside the images).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Split to evaluate: test or valid.
    #[arg(long, default_value = "test")]
    pub split: String,
    /// Importance samples per example (default: the run's eval.iwae_k).
    #[arg(short, long)]
    pub k: Option<usize>,
    /// Evaluate only the first N examples of the split.
    #[arg(long)]
    pub examples: Option<usize>,
    /// Seed of the importance samples (with --quality: of the samples drawn and the KID and
    /// precision/recall subsets).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Use the raw weights even when the checkpoint keeps an EMA.
    #[arg(long)]
    pub no_ema: bool,
    /// Evaluate the newest checkpoint instead of the best.
    #[arg(long)]
    pub latest: bool,
    /// Override a field of the run's config for this evaluation, e.g.
    /// `--set model.ensemble=32` (MADE's mask ensemble); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// MNIST directory when the run's data.dir has moved (with --quality or --images: where the
    /// reference test set is; default the feature run's data.dir, else $GENZOO_MNIST_DIR).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// `genzoo scoreboard`.
#[derive(Args, Debug)]
pub struct ScoreboardArgs {
    /// Parent directory of run directories.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    /// Write the Markdown table here instead of printing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `genzoo bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// A built-in suite (`toy`) or a suite file (TOML, as configs/bench/toy.toml).
    pub suite: String,
    /// Parent directory of the suite's runs (default runs/bench-<suite>).
    #[arg(long)]
    pub runs: Option<PathBuf>,
    /// The results file (default docs/results/bench_<suite>.json).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Documents whose `<!-- bench:<suite>:begin -->` … `end` span receives the table.
    #[arg(long, num_args = 1.., default_values = ["BENCHMARKS.md", "README.md"])]
    pub docs: Vec<PathBuf>,
    /// Only render the table from the results file into the documents.
    #[arg(long, conflicts_with = "check")]
    pub render: bool,
    /// Only check that the documents hold what the results file renders to (exit 1 if not).
    #[arg(long)]
    pub check: bool,
}

/// `genzoo report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Run directories, or directories of runs (e.g. `runs zoo`).
    pub runs: Vec<PathBuf>,
    /// The HTML file to write.
    #[arg(long, default_value = "report.html")]
    pub out: PathBuf,
    /// Directory of committed results (sampler sweep cells).
    #[arg(long, default_value = "docs/results")]
    pub results: PathBuf,
}

/// `genzoo quality-floor`.
#[derive(Args, Debug)]
pub struct QualityFloorArgs {
    /// The trained classifier run whose features define the metrics.
    #[arg(long)]
    pub features: PathBuf,
    /// Numbers of images measured against the whole test set (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [10_000, 1_000])]
    pub samples: Vec<usize>,
    /// The images measured: a random subset of this split (train or valid), clean and noised.
    #[arg(long, default_value = "train")]
    pub split: String,
    /// Standard deviations of the Gaussian noise added to those images (comma-separated).
    #[arg(long, value_delimiter = ',', default_values_t = [0.05, 0.1, 0.2, 0.4])]
    pub noise: Vec<f32>,
    /// KID subsets (each of min(1000, samples) rows).
    #[arg(long, default_value_t = 100)]
    pub kid_subsets: usize,
    /// Seed of the train subset, the noise and the metric subsets.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write the table (JSON) here instead of the feature run's eval/ directory.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// MNIST directory (default: the feature run's data.dir, else $GENZOO_MNIST_DIR).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// `genzoo info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    /// A run directory (its newest checkpoint) or a checkpoint directory.
    pub checkpoint: PathBuf,
}

/// `genzoo data`.
#[derive(Args, Debug)]
pub struct DataArgs {
    /// `mnist` or a toy name (8gaussians, checkerboard, moons, 2spirals, pinwheel, swissroll, circles).
    pub source: String,
    /// MNIST directory (default: $GENZOO_MNIST_DIR).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// MNIST view: unit, symmetric, dequantised, binary-fixed, binary-dynamic.
    #[arg(long, default_value = "unit")]
    pub view: String,
    /// MNIST split: train, valid or test.
    #[arg(long, default_value = "train")]
    pub split: String,
    /// Examples in the picture (images) or points (toys).
    #[arg(short = 'n', long, default_value_t = 64)]
    pub count: usize,
    /// Write a picture (PNG grid for images, density scatter for toys) here.
    #[arg(short, long)]
    pub out: Option<PathBuf>,
    /// Seed of toy draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// `genzoo rf`.
#[derive(Args, Debug)]
pub struct RfArgs {
    /// A built-in architecture: alexnet, vgg16, resnet50, inception_v3, mobilenet_v1.
    #[arg(long, group = "net")]
    pub preset: Option<String>,
    /// A TOML description of the layers (see configs/rf_example.toml).
    #[arg(long, group = "net")]
    pub file: Option<std::path::PathBuf>,
    /// A genzoo config preset (e.g. mnist_vae_conv): the conv nets of the model it builds.
    #[arg(long, group = "net")]
    pub model: Option<String>,
    /// A run directory: the conv nets of the model its config builds.
    #[arg(long, group = "net")]
    pub run: Option<std::path::PathBuf>,
    /// Input size, N or HxW (default: the preset's, the file's, or the data's).
    #[arg(long)]
    pub input: Option<String>,
    /// Backpropagate from output units of genzoo's conv nets and check where the gradient is
    /// non-zero against the computed receptive fields (every built-in config without --model
    /// or --run).
    #[arg(long, conflicts_with_all = ["preset", "file"])]
    pub probe: bool,
    /// Gaussian inputs per probed unit (their gradient magnitudes are summed).
    #[arg(long, default_value_t = 4)]
    pub probe_batch: usize,
    #[command(flatten)]
    pub device: DeviceArgs,
}

/// `genzoo efficientnet`.
#[derive(Args, Debug)]
pub struct EfficientNetArgs {
    /// A published model: b0 ... b7 (default b0).
    #[arg(long, conflicts_with = "phi")]
    pub preset: Option<String>,
    /// Compound coefficient φ: width 1.1^φ, depth 1.2^φ, resolution 224·1.15^φ.
    #[arg(long, allow_hyphen_values = true)]
    pub phi: Option<f64>,
    /// Output classes.
    #[arg(long, default_value_t = 1000)]
    pub classes: usize,
    /// Input channels.
    #[arg(long, default_value_t = 3)]
    pub in_channels: usize,
    /// Input side, overriding the preset's or φ's.
    #[arg(long)]
    pub resolution: Option<usize>,
    /// Stride of the stem convolution.
    #[arg(long, default_value_t = 2)]
    pub stem_stride: usize,
    /// Build the SE and final linear layers without biases.
    #[arg(long)]
    pub no_bias: bool,
    /// List every layer.
    #[arg(long)]
    pub layers: bool,
    /// A table of B0..B7 against the reference parameter counts and the paper's FLOPs.
    #[arg(long, conflicts_with_all = ["preset", "phi", "layers"])]
    pub all: bool,
}

/// `genzoo perceptron`.
#[derive(Args, Debug)]
pub struct PerceptronArgs {
    /// Train without the bias (every decision line passes through the origin).
    #[arg(long)]
    pub no_bias: bool,
    /// Points per class.
    #[arg(long, default_value_t = 100)]
    pub points: usize,
    /// Seed of the points.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Most passes over the data.
    #[arg(long, default_value_t = 1000)]
    pub epochs: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every flag value names the kind of the same spelling, both ways, so configs and the
    /// command line agree.
    #[test]
    fn sampler_flags_spell_the_models_names() {
        for &kind in SamplerKind::ALL {
            let arg = SamplerArg::from(kind);
            let name = arg.to_possible_value().map(|v| v.get_name().to_string());
            assert_eq!(name.as_deref(), Some(kind.name()));
            assert_eq!(SamplerKind::from(arg), kind);
        }
        assert_eq!(SamplerArg::value_variants().len(), SamplerKind::ALL.len());
        for arg in SkipArg::value_variants() {
            let name = arg.to_possible_value().map(|v| v.get_name().to_string());
            let skip = Skip::from(*arg);
            assert_eq!(name.and_then(|n| n.parse::<Skip>().ok()), Some(skip));
            assert_eq!(SkipArg::from(skip), *arg);
        }
    }
}
