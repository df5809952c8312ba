//! Where DCGAN's training step goes: the generator and the discriminator of `mnist_dcgan`, each
//! forward + backward alone at batch 64 on flex with autodiff (the twin for PyTorch is the
//! snippet in BENCHMARKS.md, "Speed: the DCGAN training step beside PyTorch").
//!
//! ```text
//! cargo run --release -p genzoo-models --example dcgan_parts     # ~10 s on 2 cores
//! ```
//! Output: median ms of 15 runs after 3 untimed ones.

use burn::prelude::*;
use genzoo_kernels::timing::median_ms;
use genzoo_models::gan::net::{DcganDisc, DcganGen};
use genzoo_nn::noise::standard_normal;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const WARMUP: usize = 3;
const REPS: usize = 15;

fn main() {
    let d = Device::flex().autodiff();
    let b = 64;
    let g = DcganGen::new(100, [1, 28, 28], 64, &d);
    let disc = DcganDisc::new([1, 28, 28], 64, false, &d);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let z: Tensor<2> = standard_normal([b, 100], &mut rng, &d);
    let x: Tensor<2> = standard_normal([b, 784], &mut rng, &d);
    let g_fwd = median_ms(WARMUP, REPS, || {
        let _ = g.forward(z.clone()).sum().into_scalar::<f32>();
    });
    let g_both = median_ms(WARMUP, REPS, || {
        let grads = g.forward(z.clone()).sum().backward();
        let _ = grads;
    });
    let d_fwd = median_ms(WARMUP, REPS, || {
        let _ = disc.forward(x.clone()).sum().into_scalar::<f32>();
    });
    let d_both = median_ms(WARMUP, REPS, || {
        let grads = disc.forward(x.clone()).sum().backward();
        let _ = grads;
    });
    println!("G forward {g_fwd:.1} ms, forward + backward {g_both:.1} ms");
    println!("D forward {d_fwd:.1} ms, forward + backward {d_both:.1} ms");
    layers();
}

/// The discriminator's layers one at a time (forward + backward with respect to input and
/// weights), to see which one holds the time; LeakyReLU through burn's op and genzoo's.
// burn's leaky_relu is timed beside genzoo's on purpose (clippy.toml otherwise forbids it).
#[allow(clippy::disallowed_methods)]
fn layers() {
    use burn::nn::conv::Conv2dConfig;
    use burn::nn::{BatchNormConfig, PaddingConfig2d};
    use burn::tensor::activation::leaky_relu;
    use genzoo_nn::fast::{BatchNormFast, Conv2dFast};
    let d = Device::flex().autodiff();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let conv = |c: usize, o: usize| {
        Conv2dConfig::new([c, o], [4, 4])
            .with_stride([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
            .init(&d)
    };
    let (c1, c2) = (conv(1, 64), conv(64, 128));
    let bn = BatchNormConfig::new(128).init(&d);
    let x1: Tensor<4> = standard_normal([64, 1, 28, 28], &mut rng, &d);
    let x2: Tensor<4> = standard_normal([64, 64, 14, 14], &mut rng, &d);
    let x3: Tensor<4> = standard_normal([64, 128, 7, 7], &mut rng, &d);
    let time = |f: &dyn Fn() -> Tensor<4>| {
        median_ms(WARMUP, REPS, || {
            let _ = f().sum().backward();
        })
    };
    let x2g = x2.clone().require_grad();
    let x3g = x3.clone().require_grad();
    println!(
        "D conv1 (1->64, 28->14)  fwd+bwd {:.1} ms",
        time(&|| c1.forward_fast(x1.clone()))
    );
    println!(
        "D conv2 (64->128, 14->7) fwd+bwd {:.1} ms",
        time(&|| c2.forward_fast(x2g.clone()))
    );
    println!(
        "D bn + leaky (128x7x7)   fwd+bwd {:.1} ms",
        time(&|| genzoo_nn::fast::leaky_relu_fast(bn.forward_fast(x3g.clone()), 0.2))
    );
    println!(
        "D leaky (64x14x14)       fwd+bwd {:.1} ms burn",
        time(&|| leaky_relu(x2g.clone(), 0.2))
    );
    println!(
        "D leaky (64x14x14)       fwd+bwd {:.1} ms genzoo",
        time(&|| genzoo_nn::fast::leaky_relu_fast(x2g.clone(), 0.2))
    );
}
