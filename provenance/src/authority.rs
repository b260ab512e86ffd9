//! The service's private C2PA certificate authority.
//!
//! The C2PA verifier's certificate profile refuses a self-signed signer, so the chain has two
//! levels: a root CA (Ed25519, pathLen 0, keyCertSign + cRLSign) and one end-entity signing
//! certificate it issued (Ed25519, digitalSignature only, EKU emailProtection, AKI + SKI). The
//! root's private key signs the end-entity certificate once and is then dropped: only
//! `root.pem` (public), `signer.pem` and `signer.key` are kept, so a stolen data directory can
//! sign clips until the signer is replaced, but can never mint another signer.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    PKCS_ED25519,
};
use time::{Duration, OffsetDateTime};

use crate::ProvenanceError;

/// The folder under the data directory that holds the chain.
pub const STORE_DIR: &str = "c2pa";
/// The root CA's certificate (PEM, public): the trust anchor every verifier is given.
pub const ROOT_FILE: &str = "root.pem";
/// The end-entity signing certificate (PEM).
pub const SIGNER_CERT_FILE: &str = "signer.pem";
/// The signing certificate's private key (PKCS#8 PEM, mode 0600).
pub const SIGNER_KEY_FILE: &str = "signer.key";

/// How long the root is valid. Without a trusted timestamp the verifier checks the signer's
/// validity against the current time, so these bound how long a signed clip stays valid.
const ROOT_VALIDITY_DAYS: i64 = 30 * 365;
/// How long the signing certificate is valid (see [`ROOT_VALIDITY_DAYS`]).
const SIGNER_VALIDITY_DAYS: i64 = 20 * 365;
/// Backdating of `notBefore`, for clocks that are a little behind.
const BACKDATE_DAYS: i64 = 1;

/// Our private CA: a root CA certificate and an end-entity signing certificate + key (Ed25519),
/// plus the c2pa context (trust anchors, no network, no thumbnails) built from them.
pub struct Authority {
    pub(crate) root_pem: String,
    pub(crate) signer: UntimedSigner,
    pub(crate) context: Arc<c2pa::Context>,
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field("root_pem", &format_args!("{} bytes", self.root_pem.len()))
            .field("signer", &"<Ed25519 key>")
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// Loads `dir/c2pa/{root.pem, signer.pem, signer.key}`, generating the chain at first run
    /// (the folder 0700, the key 0600). A folder that holds only some of the three files is an
    /// error, not a reason to regenerate: a new root would orphan every clip signed so far.
    pub fn load_or_create(dir: &Path) -> Result<Self, ProvenanceError> {
        let store = dir.join(STORE_DIR);
        let files = [ROOT_FILE, SIGNER_CERT_FILE, SIGNER_KEY_FILE].map(|f| store.join(f));
        let present = files.iter().filter(|p| p.exists()).count();
        if present == 0 {
            create_store(dir, &store)?;
        } else if present < files.len() {
            let missing = files.iter().find(|p| !p.exists()).cloned().unwrap_or_default();
            return Err(ProvenanceError::Incomplete { missing });
        }
        let [root, cert, key] = files.map(|p| read(&p));
        Self::from_pems(root?, cert?, key?)
    }

    /// An authority from PEM text (the three files' contents).
    pub fn from_pems(root_pem: String, signer_pem: String, signer_key_pem: String) -> Result<Self, ProvenanceError> {
        check_key_matches(&signer_pem, &signer_key_pem)?;
        // The `x5chain` of every manifest is the end-entity certificate alone: the root is the
        // verifier's trust anchor.
        let inner = c2pa::create_signer::from_keys(
            signer_pem.as_bytes(),
            signer_key_pem.as_bytes(),
            c2pa::SigningAlg::Ed25519,
            None,
        )
        .map_err(ProvenanceError::Signer)?;
        let chain_len = inner
            .certs()
            .map_err(ProvenanceError::Signer)?
            .iter()
            .map(Vec::len)
            .sum::<usize>();
        let signer = UntimedSigner {
            inner,
            reserve: chain_len + SIGNATURE_RESERVE,
        };
        let context = crate::context(&root_pem)?;
        Ok(Self {
            root_pem,
            signer,
            context,
        })
    }

    /// The root CA certificate (PEM): give it to any verifier (`c2patool … trust --trust_anchors`).
    pub fn root_pem(&self) -> &str {
        &self.root_pem
    }
}

/// Room for the COSE signature beyond the certificate chain: headers, the 64-byte Ed25519
/// signature, CBOR framing. (c2pa's own Ed25519 signer reserves 10 000 bytes more for a
/// timestamp token, which we never fetch: that would be ~10 KB of padding in every clip.)
const SIGNATURE_RESERVE: usize = 1024;

/// The Ed25519 signer without a timestamp authority: no timestamp is ever requested (so nothing
/// is sent anywhere), and no room is reserved for one.
pub(crate) struct UntimedSigner {
    inner: c2pa::BoxedSigner,
    reserve: usize,
}

impl c2pa::Signer for UntimedSigner {
    fn sign(&self, data: &[u8]) -> c2pa::Result<Vec<u8>> {
        self.inner.sign(data)
    }
    fn alg(&self) -> c2pa::SigningAlg {
        self.inner.alg()
    }
    fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
        self.inner.certs()
    }
    fn reserve_size(&self) -> usize {
        self.reserve
    }
    fn time_authority_url(&self) -> Option<String> {
        None
    }
    fn send_timestamp_request(&self, _message: &[u8]) -> Option<c2pa::Result<Vec<u8>>> {
        None
    }
}

