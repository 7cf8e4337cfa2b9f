//! `veeam login`: save a profile after checking the server, its certificate (trust on first
//! use) and the credentials.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use clap::{Arg, ArgMatches, Command};
use veeam_runtime::commands::Api;
use veeam_runtime::ClientBuilder;

use crate::config::{self, Profile};
use crate::exit::Failure;

pub fn command(apis: &[&'static Api]) -> Command {
    Command::new("login")
        .about("Check a server and your credentials, and save them as a profile")
        .long_about("Check a server and your credentials, and save them as a profile (never the password).\n\nWhen the server's certificate is not trusted by this machine (VB365's self-signed one), its SHA-256 fingerprint is shown and pinned only once you confirm it, or when it equals --trust. Later connections accept exactly that certificate: a changed one is refused, naming both fingerprints.\n\nFor VB365, the API version the server serves is discovered, and the profile uses the crate of the newest one.")
        .arg(Arg::new("name").required(true).help("The profile's name"))
        .arg(
            Arg::new("api")
                .long("api")
                .required(true)
                .value_parser(apis.iter().map(|a| a.name).collect::<Vec<_>>())
                .help("The API the server speaks (for VB365, any of its versions: the server's is discovered)"),
        )
        .arg(
            Arg::new("trust")
                .long("trust")
                .value_name("SHA256")
                .help("Pin the server's certificate without asking, if its fingerprint is this one"),
        )
        .arg(
            Arg::new("keyring")
                .long("keyring")
                .action(clap::ArgAction::SetTrue)
                .help("Keep the password in the OS keyring (Keychain, Credential Manager, kernel keyring), so later commands need neither VEEAM_PASSWORD nor a prompt"),
        )
        .arg(
            Arg::new("default")
                .long("default")
                .action(clap::ArgAction::SetTrue)
                .help("Make this the profile used when none is named"),
        )
}

pub async fn run(apis: &[&'static Api], m: &ArgMatches, top: &ArgMatches) -> Result<(), Failure> {
    let name = m.get_one::<String>("name").cloned().unwrap_or_default();
    let url = top
        .get_one::<String>("url")
        .cloned()
        .ok_or_else(|| Failure::usage("login needs --url (or VEEAM_URL)"))?;
    let user = top
        .get_one::<String>("user")
        .cloned()
        .ok_or_else(|| Failure::usage("login needs --user (or VEEAM_USER)"))?;
    let wanted = m.get_one::<String>("api").map(String::as_str).unwrap_or("");
    let mut api = *apis
        .iter()
        .find(|a| a.name == wanted)
        .ok_or_else(|| Failure::usage(format!("no API {wanted}")))?;

    // The certificate: trusted by this machine, or confirmed by the admin and pinned.
    let mut pin = top.get_one::<String>("pin").cloned();
    if pin.is_none() && url.starts_with("https://") && !trusted(&url).await {
        let presented = ClientBuilder::<()>::new(url.clone())
            .presented_certificate()
            .await?;
        pin = Some(confirm(&presented, m.get_one::<String>("trust"))?);
    }
    let builder = || -> Result<ClientBuilder<()>, Failure> {
        let b = ClientBuilder::<()>::new(url.clone());
        Ok(match &pin {
            Some(p) => b.pin_certificate_sha256(p)?,
            None => b,
        })
    };

    // The version the server serves, for APIs with discovery.
    if let Some((versions, probe)) = api.discovery {
        let found = builder()?
            .discover(versions, probe, Duration::from_secs(15))
            .await?;
        let newest = found.newest().ok_or_else(|| {
            Failure::config(format!(
                "{url} serves none of the versions {}",
                versions.join(", ")
            ))
        })?;
        api = apis
            .iter()
            .find(|a| a.discovery.is_some() && a.version == newest)
            .copied()
            .ok_or_else(|| {
                Failure::config(format!(
                    "{url} serves {newest}, which this program was not built with (rebuild it with that API's feature)"
                ))
            })?;
        eprintln!(
            "{url} serves {newest}: this profile uses `veeam {}`",
            api.name
        );
    }

    // The credentials, checked by logging in (and out).
    let password = config::password(&user, None)?;
    let session = builder()?
        .password(user.clone(), password.clone())
        .build_session(api.profile)?;
    session.login().await?;
    let _ = session.logout().await;
    let profile = Profile {
        url,
        api: api.name.to_string(),
        user,
        pin,
        keyring: m.get_flag("keyring"),
    };
    if profile.keyring {
        profile.keep_password(&password)?;
    }

    let mut config = config::read()?;
    if m.get_flag("default") || config.default.is_none() {
        config.default = Some(name.clone());
    }
    config.profiles.insert(name.clone(), profile);
    let path = config::write(&config)?;
    eprintln!("saved profile {name} in {}", path.display());
    Ok(())
}

/// Whether this machine trusts the server's certificate: an anonymous request with the
/// default verification gets through the handshake.
async fn trusted(url: &str) -> bool {
    let Ok(http) = veeam_runtime::http_client_builder()
        .timeout(Duration::from_secs(15))
        .build()
    else {
        return false;
    };
    http.head(url).send().await.is_ok()
}

/// The fingerprint to pin: `trust` if it is the presented one; else the admin's answer on a
/// terminal. Anything else pins nothing.
fn confirm(presented: &str, trust: Option<&String>) -> Result<String, Failure> {
    let same = |given: &str| {
        veeam_runtime::tls::parse_fingerprint(given)
            .ok()
            .zip(veeam_runtime::tls::parse_fingerprint(presented).ok())
            .is_some_and(|(a, b)| a == b)
    };
    if let Some(given) = trust {
        return if same(given) {
            Ok(presented.to_string())
        } else {
            Err(Failure::config(format!(
                "the server presents a certificate with SHA-256 {presented}, not {given}: nothing pinned, nothing sent"
            )))
        };
    }
    eprintln!("The server's certificate is not trusted by this machine.\nSHA-256 fingerprint: {presented}\nCompare it with the one on the server (the VB365 console shows it) before you trust it.");
    if !std::io::stdin().is_terminal() {
        return Err(Failure::config(
            "not on a terminal: give --trust <fingerprint> to pin it",
        ));
    }
    eprint!("Trust this certificate and pin it? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(presented.to_string())
    } else {
        Err(Failure::config("certificate not trusted: nothing saved"))
    }
}
