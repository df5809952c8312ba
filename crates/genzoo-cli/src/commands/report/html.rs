//! The page around the report: escaping, embedded images, the style sheet and the self-check.
//!
//! The file is self-contained: pictures are `data:` URIs, charts inline SVG, the style and the
//! one script inline; nothing is fetched (no fonts, scripts or images from the network). The
//! script checks the page after it loads (every required section has content, every image
//! decoded, every chart drawn) and writes the verdict into `<body data-check="…">`, where a
//! headless browser (the report test) reads it; problems also go to the console as errors.

use base64::Engine as _;

/// `s` with HTML's special characters escaped (text and attribute values).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An `<img>` of PNG bytes, embedded.
pub fn png_img(bytes: &[u8], alt: &str) -> String {
    format!(
        r#"<img alt="{}" src="data:image/png;base64,{}">"#,
        escape(alt),
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// A `<figure>` of `inner` with a caption.
pub fn figure(inner: &str, caption: &str) -> String {
    format!(
        "<figure>{inner}<figcaption>{}</figcaption></figure>",
        escape(caption)
    )
}

/// A table of text cells (escaped) with a header row.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in header {
        s.push_str(&format!("<th>{}</th>", escape(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{}</td>", escape(c)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

const STYLE: &str = r#"
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 0 auto;
  max-width: 1180px; padding: 1rem 2rem 4rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem;
  margin-top: 2.5rem; } h2 small { color: #777; font-weight: normal; font-size: 0.7em; }
.meta { color: #666; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.82rem; margin: 0.5rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } tbody tr:nth-child(even) { background: #fafafa; }
.scroll { overflow-x: auto; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 0.5rem 0.8rem; min-width: 15rem;
  max-width: 26rem; font-size: 0.85rem; background: #fcfcfc; }
.card h4 { margin: 0 0 0.3rem; font-size: 0.9rem; } .card dl { margin: 0; display: grid;
  grid-template-columns: auto 1fr; gap: 0.1rem 0.6rem; } .card dt { color: #666; }
.card dd { margin: 0; } .anchor { border-color: #c9b458; background: #fffbea; }
.row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
figure { margin: 0.4rem 0; } figcaption { font-size: 0.8rem; color: #555; text-align: center; }
figure img { image-rendering: pixelated; max-width: 100%; border: 1px solid #eee; }
.samples figure img { width: 240px; } details pre { background: #f7f7f7; padding: 0.6rem;
  font-size: 0.78rem; overflow-x: auto; }
nav ul { columns: 3; font-size: 0.9rem; }
"#;

/// The verdict script: see the module doc.
const CHECK: &str = r#"
window.__reportErrors = [];
window.addEventListener('error', function (e) { window.__reportErrors.push(String(e.message)); });
window.addEventListener('load', function () {
  var problems = window.__reportErrors.slice();
  document.querySelectorAll('[data-required]').forEach(function (s) {
    if (!s.querySelector('table, figure, .card, p')) { problems.push('empty section ' + s.id); }
  });
  var images = document.images;
  for (var i = 0; i < images.length; i++) {
    if (!images[i].complete || images[i].naturalWidth === 0) {
      problems.push('image not decoded: ' + images[i].alt);
    }
  }
  var charts = document.querySelectorAll('figure svg');
  charts.forEach(function (svg) {
    var box = svg.getBBox();
    if (!(box.width > 0 && box.height > 0)) { problems.push('empty chart'); }
  });
  document.body.setAttribute('data-check', problems.length
    ? 'failed: ' + problems.join('; ')
    : 'ok: ' + document.querySelectorAll('section').length + ' sections, ' + images.length
      + ' images, ' + charts.length + ' charts');
  if (problems.length) { console.error('report check: ' + problems.join('; ')); }
});
"#;

/// The whole document.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style><script>{CHECK}</script></head>\n\
         <body data-check=\"pending\">\n{body}\n</body></html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn images_are_embedded_as_base64() {
        let img = png_img(&[0x89, b'P', b'N', b'G'], "a <b>");
        assert_eq!(
            img,
            r#"<img alt="a &lt;b&gt;" src="data:image/png;base64,iVBORw==">"#
        );
    }
}
