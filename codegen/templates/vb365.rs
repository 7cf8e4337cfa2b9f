// Hand-written helpers for VB365, appended to the generated crate by `codegen` (from
// codegen/templates/vb365.rs). They wait for long-running work to finish, and exist with the
// resource-group features whose operations they call.

impl Client {
    #[cfg(feature = "restore-session")]
    /// Waits until the restore session `id` is no longer `Working` (it was stopped, or it
    /// finished), polling with growing intervals; returns its final state.
    pub async fn wait_restore_session(
        &self,
        id: &::uuid::Uuid,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::RestRestoreSession, ::veeam_runtime::Error> {
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
            |s| s.state != types::RestRestoreSessionState::Working,
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
        self.wait_restore_session(&started.session_id, options).await
    }

    #[cfg(feature = "job-session")]
    /// Waits until the job session `id` has finished: any status but `Running` and `Queued`,
    /// and not one this client does not know (those keep the wait going until the deadline).
    pub async fn wait_job_session(
        &self,
        id: &::uuid::Uuid,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::RestJobSession, ::veeam_runtime::Error> {
        use types::RestJobSessionStatus as S;
        let what = format!("job session {id}");
        ::veeam_runtime::wait::until(
            &what,
            options,
            || async {
                let session = self.job_session_get_by_id().job_sessions_id(*id).send().await?;
                Ok(session.into_inner())
            },
            |s| {
                matches!(
                    s.status,
                    Some(S::Stopped | S::Success | S::Failed | S::Warning | S::NotConfigured | S::Disconnected)
                )
            },
        )
        .await
    }
}
