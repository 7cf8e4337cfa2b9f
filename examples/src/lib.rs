//! What the examples share: a client configured from the environment.
//!
//! | variable | meaning |
//! |---|---|
//! | `VB365_URL` | server, default `https://localhost:4443` |
//! | `VB365_USER`, `VB365_PASSWORD` | credentials (password grant) |
//! | `VB365_CERT_SHA256` | pin the server's certificate (SHA-256 fingerprint) |
//! | `VB365_CA_PEM` | path of an extra root certificate (PEM) |
//! | `VB365_ORGANIZATION` | the organization's id |

use std::env;

/// The client the environment describes. Certificate verification stays on unless a pin or
/// an extra root is given.
pub fn client_from_env() -> Result<vb365::Client, Box<dyn std::error::Error>> {
    let url = env::var("VB365_URL").unwrap_or_else(|_| "https://localhost:4443".into());
    let user = env::var("VB365_USER").map_err(|_| "set VB365_USER")?;
    let password = env::var("VB365_PASSWORD").map_err(|_| "set VB365_PASSWORD")?;
    let mut builder = vb365::Client::builder(url).password(user, password);
    if let Ok(pin) = env::var("VB365_CERT_SHA256") {
        builder = builder.pin_certificate_sha256(&pin)?;
    }
    if let Ok(path) = env::var("VB365_CA_PEM") {
        builder = builder.add_root_certificate_pem(std::fs::read(path)?);
    }
    Ok(builder.build()?)
}

/// `VB365_ORGANIZATION` as a UUID.
pub fn organization_from_env() -> Result<uuid::Uuid, Box<dyn std::error::Error>> {
    let id = env::var("VB365_ORGANIZATION").map_err(|_| "set VB365_ORGANIZATION")?;
    Ok(id.parse()?)
}
