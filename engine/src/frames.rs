//! Conversions between RGB bytes (frame-major, HWC) and model tensors ([−1, 1], CHW), and PNG
//! output.

use std::path::Path;

use tch::{Kind, Tensor};

use crate::EngineError;

/// `n` RGB images of `size × size` → [n, 3, size, size] in [−1, 1].
pub fn rgb_to_tensor(rgb: &[u8], n: usize, size: usize) -> Tensor {
    Tensor::from_slice(rgb)
        .view([n as i64, size as i64, size as i64, 3])
        .permute([0, 3, 1, 2])
        .to_kind(Kind::Float)
        / 127.5
        - 1.0
}

/// [..., 3, H, W] in [−1, 1] → RGB bytes (HWC per image, images in order).
pub fn tensor_to_rgb(x: &Tensor) -> Vec<u8> {
    let s = x.size();
    let (h, w) = (s[s.len() - 2], s[s.len() - 1]);
    let flat = x.reshape([-1, 3, h, w]).permute([0, 2, 3, 1]);
    let bytes = ((flat.to_device(tch::Device::Cpu).to_kind(Kind::Float).clamp(-1.0, 1.0) + 1.0) * 127.5)
        .round()
        .to_kind(Kind::Uint8);
    let n = bytes.numel();
    let mut out = vec![0u8; n];
    bytes.contiguous().copy_data(&mut out, n);
    out
}

/// Writes frames as `dir/0000.png`, `dir/0001.png`, … and returns the paths.
pub fn write_pngs(dir: &Path, rgb: &[u8], size: usize) -> Result<Vec<std::path::PathBuf>, EngineError> {
    std::fs::create_dir_all(dir)?;
    let per = size * size * 3;
    let mut paths = Vec::new();
    for (i, frame) in rgb.chunks_exact(per).enumerate() {
        let path = dir.join(format!("{i:04}.png"));
        let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let mut enc = png::Encoder::new(file, size as u32, size as u32);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header()?.write_image_data(frame)?;
        paths.push(path);
    }
    Ok(paths)
}
