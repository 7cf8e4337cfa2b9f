//! Printing answers: a table for people, JSON, NDJSON or YAML for scripts; field selection.

use std::io::Write;

use serde_json::{Map, Value};

use crate::exit::Failure;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    Table,
    Yaml,
}

impl Format {
    /// `--output`, or a table on a terminal and JSON otherwise.
    pub fn chosen(given: Option<&str>, terminal: bool) -> Format {
        match given {
            Some("json") => Format::Json,
            Some("ndjson") => Format::Ndjson,
            Some("table") => Format::Table,
            Some("yaml") => Format::Yaml,
            _ if terminal => Format::Table,
            _ => Format::Json,
        }
    }
}

/// Only `fields` of `item` (dotted names reach into objects), in the order given; a field
/// the item lacks is `null`, so that every line of a stream has the same keys.
pub fn select(item: Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return item;
    }
    let mut out = Map::new();
    for field in fields {
        let mut at = &item;
        for part in field.split('.') {
            at = at.get(part).unwrap_or(&Value::Null);
        }
        out.insert(field.clone(), at.clone());
    }
    Value::Object(out)
}

/// The records of an answer: a page's items (the API's items field), an array's elements,
/// or the answer itself.
pub fn records(body: Value, items: Option<&str>) -> Vec<Value> {
    match body {
        Value::Array(list) => list,
        Value::Object(mut map) => match items.and_then(|i| map.get(i)).filter(|v| v.is_array()) {
            Some(_) => match items.and_then(|i| map.remove(i)) {
                Some(Value::Array(list)) => list,
                _ => vec![Value::Object(map)],
            },
            None => vec![Value::Object(map)],
        },
        other => vec![other],
    }
}

/// Writes one answer in `format`.
pub fn print(
    out: &mut impl Write,
    body: Value,
    format: Format,
    fields: &[String],
    items: Option<&str>,
) -> Result<(), Failure> {
    let paged = items.is_some_and(|i| body.get(i).is_some_and(Value::is_array));
    match format {
        Format::Json | Format::Yaml if fields.is_empty() => write_value(out, &body, format)?,
        Format::Json | Format::Yaml => {
            let selected = if paged || body.is_array() {
                Value::Array(
                    records(body, items)
                        .into_iter()
                        .map(|r| select(r, fields))
                        .collect(),
                )
            } else {
                select(body, fields)
            };
            write_value(out, &selected, format)?;
        }
        Format::Ndjson => {
            for record in records(body, items) {
                line(out, &select(record, fields))?;
            }
        }
        Format::Table => {
            let records: Vec<Value> = records(body, items)
                .into_iter()
                .map(|r| select(r, fields))
                .collect();
            writeln!(out, "{}", table(&records))?;
        }
    }
    Ok(())
}

fn write_value(out: &mut impl Write, value: &Value, format: Format) -> Result<(), Failure> {
    if format == Format::Yaml {
        let text = serde_norway::to_string(value)
            .map_err(|e| Failure::new(crate::exit::OTHER, format!("YAML: {e}")))?;
        write!(out, "{text}")?;
    } else {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| Failure::new(crate::exit::OTHER, format!("JSON: {e}")))?;
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// One JSON line, flushed (a stream's reader sees each item as it comes).
pub fn line(out: &mut impl Write, value: &Value) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::new(crate::exit::OTHER, format!("JSON: {e}")))?;
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

/// Records as a table: one row each, a column per field (the first record's fields that
/// are not objects or arrays, then any later ones); one record is shown as field and value.
fn table(records: &[Value]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    let cell = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    if let [Value::Object(one)] = records {
        t.set_header(vec!["field", "value"]);
        for (k, v) in one {
            t.add_row(vec![k.clone(), cell(v)]);
        }
        return t;
    }
    let mut columns: Vec<String> = Vec::new();
    for r in records {
        if let Value::Object(map) = r {
            for (k, v) in map {
                if !v.is_object() && !v.is_array() && !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
    }
    if columns.is_empty() {
        t.set_header(vec!["value"]);
        for r in records {
            t.add_row(vec![cell(r)]);
        }
        return t;
    }
    t.set_header(columns.clone());
    for r in records {
        t.add_row(
            columns
                .iter()
                .map(|c| cell(r.get(c).unwrap_or(&Value::Null)))
                .collect::<Vec<_>>(),
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_reach_into_objects_and_missing_ones_are_null() {
        let item = json!({"id": 1, "organization": {"name": "Contoso"}, "x": 2});
        let picked = select(
            item,
            &["organization.name".into(), "id".into(), "gone".into()],
        );
        assert_eq!(
            picked.to_string(),
            r#"{"organization.name":"Contoso","id":1,"gone":null}"#
        );
    }

    #[test]
    fn a_page_prints_its_items_one_per_line() {
        let page = json!({"offset": 0, "limit": 2, "results": [{"id": 1}, {"id": 2}]});
        let mut out = Vec::new();
        print(&mut out, page, Format::Ndjson, &[], Some("results")).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"id\":1}\n{\"id\":2}\n");
    }
}
