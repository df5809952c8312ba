//! NPY: round trips, NumPy's layout, and refusal of what we cannot represent.

use std::fs;
use std::path::Path;

use genzoo_data::{Array, DataError, read_npy, write_npy};

/// Builds a `.npy` file the way `np.save` does: v1.0 preamble, header padded to 64 bytes.
fn numpy_style(header_dict: &str, data: &[u8]) -> Vec<u8> {
    let mut header = header_dict.to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

fn npy_error(path: &Path) -> String {
    match read_npy(path) {
        Err(DataError::Npy { path: p, detail }) => {
            assert_eq!(p, path);
            detail
        }
        other => panic!("expected an Npy error, got {other:?}"),
    }
}

#[test]
fn round_trip_preserves_shape_and_bits() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        Array::new(vec![3, 4], (0..12).map(|v| v as f32 * 0.25 - 1.0).collect()).unwrap(),
        Array::new(vec![5], vec![f32::MIN_POSITIVE, -0.0, f32::MAX, 1e-30, 7.0]).unwrap(),
        Array::new(vec![2, 1, 2, 2], (0..8).map(|v| v as f32).collect()).unwrap(),
        Array::new(vec![0, 3], vec![]).unwrap(),
    ];
    for (k, a) in cases.iter().enumerate() {
        let path = dir.path().join(format!("a{k}.npy"));
        write_npy(&path, a).unwrap();
        let bytes = fs::read(&path).unwrap();
        let header_len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
        assert_eq!((10 + header_len) % 64, 0, "data must start 64-byte aligned");
        assert_eq!(bytes[10 + header_len - 1], b'\n');
        let back = read_npy(&path).unwrap();
        assert_eq!(back.shape, a.shape);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&back.values), bits(&a.values));
    }
}

#[test]
fn writes_numpy_header_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.npy");
    write_npy(&path, &Array::new(vec![3], vec![1.0, 2.0, 3.0]).unwrap()).unwrap();
    let bytes = fs::read(&path).unwrap();
    let data_start = 10 + usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    let header = std::str::from_utf8(&bytes[10..data_start]).unwrap();
    assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"));
    assert!(header.ends_with(" \n"));
    assert_eq!(&bytes[data_start..data_start + 4], &1.0f32.to_le_bytes());
}

#[test]
fn reads_numpy_float64_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f8.npy");
    let data: Vec<u8> = [0.5f64, -2.0, 3.25, 1e300]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    // np.save(a) for a float64 (2, 2) array; NumPy ≥ 1.23 leaves extra spaces for growth.
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }                    ";
    fs::write(&path, numpy_style(dict, &data)).unwrap();
    let a = read_npy(&path).unwrap();
    assert_eq!(a.shape, vec![2, 2]);
    assert_eq!(&a.values[..3], &[0.5, -2.0, 3.25]);
    assert_eq!(
        a.values[3],
        f32::INFINITY,
        "out-of-range doubles narrow to ±inf"
    );
}

#[test]
fn refuses_what_it_cannot_represent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.npy");
    let four = [0u8; 16];
    let cases = [
        (
            "{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }",
            &four[..],
            "dtype",
        ),
        (
            "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
            &four[..],
            "C-order",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
            &four[..4],
            "0-d",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }",
            &four[..],
            "needs 20",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
            &four[..],
            "needs 12",
        ),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': [4], }",
            &four[..],
            "bad header",
        ),
        ("{'descr': '<f4', 'shape': (4,), }", &four[..], "C-order"),
    ];
    for (dict, data, needle) in cases {
        fs::write(&path, numpy_style(dict, data)).unwrap();
        let detail = npy_error(&path);
        assert!(detail.contains(needle), "{dict}: {detail}");
    }
    fs::write(&path, b"PK\x03\x04 not npy").unwrap();
    assert!(npy_error(&path).contains("magic"));
    let mut truncated = numpy_style(
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
        &four,
    );
    truncated.truncate(30);
    fs::write(&path, &truncated).unwrap();
    assert!(npy_error(&path).contains("truncated header"));
}
