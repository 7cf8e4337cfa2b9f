// Wait helpers every VB365 crate shares (each version's profile lists this file in its
// `extension`). They match states by their wire names, so one text serves every version,
// whichever states its enums list. They exist with the resource-group features whose
// operations they call.
//
// One rule for every wait (`veeam_runtime::wait::until`): only a state the API documents as
// final ends it; a state this client does not know keeps it going and is logged; a poll that
// fails transiently is polled again within the deadline.

/// The VB365 REST API versions the workspace has a crate for, newest first.
pub const VB365_VERSIONS: &[&str] = &["v8", "v7", "v6"];

/// Which VB365 REST API versions the server of `builder` serves, asked without credentials
/// (an anonymous `GET /{version}/ServiceInstance` answers 401 where one is served, 404 where
/// not), all at once within `timeout`, with the builder's TLS settings. `.newest()` is the
/// newest this workspace has a crate for: `v8` is `vb365`, `v7` is `vb365-v7`, `v6` is
/// `vb365-v6`. Pin the answer in your configuration rather than asking on every start.
pub async fn discover_versions(
    builder: &::veeam_runtime::ClientBuilder<Client>,
    timeout: ::std::time::Duration,
) -> ::std::result::Result<::veeam_runtime::discovery::Discovery, ::veeam_runtime::Error> {
    builder.discover(VB365_VERSIONS, "/{version}/ServiceInstance", timeout).await
}

impl Client {
    #[cfg(feature = "restore-session")]
    /// Waits until the restore session `id` has stopped (`Stopped`), polling with growing
    /// intervals; returns its final state. `Working` and states this client does not know
    /// keep the wait going until `options.deadline`.
    pub async fn wait_restore_session(
        &self,
        id: &::uuid::Uuid,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::RestRestoreSession, ::veeam_runtime::Error> {
        use ::veeam_runtime::Progress;
        let what = format!("restore session {id}");
        ::veeam_runtime::wait::until(
            &what,
            options,
            || async {
                let session = self
                    .restore_session_get_by_restore_session_id()
                    .restore_session_id(*id)
                    .send()
                    .await?;
                Ok(session.into_inner())
            },
            |s| match s.state.as_ref().map(|s| s.as_str()) {
                Some("Stopped") => Progress::Finished,
                Some("Working") => Progress::Running,
                Some(other) => Progress::Unknown(other.to_string()),
                None => Progress::Unknown("(no state)".into()),
            },
        )
        .await
    }

    #[cfg(feature = "job-session")]
    /// Waits until the job session `id` has finished (`Stopped`, `Success`, `Failed`,
    /// `Warning`, `NotConfigured`, `Disconnected`). `Running`, `Queued` and states this client
    /// does not know keep the wait going until `options.deadline`.
    pub async fn wait_job_session(
        &self,
        id: &::uuid::Uuid,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::RestJobSession, ::veeam_runtime::Error> {
        use ::veeam_runtime::Progress;
        let what = format!("job session {id}");
        ::veeam_runtime::wait::until(
            &what,
            options,
            || async {
                let session = self.job_session_get_by_id().job_sessions_id(*id).send().await?;
                Ok(session.into_inner())
            },
            |s| match s.status.as_ref().map(|s| s.as_str()) {
                Some("Stopped" | "Success" | "Failed" | "Warning" | "NotConfigured" | "Disconnected") => Progress::Finished,
                Some("Running" | "Queued") => Progress::Running,
                Some(other) => Progress::Unknown(other.to_string()),
                None => Progress::Unknown("(no status)".into()),
            },
        )
        .await
    }
}
