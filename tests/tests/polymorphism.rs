//! Polymorphic schemas without loss: the crate generated from `polymorphism.yaml` (the .NET
//! pattern: a base with a discriminator, subtypes taking its fields through `allOf`; with and
//! without a mapping, nested, an enum discriminator, a base that refers to itself) decodes
//! every instance of every subtype through its base's type into that subtype, with every
//! field, and encodes it back to the same JSON; a kind it does not know is kept whole.

use serde_json::{json, Map, Value};
use tests::runtime_polymorphism::types::{BackupJob, CopyJob, Job, JobPage, Repository};
use tests::runtime_polymorphism::Client;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/specs/polymorphism.yaml"
    );
    serde_norway::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// An instance of component schema `name` as the document describes it: every property it
/// has (through `allOf`, not through its subtype list) with a value of its type, nested
/// objects to `depth`, the discriminator `tag` when given.
fn instance(doc: &Value, name: &str, tag: Option<(&str, &str)>, depth: usize) -> Value {
    let mut out = Map::new();
    let mut queue = vec![doc["components"]["schemas"][name].clone()];
    while let Some(schema) = queue.pop() {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            queue.push(doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone());
            continue;
        }
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            queue.push(part.clone());
        }
        for (field, p) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(v) = value(doc, field, p, depth) {
                out.insert(field.clone(), v);
            }
        }
    }
    if let Some((property, tag)) = tag {
        out.insert(property.into(), tag.into());
    }
    Value::Object(out)
}

fn value(doc: &Value, field: &str, p: &Value, depth: usize) -> Option<Value> {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        let target = r.rsplit('/').next().unwrap();
        let schema = &doc["components"]["schemas"][target];
        if let Some(e) = schema.get("enum") {
            return Some(e[0].clone());
        }
        if depth == 0 {
            return None;
        }
        // A job's parent: a copy job (a kind of another kind than most).
        let tag = schema
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str);
        return Some(match (target, tag) {
            ("Job", Some(property)) => {
                instance(doc, "CopyJob", Some((property, "Copy")), depth - 1)
            }
            _ => instance(doc, target, None, depth - 1),
        });
    }
    Some(match (p["type"].as_str(), p["format"].as_str()) {
        (Some("string"), Some("uuid")) => json!("6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43"),
        (Some("string"), _) => json!(format!("{field} value")),
        (Some("integer"), _) => json!(42),
        (Some("boolean"), _) => json!(true),
        _ => return None,
    })
}

/// Every subtype of the fixture, through its base's type: the variant it decodes into, and
/// the JSON it encodes back to.
#[test]
fn every_subtype_decodes_through_its_base_into_itself_and_back() {
    let doc = fixture();
    let jobs = [
        ("BackupJob", "Backup", "BackupJob/BackupJobBase"),
        (
            "VSphereBackupJob",
            "VSphereBackup",
            "BackupJob/VSphereBackupJob",
        ),
        (
            "HyperVBackupJob",
            "HyperVBackup",
            "BackupJob/HyperVBackupJob",
        ),
        ("CopyJob", "Copy", "CopyJob"),
    ];
    let mut subtype_only = 0;
    for (schema, tag, expected) in jobs {
        let json = instance(&doc, schema, Some(("type", tag)), 2);
        subtype_only += json.as_object().unwrap().len()
            - instance(&doc, "Job", None, 2).as_object().unwrap().len();
        let job: Job = serde_json::from_value(json.clone()).unwrap();
        let kind = match &job {
            Job::BackupJob(b) => match b.as_ref() {
                BackupJob::BackupJobBase(_) => "BackupJob/BackupJobBase",
                BackupJob::VSphereBackupJob(_) => "BackupJob/VSphereBackupJob",
                BackupJob::HyperVBackupJob(_) => "BackupJob/HyperVBackupJob",
                BackupJob::Unknown { .. } => "BackupJob/Unknown",
            },
            Job::CopyJob(_) => "CopyJob",
            Job::Unknown { .. } => "Unknown",
        };
        assert_eq!(kind, expected, "{json}");
        // The discriminator, typed, whatever the kind.
        assert_eq!(job.type_().as_ref().map(|t| t.as_str()), Some(tag));
        assert_eq!(
            serde_json::to_value(&job).unwrap(),
            json,
            "{schema} lost or changed a field"
        );
        assert_eq!(job.name().as_deref(), Some("name value"));
    }
    // The subtype-only fields were there to lose: repositoryId, schedule, vcenter, scvmm,
    // sourceJobId (counted per subtype).
    assert_eq!(subtype_only, 2 + 3 + 3 + 1);
    for (schema, tag) in [
        ("WindowsRepository", "WindowsRepository"),
        ("S3Repository", "S3Repository"),
    ] {
        let json = instance(&doc, schema, Some(("kind", tag)), 1);
        let repository: Repository = serde_json::from_value(json.clone()).unwrap();
        assert!(!repository.is_unknown(), "{json}");
        assert_eq!(repository.kind(), tag);
        assert_eq!(serde_json::to_value(&repository).unwrap(), json);
        assert_eq!(*repository.capacity(), Some(42));
    }
    let windows: Repository =
        serde_json::from_value(json!({"kind": "WindowsRepository", "path": "D:\\b"})).unwrap();
    let Repository::WindowsRepository(w) = windows else {
        panic!("a Windows repository")
    };
    assert_eq!(w.path.as_deref(), Some("D:\\b"));
}

