// VB for Microsoft Azure's wait helpers, appended to its crate root. Long-running work is
// either a job session (restores, backups, file-level recovery: the call answers 202 with a
// `JobSession`) or an asynchronous operation (the call answers 202 with an
// `AsyncOperationOfObject`). Both report a `JobStatus`.
//
// The same rule as every wait (`veeam_runtime::wait::until`): only a state the API documents
// as final ends it; a state this client does not know keeps it going and is logged; a poll
// that fails transiently is polled again within the deadline.

/// Where a `JobStatus` wire name stands: `Success`, `Warning`, `Error` and `Canceled` are
/// final; `Running`, `RunningWithWarning`, `RunningWithError`, `Canceling` and `Pending` are
/// not. Anything else (`NeverExecuted`, `Unknown`, a newer server's state) is unknown: waited
/// through and logged.
#[cfg(any(feature = "job-sessions", feature = "async-operation"))]
fn job_status_progress(status: ::std::option::Option<&str>) -> ::veeam_runtime::Progress {
    use ::veeam_runtime::Progress;
    match status {
        Some("Success" | "Warning" | "Error" | "Canceled") => Progress::Finished,
        Some("Running" | "RunningWithWarning" | "RunningWithError" | "Canceling" | "Pending") => {
            Progress::Running
        }
        Some(other) => Progress::Unknown(other.to_string()),
        None => Progress::Unknown("(no status)".into()),
    }
}

impl Client {
    #[cfg(feature = "job-sessions")]
    /// Waits until the job session `id` has finished (`Success`, `Warning`, `Error` or
    /// `Canceled`), polling `JobSessions_GetJobSessionById` with growing intervals; returns the
    /// session as last read. Check its `status`: a restore that failed is `Error`, not an
    /// `Err`.
    pub async fn wait_job_session(
        &self,
        id: &str,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::JobSession, ::veeam_runtime::Error> {
        let what = format!("job session {id}");
        ::veeam_runtime::wait::until(
            &what,
            options,
            || async {
                let session = self
                    .job_sessions_get_job_session_by_id()
                    .session_id(id.to_string())
                    .send()
                    .await?;
                Ok(session.into_inner())
            },
            |s| job_status_progress(s.status.as_ref().map(|s| s.as_str())),
        )
        .await
    }

    #[cfg(feature = "job-sessions")]
    /// Waits for the job session a call answered with (the 202 of a restore, a backup run, a
    /// file-level recovery...) to finish; see [`Client::wait_job_session`].
    pub async fn wait_started_session(
        &self,
        started: &types::JobSession,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::JobSession, ::veeam_runtime::Error> {
        let id = started.id.as_deref().ok_or_else(|| {
            ::veeam_runtime::Error::new(::veeam_runtime::ErrorKind::InvalidRequest(
                "the call answered with a job session without an id to wait on".into(),
            ))
        })?;
        self.wait_job_session(id, options).await
    }

    #[cfg(feature = "async-operation")]
    /// Waits until the asynchronous operation `id` (the `id` of a 202
    /// `AsyncOperationOfObject`) has finished, polling `AsyncOperation_GetOperation`; returns
    /// the operation as last read, with its `result` or `error`.
    pub async fn wait_operation(
        &self,
        id: &::uuid::Uuid,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::AsyncOperationOfObject, ::veeam_runtime::Error> {
        let what = format!("asynchronous operation {id}");
        ::veeam_runtime::wait::until(
            &what,
            options,
            || async {
                let operation = self
                    .async_operation_get_operation()
                    .operation_id(*id)
                    .send()
                    .await?;
                Ok(operation.into_inner())
            },
            |o| job_status_progress(o.status.as_ref().map(|s| s.as_str())),
        )
        .await
    }
}
