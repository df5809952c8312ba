//! A 3×5 pixel font for the labels of plots (tick values, legends), so that PNG curves carry
//! their numbers without a font library.
//!
//! Each glyph is five rows, top to bottom, of three bits, the high bit leftmost: `0b111` is a
//! full row. Digits, `. - + e` (numbers in scientific notation), lowercase letters (upper case
//! is drawn as lower case), space and a few signs; anything else draws as `?`. Text is drawn at
//! an integer `scale` (each font pixel a `scale × scale` square) with one font pixel between
//! glyphs.

/// Font pixels per glyph, across.
pub const GLYPH_WIDTH: usize = 3;
/// Font pixels per glyph, down.
pub const GLYPH_HEIGHT: usize = 5;
/// Font pixels between neighbouring glyphs.
pub const GLYPH_GAP: usize = 1;

/// The rows of `c` (see the module docs).
pub fn glyph(c: char) -> [u8; GLYPH_HEIGHT] {
    match c.to_ascii_lowercase() {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b111, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b001, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        '-' => [0b000, 0b000, 0b111, 0b000, 0b000],
        '+' => [0b000, 0b010, 0b111, 0b010, 0b000],
        '=' => [0b000, 0b111, 0b000, 0b111, 0b000],
        '_' => [0b000, 0b000, 0b000, 0b000, 0b111],
        '(' => [0b001, 0b010, 0b010, 0b010, 0b001],
        ')' => [0b100, 0b010, 0b010, 0b010, 0b100],
        '/' => [0b001, 0b001, 0b010, 0b100, 0b100],
        ' ' => [0; GLYPH_HEIGHT],
        'a' => [0b000, 0b011, 0b101, 0b101, 0b011],
        'b' => [0b100, 0b110, 0b101, 0b101, 0b110],
        'c' => [0b000, 0b011, 0b100, 0b100, 0b011],
        'd' => [0b001, 0b011, 0b101, 0b101, 0b011],
        'e' => [0b000, 0b010, 0b111, 0b100, 0b011],
        'f' => [0b001, 0b010, 0b111, 0b010, 0b010],
        'g' => [0b000, 0b011, 0b101, 0b011, 0b110],
        'h' => [0b100, 0b110, 0b101, 0b101, 0b101],
        'i' => [0b010, 0b000, 0b010, 0b010, 0b010],
        'j' => [0b001, 0b000, 0b001, 0b101, 0b010],
        'k' => [0b100, 0b101, 0b110, 0b110, 0b101],
        'l' => [0b110, 0b010, 0b010, 0b010, 0b111],
        'm' => [0b000, 0b111, 0b111, 0b101, 0b101],
        'n' => [0b000, 0b110, 0b101, 0b101, 0b101],
        'o' => [0b000, 0b010, 0b101, 0b101, 0b010],
        'p' => [0b000, 0b110, 0b101, 0b110, 0b100],
        'q' => [0b000, 0b011, 0b101, 0b011, 0b001],
        'r' => [0b000, 0b101, 0b110, 0b100, 0b100],
        's' => [0b000, 0b011, 0b110, 0b011, 0b110],
        't' => [0b010, 0b111, 0b010, 0b010, 0b011],
        'u' => [0b000, 0b101, 0b101, 0b101, 0b011],
        'v' => [0b000, 0b101, 0b101, 0b101, 0b010],
        'w' => [0b000, 0b101, 0b101, 0b111, 0b111],
        'x' => [0b000, 0b101, 0b010, 0b010, 0b101],
        'y' => [0b000, 0b101, 0b101, 0b010, 0b100],
        'z' => [0b000, 0b111, 0b011, 0b110, 0b111],
        _ => [0b111, 0b001, 0b011, 0b000, 0b010],
    }
}

/// Width in pixels of `text` drawn at `scale` (no trailing gap).
pub fn text_width(text: &str, scale: usize) -> usize {
    let n = text.chars().count();
    if n == 0 {
        return 0;
    }
    (n * (GLYPH_WIDTH + GLYPH_GAP) - GLYPH_GAP) * scale
}

/// Height in pixels of a line of text at `scale`.
pub fn text_height(scale: usize) -> usize {
    GLYPH_HEIGHT * scale
}

/// The pixels `(column, row)` that `text` sets when its top-left corner is at `(x, y)`.
pub fn text_pixels(text: &str, x: i64, y: i64, scale: usize) -> Vec<(i64, i64)> {
    let s = scale as i64;
    let mut out = Vec::new();
    for (k, c) in text.chars().enumerate() {
        let left = x + (k * (GLYPH_WIDTH + GLYPH_GAP) * scale) as i64;
        for (r, bits) in glyph(c).iter().enumerate() {
            for col in 0..GLYPH_WIDTH {
                if bits >> (GLYPH_WIDTH - 1 - col) & 1 == 1 {
                    for dy in 0..s {
                        for dx in 0..s {
                            out.push((left + col as i64 * s + dx, y + r as i64 * s + dy));
                        }
                    }
                }
            }
        }
    }
    out
}

/// `v` with `digits` significant digits, plainly where that is short (`0.0229`, `1500`) and in
/// scientific notation otherwise (`2.29e-5`, `1.2e6`).
pub fn format_significant(v: f64, digits: usize) -> String {
    /// Decimal exponents outside `MIN_PLAIN..=MAX_PLAIN` switch to scientific notation.
    const MIN_PLAIN: i32 = -3;
    const MAX_PLAIN: i32 = 5;
    if !v.is_finite() {
        return format!("{v}");
    }
    if v == 0.0 {
        return "0".into();
    }
    let digits = digits.max(1);
    let exp = v.abs().log10().floor() as i32;
    if (MIN_PLAIN..=MAX_PLAIN).contains(&exp) {
        let decimals = (digits as i32 - 1 - exp).max(0) as usize;
        let s = format!("{v:.decimals$}");
        trim_zeros(&s)
    } else {
        let s = format!("{v:.*e}", digits - 1);
        match s.split_once('e') {
            Some((mantissa, e)) => format!("{}e{e}", trim_zeros(mantissa)),
            None => s,
        }
    }
}

/// `1.500` → `1.5`, `2.000` → `2`; integers are left alone.
fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}
