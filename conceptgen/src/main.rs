//! `conceptgen [DIR]`: writes the concept atlas and lexicon (default `world/data/concepts`).

fn main() -> anyhow::Result<()> {
    let out: std::path::PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "world/data/concepts".into())
        .into();
    let n = conceptgen::build(&out)?;
    println!("{n} concepts → {}", out.display());
    Ok(())
}
