//! `cargo run -p world --example render_v2 -- "PROMPT" out.png [SEED]`: the v2 world's own
//! rendering of a prompt (what the model is trained to make), 8 frames side by side at 128×128.

use world::v2::render::{render_v2, slot_sprites, V2_SIZE};
use world::v2::understand;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let prompt = args.get(1).ok_or("usage: render_v2 PROMPT OUT.png [SEED]")?;
    let out = args.get(2).ok_or("usage: render_v2 PROMPT OUT.png [SEED]")?;
    let seed: u32 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let u = understand(prompt);
    println!("{}", u.summary());
    let scene = u.scene(seed);
    let r = render_v2(&scene, &slot_sprites(&scene, &[]), 0.0, world::FRAMES, V2_SIZE);
    let (n, s) = (8, V2_SIZE);
    let mut strip = vec![0u8; n * s * s * 3];
    for k in 0..n {
        let f = r.clip.frame(k * 2);
        for y in 0..s {
            let dst = (y * n * s + k * s) * 3;
            strip[dst..dst + s * 3].copy_from_slice(&f[y * s * 3..(y + 1) * s * 3]);
        }
    }
    let mut enc = png::Encoder::new(
        std::io::BufWriter::new(std::fs::File::create(out)?),
        (n * s) as u32,
        s as u32,
    );
    enc.set_color(png::ColorType::Rgb);
    enc.write_header()?.write_image_data(&strip)?;
    Ok(())
}
