//! Content Credentials on real H.264 MP4s made by the `media` crate: signing, remix chains,
//! tampering, stripping, a foreign signer, garbage input, and the independent `c2patool` check.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use provenance::{sign_mp4, verify, Authority, ClipClaims, ProvenanceError, Verdict, TRAINED_ALGORITHMIC_MEDIA};

const SIZE: usize = 64;
const FRAMES: usize = 16;
const FPS: u32 = 8;

/// A fresh, empty folder under the system's temp dir (removed by [`TempDir`]'s drop).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("provenance-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The test binary's authority (one chain for every test that does not need its own). It lives
/// in memory once loaded, so its folder (and private key) is removed at once: statics never drop.
fn authority() -> &'static Authority {
    static AUTH: OnceLock<Authority> = OnceLock::new();
    AUTH.get_or_init(|| {
        let dir = TempDir::new("auth");
        Authority::load_or_create(&dir.0).unwrap()
    })
}

/// A real clip: 16 frames of 64×64 moving gradients, different for each `seed`.
fn clip(seed: u8) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(FRAMES * SIZE * SIZE * 3);
    for f in 0..FRAMES {
        for y in 0..SIZE {
            for x in 0..SIZE {
                rgb.push(((x * 4 + f * 8) % 256) as u8 ^ seed);
                rgb.push(((y * 4) % 256) as u8);
                rgb.push((((x + y) * 2) % 256) as u8 ^ seed.wrapping_mul(16));
            }
        }
    }
    media::encode_mp4(&rgb, SIZE, FPS).unwrap().mp4
}

fn claims(clip_id: &str) -> ClipClaims {
    ClipClaims {
        clip_id: clip_id.to_string(),
        model_id: "reelroom-v2".to_string(),
        seed: 42,
        steps: 8,
        script_sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".to_string(),
        creator: "@maker".to_string(),
        grant_ids: vec!["grant-a".to_string(), "grant-b".to_string()],
        watermark_tag: Some(0xC0FFEE),
    }
}

/// A signed 3-clip chain: original, remix of it, remix of the remix.
fn chain(auth: &Authority) -> [Vec<u8>; 3] {
    let a = sign_mp4(auth, &clip(1), &claims("clip-a"), None).unwrap();
    let b = sign_mp4(auth, &clip(2), &claims("clip-b"), Some(&a)).unwrap();
    let c = sign_mp4(auth, &clip(3), &claims("clip-c"), Some(&b)).unwrap();
    [a, b, c]
}

/// The range of the first top-level box of type `kind` (header included).
fn top_level_box(mp4: &[u8], kind: &[u8; 4]) -> std::ops::Range<usize> {
    let mut at = 0;
    while at + 8 <= mp4.len() {
        let mut size = u32::from_be_bytes(mp4[at..at + 4].try_into().unwrap()) as usize;
        if size == 1 {
            size = u64::from_be_bytes(mp4[at + 8..at + 16].try_into().unwrap()) as usize;
        } else if size == 0 {
            size = mp4.len() - at;
        }
        if &mp4[at + 4..at + 8] == kind {
            return at..at + size;
        }
        assert!(size >= 8, "bad box at {at}");
        at += size;
    }
    panic!("no {} box", String::from_utf8_lossy(kind));
}

/// The payload range of the first top-level `mdat` box (a 32-bit size: header 8 bytes).
fn mdat_payload(mp4: &[u8]) -> std::ops::Range<usize> {
    let mdat = top_level_box(mp4, b"mdat");
    mdat.start + 8..mdat.end
}

fn assert_trusted(v: &Verdict) {
    assert!(v.present, "{v:#?}");
    assert!(v.valid, "{v:#?}");
    assert!(v.trusted, "{v:#?}");
    assert!(v.failures.is_empty(), "{v:#?}");
}

