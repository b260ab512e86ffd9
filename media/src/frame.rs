//! Pixel plumbing shared by the encoders: integer upscaling and RGB ↔ I420 (BT.601, limited
//! range, what browsers assume for VP8 and H.264 without colour metadata).

/// Nearest-neighbour upscale of one `size × size` RGB frame by `k`.
pub fn upscale(frame: &[u8], size: usize, k: usize) -> Vec<u8> {
    let out_size = size * k;
    let mut out = vec![0u8; out_size * out_size * 3];
    for y in 0..out_size {
        let src_row = &frame[(y / k) * size * 3..(y / k + 1) * size * 3];
        let dst_row = &mut out[y * out_size * 3..(y + 1) * out_size * 3];
        for x in 0..out_size {
            dst_row[x * 3..x * 3 + 3].copy_from_slice(&src_row[(x / k) * 3..(x / k) * 3 + 3]);
        }
    }
    out
}

fn clamp(v: i32) -> u8 {
    v.clamp(0, 255) as u8
}

/// RGB (`w × h × 3`, even sides) into an I420 buffer (`Y`, then `U`, then `V`).
pub fn rgb_to_i420(rgb: &[u8], w: usize, h: usize, out: &mut Vec<u8>) {
    out.clear();
    out.resize(w * h * 3 / 2, 0);
    let (y_plane, uv) = out.split_at_mut(w * h);
    let (u_plane, v_plane) = uv.split_at_mut(w * h / 4);
    for (i, px) in rgb.chunks_exact(3).take(w * h).enumerate() {
        let (r, g, b) = (px[0] as i32, px[1] as i32, px[2] as i32);
        y_plane[i] = clamp(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
    }
    for cy in 0..h / 2 {
        for cx in 0..w / 2 {
            let (mut r, mut g, mut b) = (0i32, 0i32, 0i32);
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let p = ((2 * cy + dy) * w + 2 * cx + dx) * 3;
                r += rgb[p] as i32;
                g += rgb[p + 1] as i32;
                b += rgb[p + 2] as i32;
            }
            let (r, g, b) = (r / 4, g / 4, b / 4);
            u_plane[cy * (w / 2) + cx] = clamp(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
            v_plane[cy * (w / 2) + cx] = clamp(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
        }
    }
}

/// I420 planes (with their strides) back to RGB, `w × h × 3`.
pub fn i420_to_rgb(planes: [(&[u8], usize); 3], w: usize, h: usize) -> Vec<u8> {
    let [(yp, ys), (up, us), (vp, vs)] = planes;
    let mut out = Vec::with_capacity(w * h * 3);
    for y in 0..h {
        for x in 0..w {
            let c = yp[y * ys + x] as i32 - 16;
            let d = up[(y / 2) * us + x / 2] as i32 - 128;
            let e = vp[(y / 2) * vs + x / 2] as i32 - 128;
            out.push(clamp((298 * c + 409 * e + 128) >> 8));
            out.push(clamp((298 * c - 100 * d - 208 * e + 128) >> 8));
            out.push(clamp((298 * c + 516 * d + 128) >> 8));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_survives_a_round_trip_through_i420() {
        let (w, h) = (8, 8);
        let rgb: Vec<u8> = (0..w * h).flat_map(|_| [200u8, 40, 30]).collect();
        let mut yuv = Vec::new();
        rgb_to_i420(&rgb, w, h, &mut yuv);
        let (y, rest) = yuv.split_at(w * h);
        let (u, v) = rest.split_at(w * h / 4);
        let back = i420_to_rgb([(y, w), (u, w / 2), (v, w / 2)], w, h);
        for (a, b) in rgb.iter().zip(&back) {
            assert!((*a as i32 - *b as i32).abs() <= 3, "{a} vs {b}");
        }
    }

    #[test]
    fn upscale_repeats_pixels() {
        let frame = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        let big = upscale(&frame, 2, 2);
        assert_eq!(big.len(), 4 * 4 * 3);
        assert_eq!(&big[0..6], &[1, 2, 3, 1, 2, 3]);
        assert_eq!(&big[4 * 3 * 3..4 * 3 * 3 + 3], &[7, 8, 9]);
    }
}
