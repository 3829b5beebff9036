#![cfg(not(target_arch = "wasm32"))]
//! The shipped digits file parses, checks out and matches what the converter reported; corrupt
//! inputs are rejected with the right error.

use dlviz::core::mnist::{self, fnv1a32, MnistError, PIXELS};
use std::io::Read;

fn shipped() -> Vec<u8> {
    let gz = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/mnist/digits.bin.gz"))
        .expect("assets/mnist/digits.bin.gz");
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out).expect("gzip");
    out
}

#[test]
fn fnv1a_reference_values() {
    // Published FNV-1a 32 test vectors.
    assert_eq!(fnv1a32(b""), 0x811c9dc5);
    assert_eq!(fnv1a32(b"a"), 0xe40c292c);
    assert_eq!(fnv1a32(b"foobar"), 0xbf9cf968);
}

#[test]
fn shipped_file_parses_with_converter_counts() {
    let m = mnist::parse(&shipped()).expect("valid file");
    assert_eq!(m.len(), 10_000);
    let mut counts = [0usize; 10];
    for i in 0..m.len() {
        counts[m.label(i).unwrap() as usize] += 1;
    }
    // Printed by xtask/scripts/mnist.py when it wrote the file.
    assert_eq!(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    let ds = m.dataset(500);
    assert_eq!(ds.x.shape(), &[500, PIXELS]);
    assert!(ds.x.data().iter().all(|v| (0.0..=1.0).contains(v)));
    // A digit has ink: mean intensity of MNIST is about 0.13.
    let mean: f32 = ds.x.data().iter().sum::<f32>() / ds.x.data().len() as f32;
    assert!((0.10..0.16).contains(&mean), "mean pixel {mean}");
    let (train, val) = ds.split(0.2, 7).unwrap();
    assert_eq!((train.len(), val.len()), (400, 100));
}

#[test]
fn corrupt_inputs_are_rejected() {
    let labels = [3u8, 9];
    let pixels = vec![17u8; 2 * PIXELS];
    let good = mnist::encode(&labels, &pixels);
    assert!(mnist::parse(&good).is_ok());
    assert!(matches!(mnist::parse(&good[..10]), Err(MnistError::Truncated { .. })));
    assert!(matches!(mnist::parse(&good[..good.len() - 1]), Err(MnistError::Truncated { .. })));
    let mut bad = good.clone();
    bad[0] = b'X';
    assert_eq!(mnist::parse(&bad), Err(MnistError::BadMagic));
    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(mnist::parse(&flipped), Err(MnistError::Checksum { .. })));
    let bad_label = mnist::encode(&[3, 12], &pixels);
    assert_eq!(mnist::parse(&bad_label), Err(MnistError::BadLabel { index: 1, label: 12 }));
    let mut rows = good.clone();
    rows[12] = 27;
    assert!(matches!(mnist::parse(&rows), Err(MnistError::BadHeader { rows: 27, .. })));
    // Every error explains itself in words.
    assert!(MnistError::BadMagic.to_string().contains("magic"));
}