#[test]
fn authority_is_created_once_private_and_reloaded() {
    let dir = TempDir::new("store");
    let first = Authority::load_or_create(&dir.0).unwrap();
    let root = first.root_pem().to_string();
    assert!(root.starts_with("-----BEGIN CERTIFICATE-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &str| {
            std::fs::metadata(provenance::store_path(&dir.0, f))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(provenance::SIGNER_KEY_FILE), 0o600);
        let store = std::fs::metadata(dir.0.join(provenance::STORE_DIR))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(store, 0o700);
    }
    // A second start loads the same chain, and what one signs the other trusts.
    let again = Authority::load_or_create(&dir.0).unwrap();
    assert_eq!(again.root_pem(), root);
    let signed = sign_mp4(&first, &clip(9), &claims("reload"), None).unwrap();
    assert_trusted(&verify(&again, &signed, "video/mp4"));
    // Only root.pem, signer.pem and signer.key are kept: the root's private key is not.
    let mut names: Vec<_> = std::fs::read_dir(dir.0.join(provenance::STORE_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["root.pem", "signer.key", "signer.pem"]);

    // A key that is not the certificate's is refused at load time.
    let key_path = provenance::store_path(&dir.0, provenance::SIGNER_KEY_FILE);
    let own_key = std::fs::read(&key_path).unwrap();
    let other = TempDir::new("store-other");
    Authority::load_or_create(&other.0).unwrap();
    std::fs::write(
        &key_path,
        std::fs::read(provenance::store_path(&other.0, provenance::SIGNER_KEY_FILE)).unwrap(),
    )
    .unwrap();
    let err = Authority::load_or_create(&dir.0).unwrap_err();
    assert!(matches!(err, ProvenanceError::Mismatch(_)), "{err:?}");
    std::fs::write(&key_path, own_key).unwrap();
    assert_eq!(Authority::load_or_create(&dir.0).unwrap().root_pem(), root);

    // A store missing a file is refused, not silently replaced.
    std::fs::remove_file(provenance::store_path(&dir.0, provenance::SIGNER_KEY_FILE)).unwrap();
    let err = Authority::load_or_create(&dir.0).unwrap_err();
    assert!(matches!(err, ProvenanceError::Incomplete { .. }), "{err:?}");
}

#[test]
fn authority_debug_does_not_print_the_key() {
    let shown = format!("{:?}", authority());
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Authority>();
}

#[test]
fn a_signed_clip_is_valid_trusted_and_labelled_ai_generated() {
    let auth = authority();
    let mp4 = clip(1);
    let signed = sign_mp4(auth, &mp4, &claims("clip-a"), None).unwrap();
    assert!(signed.len() > mp4.len());
    let v = verify(auth, &signed, "video/mp4");
    assert_trusted(&v);
    assert_eq!(v.actions, ["c2pa.created"]);
    assert_eq!(v.digital_source_types, [TRAINED_ALGORITHMIC_MEDIA]);
    assert_eq!(v.clip_id.as_deref(), Some("clip-a"));
    assert_eq!(v.grant_ids, ["grant-a", "grant-b"]);
    assert_eq!(v.watermark_tag, Some(0xC0FFEE));
    assert!(v.ingredients.is_empty());
    // The same bytes read as QuickTime too (the container is detected from the bytes).
    assert_trusted(&verify(auth, &signed, "video/quicktime"));

    // The whole clip assertion, and no thumbnail anywhere (no frames of cast faces).
    let reader = c2pa::Reader::from_context(c2pa::Context::new())
        .with_stream("video/mp4", std::io::Cursor::new(&signed))
        .unwrap();
    let manifest = reader.active_manifest().unwrap();
    let clip: serde_json::Value = manifest.find_assertion(provenance::CLIP_ASSERTION).unwrap();
    assert_eq!(
        clip,
        serde_json::json!({
            "clip_id": "clip-a", "model_id": "reelroom-v2", "seed": 42, "steps": 8,
            "script_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "creator": "@maker",
        })
    );
    assert!(manifest.thumbnail_ref().is_none());
    assert_eq!(manifest.signature_info().unwrap().alg, Some(c2pa::SigningAlg::Ed25519));

    // Without grants or a watermark those assertions are simply absent.
    let bare = ClipClaims {
        grant_ids: vec![],
        watermark_tag: None,
        ..claims("bare")
    };
    let v = verify(auth, &sign_mp4(auth, &mp4, &bare, None).unwrap(), "video/mp4");
    assert_trusted(&v);
    assert!(v.grant_ids.is_empty() && v.watermark_tag.is_none());
}

#[test]
fn a_remix_names_its_parent() {
    let auth = authority();
    let parent = sign_mp4(auth, &clip(1), &claims("clip-a"), None).unwrap();
    let remix = sign_mp4(auth, &clip(2), &claims("clip-b"), Some(&parent)).unwrap();
    let v = verify(auth, &remix, "video/mp4");
    assert_trusted(&v);
    assert_eq!(v.clip_id.as_deref(), Some("clip-b"));
    assert!(v.actions.contains(&"c2pa.opened".to_string()), "{:?}", v.actions);
    assert!(v.actions.contains(&"c2pa.edited".to_string()), "{:?}", v.actions);
    assert!(!v.actions.contains(&"c2pa.created".to_string()), "{:?}", v.actions);
    assert!(
        v.digital_source_types.iter().all(|t| t == TRAINED_ALGORITHMIC_MEDIA),
        "{:?}",
        v.digital_source_types
    );
    assert!(!v.digital_source_types.is_empty());
    assert_eq!(v.ingredients.len(), 1, "{:?}", v.ingredients);
    let p = &v.ingredients[0];
    assert_eq!(p.relationship, "parentOf");
    assert_eq!(p.clip_id.as_deref(), Some("clip-a"));
    assert_eq!(p.title, "clip-a.mp4");
    assert!(p.valid && p.trusted);
}

#[test]
fn a_chain_of_three_verifies_offline_and_is_reported() {
    let auth = authority();
    let [a, b, c] = chain(auth);
    for signed in [&a, &b, &c] {
        assert_trusted(&verify(auth, signed, "video/mp4"));
    }
    let v = verify(auth, &c, "video/mp4");
    assert_eq!(v.clip_id.as_deref(), Some("clip-c"));
    let ids: Vec<_> = v.ingredients.iter().map(|i| i.clip_id.as_deref()).collect();
    assert_eq!(ids, [Some("clip-b"), Some("clip-a")], "{:#?}", v.ingredients);
    assert!(v
        .ingredients
        .iter()
        .all(|i| i.valid && i.trusted && i.relationship == "parentOf"));
}

#[test]
fn flipping_one_byte_of_the_video_invalidates_it() {
    let auth = authority();
    let mut signed = sign_mp4(auth, &clip(1), &claims("clip-a"), None).unwrap();
    let mdat = mdat_payload(&signed);
    signed[mdat.start + mdat.len() / 2] ^= 0x01;
    let v = verify(auth, &signed, "video/mp4");
    assert!(v.present && !v.valid && !v.trusted, "{v:#?}");
    assert!(
        v.failures.iter().any(|f| f.starts_with("assertion.bmffHash.mismatch")),
        "{:?}",
        v.failures
    );

    // A remix whose parent was tampered with is refused.
    let err = sign_mp4(auth, &clip(2), &claims("clip-b"), Some(&signed)).unwrap_err();
    assert!(matches!(err, ProvenanceError::InvalidParent(_)), "{err:?}");
}

#[test]
fn an_unsigned_clip_has_no_manifest() {
    let v = verify(authority(), &clip(1), "video/mp4");
    assert_eq!(v, Verdict::default());
}

#[test]
fn another_authoritys_manifest_is_valid_but_not_trusted() {
    let other_dir = TempDir::new("other");
    let other = Authority::load_or_create(&other_dir.0).unwrap();
    assert_ne!(other.root_pem(), authority().root_pem());
    let foreign = sign_mp4(&other, &clip(1), &claims("forged"), None).unwrap();
    let v = verify(authority(), &foreign, "video/mp4");
    assert!(v.present && v.valid && !v.trusted, "{v:#?}");
    assert!(
        v.failures.iter().any(|f| f.starts_with("signingCredential.untrusted")),
        "{:?}",
        v.failures
    );
    // Its signer trusts it.
    assert_trusted(&verify(&other, &foreign, "video/mp4"));

    // Our remix of a foreign clip: our signature is trusted (c2pa does not count the parent's
    // untrusted signer, recorded when it was ingested, against the remix), and the ingredient
    // says its own signer was not trusted.
    let remix = sign_mp4(authority(), &clip(2), &claims("ours"), Some(&foreign)).unwrap();
    let v = verify(authority(), &remix, "video/mp4");
    assert!(v.present && v.valid && v.trusted, "{v:#?}");
    assert_eq!(v.ingredients.len(), 1);
    let parent = &v.ingredients[0];
    assert_eq!(parent.clip_id.as_deref(), Some("forged"));
    assert!(parent.valid && !parent.trusted, "{parent:?}");
}

#[test]
fn garbage_and_truncated_input_never_panics() {
    let auth = authority();
    let signed = sign_mp4(auth, &clip(1), &claims("clip-a"), None).unwrap();
    let mut inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"not a video at all".to_vec(),
        vec![0u8; 4096],
        vec![0xFF; 4096],
        signed[..8].to_vec(),
        signed[..signed.len() / 3].to_vec(),
        signed[..signed.len() / 2].to_vec(),
        signed[..signed.len() - 1].to_vec(),
    ];
    // Pseudo-random bytes, and pseudo-random bytes behind a real `ftyp` box.
    let mut x: u32 = 0x1234_5678;
    let mut noise = || {
        (0..8192)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect::<Vec<u8>>()
    };
    inputs.push(noise());
    let mut boxed = signed[..32].to_vec();
    boxed.extend(noise());
    inputs.push(boxed);
    // Every 997th byte of the signed file flipped, one at a time (hits the manifest too).
    for at in (0..signed.len()).step_by(997) {
        let mut bad = signed.clone();
        bad[at] ^= 0x5A;
        inputs.push(bad);
    }
    // Whatever the format hint: no panic, and a verdict that is consistent with itself.
    for (i, bytes) in inputs.iter().enumerate() {
        for format in ["video/mp4", "video/quicktime", "image/jpeg", "application/x-nonsense"] {
            let v = verify(auth, bytes, format);
            assert!(v.present || (!v.valid && !v.trusted), "input {i} ({format}): {v:#?}");
            assert!(v.valid || !v.trusted, "input {i} ({format}): {v:#?}");
            assert!(!v.valid || v.failures.iter().all(|f| f.starts_with("signingCredential.untrusted")));
        }
    }
    // A damaged manifest is still reported as present: every 13th byte of the manifest's `uuid`
    // box flipped, one at a time (bar the 16 bytes of the store's JUMBF UUID, the one thing that
    // says "this is C2PA"). A few flips land in bytes no signature covers (the COSE signature's
    // reserved padding, the box's unused offset field) and change nothing; the rest invalidate it.
    let manifest = top_level_box(&signed, b"uuid");
    let marker = signed
        .windows(16)
        .position(|w| w.starts_with(b"c2pa\x00\x11\x00\x10"))
        .unwrap();
    let (mut invalid, mut padding) = (0, 0);
    for at in manifest.step_by(13).filter(|at| !(marker..marker + 16).contains(at)) {
        let mut bad = signed.clone();
        bad[at] ^= 0x10;
        let v = verify(auth, &bad, "video/mp4");
        assert!(v.present, "flip at {at}: {v:#?}");
        if v.valid {
            assert!(
                v.trusted && v.clip_id.as_deref() == Some("clip-a"),
                "flip at {at}: {v:#?}"
            );
            padding += 1;
        } else {
            invalid += 1;
        }
    }
    assert!(invalid > 100 && padding > 0, "{invalid} invalid, {padding} unchanged");
    println!("manifest byte flips: {invalid} invalid, {padding} unchanged (unsigned padding)");
    // Truncations specifically are never valid.
    for cut in [signed.len() / 3, signed.len() / 2, signed.len() - 1] {
        let v = verify(auth, &signed[..cut], "video/mp4");
        assert!(!v.present || !v.valid, "cut at {cut}: {v:#?}");
    }
}

