//! Saved server profiles: `config.yaml` in the user's configuration folder (or the file
//! `VEEAM_CONFIG` names). A profile holds the server, the API, the user and the pinned
//! certificate; never a password.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use std::io::IsTerminal;

use veeam_runtime::Secret;

use crate::exit::Failure;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The profile used when none is named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub url: String,
    /// The API crate the server speaks (`vb365`, `vb365-v7`, `vbazure`).
    pub api: String,
    pub user: String,
    /// The SHA-256 of the certificate the admin confirmed (trust on first use), when the
    /// server's certificate is not trusted by this machine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pin: Option<String>,
    /// The password is in the OS keyring (`login --keyring`), under [`Profile::keyring_entry`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keyring: bool,
}

/// The keyring's service name for every password the command line keeps.
const KEYRING_SERVICE: &str = "veeam-cli";

impl Profile {
    /// The profile's entry in the OS keyring: one per server and user.
    pub fn keyring_entry(&self) -> Result<keyring::Entry, Failure> {
        keyring::Entry::new(KEYRING_SERVICE, &format!("{}@{}", self.user, self.url))
            .map_err(|e| Failure::config(format!("the OS keyring: {e}")))
    }

    /// Keeps `password` in the OS keyring.
    pub fn keep_password(&self, password: &Secret) -> Result<(), Failure> {
        self.keyring_entry()?
            .set_password(password.expose())
            .map_err(|e| {
                Failure::config(format!(
                    "keeping the password in the OS keyring: {e}; nothing saved (leave --keyring out and use VEEAM_PASSWORD or the prompt)"
                ))
            })
    }
}

/// Where the configuration lives.
pub fn path() -> Result<PathBuf, Failure> {
    if let Some(p) = std::env::var_os("VEEAM_CONFIG") {
        return Ok(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("APPDATA").map(PathBuf::from))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .ok_or_else(|| {
            Failure::config("no configuration folder (HOME is not set): set VEEAM_CONFIG")
        })?;
    Ok(base.join("veeam").join("config.yaml"))
}

/// The configuration, or an empty one when there is no file yet.
pub fn read() -> Result<Config, Failure> {
    let path = path()?;
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_norway::from_str(&text)
            .map_err(|e| Failure::config(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Failure::config(format!("{}: {e}", path.display()))),
    }
}

/// Writes the configuration (readable by its owner only, on Unix), through a temporary file
/// renamed over the old one.
pub fn write(config: &Config) -> Result<PathBuf, Failure> {
    let path = path()?;
    let text = serde_norway::to_string(config)
        .map_err(|e| Failure::config(format!("writing the configuration: {e}")))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let temp = path.with_extension("yaml.part");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp)?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, &path)?;
    Ok(path)
}

/// The password: `VEEAM_PASSWORD`, the OS keyring (a profile saved with `--keyring`), or a
/// prompt on a terminal. Never a flag (shell history) nor the configuration file.
pub fn password(user: &str, profile: Option<&Profile>) -> Result<Secret, Failure> {
    if let Ok(p) = std::env::var("VEEAM_PASSWORD") {
        return Ok(Secret::from(p));
    }
    if let Some(p) = profile.filter(|p| p.keyring && p.user == user) {
        return p
            .keyring_entry()?
            .get_password()
            .map(Secret::from)
            .map_err(|e| {
                Failure::config(format!(
                    "the password of {user} from the OS keyring: {e} (run veeam login again)"
                ))
            });
    }
    if std::io::stdin().is_terminal() {
        let p = rpassword::prompt_password(format!("password for {user}: "))?;
        return Ok(Secret::from(p));
    }
    Err(Failure::config(
        "no password: set VEEAM_PASSWORD, or run on a terminal to be asked",
    ))
}
