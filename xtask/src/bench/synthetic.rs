//! A made-up document the size of the vendor's largest, so the generator's speed on one can
//! be measured without vendor text.

/// The synthetic document's size: that of Veeam Backup & Replication's.
pub const OPERATIONS: usize = 520;
pub const SCHEMAS: usize = 1800;

/// A made-up OpenAPI 3.0 document of `operations` operations and `schemas` schemas, shaped
/// like the vendor's large .NET documents: paged lists, objects that reference each other
/// (cycles included), `allOf` inheritance, and `oneOf` with a discriminator whose variants
/// extend their parent. Deterministic.
pub fn spec(operations: usize, schemas: usize) -> serde_json::Value {
    use serde_json::json;
    let name = |i: usize| format!("Model{i:04}");
    let mut components = serde_json::Map::new();
    for i in 0..schemas {
        let schema = match i % 10 {
            // A polymorphic parent: oneOf its two children, with a discriminator.
            0 if i + 2 < schemas => json!({
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}, "id": {"type": "string", "format": "uuid"}},
                "oneOf": [{"$ref": format!("#/components/schemas/{}", name(i + 1))}, {"$ref": format!("#/components/schemas/{}", name(i + 2))}],
                "discriminator": {"propertyName": "kind"}
            }),
            // Children that extend their parent (the .NET cycle typify recursed on).
            1 | 2 => json!({
                "allOf": [{"$ref": format!("#/components/schemas/{}", name(i - (i % 10)))}, {
                    "type": "object",
                    "properties": {format!("extra{i}"): {"type": "integer", "format": "int64"}}
                }]
            }),
            3 => {
                json!({"type": "string", "enum": ["None", "Running", "Success", "Warning", "Failed", format!("State{i}")]})
            }
            _ => json!({
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string", "nullable": true},
                    "created": {"type": "string", "format": "date-time"},
                    "sizeBytes": {"type": "integer", "format": "int64"},
                    // References forwards and backwards: cycles.
                    "next": {"$ref": format!("#/components/schemas/{}", name((i * 7 + 11) % schemas))},
                    "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{}", name((i * 13 + 5) % schemas))}},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}}
                }
            }),
        };
        components.insert(name(i), schema);
    }
    let mut paths = serde_json::Map::new();
    for i in 0..operations {
        let model = name((i * 3 + 4) % schemas);
        let tag = format!("Group{:02}", i % 60);
        let page = format!("PageOf{model}");
        components.entry(page.clone()).or_insert_with(|| json!({
            "type": "object",
            "properties": {
                "offset": {"type": "integer"}, "limit": {"type": "integer"}, "totalCount": {"type": "integer"},
                "results": {"type": "array", "items": {"$ref": format!("#/components/schemas/{model}")}}
            }
        }));
        let item = match i % 4 {
            0 => json!({"get": {
                "operationId": format!("Op{i}_List"), "tags": [tag],
                "parameters": [
                    {"name": "Offset", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                    {"name": "Limit", "in": "query", "schema": {"type": "integer", "format": "int32"}},
                    {"name": "Filter", "in": "query", "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{page}")}}}}}
            }}),
            1 => json!({"get": {
                "operationId": format!("Op{i}_Get"), "tags": [tag],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{model}")}}}}}
            }}),
            2 => json!({"post": {
                "operationId": format!("Op{i}_Create"), "tags": [tag],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{model}")}}}},
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{model}")}}}},
                    "202": {"description": "accepted", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{}", name(((i * 3 + 4) % schemas) / 10 * 10))}}}}
                }
            }}),
            _ => json!({"get": {
                "operationId": format!("Op{i}_Export"), "tags": [tag],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
                "responses": {"200": {"description": "file", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
            }}),
        };
        let path = match i % 4 {
            0 => format!("/api/v1/things{i}"),
            _ => format!("/api/v1/things{i}/{{id}}"),
        };
        paths.insert(path, item);
    }
    json!({
        "openapi": "3.0.1",
        "info": {"title": "synthetic", "version": "1"},
        "components": {
            "schemas": components,
            "securitySchemes": {"Bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"Bearer": []}],
        "paths": paths
    })
}