#[test]
fn timings() {
    let auth = authority();
    let clips: Vec<Vec<u8>> = (0..8).map(clip).collect();
    let n = clips.len() as u32;

    let t = Instant::now();
    let signed: Vec<Vec<u8>> = clips
        .iter()
        .enumerate()
        .map(|(i, c)| sign_mp4(auth, c, &claims(&format!("t{i}")), None).unwrap())
        .collect();
    let sign = t.elapsed() / n;

    let t = Instant::now();
    for s in &signed {
        assert!(verify(auth, s, "video/mp4").trusted);
    }
    let verify_one = t.elapsed() / n;

    let t = Instant::now();
    let mut parent = signed[0].clone();
    let mut remixes = Vec::new();
    for (i, c) in clips.iter().enumerate().skip(1).take(3) {
        parent = sign_mp4(auth, c, &claims(&format!("r{i}")), Some(&parent)).unwrap();
        remixes.push(parent.clone());
    }
    let remix_sign = t.elapsed() / remixes.len() as u32;
    let deepest = remixes.last().unwrap();
    let t = Instant::now();
    let v = verify(auth, deepest, "video/mp4");
    let verify_chain = t.elapsed();
    assert!(v.trusted && v.ingredients.len() == 3, "{v:#?}");

    let unsigned_mean = clips.iter().map(Vec::len).sum::<usize>() / clips.len();
    let signed_mean = signed.iter().map(Vec::len).sum::<usize>() / signed.len();
    println!(
        "provenance timings ({FRAMES} frames {SIZE}px→256px H.264, mean of {n}): sign {:.2} ms, verify {:.2} ms, \
         remix sign {:.2} ms, verify a 4-deep chain {:.2} ms; clip {unsigned_mean} B → signed {signed_mean} B, \
         4-deep remix {} B",
        sign.as_secs_f64() * 1e3,
        verify_one.as_secs_f64() * 1e3,
        remix_sign.as_secs_f64() * 1e3,
        verify_chain.as_secs_f64() * 1e3,
        deepest.len(),
    );
}