/// Refuses a `signer.key` that does not belong to `signer.pem` (an Ed25519 certificate carries
/// its 32-byte public key verbatim), so a mixed-up store fails at start-up, not at the first clip.
fn check_key_matches(cert_pem: &str, key_pem: &str) -> Result<(), ProvenanceError> {
    let key = KeyPair::from_pem(key_pem).map_err(ProvenanceError::Certificate)?;
    let cert = pem::parse(cert_pem).map_err(|e| ProvenanceError::Mismatch(format!("signer.pem: {e}")))?;
    let public = key.public_key_raw();
    if key.algorithm() != &PKCS_ED25519 || !cert.contents().windows(public.len()).any(|w| w == public) {
        return Err(ProvenanceError::Mismatch(
            "signer.key is not the key of signer.pem".to_string(),
        ));
    }
    Ok(())
}

/// The three PEM texts of a fresh chain.
#[derive(Debug)]
pub(crate) struct NewChain {
    pub root_pem: String,
    pub signer_pem: String,
    pub signer_key_pem: String,
}

/// A fresh root CA and the end-entity certificate it issues; the root key is dropped here.
pub(crate) fn generate_chain() -> Result<NewChain, ProvenanceError> {
    let now = OffsetDateTime::now_utc();
    let not_before = now - Duration::days(BACKDATE_DAYS);

    let root_key = KeyPair::generate_for(&PKCS_ED25519).map_err(ProvenanceError::Certificate)?;
    let mut root = CertificateParams::default();
    root.distinguished_name
        .push(DnType::CommonName, "reelroom Content Credentials Root CA");
    root.distinguished_name.push(DnType::OrganizationName, "reelroom");
    root.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    root.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    root.not_before = not_before;
    root.not_after = now + Duration::days(ROOT_VALIDITY_DAYS);
    let root_cert = root.self_signed(&root_key).map_err(ProvenanceError::Certificate)?;
    let issuer = Issuer::new(root, root_key);

    let signer_key = KeyPair::generate_for(&PKCS_ED25519).map_err(ProvenanceError::Certificate)?;
    let mut signer = CertificateParams::default();
    signer
        .distinguished_name
        .push(DnType::CommonName, "reelroom clip signer");
    signer.distinguished_name.push(DnType::OrganizationName, "reelroom");
    signer.is_ca = IsCa::ExplicitNoCa; // basicConstraints CA:false, and a subjectKeyIdentifier
    signer.use_authority_key_identifier_extension = true;
    signer.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    // C2PA forbids anyExtendedKeyUsage; emailProtection is on the default list of allowed EKUs.
    signer.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
    signer.not_before = not_before;
    signer.not_after = now + Duration::days(SIGNER_VALIDITY_DAYS);
    let signer_cert = signer
        .signed_by(&signer_key, &issuer)
        .map_err(ProvenanceError::Certificate)?;

    Ok(NewChain {
        root_pem: root_cert.pem(),
        signer_pem: signer_cert.pem(),
        signer_key_pem: signer_key.serialize_pem(),
    })
}

/// Writes a fresh chain into a sibling temporary folder and renames it into place, so a crash
/// never leaves a half-written store and two first runs racing end up sharing one chain.
fn create_store(dir: &Path, store: &Path) -> Result<(), ProvenanceError> {
    fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let chain = generate_chain()?;
    let tmp = dir.join(format!(".{STORE_DIR}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    make_private_dir(&tmp)?;
    write_file(&tmp.join(ROOT_FILE), chain.root_pem.as_bytes(), 0o644)?;
    write_file(&tmp.join(SIGNER_CERT_FILE), chain.signer_pem.as_bytes(), 0o644)?;
    write_file(&tmp.join(SIGNER_KEY_FILE), chain.signer_key_pem.as_bytes(), 0o600)?;
    // An empty `c2pa/` left by someone else would block the rename: remove it (rmdir only
    // removes an empty folder, so nothing is lost).
    if store.is_dir() {
        let _ = fs::remove_dir(store);
    }
    match fs::rename(&tmp, store) {
        Ok(()) => Ok(()),
        // Someone else won the race: keep theirs.
        Err(_) if store.join(SIGNER_KEY_FILE).exists() => {
            let _ = fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(io(store, e))
        }
    }
}

fn read(path: &Path) -> Result<String, ProvenanceError> {
    fs::read_to_string(path).map_err(|e| io(path, e))
}

fn io(path: &Path, source: std::io::Error) -> ProvenanceError {
    ProvenanceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(unix)]
fn make_private_dir(path: &Path) -> Result<(), ProvenanceError> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o700).create(path).map_err(|e| io(path, e))
}

#[cfg(not(unix))]
fn make_private_dir(path: &Path) -> Result<(), ProvenanceError> {
    fs::create_dir(path).map_err(|e| io(path, e))
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), ProvenanceError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|e| io(path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io(path, e))
}

/// The path of a store file (for error messages and tests).
pub fn store_path(dir: &Path, file: &str) -> PathBuf {
    dir.join(STORE_DIR).join(file)
}
