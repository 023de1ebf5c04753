//! The bundled sample never drifts from the generator: regenerating it gives the same bytes.
use carepath::synth::{generate_with, ExtractOptions, FileFormat, GenerateOptions, Layout};
use std::path::Path;

/// Must match the command in sample-data/README.md.
pub fn sample_options(out: &Path) -> GenerateOptions {
    GenerateOptions {
        people: 20_000,
        years: vec!["1819".into(), "1920".into(), "2021".into()],
        seed: 20_240_301,
        out: out.to_path_buf(),
        format: FileFormat::Parquet,
        csv_years: vec!["2021".into()],
        progress: false,
    }
}

/// The sample is in the full published layout, its CSV year gzip-compressed (the CLI's
/// defaults plus `--gzip-csv`).
pub fn sample_extract() -> ExtractOptions {
    ExtractOptions { layout: Layout::Full, hbrescode_only: false, gzip_csv: true }
}

#[test]
fn sample_data_is_reproduced_byte_for_byte() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let tmp = tempfile::tempdir().expect("tempdir");
    let summary = generate_with(&sample_options(tmp.path()), &sample_extract()).expect("generate");
    assert!(summary.files.len() >= 14, "{} files", summary.files.len());
    let mut compared = 0;
    for (path, rows, _) in &summary.files {
        let name = path.file_name().expect("name");
        let want = std::fs::read(sample.join(name)).unwrap_or_else(|e| panic!("sample-data/{name:?}: {e}"));
        let got = std::fs::read(path).expect("generated file");
        assert!(got == want, "sample-data/{name:?} differs from a fresh generation ({rows} rows): regenerate it (see sample-data/README.md)");
        compared += 1;
    }
    // nothing extra in sample-data besides the README
    for entry in std::fs::read_dir(&sample).expect("sample-data") {
        let name = entry.expect("entry").file_name();
        let n = name.to_string_lossy();
        assert!(n == "README.md" || n.starts_with('.') || tmp.path().join(&name).exists(), "unexpected sample-data/{n}");
    }
    assert_eq!(compared, summary.files.len());
}
