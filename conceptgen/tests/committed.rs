//! The committed concept library is exactly what `conceptgen` builds from the Debian packages
//! (`make concepts` regenerates it; `make deps-test` installs the packages).

#[test]
fn committed_atlas_and_lexicon_match_a_fresh_build() {
    let dir = std::env::temp_dir().join(format!("conceptgen-{}", std::process::id()));
    let n = conceptgen::build(&dir).expect("build from the installed packages");
    assert!(n >= 1500, "{n} concepts");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../world/data/concepts");
    for file in ["lexicon.tsv", "atlas.png"] {
        let fresh = std::fs::read(dir.join(file)).expect("fresh");
        let committed = std::fs::read(root.join(file)).expect("committed");
        assert!(
            fresh == committed,
            "{file} differs from a fresh build: run `make concepts`"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
