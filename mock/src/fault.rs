//! What a request can get instead of its answer.

use std::time::Duration;

use serde_json::json;
use wiremock::ResponseTemplate;

/// A fault a stub serves on demand (see [`crate::Stub::fault`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `status` with Veeam's error body (`RESTExceptionInfo`: `message`, `errorCode`).
    RestException {
        status: u16,
        error_code: String,
        message: String,
    },
    /// `status` with an RFC 9457 problem (`application/problem+json`), as VB for Azure
    /// answers.
    Problem {
        status: u16,
        title: String,
        detail: String,
    },
    /// `503 Service Unavailable` with `Retry-After: <seconds>`.
    Unavailable { retry_after: u64 },
    /// `429 Too Many Requests` with `Retry-After: <seconds>`.
    TooManyRequests { retry_after: u64 },
    /// An empty `401`, as a server that has forgotten the token answers.
    Unauthorized,
    /// `status` with no body.
    Status(u16),
    /// The answer, its body cut in half: JSON that ends mid-value (the HTTP exchange itself
    /// completes, with a matching `content-length`).
    Truncated,
    /// The answer, after a delay.
    Delay(Duration),
}

impl Fault {
    pub fn rest_exception(status: u16, error_code: &str, message: &str) -> Fault {
        Fault::RestException {
            status,
            error_code: error_code.to_string(),
            message: message.to_string(),
        }
    }

    pub fn problem(status: u16, title: &str, detail: &str) -> Fault {
        Fault::Problem {
            status,
            title: title.to_string(),
            detail: detail.to_string(),
        }
    }

    pub fn unavailable(retry_after: u64) -> Fault {
        Fault::Unavailable { retry_after }
    }

    pub fn too_many_requests(retry_after: u64) -> Fault {
        Fault::TooManyRequests { retry_after }
    }

    /// The response of a fault that replaces the answer; `None` for those that change it
    /// ([`Fault::Truncated`], [`Fault::Delay`]).
    pub(crate) fn response(&self) -> Option<ResponseTemplate> {
        Some(match self {
            Fault::RestException {
                status,
                error_code,
                message,
            } => ResponseTemplate::new(*status).set_body_json(json!({
                "message": message, "errorCode": error_code,
            })),
            Fault::Problem {
                status,
                title,
                detail,
            } => ResponseTemplate::new(*status).set_body_raw(
                serde_json::to_vec(&json!({
                    "type": "about:blank", "title": title, "status": status, "detail": detail,
                }))
                .unwrap_or_default(),
                "application/problem+json",
            ),
            Fault::Unavailable { retry_after } => {
                ResponseTemplate::new(503).insert_header("retry-after", retry_after.to_string())
            }
            Fault::TooManyRequests { retry_after } => {
                ResponseTemplate::new(429).insert_header("retry-after", retry_after.to_string())
            }
            Fault::Unauthorized => ResponseTemplate::new(401),
            Fault::Status(status) => ResponseTemplate::new(*status),
            Fault::Truncated | Fault::Delay(_) => return None,
        })
    }
}
