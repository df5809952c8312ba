//! `genzoo perceptron`: Rosenblatt's perceptron on a 2D set that a line separates but no line
//! through the origin does, with or without its bias.

use anyhow::{Result, bail};
use genzoo_models::classifier::perceptron::{
    CLUSTER_RADIUS, NEGATIVE_CENTRE, POSITIVE_CENTRE, Perceptron, SEPARATING_OFFSET,
    best_origin_line_accuracy, shifted_clusters,
};

use crate::args::PerceptronArgs;

/// Step size of the perceptron rule (any positive value gives the same decisions from zero).
const LEARNING_RATE: f64 = 1.0;

/// Train and report.
pub fn run(args: PerceptronArgs) -> Result<()> {
    if args.points == 0 || args.epochs == 0 {
        bail!("--points and --epochs must be >= 1");
    }
    let data = shifted_clusters(args.points, args.seed);
    let use_bias = !args.no_bias;
    let (p, report) = Perceptron::train(&data, use_bias, args.epochs, LEARNING_RATE);
    out!(
        "data           {} points per class in discs of radius {CLUSTER_RADIUS} around {:?} and {:?} (seed {}), separated by x1 + x2 = {SEPARATING_OFFSET}",
        args.points,
        NEGATIVE_CENTRE,
        POSITIVE_CENTRE,
        args.seed
    );
    out!(
        "perceptron     {} bias: w = ({:.3}, {:.3}), b = {:.3}",
        if use_bias { "with" } else { "without" },
        p.w[0],
        p.w[1],
        p.b
    );
    out!(
        "training       {} epochs, {} updates, {}",
        report.epochs,
        report.updates,
        if report.converged {
            "converged (an epoch without a mistake)"
        } else {
            "not converged"
        }
    );
    out!("accuracy       {:.2} %", 100.0 * p.accuracy(&data));
    out!(
        "best line through the origin: {:.2} % (exact sweep over directions)",
        100.0 * best_origin_line_accuracy(&data)
    );
    Ok(())
}
