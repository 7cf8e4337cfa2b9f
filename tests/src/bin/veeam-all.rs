//! The `veeam` program with every API, for tests/tests/cli.rs (as `veeam-all`, so that its
//! binary is not `generated/veeam-cli`'s in the same target folder): the same one call as
//! generated/veeam-cli/src/main.rs (tests/tests/cli.rs checks the two list the same APIs).

fn main() -> std::process::ExitCode {
    veeam_command::main(&[
        &vb365::commands::API,
        &vb365_v6::commands::API,
        &vb365_v7::commands::API,
        &vbazure::commands::API,
    ])
}
