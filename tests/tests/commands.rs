//! Every operation of every API is one command of the command line, named `<group>
//! <command>` with no two alike, and the names read as an admin would say them.

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn every_operation_is_one_command_and_no_two_share_a_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for api in codegen::workspace_apis(&root).unwrap() {
        let output = api.generate(&root).unwrap();
        let commands = &output.commands;
        assert_eq!(commands.len(), output.operations, "{}", api.name());
        let names: BTreeSet<(&str, &str)> = commands
            .iter()
            .map(|c| (c.group.as_str(), c.name.as_str()))
            .collect();
        let mut seen = BTreeSet::new();
        let shared: Vec<String> = commands
            .iter()
            .filter(|c| !seen.insert((c.group.as_str(), c.name.as_str())))
            .map(|c| format!("{} {} ({})", c.group, c.name, c.operation))
            .collect();
        assert!(
            shared.is_empty(),
            "{}: names shared: {shared:#?}",
            api.name()
        );
        assert_eq!(names.len(), commands.len());
        let operations: BTreeSet<&str> = commands.iter().map(|c| c.operation.as_str()).collect();
        assert_eq!(operations.len(), commands.len(), "{}", api.name());
        if std::env::var("PRINT_COMMANDS").is_ok() {
            for c in commands {
                println!("CMD {} {} {}", api.name(), c.group, c.name);
            }
        }
        let lists = commands.iter().filter(|c| c.name == "list").count();
        println!(
            "{}: {} commands in {} groups, {lists} named list",
            api.name(),
            commands.len(),
            commands
                .iter()
                .map(|c| &c.group)
                .collect::<BTreeSet<_>>()
                .len()
        );
    }
}

#[test]
fn vb365_names_read_as_said() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let apis = codegen::workspace_apis(&root).unwrap();
    let vb365 = apis.iter().find(|a| a.folder == "vb365").unwrap();
    let output = vb365.generate(&root).unwrap();
    let name = |operation: &str| {
        let c = output
            .commands
            .iter()
            .find(|c| c.operation == operation)
            .unwrap_or_else(|| panic!("{operation}"));
        format!("{} {}", c.group, c.name)
    };
    assert_eq!(
        name("restore_point_get_restore_points"),
        "restore-point list"
    );
    assert_eq!(name("restore_point_get_restore_point"), "restore-point get");
    assert_eq!(name("organization_remove"), "organization remove");
    assert_eq!(name("job_start_action"), "job start");
    assert_eq!(
        name("exchange_item_export_items_to_pst_action"),
        "exchange-item export-items-to-pst"
    );
    // `Proxy_Rescan` and `Proxy_RescanAction` both POST: the second keeps its word.
    assert_eq!(name("proxy_rescan"), "proxy rescan");
    assert_eq!(name("proxy_rescan_action"), "proxy rescan-action");
}