// --- the independent verifier --------------------------------------------------------------

fn c2patool() -> PathBuf {
    match std::env::var_os("C2PATOOL") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => {
            let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
            home.join(".cache/reelroom/c2patool/bin/c2patool")
        }
    }
}

/// Runs `c2patool FILE --settings S [trust --trust_anchors ROOT]` and parses its JSON report.
fn c2patool_report(dir: &Path, file: &Path, root: Option<&Path>) -> serde_json::Value {
    let tool = c2patool();
    assert!(
        tool.is_file(),
        "c2patool not found at {} (run `make c2patool`, or set C2PATOOL)",
        tool.display()
    );
    // Our own settings file (so no user config is read): nothing fetched.
    let settings = dir.join("c2patool.toml");
    std::fs::write(
        &settings,
        "[verify]\nremote_manifest_fetch = false\nocsp_fetch = false\n",
    )
    .unwrap();
    let mut cmd = Command::new(&tool);
    cmd.arg(file).arg("--settings").arg(&settings);
    if let Some(root) = root {
        cmd.arg("trust").arg("--trust_anchors").arg(root);
    }
    let out = cmd
        .env_remove("C2PATOOL_TRUST_ANCHORS")
        .env_remove("C2PATOOL_ALLOWED_LIST")
        .env_remove("C2PATOOL_TRUST_CONFIG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "c2patool failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("c2patool printed no JSON ({e}):\n{stdout}"))
}

