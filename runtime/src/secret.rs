//! Passwords and tokens: never printed, wiped from memory when dropped.

use std::fmt;

use zeroize::Zeroizing;

/// A password or token. `Debug` and `Display` print `***`; the only way to read it is
/// [`Secret::expose`], which the runtime calls when it builds a request.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself, for putting on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

/// What replaces a secret in anything printed.
pub(crate) const REDACTED: &str = "***";

/// `url` with what may be secret replaced by `***`: the user and password of its user-info,
/// and every query value (an export's `authCode`, a token in a link). Parameter names stay,
/// to show which were sent.
pub(crate) fn redact_url(url: &mut reqwest::Url) {
    if !url.username().is_empty() {
        let _ = url.set_username(REDACTED);
    }
    if url.password().is_some() {
        let _ = url.set_password(Some(REDACTED));
    }
    if url.query().is_some() {
        let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        if names.is_empty() {
            url.set_query(None);
        } else {
            let mut query = url.query_pairs_mut();
            query.clear();
            for name in &names {
                query.append_pair(name, REDACTED);
            }
        }
    }
}

/// The URL redaction (user-info and query values hidden) on text that may or may not parse as a URL (a base URL a user typed, a
/// `Location` header): one that does not parse loses everything from `?` on and its
/// user-info.
pub fn redact_url_text(text: &str) -> String {
    if let Ok(mut url) = reqwest::Url::parse(text) {
        redact_url(&mut url);
        return url.to_string();
    }
    let without_query = text.split(['?', '#']).next().unwrap_or_default();
    // `scheme://user:password@host/...`: drop what precedes the `@` of the authority.
    match without_query.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find('/').unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => format!("{scheme}://{REDACTED}@{}", &rest[at + 1..]),
                None => without_query.to_string(),
            }
        }
        None => without_query.to_string(),
    }
}

/// Whether a JSON field of this name holds a secret: a token, a secret, a password, an
/// authorization code, a cookie, a key (`access_token`, `refreshToken`, `clientSecret`,
/// `authCode`, `apiKey`).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "authcode",
        "auth_code",
        "cookie",
        "apikey",
        "api_key",
        "credential",
        "signature",
    ]
    .iter()
    .any(|s| name.contains(s))
}

/// A JSON body (or the start of one) as it may be shown: the values of fields named like
/// secrets ([`is_secret_name`]) replaced by `"***"`, at any depth. Text that does not parse
/// (cut off, not JSON) is redacted by scanning for `"name": value` pairs. Returns `None`
/// when nothing needed redacting.
pub(crate) fn redact_json(body: &[u8]) -> Option<Vec<u8>> {
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) {
        return (redact_value(&mut value) > 0)
            .then(|| serde_json::to_vec(&value).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(body);
    let (out, n) = redact_json_text(&text);
    (n > 0).then(|| out.into_bytes())
}

fn redact_value(value: &mut serde_json::Value) -> usize {
    use serde_json::Value;
    match value {
        Value::Object(map) => map
            .iter_mut()
            .map(|(k, v)| {
                if is_secret_name(k) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                    1
                } else {
                    redact_value(v)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(redact_value).sum(),
        _ => 0,
    }
}

/// Scans JSON-like text for `"name": value` where the name is a secret's, and replaces the
/// value (a string, or anything up to the next `,` `}` `]`) with `"***"`. For excerpts that
/// were cut off, so do not parse.
fn redact_json_text(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut rest = text;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = closing_quote(after) else {
            out.push_str(&rest[open..]);
            return (out, count);
        };
        let name = &after[..close];
        out.push('"');
        out.push_str(name);
        out.push('"');
        rest = &after[close + 1..];
        let trimmed = rest.trim_start();
        if !(is_secret_name(name) && trimmed.starts_with(':')) {
            continue;
        }
        let value = trimmed[1..].trim_start();
        out.push_str(": \"***\"");
        count += 1;
        rest = if let Some(v) = value.strip_prefix('"') {
            match closing_quote(v) {
                Some(end) => &v[end + 1..],
                None => "",
            }
        } else {
            let end = value.find([',', '}', ']']).unwrap_or(value.len());
            &value[end..]
        };
    }
    out.push_str(rest);
    (out, count)
}

/// The index of the `"` that ends a JSON string whose text starts `s` (after its opening
/// quote), skipping escaped ones.
fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_user_info_and_query_values() {
        assert_eq!(
            redact_url_text("https://admin:pw@vbo:4443/v8/x?authCode=abc&limit=5"),
            "https://***:***@vbo:4443/v8/x?authCode=***&limit=***"
        );
        assert_eq!(redact_url_text("https://vbo/v8/x"), "https://vbo/v8/x");
        assert_eq!(
            redact_url_text("//admin:pw@other/x?code=1"),
            "//admin:pw@other/x"
        );
        assert_eq!(redact_url_text("/v8/x?code=1#f"), "/v8/x");
        assert_eq!(
            redact_url_text("bad://a:b@h:99999/x?q=s"),
            "bad://***@h:99999/x"
        );
    }

    #[test]
    fn json_secrets_are_redacted_whole_or_cut_off() {
        let body = br#"{"access_token":"AT-1","nested":{"refreshToken":"RT-1"},"list":[{"clientSecret":"S"}],"name":"x","expires_in":5}"#;
        let out = String::from_utf8(redact_json(body).unwrap()).unwrap();
        for secret in ["AT-1", "RT-1", "\"S\""] {
            assert!(!out.contains(secret), "{out}");
        }
        assert!(
            out.contains("\"name\":\"x\"") && out.contains("\"expires_in\":5"),
            "{out}"
        );
        assert_eq!(redact_json(br#"{"name":"x"}"#), None);
        let cut = br#"{"x":"a\"b","password" : "p\"w", "authCode":12345, "access_token":"AT-cut"#;
        let out = String::from_utf8(redact_json(cut).unwrap()).unwrap();
        for secret in ["p\\\"w", "12345", "AT-cut"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.starts_with(r#"{"x":"a\"b","password": "***""#), "{out}");
    }

    #[test]
    fn never_printed() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?} {s:#?}"), "*** Secret(***) Secret(***)");
        assert_eq!(s.expose(), "hunter2");
    }
}
