//! Runtime figures of the generated client, printed as one JSON object (read by
//! `cargo xtask bench`; build it with `--release`):
//!
//! - decode throughput of a 10,000-item restore point page into the generated types, against
//!   serde_json into a minimal hand-written struct of the same fields (the practical limit);
//! - walking restore points through `.stream()` from a local mock server in a fresh process:
//!   items per second and the process's peak memory (VmHWM); 10,000 and 100,000 items must
//!   peak alike.

use std::time::Instant;

use futures::StreamExt;
use serde::Deserialize;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One restore point as VB365 sends it (seed 000's shape), `i` making ids distinct.
fn point(i: usize) -> serde_json::Value {
    let id = format!("5f7c94d0-c339-46f1-9b0f-2b9763ba83de31e4e204-7ce3-48f6-8c87-{i:012x}");
    serde_json::json!({
        "id": id,
        "repositoryId": "5f7c94d0-c339-46f1-9b0f-2b9763ba83de",
        "backupTime": "2022-02-22T14:44:22.3764709Z",
        "jobId": "b7c1cc0b-2b3c-4096-9ba1-2d665b4ae504",
        "retrievalId": "00000000-0000-0000-0000-000000000000",
        "organizationId": "e60dfb9c-ac58-4463-879f-9855ac35576b",
        "isExchange": false, "isSharePoint": true, "isOneDrive": false, "isTeams": false,
        "isLongTermCopy": false, "isRetrieved": false,
        "_links": {
            "self": {"href": format!("/v8/RestorePoints/{id}")},
            "organization": {"href": "/v8/Organizations/e60dfb9c-ac58-4463-879f-9855ac35576b"},
            "backupRepository": {"href": "/v8/BackupRepositories/5f7c94d0-c339-46f1-9b0f-2b9763ba83de"}
        }
    })
}

fn page(offset: usize, limit: usize, total: usize) -> Vec<u8> {
    let items: Vec<_> = (offset..(offset + limit).min(total)).map(point).collect();
    serde_json::to_vec(&serde_json::json!({"offset": offset, "limit": limit, "results": items}))
        .unwrap()
}

/// The hand-written baseline: the same fields, as plain owned values.
#[derive(Deserialize)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
struct Point {
    id: String,
    repository_id: String,
    backup_time: String,
    job_id: String,
    retrieval_id: String,
    organization_id: String,
    is_exchange: bool,
    is_share_point: bool,
    is_one_drive: bool,
    is_teams: bool,
    is_long_term_copy: bool,
    is_retrieved: bool,
    #[serde(rename = "_links")]
    links: std::collections::HashMap<String, Link>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Link {
    href: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Page {
    offset: i32,
    limit: i32,
    results: Vec<Point>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// CPU seconds this thread has used. Decoding is timed in CPU time, not wall time: on a
/// shared machine the thread is descheduled at random, which swung the decode ratio by
/// ±10% between runs of the same code.
fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for the call to fill in.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// Median CPU seconds per decode of each of `a` and `b` over `runs`, alternating them so
/// that what load remains falls on both alike, and the median of each round's `b / a`: a
/// ratio of two decodes a few milliseconds apart, which the machine's slow swings (page
/// faults cost up to four times more from one minute to the next here) leave alone.
fn time_decode(runs: usize, a: impl Fn() -> usize, b: impl Fn() -> usize) -> (f64, f64, f64) {
    let (mut ta, mut tb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        for (f, times) in [(&a as &dyn Fn() -> usize, &mut ta), (&b, &mut tb)] {
            let start = thread_cpu_secs();
            let n = std::hint::black_box(f());
            assert_eq!(n, 10_000);
            times.push(thread_cpu_secs() - start);
        }
        ratios.push(tb[tb.len() - 1] / ta[ta.len() - 1]);
    }
    (median(ta), median(tb), median(ratios))
}

fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

/// Answers GET /v8/RestorePoints?offset&limit from `total` items made on demand.
struct Pages {
    total: usize,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let q = |k: &str| -> usize {
            request
                .url
                .query_pairs()
                .find(|(n, _)| n == k)
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0)
        };
        ResponseTemplate::new(200).set_body_raw(
            page(q("offset"), q("limit"), self.total),
            "application/json",
        )
    }
}

/// Items per second, and this process's peak resident memory after the walk.
async fn walk(server: &MockServer, total: usize) -> (f64, u64) {
    let client = vb365::Client::builder(server.uri())
        .bearer_token("T")
        .build()
        .unwrap();
    let start = Instant::now();
    let mut n = 0usize;
    let mut s = std::pin::pin!(client
        .restore_point_get_restore_points()
        .limit(1000)
        .stream());
    while let Some(p) = s.next().await {
        std::hint::black_box(p.unwrap());
        n += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(n, total);
    (n as f64 / secs, peak_rss())
}

/// `runtime-bench decode [runs]`: decode figures. `runtime-bench walk N`: walk N items
/// and report this (fresh) process's peak memory, so walks of different lengths compare.
#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("walk") => {
            let total: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
            let server = MockServer::builder()
                .disable_request_recording()
                .start()
                .await;
            Mock::given(wiremock::matchers::path("/v8/RestorePoints"))
                .respond_with(Pages { total })
                .mount(&server)
                .await;
            let (rate, peak) = walk(&server, total).await;
            println!(
                "{}",
                serde_json::json!({"items": total, "items_s": rate, "peak_bytes": peak})
            );
        }
        _ => {
            let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(15);
            decode(runs);
        }
    }
}

fn decode(runs: usize) {
    let body = page(0, 10_000, 10_000);
    // Warm up both.
    for _ in 0..2 {
        serde_json::from_slice::<Page>(&body).unwrap();
        serde_json::from_slice::<vb365::types::PageOfRestRestorePoint>(&body).unwrap();
    }
    let (generated, hand, ratio) = time_decode(
        runs,
        || {
            serde_json::from_slice::<vb365::types::PageOfRestRestorePoint>(&body)
                .unwrap()
                .results
                .len()
        },
        || serde_json::from_slice::<Page>(&body).unwrap().results.len(),
    );
    let mb = body.len() as f64 / 1e6;
    println!(
        "{}",
        serde_json::json!({
            "page_bytes": body.len(),
            "decode_generated_mb_s": mb / generated,
            "decode_hand_mb_s": mb / hand,
            "decode_generated_items_s": 10_000.0 / generated,
            "decode_hand_items_s": 10_000.0 / hand,
            "decode_ratio": ratio,
        })
    );
}
