// Hand-written helpers for VB365, appended to the generated crate by `codegen` (the profile's
// `extension`). They wait for long-running work to finish, and exist with the resource-group
// features whose operations they call.
//
// One rule for every wait (`veeam_runtime::wait::until`): only a state the API documents as
// final ends it; a state this client does not know keeps it going and is logged; a poll that
// fails transiently is polled again within the deadline.

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
        use types::RestRestoreSessionState as S;
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
            |s| match &s.state {
                Some(S::Stopped) => Progress::Finished,
                Some(S::Working) => Progress::Running,
                Some(S::Unknown(other)) => Progress::Unknown(other.clone()),
                None => Progress::Unknown("(no state)".into()),
            },
        )
        .await
    }

    #[cfg(feature = "restore-session")]
    /// Waits for an asynchronous restore (`RESTAsyncRestoreResponse`, from the restore
    /// actions run asynchronously) to finish: its `sessionId` is a restore session.
    pub async fn wait_async_restore(
        &self,
        started: &types::RestAsyncRestoreResponse,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::RestRestoreSession, ::veeam_runtime::Error> {
        let id = started.session_id.ok_or_else(|| {
            ::veeam_runtime::Error::new(::veeam_runtime::ErrorKind::InvalidRequest(
                "the asynchronous restore answered without a sessionId to wait on".into(),
            ))
        })?;
        self.wait_restore_session(&id, options).await
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
        use types::RestJobSessionStatus as S;
        let what = format!("job session {id}");
        ::veeam_runtime::wait::until(
            &what,
            options,
            || async {
                let session = self.job_session_get_by_id().job_sessions_id(*id).send().await?;
                Ok(session.into_inner())
            },
            |s| match &s.status {
                Some(S::Stopped | S::Success | S::Failed | S::Warning | S::NotConfigured | S::Disconnected) => Progress::Finished,
                Some(S::Running | S::Queued) => Progress::Running,
                Some(S::Unknown(other)) => Progress::Unknown(other.clone()),
                None => Progress::Unknown("(no status)".into()),
            },
        )
        .await
    }
}
