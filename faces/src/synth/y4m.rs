//! YUV4MPEG2 output, the format Chromium's `--use-file-for-fake-video-capture` plays (in a
//! loop): a one-line header, then `FRAME\n` + I420 planes per frame. Chromium's parser reads at
//! most 200 header bytes, accepts `C420`, `C420jpeg`, `C420mpeg2` and `C420paldv`, and takes
//! the frame rate as an integer; frames carry no parameters.

use std::io::{self, Write};
use std::path::Path;

/// BT.601 limited-range conversion of one pixel (what Chromium assumes for I420 capture).
fn yuv(r: f32, g: f32, b: f32) -> (f32, f32, f32) {
    let y = 16.0 + 0.257 * r + 0.504 * g + 0.098 * b;
    let u = 128.0 - 0.148 * r - 0.291 * g + 0.439 * b;
    let v = 128.0 + 0.439 * r - 0.368 * g - 0.071 * b;
    (y, u, v)
}

fn byte(v: f32) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Converts one RGB8 frame to I420 (Y plane, then U and V at half resolution, each the mean of
/// a 2×2 block). `width` and `height` must be even.
pub(crate) fn rgb_to_i420(rgb: &[u8], width: usize, height: usize) -> Vec<u8> {
    let mut out = vec![0u8; width * height * 3 / 2];
    let (luma, chroma) = out.split_at_mut(width * height);
    let (u_plane, v_plane) = chroma.split_at_mut(width * height / 4);
    for y in (0..height).step_by(2) {
        for x in (0..width).step_by(2) {
            let (mut us, mut vs) = (0.0, 0.0);
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let i = (y + dy) * width + x + dx;
                let p = &rgb[i * 3..i * 3 + 3];
                let (l, u, v) = yuv(p[0] as f32, p[1] as f32, p[2] as f32);
                luma[i] = byte(l);
                us += u;
                vs += v;
            }
            let c = (y / 2) * (width / 2) + x / 2;
            u_plane[c] = byte(us / 4.0);
            v_plane[c] = byte(vs / 4.0);
        }
    }
    out
}

/// Writes `frames` (RGB8, `width × height`, both even) as a `.y4m` at `fps` frames per second.
pub fn write_y4m(
    path: &Path,
    frames: impl IntoIterator<Item = Vec<u8>>,
    width: u32,
    height: u32,
    fps: u32,
) -> io::Result<()> {
    if width == 0 || height == 0 || (width | height) & 1 != 0 || fps == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "y4m needs an even, non-zero width and height and fps ≥ 1",
        ));
    }
    let (w, h) = (width as usize, height as usize);
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg")?;
    for frame in frames {
        if frame.len() != w * h * 3 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a frame's size does not match width × height × 3",
            ));
        }
        out.write_all(b"FRAME\n")?;
        out.write_all(&rgb_to_i420(&frame, w, h))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_black_and_red_convert_to_the_bt601_limited_range() {
        let rgb = [255, 255, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0];
        let i420 = rgb_to_i420(&rgb, 2, 2);
        assert_eq!(&i420[..4], &[235, 16, 82, 82]);
        assert_eq!(i420.len(), 6);
    }

    #[test]
    fn header_and_frames() -> io::Result<()> {
        let dir = std::env::temp_dir().join(format!("faces-y4m-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("t.y4m");
        write_y4m(&path, vec![vec![0u8; 4 * 2 * 3]; 3], 4, 2, 5)?;
        let bytes = std::fs::read(&path)?;
        let header = b"YUV4MPEG2 W4 H2 F5:1 Ip A1:1 C420jpeg\n";
        assert!(bytes.starts_with(header));
        assert_eq!(bytes.len(), header.len() + 3 * (6 + 12));
        assert!(write_y4m(&path, vec![vec![0u8; 3]], 3, 1, 5).is_err());
        std::fs::remove_dir_all(&dir)
    }
}
