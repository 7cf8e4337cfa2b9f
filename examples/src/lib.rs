//! What the examples share: a client configured from the environment. The VB365 examples
//! read `VB365_*` variables, the VB for Azure ones (`azure_*`) `VBAZURE_*`:
//!
//! | variable | meaning |
//! |---|---|
//! | `VB365_URL` / `VBAZURE_URL` | server, default `https://localhost:4443` / `https://localhost` |
//! | `..._USER`, `..._PASSWORD` | credentials (password grant) |
//! | `..._CERT_SHA256` | pin the server's certificate (SHA-256 fingerprint) |
//! | `..._CA_PEM` | path of an extra root certificate (PEM) |
//! | `VB365_ORGANIZATION` | the organization's id |

use std::env;

type Failure = Box<dyn std::error::Error>;

/// The builder for `default_url` (or `{prefix}_URL`), with the credentials and TLS settings
/// of the `{prefix}_*` variables. Certificate verification stays on unless a pin or an extra
/// root is given.
fn configured<C: veeam_runtime::FromParts>(
    prefix: &str,
    default_url: &str,
    builder: impl FnOnce(String) -> veeam_runtime::ClientBuilder<C>,
) -> Result<veeam_runtime::ClientBuilder<C>, Failure> {
    let var = |name: &str| env::var(format!("{prefix}_{name}"));
    let url = var("URL").unwrap_or_else(|_| default_url.into());
    let user = var("USER").map_err(|_| format!("set {prefix}_USER"))?;
    let password = var("PASSWORD").map_err(|_| format!("set {prefix}_PASSWORD"))?;
    let mut builder = builder(url).password(user, password);
    if let Ok(pin) = var("CERT_SHA256") {
        builder = builder.pin_certificate_sha256(&pin)?;
    }
    if let Ok(path) = var("CA_PEM") {
        builder = builder.add_root_certificate_pem(std::fs::read(path)?);
    }
    Ok(builder)
}

/// The VB365 client the environment describes.
pub fn client_from_env() -> Result<vb365::Client, Failure> {
    Ok(configured("VB365", "https://localhost:4443", vb365::Client::builder)?.build()?)
}

/// The VB for Microsoft Azure client the environment describes.
pub fn azure_client_from_env() -> Result<vbazure::Client, Failure> {
    Ok(configured("VBAZURE", "https://localhost", vbazure::Client::builder)?.build()?)
}

/// `VB365_ORGANIZATION` as a UUID.
pub fn organization_from_env() -> Result<uuid::Uuid, Failure> {
    let id = env::var("VB365_ORGANIZATION").map_err(|_| "set VB365_ORGANIZATION")?;
    Ok(id.parse()?)
}