/// `[(manifest label, clip_id)]` from the active manifest down through the parentOf ingredients.
fn chain_in_report(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut label = report["active_manifest"].as_str().map(str::to_string);
    while let Some(l) = label.take() {
        let manifest = &report["manifests"][&l];
        let clip = manifest["assertions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == provenance::CLIP_ASSERTION)
            .map(|a| a["data"]["clip_id"].as_str().unwrap().to_string())
            .unwrap();
        out.push((l.clone(), clip));
        let parents: Vec<_> = manifest["ingredients"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["relationship"] == "parentOf")
            .collect();
        assert!(parents.len() <= 1);
        label = parents
            .first()
            .and_then(|p| p["active_manifest"].as_str())
            .map(str::to_string);
        assert!(out.len() < 10);
    }
    out
}

#[test]
fn c2patool_trusts_a_signed_remix_chain_with_our_root() {
    let auth = authority();
    let dir = TempDir::new("c2patool");
    let [_, _, c] = chain(auth);
    let root = dir.0.join("root.pem");
    std::fs::write(&root, auth.root_pem()).unwrap();
    let file = dir.0.join("clip-c.mp4");
    std::fs::write(&file, &c).unwrap();

    let report = c2patool_report(&dir.0, &file, Some(&root));
    if std::env::var_os("PROVENANCE_PRINT_REPORT").is_some() {
        println!("{}", serde_json::to_string_pretty(&report).unwrap());
    }
    assert_eq!(report["validation_state"], "Trusted", "{report:#}");
    let active = &report["validation_results"]["activeManifest"];
    assert_eq!(active["failure"].as_array().map_or(0, Vec::len), 0, "{report:#}");
    let codes: Vec<&str> = active["success"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["code"].as_str())
        .collect();
    for code in [
        "signingCredential.trusted",
        "claimSignature.validated",
        "assertion.bmffHash.match",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    let chain = chain_in_report(&report);
    let ids: Vec<&str> = chain.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(ids, ["clip-c", "clip-b", "clip-a"], "{report:#}");
    // The active manifest's actions as c2patool reads them.
    let manifest = &report["manifests"][report["active_manifest"].as_str().unwrap()];
    let actions = manifest["assertions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["label"].as_str().is_some_and(|l| l.starts_with("c2pa.actions")))
        .unwrap();
    let edited = actions["data"]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "c2pa.edited")
        .unwrap();
    assert_eq!(edited["digitalSourceType"], TRAINED_ALGORITHMIC_MEDIA);

    // Without our root c2patool calls it valid but untrusted; tampered, invalid.
    let untrusted = c2patool_report(&dir.0, &file, None);
    assert_eq!(untrusted["validation_state"], "Valid", "{untrusted:#}");
    let mut tampered = c;
    let mdat = mdat_payload(&tampered);
    tampered[mdat.start + 7] ^= 0x80;
    let bad = dir.0.join("tampered.mp4");
    std::fs::write(&bad, &tampered).unwrap();
    let report = c2patool_report(&dir.0, &bad, Some(&root));
    assert_eq!(report["validation_state"], "Invalid", "{report:#}");
}
