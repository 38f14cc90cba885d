//! Replays every fuzz target over its corpus (`fuzz/corpus/<target>/`) and its fixed
//! crash reproducers (`fuzz/regressions/<target>/`, when there is one) on stable, as
//! part of `cargo test`: what the fuzzer found once stays fixed. A target without a
//! corpus fails the test, so a new target cannot be left unseeded.

use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The files of `dir`, sorted so that a failure names the same file every time.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_passes_over_its_corpus() {
    for (name, target) in npd_fuzz_targets::TARGETS {
        let corpus = fuzz_dir().join("corpus").join(name);
        let inputs = files(&corpus);
        assert!(!inputs.is_empty(), "{}: an empty corpus", corpus.display());
        let regressions = fuzz_dir().join("regressions").join(name);
        let fixed = if regressions.is_dir() {
            files(&regressions)
        } else {
            Vec::new()
        };
        for input in inputs.iter().chain(&fixed) {
            let data = std::fs::read(input).expect("a corpus file");
            let run = std::panic::catch_unwind(|| target(&data));
            assert!(run.is_ok(), "{name} fails on {}", input.display());
        }
    }
}

#[test]
fn every_target_has_a_harness() {
    let dir = fuzz_dir().join("fuzz_targets");
    for (name, _) in npd_fuzz_targets::TARGETS {
        let harness = dir.join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&harness)
            .unwrap_or_else(|e| panic!("{}: {e}", harness.display()));
        assert!(
            text.contains(&format!("npd_fuzz_targets::{name}(data)")),
            "{name}"
        );
    }
}
