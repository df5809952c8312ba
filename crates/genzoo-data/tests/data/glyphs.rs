//! The plot font: glyph pixels, text extents, and the number format of tick labels.

use genzoo_data::glyphs::{
    GLYPH_GAP, GLYPH_HEIGHT, GLYPH_WIDTH, format_significant, glyph, text_pixels, text_width,
};

#[test]
fn text_sets_exactly_the_glyph_pixels_at_scale() {
    // '1' is 010 / 110 / 010 / 010 / 111: 8 font pixels.
    let one = glyph('1');
    let bits: u32 = one.iter().map(|r| r.count_ones()).sum();
    assert_eq!(bits, 8);
    let px = text_pixels("1", 10, 20, 1);
    assert_eq!(px.len(), 8);
    assert!(px.contains(&(11, 20)) && px.contains(&(10, 21)) && px.contains(&(12, 24)));
    assert!(!px.contains(&(10, 20)), "top-left of '1' is empty");
    // Scale 2: each font pixel a 2×2 square.
    let px = text_pixels("1", 0, 0, 2);
    assert_eq!(px.len(), 32);
    assert!(px.contains(&(2, 0)) && px.contains(&(3, 1)) && !px.contains(&(0, 0)));
    // The second glyph starts one glyph and one gap to the right.
    let px = text_pixels(" 1", 0, 0, 1);
    assert!(
        px.iter()
            .all(|&(x, _)| x >= (GLYPH_WIDTH + GLYPH_GAP) as i64)
    );
    assert!(px.iter().all(|&(_, y)| y < GLYPH_HEIGHT as i64));
    assert_eq!(text_width("12", 1), 2 * GLYPH_WIDTH + GLYPH_GAP);
    assert_eq!(text_width("12", 3), 3 * (2 * GLYPH_WIDTH + GLYPH_GAP));
    assert_eq!(text_width("", 2), 0);
    // Upper case draws as lower case; unknown characters as '?'.
    assert_eq!(glyph('A'), glyph('a'));
    assert_eq!(glyph('#'), glyph('?'));
}

#[test]
fn tick_values_keep_three_significant_digits() {
    let cases = [
        (0.022817, "0.0228"),
        (0.5, "0.5"),
        (-0.5, "-0.5"),
        (1500.0, "1500"),
        (10000.0, "10000"),
        (2.6503, "2.65"),
        (2.29e-5, "2.29e-5"),
        (1234567.0, "1.23e6"),
        (1e-4, "1e-4"),
        (0.0, "0"),
    ];
    for (v, want) in cases {
        assert_eq!(format_significant(v, 3), want, "{v}");
    }
}