/// A newer server's kind: the page still decodes, the job keeps its base fields and its
/// JSON, and encodes back unchanged.
#[test]
fn an_unknown_kind_is_kept_whole_and_a_page_never_fails_over_it() {
    let text = r#"{"type":"Replica","name":"r1","id":"6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43","target":{"host":"h"}}"#;
    let page: JobPage = serde_json::from_value(json!({"data": [
        serde_json::from_str::<Value>(text).unwrap(),
        {"type": "Copy", "name": "c1", "sourceJobId": "6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43"},
        {"type": "VSphereBackup", "name": "v1", "vcenter": "vc"},
    ]}))
    .unwrap();
    let names: Vec<_> = page
        .data
        .iter()
        .map(|j| j.name().clone().unwrap())
        .collect();
    assert_eq!(names, ["r1", "c1", "v1"]);
    let unknown = &page.data[0];
    assert!(unknown.is_unknown());
    assert_eq!(
        unknown.type_().as_ref().map(|t| t.as_str()),
        Some("Replica")
    );
    let Job::Unknown { base, raw } = unknown else {
        panic!("Replica is no kind this crate knows")
    };
    assert_eq!(base.name.as_deref(), Some("r1"));
    assert_eq!(raw["target"]["host"], "h");
    assert_eq!(serde_json::to_string(unknown).unwrap(), text);
    // A kind of a kind the base does not list itself still reaches its subtype.
    let Job::BackupJob(b) = &page.data[2] else {
        panic!("a vSphere job is a backup job")
    };
    assert!(
        matches!(b.as_ref(), BackupJob::VSphereBackupJob(v) if v.vcenter.as_deref() == Some("vc"))
    );
}

#[test]
fn a_known_kind_that_does_not_decode_is_an_error_naming_it() {
    let e = serde_json::from_value::<Job>(json!({"type": "Copy", "sourceJobId": 7})).unwrap_err();
    assert!(e.to_string().contains(r#"Job of kind "Copy""#), "{e}");
    let e = serde_json::from_value::<Job>(json!("Copy")).unwrap_err();
    assert!(
        e.to_string().contains("expected a JSON object for Job"),
        "{e}"
    );
}

/// Requests that take the base take the union: a job built in code is sent with its kind;
/// a subtype used on its own is a plain struct.
#[tokio::test]
async fn a_job_built_in_code_is_sent_with_its_kind() {
    let server = MockServer::start().await;
    let copy = CopyJob {
        name: Some("nightly copy".into()),
        source_job_id: Some("6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43".parse().unwrap()),
        ..Default::default()
    };
    let sent = json!({"type": "Copy", "name": "nightly copy", "sourceJobId": "6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43"});
    Mock::given(method("POST"))
        .and(path("/jobs"))
        .and(body_json(&sent))
        .respond_with(ResponseTemplate::new(201).set_body_json(&sent))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/copyJobs/6a4c6f3b-5b26-4b0a-8e66-f1a1ba3c8b43"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&sent))
        .mount(&server)
        .await;
    let client = Client::builder(server.uri()).build().unwrap();
    let created = client
        .jobs_create()
        .body(Job::from(copy))
        .send()
        .await
        .unwrap();
    assert!(
        matches!(created.into_inner(), Job::CopyJob(c) if c.name.as_deref() == Some("nightly copy"))
    );
    let alone: CopyJob = client
        .copy_jobs_get()
        .id(sent["sourceJobId"]
            .as_str()
            .unwrap()
            .parse::<uuid::Uuid>()
            .unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(alone.name.as_deref(), Some("nightly copy"));
}
